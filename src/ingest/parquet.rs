//! A Parquet file's footer and page headers checked before polars decodes
//! them. A corrupt header can claim more values than the file has rows, or
//! a footer a list of billions, and the decoder then asks for exabytes of
//! memory, which aborts the process rather than failing: no reader can
//! refuse that file afterwards.

use std::io::Cursor;

use polars_parquet::parquet::page::CompressedPage;
use polars_parquet::parquet::read::{get_page_iterator, read_metadata};

/// The most rows a survey file may have: far beyond any survey.
const MAX_ROWS: usize = 50_000_000;

/// Whether every page's value count and size fit the file: values within
/// its row group's rows, pages no larger than `cap` unpacked.
pub fn pages_fit(bytes: &[u8], cap: u64) -> bool {
    if !footer_fits(bytes) {
        return false;
    }
    let Ok(meta) = read_metadata(&mut Cursor::new(bytes)) else {
        return false;
    };
    let buffer = polars_buffer::Buffer::from(bytes.to_vec());
    let mut total_rows = 0usize;
    for group in &meta.row_groups {
        let rows = group.num_rows();
        total_rows = total_rows.saturating_add(rows);
        if total_rows > MAX_ROWS {
            return false;
        }
        for column in group.parquet_columns() {
            if usize::try_from(column.num_values()).map_or(true, |n| n > rows) {
                return false;
            }
            let Ok(pages) = get_page_iterator(
                column,
                Cursor::new(buffer.clone()),
                Vec::new(),
                cap as usize,
            ) else {
                return false;
            };
            let mut seen = 0usize;
            for page in pages {
                let Ok(page) = page else {
                    return false;
                };
                let fits = match &page {
                    CompressedPage::Data(data) => {
                        seen = seen.saturating_add(data.num_values());
                        seen <= rows && data.uncompressed_size() as u64 <= cap
                    }
                    CompressedPage::Dict(_) => true,
                };
                if !fits {
                    return false;
                }
            }
        }
    }
    true
}

/// Whether the footer (Thrift's compact encoding of the file's metadata) is
/// well formed and claims no list, set, map or text longer than the bytes
/// left to hold it: every element takes at least one byte.
fn footer_fits(bytes: &[u8]) -> bool {
    let n = bytes.len();
    if n < 12 || &bytes[n - 4..] != b"PAR1" {
        return false;
    }
    let len = u32::from_le_bytes([bytes[n - 8], bytes[n - 7], bytes[n - 6], bytes[n - 5]]);
    let Some(start) = (n - 8).checked_sub(len as usize) else {
        return false;
    };
    let mut footer = Thrift {
        bytes: &bytes[start..n - 8],
        at: 0,
    };
    footer.skip(STRUCT, 0).is_some()
}

const STRUCT: u8 = 12;
/// Deeper than any real metadata; a recursion bound, not a format rule.
const MAX_DEPTH: usize = 64;

/// A reader of Thrift's compact protocol that only walks past values.
struct Thrift<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Thrift<'_> {
    fn byte(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(b)
    }

    fn varint(&mut self) -> Option<u64> {
        let mut value = 0u64;
        for shift in (0..70).step_by(7) {
            let b = self.byte()?;
            value |= u64::from(b & 0x7f).checked_shl(shift)?;
            if b & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    }

    /// Moves past `count` bytes, or `count` elements of at least a byte each.
    fn room(&mut self, count: u64) -> Option<usize> {
        let count = usize::try_from(count).ok()?;
        (count <= self.bytes.len() - self.at).then_some(count)
    }

    fn skip(&mut self, kind: u8, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        match kind {
            1 | 2 => {}
            3 => _ = self.byte()?,
            4..=6 => _ = self.varint()?,
            7 => self.at += self.room(8)?,
            8 => {
                let len = self.varint()?;
                self.at += self.room(len)?;
            }
            9 | 10 => {
                let head = self.byte()?;
                let size = match head >> 4 {
                    15 => self.varint()?,
                    short => u64::from(short),
                };
                for _ in 0..self.room(size)? {
                    self.skip(head & 0x0f, depth + 1)?;
                }
            }
            11 => {
                let size = self.varint()?;
                let size = self.room(size)?;
                if size > 0 {
                    let kinds = self.byte()?;
                    for _ in 0..size {
                        self.skip(kinds >> 4, depth + 1)?;
                        self.skip(kinds & 0x0f, depth + 1)?;
                    }
                }
            }
            STRUCT => loop {
                let head = self.byte()?;
                if head == 0 {
                    break;
                }
                if head >> 4 == 0 {
                    self.varint()?; // a field id given in full
                }
                self.skip(head & 0x0f, depth + 1)?;
            },
            _ => return None,
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walks(bytes: &[u8]) -> bool {
        Thrift { bytes, at: 0 }.skip(STRUCT, 0).is_some()
    }

    #[test]
    fn a_struct_with_a_short_list_and_a_text_is_walked() {
        // field 1: list of 2 i32 (1, 2); field 2: binary "ab"; stop.
        assert!(walks(&[
            0x19, 0x25, 0x02, 0x04, 0x18, 0x02, b'a', b'b', 0x00
        ]));
    }

    #[test]
    fn a_list_longer_than_the_bytes_left_is_refused_before_it_is_walked() {
        // field 1: a list of i32 claiming 2^32 elements.
        assert!(!walks(&[0x19, 0xf5, 0x80, 0x80, 0x80, 0x80, 0x10, 0x00]));
    }

    #[test]
    fn nesting_beyond_any_real_metadata_is_refused() {
        // field 1: struct, in a struct, in a struct … never closed.
        assert!(!walks(&[0x1c; 200]));
    }
}
