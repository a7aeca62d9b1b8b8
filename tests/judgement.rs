//! The report judges only what the data can carry. Every interval, standard
//! error and significance flag in `indicators.csv` is recomputed here from
//! the table's own columns, by formulas written again; and the sample's
//! report is read for its judgements as a decision maker reads them.

use std::collections::HashMap;

use uppfolj::store::names;

use crate::run::{Row, shared};
use crate::test::repo_root;

const Z: f64 = 1.959_963_984_540_054;

fn num(s: &str) -> Option<f64> {
    (!s.is_empty()).then(|| s.parse().unwrap_or_else(|_| panic!("{s} is no number")))
}

/// Wilson's score interval (1927), as any textbook gives it.
fn wilson(p: f64, n: f64) -> (f64, f64) {
    let centre = (p + Z * Z / (2.0 * n)) / (1.0 + Z * Z / n);
    let half = Z / (1.0 + Z * Z / n) * (p * (1.0 - p) / n + Z * Z / (4.0 * n * n)).sqrt();
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// Equal to what the table rounds to: a share keeps four decimals, a gap
/// two, so a value recomputed from rounded inputs is within a few units of
/// the last decimal.
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 3e-4 * a.abs().max(1.0)
}

type Key = (String, i32, String, String, String);

fn key(r: &Row, year: i32) -> Key {
    (
        r["indicator_id"].clone(),
        year,
        r["unit_id"].clone(),
        r["breakdown"].clone(),
        r["group"].clone(),
    )
}

#[test]
fn every_interval_error_and_significance_flag_recomputes_from_the_table() {
    let rows = shared().rows();
    let pipeline =
        uppfolj::pipeline::load(&repo_root().join("pipelines/romsk-inkludering-2018-2022.toml"))
            .unwrap();
    let by_key: HashMap<Key, &Row> = rows
        .iter()
        .map(|r| (key(r, r["year"].parse().unwrap()), r))
        .collect();
    let (mut intervals, mut flags) = (0, [0, 0]);
    for r in &rows {
        let (value, ne, se) = (
            num(&r["value"]),
            num(&r["n_effective"]),
            num(&r["std_error"]),
        );
        if let (Some(p), "survey") = (value, r["source"].as_str()) {
            let ne = ne.expect("a survey share has its effective n");
            let (lo, hi) = wilson(p, ne);
            assert!(
                close(num(&r["ci_low"]).unwrap(), lo) && close(num(&r["ci_high"]).unwrap(), hi),
                "{r:?}"
            );
            assert!(close(se.unwrap(), (p * (1.0 - p) / ne).sqrt()), "{r:?}");
            intervals += 1;
        }
        if r["source"] == "derived" && value.is_some() {
            // A gap's error is its survey share's, in percentage points: the
            // city's register value is taken as known.
            let d = pipeline
                .indicator(&r["indicator_id"])
                .unwrap()
                .derived
                .as_ref()
                .unwrap();
            let mut k = key(r, r["year"].parse().unwrap());
            k.0 = d.minuend.clone();
            let share = by_key[&k];
            assert!(
                close(se.unwrap(), 100.0 * num(&share["std_error"]).unwrap()),
                "{r:?}"
            );
            assert_eq!(r["n_effective"], share["n_effective"]);
        }
        let before = by_key
            .get(&key(r, r["year"].parse::<i32>().unwrap() - 1))
            .and_then(|b| Some((num(&b["value"])?, num(&b["std_error"])?)));
        let expected = match (value, se, before) {
            (Some(v), Some(se), Some((b, seb))) => {
                Some((v - b).abs() > Z * (se * se + seb * seb).sqrt())
            }
            _ => None,
        };
        let flag = &r["change_significant"];
        assert_eq!(
            flag,
            &expected.map(|e| e.to_string()).unwrap_or_default(),
            "{r:?}"
        );
        if let Some(e) = expected {
            flags[e as usize] += 1;
        }
    }
    // Enough of each to mean something.
    assert!(intervals > 100, "{intervals}");
    assert!(flags[0] > 10 && flags[1] > 5, "{flags:?}");
    // Counts from returns carry no error and no flag.
    let soc1 = shared().find("SOC-1", "2022", "stad", "total").unwrap();
    assert_eq!(
        (
            soc1["std_error"].as_str(),
            soc1["change_significant"].as_str()
        ),
        ("", "")
    );
}

/// The summary's part between two markers.
fn summary() -> String {
    let html = shared().text(names::REPORT);
    let from = html.find("id=\"sammanfattning\"").unwrap();
    let to = from + html[from..].find("</section>").unwrap();
    html[from..to].to_string()
}

fn status_row(summary: &str, id: &str) -> String {
    let from = summary
        .find(&format!("<a href=\"#ind-{id}\">"))
        .unwrap_or_else(|| panic!("no {id}"));
    let to = from + summary[from..].find("</tr>").unwrap();
    summary[from..to].to_string()
}

#[test]
fn a_target_inside_the_interval_is_within_the_margin_and_outside_it_is_judged() {
    let s = summary();
    // ENK-1 2022: 38,8 % (36,1–41,7) against 40 %.
    let enk1 = status_row(&s, "ENK-1");
    assert!(enk1.contains("<span class=\"s s-margin\"><span aria-hidden=\"true\">≈</span> Inom felmarginalen</span>"), "{enk1}");
    assert!(
        enk1.contains("38,8\u{a0}%<span class=\"ci\"> (36,1–41,7)</span>"),
        "{enk1}"
    );
    // ENK-7: 32,2 % (29,6–34,8) against at most 20 %: missed beyond doubt.
    let enk7 = status_row(&s, "ENK-7");
    assert!(
        enk7.contains("s-missed") && enk7.contains("Ej uppfyllt"),
        "{enk7}"
    );
    // A count keeps "delvis" and says it against the target's own value.
    assert!(status_row(&s, "UTB-2").contains("◐</span> Delvis uppfyllt"));
    assert!(s.contains("högst 10 % av målvärdet från målet"), "{s}");
    // A gap: its interval, its unit, and a change within the margin.
    let gap = status_row(&s, "GAP-1");
    assert!(
        gap.contains(
            "−28,7\u{a0}%\u{2011}enheter<span class=\"ci\"> (−31,8\u{a0}till\u{a0}−25,7)</span>"
        ),
        "{gap}"
    );
    assert!(gap.contains("−15,0\u{a0}%\u{2011}enheter"), "{gap}");
    assert!(
        gap.contains("+1,3\u{a0}%\u{2011}enheter<span class=\"ci\"> inom felmarginalen</span>"),
        "{gap}"
    );
}

#[test]
fn the_key_points_name_targets_and_say_only_changes_beyond_the_margin() {
    let s = summary();
    let from = s.find("<ul class=\"key-points\">").unwrap();
    let points = &s[from..from + s[from..].find("</ul>\n").unwrap()];
    // Missed targets are named, with the value and the target.
    assert!(points.contains("ej uppfyllda: ARB-1 "), "{points}");
    assert!(
        points.contains("UTB-3 Elever i modersmålsundervisning i romani chib, 144 mot målet 180"),
        "{points}"
    );
    assert!(points.contains("ENK-7 "), "{points}");
    assert!(points.contains("inom felmarginalen: ENK-1 "), "{points}");
    // The gap with its interval.
    assert!(
        points.contains(
            "<strong>−28,7\u{a0}%\u{2011}enheter (−31,8\u{a0}till\u{a0}−25,7)</strong> 2022"
        ),
        "{points}"
    );
    // Every change called better or worse is beyond its margin.
    for li in points.split("<li>").skip(1) {
        if li.contains("förbättring") || li.contains("försämring") {
            assert!(li.contains("en förändring utöver felmarginalen"), "{li}");
        }
    }
    // SOC-1 rests on Kungsholmen's flagged 40: no key point, marked in the body.
    assert!(!points.contains("SOC-1"), "{points}");
    let html = shared().text(names::REPORT);
    assert!(
        html.contains("<td class=\"num\" data-label=\"2022\">302\u{a0}†</td>"),
        "SOC-1 is not marked"
    );
    assert!(html.contains("† Vilar på en uppgift som valideringen flaggade"));
}
