//! Near misses of a code: the codes right beside one a server must accept, which it must
//! reject. A scenario that only shows a right code is accepted is passed by a server that
//! accepts every code; offering the near misses first makes such a server fail it.

use std::collections::BTreeSet;

use cucumber::when;

use crate::otp::{Algorithm, Totp};
use crate::scenario::fault::no_answer;
use crate::scenario::params::{CodeWords, User};
use crate::scenario::world::MfaWorld;

#[when(expr = "{user} binds the hardware MFA device {string} with each near miss of the code {string}")]
fn binds_with_near_misses(w: &mut MfaWorld, user: User, serial: String, code: String) {
    let mut verdicts = Vec::new();
    for (what, miss) in near_misses(w, &serial, &code) {
        w.log(format!("{} offers {what}", user.0));
        super::devices::bind_hardware(w, user.clone(), serial.clone(), CodeWords::Literal(miss));
        verdicts.push(w.last().verdict.clone());
    }
    w.set_crowd(verdicts);
}

/// The near misses of `code`, which token `serial` shows now: the codes of the steps one past
/// either edge of the window the target declares, the code with its last digit changed, and
/// the codes the same seed gives now under each other algorithm. A candidate that happens to
/// equal a code of the window (one in a million) is left out, so a correct server rejects
/// every one.
fn near_misses(w: &MfaWorld, serial: &str, code: &str) -> Vec<(String, String)> {
    let token = w.hardware_token(serial);
    let seed = token.seed();
    let totp = token.totp();
    let unix = token
        .clock()
        .reading(w.now())
        .unix_secs()
        .unwrap_or_else(|| no_answer(format!("the clock of {serial:?} reads before 1970")));
    let step = totp.step_at(unix).unwrap_or_else(|e| no_answer(format!("the step of {serial:?}: {e}")));
    let (behind, ahead) = w.declared_window();
    let (behind, ahead) =
        (i64::try_from(behind).unwrap_or(i64::MAX), i64::try_from(ahead).unwrap_or(i64::MAX));
    let window: BTreeSet<String> =
        (-behind..=ahead).filter_map(|k| step.offset(k)).map(|s| totp.code_for(s).to_string()).collect();
    if totp.code_for(step).to_string() != code {
        no_answer(format!("{code:?} is not the code {serial:?} shows now"));
    }
    let mut misses: Vec<(String, String)> = Vec::new();
    let past_edges = [
        (
            format!("the code {} steps before, one past the window's back edge", behind.saturating_add(1)),
            -behind.saturating_add(1),
        ),
        (
            format!("the code {} steps after, one past the window's forward edge", ahead.saturating_add(1)),
            ahead.saturating_add(1),
        ),
    ];
    for (what, k) in past_edges {
        if let Some(s) = step.offset(k) {
            misses.push((what, totp.code_for(s).to_string()));
        }
    }
    misses.push(("the code with its last digit wrong".into(), wrong_last_digit(code)));
    for algorithm in Algorithm::ALL.into_iter().filter(|a| *a != seed.algorithm) {
        let other = Totp::new(&seed.secret, algorithm, seed.digits, seed.period, seed.t0);
        misses.push((format!("the code the seed gives with {algorithm}"), other.code_for(step).to_string()));
    }
    let mut offered = BTreeSet::new();
    misses.retain(|(_, miss)| !window.contains(miss) && offered.insert(miss.clone()));
    misses
}

/// `code` with its last digit one higher (9 becomes 0).
fn wrong_last_digit(code: &str) -> String {
    let mut digits: Vec<u8> = code.bytes().collect();
    if let Some(last) = digits.last_mut() {
        *last = if *last == b'9' { b'0' } else { *last + 1 };
    }
    String::from_utf8_lossy(&digits).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_digit_changes_and_wraps() {
        assert_eq!(wrong_last_digit("755224"), "755225");
        assert_eq!(wrong_last_digit("287929"), "287920");
    }
}
