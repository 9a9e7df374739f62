//! The profile file as written: serde structs over TOML, with spans kept on the values a
//! check may refuse, so errors name file, line and key. `docs/profiles.md` documents every
//! field; `servers/privacyidea/profile.toml` is the worked example.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::protocol::{DeviceKind, LifecycleEvent, Method, RejectReason};

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileFile {
    /// Name, base URL, timeouts.
    pub target: TargetSection,
    /// Secrets by name: where each comes from (environment or file, never the command line).
    #[serde(default)]
    pub secrets: BTreeMap<String, SecretSource>,
    /// How the harness signs in as the server's administrator.
    pub admin: Option<AdminSection>,
    /// How the server's time is read.
    #[serde(default)]
    pub clock: ClockSection,
    /// The policy numbers scenarios refer to by name (none declared without it).
    #[serde(default)]
    pub policy: PolicySection,
    /// Which capabilities the profile maps, and why the others are not applicable.
    pub capabilities: CapabilitySection,
    /// Named templates computed from other variables (`account = "{{user}}-{{scenario}}"`).
    #[serde(default)]
    pub derive: BTreeMap<String, Spanned<String>>,
    /// Requests sent once when the harness connects (configuring the SMS gateway, say).
    #[serde(default)]
    pub connect: Vec<RequestSpec>,
    /// Harness operations, by name, each a request with optional follow-ups.
    #[serde(default)]
    pub operations: BTreeMap<String, Spanned<RequestSpec>>,
    /// Ordered response rules, by name.
    #[serde(default)]
    pub rules: BTreeMap<String, Vec<Spanned<RuleSpec>>>,
    /// Where the SMS sink listens and how it reads what the server posts.
    pub sms_sink: Option<SmsSinkSection>,
}

/// `[target]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetSection {
    /// For reports.
    pub name: String,
    /// `http://` or `https://` URL; `${ENV}` expanded.
    pub base_url: Spanned<String>,
    /// Connect timeout.
    #[serde(default = "default_connect_ms")]
    pub connect_timeout_ms: u64,
    /// Whole-request timeout.
    #[serde(default = "default_request_ms")]
    pub request_timeout_ms: u64,
    /// Variables whose values are redacted wherever they could appear (codes, keys, URIs).
    #[serde(default)]
    pub secret_variables: Vec<String>,
}

fn default_connect_ms() -> u64 {
    2_000
}

fn default_request_ms() -> u64 {
    10_000
}

/// `[secrets.NAME]`: the environment variable, else the file. Both `${ENV}` expanded.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretSource {
    /// Environment variable holding the secret.
    pub env: Option<String>,
    /// File whose first line is the secret.
    pub file: Option<String>,
}

/// `[admin]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminSection {
    /// The sign-in request.
    pub login: RequestSpec,
    /// JSON pointer to the token in its answer.
    pub token: String,
    /// Header that carries the token on `auth = "admin"` requests.
    pub header: String,
    /// The header's value, a template over `admin_token`.
    pub value: Spanned<String>,
    /// Status that means "token expired": sign in again once and repeat.
    #[serde(default = "default_reauth")]
    pub reauth_status: u16,
}

fn default_reauth() -> u16 {
    401
}

/// `[clock]`: how the harness knows the server's time, and whether it sets it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockSection {
    /// A request whose answer carries the server's time: sent at connect, and at the start of
    /// every scenario on a real clock. Required.
    pub probe: Option<RequestSpec>,
    /// JSON pointer to the server's Unix time in seconds (integer or fraction) in any answer.
    pub time_pointer: Option<String>,
    /// Read the `Date` header where the time pointer finds nothing.
    #[serde(default)]
    pub date_header: bool,
    /// A libfaketime timestamp file the server takes its clock from (`FAKETIME_TIMESTAMP_FILE`);
    /// the harness writes each operation's simulated time into it. Empty or absent: the server
    /// runs on its real clock.
    pub faketime_file: Option<Spanned<String>>,
    /// The latest time the server's clock can be set to, and why: a scenario that sets it
    /// later is not applicable there.
    pub latest: Option<LatestClock>,
}

/// `[clock] latest`: the end of the time a server can keep.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LatestClock {
    /// Unix seconds.
    pub unix: u64,
    /// Why the server cannot go further, for the not-applicable reason.
    pub why: String,
}

/// `[policy]`: every number optional; a scenario that needs one the profile does not declare
/// is not applicable, with the number's name as the reason.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicySection {
    /// Consecutive failures that lock.
    pub lockout_threshold: Option<u32>,
    /// How long a lock lasts, in seconds (0 if only an administrator clears it).
    pub lockout_duration_secs: Option<u64>,
    /// Wrong answers one SMS code survives.
    pub sms_max_attempts: Option<u32>,
    /// How long an SMS code stays valid after it is sent, in seconds.
    pub sms_lifetime_secs: Option<u64>,
    /// Time steps the window accepts before the current one.
    pub window_behind_steps: Option<u64>,
    /// Time steps the window accepts after the current one.
    pub window_ahead_steps: Option<u64>,
    /// How long a prompt the server holds (second factor after the password, an open binding)
    /// waits for its answer, in seconds.
    pub prompt_lifetime_secs: Option<u64>,
    /// Time steps a resynchronisation searches either side.
    pub resync_range_steps: Option<u64>,
}

/// `[capabilities]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapabilitySection {
    /// Capability names the profile maps (`virtual-mfa`, ...).
    pub maps: Vec<Spanned<String>>,
    /// Why each other capability is not applicable.
    #[serde(default)]
    pub not_applicable: BTreeMap<String, Spanned<String>>,
}

/// One request (or, without `path`, a fixed outcome), with follow-ups in `then`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestSpec {
    /// `GET`, `POST`, `PUT`, `PATCH` or `DELETE`.
    pub method: Option<Spanned<String>>,
    /// Path below the base URL (template).
    pub path: Option<Spanned<String>>,
    /// URL query parameters (templates).
    #[serde(default)]
    pub query: BTreeMap<String, Spanned<String>>,
    /// `application/x-www-form-urlencoded` body fields (templates).
    #[serde(default)]
    pub form: BTreeMap<String, Spanned<String>>,
    /// `multipart/form-data` text fields (templates).
    #[serde(default)]
    pub multipart: BTreeMap<String, Spanned<String>>,
    /// A JSON body; every string in it is a template.
    pub json: Option<toml::Value>,
    /// Extra headers (templates).
    #[serde(default)]
    pub headers: BTreeMap<String, Spanned<String>>,
    /// `admin` adds the admin header; `none` (default) sends none.
    #[serde(default)]
    pub auth: Auth,
    /// The rule set that reads the answer (default: any 2xx is `ok`, anything else an error).
    pub rules: Option<Spanned<String>>,
    /// Variables to read from the answer: name -> JSON pointer, or `{ header = "Name" }`.
    #[serde(default)]
    pub extract: BTreeMap<String, Source>,
    /// For a step without `path`: the outcome it stands for.
    pub outcome: Option<RuleSpec>,
    /// Variables to set after the step (templates), e.g. `answer_op` on a prompt.
    #[serde(default)]
    pub set: BTreeMap<String, Spanned<String>>,
    /// For `authenticator_record`: the life-cycle events listed in the answer.
    pub record: Option<RecordFrom>,
    /// Requests sent after this one while each outcome is `ok`.
    #[serde(default)]
    pub then: Vec<RequestSpec>,
}

/// Where an extract reads its value in an answer.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Source {
    /// A JSON pointer into the body (`"/data/tx"`).
    Pointer(String),
    /// A response header, by name in any case (`{ header = "Location" }`).
    Header {
        /// The header's name.
        header: String,
    },
}

/// Authenticator life-cycle events listed in an answer (a server's audit log, say): `each`
/// points at an array; in each element `at` points at the time, and `kind` and `event` sort it
/// by patterns. An element that either leaves unsorted is some other entry, and is skipped.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordFrom {
    /// JSON pointer to an array.
    pub each: String,
    /// JSON pointer into each element to its time: Unix seconds, or an ISO 8601 date and time
    /// (UTC when it names no offset).
    pub at: String,
    /// Which device an element is about.
    pub kind: Sort<DeviceKind>,
    /// What happened to it.
    pub event: Sort<LifecycleEvent>,
}

/// Sorts an element by the text at `field`: each key of `map` is a pattern (`*` stands for any
/// text, so `"*-virtual"` is every text ending `-virtual`), and the element gets the value of
/// the one pattern its text matches. Text matching two patterns is an error, never a guess.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sort<T> {
    /// JSON pointer into each element.
    pub field: String,
    /// Pattern -> value.
    pub map: BTreeMap<String, T>,
}

/// Which credentials a request carries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Auth {
    /// None.
    #[default]
    None,
    /// The admin header.
    Admin,
}

/// One response rule: when `when` holds, the answer means `result`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// The condition (empty: always).
    #[serde(default)]
    pub when: Condition,
    /// What the answer means.
    pub result: ResultKind,
    /// For `rejected`: why.
    pub reason: Option<RejectReason>,
    /// For `challenge`: the methods offered (fixed).
    #[serde(default)]
    pub methods: Vec<Method>,
    /// For `challenge`: read the methods from the answer instead.
    pub methods_from: Option<MethodsFrom>,
    /// For `binding`: the device kind.
    pub kind: Option<DeviceKind>,
    /// For `binding`: JSON pointer to the `otpauth://` URI.
    pub uri_pointer: Option<String>,
    /// For `binding`: JSON pointer to the QR code as a `data:image/png;base64,` URI.
    pub qr_pointer: Option<String>,
    /// For `error`: JSON pointer to the server's message.
    pub message_pointer: Option<String>,
    /// For `error`: a fixed message.
    pub message: Option<String>,
}

/// Methods listed in the answer: `each` points at an array, `field` into each element, `map`
/// turns the server's words into methods (unmapped words are ignored).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MethodsFrom {
    /// JSON pointer to an array.
    pub each: String,
    /// JSON pointer into each element (empty: the element itself).
    #[serde(default)]
    pub field: String,
    /// Server word -> method.
    pub map: BTreeMap<String, Method>,
}

/// What an answer means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResultKind {
    /// Setup done; go on to the next step.
    Ok,
    /// Accepted, without a new session.
    Accepted,
    /// Accepted, and a session is open (sign-ins).
    Session,
    /// Rejected with `reason`.
    Rejected,
    /// A second-factor or identity prompt.
    Challenge,
    /// A confirmation box.
    Confirm,
    /// A binding is open.
    Binding,
    /// An SMS was sent.
    SmsSent,
    /// No verdict: a harness error quoting the request and the answer.
    Error,
}

/// A test on an answer. Every part given must hold.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// The HTTP status is one of these.
    #[serde(default)]
    pub status: StatusSet,
    /// JSON pointer the other tests look at.
    pub pointer: Option<String>,
    /// Or a response header (by name, any case) whose value they look at, as a string.
    pub header: Option<String>,
    /// The value there equals this.
    pub equals: Option<toml::Value>,
    /// The value there is one of these.
    #[serde(default)]
    pub one_of: Vec<toml::Value>,
    /// The value there is a string containing this.
    pub contains: Option<String>,
    /// The value is there (true) or not (false). Default with only `pointer`: true.
    pub exists: Option<bool>,
    /// Further conditions that must hold too.
    #[serde(default)]
    pub all: Vec<Condition>,
}

/// `status = 200` or `status = [200, 201]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(from = "StatusInput")]
pub struct StatusSet(pub Vec<u16>);

#[derive(Deserialize)]
#[serde(untagged)]
enum StatusInput {
    One(u16),
    Many(Vec<u16>),
}

impl From<StatusInput> for StatusSet {
    fn from(input: StatusInput) -> Self {
        match input {
            StatusInput::One(s) => StatusSet(vec![s]),
            StatusInput::Many(v) => StatusSet(v),
        }
    }
}

/// `[sms_sink]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsSinkSection {
    /// Path the server posts to (`/sms`).
    #[serde(default = "default_sms_path")]
    pub path: String,
    /// Port on 127.0.0.1 (0: any free port; `{{sms_sink_url}}` tells the server).
    #[serde(default)]
    pub port: u16,
    /// JSON pointer to the phone number in the posted body.
    pub phone_pointer: String,
    /// JSON pointer to the code (a string, or a number to zero-pad).
    pub code_pointer: String,
    /// JSON pointer to the whole text, if separate from the code.
    pub text_pointer: Option<String>,
    /// Digits to zero-pad a numeric code to.
    #[serde(default = "default_digits")]
    pub code_digits: usize,
    /// Body of the 200 reply.
    #[serde(default = "default_reply")]
    pub reply: String,
}

fn default_sms_path() -> String {
    "/sms".into()
}

fn default_digits() -> usize {
    6
}

fn default_reply() -> String {
    "OK".into()
}
