//! Reference service throughput in-process: TOTP verifications per second (accepted codes,
//! each on a fresh step, and wrong codes), with the full challenge path and the global lock.
//! Run: `cargo bench --bench reference -- --warm-up-time 1 --measurement-time 3`.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use mfa_harness::clock::{DEFAULT_EPOCH, SimTime};
use mfa_harness::otp::{OtpAuthUri, Totp, UriKind};
use mfa_harness::protocol::{ChallengeId, DeviceKind, Method, MethodSet, NewUser, Role, Scope, Verdict};
use mfa_harness::reference::{Dangers, Policy, Service, SmsOutbox};

fn setup(policy: Policy) -> (Service, Totp, SimTime) {
    let outbox = Arc::new(SmsOutbox::new());
    let service = Service::new(policy, 1, outbox);
    let mut now = DEFAULT_EPOCH;
    let new = NewUser { name: "alice".into(), password: "pw".into(), role: Role::Root };
    service.create_user(new, now).expect("fresh user");
    service.set_phone("alice", Some("+1".into())).expect("user exists");
    let Verdict::Accepted { session: Some(s) } =
        service.login("alice", "pw", "here", now).expect("user exists")
    else {
        panic!("no protection yet")
    };
    let Verdict::ChallengeRequired { challenge, .. } =
        service.start_binding(s, DeviceKind::Virtual, now).expect("session exists")
    else {
        panic!("identity check first")
    };
    let Verdict::BindingOpen { binding, enrolment: Some(e), .. } =
        service.answer_challenge(challenge, Method::Password, "pw", now).expect("challenge exists")
    else {
        panic!("binding opens")
    };
    let uri = OtpAuthUri::parse(&e.uri).expect("service URIs parse");
    let UriKind::Totp { period } = uri.kind else { panic!("TOTP") };
    let totp = Totp::new(&uri.secret, uri.algorithm, uri.digits, period, 0);
    let t = now.unix_secs();
    let (a, b) =
        (totp.code_at(t - 30).expect("after T0").to_string(), totp.code_at(t).expect("after T0").to_string());
    service.finish_virtual_binding(binding, &a, &b, now).expect("binding exists");
    // Strengthening one's own protection needs no second factor.
    let v = service
        .set_protection(s, "alice", Scope::Login, MethodSet::of(&[Method::VirtualMfa]), now)
        .expect("known");
    assert!(v.is_accepted(), "{v:?}");
    now += Duration::from_secs(30);
    (service, totp, now)
}

fn challenge(service: &Service, now: SimTime) -> ChallengeId {
    match service.login("alice", "pw", "here", now).expect("known") {
        Verdict::ChallengeRequired { challenge, .. } => challenge,
        other => panic!("{other:?}"),
    }
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("reference");
    group.throughput(Throughput::Elements(1));
    let (service, totp, mut now) = setup(Policy::for_tests());
    group.bench_function("verify_accepted_code", |b| {
        b.iter_batched(
            || {
                now += Duration::from_secs(30);
                let code = totp.code_at(now.unix_secs()).expect("after T0").to_string();
                (challenge(&service, now), code, now)
            },
            |(c, code, at)| {
                let v = service.answer_challenge(c, Method::VirtualMfa, &code, at).expect("known");
                assert!(v.is_accepted());
            },
            BatchSize::SmallInput,
        )
    });
    let policy =
        Policy { dangers: Dangers { danger_no_lockout: true, ..Dangers::default() }, ..Policy::for_tests() };
    let (service, _, now) = setup(policy);
    let c = challenge(&service, now);
    group.bench_function("verify_wrong_code", |b| {
        b.iter(|| black_box(service.answer_challenge(c, Method::VirtualMfa, "000000", now).expect("known")))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    // No plots: the machine may have no fonts, and the figures are what we report.
    config = Criterion::default().without_plots();
    targets = bench
}
criterion_main!(benches);
