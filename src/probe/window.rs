//! The accepted window: the code of every step from 10 behind to 10 ahead, each on a fresh
//! device, so neither the replay guard nor drift learning sees two of them.

use super::error::ProbeError;
use super::lab::{Lab, Subject};
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
    // The devices are bound before the measurement reads the clock: on a real server, binding
    // 21 of them takes longer than a step, and only the codes have to meet one step. Each is
    // bound at the target's now of its own binding, so none starts behind.
    let devices =
        || (-SCAN..=SCAN).map(|_| lab.totp_subject("window", lab.now()?)).collect::<Result<Vec<_>, _>>();
    lab.steady_after(devices, |devices, t| scan(lab, &devices, t)).into()
}

fn scan(lab: &Lab, devices: &[Subject], t: SimTime) -> Result<WindowFigures, ProbeError> {
    let mut offsets = Vec::new();
    for (offset, subject) in (-SCAN..=SCAN).zip(devices) {
        let verdict = lab.try_code(subject, &subject.code(t, offset)?, t)?;
        offsets.push(OffsetAnswer { offset, accepted: verdict.is_accepted(), answer: verdict.to_string() });
    }
    Ok(WindowFigures { offsets })
}
