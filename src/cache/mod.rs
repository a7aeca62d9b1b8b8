//! Incremental runs: what each input file became (a return's tidy values and
//! findings, a survey file's indicator cells), kept between runs under a key
//! made of the file's bytes and name, the pipeline and the program. A re-run
//! reads back what is unchanged and recomputes the rest; everything after
//! (totals, disclosure control, outputs) is computed afresh from the same
//! results, so the outputs are byte-identical to a cold run's.
//!
//! The folder holds unprotected intermediate results (small counts before
//! disclosure control): it is the analysts' working copy and is never
//! published. It is marked as uppfolj's own, and nothing else is written into
//! a folder without that mark.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use crate::ledger::hex;
use crate::pipeline::Pipeline;

mod seen;
pub use seen::Stat;

/// The file in the cache folder that remembers what each input hashed to.
const SEEN: &str = "filer.msgpack";
/// Its name in earlier versions, removed when the new one is written.
const SEEN_BEFORE: &str = "filer.json";

/// An entry's file: its key, then this. MessagePack reads back several
/// times faster than JSON and takes less room; numbers come back exactly.
const ENTRY_SUFFIX: &str = ".msgpack";

/// The folder's mark: a folder without it is not uppfolj's to write in.
pub const MARKER: &str = "LÄS-MIG-uppfolj-cache.txt";

const MARKER_TEXT: &str = "\
Den här mappen är uppfoljs cache för snabbare omkörningar (uppfolj run).
Den innehåller mellanresultat före röjandekontrollen och får inte publiceras
eller lämnas ut. Mappen kan tas bort när som helst; nästa körning blir då en
kall körning. uppfolj run --no-cache använder den inte.
";

/// The cache's folder in the private folder, unless the pipeline names one.
pub const IN_PRIVATE: &str = "cache";

/// Where a run keeps its cache: `[output] cache` in the pipeline file, or
/// `cache/` in the folder of what must never be published.
pub fn folder(p: &Pipeline, private: &Path) -> PathBuf {
    match &p.output.cache {
        Some(dir) => p.resolve(dir),
        None => private.join(IN_PRIVATE),
    }
}

/// An open cache, or none (`--no-cache`, or a folder that is not ours).
pub struct Cache {
    dir: Option<PathBuf>,
    /// The pipeline and the program: a change in either makes every entry new.
    salt: String,
    hits: AtomicUsize,
    misses: AtomicUsize,
    /// The entries this run read or wrote: the ones [`Cache::prune`] keeps.
    used: Mutex<HashSet<String>>,
    seen: seen::Seen,
}

/// What is written into it goes into the hash.
struct Hashing(Sha256);

impl std::io::Write for Hashing {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Why a cache could not be used; the run goes on cold.
#[derive(Debug, thiserror::Error)]
pub enum Unusable {
    #[error(
        "mappen {0} finns men är inte uppfoljs cache (filen {MARKER} saknas); körningen går utan cache. Ange en annan mapp med [output] cache."
    )]
    NotOurs(PathBuf),
    #[error("kan inte skapa cachemappen {0}: {1}; körningen går utan cache")]
    Create(PathBuf, std::io::Error),
}

impl Cache {
    /// No cache: every input is computed.
    pub fn none() -> Cache {
        Cache {
            dir: None,
            salt: String::new(),
            hits: AtomicUsize::new(0),
            misses: AtomicUsize::new(0),
            used: Mutex::new(HashSet::new()),
            seen: seen::Seen::default(),
        }
    }

    /// The cache in `dir`, made and marked if it does not exist yet.
    pub fn open(p: &Pipeline, dir: &Path) -> Result<Cache, Unusable> {
        if dir.exists() && !dir.join(MARKER).is_file() {
            return Err(Unusable::NotOurs(dir.to_path_buf()));
        }
        std::fs::create_dir_all(dir)
            .and_then(|()| match dir.join(MARKER).is_file() {
                true => Ok(()),
                false => std::fs::write(dir.join(MARKER), MARKER_TEXT),
            })
            .map_err(|e| Unusable::Create(dir.to_path_buf(), e))?;
        Ok(Cache {
            dir: Some(dir.to_path_buf()),
            salt: salt(p),
            seen: seen::Seen::load(&dir.join(SEEN)),
            ..Cache::none()
        })
    }

    /// The key of what `kind` made of the file at `path`: its name, its
    /// bytes, the pipeline and the program. `None` when there is no cache or
    /// the file is not a regular file within `cap` bytes (then it is read the
    /// usual way, which says what is wrong).
    pub fn key(&self, kind: &str, path: &Path, cap: u64) -> Option<String> {
        let content = self.hash(path, cap)?;
        self.key_of(&[kind, &path.display().to_string(), &content])
    }

    /// The key of anything else made of `parts`, the pipeline and the program.
    pub fn key_of(&self, parts: &[&str]) -> Option<String> {
        self.salted(parts).map(|h| hex(&h.finalize()))
    }

    /// The key of what is made of `value` (its MessagePack, hashed as it is
    /// encoded, never held whole), the pipeline and the program.
    pub fn key_of_value<T: Serialize>(&self, kind: &str, value: &T) -> Option<String> {
        let mut h = Hashing(self.salted(&[kind])?);
        rmp_serde::encode::write(&mut h, value).ok()?;
        Some(hex(&h.0.finalize()))
    }

    /// A hash begun with the salt and `parts`, each ended by a zero byte;
    /// `None` when there is no cache.
    fn salted(&self, parts: &[&str]) -> Option<Sha256> {
        self.dir.as_ref()?;
        let mut h = Sha256::new();
        for part in std::iter::once(self.salt.as_str()).chain(parts.iter().copied()) {
            h.update(part.as_bytes());
            h.update([0]);
        }
        Some(h)
    }

    /// The SHA-256 of a regular file within `cap` bytes, read only when its
    /// metadata has moved since the last finished run; `None` without a
    /// cache or for a file that cannot be read within the cap.
    pub fn hash(&self, path: &Path, cap: u64) -> Option<String> {
        self.dir.as_ref()?;
        self.seen.hash(path, cap)
    }

    /// What was kept under `key`, if anything readable was; counted as an
    /// input read back or computed.
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        let found = self.load(key);
        let counter = match found {
            Some(_) => &self.hits,
            None => &self.misses,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// What was kept under `key`, not counted as an input.
    pub fn load<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        self.mark_used(key);
        self.entry(key)
            .and_then(|f| std::fs::read(f).ok())
            .and_then(|bytes| rmp_serde::from_slice(&bytes).ok())
    }

    /// Keeps `value` under `key`. A failure only costs the next run time, so
    /// it is not an error; the entry appears whole or not at all.
    pub fn put<T: Serialize>(&self, key: &str, value: &T) {
        let Some(file) = self.entry(key) else { return };
        self.mark_used(key);
        write_whole(&file, value);
    }

    /// Keeps what this run's inputs hashed to, for the next run; done also
    /// by [`Cache::prune`].
    pub fn save_hashes(&self) {
        if let Some(dir) = &self.dir {
            self.seen.save(&dir.join(SEEN));
            let _ = std::fs::remove_file(dir.join(SEEN_BEFORE));
        }
    }

    /// How many inputs were read back and how many computed, for the terminal.
    pub fn counts(&self) -> Option<(usize, usize)> {
        self.dir.as_ref()?;
        Some((
            self.hits.load(Ordering::Relaxed),
            self.misses.load(Ordering::Relaxed),
        ))
    }

    /// Removes the entries this run did not use (inputs that changed or
    /// went, an earlier pipeline or program), so that the folder holds one
    /// run's worth and does not grow with every change. Only files named as
    /// this module names entries are touched.
    pub fn prune(&self) {
        self.save_hashes();
        let Some(dir) = &self.dir else { return };
        let Ok(used) = self.used.lock() else { return };
        let Ok(files) = std::fs::read_dir(dir) else {
            return;
        };
        for f in files.flatten() {
            let name = f.file_name().to_string_lossy().into_owned();
            // Entries of earlier versions were JSON.
            let Some(key) = name
                .strip_suffix(ENTRY_SUFFIX)
                .or_else(|| name.strip_suffix(".json"))
            else {
                continue;
            };
            let ours = key.len() == 64 && key.bytes().all(|b| b.is_ascii_hexdigit());
            if ours && !used.contains(key) && f.file_type().is_ok_and(|t| t.is_file()) {
                let _ = std::fs::remove_file(f.path());
            }
        }
    }

    fn mark_used(&self, key: &str) {
        if let Ok(mut used) = self.used.lock() {
            used.insert(key.to_string());
        }
    }

    fn entry(&self, key: &str) -> Option<PathBuf> {
        Some(self.dir.as_ref()?.join(format!("{key}{ENTRY_SUFFIX}")))
    }
}

/// Writes `value` as MessagePack (with field names, so that every serde
/// attribute holds) to a temporary file beside `file` and renames it into
/// place, so that `file` appears whole or not at all. A failure only costs
/// the next run time, so it is not an error.
fn write_whole<T: Serialize + ?Sized>(file: &Path, value: &T) {
    let Ok(bytes) = rmp_serde::to_vec_named(value) else {
        return;
    };
    let tmp = file.with_extension(format!("tmp-{}", std::process::id()));
    if std::fs::write(&tmp, bytes).is_err() || std::fs::rename(&tmp, file).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}

/// The pipeline as read (not its file's text: a comment changes nothing),
/// the folder its paths start from, and this very program: its version and
/// its executable's size and time, so that a rebuilt program starts afresh.
fn salt(p: &Pipeline) -> String {
    let pipeline = serde_json::to_vec(p).unwrap_or_default();
    let exe = std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|m| format!("{}-{:?}", m.len(), m.modified().ok()))
        .unwrap_or_default();
    let mut h = Sha256::new();
    h.update(&pipeline);
    h.update(p.base.display().to_string().as_bytes());
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update(exe.as_bytes());
    hex(&h.finalize())
}
