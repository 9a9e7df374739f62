//! One convention for every lifetime in the service (an SMS code, a prompt, an open binding, a
//! confirmation box, a lock, the SMS resend interval): a thing that lives for D from T is gone
//! at T + D. The interval is half-open, as RFC 6238's time steps are (step k covers
//! [kX, (k+1)X)): a code "valid for 5 minutes" is refused once 5 minutes have passed, and a
//! 15-minute lock is over at 15 minutes. `sms/expiry.feature`'s last scenario acts at that very
//! instant; only a target whose clock the harness sets to the millisecond for every request
//! (`exact-clock`) can be held to it, since a clock that runs on between settings (libfaketime)
//! lands a few milliseconds either side.

use crate::clock::SimTime;

/// Whether a lifetime ending at `end` is over at `now`.
pub(super) fn ended(end: SimTime, now: SimTime) -> bool {
    now >= end
}
