//! The report's body after the summary: per rights area its goals, measures
//! and indicator charts, then the comparison with the whole city. Tables by
//! committee and by group are in the annex, linked from here, so the body
//! reads in a few pages.

use crate::text::capitalize;
use minijinja::{Value, context};

use super::{Ctx, accessible_svg};
use crate::pipeline::{Indicator, Measure, Pipeline, Source, TOTAL};

/// The body: per rights area its goals, measures, indicators and charts,
/// then the comparison with the whole city (`omraden.html`).
pub(super) fn body(ctx: &Ctx<'_>) -> Value {
    let areas: Vec<Value> = ctx.p.areas.iter().map(|a| area(ctx, a)).collect();
    context! {
        year => ctx.d.report_year,
        years => ctx.years.clone(),
        areas,
        national_goal => ctx.p.strategy.national_goal.clone().unwrap_or_default(),
        parity => parity(ctx),
    }
}

/// A rights area: goals and measures with the committees' statuses
/// counted, then its indicators in one table and the charts of those with
/// targets.
fn area(ctx: &Ctx<'_>, a: &crate::pipeline::Area) -> Value {
    let p = ctx.p;
    let mut inds: Vec<&Indicator> = Vec::new();
    let goals: Vec<Value> = p
        .goals
        .iter()
        .filter(|g| g.area == a.id)
        .map(|g| {
            let measures: Vec<&Measure> = p.measures.iter().filter(|m| m.goal == g.id).collect();
            inds.extend(measures.iter().flat_map(|m| area_indicators(p, m)));
            let measures: Vec<Value> = measures.iter().map(|m| measure_block(ctx, m)).collect();
            context! { title => g.title.clone(), measures }
        })
        .collect();
    let figures: Vec<Value> = inds
        .iter()
        .filter(|i| in_body(ctx, i))
        .map(|ind| figure(ctx, ind))
        .collect();
    let assessment = ctx
        .d
        .assessments
        .areas
        .get(&a.id)
        .map(|m| super::markdown::to_html(m, pulldown_cmark::HeadingLevel::H4));
    context! {
        id => a.id.clone(), title => a.title.clone(), goals, assessment,
        owner => crate::text::genitive(ctx.p.owner_name()),
        overview => indicator_overview(ctx, &inds), figures,
    }
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
    // A gap's chart is in the comparison with the whole city.
    (ind.derived.is_some() || !ind.targets.is_empty()) && ctx.charts.contains_key(&ind.id)
}

/// A measure: its text and the committees' statuses counted.
fn measure_block(ctx: &Ctx<'_>, m: &Measure) -> Value {
    let counts = ctx.d.measure_counts(ctx.p, m);
    let total: usize = counts.iter().sum();
    let status = (total > 0).then(|| {
        let parts: Vec<String> = crate::results::STATUS_WORDS
            .iter()
            .zip(counts)
            .filter(|(_, n)| *n > 0)
            .map(|(w, n)| format!("{} {n}", w.to_lowercase()))
            .collect();
        context! { total => total_words(total), parts => parts.join(", ") }
    });
    context! { id => m.id.clone(), text => m.text.clone(), status }
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
/// target, each linked to its tables in the annex; none without indicators.
fn indicator_overview(ctx: &Ctx<'_>, inds: &[&Indicator]) -> Option<Value> {
    if inds.is_empty() {
        return None;
    }
    let year = ctx.d.report_year;
    let rows: Vec<Value> = inds
        .iter()
        .map(|ind| {
            let values: Vec<Value> = ctx
                .years
                .iter()
                .map(|y| {
                    let text = ctx.value(ctx.d.city_cell(&ind.id, *y, TOTAL, TOTAL), ind.unit);
                    context! { year => y, text }
                })
                .collect();
            let target = ind
                .target(year)
                .map(|t| ind.unit.format_unit(t))
                .unwrap_or_else(|| "–".into());
            context! { id => ind.id.clone(), title => ind.title.clone(), values, target }
        })
        .collect();
    let shown = inds.iter().flat_map(|ind| {
        ctx.years
            .iter()
            .filter_map(|y| ctx.d.city_cell(&ind.id, *y, TOTAL, TOTAL))
    });
    Some(context! { rows, note => ctx.note(shown) })
}

/// An indicator's chart with its text alternative (every year's total) and
/// the report year's figure and target (`figur.html`); no `svg` when the
/// indicator has no chart.
pub(super) fn figure(ctx: &Ctx<'_>, ind: &Indicator) -> Value {
    let svg = ctx.charts.get(&ind.id).map(|svg| {
        let desc = format!(
            "{}, totalt per år: {}.",
            capitalize(&ctx.p.who(ind)),
            year_values(ctx, ind).join("; ")
        );
        accessible_svg(svg, &ind.id, &format!("{} {}", ind.id, ind.title), &desc)
    });
    let (now, target) = facts(ctx, ind);
    let who = match ind.derived {
        Some(_) => "Skillnaden".to_string(),
        None => capitalize(&ctx.p.who(ind)),
    };
    context! { id => ind.id.clone(), title => ind.title.clone(), svg => svg.unwrap_or_default(), now, target, who, beside => beside(ctx, ind) }
}

/// A reference series' report-year value for each compared municipality:
/// "riket 79,9 %".
fn beside(ctx: &Ctx<'_>, ind: &Indicator) -> String {
    if ind.source != Source::Reference {
        return String::new();
    }
    let year = ctx.d.report_year;
    let said: Vec<String> = ctx
        .p
        .compared()
        .iter()
        .filter_map(|(m, name)| {
            let c = ctx.d.compared_total(&ind.id, year, m)?;
            c.value?;
            Some(format!("{name} {}", ctx.value(Some(c), ind.unit)))
        })
        .collect();
    said.join("; ")
}

/// The city's total per year, as text alternatives say it: "2019: 45".
fn year_values(ctx: &Ctx<'_>, ind: &Indicator) -> Vec<String> {
    ctx.years
        .iter()
        .map(|y| {
            let c = ctx.d.city_cell(&ind.id, *y, TOTAL, TOTAL);
            format!("{y}: {}", ctx.value(c, ind.unit))
        })
        .collect()
}

/// The report year's value and target ("" for none): "Hela staden 2022:
/// 70; mål 80."
fn facts(ctx: &Ctx<'_>, ind: &Indicator) -> (String, String) {
    let year = ctx.d.report_year;
    let now =
        super::summary::with_interval(ctx, ctx.d.city_cell(&ind.id, year, TOTAL, TOTAL), ind.unit);
    let target = ind
        .target(year)
        .map(|t| ind.unit.format_unit(t))
        .unwrap_or_default();
    (now, target)
}

/// The comparison section's title: with the city, and the compared
/// municipalities where the pipeline names any.
pub(super) fn parity_title(p: &Pipeline) -> String {
    let mut with = vec!["hela staden"];
    with.extend(p.compared().iter().map(|(_, name)| name.as_str()));
    format!("Jämförelse med {}", crate::text::list(&with))
}

/// Whether the report has a comparison with the whole city to show.
pub(super) fn has_parity(p: &Pipeline) -> bool {
    p.gaps().next().is_some()
}

/// The comparison with the whole city: the parity gaps; none without gaps.
fn parity(ctx: &Ctx<'_>) -> Option<Value> {
    let p = ctx.p;
    if !has_parity(p) {
        return None;
    }
    let gaps: Vec<Value> = p
        .gaps()
        .map(|ind| {
            let (now, target) = facts(ctx, ind);
            let note: Vec<String> = [
                comparison_note(p, ind).map(String::from),
                ctx.series_start(ind),
            ]
            .into_iter()
            .flatten()
            .map(|n| format!("{}.", n.trim_end_matches('.')))
            .collect();
            let note = note.join(" ");
            let figure = figure(ctx, ind);
            let table = gap_table(ctx, ind);
            context! { id => ind.id.clone(), title => ind.title.clone(), now, target, note, figure, table }
        })
        .collect();
    let survey = p.who_of(Source::Survey);
    let reference = p.who_of(Source::Reference);
    Some(context! { gaps, title => parity_title(p), survey, reference })
}

/// A gap's two shares per year side by side, its reference series for each
/// compared municipality beside the city's, then the gap with its interval.
fn gap_table(ctx: &Ctx<'_>, gap: &Indicator) -> Option<Value> {
    let p = ctx.p;
    let d = gap.derived.as_ref()?;
    let (minuend, subtrahend) = (p.indicator(&d.minuend)?, p.indicator(&d.subtrahend)?);
    let mut heads = vec![
        format!("{} ({})", capitalize(&p.who(minuend)), minuend.id),
        format!("{} ({})", capitalize(&p.who(subtrahend)), subtrahend.id),
    ];
    heads.extend(p.compared().iter().map(|(_, name)| capitalize(name)));
    heads.push(format!("Skillnad ({})", gap.id));
    let rows: Vec<Value> = ctx
        .years
        .iter()
        .map(|&y| {
            let city = |id: &str| ctx.d.city_cell(id, y, TOTAL, TOTAL);
            let mut values = vec![
                super::summary::value_and_interval(ctx, city(&minuend.id), minuend.unit),
                super::summary::value_and_interval(ctx, city(&subtrahend.id), subtrahend.unit),
            ];
            values.extend(p.compared().iter().map(|(m, _)| {
                let c = ctx.d.compared_total(&subtrahend.id, y, m);
                (ctx.value(c, subtrahend.unit), None)
            }));
            values.push(super::summary::value_and_interval(
                ctx,
                city(&gap.id),
                gap.unit,
            ));
            context! { year => y, values }
        })
        .collect();
    Some(context! { heads, rows })
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
