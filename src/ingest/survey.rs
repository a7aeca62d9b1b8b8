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
use super::kind::{self, Kind, ZipKind};
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
    /// The cells of a workbook's rows above its header row (a title): not
    /// data, but the gate looks at them too.
    pub above_header: Vec<String>,
}

/// Reads a survey file of at most `cap` bytes; in a workbook, the header row
/// is the first that holds the codebook's `columns`. No message says anything
/// from inside the file: places are told by line and column.
pub fn read(path: &Path, cap: u64, columns: &[&str]) -> Result<SurveyTable, Refusal> {
    let file = path.display().to_string();
    let bytes = super::file::read_capped(path, cap).map_err(|e| match e {
        FileError::TooBig(len) => Refusal::file(&file, format!(
            "filen är {len} byte, mer än gränsen {cap} byte för en enkätfil (max_bytes under [survey]). Kontrollera att det är rätt fil."
        )),
        FileError::Unreadable(m) => Refusal::file(&file, m),
    })?;
    if bytes.is_empty() {
        return Err(Refusal::file(
            &file,
            "filen är tom (0 byte). Exportera enkätsvaren på nytt.",
        ));
    }
    use crate::ledger::sha256_hex;
    let (sha256, read) = match kind::of(&bytes) {
        // A text export is the largest kind: it is hashed while it is read.
        Kind::Text => crate::pool::install(|| {
            rayon::join(
                || sha256_hex(&bytes),
                || read_csv(&bytes, &file).map(|(frame, format)| (frame, format, Vec::new())),
            )
        }),
        Kind::Parquet => (
            sha256_hex(&bytes),
            read_parquet(bytes, cap, &file, columns)
                .map(|(frame, skipped)| (frame, parquet_format(skipped), Vec::new())),
        ),
        Kind::Zip => (
            sha256_hex(&bytes),
            read_workbook(bytes, cap, &file, columns).map(|(frame, above)| {
                let format = workbook_format(above.len());
                (frame, format, above.into_iter().flatten().collect())
            }),
        ),
        other => return Err(Refusal::file(&file, not_read(&other))),
    };
    let (frame, format, above_header) = read?;
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
        above_header,
    })
}

/// What was read from a Parquet file, and what was left unread.
fn parquet_format(skipped: usize) -> String {
    match skipped {
        0 => "Parquet".into(),
        1 => "Parquet; 1 kolumn av en sammansatt typ som kodboken inte använder lästes inte".into(),
        n => format!(
            "Parquet; {n} kolumner av sammansatta typer som kodboken inte använder lästes inte"
        ),
    }
}

/// What was read from a workbook, and where its header row was.
fn workbook_format(header: usize) -> String {
    match header {
        0 => "arbetsbok".into(),
        h => format!(
            "arbetsbok, rubrikraden på rad {}; {h} {} ovanför den lästes inte",
            h + 1,
            if h == 1 { "rad" } else { "rader" }
        ),
    }
}

/// Advice for a survey file of a kind the survey reader does not take.
const EXPORT_AS: &str =
    "Exportera enkätsvaren som CSV UTF-8, Excel-arbetsbok (.xlsx) eller Parquet.";

/// Why a file that is neither text, a zip nor Parquet is not read.
fn not_read(kind: &Kind) -> String {
    if let Some(why) = kind::unreadable(kind, None) {
        return why.message(EXPORT_AS);
    }
    match kind {
        Kind::Ole(_) => format!(
            "filen är en äldre Excel-arbetsbok (.xls), som enkätfiler inte läses från. {EXPORT_AS}"
        ),
        _ => format!(
            "filen är varken text, en arbetsbok eller en Parquet-fil (okänt format). {EXPORT_AS}"
        ),
    }
}

fn read_csv(bytes: &[u8], file: &str) -> Result<(DataFrame, String), Refusal> {
    if let Some(problem) = csv::long_line(bytes) {
        return Err(Refusal::file(file, problem.message()));
    }
    let (text, encoding) = csv::decode(bytes).map_err(|e| Refusal::file(file, e.message()))?;
    let (text, cr) = csv::line_ends(text);
    let encoding = match cr {
        Some(cr) => format!("{encoding}, {cr}"),
        None => encoding.to_string(),
    };
    let sep = csv::detect_separator(&text);
    // The shape and the small-integer columns are two passes over the text,
    // made side by side; the second's answer is used only if the shape holds.
    let (shape, ints) = crate::pool::install(|| {
        rayon::join(
            || csv::check_shape(&text, sep),
            || super::small_ints::small_int_columns(&text, sep),
        )
    });
    shape.map_err(|e| Refusal::file(file, e.message()))?;
    let frame = parse_csv(&text, sep, &ints, file)?;
    let sep_name = match sep {
        b';' => "semikolon",
        b'\t' => "tabb",
        _ => "komma",
    };
    Ok((frame, format!("CSV, {encoding}, {sep_name}")))
}

/// The CSV text as a table: columns of small whole numbers as integers (see
/// [`super::small_ints`]), the rest as text, as written. Should polars read
/// the file otherwise than that pass did, it is read again all as text, as
/// before the pass existed: a file is never refused for the pass's sake.
fn parse_csv(text: &str, sep: u8, ints: &[bool], file: &str) -> Result<DataFrame, Refusal> {
    let read = |types: Vec<DataType>| {
        CsvReadOptions::default()
            .with_has_header(true)
            .with_infer_schema_length(Some(0))
            .with_dtype_overwrite(Some(Arc::new(types)))
            .map_parse_options(|o| o.with_separator(sep))
            .into_reader_with_file_handle(Cursor::new(text.as_bytes()))
            .finish()
    };
    let typed: Vec<DataType> = ints
        .iter()
        .map(|int| match int {
            true => DataType::Int64,
            false => DataType::String,
        })
        .collect();
    let frame = match ints.contains(&true) {
        true => read(typed).or_else(|_| read(Vec::new())),
        false => read(Vec::new()),
    };
    // polars' own errors quote the file's text, so none of it is passed on.
    frame.map_err(|_| Refusal::file(file, "CSV-filen går inte att läsa som en tabell (t.ex. två kolumner med samma rubrik eller en trasig rad). Kontrollera att den är en export av enkätsvaren."))
}

/// A Parquet file's plain columns, and how many of other types were left
/// unread.
fn read_parquet(
    bytes: Vec<u8>,
    cap: u64,
    file: &str,
    columns: &[&str],
) -> Result<(DataFrame, usize), Refusal> {
    use super::parquet::{Unfit, pages_fit, why_undecodable};
    let unfit = |why: Unfit| Refusal::file(file, parquet_message(why, cap));
    pages_fit(&bytes, cap).map_err(unfit)?;
    let copy = bytes.clone();
    let undecodable = move |_| unfit(why_undecodable(&copy, cap));
    let mut reader = ParquetReader::new(Cursor::new(bytes));
    let schema = reader.schema().map_err(|_| unfit(Unfit::Broken))?;
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
    // all, and the gate must be able to look inside every column it reads.
    // A nested column the codebook does not use is left unread (and said);
    // any other is refused, named by its header where the codebook has it.
    let mut read = Vec::new();
    for (i, field) in schema.iter_values().enumerate() {
        if plain_type(field.dtype()) {
            read.push(i);
            continue;
        }
        let used = columns.iter().find(|c| same_header(c, field.name()));
        if used.is_none() && nested_type(field.dtype()) {
            continue;
        }
        if let Some(column) = used {
            return Err(Refusal::file(
                file,
                format!(
                    "kolumnen \"{column}\" (kolumn {}) är {}, som enkätfiler inte får ha (bara text, heltal, decimaltal, sant/falskt och datum). Exportera kolumnen som text eller heltal.",
                    i + 1,
                    type_name(field.dtype())
                ),
            ));
        }
        return Err(Refusal::file(
            file,
            format!(
                "kolumn {} är {}, som enkätfiler inte får ha (bara text, heltal, decimaltal, sant/falskt och datum). Exportera kolumnen som text eller heltal.",
                i + 1,
                type_name(field.dtype())
            ),
        ));
    }
    let skipped = schema.len() - read.len();
    let frame = reader
        .with_projection(Some(read))
        .finish()
        .map_err(undecodable)?;
    Ok((frame, skipped))
}

/// Why a Parquet file cannot be read, and what to do, in Swedish.
fn parquet_message(why: super::parquet::Unfit, cap: u64) -> String {
    use super::parquet::Unfit;
    let again = "Exportera enkätsvaren på nytt";
    match why {
        Unfit::Broken => format!(
            "Parquet-filen går inte att läsa: den är avkortad eller skadad, eller ingen Parquet-fil. {again}."
        ),
        Unfit::Encrypted => format!(
            "Parquet-filens kolumner är krypterade, så den kan inte läsas. {again} utan kryptering."
        ),
        Unfit::OutOfSpec => format!(
            "Parquet-filens beskrivning av sig själv (metadata) följer inte formatet: ett fält som formatet kräver saknas eller har fel typ, så programmet som skrev filen följer inte Parquet-standarden helt. {again} från ett annat program, eller som CSV UTF-8."
        ),
        Unfit::NewerType => format!(
            "en kolumn i Parquet-filen har en typ som är nyare än den här läsaren (en okänd logisk typ, t.ex. geometri). {again} med bara enkätens frågor, som text och tal, eller som CSV UTF-8."
        ),
        Unfit::TooLarge => format!(
            "Parquet-filen blir större än gränsen när den packas upp ({cap} byte, max_bytes under [survey]) eller har fler rader än en enkät kan ha. Kontrollera att det är rätt fil och exportera bara enkätens frågor."
        ),
        Unfit::ValuesUndecodable => format!(
            "Parquet-filens beskrivning går att läsa, men värdena i en kolumn går inte att avkoda: de är kodade på ett sätt som inte följer formatet (en del program läser förbi det). {again} från ett annat program, eller som CSV UTF-8."
        ),
        Unfit::GzipMembers => format!(
            "Parquet-filen är packad med gzip i flera delar efter varandra, vilket den här läsaren inte kan packa upp. {again} med komprimeringen snappy eller zstd, eller som CSV UTF-8."
        ),
    }
}

/// Whether a file's header is the codebook's column: trimmed, in any case.
fn same_header(column: &str, header: &str) -> bool {
    column.trim().to_lowercase() == header.trim().to_lowercase()
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

/// A list, a record or a map: a column a survey's codebook never names.
fn nested_type(t: &polars::prelude::ArrowDataType) -> bool {
    use polars::prelude::ArrowDataType as A;
    matches!(
        t,
        A::List(_)
            | A::LargeList(_)
            | A::FixedSizeList(..)
            | A::Struct(_)
            | A::Map(..)
            | A::Union(..)
    )
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

/// The first sheet of an `.xlsx`, streamed cell by cell into text columns,
/// with the rows above its header row (each row's cells).
fn read_workbook(
    bytes: Vec<u8>,
    cap: u64,
    file: &str,
    columns: &[&str],
) -> Result<(DataFrame, Vec<Vec<String>>), Refusal> {
    let cap = cap.min(MAX_INFLATED);
    let names = archive::check(&bytes, cap).map_err(|e| Refusal::file(file, match e {
        ZipProblem::Broken => "filen är ett zip-arkiv (som en arbetsbok) som inte går att packa upp: det är skadat eller ofullständigt. Exportera enkätsvaren på nytt.".to_string(),
        ZipProblem::Duplicate(_) => "arbetsboken innehåller samma del två gånger, så det går inte att veta vilken som gäller. Exportera enkätsvaren på nytt.".to_string(),
        ZipProblem::TooBig(_) => format!("arbetsboken packas upp till mer än {cap} byte, mer än en arbetsbok får vara. Exportera enkätsvaren som CSV eller Parquet i stället."),
    }))?;
    let zip = kind::zip_kind(&bytes, &names);
    match zip {
        ZipKind::Xlsx | ZipKind::WorkbookElsewhere(_) => {}
        ZipKind::Ods => {
            return Err(Refusal::file(
                file,
                format!(
                    "filen är ett OpenDocument-kalkylblad (.ods), som enkätfiler inte läses från. {EXPORT_AS}"
                ),
            ));
        }
        other => {
            let why = kind::unreadable(&Kind::Zip, Some(&other)).map(|u| u.message(EXPORT_AS));
            return Err(Refusal::file(file, why.unwrap_or_default()));
        }
    }
    let Some(bytes) = super::package::openable(bytes, &zip, cap) else {
        let why = kind::unreadable(&Kind::Zip, Some(&zip)).map(|u| u.message(EXPORT_AS));
        return Err(Refusal::file(file, why.unwrap_or_default()));
    };
    let bytes = std::sync::Arc::new(bytes);
    let mut book = Xlsx::new(Cursor::new(archive::Shared(bytes.clone()))).map_err(|_| {
        Refusal::file(
            file,
            match archive::damaged_entry(&bytes, cap) {
                Some(_) => "arbetsboken är skadad: en del av den packas inte upp till det som arkivet säger om den (storlek och kontrollsumma), så filen har ändrats eller förstörts efter att den sparades. Exportera enkätsvaren på nytt.",
                None => "arbetsboken går inte att läsa (Excel-delarna i den är skadade). Exportera enkätsvaren som CSV i stället.",
            },
        )
    })?;
    let Some(sheet) = book.sheet_names().first().cloned() else {
        return Err(Refusal::file(
            file,
            format!("arbetsboken har inget blad som går att läsa. {EXPORT_AS}"),
        ));
    };
    let mut grid = Grid::default();
    sheet::for_each_cell(&mut book, &sheet, SHEET_BOUNDS, |r, c, v| grid.put(r, c, v))
        .map_err(|e| Refusal::file(file, sheet_message(e)))?;
    let Some((frame, above)) = grid.frame(columns) else {
        return Err(Refusal::file(
            file,
            format!("arbetsbokens första blad är tomt. {EXPORT_AS}"),
        ));
    };
    let frame = frame.map_err(|_| {
        Refusal::file(
            file,
            "arbetsbokens rubrikrad går inte att läsa (t.ex. två kolumner med samma rubrik). Ge varje kolumn en egen rubrik och exportera enkätsvaren på nytt.",
        )
    })?;
    Ok((frame, above))
}

fn sheet_message(e: SheetProblem) -> String {
    match e {
        SheetProblem::Outside { cell, .. } => format!("det första bladet har innehåll i cell {cell}, utanför det en enkätexport kan ha ({} kolumner). Exportera bara enkätens frågor.", csv::MAX_COLUMNS),
        SheetProblem::TooManyCells(_) => format!("det första bladet har fler än {} celler. Exportera enkätsvaren som CSV i stället.", SHEET_BOUNDS.cells),
        SheetProblem::TooMuchText(_) => format!("det första bladets text är sammanlagt mer än {} byte. Exportera enkätsvaren som CSV i stället.", SHEET_BOUNDS.text),
        SheetProblem::Broken => "det första bladet går inte att läsa (innehållet är skadat). Exportera enkätsvaren på nytt.".to_string(),
    }
}

/// How many rows a title may take above a workbook's header row.
const TITLE_ROWS: u32 = 20;

/// Cells as they stream past, gathered into columns of text by their row in
/// the sheet; the header row is chosen once the sheet is read.
#[derive(Default)]
struct Grid {
    /// The first rows' cells, where the header row is looked for.
    top: std::collections::BTreeMap<u32, Vec<(u32, String)>>,
    columns: std::collections::BTreeMap<u32, Vec<Option<String>>>,
    last_row: u32,
}

impl Grid {
    /// Takes a cell; refuses a sheet whose columns, filled out to its
    /// last row, would hold more cells than the bounds allow.
    fn put(&mut self, row: u32, col: u32, value: Data) -> Result<(), SheetProblem> {
        let Some(text) = cell_text(&value) else {
            return Ok(());
        };
        if row < TITLE_ROWS {
            self.top.entry(row).or_default().push((col, text.clone()));
        }
        self.last_row = self.last_row.max(row);
        let filled = self.last_row as u64 * (self.columns.len() as u64 + 1);
        if filled > SHEET_BOUNDS.cells {
            return Err(SheetProblem::TooManyCells(filled));
        }
        let column = self.columns.entry(col).or_default();
        let at = row as usize;
        if column.len() <= at {
            column.resize(at, None);
            column.push(Some(text));
        } else {
            column[at] = Some(text);
        }
        Ok(())
    }

    /// The header row: the first that holds the codebook's `columns` (two of
    /// them, or the one), else the first with anything in it.
    fn header_row(&self, columns: &[&str]) -> Option<u32> {
        let wanted = columns.len().min(2);
        let known = |t: &str| columns.iter().any(|c| same_header(c, t));
        let holds = |cells: &Vec<(u32, String)>| cells.iter().filter(|(_, t)| known(t)).count();
        self.top
            .iter()
            .find(|(_, cells)| wanted > 0 && holds(cells) >= wanted)
            .or_else(|| self.top.iter().next())
            .map(|(row, _)| *row)
    }

    /// The table below the header row, and the cells of each row above it
    /// (empty rows too); `None` for a sheet without anything in its first rows.
    #[allow(clippy::type_complexity)]
    fn frame(mut self, columns: &[&str]) -> Option<(PolarsResult<DataFrame>, Vec<Vec<String>>)> {
        let header = self.header_row(columns)?;
        let above = (0..header)
            .map(|r| {
                self.top
                    .remove(&r)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(_, t)| t)
                    .collect()
            })
            .collect();
        let height = (self.last_row - header) as usize;
        let heads = self.top.remove(&header).unwrap_or_default();
        let frame = heads
            .into_iter()
            .map(|(col, name)| {
                let mut values = self.columns.remove(&col).unwrap_or_default();
                values.resize(self.last_row as usize + 1, None);
                Column::new(name.as_str().into(), values.split_off(header as usize + 1))
            })
            .collect::<Vec<_>>();
        Some((DataFrame::new(height, frame), above))
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
