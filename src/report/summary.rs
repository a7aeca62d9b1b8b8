//! The report's first part, for decision makers: key points drawn from the
//! data, then every indicator with a target and where it stands (one
//! vocabulary with the templates: uppfyllt, delvis uppfyllt, ej uppfyllt),
//! then the measures' status. A change is told only between two published
//! values that are both complete: a sum that lacks a unit is not a decline.

use std::fmt::{self, Write};

use super::{Ctx, accessible_svg, esc, value_text};
use crate::aggregate::Cell;
use crate::chart;
use crate::pipeline::{Direction, Indicator, MeasureUnit, TOTAL};
use crate::text::decimal;

/// How an indicator stands against its target in the report year.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Standing {
    Met,
    Approached,
    Missed,
    /// A value that lacks a member is not judged.
    Incomplete,
    NoValue,
}

impl Standing {
    /// The word, as the templates' own assessment uses it.
    pub fn swedish(self) -> &'static str {
        use crate::pipeline::Assessment;
        match self {
            Standing::Met => Assessment::Met.label(),
            Standing::Approached => Assessment::PartlyMet.label(),
            Standing::Missed => Assessment::NotMet.label(),
            Standing::Incomplete => "Bedöms inte (ofullständigt)",
            Standing::NoValue => "Utfall saknas",
        }
    }

    /// A symbol beside the word, so the column reads at a glance and in
    /// black and white.
    fn symbol(self) -> &'static str {
        match self {
            Standing::Met => "✔",
            Standing::Approached => "◐",
            Standing::Missed => "✘",
            Standing::Incomplete | Standing::NoValue => "–",
        }
    }
}

/// The rule: met if on the right side of the target; approached if off by at
/// most `approached_within` of the target; otherwise missed.
pub fn standing(ind: &Indicator, value: Option<f64>, target: f64, within: f64) -> Standing {
    let Some(v) = value else {
        return Standing::NoValue;
    };
    let met = match ind.direction {
        Direction::Higher => v >= target,
        Direction::Lower => v <= target,
    };
    if met {
        Standing::Met
    } else if (v - target).abs() <= within * target.abs() {
        Standing::Approached
    } else {
        Standing::Missed
    }
}

/// A value fit to compare with another year: published and complete.
fn comparable(c: Option<&Cell>) -> Option<f64> {
    c.filter(|c| !c.is_withheld() && c.complete())
        .and_then(|c| c.value)
}

/// An indicator with a target in the report year.
struct Row<'a> {
    ind: &'a Indicator,
    target: f64,
    now: Option<&'a Cell>,
    before: Option<&'a Cell>,
    standing: Standing,
}

fn rows<'a>(ctx: &Ctx<'a>) -> Vec<Row<'a>> {
    let year = ctx.d.report_year;
    let within = ctx.p.output.approached_within;
    ctx.p
        .indicators
        .iter()
        .filter_map(|ind| {
            let target = ind.target(year)?;
            let now = ctx.d.city_cell(&ind.id, year, TOTAL, TOTAL);
            Some(Row {
                ind,
                target,
                now,
                before: ctx.d.city_cell(&ind.id, year - 1, TOTAL, TOTAL),
                standing: match now {
                    Some(c) if c.value.is_some() && !c.is_withheld() && !c.complete() => {
                        Standing::Incomplete
                    }
                    _ => standing(ind, comparable(now), target, within),
                },
            })
        })
        .collect()
}

/// A change from one year to the next, signed, in the indicator's unit
/// (percentage points for shares).
fn change_text(before: f64, now: f64, unit: MeasureUnit) -> String {
    let d = now - before;
    let sign = if d > 0.0 {
        "+"
    } else if d < 0.0 {
        "−"
    } else {
        "±"
    };
    let size = match unit {
        MeasureUnit::Antal => unit.format_table(d.abs()),
        MeasureUnit::Andel => format!("{}\u{a0}%-enheter", decimal(d.abs() * 100.0, 1)),
        MeasureUnit::Procentenheter => decimal(d.abs(), 1),
    };
    format!("{sign}{size}")
}

pub(super) fn summary(ctx: &Ctx<'_>, out: &mut String) -> fmt::Result {
    writeln!(
        out,
        "<section aria-labelledby=\"sammanfattning\"><h2 id=\"sammanfattning\">Sammanfattning</h2>"
    )?;
    let rows = rows(ctx);
    let points = key_points(ctx, &rows);
    if !points.is_empty() {
        writeln!(out, "<h3>Det viktigaste</h3><ul class=\"key-points\">")?;
        for p in points {
            writeln!(out, "<li>{p}</li>")?;
        }
        writeln!(out, "</ul>")?;
    }
    status_table(ctx, &rows, out)?;
    measures(ctx, out)?;
    writeln!(out, "</section>")
}

/// Three to six sentences, each with its figure.
fn key_points(ctx: &Ctx<'_>, rows: &[Row<'_>]) -> Vec<String> {
    let year = ctx.d.report_year;
    let mut points = Vec::new();
    if let Some(c) = ctx.d.completeness.iter().find(|c| c.year == year) {
        points.push(format!(
            "<strong>{} av {}</strong> nämnder lämnade återrapportering för {year}; {} % av de väntade värdena kom in.",
            c.reported.len(),
            c.expected.len(),
            decimal(c.share * 100.0, 0)
        ));
    }
    if let Some(t) = targets_point(ctx, rows) {
        points.push(t);
    }
    points.extend(changes(ctx));
    points.extend(gaps(ctx));
    points
}

/// "Av 9 indikatorer med mål för 2022 är 3 uppfyllda, …".
fn targets_point(ctx: &Ctx<'_>, rows: &[Row<'_>]) -> Option<String> {
    if rows.is_empty() {
        return None;
    }
    let count = |s: Standing| rows.iter().filter(|r| r.standing == s).count();
    let parts: Vec<String> = [
        (Standing::Met, "uppfyllda"),
        (Standing::Approached, "delvis uppfyllda"),
        (Standing::Missed, "ej uppfyllda"),
    ]
    .into_iter()
    .filter(|(s, _)| count(*s) > 0)
    .map(|(s, w)| format!("<strong>{}</strong> {w}", count(s)))
    .collect();
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    let missing = count(Standing::NoValue) + count(Standing::Incomplete);
    let mut text = format!(
        "Av {} indikatorer med mål för {} är {}",
        rows.len(),
        ctx.d.report_year,
        if parts.is_empty() {
            "inga bedömda".to_string()
        } else {
            crate::text::list(&parts)
        }
    );
    if missing > 0 {
        text.push_str(&format!(
            "; för {missing} finns inget fullständigt utfall att bedöma"
        ));
    }
    Some(text + ".")
}

/// The two largest changes since last year among the city's counts and
/// shares, each between two complete values, with whether it is for the
/// better.
fn changes(ctx: &Ctx<'_>) -> Vec<String> {
    let year = ctx.d.report_year;
    let mut found: Vec<(f64, String)> = ctx
        .p
        .indicators
        .iter()
        .filter(|i| i.unit != MeasureUnit::Procentenheter)
        .filter_map(|ind| {
            let now = comparable(ctx.d.city_cell(&ind.id, year, TOTAL, TOTAL))?;
            let before = comparable(ctx.d.city_cell(&ind.id, year - 1, TOTAL, TOTAL))?;
            let relative = (now - before).abs() / before.abs().max(1e-9);
            (before > 0.0 && now != before)
                .then(|| (relative, change_sentence(ind, before, now, year)))
        })
        .collect();
    found.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    found.into_iter().take(2).map(|(_, s)| s).collect()
}

fn change_sentence(ind: &Indicator, before: f64, now: f64, year: i32) -> String {
    let better = match ind.direction {
        Direction::Higher => now > before,
        Direction::Lower => now < before,
    };
    format!(
        "{} ({}) {} från {} {} till <strong>{}</strong> {year}, en {}.",
        esc(&ind.title),
        esc(&ind.id),
        if now > before { "ökade" } else { "minskade" },
        ind.unit.format(before),
        year - 1,
        ind.unit.format(now),
        if better {
            "förbättring"
        } else {
            "försämring"
        }
    )
}

/// Each difference against the whole city (derived indicators in
/// percentage points), this year and last.
fn gaps(ctx: &Ctx<'_>) -> Vec<String> {
    let year = ctx.d.report_year;
    ctx.p
        .gaps()
        .filter(|i| i.unit == MeasureUnit::Procentenheter)
        .filter_map(|ind| {
            let now = comparable(ctx.d.city_cell(&ind.id, year, TOTAL, TOTAL))?;
            let before = comparable(ctx.d.city_cell(&ind.id, year - 1, TOTAL, TOTAL))
                .map(|b| format!(" (år {}: {})", year - 1, decimal(b, 1)))
                .unwrap_or_default();
            Some(format!(
                "{} ({}): <strong>{} procentenheter</strong> {year}{before}.",
                esc(ind.short_title()),
                esc(&ind.id),
                decimal(now, 1)
            ))
        })
        .take(2)
        .collect()
}

/// Every indicator with a target: where it stands, its value, target, last
/// year's value, the change and the baseline.
fn status_table(ctx: &Ctx<'_>, rows: &[Row<'_>], out: &mut String) -> fmt::Result {
    if rows.is_empty() {
        return Ok(());
    }
    let year = ctx.d.report_year;
    writeln!(
        out,
        "<div class=\"table-wrap\"><table class=\"stack\"><caption>Indikatorer med mål för {year}</caption><thead><tr><th scope=\"col\">Indikator</th><th scope=\"col\">Bedömning</th><th scope=\"col\" class=\"num\">Utfall {year}</th><th scope=\"col\" class=\"num\">Mål</th><th scope=\"col\" class=\"num\">{}</th><th scope=\"col\" class=\"num\">Förändring</th><th scope=\"col\" class=\"num\">Baslinje</th></tr></thead><tbody>",
        year - 1
    )?;
    for r in rows {
        let unit = r.ind.unit;
        let change = match (comparable(r.before), comparable(r.now)) {
            (Some(b), Some(n)) => change_text(b, n, unit),
            _ => "–".into(),
        };
        let baseline = r
            .ind
            .baseline
            .as_ref()
            .map(|b| format!("{} ({})", unit.format_table(b.value), b.year))
            .unwrap_or_else(|| "–".into());
        writeln!(
            out,
            "<tr><th scope=\"row\"><a href=\"#ind-{id}\">{id} {}</a></th><td class=\"standing\" data-label=\"Bedömning\"><span aria-hidden=\"true\">{}</span> {}</td><td class=\"num\" data-label=\"Utfall {year}\">{}</td><td class=\"num\" data-label=\"Mål\">{}</td><td class=\"num\" data-label=\"{}\">{}</td><td class=\"num\" data-label=\"Förändring\">{change}</td><td class=\"num\" data-label=\"Baslinje\">{baseline}</td></tr>",
            esc(&r.ind.title),
            r.standing.symbol(),
            r.standing.swedish(),
            value_text(r.now, unit),
            unit.format_table(r.target),
            year - 1,
            value_text(r.before, unit),
            id = esc(&r.ind.id),
        )?;
    }
    writeln!(out, "</tbody></table></div>")?;
    let shown = rows.iter().flat_map(|r| [r.now, r.before]).flatten();
    if let Some(note) = super::coverage_note(ctx.p, shown) {
        writeln!(out, "{note}")?;
    }
    writeln!(
        out,
        "<p>Uppfyllt: på rätt sida om målet. Delvis uppfyllt: högst {} % från målet. Ett värde med * saknar någon nämnds uppgift och bedöms inte; “..” är undantaget för att skydda enskilda. Rättighetsområdena nedan visar diagram för indikatorerna med mål; övriga indikatorers diagram och alla värden per grupp finns i bilaga 2.</p>",
        decimal(ctx.p.output.approached_within * 100.0, 0)
    )
}

/// The measures' status per rights area: the chart and the same numbers as a table.
fn measures(ctx: &Ctx<'_>, out: &mut String) -> fmt::Result {
    let year = ctx.d.report_year;
    let status = ctx.d.measure_status(ctx.p);
    let total: usize = status.iter().map(|(_, c)| c.iter().sum::<usize>()).sum();
    if total == 0 {
        return Ok(());
    }
    writeln!(
        out,
        "<div class=\"keep\"><h3>Åtgärdernas status {year}</h3>"
    )?;
    let words = crate::results::STATUS_WORDS;
    if let Some(svg) = ctx.charts.get(chart::STATUS) {
        let desc: Vec<String> = status
            .iter()
            .map(|(area, c)| {
                let parts: Vec<String> = words
                    .iter()
                    .zip(c)
                    .map(|(w, n)| format!("{w} {n}"))
                    .collect();
                format!("{area}: {}", parts.join(", "))
            })
            .collect();
        let desc = desc.join(". ");
        writeln!(
            out,
            "<figure>{}<figcaption>En åtgärd med flera ansvariga nämnder räknas en gång per nämnd. Tabellen visar samma värden per åtgärd.</figcaption></figure>",
            accessible_svg(svg, chart::STATUS, "Åtgärdernas status", &desc)
        )?;
    }
    writeln!(out, "</div>")?;
    matrix(ctx, &status, out)
}

/// Measure × status: each area's total, then its measures, in committee answers.
fn matrix(ctx: &Ctx<'_>, status: &[(String, [usize; 4])], out: &mut String) -> fmt::Result {
    let (p, year) = (ctx.p, ctx.d.report_year);
    let counts = |c: &[usize; 4]| -> String {
        c.iter()
            .zip(crate::results::STATUS_WORDS)
            .map(|(n, w)| format!("<td class=\"num\" data-label=\"{w}\">{n}</td>"))
            .collect()
    };
    writeln!(
        out,
        "<div class=\"table-wrap matrix\"><table class=\"stack inline\"><caption>Åtgärdernas status {year}: antal nämndsvar per rättighetsområde och åtgärd</caption><thead><tr><th scope=\"col\">Rättighetsområde och åtgärd</th>{}</tr></thead>",
        crate::results::STATUS_WORDS
            .iter()
            .map(|w| format!("<th scope=\"col\" class=\"num\">{w}</th>"))
            .collect::<String>()
    )?;
    for (a, (title, c)) in p.areas.iter().zip(status) {
        writeln!(
            out,
            "<tbody><tr class=\"area\"><th scope=\"rowgroup\">{}</th>{}</tr>",
            esc(title),
            counts(c)
        )?;
        for m in p
            .measures
            .iter()
            .filter(|m| p.goal(&m.goal).is_some_and(|g| g.area == a.id))
        {
            writeln!(
                out,
                "<tr><th scope=\"row\" class=\"sub\"><a href=\"#atgard-{id}\">Åtgärd {id}</a></th>{}</tr>",
                counts(&ctx.d.measure_counts(p, m)),
                id = esc(&m.id)
            )?;
        }
        writeln!(out, "</tbody>")?;
    }
    writeln!(out, "</table></div>")
}
