//! The verification policy: every number and switch the reference service decides with, in
//! one plain struct so scenarios, vendors and mutants can see and change it.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::otp::Window;
use crate::protocol::PolicyFacts;

/// How the reference service verifies codes and limits guessing. [`Policy::default`] is the
/// safe configuration a careful engineer would defend; every weakening lives in
/// [`Dangers`], all off by default.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Policy {
    /// Steps accepted around the expected one. Default ±1 (RFC 6238 §5.2: at most one step of
    /// transmission delay).
    pub window: Window,
    /// How far (in steps) one accepted code may move the learned drift. Default 10 (5
    /// minutes at 30 s). The window already bounds each move; this bounds what a single
    /// login can teach, while a token drifting for years stays tracked.
    pub max_drift_steps: u64,
    /// Steps searched either side during resync with two consecutive codes. Default 240
    /// (±2 hours): a +20 ppm token is 53 minutes off after 5 years and 1.75 hours after 10,
    /// the worst published crystal spec (±90 s a year) is 15 minutes after 10 years, and the
    /// search stays cheap (960 codes), so an unauthenticated caller cannot make resync a CPU
    /// sink. A chance match of two consecutive 6-digit codes is ~10⁻¹² per candidate.
    pub resync_steps: u64,
    /// Consecutive failed authentications (password or second factor) that lock an account.
    /// Default 10: NIST SP 800-63B §5.2.2 demands at most 100; 10 with a 15-minute lock allows
    /// under 1 000 guesses a day, about a 0.3 % daily chance against a ±1 window.
    pub lockout_threshold: u32,
    /// How long a lock lasts. Default 15 minutes; the failure count starts again afterwards.
    pub lockout_duration: Duration,
    /// How long an SMS code stays valid. Default 5 minutes.
    pub sms_validity: Duration,
    /// Minimum time between two SMS sends for one challenge. Default 60 s.
    pub sms_resend_interval: Duration,
    /// Wrong answers one SMS code survives before it is void. Default 3.
    pub sms_max_attempts: u32,
    /// How long a challenge or an open binding waits for its answer. Default 10 minutes.
    pub challenge_validity: Duration,
    /// Cost of the password hash.
    pub password_cost: PasswordCost,
    /// Newest audit events kept (older ones are dropped), so a long-running server's memory
    /// stays bounded. Default 100 000.
    pub audit_capacity: usize,
    /// Deliberate weaknesses, all off by default.
    pub dangers: Dangers,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            window: Window::symmetric(1),
            max_drift_steps: 10,
            resync_steps: 240,
            lockout_threshold: 10,
            lockout_duration: Duration::from_secs(15 * 60),
            sms_validity: Duration::from_secs(5 * 60),
            sms_resend_interval: Duration::from_secs(60),
            sms_max_attempts: 3,
            challenge_validity: Duration::from_secs(10 * 60),
            password_cost: PasswordCost::Standard,
            audit_capacity: 100_000,
            dangers: Dangers::default(),
        }
    }
}

impl Policy {
    /// The numbers of this policy a target declares to the harness.
    pub fn facts(&self) -> PolicyFacts {
        PolicyFacts {
            lockout_threshold: Some(self.lockout_threshold),
            lockout_duration: Some(self.lockout_duration),
            sms_max_attempts: Some(self.sms_max_attempts),
            sms_lifetime: Some(self.sms_validity),
            window_behind: Some(self.window.behind),
            window_ahead: Some(self.window.ahead),
            prompt_lifetime: Some(self.challenge_validity),
            resync_range: Some(self.resync_steps),
        }
    }

    /// The default policy with the cheap password hash, for tests and `serve --test-clock`
    /// where thousands of logins must run in seconds.
    pub fn for_tests() -> Self {
        Policy { password_cost: PasswordCost::Fast, ..Policy::default() }
    }
}

/// Argon2id cost. Both are real Argon2id; only the work factor differs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PasswordCost {
    /// OWASP's Argon2id minimum: 19 MiB, 2 passes, 1 lane.
    Standard,
    /// 8 KiB, 1 pass: fast enough for simulation and tests; never for real passwords.
    Fast,
}

/// Faults a mutant can switch on, one flag per fault. Each is a weakening a real server has
/// shipped; the default (all `false`) is the safe behaviour, each switch is a mutant
/// in `mutants/catalogue.toml` that `tests/mutants.rs` shows a scenario kills.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Dangers {
    /// Accept a (device, step) more than once.
    pub danger_allow_replay: bool,
    /// Check and record the replay guard in two separate critical sections (a race).
    pub danger_racy_replay_guard: bool,
    /// Accept only steps at or after the expected one (no "behind" half of the window).
    pub danger_forward_only_window: bool,
    /// Accept the same code twice as the two binding codes.
    pub danger_binding_accepts_repeated_code: bool,
    /// Accept two valid but non-consecutive codes at binding.
    pub danger_binding_accepts_non_consecutive: bool,
    /// Unbind a device without a code from it.
    pub danger_unbind_without_code: bool,
    /// SMS codes never expire.
    pub danger_sms_never_expires: bool,
    /// An SMS code may be used more than once.
    pub danger_sms_reusable: bool,
    /// Never lock an account.
    pub danger_no_lockout: bool,
    /// A success does not reset the failure count (lockout never resets).
    pub danger_lockout_never_resets: bool,
    /// With both methods enabled, require both instead of either.
    pub danger_require_all_methods: bool,
    /// A non-admin IAM user may weaken their own protections.
    pub danger_iam_self_weaken: bool,
    /// A protected user without a bound method logs in without binding.
    pub danger_no_redirect_to_binding: bool,
    /// Dynamic truncation reads the offset from the first MAC byte instead of the last.
    pub danger_truncation_offset_bug: bool,
    /// Unix time is kept in a signed 32-bit integer (wraps in 2038).
    pub danger_32bit_time: bool,
    /// Every token is verified with HMAC-SHA1 whatever its seed says.
    pub danger_assume_sha1: bool,
    /// Drift learned on acceptance is thrown away.
    pub danger_forget_drift: bool,
    /// Resync accepts two valid codes that are not consecutive.
    pub danger_resync_non_consecutive: bool,
    /// Hardware tokens bind for accounts not on the beta list.
    pub danger_skip_beta_check: bool,
    /// A serial already bound to one account binds to another too.
    pub danger_allow_shared_serial: bool,
    /// Failures are counted by reading the count, checking the code with the lock released,
    /// then writing the count read plus one: parallel guesses overwrite each other's counts
    /// (privacyIDEA 3.14's lost failcounter updates, servers/privacyidea/API.md finding 1).
    pub danger_racy_failure_count: bool,
    /// An SMS code answers any open challenge of its user, not only the one it was sent for
    /// (privacyIDEA 3.14 accepts it without its transaction, API.md finding 6).
    pub danger_sms_code_not_tied_to_challenge: bool,
    /// A locked account's codes are still checked, and only a right one is answered "locked
    /// out": the answer tells a guesser which guess was right.
    pub danger_locked_codes_still_checked: bool,
    /// Resync records the step after the second code as used, so the user's next code is
    /// refused (privacyIDEA 3.14, API.md finding 9).
    pub danger_resync_burns_next_code: bool,
    /// Importing a serial already in the inventory replaces its seed, also for the account
    /// it is bound to (privacyIDEA 3.14, API.md finding 5).
    pub danger_reimport_replaces_seed: bool,
}
