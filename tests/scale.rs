//! The scale generator: a larger follow-up that the pipeline runs through.

use std::path::Path;

use crate::test::Test;

/// Generates a follow-up into `skala/` of a fresh folder.
fn generate(args: &[&str]) -> tempfile::TempDir {
    let mut all = vec!["scale-data"];
    all.extend_from_slice(args);
    all.extend(["--out", "skala"]);
    let (_, dir) = Test::new()
        .args(&all)
        .stdout_has("skala/pipeline.toml")
        .run_keep();
    dir
}

/// Runs the generated pipeline offline and returns its summary.
fn run_generated(dir: &Path) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_uppfolj"))
        .args(["run", "skala/pipeline.toml", "--offline", "-q"])
        .current_dir(dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{stdout}");
    stdout
}

#[test]
fn a_generated_follow_up_with_more_units_runs_through() {
    let dir = generate(&["--units", "6", "--respondents", "700"]);
    let root = dir.path().join("skala");
    // The sample's units plus six, each with a return every year.
    let returns_2022 = std::fs::read_dir(root.join("returns/2022"))
        .unwrap()
        .count();
    assert_eq!(returns_2022, 18 + 6);
    let stdout = run_generated(dir.path());
    assert!(
        stdout.contains(&format!(
            "Lästa: {} återrapporteringar, 5 enkätfiler",
            91 + 6 * 5
        )),
        "{stdout}"
    );
    let q: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join("ut/kvalitet.json")).unwrap()).unwrap();
    let survey = q["survey"].as_array().unwrap();
    assert!(
        survey
            .iter()
            .all(|s| s["respondents"].as_u64().unwrap() >= 700)
    );
    // The same arguments give the same files.
    let again = dir.path().join("igen");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_uppfolj"))
        .args([
            "scale-data",
            "--units",
            "6",
            "--respondents",
            "700",
            "--out",
        ])
        .arg(&again)
        .status()
        .unwrap();
    assert!(status.success());
    for f in [
        "pipeline.toml",
        "survey/enkat-2019.parquet",
        "returns/2021/enhet-00003-2021.xlsx",
    ] {
        assert!(
            std::fs::read(root.join(f)).unwrap() == std::fs::read(again.join(f)).unwrap(),
            "{f} differs"
        );
    }
}

#[test]
fn with_hundreds_of_units_the_completeness_grid_shows_those_that_missed_a_year() {
    let dir = generate(&["--units", "70", "--respondents", "700"]);
    run_generated(dir.path());
    let svg =
        std::fs::read_to_string(dir.path().join("skala/ut/charts/fullstandighet.svg")).unwrap();
    // The 20 sample units that are expected to report in some year, and 70
    // more; only the sample's Skärholmen missed a year (2019).
    assert!(
        svg.contains("Nämnder som saknar någon återrapportering: 1 av 90"),
        "{svg}"
    );
    assert!(svg.contains("Skärholmens stadsdelsnämnd"));
    assert!(!svg.contains("Enhet 00001"));
    // One row: the chart is as tall as a title and one row.
    assert!(svg.contains("height=\"114\""), "{}", &svg[..200]);
}

#[test]
fn a_longer_history_has_returns_and_a_survey_for_every_year() {
    let dir = generate(&["--units", "0", "--respondents", "700", "--years", "7"]);
    let root = dir.path().join("skala");
    let text = std::fs::read_to_string(root.join("pipeline.toml")).unwrap();
    assert!(text.contains("period = { from = 2018, to = 2024 }"));
    for year in 2018..=2024 {
        assert!(root.join(format!("returns/{year}")).is_dir(), "{year}");
        assert!(
            root.join(format!("survey/enkat-{year}.parquet")).is_file(),
            "{year}"
        );
    }
    let stdout = run_generated(dir.path());
    assert!(stdout.contains("rapportår 2024"), "{stdout}");
    assert!(stdout.contains("7 enkätfiler"), "{stdout}");
    // Fewer years than the sample strategy's five is refused with a message.
    Test::new()
        .args(&[
            "scale-data",
            "--units",
            "0",
            "--respondents",
            "700",
            "--years",
            "3",
            "--out",
            "x",
        ])
        .status(2)
        .stderr_has("--years")
        .run();
}
