//! The simulator: the virtual clock, the event queue, the devices and the SMS on their way.

use std::collections::HashMap;
use std::time::Duration;

use rand::RngExt;

use super::SimError;
use super::builder::Limits;
use super::channel::{Fate, SmsChannel};
use super::device::{
    AuthenticatorApp, DeliveredSms, Display, HardToken, Phone, PhoneNumber, PhoneSpec, Screen, TokenSpec,
    TotpDisplay,
};
use super::entity::{AppId, DeviceId, Entity, PhoneId, TokenId, UserId};
use super::login::{CodeEntry, UserState};
use super::queue::EventQueue;
use super::rng::{Concern, Streams};
use super::trace::{Trace, TraceEvent};
use crate::clock::{DeviceClock, DeviceTime, Drift, NtpSync, SimTime, VirtualClock};
use crate::otp::{Code, OtpAuthUri};

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

/// The discrete-time simulator: a virtual clock, an event queue and the entities that live
/// on it. Single-threaded and deterministic: the same seed and the same calls give the same
/// trace. Run many in parallel for Monte Carlo; each entity's draws depend only on the seed
/// and its name, so splitting a population across simulators changes nothing per entity.
#[derive(Debug)]
pub struct Sim {
    pub(super) streams: Streams,
    pub(super) epoch: SimTime,
    pub(super) end: SimTime,
    pub(super) limits: Limits,
    pub(super) clock: VirtualClock,
    pub(super) queue: EventQueue<Event>,
    pub(super) events_run: u64,
    pub(super) last_event: Option<(SimTime, Event)>,
    pub(super) sms: SmsChannel,
    pub(super) names: HashMap<String, Entity>,
    pub(super) numbers: HashMap<PhoneNumber, PhoneId>,
    pub(super) tokens: Vec<HardToken>,
    pub(super) phones: Vec<Phone>,
    pub(super) apps: Vec<(String, PhoneId, AuthenticatorApp)>,
    pub(super) users: Vec<UserState>,
    pub(super) sms_users: Vec<Vec<UserId>>,
    pub(super) messages: Vec<Message>,
    pub(super) trace: Trace,
}

impl Sim {
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

    /// What a device shows its reader.
    ///
    /// # Errors
    /// [`SimError::NoSuchEntity`] for an id from another simulator.
    pub fn display(&self, device: DeviceId) -> Result<Display<'_>, SimError> {
        Ok(match device {
            DeviceId::Token(t) => Display::Totp(self.token(t)?.display()),
            DeviceId::App(a) => Display::Totp(self.app_display(a)?),
            DeviceId::Phone(p) => Display::Inbox(self.phone(p)?.inbox()),
        })
    }

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
        Ok(self.app_display(id)?.screen(self.now()))
    }

    fn app_display(&self, id: AppId) -> Result<TotpDisplay<'_>, SimError> {
        let (_, phone, app) =
            self.apps.get(id.0).ok_or(SimError::NoSuchEntity { kind: "app", index: id.0 })?;
        Ok(app.display_on(self.phone(*phone)?.clock()))
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

    /// Makes a token's crystal run at `drift` from now on, keeping the offset it has now (a
    /// scenario's "the token runs 20 ppm fast").
    ///
    /// # Errors
    /// [`SimError::NoSuchEntity`].
    pub fn set_token_drift(&mut self, id: TokenId, drift: Drift) -> Result<(), SimError> {
        let now = self.now();
        let token = self.tokens.get_mut(id.0).ok_or(SimError::NoSuchEntity { kind: "token", index: id.0 })?;
        let offset = token.clock().reading(now).ahead_of(now);
        *token.clock_mut() = DeviceClock::free_running(now, offset, drift);
        let (name, reading) = (token.serial().to_owned(), token.clock().reading(now));
        self.trace.record(now, || TraceEvent::ClockSet { device: name, reading });
        Ok(())
    }

    /// Every device lives through `span` that true time skips: each keeps the drift it would
    /// have gained (a token 20 ppm fast is 3,153.6 s further ahead after 5 years), while true
    /// time, and so every server, stays where it is.
    pub fn devices_live_through(&mut self, span: Duration) {
        let now = self.now();
        for token in &mut self.tokens {
            token.clock_mut().live_through(now, span);
        }
        for phone in &mut self.phones {
            phone.clock_mut().live_through(now, span);
        }
    }

    /// Every TOTP display in the simulation: the tokens, then the apps on their phones.
    pub fn totp_displays(&self) -> impl Iterator<Item = TotpDisplay<'_>> {
        let tokens = self.tokens.iter().map(HardToken::display);
        let apps = self.apps.iter().map(|(_, phone, app)| app.display_on(self.phones[phone.0].clock()));
        tokens.chain(apps)
    }

    /// A device's name: a token's serial, an app account's or a phone's name.
    ///
    /// # Errors
    /// [`SimError::NoSuchEntity`] for an id from another simulator.
    pub fn name(&self, device: DeviceId) -> Result<&str, SimError> {
        match device {
            DeviceId::Token(t) => Ok(self.token(t)?.serial()),
            DeviceId::App(a) => self
                .apps
                .get(a.0)
                .map(|(name, ..)| name.as_str())
                .ok_or(SimError::NoSuchEntity { kind: "app", index: a.0 }),
            DeviceId::Phone(p) => Ok(self.phone(p)?.name()),
        }
    }

    // --- SMS ---

    /// The server sends `body` to `to` now. The channel decides, from the recipient phone's
    /// `Sms` stream, whether and when (and how many times) it arrives.
    ///
    /// # Errors
    /// [`SimError::UnknownNumber`] when no phone has that number.
    pub fn send_sms(&mut self, to: &PhoneNumber, body: impl Into<String>) -> Result<u64, SimError> {
        self.send_sms_at(to, body, self.now())
    }

    /// The server sent `body` to `to` at `sent_at`: now, or a little earlier when its outbox is
    /// read after the fact. The channel decides as for [`Sim::send_sms`]; a copy due before now
    /// arrives now.
    ///
    /// # Errors
    /// [`SimError::UnknownNumber`] when no phone has that number.
    pub fn send_sms_at(
        &mut self,
        to: &PhoneNumber,
        body: impl Into<String>,
        sent_at: SimTime,
    ) -> Result<u64, SimError> {
        let &phone = self.numbers.get(to).ok_or_else(|| SimError::UnknownNumber(to.0.clone()))?;
        let id = self.record_sent(phone, to, body.into(), sent_at);
        let fate = self.sms.fate(&mut self.phones[phone.0].sms_rng);
        self.schedule_arrivals(id, sent_at, fate);
        Ok(id)
    }

    /// As [`Sim::send_sms_at`], but the message takes `latency` instead of a draw from the
    /// channel: a scenario's "the SMS takes 6 minutes to arrive".
    ///
    /// # Errors
    /// [`SimError::UnknownNumber`] when no phone has that number.
    pub fn send_sms_taking(
        &mut self,
        to: &PhoneNumber,
        body: impl Into<String>,
        sent_at: SimTime,
        latency: Duration,
    ) -> Result<u64, SimError> {
        let &phone = self.numbers.get(to).ok_or_else(|| SimError::UnknownNumber(to.0.clone()))?;
        let id = self.record_sent(phone, to, body.into(), sent_at);
        self.schedule_arrivals(id, sent_at, Fate::Delivered(vec![latency]));
        Ok(id)
    }

    /// When (the first copy of) message `id` reaches its phone; `None` for a lost message or
    /// an id this simulator never gave.
    pub fn sms_arrival(&self, id: u64) -> Option<SimTime> {
        self.messages.get(usize::try_from(id).ok()?)?.arrives
    }

    /// A phone's delivered messages.
    ///
    /// # Errors
    /// [`SimError::NoSuchEntity`].
    pub fn inbox(&self, id: PhoneId) -> Result<&[DeliveredSms], SimError> {
        Ok(self.phone(id)?.inbox())
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

    pub(super) fn claim(&mut self, name: &str, entity: Entity) -> Result<(), SimError> {
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
                self.look_if_current(user, login)?;
                Ok(None)
            }
            Event::Submit { user, login, code, typo, looked_at } => {
                Ok(self.submit(user, login, code, typo, looked_at).map(Fired::CodeEntered))
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
                self.wake_sms_readers(phone);
                Ok(None)
            }
            Event::Wake { tag } => {
                self.trace.record(now, || TraceEvent::Wake { tag });
                Ok(Some(Fired::Wake { tag }))
            }
        }
    }

    fn record_sent(&mut self, phone: PhoneId, to: &PhoneNumber, body: String, sent_at: SimTime) -> u64 {
        let now = self.now();
        let id = self.messages.len() as u64;
        self.messages.push(Message { to: phone, body, sent_at, arrives: None });
        self.trace.record(now, || TraceEvent::SmsSent { id, to: to.0.clone() });
        id
    }

    fn schedule_arrivals(&mut self, id: u64, sent_at: SimTime, fate: Fate) {
        let now = self.now();
        match fate {
            Fate::Lost => self.trace.record(now, || TraceEvent::SmsLost { id }),
            Fate::Delivered(delays) => {
                for (copy, delay) in delays.into_iter().enumerate() {
                    let at =
                        sent_at.checked_add(delay).unwrap_or(SimTime::from_unix_millis(u64::MAX)).max(now);
                    if let Some(message) = self.messages.get_mut(id as usize) {
                        message.arrives = Some(message.arrives.map_or(at, |first| first.min(at)));
                    }
                    self.queue.push(at, Event::SmsArrives { message: id, duplicate: copy > 0 });
                }
            }
        }
    }

    fn time_limit_error(&self, at: SimTime) -> SimError {
        SimError::TimeLimit { limit: self.end, at, last_event: self.describe_last() }
    }

    fn describe_last(&self) -> String {
        let Some((at, event)) = self.last_event else { return "none".to_owned() };
        let user = |u: UserId| self.user_name(u).unwrap_or("?").to_owned();
        let what = match event {
            Event::Look { user: u, .. } => format!("{} looked at their device", user(u)),
            Event::Submit { user: u, code, .. } => format!("{} entered {code}", user(u)),
            Event::SmsArrives { message, .. } => format!("sms {message} arrived"),
            Event::Wake { tag } => format!("wake {tag}"),
        };
        format!("{what} at {at}")
    }
}

#[derive(Clone, Copy, Debug)]
pub(super) enum Event {
    Look { user: UserId, login: u64 },
    Submit { user: UserId, login: u64, code: Code, typo: bool, looked_at: SimTime },
    SmsArrives { message: u64, duplicate: bool },
    Wake { tag: u64 },
}

#[derive(Debug)]
pub(super) struct Message {
    to: PhoneId,
    body: String,
    sent_at: SimTime,
    /// When the first copy arrives; `None` while none is on its way (lost).
    arrives: Option<SimTime>,
}
