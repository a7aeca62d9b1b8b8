//! The indicator table's columns, defined once: each column's name and what
//! it holds for a cell. `indicators.csv` and `indicators.parquet` are both
//! written from this list, and the tests look columns up by these names.

use polars::prelude::*;

use crate::aggregate::Cell;
use crate::pipeline::{Indicator, Pipeline, Source};

/// What one row knows: its cell, and what the pipeline file says of the
/// cell's indicator.
pub struct Row<'a> {
    cell: &'a Cell,
    title: &'a str,
    measure_unit: &'static str,
    /// Survey weights went into the value (`n`, `numerator` and
    /// `denominator` are always unweighted counts).
    weighted: bool,
}

/// How a column gets its field from a row, by the field's type.
enum Get {
    Text(for<'r> fn(&'r Row<'r>) -> &'r str),
    Year(fn(&Row<'_>) -> i32),
    Number(fn(&Row<'_>) -> Option<f64>),
    Count(fn(&Row<'_>) -> Option<u32>),
    Flag(fn(&Row<'_>) -> bool),
    /// A yes or no that may not apply (blank in CSV, null in Parquet).
    Maybe(fn(&Row<'_>) -> Option<bool>),
}

/// A column: its name, and its field in a row.
pub struct Column {
    pub name: &'static str,
    get: Get,
}

const fn col(name: &'static str, get: Get) -> Column {
    Column { name, get }
}

/// The table's columns, in order, as the design fixes them.
pub const COLUMNS: [Column; 22] = [
    col("indicator_id", Get::Text(|r| &r.cell.indicator_id)),
    col("year", Get::Year(|r| r.cell.year)),
    col("unit_id", Get::Text(|r| &r.cell.unit_id)),
    col("breakdown", Get::Text(|r| &r.cell.key.breakdown)),
    col("group", Get::Text(|r| &r.cell.key.group)),
    col("value", Get::Number(|r| r.cell.value)),
    col("numerator", Get::Number(|r| r.cell.numerator)),
    col("denominator", Get::Number(|r| r.cell.denominator)),
    col("n", Get::Number(|r| r.cell.n)),
    col("ci_low", Get::Number(|r| r.cell.ci_low)),
    col("ci_high", Get::Number(|r| r.cell.ci_high)),
    col("n_effective", Get::Number(|r| r.cell.n_effective)),
    col("std_error", Get::Number(|r| r.cell.std_error)),
    col(
        "change_significant",
        Get::Maybe(|r| r.cell.change_significant),
    ),
    col("suppressed", Get::Flag(|r| r.cell.is_withheld())),
    col("source", Get::Text(|r| r.cell.source.id())),
    col(
        "units_expected",
        Get::Count(|r| r.cell.coverage.as_ref().map(|v| v.expected as u32)),
    ),
    col(
        "units_reported",
        Get::Count(|r| r.cell.coverage.as_ref().map(|v| v.reported() as u32)),
    ),
    col("complete", Get::Flag(|r| r.cell.complete())),
    col("title", Get::Text(|r| r.title)),
    col("measure_unit", Get::Text(|r| r.measure_unit)),
    col("weighted", Get::Flag(|r| r.weighted)),
];

/// The column with this name, for those who read the table.
pub fn position(name: &str) -> Option<usize> {
    COLUMNS.iter().position(|c| c.name == name)
}

/// The column with this name (the workbook picks its columns by name).
pub fn column(name: &str) -> Option<&'static Column> {
    COLUMNS.iter().find(|c| c.name == name)
}

/// A row's field, typed, for a writer that shows it in its own way.
pub enum Field<'a> {
    Text(&'a str),
    Year(i32),
    Number(Option<f64>),
    Count(Option<u32>),
    Flag(bool),
    Maybe(Option<bool>),
}

/// The rows of `cells`, each with what the pipeline says of its indicator.
pub fn rows<'a>(p: &'a Pipeline, cells: &'a [Cell]) -> Vec<Row<'a>> {
    cells.iter().map(|c| row(p, c)).collect()
}

/// One row: a cell, and what the pipeline says of its indicator.
pub fn row<'a>(p: &'a Pipeline, cell: &'a Cell) -> Row<'a> {
    let Some(ind) = p.indicator(&cell.indicator_id) else {
        return Row {
            cell,
            title: "",
            measure_unit: "",
            weighted: false,
        };
    };
    Row {
        cell,
        title: &ind.title,
        measure_unit: ind.unit.id(),
        weighted: from_weighted_survey(p, ind, cell.year, 0),
    }
}

/// An indicator from the year's survey when its codebook has weights,
/// directly or through a derivation.
fn from_weighted_survey(p: &Pipeline, ind: &Indicator, year: i32, depth: u8) -> bool {
    let weighted = p.survey.as_ref().is_some_and(|s| {
        s.files
            .iter()
            .filter(|f| f.year == year)
            .any(|f| s.codebook(&f.codebook).is_some_and(|c| c.weight.is_some()))
    });
    match (&ind.derived, ind.source) {
        _ if !weighted || depth > 8 => false,
        (_, Source::Survey) => true,
        (Some(d), Source::Derived) => [&d.minuend, &d.subtrahend]
            .into_iter()
            .filter_map(|id| p.indicator(id))
            .any(|i| from_weighted_survey(p, i, year, depth + 1)),
        _ => false,
    }
}

impl Row<'_> {
    /// The cell the row is of.
    pub fn cell(&self) -> &Cell {
        self.cell
    }
}

impl Column {
    /// The field of `r`, typed.
    pub fn field<'a>(&self, r: &'a Row<'a>) -> Field<'a> {
        match self.get {
            Get::Text(f) => Field::Text(f(r)),
            Get::Year(f) => Field::Year(f(r)),
            Get::Number(f) => Field::Number(f(r)),
            Get::Count(f) => Field::Count(f(r)),
            Get::Flag(f) => Field::Flag(f(r)),
            Get::Maybe(f) => Field::Maybe(f(r)),
        }
    }

    /// The field as CSV writes it: a dot for decimals, blank for none,
    /// text quoted where it must be.
    pub fn csv(&self, r: &Row<'_>) -> String {
        match self.get {
            Get::Text(f) => csv_field(f(r)),
            Get::Year(f) => f(r).to_string(),
            Get::Number(f) => f(r).map(|x| format!("{x}")).unwrap_or_default(),
            Get::Count(f) => f(r).map(|x| x.to_string()).unwrap_or_default(),
            Get::Flag(f) => f(r).to_string(),
            Get::Maybe(f) => f(r).map(|x| x.to_string()).unwrap_or_default(),
        }
    }

    /// The column over `rows`, typed, for Parquet.
    pub fn series(&self, rows: &[Row<'_>]) -> polars::prelude::Column {
        let name = self.name.into();
        let series = match self.get {
            Get::Text(f) => Series::new(name, rows.iter().map(f).collect::<Vec<_>>()),
            Get::Year(f) => Series::new(name, rows.iter().map(f).collect::<Vec<_>>()),
            Get::Number(f) => Series::new(name, rows.iter().map(f).collect::<Vec<_>>()),
            Get::Count(f) => Series::new(name, rows.iter().map(f).collect::<Vec<_>>()),
            Get::Flag(f) => Series::new(name, rows.iter().map(f).collect::<Vec<_>>()),
            Get::Maybe(f) => Series::new(name, rows.iter().map(f).collect::<Vec<_>>()),
        };
        series.into()
    }
}

/// A CSV field, quoted when it holds a comma, a quote or a line break.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The whole table as polars holds it, one typed column per [`COLUMNS`] entry.
pub fn frame(p: &Pipeline, cells: &[Cell]) -> PolarsResult<DataFrame> {
    let rows = rows(p, cells);
    DataFrame::new(
        cells.len(),
        COLUMNS.iter().map(|c| c.series(&rows)).collect(),
    )
}

/// The whole table as `indicators.csv` holds it: UTF-8, comma-separated.
pub fn csv(p: &Pipeline, cells: &[Cell]) -> String {
    let names: Vec<&str> = COLUMNS.iter().map(|c| c.name).collect();
    let mut s = names.join(",") + "\n";
    for r in rows(p, cells) {
        let fields: Vec<String> = COLUMNS.iter().map(|c| c.csv(&r)).collect();
        s.push_str(&fields.join(","));
        s.push('\n');
    }
    s
}
