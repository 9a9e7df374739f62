//! What libfaketime does to a server's runtime, runtime by runtime: the evidence behind the
//! `[clock] faketime_file` of profiles (`docs/profiles.md`, "Clock control through
//! libfaketime"). Each runtime runs a program that prints its wall clock for every line it
//! reads, under `LD_PRELOAD=libfaketime.so.1` with the variables the docs give; the test writes
//! the file as the harness does (`@<unix seconds>.<fraction>`, renamed into place) and reads
//! back what the process saw. Needs Debian's `faketime` package (`.ci/run` installs it); a
//! runtime that is not installed is skipped, and says so.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

/// The library Debian's `faketime` package installs.
fn libfaketime() -> Option<PathBuf> {
    let candidates =
        ["/usr/lib/x86_64-linux-gnu/faketime", "/usr/lib/aarch64-linux-gnu/faketime", "/usr/lib/faketime"];
    candidates.iter().map(|dir| Path::new(dir).join("libfaketime.so.1")).find(|p| p.exists())
}

/// A process under libfaketime, asked for its time line by line.
struct Clocked {
    child: Child,
    input: ChildStdin,
    output: BufReader<ChildStdout>,
}

impl Clocked {
    fn start(program: &str, args: &[&str], lib: &Path, file: &Path) -> Option<Clocked> {
        let mut child = Command::new(program)
            .args(args)
            .env("LD_PRELOAD", lib)
            .env("FAKETIME_TIMESTAMP_FILE", file)
            .env("FAKETIME_NO_CACHE", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let input = child.stdin.take()?;
        let output = BufReader::new(child.stdout.take()?);
        Some(Clocked { child, input, output })
    }

    /// The process's wall clock now, or `None` when it could not tell (it failed or ended).
    fn now(&mut self) -> Option<f64> {
        writeln!(self.input).ok()?;
        self.input.flush().ok()?;
        let mut line = String::new();
        self.output.read_line(&mut line).ok()?;
        line.trim().parse().ok()
    }
}

impl Drop for Clocked {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sets the process's clock to Unix `at` seconds as the harness does: the offset from the real
/// clock, written beside the file, then renamed over it.
fn set(file: &Path, at: f64) {
    let real = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs_f64();
    let staged = file.with_extension("new");
    std::fs::write(&staged, format!("{:+.6}", at - real)).unwrap();
    std::fs::rename(&staged, file).unwrap();
}

/// Whether `seen` is `expected`, or at most `slack` seconds after it: the clock runs on from
/// the write, and never shows less than was set (beyond the 10 µs of a float's precision at
/// year 2603).
fn near(seen: Option<f64>, expected: f64, slack: f64) -> bool {
    seen.is_some_and(|t| t >= expected - 1e-5 && t <= expected + slack)
}

/// Runs the checks on one runtime; `year_2603` says whether it can show Unix 20000000000.
fn check_runtime(name: &str, program: &str, args: &[&str], year_2603: bool) {
    let Some(lib) = libfaketime() else {
        eprintln!("skipped {name}: libfaketime.so.1 is not installed (apt-get install -y faketime)");
        return;
    };
    let dir = std::env::temp_dir().join(format!("mfa-faketime-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("clock");
    std::fs::write(&file, "+0").unwrap();
    let Some(mut process) = Clocked::start(program, args, &lib, &file) else {
        eprintln!("skipped {name}: {program} is not installed");
        return;
    };
    // Up and answering (a JVM compiles its source first), on the real clock.
    assert!(process.now().is_some(), "{name} did not answer");
    // The simulated default epoch, 2026-01-01 00:00:00.250.
    set(&file, 1_767_225_600.25);
    let first = process.now();
    assert!(near(first, 1_767_225_600.25, 1.0), "{name} at 2026-01-01: {first:?}");
    // A jump back to the RFC 6238 row at T = 59 s, at once.
    set(&file, 59.0);
    let back = process.now();
    assert!(near(back, 59.0, 1.0), "{name} at 59: {back:?}");
    set(&file, 2e9);
    let later = process.now();
    assert!(near(later, 2e9, 1.0), "{name} at 2000000000: {later:?}");
    set(&file, 2e10);
    let far = process.now();
    if year_2603 {
        assert!(near(far, 2e10, 1.0), "{name} at 20000000000: {far:?}");
    } else {
        assert_eq!(far, None, "{name} was expected to fail past year 2262, and showed {far:?}");
    }
    eprintln!("{name}: 2026 {first:?}, 59 {back:?}, 2000000000 {later:?}, 20000000000 {far:?}");
}

#[test]
fn a_python_process_follows_the_file_back_and_forth_but_not_past_2262() {
    // CPython keeps time as 64-bit nanoseconds: time.time() overflows past 2262-04-11.
    let program = "import sys, time\nfor _ in sys.stdin:\n    print(repr(time.time()), flush=True)\n";
    check_runtime("python", "python3", &["-c", program], false);
}

#[test]
fn a_node_process_follows_the_file_back_and_forth() {
    let program = "require('readline').createInterface({ input: process.stdin })\
                   .on('line', () => console.log(String(Date.now() / 1000)));";
    check_runtime("node", "node", &["-e", program], true);
}

#[test]
fn a_jvm_process_follows_the_file_back_and_forth() {
    let dir = std::env::temp_dir().join(format!("mfa-faketime-java-src-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let source = dir.join("Now.java");
    std::fs::write(
        &source,
        "public class Now { public static void main(String[] a) throws Exception {\n\
         var in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in));\n\
         while (in.readLine() != null) { var t = java.time.Instant.now();\n\
         System.out.println(t.getEpochSecond() + t.getNano() / 1e9); System.out.flush(); } } }\n",
    )
    .unwrap();
    // The source launcher (JDK 11 and later) compiles and runs it in one go.
    check_runtime("jvm", "java", &[source.to_str().unwrap()], true);
}
