//! The SMS channel: latency, loss, duplicates and (through independent latencies) reordering.

use std::time::Duration;

use rand::{Rng, RngExt};
use serde::{Deserialize, Serialize};

use super::SimError;
use super::latency::Latency;

/// How the mobile network treats a text message between the server's SMS gateway and the
/// user's phone.
///
/// # Defaults
/// Published, independent measurements of A2P (application-to-person) OTP latency are scarce;
/// the defaults are fitted to a messaging provider's stated "healthy OTP latency" figures
/// (StartMessaging, "Why is OTP delivery slow?", 2026,
/// <https://startmessaging.com/blog/otp-delivery-delay-fix>: p50 2–6 s, p95 8–15 s, p99
/// under 30 s, anything beyond being a degraded route). A log-normal with median 4 s and
/// sigma 0.67 has p95 = 4·e^(1.645·0.67) ≈ 12 s and p99 ≈ 19 s. Degraded routes (congestion,
/// fraud filtering, carrier outages, which operators describe as "users waited four minutes")
/// are the heavy tail: 2% of messages take a second log-normal with median 45 s and sigma 1,
/// which puts the overall p99 near 40 s (P(> 30 s) = 1.4%, P(> 60 s) = 0.78%) and the p99.9
/// near 4 minutes. Loss of 0.5%
/// and duplicates of 0.1% are assumptions (delivery-receipt failure rates of a few tenths of
/// a percent are commonly quoted for transactional routes); set them to what you study.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SmsChannel {
    /// Latency of a message on a healthy route.
    pub latency: Latency,
    /// The degraded-route tail: with this probability a message takes `degraded_latency`.
    pub degraded_probability: f64,
    /// Latency on a degraded route.
    pub degraded_latency: Latency,
    /// Probability a message never arrives.
    pub loss_probability: f64,
    /// Probability a delivered message arrives twice (the copy with its own latency).
    pub duplicate_probability: f64,
}

/// What the channel decided for one message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fate {
    /// The message never arrives.
    Lost,
    /// The message arrives after each of these delays (two for a duplicate).
    Delivered(Vec<Duration>),
}

impl Default for SmsChannel {
    fn default() -> Self {
        SmsChannel {
            latency: Latency::LogNormal { median: Duration::from_secs(4), sigma: 0.67 },
            degraded_probability: 0.02,
            degraded_latency: Latency::LogNormal { median: Duration::from_secs(45), sigma: 1.0 },
            loss_probability: 0.005,
            duplicate_probability: 0.001,
        }
    }
}

impl SmsChannel {
    /// A perfect channel: every message once, after exactly `delay`.
    pub fn fixed(delay: Duration) -> Self {
        SmsChannel {
            latency: Latency::Fixed { delay },
            degraded_probability: 0.0,
            degraded_latency: Latency::Fixed { delay },
            loss_probability: 0.0,
            duplicate_probability: 0.0,
        }
    }

    /// Checks probabilities and latencies.
    ///
    /// # Errors
    /// [`SimError::Config`] for a probability outside [0, 1] or a bad latency.
    pub fn validated(self) -> Result<SmsChannel, SimError> {
        for (name, p) in [
            ("degraded_probability", self.degraded_probability),
            ("loss_probability", self.loss_probability),
            ("duplicate_probability", self.duplicate_probability),
        ] {
            if !(0.0..=1.0).contains(&p) {
                return Err(SimError::Config(format!("sms channel {name} must be in [0, 1], got {p}")));
            }
        }
        self.latency.validated()?;
        self.degraded_latency.validated()?;
        Ok(self)
    }

    /// Decides one message's fate. Always makes the same number of draws whatever the outcome,
    /// so one message's fate never shifts the draws of the next.
    pub fn fate<R: Rng + ?Sized>(&self, rng: &mut R) -> Fate {
        let lost = rng.random::<f64>() < self.loss_probability;
        let duplicated = rng.random::<f64>() < self.duplicate_probability;
        let first = self.one_latency(rng);
        let second = self.one_latency(rng);
        match (lost, duplicated) {
            (true, _) => Fate::Lost,
            (false, false) => Fate::Delivered(vec![first]),
            (false, true) => Fate::Delivered(vec![first, second]),
        }
    }

    fn one_latency<R: Rng + ?Sized>(&self, rng: &mut R) -> Duration {
        let degraded = rng.random::<f64>() < self.degraded_probability;
        let healthy = self.latency.sample(rng);
        let slow = self.degraded_latency.sample(rng);
        if degraded { slow } else { healthy }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::{Concern, Streams};

    #[test]
    fn probabilities_outside_unit_interval_are_rejected() {
        let bad = SmsChannel { loss_probability: 1.5, ..SmsChannel::default() };
        assert!(bad.validated().unwrap_err().to_string().contains("loss_probability"));
        assert!(SmsChannel::default().validated().is_ok());
    }

    #[test]
    fn fixed_channel_delivers_once_after_the_delay() {
        let mut rng = Streams::new(1).stream("+15550100", Concern::Sms);
        let ch = SmsChannel::fixed(Duration::from_secs(360));
        assert_eq!(ch.fate(&mut rng), Fate::Delivered(vec![Duration::from_secs(360)]));
    }
}
