//! How a step says what went wrong. Steps panic (that is how cucumber learns a step failed),
//! but with a typed payload, so the report can tell a target that does not conform
//! ([`Mismatch`]) from a harness that could not get an answer ([`NoAnswer`]), and show
//! expected and actual separately.

use std::any::Any;

/// A `Then` whose expectation did not hold: the target does not conform.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// What the scenario expected, in the step's words.
    pub expected: String,
    /// What the target did.
    pub actual: String,
    /// Where in simulated time, and what led up to it.
    pub context: String,
}

/// The target gave no usable answer (refused connection, timeout, garbage): no verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoAnswer {
    /// The request and the start of the response, secrets redacted.
    pub message: String,
}

/// The target refused an action outright (a setup it would not do, an operation the profile
/// does not map, a handle it does not know). In a `Given` step that is a precondition the
/// scenario cannot stand on: the collector ends it as not applicable (when the target declared
/// the step's capability absent) or as an error naming the step, never as a failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused {
    /// What was refused and the target's answer, secrets redacted.
    pub message: String,
}

/// The scenario needs what this run cannot give (real waiting beyond the run's budget, on a
/// target whose clock runs on its own): not applicable, never a pass or a failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotApplicable {
    /// What it would need, in numbers.
    pub reason: String,
}

/// Fails the current step as a conformance failure.
pub fn mismatch(expected: impl Into<String>, actual: impl Into<String>, context: impl Into<String>) -> ! {
    std::panic::panic_any(Mismatch {
        expected: expected.into(),
        actual: actual.into(),
        context: context.into(),
    })
}

/// Fails the current step as a harness error.
pub fn no_answer(message: impl Into<String>) -> ! {
    std::panic::panic_any(NoAnswer { message: message.into() })
}

/// Fails the current step as refused by the target (see [`Refused`]).
pub fn refused(message: impl Into<String>) -> ! {
    std::panic::panic_any(Refused { message: message.into() })
}

/// Ends the scenario as not applicable.
pub fn not_applicable(reason: impl Into<String>) -> ! {
    std::panic::panic_any(NotApplicable { reason: reason.into() })
}

/// What a panic payload says about the failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// A conformance failure with expected and actual.
    Mismatch(Mismatch),
    /// No answer from the target.
    NoAnswer(NoAnswer),
    /// The target refused an action.
    Refused(Refused),
    /// The scenario cannot run here after all.
    NotApplicable(NotApplicable),
    /// Any other panic: a bug in a step or in the harness, reported as a harness error.
    Panic(String),
}

impl Fault {
    /// Reads a panic payload.
    pub fn of(payload: &(dyn Any + Send)) -> Fault {
        if let Some(m) = payload.downcast_ref::<Mismatch>() {
            Fault::Mismatch(m.clone())
        } else if let Some(n) = payload.downcast_ref::<NoAnswer>() {
            Fault::NoAnswer(n.clone())
        } else if let Some(r) = payload.downcast_ref::<Refused>() {
            Fault::Refused(r.clone())
        } else if let Some(n) = payload.downcast_ref::<NotApplicable>() {
            Fault::NotApplicable(n.clone())
        } else if let Some(s) = payload.downcast_ref::<&str>() {
            Fault::Panic((*s).to_owned())
        } else if let Some(s) = payload.downcast_ref::<String>() {
            Fault::Panic(s.clone())
        } else {
            Fault::Panic("a step panicked with an unreadable payload".into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_are_classified() {
        let caught =
            std::panic::catch_unwind(|| mismatch("rejected", "accepted", "at unix:1.000")).unwrap_err();
        assert_eq!(
            Fault::of(caught.as_ref()),
            Fault::Mismatch(Mismatch {
                expected: "rejected".into(),
                actual: "accepted".into(),
                context: "at unix:1.000".into()
            })
        );
        let caught =
            std::panic::catch_unwind(|| no_answer("POST /v1/login: connection refused")).unwrap_err();
        assert!(matches!(Fault::of(caught.as_ref()), Fault::NoAnswer(_)));
        let caught = std::panic::catch_unwind(|| refused("creating an account: HTTP 403")).unwrap_err();
        assert!(matches!(Fault::of(caught.as_ref()), Fault::Refused(_)));
        let caught = std::panic::catch_unwind(|| not_applicable("needs 40 s of real waiting")).unwrap_err();
        assert!(matches!(Fault::of(caught.as_ref()), Fault::NotApplicable(_)));
        let caught = std::panic::catch_unwind(|| panic!("index {} out of range", 3)).unwrap_err();
        assert_eq!(Fault::of(caught.as_ref()), Fault::Panic("index 3 out of range".into()));
    }
}
