//! What uppfolj wrote into a folder it shares with people (templates for the
//! committees, charts published into the repository): each file's name and
//! SHA-256, kept in a list file in that folder. A file is replaced only if
//! uppfolj wrote it and nobody has changed it since, so a filled-in return
//! or someone's own picture is never lost.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// Hex SHA-256 of bytes: how every record of a file's content names it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lower-case hex of a digest.
pub fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The files uppfolj wrote in one folder.
pub struct Ledger {
    dir: PathBuf,
    list: PathBuf,
    /// (name, SHA-256 as written), sorted by name when saved.
    entries: Vec<(String, String)>,
}

impl Ledger {
    /// The ledger kept in `dir` under `list_name`; empty if there is none yet.
    pub fn open(dir: &Path, list_name: &str) -> Ledger {
        let list = dir.join(list_name);
        let entries = std::fs::read_to_string(&list)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split_once(' '))
            .map(|(hash, name)| (name.to_string(), hash.to_string()))
            .collect();
        Ledger {
            dir: dir.to_path_buf(),
            list,
            entries,
        }
    }

    /// Whether the file `name` in the folder is one uppfolj wrote, unchanged.
    fn unchanged(&self, name: &str, bytes: &[u8]) -> bool {
        let hash = sha256_hex(bytes);
        self.entries.iter().any(|(n, h)| n == name && *h == hash)
    }

    /// Whether writing `bytes` as `name` loses nothing: there is no such
    /// file, it holds these very bytes, or uppfolj wrote it and it is unchanged.
    pub fn may_write(&self, name: &str, bytes: &[u8]) -> bool {
        match std::fs::read(self.dir.join(name)) {
            Ok(existing) => existing == bytes || self.unchanged(name, &existing),
            Err(_) => true,
        }
    }

    /// Writes a file and records it.
    pub fn write(&mut self, name: &str, bytes: &[u8]) -> std::io::Result<()> {
        std::fs::write(self.dir.join(name), bytes)?;
        self.entries.retain(|(n, _)| n != name);
        self.entries.push((name.to_string(), sha256_hex(bytes)));
        Ok(())
    }

    /// Removes the files uppfolj wrote that are not in `keep`, where they are
    /// unchanged; a changed one is left, and forgotten.
    pub fn remove_others(&mut self, keep: &[String]) {
        let others: Vec<String> = self
            .entries
            .iter()
            .map(|(n, _)| n.clone())
            .filter(|n| !keep.contains(n))
            .collect();
        for name in others {
            let path = self.dir.join(&name);
            let plain = crate::pipeline::plain_file_name(&name);
            if plain && std::fs::read(&path).is_ok_and(|b| self.unchanged(&name, &b)) {
                let _ = std::fs::remove_file(&path);
            }
            self.entries.retain(|(n, _)| *n != name);
        }
    }

    /// Saves the list beside the files.
    pub fn save(mut self) -> std::io::Result<()> {
        self.entries.sort();
        let text: String = self
            .entries
            .iter()
            .map(|(name, hash)| format!("{hash} {name}\n"))
            .collect();
        std::fs::write(&self.list, text)
    }

    /// The list file's path, for messages.
    pub fn list(&self) -> &Path {
        &self.list
    }
}
