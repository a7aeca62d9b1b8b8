//! The run's charts: a trend per indicator, the parity gaps, completeness
//! and the measures' status.

use std::path::Path;

use crate::aggregate::Cell;
use crate::chart;
use crate::error::Error;
use crate::pipeline::{Pipeline, Source};
use crate::results::RunData;

/// The most units the completeness grid draws a row for.
const GRID_ROWS: usize = 60;

/// Draws every chart into `dir`; returns each chart's SVG by name.
pub(super) fn draw_charts(p: &Pipeline, d: &RunData, dir: &Path) -> Result<Charts, Error> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        context: format!("kan inte skapa {}", dir.display()),
        source,
    })?;
    let years: Vec<i32> = p.strategy.period.years().collect();
    // Only the city's and the compared municipalities' cells are drawn;
    // leaving the units' out first spares every chart a pass over them all.
    let drawn = |c: &&Cell| {
        c.unit_id == crate::pipeline::CITY || p.compared().iter().any(|(id, _)| *id == c.unit_id)
    };
    let cells: Vec<&Cell> = d.cells.iter().chain(&d.compared).filter(drawn).collect();
    let mut svgs = trend_charts(p, &cells, &years, dir)?;
    if let Some(svg) = parity_chart(p, &cells, &years, dir)? {
        svgs.insert(chart::PARITY.into(), svg);
    }
    svgs.insert(
        chart::COMPLETENESS.into(),
        completeness_chart(p, d, &years, dir)?,
    );
    svgs.insert(chart::STATUS.into(), status_chart(p, d, dir)?);
    Ok(svgs)
}

/// Each chart's SVG by name.
type Charts = std::collections::BTreeMap<String, String>;

/// One trend chart per indicator with city values, drawn in parallel; each
/// is its own files.
fn trend_charts(p: &Pipeline, cells: &[&Cell], years: &[i32], dir: &Path) -> Result<Charts, Error> {
    let mut svgs = Charts::new();
    let trends: Vec<Result<Option<(String, String)>, Error>> = crate::pool::install(|| {
        use rayon::prelude::*;
        p.indicators
            .par_iter()
            .map(|ind| {
                if !cells
                    .iter()
                    .any(|c| c.indicator_id == ind.id && c.unit_id == crate::pipeline::CITY)
                {
                    return Ok(None);
                }
                let spec = chart::trend_spec(p, ind, cells, years);
                Ok(Some((
                    ind.id.clone(),
                    chart::write_trend(&spec, dir, &ind.id)?,
                )))
            })
            .collect()
    });
    for t in trends {
        if let Some((id, svg)) = t? {
            svgs.insert(id, svg);
        }
    }
    Ok(svgs)
}

/// The parity gaps over time, one line each, if the pipeline has any.
fn parity_chart(
    p: &Pipeline,
    cells: &[&Cell],
    years: &[i32],
    dir: &Path,
) -> Result<Option<String>, Error> {
    let gaps: Vec<&crate::pipeline::Indicator> = p.gaps().collect();
    if gaps.is_empty() {
        return Ok(None);
    }
    let series = gaps
        .iter()
        .flat_map(|g| {
            let spec = chart::trend_spec(p, g, cells, years);
            spec.series.into_iter().next().map(|mut s| {
                s.label = format!("{} ({})", g.short_title(), g.id);
                s
            })
        })
        .collect();
    let spec = chart::TrendSpec {
        title: "Skillnad mot hela staden".into(),
        subtitle: format!(
            "{} minus {}, i procentenheter; under noll är under stadens nivå.{}",
            crate::text::capitalize(&p.who_of(Source::Survey)),
            p.who_of(Source::Reference),
            chart::better(&gaps)
        ),
        source: format!(
            "Källa: {}. {}",
            p.source_long(Source::Derived),
            p.strategy.title
        ),
        unit: crate::pipeline::MeasureUnit::Procentenheter,
        years: years.to_vec(),
        series,
        targets: Vec::new(),
        notes: late_starts(p, &gaps, cells, years),
    };
    Ok(Some(chart::write_trend(&spec, dir, chart::PARITY)?))
}

/// Under the gaps: each whose reference series starts late.
fn late_starts(
    p: &Pipeline,
    gaps: &[&crate::pipeline::Indicator],
    cells: &[&Cell],
    years: &[i32],
) -> Vec<String> {
    let has_value = |id: &str, y: i32| crate::aggregate::city_total_has_value(cells, id, y);
    gaps.iter()
        .filter_map(|g| crate::aggregate::derived::late_start(p, g, years, has_value))
        .map(|n| n + ".")
        .collect()
}

/// Completeness per unit and year.
fn completeness_chart(
    p: &Pipeline,
    d: &RunData,
    years: &[i32],
    dir: &Path,
) -> Result<String, Error> {
    use chart::Mark;
    let mut rows = grid_rows(p, d, years);
    // A row per unit reads well for a city; for hundreds of units the grid
    // shows those that missed a year (the ones to follow up), at most
    // GRID_ROWS of them, and the table in the report gives the counts.
    let all_units = rows.len();
    let mut title = "Inlämnade återrapporteringar per nämnd och år".to_string();
    if all_units > GRID_ROWS {
        rows.retain(|(_, marks)| marks.contains(&Some(Mark::Missing)));
        let missing = rows.len();
        rows.truncate(GRID_ROWS);
        title = format!(
            "Nämnder som saknar någon återrapportering: {} av {}{}",
            crate::text::thousands(missing as i64),
            crate::text::thousands(all_units as i64),
            if missing > GRID_ROWS {
                format!(" (de {GRID_ROWS} första visas)")
            } else {
                String::new()
            }
        );
    }
    let title = title.as_str();
    let size = chart::grid_size(title, &rows, years);
    chart::write_chart(dir, chart::COMPLETENESS, size, |a| {
        chart::draw_grid(a, title, &rows, years)
    })
}

/// Status of the measures per area, in the report year.
fn status_chart(p: &Pipeline, d: &RunData, dir: &Path) -> Result<String, Error> {
    let categories = crate::results::STATUS_WORDS;
    let bars: Vec<(String, Vec<usize>)> = d
        .measure_status(p)
        .into_iter()
        .map(|(area, counts)| (area, counts.to_vec()))
        .collect();
    let title = format!(
        "Åtgärdernas status {} per rättighetsområde: andel av nämndernas svar (antalet svar vid namnet)",
        d.report_year
    );
    let size = chart::bars_size(&title, &categories, &bars);
    chart::write_chart(dir, chart::STATUS, size, |a| {
        chart::draw_bars(a, &title, &categories, &bars)
    })
}

/// Each unit's row of the completeness grid: per year handed in (whole or
/// with refused values), missing, or not expected.
fn grid_rows(p: &Pipeline, d: &RunData, years: &[i32]) -> Vec<(String, Vec<Option<chart::Mark>>)> {
    use chart::Mark;
    let mut rows: Vec<(String, Vec<Option<Mark>>)> = Vec::new();
    // A return with a refused value is handed in, but not whole.
    let refused: std::collections::HashSet<(&str, i32)> = d
        .findings
        .iter()
        .filter(|f| f.severity == crate::finding::Severity::Error)
        .filter_map(|f| f.subject.value_of())
        .collect();
    type Sets<'a> = (
        std::collections::HashSet<&'a str>,
        std::collections::HashSet<&'a str>,
    );
    let per_year: Vec<Option<Sets>> = years
        .iter()
        .map(|y| {
            d.completeness.iter().find(|c| c.year == *y).map(|c| {
                (
                    c.expected.iter().map(String::as_str).collect(),
                    c.reported.iter().map(String::as_str).collect(),
                )
            })
        })
        .collect();
    for u in &p.units {
        let marks: Vec<Option<Mark>> = per_year
            .iter()
            .zip(years)
            .map(|(sets, y)| {
                let (expected, reported) = sets.as_ref()?;
                let id = u.id.as_str();
                expected.contains(id).then(|| match reported.contains(id) {
                    false => Mark::Missing,
                    true if refused.contains(&(id, *y)) => Mark::WithRefusedValues,
                    true => Mark::HandedIn,
                })
            })
            .collect();
        if marks.iter().any(|m| m.is_some()) {
            rows.push((u.name.clone(), marks));
        }
    }
    rows
}
