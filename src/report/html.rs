//! A self-contained HTML report (no scripts, no external files) for vendors who want to hand a
//! verdict to someone without a CI system.

use std::fmt::Write;

use super::{RunRecord, xml_text};

/// Renders the record as one HTML page. No wall-clock readings.
pub fn render(record: &RunRecord) -> String {
    let s = &record.summary;
    let mut out = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>mfa-harness report</title>\n<style>\
body{font-family:sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse}\
td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}\
.passed{color:#060}.failed,.error{color:#b00;font-weight:bold}.not_applicable,.expected_failure{color:#666}\
pre{white-space:pre-wrap;margin:0}</style></head><body>\n",
    );
    let _ = writeln!(
        out,
        "<h1>mfa-harness conformance report: {}</h1>\n<p>Target <code>{}</code> ({}){} &middot; seed {} &middot; {} {}</p>",
        xml_text(&record.verdict()),
        xml_text(&record.target.name),
        xml_text(&record.target.kind),
        record
            .target
            .profile
            .as_deref()
            .map(|p| format!(", profile <code>{}</code>", xml_text(p)))
            .unwrap_or_default(),
        record.seed,
        xml_text(&record.tool),
        xml_text(&record.version)
    );
    let _ = writeln!(
        out,
        "<p><strong>{} scenarios: {} passed, {} failed, {} expected failures, {} not applicable, {} errors</strong></p>",
        s.total, s.passed, s.failed, s.expected_failures, s.not_applicable, s.errors
    );
    out.push_str("<table><tr><th>scenario</th><th>status</th><th>details</th></tr>\n");
    for r in &record.scenarios {
        let class = serde_json::to_value(r.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let mut details = r.reason.clone().unwrap_or_default();
        if let Some(f) = &r.failure {
            details += &format!("{} (line {})\n{}", f.step, f.line, f.message);
            if let (Some(e), Some(a)) = (&f.expected, &f.actual) {
                details += &format!("\nexpected: {e}\nactual: {a}");
            }
        }
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code><br>{}</td><td class=\"{class}\">{}</td><td><pre>{}</pre></td></tr>",
            xml_text(&r.id),
            xml_text(&r.name),
            r.status.label(),
            xml_text(&details)
        );
    }
    out.push_str("</table>\n</body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample;

    #[test]
    fn html_escapes_target_text_and_shows_every_scenario() {
        let html = render(&sample());
        assert_eq!(html.matches("<tr><td>").count(), 3);
        assert!(html.contains("replay across login &amp; operation protection"));
        assert!(html.contains("class=\"failed\">FAILED"));
        assert!(!html.contains('\u{0}'));
        assert!(html.contains("<h1>mfa-harness conformance report: DOES NOT CONFORM</h1>"));
    }
}
