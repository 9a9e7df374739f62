//! The conformance suite: feature files, the steps that drive the simulator and a target, and
//! the runner behind `mfa-harness run`.

pub mod collect;
pub mod expected;
pub mod fault;
pub mod mutation;
mod needs;
pub mod params;
pub mod runner;
mod steps;
pub mod suite;
pub mod world;

pub use expected::{ExpectedError, ExpectedFailures};
pub use suite::{Suite, SuiteError, SuiteScenario, TagFilter};
