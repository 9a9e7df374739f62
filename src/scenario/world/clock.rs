//! Where scenario time meets the target's clock: the one seam every kind of target plugs
//! into, so steps never know which kind they have.
//!
//! - A clock we set (the in-process reference, `serve --test-clock`): every call carries the
//!   simulated time and the target runs at it. Time passes at once.
//! - A faketime file (a profile target whose server runs under libfaketime): the target
//!   writes the simulated time into the file before each call, so from here it is a clock we
//!   set.
//! - A real clock we cannot set (a remote staging server, `serve` without `--test-clock`): the
//!   scenario starts at the server's clock, read with the round trip measured, and simulated
//!   time follows real time from then on. Time the scenario lets pass is real waiting, from
//!   the run's budget; a scenario that needs more is not applicable, with the seconds it
//!   would need. Codes are read clear of step edges by the clock's uncertainty, so no
//!   verdict depends on where in a step a call happened to land.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::clock::SimTime;
use crate::sut::{Answer, Target};

/// Real waiting a run may spend on a target whose clock runs on its own, shared by the run's
/// scenarios; what was spent is the run's `real_wait_ms`.
#[derive(Clone, Debug)]
pub struct RealWaitBudget {
    limit: Duration,
    spent_ms: Arc<AtomicU64>,
}

/// The budget unless the run says otherwise: small, so a run against a real-clock server
/// stays short; scenarios that need more are reported not applicable with what they need.
pub const DEFAULT_MAX_REAL_WAIT: Duration = Duration::from_secs(60);

impl RealWaitBudget {
    /// A budget of `limit`, nothing spent.
    pub fn new(limit: Duration) -> Self {
        RealWaitBudget { limit, spent_ms: Arc::default() }
    }

    /// Real waiting spent so far, by every scenario of the run.
    pub fn spent(&self) -> Duration {
        Duration::from_millis(self.spent_ms.load(Ordering::SeqCst))
    }

    /// Counts `span` as spent whatever is left: the edge clearance every code read may need,
    /// bounded by twice the edge margin, which a scenario's applicability must not hang on.
    fn spend(&self, span: Duration) {
        let ms = u64::try_from(span.as_millis()).unwrap_or(u64::MAX);
        self.spent_ms.fetch_add(ms, Ordering::SeqCst);
    }

    /// Takes `span` from the budget.
    ///
    /// # Errors
    /// What is left, when that is less than `span` (nothing is taken then).
    fn take(&self, span: Duration) -> Result<(), Duration> {
        let want = u64::try_from(span.as_millis()).unwrap_or(u64::MAX);
        let limit = u64::try_from(self.limit.as_millis()).unwrap_or(u64::MAX);
        self.spent_ms
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |spent| {
                spent.checked_add(want).filter(|&total| total <= limit)
            })
            .map(|_| ())
            .map_err(|spent| Duration::from_millis(limit.saturating_sub(spent)))
    }
}

/// How the target's clock follows the scenario's.
#[derive(Clone, Debug)]
pub(super) enum TargetClock {
    /// The harness sets it (directly, or through a faketime file the target writes).
    Set,
    /// It runs on its own.
    Real(RealClock),
}

/// A server clock nobody here can set, as well as the harness knows it.
#[derive(Clone, Debug)]
pub(super) struct RealClock {
    /// The real instant the server's reading refers to: the middle of the round trip.
    anchor: Instant,
    /// What the server's clock read then.
    server_at_anchor: SimTime,
    /// How far the server's clock may be from the estimate.
    uncertainty: Duration,
    budget: RealWaitBudget,
}

/// What a call adds on the server's side of a reading: the request's own round trip and the
/// server's work on it, with room for a busy machine. Codes are read this much further from a
/// step edge than the uncertainty alone asks.
const CALL_ALLOWANCE: Duration = Duration::from_millis(100);

impl TargetClock {
    /// Reads the target's clock at the start of a scenario.
    ///
    /// # Errors
    /// The target's, when it cannot tell its time: a harness error, never a guessed time.
    pub(super) fn read(target: &dyn Target, budget: RealWaitBudget) -> Answer<TargetClock> {
        if target.server_time()?.is_none() {
            return Ok(TargetClock::Set);
        }
        // The real-clock path, and only it, reads the machine's clock: the server's clock runs
        // whatever the harness does, so the round trip of this reading is measured to know how
        // well the harness knows the server's time.
        let before = Instant::now();
        let reading = target.server_time()?;
        let round_trip = before.elapsed();
        Ok(match reading {
            Some(server_at_anchor) => TargetClock::Real(RealClock {
                anchor: before + round_trip / 2,
                server_at_anchor,
                uncertainty: round_trip / 2 + target.server_time_resolution(),
                budget,
            }),
            None => TargetClock::Set,
        })
    }
}

impl RealClock {
    /// The server's clock now, within [`RealClock::uncertainty`].
    pub(super) fn estimate(&self) -> SimTime {
        self.server_at_anchor.checked_add(self.anchor.elapsed()).unwrap_or(self.server_at_anchor)
    }

    /// How far the server's clock may be from [`RealClock::estimate`].
    pub(super) fn uncertainty(&self) -> Duration {
        self.uncertainty
    }

    /// How far from a step edge a code must be read so the server judges it in the step it
    /// was read in: the uncertainty either way, and the call's own time.
    pub(super) fn edge_margin(&self) -> Duration {
        self.uncertainty * 2 + CALL_ALLOWANCE
    }

    /// Lets `span` pass on the server's clock: real waiting, from the run's budget.
    ///
    /// # Errors
    /// Why the scenario is not applicable here: the seconds it needs, and what is left.
    pub(super) fn wait(&self, span: Duration) -> Result<(), String> {
        if let Err(left) = self.budget.take(span) {
            return Err(format!(
                "needs {:.1} s of real waiting on a server whose clock the harness cannot set; {:.1} s of the run's \
                 real-wait budget ({:.0} s) are left",
                span.as_secs_f64(),
                left.as_secs_f64(),
                self.budget.limit.as_secs_f64()
            ));
        }
        sleep_real(span);
        Ok(())
    }

    /// Lets `span` (at most twice the edge margin) pass so a code is read clear of a step
    /// edge. Always waited and counted, never refused: whether a read lands near an edge
    /// depends on where in a step the real clock happens to be, so refusing it would make a
    /// scenario's applicability a matter of luck (and a budget of 0 would not be
    /// deterministic). Every other wait is one the scenario asks for, from the budget.
    pub(super) fn clear_edge(&self, span: Duration) {
        self.budget.spend(span);
        sleep_real(span);
    }
}

/// The server's clock runs on its own, so time the scenario lets pass must really pass: this
/// is the only sleep on the scenario path, and only real-clock targets reach it.
fn sleep_real(span: Duration) {
    std::thread::sleep(span);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_is_shared_and_never_overdrawn() {
        let budget = RealWaitBudget::new(Duration::from_secs(10));
        let other_scenario = budget.clone();
        assert_eq!(budget.take(Duration::from_secs(6)), Ok(()));
        assert_eq!(other_scenario.take(Duration::from_secs(5)), Err(Duration::from_secs(4)));
        assert_eq!(other_scenario.take(Duration::from_secs(4)), Ok(()));
        assert_eq!(budget.spent(), Duration::from_secs(10));
        assert_eq!(budget.take(Duration::from_millis(1)), Err(Duration::ZERO));
    }
}
