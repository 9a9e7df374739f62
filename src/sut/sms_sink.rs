//! A loopback HTTP endpoint standing in for an SMS provider: a target under test points its
//! HTTP SMS gateway at it, and the harness reads the codes the target "sent" from here. The
//! simulated phone network (delivery latency, loss) is applied afterwards by the scenario world,
//! as for any target, so the sink only records what arrived.
//!
//! Plain `std::net`: one thread accepts, each request is read whole (`Content-Length`), answered
//! `200` with the configured body and the connection closed. Codes are never logged.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::Value;

/// How the sink reads a posted message.
#[derive(Clone, Debug)]
pub struct SinkFormat {
    /// The path the gateway posts to; other paths get 404.
    pub path: String,
    /// JSON pointer to the phone number.
    pub phone_pointer: String,
    /// JSON pointer to the code: a string, or a number zero-padded to `code_digits`.
    pub code_pointer: String,
    /// JSON pointer to the whole text, where it differs from the code.
    pub text_pointer: Option<String>,
    /// Digits a numeric code is padded to.
    pub code_digits: usize,
    /// Body of the `200` reply (privacyIDEA looks for `OK`).
    pub reply: String,
}

/// One SMS as it reached the sink. `Debug` hides the code.
#[derive(Clone, PartialEq, Eq)]
pub struct ReceivedSms {
    /// The number it was addressed to.
    pub phone: String,
    /// The text (the code itself when the gateway sends only the code).
    pub text: String,
    /// The code, zero-padded.
    pub code: String,
}

impl std::fmt::Debug for ReceivedSms {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ReceivedSms {{ phone: {:?}, code: <redacted> }}", self.phone)
    }
}

/// The running sink. Dropping it stops the listener thread.
pub struct SmsSink {
    address: SocketAddr,
    path: String,
    inbox: Arc<Mutex<Vec<ReceivedSms>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl SmsSink {
    /// Listens on `127.0.0.1:port` (0: a free port).
    ///
    /// # Errors
    /// The port could not be bound.
    pub fn start(port: u16, format: SinkFormat) -> std::io::Result<SmsSink> {
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        let address = listener.local_addr()?;
        let inbox: Arc<Mutex<Vec<ReceivedSms>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let path = format.path.clone();
        let thread = {
            let (inbox, stop) = (inbox.clone(), stop.clone());
            std::thread::Builder::new()
                .name("sms-sink".into())
                .spawn(move || accept(listener, &format, &inbox, &stop))?
        };
        Ok(SmsSink { address, path, inbox, stop, thread: Some(thread) })
    }

    /// The URL to configure as the target's SMS gateway (`http://127.0.0.1:PORT/sms`).
    pub fn url(&self) -> String {
        format!("http://{}{}", self.address, self.path)
    }

    /// Every message that arrived since the last call, oldest first.
    pub fn take(&self) -> Vec<ReceivedSms> {
        self.take_matching(|_| true)
    }

    /// The messages `wanted` picks, oldest first; the others stay for whoever wants them (one
    /// sink serves every target of a connection).
    pub fn take_matching(&self, wanted: impl Fn(&ReceivedSms) -> bool) -> Vec<ReceivedSms> {
        let mut inbox = self.inbox.lock().unwrap_or_else(PoisonError::into_inner);
        let (taken, kept): (Vec<ReceivedSms>, Vec<ReceivedSms>) = inbox.drain(..).partition(|m| wanted(m));
        *inbox = kept;
        taken
    }
}

impl Drop for SmsSink {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the blocking accept so the thread sees the flag.
        let _ = TcpStream::connect_timeout(&self.address, Duration::from_secs(1));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn accept(listener: TcpListener, format: &SinkFormat, inbox: &Mutex<Vec<ReceivedSms>>, stop: &AtomicBool) {
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let Ok(stream) = stream else { continue };
        // A misbehaving client must not stall the sink for long.
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        serve(stream, format, inbox);
    }
}

/// Reads one request, records the message it carried, then answers: the target's send (and so
/// the target's own request that caused it) completes only once `take` can see the message.
fn serve(mut stream: TcpStream, format: &SinkFormat, inbox: &Mutex<Vec<ReceivedSms>>) {
    let Some((request_line, body)) = read_request(&stream) else { return };
    let path = request_line.split_whitespace().nth(1).unwrap_or("");
    let path = path.split('?').next().unwrap_or("");
    let sms = if path == format.path { parse(&body, format) } else { None };
    let (status, reply) = match (&sms, path == format.path) {
        (Some(_), _) => ("200 OK", format.reply.as_str()),
        (None, true) => ("400 Bad Request", "unreadable message"),
        (None, false) => ("404 Not Found", "not found"),
    };
    if let Some(sms) = sms {
        inbox.lock().unwrap_or_else(PoisonError::into_inner).push(sms);
    }
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
        reply.len()
    );
    let _ = stream.write_all(response.as_bytes());
}

fn read_request(stream: &TcpStream) -> Option<(String, Vec<u8>)> {
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).ok()?;
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().ok()?;
        }
    }
    // An SMS is small; refuse anything that is not.
    if length > 64 * 1024 {
        return None;
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some((request_line, body))
}

/// The message in a JSON body, or in a form body with the pointers' last segments as names.
fn parse(body: &[u8], format: &SinkFormat) -> Option<ReceivedSms> {
    let json: Value = serde_json::from_slice(body).ok().or_else(|| form_as_json(body))?;
    let phone = json.pointer(&format.phone_pointer).and_then(Value::as_str)?.to_owned();
    let code = match json.pointer(&format.code_pointer)? {
        Value::String(s) => s.clone(),
        Value::Number(n) => {
            let n = n.as_u64()?;
            format!("{n:0width$}", width = format.code_digits)
        }
        _ => return None,
    };
    let text = match &format.text_pointer {
        Some(p) => json.pointer(p).and_then(Value::as_str).unwrap_or(&code).to_owned(),
        None => code.clone(),
    };
    Some(ReceivedSms { phone, text, code })
}

fn form_as_json(body: &[u8]) -> Option<Value> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
    if pairs.is_empty() {
        return None;
    }
    Some(Value::Object(pairs.into_iter().map(|(k, v)| (k, Value::String(v))).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format() -> SinkFormat {
        SinkFormat {
            path: "/sms".into(),
            phone_pointer: "/phone".into(),
            code_pointer: "/text".into(),
            text_pointer: None,
            code_digits: 6,
            reply: "OK".into(),
        }
    }

    fn post(sink: &SmsSink, path: &str, body: &str) -> String {
        let mut stream = TcpStream::connect(sink.address).unwrap();
        write!(
            stream,
            "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut out = String::new();
        stream.read_to_string(&mut out).unwrap();
        out
    }

    #[test]
    fn numeric_codes_are_zero_padded_and_string_codes_kept() {
        let sink = SmsSink::start(0, format()).unwrap();
        let reply = post(&sink, "/sms", r#"{"phone": "+15550001002", "text": 57722}"#);
        assert!(reply.starts_with("HTTP/1.1 200") && reply.ends_with("OK"), "{reply}");
        post(&sink, "/sms", r#"{"phone": "+15550001002", "text": "012345"}"#);
        let got = sink.take();
        assert_eq!(got.len(), 2);
        assert_eq!((got[0].phone.as_str(), got[0].code.as_str()), ("+15550001002", "057722"));
        assert_eq!(got[1].code, "012345");
        assert!(sink.take().is_empty(), "take drains");
        post(&sink, "/sms", r#"{"phone": "+1", "text": 1}"#);
        post(&sink, "/sms", r#"{"phone": "+2", "text": 2}"#);
        let mine = sink.take_matching(|m| m.phone == "+2");
        assert_eq!((mine.len(), mine[0].code.as_str()), (1, "000002"));
        assert_eq!(sink.take().len(), 1, "the other message stays");
        assert!(!format!("{:?}", got[0]).contains("057722"));
    }

    #[test]
    fn form_bodies_are_read_too() {
        let sink = SmsSink::start(0, format()).unwrap();
        let mut stream = TcpStream::connect(sink.address).unwrap();
        let body = "phone=%2B1555&text=123456";
        write!(stream, "POST /sms HTTP/1.1\r\nContent-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        let mut out = String::new();
        stream.read_to_string(&mut out).unwrap();
        assert_eq!(sink.take()[0].phone, "+1555");
    }

    #[test]
    fn other_paths_and_garbage_are_refused_and_not_recorded() {
        let sink = SmsSink::start(0, format()).unwrap();
        assert!(post(&sink, "/other", r#"{"phone":"1","text":1}"#).starts_with("HTTP/1.1 404"));
        assert!(post(&sink, "/sms", "not json").starts_with("HTTP/1.1 400"));
        assert!(post(&sink, "/sms", r#"{"phone":"1"}"#).starts_with("HTTP/1.1 400"));
        assert!(sink.take().is_empty());
        assert!(sink.url().starts_with("http://127.0.0.1:") && sink.url().ends_with("/sms"));
    }
}
