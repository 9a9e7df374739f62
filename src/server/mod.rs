//! The reference service over HTTP: the documented, versioned **target protocol**
//! (`protocol/target-protocol.openapi.json`). axum on hyper and tokio; every route is listed
//! in [`ROUTES`] and a test checks the OpenAPI document names exactly these.
//!
//! Two modes ([`Mode`]). **Live**, for real users: wall time, secrets and ids from the
//! operating system's randomness, privileged routes behind an admin token. **Test**, for
//! harness runs: a settable virtual clock, seeded (predictable) randomness and the
//! `/v1/test/*` routes. Either way the server holds each client to [`Limits`].

pub mod access;
pub mod api;
mod body;
pub mod clock;
mod connection;
pub mod limits;
pub mod password_workers;
pub mod webhook;

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
use reqwest::Url;

use crate::clock::{DEFAULT_EPOCH, SimTime};
use crate::protocol::AdminToken;
use crate::provision::TokenSeed;
use crate::reference::{Policy, Randomness, Service, SmsGateway, SmsOutbox};
use clock::ServerClock;
pub use limits::Limits;
use password_workers::PasswordWorkers;

/// Largest request body accepted (64 KiB: a seed import of a few hundred tokens).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Every route of protocol v1: (method, path, served only with `--test-clock`).
pub const ROUTES: &[(&str, &str, bool)] = &[
    ("get", "/v1/info", false),
    ("post", "/v1/admin/reset", false),
    ("post", "/v1/admin/users", false),
    ("get", "/v1/admin/users/{name}", false),
    ("get", "/v1/admin/users/{name}/authenticators", false),
    ("post", "/v1/admin/users/{name}/phone", false),
    ("post", "/v1/admin/users/{name}/beta", false),
    ("post", "/v1/admin/users/{name}/devices", false),
    ("post", "/v1/admin/users/{name}/protections", false),
    ("post", "/v1/admin/hardware-seeds", false),
    ("post", "/v1/admin/support-reset", false),
    ("get", "/v1/admin/audit", false),
    ("post", "/v1/login", false),
    ("post", "/v1/challenges/sms", false),
    ("post", "/v1/challenges/answer", false),
    ("post", "/v1/operations", false),
    ("post", "/v1/protections", false),
    ("post", "/v1/bindings", false),
    ("post", "/v1/bindings/virtual", false),
    ("post", "/v1/bindings/hardware", false),
    ("post", "/v1/challenges/confirm", false),
    ("post", "/v1/unbindings", false),
    ("post", "/v1/resync", false),
    ("get", "/v1/test/clock", true),
    ("put", "/v1/test/clock", true),
    ("get", "/v1/test/sms", true),
];

/// How to run the server.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// The verification policy.
    pub policy: Policy,
    /// Live (real users) or test (harness runs).
    pub mode: Mode,
    /// POST every SMS to this URL. Without it, in test mode SMS stay in an outbox
    /// (`GET /v1/test/sms` drains it); in live mode they are dropped.
    pub sms_webhook: Option<Url>,
    /// Hardware tokens in the inventory at start (from a vendor's PSKC or OATH CSV file).
    /// `/v1/admin/reset` empties the inventory like everything else.
    pub seeds: Vec<TokenSeed>,
    /// What one client may hold of the server.
    pub limits: Limits,
}

/// Whom the server is for.
#[derive(Clone, Debug)]
pub enum Mode {
    /// Real users: wall time, ids, salts, secrets and SMS codes from the operating system's
    /// randomness, and the privileged routes (`/v1/admin/*`) need the admin token.
    Live {
        /// The bearer token of the privileged routes.
        admin_token: AdminToken,
    },
    /// Harness runs: a virtual clock that only moves when a client sets it, `/v1/test/*`
    /// routes, and every random draw from `seed`, so secrets and session ids are predictable.
    /// Never for real users.
    Test {
        /// The virtual clock's time at start.
        clock_start: SimTime,
        /// Seed of every random stream.
        seed: u64,
        /// When set, the privileged routes (`/v1/admin/*`, `/v1/test/*`) need it; otherwise
        /// they are open.
        admin_token: Option<AdminToken>,
    },
}

impl ServerConfig {
    /// Test mode from [`DEFAULT_EPOCH`] with `seed`, open privileged routes, SMS in the
    /// outbox, an empty inventory and the default limits.
    pub fn test(policy: Policy, seed: u64) -> ServerConfig {
        let mode = Mode::Test { clock_start: DEFAULT_EPOCH, seed, admin_token: None };
        ServerConfig { policy, mode, sms_webhook: None, seeds: Vec::new(), limits: Limits::default() }
    }

    /// Live mode behind `admin_token`, no SMS webhook (SMS are dropped), an empty inventory and
    /// the default limits.
    pub fn live(policy: Policy, admin_token: AdminToken) -> ServerConfig {
        let mode = Mode::Live { admin_token };
        ServerConfig { policy, mode, sms_webhook: None, seeds: Vec::new(), limits: Limits::default() }
    }
}

/// Shared state behind the handlers.
#[derive(Debug)]
pub struct App {
    /// The reference service.
    pub service: Service,
    /// The server's clock.
    pub clock: ServerClock,
    /// The in-process outbox, when no webhook is configured.
    pub outbox: Option<Arc<SmsOutbox>>,
    /// Whether test routes are served.
    pub test_mode: bool,
    /// The token the privileged routes need, if any.
    pub admin_token: Option<AdminToken>,
    /// The threads that check passwords.
    pub passwords: PasswordWorkers,
}

/// Serves `config` on an already bound listener until the task is dropped (the CLI binds
/// first, so it reports the address only once it is really serving; tests bind port 0).
///
/// # Errors
/// The seeds name a serial twice, or the password workers cannot be started.
pub async fn serve_on(listener: tokio::net::TcpListener, config: ServerConfig) -> std::io::Result<()> {
    let app = router(&config)?;
    connection::accept(listener, app, config.limits).await;
    Ok(())
}

/// The routes of protocol v1 for `config`. Must run inside a tokio runtime (the webhook
/// gateway starts a task).
fn router(config: &ServerConfig) -> std::io::Result<Router> {
    let test_mode = matches!(config.mode, Mode::Test { .. });
    let (gateway, outbox): (Arc<dyn SmsGateway>, _) = match &config.sms_webhook {
        Some(url) => (Arc::new(webhook::WebhookGateway::spawn(url.clone())), None),
        None if test_mode => {
            let outbox = Arc::new(SmsOutbox::new());
            (outbox.clone(), Some(outbox))
        }
        None => (Arc::new(webhook::Discard), None),
    };
    let (clock, randomness, admin_token) = match &config.mode {
        Mode::Live { admin_token } => (ServerClock::Wall, Randomness::Os, Some(admin_token.clone())),
        Mode::Test { clock_start, seed, admin_token } => (
            ServerClock::Test(std::sync::Mutex::new(*clock_start)),
            Randomness::Seeded(*seed),
            admin_token.clone(),
        ),
    };
    let service = Service::with_randomness(config.policy.clone(), randomness, gateway);
    service
        .import_seeds(config.seeds.clone())
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("seed file: {e}")))?;
    let passwords = PasswordWorkers::start(config.limits.password_workers)?;
    let app = Arc::new(App { service, clock, outbox, test_mode, admin_token, passwords });
    let mut privileged = Router::new()
        .route("/v1/admin/reset", post(api::reset))
        .route("/v1/admin/users", post(api::create_user))
        .route("/v1/admin/users/{name}", get(api::account))
        .route("/v1/admin/users/{name}/authenticators", get(api::authenticator_record))
        .route("/v1/admin/users/{name}/phone", post(api::set_phone))
        .route("/v1/admin/users/{name}/beta", post(api::set_beta))
        .route("/v1/admin/users/{name}/devices", post(api::provision_device))
        .route("/v1/admin/users/{name}/protections", post(api::provision_protection))
        .route("/v1/admin/hardware-seeds", post(api::import_seeds))
        .route("/v1/admin/support-reset", post(api::support_reset))
        .route("/v1/admin/audit", get(api::audit));
    if test_mode {
        privileged = privileged
            .route("/v1/test/clock", get(api::clock).put(api::set_clock))
            .route("/v1/test/sms", get(api::sms_outbox));
    }
    let privileged = privileged
        .route_layer(axum::middleware::from_fn_with_state(app.clone(), access::require_admin_token));
    Ok(Router::new()
        .route("/v1/info", get(api::info))
        .route("/v1/login", post(api::login))
        .route("/v1/challenges/sms", post(api::request_sms))
        .route("/v1/challenges/answer", post(api::answer))
        .route("/v1/operations", post(api::perform))
        .route("/v1/protections", post(api::set_protection))
        .route("/v1/bindings", post(api::start_binding))
        .route("/v1/bindings/virtual", post(api::finish_virtual))
        .route("/v1/bindings/hardware", post(api::finish_hardware))
        .route("/v1/challenges/confirm", post(api::confirm))
        .route("/v1/unbindings", post(api::start_unbinding))
        .route("/v1/resync", post(api::resync))
        .merge(privileged)
        .fallback(api::not_found)
        .method_not_allowed_fallback(api::method_not_allowed)
        .with_state(app)
        .layer(axum::middleware::from_fn_with_state(config.limits.body_timeout, body::read_in_time)))
}
