//! The process's metrics in Prometheus text: one catalogue of every metric (name, type, help),
//! histograms with buckets (so they add up across replicas), each metric described and present
//! from the start, and the helpers that time Telegram and portal calls.

use std::future::Future;
use std::time::Instant;

use metrics::Recorder;
use metrics_exporter_prometheus::{
    Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder,
};

/// A metric's type, as written on its `# TYPE` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Counter,
    Gauge,
    Histogram,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
            Kind::Histogram => "histogram",
        }
    }
}

/// One metric of a catalogue. A metric without labels is recorded at zero from the start; one
/// with labels has its `# HELP` and `# TYPE` lines from the start and a series per label set
/// from its first use.
#[derive(Debug, Clone, Copy)]
pub struct Desc {
    pub name: &'static str,
    pub kind: Kind,
    pub help: &'static str,
    pub labels: &'static [&'static str],
}

const fn m(
    name: &'static str,
    kind: Kind,
    labels: &'static [&'static str],
    help: &'static str,
) -> Desc {
    Desc {
        name,
        kind,
        help,
        labels,
    }
}

use Kind::{Counter, Gauge, Histogram};

/// Every metric of the bot (`dvc-bot run` and `sandbox`, at `DVC_ADMIN_LISTEN`/metrics).
pub const BOT: &[Desc] = &[
    m(
        "dvc_build_info",
        Gauge,
        &["version", "commit"],
        "Always 1; the labels name the running build (commit when known at build time).",
    ),
    m(
        "dvc_updates_total",
        Counter,
        &["kind"],
        "Telegram updates handled, by kind of input.",
    ),
    m(
        "dvc_updates_duplicate_total",
        Counter,
        &[],
        "Updates skipped because this chat had handled them already (redelivery).",
    ),
    m(
        "dvc_updates_refused_total",
        Counter,
        &[],
        "Updates refused: a private chat's update from another user.",
    ),
    m(
        "dvc_replies_failed_total",
        Counter,
        &[],
        "Replies to a citizen that Telegram did not take.",
    ),
    m(
        "dvc_update_seconds",
        Histogram,
        &[],
        "Seconds from an update's start to its last reply sent (handler latency).",
    ),
    m(
        "dvc_telegram_call_seconds",
        Histogram,
        &["method", "outcome"],
        "Seconds per Bot API call, by method and outcome (ok, retry_after, api_error, network).",
    ),
    m(
        "dvc_telegram_errors_total",
        Counter,
        &["method"],
        "Bot API calls that failed (any outcome but ok), by method.",
    ),
    m(
        "dvc_telegram_429_total",
        Counter,
        &[],
        "Notifications Telegram answered with 429 Too Many Requests.",
    ),
    m(
        "dvc_portal_call_seconds",
        Histogram,
        &["route", "outcome"],
        "Seconds per portal HTTP attempt, by route template and outcome (ok, 4xx, 5xx, unreachable).",
    ),
    m(
        "dvc_portal_errors_total",
        Counter,
        &["route"],
        "Portal attempts that failed: unreachable, timed out or answered 5xx, by route template.",
    ),
    m(
        "dvc_outbox_depth",
        Gauge,
        &[],
        "Outbox rows pending (due or not), read by the replica that sends.",
    ),
    m(
        "dvc_outbox_sent_total",
        Counter,
        &[],
        "Notifications Telegram accepted.",
    ),
    m(
        "dvc_outbox_retried_total",
        Counter,
        &[],
        "Notification sends that failed and will be retried.",
    ),
    m(
        "dvc_outbox_failed_total",
        Counter,
        &[],
        "Notifications given up after the retry window.",
    ),
    m(
        "dvc_outbox_dropped_total",
        Counter,
        &[],
        "Notifications dropped: switched off, unreadable, or the chat blocked the bot.",
    ),
    m(
        "dvc_reminders_due",
        Gauge,
        &[],
        "Reminders whose fire time has passed and that are not yet in the outbox.",
    ),
    m(
        "dvc_notifier_lag_seconds",
        Gauge,
        &[],
        "How far behind the portal's event feed the notifier is: now minus the time of the oldest event it read last, 0 when caught up.",
    ),
    m(
        "dvc_event_lag_seconds",
        Histogram,
        &[],
        "Seconds from an event's time at the portal to the notifier reading it.",
    ),
    m(
        "dvc_event_to_chat_seconds",
        Histogram,
        &[],
        "Seconds from an event's time to Telegram accepting its notification.",
    ),
];

/// Every metric of the reference portal (its own `/metrics`).
pub const PORTAL: &[Desc] = &[m(
    "dvc_portal_http_request_seconds",
    Histogram,
    &["route", "status"],
    "Seconds per request served by the reference portal, by route template and status code.",
)];

/// Buckets of call and handler latencies, in seconds.
pub const LATENCY_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];
/// Buckets of the notification path (seconds to hours: quiet hours defer messages).
pub const DELAY_BUCKETS: &[f64] = &[
    0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 1800.0, 3600.0, 21600.0, 86400.0,
];

fn builder() -> PrometheusBuilder {
    let builder = PrometheusBuilder::new();
    // Non-empty constants: these cannot fail.
    let builder = builder
        .set_buckets(LATENCY_BUCKETS)
        .expect("latency buckets");
    ["dvc_event_lag_seconds", "dvc_event_to_chat_seconds"]
        .into_iter()
        .fold(builder, |b, name| {
            b.set_buckets_for_metric(Matcher::Full(name.to_owned()), DELAY_BUCKETS)
                .expect("delay buckets")
        })
}

/// Describes each metric of `catalogue` to the current recorder and records those without
/// labels at zero, so that a scrape right after start shows them all.
fn prime(catalogue: &[Desc]) {
    for d in catalogue {
        match d.kind {
            Counter => {
                metrics::describe_counter!(d.name, d.help);
                if d.labels.is_empty() {
                    metrics::counter!(d.name).increment(0);
                }
            }
            Gauge => {
                metrics::describe_gauge!(d.name, d.help);
                if d.labels.is_empty() {
                    metrics::gauge!(d.name).set(0.0);
                }
            }
            Histogram => {
                metrics::describe_histogram!(d.name, d.help);
                if d.labels.is_empty() {
                    // Registered, not recorded: rendered with every bucket at 0.
                    let _ = metrics::histogram!(d.name);
                }
            }
        }
    }
}

/// Renders `handle` and adds the `# HELP`/`# TYPE` lines of labelled metrics that have no
/// series yet (a family without samples is valid exposition text).
fn render_with(handle: &PrometheusHandle, catalogue: &[Desc]) -> String {
    let mut text = handle.render();
    for d in catalogue {
        if !text.contains(&format!("# TYPE {} ", d.name)) {
            text.push_str(&format!(
                "# HELP {} {}\n# TYPE {} {}\n\n",
                d.name,
                d.help,
                d.name,
                d.kind.as_str()
            ));
        }
    }
    text
}

/// The bot's metrics: the process-wide recorder, installed on first use.
pub struct BotMetrics {
    handle: PrometheusHandle,
}

impl BotMetrics {
    pub fn render(&self) -> String {
        render_with(&self.handle, BOT)
    }
}

/// The process's recorder, installed (and primed) once; `None` if another recorder was
/// installed first (metrics are then off, which is logged).
pub fn bot() -> Option<&'static BotMetrics> {
    static METRICS: std::sync::OnceLock<Option<BotMetrics>> = std::sync::OnceLock::new();
    METRICS
        .get_or_init(|| match builder().install_recorder() {
            Ok(handle) => {
                prime(BOT);
                // Set when building (the Dockerfile's DVC_GIT_COMMIT build argument).
                let commit = option_env!("DVC_GIT_COMMIT")
                    .filter(|c| !c.is_empty())
                    .unwrap_or("unknown");
                metrics::gauge!(
                    "dvc_build_info",
                    "version" => env!("CARGO_PKG_VERSION"),
                    "commit" => commit
                )
                .set(1.0);
                Some(BotMetrics { handle })
            }
            Err(error) => {
                tracing::warn!(%error, "metrics are off");
                None
            }
        })
        .as_ref()
}

/// A recorder of its own (the reference portal's, which may share the process with the bot).
pub struct LocalMetrics {
    recorder: PrometheusRecorder,
    catalogue: &'static [Desc],
}

impl LocalMetrics {
    pub fn new(catalogue: &'static [Desc]) -> Self {
        let recorder = builder().build_recorder();
        metrics::with_local_recorder(&recorder, || prime(catalogue));
        Self {
            recorder,
            catalogue,
        }
    }
    /// Runs `f` with this recorder as the current one (for the `metrics` macros).
    pub fn with<T>(&self, f: impl FnOnce() -> T) -> T {
        metrics::with_local_recorder(&self.recorder as &dyn Recorder, f)
    }
    pub fn render(&self) -> String {
        render_with(&self.recorder.handle(), self.catalogue)
    }
    /// Moves recorded samples into the histograms (bounded memory between scrapes).
    pub fn upkeep(&self) {
        self.recorder.handle().run_upkeep();
    }
}

/// Times one Bot API call: `dvc_telegram_call_seconds{method, outcome}`, and
/// `dvc_telegram_errors_total{method}` when it failed.
pub async fn telegram<T>(
    method: &'static str,
    call: impl Future<Output = Result<T, teloxide::RequestError>>,
) -> Result<T, teloxide::RequestError> {
    use teloxide::RequestError as E;
    let started = Instant::now();
    let result = call.await;
    let outcome = match &result {
        Ok(_) => "ok",
        Err(E::RetryAfter(_)) => "retry_after",
        Err(E::Api(_)) => "api_error",
        Err(_) => "network",
    };
    metrics::histogram!("dvc_telegram_call_seconds", "method" => method, "outcome" => outcome)
        .record(started.elapsed().as_secs_f64());
    if result.is_err() {
        metrics::counter!("dvc_telegram_errors_total", "method" => method).increment(1);
    }
    result
}

/// Path segments of the portal's API that are words of the contract; any other segment is a
/// value (a code, an id) and becomes `{}` in a route's label.
const ROUTE_WORDS: &[&str] = &[
    "api",
    "v1",
    "fields",
    "procedures",
    "accounts",
    "sessions",
    "dossiers",
    "documents",
    "submit",
    "supplements",
    "withdraw",
    "result",
    "public",
    "events",
    "officer",
    "actions",
    "rating",
    "ratings",
    "questions",
    "answer",
    "healthz",
    "readyz",
    "metrics",
];

/// A portal call's route template for labels: the method and the path with values replaced,
/// e.g. `GET /api/v1/procedures/{}` (bounded: no code or id ever becomes a label).
pub fn portal_route(method: &reqwest::Method, url: &url::Url) -> String {
    let mut route = String::from(method.as_str());
    route.push(' ');
    for segment in url.path_segments().into_iter().flatten() {
        if segment.is_empty() {
            continue;
        }
        route.push('/');
        route.push_str(if ROUTE_WORDS.contains(&segment) {
            segment
        } else {
            "{}"
        });
    }
    route
}

/// Records one portal attempt: `dvc_portal_call_seconds{route, outcome}` and, when the portal
/// was unreachable or answered 5xx, `dvc_portal_errors_total{route}`.
pub fn portal_attempt(route: String, status: Option<u16>, seconds: f64) {
    let outcome = match status {
        Some(200..=399) => "ok",
        Some(400..=499) => "4xx",
        Some(_) => "5xx",
        None => "unreachable",
    };
    if !matches!(outcome, "ok" | "4xx") {
        metrics::counter!("dvc_portal_errors_total", "route" => route.clone()).increment(1);
    }
    metrics::histogram!("dvc_portal_call_seconds", "route" => route, "outcome" => outcome)
        .record(seconds);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_hide_values() {
        let url =
            url::Url::parse("http://p:1/api/v1/dossiers/000.00.25.H50-261125-0001/result").unwrap();
        assert_eq!(
            portal_route(&reqwest::Method::GET, &url),
            "GET /api/v1/dossiers/{}/result"
        );
        let url = url::Url::parse("http://p:1/api/v1/procedures?q=khai+sinh").unwrap();
        assert_eq!(
            portal_route(&reqwest::Method::GET, &url),
            "GET /api/v1/procedures"
        );
    }

    #[test]
    fn a_local_recorder_shows_every_metric_from_the_start() {
        let local = LocalMetrics::new(PORTAL);
        let text = local.render();
        for d in PORTAL {
            assert!(text.contains(&format!("# HELP {} ", d.name)), "{text}");
            assert!(
                text.contains(&format!("# TYPE {} {}", d.name, d.kind.as_str())),
                "{text}"
            );
        }
        local.with(|| {
            metrics::histogram!("dvc_portal_http_request_seconds", "route" => "/x", "status" => "200")
                .record(0.02)
        });
        let text = local.render();
        assert!(
            text.contains(
                r#"dvc_portal_http_request_seconds_bucket{route="/x",status="200",le="0.025"} 1"#
            ),
            "{text}"
        );
        assert_eq!(
            text.matches("# TYPE dvc_portal_http_request_seconds ")
                .count(),
            1
        );
    }
}
