//! `uppfolj validate` on committee returns: every bad input gets its message
//! for its file, naming sheet and cell, and the other files go on.

use std::path::{Path, PathBuf};

use uppfolj::pipeline;
use uppfolj::validate::returns::{Outcome, validate_files};

use crate::test::{SAMPLE_PIPELINE, Test, repo_root};

/// Validates one fixture, copied in under `name`, and expects exit 1 and `message`.
fn refused(fixture: &str, name: &str, message: &str) {
    Test::new()
        .pipeline(&[])
        .fixture(&format!("returns/{fixture}"), name)
        .args(&["validate", "p.toml", name])
        .status(1)
        .stdout_has(&format!("fel: {name}{message}"))
        .stdout_has("1 avvisade")
        .run();
}

#[test]
fn a_pdf_renamed_xlsx() {
    refused(
        "pdf-renamed.xlsx",
        "rapport.xlsx",
        ": filen är en PDF, inte en arbetsbok.",
    );
}

#[test]
fn a_text_file_renamed_xlsx() {
    refused(
        "text-renamed.xlsx",
        "siffror.xlsx",
        ": filen är en textfil (t.ex. CSV), inte en arbetsbok",
    );
}

#[test]
fn a_truncated_zip() {
    refused(
        "truncated.xlsx",
        "amn-2022.xlsx",
        ": filen är skadad eller ofullständig",
    );
}

#[test]
fn a_password_protected_workbook() {
    refused(
        "password.xlsx",
        "un-2022.xlsx",
        ": filen är lösenordsskyddad (krypterad) och kan inte läsas. Spara en kopia utan lösenord",
    );
}

#[test]
fn an_empty_file() {
    refused("empty.xlsx", "kun-2022.xlsx", ": filen är tom (0 byte).");
}

#[test]
fn a_home_made_workbook_without_the_hidden_sheet() {
    refused(
        "homemade.xlsx",
        "egen.xlsx",
        ": filen saknar det dolda bladet _uppfolj som visar vilken nämnd, vilket år och vilken mall den gäller.",
    );
}

#[test]
fn a_template_of_another_year() {
    Test::new()
        .pipeline(&[])
        .fixture("returns/un-2021.xlsx", "un.xlsx")
        .args(&["validate", "p.toml", "--year", "2022", "un.xlsx"])
        .status(1)
        .stdout_has("fel: un.xlsx: filen är Utbildningsnämndens mall för 2021, men den lämnades in för 2022. Använd mallen för 2022")
        .run();
    // The year can also come from the inbox folder the file lies in.
    Test::new()
        .pipeline(&[])
        .fixture("returns/un-2021.xlsx", "2022/un-2022.xlsx")
        .args(&["validate", "p.toml", "2022"])
        .status(1)
        .stdout_has("fel: 2022/un-2022.xlsx: filen är Utbildningsnämndens mall för 2021, men den lämnades in för 2022.")
        .run();
}

#[test]
fn a_template_of_another_unit_under_this_units_name() {
    Test::new()
        .pipeline(&[])
        .fixture("returns/amn-2022.xlsx", "amn-2022.xlsx")
        .args(&["validate", "p.toml", "amn-2022.xlsx"])
        .status(1)
        .stdout_has("varning: amn-2022.xlsx: filnamnet tyder på Arbetsmarknadsnämnden men filen är Utbildningsnämndens mall; uppgifterna räknas för Utbildningsnämnden.")
        .stdout_has("0 avvisade")
        .run();
}

#[test]
fn a_template_of_another_pipeline() {
    refused(
        "other-pipeline.xlsx",
        "un-2022.xlsx",
        ", _uppfolj!B1: mallen hör till en annan uppföljning (\"romsk-inkludering-2023-2027\")",
    );
}

#[test]
fn an_older_template_version() {
    Test::new()
        .pipeline(&[("template_version = 1", "template_version = 2")])
        .fixture("returns/un-2022.xlsx", "un-2022.xlsx")
        .args(&["validate", "p.toml", "un-2022.xlsx"])
        .status(1)
        .stdout_has("fel: un-2022.xlsx, _uppfolj!B2: filen är gjord från mallversion 1, men årets mall är version 2.")
        .run();
}

#[test]
fn a_renamed_sheet() {
    refused(
        "renamed-sheet.xlsx",
        "un-2022.xlsx",
        ": bladet Indikatorer saknas; har det bytt namn eller tagits bort? Bladen i filen heter: Instruktioner, Indikatorer 2022, Aktiviteter.",
    );
}

#[test]
fn a_deleted_sheet() {
    refused(
        "deleted-sheet.xlsx",
        "un-2022.xlsx",
        ": bladet Aktiviteter saknas",
    );
}

#[test]
fn rows_moved() {
    refused(
        "rows-moved.xlsx",
        "amn-2022.xlsx",
        ", Indikatorer!A4: rader har flyttats, lagts till eller tagits bort: på rad 4 ska ARB-1 (Kvinna, 16–29 år) stå, men där står ARB-2 (Kvinna).",
    );
}

#[test]
fn rows_deleted() {
    refused(
        "rows-deleted.xlsx",
        "amn-2022.xlsx",
        ", Indikatorer!A5: rader har flyttats, lagts till eller tagits bort: på rad 5 ska ARB-1 (Kvinna, 30–64 år) stå",
    );
}

#[test]
fn a_formula_with_no_saved_value() {
    Test::new()
        .pipeline(&[])
        .fixture("returns/formula-no-value.xlsx", "un-2022.xlsx")
        .args(&["validate", "p.toml", "un-2022.xlsx"])
        .status(1)
        .stdout_has("fel: un-2022.xlsx, Indikatorer!D4 (UTB-1 ”Skolpersonal som fått kompetensutveckling om antiziganism”, Totalt): formeln =SUM(10,5) har inget sparat värde. Öppna filen i Excel eller LibreOffice, spara den och skicka den igen.")
        .run();
}

/// The findings for `bad-values.xlsx`, a return with typical mistakes.
fn bad_values() -> String {
    let out = Test::new()
        .pipeline(&[])
        .fixture("returns/bad-values.xlsx", "amn-2022.xlsx")
        .args(&["validate", "p.toml", "amn-2022.xlsx"])
        .status(1)
        .run();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn text_in_a_number_cell() {
    let out = bad_values();
    assert!(out.contains("fel: amn-2022.xlsx, Indikatorer!D4 (ARB-1 ”Arbetssökande romer som nåtts med information, vägledning och stöd”, Kvinna, 16–29 år): \"ca 20\" är inte ett heltal. Skriv bara siffror, till exempel 20.\n"), "{out}");
}

#[test]
fn a_negative_count() {
    let out = bad_values();
    assert!(out.contains("fel: amn-2022.xlsx, Indikatorer!D5 (ARB-1 ”Arbetssökande romer som nåtts med information, vägledning och stöd”, Kvinna, 30–64 år): −5 är negativt, men ett antal kan inte vara mindre än 0."), "{out}");
}

#[test]
fn a_fractional_count_as_number_and_as_text() {
    let out = bad_values();
    assert!(
        out.contains("fel: amn-2022.xlsx, Indikatorer!D6 (ARB-1 ”Arbetssökande romer som nåtts med information, vägledning och stöd”, Man, 16–29 år): 2,5 är inte ett heltal."),
        "{out}"
    );
    assert!(
        out.contains("fel: amn-2022.xlsx, Indikatorer!D7 (ARB-1 ”Arbetssökande romer som nåtts med information, vägledning och stöd”, Man, 30–64 år): 12,5 är inte ett heltal."),
        "{out}"
    );
}

#[test]
fn numerator_above_denominator_and_a_missing_denominator() {
    let out = bad_values();
    assert!(out.contains("fel: amn-2022.xlsx, Indikatorer!D14 (ARB-5 ”Andel av dem med stöd av brobyggare som gått vidare till arbete eller studier”, Kvinna): täljaren (30) är större än nämnaren (20 i E14)."), "{out}");
    assert!(out.contains("fel: amn-2022.xlsx, Indikatorer!E15 (ARB-5 ”Andel av dem med stöd av brobyggare som gått vidare till arbete eller studier”, Man): täljaren är ifylld men nämnaren saknas."), "{out}");
}

#[test]
fn swedish_number_text_formulas_and_blanks_are_read_not_refused() {
    let out = bad_values();
    // "1 234", "1 234" with a no-break space, a formula's saved value and " 7 " are fine.
    for cell in ["D8", "D9", "D10", "D11"] {
        assert!(
            !out.contains(&format!("Indikatorer!{cell}:")),
            "{cell} was flagged:\n{out}"
        );
    }
    // A blank is not 0: it is listed as missing.
    assert!(out.contains("varning: amn-2022.xlsx, Indikatorer!D12 (ARB-4 ”Personer som fått stöd av brobyggare”, Kvinna): inte ifyllt; redovisas som saknat."), "{out}");
    assert!(out.contains("6 fel och 1 varning."), "{out}");
}

#[test]
fn two_returns_for_the_same_unit_and_year() {
    Test::new()
        .pipeline(&[])
        .fixture("returns/dup-a.xlsx", "sn-2022.xlsx")
        .fixture("returns/dup-b.xlsx", "sn-2022-ny.xlsx")
        .args(&["validate", "p.toml", "sn-2022.xlsx", "sn-2022-ny.xlsx"])
        .status(1)
        .stdout_has("fel: sn-2022.xlsx: Socialnämnden har lämnat 2 återrapporteringar för 2022 (sn-2022.xlsx, sn-2022-ny.xlsx); ingen av dem används.")
        .stdout_has("fel: sn-2022-ny.xlsx: Socialnämnden har lämnat 2 återrapporteringar för 2022")
        .stdout_has("2 avvisade")
        .run();
}

#[test]
fn a_huge_sheet_is_capped_by_rows() {
    refused(
        "huge.xlsx",
        "un-2022.xlsx",
        ", Indikatorer!A5001: bladet har innehåll på rad 5001 eller längre ner, fler än gränsen 5000 rader för en återrapportering.",
    );
}

#[test]
fn a_file_over_the_byte_cap_is_not_read() {
    Test::new()
        .pipeline(&[("max_bytes = 20000000", "max_bytes = 5000")])
        .fixture("returns/un-2022.xlsx", "un-2022.xlsx")
        .args(&["validate", "p.toml", "un-2022.xlsx"])
        .status(1)
        .stdout_has("fel: un-2022.xlsx: filen är 11082 byte, mer än gränsen 5000 byte")
        .run();
}

#[test]
fn one_bad_file_never_stops_the_others() {
    Test::new()
        .pipeline(&[])
        .fixture("returns/truncated.xlsx", "in/amn-2022.xlsx")
        .fixture("returns/un-2022.xlsx", "in/un-2022.xlsx")
        .fixture("returns/dup-a.xlsx", "in/sn-2022.xlsx")
        .write("in/anteckningar.docx", "läs mig")
        .args(&["validate", "p.toml", "in"])
        .status(1)
        .stdout_has("fel: in/amn-2022.xlsx: filen är skadad")
        .stdout_has(
            "varning: in/anteckningar.docx: filtypen känns inte igen och filen läses inte in",
        )
        .stdout_lacks("in/un-2022.xlsx")
        .stdout_lacks("in/sn-2022.xlsx")
        .stdout_has("3 filer lästa, 1 avvisade; 1 fel och 1 varning.")
        .stderr_lacks("fel:")
        .run();
}

#[test]
fn a_clean_return_exits_0() {
    Test::new()
        .pipeline(&[])
        .fixture("returns/un-2022.xlsx", "un-2022.xlsx")
        .args(&["validate", "p.toml", "un-2022.xlsx"])
        .stdout_has("1 fil läst, 0 avvisade; 0 fel och 0 varningar.")
        .run();
}

#[test]
fn json_gives_the_same_findings_as_objects() {
    let out = Test::new()
        .pipeline(&[])
        .fixture("returns/bad-values.xlsx", "amn-2022.xlsx")
        .args(&["validate", "p.toml", "amn-2022.xlsx", "--json"])
        .status(1)
        .run();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["errors"], 6);
    assert_eq!(json["warnings"], 1);
    let first = &json["findings"][0];
    assert_eq!(first["severity"], "error");
    assert_eq!(first["file"], "amn-2022.xlsx");
    assert_eq!(first["sheet"], "Indikatorer");
    assert_eq!(first["cell"], "D4");
    assert_eq!(
        first["message"],
        "\"ca 20\" är inte ett heltal. Skriv bara siffror, till exempel 20."
    );
    // What the finding is about, as fields to filter on.
    assert_eq!(first["unit_id"], "amn");
    assert_eq!(first["year"], 2022);
    assert_eq!(first["indicator_id"], "ARB-1");
    assert_eq!(first["breakdown"], "kon+aldersgrupp");
    assert_eq!(first["group"], "kvinna+16-29");
    // A file refused whole is about no unit, year or value: the fields are null.
    let out = Test::new()
        .pipeline(&[])
        .fixture("returns/truncated.xlsx", "amn-2022.xlsx")
        .args(&["validate", "p.toml", "amn-2022.xlsx", "--json"])
        .status(1)
        .run();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let refused = &json["findings"][0];
    for field in ["unit_id", "year", "indicator_id", "breakdown", "group"] {
        assert!(refused[field].is_null(), "{field}: {refused}");
    }
}

#[test]
fn missing_input_and_broken_pipeline_exit_2() {
    Test::new()
        .pipeline(&[])
        .args(&["validate", "p.toml", "finns-inte.xlsx"])
        .status(2)
        .stderr_has("finns-inte.xlsx finns inte")
        .run();
    Test::new()
        .write("p.toml", "[strategy")
        .fixture("returns/un-2022.xlsx", "un-2022.xlsx")
        .args(&["validate", "p.toml", "un-2022.xlsx"])
        .status(2)
        .stderr_has("TOML-syntaxfel")
        .run();
}

fn outcome(files: &[PathBuf], year: Option<i32>) -> Outcome {
    let p = pipeline::load(&repo_root().join(SAMPLE_PIPELINE)).unwrap();
    validate_files(&p, files, year)
}

/// (indicator, breakdown, group, value, numerator, denominator, comment, cell) of each value.
type Row = (
    String,
    String,
    String,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    Option<String>,
    String,
);

fn rows(o: &Outcome) -> Vec<Row> {
    o.values
        .iter()
        .map(|v| {
            (
                v.indicator_id.clone(),
                v.key.breakdown.clone(),
                v.key.group.clone(),
                v.value,
                v.numerator,
                v.denominator,
                v.comment.clone(),
                v.cell.clone(),
            )
        })
        .collect()
}

#[test]
fn libreoffice_saved_xlsm_xls_and_ods_read_the_same_as_the_original() {
    let dir = repo_root().join("tests/fixtures/returns");
    let original = outcome(&[dir.join("un-2022.xlsx")], None);
    assert_eq!(original.values.len(), 5);
    // The only findings: the comparison with last year's return in the
    // sample inbox, the same for every copy.
    let said = |o: &Outcome| {
        o.findings
            .iter()
            .map(|f| {
                (
                    f.severity,
                    f.sheet.clone(),
                    f.cell.clone(),
                    f.message.clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert!(
        original
            .findings
            .iter()
            .all(|f| f.message.contains("året före")),
        "{:?}",
        original.findings
    );
    for copy in ["lo-un-2022.xlsm", "lo-un-2022.xls", "lo-un-2022.ods"] {
        let o = outcome(&[dir.join(copy)], None);
        assert_eq!(said(&o), said(&original), "{copy}");
        assert_eq!(rows(&o), rows(&original), "{copy}");
        let acts = |o: &Outcome| {
            o.activities
                .iter()
                .map(|a| {
                    (
                        a.measure_id.clone(),
                        a.status,
                        a.assessment,
                        a.description.clone(),
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(acts(&o), acts(&original), "{copy}");
    }
}

#[test]
fn a_return_saved_by_libreoffice_has_its_planted_mistake_found() {
    Test::new()
        .pipeline(&[])
        .fixture("returns/lo-sn-2020.xlsx", "sn-2020.xlsx")
        .args(&["validate", "p.toml", "sn-2020.xlsx"])
        .status(1)
        .stdout_has("fel: sn-2020.xlsx, Indikatorer!D10 (SOC-7 ”Andel placerade romska barn i jour- eller familjehem med romsk kulturkompetens”, Totalt): täljaren (39) är större än nämnaren (36 i E10).")
        .stdout_has("1 fel och 0 varningar")
        .run();
}

#[test]
fn the_tidy_tables_have_their_columns() {
    let dir = repo_root().join("tests/fixtures/returns");
    let o = outcome(&[dir.join("un-2022.xlsx")], None);
    let values = o.values_frame().unwrap();
    let names: Vec<String> = values
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    assert_eq!(
        names,
        [
            "unit_id",
            "year",
            "indicator_id",
            "breakdown",
            "group",
            "value",
            "numerator",
            "denominator",
            "comment",
            "file",
            "sheet",
            "cell"
        ]
    );
    assert_eq!(values.height(), 5);
    let activities = o.activities_frame().unwrap();
    // Utbildningsnämnden answers for UTB-A1, UTB-A2, UTB-A4 and UPP-A4.
    assert_eq!(activities.height(), 4);
}

fn sample_files() -> Vec<PathBuf> {
    let (files, findings) =
        uppfolj::inputs::collect_files(&[repo_root().join("data-samples/returns")]);
    assert!(findings.is_empty(), "{findings:?}");
    files
}

#[test]
fn the_samples_report_the_planted_problems_and_nothing_else() {
    use crate::samples::{PLANTED, PlantedKind};
    let o = outcome(&sample_files(), None);
    assert!(o.refused.is_empty(), "{:?}", o.refused);
    let mut found: Vec<(String, String, String)> = o
        .findings
        .iter()
        .map(|f| {
            let name = Path::new(&f.file)
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (name, f.about.clone().unwrap_or_default(), f.message.clone())
        })
        .collect();
    found.sort();
    let p = pipeline::load(&repo_root().join(SAMPLE_PIPELINE)).unwrap();
    let mut expected: Vec<(String, String, String)> = PLANTED
        .iter()
        .map(|m| {
            let label = match m.group {
                "total" => "Totalt".to_string(),
                g => format!("{}{}", g[..1].to_uppercase(), &g[1..]),
            };
            // How each finding's message begins.
            let start = match m.kind {
                PlantedKind::Text(t) => format!("\"{t}\" är inte ett heltal."),
                PlantedKind::Blank => "inte ifyllt; redovisas som saknat.".into(),
                PlantedKind::NumeratorAboveDenominator => "täljaren (".into(),
                PlantedKind::Jump => String::new(),
            };
            let title = &p.indicator(m.indicator).unwrap().title;
            let about = format!("{} ”{title}”, {label}", m.indicator);
            (format!("{}-{}", m.unit, m.year), about, start)
        })
        .collect();
    // Not planted: Hägersten-Älvsjö's first year against its two
    // predecessors' together, as a merged district is compared.
    expected.push((
        "hagersten-alvsjo-2020".into(),
        format!(
            "SOC-1 ”{}”, Totalt",
            p.indicator("SOC-1").unwrap().title
        ),
        "9 jämfört med 39 för Älvsjö stadsdelsnämnd och Hägersten-Liljeholmens stadsdelsnämnd tillsammans året före".into(),
    ));
    expected.sort();
    assert_eq!(found.len(), expected.len(), "{found:#?}");
    for ((file, about, message), (want_file, want_about, start)) in found.iter().zip(&expected) {
        assert_eq!(file, want_file);
        assert_eq!(about, want_about, "{file}: {message}");
        assert!(
            message.starts_with(start.as_str()),
            "{file}: {message:?} should start with {start:?}"
        );
    }
}

#[test]
fn the_samples_cover_every_unit_and_year_but_the_missing_one() {
    let o = outcome(&sample_files(), None);
    let p = pipeline::load(&repo_root().join(SAMPLE_PIPELINE)).unwrap();
    for year in 2018..=2022 {
        let expected: Vec<&str> = p
            .units_reporting(year)
            .filter(|u| !uppfolj::layout::layout(&p, u, year).is_empty())
            .map(|u| u.id.as_str())
            .filter(|id| !crate::samples::MISSING.contains(&(id, year)))
            .collect();
        let mut got: Vec<&str> = o
            .used
            .iter()
            .filter(|i| i.year == year)
            .map(|i| i.unit_id.as_str())
            .collect();
        got.sort();
        let mut want = expected.clone();
        want.sort();
        assert_eq!(got, want, "{year}");
    }
    assert!(
        o.used
            .iter()
            .any(|i| i.unit_id == "hagersten-alvsjo" && i.year == 2020)
    );
    assert!(
        !o.used
            .iter()
            .any(|i| i.unit_id == "skarholmen" && i.year == 2019)
    );
}

#[test]
fn libreoffice_saved_samples_hold_the_generated_values() {
    // Regenerate the samples as rust_xlsxwriter writes them and compare the
    // values read from the committed LibreOffice copies.
    let p = pipeline::load(&repo_root().join(SAMPLE_PIPELINE)).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    crate::samples::write_returns(&p, tmp.path()).unwrap();
    for (unit, year, format) in crate::samples::LIBREOFFICE {
        let committed = repo_root().join(format!(
            "data-samples/returns/{year}/{unit}-{year}.{format}"
        ));
        assert!(committed.exists(), "{} is missing", committed.display());
        let fresh = tmp.path().join(format!("{year}/{unit}-{year}.xlsx"));
        let a = outcome(&[committed], None);
        let b = outcome(&[fresh], None);
        assert!(!a.values.is_empty());
        assert_eq!(rows(&a), rows(&b), "{unit} {year} {format}");
    }
}

#[test]
fn the_committed_generated_samples_are_what_the_generator_writes() {
    let p = pipeline::load(&repo_root().join(SAMPLE_PIPELINE)).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let written = crate::samples::write_returns(&p, tmp.path()).unwrap();
    let mut compared = 0;
    for f in written {
        let rel = f.strip_prefix(tmp.path()).unwrap();
        let committed = repo_root().join("data-samples/returns").join(rel);
        let resaved = crate::samples::LIBREOFFICE
            .iter()
            .any(|(u, y, _)| rel.ends_with(format!("{u}-{y}.xlsx")));
        if !resaved {
            assert!(
                std::fs::read(&committed).unwrap() == std::fs::read(&f).unwrap(),
                "{} differs from the generator's output; run data-samples/regenerate.sh",
                rel.display()
            );
            compared += 1;
        }
    }
    assert_eq!(compared, 91 - crate::samples::LIBREOFFICE.len());
}

#[test]
fn a_template_filled_in_and_saved_by_libreoffice() {
    // tests/fixtures/returns/fill-in-libreoffice.py typed these into the
    // template in LibreOffice Calc and saved it.
    let file = repo_root().join("tests/fixtures/returns/lo-filled-kun-2022.xlsx");
    let o = outcome(&[file], None);
    let value = |id: &str| {
        o.values
            .iter()
            .find(|v| v.indicator_id == id)
            .map(|v| v.value)
    };
    assert_eq!(value("KUL-1"), Some(Some(14.0)));
    assert_eq!(value("KUL-2"), None, "\"ca 20\" must not be used");
    assert_eq!(value("KUL-3"), Some(Some(9.0)), "the formula's saved value");
    assert_eq!(
        value("KUL-4"),
        Some(Some(1234.0)),
        "\"1 234\" typed as text"
    );
    let kul1 = o.values.iter().find(|v| v.indicator_id == "KUL-1").unwrap();
    assert_eq!(
        kul1.comment.as_deref(),
        Some("Inklusive Romska nationaldagen.")
    );
    let a1 = o
        .activities
        .iter()
        .find(|a| a.measure_id == "KUL-A1")
        .unwrap();
    assert_eq!(
        a1.status.map(uppfolj::pipeline::Status::label),
        Some("Genomförd")
    );
    assert_eq!(
        a1.assessment.map(uppfolj::pipeline::Assessment::label),
        Some("Uppfyllt")
    );
    assert_eq!(
        a1.description.as_deref(),
        Some("Romska nationaldagen firades på Kulturhuset.")
    );
    Test::new()
        .pipeline(&[])
        .fixture("returns/lo-filled-kun-2022.xlsx", "kun-2022.xlsx")
        .args(&["validate", "p.toml", "kun-2022.xlsx"])
        .status(1)
        .stdout_has("fel: kun-2022.xlsx, Indikatorer!D5 (KUL-2 ”Ansökningar om kultur- och utvecklingsstöd från romska aktörer”, Totalt): \"ca 20\" är inte ett heltal. Skriv bara siffror, till exempel 20.")
        .stdout_has("fel: kun-2022.xlsx, Aktiviteter!C5 (åtgärd KUL-A2 ”Kulturnämnden prioriterar arbetssätt som…”): \"Klar\" är ingen giltig status.")
        .stdout_has("varning: kun-2022.xlsx, Aktiviteter!C6 (åtgärd KUL-A3 ”Kulturnämnden och stadsdelsnämnderna gen…”): status är inte ifylld")
        .stdout_has("2 fel och 3 varningar")
        .run();
}

/// A return for a year its unit did not exist says who hands in instead:
/// a district before it began, its predecessors; one that had ended, its
/// successor. It names no command.
#[test]
fn a_return_for_a_year_its_unit_did_not_exist_says_who_hands_in_instead() {
    let p = pipeline::load(&repo_root().join(SAMPLE_PIPELINE)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "jarva",
            2022,
            "Järva stadsdelsnämnd fanns inte den 31 december 2022; återrapporteringen för 2022 lämnas av Rinkeby-Kista stadsdelsnämnd och Spånga-Tensta stadsdelsnämnd.",
        ),
        (
            "alvsjo",
            2021,
            "Älvsjö stadsdelsnämnd fanns inte den 31 december 2021; återrapporteringen för 2021 lämnas av Hägersten-Älvsjö stadsdelsnämnd.",
        ),
    ];
    for (unit, year, said) in cases {
        let u = p.unit(unit).unwrap();
        let layout = uppfolj::layout::layout(&p, u, year);
        let bytes = uppfolj::template::workbook_bytes(&p, &layout, None).unwrap();
        let file = dir.path().join(format!("{unit}-{year}.xlsx"));
        std::fs::write(&file, bytes).unwrap();
        let o = validate_files(&p, &[file], None);
        let message = &o.findings[0].message;
        assert!(message.contains(said), "{message}");
        assert!(
            !message.contains("uppfolj ") && !message.contains("efterföljare gör det"),
            "{message}"
        );
    }
}
