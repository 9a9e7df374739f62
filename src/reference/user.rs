//! An account as the service keeps it: role, password hash, secure phone, protections,
//! lockout counters, known origins, and its bound devices keyed by kind.

use std::collections::{BTreeMap, BTreeSet};

use super::device::DeviceState;
use super::password::PasswordHash;
use crate::clock::SimTime;
use crate::protocol::{DeviceKind, Method, MethodSet, Role, Scope};

/// One account.
pub(super) struct User {
    pub(super) role: Role,
    pub(super) password: PasswordHash,
    pub(super) phone: Option<String>,
    /// On the hardware MFA beta list.
    pub(super) beta: bool,
    pub(super) login: MethodSet,
    pub(super) operation: MethodSet,
    pub(super) devices: Devices,
    /// Consecutive failed authentications.
    pub(super) failures: u32,
    pub(super) locked_until: Option<SimTime>,
    /// Where the account signed in from before: a new one is an account anomaly.
    pub(super) origins: BTreeSet<String>,
    /// Protections an administrator (or root) set for this user: an IAM user may not weaken them.
    pub(super) admin_set: BTreeSet<Scope>,
}

impl User {
    /// A fresh account: no phone, no devices, login protection off.
    pub(super) fn new(role: Role, password: PasswordHash, operation: MethodSet) -> Self {
        User {
            role,
            password,
            phone: None,
            beta: false,
            login: MethodSet::NONE,
            operation,
            devices: Devices::default(),
            failures: 0,
            locked_until: None,
            origins: BTreeSet::new(),
            admin_set: BTreeSet::new(),
        }
    }

    /// The methods the protection of `scope` asks for (empty: off).
    pub(super) fn protection(&self, scope: Scope) -> MethodSet {
        match scope {
            Scope::Login => self.login,
            Scope::Operation => self.operation,
        }
    }

    /// Sets the protection of `scope`.
    pub(super) fn set_protection(&mut self, scope: Scope, methods: MethodSet) {
        match scope {
            Scope::Login => self.login = methods,
            Scope::Operation => self.operation = methods,
        }
    }

    /// The second-factor methods the account can answer with: SMS with a phone, and each
    /// bound device.
    pub(super) fn bound_methods(&self) -> MethodSet {
        let sms = if self.phone.is_some() { MethodSet::of(&[Method::Sms]) } else { MethodSet::NONE };
        self.devices.kinds().map(DeviceKind::method).fold(sms, MethodSet::with)
    }
}

/// A device bound to an account.
pub(super) struct BoundDevice {
    /// The serial of a token from the inventory (it goes back there when unbound).
    pub(super) serial: Option<String>,
    /// Key, replay guard and learned drift.
    pub(super) state: DeviceState,
}

/// An account's devices, at most one of each kind. Nothing here depends on which kinds exist:
/// what differs between kinds is asked of [`DeviceKind`].
#[derive(Default)]
pub(super) struct Devices(BTreeMap<DeviceKind, BoundDevice>);

impl Devices {
    /// The device of `kind`, if bound.
    pub(super) fn get(&self, kind: DeviceKind) -> Option<&BoundDevice> {
        self.0.get(&kind)
    }

    /// The verification state of the device of `kind`, if bound.
    pub(super) fn state_mut(&mut self, kind: DeviceKind) -> Option<&mut DeviceState> {
        self.0.get_mut(&kind).map(|device| &mut device.state)
    }

    /// Whether a device of `kind` is bound.
    pub(super) fn is_bound(&self, kind: DeviceKind) -> bool {
        self.0.contains_key(&kind)
    }

    /// Binds `device` as the device of `kind` (callers check the slot is free first).
    pub(super) fn bind(&mut self, kind: DeviceKind, device: BoundDevice) {
        self.0.insert(kind, device);
    }

    /// Removes the device of `kind`, returning it.
    pub(super) fn unbind(&mut self, kind: DeviceKind) -> Option<BoundDevice> {
        self.0.remove(&kind)
    }

    /// The kinds bound, in [`DeviceKind`] order.
    pub(super) fn kinds(&self) -> impl Iterator<Item = DeviceKind> + '_ {
        self.0.keys().copied()
    }
}
