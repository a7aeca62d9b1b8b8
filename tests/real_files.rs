//! Files as other tools make them: a locked file is called locked in every
//! format, a format no reader takes is named with what to save instead, the
//! kind of a file is told by its content wherever it lies, survey exports
//! with a title, in Windows-1252, with CR line ends or in UTF-16 are read,
//! and dates and UUIDs are not taken for identifiers.

use std::io::{Cursor, Write};

use crate::survey::{refused, sample_2018};
use crate::test::{Test, line_of, sample_pipeline};

/// The sample pipeline's 2018 survey file, which a test points elsewhere.
const SURVEY_2018: &str = "path = \"../data-samples/survey/enkat-2018.csv\"";

const PASSWORD: &str =
    "filen är lösenordsskyddad (krypterad) och kan inte läsas. Spara en kopia utan lösenord";

/// A compound file (OLE) holding `streams`, as Office writes its old formats.
fn ole(streams: &[(&str, &[u8])]) -> Vec<u8> {
    let mut f = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
    for (name, data) in streams {
        f.create_stream(name).unwrap().write_all(data).unwrap();
    }
    f.into_inner().into_inner()
}

fn record(kind: u16, data: &[u8]) -> Vec<u8> {
    [
        &kind.to_le_bytes()[..],
        &(data.len() as u16).to_le_bytes(),
        data,
    ]
    .concat()
}

/// An `.xls` workbook stream locked with a password: BOF, FILEPASS (RC4),
/// then a sheet record whose name is ciphertext.
fn locked_xls() -> Vec<u8> {
    let stream = [
        record(0x0809, &[0, 6, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        record(0x002F, &[1, 0, 1, 0, 1, 0, 2, 0]),
        record(
            0x0085,
            &[0x10, 0, 0, 0, 0, 0, 5, 0, 0x9c, 0x31, 0xee, 0x02, 0x7a],
        ),
        record(0x000A, &[]),
    ]
    .concat();
    ole(&[("Workbook", &stream)])
}

/// A zip holding `entries`, stored as they are.
fn zip(entries: &[(&str, &str)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, text) in entries {
        w.start_file(*name, opts).unwrap();
        w.write_all(text.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// Validates `bytes` as a committee return named `name`; expects the refusal.
fn return_refused(name: &str, bytes: &[u8], message: &str) {
    Test::new()
        .pipeline(&[])
        .write(name, bytes)
        .args(&["validate", "p.toml", "--year", "2022", name])
        .status(1)
        .stdout_has(&format!("fel: {name}: {message}"))
        .stdout_has("1 avvisade")
        .run();
}

#[test]
fn a_locked_file_is_called_locked_in_every_format() {
    return_refused("amn-2022.xls", &locked_xls(), PASSWORD);
    let ooxml = ole(&[
        ("EncryptionInfo", b"\x04\x00\x04\x00"),
        ("EncryptedPackage", b"x"),
    ]);
    return_refused("amn-2022.xlsx", &ooxml, PASSWORD);
    let ods = zip(&[
        ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
        (
            "META-INF/manifest.xml",
            "<manifest:file-entry manifest:full-path=\"content.xml\"><manifest:encryption-data manifest:checksum-type=\"SHA1/1K\"/></manifest:file-entry>",
        ),
        ("content.xml", "\u{1}\u{2}binary"),
    ]);
    return_refused("amn-2022.ods", &ods, PASSWORD);
    // The same files given as survey exports, under any name.
    refused("enkat.csv", locked_xls(), PASSWORD, &[]);
    refused("enkat.xlsx", &ooxml, PASSWORD, &[]);
    refused(
        "enkat.parquet",
        b"PARE\x00\x01\x02\x03\x10\x00\x00\x00PARE",
        "Parquet-filen är krypterad och kan inte läsas. Exportera enkätsvaren på nytt utan kryptering.",
        &[],
    );
}

#[test]
fn formats_no_reader_takes_are_named_with_what_to_save_instead() {
    let xlsb = zip(&[
        ("[Content_Types].xml", "<Types/>"),
        ("xl/workbook.bin", "\u{83}\u{1}"),
    ]);
    return_refused(
        "amn-2022.xlsb",
        &xlsb,
        "filen är en binär Excel-arbetsbok (.xlsb), som inte kan läsas. Öppna den i Excel och spara som Excel-arbetsbok (.xlsx).",
    );
    let biff4 = [record(0x0409, &[0, 0, 0x10, 0, 0, 0]), record(0x000A, &[])].concat();
    return_refused(
        "amn-2022.xls",
        &biff4,
        "filen är sparad i Excel 2.x–4.0, ett format från före 1993 som inte kan läsas.",
    );
    let elsewhere = zip(&[(
        "[Content_Types].xml",
        r#"<Types><Override PartName="/bok/arbetsbok.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#,
    )]);
    return_refused(
        "amn-2022.xlsx",
        &elsewhere,
        "filen ser ut att vara en Excel-arbetsbok, men arbetsboken som paketet pekar ut finns inte i det, så den kan inte läsas. Öppna den i Excel och spara som Excel-arbetsbok (.xlsx).",
    );
    let word = ole(&[("WordDocument", b"x")]);
    return_refused(
        "amn-2022.xlsx",
        &word,
        "filen är ett annat Office-dokument (t.ex. Word eller Outlook), inte en arbetsbok. Ladda ner årets mall",
    );
    refused(
        "enkat.csv",
        &xlsb,
        "filen är en binär Excel-arbetsbok (.xlsb), som inte kan läsas.",
        &[],
    );
}

#[test]
fn a_text_or_parquet_file_in_the_returns_inbox_is_told_what_a_return_is() {
    let t = Test::new()
        .pipeline(&[("inbox = \"../data-samples/returns\"", "inbox = \"inkorg\"")])
        .write("inkorg/amn-2022.csv", sample_2018());
    t.args(&["validate", "p.toml", "--year", "2022", "inkorg"])
        .status(1)
        .stdout_has("fel: inkorg/amn-2022.csv: filen är en textfil (t.ex. CSV), inte en arbetsbok; en återrapportering är årets Excel-mall, ifylld. Ladda ner årets mall")
        .stdout_lacks("kodbok")
        .run();
}

/// The 2018 sample as a workbook, with `title_rows` rows of title above it.
fn survey_workbook(title_rows: u32) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet
        .write_string(0, 0, "Enkät om levnadsvillkor 2018")
        .unwrap();
    for (r, line) in sample_2018().lines().enumerate() {
        for (c, field) in line.split(',').enumerate() {
            if !field.is_empty() {
                sheet
                    .write_string(r as u32 + title_rows, c as u16, field)
                    .unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

#[test]
fn a_survey_workbook_with_a_title_above_its_header_row_is_read_and_the_rows_are_said() {
    Test::new()
        .pipeline(&[(SURVEY_2018, "path = \"enkat.xlsx\"")])
        .write("enkat.xlsx", survey_workbook(2))
        .args(&["validate", "p.toml", "--year", "2018", "enkat.xlsx"])
        .stdout_has("info: enkat.xlsx: 620 svar 2018")
        .stdout_has("arbetsbok, rubrikraden på rad 3; 2 rader ovanför den lästes inte")
        .stdout_has("1 fil läst, 0 avvisade; 0 fel och 0 varningar.")
        .run();
}

#[test]
fn a_personal_number_in_a_title_row_refuses_the_file() {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "Kontakt 811218-9876").unwrap();
    for (r, line) in sample_2018().lines().enumerate() {
        for (c, field) in line.split(',').enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, field).unwrap();
        }
    }
    let mut t = Test::new()
        .pipeline(&[(SURVEY_2018, "path = \"enkat.xlsx\"")])
        .write("enkat.xlsx", book.save_to_buffer().unwrap())
        .args(&["validate", "p.toml", "enkat.xlsx"])
        .status(1)
        .stdout_has("fel: enkat.xlsx: Raderna ovanför rubrikraden innehåller något som ser ut som ett personnummer eller samordningsnummer. Enkäten får bara innehålla anonyma svar");
    for secret in ["811218", "9876", "Kontakt"] {
        t = t.stdout_lacks(secret).stderr_lacks(secret);
    }
    t.run();
}

#[test]
fn a_workbook_named_csv_is_read_as_a_workbook() {
    Test::new()
        .pipeline(&[])
        .write("enkat.csv", survey_workbook(0))
        .args(&["validate", "p.toml", "--year", "2018", "enkat.csv"])
        .stdout_has("info: enkat.csv: 620 svar 2018")
        .stdout_has("(arbetsbok)")
        .run();
}

/// Validates `bytes` as the 2018 survey and expects it read, in `format`.
fn survey_read(bytes: Vec<u8>, format: &str) {
    Test::new()
        .pipeline(&[])
        .write("enkat.csv", bytes)
        .args(&["validate", "p.toml", "--year", "2018", "enkat.csv"])
        .stdout_has("info: enkat.csv: 620 svar 2018")
        .stdout_has(format)
        .stdout_has("1 fil läst, 0 avvisade; 0 fel och 0 varningar.")
        .run();
}

#[test]
fn survey_text_in_windows_1252_with_signs_in_cr_lines_and_in_utf_16_is_read() {
    let sample = sample_2018();
    let signs = sample.replacen(
        "Önskar mer information",
        "© Stadsledningskontoret; 20 € och 5 £: önskar mer information",
        1,
    );
    let (cp1252, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&signs);
    assert!(!unmappable);
    survey_read(cp1252.into_owned(), "(CSV, Windows-1252, komma)");
    survey_read(
        sample
            .replace("\r\n", "\r")
            .replace('\n', "\r")
            .into_bytes(),
        "(CSV, UTF-8, radslut CR, komma)",
    );
    let tabs = sample.replace(',', "\t");
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(tabs.encode_utf16().flat_map(u16::to_le_bytes));
    survey_read(utf16, "(CSV, UTF-16, tabb)");
}

#[test]
fn date_times_and_uuids_in_a_survey_are_not_identifiers() {
    let mut lines = sample_2018()
        .lines()
        .map(str::to_string)
        .collect::<Vec<_>>();
    lines[0].push_str(",inskickad,svarsid");
    for (i, line) in lines.iter_mut().enumerate().skip(1) {
        line.push_str(&format!(
            ",2012-06-{:02} {:02}:00:00,{:08x}-{:04x}-4{:03x}-8{:03x}-0{:011}",
            i % 28 + 1,
            i % 24,
            i * 7919,
            i % 65536,
            i % 4096,
            i % 4096,
            8_112_189_876u64 + i as u64
        ));
    }
    survey_read(
        (lines.join("\n") + "\n").into_bytes(),
        "(CSV, UTF-8, komma)",
    );
}

#[test]
fn check_tells_a_bad_value_an_unknown_measure_and_an_unknown_unit_in_one_run() {
    let text = sample_pipeline().replacen("direction = \"higher\"", "direction = \"hgher\"", 1);
    let text = text.replacen("measure = \"ARB-A1\"", "measure = \"ARB-A99\"", 1);
    let text = text.replacen("responsible = [\"amn\"]", "responsible = [\"xyz\"]", 1);
    let stderr = {
        let out = Test::new()
            .write("p.toml", &text)
            .args(&["check", "p.toml"])
            .status(2)
            .stderr_has(&format!(
                "p.toml:{}: indicators[0].direction: okänt värde \"hgher\"; tillåtna värden är \"higher\", \"lower\"; menade du \"higher\"?",
                line_of(&text, "\"hgher\"")
            ))
            .run();
        String::from_utf8(out.stderr).unwrap()
    };
    assert!(
        stderr.contains(&format!("p.toml:{}:", line_of(&text, "\"ARB-A99\""))),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("p.toml:{}:", line_of(&text, "[\"xyz\"]"))),
        "{stderr}"
    );
}

#[test]
fn ids_may_be_numbered_with_dots_as_swedish_plans_number_them() {
    let text = sample_pipeline()
        .replace("\"ARB-G1\"", "\"1.1\"")
        .replace("\"ARB-A1\"", "\"2.3.a\"");
    Test::new()
        .write("p.toml", &text)
        .args(&["check", "p.toml"])
        .stdout_has("p.toml: ok: 5 områden, 11 mål, 27 åtgärder")
        .run();
    let text = sample_pipeline().replace("\"ARB-G1\"", "\"1..1\"");
    Test::new()
        .write("p.toml", &text)
        .args(&["check", "p.toml"])
        .status(2)
        .stderr_has("goals[0].id: id:t \"1..1\" har en punkt först, sist eller två i rad")
        .run();
}

#[test]
fn a_folder_named_as_a_file_is_said_to_be_a_folder() {
    let t = Test::new()
        .pipeline(&[])
        .write("amn-2022.xlsx/kvar.txt", "");
    t.args(&["validate", "p.toml", "amn-2022.xlsx"])
        .status(1)
        .stdout_has("fel: amn-2022.xlsx: är en mapp, inte en fil, fast namnet slutar som ett filnamn, så inget i den läses.")
        .run();
}

#[test]
fn a_nested_parquet_column_the_codebook_does_not_use_is_left_unread() {
    use polars::prelude::*;
    let sample = crate::test::repo_root().join("data-samples/survey/enkat-2021.parquet");
    let mut frame = ParquetReader::new(std::fs::File::open(sample).unwrap())
        .finish()
        .unwrap();
    let lists: Vec<Series> = (0..frame.height())
        .map(|i| Series::new("".into(), &[i as i32, 1]))
        .collect();
    frame
        .with_column(Series::new("taggar".into(), lists).into())
        .unwrap();
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes).finish(&mut frame).unwrap();
    Test::new()
        .pipeline(&[])
        .write("enkat.parquet", bytes)
        .args(&["validate", "p.toml", "--year", "2021", "enkat.parquet"])
        .stdout_has("svar 2021")
        .stdout_has(
            "(Parquet; 1 kolumn av en sammansatt typ som kodboken inte använder lästes inte)",
        )
        .stdout_has("1 fil läst, 0 avvisade; 0 fel och 0 varningar.")
        .run();
}

/// The sample's 2021 Parquet export with `field` put at the end of its footer
/// (Thrift compact bytes, before the footer's final stop), its length mended.
fn parquet_with_footer_field(field: &[u8]) -> Vec<u8> {
    let sample = crate::test::repo_root().join("data-samples/survey/enkat-2021.parquet");
    let mut bytes = std::fs::read(sample).unwrap();
    let n = bytes.len();
    let len = u32::from_le_bytes(bytes[n - 8..n - 4].try_into().unwrap());
    assert_eq!(bytes[n - 9], 0, "the footer ends with a stop byte");
    bytes.splice(n - 9..n - 9, field.iter().copied());
    let len = len + field.len() as u32;
    let m = bytes.len();
    bytes[m - 8..m - 4].copy_from_slice(&len.to_le_bytes());
    bytes
}

#[test]
fn parquet_with_encrypted_columns_under_a_plain_footer_is_called_encrypted() {
    // FileMetaData field 8, encryption_algorithm: an (empty) struct.
    refused(
        "enkat.parquet",
        parquet_with_footer_field(&[0x0C, 0x10, 0x00]),
        "Parquet-filens kolumner är krypterade, så den kan inte läsas. Exportera enkätsvaren på nytt utan kryptering.",
        &[],
    );
}

#[test]
fn parquet_whose_metadata_breaks_the_format_is_said_to_do_so_not_to_be_damaged() {
    // FileMetaData field 7 (column_orders, a list) as an i32: well-formed
    // Thrift, but not what the format says.
    let bytes = parquet_with_footer_field(&[0x05, 0x0E, 0x02]);
    refused(
        "enkat.parquet",
        &bytes,
        "Parquet-filens beskrivning av sig själv (metadata) följer inte formatet: ett fält som formatet kräver saknas eller har fel typ",
        &[],
    );
    Test::new()
        .pipeline(&[])
        .write("enkat.parquet", bytes)
        .args(&["validate", "p.toml", "--year", "2018", "enkat.parquet"])
        .status(1)
        .stdout_lacks("skadad")
        .run();
}

/// What `validate` tells of the return `name` holding `bytes`.
fn validated(name: &str, bytes: &[u8]) -> String {
    let out = Test::new()
        .pipeline(&[])
        .write(name, bytes)
        .args(&["validate", "p.toml", name])
        .run();
    String::from_utf8(out.stdout).unwrap()
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        crate::test::repo_root()
            .join("tests/fixtures/returns")
            .join(name),
    )
    .unwrap()
}

#[test]
fn an_xlsm_with_a_dialog_sheet_reads_as_the_same_return() {
    let workbook = |x: String| {
        x.replace(
            "<sheets>",
            "<sheets><sheet name=\"Dialog1\" sheetId=\"9\" state=\"visible\" r:id=\"rId9\"/>",
        )
    };
    let rels = |x: String| {
        x.replace(
            "</Relationships>",
            "<Relationship Id=\"rId9\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/dialogsheet\" Target=\"dialogsheets/sheet1.xml\"/></Relationships>",
        )
    };
    let types = |x: String| {
        x.replace(
            "</Types>",
            "<Override PartName=\"/xl/dialogsheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.dialogsheet+xml\"/></Types>",
        )
    };
    let dialog = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<dialogsheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetViews><sheetView workbookViewId=\"0\"/></sheetViews><sheetFormatPr defaultRowHeight=\"15\"/><pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/></dialogsheet>";
    let with_dialog = crate::hostile::edited_package(
        "lo-un-2022.xlsm",
        &[
            ("xl/workbook.xml", &workbook),
            ("xl/_rels/workbook.xml.rels", &rels),
            ("[Content_Types].xml", &types),
        ],
        &[("xl/dialogsheets/sheet1.xml", dialog)],
    );
    let original = validated("un-2022.xlsm", &fixture("lo-un-2022.xlsm"));
    assert!(original.contains("1 fil läst, 0 avvisade"), "{original}");
    assert_eq!(validated("un-2022.xlsm", &with_dialog), original);
}

/// The `.xls` return fixture with its workbook stream edited.
fn xls_with_stream(edit: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    use std::io::Read;
    let mut file = cfb::CompoundFile::open(Cursor::new(fixture("lo-un-2022.xls"))).unwrap();
    let mut stream = Vec::new();
    file.open_stream("/Workbook")
        .unwrap()
        .read_to_end(&mut stream)
        .unwrap();
    edit(&mut stream);
    file.create_stream("/Workbook")
        .unwrap()
        .write_all(&stream)
        .unwrap();
    file.into_inner().into_inner()
}

/// Every record of type `from` retyped `to`, its length kept.
fn retype_records(stream: &mut [u8], from: u16, to: u16) {
    let (mut at, mut retyped) = (0, 0);
    while at + 4 <= stream.len() {
        let kind = u16::from_le_bytes([stream[at], stream[at + 1]]);
        let len = u16::from_le_bytes([stream[at + 2], stream[at + 3]]) as usize;
        if kind == from {
            stream[at..at + 2].copy_from_slice(&to.to_le_bytes());
            retyped += 1;
        }
        at += 4 + len;
    }
    assert!(retyped > 0, "the fixture has records of type {from:#x}");
}

#[test]
fn unknown_xls_records_and_a_padded_stream_are_read_as_the_same_return() {
    let original = validated("un-2022.xls", &fixture("lo-un-2022.xls"));
    assert!(original.contains("1 fil läst, 0 avvisade"), "{original}");
    // SELECTION (0x1D), in every sheet, and BOOKEXT (0x863), as record types
    // no version of Excel has used.
    for (from, to) in [(0x001D, 0x7A7A), (0x0863, 0x0FFE)] {
        let unknown = xls_with_stream(|s| retype_records(s, from, to));
        assert_eq!(validated("un-2022.xls", &unknown), original, "{from:#x}");
    }
    // Writers that pad the stream to its sector leave bytes after the last
    // record, fewer than a record's header.
    let padded = xls_with_stream(|s| s.extend([0, 0, 0]));
    assert_eq!(validated("un-2022.xls", &padded), original);
}

/// The package `bytes` with its entries renamed by `moves` (old name, new
/// name) and the texts of its parts edited by `edits` (after the moves).
fn repackaged(bytes: Vec<u8>, moves: &[(&str, &str)], edits: &[(&str, &str, &str)]) -> Vec<u8> {
    crate::hostile::rezipped(bytes, |old, data| {
        let new = moves
            .iter()
            .find(|(o, _)| *o == old)
            .map_or(old, |m| m.1.to_string());
        let mut text = String::from_utf8(data).unwrap();
        for (entry, from, to) in edits.iter().filter(|e| e.0 == new) {
            assert!(text.contains(from), "{entry} has {from}");
            text = text.replace(from, to);
        }
        (new, text.into_bytes())
    })
    .finish()
}

#[test]
fn a_package_with_its_parts_at_unusual_paths_reads_as_the_same_return() {
    let original = validated("un-2022.xlsx", &fixture("un-2022.xlsx"));
    assert!(original.contains("1 fil läst, 0 avvisade"), "{original}");
    let sheets: Vec<(String, String)> = (1..=4)
        .map(|n| {
            (
                format!("xl/worksheets/sheet{n}.xml"),
                format!("sheets/s{n}.xml"),
            )
        })
        .collect();
    let mut moves: Vec<(&str, &str)> = vec![
        ("xl/workbook.xml", "book/main.xml"),
        ("xl/_rels/workbook.xml.rels", "book/_rels/main.xml.rels"),
        ("xl/sharedStrings.xml", "book/text.xml"),
        ("xl/styles.xml", "look/styles1.xml"),
        ("xl/theme/theme1.xml", "book/theme/theme1.xml"),
    ];
    moves.extend(sheets.iter().map(|(o, n)| (o.as_str(), n.as_str())));
    let mut edits = vec![
        (
            "_rels/.rels",
            "Target=\"xl/workbook.xml\"",
            "Target=\"book/main.xml\"",
        ),
        (
            "book/_rels/main.xml.rels",
            "Target=\"sharedStrings.xml\"",
            "Target=\"text.xml\"",
        ),
        (
            "book/_rels/main.xml.rels",
            "Target=\"styles.xml\"",
            "Target=\"/look/styles1.xml\"",
        ),
        ("[Content_Types].xml", "/xl/workbook.xml", "/book/main.xml"),
        (
            "[Content_Types].xml",
            "/xl/sharedStrings.xml",
            "/book/text.xml",
        ),
        ("[Content_Types].xml", "/xl/styles.xml", "/look/styles1.xml"),
        ("[Content_Types].xml", "/xl/theme/", "/book/theme/"),
    ];
    let targets: Vec<(String, String, String)> = (1..=4)
        .map(|n| {
            (
                format!("Target=\"worksheets/sheet{n}.xml\""),
                format!("Target=\"../sheets/s{n}.xml\""),
                format!("/xl/worksheets/sheet{n}.xml"),
            )
        })
        .collect();
    let sheet_types: Vec<String> = (1..=4).map(|n| format!("/sheets/s{n}.xml")).collect();
    for ((from, to, typed), new) in targets.iter().zip(&sheet_types) {
        edits.push(("book/_rels/main.xml.rels", from, to));
        edits.push(("[Content_Types].xml", typed, new));
    }
    let elsewhere = repackaged(fixture("un-2022.xlsx"), &moves, &edits);
    assert_eq!(validated("un-2022.xlsx", &elsewhere), original);
    // The workbook where it usually is, but its text in another part.
    let strings = repackaged(
        fixture("un-2022.xlsx"),
        &[("xl/sharedStrings.xml", "xl/strings/text.xml")],
        &[
            (
                "xl/_rels/workbook.xml.rels",
                "Target=\"sharedStrings.xml\"",
                "Target=\"strings/text.xml\"",
            ),
            (
                "[Content_Types].xml",
                "/xl/sharedStrings.xml",
                "/xl/strings/text.xml",
            ),
        ],
    );
    assert_eq!(validated("un-2022.xlsx", &strings), original);
}

#[test]
fn a_survey_workbook_with_its_parts_elsewhere_reads_the_same() {
    let sample = crate::test::repo_root().join("data-samples/survey/enkat-2020.xlsx");
    let bytes = std::fs::read(sample).unwrap();
    let said = |bytes: &[u8]| {
        let out = Test::new()
            .pipeline(&[(
                "path = \"../data-samples/survey/enkat-2020.xlsx\"",
                "path = \"enkat.xlsx\"",
            )])
            .write("enkat.xlsx", bytes)
            .args(&["validate", "p.toml", "--year", "2020", "enkat.xlsx"])
            .run();
        String::from_utf8(out.stdout).unwrap()
    };
    let original = said(&bytes);
    assert!(original.contains("svar 2020"), "{original}");
    let elsewhere = repackaged(
        bytes,
        &[
            ("xl/workbook.xml", "enkat/bok.xml"),
            ("xl/_rels/workbook.xml.rels", "enkat/_rels/bok.xml.rels"),
            ("xl/worksheets/sheet1.xml", "enkat/svar.xml"),
            ("xl/sharedStrings.xml", "enkat/texter.xml"),
        ],
        &[
            (
                "_rels/.rels",
                "Target=\"xl/workbook.xml\"",
                "Target=\"/enkat/bok.xml\"",
            ),
            (
                "enkat/_rels/bok.xml.rels",
                "Target=\"worksheets/sheet1.xml\"",
                "Target=\"svar.xml\"",
            ),
            (
                "enkat/_rels/bok.xml.rels",
                "Target=\"sharedStrings.xml\"",
                "Target=\"texter.xml\"",
            ),
            (
                "enkat/_rels/bok.xml.rels",
                "Target=\"styles.xml\"",
                "Target=\"../xl/styles.xml\"",
            ),
            (
                "enkat/_rels/bok.xml.rels",
                "Target=\"theme/theme1.xml\"",
                "Target=\"/xl/theme/theme1.xml\"",
            ),
        ],
    );
    assert_eq!(said(&elsewhere), original);
}

#[test]
fn parquet_values_that_do_not_decode_are_said_to_break_the_format_not_the_file() {
    use polars::prelude::*;
    let texts: Vec<String> = (0..50).map(|i| format!("svar-{i:05}")).collect();
    let mut frame = df!("kommentar" => texts).unwrap();
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes)
        .with_compression(ParquetCompression::Uncompressed)
        .finish(&mut frame)
        .unwrap();
    // The first value's length prefix, as a PLAIN byte array writes it,
    // made to claim two gigabytes: the page headers stay sound.
    let at = bytes.windows(10).position(|w| w == b"svar-00000").unwrap();
    assert_eq!(bytes[at - 4..at], 10u32.to_le_bytes());
    bytes[at - 4..at].copy_from_slice(&0x7FFF_FFF0u32.to_le_bytes());
    refused(
        "enkat.parquet",
        bytes,
        "Parquet-filens beskrivning går att läsa, men värdena i en kolumn går inte att avkoda: de är kodade på ett sätt som inte följer formatet (en del program läser förbi det). Exportera enkätsvaren på nytt från ett annat program, eller som CSV UTF-8.",
        &["svar-"],
    );
}

/// The package `bytes` with the unpacked size of its part `entry` declared
/// as 100 bytes in both its local header and the central directory, as
/// calamine's `issue252.xlsx` has it: the part unpacks to more.
fn with_wrong_size(mut bytes: Vec<u8>, entry: &str) -> Vec<u8> {
    let name = entry.as_bytes();
    let headers: Vec<(usize, usize)> = (0..bytes.len() - 4)
        .filter_map(|at| match &bytes[at..at + 4] {
            b"PK\x03\x04" => Some((at, 22, 30)),
            b"PK\x01\x02" => Some((at, 24, 46)),
            _ => None,
        })
        .filter(|&(at, _, name_at)| bytes[at + name_at..].starts_with(name))
        .map(|(at, size, _)| (at, size))
        .collect();
    assert_eq!(headers.len(), 2, "a local and a central header for {entry}");
    for (at, size) in headers {
        bytes[at + size..at + size + 4].copy_from_slice(&100u32.to_le_bytes());
    }
    bytes
}

#[test]
fn a_part_that_unpacks_to_more_than_declared_is_named_as_damaged_after_saving() {
    return_refused(
        "amn-2022.xlsx",
        &with_wrong_size(fixture("un-2022.xlsx"), "xl/_rels/workbook.xml.rels"),
        "arbetsboken är skadad: delen xl/_rels/workbook.xml.rels packas inte upp till det som arkivet säger om den (storlek och kontrollsumma), så filen har ändrats eller förstörts efter att den sparades. Öppna originalet, spara det på nytt och skicka den nya filen.",
    );
}

#[test]
fn a_survey_workbook_whose_part_unpacks_to_more_than_declared_is_called_damaged() {
    let sample = crate::test::repo_root().join("data-samples/survey/enkat-2020.xlsx");
    let bytes = with_wrong_size(std::fs::read(sample).unwrap(), "xl/_rels/workbook.xml.rels");
    Test::new()
        .pipeline(&[(SURVEY_2018, "path = \"enkat.xlsx\"")])
        .write("enkat.xlsx", bytes)
        .args(&["validate", "p.toml", "--year", "2018", "enkat.xlsx"])
        .status(1)
        .stdout_has("fel: enkat.xlsx: arbetsboken är skadad: en del av den packas inte upp till det som arkivet säger om den (storlek och kontrollsumma), så filen har ändrats eller förstörts efter att den sparades. Exportera enkätsvaren på nytt.")
        .run();
}
