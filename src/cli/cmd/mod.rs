//! One module per subcommand.

pub mod serve;
pub mod tokens;
pub mod vectors;
