//! Coverage by area: what the Markdown and HTML reports show after the failures. Scenarios
//! are counted per area (their `area.*` tag) and status, and the reasons scenarios were not
//! applicable are grouped ("needs clock control: 64 scenarios") instead of repeated per row.

use std::collections::BTreeMap;

use super::{RunRecord, ScenarioResult, Status, Summary};

/// One area's counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AreaCoverage {
    /// The area (`replay`), from the scenario's `area.*` tag.
    pub area: String,
    /// Its scenarios by status.
    pub summary: Summary,
}

/// One reason shared by scenarios that were not applicable (or expected failures).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReasonGroup<'a> {
    /// The reason, as the runner wrote it.
    pub reason: &'a str,
    /// The scenarios it applies to, in record order.
    pub scenarios: Vec<&'a ScenarioResult>,
}

/// The area a scenario belongs to: its `area.*` tag, else `other`.
pub fn area_of(scenario: &ScenarioResult) -> &str {
    scenario.tags.iter().find_map(|t| t.strip_prefix("area.")).unwrap_or("other")
}

/// Counts per area, areas in alphabetical order.
pub fn by_area(record: &RunRecord) -> Vec<AreaCoverage> {
    let mut areas: BTreeMap<&str, Vec<&ScenarioResult>> = BTreeMap::new();
    for s in &record.scenarios {
        areas.entry(area_of(s)).or_default().push(s);
    }
    areas
        .into_iter()
        .map(|(area, scenarios)| AreaCoverage { area: area.to_owned(), summary: Summary::of(scenarios) })
        .collect()
}

/// The scenarios of `status` grouped by reason, the largest group first (ties by reason),
/// so the reason that hides most of the suite leads.
pub fn reasons(record: &RunRecord, status: Status) -> Vec<ReasonGroup<'_>> {
    let mut groups: BTreeMap<&str, Vec<&ScenarioResult>> = BTreeMap::new();
    for s in record.scenarios.iter().filter(|s| s.status == status) {
        groups.entry(s.reason.as_deref().unwrap_or("no reason given")).or_default().push(s);
    }
    let mut groups: Vec<ReasonGroup<'_>> =
        groups.into_iter().map(|(reason, scenarios)| ReasonGroup { reason, scenarios }).collect();
    groups.sort_by(|a, b| b.scenarios.len().cmp(&a.scenarios.len()).then(a.reason.cmp(b.reason)));
    groups
}

/// `1 scenario`, `64 scenarios`.
pub fn scenarios(n: usize) -> String {
    format!("{n} scenario{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample;

    #[test]
    fn areas_count_statuses_and_reasons_are_grouped_largest_first() {
        let mut record = sample();
        let mut extra = record.scenarios[2].clone();
        extra.id = "features/lockout/x.feature:3".into();
        extra.tags = vec!["area.lockout".into()];
        extra.reason = Some("needs clock control".into());
        record.scenarios.push(extra.clone());
        extra.id.push('4');
        record.scenarios.push(extra);
        let areas = by_area(&record);
        assert_eq!(areas.iter().map(|a| a.area.as_str()).collect::<Vec<_>>(), ["lockout", "replay"]);
        assert_eq!(
            (areas[1].summary.passed, areas[1].summary.failed, areas[1].summary.not_applicable),
            (1, 1, 1)
        );
        let groups = reasons(&record, Status::NotApplicable);
        let counts: Vec<(&str, usize)> = groups.iter().map(|g| (g.reason, g.scenarios.len())).collect();
        assert_eq!(counts, [("needs clock control", 2), ("target lacks capability operation-protection", 1)]);
    }
}
