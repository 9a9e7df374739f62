//! The observed policy in HTML: the grade card that heads the report, and further down the
//! figures behind it with their pictures, each next to the declared number and the
//! published bound with a link to its source.

use std::fmt::Write as _;

use super::{RunRecord, picture, xml_text};
use crate::probe::{self, Grade, Measured, ProbeReport};

/// The grade card section: overall and per-area grades with what capped them, and the
/// declared policy against the measured (a disagreement is marked failed).
pub fn card(record: &RunRecord) -> String {
    let mut out = String::from("<section id=\"card\"><h2>Grade card</h2>\n");
    let probe = match &record.observed_policy {
        Some(Measured::Measured { value }) => value,
        other => {
            let why = match other {
                Some(Measured::NotMeasured { reason }) => format!("not measured: {reason}"),
                Some(Measured::Error { message }) => format!("could not be measured: {message}"),
                _ => "not measured in this run".to_owned(),
            };
            let _ = writeln!(
                out,
                "<p class=\"not-measured\">The observed policy was {}.</p></section>",
                xml_text(&why)
            );
            return out;
        }
    };
    let _ = writeln!(
        out,
        "<p>{}</p>\n<div class=\"grades\">",
        xml_text(&probe::headline(probe).replace('`', ""))
    );
    let overall = probe::overall_words(probe);
    tile(&mut out, "overall", probe.grades.overall, &overall, "the lowest area grade", true);
    for area in &probe.grades.areas {
        tile(&mut out, &area.title, area.grade, &probe::grade_words(area), &probe::behind(area), false);
    }
    out.push_str("</div>\n");
    if !probe.declared_checks.is_empty() {
        out.push_str(
            "<table class=\"declared\"><tr><th>declared policy</th><th>declared</th><th>measured</th><th></th></tr>\n",
        );
        for c in &probe.declared_checks {
            let (class, word) = match c.agrees {
                Some(true) => ("agrees", "agrees"),
                Some(false) => ("mismatch", "FAILED: disagrees"),
                None => ("not-measured", "not comparable"),
            };
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td class=\"{class}\">{word}</td></tr>",
                xml_text(&c.figure),
                xml_text(&c.declared),
                xml_text(&c.measured)
            );
        }
        out.push_str("</table>\n");
    }
    out.push_str(
        "<p>The figures behind each grade: <a href=\"#policy\">Observed policy</a>.</p></section>\n",
    );
    out
}

/// The observed policy section: pictures, then one table per area. Empty when the policy was
/// not measured (the card says why).
pub fn figures(record: &RunRecord) -> String {
    let Some(Measured::Measured { value: probe }) = &record.observed_policy else { return String::new() };
    let mut out = String::from("<section id=\"policy\"><h2>Observed policy</h2>\n");
    pictures(&mut out, probe);
    for area in &probe.grades.areas {
        let _ = writeln!(
            out,
            "<h3>{}: {}</h3>\n<table><tr><th>figure</th><th>measured</th><th>declared</th><th>published bound</th></tr>",
            xml_text(&area.title),
            xml_text(&probe::grade_words(area))
        );
        for row in probe::figure_rows(probe, &area.area) {
            let declared = probe::declared_words(&probe.declared_checks, &row.id);
            let class = if declared.contains("MISMATCH") {
                " class=\"mismatch\""
            } else if row.is_measured {
                ""
            } else {
                " class=\"not-measured\""
            };
            let sources: Vec<String> = row
                .sources
                .iter()
                .map(|s| {
                    format!(
                        "<a href=\"{}\" title=\"{}\">{}</a>",
                        xml_text(&s.url),
                        xml_text(&s.says),
                        xml_text(&s.name)
                    )
                })
                .collect();
            let bound = if sources.is_empty() {
                xml_text(&row.bound)
            } else {
                format!("{} ({})", xml_text(&row.bound), sources.join("; "))
            };
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td{class}>{}</td><td>{}</td><td>{bound}</td></tr>",
                xml_text(&row.label),
                xml_text(&row.measured),
                xml_text(&declared)
            );
        }
        out.push_str("</table>\n");
    }
    out.push_str("<p>Grading rules and sources: <code>docs/grading.md</code>.</p></section>\n");
    out
}

fn tile(out: &mut String, title: &str, grade: Option<Grade>, words: &str, behind: &str, overall: bool) {
    let letter = grade.map_or_else(|| "\u{2013}".to_owned(), |g| g.to_string());
    let class = grade.map_or_else(|| "g-none".to_owned(), |g| format!("g-{g}"));
    let overall = if overall { " overall" } else { "" };
    // The words repeat the letter; only what they add goes under it.
    let extra = words.strip_prefix(letter.as_str()).unwrap_or(words).trim();
    let _ = writeln!(
        out,
        "<div class=\"grade {class}{overall}\"><span class=\"letter\">{}</span><strong>{}</strong><small>{}</small><small>{}</small></div>",
        xml_text(&letter),
        xml_text(title),
        xml_text(extra),
        xml_text(behind)
    );
}

fn pictures(out: &mut String, probe: &ProbeReport) {
    let mut figure = |svg: String, caption: String| {
        let _ = writeln!(out, "<figure>{svg}<figcaption>{}</figcaption></figure>", xml_text(&caption));
    };
    match &probe.window {
        Measured::Measured { value } => figure(
            picture::window_strip(value),
            "The accepted window: one fresh device per step offset, each sent one code (\u{2713} accepted). \
             The dashed frame is the \u{b1}1 step RFC 6238 \u{a7}5.2 allows; targets declare no window."
                .to_owned(),
        ),
        other => {
            figure(String::new(), format!("The accepted window: {}.", other.missing().unwrap_or_default()))
        }
    }
    match &probe.replay.parallel {
        Measured::Measured { value } => figure(
            picture::parallel_replay(value),
            format!(
                "Parallel replay: {} copies of one code sent at once, on a fresh account each round. \
                 Green: the one acceptance a replay guard allows; red: acceptances beyond it.",
                value.rounds.first().map_or(0, |r| r.sent)
            ),
        ),
        other => figure(String::new(), format!("Parallel replay: {}.", other.missing().unwrap_or_default())),
    }
    match &probe.lockout.parallel_guesses {
        Measured::Measured { value } => figure(
            picture::parallel_guesses(value),
            "Parallel guesses: wrong codes sent at once against the failure counter. Amber: evaluated \
             within the threshold; red: evaluated past it; grey: refused as locked."
                .to_owned(),
        ),
        other => figure(String::new(), format!("Parallel guesses: {}.", other.missing().unwrap_or_default())),
    }
    match picture::lockout_timeline(&probe.lockout, &probe.declared) {
        Some(svg) => figure(
            svg,
            "The lockout timeline: the wrong codes that set the lock, how long it held (dark), and when the \
             right code was accepted again (green); a declared duration that differs is drawn in red."
                .to_owned(),
        ),
        None => figure(
            String::new(),
            format!("The lockout timeline: {}.", probe.lockout.threshold.missing().unwrap_or_default()),
        ),
    }
}
