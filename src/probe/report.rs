//! What a probe measured: the typed [`ProbeReport`] saved as JSON. Every figure is a
//! [`Measured`] value, so a figure the probe could not take says why instead of guessing.
//! The verdict texts the target answered are kept as evidence beside each figure.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::error::ProbeError;
use super::figure::DeclaredCheck;
use super::grading::GradeCard;
use crate::protocol::{PolicyFacts, Verdict};
use crate::sut::{Answer, TargetError, TargetInfo};

/// One figure, or why there is none.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Measured<T> {
    /// The probe took the figure.
    Measured {
        /// The figure.
        value: T,
    },
    /// The target lacks what the probe needs (clock control, SMS, ...), or an earlier figure
    /// rules the measurement out. Never a guess.
    NotMeasured {
        /// Why, in words (`needs clock control`).
        reason: String,
    },
    /// The target gave no usable answer, so there is no figure.
    Error {
        /// The error, naming the request.
        message: String,
    },
}

impl<T> Measured<T> {
    /// The figure, if measured.
    pub fn value(&self) -> Option<&T> {
        match self {
            Measured::Measured { value } => Some(value),
            _ => None,
        }
    }

    /// A figure that was not measured, for `reason`.
    pub fn not_measured(reason: impl Into<String>) -> Self {
        Measured::NotMeasured { reason: reason.into() }
    }

    /// Why there is no figure, if there is none.
    pub fn missing(&self) -> Option<String> {
        match self {
            Measured::Measured { .. } => None,
            Measured::NotMeasured { reason } => Some(format!("not measured: {reason}")),
            Measured::Error { message } => Some(format!("error: {message}")),
        }
    }
}

impl<T> From<Result<T, ProbeError>> for Measured<T> {
    fn from(result: Result<T, ProbeError>) -> Self {
        match result {
            Ok(value) => Measured::Measured { value },
            Err(e) => Measured::Error { message: e.to_string() },
        }
    }
}

/// How the probe ran the target's time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockMode {
    /// The probe sets the target's clock (in-process reference, `serve --test-clock`): time
    /// is simulated and the figures that need time to pass are measured.
    Simulated,
    /// The target runs on its own clock and reports it; measurements that straddle a step
    /// edge are repeated. Nothing that needs time to pass is measured.
    ServerClock,
    /// The target runs on its own clock and the harness maps device time onto it (profile
    /// targets). Nothing that needs time to pass is measured.
    MappedClock,
}

/// Everything the probe measured about one target.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeReport {
    /// Report format version.
    pub format: u32,
    /// The seed: the same seed gives the same users, keys, times and bytes.
    pub seed: u64,
    /// Where the probe pointed.
    pub target: TargetInfo,
    /// How time was run.
    pub clock: ClockMode,
    /// The policy numbers the target declares ([`crate::sut::Target::policy_facts`]).
    pub declared: PolicyFacts,
    /// The declared numbers against the measured ones: a disagreement is a failure.
    pub declared_checks: Vec<DeclaredCheck>,
    /// Which steps around the current one are accepted.
    pub window: Measured<WindowFigures>,
    /// How the window follows a success.
    pub drift: Measured<DriftFigures>,
    /// Whether a code is accepted more than once.
    pub replay: ReplayFigures,
    /// The failure counter and the lock.
    pub lockout: LockoutFigures,
    /// SMS codes.
    pub sms: SmsFigures,
    /// Resynchronisation with two consecutive codes.
    pub resync: ResyncFigures,
    /// Grades per area and overall, with the figures behind them.
    pub grades: GradeCard,
}

/// The answer to one code at one step offset.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffsetAnswer {
    /// Steps from the current one (negative: older codes).
    pub offset: i64,
    /// Whether the code was accepted.
    pub accepted: bool,
    /// The target's answer, in words.
    pub answer: String,
}

/// The accepted window: one fresh device per offset, so neither the replay guard nor drift
/// learning can bias a neighbour.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowFigures {
    /// Every offset probed, oldest first.
    pub offsets: Vec<OffsetAnswer>,
}

impl WindowFigures {
    /// Whether the current step's code is accepted.
    pub fn current_accepted(&self) -> bool {
        self.accepted(0)
    }

    /// Consecutive older steps accepted next to the current one.
    pub fn behind(&self) -> u64 {
        (1i64..).take_while(|k| self.accepted(-k)).count() as u64
    }

    /// Consecutive newer steps accepted next to the current one.
    pub fn ahead(&self) -> u64 {
        (1i64..).take_while(|k| self.accepted(*k)).count() as u64
    }

    /// Offsets accepted, counted.
    pub fn width(&self) -> u64 {
        self.offsets.iter().filter(|o| o.accepted).count() as u64
    }

    /// Whether the accepted offsets form one run around the current step.
    pub fn contiguous(&self) -> bool {
        self.current_accepted() && self.width() == 1 + self.behind() + self.ahead()
    }

    /// Whether the scan's outermost offsets were accepted (the window may reach further).
    pub fn reaches_scan_edge(&self) -> bool {
        self.offsets.first().is_some_and(|o| o.accepted) || self.offsets.last().is_some_and(|o| o.accepted)
    }

    fn accepted(&self, offset: i64) -> bool {
        self.offsets.iter().any(|o| o.offset == offset && o.accepted)
    }
}

/// How the window follows an accepted code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DriftFigures {
    /// The offset of the success that should teach a drift: the window's newest step.
    pub edge: i64,
    /// Steps the window's newest accepted step moved after that one success (0: no
    /// tracking). Measured with a fresh device per candidate offset.
    pub shift_per_success: u64,
    /// The largest shift tried: a shift this large may be larger still.
    pub shift_limit: u64,
    /// Codes sent one after another at one instant, each one step newer than the last.
    pub chain_sent: u32,
    /// How many of them were accepted in a row before the first refusal.
    pub chain_accepted: u32,
    /// The newest offset accepted in the chain.
    pub chain_reach: i64,
}

/// Replays of one accepted code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplayFigures {
    /// The same code sent again after it was accepted.
    pub sequential: Measured<SequentialReplay>,
    /// Copies of one code sent at once, in rounds (a race may show only sometimes).
    pub parallel: Measured<Rounds<ParallelCount>>,
}

/// A burst repeated on fresh accounts: a race may show in one round and not in another, so
/// the figure is the worst round.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rounds<T> {
    /// Each round, in order.
    pub rounds: Vec<T>,
}

impl Rounds<ParallelCount> {
    /// The most copies accepted in one round.
    pub fn most_accepted(&self) -> Option<&ParallelCount> {
        self.rounds.iter().max_by_key(|r| r.accepted)
    }
}

impl Rounds<ParallelGuesses> {
    /// The round with the most guesses evaluated past the threshold.
    pub fn most_past(&self) -> Option<&ParallelGuesses> {
        self.rounds.iter().max_by_key(|r| r.past_threshold)
    }
}

impl ParallelCount {
    /// Counts the answers to a burst. A request with no usable answer counts under
    /// "no usable answer" and the start of what the target said (an HTTP status line, say),
    /// never as accepted: the client did not get in.
    pub(crate) fn of(answers: &[Answer]) -> Self {
        let mut counts = BTreeMap::new();
        for answer in answers {
            *counts.entry(answer_words(answer)).or_insert(0) += 1;
        }
        ParallelCount {
            sent: answers.len() as u32,
            accepted: answers.iter().filter(|a| a.as_ref().is_ok_and(Verdict::is_accepted)).count() as u32,
            answers: counts,
        }
    }

    /// Requests the target gave no usable answer to.
    pub fn unanswered(&self) -> u32 {
        self.answers.iter().filter(|(words, _)| words.starts_with(NO_USABLE_ANSWER)).map(|(_, n)| n).sum()
    }

    /// What the target said instead of an answer (`500 Internal Server Error`), once each.
    pub fn unanswered_kinds(&self) -> impl Iterator<Item = &str> + '_ {
        self.answers.keys().filter_map(|words| {
            words
                .strip_prefix(NO_USABLE_ANSWER)
                .map(|rest| rest.trim_start_matches(" (").trim_end_matches(')'))
        })
    }
}

/// How a burst's count names a request the target gave no usable answer to.
const NO_USABLE_ANSWER: &str = "no usable answer";

/// A verdict as it reads, or a target error as the HTTP status it names (`HTTP 500`), else
/// its first clause: what is the same from run to run where the rest may not be.
fn answer_words(answer: &Answer) -> String {
    match answer {
        Ok(verdict) => verdict.to_string(),
        Err(TargetError::NoAnswer { message, .. } | TargetError::Refused { message, .. }) => {
            format!("{NO_USABLE_ANSWER} ({})", http_status(message).unwrap_or_else(|| first_clause(message)))
        }
    }
}

/// `HTTP 500` for a message that names a status (`500 Internal Server Error: ...`, `... matches
/// HTTP 500, ...`).
fn http_status(message: &str) -> Option<String> {
    let is_status = |word: &str| {
        word.len() == 3
            && word.starts_with(['1', '2', '3', '4', '5'])
            && word.bytes().all(|b| b.is_ascii_digit())
    };
    let words: Vec<&str> = message.split([' ', ',', ':']).collect();
    let status = match words.first() {
        Some(first) if is_status(first) => Some(*first),
        _ => words.windows(2).find(|w| w[0] == "HTTP" && is_status(w[1])).map(|w| w[1]),
    };
    status.map(|s| format!("HTTP {s}"))
}

fn first_clause(message: &str) -> String {
    let head: String = message.split([':', ',']).next().unwrap_or_default().chars().take(60).collect();
    head.trim().to_owned()
}

/// One code sent twice, one after the other.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SequentialReplay {
    /// Whether the second copy was accepted.
    pub accepted_again: bool,
    /// The answer to the second copy.
    pub answer: String,
}

/// Requests sent at once (released together from one thread each) and what they got.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParallelCount {
    /// Requests sent.
    pub sent: u32,
    /// Requests accepted.
    pub accepted: u32,
    /// Answers by text, for the evidence.
    pub answers: BTreeMap<String, u32>,
}

/// The failure counter and the lock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockoutFigures {
    /// Consecutive wrong codes after which even the right code is refused.
    pub threshold: Measured<Threshold>,
    /// What a locked account answers.
    pub locked: Measured<LockedAnswers>,
    /// When the lock is released.
    pub release: Measured<Release>,
    /// Whether a success starts the count of failures again.
    pub success_resets: Measured<SuccessResets>,
    /// Wrong guesses sent at once against the counter, in rounds.
    pub parallel_guesses: Measured<Rounds<ParallelGuesses>>,
}

/// The lockout threshold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Threshold {
    /// Wrong codes that lock the account; `None`: no lock within `limit`.
    pub wrong_codes: Option<u32>,
    /// The most wrong codes tried (one more than NIST SP 800-63B's 100).
    pub limit: u32,
}

/// A locked account's answers, on prompts opened before the lock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockedAnswers {
    /// The answer to a wrong code before the lock.
    pub wrong_before_lock: String,
    /// The answer to a wrong code while locked.
    pub wrong: String,
    /// The answer to the right code while locked.
    pub right: String,
    /// The answer to a fresh sign-in (or operation) while locked.
    pub new_prompt: String,
}

impl LockedAnswers {
    /// Whether a guesser can tell the lock is on (a wrong code answers differently).
    pub fn visible(&self) -> bool {
        self.wrong != self.wrong_before_lock
    }

    /// Whether a locked account answers the right code differently from a wrong one, so a
    /// guesser keeps learning while locked.
    pub fn leaks_right_code(&self) -> bool {
        self.right != self.wrong
    }
}

/// When the lock ends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Release {
    /// Seconds after the locking failure when the right code is accepted again; `None`: not
    /// within `horizon_secs` (permanent as far as the probe can tell).
    pub after_secs: Option<u64>,
    /// The longest wait tried.
    pub horizon_secs: u64,
}

/// Whether a success resets the failure count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuccessResets {
    /// Whether it does: one fewer wrong codes than the threshold, the right code, one more
    /// wrong code, and the right code is still accepted.
    pub resets: bool,
    /// The answer to the last right code.
    pub answer: String,
}

/// A burst of wrong guesses against the failure counter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParallelGuesses {
    /// The burst.
    pub burst: ParallelCount,
    /// Guesses answered as evaluated (the answer a wrong code gets before the lock).
    pub evaluated: u32,
    /// Evaluated guesses beyond the threshold: what the race bought an attacker.
    pub past_threshold: u32,
    /// The answer to the right code after the burst.
    pub right_code_after: String,
}

/// SMS codes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsFigures {
    /// How long a code is accepted.
    pub lifetime: Measured<SmsLifetime>,
    /// Wrong answers that void a code.
    pub attempts: Measured<SmsAttempts>,
    /// Whether an accepted code answers a second prompt.
    pub single_use: Measured<SmsReuse>,
    /// Whether a code answers another prompt than its own.
    pub tied_to_challenge: Measured<SmsReuse>,
    /// Whether a second SMS is sent at once.
    pub resend_at_once: Measured<SmsResend>,
    /// The shortest wait before a second SMS is sent.
    pub resend_interval: Measured<Interval>,
}

/// How long an SMS code is accepted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsLifetime {
    /// How long the code was accepted: the first age (whole seconds) at which it was refused.
    /// A lifetime ends at its last instant, so a code valid for 300 s is refused at 300 s;
    /// `None`: still accepted at `horizon_secs`.
    pub accepted_for_secs: Option<u64>,
    /// The answer at that age.
    pub then: String,
    /// The longest age tried.
    pub horizon_secs: u64,
}

/// How many wrong answers void an SMS code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsAttempts {
    /// Wrong answers after which the right code is refused; `None`: not within `limit`.
    pub void_after: Option<u32>,
    /// The answer to the right code then.
    pub then: String,
    /// Whether it was the account lock, not the code's own limit, that refused it.
    pub by_account_lock: bool,
    /// The most wrong answers tried.
    pub limit: u32,
}

/// A used or foreign SMS code sent to another prompt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsReuse {
    /// Whether it was accepted.
    pub accepted: bool,
    /// The answer.
    pub answer: String,
}

/// A second SMS asked for at once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsResend {
    /// Whether it was refused.
    pub throttled: bool,
    /// The answer.
    pub answer: String,
}

/// A wait the probe measured.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interval {
    /// The shortest wait (whole seconds) after which the request was no longer refused as
    /// too soon; `None`: not within `horizon_secs`.
    pub secs: Option<u64>,
    /// The answer after that wait.
    pub then: String,
    /// The longest wait tried.
    pub horizon_secs: u64,
}

/// Resynchronisation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResyncFigures {
    /// How far ahead a pair of consecutive codes may be.
    pub reach_ahead: Measured<Reach>,
    /// How far behind.
    pub reach_behind: Measured<Reach>,
    /// Whether the code after the pair is refused right after a resync.
    pub burns_next_code: Measured<ResyncFollowUp>,
    /// Whether the pair's second code signs in afterwards.
    pub pair_reusable: Measured<ResyncFollowUp>,
    /// Whether two codes that are not consecutive resync.
    pub non_consecutive: Measured<ResyncFollowUp>,
}

/// How far from now a resync pair is found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reach {
    /// The furthest code's distance in steps; `None`: at least `horizon_steps`.
    pub steps: Option<u64>,
    /// The furthest distance tried.
    pub horizon_steps: u64,
}

/// One request after (or instead of) a resync, and its answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResyncFollowUp {
    /// The pair's offset from now, in steps.
    pub offset: i64,
    /// Whether the request was accepted.
    pub accepted: bool,
    /// The answer.
    pub answer: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::RejectReason;

    fn no_answer(message: &str) -> Answer {
        Err(TargetError::NoAnswer { request: "POST /validate/check".into(), message: message.into() })
    }

    #[test]
    fn a_burst_counts_requests_without_an_answer_by_their_http_status_never_as_accepted() {
        let burst = ParallelCount::of(&[
            Ok(Verdict::Accepted { session: None }),
            Ok(Verdict::rejected(RejectReason::Replayed)),
            no_answer("500 Internal Server Error: The server encountered an internal error"),
            no_answer("no rule of \"user_answer\" matches HTTP 500, answer starts \"{\\\"detail\""),
            no_answer("connection refused"),
        ]);
        assert_eq!((burst.sent, burst.accepted, burst.unanswered()), (5, 1, 3));
        let words: Vec<&str> = burst.answers.keys().map(String::as_str).collect();
        assert_eq!(
            words,
            [
                "accepted",
                "no usable answer (HTTP 500)",
                "no usable answer (connection refused)",
                "rejected (replayed)"
            ]
        );
        assert_eq!(burst.answers["no usable answer (HTTP 500)"], 2);
        assert_eq!(burst.unanswered_kinds().collect::<Vec<_>>(), ["HTTP 500", "connection refused"]);
    }
}
