//! Crystal drift as exact integers: parts per billion, and aging as a change of drift per year.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Milliseconds in the 365-day year drift figures are quoted per. Vendors quote "seconds per
/// year" against this year, so we use it too (not 365.2425 days).
pub const YEAR_MILLIS: i128 = 365 * 86_400 * 1000;

const PPB_DENOMINATOR: i128 = 1_000_000_000;

/// A clock's rate error in parts per billion (ppb): +20 ppm is `Drift::from_ppm(20)`, a clock
/// that gains 20 µs per true second. Integer ppb keeps every offset exact: a +20 ppm clock is
/// exactly 630.72 s ahead after 365 days, and nothing accumulates float error over years.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Drift(i64);

impl Drift {
    /// A perfect clock.
    pub const ZERO: Drift = Drift(0);

    /// Drift from parts per billion.
    pub const fn from_ppb(ppb: i64) -> Drift {
        Drift(ppb)
    }

    /// Drift from whole parts per million.
    pub const fn from_ppm(ppm: i64) -> Drift {
        Drift(ppm.saturating_mul(1000))
    }

    /// Drift from fractional ppm, rounded to the nearest ppb (how sampled drifts enter: the
    /// draw is a float, everything after it is exact). Non-finite input gives zero drift.
    pub fn from_ppm_f64(ppm: f64) -> Drift {
        if ppm.is_finite() {
            Drift((ppm * 1000.0).round().clamp(i64::MIN as f64, i64::MAX as f64) as i64)
        } else {
            Drift::ZERO
        }
    }

    /// The drift that gains (or, negative, loses) `secs` seconds per 365-day year, rounded to
    /// the nearest ppb: how vendors quote it ("±90 s per year").
    pub fn seconds_per_year(secs: f64) -> Drift {
        Drift::from_ppm_f64(secs * 1e6 / (YEAR_MILLIS as f64 / 1000.0))
    }

    /// Parts per billion.
    pub const fn ppb(self) -> i64 {
        self.0
    }

    /// The drift as fractional ppm (for reports).
    pub fn ppm(self) -> f64 {
        self.0 as f64 / 1000.0
    }
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:+.3} ppm", self.ppm())
    }
}

/// Aging: how much a crystal's drift changes per 365-day year, in ppb per year. Quartz
/// typically ages by a few ppm in its first year, then less; a linear change is the usual
/// first-order model and keeps the offset an exact quadratic.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Aging(i64);

impl Aging {
    /// No aging.
    pub const NONE: Aging = Aging(0);

    /// Aging from ppb per year.
    pub const fn from_ppb_per_year(ppb: i64) -> Aging {
        Aging(ppb)
    }

    /// ppb per year.
    pub const fn ppb_per_year(self) -> i64 {
        self.0
    }
}

/// The milliseconds a clock with `drift` and `aging` gains between true-time offsets `from`
/// and `to` (milliseconds since the clock's origin, when its drift was exactly `drift`): the
/// integral of `drift + aging * t / year` over `[from, to]`, floored to whole milliseconds.
/// Exact: i128 holds it for drifts up to ±10^6 ppm over centuries.
pub fn gained_millis(drift: Drift, aging: Aging, from: i128, to: i128) -> i128 {
    // Without aging and within i64 (drift × span below 9.2·10^18: ±1000 ppm over 290 years),
    // hardware division by a constant; readings are taken on every look at a device.
    if aging.0 == 0
        && let Ok(span) = i64::try_from(to - from)
        && let Some(product) = drift.0.checked_mul(span)
    {
        return i128::from(product.div_euclid(PPB_DENOMINATOR as i64));
    }
    // numerator / (2 * YEAR * 1e9) with numerator = 2*YEAR*d*(to-from) + a*(to² - from²).
    let numerator =
        2 * YEAR_MILLIS * i128::from(drift.0) * (to - from) + i128::from(aging.0) * (to * to - from * from);
    floor_div_by_year_ppb(numerator)
}

/// 2 · YEAR_MILLIS · 10^9 = 2^20 · ODD_PART.
const ODD_PART: i64 = 60_150_146_484_375;

/// `n.div_euclid(2 · YEAR_MILLIS · 10^9)`, cheaply: floor division by 2^20 is an arithmetic
/// shift, and nested floor divisions compose, so what remains is a division by a 46-bit
/// constant, in 64-bit hardware arithmetic whenever the shifted value fits (a year or two of
/// typical drift and aging), else one 128-bit division.
fn floor_div_by_year_ppb(n: i128) -> i128 {
    let shifted = n >> 20;
    match i64::try_from(shifted) {
        Ok(s) => i128::from(s.div_euclid(ODD_PART)),
        Err(_) => floor_div(shifted, i128::from(ODD_PART)),
    }
}

/// `n.div_euclid(d)` for `d > 0` with one 128-bit division instead of a division and a
/// remainder.
fn floor_div(n: i128, d: i128) -> i128 {
    let q = n / d;
    if n < 0 && q * d != n { q - 1 } else { q }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twenty_ppm_gains_exactly_630_72_seconds_in_365_days() {
        assert_eq!(gained_millis(Drift::from_ppm(20), Aging::NONE, 0, YEAR_MILLIS), 630_720);
        assert_eq!(gained_millis(Drift::from_ppm(-20), Aging::NONE, 0, YEAR_MILLIS), -630_720);
    }

    #[test]
    fn vendor_figures_convert_to_ppb() {
        // 90 s / 31 536 000 s = 2.853 881 ppm.
        assert_eq!(Drift::seconds_per_year(90.0).ppb(), 2854);
        // 1 s per 3 days = 1 / 259 200 = 3.858 ppm.
        assert_eq!(Drift::seconds_per_year(365.0 / 3.0).ppb(), 3858);
        assert_eq!(Drift::from_ppm_f64(f64::NAN), Drift::ZERO);
    }

    #[test]
    fn fast_and_general_paths_agree_including_negative_spans() {
        for ppb in [-123_457i64, -1, 0, 1, 999, 20_000, 1_000_000] {
            for span in [-YEAR_MILLIS * 3 - 7, -1, 0, 1, 86_400_000 + 13, YEAR_MILLIS * 10 + 999] {
                let exact = (i128::from(ppb) * span).div_euclid(PPB_DENOMINATOR);
                assert_eq!(
                    gained_millis(Drift::from_ppb(ppb), Aging::NONE, 5, 5 + span),
                    exact,
                    "{ppb} {span}"
                );
                assert_eq!(floor_div(i128::from(ppb) * span, PPB_DENOMINATOR), exact);
            }
        }
    }

    #[test]
    fn cheap_division_by_the_year_constant_is_exact() {
        let d = 2 * YEAR_MILLIS * PPB_DENOMINATOR;
        assert_eq!((1i128 << 20) * i128::from(ODD_PART), d);
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for shift in 0..100 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let magnitude = i128::from(x) << (shift % 60);
            for n in [magnitude, -magnitude, magnitude + 1, -magnitude - 1, d * 3, -d * 3, d - 1, -d + 1, 0] {
                assert_eq!(floor_div_by_year_ppb(n), n.div_euclid(d), "{n}");
            }
        }
    }

    #[test]
    fn aging_adds_a_quadratic_term() {
        // Drift grows from 0 to 2 ppm over a year: average 1 ppm, so 31.536 s gained.
        let aging = Aging::from_ppb_per_year(2000);
        assert_eq!(gained_millis(Drift::ZERO, aging, 0, YEAR_MILLIS), 31_536);
        // The second year runs at 2..4 ppm: 3 * 31.536 s.
        assert_eq!(gained_millis(Drift::ZERO, aging, YEAR_MILLIS, 2 * YEAR_MILLIS), 94_608);
    }
}
