//! A Parquet file's footer and page headers checked before polars decodes
//! them. A corrupt header can claim more values than the file has rows, or
//! a footer a list of billions, and the decoder then asks for exabytes of
//! memory, which aborts the process rather than failing: no reader can
//! refuse that file afterwards.

use std::io::Cursor;

use polars_parquet::parquet::compression::Compression;
use polars_parquet::parquet::encoding::Encoding;
use polars_parquet::parquet::metadata::ColumnChunkMetadata;
use polars_parquet::parquet::page::{CompressedPage, DataPageHeader};
use polars_parquet::parquet::read::{get_page_iterator, read_metadata};

/// The most rows a survey file may have: far beyond any survey.
const MAX_ROWS: usize = 50_000_000;

/// Why a Parquet file cannot be read, as far as its bytes tell: the true
/// reason, so that a file another program opens is never called damaged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unfit {
    /// No Parquet file, cut short, or its parts lie outside it.
    Broken,
    /// Its columns are encrypted (the footer is readable, the data not).
    Encrypted,
    /// The metadata does not follow the format: a required field missing or
    /// of another type, an encoding the format does not have.
    OutOfSpec,
    /// A column's type is newer than the reader (an unknown logical type).
    NewerType,
    /// More rows, or a page bigger unpacked, than a survey export can have.
    TooLarge,
    /// A gzip page of several gzip members one after the other, which the
    /// decoder stops reading after the first.
    GzipMembers,
    /// The footer and page headers are sound, but a page's values do not
    /// decode (encoded against the format, which some readers let pass).
    ValuesUndecodable,
}

/// Whether every page's value count and size fit the file: values within
/// its row group's rows, pages no larger than `cap` unpacked.
pub fn pages_fit(bytes: &[u8], cap: u64) -> Result<(), Unfit> {
    footer_fits(bytes)?;
    let meta = read_metadata(&mut Cursor::new(bytes)).map_err(|e| metadata_unfit(&e))?;
    let buffer = polars_buffer::Buffer::from(bytes.to_vec());
    let mut total_rows = 0usize;
    for group in &meta.row_groups {
        let rows = group.num_rows();
        total_rows = total_rows.saturating_add(rows);
        if total_rows > MAX_ROWS {
            return Err(Unfit::TooLarge);
        }
        for column in group.parquet_columns() {
            // A list's leaf holds more values than the group has rows; such a
            // column is never decoded (the survey reader leaves nested
            // columns unread), so only its pages' sizes are held to the cap.
            let repeated = column.descriptor().descriptor.max_rep_level > 0;
            if (!repeated && usize::try_from(column.num_values()).map_or(true, |n| n > rows))
                || !chunk_in_file(column, bytes.len())
            {
                return Err(Unfit::Broken);
            }
            let pages = get_page_iterator(
                column,
                Cursor::new(buffer.clone()),
                Vec::new(),
                cap as usize,
            )
            .map_err(|_| Unfit::Broken)?;
            let mut seen = 0usize;
            for page in pages {
                let CompressedPage::Data(data) = page.map_err(|_| Unfit::Broken)? else {
                    continue;
                };
                seen = seen.saturating_add(data.num_values());
                if !repeated && seen > rows {
                    return Err(Unfit::Broken);
                }
                if data.uncompressed_size() as u64 > cap {
                    return Err(Unfit::TooLarge);
                }
                if !encodings_known(data.header()) {
                    return Err(Unfit::OutOfSpec);
                }
            }
        }
    }
    Ok(())
}

/// What polars' metadata reader refused, in [`Unfit`]'s terms (its words
/// are never shown: they may hold a column's name).
fn metadata_unfit(e: &polars_parquet::parquet::error::ParquetError) -> Unfit {
    let said = e.to_string();
    if said.contains("LogicalType") {
        Unfit::NewerType
    } else if said.contains("out of specification") {
        Unfit::OutOfSpec
    } else {
        Unfit::Broken
    }
}

/// Why polars could not decode a file that passed [`pages_fit`]: a gzip
/// page of several members is the one case known; otherwise the values are
/// encoded in a way the decoder does not take.
pub fn why_undecodable(bytes: &[u8], cap: u64) -> Unfit {
    let Ok(meta) = read_metadata(&mut Cursor::new(bytes)) else {
        return Unfit::Broken;
    };
    let buffer = polars_buffer::Buffer::from(bytes.to_vec());
    let gzip = meta
        .row_groups
        .iter()
        .flat_map(|g| g.parquet_columns())
        .filter(|c| c.compression() == Compression::Gzip);
    for column in gzip {
        let Ok(pages) = get_page_iterator(
            column,
            Cursor::new(buffer.clone()),
            Vec::new(),
            cap as usize,
        ) else {
            continue;
        };
        // A page that cannot be read ends the column: the reader would
        // yield the same error again and again.
        for page in pages.map_while(Result::ok) {
            let CompressedPage::Data(mut data) = page else {
                continue;
            };
            // A v2 page's levels come before its compressed values.
            let levels = match data.header() {
                DataPageHeader::V1(_) => 0,
                DataPageHeader::V2(h) => usize::try_from(
                    i64::from(h.repetition_levels_byte_length)
                        + i64::from(h.definition_levels_byte_length),
                )
                .unwrap_or(usize::MAX),
            };
            let buffer: &[u8] = data.slice_mut();
            if buffer.get(levels..).is_some_and(more_than_one_member) {
                return Unfit::GzipMembers;
            }
        }
    }
    Unfit::ValuesUndecodable
}

/// Whether gzip bytes hold another member after the first.
fn more_than_one_member(bytes: &[u8]) -> bool {
    use std::io::Read;
    let mut rest = bytes;
    let mut first = flate2::bufread::GzDecoder::new(&mut rest);
    let mut sink = [0u8; 8192];
    loop {
        match first.read(&mut sink) {
            Ok(0) => break,
            Ok(_) => {}
            Err(_) => return false,
        }
    }
    drop(first);
    rest.starts_with(&[0x1f, 0x8b])
}

/// Whether a column chunk's bytes lie inside the file: polars works out
/// their end with an addition that panics when it overflows.
fn chunk_in_file(column: &ColumnChunkMetadata, file: usize) -> bool {
    let start = column
        .dictionary_page_offset()
        .unwrap_or(column.data_page_offset());
    let (Ok(start), Ok(len)) = (
        u64::try_from(start),
        u64::try_from(column.compressed_size()),
    ) else {
        return false;
    };
    start.checked_add(len).is_some_and(|end| end <= file as u64)
}

/// Whether a data page names encodings Parquet has: polars unwraps them.
fn encodings_known(header: &DataPageHeader) -> bool {
    match header {
        DataPageHeader::V1(d) => [
            d.encoding,
            d.definition_level_encoding,
            d.repetition_level_encoding,
        ]
        .into_iter()
        .all(|e| Encoding::try_from(e).is_ok()),
        DataPageHeader::V2(d) => Encoding::try_from(d.encoding).is_ok(),
    }
}

/// Whether the footer (Thrift's compact encoding of the file's metadata) is
/// well formed, claims no list, set, map or text longer than the bytes left
/// to hold it (every element takes at least one byte), and has a boolean
/// wherever polars' decoder takes one for granted (it panics on another type).
/// A footer that is well formed Thrift but not what the format says is out
/// of specification; one that names an encryption algorithm or column keys
/// is encrypted.
fn footer_fits(bytes: &[u8]) -> Result<(), Unfit> {
    let n = bytes.len();
    if n < 12 || &bytes[n - 4..] != b"PAR1" {
        return Err(Unfit::Broken);
    }
    let len = u32::from_le_bytes([bytes[n - 8], bytes[n - 7], bytes[n - 6], bytes[n - 5]]);
    let start = (n - 8).checked_sub(len as usize).ok_or(Unfit::Broken)?;
    let footer = &bytes[start..n - 8];
    let mut strict = Thrift::new(footer, true);
    if strict.skip(STRUCT, Shape::FileMetaData, 0).is_some() {
        return if strict.encrypted {
            Err(Unfit::Encrypted)
        } else {
            Ok(())
        };
    }
    // Walked by the wire alone, is it Thrift at all?
    let mut loose = Thrift::new(footer, false);
    match loose.skip(STRUCT, Shape::FileMetaData, 0) {
        Some(()) if loose.encrypted => Err(Unfit::Encrypted),
        Some(()) => Err(Unfit::OutOfSpec),
        None => Err(Unfit::Broken),
    }
}

/// The structs of Parquet's metadata that polars' decoder reads field by
/// field: it takes each known field's type from its id, whatever the wire
/// says (and panics on a boolean that is not one), so the walker checks every
/// known field's wire type. Other structs are opaque: walked by the wire.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Shape {
    Opaque,
    FileMetaData,
    SchemaElement,
    LogicalType,
    DecimalType,
    /// TimeType and TimestampType: `isAdjustedToUTC`, then the unit.
    TimeType,
    TimeUnit,
    IntType,
    RowGroup,
    ColumnChunk,
    ColumnMetaData,
    Statistics,
    KeyValue,
    SortingColumn,
    ColumnOrder,
}

/// What a field of a struct must be.
enum Field {
    Any,
    /// A value of this wire type.
    Wire(u8),
    Bool,
    Struct(Shape),
    ListOf(Shape),
    /// A list whose elements are of this wire type.
    ListOfWire(u8),
}

const I8: u8 = 3;
const I16: u8 = 4;
const I32: u8 = 5;
const I64: u8 = 6;
const BINARY: u8 = 8;

impl Shape {
    /// Field `id` of this struct, by Parquet's Thrift definition, as far as
    /// polars reads it.
    fn field(self, id: i64) -> Field {
        use Field::*;
        use Shape::*;
        match (self, id) {
            (FileMetaData, 1) | (SchemaElement, 1..=3 | 5..=9) | (DecimalType, 1 | 2) => Wire(I32),
            (FileMetaData, 2) => ListOf(SchemaElement),
            (FileMetaData, 3) | (RowGroup, 2 | 3 | 5 | 6) | (Statistics, 3 | 4) => Wire(I64),
            (FileMetaData, 4) => ListOf(RowGroup),
            (FileMetaData, 5) => ListOf(KeyValue),
            (FileMetaData, 6) | (SchemaElement, 4) | (KeyValue, 1 | 2) => Wire(BINARY),
            (FileMetaData, 7) => ListOf(ColumnOrder),
            (SchemaElement, 10) => Struct(LogicalType),
            (LogicalType, 5) => Struct(DecimalType),
            (LogicalType, 7 | 8) => Struct(TimeType),
            (LogicalType, 10) => Struct(IntType),
            (LogicalType, 1..=15) | (TimeUnit, 1..=3) | (ColumnOrder, 1) => Wire(STRUCT),
            (TimeType, 1) | (IntType, 2) | (SortingColumn, 2 | 3) | (Statistics, 7 | 8) => Bool,
            (TimeType, 2) => Struct(TimeUnit),
            (IntType, 1) => Wire(I8),
            (RowGroup, 1) => ListOf(ColumnChunk),
            (RowGroup, 4) => ListOf(SortingColumn),
            (RowGroup, 7) => Wire(I16),
            (SortingColumn, 1) | (ColumnChunk, 5 | 7) => Wire(I32),
            (ColumnChunk, 1) | (Statistics, 1 | 2 | 5 | 6) => Wire(BINARY),
            (ColumnChunk, 2 | 4 | 6) => Wire(I64),
            (ColumnChunk, 3) => Struct(ColumnMetaData),
            (ColumnMetaData, 1 | 4 | 15) => Wire(I32),
            (ColumnMetaData, 2) => ListOfWire(I32),
            (ColumnMetaData, 3) => ListOfWire(BINARY),
            (ColumnMetaData, 5..=7 | 9..=11 | 14) => Wire(I64),
            (ColumnMetaData, 12) => Struct(Statistics),
            _ => Any,
        }
    }
}

const LIST: u8 = 9;
const SET: u8 = 10;
const STRUCT: u8 = 12;
/// Deeper than any real metadata; a recursion bound, not a format rule.
const MAX_DEPTH: usize = 64;

/// A reader of Thrift's compact protocol that only walks past values.
struct Thrift<'a> {
    bytes: &'a [u8],
    at: usize,
    /// Whether each field's type is held to what polars takes for granted.
    strict: bool,
    /// Whether the footer names an encryption algorithm or column keys.
    encrypted: bool,
}

impl<'a> Thrift<'a> {
    fn new(bytes: &'a [u8], strict: bool) -> Thrift<'a> {
        Thrift {
            bytes,
            at: 0,
            strict,
            encrypted: false,
        }
    }

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

    /// Walks past one value of wire type `kind`; a struct as `shape` says.
    fn skip(&mut self, kind: u8, shape: Shape, depth: usize) -> Option<()> {
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
            LIST | SET => {
                let (size, elements) = self.list_head()?;
                for _ in 0..size {
                    self.skip(elements, shape, depth + 1)?;
                }
            }
            11 => {
                let size = self.varint()?;
                let size = self.room(size)?;
                if size > 0 {
                    let kinds = self.byte()?;
                    for _ in 0..size {
                        self.skip(kinds >> 4, Shape::Opaque, depth + 1)?;
                        self.skip(kinds & 0x0f, Shape::Opaque, depth + 1)?;
                    }
                }
            }
            STRUCT => self.fields(shape, depth)?,
            _ => return None,
        }
        Some(())
    }

    /// A list's or set's size and element type.
    fn list_head(&mut self) -> Option<(usize, u8)> {
        let head = self.byte()?;
        let size = match head >> 4 {
            15 => self.varint()?,
            short => u64::from(short),
        };
        Some((self.room(size)?, head & 0x0f))
    }

    /// A list whose elements must all be of wire type `elements`.
    fn list_of(&mut self, elements: u8, shape: Shape, depth: usize) -> Option<()> {
        let (size, kind) = self.list_head()?;
        if kind != elements && size > 0 {
            return None;
        }
        for _ in 0..size {
            self.skip(kind, shape, depth + 1)?;
        }
        Some(())
    }

    /// A struct's fields up to its stop byte, each of the type `shape` says
    /// it must have.
    fn fields(&mut self, shape: Shape, depth: usize) -> Option<()> {
        let mut id = 0i64;
        loop {
            let head = self.byte()?;
            if head == 0 {
                return Some(());
            }
            id = match head >> 4 {
                // A field id given in full, zigzag encoded.
                0 => {
                    let n = self.varint()?;
                    (n >> 1) as i64 ^ -((n & 1) as i64)
                }
                delta => id + i64::from(delta),
            };
            let kind = head & 0x0f;
            // FileMetaData.encryption_algorithm; ColumnChunk.crypto_metadata
            // and encrypted_column_metadata.
            if matches!(
                (shape, id),
                (Shape::FileMetaData, 8) | (Shape::ColumnChunk, 8 | 9)
            ) {
                self.encrypted = true;
            }
            let field = if self.strict {
                shape.field(id)
            } else {
                Field::Any
            };
            match field {
                Field::Any => self.skip(kind, Shape::Opaque, depth + 1)?,
                Field::Bool if kind == 1 || kind == 2 => {}
                Field::Wire(w) if kind == w => self.skip(kind, Shape::Opaque, depth + 1)?,
                Field::Struct(s) if kind == STRUCT => self.skip(kind, s, depth + 1)?,
                Field::ListOf(s) if kind == LIST => self.list_of(STRUCT, s, depth)?,
                Field::ListOfWire(w) if kind == LIST => self.list_of(w, Shape::Opaque, depth)?,
                _ => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walks(bytes: &[u8]) -> bool {
        Thrift::new(bytes, true)
            .skip(STRUCT, Shape::Opaque, 0)
            .is_some()
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
    fn a_boolean_field_of_another_type_is_refused() {
        let footer = |bytes: &[u8]| Thrift::new(bytes, true).skip(STRUCT, Shape::FileMetaData, 0);
        // field 2: a list of one SchemaElement whose field 10 (logicalType)
        // holds field 8 (TIME) whose field 1 (isAdjustedToUTC) is ...
        let schema = |adjusted: &[u8]| {
            let mut b = vec![0x29, 0x1c, 0xac, 0x8c];
            b.extend_from_slice(adjusted);
            b.extend_from_slice(&[0x00, 0x00, 0x00, 0x00]);
            b
        };
        // ... a boolean (true): walked.
        assert!(footer(&schema(&[0x11])).is_some());
        // ... an i32 (polars' decoder panics on it): refused.
        assert!(footer(&schema(&[0x15, 0x02])).is_none());
    }

    #[test]
    fn nesting_beyond_any_real_metadata_is_refused() {
        // field 1: struct, in a struct, in a struct … never closed.
        assert!(!walks(&[0x1c; 200]));
    }
}

#[cfg(test)]
mod gzip_tests {
    use std::io::Write;

    fn member(text: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(text).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn a_second_gzip_member_is_seen_and_a_single_one_is_not() {
        let one = member(b"svar");
        assert!(!super::more_than_one_member(&one));
        assert!(super::more_than_one_member(
            &[one.clone(), member(b"fler")].concat()
        ));
        assert!(!super::more_than_one_member(b"no gzip"));
    }
}
