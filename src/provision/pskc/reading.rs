//! Reading PSKC files: the document's records checked and turned into token seeds, following
//! the conventions in the [module docs](super).

use zeroize::Zeroizing;

use super::document;
use super::encryption::{self, Opener, Transport};
use super::schema::{Data, KeyPackage, Spot, TOTP_ALGORITHM, Value};
use crate::otp::{Algorithm, Period, Secret};
use crate::provision::error::{SeedFileError, SeedProblem};
use crate::provision::field::{self, SerialRegister};
use crate::provision::pre_shared_key::PreSharedKey;
use crate::provision::record::TokenSeed;

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
/// [`MAX_PBKDF2_ITERATIONS`](crate::provision::pre_shared_key::MAX_PBKDF2_ITERATIONS) iterations.
pub fn parse_with_password(name: &str, text: &str, password: &str) -> Result<Vec<TokenSeed>, SeedFileError> {
    parse_with(name, text, Transport::Password(password))
}

fn parse_with(name: &str, text: &str, transport: Transport<'_>) -> Result<Vec<TokenSeed>, SeedFileError> {
    let root = document::read(name, text)?;
    let at = |spot: Spot| spot.place(name);
    if !root.is_key_container {
        return Err(at(root.at).error(SeedProblem::NotPskc { found: root.qualified.clone() }));
    }
    match root.version.as_deref() {
        Some("1.0") => {}
        other => return Err(at(root.at).error(SeedProblem::Version(other.unwrap_or("").to_owned()))),
    }
    let derived;
    let key = match transport {
        Transport::Plain => None,
        Transport::PreShared(key) => Some(key),
        Transport::Password(password) => {
            derived = encryption::derived_key(name, &root, password)?;
            Some(&derived)
        }
    };
    let opener = key.map(|key| Opener::new(name, &root, key)).transpose()?;
    let mut serials = SerialRegister::default();
    let mut seeds = Vec::with_capacity(root.packages.len());
    for package in &root.packages {
        let seed = key_package(name, package, opener.as_ref())?;
        serials.insert(at(package.key.as_ref().map_or(package.at, |key| key.at)), &seed.serial)?;
        seeds.push(seed);
    }
    Ok(seeds)
}

/// One `KeyPackage` to a seed.
fn key_package(
    file: &str,
    package: &KeyPackage,
    opener: Option<&Opener<'_>>,
) -> Result<TokenSeed, SeedFileError> {
    let at = |spot: Spot| spot.place(file);
    let device_serial = package.serial_no.as_ref().and_then(Option::as_ref).map(|serial| serial.trimmed());
    let Some(key) = &package.key else {
        return Err(match device_serial {
            Some(serial) => at(package.at)
                .error(SeedProblem::MissingKey { serial: serial.to_owned(), where_: " (no <Key>)" }),
            None => {
                at(package.at).error(SeedProblem::MissingSerial(" (no <DeviceInfo><SerialNo> and no <Key>)"))
            }
        });
    };
    let serial = match device_serial.filter(|s| !s.is_empty()).or(key.id.as_deref().map(str::trim)) {
        Some(serial) if !serial.is_empty() => serial.to_owned(),
        _ => {
            return Err(
                at(key.at).error(SeedProblem::MissingSerial(" (no <DeviceInfo><SerialNo> and no Key Id)"))
            );
        }
    };
    if let Some(extra) = package.second_key {
        return Err(at(extra)
            .error(SeedProblem::Unsupported { serial, what: "a second <Key> in one <KeyPackage>".into() }));
    }
    let missing =
        |spot: Spot, field| at(spot).error(SeedProblem::MissingField { serial: serial.clone(), field });

    match &key.algorithm {
        Some(uri) if uri.trim().eq_ignore_ascii_case(TOTP_ALGORITHM) => {}
        Some(uri) => {
            return Err(at(key.at).error(SeedProblem::UnsupportedType { serial, found: uri.clone() }));
        }
        None => return Err(missing(key.at, "Key Algorithm attribute")),
    }

    let parameters = key.parameters.as_ref().ok_or_else(|| missing(key.at, "<AlgorithmParameters>"))?;
    let algorithm = match &parameters.suite {
        None => Algorithm::Sha1,
        Some(suite) => {
            let name = suite.hashalgo.as_deref().map(str::trim).unwrap_or_else(|| suite.text.trimmed());
            parse_hash(name).ok_or_else(|| {
                at(suite.text.at)
                    .error(SeedProblem::UnknownAlgorithm { serial: serial.clone(), found: name.to_owned() })
            })?
        }
    };
    let format =
        parameters.response_format.as_ref().ok_or_else(|| missing(parameters.at, "<ResponseFormat>"))?;
    if let Some(encoding) = format.encoding.as_deref().filter(|e| !e.trim().eq_ignore_ascii_case("DECIMAL")) {
        return Err(at(format.at).error(SeedProblem::Unsupported {
            serial,
            what: format!("response Encoding {encoding:?} (only DECIMAL)"),
        }));
    }
    let length =
        format.length.as_deref().ok_or_else(|| missing(format.at, "ResponseFormat Length attribute"))?;
    let digits = field::digits(at(format.at), &serial, length)?;

    let data = key.data.as_ref().ok_or_else(|| {
        at(key.at).error(SeedProblem::MissingKey { serial: serial.clone(), where_: " (no <Data>)" })
    })?;
    let secret = secret(file, &serial, data, opener)?;
    let (t0, period) = timing(file, &serial, data)?;
    Ok(TokenSeed { serial, secret, algorithm, digits, period, t0 })
}

/// `Data/Secret`: a base64 `PlainValue` (whitespace allowed, as vendors wrap long values), or
/// an `EncryptedValue` with its `ValueMAC` when an [`Opener`] is given.
fn secret(
    file: &str,
    serial: &str,
    data: &Data,
    opener: Option<&Opener<'_>>,
) -> Result<Secret, SeedFileError> {
    let at = |spot: Spot| spot.place(file);
    let missing =
        |spot: Spot, where_| at(spot).error(SeedProblem::MissingKey { serial: serial.to_owned(), where_ });
    let holder = data.secret.as_ref().ok_or_else(|| missing(data.at, " (no <Secret> in <Data>)"))?;
    let bytes = if let Some(encrypted) = &holder.encrypted {
        let Some(opener) = opener else {
            return Err(at(encrypted.at).error(SeedProblem::Encrypted { serial: serial.to_owned() }));
        };
        opener.open(file, &format!("token {serial:?}"), holder, encrypted)?
    } else {
        let plain =
            holder.plain.as_ref().ok_or_else(|| missing(holder.at, " (no <PlainValue> in <Secret>)"))?;
        if plain.trimmed().is_empty() {
            return Err(missing(plain.at, " (empty <PlainValue>)"));
        }
        Zeroizing::new(encryption::base64(&plain.text).ok_or_else(|| {
            at(plain.at).error(SeedProblem::BadKey {
                serial: serial.to_owned(),
                encoding: "base64",
                detail: String::new(),
            })
        })?)
    };
    Secret::from_bytes(bytes.to_vec()).map_err(|_| missing(holder.at, " (the value has no bytes)"))
}

/// T0 and step from `Data/Time` and `Data/TimeInterval` (defaults 0 and 30 s); `Counter` is
/// checked and ignored, and a non-zero `TimeDrift` refused ([`TokenSeed`] has no drift).
fn timing(file: &str, serial: &str, data: &Data) -> Result<(u64, Period), SeedFileError> {
    let at = |spot: Spot| spot.place(file);
    if let Some(counter) = &data.counter {
        number(file, serial, counter, "Counter")?;
    }
    let t0 = match &data.time {
        Some(time) => number(file, serial, time, "Time (T0)")?,
        None => 0,
    };
    let period = match &data.time_interval {
        Some(interval) => field::period(at(interval.at), serial, plain_value(file, serial, interval)?)?,
        None => Period::THIRTY_SECONDS,
    };
    if let Some(drift) = &data.time_drift {
        let text = plain_value(file, serial, drift)?;
        let serial = serial.to_owned();
        match text.parse::<i64>() {
            Ok(0) => {}
            Ok(_) => {
                return Err(at(drift.at)
                    .error(SeedProblem::Unsupported { serial, what: "a non-zero <TimeDrift>".into() }));
            }
            Err(_) => {
                return Err(at(drift.at).error(SeedProblem::BadNumber {
                    serial,
                    field: "TimeDrift",
                    found: text.to_owned(),
                }));
            }
        }
    }
    Ok((t0, period))
}

/// A value's trimmed `PlainValue`; an encrypted value is refused.
fn plain_value<'v>(file: &str, serial: &str, value: &'v Value) -> Result<&'v str, SeedFileError> {
    let at = value.at.place(file);
    if value.encrypted.is_some() {
        let what = format!("an encrypted <{}>", value.at.tag);
        return Err(at.error(SeedProblem::Unsupported { serial: serial.to_owned(), what }));
    }
    match &value.plain {
        Some(plain) => Ok(plain.trimmed()),
        None => Err(at.error(SeedProblem::MissingField { serial: serial.to_owned(), field: "<PlainValue>" })),
    }
}

/// A value's `PlainValue` as a whole number.
fn number(file: &str, serial: &str, value: &Value, field: &'static str) -> Result<u64, SeedFileError> {
    let text = plain_value(file, serial, value)?;
    text.parse().map_err(|_| {
        value.at.place(file).error(SeedProblem::BadNumber {
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
