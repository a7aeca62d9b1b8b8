//! A Parquet file's page headers checked before polars decodes them. A
//! corrupt header can claim more values than the file has rows, and the
//! decoder then asks for exabytes of memory, which aborts the process
//! rather than failing: no reader can refuse that file afterwards.

use std::io::Cursor;

use polars_parquet::parquet::page::CompressedPage;
use polars_parquet::parquet::read::{get_page_iterator, read_metadata};

/// The most rows a survey file may have: far beyond any survey.
const MAX_ROWS: usize = 50_000_000;

/// Whether every page's value count and size fit the file: values within
/// its row group's rows, pages no larger than `cap` unpacked.
pub fn pages_fit(bytes: &[u8], cap: u64) -> bool {
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
