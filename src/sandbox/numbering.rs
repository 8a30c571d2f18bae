//! Update ids that keep growing across restarts: each bot's high-water mark is kept in the data
//! folder, reserved a block ahead, so a restarted sandbox numbers above everything it gave
//! before (a bot drops updates whose ids it has just handled) without a write per update.

use std::io;
use std::path::{Path, PathBuf};

/// Ids reserved per write: a crash skips at most this many, which only makes ids larger.
pub const RESERVED_BLOCK: i64 = 1000;

/// The folder of the data folder where the sandbox keeps its marks.
pub const FOLDER: &str = "sandbox";

/// One bot's reserved ids, backed by a file.
#[derive(Debug)]
pub struct UpdateNumbering {
    path: PathBuf,
    /// Every id up to this one may be given without writing again.
    reserved: i64,
}

impl UpdateNumbering {
    /// Opens (or starts) bot `bot_id`'s mark under `data_dir`; the first id to give is above
    /// every id reserved before.
    pub fn open(data_dir: &Path, bot_id: i64) -> io::Result<(Self, i64)> {
        let folder = data_dir.join(FOLDER);
        crate::private_files::create_dir_all(&folder)?;
        let path = folder.join(format!("bot{bot_id}.update-id"));
        let before = match std::fs::read_to_string(&path) {
            Ok(text) => text.trim().parse::<i64>().map_err(|_| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("{} does not hold a number", path.display()),
                )
            })?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => 0,
            Err(e) => return Err(e),
        };
        let mut numbering = Self {
            path,
            reserved: before,
        };
        let first = before + 1;
        numbering.write(first + RESERVED_BLOCK)?;
        Ok((numbering, first))
    }

    /// Makes sure `id` is reserved, writing a new mark when it is not (a failed write is
    /// logged: the sandbox goes on, only a later restart could number lower).
    pub fn reserve(&mut self, id: i64) {
        if id <= self.reserved {
            return;
        }
        if let Err(error) = self.write(id + RESERVED_BLOCK) {
            tracing::warn!(%error, path = %self.path.display(), "cannot keep the update id mark");
            self.reserved = id;
        }
    }

    /// Writes the mark (through a temporary file, so a crash leaves the old or the new one).
    fn write(&mut self, reserved: i64) -> io::Result<()> {
        let temporary = self.path.with_extension("tmp");
        // A leftover from a crash mid-write is replaced; the mark is private like the data.
        let _ = std::fs::remove_file(&temporary);
        crate::private_files::write_new(&temporary, format!("{reserved}\n").as_bytes())?;
        std::fs::rename(&temporary, &self.path)?;
        self.reserved = reserved;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn the_mark_is_private_like_the_data() {
        use std::os::unix::fs::PermissionsExt;
        let data = tempfile::tempdir().unwrap();
        let (mut numbering, first) = UpdateNumbering::open(data.path(), 7).unwrap();
        numbering.reserve(first + RESERVED_BLOCK + 1);
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&data.path().join(FOLDER)), 0o700);
        assert_eq!(mode(&numbering.path), 0o600);
    }

    #[test]
    fn ids_go_on_above_everything_given_before() {
        let dir = tempfile::tempdir().unwrap();
        let (mut first, id) = UpdateNumbering::open(dir.path(), 7).unwrap();
        assert_eq!(id, 1);
        for id in 1..=RESERVED_BLOCK + 5 {
            first.reserve(id);
        }
        let (_, next) = UpdateNumbering::open(dir.path(), 7).unwrap();
        assert!(next > RESERVED_BLOCK + 5, "{next}");
        let (_, other) = UpdateNumbering::open(dir.path(), 8).unwrap();
        assert_eq!(other, 1, "each bot has its own");
    }
}
