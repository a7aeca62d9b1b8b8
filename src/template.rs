//! `uppfolj template`: the Excel return templates the committees fill in.
//!
//! The template is built to make mistakes hard: only the yellow cells are
//! open, numbers are checked as they are typed, status and assessment are
//! dropdowns, and a hidden sheet says what the file is, so that a renamed
//! file is still read correctly.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rust_xlsxwriter::{
    Color, DataValidation, DataValidationRule, DocProperties, ExcelDateTime, Format, FormatAlign,
    FormatBorder, Formula, Workbook, Worksheet, XlsxError,
};

use crate::layout::{self, Layout};
use crate::ledger::Ledger;
use crate::pipeline::{Indicator, MeasureUnit, Pipeline};

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("året {year} ligger utanför strategins period {from}–{to}")]
    YearOutsidePeriod { year: i32, from: i32, to: i32 },
    #[error("okänd enhet \"{0}\"; se `uppfolj show` för enheternas id")]
    UnknownUnit(String),
    #[error("{unit} rapporterar inte {year} (enheten fanns inte den 31 december det året)")]
    UnitNotReporting { unit: String, year: i32 },
    #[error("{unit} har inga indikatorer eller åtgärder att återrapportera {year}")]
    NothingToReport { unit: String, year: i32 },
    #[error("kan inte skapa arbetsboken {path}: {message}")]
    Write { path: PathBuf, message: String },
    #[error("{} finns redan och är inte en mall som uppfolj har skrivit (den kan vara ifylld), så den skrivs inte över. Skriv mallarna till en annan mapp, eller flytta filen", path.display())]
    Exists { path: PathBuf },
}

/// In a template folder: each template uppfolj wrote there, with its SHA-256,
/// so that a later run replaces it only while it is unchanged.
const WRITTEN: &str = ".uppfolj-mallar";

/// What a filled-in return holds, for writing sample and test returns with
/// the same code that writes the empty template.
#[derive(Clone, Debug, Default)]
pub struct Fill {
    /// By indicator row index: the value (or täljare) cell.
    pub values: HashMap<usize, Entry>,
    /// By indicator row index: the nämnare cell (shares only).
    pub denominators: HashMap<usize, Entry>,
    pub comments: HashMap<usize, String>,
    /// By measure index: status, assessment, description.
    pub activities: HashMap<usize, (String, String, String)>,
}

/// Last year's accepted values, by indicator row, as the committee wrote
/// them ("12" or "12 av 40").
pub type Previous = HashMap<usize, String>;

/// A cell as a person may leave it.
#[derive(Clone, Debug)]
pub enum Entry {
    Number(f64),
    Text(String),
    /// A formula with the value Excel saved for it.
    Formula {
        formula: String,
        result: f64,
    },
    /// A formula with no saved value, as programs that do not calculate write it.
    FormulaWithoutResult(String),
}

/// Writes one template per unit that reports in `year` (or just `only`),
/// named `<unit-id>-<year>.xlsx`. Returns the files written.
pub fn write_templates(
    p: &Pipeline,
    year: i32,
    out: &Path,
    only: Option<&str>,
) -> Result<Vec<PathBuf>, TemplateError> {
    let period = p.strategy.period;
    if !period.contains(year) {
        return Err(TemplateError::YearOutsidePeriod {
            year,
            from: period.from,
            to: period.to,
        });
    }
    let units: Vec<_> = match only {
        Some(id) => {
            let unit = p
                .unit(id)
                .ok_or_else(|| TemplateError::UnknownUnit(id.to_string()))?;
            if !unit.reports_in(year) {
                return Err(TemplateError::UnitNotReporting {
                    unit: unit.name.clone(),
                    year,
                });
            }
            vec![unit]
        }
        None => p.units_reporting(year).collect(),
    };
    std::fs::create_dir_all(out).map_err(|e| TemplateError::Write {
        path: out.to_path_buf(),
        message: crate::text::io_error(&e),
    })?;
    // Last year's returns are read once for all the templates.
    let accepted = accepted_in(p, year - 1);
    let mut written = Vec::new();
    for unit in units {
        let l = layout::layout(p, unit, year);
        if l.is_empty() {
            if only.is_some() {
                return Err(TemplateError::NothingToReport {
                    unit: unit.name.clone(),
                    year,
                });
            }
            continue;
        }
        let name = format!("{}-{}.xlsx", unit.id, year);
        if !crate::pipeline::plain_file_name(&name) {
            return Err(TemplateError::Write {
                path: out.join(name.escape_debug().to_string()),
                message: "namnet skulle hamna utanför mappen".into(),
            });
        }
        let path = out.join(&name);
        let previous = previous_values(&accepted, &l);
        let bytes = workbook_with(p, &l, None, &previous).map_err(|e| TemplateError::Write {
            path: path.clone(),
            message: crate::text::foreign(&e),
        })?;
        written.push((name, path, bytes));
    }
    save_all(out, written)
}

/// Writes the templates, none of them over a file uppfolj did not write or
/// that was changed since (a filled-in return must never be lost).
fn save_all(
    out: &Path,
    templates: Vec<(String, PathBuf, Vec<u8>)>,
) -> Result<Vec<PathBuf>, TemplateError> {
    let mut ledger = Ledger::open(out, WRITTEN);
    if let Some((_, path, _)) = templates
        .iter()
        .find(|(name, _, bytes)| !ledger.may_write(name, bytes))
    {
        return Err(TemplateError::Exists { path: path.clone() });
    }
    let write_error = |path: &Path, e: std::io::Error| TemplateError::Write {
        path: path.to_path_buf(),
        message: crate::text::io_error(&e),
    };
    let mut written = Vec::new();
    for (name, path, bytes) in templates {
        ledger
            .write(&name, &bytes)
            .map_err(|e| write_error(&path, e))?;
        written.push(path);
    }
    let list = ledger.list().to_path_buf();
    ledger.save().map_err(|e| write_error(&list, e))?;
    Ok(written)
}

struct Formats {
    title: Format,
    header: Format,
    locked: Format,
    locked_center: Format,
    input: Format,
    /// For indicators that allow a decimal (årsarbetare).
    input_decimal: Format,
    input_text: Format,
    unused: Format,
    text: Format,
}

fn formats() -> Formats {
    let border = |f: Format| {
        f.set_border(FormatBorder::Thin)
            .set_border_color(Color::RGB(0xA6A6A6))
    };
    Formats {
        title: Format::new().set_bold().set_font_size(14),
        header: border(
            Format::new()
                .set_bold()
                .set_text_wrap()
                .set_background_color(Color::RGB(0xD9E1F2))
                .set_align(FormatAlign::Top),
        ),
        locked: border(Format::new().set_text_wrap().set_align(FormatAlign::Top)),
        locked_center: border(Format::new().set_align(FormatAlign::Top)),
        input: border(
            Format::new()
                .set_unlocked()
                .set_background_color(Color::RGB(0xFFF2CC))
                .set_num_format("# ##0")
                .set_align(FormatAlign::Top),
        ),
        input_decimal: border(
            Format::new()
                .set_unlocked()
                .set_background_color(Color::RGB(0xFFF2CC))
                .set_num_format("# ##0.0")
                .set_align(FormatAlign::Top),
        ),
        input_text: border(
            Format::new()
                .set_unlocked()
                .set_text_wrap()
                .set_background_color(Color::RGB(0xFFF2CC))
                .set_align(FormatAlign::Top),
        ),
        unused: border(Format::new().set_background_color(Color::RGB(0xEDEDED))),
        text: Format::new().set_text_wrap().set_align(FormatAlign::Top),
    }
}

/// Builds one unit's workbook for a year, optionally filled in.
pub fn workbook_bytes(
    p: &Pipeline,
    l: &Layout<'_>,
    fill: Option<&Fill>,
) -> Result<Vec<u8>, XlsxError> {
    workbook_with(p, l, fill, &Previous::new())
}

/// The template a committee fills in: with last year's accepted values
/// from the returns inbox beside each row.
pub fn template_bytes(p: &Pipeline, l: &Layout<'_>) -> Result<Vec<u8>, XlsxError> {
    let accepted = accepted_in(p, l.year - 1);
    workbook_with(p, l, None, &previous_values(&accepted, l))
}

fn workbook_with(
    p: &Pipeline,
    l: &Layout<'_>,
    fill: Option<&Fill>,
    previous: &Previous,
) -> Result<Vec<u8>, XlsxError> {
    let mut wb = new_workbook(p, l)?;
    write_instructions(wb.add_worksheet(), p, l)?;
    write_indicators(wb.add_worksheet(), l, fill, previous)?;
    write_activities(wb.add_worksheet(), l, fill)?;
    write_meta(wb.add_worksheet(), p, l)?;
    wb.save_to_buffer()
}

/// An empty workbook with fixed properties, so that the same template is
/// byte-identical between runs.
pub fn new_workbook(p: &Pipeline, l: &Layout<'_>) -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_ymd(l.year.clamp(1900, 9999) as u16, 12, 1)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!("Återrapportering {} – {}", l.year, l.unit.name))
            .set_subject(p.strategy.title.clone())
            .set_author("uppfolj")
            .set_creation_datetime(&created),
    );
    Ok(wb)
}

/// The instructions' one column, in characters: narrow enough for A4
/// portrait in Excel and in LibreOffice, which does not scale a sheet to
/// the page width.
const INSTRUCTIONS_WIDTH: f64 = 72.0;

/// The sheet that tells the committee what to do, by when and whom to ask.
pub fn write_instructions(
    ws: &mut Worksheet,
    p: &Pipeline,
    l: &Layout<'_>,
) -> Result<(), XlsxError> {
    let f = &formats();
    ws.set_name(layout::SHEET_INSTRUCTIONS)?;
    // One wrapped column that fits A4 portrait; every line wraps in it, so
    // nothing runs past the right edge on paper.
    ws.set_column_width(0, INSTRUCTIONS_WIDTH)?;
    ws.set_portrait();
    ws.set_paper_size(9);
    ws.set_margins(0.6, 0.6, 0.7, 0.7, 0.3, 0.3);
    ws.set_print_fit_to_pages(1, 0);
    let lines = instruction_lines(p, l);
    write_lines(ws, f, &lines)?;
    ws.set_print_area(0, 0, lines.len().saturating_sub(1) as u32, 0)?;
    ws.protect();
    ws.set_active(true);
    Ok(())
}

/// When, where and how to hand in, and whom to ask.
fn hand_in_lines(p: &Pipeline, l: &Layout<'_>) -> [String; 3] {
    let deadline = match p.returns.deadline {
        Some(d) => format!(
            "Skicka in den ifyllda filen senast den {}.",
            crate::text::date(d, l.year + 1)
        ),
        None => format!(
            "Skicka in den ifyllda filen senast det datum {} har angett.",
            p.owner_name()
        ),
    };
    let contact = match &p.returns.contact {
        Some(c) => format!("Frågor om återrapporteringen besvaras av {c}."),
        None => format!(
            "Frågor om återrapporteringen besvaras av {}.",
            p.owner_name()
        ),
    };
    let hand_in = match (&p.portal, &p.returns.contact) {
        (Some(portal), _) => format!(
            "Lämna in filen i uppföljningsportalen, {}: logga in med länken ni har fått och ladda upp filen under år {}. Portalen säger direkt om något behöver rättas.",
            portal.base_url, l.year
        ),
        (None, Some(c)) => format!("Skicka filen till {c}."),
        (None, None) => format!("Skicka filen till {}.", p.owner_name()),
    };
    [deadline, hand_in, contact]
}

/// The instructions, line by line; `true` marks a heading.
fn instruction_lines(p: &Pipeline, l: &Layout<'_>) -> Vec<(String, bool)> {
    let [deadline, hand_in, contact] = hand_in_lines(p, l);
    let decimals = if l.indicators.iter().any(|r| r.indicator.decimals > 0) {
        " Där kolumnen Enhet säger \"med en decimal\" (till exempel årsarbetare) skriver ni talet med högst en decimal, till exempel 2,5."
    } else {
        ""
    };
    vec![
        (format!("Återrapportering {} – {}", l.year, l.unit.name), true),
        (p.strategy.title.clone(), false),
        (String::new(), false),
        ("Vem fyller i vad".into(), true),
        (format!(
            "{} fyller i den här filen för hela år {} (1 januari–31 december). Bladet Indikatorer har en rad för varje indikator och grupp som nämnden ansvarar för; bladet Aktiviteter har en rad för varje åtgärd i strategin som nämnden ansvarar för.",
            l.unit.name, l.year
        ), false),
        ("Fyll bara i de gula cellerna. Övriga celler är låsta så att filen kan läsas in automatiskt. Byt inte namn på bladen, och flytta, lägg till eller ta inte bort rader.".into(), false),
        (String::new(), false),
        ("Siffror".into(), true),
        (format!("Skriv hela tal utan enhet eller text, till exempel 20 eller 1 234. Skriv inte \"ca 20\" eller \"20 st\"; har ni bara en uppskattning, skriv talet och förklara i kommentarskolumnen.{decimals}"), false),
        ("Till höger om varje rad står indikatorns enhet, det värde som godkändes för nämnden förra året och hur indikatorn ska räknas. Räkna som det står där, så blir åren jämförbara.".into(), false),
        ("För andelar fyller ni i täljare och nämnare, till exempel 12 av 40, inte procent. Täljaren kan inte vara större än nämnaren.".into(), false),
        (String::new(), false),
        ("Tom cell och noll betyder olika saker".into(), true),
        ("Skriv 0 om det verkligen var noll under året. Lämna cellen tom bara om uppgiften saknas; den redovisas då som saknad i uppföljningen. Förklara gärna i kommentarskolumnen varför uppgiften saknas.".into(), false),
        (String::new(), false),
        ("Aktiviteter".into(), true),
        ("Välj status (Ej påbörjad, Påbörjad, Genomförd) och nämndens egen bedömning (Uppfyllt, Delvis uppfyllt, Ej uppfyllt) i listorna, och beskriv kort årets aktiviteter.".into(), false),
        (String::new(), false),
        ("När och till vem".into(), true),
        (deadline, false),
        (hand_in, false),
        (contact, false),
        ("Filen kan ha vilket namn som helst; den läses in utifrån sitt innehåll. Använd årets mall: en mall från ett annat år eller för en annan nämnd kan inte läsas in.".into(), false),
    ]
}

/// The instruction lines in one wrapped column, each row tall enough.
fn write_lines(ws: &mut Worksheet, f: &Formats, lines: &[(String, bool)]) -> Result<(), XlsxError> {
    let title = Format::new().set_bold().set_font_size(14).set_text_wrap();
    let heading_format = Format::new().set_bold().set_text_wrap();
    for (i, (text, heading)) in lines.iter().enumerate() {
        let row = i as u32;
        if row == 0 {
            ws.write_string_with_format(row, 0, text, &title)?;
            let lines = (text.chars().count() as f64 / 65.0).ceil().max(1.0);
            ws.set_row_height(row, 19.0 * lines)?;
        } else if *heading {
            ws.write_string_with_format(row, 0, text, &heading_format)?;
        } else {
            ws.write_string_with_format(row, 0, text, &f.text)?;
            let lines = (text.chars().count() as f64 / (INSTRUCTIONS_WIDTH - 5.0))
                .ceil()
                .max(1.0);
            ws.set_row_height(row, 15.0 * lines)?;
        }
    }
    Ok(())
}

fn write_entry(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    e: &Entry,
    fmt: &Format,
) -> Result<(), XlsxError> {
    match e {
        Entry::Number(n) => ws.write_number_with_format(row, col, *n, fmt)?,
        Entry::Text(t) => ws.write_string_with_format(row, col, t, fmt)?,
        Entry::Formula { formula, result } => ws.write_formula_with_format(
            row,
            col,
            Formula::new(formula).set_result(result.to_string()),
            fmt,
        )?,
        Entry::FormulaWithoutResult(formula) => {
            ws.write_formula_with_format(row, col, Formula::new(formula).set_result(""), fmt)?
        }
    };
    Ok(())
}

/// A data sheet's name, title, hint, and header row with column widths.
fn sheet_head(
    ws: &mut Worksheet,
    f: &Formats,
    name: &str,
    title: &str,
    hint: &str,
    columns: &[(u16, &str, f64)],
) -> Result<(), XlsxError> {
    ws.set_name(name)?;
    ws.write_string_with_format(0, 0, title, &f.title)?;
    ws.write_string(1, 0, hint)?;
    for (col, header, width) in columns {
        ws.set_column_width(*col, *width)?;
        ws.write_string_with_format(layout::HEADER_ROW, *col, *header, &f.header)?;
    }
    ws.set_row_height(layout::HEADER_ROW, 30)?;
    Ok(())
}

/// The indicator rows, one per indicator and group, value cells open.
/// What a count or täljare/nämnare cell accepts: a whole number within the
/// indicator's bounds (never negative), with a message that says so.
fn whole_number(ind: &Indicator, title: &str) -> Result<DataValidation, XlsxError> {
    let (min, max) = ind
        .bounds
        .map(|b| (b.min.unwrap_or(0.0).max(0.0), b.max))
        .unwrap_or((0.0, None));
    let kind = if ind.decimals > 0 {
        "ett tal med högst en decimal"
    } else {
        "ett heltal"
    };
    let limit = match max {
        Some(max) => format!("{kind} från {} till {}", min as i64, max as i64),
        None => format!("{kind}, {} eller större", min as i64),
    };
    let validation = if ind.decimals > 0 {
        DataValidation::new().allow_decimal_number(match max {
            Some(max) => DataValidationRule::Between(min, max),
            None => DataValidationRule::GreaterThanOrEqualTo(min),
        })
    } else {
        DataValidation::new().allow_whole_number(match max {
            Some(max) => DataValidationRule::Between(min as i32, max.min(i32::MAX as f64) as i32),
            None => DataValidationRule::GreaterThanOrEqualTo(min as i32),
        })
    };
    validation
        .set_input_title(title)?
        .set_input_message(format!(
            "Skriv {limit}. Lämna tomt bara om uppgiften saknas."
        ))?
        .set_error_title("Inte ett giltigt tal")?
        .set_error_message(format!(
            "Här ska stå {limit}, utan text. Förklara gärna i kommentarskolumnen."
        ))
}

/// The unit of measure, as the template's help column says it.
fn measure_unit_words(ind: &Indicator) -> &'static str {
    match (ind.unit, ind.counts_persons, ind.decimals) {
        (MeasureUnit::Andel, true, _) => "personer: täljare av nämnare",
        (MeasureUnit::Andel, false, _) => "täljare av nämnare",
        (_, _, d) if d > 0 => "antal, med en decimal",
        (_, true, _) => "antal personer (var och en en gång)",
        _ => "antal",
    }
}

/// The values accepted for `year`: the returns in the inbox's folder for
/// that year, validated as a run would.
fn accepted_in(p: &Pipeline, year: i32) -> Vec<crate::validate::returns::Value> {
    let Some(inbox) = &p.returns.inbox else {
        return Vec::new();
    };
    let dir = p.resolve(inbox).join(year.to_string());
    if !dir.is_dir() {
        return Vec::new();
    }
    let (files, _) = crate::inputs::collect_files(std::slice::from_ref(&dir));
    crate::validate::returns::validate_files(p, &files, Some(year)).values
}

/// Last year's accepted values of the unit's rows, as the committee wrote them.
fn previous_values(accepted: &[crate::validate::returns::Value], l: &Layout<'_>) -> Previous {
    let mut out = Previous::new();
    for (i, r) in l.indicators.iter().enumerate() {
        let found = accepted
            .iter()
            .find(|v| v.unit_id == l.unit.id && v.indicator_id == r.indicator.id && v.key == r.key);
        let text = found.and_then(|v| match (v.numerator, v.denominator) {
            (Some(n), Some(d)) if r.is_share() => Some(format!(
                "{} av {}",
                crate::text::number(n),
                crate::text::number(d)
            )),
            _ if r.is_share() => None,
            _ => v.value.map(crate::text::number),
        });
        if let Some(text) = text {
            out.insert(i, text);
        }
    }
    out
}

pub fn write_indicators(
    ws: &mut Worksheet,
    l: &Layout<'_>,
    fill: Option<&Fill>,
    previous: &Previous,
) -> Result<(), XlsxError> {
    use layout::*;
    let f = &formats();
    sheet_head(
        ws,
        f,
        SHEET_INDICATORS,
        &format!("Indikatorer {} – {}", l.year, l.unit.name),
        "Fyll i de gula cellerna. Skriv 0 om det var noll; lämna tomt bara om uppgiften saknas.",
        &[
            (COL_ID, "Id", 8.0),
            (COL_TITLE, "Indikator", 55.0),
            (COL_GROUP, "Grupp", 18.0),
            (COL_VALUE, "Antal, eller täljare för andelar", 16.0),
            (COL_DENOMINATOR, "Nämnare (bara för andelar)", 16.0),
            (COL_COMMENT, "Kommentar", 45.0),
            (COL_MEASURE_UNIT, "Enhet", 18.0),
            (
                COL_PREVIOUS,
                format!("Godkänt {}", l.year - 1).as_str(),
                12.0,
            ),
            (COL_DEFINITION, "Så räknar ni", 60.0),
        ],
    )?;
    for (i, r) in l.indicators.iter().enumerate() {
        let row = FIRST_ROW + i as u32;
        let ind = r.indicator;
        ws.write_string_with_format(row, COL_ID, &ind.id, &f.locked_center)?;
        let title = match ind.unit {
            MeasureUnit::Andel => format!("{} (andel: täljare av nämnare)", ind.title),
            _ => ind.title.clone(),
        };
        ws.write_string_with_format(row, COL_TITLE, &title, &f.locked)?;
        ws.write_string_with_format(row, COL_GROUP, &r.label, &f.locked)?;
        help_cells(ws, f, row, ind, previous.get(&i))?;
        let definition = ind.definition.as_deref().unwrap_or("");
        let lines = (title.chars().count() as f64 / 55.0)
            .max(definition.chars().count() as f64 / 60.0)
            .ceil()
            .max(1.0);
        ws.set_row_height(row, 15.0 * lines)?;

        input_cells(ws, f, row, r, fill, i)?;
        match fill.and_then(|fl| fl.comments.get(&i)) {
            Some(c) => ws.write_string_with_format(row, COL_COMMENT, c, &f.input_text)?,
            None => ws.write_blank(row, COL_COMMENT, &f.input_text)?,
        };
    }
    ws.set_freeze_panes(FIRST_ROW, 0)?;
    print_setup(ws)?;
    ws.protect();
    Ok(())
}

/// A row's open cells: the value (or täljare and nämnare), validated.
fn input_cells(
    ws: &mut Worksheet,
    f: &Formats,
    row: u32,
    r: &layout::IndicatorRow<'_>,
    fill: Option<&Fill>,
    i: usize,
) -> Result<(), XlsxError> {
    use layout::*;
    let ind = r.indicator;
    let validation = |title: &str| whole_number(ind, title);
    let input = if ind.decimals > 0 {
        &f.input_decimal
    } else {
        &f.input
    };
    let value = fill.and_then(|fl| fl.values.get(&i));
    match value {
        Some(e) => write_entry(ws, row, COL_VALUE, e, input)?,
        None => {
            ws.write_blank(row, COL_VALUE, input)?;
        }
    };
    if r.is_share() {
        ws.add_data_validation(row, COL_VALUE, row, COL_VALUE, &validation("Täljare")?)?;
        match fill.and_then(|fl| fl.denominators.get(&i)) {
            Some(e) => write_entry(ws, row, COL_DENOMINATOR, e, &f.input)?,
            None => {
                ws.write_blank(row, COL_DENOMINATOR, &f.input)?;
            }
        };
        ws.add_data_validation(
            row,
            COL_DENOMINATOR,
            row,
            COL_DENOMINATOR,
            &validation("Nämnare")?,
        )?;
    } else {
        ws.add_data_validation(row, COL_VALUE, row, COL_VALUE, &validation("Antal")?)?;
        ws.write_blank(row, COL_DENOMINATOR, &f.unused)?;
    }
    Ok(())
}

/// The read-only help beside a row: unit of measure, last year's accepted
/// value ("–" where none) and how to count.
fn help_cells(
    ws: &mut Worksheet,
    f: &Formats,
    row: u32,
    ind: &Indicator,
    previous: Option<&String>,
) -> Result<(), XlsxError> {
    use layout::*;
    ws.write_string_with_format(row, COL_MEASURE_UNIT, measure_unit_words(ind), &f.locked)?;
    let previous = previous.map(String::as_str).unwrap_or("–");
    ws.write_string_with_format(row, COL_PREVIOUS, previous, &f.locked_center)?;
    let definition = ind.definition.as_deref().unwrap_or("");
    ws.write_string_with_format(row, COL_DEFINITION, definition, &f.locked)?;
    Ok(())
}

/// The measure rows, with status and assessment as dropdowns.
pub fn write_activities(
    ws: &mut Worksheet,
    l: &Layout<'_>,
    fill: Option<&Fill>,
) -> Result<(), XlsxError> {
    use layout::*;
    let f = &formats();
    sheet_head(
        ws,
        f,
        SHEET_ACTIVITIES,
        &format!("Aktiviteter {} – {}", l.year, l.unit.name),
        "Välj status och bedömning i listorna och beskriv årets aktiviteter för varje åtgärd.",
        &[
            (ACT_COL_ID, "Id", 8.0),
            (ACT_COL_TEXT, "Åtgärd i strategin", 60.0),
            (ACT_COL_STATUS, "Status", 14.0),
            (ACT_COL_ASSESSMENT, "Nämndens bedömning", 16.0),
            (ACT_COL_DESCRIPTION, "Årets aktiviteter (beskrivning)", 60.0),
        ],
    )?;
    let status = DataValidation::new()
        .allow_list_strings(&STATUSES)?
        .set_input_title("Status")?
        .set_input_message("Välj Ej påbörjad, Påbörjad eller Genomförd.")?
        .set_error_message("Välj ett av värdena i listan.")?;
    let assessment = DataValidation::new()
        .allow_list_strings(&ASSESSMENTS)?
        .set_input_title("Bedömning")?
        .set_input_message("Välj Uppfyllt, Delvis uppfyllt eller Ej uppfyllt.")?
        .set_error_message("Välj ett av värdena i listan.")?;
    for (i, m) in l.measures.iter().enumerate() {
        let row = FIRST_ROW + i as u32;
        ws.write_string_with_format(row, ACT_COL_ID, &m.id, &f.locked_center)?;
        ws.write_string_with_format(row, ACT_COL_TEXT, &m.text, &f.locked)?;
        let lines = (m.text.chars().count() as f64 / 62.0).ceil().max(2.0);
        ws.set_row_height(row, 15.0 * lines)?;
        let filled = fill.and_then(|fl| fl.activities.get(&i));
        let cells = [
            (ACT_COL_STATUS, filled.map(|a| a.0.as_str())),
            (ACT_COL_ASSESSMENT, filled.map(|a| a.1.as_str())),
            (ACT_COL_DESCRIPTION, filled.map(|a| a.2.as_str())),
        ];
        for (col, v) in cells {
            match v {
                Some(v) if !v.is_empty() => {
                    ws.write_string_with_format(row, col, v, &f.input_text)?
                }
                _ => ws.write_blank(row, col, &f.input_text)?,
            };
        }
    }
    if !l.measures.is_empty() {
        let last = FIRST_ROW + l.measures.len() as u32 - 1;
        ws.add_data_validation(FIRST_ROW, ACT_COL_STATUS, last, ACT_COL_STATUS, &status)?;
        ws.add_data_validation(
            FIRST_ROW,
            ACT_COL_ASSESSMENT,
            last,
            ACT_COL_ASSESSMENT,
            &assessment,
        )?;
    }
    ws.set_freeze_panes(FIRST_ROW, 0)?;
    print_setup(ws)?;
    ws.protect();
    Ok(())
}

/// Landscape, one page wide, the header row on every page.
fn print_setup(ws: &mut Worksheet) -> Result<(), XlsxError> {
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(layout::HEADER_ROW, layout::HEADER_ROW)?;
    Ok(())
}

/// The hidden sheet ingestion trusts: what the file is, and what each row holds.
pub fn write_meta(ws: &mut Worksheet, p: &Pipeline, l: &Layout<'_>) -> Result<(), XlsxError> {
    use layout::*;
    ws.set_name(SHEET_META)?;
    let values = [
        p.strategy.id.clone(),
        p.returns.template_version.to_string(),
        l.unit.id.clone(),
        l.year.to_string(),
    ];
    for (i, (k, v)) in META_KEYS.iter().zip(values).enumerate() {
        ws.write_string(i as u32, 0, *k)?;
        ws.write_string(i as u32, 1, v)?;
    }
    let header = ["sheet", "row", "id", "breakdown", "group"];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(META_MAP_ROW - 1, c as u16, *h)?;
    }
    let mut row = META_MAP_ROW;
    for (i, r) in l.indicators.iter().enumerate() {
        ws.write_string(row, 0, SHEET_INDICATORS)?;
        ws.write_number(row, 1, (FIRST_ROW + i as u32 + 1) as f64)?;
        ws.write_string(row, 2, &r.indicator.id)?;
        ws.write_string(row, 3, &r.key.breakdown)?;
        ws.write_string(row, 4, &r.key.group)?;
        row += 1;
    }
    for (i, m) in l.measures.iter().enumerate() {
        ws.write_string(row, 0, SHEET_ACTIVITIES)?;
        ws.write_number(row, 1, (FIRST_ROW + i as u32 + 1) as f64)?;
        ws.write_string(row, 2, &m.id)?;
        row += 1;
    }
    ws.protect();
    ws.set_hidden(true);
    Ok(())
}
