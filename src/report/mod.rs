//! `rapport.html`: the annual report in Swedish, one self-contained file
//! (CSS and charts inline, nothing fetched), printable, and accessible to
//! WCAG 2.1 AA: headings in order, a text alternative and a table for every
//! chart, contrast of at least 4.5:1.

use std::collections::BTreeMap;
use std::fmt::{self, Write};

use crate::aggregate::Cell;
use crate::pipeline::{MeasureUnit, Pipeline, Reason};
use crate::results::RunData;

mod annex;
mod body;
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
tr.area th, tr.area td { background: #f4f4f4; font-weight: bold; }
th.sub { padding-left: 1.5rem; font-weight: normal; }
@media (max-width: 40rem) {
  table.stack, table.stack tbody, table.stack tr, table.stack th, table.stack td { display: block; min-width: 0; }
  table.stack thead { position: absolute; left: -9999px; }
  table.stack caption { display: block; }
  table.stack tr { border: 1px solid #bdbdbd; margin-bottom: .75rem; }
  table.stack th, table.stack td { border: none; text-align: left; }
  table.stack td::before { content: attr(data-label) ": "; font-weight: bold; }
  table.stack.inline td { display: inline-block; margin-right: .75rem; }
}
footer { margin-top: 3rem; padding-bottom: 2rem; color: #3d3d3d; border-top: 1px solid #d0d0d0; }
@page { size: A4; margin: 15mm 15mm; }
@media print {
  body { font-size: 10pt; line-height: 1.4; }
  header { padding-top: 0; }
  h2 { font-size: 15pt; margin: 1.2rem 0 .4rem; }
  h3 { font-size: 12.5pt; margin: .9rem 0 .3rem; }
  h4 { font-size: 11pt; margin: .6rem 0 .2rem; }
  p, ul { margin: .3rem 0; }
  figure { margin: .3rem 0 .6rem; }
  .table-wrap { margin: .3rem 0 .6rem; }
  .annex h2, .annex h3, caption { break-after: avoid; }
  h2, h3, h4, h5 { break-inside: avoid; }
  .annex-start { break-before: page; }
  figure, tr, .measure { break-inside: avoid; }
  figure svg { width: 56%; }
  .fine, figcaption { font-size: 9pt; }
  table.stack th[scope="row"] { width: 40%; }
  .table-wrap { overflow: visible; }
  table { font-size: 8.5pt; width: 100%; }
  th, td { padding: .15rem .35rem; }
  .measure { padding-left: .6rem; }
  .measure p { display: inline; }
  .measure p.status-line::before { content: " "; }
  .keep, .indicator { break-inside: avoid; }
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
            .map(|v| unit.format_table(v) + if c.complete() { "" } else { "*" })
            .unwrap_or_else(|| "–".into()),
        None => "–".into(),
    }
}

/// Under a table: which years' values lack units, and which units.
fn coverage_note<'a>(p: &Pipeline, cells: impl Iterator<Item = &'a Cell>) -> Option<String> {
    let lines = crate::aggregate::coverage_notes(p, cells);
    (!lines.is_empty()).then(|| {
        format!(
            "<p class=\"fine\">* Ofullständigt värde som inte jämförs med andra år; “–” där summan inte redovisas. {}.</p>",
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
    body::areas(ctx, out)?;
    body::parity(ctx, out)?;
    annex::annex_measures(ctx, out)?;
    annex::annex_tables(ctx, out)?;
    annex::annex_quality(ctx, out)?;
    annex::annex_method(ctx, out)
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
    if body::has_parity(p) {
        writeln!(
            out,
            "<li><a href=\"#paritet\">Jämförelse med hela staden</a></li>"
        )?;
    }
    writeln!(
        out,
        "<li><a href=\"#bilaga-atgarder\">Bilaga 1. Nämndernas redovisning per åtgärd</a></li><li><a href=\"#bilaga-tabeller\">Bilaga 2. Tabeller per indikator</a></li><li><a href=\"#bilaga-kvalitet\">Bilaga 3. Datakvalitet</a></li><li><a href=\"#bilaga-metod\">Bilaga 4. Metod</a></li></ol></nav>\n<main>"
    )?;
    Ok(())
}
