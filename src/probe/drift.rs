//! Drift tracking: whether, and how far, the window follows an accepted code. A success at
//! the window's newest step should teach the server that the device runs ahead (RFC 6238
//! §6); the probe then asks how much newer a code the same device may send, and how far a
//! chain of successes at one instant drags the window.

use super::error::ProbeError;
use super::lab::{Lab, Subject};
use super::report::{DriftFigures, Measured, WindowFigures};

/// The largest shift per success tried (5 minutes at 30 s).
const SHIFT_LIMIT: u64 = 10;
/// Codes in the chain (each one step newer than the last, all at one instant).
const CHAIN: u32 = 10;

/// Measures drift tracking, given the window.
pub(crate) fn measure(lab: &Lab, window: &Measured<WindowFigures>) -> Measured<DriftFigures> {
    let Some(window) = window.value() else {
        return Measured::not_measured("needs the accepted window");
    };
    if let Some(reason) = lab.cannot_reuse_device() {
        return Measured::not_measured(reason);
    }
    let edge = window.ahead() as i64;
    if edge == 0 {
        return Measured::not_measured(
            "the window accepts no newer step, so no success at one instant can teach a drift",
        );
    }
    let figures = || -> Result<DriftFigures, ProbeError> {
        let shift_per_success = shift(lab, edge)?;
        let (chain_accepted, chain_reach) = chain(lab, edge)?;
        Ok(DriftFigures {
            edge,
            shift_per_success,
            shift_limit: SHIFT_LIMIT,
            chain_sent: CHAIN,
            chain_accepted,
            chain_reach,
        })
    };
    figures().into()
}

/// After one success at `edge`, how many steps further the window accepts: one fresh device
/// per candidate, since an accepted candidate would teach a drift of its own. Each candidate
/// is its own one-step measurement on a device bound just before (a real server takes longer
/// than a step to bind ten).
fn shift(lab: &Lab, edge: i64) -> Result<u64, ProbeError> {
    let mut shift = 0;
    for extra in 1..=SHIFT_LIMIT {
        let device = || lab.totp_subject("drift", lab.now()?);
        let further = lab.steady_after(device, |subject: Subject, t| {
            let taught = lab.try_code(&subject, &subject.code(t, edge)?, t)?;
            if !taught.is_accepted() {
                return Err(ProbeError::unexpected(
                    "sending the window's newest code to a fresh device",
                    taught,
                ));
            }
            lab.try_code(&subject, &subject.code(t, edge + extra as i64)?, t)
        })?;
        if !further.is_accepted() {
            break;
        }
        shift = extra;
    }
    Ok(shift)
}

/// Codes at `edge`, `edge + 1`, ... on one device at one instant until one is refused.
fn chain(lab: &Lab, edge: i64) -> Result<(u32, i64), ProbeError> {
    let device = || lab.totp_subject("drift-chain", lab.now()?);
    let (accepted, reach) = lab.steady_after(device, |subject: Subject, t| {
        let (mut accepted, mut reach) = (0, 0);
        for k in 0..CHAIN {
            let offset = edge + i64::from(k);
            let verdict = lab.try_code(&subject, &subject.code(t, offset)?, t)?;
            if !verdict.is_accepted() {
                break;
            }
            (accepted, reach) = (k + 1, offset);
        }
        Ok((accepted, reach))
    })?;
    if accepted == 0 {
        return Err(ProbeError::unexpected("starting a chain at the window's newest step", "refused"));
    }
    Ok((accepted, reach))
}
