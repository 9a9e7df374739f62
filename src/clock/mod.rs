//! Time: [`SimTime`], true virtual time, the only "now" anything in the library sees.
//! Spans are [`std::time::Duration`]. The OTP core takes Unix seconds; conversion happens
//! only at that boundary ([`SimTime::unix_secs`]).

mod time;

pub use time::{DEFAULT_EPOCH, SimTime};
