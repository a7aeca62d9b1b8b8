//! The report's first part, for decision makers: key points drawn from the
//! data, then every indicator with a target and where it stands (one
//! vocabulary with the templates: uppfyllt, delvis uppfyllt, ej uppfyllt),
//! then the measures' status. A change is told only between two published
//! values that are both complete: a sum that lacks a unit is not a decline.

use minijinja::{Value, context};

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

/// The summary's key points (sentences with their figures in bold), the
/// indicators with targets, and the measures' status.
pub(super) fn summary(ctx: &Ctx<'_>) -> Value {
    let rows = rows(ctx);
    context! {
        year => ctx.d.report_year,
        points => key_points(ctx, &rows),
        rows => status_rows(&rows),
        rows_note => super::coverage_note(ctx.p, rows.iter().flat_map(|r| [r.now, r.before]).flatten()),
        within => decimal(ctx.p.output.approached_within * 100.0, 0),
        status => measures(ctx),
    }
}

/// Three to six sentences, each with its figure.
fn key_points(ctx: &Ctx<'_>, rows: &[Row<'_>]) -> Vec<String> {
    let year = ctx.d.report_year;
    let mut points = Vec::new();
    if let Some(c) = ctx.d.completeness.iter().find(|c| c.year == year) {
        points.push(format!(
            "<strong>{} av {}</strong> nämnder lämnade återrapportering för {year}; {} % av de väntade värdena kom in{}.",
            c.reported.len(),
            c.expected.len(),
            decimal(c.share * 100.0, 0),
            reviewed(ctx, c)
        ));
    }
    if let Some(t) = targets_point(ctx, rows) {
        points.push(t);
    }
    points.extend(changes(ctx));
    points.extend(gaps(ctx));
    points
}

/// "; 4 är godkända av Kommunstyrelsen och 5 kom in i tid", when the
/// portal says so.
fn reviewed(ctx: &Ctx<'_>, c: &crate::results::Completeness) -> String {
    if c.returns.is_empty() {
        return String::new();
    }
    let approved = c.returns.iter().filter(|r| r.approved).count();
    let on_time = c
        .returns
        .iter()
        .filter(|r| r.timeliness == crate::handin::Timeliness::OnTime)
        .count();
    let mut text = format!(
        "; <strong>{approved}</strong> av återrapporteringarna är godkända av {}",
        ctx.p.owner_name()
    );
    if ctx.p.returns.deadline.is_some() {
        text.push_str(&format!(" och <strong>{on_time}</strong> kom in i tid"));
    }
    text
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
fn status_rows(rows: &[Row<'_>]) -> Vec<Value> {
    rows.iter()
        .map(|r| {
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
            context! {
                id => r.ind.id.clone(), title => r.ind.title.clone(),
                symbol => r.standing.symbol(), standing => r.standing.swedish(),
                now => value_text(r.now, unit), target => unit.format_table(r.target),
                before => value_text(r.before, unit), change, baseline,
            }
        })
        .collect()
}

/// The measures' status per rights area: the chart and the same numbers as
/// a table; none when no committee has said anything.
fn measures(ctx: &Ctx<'_>) -> Option<Value> {
    let status = ctx.d.measure_status(ctx.p);
    let total: usize = status.iter().map(|(_, c)| c.iter().sum::<usize>()).sum();
    if total == 0 {
        return None;
    }
    let words = crate::results::STATUS_WORDS;
    let svg = ctx.charts.get(chart::STATUS).map(|svg| {
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
        accessible_svg(svg, chart::STATUS, "Åtgärdernas status", &desc.join(". "))
    });
    Some(context! { svg => svg.unwrap_or_default(), words, areas => matrix(ctx, &status) })
}

/// Measure × status: each area's total, then its measures, in committee answers.
fn matrix(ctx: &Ctx<'_>, status: &[(String, [usize; 4])]) -> Vec<Value> {
    let p = ctx.p;
    let counts = |c: &[usize; 4]| -> Vec<Value> {
        c.iter()
            .zip(crate::results::STATUS_WORDS)
            .map(|(n, w)| context! { word => w, n => n })
            .collect()
    };
    p.areas
        .iter()
        .zip(status)
        .map(|(a, (title, c))| {
            let measures: Vec<Value> = p
                .measures
                .iter()
                .filter(|m| p.goal(&m.goal).is_some_and(|g| g.area == a.id))
                .map(|m| context! { id => m.id.clone(), counts => counts(&ctx.d.measure_counts(p, m)) })
                .collect();
            context! { title => title, counts => counts(c), measures }
        })
        .collect()
}
