//! Users logging in: they look at their device, type what they see (typos and all), and
//! retry or give up as the server answers.

use std::time::Duration;

use rand::RngExt;
use rand_chacha::ChaCha12Rng;

use super::SimError;
use super::device::{BlankReason, Screen};
use super::entity::{CodeSource, Entity, PhoneId, UserId};
use super::rng::Concern;
use super::simulator::{Event, Sim};
use super::trace::TraceEvent;
use super::user::{Timing, UserProfile};
use crate::clock::{DeviceClock, DeviceTime, SimTime};
use crate::otp::{Code, Digits};

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

impl Sim {
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

    /// Runs a scheduled look unless the login it belongs to was abandoned.
    pub(super) fn look_if_current(&mut self, user: UserId, login: u64) {
        if self.users[user.0].login == login {
            self.look(user, login);
        }
    }

    /// The user presses submit: the code goes to the caller, unless the login was abandoned.
    pub(super) fn submit(
        &mut self,
        user: UserId,
        login: u64,
        code: Code,
        typo: bool,
        looked_at: SimTime,
    ) -> Option<CodeEntry> {
        let now = self.now();
        let u = &mut self.users[user.0];
        if u.login != login {
            return None;
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
        Some(CodeEntry { user, code, attempt, looked_at, entered_at: now })
    }

    /// An SMS reached `phone`: its users waiting for one look now.
    pub(super) fn wake_sms_readers(&mut self, phone: PhoneId) {
        let now = self.now();
        for &user in &self.sms_users[phone.0] {
            let u = &mut self.users[user.0];
            if u.phase == Phase::WaitingForSms {
                // Busy at once, so a duplicate arriving at the same instant does not
                // schedule a second look.
                u.phase = Phase::Busy;
                self.queue.push(now, Event::Look { user, login: u.login });
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Idle,
    Busy,
    WaitingForSms,
    AwaitingAnswer,
}

#[derive(Debug)]
pub(super) struct UserState {
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
