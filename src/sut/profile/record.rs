//! Reading an authenticator record out of an answer: the `record` of
//! `[operations.authenticator_record]` sorts the elements of an array (a server's audit log,
//! say) into life-cycle events by the profile's patterns.

use serde_json::Value;

use super::predicate::{Reply, value_text};
use super::schema::{RecordFrom, Sort};
use crate::clock::SimTime;
use crate::protocol::AuthenticatorEvent;

/// The variable the events are kept in between the step that reads them and the target (JSON
/// text, since variables are text).
pub const VAR: &str = "record";

/// The events `from` finds in `reply`, oldest first.
///
/// # Errors
/// A message naming the element when the array is missing, an element's text matches two
/// patterns, or a sorted element's time cannot be read: an answer the profile cannot mean.
pub fn read(from: &RecordFrom, reply: &Reply) -> Result<Vec<AuthenticatorEvent>, String> {
    let items = reply
        .at(&from.each)
        .and_then(Value::as_array)
        .ok_or_else(|| format!("the answer has no array at {:?}", from.each))?;
    let mut events = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let (Some(kind), Some(event)) = (sort(&from.kind, item, i)?, sort(&from.event, item, i)?) else {
            continue;
        };
        let at = item.pointer(&from.at).and_then(time_of).ok_or_else(|| {
            format!("element {i} of {:?}: no time at {:?} (Unix seconds or ISO 8601)", from.each, from.at)
        })?;
        events.push(AuthenticatorEvent { at, kind, event });
    }
    events.sort_by_key(|e| e.at);
    Ok(events)
}

/// The value of the one pattern `item`'s text matches; `None` when none does.
fn sort<T: Copy>(by: &Sort<T>, item: &Value, i: usize) -> Result<Option<T>, String> {
    let Some(text) = item.pointer(&by.field).and_then(value_text) else { return Ok(None) };
    let mut found = by.map.iter().filter(|(pattern, _)| matches(pattern, &text));
    match (found.next(), found.next()) {
        (Some((_, value)), None) => Ok(Some(*value)),
        (None, _) => Ok(None),
        (Some((a, _)), Some((b, _))) => Err(format!("element {i}: {text:?} matches both {a:?} and {b:?}")),
    }
}

/// Whether `text` matches `pattern`, where `*` stands for any text (including none).
fn matches(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = text.strip_prefix(first) else { return false };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else { return rest.is_empty() };
    for part in middle {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// A time as a server writes it: Unix seconds (a number, or digits), or an ISO 8601 date and
/// time such as `2026-11-30T01:51:21.549136`, UTC unless it ends in `Z` or an offset.
fn time_of(value: &Value) -> Option<SimTime> {
    if let Some(secs) = value.as_f64().or_else(|| value.as_str().and_then(|s| s.parse().ok())) {
        return (secs >= 0.0).then(|| SimTime::from_unix_millis((secs * 1000.0).round() as u64));
    }
    let text = value.as_str()?;
    let (date, time) = text.split_once(['T', ' '])?;
    let mut ymd = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (year, month, day) = (ymd.next()??, ymd.next()??, ymd.next()??);
    // The offset: `Z`, `+HH:MM` or `-HH:MM` after the clock time, or none (UTC).
    let (clock, offset_secs) = match time.find(['Z', '+', '-']) {
        Some(i) if &time[i..] == "Z" => (&time[..i], 0),
        Some(i) => {
            let sign = if time[i..].starts_with('-') { -1 } else { 1 };
            let (h, m) = time[i + 1..].split_once(':')?;
            (&time[..i], sign * (h.parse::<i64>().ok()? * 3600 + m.parse::<i64>().ok()? * 60))
        }
        None => (time, 0),
    };
    let mut hms = clock.splitn(3, ':');
    let (h, m) = (hms.next()?.parse::<i64>().ok()?, hms.next()?.parse::<i64>().ok()?);
    let seconds: f64 = hms.next()?.parse().ok()?;
    let days = crate::sut::transport::days_from_civil(year, month, day);
    let whole = days * 86_400 + h * 3_600 + m * 60 - offset_secs;
    let millis = whole * 1000 + (seconds * 1000.0).round() as i64;
    u64::try_from(millis).ok().map(SimTime::from_unix_millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_with_stars_anywhere() {
        assert!(matches("POST /token/init", "POST /token/init"));
        assert!(!matches("POST /token/init", "POST /token/init2"));
        assert!(matches("*-virtual_mfa-yes", "V1a2Alice-virtual_mfa-yes"));
        assert!(!matches("*-virtual_mfa-yes", "P1a2Alice-sms-yes"));
        assert!(matches("HW-*", "HW-6001-1a2"));
        assert!(matches("a*b*c", "a-b-c"));
        assert!(!matches("a*b*c", "a-c-b"));
        assert!(!matches("ab*ba", "aba"));
        assert!(matches("*", ""));
    }

    #[test]
    fn times_read_as_unix_seconds_or_iso_8601() {
        let at = |v: Value| time_of(&v).map(SimTime::unix_millis);
        assert_eq!(at(Value::from(1_767_225_600)), Some(1_767_225_600_000));
        assert_eq!(at(Value::from("1767225600.5")), Some(1_767_225_600_500));
        assert_eq!(at(Value::from("2026-01-01T00:00:00")), Some(1_767_225_600_000));
        assert_eq!(at(Value::from("2026-01-01T00:00:01.549136")), Some(1_767_225_601_549));
        assert_eq!(at(Value::from("2026-01-01 01:00:00+01:00")), Some(1_767_225_600_000));
        assert_eq!(at(Value::from("2025-12-31T23:00:00-01:00")), Some(1_767_225_600_000));
        assert_eq!(at(Value::from("2026-01-01T00:00:00Z")), Some(1_767_225_600_000));
        assert_eq!(at(Value::from("yesterday")), None);
        assert_eq!(at(Value::from(-5)), None);
    }

    fn from() -> RecordFrom {
        let toml = r#"
            each = "/log"
            at = "/date"
            kind = { field = "/serial", map = { "*-virtual" = "virtual", "HW-*" = "hardware" } }
            event = { field = "/action", map = { "init" = "bound", "unassign" = "unbound" } }
        "#;
        toml::from_str(toml).unwrap()
    }

    fn reply(log: Value) -> Reply {
        Reply { status: 200, json: Some(serde_json::json!({ "log": log })), headers: Vec::new() }
    }

    #[test]
    fn elements_are_sorted_into_events_oldest_first_and_others_skipped() {
        use crate::protocol::{DeviceKind, LifecycleEvent};
        let log = serde_json::json!([
            { "date": "2026-01-01T00:00:10", "serial": "A-virtual", "action": "unassign" },
            { "date": "2026-01-01T00:00:05", "serial": "HW-1", "action": "init" },
            { "date": "2026-01-01T00:00:01", "serial": "A-virtual", "action": "init" },
            { "date": "2026-01-01T00:00:02", "serial": "P-sms", "action": "init" },
            { "date": "garbage", "serial": "A-virtual", "action": "enable" },
        ]);
        let events = read(&from(), &reply(log)).unwrap();
        let got: Vec<_> =
            events.iter().map(|e| (e.at.unix_secs() - 1_767_225_600, e.kind, e.event)).collect();
        assert_eq!(
            got,
            [
                (1, DeviceKind::Virtual, LifecycleEvent::Bound),
                (5, DeviceKind::Hardware, LifecycleEvent::Bound),
                (10, DeviceKind::Virtual, LifecycleEvent::Unbound),
            ]
        );
    }

    #[test]
    fn an_ambiguous_element_a_missing_array_or_an_unreadable_time_is_an_error() {
        let ambiguous = serde_json::json!([{ "date": 1, "serial": "HW-x-virtual", "action": "init" }]);
        let e = read(&from(), &reply(ambiguous)).unwrap_err();
        assert!(e.contains("matches both"), "{e}");
        let e = read(&from(), &Reply::default()).unwrap_err();
        assert!(e.contains("no array at \"/log\""), "{e}");
        let untimed = serde_json::json!([{ "date": "soon", "serial": "HW-1", "action": "init" }]);
        let e = read(&from(), &reply(untimed)).unwrap_err();
        assert!(e.contains("element 0") && e.contains("no time"), "{e}");
    }
}
