//! Parallel guesses against the failure counter: the threshold plus 16 wrong codes released
//! at once on prompts opened beforehand, in rounds on fresh accounts. A counter that checks and counts atomically
//! evaluates exactly the threshold's worth and refuses the rest as locked; every guess
//! evaluated beyond the threshold is one the race gave an attacker for free.

use super::lab::Lab;
use super::replay::ROUNDS;
use super::report::{LockedAnswers, Measured, ParallelCount, ParallelGuesses, Rounds};
use crate::protocol::Method;

/// Guesses sent beyond the threshold.
pub const EXTRA: usize = 16;

/// Measures the burst, given the threshold and what a locked account answers (the answers
/// tell evaluated guesses from refused ones only when the lock shows).
pub(crate) fn measure(
    lab: &Lab,
    locks_at: u32,
    locked: &Measured<LockedAnswers>,
) -> Measured<Rounds<ParallelGuesses>> {
    let Some(locked) = locked.value() else {
        return Measured::not_measured("needs what a locked account answers");
    };
    if !locked.visible() {
        return Measured::not_measured(
            "a locked account answers a wrong code as before the lock, so the answers cannot tell evaluated guesses from refused ones",
        );
    }
    let sent = locks_at as usize + EXTRA;
    let prepare = || {
        let t = lab.now()?;
        let subject = lab.totp_subject("lockout-parallel", t)?;
        let prompts = lab.prompts(&subject, Method::VirtualMfa, sent + 1, t)?;
        Ok((subject, prompts))
    };
    let round = || {
        lab.steady_after(prepare, |(subject, prompts), t| {
            let codes = subject.wrong_codes(t, sent, None);
            let calls: Vec<_> = prompts[..sent].iter().copied().zip(codes).collect();
            let burst = ParallelCount::of(&lab.at_once(&calls, Method::VirtualMfa, t)?);
            let right = lab.answer(prompts[sent], Method::VirtualMfa, &subject.code(t, 0)?, t)?;
            let evaluated = burst.answers.get(&locked.wrong_before_lock).copied().unwrap_or(0);
            Ok(ParallelGuesses {
                evaluated,
                past_threshold: evaluated.saturating_sub(locks_at),
                right_code_after: right.to_string(),
                burst,
            })
        })
    };
    (0..ROUNDS).map(|_| round()).collect::<Result<Vec<_>, _>>().map(|rounds| Rounds { rounds }).into()
}
