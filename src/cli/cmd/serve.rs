//! `mfa-harness serve`: the reference MFA service over HTTP until interrupted.

use anyhow::Context;

use crate::cli::RunVerdict;
use crate::cli::args::ServeArgs;
use crate::clock::DEFAULT_EPOCH;
use crate::reference::{PasswordCost, Policy};
use crate::server::{self, ServerConfig};

/// Runs the subcommand.
///
/// # Errors
/// An unreadable policy file, an address that cannot be bound, or a server failure.
pub fn run(args: &ServeArgs) -> anyhow::Result<RunVerdict> {
    let mut policy = match &args.policy {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("{}", path.display()))?;
            toml::from_str::<Policy>(&text).with_context(|| format!("{}: bad policy", path.display()))?
        }
        None => Policy::default(),
    };
    if args.test_clock {
        policy.password_cost = PasswordCost::Fast;
    }
    let seeds = match &args.seeds {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("{}", path.display()))?;
            crate::provision::read(&path.display().to_string(), &text)?
        }
        None => Vec::new(),
    };
    eprintln!("inventory: {} hardware tokens", seeds.len());
    let config = ServerConfig {
        policy,
        seed: args.seed,
        test_clock: args.test_clock.then_some(DEFAULT_EPOCH),
        sms_webhook: args.sms_webhook.clone(),
        seeds,
    };
    let runtime = tokio::runtime::Runtime::new().context("starting the tokio runtime")?;
    eprintln!("serving the target protocol v{} on http://{}/v1/", server::api::PROTOCOL_VERSION, args.addr);
    runtime
        .block_on(server::serve(args.addr, config))
        .with_context(|| format!("serving on {}", args.addr))?;
    Ok(RunVerdict::Passed)
}
