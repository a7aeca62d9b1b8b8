//! The trend chart: an indicator's city series over the years, with
//! intervals, targets, incomplete years and what is withheld.

use super::text::{
    SMALL_LINE, TEXT_LINE, TITLE_LINE, flow, small_font, text_font, text_width, title_font,
    title_lines, wrap,
};
use super::{
    BLACK, BLUE, GREEN, GREY, ORANGE, PLOT_HEIGHT, PURPLE, SKY, VERMILLION, WIDTH, err, write_chart,
};
use crate::aggregate::Cell;
use crate::error::Error;
use crate::pipeline::CITY;
use crate::pipeline::{Indicator, MeasureUnit, Pipeline, Source, TOTAL};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// A year's value and interval; `None` where withheld or missing.
pub type Point = (i32, Option<f64>, Option<(f64, f64)>);

/// One line in a trend chart.
#[derive(Clone, Debug)]
pub struct Series {
    pub label: String,
    pub points: Vec<Point>,
    pub band: bool,
    /// Years whose value lacks a unit: drawn hollow, joined to no other year.
    pub incomplete: Vec<i32>,
}

/// Everything a trend chart shows.
#[derive(Clone, Debug)]
pub struct TrendSpec {
    pub title: String,
    pub subtitle: String,
    pub source: String,
    pub unit: MeasureUnit,
    pub years: Vec<i32>,
    pub series: Vec<Series>,
    pub targets: Vec<(i32, f64)>,
    /// Lines under the chart: what is withheld, and what is incomplete.
    pub notes: Vec<String>,
}

/// The city-level series of an indicator: the total, and the groups of its
/// first breakdown (for a crossed one, its first margin); for a reference
/// series, each compared municipality's total too.
pub fn trend_spec(p: &Pipeline, ind: &Indicator, cells: &[&Cell], years: &[i32]) -> TrendSpec {
    let mine: Vec<&Cell> = cells
        .iter()
        .copied()
        .filter(|c| c.indicator_id == ind.id)
        .collect();
    let find = |unit: &str, y: i32, breakdown: &str, group: &str| {
        mine.iter().copied().find(|c| {
            c.unit_id == unit && c.year == y && c.key.breakdown == breakdown && c.key.group == group
        })
    };
    let keys = series_keys(p, ind);
    let band = ind.source == Source::Survey || ind.source == Source::Derived;
    // A compared municipality the source has nothing for gets no line.
    let series: Vec<Series> = keys
        .iter()
        .enumerate()
        .filter_map(|(i, (label, unit, b, g))| {
            let found: Vec<(i32, Option<&Cell>)> =
                years.iter().map(|y| (*y, find(unit, *y, b, g))).collect();
            let none = found.iter().all(|(_, c)| c.is_none());
            (*unit == CITY || !none).then(|| series_of(label.clone(), &found, band && i == 0))
        })
        .collect();
    let shown: Vec<&Cell> = keys
        .iter()
        .filter(|(_, unit, _, _)| *unit == CITY)
        .flat_map(|(_, unit, b, g)| years.iter().filter_map(move |y| find(unit, *y, b, g)))
        .collect();
    let mut notes = withheld_notes(&shown);
    // Withheld values have their note above; published ones that lack a unit here.
    let published = shown.iter().copied().filter(|c| c.value.is_some());
    notes.extend(crate::aggregate::coverage_notes(p, published));
    let has_value = |id: &str, y: i32| crate::aggregate::city_total_has_value(cells, id, y);
    notes.extend(crate::aggregate::derived::late_start(p, ind, years, has_value).map(|n| n + "."));
    let source = p.source_long(ind.source);
    TrendSpec {
        title: format!("{} {}", ind.id, ind.title),
        subtitle: format!(
            "{}, {}{}.{}",
            crate::text::capitalize(&p.who(ind)),
            ind.unit.label(),
            if band {
                ", med 95 % konfidensintervall"
            } else {
                ""
            },
            better(&[ind])
        ),
        source: format!("Källa: {source}. {}", p.strategy.title),
        unit: ind.unit,
        years: years.to_vec(),
        series,
        targets: ind.targets.iter().map(|t| (t.year, t.value)).collect(),
        notes,
    }
}

/// Each line's label, unit, breakdown and group: the city's total, the
/// groups of the first breakdown, then (for reference statistics) each
/// compared municipality's total.
fn series_keys<'p>(p: &'p Pipeline, ind: &Indicator) -> Vec<(String, &'p str, &'p str, &'p str)> {
    let mut keys: Vec<(String, &str, &str, &str)> = vec![("Totalt".into(), CITY, TOTAL, TOTAL)];
    if let Some(b) = ind.breakdowns.first().and_then(|b| p.breakdown(b)) {
        keys.extend(
            b.groups
                .iter()
                .map(|g| (g.label.clone(), CITY, b.id.as_str(), g.id.as_str())),
        );
    }
    if ind.source == Source::Reference {
        keys.extend(p.compared().iter().map(|(id, name)| {
            (
                format!("{}, totalt", crate::text::capitalize(name)),
                id.as_str(),
                TOTAL,
                TOTAL,
            )
        }));
    }
    keys
}

/// One line from its cell per year.
fn series_of(label: String, cells: &[(i32, Option<&Cell>)], band: bool) -> Series {
    Series {
        label,
        points: cells
            .iter()
            .map(|(y, c)| {
                let v = c.and_then(|c| c.value);
                let ci = c.and_then(|c| Some((c.ci_low?, c.ci_high?)));
                (*y, v, ci)
            })
            .collect(),
        band,
        incomplete: cells
            .iter()
            .filter(|(_, c)| c.is_some_and(|c| c.value.is_some() && !c.complete()))
            .map(|(y, _)| *y)
            .collect(),
    }
}

/// Which way is better, when all the series agree.
pub fn better(inds: &[&Indicator]) -> &'static str {
    use crate::pipeline::Direction;
    if inds.iter().all(|i| i.direction == Direction::Higher) {
        " Högre är bättre."
    } else if inds.iter().all(|i| i.direction == Direction::Lower) {
        " Lägre är bättre."
    } else {
        ""
    }
}

/// "Ej redovisat 2019: …", one line per reason, in the published words.
fn withheld_notes(cells: &[&Cell]) -> Vec<String> {
    let mut by_reason: std::collections::BTreeMap<&str, std::collections::BTreeSet<i32>> =
        Default::default();
    for c in cells {
        if let Some(r) = c.withheld {
            by_reason.entry(r.label()).or_default().insert(c.year);
        }
    }
    by_reason
        .into_iter()
        .map(|(why, years)| {
            let years: Vec<String> = years.iter().map(|y| y.to_string()).collect();
            format!("Ej redovisat {}: {why}.", years.join(", "))
        })
        .collect()
}

const STYLES: [(RGBColor, u8); 5] = [(BLACK, 0), (ORANGE, 1), (BLUE, 2), (GREEN, 3), (PURPLE, 2)];

fn draw_marker<DB: DrawingBackend>(
    chart: &mut ChartContext<
        '_,
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    kind: u8,
    color: RGBColor,
    pts: Vec<(f64, f64)>,
    hollow: bool,
) -> Result<(), Error> {
    // A hollow marker: white inside, the series' colour around.
    let style = if hollow {
        chart
            .draw_series(pts.iter().map(|p| Circle::new(*p, 5, WHITE.filled())))
            .map_err(err)?;
        color.stroke_width(2)
    } else {
        color.filled()
    };
    match kind {
        0 => chart
            .draw_series(pts.into_iter().map(|p| Circle::new(p, 5, style)))
            .map_err(err)?,
        1 => chart
            .draw_series(pts.into_iter().map(|p| TriangleMarker::new(p, 7, style)))
            .map_err(err)?,
        2 => chart
            .draw_series(
                pts.into_iter()
                    .map(|p| EmptyElement::at(p) + Rectangle::new([(-5, -5), (5, 5)], style)),
            )
            .map_err(err)?,
        _ => chart
            .draw_series(
                pts.into_iter()
                    .map(|p| Cross::new(p, 5, color.stroke_width(2))),
            )
            .map_err(err)?,
    };
    Ok(())
}

/// The plot's coordinates: years across, values up.
type Plot<'a, DB> = ChartContext<
    'a,
    DB,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// A trend chart's text, wrapped to its width, and so its height.
struct Layout {
    title: Vec<String>,
    subtitle: Vec<String>,
    legend: Vec<Vec<Item>>,
    notes: Vec<String>,
}

/// One entry in the legend.
enum Item {
    Series(usize, String),
    Target,
    Incomplete,
    Band(String),
}

impl Item {
    fn text(&self) -> &str {
        match self {
            Item::Series(_, t) | Item::Band(t) => t,
            Item::Target => "Mål",
            Item::Incomplete => "Ofullständigt",
        }
    }

    /// The symbol, the text and the space after it.
    fn width(&self) -> i32 {
        30 + text_width(self.text(), &text_font()) as i32 + 24
    }
}

impl Layout {
    fn of(spec: &TrendSpec) -> Layout {
        let inner = WIDTH - 40;
        let notes = spec
            .notes
            .iter()
            .chain(std::iter::once(&spec.source))
            .flat_map(|n| wrap(n, &small_font(), inner))
            .collect();
        Layout {
            title: title_lines(&spec.title, WIDTH),
            subtitle: wrap(&spec.subtitle, &text_font(), inner),
            legend: flow(legend_items(spec), inner as i32, Item::width),
            notes,
        }
    }

    fn top(&self) -> u32 {
        (12 + TITLE_LINE * self.title.len() as i32 + TEXT_LINE * self.subtitle.len() as i32 + 12)
            as u32
    }

    fn footer(&self) -> u32 {
        (10 + TEXT_LINE * self.legend.len() as i32 + 6 + SMALL_LINE * self.notes.len() as i32 + 8)
            as u32
    }
}

/// A trend chart's size: the width, and as tall as its text needs.
pub fn trend_size(spec: &TrendSpec) -> (u32, u32) {
    let l = Layout::of(spec);
    (WIDTH, l.top() + PLOT_HEIGHT + l.footer())
}

/// Draws a trend chart on any plotters backend: the title, the plot, and
/// below it the legend and the source.
pub fn draw_trend<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    spec: &TrendSpec,
) -> Result<(), Error> {
    root.fill(&WHITE).map_err(err)?;
    let layout = Layout::of(spec);
    draw_titles(&root, &layout)?;
    let (_, rest) = root.split_vertically(layout.top());
    let (plot, footer) = rest.split_vertically(PLOT_HEIGHT);
    draw_plot(&plot, spec)?;
    let notes_at = draw_legend(&footer, &layout)?;
    draw_note(&footer, &layout, notes_at)?;
    root.present().map_err(err)?;
    Ok(())
}

/// The title and the subtitle, wrapped.
fn draw_titles<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    layout: &Layout,
) -> Result<(), Error> {
    let mut y = 12;
    for line in &layout.title {
        root.draw(&Text::new(
            line.clone(),
            (20, y),
            title_font().color(&BLACK),
        ))
        .map_err(err)?;
        y += TITLE_LINE;
    }
    for line in &layout.subtitle {
        root.draw(&Text::new(
            line.clone(),
            (20, y + 2),
            text_font().color(&GREY),
        ))
        .map_err(err)?;
        y += TEXT_LINE;
    }
    Ok(())
}

/// The value axis: from 0 for counts and shares (shares at most 100 %),
/// around 0 for percentage points, with room above the highest value.
fn value_range(spec: &TrendSpec) -> (f64, f64) {
    let values: Vec<f64> = spec
        .series
        .iter()
        .flat_map(|s| {
            s.points
                .iter()
                .flat_map(|(_, v, ci)| v.iter().copied().chain(ci.iter().flat_map(|c| [c.0, c.1])))
        })
        .chain(spec.targets.iter().map(|t| t.1))
        .collect();
    let max = values.iter().cloned().fold(f64::MIN, f64::max);
    let min = values.iter().cloned().fold(f64::MAX, f64::min);
    match spec.unit {
        // Counts end on a whole number, so that the ticks can be whole too.
        MeasureUnit::Antal => (0.0, if max > 0.0 { (max * 1.15).ceil() } else { 10.0 }),
        MeasureUnit::Andel => (
            0.0,
            if max > 0.0 {
                (max * 1.15).clamp(0.1, 1.0)
            } else {
                1.0
            },
        ),
        MeasureUnit::Procentenheter => {
            let lo = if min < 0.0 { min * 1.2 } else { -1.0 };
            let hi = if max > 0.0 { max * 1.2 } else { 1.0 };
            (lo, hi)
        }
    }
}

/// The axes, the series with their bands and markers, and the targets.
fn draw_plot<DB: DrawingBackend>(
    plot: &DrawingArea<DB, Shift>,
    spec: &TrendSpec,
) -> Result<(), Error> {
    let (y0, y1) = value_range(spec);
    // Values are bounded where they are read; should one still be extreme,
    // the axis falls back to 0–1 rather than ask plotters for endless ticks.
    let (y0, y1) = if (y1 - y0).is_finite() && y1 > y0 {
        (y0, y1)
    } else {
        (0.0, 1.0)
    };
    // A chart always has its strategy's years; an empty spec gets one year's axis.
    let first = spec.years.first().copied().unwrap_or_default();
    let last = spec.years.last().copied().unwrap_or(first);
    let (x0, x1) = (first as f64 - 0.4, last as f64 + 0.4);
    let unit = spec.unit;
    // A small count gets a tick per whole number; a label between two whole
    // numbers is left blank rather than rounded to a neighbour's.
    let y_ticks = match unit {
        MeasureUnit::Antal if y1 <= 10.0 => y1 as usize + 1,
        _ => 10,
    };
    let label = move |v: &f64| match unit {
        MeasureUnit::Antal if (v - v.round()).abs() > 1e-9 => String::new(),
        _ => unit.format(*v),
    };
    let mut chart = ChartBuilder::on(plot)
        .margin_left(20)
        .margin_right(30)
        .margin_top(5)
        .x_label_area_size(36)
        .y_label_area_size(76)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(spec.years.len())
        .x_label_formatter(&|x| format!("{}", x.round() as i64))
        .y_labels(y_ticks)
        .y_label_formatter(&label)
        .label_style(text_font().color(&BLACK))
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(210, 210, 210))
        .draw()
        .map_err(err)?;
    if unit == MeasureUnit::Procentenheter {
        chart
            .draw_series(LineSeries::new(
                vec![(x0, 0.0), (x1, 0.0)],
                GREY.stroke_width(1),
            ))
            .map_err(err)?;
    }
    for (i, s) in spec.series.iter().enumerate() {
        draw_series(&mut chart, i, s)?;
    }
    draw_targets(&mut chart, &spec.targets)
}

/// One series: its interval as a band, and its line (solid for the total,
/// dashed for groups), broken where a year is withheld or missing.
fn draw_series<DB: DrawingBackend>(
    chart: &mut Plot<'_, DB>,
    i: usize,
    s: &Series,
) -> Result<(), Error> {
    let (color, marker) = STYLES[i % STYLES.len()];
    if s.band {
        // The interval as a band, one polygon per unbroken stretch of years.
        for run in runs(
            &s.points
                .iter()
                .map(|(y, _, ci)| (*y, *ci))
                .collect::<Vec<_>>(),
        ) {
            let mut poly: Vec<(f64, f64)> = run.iter().map(|(y, c)| (*y as f64, c.0)).collect();
            poly.extend(run.iter().rev().map(|(y, c)| (*y as f64, c.1)));
            chart
                .draw_series(std::iter::once(Polygon::new(poly, SKY.mix(0.25).filled())))
                .map_err(err)?;
        }
    }
    // Lines break where a year is withheld, missing or incomplete: a sum
    // that lacks a unit is drawn as a hollow marker on its own.
    let points: Vec<(i32, Option<f64>)> = s.points.iter().map(|(y, v, _)| (*y, *v)).collect();
    let width = if i == 0 { 3 } else { 2 };
    let style = color.stroke_width(width);
    for run in runs(&points) {
        let line: Vec<(f64, f64)> = run.iter().map(|(y, v)| (*y as f64, *v)).collect();
        let incomplete = |y: i32| s.incomplete.contains(&y);
        for (a, b) in run.iter().zip(run.iter().skip(1)) {
            let seg = vec![(a.0 as f64, a.1), (b.0 as f64, b.1)];
            // An incomplete year is no point on the trend: no line to or from it.
            if incomplete(a.0) || incomplete(b.0) {
                continue;
            }
            let drawn = if i == 0 {
                chart.draw_series(LineSeries::new(seg, style))
            } else {
                chart.draw_series(DashedLineSeries::new(seg, 8, 5, style))
            };
            drawn.map_err(err)?;
        }
        type Points = Vec<(f64, f64)>;
        let (open, filled): (Points, Points) =
            line.into_iter().partition(|(y, _)| incomplete(*y as i32));
        draw_marker(chart, marker, color, filled, false)?;
        draw_marker(chart, marker, color, open, true)?;
    }
    Ok(())
}

/// Targets as open diamonds.
fn draw_targets<DB: DrawingBackend>(
    chart: &mut Plot<'_, DB>,
    targets: &[(i32, f64)],
) -> Result<(), Error> {
    if targets.is_empty() {
        return Ok(());
    }
    let pts: Vec<(f64, f64)> = targets.iter().map(|(y, v)| (*y as f64, *v)).collect();
    chart
        .draw_series(pts.iter().map(|p| {
            EmptyElement::at(*p)
                + Polygon::new(
                    vec![(0, -11), (11, 0), (0, 11), (-11, 0)],
                    VERMILLION.mix(0.0).stroke_width(2),
                )
        }))
        .map_err(err)?;
    chart
        .draw_series(pts.iter().map(|p| {
            EmptyElement::at(*p)
                + PathElement::new(
                    vec![(0, -11), (11, 0), (0, 11), (-11, 0), (0, -11)],
                    VERMILLION.stroke_width(3),
                )
        }))
        .map_err(err)?;
    Ok(())
}

/// The legend's entries: each series, the target, the hollow marker, and
/// whose band it is.
fn legend_items(spec: &TrendSpec) -> Vec<Item> {
    let mut items: Vec<Item> = spec
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| Item::Series(i, s.label.clone()))
        .collect();
    if !spec.targets.is_empty() {
        items.push(Item::Target);
    }
    if spec.series.iter().any(|s| !s.incomplete.is_empty()) {
        items.push(Item::Incomplete);
    }
    let banded: Vec<&str> = spec
        .series
        .iter()
        .filter(|s| s.band)
        .map(|s| s.label.as_str())
        .collect();
    if !banded.is_empty() {
        // Whose band it is, when other lines run over it without one.
        items.push(Item::Band(if banded.len() < spec.series.len() {
            format!(
                "95 % konfidensintervall, {}",
                banded.join(", ").to_lowercase()
            )
        } else {
            "95 % konfidensintervall".to_string()
        }));
    }
    items
}

/// The legend, drawn by hand below the plot so it never hides a line;
/// returns where the notes start.
fn draw_legend<DB: DrawingBackend>(
    footer: &DrawingArea<DB, Shift>,
    layout: &Layout,
) -> Result<i32, Error> {
    let mut y = 10;
    for row in &layout.legend {
        let mut x = 20;
        for item in row {
            legend_symbol(footer, item, (x, y))?;
            legend_text(footer, item.text(), (x + 30, y))?;
            x += item.width();
        }
        y += TEXT_LINE;
    }
    Ok(y + 6)
}

/// An entry's symbol, as the plot draws it, left of its text at `at`.
fn legend_symbol<DB: DrawingBackend>(
    footer: &DrawingArea<DB, Shift>,
    item: &Item,
    at: (i32, i32),
) -> Result<(), Error> {
    let (x, y) = (at.0, at.1 + 2);
    match item {
        Item::Series(i, _) => {
            let (color, marker) = STYLES[i % STYLES.len()];
            legend_marker(footer, marker, color, (x + 11, y + 9))
        }
        Item::Target => footer
            .draw(&PathElement::new(
                vec![
                    (x + 11, y),
                    (x + 20, y + 9),
                    (x + 11, y + 18),
                    (x + 2, y + 9),
                    (x + 11, y),
                ],
                VERMILLION.stroke_width(2),
            ))
            .map_err(err),
        Item::Incomplete => footer
            .draw(&Circle::new((x + 11, y + 9), 6, BLACK.stroke_width(2)))
            .map_err(err),
        Item::Band(_) => footer
            .draw(&Rectangle::new(
                [(x + 2, y + 1), (x + 22, y + 17)],
                SKY.mix(0.35).filled(),
            ))
            .map_err(err),
    }
}

/// A series' marker in the legend, as the plot draws it.
fn legend_marker<DB: DrawingBackend>(
    footer: &DrawingArea<DB, Shift>,
    marker: u8,
    color: RGBColor,
    at: (i32, i32),
) -> Result<(), Error> {
    match marker {
        0 => footer.draw(&Circle::new(at, 5, color.filled())),
        1 => footer.draw(&TriangleMarker::new(at, 7, color.filled())),
        2 => footer.draw(&Rectangle::new(
            [(at.0 - 5, at.1 - 5), (at.0 + 5, at.1 + 5)],
            color.filled(),
        )),
        _ => footer.draw(&Cross::new(at, 5, color.stroke_width(2))),
    }
    .map_err(err)
}

fn legend_text<DB: DrawingBackend>(
    footer: &DrawingArea<DB, Shift>,
    text: &str,
    at: (i32, i32),
) -> Result<(), Error> {
    footer
        .draw(&Text::new(text.to_string(), at, text_font().color(&BLACK)))
        .map_err(err)
}

/// What is withheld or incomplete, then the source, wrapped.
fn draw_note<DB: DrawingBackend>(
    footer: &DrawingArea<DB, Shift>,
    layout: &Layout,
    top: i32,
) -> Result<(), Error> {
    for (i, line) in layout.notes.iter().enumerate() {
        footer
            .draw(&Text::new(
                line.clone(),
                (20, top + SMALL_LINE * i as i32),
                small_font().color(&GREY),
            ))
            .map_err(err)?;
    }
    Ok(())
}

/// Unbroken stretches of present values.
fn runs<T: Copy>(points: &[(i32, Option<T>)]) -> Vec<Vec<(i32, T)>> {
    let mut out: Vec<Vec<(i32, T)>> = Vec::new();
    let mut cur = Vec::new();
    for (y, v) in points {
        match v {
            Some(v) => cur.push((*y, *v)),
            None => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Draws `spec` to `<dir>/<name>.svg` and `.png`; returns the SVG text.
pub fn write_trend(spec: &TrendSpec, dir: &Path, name: &str) -> Result<String, Error> {
    write_chart(dir, name, trend_size(spec), |a| draw_trend(a, spec))
}
