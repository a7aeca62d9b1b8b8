//! Last year's accepted values, shown beside each row of the template.

use std::collections::HashMap;

use crate::layout::Layout;
use crate::pipeline::Pipeline;

/// Last year's accepted values, by indicator row, as the committee wrote
/// them ("12" or "12 av 40").
pub type Previous = HashMap<usize, String>;

/// The values accepted for `year`, as the rules compare with them.
pub(super) fn accepted_in(p: &Pipeline, year: i32) -> Vec<crate::validate::returns::Value> {
    crate::validate::last_year::accepted_in(p, year, &crate::cache::Cache::none())
}

/// Last year's accepted values of the unit's rows, as the committee wrote
/// them, found as the rules find them (a merged district's first year: its
/// predecessors' together).
pub(super) fn previous_values(
    p: &Pipeline,
    accepted: &[crate::validate::returns::Value],
    l: &Layout<'_>,
) -> Previous {
    let last = crate::validate::last_year::LastYear::new(p, accepted);
    let mut out = Previous::new();
    for (i, r) in l.indicators.iter().enumerate() {
        let found = last.of(&l.unit.id, l.year, &r.indicator.id, &r.key);
        let text = found.and_then(|v| match (v.numerator, v.denominator) {
            (Some(n), Some(d)) if r.is_share() => Some(format!(
                "{} av {}",
                crate::text::number(n),
                crate::text::number(d)
            )),
            _ if r.is_share() => None,
            _ => v.value.map(crate::text::number),
        });
        if let Some(text) = text {
            out.insert(i, text);
        }
    }
    out
}
