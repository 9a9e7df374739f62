//! Simulated time as steps move it: time passing, the server clock set, a position in a step.
//! True time is the simulator's clock and only moves forward; the server's clock reads true
//! time unless a step set it ("the server clock reads Unix time 59"). On a target whose clock
//! runs on its own, true time follows that clock and passes for real ([`TargetClock`]), unless
//! only the devices can tell it passed ([`MfaWorld::time_passes`]).

use std::collections::BTreeSet;
use std::time::Duration;

use super::MfaWorld;
use super::clock::TargetClock;
use crate::clock::SimTime;
use crate::scenario::fault::{no_answer, not_applicable};
use crate::sim::{DeviceId, Screen};

/// How late a real wait may end (the thread wakes after the time asked, later on a busy
/// machine): a position in a step aims this much further from the edge it must clear.
const ARRIVAL_ALLOWANCE: Duration = Duration::from_millis(50);

impl MfaWorld {
    /// The server's clock now: the time every call to the target carries.
    pub fn now(&self) -> SimTime {
        let ms = i128::from(self.sim.now().unix_millis()) + i128::from(self.server_ahead_ms);
        SimTime::from_unix_millis(u64::try_from(ms).unwrap_or(0))
    }

    /// "Time passes": lets `span` pass as the scenario means it.
    ///
    /// On a clock the harness sets, true time moves for everyone at once ([`MfaWorld::advance`]).
    /// On one that runs on its own, the server must see the span pass once it holds state of
    /// this scenario that time changes (anything but what [`MfaWorld::configure`] arranged):
    /// real waiting, or not applicable with the seconds it needs. Before that, only the
    /// devices' clocks can tell the span passed, so they live through it, keeping the drift
    /// they gain (a token 20 ppm fast shows the code of about server time + 3,150 s after
    /// 5 years), and the server waits only for what the span changes in its position in the
    /// step, when a step fixed that position: less than one step.
    pub fn time_passes(&mut self, span: Duration) {
        if !matches!(self.clock, TargetClock::Real(_)) || self.server_state_ages {
            self.advance(span);
            return;
        }
        self.sim.devices_live_through(span);
        self.server_missed += span;
        self.log(format!(
            "time passes {} s for the devices; the server holds nothing it changes",
            span.as_secs()
        ));
        if self.position_fixed {
            let (period_ms, _) = self.device_step();
            let shift = u64::try_from(span.as_millis() % u128::from(period_ms)).unwrap_or(0);
            self.advance(Duration::from_millis(shift));
        }
    }

    /// Lets `span` of true time pass (server, phones and tokens alike): at once on a clock the
    /// harness sets, by real waiting on one that runs on its own.
    pub fn advance(&mut self, span: Duration) {
        match &self.clock {
            TargetClock::Set => {
                if let Err(e) = self.sim.advance(span) {
                    no_answer(format!("letting {} s pass: {e}", span.as_secs()));
                }
            }
            TargetClock::Real(real) => {
                real.wait(span).unwrap_or_else(|why| not_applicable(why));
                self.follow_target_clock();
            }
        }
        self.log(format!("time passes {} s", span.as_secs()));
    }

    /// Brings true time up to the target's clock where that runs on its own (real time passed
    /// while the harness worked); nothing to do on a clock the harness sets.
    pub(super) fn follow_target_clock(&mut self) {
        if let TargetClock::Real(real) = &self.clock {
            let t = real.estimate();
            if t > self.sim.now()
                && let Err(e) = self.sim.run_until(t)
            {
                no_answer(format!("following the server's clock to {t}: {e}"));
            }
        }
    }

    /// Before `device`'s code is read on a clock that runs on its own: moves clear of the edges
    /// of the server's and the device's time steps by the clock's uncertainty (plus the time
    /// the call takes), so the code the server sees is the one the scenario means. Where a
    /// step fixed the position in the step, moving would change the scenario: a position too
    /// near an edge is not applicable instead.
    pub(super) fn clear_of_step_edges(&mut self, device: DeviceId) {
        for _ in 0..3 {
            self.follow_target_clock();
            let TargetClock::Real(real) = &self.clock else { return };
            let margin = u64::try_from(self.edge_margin().as_millis()).unwrap_or(u64::MAX);
            let uncertainty = real.uncertainty().as_millis();
            let (period, t0) = self.device_step();
            let server_into = self.sim.now().unix_millis().saturating_sub(t0) % period;
            let display = self.totp_display(device);
            let device_into = match display.screen(self.sim.now()) {
                Screen::Code { millis_left, .. } => {
                    let period = display.totp().period().seconds() * 1000;
                    (period, period.saturating_sub(millis_left))
                }
                Screen::Blank(_) => return,
            };
            let wait = [(period, server_into), device_into]
                .into_iter()
                .map(|(period, into)| match into {
                    into if into < margin => margin - into,
                    into if period - into < margin => period - into + margin,
                    _ => 0,
                })
                .max()
                .unwrap_or(0);
            if wait == 0 {
                return;
            }
            if self.position_fixed {
                not_applicable(format!(
                    "the position in the step lies within {margin} ms of a step edge, and the server's clock is \
                     known only to within {uncertainty} ms"
                ));
            }
            // Not in the transcript: whether a read needed it is luck, and a failure's story
            // must read the same in every run. It counts in the run's real waiting.
            real.clear_edge(Duration::from_millis(wait));
            self.follow_target_clock();
        }
    }

    /// How far from a step edge a code is read: nothing on a clock the harness sets, where
    /// the server judges every call at exactly the time it carries.
    pub(super) fn edge_margin(&self) -> Duration {
        match &self.clock {
            TargetClock::Set => Duration::ZERO,
            TargetClock::Real(real) => real.edge_margin(),
        }
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
        if let TargetClock::Real(_) = self.clock {
            not_applicable(format!("sets the server's clock to {t}, which runs on its own"));
        }
        if let Some((latest, why)) = self.target().latest_clock().filter(|(latest, _)| t > *latest) {
            not_applicable(format!(
                "sets the server's clock to {t}, past the latest it can keep ({latest}): {why}"
            ));
        }
        let ahead = i128::from(t.unix_millis()) - i128::from(self.sim.now().unix_millis());
        self.server_ahead_ms =
            i64::try_from(ahead).unwrap_or_else(|_| no_answer(format!("{t} is out of reach")));
        self.log(format!("server clock set to {t}"));
    }

    /// Moves forward to the next instant `seconds` into a time step of the server's clock. The
    /// step is the one of the scenario's devices (their period and T0).
    ///
    /// On a clock that runs on its own this is waiting, less than one step, for just past the
    /// start of the named second: past it by the clock's edge margin, so the server judges
    /// calls in the step the scenario means, and the devices' positions (skew and drift often
    /// put them a fraction of a second from their own edges) move as little as the clock
    /// allows. A clock known too roughly to stay within the second is not applicable.
    pub fn to_position_in_step(&mut self, seconds: u64) {
        self.follow_target_clock();
        let (period_ms, t0_ms) = self.device_step();
        let within_second = match &self.clock {
            TargetClock::Set => 0,
            TargetClock::Real(real) => {
                let past = self.edge_margin() + ARRIVAL_ALLOWANCE;
                if past >= Duration::from_secs(1) {
                    not_applicable(format!(
                        "{seconds} s into a time step cannot be held within its second: the server's clock is \
                         known only to within {} ms",
                        real.uncertainty().as_millis()
                    ));
                }
                u64::try_from(past.as_millis()).unwrap_or(u64::MAX)
            }
        };
        let now = self.now().unix_millis();
        let mut t = now - (now.saturating_sub(t0_ms)) % period_ms + seconds * 1000 + within_second;
        if t < now {
            t += period_ms;
        }
        self.advance(Duration::from_millis(t - now));
        self.position_fixed = true;
    }

    /// Delays the next SMS by `span`.
    pub fn delay_next_sms(&mut self, span: Duration) {
        self.next_sms_delay = Some(span);
    }

    /// The time step the scenario's devices share, as (period, T0) in milliseconds.
    pub(super) fn device_step(&self) -> (u64, u64) {
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
