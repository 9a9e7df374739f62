//! Authenticator apps (virtual MFA devices): TOTP on a phone's clock, enrolled from an
//! `otpauth://` URI or a QR image of one.

use crate::clock::{DeviceClock, DeviceTime};
use crate::otp::{OtpAuthUri, Totp, UriKind};
use crate::sim::SimError;

use super::{Screen, TotpDisplay, totp_screen};

/// An authenticator app account: what the app shows is the TOTP at its phone's clock.
#[derive(Clone, Debug)]
pub struct AuthenticatorApp {
    issuer: Option<String>,
    account: String,
    totp: Totp,
}

impl AuthenticatorApp {
    /// Enrols from a parsed `otpauth://totp/...` URI.
    ///
    /// # Errors
    /// [`SimError::Config`] for an `hotp` URI: apps in the simulator are time-based, as the
    /// consoles in the seeds require.
    pub fn from_uri(uri: &OtpAuthUri) -> Result<Self, SimError> {
        let UriKind::Totp { period } = uri.kind else {
            return Err(SimError::Config(format!(
                "account {:?}: only totp URIs can be enrolled",
                uri.account
            )));
        };
        Ok(AuthenticatorApp {
            issuer: uri.issuer.clone(),
            account: uri.account.clone(),
            totp: Totp::new(&uri.secret, uri.algorithm, uri.digits, period, 0),
        })
    }

    /// Enrols by scanning a QR image (PNG or any format `image` reads), as a user does when
    /// the target only returns an image.
    ///
    /// # Errors
    /// [`SimError::Qr`] when the image holds no readable QR code; [`SimError::Uri`] when the
    /// QR text is not an `otpauth://` URI (the message names no secret).
    pub fn from_qr_image(bytes: &[u8]) -> Result<Self, SimError> {
        let text = crate::qr::decode(bytes)?;
        AuthenticatorApp::from_uri(&OtpAuthUri::parse(&text)?)
    }

    /// What the app shows when its phone's clock reads `device_time`.
    pub fn screen(&self, device_time: DeviceTime) -> Screen {
        totp_screen(&self.totp, device_time)
    }

    /// The app as its user reads it on a phone whose clock is `phone_clock`.
    pub fn display_on<'a>(&'a self, phone_clock: &'a DeviceClock) -> TotpDisplay<'a> {
        TotpDisplay::new(&self.totp, phone_clock, None)
    }

    /// The issuer label.
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }

    /// The account label.
    pub fn account(&self) -> &str {
        &self.account
    }

    /// The app's TOTP.
    pub fn totp(&self) -> &Totp {
        &self.totp
    }
}

#[cfg(test)]
mod tests {
    use image::{ImageFormat, Luma};

    use super::*;
    use crate::clock::{DEFAULT_EPOCH, DeviceTime};
    use crate::otp::{Algorithm, Digits, Period, Secret};

    fn uri() -> OtpAuthUri {
        OtpAuthUri {
            kind: UriKind::Totp { period: Period::THIRTY_SECONDS },
            issuer: Some("Example".to_owned()),
            account: "alice@example.com".to_owned(),
            secret: Secret::from_bytes(b"12345678901234567890".to_vec()).unwrap(),
            algorithm: Algorithm::Sha1,
            digits: Digits::SIX,
        }
    }

    #[test]
    fn app_enrolled_from_qr_shows_the_same_codes_as_from_the_uri() {
        let qr = qrcode::QrCode::new(uri().to_uri_string().as_bytes()).unwrap();
        let img = qr.render::<Luma<u8>>().min_dimensions(200, 200).build();
        let mut png = Vec::new();
        img.write_to(&mut std::io::Cursor::new(&mut png), ImageFormat::Png).unwrap();
        let scanned = AuthenticatorApp::from_qr_image(&png).unwrap();
        let typed = AuthenticatorApp::from_uri(&uri()).unwrap();
        assert_eq!(scanned.account(), "alice@example.com");
        assert_eq!(scanned.issuer(), Some("Example"));
        let at = DeviceTime::exact(DEFAULT_EPOCH);
        assert_eq!(scanned.screen(at), typed.screen(at));
        // RFC 6238 Appendix B at T = 59 s, six digits of 94287082.
        let Screen::Code { code, seconds_left, .. } = typed.screen(DeviceTime::from_unix_millis(59_000))
        else {
            panic!()
        };
        assert_eq!((code.to_string().as_str(), seconds_left), ("287082", 1));
    }

    #[test]
    fn image_without_qr_is_a_clear_error() {
        let blank = image::GrayImage::from_pixel(64, 64, Luma([255]));
        let mut png = Vec::new();
        blank.write_to(&mut std::io::Cursor::new(&mut png), ImageFormat::Png).unwrap();
        let err = AuthenticatorApp::from_qr_image(&png).unwrap_err();
        assert_eq!(err.to_string(), "qr image: no QR code found in image");
        assert!(AuthenticatorApp::from_qr_image(b"not an image").is_err());
    }

    #[test]
    fn hotp_uri_is_refused() {
        let mut u = uri();
        u.kind = UriKind::Hotp { counter: 0 };
        assert!(AuthenticatorApp::from_uri(&u).is_err());
    }
}
