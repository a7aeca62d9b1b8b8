//! The report's first part, for decision makers: key points drawn from the
//! data, then every indicator with a target and where it stands (one
//! vocabulary with the templates: uppfyllt, delvis uppfyllt, ej uppfyllt),
//! then the measures' status. A change is told only between two published
//! values that are both complete: a sum that lacks a unit is not a decline.

use minijinja::{Value, context};

use super::markdown::to_html;
use super::{Ctx, accessible_svg, esc};
use crate::aggregate::Cell;
use crate::chart;
use crate::pipeline::{Direction, Indicator, MeasureUnit, POINTS, TOTAL};
use crate::text::decimal;
use pulldown_cmark::HeadingLevel;

/// How an indicator stands against its target in the report year.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Standing {
    Met,
    /// A count within `approached_within` of its target.
    Approached,
    /// An estimate whose 95 % interval holds the target: neither met nor
    /// missed can be said.
    WithinMargin,
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
            Standing::WithinMargin => "Inom felmarginalen",
            Standing::Missed => Assessment::NotMet.label(),
            Standing::Incomplete => "Kan inte bedömas (ofullständigt)",
            Standing::NoValue => "Kan inte bedömas (utfall saknas)",
        }
    }

    /// A symbol beside the word, so the column reads at a glance and in
    /// black and white.
    fn symbol(self) -> &'static str {
        match self {
            Standing::Met => "✔",
            Standing::Approached => "◐",
            Standing::WithinMargin => "≈",
            Standing::Missed => "✘",
            Standing::Incomplete | Standing::NoValue => "–",
        }
    }

    /// Its class on the page: the colour beside the symbol and the word.
    fn class(self) -> &'static str {
        match self {
            Standing::Met => "met",
            Standing::Approached => "approached",
            Standing::WithinMargin => "margin",
            Standing::Missed => "missed",
            Standing::Incomplete | Standing::NoValue => "none",
        }
    }
}

/// The rule. An estimate with an interval is met or missed only when the
/// whole 95 % interval lies on one side of the target, and otherwise within
/// the margin. A count is met on the right side of the target, approached
/// when off by at most `within` of the target's own value, else missed.
pub fn standing(
    ind: &Indicator,
    value: Option<f64>,
    interval: Option<(f64, f64)>,
    target: f64,
    within: f64,
) -> Standing {
    let Some(v) = value else {
        return Standing::NoValue;
    };
    let right_side = |x: f64| match ind.direction {
        Direction::Higher => x >= target,
        Direction::Lower => x <= target,
    };
    if let Some((lo, hi)) = interval {
        let (worst, best) = match ind.direction {
            Direction::Higher => (lo, hi),
            Direction::Lower => (hi, lo),
        };
        return if right_side(worst) {
            Standing::Met
        } else if !right_side(best) {
            Standing::Missed
        } else {
            Standing::WithinMargin
        };
    }
    if right_side(v) {
        Standing::Met
    } else if (v - target).abs() <= within * target.abs() {
        Standing::Approached
    } else {
        Standing::Missed
    }
}

/// A published cell's 95 % interval, when it has one.
pub(super) fn interval(c: Option<&Cell>) -> Option<(f64, f64)> {
    c.and_then(|c| c.ci_low.zip(c.ci_high))
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
    /// The value rests on a number with an open warning.
    doubted: bool,
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
                    _ => standing(ind, comparable(now), interval(now), target, within),
                },
                doubted: now.is_some_and(|c| ctx.d.doubted(c)),
            })
        })
        .collect()
}

/// A change from one year to the next, signed, in the indicator's unit
/// (percentage points for shares), and for an estimate whether it is
/// beyond the margin of error.
fn change_text(
    before: f64,
    now: f64,
    unit: MeasureUnit,
    significant: Option<bool>,
) -> (String, &'static str) {
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
        MeasureUnit::Andel => format!("{}{POINTS}", decimal(d.abs() * 100.0, 1)),
        MeasureUnit::Procentenheter => format!("{}{POINTS}", decimal(d.abs(), 1)),
    };
    let judged = match significant {
        Some(true) => "statistiskt säkerställd",
        Some(false) => "inom felmarginalen",
        None => "",
    };
    (format!("{sign}{size}"), judged)
}

/// An estimate with its interval, "38,8 % (36,1–41,7)"; a count as it
/// is; a gap with its unit.
pub(super) fn with_interval(ctx: &Ctx<'_>, c: Option<&Cell>, unit: MeasureUnit) -> String {
    let (shown, interval) = value_and_interval(ctx, c, unit);
    match interval {
        Some(i) => format!("{shown} ({i})"),
        None => shown,
    }
}

/// The value as tables show it, and apart its interval "36,1–41,7", so
/// that a narrow column can put it on a line of its own.
pub(super) fn value_and_interval(
    ctx: &Ctx<'_>,
    c: Option<&Cell>,
    unit: MeasureUnit,
) -> (String, Option<String>) {
    let mut shown = ctx.value(c, unit);
    if unit == MeasureUnit::Procentenheter && comparable(c).is_some() {
        shown.push_str(POINTS);
    }
    let bound = |x: f64| match unit {
        MeasureUnit::Andel => decimal(x * 100.0, 1),
        _ => decimal(x, 1),
    };
    // A dash between two negative numbers reads badly: "till" then.
    let interval = interval(c.filter(|c| !c.is_withheld())).map(|(lo, hi)| {
        let between = if lo < 0.0 { "\u{a0}till\u{a0}" } else { "–" };
        format!("{}{between}{}", bound(lo), bound(hi))
    });
    (shown, interval)
}

/// The summary's key points (sentences with their figures in bold), the
/// indicators with targets, and the measures' status.
pub(super) fn summary(ctx: &Ctx<'_>) -> Value {
    let rows = rows(ctx);
    context! {
        year => ctx.d.report_year,
        points => key_points(ctx, &rows),
        rows => status_rows(ctx, &rows),
        rows_note => ctx.note(rows.iter().flat_map(|r| [r.now, r.before]).flatten()),
        within => decimal(ctx.p.output.approached_within * 100.0, 0),
        status => measures(ctx),
        owner => crate::text::genitive(ctx.p.owner_name()),
        assessment => ctx.d.assessments.summary.as_deref().map(|m| to_html(m, HeadingLevel::H4)),
        consultation => ctx.d.assessments.consultation.as_deref().map(|m| to_html(m, HeadingLevel::H4)),
    }
}

/// What a decision maker needs first: completeness, the targets met and
/// missed by name, the gaps with their intervals, and the changes beyond
/// their margin of error. A value with an open warning is none of them.
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
    points.extend(gaps(ctx));
    points.extend(changes(ctx));
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

/// "Av 9 indikatorer med mål för 2022:" and a line per standing, each
/// indicator named with its value and target ("2 ej uppfyllda: UTB-3 …,
/// 144 mot målet 180; …"); a value with an open warning is counted apart
/// and not named.
fn targets_point(ctx: &Ctx<'_>, rows: &[Row<'_>]) -> Option<String> {
    if rows.is_empty() {
        return None;
    }
    let judged: Vec<&Row> = rows.iter().filter(|r| !r.doubted).collect();
    let named = |s: Standing, word: &str| -> Option<String> {
        let these: Vec<String> = judged
            .iter()
            .filter(|r| r.standing == s)
            .map(|r| target_name(ctx, r))
            .collect();
        (!these.is_empty()).then(|| {
            format!(
                "<strong>{}</strong> {word}: {}.",
                these.len(),
                these.join("; ")
            )
        })
    };
    let mut parts: Vec<String> = [
        (Standing::Met, "uppfyllda"),
        (Standing::Missed, "ej uppfyllda"),
        (Standing::Approached, "delvis uppfyllda"),
        (Standing::WithinMargin, "inom felmarginalen"),
    ]
    .into_iter()
    .filter_map(|(s, w)| named(s, w))
    .collect();
    let missing = judged
        .iter()
        .filter(|r| matches!(r.standing, Standing::NoValue | Standing::Incomplete))
        .count();
    if missing > 0 {
        parts.push(format!(
            "<strong>{missing}</strong> kan inte bedömas (inget fullständigt utfall)."
        ));
    }
    let doubted = rows.len() - judged.len();
    if doubted > 0 {
        parts.push(format!(
            "<strong>{doubted}</strong> bedöms inte här, eftersom utfallet vilar på en uppgift som valideringen flaggade och som inte är förklarad eller godkänd (†)."
        ));
    }
    let items: Vec<String> = parts.iter().map(|p| format!("<li>{p}</li>")).collect();
    Some(format!(
        "Av {} indikatorer med mål för {}:<ul>{}</ul>",
        rows.len(),
        ctx.d.report_year,
        items.concat()
    ))
}

/// "UTB-3 Behörighet till gymnasiet, 38,0 % mot målet 45,0 %".
fn target_name(ctx: &Ctx<'_>, r: &Row<'_>) -> String {
    format!(
        "{} {}, {} mot målet {}",
        esc(&r.ind.id),
        esc(r.ind.short_title()),
        with_interval(ctx, r.now, r.ind.unit),
        r.ind.unit.format_unit(r.target)
    )
}

/// The city's changes since last year that are beyond their margin of
/// error at 95 %, each between two complete values without an open
/// warning, with whether it is for the better. Counts carry no margin and
/// are read in the table, not here.
fn changes(ctx: &Ctx<'_>) -> Vec<String> {
    let year = ctx.d.report_year;
    ctx.p
        .indicators
        .iter()
        .filter(|i| i.unit != MeasureUnit::Procentenheter)
        .filter_map(|ind| {
            let cell = ctx.d.city_cell(&ind.id, year, TOTAL, TOTAL)?;
            let now = comparable(Some(cell))?;
            let before = comparable(ctx.d.city_cell(&ind.id, year - 1, TOTAL, TOTAL))?;
            let fit = cell.change_significant == Some(true) && !ctx.d.doubted(cell);
            fit.then(|| change_sentence(ind, before, now, year))
        })
        .take(3)
        .collect()
}

fn change_sentence(ind: &Indicator, before: f64, now: f64, year: i32) -> String {
    let better = match ind.direction {
        Direction::Higher => now > before,
        Direction::Lower => now < before,
    };
    format!(
        "{} ({}) {} från {} {} till <strong>{}</strong> {year}, en förändring utöver felmarginalen och en {}.",
        esc(&ind.title),
        esc(&ind.id),
        if now > before { "ökade" } else { "minskade" },
        ind.unit.format_table(before),
        year - 1,
        ind.unit.format_table(now),
        if better {
            "förbättring"
        } else {
            "försämring"
        }
    )
}

/// Each difference against the whole city (derived indicators in
/// percentage points) with its interval, this year and last, and whether
/// it changed beyond the margin.
fn gaps(ctx: &Ctx<'_>) -> Vec<String> {
    let year = ctx.d.report_year;
    ctx.p
        .gaps()
        .filter(|i| i.unit == MeasureUnit::Procentenheter)
        .filter_map(|ind| {
            let cell = ctx.d.city_cell(&ind.id, year, TOTAL, TOTAL)?;
            comparable(Some(cell))?;
            let prior = ctx.d.city_cell(&ind.id, year - 1, TOTAL, TOTAL);
            let before = comparable(prior)
                .map(|b| {
                    let judged = match cell.change_significant {
                        Some(true) => ", en förändring utöver felmarginalen",
                        Some(false) => ", en förändring inom felmarginalen",
                        None => "",
                    };
                    format!(" (år {}: {}{judged})", year - 1, ind.unit.format_unit(b))
                })
                .unwrap_or_default();
            Some(format!(
                "{} ({}): <strong>{}</strong> {year}{before}.",
                esc(ind.short_title()),
                esc(&ind.id),
                with_interval(ctx, Some(cell), ind.unit)
            ))
        })
        .take(2)
        .collect()
}

/// Every indicator with a target: where it stands, its value, target, last
/// year's value, the change and the baseline.
fn status_rows(ctx: &Ctx<'_>, rows: &[Row<'_>]) -> Vec<Value> {
    rows.iter()
        .map(|r| {
            let unit = r.ind.unit;
            let significant = r.now.and_then(|c| c.change_significant);
            let change = match (comparable(r.before), comparable(r.now)) {
                (Some(b), Some(n)) => change_text(b, n, unit, significant),
                _ => ("–".into(), ""),
            };
            let baseline = r
                .ind
                .baseline
                .as_ref()
                .map(|b| format!("{} ({})", unit.format_unit(b.value), b.year))
                .unwrap_or_default();
            context! {
                id => r.ind.id.clone(), title => r.ind.title.clone(),
                symbol => r.standing.symbol(), standing => r.standing.swedish(),
                class => r.standing.class(),
                now => value_and_interval(ctx, r.now, unit), target => unit.format_unit(r.target),
                before => value_and_interval(ctx, r.before, unit), change, baseline,
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
