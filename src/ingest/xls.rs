//! An old `.xls` workbook measured before calamine reads it. calamine reads
//! every sheet when the file is opened, reserves room for whatever size a
//! sheet declares, and lays its cells out in a dense grid up to the farthest
//! one; a cell at the last row and column, a declared size of billions or one
//! long shared string named by every cell asks for gigabytes. Here the
//! records are walked as calamine walks them and counted against the bounds,
//! and the first one beyond them refuses the file, naming the sheet and cell.

use std::io::{Cursor, Read};

use super::sheet::{Bounds, SheetProblem, a1};

/// What a cell costs calamine beyond its text: its place, value and formula.
const CELL_BYTES: u64 = 64;
/// What a formula's text may grow to per byte of its tokens (a 5-byte name
/// token stands for a name of up to 255 characters).
const FORMULA_GROWTH: u64 = 64;

type Problem = (String, SheetProblem);

/// Checks every sheet of the `.xls` in `bytes` against `bounds`; a problem
/// comes with the name of the sheet it is in. A compound file without a
/// workbook (an encrypted `.xlsx`) passes: opening it tells what it is.
pub fn check(bytes: &[u8], bounds: Bounds) -> Result<(), Problem> {
    let Some(stream) = workbook_stream(bytes) else {
        return Ok(());
    };
    let globals = records(&stream, 0).ok_or_else(broken)?;
    let mut sheets = Vec::new();
    let mut strings = Vec::new();
    for r in &globals {
        match r.kind {
            0x0085 => sheets.push(bound_sheet(r.data).ok_or_else(broken)?),
            0x00FC => strings = shared_string_sizes(r).ok_or_else(broken)?,
            _ => {}
        }
    }
    let mut tally = Tally::default();
    for (at, name) in sheets {
        let place = |problem| (name.clone(), problem);
        let sheet = sheet_records(&stream, at).ok_or_else(|| place(SheetProblem::Broken))?;
        for r in sheet {
            tally.take(&r, &strings, bounds).map_err(place)?;
        }
    }
    Ok(())
}

fn broken() -> Problem {
    (String::new(), SheetProblem::Broken)
}

/// The workbook stream of the compound file, read within the file's size.
fn workbook_stream(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).ok()?;
    let stream = file
        .open_stream("/Workbook")
        .or_else(|_| file.open_stream("/Book"))
        .ok()?;
    let mut data = Vec::new();
    stream
        .take(bytes.len() as u64)
        .read_to_end(&mut data)
        .ok()?;
    Some(data)
}

/// A record, with the `CONTINUE` records that follow it, as calamine joins them.
struct Record<'a> {
    kind: u16,
    data: &'a [u8],
    more: Vec<&'a [u8]>,
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// The records from `at` to the end of the stream. Writers pad the stream to
/// its sector's end, so fewer bytes than a record's header are padding.
fn records(stream: &[u8], at: usize) -> Option<Vec<Record<'_>>> {
    let mut rest = stream.get(at..)?;
    let mut out: Vec<Record> = Vec::new();
    while rest.len() >= 4 {
        let (kind, len) = (u16_at(rest, 0)?, u16_at(rest, 2)? as usize);
        let data = rest.get(4..4 + len)?;
        rest = &rest[4 + len..];
        match out.last_mut() {
            Some(last) if kind == 0x003C => last.more.push(data),
            _ => out.push(Record {
                kind,
                data,
                more: Vec::new(),
            }),
        }
    }
    Some(out)
}

/// A sheet's own records from its `BOF` at `at` to its `EOF`, leaving out
/// the substreams inside it (charts), as calamine does.
fn sheet_records(stream: &[u8], at: usize) -> Option<Vec<Record<'_>>> {
    let (mut depth, mut seen_bof) = (0usize, false);
    let mut own = Vec::new();
    for r in records(stream, at)? {
        match (r.kind, depth) {
            (0x0809, _) if !seen_bof => seen_bof = true,
            (0x0809, _) => depth += 1,
            (0x000A, 0) => break,
            (0x000A, _) => depth -= 1,
            (_, 0) => own.push(r),
            _ => {}
        }
    }
    Some(own)
}

/// A `BOUNDSHEET` record: where the sheet starts, and its name.
fn bound_sheet(data: &[u8]) -> Option<(usize, String)> {
    let at = u32_at(data, 0)? as usize;
    let (len, flags) = (*data.get(6)? as usize, *data.get(7).unwrap_or(&0));
    let raw = data.get(8..).unwrap_or_default();
    let name = if flags & 1 == 1 {
        let units: Vec<u16> = raw
            .chunks_exact(2)
            .take(len)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        raw.iter().take(len).map(|&b| b as char).collect()
    };
    Some((at, name))
}

/// The size in bytes each shared string takes once decoded (at most three
/// per character), walked across `CONTINUE` records as calamine reads them.
fn shared_string_sizes(r: &Record) -> Option<Vec<u64>> {
    let mut parts = Parts {
        parts: std::iter::once(r.data.get(8..)?)
            .chain(r.more.iter().copied())
            .collect(),
        i: 0,
        at: 0,
    };
    let mut sizes = Vec::new();
    while parts.next_part_if_done() {
        let (chars, flags) = (parts.u16()? as u64, parts.byte()?);
        let runs = if flags & 8 != 0 {
            parts.u16()? as u64
        } else {
            0
        };
        let ext = if flags & 4 != 0 {
            u32::from_le_bytes([parts.byte()?, parts.byte()?, parts.byte()?, parts.byte()?]) as u64
        } else {
            0
        };
        parts.chars(chars, flags & 1 != 0)?;
        parts.skip(runs * 4 + ext)?;
        sizes.push(chars * 3);
    }
    Some(sizes)
}

/// The `SST` record and its `CONTINUE` records, read as one.
struct Parts<'a> {
    parts: Vec<&'a [u8]>,
    i: usize,
    at: usize,
}

impl Parts<'_> {
    fn left(&self) -> usize {
        self.parts.get(self.i).map_or(0, |p| p.len() - self.at)
    }

    /// Whether there is more to read, moving to the next part if this one is done.
    fn next_part_if_done(&mut self) -> bool {
        while self.left() == 0 && self.i < self.parts.len() {
            self.i += 1;
            self.at = 0;
        }
        self.i < self.parts.len()
    }

    fn byte(&mut self) -> Option<u8> {
        let b = *self.parts.get(self.i)?.get(self.at)?;
        self.at += 1;
        Some(b)
    }

    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_le_bytes([self.byte()?, self.byte()?]))
    }

    /// Characters, one or two bytes each; a part that ends inside them is
    /// followed by one that starts with the width of the rest.
    fn chars(&mut self, mut count: u64, mut wide: bool) -> Option<()> {
        loop {
            let width = if wide { 2 } else { 1 };
            let here = count.min((self.left() / width) as u64);
            self.at += here as usize * width;
            count -= here;
            if count == 0 {
                return Some(());
            }
            self.i += 1;
            self.at = 0;
            wide = self.byte()? & 1 == 1;
        }
    }

    fn skip(&mut self, mut count: u64) -> Option<()> {
        while count > 0 {
            if !self.next_part_if_done() {
                return None;
            }
            let here = count.min(self.left() as u64);
            self.at += here as usize;
            count -= here;
        }
        Some(())
    }
}

/// Cells and bytes calamine would hold, all sheets told.
#[derive(Default)]
struct Tally {
    cells: u64,
    text: u64,
    /// The last formula's cell, where its text result (a record of its own) goes.
    formula: (u64, u64),
}

impl Tally {
    fn take(&mut self, r: &Record, strings: &[u64], bounds: Bounds) -> Result<(), SheetProblem> {
        let d = r.data;
        let broken = || SheetProblem::Broken;
        let row = u16_at(d, 0).unwrap_or(0) as u64;
        let col = u16_at(d, 2).unwrap_or(0) as u64;
        let (cells, text) = match r.kind {
            0x0200 => return dimensions(d, bounds),
            // NUMBER, BOOLERR, RK
            0x0203 | 0x0205 | 0x027E => (1, 0),
            // LABEL, RSTRING: text of one or two bytes a character
            0x0204 | 0x00D6 => (1, d.len() as u64 * 2),
            // LABELSST
            0x00FD => {
                let i = u32_at(d, 6).ok_or_else(broken)? as usize;
                (1, strings.get(i).copied().unwrap_or(0))
            }
            0x0006 => {
                self.formula = (row, col);
                (1, d.len() as u64 * FORMULA_GROWTH)
            }
            // STRING: the text result of the formula before it
            0x0207 => {
                let (row, col) = self.formula;
                return self.add(row, col, 0, d.len() as u64 * 2, bounds);
            }
            // MULRK: a run of cells in one row, the last column at the end
            0x00BD => {
                let last = u16_at(d, d.len().saturating_sub(2)).ok_or_else(broken)? as u64;
                within(row, last, bounds)?;
                (last.saturating_sub(col) + 1, 0)
            }
            _ => return Ok(()),
        };
        within(row, col, bounds)?;
        self.add(row, col, cells, text, bounds)
    }

    fn add(
        &mut self,
        row: u64,
        col: u64,
        cells: u64,
        text: u64,
        bounds: Bounds,
    ) -> Result<(), SheetProblem> {
        self.cells += cells;
        if self.cells > bounds.cells {
            return Err(SheetProblem::TooManyCells(self.cells));
        }
        self.text = self
            .text
            .saturating_add(text)
            .saturating_add(cells * CELL_BYTES);
        if self.text > bounds.text {
            return Err(SheetProblem::TooMuchText(a1(row, col)));
        }
        Ok(())
    }
}

fn within(row: u64, col: u64, bounds: Bounds) -> Result<(), SheetProblem> {
    if row >= u64::from(bounds.rows) || col >= u64::from(bounds.columns) {
        return Err(SheetProblem::Outside {
            cell: a1(row, col),
            rows: row >= u64::from(bounds.rows),
        });
    }
    Ok(())
}

/// The size a sheet declares, for which calamine reserves room before
/// reading a cell: its last row and column must lie within the bounds.
fn dimensions(d: &[u8], bounds: Bounds) -> Result<(), SheetProblem> {
    let broken = || SheetProblem::Broken;
    let (first_row, rows_end, cols_end) = match d.len() {
        10 => (
            u16_at(d, 0).map(u32::from),
            u16_at(d, 2).map(u32::from),
            u16_at(d, 6),
        ),
        14 | 16 => (u32_at(d, 0), u32_at(d, 4), u16_at(d, 10)),
        _ => return Err(broken()),
    };
    let (first_row, rows_end) = (first_row.ok_or_else(broken)?, rows_end.ok_or_else(broken)?);
    let cols_end = cols_end.ok_or_else(broken)?;
    if rows_end == 0 || cols_end == 0 {
        return Ok(());
    }
    within(u64::from(rows_end - 1), u64::from(cols_end - 1), bounds)?;
    // A first row past the last makes calamine's size wrap around to billions
    // (a first column past the last it takes as 0).
    if first_row > rows_end - 1 {
        return Err(broken());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_strings_are_sized_across_continue_records_with_their_width() {
        // Two strings: "ab" (narrow), then 4 wide characters of which 1 is in
        // the SST record and 3 in a CONTINUE that starts with its width flag.
        let sst = [
            &[0, 0, 0, 0, 2, 0, 0, 0][..],
            &[2, 0, 0, b'a', b'b'],
            &[4, 0, 1, b'x', 0],
        ]
        .concat();
        let more = [0u8, b'y', b'z', b'w'];
        let r = Record {
            kind: 0x00FC,
            data: &sst,
            more: vec![&more],
        };
        assert_eq!(shared_string_sizes(&r), Some(vec![6, 12]));
    }

    #[test]
    fn a_shared_string_longer_than_its_records_is_broken() {
        let sst = [&[0, 0, 0, 0, 1, 0, 0, 0][..], &[200, 0, 0, b'a']].concat();
        let r = Record {
            kind: 0x00FC,
            data: &sst,
            more: Vec::new(),
        };
        assert_eq!(shared_string_sizes(&r), None);
    }
}
