//! The nation and the compared municipalities beside the city: `[reference]
//! compare` puts their totals in the reference charts, the captions and the
//! comparison section, never in the indicators; and each source says whose
//! figures they are ("romska svarande i hela staden", "alla invånare i staden").

use uppfolj::store::names;

use crate::run::{shared, svg_texts};
use crate::test::{Test, edit, line_of, sample_pipeline};

/// The part of `html` from `from` to the next `until`.
fn part<'a>(html: &'a str, from: &str, until: &str) -> &'a str {
    let rest = &html[html.find(from).unwrap_or_else(|| panic!("no {from}"))..];
    let end = rest[from.len()..].find(until).map(|i| i + from.len());
    &rest[..end.unwrap_or(rest.len())]
}

/// The sample snapshot's N02267 totals for the whole country (0000), as its
/// generator writes them, in the report's words.
const RIKET_REF1: [(i32, &str); 3] = [
    (2020, "77,7\u{a0}%"),
    (2021, "79,6\u{a0}%"),
    (2022, "79,9\u{a0}%"),
];

#[test]
fn the_reference_chart_draws_the_nation_beside_the_city() {
    let texts = svg_texts(&shared().text("charts/REF-1.svg"), "");
    assert!(texts.iter().any(|t| t == "Riket, totalt"), "{texts:?}");
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("Alla invånare i staden, andel, procent.")),
        "{texts:?}"
    );
    // The survey's chart says whose figures they are.
    let enk = svg_texts(&shared().text("charts/ENK-4.svg"), "");
    assert!(
        enk.iter()
            .any(|t| t.starts_with("Romska svarande i hela staden, andel, procent,")),
        "{enk:?}"
    );
}

#[test]
fn the_comparison_section_gives_the_survey_the_city_and_the_nation_per_year() {
    let html = shared().text(names::REPORT);
    assert!(html.contains("<h2 id=\"paritet\">Jämförelse med hela staden och riket</h2>"));
    assert!(
        html.contains("<li><a href=\"#paritet\">Jämförelse med hela staden och riket</a></li>")
    );
    let section = part(&html, "<h2 id=\"paritet\">", "</section>");
    assert!(section.contains(
        "Skillnaden är andelen bland romska svarande i hela staden minus samma andel för alla invånare i staden"
    ));
    let table = part(
        section,
        "<caption>Vad GAP-1 räknas från, per år</caption>",
        "</table>",
    );
    for head in [
        "Romska svarande i hela staden (ENK-4)",
        "Alla invånare i staden (REF-1)",
        "Riket",
        "Skillnad (GAP-1)",
    ] {
        assert!(
            table.contains(&format!("<th scope=\"col\" class=\"num\">{head}</th>")),
            "{head}: {table}"
        );
    }
    for (year, riket) in RIKET_REF1 {
        let row = part(table, &format!("<th scope=\"row\">{year}</th>"), "</tr>");
        // The third value cell is the nation's.
        let cells: Vec<&str> = row.split("<td class=\"num\">").skip(1).collect();
        assert!(
            cells[2].starts_with(&format!("{riket}</td>")),
            "{year}: {row}"
        );
    }
    // Before Kolada's series starts there is no reference value, and no gap.
    let row = part(table, "<th scope=\"row\">2019</th>", "</tr>");
    assert_eq!(row.matches("<td class=\"num\">–</td>").count(), 3, "{row}");
}

#[test]
fn the_reference_caption_names_the_nation_and_the_nation_is_no_indicator() {
    let s = shared();
    let html = s.text(names::REPORT);
    let fig = part(&html, "aria-labelledby=\"t-REF-1 d-REF-1\"", "</figure>");
    assert!(
        fig.contains(
            "<figcaption>Alla invånare i staden 2022: <strong>81,4\u{a0}%</strong>; riket 79,9\u{a0}%."
        ),
        "{fig}"
    );
    // The indicator table holds the city's values only.
    let csv = s.text(names::INDICATORS_CSV);
    assert!(
        !csv.lines().any(|l| l.contains(",0000,")),
        "a compared municipality became a unit"
    );
    assert!(csv.lines().any(|l| l.starts_with("REF-1,2022,")));
}

#[test]
fn a_compared_municipality_needs_a_kolada_id_and_a_name() {
    let text = edit(
        &sample_pipeline(),
        "compare = { \"0000\" = \"riket\" }",
        "compare = { \"000\" = \"riket\", \"1480\" = \" \" }",
    );
    let line = line_of(&text, "compare = {");
    Test::new()
        .write("p.toml", &text)
        .args(&["check", "p.toml"])
        .status(2)
        .stderr_has(&format!(
            "p.toml:{line}: reference.compare.000: \"000\" är inget kommun-id i Kolada; ange fyra siffror"
        ))
        .stderr_has(&format!("p.toml:{line}: reference.compare.1480: får inte vara tom"))
        .run();
}
