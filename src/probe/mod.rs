//! The observed policy: `mfa-harness probe` measures what a server's verification policy
//! *is* (its window, drift tracking, replay guard, lockout, SMS codes and resync) through the
//! [`crate::sut::Target`] trait alone, sets each figure against the policy the target
//! declares and against published bounds, and grades each area A to F by one documented
//! table (`grading.toml`, shown in `docs/grading.md`).
//!
//! Every measurement uses fresh accounts and devices, so no probe disturbs another: the
//! window gets one device per offset, the lockout a fresh account per count tried. Codes go
//! to a sign-in prompt, else a sensitive operation's, else an unbinding's. Time is
//! simulated where the target has clock control; a figure that needs time to pass is "not
//! measured: needs clock control" elsewhere, and a server on its own clock gets every figure
//! measurable at one instant (a measurement a step edge crossed is repeated).
//!
//! [`ProbeReport`] is the typed result (JSON); [`render_markdown`] is its section for a run
//! report, [`render_text`] its terminal form.

mod bisect;
mod drift;
mod error;
pub mod figure;
pub mod grading;
mod guesses;
mod lab;
mod lockout;
mod render;
mod replay;
mod report;
mod resync;
mod sms;
mod window;

use std::path::{Path, PathBuf};

pub use error::ProbeError;
pub use figure::DeclaredCheck;
pub use grading::{Grade, GradeCard, GradingTable};
pub use render::{
    FigureRow, behind, declared_words, figure_rows, grade_words, headline, overall_words,
    render_card_markdown, render_figures_markdown, render_markdown, render_text,
};
pub use report::*;

use crate::sut::Connection;

/// Report format version.
pub const FORMAT: u32 = 1;
/// Copies of one code sent at once in the parallel replay.
pub const PARALLEL_REPLAY: usize = replay::PARALLEL;

/// What a probe concluded about the target's declarations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProbeOutcome {
    /// Every declared number that could be measured agrees.
    Agrees,
    /// A declared number disagrees with the measured one.
    Disagrees,
    /// Some figure has no value because the target gave no usable answer.
    Errored,
}

/// Probes the target behind `connection` with randomness (names, keys, start time) from
/// `seed`.
///
/// # Errors
/// [`ProbeError`] when the target cannot be prepared (reset, clock) or the grading table is
/// unusable; a measurement that fails is an error *figure* in the report instead.
pub fn probe(connection: &Connection, seed: u64) -> Result<ProbeReport, ProbeError> {
    let target = (connection.factory)(seed).map_err(error::doing("preparing the target"))?;
    let lab = lab::Lab::new(target, seed)?;
    let window = window::measure(&lab);
    let mut report = ProbeReport {
        format: FORMAT,
        seed,
        target: connection.info.clone(),
        clock: lab.clock(),
        declared: lab.target().policy_facts(),
        declared_checks: Vec::new(),
        drift: drift::measure(&lab, &window),
        replay: replay::measure(&lab, &window),
        lockout: lockout::measure(&lab, &window),
        sms: sms::measure(&lab),
        resync: resync::measure(&lab),
        window,
        grades: GradeCard::default(),
    };
    report.declared_checks = figure::declared_checks(&report);
    let table = GradingTable::builtin()?;
    report.grades = grading::grade(table, &report)?;
    Ok(report)
}

impl ProbeReport {
    /// Errors and disagreements decide; a poor grade alone is not a failure of the probe.
    pub fn outcome(&self) -> ProbeOutcome {
        if !self.errors().is_empty() {
            ProbeOutcome::Errored
        } else if self.declared_checks.iter().any(|c| c.agrees == Some(false)) {
            ProbeOutcome::Disagrees
        } else {
            ProbeOutcome::Agrees
        }
    }

    /// Every figure the target gave no usable answer for, with the error.
    pub fn errors(&self) -> Vec<String> {
        let Ok(table) = GradingTable::builtin() else { return vec!["the grading table is unusable".into()] };
        table
            .figure
            .iter()
            .filter_map(|f| match figure::read(self, &f.id) {
                Some(Measured::Error { message }) => Some(format!("{}: {message}", f.id)),
                _ => None,
            })
            .collect()
    }

    /// Writes `probe.json` and `probe.md` into `dir` (created if needed).
    ///
    /// # Errors
    /// The file that could not be written.
    pub fn write_all(&self, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
        std::fs::create_dir_all(dir)?;
        let json = serde_json::to_string_pretty(self).map_err(std::io::Error::other)? + "\n";
        let files = [("probe.json", json), ("probe.md", render_markdown(self))];
        let mut written = Vec::new();
        for (name, text) in files {
            let path = dir.join(name);
            std::fs::write(&path, text)?;
            written.push(path);
        }
        Ok(written)
    }
}
