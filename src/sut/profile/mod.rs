//! Profile targets: an existing MFA server's own API, mapped onto the harness's operations by a
//! declarative TOML file (`docs/profiles.md`) instead of code. A profile names request
//! templates per operation, JSON-pointer extractors and ordered response rules; the engine here
//! renders, sends (through the HTTP client layer every target shares), and turns answers into
//! [`Verdict`](crate::protocol::Verdict)s. A capability the profile does not map is not
//! applicable, with the profile's reason; an operation a profile lacks is an error, never a
//! pass.
//!
//! A profile target's clock is either the server's real clock, which each scenario starts at,
//! or a libfaketime file the harness writes each operation's simulated time into (`clock.rs`).
//!
//! | file | concept |
//! | --- | --- |
//! | `schema.rs`, `load.rs`, `template.rs` | the file as written, its checks, its templates |
//! | `connection.rs` | a connected profile and what its scenarios share |
//! | `admin.rs` | signing in as the server's administrator |
//! | `clock.rs` | the server's clock: read on a real clock, set through libfaketime |
//! | `engine.rs`, `exchange.rs` | running an operation's steps; one HTTP exchange of a step |
//! | `cookie.rs` | the cookie jar each handle keeps |
//! | `predicate.rs`, `outcome.rs` | response rules, and what a matched rule means |
//! | `state.rs`, `target.rs`, `vocabulary.rs` | one scenario's target, its memory, its words |

mod admin;
mod clock;
mod connection;
mod cookie;
mod engine;
mod error;
mod exchange;
mod load;
mod outcome;
mod predicate;
mod record;
mod schema;
mod state;
mod target;
mod template;
mod vocabulary;

pub use connection::Connection;
pub use error::ProfileError;
pub use load::Profile;
pub use target::ProfileTarget;

/// Template variables by name: a call's arguments, extracts, `set` values and handles.
type Vars = std::collections::BTreeMap<String, String>;
