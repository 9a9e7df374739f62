//! Protection settings: arranging, changing and checking login and operation protection.

use cucumber::{given, then, when};

use crate::protocol::{MethodSet, Scope};
use crate::scenario::fault::mismatch;
use crate::scenario::params::{Attempt, Methods, Protection, User};
use crate::scenario::world::MfaWorld;

fn arrange(w: &mut MfaWorld, user: &str, scope: Scope, methods: MethodSet) {
    w.configure("setting protection in setup", |t, now| t.provision_protection(user, scope, methods, now));
}

fn check(w: &mut MfaWorld, user: &str, scope: Scope, expected: MethodSet) {
    let view = w.configure("reading the account", |t, now| t.account(user, now));
    let actual = match scope {
        Scope::Login => view.login,
        Scope::Operation => view.operation,
    };
    if actual != expected {
        mismatch(format!("{scope:?} protection by {expected}"), format!("by {actual}"), w.context());
    }
}

#[given(expr = "{user} has {protection} by {methods}")]
fn has_protection(w: &mut MfaWorld, user: User, protection: Protection, methods: Methods) {
    arrange(w, &user.0, protection.0, methods.0);
}

#[then(expr = "{user} has {protection} by {methods}")]
fn check_protection(w: &mut MfaWorld, user: User, protection: Protection, methods: Methods) {
    check(w, &user.0, protection.0, methods.0);
}

#[given(expr = "{user} has no {protection}")]
fn has_no_protection(w: &mut MfaWorld, user: User, protection: Protection) {
    arrange(w, &user.0, protection.0, MethodSet::NONE);
}

#[then(expr = "{user} has no {protection}")]
fn check_no_protection(w: &mut MfaWorld, user: User, protection: Protection) {
    check(w, &user.0, protection.0, MethodSet::NONE);
}

fn change(w: &mut MfaWorld, actor: &str, user: &str, scope: Scope, methods: MethodSet) {
    let session = w.ensure_session(actor);
    let verdict =
        w.call("changing protection", |t, now| t.set_protection(session, user, scope, methods, now));
    w.remember(actor, vec![Attempt::Change], verdict);
}

/// A change a `Given` arranges: the scenario stands on it, so a refusal ends the scenario.
fn arrange_change(w: &mut MfaWorld, actor: &str, user: &str, scope: Scope, methods: MethodSet) {
    change(w, actor, user, scope, methods);
    w.require_accepted("changing protection in setup");
}

#[given(expr = "{user} enables {protection} by {methods} for {user}")]
fn arranges_enabled_for(w: &mut MfaWorld, actor: User, protection: Protection, methods: Methods, user: User) {
    arrange_change(w, &actor.0, &user.0, protection.0, methods.0);
}

#[when(expr = "{user} enables {protection} by {methods} for {user}")]
fn enables_for(w: &mut MfaWorld, actor: User, protection: Protection, methods: Methods, user: User) {
    change(w, &actor.0, &user.0, protection.0, methods.0);
}

#[given(expr = "{user} enables {protection} by {methods} on her/his/their own account")]
fn arranges_enabled_own(w: &mut MfaWorld, user: User, protection: Protection, methods: Methods) {
    arrange_change(w, &user.0, &user.0, protection.0, methods.0);
}

#[when(expr = "{user} enables {protection} by {methods} on her/his/their own account")]
fn enables_own(w: &mut MfaWorld, user: User, protection: Protection, methods: Methods) {
    change(w, &user.0, &user.0, protection.0, methods.0);
}

#[given(expr = "{user} disables {protection} for {user}")]
fn arranges_disabled_for(w: &mut MfaWorld, actor: User, protection: Protection, user: User) {
    arrange_change(w, &actor.0, &user.0, protection.0, MethodSet::NONE);
}

#[when(expr = "{user} disables {protection} for {user}")]
fn disables_for(w: &mut MfaWorld, actor: User, protection: Protection, user: User) {
    change(w, &actor.0, &user.0, protection.0, MethodSet::NONE);
}

#[when(expr = "{user} disables {protection} on her/his/their own account")]
fn disables_own(w: &mut MfaWorld, user: User, protection: Protection) {
    change(w, &user.0, &user.0, protection.0, MethodSet::NONE);
}
