//! Replay: one accepted code sent again, one after the other and many at once.

use super::error::ProbeError;
use super::lab::Lab;
use super::report::{Measured, ParallelCount, ReplayFigures, Rounds, SequentialReplay, WindowFigures};
use crate::protocol::Method;

/// Copies of one code sent at once.
pub const PARALLEL: usize = 16;
/// Bursts, each on a fresh account.
pub const ROUNDS: usize = 3;

/// Measures both replays, given the window (the current step's code must be accepted).
pub(crate) fn measure(lab: &Lab, window: &Measured<WindowFigures>) -> ReplayFigures {
    let reason = match window.value() {
        None => Some("needs the accepted window".to_owned()),
        Some(w) if !w.current_accepted() => Some("the current step's code is not accepted".to_owned()),
        Some(_) => None,
    };
    if let Some(reason) = reason {
        return ReplayFigures {
            sequential: Measured::not_measured(reason.clone()),
            parallel: Measured::not_measured(reason),
        };
    }
    let rounds = (0..ROUNDS).map(|_| lab.steady(|t| parallel(lab, t))).collect::<Result<Vec<_>, _>>();
    ReplayFigures {
        sequential: match lab.cannot_reuse_device() {
            Some(reason) => Measured::not_measured(reason),
            None => lab.steady(|t| sequential(lab, t)).into(),
        },
        parallel: rounds.map(|rounds| Rounds { rounds }).into(),
    }
}

fn sequential(lab: &Lab, t: crate::clock::SimTime) -> Result<SequentialReplay, ProbeError> {
    let subject = lab.totp_subject("replay", t)?;
    let code = subject.code(t, 0)?;
    let first = lab.try_code(&subject, &code, t)?;
    if !first.is_accepted() {
        return Err(ProbeError::unexpected("sending a fresh device's current code", first));
    }
    let again = lab.try_code(&subject, &code, t)?;
    Ok(SequentialReplay { accepted_again: again.is_accepted(), answer: again.to_string() })
}

fn parallel(lab: &Lab, t: crate::clock::SimTime) -> Result<ParallelCount, ProbeError> {
    let subject = lab.totp_subject("replay-parallel", t)?;
    let code = subject.code(t, 0)?;
    let prompts = lab.prompts(&subject, Method::VirtualMfa, PARALLEL, t)?;
    let calls: Vec<_> = prompts.into_iter().map(|p| (p, code.clone())).collect();
    Ok(ParallelCount::of(&lab.at_once(&calls, Method::VirtualMfa, t)?))
}
