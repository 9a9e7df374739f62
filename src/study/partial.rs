//! A shard's (or a whole run's) counters with the configuration they came from, as written
//! to `<study>-partial-<i>of<n>.json` and read back by `mfa-harness merge`. The layout is
//! `{"study", "format", "config", "shards", <the counters' fields>}` for every study; files
//! without `format` are format 1.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::output::file_error;
use super::{Counts, Outputs, Progress, STUDIES, Shard, Study, StudyError};

/// Counters of study `S` for some shards of one configuration.
pub struct Partial<S: Study> {
    /// What ran.
    pub config: S::Config,
    /// Which shards these counters cover (one, or all after merging).
    pub shards: Vec<Shard>,
    /// The counters.
    pub counts: S::Counts,
}

impl<S: Study> Partial<S> {
    /// Runs shard `shard` of `config` on the current rayon pool.
    ///
    /// # Errors
    /// The study's configuration and engine errors.
    pub fn run(config: &S::Config, shard: Shard, progress: &Progress<'_>) -> Result<Partial<S>, StudyError> {
        let counts = S::run(config, shard, progress)?;
        Ok(Partial { config: config.clone(), shards: vec![shard], counts })
    }

    /// The report of these counters.
    pub fn report(&self) -> S::Report {
        S::report(&self.config, &self.counts)
    }

    /// Adds another shard of the same configuration.
    ///
    /// # Errors
    /// [`StudyError::Merge`] for different configurations or counters of another shape.
    pub fn merge(&mut self, other: &Partial<S>) -> Result<(), StudyError> {
        if self.config != other.config {
            return Err(StudyError::Merge(format!("{} shards come from different configurations", S::NAME)));
        }
        self.counts.add(&other.counts)?;
        self.shards.extend(other.shards.iter().copied());
        Ok(())
    }

    /// Merges shards given in any order into the whole study.
    ///
    /// # Errors
    /// [`StudyError::Shard`] unless the shards are exactly `1/n..n/n`; merge errors.
    pub fn merge_all(parts: Vec<Partial<S>>) -> Result<Partial<S>, StudyError> {
        let shards: Vec<Shard> = parts.iter().flat_map(|p| p.shards.iter().copied()).collect();
        Shard::check_cover(&shards)?;
        let mut iter = parts.into_iter();
        let Some(mut whole) = iter.next() else {
            return Err(StudyError::Shard("nothing to merge".to_owned()));
        };
        for p in iter {
            whole.merge(&p)?;
        }
        whole.shards = vec![Shard::WHOLE];
        Ok(whole)
    }

    /// The finished study's JSON report, CSV tables and charts.
    ///
    /// # Errors
    /// [`StudyError::File`] if the report or a table cannot be rendered.
    pub fn outputs(&self) -> Result<Outputs, StudyError> {
        let report = self.report();
        Outputs::new(S::NAME, S::seed(&self.config), &report, S::tables(&report)?, S::charts(&report))
    }

    /// The folder under the output root that reports and partial files go to
    /// (`drift-seed7`).
    pub fn folder(&self) -> String {
        format!("{}-seed{}", S::NAME, S::seed(&self.config))
    }

    /// Writes `<dir>/<study>-partial-<i>of<n>.json`; returns its path.
    ///
    /// # Errors
    /// [`StudyError::File`] naming the file.
    pub fn write(&self, dir: &Path) -> Result<PathBuf, StudyError> {
        std::fs::create_dir_all(dir).map_err(|e| file_error(dir, e))?;
        let tag =
            self.shards.iter().map(|s| format!("{}of{}", s.index, s.count)).collect::<Vec<_>>().join("-");
        let path = dir.join(format!("{}-partial-{tag}.json", S::NAME));
        let file = FileOut::<S> {
            study: S::NAME,
            format: S::FORMAT,
            config: &self.config,
            shards: &self.shards,
            counts: &self.counts,
        };
        let text = serde_json::to_string(&file).map_err(|e| file_error(&path, e))?;
        std::fs::write(&path, text).map_err(|e| file_error(&path, e))?;
        Ok(path)
    }

    /// Reads a partial file of this study.
    ///
    /// # Errors
    /// [`StudyError::File`] naming the file; [`StudyError::Format`] for another layout;
    /// [`StudyError::Merge`] for another study's file.
    pub fn read(path: &Path) -> Result<Partial<S>, StudyError> {
        let text = std::fs::read_to_string(path).map_err(|e| file_error(path, e))?;
        Partial::parse(path, &text)
    }

    fn parse(path: &Path, text: &str) -> Result<Partial<S>, StudyError> {
        let head = Head::parse(path, text)?;
        if head.study != S::NAME {
            return Err(StudyError::Merge(format!(
                "{}: a {} study, not {}",
                path.display(),
                head.study,
                S::NAME
            )));
        }
        if head.format != S::FORMAT {
            return Err(StudyError::Format {
                path: path.to_owned(),
                study: head.study,
                found: head.format,
                expected: S::FORMAT,
            });
        }
        let file: FileIn<S> = serde_json::from_str(text).map_err(|e| file_error(path, e))?;
        Ok(Partial { config: file.config, shards: file.shards, counts: file.counts })
    }
}

// By hand: derives would also ask `S` itself (a marker type) to be `Clone`, `Debug`, ...
impl<S: Study> Clone for Partial<S> {
    fn clone(&self) -> Self {
        Partial { config: self.config.clone(), shards: self.shards.clone(), counts: self.counts.clone() }
    }
}

impl<S: Study> PartialEq for Partial<S> {
    fn eq(&self, other: &Self) -> bool {
        self.config == other.config && self.shards == other.shards && self.counts == other.counts
    }
}

impl<S: Study> std::fmt::Debug for Partial<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Partial")
            .field("study", &S::NAME)
            .field("config", &self.config)
            .field("shards", &self.shards)
            .field("counts", &self.counts)
            .finish()
    }
}

/// A study as `mfa-harness merge` sees it: a name and a way to merge files it did not type.
/// Every [`Study`] is one; [`STUDIES`] lists them.
pub trait AnyStudy: Sync {
    /// [`Study::NAME`].
    fn name(&self) -> &'static str;

    /// Reads the files (path and text) as this study's shards and merges them into the
    /// whole study's outputs.
    ///
    /// # Errors
    /// Unreadable or foreign files, missing or repeated shards.
    fn merge_texts(&self, files: &[(PathBuf, String)]) -> Result<Outputs, StudyError>;
}

impl<S: Study> AnyStudy for S {
    fn name(&self) -> &'static str {
        S::NAME
    }

    fn merge_texts(&self, files: &[(PathBuf, String)]) -> Result<Outputs, StudyError> {
        let parts =
            files.iter().map(|(path, text)| Partial::<S>::parse(path, text)).collect::<Result<_, _>>()?;
        Partial::merge_all(parts)?.outputs()
    }
}

/// Reads the partial files of one sharded run, whatever its study, and merges them into the
/// whole study's outputs.
///
/// # Errors
/// Unreadable files (named), files of different or unknown studies, missing or repeated
/// shards, different configurations.
pub fn merge_files(paths: &[PathBuf]) -> Result<Outputs, StudyError> {
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        files.push((path.clone(), std::fs::read_to_string(path).map_err(|e| file_error(path, e))?));
    }
    let Some((first_path, first_text)) = files.first() else {
        return Err(StudyError::Shard("nothing to merge".to_owned()));
    };
    let name = Head::parse(first_path, first_text)?.study;
    for (path, text) in &files[1..] {
        let other = Head::parse(path, text)?.study;
        if other != name {
            return Err(StudyError::Merge(format!("cannot merge {name} shards with {other} shards")));
        }
    }
    let Some(study) = STUDIES.iter().find(|s| s.name() == name) else {
        let known: Vec<&str> = STUDIES.iter().map(|s| s.name()).collect();
        return Err(file_error(first_path, format!("unknown study {name:?} (known: {})", known.join(", "))));
    };
    study.merge_texts(&files)
}

/// What every partial file starts with: which study and which layout.
#[derive(Deserialize)]
struct Head {
    study: String,
    #[serde(default = "first_format")]
    format: u32,
}

impl Head {
    fn parse(path: &Path, text: &str) -> Result<Head, StudyError> {
        serde_json::from_str(text).map_err(|e| file_error(path, e))
    }
}

/// Files written before partial files carried a format are format 1.
fn first_format() -> u32 {
    1
}

#[derive(Serialize)]
#[serde(bound = "")]
struct FileOut<'a, S: Study> {
    study: &'static str,
    format: u32,
    config: &'a S::Config,
    shards: &'a [Shard],
    #[serde(flatten)]
    counts: &'a S::Counts,
}

#[derive(Deserialize)]
#[serde(bound = "")]
struct FileIn<S: Study> {
    config: S::Config,
    shards: Vec<Shard>,
    #[serde(flatten)]
    counts: S::Counts,
}
