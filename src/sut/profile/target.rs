//! One scenario's view of a profile-mapped server: the [`Target`] methods, each an operation
//! of the profile called with the variables `docs/profiles.md` lists, its outcome turned into a
//! verdict (opening a handle where the verdict names one) or, for setup, into "done".

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use super::Vars;
use super::connection::Shared;
use super::outcome::Outcome;
use super::record;
use super::state::State;
use super::vocabulary::{
    kind_word, method_flags, method_word, methods_words, operation_word, parse_methods, scope_word, truthy,
};
use crate::clock::SimTime;
use crate::protocol::{
    AccountView, AuthenticatorEvent, BindingId, Capabilities, Capability, ChallengeId, DeviceKind, Method,
    MethodSet, NewUser, Operation, PolicyFacts, Role, Scope, SessionId, SetupDevice, SmsMessage, Verdict,
};
use crate::provision::TokenSeed;
use crate::sut::{Answer, HttpExchange, Target, TargetError, TargetInfo};

/// One scenario's view of a profile-mapped server.
pub struct ProfileTarget {
    pub(super) shared: Arc<Shared>,
    scenario: String,
    state: Mutex<State>,
}

impl std::fmt::Debug for ProfileTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ProfileTarget {{ profile: {}, scenario: {} }}",
            self.shared.profile.path.display(),
            self.scenario
        )
    }
}

impl ProfileTarget {
    pub(super) fn new(shared: Arc<Shared>, seed: u64) -> ProfileTarget {
        let mut state = State::default();
        state.server_time = shared.connected_at.get().copied();
        ProfileTarget { shared, scenario: format!("{:08x}", seed & 0xffff_ffff), state: Mutex::new(state) }
    }

    /// Why each capability this profile lacks is not applicable.
    pub fn not_applicable(&self) -> &std::collections::BTreeMap<Capability, String> {
        &self.shared.profile.not_applicable
    }

    /// `{{scenario}}`: 8 hex digits of the scenario's seed.
    pub(super) fn scenario(&self) -> &str {
        &self.scenario
    }

    pub(super) fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn verdict(&self, outcome: Outcome, vars: &Vars) -> Verdict {
        match outcome {
            Outcome::Ok | Outcome::Accepted => Verdict::Accepted { session: None },
            Outcome::Session => Verdict::Accepted { session: Some(SessionId(self.state().open(vars))) },
            Outcome::Rejected(reason) => Verdict::Rejected { reason },
            Outcome::Challenge(methods) => {
                Verdict::ChallengeRequired { challenge: ChallengeId(self.state().open(vars)), methods }
            }
            Outcome::Confirm => Verdict::ConfirmRequired { challenge: ChallengeId(self.state().open(vars)) },
            Outcome::Binding(kind, enrolment) => {
                Verdict::BindingOpen { binding: BindingId(self.state().open(vars)), kind, enrolment }
            }
            Outcome::SmsSent => Verdict::SmsSent,
        }
    }

    fn with_handle(&self, prefix: &str, id: u64, vars: Vars) -> Answer<Vars> {
        self.state().with_handle(prefix, id, vars)
    }

    /// A flow at `now` (the server's clock set there, if the harness sets it): the operation's
    /// verdict.
    fn flow(&self, name: &str, vars: Vars, now: SimTime) -> Answer {
        self.shared.set_clock(now)?;
        let (outcome, vars) = self.operation(name, vars, now)?;
        Ok(self.verdict(outcome, &vars))
    }

    /// A setup at `now` (the server's clock set there, if the harness sets it).
    fn setup(&self, name: &str, vars: Vars, now: SimTime) -> Answer<Vars> {
        self.shared.set_clock(now)?;
        let (outcome, vars) = self.operation(name, vars, now)?;
        self.done(name, outcome, vars)
    }

    /// A setup's outcome: done, with the variables it extracted; any verdict is a refusal.
    fn done(&self, name: &str, outcome: Outcome, vars: Vars) -> Answer<Vars> {
        match outcome {
            Outcome::Ok | Outcome::Accepted => Ok(vars),
            other => {
                let verdict = self.verdict(other, &vars);
                Err(TargetError::Refused {
                    request: name.replace('_', " "),
                    message: format!("the setup was answered with {verdict}"),
                })
            }
        }
    }
}

fn vars(pairs: &[(&str, String)]) -> Vars {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect()
}

/// A protection setting's variables: the user, the scope, the methods as words, and a
/// `methods.M` flag per method (see [`method_flags`]).
fn protection_vars(user: &str, scope: Scope, methods: MethodSet) -> Vars {
    let mut v = vars(&[
        ("user", user.into()),
        ("scope", scope_word(scope).into()),
        ("methods", methods_words(methods)),
    ]);
    v.extend(method_flags(methods));
    v
}

impl Target for ProfileTarget {
    fn info(&self) -> TargetInfo {
        self.shared.info()
    }

    fn capabilities(&self) -> Capabilities {
        self.shared.capabilities()
    }

    /// With a faketime clock the harness sets the server's time: `None`. On a real clock, the
    /// clock probe's reading, so the scenario starts at the server's time.
    fn server_time(&self) -> Answer<Option<SimTime>> {
        if self.shared.faketime.is_some() {
            return Ok(None);
        }
        self.read_clock().map(|reading| Some(reading.sim_time()))
    }

    fn take_exchanges(&self) -> Vec<HttpExchange> {
        self.shared.transport.take_exchanges(&self.shared.redactor)
    }

    fn latest_clock(&self) -> Option<(SimTime, String)> {
        let latest = self.shared.profile.file.clock.latest.as_ref()?;
        Some((SimTime::from_unix_secs(latest.unix), latest.why.clone()))
    }

    fn policy_facts(&self) -> PolicyFacts {
        let p = &self.shared.profile.file.policy;
        PolicyFacts {
            lockout_threshold: p.lockout_threshold,
            lockout_duration: p.lockout_duration_secs.map(Duration::from_secs),
            sms_max_attempts: p.sms_max_attempts,
            sms_lifetime: p.sms_lifetime_secs.map(Duration::from_secs),
            window_behind: p.window_behind_steps,
            window_ahead: p.window_ahead_steps,
            prompt_lifetime: p.prompt_lifetime_secs.map(Duration::from_secs),
            resync_range: p.resync_range_steps,
        }
    }

    fn reset(&self) -> Answer<()> {
        let phones = self.state().clear();
        if let Some(sink) = &self.shared.sink {
            sink.take_matching(|m| phones.contains(&m.phone));
        }
        if self.shared.profile.file.operations.contains_key("reset") {
            // Before the scenario's time is known: the server's clock is left where it is.
            let (outcome, vars) = self.operation("reset", Vars::new(), SimTime::from_unix_millis(0))?;
            self.done("reset", outcome, vars)?;
        }
        Ok(())
    }

    fn create_user(&self, user: &NewUser, now: SimTime) -> Answer<()> {
        let (role, root) = match &user.role {
            Role::Root => ("root", String::new()),
            Role::Iam { root } => ("iam", root.clone()),
            Role::IamAdmin { root } => ("iam_admin", root.clone()),
        };
        self.state().roles.insert(user.name.clone(), role.to_owned());
        let v = vars(&[
            ("user", user.name.clone()),
            ("password", user.password.clone()),
            ("role", role.into()),
            ("root", root),
        ]);
        self.setup("create_user", v, now).map(drop)
    }

    fn set_phone(&self, user: &str, phone: &str, now: SimTime) -> Answer<()> {
        self.state().phones.insert(phone.to_owned());
        self.setup("set_phone", vars(&[("user", user.into()), ("phone", phone.into())]), now).map(drop)
    }

    fn set_beta(&self, user: &str, on: bool, now: SimTime) -> Answer<()> {
        self.setup("set_beta", vars(&[("user", user.into()), ("on", on.to_string())]), now).map(drop)
    }

    fn import_seeds(&self, seeds: &[TokenSeed], now: SimTime) -> Answer<()> {
        for seed in seeds {
            let v = vars(&[
                ("serial", seed.serial.clone()),
                ("secret_hex", seed.secret.to_hex()),
                ("secret_base32", seed.secret.to_base32()),
                ("algorithm", seed.algorithm.name().to_lowercase()),
                ("digits", seed.digits.get().to_string()),
                ("period", seed.period.seconds().to_string()),
                ("t0", seed.t0.to_string()),
            ]);
            self.setup("import_seed", v, now)?;
        }
        Ok(())
    }

    fn provision_device(&self, user: &str, device: &SetupDevice, now: SimTime) -> Answer<()> {
        match device {
            SetupDevice::Virtual { secret } => {
                let v = vars(&[
                    ("user", user.into()),
                    ("secret_hex", secret.to_hex()),
                    ("secret_base32", secret.to_base32()),
                ]);
                self.setup("provision_virtual", v, now).map(drop)
            }
            SetupDevice::Hardware { serial } => self
                .setup("provision_hardware", vars(&[("user", user.into()), ("serial", serial.clone())]), now)
                .map(drop),
        }
    }

    fn provision_protection(&self, user: &str, scope: Scope, methods: MethodSet, now: SimTime) -> Answer<()> {
        self.setup("provision_protection", protection_vars(user, scope, methods), now).map(drop)
    }

    fn account(&self, user: &str, now: SimTime) -> Answer<AccountView> {
        let found = self.setup("account", vars(&[("user", user.into())]), now)?;
        Ok(AccountView {
            name: user.to_owned(),
            login: parse_methods(found.get("login")),
            operation: parse_methods(found.get("operation")),
            virtual_bound: truthy(found.get("virtual_bound")),
            hardware_serial: found.get("hardware_serial").filter(|s| !s.is_empty()).cloned(),
        })
    }

    fn authenticator_record(&self, user: &str, now: SimTime) -> Answer<Vec<AuthenticatorEvent>> {
        let found = self.setup("authenticator_record", vars(&[("user", user.into())]), now)?;
        let text = found.get(record::VAR).ok_or_else(|| TargetError::Refused {
            request: "read authenticator record".into(),
            message: "no step of the profile's authenticator_record has a `record`".into(),
        })?;
        serde_json::from_str(text).map_err(|e| TargetError::NoAnswer {
            request: "read authenticator record".into(),
            message: format!("the events read back: {e}"),
        })
    }

    fn take_sms(&self, now: SimTime) -> Answer<Vec<SmsMessage>> {
        // Without a sink no SMS can be read: there are none to collect (and `sms` is not
        // applicable, so no scenario waits for one).
        let Some(sink) = &self.shared.sink else { return Ok(Vec::new()) };
        let phones = self.state().phones.clone();
        // The sink is shared by every target of the connection; only this one's phones count. The
        // server's send time is not observable, so an SMS counts as sent when collected.
        Ok(sink
            .take_matching(|m| phones.contains(&m.phone))
            .into_iter()
            .map(|m| SmsMessage { phone: m.phone, text: m.text, code: m.code, sent_at: now })
            .collect())
    }

    fn login(&self, user: &str, password: &str, origin: &str, now: SimTime) -> Answer {
        let v = vars(&[("user", user.into()), ("password", password.into()), ("origin", origin.into())]);
        self.flow("login", v, now)
    }

    fn request_sms(&self, challenge: ChallengeId, now: SimTime) -> Answer {
        let v = self.with_handle("challenge", challenge.0, Vars::new())?;
        self.flow("request_sms", v, now)
    }

    fn answer(&self, challenge: ChallengeId, method: Method, response: &str, now: SimTime) -> Answer {
        let v = vars(&[("method", method_word(method).into()), ("response", response.into())]);
        let v = self.with_handle("challenge", challenge.0, v)?;
        // A prompt may name the operation that answers it (identity checks and code prompts
        // usually go to different endpoints).
        let op = v.get("challenge.answer_op").cloned().unwrap_or_else(|| "answer".into());
        if !op.starts_with("answer") {
            return Err(TargetError::Refused {
                request: "answer".into(),
                message: format!("answer_op {op:?} does not name an answer operation"),
            });
        }
        self.flow(&op, v, now)
    }

    fn confirm(&self, challenge: ChallengeId, now: SimTime) -> Answer {
        let v = self.with_handle("challenge", challenge.0, Vars::new())?;
        self.flow("confirm", v, now)
    }

    fn perform(&self, session: SessionId, operation: Operation, now: SimTime) -> Answer {
        let v =
            self.with_handle("session", session.0, vars(&[("operation", operation_word(operation).into())]))?;
        self.flow("perform", v, now)
    }

    fn set_protection(
        &self,
        session: SessionId,
        user: &str,
        scope: Scope,
        methods: MethodSet,
        now: SimTime,
    ) -> Answer {
        let v = self.with_handle("session", session.0, protection_vars(user, scope, methods))?;
        self.flow("set_protection", v, now)
    }

    fn start_binding(&self, session: SessionId, kind: DeviceKind, now: SimTime) -> Answer {
        let v = self.with_handle("session", session.0, vars(&[("kind", kind_word(kind).into())]))?;
        self.flow("start_binding", v, now)
    }

    fn finish_virtual_binding(&self, binding: BindingId, first: &str, second: &str, now: SimTime) -> Answer {
        let v = self.with_handle(
            "binding",
            binding.0,
            vars(&[("first", first.into()), ("second", second.into())]),
        )?;
        self.flow("finish_virtual_binding", v, now)
    }

    fn finish_hardware_binding(&self, binding: BindingId, serial: &str, code: &str, now: SimTime) -> Answer {
        let v = self.with_handle(
            "binding",
            binding.0,
            vars(&[("serial", serial.into()), ("code", code.into())]),
        )?;
        self.flow("finish_hardware_binding", v, now)
    }

    fn start_unbinding(&self, session: SessionId, kind: DeviceKind, now: SimTime) -> Answer {
        let v = self.with_handle("session", session.0, vars(&[("kind", kind_word(kind).into())]))?;
        self.flow("start_unbinding", v, now)
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
        let v = vars(&[
            ("user", user.into()),
            ("password", password.into()),
            ("kind", kind_word(kind).into()),
            ("first", first.into()),
            ("second", second.into()),
        ]);
        self.flow("resync", v, now)
    }

    fn support_reset(&self, user: &str, kind: DeviceKind, now: SimTime) -> Answer {
        self.flow("support_reset", vars(&[("user", user.into()), ("kind", kind_word(kind).into())]), now)
    }
}
