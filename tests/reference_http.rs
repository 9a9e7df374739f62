//! The target protocol over loopback HTTP: the served routes agree with the committed
//! OpenAPI document, a full login/binding flow works on the test clock, 32 parallel
//! submissions of one code accept exactly once, and bad requests get clear 4xx errors.

use std::collections::BTreeSet;

use mfa_harness::clock::DEFAULT_EPOCH;
use mfa_harness::otp::{OtpAuthUri, Totp, UriKind};
use mfa_harness::protocol::AdminToken;
use mfa_harness::reference::Policy;
use mfa_harness::server::{self, ROUTES, ServerConfig, access};
use serde_json::{Value, json};

/// The admin token of the live servers these tests start.
const TOKEN: &str = "reference-http-admin-token";

/// A server in test mode (seed 9, open admin routes), or in live mode behind [`TOKEN`].
async fn start(test_clock: bool) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let policy = Policy { lockout_threshold: 100, ..Policy::for_tests() };
    let config = if test_clock {
        ServerConfig::test(policy, 9)
    } else {
        ServerConfig::live(policy, AdminToken::parse(TOKEN).unwrap())
    };
    tokio::spawn(server::serve_on(listener, config));
    format!("http://{addr}")
}

async fn post(base: &str, path: &str, body: Value) -> (u16, Value) {
    let r = reqwest::Client::new().post(format!("{base}{path}")).json(&body).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn ok(base: &str, path: &str, body: Value) -> Value {
    let (status, v) = post(base, path, body).await;
    assert!(status < 300, "{path}: {status} {v}");
    v
}

fn openapi() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/protocol/target-protocol.openapi.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn served_routes_and_the_openapi_document_agree() {
    let doc = openapi();
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            let methods = ["get", "put", "post", "delete", "patch"];
            methods.into_iter().filter(|m| item.get(*m).is_some()).map(move |m| (m.to_owned(), path.clone()))
        })
        .collect();
    let served: BTreeSet<(String, String)> =
        ROUTES.iter().map(|(m, p, _)| (m.to_string(), p.to_string())).collect();
    assert_eq!(documented, served);
    assert_eq!(doc["info"]["version"], server::api::PROTOCOL_VERSION);
}

#[test]
fn the_privileged_routes_and_only_they_are_documented_behind_the_admin_token() {
    let doc = openapi();
    assert_eq!(doc["components"]["securitySchemes"]["adminToken"]["scheme"], "bearer");
    for (method, path, _) in ROUTES {
        let op = &doc["paths"][*path][*method];
        let guarded = op["security"] == json!([{"adminToken": []}]) && op["responses"].get("401").is_some();
        assert_eq!(guarded, access::is_privileged(path), "{method} {path}");
        assert!(op["responses"].get("408").is_some(), "{method} {path}: no 408 for a slow body");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_server_answers_401_on_each_privileged_route_without_its_token_only() {
    let base = start(false).await;
    let client = reqwest::Client::new();
    for (method, path, test_only) in ROUTES.iter().filter(|(_, _, test_only)| !test_only) {
        let url = format!("{base}{}", path.replace("{name}", "nobody"));
        for token in [None, Some(TOKEN)] {
            let mut req = if *method == "get" { client.get(&url) } else { client.post(&url) };
            if let Some(token) = token {
                req = req.bearer_auth(token);
            }
            let r = req.header("content-type", "application/json").body("{}").send().await.unwrap();
            let refused = r.status() == 401;
            assert_eq!(
                refused,
                token.is_none() && access::is_privileged(path),
                "{method} {path} {test_only}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_listed_route_is_served_and_test_routes_only_with_the_test_clock() {
    let (with, without) = (start(true).await, start(false).await);
    let client = reqwest::Client::new();
    for (method, path, test_only) in ROUTES {
        let path = path.replace("{name}", "nobody");
        for (base, expect_served) in [(&with, true), (&without, !test_only)] {
            let req = match *method {
                "get" => client.get(format!("{base}{path}")),
                "put" => client.put(format!("{base}{path}")),
                _ => client.post(format!("{base}{path}")),
            };
            let r = req.header("content-type", "application/json").body("{}").send().await.unwrap();
            let body: Value = r.json().await.unwrap_or(Value::Null);
            let unrouted = body["code"] == "no_route";
            assert_eq!(!unrouted, expect_served, "{method} {path} on {base}: {body}");
        }
    }
}

fn app(uri: &str) -> Totp {
    let uri = OtpAuthUri::parse(uri).unwrap();
    let UriKind::Totp { period } = uri.kind else { panic!() };
    Totp::new(&uri.secret, uri.algorithm, uri.digits, period, 0)
}

/// Root "alice" with a bound virtual device and login protection by TOTP; returns the app
/// and the clock (Unix seconds) after setup.
async fn protected_root(base: &str) -> (Totp, u64) {
    ok(base, "/v1/admin/users", json!({"name": "alice", "password": "pw", "role": "root"})).await;
    ok(base, "/v1/admin/users/alice/phone", json!({"phone": "+1555"})).await;
    let v = ok(base, "/v1/login", json!({"user": "alice", "password": "pw"})).await;
    let session = v["session"].as_str().unwrap().to_owned();
    let v = ok(base, "/v1/bindings", json!({"session": session, "kind": "virtual"})).await;
    assert_eq!(v["verdict"], "challenge_required", "identity check first: {v}");
    assert_eq!(v["methods"], json!(["sms", "password"]));
    let v = ok(
        base,
        "/v1/challenges/answer",
        json!({"challenge": v["challenge"], "method": "password", "code": "pw"}),
    )
    .await;
    assert_eq!(v["verdict"], "binding_open");
    assert!(!v["enrolment"]["qr_png"].as_str().unwrap().is_empty());
    let totp = app(v["enrolment"]["uri"].as_str().unwrap());
    let mut now = DEFAULT_EPOCH.unix_secs();
    let code = |t: u64| totp.code_at(t).unwrap().to_string();
    let v = ok(
        base,
        "/v1/bindings/virtual",
        json!({"binding": v["binding"], "first": code(now - 30), "second": code(now)}),
    )
    .await;
    assert_eq!(v["verdict"], "accepted");
    now += 30;
    let (status, v) = post(base, "/v1/test/clock", json!({})).await;
    assert_eq!((status, v["code"].as_str()), (405, Some("method_not_allowed")));
    let r = reqwest::Client::new()
        .put(format!("{base}/v1/test/clock"))
        .json(&json!({"unix_millis": now * 1000}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v = ok(
        base,
        "/v1/protections",
        json!({"session": session, "user": "alice", "scope": "login", "methods": ["virtual_mfa"]}),
    )
    .await;
    assert_eq!(v["verdict"], "accepted", "strengthening needs no second factor: {v}");
    let v = ok(base, "/v1/operations", json!({"session": session, "operation": "create_access_key"})).await;
    assert_eq!(v["verdict"], "challenge_required", "root has operation protection by SMS: {v}");
    assert_eq!(v["methods"], json!(["sms"]));
    assert_eq!(
        ok(base, "/v1/challenges/sms", json!({"challenge": v["challenge"]})).await["verdict"],
        "sms_sent"
    );
    let sms: Value = reqwest::get(format!("{base}/v1/test/sms")).await.unwrap().json().await.unwrap();
    let sms_code = sms[0]["code"].as_str().unwrap();
    let done = ok(
        base,
        "/v1/challenges/answer",
        json!({"challenge": v["challenge"], "method": "sms", "code": sms_code}),
    )
    .await;
    assert_eq!(done["verdict"], "accepted");
    (totp, now)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_two_parallel_submissions_over_http_accept_exactly_once() {
    let base = start(true).await;
    let (totp, now) = protected_root(&base).await;
    let mut challenges = Vec::new();
    for _ in 0..32 {
        let v = ok(&base, "/v1/login", json!({"user": "alice", "password": "pw"})).await;
        assert_eq!(v["verdict"], "challenge_required");
        challenges.push(v["challenge"].clone());
    }
    let code = totp.code_at(now).unwrap().to_string();
    let tasks: Vec<_> = challenges
        .into_iter()
        .map(|c| {
            let (base, code) = (base.clone(), code.clone());
            tokio::spawn(async move {
                post(
                    &base,
                    "/v1/challenges/answer",
                    json!({"challenge": c, "method": "virtual_mfa", "code": code}),
                )
                .await
            })
        })
        .collect();
    let mut accepted = 0;
    for t in tasks {
        let (status, v) = t.await.unwrap();
        assert_eq!(status, 200);
        match v["verdict"].as_str() {
            Some("accepted") => accepted += 1,
            _ => assert_eq!(v["reason"], "replayed", "{v}"),
        }
    }
    assert_eq!(accepted, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_clear_4xx_errors() {
    let base = start(true).await;
    let client = reqwest::Client::new();
    let send = |path: &str, body: String, json_type: bool| {
        let mut req = client.post(format!("{base}{path}")).body(body);
        if json_type {
            req = req.header("content-type", "application/json");
        }
        req.send()
    };
    let cases: Vec<(&str, String, bool, u16, &str)> = vec![
        ("/v1/login", "{\"user\": \"alice\"}".into(), true, 422, "invalid_field"),
        ("/v1/login", "{\"user\": 5, \"password\": \"x\"}".into(), true, 422, "invalid_field"),
        ("/v1/login", "{not json".into(), true, 400, "malformed_json"),
        ("/v1/login", "{\"user\": \"a\", \"password\": \"b\"}".into(), false, 415, "not_json"),
        (
            "/v1/login",
            format!("{{\"user\": \"{}\", \"password\": \"b\"}}", "x".repeat(200_000)),
            true,
            413,
            "body_too_large",
        ),
        ("/v1/login", "{\"user\": \"nobody\", \"password\": \"b\"}".into(), true, 404, "unknown_user"),
        (
            "/v1/challenges/answer",
            "{\"challenge\": \"12\", \"method\": \"virtual_mfa\", \"code\": \"1\"}".into(),
            true,
            404,
            "unknown_challenge",
        ),
        (
            "/v1/challenges/answer",
            "{\"challenge\": 12, \"method\": \"virtual_mfa\", \"code\": \"1\"}".into(),
            true,
            422,
            "invalid_field",
        ),
        (
            "/v1/operations",
            "{\"session\": \"1\", \"operation\": \"launch_missiles\"}".into(),
            true,
            422,
            "invalid_field",
        ),
        (
            "/v1/admin/users",
            "{\"name\": \"bob\", \"password\": \"p\", \"role\": \"iam\", \"root\": \"ghost\"}".into(),
            true,
            422,
            "unknown_root",
        ),
        (
            "/v1/admin/hardware-seeds",
            "[{\"serial\": \"S\", \"secret\": \"!!\"}]".into(),
            true,
            422,
            "invalid_field",
        ),
        ("/v1/admin/users/nobody/phone", "{\"phone\": \"+1\"}".into(), true, 404, "unknown_user"),
        ("/v1/admin/users/nobody/beta", "{\"on\": \"yes\"}".into(), true, 422, "invalid_field"),
        (
            "/v1/admin/users/nobody/devices",
            "{\"kind\": \"virtual\", \"secret\": \"!!\"}".into(),
            true,
            422,
            "invalid_field",
        ),
        ("/v1/admin/users/nobody/devices", "{\"kind\": \"phone\"}".into(), true, 422, "invalid_field"),
        (
            "/v1/admin/users/nobody/protections",
            "{\"scope\": \"login\", \"methods\": [\"totp\"]}".into(),
            true,
            422,
            "invalid_field",
        ),
        (
            "/v1/admin/users/nobody/protections",
            "{\"scope\": \"login\", \"methods\": []}".into(),
            true,
            404,
            "unknown_user",
        ),
        ("/v1/nope", "{}".into(), true, 404, "no_route"),
    ];
    for (path, body, json_type, status, code) in cases {
        let r = send(path, body, json_type).await.unwrap();
        let got = r.status().as_u16();
        let v: Value = r.json().await.unwrap();
        assert_eq!((got, v["code"].as_str().unwrap()), (status, code), "{path}: {v}");
        assert!(!v["message"].as_str().unwrap().is_empty());
    }
    let v = ok(&base, "/v1/admin/users", json!({"name": "bob", "password": "p", "role": "root"})).await;
    assert_eq!(v["ok"], true);
    let (status, v) =
        post(&base, "/v1/admin/users", json!({"name": "bob", "password": "p", "role": "root"})).await;
    assert_eq!((status, v["code"].as_str()), (409, Some("duplicate_user")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wall_clock_server_refuses_to_set_time() {
    let base = start(false).await;
    let r = reqwest::Client::new()
        .put(format!("{base}/v1/test/clock"))
        .json(&json!({"unix_millis": 0}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let info: Value = reqwest::get(format!("{base}/v1/info")).await.unwrap().json().await.unwrap();
    assert_eq!(info["test_clock"], false);
    let caps = info["capabilities"].as_array().unwrap();
    assert!(!caps.contains(&json!("clock-control")) && !caps.contains(&json!("sms")), "{info}");
    assert!(caps.contains(&json!("virtual-mfa")), "{info}");
    let policy = Policy::for_tests();
    assert_eq!(info["policy"]["lockout_threshold"], 100);
    assert_eq!(info["policy"]["lockout_duration"], policy.lockout_duration.as_secs());
    assert_eq!(info["policy"]["sms_max_attempts"], policy.sms_max_attempts);
    let with: Value =
        reqwest::get(format!("{}/v1/info", start(true).await)).await.unwrap().json().await.unwrap();
    assert!(with["capabilities"].as_array().unwrap().contains(&json!("clock-control")), "{with}");
    assert!(with["capabilities"].as_array().unwrap().contains(&json!("sms")), "{with}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sms_codes_reach_the_webhook_and_answer_the_challenge() {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Value>();
    let receiver = axum::Router::new().route(
        "/sms",
        axum::routing::post(move |axum::Json(v): axum::Json<Value>| {
            let tx = tx.clone();
            async move {
                tx.send(v).unwrap();
                "ok"
            }
        }),
    );
    let hook = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook_addr = hook.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(hook, receiver).await.unwrap() });

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let config = ServerConfig {
        sms_webhook: Some(format!("http://{hook_addr}/sms").parse().unwrap()),
        ..ServerConfig::test(Policy::for_tests(), 3)
    };
    tokio::spawn(server::serve_on(listener, config));
    ok(&base, "/v1/admin/users", json!({"name": "alice", "password": "pw", "role": "root"})).await;
    ok(&base, "/v1/admin/users/alice/phone", json!({"phone": "+1555"})).await;
    let session = ok(&base, "/v1/login", json!({"user": "alice", "password": "pw"})).await["session"].clone();
    let v = ok(&base, "/v1/operations", json!({"session": session, "operation": "create_access_key"})).await;
    assert_eq!(v["verdict"], "challenge_required");
    assert_eq!(
        ok(&base, "/v1/challenges/sms", json!({"challenge": v["challenge"]})).await["verdict"],
        "sms_sent"
    );
    let sms = tokio::time::timeout(std::time::Duration::from_secs(10), rx.recv()).await.unwrap().unwrap();
    assert_eq!(sms["phone"], "+1555");
    let answer = json!({"challenge": v["challenge"], "method": "sms", "code": sms["code"]});
    assert_eq!(ok(&base, "/v1/challenges/answer", answer).await["verdict"], "accepted");
    // With a webhook the outbox route says where the messages went.
    let r = reqwest::get(format!("{base}/v1/test/sms")).await.unwrap();
    assert_eq!(r.status(), 404);
}

/// `serve --seeds FILE`: the tokens of a vendor's seed file are in the inventory at start, so
/// a token from the file binds by serial and one not in it does not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_from_a_seed_file_are_in_the_inventory_at_start() {
    use mfa_harness::provision::{self, pskc};
    let file = pskc::write(&provision::sample_batch(3, 5)).unwrap();
    let seeds = provision::read("batch.pskc", &file).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let config = ServerConfig { seeds, ..ServerConfig::test(Policy::for_tests(), 9) };
    tokio::spawn(server::serve_on(listener, config));
    ok(&base, "/v1/admin/users", json!({"name": "rita", "password": "pw", "role": "root"})).await;
    let (status, _) =
        post(&base, "/v1/admin/users/rita/devices", json!({"kind": "hardware", "serial": "MFA0000002"}))
            .await;
    assert_eq!(status, 201);
    let (status, body) =
        post(&base, "/v1/admin/users/rita/devices", json!({"kind": "hardware", "serial": "NOT-IN-FILE"}))
            .await;
    assert!((400..500).contains(&status), "{status} {body}");
}
