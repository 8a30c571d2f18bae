//! The kill test, short: `dvc-bot killtest` with 10 citizens and 3 SIGKILLs of the bot (SQLite,
//! and PostgreSQL when the suite has a server). The command itself checks every journey,
//! dossier, paper and status message and fails on a violation; here its table is read too, so
//! a run that killed nothing or finished no journey cannot pass. Nothing here is timed.

use std::process::Command;

/// The value of the table row whose first cell starts with `name`.
fn row<'a>(table: &'a str, name: &str) -> &'a str {
    table
        .lines()
        .find_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            (cells.len() > 2 && cells[1].starts_with(name)).then_some(cells[2])
        })
        .unwrap_or_else(|| panic!("no row {name:?} in:\n{table}"))
}

fn kill_test(postgres: Option<&str>) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dvc-bot"));
    command
        .args([
            "killtest",
            "--citizens",
            "10",
            "--kills",
            "3",
            "--max-interval-ms",
            "2500",
        ])
        .env_remove("DVC_KILLTEST_POSTGRES_URL")
        .env("RUST_LOG", "warn");
    if let Some(url) = postgres {
        command.args(["--postgres", url]);
    }
    let out = command.output().expect("dvc-bot killtest runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "kill test failed:\n{stdout}\n{stderr}"
    );
    assert_eq!(row(&stdout, "SIGKILLs"), "3", "{stdout}");
    assert!(
        row(&stdout, "journeys finished").starts_with("10 of 10"),
        "{stdout}"
    );
    assert_eq!(row(&stdout, "status messages lost"), "0", "{stdout}");
    assert_eq!(row(&stdout, "duplicate dossiers"), "0", "{stdout}");
    assert_eq!(row(&stdout, "duplicate papers"), "0", "{stdout}");
    assert_eq!(row(&stdout, "violations"), "0", "{stdout}");
    let dossiers: usize = row(&stdout, "dossiers sent").parse().expect("a count");
    let expected: usize = row(&stdout, "status messages expected")
        .parse()
        .expect("a count");
    assert!(
        dossiers > 0 && expected >= 2 * dossiers,
        "dossiers were sent and their events told: {stdout}"
    );
    println!("{stdout}");
}

#[test]
fn killed_three_times_nothing_is_lost_or_doubled_sqlite() {
    kill_test(None);
}

#[test]
fn killed_three_times_nothing_is_lost_or_doubled_postgres() {
    let Some(url) = std::env::var("DVC_TEST_POSTGRES_URL")
        .ok()
        .filter(|s| !s.is_empty())
    else {
        eprintln!("DVC_TEST_POSTGRES_URL is not set: the PostgreSQL kill test is skipped");
        return;
    };
    kill_test(Some(&url));
}
