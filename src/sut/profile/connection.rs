//! A connected profile: the checked file, its secrets, one HTTP transport, the redactor, the
//! admin session and the SMS sink, shared by the target of every scenario of a run.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use super::admin::AdminSession;
use super::load::Profile;
use super::target::ProfileTarget;
use super::{ProfileError, Vars};
use crate::clock::SimTime;
use crate::protocol::{Capabilities, Capability};
use crate::sut::redaction::Redactor;
use crate::sut::sms_sink::{SinkFormat, SmsSink};
use crate::sut::transport::Transport;
use crate::sut::{Target, TargetFactory, TargetInfo};

/// Variables whose values never appear in messages, whatever the profile says.
const ALWAYS_SECRET: &[&str] =
    &["password", "response", "first", "second", "code", "secret_hex", "secret_base32", "admin_token"];

/// A connected profile: what the run needs to make one [`ProfileTarget`] per scenario.
pub struct Connection {
    shared: Arc<Shared>,
}

/// What every scenario's target shares.
pub(super) struct Shared {
    /// The checked profile.
    pub profile: Profile,
    /// `[secrets]` values by name.
    pub secrets: BTreeMap<String, String>,
    /// The one HTTP client for the server.
    pub transport: Transport,
    /// Knows every secret value and each admin token issued.
    pub redactor: Redactor,
    /// The admin token, once signed in.
    pub admin: AdminSession,
    /// Where the server's SMS arrive, if the profile has a sink.
    pub sink: Option<SmsSink>,
    /// The server's time read at connect (Unix seconds).
    pub connected_at: OnceLock<f64>,
}

impl Connection {
    /// Loads the profile at `path` (secrets and `${ENV}` from the process environment),
    /// starts the SMS sink, signs in as admin, runs the connect steps and reads the server time.
    ///
    /// # Errors
    /// [`ProfileError`].
    pub fn open(path: &Path) -> Result<Connection, ProfileError> {
        Connection::open_with_env(path, &|name| std::env::var(name).ok())
    }

    /// [`Connection::open`] with the environment given.
    ///
    /// # Errors
    /// [`ProfileError`].
    pub fn open_with_env(
        path: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Connection, ProfileError> {
        let profile = Profile::load(path, env)?;
        let secrets = profile.secrets(env)?;
        let t = &profile.file.target;
        let transport = Transport::new(
            &profile.base_url,
            Duration::from_millis(t.connect_timeout_ms),
            Duration::from_millis(t.request_timeout_ms),
        )
        .map_err(|source| ProfileError::Connect { url: profile.base_url.clone(), source })?;
        let sink = match &profile.file.sms_sink {
            Some(s) => Some(
                SmsSink::start(
                    s.port,
                    SinkFormat {
                        path: s.path.clone(),
                        phone_pointer: s.phone_pointer.clone(),
                        code_pointer: s.code_pointer.clone(),
                        text_pointer: s.text_pointer.clone(),
                        code_digits: s.code_digits,
                        reply: s.reply.clone(),
                    },
                )
                .map_err(|source| ProfileError::Sink { port: s.port, source })?,
            ),
            None => None,
        };
        let redactor = Redactor::knowing(secrets.values().cloned());
        let shared = Arc::new(Shared {
            profile,
            secrets,
            transport,
            redactor,
            admin: AdminSession::default(),
            sink,
            connected_at: OnceLock::new(),
        });
        let url = shared.profile.base_url.clone();
        let probe = ProfileTarget::new(shared.clone(), 0);
        let fail = |source| ProfileError::Connect { url: url.clone(), source };
        let start = SimTime::from_unix_millis(0);
        for step in &shared.profile.file.connect {
            probe.run_steps("connect", std::slice::from_ref(step), Vars::new(), start).map_err(fail)?;
        }
        if let Some(step) = &shared.profile.file.clock.probe {
            probe.run_steps("clock probe", std::slice::from_ref(step), Vars::new(), start).map_err(fail)?;
        }
        if let Some(t) = probe.latest_server_time() {
            // Set once, here, before any other target exists.
            let _ = shared.connected_at.set(t);
        }
        Ok(Connection { shared })
    }

    /// Name, kind `profile` and the profile file, for reports.
    pub fn info(&self) -> TargetInfo {
        self.shared.info()
    }

    /// The capabilities the profile maps completely.
    pub fn capabilities(&self) -> Capabilities {
        self.shared.capabilities()
    }

    /// Every capability not mapped, with the profile's reason.
    pub fn not_applicable(&self) -> &BTreeMap<Capability, String> {
        &self.shared.profile.not_applicable
    }

    /// The server's clock as read at connect (Unix seconds), from the time pointer or the
    /// `Date` header.
    pub fn server_time(&self) -> Option<f64> {
        self.shared.connected_at.get().copied()
    }

    /// A target for one scenario: names are kept apart by `{{scenario}}` (from `seed`).
    pub fn target(&self, seed: u64) -> ProfileTarget {
        ProfileTarget::new(self.shared.clone(), seed)
    }

    /// The runner's factory: one [`ProfileTarget`] per scenario seed.
    pub fn factory(&self) -> TargetFactory {
        let shared = self.shared.clone();
        Arc::new(move |seed| Ok(Arc::new(ProfileTarget::new(shared.clone(), seed)) as Arc<dyn Target>))
    }
}

impl Shared {
    /// Name (with the base URL), kind `profile` and the profile file.
    pub fn info(&self) -> TargetInfo {
        TargetInfo {
            name: format!("{} ({})", self.profile.file.target.name, self.profile.base_url),
            kind: "profile".into(),
            profile: Some(self.profile.path.display().to_string()),
        }
    }

    /// The capabilities the profile maps completely.
    pub fn capabilities(&self) -> Capabilities {
        self.profile.mapped.iter().copied().collect()
    }

    /// The values of `vars` that are secret: the always-secret names and the profile's
    /// `secret_variables` (by bare or handle-prefixed name).
    pub fn secret_values<'v>(&self, vars: &'v Vars) -> Vec<&'v str> {
        let named = &self.profile.file.target.secret_variables;
        vars.iter()
            .filter(|(name, _)| {
                let bare = name.rsplit('.').next().unwrap_or(name);
                ALWAYS_SECRET.contains(&bare) || named.iter().any(|s| s == bare || s == *name)
            })
            .map(|(_, value)| value.as_str())
            .collect()
    }

    /// `text` with every secret (known, or among `vars`) redacted.
    pub fn redact(&self, text: &str, vars: &Vars) -> String {
        self.redactor.redact_with(text, &self.secret_values(vars))
    }

    /// The start of `body`, redacted with `vars`' secrets too.
    pub fn excerpt(&self, body: &[u8], vars: &Vars) -> String {
        self.redactor.excerpt(body, &self.secret_values(vars))
    }
}
