//! Tradeoff studies: Monte Carlo sweeps that put numbers on window size, drift tracking,
//! resync, lockout and SMS lifetime choices.
//!
//! - [`drift`]: hardware tokens logging in for years under a grid of verification settings;
//! - [`attack`]: an online attacker guessing codes under a window and a lockout or rate limit;
//! - [`sms`]: SMS delivery latency × code lifetime × resend rule.
//!
//! Every study runs in work units (token chunks, trials) that draw from their own random
//! streams and add into integer counters, so results are identical whatever the thread count,
//! and shards (`--shard i/n`) merged with [`Partial::merge`] equal a single run. Verification
//! follows [`StudyPolicy`], a mirror of the reference service's policy.

pub mod aggregate;
pub mod attack;
pub mod drift;
pub mod policy;
pub mod population;
pub mod shard;
pub mod sms;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use policy::{Check, StudyPolicy, TokenState};
pub use population::{Mode, ResyncRule, Setting};
pub use shard::Shard;

use crate::otp::OtpError;
use crate::otp::batch::BatchError;
use crate::report::plot::{Chart, PlotError};
use crate::sim::SimError;

/// A progress callback: called with the number of work items (tokens, trials) just finished.
pub type Progress<'a> = dyn Fn(u64) + Sync + 'a;

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

/// A shard's (or a whole run's) raw counters, as written to `<study>-partial-<i>of<n>.json`
/// and read back by `mfa-harness merge`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "study", rename_all = "snake_case")]
pub enum Partial {
    /// `sweep drift`.
    Drift(drift::DriftPartial),
    /// `sweep attack`.
    Attack(attack::AttackPartial),
    /// `sweep sms`.
    Sms(sms::SmsPartial),
}

impl Partial {
    /// The study's name (`drift`, `attack`, `sms`): the stem of its output files.
    pub fn study(&self) -> &'static str {
        match self {
            Partial::Drift(_) => "drift",
            Partial::Attack(_) => "attack",
            Partial::Sms(_) => "sms",
        }
    }

    /// The shards these counters cover.
    pub fn shards(&self) -> &[Shard] {
        match self {
            Partial::Drift(p) => &p.shards,
            Partial::Attack(p) => &p.shards,
            Partial::Sms(p) => &p.shards,
        }
    }

    /// Adds another shard of the same study.
    ///
    /// # Errors
    /// [`StudyError::Merge`] for different studies or configurations.
    pub fn merge(&mut self, other: &Partial) -> Result<(), StudyError> {
        match (self, other) {
            (Partial::Drift(a), Partial::Drift(b)) => a.merge(b),
            (Partial::Attack(a), Partial::Attack(b)) => a.merge(b),
            (Partial::Sms(a), Partial::Sms(b)) => a.merge(b),
            (a, b) => Err(StudyError::Merge(format!(
                "cannot merge a {} study with a {} study",
                a.study(),
                b.study()
            ))),
        }
    }

    /// Merges shards given in any order into the whole study.
    ///
    /// # Errors
    /// [`StudyError::Shard`] unless the shards are exactly `1/n..n/n`; merge errors.
    pub fn merge_all(parts: Vec<Partial>) -> Result<Partial, StudyError> {
        let mut shards: Vec<Shard> = parts.iter().flat_map(|p| p.shards().iter().copied()).collect();
        Shard::check_cover(&shards)?;
        shards.sort_by_key(|s| s.index);
        let mut iter = parts.into_iter();
        let Some(mut whole) = iter.next() else {
            return Err(StudyError::Shard("nothing to merge".to_owned()));
        };
        for p in iter {
            whole.merge(&p)?;
        }
        whole.set_shards(vec![Shard::WHOLE]);
        Ok(whole)
    }

    fn set_shards(&mut self, shards: Vec<Shard>) {
        match self {
            Partial::Drift(p) => p.shards = shards,
            Partial::Attack(p) => p.shards = shards,
            Partial::Sms(p) => p.shards = shards,
        }
    }

    /// The finished report's outputs: JSON document, CSV tables and charts.
    ///
    /// # Errors
    /// [`StudyError::File`] if a table cannot be rendered.
    pub fn outputs(&self) -> Result<Outputs, StudyError> {
        let name = self.study();
        let (json, tables, charts) = match self {
            Partial::Drift(p) => {
                let r = p.report();
                (to_json(&r)?, vec![("by-age", csv(&r.by_age)?), ("by-drift", csv(&r.by_drift)?)], r.charts())
            }
            Partial::Attack(p) => {
                let r = p.report();
                (to_json(&r)?, vec![("results", csv(&r.rows)?)], r.charts())
            }
            Partial::Sms(p) => {
                let r = p.report();
                (to_json(&r)?, vec![("results", csv(&r.rows)?)], r.charts())
            }
        };
        let tables = tables.into_iter().map(|(t, text)| (format!("{name}-{t}.csv"), text)).collect();
        Ok(Outputs { json_name: format!("{name}.json"), json, tables, charts })
    }
}

/// What a finished study writes.
#[derive(Clone, Debug, PartialEq)]
pub struct Outputs {
    /// File name of the JSON report.
    pub json_name: String,
    /// The JSON report (configuration and every row).
    pub json: String,
    /// CSV tables: (file name, text).
    pub tables: Vec<(String, String)>,
    /// The plots' data.
    pub charts: Vec<Chart>,
}

impl Outputs {
    /// Writes JSON, CSV, PNG and SVG files into `dir` (created if missing); returns the paths.
    ///
    /// # Errors
    /// [`StudyError::File`] / [`StudyError::Plot`] naming the file.
    pub fn write(&self, dir: &Path) -> Result<Vec<PathBuf>, StudyError> {
        std::fs::create_dir_all(dir).map_err(|e| file_error(dir, e))?;
        let mut written = Vec::new();
        for (name, text) in
            std::iter::once((&self.json_name, &self.json)).chain(self.tables.iter().map(|(n, t)| (n, t)))
        {
            let path = dir.join(name);
            std::fs::write(&path, text).map_err(|e| file_error(&path, e))?;
            written.push(path);
        }
        for chart in &self.charts {
            written.extend(chart.render(dir)?);
        }
        Ok(written)
    }
}

/// Reads a partial file written by a sharded run.
///
/// # Errors
/// [`StudyError::File`] naming the file.
pub fn read_partial(path: &Path) -> Result<Partial, StudyError> {
    let text = std::fs::read_to_string(path).map_err(|e| file_error(path, e))?;
    serde_json::from_str(&text).map_err(|e| file_error(path, e))
}

/// Writes a partial file (`<dir>/<study>-partial-<i>of<n>.json`); returns its path.
///
/// # Errors
/// [`StudyError::File`] naming the file.
pub fn write_partial(partial: &Partial, dir: &Path) -> Result<PathBuf, StudyError> {
    std::fs::create_dir_all(dir).map_err(|e| file_error(dir, e))?;
    let tag =
        partial.shards().iter().map(|s| format!("{}of{}", s.index, s.count)).collect::<Vec<_>>().join("-");
    let path = dir.join(format!("{}-partial-{tag}.json", partial.study()));
    let text = serde_json::to_string(partial).map_err(|e| file_error(&path, e))?;
    std::fs::write(&path, text).map_err(|e| file_error(&path, e))?;
    Ok(path)
}

fn to_json<T: Serialize>(value: &T) -> Result<String, StudyError> {
    serde_json::to_string_pretty(value).map(|s| s + "\n").map_err(|e| file_error(Path::new("report.json"), e))
}

fn csv<T: Serialize>(rows: &[T]) -> Result<String, StudyError> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r).map_err(|e| file_error(Path::new("table.csv"), e))?;
    }
    let bytes = w.into_inner().map_err(|e| file_error(Path::new("table.csv"), e.error()))?;
    String::from_utf8(bytes).map_err(|e| file_error(Path::new("table.csv"), e))
}

fn file_error(path: &Path, e: impl std::fmt::Display) -> StudyError {
    StudyError::File { path: path.to_owned(), message: e.to_string() }
}
