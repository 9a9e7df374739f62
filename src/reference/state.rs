//! The service's state behind its one lock: accounts, the hardware inventory, sessions, open
//! challenges and bindings, the audit log and the random streams, and the types they hold.

use std::collections::{HashMap, VecDeque};

use rand::SeedableRng;
use rand_chacha::ChaCha12Rng;

use super::ReferenceError;
use super::audit::{AuditEvent, AuditKind};
use super::user::User;
use crate::clock::SimTime;
use crate::otp::Secret;
use crate::protocol::{BindingId, ChallengeId, DeviceKind, MethodSet, Operation, Scope, SessionId};
use crate::provision::TokenSeed;

/// Everything the service remembers. Each random consumer has its own ChaCha stream, so
/// drawing one more salt never changes the ids, secrets or SMS codes that follow.
pub(super) struct State {
    pub(super) users: HashMap<String, User>,
    /// Imported hardware tokens by serial.
    pub(super) inventory: HashMap<String, InventoryToken>,
    pub(super) sessions: HashMap<SessionId, String>,
    pub(super) challenges: HashMap<ChallengeId, Challenge>,
    pub(super) bindings: HashMap<BindingId, PendingBinding>,
    audit: VecDeque<AuditEvent>,
    audit_capacity: usize,
    /// Session, challenge and binding ids.
    pub(super) ids: ChaCha12Rng,
    /// Password salts.
    pub(super) salts: ChaCha12Rng,
    /// Keys of virtual devices.
    pub(super) secrets: ChaCha12Rng,
    pub(super) sms_codes: ChaCha12Rng,
}

impl State {
    /// An empty state whose random streams start from `seed`.
    pub(super) fn new(seed: u64, audit_capacity: usize) -> Self {
        let stream = |n: u64| {
            let mut rng = ChaCha12Rng::seed_from_u64(seed);
            rng.set_stream(n);
            rng
        };
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

    /// The account called `name`.
    pub(super) fn user(&self, name: &str) -> Result<&User, ReferenceError> {
        self.users.get(name).ok_or_else(|| ReferenceError::UnknownUser(name.to_owned()))
    }

    /// The account called `name`, to change.
    pub(super) fn user_mut(&mut self, name: &str) -> Result<&mut User, ReferenceError> {
        self.users.get_mut(name).ok_or_else(|| ReferenceError::UnknownUser(name.to_owned()))
    }

    /// Who a session belongs to.
    pub(super) fn session_user(&self, session: SessionId) -> Result<String, ReferenceError> {
        self.sessions.get(&session).cloned().ok_or(ReferenceError::UnknownSession)
    }

    /// Records an event, dropping the oldest beyond the capacity.
    pub(super) fn audit(&mut self, at: SimTime, user: &str, kind: AuditKind) {
        if self.audit.len() >= self.audit_capacity {
            self.audit.pop_front();
        }
        if self.audit_capacity > 0 {
            self.audit.push_back(AuditEvent { at, user: user.to_owned(), kind });
        }
    }

    /// The audit log, oldest first.
    pub(super) fn audit_log(&self) -> Vec<AuditEvent> {
        self.audit.iter().cloned().collect()
    }
}

/// An imported hardware token.
pub(super) struct InventoryToken {
    pub(super) seed: TokenSeed,
    /// The account it is bound to.
    pub(super) bound_to: Option<String>,
}

/// What a challenge guards: completing it runs the action.
pub(super) enum Action {
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

/// An open prompt: a second-factor or identity challenge, or a confirmation box.
pub(super) struct Challenge {
    pub(super) user: String,
    pub(super) action: Action,
    /// The methods that may answer it.
    pub(super) methods: MethodSet,
    /// The methods answered so far (all are needed only under `danger_require_all_methods`).
    pub(super) satisfied: MethodSet,
    pub(super) expires_at: SimTime,
    pub(super) sms: Option<SmsCode>,
}

/// The SMS code sent for a challenge.
pub(super) struct SmsCode {
    pub(super) code: String,
    pub(super) sent_at: SimTime,
    /// Wrong answers so far.
    pub(super) attempts: u32,
    pub(super) used: bool,
}

/// A binding waiting for its device's codes.
pub(super) struct PendingBinding {
    pub(super) user: String,
    pub(super) kind: DeviceKind,
    /// The key issued for a device whose key the server draws ([`crate::protocol::KeySource`]).
    pub(super) secret: Option<Secret>,
    /// What the binding completes when it finishes (a redirected sign-in or operation).
    pub(super) then: Option<Action>,
    pub(super) expires_at: SimTime,
}
