//! The tradeoff studies: determinism across threads and shards, exact vs analytic agreement,
//! plot data snapshots and rendered images.

use std::time::Duration;

use mfa_harness::otp::Digits;
use mfa_harness::study::attack::{AttackConfig, AttackStudy, GuessRule};
use mfa_harness::study::drift::{DriftConfig, DriftGrid, DriftStudy};
use mfa_harness::study::sms::{SmsConfig, SmsStudy};
use mfa_harness::study::{self, Mode, Outputs, Partial, ResyncRule, Shard, Study, StudyError};

fn small_drift(mode: Mode) -> DriftConfig {
    let mut c = DriftConfig::new(7);
    c.tokens = 300;
    c.mode = mode;
    c.schedule.days = 90;
    c.bucket_days = 30;
    c.drift_bin_seconds = 30;
    c.token.drift =
        mfa_harness::sim::DriftDistribution::Uniform { max: mfa_harness::clock::Drift::from_ppm(10) };
    c.grid = DriftGrid {
        windows: vec![1, 3],
        tracking: vec![false, true],
        resync: vec![ResyncRule::SelfService, ResyncRule::Support],
        lockout_thresholds: vec![4],
    }
    .settings();
    c
}

fn small_attack(mode: Mode) -> AttackConfig {
    let mut c = AttackConfig::new(11);
    c.mode = mode;
    c.trials = 40;
    c.windows = vec![0, 2];
    c.rules =
        vec![GuessRule::lockout(10, Duration::from_secs(900)), GuessRule::rate(20, Duration::from_secs(300))];
    c.horizon = Duration::from_secs(6 * 3600);
    c
}

fn small_sms() -> SmsConfig {
    let mut c = SmsConfig::new(5);
    c.trials = 600;
    c.lifetimes = vec![Duration::from_secs(30), Duration::from_secs(120)];
    c
}

fn drift(c: &DriftConfig, shard: Shard) -> Partial<DriftStudy> {
    Partial::run(c, shard, &|_| {}).unwrap()
}

fn attack(c: &AttackConfig, shard: Shard) -> Partial<AttackStudy> {
    Partial::run(c, shard, &|_| {}).unwrap()
}

fn sms(c: &SmsConfig, shard: Shard) -> Partial<SmsStudy> {
    Partial::run(c, shard, &|_| {}).unwrap()
}

fn on_threads<T: Send>(n: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new().num_threads(n).build().unwrap().install(f)
}

fn texts(o: &Outputs) -> Vec<String> {
    std::iter::once(o.json.clone()).chain(o.tables.iter().map(|(_, t)| t.clone())).collect()
}

fn merged<S: Study>(parts: Vec<Partial<S>>) -> Outputs {
    Partial::merge_all(parts).unwrap().outputs().unwrap()
}

#[test]
fn same_seed_gives_identical_outputs_on_one_and_two_threads() {
    let mut dc = small_drift(Mode::Exact);
    dc.schedule.days = 30;
    dc.grid.truncate(3);
    let ac = small_attack(Mode::Exact);
    let sc = small_sms();
    for (name, run) in [
        ("drift", Box::new(|| drift(&dc, Shard::WHOLE).outputs()) as Box<dyn Fn() -> _ + Sync>),
        ("attack", Box::new(|| attack(&ac, Shard::WHOLE).outputs())),
        ("sms", Box::new(|| sms(&sc, Shard::WHOLE).outputs())),
    ] {
        let one = on_threads(1, &run).unwrap();
        let two = on_threads(2, &run).unwrap();
        assert_eq!(texts(&one), texts(&two), "{name}: 1 vs 2 threads");
        assert_eq!(one.charts, two.charts, "{name}");
    }
}

#[test]
fn two_shards_merged_equal_one_run() {
    let dc = small_drift(Mode::Analytic);
    let (a, b) = (Shard::new(1, 2).unwrap(), Shard::new(2, 2).unwrap());
    let whole = merged(vec![drift(&dc, Shard::WHOLE)]);
    assert_eq!(texts(&whole), texts(&merged(vec![drift(&dc, b), drift(&dc, a)])));
    let ac = small_attack(Mode::Analytic);
    assert_eq!(
        texts(&merged(vec![attack(&ac, Shard::WHOLE)])),
        texts(&merged(vec![attack(&ac, a), attack(&ac, b)]))
    );
    let sc = small_sms();
    assert_eq!(texts(&merged(vec![sms(&sc, Shard::WHOLE)])), texts(&merged(vec![sms(&sc, b), sms(&sc, a)])));
}

#[test]
fn partial_files_round_trip_and_incomplete_merges_are_refused() {
    let sc = small_sms();
    let dir = std::env::temp_dir().join(format!("mfa-harness-studies-{}", std::process::id()));
    let p1 = sms(&sc, Shard::new(1, 2).unwrap()).write(&dir).unwrap();
    let p2 = sms(&sc, Shard::new(2, 2).unwrap()).write(&dir).unwrap();
    let whole = merged(vec![sms(&sc, Shard::WHOLE)]);
    assert_eq!(texts(&study::merge_files(&[p2.clone(), p1.clone()]).unwrap()), texts(&whole));
    let only_one = study::merge_files(std::slice::from_ref(&p1)).unwrap_err();
    assert!(only_one.to_string().contains("2/2 is missing"), "{only_one}");
    let mut other = small_sms();
    other.seed += 1;
    let mixed = Partial::merge_all(vec![Partial::read(&p1).unwrap(), sms(&other, Shard::new(2, 2).unwrap())]);
    assert!(mixed.unwrap_err().to_string().contains("different configurations"));
    let a1 = attack(&small_attack(Mode::Analytic), Shard::new(1, 2).unwrap()).write(&dir).unwrap();
    let studies = study::merge_files(&[p1, a1]).unwrap_err().to_string();
    assert!(studies.contains("cannot merge sms shards with attack shards"), "{studies}");
    std::fs::remove_dir_all(dir).ok();
}

/// Partial files written before studies shared one trait (no `format` field) still merge, to
/// the same reports as a run of this version, or, where the configuration changed shape
/// (drift: the policy became the reference's), are refused by name.
#[test]
fn partial_files_of_the_first_format_merge_or_are_refused_by_name() {
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/partial-v1");
    let files = [data.join("attack-partial-2of2.json"), data.join("attack-partial-1of2.json")];
    let mut c = AttackConfig::new(11);
    c.trials = 40;
    c.windows = vec![0, 2];
    c.horizon = Duration::from_secs(86_400);
    assert_eq!(texts(&study::merge_files(&files).unwrap()), texts(&merged(vec![attack(&c, Shard::WHOLE)])));
    let old_drift = study::merge_files(&[data.join("drift-partial-1of2.json")]).unwrap_err();
    assert!(matches!(old_drift, StudyError::Format { found: 1, expected: 2, .. }), "{old_drift}");
    let message = old_drift.to_string();
    assert!(
        message.contains("drift-partial-1of2.json") && message.contains("run the shards again"),
        "{message}"
    );
}

#[test]
fn attack_exact_and_analytic_agree_with_the_formula() {
    // One guess against 101 window codes: p ≈ 1.01e-4; 700 guesses per 10 minutes for 100
    // minutes: q = 7,000, P = 1 - (1 - p)^q ≈ 0.51, where a binomial interval is narrowest.
    let mut c = AttackConfig::new(3);
    c.windows = vec![50];
    c.rules = vec![GuessRule::rate(700, Duration::from_secs(600))];
    c.horizon = Duration::from_secs(6000);
    c.digits = Digits::SIX;
    let expected = c.analytic(50, &c.rules[0]);
    assert!((expected - 0.51).abs() < 0.01, "{expected}");
    for (mode, trials) in [(Mode::Analytic, 4000), (Mode::Exact, 400)] {
        c.mode = mode;
        c.trials = trials;
        let row = &attack(&c, Shard::WHOLE).report().rows[0];
        eprintln!(
            "{mode:?}: simulated {:.4} [{:.4}, {:.4}] vs analytic {expected:.4}",
            row.simulated, row.simulated_low, row.simulated_high
        );
        assert!(row.agrees, "{mode:?}: {row:?}");
        assert_eq!(row.trials, trials);
    }
}

#[test]
fn drift_exact_and_analytic_agree_within_confidence_intervals() {
    let p = drift(&small_drift(Mode::Exact), Shard::WHOLE);
    let exact = p.counts.exact.as_ref().expect("exact tables");
    let report = p.report();
    let n = exact.by_age.len();
    assert_eq!(report.by_age.len(), 2 * n);
    let mut compared = 0;
    for (a, e) in report.by_age[..n].iter().zip(&report.by_age[n..]) {
        assert_eq!((a.mode, e.mode), (Mode::Analytic, Mode::Exact));
        assert_eq!(a.logins, e.logins);
        // Intervals of the two estimates overlap (each 95 %; collisions are ~1e-6 per code).
        assert!(a.first_try_low <= e.first_try_high && e.first_try_low <= a.first_try_high, "{a:?} vs {e:?}");
        assert!((a.false_rejection_rate - e.false_rejection_rate).abs() < 0.01, "{a:?} vs {e:?}");
        compared += 1;
    }
    assert!(compared >= 8);
    // The settings differ, or the study measures nothing: ±1 without tracking falls behind.
    let first_try = |label: &str| {
        let rows: Vec<_> =
            report.by_age.iter().filter(|r| r.label == label && r.mode == Mode::Analytic).collect();
        rows.last().unwrap().first_try_acceptance
    };
    assert!(
        first_try("±1 tracking self-resync lockout 4") > first_try("±1 no tracking support-resync lockout 4")
    );
}

#[test]
fn drift_bad_config_is_a_typed_error() {
    let mut c = small_drift(Mode::Analytic);
    c.grid.clear();
    let e = Partial::<DriftStudy>::run(&c, Shard::WHOLE, &|_| {}).unwrap_err();
    assert!(e.to_string().contains("grid"), "{e}");
}

fn chart_text<S: Study>(p: &Partial<S>) -> String {
    let mut out = String::new();
    for chart in p.outputs().unwrap().charts {
        out += &format!(
            "# {} | {} | x: {} ({:?}) | y: {} ({:?})\n",
            chart.name, chart.title, chart.x_label, chart.x_scale, chart.y_label, chart.y_scale
        );
        for line in &chart.caption {
            out += &format!("# {line}\n");
        }
        for panel in chart.panels {
            if !panel.title.is_empty() {
                out += &format!("## {}\n", panel.title);
            }
            for s in panel.series {
                let pts: Vec<String> = s
                    .points
                    .iter()
                    .map(|p| match p.interval {
                        Some((lo, hi)) => format!("({:.3}, {:.4} [{lo:.4}, {hi:.4}])", p.x, p.y),
                        None => format!("({:.3}, {:.4})", p.x, p.y),
                    })
                    .collect();
                let st = s.style;
                out += &format!(
                    "{} [{:?}, {:?}, colour {}]: {}\n",
                    s.name,
                    st.line,
                    st.marker,
                    st.color,
                    pts.join(" ")
                );
            }
        }
    }
    out
}

#[test]
fn captions_are_words_with_units_not_debug_structs() {
    let outputs = [
        drift(&small_drift(Mode::Exact), Shard::WHOLE).outputs().unwrap(),
        attack(&small_attack(Mode::Exact), Shard::WHOLE).outputs().unwrap(),
        sms(&small_sms(), Shard::WHOLE).outputs().unwrap(),
    ];
    for chart in outputs.iter().flat_map(|o| &o.charts) {
        for line in &chart.caption {
            for debug in ["{", "}", "LogNormal", "Analytic", "Exact", "secs", "(s)"] {
                assert!(!line.contains(debug), "{}: {line}", chart.name);
            }
        }
    }
}

#[test]
fn plot_data_snapshots() {
    let mut d = small_drift(Mode::Analytic);
    d.grid.truncate(4);
    insta::assert_snapshot!("drift_plot_data", chart_text(&drift(&d, Shard::WHOLE)));
    insta::assert_snapshot!(
        "attack_plot_data",
        chart_text(&attack(&small_attack(Mode::Analytic), Shard::WHOLE))
    );
    insta::assert_snapshot!("sms_plot_data", chart_text(&sms(&small_sms(), Shard::WHOLE)));
}

#[test]
fn every_plot_renders_to_a_non_blank_png_and_an_svg() {
    let dir = std::env::temp_dir().join(format!("mfa-harness-plots-{}", std::process::id()));
    let outputs = [
        drift(&small_drift(Mode::Analytic), Shard::WHOLE).outputs().unwrap(),
        attack(&small_attack(Mode::Analytic), Shard::WHOLE).outputs().unwrap(),
        sms(&small_sms(), Shard::WHOLE).outputs().unwrap(),
    ];
    let mut pngs = 0;
    for o in &outputs {
        for path in o.write(&dir).unwrap() {
            match path.extension().and_then(|e| e.to_str()) {
                Some("png") => {
                    let img = image::open(&path).unwrap().to_rgb8();
                    assert_eq!(img.dimensions(), mfa_harness::report::plot::SIZE, "{}", path.display());
                    let ink = img.pixels().filter(|px| px.0 != [255, 255, 255]).count();
                    let colours: std::collections::BTreeSet<[u8; 3]> = img.pixels().map(|px| px.0).collect();
                    assert!(
                        ink > 5_000 && colours.len() > 8,
                        "{}: {ink} ink pixels, {} colours",
                        path.display(),
                        colours.len()
                    );
                    pngs += 1;
                }
                Some("svg") => {
                    let svg = std::fs::read_to_string(&path).unwrap();
                    assert!(
                        svg.contains("<svg") && svg.contains("<text") && svg.len() > 5_000,
                        "{}",
                        path.display()
                    );
                }
                _ => {}
            }
        }
    }
    assert_eq!(pngs, 5);
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn cli_shards_merged_write_the_same_files_as_one_run() {
    let bin = env!("CARGO_BIN_EXE_mfa-harness");
    let root = std::env::temp_dir().join(format!("mfa-harness-cli-shards-{}", std::process::id()));
    let run = |args: &[&str]| {
        let out = std::process::Command::new(bin).args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    let (one, split) = (root.join("one"), root.join("split"));
    let base = ["sweep", "sms", "--trials", "300", "--lifetimes", "30,300", "--seed", "9"];
    run(&[&base[..], &["--threads", "2", "--out", one.to_str().unwrap()]].concat());
    for shard in ["1/2", "2/2"] {
        run(&[&base[..], &["--shard", shard, "--threads", "1", "--out", split.to_str().unwrap()]].concat());
    }
    let partial = |i: u32| split.join(format!("sms-seed9/sms-partial-{i}of2.json"));
    run(&[
        "merge",
        partial(2).to_str().unwrap(),
        partial(1).to_str().unwrap(),
        "--out",
        split.to_str().unwrap(),
    ]);
    for file in ["sms.json", "sms-results.csv"] {
        let a = std::fs::read(one.join("sms-seed9").join(file)).unwrap();
        let b = std::fs::read(split.join("sms-seed9").join(file)).unwrap();
        assert!(a == b, "{file} differs between one run and merged shards");
    }
    assert!(one.join("sms-seed9/sms-failure-vs-lifetime.png").exists());
    let out = std::process::Command::new(bin).args(["merge", partial(1).to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "an incomplete merge is a harness error");
    assert!(String::from_utf8_lossy(&out.stderr).contains("2/2 is missing"));
    std::fs::remove_dir_all(root).ok();
}
