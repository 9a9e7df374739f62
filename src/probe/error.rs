//! Why a measurement has no figure.

use crate::sut::TargetError;

/// A measurement could not be completed. The figure becomes an error in the report, never a
/// guess and never a pass.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// The target gave no usable answer.
    #[error("{doing}: {source}")]
    Target {
        /// What the probe was doing.
        doing: String,
        /// The target's error (secrets already redacted by the target).
        #[source]
        source: TargetError,
    },
    /// The target answered something the measurement cannot use (a sign-in without a
    /// second-factor prompt, a fresh code refused, ...).
    #[error("{doing}: unexpected answer: {answer}")]
    Unexpected {
        /// What the probe was doing.
        doing: String,
        /// The answer, in words.
        answer: String,
    },
    /// The grading table is unusable.
    #[error(transparent)]
    Grading(#[from] super::grading::GradingError),
}

impl ProbeError {
    /// An unexpected answer while `doing`.
    pub(crate) fn unexpected(doing: &str, answer: impl std::fmt::Display) -> Self {
        ProbeError::Unexpected { doing: doing.to_owned(), answer: answer.to_string() }
    }
}

/// Wraps a target error with what the probe was doing.
pub(crate) fn doing(what: &str) -> impl Fn(TargetError) -> ProbeError + '_ {
    move |source| ProbeError::Target { doing: what.to_owned(), source }
}
