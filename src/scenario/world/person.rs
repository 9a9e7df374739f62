//! The cast: people, their passwords and the prompt each must answer next.

use std::collections::{BTreeMap, BTreeSet};

use rand::RngExt;

use super::MfaWorld;
use super::sms::Delivery;
use crate::clock::Drift;
use crate::otp::{OtpAuthUri, Secret};
use crate::protocol::{BindingId, ChallengeId, DeviceKind, Enrolment, Method, MethodSet, SessionId};
use crate::scenario::fault::no_answer;
use crate::scenario::params::Attempt;
use crate::sim::{Concern, DeviceId, DriftDistribution, PhoneId, PhoneNumber, PhoneSpec};

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
    /// The phone in the simulator: its clock is the authenticator app's, its number gets
    /// the SMS once bound.
    pub phone: PhoneId,
    /// The devices that show this person codes, by kind, in the simulator.
    pub devices: BTreeMap<DeviceKind, DeviceId>,
    /// Devices this person can no longer read (the target still has them bound).
    pub lost: BTreeSet<DeviceKind>,
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
    /// Adds a person (with or without an account on the target), with a phone whose clock is
    /// on time.
    pub fn add_person(&mut self, name: &str) -> &mut Person {
        if !self.people.contains_key(name) {
            let password = {
                let mut rng = self.streams().stream(name, Concern::User);
                format!("pw-{:016x}", rng.random::<u64>())
            };
            let on_time = PhoneSpec {
                sync: None,
                max_manual_offset: std::time::Duration::ZERO,
                drift: DriftDistribution::Fixed { drift: Drift::ZERO },
                jitter: std::time::Duration::ZERO,
            };
            let phone = self
                .sim
                .add_phone(&format!("{name}'s phone"), phone_number(name), &on_time)
                .unwrap_or_else(|e| no_answer(format!("giving {name} a phone: {e}")));
            let person = Person {
                password,
                origin: format!("{}-home", name.to_lowercase()),
                phone,
                devices: BTreeMap::new(),
                lost: BTreeSet::new(),
                stolen: BTreeSet::new(),
                acting_as: None,
                session: None,
                prompt: None,
                last_code: None,
                inbox: Vec::new(),
                scanned: None,
            };
            self.people.insert(name.to_owned(), person);
        }
        self.person_mut(name)
    }

    /// The number of `name`'s phone, as the target is told to bind it.
    pub fn phone_number(&self, name: &str) -> String {
        let phone = self.person(name).phone;
        self.sim.phone(phone).map_or_else(|e| no_answer(e.to_string()), |p| p.number().0.clone())
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

/// A person's phone number: made from the name, so it is the same in every run.
fn phone_number(name: &str) -> PhoneNumber {
    PhoneNumber(format!("+1555{:07}", name.bytes().map(u32::from).sum::<u32>() * 101))
}
