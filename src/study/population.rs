//! The population engine: daily logins of many hardware tokens under several verification
//! policies at once, without an event queue.
//!
//! It uses the simulator's parts (tokens from [`TokenSpec::batch`], so the same clocks, drift
//! distributions and random streams as [`crate::sim::Sim`]; [`Latency`] for the user's
//! look-and-type time) but replaces the event queue by a loop over days: on each login day
//! every token's user looks at the token once (time of day from the token's `Schedule`
//! stream, typing time from its `User` stream) and each policy verifies what they type,
//! retrying with the next code after a rejection. Work is day-major within a cohort, so in
//! exact mode one batch-engine call computes a window position's codes for every token of
//! the cohort that needs one (a shown step that is the window's first candidate matches
//! without computing: its code is the shown code).

use rand::RngExt;
use rand_chacha::ChaCha12Rng;

use super::StudyError;
use super::policy::{Check, Lock, StudyPolicy, TokenState};
use super::setting::{Mode, ResyncRule, Setting};
use crate::clock::{DeviceClock, SimTime};
use crate::otp::batch::{BatchEngine, KeySet};
use crate::otp::{Code, Digits, KeyedHmac};
use crate::sim::{Concern, HardToken, Latency, Streams, TokenSpec};

/// Milliseconds in a day.
pub const DAY_MILLIS: u64 = 86_400_000;

/// Who logs in, when and how: the population side of a drift study.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LoginSchedule {
    /// First day of the study (the server imports every token then).
    pub epoch: SimTime,
    /// Days simulated.
    pub days: u32,
    /// A login every this many days.
    pub every_days: u32,
    /// From looking at the token to pressing submit.
    pub look_and_type: Latency,
    /// Codes a user tries per login (waiting for the next code after a rejection).
    pub attempts_per_login: u32,
    /// Failed logins in a row after which a user without self-service resync calls support.
    pub support_after_failed_logins: u32,
}

/// What one login came to, under one setting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoginOutcome {
    /// The first code was accepted.
    pub first_try: bool,
    /// Some code was accepted.
    pub accepted: bool,
    /// Codes entered.
    pub attempts: u32,
    /// Codes rejected.
    pub rejections: u32,
    /// The login locked the account.
    pub locked_out: bool,
    /// The account was still locked when the user came to log in.
    pub blocked: bool,
    /// A self-service resync followed.
    pub resynced: bool,
    /// Support reset the token.
    pub support_reset: bool,
}

/// Receives the logins' outcomes, one day and setting at a time.
pub trait Observer {
    /// `outcomes[i]` is token `first + i` (index in the run) under setting `setting` on day
    /// `day`.
    fn day(&mut self, first: u64, setting: usize, day: u32, outcomes: &[LoginOutcome]);
}

/// A cohort of tokens run together (one chunk of a study).
pub struct Cohort {
    first: u64,
    members: Vec<Member>,
    keys: Option<KeySet>,
    digits: Digits,
    period_ms: u64,
    t0_ms: u64,
}

impl Cohort {
    /// Manufactures tokens `first..first+count` of `spec` under `seed` (as
    /// [`TokenSpec::batch`] does) with their users' streams; `mode` Exact also packs their
    /// keys for the batch engine.
    ///
    /// # Errors
    /// [`StudyError::Sim`] for a bad token spec.
    pub fn new(
        spec: &TokenSpec,
        seed: u64,
        epoch: SimTime,
        first: u64,
        count: u64,
        mode: Mode,
    ) -> Result<Cohort, StudyError> {
        let streams = Streams::new(seed);
        let tokens = spec.batch(streams, epoch, first, count)?;
        let keys = (mode == Mode::Exact).then(|| {
            tokens.iter().map(|t| KeyedHmac::new(&t.seed().secret, t.seed().algorithm)).collect::<KeySet>()
        });
        let members = tokens.into_iter().map(|t| Member::new(t, streams)).collect();
        Ok(Cohort {
            first,
            members,
            keys,
            digits: spec.digits,
            period_ms: spec.period.seconds().saturating_mul(1000),
            t0_ms: spec.t0.saturating_mul(1000),
        })
    }

    /// The clocks of the cohort's tokens, in order.
    pub fn clocks(&self) -> impl Iterator<Item = &DeviceClock> {
        self.members.iter().map(|m| &m.clock)
    }

    /// Runs the schedule under every setting, reporting each login to `observer`.
    ///
    /// # Errors
    /// [`StudyError::Batch`] if the batch engine refuses a call (cannot happen with the
    /// lengths used here).
    pub fn run(
        mut self,
        schedule: &LoginSchedule,
        settings: &[Setting],
        engine: &BatchEngine,
        observer: &mut dyn Observer,
    ) -> Result<(), StudyError> {
        let n = self.members.len();
        let mut accounts = vec![Account::default(); n * settings.len()];
        let mut lookup = Lookup::new(n, self.digits);
        let mut first_read = vec![0u64; n];
        let mut first_step = vec![0u64; n];
        let mut typing = vec![0u64; n];
        let mut pending: Vec<Attempt> = Vec::with_capacity(n);
        let mut next: Vec<Attempt> = Vec::with_capacity(n);
        let mut outcomes = vec![LoginOutcome::default(); n];
        let every = schedule.every_days.max(1);
        for day in (0..schedule.days).step_by(every as usize) {
            let midnight = schedule.epoch.unix_millis().saturating_add(u64::from(day) * DAY_MILLIS);
            for (i, m) in self.members.iter_mut().enumerate() {
                first_read[i] = midnight + m.schedule.random_range(0..DAY_MILLIS);
                typing[i] =
                    schedule.look_and_type.sample(&mut m.user).as_millis().min(u128::from(u64::MAX)) as u64;
            }
            for i in 0..n {
                first_step[i] = self.device_step(i, first_read[i]);
            }
            for (j, setting) in settings.iter().enumerate() {
                pending.clear();
                for i in 0..n {
                    outcomes[i] = LoginOutcome::default();
                    let account = &accounts[i * settings.len() + j];
                    if setting.policy.is_locked(&account.lock, first_read[i]) {
                        outcomes[i].blocked = true;
                        continue;
                    }
                    let read = (first_read[i], first_step[i]);
                    pending.push(self.attempt(i, read, typing[i], account, &setting.policy));
                }
                for round in 0..schedule.attempts_per_login.max(1) {
                    if pending.is_empty() {
                        break;
                    }
                    lookup.resolve(&pending, &setting.policy, self.keys.as_ref(), engine)?;
                    next.clear();
                    for (a, matched) in pending.iter().zip(&lookup.matched) {
                        let account = &mut accounts[a.token * settings.len() + j];
                        let out = &mut outcomes[a.token];
                        out.attempts += 1;
                        match setting.policy.decide(&mut account.state, a.server_step, *matched) {
                            Check::Accepted { .. } => {
                                out.accepted = true;
                                out.first_try = round == 0;
                                setting.policy.succeed(&mut account.lock);
                                account.failed_logins = 0;
                                continue;
                            }
                            Check::OutsideWindow | Check::Replayed => {}
                        }
                        out.rejections += 1;
                        let policy = &setting.policy;
                        if policy.fail(&mut account.lock, a.submit) {
                            out.locked_out = true;
                        } else if round + 1 < schedule.attempts_per_login {
                            let at = self.next_code_time(a);
                            let read = (at, self.device_step(a.token, at));
                            next.push(self.attempt(a.token, read, typing[a.token], account, policy));
                            continue;
                        }
                        self.after_failed_login(a, account, setting, schedule, out);
                    }
                    std::mem::swap(&mut pending, &mut next);
                }
                observer.day(self.first, j, day, &outcomes);
            }
        }
        Ok(())
    }

    /// The code read at true time `read.0`, of device step `read.1`, submitted after typing.
    fn attempt(
        &self,
        token: usize,
        read: (u64, u64),
        typing: u64,
        account: &Account,
        policy: &StudyPolicy,
    ) -> Attempt {
        let (read, device_step) = read;
        let submit = read.saturating_add(typing);
        let server_step = submit.saturating_sub(self.t0_ms) / self.period_ms;
        Attempt {
            token,
            device_step,
            submit,
            server_step,
            center: policy.center(&account.state, server_step),
        }
    }

    /// The step the token shows at true time `ms`.
    fn device_step(&self, token: usize, ms: u64) -> u64 {
        let reading = self.members[token].clock.reading(SimTime::from_unix_millis(ms)).unix_millis();
        u64::try_from(reading).unwrap_or(0).saturating_sub(self.t0_ms) / self.period_ms
    }

    /// When the user, rejected, reads the token's next code: at submit if it already shows a
    /// newer step, else when it reaches the next step. The device's offset at submit time is
    /// used for that instant (it changes by microseconds within a step); one millisecond of
    /// slack makes sure the new step is showing.
    fn next_code_time(&self, a: &Attempt) -> u64 {
        let clock = &self.members[a.token].clock;
        let ahead =
            clock.reading(SimTime::from_unix_millis(a.submit)).ahead_of(SimTime::from_unix_millis(a.submit));
        let boundary = (a.device_step + 1).saturating_mul(self.period_ms).saturating_add(self.t0_ms);
        let est = i128::from(boundary) - i128::from(ahead) + 1;
        a.submit.max(u64::try_from(est).unwrap_or(0))
    }

    fn after_failed_login(
        &self,
        a: &Attempt,
        account: &mut Account,
        setting: &Setting,
        schedule: &LoginSchedule,
        out: &mut LoginOutcome,
    ) {
        account.failed_logins += 1;
        // The user resyncs with the code they last saw and the next one, submitted a step
        // later; a locked account cannot resync (the reference answers "locked").
        let policy = &setting.policy;
        if setting.resync == ResyncRule::SelfService
            && !policy.is_locked(&account.lock, a.submit)
            && policy.resync(&mut account.state, a.server_step.saturating_add(1), a.device_step)
        {
            out.resynced = true;
            policy.succeed(&mut account.lock);
            account.failed_logins = 0;
            return;
        }
        if account.failed_logins >= schedule.support_after_failed_logins.max(1) {
            out.support_reset = true;
            account.state = TokenState {
                drift: super::policy::step_difference(a.device_step, a.server_step),
                last_step: Some(a.device_step),
            };
            account.lock = Lock::default();
            account.failed_logins = 0;
        }
    }
}

/// One token and its user's random streams.
struct Member {
    clock: DeviceClock,
    schedule: ChaCha12Rng,
    user: ChaCha12Rng,
}

impl Member {
    fn new(token: HardToken, streams: Streams) -> Member {
        let serial = token.serial().to_owned();
        Member {
            clock: token.clock().clone(),
            schedule: streams.stream(&serial, Concern::Schedule),
            user: streams.stream(&serial, Concern::User),
        }
    }
}

/// What the server keeps per (token, setting), and what the user's history adds.
#[derive(Clone, Copy, Debug, Default)]
struct Account {
    state: TokenState,
    lock: Lock,
    failed_logins: u32,
}

/// One code entered: read at some time, shown for `device_step`, submitted at `submit`.
#[derive(Clone, Copy, Debug)]
struct Attempt {
    token: usize,
    device_step: u64,
    submit: u64,
    server_step: u64,
    center: u64,
}

/// Resolves a round of attempts to the window step each code matches.
struct Lookup {
    matched: Vec<Option<u64>>,
    shown: Vec<Code>,
    candidate: Vec<Code>,
    steps: Vec<u64>,
    open: Vec<usize>,
    digits: Digits,
}

impl Lookup {
    fn new(capacity: usize, digits: Digits) -> Lookup {
        Lookup {
            matched: Vec::with_capacity(capacity),
            shown: Vec::new(),
            candidate: Vec::new(),
            steps: Vec::new(),
            open: Vec::new(),
            digits,
        }
    }

    /// Fills `matched` for `attempts`: step arithmetic without keys, real codes with them
    /// (the first window offset in [`crate::otp::Window::offsets`] order whose code equals the
    /// shown one, as the reference service's lookup takes it).
    fn resolve(
        &mut self,
        attempts: &[Attempt],
        policy: &StudyPolicy,
        keys: Option<&KeySet>,
        engine: &BatchEngine,
    ) -> Result<(), StudyError> {
        self.matched.clear();
        let Some(keys) = keys else {
            self.matched.extend(attempts.iter().map(|a| policy.analytic_match(a.center, a.device_step)));
            return Ok(());
        };
        self.matched.resize(attempts.len(), None);
        // The code of the shown step is the shown code: when that step comes up in the window
        // before any other, it matches with nothing computed. Every other comparison uses real
        // codes, so chance collisions count exactly as if every window code were computed.
        let window = policy.window();
        let first = window.offsets().next().unwrap_or(0);
        self.open.clear();
        for (i, a) in attempts.iter().enumerate() {
            if a.center.checked_add_signed(first) == Some(a.device_step) {
                self.matched[i] = Some(a.device_step);
            } else {
                self.open.push(i);
            }
        }
        if self.open.is_empty() {
            return Ok(());
        }
        let refs: Vec<&KeyedHmac> = self.open.iter().map(|&i| &keys.keys()[attempts[i].token]).collect();
        self.steps.clear();
        self.steps.extend(self.open.iter().map(|&i| attempts[i].device_step));
        // Placeholder codes, overwritten by the engine. `from_value(0, _)` cannot fail.
        let blank = Code::from_value(0, self.digits)?;
        self.shown.clear();
        self.shown.resize(self.open.len(), blank);
        engine.codes(&refs, &self.steps, self.digits, &mut self.shown)?;
        let mut batch_refs: Vec<&KeyedHmac> = Vec::with_capacity(self.open.len());
        let mut batch: Vec<usize> = Vec::with_capacity(self.open.len());
        for offset in window.offsets() {
            batch_refs.clear();
            batch.clear();
            self.steps.clear();
            for (k, &i) in self.open.iter().enumerate() {
                let a = &attempts[i];
                let Some(step) = a.center.checked_add_signed(offset) else { continue };
                if self.matched[i].is_some() {
                    continue;
                }
                if step == a.device_step {
                    self.matched[i] = Some(step);
                } else {
                    batch_refs.push(refs[k]);
                    batch.push(k);
                    self.steps.push(step);
                }
            }
            self.candidate.clear();
            self.candidate.resize(batch.len(), blank);
            engine.codes(&batch_refs, &self.steps, self.digits, &mut self.candidate)?;
            for (b, &k) in batch.iter().enumerate() {
                if self.candidate[b] == self.shown[k] {
                    self.matched[self.open[k]] = Some(self.steps[b]);
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{DEFAULT_EPOCH, Drift};
    use crate::otp::Window;
    use crate::reference::Policy;

    struct Log(Vec<(u32, usize, LoginOutcome)>);

    impl Observer for Log {
        fn day(&mut self, _first: u64, setting: usize, day: u32, outcomes: &[LoginOutcome]) {
            self.0.extend(outcomes.iter().map(|o| (day, setting, *o)));
        }
    }

    fn schedule(days: u32) -> LoginSchedule {
        LoginSchedule {
            epoch: DEFAULT_EPOCH,
            days,
            every_days: 1,
            look_and_type: Latency::Fixed { delay: std::time::Duration::from_secs(5) },
            attempts_per_login: 3,
            support_after_failed_logins: 2,
        }
    }

    fn run(drift: Drift, days: u32, settings: &[Setting], mode: Mode) -> Vec<(u32, usize, LoginOutcome)> {
        let spec = TokenSpec::exact(drift);
        let cohort = Cohort::new(&spec, 1, DEFAULT_EPOCH, 0, 4, mode).unwrap();
        let mut log = Log(Vec::new());
        cohort.run(&schedule(days), settings, &BatchEngine::detect(), &mut log).unwrap();
        log.0
    }

    fn setting(window: u64, tracking: bool, resync: ResyncRule) -> Setting {
        let max_drift_steps = if tracking { Policy::default().max_drift_steps } else { 0 };
        Setting {
            policy: StudyPolicy::from(Policy {
                window: Window::symmetric(window),
                max_drift_steps,
                ..Policy::default()
            }),
            resync,
        }
    }

    #[test]
    fn a_perfect_token_is_accepted_first_time_every_day() {
        for mode in [Mode::Analytic, Mode::Exact] {
            let log = run(Drift::ZERO, 60, &[setting(1, false, ResyncRule::Support)], mode);
            assert_eq!(log.len(), 4 * 60);
            assert!(log.iter().all(|(_, _, o)| o.first_try && o.attempts == 1), "{mode:?}");
        }
    }

    #[test]
    fn a_fast_token_without_tracking_fails_until_support_resets_it() {
        // +100 ppm: 8.64 s a day; a code read 5 s before submit can fall two steps ahead once
        // the token is more than 35 s fast, after 4 to 5 days.
        let log = run(Drift::from_ppm(100), 30, &[setting(1, false, ResyncRule::Support)], Mode::Analytic);
        let first_failure = log.iter().find(|(_, _, o)| !o.accepted).map(|(d, _, _)| *d).unwrap();
        assert!((4..=5).contains(&first_failure), "first failure on day {first_failure}");
        assert!(log.iter().any(|(_, _, o)| o.support_reset));
        assert!(log.iter().all(|(_, _, o)| !o.resynced));
    }

    #[test]
    fn tracking_follows_the_same_token_without_help() {
        let log = run(Drift::from_ppm(100), 30, &[setting(1, true, ResyncRule::Support)], Mode::Exact);
        assert!(
            log.iter().all(|(_, _, o)| o.accepted && !o.support_reset),
            "{:?}",
            log.iter().find(|l| !l.2.accepted)
        );
    }

    #[test]
    fn self_resync_fixes_a_failed_login_at_once() {
        let log =
            run(Drift::from_ppm(100), 30, &[setting(1, false, ResyncRule::SelfService)], Mode::Analytic);
        let failed: Vec<_> = log.iter().filter(|(_, _, o)| !o.accepted).collect();
        assert!(!failed.is_empty());
        assert!(failed.iter().all(|(_, _, o)| o.resynced && o.attempts == 3 && o.rejections == 3));
    }

    #[test]
    fn consecutive_failures_reaching_the_threshold_lock_the_account() {
        let mut s = setting(1, false, ResyncRule::Support);
        s.policy.reference.lockout_threshold = 2;
        let log = run(Drift::from_ppm(100), 30, &[s], Mode::Analytic);
        let locked = log.iter().find(|(_, _, o)| o.locked_out).expect("a lockout");
        assert_eq!((locked.2.attempts, locked.2.rejections), (2, 2));
    }
}
