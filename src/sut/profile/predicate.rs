//! Response rules: conditions on status, JSON pointers and headers, checked in order; the
//! first that holds says what the answer means. No rule holding is an error, never a pass.

use serde_json::Value;

use super::schema::{Condition, RuleSpec, Source};

/// An HTTP answer as the rules see it.
#[derive(Clone, Debug, Default)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// The body parsed as JSON, if it was JSON.
    pub json: Option<Value>,
    /// The headers, names in lower case, in the order they came.
    pub headers: Vec<(String, String)>,
}

impl Reply {
    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// What an extract reads: the text at a JSON pointer, or a header's value.
    pub fn read(&self, source: &Source) -> Option<String> {
        match source {
            Source::Pointer(pointer) => self.text_at(pointer),
            Source::Header { header } => self.header(header).map(str::to_owned),
        }
    }

    /// The value at `pointer` (RFC 6901) in the JSON body.
    pub fn at(&self, pointer: &str) -> Option<&Value> {
        self.json.as_ref()?.pointer(pointer)
    }

    /// The value at `pointer` as text: strings as they are, numbers and booleans printed.
    pub fn text_at(&self, pointer: &str) -> Option<String> {
        self.at(pointer).and_then(value_text)
    }
}

/// The first rule of `rules` whose condition holds for `reply`.
pub fn first_match<'r>(rules: impl IntoIterator<Item = &'r RuleSpec>, reply: &Reply) -> Option<&'r RuleSpec> {
    rules.into_iter().find(|r| holds(&r.when, reply))
}

/// Whether `condition` holds for `reply`.
pub fn holds(condition: &Condition, reply: &Reply) -> bool {
    if !condition.status.0.is_empty() && !condition.status.0.contains(&reply.status) {
        return false;
    }
    let subject = match (&condition.pointer, &condition.header) {
        (Some(pointer), _) => Some(reply.at(pointer).cloned()),
        (None, Some(header)) => Some(reply.header(header).map(|v| Value::String(v.to_owned()))),
        (None, None) => None,
    };
    if let Some(value) = subject {
        let value = value.as_ref();
        match (value, condition.exists) {
            (Some(_), Some(false)) => return false,
            (None, Some(false)) | (Some(_), _) => {}
            (None, _) => return false,
        }
        if let Some(expected) = &condition.equals
            && !value.is_some_and(|v| same(v, expected))
        {
            return false;
        }
        if !condition.one_of.is_empty() && !value.is_some_and(|v| condition.one_of.iter().any(|e| same(v, e)))
        {
            return false;
        }
        if let Some(needle) = &condition.contains
            && !value.and_then(Value::as_str).is_some_and(|s| s.contains(needle.as_str()))
        {
            return false;
        }
    }
    condition.all.iter().all(|c| holds(c, reply))
}

/// Strings as they are, numbers and booleans printed; arrays, objects and null are not text.
pub fn value_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A JSON value equals a TOML value of the same kind (integers and floats compare as numbers).
fn same(json: &Value, toml: &toml::Value) -> bool {
    match (json, toml) {
        (Value::String(a), toml::Value::String(b)) => a == b,
        (Value::Bool(a), toml::Value::Boolean(b)) => a == b,
        (Value::Number(a), toml::Value::Integer(b)) => a.as_i64() == Some(*b),
        (Value::Number(a), toml::Value::Float(b)) => a.as_f64() == Some(*b),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(text: &str) -> Vec<RuleSpec> {
        #[derive(serde::Deserialize)]
        struct File {
            rule: Vec<RuleSpec>,
        }
        toml::from_str::<File>(text).unwrap().rule
    }

    fn reply(status: u16, body: &str) -> Reply {
        Reply { status, json: serde_json::from_str(body).ok(), headers: Vec::new() }
    }

    #[test]
    fn headers_are_tested_and_read_in_any_case() {
        let r = Reply {
            status: 303,
            json: None,
            headers: vec![("location".into(), "/login/otp".into()), ("set-cookie".into(), "sid=1".into())],
        };
        let to = |path: &str| Condition {
            header: Some("Location".into()),
            equals: Some(toml::Value::String(path.into())),
            ..Condition::default()
        };
        assert!(holds(&to("/login/otp"), &r) && !holds(&to("/home"), &r));
        let absent = Condition { header: Some("X-None".into()), exists: Some(false), ..Condition::default() };
        assert!(holds(&absent, &r));
        assert_eq!(r.read(&Source::Header { header: "LOCATION".into() }).as_deref(), Some("/login/otp"));
    }

    const CHECK: &str = r#"
        [[rule]]
        when = { status = 200, pointer = "/result/authentication", equals = "ACCEPT" }
        result = "accepted"
        [[rule]]
        when = { status = 200, pointer = "/result/authentication", equals = "REJECT", all = [{ pointer = "/detail/message", equals = "Failcounter exceeded" }] }
        result = "rejected"
        reason = "locked_out"
        [[rule]]
        when = { status = 200, pointer = "/result/authentication", one_of = ["REJECT"] }
        result = "rejected"
        reason = "wrong_code"
    "#;

    #[test]
    fn the_first_matching_rule_decides() {
        let rules = rules(CHECK);
        let accept = reply(200, r#"{"result":{"authentication":"ACCEPT"}}"#);
        assert_eq!(first_match(&rules, &accept).unwrap().result, super::super::schema::ResultKind::Accepted);
        let locked = reply(
            200,
            r#"{"result":{"authentication":"REJECT"},"detail":{"message":"Failcounter exceeded"}}"#,
        );
        assert_eq!(
            first_match(&rules, &locked).unwrap().reason,
            Some(crate::protocol::RejectReason::LockedOut)
        );
        let wrong =
            reply(200, r#"{"result":{"authentication":"REJECT"},"detail":{"message":"wrong otp value"}}"#);
        assert_eq!(
            first_match(&rules, &wrong).unwrap().reason,
            Some(crate::protocol::RejectReason::WrongCode)
        );
    }

    #[test]
    fn status_garbage_and_missing_fields_match_nothing() {
        let rules = rules(CHECK);
        assert!(first_match(&rules, &reply(500, r#"{"result":{"authentication":"ACCEPT"}}"#)).is_none());
        assert!(first_match(&rules, &reply(200, "<html>oops")).is_none());
        assert!(first_match(&rules, &reply(200, r#"{"result":{}}"#)).is_none());
    }

    #[test]
    fn exists_and_contains_test_presence_and_text() {
        let present = Condition { pointer: Some("/a".into()), ..Condition::default() };
        let absent = Condition { pointer: Some("/a".into()), exists: Some(false), ..Condition::default() };
        let contains =
            Condition { pointer: Some("/a".into()), contains: Some("ell".into()), ..Condition::default() };
        let r = reply(200, r#"{"a":"hello"}"#);
        assert!(holds(&present, &r) && !holds(&absent, &r) && holds(&contains, &r));
        let empty = reply(200, "{}");
        assert!(!holds(&present, &empty) && holds(&absent, &empty) && !holds(&contains, &empty));
    }

    #[test]
    fn numbers_compare_across_integer_and_float() {
        let r = reply(200, r#"{"n":3,"b":true}"#);
        let c = |v: toml::Value| Condition {
            pointer: Some("/n".into()),
            equals: Some(v),
            ..Condition::default()
        };
        assert!(holds(&c(toml::Value::Integer(3)), &r));
        assert!(!holds(&c(toml::Value::Integer(4)), &r));
        assert!(!holds(&c(toml::Value::String("3".into())), &r));
    }
}
