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

impl MeasureUnit {
    /// The id the pipeline file and the indicator table use.
    pub fn id(self) -> &'static str {
        match self {
            MeasureUnit::Antal => "antal",
            MeasureUnit::Andel => "andel",
            MeasureUnit::Procentenheter => "procentenheter",
        }
    }
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
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Return,
    Survey,
    Reference,
    Derived,
}

impl Source {
    /// The id the pipeline file and the indicator table use.
    pub fn id(self) -> &'static str {
        match self {
            Source::Return => "return",
            Source::Survey => "survey",
            Source::Reference => "reference",
            Source::Derived => "derived",
        }
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
