//! The Markdown summary: what a person reads first (and what CI systems show inline).

use std::fmt::Write;

use super::{RunRecord, Status};

/// Renders the record as Markdown. No wall-clock readings: the same seed gives the same text.
pub fn render(record: &RunRecord) -> String {
    let s = &record.summary;
    let mut out = String::new();
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
    let _ = writeln!(out, "| scenario | status |\n|---|---|");
    for r in &record.scenarios {
        let _ = writeln!(out, "| `{}` {} | {} |", r.id, cell(&r.name), r.status.label());
    }
    let problems: Vec<_> =
        record.scenarios.iter().filter(|r| matches!(r.status, Status::Failed | Status::Error)).collect();
    if !problems.is_empty() {
        out.push_str("\n## Failures and errors\n");
        for r in problems {
            let _ = writeln!(out, "\n### {} — {}\n", r.id, r.name);
            if let Some(reason) = &r.reason {
                let _ = writeln!(out, "{reason}\n");
            }
            if let Some(f) = &r.failure {
                let _ = writeln!(out, "- step (line {}): `{}`", f.line, f.step);
                let _ = writeln!(out, "- {}", f.message.trim_end());
                if let Some(e) = &f.expected {
                    let _ = writeln!(out, "- expected: {e}");
                }
                if let Some(a) = &f.actual {
                    let _ = writeln!(out, "- actual: {a}");
                }
            }
        }
    }
    let skipped: Vec<_> = record
        .scenarios
        .iter()
        .filter(|r| matches!(r.status, Status::NotApplicable | Status::ExpectedFailure))
        .collect();
    if !skipped.is_empty() {
        out.push_str(
            "\n## Not applicable and expected failures\n\n| scenario | status | reason |\n|---|---|---|\n",
        );
        for r in skipped {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} |",
                r.id,
                r.status.label(),
                cell(r.reason.as_deref().unwrap_or(""))
            );
        }
    }
    out
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
        assert!(md.contains("| `features/replay/sequential.feature:20` | not applicable | target lacks capability operation-protection |"));
        assert!(md.contains("replay across login & operation protection"));
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
