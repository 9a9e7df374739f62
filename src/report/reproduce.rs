//! How to run a failed scenario again. A scenario's seed depends only on the run's seed and
//! its id, never on which other scenarios ran, so the run's target and seed narrowed to the
//! scenario's area reproduce it exactly.

use super::coverage::area_of;
use super::{RunRecord, ScenarioResult};

/// `mfa-harness run --target reference --seed 7 --tags @area.replay`: the run's own tag
/// expression if it had one, else the scenario's area.
pub fn command(record: &RunRecord, scenario: &ScenarioResult) -> String {
    let target = match &record.target.profile {
        Some(path) => format!("profile:{path}"),
        None => record.target.name.clone(),
    };
    let tags = match &record.tags {
        Some(tags) => Some(tags.clone()),
        None => scenario
            .tags
            .iter()
            .any(|t| t.starts_with("area."))
            .then(|| format!("@area.{}", area_of(scenario))),
    };
    let mut command = format!("mfa-harness run --target {} --seed {}", quoted(&target), record.seed);
    if let Some(tags) = tags {
        command += &format!(" --tags {}", quoted(&tags));
    }
    command
}

/// Quoted for a POSIX shell when it holds anything but plain word characters.
fn quoted(arg: &str) -> String {
    if arg.chars().all(|c| c.is_ascii_alphanumeric() || "-_.:/@".contains(c)) {
        arg.to_owned()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample;

    #[test]
    fn the_command_names_target_seed_and_area_and_quotes_expressions() {
        let mut record = sample();
        let failed = record.scenarios[1].clone();
        assert_eq!(
            command(&record, &failed),
            "mfa-harness run --target reference --seed 7 --tags @area.replay"
        );
        record.tags = Some("@area.replay and not @concurrent".into());
        assert_eq!(
            command(&record, &failed),
            "mfa-harness run --target reference --seed 7 --tags '@area.replay and not @concurrent'"
        );
    }
}
