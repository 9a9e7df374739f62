//! `sweep sms`: SMS delivery latency × code lifetime × resend rule → login success rate and
//! time to login. Each trial is one login by SMS: the server sends a code, the channel
//! ([`SmsChannel`]: latency model, degraded-route tail, loss) delivers it or not, the user
//! types the first message that arrives, asks for a resend when nothing came or the code was
//! refused, and the server accepts only its latest code within its lifetime.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::aggregate::{Histogram, Merge, Proportion, add_counts};
use super::output::{Table, csv};
use super::shard::run_units;
use super::{Counts, Progress, Shard, Study, StudyError, words};
use crate::reference::Policy;
use crate::report::plot::{Chart, Line, Marker, Panel, Point, Scale, Series, Style};
use crate::sim::{Concern, Fate, Latency, SmsChannel, Streams, UserProfile};

/// Width of a time-to-login histogram bin.
pub const BIN_MILLIS: u64 = 500;

/// A latency model with a name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NamedChannel {
    /// Name in tables and legends.
    pub name: String,
    /// The channel.
    pub channel: SmsChannel,
}

/// When the user may ask for another code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResendRule {
    /// Name in tables and legends.
    pub name: String,
    /// Minimum time after a send before the next (the policy's `sms_resend_interval`).
    pub after: Duration,
    /// Resends allowed per login.
    pub max_resends: u32,
}

impl ResendRule {
    /// Up to `max_resends` resends, each at least `after` after the previous send.
    pub fn after(after: Duration, max_resends: u32) -> ResendRule {
        ResendRule {
            name: format!("resend after {} s, up to {max_resends}", after.as_secs()),
            after,
            max_resends,
        }
    }
}

/// An SMS study.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SmsConfig {
    /// Master seed.
    pub seed: u64,
    /// Logins simulated (each runs under every setting, with the same draws).
    pub trials: u64,
    /// Latency models.
    pub channels: Vec<NamedChannel>,
    /// Code lifetimes.
    pub lifetimes: Vec<Duration>,
    /// Resend rules.
    pub resend: Vec<ResendRule>,
    /// From reading the SMS to pressing submit.
    pub look_and_type: Latency,
    /// The user gives up this long after the first send.
    pub give_up: Duration,
}

impl SmsConfig {
    /// Defaults: 20,000 logins; channels `default` ([`SmsChannel::default`]: log-normal
    /// median 4 s, 2 % degraded tail, 0.5 % loss), `gamma` (gamma k 2, θ 2 s, no tail, no
    /// loss) and `congested` (log-normal median 20 s σ 1, 10 % tail of median 3 min, 2 % loss);
    /// lifetimes 30 s, 1, 2, 5 and 10 min; resend rules none, after 60 s up to 2 (the
    /// reference policy's interval), after 30 s up to 4; typing as [`UserProfile::default`];
    /// give up after 15 minutes.
    pub fn new(seed: u64) -> SmsConfig {
        let secs = Duration::from_secs;
        SmsConfig {
            seed,
            trials: 20_000,
            channels: vec![
                NamedChannel { name: "default".into(), channel: SmsChannel::default() },
                NamedChannel {
                    name: "gamma".into(),
                    channel: SmsChannel {
                        latency: Latency::Gamma { shape: 2.0, scale: secs(2) },
                        degraded_probability: 0.0,
                        loss_probability: 0.0,
                        duplicate_probability: 0.0,
                        ..SmsChannel::default()
                    },
                },
                NamedChannel {
                    name: "congested".into(),
                    channel: SmsChannel {
                        latency: Latency::LogNormal { median: secs(20), sigma: 1.0 },
                        degraded_probability: 0.1,
                        degraded_latency: Latency::LogNormal { median: secs(180), sigma: 1.0 },
                        loss_probability: 0.02,
                        duplicate_probability: 0.001,
                    },
                },
            ],
            lifetimes: [30, 60, 120, 300, 600].into_iter().map(secs).collect(),
            resend: vec![
                ResendRule { name: "no resend".into(), after: secs(60), max_resends: 0 },
                ResendRule::after(Policy::default().sms_resend_interval, 2),
                ResendRule::after(secs(30), 4),
            ],
            look_and_type: UserProfile::default().look_and_type,
            give_up: secs(15 * 60),
        }
    }

    /// Checks the parameters.
    ///
    /// # Errors
    /// [`StudyError::Config`] naming the field; channel and latency errors.
    pub fn validated(&self) -> Result<&Self, StudyError> {
        if self.trials == 0 || self.channels.is_empty() || self.lifetimes.is_empty() || self.resend.is_empty()
        {
            return Err(StudyError::Config(
                "sms study: trials, channels, lifetimes and resend rules must be non-empty".into(),
            ));
        }
        for c in &self.channels {
            c.channel.validated()?;
        }
        self.look_and_type.validated()?;
        Ok(self)
    }

    fn max_sends(&self) -> usize {
        1 + self.resend.iter().map(|r| r.max_resends).max().unwrap_or(0) as usize
    }

    fn settings(&self) -> usize {
        self.channels.len() * self.lifetimes.len() * self.resend.len()
    }

    fn bins(&self) -> usize {
        (ms(self.give_up) / BIN_MILLIS + 1) as usize
    }
}

/// Counters of one (channel, lifetime, resend rule).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsTally {
    /// Logins and successes.
    pub logins: Proportion,
    /// SMS sent.
    pub sent: u64,
    /// Time from the first send to the accepted submit, successful logins only.
    pub time_to_login: Histogram,
}

impl Merge for SmsTally {
    fn merge(&mut self, o: &SmsTally) {
        self.logins.merge(&o.logins);
        self.sent += o.sent;
        self.time_to_login.merge(&o.time_to_login);
    }
}

/// The SMS study.
pub struct SmsStudy;

/// A shard's counters, channels slowest, resend rules fastest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SmsCounts {
    /// Per setting.
    pub tallies: Vec<SmsTally>,
}

impl Counts for SmsCounts {
    fn add(&mut self, other: &SmsCounts) -> Result<(), StudyError> {
        add_counts(&mut self.tallies, &other.tallies)
    }
}

impl Study for SmsStudy {
    const NAME: &'static str = "sms";
    const FORMAT: u32 = 1;
    type Config = SmsConfig;
    type Counts = SmsCounts;
    type Report = SmsReport;

    fn seed(config: &SmsConfig) -> u64 {
        config.seed
    }

    /// Logins (each plays every setting).
    fn items(config: &SmsConfig) -> u64 {
        config.trials
    }

    /// Runs the shard's logins; progress in logins.
    fn run(config: &SmsConfig, shard: Shard, progress: &Progress<'_>) -> Result<SmsCounts, StudyError> {
        config.validated()?;
        let empty = || SmsCounts {
            tallies: vec![
                SmsTally {
                    logins: Proportion { hits: 0, trials: 0 },
                    sent: 0,
                    time_to_login: Histogram::new(BIN_MILLIS, config.bins()),
                };
                config.settings()
            ],
        };
        run_units(config.trials, shard, empty, |t, acc| {
            trial(config, t, &mut acc.tallies);
            progress(1);
            Ok(())
        })
    }

    /// One row per setting.
    fn report(config: &SmsConfig, counts: &SmsCounts) -> SmsReport {
        let c = config;
        let mut rows = Vec::new();
        let mut tallies = counts.tallies.iter();
        for ch in &c.channels {
            for lifetime in &c.lifetimes {
                for rule in &c.resend {
                    let Some(t) = tallies.next() else { break };
                    let (lo, hi) = t.logins.wilson(1.96);
                    let secs = |q: f64| t.time_to_login.quantile(q).map(|v| v as f64 / 1000.0);
                    rows.push(SmsRow {
                        channel: ch.name.clone(),
                        lifetime_s: lifetime.as_secs(),
                        resend: rule.name.clone(),
                        logins: t.logins.trials,
                        success_rate: t.logins.rate(),
                        success_low: lo,
                        success_high: hi,
                        p50_s: secs(0.50),
                        p95_s: secs(0.95),
                        p99_s: secs(0.99),
                        sms_per_login: if t.logins.trials == 0 {
                            0.0
                        } else {
                            t.sent as f64 / t.logins.trials as f64
                        },
                    });
                }
            }
        }
        SmsReport { config: c.clone(), rows }
    }

    fn tables(report: &SmsReport) -> Result<Vec<Table>, StudyError> {
        Ok(vec![("results", csv(&report.rows)?)])
    }

    fn charts(report: &SmsReport) -> Vec<Chart> {
        report.charts()
    }
}

/// Draws of one login over one channel: per possible send, when it arrives (if ever) and how
/// long the user takes to type it.
struct Draws {
    arrival: Vec<Option<u64>>,
    typing: Vec<u64>,
}

fn trial(config: &SmsConfig, t: u64, out: &mut [SmsTally]) {
    let streams = Streams::new(config.seed);
    let per_channel = config.lifetimes.len() * config.resend.len();
    for (c, ch) in config.channels.iter().enumerate() {
        let mut rng = streams.stream(&format!("sms-login-{t}-{}", ch.name), Concern::Sms);
        let mut draws = Draws { arrival: Vec::new(), typing: Vec::new() };
        for _ in 0..config.max_sends() {
            let arrival = match ch.channel.fate(&mut rng) {
                Fate::Lost => None,
                Fate::Delivered(delays) => delays.iter().min().map(|d| ms(*d)),
            };
            draws.arrival.push(arrival);
            draws.typing.push(ms(config.look_and_type.sample(&mut rng)));
        }
        for (l, lifetime) in config.lifetimes.iter().enumerate() {
            for (r, rule) in config.resend.iter().enumerate() {
                let tally = &mut out[c * per_channel + l * config.resend.len() + r];
                let (result, sent) = login(&draws, ms(*lifetime), rule, ms(config.give_up));
                tally.logins.trials += 1;
                tally.sent += sent;
                if let Some(at) = result {
                    tally.logins.hits += 1;
                    tally.time_to_login.add(at);
                }
            }
        }
    }
}

/// Plays one login: returns the accepted submit time (ms after the first send) and the SMS
/// count. Only the latest code is valid, for `lifetime` after it was sent.
fn login(d: &Draws, lifetime: u64, rule: &ResendRule, give_up: u64) -> (Option<u64>, u64) {
    let mut sent_at = vec![0u64];
    let mut typed = vec![false];
    let mut now = 0u64;
    let after = ms(rule.after);
    loop {
        let arrival = |i: usize| d.arrival[i].map(|a| sent_at[i] + a);
        let next_arrival = (0..sent_at.len())
            .filter(|&i| !typed[i])
            .filter_map(|i| arrival(i).map(|a| (a.max(now), i)))
            .min();
        let can_resend = sent_at.len() <= rule.max_resends as usize;
        let next_resend = can_resend.then(|| (sent_at[sent_at.len() - 1] + after).max(now));
        match (next_arrival, next_resend) {
            (Some((read, i)), resend) if resend.is_none_or(|r| read <= r) && read < give_up => {
                typed[i] = true;
                let submit = read + d.typing[i];
                now = submit;
                if submit > give_up {
                    return (None, sent_at.len() as u64);
                }
                if i == sent_at.len() - 1 && submit <= sent_at[i] + lifetime {
                    return (Some(submit), sent_at.len() as u64);
                }
            }
            (_, Some(resend)) if resend < give_up => {
                now = resend;
                sent_at.push(resend);
                typed.push(false);
            }
            _ => return (None, sent_at.len() as u64),
        }
    }
}

/// One setting's result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SmsRow {
    /// Latency model.
    pub channel: String,
    /// Code lifetime in seconds.
    pub lifetime_s: u64,
    /// Resend rule.
    pub resend: String,
    /// Logins simulated.
    pub logins: u64,
    /// Share that got in.
    pub success_rate: f64,
    /// 95 % Wilson interval, low end.
    pub success_low: f64,
    /// 95 % Wilson interval, high end.
    pub success_high: f64,
    /// Median time to login (s, successful logins, 0.5 s bins; upper bin edge).
    pub p50_s: Option<f64>,
    /// 95th percentile.
    pub p95_s: Option<f64>,
    /// 99th percentile.
    pub p99_s: Option<f64>,
    /// SMS sent per login (cost).
    pub sms_per_login: f64,
}

/// The finished study.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SmsReport {
    /// What ran.
    pub config: SmsConfig,
    /// Channels slowest, resend rules fastest.
    pub rows: Vec<SmsRow>,
}

impl SmsReport {
    /// Failed logins vs code lifetime, both on log axes: one panel per latency model, one
    /// colour and marker per resend rule, shaded 95 % Wilson intervals. Failure rates, not
    /// success rates, so 99 % and 99.99 % success lie a decade apart instead of on one line.
    pub fn charts(&self) -> Vec<Chart> {
        let c = &self.config;
        let mut caption = vec![format!(
            "seed {}; {} logins per setting; reading and typing the code: {}; users give up after {}",
            c.seed,
            words::count(c.trials),
            words::latency(&c.look_and_type),
            words::duration(c.give_up)
        )];
        caption.extend(c.channels.iter().map(|ch| format!("{}: {}", ch.name, channel_words(&ch.channel))));
        caption.push(
            "Shaded: 95 % Wilson interval. Hollow markers on the bottom edge: no login failed in the sample; \
             the band reaches the interval's upper end."
                .to_owned(),
        );
        let panels = c
            .channels
            .iter()
            .map(|ch| Panel {
                title: ch.name.clone(),
                series: c
                    .resend
                    .iter()
                    .enumerate()
                    .map(|(r, rule)| Series {
                        name: rule.name.clone(),
                        style: Style { color: r, marker: Marker::nth(r), line: Line::Solid },
                        points: self
                            .rows
                            .iter()
                            .filter(|row| row.channel == ch.name && row.resend == rule.name)
                            .map(|row| Point {
                                x: row.lifetime_s as f64,
                                y: 100.0 * (1.0 - row.success_rate),
                                interval: Some((
                                    100.0 * (1.0 - row.success_high),
                                    100.0 * (1.0 - row.success_low),
                                )),
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect();
        vec![
            Chart::new(
                "sms-failure-vs-lifetime",
                "SMS logins that fail vs code lifetime, per latency model",
                caption,
                "code lifetime (s)",
                "logins that fail (%)",
                Vec::new(),
            )
            .with_panels(panels)
            .with_scales(Scale::Log, Scale::Log),
        ]
    }
}

/// A latency model in words: `log-normal, median 4 s, σ 0.67; 2 % take log-normal, ...`.
fn channel_words(ch: &SmsChannel) -> String {
    let mut out = words::latency(&ch.latency);
    if ch.degraded_probability > 0.0 {
        out += &format!(
            "; {} of messages take a degraded route ({})",
            words::percent(ch.degraded_probability),
            words::latency(&ch.degraded_latency)
        );
    }
    out += &format!("; {} lost", words::percent(ch.loss_probability));
    if ch.duplicate_probability > 0.0 {
        out += &format!(", {} duplicated", words::percent(ch.duplicate_probability));
    }
    out
}

fn ms(d: Duration) -> u64 {
    d.as_millis().min(u128::from(u64::MAX)) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(after: u64, max: u32) -> ResendRule {
        ResendRule { name: "r".into(), after: Duration::from_secs(after), max_resends: max }
    }

    #[test]
    fn code_arriving_in_time_is_accepted_at_submit() {
        let d = Draws { arrival: vec![Some(4_000)], typing: vec![7_000] };
        assert_eq!(login(&d, 60_000, &rule(60, 0), 900_000), (Some(11_000), 1));
    }

    #[test]
    fn late_code_fails_without_resend_and_succeeds_with_one() {
        let d = Draws { arrival: vec![Some(90_000), Some(5_000)], typing: vec![7_000, 7_000] };
        assert_eq!(login(&d, 60_000, &rule(60, 0), 900_000), (None, 1));
        // Resend at 60 s arrives at 65 s, typed by 72 s; the first message (arriving at 90 s)
        // is never needed.
        assert_eq!(login(&d, 60_000, &rule(60, 1), 900_000), (Some(72_000), 2));
    }

    #[test]
    fn a_superseded_code_is_refused() {
        // The resend goes at 30 s; the original arrives at 40 s and is typed first, but only
        // the latest code counts; the resend's message (lost) never comes.
        let d = Draws { arrival: vec![Some(40_000), None], typing: vec![5_000, 5_000] };
        assert_eq!(login(&d, 300_000, &rule(30, 1), 900_000), (None, 2));
    }
}
