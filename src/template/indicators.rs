//! The Indikatorer sheet: one row per indicator and group, the value cells
//! open and validated, with the unit of measure, last year's accepted value
//! and how to count beside each.

use rust_xlsxwriter::{DataValidation, DataValidationRule, Worksheet, XlsxError};

use super::format::{Formats, formats, print_setup, sheet_head, write_entry};
use super::{Fill, Previous};
use crate::layout::{self, Layout};
use crate::pipeline::{Indicator, MeasureUnit};

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

/// The indicator rows, one per indicator and group, value cells open.
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
