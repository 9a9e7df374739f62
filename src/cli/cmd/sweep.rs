//! `mfa-harness sweep drift|attack|sms`: run a study (or one shard of it) and write its CSV,
//! JSON and plots, or the shard's partial file.

use std::io::IsTerminal;
use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::RunVerdict;
use crate::cli::args::{DriftArgs, SmsArgs, StudyArgs, SweepStudy, Tracking};
use crate::clock::Drift;
use crate::otp::Digits;
use crate::sim::DriftDistribution;
use crate::study::attack::{AttackConfig, AttackStudy};
use crate::study::drift::{DriftConfig, DriftGrid, DriftStudy};
use crate::study::sms::{SmsConfig, SmsStudy};
use crate::study::{Mode, Outputs, Partial, Shard, Study};

/// Runs the chosen study.
///
/// # Errors
/// Bad flags (named), study errors, files that cannot be written.
pub fn run(which: &SweepStudy) -> anyhow::Result<RunVerdict> {
    match which {
        SweepStudy::Drift(a) => execute::<DriftStudy>(&a.study, &drift_config(a)?),
        SweepStudy::Attack(a) => {
            let mut config = AttackConfig::new(a.study.seed);
            config.mode = a.mode;
            config.trials = a.trials;
            config.windows = a.windows.clone();
            config.horizon = Duration::from_secs(a.horizon_days.saturating_mul(86_400));
            config.digits = Digits::new(a.digits).context("--digits")?;
            execute::<AttackStudy>(&a.study, &config)
        }
        SweepStudy::Sms(a) => execute::<SmsStudy>(&a.study, &sms_config(a)),
    }
}

/// The drift study's configuration from its flags.
///
/// # Errors
/// A drift tolerance that is not a finite number.
pub fn drift_config(a: &DriftArgs) -> anyhow::Result<DriftConfig> {
    if !a.drift_s_per_year.is_finite() {
        anyhow::bail!("--drift-s-per-year must be a number, got {}", a.drift_s_per_year);
    }
    let mut c = DriftConfig::new(a.study.seed);
    c.mode = a.mode;
    c.tokens = a.tokens.unwrap_or(match a.mode {
        Mode::Analytic => 100_000,
        Mode::Exact => 10_000,
    });
    c.schedule.days = a.years.saturating_mul(365);
    c.schedule.every_days = a.every_days;
    c.schedule.attempts_per_login = a.attempts;
    c.bucket_days = a.bucket_days;
    c.token.drift = DriftDistribution::Uniform { max: Drift::seconds_per_year(a.drift_s_per_year.abs()) };
    c.grid = DriftGrid {
        windows: a.windows.clone(),
        tracking: a.tracking.iter().map(|t| *t == Tracking::On).collect(),
        resync: a.resync.clone(),
        lockout_thresholds: a.lockout.clone(),
    }
    .settings();
    c.validated()?;
    Ok(c)
}

/// The SMS study's configuration from its flags.
pub fn sms_config(a: &SmsArgs) -> SmsConfig {
    let mut c = SmsConfig::new(a.study.seed);
    c.trials = a.trials;
    c.lifetimes = a.lifetimes.iter().map(|s| Duration::from_secs(*s)).collect();
    c
}

/// Writes a whole study's reports into `out/<study>-seed<seed>/` and prints where they went.
///
/// # Errors
/// Files that cannot be written.
pub fn write_reports(out: &Path, outputs: &Outputs) -> anyhow::Result<()> {
    let written = outputs.write(&out.join(&outputs.folder))?;
    for path in written {
        println!("wrote {}", path.display());
    }
    Ok(())
}

fn execute<S: Study>(common: &StudyArgs, config: &S::Config) -> anyhow::Result<RunVerdict> {
    let shard: Shard = common.shard.parse().context("--shard")?;
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(n) = common.threads {
        pool = pool.num_threads(n.max(1));
    }
    let pool = pool.build().context("starting worker threads")?;
    let bar = if std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(S::items(config) / u64::from(shard.count));
        if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} {per_sec} eta {eta}") {
            bar.set_style(style);
        }
        bar
    } else {
        ProgressBar::hidden()
    };
    let progress = |n: u64| bar.inc(n);
    let partial = pool.install(|| Partial::<S>::run(config, shard, &progress))?;
    bar.finish_and_clear();
    if shard.is_whole() {
        write_reports(&common.out, &partial.outputs()?)?;
    } else {
        let path = partial.write(&common.out.join(partial.folder()))?;
        println!("wrote {} (merge all {} shards with `mfa-harness merge`)", path.display(), shard.count);
    }
    Ok(RunVerdict::Passed)
}
