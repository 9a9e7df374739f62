//! Raw command-line structures (clap derive). Validation into settings happens in each
//! subcommand, so every error names the flag and value that caused it.

use std::path::PathBuf;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::study::{Mode, ResyncRule};

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
    /// Run the conformance suite against a target and write reports. Exit 0: the target
    /// conforms; 1: a scenario failed; 2: no verdict (nothing failed, but something could not
    /// be judged, too little was applicable, or the input was bad).
    Run(RunArgs),
    /// Run the suite against every mutant of the reference and show which scenario kills each.
    Mutants(MutantsArgs),
    /// Measure and grade a target's verification policy (window, drift, replay, lockout, SMS, resync).
    Probe(crate::cli::cmd::probe::ProbeArgs),
    /// Run HOTP/TOTP and otpauth URI test vectors against OTP implementations.
    Vectors(VectorsArgs),
    /// Write a hardware-token seed file (PSKC or OATH CSV) for a deterministic batch of tokens.
    Tokens(TokensArgs),
    /// Serve the reference MFA service over HTTP (the target protocol, /v1/).
    Serve(ServeArgs),
    /// Run a tradeoff study (drift vs window, online attacker, SMS lifetime) and write CSV,
    /// JSON and plots.
    #[command(subcommand)]
    Sweep(SweepStudy),
    /// Merge the partial results of a sharded sweep into the study's reports.
    Merge(MergeArgs),
}

/// Arguments of `mfa-harness serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (loopback by default).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: std::net::SocketAddr,
    /// Test mode: a settable virtual clock (GET/PUT /v1/test/clock, GET /v1/test/sms) starting
    /// at 2026-01-01T00:00:00Z, the fast password hash, seeded (predictable) secrets and
    /// session ids, and open admin routes unless --admin-token-file. Never for real users.
    #[arg(long)]
    pub test_clock: bool,
    /// POST every SMS as JSON to this http(s) URL instead of keeping it in the test outbox.
    #[arg(long, value_name = "URL")]
    pub sms_webhook: Option<String>,
    /// A TOML file with the verification policy (fields of `reference::Policy`, including
    /// `[dangers]`); without it, the safe defaults.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Seed of the service's random streams (ids, salts, secrets, SMS codes) in test mode
    /// (default 1). Outside test mode they come from the operating system.
    #[arg(long, requires = "test_clock")]
    pub seed: Option<u64>,
    /// A vendor's seed file (PSKC RFC 6030 or OATH CSV, detected) whose hardware tokens are in
    /// the inventory at start.
    #[arg(long, value_name = "FILE")]
    pub seeds: Option<PathBuf>,
    /// A file holding the admin token (at least 16 visible ASCII characters) that /v1/admin/*
    /// and /v1/test/* require as `Authorization: Bearer <token>`. Without it, outside test
    /// mode a token is generated and printed once at start.
    #[arg(long, value_name = "FILE")]
    pub admin_token_file: Option<PathBuf>,
    /// Connections served at once (capped by the file descriptor limit); more wait in the
    /// kernel's backlog.
    #[arg(long, value_name = "N", default_value_t = 1024)]
    pub max_connections: usize,
    /// Seconds a client has to send a request's headers (also the idle keep-alive limit).
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    pub header_timeout: f64,
    /// Seconds a client has to send a request's body.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    pub body_timeout: f64,
    /// Threads checking passwords (Argon2id, 19 MiB each at the standard cost); default one per
    /// core, at most 8.
    #[arg(long, value_name = "N")]
    pub password_workers: Option<usize>,
}

/// Arguments of `mfa-harness run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The server under test: `reference` (the embedded reference service), the URL of a
    /// target-protocol server (`http://127.0.0.1:8080`, e.g. `mfa-harness serve --test-clock`),
    /// or `profile:PATH` for an existing server mapped by a profile (see docs/profiles.md).
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
    /// A file holding the admin token an http(s) target's admin routes need (`serve` prints
    /// one at start, or takes --admin-token-file).
    #[arg(long, value_name = "FILE")]
    pub admin_token_file: Option<PathBuf>,
    /// Real time the run may take (`90s`, `10m`, `1h`, `500ms`): scenarios not started by
    /// then are errors, and the reports are still written.
    #[arg(long, value_name = "DURATION")]
    pub deadline: Option<String>,
    /// No verdict unless at least this share of the selected scenarios is applicable to the
    /// target (default: at least one).
    #[arg(long, value_name = "PERCENT", value_parser = clap::value_parser!(u8).range(0..=100))]
    pub min_applicable: Option<u8>,
    /// Seconds of real waiting the run may spend on a target whose clock the harness cannot
    /// set (time a scenario lets pass, positions in a time step); a scenario needing more is
    /// not applicable, with the seconds it would need.
    #[arg(long, value_name = "SECONDS", value_parser = non_negative_seconds,
        default_value_t = crate::scenario::runner::DEFAULT_MAX_REAL_WAIT.as_secs_f64())]
    pub max_real_wait: f64,
    /// Do not measure the observed policy (window, replay, lockout, SMS, resync) after the
    /// suite; the reports then say it was not measured, and why.
    #[arg(long)]
    pub no_probe: bool,
}

/// A number of seconds, zero or more.
fn non_negative_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if s.is_finite() && s >= 0.0 => Ok(s),
        _ => Err(format!("{text:?} is not a number of seconds (0 or more)")),
    }
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

/// `mfa-harness sweep <study>`.
#[derive(Debug, Subcommand)]
pub enum SweepStudy {
    /// Hardware tokens drifting for years under a grid of window, tracking, resync and lockout
    /// settings: acceptance, false rejections, lockouts, resyncs and support resets.
    Drift(DriftArgs),
    /// An online attacker guessing codes under windows and lockout/rate rules: success
    /// probability, analytic and simulated.
    Attack(AttackArgs),
    /// SMS latency models x code lifetimes x resend rules: success rate and time to login.
    Sms(SmsArgs),
}

/// Flags every study takes.
#[derive(Debug, Args)]
pub struct StudyArgs {
    /// Master seed: the same seed gives byte-identical CSV and JSON.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output folder; files go to OUT/STUDY-seedSEED/ (e.g. reports/drift-seed1/).
    #[arg(long, default_value = "reports")]
    pub out: PathBuf,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Run only shard i of n (1-based) and write a partial file for `mfa-harness merge`.
    #[arg(long, default_value = "1/1", value_name = "I/N")]
    pub shard: String,
}

/// Arguments of `sweep drift`.
#[derive(Debug, Args)]
pub struct DriftArgs {
    /// Seed, output, threads, shard.
    #[command(flatten)]
    pub study: StudyArgs,
    /// analytic: step arithmetic; exact: real codes from the batch engine as well.
    #[arg(long, value_parser = mode_parser(), default_value = "analytic")]
    pub mode: Mode,
    /// Tokens (default 100000 analytic, 10000 exact).
    #[arg(long)]
    pub tokens: Option<u64>,
    /// Years simulated (365-day years).
    #[arg(long, default_value_t = 5)]
    pub years: u32,
    /// A login every N days.
    #[arg(long, default_value_t = 1)]
    pub every_days: u32,
    /// Crystal tolerance: drift uniform in +-S seconds per year.
    #[arg(long, default_value_t = 90.0)]
    pub drift_s_per_year: f64,
    /// Windows (+-steps), comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = [1u64, 2, 5])]
    pub windows: Vec<u64>,
    /// Drift tracking settings, comma-separated.
    #[arg(long, value_delimiter = ',', value_enum, default_values_t = [Tracking::Off, Tracking::On])]
    pub tracking: Vec<Tracking>,
    /// Resync rules, comma-separated.
    #[arg(long, value_delimiter = ',', value_parser = resync_parser(), default_value = "self")]
    pub resync: Vec<ResyncRule>,
    /// Lockout thresholds (consecutive failures), comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = [10u32])]
    pub lockout: Vec<u32>,
    /// Codes a user tries per login.
    #[arg(long, default_value_t = 3)]
    pub attempts: u32,
    /// Width of an age bucket in days.
    #[arg(long, default_value_t = 30)]
    pub bucket_days: u32,
}

/// Drift tracking off or on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Tracking {
    /// The offset changes only by resync.
    Off,
    /// Accepted logins re-centre the window.
    On,
}

/// `--mode` values: the study's words, read back with [`Mode`]'s `FromStr`.
fn mode_parser() -> impl TypedValueParser<Value = Mode> {
    word_parser(Mode::ALL.map(|m| {
        let help = match m {
            Mode::Analytic => {
                "Step arithmetic: a code matches exactly its own step (chance collisions, about \
                 10^-digits per compared step, are left out)"
            }
            Mode::Exact => "Real codes from the batch engine, so chance collisions between codes count",
        };
        (m.word(), help)
    }))
}

/// `--resync` values: the study's words, read back with [`ResyncRule`]'s `FromStr`.
fn resync_parser() -> impl TypedValueParser<Value = ResyncRule> {
    word_parser(ResyncRule::ALL.map(|r| {
        let help = match r {
            ResyncRule::SelfService => {
                "Right after a failed login the user enters two consecutive codes (reference \
                 service's resync); counted as a resync"
            }
            ResyncRule::Support => {
                "Only support can resync; the user tries again at the next login and calls support \
                 after `support_after_failed_logins` failed logins; counted as a support reset"
            }
        };
        (r.word(), help)
    }))
}

/// A parser listing `(word, help)` as the possible values and reading the word with `T`'s
/// `FromStr`, so library types need no clap derive.
fn word_parser<T, const N: usize>(
    words: [(&'static str, &'static str); N],
) -> impl TypedValueParser<Value = T>
where
    T: std::str::FromStr + Clone + Send + Sync + 'static,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    PossibleValuesParser::new(words.map(|(word, help)| PossibleValue::new(word).help(help)))
        .try_map(|word| word.parse::<T>())
}

/// Arguments of `sweep attack`.
#[derive(Debug, Args)]
pub struct AttackArgs {
    /// Seed, output, threads, shard.
    #[command(flatten)]
    pub study: StudyArgs,
    /// analytic: guesses against random codes; exact: against real codes of random keys.
    #[arg(long, value_parser = mode_parser(), default_value = "analytic")]
    pub mode: Mode,
    /// Attackers simulated per setting.
    #[arg(long, default_value_t = 1000)]
    pub trials: u64,
    /// Windows (+-steps), comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = [0u64, 1, 2, 5, 10])]
    pub windows: Vec<u64>,
    /// How long the attacker keeps going, in days.
    #[arg(long, default_value_t = 30)]
    pub horizon_days: u64,
    /// Code length.
    #[arg(long, default_value_t = 6)]
    pub digits: u8,
}

/// Arguments of `sweep sms`.
#[derive(Debug, Args)]
pub struct SmsArgs {
    /// Seed, output, threads, shard.
    #[command(flatten)]
    pub study: StudyArgs,
    /// Logins simulated per setting.
    #[arg(long, default_value_t = 20_000)]
    pub trials: u64,
    /// Code lifetimes in seconds, comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = [30u64, 60, 120, 300, 600])]
    pub lifetimes: Vec<u64>,
}

/// Arguments of `mfa-harness merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Partial files written by `sweep ... --shard i/n`, all n of them, any order.
    #[arg(required = true)]
    pub partials: Vec<PathBuf>,
    /// Output folder; files go to OUT/STUDY-seedSEED/ (e.g. reports/drift-seed1/).
    #[arg(long, default_value = "reports")]
    pub out: PathBuf,
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
