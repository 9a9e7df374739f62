//! The `mfa-harness` binary: parse arguments, run, map the result to an exit code
//! (0 all pass, 1 a check failed, 2 harness or usage error).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = mfa_harness::cli::Cli::parse();
    match mfa_harness::cli::run(args) {
        Ok(verdict) => verdict.exit_code(),
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(mfa_harness::cli::HARNESS_ERROR)
        }
    }
}
