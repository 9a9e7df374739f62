//! The simulator: entities, the event loop and the user state machine.

use std::collections::HashMap;
use std::time::Duration;

use rand::RngExt;
use rand_chacha::ChaCha12Rng;

use super::SimError;
use super::channel::{Fate, SmsChannel};
use super::device::{
    AuthenticatorApp, BlankReason, DeliveredSms, HardToken, Phone, PhoneNumber, PhoneSpec, Screen, TokenSpec,
};
use super::queue::EventQueue;
use super::rng::{Concern, Streams};
use super::trace::{Trace, TraceEvent};
use super::user::{Timing, UserProfile};
use crate::clock::{
    DEFAULT_EPOCH, DeviceClock, DeviceTime, Drift, NtpSync, SimTime, VirtualClock, YEAR_MILLIS,
};
use crate::otp::{Code, Digits, OtpAuthUri};

/// A hardware token in a [`Sim`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TokenId(usize);
/// A phone in a [`Sim`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhoneId(usize);
/// An authenticator app account in a [`Sim`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AppId(usize);
/// A user in a [`Sim`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(usize);

macro_rules! dense_index {
    ($($id:ident),*) => {$(
        impl $id {
            /// Position in insertion order among entities of this kind (0, 1, 2, ...): lets a
            /// caller keep per-entity data in a plain `Vec`.
            pub fn index(self) -> usize {
                self.0
            }
        }
    )*};
}

dense_index!(TokenId, PhoneId, AppId, UserId);

/// Any named entity (names share one namespace, since they key the RNG streams).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Entity {
    /// A token (named by its serial).
    Token(TokenId),
    /// A phone.
    Phone(PhoneId),
    /// An app account.
    App(AppId),
    /// A user.
    User(UserId),
}

/// Where a user gets codes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CodeSource {
    /// Reads a hardware token.
    Token(TokenId),
    /// Reads an authenticator app.
    App(AppId),
    /// Reads SMS messages on a phone.
    Sms(PhoneId),
}

/// The server's answer to a code, as the caller reports it back with [`Sim::answer`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ServerAnswer {
    /// Logged in.
    Accepted,
    /// Code refused; the user may retry.
    Rejected,
}

/// A code a user typed, handed to the caller to put to the server under test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CodeEntry {
    /// Who typed it.
    pub user: UserId,
    /// What they typed (possibly with a typo).
    pub code: Code,
    /// 1 for the first attempt of this login.
    pub attempt: u32,
    /// When they read the device.
    pub looked_at: SimTime,
    /// When they pressed submit (now).
    pub entered_at: SimTime,
}

/// Something the caller must act on, returned by [`Sim::next_event`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fired {
    /// A user submitted a code: verify it, then call [`Sim::answer`].
    CodeEntered(CodeEntry),
    /// A timer set with [`Sim::wake_at`].
    Wake {
        /// The caller's tag.
        tag: u64,
    },
}

/// A run's budget. Overrunning either is an error naming the simulated time and last event,
/// so a scenario stuck in a loop fails instead of hanging.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Longest run, measured from the epoch.
    pub max_span: Duration,
    /// Most events processed.
    pub max_events: u64,
}

impl Default for Limits {
    /// 20 years (studies run 5–10) and 10^10 events.
    fn default() -> Self {
        Limits { max_span: Duration::from_millis(20 * YEAR_MILLIS as u64), max_events: 10_000_000_000 }
    }
}

/// Configures a [`Sim`].
#[derive(Clone, Debug)]
pub struct SimBuilder {
    seed: u64,
    epoch: SimTime,
    limits: Limits,
    sms: SmsChannel,
    trace: bool,
}

impl SimBuilder {
    /// Starts the run at `epoch` instead of [`DEFAULT_EPOCH`].
    pub fn epoch(mut self, epoch: SimTime) -> Self {
        self.epoch = epoch;
        self
    }

    /// Sets the run's limits.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Sets the SMS channel model.
    pub fn sms_channel(mut self, channel: SmsChannel) -> Self {
        self.sms = channel;
        self
    }

    /// Records a trace (on by default; switch off for Monte Carlo speed).
    pub fn trace(mut self, on: bool) -> Self {
        self.trace = on;
        self
    }

    /// The simulator.
    ///
    /// # Errors
    /// [`SimError::Config`] for a bad SMS channel.
    pub fn build(self) -> Result<Sim, SimError> {
        Ok(Sim {
            streams: Streams::new(self.seed),
            epoch: self.epoch,
            end: self.epoch.checked_add(self.limits.max_span).unwrap_or(SimTime::from_unix_millis(u64::MAX)),
            limits: self.limits,
            clock: VirtualClock::starting_at(self.epoch),
            queue: EventQueue::new(),
            events_run: 0,
            last_event: None,
            sms: self.sms.validated()?,
            names: HashMap::new(),
            numbers: HashMap::new(),
            tokens: Vec::new(),
            phones: Vec::new(),
            apps: Vec::new(),
            users: Vec::new(),
            sms_users: Vec::new(),
            messages: Vec::new(),
            trace: Trace::new(self.trace),
        })
    }
}

/// The discrete-time simulator: a virtual clock, an event queue and the entities that live
/// on it. Single-threaded and deterministic: the same seed and the same calls give the same
/// trace. Run many in parallel for Monte Carlo; each entity's draws depend only on the seed
/// and its name, so splitting a population across simulators changes nothing per entity.
#[derive(Debug)]
pub struct Sim {
    streams: Streams,
    epoch: SimTime,
    end: SimTime,
    limits: Limits,
    clock: VirtualClock,
    queue: EventQueue<Event>,
    events_run: u64,
    last_event: Option<(SimTime, Event)>,
    sms: SmsChannel,
    names: HashMap<String, Entity>,
    numbers: HashMap<PhoneNumber, PhoneId>,
    tokens: Vec<HardToken>,
    phones: Vec<Phone>,
    apps: Vec<(String, PhoneId, AuthenticatorApp)>,
    users: Vec<UserState>,
    sms_users: Vec<Vec<UserId>>,
    messages: Vec<Message>,
    trace: Trace,
}

impl Sim {
    /// A builder for a run with master seed `seed`, at [`DEFAULT_EPOCH`], default limits and
    /// SMS channel, trace on.
    pub fn builder(seed: u64) -> SimBuilder {
        SimBuilder {
            seed,
            epoch: DEFAULT_EPOCH,
            limits: Limits::default(),
            sms: SmsChannel::default(),
            trace: true,
        }
    }

    /// Now, on the true clock.
    pub fn now(&self) -> SimTime {
        self.clock.now()
    }

    /// Where the run started.
    pub fn epoch(&self) -> SimTime {
        self.epoch
    }

    /// The master seed.
    pub fn seed(&self) -> u64 {
        self.streams.seed()
    }

    /// The run's random streams (for a caller's own per-entity draws, e.g. login schedules).
    pub fn streams(&self) -> Streams {
        self.streams
    }

    /// The trace so far.
    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// Events processed so far.
    pub fn events_run(&self) -> u64 {
        self.events_run
    }

    /// The entity called `name`.
    pub fn find(&self, name: &str) -> Option<Entity> {
        self.names.get(name).copied()
    }

    // --- entities ---

    /// Manufactures a token with serial `serial` from `spec` (draws from the serial's streams).
    ///
    /// # Errors
    /// [`SimError::DuplicateName`], or a bad spec.
    pub fn add_token(&mut self, serial: &str, spec: &TokenSpec) -> Result<TokenId, SimError> {
        let token = HardToken::manufacture(spec, self.streams, self.epoch, serial)?;
        self.insert_token(token)
    }

    /// Adds a token made elsewhere (a [`TokenSpec::batch`], or [`HardToken::from_parts`]).
    ///
    /// # Errors
    /// [`SimError::DuplicateName`] when its serial is taken.
    pub fn insert_token(&mut self, token: HardToken) -> Result<TokenId, SimError> {
        let id = TokenId(self.tokens.len());
        self.claim(token.serial(), Entity::Token(id))?;
        self.trace.record(self.clock.now(), || TraceEvent::Added {
            kind: "token",
            name: token.serial().to_owned(),
        });
        self.tokens.push(token);
        Ok(id)
    }

    /// Adds a phone with number `number`.
    ///
    /// # Errors
    /// [`SimError::DuplicateName`] for a taken name or number.
    pub fn add_phone(
        &mut self,
        name: &str,
        number: PhoneNumber,
        spec: &PhoneSpec,
    ) -> Result<PhoneId, SimError> {
        if self.numbers.contains_key(&number) {
            return Err(SimError::DuplicateName(number.0));
        }
        let id = PhoneId(self.phones.len());
        self.claim(name, Entity::Phone(id))?;
        self.numbers.insert(number.clone(), id);
        self.phones.push(Phone::new(name, number, spec, self.streams, self.epoch));
        self.sms_users.push(Vec::new());
        self.trace.record(self.clock.now(), || TraceEvent::Added { kind: "phone", name: name.to_owned() });
        Ok(id)
    }

    /// Enrols an app account on `phone` from an `otpauth://` URI.
    ///
    /// # Errors
    /// [`SimError::DuplicateName`], [`SimError::NoSuchEntity`], or an HOTP URI.
    pub fn enrol_app(&mut self, name: &str, phone: PhoneId, uri: &OtpAuthUri) -> Result<AppId, SimError> {
        let app = AuthenticatorApp::from_uri(uri)?;
        self.insert_app(name, phone, app)
    }

    /// Enrols an app account on `phone` by scanning a QR image.
    ///
    /// # Errors
    /// As [`Sim::enrol_app`], plus [`AuthenticatorApp::from_qr_image`]'s.
    pub fn enrol_app_from_qr(&mut self, name: &str, phone: PhoneId, image: &[u8]) -> Result<AppId, SimError> {
        let app = AuthenticatorApp::from_qr_image(image)?;
        self.insert_app(name, phone, app)
    }

    /// Adds a user who gets codes from `source`.
    ///
    /// # Errors
    /// [`SimError::DuplicateName`], [`SimError::NoSuchEntity`], or a bad profile.
    pub fn add_user(
        &mut self,
        name: &str,
        source: CodeSource,
        profile: UserProfile,
    ) -> Result<UserId, SimError> {
        let profile = profile.validated()?;
        match source {
            CodeSource::Token(t) => drop(self.token(t)?),
            CodeSource::App(a) => drop(self.app(a)?),
            CodeSource::Sms(p) => drop(self.phone(p)?),
        }
        let id = UserId(self.users.len());
        self.claim(name, Entity::User(id))?;
        if let CodeSource::Sms(PhoneId(p)) = source {
            self.sms_users[p].push(id);
        }
        self.users.push(UserState {
            name: name.to_owned(),
            source,
            profile,
            rng: self.streams.stream(name, Concern::User),
            login: 0,
            phase: Phase::Idle,
            attempts: 0,
            last_code: None,
            sms_seen: 0,
        });
        self.trace.record(self.clock.now(), || TraceEvent::Added { kind: "user", name: name.to_owned() });
        Ok(id)
    }

    /// A server's clock, NTP-disciplined from the epoch ([`NtpSync::SERVER`]), drifting
    /// uniformly within ±`max_drift` (drawn from `name`'s streams). Servers live outside the
    /// simulator; this gives them a realistic clock to read at [`Sim::now`].
    pub fn server_clock(&self, name: &str, max_drift: Drift) -> DeviceClock {
        let m = max_drift.ppb().saturating_abs();
        let drift = Drift::from_ppb(self.streams.stream(name, Concern::Drift).random_range(-m..=m));
        DeviceClock::synced(self.epoch, NtpSync::SERVER, drift, self.streams.key64(name, Concern::Jitter))
    }

    /// A token.
    ///
    /// # Errors
    /// [`SimError::NoSuchEntity`] for an id from another simulator.
    pub fn token(&self, id: TokenId) -> Result<&HardToken, SimError> {
        self.tokens.get(id.0).ok_or(SimError::NoSuchEntity { kind: "token", index: id.0 })
    }

    /// A phone.
    ///
    /// # Errors
    /// [`SimError::NoSuchEntity`] for an id from another simulator.
    pub fn phone(&self, id: PhoneId) -> Result<&Phone, SimError> {
        self.phones.get(id.0).ok_or(SimError::NoSuchEntity { kind: "phone", index: id.0 })
    }

    /// An app account.
    ///
    /// # Errors
    /// [`SimError::NoSuchEntity`] for an id from another simulator.
    pub fn app(&self, id: AppId) -> Result<&AuthenticatorApp, SimError> {
        self.apps.get(id.0).map(|(_, _, a)| a).ok_or(SimError::NoSuchEntity { kind: "app", index: id.0 })
    }

    // --- devices now ---

    /// What a token shows now.
    ///
    /// # Errors
    /// [`SimError::NoSuchEntity`].
    pub fn token_screen(&self, id: TokenId) -> Result<Screen, SimError> {
        Ok(self.token(id)?.screen(self.now()))
    }

    /// What an app shows now, on its phone's clock.
    ///
    /// # Errors
    /// [`SimError::NoSuchEntity`].
    pub fn app_screen(&self, id: AppId) -> Result<Screen, SimError> {
        let (_, phone, app) =
            self.apps.get(id.0).ok_or(SimError::NoSuchEntity { kind: "app", index: id.0 })?;
        Ok(app.screen(self.phone(*phone)?.clock().reading(self.now())))
    }

    /// Sets a phone's clock by hand to `reading` now (automatic time goes off): "the phone
    /// clock is 40 seconds fast" is `set_phone_clock(p, DeviceTime::exact(now).plus_millis(40_000))`.
    ///
    /// # Errors
    /// [`SimError::NoSuchEntity`].
    pub fn set_phone_clock(&mut self, id: PhoneId, reading: DeviceTime) -> Result<(), SimError> {
        let now = self.now();
        let phone = self.phones.get_mut(id.0).ok_or(SimError::NoSuchEntity { kind: "phone", index: id.0 })?;
        phone.clock_mut().set_by_hand(now, reading);
        let name = phone.name().to_owned();
        self.trace.record(now, || TraceEvent::ClockSet { device: name, reading });
        Ok(())
    }

    /// Sets a token's clock to `reading` now (a resynchronised or reprogrammed token, or a
    /// scenario's "the token is 40 seconds slow").
    ///
    /// # Errors
    /// [`SimError::NoSuchEntity`].
    pub fn set_token_clock(&mut self, id: TokenId, reading: DeviceTime) -> Result<(), SimError> {
        let now = self.now();
        let token = self.tokens.get_mut(id.0).ok_or(SimError::NoSuchEntity { kind: "token", index: id.0 })?;
        token.clock_mut().set_by_hand(now, reading);
        let name = token.serial().to_owned();
        self.trace.record(now, || TraceEvent::ClockSet { device: name, reading });
        Ok(())
    }

    // --- SMS ---

    /// The server sends `body` to `to` now. The channel decides, from the recipient phone's
    /// `Sms` stream, whether and when (and how many times) it arrives.
    ///
    /// # Errors
    /// [`SimError::UnknownNumber`] when no phone has that number.
    pub fn send_sms(&mut self, to: &PhoneNumber, body: impl Into<String>) -> Result<u64, SimError> {
        let &phone = self.numbers.get(to).ok_or_else(|| SimError::UnknownNumber(to.0.clone()))?;
        let now = self.now();
        let id = self.messages.len() as u64;
        self.messages.push(Message { to: phone, body: body.into(), sent_at: now });
        self.trace.record(now, || TraceEvent::SmsSent { id, to: to.0.clone() });
        match self.sms.fate(&mut self.phones[phone.0].sms_rng) {
            Fate::Lost => self.trace.record(now, || TraceEvent::SmsLost { id }),
            Fate::Delivered(delays) => {
                for (copy, delay) in delays.into_iter().enumerate() {
                    let at = now.checked_add(delay).unwrap_or(SimTime::from_unix_millis(u64::MAX));
                    self.queue.push(at, Event::SmsArrives { message: id, duplicate: copy > 0 });
                }
            }
        }
        Ok(id)
    }

    /// A phone's delivered messages.
    ///
    /// # Errors
    /// [`SimError::NoSuchEntity`].
    pub fn inbox(&self, id: PhoneId) -> Result<&[DeliveredSms], SimError> {
        Ok(self.phone(id)?.inbox())
    }

    // --- users ---

    /// The user starts a login at `at` (now or later): they look at their device then, type
    /// what they see, and the code comes back from [`Sim::next_event`] as
    /// [`Fired::CodeEntered`]. An SMS user waits for an unread message. Starting a new login
    /// abandons any login in progress.
    ///
    /// # Errors
    /// [`SimError::NoSuchEntity`], or [`SimError::TimeWentBack`] for `at` before now.
    pub fn start_login(&mut self, user: UserId, at: SimTime) -> Result<(), SimError> {
        let now = self.now();
        if at < now {
            return Err(SimError::TimeWentBack(crate::clock::TimeWentBack { now, asked: at }));
        }
        let u = self.users.get_mut(user.0).ok_or(SimError::NoSuchEntity { kind: "user", index: user.0 })?;
        u.login += 1;
        u.attempts = 0;
        u.phase = Phase::Busy;
        let login = u.login;
        let name = &u.name;
        self.trace.record(now, || TraceEvent::LoginStarted { user: name.clone(), look_at: at });
        self.queue.push(at, Event::Look { user, login });
        Ok(())
    }

    /// Reports the server's answer to the user's last code. After a rejection the user
    /// retries per their [`super::RetryPolicy`] or gives up.
    ///
    /// # Errors
    /// [`SimError::NoSuchEntity`], or [`SimError::NotAwaitingAnswer`] when the user has no
    /// code with the server.
    pub fn answer(&mut self, user: UserId, answer: ServerAnswer) -> Result<(), SimError> {
        let now = self.now();
        let u = self.users.get_mut(user.0).ok_or(SimError::NoSuchEntity { kind: "user", index: user.0 })?;
        if u.phase != Phase::AwaitingAnswer {
            return Err(SimError::NotAwaitingAnswer(u.name.clone()));
        }
        let accepted = answer == ServerAnswer::Accepted;
        let name = &u.name;
        self.trace.record(now, || TraceEvent::Answered { user: name.clone(), accepted });
        if accepted {
            u.phase = Phase::Idle;
            return Ok(());
        }
        if u.attempts >= u.profile.retry.max_attempts {
            u.phase = Phase::Idle;
            self.trace
                .record(now, || TraceEvent::GaveUp { user: name.clone(), reason: "attempts_exhausted" });
            return Ok(());
        }
        u.phase = Phase::Busy;
        let login = u.login;
        if !u.profile.retry.wait_for_next_code {
            // Retype what was read, with a fresh chance of a typo.
            if let Some(code) = u.last_code {
                let delay = u.profile.look_and_type.sample(&mut u.rng);
                let (typed, typo) = u.profile.type_code(code, &mut u.rng);
                let at = now.checked_add(delay).unwrap_or(now);
                self.queue.push(at, Event::Submit { user, login, code: typed, typo, looked_at: now });
                return Ok(());
            }
        }
        let next_look = match u.source {
            CodeSource::Token(t) => next_step_start(self.tokens[t.0].clock(), self.tokens[t.0].totp(), now),
            CodeSource::App(a) => {
                let (_, phone, app) = &self.apps[a.0];
                next_step_start(self.phones[phone.0].clock(), app.totp(), now)
            }
            // A new message: look now; the look waits if none is unread.
            CodeSource::Sms(_) => Some(now),
        };
        match next_look {
            Some(at) => drop(self.queue.push(at, Event::Look { user, login })),
            None => {
                let name = &self.users[user.0].name;
                self.trace.record(now, || TraceEvent::GaveUp { user: name.clone(), reason: "no_next_code" });
                self.users[user.0].phase = Phase::Idle;
            }
        }
        Ok(())
    }

    /// Schedules a [`Fired::Wake`] with `tag` at `at` (a caller's timer: "each day at 9").
    ///
    /// # Errors
    /// [`SimError::TimeWentBack`] for `at` before now.
    pub fn wake_at(&mut self, at: SimTime, tag: u64) -> Result<(), SimError> {
        if at < self.now() {
            return Err(SimError::TimeWentBack(crate::clock::TimeWentBack { now: self.now(), asked: at }));
        }
        self.queue.push(at, Event::Wake { tag });
        Ok(())
    }

    // --- running ---

    /// Runs events up to and including `until`, returning the first the caller must act on
    /// (the clock then stands at its time). With none left before `until`, the clock moves to
    /// `until` and the result is `None`. Nothing sleeps: time jumps from event to event.
    ///
    /// # Errors
    /// [`SimError::TimeLimit`] when an event or `until` lies past the run's time limit,
    /// [`SimError::EventLimit`] when the event budget is spent, [`SimError::TimeWentBack`]
    /// for `until` before now.
    pub fn next_event(&mut self, until: SimTime) -> Result<Option<Fired>, SimError> {
        while let Some(at) = self.queue.peek_time().filter(|&at| at <= until) {
            if at > self.end {
                return Err(self.time_limit_error(at));
            }
            if self.events_run >= self.limits.max_events {
                return Err(SimError::EventLimit {
                    limit: self.limits.max_events,
                    at: self.now(),
                    last_event: self.describe_last(),
                });
            }
            let Some((at, event)) = self.queue.pop() else { break };
            self.clock.advance_to(at)?;
            self.events_run += 1;
            self.last_event = Some((at, event));
            if let Some(fired) = self.apply(event)? {
                return Ok(Some(fired));
            }
        }
        if until > self.end {
            return Err(self.time_limit_error(until));
        }
        self.clock.advance_to(until)?;
        Ok(None)
    }

    /// Lets `span` of time pass ("time passes 31 seconds"), returning everything the caller
    /// must act on, in order. Codes entered on the way get no answer unless the caller
    /// answers them; prefer [`Sim::next_event`] when users are logging in.
    ///
    /// # Errors
    /// As [`Sim::next_event`].
    pub fn advance(&mut self, span: Duration) -> Result<Vec<Fired>, SimError> {
        let until = self
            .clock
            .after(span)
            .ok_or_else(|| self.time_limit_error(SimTime::from_unix_millis(u64::MAX)))?;
        self.run_until(until)
    }

    /// Runs until `until`, returning everything the caller must act on, in order.
    ///
    /// # Errors
    /// As [`Sim::next_event`].
    pub fn run_until(&mut self, until: SimTime) -> Result<Vec<Fired>, SimError> {
        let mut fired = Vec::new();
        while let Some(f) = self.next_event(until)? {
            fired.push(f);
        }
        Ok(fired)
    }

    /// The user's name.
    ///
    /// # Errors
    /// [`SimError::NoSuchEntity`].
    pub fn user_name(&self, id: UserId) -> Result<&str, SimError> {
        self.users
            .get(id.0)
            .map(|u| u.name.as_str())
            .ok_or(SimError::NoSuchEntity { kind: "user", index: id.0 })
    }

    /// Where the user reads codes.
    ///
    /// # Errors
    /// [`SimError::NoSuchEntity`].
    pub fn user_source(&self, id: UserId) -> Result<CodeSource, SimError> {
        self.users.get(id.0).map(|u| u.source).ok_or(SimError::NoSuchEntity { kind: "user", index: id.0 })
    }

    fn claim(&mut self, name: &str, entity: Entity) -> Result<(), SimError> {
        if self.names.contains_key(name) {
            return Err(SimError::DuplicateName(name.to_owned()));
        }
        self.names.insert(name.to_owned(), entity);
        Ok(())
    }

    fn insert_app(&mut self, name: &str, phone: PhoneId, app: AuthenticatorApp) -> Result<AppId, SimError> {
        self.phone(phone)?;
        let id = AppId(self.apps.len());
        self.claim(name, Entity::App(id))?;
        self.apps.push((name.to_owned(), phone, app));
        self.trace.record(self.clock.now(), || TraceEvent::Added { kind: "app", name: name.to_owned() });
        Ok(id)
    }

    fn apply(&mut self, event: Event) -> Result<Option<Fired>, SimError> {
        let now = self.now();
        match event {
            Event::Look { user, login } => {
                if self.users[user.0].login == login {
                    self.look(user, login);
                }
                Ok(None)
            }
            Event::Submit { user, login, code, typo, looked_at } => {
                let u = &mut self.users[user.0];
                if u.login != login {
                    return Ok(None);
                }
                u.attempts += 1;
                u.phase = Phase::AwaitingAnswer;
                let attempt = u.attempts;
                let name = &u.name;
                self.trace.record(now, || TraceEvent::Entered {
                    user: name.clone(),
                    code: code.to_string(),
                    attempt,
                    typo,
                });
                Ok(Some(Fired::CodeEntered(CodeEntry { user, code, attempt, looked_at, entered_at: now })))
            }
            Event::SmsArrives { message, duplicate } => {
                let m = &self.messages[message as usize];
                let phone = m.to;
                self.phones[phone.0].deliver(DeliveredSms {
                    id: message,
                    body: m.body.clone(),
                    sent_at: m.sent_at,
                    delivered_at: now,
                });
                let pname = self.phones[phone.0].name();
                self.trace.record(now, || TraceEvent::SmsDelivered {
                    id: message,
                    phone: pname.to_owned(),
                    duplicate,
                });
                for &user in &self.sms_users[phone.0] {
                    let u = &mut self.users[user.0];
                    if u.phase == Phase::WaitingForSms {
                        // Busy at once, so a duplicate arriving at the same instant does not
                        // schedule a second look.
                        u.phase = Phase::Busy;
                        self.queue.push(now, Event::Look { user, login: u.login });
                    }
                }
                Ok(None)
            }
            Event::Wake { tag } => {
                self.trace.record(now, || TraceEvent::Wake { tag });
                Ok(Some(Fired::Wake { tag }))
            }
        }
    }

    /// The user looks at their device and schedules the submission.
    fn look(&mut self, user: UserId, login: u64) {
        let now = self.now();
        let sight = match self.users[user.0].source {
            CodeSource::Token(t) => {
                let token = &self.tokens[t.0];
                Sight::of_screen(token.screen(now), token.totp())
            }
            CodeSource::App(a) => {
                let (_, phone, app) = &self.apps[a.0];
                Sight::of_screen(app.screen(self.phones[phone.0].clock().reading(now)), app.totp())
            }
            CodeSource::Sms(p) => {
                let inbox = self.phones[p.0].inbox();
                let u = &mut self.users[user.0];
                if inbox.len() <= u.sms_seen {
                    u.phase = Phase::WaitingForSms;
                    let name = &u.name;
                    self.trace.record(now, || TraceEvent::WaitingForSms { user: name.clone() });
                    return;
                }
                u.sms_seen = inbox.len();
                match code_in(&inbox[inbox.len() - 1].body) {
                    Some(code) => Sight::Code { code, device: None },
                    None => Sight::Nothing("no_code_in_message"),
                }
            }
        };
        let u = &mut self.users[user.0];
        let name = &u.name;
        let (code, device) = match sight {
            Sight::Code { code, device } => (code, device),
            Sight::Nothing(reason) => {
                self.trace.record(now, || TraceEvent::Looked {
                    user: name.clone(),
                    code: None,
                    device_time: None,
                    seconds_left: None,
                });
                self.trace.record(now, || TraceEvent::GaveUp { user: name.clone(), reason });
                u.phase = Phase::Idle;
                return;
            }
        };
        self.trace.record(now, || TraceEvent::Looked {
            user: name.clone(),
            code: Some(code.to_string()),
            device_time: device.map(|d| d.device_time),
            seconds_left: device.map(|d| d.seconds_left),
        });
        u.last_code = Some(code);
        let typing = u.profile.look_and_type.sample(&mut u.rng);
        let (typed, typo) = u.profile.type_code(code, &mut u.rng);
        let delay = match (u.profile.timing, device) {
            (Timing::LastSecondsOfStep { within }, Some(d)) => {
                let within = u64::try_from(within.as_millis()).unwrap_or(u64::MAX).max(1);
                let before_end = u.rng.random_range(1..=within);
                Duration::from_millis(d.millis_left.saturating_sub(before_end))
            }
            _ => typing,
        };
        let at = now.checked_add(delay).unwrap_or(now);
        self.queue.push(at, Event::Submit { user, login, code: typed, typo, looked_at: now });
    }

    fn time_limit_error(&self, at: SimTime) -> SimError {
        SimError::TimeLimit { limit: self.end, at, last_event: self.describe_last() }
    }

    fn describe_last(&self) -> String {
        let Some((at, event)) = self.last_event else { return "none".to_owned() };
        let user = |u: UserId| self.users.get(u.0).map_or("?", |s| s.name.as_str()).to_owned();
        let what = match event {
            Event::Look { user: u, .. } => format!("{} looked at their device", user(u)),
            Event::Submit { user: u, code, .. } => format!("{} entered {code}", user(u)),
            Event::SmsArrives { message, .. } => format!("sms {message} arrived"),
            Event::Wake { tag } => format!("wake {tag}"),
        };
        format!("{what} at {at}")
    }
}

/// The true time at which a TOTP device shows its next code.
fn next_step_start(clock: &DeviceClock, totp: &crate::otp::Totp, now: SimTime) -> Option<SimTime> {
    let reading = clock.reading(now).unix_millis();
    let period = i64::try_from(totp.period().seconds()).ok()?.checked_mul(1000)?;
    let t0 = i64::try_from(totp.t0()).ok()?.checked_mul(1000)?;
    let next = (reading - t0).div_euclid(period).checked_add(1)?.checked_mul(period)?.checked_add(t0)?;
    clock.when_reads(now, DeviceTime::from_unix_millis(next))
}

/// What a user saw when they looked.
#[derive(Clone, Copy, Debug)]
enum Sight {
    /// A code; `device` is set for TOTP displays (not SMS).
    Code { code: Code, device: Option<DeviceView> },
    /// No code, and why (the trace's give-up reason).
    Nothing(&'static str),
}

/// A TOTP display's clock details at the moment of looking.
#[derive(Clone, Copy, Debug)]
struct DeviceView {
    device_time: DeviceTime,
    seconds_left: u64,
    /// Milliseconds until the code changes, on the device's clock.
    millis_left: u64,
}

impl Sight {
    fn of_screen(screen: Screen, totp: &crate::otp::Totp) -> Sight {
        match screen {
            Screen::Code { code, seconds_left, device_time, .. } => {
                let period = totp.period().seconds().saturating_mul(1000);
                let since = u64::try_from(device_time.unix_millis())
                    .unwrap_or(0)
                    .saturating_sub(totp.t0().saturating_mul(1000));
                let millis_left = period - since % period;
                Sight::Code { code, device: Some(DeviceView { device_time, seconds_left, millis_left }) }
            }
            Screen::Blank(BlankReason::BatteryDead) => Sight::Nothing("battery_dead"),
            Screen::Blank(BlankReason::ClockBeforeT0) => Sight::Nothing("clock_before_t0"),
        }
    }
}

/// The first run of 6 to 10 ASCII digits in an SMS body, as a code.
fn code_in(body: &str) -> Option<Code> {
    body.split(|c: char| !c.is_ascii_digit())
        .filter(|run| (6..=10).contains(&run.len()))
        .find_map(|run| Code::parse(run, Digits::new(run.len() as u8).ok()?).ok())
}

#[derive(Clone, Copy, Debug)]
enum Event {
    Look { user: UserId, login: u64 },
    Submit { user: UserId, login: u64, code: Code, typo: bool, looked_at: SimTime },
    SmsArrives { message: u64, duplicate: bool },
    Wake { tag: u64 },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Idle,
    Busy,
    WaitingForSms,
    AwaitingAnswer,
}

#[derive(Debug)]
struct UserState {
    name: String,
    source: CodeSource,
    profile: UserProfile,
    rng: ChaCha12Rng,
    login: u64,
    phase: Phase,
    attempts: u32,
    last_code: Option<Code>,
    sms_seen: usize,
}

#[derive(Debug)]
struct Message {
    to: PhoneId,
    body: String,
    sent_at: SimTime,
}
