//! An OpenDocument spreadsheet's content measured before calamine reads it.
//! calamine reads every sheet when the file is opened and writes out every
//! repeated row, cell and space as copies in a dense grid, so a few bytes
//! (`number-rows-repeated="1048576"`, `<text:s text:c="4000000000"/>`) can
//! ask for gigabytes or loop for minutes. Here the same copies are counted
//! as the XML streams past, and the first one beyond the bounds refuses the
//! file, naming the sheet and cell.

use std::io::{BufReader, Cursor, Read};

use quick_xml::events::{BytesStart, Event};

use super::sheet::{Bounds, SheetProblem, a1};

/// What a cell costs calamine beyond its text: the grid's value and formula.
const CELL_BYTES: u64 = 56;

/// Checks every sheet of the `.ods` in `bytes` against `bounds`; a problem
/// comes with the name of the sheet it is in.
pub fn check(bytes: &[u8], bounds: Bounds) -> Result<(), (String, SheetProblem)> {
    let broken = || (String::new(), SheetProblem::Broken);
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| broken())?;
    let content = zip.by_name("content.xml").map_err(|_| broken())?;
    let mut walk = Walk {
        xml: quick_xml::Reader::from_reader(BufReader::new(content)),
        buf: Vec::new(),
        bounds,
        sheet: String::new(),
        row: 0,
        cells: 0,
        text: 0,
    };
    walk.run().map_err(|problem| (walk.sheet.clone(), problem))
}

struct Walk<R> {
    xml: quick_xml::Reader<BufReader<R>>,
    buf: Vec<u8>,
    bounds: Bounds,
    /// The sheet being read, and the row its next row element starts at.
    sheet: String,
    row: u64,
    /// Cells and bytes calamine would hold, all sheets told.
    cells: u64,
    text: u64,
}

/// One row element's non-empty cells, for one of its repeats.
#[derive(Default)]
struct Row {
    col: u64,
    filled: u64,
    bytes: u64,
    /// The first non-empty cell's column, to name the place.
    first: Option<u64>,
}

impl<R: Read> Walk<R> {
    fn run(&mut self) -> Result<(), SheetProblem> {
        loop {
            self.buf.clear();
            let (start, empty) = match self.xml.read_event_into(&mut self.buf) {
                Ok(Event::Start(e)) => (e.into_owned(), false),
                Ok(Event::Empty(e)) => (e.into_owned(), true),
                Ok(Event::Eof) => return Ok(()),
                Ok(_) => continue,
                Err(_) => return Err(SheetProblem::Broken),
            };
            match start.name().into_inner() {
                "table:table" => {
                    self.sheet = attr(&start, "table:name").unwrap_or_default();
                    self.row = 0;
                }
                "table:table-row" => {
                    let repeats = count(&start, "table:number-rows-repeated")?;
                    let row = if empty {
                        Row::default()
                    } else {
                        self.row_cells()?
                    };
                    self.take_row(row, repeats)?;
                }
                _ => {}
            }
        }
    }

    /// The cells of the row element just opened, up to its end.
    fn row_cells(&mut self) -> Result<Row, SheetProblem> {
        let mut row = Row::default();
        loop {
            self.buf.clear();
            let (start, empty) = match self.xml.read_event_into(&mut self.buf) {
                Ok(Event::Start(e)) => (e.into_owned(), false),
                Ok(Event::Empty(e)) => (e.into_owned(), true),
                Ok(Event::End(e)) if e.name().into_inner() == "table:table-row" => return Ok(row),
                Ok(Event::Eof) | Err(_) => return Err(SheetProblem::Broken),
                Ok(_) => continue,
            };
            let name = start.name().into_inner();
            if name != "table:table-cell" && name != "table:covered-table-cell" {
                continue;
            }
            let repeats = count(&start, "table:number-columns-repeated")?;
            let valued = start
                .attributes()
                .flatten()
                .any(|a| matches!(a.key.into_inner(), "office:value-type" | "table:formula"));
            let attrs: u64 = start
                .attributes()
                .flatten()
                .map(|a| a.value.len() as u64)
                .sum();
            let inner = if empty { None } else { Some(self.cell_text()?) };
            if valued || inner.is_some() {
                let last = row.col.saturating_add(repeats - 1);
                if last >= u64::from(self.bounds.columns) {
                    let at = row.col.max(u64::from(self.bounds.columns));
                    return Err(self.outside(self.row, at, false));
                }
                row.first.get_or_insert(row.col);
                row.filled += repeats;
                let bytes = CELL_BYTES + attrs + inner.unwrap_or(0);
                row.bytes = row.bytes.saturating_add(bytes.saturating_mul(repeats));
            }
            row.col = row.col.saturating_add(repeats);
        }
    }

    /// The bytes of text inside the cell element just opened, spaces that
    /// `text:c` repeats counted out, up to the cell's end.
    fn cell_text(&mut self) -> Result<u64, SheetProblem> {
        let (mut depth, mut bytes) = (0u32, 0u64);
        loop {
            self.buf.clear();
            match self.xml.read_event_into(&mut self.buf) {
                Ok(Event::Start(e)) => {
                    depth += 1;
                    bytes = bytes.saturating_add(spaces(&e)?);
                }
                Ok(Event::Empty(e)) => bytes = bytes.saturating_add(spaces(&e)?),
                Ok(Event::Text(t)) => bytes = bytes.saturating_add(t.len() as u64),
                Ok(Event::GeneralRef(r)) => bytes = bytes.saturating_add(r.len() as u64 + 2),
                Ok(Event::End(_)) if depth == 0 => return Ok(bytes),
                Ok(Event::End(_)) => depth -= 1,
                Ok(Event::Eof) | Err(_) => return Err(SheetProblem::Broken),
                Ok(_) => {}
            }
        }
    }

    /// Counts a row element's cells once per repeat, against the bounds.
    fn take_row(&mut self, row: Row, repeats: u64) -> Result<(), SheetProblem> {
        if let Some(first) = row.first {
            let last = self.row.saturating_add(repeats - 1);
            if last >= u64::from(self.bounds.rows) {
                let at = self.row.max(u64::from(self.bounds.rows));
                return Err(self.outside(at, first, true));
            }
            self.cells = self
                .cells
                .saturating_add(row.filled.saturating_mul(repeats));
            if self.cells > self.bounds.cells {
                return Err(SheetProblem::TooManyCells(self.cells));
            }
            self.text = self.text.saturating_add(row.bytes.saturating_mul(repeats));
            if self.text > self.bounds.text {
                return Err(SheetProblem::TooMuchText(a1(self.row, first)));
            }
        }
        self.row = self.row.saturating_add(repeats);
        Ok(())
    }

    fn outside(&self, row: u64, col: u64, rows: bool) -> SheetProblem {
        SheetProblem::Outside {
            cell: a1(row, col),
            rows,
        }
    }
}

fn attr(e: &BytesStart, key: &str) -> Option<String> {
    let a = e
        .attributes()
        .flatten()
        .find(|a| a.key.into_inner() == key)?;
    Some(a.value.to_string())
}

/// A repeat count; 1 when not given, and a count that is no number breaks the file.
fn count(e: &BytesStart, key: &str) -> Result<u64, SheetProblem> {
    match attr(e, key) {
        None => Ok(1),
        Some(v) => match v.trim().parse::<u64>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(SheetProblem::Broken),
        },
    }
}

/// The spaces a `text:s` element stands for (one, or `text:c` of them).
fn spaces(e: &BytesStart) -> Result<u64, SheetProblem> {
    if e.name().into_inner() == "text:s" {
        count(e, "text:c")
    } else {
        Ok(1)
    }
}
