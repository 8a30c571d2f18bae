//! Personal data at rest (issue 13.9): the folders the bot and the portal create are 0700 and
//! the files they write 0600 — SQLite databases (with their WAL), the secret key, papers.
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use dvc_bot::crypto::Cipher;
use dvc_bot::db::Db;
use dvc_bot::portal::server::files::FileStore;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

#[tokio::test]
async fn data_folders_are_0700_and_their_files_0600() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");

    Cipher::load(None, &data).expect("a key is made");
    assert_eq!(mode(&data), 0o700, "the data folder");
    assert_eq!(mode(&data.join("secret.key")), 0o600);

    let db_dir = root.path().join("db").join("bot");
    let db_file = db_dir.join("dvc-bot.db");
    let db = Db::connect(&format!("sqlite://{}", db_file.display()))
        .await
        .expect("opens");
    db.migrate_bot().await.expect("migrations");
    assert_eq!(mode(&root.path().join("db")), 0o700);
    assert_eq!(mode(&db_dir), 0o700);
    assert_eq!(mode(&db_file), 0o600, "the database file");
    let wal = db_dir.join("dvc-bot.db-wal");
    if wal.exists() {
        assert_eq!(mode(&wal), 0o600, "its write-ahead log");
    }

    let files = root.path().join("portal-files");
    let store = FileStore::new(&files);
    let sha = store.put(b"%PDF-1.4 a paper").await.expect("stored");
    let stored = files.join(&sha[..2]).join(&sha);
    assert_eq!(mode(&files.join(&sha[..2])), 0o700);
    assert_eq!(mode(&stored), 0o600, "a stored paper");
}
