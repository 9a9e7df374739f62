//! The cast: people, their passwords and the prompt each must answer next.

use std::collections::BTreeSet;

use rand::RngExt;

use super::MfaWorld;
use super::sms::Delivery;
use crate::clock::{DeviceClock, Drift};
use crate::otp::{OtpAuthUri, Secret};
use crate::protocol::{BindingId, ChallengeId, DeviceKind, Enrolment, Method, MethodSet, SessionId};
use crate::scenario::fault::no_answer;
use crate::scenario::params::{Attempt, DeviceWord};
use crate::sim::{AuthenticatorApp, Concern};

/// An open prompt a person must answer next.
#[derive(Clone, Debug)]
pub enum Prompt {
    /// A second-factor or identity challenge.
    Challenge {
        /// Its handle.
        challenge: ChallengeId,
        /// What may answer it.
        methods: MethodSet,
        /// The flow it belongs to.
        purpose: Attempt,
    },
    /// A confirmation box.
    Confirm {
        /// Its handle.
        challenge: ChallengeId,
        /// The flow it belongs to.
        purpose: Attempt,
    },
    /// An open binding.
    Binding {
        /// The flow it belongs to (a binding opened by a sign-in or operation redirect
        /// completes that sign-in or operation).
        purpose: Attempt,
        /// Its handle.
        binding: BindingId,
        /// Device kind.
        kind: DeviceKind,
        /// URI and QR code, for virtual devices.
        enrolment: Option<Enrolment>,
    },
}

/// One member of the cast.
#[derive(Clone, Debug)]
pub struct Person {
    /// Account password (the harness made it up; never printed).
    pub password: String,
    /// Where this person usually signs in from.
    pub origin: String,
    /// The secure phone number, if bound.
    pub phone: Option<String>,
    /// The authenticator app, once enrolled.
    pub app: Option<AuthenticatorApp>,
    /// The phone's clock (the app's time).
    pub phone_clock: DeviceClock,
    /// Serial of the hardware token this person holds.
    pub hardware: Option<String>,
    /// Devices this person can no longer read.
    pub lost: BTreeSet<DeviceWord>,
    /// Accounts whose password this person knows besides their own.
    pub stolen: BTreeSet<String>,
    /// The account this person acted on last (their own, or a victim's).
    pub acting_as: Option<String>,
    /// The signed-in session.
    pub session: Option<SessionId>,
    /// The prompt to answer next.
    pub prompt: Option<Prompt>,
    /// The last code entered, with its method.
    pub last_code: Option<(Method, String)>,
    /// SMS sent to this person's phone.
    pub inbox: Vec<Delivery>,
    /// The enrolment scanned from a QR code.
    pub scanned: Option<OtpAuthUri>,
}

impl MfaWorld {
    /// Adds a person (with or without an account on the target).
    pub fn add_person(&mut self, name: &str) -> &mut Person {
        let password = {
            let mut rng = self.streams().stream(name, Concern::User);
            format!("pw-{:016x}", rng.random::<u64>())
        };
        let clock = DeviceClock::free_running(self.now, 0, Drift::ZERO);
        self.people.entry(name.to_owned()).or_insert(Person {
            password,
            origin: format!("{}-home", name.to_lowercase()),
            phone: None,
            app: None,
            phone_clock: clock,
            hardware: None,
            lost: BTreeSet::new(),
            stolen: BTreeSet::new(),
            acting_as: None,
            session: None,
            prompt: None,
            last_code: None,
            inbox: Vec::new(),
            scanned: None,
        })
    }

    /// A declared person.
    pub fn person(&self, name: &str) -> &Person {
        self.people.get(name).unwrap_or_else(|| {
            no_answer(format!("{name} was never introduced (add a Given that declares them)"))
        })
    }

    /// A declared person, to change.
    pub fn person_mut(&mut self, name: &str) -> &mut Person {
        self.people.get_mut(name).unwrap_or_else(|| {
            no_answer(format!("{name} was never introduced (add a Given that declares them)"))
        })
    }

    /// The password `actor` uses for `account`.
    pub fn password_for(&self, actor: &str, account: &str) -> String {
        let known = actor == account || self.person(actor).stolen.contains(account);
        if !known {
            no_answer(format!("{actor} does not know {account}'s password"));
        }
        self.person(account).password.clone()
    }

    /// A fresh key for a person's or token's device, from the scenario's streams.
    pub fn fresh_secret(&self, entity: &str) -> Secret {
        let mut rng = self.streams().stream(entity, Concern::Seed);
        let bytes: Vec<u8> = (0..20).map(|_| rng.random::<u8>()).collect();
        // Twenty bytes are never empty.
        Secret::from_bytes(bytes).expect("non-empty key")
    }
}
