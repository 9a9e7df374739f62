//! Devices: the inventory, bindings made in setup, binding and unbinding flows, QR codes,
//! resynchronisation and the support path.

use cucumber::{given, then, when};

use crate::otp::{Digits, Secret, UriKind};
use crate::protocol::{DeviceKind, Method, SetupDevice};
use crate::provision::TokenSeed;
use crate::scenario::fault::{mismatch, no_answer};
use crate::scenario::params::{AlgorithmWord, Attempt, CodePair, CodeWords, DeviceWord, Encoding, User};
use crate::scenario::world::{MfaWorld, Prompt, QrReading};
use crate::sim::DeviceId;

fn import(w: &mut MfaWorld, seed: TokenSeed) {
    let seeds = [seed.clone()];
    w.configure("importing a token seed", |t, now| t.import_seeds(&seeds, now));
    w.add_token(seed);
}

/// A second import under a known serial, with a seed no token holds. Whether the target
/// refuses it or takes it, the token in hand keeps the key burnt into it at the factory: the
/// steps after this one show whether the server still checks that key.
#[when(expr = "the hardware MFA device {string} is imported again with a new seed")]
fn imported_again(w: &mut MfaWorld, serial: String) {
    let seed = TokenSeed {
        secret: w.fresh_secret(&format!("second seed of {serial}")),
        ..w.console_token_seed(&serial)
    };
    let seeds = [seed];
    match w.configure_unless_refused("importing a token seed again", |t, now| t.import_seeds(&seeds, now)) {
        Ok(()) => w.log(format!("the target took a second seed for {serial:?}")),
        Err(why) => w.log(format!("the target refused a second seed for {serial:?}: {why}")),
    }
}

#[given(expr = "the hardware MFA device {string} is in the inventory")]
fn in_inventory(w: &mut MfaWorld, serial: String) {
    let seed = w.console_token_seed(&serial);
    import(w, seed);
}

#[given(
    expr = "the hardware MFA device {string} is in the inventory with the {encoding} seed {string}, {algorithm} and {int} digits"
)]
fn in_inventory_with_seed(
    w: &mut MfaWorld,
    serial: String,
    encoding: Encoding,
    text: String,
    algorithm: AlgorithmWord,
    digits: u8,
) {
    let secret = match encoding {
        Encoding::Hex => Secret::from_hex(&text),
        Encoding::Base32 => Secret::from_base32(&text),
    }
    .unwrap_or_else(|e| no_answer(format!("the seed in the step is not valid: {e}")));
    let digits = Digits::new(digits).unwrap_or_else(|e| no_answer(e.to_string()));
    let seed = TokenSeed { secret, algorithm: algorithm.0, digits, ..w.console_token_seed(&serial) };
    import(w, seed);
}

#[given(expr = "{user} has bound a virtual MFA device")]
fn has_virtual(w: &mut MfaWorld, user: User) {
    let secret = w.fresh_secret(&format!("app of {}", user.0));
    let device = SetupDevice::Virtual { secret: secret.clone() };
    w.configure("binding a virtual MFA device in setup", |t, now| t.provision_device(&user.0, &device, now));
    w.enrol_app(&user.0, &MfaWorld::uri_for(&user.0, secret));
}

#[given(expr = "{user} has bound the hardware MFA device {string}")]
fn has_hardware(w: &mut MfaWorld, user: User, serial: String) {
    w.token(&serial);
    let device = SetupDevice::Hardware { serial: serial.clone() };
    w.configure("binding a hardware MFA device in setup", |t, now| t.provision_device(&user.0, &device, now));
    w.hand_token(&user.0, &serial);
}

#[given(expr = "{user} has lost her/his/their {device}")]
fn lost(w: &mut MfaWorld, user: User, device: DeviceWord) {
    w.person_mut(&user.0).lost.insert(device.0);
}

#[when(expr = "{user} starts binding a {device}")]
fn start_binding(w: &mut MfaWorld, user: User, device: DeviceWord) {
    let session = w.ensure_session(&user.0);
    let verdict = w.call("starting a binding", |t, now| t.start_binding(session, device.0, now));
    w.remember(&user.0, vec![Attempt::Binding], verdict);
}

/// Answers the open identity check with the right answer: the password where offered, else
/// a bound device's code, else an SMS code.
fn confirm_identity_of(w: &mut MfaWorld, actor: &str) {
    let (challenge, methods, purpose) = w.open_challenge(actor);
    let (method, answer) = if methods.contains(Method::Password) {
        let account = w.person(actor).acting_as.clone().unwrap_or_else(|| actor.to_owned());
        (Method::Password, w.password_for(actor, &account))
    } else if let Some(kind) =
        DeviceKind::ALL.into_iter().find(|k| methods.contains(k.method()) && w.holds(actor, *k))
    {
        (kind.method(), w.code_shown(w.device(actor, kind)).to_string())
    } else if methods.contains(Method::Sms) {
        let verdict = w.call("asking for an SMS code", |t, now| t.request_sms(challenge, now));
        w.remember(actor, vec![Attempt::Request], verdict);
        w.resolve_code(actor, &CodeWords::LatestSms, None)
    } else {
        no_answer(format!("{actor} cannot answer an identity check offering {methods}"))
    };
    let verdict = w.call("confirming identity", |t, now| t.answer(challenge, method, &answer, now));
    w.remember(actor, vec![Attempt::Code, purpose], verdict);
}

#[when(expr = "{user} confirms her/his/their identity")]
fn confirm_identity(w: &mut MfaWorld, user: User) {
    confirm_identity_of(w, &user.0);
}

#[when(expr = "{user} scans the QR code")]
fn scan(w: &mut MfaWorld, user: User) {
    if let Err(e) = w.scan_qr(&user.0) {
        mismatch("a scannable otpauth QR code", e, w.context());
    }
}

/// The actor's open binding of `kind`, with the flow it completes.
fn open_binding(
    w: &MfaWorld,
    actor: &str,
    kind: DeviceKind,
) -> Option<(crate::protocol::BindingId, Attempt)> {
    match &w.person(actor).prompt {
        Some(Prompt::Binding { binding, kind: k, purpose, .. }) if *k == kind => Some((*binding, *purpose)),
        _ => None,
    }
}

/// Two codes of `pair` from `device`. Consecutive codes take the time the device needs to
/// show its next code; non-consecutive ones are the codes before and after the current one,
/// both inside a ±1 window, so only a server's consecutiveness check can refuse them.
fn code_pair(w: &mut MfaWorld, pair: CodePair, device: DeviceId) -> (String, String) {
    let (first, second) = match pair {
        CodePair::SameTwice => (w.code_shown(device), w.code_shown(device)),
        CodePair::Consecutive => {
            let first = w.code_shown(device);
            w.wait_for_next_code(device);
            (first, w.code_shown(device))
        }
        CodePair::NonConsecutive => (w.code_at(device, -1), w.code_at(device, 1)),
        CodePair::OtherKey => {
            let codes = w.codes_of_another_key();
            w.wait_for_next_code(device);
            codes
        }
    };
    (first.to_string(), second.to_string())
}

#[when(expr = "{user} confirms the binding with {codepair}")]
fn confirm_binding(w: &mut MfaWorld, user: User, pair: CodePair) {
    let actor = user.0.clone();
    let (binding, purpose) = open_binding(w, &actor, DeviceKind::Virtual)
        .unwrap_or_else(|| no_answer(format!("{actor} has no virtual MFA binding open")));
    let device = w.device(&actor, DeviceKind::Virtual);
    let (first, second) = code_pair(w, pair, device);
    w.person_mut(&actor).last_code = Some((Method::VirtualMfa, second.clone()));
    let verdict = w.call("finishing a virtual binding", |t, now| {
        t.finish_virtual_binding(binding, &first, &second, now)
    });
    w.remember(&actor, vec![Attempt::Binding, purpose], verdict);
}

#[when(expr = "{user} binds the hardware MFA device {string} with {code}")]
pub(super) fn bind_hardware(w: &mut MfaWorld, user: User, serial: String, code: CodeWords) {
    let actor = user.0.clone();
    w.ensure_token(&serial);
    if open_binding(w, &actor, DeviceKind::Hardware).is_none() {
        start_binding(w, user.clone(), DeviceWord(DeviceKind::Hardware));
        if matches!(w.person(&actor).prompt, Some(Prompt::Challenge { .. })) {
            confirm_identity_of(w, &actor);
        }
    }
    let Some((binding, purpose)) = open_binding(w, &actor, DeviceKind::Hardware) else {
        // The target refused to open the binding (beta list, already bound): that refusal is
        // the binding's verdict.
        let verdict = w.last().verdict.clone();
        w.remember(&actor, vec![Attempt::Binding], verdict);
        return;
    };
    let (_, digits) = w.resolve_code(&actor, &code, Some(&serial));
    w.person_mut(&actor).last_code = Some((Method::HardwareMfa, digits.clone()));
    let verdict = w.call("finishing a hardware binding", |t, now| {
        t.finish_hardware_binding(binding, &serial, &digits, now)
    });
    if verdict.is_accepted() {
        w.hand_token(&actor, &serial);
    }
    w.remember(&actor, vec![Attempt::Code, Attempt::Binding, purpose], verdict);
}

#[when(expr = "{user} starts unbinding her/his/their {device}")]
fn start_unbinding(w: &mut MfaWorld, user: User, device: DeviceWord) {
    let session = w.ensure_session(&user.0);
    let verdict = w.call("starting an unbinding", |t, now| t.start_unbinding(session, device.0, now));
    w.remember(&user.0, vec![Attempt::Unbinding], verdict);
}

#[when(expr = "{user} confirms the unbinding")]
fn confirm_unbinding(w: &mut MfaWorld, user: User) {
    let challenge = match &w.person(&user.0).prompt {
        Some(Prompt::Confirm { challenge, .. }) => *challenge,
        other => no_answer(format!("{} has no confirmation box open (prompt: {other:?})", user.0)),
    };
    let verdict = w.call("confirming the unbinding", |t, now| t.confirm(challenge, now));
    w.remember(&user.0, vec![Attempt::Unbinding], verdict);
}

#[when(expr = "support unbinds {user}'s {device}")]
fn support_unbinds(w: &mut MfaWorld, user: User, device: DeviceWord) {
    let verdict = w.call("the support reset", |t, now| t.support_reset(&user.0, device.0, now));
    w.remember(&user.0, vec![Attempt::Reset], verdict);
}

#[when(expr = "{user} resyncs the hardware MFA device {string} with {codepair}")]
fn resync(w: &mut MfaWorld, user: User, serial: String, pair: CodePair) {
    w.ensure_token(&serial);
    let token = w.token(&serial);
    let (first, second) = code_pair(w, pair, token);
    let password = w.password_for(&user.0, &user.0);
    let verdict = w
        .call("resyncing", |t, now| t.resync(&user.0, &password, DeviceKind::Hardware, &first, &second, now));
    w.remember(&user.0, vec![Attempt::Resync], verdict);
}

#[then(expr = "{user} is shown a QR code for binding a virtual MFA device")]
fn shown_qr(w: &mut MfaWorld, user: User) {
    match w.read_qr(&user.0) {
        Ok(()) => {}
        Err(QrReading::NoQrCode) => {
            mismatch("a QR code for binding a virtual MFA device", w.last().verdict.to_string(), w.context())
        }
        Err(QrReading::Unreadable(e)) => mismatch("a QR code that decodes", e, w.context()),
        Err(QrReading::NotTotp) => mismatch(
            "an otpauth://totp/ URI in the QR code",
            "another text (not shown: it may hold a key)",
            w.context(),
        ),
    }
}

#[then(expr = "the QR code holds a {int}-digit TOTP key that changes every {int} seconds")]
fn qr_holds(w: &mut MfaWorld, digits: u8, period: u64) {
    let actor = w.last().actor.clone();
    let uri = w.person(&actor).scanned.clone().unwrap_or_else(|| no_answer("no QR code was checked yet"));
    let UriKind::Totp { period: got } = uri.kind else {
        mismatch("a TOTP key", "an HOTP key", w.context());
    };
    if uri.digits.get() != digits || got.seconds() != period {
        mismatch(
            format!("{digits} digits every {period} s"),
            format!("{} digits every {} s", uri.digits.get(), got.seconds()),
            w.context(),
        );
    }
}

#[then(expr = "{user} has a {device} bound")]
fn has_bound(w: &mut MfaWorld, user: User, device: DeviceWord) {
    check_bound(w, &user.0, device, true);
}

#[then(expr = "{user} has no {device} bound")]
fn has_none_bound(w: &mut MfaWorld, user: User, device: DeviceWord) {
    check_bound(w, &user.0, device, false);
}

fn check_bound(w: &mut MfaWorld, user: &str, device: DeviceWord, expected: bool) {
    let view = w.configure("reading the account", |t, now| t.account(user, now));
    let bound = match device.0 {
        DeviceKind::Virtual => view.virtual_bound,
        DeviceKind::Hardware => view.hardware_serial.is_some(),
    };
    if bound != expected {
        let words = |b: bool| if b { "bound" } else { "not bound" };
        mismatch(words(expected), words(bound), w.context());
    }
}
