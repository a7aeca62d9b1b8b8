//! Aggregate: from accepted inputs to the published numbers, one [`Cell`] per
//! indicator, year, unit and group. Disclosure control comes after.

pub mod derived;
pub mod returns;
pub mod stats;
pub mod survey;

use serde::Serialize;

use crate::pipeline::{GroupKey, Source};

/// One number of the indicator table, before or after disclosure control.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Cell {
    pub indicator_id: String,
    pub year: i32,
    /// A reporting unit, or `stad` for the whole city.
    pub unit_id: String,
    #[serde(flatten)]
    pub key: GroupKey,
    pub value: Option<f64>,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    /// Persons or cases the number rests on.
    pub n: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub suppressed: bool,
    pub source: Source,
}

pub use crate::pipeline::CITY;
