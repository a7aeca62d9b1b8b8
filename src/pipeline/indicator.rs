//! Indicators: what each measures, in which unit, from which source, and
//! how its cells may be published.

use serde::{Deserialize, Serialize};

use super::SurveyMeasure;

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum MeasureUnit {
    Antal,
    Andel,
    Procentenheter,
}

/// Each measure unit: its id in the pipeline file, and how it is described under a chart.
const MEASURE_UNITS: [(MeasureUnit, &str, &str); 3] = [
    (MeasureUnit::Antal, "antal", "antal"),
    (MeasureUnit::Andel, "andel", "andel, procent"),
    (
        MeasureUnit::Procentenheter,
        "procentenheter",
        "procentenheter",
    ),
];

/// Percentage points after a number, never broken at the hyphen.
pub const POINTS: &str = "\u{a0}%\u{2011}enheter";

impl MeasureUnit {
    /// Every unit by its id, as the pipeline file names them.
    pub const BY_ID: [(&'static str, MeasureUnit); 3] = by_id(&MEASURE_UNITS);

    /// The id the pipeline file uses.
    pub fn id(self) -> &'static str {
        row(&MEASURE_UNITS, self).1
    }

    /// How the unit is described under a chart.
    pub fn label(self) -> &'static str {
        row(&MEASURE_UNITS, self).2
    }

    /// The id in the indicator table, whose codes are all English, as its
    /// `source` is.
    pub fn table_id(self) -> &'static str {
        match self {
            MeasureUnit::Antal => "count",
            MeasureUnit::Andel => "share",
            MeasureUnit::Procentenheter => "percentage_points",
        }
    }

    /// The decimals a value keeps in the indicator table: a share is a
    /// fraction, so four are hundredths of a percent; a gap in percentage
    /// points keeps hundredths of a point; a count is whole.
    pub fn decimals(self) -> usize {
        match self {
            MeasureUnit::Antal => 0,
            MeasureUnit::Andel => 4,
            MeasureUnit::Procentenheter => 2,
        }
    }

    /// A value as the unit shows it: "1 234", "45 %", "−12,5".
    pub fn format(self, v: f64) -> String {
        self.format_with(v, 0)
    }

    /// A value for a table: shares with one decimal.
    pub fn format_table(self, v: f64) -> String {
        self.format_with(v, 1)
    }

    /// A value for a table with its unit where the number alone does not
    /// say it: a gap's "−15,0 %-enheter".
    pub fn format_unit(self, v: f64) -> String {
        match self {
            MeasureUnit::Procentenheter => format!("{}{POINTS}", self.format_table(v)),
            _ => self.format_table(v),
        }
    }

    fn format_with(self, v: f64, share_decimals: usize) -> String {
        use crate::text::{decimal, thousands};
        match self {
            MeasureUnit::Antal => thousands(v.round() as i64),
            MeasureUnit::Andel => format!("{}\u{a0}%", decimal(v * 100.0, share_decimals)),
            MeasureUnit::Procentenheter => decimal(v, 1),
        }
    }
}

/// The row of `kind` in its table (every kind has one: the tables are whole).
fn row<T: PartialEq + Copy>(
    table: &[(T, &'static str, &'static str)],
    kind: T,
) -> (T, &'static str, &'static str) {
    table
        .iter()
        .copied()
        .find(|r| r.0 == kind)
        .unwrap_or(table[0])
}

/// A table's ids, for reading the pipeline file.
const fn by_id<T: Copy, const N: usize>(
    table: &[(T, &'static str, &'static str); N],
) -> [(&'static str, T); N] {
    let mut out = [("", table[0].0); N];
    let mut i = 0;
    while i < N {
        out[i] = (table[i].1, table[i].0);
        i += 1;
    }
    out
}

/// Why a cell of the indicator table is not published.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Reason {
    /// Fewer persons than the minimum.
    Primary,
    /// Withheld so that another withheld cell cannot be worked out.
    Complementary,
    /// The survey's variable was coarsened to the whole city for k-anonymity.
    Coarsened,
    /// A total that would lack a member (a group or a unit not reported).
    Incomplete,
}

impl Reason {
    /// Primary and complementary suppression are told apart only to analysts:
    /// published, the difference would help a reader narrow a cell down.
    pub fn protects_persons(self) -> bool {
        matches!(self, Reason::Primary | Reason::Complementary)
    }

    /// Why a value was withheld, as every published output says it. Primary
    /// and complementary suppression read the same here: see
    /// [`Reason::label_for_analysts`].
    pub fn label(self) -> &'static str {
        match self {
            Reason::Primary | Reason::Complementary => "undantaget för att skydda enskilda",
            Reason::Coarsened => "området slogs ihop för att skydda de svarande",
            Reason::Incomplete => "ofullständigt: en del saknas eller godtogs inte",
        }
    }

    /// Why a value was withheld, in the analysts' own file only.
    pub fn label_for_analysts(self) -> &'static str {
        match self {
            Reason::Primary => "primär: färre än minsta antal personer",
            Reason::Complementary => {
                "sekundär: undantaget så att ett annat undantag inte kan räknas fram"
            }
            other => other.label(),
        }
    }
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Return,
    Survey,
    Reference,
    Derived,
}

/// Each source: its id in the pipeline file and the indicator table, and
/// what tables, the workbook and `show` call it.
const SOURCES: [(Source, &str, &str); 4] = [
    (Source::Return, "return", "återrapportering"),
    (Source::Survey, "survey", "enkät"),
    (Source::Reference, "reference", "referensstatistik"),
    (Source::Derived, "derived", "beräknad ur andra indikatorer"),
];

impl Source {
    /// Every source by its id, as the pipeline file names them.
    pub const BY_ID: [(&'static str, Source); 4] = by_id(&SOURCES);

    /// The id the pipeline file and the indicator table use.
    pub fn id(self) -> &'static str {
        row(&SOURCES, self).1
    }

    /// What a source is called in tables and the workbook.
    pub fn label(self) -> &'static str {
        row(&SOURCES, self).2
    }
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Higher,
    Lower,
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Publication {
    Unit,
    City,
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct YearValue {
    pub year: i32,
    pub value: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Derivation {
    pub minuend: String,
    pub subtrahend: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Indicator {
    pub id: String,
    pub title: String,
    pub unit: MeasureUnit,
    pub source: Source,
    pub measure: String,
    pub responsible: Vec<String>,
    pub breakdowns: Vec<String>,
    /// Report every combination of the breakdowns' groups rather than each
    /// breakdown on its own.
    pub crossed: bool,
    pub direction: Direction,
    pub counts_persons: bool,
    pub publication: Publication,
    pub baseline: Option<YearValue>,
    pub targets: Vec<YearValue>,
    pub derived: Option<Derivation>,
    /// Values outside these bounds are refused (returns).
    pub bounds: Option<Bounds>,
    /// A blank value is reported as missing (a warning) when required.
    pub required: bool,
    /// For survey indicators: what is counted.
    pub survey: Option<SurveyMeasure>,
    /// How to count, in the committees' words; the template shows it beside
    /// the row.
    pub definition: Option<String>,
    /// Decimals a return may give (0: whole numbers; 1, e.g. for årsarbetare).
    pub decimals: u8,
}

impl Indicator {
    /// The target for `year`, if the pipeline sets one.
    pub fn target(&self, year: i32) -> Option<f64> {
        self.targets
            .iter()
            .find(|t| t.year == year)
            .map(|t| t.value)
    }

    /// The title up to its colon, where a shorter name reads better (a
    /// legend, a sentence): "Skillnad i andel som arbetar".
    pub fn short_title(&self) -> &str {
        self.title.split(':').next().unwrap_or(&self.title).trim()
    }
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct Bounds {
    pub min: Option<f64>,
    pub max: Option<f64>,
}
