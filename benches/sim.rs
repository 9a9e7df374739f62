//! Simulator throughput: raw events per second, and a simulated year of daily logins for
//! 10 000 hardware tokens (each login: the user reads the token, types, the code is verified
//! with `Totp::verify(.., Window::symmetric(1))`, and the answer goes back to the user).

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use mfa_harness::clock::SimTime;
use mfa_harness::otp::{Totp, Verification, Window};
use mfa_harness::sim::{Concern, DeviceId, Fired, Limits, ServerAnswer, Sim, TokenSpec, UserId, UserProfile};
use rand::RngExt;

const DAY: Duration = Duration::from_secs(86_400);

fn events_per_second(c: &mut Criterion) {
    const EVENTS: u64 = 100_000;
    let mut group = c.benchmark_group("events");
    group.throughput(Throughput::Elements(EVENTS));
    group.bench_function("100k timer events", |b| {
        b.iter_batched(
            || {
                let mut sim = Sim::builder(1).trace(false).build().unwrap();
                let mut rng = sim.streams().stream("bench", Concern::Schedule);
                for tag in 0..EVENTS {
                    let at = sim.now() + Duration::from_millis(rng.random_range(0..86_400_000));
                    sim.wake_at(at, tag).unwrap();
                }
                sim
            },
            |mut sim| {
                let end = sim.now() + DAY;
                let mut n = 0u64;
                while let Some(Fired::Wake { tag }) = sim.next_event(end).unwrap() {
                    n += black_box(tag) & 1;
                }
                n
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

/// A population of `tokens` hardware tokens with one user each, the server's verifier per
/// user, and each user's time of day for logging in (drawn once from their Schedule stream).
fn population(first: u64, tokens: u64) -> (Sim, Vec<(UserId, Totp, Duration)>) {
    let limits = Limits { max_span: Duration::from_secs(400 * 86_400), max_events: u64::MAX };
    let mut sim = Sim::builder(2026).trace(false).limits(limits).build().unwrap();
    let batch = TokenSpec::default().batch(sim.streams(), sim.epoch(), first, tokens).unwrap();
    let mut users = Vec::new();
    for token in batch {
        let server = token.seed().totp();
        let serial = token.serial().to_owned();
        let id = sim.insert_token(token).unwrap();
        let name = format!("user-{serial}");
        let user = sim.add_user(&name, DeviceId::Token(id), UserProfile::default()).unwrap();
        let offset =
            sim.streams().stream(&name, Concern::Schedule).random_range(8 * 3_600_000..18 * 3_600_000u64);
        users.push((user, server, Duration::from_millis(offset)));
    }
    (sim, users)
}

/// One simulated year of daily logins; returns (accepted, rejected) for a sanity check.
fn year_of_logins(sim: &mut Sim, users: &[(UserId, Totp, Duration)]) -> (u64, u64) {
    let (mut accepted, mut rejected) = (0, 0);
    for day in 0..365u32 {
        let midnight = sim.epoch() + DAY * day;
        for (user, _, offset) in users {
            sim.start_login(*user, midnight + *offset).unwrap();
        }
        let end: SimTime = midnight + DAY;
        while let Some(fired) = sim.next_event(end).unwrap() {
            let Fired::CodeEntered(e) = fired else { continue };
            let server = &users[e.user.index()].1;
            let answer = match server.verify(&e.code, sim.now().unix_secs(), Window::symmetric(1)).unwrap() {
                Verification::Matched { .. } => {
                    accepted += 1;
                    ServerAnswer::Accepted
                }
                Verification::NoMatch => {
                    rejected += 1;
                    ServerAnswer::Rejected
                }
            };
            sim.answer(e.user, answer).unwrap();
        }
    }
    (accepted, rejected)
}

fn daily_logins(c: &mut Criterion) {
    const TOKENS: u64 = 10_000;
    let mut group = c.benchmark_group("daily logins");
    group.sample_size(10);
    group.throughput(Throughput::Elements(TOKENS * 365));
    group.bench_function("one simulated year, 10k hardware tokens", |b| {
        b.iter_batched(
            || population(0, TOKENS),
            |(mut sim, users)| {
                let (accepted, rejected) = year_of_logins(&mut sim, &users);
                // Without drift tracking, tokens drifting ±90 s/year leave a ±1 window within
                // months, so a real share is rejected; most are still accepted.
                assert!(accepted >= TOKENS * 365 / 2, "accepted {accepted}, rejected {rejected}");
                (accepted, rejected)
            },
            BatchSize::PerIteration,
        )
    });
    // The same population split in two halves on two threads: each token and user draws only
    // from its own streams, so the halves behave exactly as in one simulator.
    group.bench_function("one simulated year, 10k hardware tokens, 2 threads", |b| {
        b.iter_batched(
            || [population(0, TOKENS / 2), population(TOKENS / 2, TOKENS / 2)],
            |halves| {
                std::thread::scope(|s| {
                    let handles: Vec<_> = halves
                        .into_iter()
                        .map(|(mut sim, users)| s.spawn(move || year_of_logins(&mut sim, &users)))
                        .collect();
                    handles.into_iter().map(|h| h.join().unwrap()).fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
                })
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group! {
    name = benches;
    // No plots: the machine has no fonts for criterion's plotters backend, and the figures go
    // in text reports anyway.
    config = Criterion::default().without_plots();
    targets = events_per_second, daily_logins
}
criterion_main!(benches);
