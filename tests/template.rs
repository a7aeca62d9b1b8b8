//! `uppfolj template`: one workbook per reporting unit, built so that mistakes
//! are hard: locked structure, open and validated value cells, dropdowns, and
//! a hidden sheet that says what the file is.

use std::io::Read;

use calamine::{Reader, SheetVisible, Xlsx, open_workbook};

use crate::test::Test;

fn xml_of(path: &std::path::Path, entry: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut s = String::new();
    zip.by_name(entry).unwrap().read_to_string(&mut s).unwrap();
    s
}

/// Writes one unit's template for a year into `m/` of a fresh test folder.
fn one_template(unit: &str, year: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let (_, dir) = Test::new()
        .pipeline(&[])
        .args(&[
            "template", "p.toml", "--year", year, "--out", "m", "--unit", unit,
        ])
        .run_keep();
    let path = dir.path().join(format!("m/{unit}-{year}.xlsx"));
    (dir, path)
}

#[test]
fn one_workbook_per_unit_that_reports_in_2022() {
    let (_, dir) = Test::new()
        .pipeline(&[])
        .args(&["template", "p.toml", "--year", "2022", "--out", "mallar"])
        .stdout_has("18 mallar för 2022 skrivna till mallar")
        .run_keep();
    let mut names: Vec<String> = std::fs::read_dir(dir.path().join("mallar"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".uppfolj-mallar")
        .collect();
    names.sort();
    assert_eq!(names.len(), 18, "{names:?}");
    for expected in [
        "ks-2022.xlsx",
        "amn-2022.xlsx",
        "un-2022.xlsx",
        "kun-2022.xlsx",
        "sn-2022.xlsx",
        "hagersten-alvsjo-2022.xlsx",
        "farsta-2022.xlsx",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} missing: {names:?}"
        );
    }
    assert!(
        !names.iter().any(|n| n.starts_with("alvsjo")),
        "Älvsjö no longer reports in 2022"
    );
}

#[test]
fn districts_follow_the_merger_of_2020() {
    let (_, dir) = Test::new()
        .pipeline(&[])
        .args(&["template", "p.toml", "--year", "2019", "--out", "m"])
        .stdout_has("19 mallar för 2019")
        .run_keep();
    assert!(dir.path().join("m/alvsjo-2019.xlsx").exists());
    assert!(!dir.path().join("m/hagersten-alvsjo-2019.xlsx").exists());
}

#[test]
fn one_unit_only() {
    Test::new()
        .pipeline(&[])
        .args(&[
            "template", "p.toml", "--year", "2022", "--out", "m", "--unit", "amn",
        ])
        .stdout_has("m/amn-2022.xlsx")
        .stdout_has("1 mallar för 2022")
        .run();
}

#[test]
fn unknown_unit_and_year_outside_period_are_clear_errors() {
    Test::new()
        .pipeline(&[])
        .args(&[
            "template", "p.toml", "--year", "2022", "--out", "m", "--unit", "xyz",
        ])
        .status(2)
        .stderr_has("okänd enhet \"xyz\"")
        .run();
    Test::new()
        .pipeline(&[])
        .args(&["template", "p.toml", "--year", "2030", "--out", "m"])
        .status(2)
        .stderr_has("året 2030 ligger utanför strategins period 2018–2022")
        .run();
    Test::new()
        .pipeline(&[])
        .args(&[
            "template", "p.toml", "--year", "2021", "--out", "m", "--unit", "alvsjo",
        ])
        .status(2)
        .stderr_has("Älvsjö stadsdelsnämnd rapporterar inte 2021")
        .run();
}

#[test]
fn sheets_rows_and_hidden_meta() {
    let (_dir, path) = one_template("amn", "2022");
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    let sheets: Vec<(String, SheetVisible)> = wb
        .sheets_metadata()
        .iter()
        .map(|s| (s.name.clone(), s.visible))
        .collect();
    assert_eq!(
        sheets,
        [
            ("Instruktioner".to_string(), SheetVisible::Visible),
            ("Indikatorer".to_string(), SheetVisible::Visible),
            ("Aktiviteter".to_string(), SheetVisible::Visible),
            ("_uppfolj".to_string(), SheetVisible::Hidden),
        ]
    );
    let ind = wb.worksheet_range("Indikatorer").unwrap();
    let rows: Vec<(String, String)> = (3..15)
        .map(|r| {
            (
                ind.get_value((r, 0))
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                ind.get_value((r, 2))
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(rows[0], ("ARB-1".into(), "Kvinna, 16–29 år".into()));
    assert_eq!(rows[3], ("ARB-1".into(), "Man, 30–64 år".into()));
    assert_eq!(rows[4], ("ARB-2".into(), "Kvinna".into()));
    assert_eq!(rows[10], ("ARB-5".into(), "Kvinna".into()));
    assert_eq!(rows[11], ("ARB-5".into(), "Man".into()));
    let meta = wb.worksheet_range("_uppfolj").unwrap();
    let value = |r: u32| meta.get_value((r, 1)).unwrap().to_string();
    assert_eq!(value(0), "romsk-inkludering-2018-2022");
    assert_eq!(value(1), "1");
    assert_eq!(value(2), "amn");
    assert_eq!(value(3), "2022");
    let act = wb.worksheet_range("Aktiviteter").unwrap();
    let ids: Vec<String> = (3..9)
        .map(|r| act.get_value((r, 0)).unwrap().to_string())
        .collect();
    assert_eq!(
        ids,
        ["ARB-A1", "ARB-A2", "ARB-A3", "ARB-A4", "ARB-A5", "UPP-A4"]
    );
    let instructions = wb.worksheet_range("Instruktioner").unwrap();
    let text: Vec<String> = instructions.rows().map(|r| r[0].to_string()).collect();
    let text = text.join("\n");
    assert!(text.contains("senast den 15 februari 2023"), "{text}");
    assert!(
        text.contains("Tom cell och noll betyder olika saker"),
        "{text}"
    );
}

#[test]
fn validation_dropdowns_and_protection_are_in_the_file() {
    let (_dir, path) = one_template("amn", "2022");
    let indicators = xml_of(&path, "xl/worksheets/sheet2.xml");
    assert!(
        indicators.contains("<sheetProtection"),
        "Indikatorer is not protected"
    );
    assert!(
        !indicators.contains("password="),
        "protection must have no password"
    );
    assert!(
        indicators.contains(r#"type="whole""#),
        "no whole-number validation"
    );
    assert!(
        indicators.contains(r#"sqref="D4""#),
        "first value cell not validated"
    );
    assert!(
        indicators.contains(r#"sqref="E14""#),
        "the share's nämnare is not validated"
    );
    let activities = xml_of(&path, "xl/worksheets/sheet3.xml");
    assert!(activities.contains(r#"type="list""#));
    assert!(activities.contains("Ej påbörjad,Påbörjad,Genomförd"));
    assert!(activities.contains("Uppfyllt,Delvis uppfyllt,Ej uppfyllt"));
    assert!(activities.contains("<sheetProtection"));
    // Value cells open, the rest locked: the style of D4 must be unlocked.
    let styles = xml_of(&path, "xl/styles.xml");
    assert!(styles.contains(r#"locked="0""#), "no unlocked cell style");
}

#[test]
fn the_same_template_is_byte_identical() {
    let (_, dir) = Test::new()
        .pipeline(&[])
        .args(&[
            "template", "p.toml", "--year", "2021", "--out", "a", "--unit", "sn",
        ])
        .run_keep();
    let first = std::fs::read(dir.path().join("a/sn-2021.xlsx")).unwrap();
    let (_, dir) = Test::within(dir)
        .args(&[
            "template", "p.toml", "--year", "2021", "--out", "b", "--unit", "sn",
        ])
        .run_keep();
    let second = std::fs::read(dir.path().join("b/sn-2021.xlsx")).unwrap();
    assert!(first == second, "two runs gave different bytes");
}

#[test]
fn an_empty_template_validates_with_every_value_missing() {
    let (_, dir) = Test::new()
        .pipeline(&[])
        .args(&[
            "template", "p.toml", "--year", "2022", "--out", "m", "--unit", "un",
        ])
        .run_keep();
    // Five values and four measures (status) are missing.
    Test::within(dir)
        .args(&["validate", "p.toml", "m/un-2022.xlsx"])
        .status(1)
        .stdout_has("varning: m/un-2022.xlsx, Indikatorer!D4 (UTB-1 ”Skolpersonal som fått kompetensutveckling om antiziganism”, Totalt): inte ifyllt; redovisas som saknat.")
        .stdout_has("0 fel och 9 varningar")
        .run();
}

/// The cells of one row of "Indikatorer" whose id and group are given.
fn indicator_row(range: &calamine::Range<calamine::Data>, id: &str, group: &str) -> Vec<String> {
    range
        .rows()
        .find(|r| r[0] == id && r[2] == group)
        .unwrap_or_else(|| panic!("no row {id} {group}"))
        .iter()
        .map(|c| c.to_string())
        .collect()
}

#[test]
fn each_row_shows_its_unit_of_measure_last_years_accepted_value_and_how_to_count() {
    let inbox = crate::test::repo_root()
        .join("data-samples/returns")
        .to_string_lossy()
        .replace('\\', "/");
    let (_, dir) = Test::new()
        .pipeline(&[(
            "inbox = \"../data-samples/returns\"",
            &format!("inbox = \"{inbox}\""),
        )])
        .args(&["template", "p.toml", "--year", "2022", "--out", "m"])
        .run_keep();
    let mut wb: Xlsx<_> = open_workbook(dir.path().join("m/amn-2022.xlsx")).unwrap();
    let ind = wb.worksheet_range("Indikatorer").unwrap();
    let header: Vec<String> = ind
        .rows()
        .nth(2)
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header[6..], ["Enhet", "Godkänt 2021", "Så räknar ni"]);
    // As the sample run's indicators.csv has amn 2021: ARB-1 Kvinna 16–29 år
    // 31; ARB-2 Man was "ca 20", refused, so nothing was accepted; ARB-5
    // Kvinna 10 of 30.
    let arb1 = indicator_row(&ind, "ARB-1", "Kvinna, 16–29 år");
    assert_eq!(arb1[6..8], ["antal personer (var och en en gång)", "31"]);
    assert!(arb1[8].starts_with("Unika personer under året (1 januari–31 december)"));
    assert_eq!(indicator_row(&ind, "ARB-2", "Man")[7], "–");
    let arb5 = indicator_row(&ind, "ARB-5", "Kvinna");
    assert_eq!(arb5[6], "personer: täljare av nämnare");
    assert_eq!(arb5[7], "10 av 30");
    // Where to hand in: the portal's address, as the pipeline sets it.
    let instructions = wb.worksheet_range("Instruktioner").unwrap();
    let text: Vec<String> = instructions.rows().map(|r| r[0].to_string()).collect();
    assert!(
        text.contains(&"Lämna in filen i uppföljningsportalen, http://127.0.0.1:8080: logga in med länken ni har fått och ladda upp filen under år 2022. Portalen säger direkt om något behöver rättas.".to_string()),
        "{text:?}"
    );
    // It prints on A4 portrait, one page wide, its one column only.
    let sheet = xml_of(
        &dir.path().join("m/amn-2022.xlsx"),
        "xl/worksheets/sheet1.xml",
    );
    assert!(
        sheet.contains("paperSize=\"9\"") && sheet.contains("orientation=\"portrait\""),
        "{sheet}"
    );
    assert!(
        sheet.contains("fitToWidth=\"1\"") || sheet.contains("fitToHeight=\"0\""),
        "{sheet}"
    );
    let book = xml_of(&dir.path().join("m/amn-2022.xlsx"), "xl/workbook.xml");
    assert!(book.contains("Instruktioner!$A$1:$A$"), "{book}");
}

#[test]
fn without_a_portal_the_instructions_say_whom_to_send_the_file_to() {
    let (_, dir) = Test::new()
        .pipeline(&[("[portal]\nlisten = \"127.0.0.1:8080\"\nbase_url = \"http://127.0.0.1:8080\"\n# The database and every uploaded file; back this folder up.\ndata = \"../portal-data\"\nyears = [2022]\n", "")])
        .args(&["template", "p.toml", "--year", "2022", "--out", "m", "--unit", "sn"])
        .run_keep();
    let mut wb: Xlsx<_> = open_workbook(dir.path().join("m/sn-2022.xlsx")).unwrap();
    let text: Vec<String> = wb
        .worksheet_range("Instruktioner")
        .unwrap()
        .rows()
        .map(|r| r[0].to_string())
        .collect();
    assert!(
        text.contains(
            &"Skicka filen till Stadsledningskontoret, enheten för mänskliga rättigheter."
                .to_string()
        ),
        "{text:?}"
    );
    // SOC-3 counts årsarbetare: one decimal allowed, and said so.
    assert!(
        text.iter()
            .any(|t| t.contains("med högst en decimal, till exempel 2,5"))
    );
    let ind = wb.worksheet_range("Indikatorer").unwrap();
    assert_eq!(
        indicator_row(&ind, "SOC-3", "Totalt")[6],
        "antal, med en decimal"
    );
    let sheet = xml_of(
        &dir.path().join("m/sn-2022.xlsx"),
        "xl/worksheets/sheet2.xml",
    );
    assert!(
        sheet.contains("type=\"decimal\""),
        "the SOC-3 cell accepts a decimal"
    );
}

#[test]
fn a_decimal_is_accepted_where_the_indicator_allows_one_and_refused_elsewhere() {
    use uppfolj::template::{Entry, Fill};
    let p = uppfolj::pipeline::load(&crate::test::repo_root().join(crate::test::SAMPLE_PIPELINE))
        .unwrap();
    let sn = p.unit("sn").unwrap();
    let l = uppfolj::layout::layout(&p, sn, 2022);
    let row = |id: &str| {
        l.indicators
            .iter()
            .position(|r| r.indicator.id == id)
            .unwrap()
    };
    let mut fill = Fill::default();
    fill.values.insert(row("SOC-3"), Entry::Text("2,5".into()));
    fill.values.insert(row("SOC-2"), Entry::Number(2.5));
    let bytes = uppfolj::template::workbook_bytes(&p, &l, Some(&fill)).unwrap();
    let out = Test::new()
        .pipeline(&[])
        .write("sn-2022.xlsx", bytes)
        .args(&["validate", "p.toml", "sn-2022.xlsx"])
        .status(1)
        .stdout_has("(SOC-2 ”Dialogmöten med romska brukare och företrädare”, Totalt): 2,5 är inte ett heltal. Skriv ett helt antal, till exempel 3.")
        .run();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(!stdout.contains("SOC-3"), "{stdout}");
}
