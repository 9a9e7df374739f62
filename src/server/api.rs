//! Request and response bodies of the target protocol and their handlers. Verdicts are 200
//! responses; errors are `{"code": ..., "message": ...}` with a 4xx status.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::App;
use crate::clock::SimTime;
use crate::otp::{Algorithm, Digits, Period, Secret};
use crate::protocol::{
    AuthenticatorEvent, BindingId, ChallengeId, DeviceKind, Method, MethodSet, NewUser, Operation, Scope,
    SessionId, Verdict,
};
use crate::protocol::{Capabilities, Capability, PolicyFacts, SetupDevice};
use crate::provision::TokenSeed;
use crate::reference::ReferenceError;

/// The protocol version served under `/v1/`.
pub const PROTOCOL_VERSION: &str = crate::protocol::PROTOCOL_VERSION;

/// A protocol error: a stable code and a human message, never a secret.
#[derive(Debug, Serialize, Deserialize)]
pub struct ApiError {
    /// HTTP status (not serialised).
    #[serde(skip)]
    pub status: u16,
    /// Stable snake_case code.
    pub code: String,
    /// What went wrong.
    pub message: String,
}

impl ApiError {
    pub(super) fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        ApiError { status: status.as_u16(), code: code.to_owned(), message: message.into() }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        (status, Json(self)).into_response()
    }
}

impl From<ReferenceError> for ApiError {
    fn from(e: ReferenceError) -> Self {
        let status = match e {
            ReferenceError::UnknownUser(_)
            | ReferenceError::UnknownSession
            | ReferenceError::UnknownChallenge
            | ReferenceError::UnknownBinding => StatusCode::NOT_FOUND,
            ReferenceError::DuplicateUser(_) | ReferenceError::DuplicateSerial(_) => StatusCode::CONFLICT,
            ReferenceError::UnknownRoot(_)
            | ReferenceError::WrongBindingKind
            | ReferenceError::InvalidField(_) => StatusCode::UNPROCESSABLE_ENTITY,
        };
        ApiError::new(status, e.code(), e.to_string())
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        let status = r.status();
        let code = match r {
            JsonRejection::JsonDataError(_) => "invalid_field",
            JsonRejection::JsonSyntaxError(_) => "malformed_json",
            JsonRejection::MissingJsonContentType(_) => "not_json",
            _ => "bad_request",
        };
        ApiError::new(status, code, r.body_text())
    }
}

type Body<T> = Result<Json<T>, JsonRejection>;
type Answer<T> = Result<Json<T>, ApiError>;

fn body<T>(payload: Body<T>) -> Result<T, ApiError> {
    payload.map(|Json(t)| t).map_err(ApiError::from)
}

/// `GET /v1/info`: what a client needs before its first request. A harness reads the
/// capabilities to know which scenarios apply and the policy facts to word its expectations.
#[derive(Debug, Serialize, Deserialize)]
pub struct Info {
    /// Protocol version.
    pub protocol_version: String,
    /// Whether `/v1/test/*` is served.
    pub test_clock: bool,
    /// The policy numbers scenarios refer to by name.
    pub policy: PolicyFacts,
    /// What this server can do for a harness (`clock-control` and `sms` need the test routes).
    pub capabilities: Capabilities,
    /// The server's clock now, Unix milliseconds: a harness that cannot set the clock starts
    /// its scenarios here, so the codes its simulated devices show are the server's codes.
    pub now_unix_millis: u64,
}

/// `POST /v1/admin/users/{name}/phone`: the secure phone number (`null` removes it).
#[derive(Deserialize)]
pub struct PhoneBody {
    phone: Option<String>,
}

/// `POST /v1/admin/users/{name}/beta`: on or off the hardware MFA beta list.
#[derive(Deserialize)]
pub struct BetaBody {
    on: bool,
}

/// `POST /v1/admin/users/{name}/devices`: bind a device without spending a code.
#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DeviceBody {
    /// An authenticator app holding this key (base32; SHA1, 6 digits, 30 s).
    Virtual {
        /// The key in base32.
        secret: String,
    },
    /// An imported hardware token.
    Hardware {
        /// Its serial number.
        serial: String,
    },
}

/// `POST /v1/admin/users/{name}/protections`: set a protection as an administrator would.
#[derive(Deserialize)]
pub struct ProvisionBody {
    scope: Scope,
    methods: MethodSet,
}

/// `POST /v1/admin/hardware-seeds` item: one token (secret in base32).
#[derive(Deserialize)]
pub struct SeedBody {
    serial: String,
    secret: String,
    #[serde(default = "sha1")]
    algorithm: Algorithm,
    #[serde(default = "six")]
    digits: u8,
    #[serde(default = "thirty")]
    period: u64,
    #[serde(default)]
    t0: u64,
}

fn sha1() -> Algorithm {
    Algorithm::Sha1
}
fn six() -> u8 {
    6
}
fn thirty() -> u64 {
    30
}

/// `POST /v1/admin/support-reset`.
#[derive(Deserialize)]
pub struct SupportResetBody {
    user: String,
    kind: DeviceKind,
    ticket: String,
}

/// `POST /v1/login`.
#[derive(Deserialize)]
pub struct LoginBody {
    user: String,
    password: String,
    #[serde(default = "default_origin")]
    origin: String,
}

fn default_origin() -> String {
    "default".to_owned()
}

/// `POST /v1/challenges/sms`.
#[derive(Deserialize)]
pub struct ChallengeBody {
    challenge: ChallengeId,
}

/// `POST /v1/challenges/answer`.
#[derive(Deserialize)]
pub struct AnswerBody {
    challenge: ChallengeId,
    method: Method,
    code: String,
}

/// `POST /v1/operations`.
#[derive(Deserialize)]
pub struct OperationBody {
    session: SessionId,
    operation: Operation,
}

/// `POST /v1/protections`.
#[derive(Deserialize)]
pub struct ProtectionBody {
    session: SessionId,
    user: String,
    scope: Scope,
    methods: MethodSet,
}

/// `POST /v1/bindings` and `POST /v1/unbindings`: start a flow for a device kind.
#[derive(Deserialize)]
pub struct DeviceFlowBody {
    session: SessionId,
    kind: DeviceKind,
}

/// `POST /v1/bindings/virtual`.
#[derive(Deserialize)]
pub struct VirtualBindingBody {
    binding: BindingId,
    first: String,
    second: String,
}

/// `POST /v1/bindings/hardware`.
#[derive(Deserialize)]
pub struct HardwareBindingBody {
    binding: BindingId,
    serial: String,
    code: String,
}

/// `POST /v1/resync`: no session (a device far out of step keeps its owner from signing
/// in), so the password comes along.
#[derive(Deserialize)]
pub struct ResyncBody {
    user: String,
    password: String,
    kind: DeviceKind,
    first: String,
    second: String,
}

/// `GET`/`PUT /v1/test/clock`.
#[derive(Debug, Serialize, Deserialize)]
pub struct ClockBody {
    /// Unix time in milliseconds.
    pub unix_millis: u64,
}

/// A count of imported tokens.
#[derive(Debug, Serialize, Deserialize)]
pub struct Imported {
    /// How many.
    pub imported: usize,
}

/// An empty success.
#[derive(Debug, Serialize, Deserialize)]
pub struct Done {
    /// Always true.
    pub ok: bool,
}

pub(super) async fn info(State(app): State<Arc<App>>) -> Json<Info> {
    let p = app.service.policy();
    let policy = p.facts();
    // The harness moves the clock and reads SMS only through the test routes.
    let mut capabilities = Capabilities::all();
    if !app.test_mode {
        capabilities = capabilities.without(Capability::ClockControl).without(Capability::ExactClock);
    }
    if !app.test_mode || app.outbox.is_none() {
        capabilities = capabilities.without(Capability::Sms);
    }
    Json(Info {
        protocol_version: PROTOCOL_VERSION.to_owned(),
        test_clock: app.test_mode,
        policy,
        capabilities,
        now_unix_millis: app.clock.now().unix_millis(),
    })
}

pub(super) async fn reset(State(app): State<Arc<App>>) -> Json<Done> {
    app.service.reset();
    if let Some(outbox) = &app.outbox {
        outbox.drain();
    }
    Json(Done { ok: true })
}

pub(super) async fn create_user(
    State(app): State<Arc<App>>,
    payload: Body<NewUser>,
) -> Result<Response, ApiError> {
    app.service.create_user(body(payload)?, app.clock.now())?;
    Ok((StatusCode::CREATED, Json(Done { ok: true })).into_response())
}

pub(super) async fn account(
    State(app): State<Arc<App>>,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    Ok(Json(app.service.account(&name)?).into_response())
}

pub(super) async fn authenticator_record(
    State(app): State<Arc<App>>,
    Path(name): Path<String>,
) -> Answer<Vec<AuthenticatorEvent>> {
    Ok(Json(app.service.authenticator_record(&name)?))
}

pub(super) async fn set_phone(
    State(app): State<Arc<App>>,
    Path(name): Path<String>,
    payload: Body<PhoneBody>,
) -> Answer<Done> {
    app.service.set_phone(&name, body(payload)?.phone)?;
    Ok(Json(Done { ok: true }))
}

pub(super) async fn set_beta(
    State(app): State<Arc<App>>,
    Path(name): Path<String>,
    payload: Body<BetaBody>,
) -> Answer<Done> {
    app.service.set_beta(&name, body(payload)?.on)?;
    Ok(Json(Done { ok: true }))
}

pub(super) async fn provision_device(
    State(app): State<Arc<App>>,
    Path(name): Path<String>,
    payload: Body<DeviceBody>,
) -> Result<Response, ApiError> {
    let device = match body(payload)? {
        DeviceBody::Virtual { secret } => SetupDevice::Virtual {
            secret: Secret::from_base32(&secret).map_err(|e| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_field",
                    format!("secret: {}", e.kind()),
                )
            })?,
        },
        DeviceBody::Hardware { serial } => SetupDevice::Hardware { serial },
    };
    app.service.provision_device(&name, &device, app.clock.now())?;
    Ok((StatusCode::CREATED, Json(Done { ok: true })).into_response())
}

pub(super) async fn provision_protection(
    State(app): State<Arc<App>>,
    Path(name): Path<String>,
    payload: Body<ProvisionBody>,
) -> Answer<Done> {
    let b = body(payload)?;
    app.service.provision_protection(&name, b.scope, b.methods, app.clock.now())?;
    Ok(Json(Done { ok: true }))
}

pub(super) async fn import_seeds(
    State(app): State<Arc<App>>,
    payload: Body<Vec<SeedBody>>,
) -> Answer<Imported> {
    let seeds = body(payload)?
        .into_iter()
        .map(|s| {
            let bad = |what: &str| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_field",
                    format!("seed {}: {what}", s.serial),
                )
            };
            Ok(TokenSeed {
                secret: Secret::from_base32(&s.secret).map_err(|e| bad(&format!("secret: {}", e.kind())))?,
                algorithm: s.algorithm,
                digits: Digits::new(s.digits).map_err(|_| bad("digits must be 6 to 10"))?,
                period: Period::new(s.period).map_err(|_| bad("period must be at least 1"))?,
                t0: s.t0,
                serial: s.serial.clone(),
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(Json(Imported { imported: app.service.import_seeds(seeds)? }))
}

pub(super) async fn support_reset(
    State(app): State<Arc<App>>,
    payload: Body<SupportResetBody>,
) -> Answer<Verdict> {
    let b = body(payload)?;
    Ok(Json(app.service.support_reset(&b.user, b.kind, &b.ticket, app.clock.now())?))
}

pub(super) async fn audit(State(app): State<Arc<App>>) -> Json<Vec<crate::reference::AuditEvent>> {
    Json(app.service.audit_log())
}

pub(super) async fn login(State(app): State<Arc<App>>, payload: Body<LoginBody>) -> Answer<Verdict> {
    let b = body(payload)?;
    let verdict = password_work(&app.clone(), move || {
        app.service.login(&b.user, &b.password, &b.origin, app.clock.now())
    })
    .await?;
    Ok(Json(verdict))
}

pub(super) async fn request_sms(
    State(app): State<Arc<App>>,
    payload: Body<ChallengeBody>,
) -> Answer<Verdict> {
    let b = body(payload)?;
    Ok(Json(app.service.request_sms(b.challenge, app.clock.now())?))
}

pub(super) async fn answer(State(app): State<Arc<App>>, payload: Body<AnswerBody>) -> Answer<Verdict> {
    let b = body(payload)?;
    // An identity check may be answered with the password.
    let verdict = password_work(&app.clone(), move || {
        app.service.answer_challenge(b.challenge, b.method, &b.code, app.clock.now())
    })
    .await?;
    Ok(Json(verdict))
}

pub(super) async fn perform(State(app): State<Arc<App>>, payload: Body<OperationBody>) -> Answer<Verdict> {
    let b = body(payload)?;
    Ok(Json(app.service.perform(b.session, b.operation, app.clock.now())?))
}

pub(super) async fn set_protection(
    State(app): State<Arc<App>>,
    payload: Body<ProtectionBody>,
) -> Answer<Verdict> {
    let b = body(payload)?;
    Ok(Json(app.service.set_protection(b.session, &b.user, b.scope, b.methods, app.clock.now())?))
}

pub(super) async fn start_binding(
    State(app): State<Arc<App>>,
    payload: Body<DeviceFlowBody>,
) -> Answer<Verdict> {
    let b = body(payload)?;
    Ok(Json(app.service.start_binding(b.session, b.kind, app.clock.now())?))
}

pub(super) async fn finish_virtual(
    State(app): State<Arc<App>>,
    payload: Body<VirtualBindingBody>,
) -> Answer<Verdict> {
    let b = body(payload)?;
    Ok(Json(app.service.finish_virtual_binding(b.binding, &b.first, &b.second, app.clock.now())?))
}

pub(super) async fn finish_hardware(
    State(app): State<Arc<App>>,
    payload: Body<HardwareBindingBody>,
) -> Answer<Verdict> {
    let b = body(payload)?;
    Ok(Json(app.service.finish_hardware_binding(b.binding, &b.serial, &b.code, app.clock.now())?))
}

pub(super) async fn start_unbinding(
    State(app): State<Arc<App>>,
    payload: Body<DeviceFlowBody>,
) -> Answer<Verdict> {
    let b = body(payload)?;
    Ok(Json(app.service.start_unbinding(b.session, b.kind, app.clock.now())?))
}

pub(super) async fn confirm(State(app): State<Arc<App>>, payload: Body<ChallengeBody>) -> Answer<Verdict> {
    let b = body(payload)?;
    Ok(Json(app.service.confirm(b.challenge, app.clock.now())?))
}

pub(super) async fn resync(State(app): State<Arc<App>>, payload: Body<ResyncBody>) -> Answer<Verdict> {
    let b = body(payload)?;
    let verdict = password_work(&app.clone(), move || {
        app.service.resync(&b.user, &b.password, b.kind, &b.first, &b.second, app.clock.now())
    })
    .await?;
    Ok(Json(verdict))
}

pub(super) async fn clock(State(app): State<Arc<App>>) -> Json<ClockBody> {
    Json(ClockBody { unix_millis: app.clock.now().unix_millis() })
}

pub(super) async fn set_clock(State(app): State<Arc<App>>, payload: Body<ClockBody>) -> Answer<ClockBody> {
    let b = body(payload)?;
    if !app.clock.set(SimTime::from_unix_millis(b.unix_millis)) {
        return Err(ApiError::new(StatusCode::NOT_FOUND, "no_test_clock", "server runs on wall time"));
    }
    Ok(Json(b))
}

pub(super) async fn sms_outbox(State(app): State<Arc<App>>) -> Answer<Vec<crate::protocol::SmsMessage>> {
    match &app.outbox {
        Some(outbox) => Ok(Json(outbox.drain())),
        None => Err(ApiError::new(StatusCode::NOT_FOUND, "sms_webhook", "SMS go to the webhook")),
    }
}

pub(super) async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "no_route", "no such route in protocol v1")
}

pub(super) async fn method_not_allowed() -> ApiError {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "this route takes another method")
}

/// Runs a call that checks a password (Argon2id: CPU-bound, 19 MiB at the standard cost) on
/// the password workers, off the async threads.
async fn password_work<T: Send + 'static>(
    app: &App,
    job: impl FnOnce() -> Result<T, ReferenceError> + Send + 'static,
) -> Result<T, ApiError> {
    match app.passwords.run(job).await {
        Some(result) => result.map_err(ApiError::from),
        None => {
            Err(ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "worker_failed", "request worker stopped"))
        }
    }
}
