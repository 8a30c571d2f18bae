//! `dvc-bot portal`: the binary serves the portal, prints generated tokens once, and stops
//! cleanly on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use dvc_bot::portal::{HttpPortal, Portal};

use crate::support::process::stop_with_sigterm;

#[tokio::test]
async fn portal_subcommand_serves_and_stops_on_sigterm() {
    let data = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_dvc-bot"))
        .arg("portal")
        .env("DVC_DATA_DIR", data.path())
        .env("DVC_PORTAL_LISTEN", "127.0.0.1:0")
        .env_remove("DVC_PORTAL_DATABASE_URL")
        .env_remove("DVC_OFFICER_TOKEN")
        .env_remove("DVC_SERVICE_TOKEN")
        .env("RUST_LOG", "off")
        .stdout(Stdio::piped())
        .spawn()
        .expect("run dvc-bot portal");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first
        .split_whitespace()
        .nth(1)
        .expect("the portal URL on the first line")
        .to_owned();
    let officer = lines.next().unwrap().unwrap();
    assert!(
        officer.starts_with("officer token (generated, shown once): "),
        "{officer}"
    );
    let service = lines.next().unwrap().unwrap();
    assert!(
        service.starts_with("service token (generated, shown once): "),
        "{service}"
    );
    let token = officer.rsplit(' ').next().unwrap().to_owned();

    let client = HttpPortal::new(&url).unwrap();
    assert!(client.fields().await.unwrap().len() >= 5);
    let r = reqwest::Client::new()
        .get(format!("{url}/api/v1/officer/dossiers"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(data.path().join("portal.db").exists());

    let status = stop_with_sigterm(child).await;
    assert!(status.success(), "{status:?}");
}
