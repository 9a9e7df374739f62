//! The reference service over HTTP: the documented, versioned **target protocol**
//! (`protocol/target-protocol.openapi.json`). axum on tokio; every route is listed in
//! [`ROUTES`] and a test checks the OpenAPI document names exactly these. Time comes from
//! [`clock::ServerClock`]: wall time, or a settable virtual clock with `--test-clock`.

pub mod api;
pub mod clock;
pub mod webhook;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::reference::{Policy, Service, SmsGateway, SmsOutbox};
use clock::ServerClock;

/// Largest request body accepted (64 KiB: a seed import of a few hundred tokens).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Every route of protocol v1: (method, path, served only with `--test-clock`).
pub const ROUTES: &[(&str, &str, bool)] = &[
    ("get", "/v1/info", false),
    ("post", "/v1/admin/reset", false),
    ("post", "/v1/admin/users", false),
    ("get", "/v1/admin/users/{name}", false),
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
    /// Seed of the service's random streams.
    pub seed: u64,
    /// Serve `/v1/test/*` and run on a settable virtual clock starting at this time.
    pub test_clock: Option<crate::clock::SimTime>,
    /// POST every SMS to this URL; without it, SMS stay in an outbox (`GET /v1/test/sms`).
    pub sms_webhook: Option<String>,
    /// Hardware tokens in the inventory at start (from a vendor's PSKC or OATH CSV file).
    /// `/v1/admin/reset` empties the inventory like everything else.
    pub seeds: Vec<crate::provision::TokenSeed>,
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
}

/// Builds the router for `config`. Must run inside a tokio runtime when a webhook is set.
pub fn router(config: &ServerConfig) -> Router {
    let (gateway, outbox): (Arc<dyn SmsGateway>, _) = match &config.sms_webhook {
        Some(url) => (Arc::new(webhook::WebhookGateway::spawn(url.clone())), None),
        None => {
            let outbox = Arc::new(SmsOutbox::new());
            (outbox.clone(), Some(outbox))
        }
    };
    let clock = match config.test_clock {
        Some(start) => ServerClock::Test(std::sync::Mutex::new(start)),
        None => ServerClock::Wall,
    };
    let service = Service::new(config.policy.clone(), config.seed, gateway);
    // The inventory starts empty and a seed file never names a serial twice (the readers
    // refuse that), so the import cannot fail.
    service.import_seeds(config.seeds.clone()).expect("seed file import into an empty inventory");
    let app = Arc::new(App { service, clock, outbox, test_mode: config.test_clock.is_some() });
    let mut r = Router::new()
        .route("/v1/info", get(api::info))
        .route("/v1/admin/reset", post(api::reset))
        .route("/v1/admin/users", post(api::create_user))
        .route("/v1/admin/users/{name}", get(api::account))
        .route("/v1/admin/users/{name}/phone", post(api::set_phone))
        .route("/v1/admin/users/{name}/beta", post(api::set_beta))
        .route("/v1/admin/users/{name}/devices", post(api::provision_device))
        .route("/v1/admin/users/{name}/protections", post(api::provision_protection))
        .route("/v1/admin/hardware-seeds", post(api::import_seeds))
        .route("/v1/admin/support-reset", post(api::support_reset))
        .route("/v1/admin/audit", get(api::audit))
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
        .route("/v1/resync", post(api::resync));
    if app.test_mode {
        r = r
            .route("/v1/test/clock", get(api::clock).put(api::set_clock))
            .route("/v1/test/sms", get(api::sms_outbox));
    }
    r.fallback(api::not_found)
        .method_not_allowed_fallback(api::method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(app)
}

/// Binds `addr` and serves until the process ends.
///
/// # Errors
/// The address cannot be bound, or the server fails.
pub async fn serve(addr: SocketAddr, config: ServerConfig) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    serve_on(listener, config).await
}

/// Serves on an already bound listener (tests bind port 0 and read the address).
///
/// # Errors
/// The server fails.
pub async fn serve_on(listener: tokio::net::TcpListener, config: ServerConfig) -> std::io::Result<()> {
    axum::serve(listener, router(&config)).await
}
