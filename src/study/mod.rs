//! Tradeoff studies: Monte Carlo sweeps that put numbers on window size, drift tracking,
//! resync, lockout and SMS lifetime choices.
//!
//! - [`drift`]: hardware tokens logging in for years under a grid of verification settings;
//! - [`attack`]: an online attacker guessing codes under a window and a lockout or rate limit;
//! - [`sms`]: SMS delivery latency × code lifetime × resend rule.
//!
//! Every study is one [`Study`]: it runs work units (token chunks, trials) that draw from
//! their own random streams and add into integer counters, so results are identical whatever
//! the thread count, and shards (`--shard i/n`) merged into one [`Partial`] equal a single
//! run. A new study is one file implementing [`Study`] and one line in [`STUDIES`].
//! Verification follows [`StudyPolicy`], the reference service's policy as a study applies it.

pub mod aggregate;
pub mod attack;
pub mod drift;
pub mod output;
pub mod partial;
pub mod policy;
pub mod population;
pub mod setting;
pub mod shard;
pub mod sms;
pub mod words;

use std::path::PathBuf;

use serde::Serialize;
use serde::de::DeserializeOwned;

pub use output::{Outputs, Table};
pub use partial::{AnyStudy, Partial, merge_files};
pub use policy::{Check, StudyPolicy, TokenState};
pub use setting::{Mode, ResyncRule, Setting};
pub use shard::Shard;

use crate::otp::OtpError;
use crate::otp::batch::BatchError;
use crate::report::plot::{Chart, PlotError};
use crate::sim::SimError;

/// Every study `mfa-harness merge` can read, by [`Study::NAME`]: the one line a new study adds.
pub static STUDIES: &[&dyn AnyStudy] = &[&drift::DriftStudy, &attack::AttackStudy, &sms::SmsStudy];

/// A progress callback: called with the number of work items (tokens, trials) just finished.
pub type Progress<'a> = dyn Fn(u64) + Sync + 'a;

/// One kind of study: what it runs, the counters a run adds up, and how the counters become
/// the JSON report, CSV tables and charts. Sharding, partial files, merging and writing are
/// the same for every study ([`Partial`], [`Outputs`]).
pub trait Study: Sync + 'static {
    /// File stem and the `study` tag of partial files (`drift`).
    const NAME: &'static str;
    /// Layout version of the partial files (configuration and counters). Bump it when either
    /// changes shape: `merge` then refuses older files by name instead of misreading them.
    const FORMAT: u32;
    /// What to run, seed included; written into partial files and the report.
    type Config: Clone + PartialEq + std::fmt::Debug + Serialize + DeserializeOwned + Send + Sync;
    /// The counters of a shard or a whole run.
    type Counts: Counts;
    /// The finished study (configuration and every row), written as `<NAME>.json`.
    type Report: Serialize;

    /// The master seed (it names the output folder).
    fn seed(config: &Self::Config) -> u64;
    /// Work items of the whole study (tokens, trials), as [`Progress`] counts them.
    fn items(config: &Self::Config) -> u64;
    /// Runs the work units `shard` owns on the current rayon pool.
    ///
    /// # Errors
    /// [`StudyError::Config`] for a bad configuration; engine errors.
    fn run(config: &Self::Config, shard: Shard, progress: &Progress<'_>) -> Result<Self::Counts, StudyError>;
    /// Rows from counters.
    fn report(config: &Self::Config, counts: &Self::Counts) -> Self::Report;
    /// The CSV tables of a report: (name suffix, rows), written as `<NAME>-<suffix>.csv`.
    ///
    /// # Errors
    /// [`StudyError::File`] if a row cannot be written as CSV.
    fn tables(report: &Self::Report) -> Result<Vec<Table>, StudyError>;
    /// The plots of a report.
    fn charts(report: &Self::Report) -> Vec<Chart>;
}

/// Integer counters that shards add up. Sums of integers do not depend on order, so merged
/// shards give byte-identical reports.
pub trait Counts: Clone + PartialEq + std::fmt::Debug + Serialize + DeserializeOwned + Send {
    /// Adds another shard's counters of the same configuration.
    ///
    /// # Errors
    /// [`StudyError::Merge`] when the two do not have the same shape.
    fn add(&mut self, other: &Self) -> Result<(), StudyError>;
}

/// Why a study could not run or be written.
#[derive(Debug, thiserror::Error)]
pub enum StudyError {
    /// A parameter out of range.
    #[error("bad study configuration: {0}")]
    Config(String),
    /// A bad `--shard` or an incomplete set of shards.
    #[error("shards: {0}")]
    Shard(String),
    /// Shards that do not belong together.
    #[error("merge: {0}")]
    Merge(String),
    /// A partial file written in another layout (by another version of mfa-harness).
    #[error(
        "{}: {study} partial file of format {found}, but this mfa-harness reads format {expected}: \
         run the shards again with this version",
        path.display()
    )]
    Format {
        /// The file.
        path: PathBuf,
        /// Its study.
        study: String,
        /// The format it was written in.
        found: u32,
        /// The format this build reads.
        expected: u32,
    },
    /// The simulator refused the token or latency spec.
    #[error(transparent)]
    Sim(#[from] SimError),
    /// The OTP core refused an input.
    #[error(transparent)]
    Otp(#[from] OtpError),
    /// The batch engine refused a call.
    #[error(transparent)]
    Batch(#[from] BatchError),
    /// A plot could not be drawn.
    #[error(transparent)]
    Plot(#[from] PlotError),
    /// A file could not be read or written.
    #[error("{}: {message}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}
