//! Aggregate: from accepted inputs to the published numbers, one [`Cell`] per
//! indicator, year, unit and group. Disclosure control comes after.

pub mod derived;
pub mod returns;
pub mod stats;
pub mod survey;

use serde::{Deserialize, Serialize};

use crate::pipeline::{GroupKey, Reason, Source};

/// One number of the indicator table, before or after disclosure control.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
    /// Kish's effective sample size behind a survey share (n when unweighted;
    /// a gap carries its survey share's).
    #[serde(default)]
    pub n_effective: Option<f64>,
    /// The value's standard error, in its own unit: what a change between
    /// two years is judged on. None for counts and register statistics,
    /// which are taken as known.
    #[serde(default)]
    pub std_error: Option<f64>,
    /// Whether the change from the year before is larger than its margin
    /// of error at 95 %; None where there is nothing to judge.
    #[serde(default)]
    pub change_significant: Option<bool>,
    /// Why the number is not published; `None` when it is. The one record
    /// of it: every output asks the cell.
    #[serde(skip)]
    pub withheld: Option<Reason>,
    /// For a sum over units: how many should be in it and which are not.
    #[serde(skip)]
    pub coverage: Option<Coverage>,
    pub source: Source,
}

/// Which units a sum over units holds: a total never silently lacks a member.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    pub expected: usize,
    /// The expected units whose value is not in the sum, in the pipeline's order.
    pub missing: Vec<String>,
    /// Those of `missing` that handed in a return for the year, whose value
    /// here was not accepted: handed in, but not in the sum.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<String>,
}

/// "2019: 13 av 14 enheter ingår i summan (saknas: …)", once per year, for
/// the cells that lack a unit: what charts and tables say under them, so that
/// no one reads a missing unit as a change.
pub fn coverage_notes<'a>(
    p: &crate::pipeline::Pipeline,
    cells: impl IntoIterator<Item = &'a Cell>,
) -> Vec<String> {
    let mut notes: std::collections::BTreeMap<i32, String> = Default::default();
    for c in cells.into_iter().filter(|c| !c.complete()) {
        if let Some(cov) = &c.coverage {
            notes
                .entry(c.year)
                .or_insert_with(|| cov.describe(p, c.year));
        }
    }
    notes.into_values().collect()
}

/// Marks each cell with an error whether it changed beyond its margin from
/// the same cell the year before; run after disclosure, so that a withheld
/// year is never compared.
pub fn mark_changes(cells: &mut [Cell]) {
    use std::collections::HashMap;
    let before: HashMap<(&str, i32, &str, &GroupKey), (f64, f64)> = cells
        .iter()
        .filter_map(|c| {
            let key = (c.indicator_id.as_str(), c.year, c.unit_id.as_str(), &c.key);
            Some((key, (c.value?, c.std_error?)))
        })
        .collect();
    let marks: Vec<Option<bool>> = cells
        .iter()
        .map(|c| {
            let (now, se) = (c.value?, c.std_error?);
            let key = (
                c.indicator_id.as_str(),
                c.year - 1,
                c.unit_id.as_str(),
                &c.key,
            );
            let (then, se_then) = *before.get(&key)?;
            Some(stats::differs(now, se, then, se_then))
        })
        .collect();
    for (c, m) in cells.iter_mut().zip(marks) {
        c.change_significant = m;
    }
}

/// Whether an indicator's city total has a value in a year, among `cells`.
pub fn city_total_has_value(cells: &[&Cell], id: &str, year: i32) -> bool {
    cells.iter().any(|c| {
        c.indicator_id == id
            && c.year == year
            && c.unit_id == crate::pipeline::CITY
            && c.key.is_total()
            && c.value.is_some()
    })
}

impl Coverage {
    /// How much of a city value came in: "2019: 14 av 15 enheter ingår i
    /// summan (saknas: Skärholmens stadsdelsnämnd)". Not "har rapporterat": a
    /// unit that handed in a refused or blank value is missing from the sum
    /// too. Up to three missing units are named; more are counted.
    pub fn describe(&self, p: &crate::pipeline::Pipeline, year: i32) -> String {
        let cov = self;
        let names = |units: &[&String]| {
            if units.len() <= 3 {
                let names: Vec<String> = units.iter().map(|u| p.unit_name(u)).collect();
                names.join(", ")
            } else {
                format!("{} enheter", units.len())
            }
        };
        let (refused, absent): (Vec<&String>, Vec<&String>) =
            cov.missing.iter().partition(|u| cov.refused.contains(u));
        let mut why = Vec::new();
        if !absent.is_empty() {
            why.push(format!("saknas: {}", names(&absent)));
        }
        if !refused.is_empty() {
            why.push(format!("inlämnad utan godtaget värde: {}", names(&refused)));
        }
        let enheter = if cov.expected == 1 {
            "enhet"
        } else {
            "enheter"
        };
        format!(
            "{year}: {} av {} {enheter} ingår i summan ({})",
            cov.reported(),
            cov.expected,
            why.join("; ")
        )
    }
    pub fn reported(&self) -> usize {
        self.expected - self.missing.len()
    }
}

impl Cell {
    /// A cell with no numbers yet; the caller sets those it has.
    pub fn empty(
        indicator_id: &str,
        year: i32,
        unit_id: &str,
        key: GroupKey,
        source: Source,
    ) -> Cell {
        Cell {
            indicator_id: indicator_id.to_string(),
            year,
            unit_id: unit_id.to_string(),
            key,
            value: None,
            numerator: None,
            denominator: None,
            n: None,
            ci_low: None,
            ci_high: None,
            n_effective: None,
            std_error: None,
            change_significant: None,
            withheld: None,
            coverage: None,
            source,
        }
    }

    /// Where the cell sits in its table, for messages: `unit/breakdown=group`.
    pub fn place(&self) -> String {
        format!("{}/{}={}", self.unit_id, self.key.breakdown, self.key.group)
    }

    pub fn is_withheld(&self) -> bool {
        self.withheld.is_some()
    }

    /// Whether the number holds every member it should: withheld incomplete
    /// totals and city sums lacking a unit are not.
    pub fn complete(&self) -> bool {
        self.withheld != Some(Reason::Incomplete)
            && self.coverage.as_ref().is_none_or(|c| c.missing.is_empty())
    }

    /// Withholds the cell: it keeps its row and loses its numbers.
    pub fn withhold(&mut self, why: Reason) {
        self.withheld = Some(why);
        self.value = None;
        self.numerator = None;
        self.denominator = None;
        self.n = None;
        self.ci_low = None;
        self.ci_high = None;
        self.n_effective = None;
        self.std_error = None;
        self.change_significant = None;
    }
}
