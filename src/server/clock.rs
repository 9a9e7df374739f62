//! The server's "now": wall time, or a settable virtual clock with `--test-clock`.

use std::sync::Mutex;

use crate::clock::SimTime;

/// Where the server's time comes from.
#[derive(Debug)]
pub enum ServerClock {
    /// Real time, read through [`wall_now`].
    Wall,
    /// A virtual clock that only moves when a client sets it (`PUT /v1/test/clock`).
    Test(Mutex<SimTime>),
}

impl ServerClock {
    /// The current time.
    pub fn now(&self) -> SimTime {
        match self {
            ServerClock::Wall => wall_now(),
            ServerClock::Test(t) => *t.lock().unwrap_or_else(std::sync::PoisonError::into_inner),
        }
    }

    /// Sets a test clock; `false` for the wall clock (which cannot be set).
    pub fn set(&self, to: SimTime) -> bool {
        match self {
            ServerClock::Wall => false,
            ServerClock::Test(t) => {
                *t.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = to;
                true
            }
        }
    }
}

/// The one place in the crate that reads the real clock: the HTTP edge serving real clients.
/// A clock before 1970 reads as the Unix epoch.
pub fn wall_now() -> SimTime {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    SimTime::from_unix_millis(u64::try_from(since.as_millis()).unwrap_or(u64::MAX))
}
