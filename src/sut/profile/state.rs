//! What one scenario's profile target remembers: the handles its verdicts opened (sessions,
//! challenges, bindings, each keeping the variables of the operation that opened it), the phone
//! numbers it set (whose SMS are this scenario's), the role each person was created with, and the
//! server's time in the latest answer.

use std::collections::{BTreeMap, BTreeSet};

use super::Vars;
use super::clock::Reading;
use crate::sut::{Answer, TargetError};

/// Prefixes under which a handle's variables are offered to later operations.
const HANDLE_PREFIXES: [&str; 3] = ["challenge.", "session.", "binding."];

/// One scenario's memory.
#[derive(Default)]
pub struct State {
    next_handle: u64,
    handles: BTreeMap<u64, Vars>,
    /// Phone numbers this scenario set.
    pub phones: BTreeSet<String>,
    /// Each person's role word (`root`, `iam`, `iam_admin`) as `create_user` gave it: every
    /// later call naming that person offers it as `role`, since a server may keep people of
    /// different roles apart (privacyIDEA: administrators live in a realm of their own).
    pub roles: BTreeMap<String, String>,
    /// The server's time in the latest answer that carried it (Unix seconds).
    pub server_time: Option<f64>,
    /// The latest reading of the server's clock, with its round trip, until taken.
    pub reading: Option<Reading>,
}

impl State {
    /// Opens a handle holding `vars` (handle prefixes stripped, so `session.user` survives a
    /// challenge answered into a session).
    pub fn open(&mut self, vars: &Vars) -> u64 {
        let mut kept = Vars::new();
        for (k, v) in vars {
            match HANDLE_PREFIXES.iter().find_map(|p| k.strip_prefix(p)) {
                Some(bare) => {
                    kept.entry(bare.to_owned()).or_insert_with(|| v.clone());
                }
                None => {
                    kept.insert(k.clone(), v.clone());
                }
            }
        }
        self.next_handle += 1;
        self.handles.insert(self.next_handle, kept);
        self.next_handle
    }

    /// `vars` plus handle `id`'s variables under `prefix.`.
    ///
    /// # Errors
    /// [`TargetError::Refused`] for a handle this scenario never opened.
    pub fn with_handle(&self, prefix: &str, id: u64, mut vars: Vars) -> Answer<Vars> {
        let Some(held) = self.handles.get(&id) else {
            return Err(TargetError::Refused {
                request: format!("{prefix} {id}"),
                message: format!("no such {prefix} in this scenario"),
            });
        };
        for (k, v) in held {
            vars.insert(format!("{prefix}.{k}"), v.clone());
        }
        Ok(vars)
    }

    /// Forgets every handle; returns the phones set so far (and forgets them too).
    pub fn clear(&mut self) -> BTreeSet<String> {
        self.handles.clear();
        std::mem::take(&mut self.phones)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_handle_keeps_its_variables_with_inner_prefixes_stripped() {
        let mut state = State::default();
        let opened: Vars =
            [("session.user".to_owned(), "alice".to_owned()), ("tx".to_owned(), "T1".to_owned())].into();
        let id = state.open(&opened);
        let vars = state.with_handle("challenge", id, Vars::new()).unwrap();
        assert_eq!(vars.get("challenge.user").map(String::as_str), Some("alice"));
        assert_eq!(vars.get("challenge.tx").map(String::as_str), Some("T1"));
        assert!(state.with_handle("challenge", id + 1, Vars::new()).is_err());
    }
}
