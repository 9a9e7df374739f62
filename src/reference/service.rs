//! The reference MFA service: the one handle every operation goes through. One `Mutex`
//! guards the whole [`State`], so every check-and-record (replay guard, lockout count, SMS
//! single use) is atomic; password hashing and resync searches run outside it. The
//! operations are `impl Service` blocks in the files of their concepts (see the module map
//! in `reference/mod.rs`).

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::audit::AuditEvent;
use super::policy::Policy;
use super::sms::SmsGateway;
use super::state::State;

/// The reference MFA service. All methods take `&self` and the time they happen at; share it
/// across threads with `Arc`.
pub struct Service {
    pub(super) policy: Policy,
    seed: u64,
    pub(super) gateway: Arc<dyn SmsGateway>,
    state: Mutex<State>,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service").field("policy", &self.policy).field("seed", &self.seed).finish()
    }
}

impl Service {
    /// A service with `policy`, deterministic randomness from `seed` (ids, salts, secrets,
    /// SMS codes each get their own ChaCha stream) and SMS delivery through `gateway`.
    pub fn new(policy: Policy, seed: u64, gateway: Arc<dyn SmsGateway>) -> Self {
        let state = Mutex::new(State::new(seed, policy.audit_capacity));
        Service { policy, seed, gateway, state }
    }

    /// The policy in force.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Forgets every account, token, session and event (the random streams restart too).
    pub fn reset(&self) {
        *self.lock() = State::new(self.seed, self.policy.audit_capacity);
    }

    /// The audit log, oldest first (the newest `policy.audit_capacity` events).
    pub fn audit_log(&self) -> Vec<AuditEvent> {
        self.lock().audit_log()
    }

    /// The state, locked.
    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain data behind; keep serving.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
