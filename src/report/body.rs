//! The report's body after the summary: per rights area its goals, measures
//! and indicator charts, then the comparison with the whole city. Tables by
//! committee and by group are in the annex, linked from here, so the body
//! reads in a few pages.

use std::fmt::{self, Write};

use super::{Ctx, accessible_svg, esc, value_text};
use crate::chart;
use crate::pipeline::{Indicator, Measure, Pipeline, TOTAL};

/// Per rights area: goals and measures with the committees' statuses
/// counted, then its indicators in one table and the charts of those with
/// targets.
pub(super) fn areas(ctx: &Ctx<'_>, out: &mut String) -> fmt::Result {
    let p = ctx.p;
    for a in &p.areas {
        writeln!(
            out,
            "<section aria-labelledby=\"omrade-{id}\"><div class=\"keep\"><h2 id=\"omrade-{id}\">{}</h2>",
            esc(&a.title),
            id = esc(&a.id)
        )?;
        let mut inds: Vec<&Indicator> = Vec::new();
        if !p.goals.iter().any(|g| g.area == a.id) {
            writeln!(out, "</div>")?;
        }
        for (k, g) in p.goals.iter().filter(|g| g.area == a.id).enumerate() {
            // A heading is kept on the page of the first measure under it.
            if k > 0 {
                write!(out, "<div class=\"keep\">")?;
            }
            writeln!(out, "<h3>{}</h3>", esc(&g.title))?;
            let measures: Vec<&Measure> = p.measures.iter().filter(|m| m.goal == g.id).collect();
            for (i, m) in measures.iter().enumerate() {
                measure_block(ctx, out, m)?;
                if i == 0 {
                    writeln!(out, "</div>")?;
                }
                inds.extend(area_indicators(p, m));
            }
            if measures.is_empty() {
                writeln!(out, "</div>")?;
            }
        }
        indicator_overview(ctx, out, &inds)?;
        for ind in inds.iter().filter(|i| in_body(ctx, i)) {
            indicator_figure(ctx, out, ind)?;
        }
        writeln!(out, "</section>")?;
    }
    Ok(())
}

/// A measure's indicators, less the gaps, which the comparison with the
/// whole city shows.
fn area_indicators<'p>(p: &'p Pipeline, m: &Measure) -> impl Iterator<Item = &'p Indicator> {
    p.indicators
        .iter()
        .filter(move |i| i.measure == m.id && i.derived.is_none())
}

/// Whether an indicator's chart is in the body: it has a target and a value.
/// The others' charts are in the annex, beside their tables.
pub(super) fn in_body(ctx: &Ctx<'_>, ind: &Indicator) -> bool {
    !ind.targets.is_empty() && ind.derived.is_none() && ctx.charts.contains_key(&ind.id)
}

/// A measure: its text and the committees' statuses counted.
fn measure_block(ctx: &Ctx<'_>, out: &mut String, m: &Measure) -> fmt::Result {
    let (p, d, year) = (ctx.p, ctx.d, ctx.d.report_year);
    writeln!(
        out,
        "<div class=\"measure\"><h4 id=\"atgard-{id}\">Åtgärd {id}</h4><p>{}</p>",
        esc(&m.text),
        id = esc(&m.id)
    )?;
    let counts = d.measure_counts(p, m);
    let total: usize = counts.iter().sum();
    if total > 0 {
        let parts: Vec<String> = crate::results::STATUS_WORDS
            .iter()
            .zip(counts)
            .filter(|(_, n)| *n > 0)
            .map(|(w, n)| format!("{} {n}", w.to_lowercase()))
            .collect();
        writeln!(
            out,
            "<p class=\"status-line\">Status {year} hos {}: {} (<a href=\"#redovisning-{}\">per nämnd i bilaga 1</a>).</p>",
            total_words(total),
            parts.join(", "),
            esc(&m.id)
        )?;
    }
    writeln!(out, "</div>")
}

/// "1 ansvarig nämnd", "3 ansvariga nämnder".
fn total_words(n: usize) -> String {
    if n == 1 {
        "1 ansvarig nämnd".into()
    } else {
        format!("{n} ansvariga nämnder")
    }
}

/// Whether the city has any value of the indicator in the period.
pub(super) fn has_values(ctx: &Ctx<'_>, ind: &Indicator) -> bool {
    ctx.years
        .iter()
        .any(|y| ctx.d.city_cell(&ind.id, *y, TOTAL, TOTAL).is_some())
}

/// The area's indicators: the city's total per year and the report year's
/// target, each linked to its tables in the annex.
fn indicator_overview(ctx: &Ctx<'_>, out: &mut String, inds: &[&Indicator]) -> fmt::Result {
    if inds.is_empty() {
        return Ok(());
    }
    let year = ctx.d.report_year;
    let years: String = ctx
        .years
        .iter()
        .map(|y| format!("<th scope=\"col\" class=\"num\">{y}</th>"))
        .collect();
    writeln!(
        out,
        "<div class=\"keep\"><h3>Indikatorer</h3><div class=\"table-wrap\"><table class=\"stack inline\"><caption>Hela staden per år, totalt</caption><thead><tr><th scope=\"col\">Indikator</th>{years}<th scope=\"col\" class=\"num\">Mål {year}</th></tr></thead><tbody>"
    )?;
    for ind in inds {
        write!(
            out,
            "<tr><th scope=\"row\" id=\"ind-{id}\"><a href=\"#tabell-{id}\">{id}</a> {}</th>",
            esc(&ind.title),
            id = esc(&ind.id)
        )?;
        for y in &ctx.years {
            let v = value_text(ctx.d.city_cell(&ind.id, *y, TOTAL, TOTAL), ind.unit);
            write!(out, "<td class=\"num\" data-label=\"{y}\">{v}</td>")?;
        }
        let target = ind
            .target(year)
            .map(|t| ind.unit.format_table(t))
            .unwrap_or_else(|| "–".into());
        writeln!(
            out,
            "<td class=\"num\" data-label=\"Mål {year}\">{target}</td></tr>"
        )?;
    }
    writeln!(out, "</tbody></table></div></div>")?;
    let shown = inds.iter().flat_map(|ind| {
        ctx.years
            .iter()
            .filter_map(|y| ctx.d.city_cell(&ind.id, *y, TOTAL, TOTAL))
    });
    match super::coverage_note(ctx.p, shown) {
        Some(note) => writeln!(out, "{note}"),
        None => Ok(()),
    }
}

/// An indicator's chart with the report year's figure and target.
fn indicator_figure(ctx: &Ctx<'_>, out: &mut String, ind: &Indicator) -> fmt::Result {
    writeln!(
        out,
        "<div class=\"indicator\"><h4 id=\"diagram-{}\">{} {}</h4>",
        esc(&ind.id),
        esc(&ind.id),
        esc(&ind.title)
    )?;
    figure(ctx, out, ind)?;
    writeln!(out, "</div>")
}

/// The chart with its text alternative (every year's total) and caption.
pub(super) fn figure(ctx: &Ctx<'_>, out: &mut String, ind: &Indicator) -> fmt::Result {
    let Some(svg) = ctx.charts.get(&ind.id) else {
        return Ok(());
    };
    let desc = format!(
        "Hela staden, totalt per år: {}.",
        year_values(ctx, ind).join("; ")
    );
    writeln!(
        out,
        "<figure>{}<figcaption>{} Värden per grupp: <a href=\"#tabell-{id}\">tabell {id}</a> i bilaga 2.</figcaption></figure>",
        accessible_svg(svg, &ind.id, &format!("{} {}", ind.id, ind.title), &desc),
        facts(ctx, ind),
        id = esc(&ind.id)
    )
}

/// The city's total per year, as text alternatives say it: "2019: 45".
fn year_values(ctx: &Ctx<'_>, ind: &Indicator) -> Vec<String> {
    ctx.years
        .iter()
        .map(|y| {
            let c = ctx.d.city_cell(&ind.id, *y, TOTAL, TOTAL);
            format!("{y}: {}", value_text(c, ind.unit))
        })
        .collect()
}

/// "Hela staden 2022: 70; mål 80."
fn facts(ctx: &Ctx<'_>, ind: &Indicator) -> String {
    let year = ctx.d.report_year;
    let now = value_text(ctx.d.city_cell(&ind.id, year, TOTAL, TOTAL), ind.unit);
    let target = ind
        .target(year)
        .map(|t| format!("; mål {}", ind.unit.format_table(t)))
        .unwrap_or_default();
    format!("Hela staden {year}: <strong>{now}</strong>{target}.")
}

/// Whether the report has a comparison with the whole city to show.
pub(super) fn has_parity(p: &Pipeline) -> bool {
    p.gaps().next().is_some()
}

/// The comparison with the whole city: the parity gaps.
pub(super) fn parity(ctx: &Ctx<'_>, out: &mut String) -> fmt::Result {
    let p = ctx.p;
    if !has_parity(p) {
        return Ok(());
    }
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
    if let Some(svg) = ctx.charts.get(chart::PARITY) {
        let desc: Vec<String> = p
            .gaps()
            .map(|g| format!("{}: {}", g.id, year_values(ctx, g).join(", ")))
            .collect();
        let desc = format!("{}.", desc.join(". "));
        writeln!(
            out,
            "<figure>{}<figcaption>Diagram: skillnaden mot hela staden över tid. Värdena finns i bilaga 2.</figcaption></figure>",
            accessible_svg(svg, chart::PARITY, "Skillnad mot hela staden", &desc),
        )?;
    }
    for ind in p.gaps() {
        gap_block(ctx, out, ind)?;
    }
    writeln!(out, "</section>")
}

/// A gap's heading, figure and what the pipeline says about the comparison.
fn gap_block(ctx: &Ctx<'_>, out: &mut String, ind: &Indicator) -> fmt::Result {
    writeln!(
        out,
        "<h3 id=\"ind-{id}\">{id} {}</h3><p>{} Alla år: <a href=\"#tabell-{id}\">tabell {id}</a> i bilaga 2.</p>",
        esc(&ind.title),
        facts(ctx, ind),
        id = esc(&ind.id)
    )?;
    match comparison_note(ctx.p, ind) {
        Some(note) => writeln!(out, "<p class=\"note\">Om jämförelsen: {}</p>", esc(note)),
        None => Ok(()),
    }
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
