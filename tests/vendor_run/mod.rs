//! A run with failures, as `mfa-harness run` records it: the reference with its lockout
//! switched off (the `no-lockout` mutant) through the lockout and replay scenarios, and the
//! probe's observed policy beside them, which also contradicts the declared threshold.

use mfa_harness::probe;
use mfa_harness::reference::mutant;
use mfa_harness::report::RunRecord;
use mfa_harness::scenario::runner::{self, RunSettings};
use mfa_harness::scenario::{Suite, TagFilter};
use mfa_harness::sut::TargetSpec;

/// The seed every vendor-report test uses.
pub const SEED: u64 = 2026;

/// The record of the failing run, for `seed`, scenarios selected by `tags`.
pub fn failing_run(seed: u64, tags: &str) -> RunRecord {
    let m = mutant::catalogue().unwrap().into_iter().find(|m| m.name == "no-lockout").unwrap();
    let connection = TargetSpec::mutant(&m).connect().unwrap();
    let suite = Suite::load(&[]).unwrap();
    let settings =
        RunSettings { seed, tags: Some(TagFilter::parse(tags).unwrap()), ..RunSettings::default() };
    let mut record = runner::run(&suite, &connection, &settings);
    record.observed_policy = Some(probe::probe(&connection, seed).into());
    record
}
