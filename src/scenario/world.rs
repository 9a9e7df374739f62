//! `MfaWorld`: one scenario's state. It owns simulated time (the only "now"), the cast's
//! devices, sessions, open prompts and SMS inbox, and every call to the target, so steps stay
//! one or two lines. Time only moves when a step says so; nothing sleeps.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use rand::RngExt;

use super::fault::{mismatch, no_answer};
use super::params::{Attempt, CodeWords, DeviceWord, Expect};
use crate::clock::{DeviceClock, Drift, SimTime};
use crate::otp::{Algorithm, Code, Digits, OtpAuthUri, Period, Secret};
use crate::protocol::{
    BindingId, ChallengeId, DeviceKind, Enrolment, Method, MethodSet, PolicyFacts, RejectReason, SessionId,
    Verdict,
};
use crate::provision::TokenSeed;
use crate::sim::{AuthenticatorApp, Concern, HardToken, Screen, Streams};
use crate::sut::{Answer, Target};

/// How long an SMS takes unless a step says otherwise: the median of the simulator's default
/// channel. Conformance runs use a fixed delay, never the random channel, so no seed can make
/// a correct server miss an SMS.
pub const DEFAULT_SMS_DELAY: Duration = Duration::from_secs(4);

/// Everything a scenario needs before its first step: the target and the seed.
#[derive(Clone)]
pub struct ScenarioSetup {
    /// The target, reset for this scenario.
    pub target: Arc<dyn Target>,
    /// The scenario's own seed, derived from the run seed and the scenario id.
    pub seed: u64,
    /// Simulated time at the first step.
    pub start: SimTime,
}

/// An open prompt a person must answer next.
#[derive(Clone, Debug)]
pub enum Prompt {
    /// A second-factor or identity challenge.
    Challenge {
        /// Its handle.
        challenge: ChallengeId,
        /// What may answer it.
        methods: MethodSet,
        /// The flow it belongs to.
        purpose: Attempt,
    },
    /// A confirmation box.
    Confirm {
        /// Its handle.
        challenge: ChallengeId,
        /// The flow it belongs to.
        purpose: Attempt,
    },
    /// An open binding.
    Binding {
        /// The flow it belongs to (a binding opened by a sign-in or operation redirect
        /// completes that sign-in or operation).
        purpose: Attempt,
        /// Its handle.
        binding: BindingId,
        /// Device kind.
        kind: DeviceKind,
        /// URI and QR code, for virtual devices.
        enrolment: Option<Enrolment>,
    },
}

/// An SMS on its way to, or on, a phone.
#[derive(Clone, Debug)]
pub struct Delivery {
    /// The code it carries.
    pub code: String,
    /// When it reaches the phone.
    pub delivered_at: SimTime,
}

/// One member of the cast.
#[derive(Clone, Debug)]
pub struct Person {
    /// Account password (the harness made it up; never printed).
    pub password: String,
    /// Where this person usually signs in from.
    pub origin: String,
    /// The secure phone number, if bound.
    pub phone: Option<String>,
    /// The authenticator app, once enrolled.
    pub app: Option<AuthenticatorApp>,
    /// The phone's clock (the app's time).
    pub phone_clock: DeviceClock,
    /// Serial of the hardware token this person holds.
    pub hardware: Option<String>,
    /// Devices this person can no longer read.
    pub lost: BTreeSet<DeviceWord>,
    /// Accounts whose password this person knows besides their own.
    pub stolen: BTreeSet<String>,
    /// The account this person acted on last (their own, or a victim's).
    pub acting_as: Option<String>,
    /// The signed-in session.
    pub session: Option<SessionId>,
    /// The prompt to answer next.
    pub prompt: Option<Prompt>,
    /// The last code entered, with its method.
    pub last_code: Option<(Method, String)>,
    /// SMS sent to this person's phone.
    pub inbox: Vec<Delivery>,
    /// The enrolment scanned from a QR code.
    pub scanned: Option<OtpAuthUri>,
}

/// The last verdict a step got, who got it and which kinds of attempt it answers.
#[derive(Clone, Debug)]
pub struct Last {
    /// The person who acted.
    pub actor: String,
    /// What kinds of attempt this verdict is for (an answer in an unbinding flow is both a
    /// `code` and an `unbinding`).
    pub kinds: Vec<Attempt>,
    /// The verdict.
    pub verdict: Verdict,
}

/// One scenario's world.
#[derive(cucumber::World)]
#[world(init = Self::blank)]
pub struct MfaWorld {
    setup: Option<ScenarioSetup>,
    now: SimTime,
    start: SimTime,
    people: BTreeMap<String, Person>,
    tokens: BTreeMap<String, HardToken>,
    next_sms_delay: Option<Duration>,
    last: Option<Last>,
    crowd: Vec<Verdict>,
    transcript: Vec<String>,
}

impl fmt::Debug for MfaWorld {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MfaWorld")
            .field("now", &self.now)
            .field("people", &self.people.keys().collect::<Vec<_>>())
            .field("last", &self.last.as_ref().map(|l| l.verdict.to_string()))
            .finish_non_exhaustive()
    }
}

impl MfaWorld {
    fn blank() -> Self {
        MfaWorld {
            setup: None,
            now: SimTime::from_unix_millis(0),
            start: SimTime::from_unix_millis(0),
            people: BTreeMap::new(),
            tokens: BTreeMap::new(),
            next_sms_delay: None,
            last: None,
            crowd: Vec::new(),
            transcript: Vec::new(),
        }
    }

    /// Prepares the world for one scenario (the runner's before hook).
    pub fn set_up(&mut self, setup: ScenarioSetup) {
        self.now = setup.start;
        self.start = setup.start;
        self.setup = Some(setup);
        let reset = self.target().reset();
        if let Err(e) = reset {
            no_answer(format!("resetting the target: {e}"));
        }
    }

    /// Simulated time this scenario covered so far.
    pub fn simulated(&self) -> Duration {
        self.now.saturating_since(self.start)
    }

    /// The target.
    pub fn target(&self) -> Arc<dyn Target> {
        match &self.setup {
            Some(s) => s.target.clone(),
            None => no_answer("the scenario has no target (the runner's before hook did not run)"),
        }
    }

    /// The current simulated time.
    pub fn now(&self) -> SimTime {
        self.now
    }

    fn streams(&self) -> Streams {
        Streams::new(self.setup.as_ref().map_or(0, |s| s.seed))
    }

    /// The target's declared policy numbers.
    pub fn facts(&self) -> PolicyFacts {
        self.target().policy_facts()
    }

    // ---- time ------------------------------------------------------------------------------

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

    // ---- cast ------------------------------------------------------------------------------

    /// Adds a person (with or without an account on the target).
    pub fn add_person(&mut self, name: &str) -> &mut Person {
        let password = {
            let mut rng = self.streams().stream(name, Concern::User);
            format!("pw-{:016x}", rng.random::<u64>())
        };
        let clock = DeviceClock::free_running(self.now, 0, Drift::ZERO);
        self.people.entry(name.to_owned()).or_insert(Person {
            password,
            origin: format!("{}-home", name.to_lowercase()),
            phone: None,
            app: None,
            phone_clock: clock,
            hardware: None,
            lost: BTreeSet::new(),
            stolen: BTreeSet::new(),
            acting_as: None,
            session: None,
            prompt: None,
            last_code: None,
            inbox: Vec::new(),
            scanned: None,
        })
    }

    /// A declared person.
    pub fn person(&self, name: &str) -> &Person {
        self.people.get(name).unwrap_or_else(|| {
            no_answer(format!("{name} was never introduced (add a Given that declares them)"))
        })
    }

    /// A declared person, to change.
    pub fn person_mut(&mut self, name: &str) -> &mut Person {
        self.people.get_mut(name).unwrap_or_else(|| {
            no_answer(format!("{name} was never introduced (add a Given that declares them)"))
        })
    }

    /// The password `actor` uses for `account`.
    pub fn password_for(&self, actor: &str, account: &str) -> String {
        let known = actor == account || self.person(actor).stolen.contains(account);
        if !known {
            no_answer(format!("{actor} does not know {account}'s password"));
        }
        self.person(account).password.clone()
    }

    /// A fresh key for a person's or token's device, from the scenario's streams.
    pub fn fresh_secret(&self, entity: &str) -> Secret {
        let mut rng = self.streams().stream(entity, Concern::Seed);
        let bytes: Vec<u8> = (0..20).map(|_| rng.random::<u8>()).collect();
        // Twenty bytes are never empty.
        Secret::from_bytes(bytes).expect("non-empty key")
    }

    /// Gives `name` an authenticator app holding `secret`, on the person's phone clock.
    pub fn enrol_app(&mut self, name: &str, uri: &OtpAuthUri) {
        let app =
            AuthenticatorApp::from_uri(uri).unwrap_or_else(|e| no_answer(format!("enrolling the app: {e}")));
        self.person_mut(name).app = Some(app);
    }

    /// The otpauth URI an app holding `secret` would have scanned.
    pub fn uri_for(name: &str, secret: Secret) -> OtpAuthUri {
        OtpAuthUri::console_totp("mfa-harness", name, secret)
    }

    /// Adds a physical token with `seed`, clock on time.
    pub fn add_token(&mut self, seed: TokenSeed) {
        let clock = DeviceClock::free_running(self.now, 0, Drift::ZERO);
        self.tokens.insert(seed.serial.clone(), HardToken::from_parts(seed, clock, None));
    }

    /// Makes a physical token `serial` (SHA1, 6 digits, 30 s, fresh key) unless one exists:
    /// a serial never imported is a real token the service does not know.
    pub fn ensure_token(&mut self, serial: &str) {
        if !self.tokens.contains_key(serial) {
            let secret = self.fresh_secret(&format!("token {serial}"));
            self.add_token(TokenSeed {
                serial: serial.to_owned(),
                secret,
                algorithm: Algorithm::Sha1,
                digits: Digits::SIX,
                period: Period::THIRTY_SECONDS,
                t0: 0,
            });
        }
    }

    /// A token by serial.
    pub fn token(&self, serial: &str) -> &HardToken {
        self.tokens
            .get(serial)
            .unwrap_or_else(|| no_answer(format!("no hardware MFA device {serial:?} was made")))
    }

    /// Makes a token's clock run at `ppm` from now on, keeping the offset it has.
    pub fn set_token_rate(&mut self, serial: &str, ppm: i64) {
        let now = self.now;
        let token = self.tokens.get_mut(serial).unwrap_or_else(|| no_answer(format!("no token {serial:?}")));
        let offset = token.clock().reading(now).ahead_of(now);
        *token.clock_mut() = DeviceClock::free_running(now, offset, Drift::from_ppm(ppm));
    }

    /// Sets a person's phone clock `offset_ms` from true time, from now on.
    pub fn set_phone_offset(&mut self, name: &str, offset_ms: i64) {
        let now = self.now;
        self.person_mut(name).phone_clock = DeviceClock::free_running(now, offset_ms, Drift::ZERO);
    }

    // ---- codes -----------------------------------------------------------------------------

    /// What a person's device shows now.
    pub fn device_code(&self, name: &str, device: DeviceWord) -> Code {
        let person = self.person(name);
        if person.lost.contains(&device) {
            no_answer(format!("{name} has lost that device and cannot read it"));
        }
        let screen = match device {
            DeviceWord::Virtual => {
                let app = person
                    .app
                    .as_ref()
                    .unwrap_or_else(|| no_answer(format!("{name} has no authenticator app")));
                app.screen(person.phone_clock.reading(self.now))
            }
            DeviceWord::Hardware => {
                let serial = person
                    .hardware
                    .as_deref()
                    .unwrap_or_else(|| no_answer(format!("{name} holds no hardware token")));
                self.token(serial).screen(self.now)
            }
        };
        screen_code(screen, name)
    }

    /// What a token shows now.
    pub fn token_code(&self, serial: &str) -> Code {
        screen_code(self.token(serial).screen(self.now), serial)
    }

    /// The code `offset` steps from the one a person's device shows now (what the device
    /// showed before, or will show next), by the device's own clock.
    pub fn device_code_at(&self, name: &str, device: DeviceWord, offset: i64) -> Code {
        let person = self.person(name);
        let (totp, reading) = match device {
            DeviceWord::Virtual => {
                let app = person
                    .app
                    .as_ref()
                    .unwrap_or_else(|| no_answer(format!("{name} has no authenticator app")));
                (app.totp(), person.phone_clock.reading(self.now))
            }
            DeviceWord::Hardware => {
                let serial = person
                    .hardware
                    .as_deref()
                    .unwrap_or_else(|| no_answer(format!("{name} holds no hardware token")));
                let token = self.token(serial);
                (token.totp(), token.clock().reading(self.now))
            }
        };
        step_code(totp, reading, offset, name)
    }

    /// The code `offset` steps from the one token `serial` shows now.
    pub fn token_code_at(&self, serial: &str, offset: i64) -> Code {
        let token = self.token(serial);
        step_code(token.totp(), token.clock().reading(self.now), offset, serial)
    }

    /// How long until `name`'s device shows its next code.
    pub fn until_next_code(&self, name: &str, device: DeviceWord) -> Duration {
        let person = self.person(name);
        match device {
            DeviceWord::Virtual => {
                let app = person
                    .app
                    .as_ref()
                    .unwrap_or_else(|| no_answer(format!("{name} has no authenticator app")));
                until_step_end(person.phone_clock.reading(self.now), app.totp())
            }
            DeviceWord::Hardware => {
                let serial =
                    person.hardware.as_deref().unwrap_or_else(|| no_answer(format!("{name} holds no token")));
                self.token_until_next(serial)
            }
        }
    }

    /// How long until token `serial` shows its next code.
    pub fn token_until_next(&self, serial: &str) -> Duration {
        let token = self.token(serial);
        until_step_end(token.clock().reading(self.now), token.totp())
    }

    /// Resolves `{code}` words to digits and the method they answer with.
    pub fn resolve_code(&mut self, actor: &str, words: &CodeWords, serial: Option<&str>) -> (Method, String) {
        match words {
            CodeWords::Device(device) => (method_of(*device), self.device_code(actor, *device).to_string()),
            CodeWords::ItShows => {
                let serial =
                    serial.unwrap_or_else(|| no_answer("\"the code it shows\" needs a device in the step"));
                (Method::HardwareMfa, self.token_code(serial).to_string())
            }
            CodeWords::FirstSms | CodeWords::LatestSms => {
                self.collect_sms();
                let inbox = &self.person(actor).inbox;
                let message = if *words == CodeWords::FirstSms { inbox.first() } else { inbox.last() };
                let message =
                    message.cloned().unwrap_or_else(|| no_answer(format!("{actor} was sent no SMS")));
                if message.delivered_at > self.now {
                    let wait = message.delivered_at - self.now;
                    self.advance(wait);
                }
                (Method::Sms, message.code)
            }
            CodeWords::Wrong => {
                let method = self.prompt_method(actor);
                (method, self.wrong_code(actor, method))
            }
            CodeWords::Again => self
                .person(actor)
                .last_code
                .clone()
                .unwrap_or_else(|| no_answer(format!("{actor} entered no code yet"))),
            CodeWords::UsedBy(other) => self
                .person(other)
                .last_code
                .clone()
                .unwrap_or_else(|| no_answer(format!("{other} entered no code yet"))),
            CodeWords::Literal(digits) => (self.prompt_method(actor), digits.clone()),
        }
    }

    /// The method a made-up code answers the actor's prompt with: the first device method
    /// offered, else SMS, else the password.
    fn prompt_method(&self, actor: &str) -> Method {
        match &self.person(actor).prompt {
            Some(Prompt::Challenge { methods, .. }) => {
                [Method::VirtualMfa, Method::HardwareMfa, Method::Sms, Method::Password]
                    .into_iter()
                    .find(|m| methods.contains(*m))
                    .unwrap_or(Method::VirtualMfa)
            }
            Some(Prompt::Binding { kind: DeviceKind::Hardware, .. }) => Method::HardwareMfa,
            _ => Method::VirtualMfa,
        }
    }

    /// A well-formed code valid nowhere near now for the account's devices and SMS: distinct
    /// on every call, so a run of wrong codes is never a replay of itself.
    fn wrong_code(&mut self, actor: &str, method: Method) -> String {
        if method == Method::Password {
            return "not-the-password".into();
        }
        let account = self.person(actor).acting_as.clone().unwrap_or_else(|| actor.to_owned());
        let mut valid: BTreeSet<u32> = BTreeSet::new();
        let person = self.person(&account);
        let near = |totp: &crate::otp::Totp, reading_secs: u64, valid: &mut BTreeSet<u32>| {
            let step = reading_secs / 30;
            for s in step.saturating_sub(20)..=step + 20 {
                valid.insert(totp.code_for(crate::otp::Step(s)).value());
            }
        };
        if let Some(app) = &person.app {
            near(app.totp(), self.now.unix_secs(), &mut valid);
        }
        if let Some(serial) = &person.hardware {
            let token = self.token(serial);
            let reading = token.clock().reading(self.now).unix_secs().unwrap_or(0);
            near(token.totp(), reading, &mut valid);
        }
        valid.extend(person.inbox.iter().filter_map(|d| d.code.parse::<u32>().ok()));
        let used = self.transcript.len() as u32;
        let mut candidate = (123_457u32.wrapping_mul(used + 1)) % 1_000_000;
        while valid.contains(&candidate) {
            candidate = (candidate + 7_919) % 1_000_000;
        }
        self.log(format!("{actor} makes up a wrong code"));
        format!("{candidate:06}")
    }

    // ---- SMS -------------------------------------------------------------------------------

    /// Fetches what the target sent and schedules delivery to the phones.
    pub fn collect_sms(&mut self) {
        let sent = self.call("collecting SMS", |t, now| t.take_sms(now));
        for message in sent {
            let delay = self.next_sms_delay.take().unwrap_or(DEFAULT_SMS_DELAY);
            let delivered_at = message.sent_at + delay;
            let owner = self.people.iter().find(|(_, p)| p.phone.as_deref() == Some(message.phone.as_str()));
            let Some((name, _)) = owner else {
                no_answer(format!("the target sent an SMS to {} which belongs to nobody", message.phone))
            };
            let name = name.clone();
            let code =
                if message.code.is_empty() { code_in_text(&message.text) } else { message.code.clone() };
            self.log(format!("SMS to {name}, arriving at {delivered_at}"));
            self.person_mut(&name).inbox.push(Delivery { code, delivered_at });
        }
    }

    /// Every SMS the target sent to `name`'s phone so far, arrived or on its way: how many
    /// a server sends is its behaviour; when they arrive is the simulated network's.
    pub fn sms_sent_to(&mut self, name: &str) -> Vec<Delivery> {
        self.collect_sms();
        self.person(name).inbox.clone()
    }

    // ---- calls and verdicts ----------------------------------------------------------------

    /// Calls the target at the current time; no answer is a harness error naming `what`.
    pub fn call<T>(&mut self, what: &str, f: impl FnOnce(&dyn Target, SimTime) -> Answer<T>) -> T {
        let target = self.target();
        match f(target.as_ref(), self.now) {
            Ok(value) => value,
            Err(e) => no_answer(format!("{what} at {}: {e}", self.now)),
        }
    }

    /// Records a verdict: the person's session and prompt follow it.
    pub fn remember(&mut self, actor: &str, kinds: Vec<Attempt>, verdict: Verdict) {
        let purpose = kinds.last().copied().unwrap_or(Attempt::Code);
        self.log(format!("{actor}: {verdict}"));
        let person = self.person_mut(actor);
        match &verdict {
            Verdict::Accepted { session: Some(s) } => {
                person.session = Some(*s);
                person.prompt = None;
            }
            Verdict::Accepted { session: None } => person.prompt = None,
            Verdict::ChallengeRequired { challenge, methods } => {
                person.prompt = Some(Prompt::Challenge { challenge: *challenge, methods: *methods, purpose })
            }
            Verdict::ConfirmRequired { challenge } => {
                person.prompt = Some(Prompt::Confirm { challenge: *challenge, purpose })
            }
            Verdict::BindingOpen { binding, kind, enrolment } => {
                person.prompt = Some(Prompt::Binding {
                    purpose,
                    binding: *binding,
                    kind: *kind,
                    enrolment: enrolment.clone(),
                })
            }
            Verdict::Rejected { .. } | Verdict::SmsSent => {}
        }
        self.last = Some(Last { actor: actor.to_owned(), kinds, verdict });
        self.collect_sms();
    }

    /// The last verdict.
    pub fn last(&self) -> &Last {
        self.last.as_ref().unwrap_or_else(|| no_answer("no action was taken yet"))
    }

    /// The verdicts of the last "at once" step.
    pub fn crowd(&self) -> &[Verdict] {
        &self.crowd
    }

    /// Stores the verdicts of an "at once" step.
    pub fn set_crowd(&mut self, verdicts: Vec<Verdict>) {
        self.log(format!("{} parallel answers", verdicts.len()));
        self.crowd = verdicts;
    }

    /// Signs `actor` in to `account` if they have no session; a second-factor prompt on the
    /// way is a harness error, because the scenario should spell that sign-in out.
    pub fn ensure_session(&mut self, actor: &str) -> SessionId {
        if let Some(s) = self.person(actor).session {
            return s;
        }
        let account = self.person(actor).acting_as.clone().unwrap_or_else(|| actor.to_owned());
        let password = self.password_for(actor, &account);
        let origin = self.person(actor).origin.clone();
        let verdict = self.call("signing in", |t, now| t.login(&account, &password, &origin, now));
        match verdict {
            Verdict::Accepted { session: Some(s) } => {
                self.person_mut(actor).session = Some(s);
                s
            }
            other => no_answer(format!(
                "{actor} needs a session for this step, but signing in gave: {other} (write the sign-in out as steps)"
            )),
        }
    }

    /// The actor's open challenge.
    pub fn open_challenge(&self, actor: &str) -> (ChallengeId, MethodSet, Attempt) {
        match &self.person(actor).prompt {
            Some(Prompt::Challenge { challenge, methods, purpose }) => (*challenge, *methods, *purpose),
            other => no_answer(format!("{actor} has no open second-factor prompt (has {other:?})")),
        }
    }

    /// Fails the step unless the last verdict answers `attempt` and meets `expect`.
    pub fn check_outcome(&self, attempt: Attempt, expect: Expect) {
        let last = self.last();
        if !last.kinds.contains(&attempt) {
            no_answer(format!(
                "the step checks a {attempt:?} but the last action was a {:?} ({})",
                last.kinds, last.verdict
            ));
        }
        if !meets(&last.verdict, expect) {
            mismatch(format!("{expect:?}"), last.verdict.to_string(), self.context());
        }
    }

    /// Where and when, for failure messages: seed, simulated time, the last actions.
    pub fn context(&self) -> String {
        let seed = self.setup.as_ref().map_or(0, |s| s.seed);
        let tail: Vec<&str> = self.transcript.iter().rev().take(6).rev().map(String::as_str).collect();
        format!("seed {seed}, at {}; last actions: {}", self.now, tail.join("; "))
    }

    /// Adds a line to the transcript shown on failure.
    pub fn log(&mut self, line: String) {
        self.transcript.push(format!("[{}] {line}", self.now));
    }
}

/// Whether a verdict meets an expected outcome.
pub fn meets(verdict: &Verdict, expect: Expect) -> bool {
    let accepted = matches!(
        verdict,
        Verdict::Accepted { .. }
            | Verdict::SmsSent
            | Verdict::BindingOpen { .. }
            | Verdict::ConfirmRequired { .. }
    );
    let reason = verdict.reject_reason();
    match expect {
        Expect::Accepted => accepted,
        Expect::NotAccepted => !accepted,
        // A code or binding turned down; refusals that never looked at it have their own words.
        Expect::Rejected => reason.is_some_and(|r| !is_refusal(r)),
        Expect::Replay => reason == Some(RejectReason::Replayed),
        Expect::Expired => reason == Some(RejectReason::Expired),
        Expect::LockedOut => reason == Some(RejectReason::LockedOut),
        Expect::NotAllowed => matches!(reason, Some(RejectReason::NotAllowed | RejectReason::NotBeta)),
        Expect::TooSoon => reason == Some(RejectReason::Throttled),
    }
}

/// Rejections that refuse the request without judging the code ("refused as ...").
fn is_refusal(reason: RejectReason) -> bool {
    matches!(
        reason,
        RejectReason::LockedOut | RejectReason::NotAllowed | RejectReason::NotBeta | RejectReason::Throttled
    )
}

/// The method a device answers with.
pub fn method_of(device: DeviceWord) -> Method {
    match device {
        DeviceWord::Virtual => Method::VirtualMfa,
        DeviceWord::Hardware => Method::HardwareMfa,
    }
}

/// The protocol's device kind.
pub fn kind_of(device: DeviceWord) -> DeviceKind {
    match device {
        DeviceWord::Virtual => DeviceKind::Virtual,
        DeviceWord::Hardware => DeviceKind::Hardware,
    }
}

/// Time until a device whose clock reads `reading` shows its next code (its own period and T0).
fn until_step_end(reading: crate::clock::DeviceTime, totp: &crate::otp::Totp) -> Duration {
    let period_ms = (totp.period().seconds() * 1000) as i64;
    let t0_ms = (totp.t0() * 1000) as i64;
    let into = (reading.ahead_of(SimTime::from_unix_millis(0)) - t0_ms).rem_euclid(period_ms);
    Duration::from_millis((period_ms - into) as u64)
}

fn step_code(totp: &crate::otp::Totp, reading: crate::clock::DeviceTime, offset: i64, device: &str) -> Code {
    let step = reading
        .unix_secs()
        .and_then(|secs| totp.step_at(secs).ok())
        .and_then(|s| s.offset(offset))
        .unwrap_or_else(|| no_answer(format!("{device}'s clock is before its T0")));
    totp.code_for(step)
}

fn screen_code(screen: Screen, device: &str) -> Code {
    match screen {
        Screen::Code { code, .. } => code,
        Screen::Blank(reason) => no_answer(format!("{device} shows nothing: {reason:?}")),
    }
}

/// The first run of 6 to 10 digits in an SMS text (for targets that send only text).
fn code_in_text(text: &str) -> String {
    text.split(|c: char| !c.is_ascii_digit())
        .find(|run| (6..=10).contains(&run.len()))
        .unwrap_or_default()
        .to_owned()
}
