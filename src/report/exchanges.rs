//! A failure's HTTP exchanges as plain text, the same in HTML and Markdown: one block per
//! exchange, method, path and status first, then the (already cut and redacted) bodies.

use std::fmt::Write as _;

use super::HttpExchange;

/// `exchanges` as text, oldest first, numbered.
pub(super) fn as_text(exchanges: &[HttpExchange]) -> String {
    let mut out = String::new();
    for (n, e) in exchanges.iter().enumerate() {
        let status = e.status.map_or_else(|| "no answer".to_owned(), |s| s.to_string());
        let _ = writeln!(out, "#{} {} {} -> {status}", n + 1, e.method, e.path);
        if !e.request.is_empty() {
            let _ = writeln!(out, "  request:  {}", one_line(&e.request));
        }
        if !e.response.is_empty() {
            let _ = writeln!(out, "  response: {}", one_line(&e.response));
        }
    }
    out
}

/// `text` on one line, so a body cannot break the block it stands in.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_exchange_reads_as_request_line_status_and_bodies() {
        let exchanges = [
            HttpExchange {
                method: "POST".into(),
                path: "/validate/check".into(),
                status: Some(200),
                request: "user=alice&pass=[redacted]".into(),
                response: "{\"result\":\n  {\"value\": false}}".into(),
            },
            HttpExchange {
                method: "GET".into(),
                path: "/healthz".into(),
                status: None,
                request: String::new(),
                response: "connection refused".into(),
            },
        ];
        assert_eq!(
            as_text(&exchanges),
            "#1 POST /validate/check -> 200\n  request:  user=alice&pass=[redacted]\n  response: {\"result\": {\"value\": false}}\n\
#2 GET /healthz -> no answer\n  response: connection refused\n"
        );
    }
}
