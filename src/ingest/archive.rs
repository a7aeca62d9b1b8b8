//! A workbook's zip container checked before a spreadsheet library opens it:
//! every entry inflated once as a stream and counted, so a zip bomb (or an
//! entry that lies about its size) is refused at the cap, not after it has
//! filled memory; and no entry may appear twice, since which copy a reader
//! takes is not something to leave to chance.

use std::collections::HashSet;
use std::io::{Cursor, Read};

/// Why a zip container was refused; `main`'s callers word it for their file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZipProblem {
    /// The archive cannot be read at all.
    Broken,
    /// An entry name that occurs twice.
    Duplicate(String),
    /// Unpacks to more than the cap (bytes counted so far).
    TooBig(u64),
}

/// Checks the archive and returns its entry names.
pub fn check(bytes: &[u8], cap: u64) -> Result<Vec<String>, ZipProblem> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| ZipProblem::Broken)?;
    // The zip crate keeps one of two entries with the same name, so the
    // central directory is read here as it is, duplicates and all.
    // Names are compared as Excel compares them: case-insensitively.
    let mut listed = HashSet::new();
    for name in central_names(bytes).unwrap_or_default() {
        if !listed.insert(name.to_lowercase()) {
            return Err(ZipProblem::Duplicate(name));
        }
    }
    let mut names = Vec::with_capacity(zip.len());
    let (mut declared, mut inflated) = (0u64, 0u64);
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|_| ZipProblem::Broken)?;
        names.push(entry.name().map_err(|_| ZipProblem::Broken)?.to_string());
        // What the entry says it unpacks to refuses a bomb before inflating it…
        declared = declared.saturating_add(entry.size());
        if declared > cap {
            return Err(ZipProblem::TooBig(declared));
        }
        // …and since that may lie, it is inflated and counted, up to the cap.
        let room = cap - inflated.min(cap);
        inflated += std::io::copy(&mut entry.take(room + 1), &mut std::io::sink())
            .map_err(|_| ZipProblem::Broken)?;
        if inflated > cap {
            return Err(ZipProblem::TooBig(inflated));
        }
    }
    Ok(names)
}

/// The names in a zip's central directory, in order; `None` where it cannot
/// be read plainly (a zip64 archive, which the zip crate then reads).
fn central_names(bytes: &[u8]) -> Option<Vec<String>> {
    let tail = bytes.len().saturating_sub(65_557);
    let eocd = tail + bytes[tail..].windows(4).rposition(|w| w == b"PK\x05\x06")?;
    let u16_at = |at: usize| -> Option<usize> {
        Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?) as usize)
    };
    let u32_at = |at: usize| -> Option<usize> {
        Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?) as usize)
    };
    let count = u16_at(eocd + 10)?;
    let mut at = u32_at(eocd + 16)?;
    let mut names = Vec::with_capacity(count);
    for _ in 0..count {
        if bytes.get(at..at + 4)? != b"PK\x01\x02" {
            return None;
        }
        let (name, extra, comment) = (u16_at(at + 28)?, u16_at(at + 30)?, u16_at(at + 32)?);
        let raw = bytes.get(at + 46..at + 46 + name)?;
        names.push(String::from_utf8_lossy(raw).into_owned());
        at += 46 + name + extra + comment;
    }
    Some(names)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_of(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in entries {
            w.start_file(*name, opts).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn bombs_and_duplicates_are_refused() {
        let ok = zip_of(&[("a.xml", vec![b'a'; 100])]);
        assert_eq!(check(&ok, 1000).unwrap(), vec!["a.xml".to_string()]);
        let bomb = zip_of(&[("a.xml", vec![0; 10_000_000])]);
        assert!(bomb.len() < 100_000);
        assert!(matches!(
            check(&bomb, 1_000_000),
            Err(ZipProblem::TooBig(_))
        ));
    }
}
