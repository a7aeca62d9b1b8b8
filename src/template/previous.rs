//! Last year's accepted values, shown beside each row of the template.

use std::collections::HashMap;

use crate::layout::Layout;
use crate::pipeline::Pipeline;

/// Last year's accepted values, by indicator row, as the committee wrote
/// them ("12" or "12 av 40").
pub type Previous = HashMap<usize, String>;

/// The values accepted for `year`: the returns in the inbox's folder for
/// that year, validated as a run would.
pub(super) fn accepted_in(p: &Pipeline, year: i32) -> Vec<crate::validate::returns::Value> {
    let Some(inbox) = &p.returns.inbox else {
        return Vec::new();
    };
    let dir = p.resolve(inbox).join(year.to_string());
    if !dir.is_dir() {
        return Vec::new();
    }
    let (files, _) = crate::inputs::collect_files(std::slice::from_ref(&dir));
    crate::validate::returns::validate_files(p, &files, Some(year)).values
}

/// Last year's accepted values of the unit's rows, as the committee wrote them.
pub(super) fn previous_values(
    accepted: &[crate::validate::returns::Value],
    l: &Layout<'_>,
) -> Previous {
    let mut out = Previous::new();
    for (i, r) in l.indicators.iter().enumerate() {
        let found = accepted
            .iter()
            .find(|v| v.unit_id == l.unit.id && v.indicator_id == r.indicator.id && v.key == r.key);
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
