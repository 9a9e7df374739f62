//! Outcomes: what the last action got, and what the parallel attempts got.

use cucumber::then;

use crate::protocol::Verdict;
use crate::scenario::fault::{mismatch, no_answer};
use crate::scenario::params::{Attempt, Count, Expect, Methods, User};
use crate::scenario::world::{MfaWorld, meets};

#[then(expr = "the {attempt} is {outcome}")]
fn outcome(w: &mut MfaWorld, attempt: Attempt, expect: Expect) {
    w.check_outcome(attempt, expect);
}

/// The verdict `user` got last, which must be the last verdict of the scenario.
fn last_of(w: &MfaWorld, user: &str) -> Verdict {
    let last = w.last();
    if last.actor != user {
        no_answer(format!("the step is about {user} but the last action was {}'s", last.actor));
    }
    last.verdict.clone()
}

#[then(expr = "{user} is signed in")]
fn signed_in(w: &mut MfaWorld, user: User) {
    let verdict = last_of(w, &user.0);
    if !matches!(verdict, Verdict::Accepted { session: Some(_) }) {
        mismatch("signed in", verdict.to_string(), w.context());
    }
}

#[then(expr = "{user} is asked for a second factor by {methods}")]
fn asked_for(w: &mut MfaWorld, user: User, methods: Methods) {
    match last_of(w, &user.0) {
        Verdict::ChallengeRequired { methods: offered, .. } if offered == methods.0 => {}
        other => mismatch(format!("asked for {}", methods.0), other.to_string(), w.context()),
    }
}

#[then(expr = "{user} is asked to confirm her/his/their identity")]
fn asked_identity(w: &mut MfaWorld, user: User) {
    let verdict = last_of(w, &user.0);
    if !matches!(verdict, Verdict::ChallengeRequired { .. }) {
        mismatch("asked to confirm identity", verdict.to_string(), w.context());
    }
}

#[then(expr = "{user} is sent to the binding page")]
fn sent_to_binding(w: &mut MfaWorld, user: User) {
    let verdict = last_of(w, &user.0);
    if !matches!(verdict, Verdict::BindingOpen { .. }) {
        mismatch("sent to the binding page", verdict.to_string(), w.context());
    }
}

#[then(expr = "the operation goes ahead")]
fn goes_ahead(w: &mut MfaWorld) {
    let last = w.last();
    if !last.kinds.contains(&Attempt::Operation) {
        no_answer(format!("the last action was not an operation but {:?}", last.kinds));
    }
    if !matches!(last.verdict, Verdict::Accepted { .. }) {
        mismatch("the operation goes ahead", last.verdict.to_string(), w.context());
    }
}

fn count(w: &MfaWorld, expect: Expect) -> usize {
    if w.crowd().is_empty() {
        no_answer("no parallel attempts were made");
    }
    w.crowd().iter().filter(|v| meets(v, expect)).count()
}

#[then(expr = "exactly {int} of them is/are {outcome}")]
fn exactly(w: &mut MfaWorld, n: usize, expect: Expect) {
    let got = count(w, expect);
    if got != n {
        mismatch(format!("exactly {n} {expect:?}"), format!("{got} of {}", w.crowd().len()), w.context());
    }
}

#[then(expr = "at most {count} of them are {outcome}")]
fn at_most(w: &mut MfaWorld, limit: Count, expect: Expect) {
    let limit = match limit {
        Count::Exactly(n) => n as usize,
        Count::LockoutThreshold => w.declared("lockout threshold", |f| f.lockout_threshold) as usize,
    };
    let got = count(w, expect);
    if got > limit {
        mismatch(format!("at most {limit} {expect:?}"), format!("{got} of {}", w.crowd().len()), w.context());
    }
}

#[then(expr = "{user} has received {int} SMS code(s)")]
fn received(w: &mut MfaWorld, user: User, n: usize) {
    let got = w.sms_sent_to(&user.0).len();
    if got != n {
        mismatch(format!("{n} SMS"), format!("{got} SMS"), w.context());
    }
}

#[then(expr = "the latest SMS code has {int} digits")]
fn latest_digits(w: &mut MfaWorld, digits: usize) {
    let actor = w.last().actor.clone();
    let sent = w.sms_sent_to(&actor);
    let code =
        sent.last().map(|d| d.code.clone()).unwrap_or_else(|| no_answer(format!("{actor} received no SMS")));
    if code.len() != digits || !code.bytes().all(|b| b.is_ascii_digit()) {
        mismatch(format!("{digits} digits"), format!("{} characters", code.len()), w.context());
    }
}
