//! Folders and files that hold personal data are made private: folders 0700, files 0600
//! (on Unix; elsewhere the platform's defaults). Only what is created here gets the mode —
//! an existing folder (say `/tmp` as a database's parent) is never changed.

use std::io;
use std::path::Path;

/// Mode of a folder created for data (owner only).
#[cfg(unix)]
const FOLDER_MODE: u32 = 0o700;
/// Mode of a file created for data (owner read and write).
#[cfg(unix)]
const FILE_MODE: u32 = 0o600;

/// `create_dir_all` with every folder it creates private.
pub fn create_dir_all(path: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, FOLDER_MODE);
    builder.create(path)
}

/// Options that create a new private file for writing.
pub fn new_file_options() -> std::fs::OpenOptions {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, FILE_MODE);
    options
}

/// Creates `path` as an empty private file unless it exists (SQLite then opens it as a new
/// database and gives its WAL and shared-memory files the same mode).
pub fn touch(path: &Path) -> io::Result<()> {
    match new_file_options().open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Writes `bytes` to a new private file at `path`.
pub fn write_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    new_file_options().open(path)?.write_all(bytes)
}
