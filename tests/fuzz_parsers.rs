//! Mutation fuzzing of every parser that reads user or vendor input: feature files, tag
//! expressions, profiles, vector files, PSKC, OATH CSV, expected-failure lists and otpauth
//! URIs. Proptest picks a committed example and a few mutations (bit flips, byte changes,
//! truncation, insertion, deletion, splices from other examples, duplicated ranges, inserted
//! syntax tokens); the parser must return (a value or an error) without panicking and within a
//! time bound. Proptest shrinks a failure to a small input.
//!
//! `cargo test` runs a short seeded pass (`FUZZ_CASES`, default 200 inputs per parser, the same
//! inputs every time). `FUZZ_SECS=600 cargo test --test fuzz_parsers -- --nocapture
//! --test-threads 1` fuzzes each parser for ten minutes with fresh seeds and prints the
//! executions per parser. A real hang (an input still running after a minute) aborts the
//! process after writing the input to `target/fuzz-hang-<parser>.txt`. `FUZZ_CORPUS_OUT=DIR`
//! also writes each parser's examples to `DIR/<parser>/`, the seeds of the cargo-fuzz target
//! of the same name (`fuzz/`, nightly).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use mfa_harness::otp::OtpAuthUri;
use mfa_harness::provision::{PreSharedKey, oath_csv, pskc, sample_batch};
use mfa_harness::scenario::{ExpectedFailures, Suite, TagFilter};
use mfa_harness::sut::profile::Profile;
use mfa_harness::vectors::{self, Implementation};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: impl AsRef<Path>) -> String {
    std::fs::read_to_string(root().join(path)).unwrap()
}

fn files_under(dir: &str, extension: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![root().join(dir)];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == extension) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The raw string literals of a Rust source file that start with `start` (the XML fixtures of
/// `tests/seed_files.rs`, committed examples of real vendors' files).
fn raw_strings(source: &str, start: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (open, close) in [("r#\"", "\"#"), ("r##\"", "\"##")] {
        let mut rest = source;
        while let Some(at) = rest.find(open) {
            rest = &rest[at + open.len()..];
            let Some(end) = rest.find(close) else { break };
            if rest.starts_with(start) {
                found.push(rest[..end].to_owned());
            }
            rest = &rest[end..];
        }
    }
    found
}

/// The fenced blocks of a Markdown file in `language`.
fn fenced(markdown: &str, language: &str) -> Vec<String> {
    let fence = format!("```{language}\n");
    markdown.split(&fence).skip(1).filter_map(|block| block.split("```").next()).map(str::to_owned).collect()
}

/// What a parser gets: the seed inputs, tokens worth inserting, how long one input may take.
struct Parser {
    name: &'static str,
    corpus: Vec<Vec<u8>>,
    tokens: &'static [&'static str],
    limit: Duration,
    /// Parses; says whether the input was accepted (for the figures).
    run: Box<dyn Fn(&str) -> bool + Sync + Send>,
}

/// One change to an input. Positions are proportions of the current length.
#[derive(Clone, Debug)]
enum Mutation {
    FlipBit(Index, u8),
    SetByte(Index, u8),
    Truncate(Index),
    Insert(Index, Vec<u8>),
    Delete(Index, usize),
    Splice { at: Index, from: Index, start: Index, len: usize },
    Duplicate { start: Index, len: usize, at: Index },
    Token(Index, Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), 0u8..8).prop_map(|(i, b)| Mutation::FlipBit(i, b)),
        (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::SetByte(i, b)),
        any::<Index>().prop_map(Mutation::Truncate),
        (any::<Index>(), prop::collection::vec(any::<u8>(), 1..8)).prop_map(|(i, b)| Mutation::Insert(i, b)),
        (any::<Index>(), 1usize..64).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (any::<Index>(), any::<Index>(), any::<Index>(), 1usize..256)
            .prop_map(|(at, from, start, len)| Mutation::Splice { at, from, start, len }),
        (any::<Index>(), 1usize..512, any::<Index>()).prop_map(|(start, len, at)| Mutation::Duplicate {
            start,
            len,
            at
        }),
        (any::<Index>(), any::<Index>()).prop_map(|(i, t)| Mutation::Token(i, t)),
        (any::<Index>(), any::<Index>()).prop_map(|(i, t)| Mutation::Token(i, t)),
    ]
}

/// `Index::index` of an empty range panics; positions in an empty input are 0.
fn at(index: &Index, len: usize) -> usize {
    if len == 0 { 0 } else { index.index(len + 1) }
}

fn apply(input: &mut Vec<u8>, m: &Mutation, parser: &Parser) {
    let len = input.len();
    match m {
        Mutation::FlipBit(i, bit) if len > 0 => {
            let i = i.index(len);
            input[i] ^= 1 << bit;
        }
        Mutation::SetByte(i, byte) if len > 0 => {
            let i = i.index(len);
            input[i] = *byte;
        }
        Mutation::Truncate(i) => input.truncate(at(i, len)),
        Mutation::Insert(i, bytes) => {
            let i = at(i, len);
            input.splice(i..i, bytes.iter().copied());
        }
        Mutation::Delete(i, n) => {
            let i = at(i, len);
            input.drain(i..(i + n).min(len));
        }
        Mutation::Splice { at: i, from, start, len: n } => {
            let other = &parser.corpus[from.index(parser.corpus.len())];
            let s = at(start, other.len());
            let piece = other[s..(s + n).min(other.len())].to_vec();
            let i = at(i, len);
            input.splice(i..i, piece);
        }
        Mutation::Duplicate { start, len: n, at: i } => {
            let s = at(start, len);
            let piece = input[s..(s + n).min(len)].to_vec();
            let i = at(i, len);
            input.splice(i..i, piece);
        }
        Mutation::Token(i, t) if !parser.tokens.is_empty() => {
            let token = parser.tokens[t.index(parser.tokens.len())].as_bytes();
            let i = at(i, len);
            input.splice(i..i, token.iter().copied());
        }
        _ => {}
    }
}

/// The input being parsed right now and since when, for the hang watchdog.
type Current = Arc<Mutex<Option<(Instant, Vec<u8>)>>>;

fn watchdog(name: &'static str) -> Current {
    let current: Current = Arc::default();
    let watched = current.clone();
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(Duration::from_secs(1));
            let guard = watched.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((since, input)) = guard.as_ref()
                && since.elapsed() > Duration::from_secs(60)
            {
                let path = root().join(format!("target/fuzz-hang-{name}.txt"));
                let _ = std::fs::write(&path, input);
                eprintln!("fuzz {name}: an input hung for a minute; written to {}", path.display());
                std::process::abort();
            }
        }
    });
    current
}

/// Fuzzes `parser`: a seeded pass, or fresh seeds until `FUZZ_SECS` have passed.
fn fuzz(parser: Parser) {
    assert!(!parser.corpus.is_empty(), "{}: no examples to mutate", parser.name);
    if let Some(dir) = std::env::var_os("FUZZ_CORPUS_OUT") {
        // Seeds for the cargo-fuzz targets of the same names (fuzz/README.md).
        let dir = Path::new(&dir).join(parser.name);
        std::fs::create_dir_all(&dir).unwrap();
        for (i, example) in parser.corpus.iter().enumerate() {
            std::fs::write(dir.join(format!("example-{i:03}")), example).unwrap();
        }
    }
    let budget = std::env::var("FUZZ_SECS").ok().and_then(|s| s.parse::<u64>().ok()).map(Duration::from_secs);
    let cases = std::env::var("FUZZ_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(200);
    let current = watchdog(parser.name);
    let started = Instant::now();
    let cpu_started = cpu_seconds();
    let executions = std::cell::Cell::new(0u64);
    let slowest = std::cell::Cell::new(Duration::ZERO);
    let accepted = std::cell::Cell::new(0u64);
    let mut round = 0u64;
    loop {
        let seed: u64 = parser.name.bytes().fold(round, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
        let mut seed_bytes = [0u8; 32];
        seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
        let config = Config {
            cases: if budget.is_some() { 100 } else { cases },
            failure_persistence: None,
            ..Config::default()
        };
        let mut runner =
            TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes));
        // Mostly one or two changes, so many inputs stay close enough to parse far.
        let mutations = prop_oneof![
            4 => prop::collection::vec(mutation(), 1..2),
            3 => prop::collection::vec(mutation(), 2..5),
            1 => prop::collection::vec(mutation(), 5..16),
        ];
        let strategy = (any::<Index>(), mutations);
        let result = runner.run(&strategy, |(base, mutations)| {
            let mut input = parser.corpus[base.index(parser.corpus.len())].clone();
            for m in &mutations {
                apply(&mut input, m, &parser);
            }
            let text = String::from_utf8_lossy(&input).into_owned();
            *current.lock().unwrap_or_else(|e| e.into_inner()) = Some((Instant::now(), input));
            let t = Instant::now();
            let outcome = catch_unwind(AssertUnwindSafe(|| (parser.run)(&text)));
            let took = t.elapsed();
            *current.lock().unwrap_or_else(|e| e.into_inner()) = None;
            executions.set(executions.get() + 1);
            slowest.set(slowest.get().max(took));
            match outcome {
                Ok(true) => accepted.set(accepted.get() + 1),
                Ok(false) => {}
                Err(_) => return Err(TestCaseError::fail(format!("{} panicked on {text:?}", parser.name))),
            }
            if took > parser.limit {
                return Err(TestCaseError::fail(format!("{} took {took:?} on {text:?}", parser.name)));
            }
            Ok(())
        });
        if let Err(e) = result {
            panic!("fuzz {} (round {round}): {e}", parser.name);
        }
        round += 1;
        if budget.is_none_or(|b| started.elapsed() >= b) {
            break;
        }
    }
    eprintln!(
        "fuzz {}: {} executions ({} accepted) in {:.0} s ({:.0} s of CPU), 0 panics, 0 over {:?} (slowest {:?})",
        parser.name,
        executions.get(),
        accepted.get(),
        started.elapsed().as_secs_f64(),
        cpu_seconds() - cpu_started,
        parser.limit,
        slowest.get()
    );
}

/// CPU time this thread has used, in seconds: the machine may be busy, so the figures say
/// how much fuzzing a wall-clock budget bought.
fn cpu_seconds() -> f64 {
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `t` is a valid timespec to write to; the clock id is a constant Linux knows.
    let ok = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) } == 0;
    if ok { t.tv_sec as f64 + t.tv_nsec as f64 / 1e9 } else { 0.0 }
}

const QUICK: Duration = Duration::from_secs(2);

#[test]
fn feature_files() {
    let corpus = files_under("features", "feature").iter().map(|p| std::fs::read(p).unwrap()).collect();
    fuzz(Parser {
        name: "features",
        corpus,
        tokens: &[
            "Feature:",
            "Scenario:",
            "Scenario Outline:",
            "Examples:",
            "Background:",
            "Rule:",
            "Given ",
            "When ",
            "Then ",
            "And ",
            "But ",
            "* ",
            "|",
            "@",
            "@x.",
            "#",
            "\"\"\"",
            "<n>",
            "\n",
            "  ",
            "\t",
            ":",
        ],
        limit: QUICK,
        run: Box::new(|text| {
            Suite::from_sources(vec![("features/fuzz/fuzz.feature".into(), text.to_owned())]).is_ok()
        }),
    });
}

#[test]
fn tag_expressions() {
    let mut corpus: Vec<Vec<u8>> = [
        "@area.replay",
        "@area.replay and not @concurrent",
        "(@area.sms or @area.lockout) and not @needs.clock-control",
        "not (@area.window or @area.drift) and (@serial or not @x.vendor)",
        "@needs.hardware-mfa and @area.rfc",
        "@x.a\\(b\\) or @x.c",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    corpus.push(format!("{}@area.replay{}", "(".repeat(30), ")".repeat(30)).into_bytes());
    fuzz(Parser {
        name: "tags",
        corpus,
        tokens: &[
            "not ", " and ", " or ", "(", ")", "@", "\\", "@area.", "@needs.", "@x.", "((((((((", "not not ",
        ],
        limit: QUICK,
        run: Box::new(|text| {
            TagFilter::parse(text)
                .map(|filter| filter.matches(&["area.replay".into(), "serial".into()]))
                .is_ok()
        }),
    });
}

#[test]
fn profiles() {
    let mut corpus = vec![read("servers/privacyidea/profile.toml").into_bytes()];
    corpus.extend(fenced(&read("docs/profiles.md"), "toml").into_iter().map(String::into_bytes));
    fuzz(Parser {
        name: "profiles",
        corpus,
        tokens: &[
            "[target]",
            "[[connect]]",
            "[operations.login]",
            "[[rules.ok]]",
            "{{",
            "}}",
            "${",
            "${X:-y}",
            "\"",
            "=",
            "[",
            "]",
            "{",
            "}",
            "\n",
            "#",
            "'''",
            "\"\"\"",
            "{{secret.admin}}",
            "{{user}}",
        ],
        limit: QUICK,
        run: Box::new(|text| {
            let env = |_: &str| Some("http://127.0.0.1:9".to_owned());
            Profile::parse(Path::new("fuzz.toml"), text, &env).is_ok()
        }),
    });
}

#[test]
fn vector_files() {
    let mut paths = files_under("vectors", "json");
    paths.extend(files_under("tests/data", "json"));
    let corpus = paths.iter().map(|p| std::fs::read(p).unwrap()).collect();
    fuzz(Parser {
        name: "vectors",
        corpus,
        tokens: &[
            "{",
            "}",
            "[",
            "]",
            ",",
            ":",
            "\"",
            "\\u0000",
            "\"kind\": \"uri\"",
            "\"digits\": 10",
            "\"period\": 0",
            "\"t0\": 18446744073709551615",
            "\"time\": 18446744073709551615",
            "1e999",
            "-1",
        ],
        limit: QUICK,
        run: Box::new(|text| {
            let Ok(file) = vectors::parse("fuzz.json", text) else { return false };
            for vector in &file.vectors {
                for implementation in Implementation::ALL {
                    let _ = implementation.run(vector);
                }
            }
            true
        }),
    });
}

fn psk() -> &'static PreSharedKey {
    static KEY: OnceLock<PreSharedKey> = OnceLock::new();
    // RFC 6030 section 6.1's pre-shared key, which the encrypted fixtures use.
    KEY.get_or_init(|| PreSharedKey::from_hex("12345678901234567890123456789012").unwrap())
}

#[test]
fn pskc_files() {
    let mut corpus: Vec<Vec<u8>> =
        raw_strings(&read("tests/seed_files.rs"), "<?xml").into_iter().map(String::into_bytes).collect();
    let batch = sample_batch(3, 7);
    corpus.push(pskc::write(&batch).unwrap().into_bytes());
    corpus.push(pskc::write_encrypted(&batch, psk(), 7).unwrap().into_bytes());
    fuzz(Parser {
        name: "pskc",
        corpus,
        tokens: &[
            "<",
            ">",
            "</",
            "/>",
            "=\"",
            "\"",
            "&amp;",
            "&#0;",
            "&#x10FFFF;",
            "<!DOCTYPE x [<!ENTITY a \"b\">]>",
            "<![CDATA[",
            "]]>",
            "<?xml version=\"1.0\"?>",
            "xmlns=\"urn:ietf:params:xml:ns:keyprov:pskc\"",
            "<KeyPackage>",
            "<Key Id=\"1\" Algorithm=\"urn:ietf:params:xml:ns:keyprov:pskc:totp\">",
            "====",
        ],
        // Password-derived keys run up to 10 million PBKDF2 iterations by design.
        limit: Duration::from_secs(20),
        run: Box::new(|text| {
            let plain = pskc::parse("fuzz.xml", text).is_ok();
            let encrypted = pskc::parse_encrypted("fuzz.xml", text, psk()).is_ok();
            let password = pskc::parse_with_password("fuzz.xml", text, "qwerty").is_ok();
            plain || encrypted || password
        }),
    });
}

#[test]
fn oath_csv_files() {
    let mut corpus = vec![oath_csv::write(&sample_batch(4, 9)).unwrap().into_bytes()];
    corpus.push(b"# serial, key, type, otp length, time step\nMFA1,3132333435363738393031323334353637383930,totp,6,30\n".to_vec());
    corpus.push(
        b"MFA2, 31323334353637383930313233343536373839303132, TOTP, 8, 60\r\n\xef\xbb\xbfMFA3,3132,hotp\n"
            .to_vec(),
    );
    fuzz(Parser {
        name: "oath_csv",
        corpus,
        tokens: &[
            ",",
            "\"",
            "\"\"",
            "\n",
            "\r\n",
            "#",
            "totp",
            "hotp",
            "99999999999999999999",
            "-1",
            "\u{feff}",
        ],
        limit: QUICK,
        run: Box::new(|text| oath_csv::parse("fuzz.csv", text).is_ok()),
    });
}

#[test]
fn expected_failure_lists() {
    let ids: Vec<String> = Suite::load(&[]).unwrap().scenarios().into_iter().map(|s| s.id).collect();
    let mut corpus: Vec<Vec<u8>> = fenced(&read("README.md"), "toml")
        .into_iter()
        .filter(|b| b.contains("[[expected]]"))
        .map(String::into_bytes)
        .collect();
    corpus.push(format!("[[expected]]\nscenario = \"{}\"\nreason = \"known\"\n", ids[0]).into_bytes());
    fuzz(Parser {
        name: "expected_failures",
        corpus,
        tokens: &[
            "[[expected]]",
            "scenario = ",
            "reason = ",
            "\"",
            "'''",
            "\n",
            "=",
            "[",
            "]",
            "{",
            "}",
            "#",
            ":",
        ],
        limit: QUICK,
        run: Box::new(move |text| ExpectedFailures::parse("fuzz.toml", text, &ids).is_ok()),
    });
}

#[test]
fn otpauth_uris() {
    let vectors = vectors::load_embedded().unwrap();
    let corpus: Vec<Vec<u8>> = vectors
        .iter()
        .flat_map(|f| &f.vectors)
        .filter_map(|v| match &v.case {
            vectors::Case::Uri { uri, .. } => Some(uri.clone().into_bytes()),
            _ => None,
        })
        .collect();
    fuzz(Parser {
        name: "otpauth",
        corpus,
        tokens: &[
            "otpauth://",
            "totp/",
            "hotp/",
            "?",
            "&",
            "=",
            "%",
            "%00",
            "%ZZ",
            "secret=",
            "issuer=",
            "digits=",
            "period=",
            "counter=",
            "algorithm=SHA512",
            ":",
            "/",
            "#",
            "+",
        ],
        limit: QUICK,
        run: Box::new(|text| {
            let Ok(uri) = OtpAuthUri::parse(text) else { return false };
            // What the harness writes it reads back, for the names the format can carry: a
            // colon reads as the issuer separator, and spaces around label parts are trimmed
            // (`OtpAuthUri::to_uri_string`).
            let names = uri.issuer.iter().chain([&uri.account]);
            let writable = names.into_iter().all(|n| !n.contains(':') && n.trim() == n);
            let again = OtpAuthUri::parse(&uri.to_uri_string());
            assert!(!writable || again.is_ok(), "a written URI does not read back: {again:?}");
            true
        }),
    });
}
