//! Configuring a simulator: seed, epoch, limits, SMS channel, trace.

use std::collections::HashMap;
use std::time::Duration;

use super::SimError;
use super::channel::SmsChannel;
use super::queue::EventQueue;
use super::rng::Streams;
use super::simulator::Sim;
use super::trace::Trace;
use crate::clock::{DEFAULT_EPOCH, SimTime, VirtualClock, YEAR_MILLIS};

/// A run's budget. Overrunning either is an error naming the simulated time and last event,
/// so a scenario stuck in a loop fails instead of hanging.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Longest run, measured from the epoch.
    pub max_span: Duration,
    /// Most events processed.
    pub max_events: u64,
}

impl Default for Limits {
    /// 20 years (studies run 5–10) and 10^10 events.
    fn default() -> Self {
        Limits { max_span: Duration::from_millis(20 * YEAR_MILLIS as u64), max_events: 10_000_000_000 }
    }
}

/// Configures a [`Sim`].
#[derive(Clone, Debug)]
pub struct SimBuilder {
    seed: u64,
    epoch: SimTime,
    limits: Limits,
    sms: SmsChannel,
    trace: bool,
}

impl SimBuilder {
    /// Starts the run at `epoch` instead of [`DEFAULT_EPOCH`].
    pub fn epoch(mut self, epoch: SimTime) -> Self {
        self.epoch = epoch;
        self
    }

    /// Sets the run's limits.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Sets the SMS channel model.
    pub fn sms_channel(mut self, channel: SmsChannel) -> Self {
        self.sms = channel;
        self
    }

    /// Records a trace (on by default; switch off for Monte Carlo speed).
    pub fn trace(mut self, on: bool) -> Self {
        self.trace = on;
        self
    }

    /// The simulator.
    ///
    /// # Errors
    /// [`SimError::Config`] for a bad SMS channel.
    pub fn build(self) -> Result<Sim, SimError> {
        Ok(Sim {
            streams: Streams::new(self.seed),
            epoch: self.epoch,
            end: self.epoch.checked_add(self.limits.max_span).unwrap_or(SimTime::from_unix_millis(u64::MAX)),
            limits: self.limits,
            clock: VirtualClock::starting_at(self.epoch),
            queue: EventQueue::new(),
            events_run: 0,
            last_event: None,
            sms: self.sms.validated()?,
            names: HashMap::new(),
            numbers: HashMap::new(),
            tokens: Vec::new(),
            phones: Vec::new(),
            apps: Vec::new(),
            users: Vec::new(),
            sms_users: Vec::new(),
            messages: Vec::new(),
            trace: Trace::new(self.trace),
        })
    }
}

impl Sim {
    /// A builder for a run with master seed `seed`, at [`DEFAULT_EPOCH`], default limits and
    /// SMS channel, trace on.
    pub fn builder(seed: u64) -> SimBuilder {
        SimBuilder {
            seed,
            epoch: DEFAULT_EPOCH,
            limits: Limits::default(),
            sms: SmsChannel::default(),
            trace: true,
        }
    }
}
