//! The run vocabulary every layer above shares: what reports call a target, and a connection
//! (its info, its capabilities and how to get one target per scenario). It lives here, below
//! the runner and the reports, so that neither the targets nor the reports import the runner.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{Target, TargetError};
use crate::protocol::Capabilities;

/// Where the run pointed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetInfo {
    /// `reference`, a URL (without credentials), or a mutant's name.
    pub name: String,
    /// `in-process` or `http`.
    pub kind: String,
    /// The profile file, for HTTP targets mapped by one.
    pub profile: Option<String>,
}

/// Makes the target for one scenario from the scenario's seed: a fresh in-process service, or
/// a shared remote target (which the world resets).
pub type TargetFactory = Arc<dyn Fn(u64) -> Result<Arc<dyn Target>, TargetError> + Send + Sync>;

/// An opened target: what reports call it, what it can do, and one target per scenario.
#[derive(Clone)]
pub struct Connection {
    /// For reports.
    pub info: TargetInfo,
    /// What the target declared; scenarios needing more are not applicable.
    pub capabilities: Capabilities,
    /// One target per scenario, from the scenario's seed.
    pub factory: TargetFactory,
}
