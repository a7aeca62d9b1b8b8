//! Derived indicators: the parity gap, a survey share minus the same share
//! for the whole city, in percentage points, with the survey's interval
//! carried over. A gap is withheld whenever its survey cell is.

use super::Cell;
use crate::pipeline::Pipeline;

/// Gap cells from the published (already protected) cells.
pub fn cells(p: &Pipeline, published: &[Cell]) -> Vec<Cell> {
    let mut out = Vec::new();
    for ind in &p.indicators {
        let Some(d) = &ind.derived else { continue };
        for m in published.iter().filter(|c| c.indicator_id == d.minuend) {
            let wanted = m.breakdown == "total" || ind.breakdowns.contains(&m.breakdown);
            if !wanted {
                continue;
            }
            let Some(s) = published.iter().find(|c| {
                c.indicator_id == d.subtrahend
                    && c.year == m.year
                    && c.unit_id == m.unit_id
                    && c.breakdown == m.breakdown
                    && c.group == m.group
            }) else {
                continue;
            };
            let Some(sv) = s.value else { continue };
            let pp = |x: f64| (x - sv) * 100.0;
            out.push(Cell {
                indicator_id: ind.id.clone(),
                year: m.year,
                unit_id: m.unit_id.clone(),
                breakdown: m.breakdown.clone(),
                group: m.group.clone(),
                value: if m.suppressed { None } else { m.value.map(pp) },
                numerator: None,
                denominator: None,
                n: if m.suppressed { None } else { m.n },
                ci_low: if m.suppressed { None } else { m.ci_low.map(pp) },
                ci_high: if m.suppressed {
                    None
                } else {
                    m.ci_high.map(pp)
                },
                suppressed: m.suppressed,
                source: "derived",
            });
        }
    }
    out
}
