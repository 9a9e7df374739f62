//! One convention for every lifetime in the service (an SMS code, a prompt, an open binding, a
//! confirmation box, a lock, the SMS resend interval): a thing that lives for D from T is gone
//! at T + D. The interval is half-open, as RFC 6238's time steps are (step k covers
//! [kX, (k+1)X)): a code "valid for 5 minutes" is refused once 5 minutes have passed, and a
//! 15-minute lock is over at 15 minutes. It is also the one convention a scenario at the end
//! instant can hold real servers and the reference to alike: a request takes time, so a real
//! server never sees the instant itself, only the moment after it.

use crate::clock::SimTime;

/// Whether a lifetime ending at `end` is over at `now`.
pub(super) fn ended(end: SimTime, now: SimTime) -> bool {
    now >= end
}
