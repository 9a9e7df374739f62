//! Simulated time: time passing, the server clock, phone clocks, token drift, SMS latency.

use cucumber::{given, when};

use crate::clock::SimTime;
use crate::scenario::params::{Offset, Rate, Span, User};
use crate::scenario::world::MfaWorld;

/// "Exactly" says the scenario acts at the very instant the span ends, which only a target
/// with an exact clock can be held to (`@needs.exact-clock`); the step itself is the same.
#[given(expr = "time passes {duration}")]
#[when(expr = "time passes {duration}")]
#[when(expr = "time passes exactly {duration}")]
fn time_passes(w: &mut MfaWorld, span: Span) {
    let span = w.span(span);
    w.time_passes(span);
}

#[when(expr = "time passes until the lockout ends")]
fn until_lockout_ends(w: &mut MfaWorld) {
    // One second past the lockout period, so both "until" conventions (< and <=) have ended it.
    let span = w.declared("lockout duration", |f| f.lockout_duration) + std::time::Duration::from_secs(1);
    w.time_passes(span);
}

#[given(expr = "the server clock reads Unix time {int}")]
fn server_clock_reads(w: &mut MfaWorld, unix: u64) {
    w.set_now(SimTime::from_unix_secs(unix));
}

#[given(expr = "the server clock is {int} seconds into a time step")]
fn into_step(w: &mut MfaWorld, seconds: u64) {
    w.to_position_in_step(seconds);
}

#[given(expr = "{user}'s phone clock is {offset}")]
fn phone_clock(w: &mut MfaWorld, user: User, offset: Offset) {
    let offset = w.offset_millis(offset);
    w.set_phone_offset(&user.0, offset);
}

#[when(expr = "time passes until the hardware MFA device {string} is {offset}")]
fn until_token_is(w: &mut MfaWorld, serial: String, offset: Offset) {
    let offset = w.offset_millis(offset);
    let span = w.until_token_offset(&serial, offset);
    w.time_passes(span);
}

#[given(expr = "the hardware MFA device {string} runs {rate}")]
fn token_rate(w: &mut MfaWorld, serial: String, rate: Rate) {
    w.set_token_rate(&serial, rate.0);
}

#[given(expr = "the SMS takes {duration} to arrive")]
fn sms_delay(w: &mut MfaWorld, span: Span) {
    let span = w.span(span);
    w.delay_next_sms(span);
}
