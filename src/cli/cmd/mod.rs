//! One module per subcommand.

pub mod merge;
pub mod mutants;
pub mod probe;
pub mod run;
pub mod serve;
pub mod sweep;
pub mod tokens;
pub mod vectors;
