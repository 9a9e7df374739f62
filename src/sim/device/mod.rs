//! Simulated devices: hardware tokens, authenticator apps and the phones they run on.

mod app;
mod display;
mod phone;
mod token;

pub use app::AuthenticatorApp;
pub use display::{Display, TotpDisplay};
pub use phone::{DeliveredSms, Phone, PhoneNumber, PhoneSpec, code_in_text};
pub use token::{DriftDistribution, HardToken, TokenSpec};

use serde::{Deserialize, Serialize};

use crate::clock::DeviceTime;
use crate::otp::{Code, Step, Totp};

/// What a device's display shows at an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    /// A code, with the step it belongs to (on the device's clock) and the seconds left
    /// before it changes (an app's countdown ring).
    Code {
        /// The displayed code.
        code: Code,
        /// The step on the device's clock.
        step: Step,
        /// Whole seconds until the next code, 1..=period.
        seconds_left: u64,
        /// Milliseconds until the next code, on the device's clock: the countdown to the
        /// millisecond, for a user who times their typing (or a scenario waiting for the next
        /// code).
        millis_left: u64,
        /// The device's clock reading.
        device_time: DeviceTime,
    },
    /// Nothing to read.
    Blank(BlankReason),
}

/// Why a display shows no code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlankReason {
    /// The token's battery has reached its end of life.
    BatteryDead,
    /// The device's clock reads earlier than the TOTP's T0 (or 1970): no step exists.
    ClockBeforeT0,
}

/// The screen of a TOTP generator whose clock reads `device_time`.
fn totp_screen(totp: &Totp, device_time: DeviceTime) -> Screen {
    let Some(unix) = device_time.unix_secs() else { return Screen::Blank(BlankReason::ClockBeforeT0) };
    match (totp.step_at(unix), totp.seconds_left(unix)) {
        (Ok(step), Ok(seconds_left)) => {
            let period = totp.period().seconds().saturating_mul(1000);
            let since = u64::try_from(device_time.unix_millis())
                .unwrap_or(0)
                .saturating_sub(totp.t0().saturating_mul(1000));
            let millis_left = period - since % period;
            Screen::Code { code: totp.code_for(step), step, seconds_left, millis_left, device_time }
        }
        _ => Screen::Blank(BlankReason::ClockBeforeT0),
    }
}
