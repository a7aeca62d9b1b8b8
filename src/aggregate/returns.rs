//! Return indicators per unit and for the whole city: each reported group,
//! the unit's total (and the margins of a crossed breakdown) where every group
//! came in, and the city as the sum of the units that reported, with the
//! units it should have held beside it. A group that was not reported, or
//! whose value was refused, is never counted as zero.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::{Cell, Coverage};
use crate::layout;
use crate::pipeline::CITY;
use crate::pipeline::{GroupKey, Incomplete, MeasureUnit, Pipeline, Reason, Source, Unit};
use crate::validate::returns::Value;

/// (numerator or count, denominator) summed.
#[derive(Clone, Copy, Default)]
struct Sum {
    num: f64,
    den: f64,
}

/// Per group, each unit's sum: what a city cell adds up.
type CitySums<'a> = BTreeMap<GroupKey, BTreeMap<&'a str, Sum>>;

/// (indicator, year, unit), borrowed from the values and the pipeline: a
/// country has hundreds of thousands of values.
type UnitKey<'a> = (&'a str, i32, &'a str);

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
        value,
        numerator,
        denominator,
        n: Some(if share { s.den } else { s.num }),
        ..Cell::empty(id, year, unit, key, Source::Return)
    }
}

/// What the layouts ask for in the years with values: each unit's rows, and
/// per indicator and year the units that should report it, in the
/// pipeline's order.
#[derive(Default)]
struct Expected<'p> {
    rows: HashMap<UnitKey<'p>, Vec<GroupKey>>,
    units: BTreeMap<(&'p str, i32), Vec<&'p str>>,
}

fn expected<'p>(p: &'p Pipeline, years: &BTreeSet<i32>) -> Expected<'p> {
    use rayon::prelude::*;
    let mut e = Expected::default();
    for &year in years {
        let units: Vec<&Unit> = p.units_reporting(year).collect();
        // Laying out every unit is most of the work: done on all cores, and
        // gathered in the pipeline's order.
        let rows: Vec<Vec<(&str, GroupKey)>> = crate::pool::install(|| {
            units
                .par_iter()
                .map(|u| {
                    let rows = layout::layout(p, u, year).indicators.into_iter();
                    rows.map(|r| (r.indicator.id.as_str(), r.key)).collect()
                })
                .collect()
        });
        for (u, rows) in units.iter().zip(rows) {
            for (id, key) in rows {
                let rows = e.rows.entry((id, year, u.id.as_str())).or_default();
                if rows.is_empty() {
                    e.units.entry((id, year)).or_default().push(&u.id);
                }
                rows.push(key);
            }
        }
    }
    e
}

/// All return cells, in a fixed order (the run sorts the whole table).
pub fn cells(p: &Pipeline, values: &[Value]) -> Vec<Cell> {
    // (indicator, year, unit) → group → sum; only values that came in, but
    // every unit that handed in a value for the indicator has an entry.
    let mut by_unit: BTreeMap<UnitKey, BTreeMap<GroupKey, Sum>> = BTreeMap::new();
    for v in values {
        let groups = by_unit
            .entry((v.indicator_id.as_str(), v.year, v.unit_id.as_str()))
            .or_default();
        match (v.numerator, v.denominator, v.value) {
            (Some(n), Some(d), _) => groups.insert(v.key.clone(), Sum { num: n, den: d }),
            (None, None, Some(x)) => groups.insert(v.key.clone(), Sum { num: x, den: 0.0 }),
            _ => None,
        };
    }
    let years: BTreeSet<i32> = by_unit.keys().map(|k| k.1).collect();
    let expected = expected(p, &years);
    // A unit with any value for a year handed in that year's return.
    let handed_in: HashSet<(i32, &str)> = by_unit.keys().map(|k| (k.1, k.2)).collect();
    let mut out = Vec::new();
    // The units' sums, by (indicator, year), group and unit.
    let mut city: BTreeMap<(&str, i32), CitySums> = BTreeMap::new();
    for (&(id, year, unit), groups) in &by_unit {
        let wanted = expected.rows.get(&(id, year, unit));
        let (rows, incomplete) = unit_rows(groups, wanted.map_or(&[], |w| w.as_slice()));
        let sums = city.entry((id, year)).or_default();
        for (k, s) in &rows {
            out.push(cell(p, id, year, unit, k.clone(), *s));
            sums.entry(k.clone()).or_default().insert(unit, *s);
        }
        if incomplete {
            let mut total = cell(p, id, year, unit, GroupKey::total(), Sum::default());
            total.withhold(Reason::Incomplete);
            out.push(total);
        }
    }
    for ((id, year), mut rows) in city {
        let units = expected.units.get(&(id, year));
        // Every group some unit should report gets a city cell, even if none did.
        for &u in units.into_iter().flatten() {
            let wanted = expected.rows.get(&(id, year, u));
            for k in wanted.into_iter().flatten().flat_map(with_margins) {
                rows.entry(k).or_default();
            }
        }
        let members = Members::of(units.map_or(&[][..], |u| u.as_slice()));
        for (k, parts) in rows {
            let mut c = city_cell(p, id, year, k, &parts, &members);
            if let Some(cov) = c.coverage.as_mut() {
                cov.refused = (cov.missing.iter())
                    .filter(|u| handed_in.contains(&(year, u.as_str())))
                    .cloned()
                    .collect();
            }
            out.push(c);
        }
    }
    out
}

/// A reported group and the sums it is part of: the total, and for a
/// crossed group each of its margins.
fn with_margins(k: &GroupKey) -> Vec<GroupKey> {
    let mut keys = vec![GroupKey::total(), k.clone()];
    if k.is_crossed() {
        keys.extend(k.parts().map(|(part, g)| GroupKey::of(part, g)));
    }
    keys
}

/// A unit's rows: what it reported, and the total and margins where every
/// group it should report came in. Says whether a total is missing for want
/// of a group (then it is withheld as incomplete, never a partial sum).
fn unit_rows(
    groups: &BTreeMap<GroupKey, Sum>,
    wanted: &[GroupKey],
) -> (BTreeMap<GroupKey, Sum>, bool) {
    let mut rows = groups.clone();
    let asks_total = wanted.iter().any(|k| k.is_total());
    if asks_total {
        return (rows, false);
    }
    let all_in = !wanted.is_empty() && wanted.iter().all(|k| groups.contains_key(k));
    if !all_in {
        return (rows, true);
    }
    let first_breakdown = wanted[0].breakdown.clone();
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
    (rows, false)
}

/// The units a city sum should hold, in the pipeline's order and as a set:
/// they are looked up once per unit and group, and a country has thousands.
struct Members<'a> {
    list: &'a [&'a str],
    set: HashSet<&'a str>,
}

impl<'a> Members<'a> {
    fn of(list: &'a [&'a str]) -> Self {
        Members {
            list,
            set: list.iter().copied().collect(),
        }
    }
}

/// The city's cell for one group: the sum of the units that have it, with
/// the expected units that do not. Withheld instead when the pipeline says so.
fn city_cell(
    p: &Pipeline,
    id: &str,
    year: i32,
    key: GroupKey,
    parts: &BTreeMap<&str, Sum>,
    expected: &Members<'_>,
) -> Cell {
    let mut sum = Sum::default();
    for s in parts.values() {
        sum.num += s.num;
        sum.den += s.den;
    }
    let missing: Vec<String> = expected
        .list
        .iter()
        .filter(|u| !parts.contains_key(*u))
        .map(|u| u.to_string())
        .collect();
    let extra = parts.keys().filter(|u| !expected.set.contains(*u)).count();
    let mut c = cell(p, id, year, CITY, key, sum);
    c.coverage = Some(Coverage {
        expected: expected.list.len() + extra,
        missing,
        refused: Vec::new(),
    });
    // No unit's value is not a zero; otherwise the pipeline decides.
    let withhold = parts.is_empty() || p.returns.incomplete == Incomplete::Withhold;
    if !c.complete() && withhold {
        c.withhold(Reason::Incomplete);
    }
    c
}
