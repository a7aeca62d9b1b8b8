//! `indikatorer.xlsx` for Excel users: one sheet per rights area, Swedish
//! headers, numbers as numbers, withheld values shown as `..` with a note.

use std::path::Path;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Note, Workbook, XlsxError};

use super::table::{self, Field};
use crate::aggregate::Cell;
use crate::pipeline::{Indicator, MeasureUnit, Pipeline};

fn sheet_name(title: &str) -> String {
    if title.chars().count() <= 31 {
        return title.to_string();
    }
    let mut out = String::new();
    for word in title.split(' ') {
        if out.chars().count() + word.chars().count() + 2 > 31 {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out + "…"
}

/// The formats of the sheet's cells.
struct Formats {
    header: Format,
    share: Format,
    points: Format,
    count: Format,
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
    /// A unit's id as its name; a breakdown and group as their titles.
    UnitName,
    BreakdownTitle,
    GroupLabel,
    /// The source's id as what tables call it.
    SourceLabel,
    /// In the indicator's unit (a share as a percentage), or `..` with a
    /// note when withheld.
    Value,
    /// In the indicator's unit.
    InUnit,
    /// A whole number with thousands spaced.
    Count,
    /// "Ja" or "Nej".
    YesNo,
}

/// The workbook's columns: each a column of the indicator table
/// (`table::COLUMNS`, by name), its Swedish header, width and how it shows.
const SHEET: [(&str, &str, f64, Show); 17] = [
    ("indicator_id", "Id", 8.0, Show::Plain),
    ("title", "Indikator", 50.0, Show::Plain),
    ("year", "År", 6.0, Show::Plain),
    ("unit_id", "Enhet", 28.0, Show::UnitName),
    ("breakdown", "Indelning", 16.0, Show::BreakdownTitle),
    ("group", "Grupp", 18.0, Show::GroupLabel),
    ("value", "Värde", 10.0, Show::Value),
    ("numerator", "Täljare", 9.0, Show::Count),
    ("denominator", "Nämnare", 9.0, Show::Count),
    ("n", "Antal (n)", 9.0, Show::Count),
    ("ci_low", "95 % KI, lägre", 10.0, Show::InUnit),
    ("ci_high", "95 % KI, övre", 10.0, Show::InUnit),
    (
        "change_significant",
        "Förändring mot året före säkerställd",
        14.0,
        Show::YesNo,
    ),
    ("source", "Källa", 16.0, Show::SourceLabel),
    ("units_expected", "Enheter som ska ingå", 12.0, Show::Count),
    ("units_reported", "Enheter som ingår", 12.0, Show::Count),
    ("complete", "Fullständigt", 12.0, Show::YesNo),
];

pub fn write(p: &Pipeline, cells: &[Cell], report_year: i32, path: &Path) -> Result<(), XlsxError> {
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
    for area in &p.areas {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(&area.title))?;
        for (c, (_, h, w, _)) in SHEET.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &f.header)?;
            ws.set_column_width(c as u16, *w)?;
        }
        ws.set_freeze_panes(1, 0)?;
        let mut row = 1u32;
        for c in cells {
            let Some(ind) = p.indicator(&c.indicator_id) else {
                continue;
            };
            let in_area = p
                .measure(&ind.measure)
                .and_then(|m| p.goal(&m.goal))
                .is_some_and(|g| g.area == area.id);
            if in_area {
                write_row(ws, &f, p, row, ind, c)?;
                row += 1;
            }
        }
        ws.autofilter(0, 0, row.saturating_sub(1).max(1), SHEET.len() as u16 - 1)?;
    }
    wb.save(path)
}

/// One cell of the indicator table as a row, column by column as [`SHEET`]
/// shows them.
fn write_row(
    ws: &mut rust_xlsxwriter::Worksheet,
    f: &Formats,
    p: &Pipeline,
    row: u32,
    ind: &Indicator,
    c: &Cell,
) -> Result<(), XlsxError> {
    let r = table::row(p, c);
    let (bd, grp) = p.group_label(&c.key);
    for (col, (name, _, _, show)) in SHEET.iter().enumerate() {
        let Some(column) = table::column(name) else {
            continue; // every name is a column (tested)
        };
        let col = col as u16;
        match (show, column.field(&r)) {
            (Show::Plain, Field::Text(t)) => _ = ws.write_string(row, col, t)?,
            (Show::Plain, Field::Year(y)) => _ = ws.write_number(row, col, y)?,
            (Show::UnitName, Field::Text(id)) => _ = ws.write_string(row, col, p.unit_name(id))?,
            (Show::BreakdownTitle, _) => _ = ws.write_string(row, col, &bd)?,
            (Show::GroupLabel, _) => _ = ws.write_string(row, col, &grp)?,
            (Show::SourceLabel, _) => _ = ws.write_string(row, col, c.source.label())?,
            (Show::Value, Field::Number(v)) => value(ws, f, row, col, ind, c, v)?,
            (Show::InUnit, Field::Number(Some(v))) => {
                _ = ws.write_number_with_format(row, col, v, f.value(ind.unit))?
            }
            (Show::Count, Field::Number(Some(v))) => {
                _ = ws.write_number_with_format(row, col, v, &f.count)?
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
    #[test]
    fn every_column_of_the_sheet_is_a_column_of_the_table() {
        for (name, ..) in super::SHEET {
            assert!(super::table::column(name).is_some(), "{name}");
        }
    }
}
