//! The scale generator: a larger follow-up that the pipeline runs through.

use std::path::Path;

use crate::samples::{self, scale::Scale};
use crate::test::Test;

/// Generates a follow-up into `skala/` of a fresh folder.
fn generate(units: usize, respondents: usize, years: u16) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(units, respondents, years, &dir.path().join("skala"));
    dir
}

fn write(units: usize, respondents: usize, years: u16, out: &Path) {
    let scale = Scale {
        units,
        respondents,
        csv: false,
        years,
    };
    let pipeline = samples::scale::write(&scale, out).unwrap();
    assert_eq!(pipeline, out.join("pipeline.toml"));
}

/// Runs the generated pipeline offline in its folder; its summary, and the folder.
fn run_generated(dir: tempfile::TempDir) -> (String, tempfile::TempDir) {
    let (out, dir) = Test::within(dir)
        .current_dir("skala")
        .args(&["run", "pipeline.toml", "--offline", "-q"])
        .run_keep();
    (String::from_utf8(out.stdout).unwrap(), dir)
}

#[test]
fn a_generated_follow_up_with_more_units_runs_through() {
    let dir = generate(6, 700, 5);
    let root = dir.path().join("skala");
    // The sample's units plus six, each with a return every year.
    let returns_2022 = std::fs::read_dir(root.join("returns/2022"))
        .unwrap()
        .count();
    assert_eq!(returns_2022, 18 + 6);
    let (stdout, dir) = run_generated(dir);
    assert!(
        stdout.contains(&format!(
            "Lästa: {} återrapporteringar, 5 enkätfiler",
            91 + 6 * 5
        )),
        "{stdout}"
    );
    let q: serde_json::Value = serde_json::from_slice(
        &std::fs::read(root.join("ut").join(uppfolj::store::names::QUALITY)).unwrap(),
    )
    .unwrap();
    let survey = q["survey"].as_array().unwrap();
    assert!(
        survey
            .iter()
            .all(|s| s["respondents"].as_u64().unwrap() >= 700)
    );
    // The same arguments give the same files.
    let again = dir.path().join("igen");
    write(6, 700, 5, &again);
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
    let dir = generate(70, 700, 5);
    let (_, dir) = run_generated(dir);
    let svg =
        std::fs::read_to_string(dir.path().join("skala/ut/charts/fullstandighet.svg")).unwrap();
    // The 20 sample units that are expected to report in some year, and 70
    // more; only the sample's Skärholmen missed a year (2019).
    let words = crate::run::svg_words(&svg);
    assert!(
        words.contains("Nämnder som saknar någon återrapportering: 1 av 90"),
        "{words}"
    );
    assert!(svg.contains("Skärholmens stadsdelsnämnd"));
    assert!(!svg.contains("Enhet 00001"));
    // One row: the chart is as tall as its title (two lines, 88 px), the
    // years (40), one row (32), and a legend of the two marks shown (16 + 2 × 27).
    assert!(svg.contains("height=\"230\""), "{}", &svg[..200]);
}

#[test]
fn a_longer_history_has_returns_and_a_survey_for_every_year() {
    let dir = generate(0, 700, 7);
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
    let (stdout, _) = run_generated(dir);
    assert!(stdout.contains("rapportår 2024"), "{stdout}");
    assert!(stdout.contains("7 enkätfiler"), "{stdout}");
}

/// The generator's command line (the `samples` example, which `cargo test`
/// builds beside the program) refuses fewer years than the sample's five.
#[test]
fn the_generator_refuses_fewer_years_than_the_sample() {
    let exe = Path::new(env!("CARGO_BIN_EXE_uppfolj"))
        .with_file_name("examples")
        .join("samples");
    let out = std::process::Command::new(&exe)
        .args([
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
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", exe.display()));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--years"));
}
