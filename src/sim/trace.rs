//! The trace: a structured log of what happened, for scenarios to assert on and people to
//! read when a login failed.

use std::fmt;
use std::io::Write;

use serde::Serialize;

use crate::clock::{DeviceTime, SimTime};

/// One line of the trace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TraceRecord {
    /// Position in the trace.
    pub seq: u64,
    /// True time.
    pub at: SimTime,
    /// What happened.
    #[serde(flatten)]
    pub event: TraceEvent,
}

/// What happened. Codes appear (they are what a reader needs to see why a login failed);
/// keys never do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum TraceEvent {
    /// A named entity joined the simulation.
    Added {
        /// `token`, `phone`, `app` or `user`.
        kind: &'static str,
        /// Its name.
        name: String,
    },
    /// A device clock was set by hand.
    ClockSet {
        /// The device.
        device: String,
        /// The reading it was set to.
        reading: DeviceTime,
    },
    /// The server handed an SMS to the channel.
    SmsSent {
        /// Message id.
        id: u64,
        /// Recipient number.
        to: String,
    },
    /// The channel dropped it.
    SmsLost {
        /// Message id.
        id: u64,
    },
    /// It reached the phone.
    SmsDelivered {
        /// Message id.
        id: u64,
        /// The phone.
        phone: String,
        /// Whether this is the second copy of a duplicate.
        duplicate: bool,
    },
    /// A user started a login (recorded when asked; they look at `look_at`).
    LoginStarted {
        /// The user.
        user: String,
        /// When they look at their device.
        look_at: SimTime,
    },
    /// A user waits for an SMS.
    WaitingForSms {
        /// The user.
        user: String,
    },
    /// A user read their device.
    Looked {
        /// The user.
        user: String,
        /// The code read, or why none.
        code: Option<String>,
        /// The device clock at that moment (None for SMS).
        device_time: Option<DeviceTime>,
        /// Seconds left in the code's step on the device (None for SMS).
        seconds_left: Option<u64>,
    },
    /// A user submitted a code.
    Entered {
        /// The user.
        user: String,
        /// The code typed.
        code: String,
        /// 1 for the first attempt.
        attempt: u32,
        /// Whether it has a typo.
        typo: bool,
    },
    /// The server's answer, as the caller reported it.
    Answered {
        /// The user.
        user: String,
        /// Whether it was accepted.
        accepted: bool,
    },
    /// A user stopped trying.
    GaveUp {
        /// The user.
        user: String,
        /// Why.
        reason: &'static str,
    },
    /// A caller's timer fired.
    Wake {
        /// The caller's tag.
        tag: u64,
    },
}

/// One line a person reads: `unix:1767229209.323 alice entered 917746 (attempt 1, typo)`.
impl fmt::Display for TraceRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ", self.at)?;
        match &self.event {
            TraceEvent::Added { kind, name } => write!(f, "{kind} {name} added"),
            TraceEvent::ClockSet { device, reading } => write!(f, "{device} clock set to {reading}"),
            TraceEvent::SmsSent { id, to } => write!(f, "sms {id} sent to {to}"),
            TraceEvent::SmsLost { id } => write!(f, "sms {id} lost"),
            TraceEvent::SmsDelivered { id, phone, duplicate } => {
                write!(f, "sms {id} delivered to {phone}{}", if *duplicate { " (duplicate)" } else { "" })
            }
            TraceEvent::LoginStarted { user, look_at } => {
                write!(f, "{user} starts a login, looks at {look_at}")
            }
            TraceEvent::WaitingForSms { user } => write!(f, "{user} waits for an sms"),
            TraceEvent::Looked { user, code: None, .. } => write!(f, "{user} looked and saw no code"),
            TraceEvent::Looked { user, code: Some(code), device_time, seconds_left } => {
                write!(f, "{user} read {code}")?;
                if let (Some(d), Some(s)) = (device_time, seconds_left) {
                    write!(f, " (device {d}, {s} s left)")?;
                }
                Ok(())
            }
            TraceEvent::Entered { user, code, attempt, typo } => {
                write!(f, "{user} entered {code} (attempt {attempt}{})", if *typo { ", typo" } else { "" })
            }
            TraceEvent::Answered { user, accepted: true } => write!(f, "server accepted {user}"),
            TraceEvent::Answered { user, accepted: false } => write!(f, "server rejected {user}"),
            TraceEvent::GaveUp { user, reason } => write!(f, "{user} gave up: {reason}"),
            TraceEvent::Wake { tag } => write!(f, "wake {tag}"),
        }
    }
}

/// The trace of a run. Recording can be off (Monte Carlo runs), in which case nothing is
/// built, so an off trace costs nothing.
#[derive(Clone, Debug, Default)]
pub struct Trace {
    enabled: bool,
    records: Vec<TraceRecord>,
    next_seq: u64,
}

impl Trace {
    /// A trace that records when `enabled`.
    pub fn new(enabled: bool) -> Self {
        Trace { enabled, records: Vec::new(), next_seq: 0 }
    }

    /// Whether it records.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Records the event `make` builds, if recording.
    pub fn record(&mut self, at: SimTime, make: impl FnOnce() -> TraceEvent) {
        if self.enabled {
            self.records.push(TraceRecord { seq: self.next_seq, at, event: make() });
            self.next_seq += 1;
        }
    }

    /// The records so far.
    pub fn records(&self) -> &[TraceRecord] {
        &self.records
    }

    /// Writes one JSON object per line.
    ///
    /// # Errors
    /// What the writer reports.
    pub fn write_json_lines<W: Write>(&self, mut out: W) -> std::io::Result<()> {
        for r in &self.records {
            serde_json::to_writer(&mut out, r)?;
            out.write_all(b"\n")?;
        }
        Ok(())
    }

    /// One readable line per record (see [`TraceRecord`]'s `Display`), for failure messages.
    pub fn to_text(&self) -> String {
        self.records.iter().map(|r| format!("{r}\n")).collect()
    }

    /// The JSON lines as a string (for snapshots and comparisons).
    pub fn to_json_lines(&self) -> String {
        let mut buf = Vec::new();
        // Writing to a Vec cannot fail, and serialising these plain types cannot either.
        let _ = self.write_json_lines(&mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    }
}
