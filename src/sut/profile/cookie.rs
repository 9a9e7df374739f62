//! Cookies, as a browser keeps them, one jar per handle: a server that holds its sign-in state
//! in a session cookie works unchanged. The jar is made of variables, so it travels the way
//! every other variable does: each `Set-Cookie` of an answer becomes `cookie.NAME` in the
//! operation's variables, the handle the verdict opens keeps them, and every request of an
//! operation on that handle sends them back (`Cookie:`). An operation on no handle (a sign-in,
//! an admin call) starts with an empty jar, so two sign-ins never share a cookie, even in
//! parallel. A cookie the server deletes (empty, or `Max-Age` not above 0) stays as an empty
//! value that is never sent, so it also hides the handle's copy.
//!
//! Domain, path, expiry dates and `Secure` are not modelled: a profile talks to one server,
//! and a scenario lasts minutes. Cookie values are secrets (`Shared::secret_values`).

use std::collections::BTreeMap;

use super::Vars;

/// The prefix of a cookie's variable.
const PREFIX: &str = "cookie.";

/// The prefixes of handle variables, under which a handle's cookies arrive.
const HANDLES: [&str; 3] = ["challenge.", "session.", "binding."];

/// The `Cookie` header for a request made with `vars`: the operation's own cookies over the
/// handle's; `None` when the jar is empty.
pub fn header(vars: &Vars) -> Option<String> {
    let mut jar: BTreeMap<&str, &str> = BTreeMap::new();
    let inherited = vars.iter().filter_map(|(k, v)| {
        HANDLES.iter().find_map(|h| k.strip_prefix(h)?.strip_prefix(PREFIX)).map(|n| (n, v))
    });
    for (name, value) in inherited {
        jar.insert(name, value);
    }
    for (name, value) in vars.iter().filter_map(|(k, v)| Some((k.strip_prefix(PREFIX)?, v))) {
        jar.insert(name, value);
    }
    let pairs: Vec<String> =
        jar.into_iter().filter(|(_, v)| !v.is_empty()).map(|(n, v)| format!("{n}={v}")).collect();
    (!pairs.is_empty()).then(|| pairs.join("; "))
}

/// Keeps the cookies an answer sets (`set-cookie` headers, names in lower case) in `vars`.
pub fn absorb(vars: &mut Vars, headers: &[(String, String)]) {
    for (_, line) in headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case("set-cookie")) {
        let mut parts = line.split(';');
        let Some((name, value)) = parts.next().and_then(|pair| pair.split_once('=')) else { continue };
        let (name, value) = (name.trim(), value.trim().trim_matches('"'));
        if name.is_empty() {
            continue;
        }
        let deleted = parts.any(|attribute| {
            let (key, number) = attribute.split_once('=').unwrap_or((attribute, ""));
            key.trim().eq_ignore_ascii_case("max-age") && number.trim().parse::<i64>().is_ok_and(|n| n <= 0)
        });
        let kept = if deleted { String::new() } else { value.to_owned() };
        vars.insert(format!("{PREFIX}{name}"), kept);
    }
}

/// Whether variable `name` holds a cookie (own or a handle's).
pub fn is_cookie(name: &str) -> bool {
    name.starts_with(PREFIX)
        || HANDLES.iter().any(|h| name.strip_prefix(h).is_some_and(|n| n.starts_with(PREFIX)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(lines: &[&str]) -> Vec<(String, String)> {
        lines.iter().map(|l| ("set-cookie".to_owned(), (*l).to_owned())).collect()
    }

    #[test]
    fn an_answer_fills_the_jar_and_the_next_request_sends_it() {
        let mut vars = Vars::new();
        assert_eq!(header(&vars), None, "a fresh operation has no cookies");
        absorb(&mut vars, &set(&["sid=abc123; Path=/; HttpOnly", "theme=dark"]));
        assert_eq!(header(&vars).as_deref(), Some("sid=abc123; theme=dark"));
        assert!(is_cookie("cookie.sid") && is_cookie("session.cookie.sid") && !is_cookie("sid"));
    }

    #[test]
    fn the_operations_own_cookies_win_over_the_handles_and_deleted_ones_are_not_sent() {
        let mut vars: Vars = [
            ("session.cookie.sid".to_owned(), "old".to_owned()),
            ("session.cookie.pending".to_owned(), "1".to_owned()),
            ("session.user".to_owned(), "alice".to_owned()),
        ]
        .into();
        assert_eq!(header(&vars).as_deref(), Some("pending=1; sid=old"));
        absorb(&mut vars, &set(&["sid=new; Path=/", "pending=; Max-Age=0"]));
        assert_eq!(header(&vars).as_deref(), Some("sid=new"));
    }
}
