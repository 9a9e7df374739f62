//! `sweep attack`: an online attacker guessing codes against one account, under a window and a
//! lockout or rate-limit rule, over a time horizon. The analytic answer is RFC 4226 Appendix
//! A's: with `s` codes accepted per guess (the window) and `q` guesses allowed by the rule,
//! P(success) = 1 − (1 − p)^q where p = 1 − (1 − 10^-digits)^s, bounded above by the RFC's
//! q·s/10^digits. The simulation plays the guesses, against real codes in exact mode.

use std::time::Duration;

use rand::RngExt;
use serde::{Deserialize, Serialize};

use super::aggregate::{Proportion, add_counts};
use super::output::{Table, csv};
use super::setting::Mode;
use super::shard::run_units;
use super::{Counts, Progress, Shard, Study, StudyError, words};
use crate::otp::batch::BatchEngine;
use crate::otp::{Algorithm, Code, Digits, KeyedHmac, Secret};
use crate::reference::Policy;
use crate::report::plot::{Chart, Line, Marker, Point, Series, Style};
use crate::sim::{Concern, Streams};

/// How many guesses the server lets through: `burst` guesses, then nothing until `every` has
/// passed. A lockout after `threshold` failures for `duration` is `burst = threshold,
/// every = duration` (the attacker takes every guess a lock allows); a rate limit of n per
/// interval is `burst = n, every = interval`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuessRule {
    /// Name in tables and legends.
    pub name: String,
    /// Guesses per period.
    pub burst: u32,
    /// The period.
    pub every: Duration,
}

impl GuessRule {
    /// Lockout after `threshold` failures for `duration`.
    pub fn lockout(threshold: u32, duration: Duration) -> GuessRule {
        GuessRule {
            name: format!("lockout {threshold} / {}", words::duration(duration)),
            burst: threshold,
            every: duration,
        }
    }

    /// At most `n` guesses per `interval`.
    pub fn rate(n: u32, interval: Duration) -> GuessRule {
        GuessRule { name: format!("rate {n} / {}", words::duration(interval)), burst: n, every: interval }
    }

    /// Guesses allowed within `horizon` (bursts at 0, every, 2·every, … before the horizon).
    pub fn guesses(&self, horizon: Duration) -> u64 {
        let every = self.every.as_millis().max(1);
        let bursts = horizon.as_millis().div_ceil(every) as u64;
        bursts * u64::from(self.burst)
    }
}

/// An attack study.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AttackConfig {
    /// Master seed.
    pub seed: u64,
    /// Simulated attackers per setting.
    pub trials: u64,
    /// Random codes, or real codes of random keys.
    pub mode: Mode,
    /// Code length.
    pub digits: Digits,
    /// Step length in seconds.
    pub period: u64,
    /// Symmetric windows (±n).
    pub windows: Vec<u64>,
    /// Guess rules.
    pub rules: Vec<GuessRule>,
    /// How long the attacker keeps going.
    pub horizon: Duration,
}

impl AttackConfig {
    /// Defaults: 1,000 attackers per setting, 6 digits every 30 s, windows ±0, ±1, ±2, ±5,
    /// ±10, rules lockout 10 / 15 min (the reference default), lockout 5 / 15 min,
    /// lockout 10 / 60 min and rate 1 / 1 min, over 30 days.
    pub fn new(seed: u64) -> AttackConfig {
        let reference = Policy::default();
        AttackConfig {
            seed,
            trials: 1000,
            mode: Mode::Analytic,
            digits: Digits::SIX,
            period: 30,
            windows: vec![0, 1, 2, 5, 10],
            rules: vec![
                GuessRule::lockout(reference.lockout_threshold, reference.lockout_duration),
                GuessRule::lockout(5, Duration::from_secs(900)),
                GuessRule::lockout(10, Duration::from_secs(3600)),
                GuessRule::rate(1, Duration::from_secs(60)),
            ],
            horizon: Duration::from_secs(30 * 86_400),
        }
    }

    /// Checks the parameters.
    ///
    /// # Errors
    /// [`StudyError::Config`] naming the field.
    pub fn validated(&self) -> Result<&Self, StudyError> {
        if self.trials == 0 || self.windows.is_empty() || self.rules.is_empty() || self.period == 0 {
            return Err(StudyError::Config(
                "attack study: trials, windows, rules and period must be non-empty".into(),
            ));
        }
        if self.rules.iter().any(|r| r.burst == 0 || r.every.is_zero()) {
            return Err(StudyError::Config(
                "attack study: a rule needs burst >= 1 and a positive period".into(),
            ));
        }
        Ok(self)
    }

    fn settings(&self) -> impl Iterator<Item = (u64, &GuessRule)> {
        self.windows.iter().flat_map(move |&w| self.rules.iter().map(move |r| (w, r)))
    }

    /// Probability that one guess is accepted by a ±`window` window of random codes.
    pub fn guess_probability(&self, window: u64) -> f64 {
        let miss = 1.0 - 1.0 / self.digits.modulus() as f64;
        1.0 - miss.powf((2 * window + 1) as f64)
    }

    /// The analytic probability that the attacker succeeds within the horizon.
    pub fn analytic(&self, window: u64, rule: &GuessRule) -> f64 {
        let q = rule.guesses(self.horizon) as f64;
        -f64::exp_m1(q * f64::ln_1p(-self.guess_probability(window)))
    }
}

/// The attack study.
pub struct AttackStudy;

/// A shard's counts: successes per setting (windows slowest).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AttackCounts {
    /// Per setting.
    pub counts: Vec<Proportion>,
}

impl Counts for AttackCounts {
    fn add(&mut self, other: &AttackCounts) -> Result<(), StudyError> {
        add_counts(&mut self.counts, &other.counts)
    }
}

impl Study for AttackStudy {
    const NAME: &'static str = "attack";
    const FORMAT: u32 = 1;
    type Config = AttackConfig;
    type Counts = AttackCounts;
    type Report = AttackReport;

    fn seed(config: &AttackConfig) -> u64 {
        config.seed
    }

    /// Attackers (each plays every setting).
    fn items(config: &AttackConfig) -> u64 {
        config.trials
    }

    /// Runs the shard's trials; progress in trials.
    fn run(config: &AttackConfig, shard: Shard, progress: &Progress<'_>) -> Result<AttackCounts, StudyError> {
        config.validated()?;
        let settings: Vec<(u64, &GuessRule)> = config.settings().collect();
        let engine = BatchEngine::detect();
        let empty = || AttackCounts { counts: vec![Proportion { hits: 0, trials: 0 }; settings.len()] };
        run_units(config.trials, shard, empty, |t, out| {
            trial(config, &settings, t, &engine, &mut out.counts)?;
            progress(1);
            Ok(())
        })
    }

    /// One row per setting.
    fn report(config: &AttackConfig, counts: &AttackCounts) -> AttackReport {
        let c = config;
        let rows = c
            .settings()
            .zip(&counts.counts)
            .map(|((w, rule), n)| {
                let (lo, hi) = n.wilson(3.29);
                let analytic = c.analytic(w, rule);
                let q = rule.guesses(c.horizon);
                AttackRow {
                    window: w,
                    rule: rule.name.clone(),
                    guesses: q,
                    analytic,
                    rfc4226_bound: (q as f64 * (2 * w + 1) as f64 / c.digits.modulus() as f64).min(1.0),
                    trials: n.trials,
                    successes: n.hits,
                    simulated: n.rate(),
                    simulated_low: lo,
                    simulated_high: hi,
                    agrees: lo <= analytic && analytic <= hi,
                }
            })
            .collect();
        AttackReport { config: c.clone(), rows }
    }

    fn tables(report: &AttackReport) -> Result<Vec<Table>, StudyError> {
        Ok(vec![("results", csv(&report.rows)?)])
    }

    fn charts(report: &AttackReport) -> Vec<Chart> {
        report.charts()
    }
}

/// One attacker per setting against one account: a random key (exact mode) and a random
/// start within a day, shared by the settings; bursts of uniform guesses from each setting's
/// own stream. In exact mode every code of the horizon (plus the widest window) is computed in
/// one batch-engine call and shared by the settings.
fn trial(
    config: &AttackConfig,
    settings: &[(u64, &GuessRule)],
    t: u64,
    engine: &BatchEngine,
    out: &mut [Proportion],
) -> Result<(), StudyError> {
    let streams = Streams::new(config.seed);
    let name = format!("attacker-{t}");
    let period_ms = config.period.saturating_mul(1000);
    let horizon = config.horizon.as_millis().min(u128::from(u64::MAX)) as u64;
    let start = streams.stream(&name, Concern::Schedule).random_range(0..86_400_000u64)
        + crate::clock::DEFAULT_EPOCH.unix_millis();
    let reach = config.windows.iter().copied().max().unwrap_or(0);
    let first_step = (start / period_ms).saturating_sub(reach);
    let codes = if config.mode == Mode::Exact {
        let mut bytes = [0u8; 20];
        streams.stream(&name, Concern::Seed).fill(&mut bytes[..]);
        let key = KeyedHmac::new(&Secret::from_bytes(bytes.to_vec())?, Algorithm::Sha1);
        let last_step = (start + horizon) / period_ms + reach;
        let steps: Vec<u64> = (first_step..=last_step).collect();
        let mut codes = vec![Code::from_value(0, config.digits)?; steps.len()];
        engine.codes_for_key(&key, &steps, config.digits, &mut codes)?;
        Some(codes.iter().map(|c| u64::from(c.value())).collect::<Vec<u64>>())
    } else {
        None
    };
    let modulus = config.digits.modulus();
    for (s, &(w, rule)) in settings.iter().enumerate() {
        let mut rng = streams.stream(&format!("{name}-setting-{s}"), Concern::User);
        let every = rule.every.as_millis().min(u128::from(u64::MAX)) as u64;
        let p_burst = -f64::exp_m1(f64::from(rule.burst) * f64::ln_1p(-config.guess_probability(w)));
        let mut success = false;
        let mut at = 0u64;
        while at < horizon && !success {
            success = match &codes {
                None => rng.random::<f64>() < p_burst,
                Some(codes) => {
                    let center = ((start + at) / period_ms - first_step) as usize;
                    let w = w as usize;
                    let window = &codes[center - w..=center + w];
                    // Every guess is drawn, so the draws do not depend on when one hits.
                    (0..rule.burst).fold(false, |hit, _| {
                        let guess = rng.random_range(0..modulus);
                        hit | window.contains(&guess)
                    })
                }
            };
            at = at.saturating_add(every.max(1));
        }
        out[s].trials += 1;
        out[s].hits += u64::from(success);
    }
    Ok(())
}

/// One setting's result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AttackRow {
    /// ±window.
    pub window: u64,
    /// Guess rule.
    pub rule: String,
    /// Guesses allowed over the horizon.
    pub guesses: u64,
    /// 1 − (1 − p)^q.
    pub analytic: f64,
    /// RFC 4226 Appendix A's q·s/10^digits (capped at 1).
    pub rfc4226_bound: f64,
    /// Attackers simulated.
    pub trials: u64,
    /// Attackers who got in.
    pub successes: u64,
    /// successes / trials.
    pub simulated: f64,
    /// 99.9 % Wilson interval, low end.
    pub simulated_low: f64,
    /// 99.9 % Wilson interval, high end.
    pub simulated_high: f64,
    /// The analytic value lies in the interval.
    pub agrees: bool,
}

/// The finished study.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AttackReport {
    /// What ran.
    pub config: AttackConfig,
    /// Windows slowest, rules fastest.
    pub rows: Vec<AttackRow>,
}

impl AttackReport {
    /// Attacker success vs window, one colour and marker per rule: the analytic probability
    /// as a line, the simulated share as points with their 99.9 % Wilson interval.
    pub fn charts(&self) -> Vec<Chart> {
        let c = &self.config;
        let codes = match c.mode {
            Mode::Analytic => "uniformly random codes",
            Mode::Exact => "the real codes of random keys",
        };
        let caption = vec![
            format!(
                "seed {}; {} attackers per setting against {codes}; {} digits, {} s steps; {} of guessing",
                c.seed,
                words::count(c.trials),
                c.digits.get(),
                c.period,
                words::duration(c.horizon)
            ),
            "Lines: the analytic probability 1 − (1 − p)^q; points: the share of simulated attackers \
             who got in, with bars for its 99.9 % Wilson interval."
                .to_owned(),
        ];
        let mut series = Vec::new();
        for (i, rule) in c.rules.iter().enumerate() {
            let rows: Vec<&AttackRow> = self.rows.iter().filter(|r| r.rule == rule.name).collect();
            series.push(Series {
                name: format!("{} (analytic)", rule.name),
                style: Style { color: i, marker: Marker::None, line: Line::Solid },
                points: rows
                    .iter()
                    .map(|r| Point { x: r.window as f64, y: 100.0 * r.analytic, interval: None })
                    .collect(),
            });
            series.push(Series {
                name: format!("{} (simulated)", rule.name),
                style: Style { color: i, marker: Marker::nth(i), line: Line::None },
                points: rows
                    .iter()
                    .map(|r| Point {
                        x: r.window as f64,
                        y: 100.0 * r.simulated,
                        interval: Some((100.0 * r.simulated_low, 100.0 * r.simulated_high)),
                    })
                    .collect(),
            });
        }
        vec![Chart::new(
            "attack-success-vs-window",
            "Online guessing: attacker success vs window and lockout rule",
            caption,
            "window (± steps)",
            "attackers who get in within the horizon (%)",
            series,
        )]
    }
}
