//! A self-contained HTML report a vendor reads first: one file with its style, pictures and
//! a little script inline, no network. In order: the verdict and grade card, the failures
//! (each with its step, expected against actual, and what to run to see it again), coverage
//! by area with the not-applicable reasons grouped, the observed policy with its pictures,
//! and every scenario in a table that filters by status and area and searches.

use std::fmt::Write;

use super::coverage::{self, area_of};
use super::{RunOutcome, RunRecord, ScenarioResult, Status, exchanges, observed, reproduce, xml_text};

const STYLE: &str = include_str!("page/report.css");
const SCRIPT: &str = include_str!("page/report.js");

/// Renders the record as one HTML page. No wall-clock readings: the same seed gives the same
/// bytes.
pub fn render(record: &RunRecord) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>mfa-harness report: {} ({})</title>\n<style>\n{STYLE}</style></head><body>\n",
        xml_text(&record.verdict()),
        xml_text(&record.target.name)
    );
    header(&mut out, record);
    out.push_str("<main>\n");
    out.push_str(&observed::card(record));
    failures(&mut out, record);
    coverage(&mut out, record);
    out.push_str(&observed::figures(record));
    scenarios(&mut out, record);
    let _ = write!(out, "</main>\n<script>\n{SCRIPT}</script>\n</body></html>\n");
    out
}

/// The class the status has everywhere in the page (and the filter's value).
fn status_key(status: Status) -> &'static str {
    match status {
        Status::Passed => "passed",
        Status::Failed => "failed",
        Status::ExpectedFailure => "expected_failure",
        Status::NotApplicable => "not_applicable",
        Status::Error => "error",
    }
}

const STATUSES: [Status; 5] =
    [Status::Failed, Status::Error, Status::Passed, Status::ExpectedFailure, Status::NotApplicable];

fn header(out: &mut String, record: &RunRecord) {
    let class = match record.outcome() {
        RunOutcome::Conforms => "conforms",
        RunOutcome::DoesNotConform => "does-not-conform",
        RunOutcome::NoVerdict => "no-verdict",
    };
    let profile = record
        .target
        .profile
        .as_deref()
        .map(|p| format!(", profile <code>{}</code>", xml_text(p)))
        .unwrap_or_default();
    let real = if record.real_wait_ms > 0 {
        format!(" &middot; real waiting {:.1} s", record.real_wait_ms as f64 / 1000.0)
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "<header><h1 class=\"{class}\">{}</h1>\n<p class=\"meta\">Target <code>{}</code> ({}){profile} &middot; seed {} &middot; \
simulated start unix:{} &middot; tags {}{real} &middot; {} {}</p>",
        xml_text(&record.verdict()),
        xml_text(&record.target.name),
        xml_text(&record.target.kind),
        record.seed,
        record.epoch_ms / 1000,
        xml_text(record.tags.as_deref().unwrap_or("(all)")),
        xml_text(&record.tool),
        xml_text(&record.version)
    );
    let s = &record.summary;
    let counts = [
        (s.passed, "passed", Status::Passed),
        (s.failed, "failed", Status::Failed),
        (s.expected_failures, "expected failures", Status::ExpectedFailure),
        (s.not_applicable, "not applicable", Status::NotApplicable),
        (s.errors, "errors", Status::Error),
    ];
    let _ = write!(out, "<p class=\"counts\"><strong>{} scenarios:</strong>", s.total);
    for (n, words, status) in counts {
        // Only a count that is there gets its status's colour: a red "0 failed" alarms for nothing.
        let class = if n > 0 { status_key(status) } else { "none" };
        let _ = write!(out, " <span class=\"{class}\">{n} {words}</span>");
    }
    out.push_str("</p></header>\n");
}

fn failures(out: &mut String, record: &RunRecord) {
    let problems: Vec<&ScenarioResult> =
        record.scenarios.iter().filter(|r| matches!(r.status, Status::Failed | Status::Error)).collect();
    let mismatches = record.policy_mismatches();
    let _ =
        writeln!(out, "<section id=\"failures\"><h2>Failures ({})</h2>", problems.len() + mismatches.len());
    if problems.is_empty() && mismatches.is_empty() {
        out.push_str("<p>None.</p>\n");
    }
    for c in mismatches {
        let _ = writeln!(
            out,
            "<article class=\"failure\"><h3><span class=\"failed\">FAILED</span> declared policy <code>{}</code></h3>\
<dl><dt>declared</dt><dd>{}</dd><dt>measured</dt><dd>{}</dd></dl></article>",
            xml_text(&c.figure),
            xml_text(&c.declared),
            xml_text(&c.measured)
        );
    }
    for r in problems {
        failure(out, record, r);
    }
    out.push_str("</section>\n");
}

fn failure(out: &mut String, record: &RunRecord, r: &ScenarioResult) {
    let _ = writeln!(
        out,
        "<article class=\"failure\" id=\"{}\"><h3><span class=\"{}\">{}</span> {}</h3>\n\
<p class=\"where\"><code>{}</code> &middot; {} &middot; area {}</p>",
        anchor(&r.id),
        status_key(r.status),
        r.status.label(),
        xml_text(&r.name),
        xml_text(&r.id),
        xml_text(&r.feature_name),
        xml_text(area_of(r))
    );
    if let Some(reason) = &r.reason {
        let _ = writeln!(out, "<p>{}</p>", xml_text(reason.trim_end()));
    }
    out.push_str("<dl>");
    if let Some(f) = &r.failure {
        let _ = write!(
            out,
            "<dt>failing step</dt><dd><code>{}</code> (line {})</dd><dt>what happened</dt><dd><pre>{}</pre></dd>",
            xml_text(&f.step),
            f.line,
            xml_text(f.message.trim_end())
        );
        for (term, value) in [("expected", &f.expected), ("actual", &f.actual)] {
            if let Some(v) = value {
                let _ = write!(out, "<dt>{term}</dt><dd>{}</dd>", xml_text(v));
            }
        }
    }
    let _ = writeln!(
        out,
        "<dt>reproduce</dt><dd><code>{}</code> (seed {})</dd></dl>",
        xml_text(&reproduce::command(record, r)),
        record.seed
    );
    if !r.exchanges.is_empty() {
        let body = format!("<pre>{}</pre>", xml_text(&exchanges::as_text(&r.exchanges)));
        out.push_str(&folded(&format!("HTTP exchanges ({})", r.exchanges.len()), &body));
    }
    out.push_str("</article>\n");
}

fn coverage(out: &mut String, record: &RunRecord) {
    out.push_str(
        "<section id=\"coverage\"><h2>Coverage by area</h2>\n<table><tr><th>area</th><th>scenarios</th>\
<th>passed</th><th>failed</th><th>expected failures</th><th>not applicable</th><th>errors</th></tr>\n",
    );
    for a in coverage::by_area(record) {
        let s = a.summary;
        let link = |n: usize, status: Status| {
            if n == 0 {
                "0".to_owned()
            } else {
                format!("<a href=\"#status={}&amp;area={}\">{n}</a>", status_key(status), xml_text(&a.area))
            }
        };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            xml_text(&a.area),
            s.total,
            link(s.passed, Status::Passed),
            link(s.failed, Status::Failed),
            link(s.expected_failures, Status::ExpectedFailure),
            link(s.not_applicable, Status::NotApplicable),
            link(s.errors, Status::Error)
        );
    }
    out.push_str("</table>\n");
    for (status, title) in [
        (Status::NotApplicable, "Not applicable, by reason"),
        (Status::ExpectedFailure, "Expected failures, by reason"),
    ] {
        let groups = coverage::reasons(record, status);
        if groups.is_empty() {
            continue;
        }
        let _ = writeln!(out, "<h3>{title}</h3>\n<ul class=\"reasons\">");
        for g in groups {
            let ids: Vec<String> =
                g.scenarios.iter().map(|s| format!("<code>{}</code>", xml_text(&s.id))).collect();
            let summary = format!("{}: {}", g.reason, coverage::scenarios(g.scenarios.len()));
            let _ = writeln!(out, "<li>{}</li>", folded(&xml_text(&summary), &ids.join("<br>")));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
}

fn scenarios(out: &mut String, record: &RunRecord) {
    out.push_str(
        "<section id=\"scenarios\"><h2>All scenarios</h2>\n<div class=\"filters\" role=\"search\">\
<label>Status <select id=\"filter-status\"><option value=\"\">all</option>",
    );
    for status in STATUSES {
        let _ = write!(out, "<option value=\"{}\">{}</option>", status_key(status), status.label());
    }
    out.push_str("</select></label> <label>Area <select id=\"filter-area\"><option value=\"\">all</option>");
    for a in coverage::by_area(record) {
        let _ = write!(out, "<option value=\"{0}\">{0}</option>", xml_text(&a.area));
    }
    out.push_str(
        "</select></label> <label>Search <input id=\"filter-text\" type=\"search\" placeholder=\"words in a scenario\"></label> \
<span id=\"filter-count\" aria-live=\"polite\"></span></div>\n<table id=\"scenario-table\"><thead><tr><th>scenario</th>\
<th>area</th><th>status</th><th>details</th></tr></thead><tbody>\n",
    );
    for r in &record.scenarios {
        let key = status_key(r.status);
        let details = match r.status {
            Status::Failed | Status::Error => format!("<a href=\"#{}\">see the failure</a>", anchor(&r.id)),
            _ => xml_text(r.reason.as_deref().unwrap_or("")),
        };
        let _ = writeln!(
            out,
            "<tr data-status=\"{key}\" data-area=\"{}\"><td><code>{}</code><br>{}</td><td>{}</td><td class=\"{key}\">{}</td><td>{details}</td></tr>",
            xml_text(area_of(r)),
            xml_text(&r.id),
            xml_text(&r.name),
            xml_text(area_of(r)),
            r.status.label()
        );
    }
    out.push_str("</tbody></table></section>\n");
}

/// A `<details>` block: `summary` shown, `body` (markup) on click.
fn folded(summary: &str, body: &str) -> String {
    format!("<details><summary>{summary}</summary>{body}</details>")
}

/// An element id for a scenario id (`features/x.feature:12` → `s-features-x-feature-12`).
fn anchor(id: &str) -> String {
    let safe: String = id.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    format!("s-{safe}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample;

    #[test]
    fn html_escapes_target_text_and_shows_every_scenario() {
        let html = render(&sample());
        assert_eq!(html.matches("<tr data-status=").count(), 3);
        assert!(html.contains("replay across login &amp; operation protection"));
        assert!(html.contains("class=\"failed\">FAILED"));
        assert!(!html.contains('\u{0}'));
        assert!(html.contains("<h1 class=\"does-not-conform\">DOES NOT CONFORM</h1>"));
    }

    #[test]
    fn the_failures_section_follows_the_card_and_names_step_expectation_and_seed() {
        let html = render(&sample());
        let sections: Vec<&str> =
            html.match_indices("<section id=\"").map(|(i, _)| &html[i + 13..i + 13 + 8]).collect();
        assert_eq!(sections, ["card\"><h", "failures", "coverage", "scenario"]);
        assert!(
            html.contains("<dt>expected</dt><dd>rejected (replayed)</dd><dt>actual</dt><dd>accepted</dd>")
        );
        assert!(
            html.contains("mfa-harness run --target reference --seed 7 --tags @area.replay</code> (seed 7)")
        );
    }

    #[test]
    fn the_page_loads_nothing_from_elsewhere() {
        let html = render(&sample());
        for needle in ["src=", "<link", "@import", "url(", "fetch("] {
            assert!(!html.contains(needle), "{needle}");
        }
    }
}
