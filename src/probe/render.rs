//! The report in words: Markdown (a self-contained section a run report can embed with one
//! call) and plain text for the terminal. Both show every figure next to the declared policy
//! and the published bound with its source, and every grade next to the figures behind it.

use std::fmt::Write as _;

use super::figure::{self, DeclaredCheck};
use super::grading::{AreaGrade, GradingTable};
use super::report::{ClockMode, ProbeReport};

/// The report as a Markdown section (`## Observed policy`, then one table per area).
pub fn render_markdown(report: &ProbeReport) -> String {
    let table = match GradingTable::builtin() {
        Ok(table) => table,
        Err(e) => return format!("## Observed policy\n\n{e}\n"),
    };
    let mut out = String::from("## Observed policy\n\n");
    let _ = writeln!(out, "{}\n", headline(report));
    out.push_str("| area | grade | behind the grade |\n|---|---|---|\n");
    for area in &report.grades.areas {
        let _ = writeln!(out, "| {} | {} | {} |", area.title, grade_words(area), escape(&behind(area)));
    }
    let _ = writeln!(out, "| **overall** | **{}** | the lowest area grade |\n", overall_words(report));
    for area in &report.grades.areas {
        let _ = writeln!(out, "### {}: {}\n", area.title, grade_words(area));
        out.push_str("| figure | measured | declared | published bound |\n|---|---|---|---|\n");
        for spec in table.figure.iter().filter(|f| f.area == area.area) {
            let measured = measured_words(report, &spec.id);
            let declared = declared_words(&report.declared_checks, &spec.id);
            let sources = table.source_names(&spec.sources);
            let bound =
                if sources.is_empty() { spec.bound.clone() } else { format!("{} ({sources})", spec.bound) };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                escape(&spec.label),
                escape(&measured),
                escape(&declared),
                escape(&bound)
            );
        }
        out.push('\n');
    }
    out.push_str("Grading rules and sources: `docs/grading.md`.\n");
    out
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

fn headline(report: &ProbeReport) -> String {
    let clock = match report.clock {
        ClockMode::Simulated => "simulated clock",
        ClockMode::ServerClock => "the server's own clock",
        ClockMode::MappedClock => "the server's own clock, mapped by its profile",
    };
    format!("Target `{}` ({}), {clock}, seed {}.", report.target.name, report.target.kind, report.seed)
}

fn grade_words(area: &AreaGrade) -> String {
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

fn overall_words(report: &ProbeReport) -> String {
    match report.grades.overall {
        None => "not graded".to_owned(),
        Some(g) if report.grades.complete => g.to_string(),
        Some(g) => format!("{g} at best (some figures were not measured)"),
    }
}

fn behind(area: &AreaGrade) -> String {
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

fn declared_words(checks: &[DeclaredCheck], id: &str) -> String {
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
