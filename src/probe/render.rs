//! The report in words: Markdown (a self-contained section a run report can embed with one
//! call) and plain text for the terminal. Both show every figure next to the declared policy
//! and the published bound with its source, and every grade next to the figures behind it.

use std::fmt::Write as _;

use super::figure::{self, DeclaredCheck};
use super::grading::{AreaGrade, GradingTable, Source};
use super::report::{ClockMode, ProbeReport};

/// The report as a Markdown section (`## Observed policy`, then one table per area).
pub fn render_markdown(report: &ProbeReport) -> String {
    format!(
        "## Observed policy\n\n{}\n{}Grading rules and sources: `docs/grading.md`.\n",
        render_card_markdown(report),
        render_figures_markdown(report)
    )
}

/// The grade card in Markdown: the headline, then one row per area with what capped it, and
/// the overall grade.
pub fn render_card_markdown(report: &ProbeReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}\n", headline(report));
    out.push_str("| area | grade | behind the grade |\n|---|---|---|\n");
    for area in &report.grades.areas {
        let _ = writeln!(out, "| {} | {} | {} |", area.title, grade_words(area), escape(&behind(area)));
    }
    let _ = writeln!(out, "| **overall** | **{}** | the lowest area grade |", overall_words(report));
    out
}

/// Every figure in Markdown, one `###` table per area: measured, declared, published bound.
pub fn render_figures_markdown(report: &ProbeReport) -> String {
    let mut out = String::new();
    for area in &report.grades.areas {
        let _ = writeln!(out, "### {}: {}\n", area.title, grade_words(area));
        out.push_str("| figure | measured | declared | published bound |\n|---|---|---|---|\n");
        for row in figure_rows(report, &area.area) {
            let declared = declared_words(&report.declared_checks, &row.id);
            let sources: Vec<&str> = row.sources.iter().map(|s| s.name.as_str()).collect();
            let bound = if sources.is_empty() {
                row.bound.clone()
            } else {
                format!("{} ({})", row.bound, sources.join("; "))
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                escape(&row.label),
                escape(&row.measured),
                escape(&declared),
                escape(&bound)
            );
        }
        out.push('\n');
    }
    out
}

/// One figure as every rendering shows it.
#[derive(Clone, Debug)]
pub struct FigureRow {
    /// The figure id (`lockout.threshold`).
    pub id: String,
    /// What it is, in words.
    pub label: String,
    /// The measured figure in words, or why there is none (`not measured: ...`).
    pub measured: String,
    /// Whether it was measured.
    pub is_measured: bool,
    /// The published bound, in words.
    pub bound: String,
    /// Where the bound comes from.
    pub sources: Vec<&'static Source>,
}

/// The figures of `area`, in table order.
pub fn figure_rows(report: &ProbeReport, area: &str) -> Vec<FigureRow> {
    let Ok(table) = GradingTable::builtin() else { return Vec::new() };
    table
        .figure
        .iter()
        .filter(|f| f.area == area)
        .map(|spec| FigureRow {
            id: spec.id.clone(),
            label: spec.label.clone(),
            measured: measured_words(report, &spec.id),
            is_measured: figure::read(report, &spec.id).is_some_and(|m| m.value().is_some()),
            bound: spec.bound.clone(),
            sources: spec.sources.iter().filter_map(|id| table.source.iter().find(|s| s.id == *id)).collect(),
        })
        .collect()
}

/// The report as plain text for a terminal.
pub fn render_text(report: &ProbeReport) -> String {
    let table = match GradingTable::builtin() {
        Ok(table) => table,
        Err(e) => return format!("{e}\n"),
    };
    let checks = &report.declared_checks;
    let width = table.figure.iter().map(|f| f.label.len()).max().unwrap_or(0);
    let mut out = String::new();
    let _ = writeln!(out, "Observed policy. {}", headline(report));
    for area in &report.grades.areas {
        let _ = writeln!(out, "\n{}: {}", area.title, grade_words(area));
        for spec in table.figure.iter().filter(|f| f.area == area.area) {
            let declared = declared_words(checks, &spec.id);
            let declared =
                if declared.is_empty() { String::new() } else { format!("  [declared: {declared}]") };
            let sources = table.source_names(&spec.sources);
            let bound =
                if sources.is_empty() { spec.bound.clone() } else { format!("{}; {sources}", spec.bound) };
            let _ = writeln!(
                out,
                "  {:<width$}  {}{declared}  (bound: {bound})",
                spec.label,
                measured_words(report, &spec.id)
            );
        }
        for cap in &area.caps {
            let _ = writeln!(out, "  -> at most {}: {} ({})", cap.cap, cap.why, cap.measured);
        }
    }
    let _ = writeln!(out, "\noverall grade: {}", overall_words(report));
    out
}

/// The headline: the target (its name in Markdown backticks), how time ran, the seed.
pub fn headline(report: &ProbeReport) -> String {
    let clock = match report.clock {
        ClockMode::Simulated => "simulated clock",
        ClockMode::ServerClock => "the server's own clock",
        ClockMode::MappedClock => "the server's own clock, mapped by its profile",
    };
    format!("Target `{}` ({}), {clock}, seed {}.", report.target.name, report.target.kind, report.seed)
}

/// An area's grade in words: `A`, `B at best (not measured: ...)`, `not graded (...)`.
pub fn grade_words(area: &AreaGrade) -> String {
    match area.grade {
        None => format!("not graded ({})", unmeasured_words(area)),
        Some(g) if area.unmeasured.is_empty() => g.to_string(),
        Some(g) => format!("{g} at best ({})", unmeasured_words(area)),
    }
}

/// `not measured: needs clock control: lockout.release, lockout.guesses_per_hour`: figures
/// grouped by why, in table order.
fn unmeasured_words(area: &AreaGrade) -> String {
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for u in &area.unmeasured {
        match groups.iter_mut().find(|(why, _)| *why == u.why) {
            Some((_, figures)) => figures.push(&u.figure),
            None => groups.push((&u.why, vec![&u.figure])),
        }
    }
    let groups: Vec<String> = groups.into_iter().map(|(why, f)| format!("{why}: {}", f.join(", "))).collect();
    groups.join("; ")
}

/// The overall grade in words, with "at best" when some figure was not measured.
pub fn overall_words(report: &ProbeReport) -> String {
    match report.grades.overall {
        None => "not graded".to_owned(),
        Some(g) if report.grades.complete => g.to_string(),
        Some(g) => format!("{g} at best (some figures were not measured)"),
    }
}

/// The rules that capped an area, each with the measured figure behind it.
pub fn behind(area: &AreaGrade) -> String {
    if area.caps.is_empty() {
        return if area.grade.is_some() {
            "no rule capped it (figures below)".to_owned()
        } else {
            String::new()
        };
    }
    let caps: Vec<String> =
        area.caps.iter().map(|c| format!("{}: {} ({})", c.cap, c.why, c.measured)).collect();
    caps.join("; ")
}

fn measured_words(report: &ProbeReport, id: &str) -> String {
    match figure::read(report, id) {
        Some(m) => m.value().map_or_else(|| m.missing().unwrap_or_default(), |r| r.text.clone()),
        None => "unknown figure".to_owned(),
    }
}

/// The declared number for figure `id` and whether it agrees; empty when nothing is declared.
pub fn declared_words(checks: &[DeclaredCheck], id: &str) -> String {
    match checks.iter().find(|c| c.figure == id) {
        None => String::new(),
        Some(c) => match c.agrees {
            Some(true) => format!("{} (agrees)", c.declared),
            Some(false) => format!("{} (MISMATCH: measured {})", c.declared, c.measured),
            None => format!("{} (not comparable)", c.declared),
        },
    }
}

/// Table cells cannot hold a pipe.
fn escape(text: &str) -> String {
    text.replace('|', "\\|")
}
