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
    let mut names = Vec::with_capacity(zip.len());
    let mut seen = HashSet::new();
    let mut unpacked: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|_| ZipProblem::Broken)?;
        let name = entry.name().map_err(|_| ZipProblem::Broken)?.to_string();
        // Zip names are compared as Excel compares them: case-insensitively.
        if !seen.insert(name.to_lowercase()) {
            return Err(ZipProblem::Duplicate(name));
        }
        unpacked = unpacked.saturating_add(entry.size());
        if unpacked > cap {
            return Err(ZipProblem::TooBig(unpacked));
        }
        names.push(name);
    }
    // The declared sizes may lie: inflate each entry, counting, up to the cap.
    let mut inflated: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|_| ZipProblem::Broken)?;
        let room = cap - inflated.min(cap);
        let n = std::io::copy(&mut entry.take(room + 1), &mut std::io::sink())
            .map_err(|_| ZipProblem::Broken)?;
        inflated += n;
        if inflated > cap {
            return Err(ZipProblem::TooBig(inflated));
        }
    }
    Ok(names)
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
        assert!(matches!(check(&bomb, 1_000_000), Err(ZipProblem::TooBig(_))));
    }
}
