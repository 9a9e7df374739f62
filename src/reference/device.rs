//! A bound TOTP device as the service sees it: key, step geometry, the replay guard's last
//! accepted step and the learned drift. Code computation lives here so the truncation,
//! 32-bit-time and SHA-1 faults can be injected.

use subtle::{ConditionallySelectable, ConstantTimeEq};

use super::policy::{Dangers, Policy};
use crate::clock::SimTime;
use crate::otp::{Algorithm, Code, Digits, KeyedHmac, Period, Secret, Step, Window};
use crate::provision::TokenSeed;

/// A TOTP device bound to an account (virtual or hardware). `Debug` shows no key material.
#[derive(Clone, Debug)]
pub struct DeviceState {
    keyed: KeyedHmac,
    digits: Digits,
    period: Period,
    t0: u64,
    truncation_bug: bool,
    time_32bit: bool,
    /// The newest step accepted: the replay guard refuses it and everything before it.
    pub last_step: Option<Step>,
    /// Learned offset (device step minus true step), re-centring the window.
    pub drift: i64,
}

/// Result of looking a code up in a device's window (before the replay guard).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// The code is for `step`, `offset` steps from the (true) expected step.
    Found {
        /// The matching step.
        step: Step,
        /// Step minus the true expected step (what drift tracking learns).
        offset: i64,
    },
    /// No step in the window.
    Missing,
}

impl DeviceState {
    /// A device for `secret` with the given geometry; `dangers` selects injected faults.
    pub fn new(
        secret: &Secret,
        algorithm: Algorithm,
        digits: Digits,
        period: Period,
        t0: u64,
        dangers: &Dangers,
    ) -> Self {
        let algorithm = if dangers.danger_assume_sha1 { Algorithm::Sha1 } else { algorithm };
        DeviceState {
            keyed: KeyedHmac::new(secret, algorithm),
            digits,
            period,
            t0,
            truncation_bug: dangers.danger_truncation_offset_bug,
            time_32bit: dangers.danger_32bit_time,
            last_step: None,
            drift: 0,
        }
    }

    /// An authenticator app's device with the parameters consoles issue (SHA1, 6 digits,
    /// 30 s, T0 = 0), which is all an `otpauth://` URI from this service promises.
    pub fn console_app(secret: &Secret, dangers: &Dangers) -> Self {
        DeviceState::new(secret, Algorithm::Sha1, Digits::SIX, Period::THIRTY_SECONDS, 0, dangers)
    }

    /// A hardware token's device, with the parameters its seed record gives.
    pub fn from_seed(seed: &TokenSeed, dangers: &Dangers) -> Self {
        DeviceState::new(&seed.secret, seed.algorithm, seed.digits, seed.period, seed.t0, dangers)
    }

    /// The true step at `now` (as this server computes it), or `None` before T0.
    pub fn step_at(&self, now: SimTime) -> Option<Step> {
        let unix = if self.time_32bit {
            // A signed 32-bit time_t: wraps negative in January 2038, clamped to 0.
            u64::try_from(i64::from(now.unix_secs() as u32 as i32)).unwrap_or(0)
        } else {
            now.unix_secs()
        };
        unix.checked_sub(self.t0).map(|s| Step(s / self.period.seconds()))
    }

    /// The code for a step.
    pub fn code_for(&self, step: Step) -> Code {
        let mac = self.keyed.mac_counter(step.0);
        if !self.truncation_bug {
            return Code::truncate(&mac, self.digits);
        }
        let bytes = mac.as_bytes();
        let offset = (bytes[0] & 0x0f) as usize;
        let word =
            u32::from_be_bytes([bytes[offset], bytes[offset + 1], bytes[offset + 2], bytes[offset + 3]])
                & 0x7fff_ffff;
        // The value is reduced modulo 10^digits, so it always fits the code length.
        Code::from_value(u64::from(word) % self.digits.modulus(), self.digits)
            .unwrap_or_else(|_| Code::truncate(&mac, self.digits))
    }

    /// Parses user text as a code of this device's length.
    pub fn parse(&self, text: &str) -> Option<Code> {
        Code::parse(text, self.digits).ok()
    }

    /// Looks `code` up in the policy window around the drift-corrected expected step.
    /// Every candidate is compared in constant time.
    pub fn lookup(&self, code: &Code, now: SimTime, policy: &Policy) -> Lookup {
        let Some(now_step) = self.step_at(now) else { return Lookup::Missing };
        let window = if policy.dangers.danger_forward_only_window {
            Window { behind: 0, ahead: policy.window.ahead.max(policy.window.behind) }
        } else {
            policy.window
        };
        let drift = if policy.dangers.danger_forget_drift { 0 } else { self.drift };
        let Some(center) = now_step.offset(drift) else { return Lookup::Missing };
        let mut found = subtle::Choice::from(0);
        let mut step_found = 0u64;
        for offset in window.offsets() {
            let Some(step) = center.offset(offset) else { continue };
            let hit = self.code_for(step).ct_eq(code) & !found;
            step_found.conditional_assign(&step.0, hit);
            found |= hit;
        }
        if bool::from(found) {
            Lookup::Found { step: Step(step_found), offset: Step(step_found).minus(now_step) }
        } else {
            Lookup::Missing
        }
    }

    /// Whether the replay guard lets `step` through.
    pub fn fresh(&self, step: Step, dangers: &Dangers) -> bool {
        dangers.danger_allow_replay || self.last_step.is_none_or(|last| step > last)
    }

    /// Records an accepted step and learns drift within the policy's bound.
    pub fn record(&mut self, step: Step, offset: i64, policy: &Policy) {
        if self.last_step.is_none_or(|last| step > last) {
            self.last_step = Some(step);
        }
        // Drift tracking follows the device: each accepted code may move the learned offset by
        // at most `max_drift_steps`, so a slowly drifting token stays centred for years (also
        // after a resync set a large offset), while no single login can swing the window far.
        if !policy.dangers.danger_forget_drift && offset.abs_diff(self.drift) <= policy.max_drift_steps {
            self.drift = offset;
        }
    }

    /// Resync: finds a step `s` within `policy.resync_steps` of now whose code is `first`
    /// and whose successor's code is `second` (any later step under
    /// `danger_resync_non_consecutive`). Returns the step of `second`.
    pub fn resync_search(&self, first: &Code, second: &Code, now: SimTime, policy: &Policy) -> Option<Step> {
        let now_step = self.step_at(now)?;
        let reach = policy.resync_steps.min(i64::MAX as u64) as i64;
        let lo = now_step.0.saturating_sub(reach as u64);
        let hi = now_step.0.saturating_add(reach as u64);
        let (mut first_seen, mut previous_was_first) = (false, false);
        for s in lo..=hi {
            let code = self.code_for(Step(s));
            let follows =
                if policy.dangers.danger_resync_non_consecutive { first_seen } else { previous_was_first };
            if follows && bool::from(code.ct_eq(second)) {
                return Some(Step(s));
            }
            previous_was_first = bool::from(code.ct_eq(first));
            first_seen |= previous_was_first;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(dangers: &Dangers) -> DeviceState {
        let secret = Secret::from_bytes(b"12345678901234567890".to_vec()).unwrap();
        DeviceState::new(&secret, Algorithm::Sha1, Digits::EIGHT, Period::THIRTY_SECONDS, 0, dangers)
    }

    #[test]
    fn codes_match_rfc6238_appendix_b() {
        let d = device(&Dangers::default());
        let step = d.step_at(SimTime::from_unix_secs(59)).unwrap();
        assert_eq!(d.code_for(step).to_string(), "94287082");
    }

    #[test]
    fn truncation_bug_changes_codes() {
        let d = device(&Dangers { danger_truncation_offset_bug: true, ..Dangers::default() });
        let codes: Vec<String> = (0..20).map(|s| d.code_for(Step(s)).to_string()).collect();
        let good = device(&Dangers::default());
        let right: Vec<String> = (0..20).map(|s| good.code_for(Step(s)).to_string()).collect();
        assert_ne!(codes, right);
    }

    #[test]
    fn time_32bit_breaks_after_2038() {
        let d = device(&Dangers { danger_32bit_time: true, ..Dangers::default() });
        let good = device(&Dangers::default());
        let before = SimTime::from_unix_secs(2_000_000_000);
        let after = SimTime::from_unix_secs(2_200_000_000);
        assert_eq!(d.step_at(before), good.step_at(before));
        assert_ne!(d.step_at(after), good.step_at(after));
    }

    #[test]
    fn resync_finds_consecutive_codes_far_away() {
        let d = device(&Dangers::default());
        let now = SimTime::from_unix_secs(1_800_000_000);
        let true_step = d.step_at(now).unwrap();
        let policy = Policy { resync_steps: 2_000, ..Policy::default() };
        let far = Step(true_step.0 - 1_500);
        let (a, b) = (d.code_for(far), d.code_for(Step(far.0 + 1)));
        assert_eq!(d.resync_search(&a, &b, now, &policy), Some(Step(far.0 + 1)));
        let c = d.code_for(Step(far.0 + 3));
        assert_eq!(d.resync_search(&a, &c, now, &policy), None);
    }
}
