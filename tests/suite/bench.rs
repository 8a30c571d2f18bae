//! `dvc-bot bench` with 5 citizens: the table has a row per bot (PostgreSQL too when the suite
//! has a server) and no input went unanswered. Nothing here is timed.

use std::process::Command;

#[test]
fn bench_prints_every_row_without_errors() {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dvc-bot"));
    command
        .args(["bench", "--citizens", "5"])
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
    // dvc-bot's rows carry their ratios to the baseline.
    assert!(rows[2][13].split(", ").count() == 3, "{stdout}");
}
