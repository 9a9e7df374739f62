//! Phones: a clock with automatic time (or a user's hand setting) and an SMS inbox.

use std::fmt;
use std::time::Duration;

use rand::RngExt;
use rand_chacha::ChaCha12Rng;
use serde::{Deserialize, Serialize};

use super::token::DriftDistribution;
use crate::clock::{DeviceClock, Drift, NtpSync, SimTime};
use crate::sim::rng::{Concern, Streams};

/// A phone number, as the server's SMS gateway addresses it (E.164 by convention; the
/// simulator only compares them).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PhoneNumber(pub String);

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How a phone's clock behaves.
///
/// # Defaults
/// Automatic time ([`NtpSync::PHONE`]: daily sync, ±250 ms), crystal drift uniform ±10 ppm
/// (assumption: phone RTC crystals are specified at ±10–20 ppm), no jitter.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct PhoneSpec {
    /// Automatic time, or `None` for a clock the user set by hand.
    pub sync: Option<NtpSync>,
    /// Largest initial error of a hand-set clock (uniform ±); ignored with automatic time.
    pub max_manual_offset: Duration,
    /// Crystal drift.
    pub drift: DriftDistribution,
    /// Reading jitter (uniform ±, whole ms).
    pub jitter: Duration,
}

impl Default for PhoneSpec {
    fn default() -> Self {
        PhoneSpec {
            sync: Some(NtpSync::PHONE),
            max_manual_offset: Duration::from_secs(30),
            drift: DriftDistribution::Uniform { max: Drift::from_ppm(10) },
            jitter: Duration::ZERO,
        }
    }
}

/// An SMS as it sits in a phone's inbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveredSms {
    /// The message's id (a duplicate shares its original's id).
    pub id: u64,
    /// The text.
    pub body: String,
    /// When the server handed it to the channel.
    pub sent_at: SimTime,
    /// When it reached the phone.
    pub delivered_at: SimTime,
}

/// A phone: number, clock and inbox. Authenticator apps read its clock.
#[derive(Clone, Debug)]
pub struct Phone {
    name: String,
    number: PhoneNumber,
    clock: DeviceClock,
    inbox: Vec<DeliveredSms>,
    pub(crate) sms_rng: ChaCha12Rng,
}

impl Phone {
    /// A phone switched on at `origin`; its drift and manual offset come from the `Drift`
    /// stream of `name`, its sync residuals and jitter from the `Jitter` stream, and SMS
    /// fates towards it from the `Sms` stream.
    pub fn new(name: &str, number: PhoneNumber, spec: &PhoneSpec, streams: Streams, origin: SimTime) -> Self {
        let mut rng = streams.stream(name, Concern::Drift);
        let drift = spec.drift.sample(&mut rng);
        let max = i64::try_from(spec.max_manual_offset.as_millis()).unwrap_or(i64::MAX);
        let manual_offset = rng.random_range(-max..=max);
        let key = streams.key64(name, Concern::Jitter);
        let clock = match spec.sync {
            Some(sync) => DeviceClock::synced(origin, sync, drift, key),
            None => DeviceClock::free_running(origin, manual_offset, drift),
        }
        .with_jitter(spec.jitter, key);
        Phone {
            name: name.to_owned(),
            number,
            clock,
            inbox: Vec::new(),
            sms_rng: streams.stream(name, Concern::Sms),
        }
    }

    /// The phone's name in the simulation.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its number.
    pub fn number(&self) -> &PhoneNumber {
        &self.number
    }

    /// Its clock.
    pub fn clock(&self) -> &DeviceClock {
        &self.clock
    }

    /// Its clock, to set by hand ("the phone clock is 40 seconds fast").
    pub fn clock_mut(&mut self) -> &mut DeviceClock {
        &mut self.clock
    }

    /// Messages delivered so far, in delivery order.
    pub fn inbox(&self) -> &[DeliveredSms] {
        &self.inbox
    }

    pub(crate) fn deliver(&mut self, sms: DeliveredSms) {
        self.inbox.push(sms);
    }
}

/// The code in an SMS text: its first run of 6 to 10 ASCII digits (what a reader picks out of
/// "Your verification code is 314159.").
pub fn code_in_text(text: &str) -> Option<&str> {
    text.split(|c: char| !c.is_ascii_digit()).find(|run| (6..=10).contains(&run.len()))
}
