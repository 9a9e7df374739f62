//! The record of a user's authenticators: every device that is or has been bound, with the
//! date and time of its binding and unbinding (NIST SP 800-63B, authenticator binding).

use std::time::Duration;

use cucumber::then;

use crate::clock::SimTime;
use crate::protocol::{AuthenticatorEvent, DeviceKind, LifecycleEvent};
use crate::scenario::fault::{mismatch, not_applicable};
use crate::scenario::params::{DeviceWord, LifecycleWord, Span, User};
use crate::scenario::world::MfaWorld;

/// How far a recorded time may lie from the one the step names. The record keeps a date and
/// time, not the instant of one request; and a step such as binding with two consecutive
/// codes waits up to a time step for the device's next code, so the binding's own instant lies
/// up to 30 s before the step's end.
const TOLERANCE: Duration = Duration::from_secs(60);

#[then(expr = "{user}'s authenticator record shows the {device} {lifecycle} {duration} ago")]
fn recorded_ago(w: &mut MfaWorld, user: User, device: DeviceWord, event: LifecycleWord, ago: Span) {
    let ago = w.span(ago);
    check_recorded(w, &user.0, device.0, event.0, ago);
}

#[then(expr = "{user}'s authenticator record shows the {device} {lifecycle} just now")]
fn recorded_now(w: &mut MfaWorld, user: User, device: DeviceWord, event: LifecycleWord) {
    check_recorded(w, &user.0, device.0, event.0, Duration::ZERO);
}

fn check_recorded(w: &mut MfaWorld, user: &str, kind: DeviceKind, event: LifecycleEvent, ago: Duration) {
    if !ago.is_zero() && !w.server_missed().is_zero() {
        not_applicable(format!(
            "the server's clock did not see {} s of this scenario pass (it runs on its own clock and \
             then held nothing that time changes), so it cannot show an event {} s ago",
            w.server_missed().as_secs(),
            ago.as_secs()
        ));
    }
    let record = w.configure("reading the authenticator record", |t, now| t.authenticator_record(user, now));
    let now = w.now();
    let when = now.checked_sub(ago).unwrap_or(SimTime::from_unix_millis(0));
    let near = |at: SimTime| at.max(when).saturating_since(at.min(when)) <= TOLERANCE;
    if !record.iter().any(|e| e.kind == kind && e.event == event && near(e.at)) {
        mismatch(
            format!("{} at {when}, give or take {} s", describe(kind, event), TOLERANCE.as_secs()),
            listing(&record),
            w.context(),
        );
    }
}

fn describe(kind: DeviceKind, event: LifecycleEvent) -> String {
    let what = match event {
        LifecycleEvent::Bound => "bound",
        LifecycleEvent::Unbound => "unbound",
    };
    format!("the {} MFA device {what}", kind.words())
}

/// The record as a failure shows it.
fn listing(record: &[AuthenticatorEvent]) -> String {
    if record.is_empty() {
        return "a record with nothing in it".into();
    }
    let lines: Vec<String> =
        record.iter().map(|e| format!("{} at {}", describe(e.kind, e.event), e.at)).collect();
    format!("a record of {}", lines.join("; "))
}
