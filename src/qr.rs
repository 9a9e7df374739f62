//! QR codes, the one place that draws and reads them: the reference and profile targets draw
//! the enrolment URI as a PNG, and a simulated phone scans one back. A leaf module: it knows
//! images, not OTP.

use std::io::Cursor;

/// Why an image did not give back text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QrError {
    /// Not an image format `image` reads.
    #[error("unreadable image: {0}")]
    Image(String),
    /// An image, but no QR code was found in it.
    #[error("no QR code found in image")]
    NotFound,
    /// A QR code was found but its modules do not decode.
    #[error("QR code does not decode: {0}")]
    Undecodable(String),
}

/// Renders `text` as a QR code PNG at least 200 pixels wide. Empty if the text is too long
/// for a QR code (an otpauth URI of a 20-byte secret never is), so a caller always has bytes
/// to hand on and a scan of them fails with [`QrError::Image`] rather than a panic here.
pub fn encode_png(text: &str) -> Vec<u8> {
    let Ok(code) = qrcode::QrCode::new(text.as_bytes()) else { return Vec::new() };
    let image = code.render::<image::Luma<u8>>().min_dimensions(200, 200).build();
    let mut out = Cursor::new(Vec::new());
    match image.write_to(&mut out, image::ImageFormat::Png) {
        Ok(()) => out.into_inner(),
        Err(_) => Vec::new(),
    }
}

/// Reads the text of the first QR code in an image (PNG or any format `image` reads), as a
/// phone's camera does.
///
/// # Errors
/// [`QrError`] when the bytes are no image, hold no QR code, or one that does not decode.
pub fn decode(bytes: &[u8]) -> Result<String, QrError> {
    let image = image::load_from_memory(bytes).map_err(|e| QrError::Image(e.to_string()))?;
    let mut prepared = rqrr::PreparedImage::prepare(image.to_luma8());
    let grids = prepared.detect_grids();
    let grid = grids.first().ok_or(QrError::NotFound)?;
    let (_, text) = grid.decode().map_err(|e| QrError::Undecodable(e.to_string()))?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_text_decodes_back() {
        let text = "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example";
        assert_eq!(decode(&encode_png(text)).unwrap(), text);
    }

    #[test]
    fn text_too_long_for_a_qr_code_gives_no_image() {
        let png = encode_png(&"x".repeat(8000));
        assert!(png.is_empty());
        assert!(matches!(decode(&png), Err(QrError::Image(_))));
    }
}
