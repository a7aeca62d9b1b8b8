//! The Instruktioner sheet: what to do, by when, where to hand in and whom to ask.

use rust_xlsxwriter::{Format, Worksheet, XlsxError};

use super::format::{Formats, formats};
use crate::layout::{self, Layout};
use crate::pipeline::Pipeline;

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
            d.in_year(l.year + 1)
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
