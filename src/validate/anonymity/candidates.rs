//! Which cells of a column the gate must look at in full: few enough that
//! the full check, in [`super::scan`], costs little.

use polars::prelude::*;

/// The cells of a column, as text, that [`super::scan`] could find something in;
/// `None` for a column of a type the gate cannot look inside.
pub(super) fn candidates(
    frame: &DataFrame,
    name: &str,
    dtype: &DataType,
) -> PolarsResult<Option<Vec<String>>> {
    if dtype.is_primitive_numeric() || dtype.is_decimal() {
        return numeric_candidates(frame, name).map(Some);
    }
    if dtype.is_nested() || matches!(dtype, DataType::Binary | DataType::BinaryOffset) {
        return Ok(None);
    }
    text_candidates(frame, name).map(Some)
}

/// Whole numbers of seven digits or more, written out as a person would;
/// one of nine digits also with the leading zero a number type drops (a
/// personnummer of someone born 2000–2009, a mobile number). The decimals
/// of a weight such as 0.0701234567 are not a phone number. A column whose
/// smallest and largest values are both within a million has none, which
/// its minimum and maximum tell without a pass over a copy.
fn numeric_candidates(frame: &DataFrame, name: &str) -> PolarsResult<Vec<String>> {
    let column = frame.column(name)?.as_materialized_series();
    if within_a_million(column)? {
        return Ok(Vec::new());
    }
    let x = col(name).cast(DataType::Float64);
    let big = x
        .clone()
        .gt_eq(lit(1_000_000.0))
        .or(x.clone().lt_eq(lit(-1_000_000.0)));
    let out = frame.clone().lazy().select([x.filter(big)]).collect()?;
    let values = out.column(name)?.f64()?.clone();
    let mut cells = Vec::new();
    for v in values.iter().flatten() {
        if v.fract() != 0.0 || !v.is_finite() || v.abs() >= 1e15 {
            continue;
        }
        let digits = format!("{}", v.abs() as u64);
        if digits.len() == 9 {
            cells.push(format!("0{digits}"));
        }
        cells.push(digits);
    }
    Ok(cells)
}

/// Whether every number in a column lies strictly between minus and plus a
/// million (so none has seven digits before the point).
fn within_a_million(column: &Series) -> PolarsResult<bool> {
    let small = |v: f64| v.abs() < 1_000_000.0;
    if column.dtype().is_integer() {
        let ints = column.cast(&DataType::Int64)?;
        let range = crate::ingest::small_ints::int_range(ints.i64()?);
        return Ok(range.is_none_or(|(lo, hi)| small(lo as f64) && small(hi as f64)));
    }
    let (min, max) = (column.min::<f64>(), column.max::<f64>());
    Ok(matches!((min, max), (Ok(lo), Ok(hi)) if lo.is_none_or(small) && hi.is_none_or(small)))
}

/// The cells of a text column that [`super::scan`] could find something in: at
/// least six bytes (a@b.se), and [`maybe_identifier`].
fn text_candidates(frame: &DataFrame, name: &str) -> PolarsResult<Vec<String>> {
    let column = frame.column(name)?.cast(&DataType::String)?;
    let mut cells = Vec::new();
    for chunk in column.str()?.downcast_iter() {
        let found = chunk.iter().flatten();
        cells.extend(
            found
                .filter(|c| c.len() >= 6 && maybe_identifier(c))
                .map(str::to_string),
        );
    }
    Ok(cells)
}

/// Whether a cell has an `@` (of any width), a word that stands for one
/// ("at" and "dot" or "punkt" as words, "snabel", "mailto"), or seven digits
/// in any script: one pass over its characters, so that the many cells that
/// have none of these (codes, labels, most comments) cost almost nothing.
/// It finds at least every cell that the pattern
/// `(?i)[@＠﹫]|\d(?:\D*\d){6}|\bat\b|\(at\)|\[at\]|snabel|mailto|\bdot\b|\bpunkt\b`
/// (with ASCII word boundaries) finds, which the gate used before; a test
/// holds it to that.
pub fn maybe_identifier(cell: &str) -> bool {
    if cell.is_ascii() {
        // Most cells: the same test on the bytes as they are, nothing copied.
        let b = cell.as_bytes();
        if b.contains(&b'@') || b.iter().filter(|c| c.is_ascii_digit()).count() >= 7 {
            return true;
        }
        let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
        return words_found(b.len(), |i| b[i].to_ascii_lowercase(), |i| word(b[i]));
    }
    let mut digits = 0;
    // One byte per character: ASCII lowercased, the two non-ASCII letters
    // the pattern's case-insensitive letters also match as theirs, anything
    // else as a byte that is no letter; and whether each is a word character
    // as the pattern's ASCII word boundaries see it.
    let mut folded = Vec::with_capacity(cell.len());
    let mut word = Vec::with_capacity(cell.len());
    for c in cell.chars() {
        if matches!(c, '@' | '＠' | '﹫') {
            return true;
        }
        digits += usize::from(c.is_numeric());
        if digits >= 7 {
            return true;
        }
        let (byte, is_word) = match c {
            'ſ' => (b's', false),
            '\u{212A}' => (b'k', false),
            c if c.is_ascii() => (
                c.to_ascii_lowercase() as u8,
                c.is_ascii_alphanumeric() || c == '_',
            ),
            _ => (0x80, false),
        };
        folded.push(byte);
        word.push(is_word);
    }
    words_found(folded.len(), |i| folded[i], |i| word[i])
}

/// Whether the words that stand for an `@` are among `len` characters, each
/// given as a folded byte and whether it is a word character.
fn words_found(len: usize, byte: impl Fn(usize) -> u8, word: impl Fn(usize) -> bool) -> bool {
    let at = |w: &[u8], bounded: bool| {
        (0..(len + 1).saturating_sub(w.len())).any(|i| {
            w.iter().enumerate().all(|(j, c)| byte(i + j) == *c)
                && (!bounded
                    || ((i == 0 || !word(i - 1)) && (i + w.len() == len || !word(i + w.len()))))
        })
    };
    at(b"snabel", false)
        || at(b"mailto", false)
        || at(b"at", true)
        || at(b"dot", true)
        || at(b"punkt", true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::anonymity::{Found, Identifier, gate};

    /// The pattern the gate ran in polars before [`maybe_identifier`].
    const OLD_PATTERN: &str = r"(?i)[@＠﹫]|\d(?:\D*\d){6}|(?-u:\b)at(?-u:\b)|\(at\)|\[at\]|snabel|mailto|(?-u:\b)dot(?-u:\b)|(?-u:\b)punkt(?-u:\b)";

    /// Every cell the old pattern found is still a candidate: the cells are
    /// made from the pieces the pattern looks for, in every case and with
    /// the neighbours that make or break a word boundary.
    #[test]
    fn the_candidates_are_at_least_what_the_pattern_found() {
        let pieces = [
            "at",
            "AT",
            "aT",
            "dot",
            "DoT",
            "punkt",
            "PUNKT",
            "pun\u{212A}t",
            "snabel",
            "ſnabel",
            "SNABEL",
            "mailto",
            "MailTo",
            "@",
            "＠",
            "﹫",
            "(at)",
            "[at]",
            "1",
            "٣",
            "１",
            "2",
            "x",
            "_",
            "é",
            "ö",
            " ",
            "-",
            ".",
            "katt",
            "data",
            "dots",
            "12 34",
        ];
        let mut cells = Vec::new();
        for a in pieces {
            for b in pieces {
                for c in ["", "x", " ", "_", "5", "ä"] {
                    cells.push(format!("{c}{a}{b}{c}"));
                    cells.push(format!("{a}{c}{b}"));
                }
            }
        }
        cells.push("1-2-3-4-5-6-7".into());
        cells.push("tel 08 12 34 56 7".into());
        let series = Series::new("c".into(), cells.clone());
        let frame = DataFrame::new(series.len(), vec![series.into()]).unwrap();
        let matched = frame
            .lazy()
            .select([col("c").str().contains(lit(OLD_PATTERN), true)])
            .collect()
            .unwrap();
        let matched: Vec<bool> = matched
            .column("c")
            .unwrap()
            .bool()
            .unwrap()
            .iter()
            .map(|m| m.unwrap_or(false))
            .collect();
        let mut found = 0;
        for (cell, m) in cells.iter().zip(matched) {
            if m {
                found += 1;
                assert!(maybe_identifier(cell), "{cell:?}");
            }
        }
        assert!(found > 1000, "{found}");
        // And what no identifier can be in stays out.
        for cell in [
            "R00001",
            "mycket stort",
            "katten satt",
            "0,862",
            "Vet ej",
            "123456",
        ] {
            assert!(!maybe_identifier(cell), "{cell}");
        }
    }

    /// A number column is ruled out by its range only when every number in
    /// it is small: a blank beside a personnummer written as a number does
    /// not hide it, in any integer type, nor in a decimal column.
    #[test]
    fn a_number_column_with_blanks_is_still_looked_into() {
        let gate_of = |column: Series| {
            let frame = DataFrame::new(column.len(), vec![column.into()]).unwrap();
            gate(&frame).unwrap()
        };
        let found = [Found::Values(Identifier::PersonalNumber, 1)];
        let pnr = Series::new("x".into(), &[None, Some(198_112_189_876i64), Some(2)]);
        assert_eq!(
            gate_of(pnr.clone())
                .iter()
                .map(|h| h.found)
                .collect::<Vec<_>>(),
            found
        );
        let as_f64 = pnr.cast(&DataType::Float64).unwrap();
        assert_eq!(
            gate_of(as_f64).iter().map(|h| h.found).collect::<Vec<_>>(),
            found
        );
        let lost_zero = Series::new("x".into(), &[Some(112_189_873u32), None]);
        assert_eq!(gate_of(lost_zero).len(), 1);
        let codes = Series::new("x".into(), &[None, Some(999_999i32), Some(-999_999)]);
        assert!(gate_of(codes).is_empty());
    }
}
