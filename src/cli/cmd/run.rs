//! `mfa-harness run`: the conformance suite against a target, reports in `reports/`.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};

use crate::cli::RunVerdict;
use crate::cli::args::RunArgs;
use crate::probe::{self, Measured, ProbeReport};
use crate::report::{RunOutcome, RunRecord};
use crate::scenario::runner::{self, RunSettings};
use crate::scenario::{ExpectedFailures, Suite, TagFilter};
use crate::sut::{Connection, TargetSpec};

/// Runs the subcommand: exit 0 when the target conforms, 1 when a scenario failed (errors,
/// if any, listed beside), 2 when nothing failed but the run has no verdict.
///
/// # Errors
/// Bad feature text, tags (or tags selecting nothing), expected-failures file, deadline or
/// target (located), unwritable reports, and a run with no verdict (after its reports are
/// written).
pub fn run(args: &RunArgs) -> anyhow::Result<RunVerdict> {
    let mut spec = TargetSpec::parse(&args.target).map_err(anyhow::Error::msg).context("--target")?;
    if let Some(path) = &args.admin_token_file {
        let TargetSpec::Http(settings) = &mut spec else {
            bail!("--admin-token-file: only an http(s) target has admin routes")
        };
        settings.admin_token = Some(super::serve::read_admin_token(path)?);
    }
    let deadline = args.deadline.as_deref().map(parse_duration).transpose().context("--deadline")?;
    let suite = Suite::load(&args.features).context("loading features")?;
    let tags = args.tags.as_deref().map(TagFilter::parse).transpose()?;
    suite.select(tags.as_ref())?;
    let ids: Vec<String> = suite.scenarios().into_iter().map(|s| s.id).collect();
    let expected = match &args.expected_failures {
        Some(path) => ExpectedFailures::load(path, &ids)?,
        None => ExpectedFailures::default(),
    };
    let connection = spec.connect().context("connecting to the target")?;
    let max_real_wait =
        std::time::Duration::try_from_secs_f64(args.max_real_wait).context("--max-real-wait")?;
    let settings = RunSettings {
        seed: args.seed,
        tags,
        expected,
        live: !args.quiet,
        deadline,
        min_applicable: args.min_applicable,
        max_real_wait,
        ..RunSettings::default()
    };
    let mut record = runner::run(&suite, &connection, &settings);
    record.observed_policy = Some(observe(&connection, &record, args));
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
    if let Some(Measured::Measured { value }) = &record.observed_policy {
        let overall = value.grades.overall.map_or_else(|| "not graded".to_owned(), |g| g.to_string());
        println!("observed policy: overall grade {overall}");
    }
    for check in record.policy_mismatches() {
        println!(
            "declared policy disagrees: {} declared {}, measured {}",
            check.figure, check.declared, check.measured
        );
    }
    println!("verdict: {}", record.verdict());
    match record.outcome() {
        RunOutcome::Conforms => Ok(RunVerdict::Passed),
        RunOutcome::DoesNotConform => Ok(RunVerdict::Failed),
        RunOutcome::NoVerdict => bail!("no verdict: {}", record.no_verdict_reason().unwrap_or_default()),
    }
}

/// The observed policy for the reports: measured on a fresh target after the suite, with the
/// run's seed (so the same seed gives the same bytes). Not measured with `--no-probe`; nor
/// when no scenario got an answer (a target that is down or answers garbage would only repeat
/// its errors); nor after errors under `--deadline` (scenarios it left unstarted: the probe
/// would overrun it). A few scenario errors alone do not stop it.
fn observe(connection: &Connection, record: &RunRecord, args: &RunArgs) -> Measured<ProbeReport> {
    let s = &record.summary;
    let answered = s.passed + s.failed + s.expected_failures;
    if args.no_probe {
        return Measured::not_measured("--no-probe");
    }
    if s.errors > 0 && answered == 0 {
        return Measured::not_measured(format!(
            "no scenario got an answer from the target ({} errors), so the probe was not started",
            s.errors
        ));
    }
    if s.errors > 0 && args.deadline.is_some() {
        return Measured::not_measured(format!(
            "{} scenarios were errors under --deadline, so the probe, which would run past it, was not started",
            s.errors
        ));
    }
    probe::probe(connection, record.seed).into()
}

/// Parses a real-time span: a whole number and a unit, `ms`, `s`, `m` or `h` (`90s`, `10m`).
fn parse_duration(text: &str) -> anyhow::Result<Duration> {
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: u64 =
        number.parse().with_context(|| format!("{text:?}: expected a number and a unit (90s, 10m)"))?;
    let millis = match unit.trim() {
        "ms" => Some(n),
        "s" => n.checked_mul(1000),
        "m" | "min" => n.checked_mul(60_000),
        "h" => n.checked_mul(3_600_000),
        other => bail!("{text:?}: unknown unit {other:?} (ms, s, m or h)"),
    };
    millis.map(Duration::from_millis).with_context(|| format!("{text:?}: too long"))
}

/// A folder name for a target (`reference`, `https-mfa.example.com`).
pub(crate) fn slug(target: &str) -> String {
    target
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '-' })
        .collect::<String>()
        .trim_matches('-')
        .to_owned()
}
