//! What the data sheets share: cell formats, the head of a sheet, a filled-in
//! entry, and printing.

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Formula, Worksheet, XlsxError};

use super::Entry;
use crate::layout;

pub(super) struct Formats {
    pub(super) title: Format,
    pub(super) header: Format,
    pub(super) locked: Format,
    pub(super) locked_center: Format,
    pub(super) input: Format,
    /// For indicators that allow a decimal (årsarbetare).
    pub(super) input_decimal: Format,
    pub(super) input_text: Format,
    pub(super) unused: Format,
    pub(super) text: Format,
}

pub(super) fn formats() -> Formats {
    let border = |f: Format| {
        f.set_border(FormatBorder::Thin)
            .set_border_color(Color::RGB(0xA6A6A6))
    };
    // The yellow cells a committee fills in.
    let input = |f: Format| {
        border(
            f.set_unlocked()
                .set_background_color(Color::RGB(0xFFF2CC))
                .set_align(FormatAlign::Top),
        )
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
        input: input(Format::new().set_num_format("# ##0")),
        input_decimal: input(Format::new().set_num_format("# ##0.0")),
        input_text: input(Format::new().set_text_wrap()),
        unused: border(Format::new().set_background_color(Color::RGB(0xEDEDED))),
        text: Format::new().set_text_wrap().set_align(FormatAlign::Top),
    }
}

pub(super) fn write_entry(
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
pub(super) fn sheet_head(
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

/// Landscape, one page wide, the header row on every page.
pub(super) fn print_setup(ws: &mut Worksheet) -> Result<(), XlsxError> {
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(layout::HEADER_ROW, layout::HEADER_ROW)?;
    Ok(())
}
