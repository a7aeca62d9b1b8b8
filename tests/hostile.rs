//! Hostile and careless inputs, one test each: the real binary must refuse
//! them with a Swedish message naming the file and the place, never panic,
//! hang or fill memory, never repeat a planted identifier, and never delete
//! or overwrite an input.

use std::io::{Cursor, Read, Write};

use crate::run::pipeline_in_test_folder;
use crate::survey::{refused, sample_2018, set};
use crate::test::{Test, repo_root};

const PNR: &str = "811218-9876";

/// The gate's refusal of column 14 (kommentar) of the 2018 sample.
const KOMMENTAR: &str = "Kolumn 14 (räknat från vänster) innehåller något som ser ut som";

// ---------------------------------------------------------------- survey files

#[test]
fn an_unclosed_quote_before_a_personal_number_is_told_by_line_without_the_text() {
    let text = set(&sample_2018(), 5, "kommentar", &format!("\"Ring {PNR}"));
    refused(
        "enkat.csv",
        text,
        "rad 6, kolumn 14: ett citattecken (\") öppnas men stängs aldrig",
        &["811218", "9876", "Ring"],
    );
}

#[test]
fn an_export_without_a_header_row_and_a_personal_number_first() {
    let sample = sample_2018();
    let rows: Vec<&str> = sample.lines().skip(1).collect();
    let first = rows[0].replacen("R00001", PNR, 1);
    let text = std::iter::once(first.as_str())
        .chain(rows[1..].iter().copied())
        .collect::<Vec<_>>()
        .join("\n");
    refused(
        "enkat.csv",
        text,
        "Rubriken i kolumn 1 ser ut som ett personnummer eller samordningsnummer; filen saknar kanske rubrikrad",
        &["811218", "9876"],
    );
}

#[test]
fn a_header_that_is_an_email_address() {
    let text = sample_2018().replacen("kommentar", "anna.svensson@example.se", 1);
    refused(
        "enkat.csv",
        text,
        "Rubriken i kolumn 14 ser ut som en e-postadress",
        &["anna", "example"],
    );
}

/// Each written form is planted in one comment; each file must be refused.
fn refused_in_comment(forms: &[(&str, &str)], secret: &str) {
    for (form, kind) in forms {
        let text = set(&sample_2018(), 7, "kommentar", form);
        refused(
            "enkat.csv",
            text,
            &format!("{KOMMENTAR} {kind} på 1 rad"),
            &[secret],
        );
    }
}

#[test]
fn personal_numbers_however_written() {
    let pnr = "ett personnummer eller samordningsnummer";
    refused_in_comment(
        &[
            ("född 811218 9876", pnr),
            ("81 12 18 - 9876", pnr),
            ("81.12.18-9876", pnr),
            ("８１１２１８－９８７６", pnr),
            ("٨١١٢١٨-٩٨٧٦", pnr),
        ],
        "9876",
    );
}

#[test]
fn email_addresses_however_written() {
    let email = "en e-postadress";
    refused_in_comment(
        &[
            ("anna at example dot se", email),
            ("skriv till åsa at example punkt se gärna på måndag", email),
            ("anna(at)example.se", email),
            ("anna [at] example [dot] se", email),
            ("anna.svensson @ example.se", email),
            ("mailto:anna@example.se", email),
            ("anna＠example.se", email),
        ],
        "example",
    );
}

#[test]
fn phone_numbers_however_written() {
    let phone = "ett telefonnummer";
    refused_in_comment(
        &[
            ("070.123.45.67", phone),
            ("46701234567", phone),
            ("070/123 45 67", phone),
            ("+46 (0)70-123 45 67", phone),
        ],
        "45",
    );
}

#[test]
fn identifying_headers_in_short_forms_and_look_alikes() {
    for header in [
        "Personnr",
        "Mobilnr",
        "Tfn",
        "Telnr",
        "Ｎａｍｎ",
        "Nаmn",
        "ΝΑΜΝ",
        "E-post",
        "postnr",
    ] {
        let text = sample_2018().replacen("kommentar", header, 1);
        refused(
            "enkat.csv",
            text,
            "Kolumn 14 (räknat från vänster) har en rubrik som tyder på direkta personuppgifter",
            &[header],
        );
    }
}

fn refused_2021_fixture(fixture: &str, message: &str) {
    Test::new()
        .pipeline(&[])
        .fixture(&format!("survey/{fixture}"), "enkat.parquet")
        .args(&["validate", "p.toml", "--year", "2021", "enkat.parquet"])
        .status(1)
        .stdout_has(&format!("fel: enkat.parquet: {message}"))
        .stdout_lacks("1981")
        .stdout_lacks("9876")
        .stdout_lacks("9873")
        .run();
}

#[test]
fn a_personal_number_in_an_int64_that_lost_its_leading_zero() {
    // 011218-9873, born 2001, stored as the number 112189873.
    refused_2021_fixture(
        "int-lost-zero.parquet",
        "Kolumn 2 (räknat från vänster) innehåller något som ser ut som ett personnummer eller samordningsnummer på 1 rad",
    );
}

#[test]
fn a_decimal_column_is_refused_without_a_panic() {
    refused_2021_fixture(
        "decimal-pnr.parquet",
        "kolumn 2 är decimaltal med fast antal decimaler (decimal), som enkätfiler inte får ha",
    );
}

#[test]
fn ordinary_weights_dates_and_ids_stay_accepted() {
    // A weight with ten decimals whose digits are a valid personnummer, a
    // date and a time in a comment, a long running number.
    let text = set(&sample_2018(), 3, "vikt", "0.8112189876");
    let text = set(
        &text,
        4,
        "kommentar",
        "Mötet 2019-05-06 kl 14.30 i lokal 1234567",
    );
    let text = set(&text, 5, "lopnr", "R0000012345");
    Test::new()
        .pipeline(&[])
        .write("enkat.csv", text)
        .args(&["validate", "p.toml", "--year", "2018", "enkat.csv"])
        .status(0)
        .stdout_has("0 avvisade")
        .run();
}

#[test]
fn weights_that_are_all_zero() {
    let sample = sample_2018();
    let mut text = sample.clone();
    for row in 1..sample.lines().count() {
        text = set(&text, row, "vikt", "0");
    }
    refused(
        "enkat.csv",
        text,
        "viktkolumnen \"vikt\" har bara vikter som är 0, så inga andelar kan räknas.",
        &[],
    );
}

#[test]
fn invalid_utf8_is_told_as_an_encoding_problem() {
    let mut bytes = sample_2018().into_bytes();
    let at = bytes.len() - 10;
    bytes.splice(at..at, "ö".bytes().chain([0xFF, 0xFE]));
    refused(
        "enkat.csv",
        bytes,
        "filen är UTF-8 men har ogiltiga tecken på rad",
        &[],
    );
}

#[test]
fn mixed_delimiters() {
    let sample = sample_2018();
    let mut lines: Vec<String> = sample.lines().map(str::to_string).collect();
    lines[4] = lines[4].replace(',', ";");
    refused(
        "enkat.csv",
        lines.join("\n"),
        "rad 5 delas av ett annat avgränsningstecken än rubrikraden",
        &[],
    );
}

#[test]
fn a_huge_header_line() {
    let header = format!("{},kommentar\n", "x".repeat(2_000_000));
    refused(
        "enkat.csv",
        header + "1,2\n",
        "rad 1 är längre än 1000000 byte",
        &["xxxx"],
    );
}

#[test]
fn fifty_thousand_extra_columns() {
    let sample = sample_2018();
    let (header, rest) = sample.split_once('\n').unwrap();
    let wide = format!("{header}{}\n{rest}", ",x".repeat(50_000));
    refused(
        "enkat.csv",
        wide,
        "rubrikraden har 1001 kolumner, fler än gränsen 1000.",
        &[],
    );
}

/// A zip with one entry of `size` zero bytes: a few kilobytes on disk.
fn zip_bomb(entry: &str, size: usize) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    w.start_file(entry, opts).unwrap();
    let chunk = vec![b'0'; 1 << 20];
    for _ in 0..size / chunk.len() {
        w.write_all(&chunk).unwrap();
    }
    w.finish().unwrap().into_inner()
}

#[test]
fn a_survey_workbook_that_is_a_zip_bomb() {
    let bomb = zip_bomb("xl/worksheets/sheet1.xml", 40 << 20);
    assert!(bomb.len() < 200_000);
    Test::new()
        .pipeline(&[
            ("k_anonymity = 5", "k_anonymity = 5\nmax_bytes = 10000000"),
            (
                "path = \"../data-samples/survey/enkat-2020.xlsx\"",
                "path = \"enkat-2020.xlsx\"",
            ),
        ])
        .write("enkat-2020.xlsx", bomb)
        .args(&["validate", "p.toml", "--year", "2020", "enkat-2020.xlsx"])
        .status(1)
        .stdout_has("fel: enkat-2020.xlsx: arbetsboken packas upp till mer än 10000000 byte")
        .run();
}

#[cfg(unix)]
#[test]
fn a_fifo_and_a_link_to_dev_zero_are_not_read() {
    let t = Test::new().pipeline(&[]);
    let (_, dir) = t.args(&["check", "p.toml"]).run_keep();
    let fifo = dir.path().join("enkat.csv");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("amn-2022.xlsx")).unwrap();
    let message = "det är ingen vanlig fil (utan t.ex. en namngiven rörledning, en enhet eller en länk till en sådan) och läses inte.";
    Test::within(dir)
        .args(&[
            "validate",
            "p.toml",
            "--year",
            "2018",
            "enkat.csv",
            "amn-2022.xlsx",
        ])
        .status(1)
        .stdout_has(&format!("fel: enkat.csv: {message}"))
        .stdout_has(&format!("fel: amn-2022.xlsx: {message}"))
        .stdout_has("2 avvisade")
        .run();
}

// ------------------------------------------------------------------ returns

/// A return fixture with one entry's text edited.
fn edited_return(fixture: &str, entry: &str, edit: impl Fn(String) -> String) -> Vec<u8> {
    edited_entries(fixture, &[(entry, &edit)])
}

pub(crate) type Edit<'a> = (&'a str, &'a dyn Fn(String) -> String);

/// A return fixture with entries' texts edited.
fn edited_entries(fixture: &str, edits: &[Edit]) -> Vec<u8> {
    edited_package(fixture, edits, &[])
}

/// A return fixture with entries' texts edited and `added` entries after them.
pub(crate) fn edited_package(fixture: &str, edits: &[Edit], added: &[(&str, &str)]) -> Vec<u8> {
    let bytes = std::fs::read(repo_root().join("tests/fixtures/returns").join(fixture)).unwrap();
    let mut zipped = rezipped(bytes, |name, data| {
        match edits.iter().find(|(e, _)| *e == name) {
            Some((_, edit)) => (name, edit(String::from_utf8(data).unwrap()).into_bytes()),
            None => (name, data),
        }
    });
    for (name, text) in added {
        zipped.push(name, text.as_bytes());
    }
    zipped.finish()
}

/// A zip being rewritten: each entry of the original as `each` makes it.
pub(crate) struct Rezipped(zip::ZipWriter<Cursor<Vec<u8>>>);

impl Rezipped {
    pub(crate) fn push(&mut self, name: &str, data: &[u8]) {
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        self.0.start_file(name, opts).unwrap();
        self.0.write_all(data).unwrap();
    }

    pub(crate) fn finish(self) -> Vec<u8> {
        self.0.finish().unwrap().into_inner()
    }
}

/// The zip `bytes` with each entry's name and data given to `each`, which
/// returns what to write instead; more entries may be pushed after.
pub(crate) fn rezipped(
    bytes: Vec<u8>,
    mut each: impl FnMut(String, Vec<u8>) -> (String, Vec<u8>),
) -> Rezipped {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = Rezipped(zip::ZipWriter::new(Cursor::new(Vec::new())));
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        let (name, data) = each(name, data);
        out.push(&name, &data);
    }
    out
}

const INDICATORS_XML: &str = "xl/worksheets/sheet2.xml";

fn refused_return(bytes: Vec<u8>, message: &str) -> std::process::Output {
    refused_file("un-2022.xlsx", bytes, message)
}

/// `validate` refuses the return `name` with `message` right after its name.
fn refused_file(name: &str, bytes: Vec<u8>, message: &str) -> std::process::Output {
    Test::new()
        .pipeline(&[])
        .write(name, bytes)
        .args(&["validate", "p.toml", name])
        .status(1)
        .stdout_has(&format!("fel: {name}{message}"))
        .stdout_has("1 avvisade")
        .run()
}

#[test]
fn a_sparse_cell_at_xfd1048576() {
    let bytes = edited_return("un-2022.xlsx", INDICATORS_XML, |x| {
        x.replace(
            "</sheetData>",
            "<row r=\"1048576\"><c r=\"XFD1048576\"><v>1</v></c></row></sheetData>",
        )
    });
    refused_return(
        bytes,
        ", Indikatorer!XFD1048576: bladet har innehåll på rad 5001 eller längre ner",
    );
}

#[test]
fn a_cell_far_to_the_right() {
    let bytes = edited_return("un-2022.xlsx", INDICATORS_XML, |x| {
        x.replace(
            "<c r=\"F5\" s=\"9\"/>",
            "<c r=\"F5\" s=\"9\"/><c r=\"ZZ5\"><v>1</v></c>",
        )
    });
    refused_return(
        bytes,
        ", Indikatorer!ZZ5: bladet har innehåll längre till höger än kolumn 256",
    );
}

#[test]
fn one_long_shared_text_named_by_many_cells() {
    // A megabyte of text, a few kilobytes packed, that 30 cells name: each
    // cell read holds its own copy.
    let long = |x: String| x.replacen("<si><t>", &format!("<si><t>{}", "x".repeat(1 << 20)), 1);
    let cells = |x: String| {
        let row: String = (0..30)
            .map(|c| {
                format!(
                    "<c r=\"{}{}20\" t=\"s\"><v>0</v></c>",
                    "A".repeat(c / 26),
                    (b'A' + (c % 26) as u8) as char
                )
            })
            .collect();
        x.replace(
            "</sheetData>",
            &format!("<row r=\"20\">{row}</row></sheetData>"),
        )
    };
    let out = refused_return(
        edited_entries(
            "un-2022.xlsx",
            &[("xl/sharedStrings.xml", &long), (INDICATORS_XML, &cells)],
        ),
        ", Indikatorer!",
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("bladets text är här sammanlagt mer än 20000000 byte"),
        "{stdout}"
    );
}

/// The `.ods` return fixture with its indicators sheet edited: the first
/// `from` in that sheet becomes `to`.
fn refused_ods(from: &str, to: &str, message: &str) {
    let edit = |x: String| {
        let at = x.find("table:name=\"Indikatorer\"").unwrap();
        let (head, tail) = x.split_at(at);
        assert!(tail.contains(from));
        format!("{head}{}", tail.replacen(from, to, 1))
    };
    refused_return(
        edited_entries("lo-un-2022.ods", &[("content.xml", &edit)]),
        message,
    );
}

#[test]
fn an_ods_row_repeated_a_million_times() {
    refused_ods(
        "<table:table-row table:style-name=\"ro1\">",
        "<table:table-row table:style-name=\"ro1\" table:number-rows-repeated=\"1048576\">",
        ", Indikatorer!A5001: bladet har innehåll på rad 5001 eller längre ner",
    );
}

#[test]
fn an_ods_cell_of_four_billion_spaces() {
    refused_ods(
        "<text:p>Indikatorer 2022",
        "<text:p><text:s text:c=\"4000000000\"/>Indikatorer 2022",
        ", Indikatorer!A1: bladets text är här sammanlagt mer än 20000000 byte",
    );
}

#[test]
fn an_ods_cell_far_to_the_right() {
    refused_ods(
        "<table:table-cell table:number-columns-repeated=\"16383\"/>",
        "<table:table-cell table:number-columns-repeated=\"16382\"/><table:table-cell office:value-type=\"float\" office:value=\"1\"/>",
        ", Indikatorer!XFD1: bladet har innehåll längre till höger än kolumn 256",
    );
}

/// The `.xls` return fixture with bytes written over the `nth` record that
/// begins with `head` (its type and length), `at` bytes into the record.
fn patched_xls(head: &[u8], nth: usize, at: usize, bytes: &[u8]) -> Vec<u8> {
    let mut xls = std::fs::read(repo_root().join("tests/fixtures/returns/lo-un-2022.xls")).unwrap();
    let start = (0..xls.len() - head.len())
        .filter(|&i| xls[i..].starts_with(head))
        .nth(nth)
        .unwrap();
    xls[start + at..start + at + bytes.len()].copy_from_slice(bytes);
    xls
}

/// RK, a number cell: its row is the record's first field.
const XLS_RK: &[u8] = &[0x7E, 0x02, 0x0A, 0x00];
/// DIMENSIONS, the size a sheet declares; BIFF8's is 14 bytes.
const XLS_DIMENSIONS: &[u8] = &[0x00, 0x02, 0x0E, 0x00];

fn refused_xls(bytes: Vec<u8>, message: &str) {
    refused_file("un-2022.xls", bytes, message);
}

#[test]
fn an_xls_cell_on_the_last_row() {
    refused_xls(
        patched_xls(XLS_RK, 0, 4, &[0xFF, 0xFF]),
        ", Indikatorer!D65536: bladet har innehåll på rad 5001 eller längre ner",
    );
}

#[test]
fn an_xls_sheet_that_declares_four_billion_rows() {
    refused_xls(
        patched_xls(XLS_DIMENSIONS, 1, 8, &[0xFF, 0xFF, 0xFF, 0xFF]),
        ", Indikatorer!F4294967295: bladet har innehåll på rad 5001 eller längre ner",
    );
}

#[test]
fn an_xls_sheet_whose_first_row_is_past_its_last() {
    refused_xls(
        patched_xls(XLS_DIMENSIONS, 1, 4, &[0x10, 0x00, 0x00, 0x00]),
        ", bladet Indikatorer: bladet går inte att läsa (innehållet är skadat).",
    );
}

#[test]
fn a_return_that_is_a_zip_bomb() {
    refused_return(
        zip_bomb("xl/media/image1.png", 40 << 20),
        ": arbetsboken packas upp till mer än",
    );
}

#[test]
fn an_ods_whose_content_is_a_zip_bomb_is_refused_before_it_is_measured() {
    refused_file(
        "un-2022.ods",
        zip_bomb("content.xml", 40 << 20),
        ": arbetsboken packas upp till mer än",
    );
}

#[test]
fn a_duplicate_zip_entry() {
    // Two copies of the indicators sheet, the second under a name of the
    // same length, which is then renamed in the archive's bytes.
    let bytes = edited_return("un-2022.xlsx", INDICATORS_XML, |x| x);
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        w.start_file(name.clone(), opts).unwrap();
        w.write_all(&data).unwrap();
        if name == INDICATORS_XML {
            w.start_file("xl/worksheets/sheetX.xml", opts).unwrap();
            w.write_all(&data).unwrap();
        }
    }
    let mut bytes = w.finish().unwrap().into_inner();
    let (from, to) = (b"xl/worksheets/sheetX.xml", INDICATORS_XML.as_bytes());
    let mut i = 0;
    while i + from.len() <= bytes.len() {
        if &bytes[i..i + from.len()] == from {
            bytes[i..i + from.len()].copy_from_slice(to);
        }
        i += 1;
    }
    refused_return(
        bytes,
        ": arbetsboken innehåller delen xl/worksheets/sheet2.xml två gånger",
    );
}

#[test]
fn a_second_hidden_sheet() {
    let bytes = edited_return("un-2022.xlsx", "xl/workbook.xml", |x| {
        x.replace(
            "</sheets>",
            "<sheet name=\"_uppfolj\" sheetId=\"5\" state=\"hidden\" r:id=\"rId3\"/></sheets>",
        )
    });
    refused_return(bytes, ": arbetsboken har två blad som heter _uppfolj");
}

#[test]
fn absurd_and_endless_counts_are_errors_by_cell() {
    for value in ["<v>1E+308</v>", "<v>1.79E+308</v>", "<v>2000000000</v>"] {
        let bytes = edited_return("un-2022.xlsx", INDICATORS_XML, |x| {
            x.replace(
                "<c r=\"D5\" s=\"7\"><v>11</v></c>",
                &format!("<c r=\"D5\" s=\"7\">{value}</c>"),
            )
        });
        Test::new()
            .pipeline(&[])
            .write("un-2022.xlsx", bytes)
            .args(&["validate", "p.toml", "un-2022.xlsx"])
            .status(1)
            .stdout_has("fel: un-2022.xlsx, Indikatorer!D5 (UTB-2 ”Modersmålslärare i romani chib”, Totalt): talet är större än 1\u{a0}000\u{a0}000\u{a0}000")
            .run();
    }
}

#[test]
fn a_count_written_as_a_huge_number_text() {
    let bytes = edited_return("un-2022.xlsx", INDICATORS_XML, |x| {
        x.replace(
            "<c r=\"D5\" s=\"7\"><v>11</v></c>",
            "<c r=\"D5\" s=\"7\" t=\"inlineStr\"><is><t>99999999999999999999999</t></is></c>",
        )
    });
    Test::new()
        .pipeline(&[])
        .write("un-2022.xlsx", bytes)
        .args(&["validate", "p.toml", "un-2022.xlsx"])
        .status(1)
        .stdout_has("fel: un-2022.xlsx, Indikatorer!D5 (UTB-2 ”Modersmålslärare i romani chib”, Totalt): talet är större än")
        .run();
}

#[test]
fn a_megabyte_of_text_in_a_cell_is_quoted_as_an_excerpt() {
    let bytes = edited_return("un-2022.xlsx", INDICATORS_XML, |x| {
        x.replace(
            "<c r=\"D5\" s=\"7\"><v>11</v></c>",
            &format!(
                "<c r=\"D5\" s=\"7\" t=\"inlineStr\"><is><t>ca {}</t></is></c>",
                "x".repeat(1_000_000)
            ),
        )
    });
    let out = Test::new()
        .pipeline(&[])
        .write("un-2022.xlsx", bytes)
        .args(&["validate", "p.toml", "un-2022.xlsx"])
        .status(1)
        .stdout_has(&format!(
            "Indikatorer!D5 (UTB-2 ”Modersmålslärare i romani chib”, Totalt): \"ca {}…\" är inte ett heltal",
            "x".repeat(37)
        ))
        .run();
    assert!(out.stdout.len() < 10_000, "{} bytes", out.stdout.len());
}

#[test]
fn a_second_return_for_the_same_unit_named_as_a_copy() {
    let bromma = repo_root().join("data-samples/returns/2022/bromma-2022.xlsx");
    let bytes = std::fs::read(bromma).unwrap();
    Test::new()
        .pipeline(&[])
        .write("inkorg/2022/bromma-2022.xlsx", &bytes)
        .write("inkorg/2022/bromma-2022 (kopia).xlsx", &bytes)
        .args(&["validate", "p.toml", "inkorg"])
        .status(1)
        .stdout_has("fel: inkorg/2022/bromma-2022 (kopia).xlsx: Bromma stadsdelsnämnd har lämnat 2 återrapporteringar för 2022")
        .stdout_has("fel: inkorg/2022/bromma-2022.xlsx: Bromma stadsdelsnämnd har lämnat 2 återrapporteringar för 2022")
        .run();
}

#[test]
fn a_return_whose_hidden_sheet_says_another_year_than_its_folder() {
    Test::new()
        .pipeline(&[])
        .fixture("returns/un-2021.xlsx", "inkorg/2022/un-2022.xlsx")
        .args(&["validate", "p.toml", "inkorg"])
        .status(1)
        .stdout_has("fel: inkorg/2022/un-2022.xlsx: filen är Utbildningsnämndens mall för 2021, men den lämnades in för 2022.")
        .run();
}

#[test]
fn a_folder_named_like_a_workbook() {
    Test::new()
        .pipeline(&[])
        .write("inkorg/2022/x.xlsx/.gitkeep", "")
        .args(&["validate", "p.toml", "inkorg"])
        .status(1)
        .stdout_has("varning: inkorg/2022/x.xlsx: är en mapp fast namnet slutar som en fil")
        .run();
}

#[cfg(unix)]
#[test]
fn a_link_to_its_own_folder_in_the_inbox_is_not_followed() {
    let (_, dir) = Test::new()
        .pipeline(&[])
        .fixture("returns/un-2022.xlsx", "inkorg/2022/un-2022.xlsx")
        .args(&["check", "p.toml"])
        .run_keep();
    std::os::unix::fs::symlink(".", dir.path().join("inkorg/2022/sub")).unwrap();
    Test::within(dir)
        .args(&["validate", "p.toml", "inkorg"])
        .status(1)
        .stdout_has("varning: inkorg/2022/sub: är en länk till en mapp och följs inte")
        .stdout_has("1 fil läst, 0 avvisade")
        .run();
}

// ------------------------------------------------------------------ outputs

/// The sample run in a test folder, with the output and charts folders given.
fn sample_run(t: Test, out_dir: &str, charts: &str) -> Test {
    let root = repo_root();
    let path = |p: &str| root.join(p).to_string_lossy().replace('\\', "/");
    pipeline_in_test_folder(
        t,
        &path("data-samples/returns"),
        &path("data-samples/survey/enkat-2018.csv"),
        out_dir,
        charts,
    )
}

#[test]
fn a_run_with_its_output_in_the_inbox_stops_before_touching_it() {
    let inbox = repo_root().join("data-samples/returns");
    let before = std::fs::read_dir(inbox.join("2022")).unwrap().count();
    sample_run(Test::new(), &inbox.to_string_lossy(), "diagram")
        .args(&["run", "p.toml", "--offline"])
        .status(2)
        .stderr_has("output.dir")
        .stderr_has("är, innehåller eller ligger i inkorgen för återrapporteringar")
        .run();
    assert_eq!(
        std::fs::read_dir(inbox.join("2022")).unwrap().count(),
        before
    );
}

#[test]
fn an_output_folder_uppfolj_did_not_make_is_not_replaced() {
    sample_run(Test::new().write("ut/viktigt.txt", "mitt eget"), "ut", "diagram")
        .args(&["run", "p.toml", "--offline"])
        .status(2)
        .stderr_has("fel: ut finns redan och är ingen utdatamapp som uppfolj har skapat (filen .uppfolj-utdata saknas), så den ersätts inte.")
        .run();
}

#[test]
fn charts_published_into_an_inbox_year_folder_are_refused() {
    let t = Test::new()
        .fixture("returns/un-2022.xlsx", "inkorg/2022/un-2022.xlsx")
        .write("inkorg/2022/logo.png", "en logga");
    let (_, dir) = pipeline_in_test_folder(t, "inkorg", "enkat/enkat.csv", "ut", "inkorg/2022")
        .args(&["run", "p.toml", "--offline"])
        .status(2)
        .stderr_has("output.charts: inkorg/2022 är, innehåller eller ligger i inkorgen för återrapporteringar")
        .run_keep();
    assert_eq!(
        std::fs::read_to_string(dir.path().join("inkorg/2022/logo.png")).unwrap(),
        "en logga"
    );
}

#[test]
fn outputs_inside_the_survey_folder_or_the_reference_cache_are_refused_by_check() {
    let survey = repo_root().join("data-samples/survey");
    let cache = repo_root().join("data-samples/reference");
    for (out, what) in [
        (survey.join("ut"), "mappen med enkätfiler"),
        (cache.join("diagram"), "cachen för referensstatistik"),
    ] {
        let out = out.to_string_lossy().replace('\\', "/");
        sample_run(Test::new(), "ut", &out)
            .args(&["check", "p.toml"])
            .status(2)
            .stderr_has(&format!("är, innehåller eller ligger i {what}"))
            .run();
    }
    assert!(!survey.join("ut").exists() && !cache.join("diagram").exists());
}

#[test]
fn an_output_folder_beside_the_pipeline_file_is_allowed() {
    sample_run(Test::new(), "ut", "diagram")
        .args(&["check", "p.toml"])
        .stdout_has("p.toml: ok: 5 områden, 11 mål, 27 åtgärder, 34 indikatorer, 22 enheter")
        .run();
}

#[test]
fn the_current_folder_cannot_be_the_output() {
    sample_run(Test::new(), "ut", "diagram")
        .args(&["run", "p.toml", "--offline", "--out", "."])
        .status(2)
        .stderr_has("fel: . är, innehåller eller ligger i pipelinefilens mapp")
        .run();
}

// --------------------------------------------------------------------- ids

#[test]
fn ids_that_are_not_safe_file_names_are_refused_by_check() {
    for (from, to, message) in [
        (
            "id = \"amn\"",
            "id = \"../../pwned-unit\"",
            "id:t \"../../pwned-unit\" innehåller tecknet '/'",
        ),
        (
            "id = \"amn\"",
            "id = \"/tmp/x\"",
            "id:t \"/tmp/x\" innehåller tecknet '/'",
        ),
        (
            "id = \"amn\"",
            "id = \"a\\nb\"",
            "id:t \"a\\nb\" innehåller tecknet '\\n'",
        ),
        (
            "id = \"ARB-1\"",
            "id = \"../../../pwned-ind\"",
            "id:t \"../../../pwned-ind\" innehåller tecknet '/'",
        ),
        (
            "id = \"ARB-1\"",
            "id = \"..\"",
            "id:t \"..\" har en punkt först, sist eller två i rad",
        ),
        (
            "id = \"amn\"",
            "id = \"amn.\"",
            "id:t \"amn.\" har en punkt först, sist eller två i rad",
        ),
        (
            "id = \"ostermalm\"",
            "id = \"o\u{308}stermalm\"",
            "är skrivet med fristående accenttecken",
        ),
        (
            "id = \"kungsholmen\"",
            "id = \"AMN\"",
            "id:t \"AMN\" skiljer sig bara i stora och små bokstäver från id:t i units[",
        ),
    ] {
        Test::new()
            .pipeline(&[(from, to)])
            .args(&["check", "p.toml"])
            .status(2)
            .stderr_has(message)
            .run();
    }
}

#[test]
fn a_corrupt_parquet_file_that_makes_the_reader_panic_is_refused() {
    // Found by the fuzzer: polars' Parquet reader panics on it (a footer
    // field of the wrong type). The footer check now refuses it before
    // polars reads it; a reader that still panics is refused by the guard
    // (ingest::guarded's own test).
    Test::new()
        .pipeline(&[])
        .fixture("survey/fuzz-corrupt.parquet", "enkat.parquet")
        .fixture("survey/int-lost-zero.parquet", "enkat-b.parquet")
        .args(&["validate", "p.toml", "--year", "2021", "enkat.parquet", "enkat-b.parquet"])
        .status(1)
        .stdout_has("fel: enkat.parquet: Parquet-filens beskrivning av sig själv (metadata) följer inte formatet: ett fält som formatet kräver saknas eller har fel typ")
        .stdout_has("fel: enkat-b.parquet: Kolumn 2")
        .stderr_lacks("internt fel")
        .run();
}

#[test]
fn a_parquet_footer_claiming_a_list_of_billions_is_refused() {
    // Found by the fuzzer: the metadata asks for 189 GB. The binary's
    // allocator (mimalloc) only reserves it, and reading then fails.
    Test::new()
        .pipeline(&[])
        .fixture("survey/fuzz-huge-list.parquet", "enkat.parquet")
        .args(&["validate", "p.toml", "--year", "2021", "enkat.parquet"])
        .status(1)
        .stdout_has("fel: enkat.parquet: Parquet-filen går inte att läsa: den är avkortad eller skadad, eller ingen Parquet-fil. Exportera enkätsvaren på nytt.")
        .run();
}

#[test]
fn a_parquet_page_claiming_more_values_than_the_file_has_rows_is_refused() {
    // Found by the fuzzer: decoding it asks for exabytes of memory and aborts.
    Test::new()
        .pipeline(&[])
        .fixture("survey/fuzz-huge-page.parquet", "enkat.parquet")
        .args(&["validate", "p.toml", "--year", "2021", "enkat.parquet"])
        .status(1)
        .stdout_has("fel: enkat.parquet: Parquet-filen går inte att läsa: den är avkortad eller skadad, eller ingen Parquet-fil. Exportera enkätsvaren på nytt.")
        .run();
}

#[test]
fn a_huge_sparse_return_in_the_inbox_is_refused_without_being_read() {
    let t = Test::new().fixture("returns/un-2022.xlsx", "inkorg/2022/un-2022.xlsx");
    let (_, dir) = pipeline_in_test_folder(t, "inkorg", "enkat/enkat.csv", "ut", "diagram")
        .args(&["check", "p.toml"])
        .run_keep();
    // 3 GB that take no room on disk: reading it whole would need 3 GB of memory.
    let sparse = std::fs::File::create(dir.path().join("inkorg/2022/amn-2022.xlsx")).unwrap();
    sparse.set_len(3 << 30).unwrap();
    drop(sparse);
    let (_, dir) = Test::within(dir)
        .args(&["run", "p.toml", "--offline"])
        .status(1)
        .stdout_has("Avvisade filer: 1")
        .run_keep();
    let manifest = std::fs::read_to_string(dir.path().join("ut/manifest.json")).unwrap();
    assert!(manifest.contains("amn-2022.xlsx"), "{manifest}");
}

#[test]
fn no_identifier_planted_in_any_error_path_reaches_any_output() {
    let sample = sample_2018();
    let (header, rest) = sample.split_once('\n').unwrap();
    // Invalid UTF-8 right after the identifier, in a file otherwise UTF-8.
    let mut broken = set(&sample, 3, "kommentar", &format!("å {PNR}")).into_bytes();
    let at = broken
        .windows(PNR.len())
        .position(|w| w == PNR.as_bytes())
        .unwrap();
    broken.insert(at + PNR.len(), 0xFF);
    let cases: Vec<Vec<u8>> = vec![
        // A quote never closed, right before the personnummer.
        set(&sample, 5, "kommentar", &format!("\"{PNR}")).into_bytes(),
        // No header row: the first row, with the personnummer, is taken for one.
        rest.replacen("R00001", PNR, 1).into_bytes(),
        // The header is an e-mail address.
        sample
            .replacen("kommentar", "anna.svensson@example.se", 1)
            .into_bytes(),
        // A row with more fields than the header, the extra one an identifier.
        set(&sample, 5, "kommentar", &format!("x,{PNR}")).into_bytes(),
        broken,
    ];
    let _ = header;
    let secrets = ["811218", "9876", "anna.svensson", "example.se"];
    let inbox = repo_root()
        .join("data-samples/returns")
        .to_string_lossy()
        .replace('\\', "/");
    for (i, survey) in cases.iter().enumerate() {
        let t =
            pipeline_in_test_folder(Test::new(), &inbox, "enkat/enkat-2018.csv", "ut", "diagram")
                .write("enkat/enkat-2018.csv", survey)
                .args(&["run", "p.toml", "--offline", "-v"])
                .status(1)
                .stdout_has("Avvisade filer: 1");
        let t = secrets
            .iter()
            .fold(t, |t, s| t.stdout_lacks(s).stderr_lacks(s));
        let (_, dir) = t.run_keep();
        for (name, text) in crate::run::written_text(&dir.path().join("ut")) {
            for s in secrets {
                assert!(!text.contains(s), "case {i}: {s:?} found in {name}");
            }
        }
    }
}

#[test]
fn a_kpi_id_that_would_name_a_file_outside_the_cache_is_refused_by_check() {
    Test::new()
        .pipeline(&[("kpi = \"N02267\"", "kpi = \"../../N02267\"")])
        .args(&["check", "p.toml"])
        .status(2)
        .stderr_has("reference.series[0].kpi: \"../../N02267\" är inget nyckeltals-id")
        .run();
}

#[cfg(unix)]
#[test]
fn a_refused_return_whose_name_holds_a_newline_gets_its_feedback_under_a_plain_name() {
    let t = Test::new().write("inkorg/2022/tom\nrad.xlsx", "");
    let (_, dir) = pipeline_in_test_folder(t, "inkorg", "enkat/enkat.csv", "ut", "diagram")
        .args(&["run", "p.toml", "--offline"])
        .status(1)
        .stdout_has("Avvisade filer: 1")
        .run_keep();
    assert!(
        dir.path()
            .join("ut-EJ-FOR-PUBLICERING/feedback/avvisad-tom_rad.txt")
            .is_file()
    );
}

#[test]
fn a_filled_in_return_is_never_overwritten_by_a_new_template() {
    let (_, dir) = Test::new()
        .pipeline(&[])
        .args(&[
            "template", "p.toml", "--year", "2022", "--out", "mallar", "--unit", "un",
        ])
        .stdout_has("1 mallar för 2022 skrivna till mallar")
        .run_keep();
    // Written again while unchanged: fine.
    let (_, dir) = Test::within(dir)
        .args(&[
            "template", "p.toml", "--year", "2022", "--out", "mallar", "--unit", "un",
        ])
        .stdout_has("1 mallar för 2022 skrivna till mallar")
        .run_keep();
    // Filled in (here: replaced by a committee's return): never overwritten.
    let filled = repo_root().join("tests/fixtures/returns/un-2022.xlsx");
    std::fs::copy(&filled, dir.path().join("mallar/un-2022.xlsx")).unwrap();
    let (_, dir) = Test::within(dir)
        .args(&["template", "p.toml", "--year", "2022", "--out", "mallar", "--unit", "un"])
        .status(2)
        .stderr_has("fel: mallar/un-2022.xlsx finns redan och är inte en mall som uppfolj har skrivit (den kan vara ifylld), så den skrivs inte över.")
        .run_keep();
    assert_eq!(
        std::fs::read(dir.path().join("mallar/un-2022.xlsx")).unwrap(),
        std::fs::read(filled).unwrap()
    );
}

// ------------------------------------------------------------- the terminal

#[test]
fn a_reader_that_stops_listening_ends_the_program_quietly() {
    // As `uppfolj show p.toml | head -0`: the pipe is closed before anything is written.
    let pipeline = repo_root().join("pipelines/romsk-inkludering-2018-2022.toml");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_uppfolj"))
        .args(["show".as_ref(), pipeline.as_os_str()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert_eq!(out.status.code(), Some(0));
}
