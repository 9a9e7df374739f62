//! The run's patience with its target, in real time: an overall deadline (`run --deadline`)
//! and a target-down rule (a few no-answers in a row). A server that accepts connections and
//! never answers would otherwise cost a request timeout per request, one scenario after
//! another, until a CI job is killed and leaves no report.
//!
//! The watchdog wraps every target the runner hands to a scenario ([`Watched`]), so it counts
//! every request, and once it has given up no further request is sent: each call fails at
//! once with the reason, and the scenarios not yet run become errors with it. Any answer in
//! between starts the count again, so a server that answers some requests is never "down",
//! however many others it garbles. A run that stops
//! early still returns its record, so the reports are written.
//!
//! The deadline is the one place a run reads the wall clock: it is the caller's real-time
//! budget, not simulated time. It decides only whether a scenario runs, never its verdict, so
//! a run that finishes before its deadline is byte-identical to a run without one.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::clock::SimTime;
use crate::protocol::{
    AccountView, AuthenticatorEvent, BindingId, Capabilities, ChallengeId, DeviceKind, Method, MethodSet,
    NewUser, Operation, PolicyFacts, Scope, SessionId, SetupDevice, SmsMessage,
};
use crate::provision::TokenSeed;
use crate::sut::{Answer, HttpExchange, Target, TargetError, TargetInfo};

/// Counts no-answers and watches the deadline for one run; shared by all its scenarios.
#[derive(Debug)]
pub struct Watchdog {
    deadline: Option<(Instant, Duration)>,
    down_after: u32,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// No-answers since the last answer.
    in_a_row: u32,
    /// Why the run stopped asking, once it has.
    stopped: Option<String>,
}

impl Watchdog {
    /// A watchdog whose deadline is `deadline` from now (none: no deadline) and which
    /// declares the target down after `down_after` no-answers in a row (0: never).
    pub fn new(deadline: Option<Duration>, down_after: u32) -> Watchdog {
        Watchdog {
            // The caller's real-time budget (see the module documentation).
            deadline: deadline.map(|d| (Instant::now() + d, d)),
            down_after,
            state: Mutex::new(State::default()),
        }
    }

    /// Why no more requests may be sent, if the run has given up.
    pub fn stopped(&self) -> Option<String> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if state.stopped.is_none()
            && let Some((at, budget)) = self.deadline
            && Instant::now() >= at
        {
            state.stopped = Some(format!("the run's deadline ({} s) passed", budget.as_secs_f64()));
        }
        state.stopped.clone()
    }

    /// Counts one target answer: a no-answer adds to the run of them, anything else (a
    /// verdict, or a refusal the target did send) ends it.
    pub fn observe<T>(&self, answer: &Answer<T>) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        match answer {
            Err(e @ TargetError::NoAnswer { .. }) => {
                state.in_a_row += 1;
                if self.down_after > 0 && state.in_a_row >= self.down_after && state.stopped.is_none() {
                    state.stopped = Some(format!(
                        "target down: {} requests in a row got no answer (last: {e})",
                        state.in_a_row
                    ));
                }
            }
            _ => state.in_a_row = 0,
        }
    }

    /// Runs `call` unless the run has given up, and counts its answer.
    fn guard<T>(&self, what: &str, call: impl FnOnce() -> Answer<T>) -> Answer<T> {
        if let Some(reason) = self.stopped() {
            return Err(TargetError::NoAnswer { request: format!("{what} (not sent)"), message: reason });
        }
        let answer = call();
        self.observe(&answer);
        answer
    }
}

/// A target whose every request goes through a [`Watchdog`].
pub struct Watched {
    inner: Arc<dyn Target>,
    watchdog: Arc<Watchdog>,
}

impl Watched {
    /// Wraps `inner`.
    pub fn new(inner: Arc<dyn Target>, watchdog: Arc<Watchdog>) -> Watched {
        Watched { inner, watchdog }
    }
}

impl Target for Watched {
    fn info(&self) -> TargetInfo {
        self.inner.info()
    }

    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }

    fn policy_facts(&self) -> PolicyFacts {
        self.inner.policy_facts()
    }

    fn take_exchanges(&self) -> Vec<HttpExchange> {
        self.inner.take_exchanges()
    }

    fn server_time(&self) -> Answer<Option<SimTime>> {
        // Often answered without a request (a target whose clock the harness sets): only a
        // failure counts, a success does not end a run of no-answers.
        if let Some(reason) = self.watchdog.stopped() {
            let request = "reading the server's clock (not sent)".to_owned();
            return Err(TargetError::NoAnswer { request, message: reason });
        }
        let answer = self.inner.server_time();
        if answer.is_err() {
            self.watchdog.observe(&answer);
        }
        answer
    }

    fn latest_clock(&self) -> Option<(SimTime, String)> {
        self.inner.latest_clock()
    }

    fn server_time_resolution(&self) -> Duration {
        self.inner.server_time_resolution()
    }

    fn reset(&self) -> Answer<()> {
        self.watchdog.guard("reset", || self.inner.reset())
    }

    fn create_user(&self, user: &NewUser, now: SimTime) -> Answer<()> {
        self.watchdog.guard("create user", || self.inner.create_user(user, now))
    }

    fn set_phone(&self, user: &str, phone: &str, now: SimTime) -> Answer<()> {
        self.watchdog.guard("set phone", || self.inner.set_phone(user, phone, now))
    }

    fn set_beta(&self, user: &str, on: bool, now: SimTime) -> Answer<()> {
        self.watchdog.guard("set beta", || self.inner.set_beta(user, on, now))
    }

    fn import_seeds(&self, seeds: &[TokenSeed], now: SimTime) -> Answer<()> {
        self.watchdog.guard("import seeds", || self.inner.import_seeds(seeds, now))
    }

    fn provision_device(&self, user: &str, device: &SetupDevice, now: SimTime) -> Answer<()> {
        self.watchdog.guard("provision device", || self.inner.provision_device(user, device, now))
    }

    fn provision_protection(&self, user: &str, scope: Scope, methods: MethodSet, now: SimTime) -> Answer<()> {
        self.watchdog
            .guard("provision protection", || self.inner.provision_protection(user, scope, methods, now))
    }

    fn account(&self, user: &str, now: SimTime) -> Answer<AccountView> {
        self.watchdog.guard("read account", || self.inner.account(user, now))
    }

    fn authenticator_record(&self, user: &str, now: SimTime) -> Answer<Vec<AuthenticatorEvent>> {
        self.watchdog.guard("read authenticator record", || self.inner.authenticator_record(user, now))
    }

    fn take_sms(&self, now: SimTime) -> Answer<Vec<SmsMessage>> {
        self.watchdog.guard("read SMS", || self.inner.take_sms(now))
    }

    fn login(&self, user: &str, password: &str, origin: &str, now: SimTime) -> Answer {
        self.watchdog.guard("login", || self.inner.login(user, password, origin, now))
    }

    fn request_sms(&self, challenge: ChallengeId, now: SimTime) -> Answer {
        self.watchdog.guard("request SMS", || self.inner.request_sms(challenge, now))
    }

    fn answer(&self, challenge: ChallengeId, method: Method, response: &str, now: SimTime) -> Answer {
        self.watchdog.guard("answer challenge", || self.inner.answer(challenge, method, response, now))
    }

    fn confirm(&self, challenge: ChallengeId, now: SimTime) -> Answer {
        self.watchdog.guard("confirm", || self.inner.confirm(challenge, now))
    }

    fn perform(&self, session: SessionId, operation: Operation, now: SimTime) -> Answer {
        self.watchdog.guard("perform operation", || self.inner.perform(session, operation, now))
    }

    fn set_protection(
        &self,
        session: SessionId,
        user: &str,
        scope: Scope,
        methods: MethodSet,
        now: SimTime,
    ) -> Answer {
        self.watchdog
            .guard("set protection", || self.inner.set_protection(session, user, scope, methods, now))
    }

    fn start_binding(&self, session: SessionId, kind: DeviceKind, now: SimTime) -> Answer {
        self.watchdog.guard("start binding", || self.inner.start_binding(session, kind, now))
    }

    fn finish_virtual_binding(&self, binding: BindingId, first: &str, second: &str, now: SimTime) -> Answer {
        self.watchdog.guard("finish virtual binding", || {
            self.inner.finish_virtual_binding(binding, first, second, now)
        })
    }

    fn finish_hardware_binding(&self, binding: BindingId, serial: &str, code: &str, now: SimTime) -> Answer {
        self.watchdog.guard("finish hardware binding", || {
            self.inner.finish_hardware_binding(binding, serial, code, now)
        })
    }

    fn start_unbinding(&self, session: SessionId, kind: DeviceKind, now: SimTime) -> Answer {
        self.watchdog.guard("start unbinding", || self.inner.start_unbinding(session, kind, now))
    }

    fn resync(
        &self,
        user: &str,
        password: &str,
        kind: DeviceKind,
        first: &str,
        second: &str,
        now: SimTime,
    ) -> Answer {
        self.watchdog.guard("resync", || self.inner.resync(user, password, kind, first, second, now))
    }

    fn support_reset(&self, user: &str, kind: DeviceKind, now: SimTime) -> Answer {
        self.watchdog.guard("support reset", || self.inner.support_reset(user, kind, now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_answer() -> Answer<()> {
        Err(TargetError::NoAnswer {
            request: "POST /v1/login".into(),
            message: "no answer within 300 ms".into(),
        })
    }

    #[test]
    fn three_no_answers_in_a_row_mean_the_target_is_down() {
        let dog = Watchdog::new(None, 3);
        dog.observe(&no_answer());
        dog.observe(&no_answer());
        dog.observe(&Ok(()));
        dog.observe(&no_answer());
        dog.observe(&no_answer());
        assert_eq!(dog.stopped(), None, "an answer in between starts the count again");
        dog.observe(&no_answer());
        assert_eq!(
            dog.stopped().as_deref(),
            Some(
                "target down: 3 requests in a row got no answer (last: POST /v1/login: no answer within 300 ms)"
            )
        );
    }

    #[test]
    fn a_refusal_is_an_answer() {
        let dog = Watchdog::new(None, 1);
        dog.observe::<()>(&Err(TargetError::Refused {
            request: "login".into(),
            message: "unknown user".into(),
        }));
        assert_eq!(dog.stopped(), None);
    }

    #[test]
    fn after_the_deadline_nothing_is_sent() {
        let dog = Watchdog::new(Some(Duration::ZERO), 0);
        let mut sent = false;
        let answer = dog.guard("login", || {
            sent = true;
            Ok(())
        });
        assert!(!sent);
        let Err(TargetError::NoAnswer { request, message }) = answer else { panic!("{answer:?}") };
        assert_eq!(request, "login (not sent)");
        assert_eq!(message, "the run's deadline (0 s) passed");
    }
}
