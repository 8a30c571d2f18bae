//! The web chat in headless Chromium: a citizen opens the page, sends `/start`, and sees the
//! real bot's answer with its buttons (sandbox, reference portal and bot on loopback).

use std::path::PathBuf;
use std::time::Duration;

/// Longest the browser may run, in real time (it normally needs a second or two).
const BROWSER_DEADLINE: Duration = Duration::from_secs(120);
/// Virtual time the page gets; fetches pause it, so long polls still happen in real time.
const VIRTUAL_TIME_BUDGET_MS: u32 = 30_000;

/// What the real bot answers to `/start` from a new citizen called Lan.
const GREETING: &str = "Xin chào Lan!";
const BUTTONS: [&str; 2] = ["Tiếng Việt", "English"];

/// Chromium's executable, from `PATH`.
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

#[tokio::test]
async fn web_chat_sends_start_and_shows_the_answer_with_buttons() {
    let Some(chromium) = chromium() else {
        if std::env::var_os("CI").is_some() {
            panic!("Chromium is required in CI (Debian package `chromium`)");
        }
        eprintln!(
            "\n**************** SKIPPED: web chat browser test — no `chromium` on PATH ****************\n\
             install it with: apt-get install -y chromium\n"
        );
        return;
    };
    let system = crate::bot::System::start(crate::support::engines()[0]).await;
    let sandbox = &system.sandbox;

    let profile = tempfile::tempdir().expect("browser profile dir");
    let url = format!(
        "{}?user=424242&name=Lan&lang=vi&send=%2Fstart&stop=buttons",
        sandbox.base_url
    );
    let run = tokio::process::Command::new(&chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("--virtual-time-budget={VIRTUAL_TIME_BUDGET_MS}"))
        .arg(&url)
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(BROWSER_DEADLINE, run)
        .await
        .expect("Chromium finishes")
        .expect("Chromium runs");
    let dom = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "Chromium failed: {}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        dom.contains(">/start<"),
        "the citizen's /start is shown:\n{dom}"
    );
    assert!(dom.contains(GREETING), "the bot's answer is shown:\n{dom}");
    for label in BUTTONS {
        assert!(
            dom.contains(&format!("<button type=\"button\">{label}</button>")),
            "button {label:?} is shown:\n{dom}"
        );
    }
}

/// The phone the console is looked at on: an iPhone 12-14 sized window.
const PHONE: (u32, u32) = (390, 844);

/// A page of the proxy's own: the console's list in a phone-wide frame, and the widths its
/// document lays out to (same origin, so the frame's layout can be read).
const MEASURE_PAGE: &str = r#"<!doctype html><html><body style="margin:0">
<iframe id="f" src="/officer" style="width:390px;height:844px;border:0"></iframe>
<pre id="out">pending</pre>
<script>
document.getElementById('f').addEventListener('load', function () {
  var d = this.contentDocument.documentElement;
  document.getElementById('out').textContent = 'widths ' + d.scrollWidth + ' ' + d.clientWidth;
});
</script></body></html>"#;

/// Serves the console through a loopback proxy that adds the officer's cookie (a browser on
/// the command line cannot be given one), plus `MEASURE_PAGE` at `/measure`.
async fn logged_in_proxy(portal: String, cookie: String) -> String {
    use axum::body::Body;
    use axum::extract::Request;
    use axum::response::{Html, IntoResponse, Response};
    let http = reqwest::Client::new();
    let forward = move |request: Request| {
        let (http, portal, cookie) = (http.clone(), portal.clone(), cookie.clone());
        async move {
            let path = request
                .uri()
                .path_and_query()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default();
            let r = http
                .get(format!("{portal}{path}"))
                .header("cookie", cookie)
                .send()
                .await
                .expect("the portal answers");
            let status = r.status().as_u16();
            let kind = r
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("text/html")
                .to_owned();
            let body = r.bytes().await.expect("a body");
            Response::builder()
                .status(status)
                .header("content-type", kind)
                .body(Body::from(body))
                .expect("a response")
        }
    };
    let app = axum::Router::new()
        .route(
            "/measure",
            axum::routing::get(|| async { Html(MEASURE_PAGE).into_response() }),
        )
        .fallback(forward);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let addr = listener.local_addr().expect("its address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

/// Runs headless Chromium with `args` on `url`; its stdout.
async fn chromium_run(chromium: &std::path::Path, args: &[String], url: &str) -> String {
    let profile = tempfile::tempdir().expect("browser profile dir");
    let run = tokio::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(url)
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(BROWSER_DEADLINE, run)
        .await
        .expect("Chromium finishes")
        .expect("Chromium runs");
    assert!(
        output.status.success(),
        "Chromium failed: {}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test]
async fn the_officer_console_fits_a_phone() {
    let Some(chromium) = chromium() else {
        if std::env::var_os("CI").is_some() {
            panic!("Chromium is required in CI (Debian package `chromium`)");
        }
        eprintln!(
            "\n**************** SKIPPED: console browser test — no `chromium` on PATH ****************\n\
             install it with: apt-get install -y chromium\n"
        );
        return;
    };
    use crate::portal::{OFFICER_AN, cccd, spawn_portal};
    let tp = spawn_portal(crate::support::engines()[0]).await;
    let s = tp.citizen(&cccd("6901")).await;
    let mut codes = Vec::new();
    for _ in 0..3 {
        codes.push(tp.submitted(&s.token).await.code.expect("a code"));
    }
    let db = tp.db.connect().await;
    sqlx::query("UPDATE dossiers SET due_date = '2020-01-02' WHERE code = $1")
        .bind(&codes[0])
        .execute(&db.pool)
        .await
        .unwrap();
    db.close().await;
    let login = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{}/officer/login", tp.url))
        .form(&[("token", OFFICER_AN.1)])
        .send()
        .await
        .unwrap();
    let cookie = login.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let proxy = logged_in_proxy(tp.url.clone(), cookie).await;

    // The screenshot of the list on a phone-sized window.
    let shots = tempfile::tempdir().expect("screenshot dir");
    let shot = shots.path().join("console-phone.png");
    chromium_run(
        &chromium,
        &[
            format!("--window-size={},{}", PHONE.0, PHONE.1),
            format!("--screenshot={}", shot.display()),
            "--virtual-time-budget=5000".to_owned(),
        ],
        &format!("{proxy}/officer"),
    )
    .await;
    let png = std::fs::read(&shot).expect("Chromium wrote the screenshot");
    if let Some(keep) = std::env::var_os("DVC_CONSOLE_SCREENSHOT") {
        std::fs::write(keep, &png).expect("the screenshot is kept");
    }
    let image = image::load_from_memory(&png).expect("a PNG").to_rgb8();
    assert_eq!(image.dimensions(), PHONE, "the phone's size");
    let inked = image.pixels().filter(|p| p.0 != [255, 255, 255]).count();
    let share = inked as f64 / f64::from(PHONE.0 * PHONE.1);
    assert!(
        (0.02..0.9).contains(&share),
        "a page with text on it, not blank and not a block: {share:.3} of the pixels inked"
    );
    let red_flag = image.pixels().any(|p| p.0 == [0xc6, 0x28, 0x28]);
    assert!(red_flag, "the overdue dossier's red flag is drawn");

    // The page itself, as the browser built it.
    let dom = chromium_run(
        &chromium,
        &[
            "--dump-dom".to_owned(),
            "--virtual-time-budget=5000".to_owned(),
        ],
        &format!("{proxy}/officer"),
    )
    .await;
    assert!(dom.contains("name=\"viewport\""), "{dom}");
    for code in &codes {
        assert!(dom.contains(code.as_str()), "{code} listed: {dom}");
    }
    assert!(dom.contains(OFFICER_AN.0));

    // Laid out in a 390 px wide frame, nothing is wider than the frame.
    let dom = chromium_run(
        &chromium,
        &[
            "--dump-dom".to_owned(),
            "--virtual-time-budget=10000".to_owned(),
        ],
        &format!("{proxy}/measure"),
    )
    .await;
    let widths = dom
        .split("widths ")
        .nth(1)
        .unwrap_or_else(|| panic!("the frame was measured: {dom}"));
    let numbers: Vec<u32> = widths
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .take(2)
        .map(|s| s.parse().expect("a width"))
        .collect();
    assert_eq!(numbers.len(), 2, "{widths}");
    assert_eq!(numbers[1], PHONE.0, "the frame's width");
    assert!(
        numbers[0] <= numbers[1],
        "no horizontal overflow on a phone: the page is {} px wide in {} px",
        numbers[0],
        numbers[1]
    );
}
