//! The reference service as a target, in the harness's own process: no network, simulated
//! time passed straight through, a fresh service per scenario (so scenarios never share
//! state), and SMS read from the service's outbox.

use std::sync::Arc;

use super::{Answer, SUPPORT_TICKET, Target, TargetError};
use crate::clock::SimTime;
use crate::protocol::Capabilities;
use crate::protocol::{
    AccountView, AuthenticatorEvent, BindingId, ChallengeId, DeviceKind, Method, MethodSet, NewUser,
    Operation, PolicyFacts, Scope, SessionId, SetupDevice, SmsMessage,
};
use crate::provision::TokenSeed;
use crate::reference::{Policy, ReferenceError, Service, SmsOutbox};
use crate::sut::TargetInfo;

/// The reference service (with some policy) behind the [`Target`] trait.
pub struct InProcess {
    name: String,
    service: Service,
    outbox: Arc<SmsOutbox>,
    declared: PolicyFacts,
}

impl InProcess {
    /// A fresh service with `policy` and random streams from `seed`, reported as `name`,
    /// declaring the policy it runs.
    pub fn new(name: &str, policy: Policy, seed: u64) -> Self {
        let declared = policy.facts();
        InProcess::declaring(name, policy, declared, seed)
    }

    /// A fresh service that runs `policy` but declares `declared`: a mutant, whose fault is
    /// that it does not do what it claims.
    pub fn declaring(name: &str, policy: Policy, declared: PolicyFacts, seed: u64) -> Self {
        let outbox = Arc::new(SmsOutbox::new());
        InProcess {
            name: name.to_owned(),
            service: Service::new(policy, seed, outbox.clone()),
            outbox,
            declared,
        }
    }
}

/// The reference's refusals of malformed or unknown requests are harness errors here: the
/// scenario asked for something that does not exist.
fn refused(request: &str) -> impl Fn(ReferenceError) -> TargetError + '_ {
    move |e| TargetError::Refused { request: request.to_owned(), message: e.to_string() }
}

impl Target for InProcess {
    fn info(&self) -> TargetInfo {
        TargetInfo { name: self.name.clone(), kind: "in-process".into(), profile: None }
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::all()
    }

    fn policy_facts(&self) -> PolicyFacts {
        self.declared
    }

    fn reset(&self) -> Answer<()> {
        self.service.reset();
        self.outbox.drain();
        Ok(())
    }

    fn create_user(&self, user: &NewUser, now: SimTime) -> Answer<()> {
        self.service.create_user(user.clone(), now).map_err(refused("create user"))
    }

    fn set_phone(&self, user: &str, phone: &str, _now: SimTime) -> Answer<()> {
        self.service.set_phone(user, Some(phone.to_owned())).map_err(refused("set phone"))
    }

    fn set_beta(&self, user: &str, on: bool, _now: SimTime) -> Answer<()> {
        self.service.set_beta(user, on).map_err(refused("set beta"))
    }

    fn import_seeds(&self, seeds: &[TokenSeed], _now: SimTime) -> Answer<()> {
        self.service.import_seeds(seeds.to_vec()).map(drop).map_err(refused("import seeds"))
    }

    fn provision_device(&self, user: &str, device: &SetupDevice, now: SimTime) -> Answer<()> {
        self.service.provision_device(user, device, now).map_err(refused("provision device"))
    }

    fn provision_protection(&self, user: &str, scope: Scope, methods: MethodSet, now: SimTime) -> Answer<()> {
        self.service.provision_protection(user, scope, methods, now).map_err(refused("provision protection"))
    }

    fn account(&self, user: &str, _now: SimTime) -> Answer<AccountView> {
        let a = self.service.account(user).map_err(refused("read account"))?;
        Ok(AccountView {
            name: a.name,
            login: a.login,
            operation: a.operation,
            virtual_bound: a.virtual_bound,
            hardware_serial: a.hardware_serial,
        })
    }

    fn authenticator_record(&self, user: &str, _now: SimTime) -> Answer<Vec<AuthenticatorEvent>> {
        self.service.authenticator_record(user).map_err(refused("read authenticator record"))
    }

    fn take_sms(&self, _now: SimTime) -> Answer<Vec<SmsMessage>> {
        Ok(self.outbox.drain())
    }

    fn login(&self, user: &str, password: &str, origin: &str, now: SimTime) -> Answer {
        self.service.login(user, password, origin, now).map_err(refused("login"))
    }

    fn request_sms(&self, challenge: ChallengeId, now: SimTime) -> Answer {
        self.service.request_sms(challenge, now).map_err(refused("request SMS"))
    }

    fn answer(&self, challenge: ChallengeId, method: Method, response: &str, now: SimTime) -> Answer {
        self.service.answer_challenge(challenge, method, response, now).map_err(refused("answer challenge"))
    }

    fn confirm(&self, challenge: ChallengeId, now: SimTime) -> Answer {
        self.service.confirm(challenge, now).map_err(refused("confirm"))
    }

    fn perform(&self, session: SessionId, operation: Operation, now: SimTime) -> Answer {
        self.service.perform(session, operation, now).map_err(refused("perform operation"))
    }

    fn set_protection(
        &self,
        session: SessionId,
        user: &str,
        scope: Scope,
        methods: MethodSet,
        now: SimTime,
    ) -> Answer {
        self.service.set_protection(session, user, scope, methods, now).map_err(refused("set protection"))
    }

    fn start_binding(&self, session: SessionId, kind: DeviceKind, now: SimTime) -> Answer {
        self.service.start_binding(session, kind, now).map_err(refused("start binding"))
    }

    fn finish_virtual_binding(&self, binding: BindingId, first: &str, second: &str, now: SimTime) -> Answer {
        self.service
            .finish_virtual_binding(binding, first, second, now)
            .map_err(refused("finish virtual binding"))
    }

    fn finish_hardware_binding(&self, binding: BindingId, serial: &str, code: &str, now: SimTime) -> Answer {
        self.service
            .finish_hardware_binding(binding, serial, code, now)
            .map_err(refused("finish hardware binding"))
    }

    fn start_unbinding(&self, session: SessionId, kind: DeviceKind, now: SimTime) -> Answer {
        self.service.start_unbinding(session, kind, now).map_err(refused("start unbinding"))
    }

    fn resync(
        &self,
        user: &str,
        password: &str,
        kind: DeviceKind,
        first: &str,
        second: &str,
        now: SimTime,
    ) -> Answer {
        self.service.resync(user, password, kind, first, second, now).map_err(refused("resync"))
    }

    fn support_reset(&self, user: &str, kind: DeviceKind, now: SimTime) -> Answer {
        self.service.support_reset(user, kind, SUPPORT_TICKET, now).map_err(refused("support reset"))
    }
}
