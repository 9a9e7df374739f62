//! Devices: authenticator apps on phone clocks, hardware tokens on their own, and the codes they show.

use std::time::Duration;

use super::MfaWorld;
use crate::clock::{DeviceClock, Drift, SimTime};
use crate::otp::{Algorithm, Code, Digits, OtpAuthUri, Period, Secret};
use crate::provision::TokenSeed;
use crate::scenario::fault::no_answer;
use crate::scenario::params::DeviceWord;
use crate::sim::{AuthenticatorApp, HardToken, Screen};

impl MfaWorld {
    /// Gives `name` an authenticator app holding `secret`, on the person's phone clock.
    pub fn enrol_app(&mut self, name: &str, uri: &OtpAuthUri) {
        let app =
            AuthenticatorApp::from_uri(uri).unwrap_or_else(|e| no_answer(format!("enrolling the app: {e}")));
        self.person_mut(name).app = Some(app);
    }

    /// The otpauth URI an app holding `secret` would have scanned.
    pub fn uri_for(name: &str, secret: Secret) -> OtpAuthUri {
        OtpAuthUri::console_totp("mfa-harness", name, secret)
    }

    /// Adds a physical token with `seed`, clock on time.
    pub fn add_token(&mut self, seed: TokenSeed) {
        let clock = DeviceClock::free_running(self.now, 0, Drift::ZERO);
        self.tokens.insert(seed.serial.clone(), HardToken::from_parts(seed, clock, None));
    }

    /// Makes a physical token `serial` (SHA1, 6 digits, 30 s, fresh key) unless one exists:
    /// a serial never imported is a real token the service does not know.
    pub fn ensure_token(&mut self, serial: &str) {
        if !self.tokens.contains_key(serial) {
            let secret = self.fresh_secret(&format!("token {serial}"));
            self.add_token(TokenSeed {
                serial: serial.to_owned(),
                secret,
                algorithm: Algorithm::Sha1,
                digits: Digits::SIX,
                period: Period::THIRTY_SECONDS,
                t0: 0,
            });
        }
    }

    /// A token by serial.
    pub fn token(&self, serial: &str) -> &HardToken {
        self.tokens
            .get(serial)
            .unwrap_or_else(|| no_answer(format!("no hardware MFA device {serial:?} was made")))
    }

    /// Makes a token's clock run at `ppm` from now on, keeping the offset it has.
    pub fn set_token_rate(&mut self, serial: &str, ppm: i64) {
        let now = self.now;
        let token = self.tokens.get_mut(serial).unwrap_or_else(|| no_answer(format!("no token {serial:?}")));
        let offset = token.clock().reading(now).ahead_of(now);
        *token.clock_mut() = DeviceClock::free_running(now, offset, Drift::from_ppm(ppm));
    }

    /// Sets a person's phone clock `offset_ms` from true time, from now on.
    pub fn set_phone_offset(&mut self, name: &str, offset_ms: i64) {
        let now = self.now;
        self.person_mut(name).phone_clock = DeviceClock::free_running(now, offset_ms, Drift::ZERO);
    }

    /// What a person's device shows now.
    pub fn device_code(&self, name: &str, device: DeviceWord) -> Code {
        let person = self.person(name);
        if person.lost.contains(&device) {
            no_answer(format!("{name} has lost that device and cannot read it"));
        }
        let screen = match device {
            DeviceWord::Virtual => {
                let app = person
                    .app
                    .as_ref()
                    .unwrap_or_else(|| no_answer(format!("{name} has no authenticator app")));
                app.screen(person.phone_clock.reading(self.now))
            }
            DeviceWord::Hardware => {
                let serial = person
                    .hardware
                    .as_deref()
                    .unwrap_or_else(|| no_answer(format!("{name} holds no hardware token")));
                self.token(serial).screen(self.now)
            }
        };
        screen_code(screen, name)
    }

    /// What a token shows now.
    pub fn token_code(&self, serial: &str) -> Code {
        screen_code(self.token(serial).screen(self.now), serial)
    }

    /// The code `offset` steps from the one a person's device shows now (what the device
    /// showed before, or will show next), by the device's own clock.
    pub fn device_code_at(&self, name: &str, device: DeviceWord, offset: i64) -> Code {
        let person = self.person(name);
        let (totp, reading) = match device {
            DeviceWord::Virtual => {
                let app = person
                    .app
                    .as_ref()
                    .unwrap_or_else(|| no_answer(format!("{name} has no authenticator app")));
                (app.totp(), person.phone_clock.reading(self.now))
            }
            DeviceWord::Hardware => {
                let serial = person
                    .hardware
                    .as_deref()
                    .unwrap_or_else(|| no_answer(format!("{name} holds no hardware token")));
                let token = self.token(serial);
                (token.totp(), token.clock().reading(self.now))
            }
        };
        step_code(totp, reading, offset, name)
    }

    /// The code `offset` steps from the one token `serial` shows now.
    pub fn token_code_at(&self, serial: &str, offset: i64) -> Code {
        let token = self.token(serial);
        step_code(token.totp(), token.clock().reading(self.now), offset, serial)
    }

    /// How long until `name`'s device shows its next code.
    pub fn until_next_code(&self, name: &str, device: DeviceWord) -> Duration {
        let person = self.person(name);
        match device {
            DeviceWord::Virtual => {
                let app = person
                    .app
                    .as_ref()
                    .unwrap_or_else(|| no_answer(format!("{name} has no authenticator app")));
                until_step_end(person.phone_clock.reading(self.now), app.totp())
            }
            DeviceWord::Hardware => {
                let serial =
                    person.hardware.as_deref().unwrap_or_else(|| no_answer(format!("{name} holds no token")));
                self.token_until_next(serial)
            }
        }
    }

    /// How long until token `serial` shows its next code.
    pub fn token_until_next(&self, serial: &str) -> Duration {
        let token = self.token(serial);
        until_step_end(token.clock().reading(self.now), token.totp())
    }
}

/// Time until a device whose clock reads `reading` shows its next code (its own period and T0).
fn until_step_end(reading: crate::clock::DeviceTime, totp: &crate::otp::Totp) -> Duration {
    let period_ms = (totp.period().seconds() * 1000) as i64;
    let t0_ms = (totp.t0() * 1000) as i64;
    let into = (reading.ahead_of(SimTime::from_unix_millis(0)) - t0_ms).rem_euclid(period_ms);
    Duration::from_millis((period_ms - into) as u64)
}

fn step_code(totp: &crate::otp::Totp, reading: crate::clock::DeviceTime, offset: i64, device: &str) -> Code {
    let step = reading
        .unix_secs()
        .and_then(|secs| totp.step_at(secs).ok())
        .and_then(|s| s.offset(offset))
        .unwrap_or_else(|| no_answer(format!("{device}'s clock is before its T0")));
    totp.code_for(step)
}

fn screen_code(screen: Screen, device: &str) -> Code {
    match screen {
        Screen::Code { code, .. } => code,
        Screen::Blank(reason) => no_answer(format!("{device} shows nothing: {reason:?}")),
    }
}
