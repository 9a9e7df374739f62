//! The server's clock, in the two ways a profile target meets it.
//!
//! - **Set through libfaketime** (`[clock] faketime_file`): the server was started with
//!   `LD_PRELOAD=libfaketime.so.1`, `FAKETIME_TIMESTAMP_FILE` naming the file and
//!   `FAKETIME_NO_CACHE=1`, so it reads the file on every clock call. Before each operation the
//!   harness writes the offset from the real clock to the operation's simulated time
//!   (`-59234567.250000`): the server's clock then shows the simulated time plus the real time
//!   since the write, never less. (An absolute `@<time>` restarts libfaketime's clock on the
//!   first read after the text changes, and that read comes out a few microseconds before the
//!   time written: at a step edge it showed the previous step, and failed a binding in one run
//!   of three. An offset is added to the real clock as read, with no restart.) At connect the
//!   harness sets a time no real clock shows (the real clock a day ago) and reads it back
//!   through the clock probe, so a server not started under libfaketime is an error, not a
//!   silent real clock.
//! - **Real** (no faketime file): the harness cannot move the server's clock, so every scenario
//!   starts at it: the clock probe is sent, and the time in its answer (the profile's time
//!   pointer, else the `Date` header) plus half the round trip is the server's "now".
//!
//! Both read the real clock (the harness's, on the machine the server shares for libfaketime):
//! the offset is taken from it, and round trips are measured on it. Besides them only the
//! connection's `{{run}}` name does, once at connect. Nothing else on a target's path does.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use super::Vars;
use super::target::ProfileTarget;
use crate::clock::SimTime;
use crate::sut::{Answer, TargetError};

/// A libfaketime timestamp file the harness writes the server's time into.
pub struct FaketimeClock {
    path: PathBuf,
    /// Held while writing: parallel calls share one staging file.
    writing: Mutex<()>,
}

/// A reading of the server's clock from one answer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Reading {
    /// The time the answer carried (Unix seconds).
    pub said: f64,
    /// The server's time when the answer arrived: `said` plus half the round trip (and half a
    /// second for a `Date` header, which drops the fraction).
    pub now: f64,
}

impl Reading {
    /// A reading of `said` (from the `Date` header when `whole_seconds`) that took `round_trip`.
    pub fn new(said: f64, whole_seconds: bool, round_trip: Duration) -> Reading {
        let truncated = if whole_seconds { 0.5 } else { 0.0 };
        Reading { said, now: said + truncated + round_trip.as_secs_f64() / 2.0 }
    }

    /// [`Reading::now`] as simulated time, to the millisecond.
    pub fn sim_time(self) -> SimTime {
        SimTime::from_unix_millis((self.now.max(0.0) * 1000.0).round() as u64)
    }
}

impl FaketimeClock {
    /// The clock in `path` (nothing is written yet).
    pub fn new(path: &Path) -> FaketimeClock {
        FaketimeClock { path: path.to_owned(), writing: Mutex::new(()) }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Sets the server's clock to `at` from now on (and running on in real time). The text is
    /// written beside the file and renamed over it, so the server never reads a half-written
    /// file (libfaketime ends a process that reads a time it cannot parse).
    ///
    /// # Errors
    /// [`TargetError::NoAnswer`] naming the file when it cannot be written.
    pub fn set(&self, at: SimTime) -> Answer<()> {
        let _writing = self.writing.lock().unwrap_or_else(PoisonError::into_inner);
        let text = offset_text(at, real_now());
        let mut staged = self.path.clone().into_os_string();
        staged.push(".mfa-harness-new");
        let staged = PathBuf::from(staged);
        std::fs::write(&staged, &text).and_then(|()| std::fs::rename(&staged, &self.path)).map_err(|e| {
            TargetError::NoAnswer {
                request: format!("setting the server's clock in {}", self.path.display()),
                message: e.to_string(),
            }
        })
    }
}

/// The real clock, as nanoseconds since the Unix epoch (see the module docs).
pub fn real_now() -> i128 {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    since.as_nanos() as i128
}

/// libfaketime's offset from `real_nanos` to `at`: `+12.500000` or `-59234567.250000`
/// (seconds, rounded up to the microsecond: the server's clock never shows less than `at`).
fn offset_text(at: SimTime, real_nanos: i128) -> String {
    let offset_nanos = i128::from(at.unix_millis()) * 1_000_000 - real_nanos;
    let offset_micros = -(-offset_nanos).div_euclid(1_000);
    let sign = if offset_micros < 0 { '-' } else { '+' };
    let magnitude = offset_micros.unsigned_abs();
    format!("{sign}{}.{:06}", magnitude / 1_000_000, magnitude % 1_000_000)
}

impl ProfileTarget {
    /// Sends the clock probe and reads the server's time in its answer.
    ///
    /// # Errors
    /// [`TargetError::NoAnswer`] naming the target when the probe fails or its answer carries
    /// no time where the profile says it is.
    pub(super) fn read_clock(&self) -> Answer<Reading> {
        let shared = &self.shared;
        let name = shared.info().name;
        let in_target = |e: TargetError| TargetError::NoAnswer {
            request: format!("the clock of {name}"),
            message: e.to_string(),
        };
        let Some(probe) = &shared.profile.file.clock.probe else {
            // `load` refuses a profile without one.
            return Err(in_target(TargetError::Refused {
                request: "clock probe".into(),
                message: "the profile has no [clock] probe".into(),
            }));
        };
        self.state().reading = None;
        self.run_steps("clock probe", std::slice::from_ref(probe), Vars::new(), SimTime::from_unix_millis(0))
            .map_err(in_target)?;
        let reading = self.state().reading.take();
        reading.ok_or_else(|| {
            let clock = &shared.profile.file.clock;
            in_target(TargetError::NoAnswer {
                request: "clock probe".into(),
                message: format!(
                    "the answer carries no time ({}{})",
                    clock
                        .time_pointer
                        .as_deref()
                        .map_or("no time pointer".into(), |p| format!("nothing at {p}")),
                    if clock.date_header { ", no Date header" } else { ", Date header not read" }
                ),
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reading_adds_half_the_round_trip_and_half_a_second_for_whole_seconds() {
        let precise = Reading::new(100.25, false, Duration::from_millis(40));
        assert!((precise.now - 100.27).abs() < 1e-9, "{precise:?}");
        let date = Reading::new(100.0, true, Duration::from_millis(40));
        assert!((date.now - 100.52).abs() < 1e-9, "{date:?}");
        assert_eq!(precise.sim_time(), SimTime::from_unix_millis(100_270));
    }

    #[test]
    fn the_offset_is_the_simulated_time_minus_the_real_clock_to_the_microsecond() {
        let real = 1_795_965_450_123_456_789;
        assert_eq!(offset_text(SimTime::from_unix_millis(1_795_965_460_000), real), "+9.876544");
        assert_eq!(offset_text(SimTime::from_unix_secs(59), real), "-1795965391.123456");
        assert_eq!(offset_text(SimTime::from_unix_secs(20_000_000_000), real), "+18204034549.876544");
    }

    #[test]
    fn the_clock_file_is_replaced_whole_and_its_errors_name_it() {
        let dir = std::env::temp_dir().join(format!("mfa-faketime-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let clock = FaketimeClock::new(&dir.join("clock"));
        clock.set(SimTime::from_unix_secs(59)).unwrap();
        let text = std::fs::read_to_string(clock.path()).unwrap();
        assert!(text.starts_with("-17") && text.len() > 10, "{text}");
        let entries = std::fs::read_dir(&dir).unwrap().count();
        assert_eq!(entries, 1, "nothing is left beside the file");
        let missing = FaketimeClock::new(&dir.join("no/such/dir/clock"));
        let err = missing.set(SimTime::from_unix_secs(59)).unwrap_err().to_string();
        assert!(err.contains("no/such/dir/clock"), "{err}");
    }
}
