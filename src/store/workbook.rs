//! `indikatorer.xlsx` for Excel users: one sheet per rights area, Swedish
//! headers, numbers as numbers, withheld values shown as `..` with a note.

use std::collections::HashMap;
use std::path::Path;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Note, Workbook, XlsxError};

use super::table::{self, Field, Row};
use crate::aggregate::Cell;
use crate::pipeline::{Indicator, MeasureUnit, Pipeline};

/// Excel's longest sheet name.
const SHEET_NAME_MAX: usize = 31;

/// A sheet name for an area's title: Excel's forbidden characters replaced,
/// cut at a word to 31 characters, and made unique among `taken` with a
/// number. The contents sheet gives every title whole.
fn sheet_name(title: &str, taken: &[String]) -> String {
    let clean: String = title
        .chars()
        .map(|c| {
            if "[]:*?/\\".contains(c) || c.is_control() {
                '-'
            } else {
                c
            }
        })
        .collect();
    let clean = clean.trim_matches('\'').trim();
    let clean = if clean.is_empty() { "Område" } else { clean };
    // Of taken.len() + 1 distinct names, one is free.
    (1..=taken.len() + 1)
        .map(|n| {
            let suffix = if n == 1 {
                String::new()
            } else {
                format!(" ({n})")
            };
            cut(clean, SHEET_NAME_MAX - suffix.chars().count()) + &suffix
        })
        .find(|name| {
            !taken
                .iter()
                .any(|t| t.to_lowercase() == name.to_lowercase())
        })
        .unwrap_or_else(|| clean.to_string())
}

/// `s` cut at a word to at most `max` characters, with "…" when cut.
fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out = String::new();
    for word in s.split(' ') {
        if out.chars().count() + word.chars().count() + 2 > max {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out.is_empty() {
        out = s.chars().take(max - 1).collect();
    }
    out + "…"
}

/// The formats of the sheet's cells.
struct Formats {
    header: Format,
    share: Format,
    points: Format,
    count: Format,
    tenths: Format,
    right: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_background_color(rust_xlsxwriter::Color::RGB(0xD9E1F2)),
            share: Format::new().set_num_format("0.0%"),
            points: Format::new().set_num_format("0.0"),
            count: Format::new().set_num_format("# ##0"),
            tenths: Format::new().set_num_format("0.0"),
            right: Format::new().set_align(rust_xlsxwriter::FormatAlign::Right),
        }
    }

    fn value(&self, unit: MeasureUnit) -> &Format {
        match unit {
            MeasureUnit::Andel => &self.share,
            MeasureUnit::Procentenheter => &self.points,
            MeasureUnit::Antal => &self.count,
        }
    }
}

/// How the workbook shows a column of the indicator table.
#[derive(Clone, Copy)]
enum Show {
    /// As it is: text as text, numbers as numbers.
    Plain,
    /// The source's id as what tables call it.
    SourceLabel,
    /// The measure unit's id as the words under a chart.
    UnitLabel,
    /// In the indicator's unit (a share as a percentage), or `..` with a
    /// note when withheld.
    Value,
    /// In the indicator's unit.
    InUnit,
    /// A whole number with thousands spaced.
    Count,
    /// A number with one decimal.
    Tenths,
    /// "Ja" or "Nej".
    YesNo,
}

/// The workbook's columns: every column of the indicator table
/// (`table::COLUMNS`, by name, each once), its Swedish header, width and how
/// it shows.
const SHEET: [(&str, &str, f64, Show); 25] = [
    ("indicator_id", "Id", 8.0, Show::Plain),
    ("title", "Indikator", 50.0, Show::Plain),
    ("year", "År", 6.0, Show::Plain),
    ("unit_name", "Enhet", 28.0, Show::Plain),
    ("breakdown_label", "Indelning", 16.0, Show::Plain),
    ("group_label", "Grupp", 18.0, Show::Plain),
    ("value", "Värde", 10.0, Show::Value),
    ("measure_unit", "Måttenhet", 12.0, Show::UnitLabel),
    ("numerator", "Täljare", 9.0, Show::Count),
    ("denominator", "Nämnare", 9.0, Show::Count),
    ("n", "Antal (n)", 9.0, Show::Count),
    ("ci_low", "95 % KI, lägre", 10.0, Show::InUnit),
    ("ci_high", "95 % KI, övre", 10.0, Show::InUnit),
    (
        "n_effective",
        "Effektivt antal svarande",
        12.0,
        Show::Tenths,
    ),
    ("std_error", "Medelfel", 10.0, Show::InUnit),
    (
        "change_significant",
        "Förändring mot året före säkerställd",
        14.0,
        Show::YesNo,
    ),
    ("suppressed", "Undantaget", 11.0, Show::YesNo),
    ("source", "Källa", 16.0, Show::SourceLabel),
    ("weighted", "Viktat", 8.0, Show::YesNo),
    ("units_expected", "Enheter som ska ingå", 12.0, Show::Count),
    ("units_reported", "Enheter som ingår", 12.0, Show::Count),
    ("complete", "Fullständigt", 12.0, Show::YesNo),
    ("unit_id", "Enhetens id", 14.0, Show::Plain),
    ("breakdown", "Indelningens id", 14.0, Show::Plain),
    ("group", "Gruppens id", 14.0, Show::Plain),
];

/// The workbook of the table's `rows` (in the table's order).
pub fn write(
    p: &Pipeline,
    rows: &[Row<'_>],
    report_year: i32,
    path: &Path,
) -> Result<(), XlsxError> {
    let mut wb = Workbook::new();
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!("Indikatorer – {}", p.strategy.title))
            .set_author("uppfolj")
            .set_creation_datetime(&ExcelDateTime::from_ymd(
                report_year.clamp(1900, 9999) as u16 + 1,
                1,
                31,
            )?),
    );
    let f = Formats::new();
    let mut names: Vec<String> = vec![CONTENTS.into()];
    for area in &p.areas {
        names.push(sheet_name(&area.title, &names));
    }
    contents(wb.add_worksheet(), &f, p, &names[1..])?;
    let columns = columns();
    // Each row's indicator and area, looked up once for all the sheets.
    let areas = areas(p);
    let placed: Vec<Option<(&Indicator, Option<&str>)>> = (rows.iter())
        .map(|r| areas.get(r.cell().indicator_id.as_str()).copied())
        .collect();
    for (area, name) in p.areas.iter().zip(&names[1..]) {
        // Rows are written in order, each to a temporary file as it comes:
        // held in memory, a country's 11 million cells took 2.9 GB.
        let ws = wb.add_worksheet_with_low_memory()?;
        ws.set_name(name)?;
        for (c, (_, h, w, _)) in SHEET.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &f.header)?;
            ws.set_column_width(c as u16, *w)?;
        }
        ws.set_freeze_panes(1, 0)?;
        let mut at = 1u32;
        for (r, placed) in rows.iter().zip(&placed) {
            if let Some((ind, Some(in_area))) = placed
                && *in_area == area.id
            {
                write_row(ws, &f, &columns, at, ind, r)?;
                at += 1;
            }
        }
        ws.autofilter(0, 0, at.saturating_sub(1).max(1), SHEET.len() as u16 - 1)?;
    }
    wb.save(path)
}

/// Each indicator (the first with its id) with the id of the rights area it
/// belongs to, through its measure and goal.
fn areas(p: &Pipeline) -> HashMap<&str, (&Indicator, Option<&str>)> {
    let mut out = HashMap::new();
    for ind in &p.indicators {
        let area = p
            .measure(&ind.measure)
            .and_then(|m| p.goal(&m.goal))
            .map(|g| g.area.as_str());
        out.entry(ind.id.as_str()).or_insert((ind, area));
    }
    out
}

/// The sheet's columns: each one's place, the table's column and how it shows.
fn columns() -> Vec<(u16, &'static table::Column, Show)> {
    (SHEET.iter().enumerate())
        .filter_map(|(at, (name, _, _, show))| Some((at as u16, table::column(name)?, *show)))
        .collect()
}

/// The first sheet's name.
const CONTENTS: &str = "Innehåll";

/// The first sheet: each area's sheet with the area's whole title (a sheet
/// name holds 31 characters), and each column's header beside its name in
/// `indicators.csv`.
fn contents(
    ws: &mut rust_xlsxwriter::Worksheet,
    f: &Formats,
    p: &Pipeline,
    sheets: &[String],
) -> Result<(), XlsxError> {
    ws.set_name(CONTENTS)?;
    ws.set_column_width(0, 34.0)?;
    ws.set_column_width(1, 70.0)?;
    let title = format!("Indikatorer – {}", p.strategy.title);
    ws.write_string_with_format(0, 0, title, &f.header)?;
    ws.write_string_with_format(2, 0, "Blad", &f.header)?;
    ws.write_string_with_format(2, 1, "Rättighetsområde", &f.header)?;
    let mut row = 3u32;
    for (area, sheet) in p.areas.iter().zip(sheets) {
        ws.write_string(row, 0, sheet)?;
        ws.write_string(row, 1, &area.title)?;
        row += 1;
    }
    row += 1;
    ws.write_string_with_format(row, 0, "Kolumn", &f.header)?;
    ws.write_string_with_format(
        row,
        1,
        "Samma kolumn i indicators.csv och indikatorer-excel.csv",
        &f.header,
    )?;
    for (name, header, ..) in SHEET {
        row += 1;
        ws.write_string(row, 0, header)?;
        ws.write_string(row, 1, name)?;
    }
    Ok(())
}

/// One cell of the indicator table as a row, column by column as [`SHEET`]
/// shows them.
fn write_row(
    ws: &mut rust_xlsxwriter::Worksheet,
    f: &Formats,
    columns: &[(u16, &table::Column, Show)],
    row: u32,
    ind: &Indicator,
    r: &Row<'_>,
) -> Result<(), XlsxError> {
    let c = r.cell();
    for &(col, column, show) in columns {
        match (show, column.field(r)) {
            (Show::Plain, Field::Text(t)) => _ = ws.write_string(row, col, t)?,
            (Show::Plain, Field::Year(y)) => _ = ws.write_number(row, col, y)?,
            (Show::SourceLabel, _) => _ = ws.write_string(row, col, c.source.label())?,
            (Show::UnitLabel, _) => _ = ws.write_string(row, col, ind.unit.label())?,
            (Show::Value, Field::Number(v)) => value(ws, f, row, col, ind, c, v)?,
            (Show::InUnit, Field::Number(Some(v))) => {
                _ = ws.write_number_with_format(row, col, v, f.value(ind.unit))?
            }
            (Show::Tenths, Field::Number(Some(v))) => {
                _ = ws.write_number_with_format(row, col, v, &f.tenths)?
            }
            (Show::Count, Field::Whole(Some(v))) => {
                _ = ws.write_number_with_format(row, col, v as f64, &f.count)?
            }
            (Show::Count, Field::Count(Some(v))) => {
                _ = ws.write_number_with_format(row, col, v as f64, &f.count)?
            }
            (Show::YesNo, Field::Flag(yes) | Field::Maybe(Some(yes))) => {
                _ = ws.write_string(row, col, if yes { "Ja" } else { "Nej" })?
            }
            _ => {}
        }
    }
    Ok(())
}

/// The value in the indicator's unit; a withheld one as `..` with why.
fn value(
    ws: &mut rust_xlsxwriter::Worksheet,
    f: &Formats,
    row: u32,
    col: u16,
    ind: &Indicator,
    c: &Cell,
    v: Option<f64>,
) -> Result<(), XlsxError> {
    match (c.withheld, v) {
        (Some(why), _) => {
            ws.write_string_with_format(row, col, "..", &f.right)?;
            let note = format!("Värdet redovisas inte: {}.", why.label());
            ws.insert_note(row, col, &Note::new(note).set_author("uppfolj"))?;
        }
        (None, Some(v)) => _ = ws.write_number_with_format(row, col, v, f.value(ind.unit))?,
        (None, None) => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sheet_has_every_column_of_the_table_once() {
        let mut names: Vec<&str> = SHEET.iter().map(|c| c.0).collect();
        names.sort();
        let mut table: Vec<&str> = table::COLUMNS.iter().map(|c| c.name).collect();
        table.sort();
        assert_eq!(names, table);
    }

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let long = "Rätten till arbete och egen försörjning genom sysselsättning";
        let mut taken = vec![CONTENTS.to_string()];
        for t in [long, long, "Hälsa: vård/omsorg [del 1]", "'", "innehåll"] {
            taken.push(sheet_name(t, &taken));
        }
        assert_eq!(
            taken[1..],
            [
                "Rätten till arbete och egen…",
                "Rätten till arbete och… (2)",
                "Hälsa- vård-omsorg -del 1-",
                "Område",
                "innehåll (2)",
            ]
        );
        assert!(taken.iter().all(|t| t.chars().count() <= SHEET_NAME_MAX));
    }
}
