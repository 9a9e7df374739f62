//! The codes a step names: what a device shows, an SMS, a made-up wrong code, one used before.

use std::collections::BTreeSet;

use super::{MfaWorld, Prompt};
use crate::protocol::Method;
use crate::scenario::fault::no_answer;
use crate::scenario::params::CodeWords;

impl MfaWorld {
    /// Resolves `{code}` words to digits and the method they answer with.
    pub fn resolve_code(&mut self, actor: &str, words: &CodeWords, serial: Option<&str>) -> (Method, String) {
        match words {
            CodeWords::Device(kind) => {
                (kind.method(), self.code_shown(self.device(actor, *kind)).to_string())
            }
            CodeWords::ItShows => {
                let serial =
                    serial.unwrap_or_else(|| no_answer("\"the code it shows\" needs a device in the step"));
                (Method::HardwareMfa, self.code_shown(self.token(serial)).to_string())
            }
            CodeWords::FirstSms | CodeWords::LatestSms => {
                self.collect_sms();
                let inbox = &self.person(actor).inbox;
                let message = if *words == CodeWords::FirstSms { inbox.first() } else { inbox.last() };
                let message =
                    message.cloned().unwrap_or_else(|| no_answer(format!("{actor} was sent no SMS")));
                self.advance_to(message.delivered_at);
                (Method::Sms, message.code)
            }
            CodeWords::Wrong => {
                let method = self.prompt_method(actor);
                (method, self.wrong_code(actor, method))
            }
            CodeWords::Again => self
                .person(actor)
                .last_code
                .clone()
                .unwrap_or_else(|| no_answer(format!("{actor} entered no code yet"))),
            CodeWords::UsedBy(other) => self
                .person(other)
                .last_code
                .clone()
                .unwrap_or_else(|| no_answer(format!("{other} entered no code yet"))),
            CodeWords::Literal(digits) => (self.prompt_method(actor), digits.clone()),
        }
    }

    /// The method a made-up code answers the actor's prompt with: the first device method
    /// offered, else SMS, else the password.
    fn prompt_method(&self, actor: &str) -> Method {
        match &self.person(actor).prompt {
            Some(Prompt::Challenge { methods, .. }) => {
                [Method::VirtualMfa, Method::HardwareMfa, Method::Sms, Method::Password]
                    .into_iter()
                    .find(|m| methods.contains(*m))
                    .unwrap_or(Method::VirtualMfa)
            }
            Some(Prompt::Binding { kind, .. }) => kind.method(),
            _ => Method::VirtualMfa,
        }
    }

    /// A well-formed code valid nowhere near now for the account's devices and SMS: distinct
    /// on every call, so a run of wrong codes is never a replay of itself.
    fn wrong_code(&mut self, actor: &str, method: Method) -> String {
        if method == Method::Password {
            return "not-the-password".into();
        }
        let account = self.person(actor).acting_as.clone().unwrap_or_else(|| actor.to_owned());
        let mut valid: BTreeSet<u32> = self.codes_near(&account, 20).iter().map(|c| c.value()).collect();
        let person = self.person(&account);
        valid.extend(person.inbox.iter().filter_map(|d| d.code.parse::<u32>().ok()));
        let used = self.transcript.len() as u32;
        let mut candidate = (123_457u32.wrapping_mul(used + 1)) % 1_000_000;
        while valid.contains(&candidate) {
            candidate = (candidate + 7_919) % 1_000_000;
        }
        self.log(format!("{actor} makes up a wrong code"));
        format!("{candidate:06}")
    }
}
