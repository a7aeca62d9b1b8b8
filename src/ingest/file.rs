//! Opening an input file within bounds, before anything parses it: only a
//! regular file (not a FIFO, a device or a link to one, which could block or
//! never end), no bigger than a cap, read or hashed by streaming.

use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::ledger::hex;
use crate::text::io_error;

/// Why a file was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileError {
    /// Larger than the cap: its size in bytes.
    TooBig(u64),
    /// Not a regular file, or the OS refused: what to tell the user.
    Unreadable(String),
}

/// The size of a regular file; anything else is refused before it is opened.
pub fn regular_size(path: &Path) -> Result<u64, FileError> {
    let meta = std::fs::metadata(path).map_err(|e| {
        FileError::Unreadable(format!("filen kan inte läsas: den {}", io_error(&e)))
    })?;
    if meta.is_dir() {
        return Err(FileError::Unreadable(
            "det är en mapp, inte en fil, fast namnet slutar som ett filnamn. Byt namn på mappen eller lägg filerna i den direkt i inkorgen.".into(),
        ));
    }
    if !meta.is_file() {
        return Err(FileError::Unreadable(
            "det är ingen vanlig fil (utan t.ex. en namngiven rörledning, en enhet eller en länk till en sådan) och läses inte. Spara en vanlig fil i stället.".into(),
        ));
    }
    Ok(meta.len())
}

/// A regular file's bytes, if it holds at most `cap` bytes; a file that
/// grows while it is read is cut at the cap and refused.
pub fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>, FileError> {
    let len = regular_size(path)?;
    if len > cap {
        return Err(FileError::TooBig(len));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    std::fs::File::open(path)
        .and_then(|f| f.take(cap.saturating_add(1)).read_to_end(&mut bytes))
        .map_err(|e| {
            FileError::Unreadable(format!("filen kan inte läsas: den {}", io_error(&e)))
        })?;
    if bytes.len() as u64 > cap {
        return Err(FileError::TooBig(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Hex SHA-256 of a file, streamed under the same bounds as reading it;
/// `None` for a file that could not be read within them.
pub fn hash_capped(path: &Path, cap: u64) -> Option<String> {
    if regular_size(path).ok()? > cap {
        return None;
    }
    let mut hasher = Sha256::new();
    let mut reader = std::fs::File::open(path).ok()?.take(cap.saturating_add(1));
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        let n = reader.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        total += n as u64;
        hasher.update(&buf[..n]);
    }
    (total <= cap).then(|| hex(&hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_within_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.csv");
        std::fs::write(&f, b"abc").unwrap();
        assert_eq!(read_capped(&f, 3).unwrap(), b"abc");
        assert_eq!(read_capped(&f, 2), Err(FileError::TooBig(3)));
        assert_eq!(hash_capped(&f, 3), Some(crate::ledger::sha256_hex(b"abc")));
        // No cap at all is a cap too.
        assert_eq!(read_capped(&f, u64::MAX).unwrap(), b"abc");
        assert_eq!(hash_capped(&f, u64::MAX), hash_capped(&f, 3));
        assert_eq!(hash_capped(&f, 2), None);
        assert!(matches!(
            read_capped(dir.path(), 10),
            Err(FileError::Unreadable(_))
        ));
        #[cfg(unix)]
        {
            let link = dir.path().join("noll.xlsx");
            std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
            assert!(matches!(
                read_capped(&link, 10),
                Err(FileError::Unreadable(_))
            ));
            assert_eq!(hash_capped(&link, 10), None);
        }
    }
}
