//! What a finished study writes: its JSON report, CSV tables and charts, built the same way
//! for every [`Study`](super::Study).

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::StudyError;
use crate::report::plot::Chart;

/// One CSV table: the name suffix (`by-age`, written as `drift-by-age.csv`) and its text.
pub type Table = (&'static str, String);

/// What a finished study writes.
#[derive(Clone, Debug, PartialEq)]
pub struct Outputs {
    /// The folder under the output root (`drift-seed7`).
    pub folder: String,
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
    /// A study's outputs: `<name>.json` from `report`, `<name>-<suffix>.csv` per table.
    ///
    /// # Errors
    /// [`StudyError::File`] if the report cannot be written as JSON.
    pub fn new(
        name: &str,
        seed: u64,
        report: &impl Serialize,
        tables: Vec<Table>,
        charts: Vec<Chart>,
    ) -> Result<Outputs, StudyError> {
        let json = serde_json::to_string_pretty(report)
            .map(|s| s + "\n")
            .map_err(|e| file_error(Path::new("report.json"), e))?;
        Ok(Outputs {
            folder: format!("{name}-seed{seed}"),
            json_name: format!("{name}.json"),
            json,
            tables: tables.into_iter().map(|(t, text)| (format!("{name}-{t}.csv"), text)).collect(),
            charts,
        })
    }

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

/// Rows as CSV text, a header from the row type's field names.
///
/// # Errors
/// [`StudyError::File`] if a row cannot be written as CSV.
pub fn csv<T: Serialize>(rows: &[T]) -> Result<String, StudyError> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r).map_err(|e| file_error(Path::new("table.csv"), e))?;
    }
    let bytes = w.into_inner().map_err(|e| file_error(Path::new("table.csv"), e.error()))?;
    String::from_utf8(bytes).map_err(|e| file_error(Path::new("table.csv"), e))
}

pub(crate) fn file_error(path: &Path, e: impl std::fmt::Display) -> StudyError {
    StudyError::File { path: path.to_owned(), message: e.to_string() }
}
