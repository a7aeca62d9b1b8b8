//! Writes the committed fixtures in `tests/fixtures/returns/`: returns broken
//! the ways real ones are. Run with
//! `cargo run --example make_return_fixtures`, then
//! `tests/fixtures/returns/make-with-libreoffice.sh` for the files that
//! LibreOffice and an encryption tool must write.

use std::path::Path;

use rust_xlsxwriter::XlsxError;
use uppfolj::layout::{self, Layout};
use uppfolj::pipeline::{self, Pipeline};
use uppfolj::template::{self, Entry, Fill};

const OUT: &str = "tests/fixtures/returns";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let p = pipeline::load(Path::new("pipelines/romsk-inkludering-2018-2022.toml"))?;
    let out = Path::new(OUT);
    std::fs::create_dir_all(out)?;
    let unit = |id: &str| p.unit(id).expect("unit in the sample pipeline");
    let un22 = layout::layout(&p, unit("un"), 2022);
    let amn22 = layout::layout(&p, unit("amn"), 2022);
    let sn22 = layout::layout(&p, unit("sn"), 2022);

    // Clean, filled returns.
    let un_fill = clean_fill(&un22);
    write(
        out,
        "un-2022.xlsx",
        template::workbook_bytes(&p, &un22, Some(&un_fill))?,
    )?;
    let un21 = layout::layout(&p, unit("un"), 2021);
    write(
        out,
        "un-2021.xlsx",
        template::workbook_bytes(&p, &un21, Some(&clean_fill(&un21)))?,
    )?;
    // Un's return under the name of another committee.
    write(
        out,
        "amn-2022.xlsx",
        template::workbook_bytes(&p, &un22, Some(&un_fill))?,
    )?;

    // Not workbooks at all.
    write(
        out,
        "pdf-renamed.xlsx",
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec(),
    )?;
    write(
        out,
        "text-renamed.xlsx",
        "Id;Värde\nUTB-1;12\nUTB-2;7\n".as_bytes().to_vec(),
    )?;
    write(out, "empty.xlsx", Vec::new())?;
    let whole = template::workbook_bytes(&p, &amn22, None)?;
    write(
        out,
        "truncated.xlsx",
        whole[..whole.len() * 6 / 10].to_vec(),
    )?;

    // A home-made workbook: the right sheet names, no hidden sheet.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(layout::SHEET_INDICATORS)?;
    ws.write_string(0, 0, "Id")?;
    ws.write_string(0, 1, "Värde")?;
    ws.write_string(1, 0, "UTB-1")?;
    ws.write_number(1, 1, 12)?;
    write(out, "homemade.xlsx", wb.save_to_buffer()?)?;

    // A template from another follow-up.
    let mut other = p.clone();
    other.strategy.id = "romsk-inkludering-2023-2027".into();
    write(
        out,
        "other-pipeline.xlsx",
        template::workbook_bytes(&other, &un22, Some(&un_fill))?,
    )?;

    // Sheets renamed or deleted.
    write(
        out,
        "renamed-sheet.xlsx",
        compose(
            &p,
            &un22,
            &un22,
            Some(&un_fill),
            Some("Indikatorer 2022"),
            true,
        )?,
    )?;
    write(
        out,
        "deleted-sheet.xlsx",
        compose(&p, &un22, &un22, Some(&un_fill), None, false)?,
    )?;

    // Rows moved and deleted on the visible sheet; the hidden map unchanged.
    let mut moved = amn22.clone();
    moved.indicators.swap(0, 4);
    write(
        out,
        "rows-moved.xlsx",
        compose(&p, &moved, &amn22, None, None, true)?,
    )?;
    let mut deleted = amn22.clone();
    deleted.indicators.remove(1);
    write(
        out,
        "rows-deleted.xlsx",
        compose(&p, &deleted, &amn22, None, None, true)?,
    )?;

    // A formula whose value was never saved.
    let mut formula = un_fill.clone();
    formula.values.insert(
        row(&un22, "UTB-1", "total"),
        Entry::FormulaWithoutResult("=SUM(10,5)".into()),
    );
    let bytes = template::workbook_bytes(&p, &un22, Some(&formula))?;
    write(out, "formula-no-value.xlsx", drop_formula_values(&bytes)?)?;

    // Values as people get them wrong, and right.
    let mut bad = clean_fill(&amn22);
    let cells: [(&str, &str, Entry); 9] = [
        ("ARB-1", "kvinna+16-29", Entry::Text("ca 20".into())),
        ("ARB-1", "kvinna+30-64", Entry::Number(-5.0)),
        ("ARB-1", "man+16-29", Entry::Number(2.5)),
        ("ARB-1", "man+30-64", Entry::Text("12,5".into())),
        ("ARB-2", "kvinna", Entry::Text("1 234".into())),
        ("ARB-2", "man", Entry::Text("1\u{a0}234".into())),
        (
            "ARB-3",
            "kvinna",
            Entry::Formula {
                formula: "=12+8".into(),
                result: 20.0,
            },
        ),
        ("ARB-3", "man", Entry::Text(" 7 ".into())),
        ("ARB-5", "kvinna", Entry::Number(30.0)),
    ];
    for (id, group, e) in cells {
        bad.values.insert(row(&amn22, id, group), e);
    }
    bad.denominators
        .insert(row(&amn22, "ARB-5", "kvinna"), Entry::Number(20.0));
    bad.values
        .insert(row(&amn22, "ARB-5", "man"), Entry::Number(5.0));
    bad.denominators.remove(&row(&amn22, "ARB-5", "man"));
    bad.values.remove(&row(&amn22, "ARB-4", "kvinna"));
    bad.comments.insert(
        row(&amn22, "ARB-4", "kvinna"),
        "Uppgift saknas i år.".into(),
    );
    write(
        out,
        "bad-values.xlsx",
        template::workbook_bytes(&p, &amn22, Some(&bad))?,
    )?;

    // Two returns for the same unit and year.
    let sn_fill = clean_fill(&sn22);
    write(
        out,
        "dup-a.xlsx",
        template::workbook_bytes(&p, &sn22, Some(&sn_fill))?,
    )?;
    let mut sn_fill_b = sn_fill.clone();
    sn_fill_b.values.insert(0, Entry::Number(99.0));
    write(
        out,
        "dup-b.xlsx",
        template::workbook_bytes(&p, &sn22, Some(&sn_fill_b))?,
    )?;

    // A huge sheet: thousands of rows pasted under the template's rows.
    let mut wb = template::new_workbook(&p, &un22)?;
    template::write_instructions(wb.add_worksheet(), &p, &un22)?;
    let ws = wb.add_worksheet();
    template::write_indicators(ws, &un22, Some(&un_fill), &Default::default())?;
    for r in 0..6000u32 {
        ws.write_string(layout::FIRST_ROW + 50 + r, 0, "klistrat")?;
        ws.write_number(layout::FIRST_ROW + 50 + r, 3, r)?;
    }
    template::write_activities(wb.add_worksheet(), &un22, Some(&un_fill))?;
    template::write_meta(wb.add_worksheet(), &p, &un22)?;
    write(out, "huge.xlsx", wb.save_to_buffer()?)?;

    println!("fixtures written to {OUT}");
    Ok(())
}

/// A plausible, valid fill: every value a small whole number.
fn clean_fill(l: &Layout<'_>) -> Fill {
    let mut fill = Fill::default();
    for (i, r) in l.indicators.iter().enumerate() {
        let v = 10.0 + i as f64;
        fill.values.insert(i, Entry::Number(v));
        if r.is_share() {
            fill.denominators.insert(i, Entry::Number(v * 2.0));
        }
    }
    for i in 0..l.measures.len() {
        fill.activities.insert(
            i,
            (
                "Påbörjad".into(),
                "Delvis uppfyllt".into(),
                "Arbetet pågår.".into(),
            ),
        );
    }
    fill
}

fn row(l: &Layout<'_>, id: &str, group: &str) -> usize {
    l.indicators
        .iter()
        .position(|r| r.indicator.id == id && r.key.group == group)
        .unwrap_or_else(|| panic!("{id} {group} not in layout"))
}

/// A workbook whose visible sheets follow `visible` and whose hidden map
/// follows `meta`, optionally with the indicator sheet renamed or the
/// activities sheet left out.
fn compose(
    p: &Pipeline,
    visible: &Layout<'_>,
    meta: &Layout<'_>,
    fill: Option<&Fill>,
    rename_indicators: Option<&str>,
    with_activities: bool,
) -> Result<Vec<u8>, XlsxError> {
    let mut wb = template::new_workbook(p, meta)?;
    template::write_instructions(wb.add_worksheet(), p, meta)?;
    let ws = wb.add_worksheet();
    template::write_indicators(ws, visible, fill, &Default::default())?;
    if let Some(name) = rename_indicators {
        ws.set_name(name)?;
    }
    if with_activities {
        template::write_activities(wb.add_worksheet(), visible, fill)?;
    }
    template::write_meta(wb.add_worksheet(), p, meta)?;
    wb.save_to_buffer()
}

/// Removes the saved values of formulas, as programs that write formulas
/// without calculating them do (rust_xlsxwriter always saves one).
fn drop_formula_values(xlsx: &[u8]) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    use std::io::{Read, Write};
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(xlsx))?;
    let mut zout = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zin.len() {
        let mut entry = zin.by_index(i)?;
        let name = entry.name()?.to_string();
        let mut data = Vec::new();
        entry.read_to_end(&mut data)?;
        if name.starts_with("xl/worksheets/") {
            let text = String::from_utf8(data)?;
            let mut out = String::new();
            let mut rest = text.as_str();
            while let Some(at) = rest.find("</f><v>") {
                out.push_str(&rest[..at + 4]);
                let after = &rest[at + 4..];
                let end = after.find("</v>").map(|e| e + 4).unwrap_or(0);
                rest = &after[end..];
            }
            out.push_str(rest);
            data = out.into_bytes();
        }
        zout.start_file(name, zip::write::SimpleFileOptions::default())?;
        zout.write_all(&data)?;
    }
    Ok(zout.finish()?.into_inner())
}

fn write(dir: &Path, name: &str, bytes: Vec<u8>) -> std::io::Result<()> {
    std::fs::write(dir.join(name), bytes)
}
