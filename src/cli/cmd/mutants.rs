//! `mfa-harness mutants`: the suite against every faulty variant of the reference.

use anyhow::Context;

use crate::cli::RunVerdict;
use crate::cli::args::MutantsArgs;
use crate::reference::mutant;
use crate::scenario::{Suite, mutation};

/// Runs the subcommand: exit 0 when the reference passes everything and every mutant is
/// killed, 1 otherwise.
///
/// # Errors
/// A broken built-in suite or catalogue.
pub fn run(args: &MutantsArgs) -> anyhow::Result<RunVerdict> {
    let suite = Suite::load(&[]).context("loading features")?;
    let mutants = mutant::catalogue().context("loading the mutant catalogue")?;
    let report = mutation::run(&suite, &mutants, args.seed, args.threads);
    let r = &report.reference.summary;
    println!("reference: {} of {} scenarios passed", r.passed, r.total);
    let width = mutants.iter().map(|m| m.name.len()).max().unwrap_or(0);
    for m in &report.mutants {
        let verdict = if m.killed() { "killed" } else { "SURVIVED" };
        let by = match m.killed_by.as_slice() {
            [] => String::new(),
            [one] => format!(" by {one}"),
            [first, rest @ ..] => format!(" by {first} (+{} more)", rest.len()),
        };
        let errors = if m.errors.is_empty() { String::new() } else { format!("; {} errors", m.errors.len()) };
        println!("{:<width$}  {verdict}{by}{errors}", m.name);
    }
    let killed = report.mutants.iter().filter(|m| m.killed()).count();
    println!("{killed} of {} mutants killed (seed {})", report.mutants.len(), args.seed);
    Ok(if report.complete() { RunVerdict::Passed } else { RunVerdict::Failed })
}
