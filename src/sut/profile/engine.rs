//! The step engine: an operation is a request (or a fixed outcome) and its follow-ups; each
//! step is rendered from templates, sent (with the admin header where asked), read through the
//! step's rule set, and its extracts and `set` values kept for the next step and the handle
//! the verdict opens. The first step whose outcome is not `ok` ends the operation.

use super::Vars;
use super::clock::Reading;
use super::connection::Shared;
use super::cookie;
use super::exchange::{self, Answered};
use super::outcome::{Outcome, plain};
use super::predicate::{Reply, first_match};
use super::record;
use super::schema::{Auth, RequestSpec, ResultKind};
use super::target::ProfileTarget;
use super::template::{Lookup, Template};
use crate::clock::SimTime;
use crate::sut::transport::Call;
use crate::sut::{Answer, TargetError};

/// How templates see variables: the call's, then the globals, then secrets, then derived.
pub struct VarScope<'a> {
    /// The call's variables (arguments, handle variables, extracts, `set` values).
    pub vars: &'a Vars,
    /// [`ProfileTarget::globals`].
    pub globals: &'a Vars,
    /// For `secret.NAME` and `[derive]`.
    pub shared: &'a Shared,
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

/// `vars` with `role`: the role of the person named by `user`, when `create_user` made them
/// (a call that names no one, or someone the harness never created, gets none).
fn with_role(mut vars: Vars, roles: &std::collections::BTreeMap<String, String>) -> Vars {
    if let Some(role) = vars.get("user").and_then(|user| roles.get(user)) {
        vars.entry("role".to_owned()).or_insert_with(|| role.clone());
    }
    vars
}

impl ProfileTarget {
    /// Runs operation `name` with `vars`; a [`TargetError::Refused`] when the profile does not
    /// map it.
    pub(super) fn operation(&self, name: &str, vars: Vars, now: SimTime) -> Answer<(Outcome, Vars)> {
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
        // The state lock is let go before the run, which takes it again.
        let vars = with_role(vars, &self.state().roles);
        self.run(name, &steps, vars, now)
    }

    /// Runs `steps` (connect steps, the clock probe) as an operation called `name`.
    pub(super) fn run_steps(
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
            let fixed = Reply { status: 200, ..Reply::default() };
            let outcome = self.shared.outcome(name, rule, &fixed, b"", vars)?;
            self.apply_set(name, step, vars, now)?;
            return Ok(outcome);
        }
        let globals = self.globals(now);
        let mut request = {
            let scope = VarScope { vars, globals: &globals, shared: &self.shared };
            exchange::render(step, &scope).map_err(|m| TargetError::Refused {
                request: name.replace('_', " "),
                message: self.shared.redact(&m, vars),
            })?
        };
        // The handle's cookies, unless the profile writes the header itself.
        if let Some(jar) = cookie::header(vars)
            && !request.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("cookie"))
        {
            request.headers.push(("Cookie".into(), jar));
        }
        let answered = self.exchange(&request, step.auth, vars, &globals)?;
        cookie::absorb(vars, &answered.reply.headers);
        self.note_time(&answered);
        let reply = &answered.reply;
        let label = request.label();
        let rule = match &step.rules {
            Some(set) => {
                let rules = self.shared.profile.file.rules.get(set.get_ref()).map_or(&[][..], Vec::as_slice);
                match first_match(rules.iter().map(toml::Spanned::get_ref), reply) {
                    Some(rule) => rule.clone(),
                    None => {
                        return Err(TargetError::NoAnswer {
                            request: label,
                            message: format!(
                                "no rule of {:?} matches HTTP {}, answer starts {:?}",
                                set.get_ref(),
                                reply.status,
                                self.shared.excerpt(&answered.body, vars)
                            ),
                        });
                    }
                }
            }
            None if (200..300).contains(&reply.status) => plain(ResultKind::Ok),
            None => {
                return Err(TargetError::Refused {
                    request: label,
                    message: format!(
                        "HTTP {}, answer starts {:?}",
                        reply.status,
                        self.shared.excerpt(&answered.body, vars)
                    ),
                });
            }
        };
        if rule.result != ResultKind::Error {
            for (var, source) in &step.extract {
                if let Some(value) = reply.read(source) {
                    vars.insert(var.clone(), value);
                }
            }
            if let Some(from) = &step.record {
                let events = record::read(from, reply).map_err(|m| TargetError::NoAnswer {
                    request: label.clone(),
                    message: format!("{m}; answer starts {:?}", self.shared.excerpt(&answered.body, vars)),
                })?;
                // Serialising plain data cannot fail.
                vars.insert(record::VAR.into(), serde_json::to_string(&events).unwrap_or_default());
            }
        }
        let outcome = self.shared.outcome(&label, &rule, reply, &answered.body, vars)?;
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

    /// Sends `request`, with the admin header when the step asks for it.
    fn exchange(&self, request: &Call, auth: Auth, vars: &Vars, globals: &Vars) -> Answer<Answered> {
        match auth {
            Auth::None => {
                let secrets = self.shared.secret_values(vars);
                exchange::send(&self.shared.transport, request, None, &self.shared.redactor, &secrets)
            }
            Auth::Admin => self.shared.send_as_admin(request, vars, globals),
        }
    }

    /// Keeps the server's time from an answer: the profile's time pointer, else (if allowed)
    /// the `Date` header.
    fn note_time(&self, answered: &Answered) {
        let clock = &self.shared.profile.file.clock;
        let from_body =
            clock.time_pointer.as_deref().and_then(|p| answered.reply.at(p)).and_then(|v| v.as_f64());
        let from_header = answered.date.filter(|_| clock.date_header).map(|d| d as f64);
        let reading = match (from_body, from_header) {
            (Some(t), _) => Reading::new(t, false, answered.round_trip),
            (None, Some(t)) => Reading::new(t, true, answered.round_trip),
            (None, None) => return,
        };
        let mut state = self.state();
        state.server_time = Some(reading.said);
        state.reading = Some(reading);
    }

    /// The variables every template sees at `now` (`docs/profiles.md`, "Globals").
    pub(super) fn globals(&self, now: SimTime) -> Vars {
        let mut g = Vars::new();
        g.insert("scenario".into(), self.scenario().to_owned());
        // Distinct per connection, so names a run creates never meet the previous run's on a
        // server that keeps state.
        g.insert("run".into(), self.shared.run_id.clone());
        g.insert("sim_unix".into(), now.unix_secs().to_string());
        if let Some(sink) = &self.shared.sink {
            g.insert("sms_sink_url".into(), sink.url());
        }
        if let Some(server) = self.state().server_time {
            g.insert("server_offset".into(), (now.unix_secs() as i64 - server.round() as i64).to_string());
        }
        g
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_naming_a_person_gets_their_role_and_keeps_one_it_was_given() {
        let roles = [("Rita".to_owned(), "root".to_owned())].into();
        let named = |user: &str| -> Vars { [("user".to_owned(), user.to_owned())].into() };
        assert_eq!(with_role(named("Rita"), &roles).get("role").map(String::as_str), Some("root"));
        assert_eq!(with_role(named("Zed"), &roles).get("role"), None);
        let mut given = named("Rita");
        given.insert("role".into(), "iam".into());
        assert_eq!(with_role(given, &roles).get("role").map(String::as_str), Some("iam"));
        assert_eq!(with_role(Vars::new(), &roles).get("role"), None);
    }
}
