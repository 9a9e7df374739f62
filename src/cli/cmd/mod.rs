//! One module per subcommand.

pub mod tokens;
pub mod vectors;
