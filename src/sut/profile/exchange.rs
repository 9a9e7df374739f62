//! One HTTP exchange of a profile step: render the request from its template, send it with the
//! blocking client, and hand back status, JSON and the server's time. Failures quote the
//! request (method and path) and the start of the answer, with secrets redacted.

use std::collections::BTreeMap;
use std::time::Duration;

use reqwest::blocking::{Client, RequestBuilder};
use serde_json::Value;

use super::predicate::Reply;
use super::schema::RequestSpec;
use super::template::{Lookup, Template};

/// A rendered request, ready to send.
pub struct Rendered {
    /// `POST`.
    pub method: String,
    /// `/validate/check` (rendered path, without the query).
    pub path: String,
    query: Vec<(String, String)>,
    body: Body,
    headers: Vec<(String, String)>,
}

enum Body {
    None,
    Form(Vec<(String, String)>),
    Json(Value),
    Multipart(Vec<(String, String)>),
}

/// What came back.
pub struct Answered {
    /// Status and JSON.
    pub reply: Reply,
    /// The first characters of the body, for error messages.
    pub start: String,
    /// The `Date` header as Unix seconds.
    pub date: Option<u64>,
}

impl Rendered {
    /// `POST /validate/check`: how errors name the request.
    pub fn label(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// Renders `step` with `lookup`.
///
/// # Errors
/// The name of a variable `lookup` does not know.
pub fn render(step: &RequestSpec, lookup: &dyn Lookup) -> Result<Rendered, String> {
    let fill = |text: &str| -> Result<String, String> {
        let t = Template::parse(text)?;
        t.render(lookup).map_err(|v| format!("variable {v:?} is not set"))
    };
    let fields = |map: &BTreeMap<String, toml::Spanned<String>>| -> Result<Vec<(String, String)>, String> {
        map.iter().map(|(k, v)| Ok((k.clone(), fill(v.get_ref())?))).collect()
    };
    let method = step.method.as_ref().map_or("GET".into(), |m| m.get_ref().clone());
    let path = fill(step.path.as_ref().map_or("", |p| p.get_ref()))?;
    let body = if let Some(json) = &step.json {
        Body::Json(json_value(json, &fill)?)
    } else if !step.form.is_empty() {
        Body::Form(fields(&step.form)?)
    } else if !step.multipart.is_empty() {
        Body::Multipart(fields(&step.multipart)?)
    } else {
        Body::None
    };
    Ok(Rendered { method, path, query: fields(&step.query)?, body, headers: fields(&step.headers)? })
}

/// Sends `request` to `base_url`, with `extra` headers (the admin header).
///
/// # Errors
/// Transport failures (refused, timeout, reset, unreadable body) as text.
pub fn send(
    client: &Client,
    base_url: &str,
    request: &Rendered,
    extra: Option<(&str, &str)>,
) -> Result<Answered, String> {
    let method = reqwest::Method::from_bytes(request.method.as_bytes()).map_err(|e| e.to_string())?;
    let mut builder: RequestBuilder = client.request(method, format!("{base_url}{}", request.path));
    if !request.query.is_empty() {
        builder = builder.query(&request.query);
    }
    for (name, value) in request.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).chain(extra) {
        builder = builder.header(name, value);
    }
    builder = match &request.body {
        Body::None => builder,
        Body::Form(fields) => builder.form(fields),
        Body::Json(value) => builder.json(value),
        Body::Multipart(fields) => {
            let boundary = "mfa-harness-profile-boundary-7d1c";
            builder
                .header("Content-Type", format!("multipart/form-data; boundary={boundary}"))
                .body(multipart_body(fields, boundary))
        }
    };
    let response = builder.send().map_err(|e| describe(&e))?;
    let status = response.status().as_u16();
    let date =
        response.headers().get(reqwest::header::DATE).and_then(|v| v.to_str().ok()).and_then(parse_http_date);
    let bytes = response.bytes().map_err(|e| describe(&e))?;
    let text = String::from_utf8_lossy(&bytes);
    let start: String = text.chars().take(200).collect();
    let json = serde_json::from_slice(&bytes).ok();
    Ok(Answered { reply: Reply { status, json }, start, date })
}

/// A client with the profile's timeouts.
///
/// # Errors
/// The TLS backend could not be set up.
pub fn client(connect: Duration, request: Duration) -> Result<Client, String> {
    Client::builder().connect_timeout(connect).timeout(request).build().map_err(|e| describe(&e))
}

fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "unreadable answer"
    } else {
        "request failed"
    };
    let mut message = kind.to_owned();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    message
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

/// `Sun, 22 Nov 2026 09:50:00 GMT` (RFC 9110 IMF-fixdate) as Unix seconds.
pub fn parse_http_date(text: &str) -> Option<u64> {
    let mut parts = text.split_whitespace().skip(1);
    let day: u64 = parts.next()?.parse().ok()?;
    let month_name = parts.next()?;
    let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        .iter()
        .position(|m| *m == month_name)?;
    let year: i64 = parts.next()?.parse().ok()?;
    let mut hms = parts.next()?.split(':').map(|p| p.parse::<u64>().ok());
    let (h, m, s) = (hms.next()??, hms.next()??, hms.next()??);
    let days = days_from_civil(year, month as i64 + 1, day as i64);
    u64::try_from(days).ok().map(|d| d * 86_400 + h * 3_600 + m * 60 + s)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_convert_to_unix_seconds() {
        assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(parse_http_date("Thu, 01 Jan 2026 00:00:00 GMT"), Some(1_767_225_600));
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777));
        assert_eq!(parse_http_date("yesterday"), None);
    }

    #[test]
    fn multipart_bodies_frame_each_field() {
        let body = String::from_utf8(multipart_body(&[("type".into(), "oathcsv".into())], "B")).unwrap();
        assert_eq!(body, "--B\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\noathcsv\r\n--B--\r\n");
    }
}
