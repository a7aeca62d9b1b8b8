//! `uppfolj run` end to end on `data-samples/`: the indicator table, the
//! charts, the report, the quality report and the manifest; byte-identical
//! twice; the committed charts are what the code draws; a killed run leaves
//! the previous output intact.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use uppfolj::store::names;

use crate::test::{SAMPLE_PIPELINE, Test, repo_root};

/// `uppfolj run` on the samples, offline, into `out`, publishing charts to `charts`.
fn samples_command(out: &Path, charts: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_uppfolj"));
    c.arg("run")
        .arg(repo_root().join(SAMPLE_PIPELINE))
        .args(["--offline", "--quiet", "--out"])
        .arg(out)
        .arg("--charts")
        .arg(charts);
    c
}

/// The same through the test builder: it must exit 0, and says what it printed if not.
fn run_samples(out: &Path, charts: &Path) -> std::process::Output {
    let pipeline = repo_root().join(SAMPLE_PIPELINE);
    Test::new()
        .args(&[
            "run",
            &pipeline.to_string_lossy(),
            "--offline",
            "--quiet",
            "--out",
            &out.to_string_lossy(),
            "--charts",
            &charts.to_string_lossy(),
        ])
        .run()
}

/// Every file under `dir`, by relative path.
pub(crate) fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// Every output file as text with the fingerprints taken out: SHA-256
/// digests, stage times and the test's and the clone's folders. They are digits and
/// letters that no survey value put there, and would otherwise match a
/// planted secret by chance (one CI clone's pipeline hash held "9876").
pub(crate) fn written_text(dir: &Path) -> BTreeMap<String, String> {
    let root = dir.parent().unwrap_or(dir).to_string_lossy().into_owned();
    files(dir)
        .into_iter()
        .map(|(name, bytes)| {
            let bytes = if name == names::MANIFEST {
                without_times(&bytes).into_bytes()
            } else if name.ends_with(".parquet") {
                parquet_as_csv(&bytes)
            } else {
                bytes
            };
            let text = String::from_utf8_lossy(&bytes)
                .replace(&root, "<test>")
                .replace(&*repo_root().to_string_lossy(), "<repo>");
            (name, without_digests(&text))
        })
        .collect()
}

/// A Parquet file's rows as CSV: what it says, not its compressed bytes
/// (in which text is not seen, and chance byte runs look like digits).
fn parquet_as_csv(bytes: &[u8]) -> Vec<u8> {
    use polars::prelude::*;
    let mut df = ParquetReader::new(std::io::Cursor::new(bytes))
        .finish()
        .expect("every Parquet file written is readable");
    let mut out = Vec::new();
    CsvWriter::new(&mut out).finish(&mut df).unwrap();
    out
}

/// The text with each run of 64 hex digits replaced by `<sha256>`.
pub(crate) fn without_digests(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    for c in text.chars() {
        if c.is_ascii_hexdigit() {
            run.push(c);
            continue;
        }
        out.push_str(if run.len() == 64 { "<sha256>" } else { &run });
        run.clear();
        out.push(c);
    }
    out.push_str(if run.len() == 64 { "<sha256>" } else { &run });
    out
}

/// The manifest without its stage times, which are the one thing allowed to differ.
pub(crate) fn without_times(manifest: &[u8]) -> String {
    let mut v: serde_json::Value = serde_json::from_slice(manifest).unwrap();
    v["stages"] = serde_json::Value::Null;
    v.to_string()
}

pub(crate) struct Sample {
    _dir: tempfile::TempDir,
    out: PathBuf,
    stdout: String,
    files: BTreeMap<String, Vec<u8>>,
}

impl Sample {
    pub(crate) fn bytes(&self, name: &str) -> Vec<u8> {
        self.files[name].clone()
    }

    pub(crate) fn text(&self, name: &str) -> String {
        String::from_utf8(self.files[name].clone()).unwrap()
    }

    fn json(&self, name: &str) -> serde_json::Value {
        serde_json::from_slice(&self.files[name]).unwrap()
    }

    /// The indicator table's rows, split at commas.
    /// The rows of `indicators.csv`, each field found by its column's name
    /// in the file's own header.
    pub(crate) fn rows(&self) -> Vec<Row> {
        let text = self.text(names::INDICATORS_CSV);
        let mut lines = text.lines();
        let header: std::rc::Rc<[String]> = lines
            .next()
            .unwrap_or_default()
            .split(',')
            .map(str::to_string)
            .collect();
        lines
            .map(|l| Row {
                header: header.clone(),
                fields: csv_fields(l),
            })
            .collect()
    }

    pub(crate) fn find(&self, id: &str, year: &str, unit: &str, group: &str) -> Option<Row> {
        self.rows().into_iter().find(|r| {
            r["indicator_id"] == id
                && r["year"] == year
                && r["unit_id"] == unit
                && r["group"] == group
        })
    }
}

/// One row of `indicators.csv`: `r["value"]`.
pub(crate) struct Row {
    header: std::rc::Rc<[String]>,
    fields: Vec<String>,
}

/// A CSV line's fields, quotes taken off (no field of the table holds a
/// line break).
pub(crate) fn csv_fields(line: &str) -> Vec<String> {
    let (mut fields, mut field, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => _ = (chars.next(), field.push('"')),
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut field)),
            c => field.push(c),
        }
    }
    fields.push(field);
    fields
}

impl Row {
    /// The fields from column `from` to column `to`, both included.
    pub(crate) fn span(&self, from: &str, to: &str) -> Vec<&str> {
        let (a, b) = (self.at(from), self.at(to));
        self.fields[a..=b].iter().map(String::as_str).collect()
    }

    fn at(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("indicators.csv has no column {name}"))
    }
}

impl std::ops::Index<&str> for Row {
    type Output = String;
    fn index(&self, name: &str) -> &String {
        &self.fields[self.at(name)]
    }
}

impl std::fmt::Debug for Row {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.fields.fmt(f)
    }
}

fn sample() -> Sample {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ut");
    let o = run_samples(&out, &dir.path().join("charts"));
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    let files = outputs_of(dir.path());
    Sample {
        _dir: dir,
        out,
        stdout,
        files,
    }
}

/// What a run into `dir/ut` wrote: the output folder's files, and what must
/// not be published as `privat/…` (the cache left out).
fn outputs_of(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut all = files(&dir.join("ut"));
    for (name, bytes) in files(&dir.join("ut-EJ-FOR-PUBLICERING")) {
        if !name.starts_with("cache/") {
            all.insert(format!("privat/{name}"), bytes);
        }
    }
    all
}

/// One run on the samples, shared by the tests that only read what it made.
pub(crate) fn shared() -> &'static Sample {
    static SAMPLE: OnceLock<Sample> = OnceLock::new();
    SAMPLE.get_or_init(sample)
}

#[test]
fn the_run_makes_every_output() {
    let s = shared();
    for f in [
        names::INDICATORS_CSV,
        names::INDICATORS_PARQUET,
        names::WORKBOOK,
        names::QUALITY,
        names::MANIFEST,
        names::REPORT,
        "charts/ENK-4.svg",
        "charts/ENK-4.png",
        "charts/paritet.svg",
        "charts/fullstandighet.png",
        "charts/aktiviteter.svg",
        "privat/feedback/amn-2021.txt",
        "privat/feedback/skarholmen-2019.txt",
        "privat/EJ-FOR-PUBLICERING-undantag.csv",
    ] {
        assert!(s.files.contains_key(f), "{f} missing");
    }
}

/// The output folder holds only what may be published, and says so; what
/// must not be published is in a folder of its own beside it, which only
/// its owner may open, and the summary names both.
#[test]
fn nothing_unpublishable_lies_in_the_output_folder() {
    let s = shared();
    let published: Vec<&String> = s
        .files
        .keys()
        .filter(|f| !f.starts_with("privat/"))
        .collect();
    for f in &published {
        assert!(
            !f.starts_with("feedback") && !f.contains("EJ-FOR-PUBLICERING") && !f.contains("cache"),
            "{f} is in the output folder"
        );
    }
    assert!(
        s.text(names::PUBLISHABLE_NOTE)
            .starts_with("Allt i den här mappen får publiceras")
    );
    assert!(
        s.text(&format!("privat/{}", names::PRIVATE_NOTE))
            .starts_with("EJ FÖR PUBLICERING.")
    );
    let private = s.out.with_file_name("ut-EJ-FOR-PUBLICERING");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&private).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700, "owner only");
    }
    assert!(
        private.join("cache").is_dir(),
        "the cache is in the private folder"
    );
    assert!(!s.out.with_file_name(".uppfolj-cache").exists());
    assert!(
        s.stdout.contains("\nUtdata, får publiceras: "),
        "{}",
        s.stdout
    );
    assert!(s.stdout.contains("ut-EJ-FOR-PUBLICERING\n"), "{}", s.stdout);
}

/// A private folder inside the output or charts folder would be published
/// with it: the run refuses before it computes anything.
#[test]
fn a_private_folder_inside_what_is_published_is_refused() {
    for (private, what) in [
        ("ut/hemligt", "utdatamappen"),
        ("diagram/x", "diagrammappen"),
        (".", "utdatamappen"),
    ] {
        let (_, dir) = pipeline_in_test_folder(
            Test::new(),
            "inkorg",
            "enkat/enkat-2018.csv",
            "ut",
            "diagram",
        )
        .args(&["run", "p.toml", "--offline", "-q", "--private", private])
        .status(2)
        .stderr_has(&format!("ligger i eller runt {what}"))
        .run_keep();
        assert!(
            !dir.path().join("ut").exists(),
            "{private}: nothing written"
        );
    }
}

#[test]
fn a_missing_return_from_an_earlier_year_is_asked_for_without_a_past_date() {
    let s = shared();
    let text = s.text("privat/feedback/skarholmen-2019.txt");
    assert!(
        text.contains("\nIngen återrapportering har kommit in för 2019. Tiden för att lämna den har gått ut; fyll i mallen för året och skicka den så snart som möjligt.\n"),
        "{text}"
    );
    assert!(!text.contains("senast"), "{text}");
}

#[test]
fn the_indicator_table_has_its_columns_and_known_values() {
    let s = shared();
    assert_eq!(
        s.text(names::INDICATORS_CSV).lines().next().unwrap(),
        "indicator_id,year,unit_id,breakdown,group,value,numerator,denominator,n,ci_low,ci_high,n_effective,std_error,change_significant,suppressed,source,units_expected,units_reported,complete,title,measure_unit,weighted,unit_name,breakdown_label,group_label"
    );
    // What each row is: its title, unit of measure, and whether weighted.
    let text = s.text(names::INDICATORS_CSV);
    let line = |start: &str| {
        text.lines()
            .find(|l| l.starts_with(start))
            .unwrap()
            .to_string()
    };
    assert!(
        line("ENK-4,2022,stad,total,total,").ends_with(
            ",survey,,,true,Andel 20–64 år som arbetar eller har eget företag,share,true,Hela staden,Totalt,Totalt"
        )
    );
    assert!(
        line("GAP-1,2022,stad,total,total,")
            .ends_with(",percentage_points,true,Hela staden,Totalt,Totalt")
    );
    assert!(
        line("REF-1,2022,stad,total,total,").ends_with(",share,false,Hela staden,Totalt,Totalt")
    );
    assert!(line("ARB-1,2022,amn,kon,kvinna,").ends_with(
        ",\"Arbetssökande romer som nåtts med information, vägledning och stöd\",count,false,Arbetsmarknadsnämnden,Kön,Kvinna"
    ));
    // Rounded to what they mean: the snapshot's Stockholm employment 2022 is
    // 81.4 %, not 0.8140000000000001; a gap keeps hundredths of a point; a
    // count is whole, with a decimal point so that the column reads as decimals.
    let r = |id, unit, group| s.find(id, "2022", unit, group).unwrap();
    assert_eq!(r("REF-1", "stad", "total")["value"], "0.8140");
    assert_eq!(
        r("GAP-1", "stad", "total").span("value", "std_error"),
        [
            "-28.71", "", "", "1105", "-31.77", "-25.68", "1030.9", "1.56"
        ]
    );
    assert_eq!(
        r("ENK-1", "stad", "total").span("value", "std_error"),
        [
            "0.3882", "477", "1243", "1243", "0.3606", "0.4166", "1161.3", "0.0143"
        ]
    );
    assert_eq!(
        r("ARB-1", "stad", "total").span("value", "n"),
        ["161.0", "", "", "161"]
    );
    for year in 2018..=2022 {
        let y = year.to_string();
        // Kolada's N02267 starts with 2020, as SCB's BAS does.
        assert_eq!(
            s.find("GAP-1", &y, "stad", "total").is_some(),
            year >= 2020,
            "GAP-1 {year}"
        );
        assert!(
            s.find("GAP-2", &y, "stad", "kvinna").is_some(),
            "GAP-2 {year}"
        );
        let enk = s.find("ENK-4", &y, "stad", "total").unwrap();
        let v: f64 = enk["value"].parse().unwrap();
        let (lo, hi): (f64, f64) = (
            enk["ci_low"].parse().unwrap(),
            enk["ci_high"].parse().unwrap(),
        );
        assert!(lo < v && v < hi && enk["source"] == "survey");
    }
    let rows = s.rows();
    assert!(
        rows.iter()
            .filter(|r| r["indicator_id"] == "SOC-7")
            .all(|r| r["unit_id"] == "stad"),
        "SOC-7 for the city only"
    );
    for r in rows.iter().filter(|r| r["suppressed"] == "true") {
        assert!(
            r["value"].is_empty()
                && r["numerator"].is_empty()
                && r["denominator"].is_empty()
                && r["n"].is_empty(),
            "a withheld row carries numbers: {r:?}"
        );
    }
    // The planted "ca 20" leaves ARB-2 (man) 2021 out of Arbetsmarknadsnämnden's numbers.
    assert!(s.find("ARB-2", "2021", "amn", "man").is_none());
}

#[test]
fn the_reference_data_is_dated_not_aged_so_outputs_are_the_same_any_day() {
    for name in [names::REPORT, names::QUALITY] {
        let text = shared().text(name);
        assert!(
            text.contains("REF-1 (N02267): från cachen (hämtad 2023-01-16)"),
            "{name}"
        );
        assert!(
            !text.contains("gammal") && !text.contains("i dag"),
            "{name}"
        );
    }
}

#[test]
fn the_report_has_its_sections_and_fetches_nothing() {
    let html = shared().text(names::REPORT);
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"sv\">"));
    for needle in [
        "<h1>Uppföljning 2022: Stockholms stads strategi för romsk inkludering 2018–2022</h1>",
        "<h2 id=\"sammanfattning\">Sammanfattning</h2>",
        "<h2 id=\"omrade-ARB\">Rätten till arbete och försörjning</h2>",
        "<h2 id=\"omrade-UPP\">Ansvarsfördelning och uppföljning</h2>",
        "<h2 id=\"paritet\">Jämförelse med hela staden och riket</h2>",
        "<h2 id=\"bilaga-atgarder\">Bilaga 1. Nämndernas redovisning per åtgärd</h2>",
        "<h2 id=\"bilaga-tabeller\">Bilaga 2. Tabeller per indikator</h2>",
        "<h2 id=\"bilaga-kvalitet\">Bilaga 3. Datakvalitet</h2>",
        "<h2 id=\"bilaga-metod\">Bilaga 4. Metod</h2>",
        "<svg role=\"img\" aria-labelledby=\"t-ENK-4 d-ENK-4\"",
        "@media print",
    ] {
        assert!(html.contains(needle), "the report lacks {needle}");
    }
    assert!(
        !html.contains("src=\"http") && !html.contains("<link") && !html.contains("url(http"),
        "the report must not fetch anything"
    );
}

#[test]
fn the_reports_summary_leads_with_key_points_and_the_status_of_each_target() {
    let s = shared();
    let html = s.text(names::REPORT);
    let summary = &html[html.find("id=\"sammanfattning\"").unwrap()..];
    let summary = &summary[..summary.find("</section>").unwrap()];
    for needle in [
        "<h3>Det viktigaste</h3><ul class=\"key-points\">",
        "<li><strong>18 av 18</strong> nämnder lämnade återrapportering för 2022; 99 % av de väntade värdena kom in.</li>",
        "<li>Av 9 indikatorer med mål för 2022:<ul><li><strong>3</strong> uppfyllda: ARB-2 ",
        "<li><strong>4</strong> ej uppfyllda: ARB-1 ",
        "<li><strong>1</strong> delvis uppfyllda: UTB-2 Modersmålslärare i romani chib, 9 mot målet 10.</li><li><strong>1</strong> inom felmarginalen: ENK-1 ",
        "(GAP-1): <strong>−28,7\u{a0}%\u{2011}enheter (−31,8\u{a0}till\u{a0}−25,7)</strong> 2022 (år 2021: −30,0\u{a0}%\u{2011}enheter, en förändring inom felmarginalen).</li>",
        // Symbol and word, last year's value and the change; the baseline under the title.
        "<td class=\"standing\" data-label=\"Bedömning\"><span class=\"s s-missed\"><span aria-hidden=\"true\">✘</span> Ej uppfyllt</span></td><td class=\"num\" data-label=\"Utfall 2022\">161</td><td class=\"num\" data-label=\"Mål\">220</td><td class=\"num\" data-label=\"2021\">159</td><td class=\"num\" data-label=\"Förändring\">+2</td></tr>",
        "<a href=\"#ind-ARB-1\">ARB-1 Arbetssökande romer som nåtts med information, vägledning och stöd</a><span class=\"ci\">Baslinje 140 (2018)</span></th>",
        "<span aria-hidden=\"true\">◐</span> Delvis uppfyllt",
        "<h3>Åtgärdernas status 2022</h3>",
        "<svg role=\"img\" aria-labelledby=\"t-aktiviteter d-aktiviteter\"",
    ] {
        assert!(summary.contains(needle), "the summary lacks {needle}");
    }
    // One vocabulary with the templates.
    for old in ["nådde målet", "närmade sig", "nådde inte"] {
        assert!(!html.contains(old), "{old}");
    }
    // ARB-2 2021 lacks a unit ("ca 20" refused): no change is told against it.
    let arb2 = &summary[summary.find("<a href=\"#ind-ARB-2\">").unwrap()..];
    let arb2 = &arb2[..arb2.find("</tr>").unwrap()];
    assert!(arb2.contains("data-label=\"Förändring\">–</td>"), "{arb2}");
    assert!(!summary.contains("(ARB-2) ökade") && !summary.contains("(ARB-2) minskade"));
}

/// The texts of a chart's SVG whose `<text` element starts with `attrs`.
pub(crate) fn svg_texts(svg: &str, attrs: &str) -> Vec<String> {
    svg.split(&format!("<text {attrs}"))
        .skip(1)
        .map(|t| {
            let body = &t[t.find('>').unwrap() + 1..];
            body[..body.find('<').unwrap()].trim().to_string()
        })
        .collect()
}

/// A chart's texts as one line: a wrapped note reads as it was written.
pub(crate) fn svg_words(svg: &str) -> String {
    svg_texts(svg, "").join(" ")
}

#[test]
fn a_small_count_has_a_tick_per_whole_number_and_the_gaps_are_named_in_words() {
    let s = shared();
    let upp = s.text("charts/UPP-1.svg");
    assert_eq!(svg_texts(&upp, "x=\"86\""), ["0", "1", "2", "3", "4", "5"]);
    let parity = s.text("charts/paritet.svg");
    let texts = svg_words(&parity);
    for words in [
        "Skillnad i andel som arbetar (GAP-1)",
        "Skillnad i utbildningsnivå (GAP-2)",
        "Högre är bättre.",
    ] {
        assert!(texts.contains(words), "{texts}");
    }
    // The PNG is the SVG rendered: same size, drawn.
    let png = &s.files["charts/UPP-1.png"];
    assert_eq!(&png[1..4], b"PNG");
    let (w, h) = (
        u32::from_be_bytes(png[16..20].try_into().unwrap()),
        u32::from_be_bytes(png[20..24].try_into().unwrap()),
    );
    assert_eq!((w, h), svg_size(&upp));
    assert_eq!(w, 640);
}

/// An SVG's width and height, from its root element.
fn svg_size(svg: &str) -> (u32, u32) {
    let attr = |name: &str| {
        let at = svg.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        svg[at..at + svg[at..].find('"').unwrap()].parse().unwrap()
    };
    (attr("width"), attr("height"))
}

/// Every chart's smallest text is at least 7 pt where the report prints it:
/// two to a row (88 mm wide), and the completeness grid, alone, 56 % of the
/// page's 180 mm. On a 390 px phone the chart fills the screen, so the same
/// text is at least 10 px.
#[test]
fn every_chart_is_readable_printed_on_a4_and_on_a_phone() {
    let s = shared();
    let charts: Vec<&String> = s
        .files
        .keys()
        .filter(|k| k.starts_with("charts/") && k.ends_with(".svg"))
        .collect();
    assert!(charts.len() > 30, "{charts:?}");
    for name in charts {
        let svg = s.text(name);
        let (width, _) = svg_size(&svg);
        let smallest = svg
            .split("font-size=\"")
            .skip(1)
            .map(|t| t[..t.find('"').unwrap()].parse::<f64>().unwrap())
            .fold(f64::MAX, f64::min);
        let printed_mm = if name.ends_with("fullstandighet.svg") {
            0.56 * 180.0
        } else {
            88.0
        };
        let points = smallest * printed_mm / f64::from(width) / 0.3528;
        assert!(
            points >= 7.0,
            "{name}: {smallest} px of {width} is {points:.2} pt printed"
        );
        let phone = smallest * 390.0 / f64::from(width);
        assert!(phone >= 10.0, "{name}: {phone:.1} px on a phone");
    }
}

#[test]
fn the_summary_matches_the_quality_report() {
    let s = shared();
    let q = s.json(names::QUALITY);
    let line = |l: String| {
        assert!(
            s.stdout.lines().any(|x| x == l),
            "no line {l:?} in\n{}",
            s.stdout
        )
    };
    line(format!(
        "Fel och varningar: {} fel, {} varningar (se kvalitet.json och {})",
        q["errors"],
        q["warnings"],
        s.out
            .with_file_name("ut-EJ-FOR-PUBLICERING")
            .join("feedback")
            .display()
    ));
    line(format!(
        "Avvisade filer: {}",
        q["refused"].as_array().unwrap().len()
    ));
    let c2019 = q["completeness"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["year"] == 2019)
        .unwrap();
    assert_eq!(c2019["missing"], serde_json::json!(["skarholmen"]));
    line("Saknade återrapporteringar: 1 (Skärholmens stadsdelsnämnd 2019)".into());
    let withheld = q["withheld"].as_array().unwrap().len();
    line(format!(
        "Undantagna värden: {withheld} av {}",
        s.rows().len()
    ));
}

#[test]
fn the_manifest_records_inputs_with_their_hashes() {
    let s = shared();
    let m = s.json(names::MANIFEST);
    let inputs = m["inputs"].as_array().unwrap();
    let kind = |k: &str| inputs.iter().filter(|i| i["kind"] == k).count();
    assert_eq!(kind("återrapportering"), 91);
    assert_eq!(kind("enkät"), 5);
    assert!(
        inputs
            .iter()
            .all(|i| i["sha256"].as_str().unwrap().len() == 64)
    );
    assert_eq!(m["rows"]["indicators"], s.rows().len());
}

#[test]
fn a_second_run_gives_the_same_bytes_but_the_stage_times() {
    let first = &shared().files;
    let dir2 = tempfile::tempdir().unwrap();
    let out2 = dir2.path().join("ut");
    run_samples(&out2, &dir2.path().join("charts"));
    let second = outputs_of(dir2.path());
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        second.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in first {
        if name == names::MANIFEST {
            assert_eq!(without_times(bytes), without_times(&second[name]));
        } else {
            assert!(bytes == &second[name], "{name} differs between two runs");
        }
    }
}

#[test]
fn the_committed_charts_are_what_the_code_draws() {
    let s = shared();
    let drawn = files(&s.out.join(names::CHARTS));
    let committed: BTreeMap<String, Vec<u8>> = files(&repo_root().join("charts"))
        .into_iter()
        .filter(|(k, _)| k.ends_with(".svg") || k.ends_with(".png"))
        .collect();
    assert_eq!(
        drawn.keys().collect::<Vec<_>>(),
        committed.keys().collect::<Vec<_>>(),
        "charts/ is out of date: run `cargo run --release -- run pipelines/romsk-inkludering-2018-2022.toml` and commit charts/"
    );
    for (name, bytes) in &drawn {
        assert!(
            bytes == &committed[name],
            "charts/{name} differs from what the code draws; rerun and commit charts/"
        );
    }
}

#[test]
fn a_run_killed_while_writing_leaves_the_previous_output_intact() {
    let s = sample();
    let before = files(&s.out);
    let paused = s.out.parent().unwrap().join("skriver");
    // Without the cache: with it, unchanged inputs would leave the folder standing.
    let mut child = samples_command(&s.out, &s.out.parent().unwrap().join("charts"))
        .arg("--no-cache")
        .env(uppfolj::run::PAUSE_WHILE_WRITING, &paused)
        .spawn()
        .unwrap();
    // The run says when it is half-way through writing; wait for that (at
    // most two minutes), so the kill provably lands mid-write.
    let waited = std::time::Instant::now();
    while !paused.exists() {
        assert!(
            waited.elapsed().as_secs() < 120 && child.try_wait().unwrap().is_none(),
            "the run never reached its writing"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        files(&s.out) == before,
        "the output folder changed under a killed run"
    );
    // The half-written folder is beside it, never in its place.
    let beside: Vec<String> = std::fs::read_dir(s.out.parent().unwrap())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        beside.iter().any(|n| n.starts_with(".ut.pågår-")),
        "{beside:?}"
    );
}

#[test]
fn write_atomically_keeps_the_old_folder_when_the_writer_fails_half_way() {
    use uppfolj::error::Error;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ut");
    uppfolj::run::write_atomically(&out, |tmp| {
        std::fs::write(tmp.join("gammal.txt"), "förra körningen").map_err(Error::io("test"))
    })
    .unwrap();
    let result = uppfolj::run::write_atomically(&out, |tmp| {
        std::fs::write(tmp.join("halv.txt"), "halvvägs").unwrap();
        Err(Error::Usage("skrivaren gav upp".into()))
    });
    assert!(matches!(result, Err(Error::Usage(m)) if m == "skrivaren gav upp"));
    assert_eq!(
        std::fs::read_to_string(out.join("gammal.txt")).unwrap(),
        "förra körningen"
    );
    assert!(!out.join("halv.txt").exists());
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
    assert_eq!(left.len(), 1, "the temporary folder is removed");

    // A writer that succeeds replaces the folder whole.
    uppfolj::run::write_atomically(&out, |tmp| {
        std::fs::write(tmp.join("ny.txt"), "ny").map_err(Error::io("test"))
    })
    .unwrap();
    assert!(!out.join("gammal.txt").exists());
    assert_eq!(std::fs::read_to_string(out.join("ny.txt")).unwrap(), "ny");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

/// The sample pipeline in a test folder: returns from `inbox`, the 2018 survey
/// from `survey_2018`, everything else from `data-samples/`, output in `ut/`.
pub(crate) fn pipeline_in_test_folder(
    t: Test,
    inbox: &str,
    survey_2018: &str,
    out: &str,
    charts: &str,
) -> Test {
    pipeline_in_test_folder_with(t, inbox, survey_2018, out, charts, &[])
}

/// The same, with more edits to the sample pipeline.
pub(crate) fn pipeline_in_test_folder_with(
    t: Test,
    inbox: &str,
    survey_2018: &str,
    out: &str,
    charts: &str,
    extra: &[(&str, &str)],
) -> Test {
    let mut text = crate::test::sample_pipeline();
    for (from, to) in sample_paths(inbox, survey_2018, out, charts)
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .chain(extra.iter().copied())
    {
        text = crate::test::edit(&text, from, to);
    }
    t.write("p.toml", text)
}

/// The edits that point the sample pipeline's inputs at the repository's
/// sample data and its outputs into the test's folder.
pub(crate) fn sample_paths(
    inbox: &str,
    survey_2018: &str,
    out: &str,
    charts: &str,
) -> Vec<(String, String)> {
    let root = repo_root();
    let data = |p: &str| {
        root.join("data-samples")
            .join(p)
            .to_string_lossy()
            .replace('\\', "/")
    };
    let survey = |y: &str| format!("path = \"{}\"", data(&format!("survey/enkat-{y}")));
    let inbox_edit = format!("inbox = \"{inbox}\"");
    let out_edit = format!("dir = \"{out}\"");
    let charts_edit = format!("charts = \"{charts}\"");
    let cache_edit = format!("cache = \"{}\"", data("reference"));
    let survey_edit = format!("path = \"{survey_2018}\"");
    let assessments_edit = format!("assessments = \"{}\"", data("bedomningar"));
    let (s19, s20, s21, s22) = (
        survey("2019.csv"),
        survey("2020.xlsx"),
        survey("2021.parquet"),
        survey("2022.csv"),
    );
    let edits: Vec<(&str, &str)> = vec![
        ("inbox = \"../data-samples/returns\"", &inbox_edit),
        ("dir = \"../ut\"", &out_edit),
        ("charts = \"../charts\"", &charts_edit),
        ("cache = \"../data-samples/reference\"", &cache_edit),
        (
            "assessments = \"../data-samples/bedomningar\"",
            &assessments_edit,
        ),
        (
            "path = \"../data-samples/survey/enkat-2018.csv\"",
            &survey_edit,
        ),
        ("path = \"../data-samples/survey/enkat-2019.csv\"", &s19),
        ("path = \"../data-samples/survey/enkat-2020.xlsx\"", &s20),
        ("path = \"../data-samples/survey/enkat-2021.parquet\"", &s21),
        ("path = \"../data-samples/survey/enkat-2022.csv\"", &s22),
    ];
    edits
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn a_refused_input_makes_exit_1_and_is_said_in_the_summary() {
    let survey_2018 = repo_root()
        .join("data-samples/survey/enkat-2018.csv")
        .to_string_lossy()
        .replace('\\', "/");
    let t = pipeline_in_test_folder(Test::new(), "inkorg", &survey_2018, "ut", "diagram")
        .fixture("returns/un-2022.xlsx", "inkorg/2022/un-2022.xlsx")
        .fixture("returns/truncated.xlsx", "inkorg/2022/amn-2022.xlsx");
    let (out, dir) = t
        .args(&["run", "p.toml", "--offline", "-q"])
        .status(1)
        .stdout_has("Avvisade filer: 1")
        .stdout_has("inkorg/2022/amn-2022.xlsx")
        .run_keep();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("Saknade återrapporteringar:"), "{stdout}");
    let q: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("ut").join(names::QUALITY)).unwrap())
            .unwrap();
    assert_eq!(q["refused"][0]["file"], "inkorg/2022/amn-2022.xlsx");
    assert!(
        dir.path()
            .join("ut-EJ-FOR-PUBLICERING")
            .join(names::FEEDBACK)
            .join("avvisad-amn-2022.txt")
            .exists()
    );
    // The committee's own note says its file came in and why it was refused.
    let note = std::fs::read_to_string(
        dir.path()
            .join("ut-EJ-FOR-PUBLICERING")
            .join(names::FEEDBACK)
            .join("amn-2022.txt"),
    )
    .unwrap();
    assert!(
        note.contains("\nFilen amn-2022.xlsx har kommit in men kunde inte läsas, så återrapporteringen för 2022 saknas fortfarande:\n- filen är skadad eller ofullständig"),
        "{note}"
    );
    assert!(note.ends_with("\nRätta filen som beskrivs ovan, eller fyll i årets mall på nytt, och skicka den igen.\n"), "{note}");
    assert!(
        !note.contains("Ingen återrapportering har kommit in"),
        "{note}"
    );
    assert!(
        dir.path().join("diagram/UTB-3.svg").exists(),
        "charts are published where the pipeline says"
    );
}

#[test]
fn no_value_from_a_refused_survey_file_reaches_any_output() {
    let root = repo_root();
    let mut survey =
        std::fs::read_to_string(root.join("data-samples/survey/enkat-2018.csv")).unwrap();
    // A personnummer and an e-mail address in the free-text column of two rows.
    let lines: Vec<String> = survey
        .lines()
        .enumerate()
        .map(|(i, l)| match i {
            3 | 5 => {
                // Replace the last field, the free-text comment.
                let mut f: Vec<&str> = l.split(',').collect();
                *f.last_mut().unwrap() = if i == 3 {
                    "Ring mig 811218-9876"
                } else {
                    "skriv till ulla.ungersson@example.se"
                };
                f.join(",")
            }
            _ => l.to_string(),
        })
        .collect();
    survey = lines.join("\r\n") + "\r\n";
    let inbox = root
        .join("data-samples/returns")
        .to_string_lossy()
        .replace('\\', "/");
    let t = pipeline_in_test_folder(Test::new(), &inbox, "enkat/enkat-2018.csv", "ut", "diagram")
        .write("enkat/enkat-2018.csv", survey);
    let secrets = [
        "811218",
        "9876",
        "ulla",
        "ungersson",
        "example.se",
        "Ring mig",
    ];
    let mut t = t
        .args(&["run", "p.toml", "--offline", "-v"])
        .status(1)
        .stdout_has("Avvisade filer: 1");
    for s in secrets {
        t = t.stdout_lacks(s).stderr_lacks(s);
    }
    let (_, dir) = t.run_keep();
    // Nothing from the file in anything written, and no 2018 survey numbers.
    for (name, text) in written_text(&dir.path().join("ut")) {
        for s in secrets {
            assert!(!text.contains(s), "{s:?} found in {name}");
        }
    }
    let csv = std::fs::read_to_string(dir.path().join("ut").join(names::INDICATORS_CSV)).unwrap();
    assert!(
        !csv.lines().any(|l| l.starts_with("ENK-1,2018,")),
        "the refused year has no survey numbers"
    );
    assert!(csv.lines().any(|l| l.starts_with("ENK-1,2019,")));
    let q = std::fs::read_to_string(dir.path().join("ut").join(names::QUALITY)).unwrap();
    assert!(q.contains("Kolumn 14 (räknat från vänster) innehåller något som ser ut som ett personnummer eller samordningsnummer på 1 rad"), "{q}");
}

#[test]
fn refused_files_with_the_same_name_each_get_their_own_feedback() {
    let survey_2018 = repo_root()
        .join("data-samples/survey/enkat-2018.csv")
        .to_string_lossy()
        .replace('\\', "/");
    let (_, dir) = pipeline_in_test_folder(Test::new(), "inkorg", &survey_2018, "ut", "diagram")
        .fixture("returns/truncated.xlsx", "inkorg/2021/amn.xlsx")
        .fixture("returns/truncated.xlsx", "inkorg/2022/amn.xlsx")
        .args(&["run", "p.toml", "--offline", "-q"])
        .status(1)
        .stdout_has("Avvisade filer: 2")
        .run_keep();
    let feedback = dir
        .path()
        .join("ut-EJ-FOR-PUBLICERING")
        .join(names::FEEDBACK);
    let first = std::fs::read_to_string(feedback.join("avvisad-amn.txt")).unwrap();
    let second = std::fs::read_to_string(feedback.join("avvisad-amn-2.txt")).unwrap();
    assert!(first.contains("inkorg/2021/amn.xlsx"), "{first}");
    assert!(second.contains("inkorg/2022/amn.xlsx"), "{second}");
}

#[test]
fn paths_in_the_outputs_are_said_the_short_way() {
    let s = shared();
    for name in [names::MANIFEST, names::QUALITY] {
        let text = s.text(name);
        assert!(text.contains("data-samples/returns/2022/"), "{name}");
        assert!(!text.contains("/../"), "{name} has a path through ..");
    }
}
