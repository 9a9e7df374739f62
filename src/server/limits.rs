//! What one client may hold of the server: a connection slot, time to send its request, and
//! a share of the password-hashing threads. Without these, 376 half-sent requests held every
//! descriptor of a server with 256 and locked every other client out, and each login's 19 MiB
//! of Argon2 memory ran on a thread of its own (issue 14).

use std::time::Duration;

/// Connection, time and hashing limits of a server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Connections served at once. Beyond it, new connections wait in the kernel's backlog
    /// (costing no descriptor here) until a slot frees. Default 1024.
    pub max_connections: usize,
    /// Time a client has to send a request's headers, and the longest an idle keep-alive
    /// connection stays open. The connection is closed when it passes. Default 10 s.
    pub header_timeout: Duration,
    /// Time a client has to send a request's body once its headers arrived. When it passes
    /// the answer is 408 and the connection is closed. Default 10 s.
    pub body_timeout: Duration,
    /// Threads that check passwords (Argon2id). At most this many hashes run at once, so
    /// their memory (19 MiB each at the standard cost) is bounded by it. Default: one per core,
    /// at most 8.
    pub password_workers: usize,
}

impl Default for Limits {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        Limits {
            max_connections: 1024,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            password_workers: cores.min(8),
        }
    }
}

impl Limits {
    /// Descriptors kept back from connections: the listener, standard streams, the runtime's
    /// own, the webhook client's sockets and files opened at start.
    pub const RESERVED_DESCRIPTORS: u64 = 64;

    /// These limits with `max_connections` lowered, if needed, so that connections cannot use
    /// up the process's file descriptors (`ulimit -n`) and leave none to accept with.
    pub fn within_descriptor_limit(self) -> Limits {
        let Some(open_files) = descriptor_limit() else { return self };
        let room = open_files.saturating_sub(Limits::RESERVED_DESCRIPTORS).max(1);
        let room = usize::try_from(room).unwrap_or(usize::MAX);
        Limits { max_connections: self.max_connections.min(room), ..self }
    }
}

/// The soft limit on open file descriptors, if the platform has one and tells it.
#[cfg(unix)]
fn descriptor_limit() -> Option<u64> {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit only writes the struct it is given, which lives on this stack frame.
    let status = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &raw mut limit) };
    #[allow(clippy::useless_conversion, reason = "rlim_t is narrower than u64 on some platforms")]
    (status == 0).then(|| u64::try_from(limit.rlim_cur).unwrap_or(u64::MAX))
}

#[cfg(not(unix))]
fn descriptor_limit() -> Option<u64> {
    None
}
