//! Replay: one accepted code sent again, one after the other and many at once.

use super::error::ProbeError;
use super::lab::{Lab, Subject};
use super::report::{Measured, ParallelCount, ReplayFigures, Rounds, SequentialReplay, WindowFigures};
use crate::clock::SimTime;
use crate::protocol::{ChallengeId, Method};

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
    let rounds = (0..ROUNDS).map(|_| parallel(lab)).collect::<Result<Vec<_>, _>>();
    ReplayFigures {
        sequential: match lab.cannot_reuse_device() {
            Some(reason) => Measured::not_measured(reason),
            None => lab.steady(|t| sequential(lab, t)).into(),
        },
        parallel: rounds.map(|rounds| Rounds { rounds }).into(),
    }
}

fn sequential(lab: &Lab, t: SimTime) -> Result<SequentialReplay, ProbeError> {
    let subject = lab.totp_subject("replay", t)?;
    let code = subject.code(t, 0)?;
    let first = lab.try_code(&subject, &code, t)?;
    if !first.is_accepted() {
        return Err(ProbeError::unexpected("sending a fresh device's current code", first));
    }
    let again = lab.try_code(&subject, &code, t)?;
    Ok(SequentialReplay { accepted_again: again.is_accepted(), answer: again.to_string() })
}

/// One burst: the device and its prompts are prepared first (on a real server that takes
/// longer than a step); only the burst itself has to fit in one.
fn parallel(lab: &Lab) -> Result<ParallelCount, ProbeError> {
    let prepare = || {
        let t = lab.now()?;
        let subject = lab.totp_subject("replay-parallel", t)?;
        let prompts = lab.prompts(&subject, Method::VirtualMfa, PARALLEL, t)?;
        Ok((subject, prompts))
    };
    lab.steady_after(prepare, |(subject, prompts), t| burst(lab, &subject, prompts, t))
}

fn burst(
    lab: &Lab,
    subject: &Subject,
    prompts: Vec<ChallengeId>,
    t: SimTime,
) -> Result<ParallelCount, ProbeError> {
    let code = subject.code(t, 0)?;
    let calls: Vec<_> = prompts.into_iter().map(|p| (p, code.clone())).collect();
    Ok(ParallelCount::of(&lab.at_once(&calls, Method::VirtualMfa, t)?))
}
