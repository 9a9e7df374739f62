//! Resynchronisation with two consecutive codes: how far from now a pair is found, whether
//! the code after the pair still works, whether the pair's own code signs in again, and
//! whether two codes that are not consecutive pass. Each failed resync counts against its
//! account, so every point is a fresh account.

use super::bisect::first_where;
use super::error::ProbeError;
use super::lab::{Lab, Subject};
use super::report::{Measured, Reach, ResyncFigures, ResyncFollowUp};
use crate::clock::SimTime;
use crate::protocol::{Capability, Method};

/// The furthest pair tried: a week of 30-second steps.
pub const REACH_HORIZON_STEPS: u64 = 20_160;
/// Where the follow-up pairs sit: 20 steps (10 minutes) ahead, as a drifted token would.
const PAIR_OFFSET: u64 = 20;

/// Measures resync.
pub(crate) fn measure(lab: &Lab) -> ResyncFigures {
    let reason = if !lab.has(Capability::Resync) {
        Some("needs resync".to_owned())
    } else {
        lab.cannot_enrol(Method::VirtualMfa)
    };
    if let Some(reason) = reason {
        return ResyncFigures {
            reach_ahead: Measured::not_measured(reason.clone()),
            reach_behind: Measured::not_measured(reason.clone()),
            burns_next_code: Measured::not_measured(reason.clone()),
            pair_reusable: Measured::not_measured(reason.clone()),
            non_consecutive: Measured::not_measured(reason),
        };
    }
    let reach_ahead: Measured<Reach> = lab.steady(|t| reach(lab, t, 1)).into();
    let reach_behind = lab.steady(|t| reach(lab, t, -1)).into();
    let offset = match reach_ahead.value() {
        Some(Reach { steps: Some(r), .. }) if *r < 3 => None,
        Some(Reach { steps, .. }) => {
            Some(PAIR_OFFSET.min(steps.unwrap_or(PAIR_OFFSET).saturating_sub(2)) as i64)
        }
        None => None,
    };
    let Some(p) = offset else {
        let reason = "needs a resync reach of at least 3 steps ahead";
        return ResyncFigures {
            reach_ahead,
            reach_behind,
            burns_next_code: Measured::not_measured(reason),
            pair_reusable: Measured::not_measured(reason),
            non_consecutive: Measured::not_measured(reason),
        };
    };
    let sign_in = |next: i64| match lab.cannot_verify(Method::VirtualMfa) {
        Some(reason) => Measured::not_measured(reason),
        None => lab.steady(|t| follow_up(lab, p, p + next, t)).into(),
    };
    ResyncFigures {
        reach_ahead,
        reach_behind,
        burns_next_code: sign_in(2),
        pair_reusable: sign_in(1),
        non_consecutive: lab.steady(|t| non_consecutive(lab, p, t)).into(),
    }
}

/// The furthest distance (`direction` 1: ahead, -1: behind) at which a consecutive pair
/// resyncs: the pair's outer code is `d` steps from now.
fn reach(lab: &Lab, t: SimTime, direction: i64) -> Result<Reach, ProbeError> {
    let refused = |d: u64| -> Result<bool, ProbeError> {
        let subject = lab.totp_subject("resync-reach", t)?;
        let outer = d as i64 * direction;
        let (first, second) = if direction > 0 { (outer - 1, outer) } else { (outer, outer + 1) };
        Ok(!pair(lab, &subject, first, second, t)?.is_accepted())
    };
    let edge = first_where(1, REACH_HORIZON_STEPS, refused)?;
    Ok(Reach { steps: edge.map(|d| d - 1), horizon_steps: REACH_HORIZON_STEPS })
}

/// A resync with the pair at `p`, `p + 1`, then a sign-in with the code at `code_at`.
fn follow_up(lab: &Lab, p: i64, code_at: i64, t: SimTime) -> Result<ResyncFollowUp, ProbeError> {
    let subject = lab.totp_subject("resync-next", t)?;
    let resynced = pair(lab, &subject, p, p + 1, t)?;
    if !resynced.is_accepted() {
        return Err(ProbeError::unexpected("resynchronising within the measured reach", resynced));
    }
    let answer = lab.try_code(&subject, &subject.code(t, code_at)?, t)?;
    Ok(ResyncFollowUp { offset: p, accepted: answer.is_accepted(), answer: answer.to_string() })
}

/// A resync with the codes at `p` and `p + 2`.
fn non_consecutive(lab: &Lab, p: i64, t: SimTime) -> Result<ResyncFollowUp, ProbeError> {
    let subject = lab.totp_subject("resync-gap", t)?;
    let answer = pair(lab, &subject, p, p + 2, t)?;
    Ok(ResyncFollowUp { offset: p, accepted: answer.is_accepted(), answer: answer.to_string() })
}

fn pair(
    lab: &Lab,
    subject: &Subject,
    first: i64,
    second: i64,
    t: SimTime,
) -> Result<crate::protocol::Verdict, ProbeError> {
    lab.resync(subject, &subject.code(t, first)?, &subject.code(t, second)?, t)
}
