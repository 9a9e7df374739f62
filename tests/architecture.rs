//! The layering of `docs/architecture.md`, checked: every top-level module of `src/` imports
//! only modules in lower layers (so the module graph has no cycle and no upward arrow), the
//! leaves import nothing from the crate, only `cli` knows clap, and no source file outgrows
//! the size a reader can hold. Reads the source as text, so it checks what a reader sees.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Top-level modules by layer, lowest first; a module may use modules of lower layers only.
/// Keep in step with the drawing in `docs/architecture.md`.
const LAYERS: &[&[&str]] = &[
    &["otp", "clock", "qr"],
    &["protocol", "provision", "vectors"],
    &["sim", "reference"],
    &["server", "sut"],
    &["probe"],
    &["error", "report"],
    &["scenario", "study"],
    &["cli"],
];

/// Files allowed past [`MAX_LINES`], each with the reason it must be one file.
const LONG_FILES: &[(&str, &str)] = &[];

const MAX_LINES: usize = 600;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to (`src/sut/http.rs` → `sut`), `None` for the crate
/// root files.
fn module_of(path: &Path) -> Option<String> {
    let rel = path.strip_prefix(src()).unwrap();
    let first = rel.components().next()?.as_os_str().to_str()?.to_owned();
    let name = first.trim_end_matches(".rs").to_owned();
    (!["lib", "main"].contains(&name.as_str())).then_some(name)
}

/// Code lines: comments and doc comments dropped (a doc link is not a dependency).
fn code(text: &str) -> String {
    text.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

/// The crate's top-level modules named in `crate::x` paths, including `crate::{x, y}` groups.
fn uses(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            out.extend(group[..end].split(',').map(|p| head(p.trim())));
        } else {
            out.push(head(rest));
        }
    }
    out.retain(|m| !m.is_empty() && m.chars().next().is_some_and(|c| c.is_ascii_lowercase()));
    out
}

fn head(path: &str) -> String {
    path.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect()
}

fn layer(module: &str) -> usize {
    LAYERS.iter().position(|l| l.contains(&module)).unwrap_or_else(|| {
        panic!("module {module} is in no layer: add it to LAYERS and docs/architecture.md")
    })
}

fn files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    files.sort();
    files
}

#[test]
fn every_module_uses_only_lower_layers() {
    let mut upward: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for file in files() {
        let Some(module) = module_of(&file) else { continue };
        let text = code(&std::fs::read_to_string(&file).unwrap());
        for used in uses(&text) {
            if used != module && layer(&used) >= layer(&module) {
                let rel = file.strip_prefix(src()).unwrap().display().to_string();
                upward.entry(format!("{module} -> {used}")).or_default().push(rel);
            }
        }
    }
    assert!(upward.is_empty(), "arrows that do not point down: {upward:#?}");
}

#[test]
fn only_cli_knows_clap_and_the_leaves_know_nothing_of_the_crate() {
    for file in files() {
        let Some(module) = module_of(&file) else { continue };
        let text = code(&std::fs::read_to_string(&file).unwrap());
        if module != "cli" {
            assert!(!text.contains("clap::"), "{} uses clap", file.display());
        }
        if layer(&module) == 0 {
            let foreign: Vec<String> = uses(&text).into_iter().filter(|u| *u != module).collect();
            assert!(foreign.is_empty(), "{} is a leaf but uses {foreign:?}", file.display());
        }
    }
}

#[test]
fn no_source_file_is_longer_than_a_reader_can_hold() {
    let mut long = Vec::new();
    for file in files() {
        let rel = file.strip_prefix(src()).unwrap().display().to_string();
        let lines = std::fs::read_to_string(&file).unwrap().lines().count();
        if lines > MAX_LINES && !LONG_FILES.iter().any(|(f, _)| *f == rel) {
            long.push(format!("src/{rel}: {lines} lines"));
        }
    }
    assert!(
        long.is_empty(),
        "files over {MAX_LINES} lines (split them, or list them with a reason): {long:#?}"
    );
}

#[test]
fn the_checker_sees_upward_arrows_and_ignores_doc_links() {
    assert_eq!(
        uses("use crate::sut::{Target};\nlet x = crate::report::TargetInfo::default();"),
        ["sut", "report"]
    );
    assert_eq!(uses("use crate::{otp::Secret, clock::SimTime};"), ["otp", "clock"]);
    assert!(uses(&code("/// see [`crate::sut::Target`]\nfn f() {}")).is_empty());
}
