//! `mfa-harness vectors`: run vector files against OTP implementations and print a table.

use anyhow::Context;
use serde::Serialize;

use crate::cli::RunVerdict;
use crate::cli::args::{ImplChoice, OutputFormat, VectorsArgs};
use crate::vectors::{self, Implementation, Outcome, VectorFile};

/// One row of the report: a vector on one implementation.
#[derive(Debug, Serialize)]
struct Row<'a> {
    file: &'a str,
    id: &'a str,
    implementation: Implementation,
    #[serde(flatten)]
    outcome: Outcome,
}

/// Counts per implementation.
#[derive(Debug, Default, Serialize)]
struct Tally {
    passed: usize,
    failed: usize,
    not_applicable: usize,
}

/// Runs the subcommand.
///
/// # Errors
/// A vector file that is missing, malformed or invalid (named with its line).
pub fn run(args: &VectorsArgs) -> anyhow::Result<RunVerdict> {
    let files = if args.files.is_empty() {
        vectors::load_embedded().context("built-in vector files")?
    } else {
        vectors::load_path(&args.files).context("loading vector files")?
    };
    let implementations: &[Implementation] = match args.implementation {
        ImplChoice::Core => &[Implementation::Core],
        ImplChoice::TotpRs => &[Implementation::TotpRs],
        ImplChoice::All => &Implementation::ALL,
    };
    let rows = evaluate(&files, implementations);
    let tallies: Vec<(Implementation, Tally)> =
        implementations.iter().map(|&i| (i, tally(&rows, i))).collect();
    match args.format {
        OutputFormat::Text => print!("{}", render_text(&files, &rows, &tallies)),
        OutputFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "files": files.iter().map(|f| serde_json::json!({"name": f.name, "records": f.vectors.len()})).collect::<Vec<_>>(),
                "summary": tallies.iter().map(|(i, t)| serde_json::json!({"implementation": i, "tally": t})).collect::<Vec<_>>(),
                "results": rows,
            }))?
        ),
    }
    Ok(if tallies.iter().any(|(_, t)| t.failed > 0) { RunVerdict::Failed } else { RunVerdict::Passed })
}

fn evaluate<'a>(files: &'a [VectorFile], implementations: &[Implementation]) -> Vec<Row<'a>> {
    files
        .iter()
        .flat_map(|file| file.vectors.iter().map(move |v| (file.name.as_str(), v)))
        .flat_map(|(file, v)| {
            implementations.iter().map(move |&implementation| Row {
                file,
                id: &v.id,
                implementation,
                outcome: implementation.run(v),
            })
        })
        .collect()
}

fn tally<'r>(rows: impl IntoIterator<Item = &'r Row<'r>>, implementation: Implementation) -> Tally {
    let mut t = Tally::default();
    for row in rows.into_iter().filter(|r| r.implementation == implementation) {
        match row.outcome {
            Outcome::Pass => t.passed += 1,
            Outcome::Fail { .. } => t.failed += 1,
            Outcome::NotApplicable { .. } => t.not_applicable += 1,
        }
    }
    t
}

/// Per file and implementation a pass/fail/n.a. count, then every failure with id, expected
/// and actual, then the not-applicable reasons with their counts.
fn render_text(files: &[VectorFile], rows: &[Row<'_>], tallies: &[(Implementation, Tally)]) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let width = files.iter().map(|f| f.name.len()).max().unwrap_or(4).max(4);
    let _ = write!(out, "{:width$}  {:>7}", "file", "records");
    for (i, _) in tallies {
        let _ = write!(out, "  {:>22}", i.name());
    }
    out.push('\n');
    for file in files {
        let _ = write!(out, "{:width$}  {:>7}", file.name, file.vectors.len());
        for (i, _) in tallies {
            let t = tally(rows.iter().filter(|r| r.file == file.name), *i);
            let _ = write!(
                out,
                "  {:>22}",
                format!("{} pass {} fail {} n/a", t.passed, t.failed, t.not_applicable)
            );
        }
        out.push('\n');
    }
    let failures: Vec<&Row<'_>> = rows.iter().filter(|r| matches!(r.outcome, Outcome::Fail { .. })).collect();
    if !failures.is_empty() {
        out.push_str("\nfailures:\n");
        for row in failures {
            if let Outcome::Fail { expected, actual } = &row.outcome {
                let _ = writeln!(
                    out,
                    "  FAIL {} [{}] {}: expected {expected}, got {actual}",
                    row.implementation.name(),
                    row.file,
                    row.id
                );
            }
        }
    }
    let mut reasons: Vec<(&str, &str, usize)> = Vec::new();
    for row in rows {
        if let Outcome::NotApplicable { reason } = &row.outcome {
            match reasons.iter_mut().find(|(i, r, _)| *i == row.implementation.name() && *r == reason) {
                Some(entry) => entry.2 += 1,
                None => reasons.push((row.implementation.name(), reason, 1)),
            }
        }
    }
    if !reasons.is_empty() {
        out.push_str("\nnot applicable:\n");
        for (implementation, reason, count) in reasons {
            let _ = writeln!(out, "  {implementation}: {count} records: {reason}");
        }
    }
    let weak: Vec<&str> = files
        .iter()
        .flat_map(|f| &f.vectors)
        .filter(|v| v.case.params().is_some_and(|p| p.secret.strength_warning().is_some()))
        .map(|v| v.id.as_str())
        .collect();
    if !weak.is_empty() {
        let _ = writeln!(
            out,
            "\nwarning: {} records use keys below the 128-bit minimum of RFC 4226 section 4: {}",
            weak.len(),
            weak.join(", ")
        );
    }
    out.push('\n');
    for (i, t) in tallies {
        let verdict = if t.failed == 0 { "PASS" } else { "FAIL" };
        let _ = writeln!(
            out,
            "{verdict} {}: {} passed, {} failed, {} not applicable",
            i.name(),
            t.passed,
            t.failed,
            t.not_applicable
        );
    }
    out
}
