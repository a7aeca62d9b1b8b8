//! The layout of a committee's return workbook: which rows a unit fills in for
//! a year, and where. The template writes it and ingestion reads it back, so
//! both take it from here.

use crate::pipeline::{
    Assessment, GroupKey, Indicator, Measure, MeasureUnit, Pipeline, Source, Status, Unit,
};

pub const SHEET_INSTRUCTIONS: &str = "Instruktioner";
pub const SHEET_INDICATORS: &str = "Indikatorer";
pub const SHEET_ACTIVITIES: &str = "Aktiviteter";
/// The hidden sheet that says what the workbook is: pipeline, version, unit, year.
pub const SHEET_META: &str = "_uppfolj";

/// 0-based index of the header row and the first data row on both data sheets.
pub const HEADER_ROW: u32 = 2;
pub const FIRST_ROW: u32 = 3;

// Columns of "Indikatorer" (0-based).
pub const COL_ID: u16 = 0;
pub const COL_TITLE: u16 = 1;
pub const COL_GROUP: u16 = 2;
pub const COL_VALUE: u16 = 3;
pub const COL_DENOMINATOR: u16 = 4;
pub const COL_COMMENT: u16 = 5;
/// Read-only help beside the row: the unit of measure, last year's accepted
/// value and how to count. Ingestion does not read them.
pub const COL_MEASURE_UNIT: u16 = 6;
pub const COL_PREVIOUS: u16 = 7;
pub const COL_DEFINITION: u16 = 8;

// Columns of "Aktiviteter" (0-based).
pub const ACT_COL_ID: u16 = 0;
pub const ACT_COL_TEXT: u16 = 1;
pub const ACT_COL_STATUS: u16 = 2;
pub const ACT_COL_ASSESSMENT: u16 = 3;
pub const ACT_COL_DESCRIPTION: u16 = 4;

/// The template's lists.
pub const STATUSES: [&str; 3] = [
    Status::NotStarted.label(),
    Status::Started.label(),
    Status::Done.label(),
];
pub const ASSESSMENTS: [&str; 3] = [
    Assessment::Met.label(),
    Assessment::PartlyMet.label(),
    Assessment::NotMet.label(),
];

/// Meta keys on the hidden sheet, in rows 1–4 (column A key, column B value).
pub const META_KEYS: [&str; 4] = ["pipeline_id", "template_version", "unit_id", "year"];
/// 0-based row where the hidden sheet's row map starts (after a header row).
pub const META_MAP_ROW: u32 = 6;

/// One row to fill in on "Indikatorer".
#[derive(Clone, Debug)]
pub struct IndicatorRow<'p> {
    pub indicator: &'p Indicator,
    pub key: GroupKey,
    /// What the committee sees, e.g. "Kvinna, 16–29 år" or "Totalt".
    pub label: String,
}

impl IndicatorRow<'_> {
    pub fn is_share(&self) -> bool {
        self.indicator.unit == MeasureUnit::Andel
    }
}

/// Everything one unit reports for one year.
#[derive(Clone, Debug)]
pub struct Layout<'p> {
    pub unit: &'p Unit,
    pub year: i32,
    pub indicators: Vec<IndicatorRow<'p>>,
    pub measures: Vec<&'p Measure>,
}

impl Layout<'_> {
    pub fn is_empty(&self) -> bool {
        self.indicators.is_empty() && self.measures.is_empty()
    }
}

/// The rows `unit` fills in for `year`: the return indicators and measures it
/// is responsible for that year.
pub fn layout<'p>(p: &'p Pipeline, unit: &'p Unit, year: i32) -> Layout<'p> {
    let responsible = |refs: &[String]| p.is_responsible(refs, unit, year);
    let mut indicators = Vec::new();
    for ind in p
        .indicators
        .iter()
        .filter(|i| i.source == Source::Return && responsible(&i.responsible))
    {
        indicators.extend(rows_for(p, ind));
    }
    let measures = p
        .measures
        .iter()
        .filter(|m| responsible(&m.responsible))
        .collect();
    Layout {
        unit,
        year,
        indicators,
        measures,
    }
}

fn rows_for<'p>(p: &'p Pipeline, ind: &'p Indicator) -> Vec<IndicatorRow<'p>> {
    let total = |ind| IndicatorRow {
        indicator: ind,
        key: GroupKey::total(),
        label: "Totalt".into(),
    };
    let breakdowns: Vec<_> = ind
        .breakdowns
        .iter()
        .filter_map(|b| p.breakdown(b))
        .collect();
    if breakdowns.is_empty() {
        return vec![total(ind)];
    }
    if ind.crossed {
        // Every combination, the first breakdown varying slowest.
        // Each combination: its (breakdown, group) ids and its groups' labels.
        type Combo<'a> = (Vec<(&'a str, &'a str)>, Vec<&'a str>);
        let mut combos: Vec<Combo> = vec![(Vec::new(), Vec::new())];
        for b in &breakdowns {
            combos = combos
                .into_iter()
                .flat_map(|(ids, labels)| {
                    b.groups.iter().map(move |g| {
                        let mut ids = ids.clone();
                        let mut labels = labels.clone();
                        ids.push((b.id.as_str(), g.id.as_str()));
                        labels.push(g.label.as_str());
                        (ids, labels)
                    })
                })
                .collect();
        }
        return combos
            .into_iter()
            .map(|(ids, labels)| IndicatorRow {
                indicator: ind,
                key: GroupKey::crossed(ids),
                label: labels.join(", "),
            })
            .collect();
    }
    let mut rows = Vec::new();
    // With several breakdowns side by side, the total is not the sum of any
    // one of them alone, so it gets a row of its own.
    if breakdowns.len() > 1 {
        rows.push(total(ind));
    }
    for b in breakdowns {
        for g in &b.groups {
            rows.push(IndicatorRow {
                indicator: ind,
                key: GroupKey::of(&b.id, &g.id),
                label: g.label.clone(),
            });
        }
    }
    rows
}

/// A1-style reference of a 0-based cell, e.g. (6, 3) → "D7".
pub fn a1(row: u32, col: u16) -> String {
    let mut letters = Vec::new();
    let mut c = col as u32 + 1;
    while c > 0 {
        let rem = (c - 1) % 26;
        letters.push((b'A' + rem as u8) as char);
        c = (c - 1) / 26;
    }
    letters.iter().rev().collect::<String>() + &(row + 1).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a1_references() {
        assert_eq!(a1(0, 0), "A1");
        assert_eq!(a1(6, 3), "D7");
        assert_eq!(a1(9, 25), "Z10");
        assert_eq!(a1(0, 26), "AA1");
        assert_eq!(a1(0, 701), "ZZ1");
        assert_eq!(a1(0, 702), "AAA1");
    }
}
