//! Every mutant of the reference is killed by at least one scenario, and the unmodified
//! reference passes them all: each check can fail, and none fails a correct server.

use mfa_harness::reference::mutant;
use mfa_harness::scenario::{Suite, mutation};

#[test]
fn every_mutant_is_killed_and_the_reference_passes() {
    let suite = Suite::load(&[]).unwrap();
    let mutants = mutant::catalogue().unwrap();
    assert!(mutants.len() >= 20);
    let report = mutation::run(&suite, &mutants, 1, 2);
    let r = &report.reference.summary;
    assert_eq!(r.passed, r.total, "the reference must pass every scenario");
    let survivors: Vec<&str> =
        report.mutants.iter().filter(|m| !m.killed()).map(|m| m.name.as_str()).collect();
    assert!(survivors.is_empty(), "mutants no scenario kills: {survivors:?}");
}
