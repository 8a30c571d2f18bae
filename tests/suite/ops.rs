//! Operations (issue 15), with `dvc-bot run` as a process against the sandbox: health,
//! readiness and metrics from the start and after an update (the portal's own too); a stop on
//! SIGTERM that finishes the update in flight, and a second signal that exits at once; the
//! rotation of `DVC_SECRET_KEY` on each engine.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use dvc_bot::config::{SANDBOX_TOKEN, Secret};
use dvc_bot::crypto::Cipher;
use dvc_bot::db::users;
use dvc_bot::sandbox::client::Citizen;
use dvc_bot::sandbox::{RunningSandbox, SandboxConfig};
use dvc_bot::telemetry::{self, Kind};
use tokio::sync::{mpsc, watch};

use crate::portal::spawn_portal;
use crate::support::process::STOP_DEADLINE;
use crate::support::said::vi;
use crate::support::wait::{DEADLINE, Expect, wait_for};
use crate::support::{Engine, TestDb, engines};

// ---------------------------------------------------------------------------------------------
// The process and its log.

/// `dvc-bot run` as a child process, its JSON log lines read as they come.
struct BotProcess {
    child: Option<Child>,
    log: mpsc::UnboundedReceiver<serde_json::Value>,
    seen: Vec<serde_json::Value>,
    _data: tempfile::TempDir,
}

impl BotProcess {
    /// Starts `dvc-bot run` against the sandbox at `api_url`, with a fresh data folder; `env`
    /// adds or overrides variables (`DVC_PORTAL_URL`…).
    fn start(api_url: &url::Url, env: &[(&str, &str)]) -> Self {
        let data = tempfile::tempdir().expect("data dir");
        let mut command = Command::new(env!("CARGO_BIN_EXE_dvc-bot"));
        command
            .arg("run")
            .env("TELOXIDE_TOKEN", SANDBOX_TOKEN)
            .env("TELOXIDE_API_URL", api_url.as_str())
            .env("DVC_DATA_DIR", data.path())
            .env("DVC_ADMIN_LISTEN", "127.0.0.1:0")
            .env("DVC_LOG_JSON", "1")
            .env("RUST_LOG", "info")
            .env("DVC_QUIET_HOURS", "")
            // `run` with the in-process portal needs an officer token (issue 15).
            .env("DVC_OFFICER_TOKEN", "ops-test-officer-token-0123456789")
            .env_remove("DVC_OFFICERS")
            .env_remove("DATABASE_URL")
            .env_remove("DVC_PORTAL_URL")
            .env_remove("DVC_PORTAL_LISTEN")
            .env_remove("DVC_SERVICE_TOKEN")
            .env_remove("DVC_SECRET_KEY")
            .env_remove("DVC_SECRET_KEY_OLD")
            .env_remove("DVC_WEBHOOK_URL")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command.spawn().expect("run dvc-bot");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, log) = mpsc::unbounded_channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let value = serde_json::from_str(&line)
                    .unwrap_or_else(|_| serde_json::json!({"fields": {"message": line}}));
                if tx.send(value).is_err() {
                    return;
                }
            }
        });
        Self {
            child: Some(child),
            log,
            seen: Vec::new(),
            _data: data,
        }
    }

    /// The first log line (seen or to come) whose message contains `fragment`.
    async fn wait_log(&mut self, fragment: &str) -> serde_json::Value {
        let matches = |v: &serde_json::Value| {
            v["fields"]["message"]
                .as_str()
                .is_some_and(|m| m.contains(fragment))
        };
        if let Some(v) = self.seen.iter().find(|v| matches(v)) {
            return v.clone();
        }
        let until = tokio::time::Instant::now() + DEADLINE;
        loop {
            let next = tokio::time::timeout_at(until, self.log.recv()).await;
            match next {
                Ok(Some(v)) => {
                    self.seen.push(v.clone());
                    if matches(&v) {
                        return v;
                    }
                }
                Ok(None) => panic!("dvc-bot ended before logging {fragment:?}: {:?}", self.seen),
                Err(_) => panic!("no log line with {fragment:?} in time: {:?}", self.seen),
            }
        }
    }

    /// The admin server's address, once it listens.
    async fn admin(&mut self) -> String {
        let line = self.wait_log("health at /healthz").await;
        let addr = line["fields"]["admin_addr"].as_str().expect("admin_addr");
        format!("http://{addr}")
    }

    fn signal(&self, name: &str) {
        let pid = self.child.as_ref().expect("running").id().to_string();
        let sent = Command::new("kill")
            .args([&format!("-{name}"), &pid])
            .status()
            .expect("kill");
        assert!(sent.success(), "{name} sent to {pid}");
    }

    /// Waits for the process to end by itself (after signals sent), with a deadline.
    async fn exit(&mut self) -> std::process::ExitStatus {
        let mut child = self.child.take().expect("running");
        let pid = child.id().to_string();
        let exit = tokio::task::spawn_blocking(move || child.wait());
        match tokio::time::timeout(STOP_DEADLINE, exit).await {
            Ok(waited) => waited.expect("the wait task").expect("wait"),
            Err(_) => {
                let _ = Command::new("kill").args(["-KILL", &pid]).status();
                panic!("dvc-bot (pid {pid}) did not exit within {STOP_DEADLINE:?}");
            }
        }
    }

    /// Every log line still to come until the process closed stderr.
    async fn rest_of_log(&mut self) -> Vec<serde_json::Value> {
        while let Ok(Some(v)) = tokio::time::timeout(DEADLINE, self.log.recv()).await {
            self.seen.push(v);
        }
        self.seen.clone()
    }
}

impl Drop for BotProcess {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

async fn sandbox() -> RunningSandbox {
    dvc_bot::sandbox::spawn(
        SandboxConfig::new(Vec::<String>::new(), false),
        "127.0.0.1:0".parse().expect("addr"),
    )
    .await
    .expect("sandbox starts")
}

// ---------------------------------------------------------------------------------------------
// Prometheus exposition text, read strictly enough to catch a malformed scrape.

#[derive(Debug, Default)]
struct Scrape {
    /// Family name → its `# TYPE`.
    types: HashMap<String, String>,
    helps: HashMap<String, String>,
    samples: Vec<(String, BTreeMap<String, String>, f64)>,
}

impl Scrape {
    /// Parses `text`; panics with the offending line when it is not exposition format.
    fn parse(text: &str) -> Self {
        let mut scrape = Scrape::default();
        for line in text.lines() {
            if line.trim().is_empty() {
                continue;
            }
            if let Some(rest) = line.strip_prefix("# HELP ") {
                let (name, help) = rest.split_once(' ').expect("# HELP name text");
                assert!(valid_name(name), "{line}");
                assert!(
                    scrape.helps.insert(name.into(), help.into()).is_none(),
                    "HELP twice: {line}"
                );
                continue;
            }
            if let Some(rest) = line.strip_prefix("# TYPE ") {
                let (name, kind) = rest.split_once(' ').expect("# TYPE name kind");
                assert!(
                    ["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind),
                    "{line}"
                );
                assert!(
                    scrape.types.insert(name.into(), kind.into()).is_none(),
                    "TYPE twice: {line}"
                );
                continue;
            }
            assert!(!line.starts_with('#') || line.starts_with("# "), "{line}");
            if line.starts_with('#') {
                continue;
            }
            let (name, labels, value) = sample(line);
            // Every sample belongs to a family whose TYPE came before it.
            let family = ["_bucket", "_sum", "_count"]
                .iter()
                .find_map(|s| {
                    name.strip_suffix(s)
                        .filter(|f| scrape.types.get(*f).is_some_and(|t| t == "histogram"))
                })
                .unwrap_or(&name)
                .to_owned();
            assert!(scrape.types.contains_key(&family), "no TYPE before: {line}");
            scrape.samples.push((name, labels, value));
        }
        scrape.check_histograms();
        scrape
    }

    /// Buckets are cumulative and the `+Inf` bucket equals `_count`.
    fn check_histograms(&self) {
        for (family, kind) in &self.types {
            if kind != "histogram" {
                continue;
            }
            let mut series: BTreeMap<String, Vec<(f64, f64)>> = BTreeMap::new();
            for (name, labels, value) in &self.samples {
                if *name != format!("{family}_bucket") {
                    continue;
                }
                let mut rest = labels.clone();
                let le = rest.remove("le").expect("a bucket has le");
                let le: f64 = if le == "+Inf" {
                    f64::INFINITY
                } else {
                    le.parse().expect("le is a number")
                };
                series
                    .entry(format!("{rest:?}"))
                    .or_default()
                    .push((le, *value));
            }
            for (labels, mut buckets) in series {
                buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
                assert!(
                    buckets.windows(2).all(|w| w[0].1 <= w[1].1),
                    "{family}{labels}: buckets not cumulative: {buckets:?}"
                );
                let inf = buckets.last().expect("buckets");
                assert!(inf.0.is_infinite(), "{family}{labels}: no +Inf bucket");
                let count = self
                    .samples
                    .iter()
                    .find(|(n, l, _)| *n == format!("{family}_count") && format!("{l:?}") == labels)
                    .map(|s| s.2)
                    .unwrap_or_else(|| panic!("{family}{labels}: no _count"));
                assert_eq!(inf.1, count, "{family}{labels}: +Inf bucket ≠ count");
            }
        }
    }

    /// The sum of the samples named `name` whose labels include `with`.
    fn value(&self, name: &str, with: &[(&str, &str)]) -> Option<f64> {
        let found: Vec<f64> = self
            .samples
            .iter()
            .filter(|(n, l, _)| {
                n == name && with.iter().all(|(k, v)| l.get(*k).is_some_and(|x| x == v))
            })
            .map(|s| s.2)
            .collect();
        (!found.is_empty()).then(|| found.iter().sum())
    }
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// `name{k="v",…} value` (labels optional, values escaped with `\\`, `\"`, `\n`).
fn sample(line: &str) -> (String, BTreeMap<String, String>, f64) {
    let end = line
        .find(['{', ' '])
        .unwrap_or_else(|| panic!("no value: {line}"));
    let name = &line[..end];
    assert!(valid_name(name), "bad name: {line}");
    let mut labels = BTreeMap::new();
    let mut rest = &line[end..];
    if let Some(inner) = rest.strip_prefix('{') {
        let mut chars = inner.char_indices().peekable();
        let mut close = None;
        loop {
            let (start, c) = chars
                .next()
                .unwrap_or_else(|| panic!("open labels: {line}"));
            if c == '}' {
                close = close.or(Some(start));
                break;
            }
            if c == ',' {
                continue;
            }
            let eq = inner[start..]
                .find("=\"")
                .unwrap_or_else(|| panic!("label without =\": {line}"));
            let key = &inner[start..start + eq];
            assert!(valid_name(key), "bad label name {key:?}: {line}");
            for _ in 0..eq + 1 {
                chars.next();
            }
            let mut value = String::new();
            loop {
                match chars.next() {
                    Some((_, '\\')) => match chars.next() {
                        Some((_, 'n')) => value.push('\n'),
                        Some((_, c @ ('\\' | '"'))) => value.push(c),
                        other => panic!("bad escape {other:?}: {line}"),
                    },
                    Some((_, '"')) => break,
                    Some((_, c)) => value.push(c),
                    None => panic!("open label value: {line}"),
                }
            }
            labels.insert(key.to_owned(), value);
        }
        rest = &inner[close.expect("closed") + 1..];
    }
    let value = rest.trim();
    let value = value.split(' ').next().expect("a value");
    let value = match value {
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        v => v
            .parse::<f64>()
            .unwrap_or_else(|_| panic!("bad value {v:?}: {line}")),
    };
    (name.to_owned(), labels, value)
}

/// Every metric of `catalogue` has its HELP and TYPE; those without labels have a sample.
fn all_described(scrape: &Scrape, catalogue: &[telemetry::Desc]) {
    for d in catalogue {
        assert_eq!(
            scrape.types.get(d.name).map(String::as_str),
            Some(d.kind.as_str()),
            "TYPE of {}",
            d.name
        );
        assert!(
            scrape.helps.get(d.name).is_some_and(|h| !h.is_empty()),
            "HELP of {}",
            d.name
        );
        if d.labels.is_empty() {
            let sample = match d.kind {
                Kind::Histogram => format!("{}_count", d.name),
                _ => d.name.to_owned(),
            };
            assert!(
                scrape.value(&sample, &[]).is_some(),
                "{sample} present from the start"
            );
        }
    }
}

async fn scrape(url: &str) -> Scrape {
    let response = reqwest::get(url).await.expect("scrape");
    assert_eq!(response.status(), 200, "{url}");
    let content_type = response.headers()["content-type"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    Scrape::parse(&response.text().await.expect("text"))
}

/// Scrapes `url` until `ready` holds for the scrape, within the suite's deadline.
async fn scrape_until(url: &str, what: &str, ready: impl Fn(&Scrape) -> bool) -> Scrape {
    let until = tokio::time::Instant::now() + DEADLINE;
    loop {
        let s = scrape(url).await;
        if ready(&s) {
            return s;
        }
        assert!(tokio::time::Instant::now() < until, "never: {what}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

// ---------------------------------------------------------------------------------------------
// Health, readiness, metrics.

#[tokio::test]
async fn every_metric_is_there_from_the_start_and_moves_with_an_update() {
    let sandbox = sandbox().await;
    let control = sandbox.client();
    let mut bot = BotProcess::start(&sandbox.base_url, &[]);
    let admin = bot.admin().await;
    let portal = bot.wait_log("reference portal started in-process").await["fields"]["url"]
        .as_str()
        .expect("the portal's url")
        .to_owned();

    // Right after start: every metric described, each without labels at zero.
    let first = scrape(&format!("{admin}/metrics")).await;
    all_described(&first, telemetry::BOT);
    assert_eq!(
        first.value("dvc_build_info", &[("version", env!("CARGO_PKG_VERSION"))]),
        Some(1.0)
    );
    let handled_before = first.value("dvc_update_seconds_count", &[]).unwrap_or(0.0);

    let health = reqwest::get(format!("{admin}/healthz"))
        .await
        .expect("healthz");
    assert_eq!(health.status(), 200);
    let ready = reqwest::get(format!("{admin}/readyz"))
        .await
        .expect("readyz");
    assert_eq!(ready.status(), 200);
    let body: serde_json::Value = ready.json().await.expect("json");
    assert_eq!(body["database"], "ok", "{body}");
    assert_eq!(body["portal"], "ok", "{body}");

    // One update: the handler's histogram and the Telegram calls move.
    let who = Citizen::new(9_150_001).named("Lan").language("vi");
    control
        .send_text(who.clone(), "/start")
        .await
        .expect("send");
    wait_for(
        &control,
        &who,
        0,
        &Expect::said(vi("greeting").arg("name", "Lan")),
        DEADLINE,
    )
    .await;
    let after = scrape_until(&format!("{admin}/metrics"), "the update timed", |s| {
        s.value("dvc_update_seconds_count", &[])
            .is_some_and(|n| n > handled_before)
    })
    .await;
    all_described(&after, telemetry::BOT);
    assert!(after.value("dvc_updates_total", &[("kind", "command")]) >= Some(1.0));
    assert!(
        after.value(
            "dvc_telegram_call_seconds_count",
            &[("method", "sendMessage"), ("outcome", "ok")]
        ) >= Some(1.0)
    );
    // The notifier read the feed through the portal client: timed by route.
    assert!(
        after.value(
            "dvc_portal_call_seconds_count",
            &[("route", "GET /api/v1/events")]
        ) >= Some(1.0),
        "{:?}",
        after.samples
    );

    // The portal's own health, readiness and metrics.
    let health = reqwest::get(format!("{portal}/healthz"))
        .await
        .expect("healthz");
    assert_eq!(health.status(), 200);
    let ready = reqwest::get(format!("{portal}/readyz"))
        .await
        .expect("readyz");
    assert_eq!(ready.status(), 200);
    let body: serde_json::Value = ready.json().await.expect("json");
    assert_eq!(body["database"], "ok", "{body}");
    let served = scrape_until(&format!("{portal}/metrics"), "the feed's requests", |s| {
        s.value(
            "dvc_portal_http_request_seconds_count",
            &[("route", "/api/v1/events"), ("status", "200")],
        )
        .is_some_and(|n| n >= 1.0)
    })
    .await;
    all_described(&served, telemetry::PORTAL);
    // Values never become labels: the route is the template.
    assert!(
        served
            .samples
            .iter()
            .all(|(_, l, _)| l.get("route").is_none_or(|r| !r.contains("000."))),
        "{:?}",
        served.samples
    );

    bot.signal("TERM");
    let status = bot.exit().await;
    assert!(status.success(), "{status}");
    drop(sandbox);
}

// ---------------------------------------------------------------------------------------------
// Stopping.

/// A proxy in front of the portal that holds requests for `hold` until released: a portal
/// slow on demand, which the real one cannot be made to be.
struct HoldingProxy {
    url: String,
    arrived: mpsc::UnboundedReceiver<()>,
    release: watch::Sender<bool>,
    _server: tokio::task::JoinHandle<()>,
}

struct Proxy {
    target: String,
    hold: &'static str,
    arrived: mpsc::UnboundedSender<()>,
    release: watch::Receiver<bool>,
    http: reqwest::Client,
}

impl HoldingProxy {
    async fn start(target: &str, hold: &'static str) -> Self {
        let (arrived_tx, arrived) = mpsc::unbounded_channel();
        let (release, release_rx) = watch::channel(false);
        let proxy = Arc::new(Proxy {
            target: target.trim_end_matches('/').to_owned(),
            hold,
            arrived: arrived_tx,
            release: release_rx,
            http: reqwest::Client::new(),
        });
        let app = axum::Router::new().fallback(forward).with_state(proxy);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            url,
            arrived,
            release,
            _server: server,
        }
    }

    /// Waits until a held request has arrived.
    async fn held(&mut self) {
        tokio::time::timeout(DEADLINE, self.arrived.recv())
            .await
            .expect("a request to hold arrives")
            .expect("proxy running");
    }
}

async fn forward(State(proxy): State<Arc<Proxy>>, request: Request) -> Response {
    let path = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "/".into());
    if request.uri().path() == proxy.hold {
        let _ = proxy.arrived.send(());
        let mut release = proxy.release.clone();
        let _ = release.wait_for(|go| *go).await;
    }
    let method = request.method().clone();
    let headers = request.headers().clone();
    let Ok(body) = axum::body::to_bytes(request.into_body(), usize::MAX).await else {
        return axum::http::StatusCode::BAD_REQUEST.into_response();
    };
    let mut out = proxy
        .http
        .request(method, format!("{}{path}", proxy.target))
        .body(body);
    for (name, value) in &headers {
        if name != axum::http::header::HOST {
            out = out.header(name, value);
        }
    }
    match out.send().await {
        Ok(answer) => {
            let status = answer.status();
            let content_type = answer
                .headers()
                .get(axum::http::header::CONTENT_TYPE)
                .cloned();
            let bytes = answer.bytes().await.unwrap_or_default();
            let mut response = (status, bytes).into_response();
            if let Some(t) = content_type {
                response
                    .headers_mut()
                    .insert(axum::http::header::CONTENT_TYPE, t);
            }
            response
        }
        Err(_) => axum::http::StatusCode::BAD_GATEWAY.into_response(),
    }
}

#[tokio::test]
async fn sigterm_lets_the_update_in_flight_finish_then_exits_cleanly() {
    let sandbox = sandbox().await;
    let control = sandbox.client();
    let portal = spawn_portal(Engine::Sqlite).await;
    let mut proxy = HoldingProxy::start(&portal.url, "/api/v1/fields").await;
    let mut bot = BotProcess::start(
        &sandbox.base_url,
        &[
            ("DVC_PORTAL_URL", &proxy.url),
            ("DVC_SERVICE_TOKEN", &portal.service_token),
        ],
    );
    bot.admin().await;
    let who = Citizen::new(9_150_002).named("Lan").language("vi");
    let sent = control
        .send_text(who.clone(), "/procedures")
        .await
        .expect("send");
    // The update is in flight: its portal call is held.
    proxy.held().await;
    bot.signal("TERM");
    bot.wait_log("SIGTERM received, stopping").await;
    // Stopping: the update finishes, its reply goes out, then the process exits with 0.
    let _ = proxy.release.send(true);
    wait_for(
        &control,
        &who,
        sent.message_id.unwrap_or(0),
        &Expect::said(vi("procedures-fields")),
        DEADLINE,
    )
    .await;
    let status = bot.exit().await;
    assert!(status.success(), "{status}");
    let log = bot.rest_of_log().await;
    for step in ["bot stopped: no update in flight", "stopped cleanly"] {
        assert!(
            log.iter().any(|v| v["fields"]["message"]
                .as_str()
                .is_some_and(|m| m.contains(step))),
            "{step}: {log:?}"
        );
    }
}

#[tokio::test]
async fn a_second_signal_exits_at_once() {
    let sandbox = sandbox().await;
    let control = sandbox.client();
    let portal = spawn_portal(Engine::Sqlite).await;
    let mut proxy = HoldingProxy::start(&portal.url, "/api/v1/fields").await;
    let mut bot = BotProcess::start(
        &sandbox.base_url,
        &[
            ("DVC_PORTAL_URL", &proxy.url),
            ("DVC_SERVICE_TOKEN", &portal.service_token),
        ],
    );
    bot.admin().await;
    let who = Citizen::new(9_150_003).named("Lan").language("vi");
    control
        .send_text(who.clone(), "/procedures")
        .await
        .expect("send");
    // Held for good: a clean stop would wait for it (then say the portal did not answer).
    proxy.held().await;
    bot.signal("TERM");
    bot.wait_log("SIGTERM received, stopping").await;
    bot.signal("TERM");
    let status = bot.exit().await;
    // Ended by the second signal, not by a clean stop (which exits 0).
    assert_eq!(status.code(), Some(143), "{status}");
    bot.wait_log("received again, exiting at once").await;
}

// ---------------------------------------------------------------------------------------------
// Rotating DVC_SECRET_KEY.

#[tokio::test]
async fn sessions_sealed_with_an_old_key_are_sealed_again_with_the_new_one() {
    for engine in engines() {
        let test_db = TestDb::new(engine).await;
        let db = test_db.connect().await;
        db.migrate_bot().await.expect("migrate");
        let old_key = Secret::generate();
        let old = Cipher::from_hex(&old_key).expect("key");
        let lost = Cipher::from_hex(&Secret::generate()).expect("key");
        users::set_portal_link(&db, 1, Some(("acc-1", &old.seal("token-1"))))
            .await
            .expect("link");
        users::set_portal_link(&db, 2, Some(("acc-2", &lost.seal("token-2"))))
            .await
            .expect("link");
        let new_key = Secret::generate();
        let new_alone = Cipher::from_hex(&new_key).expect("key");
        let rotating = new_alone.clone().with_old_keys(&old_key).expect("old key");
        // A key nobody kept cannot be helped: counted, left for a new login.
        assert_eq!(
            users::reseal_sessions(&db, &rotating)
                .await
                .expect("reseal"),
            (1, 1),
            "{engine:?}"
        );
        let row = users::get(&db, 1).await.expect("get").expect("row");
        let sealed = row.portal_session_enc.expect("still linked");
        assert_eq!(new_alone.open(&sealed).expect("new key opens"), "token-1");
        assert!(old.open(&sealed).is_err(), "no longer the old key's");
        assert_eq!(row.portal_account.as_deref(), Some("acc-1"));
        // Done once: a second pass finds nothing to do.
        assert_eq!(
            users::reseal_sessions(&db, &rotating)
                .await
                .expect("reseal"),
            (0, 1)
        );
        db.close().await;
    }
}
