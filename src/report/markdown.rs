//! The Markdown summary: what a person reads first, and what CI systems show inline. In the
//! order a vendor asks: the verdict and grade card, the failures (each with what to run to
//! see it again), coverage by area with the reasons scenarios did not apply grouped, the
//! observed policy's figures, and last every scenario.

use std::fmt::Write;

use super::coverage::{self, area_of};
use super::{RunRecord, ScenarioResult, Status, exchanges, reproduce};
use crate::probe::{self, Measured, ProbeReport};

/// Renders the record as Markdown. No wall-clock readings: the same seed gives the same text.
pub fn render(record: &RunRecord) -> String {
    let mut out = String::new();
    header(&mut out, record);
    card(&mut out, record);
    failures(&mut out, record);
    coverage(&mut out, record);
    if let Some(Measured::Measured { value }) = &record.observed_policy {
        observed(&mut out, value);
    }
    all_scenarios(&mut out, record);
    out
}

fn header(out: &mut String, record: &RunRecord) {
    let s = &record.summary;
    let _ = writeln!(out, "# mfa-harness conformance report: {}\n", record.verdict());
    let _ = writeln!(out, "| | |\n|---|---|");
    let _ = writeln!(out, "| target | `{}` ({}) |", record.target.name, record.target.kind);
    if let Some(profile) = &record.target.profile {
        let _ = writeln!(out, "| profile | `{profile}` |");
    }
    let _ = writeln!(out, "| seed | {} |", record.seed);
    let _ = writeln!(out, "| simulated start | unix:{} |", record.epoch_ms / 1000);
    let _ = writeln!(out, "| tags | {} |", record.tags.as_deref().unwrap_or("(all)"));
    let _ = writeln!(out, "| version | {} {} |", record.tool, record.version);
    if record.real_wait_ms > 0 {
        let _ = writeln!(out, "| real waiting | {:.1} s |", record.real_wait_ms as f64 / 1000.0);
    }
    let _ = writeln!(
        out,
        "\n**{} scenarios: {} passed, {} failed, {} expected failures, {} not applicable, {} errors**\n",
        s.total, s.passed, s.failed, s.expected_failures, s.not_applicable, s.errors
    );
}

fn card(out: &mut String, record: &RunRecord) {
    out.push_str("## Grade card\n\n");
    match &record.observed_policy {
        None => out.push_str("The observed policy was not measured in this run.\n\n"),
        Some(Measured::NotMeasured { reason }) => {
            let _ = writeln!(out, "The observed policy was not measured: {reason}.\n");
        }
        Some(Measured::Error { message }) => {
            let _ = writeln!(out, "The observed policy could not be measured: {message}.\n");
        }
        Some(Measured::Measured { value }) => {
            let _ = writeln!(out, "{}", probe::render_card_markdown(value));
            if !value.declared_checks.is_empty() {
                out.push_str("| declared policy | declared | measured | |\n|---|---|---|---|\n");
                for c in &value.declared_checks {
                    let verdict = match c.agrees {
                        Some(true) => "agrees",
                        Some(false) => "**FAILED: disagrees**",
                        None => "not comparable",
                    };
                    let _ = writeln!(
                        out,
                        "| `{}` | {} | {} | {verdict} |",
                        c.figure,
                        cell(&c.declared),
                        cell(&c.measured)
                    );
                }
                out.push('\n');
            }
        }
    }
}

fn failures(out: &mut String, record: &RunRecord) {
    let problems: Vec<&ScenarioResult> =
        record.scenarios.iter().filter(|r| matches!(r.status, Status::Failed | Status::Error)).collect();
    let mismatches = record.policy_mismatches();
    let _ = writeln!(out, "## Failures ({})\n", problems.len() + mismatches.len());
    if problems.is_empty() && mismatches.is_empty() {
        out.push_str("None.\n\n");
    }
    for c in mismatches {
        let _ = writeln!(out, "### FAILED declared policy `{}`\n", c.figure);
        let _ = writeln!(out, "- declared: {}\n- measured: {}\n", c.declared, c.measured);
    }
    for r in problems {
        let _ = writeln!(out, "### {} `{}` {}\n", r.status.label(), r.id, r.name);
        let _ = writeln!(out, "Feature: {} (area {})\n", r.feature_name, area_of(r));
        if let Some(reason) = &r.reason {
            let _ = writeln!(out, "{}\n", reason.trim_end());
        }
        if let Some(f) = &r.failure {
            let _ = writeln!(out, "- step (line {}): `{}`", f.line, f.step);
            let _ = writeln!(out, "- {}", f.message.trim_end().replace('\n', " "));
            if let Some(e) = &f.expected {
                let _ = writeln!(out, "- expected: {e}");
            }
            if let Some(a) = &f.actual {
                let _ = writeln!(out, "- actual: {a}");
            }
        }
        let _ = writeln!(out, "- reproduce (seed {}): `{}`\n", record.seed, reproduce::command(record, r));
        if !r.exchanges.is_empty() {
            // No line of the text starts with `~~~` (each starts with `#n` or two spaces), so no
            // body can close the fence.
            let _ = writeln!(
                out,
                "<details><summary>HTTP exchanges ({})</summary>\n\n~~~text\n{}~~~\n\n</details>\n",
                r.exchanges.len(),
                exchanges::as_text(&r.exchanges)
            );
        }
    }
}

fn coverage(out: &mut String, record: &RunRecord) {
    out.push_str("## Coverage by area\n\n");
    out.push_str("| area | scenarios | passed | failed | expected failures | not applicable | errors |\n");
    out.push_str("|---|---|---|---|---|---|---|\n");
    for a in coverage::by_area(record) {
        let s = a.summary;
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            a.area, s.total, s.passed, s.failed, s.expected_failures, s.not_applicable, s.errors
        );
    }
    out.push('\n');
    for (status, title) in
        [(Status::NotApplicable, "Not applicable"), (Status::ExpectedFailure, "Expected failures")]
    {
        let groups = coverage::reasons(record, status);
        if groups.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{title}, by reason:\n");
        for g in groups {
            let _ = writeln!(out, "- {}: {}", cell(g.reason), coverage::scenarios(g.scenarios.len()));
        }
        out.push('\n');
    }
}

fn observed(out: &mut String, probe: &ProbeReport) {
    out.push_str("## Observed policy\n\n");
    if let Some(w) = probe.window.value() {
        let strip: String =
            w.offsets.iter().map(|o| if o.accepted { '\u{25a0}' } else { '\u{b7}' }).collect();
        let (first, last) =
            (w.offsets.first().map_or(0, |o| o.offset), w.offsets.last().map_or(0, |o| o.offset));
        let _ = writeln!(out, "Accepted step offsets: `{first:+} {strip} {last:+}` (\u{25a0} accepted)\n");
    }
    out.push_str(&probe::render_figures_markdown(probe));
    out.push_str("Grading rules and sources: `docs/grading.md`.\n\n");
}

fn all_scenarios(out: &mut String, record: &RunRecord) {
    let _ = writeln!(
        out,
        "## All scenarios\n\n<details><summary>{}</summary>\n\n| scenario | area | status |\n|---|---|---|",
        coverage::scenarios(record.scenarios.len())
    );
    for r in &record.scenarios {
        let _ = writeln!(out, "| `{}` {} | {} | {} |", r.id, cell(&r.name), area_of(r), r.status.label());
    }
    out.push_str("\n</details>\n");
}

/// Text safe inside a table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample;

    #[test]
    fn summary_names_verdict_counts_failure_and_reason() {
        let md = render(&sample());
        assert!(md.starts_with("# mfa-harness conformance report: DOES NOT CONFORM\n"));
        assert!(md.contains(
            "**3 scenarios: 1 passed, 1 failed, 0 expected failures, 1 not applicable, 0 errors**"
        ));
        assert!(md.contains("- expected: rejected (replayed)\n- actual: accepted"));
        assert!(md.contains("- target lacks capability operation-protection: 1 scenario\n"));
        assert!(md.contains("replay across login & operation protection"));
        assert!(md.contains("`mfa-harness run --target reference --seed 7 --tags @area.replay`"));
    }

    #[test]
    fn the_card_comes_first_then_failures_then_coverage_then_every_scenario() {
        let md = render(&sample());
        let at = |heading: &str| md.find(heading).unwrap_or_else(|| panic!("{heading} missing:\n{md}"));
        assert!(at("## Grade card") < at("## Failures (1)"));
        assert!(at("## Failures (1)") < at("## Coverage by area"));
        assert!(at("## Coverage by area") < at("## All scenarios"));
    }

    #[test]
    fn a_run_with_nothing_applicable_says_no_verdict() {
        let mut record = sample();
        record.scenarios.retain(|s| s.status == crate::report::Status::NotApplicable);
        record.summary = crate::report::Summary::of(&record.scenarios);
        let md = render(&record);
        assert!(
            md.starts_with(
                "# mfa-harness conformance report: NO VERDICT: none of the 1 scenarios was applicable to the target\n"
            ),
            "{md}"
        );
        assert!(!md.contains("CONFORMS"));
    }
}
