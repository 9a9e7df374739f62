//! The accepted window: the code of every step from 10 behind to 10 ahead, each on a fresh
//! device, so neither the replay guard nor drift learning sees two of them.

use super::error::ProbeError;
use super::lab::{Lab, Subject};
use super::report::{Measured, OffsetAnswer, WindowFigures};
use crate::protocol::Method;

/// Steps probed either side of the current one.
pub const SCAN: i64 = 10;

/// Measures the window.
pub(crate) fn measure(lab: &Lab) -> Measured<WindowFigures> {
    if let Some(reason) = lab.cannot_verify(Method::VirtualMfa) {
        return Measured::not_measured(reason);
    }
    scan(lab).into()
}

/// Each offset is its own measurement at one instant, on a device bound just before (at the
/// target's now, so it starts behind by nothing): on a real server, binding and trying 21
/// devices takes longer than a step, and a step change would shift every later offset.
fn scan(lab: &Lab) -> Result<WindowFigures, ProbeError> {
    let mut offsets = Vec::new();
    for offset in -SCAN..=SCAN {
        let device = || lab.totp_subject("window", lab.now()?);
        let answer = lab.steady_after(device, |subject: Subject, t| {
            let verdict = lab.try_code(&subject, &subject.code(t, offset)?, t)?;
            Ok(OffsetAnswer { offset, accepted: verdict.is_accepted(), answer: verdict.to_string() })
        })?;
        offsets.push(answer);
    }
    Ok(WindowFigures { offsets })
}
