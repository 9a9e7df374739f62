//! One module per subcommand.

pub mod tokens;
pub mod serve;
pub mod vectors;
