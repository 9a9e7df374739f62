//! Targets: what the conformance suite talks to. A step never knows which target it has;
//! targets declare [`Capabilities`], and scenarios needing more are not applicable.

mod capability;

pub use capability::{Capabilities, Capability};
