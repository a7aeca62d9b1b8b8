//! Reads a survey export into a table, whatever the format: CSV (UTF-8 with
//! or without BOM, or Windows-1252 as Swedish Excel saves it; `,`, `;` or
//! tab, detected), `.xlsx`/`.xls`/`.ods`, or Parquet.
//!
//! CSV and workbook cells are read as text, as written: the anonymity gate
//! must see them before anything else interprets the data. Parquet keeps its
//! column types, which the gate and the codebook read as they are.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx};
use polars::prelude::*;

use super::Refusal;
use super::archive::{self, ZipProblem};
use super::csv;
use super::file::FileError;
use super::sheet::{self, Bounds, SheetProblem};

/// File types taken as survey exports.
pub const EXTENSIONS: [&str; 5] = ["csv", "txt", "tsv", "parquet", "xlsx"];

/// A survey file as read, with its original headers.
#[derive(Clone, Debug)]
pub struct SurveyTable {
    pub file: String,
    pub path: PathBuf,
    pub sha256: String,
    pub frame: DataFrame,
    /// What was read, e.g. "CSV, Windows-1252, semikolon".
    pub format: String,
}

/// Reads a survey file of at most `cap` bytes. No message says anything
/// from inside the file: places are told by line and column.
pub fn read(path: &Path, cap: u64) -> Result<SurveyTable, Refusal> {
    let file = path.display().to_string();
    let bytes = super::file::read_capped(path, cap).map_err(|e| match e {
        FileError::TooBig(len) => Refusal::file(&file, format!(
            "filen är {len} byte, mer än gränsen {cap} byte för en enkätfil (max_bytes under [survey]). Kontrollera att det är rätt fil."
        )),
        FileError::Unreadable(m) => Refusal::file(&file, m),
    })?;
    let sha256 = crate::ledger::sha256_hex(&bytes);
    if bytes.is_empty() {
        return Err(Refusal::file(
            &file,
            "filen är tom (0 byte). Exportera enkätsvaren på nytt.",
        ));
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .unwrap_or_default();
    let (frame, format) = match ext.as_str() {
        "parquet" => (read_parquet(bytes, cap, &file)?, "Parquet".to_string()),
        "xlsx" => (read_workbook(bytes, cap, &file)?, "arbetsbok".to_string()),
        _ => read_csv(&bytes, &file)?,
    };
    if frame.height() == 0 {
        return Err(Refusal::file(
            &file,
            "filen har rubriker men inga svar. Exportera enkätsvaren på nytt.",
        ));
    }
    Ok(SurveyTable {
        file,
        path: path.to_path_buf(),
        sha256,
        frame,
        format,
    })
}

fn read_csv(bytes: &[u8], file: &str) -> Result<(DataFrame, String), Refusal> {
    if let Some(problem) = csv::long_line(bytes) {
        return Err(Refusal::file(file, problem.message()));
    }
    let (text, encoding) = csv::decode(bytes).map_err(|e| Refusal::file(file, e.message()))?;
    let sep = csv::detect_separator(&text);
    csv::check_shape(&text, sep).map_err(|e| Refusal::file(file, e.message()))?;
    // polars' own errors quote the file's text, so none of it is passed on.
    let frame = CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .map_parse_options(|o| o.with_separator(sep))
        .into_reader_with_file_handle(Cursor::new(text.into_bytes()))
        .finish()
        .map_err(|_| Refusal::file(file, "CSV-filen går inte att läsa som en tabell (t.ex. två kolumner med samma rubrik eller en trasig rad). Kontrollera att den är en export av enkätsvaren."))?;
    let sep_name = match sep {
        b';' => "semikolon",
        b'\t' => "tabb",
        _ => "komma",
    };
    Ok((frame, format!("CSV, {encoding}, {sep_name}")))
}

fn read_parquet(bytes: Vec<u8>, cap: u64, file: &str) -> Result<DataFrame, Refusal> {
    let broken = || {
        Refusal::file(
            file,
            "Parquet-filen går inte att läsa (den är skadad eller inte en Parquet-fil). Exportera enkätsvaren på nytt.",
        )
    };
    if !super::parquet::pages_fit(&bytes, cap) {
        return Err(broken());
    }
    let mut reader = ParquetReader::new(Cursor::new(bytes));
    let schema = reader.schema().map_err(|_| broken())?;
    if schema.len() > csv::MAX_COLUMNS {
        return Err(Refusal::file(
            file,
            format!(
                "filen har {} kolumner, fler än gränsen {}. Exportera bara enkätens frågor.",
                schema.len(),
                csv::MAX_COLUMNS
            ),
        ));
    }
    // Only the plain types are read: the reader cannot take some others at
    // all, and the gate must be able to look inside every column.
    if let Some((i, field)) = schema
        .iter_values()
        .enumerate()
        .find(|(_, f)| !plain_type(f.dtype()))
    {
        return Err(Refusal::file(
            file,
            format!(
                "kolumn {} är {}, som enkätfiler inte får ha (bara text, heltal, decimaltal, sant/falskt och datum). Exportera kolumnen som text eller heltal.",
                i + 1,
                type_name(field.dtype())
            ),
        ));
    }
    reader.finish().map_err(|_| broken())
}

/// A Parquet column type that is not plain, in words.
fn type_name(t: &polars::prelude::ArrowDataType) -> &'static str {
    use polars::prelude::ArrowDataType as A;
    match t {
        A::Decimal(..) | A::Decimal32(..) | A::Decimal64(..) | A::Decimal256(..) => {
            "decimaltal med fast antal decimaler (decimal)"
        }
        A::List(_) | A::LargeList(_) | A::FixedSizeList(..) => "en lista av värden",
        A::Struct(_) | A::Map(..) | A::Union(..) => "en sammansatt struktur",
        A::Binary | A::LargeBinary | A::FixedSizeBinary(_) | A::BinaryView => "binärdata",
        A::Dictionary(..) => "en ordlista (dictionary)",
        _ => "en typ utan motsvarighet i text eller tal",
    }
}

fn plain_type(t: &polars::prelude::ArrowDataType) -> bool {
    use polars::prelude::ArrowDataType as A;
    matches!(
        t,
        A::Null
            | A::Boolean
            | A::Int8
            | A::Int16
            | A::Int32
            | A::Int64
            | A::UInt8
            | A::UInt16
            | A::UInt32
            | A::UInt64
            | A::Float32
            | A::Float64
            | A::Utf8
            | A::LargeUtf8
            | A::Utf8View
            | A::Date32
            | A::Timestamp(..)
    )
}

/// How far a survey workbook's first sheet may reach: Excel's rows, the CSV
/// column cap, and cells enough for a large survey but not for a bomb.
const SHEET_BOUNDS: Bounds = Bounds {
    rows: 1_048_576,
    columns: csv::MAX_COLUMNS as u32,
    cells: 8_000_000,
    text: 64_000_000,
};

/// What a survey workbook may unpack to, whatever the file cap: its shared
/// strings are held in memory whole. Larger exports go as CSV or Parquet.
const MAX_INFLATED: u64 = 128_000_000;

/// The first sheet of an `.xlsx`, streamed cell by cell into text columns.
fn read_workbook(bytes: Vec<u8>, cap: u64, file: &str) -> Result<DataFrame, Refusal> {
    let cap = cap.min(MAX_INFLATED);
    archive::check(&bytes, cap).map_err(|e| Refusal::file(file, match e {
        ZipProblem::Broken => "filen är ingen arbetsbok som går att läsa (.xlsx). Exportera enkätsvaren som CSV i stället.".to_string(),
        ZipProblem::Duplicate(_) => "arbetsboken innehåller samma del två gånger, så det går inte att veta vilken som gäller. Exportera enkätsvaren på nytt.".to_string(),
        ZipProblem::TooBig(_) => format!("arbetsboken packas upp till mer än {cap} byte, mer än en arbetsbok får vara. Exportera enkätsvaren som CSV eller Parquet i stället."),
    }))?;
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(|_| {
        Refusal::file(
            file,
            "arbetsboken går inte att läsa. Exportera enkätsvaren som CSV i stället.",
        )
    })?;
    let Some(sheet) = book.sheet_names().first().cloned() else {
        return Err(Refusal::file(
            file,
            "arbetsboken har inget blad som går att läsa.",
        ));
    };
    let mut grid = Grid::default();
    sheet::for_each_cell(&mut book, &sheet, SHEET_BOUNDS, |r, c, v| grid.put(r, c, v))
        .map_err(|e| Refusal::file(file, sheet_message(e)))?;
    grid.frame()
        .ok_or_else(|| Refusal::file(file, "arbetsbokens första blad är tomt."))?
        .map_err(|_| {
            Refusal::file(
                file,
                "arbetsbokens rubrikrad går inte att läsa (t.ex. två kolumner med samma rubrik).",
            )
        })
}

fn sheet_message(e: SheetProblem) -> String {
    match e {
        SheetProblem::Outside { cell, .. } => format!("det första bladet har innehåll i cell {cell}, utanför det en enkätexport kan ha ({} kolumner). Exportera bara enkätens frågor.", csv::MAX_COLUMNS),
        SheetProblem::TooManyCells(_) => format!("det första bladet har fler än {} celler. Exportera enkätsvaren som CSV i stället.", SHEET_BOUNDS.cells),
        SheetProblem::TooMuchText(_) => format!("det första bladets text är sammanlagt mer än {} byte. Exportera enkätsvaren som CSV i stället.", SHEET_BOUNDS.text),
        SheetProblem::Broken => "det första bladet går inte att läsa (innehållet är skadat). Exportera enkätsvaren på nytt.".to_string(),
    }
}

/// Cells as they stream past, gathered into columns of text; the first row
/// holds the headers.
#[derive(Default)]
struct Grid {
    headers: Vec<(u32, String)>,
    columns: std::collections::BTreeMap<u32, Vec<Option<String>>>,
    rows: u32,
}

impl Grid {
    /// Takes a cell; refuses a sheet whose columns, filled out to its
    /// last row, would hold more cells than the bounds allow.
    fn put(&mut self, row: u32, col: u32, value: Data) -> Result<(), SheetProblem> {
        let Some(text) = cell_text(&value) else {
            return Ok(());
        };
        if row == 0 {
            self.headers.push((col, text));
            return Ok(());
        }
        self.rows = self.rows.max(row);
        let filled = self.rows as u64 * (self.columns.len() as u64 + 1);
        if filled > SHEET_BOUNDS.cells {
            return Err(SheetProblem::TooManyCells(filled));
        }
        let column = self.columns.entry(col).or_default();
        let at = row as usize - 1;
        if column.len() <= at {
            column.resize(at, None);
            column.push(Some(text));
        } else {
            column[at] = Some(text);
        }
        Ok(())
    }

    /// The table, or `None` for a sheet without headers.
    fn frame(self) -> Option<PolarsResult<DataFrame>> {
        if self.headers.is_empty() {
            return None;
        }
        let height = self.rows as usize;
        let mut columns = self.columns;
        let frame = self
            .headers
            .into_iter()
            .map(|(col, name)| {
                let mut values = columns.remove(&col).unwrap_or_default();
                values.resize(height, None);
                Column::new(name.as_str().into(), values)
            })
            .collect::<Vec<_>>();
        Some(DataFrame::new(height, frame))
    }
}

fn cell_text(d: &Data) -> Option<String> {
    match d {
        Data::Empty => None,
        Data::String(s) => Some(s.clone()),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => Some(format!("{}", *f as i64)),
        Data::Float(f) => Some(f.to_string()),
        Data::Int(i) => Some(i.to_string()),
        other => Some(other.to_string()),
    }
}
