//! True virtual time.

use std::fmt;
use std::ops::{Add, AddAssign, Sub};
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// True (simulated) time: milliseconds since the Unix epoch, 64-bit, so years of simulated
/// time neither wrap nor lose precision. Not named `Instant`: it never comes from a real clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SimTime(u64);

/// Where runs start unless configured otherwise: 2026-01-01T00:00:00Z. Fixed, so the same
/// seed gives the same codes on every machine and every day.
pub const DEFAULT_EPOCH: SimTime = SimTime(1_767_225_600_000);

impl SimTime {
    /// Time from Unix milliseconds.
    pub const fn from_unix_millis(ms: u64) -> Self {
        SimTime(ms)
    }

    /// Time from whole Unix seconds (saturating far past the year 500 million).
    pub const fn from_unix_secs(secs: u64) -> Self {
        SimTime(secs.saturating_mul(1000))
    }

    /// Unix milliseconds.
    pub const fn unix_millis(self) -> u64 {
        self.0
    }

    /// Whole Unix seconds (floor): what the OTP core takes.
    pub const fn unix_secs(self) -> u64 {
        self.0 / 1000
    }

    /// `self + span`, or `None` past the end of representable time.
    pub fn checked_add(self, span: Duration) -> Option<SimTime> {
        u64::try_from(span.as_millis()).ok().and_then(|ms| self.0.checked_add(ms)).map(SimTime)
    }

    /// `self - span`, or `None` before the Unix epoch.
    pub fn checked_sub(self, span: Duration) -> Option<SimTime> {
        u64::try_from(span.as_millis()).ok().and_then(|ms| self.0.checked_sub(ms)).map(SimTime)
    }

    /// The span from `earlier` to `self`, or zero when `earlier` is later.
    pub fn saturating_since(self, earlier: SimTime) -> Duration {
        Duration::from_millis(self.0.saturating_sub(earlier.0))
    }
}

/// Panics on overflow, like integer addition: only `checked_add` is for untrusted spans.
impl Add<Duration> for SimTime {
    type Output = SimTime;
    fn add(self, span: Duration) -> SimTime {
        // An overflow here is a bug in the caller (a span of 500 million years).
        self.checked_add(span).expect("SimTime overflow")
    }
}

impl AddAssign<Duration> for SimTime {
    fn add_assign(&mut self, span: Duration) {
        *self = *self + span;
    }
}

/// The span between two times; panics when `rhs` is later (use `saturating_since`).
impl Sub for SimTime {
    type Output = Duration;
    fn sub(self, rhs: SimTime) -> Duration {
        // Time on the true clock never goes backwards, so a negative span is a caller bug.
        Duration::from_millis(self.0.checked_sub(rhs.0).expect("SimTime subtraction went negative"))
    }
}

/// `unix:<seconds>.<millis>`: exact, sortable, and obviously not a wall-clock reading.
impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unix:{}.{:03}", self.0 / 1000, self.0 % 1000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_epoch_is_2026_new_year() {
        assert_eq!(DEFAULT_EPOCH.unix_secs(), 1_767_225_600);
        assert_eq!(DEFAULT_EPOCH.to_string(), "unix:1767225600.000");
    }

    #[test]
    fn arithmetic_is_exact_in_milliseconds() {
        let t = DEFAULT_EPOCH + Duration::from_millis(29_999);
        assert_eq!(t.unix_secs(), 1_767_225_629);
        assert_eq!(t - DEFAULT_EPOCH, Duration::from_millis(29_999));
        assert_eq!(DEFAULT_EPOCH.saturating_since(t), Duration::ZERO);
        assert_eq!(SimTime::from_unix_millis(u64::MAX).checked_add(Duration::from_millis(1)), None);
    }
}
