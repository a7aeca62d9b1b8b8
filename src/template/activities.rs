//! The Aktiviteter sheet: one row per measure, status and assessment as dropdowns.

use rust_xlsxwriter::{DataValidation, Worksheet, XlsxError};

use super::Fill;
use super::format::{formats, print_setup, sheet_head};
use crate::layout::{self, Layout};

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
