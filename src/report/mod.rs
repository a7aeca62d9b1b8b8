//! `rapport.html`: the annual report in Swedish, one self-contained file
//! (CSS and charts inline, nothing fetched), printable, and accessible to
//! WCAG 2.1 AA: headings in order, a text alternative and a table for every
//! chart, contrast of at least 4.5:1.

use std::collections::BTreeMap;
use std::fmt::{self, Write};

use crate::aggregate::Cell;
use crate::chart;
use crate::pipeline::{Indicator, Measure, MeasureUnit, Pipeline, Reason, Source, TOTAL};
use crate::results::RunData;
use crate::text::fmt_table;
use crate::text::unit_name;
use crate::validate::Severity;

mod summary;
pub use summary::{Standing, standing};

/// Escapes text for HTML.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const CSS: &str = r#"
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", Verdana, Arial, sans-serif; color: #1a1a1a; background: #fff; line-height: 1.55; margin: 0; }
header, main, footer, nav { max-width: 60rem; margin: 0 auto; padding: 0 1.25rem; }
header { padding-top: 2rem; border-bottom: 4px solid #0072b2; }
.kicker { text-transform: uppercase; letter-spacing: .08em; color: #4a4a4a; margin: 0; }
h1 { font-size: 2rem; line-height: 1.25; margin: .3rem 0 1rem; }
h2 { font-size: 1.6rem; margin-top: 2.5rem; border-bottom: 2px solid #d0d0d0; padding-bottom: .25rem; }
h3 { font-size: 1.3rem; margin-top: 2rem; }
h4 { font-size: 1.1rem; margin-top: 1.5rem; }
h5 { font-size: 1rem; margin-top: 1.25rem; }
a { color: #005a8c; }
a:focus, a:hover { outline: 2px solid #005a8c; outline-offset: 2px; }
nav ol { columns: 2; }
@media (max-width: 40rem) { nav ol { columns: 1; } h1 { font-size: 1.6rem; } }
.table-wrap { overflow-x: auto; margin: .75rem 0 1.5rem; }
table { border-collapse: collapse; min-width: 20rem; }
caption { text-align: left; font-weight: bold; padding: .25rem 0; }
th, td { border: 1px solid #bdbdbd; padding: .3rem .6rem; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
thead th { background: #e8eef7; }
figure { margin: 1rem 0; }
figure svg { max-width: 100%; height: auto; border: 1px solid #e0e0e0; }
figcaption { color: #3d3d3d; font-size: .95rem; }
.measure { border-left: 4px solid #e69f00; padding-left: .9rem; }
.note { background: #f4f4f4; border-left: 4px solid #5a5a5a; padding: .5rem .9rem; }
.met { font-weight: bold; }
.key-points li { margin-bottom: .4rem; }
td.standing { white-space: nowrap; }
@media (max-width: 40rem) {
  table.status, table.status tbody, table.status tr, table.status th, table.status td { display: block; min-width: 0; }
  table.status thead { position: absolute; left: -9999px; }
  table.status caption { display: block; }
  table.status tr { border: 1px solid #bdbdbd; margin-bottom: .75rem; }
  table.status th, table.status td { border: none; text-align: left; }
  table.status td::before { content: attr(data-label) ": "; font-weight: bold; }
}
footer { margin-top: 3rem; padding-bottom: 2rem; color: #3d3d3d; border-top: 1px solid #d0d0d0; }
@page { size: A4; margin: 18mm 16mm; }
@media print {
  nav { display: none; }
  h2, h3, h4, h5, caption { break-after: avoid; }
  body { font-size: 10.5pt; }
  h2 { break-before: page; }
  figure, table { break-inside: avoid; }
  a { color: #000; text-decoration: none; }
}
"#;

struct Ctx<'a> {
    p: &'a Pipeline,
    d: &'a RunData,
    charts: &'a BTreeMap<String, String>,
    years: Vec<i32>,
}

/// A value as the tables show it: ".." withheld to protect someone, "–"
/// missing (or too incomplete to add up), and a star on a value that lacks
/// a unit (explained under the table by [`coverage_note`]).
fn value_text(c: Option<&Cell>, unit: MeasureUnit) -> String {
    match c {
        Some(c) if c.withheld == Some(Reason::Incomplete) => "–".into(),
        Some(c) if c.is_withheld() => "..".into(),
        Some(c) => c
            .value
            .map(|v| fmt_table(v, unit) + if c.complete() { "" } else { "*" })
            .unwrap_or_else(|| "–".into()),
        None => "–".into(),
    }
}

/// Under a table: which years' values lack units, and which units.
fn coverage_note<'a>(p: &Pipeline, cells: impl Iterator<Item = &'a Cell>) -> Option<String> {
    let lines = crate::aggregate::coverage_notes(p, cells);
    (!lines.is_empty()).then(|| {
        format!(
            "<p>* Ofullständigt värde, inte jämförbart med andra år; “–” i ett år med ofullständigt underlag betyder att summan inte redovisas. {}.</p>",
            esc(&lines.join("; "))
        )
    })
}

/// Gives the chart's SVG a text alternative.
fn accessible_svg(svg: &str, id: &str, title: &str, desc: &str) -> String {
    let open = format!("<svg role=\"img\" aria-labelledby=\"t-{id} d-{id}\" focusable=\"false\" ");
    let body = svg.replacen("<svg ", &open, 1);
    match body.find('>') {
        Some(i) => format!(
            "{}<title id=\"t-{id}\">{}</title><desc id=\"d-{id}\">{}</desc>{}",
            &body[..=i],
            esc(title),
            esc(desc),
            &body[i + 1..]
        ),
        None => body,
    }
}

/// An indicator's heading, chart and table of the city's values.
fn indicator_block(ctx: &Ctx<'_>, out: &mut String, ind: &Indicator, level: u8) -> fmt::Result {
    writeln!(
        out,
        "<h{level} id=\"ind-{}\">{} {}</h{level}>",
        esc(&ind.id),
        esc(&ind.id),
        esc(&ind.title)
    )?;
    let has_any = ctx
        .years
        .iter()
        .any(|y| ctx.d.city_cell(&ind.id, *y, TOTAL, TOTAL).is_some());
    if !has_any {
        return writeln!(out, "<p>Det finns inga värden för indikatorn ännu.</p>");
    }
    let series_text: Vec<String> = ctx
        .years
        .iter()
        .map(|y| {
            format!(
                "{y}: {}",
                value_text(ctx.d.city_cell(&ind.id, *y, TOTAL, TOTAL), ind.unit)
            )
        })
        .collect();
    let desc = format!(
        "Hela staden, totalt per år: {}. Värdena per grupp finns i tabellen under diagrammet.",
        series_text.join("; ")
    );
    if let Some(svg) = ctx.charts.get(&ind.id) {
        writeln!(
            out,
            "<figure>{}<figcaption>Diagram {}: {}. {}</figcaption></figure>",
            accessible_svg(svg, &ind.id, &format!("{} {}", ind.id, ind.title), &desc),
            esc(&ind.id),
            esc(&ind.title),
            esc(&desc)
        )?;
    }
    indicator_table(ctx, out, ind)
}

/// One year's row of an indicator's table.
fn indicator_row(
    ctx: &Ctx<'_>,
    out: &mut String,
    ind: &Indicator,
    y: i32,
    cols: &[(String, String, String)],
) -> fmt::Result {
    write!(out, "<tr><th scope=\"row\">{y}</th>")?;
    for (_, b, g) in cols {
        write!(
            out,
            "<td class=\"num\">{}</td>",
            value_text(ctx.d.city_cell(&ind.id, y, b, g), ind.unit)
        )?;
    }
    if ind.source == Source::Survey {
        let c = ctx.d.city_cell(&ind.id, y, TOTAL, TOTAL);
        let ci = c
            .and_then(|c| Some((c.ci_low?, c.ci_high?)))
            .map(|(a, b)| format!("{}–{}", fmt_table(a, ind.unit), fmt_table(b, ind.unit)))
            .unwrap_or_else(|| "–".into());
        let n = c
            .and_then(|c| c.n)
            .map(|n| crate::text::thousands(n as i64))
            .unwrap_or_else(|| "–".into());
        write!(out, "<td class=\"num\">{ci}</td><td class=\"num\">{n}</td>")?;
    }
    if !ind.targets.is_empty() {
        let t = ind
            .targets
            .iter()
            .find(|t| t.year == y)
            .map(|t| fmt_table(t.value, ind.unit))
            .unwrap_or_default();
        write!(out, "<td class=\"num\">{t}</td>")?;
    }
    writeln!(out, "</tr>")
}

/// The city's values per year: the total, the first breakdown's groups, and
/// for the survey the interval and the respondents; targets beside them.
fn indicator_table(ctx: &Ctx<'_>, out: &mut String, ind: &Indicator) -> fmt::Result {
    // Columns: the total, then the first breakdown's groups.
    let mut cols: Vec<(String, String, String)> =
        vec![("Totalt".into(), TOTAL.into(), TOTAL.into())];
    if let Some(b) = ind.breakdowns.first().and_then(|b| ctx.p.breakdown(b)) {
        for g in &b.groups {
            cols.push((g.label.clone(), b.id.clone(), g.id.clone()));
        }
    }
    writeln!(
        out,
        "<div class=\"table-wrap\"><table><caption>{} per år, hela staden{}</caption>",
        esc(&ind.id),
        if ind.source == Source::Survey {
            ", med 95 % konfidensintervall"
        } else {
            ""
        }
    )?;
    write!(out, "<thead><tr><th scope=\"col\">År</th>")?;
    for (label, _, _) in &cols {
        write!(out, "<th scope=\"col\" class=\"num\">{}</th>", esc(label))?;
    }
    if ind.source == Source::Survey {
        write!(
            out,
            "<th scope=\"col\" class=\"num\">Intervall (totalt)</th><th scope=\"col\" class=\"num\">Svarande (totalt)</th>"
        )?;
    }
    if !ind.targets.is_empty() {
        write!(out, "<th scope=\"col\" class=\"num\">Mål</th>")?;
    }
    writeln!(out, "</tr></thead><tbody>")?;
    for y in &ctx.years {
        indicator_row(ctx, out, ind, *y, &cols)?;
    }
    writeln!(out, "</tbody></table></div>")?;
    writeln!(
        out,
        "<p>Källa: {}. “..” betyder att värdet inte redovisas för att skydda enskilda; “–” att uppgift saknas.</p>",
        crate::text::source(ind.source)
    )?;
    let shown = ctx
        .years
        .iter()
        .flat_map(|y| cols.iter().map(move |(_, b, g)| (y, b, g)))
        .filter_map(|(y, b, g)| ctx.d.city_cell(&ind.id, *y, b, g));
    match coverage_note(ctx.p, shown) {
        Some(note) => writeln!(out, "{note}"),
        None => Ok(()),
    }
}

pub fn render(p: &Pipeline, d: &RunData, charts: &BTreeMap<String, String>) -> String {
    let ctx = Ctx {
        p,
        d,
        charts,
        years: p.strategy.period.years().collect(),
    };
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = write_report(&ctx, &mut out);
    out
}

fn write_report(ctx: &Ctx<'_>, out: &mut String) -> fmt::Result {
    head(ctx, out)?;
    contents(ctx, out)?;
    summary::summary(ctx, out)?;
    areas(ctx, out)?;
    parity(ctx, out)?;
    annex_quality(ctx, out)?;
    annex_method(ctx, out)
}

/// The document's head and the report's title.
fn head(ctx: &Ctx<'_>, out: &mut String) -> fmt::Result {
    let p = ctx.p;
    let year = ctx.d.report_year;
    let title = format!("Uppföljning {year}: {}", p.strategy.title);
    writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"sv\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>",
        esc(&title)
    )?;
    writeln!(
        out,
        "<header><p class=\"kicker\">Årsrapport {year}</p><h1>{}</h1>",
        esc(&title)
    )?;
    if let Some(g) = &p.strategy.national_goal {
        writeln!(out, "<p>Det nationella målet: {}</p>", esc(g))?;
    }
    writeln!(out, "</header>")?;
    Ok(())
}

/// The table of contents.
fn contents(ctx: &Ctx<'_>, out: &mut String) -> fmt::Result {
    let p = ctx.p;
    writeln!(
        out,
        "<nav aria-label=\"Innehåll\"><h2>Innehåll</h2><ol><li><a href=\"#sammanfattning\">Sammanfattning</a></li>"
    )?;
    for a in &p.areas {
        writeln!(
            out,
            "<li><a href=\"#omrade-{}\">{}</a></li>",
            esc(&a.id),
            esc(&a.title)
        )?;
    }
    writeln!(
        out,
        "<li><a href=\"#paritet\">Jämförelse med hela staden</a></li><li><a href=\"#bilaga-kvalitet\">Bilaga 1. Datakvalitet</a></li><li><a href=\"#bilaga-metod\">Bilaga 2. Metod</a></li></ol></nav>\n<main>"
    )?;
    Ok(())
}

/// Per rights area: goals, measures, what each committee did, and the indicators.
fn areas(ctx: &Ctx<'_>, out: &mut String) -> fmt::Result {
    let p = ctx.p;
    for a in &p.areas {
        writeln!(
            out,
            "<section aria-labelledby=\"omrade-{id}\"><h2 id=\"omrade-{id}\">{}</h2>",
            esc(&a.title),
            id = esc(&a.id)
        )?;
        for g in p.goals.iter().filter(|g| g.area == a.id) {
            writeln!(out, "<h3>{}</h3>", esc(&g.title))?;
            for m in p.measures.iter().filter(|m| m.goal == g.id) {
                measure_block(ctx, out, m)?;
            }
        }
        writeln!(out, "</section>")?;
    }
    Ok(())
}

/// A measure: its text, what each responsible committee reported on it this
/// year, and its indicators.
fn measure_block(ctx: &Ctx<'_>, out: &mut String, m: &Measure) -> fmt::Result {
    let (p, d, year) = (ctx.p, ctx.d, ctx.d.report_year);
    writeln!(
        out,
        "<div class=\"measure\"><h4>Åtgärd {}</h4><p>{}</p>",
        esc(&m.id),
        esc(&m.text)
    )?;
    writeln!(
        out,
        "<div class=\"table-wrap\"><table><caption>Nämndernas redovisning för {year}</caption><thead><tr><th scope=\"col\">Nämnd</th><th scope=\"col\">Status</th><th scope=\"col\">Egen bedömning</th><th scope=\"col\">Årets aktiviteter</th></tr></thead><tbody>"
    )?;
    let cell = |v: Option<&str>| v.map(esc).unwrap_or_else(|| "Ingen uppgift".into());
    for u in p.responsible_units(&m.responsible, year) {
        let act = d.activity(year, &u.id, &m.id);
        writeln!(
            out,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&u.name),
            cell(act.and_then(|a| a.status).map(crate::text::status)),
            cell(act.and_then(|a| a.assessment).map(crate::text::assessment)),
            cell(act.and_then(|a| a.description.as_deref()))
        )?;
    }
    writeln!(out, "</tbody></table></div></div>")?;
    for ind in p.indicators.iter().filter(|i| i.measure == m.id) {
        indicator_block(ctx, out, ind, 5)?;
    }
    Ok(())
}

/// The comparison with the whole city: the parity gaps.
fn parity(ctx: &Ctx<'_>, out: &mut String) -> fmt::Result {
    let p = ctx.p;
    let d = ctx.d;
    let charts = ctx.charts;
    writeln!(
        out,
        "<section aria-labelledby=\"paritet\"><h2 id=\"paritet\">Jämförelse med hela staden</h2>"
    )?;
    writeln!(
        out,
        "<p>{}Skillnaden nedan är andelen bland de svarande i enkäten minus samma andel för hela staden, i procentenheter; ett negativt tal betyder att de svarande ligger under stadens nivå.</p>",
        p.strategy
            .national_goal
            .as_ref()
            .map(|g| format!("Strategins måttstock: {} ", esc(g)))
            .unwrap_or_default()
    )?;
    if let Some(svg) = charts.get(chart::PARITY) {
        let gaps: Vec<&Indicator> = p.gaps().collect();
        let desc: Vec<String> = gaps
            .iter()
            .map(|g| {
                let vals: Vec<String> = ctx
                    .years
                    .iter()
                    .map(|y| {
                        format!(
                            "{y}: {}",
                            value_text(d.city_cell(&g.id, *y, TOTAL, TOTAL), g.unit)
                        )
                    })
                    .collect();
                format!("{}: {}", g.id, vals.join(", "))
            })
            .collect();
        let desc = format!("{}. Tabellerna nedan visar samma värden.", desc.join(". "));
        writeln!(
            out,
            "<figure>{}<figcaption>Diagram: skillnaden mot hela staden över tid. {}</figcaption></figure>",
            accessible_svg(svg, chart::PARITY, "Skillnad mot hela staden", &desc),
            esc(&desc)
        )?;
    }
    for ind in p.gaps() {
        indicator_block(ctx, out, ind, 3)?;
        if let Some(note) = comparison_note(p, ind) {
            writeln!(out, "<p class=\"note\">Om jämförelsen: {}</p>", esc(note))?;
        }
    }
    writeln!(out, "</section>")?;
    Ok(())
}

/// What the pipeline says about a gap's reference series, e.g. that its
/// population differs from the survey's.
fn comparison_note<'p>(p: &'p Pipeline, gap: &Indicator) -> Option<&'p str> {
    let subtrahend = &gap.derived.as_ref()?.subtrahend;
    p.reference
        .as_ref()?
        .series
        .iter()
        .find(|s| &s.indicator == subtrahend)?
        .note
        .as_deref()
}

/// Annex 1: which returns came in, refused files, reference statistics and withheld values.
fn annex_quality(ctx: &Ctx<'_>, out: &mut String) -> fmt::Result {
    let p = ctx.p;
    let d = ctx.d;
    let charts = ctx.charts;
    writeln!(
        out,
        "<section aria-labelledby=\"bilaga-kvalitet\"><h2 id=\"bilaga-kvalitet\">Bilaga 1. Datakvalitet</h2><h3>Inlämnade återrapporteringar</h3>"
    )?;
    if let Some(svg) = charts.get(chart::COMPLETENESS) {
        let desc = "Vilka nämnder som lämnat återrapportering respektive år; samma uppgifter finns i tabellen nedan.";
        writeln!(
            out,
            "<figure>{}<figcaption>Diagram: inlämnade återrapporteringar per nämnd och år.</figcaption></figure>",
            accessible_svg(
                svg,
                chart::COMPLETENESS,
                "Inlämnade återrapporteringar",
                desc
            )
        )?;
    }
    writeln!(
        out,
        "<div class=\"table-wrap\"><table><caption>Fullständighet per år</caption><thead><tr><th scope=\"col\">År</th><th scope=\"col\" class=\"num\">Väntade</th><th scope=\"col\" class=\"num\">Inlämnade</th><th scope=\"col\">Saknas</th><th scope=\"col\" class=\"num\">Andel väntade värden</th></tr></thead><tbody>"
    )?;
    for c in &d.completeness {
        let missing: Vec<String> = c.missing.iter().map(|u| unit_name(p, u)).collect();
        writeln!(
            out,
            "<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{} %</td></tr>",
            c.year,
            c.expected.len(),
            c.reported.len(),
            if missing.is_empty() {
                "–".to_string()
            } else {
                esc(&missing.join(", "))
            },
            crate::text::decimal(c.share * 100.0, 1)
        )?;
    }
    // The heading that follows goes on the same line.
    write!(out, "</tbody></table></div>")?;
    refused_files(ctx, out)?;
    reference_and_withheld(ctx, out)
}

/// Files refused whole, and the count of findings.
fn refused_files(ctx: &Ctx<'_>, out: &mut String) -> fmt::Result {
    let d = ctx.d;
    writeln!(out, "<h3>Avvisade filer</h3>")?;
    let refused: Vec<_> = d
        .findings
        .iter()
        .filter(|f| {
            f.severity == Severity::Error
                && f.cell.is_none()
                && (d.returns.refused.contains(&f.file) || d.survey.refused.contains(&f.file))
        })
        .collect();
    if refused.is_empty() {
        writeln!(out, "<p>Inga filer avvisades.</p>")?;
    } else {
        writeln!(out, "<ul>")?;
        for f in refused {
            let name = std::path::Path::new(&f.file)
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or(&f.file);
            writeln!(out, "<li>{}: {}</li>", esc(name), esc(&f.message))?;
        }
        writeln!(out, "</ul>")?;
    }
    let (errors, warnings) = (d.count(Severity::Error), d.count(Severity::Warning));
    writeln!(
        out,
        "<p>Valideringen gav {errors} fel och {warnings} varningar; alla finns i <code>kvalitet.json</code>, och varje nämnd får sina i <code>feedback/</code>.</p>"
    )?;
    Ok(())
}

/// The reference statistics' state, and the withheld values per indicator and reason.
fn reference_and_withheld(ctx: &Ctx<'_>, out: &mut String) -> fmt::Result {
    let d = ctx.d;
    writeln!(out, "<h3>Referensstatistik</h3><ul>")?;
    for s in &d.reference {
        writeln!(out, "<li>{}</li>", esc(&s.describe()))?;
    }
    writeln!(out, "</ul><h3>Undantagna värden</h3>")?;
    let mut withheld: BTreeMap<(String, &'static str), usize> = BTreeMap::new();
    for c in &d.cells {
        if let Some(r) = c.withheld {
            *withheld
                .entry((c.indicator_id.clone(), crate::text::reason(r)))
                .or_default() += 1;
        }
    }
    if withheld.is_empty() {
        writeln!(out, "<p>Inga värden behövde undantas.</p>")?;
    } else {
        writeln!(
            out,
            "<div class=\"table-wrap\"><table><caption>Undantagna värden per indikator och skäl</caption><thead><tr><th scope=\"col\">Indikator</th><th scope=\"col\">Skäl</th><th scope=\"col\" class=\"num\">Antal värden</th></tr></thead><tbody>"
        )?;
        for ((id, why), n) in &withheld {
            writeln!(
                out,
                "<tr><th scope=\"row\">{}</th><td>{}</td><td class=\"num\">{n}</td></tr>",
                esc(id),
                esc(why)
            )?;
        }
        writeln!(out, "</tbody></table></div>")?;
    }
    writeln!(out, "</section>")?;
    Ok(())
}

/// How the survey's k-anonymity works, in the pipeline's words.
fn k_anonymity_text(p: &Pipeline) -> String {
    let Some(s) = &p.survey else {
        return String::new();
    };
    let words: Vec<&str> = s.quasi_identifiers.iter().map(|v| s.label(v)).collect();
    let fallback = match &s.coarsen {
        Some(v) => format!(
            "annars slås {} ihop till hela staden, eller så avvisas filen",
            s.label(v)
        ),
        None => "annars avvisas filen".to_string(),
    };
    format!(
        " Varje kombination av {} ska ha minst {} svarande; {fallback}.",
        crate::text::list(&words),
        s.k_anonymity
    )
}

/// Which indicators are sensitive in themselves, and so published for the
/// whole city only.
fn city_only_text(p: &Pipeline) -> String {
    let titles: Vec<String> = p
        .indicators
        .iter()
        .filter(|i| p.disclosure.city_only.contains(&i.id))
        .map(|i| format!("{} {}", i.id, i.title))
        .collect();
    if titles.is_empty() {
        return String::new();
    }
    let titles: Vec<&str> = titles.iter().map(String::as_str).collect();
    format!(
        " Indikatorer som är känsliga i sig redovisas bara för hela staden: {}.",
        crate::text::list(&titles)
    )
}

/// Annex 2: method, and the footer.
fn annex_method(ctx: &Ctx<'_>, out: &mut String) -> fmt::Result {
    let p = ctx.p;
    let min = p.disclosure.min_cell;
    writeln!(out, "<section aria-labelledby=\"bilaga-metod\"><h2 id=\"bilaga-metod\">Bilaga 2. Metod</h2>
<h3>Källor</h3><p>Nämndernas och stadsdelsnämndernas årliga återrapportering i Excel, en anonym enkät, och referensstatistik för hela staden från {}.</p>
<h3>Osäkerhet i enkäten</h3><p>Andelarna från enkäten redovisas med ett 95-procentigt konfidensintervall enligt Wilsons metod, som fungerar även för små grupper och andelar nära 0 eller 100 procent. När svaren är viktade beräknas andelen med vikterna och intervallet på det effektiva urvalet enligt Kish, (Σw)²/Σw², så att ojämna vikter ger bredare intervall.</p>
<h3>Skydd för enskilda</h3><p>Enkätsvar kan röja känsliga personuppgifter. Därför tas bara anonyma svar emot: en fil med personnummer, e-postadresser, telefonnummer eller kolumner med namn eller adresser avvisas i sin helhet.{}</p>
<p>Värden som bygger på färre än {min} personer redovisas inte (“..”). För andelar gäller det också när antalet som uppfyller villkoret, eller antalet som inte gör det, är färre än {min}. Därtill undantas fler värden där det behövs för att ett undantaget värde inte ska kunna räknas fram ur en totalsumma och de värden som visas. Att inget undantaget värde kan räknas fram kontrolleras för varje tabell.{}</p>
<h3>Mål</h3><p>En indikator har nått målet när utfallet ligger på målets rätta sida; den har närmat sig målet när den ligger högst {} procent från målvärdet.</p></section>",
        esc(crate::text::reference_name(p)),
        esc(&k_anonymity_text(p)),
        esc(&city_only_text(p)),
        crate::text::decimal(p.output.approached_within * 100.0, 0)
    )?;
    writeln!(
        out,
        "</main>\n<footer><p>Rapporten är skapad av uppfolj {} ur uppföljningens indata för {}. Alla siffror finns i <code>indicators.csv</code> och <code>indikatorer.xlsx</code>.</p></footer>\n</body>\n</html>",
        env!("CARGO_PKG_VERSION"),
        esc(&p.strategy.id)
    )?;
    Ok(())
}
