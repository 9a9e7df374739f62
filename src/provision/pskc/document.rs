//! A PSKC document's XML read into the [`schema`](super::schema) records, in one pass over
//! quick-xml's events.
//!
//! What makes this safe on hostile files: quick-xml does not process DTDs, so a `DOCTYPE` is
//! skipped unread, no entity it declares is ever expanded and no external entity or DTD is
//! fetched; a reference to any entity but the five predefined ones is an error where it is
//! used. Elements may nest at most [`MAX_DEPTH`] deep. Only the values PSKC reading needs are
//! kept, so memory follows the tokens in the file, not its markup. quick-xml is lenient about
//! some well-formedness rules, so the XML declaration and attribute layout are checked here.

use quick_xml::NsReader;
use quick_xml::XmlVersion;
use quick_xml::events::attributes::{AttrError, Attributes};
use quick_xml::events::{BytesDecl, BytesStart, Event};
use quick_xml::name::ResolveResult;

use super::schema::{
    AlgorithmParameters, Container, Data, DerivedKey, Encrypted, EncryptionKey, Key, KeyDerivationMethod,
    KeyPackage, MacMethod, NAMESPACE, Pbkdf2Params, Prf, ResponseFormat, Salt, Spot, Suite, Text, Value,
    XMLENC_NAMESPACE, keep_first, known_name, shown,
};
use crate::provision::error::{Place, SeedFileError, SeedProblem};

/// The deepest elements may nest: four times the deepest element RFC 6030 defines
/// (`KeyContainer/KeyPackage/Key/Data/Secret/EncryptedValue/CipherData/CipherValue`).
pub const MAX_DEPTH: usize = 32;

/// Reads the document `text` (from the file `file`, for messages) into its root record.
///
/// # Errors
/// The first syntax error, as [`SeedProblem::Syntax`] with its line.
pub(super) fn read(file: &str, text: &str) -> Result<Container, SeedFileError> {
    let mut reader = NsReader::from_str(text);
    let mut lines = LineCounter::default();
    let mut open: Vec<Frame> = Vec::new();
    let mut root: Option<Container> = None;
    let syntax = |line, reason: String| {
        Place { file, line, element: None }.error(SeedProblem::Syntax { format: "XML", reason })
    };
    loop {
        let start = reader.buffer_position();
        let (namespace, event) = match reader.read_resolved_event() {
            Ok(read) => read,
            Err(e) => return Err(syntax(lines.line_at(text, reader.error_position()), xml_error_reason(&e))),
        };
        let line = lines.line_at(text, start);
        let syntax_here = |reason: String| syntax(line, reason);
        let namespace = match namespace {
            ResolveResult::Bound(ns) if ns.0 == NAMESPACE => Namespace::Pskc,
            ResolveResult::Bound(ns) if ns.0 == XMLENC_NAMESPACE => Namespace::XmlEnc,
            ResolveResult::Unknown(_) => {
                return Err(syntax_here("an element uses a namespace prefix that is not declared".into()));
            }
            _ => Namespace::Other,
        };
        if open.is_empty() && root.is_some() && matches!(event, Event::Start(_) | Event::Empty(_)) {
            return Err(syntax_here("a second element after the root element".into()));
        }
        match event {
            Event::Start(_) | Event::Empty(_) if open.len() >= MAX_DEPTH => {
                return Err(syntax_here(format!("elements nested more than {MAX_DEPTH} deep")));
            }
            Event::Start(tag) => {
                open.push(Frame::open(open.last(), &tag, namespace, line).map_err(syntax_here)?);
            }
            Event::Empty(tag) => {
                let frame = Frame::open(open.last(), &tag, namespace, line).map_err(syntax_here)?;
                close(frame, &mut open, &mut root);
            }
            Event::End(_) => {
                let Some(frame) = open.pop() else {
                    return Err(syntax_here("end tag without a start tag".into()));
                };
                // PSKC has no mixed content: text beside child elements means damage (say a
                // stray `<` in a value), and reading either part would be a guess.
                if frame.has_children && frame.has_text {
                    let reason = format!("text mixed with child elements in {}", shown(&frame.qualified));
                    return Err(syntax(frame.line, reason));
                }
                close(frame, &mut open, &mut root);
            }
            Event::Text(t) => match open.last_mut() {
                Some(current) => current.push_text(&t.xml10_content()),
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
                Some(current) => current.push_text(&t.xml10_content()),
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
                    Some(current) => current.push_text(&resolved),
                    None => return Err(syntax_here("text outside the root element".into())),
                }
            }
            Event::Decl(declaration) => {
                check_declaration(&declaration)
                    .map_err(|reason| syntax_here(format!("XML declaration: {reason}")))?;
            }
            Event::Eof => {
                return match (open.last(), root) {
                    (Some(e), _) => Err(syntax_here(format!("document ends inside {}", shown(&e.qualified)))),
                    (None, Some(root)) => Ok(root),
                    (None, None) => Err(syntax_here("no root element".to_owned())),
                };
            }
            Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
        }
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

/// An element whose end tag has not been read yet.
struct Frame {
    /// What the element becomes in the schema.
    record: Record,
    /// The name as written, for messages.
    qualified: String,
    /// Line of the start tag.
    line: u64,
    has_children: bool,
    /// Whether it holds text other than whitespace.
    has_text: bool,
}

impl Frame {
    /// The frame of the element `tag`, a child of `parent` (`None` for the root).
    fn open(
        parent: Option<&Frame>,
        tag: &BytesStart<'_>,
        namespace: Namespace,
        line: u64,
    ) -> Result<Frame, String> {
        let qualified = tag.name().as_ref().to_owned();
        let local = tag.local_name();
        let local = local.as_ref();
        let attributes = attributes(tag).map_err(|reason| format!("{reason} in {}", shown(&qualified)))?;
        let at = Spot { line, tag: known_name(local).unwrap_or("element") };
        let record = match parent {
            None => Record::Container(Box::new(Container {
                at,
                qualified: qualified.clone(),
                is_key_container: namespace == Namespace::Pskc && local == "KeyContainer",
                version: attributes.get("Version"),
                ..Container::default()
            })),
            Some(parent) => Record::child(&parent.record, namespace, local, at, &attributes),
        };
        Ok(Frame { record, qualified, line, has_children: false, has_text: false })
    }

    /// Text directly inside the element: kept where the schema reads it.
    fn push_text(&mut self, piece: &str) {
        self.has_text |= !piece.trim().is_empty();
        if let Some(text) = self.record.text_mut() {
            text.push_str(piece);
        }
    }
}

/// The element `frame` is complete: it joins its parent's record, or becomes the root.
fn close(frame: Frame, open: &mut [Frame], root: &mut Option<Container>) {
    match open.last_mut() {
        Some(parent) => {
            parent.has_children = true;
            parent.record.attach(frame.record);
        }
        None => {
            if let Record::Container(container) = frame.record {
                *root = Some(*container);
            }
        }
    }
}

/// What an open element is building: a schema record, or nothing for elements not read. The
/// large records are boxed, so that opening and closing an element moves about 220 bytes
/// rather than 1.4 kB (a whole `KeyPackage`); moving them was the largest cost in a profile.
enum Record {
    Container(Box<Container>),
    EncryptionKey(Box<EncryptionKey>),
    DerivedKey(DerivedKey),
    KeyDerivationMethod(KeyDerivationMethod),
    Pbkdf2Params(Pbkdf2Params),
    Salt(Salt),
    Prf(Prf),
    MacMethod(MacMethod),
    /// `MACKey` or `EncryptedValue`.
    Encrypted(Encrypted),
    /// `xenc:EncryptionMethod` with its `Algorithm`.
    EncryptionMethod(Option<String>),
    /// `xenc:CipherData` with its first `CipherValue`.
    CipherData(Option<Text>),
    /// `DeviceInfo` with its first `SerialNo`.
    DeviceInfo(Option<Text>),
    KeyPackage(Box<KeyPackage>),
    Key(Box<Key>),
    AlgorithmParameters(AlgorithmParameters),
    Suite(Suite),
    ResponseFormat(ResponseFormat),
    Data(Box<Data>),
    Value(DataField, Value),
    Text(TextField, Text),
    /// An element PSKC reading does not use, and everything inside it.
    Skipped,
}

/// Which `Data` child a [`Value`] is.
#[derive(Clone, Copy)]
enum DataField {
    Secret,
    Counter,
    Time,
    TimeInterval,
    TimeDrift,
}

/// Which element a [`Text`] is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TextField {
    SerialNo,
    PlainValue,
    ValueMac,
    CipherValue,
    Specified,
    IterationCount,
    KeyLength,
}

impl Record {
    /// The record for an element `local` in `namespace` inside `parent`: the part of the
    /// schema this harness reads, as a table of (parent, child).
    fn child(
        parent: &Record,
        namespace: Namespace,
        local: &str,
        at: Spot,
        attributes: &AttributeList,
    ) -> Record {
        use Namespace::{Pskc, XmlEnc};
        let text = |field| Record::Text(field, Text { at, text: String::new() });
        let value = |field| Record::Value(field, Value { at, ..Value::default() });
        let attribute = |name| attributes.get(name);
        match (parent, namespace, local) {
            (Record::Container(root), _, _) if !root.is_key_container => Record::Skipped,
            (Record::Container(_), Pskc, "EncryptionKey") => Record::EncryptionKey(Box::default()),
            (Record::Container(_), Pskc, "MACMethod") => {
                Record::MacMethod(MacMethod { at, algorithm: attribute("Algorithm"), key: None })
            }
            (Record::Container(_), Pskc, "KeyPackage") => {
                Record::KeyPackage(Box::new(KeyPackage { at, ..KeyPackage::default() }))
            }
            // RFC 6030 section 6.2 mixes the xenc11 and pkcs5 namespaces with none at all.
            (Record::EncryptionKey(_), _, "DerivedKey") => {
                Record::DerivedKey(DerivedKey { at, method: None })
            }
            (Record::DerivedKey(_), _, "KeyDerivationMethod") => {
                Record::KeyDerivationMethod(KeyDerivationMethod {
                    at,
                    algorithm: attribute("Algorithm"),
                    params: None,
                })
            }
            (Record::KeyDerivationMethod(_), _, "PBKDF2-params") => {
                Record::Pbkdf2Params(Pbkdf2Params { at, ..Pbkdf2Params::default() })
            }
            (Record::Pbkdf2Params(_), _, "Salt") => Record::Salt(Salt::default()),
            (Record::Pbkdf2Params(_), _, "IterationCount") => text(TextField::IterationCount),
            (Record::Pbkdf2Params(_), _, "KeyLength") => text(TextField::KeyLength),
            (Record::Pbkdf2Params(_), _, "PRF") => Record::Prf(Prf { at, algorithm: attribute("Algorithm") }),
            (Record::Salt(_), _, "Specified") => text(TextField::Specified),
            (Record::MacMethod(_), Pskc, "MACKey") => {
                Record::Encrypted(Encrypted { at, ..Encrypted::default() })
            }
            (Record::Encrypted(_), XmlEnc, "EncryptionMethod") => {
                Record::EncryptionMethod(attribute("Algorithm"))
            }
            (Record::Encrypted(_), XmlEnc, "CipherData") => Record::CipherData(None),
            (Record::CipherData(_), XmlEnc, "CipherValue") => text(TextField::CipherValue),
            (Record::KeyPackage(_), Pskc, "DeviceInfo") => Record::DeviceInfo(None),
            (Record::DeviceInfo(_), Pskc, "SerialNo") => text(TextField::SerialNo),
            (Record::KeyPackage(_), Pskc, "Key") => Record::Key(Box::new(Key {
                at,
                id: attribute("Id"),
                algorithm: attribute("Algorithm"),
                ..Key::default()
            })),
            (Record::Key(_), Pskc, "AlgorithmParameters") => {
                Record::AlgorithmParameters(AlgorithmParameters { at, ..AlgorithmParameters::default() })
            }
            (Record::Key(_), Pskc, "Data") => Record::Data(Box::new(Data { at, ..Data::default() })),
            (Record::AlgorithmParameters(_), Pskc, "Suite") => Record::Suite(Suite {
                text: Text { at, text: String::new() },
                hashalgo: attribute("hashalgo"),
            }),
            (Record::AlgorithmParameters(_), Pskc, "ResponseFormat") => {
                Record::ResponseFormat(ResponseFormat {
                    at,
                    length: attribute("Length"),
                    encoding: attribute("Encoding"),
                })
            }
            (Record::Data(_), Pskc, "Secret") => value(DataField::Secret),
            (Record::Data(_), Pskc, "Counter") => value(DataField::Counter),
            (Record::Data(_), Pskc, "Time") => value(DataField::Time),
            (Record::Data(_), Pskc, "TimeInterval") => value(DataField::TimeInterval),
            (Record::Data(_), Pskc, "TimeDrift") => value(DataField::TimeDrift),
            (Record::Value(..), Pskc, "PlainValue") => text(TextField::PlainValue),
            (Record::Value(..), Pskc, "EncryptedValue") => {
                Record::Encrypted(Encrypted { at, ..Encrypted::default() })
            }
            (Record::Value(..), Pskc, "ValueMAC") => text(TextField::ValueMac),
            _ => Record::Skipped,
        }
    }

    /// Puts the finished `child` (made by [`Record::child`] for this parent) in its place.
    fn attach(&mut self, child: Record) {
        match (self, child) {
            (Record::Container(c), Record::EncryptionKey(e)) => keep_first(&mut c.encryption_key, *e),
            (Record::Container(c), Record::MacMethod(m)) => keep_first(&mut c.mac_method, m),
            (Record::Container(c), Record::KeyPackage(p)) => c.packages.push(*p),
            (Record::EncryptionKey(e), Record::DerivedKey(d)) => keep_first(&mut e.derived, d),
            (Record::DerivedKey(d), Record::KeyDerivationMethod(m)) => keep_first(&mut d.method, m),
            (Record::KeyDerivationMethod(m), Record::Pbkdf2Params(p)) => keep_first(&mut m.params, p),
            (Record::Pbkdf2Params(p), Record::Salt(s)) => keep_first(&mut p.salt, s),
            (Record::Pbkdf2Params(p), Record::Prf(prf)) => keep_first(&mut p.prf, prf),
            (Record::Pbkdf2Params(p), Record::Text(TextField::IterationCount, t)) => {
                keep_first(&mut p.iteration_count, t)
            }
            (Record::Pbkdf2Params(p), Record::Text(TextField::KeyLength, t)) => {
                keep_first(&mut p.key_length, t)
            }
            (Record::Salt(s), Record::Text(TextField::Specified, t)) => keep_first(&mut s.specified, t),
            (Record::MacMethod(m), Record::Encrypted(e)) => keep_first(&mut m.key, e),
            (Record::Encrypted(e), Record::EncryptionMethod(a)) => keep_first(&mut e.method, a),
            (Record::Encrypted(e), Record::CipherData(v)) => keep_first(&mut e.cipher_value, v),
            (Record::CipherData(v), Record::Text(TextField::CipherValue, t)) => keep_first(v, t),
            (Record::KeyPackage(p), Record::DeviceInfo(serial)) => keep_first(&mut p.serial_no, serial),
            (Record::KeyPackage(p), Record::Key(k)) => match p.key {
                None => p.key = Some(*k),
                Some(_) => keep_first(&mut p.second_key, k.at),
            },
            (Record::DeviceInfo(serial), Record::Text(TextField::SerialNo, t)) => keep_first(serial, t),
            (Record::Key(k), Record::AlgorithmParameters(a)) => keep_first(&mut k.parameters, a),
            (Record::Key(k), Record::Data(d)) => keep_first(&mut k.data, *d),
            (Record::AlgorithmParameters(a), Record::Suite(s)) => keep_first(&mut a.suite, s),
            (Record::AlgorithmParameters(a), Record::ResponseFormat(f)) => {
                keep_first(&mut a.response_format, f)
            }
            (Record::Data(d), Record::Value(field, v)) => keep_first(
                match field {
                    DataField::Secret => &mut d.secret,
                    DataField::Counter => &mut d.counter,
                    DataField::Time => &mut d.time,
                    DataField::TimeInterval => &mut d.time_interval,
                    DataField::TimeDrift => &mut d.time_drift,
                },
                v,
            ),
            (Record::Value(_, v), Record::Text(TextField::PlainValue, t)) => keep_first(&mut v.plain, t),
            (Record::Value(_, v), Record::Encrypted(e)) => keep_first(&mut v.encrypted, e),
            (Record::Value(_, v), Record::Text(TextField::ValueMac, t)) => keep_first(&mut v.mac, t),
            _ => {}
        }
    }

    /// Where the element's text goes, for the elements read for their text.
    fn text_mut(&mut self) -> Option<&mut String> {
        match self {
            Record::Text(_, text) | Record::Suite(Suite { text, .. }) => Some(&mut text.text),
            _ => None,
        }
    }
}

/// An element's unprefixed attributes (namespace declarations left out), values normalised.
#[derive(Default)]
struct AttributeList(Vec<(String, String)>);

impl AttributeList {
    fn get(&self, name: &str) -> Option<String> {
        self.0.iter().find(|(key, _)| key == name).map(|(_, value)| value.clone())
    }
}

/// Every attribute of `tag` checked, and the unprefixed ones kept.
fn attributes(tag: &BytesStart<'_>) -> Result<AttributeList, &'static str> {
    let mut list = AttributeList::default();
    for attribute in tag.attributes() {
        let attribute = attribute.map_err(attribute_problem)?;
        let value = attribute
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|_| "invalid entity or character reference in an attribute")?;
        let key = attribute.key.as_ref();
        if key != "xmlns" && !key.contains(':') {
            list.0.push((key.to_owned(), value.into_owned()));
        }
    }
    attribute_layout(tag.attributes_raw())?;
    Ok(list)
}

/// The XML declaration's grammar (XML 1.0 section 2.8): `version`, then optionally `encoding`
/// and `standalone`, in that order, with valid values. quick-xml reads the declaration
/// lazily and checks none of this.
fn check_declaration(declaration: &BytesDecl<'_>) -> Result<(), &'static str> {
    let content: &str = declaration;
    let raw = content.strip_prefix("xml").unwrap_or(content);
    let mut previous: Option<&'static str> = None;
    for attribute in Attributes::new(raw, 0) {
        let attribute = attribute.map_err(attribute_problem)?;
        let value = attribute.value.as_ref();
        let name = match attribute.key.as_ref() {
            "version" => "version",
            "encoding" => "encoding",
            "standalone" => "standalone",
            _ => return Err("only version, encoding and standalone may appear"),
        };
        match (previous, name) {
            (None, "version") if !is_version(value) => return Err("the version must be 1.0 or another 1.x"),
            (None, "version") => {}
            (None, _) | (Some(_), "version") => return Err("the version must come first"),
            (Some("standalone"), "encoding") => return Err("the encoding must come before standalone"),
            (_, "encoding") if !is_encoding_name(value) => {
                return Err("the encoding is not a valid encoding name");
            }
            (_, "standalone") if !matches!(value, "yes" | "no") => {
                return Err("standalone must be \"yes\" or \"no\"");
            }
            _ => {}
        }
        previous = Some(name);
    }
    if previous.is_none() {
        return Err("the version must come first");
    }
    attribute_layout(raw)
}

/// `1.` and digits (XML 1.0 fifth edition, `VersionNum`).
fn is_version(value: &str) -> bool {
    value
        .strip_prefix("1.")
        .is_some_and(|minor| !minor.is_empty() && minor.bytes().all(|b| b.is_ascii_digit()))
}

/// `[A-Za-z] ([A-Za-z0-9._] | '-')*` (XML 1.0 `EncName`).
fn is_encoding_name(value: &str) -> bool {
    let mut bytes = value.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// What XML requires of attributes and quick-xml lets through: whitespace before each one
/// (`Length="6"Encoding="DECIMAL"` is not XML) and no `<` in a value. `raw` is what follows
/// the element name (or `xml` in the declaration), whose quotes quick-xml found balanced.
fn attribute_layout(raw: &str) -> Result<(), &'static str> {
    let bytes = raw.as_bytes();
    let is_space = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let mut at = 0;
    loop {
        let gap = bytes[at..].iter().take_while(|b| is_space(b)).count();
        if at + gap == bytes.len() {
            return Ok(());
        }
        if gap == 0 {
            return Err("attributes not separated by whitespace");
        }
        at += gap;
        let Some(open) = bytes[at..].iter().position(|b| matches!(b, b'"' | b'\'')) else {
            return Err("an attribute without a value");
        };
        let value_start = at + open + 1;
        let quote = bytes[at + open];
        let Some(length) = bytes[value_start..].iter().position(|b| *b == quote) else {
            return Err("an attribute value whose quote is never closed");
        };
        if bytes[value_start..value_start + length].contains(&b'<') {
            return Err("`<` in an attribute value");
        }
        at = value_start + length + 1;
    }
}

/// quick-xml's attribute error as a message that quotes nothing from the document.
fn attribute_problem(error: AttrError) -> &'static str {
    match error {
        AttrError::ExpectedEq(_) => "an attribute name without `=` and a value",
        AttrError::ExpectedValue(_) => "an attribute without a value",
        AttrError::UnquotedValue(_) => "an attribute value without quotes",
        AttrError::ExpectedQuote(..) => "an attribute value whose quote is never closed",
        AttrError::Duplicated(..) => "the same attribute twice",
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
        quick_xml::Error::InvalidAttr(error) => attribute_problem(error.clone()).to_owned(),
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
