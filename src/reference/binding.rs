//! Binding a device: the identity check first, then the device's codes; a binding that a
//! protected sign-in or operation redirected to completes it too. How each kind is bound
//! (a key issued here, or a serial from the inventory) is [`DeviceKind::key_source`].

use rand::Rng;
use subtle::ConstantTimeEq;

use super::ReferenceError;
use super::audit::AuditKind;
use super::device::{DeviceState, Lookup};
use super::lifetime;
use super::service::Service;
use super::state::{Action, PendingBinding, State};
use super::user::{BoundDevice, User};
use crate::clock::SimTime;
use crate::otp::{OtpAuthUri, Secret};
use crate::protocol::{
    BindingId, DeviceKind, Enrolment, KeySource, Method, RejectReason, SessionId, Verdict,
};

/// Issuer named in enrolment URIs and SMS texts.
pub const ISSUER: &str = "mfa-harness";

impl Service {
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
        let methods = st.user(&user)?.bound_methods().with(Method::Password);
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
        let kind = DeviceKind::Virtual;
        let mut st = self.lock();
        let (user, secret) = match self.open_binding_for(&mut st, binding, kind, now)? {
            Ok(found) => found,
            Err(verdict) => return Ok(verdict),
        };
        let Some(secret) = secret else { return Err(ReferenceError::WrongBindingKind) };
        let d = &self.policy.dangers;
        let mut device = DeviceState::console_app(&secret, d);
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
        self.bind(&mut st, binding, &user, kind, BoundDevice { serial: None, state: device }, now)
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
        let kind = DeviceKind::Hardware;
        let mut st = self.lock();
        let (user, _) = match self.open_binding_for(&mut st, binding, kind, now)? {
            Ok(found) => found,
            Err(verdict) => return Ok(verdict),
        };
        if self.lacks_beta(st.user(&user)?, kind) {
            return Ok(Verdict::rejected(RejectReason::NotBeta));
        }
        let Some(token) = st.inventory.get(serial) else {
            return Ok(self.fail(&mut st, &user, RejectReason::UnknownSerial, now));
        };
        let d = &self.policy.dangers;
        if token.bound_to.as_ref().is_some_and(|owner| *owner != user) && !d.danger_allow_shared_serial {
            return Ok(self.fail(&mut st, &user, RejectReason::SerialTaken, now));
        }
        let mut device = DeviceState::from_seed(&token.seed, d);
        let Some(code) = device.parse(code) else {
            return Ok(self.fail(&mut st, &user, RejectReason::WrongCode, now));
        };
        let Lookup::Found { step, offset } = device.lookup(&code, now, &self.policy) else {
            return Ok(self.fail(&mut st, &user, RejectReason::WrongCode, now));
        };
        device.record(step, offset, &self.policy);
        let device = BoundDevice { serial: Some(serial.to_owned()), state: device };
        self.bind(&mut st, binding, &user, kind, device, now)
    }

    /// Why a binding of `kind` cannot start for `user`, if it cannot.
    pub(super) fn binding_refusal(
        &self,
        st: &State,
        user: &str,
        kind: DeviceKind,
    ) -> Result<Option<Verdict>, ReferenceError> {
        let u = st.user(user)?;
        if u.devices.is_bound(kind) {
            return Ok(Some(Verdict::rejected(RejectReason::AlreadyBound)));
        }
        if self.lacks_beta(u, kind) {
            return Ok(Some(Verdict::rejected(RejectReason::NotBeta)));
        }
        Ok(None)
    }

    /// Opens a binding of `kind` for `user`; `then` is the action it completes when finished.
    pub(super) fn open_binding(
        &self,
        st: &mut State,
        user: &str,
        kind: DeviceKind,
        then: Option<Action>,
        now: SimTime,
    ) -> Verdict {
        let id = BindingId(st.ids.next_u64());
        let expires_at = self.prompt_expiry(now);
        let (secret, enrolment) = match kind.key_source() {
            KeySource::ImportedBySerial => (None, None),
            KeySource::IssuedAtBinding => {
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
        st.bindings.insert(id, PendingBinding { user: user.to_owned(), kind, secret, then, expires_at });
        Verdict::BindingOpen { binding: id, kind, enrolment }
    }

    /// Whether `u` may not bind `kind` because it is for beta users only.
    fn lacks_beta(&self, u: &User, kind: DeviceKind) -> bool {
        kind.needs_beta() && !u.beta && !self.policy.dangers.danger_skip_beta_check
    }

    /// Looks up an open binding of `kind`: `Ok(Ok((user, issued key)))`, or a verdict to answer.
    #[allow(clippy::type_complexity)]
    fn open_binding_for(
        &self,
        st: &mut State,
        binding: BindingId,
        kind: DeviceKind,
        now: SimTime,
    ) -> Result<Result<(String, Option<Secret>), Verdict>, ReferenceError> {
        let pending = st.bindings.get(&binding).ok_or(ReferenceError::UnknownBinding)?;
        if pending.kind != kind {
            return Err(ReferenceError::WrongBindingKind);
        }
        if lifetime::ended(pending.expires_at, now) {
            st.bindings.remove(&binding);
            return Ok(Err(Verdict::rejected(RejectReason::Expired)));
        }
        let (user, secret) = (pending.user.clone(), pending.secret.clone());
        let u = st.user(&user)?;
        if self.is_locked(u, now) {
            return Ok(Err(Verdict::rejected(RejectReason::LockedOut)));
        }
        if u.devices.is_bound(kind) {
            return Ok(Err(Verdict::rejected(RejectReason::AlreadyBound)));
        }
        Ok(Ok((user, secret)))
    }

    /// Closes `binding` by binding `device` as `user`'s device of `kind`, and answers as
    /// [`Service::after_binding`] says.
    fn bind(
        &self,
        st: &mut State,
        binding: BindingId,
        user: &str,
        kind: DeviceKind,
        device: BoundDevice,
        now: SimTime,
    ) -> Result<Verdict, ReferenceError> {
        let pending = st.bindings.remove(&binding);
        st.attach(user, kind, device, now)?;
        Ok(self.after_binding(st, user, pending.and_then(|p| p.then), now))
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
}

impl State {
    /// Binds `device` as `user`'s device of `kind` (the slot is free), takes its serial out
    /// of the free inventory, and audits it.
    pub(super) fn attach(
        &mut self,
        user: &str,
        kind: DeviceKind,
        device: BoundDevice,
        now: SimTime,
    ) -> Result<(), ReferenceError> {
        let serial = device.serial.clone();
        self.user_mut(user)?.devices.bind(kind, device);
        if let Some(token) = serial.as_ref().and_then(|s| self.inventory.get_mut(s)) {
            token.bound_to = Some(user.to_owned());
        }
        self.audit(now, user, AuditKind::DeviceBound { kind, serial });
        Ok(())
    }
}

/// The enrolment URI and QR image for a new virtual device.
fn enrolment_for(secret: &Secret, account: &str) -> Enrolment {
    let uri = OtpAuthUri::console_totp(ISSUER, account, secret.clone()).to_uri_string();
    let qr_png = crate::qr::encode_png(&uri);
    Enrolment { uri, qr_png }
}
