//! The `mfa-harness` binary: parse arguments, run, map the result to an exit code
//! (0 all pass, 1 a check failed, 2 harness or usage error).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    restore_default_sigpipe();
    let args = mfa_harness::cli::Cli::parse();
    match mfa_harness::cli::run(args) {
        Ok(verdict) => verdict.exit_code(),
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(mfa_harness::cli::HARNESS_ERROR)
        }
    }
}

/// Rust ignores SIGPIPE, so printing into a closed pipe (`mfa-harness run | head`) would
/// panic; a command-line tool should end quietly instead, as Unix tools do.
fn restore_default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any thread exists; SIG_DFL is a valid
    // disposition for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
