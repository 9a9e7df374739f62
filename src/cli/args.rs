//! Raw command-line structures (clap derive). Validation into settings happens in each
//! subcommand, so every error names the flag and value that caused it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Simulation and conformance test harness for multi-factor authentication.
#[derive(Debug, Parser)]
#[command(name = "mfa-harness", version, about, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run HOTP/TOTP and otpauth URI test vectors against OTP implementations.
    Vectors(VectorsArgs),
}

/// Arguments of `mfa-harness vectors`.
#[derive(Debug, Args)]
pub struct VectorsArgs {
    /// A vector file to run (repeatable). Without it, the vector files built into the binary.
    #[arg(long = "file", value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Which implementation to check.
    #[arg(long = "impl", value_enum, default_value_t = ImplChoice::All)]
    pub implementation: ImplChoice,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

/// `--impl` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ImplChoice {
    /// This crate's OTP core.
    Core,
    /// The totp-rs crate, an independent oracle.
    #[value(name = "totp-rs")]
    TotpRs,
    /// Both.
    All,
}

/// `--format` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// A table for people.
    Text,
    /// One JSON document for machines.
    Json,
}
