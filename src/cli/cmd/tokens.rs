//! `mfa-harness tokens`: write a seed file for a deterministic batch of hardware tokens, so a
//! server can be provisioned exactly as a vendor's shipment would provision it.

use std::io::Write;

use anyhow::Context;

use crate::cli::RunVerdict;
use crate::cli::args::{SeedFileFormat, TokensArgs};
use crate::provision::{self, PreSharedKey, SeedFormat, pskc};

/// Runs the subcommand: [`provision::sample_batch`] written in the chosen format, with PSKC
/// keys encrypted when `--psk` is given.
///
/// # Errors
/// A bad `--psk`, a file that cannot be written (named), or standard output closed.
pub fn run(args: &TokensArgs) -> anyhow::Result<RunVerdict> {
    let format = match args.format {
        SeedFileFormat::Pskc => SeedFormat::Pskc,
        SeedFileFormat::OathCsv => SeedFormat::OathCsv,
    };
    let batch = provision::sample_batch(args.count, args.seed);
    let text = match (&args.psk, format) {
        (None, _) => format.write(&batch)?,
        (Some(hex), SeedFormat::Pskc) => {
            let key = PreSharedKey::from_hex(hex).context("--psk")?;
            pskc::write_encrypted(&batch, &key, args.seed)?
        }
        (Some(_), SeedFormat::OathCsv) => {
            anyhow::bail!("--psk needs --format pskc: OATH CSV has no encryption")
        }
    };
    match &args.out {
        Some(path) => {
            std::fs::write(path, &text).with_context(|| format!("writing seed file {}", path.display()))?
        }
        None => std::io::stdout().lock().write_all(text.as_bytes()).context("writing to standard output")?,
    }
    Ok(RunVerdict::Passed)
}
