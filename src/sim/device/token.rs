//! Hardware tokens: a key and a drifting crystal sealed in plastic at the factory.

use std::time::Duration;

use rand::RngExt;
use rand_distr::{Distribution, Normal};
use serde::{Deserialize, Serialize};

use super::{Screen, TotpDisplay};
use crate::clock::{Aging, DeviceClock, Drift, SimTime, YEAR_MILLIS};
use crate::otp::{Algorithm, Digits, Period, Secret, Totp};
use crate::provision::TokenSeed;
use crate::sim::SimError;
use crate::sim::latency::Latency;
use crate::sim::rng::{Concern, Streams};

/// How crystal drift (or aging) is spread over a batch of tokens.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DriftDistribution {
    /// Every token drifts the same ("the token has drifted for 5 years at +20 ppm").
    Fixed {
        /// The drift.
        drift: Drift,
    },
    /// Uniform in ±`max`: how vendors state a tolerance.
    Uniform {
        /// The tolerance.
        max: Drift,
    },
    /// Normal around zero.
    Normal {
        /// One standard deviation.
        sigma: Drift,
    },
}

impl DriftDistribution {
    /// One vendor's figure: ±90 s per year (≈ ±2.854 ppm), taken as a uniform tolerance.
    pub fn ninety_seconds_per_year() -> Self {
        DriftDistribution::Uniform { max: Drift::seconds_per_year(90.0) }
    }

    /// Another vendor's figure: about 1 s every 3 days (≈ ±3.858 ppm), as a uniform tolerance.
    pub fn one_second_per_three_days() -> Self {
        DriftDistribution::Uniform { max: Drift::seconds_per_year(365.0 / 3.0) }
    }

    /// One draw. Float draws are rounded to whole ppb; all later arithmetic is exact.
    pub fn sample<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> Drift {
        match *self {
            DriftDistribution::Fixed { drift } => drift,
            DriftDistribution::Uniform { max } => {
                let m = max.ppb().saturating_abs();
                Drift::from_ppb(rng.random_range(-m..=m))
            }
            DriftDistribution::Normal { sigma } => Normal::new(0.0, sigma.ppb().unsigned_abs() as f64)
                .map(|n| Drift::from_ppb(n.sample(rng).round() as i64))
                .unwrap_or(Drift::ZERO),
        }
    }
}

/// What a batch of tokens is made like.
///
/// # Defaults
/// Six digits every 30 s with SHA-1 and a 20-byte key (the seeds: "6-digit dynamic
/// authentication code ... updated every 30 seconds"; RFC 4226 §4 recommends 160-bit keys).
/// Drift: ±90 s per year, one vendor's stated tolerance (the other preset,
/// [`DriftDistribution::one_second_per_three_days`], is 35% wider). Aging: ±0.5 ppm per year
/// (assumption: typical quartz aging is ±1–5 ppm in the first year and less after; tokens are
/// often aged before programming). Factory offset ±2 s, programmed 0–180 days before the run's
/// epoch (assumptions: tokens sit in stock). Battery: 3–5 years after programming, uniform
/// (assumption matching the lifetimes vendors commonly print on OTP tokens).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TokenSpec {
    /// Text before the zero-padded number in a batch's serials.
    pub serial_prefix: String,
    /// HMAC hash.
    pub algorithm: Algorithm,
    /// Code length.
    pub digits: Digits,
    /// Step length.
    pub period: Period,
    /// Unix time of step 0.
    pub t0: u64,
    /// Key length in bytes.
    pub secret_bytes: usize,
    /// Largest clock error when programmed (uniform ±).
    pub max_factory_offset: Duration,
    /// How long before the epoch a token may have been programmed (uniform 0..=this).
    pub max_shelf_time: Duration,
    /// Crystal drift.
    pub drift: DriftDistribution,
    /// Drift change per year (`Fixed`/`Uniform`/`Normal` of a ppb-per-year figure).
    pub aging: DriftDistribution,
    /// Battery life after programming; `None` never runs out.
    pub battery_life: Option<Latency>,
}

impl Default for TokenSpec {
    fn default() -> Self {
        TokenSpec {
            serial_prefix: "SIM".to_owned(),
            algorithm: Algorithm::Sha1,
            digits: Digits::SIX,
            period: Period::THIRTY_SECONDS,
            t0: 0,
            secret_bytes: 20,
            max_factory_offset: Duration::from_secs(2),
            max_shelf_time: Duration::from_secs(180 * 86_400),
            drift: DriftDistribution::ninety_seconds_per_year(),
            aging: DriftDistribution::Uniform { max: Drift::from_ppb(500) },
            battery_life: Some(Latency::Uniform {
                min: Duration::from_millis(3 * YEAR_MILLIS as u64),
                max: Duration::from_millis(5 * YEAR_MILLIS as u64),
            }),
        }
    }
}

impl TokenSpec {
    /// A spec whose tokens all drift exactly `drift`, programmed exactly at the epoch with no
    /// offset, no aging and no battery death: the token of a scenario that names its drift.
    pub fn exact(drift: Drift) -> Self {
        TokenSpec {
            max_factory_offset: Duration::ZERO,
            max_shelf_time: Duration::ZERO,
            drift: DriftDistribution::Fixed { drift },
            aging: DriftDistribution::Fixed { drift: Drift::ZERO },
            battery_life: None,
            ..TokenSpec::default()
        }
    }

    /// The serial of the `n`th token of a batch: prefix and eight digits.
    pub fn serial(&self, n: u64) -> String {
        format!("{}{n:08}", self.serial_prefix)
    }

    /// Checks the spec.
    ///
    /// # Errors
    /// [`SimError::Config`] for a key shorter than 1 byte or a bad battery latency.
    pub fn validated(&self) -> Result<&Self, SimError> {
        if self.secret_bytes == 0 {
            return Err(SimError::Config("token secret_bytes must be at least 1".to_owned()));
        }
        if let Some(b) = self.battery_life {
            b.validated()?;
        }
        Ok(self)
    }

    /// Makes tokens `first..first+count` of a batch (serials from [`TokenSpec::serial`]),
    /// each drawn from its own streams, so token n is the same whatever the batch size.
    ///
    /// # Errors
    /// As [`TokenSpec::validated`].
    pub fn batch(
        &self,
        streams: Streams,
        epoch: SimTime,
        first: u64,
        count: u64,
    ) -> Result<Vec<HardToken>, SimError> {
        self.validated()?;
        (first..first.saturating_add(count))
            .map(|n| HardToken::manufacture(self, streams, epoch, &self.serial(n)))
            .collect()
    }
}

/// A hardware token: serial, key, and a free-running clock set at the factory. What it
/// displays is a pure function of true time.
#[derive(Clone, Debug)]
pub struct HardToken {
    seed: TokenSeed,
    totp: Totp,
    clock: DeviceClock,
    battery_dies: Option<SimTime>,
}

impl HardToken {
    /// Manufactures one token with serial `serial`: key from the serial's `Seed` stream;
    /// programming time, factory offset, drift, aging and battery life from its `Drift`
    /// stream, in that order.
    ///
    /// # Errors
    /// As [`TokenSpec::validated`].
    pub fn manufacture(
        spec: &TokenSpec,
        streams: Streams,
        epoch: SimTime,
        serial: &str,
    ) -> Result<Self, SimError> {
        spec.validated()?;
        let mut key = vec![0u8; spec.secret_bytes];
        streams.stream(serial, Concern::Seed).fill(&mut key[..]);
        let secret = Secret::from_bytes(key)?;
        let mut rng = streams.stream(serial, Concern::Drift);
        let shelf = rng.random_range(0..=millis(spec.max_shelf_time));
        let offset_max = i64::try_from(millis(spec.max_factory_offset)).unwrap_or(i64::MAX);
        let offset = rng.random_range(-offset_max..=offset_max);
        let drift = spec.drift.sample(&mut rng);
        let aging = Aging::from_ppb_per_year(spec.aging.sample(&mut rng).ppb());
        let battery = spec.battery_life.map(|b| b.sample(&mut rng));
        let programmed = SimTime::from_unix_millis(epoch.unix_millis().saturating_sub(shelf));
        let seed = TokenSeed {
            serial: serial.to_owned(),
            secret,
            algorithm: spec.algorithm,
            digits: spec.digits,
            period: spec.period,
            t0: spec.t0,
        };
        Ok(HardToken::from_parts(
            seed,
            DeviceClock::free_running(programmed, offset, drift).with_aging(aging),
            battery.and_then(|b| programmed.checked_add(b)),
        ))
    }

    /// A token from known parts (a scenario's "token with this key whose clock is 40 s fast").
    pub fn from_parts(seed: TokenSeed, clock: DeviceClock, battery_dies: Option<SimTime>) -> Self {
        HardToken { totp: seed.totp(), seed, clock, battery_dies }
    }

    /// What the token shows at true time `t`.
    pub fn screen(&self, t: SimTime) -> Screen {
        self.display().screen(t)
    }

    /// The token as its holder reads it: its TOTP on its own clock, until the battery dies.
    pub fn display(&self) -> TotpDisplay<'_> {
        TotpDisplay::new(&self.totp, &self.clock, self.battery_dies)
    }

    /// The serial printed on the back.
    pub fn serial(&self) -> &str {
        &self.seed.serial
    }

    /// The provisioning record a vendor ships for this token.
    pub fn seed(&self) -> &TokenSeed {
        &self.seed
    }

    /// The token's TOTP generator.
    pub fn totp(&self) -> &Totp {
        &self.totp
    }

    /// The token's clock.
    pub fn clock(&self) -> &DeviceClock {
        &self.clock
    }

    /// The token's clock, to change (a scenario that sets its offset).
    pub fn clock_mut(&mut self) -> &mut DeviceClock {
        &mut self.clock
    }

    /// When the battery runs out, if ever.
    pub fn battery_dies(&self) -> Option<SimTime> {
        self.battery_dies
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{DEFAULT_EPOCH, DeviceTime};
    use crate::otp::Step;
    use crate::sim::BlankReason;

    #[test]
    fn token_shows_the_otp_core_code_at_its_own_clock_reading() {
        let streams = Streams::new(11);
        let tokens = TokenSpec::default().batch(streams, DEFAULT_EPOCH, 0, 50).unwrap();
        for (i, token) in tokens.iter().enumerate() {
            for day in [0u64, 1, 100, 365, 1000] {
                let t = DEFAULT_EPOCH + Duration::from_secs(day * 86_400 + i as u64 * 7);
                let reading = token.clock().reading(t);
                let expected = token.seed().totp().code_at(reading.unix_secs().unwrap()).unwrap();
                match token.screen(t) {
                    Screen::Code { code, device_time, .. } => {
                        assert_eq!(code, expected);
                        assert_eq!(device_time, reading);
                    }
                    Screen::Blank(BlankReason::BatteryDead) => assert!(token.battery_dies().unwrap() <= t),
                    other => panic!("unexpected {other:?}"),
                }
            }
        }
    }

    #[test]
    fn token_n_is_the_same_in_any_batch() {
        let s = Streams::new(5);
        let small = TokenSpec::default().batch(s, DEFAULT_EPOCH, 3, 1).unwrap();
        let big = TokenSpec::default().batch(s, DEFAULT_EPOCH, 0, 10).unwrap();
        assert_eq!(small[0].seed(), big[3].seed());
        assert_eq!(small[0].clock(), big[3].clock());
        assert_eq!(big[3].serial(), "SIM00000003");
        assert_ne!(big[3].seed().secret, big[4].seed().secret);
    }

    #[test]
    fn drift_draws_respect_the_tolerance() {
        let s = Streams::new(9);
        let tokens = TokenSpec::default().batch(s, DEFAULT_EPOCH, 0, 500).unwrap();
        let max = Drift::seconds_per_year(90.0).ppb();
        assert!(tokens.iter().all(|t| t.clock().drift().ppb().abs() <= max));
        // Not all equal: the draw really varies.
        assert!(tokens.iter().any(|t| t.clock().drift() != tokens[0].clock().drift()));
    }

    #[test]
    fn dead_battery_blanks_the_screen() {
        let mut spec = TokenSpec::exact(Drift::ZERO);
        spec.battery_life = Some(Latency::Fixed { delay: Duration::from_secs(100) });
        let token = HardToken::manufacture(&spec, Streams::new(1), DEFAULT_EPOCH, "B1").unwrap();
        assert!(matches!(token.screen(DEFAULT_EPOCH + Duration::from_secs(99)), Screen::Code { .. }));
        assert_eq!(
            token.screen(DEFAULT_EPOCH + Duration::from_secs(100)),
            Screen::Blank(BlankReason::BatteryDead)
        );
    }

    #[test]
    fn five_years_at_plus_20_ppm_moves_the_token_more_than_a_window() {
        let mut token = HardToken::manufacture(
            &TokenSpec::exact(Drift::from_ppm(20)),
            Streams::new(1),
            DEFAULT_EPOCH,
            "D",
        )
        .unwrap();
        let t = DEFAULT_EPOCH + Duration::from_millis(5 * YEAR_MILLIS as u64);
        // 5 × 630.72 s = 3153.6 s = 105.12 steps ahead.
        let Screen::Code { step, .. } = token.screen(t) else { panic!() };
        assert_eq!(step.minus(Step(t.unix_secs() / 30)), 105);
        token.clock_mut().set_by_hand(t, DeviceTime::exact(t));
        let Screen::Code { step, .. } = token.screen(t) else { panic!() };
        assert_eq!(step, Step(t.unix_secs() / 30));
    }
}
