//! The part of the PSKC schema (RFC 6030) this harness reads, as records: one type per element,
//! holding the values read from it and where its start tag is, so that later checks can point
//! at the element at fault. Where an element may repeat but the format means one, the first is
//! kept. Elements outside this part are skipped unread (their syntax is still checked).

use crate::provision::error::Place;

/// The PSKC XML namespace (RFC 6030).
pub const NAMESPACE: &str = "urn:ietf:params:xml:ns:keyprov:pskc";

/// The `Key/@Algorithm` URI of TOTP keys.
pub const TOTP_ALGORITHM: &str = "urn:ietf:params:xml:ns:keyprov:pskc:totp";

/// The XML Encryption namespace, of `EncryptionMethod` and `CipherData` (RFC 6030 section 6).
pub const XMLENC_NAMESPACE: &str = "http://www.w3.org/2001/04/xmlenc#";

/// The XML Signature namespace, of `EncryptionKey/KeyName`.
pub const XMLDSIG_NAMESPACE: &str = "http://www.w3.org/2000/09/xmldsig#";

/// Where an element is: the line of its start tag, and its name as messages may show it.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Spot {
    /// 1-based line of the start tag.
    pub(super) line: u64,
    /// The local name when messages may quote it ([`known_name`]), else `element`.
    pub(super) tag: &'static str,
}

impl Spot {
    /// This element's place in `file`, for errors.
    pub(super) fn place(self, file: &str) -> Place<'_> {
        Place { file, line: self.line, element: Some(self.tag) }
    }
}

/// The root element, which should be a PSKC 1.0 `KeyContainer` (checked after reading).
#[derive(Debug, Default)]
pub(super) struct Container {
    pub(super) at: Spot,
    /// The root's name as written, prefix included, for the message when it is not PSKC.
    pub(super) qualified: String,
    /// Whether the root is `KeyContainer` in the PSKC namespace; nothing else is read if not.
    pub(super) is_key_container: bool,
    pub(super) version: Option<String>,
    pub(super) encryption_key: Option<EncryptionKey>,
    pub(super) mac_method: Option<MacMethod>,
    pub(super) packages: Vec<KeyPackage>,
}

/// `EncryptionKey`: how the file's values are encrypted (only a derived key is read).
#[derive(Debug, Default)]
pub(super) struct EncryptionKey {
    /// `DerivedKey`, in any namespace (RFC 6030 Figure 7 uses xenc11).
    pub(super) derived: Option<DerivedKey>,
}

/// `DerivedKey` (section 6.2).
#[derive(Debug, Default)]
pub(super) struct DerivedKey {
    pub(super) at: Spot,
    pub(super) method: Option<KeyDerivationMethod>,
}

/// `KeyDerivationMethod` with its `Algorithm` URI.
#[derive(Debug, Default)]
pub(super) struct KeyDerivationMethod {
    pub(super) at: Spot,
    pub(super) algorithm: Option<String>,
    pub(super) params: Option<Pbkdf2Params>,
}

/// `PBKDF2-params`, whose children RFC 6030 Figure 7 leaves in no namespace.
#[derive(Debug, Default)]
pub(super) struct Pbkdf2Params {
    pub(super) at: Spot,
    /// `Salt/Specified`.
    pub(super) salt: Option<Salt>,
    pub(super) iteration_count: Option<Text>,
    pub(super) key_length: Option<Text>,
    pub(super) prf: Option<Prf>,
}

/// `Salt`: only a `Specified` salt is read.
#[derive(Debug, Default)]
pub(super) struct Salt {
    pub(super) specified: Option<Text>,
}

/// `PRF` with its `Algorithm` URI.
#[derive(Debug, Default)]
pub(super) struct Prf {
    pub(super) at: Spot,
    pub(super) algorithm: Option<String>,
}

/// `MACMethod` with its `Algorithm` URI and encrypted `MACKey`.
#[derive(Debug, Default)]
pub(super) struct MacMethod {
    pub(super) at: Spot,
    pub(super) algorithm: Option<String>,
    pub(super) key: Option<Encrypted>,
}

/// An encrypted value: `EncryptedValue`, or `MACKey`, which has the same content.
#[derive(Debug, Default)]
pub(super) struct Encrypted {
    pub(super) at: Spot,
    /// The first `xenc:EncryptionMethod`'s `Algorithm` (`Some(None)` when it has none).
    pub(super) method: Option<Option<String>>,
    /// The first `xenc:CipherValue` of the first `xenc:CipherData` (`Some(None)` when that
    /// `CipherData` has none).
    pub(super) cipher_value: Option<Option<Text>>,
}

/// `KeyPackage`: one token.
#[derive(Debug, Default)]
pub(super) struct KeyPackage {
    pub(super) at: Spot,
    /// `DeviceInfo/SerialNo` (`Some(None)` for a `DeviceInfo` without one).
    pub(super) serial_no: Option<Option<Text>>,
    pub(super) key: Option<Key>,
    /// Where a second `Key` is, which this harness cannot represent.
    pub(super) second_key: Option<Spot>,
}

/// `Key` with its `Id` and `Algorithm` attributes.
#[derive(Debug, Default)]
pub(super) struct Key {
    pub(super) at: Spot,
    pub(super) id: Option<String>,
    pub(super) algorithm: Option<String>,
    pub(super) parameters: Option<AlgorithmParameters>,
    pub(super) data: Option<Data>,
}

/// `AlgorithmParameters`.
#[derive(Debug, Default)]
pub(super) struct AlgorithmParameters {
    pub(super) at: Spot,
    pub(super) suite: Option<Suite>,
    pub(super) response_format: Option<ResponseFormat>,
}

/// `Suite`: the hash as text, or as privacyIDEA's `hashalgo` attribute.
#[derive(Debug, Default)]
pub(super) struct Suite {
    pub(super) text: Text,
    pub(super) hashalgo: Option<String>,
}

/// `ResponseFormat` with its `Length` and `Encoding` attributes.
#[derive(Debug, Default)]
pub(super) struct ResponseFormat {
    pub(super) at: Spot,
    pub(super) length: Option<String>,
    pub(super) encoding: Option<String>,
}

/// `Data`: the key and the TOTP parameters.
#[derive(Debug, Default)]
pub(super) struct Data {
    pub(super) at: Spot,
    pub(super) secret: Option<Value>,
    pub(super) counter: Option<Value>,
    pub(super) time: Option<Value>,
    pub(super) time_interval: Option<Value>,
    pub(super) time_drift: Option<Value>,
}

/// A `Data` child (`Secret`, `Time`, ...): a plain or an encrypted value, and its MAC.
#[derive(Debug, Default)]
pub(super) struct Value {
    pub(super) at: Spot,
    pub(super) plain: Option<Text>,
    pub(super) encrypted: Option<Encrypted>,
    /// `ValueMAC`.
    pub(super) mac: Option<Text>,
}

/// An element read for its text (entities resolved, CDATA included).
#[derive(Debug, Default)]
pub(super) struct Text {
    pub(super) at: Spot,
    pub(super) text: String,
}

impl Text {
    /// The text without surrounding whitespace.
    pub(super) fn trimmed(&self) -> &str {
        self.text.trim()
    }
}

/// Keeps the first of an element the format means to appear once.
pub(super) fn keep_first<T>(slot: &mut Option<T>, value: T) {
    if slot.is_none() {
        *slot = Some(value);
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
pub(super) fn known_name(local: &str) -> Option<&'static str> {
    ELEMENT_NAMES.iter().find(|known| **known == local).copied()
}

/// A qualified name from the document as messages may show it: `<pskc:Key>` for known
/// names, `an element` otherwise.
pub(super) fn shown(qualified: &str) -> String {
    let local = qualified.rsplit_once(':').map_or(qualified, |(_, local)| local);
    match known_name(local) {
        Some(_) => format!("<{qualified}>"),
        None => "an element".to_owned(),
    }
}
