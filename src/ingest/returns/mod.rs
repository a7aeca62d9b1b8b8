//! Reads a committee's return workbook (`.xlsx`, `.xlsm`, `.xls`, `.ods`).
//!
//! The file says what it is on its hidden sheet; the file name is not trusted.
//! Every reason to refuse a file names the file, and the sheet and cell where
//! there is one, and says what to do.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use calamine::{Data, Ods, Range, Reader, Xls, Xlsx};

use super::Refusal;
use super::archive::{self, ZipProblem};
use super::file::{self, FileError};
use super::kind::{self, Kind, OleKind, ZipKind};
use super::sheet::{self, Bounds, SheetProblem};
use crate::layout::{self, Layout};
use crate::pipeline::{GroupKey, Pipeline, Unit};

mod meta;
mod open;

use meta::{check_row_map, check_year, name_warning, read_meta};
use open::{Book, SheetData, open};

/// A cell as it was found, before validation judges it.
#[derive(Clone, Debug, PartialEq)]
pub enum CellInput {
    Blank,
    Number(f64),
    Text(String),
    /// A formula whose value was never saved (written by a program that does
    /// not calculate).
    FormulaWithoutValue(String),
    /// An error value such as `#DIV/0!`.
    Error(String),
    /// A date, a true/false value: not something a count can be.
    Other(String),
}

#[derive(Clone, Debug)]
pub struct RawValue {
    /// Index into the layout's indicator rows.
    pub row_index: usize,
    pub indicator_id: String,
    pub key: GroupKey,
    pub label: String,
    pub is_share: bool,
    pub value: CellInput,
    pub value_cell: String,
    pub denominator: Option<(CellInput, String)>,
    /// The committee's explanation, as written; validation checks it for
    /// identifiers before anything keeps it.
    pub comment: Option<String>,
    pub comment_cell: String,
}

#[derive(Clone, Debug)]
pub struct RawActivity {
    pub measure_id: String,
    pub status: Option<String>,
    pub assessment: Option<String>,
    pub description: Option<String>,
    /// The row's status cell, e.g. "C5".
    pub status_cell: String,
    pub assessment_cell: String,
    pub description_cell: String,
}

/// A warning about a return: its sheet and cell, where there is one, and what to check.
pub type Warning = (Option<String>, Option<String>, String);

/// A return that could be read.
#[derive(Clone, Debug)]
pub struct ReturnWorkbook {
    /// The path as the user gave it, for messages.
    pub file: String,
    pub path: PathBuf,
    pub sha256: String,
    pub unit_id: String,
    pub year: i32,
    pub values: Vec<RawValue>,
    pub activities: Vec<RawActivity>,
    /// Doubts that do not stop the file from being read.
    pub warnings: Vec<Warning>,
}

/// What the caller expects of a file, from where it was found.
#[derive(Clone, Copy, Debug, Default)]
pub struct Expect {
    /// The year whose inbox the file lies in, or that the user named.
    pub year: Option<i32>,
}

/// How many columns a return's sheet may use; the template uses a handful.
const MAX_COLUMNS: u32 = 256;

fn bounds(p: &Pipeline) -> Bounds {
    Bounds {
        rows: p.returns.max_rows,
        columns: MAX_COLUMNS,
        cells: p.returns.max_rows as u64 * MAX_COLUMNS as u64,
        text: p.returns.max_bytes,
    }
}

/// Findings go back to the committee as they are: they speak to it and
/// name no command.
const RESEND: &str = "Spara filen igen i Excel eller LibreOffice och skicka den på nytt.";
/// What to do instead of sending a home-made or broken workbook.
fn use_template(p: &Pipeline) -> String {
    format!(
        "Ladda ner årets mall från {} och fyll i den.",
        p.owner_name()
    )
}

/// Reads one return. `file` is the path as the user wrote it.
pub fn read(p: &Pipeline, path: &Path, expect: Expect) -> Result<ReturnWorkbook, Refusal> {
    super::guard::planted();
    let file = path.display().to_string();
    let refuse = |message: String| Refusal::file(&file, message);
    let cap = p.returns.max_bytes;
    let bytes = file::read_capped(path, cap).map_err(|e| match e {
        FileError::TooBig(len) => refuse(format!(
            "filen är {len} byte, mer än gränsen {cap} byte för en återrapportering. Kontrollera att det är rätt fil; en ifylld mall är bara några tiotal kilobyte."
        )),
        FileError::Unreadable(m) => refuse(m),
    })?;
    let sha256 = crate::ledger::sha256_hex(&bytes);
    let book = open(bytes, p, &file)?;
    read_book(p, path, &file, sha256, book, expect)
}

fn text_of(d: Option<&Data>) -> String {
    match d {
        Some(Data::String(s)) => s.trim().to_string(),
        Some(Data::Int(i)) => i.to_string(),
        Some(Data::Float(f)) if f.fract() == 0.0 => format!("{}", *f as i64),
        Some(Data::Float(f)) => f.to_string(),
        Some(Data::Empty) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn read_book(
    p: &Pipeline,
    path: &Path,
    file: &str,
    sha256: String,
    mut book: Book,
    expect: Expect,
) -> Result<ReturnWorkbook, Refusal> {
    let use_template = use_template(p);
    let refuse_at = |sheet: Option<&str>, cell, message| Refusal::at(file, sheet, cell, message);
    let (meta, unit, year) = read_meta(p, &mut book, file, &use_template)?;
    check_year(p, unit, year, expect).map_err(|m| refuse_at(None, None, m))?;
    let l = layout::layout(p, unit, year);
    check_row_map(&meta, &l, &use_template)
        .map_err(|m| refuse_at(Some(layout::SHEET_META), None, m))?;
    let warnings = name_warning(p, path, unit).into_iter().collect();
    let values = read_indicators(&mut book, &l, p, file)?;
    let activities = read_activities(&mut book, &l, p, file)?;
    Ok(ReturnWorkbook {
        file: file.to_string(),
        path: path.to_path_buf(),
        sha256,
        unit_id: unit.id.clone(),
        year,
        values,
        activities,
        warnings,
    })
}

fn sheet_range(
    book: &mut Book,
    sheet: &str,
    p: &Pipeline,
    file: &str,
) -> Result<(Range<Data>, Option<Range<String>>), Refusal> {
    let use_template = use_template(p);
    if !book.sheet_names().iter().any(|n| n == sheet) {
        return Err(Refusal {
            file: file.to_string(),
            sheet: None,
            cell: None,
            message: format!(
                "bladet {sheet} saknas; har det bytt namn eller tagits bort? Bladen i filen heter: {}. {use_template}",
                book.sheet_names()
                    .iter()
                    .filter(|n| *n != layout::SHEET_META)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
    read_sheet(book, sheet, p, file)
}

/// A sheet that goes beyond a return's bounds, told by sheet and cell.
fn sheet_refusal(p: &Pipeline, file: &str, sheet: &str, e: SheetProblem) -> Refusal {
    let max = p.returns.max_rows;
    let (cell, message) = match e {
        SheetProblem::Outside { cell, rows: true } => (
            Some(cell),
            format!(
                "bladet har innehåll på rad {} eller längre ner, fler än gränsen {max} rader för en återrapportering. Ta bort det som har lagts till under mallens rader.",
                max + 1
            ),
        ),
        SheetProblem::Outside { cell, rows: false } => (
            Some(cell),
            format!(
                "bladet har innehåll längre till höger än kolumn {MAX_COLUMNS}, långt utanför mallen. Ta bort det som har lagts till och skicka filen igen."
            ),
        ),
        SheetProblem::TooManyCells(_) => (
            None,
            format!(
                "bladet har fler ifyllda celler än en återrapportering kan ha. Ta bort det som har lagts till utanför mallen. {RESEND}"
            ),
        ),
        SheetProblem::TooMuchText(cell) => (
            Some(cell),
            format!(
                "bladets text är här sammanlagt mer än {} byte, långt mer än en återrapportering har. Ta bort det som har lagts till utanför mallen. {RESEND}",
                p.returns.max_bytes
            ),
        ),
        SheetProblem::Broken => (
            None,
            format!("bladet går inte att läsa (innehållet är skadat). {RESEND}"),
        ),
    };
    Refusal::at(file, Some(sheet).filter(|s| !s.is_empty()), cell, message)
}

/// A sheet within the return's bounds; the first cell outside them refuses the file.
fn read_sheet(
    book: &mut Book,
    sheet: &str,
    p: &Pipeline,
    file: &str,
) -> Result<SheetData, Refusal> {
    let max = p.returns.max_rows;
    let (range, formulas) = book
        .sheet(sheet, bounds(p))
        .map_err(|e| sheet_refusal(p, file, sheet, e))?;
    let height = range.end().map(|(r, _)| r + 1).unwrap_or(0);
    if height > max {
        return Err(Refusal::at(
            file,
            Some(sheet),
            None,
            format!(
                "bladet har {height} rader, fler än gränsen {max} för en återrapportering. Ta bort det som har lagts till under mallens rader."
            ),
        ));
    }
    Ok((range, formulas))
}

fn input(range: &Range<Data>, formulas: Option<&Range<String>>, row: u32, col: u16) -> CellInput {
    let formula = formulas
        .and_then(|f| f.get_value((row, col as u32)))
        .filter(|f| !f.is_empty());
    match range.get_value((row, col as u32)) {
        None | Some(Data::Empty) => match formula {
            Some(f) => CellInput::FormulaWithoutValue(f.clone()),
            None => CellInput::Blank,
        },
        Some(Data::String(s)) if s.trim().is_empty() => match formula {
            Some(f) => CellInput::FormulaWithoutValue(f.clone()),
            None => CellInput::Blank,
        },
        Some(Data::Int(i)) => CellInput::Number(*i as f64),
        Some(Data::Float(f)) => CellInput::Number(*f),
        Some(Data::String(s)) => CellInput::Text(s.clone()),
        Some(Data::Error(e)) => CellInput::Error(e.to_string()),
        Some(other) => CellInput::Other(other.to_string()),
    }
}

fn read_indicators(
    book: &mut Book,
    l: &Layout<'_>,
    p: &Pipeline,
    file: &str,
) -> Result<Vec<RawValue>, Refusal> {
    use layout::*;
    let (range, formulas) = sheet_range(book, SHEET_INDICATORS, p, file)?;
    let mut out = Vec::with_capacity(l.indicators.len());
    for (i, r) in l.indicators.iter().enumerate() {
        let row = FIRST_ROW + i as u32;
        let id = text_of(range.get_value((row, COL_ID as u32)));
        let label = text_of(range.get_value((row, COL_GROUP as u32)));
        if id != r.indicator.id || label != r.label {
            let found = match id.is_empty() && label.is_empty() {
                true => None,
                false => Some(format!("{id} ({label})")),
            };
            let wanted = format!("{} ({})", r.indicator.id, r.label);
            let at = (SHEET_INDICATORS, row, COL_ID);
            return Err(rows_moved(file, at, &wanted, found));
        }
        let comment = match range.get_value((row, COL_COMMENT as u32)) {
            Some(Data::Empty) | None => None,
            Some(d) => Some(text_of(Some(d))).filter(|s| !s.is_empty()),
        };
        out.push(RawValue {
            row_index: i,
            indicator_id: r.indicator.id.clone(),
            key: r.key.clone(),
            label: r.label.clone(),
            is_share: r.is_share(),
            value: input(&range, formulas.as_ref(), row, COL_VALUE),
            value_cell: a1(row, COL_VALUE),
            denominator: r.is_share().then(|| {
                (
                    input(&range, formulas.as_ref(), row, COL_DENOMINATOR),
                    a1(row, COL_DENOMINATOR),
                )
            }),
            comment,
            comment_cell: a1(row, COL_COMMENT),
        });
    }
    Ok(out)
}

/// A sheet whose rows no longer stand where the template put them: at
/// `(sheet, row, col)` the template has `wanted`, the file `found` (or
/// nothing).
fn rows_moved(
    file: &str,
    (sheet, row, col): (&str, u32, u16),
    wanted: &str,
    found: Option<String>,
) -> Refusal {
    Refusal {
        file: file.to_string(),
        sheet: Some(sheet.into()),
        cell: Some(layout::a1(row, col)),
        message: format!(
            "rader har flyttats, lagts till eller tagits bort: på rad {} ska {wanted} stå, men där står {}. Flytta tillbaka raderna eller för över uppgifterna till en ny mall.",
            row + 1,
            found.as_deref().unwrap_or("ingenting")
        ),
    }
}

fn read_activities(
    book: &mut Book,
    l: &Layout<'_>,
    p: &Pipeline,
    file: &str,
) -> Result<Vec<RawActivity>, Refusal> {
    use layout::*;
    let (range, _) = sheet_range(book, SHEET_ACTIVITIES, p, file)?;
    let mut out = Vec::with_capacity(l.measures.len());
    for (i, m) in l.measures.iter().enumerate() {
        let row = FIRST_ROW + i as u32;
        let id = text_of(range.get_value((row, ACT_COL_ID as u32)));
        if id != m.id {
            let found = (!id.is_empty()).then_some(id);
            let at = (SHEET_ACTIVITIES, row, ACT_COL_ID);
            return Err(rows_moved(file, at, &format!("åtgärden {}", m.id), found));
        }
        let cell =
            |col: u16| Some(text_of(range.get_value((row, col as u32)))).filter(|s| !s.is_empty());
        out.push(RawActivity {
            measure_id: m.id.clone(),
            status: cell(ACT_COL_STATUS),
            assessment: cell(ACT_COL_ASSESSMENT),
            description: cell(ACT_COL_DESCRIPTION),
            status_cell: a1(row, ACT_COL_STATUS),
            assessment_cell: a1(row, ACT_COL_ASSESSMENT),
            description_cell: a1(row, ACT_COL_DESCRIPTION),
        });
    }
    Ok(out)
}
