//! Reading an `.xlsx` sheet cell by cell within bounds. A sheet may claim a
//! cell at XFD1048576 in a few bytes; a reader that makes a dense grid of
//! everything up to it needs gigabytes. Here every cell is checked against
//! the bounds as it streams past, and the first one outside them refuses
//! the sheet, naming the cell.

use std::io::{Read, Seek};

use calamine::{Cell, Data, Range, Xlsx};

/// How far a sheet may reach.
#[derive(Clone, Copy, Debug)]
pub struct Bounds {
    pub rows: u32,
    pub columns: u32,
    /// Cells with content or formatting, all told.
    pub cells: u64,
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
    let mut count = 0u64;
    while let Some(cell) = reader.next_cell().map_err(|_| SheetProblem::Broken)? {
        let (row, col) = cell.get_position();
        within(bounds, row, col, &mut count)?;
        each(row, col, Data::from(cell.get_value().clone()))?;
    }
    Ok(())
}

fn within(bounds: Bounds, row: u32, col: u32, count: &mut u64) -> Result<(), SheetProblem> {
    if row >= bounds.rows || col >= bounds.columns {
        return Err(SheetProblem::Outside {
            cell: crate::layout::a1(row, col.min(u16::MAX as u32) as u16),
            rows: row >= bounds.rows,
        });
    }
    *count += 1;
    if *count > bounds.cells {
        return Err(SheetProblem::TooManyCells(*count));
    }
    Ok(())
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
    let mut count = 0u64;
    while let Some(cell) = reader
        .next_cell_with_formula()
        .map_err(|_| SheetProblem::Broken)?
    {
        let (row, col) = cell.pos;
        within(bounds, row, col, &mut count)?;
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
