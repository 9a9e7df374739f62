//! The reference MFA service: accounts, protections, binding, verification with replay guard,
//! drift and lockout, SMS challenges, resync and the audit log. One `Mutex` guards the whole
//! state, so every check-and-record (replay guard, lockout count, SMS single use) is atomic;
//! password hashing and resync searches run outside it.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use rand::{Rng, RngExt};
use rand_chacha::ChaCha12Rng;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use super::ReferenceError;
use super::audit::{AuditEvent, AuditKind};
use super::device::{DeviceState, Lookup};
use super::password::PasswordHash;
use super::policy::Policy;
use super::randomness::Randomness;
use super::sms::SmsGateway;
use crate::clock::SimTime;
use crate::otp::{Algorithm, Digits, OtpAuthUri, Period, Secret};
use crate::protocol::SmsMessage;
use crate::protocol::{
    BindingId, ChallengeId, DeviceKind, Enrolment, Method, MethodSet, NewUser, Operation, RejectReason, Role,
    Scope, SessionId, SetupDevice, Verdict,
};
use crate::provision::TokenSeed;

/// Issuer named in enrolment URIs.
pub const ISSUER: &str = "mfa-harness";

/// A read-only view of an account (no secrets), for tests, scenarios and the admin API.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountState {
    /// Login name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Bound phone.
    pub phone: Option<String>,
    /// On the hardware beta list.
    pub beta: bool,
    /// Login protection methods.
    pub login: MethodSet,
    /// Operation protection methods.
    pub operation: MethodSet,
    /// A virtual device is bound.
    pub virtual_bound: bool,
    /// The bound hardware token's serial.
    pub hardware_serial: Option<String>,
    /// Learned drift of the virtual device, in steps.
    pub virtual_drift: Option<i64>,
    /// Learned drift of the hardware device, in steps.
    pub hardware_drift: Option<i64>,
    /// Consecutive failures so far.
    pub failures: u32,
    /// The account is locked until this time.
    pub locked_until: Option<SimTime>,
}

/// The reference MFA service. All methods take `&self` and the time they happen at; share it
/// across threads with `Arc`.
pub struct Service {
    policy: Policy,
    randomness: Randomness,
    gateway: Arc<dyn SmsGateway>,
    state: Mutex<State>,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service").field("policy", &self.policy).field("randomness", &self.randomness).finish()
    }
}

impl Service {
    /// A service with `policy`, deterministic randomness from `seed` (ids, salts, secrets,
    /// SMS codes each get their own ChaCha stream) and SMS delivery through `gateway`.
    pub fn new(policy: Policy, seed: u64, gateway: Arc<dyn SmsGateway>) -> Self {
        Service::with_randomness(policy, Randomness::Seeded(seed), gateway)
    }

    /// A service whose ids, salts, secrets and SMS codes come from `randomness`:
    /// [`Randomness::Os`] for a server real users sign in to.
    pub fn with_randomness(policy: Policy, randomness: Randomness, gateway: Arc<dyn SmsGateway>) -> Self {
        let state = Mutex::new(State::new(randomness, policy.audit_capacity));
        Service { policy, randomness, gateway, state }
    }

    /// The policy in force.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Forgets every account, token, session and event. Seeded random streams restart;
    /// operating-system ones are drawn afresh, so ids and secrets do not start over.
    pub fn reset(&self) {
        *self.lock() = State::new(self.randomness, self.policy.audit_capacity);
    }

    /// Provisions an account. A root account starts with operation protection by SMS (Baidu:
    /// "The root account enables operation protection via SMS authentication by default").
    ///
    /// # Errors
    /// [`ReferenceError::DuplicateUser`], [`ReferenceError::UnknownRoot`] (an IAM user's root
    /// must exist and be a root), [`ReferenceError::InvalidField`] for an empty name or password.
    pub fn create_user(&self, new: NewUser, now: SimTime) -> Result<(), ReferenceError> {
        if new.name.is_empty() || new.password.is_empty() {
            return Err(ReferenceError::InvalidField("name and password must not be empty"));
        }
        let mut st = self.lock();
        if st.users.contains_key(&new.name) {
            return Err(ReferenceError::DuplicateUser(new.name));
        }
        if let Role::Iam { root } | Role::IamAdmin { root } = &new.role
            && !st.users.get(root).is_some_and(|u| u.role == Role::Root)
        {
            return Err(ReferenceError::UnknownRoot(root.clone()));
        }
        let mut salt = [0u8; 16];
        st.salts.fill_bytes(&mut salt);
        let operation = if new.role == Role::Root { MethodSet::of(&[Method::Sms]) } else { MethodSet::NONE };
        drop(st);
        let password = PasswordHash::new(&new.password, salt, self.policy.password_cost);
        let mut st = self.lock();
        if st.users.contains_key(&new.name) {
            return Err(ReferenceError::DuplicateUser(new.name));
        }
        st.audit(now, &new.name, AuditKind::AccountCreated);
        st.users.insert(
            new.name,
            User {
                role: new.role,
                password,
                phone: None,
                beta: false,
                login: MethodSet::NONE,
                operation,
                virtual_device: None,
                hardware: None,
                failures: 0,
                locked_until: None,
                origins: BTreeSet::new(),
                admin_set: BTreeSet::new(),
            },
        );
        Ok(())
    }

    /// Binds (or, with `None`, removes) the secure phone number of an account (setup).
    ///
    /// # Errors
    /// [`ReferenceError::UnknownUser`].
    pub fn set_phone(&self, user: &str, phone: Option<String>) -> Result<(), ReferenceError> {
        self.lock().user_mut(user)?.phone = phone;
        Ok(())
    }

    /// Puts an account on (or off) the hardware MFA beta list (setup).
    ///
    /// # Errors
    /// [`ReferenceError::UnknownUser`].
    pub fn set_beta(&self, user: &str, on: bool) -> Result<(), ReferenceError> {
        self.lock().user_mut(user)?.beta = on;
        Ok(())
    }

    /// Binds a device without any of its codes (setup): a virtual device holding `secret` as
    /// consoles issue them (SHA1, 6 digits, 30 s), or an imported, unbound hardware token.
    ///
    /// # Errors
    /// [`ReferenceError::UnknownUser`]; [`ReferenceError::InvalidField`] for a serial not in
    /// the inventory, bound elsewhere, or a device kind already bound.
    pub fn provision_device(
        &self,
        user: &str,
        device: &SetupDevice,
        now: SimTime,
    ) -> Result<(), ReferenceError> {
        let mut st = self.lock();
        let d = &self.policy.dangers;
        match device {
            SetupDevice::Virtual { secret } => {
                let state =
                    DeviceState::new(secret, Algorithm::Sha1, Digits::SIX, Period::THIRTY_SECONDS, 0, d);
                let u = st.user_mut(user)?;
                if u.virtual_device.is_some() {
                    return Err(ReferenceError::InvalidField("a virtual MFA device is already bound"));
                }
                u.virtual_device = Some(state);
            }
            SetupDevice::Hardware { serial } => {
                let token = st
                    .inventory
                    .get(serial)
                    .ok_or(ReferenceError::InvalidField("serial not in the inventory"))?;
                if token.bound_to.is_some() {
                    return Err(ReferenceError::InvalidField("serial already bound"));
                }
                let seed = &token.seed;
                let state =
                    DeviceState::new(&seed.secret, seed.algorithm, seed.digits, seed.period, seed.t0, d);
                let u = st.user_mut(user)?;
                if u.hardware.is_some() {
                    return Err(ReferenceError::InvalidField("a hardware MFA device is already bound"));
                }
                u.hardware = Some((serial.clone(), state));
                if let Some(token) = st.inventory.get_mut(serial) {
                    token.bound_to = Some(user.to_owned());
                }
            }
        }
        let kind = match device {
            SetupDevice::Virtual { .. } => DeviceKind::Virtual,
            SetupDevice::Hardware { .. } => DeviceKind::Hardware,
        };
        let serial = match device {
            SetupDevice::Hardware { serial } => Some(serial.clone()),
            SetupDevice::Virtual { .. } => None,
        };
        st.audit(now, user, AuditKind::DeviceBound { kind, serial });
        Ok(())
    }

    /// Sets an account's protection as an administrator would, with no session (setup).
    ///
    /// # Errors
    /// [`ReferenceError::UnknownUser`].
    pub fn provision_protection(
        &self,
        user: &str,
        scope: Scope,
        methods: MethodSet,
        now: SimTime,
    ) -> Result<(), ReferenceError> {
        let mut st = self.lock();
        let u = st.user_mut(user)?;
        match scope {
            Scope::Login => u.login = methods,
            Scope::Operation => u.operation = methods,
        }
        u.admin_set.insert(scope);
        st.audit(now, user, AuditKind::ProtectionChanged { by: "setup".into(), scope, methods });
        Ok(())
    }

    /// Adds hardware tokens to the inventory (from an OATH CSV or PSKC file). Returns how
    /// many were added.
    ///
    /// # Errors
    /// [`ReferenceError::DuplicateSerial`] if a serial is already in the inventory or twice in
    /// the batch; nothing is added then.
    pub fn import_seeds(&self, seeds: Vec<TokenSeed>) -> Result<usize, ReferenceError> {
        let mut st = self.lock();
        let mut seen = BTreeSet::new();
        for seed in &seeds {
            if st.inventory.contains_key(&seed.serial) || !seen.insert(seed.serial.clone()) {
                return Err(ReferenceError::DuplicateSerial(seed.serial.clone()));
            }
        }
        let n = seeds.len();
        for seed in seeds {
            st.inventory.insert(seed.serial.clone(), InventoryToken { seed, bound_to: None });
        }
        Ok(n)
    }

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

    /// Asks for an SMS code for a challenge (sent to the bound phone through the gateway).
    ///
    /// # Errors
    /// [`ReferenceError::UnknownChallenge`].
    pub fn request_sms(&self, challenge: ChallengeId, now: SimTime) -> Result<Verdict, ReferenceError> {
        let mut st = self.lock();
        let ch = st.challenges.get(&challenge).ok_or(ReferenceError::UnknownChallenge)?;
        if now > ch.expires_at {
            st.challenges.remove(&challenge);
            return Ok(Verdict::rejected(RejectReason::Expired));
        }
        if !ch.methods.contains(Method::Sms) {
            return Ok(Verdict::rejected(RejectReason::MethodNotOffered));
        }
        if ch.sms.as_ref().is_some_and(|s| now.saturating_since(s.sent_at) < self.policy.sms_resend_interval)
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
        if now > ch.expires_at {
            st.challenges.remove(&challenge);
            return Ok(Verdict::rejected(RejectReason::Expired));
        }
        let user = ch.user.clone();
        if !ch.methods.contains(method) {
            return Ok(Verdict::rejected(RejectReason::MethodNotOffered));
        }
        if self.is_locked(st.user(&user)?, now) {
            return Ok(Verdict::rejected(RejectReason::LockedOut));
        }
        let outcome = match method {
            Method::Sms => self.check_sms(&mut st, challenge, code, now),
            Method::VirtualMfa | Method::HardwareMfa => {
                let kind =
                    if method == Method::VirtualMfa { DeviceKind::Virtual } else { DeviceKind::Hardware };
                let (guard, outcome) = self.verify_totp(st, &user, Some(kind), code, now);
                st = guard;
                outcome
            }
            Method::Password => {
                // The hash runs outside the lock, as at sign-in.
                let hash = st.user(&user)?.password.clone();
                drop(st);
                let ok = hash.verify(code);
                st = self.lock();
                if ok { Ok(()) } else { Err(RejectReason::WrongPassword) }
            }
        };
        if let Err(reason) = outcome {
            return Ok(self.fail(&mut st, &user, reason, now));
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

    /// Sets login or operation protection of `target`. Anyone may strengthen their own;
    /// weakening one's own needs a root or admin IAM account; changing another user's needs
    /// the root of that IAM user or an admin IAM user under the same root. Changing settings
    /// is itself a sensitive operation for the actor.
    ///
    /// # Errors
    /// [`ReferenceError::UnknownSession`], [`ReferenceError::UnknownUser`].
    pub fn set_protection(
        &self,
        session: SessionId,
        target: &str,
        scope: Scope,
        methods: MethodSet,
        now: SimTime,
    ) -> Result<Verdict, ReferenceError> {
        let mut st = self.lock();
        let actor = st.session_user(session)?;
        let target_user = st.user(target)?;
        let current = match scope {
            Scope::Login => target_user.login,
            Scope::Operation => target_user.operation,
        };
        let admin_set = target_user.admin_set.contains(&scope);
        let actor_role = st.user(&actor)?.role.clone();
        let weakening = !methods.covers(current);
        let allowed = if actor == target {
            // Anyone may strengthen their own protection (Baidu: "Any Baidu AI Cloud user can
            // enable two-factor authentication for their own accounts"); an IAM user may not
            // weaken what an administrator set.
            !weakening
                || !matches!(actor_role, Role::Iam { .. })
                || !admin_set
                || self.policy.dangers.danger_iam_self_weaken
        } else {
            match &target_user.role {
                Role::Root => false,
                Role::Iam { root } | Role::IamAdmin { root } => {
                    *root == actor || matches!(&actor_role, Role::IamAdmin { root: r } if r == root)
                }
            }
        };
        if !allowed {
            st.audit(now, &actor, AuditKind::AuthenticationFailed { reason: RejectReason::NotAllowed });
            return Ok(Verdict::rejected(RejectReason::NotAllowed));
        }
        // Weakening protection is a sensitive operation for the actor; strengthening is not.
        let required = if weakening { st.user(&actor)?.operation } else { MethodSet::NONE };
        let action =
            Action::SetProtection { target: target.to_owned(), scope, methods, by_admin: actor != target };
        Ok(self.protect(&mut st, &actor, required, action, now))
    }

    /// Starts binding a device. Identity authentication comes first: the answer is a
    /// challenge offering the password and any method already bound. A kind already bound,
    /// or hardware for an account off the beta list, is refused at once.
    ///
    /// # Errors
    /// [`ReferenceError::UnknownSession`].
    pub fn start_binding(
        &self,
        session: SessionId,
        kind: DeviceKind,
        now: SimTime,
    ) -> Result<Verdict, ReferenceError> {
        let mut st = self.lock();
        let user = st.session_user(session)?;
        if let Some(refusal) = self.binding_refusal(&st, &user, kind)? {
            return Ok(refusal);
        }
        let methods = self.bound_methods(st.user(&user)?).with(Method::Password);
        Ok(self.challenge(&mut st, &user, methods, Action::OpenBinding { kind }, now))
    }

    /// Finishes a virtual binding with two consecutive codes from the app. If the binding
    /// came from a login or operation redirect, that secondary authentication completes too.
    ///
    /// # Errors
    /// [`ReferenceError::UnknownBinding`], [`ReferenceError::WrongBindingKind`].
    pub fn finish_virtual_binding(
        &self,
        binding: BindingId,
        first: &str,
        second: &str,
        now: SimTime,
    ) -> Result<Verdict, ReferenceError> {
        let mut st = self.lock();
        let (user, secret) = match self.open_binding_for(&mut st, binding, DeviceKind::Virtual, now)? {
            Ok(found) => found,
            Err(verdict) => return Ok(verdict),
        };
        let Some(secret) = secret else { return Err(ReferenceError::WrongBindingKind) };
        let d = &self.policy.dangers;
        let mut device =
            DeviceState::new(&secret, Algorithm::Sha1, Digits::SIX, Period::THIRTY_SECONDS, 0, d);
        let (Some(a), Some(b)) = (device.parse(first), device.parse(second)) else {
            return Ok(self.fail(&mut st, &user, RejectReason::WrongCode, now));
        };
        if first == second && !d.danger_binding_accepts_repeated_code {
            return Ok(self.fail(&mut st, &user, RejectReason::SameCode, now));
        }
        // The newer code must be in the window and the older one its predecessor.
        let last = match device.lookup(&b, now, &self.policy) {
            Lookup::Found { step, .. }
                if first == second
                    || step.offset(-1).is_some_and(|p| bool::from(device.code_for(p).ct_eq(&a))) =>
            {
                step
            }
            Lookup::Found { step, .. } => match device.lookup(&a, now, &self.policy) {
                Lookup::Found { step: s, .. } if d.danger_binding_accepts_non_consecutive => step.max(s),
                Lookup::Found { .. } => {
                    return Ok(self.fail(&mut st, &user, RejectReason::NotConsecutive, now));
                }
                Lookup::Missing => return Ok(self.fail(&mut st, &user, RejectReason::WrongCode, now)),
            },
            Lookup::Missing => return Ok(self.fail(&mut st, &user, RejectReason::WrongCode, now)),
        };
        let offset = device.step_at(now).map_or(0, |n| last.minus(n));
        device.record(last, offset, &self.policy);
        let pending = st.bindings.remove(&binding);
        let u = st.user_mut(&user)?;
        u.virtual_device = Some(device);
        st.audit(now, &user, AuditKind::DeviceBound { kind: DeviceKind::Virtual, serial: None });
        Ok(self.after_binding(&mut st, &user, pending.and_then(|p| p.then), now))
    }

    /// Finishes a hardware binding with the token's serial and its current code. The serial
    /// must be in the inventory and not bound to another account.
    ///
    /// # Errors
    /// [`ReferenceError::UnknownBinding`], [`ReferenceError::WrongBindingKind`].
    pub fn finish_hardware_binding(
        &self,
        binding: BindingId,
        serial: &str,
        code: &str,
        now: SimTime,
    ) -> Result<Verdict, ReferenceError> {
        let mut st = self.lock();
        let (user, _) = match self.open_binding_for(&mut st, binding, DeviceKind::Hardware, now)? {
            Ok(found) => found,
            Err(verdict) => return Ok(verdict),
        };
        let d = &self.policy.dangers;
        if !st.user(&user)?.beta && !d.danger_skip_beta_check {
            return Ok(Verdict::rejected(RejectReason::NotBeta));
        }
        let Some(token) = st.inventory.get(serial) else {
            return Ok(self.fail(&mut st, &user, RejectReason::UnknownSerial, now));
        };
        if token.bound_to.as_ref().is_some_and(|owner| *owner != user) && !d.danger_allow_shared_serial {
            return Ok(self.fail(&mut st, &user, RejectReason::SerialTaken, now));
        }
        let seed = &token.seed;
        let mut device = DeviceState::new(&seed.secret, seed.algorithm, seed.digits, seed.period, seed.t0, d);
        let Some(code) = device.parse(code) else {
            return Ok(self.fail(&mut st, &user, RejectReason::WrongCode, now));
        };
        let Lookup::Found { step, offset } = device.lookup(&code, now, &self.policy) else {
            return Ok(self.fail(&mut st, &user, RejectReason::WrongCode, now));
        };
        device.record(step, offset, &self.policy);
        if let Some(token) = st.inventory.get_mut(serial) {
            token.bound_to = Some(user.clone());
        }
        let pending = st.bindings.remove(&binding);
        st.user_mut(&user)?.hardware = Some((serial.to_owned(), device));
        st.audit(
            now,
            &user,
            AuditKind::DeviceBound { kind: DeviceKind::Hardware, serial: Some(serial.to_owned()) },
        );
        Ok(self.after_binding(&mut st, &user, pending.and_then(|p| p.then), now))
    }

    /// Starts unbinding a device: a confirmation box comes first ([`Service::confirm`]).
    ///
    /// # Errors
    /// [`ReferenceError::UnknownSession`].
    pub fn start_unbinding(
        &self,
        session: SessionId,
        kind: DeviceKind,
        now: SimTime,
    ) -> Result<Verdict, ReferenceError> {
        let mut st = self.lock();
        let user = st.session_user(session)?;
        if self.device_of(&st, &user, kind)?.is_none() {
            return Ok(Verdict::rejected(RejectReason::NotBound));
        }
        let challenge = ChallengeId(st.ids.next_u64());
        let expires_at = now.checked_add(self.policy.challenge_validity).unwrap_or(now);
        let action = Action::ConfirmUnbind { kind };
        st.challenges.insert(
            challenge,
            Challenge {
                user,
                action,
                methods: MethodSet::NONE,
                satisfied: MethodSet::NONE,
                expires_at,
                sms: None,
            },
        );
        Ok(Verdict::ConfirmRequired { challenge })
    }

    /// Confirms a confirmation box. For an unbinding, the device's owner must then prove
    /// possession: a virtual device asks for its own current code (Baidu: "requires
    /// verification through the currently bound device"); a hardware device asks for its code
    /// or an SMS code (Tencent: "complete the identity authentication").
    ///
    /// # Errors
    /// [`ReferenceError::UnknownChallenge`] for anything but an open confirmation box.
    pub fn confirm(&self, challenge: ChallengeId, now: SimTime) -> Result<Verdict, ReferenceError> {
        let mut st = self.lock();
        let ch = st.challenges.get(&challenge).ok_or(ReferenceError::UnknownChallenge)?;
        let Action::ConfirmUnbind { kind } = ch.action else { return Err(ReferenceError::UnknownChallenge) };
        let (user, expires_at) = (ch.user.clone(), ch.expires_at);
        st.challenges.remove(&challenge);
        if now > expires_at {
            return Ok(Verdict::rejected(RejectReason::Expired));
        }
        if self.policy.dangers.danger_unbind_without_code {
            return Ok(self.complete(&mut st, &user, Action::Unbind { kind }, now));
        }
        let methods = match kind {
            DeviceKind::Virtual => MethodSet::of(&[Method::VirtualMfa]),
            DeviceKind::Hardware => {
                let u = st.user(&user)?;
                let sms = if u.phone.is_some() { MethodSet::of(&[Method::Sms]) } else { MethodSet::NONE };
                sms.with(Method::HardwareMfa)
            }
        };
        Ok(self.challenge(&mut st, &user, methods, Action::Unbind { kind }, now))
    }

    /// Resynchronises a bound device with two consecutive codes searched within
    /// `policy.resync_steps` of now: the learned drift then re-centres the window. It needs no
    /// session, since a device far out of step is what keeps its owner from signing in; the
    /// password comes along instead (and a wrong one counts towards the lockout).
    ///
    /// # Errors
    /// [`ReferenceError::UnknownUser`].
    pub fn resync(
        &self,
        user: &str,
        password: &str,
        kind: DeviceKind,
        first: &str,
        second: &str,
        now: SimTime,
    ) -> Result<Verdict, ReferenceError> {
        if let Some(verdict) = self.check_password(user, password, now)? {
            return Ok(verdict);
        }
        let snapshot = {
            let st = self.lock();
            if self.is_locked(st.user(user)?, now) {
                return Ok(Verdict::rejected(RejectReason::LockedOut));
            }
            self.device_of(&st, user, kind)?
        };
        let Some(device) = snapshot else { return Ok(Verdict::rejected(RejectReason::NotBound)) };
        let found = match (device.parse(first), device.parse(second)) {
            (Some(a), Some(b)) if first != second => device.resync_search(&a, &b, now, &self.policy),
            _ => None,
        };
        let mut st = self.lock();
        let Some(step) = found else { return Ok(self.fail(&mut st, user, RejectReason::WrongCode, now)) };
        let u = st.user_mut(user)?;
        let slot = match kind {
            DeviceKind::Virtual => u.virtual_device.as_mut(),
            DeviceKind::Hardware => u.hardware.as_mut().map(|(_, d)| d),
        };
        let Some(live) = slot else { return Ok(Verdict::rejected(RejectReason::NotBound)) };
        if !live.fresh(step, &self.policy.dangers) {
            return Ok(self.fail(&mut st, user, RejectReason::Replayed, now));
        }
        let drift = live.step_at(now).map_or(0, |n| step.minus(n));
        live.last_step = Some(step);
        if !self.policy.dangers.danger_forget_drift {
            live.drift = drift;
        }
        self.succeed(&mut st, user);
        st.audit(now, user, AuditKind::Resynced { kind, drift });
        Ok(Verdict::Accepted { session: None })
    }

    /// The support path for a lost device: removes `user`'s device of `kind` after a ticket,
    /// and records who, what and when in the audit log.
    ///
    /// # Errors
    /// [`ReferenceError::UnknownUser`], [`ReferenceError::InvalidField`] for an empty ticket.
    pub fn support_reset(
        &self,
        user: &str,
        kind: DeviceKind,
        ticket: &str,
        now: SimTime,
    ) -> Result<Verdict, ReferenceError> {
        if ticket.is_empty() {
            return Err(ReferenceError::InvalidField("ticket must not be empty"));
        }
        let mut st = self.lock();
        if self.device_of(&st, user, kind)?.is_none() {
            return Ok(Verdict::rejected(RejectReason::NotBound));
        }
        self.release(&mut st, user, kind);
        st.audit(now, user, AuditKind::SupportReset { ticket: ticket.to_owned() });
        Ok(Verdict::Accepted { session: None })
    }

    /// A view of an account (no secrets).
    ///
    /// # Errors
    /// [`ReferenceError::UnknownUser`].
    pub fn account(&self, user: &str) -> Result<AccountState, ReferenceError> {
        let st = self.lock();
        let u = st.user(user)?;
        Ok(AccountState {
            name: user.to_owned(),
            role: u.role.clone(),
            phone: u.phone.clone(),
            beta: u.beta,
            login: u.login,
            operation: u.operation,
            virtual_bound: u.virtual_device.is_some(),
            hardware_serial: u.hardware.as_ref().map(|(s, _)| s.clone()),
            virtual_drift: u.virtual_device.as_ref().map(|d| d.drift),
            hardware_drift: u.hardware.as_ref().map(|(_, d)| d.drift),
            failures: u.failures,
            locked_until: u.locked_until,
        })
    }

    /// The audit log, oldest first (the newest `policy.audit_capacity` events).
    pub fn audit_log(&self) -> Vec<AuditEvent> {
        self.lock().audit.iter().cloned().collect()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain data behind; keep serving.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `Some(verdict)` if the password check refused (locked or wrong); `None` if it passed.
    /// The hash runs outside the lock.
    fn check_password(
        &self,
        user: &str,
        password: &str,
        now: SimTime,
    ) -> Result<Option<Verdict>, ReferenceError> {
        let hash = {
            let st = self.lock();
            let u = st.user(user)?;
            if self.is_locked(u, now) {
                return Ok(Some(Verdict::rejected(RejectReason::LockedOut)));
            }
            u.password.clone()
        };
        if hash.verify(password) {
            return Ok(None);
        }
        let mut st = self.lock();
        Ok(Some(self.fail(&mut st, user, RejectReason::WrongPassword, now)))
    }

    fn is_locked(&self, user: &User, now: SimTime) -> bool {
        !self.policy.dangers.danger_no_lockout && user.locked_until.is_some_and(|until| now < until)
    }

    /// Counts a failure, locks the account at the threshold, and answers the rejection.
    fn fail(&self, st: &mut State, user: &str, reason: RejectReason, now: SimTime) -> Verdict {
        let policy = &self.policy;
        let Some(u) = st.users.get_mut(user) else { return Verdict::rejected(reason) };
        u.failures = u.failures.saturating_add(1);
        let lock = !policy.dangers.danger_no_lockout && u.failures >= policy.lockout_threshold;
        if lock {
            u.locked_until = now.checked_add(policy.lockout_duration);
            if !policy.dangers.danger_lockout_never_resets {
                u.failures = 0;
            }
        }
        st.audit(now, user, AuditKind::AuthenticationFailed { reason });
        if lock {
            st.audit(now, user, AuditKind::LockedOut);
        }
        Verdict::rejected(reason)
    }

    fn succeed(&self, st: &mut State, user: &str) {
        if let Some(u) = st.users.get_mut(user)
            && !self.policy.dangers.danger_lockout_never_resets
        {
            u.failures = 0;
        }
    }

    /// Decides what guarding `action` with `required` methods means for `user`: done,
    /// challenge, or redirect to binding.
    fn protect(
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
        let bound = self.bound_methods(u);
        let mut methods = required.intersect(bound);
        if methods.is_empty() {
            methods = bound;
        }
        if methods.is_empty() {
            if self.policy.dangers.danger_no_redirect_to_binding {
                return self.complete(st, user, action, now);
            }
            return self.open_binding(st, user, DeviceKind::Virtual, Some(action), now);
        }
        self.challenge(st, user, methods, action, now)
    }

    /// Opens a challenge for `action` answerable by `methods`.
    fn challenge(
        &self,
        st: &mut State,
        user: &str,
        methods: MethodSet,
        action: Action,
        now: SimTime,
    ) -> Verdict {
        let id = ChallengeId(st.ids.next_u64());
        let expires_at = now.checked_add(self.policy.challenge_validity).unwrap_or(now);
        st.challenges.insert(
            id,
            Challenge {
                user: user.to_owned(),
                action,
                methods,
                satisfied: MethodSet::NONE,
                expires_at,
                sms: None,
            },
        );
        Verdict::ChallengeRequired { challenge: id, methods }
    }

    /// The second-factor methods an account can answer with: SMS with a phone, and each bound
    /// device.
    fn bound_methods(&self, u: &User) -> MethodSet {
        let mut set = MethodSet::NONE;
        if u.phone.is_some() {
            set = set.with(Method::Sms);
        }
        if u.virtual_device.is_some() {
            set = set.with(Method::VirtualMfa);
        }
        if u.hardware.is_some() {
            set = set.with(Method::HardwareMfa);
        }
        set
    }

    /// Why a binding of `kind` cannot start for `user`, if it cannot.
    fn binding_refusal(
        &self,
        st: &State,
        user: &str,
        kind: DeviceKind,
    ) -> Result<Option<Verdict>, ReferenceError> {
        let u = st.user(user)?;
        let bound = match kind {
            DeviceKind::Virtual => u.virtual_device.is_some(),
            DeviceKind::Hardware => u.hardware.is_some(),
        };
        if bound {
            return Ok(Some(Verdict::rejected(RejectReason::AlreadyBound)));
        }
        if kind == DeviceKind::Hardware && !u.beta && !self.policy.dangers.danger_skip_beta_check {
            return Ok(Some(Verdict::rejected(RejectReason::NotBeta)));
        }
        Ok(None)
    }

    /// Removes `user`'s device of `kind`, returning a hardware token to the inventory.
    fn release(&self, st: &mut State, user: &str, kind: DeviceKind) {
        let Some(u) = st.users.get_mut(user) else { return };
        let serial = match kind {
            DeviceKind::Virtual => {
                u.virtual_device = None;
                None
            }
            DeviceKind::Hardware => u.hardware.take().map(|(serial, _)| serial),
        };
        if let Some(token) = serial.and_then(|s| st.inventory.get_mut(&s)) {
            token.bound_to = None;
        }
    }

    /// Runs a guarded action once every check passed.
    fn complete(&self, st: &mut State, user: &str, action: Action, now: SimTime) -> Verdict {
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
                self.release(st, user, kind);
                st.audit(now, user, AuditKind::DeviceUnbound { kind });
                Verdict::Accepted { session: None }
            }
            Action::SetProtection { target, scope, methods, by_admin } => {
                if let Some(t) = st.users.get_mut(&target) {
                    match scope {
                        Scope::Login => t.login = methods,
                        Scope::Operation => t.operation = methods,
                    }
                    if by_admin {
                        t.admin_set.insert(scope);
                    }
                }
                st.audit(now, &target, AuditKind::ProtectionChanged { by: user.to_owned(), scope, methods });
                Verdict::Accepted { session: None }
            }
        }
    }

    /// What a finished binding answers: the sign-in or operation that redirected to it
    /// completes (Baidu: "Upon successful binding of virtual MFA, secondary authentication is
    /// simultaneously completed"); an explicit binding is simply accepted.
    fn after_binding(&self, st: &mut State, user: &str, then: Option<Action>, now: SimTime) -> Verdict {
        match then {
            Some(action) => self.complete(st, user, action, now),
            None => {
                self.succeed(st, user);
                Verdict::Accepted { session: None }
            }
        }
    }

    fn open_binding(
        &self,
        st: &mut State,
        user: &str,
        kind: DeviceKind,
        then: Option<Action>,
        now: SimTime,
    ) -> Verdict {
        let id = BindingId(st.ids.next_u64());
        let expires_at = now.checked_add(self.policy.challenge_validity).unwrap_or(now);
        let (secret, enrolment) = match kind {
            DeviceKind::Hardware => (None, None),
            DeviceKind::Virtual => {
                let mut bytes = [0u8; 20];
                st.secrets.fill_bytes(&mut bytes);
                // 20 bytes are never empty, so from_bytes cannot fail.
                let Ok(secret) = Secret::from_bytes(bytes.to_vec()) else {
                    return Verdict::rejected(RejectReason::NotBound);
                };
                let enrolment = enrolment_for(&secret, user);
                (Some(secret), Some(enrolment))
            }
        };
        st.bindings.insert(id, PendingBinding { user: user.to_owned(), secret, then, expires_at });
        Verdict::BindingOpen { binding: id, kind, enrolment }
    }

    /// Looks up an open binding of `kind`: `Ok(Ok((user, secret)))`, or a verdict to answer.
    #[allow(clippy::type_complexity)]
    fn open_binding_for(
        &self,
        st: &mut State,
        binding: BindingId,
        kind: DeviceKind,
        now: SimTime,
    ) -> Result<Result<(String, Option<Secret>), Verdict>, ReferenceError> {
        let pending = st.bindings.get(&binding).ok_or(ReferenceError::UnknownBinding)?;
        if pending.secret.is_some() != (kind == DeviceKind::Virtual) {
            return Err(ReferenceError::WrongBindingKind);
        }
        if now > pending.expires_at {
            st.bindings.remove(&binding);
            return Ok(Err(Verdict::rejected(RejectReason::Expired)));
        }
        let (user, secret) = (pending.user.clone(), pending.secret.clone());
        let u = st.user(&user)?;
        if self.is_locked(u, now) {
            return Ok(Err(Verdict::rejected(RejectReason::LockedOut)));
        }
        let bound = match kind {
            DeviceKind::Virtual => u.virtual_device.is_some(),
            DeviceKind::Hardware => u.hardware.is_some(),
        };
        if bound {
            return Ok(Err(Verdict::rejected(RejectReason::AlreadyBound)));
        }
        Ok(Ok((user, secret)))
    }

    fn device_of(
        &self,
        st: &State,
        user: &str,
        kind: DeviceKind,
    ) -> Result<Option<DeviceState>, ReferenceError> {
        let u = st.user(user)?;
        Ok(match kind {
            DeviceKind::Virtual => u.virtual_device.clone(),
            DeviceKind::Hardware => u.hardware.as_ref().map(|(_, d)| d.clone()),
        })
    }

    fn check_sms(
        &self,
        st: &mut State,
        challenge: ChallengeId,
        code: &str,
        now: SimTime,
    ) -> Result<(), RejectReason> {
        let d = &self.policy.dangers;
        let ch = st.challenges.get_mut(&challenge).ok_or(RejectReason::Expired)?;
        let sms = ch.sms.as_mut().ok_or(RejectReason::WrongCode)?;
        if sms.used && !d.danger_sms_reusable {
            return Err(RejectReason::CodeUsed);
        }
        if now.saturating_since(sms.sent_at) > self.policy.sms_validity && !d.danger_sms_never_expires {
            return Err(RejectReason::Expired);
        }
        if !bool::from(sms.code.as_bytes().ct_eq(code.as_bytes())) {
            sms.attempts += 1;
            if sms.attempts >= self.policy.sms_max_attempts {
                sms.used = true;
            }
            return Err(RejectReason::WrongCode);
        }
        sms.used = true;
        Ok(())
    }

    /// Verifies a TOTP code against the user's bound devices (or one kind) with the replay
    /// guard. Check and record happen under one lock unless `danger_racy_replay_guard`.
    fn verify_totp<'a>(
        &'a self,
        st: MutexGuard<'a, State>,
        user: &str,
        only: Option<DeviceKind>,
        text: &str,
        now: SimTime,
    ) -> (MutexGuard<'a, State>, Result<(), RejectReason>) {
        let policy = &self.policy;
        let racy = policy.dangers.danger_racy_replay_guard;
        let snapshot: Vec<(DeviceKind, DeviceState)> = match st.users.get(user) {
            None => Vec::new(),
            Some(u) => [
                u.virtual_device.clone().map(|d| (DeviceKind::Virtual, d)),
                u.hardware.as_ref().map(|(_, d)| (DeviceKind::Hardware, d.clone())),
            ]
            .into_iter()
            .flatten()
            .filter(|(k, _)| only.is_none_or(|o| o == *k))
            .collect(),
        };
        if snapshot.is_empty() {
            return (st, Err(RejectReason::NotBound));
        }
        // Racy mode releases the lock between check and record.
        let held = if racy {
            drop(st);
            None
        } else {
            Some(st)
        };
        let mut outcome = Err(RejectReason::WrongCode);
        let mut hit = None;
        for (kind, device) in &snapshot {
            let Some(code) = device.parse(text) else { continue };
            if let Lookup::Found { step, offset } = device.lookup(&code, now, policy) {
                if device.fresh(step, &policy.dangers) {
                    hit = Some((*kind, step, offset));
                    outcome = Ok(());
                    break;
                }
                outcome = Err(RejectReason::Replayed);
            }
        }
        let mut st = match held {
            Some(st) => st,
            None => {
                // Widen the gap between check and record, as a slow database round trip would.
                std::thread::yield_now();
                self.lock()
            }
        };
        if let (Some((kind, step, offset)), Some(u)) = (hit, st.users.get_mut(user)) {
            let device = match kind {
                DeviceKind::Virtual => u.virtual_device.as_mut(),
                DeviceKind::Hardware => u.hardware.as_mut().map(|(_, d)| d),
            };
            if let Some(device) = device {
                device.record(step, offset, policy);
            }
        }
        (st, outcome)
    }
}

/// The enrolment URI and QR image for a new virtual device.
pub fn enrolment_for(secret: &Secret, account: &str) -> Enrolment {
    let uri = OtpAuthUri::console_totp(ISSUER, account, secret.clone()).to_uri_string();
    let qr_png = crate::qr::encode_png(&uri);
    Enrolment { uri, qr_png }
}

struct User {
    role: Role,
    password: PasswordHash,
    phone: Option<String>,
    beta: bool,
    login: MethodSet,
    operation: MethodSet,
    virtual_device: Option<DeviceState>,
    hardware: Option<(String, DeviceState)>,
    failures: u32,
    locked_until: Option<SimTime>,
    origins: BTreeSet<String>,
    /// Protections an administrator (or root) set for this user: an IAM user may not weaken them.
    admin_set: BTreeSet<Scope>,
}

struct InventoryToken {
    seed: TokenSeed,
    bound_to: Option<String>,
}

/// What a challenge guards: completing it runs the action.
enum Action {
    Login {
        origin: String,
    },
    Operation(Operation),
    SetProtection {
        target: String,
        scope: Scope,
        methods: MethodSet,
        /// Set for another user (by root or an admin), not by the user themselves.
        by_admin: bool,
    },
    /// Identity authentication before binding a device of `kind`.
    OpenBinding {
        kind: DeviceKind,
    },
    /// The confirmation box of an unbinding (confirmed, not answered).
    ConfirmUnbind {
        kind: DeviceKind,
    },
    /// Proof of possession before removing the device of `kind`.
    Unbind {
        kind: DeviceKind,
    },
}

struct Challenge {
    user: String,
    action: Action,
    methods: MethodSet,
    satisfied: MethodSet,
    expires_at: SimTime,
    sms: Option<SmsCode>,
}

struct SmsCode {
    code: String,
    sent_at: SimTime,
    attempts: u32,
    used: bool,
}

struct PendingBinding {
    user: String,
    secret: Option<Secret>,
    then: Option<Action>,
    expires_at: SimTime,
}

struct State {
    users: HashMap<String, User>,
    inventory: HashMap<String, InventoryToken>,
    sessions: HashMap<SessionId, String>,
    challenges: HashMap<ChallengeId, Challenge>,
    bindings: HashMap<BindingId, PendingBinding>,
    audit: VecDeque<AuditEvent>,
    audit_capacity: usize,
    ids: ChaCha12Rng,
    salts: ChaCha12Rng,
    secrets: ChaCha12Rng,
    sms_codes: ChaCha12Rng,
}

impl State {
    fn new(randomness: Randomness, audit_capacity: usize) -> Self {
        let stream = |n: u64| randomness.stream(n);
        State {
            users: HashMap::new(),
            inventory: HashMap::new(),
            sessions: HashMap::new(),
            challenges: HashMap::new(),
            bindings: HashMap::new(),
            audit: VecDeque::new(),
            audit_capacity,
            ids: stream(1),
            salts: stream(2),
            secrets: stream(3),
            sms_codes: stream(4),
        }
    }

    fn user(&self, name: &str) -> Result<&User, ReferenceError> {
        self.users.get(name).ok_or_else(|| ReferenceError::UnknownUser(name.to_owned()))
    }

    fn user_mut(&mut self, name: &str) -> Result<&mut User, ReferenceError> {
        self.users.get_mut(name).ok_or_else(|| ReferenceError::UnknownUser(name.to_owned()))
    }

    fn session_user(&self, session: SessionId) -> Result<String, ReferenceError> {
        self.sessions.get(&session).cloned().ok_or(ReferenceError::UnknownSession)
    }

    fn audit(&mut self, at: SimTime, user: &str, kind: AuditKind) {
        if self.audit.len() >= self.audit_capacity {
            self.audit.pop_front();
        }
        if self.audit_capacity > 0 {
            self.audit.push_back(AuditEvent { at, user: user.to_owned(), kind });
        }
    }
}
