//! The binary's edge: bad configuration is one clear line on stderr and a non-zero exit.

use std::process::Command;

fn migrate_with(database_url: &str) -> (bool, String) {
    let data = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_dvc-bot"))
        .arg("migrate")
        .env("DATABASE_URL", database_url)
        .env("DVC_DATA_DIR", data.path())
        // The default log filter, as an operator would run it: nothing else may reach stderr.
        .env_remove("RUST_LOG")
        .output()
        .expect("run dvc-bot");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn assert_one_clear_line(stderr: &str, needle: &str) {
    let lines: Vec<_> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line expected, got: {stderr}");
    assert!(lines[0].starts_with("dvc-bot: "), "{stderr}");
    assert!(lines[0].contains(needle), "{needle:?} not in {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn migrate_on_a_fresh_sqlite_file_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}",
        dir.path().join("nested/folder/bot.db").display()
    );
    let (ok, stderr) = migrate_with(&url);
    assert!(ok, "{stderr}");
    assert!(dir.path().join("nested/folder/bot.db").exists());
}

#[test]
fn unreadable_database_path() {
    let (ok, stderr) = migrate_with("sqlite:///proc/dvc-bot-cannot-be-here/bot.db");
    assert!(!ok);
    assert_one_clear_line(&stderr, "/proc/dvc-bot-cannot-be-here");
}

#[test]
fn a_file_that_is_not_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("garbage.db");
    std::fs::write(&path, "this is not SQLite").unwrap();
    let (ok, stderr) = migrate_with(&format!("sqlite://{}", path.display()));
    assert!(!ok);
    assert_one_clear_line(&stderr, "file is not a database");
}

#[test]
fn malformed_database_url() {
    let (ok, stderr) = migrate_with("mysql//nonsense");
    assert!(!ok);
    assert_one_clear_line(&stderr, "is not valid");
}

#[test]
fn postgres_refusing_connections() {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    let (ok, stderr) = migrate_with("postgres://postgres@127.0.0.1:1/test");
    assert!(!ok);
    assert_one_clear_line(
        &stderr,
        "cannot open the database at postgres://postgres@127.0.0.1:1/test",
    );
    assert!(
        stderr.contains("Connection refused"),
        "the cause is said: {stderr}"
    );
}

#[test]
fn help_documents_every_environment_variable() {
    let out = Command::new(env!("CARGO_BIN_EXE_dvc-bot"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for var in [
        "DVC_DATA_DIR",
        "DATABASE_URL",
        "TELOXIDE_TOKEN",
        "TELOXIDE_API_URL",
        "DVC_PORTAL_URL",
        "DVC_PORTAL_LISTEN",
        "DVC_PORTAL_DATABASE_URL",
        "DVC_OFFICER_TOKEN",
        "DVC_OFFICERS",
        "DVC_BOT_USERNAME",
        "DVC_SERVICE_TOKEN",
        "DVC_SANDBOX_LISTEN",
        "DVC_ADMIN_LISTEN",
        "DVC_LOG_JSON",
    ] {
        assert!(help.contains(var), "--help lacks {var}");
    }
}

fn run_with(envs: &[(&str, &str)]) -> (bool, String) {
    let data = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_dvc-bot"));
    command
        .arg("run")
        .env("DVC_DATA_DIR", data.path())
        .env("RUST_LOG", "off")
        .env_remove("TELOXIDE_TOKEN")
        .env_remove("DVC_SECRET_KEY")
        .env_remove("DATABASE_URL")
        .env_remove("DVC_OFFICER_TOKEN")
        .env_remove("DVC_OFFICERS")
        .env_remove("DVC_PORTAL_URL");
    for (k, v) in envs {
        command.env(k, v);
    }
    let out = command.output().expect("run dvc-bot");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn run_without_a_token_says_what_to_do() {
    let (ok, stderr) = run_with(&[]);
    assert!(!ok);
    assert_one_clear_line(&stderr, "TELOXIDE_TOKEN is required");
}

#[test]
fn run_on_postgres_without_a_shared_key_is_refused() {
    let (ok, stderr) = run_with(&[
        ("TELOXIDE_TOKEN", "1:test"),
        ("DATABASE_URL", "postgres://postgres@127.0.0.1:1/test"),
    ]);
    assert!(!ok);
    assert_one_clear_line(&stderr, "DVC_SECRET_KEY is required with PostgreSQL");
}

#[test]
fn run_refuses_an_in_process_portal_without_an_officer_token() {
    let (ok, stderr) = run_with(&[("TELOXIDE_TOKEN", "1:test")]);
    assert!(!ok);
    assert_one_clear_line(&stderr, "DVC_OFFICERS");
    assert!(stderr.contains("DVC_OFFICER_TOKEN"), "{stderr}");
    // A malformed list is refused in words, never echoing a token.
    for (list, says) in [
        ("Nguyễn Văn An=tiny-token", "shorter than 16"),
        ("just-a-token-without-a-name", "not written `Name=token`"),
    ] {
        let (ok, stderr) = run_with(&[("TELOXIDE_TOKEN", "1:test"), ("DVC_OFFICERS", list)]);
        assert!(!ok);
        assert_one_clear_line(&stderr, says);
        assert!(
            !stderr.contains("tiny-token") && !stderr.contains("just-a-token"),
            "{stderr}"
        );
    }
}

#[test]
fn help_never_prints_a_secret_from_the_environment() {
    let out = Command::new(env!("CARGO_BIN_EXE_dvc-bot"))
        .arg("--help")
        .env("DATABASE_URL", "postgres://u:hunter2@127.0.0.1/db")
        .env(
            "DVC_PORTAL_DATABASE_URL",
            "postgres://u:hunter3@127.0.0.1/db",
        )
        .env("TELOXIDE_TOKEN", "1:token-secret")
        .env("DVC_OFFICER_TOKEN", "officer-secret")
        .env("DVC_WEBHOOK_URL", "https://bot.example.vn/hookpw42")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for secret in [
        "hunter2",
        "hunter3",
        "token-secret",
        "officer-secret",
        "hookpw42",
    ] {
        assert!(!help.contains(secret), "--help shows {secret}");
    }
}

#[test]
fn boolean_settings_take_1_and_0_from_the_environment() {
    for value in ["1", "true", "yes", "0", "false"] {
        let data = tempfile::tempdir().unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_dvc-bot"))
            .arg("migrate")
            .env("DVC_DATA_DIR", data.path())
            .env_remove("DATABASE_URL")
            .env("DVC_LOG_JSON", value)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "DVC_LOG_JSON={value}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
