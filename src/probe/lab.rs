//! The probe's laboratory: fresh accounts and devices on the target (so no measurement
//! disturbs another), the clock the probe runs on, and the one way it submits a code.
//!
//! Everything goes through [`Target`]; nothing here knows which server is behind it. A code
//! is answered on a prompt opened by a sign-in (login protection), else by a sensitive
//! operation (operation protection), else, for app codes, by unbinding the device: the one
//! prompt every server with authenticator apps has, though a code it accepts removes the
//! device, so measurements that need a second accepted code on one device do not run then.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Barrier, Mutex, PoisonError};
use std::time::Duration;

use rand::RngExt;
use rand_chacha::ChaCha12Rng;

use super::error::{ProbeError, doing};
use super::report::{ClockMode, Measured};
use crate::clock::{DEFAULT_EPOCH, SimTime};
use crate::otp::{Algorithm, Digits, Period, Secret, Totp};
use crate::protocol::{
    Capabilities, Capability, ChallengeId, DeviceKind, Method, MethodSet, NewUser, Operation, Role, Scope,
    SetupDevice, Verdict,
};
use crate::sim::{Concern, Streams};
use crate::sut::{Answer, Target};

/// Where the probe signs in from: always the same place, so no sign-in is an anomaly.
const ORIGIN: &str = "probe-lab";
/// The step every probed device uses (SHA-1, 6 digits, 30 s, as consoles issue them).
pub(crate) const STEP: Duration = Duration::from_secs(30);
/// Wrong codes are drawn from outside this many steps either side of now, so no server with
/// a window up to here can accept one by chance.
const WRONG_CODE_CLEARANCE: i64 = 100;
/// How often a measurement is retried when a real clock's step changed under it.
const STEADY_TRIES: usize = 3;

/// How a code reaches the target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Channel {
    /// Login protection: a sign-in opens the prompt.
    SignIn,
    /// Operation protection: a sensitive operation in a session opens the prompt.
    Operation,
    /// Unbinding the app: the confirmation box, then the prompt for the device's code.
    Unbinding,
}

/// What opening a prompt gave.
#[derive(Debug)]
pub(crate) enum Opened {
    /// A prompt to answer.
    Prompt(ChallengeId),
    /// The target refused to open one (a locked account, for instance).
    Refused(Verdict),
}

/// A fresh account the probe created, with what it needs to answer prompts.
pub(crate) struct Subject {
    /// The account name.
    pub(crate) name: String,
    /// The bound app, for TOTP subjects.
    totp: Option<Totp>,
    /// The secure phone number, for SMS subjects.
    phone: Option<String>,
    /// Draws wrong codes; each draw is new, so no wrong code repeats.
    guesses: Mutex<ChaCha12Rng>,
}

impl Subject {
    /// The code of the step `offset` steps from the one at `t`.
    pub(crate) fn code(&self, t: SimTime, offset: i64) -> Result<String, ProbeError> {
        let totp = self.totp.as_ref().ok_or_else(|| ProbeError::unexpected("computing a code", "no app"))?;
        let step = totp.step_at(t.unix_secs()).ok().and_then(|s| s.offset(offset)).ok_or_else(|| {
            ProbeError::unexpected("computing a code", format!("no step {offset} from {t}"))
        })?;
        Ok(totp.code_for(step).to_string())
    }

    /// `n` distinct codes that are wrong at `t`: none matches a step within
    /// [`WRONG_CODE_CLEARANCE`] of `t`, nor `avoid` (an SMS code).
    pub(crate) fn wrong_codes(&self, t: SimTime, n: usize, avoid: Option<&str>) -> Vec<String> {
        let mut taken: std::collections::BTreeSet<String> = avoid.iter().map(|s| (*s).to_owned()).collect();
        if let Some(totp) = &self.totp
            && let Ok(now) = totp.step_at(t.unix_secs())
        {
            let steps = (-WRONG_CODE_CLEARANCE..=WRONG_CODE_CLEARANCE).filter_map(|k| now.offset(k));
            taken.extend(steps.map(|s| totp.code_for(s).to_string()));
        }
        let mut rng = self.guesses.lock().unwrap_or_else(PoisonError::into_inner);
        let mut codes = Vec::with_capacity(n);
        while codes.len() < n {
            let code = format!("{:06}", rng.random_range(0..1_000_000u32));
            if taken.insert(code.clone()) {
                codes.push(code);
            }
        }
        codes
    }
}

/// The target, its clock, and fresh subjects.
pub(crate) struct Lab {
    target: Arc<dyn Target>,
    capabilities: Capabilities,
    streams: Streams,
    clock: ClockMode,
    start: SimTime,
    password: String,
    created: AtomicU32,
}

impl Lab {
    /// A lab on `target` (reset first, as a conformance run does) with randomness from
    /// `seed`.
    pub(crate) fn new(target: Arc<dyn Target>, seed: u64) -> Result<Lab, ProbeError> {
        let capabilities = target.capabilities();
        target.reset().map_err(doing("resetting the target"))?;
        let streams = Streams::new(seed);
        // Simulated runs start at a seed-chosen step within a day, 15 s into it, so no code
        // sits on a step edge.
        let simulated = DEFAULT_EPOCH + STEP * (seed % 2880) as u32 + Duration::from_secs(15);
        let (clock, start) = if capabilities.has(Capability::ClockControl) {
            (ClockMode::Simulated, simulated)
        } else {
            match target.server_time().map_err(doing("reading the server's clock"))? {
                Some(t) => (ClockMode::ServerClock, t),
                None => (ClockMode::MappedClock, simulated),
            }
        };
        let password = format!("pw-{:016x}", streams.key64("probe-password", Concern::User));
        Ok(Lab { target, capabilities, streams, clock, start, password, created: AtomicU32::new(0) })
    }

    /// How time runs.
    pub(crate) fn clock(&self) -> ClockMode {
        self.clock
    }

    /// The target under probe.
    pub(crate) fn target(&self) -> &dyn Target {
        self.target.as_ref()
    }

    /// Why the probe cannot create accounts holding a `method` device (or phone) here.
    pub(crate) fn cannot_enrol(&self, method: Method) -> Option<String> {
        let needed = match method {
            Method::Sms => Capability::Sms,
            _ => Capability::VirtualMfa,
        };
        self.capabilities.missing([Capability::Accounts, needed]).first().map(|c| format!("needs {c}"))
    }

    /// Why a measurement answering prompts with `method` codes cannot run here, if it cannot.
    pub(crate) fn cannot_verify(&self, method: Method) -> Option<String> {
        self.cannot_enrol(method).or_else(|| {
            self.channel(method)
                .is_none()
                .then(|| "needs login or operation protection (a prompt to answer)".to_owned())
        })
    }

    /// Why a measurement that needs two accepted app codes on one device cannot run here.
    pub(crate) fn cannot_reuse_device(&self) -> Option<String> {
        (self.channel(Method::VirtualMfa) == Some(Channel::Unbinding)).then(|| {
            "the only prompt is unbinding, which removes the device once a code is accepted".to_owned()
        })
    }

    /// How codes of `method` reach the target.
    fn channel(&self, method: Method) -> Option<Channel> {
        if self.capabilities.has(Capability::LoginProtection) {
            Some(Channel::SignIn)
        } else if self.capabilities.has(Capability::OperationProtection) {
            Some(Channel::Operation)
        } else if method == Method::VirtualMfa && self.capabilities.has(Capability::VirtualMfa) {
            Some(Channel::Unbinding)
        } else {
            None
        }
    }

    /// Why a measurement that lets time pass cannot run here, if it cannot.
    pub(crate) fn cannot_wait(&self) -> Option<String> {
        (self.clock != ClockMode::Simulated).then(|| "needs clock control".to_owned())
    }

    /// Whether the target declares `capability`.
    pub(crate) fn has(&self, capability: Capability) -> bool {
        self.capabilities.has(capability)
    }

    /// Now: the simulated start, or the server's clock.
    pub(crate) fn now(&self) -> Result<SimTime, ProbeError> {
        match self.clock {
            ClockMode::ServerClock => self
                .target
                .server_time()
                .map_err(doing("reading the server's clock"))?
                .ok_or_else(|| ProbeError::unexpected("reading the server's clock", "no time")),
            ClockMode::Simulated | ClockMode::MappedClock => Ok(self.start),
        }
    }

    /// Runs a measurement at one instant. On a server's own clock, a measurement during which
    /// the step changed is run again (with fresh subjects), so an offset is never off by one.
    pub(crate) fn steady<T>(
        &self,
        mut measure: impl FnMut(SimTime) -> Result<T, ProbeError>,
    ) -> Result<T, ProbeError> {
        self.steady_after(|| Ok(()), |(), t| measure(t))
    }

    /// [`Lab::steady`] with `prepare` (creating accounts and binding devices, which takes a
    /// real server seconds) run before each try reads the clock, so only the measurement
    /// itself has to fit in one step.
    pub(crate) fn steady_after<P, T>(
        &self,
        mut prepare: impl FnMut() -> Result<P, ProbeError>,
        mut measure: impl FnMut(P, SimTime) -> Result<T, ProbeError>,
    ) -> Result<T, ProbeError> {
        for _ in 0..STEADY_TRIES {
            let prepared = prepare()?;
            let before = self.now()?;
            let value = measure(prepared, before)?;
            if self.clock != ClockMode::ServerClock || step_of(self.now()?) == step_of(before) {
                return Ok(value);
            }
        }
        Err(ProbeError::unexpected(
            "keeping a measurement within one time step",
            format!("the server's step changed during each of {STEADY_TRIES} tries"),
        ))
    }

    /// A measurement that lets simulated time pass: not measured without clock control.
    pub(crate) fn waiting<T>(&self, measure: impl FnMut(SimTime) -> Result<T, ProbeError>) -> Measured<T> {
        match self.cannot_wait() {
            Some(reason) => Measured::not_measured(reason),
            None => self.steady(measure).into(),
        }
    }

    /// A fresh account with a bound authenticator app, protected by it.
    ///
    /// `now` is the device's clock at binding: the target's now, since a target that maps
    /// device time onto its own clock (a profile's time shift) would otherwise see the
    /// device as far behind as the reading is old.
    pub(crate) fn totp_subject(&self, area: &str, now: SimTime) -> Result<Subject, ProbeError> {
        let mut subject = self.account(area)?;
        let mut rng = self.streams.stream(&subject.name, Concern::Seed);
        let bytes: Vec<u8> = (0..20).map(|_| rng.random::<u8>()).collect();
        let secret = Secret::from_bytes(bytes)
            .map_err(|e| ProbeError::unexpected("making a device key", e.to_string()))?;
        let setup = SetupDevice::Virtual { secret: secret.clone() };
        self.target
            .provision_device(&subject.name, &setup, now)
            .map_err(doing("binding a virtual MFA device"))?;
        self.protect(&subject.name, Method::VirtualMfa)?;
        subject.totp = Some(Totp::new(&secret, Algorithm::Sha1, Digits::SIX, Period::THIRTY_SECONDS, 0));
        Ok(subject)
    }

    /// A fresh account with a secure phone number, protected by SMS.
    pub(crate) fn sms_subject(&self, area: &str) -> Result<Subject, ProbeError> {
        let mut subject = self.account(area)?;
        let phone = format!("+1555{:07}", self.created.load(Ordering::Relaxed));
        self.target.set_phone(&subject.name, &phone, self.start).map_err(doing("binding a phone number"))?;
        self.protect(&subject.name, Method::Sms)?;
        subject.phone = Some(phone);
        Ok(subject)
    }

    /// Opens a prompt for `subject`'s code of `method`, or the refusal.
    pub(crate) fn open(&self, subject: &Subject, method: Method, t: SimTime) -> Result<Opened, ProbeError> {
        let channel =
            self.channel(method).ok_or_else(|| ProbeError::unexpected("opening a prompt", "no channel"))?;
        let login =
            self.target.login(&subject.name, &self.password, ORIGIN, t).map_err(doing("signing in"))?;
        let verdict = match (channel, login) {
            (_, refused @ Verdict::Rejected { .. }) => return Ok(Opened::Refused(refused)),
            (Channel::SignIn, verdict) => verdict,
            (Channel::Operation, Verdict::Accepted { session: Some(session) }) => self
                .target
                .perform(session, Operation::CreateAccessKey, t)
                .map_err(doing("running a sensitive operation"))?,
            (Channel::Unbinding, Verdict::Accepted { session: Some(session) }) => {
                let target = &self.target;
                match target
                    .start_unbinding(session, DeviceKind::Virtual, t)
                    .map_err(doing("starting to unbind"))?
                {
                    Verdict::ConfirmRequired { challenge } => {
                        target.confirm(challenge, t).map_err(doing("confirming the unbinding"))?
                    }
                    other => other,
                }
            }
            (_, other) => return Err(ProbeError::unexpected("signing in", other)),
        };
        match verdict {
            Verdict::ChallengeRequired { challenge, methods } if methods.contains(method) => {
                Ok(Opened::Prompt(challenge))
            }
            refused @ Verdict::Rejected { .. } => Ok(Opened::Refused(refused)),
            other => Err(ProbeError::unexpected("opening a prompt", other)),
        }
    }

    /// Opens a prompt that must open.
    pub(crate) fn prompt(
        &self,
        subject: &Subject,
        method: Method,
        t: SimTime,
    ) -> Result<ChallengeId, ProbeError> {
        match self.open(subject, method, t)? {
            Opened::Prompt(challenge) => Ok(challenge),
            Opened::Refused(verdict) => Err(ProbeError::unexpected("opening a prompt", verdict)),
        }
    }

    /// Opens `n` prompts one after another.
    pub(crate) fn prompts(
        &self,
        subject: &Subject,
        method: Method,
        n: usize,
        t: SimTime,
    ) -> Result<Vec<ChallengeId>, ProbeError> {
        (0..n).map(|_| self.prompt(subject, method, t)).collect()
    }

    /// Answers a prompt.
    pub(crate) fn answer(
        &self,
        challenge: ChallengeId,
        method: Method,
        code: &str,
        t: SimTime,
    ) -> Result<Verdict, ProbeError> {
        self.target.answer(challenge, method, code, t).map_err(doing("answering a prompt"))
    }

    /// Opens a prompt and answers it with an app code.
    pub(crate) fn try_code(&self, subject: &Subject, code: &str, t: SimTime) -> Result<Verdict, ProbeError> {
        let challenge = self.prompt(subject, Method::VirtualMfa, t)?;
        self.answer(challenge, Method::VirtualMfa, code, t)
    }

    /// Answers every prompt with its code at once: one thread each, released together.
    /// Answers come back in the order of `calls`. A request the target gave no usable
    /// answer to stays in the burst as what it is (privacyIDEA answers colliding requests
    /// with HTTP 500): the burst is an error only when no request got an answer.
    pub(crate) fn at_once(
        &self,
        calls: &[(ChallengeId, String)],
        method: Method,
        t: SimTime,
    ) -> Result<Vec<Answer>, ProbeError> {
        let barrier = Barrier::new(calls.len());
        let target = &self.target;
        let answers: Vec<_> = std::thread::scope(|scope| {
            let handles: Vec<_> = calls
                .iter()
                .map(|(challenge, code)| {
                    let barrier = &barrier;
                    scope.spawn(move || {
                        barrier.wait();
                        target.answer(*challenge, method, code, t)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join()).collect()
        });
        let answers = answers
            .into_iter()
            .map(|joined| {
                joined.map_err(|_| ProbeError::unexpected("answering prompts at once", "a thread panicked"))
            })
            .collect::<Result<Vec<Answer>, _>>()?;
        if answers.iter().any(Result::is_ok) {
            return Ok(answers);
        }
        match answers.into_iter().find_map(Result::err) {
            Some(first) => Err(doing("answering prompts at once")(first)),
            None => Ok(Vec::new()),
        }
    }

    /// Asks for an SMS code on a prompt.
    pub(crate) fn request_sms(&self, challenge: ChallengeId, t: SimTime) -> Result<Verdict, ProbeError> {
        self.target.request_sms(challenge, t).map_err(doing("asking for an SMS code"))
    }

    /// Asks for an SMS code that must be sent, and reads it.
    pub(crate) fn sms_code(
        &self,
        subject: &Subject,
        challenge: ChallengeId,
        t: SimTime,
    ) -> Result<String, ProbeError> {
        match self.request_sms(challenge, t)? {
            Verdict::SmsSent => {}
            other => return Err(ProbeError::unexpected("asking for an SMS code", other)),
        }
        let messages = self.target.take_sms(t).map_err(doing("reading the SMS sent"))?;
        messages
            .into_iter()
            .rev()
            .find(|m| subject.phone.as_deref() == Some(m.phone.as_str()))
            .map(|m| m.code)
            .ok_or_else(|| ProbeError::unexpected("reading the SMS sent", "no SMS reached the phone"))
    }

    /// Resynchronises `subject`'s app with two codes.
    pub(crate) fn resync(
        &self,
        subject: &Subject,
        first: &str,
        second: &str,
        t: SimTime,
    ) -> Result<Verdict, ProbeError> {
        self.target
            .resync(&subject.name, &self.password, DeviceKind::Virtual, first, second, t)
            .map_err(doing("resynchronising"))
    }

    fn account(&self, area: &str) -> Result<Subject, ProbeError> {
        let n = self.created.fetch_add(1, Ordering::Relaxed) + 1;
        let name = format!("{area}-{n}");
        let user = NewUser { name: name.clone(), password: self.password.clone(), role: Role::Root };
        self.target.create_user(&user, self.start).map_err(doing("creating an account"))?;
        let guesses = Mutex::new(self.streams.stream(&name, Concern::User));
        Ok(Subject { name, totp: None, phone: None, guesses })
    }

    /// Turns on the protection the channel needs (unbinding needs none).
    fn protect(&self, user: &str, method: Method) -> Result<(), ProbeError> {
        let scope = match self.channel(method) {
            Some(Channel::SignIn) => Scope::Login,
            Some(Channel::Operation) => Scope::Operation,
            Some(Channel::Unbinding) | None => return Ok(()),
        };
        self.target
            .provision_protection(user, scope, MethodSet::of(&[method]), self.start)
            .map_err(doing("turning protection on"))
    }
}

/// The 30-second step `t` is in.
fn step_of(t: SimTime) -> u64 {
    t.unix_secs() / STEP.as_secs()
}
