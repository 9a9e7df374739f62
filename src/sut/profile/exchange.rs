//! One HTTP exchange of a profile step: render the request from its template, send it through
//! the HTTP client layer every target shares, and hand back status, JSON, the whole body and
//! the server's `Date`. Failures quote the request (method and path) and the start of the
//! answer, with secrets redacted.

use std::collections::BTreeMap;
use std::time::Duration;

use reqwest::Method;
use serde_json::Value;

use super::predicate::Reply;
use super::schema::RequestSpec;
use super::template::{Lookup, Template};
use crate::sut::TargetError;
use crate::sut::redaction::Redactor;
use crate::sut::transport::{Body, Call, Transport};

/// What came back.
pub struct Answered {
    /// Status and JSON.
    pub reply: Reply,
    /// The whole body, for quoting its start (redacted) in messages.
    pub body: Vec<u8>,
    /// The `Date` header as Unix seconds.
    pub date: Option<u64>,
    /// From sending to the end of the body, on the real clock.
    pub round_trip: Duration,
}

/// Renders `step` with `lookup` into a request ready to send.
///
/// # Errors
/// The name of a variable `lookup` does not know.
pub fn render(step: &RequestSpec, lookup: &dyn Lookup) -> Result<Call, String> {
    let fill = |text: &str| -> Result<String, String> {
        let t = Template::parse(text)?;
        t.render(lookup).map_err(|v| format!("variable {v:?} is not set"))
    };
    let fields = |map: &BTreeMap<String, toml::Spanned<String>>| -> Result<Vec<(String, String)>, String> {
        map.iter().map(|(k, v)| Ok((k.clone(), fill(v.get_ref())?))).collect()
    };
    let method = step.method.as_ref().map_or("GET", |m| m.get_ref().as_str());
    // `load` admits only GET, POST, PUT, PATCH and DELETE, all valid methods.
    let method = Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?;
    let path = fill(step.path.as_ref().map_or("", |p| p.get_ref()))?;
    let body = if let Some(json) = &step.json {
        Body::Json(json_value(json, &fill)?)
    } else if !step.form.is_empty() {
        Body::Form(fields(&step.form)?)
    } else if !step.multipart.is_empty() {
        let boundary = "mfa-harness-profile-boundary-7d1c";
        Body::Raw {
            content_type: format!("multipart/form-data; boundary={boundary}"),
            bytes: multipart_body(&fields(&step.multipart)?, boundary),
        }
    } else {
        Body::Empty
    };
    Ok(Call { method, path, query: fields(&step.query)?, headers: fields(&step.headers)?, body })
}

/// Sends `request`, with the `extra` header (the admin header) added, through `transport`.
///
/// # Errors
/// [`TargetError::NoAnswer`] naming the request: refused, timed out, reset, cut off (quoting
/// the start of the body, redacted by `redactor` with the call's `secrets` too).
pub fn send(
    transport: &Transport,
    request: &Call,
    extra: Option<(&str, &str)>,
    redactor: &Redactor,
    secrets: &[&str],
) -> Result<Answered, TargetError> {
    let mut call = request.clone();
    call.headers.extend(extra.map(|(n, v)| (n.to_owned(), v.to_owned())));
    let exchange = transport.send(call, redactor, secrets)?;
    let json = serde_json::from_slice(&exchange.body).ok();
    Ok(Answered {
        reply: Reply { status: exchange.status.as_u16(), json, headers: exchange.headers },
        body: exchange.body,
        date: exchange.date,
        round_trip: exchange.round_trip,
    })
}

fn json_value(value: &toml::Value, fill: &dyn Fn(&str) -> Result<String, String>) -> Result<Value, String> {
    Ok(match value {
        toml::Value::String(s) => Value::String(fill(s)?),
        toml::Value::Integer(i) => Value::from(*i),
        toml::Value::Float(f) => Value::from(*f),
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => {
            Value::Array(items.iter().map(|v| json_value(v, fill)).collect::<Result<_, _>>()?)
        }
        toml::Value::Table(t) => Value::Object(
            t.iter().map(|(k, v)| Ok((k.clone(), json_value(v, fill)?))).collect::<Result<_, String>>()?,
        ),
    })
}

fn multipart_body(fields: &[(String, String)], boundary: &str) -> Vec<u8> {
    let mut out = String::new();
    for (name, value) in fields {
        out.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    out.push_str(&format!("--{boundary}--\r\n"));
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_bodies_frame_each_field() {
        let body = String::from_utf8(multipart_body(&[("type".into(), "oathcsv".into())], "B")).unwrap();
        assert_eq!(body, "--B\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\noathcsv\r\n--B--\r\n");
    }
}
