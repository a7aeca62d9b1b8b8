//! Survey files: the anonymity gate refuses files with direct identifiers
//! whole and never repeats a value from them; codebooks, weights and
//! k-anonymity are checked; the indicators' intervals agree with an
//! independent implementation.

use std::path::PathBuf;

use polars::prelude::*;
use uppfolj::aggregate::stats::{Z95, kish_effective_n, wilson};
use uppfolj::pipeline;
use uppfolj::validate::survey::{Answers, Respondents, WEIGHT};

use crate::test::{SAMPLE_PIPELINE, Test, repo_root};

/// The committed 2018 sample: UTF-8, comma-separated, codes.
pub(crate) fn sample_2018() -> String {
    std::fs::read_to_string(repo_root().join("data-samples/survey/enkat-2018.csv")).unwrap()
}

/// Sets `column` of data row `row` (1-based) in a simple comma-separated text.
pub(crate) fn set(text: &str, row: usize, column: &str, value: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let c = header.iter().position(|h| *h == column).unwrap();
    let mut fields: Vec<String> = lines[row].split(',').map(str::to_string).collect();
    fields[c] = value.to_string();
    lines[row] = fields.join(",");
    lines.join("\r\n") + "\r\n"
}

/// Validates `text` as the 2018 survey and expects a refusal saying `message`,
/// with none of `secrets` in anything the program printed.
pub(crate) fn refused(name: &str, contents: impl AsRef<[u8]>, message: &str, secrets: &[&str]) {
    let mut t = Test::new()
        .pipeline(&[])
        .write(name, contents)
        .args(&["validate", "p.toml", "--year", "2018", name])
        .status(1)
        .stdout_has(&format!("fel: {name}: {message}"))
        .stdout_has("1 avvisade");
    for s in secrets {
        t = t.stdout_lacks(s).stderr_lacks(s);
    }
    t.run();
}

#[test]
fn a_personal_number_in_an_unexpected_column() {
    let text = set(
        &sample_2018(),
        7,
        "kommentar",
        "Mitt personnummer är 811218-9876",
    );
    refused(
        "enkat.csv",
        text,
        "Kolumn 14 (räknat från vänster) innehåller något som ser ut som ett personnummer eller samordningsnummer på 1 rad. Enkäten får bara innehålla anonyma svar, så hela filen avvisas och inget värde från den används.",
        &["811218", "9876", "Mitt personnummer"],
    );
}

#[test]
fn a_twelve_digit_personal_number_and_a_samordningsnummer_in_the_id_column() {
    let text = set(&sample_2018(), 3, "lopnr", "198112189876");
    let text = set(&text, 9, "lopnr", "811278-9873");
    refused(
        "enkat.csv",
        text,
        "Kolumn 1 (räknat från vänster) innehåller något som ser ut som ett personnummer eller samordningsnummer på 2 rader.",
        &["19811218", "9876", "811278", "9873"],
    );
}

/// A column the codebook declares is named in the codebook's spelling, so an
/// official finds it; the file's own header is never quoted.
#[test]
fn a_personal_number_in_a_codebook_column_is_named_by_the_codebook() {
    let text = set(&sample_2018(), 5, "syss", "811218-9876");
    let text = text.replacen("syss", "SYSS ", 1);
    refused(
        "enkat.csv",
        text,
        "Kolumn \"syss\" (nr 8 räknat från vänster) innehåller något som ser ut som ett personnummer eller samordningsnummer på 1 rad.",
        &["811218", "9876", "SYSS"],
    );
}

#[test]
fn an_email_address_in_a_free_text_answer() {
    let text = set(
        &sample_2018(),
        12,
        "kommentar",
        "Kontakta mig på kalle.karlsson@example.se",
    );
    refused(
        "enkat.csv",
        text,
        "Kolumn 14 (räknat från vänster) innehåller något som ser ut som en e-postadress på 1 rad.",
        &["kalle", "example.se", "Kontakta mig"],
    );
}

#[test]
fn a_phone_number_in_a_free_text_answer() {
    let text = set(&sample_2018(), 20, "kommentar", "Ring 070-123 45 67");
    refused(
        "enkat.csv",
        text,
        "Kolumn 14 (räknat från vänster) innehåller något som ser ut som ett telefonnummer på 1 rad.",
        &["070", "123 45 67"],
    );
}

#[test]
fn a_header_that_names_a_direct_identifier() {
    let text: String = sample_2018()
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                format!("{l},Namn\r\n")
            } else {
                format!("{l},Maria Lindqvist\r\n")
            }
        })
        .collect();
    refused(
        "enkat.csv",
        text,
        "Kolumn 15 (räknat från vänster) har en rubrik som tyder på direkta personuppgifter.",
        &["Lindqvist", "Maria"],
    );
}

#[test]
fn a_column_missing_from_the_codebooks_list() {
    let text: String = sample_2018()
        .lines()
        .map(|l| {
            let mut f: Vec<&str> = l.split(',').collect();
            f.remove(5); // f_skola
            f.join(",") + "\r\n"
        })
        .collect();
    assert!(!text.lines().next().unwrap().contains("f_skola"));
    refused(
        "enkat.csv",
        text,
        "kodboken \"v2018\" för 2018 väntar sig kolumnerna \"f_skola\", men de finns inte bland filens 13 kolumner.",
        &[],
    );
}

#[test]
fn answer_codes_outside_the_codebook_are_counted_not_shown() {
    let mut text = sample_2018();
    for row in [2, 5, 8] {
        text = set(&text, row, "f_soc", "77");
    }
    Test::new()
        .pipeline(&[])
        .write("enkat.csv", text)
        .args(&["validate", "p.toml", "--year", "2018", "enkat.csv"])
        .status(1)
        .stdout_has("varning: enkat.csv: kolumnen \"f_soc\" har svarskoder som inte finns i kodboken \"v2018\" på 3 rader; de räknas som uteblivna svar.")
        .stdout_lacks("77")
        .stdout_has("0 avvisade")
        .run();
}

/// Code columns are read as numbers where every field is written as its
/// integer; a code written otherwise ("01", "+1", "1.0") keeps the column as
/// text, so it is compared as written and not taken for code 1.
#[test]
fn codes_written_otherwise_than_as_their_number_are_compared_as_written() {
    // One file per way of writing, so that each decides its file alone.
    for code in ["01", "+1", "1.0"] {
        let text = set(&sample_2018(), 5, "f_soc", code);
        let text = set(&text, 4, "f_skola", "\"2\"");
        Test::new()
            .pipeline(&[])
            .write("enkat.csv", text)
            .args(&["validate", "p.toml", "--year", "2018", "enkat.csv"])
            .status(1)
            .stdout_has("varning: enkat.csv: kolumnen \"f_soc\" har svarskoder som inte finns i kodboken \"v2018\" på 1 rad;")
            .stdout_lacks("f_skola")
            .stdout_has("0 avvisade")
            .run();
    }
}

#[test]
fn an_empty_survey_file() {
    refused("enkat.csv", "", "filen är tom (0 byte).", &[]);
    refused(
        "rubriker.csv",
        "lopnr,kon\r\n",
        "filen har rubriker men inga svar.",
        &[],
    );
}

#[test]
fn an_encoding_that_is_neither_utf8_nor_windows_1252() {
    // UTF-16 without its BOM: the byte order cannot be known for sure.
    // (With a BOM it is read, see real_files.rs.)
    let mut bytes = Vec::new();
    for unit in sample_2018().encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    refused(
        "enkat.csv",
        bytes,
        "filen är varken UTF-8 eller Windows-1252 (den ser ut att vara UTF-16 utan BOM, eller binär).",
        &[],
    );
}

#[test]
fn weights_with_text_or_negative_values() {
    let mut text = set(&sample_2018(), 4, "vikt", "elva");
    text = set(&text, 6, "vikt", "-1.2");
    text = set(&text, 7, "vikt", "-0.4");
    refused(
        "enkat.csv",
        text,
        "viktkolumnen \"vikt\" har text som inte är ett tal på 1 rad och negativa vikter på 2 rader.",
        &["elva", "-1.2", "-0.4"],
    );
}

#[test]
fn weights_with_a_decimal_comma_a_true_minus_sign_or_blanks() {
    // A Swedish decimal comma is a number (quoted, as Excel writes it in a
    // comma-separated file); the typographic minus sign makes it negative.
    let text = set(&sample_2018(), 3, "vikt", "\"1,25\"");
    Test::new()
        .pipeline(&[])
        .write("enkat.csv", &text)
        .args(&["validate", "p.toml", "--year", "2018", "enkat.csv"])
        .stdout_has("0 avvisade")
        .run();
    let mut text = set(&text, 5, "vikt", "\"−0,5\"");
    text = set(&text, 9, "vikt", "");
    text = set(&text, 10, "vikt", "1.2.3");
    refused(
        "enkat.csv",
        text,
        "viktkolumnen \"vikt\" har text som inte är ett tal på 1 rad och negativa vikter på 1 rad och tomma vikter på 1 rad.",
        &["1.2.3", "−0,5"],
    );
}

#[test]
fn answer_codes_match_whatever_their_case_and_spaces() {
    // The 2022 codebook has labels: "Kvinna", "Man". The sample is tab-separated.
    let mut text =
        std::fs::read_to_string(repo_root().join("data-samples/survey/enkat-2022.csv")).unwrap();
    let header = text.lines().next().unwrap().to_string();
    let sep = '\t';
    let kon = header.split(sep).position(|h| h == "kön").unwrap();
    let lines: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let mut f: Vec<String> = line.split(sep).map(str::to_string).collect();
            if i > 0 && i % 2 == 0 && f[kon] == "Kvinna" {
                f[kon] = "  KVINNA ".into();
            }
            f.join(&sep.to_string())
        })
        .collect();
    text = lines.join("\n") + "\n";
    Test::new()
        .pipeline(&[])
        .write("enkat-2022.csv", text)
        .args(&["validate", "p.toml", "--year", "2022", "enkat-2022.csv"])
        .stdout_has("0 avvisade; 0 fel och 0 varningar.")
        .run();
}

/// Writes a Parquet survey for 2021 from typed columns.
fn parquet_2021(extra: Column) -> Vec<u8> {
    let sample = repo_root().join("data-samples/survey/enkat-2021.parquet");
    let mut df = ParquetReader::new(std::fs::File::open(sample).unwrap())
        .finish()
        .unwrap();
    df.with_column(extra).unwrap();
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes).finish(&mut df).unwrap();
    bytes
}

#[test]
fn a_personal_number_stored_as_a_number_in_parquet() {
    let sample = repo_root().join("data-samples/survey/enkat-2021.parquet");
    let rows = ParquetReader::new(std::fs::File::open(sample).unwrap())
        .finish()
        .unwrap()
        .height();
    let mut ids = vec![Some(3i64); rows];
    ids[4] = Some(198112189876);
    let bytes = parquet_2021(Column::new("extra".into(), ids));
    refused_2021(
        bytes,
        "Kolumn 15 (räknat från vänster) innehåller något som ser ut som ett personnummer eller samordningsnummer på 1 rad.",
        &["198112189876", "811218"],
    );
}

#[test]
fn long_decimals_in_a_number_column_are_not_a_phone_number() {
    let sample = repo_root().join("data-samples/survey/enkat-2021.parquet");
    let rows = ParquetReader::new(std::fs::File::open(sample).unwrap())
        .finish()
        .unwrap()
        .height();
    // As text, 0.0701234567 holds "0701234567", which looks like a mobile number.
    let bytes = parquet_2021(Column::new("andel".into(), vec![0.0701234567f64; rows]));
    Test::new()
        .pipeline(&[])
        .write("enkat.parquet", bytes)
        .args(&["validate", "p.toml", "--year", "2021", "enkat.parquet"])
        .stdout_has("0 avvisade")
        .run();
}

fn refused_2021(bytes: Vec<u8>, message: &str, secrets: &[&str]) {
    let mut t = Test::new()
        .pipeline(&[])
        .write("enkat.parquet", bytes)
        .args(&["validate", "p.toml", "--year", "2021", "enkat.parquet"])
        .status(1)
        .stdout_has(&format!("fel: enkat.parquet: {message}"))
        .stdout_has("1 avvisade");
    for s in secrets {
        t = t.stdout_lacks(s).stderr_lacks(s);
    }
    t.run();
}

/// A small file where each kön × åldersklass cell has `per_cell` respondents,
/// all but one in område 1: below k with område, and `per_cell` without it.
fn small_file(per_cell: usize) -> String {
    let mut s = String::from(
        "lopnr,kon,alder,omrade,f_soc,f_skola,f_stad,syss,utb,barn,modersmal,diskr,vikt,kommentar\r\n",
    );
    let mut id = 0;
    for kon in 1..=2 {
        for alder in 1..=4 {
            for i in 0..per_cell {
                id += 1;
                let omrade = if i == 0 { 2 } else { 1 };
                s.push_str(&format!(
                    "R{id:05},{kon},{alder},{omrade},2,2,3,1,2,2,,2,1.0,\r\n"
                ));
            }
        }
    }
    s
}

#[test]
fn k_anonymity_coarsens_the_area_where_the_pipeline_allows_it() {
    Test::new()
        .pipeline(&[])
        .write("enkat.csv", small_file(6))
        .args(&["validate", "p.toml", "--year", "2018", "enkat.csv"])
        .status(1)
        .stdout_has("varning: enkat.csv: den minsta gruppen över kon, aldersklass, omrade hade bara 1 svarande, färre än k = 5; omrade har slagits ihop till hela staden, och då är den minsta gruppen 6.")
        .stdout_has("info: enkat.csv: 48 svar 2018")
        .stdout_has("0 avvisade")
        .run();
}

/// With område coarsened to the whole city, cells by område are withheld
/// and say why: not "too few persons", for each area held many.
#[test]
fn cells_by_a_coarsened_area_are_withheld_as_coarsened() {
    let area_breakdown = "omrade = { variable = \"omrade\", groups = { vasterort = [\"västerort\"], innerstaden = [\"innerstaden\"], soderort = [\"söderort\"] } }\n\n[[survey.files]]";
    let breakdowns = "[[breakdowns]]\nid = \"omrade\"\ntitle = \"Område\"\ngroups = [\n  { id = \"vasterort\", label = \"Västerort\" },\n  { id = \"innerstaden\", label = \"Innerstaden\" },\n  { id = \"soderort\", label = \"Söderort\" },\n]\n\n[[breakdowns]]\nid = \"aldersgrupp\"";
    let t = crate::run::pipeline_in_test_folder_with(Test::new(), "inkorg", "enkat/enkat.csv", "ut", "diagram", &[
        ("\n\n[[survey.files]]\nyear = 2018", &format!("\n{area_breakdown}\nyear = 2018")),
        ("[[breakdowns]]\nid = \"aldersgrupp\"", breakdowns),
        ("numerator = [\"ja\"] }\nmeasure = \"UPP-A2\"\nresponsible = [\"ks\"]\nbreakdowns = [\"kon\", \"aldersgrupp\"]", "numerator = [\"ja\"] }\nmeasure = \"UPP-A2\"\nresponsible = [\"ks\"]\nbreakdowns = [\"kon\", \"aldersgrupp\", \"omrade\"]"),
    ])
    .write("enkat/enkat.csv", small_file(6));
    let (_, dir) = t.args(&["run", "p.toml", "--offline", "-q"]).run_keep();
    let table = std::fs::read_to_string(dir.path().join("ut/indicators.csv")).unwrap();
    let rows: Vec<&str> = table
        .lines()
        .filter(|l| l.starts_with("ENK-7,2018,stad,omrade,"))
        .collect();
    assert_eq!(rows.len(), 3, "{table}");
    for r in rows {
        assert!(
            r.contains(",,,,,,,true,survey,"),
            "withheld without numbers: {r}"
        );
    }
    let quality = std::fs::read_to_string(dir.path().join("ut/kvalitet.json")).unwrap();
    assert!(quality.contains("\"reason\": \"området slogs ihop för att skydda de svarande\""));
    let analysts = std::fs::read_to_string(
        dir.path()
            .join("ut-EJ-FOR-PUBLICERING/EJ-FOR-PUBLICERING-undantag.csv"),
    )
    .unwrap();
    assert!(analysts.contains(
        "ENK-7,2018,stad,omrade,vasterort,området slogs ihop för att skydda de svarande"
    ));
}

#[test]
fn k_anonymity_refuses_when_coarsening_is_not_allowed_or_not_enough() {
    Test::new()
        .pipeline(&[("coarsen = \"omrade\"\n", "")])
        .write("enkat.csv", small_file(6))
        .args(&["validate", "p.toml", "--year", "2018", "enkat.csv"])
        .status(1)
        .stdout_has("fel: enkat.csv: den minsta gruppen över kon, aldersklass, omrade har bara 1 svarande, färre än k = 5. Filen avvisas så att ingen kan pekas ut. Ange i pipelinefilen en variabel som får slås ihop till hela staden (coarsen under [survey]), eller be om en export där de minsta grupperna redan är sammanslagna.")
        .run();
    Test::new()
        .pipeline(&[])
        .write("enkat.csv", small_file(3))
        .args(&["validate", "p.toml", "--year", "2018", "enkat.csv"])
        .status(1)
        .stdout_has("fel: enkat.csv: den minsta gruppen över kon, aldersklass, omrade har bara 3 svarande även sedan omrade slagits ihop till hela staden")
        .run();
}

#[test]
fn the_sample_surveys_are_clean_in_every_format() {
    let out = Test::new()
        .args(&[
            "validate",
            &repo_root().join(SAMPLE_PIPELINE).to_string_lossy(),
            &repo_root().join("data-samples/survey").to_string_lossy(),
        ])
        .stdout_has("5 filer lästa, 0 avvisade; 0 fel och 0 varningar.")
        .run();
    let stdout = String::from_utf8(out.stdout).unwrap();
    for format in [
        "(CSV, UTF-8, komma)",
        "(CSV, Windows-1252, semikolon)",
        "(arbetsbok)",
        "(Parquet)",
        "(CSV, UTF-8 med BOM, tabb)",
    ] {
        assert!(stdout.contains(format), "{format} missing:\n{stdout}");
    }
}

#[test]
fn the_survey_year_comes_from_the_pipelines_listing_or_the_file_name() {
    Test::new()
        .pipeline(&[])
        .write("export.csv", sample_2018())
        .args(&["validate", "p.toml", "export.csv"])
        .status(1)
        .stdout_has("fel: export.csv: det går inte att avgöra vilket år filen gäller")
        .run();
    Test::new()
        .pipeline(&[])
        .write("svar-2018.csv", sample_2018())
        .args(&["validate", "p.toml", "svar-2018.csv"])
        .stdout_has("info: svar-2018.csv: 620 svar 2018")
        .run();
}

/// Wilson intervals against statsmodels 0.15.0,
/// `statsmodels.stats.proportion.proportion_confint(x, n, alpha=0.05, method="wilson")`.
/// The first also matches Newcombe (1998), Statistics in Medicine 17:857–872,
/// table I: 81/263 → 0.2553–0.3662.
#[test]
fn wilson_agrees_with_statsmodels() {
    let cases = [
        (81.0, 263.0, 0.2552885198782742, 0.36620957698280004),
        (1.0, 10.0, 0.017876213095072924, 0.40415002679523854),
        (0.0, 15.0, 0.0, 0.20388330103584867),
        (15.0, 15.0, 0.7961166989641513, 1.0),
        (37.0, 50.0, 0.6044684273515116, 0.841284725064476),
    ];
    for (x, n, lo, hi) in cases {
        let (l, h) = wilson(x / n, n, Z95).unwrap();
        assert!((l - lo).abs() < 1e-9, "{x}/{n}: low {l} vs {lo}");
        assert!((h - hi).abs() < 1e-9, "{x}/{n}: high {h} vs {hi}");
    }
}

/// A weighted share and its interval on Kish's effective sample size, against
/// numpy and statsmodels 0.15.0: with w and y below, p_w = Σwy/Σw =
/// 0.6461538461538462, n_eff = (Σw)²/Σw² = 7.8240740740740735, and
/// `proportion_confint(p_w * n_eff, n_eff, method="wilson")` =
/// (0.3194447737110726, 0.8766060246251728).
#[test]
fn weighted_share_and_kish_interval_agree_with_numpy_and_statsmodels() {
    let w = [0.5, 1.5, 1.0, 2.0, 0.8, 1.2, 0.9, 1.1, 1.0, 3.0];
    let y = [1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0];
    let p = pipeline::load(&repo_root().join(SAMPLE_PIPELINE)).unwrap();
    let n = w.len();
    let text = |v: &str| Column::new(v.into(), vec![Some("x"); n]);
    let mut columns: Vec<Column> = p
        .survey
        .as_ref()
        .unwrap()
        .codebook("v2018")
        .unwrap()
        .variables
        .iter()
        .map(|v| text(&v.name))
        .collect();
    let answers: Vec<Option<&str>> = y
        .iter()
        .map(|v| Some(if *v == 1.0 { "ja" } else { "nej" }))
        .collect();
    columns.retain(|c| c.name().as_str() != "diskriminering");
    columns.push(Column::new("diskriminering".into(), answers));
    columns.push(Column::new(WEIGHT.into(), w.to_vec()));
    let (frame, answers) = Answers::encode(DataFrame::new_infer_height(columns).unwrap()).unwrap();
    let r = Respondents {
        year: 2018,
        file: "test".into(),
        path: PathBuf::from("test"),
        sha256: String::new(),
        rows: frame.height(),
        frame,
        answers,
        weighted: true,
        smallest_group: n,
        coarsened: false,
    };
    let cells = uppfolj::aggregate::survey::cells(&p, &r).unwrap();
    let total = cells
        .iter()
        .find(|c| c.indicator_id == "ENK-7" && c.key.group == "total")
        .unwrap();
    assert!((total.value.unwrap() - 0.6461538461538462).abs() < 1e-9);
    let sw: f64 = w.iter().sum();
    let sw2: f64 = w.iter().map(|x| x * x).sum();
    assert!((kish_effective_n(sw, sw2).unwrap() - 7.8240740740740735).abs() < 1e-9);
    assert!(
        (total.ci_low.unwrap() - 0.3194447737110726).abs() < 1e-9,
        "{total:?}"
    );
    assert!(
        (total.ci_high.unwrap() - 0.8766060246251728).abs() < 1e-9,
        "{total:?}"
    );
    assert_eq!(total.numerator, Some(6.0));
    assert_eq!(total.denominator, Some(10.0));
}

fn sample_respondents() -> Vec<Respondents> {
    let p = pipeline::load(&repo_root().join(SAMPLE_PIPELINE)).unwrap();
    let files: Vec<PathBuf> = [
        "enkat-2018.csv",
        "enkat-2019.csv",
        "enkat-2020.xlsx",
        "enkat-2021.parquet",
        "enkat-2022.csv",
    ]
    .iter()
    .map(|f| repo_root().join("data-samples/survey").join(f))
    .collect();
    let o = uppfolj::validate::survey::validate_files(&p, &files, None);
    assert!(o.refused.is_empty(), "{:?}", o.findings);
    o.respondents
}

#[test]
fn sample_indicators_have_intervals_around_their_values_and_plausible_trends() {
    let p = pipeline::load(&repo_root().join(SAMPLE_PIPELINE)).unwrap();
    let mut all = Vec::new();
    for r in sample_respondents() {
        all.extend(uppfolj::aggregate::survey::cells(&p, &r).unwrap());
    }
    // 7 indicators × 5 years; totals and groups (ENK-6 by kön only).
    assert_eq!(all.iter().filter(|c| c.key.group == "total").count(), 35);
    assert_eq!(all.len(), 5 * (6 * 5 + 3));
    for c in &all {
        let (v, lo, hi) = (c.value.unwrap(), c.ci_low.unwrap(), c.ci_high.unwrap());
        assert!((0.0..=1.0).contains(&v) && lo <= v && v <= hi, "{c:?}");
        assert!(c.numerator.unwrap() <= c.denominator.unwrap());
    }
    let total = |id: &str, year: i32| {
        all.iter()
            .find(|c| c.indicator_id == id && c.year == year && c.key.group == "total")
            .unwrap()
            .value
            .unwrap()
    };
    assert!(
        total("ENK-4", 2022) > total("ENK-4", 2018) + 0.03,
        "employment should rise"
    );
    assert!(
        total("ENK-7", 2022) < total("ENK-7", 2018) - 0.03,
        "discrimination should fall"
    );
    assert!(total("ENK-1", 2022) > total("ENK-1", 2018));
}

/// Every survey and return cell of the sample, before disclosure control.
fn sample_cells(p: &pipeline::Pipeline) -> Vec<uppfolj::aggregate::Cell> {
    let mut cells = Vec::new();
    for r in sample_respondents() {
        cells.extend(uppfolj::aggregate::survey::cells(p, &r).unwrap());
    }
    let (files, _) = uppfolj::inputs::collect_files(&[repo_root().join("data-samples/returns")]);
    let returns = uppfolj::validate::returns::validate_files(p, &files, None);
    cells.extend(uppfolj::aggregate::returns::cells(p, &returns.values));
    cells
}

/// The sample's published tables, audited from scratch: for every withheld
/// cell, a reader who knows every sum and that counts are whole and ≥ 0
/// cannot narrow it below the minimum cell. Nothing published tells primary
/// from complementary, so the reader has no more to go on.
#[test]
fn no_withheld_sample_cell_can_be_narrowed_below_the_minimum() {
    use uppfolj::disclose::{bounds, table_of};
    let p = pipeline::load(&repo_root().join(SAMPLE_PIPELINE)).unwrap();
    let mut cells = sample_cells(&p);
    // The cells protect keeps, in its order: city-only indicators per unit go.
    cells.retain(|c| uppfolj::disclose::publishable(&p, c));
    let protected = uppfolj::disclose::protect(&p, cells.clone()).unwrap();
    assert_eq!(protected.len(), cells.len());
    let mut tables: std::collections::BTreeMap<(String, i32), Vec<usize>> = Default::default();
    for (i, c) in cells.iter().enumerate() {
        tables
            .entry((c.indicator_id.clone(), c.year))
            .or_default()
            .push(i);
    }
    let mut audited = 0;
    for ((id, _), idx) in tables {
        let ind = p.indicator(&id).unwrap();
        if !ind.counts_persons {
            continue;
        }
        let before: Vec<&uppfolj::aggregate::Cell> = idx.iter().map(|i| &cells[*i]).collect();
        let withheld: Vec<bool> = idx.iter().map(|i| protected[*i].is_withheld()).collect();
        let sums = table_of(&before).sums;
        let dims = uppfolj::disclose::counts(&before, ind.unit == pipeline::MeasureUnit::Andel);
        for truth in &dims {
            for (k, r) in bounds::ranges(&sums, truth, &withheld) {
                assert!(
                    r.hides(5.0),
                    "{id}: {:?} narrowed to {r:?}",
                    before[k].place()
                );
                audited += 1;
            }
        }
    }
    assert!(audited >= 8, "{audited} withheld counts audited");
}

#[test]
fn the_audit_passes_on_every_table_the_sample_data_produces() {
    let p = pipeline::load(&repo_root().join(SAMPLE_PIPELINE)).unwrap();
    let cells = sample_cells(&p);
    let before = cells.len();
    let protected = uppfolj::disclose::protect(&p, cells).expect("the audit passes");
    assert!(
        protected.len() < before,
        "city-only indicators are dropped per unit"
    );
    assert!(
        protected
            .iter()
            .all(|c| c.indicator_id != "SOC-7" || c.unit_id == "stad"),
        "SOC-7 only for the city"
    );
    let withheld = protected.iter().filter(|c| c.is_withheld()).count();
    assert!(withheld > 0, "the samples have small cells to withhold");
    for c in &protected {
        if c.is_withheld() {
            assert!(
                c.value.is_none()
                    && c.numerator.is_none()
                    && c.denominator.is_none()
                    && c.n.is_none()
                    && c.ci_low.is_none()
            );
        }
    }
}
