//! Delay distributions: how long an SMS takes, how long a user takes to type.

use std::time::Duration;

use rand::{Rng, RngExt};
use rand_distr::{Distribution, Gamma, LogNormal};
use serde::{Deserialize, Serialize};

use super::SimError;

/// A distribution of delays, sampled in whole milliseconds. Validated on construction, so
/// sampling cannot fail.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Latency {
    /// Always the same delay ("the SMS takes 6 minutes to arrive").
    Fixed {
        /// The delay.
        delay: Duration,
    },
    /// Uniform between two delays.
    Uniform {
        /// Shortest.
        min: Duration,
        /// Longest.
        max: Duration,
    },
    /// Log-normal: `median · e^(sigma · Z)`. The usual fit for network and human delays; a
    /// sigma around 1 gives a tail a p99 tens of times the median.
    LogNormal {
        /// The median delay.
        median: Duration,
        /// Shape: the standard deviation of the delay's logarithm.
        sigma: f64,
    },
    /// Gamma with `shape` k and `scale` θ (mean kθ): a lighter tail than log-normal.
    Gamma {
        /// k.
        shape: f64,
        /// θ.
        scale: Duration,
    },
}

impl Latency {
    /// Checks the parameters, so [`Latency::sample`] never fails.
    ///
    /// # Errors
    /// [`SimError::Config`] for a non-positive or non-finite shape, a zero median or scale,
    /// or `min > max`.
    pub fn validated(self) -> Result<Latency, SimError> {
        let bad = |why: &str| Err(SimError::Config(format!("latency {self:?}: {why}")));
        match self {
            Latency::Fixed { .. } => Ok(self),
            Latency::Uniform { min, max } if min > max => bad("min is greater than max"),
            Latency::Uniform { .. } => Ok(self),
            Latency::LogNormal { median, sigma }
                if median.is_zero() || !(sigma.is_finite() && sigma >= 0.0) =>
            {
                bad("median must be positive and sigma a finite number >= 0")
            }
            Latency::LogNormal { .. } => Ok(self),
            Latency::Gamma { shape, scale } if scale.is_zero() || !(shape.is_finite() && shape > 0.0) => {
                bad("shape must be a finite number > 0 and scale positive")
            }
            Latency::Gamma { .. } => Ok(self),
        }
    }

    /// One delay. Invalid parameters (not passed through [`Latency::validated`]) give zero.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Duration {
        let secs = match *self {
            Latency::Fixed { delay } => return delay,
            Latency::Uniform { min, max } if min <= max => {
                return Duration::from_millis(rng.random_range(millis(min)..=millis(max)));
            }
            Latency::Uniform { .. } => return Duration::ZERO,
            Latency::LogNormal { median, sigma } => {
                LogNormal::new(median.as_secs_f64().ln(), sigma).map(|d| d.sample(rng)).unwrap_or(0.0)
            }
            Latency::Gamma { shape, scale } => {
                Gamma::new(shape, scale.as_secs_f64()).map(|d| d.sample(rng)).unwrap_or(0.0)
            }
        };
        // Clamp: a log-normal draw can exceed any span we care about; a century is plenty.
        Duration::from_millis((secs * 1000.0).round().clamp(0.0, 3.2e12) as u64)
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::{Concern, Streams};

    #[test]
    fn bad_parameters_are_config_errors() {
        assert!(Latency::LogNormal { median: Duration::ZERO, sigma: 1.0 }.validated().is_err());
        assert!(Latency::LogNormal { median: Duration::from_secs(1), sigma: f64::NAN }.validated().is_err());
        assert!(Latency::Gamma { shape: 0.0, scale: Duration::from_secs(1) }.validated().is_err());
        let err = Latency::Uniform { min: Duration::from_secs(2), max: Duration::from_secs(1) }
            .validated()
            .unwrap_err();
        assert!(err.to_string().contains("min is greater than max"), "{err}");
        assert!(Latency::Fixed { delay: Duration::from_secs(360) }.validated().is_ok());
    }

    #[test]
    fn fixed_and_uniform_stay_in_range() {
        let mut rng = Streams::new(3).stream("t", Concern::User);
        let fixed = Latency::Fixed { delay: Duration::from_secs(360) };
        assert_eq!(fixed.sample(&mut rng), Duration::from_secs(360));
        let u = Latency::Uniform { min: Duration::from_millis(10), max: Duration::from_millis(20) };
        for _ in 0..1000 {
            let d = u.sample(&mut rng);
            assert!((Duration::from_millis(10)..=Duration::from_millis(20)).contains(&d));
        }
    }
}
