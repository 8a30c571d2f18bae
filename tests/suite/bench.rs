//! `dvc-bot bench` with 5 citizens: the table has a row per bot (PostgreSQL too when the suite
//! has a server) and no input went unanswered, and the notifier's and sender's row is there.
//! Nothing here is timed.

use std::process::Command;

#[test]
fn bench_prints_every_row_without_errors() {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dvc-bot"));
    command
        .args(["bench", "--citizens", "5"])
        .args(["--stored-dialogues", "1000"])
        .args(["--notify-samples", "2", "--notify-messages", "40"])
        .env_remove("DVC_BENCH_POSTGRES_URL")
        .env("RUST_LOG", "warn");
    let postgres = std::env::var("DVC_TEST_POSTGRES_URL")
        .ok()
        .filter(|s| !s.is_empty());
    if let Some(url) = &postgres {
        command.args(["--postgres-url", url]);
    }
    let out = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "bench failed:\n{stdout}\n{stderr}");
    let mut expected = vec![
        "echo (generator ceiling)",
        "teloxide + InMemStorage",
        "dvc-bot, SQLite",
    ];
    if postgres.is_some() {
        expected.push("dvc-bot, PostgreSQL");
        expected.push("dvc-bot, PostgreSQL, synchronous_commit off");
    }
    let rows: Vec<Vec<&str>> = stdout
        .lines()
        .filter(|l| l.starts_with("| 5 |"))
        .map(|l| l.split('|').map(str::trim).collect())
        .collect();
    assert_eq!(rows.len(), expected.len(), "{stdout}");
    for (row, name) in rows.iter().zip(&expected) {
        // | citizens | bot | updates | errors | updates/s | …
        assert_eq!(row[2], *name, "{stdout}");
        assert_eq!(row[3], "35", "5 citizens × 7 inputs answered: {stdout}");
        assert_eq!(row[4], "0", "no errors: {stdout}");
        let rss: f64 = row[11].parse().unwrap();
        assert!(rss > 1.0, "peak RSS of the bot's own process: {stdout}");
    }
    // dvc-bot's rows carry their ratios to the baseline: numbers, since the bots' CPU time is
    // read in microseconds (a baseline measured at 0 would show "—").
    for row in &rows[2..] {
        let ratios: Vec<&str> = row[13].split(", ").collect();
        assert_eq!(ratios.len(), 3, "{stdout}");
        assert!(ratios.iter().all(|r| r.parse::<f64>().is_ok()), "{stdout}");
    }
    // The notifier and the sender: both samples timed, every queued message sent.
    let notify: Vec<&str> = stdout
        .lines()
        .find(|l| l.starts_with("| SQLite |"))
        .unwrap_or_else(|| panic!("no notifier row: {stdout}"))
        .split('|')
        .map(str::trim)
        .collect();
    // | SQLite | samples | p50 | p95 | p99 | queued | sent | …
    assert_eq!(notify[2], "2", "{stdout}");
    assert_eq!(notify[6], "40", "{stdout}");
    assert_eq!(notify[7], "40", "{stdout}");
}
