//! Simulated time as steps move it: time passing, the server clock set, a position in a step.

use std::time::Duration;

use super::MfaWorld;
use crate::clock::SimTime;

impl MfaWorld {
    /// Moves true time forward (server, phones and tokens alike).
    pub fn advance(&mut self, span: Duration) {
        self.now += span;
        self.log(format!("time passes {} s", span.as_secs()));
    }

    /// Sets true time to `t`, backwards too (only the RFC vector outlines do this).
    pub fn set_now(&mut self, t: SimTime) {
        self.now = t;
        self.log(format!("server clock set to {t}"));
    }

    /// Moves forward to the next instant `seconds` into a 30-second step.
    pub fn to_position_in_step(&mut self, seconds: u64) {
        let step_ms = 30_000;
        let now = self.now.unix_millis();
        let mut t = now - now % step_ms + seconds * 1000;
        if t < now {
            t += step_ms;
        }
        self.advance(Duration::from_millis(t - now));
    }

    /// Delays the next SMS by `span`.
    pub fn delay_next_sms(&mut self, span: Duration) {
        self.next_sms_delay = Some(span);
    }
}
