//! Pictures of the observed policy as inline SVG, drawn by hand from the probe's figures:
//! the accepted window as a strip of step offsets, the parallel bursts as counts of N, and
//! the lockout as a timeline. Integer coordinates and fixed colours only, so the same figures
//! give the same bytes; each shape carries a `<title>` with its figure in words, and each
//! picture a caption, so nothing is only a colour.

use std::fmt::Write as _;

use super::xml_text;
use crate::probe::{LockoutFigures, ParallelCount, ParallelGuesses, Rounds, WindowFigures};
use crate::protocol::PolicyFacts;

const ACCEPTED: &str = "#2e7d32";
const REFUSED: &str = "#d9d9d9";
const DANGER: &str = "#c62828";
const EVALUATED: &str = "#f2a900";
const LOCKED: &str = "#37474f";
const INK: &str = "#222";

/// The offsets −10..+10 as cells, accepted filled, with the ±1 step RFC 6238 §5.2 allows
/// drawn around them.
pub fn window_strip(window: &WindowFigures) -> String {
    const CELL: i64 = 30;
    const PITCH: i64 = 32;
    let first = window.offsets.first().map_or(-10, |o| o.offset);
    let x = |offset: i64| 10 + (offset - first) * PITCH;
    let width = 20 + window.offsets.len() as i64 * PITCH;
    let mut svg = Svg::new(width, 104, "The accepted window: which step offsets were accepted");
    svg.text(10, 14, "start", "older codes");
    svg.text(width - 10, 14, "end", "newer codes");
    for o in &window.offsets {
        let (fill, mark) = if o.accepted { (ACCEPTED, "\u{2713}") } else { (REFUSED, "") };
        let title = format!("offset {:+}: {}", o.offset, o.answer);
        svg.rect(x(o.offset), 22, CELL, CELL, fill, &title);
        svg.text_colour(x(o.offset) + CELL / 2, 43, "middle", mark, "#fff");
        svg.text(x(o.offset) + CELL / 2, 68, "middle", &signed(o.offset));
    }
    let (left, right) = (x(-1) - 3, x(1) + CELL + 3);
    let _ = write!(
        svg.body,
        "<rect x=\"{left}\" y=\"18\" width=\"{}\" height=\"38\" fill=\"none\" stroke=\"{INK}\" stroke-width=\"2\" stroke-dasharray=\"5 3\"/>",
        right - left
    );
    svg.text((left + right) / 2, 92, "middle", "\u{b1}1 step: RFC 6238 \u{a7}5.2");
    svg.finish()
}

/// Each round of the parallel replay as N cells, the accepted copies filled: one is what a
/// replay guard allows, more are drawn in red.
pub fn parallel_replay(rounds: &Rounds<ParallelCount>) -> String {
    let rows: Vec<Vec<(&str, String)>> = rounds
        .rounds
        .iter()
        .map(|r| {
            (0..r.sent)
                .map(|i| match i {
                    0 if r.accepted > 0 => (ACCEPTED, "accepted (the one copy allowed)".to_owned()),
                    i if i < r.accepted => (DANGER, "accepted again: a replay".to_owned()),
                    _ => (REFUSED, "refused".to_owned()),
                })
                .collect()
        })
        .collect();
    let labels: Vec<String> = rounds
        .rounds
        .iter()
        .enumerate()
        .map(|(i, r)| format!("round {}: {} of {} accepted", i + 1, r.accepted, r.sent))
        .collect();
    cell_rows("Copies of one code sent at once, per round: how many were accepted", &rows, &labels)
}

/// Each round of parallel wrong guesses as N cells: evaluated before the lock, evaluated
/// past the threshold (red), refused as locked.
pub fn parallel_guesses(rounds: &Rounds<ParallelGuesses>) -> String {
    let rows: Vec<Vec<(&str, String)>> = rounds
        .rounds
        .iter()
        .map(|g| {
            let within = g.evaluated - g.past_threshold;
            (0..g.burst.sent)
                .map(|i| match i {
                    i if i < within => (EVALUATED, "evaluated (within the threshold)".to_owned()),
                    i if i < g.evaluated => (DANGER, "evaluated past the threshold".to_owned()),
                    _ => (LOCKED, "refused: locked".to_owned()),
                })
                .collect()
        })
        .collect();
    let labels: Vec<String> = rounds
        .rounds
        .iter()
        .enumerate()
        .map(|(i, g)| {
            format!(
                "round {}: {} of {} evaluated, {} past the threshold",
                i + 1,
                g.evaluated,
                g.burst.sent,
                g.past_threshold
            )
        })
        .collect();
    cell_rows("Wrong guesses sent at once, per round: how many were evaluated", &rows, &labels)
}

/// The lock on a time axis: the wrong codes that set it, how long it held, and the declared
/// duration beside the measured one. `None` when neither threshold nor release was measured.
pub fn lockout_timeline(lockout: &LockoutFigures, declared: &PolicyFacts) -> Option<String> {
    let threshold = lockout.threshold.value()?;
    let release = lockout.release.value();
    const LEFT: i64 = 150;
    const AXIS: i64 = 520;
    let mut svg = Svg::new(LEFT + AXIS + 40, 120, "The lockout timeline: when the lock begins and ends");
    let wrong = match threshold.wrong_codes {
        Some(n) => format!("{n} wrong codes"),
        None => format!("no lock after {} wrong codes", threshold.limit),
    };
    svg.text(LEFT - 10, 45, "end", &wrong);
    let Some(release) = release.filter(|_| threshold.wrong_codes.is_some()) else {
        svg.text(LEFT, 45, "start", "(release not measured)");
        return Some(svg.finish());
    };
    // 0: not declared, so no declared marker.
    let declared_secs = declared.lockout_duration.map_or(0, |d| d.as_secs());
    let measured_secs = release.after_secs.unwrap_or(release.horizon_secs);
    let span = measured_secs.max(declared_secs).max(1) * 5 / 4;
    let x = |secs: u64| LEFT + (secs.min(span) * AXIS as u64 / span) as i64;
    let lock_end = x(measured_secs);
    let held = match release.after_secs {
        Some(s) => format!("locked for {}", seconds(s)),
        None => format!("still locked at {} (the probe's horizon)", seconds(release.horizon_secs)),
    };
    svg.rect(LEFT, 30, lock_end - LEFT, 24, LOCKED, &held);
    svg.text_colour(LEFT + 6, 47, "start", &held, "#fff");
    if release.after_secs.is_some() {
        svg.rect(lock_end, 30, x(span) - lock_end, 24, ACCEPTED, "the right code is accepted again");
    }
    svg.line(LEFT, 60, x(span), 60, INK, "");
    svg.text(LEFT, 76, "middle", "0");
    svg.text(lock_end, 76, "middle", &seconds(measured_secs));
    if declared_secs > 0 && declared_secs != measured_secs {
        svg.line(x(declared_secs), 22, x(declared_secs), 62, DANGER, "4 3");
        svg.text_colour(
            x(declared_secs),
            16,
            "middle",
            &format!("declared {}", seconds(declared_secs)),
            DANGER,
        );
    } else if declared_secs > 0 {
        svg.text(lock_end, 16, "middle", "declared and measured agree");
    }
    svg.text(LEFT, 100, "start", "time after the locking failure \u{2192}");
    Some(svg.finish())
}

/// Rows of small cells with a label each.
fn cell_rows(title: &str, rows: &[Vec<(&str, String)>], labels: &[String]) -> String {
    const CELL: i64 = 14;
    const PITCH: i64 = 16;
    let longest = rows.iter().map(Vec::len).max().unwrap_or(0) as i64;
    let left = 10;
    let label_x = left + longest * PITCH + 12;
    let mut svg = Svg::new(label_x + 330, 10 + rows.len() as i64 * 24, title);
    for (i, (row, label)) in rows.iter().zip(labels).enumerate() {
        let y = 6 + i as i64 * 24;
        for (j, (fill, what)) in row.iter().enumerate() {
            svg.rect(left + j as i64 * PITCH, y, CELL, CELL, fill, what);
        }
        svg.text(label_x, y + 12, "start", label);
    }
    svg.finish()
}

/// A minimal SVG writer: the few shapes the pictures use.
struct Svg {
    width: i64,
    height: i64,
    title: String,
    body: String,
}

impl Svg {
    fn new(width: i64, height: i64, title: &str) -> Svg {
        Svg { width, height, title: title.to_owned(), body: String::new() }
    }

    fn rect(&mut self, x: i64, y: i64, w: i64, h: i64, fill: &str, title: &str) {
        let _ = write!(
            self.body,
            "<rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" fill=\"{fill}\"><title>{}</title></rect>",
            xml_text(title)
        );
    }

    fn line(&mut self, x1: i64, y1: i64, x2: i64, y2: i64, stroke: &str, dash: &str) {
        let dash = if dash.is_empty() { String::new() } else { format!(" stroke-dasharray=\"{dash}\"") };
        let _ = write!(
            self.body,
            "<line x1=\"{x1}\" y1=\"{y1}\" x2=\"{x2}\" y2=\"{y2}\" stroke=\"{stroke}\" stroke-width=\"2\"{dash}/>"
        );
    }

    fn text(&mut self, x: i64, y: i64, anchor: &str, text: &str) {
        self.text_colour(x, y, anchor, text, INK);
    }

    fn text_colour(&mut self, x: i64, y: i64, anchor: &str, text: &str, fill: &str) {
        if text.is_empty() {
            return;
        }
        let _ = write!(
            self.body,
            "<text x=\"{x}\" y=\"{y}\" text-anchor=\"{anchor}\" fill=\"{fill}\">{}</text>",
            xml_text(text)
        );
    }

    fn finish(self) -> String {
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"sans-serif\" font-size=\"12\"><title>{}</title>{}</svg>",
            xml_text(&self.title),
            self.body,
            w = self.width,
            h = self.height
        )
    }
}

/// `+1`, `0`, `-3`.
fn signed(offset: i64) -> String {
    if offset == 0 { "0".to_owned() } else { format!("{offset:+}") }
}

/// `900 s`, `24 h`: the axis labels.
fn seconds(s: u64) -> String {
    match s {
        s if s >= 3600 && s % 3600 == 0 => format!("{} h", s / 3600),
        s if s >= 60 && s % 60 == 0 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::OffsetAnswer;

    fn window(accepted: &[i64]) -> WindowFigures {
        WindowFigures {
            offsets: (-10..=10)
                .map(|offset| OffsetAnswer {
                    offset,
                    accepted: accepted.contains(&offset),
                    answer: if accepted.contains(&offset) { "accepted" } else { "rejected (wrong code)" }
                        .to_owned(),
                })
                .collect(),
        }
    }

    #[test]
    fn the_window_strip_fills_exactly_the_accepted_offsets() {
        let svg = window_strip(&window(&[-1, 0, 1]));
        assert_eq!(svg.matches(&format!("fill=\"{ACCEPTED}\"")).count(), 3);
        assert_eq!(svg.matches(&format!("fill=\"{REFUSED}\"")).count(), 18);
        assert!(svg.contains("<title>offset -1: accepted</title>"));
        assert!(svg.contains("<title>offset +2: rejected (wrong code)</title>"));
        let wide = window_strip(&window(&(-6..=5).collect::<Vec<_>>()));
        assert_eq!(wide.matches(&format!("fill=\"{ACCEPTED}\"")).count(), 12);
    }

    #[test]
    fn a_replayed_copy_is_drawn_in_red() {
        let count = |accepted| ParallelCount { sent: 4, accepted, answers: Default::default() };
        let safe = parallel_replay(&Rounds { rounds: vec![count(1)] });
        assert!(!safe.contains(DANGER) && safe.contains("round 1: 1 of 4 accepted"));
        let racy = parallel_replay(&Rounds { rounds: vec![count(3)] });
        assert_eq!(racy.matches(&format!("fill=\"{DANGER}\"")).count(), 2);
    }

    #[test]
    fn a_permanent_lock_is_drawn_to_the_horizon_with_the_declared_duration_in_red() {
        use crate::probe::{Measured, Release, Threshold};
        let lockout = LockoutFigures {
            threshold: Measured::Measured { value: Threshold { wrong_codes: Some(5), limit: 101 } },
            locked: Measured::not_measured("not needed here"),
            release: Measured::Measured { value: Release { after_secs: None, horizon_secs: 86_400 } },
            success_resets: Measured::not_measured("not needed here"),
            parallel_guesses: Measured::not_measured("not needed here"),
        };
        let declared = PolicyFacts {
            lockout_threshold: Some(5),
            lockout_duration: Some(std::time::Duration::from_secs(900)),
            sms_max_attempts: Some(3),
            ..PolicyFacts::default()
        };
        let svg = lockout_timeline(&lockout, &declared).unwrap();
        assert!(svg.contains("still locked at 24 h (the probe&apos;s horizon)"), "{svg}");
        assert!(svg.contains(&format!("fill=\"{DANGER}\">declared 15 min</text>")), "{svg}");
        assert!(!svg.contains("the right code is accepted again"));
    }
}
