//! Sign-in, operations and the challenges that guard them: what a guarded action asks for,
//! sending SMS codes, answering, and running the action once every check passed.

use rand::{Rng, RngExt};

use super::ReferenceError;
use super::audit::AuditKind;
use super::binding::ISSUER;
use super::lifetime;
use super::service::Service;
use super::state::{Action, Challenge, SmsCode, State};
use crate::clock::SimTime;
use crate::protocol::{
    ChallengeId, DeviceKind, Method, MethodSet, Operation, RejectReason, SessionId, SmsMessage, Verdict,
};

impl Service {
    /// Logs in with a password from `origin` (a location label; a new origin for a user with
    /// operation protection is an account anomaly). Answers `Accepted` with a session,
    /// `ChallengeRequired`, `BindingOpen` (login protection without a bound method:
    /// redirect to binding) or `Rejected`.
    ///
    /// # Errors
    /// [`ReferenceError::UnknownUser`].
    pub fn login(
        &self,
        user: &str,
        password: &str,
        origin: &str,
        now: SimTime,
    ) -> Result<Verdict, ReferenceError> {
        if let Some(verdict) = self.check_password(user, password, now)? {
            return Ok(verdict);
        }
        let mut st = self.lock();
        let u = st.user(user)?;
        let anomaly = !u.origins.is_empty() && !u.origins.contains(origin);
        let required = if !u.login.is_empty() {
            u.login
        } else if anomaly {
            u.operation
        } else {
            MethodSet::NONE
        };
        Ok(self.protect(&mut st, user, required, Action::Login { origin: origin.to_owned() }, now))
    }

    /// Runs an operation for a session. Sensitive operations under operation protection
    /// answer `ChallengeRequired` (or `BindingOpen` if no method is bound).
    ///
    /// # Errors
    /// [`ReferenceError::UnknownSession`].
    pub fn perform(
        &self,
        session: SessionId,
        operation: Operation,
        now: SimTime,
    ) -> Result<Verdict, ReferenceError> {
        let mut st = self.lock();
        let user = st.session_user(session)?;
        let required = if operation.is_sensitive() { st.user(&user)?.operation } else { MethodSet::NONE };
        Ok(self.protect(&mut st, &user, required, Action::Operation(operation), now))
    }

    /// Asks for an SMS code for a challenge (sent to the bound phone through the gateway).
    ///
    /// # Errors
    /// [`ReferenceError::UnknownChallenge`].
    pub fn request_sms(&self, challenge: ChallengeId, now: SimTime) -> Result<Verdict, ReferenceError> {
        let mut st = self.lock();
        let ch = st.challenges.get(&challenge).ok_or(ReferenceError::UnknownChallenge)?;
        if lifetime::ended(ch.expires_at, now) {
            st.challenges.remove(&challenge);
            return Ok(Verdict::rejected(RejectReason::Expired));
        }
        if !ch.methods.contains(Method::Sms) {
            return Ok(Verdict::rejected(RejectReason::MethodNotOffered));
        }
        let interval = self.policy.sms_resend_interval;
        if ch
            .sms
            .as_ref()
            .is_some_and(|s| s.sent_at.checked_add(interval).is_none_or(|at| !lifetime::ended(at, now)))
        {
            return Ok(Verdict::rejected(RejectReason::Throttled));
        }
        let user = ch.user.clone();
        let Some(phone) = st.user(&user)?.phone.clone() else {
            return Ok(Verdict::rejected(RejectReason::NotBound));
        };
        let code = format!("{:06}", st.sms_codes.random_range(0..1_000_000u32));
        let minutes = self.policy.sms_validity.as_secs().div_ceil(60);
        let text = format!("Your {ISSUER} verification code is {code}. It expires in {minutes} minutes.");
        if let Some(ch) = st.challenges.get_mut(&challenge) {
            ch.sms = Some(SmsCode { code: code.clone(), sent_at: now, attempts: 0, used: false });
        }
        st.audit(now, &user, AuditKind::SmsSent);
        self.gateway.send(SmsMessage { phone, text, code, sent_at: now });
        Ok(Verdict::SmsSent)
    }

    /// Answers a challenge: an SMS code, a code from the bound virtual or hardware device, or
    /// the password where an identity check offers it. Success completes what the challenge
    /// guarded (a login returns its session; an identity check opens the binding; an
    /// unbinding's code removes the device).
    ///
    /// # Errors
    /// [`ReferenceError::UnknownChallenge`] (also for a confirmation box: confirm it instead).
    pub fn answer_challenge(
        &self,
        challenge: ChallengeId,
        method: Method,
        code: &str,
        now: SimTime,
    ) -> Result<Verdict, ReferenceError> {
        let mut st = self.lock();
        let ch = st.challenges.get(&challenge).ok_or(ReferenceError::UnknownChallenge)?;
        if matches!(ch.action, Action::ConfirmUnbind { .. }) {
            return Err(ReferenceError::UnknownChallenge);
        }
        if lifetime::ended(ch.expires_at, now) {
            st.challenges.remove(&challenge);
            return Ok(Verdict::rejected(RejectReason::Expired));
        }
        let user = ch.user.clone();
        if !ch.methods.contains(method) {
            return Ok(Verdict::rejected(RejectReason::MethodNotOffered));
        }
        let dangers = &self.policy.dangers;
        let account = st.user(&user)?;
        let (locked, failures_seen) = (self.is_locked(account, now), account.failures);
        if locked && !dangers.danger_locked_codes_still_checked {
            return Ok(Verdict::rejected(RejectReason::LockedOut));
        }
        if dangers.danger_racy_failure_count {
            // Let parallel answers read the same count, as a check-then-write without a lock
            // or conditional update does.
            drop(st);
            std::thread::yield_now();
            st = self.lock();
        }
        let outcome = match method {
            Method::Sms => self.check_sms(&mut st, challenge, code, now),
            Method::Password => {
                // The hash runs outside the lock, as at sign-in.
                let hash = st.user(&user)?.password.clone();
                drop(st);
                let ok = hash.verify(code);
                st = self.lock();
                if ok { Ok(()) } else { Err(RejectReason::WrongPassword) }
            }
            device_method => match DeviceKind::answering(device_method) {
                Some(kind) => {
                    let (guard, outcome) = self.verify_totp(st, &user, kind, code, now);
                    st = guard;
                    outcome
                }
                // A method no device answers is never accepted.
                None => Err(RejectReason::MethodNotOffered),
            },
        };
        if let Err(reason) = outcome {
            if dangers.danger_racy_failure_count
                && let Some(u) = st.users.get_mut(&user)
            {
                // The lost update: the count written is the one read before the check.
                u.failures = failures_seen;
            }
            return Ok(self.fail(&mut st, &user, reason, now));
        }
        if locked {
            // Only under danger_locked_codes_still_checked: the right code is the one told
            // "locked out".
            return Ok(Verdict::rejected(RejectReason::LockedOut));
        }
        // The challenge may have been answered by a racing request meanwhile.
        let Some(ch) = st.challenges.get_mut(&challenge) else {
            return Ok(Verdict::rejected(RejectReason::Expired));
        };
        ch.satisfied = ch.satisfied.with(method);
        if self.policy.dangers.danger_require_all_methods && !ch.satisfied.covers(ch.methods) {
            let remaining = ch.methods.iter().filter(|m| !ch.satisfied.contains(*m)).collect();
            return Ok(Verdict::ChallengeRequired { challenge, methods: remaining });
        }
        let Some(ch) = st.challenges.remove(&challenge) else {
            return Ok(Verdict::rejected(RejectReason::Expired));
        };
        Ok(self.complete(&mut st, &user, ch.action, now))
    }

    /// Decides what guarding `action` with `required` methods means for `user`: done,
    /// challenge, or redirect to binding.
    pub(super) fn protect(
        &self,
        st: &mut State,
        user: &str,
        required: MethodSet,
        action: Action,
        now: SimTime,
    ) -> Verdict {
        if required.is_empty() {
            return self.complete(st, user, action, now);
        }
        let Some(u) = st.users.get(user) else { return Verdict::rejected(RejectReason::NotBound) };
        let bound = u.bound_methods();
        let mut methods = required.intersect(bound);
        if methods.is_empty() {
            methods = bound;
        }
        if methods.is_empty() {
            if self.policy.dangers.danger_no_redirect_to_binding {
                return self.complete(st, user, action, now);
            }
            // Baidu redirects to binding a virtual MFA device, which the sign-in page can
            // enrol on the spot.
            return self.open_binding(st, user, DeviceKind::Virtual, Some(action), now);
        }
        self.challenge(st, user, methods, action, now)
    }

    /// Opens a challenge for `action` answerable by `methods`.
    pub(super) fn challenge(
        &self,
        st: &mut State,
        user: &str,
        methods: MethodSet,
        action: Action,
        now: SimTime,
    ) -> Verdict {
        let challenge = self.open_prompt(st, user, methods, action, now);
        Verdict::ChallengeRequired { challenge, methods }
    }

    /// Records an open prompt (a challenge or, with no methods, a confirmation box).
    pub(super) fn open_prompt(
        &self,
        st: &mut State,
        user: &str,
        methods: MethodSet,
        action: Action,
        now: SimTime,
    ) -> ChallengeId {
        let id = ChallengeId(st.ids.next_u64());
        let expires_at = self.prompt_expiry(now);
        let challenge = Challenge {
            user: user.to_owned(),
            action,
            methods,
            satisfied: MethodSet::NONE,
            expires_at,
            sms: None,
        };
        st.challenges.insert(id, challenge);
        id
    }

    /// When a challenge or binding opened at `now` stops waiting for its answer.
    pub(super) fn prompt_expiry(&self, now: SimTime) -> SimTime {
        now.checked_add(self.policy.challenge_validity).unwrap_or(now)
    }

    /// Runs a guarded action once every check passed.
    pub(super) fn complete(&self, st: &mut State, user: &str, action: Action, now: SimTime) -> Verdict {
        self.succeed(st, user);
        match action {
            Action::Login { origin } => {
                let id = SessionId(st.ids.next_u64());
                st.sessions.insert(id, user.to_owned());
                if let Some(u) = st.users.get_mut(user) {
                    u.origins.insert(origin);
                }
                st.audit(now, user, AuditKind::LoginSucceeded);
                Verdict::Accepted { session: Some(id) }
            }
            Action::Operation(operation) => {
                st.audit(now, user, AuditKind::OperationPerformed { operation });
                Verdict::Accepted { session: None }
            }
            Action::OpenBinding { kind } => match self.binding_refusal(st, user, kind) {
                Ok(Some(refusal)) => refusal,
                Ok(None) => self.open_binding(st, user, kind, None, now),
                Err(_) => Verdict::rejected(RejectReason::NotBound),
            },
            Action::ConfirmUnbind { kind } | Action::Unbind { kind } => {
                st.release(user, kind);
                st.audit(now, user, AuditKind::DeviceUnbound { kind });
                Verdict::Accepted { session: None }
            }
            Action::SetProtection { target, scope, methods, by_admin } => {
                st.apply_protection(user, &target, scope, methods, by_admin, now);
                Verdict::Accepted { session: None }
            }
        }
    }
}
