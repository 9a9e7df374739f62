//! Reading and checking a profile: TOML errors and every semantic check name the file, the
//! line and the key; secrets are resolved from the environment or a file here and nowhere else.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use toml::Spanned;

use super::ProfileError;
use super::schema::{ProfileFile, RequestSpec, ResultKind, RuleSpec, Source};
use super::template::{Template, expand_env};
use super::vocabulary::METHOD_FLAGS;
use crate::protocol::Capability;

/// What a protection setting supplies (`provision_protection`, `set_protection`): the person,
/// their role, the scope, the methods as words and a `yes`/`no` flag per method.
const PROTECTION_ARGUMENTS: [&str; 8] =
    ["user", "role", "scope", "methods", METHOD_FLAGS[0], METHOD_FLAGS[1], METHOD_FLAGS[2], METHOD_FLAGS[3]];

/// The harness operations a profile may map, with the variables each call supplies. `role` is
/// the named person's role as `create_user` was given it.
pub const OPERATIONS: &[(&str, &[&str])] = &[
    ("reset", &[]),
    ("create_user", &["user", "password", "role", "root"]),
    ("set_phone", &["user", "role", "phone"]),
    ("set_beta", &["user", "role", "on"]),
    ("import_seed", &["serial", "secret_hex", "secret_base32", "algorithm", "digits", "period", "t0"]),
    ("provision_virtual", &["user", "role", "secret_hex", "secret_base32"]),
    ("provision_hardware", &["user", "role", "serial"]),
    ("provision_protection", &PROTECTION_ARGUMENTS),
    ("account", &["user", "role"]),
    ("authenticator_record", &["user", "role"]),
    ("login", &["user", "role", "password", "origin"]),
    ("request_sms", &[]),
    ("answer", &["method", "response"]),
    ("confirm", &[]),
    ("perform", &["operation"]),
    ("set_protection", &PROTECTION_ARGUMENTS),
    ("start_binding", &["kind"]),
    ("finish_virtual_binding", &["first", "second"]),
    ("finish_hardware_binding", &["serial", "code"]),
    ("start_unbinding", &["kind"]),
    ("resync", &["user", "role", "password", "kind", "first", "second"]),
    ("support_reset", &["user", "role", "kind"]),
];

/// The variables a call of operation `name` supplies; `answer_*` operations answer prompts
/// whose `answer_op` names them, with the arguments of `answer`.
pub fn arguments(name: &str) -> Option<&'static [&'static str]> {
    let lookup = if name.starts_with("answer_") { "answer" } else { name };
    OPERATIONS.iter().find(|(op, _)| *op == lookup).map(|(_, args)| *args)
}

/// Why clock control is not applicable to a profile without a faketime clock.
const REAL_CLOCK: &str = "needs clock control: the server runs on its real clock (no [clock] faketime_file)";

/// Why no profile target has an exact clock.
const INEXACT_CLOCK: &str = "the server's clock is libfaketime's or its own: it runs on from each setting by however long a request takes, so the harness cannot act at an exact instant";

/// Why SMS is not applicable to a profile without a sink to read the codes from.
const NO_SINK: &str = "the profile has no [sms_sink] to read the server's SMS codes from";

/// Variables every template may use.
pub const GLOBALS: &[&str] = &["scenario", "run", "sms_sink_url", "admin_token", "sim_unix", "server_offset"];

/// The operations each capability needs. A mapped capability missing one is not applicable.
/// Clock control needs no operation but a `[clock] faketime_file`.
pub fn needed_operations(capability: Capability) -> &'static [&'static str] {
    match capability {
        Capability::ClockControl | Capability::ExactClock => &[],
        Capability::Accounts => &["create_user"],
        Capability::Iam => &["create_user", "login"],
        Capability::AdminProtection => &["login", "set_protection"],
        Capability::OwnProtection => &["login", "set_protection"],
        Capability::VirtualMfa => {
            &["provision_virtual", "start_binding", "finish_virtual_binding", "account"]
        }
        Capability::HardwareMfa => {
            &["import_seed", "provision_hardware", "finish_hardware_binding", "account"]
        }
        Capability::BetaList => &["set_beta"],
        Capability::Sms => &["set_phone", "request_sms"],
        Capability::LoginProtection => &["login", "answer", "provision_protection"],
        Capability::OperationProtection => &["perform", "answer", "provision_protection"],
        Capability::Resync => &["resync"],
        Capability::SupportReset => &["support_reset"],
        Capability::AuthenticatorRecord => &["authenticator_record"],
    }
}

/// A checked profile.
pub struct Profile {
    /// The file it came from.
    pub path: PathBuf,
    /// Its content.
    pub file: ProfileFile,
    /// The base URL, environment expanded, without a trailing `/`.
    pub base_url: String,
    /// The libfaketime file the server's clock is read from, when the harness sets it.
    pub faketime: Option<PathBuf>,
    /// Capabilities mapped and complete.
    pub mapped: BTreeSet<Capability>,
    /// Every other capability, with the reason it is not applicable.
    pub not_applicable: BTreeMap<Capability, String>,
}

impl Profile {
    /// Reads and checks the profile at `path`, expanding `${ENV}` with `env`.
    ///
    /// # Errors
    /// [`ProfileError`] naming the file, line and key.
    pub fn load(path: &Path, env: &dyn Fn(&str) -> Option<String>) -> Result<Profile, ProfileError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| ProfileError::Read { path: path.to_owned(), source })?;
        Profile::parse(path, &text, env)
    }

    /// Checks profile `text` (as if read from `path`).
    ///
    /// # Errors
    /// [`ProfileError`] naming the file, line and key.
    pub fn parse(
        path: &Path,
        text: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Profile, ProfileError> {
        // `${ENV}` anywhere in the file, before parsing: expansion keeps line numbers (values
        // are single-line) and spares every field its own expansion.
        let expanded = expand_env(text, env).map_err(|message| {
            let line = text.lines().position(|l| l.contains("${")).map_or(0, |i| i + 1);
            ProfileError::Invalid { file: path.to_owned(), line, column: 0, key: String::new(), message }
        })?;
        let text = expanded.as_str();
        let at = Locator { path, text };
        let file: ProfileFile = toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map_or((0, 0), |s| at.line_column(s.start));
            ProfileError::Invalid {
                file: path.to_owned(),
                line,
                column,
                key: String::new(),
                message: e.message().to_owned(),
            }
        })?;
        let base_url = expand_env(file.target.base_url.get_ref(), env)
            .map_err(|m| at.error(file.target.base_url.span(), "target.base_url", m))?;
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(at.error(
                file.target.base_url.span(),
                "target.base_url",
                format!("{base_url:?} is not an http:// or https:// URL"),
            ));
        }
        let base_url = base_url.trim_end_matches('/').to_owned();
        check_file(&file, &at)?;
        let faketime = file
            .clock
            .faketime_file
            .as_ref()
            .map(|f| f.get_ref().trim())
            .filter(|f| !f.is_empty())
            .map(PathBuf::from);

        let mut mapped = BTreeSet::new();
        let mut not_applicable = BTreeMap::new();
        for name in &file.capabilities.maps {
            let capability = Capability::from_str(name.get_ref())
                .map_err(|m| at.error(name.span(), "capabilities.maps", m))?;
            let missing: Vec<&str> = needed_operations(capability)
                .iter()
                .copied()
                .filter(|op| !file.operations.contains_key(*op))
                .collect();
            if capability == Capability::ExactClock {
                return Err(at.error(name.span(), "capabilities.maps", INEXACT_CLOCK.into()));
            }
            if capability == Capability::ClockControl && faketime.is_none() {
                not_applicable.insert(capability, REAL_CLOCK.into());
            } else if capability == Capability::Sms && file.sms_sink.is_none() {
                not_applicable.insert(capability, NO_SINK.into());
            } else if missing.is_empty() {
                mapped.insert(capability);
            } else {
                not_applicable.insert(capability, format!("the profile maps no {}", missing.join(", ")));
            }
        }
        for (name, reason) in &file.capabilities.not_applicable {
            let capability = Capability::from_str(name)
                .map_err(|m| at.error(reason.span(), &format!("capabilities.not_applicable.{name}"), m))?;
            if mapped.contains(&capability) {
                return Err(at.error(
                    reason.span(),
                    &format!("capabilities.not_applicable.{name}"),
                    "listed as mapped and as not applicable".into(),
                ));
            }
            not_applicable.insert(capability, reason.get_ref().clone());
        }
        if let Some(file_name) = &file.clock.faketime_file
            && faketime.is_some()
            && !mapped.contains(&Capability::ClockControl)
        {
            return Err(at.error(
                file_name.span(),
                "clock.faketime_file",
                "a faketime clock is clock control: list \"clock-control\" in capabilities.maps".into(),
            ));
        }
        for capability in Capability::ALL {
            if !mapped.contains(&capability) {
                not_applicable.entry(capability).or_insert_with(|| match capability {
                    Capability::ClockControl => REAL_CLOCK.into(),
                    Capability::ExactClock => INEXACT_CLOCK.into(),
                    _ => "not mapped by the profile".into(),
                });
            }
        }
        Ok(Profile { path: path.to_owned(), file, base_url, faketime, mapped, not_applicable })
    }

    /// The secrets of `[secrets]`: each from its environment variable, else its file.
    ///
    /// # Errors
    /// [`ProfileError::Secret`] naming the secret and where it was looked for (never its value).
    pub fn secrets(
        &self,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<BTreeMap<String, String>, ProfileError> {
        let mut out = BTreeMap::new();
        for (name, source) in &self.file.secrets {
            let from_env = source.env.as_deref().and_then(env).filter(|v| !v.is_empty());
            let value = match from_env {
                Some(v) => v,
                None => {
                    let Some(file) = &source.file else {
                        return Err(ProfileError::Secret {
                            name: name.clone(),
                            message: format!(
                                "environment variable {} is not set and no file is named",
                                source.env.as_deref().unwrap_or("(none)")
                            ),
                        });
                    };
                    let file = expand_env(file, env)
                        .map_err(|message| ProfileError::Secret { name: name.clone(), message })?;
                    let text = std::fs::read_to_string(&file).map_err(|e| ProfileError::Secret {
                        name: name.clone(),
                        message: format!("{file}: {e}"),
                    })?;
                    text.lines().next().unwrap_or("").trim().to_owned()
                }
            };
            if value.is_empty() {
                return Err(ProfileError::Secret { name: name.clone(), message: "empty".into() });
            }
            out.insert(name.clone(), value);
        }
        Ok(out)
    }
}

struct Locator<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Locator<'_> {
    fn line_column(&self, offset: usize) -> (usize, usize) {
        let before = &self.text[..offset.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
        (line, column)
    }

    fn error(&self, span: Range<usize>, key: &str, message: String) -> ProfileError {
        let (line, column) = self.line_column(span.start);
        ProfileError::Invalid { file: self.path.to_owned(), line, column, key: key.to_owned(), message }
    }
}

/// Operation names, rule references, templates and their variables.
fn check_file(file: &ProfileFile, at: &Locator<'_>) -> Result<(), ProfileError> {
    let mut known: BTreeSet<String> = GLOBALS.iter().map(|s| (*s).to_owned()).collect();
    known.extend(file.derive.keys().cloned());
    known.extend(file.secrets.keys().map(|k| format!("secret.{k}")));
    for (name, template) in &file.derive {
        check_template(template, &format!("derive.{name}"), &known, at, true)?;
    }
    for (i, step) in file.connect.iter().enumerate() {
        check_request(file, step, &format!("connect[{i}]"), 0..0, &mut known.clone(), at)?;
    }
    if let Some(admin) = &file.admin {
        check_request(file, &admin.login, "admin.login", 0..0, &mut known.clone(), at)?;
        check_template(&admin.value, "admin.value", &known, at, false)?;
    }
    check_clock(file, &known, at)?;
    for (name, spec) in &file.operations {
        let key = format!("operations.{name}");
        let Some(args) = arguments(name) else {
            let names: Vec<&str> = OPERATIONS.iter().map(|(n, _)| *n).collect();
            return Err(at.error(
                spec.span(),
                &key,
                format!("unknown operation; known: {}", names.join(", ")),
            ));
        };
        let mut vars = known.clone();
        vars.extend(args.iter().map(|a| (*a).to_owned()));
        check_request(file, spec.get_ref(), &key, spec.span(), &mut vars, at)?;
        for (i, step) in spec.get_ref().then.iter().enumerate() {
            if !step.then.is_empty() {
                return Err(at.error(
                    spec.span(),
                    &format!("{key}.then[{i}]"),
                    "`then` does not nest".into(),
                ));
            }
            check_request(file, step, &format!("{key}.then[{i}]"), spec.span(), &mut vars, at)?;
        }
        // The events are read from an answer of authenticator_record, and only from there.
        let steps = std::iter::once(spec.get_ref()).chain(&spec.get_ref().then);
        let records = steps.filter(|s| s.record.is_some()).count();
        match (name.as_str(), records) {
            ("authenticator_record", 0) => {
                let message = "needs a `record` on one of its steps (where the events are read)";
                return Err(at.error(spec.span(), &key, message.into()));
            }
            ("authenticator_record", _) | (_, 0) => {}
            _ => {
                let message = "`record` belongs to operations.authenticator_record only";
                return Err(at.error(spec.span(), &key, message.into()));
            }
        }
    }
    for (name, rules) in &file.rules {
        for (i, rule) in rules.iter().enumerate() {
            check_rule(rule.get_ref())
                .map_err(|m| at.error(rule.span(), &format!("rules.{name}[{i}]"), m))?;
        }
    }
    Ok(())
}

/// Every profile says how to read the server's time: scenarios on a real clock start at it,
/// and a faketime clock is checked against it at connect.
fn check_clock(file: &ProfileFile, known: &BTreeSet<String>, at: &Locator<'_>) -> Result<(), ProfileError> {
    let section = at.text.find("[clock]").map_or(0..0, |i| i..i);
    let Some(probe) = &file.clock.probe else {
        return Err(at.error(
            section,
            "clock.probe",
            "missing: a request whose answer carries the server's time (scenarios start at it)".into(),
        ));
    };
    check_request(file, probe, "clock.probe", section.clone(), &mut known.clone(), at)?;
    if file.clock.time_pointer.is_none() && !file.clock.date_header {
        return Err(at.error(
            section,
            "clock",
            "say where the probe's answer has the time: time_pointer, date_header = true, or both".into(),
        ));
    }
    Ok(())
}

/// `span` locates the step's errors that have no value of their own to point at (the
/// operation's table, or the file start for top-level steps).
fn check_request(
    file: &ProfileFile,
    step: &RequestSpec,
    key: &str,
    span: Range<usize>,
    vars: &mut BTreeSet<String>,
    at: &Locator<'_>,
) -> Result<(), ProfileError> {
    match (&step.path, &step.method, &step.outcome) {
        (Some(path), Some(method), None) => {
            check_template(path, &format!("{key}.path"), vars, at, false)?;
            if !["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&method.get_ref().as_str()) {
                return Err(at.error(
                    method.span(),
                    &format!("{key}.method"),
                    format!("unknown method {:?}", method.get_ref()),
                ));
            }
        }
        (None, None, Some(outcome)) => {
            check_rule(outcome).map_err(|m| at.error(span.clone(), &format!("{key}.outcome"), m))?;
        }
        _ => {
            let span = step.path.as_ref().map_or(span.clone(), Spanned::span);
            return Err(at.error(span, key, "a step has `method` and `path`, or only `outcome`".into()));
        }
    }
    for (section, fields) in [
        ("query", &step.query),
        ("form", &step.form),
        ("multipart", &step.multipart),
        ("headers", &step.headers),
    ] {
        for (name, value) in fields {
            check_template(value, &format!("{key}.{section}.{name}"), vars, at, false)?;
        }
    }
    if !step.form.is_empty() as u8 + step.json.is_some() as u8 + !step.multipart.is_empty() as u8 > 1 {
        return Err(at.error(span, key, "at most one of form, json and multipart".into()));
    }
    if let Some(json) = &step.json {
        check_json(json, &format!("{key}.json"), &span, vars, at)?;
    }
    if let Some(rules) = &step.rules
        && !file.rules.contains_key(rules.get_ref())
    {
        return Err(at.error(
            rules.span(),
            &format!("{key}.rules"),
            format!("no rule set {:?}", rules.get_ref()),
        ));
    }
    for (name, source) in &step.extract {
        if let Source::Pointer(pointer) = source
            && !(pointer.is_empty() || pointer.starts_with('/'))
        {
            return Err(at.error(
                span,
                &format!("{key}.extract.{name}"),
                format!("{pointer:?} is not a JSON pointer (starts with \"/\")"),
            ));
        }
        vars.insert(name.clone());
    }
    for (name, value) in &step.set {
        check_template(value, &format!("{key}.set.{name}"), vars, at, false)?;
    }
    vars.extend(step.set.keys().cloned());
    Ok(())
}

fn check_json(
    value: &toml::Value,
    key: &str,
    span: &Range<usize>,
    vars: &BTreeSet<String>,
    at: &Locator<'_>,
) -> Result<(), ProfileError> {
    match value {
        toml::Value::String(s) => {
            let t = Template::parse(s).map_err(|m| at.error(span.clone(), key, m))?;
            unknown_variable(&t, vars)
                .map_or(Ok(()), |v| Err(at.error(span.clone(), key, format!("unknown variable {v:?}"))))
        }
        toml::Value::Array(items) => items.iter().try_for_each(|v| check_json(v, key, span, vars, at)),
        toml::Value::Table(table) => {
            table.iter().try_for_each(|(k, v)| check_json(v, &format!("{key}.{k}"), span, vars, at))
        }
        _ => Ok(()),
    }
}

fn check_template(
    value: &Spanned<String>,
    key: &str,
    vars: &BTreeSet<String>,
    at: &Locator<'_>,
    any: bool,
) -> Result<(), ProfileError> {
    let template = Template::parse(value.get_ref()).map_err(|m| at.error(value.span(), key, m))?;
    if any {
        return Ok(());
    }
    match unknown_variable(&template, vars) {
        Some(v) => Err(at.error(value.span(), key, format!("unknown variable {v:?}"))),
        None => Ok(()),
    }
}

/// Whether a condition (or one nested in it) names both a pointer and a header.
fn pointer_and_header(condition: &super::schema::Condition) -> bool {
    (condition.pointer.is_some() && condition.header.is_some())
        || condition.all.iter().any(pointer_and_header)
}

/// Handle variables (`challenge.x`, `session.x`, `binding.x`) are whatever the step that
/// opened the handle extracted, so only their prefix is checked.
fn unknown_variable(template: &Template, vars: &BTreeSet<String>) -> Option<String> {
    template
        .variables()
        .find(|v| {
            !vars.contains(*v) && !["challenge.", "session.", "binding."].iter().any(|p| v.starts_with(p))
        })
        .map(str::to_owned)
}

fn check_rule(rule: &RuleSpec) -> Result<(), String> {
    if pointer_and_header(&rule.when) {
        return Err("a condition looks at a `pointer` or a `header`, not both".into());
    }
    match rule.result {
        ResultKind::Rejected if rule.reason.is_none() => Err("`rejected` needs a `reason`".into()),
        ResultKind::Challenge if rule.methods.is_empty() && rule.methods_from.is_none() => {
            Err("`challenge` needs `methods` or `methods_from`".into())
        }
        ResultKind::Binding if rule.kind.is_none() => Err("`binding` needs a `kind`".into()),
        _ => Ok(()),
    }
}
