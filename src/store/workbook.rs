//! `indikatorer.xlsx` for Excel users: one sheet per rights area, Swedish
//! headers, numbers as numbers, withheld values shown as `..` with a note.

use std::path::Path;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Note, Workbook, XlsxError};

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

/// The columns and their widths.
const HEADERS: [(&str, f64); 16] = [
    ("Id", 8.0),
    ("Indikator", 50.0),
    ("År", 6.0),
    ("Enhet", 28.0),
    ("Indelning", 16.0),
    ("Grupp", 18.0),
    ("Värde", 10.0),
    ("Täljare", 9.0),
    ("Nämnare", 9.0),
    ("Antal (n)", 9.0),
    ("95 % KI, lägre", 10.0),
    ("95 % KI, övre", 10.0),
    ("Källa", 16.0),
    ("Enheter som ska ingå", 12.0),
    ("Enheter som ingår", 12.0),
    ("Fullständigt", 12.0),
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
        for (c, (h, w)) in HEADERS.iter().enumerate() {
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
        ws.autofilter(0, 0, row.saturating_sub(1).max(1), HEADERS.len() as u16 - 1)?;
    }
    wb.save(path)
}

/// One cell of the indicator table as a row; a withheld value as `..` with a note.
fn write_row(
    ws: &mut rust_xlsxwriter::Worksheet,
    f: &Formats,
    p: &Pipeline,
    row: u32,
    ind: &Indicator,
    c: &Cell,
) -> Result<(), XlsxError> {
    let (bd, grp) = p.group_label(&c.key);
    ws.write_string(row, 0, &c.indicator_id)?;
    ws.write_string(row, 1, &ind.title)?;
    ws.write_number(row, 2, c.year)?;
    ws.write_string(row, 3, p.unit_name(&c.unit_id))?;
    ws.write_string(row, 4, bd)?;
    ws.write_string(row, 5, grp)?;
    let value_format = f.value(ind.unit);
    match (c.withheld, c.value) {
        (Some(why), _) => {
            ws.write_string_with_format(row, 6, "..", &f.right)?;
            let note = format!("Värdet redovisas inte: {}.", why.label());
            ws.insert_note(row, 6, &Note::new(note).set_author("uppfolj"))?;
        }
        (None, Some(v)) => {
            ws.write_number_with_format(row, 6, v, value_format)?;
        }
        (None, None) => {}
    }
    for (col, v) in [(7u16, c.numerator), (8, c.denominator), (9, c.n)] {
        if let Some(v) = v {
            ws.write_number_with_format(row, col, v, &f.count)?;
        }
    }
    for (col, v) in [(10u16, c.ci_low), (11, c.ci_high)] {
        if let Some(v) = v {
            ws.write_number_with_format(row, col, v, value_format)?;
        }
    }
    ws.write_string(row, 12, c.source.label())?;
    if let Some(cov) = &c.coverage {
        ws.write_number_with_format(row, 13, cov.expected as f64, &f.count)?;
        ws.write_number_with_format(row, 14, cov.reported() as f64, &f.count)?;
    }
    ws.write_string(row, 15, if c.complete() { "Ja" } else { "Nej" })?;
    Ok(())
}
