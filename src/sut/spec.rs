//! `--target`: which server a run talks to, parsed once.

use std::sync::Arc;

use super::{Connection, Http, HttpSettings, InProcess, Target, TargetError, TargetFactory};
use crate::protocol::PolicyFacts;
use crate::reference::Policy;
use crate::reference::mutant::Mutant;

/// A parsed `--target` value.
#[derive(Clone, Debug, PartialEq)]
pub enum TargetSpec {
    /// The embedded reference service, in process, with a policy (the default one, or a
    /// mutant's) under a name for reports.
    Reference {
        /// `reference`, or the mutant's name.
        name: String,
        /// The verification policy it runs.
        policy: Policy,
        /// The policy numbers it declares: its own, or for a mutant the reference's, since a
        /// mutant is a server that does not do what it declares.
        declared: PolicyFacts,
    },
    /// A server speaking the target protocol over HTTP (`mfa-harness serve`, or a vendor's).
    Http(HttpSettings),
    /// An existing server mapped by a profile file (`profile:PATH`, see `docs/profiles.md`).
    Profile {
        /// The profile file.
        path: std::path::PathBuf,
    },
}

impl TargetSpec {
    /// Parses `--target`: `reference`; an `http://` / `https://` URL of a target-protocol
    /// server (default timeouts: 2 s to connect, 10 s per request); or `profile:PATH` for an
    /// existing server mapped by a profile.
    ///
    /// # Errors
    /// A message naming the value and what is accepted.
    pub fn parse(text: &str) -> Result<TargetSpec, String> {
        match text {
            "reference" => Ok(TargetSpec::reference()),
            url if url.starts_with("http://") || url.starts_with("https://") => {
                HttpSettings::parse(url).map(TargetSpec::Http)
            }
            other if other.starts_with("profile:") && other.len() > "profile:".len() => {
                Ok(TargetSpec::Profile { path: other["profile:".len()..].into() })
            }
            other => Err(format!(
                "unknown target {other:?}: expected \"reference\", an http(s):// URL or \"profile:PATH\""
            )),
        }
    }

    /// The reference with its default policy, declaring it.
    pub fn reference() -> TargetSpec {
        let policy = Policy::for_tests();
        TargetSpec::Reference { name: "reference".into(), declared: policy.facts(), policy }
    }

    /// A mutant of the reference: it runs the mutant's policy and declares the reference's.
    pub fn mutant(mutant: &Mutant) -> TargetSpec {
        TargetSpec::Reference {
            name: mutant.name.clone(),
            policy: mutant.policy.clone(),
            declared: Policy::for_tests().facts(),
        }
    }

    /// What reports call the target, what it can do, and how to get one per scenario.
    ///
    /// # Errors
    /// [`TargetError`] when the target cannot be reached.
    pub fn connect(&self) -> Result<Connection, TargetError> {
        match self {
            TargetSpec::Reference { name, policy, declared } => {
                let sample = InProcess::declaring(name, policy.clone(), *declared, 0);
                let (name, policy, declared) = (name.clone(), policy.clone(), *declared);
                let factory: TargetFactory = Arc::new(move |seed| {
                    Ok(Arc::new(InProcess::declaring(&name, policy.clone(), declared, seed))
                        as Arc<dyn Target>)
                });
                Ok(Connection { info: sample.info(), capabilities: sample.capabilities(), factory })
            }
            TargetSpec::Profile { path } => {
                let connection =
                    super::profile::Connection::open(path).map_err(|e| TargetError::NoAnswer {
                        request: format!("profile {}", path.display()),
                        message: e.to_string(),
                    })?;
                Ok(Connection {
                    info: connection.info(),
                    capabilities: connection.capabilities(),
                    factory: connection.factory(),
                })
            }
            TargetSpec::Http(settings) => {
                // One server, one client: every scenario shares it, and the world resets it.
                let target: Arc<dyn Target> = Arc::new(Http::connect(settings.clone())?);
                let (info, capabilities) = (target.info(), target.capabilities());
                let factory: TargetFactory = Arc::new(move |_seed| Ok(target.clone()));
                Ok(Connection { info, capabilities, factory })
            }
        }
    }
}
