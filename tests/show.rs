//! `uppfolj show`: the strategy tree as text and as JSON for scripts.

use crate::test::{SAMPLE_PIPELINE, Test, repo_root};

fn sample_json() -> serde_json::Value {
    let pipeline = repo_root().join(SAMPLE_PIPELINE);
    let out = Test::new()
        .args(&["show", &pipeline.to_string_lossy(), "--json"])
        .run();
    serde_json::from_slice(&out.stdout).expect("show --json prints JSON")
}

fn measures(json: &serde_json::Value) -> Vec<&serde_json::Value> {
    json["areas"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| a["goals"].as_array().unwrap())
        .flat_map(|g| g["measures"].as_array().unwrap())
        .collect()
}

#[test]
fn json_has_the_five_sections() {
    let json = sample_json();
    let ids: Vec<&str> = json["areas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["ARB", "UTB", "KUL", "SOC", "UPP"]);
    assert_eq!(json["strategy"]["period"]["from"], 2018);
    assert_eq!(json["strategy"]["period"]["to"], 2022);
    assert_eq!(json["strategy"]["owner"], "ks");
}

#[test]
fn json_has_every_bulleted_and_prose_measure() {
    let json = sample_json();
    let ms = measures(&json);
    let bullets: Vec<&str> = ms
        .iter()
        .filter(|m| m["form"] == "bullet")
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(bullets.len(), 18, "{bullets:?}");
    let prose_text: Vec<&str> = ms
        .iter()
        .filter(|m| m["form"] == "prose")
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    for needle in [
        "utreda möjligheter till tvåspråkig undervisning på romani chib",
        "köpa in medier på minoritetsspråket romani chib",
        "samråder med romska sakkunniga",
        "samordna och följa upp",
    ] {
        assert!(
            prose_text.iter().any(|t| t.contains(needle)),
            "no prose measure says {needle:?}"
        );
    }
    for m in &ms {
        assert!(
            !m["responsible"].as_array().unwrap().is_empty(),
            "{} has no responsible unit",
            m["id"]
        );
    }
}

#[test]
fn json_has_all_34_indicators_under_their_measures() {
    let json = sample_json();
    let mut ids: Vec<String> = measures(&json)
        .iter()
        .flat_map(|m| m["indicators"].as_array().unwrap())
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    let mut expected: Vec<String> = Vec::new();
    for (prefix, n) in [
        ("ARB", 5),
        ("UTB", 5),
        ("KUL", 4),
        ("SOC", 7),
        ("UPP", 2),
        ("ENK", 7),
        ("REF", 2),
        ("GAP", 2),
    ] {
        expected.extend((1..=n).map(|i| format!("{prefix}-{i}")));
    }
    expected.sort();
    assert_eq!(ids, expected);
}

#[test]
fn json_units_follow_the_district_mergers() {
    let json = sample_json();
    let units = json["units"].as_array().unwrap();
    let unit = |id: &str| units.iter().find(|u| u["id"] == id).unwrap().clone();
    assert_eq!(unit("alvsjo")["successors"][0], "hagersten-alvsjo");
    assert_eq!(unit("alvsjo")["valid_to"], "2020-06-30");
    assert_eq!(unit("hagersten-alvsjo")["valid_from"], "2020-07-01");
    assert_eq!(
        unit("hagersten-alvsjo")["reports_in"],
        serde_json::json!([2020, 2021, 2022])
    );
    assert_eq!(
        unit("alvsjo")["reports_in"],
        serde_json::json!([2018, 2019])
    );
    assert_eq!(unit("rinkeby-kista")["successors"][0], "jarva");
    assert_eq!(unit("jarva")["reports_in"], serde_json::json!([]));
    let districts_2019 = units
        .iter()
        .filter(|u| {
            u["kind"] == "sdn" && u["reports_in"].as_array().unwrap().contains(&2019.into())
        })
        .count();
    let districts_2020 = units
        .iter()
        .filter(|u| {
            u["kind"] == "sdn" && u["reports_in"].as_array().unwrap().contains(&2020.into())
        })
        .count();
    assert_eq!((districts_2019, districts_2020), (14, 13));
}

#[test]
fn text_tree_shows_areas_goals_measures_and_indicators() {
    let pipeline = repo_root().join(SAMPLE_PIPELINE);
    Test::new()
        .args(&["show", &pipeline.to_string_lossy()])
        .stdout_has("KUL  Rätten till kultur")
        .stdout_has("  KUL-G2  Medier på romani chib i bibliotek")
        .stdout_has("    KUL-A4  [löptext] Stockholms stadsbibliotek ska fortsätta")
        .stdout_has("      KUL-4  Medier på romani chib inköpta till Stadsbiblioteket (antal, återrapportering); ansvar: Kulturnämnden")
        .stdout_has("hagersten-alvsjo")
        .run();
}

#[test]
fn show_on_a_broken_file_exits_2() {
    Test::new()
        .write("p.toml", "[strategy\n")
        .args(&["show", "p.toml", "--json"])
        .status(2)
        .stderr_has("p.toml:1: TOML-syntaxfel")
        .run();
}
