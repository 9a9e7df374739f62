//! Profile targets: an existing MFA server's own API, mapped onto the harness's operations by a
//! declarative TOML file (`docs/profiles.md`) instead of code. A profile names request
//! templates per operation, JSON-pointer extractors and ordered response rules; the engine here
//! renders, sends (through the HTTP client layer every target shares), and turns answers into
//! [`Verdict`](crate::protocol::Verdict)s. A capability the profile does not map is not
//! applicable, with the profile's reason; an operation a profile lacks is an error, never a
//! pass.
//!
//! Profile targets run on the server's real clock: the simulated time each call carries is
//! offered to templates (`{{sim_unix}}`, `{{server_offset}}`) but cannot move the server.
//!
//! | file | concept |
//! | --- | --- |
//! | `schema.rs`, `load.rs`, `template.rs` | the file as written, its checks, its templates |
//! | `connection.rs` | a connected profile and what its scenarios share |
//! | `admin.rs` | signing in as the server's administrator |
//! | `engine.rs`, `exchange.rs` | running an operation's steps; one HTTP exchange of a step |
//! | `predicate.rs`, `outcome.rs` | response rules, and what a matched rule means |
//! | `state.rs`, `target.rs`, `vocabulary.rs` | one scenario's target, its memory, its words |

mod admin;
mod connection;
mod engine;
mod error;
mod exchange;
mod load;
mod outcome;
mod predicate;
mod schema;
mod state;
mod target;
mod template;
mod vocabulary;

pub use connection::Connection;
pub use error::ProfileError;
pub use target::ProfileTarget;

/// Template variables by name: a call's arguments, extracts, `set` values and handles.
type Vars = std::collections::BTreeMap<String, String>;
