//! Invariants of the reference service under random inputs (proptest): a (device, step) is
//! never accepted twice; no binding without valid codes; unbinding a virtual device always
//! needs a valid current code; a non-admin IAM user never changes another user's settings;
//! lockout engages after the configured number of failures.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use mfa_harness::clock::{DEFAULT_EPOCH, SimTime};
use mfa_harness::otp::{OtpAuthUri, Totp, UriKind};
use mfa_harness::protocol::{
    DeviceKind, Method, MethodSet, NewUser, RejectReason, Role, Scope, SessionId, Verdict,
};
use mfa_harness::reference::{Policy, Service, SmsOutbox};
use proptest::prelude::*;

struct World {
    service: Service,
    outbox: Arc<SmsOutbox>,
    now: SimTime,
}

impl World {
    fn new(policy: Policy) -> Self {
        let outbox = Arc::new(SmsOutbox::new());
        World { service: Service::new(policy, 5, outbox.clone()), outbox, now: DEFAULT_EPOCH }
    }

    /// Turns on login protection by TOTP for the session's root (answering an SMS challenge if asked).
    fn protect_login(&self, s: SessionId) {
        let v = self
            .service
            .set_protection(s, "alice", Scope::Login, MethodSet::of(&[Method::VirtualMfa]), self.now)
            .unwrap();
        // Strengthening needs no second factor; a challenge here would be the SMS default.
        let Verdict::ChallengeRequired { challenge, .. } = v else {
            assert!(v.is_accepted(), "{v:?}");
            return;
        };
        self.service.request_sms(challenge, self.now).unwrap();
        let code = self.outbox.drain().pop().unwrap().code;
        assert!(
            self.service.answer_challenge(challenge, Method::Sms, &code, self.now).unwrap().is_accepted()
        );
    }

    fn add(&self, name: &str, role: Role) {
        let new = NewUser { name: name.into(), password: "pw".into(), role };
        self.service.create_user(new, self.now).unwrap();
        self.service.set_phone(name, Some("+1".into())).unwrap();
    }

    fn session(&self, name: &str) -> SessionId {
        match self.service.login(name, "pw", "here", self.now).unwrap() {
            Verdict::Accepted { session: Some(s) } => s,
            other => panic!("{other:?}"),
        }
    }

    /// Opens a virtual binding for `name`; returns it and the app.
    fn open(&self, s: SessionId) -> (mfa_harness::protocol::BindingId, Totp) {
        let Verdict::ChallengeRequired { challenge, .. } =
            self.service.start_binding(s, DeviceKind::Virtual, self.now).unwrap()
        else {
            panic!("binding starts with an identity check")
        };
        let Verdict::BindingOpen { binding, enrolment: Some(e), .. } =
            self.service.answer_challenge(challenge, Method::Password, "pw", self.now).unwrap()
        else {
            panic!()
        };
        let uri = OtpAuthUri::parse(&e.uri).unwrap();
        let UriKind::Totp { period } = uri.kind else { panic!() };
        (binding, Totp::new(&uri.secret, uri.algorithm, uri.digits, period, 0))
    }

    fn bound(&mut self, name: &str) -> (SessionId, Totp) {
        let s = self.session(name);
        let (b, totp) = self.open(s);
        let t = self.now.unix_secs();
        let (a, c) = (totp.code_at(t - 30).unwrap().to_string(), totp.code_at(t).unwrap().to_string());
        assert!(self.service.finish_virtual_binding(b, &a, &c, self.now).unwrap().is_accepted());
        (s, totp)
    }
}

fn six_digits() -> impl Strategy<Value = String> {
    (0u32..1_000_000).prop_map(|v| format!("{v:06}"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn a_device_step_is_never_accepted_twice(moves in prop::collection::vec((0u64..70, -2i64..=2), 1..25)) {
        let mut w = World::new(Policy { lockout_threshold: 1_000, ..Policy::for_tests() });
        w.add("alice", Role::Root);
        let bound_at = w.now.unix_secs();
        let (s, totp) = w.bound("alice");
        // The binding used the previous and the current step.
        let mut accepted: BTreeSet<_> =
            [bound_at - 30, bound_at].iter().map(|&t| totp.step_at(t).unwrap()).collect();
        w.protect_login(s);
        for (wait, offset) in moves {
            w.now += Duration::from_secs(wait);
            let Verdict::ChallengeRequired { challenge, .. } = w.service.login("alice", "pw", "here", w.now).unwrap()
            else { panic!("login protection asks for a code") };
            let t = w.now.unix_secs().saturating_add_signed(offset * 30);
            let code = totp.code_at(t).unwrap().to_string();
            if w.service.answer_challenge(challenge, Method::VirtualMfa, &code, w.now).unwrap().is_accepted() {
                let step = totp.step_at(t).unwrap();
                prop_assert!(accepted.insert(step), "step {:?} accepted twice", step);
            }
        }
    }

    #[test]
    fn no_binding_without_valid_consecutive_codes(a in six_digits(), b in six_digits(), wait in 0u64..120) {
        let mut w = World::new(Policy::for_tests());
        w.add("alice", Role::Root);
        w.now += Duration::from_secs(wait);
        let s = w.session("alice");
        let (binding, totp) = w.open(s);
        let t = w.now.unix_secs();
        let valid: Vec<(String, String)> = [t - 60, t - 30, t]
            .iter()
            .map(|&x| (totp.code_at(x).unwrap().to_string(), totp.code_at(x + 30).unwrap().to_string()))
            .collect();
        prop_assume!(!valid.contains(&(a.clone(), b.clone())));
        prop_assert!(!w.service.finish_virtual_binding(binding, &a, &b, w.now).unwrap().is_accepted());
    }

    #[test]
    fn unbinding_a_virtual_device_always_needs_a_valid_current_code(code in six_digits(), wait in 30u64..300) {
        let mut w = World::new(Policy::for_tests());
        w.add("alice", Role::Root);
        let (s, totp) = w.bound("alice");
        w.now += Duration::from_secs(wait);
        let t = w.now.unix_secs();
        let window: Vec<String> = [t - 30, t, t + 30].iter().map(|&x| totp.code_at(x).unwrap().to_string()).collect();
        prop_assume!(!window.contains(&code));
        let Verdict::ConfirmRequired { challenge } = w.service.start_unbinding(s, DeviceKind::Virtual, w.now).unwrap()
        else { panic!("unbinding starts with a confirmation box") };
        let Verdict::ChallengeRequired { challenge, .. } = w.service.confirm(challenge, w.now).unwrap()
        else { panic!("confirming asks for the device's code") };
        prop_assert!(!w.service.answer_challenge(challenge, Method::VirtualMfa, &code, w.now).unwrap().is_accepted());
        prop_assert!(w.service.account("alice").unwrap().virtual_bound);
    }

    #[test]
    fn a_non_admin_iam_user_never_changes_another_users_settings(
        target in 0usize..4, login in any::<bool>(), methods in prop::collection::vec(0usize..3, 0..3)
    ) {
        let w = World::new(Policy::for_tests());
        w.add("root", Role::Root);
        w.add("other-root", Role::Root);
        for name in ["bob", "carol"] {
            w.add(name, Role::Iam { root: "root".into() });
        }
        w.add("admin", Role::IamAdmin { root: "root".into() });
        let names = ["root", "other-root", "carol", "admin"];
        let s = w.session("bob");
        let scope = if login { Scope::Login } else { Scope::Operation };
        let all = [Method::Sms, Method::VirtualMfa, Method::HardwareMfa];
        let methods: MethodSet = methods.into_iter().map(|i| all[i]).collect();
        let before = w.service.account(names[target]).unwrap();
        let v = w.service.set_protection(s, names[target], scope, methods, w.now).unwrap();
        prop_assert_eq!(v, Verdict::rejected(RejectReason::NotAllowed));
        prop_assert_eq!(w.service.account(names[target]).unwrap(), before);
    }

    #[test]
    fn lockout_engages_after_the_configured_failures(threshold in 1u32..15) {
        let mut w = World::new(Policy { lockout_threshold: threshold, ..Policy::for_tests() });
        w.add("alice", Role::Root);
        for _ in 0..threshold {
            let v = w.service.login("alice", "wrong", "here", w.now).unwrap();
            prop_assert_eq!(v, Verdict::rejected(RejectReason::WrongPassword));
        }
        let v = w.service.login("alice", "pw", "here", w.now).unwrap();
        prop_assert_eq!(v, Verdict::rejected(RejectReason::LockedOut));
        w.now += w.service.policy().lockout_duration;
        prop_assert!(w.service.login("alice", "pw", "here", w.now).unwrap().is_accepted());
    }
}
