//! The report's figures as rows the grading table and the renderings share: each figure id of
//! `grading.toml` read from the typed report as a number (for the rules) and words (for
//! people), and set against the target's declared policy where it declares one.

use serde::{Deserialize, Serialize};

use super::report::{Measured, ParallelCount, ProbeReport, Reach, WindowFigures};

/// One figure as the rules and the renderings see it.
#[derive(Clone, Debug, PartialEq)]
pub struct Reading {
    /// The number rules compare: yes = 1, no = 0, "none within the probe's limit" = infinity.
    pub value: f64,
    /// The figure in words, with the answer behind it.
    pub text: String,
}

/// A declared policy number set against the measured one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclaredCheck {
    /// The figure id.
    pub figure: String,
    /// What the target declares, in words.
    pub declared: String,
    /// What the probe measured, in words.
    pub measured: String,
    /// Whether they agree; `None` when the measurement cannot tell (the figure is missing,
    /// or another limit came first).
    pub agrees: Option<bool>,
}

/// Reads figure `id` from the report; `None` for an id this code does not know.
pub fn read(report: &ProbeReport, id: &str) -> Option<Measured<Reading>> {
    let window = &report.window;
    let lockout = &report.lockout;
    let sms = &report.sms;
    let resync = &report.resync;
    Some(match id {
        "window.current" => map(window, |w| yes_no(w.current_accepted(), None)),
        "window.behind" => map(window, |w| steps_up_to_scan(w.behind(), w)),
        "window.ahead" => map(window, |w| steps_up_to_scan(w.ahead(), w)),
        "window.width" => map(window, |w| Reading {
            value: w.width() as f64,
            text: format!("{} ({})", w.width(), spans(w)),
        }),
        "drift.shift" => map(&report.drift, |d| {
            let text = match d.shift_per_success {
                0 => "0 steps (the window does not follow)".to_owned(),
                s if s >= d.shift_limit => format!("{s} steps or more"),
                // The window followed as far as it reached: it re-centres on whatever it accepts.
                s if s == d.edge.unsigned_abs() => {
                    format!("{s} step{} (all its newer side: it re-centres on each accepted code)", plural(s))
                }
                s => format!("{s} step{}", plural(s)),
            };
            Reading { value: d.shift_per_success as f64, text }
        }),
        "drift.chain" => map(&report.drift, |d| Reading {
            value: f64::from(d.chain_accepted),
            text: format!(
                "{} of {} (newest accepted: {:+} steps{})",
                d.chain_accepted,
                d.chain_sent,
                d.chain_reach,
                if d.chain_accepted == d.chain_sent { "; no bound within the chain" } else { "" }
            ),
        }),
        "replay.sequential" => map(&report.replay.sequential, |r| yes_no(r.accepted_again, Some(&r.answer))),
        "replay.parallel" => map(&report.replay.parallel, |rounds| {
            let accepted: Vec<String> = rounds.rounds.iter().map(|r| r.accepted.to_string()).collect();
            let worst = rounds.most_accepted();
            Reading {
                value: f64::from(worst.map_or(0, |r| r.accepted)),
                text: format!(
                    "{} of {} (rounds: {}){}",
                    worst.map_or(0, |r| r.accepted),
                    worst.map_or(0, |r| r.sent),
                    accepted.join(", "),
                    unanswered(rounds.rounds.iter())
                ),
            }
        }),
        "lockout.threshold" => map(&lockout.threshold, |t| match t.wrong_codes {
            Some(n) => Reading { value: f64::from(n), text: n.to_string() },
            None => Reading { value: f64::INFINITY, text: format!("no lock within {}", t.limit) },
        }),
        "lockout.visible" => map(&lockout.locked, |l| yes_no(l.visible(), Some(&l.wrong))),
        "lockout.leak" => map(&lockout.locked, |l| {
            let text = if l.leaks_right_code() {
                format!("yes (right code: {}; wrong code: {})", l.right, l.wrong)
            } else {
                format!("no (both: {})", l.right)
            };
            Reading { value: f64::from(u8::from(l.leaks_right_code())), text }
        }),
        "lockout.release" => map(&lockout.release, |r| match r.after_secs {
            Some(s) => Reading { value: s as f64, text: seconds(s) },
            None => Reading {
                value: f64::INFINITY,
                text: format!("not within {} (permanent)", seconds(r.horizon_secs)),
            },
        }),
        "lockout.guesses_per_hour" => guesses_per_hour(report),
        "lockout.success_resets" => map(&lockout.success_resets, |s| yes_no(s.resets, Some(&s.answer))),
        "lockout.parallel_past" => map(&lockout.parallel_guesses, |rounds| match rounds.most_past() {
            Some(g) => Reading {
                value: f64::from(g.past_threshold),
                text: format!(
                    "{} ({} of {} evaluated in the worst of {} rounds; then the right code: {}){}",
                    g.past_threshold,
                    g.evaluated,
                    g.burst.sent,
                    rounds.rounds.len(),
                    g.right_code_after,
                    unanswered(rounds.rounds.iter().map(|r| &r.burst))
                ),
            },
            None => Reading { value: 0.0, text: "no rounds".to_owned() },
        }),
        "sms.lifetime" => map(&sms.lifetime, |l| match l.accepted_for_secs {
            Some(s) => Reading { value: s as f64, text: format!("{} (then: {})", seconds(s), l.then) },
            None => Reading {
                value: f64::INFINITY,
                text: format!("still accepted at {}", seconds(l.horizon_secs)),
            },
        }),
        "sms.attempts" => map(&sms.attempts, |a| match a.void_after {
            Some(n) => Reading {
                value: f64::from(n),
                text: format!(
                    "{n}{} (then: {})",
                    if a.by_account_lock { " (by the account lock)" } else { "" },
                    a.then
                ),
            },
            None => Reading { value: f64::INFINITY, text: format!("not within {}", a.limit) },
        }),
        "sms.single_use" => map(&sms.single_use, |r| yes_no(r.accepted, Some(&r.answer))),
        "sms.tied" => map(&sms.tied_to_challenge, |r| yes_no(r.accepted, Some(&r.answer))),
        "sms.resend_at_once" => map(&sms.resend_at_once, |r| yes_no(r.throttled, Some(&r.answer))),
        "sms.resend_interval" => map(&sms.resend_interval, |i| match i.secs {
            Some(s) => Reading { value: s as f64, text: format!("{} (then: {})", seconds(s), i.then) },
            None => Reading { value: f64::INFINITY, text: format!("not within {}", seconds(i.horizon_secs)) },
        }),
        "resync.ahead" => map(&resync.reach_ahead, reach),
        "resync.behind" => map(&resync.reach_behind, reach),
        "resync.non_consecutive" => map(&resync.non_consecutive, |r| yes_no(r.accepted, Some(&r.answer))),
        "resync.pair_reusable" => map(&resync.pair_reusable, |r| yes_no(r.accepted, Some(&r.answer))),
        "resync.burns_next" => map(&resync.burns_next_code, |r| yes_no(!r.accepted, Some(&r.answer))),
        _ => return None,
    })
}

/// The declared policy numbers against the measured ones. A declared 0 means "none" (no
/// lockout, a permanent lock, no attempt limit), as profiles write it; a number the target
/// does not declare is compared with nothing.
pub fn declared_checks(report: &ProbeReport) -> Vec<DeclaredCheck> {
    let d = &report.declared;
    let declared = |n: Option<u64>, none: &str| match n {
        None => "not declared".to_owned(),
        Some(0) => none.to_owned(),
        Some(n) => n.to_string(),
    };
    let some = |n: u64| (n != 0).then_some(n);
    let threshold = report.lockout.threshold.value().map(|t| t.wrong_codes.map(u64::from));
    let release = report.lockout.release.value().map(|r| r.after_secs);
    let attempts = report.sms.attempts.value().map(|a| (a.void_after.map(u64::from), a.by_account_lock));
    let declared_threshold = d.lockout_threshold.map(u64::from);
    let declared_release = d.lockout_duration.map(|r| r.as_secs());
    let declared_attempts = d.sms_max_attempts.map(u64::from);
    // A reach at the scan's edge may go further: it agrees with any declared reach as long.
    let window_edge = |figure: &str, declared: Option<u64>, reach: fn(&WindowFigures) -> u64| {
        let scan = super::window::SCAN.unsigned_abs();
        let measured = report.window.value().map(reach);
        let words = declared.map_or_else(|| "not declared".to_owned(), |n| format!("{n} step{}", plural(n)));
        let agrees = measured.zip(declared).map(|(m, dec)| if m >= scan { dec >= scan } else { m == dec });
        check(figure, words, &report.window, agrees, |w| steps_up_to_scan(reach(w), w).text)
    };
    let lifetime = report.sms.lifetime.value().map(|l| l.accepted_for_secs);
    let declared_lifetime = d.sms_lifetime.map(|l| l.as_secs());
    vec![
        window_edge("window.behind", d.window_behind, WindowFigures::behind),
        window_edge("window.ahead", d.window_ahead, WindowFigures::ahead),
        check(
            "sms.lifetime",
            declared_lifetime.map_or_else(|| "not declared".to_owned(), seconds),
            &report.sms.lifetime,
            // The probe finds the first refused age to the whole second, as for the release.
            lifetime.zip(declared_lifetime).map(|(m, dec)| m.is_some_and(|m| m.abs_diff(dec) <= 1)),
            |l| {
                l.accepted_for_secs
                    .map_or_else(|| format!("still accepted at {}", seconds(l.horizon_secs)), seconds)
            },
        ),
        check(
            "lockout.threshold",
            declared(declared_threshold, "no lockout"),
            &report.lockout.threshold,
            threshold.zip(declared_threshold).map(|(m, dec)| m == some(dec)),
            |t| t.wrong_codes.map_or_else(|| "none".to_owned(), |n| n.to_string()),
        ),
        check(
            "lockout.release",
            match declared_release {
                None => "not declared".to_owned(),
                Some(0) => "permanent".to_owned(),
                Some(secs) => seconds(secs),
            },
            &report.lockout.release,
            // The probe finds the release to the whole second: a lock that ends at its last
            // instant or just after it reads one second later, and is the declared duration.
            release.zip(declared_release).map(|(m, dec)| match (m, some(dec)) {
                (Some(m), Some(dec)) => m.abs_diff(dec) <= 1,
                (m, dec) => m == dec,
            }),
            |r| r.after_secs.map_or_else(|| "permanent".to_owned(), seconds),
        ),
        check(
            "sms.attempts",
            declared(declared_attempts, "no limit"),
            &report.sms.attempts,
            attempts.zip(declared_attempts).and_then(|((m, by_lock), dec)| match (m, some(dec)) {
                // The account lock came first: the code's own limit was never reached.
                (Some(m), Some(dec)) if by_lock && m <= dec => None,
                (m, dec) => Some(m == dec),
            }),
            |a| a.void_after.map_or_else(|| "none".to_owned(), |n| n.to_string()),
        ),
    ]
}

fn check<T>(
    figure: &str,
    declared: String,
    measured: &Measured<T>,
    agrees: Option<bool>,
    words: impl Fn(&T) -> String,
) -> DeclaredCheck {
    let measured = match measured.value() {
        Some(v) => words(v),
        None => measured.missing().unwrap_or_default(),
    };
    DeclaredCheck { figure: figure.to_owned(), declared, measured, agrees }
}

fn map<T>(measured: &Measured<T>, read: impl Fn(&T) -> Reading) -> Measured<Reading> {
    match measured {
        Measured::Measured { value } => Measured::Measured { value: read(value) },
        Measured::NotMeasured { reason } => Measured::NotMeasured { reason: reason.clone() },
        Measured::Error { message } => Measured::Error { message: message.clone() },
    }
}

fn yes_no(yes: bool, answer: Option<&str>) -> Reading {
    let word = if yes { "yes" } else { "no" };
    let text = match answer {
        Some(a) => format!("{word} ({a})"),
        None => word.to_owned(),
    };
    Reading { value: f64::from(u8::from(yes)), text }
}

fn steps_up_to_scan(n: u64, w: &WindowFigures) -> Reading {
    let more = if n as i64 >= super::window::SCAN && w.reaches_scan_edge() { " or more" } else { "" };
    Reading { value: n as f64, text: format!("{n} step{}{more}", plural(n)) }
}

/// The accepted offsets as runs: `-1..+1`, or `0, +2..+3`; `none`.
fn spans(w: &WindowFigures) -> String {
    let accepted: Vec<i64> = w.offsets.iter().filter(|o| o.accepted).map(|o| o.offset).collect();
    let mut runs: Vec<(i64, i64)> = Vec::new();
    for o in accepted {
        match runs.last_mut() {
            Some((_, end)) if *end + 1 == o => *end = o,
            _ => runs.push((o, o)),
        }
    }
    if runs.is_empty() {
        return "none".to_owned();
    }
    let run = |(a, b): (i64, i64)| if a == b { format!("{a:+}") } else { format!("{a:+}..{b:+}") };
    runs.into_iter().map(run).collect::<Vec<_>>().join(", ").replace("+0", "0")
}

/// `; with no usable answer: 0, 2, 1 (500 Internal Server Error)` when some request of a
/// burst got none, so a count never hides the requests it could not count; empty otherwise.
fn unanswered<'a>(bursts: impl Iterator<Item = &'a ParallelCount> + Clone) -> String {
    if bursts.clone().all(|b| b.unanswered() == 0) {
        return String::new();
    }
    let counts: Vec<String> = bursts.clone().map(|b| b.unanswered().to_string()).collect();
    let kinds: std::collections::BTreeSet<&str> = bursts.flat_map(|b| b.unanswered_kinds()).collect();
    format!(
        "; with no usable answer: {} ({})",
        counts.join(", "),
        kinds.into_iter().collect::<Vec<_>>().join("; ")
    )
}

fn reach(r: &Reach) -> Reading {
    match r.steps {
        Some(s) => Reading { value: s as f64, text: format!("{s} step{} ({})", plural(s), span(s * 30)) },
        None => Reading { value: f64::INFINITY, text: format!("{} steps or more", r.horizon_steps) },
    }
}

/// Wrong codes an attacker gets per hour: a threshold's worth per lock period.
fn guesses_per_hour(report: &ProbeReport) -> Measured<Reading> {
    let threshold = match &report.lockout.threshold {
        Measured::Measured { value } => value.wrong_codes,
        Measured::NotMeasured { reason } => return Measured::not_measured(reason.clone()),
        Measured::Error { message } => return Measured::Error { message: message.clone() },
    };
    let Some(n) = threshold else {
        return Measured::Measured { value: Reading { value: f64::INFINITY, text: "no limit".to_owned() } };
    };
    map(&report.lockout.release, |r| match r.after_secs {
        Some(s) => {
            let per_hour = (f64::from(n) * 3600.0 / s.max(1) as f64).max(f64::from(n));
            Reading { value: per_hour, text: format!("{per_hour:.0} ({n} per {})", seconds(s)) }
        }
        None => Reading { value: f64::from(n), text: format!("{n} (the lock does not end)") },
    })
}

/// `900 s (15 min)`, `45 s`, `86400 s (24 h)`.
pub(crate) fn seconds(s: u64) -> String {
    match span(s) {
        words if words.ends_with(" s") => words,
        words => format!("{s} s ({words})"),
    }
}

/// `15 min`, `2 h`, `45 s`: whole hours or minutes where the span has them.
fn span(s: u64) -> String {
    match s {
        s if s >= 3600 && s % 3600 == 0 => format!("{} h", s / 3600),
        s if s >= 60 && s % 60 == 0 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}
