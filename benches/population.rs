//! The population engine ([`Cohort`]): one simulated year of daily logins for 10,000 hardware
//! tokens, verified with a ±1 window and drift tracking (the reference policy's defaults). In
//! exact mode the batch engine computes each shown code and every window code: the issue-3
//! target ("well under a second") the event-driven `Sim` missed. Cohorts of 256 tokens, on one
//! thread and on every core; the analytic path for comparison.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use mfa_harness::otp::batch::BatchEngine;
use mfa_harness::study::drift::{CHUNK, DriftConfig};
use mfa_harness::study::population::{Cohort, LoginOutcome, Observer};
use mfa_harness::study::{Mode, ResyncRule, Setting, StudyPolicy};
use rayon::prelude::*;

const TOKENS: u64 = 10_000;

/// Counts accepted logins, so the work cannot be optimised away.
struct Accepted(u64);

impl Observer for Accepted {
    fn day(&mut self, _first: u64, _setting: usize, _day: u32, outcomes: &[LoginOutcome]) {
        self.0 += outcomes.iter().filter(|o| o.accepted).count() as u64;
    }
}

fn year(config: &DriftConfig, settings: &[Setting], mode: Mode, engine: &BatchEngine) -> u64 {
    (0..TOKENS.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| {
            let first = c * CHUNK;
            let cohort = Cohort::new(
                &config.token,
                config.seed,
                config.schedule.epoch,
                first,
                CHUNK.min(TOKENS - first),
                mode,
            )
            .unwrap();
            let mut seen = Accepted(0);
            cohort.run(&config.schedule, settings, engine, &mut seen).unwrap();
            seen.0
        })
        .sum()
}

fn population(c: &mut Criterion) {
    let mut config = DriftConfig::new(1);
    config.schedule.days = 365;
    let settings = [Setting { policy: StudyPolicy::default(), resync: ResyncRule::SelfService }];
    let engine = BatchEngine::detect();
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let mut g = c.benchmark_group("population");
    g.sample_size(10);
    for (mode, name) in [(Mode::Exact, "exact codes"), (Mode::Analytic, "analytic")] {
        g.bench_function(format!("year of daily logins, 10k tokens, {name}, 1 thread"), |b| {
            b.iter(|| one.install(|| black_box(year(&config, &settings, mode, &engine))))
        });
        g.bench_function(format!("year of daily logins, 10k tokens, {name}, all cores"), |b| {
            b.iter(|| black_box(year(&config, &settings, mode, &engine)))
        });
    }
    g.finish();
}

criterion_group!(benches, population);
criterion_main!(benches);
