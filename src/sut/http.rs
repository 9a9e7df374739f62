//! A server speaking the target protocol (`protocol/target-protocol.openapi.json`) over HTTP:
//! `mfa-harness serve`, or any vendor server implementing the protocol.
//!
//! Steps call [`Target`] synchronously, from the runner's thread and from plain threads for
//! the parallel scenarios, never from inside a tokio runtime; each [`Http`] target owns a
//! private runtime and blocks on it. With a test clock (`/v1/info` says `test_clock`), the
//! scenario's simulated time is `PUT` to `/v1/test/clock` before every call whose time differs
//! from the last one set, and SMS are drained from `/v1/test/sms`.
//!
//! Responses map to outcomes through one table ([`Outcome::of`]):
//!
//! | response | outcome |
//! |---|---|
//! | 2xx with the expected JSON (a `Verdict`, `{"ok": true}`, an account, ...) | the answer |
//! | 2xx with unreadable or truncated JSON | [`TargetError::NoAnswer`] |
//! | 4xx with a protocol error `{"code", "message"}` | [`TargetError::Refused`] |
//! | any other status, a 4xx without a protocol error, no response, a timeout | [`TargetError::NoAnswer`] |
//!
//! Every error names the request (`POST /v1/login`) and quotes at most 200 characters of the
//! response body, with the values of secret-bearing fields (passwords, codes, keys, enrolment
//! URIs, SMS text) redacted. Request bodies are never quoted.

use std::fmt::Write as _;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use reqwest::{Method as HttpMethod, StatusCode, Url};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::{Answer, SUPPORT_TICKET, Target, TargetError};
use crate::clock::SimTime;
use crate::protocol::{
    AccountView, BindingId, ChallengeId, DeviceKind, Method, MethodSet, NewUser, Operation, PolicyFacts,
    Scope, SessionId, SetupDevice, SmsMessage,
};
use crate::protocol::{Capabilities, Capability};
use crate::provision::TokenSeed;
use crate::sut::TargetInfo;

/// How long to wait for a TCP (and TLS) connection, by default.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// How long a whole request (sending, waiting, reading the body) may take, by default.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// How much of a response body an error message quotes, in characters.
pub const EXCERPT_CHARS: usize = 200;

/// JSON fields whose string values are secrets (or carry one) and never reach a message.
const SECRET_FIELDS: [&str; 8] = ["password", "code", "secret", "uri", "qr_png", "text", "first", "second"];

/// Where a target lives and how patient to be with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpSettings {
    /// `http://host:port` or `https://...`, without a trailing slash or credentials.
    pub base_url: String,
    /// Limit for establishing a connection.
    pub connect_timeout: Duration,
    /// Limit for a whole request, body included.
    pub request_timeout: Duration,
}

impl HttpSettings {
    /// Settings for `url` with the default timeouts.
    ///
    /// # Errors
    /// A message naming the problem: not an `http(s)` URL, no host, credentials in the URL
    /// (they would end up in reports), or a query or fragment.
    pub fn parse(url: &str) -> Result<HttpSettings, String> {
        let parsed = Url::parse(url).map_err(|e| format!("target URL {}: {e}", without_credentials(url)))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            return Err(format!("target URL {}: expected http://HOST[:PORT]", without_credentials(url)));
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(
                "target URL: credentials in the URL are not supported (they would reach reports)".into()
            );
        }
        if parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(format!("target URL {url}: no query or fragment expected"));
        }
        Ok(HttpSettings {
            base_url: parsed.as_str().trim_end_matches('/').to_owned(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
        })
    }
}

/// A target-protocol server over HTTP behind the [`Target`] trait.
pub struct Http {
    settings: HttpSettings,
    runtime: tokio::runtime::Runtime,
    client: reqwest::Client,
    test_clock: bool,
    capabilities: Capabilities,
    facts: PolicyFacts,
    /// The time last `PUT` to the test clock; the lock is held while setting it, so parallel
    /// calls at one simulated time set it once and all run at that time.
    clock: Mutex<Option<SimTime>>,
}

impl std::fmt::Debug for Http {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Http")
            .field("base_url", &self.settings.base_url)
            .field("test_clock", &self.test_clock)
            .finish_non_exhaustive()
    }
}

impl Http {
    /// Connects: reads `GET /v1/info` once for the protocol version, the policy facts and the
    /// capabilities. A server without a test clock cannot have its clock controlled, and its
    /// SMS are not readable through the protocol.
    ///
    /// # Errors
    /// [`TargetError::NoAnswer`] when the server does not answer `/v1/info` usably.
    pub fn connect(settings: HttpSettings) -> Result<Http, TargetError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("mfa-harness-http")
            .enable_all()
            .build()
            .map_err(|e| TargetError::NoAnswer {
                request: "starting the HTTP client".into(),
                message: e.to_string(),
            })?;
        let client = reqwest::Client::builder()
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.request_timeout)
            .build()
            .map_err(|e| TargetError::NoAnswer {
                request: "starting the HTTP client".into(),
                message: e.to_string(),
            })?;
        let mut target = Http {
            settings,
            runtime,
            client,
            test_clock: false,
            capabilities: Capabilities::default(),
            facts: PolicyFacts {
                lockout_threshold: 0,
                lockout_duration: Duration::ZERO,
                sms_max_attempts: 0,
            },
            clock: Mutex::new(None),
        };
        let info: Info = target.call(HttpMethod::GET, "/v1/info", None)?;
        let mut capabilities: Capabilities = info.capabilities.into_iter().collect();
        if !info.test_clock {
            capabilities = capabilities.without(Capability::ClockControl).without(Capability::Sms);
        }
        target.test_clock = info.test_clock;
        target.capabilities = capabilities;
        target.facts = info.policy;
        Ok(target)
    }

    /// Sets the server's test clock to `now` unless that is the time last set.
    fn at(&self, now: SimTime) -> Answer<()> {
        if !self.test_clock {
            return Ok(());
        }
        let mut last = self.clock.lock().unwrap_or_else(PoisonError::into_inner);
        if *last != Some(now) {
            let _: Value = self.call(
                HttpMethod::PUT,
                "/v1/test/clock",
                Some(json!({"unix_millis": now.unix_millis()})),
            )?;
            *last = Some(now);
        }
        Ok(())
    }

    /// A flow step at `now`: set the clock, then `POST` and read a verdict.
    fn flow(&self, path: &str, body: Value, now: SimTime) -> Answer {
        self.at(now)?;
        self.call(HttpMethod::POST, path, Some(body))
    }

    /// A setup step at `now` whose answer is only "done".
    fn setup(&self, path: &str, body: Value, now: SimTime) -> Answer<()> {
        self.at(now)?;
        let _: Value = self.call(HttpMethod::POST, path, Some(body))?;
        Ok(())
    }

    /// One request, its response mapped through [`Outcome::of`].
    fn call<T: DeserializeOwned>(&self, method: HttpMethod, path: &str, body: Option<Value>) -> Answer<T> {
        let request = format!("{method} {path}");
        let url = format!("{}{path}", self.settings.base_url);
        let mut builder = self.client.request(method, url);
        if let Some(body) = body {
            builder = builder.json(&body);
        }
        let timeout = self.settings.request_timeout;
        let received = self.runtime.block_on(async move {
            let mut response = builder.send().await.map_err(|e| (e, None))?;
            let status = response.status();
            let mut bytes = Vec::new();
            loop {
                match response.chunk().await {
                    Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
                    Ok(None) => return Ok((status, bytes)),
                    Err(e) => return Err((e, Some((status, bytes)))),
                }
            }
        });
        let (status, bytes) = received.map_err(|(e, partial)| TargetError::NoAnswer {
            request: request.clone(),
            message: match partial {
                None => transport_failure(&e, timeout),
                Some((status, bytes)) => format!(
                    "{status}, then the body was cut off after {} bytes ({}); body starts: {}",
                    bytes.len(),
                    transport_failure(&e, timeout),
                    excerpt(&bytes)
                ),
            },
        })?;
        match Outcome::of(status, &bytes) {
            Outcome::Answer => serde_json::from_slice(&bytes).map_err(|e| TargetError::NoAnswer {
                message: format!("{status}: unreadable JSON ({e}); body starts: {}", excerpt(&bytes)),
                request,
            }),
            Outcome::Refused(e) => Err(TargetError::Refused {
                request,
                message: format!("{status} {}: {}", e.code, redact(&e.message)),
            }),
            Outcome::NoAnswer => Err(TargetError::NoAnswer {
                message: format!("unexpected status {status}; body starts: {}", excerpt(&bytes)),
                request,
            }),
        }
    }
}

impl Target for Http {
    fn server_time(&self) -> Answer<Option<SimTime>> {
        if self.test_clock {
            return Ok(None);
        }
        let info: Info = self.call(HttpMethod::GET, "/v1/info", None)?;
        match info.now_unix_millis {
            Some(ms) => Ok(Some(SimTime::from_unix_millis(ms))),
            // Guessing a time would fail a correct server on every code: no answer instead.
            None => Err(TargetError::NoAnswer {
                request: "GET /v1/info".into(),
                message: "the server has no test clock and does not report now_unix_millis".into(),
            }),
        }
    }

    fn info(&self) -> TargetInfo {
        TargetInfo { name: self.settings.base_url.clone(), kind: "http".into(), profile: None }
    }

    fn capabilities(&self) -> Capabilities {
        self.capabilities.clone()
    }

    fn policy_facts(&self) -> PolicyFacts {
        self.facts
    }

    fn reset(&self) -> Answer<()> {
        // The server drains its SMS outbox on reset too.
        let _: Value = self.call(HttpMethod::POST, "/v1/admin/reset", None)?;
        // Whatever the server's clock says now, the next call sets it again.
        *self.clock.lock().unwrap_or_else(PoisonError::into_inner) = None;
        Ok(())
    }

    fn create_user(&self, user: &NewUser, now: SimTime) -> Answer<()> {
        let body = serde_json::to_value(user).map_err(|e| TargetError::NoAnswer {
            request: "POST /v1/admin/users".into(),
            message: format!("cannot encode the user: {e}"),
        })?;
        self.setup("/v1/admin/users", body, now)
    }

    fn set_phone(&self, user: &str, phone: &str, now: SimTime) -> Answer<()> {
        self.setup(&user_path(user, "phone"), json!({"phone": phone}), now)
    }

    fn set_beta(&self, user: &str, on: bool, now: SimTime) -> Answer<()> {
        self.setup(&user_path(user, "beta"), json!({"on": on}), now)
    }

    fn import_seeds(&self, seeds: &[TokenSeed], now: SimTime) -> Answer<()> {
        let body: Vec<Value> = seeds
            .iter()
            .map(|s| {
                json!({
                    "serial": s.serial,
                    "secret": s.secret.to_base32(),
                    "algorithm": s.algorithm,
                    "digits": s.digits.get(),
                    "period": s.period.seconds(),
                    "t0": s.t0,
                })
            })
            .collect();
        self.setup("/v1/admin/hardware-seeds", Value::Array(body), now)
    }

    fn provision_device(&self, user: &str, device: &SetupDevice, now: SimTime) -> Answer<()> {
        let body = match device {
            SetupDevice::Virtual { secret } => json!({"kind": "virtual", "secret": secret.to_base32()}),
            SetupDevice::Hardware { serial } => json!({"kind": "hardware", "serial": serial}),
        };
        self.setup(&user_path(user, "devices"), body, now)
    }

    fn provision_protection(&self, user: &str, scope: Scope, methods: MethodSet, now: SimTime) -> Answer<()> {
        self.setup(&user_path(user, "protections"), json!({"scope": scope, "methods": methods}), now)
    }

    fn account(&self, user: &str, now: SimTime) -> Answer<AccountView> {
        self.at(now)?;
        self.call(HttpMethod::GET, &user_path(user, ""), None)
    }

    fn take_sms(&self, now: SimTime) -> Answer<Vec<SmsMessage>> {
        // Without test routes the harness sees no SMS (the target lacks `sms`, so no scenario
        // that needs one runs); the world still asks after each step.
        if !self.test_clock {
            return Ok(Vec::new());
        }
        self.at(now)?;
        self.call(HttpMethod::GET, "/v1/test/sms", None)
    }

    fn login(&self, user: &str, password: &str, origin: &str, now: SimTime) -> Answer {
        self.flow("/v1/login", json!({"user": user, "password": password, "origin": origin}), now)
    }

    fn request_sms(&self, challenge: ChallengeId, now: SimTime) -> Answer {
        self.flow("/v1/challenges/sms", json!({"challenge": challenge}), now)
    }

    fn answer(&self, challenge: ChallengeId, method: Method, response: &str, now: SimTime) -> Answer {
        self.flow(
            "/v1/challenges/answer",
            json!({"challenge": challenge, "method": method, "code": response}),
            now,
        )
    }

    fn confirm(&self, challenge: ChallengeId, now: SimTime) -> Answer {
        self.flow("/v1/challenges/confirm", json!({"challenge": challenge}), now)
    }

    fn perform(&self, session: SessionId, operation: Operation, now: SimTime) -> Answer {
        self.flow("/v1/operations", json!({"session": session, "operation": operation}), now)
    }

    fn set_protection(
        &self,
        session: SessionId,
        user: &str,
        scope: Scope,
        methods: MethodSet,
        now: SimTime,
    ) -> Answer {
        self.flow(
            "/v1/protections",
            json!({"session": session, "user": user, "scope": scope, "methods": methods}),
            now,
        )
    }

    fn start_binding(&self, session: SessionId, kind: DeviceKind, now: SimTime) -> Answer {
        self.flow("/v1/bindings", json!({"session": session, "kind": kind}), now)
    }

    fn finish_virtual_binding(&self, binding: BindingId, first: &str, second: &str, now: SimTime) -> Answer {
        self.flow("/v1/bindings/virtual", json!({"binding": binding, "first": first, "second": second}), now)
    }

    fn finish_hardware_binding(&self, binding: BindingId, serial: &str, code: &str, now: SimTime) -> Answer {
        self.flow("/v1/bindings/hardware", json!({"binding": binding, "serial": serial, "code": code}), now)
    }

    fn start_unbinding(&self, session: SessionId, kind: DeviceKind, now: SimTime) -> Answer {
        self.flow("/v1/unbindings", json!({"session": session, "kind": kind}), now)
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
        self.flow(
            "/v1/resync",
            json!({"user": user, "password": password, "kind": kind, "first": first, "second": second}),
            now,
        )
    }

    fn support_reset(&self, user: &str, kind: DeviceKind, now: SimTime) -> Answer {
        self.flow(
            "/v1/admin/support-reset",
            json!({"user": user, "kind": kind, "ticket": SUPPORT_TICKET}),
            now,
        )
    }
}

/// What a response means, before its body is read as the expected type.
#[derive(Debug)]
enum Outcome {
    /// A success: the body is the answer.
    Answer,
    /// The server understood and refused (unknown session, a setup it does not allow).
    Refused(ProtocolError),
    /// No usable answer.
    NoAnswer,
}

impl Outcome {
    /// The table in the module docs.
    fn of(status: StatusCode, body: &[u8]) -> Outcome {
        match status.as_u16() {
            200..=299 => Outcome::Answer,
            400..=499 => match serde_json::from_slice::<ProtocolError>(body) {
                Ok(e) => Outcome::Refused(e),
                Err(_) => Outcome::NoAnswer,
            },
            _ => Outcome::NoAnswer,
        }
    }
}

/// The protocol's error body.
#[derive(Debug, Deserialize)]
struct ProtocolError {
    code: String,
    message: String,
}

/// `GET /v1/info`.
#[derive(Deserialize)]
struct Info {
    test_clock: bool,
    policy: PolicyFacts,
    capabilities: Vec<Capability>,
    /// The server's clock; optional in the protocol, needed only without a test clock.
    #[serde(default)]
    now_unix_millis: Option<u64>,
}

/// `/v1/admin/users/{name}` (+ `/rest`), the name percent-encoded.
fn user_path(user: &str, rest: &str) -> String {
    let mut path = String::from("/v1/admin/users/");
    for byte in user.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            path.push(char::from(byte));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(path, "%{byte:02X}");
        }
    }
    if !rest.is_empty() {
        path.push('/');
        path.push_str(rest);
    }
    path
}

/// Why a request got no response, in words.
fn transport_failure(e: &reqwest::Error, timeout: Duration) -> String {
    if e.is_timeout() {
        format!("no answer within {} ms", timeout.as_millis())
    } else if e.is_connect() {
        format!("cannot connect: {}", error_chain(e))
    } else {
        format!("no answer: {}", error_chain(e))
    }
}

/// An error with its causes joined by ": ".
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let _ = write!(text, ": {c}");
        cause = c.source();
    }
    text
}

/// `url` without `user:password@`, for messages about a URL that could not be used.
fn without_credentials(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}<credentials>{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

/// At most [`EXCERPT_CHARS`] characters of a body, secrets redacted first (so a secret cut in
/// half is still hidden).
fn excerpt(body: &[u8]) -> String {
    let text = redact(&String::from_utf8_lossy(body));
    let mut out: String = text.chars().take(EXCERPT_CHARS).collect();
    if text.chars().nth(EXCERPT_CHARS).is_some() {
        out.push('…');
    }
    if out.is_empty() { "(empty)".to_owned() } else { out }
}

/// Replaces the string values of [`SECRET_FIELDS`] and any `secret=` URI parameter with
/// `<redacted>`; works on cut-off JSON too (a value running to the end is redacted to the end).
fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(quote) = rest.find('"') {
        out.push_str(&rest[..quote]);
        rest = &rest[quote..];
        let key_end = rest[1..].find('"').map(|i| i + 1);
        let Some(key_end) = key_end else { break };
        let key = &rest[1..key_end];
        out.push_str(&rest[..=key_end]);
        rest = &rest[key_end + 1..];
        let after = rest.trim_start();
        if SECRET_FIELDS.contains(&key) && after.starts_with(':') {
            let value = after[1..].trim_start();
            if let Some(inner) = value.strip_prefix('"') {
                out.push_str(": \"<redacted>\"");
                rest = match inner.find('"') {
                    Some(end) => &inner[end + 1..],
                    None => "",
                };
            }
        }
    }
    out.push_str(rest);
    redact_uri_secrets(&out)
}

/// `secret=ABC&...` → `secret=<redacted>&...`.
fn redact_uri_secrets(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("secret=") {
        out.push_str(&rest[..at + "secret=".len()]);
        out.push_str("<redacted>");
        rest = &rest[at + "secret=".len()..];
        let end = rest.find(['&', '"', ' ', '\'']).unwrap_or(rest.len());
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_fields_are_redacted_even_when_cut_off() {
        let body = r#"{"verdict":"binding_open","enrolment":{"uri":"otpauth://totp/x?secret=JBSWY3DP&issuer=y","qr_png":"iVBOR"},"code": "123456","password":"hunter2","session":"17","text":"Your code is 654321"#;
        let out = redact(body);
        for secret in ["JBSWY3DP", "iVBOR", "123456", "hunter2", "654321"] {
            assert!(!out.contains(secret), "{secret} leaked: {out}");
        }
        assert!(out.contains(r#""session":"17""#) && out.contains("binding_open"), "{out}");
        assert_eq!(redact_uri_secrets("a?secret=ABC&b=1"), "a?secret=<redacted>&b=1");
    }

    #[test]
    fn excerpts_are_short_and_say_when_empty() {
        assert_eq!(excerpt(b""), "(empty)");
        let long = "x".repeat(500);
        let e = excerpt(long.as_bytes());
        assert_eq!(e.chars().count(), EXCERPT_CHARS + 1);
        assert!(e.ends_with('…'));
    }

    #[test]
    fn the_response_table_maps_statuses() {
        assert!(matches!(Outcome::of(StatusCode::OK, b"{}"), Outcome::Answer));
        assert!(matches!(Outcome::of(StatusCode::CREATED, b"{}"), Outcome::Answer));
        let refused =
            Outcome::of(StatusCode::NOT_FOUND, br#"{"code":"unknown_session","message":"unknown session"}"#);
        assert!(
            matches!(refused, Outcome::Refused(ProtocolError { ref code, .. }) if code == "unknown_session")
        );
        assert!(matches!(Outcome::of(StatusCode::NOT_FOUND, b"<html>"), Outcome::NoAnswer));
        assert!(matches!(Outcome::of(StatusCode::INTERNAL_SERVER_ERROR, b"{}"), Outcome::NoAnswer));
        assert!(matches!(Outcome::of(StatusCode::FOUND, b""), Outcome::NoAnswer));
    }

    #[test]
    fn urls_parse_into_settings_or_a_clear_refusal() {
        let s = HttpSettings::parse("http://127.0.0.1:8080/").unwrap();
        assert_eq!(s.base_url, "http://127.0.0.1:8080");
        assert_eq!(s.request_timeout, DEFAULT_REQUEST_TIMEOUT);
        assert_eq!(
            HttpSettings::parse("https://mfa.example.com/api").unwrap().base_url,
            "https://mfa.example.com/api"
        );
        let e = HttpSettings::parse("http://admin:hunter2@host").unwrap_err();
        assert!(!e.contains("hunter2"), "{e}");
        assert!(HttpSettings::parse("ftp://host").is_err());
        assert!(HttpSettings::parse("http://host/?a=1").is_err());
        let e = HttpSettings::parse("http://u:hunter2@[::1").unwrap_err();
        assert!(!e.contains("hunter2"), "{e}");
    }

    #[test]
    fn user_names_are_percent_encoded_in_paths() {
        assert_eq!(user_path("alice", ""), "/v1/admin/users/alice");
        assert_eq!(user_path("a b/c", "phone"), "/v1/admin/users/a%20b%2Fc/phone");
    }
}
