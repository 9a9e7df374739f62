//! Evidence a vendor can act on: the HTTP exchanges of a scenario, as a failing scenario's
//! report shows them. The one HTTP layer ([`super::transport`]) writes every exchange it makes
//! into its [`Journal`]; the runner takes them at the start of a scenario (to drop what came
//! before) and at its end, and keeps them for scenarios that did not pass.
//!
//! Nothing here reads a clock, so a report stays the same for a seed wherever the target's
//! answers do. Bodies are redacted twice: with the call's own secret values when recorded,
//! and by the redactor again when taken, so an admin token the server issued in the very
//! exchange that is recorded (learned only after it arrived) never shows either.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};

use serde::{Deserialize, Serialize};

use super::redaction::Redactor;

/// How much of each request and response body an exchange keeps, in characters.
pub const EVIDENCE_CHARS: usize = 300;

/// How many exchanges the journal holds: the latest ones, closest to a failure. A target used
/// outside a run (a probe sends thousands of requests) takes none, and must not grow forever.
pub const EVIDENCE_EXCHANGES: usize = 200;

/// How much of a body the journal holds until it is taken (redaction then runs on this much).
const HELD_BYTES: usize = 1024;

/// One HTTP exchange, as the report shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpExchange {
    /// `POST`.
    pub method: String,
    /// The path below the base URL, with its query (`/validate/check?user=...`), redacted.
    pub path: String,
    /// The HTTP status; none when no answer came (the response then says why).
    pub status: Option<u16>,
    /// The start of the request body, redacted (empty for none).
    pub request: String,
    /// The start of the response body, redacted, or why there was no response.
    pub response: String,
}

/// The latest [`EVIDENCE_EXCHANGES`] exchanges made since they were last taken, oldest first.
#[derive(Debug, Default)]
pub struct Journal {
    exchanges: Mutex<VecDeque<HttpExchange>>,
}

impl Journal {
    /// Records an exchange; `redactor` and `extra` (the call's secret values) redact it now.
    pub fn record(&self, exchange: HttpExchange, redactor: &Redactor, extra: &[&str]) {
        let held = |text: &str| redactor.redact_with(&head(text, HELD_BYTES), extra);
        let exchange = HttpExchange {
            path: held(&exchange.path),
            request: held(&exchange.request),
            response: held(&exchange.response),
            ..exchange
        };
        let mut exchanges = self.exchanges.lock().unwrap_or_else(PoisonError::into_inner);
        if exchanges.len() == EVIDENCE_EXCHANGES {
            exchanges.pop_front();
        }
        exchanges.push_back(exchange);
    }

    /// Takes the recorded exchanges, redacted again by `redactor` (which may have learned
    /// values since) and cut to [`EVIDENCE_CHARS`].
    pub fn take(&self, redactor: &Redactor) -> Vec<HttpExchange> {
        let taken = std::mem::take(&mut *self.exchanges.lock().unwrap_or_else(PoisonError::into_inner));
        let shown = |text: &str| cut(&redactor.redact(text), EVIDENCE_CHARS);
        taken
            .into_iter()
            .map(|e| HttpExchange {
                path: shown(&e.path),
                request: shown(&e.request),
                response: shown(&e.response),
                ..e
            })
            .collect()
    }
}

/// At most `max` bytes of `text`, ending on a character boundary.
fn head(text: &str, max: usize) -> String {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

/// At most `max` characters of `text`, `…` where it was cut.
fn cut(text: &str, max: usize) -> String {
    let mut out: String = text.chars().take(max).collect();
    if text.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange(request: &str, response: &str) -> HttpExchange {
        HttpExchange {
            method: "POST".into(),
            path: "/auth?password=hunter22".into(),
            status: Some(200),
            request: request.into(),
            response: response.into(),
        }
    }

    #[test]
    fn exchanges_are_redacted_when_recorded_and_again_when_taken() {
        let redactor = Redactor::default();
        let journal = Journal::default();
        journal.record(
            exchange("password=hunter22", r#"{"token":"jwt-issued-later"}"#),
            &redactor,
            &["hunter22"],
        );
        redactor.learn("jwt-issued-later".into());
        let taken = journal.take(&redactor);
        assert_eq!(taken.len(), 1);
        let shown = format!("{taken:?}");
        assert!(!shown.contains("hunter22") && !shown.contains("jwt-issued-later"), "{shown}");
        assert!(journal.take(&redactor).is_empty(), "taking empties the journal");
    }

    #[test]
    fn only_the_latest_exchanges_are_held() {
        let journal = Journal::default();
        for i in 0..EVIDENCE_EXCHANGES + 5 {
            journal.record(exchange(&format!("n={i}"), ""), &Redactor::default(), &[]);
        }
        let taken = journal.take(&Redactor::default());
        assert_eq!(taken.len(), EVIDENCE_EXCHANGES);
        assert_eq!(taken[0].request, "n=5");
    }

    #[test]
    fn long_bodies_are_cut_with_a_mark() {
        let journal = Journal::default();
        journal.record(exchange("", &"é".repeat(5000)), &Redactor::default(), &[]);
        let taken = journal.take(&Redactor::default());
        assert_eq!(taken[0].response.chars().count(), EVIDENCE_CHARS + 1);
        assert!(taken[0].response.ends_with('…'));
    }
}
