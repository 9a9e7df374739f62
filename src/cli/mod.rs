//! The command line: [`args`] holds the raw clap structures, [`cmd`] one module per
//! subcommand. Errors here carry context (`anyhow`) because they end at a person.

pub mod args;
pub mod cmd;

use std::process::ExitCode;

pub use args::{Cli, Command};

/// Exit code for harness, configuration and usage errors (clap's own usage errors exit 2 too).
pub const HARNESS_ERROR: u8 = 2;

/// What a subcommand concluded about the thing it checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunVerdict {
    /// Every applicable check passed.
    Passed,
    /// At least one check failed.
    Failed,
}

impl RunVerdict {
    /// 0 for [`RunVerdict::Passed`], 1 for [`RunVerdict::Failed`].
    pub fn exit_code(self) -> ExitCode {
        match self {
            RunVerdict::Passed => ExitCode::SUCCESS,
            RunVerdict::Failed => ExitCode::from(1),
        }
    }
}

/// Runs the parsed command line.
///
/// # Errors
/// Any harness error, with context naming the file, record or request involved.
pub fn run(cli: Cli) -> anyhow::Result<RunVerdict> {
    match cli.command {
        Command::Run(args) => cmd::run::run(&args),
        Command::Mutants(args) => cmd::mutants::run(&args),
        Command::Probe(args) => cmd::probe::run(&args),
        Command::Vectors(args) => cmd::vectors::run(&args),
        Command::Tokens(args) => cmd::tokens::run(&args),
        Command::Serve(args) => cmd::serve::run(&args),
        Command::Sweep(study) => cmd::sweep::run(&study),
        Command::Merge(args) => cmd::merge::run(&args),
    }
}
