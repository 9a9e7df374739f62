//! The drift study's report: one row per (mode, setting, age bucket or drift bin) with its
//! rates and 95 % Wilson intervals, and the three charts drawn from the rows.

use serde::{Deserialize, Serialize};

use super::{DriftConfig, Tally};
use crate::otp::Window;
use crate::report::plot::{Chart, Line, Marker, Point, Series, Style};
use crate::study::aggregate::Proportion;
use crate::study::setting::{Mode, ResyncRule, Setting};
use crate::study::words;

/// One output row: a setting at one age (years) or drift (s/year).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// How codes were compared.
    pub mode: Mode,
    /// Index of the setting in the grid.
    pub setting: usize,
    /// The setting in words.
    pub label: String,
    /// Bucket middle: token age in years (`by_age`) or drift in s/year (`by_drift`).
    pub x: f64,
    /// Logins.
    pub logins: u64,
    /// Share of logins whose first code was accepted.
    pub first_try_acceptance: f64,
    /// 95 % Wilson interval of the above, low end.
    pub first_try_low: f64,
    /// 95 % Wilson interval, high end.
    pub first_try_high: f64,
    /// Share of entered codes rejected.
    pub false_rejection_rate: f64,
    /// 95 % Wilson interval of the above, low end.
    pub false_rejection_low: f64,
    /// 95 % Wilson interval, high end.
    pub false_rejection_high: f64,
    /// Share of logins with no code accepted.
    pub login_failure_rate: f64,
    /// Lockouts.
    pub lockouts: u64,
    /// Logins refused by a lock.
    pub blocked: u64,
    /// Self-service resyncs.
    pub resyncs: u64,
    /// Support resets.
    pub support_resets: u64,
    /// Lockouts, resyncs and support resets per 1,000 logins.
    pub interventions_per_1000: f64,
    /// 95 % Wilson interval of the above, per 1,000 logins, low end.
    pub interventions_low: f64,
    /// 95 % Wilson interval, high end.
    pub interventions_high: f64,
}

impl Row {
    pub(super) fn new(mode: Mode, setting: usize, label: &str, x: f64, t: &Tally) -> Row {
        let first = Proportion { hits: t.first_try, trials: t.logins };
        let (lo, hi) = first.wilson(1.96);
        let rejected = Proportion { hits: t.rejections, trials: t.attempts };
        let (rejected_lo, rejected_hi) = rejected.wilson(1.96);
        // For the interval, interventions count as a share of logins (capped at the login
        // count so it stays a share; real rates are a few per thousand).
        let interventions =
            Proportion { hits: (t.lockouts + t.resyncs + t.support_resets).min(t.logins), trials: t.logins };
        let (int_lo, int_hi) = interventions.wilson(1.96);
        let per = |n: u64| if t.logins == 0 { 0.0 } else { n as f64 * 1000.0 / t.logins as f64 };
        Row {
            mode,
            setting,
            label: label.to_owned(),
            x,
            logins: t.logins,
            first_try_acceptance: first.rate(),
            first_try_low: lo,
            first_try_high: hi,
            false_rejection_rate: rejected.rate(),
            false_rejection_low: rejected_lo,
            false_rejection_high: rejected_hi,
            login_failure_rate: Proportion { hits: t.logins - t.accepted, trials: t.logins }.rate(),
            lockouts: t.lockouts,
            blocked: t.blocked,
            resyncs: t.resyncs,
            support_resets: t.support_resets,
            interventions_per_1000: per(t.lockouts + t.resyncs + t.support_resets),
            interventions_low: 1000.0 * int_lo,
            interventions_high: 1000.0 * int_hi,
        }
    }
}

/// The finished study.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DriftReport {
    /// What ran.
    pub config: DriftConfig,
    /// Per setting and token age.
    pub by_age: Vec<Row>,
    /// Per setting and token drift.
    pub by_drift: Vec<Row>,
}

impl DriftReport {
    /// The plots: acceptance vs age, false rejection vs drift, interventions vs drift, each
    /// value with its 95 % Wilson interval. A setting's colour and marker follow its window,
    /// resync rule and lockout; its line is solid with drift tracking and dashed without. In
    /// exact mode the exact results are points over the analytic lines.
    pub fn charts(&self) -> Vec<Chart> {
        let c = &self.config;
        let modes = match c.mode {
            Mode::Analytic => "Lines: step arithmetic".to_owned(),
            Mode::Exact => "Lines: step arithmetic; points with bars: real codes".to_owned(),
        };
        let caption = vec![
            format!(
                "seed {}; {} tokens, drift {}; {} for {}, up to {} codes per login; reading and typing: {}",
                c.seed,
                words::count(c.tokens),
                words::drift(&c.token.drift),
                match c.schedule.every_days {
                    1 => "a login a day".to_owned(),
                    n => format!("a login every {n} days"),
                },
                match c.schedule.days {
                    365 => "a year".to_owned(),
                    d if d.is_multiple_of(365) => format!("{} years", d / 365),
                    d => format!("{} days", words::count(u64::from(d))),
                },
                c.schedule.attempts_per_login,
                words::latency(&c.schedule.look_and_type)
            ),
            format!("{modes}; dashed: no drift tracking; shaded: 95 % Wilson interval."),
        ];
        let percent = |v: f64, lo: f64, hi: f64| (100.0 * v, Some((100.0 * lo, 100.0 * hi)));
        vec![
            self.chart(
                ["drift-acceptance-vs-age", "First-try acceptance vs token age"],
                &caption,
                ["token age (years)", "first-try acceptance (%)"],
                &self.by_age,
                |r| percent(r.first_try_acceptance, r.first_try_low, r.first_try_high),
            ),
            self.chart(
                ["drift-rejection-vs-drift", "False rejections vs token drift"],
                &caption,
                ["token drift (s/year)", "codes falsely rejected (%)"],
                &self.by_drift,
                |r| percent(r.false_rejection_rate, r.false_rejection_low, r.false_rejection_high),
            ),
            self.chart(
                ["drift-interventions-vs-drift", "Lockouts, resyncs and support resets vs token drift"],
                &caption,
                ["token drift (s/year)", "interventions per 1,000 logins"],
                &self.by_drift,
                |r| (r.interventions_per_1000, Some((r.interventions_low, r.interventions_high))),
            ),
        ]
    }

    /// One chart: `[name, title]`, `[x label, y label]`, and the plotted value of a row with
    /// its interval.
    fn chart(
        &self,
        [name, title]: [&str; 2],
        caption: &[String],
        [x, y]: [&str; 2],
        rows: &[Row],
        value: impl Fn(&Row) -> (f64, Option<(f64, f64)>),
    ) -> Chart {
        let grid = &self.config.grid;
        // Settings that differ only in drift tracking share a colour and marker.
        let mut kinds: Vec<(Window, ResyncRule, u32)> = Vec::new();
        let mut series = Vec::new();
        for (s, setting) in grid.iter().enumerate() {
            let p = &setting.policy.reference;
            let kind = (p.window, setting.resync, p.lockout_threshold);
            let index = kinds.iter().position(|k| *k == kind).unwrap_or_else(|| {
                kinds.push(kind);
                kinds.len() - 1
            });
            let line = if setting.policy.tracks_drift() { Line::Solid } else { Line::Dashed };
            for (mode, line) in [(Mode::Analytic, line), (Mode::Exact, Line::None)] {
                let points: Vec<Point> = rows
                    .iter()
                    .filter(|r| r.setting == s && r.mode == mode)
                    .map(|r| {
                        let (y, interval) = value(r);
                        Point { x: r.x, y, interval }
                    })
                    .collect();
                if points.is_empty() {
                    continue;
                }
                let suffix = if mode == Mode::Exact { " (exact)" } else { "" };
                let style = Style { color: index, marker: Marker::nth(index), line };
                series.push(Series { name: format!("{}{suffix}", label(setting)), style, points });
            }
        }
        Chart::new(name, title, caption.to_vec(), x, y, series)
    }
}

/// A setting in words: `±1 tracking self-resync lockout 10`.
pub fn label(s: &Setting) -> String {
    let w = s.policy.reference.window;
    let window =
        if w.behind == w.ahead { format!("±{}", w.ahead) } else { format!("-{}/+{}", w.behind, w.ahead) };
    let tracking = if s.policy.tracks_drift() { "tracking" } else { "no tracking" };
    let resync = match s.resync {
        ResyncRule::SelfService => "self-resync",
        ResyncRule::Support => "support-resync",
    };
    format!("{window} {tracking} {resync} lockout {}", s.policy.reference.lockout_threshold)
}
