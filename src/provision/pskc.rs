//! PSKC seed files (RFC 6030, Portable Symmetric Key Container).
//!
//! One `KeyPackage` per token:
//!
//! ```xml
//! <pskc:KeyPackage>
//!   <pskc:DeviceInfo><pskc:Manufacturer>mfa-harness</pskc:Manufacturer>
//!     <pskc:SerialNo>MFA0000001</pskc:SerialNo></pskc:DeviceInfo>
//!   <pskc:Key Id="MFA0000001" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:totp">
//!     <pskc:AlgorithmParameters>
//!       <pskc:Suite>SHA1</pskc:Suite>
//!       <pskc:ResponseFormat Length="6" Encoding="DECIMAL"/>
//!     </pskc:AlgorithmParameters>
//!     <pskc:Data>
//!       <pskc:Secret><pskc:PlainValue>MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=</pskc:PlainValue></pskc:Secret>
//!       <pskc:Time><pskc:PlainValue>0</pskc:PlainValue></pskc:Time>
//!       <pskc:TimeInterval><pskc:PlainValue>30</pskc:PlainValue></pskc:TimeInterval>
//!     </pskc:Data>
//!   </pskc:Key>
//! </pskc:KeyPackage>
//! ```
//!
//! Conventions, where RFC 6030 leaves room:
//! * **Hash algorithm.** Core PSKC has no hash field; RFC 6030 defines
//!   `AlgorithmParameters/Suite` for "additional characteristics of the algorithm", naming the
//!   HMAC hash as its example. We write `<Suite>SHA256</Suite>` and read the text (any of
//!   `SHA1`, `sha-256`, `HMAC-SHA512`, ...), as privacyIDEA's importer (`parsePSKCdata` in
//!   `privacyidea/lib/importotp.py`) does, or a `hashalgo` attribute on `<Suite>`, which
//!   privacyIDEA's exporter (`export_pskc`, same file) writes. Default SHA1.
//! * **Serial.** `DeviceInfo/SerialNo`, else `Key/@Id`, as privacyIDEA reads it. We write both.
//! * **Code length.** `AlgorithmParameters/ResponseFormat/@Length` is required, with no silent
//!   default (an 8-digit token provisioned as 6-digit would fail every login); `Encoding` must
//!   be `DECIMAL`.
//! * **T0 and step.** `Data/Time` carries T0 (Unix seconds) and `Data/TimeInterval` the step
//!   (RFC 6030 `Data` elements); defaults 0 and 30. `Data/Counter` is checked and ignored (TOTP);
//!   a non-zero `Data/TimeDrift` is refused, because [`TokenSeed`] has no drift field.
//! * **Token type.** Only `urn:ietf:params:xml:ns:keyprov:pskc:totp`; HOTP and other
//!   algorithms are refused with the URI they carry.
//! * **Encryption.** [`parse_encrypted`] reads keys encrypted with a pre-shared AES-128-CBC
//!   key (section 6.1: `xmlenc#aes128-cbc`, IV prepended) and checks each `ValueMAC`
//!   (HMAC-SHA1 over IV and ciphertext, under the `MACMethod/MACKey` decrypted with the same
//!   key); a wrong key or a tampered value is an error, never a wrong seed. [`parse`] refuses
//!   encrypted values with an error asking for the key. [`parse_with_password`] derives the key
//!   from a password with PBKDF2-HMAC-SHA1 and the file's salt and iteration count (section
//!   6.2). Asymmetric encryption (section 6.3) is not supported; encrypted `Counter`, `Time`
//!   and the like are refused.
//!
//! The reader builds a small element tree from quick-xml events, so errors can name the element
//! and the line its start tag is on. No DTD is processed (no entity expansion).

use std::io;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::name::ResolveResult;
use quick_xml::{NsReader, Writer, XmlVersion};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use zeroize::Zeroizing;

use crate::otp::{Algorithm, Period, Secret};

use super::error::{Place, SeedFileError, SeedProblem};
use super::field::{self, SerialRegister};
use super::pre_shared_key::{
    self, AES128_CBC, HMAC_SHA1, MAX_PBKDF2_ITERATIONS, PBKDF2, PreSharedKey, Undecryptable,
};
use super::record::TokenSeed;
use super::seed_format::SeedFormat;

/// The PSKC XML namespace (RFC 6030).
pub const NAMESPACE: &str = "urn:ietf:params:xml:ns:keyprov:pskc";

/// The `Key/@Algorithm` URI of TOTP keys.
pub const TOTP_ALGORITHM: &str = "urn:ietf:params:xml:ns:keyprov:pskc:totp";

/// The XML Encryption namespace, of `EncryptionMethod` and `CipherData` (RFC 6030 section 6).
pub const XMLENC_NAMESPACE: &str = "http://www.w3.org/2001/04/xmlenc#";

/// The XML Signature namespace, of `EncryptionKey/KeyName`.
pub const XMLDSIG_NAMESPACE: &str = "http://www.w3.org/2000/09/xmldsig#";

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
/// no bytes with [`super::sample_batch`] keys of the same seed); the same inputs give the same file.
///
/// # Errors
/// As [`write()`].
pub fn write_encrypted(seeds: &[TokenSeed], key: &PreSharedKey, seed: u64) -> Result<String, SeedFileError> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    rng.set_stream(super::record::stream::PSKC_TRANSPORT);
    let mut mac_key = Zeroizing::new([0u8; 20]);
    rng.fill_bytes(mac_key.as_mut_slice());
    write_with(seeds, Some(Sealer { key, mac_key, rng }))
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

/// Parses a PSKC document. `name` is only used in error messages.
///
/// # Errors
/// The first problem found, as [`SeedFileError::Read`] with line and element: malformed XML,
/// a root that is not a PSKC 1.0 `KeyContainer`, a missing serial or key, a duplicate serial,
/// bad base64, a non-TOTP algorithm, an unknown hash, an otp length outside 6..=10, a time
/// step of 0, an encrypted value (read those with [`parse_encrypted`]), a non-zero time drift.
pub fn parse(name: &str, text: &str) -> Result<Vec<TokenSeed>, SeedFileError> {
    parse_with(name, text, Transport::Plain)
}

/// Parses a PSKC document whose keys may be encrypted with the pre-shared `key`
/// (RFC 6030 section 6.1). Plain values are read as by [`parse`].
///
/// # Errors
/// As [`parse`], plus [`SeedProblem::Decrypt`] for an unsupported encryption or MAC
/// algorithm, a missing or mismatching `ValueMAC` (wrong key or tampered file) or a value that
/// does not decrypt.
pub fn parse_encrypted(name: &str, text: &str, key: &PreSharedKey) -> Result<Vec<TokenSeed>, SeedFileError> {
    parse_with(name, text, Transport::PreShared(key))
}

/// Parses a PSKC document whose keys are encrypted with a key derived from `password` by
/// PBKDF2 (RFC 6030 section 6.2: `EncryptionKey/DerivedKey` with salt, iteration count and
/// key length in the file). Plain values are read as by [`parse`].
///
/// # Errors
/// As [`parse_encrypted`], plus [`SeedProblem::Decrypt`] for a missing or unsupported key
/// derivation (only PBKDF2 with HMAC-SHA1 and a 16-byte key), or more than
/// [`MAX_PBKDF2_ITERATIONS`] iterations.
pub fn parse_with_password(name: &str, text: &str, password: &str) -> Result<Vec<TokenSeed>, SeedFileError> {
    parse_with(name, text, Transport::Password(password))
}

/// How the caller can open encrypted values.
#[derive(Clone, Copy)]
enum Transport<'a> {
    /// Not at all: encrypted values are an error.
    Plain,
    /// With this pre-shared key.
    PreShared(&'a PreSharedKey),
    /// With the key PBKDF2 derives from this password and the file's parameters.
    Password(&'a str),
}

fn parse_with(name: &str, text: &str, transport: Transport<'_>) -> Result<Vec<TokenSeed>, SeedFileError> {
    let root = Element::parse_document(name, text)?;
    let at = |element: &Element| Place { file: name, line: element.line, element: Some(element.tag()) };
    if !(root.namespace == Namespace::Pskc && root.local == "KeyContainer") {
        return Err(at(&root).error(SeedProblem::NotPskc { found: root.qualified.clone() }));
    }
    match root.attribute("Version") {
        Some("1.0") => {}
        other => return Err(at(&root).error(SeedProblem::Version(other.unwrap_or("").to_owned()))),
    }
    let derived;
    let key = match transport {
        Transport::Plain => None,
        Transport::PreShared(key) => Some(key),
        Transport::Password(password) => {
            derived = derived_key(name, &root, password)?;
            Some(&derived)
        }
    };
    let opener = match key {
        Some(key) => Some(Opener { key, mac_key: mac_key(name, &root, key)? }),
        None => None,
    };
    let mut serials = SerialRegister::default();
    let mut seeds = Vec::new();
    for package in root.children_named("KeyPackage") {
        let seed = key_package(name, package, opener.as_ref())?;
        serials.insert(at(package.child("Key").unwrap_or(package)), &seed.serial)?;
        seeds.push(seed);
    }
    Ok(seeds)
}

/// One `KeyPackage` to a seed.
fn key_package(
    file: &str,
    package: &Element,
    opener: Option<&Opener<'_>>,
) -> Result<TokenSeed, SeedFileError> {
    let at = |element: &Element| Place { file, line: element.line, element: Some(element.tag()) };
    let device_serial =
        package.child("DeviceInfo").and_then(|info| info.child("SerialNo")).map(Element::trimmed);
    let mut keys = package.children_named("Key");
    let Some(key) = keys.next() else {
        return Err(match device_serial {
            Some(serial) => at(package)
                .error(SeedProblem::MissingKey { serial: serial.to_owned(), where_: " (no <Key>)" }),
            None => {
                at(package).error(SeedProblem::MissingSerial(" (no <DeviceInfo><SerialNo> and no <Key>)"))
            }
        });
    };
    let serial = match device_serial.filter(|s| !s.is_empty()).or(key.attribute("Id").map(str::trim)) {
        Some(serial) if !serial.is_empty() => serial.to_owned(),
        _ => {
            return Err(
                at(key).error(SeedProblem::MissingSerial(" (no <DeviceInfo><SerialNo> and no Key Id)"))
            );
        }
    };
    if let Some(extra) = keys.next() {
        return Err(at(extra)
            .error(SeedProblem::Unsupported { serial, what: "a second <Key> in one <KeyPackage>".into() }));
    }
    let missing = |element: &Element, field| {
        at(element).error(SeedProblem::MissingField { serial: serial.clone(), field })
    };

    match key.attribute("Algorithm") {
        Some(uri) if uri.trim().eq_ignore_ascii_case(TOTP_ALGORITHM) => {}
        Some(uri) => {
            return Err(at(key).error(SeedProblem::UnsupportedType { serial, found: uri.to_owned() }));
        }
        None => return Err(missing(key, "Key Algorithm attribute")),
    }

    let parameters = key.child("AlgorithmParameters").ok_or_else(|| missing(key, "<AlgorithmParameters>"))?;
    let algorithm = match parameters.child("Suite") {
        None => Algorithm::Sha1,
        Some(suite) => {
            let name = suite.attribute("hashalgo").map(str::trim).unwrap_or_else(|| suite.trimmed());
            parse_hash(name).ok_or_else(|| {
                at(suite)
                    .error(SeedProblem::UnknownAlgorithm { serial: serial.clone(), found: name.to_owned() })
            })?
        }
    };
    let format = parameters.child("ResponseFormat").ok_or_else(|| missing(parameters, "<ResponseFormat>"))?;
    if let Some(encoding) = format.attribute("Encoding").filter(|e| !e.trim().eq_ignore_ascii_case("DECIMAL"))
    {
        return Err(at(format).error(SeedProblem::Unsupported {
            serial,
            what: format!("response Encoding {encoding:?} (only DECIMAL)"),
        }));
    }
    let length =
        format.attribute("Length").ok_or_else(|| missing(format, "ResponseFormat Length attribute"))?;
    let digits = field::digits(at(format), &serial, length)?;

    let data = key.child("Data").ok_or_else(|| {
        at(key).error(SeedProblem::MissingKey { serial: serial.clone(), where_: " (no <Data>)" })
    })?;
    let secret = secret(file, &serial, data, opener)?;
    if let Some(counter) = data.child("Counter") {
        number(file, &serial, counter, "Counter")?;
    }
    let t0 = match data.child("Time") {
        Some(time) => number(file, &serial, time, "Time (T0)")?,
        None => 0,
    };
    let period = match data.child("TimeInterval") {
        Some(interval) => field::period(at(interval), &serial, plain_value(file, &serial, interval)?)?,
        None => Period::THIRTY_SECONDS,
    };
    if let Some(drift) = data.child("TimeDrift") {
        let text = plain_value(file, &serial, drift)?;
        match text.parse::<i64>() {
            Ok(0) => {}
            Ok(_) => {
                return Err(at(drift)
                    .error(SeedProblem::Unsupported { serial, what: "a non-zero <TimeDrift>".into() }));
            }
            Err(_) => {
                return Err(at(drift).error(SeedProblem::BadNumber {
                    serial,
                    field: "TimeDrift",
                    found: text.to_owned(),
                }));
            }
        }
    }
    Ok(TokenSeed { serial, secret, algorithm, digits, period, t0 })
}

/// `Data/Secret`: a base64 `PlainValue` (whitespace allowed, as vendors wrap long values), or
/// an `EncryptedValue` with its `ValueMAC` when an [`Opener`] is given.
fn secret(
    file: &str,
    serial: &str,
    data: &Element,
    opener: Option<&Opener<'_>>,
) -> Result<Secret, SeedFileError> {
    let at = |element: &Element| Place { file, line: element.line, element: Some(element.tag()) };
    let missing = |element: &Element, where_| {
        at(element).error(SeedProblem::MissingKey { serial: serial.to_owned(), where_ })
    };
    let holder = data.child("Secret").ok_or_else(|| missing(data, " (no <Secret> in <Data>)"))?;
    let bytes = if let Some(encrypted) = holder.child("EncryptedValue") {
        let Some(opener) = opener else {
            return Err(at(encrypted).error(SeedProblem::Encrypted { serial: serial.to_owned() }));
        };
        opener.open(file, &format!("token {serial:?}"), holder, encrypted)?
    } else {
        let plain =
            holder.child("PlainValue").ok_or_else(|| missing(holder, " (no <PlainValue> in <Secret>)"))?;
        if plain.text.trim().is_empty() {
            return Err(missing(plain, " (empty <PlainValue>)"));
        }
        Zeroizing::new(base64(&plain.text).ok_or_else(|| {
            at(plain).error(SeedProblem::BadKey {
                serial: serial.to_owned(),
                encoding: "base64",
                detail: String::new(),
            })
        })?)
    };
    Secret::from_bytes(bytes.to_vec()).map_err(|_| missing(holder, " (the value has no bytes)"))
}

/// Base64 with any whitespace inside (vendors wrap long values); `None` if it does not decode.
fn base64(text: &str) -> Option<Vec<u8>> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    BASE64.decode(compact.as_bytes()).ok()
}

/// What decrypting a file needs: the pre-shared key and the decrypted MAC key.
struct Opener<'k> {
    key: &'k PreSharedKey,
    mac_key: Option<Zeroizing<Vec<u8>>>,
}

impl Opener<'_> {
    /// Decrypts `encrypted` (an `EncryptedValue`) after checking the `ValueMAC` next to it in
    /// `holder` (MAC first, so a tampered value is reported as such, not as a bad key).
    fn open(
        &self,
        file: &str,
        subject: &str,
        holder: &Element,
        encrypted: &Element,
    ) -> Result<Zeroizing<Vec<u8>>, SeedFileError> {
        let fail = |element: &Element, reason: String| {
            Place { file, line: element.line, element: Some(element.tag()) }
                .error(SeedProblem::Decrypt { subject: subject.to_owned(), reason })
        };
        let sealed = cipher_value(encrypted).map_err(|reason| fail(encrypted, reason))?;
        let Some(mac_key) = &self.mac_key else {
            return Err(fail(encrypted, "encrypted value but no <MACMethod> in the <KeyContainer>".into()));
        };
        let mac_element =
            holder.child("ValueMAC").ok_or_else(|| fail(holder, "missing <ValueMAC>".into()))?;
        let mac = base64(&mac_element.text)
            .ok_or_else(|| fail(mac_element, "<ValueMAC> is not valid base64".into()))?;
        if !pre_shared_key::value_mac_matches(mac_key, &sealed, &mac) {
            return Err(fail(
                mac_element,
                "<ValueMAC> does not match: wrong key or password, or altered value".into(),
            ));
        }
        self.key.decrypt(&sealed).map_err(|e| fail(encrypted, undecryptable(e)))
    }
}

/// The container's MAC key (`MACMethod/MACKey`, encrypted with the pre-shared key), if any.
fn mac_key(
    file: &str,
    root: &Element,
    key: &PreSharedKey,
) -> Result<Option<Zeroizing<Vec<u8>>>, SeedFileError> {
    let Some(method) = root.child("MACMethod") else { return Ok(None) };
    let fail = |element: &Element, reason: String| {
        Place { file, line: element.line, element: Some(element.tag()) }
            .error(SeedProblem::Decrypt { subject: "<MACMethod>".to_owned(), reason })
    };
    match method.attribute("Algorithm") {
        Some(HMAC_SHA1) => {}
        other => {
            let found = other.unwrap_or("");
            return Err(fail(method, format!("MAC algorithm {found:?} is not supported (only {HMAC_SHA1})")));
        }
    }
    let mac_key = method.child("MACKey").ok_or_else(|| fail(method, "missing <MACKey>".into()))?;
    let sealed = cipher_value(mac_key).map_err(|reason| fail(mac_key, reason))?;
    let opened = key.decrypt(&sealed).map_err(|e| fail(mac_key, undecryptable(e)))?;
    Ok(Some(opened))
}

/// The transport key from `password` and the file's `EncryptionKey/DerivedKey` PBKDF2
/// parameters (RFC 6030 section 6.2, Figure 7).
fn derived_key(file: &str, root: &Element, password: &str) -> Result<PreSharedKey, SeedFileError> {
    let fail = |element: &Element, reason: String| {
        Place { file, line: element.line, element: Some(element.tag()) }
            .error(SeedProblem::Decrypt { subject: "<EncryptionKey>".to_owned(), reason })
    };
    let no_derivation =
        || fail(root, "a password was given but the file has no <EncryptionKey><DerivedKey>".into());
    let encryption_key = root.child("EncryptionKey").ok_or_else(no_derivation)?;
    let derived = encryption_key.any_child("DerivedKey").ok_or_else(no_derivation)?;
    let method = derived
        .any_child("KeyDerivationMethod")
        .ok_or_else(|| fail(derived, "missing <KeyDerivationMethod>".into()))?;
    match method.attribute("Algorithm") {
        Some(PBKDF2) => {}
        other => {
            let found = other.unwrap_or("");
            return Err(fail(method, format!("key derivation {found:?} is not supported (only {PBKDF2})")));
        }
    }
    let params =
        method.any_child("PBKDF2-params").ok_or_else(|| fail(method, "missing <PBKDF2-params>".into()))?;
    let salt = params
        .any_child("Salt")
        .and_then(|salt| salt.any_child("Specified"))
        .and_then(|specified| base64(&specified.text))
        .ok_or_else(|| fail(params, "missing or invalid <Salt><Specified> (base64)".into()))?;
    let iterations = params
        .any_child("IterationCount")
        .and_then(|count| count.trimmed().parse::<u32>().ok())
        .filter(|n| (1..=MAX_PBKDF2_ITERATIONS).contains(n))
        .ok_or_else(|| {
            fail(params, format!("<IterationCount> must be a whole number from 1 to {MAX_PBKDF2_ITERATIONS}"))
        })?;
    if let Some(length) = params.any_child("KeyLength")
        && length.trimmed() != "16"
    {
        return Err(fail(length, "<KeyLength> must be 16 (AES-128)".into()));
    }
    if let Some(prf) = params.any_child("PRF")
        && let Some(algorithm) = prf.attribute("Algorithm")
        && !algorithm.ends_with("hmac-sha1")
    {
        return Err(fail(prf, format!("PRF {algorithm:?} is not supported (only HMAC-SHA1)")));
    }
    Ok(PreSharedKey::from_password(password.as_bytes(), &salt, iterations))
}

/// `EncryptionMethod` must be AES-128-CBC; returns the decoded `CipherData/CipherValue`.
fn cipher_value(encrypted: &Element) -> Result<Vec<u8>, String> {
    match encrypted.xenc_child("EncryptionMethod").and_then(|m| m.attribute("Algorithm")) {
        Some(AES128_CBC) => {}
        Some(other) => {
            return Err(format!("encryption algorithm {other:?} is not supported (only {AES128_CBC})"));
        }
        None => return Err("missing xenc:EncryptionMethod Algorithm".into()),
    }
    let value = encrypted
        .xenc_child("CipherData")
        .and_then(|data| data.xenc_child("CipherValue"))
        .ok_or("missing xenc:CipherData/xenc:CipherValue")?;
    base64(&value.text).ok_or_else(|| "xenc:CipherValue is not valid base64".to_owned())
}

fn undecryptable(error: Undecryptable) -> String {
    match error {
        Undecryptable::Length => "ciphertext is not an IV plus whole AES blocks".to_owned(),
        Undecryptable::Padding => "value does not decrypt: wrong key or password".to_owned(),
    }
}

/// A `PlainValue` child's trimmed text; an encrypted value is refused.
fn plain_value<'e>(file: &str, serial: &str, element: &'e Element) -> Result<&'e str, SeedFileError> {
    let at = Place { file, line: element.line, element: Some(element.tag()) };
    if element.child("EncryptedValue").is_some() {
        let what = format!("an encrypted <{}>", element.tag());
        return Err(at.error(SeedProblem::Unsupported { serial: serial.to_owned(), what }));
    }
    match element.child("PlainValue") {
        Some(plain) => Ok(plain.trimmed()),
        None => Err(at.error(SeedProblem::MissingField { serial: serial.to_owned(), field: "<PlainValue>" })),
    }
}

/// A `PlainValue` child as a whole number.
fn number(file: &str, serial: &str, element: &Element, field: &'static str) -> Result<u64, SeedFileError> {
    let text = plain_value(file, serial, element)?;
    text.parse().map_err(|_| {
        Place { file, line: element.line, element: Some(element.tag()) }.error(SeedProblem::BadNumber {
            serial: serial.to_owned(),
            field,
            found: text.to_owned(),
        })
    })
}

/// `SHA256`, `sha-256`, `HMAC-SHA256`, `hmac-sha256`: all spellings vendors use.
fn parse_hash(name: &str) -> Option<Algorithm> {
    let upper = name.to_ascii_uppercase();
    let bare = upper.strip_prefix("HMAC").map(|rest| rest.trim_start_matches('-')).unwrap_or(&upper);
    bare.parse().ok()
}

/// Encrypts values for [`write_encrypted`]: the pre-shared key, the MAC key, and the IV stream.
struct Sealer<'k> {
    key: &'k PreSharedKey,
    mac_key: Zeroizing<[u8; 20]>,
    rng: ChaCha20Rng,
}

impl Sealer<'_> {
    /// `IV || ciphertext` of `plain` under a fresh IV.
    fn seal(&mut self, plain: &[u8]) -> Vec<u8> {
        let mut iv = [0u8; 16];
        self.rng.fill_bytes(&mut iv);
        self.key.encrypt(iv, plain)
    }

    /// The MAC key, sealed for `MACMethod/MACKey`.
    fn seal_mac_key(&mut self) -> Vec<u8> {
        let mut iv = [0u8; 16];
        self.rng.fill_bytes(&mut iv);
        self.key.encrypt(iv, self.mac_key.as_slice())
    }
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
                            let mac = pre_shared_key::value_mac(sealer.mac_key.as_slice(), &sealed);
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

/// An XML element as the reader needs it: enough to walk PSKC and point at lines.
#[derive(Debug)]
struct Element {
    /// The name as written, prefix included (for messages about the root).
    qualified: String,
    /// The local name.
    local: String,
    /// The element's namespace, as far as PSKC cares.
    namespace: Namespace,
    /// Unprefixed attributes (local name, value); namespace declarations left out.
    attributes: Vec<(String, String)>,
    /// Character data directly inside (entities resolved).
    text: String,
    children: Vec<Element>,
    /// 1-based line of the start tag.
    line: u64,
}

impl Element {
    /// Reads a whole document into a tree, or reports the first syntax error with its line.
    fn parse_document(file: &str, text: &str) -> Result<Element, SeedFileError> {
        let mut reader = NsReader::from_str(text);
        let mut lines = LineCounter::default();
        let mut open: Vec<Element> = Vec::new();
        let mut root: Option<Element> = None;
        let syntax = |line, reason: String| {
            Place { file, line, element: None }.error(SeedProblem::Syntax { format: "XML", reason })
        };
        loop {
            let start = reader.buffer_position();
            let (namespace, event) = match reader.read_resolved_event() {
                Ok(read) => read,
                Err(e) => {
                    return Err(syntax(lines.line_at(text, reader.error_position()), xml_error_reason(&e)));
                }
            };
            let line = lines.line_at(text, start);
            let syntax_here = |reason: String| syntax(line, reason);
            let namespace = match namespace {
                ResolveResult::Bound(ns) if ns.0 == NAMESPACE => Namespace::Pskc,
                ResolveResult::Bound(ns) if ns.0 == XMLENC_NAMESPACE => Namespace::XmlEnc,
                ResolveResult::Unknown(_) => {
                    return Err(syntax_here(
                        "an element uses a namespace prefix that is not declared".into(),
                    ));
                }
                _ => Namespace::Other,
            };
            if open.is_empty() && root.is_some() && matches!(event, Event::Start(_) | Event::Empty(_)) {
                return Err(syntax_here("a second element after the root element".into()));
            }
            match event {
                Event::Start(tag) => {
                    open.push(Element::from_tag(&tag, namespace, line).map_err(syntax_here)?)
                }
                Event::Empty(tag) => {
                    let element = Element::from_tag(&tag, namespace, line).map_err(syntax_here)?;
                    match open.last_mut() {
                        Some(parent) => parent.children.push(element),
                        None => root = Some(element),
                    }
                }
                Event::End(_) => {
                    let Some(element) = open.pop() else {
                        return Err(syntax_here("end tag without a start tag".into()));
                    };
                    // PSKC has no mixed content: text beside child elements means damage
                    // (say a stray `<` in a value), and reading either part would be a guess.
                    if !element.children.is_empty() && !element.text.trim().is_empty() {
                        let reason =
                            format!("text mixed with child elements in {}", shown(&element.qualified));
                        return Err(syntax(element.line, reason));
                    }
                    match open.last_mut() {
                        Some(parent) => parent.children.push(element),
                        None => root = Some(element),
                    }
                }
                Event::Text(t) => match open.last_mut() {
                    Some(current) => current.text.push_str(&t.xml10_content()),
                    None => {
                        let content = t.into_inner();
                        let blank = content.len() - content.trim_start().len();
                        if blank < content.len() {
                            let line = lines.line_at(text, start + blank as u64);
                            return Err(syntax(line, "text outside the root element".into()));
                        }
                    }
                },
                Event::CData(t) => match open.last_mut() {
                    Some(current) => current.text.push_str(&t.xml10_content()),
                    None => return Err(syntax_here("text outside the root element".into())),
                },
                Event::GeneralRef(reference) => {
                    let name = reference.xml10_content();
                    let resolved = match reference.resolve_char_ref() {
                        Ok(Some(ch)) => ch.to_string(),
                        Ok(None) => match quick_xml::escape::resolve_predefined_entity(&name) {
                            Some(s) => s.to_owned(),
                            None => {
                                return Err(syntax_here(
                                    "unknown entity (only &lt; &gt; &amp; &apos; &quot; and character references)"
                                        .to_owned(),
                                ));
                            }
                        },
                        Err(_) => return Err(syntax_here("invalid character reference".into())),
                    };
                    match open.last_mut() {
                        Some(current) => current.text.push_str(&resolved),
                        None => return Err(syntax_here("text outside the root element".into())),
                    }
                }
                Event::Eof => {
                    return match (open.last(), root) {
                        (Some(e), _) => {
                            Err(syntax_here(format!("document ends inside {}", shown(&e.qualified))))
                        }
                        (None, Some(root)) => Ok(root),
                        (None, None) => Err(syntax_here("no root element".to_owned())),
                    };
                }
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
            }
        }
    }

    fn from_tag(
        tag: &quick_xml::events::BytesStart<'_>,
        namespace: Namespace,
        line: u64,
    ) -> Result<Element, String> {
        let qualified = tag.name().as_ref().to_owned();
        let local = tag.local_name().as_ref().to_owned();
        let mut attributes = Vec::new();
        for attribute in tag.attributes() {
            let attribute = attribute.map_err(|_| "malformed attribute".to_owned())?;
            let key = attribute.key.as_ref();
            if key == "xmlns" || key.contains(':') {
                continue;
            }
            let value = attribute
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|_| "invalid entity or character reference in an attribute".to_owned())?;
            attributes.push((key.to_owned(), value.into_owned()));
        }
        Ok(Element {
            qualified,
            local,
            namespace,
            attributes,
            text: String::new(),
            children: Vec::new(),
            line,
        })
    }

    /// The element's local name for messages when it is a PSKC or XML Encryption name (so
    /// errors carry no allocation and no text from the document), else a generic label.
    fn tag(&self) -> &'static str {
        known_name(&self.local).unwrap_or("element")
    }

    fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// PSKC-namespace children with this local name.
    fn children_named<'s>(&'s self, local: &'s str) -> impl Iterator<Item = &'s Element> + 's {
        self.children.iter().filter(move |c| c.namespace == Namespace::Pskc && c.local == local)
    }

    fn child(&self, local: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.namespace == Namespace::Pskc && c.local == local)
    }

    /// A child with this local name in any namespace (the PBKDF2 parameters of RFC 6030
    /// section 6.2 mix the xenc11 and pkcs5 namespaces with none at all).
    fn any_child(&self, local: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.local == local)
    }

    /// An XML Encryption child (`EncryptionMethod`, `CipherData`, `CipherValue`).
    fn xenc_child(&self, local: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.namespace == Namespace::XmlEnc && c.local == local)
    }

    fn trimmed(&self) -> &str {
        self.text.trim()
    }
}

/// Element names that messages may quote. Anything else in a document might be key material
/// mangled into markup (a stray `<` inside a `PlainValue` makes the rest look like a tag), so
/// messages show only names from this list.
const ELEMENT_NAMES: [&str; 38] = [
    "KeyContainer",
    "EncryptionKey",
    "DerivedKey",
    "KeyDerivationMethod",
    "PBKDF2-params",
    "Salt",
    "IterationCount",
    "KeyLength",
    "PRF",
    "KeyName",
    "MACMethod",
    "MACKey",
    "KeyPackage",
    "DeviceInfo",
    "Manufacturer",
    "SerialNo",
    "Model",
    "UserId",
    "CryptoModuleInfo",
    "Id",
    "Key",
    "Issuer",
    "AlgorithmParameters",
    "Suite",
    "ResponseFormat",
    "Data",
    "Secret",
    "PlainValue",
    "EncryptedValue",
    "ValueMAC",
    "EncryptionMethod",
    "CipherData",
    "CipherValue",
    "Counter",
    "Time",
    "TimeInterval",
    "TimeDrift",
    "Policy",
];

/// The static name if `local` is one messages may quote.
fn known_name(local: &str) -> Option<&'static str> {
    ELEMENT_NAMES.iter().find(|known| **known == local).copied()
}

/// A qualified name from the document as messages may show it: `<pskc:Key>` for known
/// names, `an element` otherwise.
fn shown(qualified: &str) -> String {
    let local = qualified.rsplit_once(':').map_or(qualified, |(_, local)| local);
    match known_name(local) {
        Some(_) => format!("<{qualified}>"),
        None => "an element".to_owned(),
    }
}

/// quick-xml's error as a message that quotes no document text except known element names.
fn xml_error_reason(error: &quick_xml::Error) -> String {
    use quick_xml::errors::IllFormedError;
    match error {
        quick_xml::Error::IllFormed(IllFormedError::MismatchedEndTag { expected, found }) => {
            format!("{} does not close {}", shown_end(found), shown(expected))
        }
        quick_xml::Error::IllFormed(IllFormedError::MissingEndTag(name)) => {
            format!("{} is never closed", shown(name))
        }
        quick_xml::Error::IllFormed(IllFormedError::UnmatchedEndTag(name)) => {
            format!("{} without a start tag", shown_end(name))
        }
        quick_xml::Error::IllFormed(IllFormedError::UnclosedReference) => {
            "an `&` starts a reference that is never closed with `;`".to_owned()
        }
        quick_xml::Error::IllFormed(_) => "ill-formed document".to_owned(),
        quick_xml::Error::Syntax(syntax) => syntax.to_string(),
        quick_xml::Error::InvalidAttr(_) => "malformed attribute".to_owned(),
        quick_xml::Error::Escape(_) => "invalid entity or character reference".to_owned(),
        quick_xml::Error::Namespace(_) => "unknown or invalid namespace prefix".to_owned(),
        quick_xml::Error::Encoding(_) => "text is not valid in its encoding".to_owned(),
        quick_xml::Error::Io(_) => "read error".to_owned(),
    }
}

/// An end tag as messages may show it: `end tag </pskc:Key>` or `an end tag`.
fn shown_end(qualified: &str) -> String {
    match shown(qualified).strip_prefix('<') {
        Some(name) => format!("end tag </{name}"),
        None => "an end tag".to_owned(),
    }
}

/// The namespaces the reader tells apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Namespace {
    /// `urn:ietf:params:xml:ns:keyprov:pskc`.
    Pskc,
    /// XML Encryption.
    XmlEnc,
    /// Anything else, or none.
    Other,
}

/// Byte offset to 1-based line, counting forward from the last offset asked (the reader only
/// moves forward, so the whole document is scanned once).
#[derive(Debug, Default)]
struct LineCounter {
    offset: usize,
    newlines: u64,
}

impl LineCounter {
    fn line_at(&mut self, text: &str, offset: u64) -> u64 {
        let offset = usize::try_from(offset).unwrap_or(usize::MAX).min(text.len());
        if offset >= self.offset {
            self.newlines +=
                text.as_bytes()[self.offset..offset].iter().filter(|b| **b == b'\n').count() as u64;
        } else {
            self.newlines = text.as_bytes()[..offset].iter().filter(|b| **b == b'\n').count() as u64;
        }
        self.offset = offset;
        self.newlines + 1
    }
}
