//! Return indicators per unit and for the whole city: each reported group,
//! the unit's total (and the margins of a crossed breakdown) where every group
//! came in, and the city as the sum of the units that reported.

use std::collections::BTreeMap;

use super::{CITY, Cell};
use crate::pipeline::{GroupKey, MeasureUnit, Pipeline, Source};
use crate::validate::returns::Value;

/// (numerator or count, denominator) summed.
#[derive(Clone, Copy, Default)]
struct Sum {
    num: f64,
    den: f64,
}

fn cell(p: &Pipeline, id: &str, year: i32, unit: &str, key: GroupKey, s: Sum) -> Cell {
    let share = p
        .indicator(id)
        .is_some_and(|i| i.unit == MeasureUnit::Andel);
    let (value, numerator, denominator) = if share {
        (
            (s.den > 0.0).then(|| s.num / s.den),
            Some(s.num),
            Some(s.den),
        )
    } else {
        (Some(s.num), None, None)
    };
    Cell {
        indicator_id: id.to_string(),
        year,
        unit_id: unit.to_string(),
        key,
        value,
        numerator,
        denominator,
        n: Some(if share { s.den } else { s.num }),
        ci_low: None,
        ci_high: None,
        suppressed: false,
        source: Source::Return,
    }
}

/// All return cells, in a fixed order (the run sorts the whole table).
pub fn cells(p: &Pipeline, values: &[Value]) -> Vec<Cell> {
    // (indicator, year, unit) → (breakdown, group) → sum; only values that came in.
    type Key = (String, i32, String);
    let mut by_unit: BTreeMap<Key, BTreeMap<GroupKey, Sum>> = BTreeMap::new();
    let mut blanks: BTreeMap<Key, bool> = BTreeMap::new();
    for v in values {
        let key = (v.indicator_id.clone(), v.year, v.unit_id.clone());
        let s = match (v.numerator, v.denominator, v.value) {
            (Some(n), Some(d), _) => Some(Sum { num: n, den: d }),
            (None, None, Some(x)) => Some(Sum { num: x, den: 0.0 }),
            _ => None,
        };
        match s {
            Some(s) => {
                by_unit.entry(key).or_default().insert(v.key.clone(), s);
            }
            None => {
                blanks.insert(key.clone(), true);
                by_unit.entry(key).or_default();
            }
        }
    }
    let mut out = Vec::new();
    // The city's sums, by (indicator, year) and (breakdown, group).
    let mut city: BTreeMap<(String, i32), BTreeMap<GroupKey, Sum>> = BTreeMap::new();
    for ((id, year, unit), groups) in &by_unit {
        let complete = !blanks
            .get(&(id.clone(), *year, unit.clone()))
            .copied()
            .unwrap_or(false);
        let mut rows: BTreeMap<GroupKey, Sum> = groups.clone();
        if complete && !groups.is_empty() && !groups.contains_key(&GroupKey::total()) {
            // Every group came in: the total and the margins are their sums.
            let first_breakdown = groups
                .keys()
                .next()
                .map(|k| k.breakdown.clone())
                .unwrap_or_default();
            let mut total = Sum::default();
            for (k, s) in groups {
                if k.breakdown == first_breakdown {
                    total.num += s.num;
                    total.den += s.den;
                }
                if k.is_crossed() {
                    for (part, pg) in k.parts() {
                        let m = rows.entry(GroupKey::of(part, pg)).or_default();
                        m.num += s.num;
                        m.den += s.den;
                    }
                }
            }
            rows.insert(GroupKey::total(), total);
        }
        for (k, s) in &rows {
            out.push(cell(p, id, *year, unit, k.clone(), *s));
            let c = city
                .entry((id.clone(), *year))
                .or_default()
                .entry(k.clone())
                .or_default();
            c.num += s.num;
            c.den += s.den;
        }
    }
    for ((id, year), rows) in city {
        for (k, s) in rows {
            out.push(cell(p, &id, year, CITY, k, s));
        }
    }
    out
}
