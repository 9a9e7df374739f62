//! Time: [`SimTime`], true virtual time, the only "now" anything in the library sees, moved
//! only by the [`VirtualClock`]; and [`DeviceClock`]s, which map true time to what a token,
//! phone or server believes ([`DeviceTime`]) through an initial offset, exact integer
//! [`Drift`] and [`Aging`], NTP syncs, hand settings and jitter.
//! Spans are [`std::time::Duration`]. The OTP core takes Unix seconds; conversion happens
//! only at that boundary ([`SimTime::unix_secs`], [`DeviceTime::unix_secs`]).

mod device;
mod drift;
mod time;
mod virtual_clock;

pub use device::{DeviceClock, DeviceTime, NtpSync};
pub use drift::{Aging, Drift, YEAR_MILLIS, gained_millis};
pub use time::{DEFAULT_EPOCH, SimTime};
pub use virtual_clock::{TimeWentBack, VirtualClock};
