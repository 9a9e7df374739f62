//! The virtual clock: the only "now" in a simulation.

use std::time::Duration;

use super::time::SimTime;

/// True virtual time as it moves during a run. Only the simulator's event loop moves it, and
/// only forwards: true time never goes backwards (device clocks may; see
/// [`super::DeviceClock::set_by_hand`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VirtualClock {
    now: SimTime,
}

/// Moving the virtual clock backwards was asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("true time cannot go back from {now} to {asked}")]
pub struct TimeWentBack {
    /// The clock's time.
    pub now: SimTime,
    /// The earlier time asked for.
    pub asked: SimTime,
}

impl VirtualClock {
    /// A clock standing at `start`.
    pub fn starting_at(start: SimTime) -> Self {
        VirtualClock { now: start }
    }

    /// Now.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Jumps to `t` (no real waiting).
    ///
    /// # Errors
    /// [`TimeWentBack`] when `t` is earlier than now.
    pub fn advance_to(&mut self, t: SimTime) -> Result<(), TimeWentBack> {
        if t < self.now {
            return Err(TimeWentBack { now: self.now, asked: t });
        }
        self.now = t;
        Ok(())
    }

    /// Now plus `span`, or `None` past the end of time.
    pub fn after(&self, span: Duration) -> Option<SimTime> {
        self.now.checked_add(span)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::DEFAULT_EPOCH;

    #[test]
    fn clock_refuses_to_go_back() {
        let mut clock = VirtualClock::starting_at(DEFAULT_EPOCH);
        clock.advance_to(DEFAULT_EPOCH + Duration::from_secs(31)).unwrap();
        let err = clock.advance_to(DEFAULT_EPOCH).unwrap_err();
        assert_eq!(
            err.to_string(),
            "true time cannot go back from unix:1767225631.000 to unix:1767225600.000"
        );
        assert_eq!(clock.now(), DEFAULT_EPOCH + Duration::from_secs(31));
    }
}
