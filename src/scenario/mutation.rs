//! Mutation testing of the suite: run it against the unmodified reference (which must pass
//! every scenario) and against each mutant (each must fail at least one). Together the two
//! show every check can fail and none fails a correct server. `mfa-harness mutants` and
//! `tests/mutants.rs` both call [`run`].

use super::runner::{self, RunSettings};
use super::suite::Suite;
use crate::reference::mutant::Mutant;
use crate::report::{RunRecord, Status};
use crate::sut::TargetSpec;

/// What the suite did to one mutant.
#[derive(Clone, Debug)]
pub struct MutantOutcome {
    /// The mutant's name.
    pub name: String,
    /// Its fault, in words.
    pub fault: String,
    /// Scenarios that failed against it (sorted ids): it is killed when there is one.
    pub killed_by: Vec<String>,
    /// Scenarios that could not run against it (harness errors).
    pub errors: Vec<String>,
}

impl MutantOutcome {
    /// Whether some scenario failed against the mutant.
    pub fn killed(&self) -> bool {
        !self.killed_by.is_empty()
    }
}

/// The reference's run and every mutant's outcome, in catalogue order.
#[derive(Clone, Debug)]
pub struct MutationReport {
    /// The unmodified reference's run.
    pub reference: RunRecord,
    /// One outcome per mutant.
    pub mutants: Vec<MutantOutcome>,
}

impl MutationReport {
    /// Whether the reference passed every scenario and every mutant was killed.
    pub fn complete(&self) -> bool {
        self.reference.summary.passed == self.reference.summary.total
            && self.mutants.iter().all(MutantOutcome::killed)
    }
}

/// Runs the suite against the reference and each mutant, on up to `threads` threads. Results
/// do not depend on the thread count: each run is independent and results keep catalogue order.
pub fn run(suite: &Suite, mutants: &[Mutant], seed: u64, threads: usize) -> MutationReport {
    let settings = RunSettings { seed, ..RunSettings::default() };
    let run_one = |spec: TargetSpec| {
        // The in-process reference always connects.
        let connection = spec.connect().expect("in-process target");
        runner::run(suite, &connection, &settings)
    };
    let reference = run_one(TargetSpec::reference());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut outcomes: Vec<(usize, MutantOutcome)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads.max(1))
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(m) = mutants.get(i) else { break done };
                        let record = run_one(TargetSpec::mutant(m));
                        let ids = |status: Status| {
                            record
                                .scenarios
                                .iter()
                                .filter(|s| s.status == status)
                                .map(|s| s.id.clone())
                                .collect()
                        };
                        done.push((
                            i,
                            MutantOutcome {
                                name: m.name.clone(),
                                fault: m.fault.clone(),
                                killed_by: ids(Status::Failed),
                                errors: ids(Status::Error),
                            },
                        ));
                    }
                })
            })
            .collect();
        // A worker panics only if the runner does, which is a bug worth surfacing as is.
        workers.into_iter().flat_map(|w| w.join().expect("mutant worker")).collect()
    });
    outcomes.sort_by_key(|(i, _)| *i);
    MutationReport { reference, mutants: outcomes.into_iter().map(|(_, o)| o).collect() }
}
