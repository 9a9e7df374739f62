//! Devices: who holds which, authenticator apps on phone clocks, hardware tokens on their own,
//! and the codes they show. The devices live in the simulator; a person's are named by kind.

use std::time::Duration;

use super::{MfaWorld, Prompt};
use crate::clock::{DeviceClock, DeviceTime, Drift};
use crate::otp::{Algorithm, Code, Digits, OtpAuthUri, Period, Secret};
use crate::protocol::DeviceKind;
use crate::provision::TokenSeed;
use crate::scenario::fault::no_answer;
use crate::sim::{AuthenticatorApp, Display, Entity, HardToken, Screen, TotpDisplay};
use crate::sim::{DeviceId, TokenId};

/// Why a person could not read the QR code of an open binding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QrReading {
    /// No virtual binding with a QR code is open.
    NoQrCode,
    /// The image holds no readable QR code.
    Unreadable(String),
    /// The QR code holds something other than an `otpauth://totp/` URI (not shown: it may
    /// hold a key).
    NotTotp,
}

impl MfaWorld {
    /// Gives `name` an authenticator app enrolled from `uri`, on their phone's clock.
    pub fn enrol_app(&mut self, name: &str, uri: &OtpAuthUri) {
        let (phone, app_name) = self.next_app(name);
        let app = self.sim.enrol_app(&app_name, phone, uri);
        self.hold_app(name, app.unwrap_or_else(|e| no_answer(format!("enrolling the app: {e}"))));
    }

    /// `name` scans the QR code of their open virtual binding into their authenticator app.
    ///
    /// # Errors
    /// The scanner's message when the image holds no `otpauth://` QR code.
    pub fn scan_qr(&mut self, name: &str) -> Result<(), String> {
        let png = match &self.person(name).prompt {
            Some(Prompt::Binding { enrolment: Some(e), .. }) => e.qr_png.clone(),
            other => no_answer(format!("{name} has no QR code to scan (prompt: {other:?})")),
        };
        let (phone, app_name) = self.next_app(name);
        let app = self.sim.enrol_app_from_qr(&app_name, phone, &png).map_err(|e| e.to_string())?;
        self.hold_app(name, app);
        self.log(format!("{name} scans the QR code"));
        Ok(())
    }

    /// `name` reads the QR code of their open virtual binding (without enrolling it) and
    /// remembers the URI for later checks.
    ///
    /// # Errors
    /// [`QrReading`] says why there was nothing to read.
    pub fn read_qr(&mut self, name: &str) -> Result<(), QrReading> {
        let png = match &self.person(name).prompt {
            Some(Prompt::Binding { kind: DeviceKind::Virtual, enrolment: Some(e), .. }) => e.qr_png.clone(),
            _ => return Err(QrReading::NoQrCode),
        };
        let text = crate::qr::decode(&png).map_err(|e| QrReading::Unreadable(e.to_string()))?;
        let uri = OtpAuthUri::parse(&text).ok().filter(|_| text.starts_with("otpauth://totp/"));
        let uri = uri.ok_or(QrReading::NotTotp)?;
        self.person_mut(name).scanned = Some(uri);
        Ok(())
    }

    /// The otpauth URI an app holding `secret` would have scanned.
    pub fn uri_for(name: &str, secret: Secret) -> OtpAuthUri {
        OtpAuthUri::console_totp("mfa-harness", name, secret)
    }

    /// The seed of a token as the consoles' vendors make them: a fresh key, SHA-1, 6 digits,
    /// 30-second steps from T0 = 0.
    pub fn console_token_seed(&self, serial: &str) -> TokenSeed {
        TokenSeed {
            serial: serial.to_owned(),
            secret: self.fresh_secret(&format!("token {serial}")),
            algorithm: Algorithm::Sha1,
            digits: Digits::SIX,
            period: Period::THIRTY_SECONDS,
            t0: 0,
        }
    }

    /// Makes the physical token of `seed`, clock on time. Making it again with the same seed
    /// changes nothing; a token cannot change its key.
    pub fn add_token(&mut self, seed: TokenSeed) {
        if let Some(Entity::Token(id)) = self.sim.find(&seed.serial) {
            let made = self.sim.token(id).map(|t| t.seed() == &seed);
            if made.is_ok_and(|same| !same) {
                no_answer(format!(
                    "the hardware MFA device {:?} was made twice with different keys",
                    seed.serial
                ));
            }
            return;
        }
        let clock = DeviceClock::free_running(self.sim.now(), 0, Drift::ZERO);
        let serial = seed.serial.clone();
        if let Err(e) = self.sim.insert_token(HardToken::from_parts(seed, clock, None)) {
            no_answer(format!("making the hardware MFA device {serial:?}: {e}"));
        }
    }

    /// Makes a physical token `serial` ([`MfaWorld::console_token_seed`]) unless one exists:
    /// a serial never imported is a real token the service does not know.
    pub fn ensure_token(&mut self, serial: &str) {
        if self.sim.find(serial).is_none() {
            let seed = self.console_token_seed(serial);
            self.add_token(seed);
        }
    }

    /// The token with serial `serial`.
    pub fn token(&self, serial: &str) -> DeviceId {
        DeviceId::Token(self.token_id(serial))
    }

    /// The physical token `serial` itself: its seed, clock and TOTP, for steps that compute
    /// codes it could have shown (the near misses of its code).
    pub fn hardware_token(&self, serial: &str) -> &HardToken {
        self.sim.token(self.token_id(serial)).unwrap_or_else(|e| no_answer(e.to_string()))
    }

    /// How long token `serial` must go on drifting until its clock is `offset_ms` off true
    /// time: whole days, so the server stays at the same place in its step, and the fewest
    /// that get there. A token drifting the other way, or not at all, never gets there.
    pub fn until_token_offset(&self, serial: &str, offset_ms: i64) -> Duration {
        const DAY_MS: f64 = 86_400_000.0;
        let clock = self.hardware_token(serial).clock();
        let now = self.sim.now();
        let need = offset_ms - clock.reading(now).ahead_of(now);
        // ppm parts per million of a day's milliseconds are gained (or lost) each day.
        let per_day = clock.drift().ppm() * DAY_MS / 1e6;
        if need != 0 && (per_day == 0.0 || (need as f64).signum() != per_day.signum()) {
            no_answer(format!("{serial:?} drifts at {} and never gets {offset_ms} ms off", clock.drift()));
        }
        let days = (need as f64 / per_day).max(0.0).ceil() as u64;
        Duration::from_millis(days * DAY_MS as u64)
    }

    /// `name` now holds the token `serial` as their hardware MFA device.
    pub fn hand_token(&mut self, name: &str, serial: &str) {
        let token = self.token(serial);
        self.hold(name, DeviceKind::Hardware, token);
    }

    /// `name` no longer holds a device of `kind` (a binding that did not take).
    pub fn take_device(&mut self, name: &str, kind: DeviceKind) {
        self.person_mut(name).devices.remove(&kind);
    }

    /// Whether `name` holds a device of `kind` (lost or not).
    pub fn holds(&self, name: &str, kind: DeviceKind) -> bool {
        self.person(name).devices.contains_key(&kind)
    }

    /// `name`'s device of `kind`, which they must hold and still be able to read.
    pub fn device(&self, name: &str, kind: DeviceKind) -> DeviceId {
        let person = self.person(name);
        if person.lost.contains(&kind) {
            no_answer(format!("{name} has lost that device and cannot read it"));
        }
        match person.devices.get(&kind) {
            Some(&device) => device,
            None => no_answer(format!("{name} holds no {} MFA device", kind.words())),
        }
    }

    /// Makes a token's clock run at `ppm` from now on, keeping the offset it has.
    pub fn set_token_rate(&mut self, serial: &str, ppm: i64) {
        let id = self.token_id(serial);
        if let Err(e) = self.sim.set_token_drift(id, Drift::from_ppm(ppm)) {
            no_answer(format!("setting the rate of {serial:?}: {e}"));
        }
    }

    /// Sets a person's phone clock `offset_ms` from true time, from now on.
    pub fn set_phone_offset(&mut self, name: &str, offset_ms: i64) {
        let phone = self.person(name).phone;
        let reading = DeviceTime::exact(self.sim.now()).plus_millis(offset_ms);
        if let Err(e) = self.sim.set_phone_clock(phone, reading) {
            no_answer(format!("setting {name}'s phone clock: {e}"));
        }
    }

    /// The code `device` shows now.
    pub fn code_shown(&mut self, device: DeviceId) -> Code {
        self.code_at(device, 0)
    }

    /// The code `steps` steps from the one `device` shows now, by its own clock (what it
    /// showed before, or will show next).
    pub fn code_at(&mut self, device: DeviceId, steps: i64) -> Code {
        self.clear_of_step_edges(device);
        let display = self.totp_display(device);
        display.code_at(self.sim.now(), steps).unwrap_or_else(|reason| {
            no_answer(format!("{} shows nothing: {reason:?}", self.device_name(device)))
        })
    }

    /// Lets time pass until `device` shows its next code, by its own countdown: on a clock
    /// that runs on its own, past the change by the clock's edge margin, so the code read next
    /// is the new one however the server's clock was misjudged.
    pub fn wait_for_next_code(&mut self, device: DeviceId) {
        self.follow_target_clock();
        let left = match self.totp_display(device).screen(self.sim.now()) {
            Screen::Code { millis_left, .. } => Duration::from_millis(millis_left),
            Screen::Blank(reason) => {
                no_answer(format!("{} shows nothing: {reason:?}", self.device_name(device)))
            }
        };
        let margin = self.edge_margin();
        self.advance(left + margin);
    }

    /// Two consecutive codes, from now, of an authenticator app with a key the target never
    /// issued.
    pub fn codes_of_another_key(&self) -> (Code, Code) {
        let uri = MfaWorld::uri_for("nobody", self.fresh_secret("a key the service never issued"));
        let app = AuthenticatorApp::from_uri(&uri).unwrap_or_else(|e| no_answer(e.to_string()));
        let clock = DeviceClock::free_running(self.sim.now(), 0, Drift::ZERO);
        let display = app.display_on(&clock);
        let code = |steps| {
            display
                .code_at(self.sim.now(), steps)
                .unwrap_or_else(|r| no_answer(format!("another key: {r:?}")))
        };
        (code(0), code(1))
    }

    /// Every code `name`'s devices show within `steps` steps of now (lost devices too: the
    /// target still accepts them).
    pub fn codes_near(&self, name: &str, steps: i64) -> Vec<Code> {
        let now = self.sim.now();
        let displays = self.person(name).devices.values().filter_map(|&d| match self.sim.display(d) {
            Ok(Display::Totp(display)) => Some(display),
            _ => None,
        });
        displays.flat_map(|d| (-steps..=steps).filter_map(move |k| d.code_at(now, k).ok())).collect()
    }

    fn token_id(&self, serial: &str) -> TokenId {
        match self.sim.find(serial) {
            Some(Entity::Token(id)) => id,
            _ => no_answer(format!("no hardware MFA device {serial:?} was made")),
        }
    }

    pub(super) fn totp_display(&self, device: DeviceId) -> TotpDisplay<'_> {
        match self.sim.display(device) {
            Ok(Display::Totp(display)) => display,
            Ok(Display::Inbox(_)) => {
                no_answer(format!("{} shows no time-based codes", self.device_name(device)))
            }
            Err(e) => no_answer(e.to_string()),
        }
    }

    fn device_name(&self, device: DeviceId) -> &str {
        self.sim.name(device).unwrap_or("an unknown device")
    }

    /// The phone a new app of `name` goes on, and a name no other app has.
    fn next_app(&self, name: &str) -> (crate::sim::PhoneId, String) {
        let app_name = (1..)
            .map(|n| format!("{name}'s authenticator app {n}"))
            .find(|candidate| self.sim.find(candidate).is_none())
            .unwrap_or_default();
        (self.person(name).phone, app_name)
    }

    fn hold_app(&mut self, name: &str, app: crate::sim::AppId) {
        self.hold(name, DeviceKind::Virtual, DeviceId::App(app));
    }

    /// `name` holds `device` as their device of `kind`, replacing (and no longer missing) any
    /// earlier one.
    fn hold(&mut self, name: &str, kind: DeviceKind, device: DeviceId) {
        let person = self.person_mut(name);
        person.devices.insert(kind, device);
        person.lost.remove(&kind);
    }
}
