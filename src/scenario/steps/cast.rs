//! The cast: accounts, roles, phones, the beta list, stolen passwords.

use cucumber::given;

use crate::protocol::{NewUser, Role};
use crate::scenario::params::User;
use crate::scenario::world::MfaWorld;

fn create(w: &mut MfaWorld, user: &User, role: Role) {
    let password = w.add_person(&user.0).password.clone();
    let new = NewUser { name: user.0.clone(), password, role };
    w.configure("creating an account", |t, now| t.create_user(&new, now));
    w.log(format!("{} has an account", user.0));
}

/// An ordinary account: a root account on the consoles, so a server without their account
/// tree (no IAM users under roots) runs the scenarios that need no more than a user.
#[given(expr = "{user} has an account")]
fn account(w: &mut MfaWorld, user: User) {
    create(w, &user, Role::Root);
}

#[given(expr = "{user} has a root account")]
fn root_account(w: &mut MfaWorld, user: User) {
    create(w, &user, Role::Root);
}

#[given(expr = "{user} is an IAM user under {user}")]
fn iam_user(w: &mut MfaWorld, user: User, root: User) {
    create(w, &user, Role::Iam { root: root.0 });
}

#[given(expr = "{user} is an admin IAM user under {user}")]
fn admin_user(w: &mut MfaWorld, user: User, root: User) {
    create(w, &user, Role::IamAdmin { root: root.0 });
}

#[given(expr = "{user} has a secure phone number bound")]
fn phone(w: &mut MfaWorld, user: User) {
    let number = w.phone_number(&user.0);
    w.configure("binding a phone number", |t, now| t.set_phone(&user.0, &number, now));
}

#[given(expr = "{user} has stolen {user}'s password")]
fn stolen_password(w: &mut MfaWorld, thief: User, victim: User) {
    w.person(&victim.0);
    w.add_person(&thief.0).stolen.insert(victim.0);
}

#[given(expr = "{user} is on the hardware MFA beta list")]
fn beta(w: &mut MfaWorld, user: User) {
    w.configure("putting an account on the beta list", |t, now| t.set_beta(&user.0, true, now));
}

/// Makes the default explicit: scenarios that rely on an account being off the list say so,
/// and need a target that has a beta list at all.
#[given(expr = "{user} is not on the hardware MFA beta list")]
fn not_beta(w: &mut MfaWorld, user: User) {
    w.configure("taking an account off the beta list", |t, now| t.set_beta(&user.0, false, now));
}
