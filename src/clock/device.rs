//! Device clocks: what a token, phone or server believes the time is, as an exact function of
//! true time.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::drift::{Aging, Drift, gained_millis};
use super::time::SimTime;

/// A device's belief about the time: Unix milliseconds on the device's own clock. Signed, since
/// a user can set a clock to anything. Distinct from [`SimTime`] so the two never mix by
/// accident; convert to Unix seconds only at the OTP boundary ([`DeviceTime::unix_secs`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DeviceTime(i64);

impl DeviceTime {
    /// A reading from Unix milliseconds.
    pub const fn from_unix_millis(ms: i64) -> Self {
        DeviceTime(ms)
    }

    /// The reading a perfect clock shows at true time `t`.
    pub fn exact(t: SimTime) -> Self {
        DeviceTime(clamp_i64(i128::from(t.unix_millis())))
    }

    /// Unix milliseconds.
    pub const fn unix_millis(self) -> i64 {
        self.0
    }

    /// Whole Unix seconds (floor), what the OTP core takes; `None` before 1970, where no TOTP
    /// step exists.
    pub fn unix_secs(self) -> Option<u64> {
        u64::try_from(self.0.div_euclid(1000)).ok()
    }

    /// Signed milliseconds this reading is ahead of true time `t` (negative: behind).
    pub fn ahead_of(self, t: SimTime) -> i64 {
        clamp_i64(i128::from(self.0) - i128::from(t.unix_millis()))
    }

    /// The reading `ms` milliseconds later (saturating).
    pub const fn plus_millis(self, ms: i64) -> Self {
        DeviceTime(self.0.saturating_add(ms))
    }
}

/// `dev:<seconds>.<millis>`, so a device reading never passes for true time in a trace.
impl fmt::Display for DeviceTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "dev:{}.{:03}", self.0.div_euclid(1000), self.0.rem_euclid(1000))
    }
}

/// Automatic time: the device sets its clock from NTP (or the network) every `interval`, each
/// time landing within ±`residual` of true time, and free-runs with its drift in between.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NtpSync {
    /// Time between syncs. Must be at least 1 ms.
    pub interval: Duration,
    /// The largest error right after a sync (uniformly drawn per sync).
    pub residual: Duration,
}

impl NtpSync {
    /// A server under ntpd/chrony: polls every 1024 s at most, ±5 ms residual on a LAN.
    pub const SERVER: NtpSync =
        NtpSync { interval: Duration::from_secs(1024), residual: Duration::from_millis(5) };
    /// A phone with automatic time: one sync a day (assumption: Android's NTP refresh default is
    /// 24 h), ±250 ms residual over a mobile network.
    pub const PHONE: NtpSync =
        NtpSync { interval: Duration::from_secs(86_400), residual: Duration::from_millis(250) };
}

/// A device clock: maps true time to the device's reading. The reading is a pure function of
/// true time (initial offset, drift, aging, NTP syncs, hand settings and jitter are all
/// derived from the clock's parameters and its key), so asking for the reading at any instant
/// costs O(log settings) and never loops over ticks.
///
/// Jitter and NTP residuals come from a keyed hash of the instant (or sync number), not from a
/// stateful RNG: the same clock gives the same reading at the same instant however often or
/// in whatever order it is asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceClock {
    origin: SimTime,
    drift: Drift,
    aging: Aging,
    jitter_millis: u32,
    key: u64,
    segments: Vec<Segment>,
}

impl DeviceClock {
    /// A clock that only drifts: at `origin` (e.g. when a factory programmed it) it reads
    /// `origin + offset_millis`, then runs at `1 + drift` of true time.
    pub fn free_running(origin: SimTime, offset_millis: i64, drift: Drift) -> Self {
        let reading = DeviceTime::exact(origin).plus_millis(offset_millis);
        DeviceClock {
            origin,
            drift,
            aging: Aging::NONE,
            jitter_millis: 0,
            key: 0,
            segments: vec![Segment::FreeRun { start: origin, reading }],
        }
    }

    /// A clock with automatic time from `origin` on; `key` (from the device's RNG stream)
    /// drives its sync residuals.
    pub fn synced(origin: SimTime, sync: NtpSync, drift: Drift, key: u64) -> Self {
        DeviceClock {
            origin,
            drift,
            aging: Aging::NONE,
            jitter_millis: 0,
            key,
            segments: vec![Segment::Synced { start: origin, sync }],
        }
    }

    /// The same clock with aging (drift changing by `aging` per year from `origin`).
    pub fn with_aging(mut self, aging: Aging) -> Self {
        self.aging = aging;
        self
    }

    /// The same clock with reading jitter of up to ±`max` (whole milliseconds), keyed by `key`.
    /// With jitter a reading may step back by up to 2·`max` between two instants, as real
    /// noisy clocks do.
    pub fn with_jitter(mut self, max: Duration, key: u64) -> Self {
        self.jitter_millis = u32::try_from(max.as_millis()).unwrap_or(u32::MAX);
        self.key = key;
        self
    }

    /// What the device shows at true time `t`.
    pub fn reading(&self, t: SimTime) -> DeviceTime {
        let tm = i128::from(t.unix_millis());
        let origin = i128::from(self.origin.unix_millis());
        let index = self.segments.partition_point(|s| s.start() <= t).saturating_sub(1);
        let base = match self.segments.get(index) {
            Some(Segment::FreeRun { start, reading }) => {
                let s = i128::from(start.unix_millis());
                i128::from(reading.0)
                    + (tm - s)
                    + gained_millis(self.drift, self.aging, s - origin, tm - origin)
            }
            Some(Segment::Synced { start, sync }) => {
                let s = i128::from(start.unix_millis());
                let interval =
                    i128::from(u64::try_from(sync.interval.as_millis()).unwrap_or(u64::MAX).max(1));
                let k = (tm - s).max(0) / interval;
                let last_sync = s + k * interval;
                let residual =
                    spread(self.key, k as u64, sync.residual.as_millis().min(u128::from(u32::MAX)) as u32);
                tm + residual + gained_millis(self.drift, self.aging, last_sync - origin, tm - origin)
            }
            // Never empty: every constructor pushes a segment and none removes one.
            None => tm,
        };
        let jitter = spread(self.key ^ JITTER_KEY, t.unix_millis(), self.jitter_millis);
        DeviceTime(clamp_i64(base + jitter))
    }

    /// The user sets the clock by hand at `at` to show `reading` (a wrong time zone, a clock
    /// set back): automatic time is off from then on, and the clock free-runs with its drift.
    /// Readings before `at` are unchanged.
    pub fn set_by_hand(&mut self, at: SimTime, reading: DeviceTime) {
        self.truncate_from(at);
        self.segments.push(Segment::FreeRun { start: at, reading });
    }

    /// The device lives through `span` that true time skips at `at`: from then on it is ahead
    /// of true time by what it would have been `span` later, so it keeps the drift it gained
    /// and nothing else about it moves. This is how a server whose clock runs on its own sees
    /// years of a token's drift without years passing. A clock on automatic time gains nothing
    /// (its syncs undo drift) and stays as it is.
    pub fn live_through(&mut self, at: SimTime, span: Duration) {
        let index = self.segments.partition_point(|s| s.start() <= at).saturating_sub(1);
        if matches!(self.segments.get(index), Some(Segment::Synced { .. })) {
            return;
        }
        let Some(later) = at.checked_add(span) else { return };
        let gained = self.reading(later).ahead_of(later).saturating_sub(self.reading(at).ahead_of(at));
        if gained != 0 {
            let reading = self.reading(at).plus_millis(gained);
            self.set_by_hand(at, reading);
        }
    }

    /// Automatic time is switched (back) on at `at`: the clock syncs at once, then every
    /// `sync.interval`.
    pub fn resume_sync(&mut self, at: SimTime, sync: NtpSync) {
        self.truncate_from(at);
        self.segments.push(Segment::Synced { start: at, sync });
    }

    /// The first true time at or after `from` at which the clock reads at least `target`, or
    /// `None` if it does not get there within a year. Used to wait for "the next code" on a
    /// device: the estimate assumes a rate of 1, then steps by milliseconds over what drift and
    /// jitter add or take away.
    pub fn when_reads(&self, from: SimTime, target: DeviceTime) -> Option<SimTime> {
        let now = self.reading(from);
        let mut t = from.checked_add(Duration::from_millis(u64::try_from(target.0 - now.0).unwrap_or(0)))?;
        for _ in 0..MAX_CATCH_UP_STEPS {
            if self.reading(t) < target {
                t = t.checked_add(Duration::from_millis(1))?;
                continue;
            }
            // A fast clock gets there before the rate-1 estimate: step back to the first instant.
            match t.checked_sub(Duration::from_millis(1)) {
                Some(earlier) if earlier >= from && self.reading(earlier) >= target => t = earlier,
                _ => return Some(t),
            }
        }
        None
    }

    /// The crystal's drift at `origin`.
    pub fn drift(&self) -> Drift {
        self.drift
    }

    /// The change of drift per year.
    pub fn aging(&self) -> Aging {
        self.aging
    }

    /// When the clock's drift was `drift` (factory programming, first boot).
    pub fn origin(&self) -> SimTime {
        self.origin
    }

    fn truncate_from(&mut self, at: SimTime) {
        // Keep the first segment even when `at` precedes it, so the clock is never empty.
        let keep = self.segments.partition_point(|s| s.start() < at).max(1);
        self.segments.truncate(keep);
    }
}

/// How far `when_reads` walks forward in 1 ms steps after its first estimate: a 1000 ppm clock
/// over a year of waiting is off by 31.5 s; realistic waits (one step) need a few ms.
const MAX_CATCH_UP_STEPS: u32 = 100_000;

const JITTER_KEY: u64 = 0x6a09_e667_f3bc_c908;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Segment {
    FreeRun { start: SimTime, reading: DeviceTime },
    Synced { start: SimTime, sync: NtpSync },
}

impl Segment {
    fn start(&self) -> SimTime {
        match self {
            Segment::FreeRun { start, .. } | Segment::Synced { start, .. } => *start,
        }
    }
}

/// A value in `[-max, max]` from a keyed hash of `x` (SplitMix64 finaliser): deterministic and
/// independent of the order readings are taken in.
fn spread(key: u64, x: u64, max: u32) -> i128 {
    if max == 0 {
        return 0;
    }
    let mut z = key ^ x.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    let width = 2 * u64::from(max) + 1;
    i128::from(z % width) - i128::from(max)
}

fn clamp_i64(v: i128) -> i64 {
    v.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::DEFAULT_EPOCH;
    use crate::clock::drift::YEAR_MILLIS;

    fn days(n: u64) -> Duration {
        Duration::from_secs(n * 86_400)
    }

    #[test]
    fn drifting_clock_is_exactly_630_72_s_fast_after_a_year_at_20_ppm() {
        let clock = DeviceClock::free_running(DEFAULT_EPOCH, 0, Drift::from_ppm(20));
        assert_eq!(clock.reading(DEFAULT_EPOCH + days(365)).ahead_of(DEFAULT_EPOCH + days(365)), 630_720);
    }

    #[test]
    fn ten_years_of_drift_is_exact_at_every_day() {
        let drift = Drift::from_ppb(-37_123);
        let clock = DeviceClock::free_running(DEFAULT_EPOCH, 1500, drift);
        for day in 0..=3650u64 {
            let t = DEFAULT_EPOCH + days(day);
            let elapsed = i128::from(day) * 86_400_000;
            let expected = 1500 + (elapsed * -37_123).div_euclid(1_000_000_000);
            assert_eq!(i128::from(clock.reading(t).ahead_of(t)), expected, "day {day}");
        }
        let ten_years = DEFAULT_EPOCH + Duration::from_millis(10 * YEAR_MILLIS as u64);
        assert_eq!(clock.reading(ten_years).ahead_of(ten_years), 1500 - 11_707_110);
    }

    #[test]
    fn living_through_five_years_at_once_keeps_the_drift_and_only_the_drift() {
        let mut clock = DeviceClock::free_running(DEFAULT_EPOCH, 40_000, Drift::from_ppm(20));
        let five_years = days(5 * 365);
        let aged = clock.reading(DEFAULT_EPOCH + five_years).ahead_of(DEFAULT_EPOCH + five_years);
        clock.live_through(DEFAULT_EPOCH, five_years);
        assert_eq!(clock.reading(DEFAULT_EPOCH).ahead_of(DEFAULT_EPOCH), aged);
        assert_eq!(aged, 40_000 + 3_153_600);
        // It keeps drifting from there, as the aged clock would.
        let later = DEFAULT_EPOCH + days(1);
        assert_eq!(clock.reading(later).ahead_of(later), aged + 1_728);
    }

    #[test]
    fn a_synced_clock_living_through_time_stays_synced() {
        let mut clock = DeviceClock::synced(DEFAULT_EPOCH, NtpSync::PHONE, Drift::from_ppm(20), 7);
        let before = clock.clone();
        clock.live_through(DEFAULT_EPOCH + days(2), days(365));
        assert_eq!(clock, before);
    }

    #[test]
    fn hand_setting_the_clock_back_is_modelled_and_earlier_readings_stay() {
        let mut clock = DeviceClock::synced(DEFAULT_EPOCH, NtpSync::PHONE, Drift::from_ppm(5), 7);
        let at = DEFAULT_EPOCH + days(10);
        let before = clock.reading(at + Duration::from_secs(60));
        // A whole-hour time-zone mistake: the user sets UTC one hour behind.
        clock.set_by_hand(at, DeviceTime::exact(at).plus_millis(-3_600_000));
        assert_eq!(clock.reading(at).ahead_of(at), -3_600_000);
        assert!(clock.reading(at + Duration::from_secs(60)) < before);
        assert_eq!(clock.reading(at.checked_sub(Duration::from_secs(1)).unwrap()), {
            let fresh = DeviceClock::synced(DEFAULT_EPOCH, NtpSync::PHONE, Drift::from_ppm(5), 7);
            fresh.reading(at.checked_sub(Duration::from_secs(1)).unwrap())
        });
        // Automatic time back on: within the residual of true time again.
        let later = at + days(1);
        clock.resume_sync(later, NtpSync::PHONE);
        assert!(clock.reading(later).ahead_of(later).abs() <= 250);
    }

    #[test]
    fn synced_clock_stays_within_residual_plus_one_interval_of_drift() {
        let clock = DeviceClock::synced(DEFAULT_EPOCH, NtpSync::PHONE, Drift::from_ppm(50), 99);
        // 50 ppm over a day is 4.32 s; the residual adds at most 250 ms.
        for hour in 0..24 * 30 {
            let t = DEFAULT_EPOCH + Duration::from_secs(hour * 3600);
            let ahead = clock.reading(t).ahead_of(t);
            assert!((-250..=4320 + 250).contains(&ahead), "hour {hour}: {ahead}");
        }
        // Right after each sync the clock is back within the residual.
        let t = DEFAULT_EPOCH + days(3);
        assert!(clock.reading(t).ahead_of(t).abs() <= 250);
    }

    #[test]
    fn jitter_is_bounded_and_repeatable() {
        let clock = DeviceClock::free_running(DEFAULT_EPOCH, 0, Drift::ZERO)
            .with_jitter(Duration::from_millis(3), 42);
        let mut seen = std::collections::BTreeSet::new();
        for ms in 0..1000 {
            let t = DEFAULT_EPOCH + Duration::from_millis(ms);
            let ahead = clock.reading(t).ahead_of(t);
            assert!((-3..=3).contains(&ahead));
            assert_eq!(clock.reading(t), clock.reading(t));
            seen.insert(ahead);
        }
        assert_eq!(seen.len(), 7, "all seven jitter values occur");
    }

    #[test]
    fn when_reads_finds_the_first_instant() {
        let clock = DeviceClock::free_running(DEFAULT_EPOCH, 40_000, Drift::from_ppm(100));
        let target = DeviceTime::exact(DEFAULT_EPOCH).plus_millis(100_000);
        let t = clock.when_reads(DEFAULT_EPOCH, target).unwrap();
        assert!(clock.reading(t) >= target);
        assert!(clock.reading(t.checked_sub(Duration::from_millis(1)).unwrap()) < target);
    }
}
