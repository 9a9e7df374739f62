//! Item 11 and the smaller "a partial request is never closed": 376 held partial requests
//! locked every other client out of a server with 256 descriptors. Now headers and bodies have
//! time limits, a half-sent request is closed, and connections beyond a limit wait in the
//! kernel's backlog instead of using up descriptors.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use mfa_harness::reference::Policy;
use mfa_harness::server::{Limits, ServerConfig};

use super::{Served, in_process};

fn server(limits: Limits) -> SocketAddr {
    in_process(ServerConfig { limits, ..ServerConfig::test(Policy::for_tests(), 1) })
}

fn quick(header_timeout_ms: u64) -> Limits {
    let t = Duration::from_millis(header_timeout_ms);
    Limits { header_timeout: t, body_timeout: t, ..Limits::default() }
}

/// Reads until the server closes the connection; panics if it is still open after `within`.
fn read_until_closed(stream: &mut TcpStream, within: Duration) -> String {
    stream.set_read_timeout(Some(within)).unwrap();
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return String::from_utf8_lossy(&received).into_owned(),
            Ok(n) => received.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::ConnectionReset => {
                return String::from_utf8_lossy(&received).into_owned();
            }
            Err(e) => panic!(
                "connection still open after {within:?} ({e}); received {:?}",
                String::from_utf8_lossy(&received)
            ),
        }
    }
}

#[test]
fn a_half_sent_request_is_closed_when_the_header_timeout_passes() {
    let addr = server(quick(300));
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.write_all(b"POST /v1/login HTTP/1.1\r\nHost: x\r\n").unwrap();
    let sent = Instant::now();
    read_until_closed(&mut stream, Duration::from_secs(5));
    assert!(sent.elapsed() >= Duration::from_millis(250), "closed before its time: {:?}", sent.elapsed());
}

#[test]
fn an_idle_keep_alive_connection_is_closed_when_the_header_timeout_passes() {
    let addr = server(quick(300));
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.write_all(b"GET /v1/info HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let answer = read_until_closed(&mut stream, Duration::from_secs(5));
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[test]
fn a_body_that_stops_coming_is_answered_408_and_its_connection_closed() {
    let addr = server(quick(300));
    let mut stream = TcpStream::connect(addr).unwrap();
    let head =
        "POST /v1/login HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n";
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(b"{\"user\": \"").unwrap();
    let answer = read_until_closed(&mut stream, Duration::from_secs(5));
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"code\":\"body_timeout\""), "{answer}");
}

#[test]
fn connections_beyond_the_limit_wait_for_a_free_slot() {
    let addr = server(Limits { max_connections: 4, ..quick(1000) });
    let held: Vec<TcpStream> = (0..4).map(|_| TcpStream::connect(addr).unwrap()).collect();
    let mut late = TcpStream::connect(addr).unwrap();
    late.write_all(b"GET /v1/info HTTP/1.1\r\nHost: x\r\nconnection: close\r\n\r\n").unwrap();
    late.set_read_timeout(Some(Duration::from_millis(400))).unwrap();
    let mut first = [0u8; 1];
    let early = late.read(&mut first);
    assert!(
        matches!(&early, Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)),
        "a fifth connection was served while 4 held every slot: {early:?}"
    );
    // The held connections send nothing: their header time runs out and frees the slots.
    let answer = read_until_closed(&mut late, Duration::from_secs(5));
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    drop(held);
}

/// The report's reproduction: a server with 256 descriptors and 376 clients that each send
/// half a request and wait. A client arriving after them must still be answered.
#[test]
fn held_requests_cannot_lock_other_clients_out_of_a_server_with_256_descriptors() {
    let served = Served::start_with_open_files(256, &["--test-clock", "--header-timeout", "1"]);
    assert!(served.banner.iter().any(|l| l.contains("limits: 192 connections")), "{:?}", served.banner);
    let addr: SocketAddr = served.base.trim_start_matches("http://").parse().unwrap();
    let mut held: Vec<TcpStream> = (0..376)
        .map(|_| {
            let mut s = TcpStream::connect(addr).unwrap();
            s.write_all(b"POST /v1/login HTTP/1.1\r\nHost: x\r\n").unwrap();
            s
        })
        .collect();
    let client = reqwest::blocking::Client::builder().timeout(Duration::from_secs(20)).build().unwrap();
    let started = Instant::now();
    let answer = client.get(format!("{}/v1/info", served.base)).send();
    assert!(
        answer.as_ref().is_ok_and(|r| r.status() == 200),
        "locked out for {:?}: {answer:?}",
        started.elapsed()
    );
    for stream in &mut held[..8] {
        read_until_closed(stream, Duration::from_secs(10));
    }
}
