//! The accepted window: the code of every step from 10 behind to 10 ahead, each on a fresh
//! device, so neither the replay guard nor drift learning sees two of them.

use super::error::ProbeError;
use super::lab::Lab;
use super::report::{Measured, OffsetAnswer, WindowFigures};
use crate::clock::SimTime;
use crate::protocol::Method;

/// Steps probed either side of the current one.
pub const SCAN: i64 = 10;

/// Measures the window.
pub(crate) fn measure(lab: &Lab) -> Measured<WindowFigures> {
    if let Some(reason) = lab.cannot_verify(Method::VirtualMfa) {
        return Measured::not_measured(reason);
    }
    lab.steady(|t| scan(lab, t)).into()
}

fn scan(lab: &Lab, t: SimTime) -> Result<WindowFigures, ProbeError> {
    let mut offsets = Vec::new();
    for offset in -SCAN..=SCAN {
        let subject = lab.totp_subject("window")?;
        let verdict = lab.try_code(&subject, &subject.code(t, offset)?, t)?;
        offsets.push(OffsetAnswer { offset, accepted: verdict.is_accepted(), answer: verdict.to_string() });
    }
    Ok(WindowFigures { offsets })
}
