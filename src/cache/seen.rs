//! What each input file's bytes hashed to, beside its size, times and inode
//! when they were hashed (git's index does the same): a file whose metadata
//! has not moved is not read again, so a re-run over 50 000 unchanged
//! returns costs a `stat` each instead of reading 800 MB.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

/// A file's metadata that any write to it moves: size, modification and
/// change times to the nanosecond, inode and device. The change time cannot
/// be set back by a user, unlike the modification time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stat {
    len: u64,
    mtime: (i64, i64),
    ctime: (i64, i64),
    ino: u64,
    dev: u64,
}

impl Stat {
    #[cfg(unix)]
    pub fn of(meta: &std::fs::Metadata) -> Option<Stat> {
        use std::os::unix::fs::MetadataExt;
        Some(Stat {
            len: meta.len(),
            mtime: (meta.mtime(), meta.mtime_nsec()),
            ctime: (meta.ctime(), meta.ctime_nsec()),
            ino: meta.ino(),
            dev: meta.dev(),
        })
    }

    /// Elsewhere nothing is trusted from metadata: every file is hashed.
    #[cfg(not(unix))]
    pub fn of(_meta: &std::fs::Metadata) -> Option<Stat> {
        None
    }

    /// Written so recently that a second write within the same clock tick
    /// would leave this metadata as it is: not to be trusted later.
    fn racy(&self, now: SystemTime) -> bool {
        let newest = self.mtime.max(self.ctime);
        let at = u64::try_from(newest.0).map_or(SystemTime::UNIX_EPOCH, |s| {
            SystemTime::UNIX_EPOCH + Duration::new(s, newest.1.clamp(0, 999_999_999) as u32)
        });
        now.duration_since(at)
            .map_or(true, |age| age < Duration::from_secs(2))
    }
}

#[derive(Serialize, Deserialize)]
struct Entry {
    path: PathBuf,
    stat: Stat,
    sha256: String,
}

/// The hashes of the last finished run, and those of this one.
#[derive(Default)]
pub struct Seen {
    before: HashMap<PathBuf, (Stat, String)>,
    now: Mutex<HashMap<PathBuf, (Stat, String)>>,
}

impl Seen {
    /// The index in `file`; an unreadable one is an empty one.
    pub fn load(file: &Path) -> Seen {
        let entries: Vec<Entry> = std::fs::read(file)
            .ok()
            .and_then(|b| rmp_serde::from_slice(&b).ok())
            .unwrap_or_default();
        Seen {
            before: entries
                .into_iter()
                .map(|e| (e.path, (e.stat, e.sha256)))
                .collect(),
            now: Mutex::default(),
        }
    }

    /// The hash of the file at `path` within `cap` bytes: remembered when its
    /// metadata is as it was, else computed (and remembered unless racy).
    pub fn hash(&self, path: &Path, cap: u64) -> Option<String> {
        let stat = std::fs::metadata(path).ok().as_ref().and_then(Stat::of);
        if let Some(stat) = stat
            && let Some(sha256) = self.known(path, stat)
            && stat.len <= cap
        {
            self.remember(path, stat, &sha256);
            return Some(sha256);
        }
        let sha256 = crate::ingest::file::hash_capped(path, cap)?;
        if let Some(stat) = stat.filter(|s| !s.racy(SystemTime::now())) {
            self.remember(path, stat, &sha256);
        }
        Some(sha256)
    }

    /// The hash this run or the last one found for the file as it is now:
    /// a run asks twice (for its stamp, then for each input's entry).
    fn known(&self, path: &Path, stat: Stat) -> Option<String> {
        let now = self.now.lock().ok()?.get(path).cloned();
        let before = || self.before.get(path).cloned();
        now.or_else(before)
            .filter(|(was, _)| *was == stat)
            .map(|(_, sha256)| sha256)
    }

    fn remember(&self, path: &Path, stat: Stat, sha256: &str) {
        if let Ok(mut now) = self.now.lock() {
            now.insert(path.to_path_buf(), (stat, sha256.to_string()));
        }
    }

    /// Keeps this run's hashes in `file`, whole or not at all.
    pub fn save(&self, file: &Path) {
        let Ok(now) = self.now.lock() else { return };
        let mut entries: Vec<Entry> = now
            .iter()
            .map(|(path, (stat, sha256))| Entry {
                path: path.clone(),
                stat: *stat,
                sha256: sha256.clone(),
            })
            .collect();
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        super::write_whole(file, &entries);
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_file_rewritten_with_other_bytes_of_the_same_length_is_hashed_again() {
        let dir = tempfile::tempdir().unwrap();
        let (f, index) = (dir.path().join("a.xlsx"), dir.path().join("filer.msgpack"));
        std::fs::write(&f, b"abc").unwrap();
        let seen = Seen::default();
        assert_eq!(seen.hash(&f, 10), Some(crate::ledger::sha256_hex(b"abc")));
        // Just written, so racy: not remembered.
        seen.save(&index);
        assert!(Seen::load(&index).before.is_empty());
        // The change time cannot be set back: only waiting makes it old.
        std::thread::sleep(Duration::from_millis(2100));
        let seen = Seen::default();
        seen.hash(&f, 10);
        seen.save(&index);
        let seen = Seen::load(&index);
        assert_eq!(seen.before.len(), 1);
        std::fs::write(&f, b"xyz").unwrap();
        assert_eq!(seen.hash(&f, 10), Some(crate::ledger::sha256_hex(b"xyz")));
        assert_eq!(seen.hash(&f, 2), None, "over the cap");
    }
}
