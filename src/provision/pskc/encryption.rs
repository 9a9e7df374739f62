//! Encrypted PSKC values (RFC 6030 section 6): opening them when reading (the transport key,
//! pre-shared or derived from a password, the MAC key and each `ValueMAC`), and sealing them
//! when writing.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use zeroize::Zeroizing;

use super::schema::{Container, Encrypted, Spot, Value};
use crate::provision::error::{SeedFileError, SeedProblem};
use crate::provision::pre_shared_key::{
    self, AES128_CBC, HMAC_SHA1, MAX_PBKDF2_ITERATIONS, PBKDF2, PreSharedKey, Undecryptable,
};
use crate::provision::record::stream;

/// How the caller can open encrypted values.
#[derive(Clone, Copy)]
pub(super) enum Transport<'a> {
    /// Not at all: encrypted values are an error.
    Plain,
    /// With this pre-shared key.
    PreShared(&'a PreSharedKey),
    /// With the key PBKDF2 derives from this password and the file's parameters.
    Password(&'a str),
}

/// What decrypting a file needs: the pre-shared key and the decrypted MAC key.
pub(super) struct Opener<'k> {
    key: &'k PreSharedKey,
    mac_key: Option<Zeroizing<Vec<u8>>>,
}

impl Opener<'_> {
    /// Opens `root`'s values with `key`, once its `MACMethod/MACKey` (if any) is decrypted.
    ///
    /// # Errors
    /// [`SeedProblem::Decrypt`] for an unsupported MAC algorithm or a MAC key that does not
    /// decrypt (wrong key or password).
    pub(super) fn new<'k>(
        file: &str,
        root: &Container,
        key: &'k PreSharedKey,
    ) -> Result<Opener<'k>, SeedFileError> {
        Ok(Opener { key, mac_key: mac_key(file, root, key)? })
    }

    /// Decrypts `encrypted` (an `EncryptedValue`) after checking the `ValueMAC` of `holder`
    /// (MAC first, so a tampered value is reported as such, not as a bad key).
    pub(super) fn open(
        &self,
        file: &str,
        subject: &str,
        holder: &Value,
        encrypted: &Encrypted,
    ) -> Result<Zeroizing<Vec<u8>>, SeedFileError> {
        let fail = |at: Spot, reason: String| {
            at.place(file).error(SeedProblem::Decrypt { subject: subject.to_owned(), reason })
        };
        let sealed = cipher_value(encrypted).map_err(|reason| fail(encrypted.at, reason))?;
        let Some(mac_key) = &self.mac_key else {
            return Err(fail(
                encrypted.at,
                "encrypted value but no <MACMethod> in the <KeyContainer>".into(),
            ));
        };
        let mac_element = holder.mac.as_ref().ok_or_else(|| fail(holder.at, "missing <ValueMAC>".into()))?;
        let mac = base64(&mac_element.text)
            .ok_or_else(|| fail(mac_element.at, "<ValueMAC> is not valid base64".into()))?;
        if !pre_shared_key::value_mac_matches(mac_key, &sealed, &mac) {
            return Err(fail(
                mac_element.at,
                "<ValueMAC> does not match: wrong key or password, or altered value".into(),
            ));
        }
        self.key.decrypt(&sealed).map_err(|e| fail(encrypted.at, undecryptable(e)))
    }
}

/// The container's MAC key (`MACMethod/MACKey`, encrypted with the pre-shared key), if any.
fn mac_key(
    file: &str,
    root: &Container,
    key: &PreSharedKey,
) -> Result<Option<Zeroizing<Vec<u8>>>, SeedFileError> {
    let Some(method) = &root.mac_method else { return Ok(None) };
    let fail = |at: Spot, reason: String| {
        at.place(file).error(SeedProblem::Decrypt { subject: "<MACMethod>".to_owned(), reason })
    };
    only("MAC algorithm", method.algorithm.as_deref(), HMAC_SHA1)
        .map_err(|reason| fail(method.at, reason))?;
    let mac_key = method.key.as_ref().ok_or_else(|| fail(method.at, "missing <MACKey>".into()))?;
    let sealed = cipher_value(mac_key).map_err(|reason| fail(mac_key.at, reason))?;
    let opened = key.decrypt(&sealed).map_err(|e| fail(mac_key.at, undecryptable(e)))?;
    Ok(Some(opened))
}

/// The transport key from `password` and the file's `EncryptionKey/DerivedKey` PBKDF2
/// parameters (RFC 6030 section 6.2, Figure 7).
///
/// # Errors
/// [`SeedProblem::Decrypt`] for a missing or unsupported key derivation (only PBKDF2 with
/// HMAC-SHA1 and a 16-byte key), or more than [`MAX_PBKDF2_ITERATIONS`] iterations.
pub(super) fn derived_key(
    file: &str,
    root: &Container,
    password: &str,
) -> Result<PreSharedKey, SeedFileError> {
    let fail = |at: Spot, reason: String| {
        at.place(file).error(SeedProblem::Decrypt { subject: "<EncryptionKey>".to_owned(), reason })
    };
    let no_derivation =
        || fail(root.at, "a password was given but the file has no <EncryptionKey><DerivedKey>".into());
    let encryption_key = root.encryption_key.as_ref().ok_or_else(no_derivation)?;
    let derived = encryption_key.derived.as_ref().ok_or_else(no_derivation)?;
    let method =
        derived.method.as_ref().ok_or_else(|| fail(derived.at, "missing <KeyDerivationMethod>".into()))?;
    only("key derivation", method.algorithm.as_deref(), PBKDF2).map_err(|reason| fail(method.at, reason))?;
    let params = method.params.as_ref().ok_or_else(|| fail(method.at, "missing <PBKDF2-params>".into()))?;
    let salt = params
        .salt
        .as_ref()
        .and_then(|salt| salt.specified.as_ref())
        .and_then(|specified| base64(&specified.text))
        .ok_or_else(|| fail(params.at, "missing or invalid <Salt><Specified> (base64)".into()))?;
    let iterations = params
        .iteration_count
        .as_ref()
        .and_then(|count| count.trimmed().parse::<u32>().ok())
        .filter(|n| (1..=MAX_PBKDF2_ITERATIONS).contains(n))
        .ok_or_else(|| {
            fail(
                params.at,
                format!("<IterationCount> must be a whole number from 1 to {MAX_PBKDF2_ITERATIONS}"),
            )
        })?;
    if let Some(length) = &params.key_length
        && length.trimmed() != "16"
    {
        return Err(fail(length.at, "<KeyLength> must be 16 (AES-128)".into()));
    }
    if let Some(prf) = &params.prf
        && let Some(algorithm) = &prf.algorithm
        && !algorithm.ends_with("hmac-sha1")
    {
        return Err(fail(prf.at, format!("PRF {algorithm:?} is not supported (only HMAC-SHA1)")));
    }
    Ok(PreSharedKey::from_password(password.as_bytes(), &salt, iterations))
}

/// `EncryptionMethod` must be AES-128-CBC; returns the decoded `CipherData/CipherValue`.
fn cipher_value(encrypted: &Encrypted) -> Result<Vec<u8>, String> {
    let method = encrypted
        .method
        .as_ref()
        .and_then(Option::as_deref)
        .ok_or("missing xenc:EncryptionMethod Algorithm")?;
    only("encryption algorithm", Some(method), AES128_CBC)?;
    let value = encrypted
        .cipher_value
        .as_ref()
        .and_then(Option::as_ref)
        .ok_or("missing xenc:CipherData/xenc:CipherValue")?;
    base64(&value.text).ok_or_else(|| "xenc:CipherValue is not valid base64".to_owned())
}

/// `Ok` when the file names the `expected` algorithm URI, else why not.
fn only(what: &str, found: Option<&str>, expected: &str) -> Result<(), String> {
    match found {
        Some(found) if found == expected => Ok(()),
        other => Err(format!("{what} {:?} is not supported (only {expected})", other.unwrap_or(""))),
    }
}

fn undecryptable(error: Undecryptable) -> String {
    match error {
        Undecryptable::Length => "ciphertext is not an IV plus whole AES blocks".to_owned(),
        Undecryptable::Padding => "value does not decrypt: wrong key or password".to_owned(),
    }
}

/// Base64 with any whitespace inside (vendors wrap long values); `None` if it does not decode.
pub(super) fn base64(text: &str) -> Option<Vec<u8>> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    BASE64.decode(compact.as_bytes()).ok()
}

/// Encrypts values for `write_encrypted`: the pre-shared key, the MAC key, and the IV stream.
pub(super) struct Sealer<'k> {
    key: &'k PreSharedKey,
    mac_key: Zeroizing<[u8; 20]>,
    rng: ChaCha20Rng,
}

impl<'k> Sealer<'k> {
    /// A sealer whose MAC key and IVs come from ChaCha20 seeded with `seed`, on a stream of
    /// their own (so they share no bytes with sample-batch keys of the same seed).
    pub(super) fn new(key: &'k PreSharedKey, seed: u64) -> Self {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        rng.set_stream(stream::PSKC_TRANSPORT);
        let mut mac_key = Zeroizing::new([0u8; 20]);
        rng.fill_bytes(mac_key.as_mut_slice());
        Sealer { key, mac_key, rng }
    }

    /// `IV || ciphertext` of `plain` under a fresh IV.
    pub(super) fn seal(&mut self, plain: &[u8]) -> Vec<u8> {
        let mut iv = [0u8; 16];
        self.rng.fill_bytes(&mut iv);
        self.key.encrypt(iv, plain)
    }

    /// The MAC key, sealed for `MACMethod/MACKey`.
    pub(super) fn seal_mac_key(&mut self) -> Vec<u8> {
        let mac_key = self.mac_key.clone();
        self.seal(mac_key.as_slice())
    }

    /// The `ValueMAC` of a sealed value.
    pub(super) fn value_mac(&self, sealed: &[u8]) -> Vec<u8> {
        pre_shared_key::value_mac(self.mac_key.as_slice(), sealed)
    }
}
