//! Simulator behaviour: determinism, exact drift, the SMS channel's statistics, and the
//! situations conformance scenarios describe.

use std::collections::BTreeMap;
use std::time::Duration;

use mfa_harness::clock::{DEFAULT_EPOCH, DeviceTime, Drift, SimTime, YEAR_MILLIS};
use mfa_harness::otp::{
    Algorithm, Code, Digits, Hotp, OtpAuthUri, Period, Secret, Totp, UriKind, Verification, Window,
};
use mfa_harness::sim::{
    BlankReason, Concern, DeviceId, Fate, Fired, Latency, Limits, PhoneNumber, PhoneSpec, RetryPolicy,
    Screen, ServerAnswer, Sim, SimError, SmsChannel, Streams, Timing, TokenSpec, UserId, UserProfile,
};
use proptest::prelude::*;

const DAY: Duration = Duration::from_secs(86_400);

/// What varies between generated populations.
#[derive(Clone, Debug)]
struct Population {
    tokens: usize,
    app_users: usize,
    sms_users: usize,
    days: u64,
    sms_median_ms: u64,
    loss: f64,
    typo: f64,
}

/// One user's outcome: (entered_at millis, code, attempt, accepted).
type Outcomes = BTreeMap<String, Vec<(u64, String, u32, bool)>>;

/// The verifier side of a population run: what each user's server expects.
struct Servers {
    totp: BTreeMap<UserId, Totp>,
    sms_sent: BTreeMap<UserId, Code>,
}

/// Runs events until `until`, verifying each entered code with a ±1 window (tokens, apps)
/// or against the code sent (SMS), and answering the simulator.
fn drain(sim: &mut Sim, servers: &Servers, until: SimTime, outcomes: &mut Outcomes) {
    while let Some(fired) = sim.next_event(until).unwrap() {
        let Fired::CodeEntered(e) = fired else { continue };
        let accepted = match servers.totp.get(&e.user) {
            Some(totp) => matches!(
                totp.verify(&e.code, sim.now().unix_secs(), Window::symmetric(1)).unwrap(),
                Verification::Matched { .. }
            ),
            None => servers.sms_sent.get(&e.user) == Some(&e.code),
        };
        let name = sim.user_name(e.user).unwrap().to_owned();
        outcomes.entry(name).or_default().push((
            e.entered_at.unix_millis(),
            e.code.to_string(),
            e.attempt,
            accepted,
        ));
        let answer = if accepted { ServerAnswer::Accepted } else { ServerAnswer::Rejected };
        sim.answer(e.user, answer).unwrap();
    }
}

/// Builds a population whose entity numbers start at `first`, logs everyone in at 09:00 each
/// day (SMS users get a fresh code sent then), and returns the trace and per-user outcomes.
fn run_population(seed: u64, p: &Population, first: usize) -> (String, Outcomes) {
    let channel = SmsChannel {
        latency: Latency::LogNormal { median: Duration::from_millis(p.sms_median_ms), sigma: 0.8 },
        loss_probability: p.loss,
        ..SmsChannel::default()
    };
    let mut sim = Sim::builder(seed).sms_channel(channel).build().unwrap();
    let profile = UserProfile { typo_probability: p.typo, ..UserProfile::default() };
    let mut servers = Servers { totp: BTreeMap::new(), sms_sent: BTreeMap::new() };
    let mut sms_numbers: BTreeMap<UserId, (usize, PhoneNumber)> = BTreeMap::new();
    let sms_hotp = Hotp::new(
        &Secret::from_bytes(b"sms-code-key-0123456".to_vec()).unwrap(),
        Algorithm::Sha1,
        Digits::SIX,
    );
    let mut users = Vec::new();
    for i in first..first + p.tokens {
        let t = sim.add_token(&format!("T{i:05}"), &TokenSpec::default()).unwrap();
        let u = sim.add_user(&format!("tok-user-{i}"), DeviceId::Token(t), profile).unwrap();
        servers.totp.insert(u, sim.token(t).unwrap().seed().totp());
        users.push(u);
    }
    for i in first..first + p.app_users {
        let phone = sim
            .add_phone(&format!("app-phone-{i}"), PhoneNumber(format!("+1555{i:07}")), &PhoneSpec::default())
            .unwrap();
        let mut key = vec![0u8; 20];
        rand::Rng::fill_bytes(&mut sim.streams().stream(&format!("app-{i}"), Concern::Seed), &mut key);
        let uri = OtpAuthUri {
            kind: UriKind::Totp { period: Period::THIRTY_SECONDS },
            issuer: Some("Example".into()),
            account: format!("user{i}"),
            secret: Secret::from_bytes(key).unwrap(),
            algorithm: Algorithm::Sha1,
            digits: Digits::SIX,
        };
        let app = sim.enrol_app(&format!("app-{i}"), phone, &uri).unwrap();
        let u = sim.add_user(&format!("app-user-{i}"), DeviceId::App(app), profile).unwrap();
        servers.totp.insert(u, sim.app(app).unwrap().totp().clone());
        users.push(u);
    }
    for i in first..first + p.sms_users {
        let number = PhoneNumber(format!("+1666{i:07}"));
        let phone = sim.add_phone(&format!("sms-phone-{i}"), number.clone(), &PhoneSpec::default()).unwrap();
        let u = sim.add_user(&format!("sms-user-{i}"), DeviceId::Phone(phone), profile).unwrap();
        sms_numbers.insert(u, (i, number));
        users.push(u);
    }
    let mut outcomes = Outcomes::new();
    for day in 0..p.days {
        let morning = DEFAULT_EPOCH + DAY * day as u32 + Duration::from_secs(9 * 3600);
        drain(&mut sim, &servers, morning, &mut outcomes);
        for &u in &users {
            if let Some((i, number)) = sms_numbers.get(&u) {
                let code = sms_hotp.code(day * 1_000_000 + *i as u64);
                sim.send_sms(number, format!("Your code is {code}. It expires in 5 minutes.")).unwrap();
                servers.sms_sent.insert(u, code);
            }
            sim.start_login(u, morning).unwrap();
        }
    }
    let end = sim.now() + DAY;
    drain(&mut sim, &servers, end, &mut outcomes);
    (sim.trace().to_json_lines(), outcomes)
}

fn population() -> impl Strategy<Value = Population> {
    (1usize..4, 0usize..3, 0usize..3, 1u64..4, 500u64..20_000, 0.0f64..0.3, 0.0f64..0.3).prop_map(
        |(tokens, app_users, sms_users, days, sms_median_ms, loss, typo)| Population {
            tokens,
            app_users,
            sms_users,
            days,
            sms_median_ms,
            loss,
            typo,
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn same_seed_and_config_give_an_identical_trace(seed in any::<u64>(), p in population()) {
        let (a, outcomes) = run_population(seed, &p, 0);
        let (b, _) = run_population(seed, &p, 0);
        prop_assert_eq!(&a, &b);
        // The trace is not trivially empty: every user entered at least one code or waited.
        prop_assert!(a.lines().count() > p.tokens + p.app_users + p.sms_users);
        prop_assert!(outcomes.len() >= p.tokens + p.app_users);
    }

    #[test]
    fn drift_is_exact_over_ten_years(ppb in -200_000i64..200_000, offset in -60_000i64..60_000, day in 0u64..3651) {
        let clock = mfa_harness::clock::DeviceClock::free_running(DEFAULT_EPOCH, offset, Drift::from_ppb(ppb));
        let t = DEFAULT_EPOCH + DAY * day as u32;
        let elapsed = i128::from(day) * 86_400_000;
        let expected = i128::from(offset) + (elapsed * i128::from(ppb)).div_euclid(1_000_000_000);
        prop_assert_eq!(i128::from(clock.reading(t).ahead_of(t)), expected);
    }

    #[test]
    fn true_time_never_goes_backwards(seed in any::<u64>(), steps in proptest::collection::vec((0u64..100_000, any::<bool>()), 1..40)) {
        let mut sim = Sim::builder(seed).sms_channel(SmsChannel::default()).build().unwrap();
        let phone = sim.add_phone("p", PhoneNumber("+1".into()), &PhoneSpec::default()).unwrap();
        let u = sim.add_user("u", DeviceId::Phone(phone), UserProfile::default()).unwrap();
        let mut last = sim.now();
        for (ms, send) in steps {
            if send {
                sim.send_sms(&PhoneNumber("+1".into()), "code 123456").unwrap();
                sim.start_login(u, sim.now()).unwrap();
            }
            let until = sim.now() + Duration::from_millis(ms);
            while let Some(f) = sim.next_event(until).unwrap() {
                prop_assert!(sim.now() >= last);
                last = sim.now();
                if let Fired::CodeEntered(e) = f {
                    sim.answer(e.user, ServerAnswer::Rejected).unwrap();
                }
            }
            prop_assert!(sim.now() >= last);
            last = sim.now();
        }
        // Asking to go back is an error, not a silent rewind.
        let back = SimTime::from_unix_millis(sim.now().unix_millis() - 1);
        prop_assert!(matches!(sim.next_event(back), Err(SimError::TimeWentBack(_))));
    }
}

#[test]
fn a_population_split_across_threads_behaves_exactly_as_one_simulation() {
    let p = Population {
        tokens: 8,
        app_users: 8,
        sms_users: 8,
        days: 3,
        sms_median_ms: 4000,
        loss: 0.1,
        typo: 0.1,
    };
    let (_, whole) = run_population(77, &p, 0);
    // Four threads, each simulating a quarter of the population (same names, same seed).
    let quarter = Population { tokens: 2, app_users: 2, sms_users: 2, ..p.clone() };
    let parts: Vec<Outcomes> = std::thread::scope(|s| {
        let handles: Vec<_> = [0usize, 2, 4, 6]
            .into_iter()
            .map(|first| {
                let q = quarter.clone();
                s.spawn(move || run_population(77, &q, first).1)
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut merged = Outcomes::new();
    for part in parts {
        merged.extend(part);
    }
    assert_eq!(whole.len(), 24, "every user entered codes");
    assert_eq!(whole, merged);
    // And something happened: codes were entered, some accepted, some rejected (typos, loss).
    let all: Vec<_> = merged.values().flatten().collect();
    assert!(all.iter().any(|o| o.3) && all.iter().any(|o| !o.3), "{all:?}");
}

// --- the SMS channel's statistics ---

/// n = 100 000 draws from one stream. For a quantile q of the configured distribution, the
/// fraction of draws at or below it is Binomial(n, q)/n, with standard deviation
/// sqrt(q(1-q)/n): 0.0016 at the median, 0.0007 at p95, 0.0003 at p99. A tolerance of 5
/// standard deviations (rounded up) fails a correct sampler with probability below 10^-6
/// per check, and catches a median off by more than ~1.5% of its value (sigma 0.67).
#[test]
fn sampled_sms_latencies_match_the_configured_quantiles() {
    let channel = SmsChannel {
        latency: Latency::LogNormal { median: Duration::from_secs(4), sigma: 0.67 },
        degraded_probability: 0.0,
        loss_probability: 0.0,
        duplicate_probability: 0.0,
        ..SmsChannel::default()
    };
    let mut rng = Streams::new(2026).stream("+15550100", Concern::Sms);
    let n = 100_000;
    let delays: Vec<Duration> = (0..n)
        .map(|_| match channel.fate(&mut rng) {
            Fate::Delivered(d) => d[0],
            Fate::Lost => panic!("no loss configured"),
        })
        .collect();
    // Quantiles of 4 s · e^(0.67 z): z = 0, 1.6449, 2.3263.
    for (q, at_secs, tolerance) in [
        (0.50, 4.0, 0.008),
        (0.95, 4.0 * (0.67f64 * 1.6449).exp(), 0.0035),
        (0.99, 4.0 * (0.67f64 * 2.3263).exp(), 0.0016),
    ] {
        let below = delays.iter().filter(|d| d.as_secs_f64() <= at_secs).count() as f64 / n as f64;
        assert!((below - q).abs() <= tolerance, "quantile {q}: {below} of draws at or below {at_secs:.3} s");
    }
}

/// Gamma(k = 2, θ = 2 s): mean 4 s, standard deviation sqrt(k)·θ = 2.83 s. The sample mean
/// of 100 000 draws has standard deviation 2.83/316 = 0.009 s; tolerance 0.05 s is over 5 of
/// them. The sample variance's relative error is about sqrt(2/n)·sqrt(1 + kurtosis/2) ≈ 0.8%
/// (excess kurtosis 6/k = 3); tolerance 5%.
#[test]
fn gamma_latencies_have_the_configured_mean_and_spread() {
    let latency = Latency::Gamma { shape: 2.0, scale: Duration::from_secs(2) }.validated().unwrap();
    let mut rng = Streams::new(7).stream("g", Concern::Sms);
    let n = 100_000;
    let xs: Vec<f64> = (0..n).map(|_| latency.sample(&mut rng).as_secs_f64()).collect();
    let mean = xs.iter().sum::<f64>() / n as f64;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    assert!((mean - 4.0).abs() < 0.05, "mean {mean}");
    assert!((var / 8.0 - 1.0).abs() < 0.05, "variance {var}");
}

/// The default channel's heavy tail: P(latency > 60 s) = 0.98·P(LN(4 s, 0.67) > 60 s) +
/// 0.02·P(LN(45 s, 1) > 60 s) = 0.007762 (computed with erfc). Standard deviation of the
/// observed fraction over 100 000 draws: 0.00028; tolerance 0.0015 (over 5 of them).
#[test]
fn default_channel_has_a_heavy_tail_as_documented() {
    let channel = SmsChannel { loss_probability: 0.0, duplicate_probability: 0.0, ..SmsChannel::default() };
    let mut rng = Streams::new(99).stream("tail", Concern::Sms);
    let n = 100_000;
    let slow = (0..n)
        .filter(|_| matches!(channel.fate(&mut rng), Fate::Delivered(d) if d[0] > Duration::from_secs(60)))
        .count();
    let fraction = slow as f64 / n as f64;
    assert!((fraction - 0.007762).abs() < 0.0015, "{fraction}");
}

/// Loss 5% over 100 000 messages sent through the simulator: the delivered fraction is
/// Binomial, standard deviation sqrt(0.05·0.95/100 000) = 0.00069; tolerance 0.0035 (5 of
/// them). Duplicates at 2%: standard deviation 0.00044 of the delivered; tolerance 0.0025.
#[test]
fn configured_loss_and_duplicate_rates_are_met_over_100k_messages() {
    let channel = SmsChannel { loss_probability: 0.05, duplicate_probability: 0.02, ..SmsChannel::default() };
    let mut sim = Sim::builder(5).sms_channel(channel).trace(false).build().unwrap();
    let number = PhoneNumber("+15550199".into());
    let phone = sim.add_phone("p", number.clone(), &PhoneSpec::default()).unwrap();
    let n = 100_000u64;
    for _ in 0..n {
        sim.send_sms(&number, "Your code is 123456").unwrap();
    }
    sim.advance(DAY).unwrap();
    let inbox = sim.inbox(phone).unwrap();
    let distinct: std::collections::BTreeSet<u64> = inbox.iter().map(|m| m.id).collect();
    let lost = 1.0 - distinct.len() as f64 / n as f64;
    let duplicated = (inbox.len() - distinct.len()) as f64 / distinct.len() as f64;
    assert!((lost - 0.05).abs() < 0.0035, "lost {lost}");
    assert!((duplicated - 0.02).abs() < 0.0025, "duplicated {duplicated}");
    // Independent latencies reorder messages: some arrive before an earlier-sent one.
    assert!(inbox.windows(2).any(|w| w[1].id < w[0].id));
}

// --- what conformance scenarios say ---

fn secret() -> Secret {
    Secret::from_bytes(b"12345678901234567890".to_vec()).unwrap()
}

fn app_uri() -> OtpAuthUri {
    OtpAuthUri {
        kind: UriKind::Totp { period: Period::THIRTY_SECONDS },
        issuer: Some("Example".into()),
        account: "alice".into(),
        secret: secret(),
        algorithm: Algorithm::Sha1,
        digits: Digits::SIX,
    }
}

#[test]
fn the_phone_clock_is_40_seconds_fast() {
    let mut sim = Sim::builder(1).build().unwrap();
    let phone = sim.add_phone("alice's phone", PhoneNumber("+1".into()), &PhoneSpec::default()).unwrap();
    let app = sim.enrol_app("alice's app", phone, &app_uri()).unwrap();
    sim.advance(Duration::from_secs(1000)).unwrap();
    let now = sim.now();
    sim.set_phone_clock(phone, DeviceTime::exact(now).plus_millis(40_000)).unwrap();
    let Screen::Code { code, device_time, seconds_left, .. } = sim.app_screen(app).unwrap() else { panic!() };
    let totp = Totp::new(&secret(), Algorithm::Sha1, Digits::SIX, Period::THIRTY_SECONDS, 0);
    assert_eq!(device_time.ahead_of(now), 40_000);
    assert_eq!(code, totp.code_at(now.unix_secs() + 40).unwrap());
    assert_eq!(seconds_left, totp.seconds_left(now.unix_secs() + 40).unwrap());
    // The clock keeps running 40 s fast (automatic time is now off).
    sim.advance(Duration::from_secs(31)).unwrap();
    let Screen::Code { device_time, .. } = sim.app_screen(app).unwrap() else { panic!() };
    assert!((device_time.ahead_of(sim.now()) - 40_000).abs() < 5, "only drift adds");
    assert!(sim.trace().to_json_lines().contains(r#""event":"clock_set""#));
}

#[test]
fn time_passes_31_seconds() {
    let mut sim = Sim::builder(1).build().unwrap();
    assert_eq!(sim.now(), DEFAULT_EPOCH);
    assert!(sim.advance(Duration::from_secs(31)).unwrap().is_empty());
    assert_eq!(sim.now(), DEFAULT_EPOCH + Duration::from_secs(31));
}

#[test]
fn an_sms_that_takes_6_minutes_arrives_after_6_minutes_and_only_then_is_typed() {
    let mut sim = Sim::builder(3).sms_channel(SmsChannel::fixed(Duration::from_secs(360))).build().unwrap();
    let number = PhoneNumber("+8613800000000".into());
    let phone = sim.add_phone("bob's phone", number.clone(), &PhoneSpec::default()).unwrap();
    let bob = sim
        .add_user(
            "bob",
            DeviceId::Phone(phone),
            UserProfile { typo_probability: 0.0, ..UserProfile::default() },
        )
        .unwrap();
    sim.send_sms(&number, "[Cloud] Verification code 482913, valid for 5 minutes.").unwrap();
    sim.start_login(bob, sim.now()).unwrap();
    assert!(sim.advance(Duration::from_secs(359)).unwrap().is_empty());
    assert!(sim.inbox(phone).unwrap().is_empty(), "not delivered yet");
    let Some(Fired::CodeEntered(entry)) = sim.next_event(DEFAULT_EPOCH + DAY).unwrap() else { panic!() };
    assert_eq!(sim.inbox(phone).unwrap()[0].delivered_at, DEFAULT_EPOCH + Duration::from_secs(360));
    assert_eq!(entry.code.to_string(), "482913");
    assert!(entry.looked_at >= DEFAULT_EPOCH + Duration::from_secs(360));
    assert!(entry.entered_at > entry.looked_at);
    let trace = sim.trace().to_json_lines();
    assert!(trace.contains(r#""event":"waiting_for_sms""#), "{trace}");
}

#[test]
fn the_user_types_the_code_in_the_last_second_of_its_step() {
    let mut sim = Sim::builder(8).build().unwrap();
    let token = sim.add_token("SIM1", &TokenSpec::exact(Drift::from_ppm(20))).unwrap();
    let profile = UserProfile {
        typo_probability: 0.0,
        timing: Timing::LastSecondsOfStep { within: Duration::from_secs(1) },
        ..UserProfile::default()
    };
    let user = sim.add_user("carol", DeviceId::Token(token), profile).unwrap();
    for day in 0..20u32 {
        let at = DEFAULT_EPOCH + DAY * day + Duration::from_millis(u64::from(day) * 7919);
        sim.start_login(user, at).unwrap();
        let Some(Fired::CodeEntered(e)) = sim.next_event(at + Duration::from_secs(60)).unwrap() else {
            panic!()
        };
        let Screen::Code { code, seconds_left, device_time, .. } = sim.token_screen(token).unwrap() else {
            panic!()
        };
        assert_eq!(seconds_left, 1, "device at {device_time}");
        assert_eq!(e.code, code, "still the code read");
        sim.answer(user, ServerAnswer::Accepted).unwrap();
    }
}

#[test]
fn a_rejected_user_waits_for_the_next_code_then_gives_up() {
    let mut sim = Sim::builder(4).build().unwrap();
    let token = sim.add_token("SIM2", &TokenSpec::exact(Drift::ZERO)).unwrap();
    let profile = UserProfile {
        retry: RetryPolicy { max_attempts: 3, wait_for_next_code: true },
        ..UserProfile::default()
    };
    let user = sim.add_user("dave", DeviceId::Token(token), profile).unwrap();
    sim.start_login(user, sim.now()).unwrap();
    let mut steps = Vec::new();
    while let Some(Fired::CodeEntered(e)) = sim.next_event(DEFAULT_EPOCH + DAY).unwrap() {
        steps.push((e.attempt, e.looked_at.unix_secs() / 30));
        sim.answer(user, ServerAnswer::Rejected).unwrap();
    }
    assert_eq!(steps.iter().map(|s| s.0).collect::<Vec<_>>(), [1, 2, 3]);
    assert!(steps.windows(2).all(|w| w[1].1 == w[0].1 + 1), "each retry reads the next code: {steps:?}");
    assert!(sim.trace().to_json_lines().contains(r#""reason":"attempts_exhausted""#));
    assert!(matches!(sim.answer(user, ServerAnswer::Accepted), Err(SimError::NotAwaitingAnswer(_))));
}

#[test]
fn a_token_with_a_dead_battery_shows_nothing_and_the_user_gives_up() {
    let mut sim = Sim::builder(4).build().unwrap();
    let spec =
        TokenSpec { battery_life: Some(Latency::Fixed { delay: DAY }), ..TokenSpec::exact(Drift::ZERO) };
    let token = sim.add_token("SIM3", &spec).unwrap();
    let user = sim.add_user("erin", DeviceId::Token(token), UserProfile::default()).unwrap();
    sim.start_login(user, DEFAULT_EPOCH + DAY * 2).unwrap();
    assert!(sim.run_until(DEFAULT_EPOCH + DAY * 3).unwrap().is_empty());
    assert_eq!(sim.token_screen(token).unwrap(), Screen::Blank(BlankReason::BatteryDead));
    assert!(sim.trace().to_json_lines().contains(r#""reason":"battery_dead""#));
}

#[test]
fn five_years_at_plus_20_ppm_is_exactly_3153_6_seconds() {
    let mut sim = Sim::builder(4).trace(false).build().unwrap();
    let token = sim.add_token("SIM4", &TokenSpec::exact(Drift::from_ppm(20))).unwrap();
    sim.advance(Duration::from_millis(5 * YEAR_MILLIS as u64)).unwrap();
    let Screen::Code { device_time, .. } = sim.token_screen(token).unwrap() else { panic!() };
    assert_eq!(device_time.ahead_of(sim.now()), 3_153_600);
}

#[test]
fn overrunning_the_time_limit_names_the_time_and_last_event() {
    let limits = Limits { max_span: Duration::from_secs(3600), max_events: 1000 };
    let mut sim = Sim::builder(1).limits(limits).build().unwrap();
    sim.wake_at(DEFAULT_EPOCH + Duration::from_secs(10), 7).unwrap();
    sim.wake_at(DEFAULT_EPOCH + Duration::from_secs(7200), 8).unwrap();
    assert_eq!(sim.next_event(DEFAULT_EPOCH + DAY).unwrap(), Some(Fired::Wake { tag: 7 }));
    let err = sim.next_event(DEFAULT_EPOCH + DAY).unwrap_err().to_string();
    assert_eq!(
        err,
        "time limit unix:1767229200.000 exceeded: next time unix:1767232800.000, last event: wake 7 at unix:1767225610.000"
    );
}

#[test]
fn spending_the_event_budget_is_an_error() {
    let limits = Limits { max_span: DAY, max_events: 3 };
    let mut sim = Sim::builder(1).limits(limits).build().unwrap();
    for s in 1..=5 {
        sim.wake_at(DEFAULT_EPOCH + Duration::from_secs(s), s).unwrap();
    }
    let err = sim.run_until(DEFAULT_EPOCH + Duration::from_secs(60)).unwrap_err();
    assert!(matches!(err, SimError::EventLimit { limit: 3, .. }), "{err}");
    assert!(err.to_string().contains("last event: wake 3 at unix:1767225603.000"), "{err}");
}

#[test]
fn names_and_numbers_are_unique_and_unknown_numbers_are_refused() {
    let mut sim = Sim::builder(1).build().unwrap();
    sim.add_phone("p", PhoneNumber("+1".into()), &PhoneSpec::default()).unwrap();
    assert!(matches!(
        sim.add_phone("p", PhoneNumber("+2".into()), &PhoneSpec::default()),
        Err(SimError::DuplicateName(_))
    ));
    assert!(matches!(
        sim.add_phone("q", PhoneNumber("+1".into()), &PhoneSpec::default()),
        Err(SimError::DuplicateName(_))
    ));
    assert!(matches!(sim.add_token("p", &TokenSpec::default()), Err(SimError::DuplicateName(_))));
    let err = sim.send_sms(&PhoneNumber("+999".into()), "x").unwrap_err();
    assert_eq!(err.to_string(), "no phone has number +999");
}

#[test]
fn adding_an_entity_leaves_the_others_draws_unchanged() {
    let run = |extra: bool| {
        let mut sim = Sim::builder(12).trace(false).build().unwrap();
        if extra {
            sim.add_token("ZZZ", &TokenSpec::default()).unwrap();
        }
        let t = sim.add_token("A", &TokenSpec::default()).unwrap();
        let u = sim.add_user("a", DeviceId::Token(t), UserProfile::default()).unwrap();
        if extra {
            let p = sim.add_phone("zp", PhoneNumber("+0".into()), &PhoneSpec::default()).unwrap();
            sim.add_user("z", DeviceId::Phone(p), UserProfile::default()).unwrap();
        }
        sim.start_login(u, DEFAULT_EPOCH + DAY).unwrap();
        let Some(Fired::CodeEntered(e)) = sim.next_event(DEFAULT_EPOCH + DAY * 2).unwrap() else { panic!() };
        (sim.token(t).unwrap().clock().clone(), e.entered_at, e.code)
    };
    assert_eq!(run(false), run(true));
}

/// A readable, reviewed trace: one token user who mistypes once, one SMS user whose message
/// is slow. Any change to the event loop, the streams or the defaults shows up here.
#[test]
fn seeded_trace_snapshot() {
    let mut sim = Sim::builder(2026).sms_channel(SmsChannel::fixed(Duration::from_secs(95))).build().unwrap();
    let token = sim.add_token("SIM00000042", &TokenSpec::default()).unwrap();
    let server = sim.token(token).unwrap().seed().totp();
    let profile = UserProfile { typo_probability: 0.5, ..UserProfile::default() };
    let alice = sim.add_user("alice", DeviceId::Token(token), profile).unwrap();
    let number = PhoneNumber("+15550100".into());
    let phone = sim.add_phone("bob-phone", number.clone(), &PhoneSpec::default()).unwrap();
    let bob = sim.add_user("bob", DeviceId::Phone(phone), profile).unwrap();
    sim.start_login(alice, DEFAULT_EPOCH + Duration::from_secs(3600)).unwrap();
    sim.advance(Duration::from_secs(3600)).unwrap();
    sim.send_sms(&number, "Your verification code is 314159.").unwrap();
    sim.start_login(bob, sim.now()).unwrap();
    while let Some(fired) = sim.next_event(DEFAULT_EPOCH + DAY).unwrap() {
        let Fired::CodeEntered(e) = fired else { continue };
        let ok = if e.user == alice {
            matches!(
                server.verify(&e.code, sim.now().unix_secs(), Window::symmetric(1)).unwrap(),
                Verification::Matched { .. }
            )
        } else {
            e.code.to_string() == "314159"
        };
        sim.answer(e.user, if ok { ServerAnswer::Accepted } else { ServerAnswer::Rejected }).unwrap();
    }
    insta::assert_snapshot!(sim.trace().to_json_lines());
    insta::assert_snapshot!("seeded_trace_text", sim.trace().to_text());
}

#[test]
fn a_duplicated_sms_is_typed_once() {
    let channel = SmsChannel { duplicate_probability: 1.0, ..SmsChannel::fixed(Duration::from_secs(5)) };
    let mut sim = Sim::builder(6).sms_channel(channel).build().unwrap();
    let number = PhoneNumber("+15550123".into());
    let phone = sim.add_phone("p", number.clone(), &PhoneSpec::default()).unwrap();
    let user = sim.add_user("u", DeviceId::Phone(phone), UserProfile::default()).unwrap();
    sim.start_login(user, sim.now()).unwrap();
    sim.send_sms(&number, "code 271828").unwrap();
    let fired = sim.run_until(DEFAULT_EPOCH + Duration::from_secs(600)).unwrap();
    assert_eq!(sim.inbox(phone).unwrap().len(), 2, "both copies arrive");
    assert_eq!(fired.len(), 1, "{fired:?}");
    assert_eq!(sim.trace().to_json_lines().matches("waiting_for_sms").count(), 1);
}

#[test]
fn an_sms_read_from_an_outbox_late_arrives_no_earlier_than_now_and_a_named_latency_overrides_the_channel() {
    let mut sim = Sim::builder(3).sms_channel(SmsChannel::fixed(Duration::from_secs(4))).build().unwrap();
    let number = PhoneNumber("+15550142".into());
    let phone = sim.add_phone("p", number.clone(), &PhoneSpec::default()).unwrap();
    sim.advance(Duration::from_secs(60)).unwrap();
    let now = sim.now();
    // Sent 10 s ago with a 4 s channel: already due, so it arrives now, not in the past.
    let late =
        sim.send_sms_at(&number, "code 111111", now.checked_sub(Duration::from_secs(10)).unwrap()).unwrap();
    assert_eq!(sim.sms_arrival(late), Some(now));
    // Sent now: the channel's 4 s.
    let normal = sim.send_sms_at(&number, "code 222222", now).unwrap();
    assert_eq!(sim.sms_arrival(normal), Some(now + Duration::from_secs(4)));
    // "The SMS takes 6 minutes to arrive".
    let slow = sim.send_sms_taking(&number, "code 333333", now, Duration::from_secs(360)).unwrap();
    assert_eq!(sim.sms_arrival(slow), Some(now + Duration::from_secs(360)));
    assert_eq!(sim.sms_arrival(99), None);
    sim.advance(Duration::from_secs(5)).unwrap();
    let bodies: Vec<&str> = sim.inbox(phone).unwrap().iter().map(|m| m.body.as_str()).collect();
    assert_eq!(bodies, ["code 111111", "code 222222"]);
    sim.advance(Duration::from_secs(360)).unwrap();
    assert_eq!(sim.inbox(phone).unwrap().len(), 3);
    assert_eq!(mfa_harness::sim::code_in_text("Your code is 314159."), Some("314159"));
}
