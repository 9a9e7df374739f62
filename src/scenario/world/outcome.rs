//! Verdicts: what each step got, the prompts they open, and whether they meet an expectation.

use super::{MfaWorld, Prompt};
use crate::protocol::{ChallengeId, MethodSet, RejectReason, SessionId, Verdict};
use crate::scenario::fault::{mismatch, no_answer, refused};
use crate::scenario::params::{Attempt, Expect};

/// The last verdict a step got, who got it and which kinds of attempt it answers.
#[derive(Clone, Debug)]
pub struct Last {
    /// The person who acted.
    pub actor: String,
    /// What kinds of attempt this verdict is for (an answer in an unbinding flow is both a
    /// `code` and an `unbinding`).
    pub kinds: Vec<Attempt>,
    /// The verdict.
    pub verdict: Verdict,
}

impl MfaWorld {
    /// Records a verdict: the person's session and prompt follow it.
    pub fn remember(&mut self, actor: &str, kinds: Vec<Attempt>, verdict: Verdict) {
        let purpose = kinds.last().copied().unwrap_or(Attempt::Code);
        self.log(format!("{actor}: {verdict}"));
        let person = self.person_mut(actor);
        match &verdict {
            Verdict::Accepted { session: Some(s) } => {
                person.session = Some(*s);
                person.prompt = None;
            }
            Verdict::Accepted { session: None } => person.prompt = None,
            Verdict::ChallengeRequired { challenge, methods } => {
                person.prompt = Some(Prompt::Challenge { challenge: *challenge, methods: *methods, purpose })
            }
            Verdict::ConfirmRequired { challenge } => {
                person.prompt = Some(Prompt::Confirm { challenge: *challenge, purpose })
            }
            Verdict::BindingOpen { binding, kind, enrolment } => {
                person.prompt = Some(Prompt::Binding {
                    purpose,
                    binding: *binding,
                    kind: *kind,
                    enrolment: enrolment.clone(),
                })
            }
            Verdict::Rejected { .. } | Verdict::SmsSent => {}
        }
        self.last = Some(Last { actor: actor.to_owned(), kinds, verdict });
        self.collect_sms();
    }

    /// Ends the scenario as a refused precondition unless the last verdict accepted what a
    /// `Given` arranged (`what`): a scenario must not go on from a state it never reached.
    pub fn require_accepted(&self, what: &str) {
        let verdict = &self.last().verdict;
        if !matches!(verdict, Verdict::Accepted { .. }) {
            refused(format!("{what} at {}: the target answered {verdict}", self.now()));
        }
    }

    /// The last verdict.
    pub fn last(&self) -> &Last {
        self.last.as_ref().unwrap_or_else(|| no_answer("no action was taken yet"))
    }

    /// The verdicts of the last "at once" step.
    pub fn crowd(&self) -> &[Verdict] {
        &self.crowd
    }

    /// Stores the verdicts of an "at once" step.
    pub fn set_crowd(&mut self, verdicts: Vec<Verdict>) {
        self.log(format!("{} parallel answers", verdicts.len()));
        self.crowd = verdicts;
    }

    /// Signs `actor` in to `account` if they have no session; a second-factor prompt on the
    /// way is a harness error, because the scenario should spell that sign-in out.
    pub fn ensure_session(&mut self, actor: &str) -> SessionId {
        if let Some(s) = self.person(actor).session {
            return s;
        }
        let account = self.person(actor).acting_as.clone().unwrap_or_else(|| actor.to_owned());
        let password = self.password_for(actor, &account);
        let origin = self.person(actor).origin.clone();
        let verdict = self.call("signing in", |t, now| t.login(&account, &password, &origin, now));
        match verdict {
            Verdict::Accepted { session: Some(s) } => {
                self.person_mut(actor).session = Some(s);
                s
            }
            other => no_answer(format!(
                "{actor} needs a session for this step, but signing in gave: {other} (write the sign-in out as steps)"
            )),
        }
    }

    /// The actor's open challenge.
    pub fn open_challenge(&self, actor: &str) -> (ChallengeId, MethodSet, Attempt) {
        match &self.person(actor).prompt {
            Some(Prompt::Challenge { challenge, methods, purpose }) => (*challenge, *methods, *purpose),
            other => no_answer(format!("{actor} has no open second-factor prompt (has {other:?})")),
        }
    }

    /// Fails the step unless the last verdict answers `attempt` and meets `expect`.
    pub fn check_outcome(&self, attempt: Attempt, expect: Expect) {
        let last = self.last();
        if !last.kinds.contains(&attempt) {
            no_answer(format!(
                "the step checks a {attempt:?} but the last action was a {:?} ({})",
                last.kinds, last.verdict
            ));
        }
        if !meets(&last.verdict, expect) {
            mismatch(format!("{expect:?}"), last.verdict.to_string(), self.context());
        }
    }
}

/// Whether a verdict meets an expected outcome.
pub fn meets(verdict: &Verdict, expect: Expect) -> bool {
    let accepted = matches!(
        verdict,
        Verdict::Accepted { .. }
            | Verdict::SmsSent
            | Verdict::BindingOpen { .. }
            | Verdict::ConfirmRequired { .. }
    );
    let reason = verdict.reject_reason();
    match expect {
        Expect::Accepted => accepted,
        Expect::NotAccepted => !accepted,
        // A code or binding turned down; refusals that never looked at it have their own words.
        Expect::Rejected => reason.is_some_and(|r| !is_refusal(r)),
        Expect::Replay => reason == Some(RejectReason::Replayed),
        Expect::Expired => reason == Some(RejectReason::Expired),
        Expect::LockedOut => reason == Some(RejectReason::LockedOut),
        Expect::NotAllowed => matches!(reason, Some(RejectReason::NotAllowed | RejectReason::NotBeta)),
        Expect::TooSoon => reason == Some(RejectReason::Throttled),
    }
}

/// Rejections that refuse the request without judging the code ("refused as ...").
fn is_refusal(reason: RejectReason) -> bool {
    matches!(
        reason,
        RejectReason::LockedOut | RejectReason::NotAllowed | RejectReason::NotBeta | RejectReason::Throttled
    )
}
