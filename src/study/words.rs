//! Study parameters in words with units, for captions, legends and rule names:
//! `log-normal, median 7 s, σ 0.4`, `15 min`, `100,000`.

use std::time::Duration;

use crate::clock::{Drift, YEAR_MILLIS};
use crate::sim::{DriftDistribution, Latency};

/// A span in its largest whole unit: `30 days`, `1 day`, `6 h`, `15 min`, `30 s`, `500 ms`.
pub fn duration(d: Duration) -> String {
    let ms = d.as_millis();
    let s = d.as_secs();
    if !ms.is_multiple_of(1000) {
        return format!("{ms} ms");
    }
    match s {
        0 => "0 s".to_owned(),
        86_400 => "1 day".to_owned(),
        s if s.is_multiple_of(86_400) => format!("{} days", s / 86_400),
        s if s.is_multiple_of(3600) => format!("{} h", s / 3600),
        s if s.is_multiple_of(60) => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

/// A delay distribution: `log-normal, median 7 s, σ 0.4`.
pub fn latency(l: &Latency) -> String {
    match *l {
        Latency::Fixed { delay } => format!("always {}", duration(delay)),
        Latency::Uniform { min, max } => format!("uniform from {} to {}", duration(min), duration(max)),
        Latency::LogNormal { median, sigma } => {
            format!("log-normal, median {}, σ {}", duration(median), decimal(sigma))
        }
        Latency::Gamma { shape, scale } => {
            format!("gamma, shape {}, scale {}", decimal(shape), duration(scale))
        }
    }
}

/// A token population's drift: `uniform ±90 s/year`.
pub fn drift(d: &DriftDistribution) -> String {
    match d {
        DriftDistribution::Fixed { drift } => format!("{:.0} s/year", seconds_per_year(*drift)),
        DriftDistribution::Uniform { max } => format!("uniform ±{:.0} s/year", seconds_per_year(*max)),
        DriftDistribution::Normal { sigma } => format!("normal, σ {:.0} s/year", seconds_per_year(*sigma)),
    }
}

/// Seconds a clock with this drift gains in a year.
pub fn seconds_per_year(d: Drift) -> f64 {
    d.ppb() as f64 * YEAR_MILLIS as f64 / 1e12
}

/// A whole number with thousands separators: `100,000`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A share as a percentage with as few decimals as it needs: `0.5 %`, `2 %`.
pub fn percent(share: f64) -> String {
    format!("{} %", decimal(100.0 * share))
}

/// A number with at most three decimals, trailing zeros dropped: `0.4`, `2`, `0.667`.
pub fn decimal(v: f64) -> String {
    let text = format!("{v:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_read_as_words_with_units() {
        let typing = Latency::LogNormal { median: Duration::from_secs(7), sigma: 0.4 };
        assert_eq!(latency(&typing), "log-normal, median 7 s, σ 0.4");
        let gamma = Latency::Gamma { shape: 2.0, scale: Duration::from_secs(2) };
        assert_eq!(latency(&gamma), "gamma, shape 2, scale 2 s");
        let durations = [900, 3600, 86_400, 30 * 86_400, 45].map(|s| duration(Duration::from_secs(s)));
        assert_eq!(durations, ["15 min", "1 h", "1 day", "30 days", "45 s"]);
        assert_eq!(duration(Duration::from_millis(1500)), "1500 ms");
        assert_eq!(
            (count(100_000), count(999), count(1_825)),
            ("100,000".into(), "999".into(), "1,825".into())
        );
        assert_eq!((percent(0.005), percent(0.02)), ("0.5 %".into(), "2 %".into()));
        assert_eq!(
            drift(&DriftDistribution::Uniform { max: Drift::seconds_per_year(90.0) }),
            "uniform ±90 s/year"
        );
    }
}
