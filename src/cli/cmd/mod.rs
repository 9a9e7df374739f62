//! One module per subcommand.

pub mod mutants;
pub mod run;
pub mod serve;
pub mod tokens;
pub mod vectors;
