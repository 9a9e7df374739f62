//! `mfa-harness merge`: add up the partial files of a sharded sweep and write the study's
//! reports, identical to a single run's.

use anyhow::Context;

use crate::cli::RunVerdict;
use crate::cli::args::MergeArgs;
use crate::cli::cmd::sweep::write_reports;
use crate::study;

/// Reads every partial file, checks they are the n shards of one study, merges and writes.
///
/// # Errors
/// Unreadable files (named), missing or repeated shards, shards of different studies.
pub fn run(args: &MergeArgs) -> anyhow::Result<RunVerdict> {
    let whole = study::merge_files(&args.partials).context("merging shards")?;
    write_reports(&args.out, &whole)?;
    Ok(RunVerdict::Passed)
}
