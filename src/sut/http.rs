//! A server speaking the target protocol (`protocol/target-protocol.openapi.json`) over HTTP:
//! `mfa-harness serve`, or any vendor server implementing the protocol.
//!
//! Requests go through the one HTTP client layer (`sut/transport.rs`), and quoted bodies
//! through the one redactor (`sut/redaction.rs`). With a test clock (`/v1/info` says
//! `test_clock`), the scenario's simulated time is `PUT` to `/v1/test/clock` before every call
//! whose time differs from the last one set, and SMS are drained from `/v1/test/sms`.
//!
//! Responses map to outcomes through one table (`Outcome::of`):
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

use super::redaction::Redactor;
use super::transport::{Body, Call, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT, Transport};
use super::{Answer, HttpExchange, SUPPORT_TICKET, Target, TargetError};
use crate::clock::SimTime;
use crate::protocol::{
    AccountView, AuthenticatorEvent, BindingId, ChallengeId, DeviceKind, Method, MethodSet, NewUser,
    Operation, PolicyFacts, Scope, SessionId, SetupDevice, SmsMessage,
};
use crate::protocol::{AdminToken, Capabilities, Capability};
use crate::provision::TokenSeed;
use crate::sut::TargetInfo;

/// Where a target lives and how patient to be with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpSettings {
    /// `http://host:port` or `https://...`, without a trailing slash or credentials.
    pub base_url: String,
    /// Limit for establishing a connection.
    pub connect_timeout: Duration,
    /// Limit for a whole request, body included.
    pub request_timeout: Duration,
    /// Sent as `Authorization: Bearer <token>` with every request (the admin routes of a
    /// `serve` outside test mode need it).
    pub admin_token: Option<AdminToken>,
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
            admin_token: None,
        })
    }
}

/// A target-protocol server over HTTP behind the [`Target`] trait.
pub struct Http {
    settings: HttpSettings,
    transport: Transport,
    /// Knows no values: the protocol's secret fields and URI keys are what it hides.
    redactor: Redactor,
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
        let transport =
            Transport::new(&settings.base_url, settings.connect_timeout, settings.request_timeout)?;
        let mut target = Http {
            settings,
            transport,
            redactor: Redactor::default(),
            test_clock: false,
            capabilities: Capabilities::default(),
            facts: PolicyFacts::default(),
            clock: Mutex::new(None),
        };
        let info: Info = target.call(HttpMethod::GET, "/v1/info", None)?;
        if !crate::protocol::compatible(&info.protocol_version) {
            let theirs: String = info.protocol_version.chars().take(40).collect();
            let message = format!(
                "the server speaks target protocol {theirs:?}, this harness {} (major versions must match)",
                crate::protocol::PROTOCOL_VERSION
            );
            return Err(TargetError::Refused { request: "GET /v1/info".into(), message });
        }
        let mut capabilities: Capabilities = info.capabilities.into_iter().collect();
        if !info.test_clock {
            capabilities = capabilities
                .without(Capability::ClockControl)
                .without(Capability::ExactClock)
                .without(Capability::Sms);
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
        let mut call = Call::new(method, path);
        if let Some(token) = &self.settings.admin_token {
            call.headers.push(("Authorization".into(), format!("Bearer {}", token.reveal())));
        }
        if let Some(body) = body {
            call = call.with_body(Body::Json(body));
        }
        let request = call.label();
        let exchange = self.transport.send(call, &self.redactor, &[])?;
        let (status, bytes) = (exchange.status, exchange.body);
        let excerpt = || self.redactor.excerpt(&bytes, &[]);
        match Outcome::of(status, &bytes) {
            Outcome::Answer => serde_json::from_slice(&bytes).map_err(|e| TargetError::NoAnswer {
                message: format!("{status}: unreadable JSON ({e}); body starts: {}", excerpt()),
                request,
            }),
            Outcome::Refused(e) => Err(TargetError::Refused {
                request,
                message: format!("{status} {}: {}", e.code, self.redactor.redact(&e.message)),
            }),
            Outcome::NoAnswer => Err(TargetError::NoAnswer {
                message: format!("unexpected status {status}; body starts: {}", excerpt()),
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

    /// `/v1/info` reports the server's clock in milliseconds.
    fn server_time_resolution(&self) -> Duration {
        Duration::from_millis(1)
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

    fn take_exchanges(&self) -> Vec<HttpExchange> {
        self.transport.take_exchanges(&self.redactor)
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

    fn authenticator_record(&self, user: &str, now: SimTime) -> Answer<Vec<AuthenticatorEvent>> {
        self.at(now)?;
        self.call(HttpMethod::GET, &user_path(user, "authenticators"), None)
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
    protocol_version: String,
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

/// `url` without `user:password@`, for messages about a URL that could not be used.
fn without_credentials(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}<credentials>{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
