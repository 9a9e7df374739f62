//! Accounts and setup: creating users, their phone and beta flag, devices bound without
//! codes, the hardware inventory, and the read-only view of an account.

use std::collections::BTreeSet;

use rand::Rng;
use serde::{Deserialize, Serialize};

use super::ReferenceError;
use super::audit::AuditKind;
use super::device::DeviceState;
use super::password::PasswordHash;
use super::service::Service;
use super::state::InventoryToken;
use super::user::{BoundDevice, User};
use crate::clock::SimTime;
use crate::protocol::{DeviceKind, Method, MethodSet, NewUser, Role, SetupDevice};
use crate::provision::TokenSeed;

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

impl Service {
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
        st.users.insert(new.name, User::new(new.role, password, operation));
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
        let (kind, already_bound, device) = match device {
            SetupDevice::Virtual { secret } => (
                DeviceKind::Virtual,
                "a virtual MFA device is already bound",
                BoundDevice { serial: None, state: DeviceState::console_app(secret, d) },
            ),
            SetupDevice::Hardware { serial } => {
                let token = st
                    .inventory
                    .get(serial)
                    .ok_or(ReferenceError::InvalidField("serial not in the inventory"))?;
                if token.bound_to.is_some() {
                    return Err(ReferenceError::InvalidField("serial already bound"));
                }
                let state = DeviceState::from_seed(&token.seed, d);
                (
                    DeviceKind::Hardware,
                    "a hardware MFA device is already bound",
                    BoundDevice { serial: Some(serial.clone()), state },
                )
            }
        };
        if st.user(user)?.devices.is_bound(kind) {
            return Err(ReferenceError::InvalidField(already_bound));
        }
        st.attach(user, kind, device, now)
    }

    /// Adds hardware tokens to the inventory (from an OATH CSV or PSKC file). Returns how
    /// many were added.
    ///
    /// # Errors
    /// [`ReferenceError::DuplicateSerial`] if a serial is already in the inventory or twice in
    /// the batch; nothing is added then.
    pub fn import_seeds(&self, seeds: Vec<TokenSeed>) -> Result<usize, ReferenceError> {
        let mut st = self.lock();
        let d = &self.policy.dangers;
        let mut seen = BTreeSet::new();
        for seed in &seeds {
            let known = st.inventory.contains_key(&seed.serial) && !d.danger_reimport_replaces_seed;
            if known || !seen.insert(seed.serial.clone()) {
                return Err(ReferenceError::DuplicateSerial(seed.serial.clone()));
            }
        }
        let n = seeds.len();
        for seed in seeds {
            let bound_to = st.inventory.get(&seed.serial).and_then(|token| token.bound_to.clone());
            if let Some(owner) = &bound_to
                && let Some(state) = st.user_mut(owner)?.devices.state_mut(DeviceKind::Hardware)
            {
                *state = DeviceState::from_seed(&seed, d);
            }
            st.inventory.insert(seed.serial.clone(), InventoryToken { seed, bound_to });
        }
        Ok(n)
    }

    /// A view of an account (no secrets).
    ///
    /// # Errors
    /// [`ReferenceError::UnknownUser`].
    pub fn account(&self, user: &str) -> Result<AccountState, ReferenceError> {
        let st = self.lock();
        let u = st.user(user)?;
        let app = u.devices.get(DeviceKind::Virtual);
        let token = u.devices.get(DeviceKind::Hardware);
        Ok(AccountState {
            name: user.to_owned(),
            role: u.role.clone(),
            phone: u.phone.clone(),
            beta: u.beta,
            login: u.login,
            operation: u.operation,
            virtual_bound: app.is_some(),
            hardware_serial: token.and_then(|t| t.serial.clone()),
            virtual_drift: app.map(|d| d.state.drift),
            hardware_drift: token.map(|t| t.state.drift),
            failures: u.failures,
            locked_until: u.locked_until,
        })
    }
}
