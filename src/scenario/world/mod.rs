//! `MfaWorld`: one scenario's state. It owns simulated time (the only "now"), the cast's
//! devices, sessions, open prompts and SMS inbox, and every call to the target, so steps stay
//! one or two lines. Time only moves when a step says so; nothing sleeps.

mod codes;
mod devices;
mod outcome;
mod person;
mod sms;
mod time;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

pub use codes::{kind_of, method_of};
pub use outcome::{Last, meets};
pub use person::{Person, Prompt};
pub use sms::{DEFAULT_SMS_DELAY, Delivery};

use super::fault::no_answer;
use crate::clock::SimTime;
use crate::protocol::{PolicyFacts, Verdict};
use crate::sim::{HardToken, Streams};
use crate::sut::{Answer, Target};

/// Everything a scenario needs before its first step: the target and the seed.
#[derive(Clone)]
pub struct ScenarioSetup {
    /// The target, reset for this scenario.
    pub target: Arc<dyn Target>,
    /// The scenario's own seed, derived from the run seed and the scenario id.
    pub seed: u64,
    /// Simulated time at the first step.
    pub start: SimTime,
}

/// One scenario's world.
#[derive(cucumber::World)]
#[world(init = Self::blank)]
pub struct MfaWorld {
    setup: Option<ScenarioSetup>,
    now: SimTime,
    start: SimTime,
    people: BTreeMap<String, Person>,
    tokens: BTreeMap<String, HardToken>,
    next_sms_delay: Option<Duration>,
    last: Option<Last>,
    crowd: Vec<Verdict>,
    transcript: Vec<String>,
}

impl fmt::Debug for MfaWorld {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MfaWorld")
            .field("now", &self.now)
            .field("people", &self.people.keys().collect::<Vec<_>>())
            .field("last", &self.last.as_ref().map(|l| l.verdict.to_string()))
            .finish_non_exhaustive()
    }
}

impl MfaWorld {
    fn blank() -> Self {
        MfaWorld {
            setup: None,
            now: SimTime::from_unix_millis(0),
            start: SimTime::from_unix_millis(0),
            people: BTreeMap::new(),
            tokens: BTreeMap::new(),
            next_sms_delay: None,
            last: None,
            crowd: Vec::new(),
            transcript: Vec::new(),
        }
    }

    /// Prepares the world for one scenario (the runner's before hook).
    pub fn set_up(&mut self, setup: ScenarioSetup) {
        self.now = setup.start;
        self.start = setup.start;
        self.setup = Some(setup);
        let reset = self.target().reset();
        if let Err(e) = reset {
            no_answer(format!("resetting the target: {e}"));
        }
    }

    /// Simulated time this scenario covered so far.
    pub fn simulated(&self) -> Duration {
        self.now.saturating_since(self.start)
    }

    /// The target.
    pub fn target(&self) -> Arc<dyn Target> {
        match &self.setup {
            Some(s) => s.target.clone(),
            None => no_answer("the scenario has no target (the runner's before hook did not run)"),
        }
    }

    /// The current simulated time.
    pub fn now(&self) -> SimTime {
        self.now
    }

    fn streams(&self) -> Streams {
        Streams::new(self.setup.as_ref().map_or(0, |s| s.seed))
    }

    /// The target's declared policy numbers.
    pub fn facts(&self) -> PolicyFacts {
        self.target().policy_facts()
    }

    /// Calls the target at the current time; no answer is a harness error naming `what`.
    pub fn call<T>(&mut self, what: &str, f: impl FnOnce(&dyn Target, SimTime) -> Answer<T>) -> T {
        let target = self.target();
        match f(target.as_ref(), self.now) {
            Ok(value) => value,
            Err(e) => no_answer(format!("{what} at {}: {e}", self.now)),
        }
    }

    /// Where and when, for failure messages: seed, simulated time, the last actions.
    pub fn context(&self) -> String {
        let seed = self.setup.as_ref().map_or(0, |s| s.seed);
        let tail: Vec<&str> = self.transcript.iter().rev().take(6).rev().map(String::as_str).collect();
        format!("seed {seed}, at {}; last actions: {}", self.now, tail.join("; "))
    }

    /// Adds a line to the transcript shown on failure.
    pub fn log(&mut self, line: String) {
        self.transcript.push(format!("[{}] {line}", self.now));
    }
}
