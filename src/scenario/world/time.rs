//! Simulated time as steps move it: time passing, the server clock set, a position in a step.
//! True time is the simulator's clock and only moves forward; the server's clock reads true
//! time unless a step set it ("the server clock reads Unix time 59").

use std::collections::BTreeSet;
use std::time::Duration;

use super::MfaWorld;
use crate::clock::SimTime;
use crate::scenario::fault::no_answer;

impl MfaWorld {
    /// The server's clock now: the time every call to the target carries.
    pub fn now(&self) -> SimTime {
        let ms = i128::from(self.sim.now().unix_millis()) + i128::from(self.server_ahead_ms);
        SimTime::from_unix_millis(u64::try_from(ms).unwrap_or(0))
    }

    /// Lets `span` of true time pass (server, phones and tokens alike).
    pub fn advance(&mut self, span: Duration) {
        if let Err(e) = self.sim.advance(span) {
            no_answer(format!("letting {} s pass: {e}", span.as_secs()));
        }
        self.log(format!("time passes {} s", span.as_secs()));
    }

    /// Lets true time pass until `t` (no time when it has passed already).
    pub fn advance_to(&mut self, t: SimTime) {
        if t > self.sim.now() {
            self.advance(t - self.sim.now());
        }
    }

    /// True time when the server's clock reads `t`.
    pub(super) fn true_time(&self, t: SimTime) -> SimTime {
        let ms = i128::from(t.unix_millis()) - i128::from(self.server_ahead_ms);
        SimTime::from_unix_millis(u64::try_from(ms).unwrap_or(0))
    }

    /// Sets the server's clock to `t`, backwards too (only the RFC vector outlines do this);
    /// phones and tokens keep true time.
    pub fn set_now(&mut self, t: SimTime) {
        let ahead = i128::from(t.unix_millis()) - i128::from(self.sim.now().unix_millis());
        self.server_ahead_ms =
            i64::try_from(ahead).unwrap_or_else(|_| no_answer(format!("{t} is out of reach")));
        self.log(format!("server clock set to {t}"));
    }

    /// Moves forward to the next instant `seconds` into a time step of the server's clock. The
    /// step is the one of the scenario's devices (their period and T0).
    pub fn to_position_in_step(&mut self, seconds: u64) {
        let (period_ms, t0_ms) = self.device_step();
        let now = self.now().unix_millis();
        let mut t = now - (now.saturating_sub(t0_ms)) % period_ms + seconds * 1000;
        if t < now {
            t += period_ms;
        }
        self.advance(Duration::from_millis(t - now));
    }

    /// Delays the next SMS by `span`.
    pub fn delay_next_sms(&mut self, span: Duration) {
        self.next_sms_delay = Some(span);
    }

    /// The time step the scenario's devices share, as (period, T0) in milliseconds.
    fn device_step(&self) -> (u64, u64) {
        let steps: BTreeSet<(u64, u64)> = self
            .sim
            .totp_displays()
            .map(|d| (d.totp().period().seconds() * 1000, d.totp().t0() * 1000))
            .collect();
        let mut each = steps.iter();
        match (each.next(), each.next()) {
            (Some(&step), None) => step,
            (None, _) => no_answer("the scenario has no TOTP device yet, so there is no time step to be in"),
            (Some(_), Some(_)) => {
                no_answer(format!("the scenario's devices step differently (period, T0 in ms): {steps:?}"))
            }
        }
    }
}
