//! Honest totals: a total is published only when every member it should
//! hold is in it, or marked with what it lacks. "Not reported" and
//! "refused" are never zero.

use std::collections::BTreeMap;

use uppfolj::pipeline::{self, GroupKey, TOTAL};
use uppfolj::store::names;

use crate::run::{Row, shared};
use crate::test::{SAMPLE_PIPELINE, Test, repo_root};

/// The indicator table's columns by name.
const VALUE: &str = "value";
const SUPPRESSED: &str = "suppressed";
const EXPECTED: &str = "units_expected";
const REPORTED: &str = "units_reported";
const COMPLETE: &str = "complete";

fn row(id: &str, year: &str, unit: &str, group: &str) -> Row {
    shared()
        .find(id, year, unit, group)
        .unwrap_or_else(|| panic!("{id} {year} {unit} {group}"))
}

/// A city row's `units_expected`, `units_reported` and `complete`.
fn coverage(r: &Row) -> (&str, &str, &str) {
    (&r[EXPECTED], &r[REPORTED], &r[COMPLETE])
}

#[test]
fn a_refused_group_leaves_the_unit_total_and_the_city_total_unpublished() {
    // amn-2021.xlsx Indikatorer!D9 ("ca 20", ARB-2 men) is refused.
    let amn = row("ARB-2", "2021", "amn", "total");
    assert_eq!(
        (
            amn[VALUE].as_str(),
            amn[SUPPRESSED].as_str(),
            amn[COMPLETE].as_str()
        ),
        ("", "true", "false")
    );
    let city = row("ARB-2", "2021", "stad", "total");
    assert_eq!(
        city.span(VALUE, COMPLETE),
        [
            "", "", "", "", "", "", "", "", "", "true", "return", "1", "0", "false"
        ]
    );
    let men = row("ARB-2", "2021", "stad", "man");
    assert_eq!(
        (men[VALUE].as_str(), men[SUPPRESSED].as_str()),
        ("", "true")
    );
    // The women's 35 is published as what it is, never as the total.
    assert_eq!(row("ARB-2", "2021", "stad", "kvinna")[VALUE], "35.0");
    let svg = crate::run::svg_words(&shared().text("charts/ARB-2.svg"));
    assert!(
        svg.contains("Ej redovisat 2021: ofullständigt: en del saknas eller godtogs inte."),
        "the chart says why 2021 has no total"
    );
}

#[test]
fn a_missing_return_marks_every_city_value_it_leaves_a_hole_in() {
    // Skärholmen handed in no return for 2019.
    let utb = row("UTB-4", "2019", "stad", "total");
    assert_eq!(
        (
            utb[VALUE].as_str(),
            utb[EXPECTED].as_str(),
            utb[REPORTED].as_str(),
            utb[COMPLETE].as_str()
        ),
        ("256.0", "14", "13", "false")
    );
    let soc5 = row("SOC-5", "2019", "stad", "total");
    assert_eq!(coverage(&soc5), ("15", "13", "false"));
    let soc = row("SOC-4", "2019", "stad", "total");
    assert_eq!(
        (soc[VALUE].as_str(), soc[COMPLETE].as_str()),
        ("298.0", "false")
    );
    let note = "2019: 13 av 14 enheter ingår i summan (saknas: Skärholmens stadsdelsnämnd)";
    assert!(crate::run::svg_words(&shared().text("charts/UTB-4.svg")).contains(note));
    let report = shared().text(names::REPORT);
    assert!(
        report.contains("<td class=\"num\">256*</td>"),
        "the report marks the value"
    );
    assert!(report.contains(note));
}

#[test]
fn a_refused_value_and_a_missing_unit_at_city_level_are_marked() {
    // Socialnämnden's SOC-7 2020 value was refused; Farsta's KUL-2 2021 is blank.
    let soc7 = row("SOC-7", "2020", "stad", "total");
    assert_eq!(coverage(&soc7), ("14", "13", "false"));
    let kul = row("KUL-2", "2021", "stad", "total");
    assert_eq!(coverage(&kul), ("14", "13", "false"));
    // Farsta handed in, so it is not "saknas".
    let kul2 = crate::run::svg_words(&shared().text("charts/KUL-2.svg"));
    assert!(
        kul2.contains(
            "2021: 13 av 14 enheter ingår i summan (inlämnad utan godtaget värde: Farsta stadsdelsnämnd)"
        ),
        "{kul2}"
    );
}

#[test]
fn a_unit_that_did_not_exist_that_year_is_not_missing() {
    // Älvsjö and Hägersten-Liljeholmen merged in mid-2020: 14 districts in 2019, 13 from 2020.
    let utb_2021 = row("UTB-4", "2021", "stad", "total");
    assert_eq!(coverage(&utb_2021), ("13", "13", "true"));
    assert!(
        !shared()
            .text("charts/UTB-4.svg")
            .contains("Hägersten-Älvsjö")
    );
}

#[test]
fn the_pipeline_may_withhold_incomplete_city_values_instead() {
    let (_, dir) = crate::run::pipeline_in_test_folder_with(
        Test::new(),
        &repo_root()
            .join("data-samples/returns")
            .to_string_lossy()
            .replace('\\', "/"),
        &repo_root()
            .join("data-samples/survey/enkat-2018.csv")
            .to_string_lossy()
            .replace('\\', "/"),
        "ut",
        "diagram",
        &[(
            "max_bytes = 20000000",
            "max_bytes = 20000000\nincomplete = \"withhold\"",
        )],
    )
    .args(&["run", "p.toml", "--offline", "-q"])
    .stdout_has("Undantagna värden: 25 av 1203")
    .run_keep();
    let table = std::fs::read_to_string(dir.path().join("ut").join(names::INDICATORS_CSV)).unwrap();
    let utb = table
        .lines()
        .find(|l| l.starts_with("UTB-4,2019,stad,total,total,"))
        .unwrap();
    assert_eq!(
        utb,
        "UTB-4,2019,stad,total,total,,,,,,,,,,true,return,14,13,false,Barn i förskolan med modersmålsstöd i romani chib,count,false,Hela staden,Totalt,Totalt"
    );
    let complete = table
        .lines()
        .find(|l| l.starts_with("UTB-4,2021,stad,total,total,"))
        .unwrap();
    assert!(
        complete.ends_with(
            ",false,return,13,13,true,Barn i förskolan med modersmålsstöd i romani chib,count,false,Hela staden,Totalt,Totalt"
        ),
        "{complete}"
    );
}

/// Every published city value of a return indicator, recomputed from the
/// accepted values alone: the sum of the units that reported it, and marked
/// complete only when every unit that should have reported did.
#[test]
fn an_independent_recomputation_finds_no_total_that_silently_lacks_a_member() {
    let p = pipeline::load(&repo_root().join(SAMPLE_PIPELINE)).unwrap();
    let (files, _) = uppfolj::inputs::collect_files(&[repo_root().join("data-samples/returns")]);
    let values = uppfolj::validate::returns::validate_files(&p, &files, None).values;
    // (indicator, year, unit) → group → (count or täljare, nämnare).
    type Reported = BTreeMap<(String, i32, String), BTreeMap<GroupKey, (f64, f64)>>;
    let mut reported: Reported = BTreeMap::new();
    for v in &values {
        let pair = match (v.numerator, v.denominator, v.value) {
            (Some(n), Some(d), _) => (n, d),
            (None, None, Some(x)) => (x, 0.0),
            _ => continue,
        };
        reported
            .entry((v.indicator_id.clone(), v.year, v.unit_id.clone()))
            .or_default()
            .insert(v.key.clone(), pair);
    }
    let mut checked = 0;
    for r in shared()
        .rows()
        .iter()
        .filter(|r| r["unit_id"] == "stad" && r["source"] == "return")
    {
        let (id, year) = (&r["indicator_id"], r["year"].parse::<i32>().unwrap());
        let Some(ind) = p.indicator(id) else { continue };
        if r[VALUE].is_empty() {
            continue;
        }
        let expected: Vec<&str> = p
            .units_reporting(year)
            .filter(|u| {
                uppfolj::layout::layout(&p, u, year)
                    .indicators
                    .iter()
                    .any(|row| row.indicator.id == *id)
            })
            .map(|u| u.id.as_str())
            .collect();
        let first = p
            .units_reporting(year)
            .find(|u| u.id == expected[0])
            .unwrap();
        let keys: Vec<GroupKey> = uppfolj::layout::layout(&p, first, year)
            .indicators
            .iter()
            .filter(|row| row.indicator.id == *id)
            .map(|row| row.key.clone())
            .collect();
        // The layout's rows this city cell adds up, per unit: itself, or for
        // a total or a crossed margin every row inside it.
        let (b, g) = (r["breakdown"].as_str(), r["group"].as_str());
        let inside: Vec<&GroupKey> = match keys.iter().find(|k| k.breakdown == b && k.group == g) {
            Some(k) => vec![k],
            None if g == TOTAL => keys.iter().collect(),
            None => keys
                .iter()
                .filter(|k| k.parts().any(|(kb, kg)| kb == b && kg == g))
                .collect(),
        };
        let unit_value = |u: &str| -> Option<(f64, f64)> {
            let got = reported.get(&(id.clone(), year, u.to_string()))?;
            let pairs: Option<Vec<(f64, f64)>> =
                inside.iter().map(|k| got.get(*k).copied()).collect();
            pairs.map(|p| p.iter().fold((0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1)))
        };
        let present: Vec<(f64, f64)> = expected.iter().filter_map(|u| unit_value(u)).collect();
        let (num, den) = present
            .iter()
            .fold((0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1));
        if ind.unit == pipeline::MeasureUnit::Andel {
            assert_eq!(
                (
                    r["numerator"].parse::<f64>().unwrap(),
                    r["denominator"].parse::<f64>().unwrap()
                ),
                (num, den),
                "{r:?}"
            );
            let rounded = (num / den * 1e4).round() / 1e4;
            assert_eq!(r[VALUE].parse::<f64>().unwrap(), rounded, "{r:?}");
        } else {
            assert_eq!(r[VALUE].parse::<f64>().unwrap(), num, "{r:?}");
        }
        assert_eq!(
            r[COMPLETE] == "true",
            present.len() == expected.len(),
            "{r:?}"
        );
        assert_eq!(r[REPORTED], present.len().to_string(), "{r:?}");
        checked += 1;
    }
    assert!(checked > 100, "{checked} city values checked");
}

/// A refused survey file leaves its year's survey values and gaps out
/// altogether: nothing is published from part of a year.
#[test]
fn a_refused_survey_file_leaves_its_year_out_not_partly_in() {
    let sample =
        std::fs::read_to_string(repo_root().join("data-samples/survey/enkat-2018.csv")).unwrap();
    let mut lines: Vec<String> = sample.lines().map(str::to_string).collect();
    lines[7] = lines[7].replacen(",", ",anna.svensson@example.se ", 1);
    let (_, dir) = crate::run::pipeline_in_test_folder_with(
        Test::new(),
        &repo_root()
            .join("data-samples/returns")
            .to_string_lossy()
            .replace('\\', "/"),
        "enkat/enkat-2018.csv",
        "ut",
        "diagram",
        &[],
    )
    .write("enkat/enkat-2018.csv", lines.join("\r\n") + "\r\n")
    .args(&["run", "p.toml", "--offline", "-q"])
    .status(1)
    .stdout_has("Avvisade filer: 1")
    .stdout_lacks("anna.svensson")
    .run_keep();
    let table = std::fs::read_to_string(dir.path().join("ut").join(names::INDICATORS_CSV)).unwrap();
    // (GAP-1 starts with 2020, as Kolada's N02267 does.)
    for id in ["ENK-1", "ENK-4", "GAP-2"] {
        assert!(
            !table.contains(&format!("\n{id},2018,")),
            "{id} 2018 published"
        );
        assert!(
            table.contains(&format!("\n{id},2019,")),
            "{id} 2019 missing"
        );
    }
}
