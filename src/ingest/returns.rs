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

enum Book {
    Xlsx(Xlsx<Cursor<archive::Shared>>),
    Xls(Xls<Cursor<Vec<u8>>>),
    Ods(Ods<Cursor<Vec<u8>>>),
}

impl Book {
    fn sheet_names(&self) -> Vec<String> {
        match self {
            Book::Xlsx(b) => b.sheet_names(),
            Book::Xls(b) => b.sheet_names(),
            Book::Ods(b) => b.sheet_names(),
        }
    }

    /// A sheet's values and formulas; `.xlsx` sheets are read within `bounds`.
    fn sheet(&mut self, name: &str, bounds: Bounds) -> Result<SheetData, SheetProblem> {
        match self {
            Book::Xlsx(b) => sheet::ranges(b, name, bounds).map(|(v, f)| (v, Some(f))),
            Book::Xls(b) => Ok((
                b.worksheet_range(name).map_err(|_| SheetProblem::Broken)?,
                b.worksheet_formula(name).ok(),
            )),
            Book::Ods(b) => Ok((
                b.worksheet_range(name).map_err(|_| SheetProblem::Broken)?,
                b.worksheet_formula(name).ok(),
            )),
        }
    }
}

/// A sheet's values, and its formulas where the format keeps them.
type SheetData = (Range<Data>, Option<Range<String>>);

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

/// Opens the bytes as the kind of workbook they are, whatever the file is
/// called. They are handed on, not copied: at region scale a copy of every
/// return is most of the memory the returns' stage touches.
fn open(bytes: Vec<u8>, p: &Pipeline, file: &str) -> Result<Book, Refusal> {
    let refuse = |m: String| Refusal::file(file, m);
    let use_template = use_template(p);
    let kind = kind::of(&bytes);
    match kind {
        Kind::Empty => return Err(refuse(format!("filen är tom (0 byte). {RESEND}"))),
        Kind::Pdf => return Err(refuse("filen är en PDF, inte en arbetsbok. Skicka den ifyllda Excel-filen (.xlsx), inte en utskrift av den.".into())),
        Kind::Zip => return open_zip(bytes, p, file),
        Kind::Ole(ole @ (OleKind::Xls | OleKind::Excel95)) => return open_xls(bytes, p, file, ole),
        _ => {}
    }
    if let Some(why) = kind::unreadable(&kind, None) {
        return Err(refuse(why.message(&use_template)));
    }
    Err(refuse(match kind {
        Kind::Text => format!(
            "filen är en textfil (t.ex. CSV), inte en arbetsbok; en återrapportering är årets Excel-mall, ifylld. {use_template}"
        ),
        Kind::Parquet => format!(
            "filen är en Parquet-fil (t.ex. en enkätexport), inte en arbetsbok; en återrapportering är årets Excel-mall, ifylld. {use_template}"
        ),
        _ => format!("filen är inte en arbetsbok som går att läsa (okänt format). {use_template}"),
    }))
}

/// A zip: an `.xlsx`/`.xlsm`, or an `.ods`, which calamine reads whole when
/// it opens it and so is measured first (after the zip itself is checked).
fn open_zip(bytes: Vec<u8>, p: &Pipeline, file: &str) -> Result<Book, Refusal> {
    let cap = p.returns.max_bytes;
    let refuse = |m: String| Refusal::file(file, m);
    let names = archive::check(&bytes, cap).map_err(|e| refuse(match e {
        ZipProblem::Broken => {
            format!("filen är skadad eller ofullständig (zip-arkivet går inte att läsa). {RESEND}")
        }
        ZipProblem::Duplicate(name) => format!(
            "arbetsboken innehåller delen {} två gånger, så det går inte att veta vilken som gäller. Filen har ändrats utanför Excel; {}",
            crate::text::excerpt(&name),
            use_template(p).to_lowercase()
        ),
        ZipProblem::TooBig(n) => format!(
            "arbetsboken packas upp till mer än {n} byte, över gränsen {cap} byte. En ifylld mall är mycket mindre; kontrollera att inga stora blad eller bilder har lagts till."
        ),
    }))?;
    let zip = kind::zip_kind(&bytes, &names);
    if zip == ZipKind::Ods {
        measured(super::ods::check(&bytes, bounds(p)), p, file)?;
    }
    match zip {
        ZipKind::Xlsx | ZipKind::WorkbookElsewhere(_) => {
            let Some(workbook) = super::package::openable(bytes, &zip, cap) else {
                return Err(refuse(unreadable_zip(&zip, p)));
            };
            let workbook = std::sync::Arc::new(workbook);
            Xlsx::new(Cursor::new(archive::Shared(workbook.clone())))
                .map(Book::Xlsx)
                .map_err(|_| {
                    refuse(match archive::damaged_entry(&workbook, cap) {
                        Some(part) => damaged_part(&part),
                        None => broken_book(),
                    })
                })
        }
        ZipKind::Ods => Ods::new(Cursor::new(bytes)).map(Book::Ods).map_err(|e| {
            refuse(match e {
                calamine::OdsError::Password => kind::password_message().into(),
                _ => broken_book(),
            })
        }),
        other => Err(refuse(unreadable_zip(&other, p))),
    }
}

/// Why a zip that is no workbook the reader takes is not read.
fn unreadable_zip(zip: &ZipKind, p: &Pipeline) -> String {
    kind::unreadable(&Kind::Zip, Some(zip))
        .map(|u| u.message(&use_template(p)))
        .unwrap_or_else(broken_book)
}

/// An old `.xls` (or Excel 5.0/95), which calamine reads whole when it opens
/// it and so is measured first.
fn open_xls(bytes: Vec<u8>, p: &Pipeline, file: &str, ole: OleKind) -> Result<Book, Refusal> {
    let refuse = |m: String| Refusal::file(file, m);
    measured(super::xls::check(&bytes, bounds(p)), p, file)?;
    Xls::new(Cursor::new(bytes))
        .map(Book::Xls)
        .map_err(|e| {
            refuse(match e {
                calamine::XlsError::Password => kind::password_message().into(),
                _ if ole == OleKind::Excel95 => "filen är sparad i Excel 5.0/95, ett format från före 1997 som inte kan läsas helt. Öppna den i Excel och spara som Excel-arbetsbok (.xlsx).".into(),
                _ => broken_book(),
            })
        })
}

/// A measure's finding as a refusal, by sheet and cell.
fn measured(
    result: Result<(), (String, SheetProblem)>,
    p: &Pipeline,
    file: &str,
) -> Result<(), Refusal> {
    result.map_err(|(sheet, problem)| sheet_refusal(p, file, &sheet, problem))
}

/// A part that does not unpack to what the archive says of it: damaged
/// after it was saved, so saving it again from the original is what helps.
fn damaged_part(part: &str) -> String {
    format!(
        "arbetsboken är skadad: delen {} packas inte upp till det som arkivet säger om den (storlek och kontrollsumma), så filen har ändrats eller förstörts efter att den sparades. Öppna originalet, spara det på nytt och skicka den nya filen.",
        crate::text::excerpt(part)
    )
}

fn broken_book() -> String {
    format!("arbetsboken går inte att läsa (innehållet är skadat). {RESEND}")
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

/// The hidden sheet: that it is there and unchanged, and made for this
/// pipeline and template version; the unit and year it names.
fn read_meta<'p>(
    p: &'p Pipeline,
    book: &mut Book,
    file: &str,
    use_template: &str,
) -> Result<(Range<Data>, &'p Unit, i32), Refusal> {
    let refuse_at = |sheet: Option<&str>, cell, message| Refusal::at(file, sheet, cell, message);
    let meta = open_meta(p, book, file, use_template)?;
    let meta_value = |row: u32| text_of(meta.get_value((row, 1)));
    let pipeline_id = meta_value(0);
    if pipeline_id != p.strategy.id {
        return Err(refuse_at(
            Some(layout::SHEET_META),
            Some("B1".into()),
            format!(
                "mallen hör till en annan uppföljning (\"{pipeline_id}\"), inte till {} (\"{}\"). {use_template}",
                p.strategy.title, p.strategy.id
            ),
        ));
    }
    let version = meta_value(1);
    if version != p.returns.template_version.to_string() {
        return Err(refuse_at(
            Some(layout::SHEET_META),
            Some("B2".into()),
            format!(
                "filen är gjord från mallversion {version}, men årets mall är version {}. Uppgifterna måste föras över till den nya mallen. {use_template}",
                p.returns.template_version
            ),
        ));
    }
    let unit_id = meta_value(2);
    let Some(unit) = p.unit(&unit_id) else {
        return Err(refuse_at(
            Some(layout::SHEET_META),
            Some("B3".into()),
            format!("mallen gäller en okänd enhet \"{unit_id}\". {use_template}"),
        ));
    };
    let year: i32 = match meta_value(3).parse() {
        Ok(y) => y,
        Err(_) => {
            return Err(refuse_at(
                Some(layout::SHEET_META),
                Some("B4".into()),
                format!(
                    "året på det dolda bladet går inte att läsa (\"{}\"). {use_template}",
                    meta_value(3)
                ),
            ));
        }
    };
    Ok((meta, unit, year))
}

/// The hidden sheet, there and with its keys unchanged.
fn open_meta(
    p: &Pipeline,
    book: &mut Book,
    file: &str,
    use_template: &str,
) -> Result<Range<Data>, Refusal> {
    let refuse_at = |sheet: Option<&str>, cell, message| Refusal::at(file, sheet, cell, message);
    let names = book.sheet_names();
    if let Some(twice) = names
        .iter()
        .enumerate()
        .find(|(i, n)| names[..*i].iter().any(|m| m.eq_ignore_ascii_case(n)))
    {
        return Err(refuse_at(
            None,
            None,
            format!(
                "arbetsboken har två blad som heter {}, så det går inte att veta vilket som gäller. Filen har ändrats utanför Excel. {use_template}",
                crate::text::excerpt(twice.1)
            ),
        ));
    }
    if !names.iter().any(|n| n == layout::SHEET_META) {
        return Err(refuse_at(
            None,
            None,
            format!(
                "filen saknar det dolda bladet {} som visar vilken nämnd, vilket år och vilken mall den gäller. Den verkar inte vara gjord från uppfoljs mall. {use_template}",
                layout::SHEET_META
            ),
        ));
    }
    let (meta, _) = read_sheet(book, layout::SHEET_META, p, file)?;
    for (i, key) in layout::META_KEYS.iter().enumerate() {
        let found = text_of(meta.get_value((i as u32, 0)));
        if found != *key {
            return Err(refuse_at(
                Some(layout::SHEET_META),
                Some(layout::a1(i as u32, 0)),
                format!(
                    "det dolda bladet är ändrat (väntade \"{key}\", fann \"{found}\"). {use_template}"
                ),
            ));
        }
    }
    Ok(meta)
}

/// The year a return says it is for: the one it was handed in for, in the
/// period, and one its unit reports.
fn check_year(p: &Pipeline, unit: &Unit, year: i32, expect: Expect) -> Result<(), String> {
    if let Some(expected) = expect.year
        && expected != year
    {
        return Err(format!(
            "filen är {}s mall för {year}, men den lämnades in för {expected}. Använd mallen för {expected} och fyll i årets uppgifter.",
            unit.name
        ));
    }
    if !p.strategy.period.contains(year) {
        return Err(format!(
            "mallen gäller {year}, utanför strategins period {}–{}. Hämta mallen för ett år i perioden och för över uppgifterna dit.",
            p.strategy.period.from, p.strategy.period.to
        ));
    }
    if !unit.reports_in(year) {
        return Err(not_reporting(p, unit, year));
    }
    Ok(())
}

/// Why a unit hands in nothing for a year, and who does instead: its
/// successors once it has ended, its predecessors before it began.
fn not_reporting(p: &Pipeline, unit: &Unit, year: i32) -> String {
    let names = |ids: Vec<&str>| {
        let names: Vec<String> = ids.iter().map(|id| p.unit_name(id)).collect();
        crate::text::list(&names.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let predecessors: Vec<&str> = p
        .units
        .iter()
        .filter(|u| u.successors.contains(&unit.id) && u.reports_in(year))
        .map(|u| u.id.as_str())
        .collect();
    let instead = if !unit.successors.is_empty() && predecessors.is_empty() {
        let ids = unit.successors.iter().map(String::as_str).collect();
        format!("återrapporteringen för {year} lämnas av {}", names(ids))
    } else if !predecessors.is_empty() {
        format!(
            "återrapporteringen för {year} lämnas av {}",
            names(predecessors)
        )
    } else {
        format!("ingen återrapportering ska lämnas för {year}")
    };
    format!(
        "{} fanns inte den 31 december {year}; {instead}. Kontrollera att rätt år är valt, eller kontakta {}.",
        unit.name,
        p.owner_name()
    )
}

/// A warning when the file's name suggests another unit than its template's.
fn name_warning(p: &Pipeline, path: &Path, unit: &Unit) -> Option<Warning> {
    let stem = path.file_stem().and_then(|s| s.to_str())?;
    // The longest unit id the name starts with, followed by '-' or nothing.
    let named = stem
        .char_indices()
        .filter(|(_, c)| *c == '-')
        .map(|(i, _)| &stem[..i])
        .chain(std::iter::once(stem))
        .filter_map(|prefix| p.unit(prefix))
        .max_by_key(|u| u.id.len())?;
    (named.id != unit.id).then(|| {
        (
            None,
            None,
            format!(
                "filnamnet tyder på {} men filen är {}s mall; uppgifterna räknas för {}. Kontrollera att rätt nämnd har fyllt i rätt mall.",
                named.name, unit.name, unit.name
            ),
        )
    })
}

/// The hidden sheet's row map must be the one this pipeline gives the unit
/// for the year; otherwise the template was made from another definition.
fn check_row_map(meta: &Range<Data>, l: &Layout<'_>, use_template: &str) -> Result<(), String> {
    let mut expected: Vec<[String; 5]> = l
        .indicators
        .iter()
        .enumerate()
        .map(|(i, r)| {
            [
                layout::SHEET_INDICATORS.to_string(),
                (layout::FIRST_ROW + i as u32 + 1).to_string(),
                r.indicator.id.clone(),
                r.key.breakdown.clone(),
                r.key.group.clone(),
            ]
        })
        .collect();
    expected.extend(l.measures.iter().enumerate().map(|(i, m)| {
        [
            layout::SHEET_ACTIVITIES.to_string(),
            (layout::FIRST_ROW + i as u32 + 1).to_string(),
            m.id.clone(),
            String::new(),
            String::new(),
        ]
    }));
    let mut row = layout::META_MAP_ROW;
    for exp in &expected {
        let found: Vec<String> = (0..5).map(|c| text_of(meta.get_value((row, c)))).collect();
        if found != exp.as_slice() {
            return Err(format!(
                "mallen stämmer inte med årets indikatorer och åtgärder för nämnden (rad {} på det dolda bladet: väntade {}, fann {}). Den gjordes troligen före en ändring av uppföljningen. {use_template}",
                row + 1,
                exp.join(" "),
                found.join(" ").trim()
            ));
        }
        row += 1;
    }
    let extra = text_of(meta.get_value((row, 2)));
    if !extra.is_empty() {
        return Err(format!(
            "mallen har fler rader än årets uppföljning ({extra} på rad {} på det dolda bladet). {use_template}",
            row + 1
        ));
    }
    Ok(())
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
            return Err(Refusal {
                file: file.to_string(),
                sheet: Some(SHEET_INDICATORS.into()),
                cell: Some(a1(row, COL_ID)),
                message: format!(
                    "rader har flyttats, lagts till eller tagits bort: på rad {} ska {} ({}) stå, men där står {}. Flytta tillbaka raderna eller för över uppgifterna till en ny mall.",
                    row + 1,
                    r.indicator.id,
                    r.label,
                    if id.is_empty() && label.is_empty() {
                        "ingenting".to_string()
                    } else {
                        format!("{id} ({label})")
                    }
                ),
            });
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
            return Err(Refusal {
                file: file.to_string(),
                sheet: Some(SHEET_ACTIVITIES.into()),
                cell: Some(a1(row, ACT_COL_ID)),
                message: format!(
                    "rader har flyttats, lagts till eller tagits bort: på rad {} ska åtgärden {} stå, men där står {}. Flytta tillbaka raderna eller för över uppgifterna till en ny mall.",
                    row + 1,
                    m.id,
                    if id.is_empty() {
                        "ingenting".to_string()
                    } else {
                        id
                    }
                ),
            });
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
