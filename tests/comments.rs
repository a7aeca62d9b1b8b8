//! Comments: the committee's explanation beside each value, and its
//! measures' descriptions, reach the feedback, `kvalitet.json` and (when
//! asked for) the report; one that holds an identifier is an error on its
//! cell and is kept nowhere; an explained change is not an open warning.

use std::path::Path;

use uppfolj::pipeline;

use crate::run::{files, pipeline_in_test_folder_with};
use crate::test::{Test, repo_root};

/// Identifiers as a hurried official writes them into a comment: with
/// spaces, in fullwidth digits, inside a word; and an e-mail address.
const PLANTED: [&str; 4] = [
    "ring 19811218 9876 om frågor",
    "enligt １９８１１２１８－９８７６",
    "ärende811218-9876klart",
    "kontakt: anna.svensson@stockholm.se",
];
/// What each planted identifier is, by its digits or address, however it
/// would be written out.
const NEEDLES: [&str; 3] = ["8112189876", "811218", "anna.svensson"];

/// A test folder with a copy of the sample's returns, where Kungsholmens
/// 2022 return carries `comments` by indicator row and a description on its
/// first measure.
fn folder(
    comments: &[(&str, &str, &str)],
    description: Option<&str>,
    extra: &[(&str, &str)],
) -> tempfile::TempDir {
    let mut t = Test::new();
    for (rel, bytes) in files(&repo_root().join("data-samples/returns")) {
        t = t.write(&format!("inkorg/{rel}"), bytes);
    }
    let survey = std::fs::read(repo_root().join("data-samples/survey/enkat-2018.csv")).unwrap();
    let t = t.write("enkat/enkat-2018.csv", survey);
    let (_, dir) =
        pipeline_in_test_folder_with(t, "inkorg", "enkat/enkat-2018.csv", "ut", "diagram", extra)
            .args(&["check", "p.toml"])
            .run_keep();
    let bytes = kungsholmen(dir.path(), comments, description);
    std::fs::write(dir.path().join("inkorg/2022/kungsholmen-2022.xlsx"), bytes).unwrap();
    dir
}

/// Kungsholmens 2022 return as the sample fills it (its planted jump in
/// SOC-1 included), with comments on the rows of (indicator, group).
pub(crate) fn kungsholmen(
    dir: &Path,
    comments: &[(&str, &str, &str)],
    description: Option<&str>,
) -> Vec<u8> {
    let p = pipeline::load(&dir.join("p.toml")).unwrap();
    let layout = uppfolj::layout::layout(&p, p.unit("kungsholmen").unwrap(), 2022);
    let mut fill = crate::samples::fill_for(&p, &layout);
    for (indicator, group, text) in comments {
        let row = layout
            .indicators
            .iter()
            .position(|r| r.indicator.id == *indicator && r.key.group == *group)
            .unwrap_or_else(|| {
                let rows: Vec<String> = layout
                    .indicators
                    .iter()
                    .map(|r| format!("{} {:?}", r.indicator.id, r.key))
                    .collect();
                panic!("no row {indicator} {group}: {rows:?}")
            });
        fill.comments.insert(row, text.to_string());
    }
    if let Some(d) = description {
        let first = fill.activities.get_mut(&0).unwrap();
        first.2 = d.to_string();
    }
    uppfolj::template::workbook_bytes(&p, &layout, Some(&fill)).unwrap()
}

/// The comment column's cell of a row, as validation names it.
fn comment_cell(dir: &Path, indicator: &str, group: &str) -> String {
    let p = pipeline::load(&dir.join("p.toml")).unwrap();
    let layout = uppfolj::layout::layout(&p, p.unit("kungsholmen").unwrap(), 2022);
    let row = layout
        .indicators
        .iter()
        .position(|r| r.indicator.id == indicator && r.key.group == group)
        .unwrap();
    format!("F{}", uppfolj::layout::FIRST_ROW as usize + row + 1)
}

fn every_file_lacks(dir: &Path, needles: &[&str]) {
    for (name, bytes) in files(dir) {
        let text = String::from_utf8_lossy(&bytes);
        for n in needles {
            assert!(!text.contains(n), "{n:?} is in {}/{name}", dir.display());
        }
    }
}

#[test]
fn a_comment_with_an_identifier_is_an_error_on_its_cell_and_is_kept_nowhere() {
    let rows = [
        ("UTB-4", "total"),
        ("KUL-1", "total"),
        ("KUL-2", "total"),
        ("KUL-3", "total"),
    ];
    let comments: Vec<(&str, &str, &str)> = rows
        .iter()
        .zip(PLANTED)
        .map(|((i, g), c)| (*i, *g, c))
        .collect();
    let dir = folder(&comments, Some("Samordnare nås på 070-123 45 67"), &[]);
    let (out, dir) = Test::within(dir)
        .args(&["validate", "p.toml", "inkorg/2022/kungsholmen-2022.xlsx"])
        .status(1)
        .run_keep();
    let stdout = String::from_utf8_lossy(&out.stdout);
    for ((ind, group), kind) in rows.iter().zip([
        "ett personnummer eller samordningsnummer",
        "ett personnummer eller samordningsnummer",
        "ett personnummer eller samordningsnummer",
        "en e-postadress",
    ]) {
        let cell = comment_cell(dir.path(), ind, group);
        let line = stdout
            .lines()
            .find(|l| l.contains(&format!("Indikatorer!{cell} ")))
            .unwrap_or_else(|| panic!("no finding on {cell}:\n{stdout}"));
        assert!(line.starts_with("fel: "), "{line}");
        assert!(
            line.ends_with(&format!("kommentaren innehåller något som liknar {kind}. Uppföljningen får inte innehålla personuppgifter, så kommentaren har inte tagits med. Ta bort personuppgiften ur kommentaren och skicka filen igen.")),
            "{line}"
        );
    }
    assert!(
        stdout.contains("Aktiviteter!E4 (åtgärd ")
            && stdout.contains("beskrivningen innehåller något som liknar ett telefonnummer"),
        "{stdout}"
    );
    for n in NEEDLES.iter().chain(&["123 45 67"]) {
        assert!(!stdout.contains(n), "{n} echoed:\n{stdout}");
    }
    // A run keeps them nowhere: not in what is published, not in the
    // private folder, not in the cache.
    let (_, dir) = Test::within(dir)
        .args(&["run", "p.toml", "--offline", "--quiet"])
        .run_keep();
    for folder in ["ut", "ut-EJ-FOR-PUBLICERING", "diagram"] {
        every_file_lacks(&dir.path().join(folder), &NEEDLES);
        every_file_lacks(&dir.path().join(folder), &["123 45 67"]);
    }
    let feedback = std::fs::read_to_string(
        dir.path()
            .join("ut-EJ-FOR-PUBLICERING/feedback/kungsholmen-2022.txt"),
    )
    .unwrap();
    assert!(
        feedback.contains("Ta bort personuppgiften ur kommentaren"),
        "{feedback}"
    );
}

#[test]
fn comments_reach_the_feedback_the_quality_file_and_the_report_annex() {
    let comments = [
        ("KUL-1", "total", "Inkl. Spånga-Tensta"),
        ("KUL-2", "total", "Redovisas i Rinkeby-Kistas fil"),
    ];
    let dir = folder(
        &comments,
        None,
        &[("[report]\n", "[report]\ncomments = true\n")],
    );
    let (_, dir) = Test::within(dir)
        .args(&["run", "p.toml", "--offline", "--quiet"])
        .run_keep();
    let private = dir.path().join("ut-EJ-FOR-PUBLICERING");
    let feedback = std::fs::read_to_string(private.join("feedback/kungsholmen-2022.txt")).unwrap();
    let cell = |g| comment_cell(dir.path(), "KUL-1", g).replace('F', "D");
    assert!(
        feedback.contains(&format!(
            "\nEra kommentarer, som följer med uppgifterna:\n- Indikatorer!{} (KUL-1 ",
            cell("total")
        )),
        "{feedback}"
    );
    assert!(
        feedback.contains("Totalt): ”Inkl. Spånga-Tensta”\n"),
        "{feedback}"
    );
    assert!(
        feedback.contains("Totalt): ”Redovisas i Rinkeby-Kistas fil”\n"),
        "{feedback}"
    );

    let quality: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("ut/kvalitet.json")).unwrap())
            .unwrap();
    let ours: Vec<&serde_json::Value> = quality["comments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["unit_id"] == "kungsholmen" && c["year"] == 2022)
        .filter(|c| c.get("indicator_id").is_some())
        .collect();
    assert_eq!(ours.len(), 2, "{ours:?}");
    assert_eq!(ours[0]["indicator_id"], "KUL-1");
    assert_eq!(ours[0]["breakdown"], "total");
    assert_eq!(ours[0]["group"], "total");
    assert_eq!(ours[0]["cell"], "D5");
    assert_eq!(ours[0]["comment"], "Inkl. Spånga-Tensta");
    assert_eq!(ours[1]["indicator_id"], "KUL-2");
    assert_eq!(ours[1]["comment"], "Redovisas i Rinkeby-Kistas fil");

    let report = std::fs::read_to_string(dir.path().join("ut/rapport.html")).unwrap();
    let annex = &report[report
        .find("Bilaga 5. Nämndernas kommentarer")
        .expect("the annex")..];
    let ours = &annex[annex
        .find("<h3>Kungsholmens stadsdelsnämnd</h3>")
        .expect("Kungsholmen's part")..];
    assert!(ours.contains("<dd>Inkl. Spånga-Tensta</dd>"), "{ours}");
}

#[test]
fn without_the_setting_the_report_has_no_comments() {
    let dir = folder(&[("KUL-1", "total", "Inkl. Spånga-Tensta")], None, &[]);
    let (_, dir) = Test::within(dir)
        .args(&["run", "p.toml", "--offline", "--quiet"])
        .run_keep();
    let report = std::fs::read_to_string(dir.path().join("ut/rapport.html")).unwrap();
    assert!(!report.contains("Bilaga 5"));
    assert!(!report.contains("Inkl. Spånga-Tensta"));
}

#[test]
fn an_explained_change_is_not_an_open_warning() {
    let open = folder(&[], None, &[]);
    let cell = comment_cell(open.path(), "SOC-1", "total").replace('F', "D");
    let warned = format!("varning: inkorg/2022/kungsholmen-2022.xlsx, Indikatorer!{cell} (SOC-1 ");
    Test::within(open)
        .args(&[
            "validate",
            "p.toml",
            "inkorg/2022/kungsholmen-2022.xlsx",
            "--year",
            "2022",
        ])
        .stdout_has(&warned)
        .stdout_has(
            "Kontrollera siffran; stämmer den, förklara gärna ändringen i kommentarskolumnen.",
        )
        .status(1)
        .run();
    let explained = folder(
        &[("SOC-1", "total", "Två nya boenden öppnade i mars.")],
        None,
        &[],
    );
    let (out, dir) = Test::within(explained)
        .args(&[
            "validate",
            "p.toml",
            "inkorg/2022/kungsholmen-2022.xlsx",
            "--year",
            "2022",
        ])
        .stdout_lacks(&warned)
        .stdout_has(&format!(
            "förklarad: inkorg/2022/kungsholmen-2022.xlsx, Indikatorer!{cell} (SOC-1 "
        ))
        .stdout_has("en ändring med mer än faktor 3. Förklarad i kommentarskolumnen.")
        .run_keep();
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 fel och 0 varningar"));
    let (_, dir) = Test::within(dir)
        .args(&["run", "p.toml", "--offline", "--quiet"])
        .run_keep();
    let feedback = std::fs::read_to_string(
        dir.path()
            .join("ut-EJ-FOR-PUBLICERING/feedback/kungsholmen-2022.txt"),
    )
    .unwrap();
    assert!(
        feedback.contains(&format!(
            "\nFörklarat i kommentarskolumnen (inget att göra):\n- Indikatorer!{cell} (SOC-1 "
        )),
        "{feedback}"
    );
    assert!(
        feedback.contains(
            "Förklarad i kommentarskolumnen. Er kommentar: ”Två nya boenden öppnade i mars.”\n"
        ),
        "{feedback}"
    );
}
