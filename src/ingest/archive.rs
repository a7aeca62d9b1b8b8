//! A workbook's zip container checked before a spreadsheet library opens it:
//! what its entries can unpack to must stay under a cap, so a zip bomb (or an
//! entry that lies about its size) is refused before it has filled memory;
//! and no entry may appear twice, since which copy a reader takes is not
//! something to leave to chance.

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
    let (mut declared, mut most) = (0u64, 0u64);
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|_| ZipProblem::Broken)?;
        names.push(entry.name().map_err(|_| ZipProblem::Broken)?.to_string());
        // What the entry says it unpacks to refuses a bomb before inflating it…
        declared = declared.saturating_add(entry.size());
        if declared > cap {
            return Err(ZipProblem::TooBig(declared));
        }
        most = most.saturating_add(most_unpacked(&entry, bytes.len() as u64));
    }
    // …and since that may lie, what the entries could unpack to at most is
    // weighed; only when that is over the cap are they inflated and counted.
    // A filled-in template is far under it, and is then inflated only once,
    // by the spreadsheet library.
    if most > cap {
        inflated_within(&mut zip, cap)?;
    }
    Ok(names)
}

/// Deflate makes at most 1032 bytes of one: a match of 258 bytes costs at
/// least two bits (a length and a distance code of one bit each).
const DEFLATE_MOST_PER_BYTE: u64 = 1032;

/// The most an entry can unpack to, whatever it declares: the zip reader
/// gives a decompressor no more than the entry's compressed size, which can
/// be no more than the file. Other methods than these two are not read at
/// all, but are weighed as unbounded so that they are inflated here, refused.
fn most_unpacked<R: Read>(entry: &zip::read::ZipFile<'_, R>, file_len: u64) -> u64 {
    let input = entry.compressed_size().min(file_len);
    match entry.compression() {
        zip::CompressionMethod::Stored => input,
        zip::CompressionMethod::Deflated => input
            .saturating_add(1)
            .saturating_mul(DEFLATE_MOST_PER_BYTE),
        _ => u64::MAX,
    }
}

/// Every entry inflated as a stream and counted, up to the cap.
fn inflated_within<R: Read + std::io::Seek>(
    zip: &mut zip::ZipArchive<R>,
    cap: u64,
) -> Result<(), ZipProblem> {
    let mut inflated = 0u64;
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|_| ZipProblem::Broken)?;
        let room = cap - inflated.min(cap);
        inflated += std::io::copy(&mut entry.take(room + 1), &mut std::io::sink())
            .map_err(|_| ZipProblem::Broken)?;
        if inflated > cap {
            return Err(ZipProblem::TooBig(inflated));
        }
    }
    Ok(())
}

/// A workbook's bytes shared between its reader and whoever must look at
/// them again if the reader gives up ([`damaged_entry`]), without a copy.
pub struct Shared(pub std::sync::Arc<Vec<u8>>);

impl AsRef<[u8]> for Shared {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// The first entry that does not unpack to what its checksum (CRC-32) and
/// its declared size say, if any: the sure sign that a workbook was damaged
/// after it was saved. Called only for a checked archive a reader has given up on, so
/// what it unpacks is within the cap.
pub fn damaged_entry(bytes: &[u8], cap: u64) -> Option<String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    for i in 0..zip.len() {
        let Ok(mut entry) = zip.by_index(i) else {
            continue;
        };
        let name = entry.name().map(|n| n.to_string()).unwrap_or_default();
        let read = std::io::copy(&mut (&mut entry).take(cap), &mut std::io::sink());
        if read.is_err() {
            return Some(name);
        }
    }
    None
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

    /// The zip with every entry's uncompressed size set to `size`, in the
    /// local headers and the central directory alike.
    fn lying(mut zip: Vec<u8>, size: u32) -> Vec<u8> {
        let mut at = 0;
        while let Some(i) = zip[at..]
            .windows(4)
            .position(|w| w == b"PK\x03\x04" || w == b"PK\x01\x02")
        {
            let start = at + i;
            let field = if &zip[start..start + 4] == b"PK\x03\x04" {
                22
            } else {
                24
            };
            zip[start + field..start + field + 4].copy_from_slice(&size.to_le_bytes());
            at = start + 4;
        }
        zip
    }

    /// Its compressed size could unpack to more than the cap, so it is
    /// inflated; the zip reader stops at the size the entry declares, and the
    /// file is refused as broken.
    #[test]
    fn an_entry_that_lies_about_its_size_is_inflated_and_refused() {
        let bomb = lying(zip_of(&[("a.xml", vec![0; 10_000_000])]), 100);
        let mut zip = zip::ZipArchive::new(Cursor::new(&bomb)).unwrap();
        assert_eq!(zip.by_index(0).unwrap().size(), 100);
        assert_eq!(check(&bomb, 1_000_000), Err(ZipProblem::Broken));
    }

    #[test]
    fn what_an_entry_can_unpack_to_is_bounded_by_its_compressed_size() {
        for data in [vec![0u8; 10_000_000], b"<c r=\"A1\"/>".repeat(100_000)] {
            let z = zip_of(&[("a.xml", data.clone())]);
            let mut zip = zip::ZipArchive::new(Cursor::new(&z)).unwrap();
            let entry = zip.by_index(0).unwrap();
            assert!(most_unpacked(&entry, z.len() as u64) >= data.len() as u64);
        }
        // A small return is under the cap by its compressed size alone.
        let small = zip_of(&[("a.xml", b"<row/>".repeat(2_000))]);
        let mut zip = zip::ZipArchive::new(Cursor::new(&small)).unwrap();
        assert!(most_unpacked(&zip.by_index(0).unwrap(), small.len() as u64) < 1_000_000);
    }
}
