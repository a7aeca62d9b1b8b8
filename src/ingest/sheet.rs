//! Reading an `.xlsx` sheet cell by cell within bounds. A sheet may claim a
//! cell at XFD1048576 in a few bytes; a reader that makes a dense grid of
//! everything up to it needs gigabytes. Here every cell is checked against
//! the bounds as it streams past, and the first one outside them refuses
//! the sheet, naming the cell.

use std::io::{Read, Seek};

use calamine::{Cell, Data, DataRef, Range, Xlsx};

/// How far a sheet may reach.
#[derive(Clone, Copy, Debug)]
pub struct Bounds {
    pub rows: u32,
    pub columns: u32,
    /// Cells with content or formatting, all told.
    pub cells: u64,
    /// Bytes of cell text and formulas, all told: one shared string may be
    /// named by every cell, and each cell read holds its own copy.
    pub text: u64,
}

/// Why a sheet was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SheetProblem {
    /// A cell beyond the bounds (its A1 name, and which bound).
    Outside {
        cell: String,
        rows: bool,
    },
    TooManyCells(u64),
    /// The cells' text adds up to more than the bounds (the cell where it did).
    TooMuchText(String),
    /// The sheet's XML cannot be read.
    Broken,
}

/// Every cell of a sheet, in stream order, each passed to `each` with its
/// value; `each` may stop the reading with a problem of its own.
pub fn for_each_cell<RS: Read + Seek>(
    book: &mut Xlsx<RS>,
    sheet: &str,
    bounds: Bounds,
    mut each: impl FnMut(u32, u32, Data) -> Result<(), SheetProblem>,
) -> Result<(), SheetProblem> {
    let mut reader = book
        .worksheet_cells_reader(sheet)
        .map_err(|_| SheetProblem::Broken)?;
    let mut tally = Tally::default();
    while let Some(cell) = reader.next_cell().map_err(|_| SheetProblem::Broken)? {
        let (row, col) = cell.get_position();
        tally.take(bounds, row, col, text_len(cell.get_value()))?;
        each(row, col, Data::from(cell.get_value().clone()))?;
    }
    Ok(())
}

/// What the cells read so far hold, held against the bounds.
#[derive(Default)]
struct Tally {
    cells: u64,
    text: u64,
}

impl Tally {
    fn take(
        &mut self,
        bounds: Bounds,
        row: u32,
        col: u32,
        text: usize,
    ) -> Result<(), SheetProblem> {
        let a1 = || a1(row.into(), col.into());
        if row >= bounds.rows || col >= bounds.columns {
            return Err(SheetProblem::Outside {
                cell: a1(),
                rows: row >= bounds.rows,
            });
        }
        self.cells += 1;
        if self.cells > bounds.cells {
            return Err(SheetProblem::TooManyCells(self.cells));
        }
        self.text = self.text.saturating_add(text as u64);
        if self.text > bounds.text {
            return Err(SheetProblem::TooMuchText(a1()));
        }
        Ok(())
    }
}

/// A cell's A1 name, for places counted beyond what a sheet can hold.
pub fn a1(row: u64, col: u64) -> String {
    crate::layout::a1(
        row.min(u32::MAX as u64) as u32,
        col.min(u16::MAX as u64) as u16,
    )
}

fn text_len(value: &DataRef) -> usize {
    match value {
        DataRef::SharedString(s) => s.len(),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.len(),
        _ => 0,
    }
}

/// A sheet's values and its formulas as two grids, each no larger than the
/// bounds, read in one pass over the sheet.
pub fn ranges<RS: Read + Seek>(
    book: &mut Xlsx<RS>,
    sheet: &str,
    bounds: Bounds,
) -> Result<(Range<Data>, Range<String>), SheetProblem> {
    let mut reader = book
        .worksheet_cells_reader(sheet)
        .map_err(|_| SheetProblem::Broken)?;
    let (mut values, mut formulas) = (Vec::new(), Vec::new());
    let mut tally = Tally::default();
    while let Some(cell) = reader
        .next_cell_with_formula()
        .map_err(|_| SheetProblem::Broken)?
    {
        let (row, col) = cell.pos;
        let formula = cell.formula.as_ref().map_or(0, String::len);
        tally.take(bounds, row, col, text_len(&cell.value) + formula)?;
        let value = Data::from(cell.value);
        if value != Data::Empty {
            values.push(Cell::new(cell.pos, value));
        }
        if let Some(f) = cell.formula.filter(|f| !f.is_empty()) {
            formulas.push(Cell::new(cell.pos, f));
        }
    }
    Ok((Range::from_sparse(values), Range::from_sparse(formulas)))
}
