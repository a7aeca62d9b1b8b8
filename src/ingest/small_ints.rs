//! Which columns of a CSV survey export may be read as numbers, found in one
//! pass over the text before polars parses it.
//!
//! Survey answers are mostly codes such as `1` or `12`. Read as text, every
//! one of them is a string that the codebook must hash, compare and map;
//! read as integers they cost a fraction of that. A column is read as
//! integers only when every field in it is written the way the integer
//! prints back (digits, no sign, no leading zero, no spaces, no quotes), so
//! that the codebook sees the same text either way; and only when no field
//! has more than six digits, so that the anonymity gate can prove from this
//! pass alone that the column holds no direct identifier: a personnummer or
//! a phone number has seven digits or more, an e-mail address an `@`.

/// The most digits a field of a column read as integers may have.
pub const MAX_DIGITS: usize = 6;

/// For each column of the header, whether all its data fields are small
/// whole numbers as [`MAX_DIGITS`] says (blank fields allowed, but not a
/// column that is blank throughout). The text's shape must already have been
/// checked: records with another number of fields than the header's are not
/// looked for here.
pub fn small_int_columns(text: &str, sep: u8) -> Vec<bool> {
    let bytes = text.as_bytes();
    let mut records = Records { bytes, at: 0, sep };
    let Some(header) = records.next_record(&mut |_, _| {}) else {
        return Vec::new();
    };
    let mut state = vec![Column::Blank; header];
    while records
        .next_record(&mut |i, field| {
            if let Some(s) = state.get_mut(i) {
                *s = s.with(field);
            }
        })
        .is_some()
    {}
    state.into_iter().map(|s| s == Column::Ints).collect()
}

/// The smallest and largest of a column's integers, blanks left out, in one
/// pass over its values: polars' own minimum and maximum each take a slow
/// path for a column with blanks, and the gate and the codebook ask for both.
pub fn int_range(ints: &polars::prelude::Int64Chunked) -> Option<(i64, i64)> {
    let (mut lo, mut hi, mut any) = (i64::MAX, i64::MIN, false);
    for chunk in ints.downcast_iter() {
        let values = chunk.values().as_slice();
        match chunk.validity().filter(|v| v.unset_bits() > 0) {
            None => {
                any |= !values.is_empty();
                for &x in values {
                    (lo, hi) = (lo.min(x), hi.max(x));
                }
            }
            Some(valid) => {
                for (&x, ok) in values.iter().zip(valid.iter()) {
                    if ok {
                        (lo, hi, any) = (lo.min(x), hi.max(x), true);
                    }
                }
            }
        }
    }
    any.then_some((lo, hi))
}

/// What the fields of a column seen so far were.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Column {
    Blank,
    Ints,
    Other,
}

impl Column {
    fn with(self, field: Field) -> Column {
        match (self, field) {
            (Column::Other, _) | (_, Field::Other) => Column::Other,
            (s, Field::Blank) => s,
            (_, Field::Int) => Column::Ints,
        }
    }
}

/// One field as this pass sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    Blank,
    Int,
    Other,
}

fn field(raw: &[u8]) -> Field {
    match raw {
        [] => Field::Blank,
        [b'0'..=b'9'] => Field::Int,
        [b'1'..=b'9', rest @ ..]
            if rest.len() < MAX_DIGITS && rest.iter().all(u8::is_ascii_digit) =>
        {
            Field::Int
        }
        _ => Field::Other,
    }
}

/// The records of a CSV text, one at a time.
struct Records<'a> {
    bytes: &'a [u8],
    at: usize,
    sep: u8,
}

impl Records<'_> {
    /// Calls `each` with every field of the next record (a quoted field is
    /// [`Field::Other`]) and returns how many there were; `None` at the end.
    fn next_record(&mut self, each: &mut dyn FnMut(usize, Field)) -> Option<usize> {
        if self.at >= self.bytes.len() {
            return None;
        }
        let rest = &self.bytes[self.at..];
        let end = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
        let line = &rest[..end];
        if memchr::memchr(b'"', line).is_some() {
            return Some(self.quoted_record(each));
        }
        self.at += (end + 1).min(rest.len());
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let mut n = 0;
        for (i, raw) in line.split(|b| *b == self.sep).enumerate() {
            each(i, field(raw));
            n = i + 1;
        }
        Some(n)
    }

    /// A record with quotes, byte by byte: a quoted field may hold the
    /// separator, doubled quotes and line breaks.
    fn quoted_record(&mut self, each: &mut dyn FnMut(usize, Field)) -> usize {
        let bytes = self.bytes;
        let mut finish = |i: usize, start: usize, end: usize, had_quote: bool| {
            let raw = &bytes[start..end];
            let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
            each(i, if had_quote { Field::Other } else { field(raw) });
        };
        let (mut i, mut start, mut pos) = (0, self.at, self.at);
        let (mut quoted, mut had_quote) = (false, false);
        while pos < bytes.len() {
            let b = bytes[pos];
            if quoted {
                // A doubled quote is one quote inside the field.
                if b == b'"' {
                    quoted = bytes.get(pos + 1) == Some(&b'"');
                    pos += usize::from(quoted);
                }
            } else if b == b'"' {
                // As check_shape reads it: a quote opens only at a field's start.
                quoted = pos == start;
                had_quote = true;
            } else if b == self.sep {
                finish(i, start, pos, had_quote);
                (i, start, had_quote) = (i + 1, pos + 1, false);
            } else if b == b'\n' {
                break;
            }
            pos += 1;
        }
        finish(i, start, pos.min(bytes.len()), had_quote);
        self.at = pos + 1;
        i + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_range_leaves_blanks_out_and_spans_chunks() {
        use polars::prelude::{Int64Chunked, NewChunkedArray};
        let mut ints = Int64Chunked::from_slice_options("a".into(), &[None, Some(7), Some(-3)]);
        assert_eq!(int_range(&ints), Some((-3, 7)));
        let more = Int64Chunked::from_slice_options("a".into(), &[Some(198_112_189_876), None]);
        ints.append(&more).unwrap();
        assert_eq!(ints.chunks().len(), 2);
        assert_eq!(int_range(&ints), Some((-3, 198_112_189_876)));
        let blank = Int64Chunked::from_slice_options("a".into(), &[None, None]);
        assert_eq!(int_range(&blank), None);
        assert_eq!(
            int_range(&Int64Chunked::from_slice("a".into(), &[4])),
            Some((4, 4))
        );
    }

    #[test]
    fn codes_are_small_ints_and_the_rest_is_not() {
        let text = "lopnr;kon;vikt;kommentar;tom;nolla\r\nR1;1;0,8;;;0\r\nR2;12;1,2;\"a;b\";;0\r\n\r\nR3;;2;x;;0\n";
        assert_eq!(
            small_int_columns(text, b';'),
            [false, true, false, false, false, true]
        );
    }

    #[test]
    fn what_is_not_written_as_its_integer_is_text() {
        for field in [
            "01", "+1", "-1", " 1", "1 ", "1.0", "1e3", "\"1\"", "1234567", "١",
        ] {
            let text = format!("a,b\n1,{field}\n2,3\n");
            assert_eq!(small_int_columns(&text, b','), [true, false], "{field}");
        }
        assert_eq!(small_int_columns("a\n999999\n0\n", b','), [true]);
    }

    #[test]
    fn quoted_fields_may_span_lines() {
        let text = "a,b,c\n\"x\ny,\"\"z\"\"\",2,3\n4,5,6\n";
        assert_eq!(small_int_columns(text, b','), [false, true, true]);
    }
}
