//! What a matched response rule makes of an answer: an [`Outcome`] (ok, accepted, a session,
//! a rejection with its reason, a challenge with the methods offered, a confirmation box, an
//! open binding with its enrolment, an SMS sent), or an error quoting the server's message.
//! Handles are opened later, by the target, from the outcome and the step's variables.

use base64::Engine as _;

use super::Vars;
use super::connection::Shared;
use super::predicate::{self, Reply};
use super::schema::{Condition, ResultKind, RuleSpec};
use crate::protocol::{DeviceKind, Enrolment, MethodSet, RejectReason};
use crate::sut::{Answer, TargetError};

/// What a step's answer means, before handles are opened.
pub enum Outcome {
    /// Setup done; go on to the next step.
    Ok,
    /// Accepted, without a new session.
    Accepted,
    /// Accepted, with a new session.
    Session,
    /// Rejected.
    Rejected(RejectReason),
    /// A prompt offering these methods.
    Challenge(MethodSet),
    /// A confirmation box.
    Confirm,
    /// A binding of this kind is open, with the enrolment the server showed.
    Binding(DeviceKind, Option<Enrolment>),
    /// An SMS was sent.
    SmsSent,
}

/// A rule with no condition and only a result: what a step without a rule set means.
pub fn plain(result: ResultKind) -> RuleSpec {
    RuleSpec {
        when: Condition::default(),
        result,
        reason: None,
        methods: Vec::new(),
        methods_from: None,
        kind: None,
        uri_pointer: None,
        qr_pointer: None,
        message_pointer: None,
        message: None,
    }
}

impl Shared {
    /// The outcome `rule` gives `reply` (whose raw `body` error messages quote, redacted with
    /// `vars`' secrets).
    ///
    /// # Errors
    /// [`TargetError::Refused`] for an `error` rule, quoting the server's message;
    /// [`TargetError::NoAnswer`] for a challenge offering no method the profile maps.
    pub fn outcome(
        &self,
        label: &str,
        rule: &RuleSpec,
        reply: &Reply,
        body: &[u8],
        vars: &Vars,
    ) -> Answer<Outcome> {
        Ok(match rule.result {
            ResultKind::Ok => Outcome::Ok,
            ResultKind::Accepted => Outcome::Accepted,
            ResultKind::Session => Outcome::Session,
            // `load` made sure a rejection has a reason.
            ResultKind::Rejected => Outcome::Rejected(rule.reason.unwrap_or(RejectReason::WrongCode)),
            ResultKind::Confirm => Outcome::Confirm,
            ResultKind::SmsSent => Outcome::SmsSent,
            ResultKind::Challenge => {
                let mut methods: MethodSet = rule.methods.iter().copied().collect();
                if let Some(from) = &rule.methods_from
                    && let Some(items) = reply.at(&from.each).and_then(|v| v.as_array())
                {
                    for item in items {
                        let word = item.pointer(&from.field).and_then(predicate::value_text);
                        if let Some(method) = word.and_then(|w| from.map.get(&w)) {
                            methods = methods.with(*method);
                        }
                    }
                }
                if methods.is_empty() {
                    return Err(TargetError::NoAnswer {
                        request: label.to_owned(),
                        message: format!(
                            "a challenge offering no method the profile maps, answer starts {:?}",
                            self.excerpt(body, vars)
                        ),
                    });
                }
                Outcome::Challenge(methods)
            }
            ResultKind::Binding => {
                let kind = rule.kind.unwrap_or(DeviceKind::Virtual);
                let uri = rule.uri_pointer.as_deref().and_then(|p| reply.text_at(p));
                let enrolment = uri.map(|uri| {
                    let qr = rule
                        .qr_pointer
                        .as_deref()
                        .and_then(|p| reply.text_at(p))
                        .and_then(|d| decode_data_uri(&d))
                        .unwrap_or_else(|| crate::qr::encode_png(&uri));
                    Enrolment { uri, qr_png: qr }
                });
                Outcome::Binding(kind, enrolment)
            }
            ResultKind::Error => {
                let said = rule
                    .message_pointer
                    .as_deref()
                    .and_then(|p| reply.text_at(p))
                    .or_else(|| rule.message.clone())
                    .unwrap_or_else(|| format!("HTTP {}", reply.status));
                return Err(TargetError::Refused {
                    request: label.to_owned(),
                    message: format!(
                        "{}; answer starts {:?}",
                        self.redact(&said, vars),
                        self.excerpt(body, vars)
                    ),
                });
            }
        })
    }
}

/// The bytes of a `data:...;base64,` URI (a QR code image a server shows).
fn decode_data_uri(text: &str) -> Option<Vec<u8>> {
    let (_, data) = text.split_once(";base64,")?;
    base64::engine::general_purpose::STANDARD.decode(data.trim()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_uris_decode_and_anything_else_does_not() {
        assert_eq!(decode_data_uri("data:image/png;base64,aGk="), Some(b"hi".to_vec()));
        assert_eq!(decode_data_uri("data:image/png;base64,%%%"), None);
        assert_eq!(decode_data_uri("https://example.com/qr.png"), None);
    }
}
