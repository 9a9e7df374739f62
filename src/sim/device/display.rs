//! What a device shows a person: the one view of a code-showing device that the simulator's
//! users and a scenario's cast both read, whatever the device is.

use crate::clock::{DeviceClock, DeviceTime, SimTime};
use crate::otp::{Code, Totp};

use super::{BlankReason, DeliveredSms, Screen, totp_screen};

/// What a device offers its reader: a TOTP display (a hardware token, or an authenticator app
/// on its phone's clock) or a phone's SMS inbox.
#[derive(Clone, Copy, Debug)]
pub enum Display<'a> {
    /// A TOTP generator on a clock.
    Totp(TotpDisplay<'a>),
    /// The messages a phone has received, in delivery order.
    Inbox(&'a [DeliveredSms]),
}

/// A TOTP generator on a clock, as a person reads it at any true time. Tokens and apps differ
/// only in whose clock it is and whether a battery can die.
#[derive(Clone, Copy, Debug)]
pub struct TotpDisplay<'a> {
    totp: &'a Totp,
    clock: &'a DeviceClock,
    battery_dies: Option<SimTime>,
}

impl<'a> TotpDisplay<'a> {
    /// `totp` shown on `clock`, blank from `battery_dies` on.
    pub fn new(totp: &'a Totp, clock: &'a DeviceClock, battery_dies: Option<SimTime>) -> Self {
        TotpDisplay { totp, clock, battery_dies }
    }

    /// What it shows at true time `t`.
    pub fn screen(&self, t: SimTime) -> Screen {
        if self.battery_dies.is_some_and(|d| t >= d) {
            return Screen::Blank(BlankReason::BatteryDead);
        }
        totp_screen(self.totp, self.clock.reading(t))
    }

    /// The code `steps` steps from the one it shows at `t`, by its own clock: what it showed
    /// before (negative) or will show next (positive).
    ///
    /// # Errors
    /// Why it shows nothing at `t`, or [`BlankReason::ClockBeforeT0`] when the step lies
    /// before T0.
    pub fn code_at(&self, t: SimTime, steps: i64) -> Result<Code, BlankReason> {
        match self.screen(t) {
            Screen::Code { step, .. } => {
                step.offset(steps).map(|s| self.totp.code_for(s)).ok_or(BlankReason::ClockBeforeT0)
            }
            Screen::Blank(reason) => Err(reason),
        }
    }

    /// The true time, after `t`, at which it shows its next code (drift included), or `None`
    /// when that lies beyond the clock's reach.
    pub fn next_code_at(&self, t: SimTime) -> Option<SimTime> {
        let reading = self.clock.reading(t).unix_millis();
        let period = i64::try_from(self.totp.period().seconds()).ok()?.checked_mul(1000)?;
        let t0 = i64::try_from(self.totp.t0()).ok()?.checked_mul(1000)?;
        let next = (reading - t0).div_euclid(period).checked_add(1)?.checked_mul(period)?.checked_add(t0)?;
        self.clock.when_reads(t, DeviceTime::from_unix_millis(next))
    }

    /// The generator: its period, T0, digits and algorithm.
    pub fn totp(&self) -> &'a Totp {
        self.totp
    }

    /// The clock it runs on.
    pub fn clock(&self) -> &'a DeviceClock {
        self.clock
    }
}
