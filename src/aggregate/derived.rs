//! Derived indicators: the parity gap, a survey share minus the same share
//! for the whole city, in percentage points, with the survey's interval
//! carried over. A gap is withheld whenever its survey cell is.

use std::collections::HashMap;

use super::Cell;
use crate::pipeline::{Pipeline, Source};

/// Gap cells from the published (already protected) cells.
pub fn cells(p: &Pipeline, published: &[Cell]) -> Vec<Cell> {
    let mut out = Vec::new();
    for ind in &p.indicators {
        let Some(d) = &ind.derived else { continue };
        // The subtrahend's cells by key, the first of each, as a scan would find them.
        let mut subtrahend: HashMap<(i32, &str, &str, &str), &Cell> = HashMap::new();
        for c in published.iter().filter(|c| c.indicator_id == d.subtrahend) {
            subtrahend
                .entry((c.year, &c.unit_id, &c.key.breakdown, &c.key.group))
                .or_insert(c);
        }
        for m in published.iter().filter(|c| c.indicator_id == d.minuend) {
            let wanted = m.key.is_total() || ind.breakdowns.contains(&m.key.breakdown);
            if !wanted {
                continue;
            }
            let key = (
                m.year,
                m.unit_id.as_str(),
                m.key.breakdown.as_str(),
                m.key.group.as_str(),
            );
            let Some(s) = subtrahend.get(&key) else {
                continue;
            };
            let Some(sv) = s.value else { continue };
            let pp = |x: f64| (x - sv) * 100.0;
            let mut gap = Cell {
                value: m.value.map(pp),
                n: m.n,
                ci_low: m.ci_low.map(pp),
                ci_high: m.ci_high.map(pp),
                n_effective: m.n_effective,
                // A subtrahend without an error (register statistics) is taken as known.
                std_error: m
                    .std_error
                    .map(|se| se.hypot(s.std_error.unwrap_or(0.0)) * 100.0),
                ..Cell::empty(&ind.id, m.year, &m.unit_id, m.key.clone(), Source::Derived)
            };
            // Withheld for the same reason as its survey cell.
            if let Some(r) = m.withheld {
                gap.withhold(r);
            }
            out.push(gap);
        }
    }
    out
}

/// "Serien för REF-1 i Kolada börjar 2020, så GAP-1 finns från 2020": for
/// a gap whose reference series has no value in the first years, so that
/// no one reads the missing years as missing data. `has_value` says whether
/// an indicator's city total has a value in a year.
pub fn late_start(
    p: &Pipeline,
    gap: &crate::pipeline::Indicator,
    years: &[i32],
    has_value: impl Fn(&str, i32) -> bool,
) -> Option<String> {
    let subtrahend = &gap.derived.as_ref()?.subtrahend;
    let source = p.reference.as_ref()?;
    source.series.iter().find(|s| &s.indicator == subtrahend)?;
    let first = years.iter().copied().find(|y| has_value(subtrahend, *y))?;
    (years.first() != Some(&first)).then(|| {
        format!(
            "Serien för {subtrahend} i {} börjar {first}, så {} finns från {first}",
            source.name, gap.id
        )
    })
}
