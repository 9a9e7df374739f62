//! Writing PSKC files: plain keys, or keys encrypted with a pre-shared key (RFC 6030
//! section 6.1), in the layout the [module docs](super) show.

use std::io;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use super::encryption::Sealer;
use super::schema::{NAMESPACE, TOTP_ALGORITHM, XMLDSIG_NAMESPACE, XMLENC_NAMESPACE};
use crate::provision::error::SeedFileError;
use crate::provision::field;
use crate::provision::pre_shared_key::{AES128_CBC, HMAC_SHA1, PreSharedKey};
use crate::provision::record::TokenSeed;
use crate::provision::seed_format::SeedFormat;

/// What the writer puts in `DeviceInfo/Manufacturer`.
pub const MANUFACTURER: &str = "mfa-harness";

/// Writes `seeds` as a PSKC 1.0 `KeyContainer` with plain (unencrypted) key values.
///
/// # Errors
/// [`SeedFileError::Write`] for a serial that cannot survive a round trip (empty, surrounded
/// by whitespace, control characters).
pub fn write(seeds: &[TokenSeed]) -> Result<String, SeedFileError> {
    write_with(seeds, None)
}

/// Writes `seeds` as a PSKC 1.0 `KeyContainer` whose keys are encrypted with `key`
/// (AES-128-CBC, RFC 6030 section 6.1) and authenticated with HMAC-SHA1 `ValueMAC`s. The MAC
/// key and the IVs come from ChaCha20 seeded with `seed` on a stream of their own (so they share
/// no bytes with [`sample_batch`](crate::provision::sample_batch) keys of the same seed); the same inputs give the same file.
///
/// # Errors
/// As [`write()`].
pub fn write_encrypted(seeds: &[TokenSeed], key: &PreSharedKey, seed: u64) -> Result<String, SeedFileError> {
    write_with(seeds, Some(Sealer::new(key, seed)))
}

fn write_with(seeds: &[TokenSeed], mut sealer: Option<Sealer<'_>>) -> Result<String, SeedFileError> {
    for (index, seed) in seeds.iter().enumerate() {
        if let Some(reason) = field::unwritable_serial(&seed.serial) {
            return Err(SeedFileError::Write {
                format: SeedFormat::Pskc,
                index,
                serial: seed.serial.clone(),
                reason,
            });
        }
    }
    let mut writer = Writer::new_with_indent(Vec::with_capacity(256 + seeds.len() * 900), b' ', 2);
    write_container(&mut writer, seeds, &mut sealer).map_err(|_| SeedFileError::Write {
        format: SeedFormat::Pskc,
        index: 0,
        serial: String::new(),
        reason: "the XML writer failed",
    })?;
    let mut bytes = writer.into_inner();
    bytes.push(b'\n');
    // Every piece written is a `&str` or ASCII markup, so the bytes are UTF-8.
    String::from_utf8(bytes).map_err(|_| SeedFileError::Write {
        format: SeedFormat::Pskc,
        index: 0,
        serial: String::new(),
        reason: "the XML writer produced invalid UTF-8",
    })
}

type XmlWriter = Writer<Vec<u8>>;

fn write_container(
    writer: &mut XmlWriter,
    seeds: &[TokenSeed],
    sealer: &mut Option<Sealer<'_>>,
) -> io::Result<()> {
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let mut container = writer.create_element("pskc:KeyContainer").with_attribute(("xmlns:pskc", NAMESPACE));
    if sealer.is_some() {
        container = container
            .with_attribute(("xmlns:ds", XMLDSIG_NAMESPACE))
            .with_attribute(("xmlns:xenc", XMLENC_NAMESPACE));
    }
    container.with_attribute(("Version", "1.0")).write_inner_content(|writer| {
        if let Some(sealer) = sealer.as_mut() {
            writer
                .create_element("pskc:EncryptionKey")
                .write_inner_content(|w| text(w, "ds:KeyName", "Pre-shared-key"))?;
            let sealed_mac_key = sealer.seal_mac_key();
            writer
                .create_element("pskc:MACMethod")
                .with_attribute(("Algorithm", HMAC_SHA1))
                .write_inner_content(|w| encrypted_value(w, "pskc:MACKey", &sealed_mac_key))?;
        }
        seeds.iter().try_for_each(|seed| write_package(writer, seed, sealer))
    })?;
    Ok(())
}

fn text(writer: &mut XmlWriter, tag: &str, value: &str) -> io::Result<()> {
    writer.create_element(tag).write_text_content(BytesText::new(value))?;
    Ok(())
}

fn plain(writer: &mut XmlWriter, tag: &str, value: &str) -> io::Result<()> {
    writer.create_element(tag).write_inner_content(|w| text(w, "pskc:PlainValue", value))?;
    Ok(())
}

/// `<tag><xenc:EncryptionMethod/><xenc:CipherData><xenc:CipherValue>` around `sealed`.
fn encrypted_value(writer: &mut XmlWriter, tag: &str, sealed: &[u8]) -> io::Result<()> {
    writer.create_element(tag).write_inner_content(|writer| {
        writer
            .create_element("xenc:EncryptionMethod")
            .with_attribute(("Algorithm", AES128_CBC))
            .write_empty()?;
        writer
            .create_element("xenc:CipherData")
            .write_inner_content(|w| text(w, "xenc:CipherValue", &BASE64.encode(sealed)))?;
        Ok(())
    })?;
    Ok(())
}

fn write_package(
    writer: &mut XmlWriter,
    seed: &TokenSeed,
    sealer: &mut Option<Sealer<'_>>,
) -> io::Result<()> {
    writer.create_element("pskc:KeyPackage").write_inner_content(|writer| {
        writer.create_element("pskc:DeviceInfo").write_inner_content(|writer| {
            text(writer, "pskc:Manufacturer", MANUFACTURER)?;
            text(writer, "pskc:SerialNo", &seed.serial)
        })?;
        writer
            .create_element("pskc:Key")
            .with_attribute(("Id", seed.serial.as_str()))
            .with_attribute(("Algorithm", TOTP_ALGORITHM))
            .write_inner_content(|writer| {
                writer.create_element("pskc:AlgorithmParameters").write_inner_content(|writer| {
                    text(writer, "pskc:Suite", seed.algorithm.name())?;
                    let length = seed.digits.get().to_string();
                    writer
                        .create_element("pskc:ResponseFormat")
                        .with_attribute(("Length", length.as_str()))
                        .with_attribute(("Encoding", "DECIMAL"))
                        .write_empty()?;
                    Ok(())
                })?;
                writer.create_element("pskc:Data").write_inner_content(|writer| {
                    match sealer.as_mut() {
                        None => plain(writer, "pskc:Secret", &BASE64.encode(seed.secret.expose()))?,
                        Some(sealer) => {
                            let sealed = sealer.seal(seed.secret.expose());
                            let mac = sealer.value_mac(&sealed);
                            writer.create_element("pskc:Secret").write_inner_content(|writer| {
                                encrypted_value(writer, "pskc:EncryptedValue", &sealed)?;
                                text(writer, "pskc:ValueMAC", &BASE64.encode(mac))
                            })?;
                        }
                    }
                    plain(writer, "pskc:Time", &seed.t0.to_string())?;
                    plain(writer, "pskc:TimeInterval", &seed.period.seconds().to_string())
                })?;
                Ok(())
            })?;
        Ok(())
    })?;
    Ok(())
}
