//! The indicator table's columns, defined once: each column's name and what
//! it holds for a cell. `indicators.csv` and `indicators.parquet` are both
//! written from this list, and the tests look columns up by these names.

use polars::prelude::*;

use crate::aggregate::Cell;
use crate::pipeline::{Indicator, MeasureUnit, Pipeline, Source};

/// What one row knows: its cell, and what the pipeline file says of the
/// cell's indicator, unit and group.
pub struct Row<'a> {
    cell: &'a Cell,
    title: &'a str,
    unit: Option<MeasureUnit>,
    /// Survey weights went into the value (`n`, `numerator` and
    /// `denominator` are always unweighted counts).
    weighted: bool,
    unit_name: String,
    breakdown_label: String,
    group_label: String,
}

/// What a number column holds, which decides how it is rounded: a table
/// carries what a value means, not the float noise of computing it.
#[derive(Clone, Copy)]
enum Numbers {
    /// In the indicator's measure unit: a value, an interval bound, a
    /// standard error ([`MeasureUnit::decimals`]).
    InUnit,
    /// A count of persons or answers: a whole number.
    Whole,
    /// An effective number of respondents: one decimal.
    Tenths,
}

/// How a column gets its field from a row, by the field's type.
enum Get {
    Text(for<'r> fn(&'r Row<'r>) -> &'r str),
    Year(fn(&Row<'_>) -> i32),
    Number(fn(&Row<'_>) -> Option<f64>, Numbers),
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

/// The table's columns, in order: the design's, then what the pipeline file
/// says of each row, in words, so that the table reads without it. Codes are
/// English ids, words are Swedish.
pub const COLUMNS: [Column; 25] = [
    col("indicator_id", Get::Text(|r| &r.cell.indicator_id)),
    col("year", Get::Year(|r| r.cell.year)),
    col("unit_id", Get::Text(|r| &r.cell.unit_id)),
    col("breakdown", Get::Text(|r| &r.cell.key.breakdown)),
    col("group", Get::Text(|r| &r.cell.key.group)),
    col("value", Get::Number(|r| r.cell.value, Numbers::InUnit)),
    col(
        "numerator",
        Get::Number(|r| r.cell.numerator, Numbers::Whole),
    ),
    col(
        "denominator",
        Get::Number(|r| r.cell.denominator, Numbers::Whole),
    ),
    col("n", Get::Number(|r| r.cell.n, Numbers::Whole)),
    col("ci_low", Get::Number(|r| r.cell.ci_low, Numbers::InUnit)),
    col("ci_high", Get::Number(|r| r.cell.ci_high, Numbers::InUnit)),
    col(
        "n_effective",
        Get::Number(|r| r.cell.n_effective, Numbers::Tenths),
    ),
    col(
        "std_error",
        Get::Number(|r| r.cell.std_error, Numbers::InUnit),
    ),
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
    col(
        "measure_unit",
        Get::Text(|r| r.unit.map(MeasureUnit::table_id).unwrap_or_default()),
    ),
    col("weighted", Get::Flag(|r| r.weighted)),
    col("unit_name", Get::Text(|r| &r.unit_name)),
    col("breakdown_label", Get::Text(|r| &r.breakdown_label)),
    col("group_label", Get::Text(|r| &r.group_label)),
];

/// The column with this name, for those who read the table.
pub fn position(name: &str) -> Option<usize> {
    COLUMNS.iter().position(|c| c.name == name)
}

/// The column with this name (the workbook picks its columns by name).
pub fn column(name: &str) -> Option<&'static Column> {
    COLUMNS.iter().find(|c| c.name == name)
}

/// A row's field, typed and rounded, for a writer that shows it in its own way.
pub enum Field<'a> {
    Text(&'a str),
    Year(i32),
    Number(Option<f64>),
    Whole(Option<i64>),
    Count(Option<u32>),
    Flag(bool),
    Maybe(Option<bool>),
}

/// The rows of `cells`, each with what the pipeline says of its indicator.
pub fn rows<'a>(p: &'a Pipeline, cells: &'a [Cell]) -> Vec<Row<'a>> {
    use rayon::prelude::*;
    crate::pool::install(|| cells.par_iter().map(|c| row(p, c)).collect())
}

/// One row: a cell, and what the pipeline says of its indicator.
fn row<'a>(p: &'a Pipeline, cell: &'a Cell) -> Row<'a> {
    let ind = p.indicator(&cell.indicator_id);
    let (breakdown_label, group_label) = p.group_label(&cell.key);
    Row {
        cell,
        title: ind.map(|i| i.title.as_str()).unwrap_or_default(),
        unit: ind.map(|i| i.unit),
        weighted: ind.is_some_and(|i| from_weighted_survey(p, i, cell.year, 0)),
        unit_name: p.unit_name(&cell.unit_id),
        breakdown_label,
        group_label,
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

    /// How many decimals a number of this kind keeps in this row.
    fn decimals(&self, kind: Numbers) -> usize {
        match kind {
            Numbers::InUnit => self.unit.map_or(4, MeasureUnit::decimals),
            Numbers::Whole => 0,
            Numbers::Tenths => 1,
        }
    }

    /// A number of this kind, rounded to what it means (never −0).
    fn rounded(&self, v: Option<f64>, kind: Numbers) -> Option<f64> {
        let scale = 10f64.powi(self.decimals(kind) as i32);
        v.map(|v| (v * scale).round() / scale + 0.0)
    }
}

impl Column {
    /// The field of `r`, typed.
    pub fn field<'a>(&self, r: &'a Row<'a>) -> Field<'a> {
        match self.get {
            Get::Text(f) => Field::Text(f(r)),
            Get::Year(f) => Field::Year(f(r)),
            Get::Number(f, Numbers::Whole) => Field::Whole(whole(r.rounded(f(r), Numbers::Whole))),
            Get::Number(f, kind) => Field::Number(r.rounded(f(r), kind)),
            Get::Count(f) => Field::Count(f(r)),
            Get::Flag(f) => Field::Flag(f(r)),
            Get::Maybe(f) => Field::Maybe(f(r)),
        }
    }

    /// The field as a CSV file of `dialect` writes it, added to `out`: blank
    /// for none, text quoted where it must be. In `indicators.csv` a number
    /// in the measure unit always has a decimal point, a count too
    /// ("139.0"), so that a reader typing the column from its first rows
    /// takes it for decimals. Written in place: a country's table has 11
    /// million fields.
    pub fn push_csv(&self, r: &Row<'_>, dialect: Dialect, out: &mut String) {
        use std::fmt::Write;
        // Writing to a String cannot fail.
        let _ = match self.get {
            Get::Text(f) => {
                dialect.push_text(f(r), out);
                Ok(())
            }
            Get::Year(f) => write!(out, "{}", f(r)),
            Get::Number(f, kind) => {
                let d = match (kind, dialect) {
                    (Numbers::InUnit, Dialect::Plain) => r.decimals(kind).max(1),
                    _ => r.decimals(kind),
                };
                match r.rounded(f(r), kind) {
                    Some(x) => dialect.push_decimal(x, d, out),
                    None => Ok(()),
                }
            }
            Get::Count(f) => f(r).map_or(Ok(()), |x| write!(out, "{x}")),
            Get::Flag(f) => write!(out, "{}", f(r)),
            Get::Maybe(f) => f(r).map_or(Ok(()), |x| write!(out, "{x}")),
        };
    }

    /// The column over `rows`, typed, for Parquet.
    pub fn series(&self, rows: &[Row<'_>]) -> polars::prelude::Column {
        let name = self.name.into();
        let series = match self.get {
            Get::Text(f) => Series::new(name, rows.iter().map(f).collect::<Vec<_>>()),
            Get::Year(f) => Series::new(name, rows.iter().map(f).collect::<Vec<_>>()),
            Get::Number(f, Numbers::Whole) => {
                let v = rows.iter().map(|r| whole(r.rounded(f(r), Numbers::Whole)));
                Series::new(name, v.collect::<Vec<_>>())
            }
            Get::Number(f, kind) => {
                let v = rows.iter().map(|r| r.rounded(f(r), kind));
                Series::new(name, v.collect::<Vec<_>>())
            }
            Get::Count(f) => Series::new(name, rows.iter().map(f).collect::<Vec<_>>()),
            Get::Flag(f) => Series::new(name, rows.iter().map(f).collect::<Vec<_>>()),
            Get::Maybe(f) => Series::new(name, rows.iter().map(f).collect::<Vec<_>>()),
        };
        series.into()
    }
}

/// A whole number from a rounded float (counts fit in an i64 by far).
fn whole(v: Option<f64>) -> Option<i64> {
    v.map(|x| x as i64)
}

/// The two CSV files of the table.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// `indicators.csv`, for programs: UTF-8, commas, a decimal point, LF.
    Plain,
    /// `indikatorer-excel.csv`, for Swedish Excel: UTF-8 with a BOM (else
    /// Excel reads it as Windows-1252), semicolons, a decimal comma, CRLF.
    SwedishExcel,
}

impl Dialect {
    fn separator(self) -> char {
        match self {
            Dialect::Plain => ',',
            Dialect::SwedishExcel => ';',
        }
    }

    fn line_end(self) -> &'static str {
        match self {
            Dialect::Plain => "\n",
            Dialect::SwedishExcel => "\r\n",
        }
    }

    /// A number with `d` decimals, with this dialect's decimal mark.
    fn push_decimal(self, x: f64, d: usize, out: &mut String) -> std::fmt::Result {
        use std::fmt::Write;
        let start = out.len();
        write!(out, "{x:.d$}")?;
        if self == Dialect::SwedishExcel
            && let Some(dot) = out[start..].find('.')
        {
            out.replace_range(start + dot..start + dot + 1, ",");
        }
        Ok(())
    }

    /// A text field, quoted when it holds the separator, a quote or a line
    /// break. For Excel, text that would start a formula gets an apostrophe
    /// first, so that opening the file never runs anything.
    fn text(self, s: &str) -> String {
        let mut out = String::new();
        self.push_text(s, &mut out);
        out
    }

    /// As [`Dialect::text`], added to `out`.
    fn push_text(self, s: &str, out: &mut String) {
        let formula = self == Dialect::SwedishExcel && s.starts_with(['=', '+', '-', '@']);
        let quoted = s.contains([self.separator(), '"', '\n', '\r']);
        if quoted {
            out.push('"');
        }
        if formula {
            out.push('\'');
        }
        if quoted {
            out.push_str(&s.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(s);
        }
    }
}

/// A field of `indicators.csv` (and of the analysts' suppression file).
pub fn csv_field(s: &str) -> String {
    Dialect::Plain.text(s)
}

/// The whole table as polars holds it, one typed column per [`COLUMNS`] entry.
pub fn frame(rows: &[Row<'_>]) -> PolarsResult<DataFrame> {
    DataFrame::new(rows.len(), COLUMNS.iter().map(|c| c.series(rows)).collect())
}

/// The whole table as a CSV file of `dialect` holds it, the same columns in
/// both.
pub fn csv(rows: &[Row<'_>], dialect: Dialect) -> String {
    let sep = dialect.separator().to_string();
    let names: Vec<&str> = COLUMNS.iter().map(|c| c.name).collect();
    let mut s = match dialect {
        Dialect::Plain => String::new(),
        Dialect::SwedishExcel => "\u{feff}".into(),
    };
    s.push_str(&names.join(&sep));
    s.push_str(dialect.line_end());
    for r in rows {
        for (i, c) in COLUMNS.iter().enumerate() {
            if i > 0 {
                s.push_str(&sep);
            }
            c.push_csv(r, dialect, &mut s);
        }
        s.push_str(dialect.line_end());
    }
    s
}

#[cfg(test)]
mod tests {
    use super::Dialect;

    #[test]
    fn excel_text_never_starts_a_formula_and_is_quoted_at_its_separator() {
        let e = Dialect::SwedishExcel;
        assert_eq!(e.text("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(e.text("+46 8"), "'+46 8");
        assert_eq!(e.text("a; b"), "\"a; b\"");
        assert_eq!(e.text("a, b"), "a, b");
        assert_eq!(Dialect::Plain.text("=1"), "=1");
        assert_eq!(Dialect::Plain.text("a, b"), "\"a, b\"");
        let mut s = String::new();
        e.push_decimal(-28.714, 2, &mut s).unwrap();
        assert_eq!(s, "-28,71");
    }
}
