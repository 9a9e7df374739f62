//! Item 12: without `--test-clock`, secrets and session ids came from `--seed` (default 1), so
//! two fresh servers issued the same ones, ids started over after `/v1/admin/reset`, and every
//! `/v1/admin/*` route (binding a device to a chosen secret included) needed no
//! authentication. Now a live server draws from the operating system and its admin routes
//! need the token it prints at start (or reads from `--admin-token-file`); test mode stays
//! seeded and says so at start.

use serde_json::{Value, json};

use mfa_harness::protocol::{AdminToken, NewUser, Role};
use mfa_harness::reference::Policy;
use mfa_harness::server::ServerConfig;
use mfa_harness::sut::{Http, HttpSettings, Target, TargetError};

use super::{Served, in_process, serve_with_token};

/// A sign-in's session id and the secret of the virtual device a binding then offers.
#[derive(Debug, PartialEq)]
struct Issued {
    session: String,
    secret: String,
}

fn post(base: &str, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
    let mut request = reqwest::blocking::Client::new().post(format!("{base}{path}")).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().unwrap();
    (response.status().as_u16(), response.json().unwrap_or(Value::Null))
}

/// Creates `name`, signs in, opens a virtual binding; returns what the server issued.
fn issue(base: &str, token: Option<&str>, name: &str) -> Issued {
    let user = json!({"name": name, "password": "pw", "role": "root"});
    assert_eq!(post(base, "/v1/admin/users", token, user).0, 201);
    let (_, login) = post(base, "/v1/login", None, json!({"user": name, "password": "pw"}));
    let session = login["session"].as_str().unwrap().to_owned();
    let (_, check) = post(base, "/v1/bindings", None, json!({"session": session, "kind": "virtual"}));
    let answer = json!({"challenge": check["challenge"], "method": "password", "code": "pw"});
    let (_, open) = post(base, "/v1/challenges/answer", None, answer);
    let uri = open["enrolment"]["uri"].as_str().unwrap();
    let secret = uri.split("secret=").nth(1).unwrap().split('&').next().unwrap().to_owned();
    Issued { session, secret }
}

#[test]
fn two_fresh_servers_issue_different_secrets_and_session_ids() {
    let (a, b) = (Served::start(&[]), Served::start(&[]));
    let from_a = issue(&a.base, Some(&a.printed_token()), "alice");
    let from_b = issue(&b.base, Some(&b.printed_token()), "alice");
    assert_ne!(from_a.session, from_b.session);
    assert_ne!(from_a.secret, from_b.secret);
    assert_ne!(a.printed_token(), b.printed_token());
}

#[test]
fn ids_and_secrets_do_not_start_over_after_a_reset() {
    let served = Served::start(&[]);
    let token = served.printed_token();
    let before = issue(&served.base, Some(&token), "alice");
    assert_eq!(post(&served.base, "/v1/admin/reset", Some(&token), json!({})).0, 200);
    let after = issue(&served.base, Some(&token), "alice");
    assert_ne!(before.session, after.session);
    assert_ne!(before.secret, after.secret);
}

#[test]
fn admin_routes_of_a_live_server_need_its_token() {
    let served = Served::start(&[]);
    let token = served.printed_token();
    assert_eq!(token.len(), 64, "{:?}", served.banner);
    let bind_chosen_secret = json!({"kind": "virtual", "secret": "JBSWY3DPEHPK3PXP"});
    for presented in [None, Some("wrong-token-0123456789"), Some(&token[..63])] {
        let user = json!({"name": "mallory", "password": "pw", "role": "root"});
        let (status, body) = post(&served.base, "/v1/admin/users", presented, user);
        assert_eq!((status, body["code"].as_str()), (401, Some("unauthorized")), "{presented:?}");
        let (status, _) =
            post(&served.base, "/v1/admin/users/alice/devices", presented, bind_chosen_secret.clone());
        assert_eq!(status, 401, "{presented:?}");
    }
    let user = json!({"name": "alice", "password": "pw", "role": "root"});
    assert_eq!(post(&served.base, "/v1/admin/users", Some(&token), user).0, 201);
    // Public routes need no token.
    assert_eq!(post(&served.base, "/v1/login", None, json!({"user": "alice", "password": "pw"})).0, 200);
}

#[test]
fn a_token_file_replaces_the_printed_token() {
    let served = serve_with_token("chosen-admin-token-1234", &[]);
    assert!(!served.banner.iter().any(|l| l.starts_with("admin token")), "{:?}", served.banner);
    let user = json!({"name": "alice", "password": "pw", "role": "root"});
    assert_eq!(post(&served.base, "/v1/admin/users", None, user.clone()).0, 401);
    assert_eq!(post(&served.base, "/v1/admin/users", Some("chosen-admin-token-1234"), user).0, 201);
}

#[test]
fn test_mode_says_so_at_start_and_stays_seeded() {
    let (a, b) = (Served::start(&["--test-clock"]), Served::start(&["--test-clock"]));
    let warning = a.banner.iter().find(|l| l.contains("TEST MODE")).expect("a test-mode warning");
    assert!(warning.contains("seed 1") && warning.contains("NEVER FOR REAL USERS"), "{warning}");
    assert!(!a.banner.iter().any(|l| l.starts_with("admin token")), "{:?}", a.banner);
    assert_eq!(issue(&a.base, None, "alice"), issue(&b.base, None, "alice"));
}

#[test]
fn the_http_target_sends_the_admin_token() {
    let token = AdminToken::parse("target-admin-token-0123").unwrap();
    let addr = in_process(ServerConfig::live(Policy::for_tests(), token.clone()));
    let alice = NewUser { name: "alice".into(), password: "pw".into(), role: Role::Root };
    let now = mfa_harness::clock::DEFAULT_EPOCH;

    let mut settings = HttpSettings::parse(&format!("http://{addr}")).unwrap();
    let without = Http::connect(settings.clone()).unwrap();
    match without.create_user(&alice, now) {
        Err(TargetError::Refused { message, .. }) => assert!(message.contains("401"), "{message}"),
        other => panic!("created a user without the admin token: {other:?}"),
    }
    settings.admin_token = Some(token);
    let with = Http::connect(settings).unwrap();
    with.reset().unwrap();
    with.create_user(&alice, now).unwrap();
    assert!(!format!("{with:?}").contains("target-admin-token"));
}

/// `run --admin-token-file` reaches a live server's admin routes; without it every applicable
/// scenario is an error (exit 2), never a pass.
#[test]
fn run_sends_the_admin_token_from_its_file() {
    let dir = std::env::temp_dir().join(format!("mfa-harness-run-token-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let policy = dir.join("fast.toml");
    std::fs::write(&policy, "password_cost = \"fast\"\n").unwrap();
    let token = dir.join("token");
    std::fs::write(&token, "run-admin-token-0123456789\n").unwrap();
    let served = serve_with_token("run-admin-token-0123456789", &["--policy", policy.to_str().unwrap()]);
    let run = |with_token: bool| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_mfa-harness"));
        command.args(["run", "--quiet", "--tags", "@area.login", "--target", &served.base]);
        command.arg("--out").arg(dir.join(if with_token { "with" } else { "without" }));
        if with_token {
            command.arg("--admin-token-file").arg(&token);
        }
        let out = command.output().unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let (code, stdout) = run(true);
    assert_eq!(code, Some(0), "{stdout}");
    assert!(stdout.contains(" 0 errors") && !stdout.contains(" 0 passed"), "{stdout}");
    let (code, stdout) = run(false);
    assert_eq!(code, Some(2), "{stdout}");
    std::fs::remove_dir_all(&dir).unwrap();
}
