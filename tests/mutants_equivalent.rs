//! `mutants/equivalent.toml` stays true: every mutant it argues equivalent still exists in the
//! code, so a move or a rewrite makes the list fail here instead of silently excusing nothing.

use std::path::Path;

use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct List {
    mutant: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    mutant: String,
    reason: String,
}

/// A cargo-mutants name: "FILE: replace WHAT with BY in PATH", "FILE: replace PATH -> T with V",
/// "FILE: replace PATH with ()" (a function returning nothing), "FILE: delete OP in PATH" (a
/// unary operator) or "FILE: delete field F from struct S expression in PATH".
struct Named<'a> {
    file: &'a str,
    function: &'a str,
    /// Text the function must still contain for the mutant to exist (the operator, guard or
    /// field the mutant changes); none for a mutant of the whole function.
    needle: Option<String>,
}

fn parse(name: &str) -> Option<Named<'_>> {
    if let Some((file, rest)) = name.split_once(": delete field ") {
        let (field, rest) = rest.split_once(" from struct ")?;
        let (_, path) = rest.split_once(" expression in ")?;
        return Some(Named { file, function: path, needle: Some(format!("{field}:")) });
    }
    if let Some((file, rest)) = name.split_once(": delete ") {
        let (op, path) = rest.split_once(" in ")?;
        return Some(Named { file, function: path, needle: Some(op.to_owned()) });
    }
    let (file, rest) = name.split_once(": replace ")?;
    if let Some((what, path)) =
        rest.split_once(" with ").and_then(|(what, by)| Some((what, by.split_once(" in ")?.1)))
        && !what.contains("->")
    {
        // A match guard's mutant names the guard's whole expression.
        let what = what.strip_prefix("match guard ").unwrap_or(what);
        return Some(Named { file, function: path, needle: Some(format!(" {what} ")) });
    }
    let (path, _) = rest.split_once(" -> ").or_else(|| rest.split_once(" with ()"))?;
    Some(Named { file, function: path, needle: None })
}

/// The text of `fn name` in `source`, from its signature to the closing brace at its indent.
fn function_body<'s>(source: &'s str, name: &str) -> Option<&'s str> {
    let start = source.find(&format!("fn {name}("))?;
    let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
    let indent = &source[line_start..start];
    let indent: String = indent.chars().take_while(|c| c.is_whitespace()).collect();
    let end = source[start..].find(&format!("\n{indent}}}")).map_or(source.len(), |e| start + e);
    Some(&source[start..end])
}

#[test]
fn every_listed_equivalent_mutant_still_exists_and_says_why() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("mutants/equivalent.toml")).unwrap();
    let list: List = toml::from_str(&text).unwrap();
    let mut stale = Vec::new();
    for entry in &list.mutant {
        assert!(entry.reason.trim().len() >= 40, "{}: the reason must argue the case", entry.mutant);
        let Some(named) = parse(&entry.mutant) else {
            stale.push(format!("{}: not a cargo-mutants name", entry.mutant));
            continue;
        };
        let Ok(source) = std::fs::read_to_string(root.join(named.file)) else {
            stale.push(format!("{}: no file {}", entry.mutant, named.file));
            continue;
        };
        let function = named.function.rsplit("::").next().unwrap_or(named.function);
        match function_body(&source, function) {
            None => stale.push(format!("{}: no fn {function} in {}", entry.mutant, named.file)),
            Some(body) => {
                if let Some(needle) = named.needle
                    && !body.contains(&needle)
                {
                    stale.push(format!("{}: fn {function} has no `{needle}` any more", entry.mutant));
                }
            }
        }
    }
    assert!(stale.is_empty(), "stale entries in mutants/equivalent.toml:\n{}", stale.join("\n"));
}

#[test]
fn the_parser_reads_every_kind_of_name() {
    let op = parse("src/a.rs: replace < with <= in Service::is_locked").unwrap();
    assert_eq!((op.file, op.function, op.needle.as_deref()), ("src/a.rs", "Service::is_locked", Some(" < ")));
    let ret = parse("src/a.rs: replace Service::fail -> Verdict with Default::default()").unwrap();
    assert_eq!((ret.function, ret.needle), ("Service::fail", None));
    let unit = parse("src/a.rs: replace State::audit with ()").unwrap();
    assert_eq!((unit.function, unit.needle), ("State::audit", None));
    let guard = parse("src/a.rs: replace match guard a != b with true in Service::resync").unwrap();
    assert_eq!(guard.needle.as_deref(), Some(" a != b "));
    let not = parse("src/a.rs: delete ! in Service::challenge_sent").unwrap();
    assert_eq!((not.function, not.needle.as_deref()), ("Service::challenge_sent", Some("!")));
    let field =
        parse("src/a.rs: delete field cost from struct Policy expression in Policy::for_tests").unwrap();
    assert_eq!((field.function, field.needle.as_deref()), ("Policy::for_tests", Some("cost:")));
    assert!(parse("not a mutant").is_none());
}

#[test]
fn an_operator_that_moved_out_of_its_function_is_seen() {
    let source = "impl S {\n    fn a(&self) -> bool {\n        x < y\n    }\n\n    fn b(&self) -> bool {\n        x == y\n    }\n}\n";
    assert!(function_body(source, "a").unwrap().contains(" < "));
    assert!(!function_body(source, "b").unwrap().contains(" < "), "the body ends at its own brace");
    assert!(function_body(source, "c").is_none());
}
