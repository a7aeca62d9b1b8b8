//! Return indicators per unit and for the whole city: each reported group,
//! the unit's total (and the margins of a crossed breakdown) where every group
//! came in, and the city as the sum of the units that reported, with the
//! units it should have held beside it. A group that was not reported, or
//! whose value was refused, is never counted as zero.

use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::{FxHashMap, FxHashSet};

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

/// (indicator, year, unit), borrowed from the values and the pipeline: a
/// country has hundreds of thousands of values.
type UnitKey<'a> = (&'a str, i32, &'a str);

/// A cell of a return indicator: a count, or a share of its sums.
fn cell(share: bool, id: &str, year: i32, unit: &str, key: GroupKey, s: Sum) -> Cell {
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
    rows: FxHashMap<UnitKey<'p>, Vec<GroupKey>>,
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

/// One unit's values of an indicator in a year, group by group.
type UnitGroups<'a> = (UnitKey<'a>, BTreeMap<GroupKey, Sum>);

/// Each unit's values by (indicator, year, unit), in that order; a later
/// value for the same group replaces an earlier one. Only values that came
/// in, but every unit that handed in a value for the indicator has an entry.
fn by_unit(values: &[Value]) -> Vec<UnitGroups<'_>> {
    fn key(v: &Value) -> UnitKey<'_> {
        (v.indicator_id.as_str(), v.year, v.unit_id.as_str())
    }
    let mut sorted: Vec<&Value> = values.iter().collect();
    // Stable: a unit's values keep the order they came in.
    sorted.sort_by(|a, b| key(a).cmp(&key(b)));
    let mut out: Vec<UnitGroups> = Vec::new();
    for v in sorted {
        if out.last().is_none_or(|(k, _)| *k != key(v)) {
            out.push((key(v), BTreeMap::new()));
        }
        let Some((_, groups)) = out.last_mut() else {
            continue;
        };
        match (v.numerator, v.denominator, v.value) {
            (Some(n), Some(d), _) => groups.insert(v.key.clone(), Sum { num: n, den: d }),
            (None, None, Some(x)) => groups.insert(v.key.clone(), Sum { num: x, den: 0.0 }),
            _ => None,
        };
    }
    out
}

/// What every (indicator, year) needs to be worked out on its own.
struct Context<'p> {
    p: &'p Pipeline,
    expected: Expected<'p>,
    /// A unit with any value for a year handed in that year's return.
    handed_in: FxHashSet<(i32, &'p str)>,
}

/// All return cells, in a fixed order (the run sorts the whole table): the
/// units' cells, then the city's, each by indicator and year.
pub fn cells(p: &Pipeline, values: &[Value]) -> Vec<Cell> {
    use rayon::prelude::*;
    let by_unit = by_unit(values);
    let years: BTreeSet<i32> = by_unit.iter().map(|(k, _)| k.1).collect();
    let cx = Context {
        p,
        expected: expected(p, &years),
        handed_in: by_unit.iter().map(|(k, _)| (k.1, k.2)).collect(),
    };
    // Each (indicator, year) is independent of the others: worked out on
    // all cores, and gathered in order.
    let groups: Vec<&[UnitGroups]> = by_unit
        .chunk_by(|a, b| (a.0.0, a.0.1) == (b.0.0, b.0.1))
        .collect();
    let done: Vec<(Vec<Cell>, Vec<Cell>)> =
        crate::pool::install(|| groups.par_iter().map(|g| indicator_year(&cx, g)).collect());
    let (units, city): (Vec<Vec<Cell>>, Vec<Vec<Cell>>) = done.into_iter().unzip();
    units.into_iter().chain(city).flatten().collect()
}

/// One indicator in one year: each unit's cells, and the city's.
fn indicator_year(cx: &Context<'_>, units: &[UnitGroups<'_>]) -> (Vec<Cell>, Vec<Cell>) {
    let Some(&((id, year, _), _)) = units.first() else {
        return (Vec::new(), Vec::new());
    };
    let p = cx.p;
    let share = p
        .indicator(id)
        .is_some_and(|i| i.unit == MeasureUnit::Andel);
    let mut out = Vec::new();
    // Per group, each unit's sum, in the units' order: what a city cell adds up.
    let mut city: BTreeMap<GroupKey, Vec<(&str, Sum)>> = BTreeMap::new();
    for &((_, _, unit), ref groups) in units {
        let wanted = cx.expected.rows.get(&(id, year, unit));
        let (rows, incomplete) = unit_rows(groups, wanted.map_or(&[], |w| w.as_slice()));
        for (k, s) in rows {
            match city.get_mut(&k) {
                Some(parts) => parts.push((unit, s)),
                None => {
                    city.insert(k.clone(), vec![(unit, s)]);
                }
            }
            out.push(cell(share, id, year, unit, k, s));
        }
        if incomplete {
            let mut total = cell(share, id, year, unit, GroupKey::total(), Sum::default());
            total.withhold(Reason::Incomplete);
            out.push(total);
        }
    }
    let expected = cx.expected.units.get(&(id, year));
    // Every group some unit should report gets a city cell, even if none did.
    let mut seen: FxHashSet<&GroupKey> = FxHashSet::default();
    for &u in expected.into_iter().flatten() {
        let wanted = cx.expected.rows.get(&(id, year, u));
        for k in wanted.into_iter().flatten().filter(|k| seen.insert(*k)) {
            for m in with_margins(k) {
                city.entry(m).or_default();
            }
        }
    }
    let members = Members::of(expected.map_or(&[][..], |u| u.as_slice()));
    let city = city.into_iter().map(|(k, parts)| {
        let mut c = city_cell(p, share, (id, year), k, &parts, &members);
        if let Some(cov) = c.coverage.as_mut() {
            cov.refused = (cov.missing.iter())
                .filter(|u| cx.handed_in.contains(&(year, u.as_str())))
                .cloned()
                .collect();
        }
        c
    });
    (out, city.collect())
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
    set: FxHashSet<&'a str>,
}

impl<'a> Members<'a> {
    fn of(list: &'a [&'a str]) -> Self {
        Members {
            list,
            set: list.iter().copied().collect(),
        }
    }
}

/// The city's cell for one group: the sum of the units that have it (in
/// the units' order), with the expected units that do not. Withheld
/// instead when the pipeline says so.
fn city_cell(
    p: &Pipeline,
    share: bool,
    (id, year): (&str, i32),
    key: GroupKey,
    parts: &[(&str, Sum)],
    expected: &Members<'_>,
) -> Cell {
    let mut sum = Sum::default();
    for (_, s) in parts {
        sum.num += s.num;
        sum.den += s.den;
    }
    let has = |u: &str| parts.binary_search_by(|(part, _)| (*part).cmp(u)).is_ok();
    let missing: Vec<String> = (expected.list.iter())
        .filter(|u| !has(u))
        .map(|u| u.to_string())
        .collect();
    let extra = parts
        .iter()
        .filter(|(u, _)| !expected.set.contains(u))
        .count();
    let mut c = cell(share, id, year, CITY, key, sum);
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
