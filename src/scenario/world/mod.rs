//! `MfaWorld`: one scenario's state. It drives the simulator ([`Sim`]), whose clock is the
//! scenario's true time (the only "now") and which holds the cast's devices: each person's
//! phone, their authenticator apps and the hardware tokens. It also keeps the sessions, open
//! prompts and SMS inboxes, and makes every call to the target, so steps stay one or two
//! lines. Time only moves when a step says so, and how it reaches the target is the `clock`
//! module's business alone: nothing sleeps unless the target's clock runs on its own.

mod clock;
mod codes;
mod declared;
mod devices;
mod outcome;
mod person;
mod sms;
mod time;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

pub use clock::{DEFAULT_MAX_REAL_WAIT, RealWaitBudget};
pub use devices::QrReading;
pub use outcome::{Last, meets};
pub use person::{Person, Prompt};
pub use sms::{DEFAULT_SMS_DELAY, Delivery};

use super::fault::{no_answer, refused};
use crate::clock::SimTime;
use crate::protocol::{PolicyFacts, Verdict};
use crate::sim::{Limits, Sim, SmsChannel, Streams};
use crate::sut::{Answer, Target, TargetError};
use clock::TargetClock;

/// Everything a scenario needs before its first step: the target, the seed, where time starts.
#[derive(Clone)]
pub struct ScenarioSetup {
    /// The target, reset for this scenario.
    pub target: Arc<dyn Target>,
    /// The scenario's own seed, derived from the run seed and the scenario id.
    pub seed: u64,
    /// Simulated time at the first step on a target whose clock the harness sets (a target
    /// on its own clock starts at that clock instead).
    pub start: SimTime,
    /// The run's real-waiting budget, for a target on its own clock.
    pub real_wait: RealWaitBudget,
}

/// One scenario's world.
#[derive(cucumber::World)]
#[world(init = Self::blank)]
pub struct MfaWorld {
    setup: Option<ScenarioSetup>,
    clock: TargetClock,
    sim: Sim,
    server_ahead_ms: i64,
    position_fixed: bool,
    server_state_ages: bool,
    /// Time that passed for the devices only (a server on its own clock holding nothing time
    /// changes): the server's clock did not see it.
    server_missed: Duration,
    start: SimTime,
    people: BTreeMap<String, Person>,
    next_sms_delay: Option<Duration>,
    last: Option<Last>,
    crowd: Vec<Verdict>,
    transcript: Vec<String>,
}

impl fmt::Debug for MfaWorld {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MfaWorld")
            .field("now", &self.now())
            .field("people", &self.people.keys().collect::<Vec<_>>())
            .field("last", &self.last.as_ref().map(|l| l.verdict.to_string()))
            .finish_non_exhaustive()
    }
}

impl MfaWorld {
    fn blank() -> Self {
        let start = SimTime::from_unix_millis(0);
        MfaWorld {
            setup: None,
            clock: TargetClock::Set,
            sim: scenario_sim(0, start),
            server_ahead_ms: 0,
            position_fixed: false,
            server_state_ages: false,
            server_missed: Duration::ZERO,
            start,
            people: BTreeMap::new(),
            next_sms_delay: None,
            last: None,
            crowd: Vec::new(),
            transcript: Vec::new(),
        }
    }

    /// Prepares the world for one scenario (the runner's before hook): reads how the target
    /// keeps time, starts the simulator there, and resets the target.
    pub fn set_up(&mut self, setup: ScenarioSetup) {
        self.clock = TargetClock::read(setup.target.as_ref(), setup.real_wait.clone())
            .unwrap_or_else(|e| no_answer(format!("reading the clock of {}: {e}", setup.target.info().name)));
        let start = match &self.clock {
            TargetClock::Set => setup.start,
            TargetClock::Real(real) => real.estimate(),
        };
        self.sim = scenario_sim(setup.seed, start);
        self.server_ahead_ms = 0;
        self.position_fixed = false;
        self.server_state_ages = false;
        self.server_missed = Duration::ZERO;
        self.start = start;
        self.setup = Some(setup);
        let reset = self.target().reset();
        if let Err(e) = reset {
            no_answer(format!("resetting the target: {e}"));
        }
    }

    /// Simulated time this scenario covered so far, by the server's clock.
    pub fn simulated(&self) -> Duration {
        self.now().saturating_since(self.start)
    }

    /// Simulated time this scenario's server did not see pass (it runs on its own clock, and
    /// held nothing that time changes then): a step that reads how long ago the server says
    /// something happened cannot count on it.
    pub fn server_missed(&self) -> Duration {
        self.server_missed
    }

    /// The target.
    pub fn target(&self) -> Arc<dyn Target> {
        match &self.setup {
            Some(s) => s.target.clone(),
            None => no_answer("the scenario has no target (the runner's before hook did not run)"),
        }
    }

    fn streams(&self) -> Streams {
        self.sim.streams()
    }

    /// The target's declared policy numbers.
    pub fn facts(&self) -> PolicyFacts {
        self.target().policy_facts()
    }

    /// Calls the target at the current time; no answer is a harness error naming `what`, and
    /// a refusal a [`refused`] fault (in a `Given`, a precondition the target would not set).
    /// From then on the server may hold state of this scenario that time changes (a session,
    /// a prompt, a used code, a counted failure, an SMS), so time that passes must pass for it
    /// too.
    pub fn call<T>(&mut self, what: &str, f: impl FnOnce(&dyn Target, SimTime) -> Answer<T>) -> T {
        self.server_state_ages = true;
        self.configure(what, f)
    }

    /// A call that arranges the scenario or only reads: accounts, bound devices, protections,
    /// the inventory, the beta list, the account view. Nothing it leaves on the server changes
    /// as time passes, so time passing after it may be time only the devices see
    /// ([`MfaWorld::time_passes`]).
    pub fn configure<T>(&mut self, what: &str, f: impl FnOnce(&dyn Target, SimTime) -> Answer<T>) -> T {
        self.follow_target_clock();
        let target = self.target();
        let now = self.now();
        match f(target.as_ref(), now) {
            Ok(value) => value,
            Err(e @ TargetError::Refused { .. }) => refused(format!("{what} at {now}: {e}")),
            Err(e) => no_answer(format!("{what} at {now}: {e}")),
        }
    }

    /// [`MfaWorld::configure`] for an arrangement the target may rightly refuse: the refusal's
    /// message comes back instead of ending the scenario (no answer still ends it).
    pub fn configure_unless_refused<T>(
        &mut self,
        what: &str,
        f: impl FnOnce(&dyn Target, SimTime) -> Answer<T>,
    ) -> Result<T, String> {
        self.follow_target_clock();
        let target = self.target();
        let now = self.now();
        match f(target.as_ref(), now) {
            Ok(value) => Ok(value),
            Err(e @ TargetError::Refused { .. }) => Err(e.to_string()),
            Err(e) => no_answer(format!("{what} at {now}: {e}")),
        }
    }

    /// Where and when, for failure messages: seed, simulated time, the last actions.
    pub fn context(&self) -> String {
        let seed = self.setup.as_ref().map_or(0, |s| s.seed);
        let tail: Vec<&str> = self.transcript.iter().rev().take(6).rev().map(String::as_str).collect();
        format!("seed {seed}, at {}; last actions: {}", self.now(), tail.join("; "))
    }

    /// Adds a line to the transcript shown on failure.
    pub fn log(&mut self, line: String) {
        let line = format!("[{}] {line}", self.now());
        self.transcript.push(line);
    }
}

/// The simulator of one scenario: its seed, its start, SMS through a fixed-delay channel, no
/// trace (the transcript tells a
/// failure's story in the step's words), and no limits (time moves only when a step says so,
/// so nothing can loop; "time passes 15 years" after 5 is a scenario, not a runaway).
fn scenario_sim(seed: u64, start: SimTime) -> Sim {
    Sim::builder(seed)
        .epoch(start)
        .limits(Limits { max_span: Duration::MAX, max_events: u64::MAX })
        .sms_channel(SmsChannel::fixed(DEFAULT_SMS_DELAY))
        .trace(false)
        .build()
        // Building fails only for a bad SMS channel, and a fixed positive delay is a good one.
        .expect("a fixed-delay SMS channel is valid")
}
