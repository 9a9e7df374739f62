//! `mfa-harness run`: the conformance suite against a target, reports in `reports/`.

use std::path::PathBuf;

use anyhow::{Context, bail};

use crate::cli::RunVerdict;
use crate::cli::args::RunArgs;
use crate::report::RunOutcome;
use crate::scenario::runner::{self, RunSettings};
use crate::scenario::{ExpectedFailures, Suite, TagFilter};
use crate::sut::TargetSpec;

/// Runs the subcommand.
///
/// # Errors
/// Bad feature text, tags, expected-failures file or target (located), unwritable reports,
/// and a run with harness errors (after its reports are written).
pub fn run(args: &RunArgs) -> anyhow::Result<RunVerdict> {
    let spec = TargetSpec::parse(&args.target).map_err(anyhow::Error::msg).context("--target")?;
    let suite = Suite::load(&args.features).context("loading features")?;
    let tags = args.tags.as_deref().map(TagFilter::parse).transpose()?;
    let ids: Vec<String> = suite.scenarios().into_iter().map(|s| s.id).collect();
    let expected = match &args.expected_failures {
        Some(path) => ExpectedFailures::load(path, &ids)?,
        None => ExpectedFailures::default(),
    };
    let connection = spec.connect().context("connecting to the target")?;
    let max_real_wait =
        std::time::Duration::try_from_secs_f64(args.max_real_wait).context("--max-real-wait")?;
    let settings = RunSettings { seed: args.seed, tags, expected, live: !args.quiet, max_real_wait };
    let record = runner::run(&suite, &connection, &settings);
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("reports").join(format!("{}-{}", slug(&args.target), args.seed)));
    let written = record.write_all(&dir).context("writing reports")?;
    let s = &record.summary;
    println!(
        "{} scenarios: {} passed, {} failed, {} expected failures, {} not applicable, {} errors (seed {})",
        s.total, s.passed, s.failed, s.expected_failures, s.not_applicable, s.errors, record.seed
    );
    for path in written {
        println!("wrote {}", path.display());
    }
    match record.outcome() {
        RunOutcome::Conforms => Ok(RunVerdict::Passed),
        RunOutcome::DoesNotConform => Ok(RunVerdict::Failed),
        RunOutcome::Errored => {
            bail!("{} scenarios could not be run (harness or target errors): no verdict", s.errors)
        }
    }
}

/// A folder name for a target (`reference`, `https-mfa.example.com`).
fn slug(target: &str) -> String {
    target
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '-' })
        .collect::<String>()
        .trim_matches('-')
        .to_owned()
}
