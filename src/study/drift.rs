//! `sweep drift`: a population of hardware tokens logging in for years under a grid of
//! verification settings. Per setting and token age (and per token drift): first-try
//! acceptance, false rejections, lockouts, resyncs and support resets.

use serde::{Deserialize, Serialize};

use super::aggregate::{Merge, add_counts};
use super::output::{Table, csv};
use super::population::{Cohort, LoginOutcome, LoginSchedule, Observer};
use super::setting::{Mode, ResyncRule, Setting};
use super::shard::run_units;
use super::{Counts, Progress, Shard, Study, StudyError, StudyPolicy, words};
use crate::clock::{DEFAULT_EPOCH, Drift};
use crate::otp::Window;
use crate::otp::batch::BatchEngine;
use crate::reference::Policy;
use crate::report::plot::Chart;
use crate::sim::{DriftDistribution, TokenSpec, UserProfile};

mod report;

pub use report::{DriftReport, Row, label};

/// Tokens per work unit (a cohort run together; also the unit of sharding).
pub const CHUNK: u64 = 256;

/// A drift study: population, schedule and the grid of settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DriftConfig {
    /// Master seed.
    pub seed: u64,
    /// Tokens in the population.
    pub tokens: u64,
    /// Analytic only, or exact codes too.
    pub mode: Mode,
    /// How the tokens are made (drift, aging, factory offset; battery death is left out:
    /// a dead battery is not a verification outcome).
    pub token: TokenSpec,
    /// When and how users log in.
    pub schedule: LoginSchedule,
    /// Width of an age bucket in days.
    pub bucket_days: u32,
    /// Width of a drift bin in seconds per year.
    pub drift_bin_seconds: u32,
    /// The settings compared.
    pub grid: Vec<Setting>,
}

/// The grid's axes: every combination becomes one [`Setting`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DriftGrid {
    /// Symmetric window sizes (±n steps).
    pub windows: Vec<u64>,
    /// Drift tracking off and/or on.
    pub tracking: Vec<bool>,
    /// Resync rules.
    pub resync: Vec<ResyncRule>,
    /// Lockout thresholds.
    pub lockout_thresholds: Vec<u32>,
}

impl Default for DriftGrid {
    /// ±1, ±2, ±5 × tracking off/on, self-service resync, lockout after 10: six settings.
    fn default() -> Self {
        DriftGrid {
            windows: vec![1, 2, 5],
            tracking: vec![false, true],
            resync: vec![ResyncRule::SelfService],
            lockout_thresholds: vec![10],
        }
    }
}

impl DriftGrid {
    /// The settings, windows varying slowest, lockout thresholds fastest: the reference
    /// policy's defaults with the grid's window and lockout threshold, and without drift
    /// tracking `max_drift_steps` 0 (only a resync moves the window).
    pub fn settings(&self) -> Vec<Setting> {
        let defaults = Policy::default();
        let mut out = Vec::new();
        for &w in &self.windows {
            for &tracking in &self.tracking {
                for &resync in &self.resync {
                    for &lockout in &self.lockout_thresholds {
                        let reference = Policy {
                            window: Window::symmetric(w),
                            max_drift_steps: if tracking { defaults.max_drift_steps } else { 0 },
                            lockout_threshold: lockout,
                            ..defaults.clone()
                        };
                        out.push(Setting { policy: StudyPolicy::from(reference), resync });
                    }
                }
            }
        }
        out
    }
}

impl DriftConfig {
    /// The documented defaults: 100,000 tokens of [`TokenSpec::default`] (±90 s/year, aging
    /// ±0.5 ppm/year, no battery death) logging in daily for 5 years with
    /// [`UserProfile::default`]'s look-and-type time and three attempts, 30-day age buckets,
    /// 10 s/year drift bins, and [`DriftGrid::default`].
    pub fn new(seed: u64) -> DriftConfig {
        DriftConfig {
            seed,
            tokens: 100_000,
            mode: Mode::Analytic,
            token: TokenSpec { battery_life: None, ..TokenSpec::default() },
            schedule: LoginSchedule {
                epoch: DEFAULT_EPOCH,
                days: 5 * 365,
                every_days: 1,
                look_and_type: UserProfile::default().look_and_type,
                attempts_per_login: 3,
                support_after_failed_logins: 2,
            },
            bucket_days: 30,
            drift_bin_seconds: 10,
            grid: DriftGrid::default().settings(),
        }
    }

    /// Checks the parameters.
    ///
    /// # Errors
    /// [`StudyError::Config`] naming the field.
    pub fn validated(&self) -> Result<&Self, StudyError> {
        let bad = |what: &str| Err(StudyError::Config(format!("drift study: {what}")));
        if self.tokens == 0 || self.schedule.days == 0 || self.grid.is_empty() {
            return bad("tokens, days and the grid must not be empty");
        }
        if self.bucket_days == 0 || self.drift_bin_seconds == 0 || self.schedule.every_days == 0 {
            return bad("bucket_days, drift_bin_seconds and every_days must be at least 1");
        }
        if self.schedule.attempts_per_login == 0 {
            return bad("attempts_per_login must be at least 1");
        }
        self.token.validated()?;
        self.schedule.look_and_type.validated()?;
        Ok(self)
    }

    fn age_buckets(&self) -> usize {
        self.schedule.days.div_ceil(self.bucket_days) as usize
    }

    /// Half-width of the drift axis in s/year, a whole number of bins.
    fn drift_reach(&self) -> i64 {
        let max = match self.token.drift {
            DriftDistribution::Fixed { drift } => drift.ppb().unsigned_abs(),
            DriftDistribution::Uniform { max } => max.ppb().unsigned_abs(),
            DriftDistribution::Normal { sigma } => 3 * sigma.ppb().unsigned_abs(),
        };
        let secs = words::seconds_per_year(Drift::from_ppb(max as i64)).ceil() as i64;
        let bin = i64::from(self.drift_bin_seconds);
        (secs / bin + 1) * bin
    }

    fn drift_bins(&self) -> usize {
        (2 * self.drift_reach() / i64::from(self.drift_bin_seconds)) as usize
    }

    fn drift_bin(&self, drift: Drift) -> usize {
        let x = words::seconds_per_year(drift) + self.drift_reach() as f64;
        ((x / f64::from(self.drift_bin_seconds)).floor().max(0.0) as usize).min(self.drift_bins() - 1)
    }
}

/// Counters of one (setting, bucket).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Logins started.
    pub logins: u64,
    /// Logins whose first code was accepted.
    pub first_try: u64,
    /// Logins with some code accepted.
    pub accepted: u64,
    /// Codes entered.
    pub attempts: u64,
    /// Codes rejected (every one a false rejection: all users are legitimate).
    pub rejections: u64,
    /// Logins that locked the account.
    pub lockouts: u64,
    /// Logins refused because the account was still locked.
    pub blocked: u64,
    /// Self-service resyncs.
    pub resyncs: u64,
    /// Support resets.
    pub support_resets: u64,
}

impl Tally {
    fn add(&mut self, o: &LoginOutcome) {
        self.logins += 1;
        self.first_try += u64::from(o.first_try);
        self.accepted += u64::from(o.accepted);
        self.attempts += u64::from(o.attempts);
        self.rejections += u64::from(o.rejections);
        self.lockouts += u64::from(o.locked_out);
        self.blocked += u64::from(o.blocked);
        self.resyncs += u64::from(o.resynced);
        self.support_resets += u64::from(o.support_reset);
    }
}

impl Merge for Tally {
    fn merge(&mut self, o: &Tally) {
        self.logins += o.logins;
        self.first_try += o.first_try;
        self.accepted += o.accepted;
        self.attempts += o.attempts;
        self.rejections += o.rejections;
        self.lockouts += o.lockouts;
        self.blocked += o.blocked;
        self.resyncs += o.resyncs;
        self.support_resets += o.support_resets;
    }
}

/// Counters per (setting, age bucket) and per (setting, drift bin), row-major by setting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tables {
    /// `by_age[setting * age_buckets + bucket]`.
    pub by_age: Vec<Tally>,
    /// `by_drift[setting * drift_bins + bin]`.
    pub by_drift: Vec<Tally>,
}

impl Tables {
    fn empty(config: &DriftConfig) -> Tables {
        let s = config.grid.len();
        Tables {
            by_age: vec![Tally::default(); s * config.age_buckets()],
            by_drift: vec![Tally::default(); s * config.drift_bins()],
        }
    }

    fn merge(&mut self, o: &Tables) -> Result<(), StudyError> {
        add_counts(&mut self.by_age, &o.by_age)?;
        add_counts(&mut self.by_drift, &o.by_drift)
    }
}

/// The drift study.
pub struct DriftStudy;

/// A shard's counters: what shards add up.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DriftCounts {
    /// Step arithmetic.
    pub analytic: Tables,
    /// Real codes (exact mode only).
    pub exact: Option<Tables>,
}

impl Counts for DriftCounts {
    fn add(&mut self, other: &DriftCounts) -> Result<(), StudyError> {
        self.analytic.merge(&other.analytic)?;
        match (self.exact.as_mut(), other.exact.as_ref()) {
            (Some(a), Some(b)) => a.merge(b),
            (None, None) => Ok(()),
            _ => Err(StudyError::Merge("drift shards mix modes".to_owned())),
        }
    }
}

impl Study for DriftStudy {
    const NAME: &'static str = "drift";
    const FORMAT: u32 = 2;
    type Config = DriftConfig;
    type Counts = DriftCounts;
    type Report = DriftReport;

    fn seed(config: &DriftConfig) -> u64 {
        config.seed
    }

    /// Tokens.
    fn items(config: &DriftConfig) -> u64 {
        config.tokens
    }

    /// Runs the shard's token chunks; progress in tokens.
    fn run(config: &DriftConfig, shard: Shard, progress: &Progress<'_>) -> Result<DriftCounts, StudyError> {
        config.validated()?;
        let chunks = config.tokens.div_ceil(CHUNK);
        let engine = BatchEngine::detect();
        let empty = || DriftCounts {
            analytic: Tables::empty(config),
            exact: (config.mode == Mode::Exact).then(|| Tables::empty(config)),
        };
        run_units(chunks, shard, empty, |c, out| {
            let first = c * CHUNK;
            let count = CHUNK.min(config.tokens - first);
            run_cohort(config, first, count, Mode::Analytic, &engine, &mut out.analytic)?;
            if let Some(exact) = out.exact.as_mut() {
                run_cohort(config, first, count, Mode::Exact, &engine, exact)?;
            }
            progress(count);
            Ok(())
        })
    }

    /// One row per (mode, setting, age bucket) and per (mode, setting, drift bin).
    fn report(config: &DriftConfig, counts: &DriftCounts) -> DriftReport {
        let c = config;
        let mut by_age = Vec::new();
        let mut by_drift = Vec::new();
        let modes = [(Mode::Analytic, Some(&counts.analytic)), (Mode::Exact, counts.exact.as_ref())];
        for (mode, tables) in modes {
            let Some(t) = tables else { continue };
            for (s, setting) in c.grid.iter().enumerate() {
                let label = label(setting);
                let ages = c.age_buckets();
                for b in 0..ages {
                    let from = b as u32 * c.bucket_days;
                    let to = (from + c.bucket_days).min(c.schedule.days);
                    by_age.push(Row::new(
                        mode,
                        s,
                        &label,
                        f64::from(from + to) / 2.0 / 365.0,
                        &t.by_age[s * ages + b],
                    ));
                }
                let bins = c.drift_bins();
                for b in 0..bins {
                    let lo = -c.drift_reach() + b as i64 * i64::from(c.drift_bin_seconds);
                    let mid = lo as f64 + f64::from(c.drift_bin_seconds) / 2.0;
                    let tally = &t.by_drift[s * bins + b];
                    if tally.logins > 0 {
                        by_drift.push(Row::new(mode, s, &label, mid, tally));
                    }
                }
            }
        }
        DriftReport { config: c.clone(), by_age, by_drift }
    }

    fn tables(report: &DriftReport) -> Result<Vec<Table>, StudyError> {
        Ok(vec![("by-age", csv(&report.by_age)?), ("by-drift", csv(&report.by_drift)?)])
    }

    fn charts(report: &DriftReport) -> Vec<Chart> {
        report.charts()
    }
}

fn run_cohort(
    config: &DriftConfig,
    first: u64,
    count: u64,
    mode: Mode,
    engine: &BatchEngine,
    tables: &mut Tables,
) -> Result<(), StudyError> {
    let cohort = Cohort::new(&config.token, config.seed, config.schedule.epoch, first, count, mode)?;
    let drift_bins: Vec<usize> = cohort.clocks().map(|c| config.drift_bin(c.drift())).collect();
    let mut observer = TableObserver {
        tables,
        first,
        drift_bins,
        age_buckets: config.age_buckets(),
        bucket_days: config.bucket_days,
        bins: config.drift_bins(),
    };
    cohort.run(&config.schedule, &config.grid, engine, &mut observer)
}

struct TableObserver<'a> {
    tables: &'a mut Tables,
    first: u64,
    drift_bins: Vec<usize>,
    age_buckets: usize,
    bucket_days: u32,
    bins: usize,
}

impl Observer for TableObserver<'_> {
    fn day(&mut self, first: u64, setting: usize, day: u32, outcomes: &[LoginOutcome]) {
        let mut all = Tally::default();
        let offset = (first - self.first) as usize;
        let drift = &mut self.tables.by_drift[setting * self.bins..(setting + 1) * self.bins];
        for (o, &bin) in outcomes.iter().zip(&self.drift_bins[offset..]) {
            all.add(o);
            drift[bin].add(o);
        }
        let age = (day / self.bucket_days) as usize;
        self.tables.by_age[setting * self.age_buckets + age].merge(&all);
    }
}
