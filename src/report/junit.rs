//! JUnit XML, in the shape CI consumers (Jenkins, GitLab, GitHub test reporters) read: one
//! `<testsuite>` per feature, one `<testcase>` per scenario; failed scenarios carry
//! `<failure>`, harness errors `<error>`, and not-applicable scenarios and expected failures
//! `<skipped>` with the reason, so neither is ever shown as passed. A run with no verdict for
//! a reason no scenario carries (nothing selected, nothing or too little applicable) gets one
//! more suite, `mfa-harness`, whose `verdict` case is an `<error>` saying why, so a dashboard
//! of skipped cases never shows green.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::time::Duration;

use super::{RunOutcome, RunRecord, ScenarioResult, Status, Summary, xml_text};

/// Renders the record as JUnit XML.
pub fn render(record: &RunRecord) -> String {
    let mut suites: BTreeMap<&str, Vec<&ScenarioResult>> = BTreeMap::new();
    for s in &record.scenarios {
        suites.entry(&s.feature).or_default().push(s);
    }
    let total = &record.summary;
    // Errors already show in their own cases; any other reason for no verdict gets a case.
    let no_verdict = match record.outcome() {
        RunOutcome::NoVerdict if total.errors == 0 => Some(record.verdict()),
        _ => None,
    };
    let extra = usize::from(no_verdict.is_some());
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"mfa-harness {}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\">",
        xml_text(&record.target.name),
        total.total + extra,
        total.failed,
        total.errors + extra,
        total.not_applicable + total.expected_failures,
        seconds(record.scenarios.iter().map(|s| s.wall).sum()),
    );
    for (feature, scenarios) in suites {
        let count = Summary::of(scenarios.iter().copied());
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" file=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\">",
            xml_text(&scenarios[0].feature_name),
            xml_text(feature),
            count.total,
            count.failed,
            count.errors,
            count.not_applicable + count.expected_failures,
            seconds(scenarios.iter().map(|s| s.wall).sum()),
        );
        let _ = writeln!(
            out,
            "    <properties><property name=\"seed\" value=\"{}\"/><property name=\"target\" value=\"{}\"/></properties>",
            record.seed,
            xml_text(&record.target.name)
        );
        for s in scenarios {
            write_case(&mut out, s);
        }
        out.push_str("  </testsuite>\n");
    }
    if let Some(verdict) = no_verdict {
        let _ = writeln!(
            out,
            "  <testsuite name=\"mfa-harness\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\" time=\"0.000\">\n    <testcase name=\"verdict\" classname=\"mfa-harness\" time=\"0.000\">\n      <error message=\"{0}\" type=\"no verdict\">{0}</error>\n    </testcase>\n  </testsuite>",
            xml_text(&verdict)
        );
    }
    out.push_str("</testsuites>\n");
    out
}

fn write_case(out: &mut String, s: &ScenarioResult) {
    let _ = write!(
        out,
        "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\" time=\"{}\"",
        xml_text(&s.name),
        xml_text(&s.feature.trim_end_matches(".feature").replace('/', ".")),
        xml_text(&s.feature),
        s.line,
        seconds(s.wall)
    );
    let detail = s
        .failure
        .as_ref()
        .map(|f| {
            let mut d = format!("{} (line {})\n{}", f.step, f.line, f.message);
            if let Some(e) = &f.expected {
                d += &format!("\nexpected: {e}");
            }
            if let Some(a) = &f.actual {
                d += &format!("\nactual:   {a}");
            }
            d
        })
        .unwrap_or_default();
    let message = s.failure.as_ref().map(|f| f.message.as_str()).or(s.reason.as_deref()).unwrap_or_default();
    match s.status {
        Status::Passed => out.push_str("/>\n"),
        Status::Failed | Status::Error => {
            let tag = if s.status == Status::Failed { "failure" } else { "error" };
            let _ = writeln!(
                out,
                ">\n      <{tag} message=\"{}\" type=\"{}\">{}</{tag}>\n    </testcase>",
                xml_text(message),
                if s.status == Status::Failed { "conformance" } else { "harness" },
                xml_text(&detail)
            );
        }
        Status::NotApplicable | Status::ExpectedFailure => {
            let prefix =
                if s.status == Status::NotApplicable { "not applicable" } else { "expected failure" };
            let reason = s.reason.as_deref().unwrap_or_default();
            let _ = writeln!(
                out,
                ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                xml_text(&format!("{prefix}: {reason}"))
            );
        }
    }
}

fn seconds(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample;

    #[test]
    fn junit_marks_failures_and_not_applicable_and_stays_well_formed() {
        let xml = render(&sample());
        assert!(xml.contains("tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"1\""), "{xml}");
        assert!(xml.contains("<failure message=\"the target accepted a replayed code &lt;\u{FFFD}&gt;\" type=\"conformance\">"), "{xml}");
        assert!(
            xml.contains(
                "<skipped message=\"not applicable: target lacks capability operation-protection\"/>"
            ),
            "{xml}"
        );
        assert!(xml.contains("expected: rejected (replayed)\nactual:   accepted"), "{xml}");
        // quick-xml reads it back to the end without error.
        let mut reader = quick_xml::Reader::from_str(&xml);
        let mut cases = 0;
        loop {
            match reader.read_event().unwrap() {
                quick_xml::events::Event::Eof => break,
                quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)
                    if e.name().as_ref() == "testcase" =>
                {
                    cases += 1
                }
                _ => {}
            }
        }
        assert_eq!(cases, 3);
    }

    #[test]
    fn a_run_with_nothing_applicable_is_an_error_case() {
        let mut record = sample();
        record.scenarios.retain(|s| s.status == Status::NotApplicable);
        record.summary = Summary::of(&record.scenarios);
        let xml = render(&record);
        assert!(xml.contains("tests=\"2\" failures=\"0\" errors=\"1\" skipped=\"1\""), "{xml}");
        assert!(
            xml.contains("<error message=\"NO VERDICT: none of the 1 scenarios was applicable to the target\" type=\"no verdict\">"),
            "{xml}"
        );
    }
}
