//! Signing in, answering prompts, SMS requests, console operations and the parallel attempts.

use std::sync::Barrier;

use cucumber::when;

use crate::protocol::{Method, Verdict};
use crate::scenario::fault::no_answer;
use crate::scenario::params::{Attempt, CodeWords, DeviceWord, OperationWords, Span, Times, User};
use crate::scenario::world::{MfaWorld, Prompt};

/// Signs `actor` in to `account` from `origin` with the password `actor` knows; the verdict is
/// the sign-in's.
fn sign_in(w: &mut MfaWorld, actor: &str, account: &str, origin: String) {
    let password = w.password_for(actor, account);
    sign_in_with(w, actor, account, origin, password);
}

fn sign_in_with(w: &mut MfaWorld, actor: &str, account: &str, origin: String, password: String) {
    {
        let person = w.person_mut(actor);
        person.acting_as = Some(account.to_owned());
        person.session = None;
        person.prompt = None;
    }
    let verdict = w.call("signing in", |t, now| t.login(account, &password, &origin, now));
    w.remember(actor, vec![Attempt::SignIn], verdict);
}

#[when(expr = "{user} signs in with her/his/their password")]
fn signs_in(w: &mut MfaWorld, user: User) {
    let origin = w.person(&user.0).origin.clone();
    sign_in(w, &user.0, &user.0, origin);
}

#[when(expr = "{user} signs in with her/his/their password from a new location")]
fn signs_in_elsewhere(w: &mut MfaWorld, user: User) {
    let origin = format!("{}-travelling", user.0.to_lowercase());
    sign_in(w, &user.0, &user.0, origin);
}

/// A wrong password: the user's own with a character added, so it is wrong however the target
/// compares passwords (case, length) and never a password the scenario gave anyone.
#[when(expr = "{user} signs in with a wrong password")]
fn signs_in_wrongly(w: &mut MfaWorld, user: User) {
    let origin = w.person(&user.0).origin.clone();
    let password = format!("{}x", w.password_for(&user.0, &user.0));
    sign_in_with(w, &user.0, &user.0, origin, password);
}

#[when(expr = "{user} signs in as {user}")]
fn signs_in_as(w: &mut MfaWorld, actor: User, account: User) {
    let origin = w.person(&actor.0).origin.clone();
    sign_in(w, &actor.0, &account.0, origin);
}

/// Answers the actor's open prompt with a code. A server may enforce a lockout at the
/// password instead of the code: when the sign-in itself was refused as locked out there is
/// no prompt, and that refusal is the code's verdict too.
fn enter(w: &mut MfaWorld, actor: &str, method: Method, code: String) {
    if w.person(actor).prompt.is_none() {
        let last = w.last();
        if last.actor == actor
            && last.kinds.contains(&Attempt::SignIn)
            && last.verdict.reject_reason() == Some(crate::protocol::RejectReason::LockedOut)
        {
            let verdict = last.verdict.clone();
            w.remember(actor, vec![Attempt::Code, Attempt::SignIn], verdict);
            return;
        }
    }
    let (challenge, _, purpose) = w.open_challenge(actor);
    w.person_mut(actor).last_code = Some((method, code.clone()));
    let verdict = w.call("answering a prompt", |t, now| t.answer(challenge, method, &code, now));
    w.remember(actor, vec![Attempt::Code, purpose], verdict);
}

#[when(expr = "{user} enters {code}")]
fn enters(w: &mut MfaWorld, user: User, code: CodeWords) {
    let (method, digits) = w.resolve_code(&user.0, &code, None);
    enter(w, &user.0, method, digits);
}

#[when(expr = "{user} enters a wrong code {times}")]
fn enters_wrong_codes(w: &mut MfaWorld, user: User, times: Times) {
    let threshold = |w: &MfaWorld| w.declared("lockout threshold", |f| f.lockout_threshold);
    let n = match times {
        Times::Exactly(n) => n,
        Times::LockoutThreshold => threshold(w),
        Times::BelowLockoutThreshold => threshold(w).saturating_sub(1),
        Times::SmsAttemptLimit => w.declared("SMS attempt limit", |f| f.sms_max_attempts),
    };
    for _ in 0..n {
        let (method, digits) = w.resolve_code(&user.0, &CodeWords::Wrong, None);
        enter(w, &user.0, method, digits);
    }
}

#[when(expr = "{user} types the code from her/his/their {device}, taking {duration}")]
fn types_slowly(w: &mut MfaWorld, user: User, device: DeviceWord, span: Span) {
    let span = w.span(span);
    let code = w.code_shown(w.device(&user.0, device.0)).to_string();
    w.advance(span);
    enter(w, &user.0, device.0.method(), code);
}

#[when(expr = "{user} asks for an SMS code")]
fn asks_for_sms(w: &mut MfaWorld, user: User) {
    let (challenge, _, _) = w.open_challenge(&user.0);
    let verdict = w.call("asking for an SMS code", |t, now| t.request_sms(challenge, now));
    w.remember(&user.0, vec![Attempt::Request], verdict);
}

#[when(expr = "{user} tries to {operation}")]
fn tries(w: &mut MfaWorld, user: User, operation: OperationWords) {
    let session = w.ensure_session(&user.0);
    let verdict = w.call("running an operation", |t, now| t.perform(session, operation.0, now));
    w.remember(&user.0, vec![Attempt::Operation], verdict);
}

/// The most browsers one step opens at once (one thread each): far above what any scenario
/// needs, far below the thread count that aborted the process (20 000).
const MAX_BROWSERS: u32 = 1_000;

/// Opens `n` sign-ins one after another, then answers all their prompts with the same code
/// at once from `n` threads released together.
fn at_once(w: &mut MfaWorld, actor: &str, account: &str, n: u32, code: CodeWords) {
    if !(1..=MAX_BROWSERS).contains(&n) {
        no_answer(format!("{n} browsers at once: this step opens 1 to {MAX_BROWSERS}"));
    }
    let password = w.password_for(actor, account);
    let origin = w.person(actor).origin.clone();
    w.person_mut(actor).acting_as = Some(account.to_owned());
    let mut challenges = Vec::new();
    for _ in 0..n {
        match w.call("signing in", |t, now| t.login(account, &password, &origin, now)) {
            Verdict::ChallengeRequired { challenge, methods } => {
                w.person_mut(actor).prompt =
                    Some(Prompt::Challenge { challenge, methods, purpose: Attempt::SignIn });
                challenges.push(challenge);
            }
            other => no_answer(format!("a parallel sign-in needs a second-factor prompt, got {other}")),
        }
    }
    let (method, digits) = w.resolve_code(actor, &code, None);
    w.person_mut(actor).last_code = Some((method, digits.clone()));
    let target = w.target();
    let now = w.now();
    let barrier = Barrier::new(challenges.len());
    let answers: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = challenges
            .iter()
            .map(|&challenge| {
                let (target, barrier, digits) = (&target, &barrier, &digits);
                scope.spawn(move || {
                    barrier.wait();
                    target.answer(challenge, method, digits, now)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join()).collect()
    });
    let mut verdicts = Vec::new();
    for answer in answers {
        match answer {
            Ok(Ok(v)) => verdicts.push(v),
            Ok(Err(e)) => no_answer(format!("a parallel answer: {e}")),
            Err(_) => no_answer("a parallel answer panicked"),
        }
    }
    w.person_mut(actor).prompt = None;
    w.set_crowd(verdicts);
}

#[when(expr = "{user} signs in from {int} browsers at once, entering {code} in each")]
fn signs_in_at_once(w: &mut MfaWorld, user: User, n: u32, code: CodeWords) {
    at_once(w, &user.0, &user.0, n, code);
}

#[when(expr = "{user} signs in as {user} from {int} browsers at once, entering {code} in each")]
fn signs_in_as_at_once(w: &mut MfaWorld, actor: User, account: User, n: u32, code: CodeWords) {
    at_once(w, &actor.0, &account.0, n, code);
}
