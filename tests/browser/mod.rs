//! Headless Chromium for the HTML report tests: writes a run's report under
//! `target/tmp/<dir>/`, opens it, and checks what every vendor report must do in a real
//! browser (the page's script finishes without an error or a console message; the grade card
//! comes first and the failures right after it). The screenshot stays beside the report (CI
//! keeps it as an artifact).
//!
//! Needs Chromium (Debian package `chromium`); `.ci/run` installs it.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use mfa_harness::report::{RunRecord, render_html};

/// Longer than Chromium ever needs for one local page, short enough that a hung browser
/// fails the test instead of CI.
const BROWSER_LIMIT: Duration = Duration::from_secs(90);

/// A report written under `target/tmp/<dir>/report.html`, to open in Chromium.
pub struct Report {
    dir: PathBuf,
    /// The page's `file://` address.
    pub url: String,
}

impl Report {
    /// Writes `record`'s HTML report into `target/tmp/<dir>/`.
    pub fn write(record: &RunRecord, dir: &str) -> Report {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("report.html");
        std::fs::write(&path, render_html(record)).unwrap();
        Report { url: format!("file://{}", path.display()), dir }
    }

    /// The DOM after the page's script ran at `url` (this report's, or it with a `#filter`),
    /// checked to have run cleanly.
    pub fn dom(&self, url: &str) -> String {
        let out = self.chromium(url, &["--dump-dom"]);
        let page = String::from_utf8(out.stdout).unwrap();
        let console = String::from_utf8_lossy(&out.stderr);
        assert!(page.contains("data-ready=\"yes\""), "the page's script did not finish");
        assert!(!page.contains("data-script-error"), "the page's script raised an error");
        let page_messages: Vec<&str> = console.lines().filter(|l| l.contains(":CONSOLE")).collect();
        assert!(page_messages.is_empty(), "the page wrote to the console: {page_messages:#?}");
        page
    }

    /// Opens the report and checks the order every report with failures has: the grade card,
    /// then the failures. Returns the DOM.
    pub fn open_with_failures_first(&self) -> String {
        let page = self.dom(&self.url);
        assert_eq!(sections(&page)[..2], ["card", "failures"], "{:?}", sections(&page));
        page
    }

    /// Screenshots the top `height` pixels of the page, 1280 wide, into `<dir>/<name>`.
    /// Returns the PNG's path.
    pub fn screenshot(&self, name: &str, height: u32) -> PathBuf {
        let shot = self.dir.join(name);
        let _ = std::fs::remove_file(&shot);
        let size = format!("--window-size=1280,{height}");
        self.chromium(&self.url, &["--hide-scrollbars", &size, &format!("--screenshot={}", shot.display())]);
        let png = std::fs::read(&shot).unwrap();
        assert!(
            png.starts_with(b"\x89PNG") && png.len() > 10_000,
            "screenshot too small: {} bytes",
            png.len()
        );
        shot
    }

    /// Runs headless Chromium on `url` with `extra` arguments, killing it past
    /// [`BROWSER_LIMIT`]. Its output goes to files, not pipes: a pipe nobody reads while the
    /// test waits fills at 64 KiB, and a larger DOM (privacyIDEA's report) then blocks
    /// Chromium until the limit.
    fn chromium(&self, url: &str, extra: &[&str]) -> Output {
        let profile = self.dir.join("profile");
        let (stdout, stderr) = (self.dir.join("chromium.out"), self.dir.join("chromium.err"));
        let mut child = Command::new("chromium")
            .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            .args(["--no-first-run", "--disable-extensions", "--enable-logging=stderr", "--v=0"])
            .arg(format!("--user-data-dir={}", profile.display()))
            .args(extra)
            .arg(url)
            .stdout(File::create(&stdout).unwrap())
            .stderr(File::create(&stderr).unwrap())
            .spawn()
            .expect("chromium is not installed (Debian: apt-get install chromium)");
        let start = Instant::now();
        while child.try_wait().unwrap().is_none() {
            if start.elapsed() > BROWSER_LIMIT {
                child.kill().unwrap();
                panic!("chromium did not finish {url} within {BROWSER_LIMIT:?}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let out = Output {
            status: child.wait().unwrap(),
            stdout: std::fs::read(&stdout).unwrap(),
            stderr: std::fs::read(&stderr).unwrap(),
        };
        assert!(out.status.success(), "chromium failed on {url}: {}", String::from_utf8_lossy(&out.stderr));
        out
    }
}

/// The ids of the page's sections, in order.
pub fn sections(dom: &str) -> Vec<&str> {
    dom.match_indices("<section id=\"")
        .map(|(i, m)| {
            let rest = &dom[i + m.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect()
}

/// The scenario rows: (status, hidden).
pub fn rows(dom: &str) -> Vec<(String, bool)> {
    dom.match_indices("<tr data-status=\"")
        .map(|(i, m)| {
            let rest = &dom[i + m.len()..];
            let tag = &rest[..rest.find('>').unwrap()];
            (tag[..tag.find('"').unwrap()].to_owned(), tag.contains(" hidden"))
        })
        .collect()
}
