//! The study's rules against the reference service's own code: window acceptance, replay
//! guard and drift learning against [`DeviceState`] (lookup, fresh, record, as the service
//! verifies a code), resync against [`DeviceState::resync_search`], and lockout against the
//! service's failure counter, each under random policies including the dangers that change
//! the rule.

use std::sync::Arc;
use std::time::Duration;

use proptest::prelude::*;

use super::*;
use crate::clock::SimTime;
use crate::otp::{Algorithm, Digits, Period, Secret, Step};
use crate::protocol::{NewUser, RejectReason, Role, Verdict};
use crate::reference::device::{DeviceState, Lookup};
use crate::reference::{Dangers, Service, SmsOutbox};

const PERIOD: u64 = 30;

#[test]
fn defaults_are_the_reference_policy() {
    let p = StudyPolicy::default();
    assert_eq!(p.reference, Policy::default());
    assert_eq!(p.window(), Window::symmetric(1));
    assert!(p.tracks_drift());
}

#[test]
fn window_is_centred_on_the_learned_drift() {
    let p = StudyPolicy::default();
    let state = TokenState { drift: 5, last_step: None };
    let c = p.center(&state, 100);
    assert_eq!(p.analytic_match(c, 106), Some(106));
    assert_eq!(p.analytic_match(c, 104), Some(104));
    assert_eq!(p.analytic_match(c, 103), None);
    assert_eq!(p.analytic_match(c, 107), None);
}

#[test]
fn accepted_offset_is_learned_only_within_the_bound() {
    let p = StudyPolicy::default();
    let mut s = TokenState::default();
    assert_eq!(p.decide(&mut s, 100, Some(101)), Check::Accepted { step: 101 });
    assert_eq!(s.drift, 1);
    let mut far = TokenState::default();
    p.decide(&mut far, 100, Some(120));
    assert_eq!(far.drift, 0, "20 steps is beyond max_drift_steps");
    let off = StudyPolicy::from(Policy { max_drift_steps: 0, ..Policy::default() });
    assert!(!off.tracks_drift());
    let mut s2 = TokenState::default();
    off.decide(&mut s2, 100, Some(101));
    assert_eq!(s2.drift, 0);
}

#[test]
fn replayed_step_is_rejected() {
    let p = StudyPolicy::default();
    let mut s = TokenState::default();
    p.decide(&mut s, 100, Some(100));
    assert_eq!(p.decide(&mut s, 100, Some(100)), Check::Replayed);
    assert_eq!(p.decide(&mut s, 100, Some(99)), Check::Replayed);
}

#[test]
fn resync_learns_the_second_codes_offset_within_reach_only() {
    let p = StudyPolicy::from(Policy { resync_steps: 50, ..Policy::default() });
    let mut s = TokenState::default();
    assert!(p.resync(&mut s, 1000, 1040));
    assert_eq!((s.drift, s.last_step), (41, Some(1041)));
    assert!(!p.resync(&mut s, 1000, 1050), "the second code, 1051, is out of reach");
}

#[test]
fn the_threshold_failure_locks_for_the_duration() {
    let p = StudyPolicy::from(Policy { lockout_threshold: 2, ..Policy::default() });
    let mut lock = Lock::default();
    assert!(!p.fail(&mut lock, 1_000));
    assert!(p.fail(&mut lock, 2_000));
    assert!(p.is_locked(&lock, 2_000 + 899_999));
    assert!(!p.is_locked(&lock, 2_000 + 900_000));
}

/// A reference policy with the verification settings and the dangers that change them drawn
/// at random.
fn policies() -> impl Strategy<Value = Policy> {
    (0u64..=3, 0u64..=3, 0u64..=4, 1u64..=8, proptest::array::uniform3(any::<bool>())).prop_map(
        |(behind, ahead, max_drift_steps, resync_steps, d)| Policy {
            window: Window { behind, ahead },
            max_drift_steps,
            resync_steps,
            dangers: Dangers {
                danger_forward_only_window: d[0],
                danger_forget_drift: d[1],
                danger_allow_replay: d[2],
                ..Dangers::default()
            },
            ..Policy::for_tests()
        },
    )
}

fn device(policy: &Policy, key: u8) -> DeviceState {
    let secret = Secret::from_bytes(vec![key; 20]).unwrap();
    DeviceState::new(&secret, Algorithm::Sha1, Digits::EIGHT, Period::THIRTY_SECONDS, 0, &policy.dangers)
}

/// Some time inside step `step`.
fn during(step: u64) -> SimTime {
    SimTime::from_unix_secs(step * PERIOD + 11)
}

proptest! {
    /// Login by login, the study accepts, refuses as replayed or refuses as outside the
    /// window exactly when the reference does, and learns the same drift and last step.
    /// (Analytic lookup leaves out chance code collisions; with 8 digits a case meeting one is
    /// discarded.)
    #[test]
    fn verification_matches_the_reference(
        policy in policies(),
        key in any::<u8>(),
        logins in proptest::collection::vec((0u64..=2, -6i64..=6), 1..40),
    ) {
        let study = StudyPolicy::from(policy.clone());
        let mut reference = device(&policy, key);
        let mut state = TokenState::default();
        let mut now_step = 1_000_000;
        for (gap, offset) in logins {
            now_step += gap;
            let device_step = now_step.checked_add_signed(offset).unwrap();
            let code = reference.code_for(Step(device_step));
            let expected = match reference.lookup(&code, during(now_step), &policy) {
                Lookup::Found { step, offset } => {
                    prop_assume!(step.0 == device_step, "chance collision with step {}", step.0);
                    if reference.fresh(step, &policy.dangers) {
                        reference.record(step, offset, &policy);
                        Check::Accepted { step: step.0 }
                    } else {
                        Check::Replayed
                    }
                }
                Lookup::Missing => Check::OutsideWindow,
            };
            let matched = study.analytic_match(study.center(&state, now_step), device_step);
            prop_assert_eq!(study.decide(&mut state, now_step, matched), expected);
            prop_assert_eq!(state.drift, reference.drift);
            prop_assert_eq!(state.last_step, reference.last_step.map(|s| s.0));
        }
    }

    /// A resync with two consecutive codes succeeds exactly when the reference's search
    /// finds them, and then records the second code's step and offset as the service does.
    #[test]
    fn resync_matches_the_reference_search(
        policy in policies(),
        key in any::<u8>(),
        offset in -10i64..=10,
        last_behind in 0u64..=3,
    ) {
        let study = StudyPolicy::from(policy.clone());
        let reference = device(&policy, key);
        let now_step = 1_000_000u64;
        let first = now_step.checked_add_signed(offset).unwrap();
        let (a, b) = (reference.code_for(Step(first)), reference.code_for(Step(first + 1)));
        prop_assume!(a != b);
        let found = reference.resync_search(&a, &b, during(now_step), &policy);
        prop_assume!(found.is_none_or(|s| s.0 == first + 1), "chance match at {:?}", found);
        // The service refuses a found step the replay guard has passed.
        let last = first.saturating_sub(last_behind);
        let expected = found.filter(|&s| policy.dangers.danger_allow_replay || s.0 > last);
        let mut state = TokenState { drift: 3, last_step: Some(last) };
        prop_assert_eq!(study.resync(&mut state, now_step, first), expected.is_some());
        if let Some(second) = expected {
            let drift = if policy.dangers.danger_forget_drift { 3 } else { second.minus(Step(now_step)) };
            prop_assert_eq!((state.drift, state.last_step), (drift, Some(second.0)));
        }
    }

    /// Failure by failure, the study's lock is the reference service's: the same failure
    /// count, the same lock expiry, the same locked answer, with and without the lockout
    /// dangers.
    #[test]
    fn lockout_matches_the_reference(
        threshold in 0u32..=4,
        minutes in 1u64..=20,
        no_lockout in any::<bool>(),
        never_resets in any::<bool>(),
        attempts in proptest::collection::vec((0u64..=400, any::<bool>()), 1..30),
    ) {
        let policy = Policy {
            lockout_threshold: threshold,
            lockout_duration: Duration::from_secs(60 * minutes),
            dangers: Dangers {
                danger_no_lockout: no_lockout,
                danger_lockout_never_resets: never_resets,
                ..Dangers::default()
            },
            ..Policy::for_tests()
        };
        let study = StudyPolicy::from(policy.clone());
        let service = Service::new(policy, 1, Arc::new(SmsOutbox::new()));
        let mut now = SimTime::from_unix_secs(1_800_000_000).unix_millis();
        let user = NewUser { name: "alice".into(), password: "pw".into(), role: Role::Root };
        service.create_user(user, SimTime::from_unix_millis(now)).unwrap();
        let mut lock = Lock::default();
        for (gap_secs, right) in attempts {
            now += gap_secs * 1000;
            let at = SimTime::from_unix_millis(now);
            let verdict = service.login("alice", if right { "pw" } else { "wrong" }, "office", at).unwrap();
            if study.is_locked(&lock, now) {
                prop_assert_eq!(verdict, Verdict::rejected(RejectReason::LockedOut));
            } else if right {
                prop_assert!(matches!(verdict, Verdict::Accepted { .. }), "{:?}", verdict);
                study.succeed(&mut lock);
            } else {
                study.fail(&mut lock, now);
            }
            let account = service.account("alice").unwrap();
            prop_assert_eq!(lock.failures, account.failures);
            prop_assert_eq!(lock.locked_until, account.locked_until.map(SimTime::unix_millis));
        }
    }
}
