//! One module per subcommand.

pub mod merge;
pub mod sweep;
pub mod tokens;
pub mod vectors;
