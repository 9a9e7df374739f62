//! Users logging in: they look at their device, type what they see (typos and all), and
//! retry or give up as the server answers.

use std::time::Duration;

use rand::RngExt;
use rand_chacha::ChaCha12Rng;

use super::SimError;
use super::device::{BlankReason, Display, Screen, code_in_text};
use super::entity::{DeviceId, Entity, PhoneId, UserId};
use super::rng::Concern;
use super::simulator::{Event, Sim};
use super::trace::TraceEvent;
use super::user::{Timing, UserProfile};
use crate::clock::{DeviceTime, SimTime};
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
        source: DeviceId,
        profile: UserProfile,
    ) -> Result<UserId, SimError> {
        let profile = profile.validated()?;
        self.display(source)?;
        let id = UserId(self.users.len());
        self.claim(name, Entity::User(id))?;
        if let DeviceId::Phone(PhoneId(p)) = source {
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

    /// The user starts a login at `at` (now or later): they look at their device then, type
    /// what they see, and the code comes back from [`Sim::next_event`] as
    /// [`Fired::CodeEntered`](super::Fired::CodeEntered). An SMS user waits for an unread
    /// message. Starting a new login abandons any login in progress.
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
        let source = u.source;
        let next_look = match self.display(source)? {
            Display::Totp(display) => display.next_code_at(now),
            // A new message: look now; the look waits if none is unread.
            Display::Inbox(_) => Some(now),
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
    pub fn user_source(&self, id: UserId) -> Result<DeviceId, SimError> {
        self.users.get(id.0).map(|u| u.source).ok_or(SimError::NoSuchEntity { kind: "user", index: id.0 })
    }

    /// Runs a scheduled look unless the login it belongs to was abandoned.
    ///
    /// # Errors
    /// As [`Sim::display`].
    pub(super) fn look_if_current(&mut self, user: UserId, login: u64) -> Result<(), SimError> {
        if self.users[user.0].login == login {
            self.look(user, login)?;
        }
        Ok(())
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
    fn look(&mut self, user: UserId, login: u64) -> Result<(), SimError> {
        let now = self.now();
        // An inbox shows its latest message, and only a message the user has not read yet.
        let (sight, messages) = match self.display(self.users[user.0].source)? {
            Display::Totp(display) => (Sight::of_screen(display.screen(now)), None),
            Display::Inbox(inbox) => {
                let code = inbox.last().and_then(|m| code_in(&m.body));
                let sight = code
                    .map_or(Sight::Nothing("no_code_in_message"), |code| Sight::Code { code, device: None });
                (sight, Some(inbox.len()))
            }
        };
        let u = &mut self.users[user.0];
        if let Some(count) = messages {
            if count <= u.sms_seen {
                u.phase = Phase::WaitingForSms;
                let name = &u.name;
                self.trace.record(now, || TraceEvent::WaitingForSms { user: name.clone() });
                return Ok(());
            }
            u.sms_seen = count;
        }
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
                return Ok(());
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
        Ok(())
    }
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
    fn of_screen(screen: Screen) -> Sight {
        match screen {
            Screen::Code { code, seconds_left, millis_left, device_time, .. } => {
                Sight::Code { code, device: Some(DeviceView { device_time, seconds_left, millis_left }) }
            }
            Screen::Blank(BlankReason::BatteryDead) => Sight::Nothing("battery_dead"),
            Screen::Blank(BlankReason::ClockBeforeT0) => Sight::Nothing("clock_before_t0"),
        }
    }
}

/// The code in an SMS body, as a user reads it.
fn code_in(body: &str) -> Option<Code> {
    let run = code_in_text(body)?;
    Code::parse(run, Digits::new(run.len() as u8).ok()?).ok()
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
    source: DeviceId,
    profile: UserProfile,
    rng: ChaCha12Rng,
    login: u64,
    phase: Phase,
    attempts: u32,
    last_code: Option<Code>,
    sms_seen: usize,
}
