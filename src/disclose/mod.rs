//! Disclosure control: no published number may single a person out.
//!
//! Per indicator and year, the cells form a table tied together by sums (a
//! total is the sum of its groups; the city is the sum of its units). Cells
//! that count fewer persons than the minimum are withheld (primary
//! suppression); then, wherever a sum would let a withheld cell be worked out
//! from the cells shown, more cells are withheld (complementary suppression).
//! Complementary suppression goes on until no reader who knows the sums and
//! that counts are whole numbers ≥ 0 can narrow a withheld cell to a range
//! narrower than the minimum ([`bounds`]); a last audit proves, by linear
//! algebra over the sums, that no withheld cell is determined.

pub mod bounds;

use std::collections::{BTreeMap, HashMap};

use crate::aggregate::Cell;
use crate::pipeline::CITY;
use crate::pipeline::Reason;
use crate::pipeline::{MeasureUnit, Pipeline, Publication, TOTAL};

/// A table's cells and the sums that tie them: each equation says that its
/// first cell is the sum of the rest.
#[derive(Clone, Debug, Default)]
pub struct Table {
    pub sums: Vec<Vec<usize>>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "röjandekontrollen misslyckades för {indicator} {year}: {} kan räknas fram ur de publicerade cellerna", cells.join(", ")
)]
pub struct AuditFailure {
    pub indicator: String,
    pub year: i32,
    pub cells: Vec<String>,
}

/// Applies disclosure control to all cells. Cells of `city`-level indicators
/// are dropped for every unit but the city; withheld cells keep their row but
/// lose their numbers, and say why.
pub fn protect(p: &Pipeline, cells: Vec<Cell>) -> Result<Vec<Cell>, AuditFailure> {
    let mut cells: Vec<Cell> = cells.into_iter().filter(|c| publishable(p, c)).collect();
    let mut groups: BTreeMap<(String, i32), Vec<usize>> = BTreeMap::new();
    for (i, c) in cells.iter().enumerate() {
        groups
            .entry((c.indicator_id.clone(), c.year))
            .or_default()
            .push(i);
    }
    for ((id, year), idx) in groups {
        let Some(ind) = p.indicator(&id) else {
            continue;
        };
        if !ind.counts_persons {
            continue;
        }
        let share = ind.unit == MeasureUnit::Andel;
        let local: Vec<&Cell> = idx.iter().map(|i| &cells[*i]).collect();
        let why = protect_table(&local, share, p.disclosure.min_cell as f64).map_err(|k| {
            AuditFailure {
                indicator: id.clone(),
                year,
                cells: k.iter().map(|k| local[*k].place()).collect(),
            }
        })?;
        for (k, i) in idx.iter().enumerate() {
            if let Some(r) = why[k].filter(|_| !cells[*i].is_withheld()) {
                cells[*i].withhold(r);
            }
        }
    }
    Ok(cells)
}

/// Whether a cell may be published at all: a city-level indicator's cells
/// are published for the whole city only.
pub fn publishable(p: &Pipeline, c: &Cell) -> bool {
    let city_only = p
        .indicator(&c.indicator_id)
        .is_some_and(|i| i.publication == Publication::City)
        || p.disclosure.city_only.contains(&c.indicator_id);
    !city_only || c.unit_id == CITY
}

/// One indicator-year's table: primary suppression, then complementary
/// suppression until no withheld cell can be narrowed below the minimum.
/// Returns each cell's reason, or the cells the audit still finds exposed.
fn protect_table(
    local: &[&Cell],
    share: bool,
    min: f64,
) -> Result<Vec<Option<Reason>>, Vec<usize>> {
    let table = table_of(local);
    let counts = counts(local, share);
    // The sums that hold exactly, for the quick rule and the last audit; the
    // reader's bounds also use those where the total exceeds its parts.
    let exact = Table {
        sums: table
            .sums
            .iter()
            .filter(|eq| counts.iter().all(|truth| bounds::holds(eq, truth)))
            .cloned()
            .collect(),
    };
    let mut why: Vec<Option<Reason>> = local.iter().map(|c| c.withheld).collect();
    for (k, c) in local.iter().enumerate() {
        if why[k].is_none() && below_minimum(c, share, min) {
            why[k] = Some(Reason::Primary);
        }
    }
    let mut withheld: Vec<bool> = why.iter().map(Option::is_some).collect();
    let sizes: Vec<f64> = local.iter().map(|c| size(c, share)).collect();
    loop {
        complementary(&exact, &sizes, &mut withheld, &mut why);
        let Some(k) = narrowest(&table, &counts, &withheld, min) else {
            break;
        };
        let Some(j) = widener(&table, &sizes, &withheld, k) else {
            return Err(vec![k]);
        };
        withheld[j] = true;
        why[j].get_or_insert(Reason::Complementary);
    }
    let determined = audit(&exact, &withheld);
    if !determined.is_empty() {
        return Err(determined);
    }
    Ok(why)
}

/// The counts a reader could try to work out, per cell: the value for a
/// count; for a share the nämnare, the täljare and their difference.
pub fn counts(local: &[&Cell], share: bool) -> Vec<Vec<Option<f64>>> {
    if !share {
        return vec![local.iter().map(|c| c.value).collect()];
    }
    let num: Vec<Option<f64>> = local.iter().map(|c| c.numerator).collect();
    let den: Vec<Option<f64>> = local.iter().map(|c| c.denominator).collect();
    let rest = num
        .iter()
        .zip(&den)
        .map(|(n, d)| Some(d.as_ref()? - n.as_ref()?))
        .collect();
    vec![den, num, rest]
}

/// The first withheld cell a reader could narrow below the minimum.
fn narrowest(t: &Table, counts: &[Vec<Option<f64>>], withheld: &[bool], min: f64) -> Option<usize> {
    counts.iter().find_map(|truth| {
        let reader = bounds::Reader::new(&t.sums, truth, withheld);
        (0..withheld.len())
            .filter(|k| withheld[*k])
            .find(|k| reader.range(*k).is_some_and(|r| !r.hides(min)))
    })
}

/// The published cell to withhold next so that cell `k` widens: the
/// smallest shown member of a sum with `k`, else the smallest shown member
/// of any sum.
fn widener(t: &Table, sizes: &[f64], withheld: &[bool], k: usize) -> Option<usize> {
    let smallest = |eqs: &mut dyn Iterator<Item = &Vec<usize>>| {
        eqs.flat_map(|eq| eq.iter().copied())
            .filter(|j| !withheld[*j])
            .min_by(|a, b| sizes[*a].total_cmp(&sizes[*b]).then(a.cmp(b)))
    };
    smallest(&mut t.sums.iter().filter(|eq| eq.contains(&k)))
        .or_else(|| smallest(&mut t.sums.iter()))
}

/// The count a cell rests on: the value for counts, the nämnare for shares.
fn size(c: &Cell, share: bool) -> f64 {
    if share {
        c.denominator.or(c.n).unwrap_or(0.0)
    } else {
        c.value.unwrap_or(0.0)
    }
}

/// Primary suppression: fewer persons than the minimum, and for a share also
/// a täljare, or nämnare minus täljare, below it.
pub fn below_minimum(c: &Cell, share: bool, min: f64) -> bool {
    if share {
        let (Some(num), Some(den)) = (c.numerator, c.denominator) else {
            return false;
        };
        den < min || num < min || den - num < min
    } else {
        c.value.is_some_and(|v| v < min)
    }
}

/// The sums among one indicator-year's cells: per unit, total = Σ groups of
/// each breakdown (and margins of crossed breakdowns = Σ their cells); and
/// per group, city = Σ units.
pub fn table_of(cells: &[&Cell]) -> Table {
    let present: Vec<bool> = cells
        .iter()
        .map(|c| c.value.is_some() || c.numerator.is_some())
        .collect();
    let mut at: HashMap<(&str, &str, &str), usize> = HashMap::new();
    for (k, c) in cells.iter().enumerate() {
        if present[k] {
            at.insert(
                (
                    c.unit_id.as_str(),
                    c.key.breakdown.as_str(),
                    c.key.group.as_str(),
                ),
                k,
            );
        }
    }
    let mut sums = Vec::new();
    let mut units: Vec<&str> = cells.iter().map(|c| c.unit_id.as_str()).collect();
    units.sort();
    units.dedup();
    let mut of_unit: HashMap<&str, Vec<usize>> = HashMap::new();
    for (k, c) in cells.iter().enumerate() {
        if present[k] && !c.key.is_total() {
            of_unit.entry(c.unit_id.as_str()).or_default().push(k);
        }
    }
    for u in &units {
        let mut by_breakdown: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for k in of_unit.get(u).map(|v| v.as_slice()).unwrap_or(&[]) {
            by_breakdown
                .entry(cells[*k].key.breakdown.as_str())
                .or_default()
                .push(*k);
        }
        let total = at.get(&(*u, TOTAL, TOTAL)).copied();
        for members in by_breakdown.values() {
            // A total over groups that lack different units is no sum of them,
            // and the published coverage tells a reader so.
            let whole = |k: &usize| cells[*k].complete();
            if let Some(t) = total.filter(|t| whole(t) && members.iter().all(whole)) {
                sums.push(std::iter::once(t).chain(members.iter().copied()).collect());
            }
            margin_sums(
                cells,
                members,
                |part, g| at.get(&(*u, part, g)).copied(),
                &mut sums,
            );
        }
    }
    // The city is the sum of the units, group by group.
    let mut parts_of: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    for (j, o) in cells.iter().enumerate() {
        if present[j] && o.unit_id != CITY {
            parts_of
                .entry((o.key.breakdown.as_str(), o.key.group.as_str()))
                .or_default()
                .push(j);
        }
    }
    for (k, c) in cells.iter().enumerate() {
        if !present[k] || c.unit_id != CITY {
            continue;
        }
        if let Some(parts) = parts_of.get(&(c.key.breakdown.as_str(), c.key.group.as_str())) {
            sums.push(std::iter::once(k).chain(parts.iter().copied()).collect());
        }
    }
    Table { sums }
}

/// A crossed breakdown's margins, where they are published: each margin
/// cell (found by `margin`) is the sum of the crossed cells in its group.
fn margin_sums<'a>(
    cells: &[&'a Cell],
    members: &[usize],
    margin: impl Fn(&'a str, &'a str) -> Option<usize>,
    sums: &mut Vec<Vec<usize>>,
) {
    let Some(first) = members.first().map(|k| &cells[*k].key) else {
        return;
    };
    if !first.is_crossed() {
        return;
    }
    for (pi, (part, _)) in first.parts().enumerate() {
        let mut margins: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for k in members {
            let g = cells[*k].key.parts().nth(pi).map_or("", |(_, g)| g);
            margins.entry(g).or_default().push(*k);
        }
        for (g, inner) in margins {
            if let Some(m) = margin(part, g) {
                sums.push(std::iter::once(m).chain(inner).collect());
            }
        }
    }
}

/// Withholds more cells until no sum has exactly one withheld member.
pub fn complementary(t: &Table, sizes: &[f64], withheld: &mut [bool], why: &mut [Option<Reason>]) {
    loop {
        let mut changed = false;
        for eq in &t.sums {
            let hidden = eq.iter().filter(|k| withheld[**k]).count();
            if hidden != 1 {
                continue;
            }
            // Withhold the smallest shown part; the sum itself only if no part is left.
            let pick = eq[1..]
                .iter()
                .filter(|k| !withheld[**k])
                .min_by(|a, b| sizes[**a].total_cmp(&sizes[**b]).then(a.cmp(b)))
                .copied()
                .or_else(|| (!withheld[eq[0]]).then_some(eq[0]));
            if let Some(k) = pick {
                withheld[k] = true;
                why[k].get_or_insert(Reason::Complementary);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
}

/// The withheld cells that the published cells and the sums determine: empty
/// when the table is safe. A withheld cell is determined exactly when its unit
/// vector lies in the row space of the sums restricted to the withheld cells,
/// i.e. when the reduced row echelon form has a row with that cell alone.
pub fn audit(t: &Table, withheld: &[bool]) -> Vec<usize> {
    let unknowns: Vec<usize> = (0..withheld.len()).filter(|k| withheld[*k]).collect();
    if unknowns.is_empty() {
        return Vec::new();
    }
    let col_of: HashMap<usize, usize> = unknowns.iter().enumerate().map(|(c, k)| (*k, c)).collect();
    // Integer rows; elimination keeps them exact with i128 and gcd reduction.
    let mut rows: Vec<Vec<i128>> = Vec::new();
    for eq in &t.sums {
        let mut row = vec![0i128; unknowns.len()];
        let mut any = false;
        for (pos, k) in eq.iter().enumerate() {
            if let Some(c) = col_of.get(k) {
                row[*c] += if pos == 0 { 1 } else { -1 };
                any = true;
            }
        }
        if any {
            rows.push(row);
        }
    }
    let ncols = unknowns.len();
    let mut pivot_row = 0;
    let mut pivots: Vec<(usize, usize)> = Vec::new();
    for c in 0..ncols {
        let Some(r) = (pivot_row..rows.len()).find(|r| rows[*r][c] != 0) else {
            continue;
        };
        rows.swap(pivot_row, r);
        for r2 in 0..rows.len() {
            if r2 != pivot_row && rows[r2][c] != 0 {
                let a = rows[pivot_row][c];
                let b = rows[r2][c];
                let pivot = rows[pivot_row].clone();
                for (x, y) in rows[r2].iter_mut().zip(&pivot) {
                    *x = *x * a - y * b;
                }
                let g = rows[r2].iter().fold(0i128, |g, x| gcd(g, x.abs()));
                if g > 1 {
                    for x in rows[r2].iter_mut() {
                        *x /= g;
                    }
                }
            }
        }
        pivots.push((pivot_row, c));
        pivot_row += 1;
    }
    pivots
        .into_iter()
        .filter(|(r, c)| rows[*r].iter().enumerate().all(|(j, x)| j == *c || *x == 0))
        .map(|(_, c)| unknowns[c])
        .collect()
}

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 { a } else { gcd(b, a % b) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(sums: &[&[usize]]) -> Table {
        Table {
            sums: sums.iter().map(|s| s.to_vec()).collect(),
        }
    }

    #[test]
    fn one_withheld_part_of_a_shown_total_is_determined() {
        // total = kvinna + man, kvinna withheld.
        let table = t(&[&[0, 1, 2]]);
        assert_eq!(audit(&table, &[false, true, false]), vec![1]);
        assert!(audit(&table, &[false, true, true]).is_empty());
    }

    #[test]
    fn a_withheld_total_with_all_parts_shown_is_determined() {
        let table = t(&[&[0, 1, 2]]);
        assert_eq!(audit(&table, &[true, false, false]), vec![0]);
    }

    #[test]
    fn chains_of_sums_are_followed() {
        // Unit totals and a city total: u1 = a + b, u2 = c + d, city = u1 + u2.
        // With a, b withheld and u1 withheld: u1 = city - u2, then a + b known, but not each.
        let table = t(&[&[0, 1, 2], &[3, 4, 5], &[6, 0, 3]]);
        let mut w = vec![false; 7];
        w[0] = true;
        w[1] = true;
        w[2] = true;
        assert_eq!(audit(&table, &w), vec![0]);
        w[3] = true;
        w[4] = true;
        w[5] = true;
        assert!(audit(&table, &w).is_empty());
    }

    #[test]
    fn complementary_suppression_closes_every_sum() {
        let table = t(&[&[0, 1, 2], &[0, 3, 4]]);
        let sizes = [20.0, 3.0, 17.0, 12.0, 8.0];
        let mut w = vec![false, true, false, false, false];
        let mut why = vec![None, Some(Reason::Primary), None, None, None];
        complementary(&table, &sizes, &mut w, &mut why);
        assert_eq!(w, vec![false, true, true, false, false]);
        assert!(audit(&table, &w).is_empty());
    }
}
