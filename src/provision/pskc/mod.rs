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
//!   a non-zero `Data/TimeDrift` is refused, because [`TokenSeed`](crate::provision::TokenSeed) has no drift field.
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
//! Files, one concept each: `document` reads the XML with quick-xml into `schema` records
//! (syntax, limits, lines); `reading` turns the records into seeds; `encryption` opens and
//! seals encrypted values; `writing` writes files. Why quick-xml: `docs/provision.md`.
//! No DTD is processed: no entity is expanded and nothing outside the file is read.

mod document;
mod encryption;
mod reading;
mod schema;
mod writing;

pub use document::MAX_DEPTH;
pub use reading::{parse, parse_encrypted, parse_with_password};
pub use schema::{NAMESPACE, TOTP_ALGORITHM, XMLDSIG_NAMESPACE, XMLENC_NAMESPACE};
pub use writing::{MANUFACTURER, write, write_encrypted};
