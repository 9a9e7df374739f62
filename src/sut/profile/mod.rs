//! Profile targets: an existing MFA server's own API, mapped onto the harness's operations by a
//! declarative TOML file (`docs/profiles.md`) instead of code. A profile names request
//! templates per operation, JSON-pointer extractors and ordered response rules; the engine here
//! renders, sends (reqwest's blocking client: steps call targets from plain threads), and turns
//! answers into [`Verdict`]s. A capability the profile does not map is not applicable, with the
//! profile's reason; an operation a profile lacks is an error, never a pass.
//!
//! Profile targets run on the server's real clock: the simulated time each call carries is
//! offered to templates (`{{sim_unix}}`, `{{server_offset}}`) but cannot move the server.

mod exchange;
mod load;
mod predicate;
mod schema;
mod template;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use base64::Engine as _;
use reqwest::blocking::Client;

use super::sms_sink::{SinkFormat, SmsSink};
use super::{Answer, Target, TargetError};
use crate::clock::SimTime;
use crate::protocol::{
    AccountView, BindingId, ChallengeId, DeviceKind, Enrolment, Method, MethodSet, NewUser, Operation,
    PolicyFacts, Role, Scope, SessionId, SetupDevice, SmsMessage, Verdict,
};
use crate::protocol::{Capabilities, Capability};
use crate::provision::TokenSeed;
use crate::sut::TargetFactory;
use crate::sut::TargetInfo;
use exchange::Rendered;
pub use load::Profile;
use predicate::{Reply, first_match};
use schema::{Auth, RequestSpec, ResultKind, RuleSpec};
use template::{Lookup, Template};

/// A profile that cannot be used: unreadable, invalid (with file, line and key), a secret that
/// cannot be found, or a server that does not answer the connect steps.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// The file could not be read.
    #[error("{}: {source}", path.display())]
    Read {
        /// The profile file.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a valid profile.
    #[error("{}:{line}:{column}: {key}{}{message}", file.display(), if key.is_empty() { "" } else { ": " })]
    Invalid {
        /// The profile file.
        file: PathBuf,
        /// 1-based line (0 when the key has no position).
        line: usize,
        /// 1-based column.
        column: usize,
        /// The dotted key, e.g. `operations.login.path`.
        key: String,
        /// What is wrong.
        message: String,
    },
    /// A secret is missing (its value is never shown).
    #[error("secret {name}: {message}")]
    Secret {
        /// The secret's name in `[secrets]`.
        name: String,
        /// Where it was looked for.
        message: String,
    },
    /// The SMS sink could not listen.
    #[error("sms sink on 127.0.0.1:{port}: {source}")]
    Sink {
        /// The port asked for.
        port: u16,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// Connecting (admin sign-in, connect steps, clock probe) failed.
    #[error("connecting to {url}: {source}")]
    Connect {
        /// The base URL.
        url: String,
        /// What went wrong, secrets redacted.
        #[source]
        source: TargetError,
    },
}

/// A connected profile: what the run needs to make one [`ProfileTarget`] per scenario.
pub struct Connection {
    shared: Arc<Shared>,
}

impl Connection {
    /// Loads the profile at `path` (secrets and `${ENV}` from the process environment),
    /// starts the SMS sink, signs in as admin, runs the connect steps and reads the server time.
    ///
    /// # Errors
    /// [`ProfileError`].
    pub fn open(path: &Path) -> Result<Connection, ProfileError> {
        Connection::open_with_env(path, &|name| std::env::var(name).ok())
    }

    /// [`Connection::open`] with the environment given.
    ///
    /// # Errors
    /// [`ProfileError`].
    pub fn open_with_env(
        path: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Connection, ProfileError> {
        let profile = Profile::load(path, env)?;
        let secrets = profile.secrets(env)?;
        let t = &profile.file.target;
        let client = exchange::client(
            Duration::from_millis(t.connect_timeout_ms),
            Duration::from_millis(t.request_timeout_ms),
        )
        .map_err(|message| ProfileError::Connect {
            url: profile.base_url.clone(),
            source: TargetError::NoAnswer { request: "building the HTTP client".into(), message },
        })?;
        let sink = match &profile.file.sms_sink {
            Some(s) => Some(
                SmsSink::start(
                    s.port,
                    SinkFormat {
                        path: s.path.clone(),
                        phone_pointer: s.phone_pointer.clone(),
                        code_pointer: s.code_pointer.clone(),
                        text_pointer: s.text_pointer.clone(),
                        code_digits: s.code_digits,
                        reply: s.reply.clone(),
                    },
                )
                .map_err(|source| ProfileError::Sink { port: s.port, source })?,
            ),
            None => None,
        };
        let shared = Arc::new(Shared {
            profile,
            secrets,
            client,
            admin_token: Mutex::new(None),
            sink,
            server_time: Mutex::new(None),
        });
        let url = shared.profile.base_url.clone();
        let probe = ProfileTarget::new(shared.clone(), 0);
        let fail = |source| ProfileError::Connect { url: url.clone(), source };
        for step in &shared.profile.file.connect {
            probe
                .run_steps("connect", std::slice::from_ref(step), Vars::new(), SimTime::from_unix_millis(0))
                .map_err(fail)?;
        }
        if let Some(step) = &shared.profile.file.clock.probe {
            probe
                .run_steps(
                    "clock probe",
                    std::slice::from_ref(step),
                    Vars::new(),
                    SimTime::from_unix_millis(0),
                )
                .map_err(fail)?;
        }
        *shared.server_time.lock().unwrap_or_else(PoisonError::into_inner) = probe.state().server_time;
        Ok(Connection { shared })
    }

    /// Name, kind `profile` and the profile file, for reports.
    pub fn info(&self) -> TargetInfo {
        self.shared.info()
    }

    /// The capabilities the profile maps completely.
    pub fn capabilities(&self) -> Capabilities {
        self.shared.profile.mapped.iter().copied().collect()
    }

    /// Every capability not mapped, with the profile's reason.
    pub fn not_applicable(&self) -> &BTreeMap<Capability, String> {
        &self.shared.profile.not_applicable
    }

    /// The server's clock as read at connect (Unix seconds), from the time pointer or the
    /// `Date` header.
    pub fn server_time(&self) -> Option<f64> {
        *self.shared.server_time.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A target for one scenario: names are kept apart by `{{scenario}}` (from `seed`).
    pub fn target(&self, seed: u64) -> ProfileTarget {
        ProfileTarget::new(self.shared.clone(), seed)
    }

    /// The runner's factory: one [`ProfileTarget`] per scenario seed.
    pub fn factory(&self) -> TargetFactory {
        let shared = self.shared.clone();
        Arc::new(move |seed| Ok(Arc::new(ProfileTarget::new(shared.clone(), seed)) as Arc<dyn Target>))
    }
}

/// One scenario's view of a profile-mapped server.
pub struct ProfileTarget {
    shared: Arc<Shared>,
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

type Vars = BTreeMap<String, String>;

/// What every scenario shares: the profile, the client, the admin token and the sink.
struct Shared {
    profile: Profile,
    secrets: BTreeMap<String, String>,
    client: Client,
    admin_token: Mutex<Option<String>>,
    sink: Option<SmsSink>,
    /// The server's time read at connect (Unix seconds).
    server_time: Mutex<Option<f64>>,
}

#[derive(Default)]
struct State {
    next_handle: u64,
    handles: BTreeMap<u64, Vars>,
    phones: BTreeSet<String>,
    server_time: Option<f64>,
}

/// What a step's answer means, before handles are opened.
enum Outcome {
    Ok,
    Accepted,
    Session,
    Rejected(crate::protocol::RejectReason),
    Challenge(MethodSet),
    Confirm,
    Binding(DeviceKind, Option<Enrolment>),
    SmsSent,
}

/// Variables whose values never appear in messages, whatever the profile says.
const ALWAYS_SECRET: &[&str] =
    &["password", "response", "first", "second", "code", "secret_hex", "secret_base32", "admin_token"];

impl Shared {
    fn info(&self) -> TargetInfo {
        TargetInfo {
            name: format!("{} ({})", self.profile.file.target.name, self.profile.base_url),
            kind: "profile".into(),
            profile: Some(self.profile.path.display().to_string()),
        }
    }

    /// `text` with every secret value replaced by `<redacted>`, and `secret=` URI parameters cut.
    fn redact(&self, text: &str, vars: &Vars) -> String {
        let mut values: Vec<String> = self.secrets.values().cloned().collect();
        if let Some(token) = self.admin_token.lock().unwrap_or_else(PoisonError::into_inner).clone() {
            values.push(token);
        }
        let secret_names = &self.profile.file.target.secret_variables;
        for (name, value) in vars {
            let bare = name.rsplit('.').next().unwrap_or(name);
            if ALWAYS_SECRET.contains(&bare) || secret_names.iter().any(|s| s == bare || s == name) {
                values.push(value.clone());
            }
        }
        values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        let mut out = text.to_owned();
        for value in values.iter().filter(|v| v.len() >= 4) {
            out = out.replace(value.as_str(), "<redacted>");
        }
        cut_uri_secrets(&out)
    }
}

impl ProfileTarget {
    fn new(shared: Arc<Shared>, seed: u64) -> ProfileTarget {
        let server_time = *shared.server_time.lock().unwrap_or_else(PoisonError::into_inner);
        ProfileTarget {
            shared,
            scenario: format!("{:08x}", seed & 0xffff_ffff),
            state: Mutex::new(State { server_time, ..State::default() }),
        }
    }

    /// Why each capability this profile lacks is not applicable.
    pub fn not_applicable(&self) -> &BTreeMap<Capability, String> {
        &self.shared.profile.not_applicable
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs operation `name` with `vars`; `Ok(None)` when the profile does not map it.
    fn operation(&self, name: &str, vars: Vars, now: SimTime) -> Answer<(Outcome, Vars)> {
        let Some(spec) = self.shared.profile.file.operations.get(name) else {
            return Err(TargetError::Refused {
                request: name.replace('_', " "),
                message: format!(
                    "the profile {} maps no operation {name}",
                    self.shared.profile.path.display()
                ),
            });
        };
        let spec = spec.get_ref();
        let steps: Vec<&RequestSpec> = std::iter::once(spec).chain(&spec.then).collect();
        self.run(name, &steps, vars, now)
    }

    fn run_steps(
        &self,
        name: &str,
        steps: &[RequestSpec],
        vars: Vars,
        now: SimTime,
    ) -> Answer<(Outcome, Vars)> {
        let steps: Vec<&RequestSpec> = steps.iter().collect();
        self.run(name, &steps, vars, now)
    }

    fn run(
        &self,
        name: &str,
        steps: &[&RequestSpec],
        mut vars: Vars,
        now: SimTime,
    ) -> Answer<(Outcome, Vars)> {
        let mut outcome = Outcome::Ok;
        for (i, step) in steps.iter().enumerate() {
            outcome = self.step(name, step, &mut vars, now)?;
            if !matches!(outcome, Outcome::Ok) || i + 1 == steps.len() {
                break;
            }
        }
        Ok((outcome, vars))
    }

    fn step(&self, name: &str, step: &RequestSpec, vars: &mut Vars, now: SimTime) -> Answer<Outcome> {
        if let Some(rule) = &step.outcome {
            let outcome = self.outcome(name, rule, &Reply { status: 200, json: None }, "", vars)?;
            self.apply_set(name, step, vars, now)?;
            return Ok(outcome);
        }
        let globals = self.globals(now);
        let rendered = {
            let scope = VarScope { vars, globals: &globals, shared: &self.shared };
            exchange::render(step, &scope).map_err(|m| TargetError::Refused {
                request: name.replace('_', " "),
                message: self.shared.redact(&m, vars),
            })?
        };
        let answered = self.exchange(&rendered, step.auth, vars)?;
        let reply = answered.reply;
        self.note_time(&reply, answered.date);
        let label = rendered.label();
        let rule = match &step.rules {
            Some(set) => {
                let rules = self.shared.profile.file.rules.get(set.get_ref()).map_or(&[][..], Vec::as_slice);
                match first_match(rules.iter().map(toml::Spanned::get_ref), &reply) {
                    Some(rule) => rule.clone(),
                    None => {
                        return Err(TargetError::NoAnswer {
                            request: label,
                            message: self.shared.redact(
                                &format!(
                                    "no rule of {:?} matches HTTP {}, answer starts {:?}",
                                    set.get_ref(),
                                    reply.status,
                                    answered.start
                                ),
                                vars,
                            ),
                        });
                    }
                }
            }
            None if (200..300).contains(&reply.status) => plain(ResultKind::Ok),
            None => {
                return Err(TargetError::Refused {
                    request: label,
                    message: self
                        .shared
                        .redact(&format!("HTTP {}, answer starts {:?}", reply.status, answered.start), vars),
                });
            }
        };
        if rule.result != ResultKind::Error {
            for (var, pointer) in &step.extract {
                if let Some(value) = reply.text_at(pointer) {
                    vars.insert(var.clone(), value);
                }
            }
        }
        let outcome = self.outcome(&label, &rule, &reply, &answered.start, vars)?;
        self.apply_set(&label, step, vars, now)?;
        Ok(outcome)
    }

    /// Renders the step's `set` templates into `vars`.
    fn apply_set(&self, label: &str, step: &RequestSpec, vars: &mut Vars, now: SimTime) -> Answer<()> {
        let globals = self.globals(now);
        let mut values = Vec::new();
        for (name, template) in &step.set {
            let scope = VarScope { vars, globals: &globals, shared: &self.shared };
            let value = Template::parse(template.get_ref())
                .and_then(|t| t.render(&scope).map_err(|v| format!("variable {v:?} is not set")))
                .map_err(|m| TargetError::Refused { request: label.to_owned(), message: m })?;
            values.push((name.clone(), value));
        }
        vars.extend(values);
        Ok(())
    }

    fn outcome(
        &self,
        label: &str,
        rule: &RuleSpec,
        reply: &Reply,
        start: &str,
        vars: &Vars,
    ) -> Answer<Outcome> {
        Ok(match rule.result {
            ResultKind::Ok => Outcome::Ok,
            ResultKind::Accepted => Outcome::Accepted,
            ResultKind::Session => Outcome::Session,
            // `check_rule` made sure a rejection has a reason.
            ResultKind::Rejected => {
                Outcome::Rejected(rule.reason.unwrap_or(crate::protocol::RejectReason::WrongCode))
            }
            ResultKind::Confirm => Outcome::Confirm,
            ResultKind::SmsSent => Outcome::SmsSent,
            ResultKind::Challenge => {
                let mut methods: MethodSet = rule.methods.iter().copied().collect();
                if let Some(from) = &rule.methods_from
                    && let Some(items) = reply.at(&from.each).and_then(|v| v.as_array())
                {
                    for item in items {
                        let word = item.pointer(&from.field).and_then(predicate::value_text);
                        if let Some(method) = word.and_then(|w| from.map.get(&w)) {
                            methods = methods.with(*method);
                        }
                    }
                }
                if methods.is_empty() {
                    return Err(TargetError::NoAnswer {
                        request: label.to_owned(),
                        message: self.shared.redact(
                            &format!(
                                "a challenge offering no method the profile maps, answer starts {start:?}"
                            ),
                            vars,
                        ),
                    });
                }
                Outcome::Challenge(methods)
            }
            ResultKind::Binding => {
                let kind = rule.kind.unwrap_or(DeviceKind::Virtual);
                let uri = rule.uri_pointer.as_deref().and_then(|p| reply.text_at(p));
                let enrolment = uri.map(|uri| {
                    let qr = rule
                        .qr_pointer
                        .as_deref()
                        .and_then(|p| reply.text_at(p))
                        .and_then(|d| decode_data_uri(&d))
                        .unwrap_or_else(|| crate::qr::encode_png(&uri));
                    Enrolment { uri, qr_png: qr }
                });
                Outcome::Binding(kind, enrolment)
            }
            ResultKind::Error => {
                let said = rule
                    .message_pointer
                    .as_deref()
                    .and_then(|p| reply.text_at(p))
                    .or_else(|| rule.message.clone())
                    .unwrap_or_else(|| format!("HTTP {}", reply.status));
                return Err(TargetError::Refused {
                    request: label.to_owned(),
                    message: self.shared.redact(&format!("{said}; answer starts {start:?}"), vars),
                });
            }
        })
    }

    /// Sends, adding the admin header (signing in first, and again once on `reauth_status`).
    fn exchange(&self, request: &Rendered, auth: Auth, vars: &Vars) -> Answer<exchange::Answered> {
        let base = &self.shared.profile.base_url;
        let no_answer = |message: String| TargetError::NoAnswer {
            request: request.label(),
            message: self.shared.redact(&message, vars),
        };
        if auth == Auth::None {
            return exchange::send(&self.shared.client, base, request, None).map_err(no_answer);
        }
        let Some(admin) = &self.shared.profile.file.admin else {
            return Err(TargetError::Refused {
                request: request.label(),
                message: "the step asks for admin auth but the profile has no [admin]".into(),
            });
        };
        for attempt in 0..2 {
            let token = self.admin_token(attempt > 0)?;
            let mut globals = Vars::new();
            globals.insert("admin_token".into(), token);
            let scope = VarScope { vars: &globals, globals: &Vars::new(), shared: &self.shared };
            let value = Template::parse(admin.value.get_ref())
                .and_then(|t| t.render(&scope).map_err(|v| format!("variable {v:?} is not set")))
                .map_err(|m| TargetError::Refused { request: "admin header".into(), message: m })?;
            let answered = exchange::send(&self.shared.client, base, request, Some((&admin.header, &value)))
                .map_err(no_answer)?;
            if answered.reply.status != admin.reauth_status || attempt > 0 {
                return Ok(answered);
            }
        }
        Err(no_answer("admin sign-in was refused twice".into()))
    }

    fn admin_token(&self, renew: bool) -> Answer<String> {
        let mut token = self.shared.admin_token.lock().unwrap_or_else(PoisonError::into_inner);
        if let (Some(t), false) = (token.as_ref(), renew) {
            return Ok(t.clone());
        }
        // `exchange` only asks when the profile has an [admin] section.
        let Some(admin) = &self.shared.profile.file.admin else {
            return Err(TargetError::Refused {
                request: "admin sign-in".into(),
                message: "no [admin]".into(),
            });
        };
        let vars = Vars::new();
        let globals = self.globals(SimTime::from_unix_millis(0));
        let scope = VarScope { vars: &vars, globals: &globals, shared: &self.shared };
        let request = exchange::render(&admin.login, &scope)
            .map_err(|m| TargetError::Refused { request: "admin sign-in".into(), message: m })?;
        let answered = exchange::send(&self.shared.client, &self.shared.profile.base_url, &request, None)
            .map_err(|m| TargetError::NoAnswer {
                request: request.label(),
                message: self.shared.redact(&m, &vars),
            })?;
        match answered.reply.text_at(&admin.token) {
            Some(t) if (200..300).contains(&answered.reply.status) => {
                *token = Some(t.clone());
                Ok(t)
            }
            _ => Err(TargetError::Refused {
                request: request.label(),
                message: self.shared.redact(
                    &format!(
                        "admin sign-in gave HTTP {} and no token at {}; answer starts {:?}",
                        answered.reply.status, admin.token, answered.start
                    ),
                    &vars,
                ),
            }),
        }
    }

    fn note_time(&self, reply: &Reply, date: Option<u64>) {
        let clock = &self.shared.profile.file.clock;
        let from_body = clock.time_pointer.as_deref().and_then(|p| reply.at(p)).and_then(|v| v.as_f64());
        let from_header = date.filter(|_| clock.date_header).map(|d| d as f64);
        if let Some(t) = from_body.or(from_header) {
            self.state().server_time = Some(t);
        }
    }

    fn globals(&self, now: SimTime) -> Vars {
        let mut g = Vars::new();
        g.insert("scenario".into(), self.scenario.clone());
        // Distinct per connection (the server's own clock at connect), so names a run creates
        // never meet the previous run's on a server that keeps state.
        let connected = *self.shared.server_time.lock().unwrap_or_else(PoisonError::into_inner);
        g.insert("run".into(), format!("{:x}", connected.map_or(0, |t| t as u64)));
        g.insert("sim_unix".into(), now.unix_secs().to_string());
        if let Some(sink) = &self.shared.sink {
            g.insert("sms_sink_url".into(), sink.url());
        }
        if let Some(server) = self.state().server_time {
            g.insert("server_offset".into(), (now.unix_secs() as i64 - server.round() as i64).to_string());
        }
        g
    }

    /// Opens a handle holding `vars` (handle prefixes stripped, so `session.user` survives a
    /// challenge answered into a session).
    fn open(&self, vars: &Vars) -> u64 {
        let mut kept = Vars::new();
        for (k, v) in vars {
            let bare = ["challenge.", "session.", "binding."].iter().find_map(|p| k.strip_prefix(p));
            match bare {
                Some(b) => {
                    kept.entry(b.to_owned()).or_insert_with(|| v.clone());
                }
                None => {
                    kept.insert(k.clone(), v.clone());
                }
            }
        }
        let mut state = self.state();
        state.next_handle += 1;
        let id = state.next_handle;
        state.handles.insert(id, kept);
        id
    }

    /// `vars` plus the handle's variables under `prefix.`.
    fn with_handle(&self, prefix: &str, id: u64, mut vars: Vars) -> Answer<Vars> {
        let state = self.state();
        let Some(held) = state.handles.get(&id) else {
            return Err(TargetError::Refused {
                request: format!("{prefix} {id}"),
                message: format!("no such {prefix} in this scenario"),
            });
        };
        for (k, v) in held {
            vars.insert(format!("{prefix}.{k}"), v.clone());
        }
        Ok(vars)
    }

    fn verdict(&self, outcome: Outcome, vars: &Vars) -> Verdict {
        match outcome {
            Outcome::Ok | Outcome::Accepted => Verdict::Accepted { session: None },
            Outcome::Session => Verdict::Accepted { session: Some(SessionId(self.open(vars))) },
            Outcome::Rejected(reason) => Verdict::Rejected { reason },
            Outcome::Challenge(methods) => {
                Verdict::ChallengeRequired { challenge: ChallengeId(self.open(vars)), methods }
            }
            Outcome::Confirm => Verdict::ConfirmRequired { challenge: ChallengeId(self.open(vars)) },
            Outcome::Binding(kind, enrolment) => {
                Verdict::BindingOpen { binding: BindingId(self.open(vars)), kind, enrolment }
            }
            Outcome::SmsSent => Verdict::SmsSent,
        }
    }

    fn flow(&self, name: &str, vars: Vars, now: SimTime) -> Answer {
        let (outcome, vars) = self.operation(name, vars, now)?;
        Ok(self.verdict(outcome, &vars))
    }

    fn setup(&self, name: &str, vars: Vars, now: SimTime) -> Answer<Vars> {
        let (outcome, vars) = self.operation(name, vars, now)?;
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

/// How templates see variables: the call's, then the globals, then secrets, then derived.
struct VarScope<'a> {
    vars: &'a Vars,
    globals: &'a Vars,
    shared: &'a Shared,
}

impl Lookup for VarScope<'_> {
    fn value(&self, name: &str) -> Option<String> {
        if let Some(v) = self.vars.get(name).or_else(|| self.globals.get(name)) {
            return Some(v.clone());
        }
        if let Some(secret) = name.strip_prefix("secret.") {
            return self.shared.secrets.get(secret).cloned();
        }
        let derived = self.shared.profile.file.derive.get(name)?;
        // Derived templates may use other derived ones; a cycle ends as "not set".
        let inner = VarScope { vars: self.vars, globals: self.globals, shared: self.shared };
        Template::parse(derived.get_ref()).ok()?.render(&inner).ok()
    }
}

fn plain(result: ResultKind) -> RuleSpec {
    RuleSpec {
        when: schema::Condition::default(),
        result,
        reason: None,
        methods: Vec::new(),
        methods_from: None,
        kind: None,
        uri_pointer: None,
        qr_pointer: None,
        message_pointer: None,
        message: None,
    }
}

fn vars(pairs: &[(&str, String)]) -> Vars {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect()
}

fn scope_word(scope: Scope) -> &'static str {
    match scope {
        Scope::Login => "login",
        Scope::Operation => "operation",
    }
}

fn methods_words(methods: MethodSet) -> String {
    let words: Vec<&str> = methods.iter().map(method_word).collect();
    words.join(",")
}

fn method_word(method: Method) -> &'static str {
    match method {
        Method::Sms => "sms",
        Method::VirtualMfa => "virtual_mfa",
        Method::HardwareMfa => "hardware_mfa",
        Method::Password => "password",
    }
}

fn kind_word(kind: DeviceKind) -> &'static str {
    match kind {
        DeviceKind::Virtual => "virtual",
        DeviceKind::Hardware => "hardware",
    }
}

fn operation_word(operation: Operation) -> &'static str {
    match operation {
        Operation::CreateAccessKey => "create_access_key",
        Operation::DeleteResource => "delete_resource",
        Operation::ChangeSecuritySettings => "change_security_settings",
        Operation::ListResources => "list_resources",
    }
}

fn parse_methods(text: Option<&String>) -> MethodSet {
    let Some(text) = text else { return MethodSet::NONE };
    text.split([',', ' '])
        .filter_map(|w| match w.trim() {
            "sms" => Some(Method::Sms),
            "virtual_mfa" => Some(Method::VirtualMfa),
            "hardware_mfa" => Some(Method::HardwareMfa),
            "password" => Some(Method::Password),
            _ => None,
        })
        .collect()
}

/// `true`, `yes`, or a number other than 0.
fn truthy(text: Option<&String>) -> bool {
    text.is_some_and(|t| {
        let t = t.trim();
        t.eq_ignore_ascii_case("true")
            || t.eq_ignore_ascii_case("yes")
            || t.parse::<f64>().is_ok_and(|n| n != 0.0)
    })
}

fn decode_data_uri(text: &str) -> Option<Vec<u8>> {
    let (_, data) = text.split_once(";base64,")?;
    base64::engine::general_purpose::STANDARD.decode(data.trim()).ok()
}

/// Cuts key material servers echo: the value of every `secret=` URI parameter and every
/// `seed://` key (privacyIDEA's `otpkey`).
fn cut_uri_secrets(text: &str) -> String {
    ["secret=", "seed://"].iter().fold(text.to_owned(), |text, marker| cut_after(&text, marker))
}

fn cut_after(text: &str, marker: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(marker) {
        out.push_str(&rest[..i + marker.len()]);
        out.push_str("<redacted>");
        let after = &rest[i + marker.len()..];
        let end = after.find(|c: char| !c.is_ascii_alphanumeric() && c != '%').unwrap_or(after.len());
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

impl Target for ProfileTarget {
    fn info(&self) -> TargetInfo {
        self.shared.info()
    }

    fn capabilities(&self) -> Capabilities {
        self.shared.profile.mapped.iter().copied().collect()
    }

    fn policy_facts(&self) -> PolicyFacts {
        let p = &self.shared.profile.file.policy;
        PolicyFacts {
            lockout_threshold: p.lockout_threshold,
            lockout_duration: Duration::from_secs(p.lockout_duration_secs),
            sms_max_attempts: p.sms_max_attempts,
        }
    }

    fn reset(&self) -> Answer<()> {
        let phones = {
            let mut state = self.state();
            state.handles.clear();
            std::mem::take(&mut state.phones)
        };
        if let Some(sink) = &self.shared.sink {
            sink.take_matching(|m| phones.contains(&m.phone));
        }
        if self.shared.profile.file.operations.contains_key("reset") {
            self.setup("reset", Vars::new(), SimTime::from_unix_millis(0))?;
        }
        Ok(())
    }

    fn create_user(&self, user: &NewUser, now: SimTime) -> Answer<()> {
        let (role, root) = match &user.role {
            Role::Root => ("root", String::new()),
            Role::Iam { root } => ("iam", root.clone()),
            Role::IamAdmin { root } => ("iam_admin", root.clone()),
        };
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
        let v = vars(&[
            ("user", user.into()),
            ("scope", scope_word(scope).into()),
            ("methods", methods_words(methods)),
        ]);
        self.setup("provision_protection", v, now).map(drop)
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

    fn take_sms(&self, now: SimTime) -> Answer<Vec<SmsMessage>> {
        let Some(sink) = &self.shared.sink else {
            return Err(TargetError::Refused {
                request: "collect SMS".into(),
                message: "the profile has no [sms_sink]".into(),
            });
        };
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
        let v = vars(&[
            ("user", user.into()),
            ("scope", scope_word(scope).into()),
            ("methods", methods_words(methods)),
        ]);
        let v = self.with_handle("session", session.0, v)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_material_in_quoted_answers_is_cut() {
        let quoted = r#"{"googleurl": "otpauth://totp/X?secret=JBSWY3DPEHPK3PXP&period=30", "otpkey": "seed://3132333435"}"#;
        let cut = cut_uri_secrets(quoted);
        assert!(!cut.contains("JBSWY3DPEHPK3PXP") && !cut.contains("3132333435"), "{cut}");
        assert!(cut.contains("secret=<redacted>&period=30") && cut.contains("seed://<redacted>\""), "{cut}");
    }
}
