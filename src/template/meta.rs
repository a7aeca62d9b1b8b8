//! The hidden sheet that says what the file is and what each row holds.

use rust_xlsxwriter::{Worksheet, XlsxError};

use crate::layout::{self, Layout};
use crate::pipeline::Pipeline;

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
