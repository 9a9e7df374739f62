//! A connected profile: the checked file, its secrets, one HTTP transport, the redactor, the
//! admin session, the SMS sink and the faketime clock, shared by the target of every scenario
//! of a run.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use super::admin::AdminSession;
use super::clock::{FaketimeClock, real_now};
use super::cookie;
use super::load::Profile;
use super::target::ProfileTarget;
use super::{ProfileError, Vars};
use crate::clock::SimTime;
use crate::protocol::{Capabilities, Capability};
use crate::sut::redaction::Redactor;
use crate::sut::sms_sink::{SinkFormat, SmsSink};
use crate::sut::transport::Transport;
use crate::sut::{Answer, Target, TargetFactory, TargetInfo};

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
    /// The server's clock, when the harness sets it.
    pub faketime: Option<FaketimeClock>,
    /// The server's time read at connect (Unix seconds).
    pub connected_at: OnceLock<f64>,
    /// `{{run}}`: the harness's real clock at connect, in hex milliseconds. Not the server's
    /// clock: under libfaketime that is the harness's too and repeats from run to run, so
    /// names one run creates met the previous run's on the same server.
    pub run_id: String,
}

impl Connection {
    /// Loads the profile at `path` (secrets and `${ENV}` from the process environment),
    /// starts the SMS sink, signs in as admin, runs the connect steps and reads the server time
    /// (with a faketime clock: after setting it, and checking that the server follows it).
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
        let faketime = profile.faketime.as_deref().map(FaketimeClock::new);
        let shared = Arc::new(Shared {
            profile,
            secrets,
            transport,
            redactor,
            admin: AdminSession::default(),
            sink,
            faketime,
            connected_at: OnceLock::new(),
            run_id: format!("{:x}", super::clock::real_now() / 1_000_000),
        });
        let url = shared.profile.base_url.clone();
        let probe = ProfileTarget::new(shared.clone(), 0);
        let fail = |source| ProfileError::Connect { url: url.clone(), source };
        // With a faketime clock: a time no real clock shows, set before the connect steps and
        // again (restarting the clock) before it is read back.
        let check_time = shared.faketime.as_ref().map(|_| a_day_ago());
        if let Some(at) = check_time {
            shared.set_clock(at).map_err(fail)?;
        }
        let start = SimTime::from_unix_millis(0);
        for step in &shared.profile.file.connect {
            probe.run_steps("connect", std::slice::from_ref(step), Vars::new(), start).map_err(fail)?;
        }
        if let Some(at) = check_time {
            shared.set_clock(at).map_err(fail)?;
        }
        let reading = probe.read_clock().map_err(fail)?;
        if let (Some(clock), Some(at)) = (&shared.faketime, check_time) {
            follows(clock, at, reading.now, reading.now - reading.said)?;
        }
        // Set once, here, before any other target exists.
        let _ = shared.connected_at.set(reading.said);
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

    /// This connection's `{{run}}`, which the names it creates carry.
    pub fn run_id(&self) -> &str {
        &self.shared.run_id
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

/// The real clock a day ago: the time set to check that the server follows its faketime file
/// (a server on its real clock cannot show it). Read once per connection; it also keeps the
/// names of consecutive runs apart (`{{run}}`).
fn a_day_ago() -> SimTime {
    let millis = real_now() / 1_000_000 - 86_400_000;
    SimTime::from_unix_millis(u64::try_from(millis).unwrap_or(0))
}

/// Whether the server's clock, read as `now` (± `spread`), shows the time `set` just written
/// to its faketime file: within two seconds plus the reading's spread (the clock runs on from
/// the write; a `Date` header has whole seconds).
fn follows(clock: &FaketimeClock, set: SimTime, now: f64, spread: f64) -> Result<(), ProfileError> {
    let set_secs = set.unix_millis() as f64 / 1000.0;
    if (now - set_secs).abs() <= 2.0 + 2.0 * spread {
        return Ok(());
    }
    Err(ProfileError::Clock {
        file: clock.path().to_owned(),
        message: format!(
            "the server does not take its clock from this file: set to Unix {set_secs:.3}, it says \
             {now:.3}; start it with LD_PRELOAD=<libfaketime.so.1>, FAKETIME_TIMESTAMP_FILE=<this \
             file> and FAKETIME_NO_CACHE=1 (docs/profiles.md)"
        ),
    })
}

impl Shared {
    /// With a faketime clock, restarts the server's clock at `now`; without one, nothing.
    ///
    /// # Errors
    /// [`crate::sut::TargetError::NoAnswer`] when the file cannot be written.
    pub fn set_clock(&self, now: SimTime) -> Answer<()> {
        self.faketime.as_ref().map_or(Ok(()), |clock| clock.set(now))
    }

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

    /// The values of `vars` that are secret: the always-secret names, cookies and the
    /// profile's `secret_variables` (by bare or handle-prefixed name).
    pub fn secret_values<'v>(&self, vars: &'v Vars) -> Vec<&'v str> {
        let named = &self.profile.file.target.secret_variables;
        vars.iter()
            .filter(|(name, _)| {
                let bare = name.rsplit('.').next().unwrap_or(name);
                ALWAYS_SECRET.contains(&bare)
                    || cookie::is_cookie(name)
                    || named.iter().any(|s| s == bare || s == *name)
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
