//! The report's annexes: each committee's report per measure, every
//! indicator's values per year and group, data quality and method. The body
//! links here; nothing in the body is only here. (`bilagor.html`)

use std::collections::BTreeMap;

use minijinja::{Value, context};

use super::{Ctx, accessible_svg};
use crate::chart;
use crate::finding::Severity;
use crate::pipeline::{
    Assessment, Breakdown, GroupKey, Indicator, Measure, Pipeline, Source, Status, TOTAL,
};

/// All four annexes and the footer.
pub(super) fn annexes(ctx: &Ctx<'_>) -> Value {
    let tables: Vec<Value> = ctx
        .p
        .indicators
        .iter()
        .filter(|ind| super::body::has_values(ctx, ind))
        .map(|ind| indicator_tables(ctx, ind))
        .collect();
    context! {
        year => ctx.d.report_year,
        measures => ctx.p.measures.iter().map(|m| measure_table(ctx, m)).collect::<Vec<_>>(),
        tables,
        quality => quality(ctx),
        method => method(ctx.p),
        comments => ctx.p.report.comments.then(|| comments(ctx)),
        version => env!("CARGO_PKG_VERSION"),
        strategy_id => ctx.p.strategy.id.clone(),
        owner => ctx.p.owner_name(),
        contact => ctx.p.returns.contact.clone().unwrap_or_default(),
        date => ctx.p.report.date.map(|d| crate::text::date(d.day, d.month, d.year)).unwrap_or_default(),
        author => ctx.p.report.author.clone().unwrap_or_default(),
    }
}

/// Annex 5, when the pipeline asks for it: each unit's comments on its
/// values in the report's year, beside what they concern. A comment on a
/// value that is withheld is left out with it, since it may tell the value.
fn comments(ctx: &Ctx<'_>) -> Vec<Value> {
    let (p, d, year) = (ctx.p, ctx.d, ctx.d.report_year);
    let withheld: std::collections::HashSet<(&str, &str, &GroupKey)> = d
        .cells
        .iter()
        .filter(|c| c.year == year && c.is_withheld())
        .map(|c| (c.unit_id.as_str(), c.indicator_id.as_str(), &c.key))
        .collect();
    let mut by_unit: BTreeMap<usize, Vec<Value>> = BTreeMap::new();
    for v in d.returns.values.iter().filter(|v| v.year == year) {
        let Some(text) = v.comment.as_deref() else {
            continue;
        };
        if withheld.contains(&(v.unit_id.as_str(), v.indicator_id.as_str(), &v.key)) {
            continue;
        }
        let place = p
            .units
            .iter()
            .position(|u| u.id == v.unit_id)
            .unwrap_or(usize::MAX);
        by_unit.entry(place).or_default().push(context! {
            about => crate::validate::returns::about_value(p, v),
            text => text,
        });
    }
    by_unit
        .into_iter()
        .map(|(i, items)| {
            let name = p.units.get(i).map(|u| u.name.clone()).unwrap_or_default();
            context! { name, items }
        })
        .collect()
}

/// Annex 1, one measure: each responsible committee's status, own
/// assessment and the year's activities.
fn measure_table(ctx: &Ctx<'_>, m: &Measure) -> Value {
    let (p, d, year) = (ctx.p, ctx.d, ctx.d.report_year);
    let said = |v: Option<&str>| v.unwrap_or("Ingen uppgift").to_string();
    let units: Vec<Value> = p
        .responsible_units(&m.responsible, year)
        .into_iter()
        .map(|u| {
            let act = d.activity(year, &u.id, &m.id);
            context! {
                name => u.name.clone(),
                status => said(act.and_then(|a| a.status).map(Status::label)),
                assessment => said(act.and_then(|a| a.assessment).map(Assessment::label)),
                activities => said(act.and_then(|a| a.description.as_deref())),
            }
        })
        .collect();
    context! { id => m.id.clone(), units }
}

/// Annex 2, one indicator: its chart when the body has none, the city's
/// values per year (the total, the first breakdown's groups, for the survey
/// the interval and the respondents, targets beside them), each further
/// breakdown, and a crossed indicator's combinations.
fn indicator_tables(ctx: &Ctx<'_>, ind: &Indicator) -> Value {
    let mut cols: Vec<(String, String, String)> =
        vec![("Totalt".into(), TOTAL.into(), TOTAL.into())];
    let first = ind.breakdowns.first().and_then(|b| ctx.p.breakdown(b));
    if let Some(b) = first {
        for g in &b.groups {
            cols.push((g.label.clone(), b.id.clone(), g.id.clone()));
        }
    }
    let rows: Vec<Value> = ctx
        .years
        .iter()
        .map(|y| indicator_row(ctx, ind, *y, &cols))
        .collect();
    let shown = ctx
        .years
        .iter()
        .flat_map(|y| cols.iter().map(move |(_, b, g)| (y, b, g)))
        .filter_map(|(y, b, g)| ctx.d.city_cell(&ind.id, *y, b, g));
    let breakdowns: Vec<Value> = ind
        .breakdowns
        .iter()
        .skip(1)
        .filter_map(|b| ctx.p.breakdown(b))
        .map(|b| breakdown_table(ctx, ind, b))
        .collect();
    let figure = (!super::body::in_body(ctx, ind)).then(|| super::body::figure(ctx, ind));
    context! {
        id => ind.id.clone(), title => ind.title.clone(), figure,
        first => first.map(|b| b.title.to_lowercase()).unwrap_or_default(),
        survey => ind.source == Source::Survey,
        targets => !ind.targets.is_empty(),
        columns => cols.iter().map(|c| c.0.clone()).collect::<Vec<_>>(),
        rows, source => ind.source.label(), note => ctx.note_for(Some(ind), shown),
        breakdowns, cross => cross_table(ctx, ind),
    }
}

/// One year's row of an indicator's table.
fn indicator_row(
    ctx: &Ctx<'_>,
    ind: &Indicator,
    y: i32,
    cols: &[(String, String, String)],
) -> Value {
    let values: Vec<String> = cols
        .iter()
        .map(|(_, b, g)| ctx.value(ctx.d.city_cell(&ind.id, y, b, g), ind.unit))
        .collect();
    let c = ctx.d.city_cell(&ind.id, y, TOTAL, TOTAL);
    let ci = c
        .and_then(|c| Some((c.ci_low?, c.ci_high?)))
        .map(|(a, b)| format!("{}–{}", ind.unit.format_table(a), ind.unit.format_table(b)))
        .unwrap_or_else(|| "–".into());
    let n = c
        .and_then(|c| c.n)
        .map(|n| crate::text::thousands(n as i64))
        .unwrap_or_else(|| "–".into());
    let target = ind
        .target(y)
        .map(|t| ind.unit.format_unit(t))
        .unwrap_or_default();
    context! { year => y, values, ci, n, target }
}

/// A further breakdown's groups per year.
fn breakdown_table(ctx: &Ctx<'_>, ind: &Indicator, b: &Breakdown) -> Value {
    let rows: Vec<Value> = ctx
        .years
        .iter()
        .map(|y| {
            let values: Vec<String> = b
                .groups
                .iter()
                .map(|g| ctx.value(ctx.d.city_cell(&ind.id, *y, &b.id, &g.id), ind.unit))
                .collect();
            context! { head => y.to_string(), values }
        })
        .collect();
    let shown = ctx.years.iter().flat_map(|y| {
        b.groups
            .iter()
            .filter_map(move |g| ctx.d.city_cell(&ind.id, *y, &b.id, &g.id))
    });
    context! {
        title => b.title.to_lowercase(), groups => group_labels(b), rows,
        note => ctx.note(shown),
    }
}

fn group_labels(b: &Breakdown) -> Vec<String> {
    b.groups.iter().map(|g| g.label.clone()).collect()
}

/// For an indicator crossed over two breakdowns: the report year's
/// combinations, the first breakdown's groups down and the second's across.
fn cross_table(ctx: &Ctx<'_>, ind: &Indicator) -> Option<Value> {
    let [a, b] = ind.breakdowns.as_slice() else {
        return None;
    };
    let (Some(a), Some(b), true) = (ctx.p.breakdown(a), ctx.p.breakdown(b), ind.crossed) else {
        return None;
    };
    let year = ctx.d.report_year;
    let rows: Vec<Value> = a
        .groups
        .iter()
        .map(|ga| {
            let values: Vec<String> = b
                .groups
                .iter()
                .map(|gb| {
                    let key = GroupKey::crossed([
                        (a.id.as_str(), ga.id.as_str()),
                        (b.id.as_str(), gb.id.as_str()),
                    ]);
                    let c = ctx.d.city_cell(&ind.id, year, &key.breakdown, &key.group);
                    ctx.value(c, ind.unit)
                })
                .collect();
            context! { head => ga.label.clone(), values }
        })
        .collect();
    Some(context! {
        down => a.title.to_lowercase(), across => b.title.to_lowercase(), corner => a.title.clone(),
        groups => group_labels(b), rows,
    })
}

/// Annex 3: which returns came in, refused files, reference statistics and
/// withheld values.
fn quality(ctx: &Ctx<'_>) -> Value {
    let (p, d) = (ctx.p, ctx.d);
    let svg = ctx.charts.get(chart::COMPLETENESS).map(|svg| {
        let desc = "Vilka nämnder som lämnat återrapportering respektive år; samma uppgifter finns i tabellen nedan.";
        accessible_svg(svg, chart::COMPLETENESS, "Inlämnade återrapporteringar", desc)
    });
    let completeness: Vec<Value> = d
        .completeness
        .iter()
        .map(|c| {
            let missing: Vec<String> = c.missing.iter().map(|u| p.unit_name(u)).collect();
            context! {
                year => c.year, expected => c.expected.len(), reported => c.reported.len(),
                missing => if missing.is_empty() { "–".to_string() } else { missing.join(", ") },
                share => crate::text::decimal(c.share * 100.0, 1),
            }
        })
        .collect();
    let refused: Vec<Value> = d
        .findings
        .iter()
        .filter(|f| {
            f.severity == Severity::Error
                && f.cell.is_none()
                && (d.returns.refused.contains(&f.file) || d.survey.refused.contains(&f.file))
        })
        .map(|f| {
            let name = std::path::Path::new(&f.file)
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or(&f.file);
            context! { name => name.to_string(), message => f.message.clone() }
        })
        .collect();
    context! {
        svg => svg.unwrap_or_default(), completeness, refused, returns => returns_table(ctx),
        errors => d.count(Severity::Error), warnings => d.count(Severity::Warning),
        reference => d.reference.iter().map(|s| s.describe()).collect::<Vec<_>>(),
        withheld => withheld(ctx),
    }
}

/// The report year's returns, one row per committee: approved, on time,
/// and the committee's decision. Only with a portal, which knows these.
fn returns_table(ctx: &Ctx<'_>) -> Value {
    let (p, d) = (ctx.p, ctx.d);
    let Some(c) = d.completeness.iter().find(|c| c.year == d.report_year) else {
        return Value::from(());
    };
    let rows: Vec<Value> = c
        .returns
        .iter()
        .map(|r| {
            let review = match (r.handed_in, r.approved) {
                (false, _) => "–".to_string(),
                (true, true) => format!("Godkänd av {}", p.owner_name()),
                (true, false) => "Inte godkänd".to_string(),
            };
            context! {
                name => p.unit_name(&r.unit_id),
                handed_in => if r.handed_in { "Ja" } else { "Nej" },
                review, timeliness => r.timeliness.label(),
                decision => r.decision.as_ref().map_or("–".to_string(), |d| d.describe()),
            }
        })
        .collect();
    if rows.is_empty() {
        return Value::from(());
    }
    context! { year => c.year, rows }
}

/// The withheld values per indicator and reason.
fn withheld(ctx: &Ctx<'_>) -> Vec<Value> {
    let mut withheld: BTreeMap<(String, &'static str), usize> = BTreeMap::new();
    for c in &ctx.d.cells {
        if let Some(r) = c.withheld {
            *withheld
                .entry((c.indicator_id.clone(), r.label()))
                .or_default() += 1;
        }
    }
    withheld
        .into_iter()
        .map(|((id, why), n)| context! { id, why, n })
        .collect()
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

/// Annex 4: method. Each part only for the sources the pipeline has.
fn method(p: &Pipeline) -> Value {
    let mut sources = vec!["nämndernas årliga återrapportering i Excel".to_string()];
    if p.survey.is_some() {
        sources.push("en anonym enkät".into());
    }
    if p.reference.is_some() {
        sources.push(format!(
            "referensstatistik för hela staden från {}",
            p.reference_name()
        ));
    }
    let sources: Vec<&str> = sources.iter().map(String::as_str).collect();
    context! {
        sources => crate::text::list(&sources),
        survey => p.survey.is_some(),
        k_anonymity => k_anonymity_text(p),
        min => p.disclosure.min_cell,
        city_only => city_only_text(p),
        within => crate::text::decimal(p.output.approached_within * 100.0, 0),
    }
}
