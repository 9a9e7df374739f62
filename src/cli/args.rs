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
    /// Run the conformance suite against a target and write reports.
    Run(RunArgs),
    /// Run the suite against every mutant of the reference and show which scenario kills each.
    Mutants(MutantsArgs),
    /// Run HOTP/TOTP and otpauth URI test vectors against OTP implementations.
    Vectors(VectorsArgs),
    /// Write a hardware-token seed file (PSKC or OATH CSV) for a deterministic batch of tokens.
    Tokens(TokensArgs),
    /// Serve the reference MFA service over HTTP (the target protocol, /v1/).
    Serve(ServeArgs),
}

/// Arguments of `mfa-harness serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (loopback by default).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: std::net::SocketAddr,
    /// Run on a settable virtual clock (GET/PUT /v1/test/clock, GET /v1/test/sms) starting at
    /// 2026-01-01T00:00:00Z, with the fast password hash. Never for real users.
    #[arg(long)]
    pub test_clock: bool,
    /// POST every SMS as JSON to this URL instead of keeping it in the test outbox.
    #[arg(long, value_name = "URL")]
    pub sms_webhook: Option<String>,
    /// A TOML file with the verification policy (fields of `reference::Policy`, including
    /// `[dangers]`); without it, the safe defaults.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Seed of the service's random streams (ids, salts, secrets, SMS codes).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// Arguments of `mfa-harness run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The server under test: `reference` (the embedded reference service) or the URL of a
    /// target-protocol server (`http://127.0.0.1:8080`, e.g. `mfa-harness serve --test-clock`).
    #[arg(long, default_value = "reference")]
    pub target: String,
    /// Run only scenarios matching this tag expression (e.g. `@area.replay and not @concurrent`).
    #[arg(long, value_name = "EXPR")]
    pub tags: Option<String>,
    /// Master seed: the same seed reproduces the run, byte for byte.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Where to write the reports (default `reports/<target>-<seed>/`).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// TOML list of scenarios known to fail, each with a reason.
    #[arg(long, value_name = "FILE")]
    pub expected_failures: Option<PathBuf>,
    /// A folder of the vendor's own `.feature` files, run beside the built-in suite (repeatable).
    #[arg(long = "features", value_name = "DIR")]
    pub features: Vec<PathBuf>,
    /// Print only the summary, not a line per scenario.
    #[arg(long)]
    pub quiet: bool,
}

/// Arguments of `mfa-harness mutants`.
#[derive(Debug, Args)]
pub struct MutantsArgs {
    /// Master seed for every run.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Threads to run mutants on (results do not depend on it).
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
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

/// Arguments of `mfa-harness tokens`.
#[derive(Debug, Args)]
pub struct TokensArgs {
    /// How many tokens (serials MFA0000001, MFA0000002, ...).
    #[arg(long, default_value_t = 10)]
    pub count: usize,
    /// Seed of the key generator: the same seed always gives the same keys.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Seed-file format.
    #[arg(long, value_enum, default_value_t = SeedFileFormat::Pskc)]
    pub format: SeedFileFormat,
    /// Write here instead of to standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// PSKC only: encrypt the keys with this pre-shared AES-128 key (32 hex digits), as
    /// RFC 6030 section 6.1 describes. IVs and the MAC key come from --seed.
    #[arg(long, value_name = "HEX")]
    pub psk: Option<String>,
}

/// `--format` values of `tokens`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SeedFileFormat {
    /// PSKC, RFC 6030 XML.
    Pskc,
    /// OATH CSV as privacyIDEA imports it.
    #[value(name = "oath-csv")]
    OathCsv,
}
