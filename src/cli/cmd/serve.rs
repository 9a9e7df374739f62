//! `mfa-harness serve`: the reference MFA service over HTTP until interrupted.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, bail};
use reqwest::Url;

use crate::cli::RunVerdict;
use crate::cli::args::ServeArgs;
use crate::clock::DEFAULT_EPOCH;
use crate::protocol::AdminToken;
use crate::reference::{PasswordCost, Policy};
use crate::server::{self, Limits, Mode, ServerConfig};

/// Runs the subcommand.
///
/// # Errors
/// An unreadable policy, seed or token file, a bad webhook URL or limit, an address that
/// cannot be bound, or a server failure.
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
    let sms_webhook = args.sms_webhook.as_deref().map(webhook_url).transpose().context("--sms-webhook")?;
    let limits = limits(args)?;
    let seeds = match &args.seeds {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("{}", path.display()))?;
            crate::provision::read(&path.display().to_string(), &text)?
        }
        None => Vec::new(),
    };
    let file_token = args.admin_token_file.as_deref().map(read_admin_token).transpose()?;
    let (mode, generated) = if args.test_clock {
        let seed = args.seed.unwrap_or(1);
        (Mode::Test { clock_start: DEFAULT_EPOCH, seed, admin_token: file_token }, None)
    } else {
        match file_token {
            Some(admin_token) => (Mode::Live { admin_token }, None),
            None => {
                let admin_token = AdminToken::generate().context("generating the admin token")?;
                (Mode::Live { admin_token: admin_token.clone() }, Some(admin_token))
            }
        }
    };
    let runtime = tokio::runtime::Runtime::new().context("starting the tokio runtime")?;
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(args.addr))
        .with_context(|| format!("binding {}", args.addr))?;
    let addr = listener.local_addr().context("reading the bound address")?;
    eprintln!("inventory: {} hardware tokens", seeds.len());
    eprintln!(
        "limits: {} connections, {} s for headers, {} s for a body, {} password workers",
        limits.max_connections,
        limits.header_timeout.as_secs_f64(),
        limits.body_timeout.as_secs_f64(),
        limits.password_workers
    );
    if sms_webhook.is_none() && !args.test_clock {
        eprintln!("sms: no --sms-webhook, so SMS codes are dropped");
    }
    if let Mode::Test { seed, admin_token, .. } = &mode {
        eprintln!("{}", test_mode_warning(*seed, admin_token.is_some()));
    }
    if let Some(token) = generated {
        eprintln!(
            "admin token (shown only now; /v1/admin/* needs `Authorization: Bearer <token>`): {}",
            token.reveal()
        );
    }
    let config = ServerConfig { policy, mode, sms_webhook, seeds, limits };
    eprintln!("serving the target protocol v{} on http://{addr}/v1/", server::api::PROTOCOL_VERSION);
    runtime.block_on(server::serve_on(listener, config)).with_context(|| format!("serving on {addr}"))?;
    Ok(RunVerdict::Passed)
}

/// Reads an admin token from a file (surrounding whitespace dropped).
///
/// # Errors
/// The file cannot be read or does not hold a usable token.
pub(crate) fn read_admin_token(path: &Path) -> anyhow::Result<AdminToken> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("admin token file {}", path.display()))?;
    AdminToken::parse(&text).with_context(|| format!("admin token file {}", path.display()))
}

/// The warning test mode prints at start: it must not be mistaken for a server for people.
fn test_mode_warning(seed: u64, token: bool) -> String {
    let admin = if token { "need the admin token" } else { "are open to anyone" };
    format!(
        "WARNING: TEST MODE (--test-clock). The clock is virtual and settable, passwords use the fast \
         hash, and every secret, session id and SMS code is drawn from seed {seed}, so anyone can \
         predict them; /v1/admin/* and /v1/test/* {admin}. NEVER FOR REAL USERS."
    )
}

/// An http(s) URL with a host.
fn webhook_url(text: &str) -> anyhow::Result<Url> {
    let url = Url::parse(text).with_context(|| format!("{text:?} is not a URL"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        bail!("{text:?}: expected http(s)://HOST[:PORT]/PATH");
    }
    Ok(url)
}

/// The limits from the flags, connections capped by the file descriptor limit.
fn limits(args: &ServeArgs) -> anyhow::Result<Limits> {
    let seconds = |flag: &str, value: f64| {
        if value.is_finite() && value > 0.0 && value <= 3600.0 {
            Ok(Duration::from_secs_f64(value))
        } else {
            Err(anyhow::anyhow!("{flag} {value}: expected seconds, more than 0 and at most 3600"))
        }
    };
    if args.max_connections == 0 || args.password_workers == Some(0) {
        bail!("--max-connections and --password-workers must be at least 1");
    }
    let limits = Limits {
        max_connections: args.max_connections,
        header_timeout: seconds("--header-timeout", args.header_timeout)?,
        body_timeout: seconds("--body-timeout", args.body_timeout)?,
        password_workers: args.password_workers.unwrap_or(Limits::default().password_workers),
    };
    Ok(limits.within_descriptor_limit())
}
