//! The probe after a real server's suite, as `mfa-harness run` records it, and its figures as
//! a table the test snapshots: one line per figure (id, the measured figure in words or why it
//! is not measured, the sources of its bound), then one line per area grade. A race's figure
//! (how many of a burst got through) differs from run to run, so `races` lists those ids: their
//! line and the grade of their area say "raced", and the test prints what happened instead.

use mfa_harness::probe::{self, Measured, ProbeReport, figure, figure_rows, grade_words};
use mfa_harness::report::RunRecord;
use mfa_harness::sut::Connection;

/// Probes the target behind `connection` with the run's seed, puts the observed policy into
/// `record`, and returns the figure table (races masked) for the snapshot. A race's figure
/// must still be measured, never an error: a burst's answers are counted whatever they are.
pub fn probe_after_suite(connection: &Connection, record: &mut RunRecord, races: &[&str]) -> String {
    let started = std::time::Instant::now();
    let report = probe::probe(connection, record.seed).expect("the target can be probed");
    eprintln!("the probe of {} took {:.1} s", connection.info.name, started.elapsed().as_secs_f64());
    eprintln!("{}", race_lines(&report, races));
    for id in races {
        match figure::read(&report, id) {
            Some(Measured::Measured { .. }) => {}
            other => panic!("{id} was not measured: {other:?}"),
        }
    }
    let table = figure_table(&report, races);
    record.observed_policy = Some(Measured::Measured { value: report });
    table
}

/// The snapshot table of `report`, with the figures in `races` masked.
fn figure_table(report: &ProbeReport, races: &[&str]) -> String {
    let mut out = String::new();
    for area in &report.grades.areas {
        for row in figure_rows(report, &area.area) {
            let sources: Vec<&str> = row.sources.iter().map(|s| s.name.as_str()).collect();
            let measured = if races.contains(&row.id.as_str()) && row.is_measured {
                "raced (the test prints it)".to_owned()
            } else {
                row.measured.clone()
            };
            let sources =
                if sources.is_empty() { "no published source".to_owned() } else { sources.join("; ") };
            out.push_str(&format!("{} | {} | {}\n", row.id, measured, sources));
        }
    }
    for area in &report.grades.areas {
        let raced =
            figure_rows(report, &area.area).iter().any(|r| races.contains(&r.id.as_str()) && r.is_measured);
        let grade = if raced { "raced (the test prints it)".to_owned() } else { grade_words(area) };
        out.push_str(&format!("grade {}: {}\n", area.title, grade));
    }
    out
}

/// The figures of `races` as measured, for the test's output.
fn race_lines(report: &ProbeReport, races: &[&str]) -> String {
    let mut out = String::new();
    for area in &report.grades.areas {
        for row in figure_rows(report, &area.area).into_iter().filter(|r| races.contains(&r.id.as_str())) {
            out.push_str(&format!("{}: {}\n", row.id, row.measured));
        }
    }
    for area in &report.grades.areas {
        out.push_str(&format!("grade {}: {}\n", area.title, grade_words(area)));
    }
    out
}
