//! `mfa-harness probe`: measure and grade a target's verification policy.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;

use crate::cli::RunVerdict;
use crate::probe::{self, ProbeOutcome};
use crate::sut::TargetSpec;

/// Arguments of `mfa-harness probe`.
#[derive(Debug, Args)]
pub struct ProbeArgs {
    /// The server to probe, as for `run`: `reference`, the URL of a target-protocol server
    /// (e.g. `mfa-harness serve --test-clock`), or `profile:PATH`.
    #[arg(long, default_value = "reference")]
    pub target: String,
    /// Seed of the probe's names, keys and start time: the same seed gives the same reports.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Where to write `probe.json` and `probe.md` (default `reports/probe-<target>/`).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// Runs the subcommand: exit 0 when every declared policy number agrees with the measured
/// one, 1 when one disagrees.
///
/// # Errors
/// A bad target, unwritable reports, and a probe where the target gave no usable answer for
/// some figure (after the reports are written).
pub fn run(args: &ProbeArgs) -> anyhow::Result<RunVerdict> {
    let spec = TargetSpec::parse(&args.target).map_err(anyhow::Error::msg).context("--target")?;
    let connection = spec.connect().context("connecting to the target")?;
    let report = probe::probe(&connection, args.seed).context("probing the target")?;
    print!("{}", probe::render_text(&report));
    let dir = args.out.clone().unwrap_or_else(|| {
        PathBuf::from("reports").join(format!("probe-{}", super::run::slug(&args.target)))
    });
    for path in report.write_all(&dir).with_context(|| format!("writing reports to {}", dir.display()))? {
        println!("wrote {}", path.display());
    }
    match report.outcome() {
        ProbeOutcome::Agrees => Ok(RunVerdict::Passed),
        ProbeOutcome::Disagrees => Ok(RunVerdict::Failed),
        ProbeOutcome::Errored => {
            bail!("the target gave no usable answer for: {}", report.errors().join("; "))
        }
    }
}
