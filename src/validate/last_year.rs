//! Last year's accepted values, and the warning on a sharp change from
//! them. The same rule wherever a return is judged (the portal, `validate`
//! on one file or a folder, `run`): last year's values are those among the
//! files judged, else the returns inbox's; a merged district's first year
//! is compared with its predecessors' together.

use std::collections::{BTreeSet, HashMap};

use super::returns::{Outcome, Value};
use super::{Finding, Severity};
use crate::cache::Cache;
use crate::pipeline::{GroupKey, Pipeline, Unit};

/// A unit's value for an indicator and group in a year.
type Key<'a> = (&'a str, i32, &'a str, &'a str, &'a str);

fn key(v: &Value) -> Key<'_> {
    (
        v.unit_id.as_str(),
        v.year,
        v.indicator_id.as_str(),
        v.key.breakdown.as_str(),
        v.key.group.as_str(),
    )
}

/// What a value is compared with: one unit's, or predecessors' summed.
pub struct Earlier {
    pub value: Option<f64>,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    /// The predecessors whose values these are, when not the unit's own.
    pub predecessors: Vec<String>,
}

/// Last year's values, looked up as the rules compare them.
pub struct LastYear<'a> {
    index: HashMap<Key<'a>, &'a Value>,
    /// Each merged unit's predecessors, in the pipeline's order: looked up
    /// once, not by going through a country's ten thousand units per value.
    predecessors: HashMap<&'a str, Vec<&'a Unit>>,
}

impl<'a> LastYear<'a> {
    pub fn new(p: &'a Pipeline, values: impl IntoIterator<Item = &'a Value>) -> LastYear<'a> {
        let mut predecessors: HashMap<&str, Vec<&Unit>> = HashMap::new();
        for u in &p.units {
            for s in &u.successors {
                let list = predecessors.entry(s.as_str()).or_default();
                if !list.iter().any(|l| l.id == u.id) {
                    list.push(u);
                }
            }
        }
        LastYear {
            index: values.into_iter().map(|v| (key(v), v)).collect(),
            predecessors,
        }
    }

    /// The value the unit had the year before `year`; for a merged district
    /// without one, its predecessors' together when every one of them has it.
    pub fn of(&self, unit: &str, year: i32, indicator: &str, k: &GroupKey) -> Option<Earlier> {
        let find = |u: &str| {
            self.index
                .get(&(
                    u,
                    year - 1,
                    indicator,
                    k.breakdown.as_str(),
                    k.group.as_str(),
                ))
                .copied()
        };
        if let Some(v) = find(unit) {
            return Some(Earlier {
                value: v.value,
                numerator: v.numerator,
                denominator: v.denominator,
                predecessors: Vec::new(),
            });
        }
        let predecessors: Vec<&str> = (self.predecessors.get(unit).into_iter().flatten())
            .filter(|u| u.reports_in(year - 1))
            .map(|u| u.id.as_str())
            .collect();
        if predecessors.is_empty() {
            return None;
        }
        let found: Option<Vec<&Value>> = predecessors.iter().map(|u| find(u)).collect();
        let found = found?;
        let sum =
            |get: fn(&Value) -> Option<f64>| found.iter().map(|v| get(v)).sum::<Option<f64>>();
        Some(Earlier {
            value: sum(|v| v.value),
            numerator: sum(|v| v.numerator),
            denominator: sum(|v| v.denominator),
            predecessors: predecessors.iter().map(|u| u.to_string()).collect(),
        })
    }
}

/// The values accepted for `year`: the returns in the inbox's folder for
/// that year, read as a run reads them.
pub fn accepted_in(p: &Pipeline, year: i32, cache: &Cache) -> Vec<Value> {
    let Some(inbox) = &p.returns.inbox else {
        return Vec::new();
    };
    let dir = p.resolve(inbox).join(year.to_string());
    if !dir.is_dir() {
        return Vec::new();
    }
    let (files, _) = crate::inputs::collect_files(std::slice::from_ref(&dir));
    super::returns::read_files(p, &files, Some(year), cache).values
}

/// The inbox's values for each year before one judged, when the files
/// judged hold none of that year (a folder of every year, as `run` reads,
/// already holds them).
fn from_inbox(p: &Pipeline, out: &Outcome, cache: &Cache) -> Vec<Value> {
    let judged: BTreeSet<i32> = out.used.iter().map(|u| u.year).collect();
    let wanted = judged.iter().map(|y| y - 1).filter(|y| !judged.contains(y));
    wanted
        .flat_map(|year| accepted_in(p, year, cache))
        .collect()
}

/// A warning for each value that changed sharply from last year's.
pub fn change_warnings(p: &Pipeline, out: &mut Outcome, cache: &Cache) {
    let inbox = from_inbox(p, out, cache);
    let last = LastYear::new(p, out.values.iter().chain(inbox.iter()));
    let warnings: Vec<Finding> = out
        .values
        .iter()
        .filter_map(|v| {
            let before = last.of(&v.unit_id, v.year, &v.indicator_id, &v.key)?;
            change_warning(p, v, &before)
        })
        .collect();
    out.findings.extend(warnings);
}

fn change_warning(p: &Pipeline, v: &Value, prev: &Earlier) -> Option<Finding> {
    let factor = p.returns.change_factor;
    let min_diff = p.returns.change_min_difference;
    // Shares are compared on their counts; the nämnare tells the scale.
    let (now, before) = match (v.numerator, prev.numerator) {
        (Some(_), Some(_)) => (v.denominator, prev.denominator),
        _ => (v.value, prev.value),
    };
    let (now, before) = (now?, before?);
    let (lo, hi) = (now.min(before), now.max(before));
    if hi - lo < min_diff || (lo != 0.0 && hi / lo <= factor) {
        return None;
    }
    let whose = if prev.predecessors.is_empty() {
        String::new()
    } else {
        let names: Vec<String> = prev.predecessors.iter().map(|u| p.unit_name(u)).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        format!(" för {} tillsammans", crate::text::list(&names))
    };
    let change = format!(
        "{}{} jämfört med {}{whose} året före, en ändring med mer än faktor {}.",
        crate::text::number(now),
        if v.numerator.is_some() {
            " i nämnaren"
        } else {
            ""
        },
        crate::text::number(before),
        crate::text::number(factor)
    );
    // A change the committee explained is not an open warning.
    let (severity, message) = match v.comment {
        Some(_) => (
            Severity::Explained,
            format!("{change} Förklarad i kommentarskolumnen."),
        ),
        None => (
            Severity::Warning,
            format!(
                "{change} Kontrollera siffran; stämmer den, förklara gärna ändringen i kommentarskolumnen."
            ),
        ),
    };
    Some(Finding {
        severity,
        file: v.file.clone(),
        sheet: Some(v.sheet.clone()),
        cell: Some(v.cell.clone()),
        about: Some(super::returns::about_value(p, v)),
        message,
        subject: v.subject(),
    })
}
