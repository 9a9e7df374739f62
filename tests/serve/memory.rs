//! Item 10: `serve` outside test mode grew by Argon2's 19 MiB on every login and never gave it
//! back (7 MB to 4.4 GB after about 210 logins from 32 connections). Measured cause: a fresh
//! 64-byte-aligned 19 MiB allocation per hash, which glibc's heap never reused once its mmap
//! threshold had adapted, on as many blocking threads as there were concurrent logins. Now a
//! fixed set of password workers each reuses its Argon2 memory.

use serde_json::json;

use super::serve_with_token;

const TOKEN: &str = "memory-test-admin-token";

/// 2 rounds of 24 standard-cost logins from 12 connections. Before the fix each round added
/// about 450 MiB; now the resident set is the base plus 2 workers' 19 MiB.
#[test]
fn resident_memory_stays_bounded_under_concurrent_standard_cost_logins() {
    let served = serve_with_token(TOKEN, &["--password-workers", "2"]);
    let client = reqwest::blocking::Client::new();
    let created = client
        .post(format!("{}/v1/admin/users", served.base))
        .bearer_auth(TOKEN)
        .json(&json!({"name": "alice", "password": "correct horse", "role": "root"}))
        .send()
        .unwrap();
    assert_eq!(created.status(), 201);
    let mut resident = Vec::new();
    for _ in 0..2 {
        std::thread::scope(|scope| {
            for _ in 0..12 {
                scope.spawn(|| {
                    for _ in 0..2 {
                        let r = client
                            .post(format!("{}/v1/login", served.base))
                            .json(&json!({"user": "alice", "password": "correct horse"}))
                            .send()
                            .unwrap();
                        assert_eq!(r.status(), 200);
                    }
                });
            }
        });
        resident.push(served.resident_mib());
    }
    let (first, second) = (resident[0], resident[1]);
    assert!(second < 128.0, "resident set {second:.0} MiB after 48 logins (bound 128 MiB)");
    assert!(second - first < 16.0, "resident set grew from {first:.0} to {second:.0} MiB in 24 logins");
}
