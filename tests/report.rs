//! The annual report as a decision document: a body with the summary, the
//! areas and the comparison with the city, and annexes with every table.
//! Sections with nothing to show are left out; targets are judged only on
//! complete values.

use std::collections::BTreeSet;

use uppfolj::store::names;

use crate::run::{sample_paths, shared};
use crate::test::{Test, repo_root, sample_pipeline};

/// The part of the report from `from` to the next `until`.
fn part<'a>(html: &'a str, from: &str, until: &str) -> &'a str {
    let rest = &html[html.find(from).unwrap_or_else(|| panic!("no {from}"))..];
    let end = rest[from.len()..].find(until).map(|i| i + from.len());
    &rest[..end.unwrap_or(rest.len())]
}

#[test]
fn every_id_is_unique_and_every_link_in_the_report_has_its_target() {
    let html = shared().text(names::REPORT);
    let ids: Vec<&str> = html
        .split(" id=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    let unique: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "an id appears twice");
    for link in html.split("href=\"#").skip(1) {
        let target = &link[..link.find('"').unwrap()];
        assert!(unique.contains(target), "#{target} leads nowhere");
    }
}

/// A table wider than the screen scrolls; a keyboard must reach it (WCAG 2.1.1).
#[test]
fn every_table_that_can_scroll_can_be_reached_by_keyboard() {
    let html = shared().text(names::REPORT);
    let wraps: Vec<&str> = html
        .split("<div class=\"table-wrap")
        .skip(1)
        .map(|s| &s[..s.find('>').unwrap()])
        .collect();
    assert!(wraps.len() > 10, "{} tables", wraps.len());
    for w in wraps {
        assert!(w.ends_with(" tabindex=\"0\""), "no tabindex: {w}");
    }
}

#[test]
fn the_body_shows_the_charts_of_targets_and_the_annex_every_breakdown() {
    let html = shared().text(names::REPORT);
    let body = part(&html, "<main>", "id=\"bilaga-atgarder\"");
    let annex = part(&html, "id=\"bilaga-atgarder\"", "</main>");
    // In the body: the charts of indicators with targets, and each area's
    // indicators in one table; no committee's rows.
    assert!(body.contains("<h4 id=\"diagram-ARB-1\">"));
    assert!(body.contains("aria-labelledby=\"t-ARB-1 d-ARB-1\""));
    assert!(!body.contains("aria-labelledby=\"t-ENK-4 d-ENK-4\""));
    assert!(
        body.contains("<th scope=\"row\" id=\"ind-ENK-4\"><a href=\"#tabell-ENK-4\">ENK-4</a>")
    );
    assert!(!body.contains("Rinkeby-Kista stadsdelsnämnd</th>"));
    // In the annex: the other charts, each committee's report, and a table
    // for every breakdown (ENK-4 has kön and åldersgrupp).
    assert!(annex.contains("aria-labelledby=\"t-ENK-4 d-ENK-4\""));
    assert!(annex.contains("<h3 id=\"redovisning-UTB-A3\">Åtgärd UTB-A3</h3>"));
    assert!(annex.contains("Rinkeby-Kista stadsdelsnämnd</th>"));
    let enk4 = part(annex, "<h3 id=\"tabell-ENK-4\">", "<h3 ");
    assert!(enk4.contains(
        "<caption>ENK-4 per år och kön, hela staden, med 95 % konfidensintervall</caption>"
    ));
    assert!(enk4.contains("<caption>ENK-4 per år och åldersgrupp, hela staden</caption>"));
    assert!(enk4.contains("<th scope=\"col\" class=\"num\">16–29 år</th>"));
    // ARB-1 is crossed over kön and åldersgrupp: the report year's cells.
    let arb1 = part(annex, "<h3 id=\"tabell-ARB-1\">", "<h3 ");
    assert!(arb1.contains("<caption>ARB-1 2022 per kön och åldersgrupp, hela staden</caption>"));
    // The measure × status matrix in the summary.
    let summary = part(&html, "id=\"sammanfattning\"", "</section>");
    assert!(summary.contains("<th scope=\"row\" class=\"sub\"><a href=\"#atgard-UTB-A3\">Åtgärd UTB-A3</a></th><td class=\"num\" data-label=\"Genomförd\">4</td><td class=\"num\" data-label=\"Påbörjad\">9</td>"), "{summary}");
}

/// The sample's inbox copied into the test's folder, less one file.
fn inbox_without(t: Test, left_out: &str) -> Test {
    let root = repo_root().join("data-samples/returns");
    let mut t = t;
    for year in std::fs::read_dir(&root).unwrap() {
        let year = year.unwrap().path();
        for f in std::fs::read_dir(&year).unwrap() {
            let f = f.unwrap().path();
            let name = f.file_name().unwrap().to_string_lossy().to_string();
            if name != left_out {
                let y = year.file_name().unwrap().to_string_lossy();
                t = t.write(&format!("inkorg/{y}/{name}"), std::fs::read(&f).unwrap());
            }
        }
    }
    t
}

/// The sample pipeline pointed at the test's folder, with `change` applied
/// to its text first.
fn sample_text(change: impl Fn(String) -> String) -> String {
    let survey_2018 = repo_root()
        .join("data-samples/survey/enkat-2018.csv")
        .to_string_lossy()
        .replace('\\', "/");
    let mut text = change(sample_pipeline());
    for (from, to) in sample_paths("inkorg", &survey_2018, "ut", "diagram") {
        if text.contains(&from) {
            text = text.replacen(&from, &to, 1);
        }
    }
    text
}

#[test]
fn a_target_on_a_total_that_lacks_a_unit_is_not_judged_and_the_gap_is_said() {
    let text = sample_text(|t| {
        t.replacen(
            "id = \"UTB-4\"\n",
            "id = \"UTB-4\"\ntargets = [{ year = 2022, value = 300.0 }]\n",
            1,
        )
    });
    let (_, dir) = inbox_without(Test::new(), "bromma-2022.xlsx")
        .write("p.toml", text)
        .args(&["run", "p.toml", "--offline", "-q"])
        .stdout_has("Saknade återrapporteringar: 2 (Skärholmens stadsdelsnämnd 2019, Bromma stadsdelsnämnd 2022)")
        .run_keep();
    let html = std::fs::read_to_string(dir.path().join("ut").join(names::REPORT)).unwrap();
    let summary = part(&html, "id=\"sammanfattning\"", "</section>");
    let row = part(summary, "<a href=\"#ind-UTB-4\">", "</tr>");
    assert!(
        row.contains("<span class=\"s s-none\"><span aria-hidden=\"true\">–</span> Kan inte bedömas (ofullständigt)</span></td>"),
        "{row}"
    );
    assert!(row.contains("data-label=\"Förändring\">–</td>"), "{row}");
    assert!(
        summary.contains("2022: 12 av 13 enheter ingår i summan (saknas: Bromma stadsdelsnämnd)"),
        "{summary}"
    );
    assert!(
        summary
            .contains("<li><strong>1</strong> kan inte bedömas (inget fullständigt utfall).</li>"),
        "{summary}"
    );
}

#[test]
fn a_strategy_without_reference_statistics_has_no_comparison_to_show() {
    let text = sample_text(|t| {
        let from = t.find("[reference]\n").unwrap();
        let to = t
            .find("# ---------------------------------------------------------------- breakdowns")
            .unwrap();
        let refs = t.find("[[indicators]]\nid = \"REF-1\"").unwrap();
        format!("{}{}", &t[..from], &t[to..refs])
    });
    let (out, dir) = inbox_without(Test::new(), "")
        .write("p.toml", text)
        .args(&["run", "p.toml", "--offline"])
        .stdout_has("Lästa: 91 återrapporteringar, 5 enkätfiler")
        .run_keep();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    for said in [&stdout, &stderr] {
        assert!(
            !said.contains("referens") && !said.contains("Referens"),
            "{said}"
        );
    }
    let html = std::fs::read_to_string(dir.path().join("ut").join(names::REPORT)).unwrap();
    for absent in [
        "Jämförelse med hela staden",
        "id=\"paritet\"",
        "<h3>Referensstatistik</h3>",
        "Kolada",
    ] {
        assert!(!html.contains(absent), "{absent}");
    }
    assert!(html.contains("<h3>Källor</h3><p>Uppföljningen bygger på nämndernas årliga återrapportering i Excel och en anonym enkät.</p>"));
    assert!(!dir.path().join("diagram/paritet.svg").exists());
}

#[test]
fn a_footnote_names_its_indicator_and_tells_a_refused_value_from_a_missing_return() {
    let html = shared().text(names::REPORT);
    // Arbetsmarknadsnämnden handed in for 2021, but its ARB-2 was refused:
    // not "saknas", and the note says which indicator it is about.
    for note in [
        "ARB-2 2021: 0 av 1 enhet ingår i summan (inlämnad utan godtaget värde: Arbetsmarknadsnämnden)",
        "KUL-1 2019: 14 av 15 enheter ingår i summan (saknas: Skärholmens stadsdelsnämnd)",
        "SOC-5 2019: 13 av 15 enheter ingår i summan (saknas: Skärholmens stadsdelsnämnd; inlämnad utan godtaget värde: Socialnämnden)",
    ] {
        assert!(html.contains(note), "{note}");
    }
    assert!(!html.contains("(saknas: Arbetsmarknadsnämnden)"));
}

#[test]
fn the_footer_gives_the_date_the_author_and_the_contact_from_the_pipeline() {
    let html = shared().text(names::REPORT);
    assert!(html.contains(
        "<footer><p>Årsrapport för 2022, 31 mars 2023. Ansvarig: Kommunstyrelsen. Författare: Stadsledningskontoret, enheten för mänskliga rättigheter. Kontakt: Stadsledningskontoret, enheten för mänskliga rättigheter.</p>"
    ));
}

#[test]
fn each_status_bar_names_its_base_and_the_completeness_grid_its_marks() {
    let s = shared();
    let html = s.text(names::REPORT);
    let bars = crate::run::svg_texts(&s.text("charts/aktiviteter.svg"), "");
    // Each area's base is the sum of its row in the report's status table.
    for area in [
        "Rätten till arbete och försörjning",
        "Rätten till social omsorg och trygghet",
    ] {
        let row = part(
            &html,
            &format!("<th scope=\"rowgroup\">{area}</th>"),
            "</tr>",
        );
        let total: usize = row
            .split("<td class=\"num\" data-label=\"")
            .skip(1)
            .map(|c| {
                c[c.find('>').unwrap() + 1..c.find('<').unwrap()]
                    .parse::<usize>()
                    .unwrap()
            })
            .sum();
        assert!(total > 0);
        let named = format!("{area} ({total} svar)");
        assert!(bars.contains(&named), "{named} not in {bars:?}");
    }
    let grid = crate::run::svg_texts(&s.text("charts/fullstandighet.svg"), "");
    for said in [
        "✓",
        "◐",
        "–",
        "inlämnad",
        "inlämnad, med värden som inte godtogs",
        "saknas",
    ] {
        assert!(grid.iter().any(|t| t == said), "{said} not in {grid:?}");
    }
}
