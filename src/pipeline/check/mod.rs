//! Cross-checks a pipeline whose fields all read: references resolve, ids are
//! unique, years fall in the period, and responsibility matches the units that
//! existed.

use std::collections::HashMap;

use crate::pipeline::{Pipeline, Problem};

mod ids;
mod indicators;
mod sources;
mod structure;

use ids::{check_reserved_ids, check_safe_ids, check_unique_ids};
use indicators::{
    check_city_only, check_derivation, check_indicator_refs, check_indicator_values,
    check_indicator_years,
};
use sources::{check_reference, check_survey};
use structure::{check_breakdowns, check_output, check_period, check_tree, check_units};

struct Checker<'p> {
    p: &'p Pipeline,
    problems: Vec<Problem>,
}

impl Checker<'_> {
    fn at(&mut self, path: String, message: String) {
        let line = self.p.line_of(&path);
        self.problems.push(Problem {
            line,
            path,
            message,
        });
    }

    /// Reports ids used twice within one list.
    fn unique<'a>(&mut self, list: &str, what: &str, ids: impl Iterator<Item = (String, &'a str)>) {
        let mut seen: HashMap<&str, String> = HashMap::new();
        for (path, id) in ids {
            if let Some(first) = seen.get(id) {
                let first_line = self
                    .p
                    .line_of(first)
                    .map(|l| format!(" (rad {l})"))
                    .unwrap_or_default();
                self.at(
                    path,
                    format!(
                        "{what} \"{id}\" finns redan i {first}{first_line}; varje id i [[{list}]] måste vara unikt"
                    ),
                );
            } else {
                seen.insert(id, path);
            }
        }
    }

    fn responsible(&mut self, path: &str, what: &str, refs: &[String]) {
        let p = self.p;
        if refs.is_empty() {
            self.at(
                join_key(path, "responsible"),
                format!(
                    "{what} har ingen ansvarig enhet; ange minst en i `responsible`, t.ex. responsible = [\"{}\"]",
                    p.units.first().map(|u| u.id.as_str()).unwrap_or("ks")
                ),
            );
        }
        for (i, r) in refs.iter().enumerate() {
            let rpath = format!("{path}.responsible[{i}]");
            if let Some(u) = p.unit(r) {
                let missing: Vec<i32> = p
                    .strategy
                    .period
                    .years()
                    .filter(|y| !u.reports_in(*y))
                    .collect();
                if !missing.is_empty() {
                    self.at(
                        rpath,
                        format!(
                            "{what} har \"{r}\" som ansvarig, men {} fanns inte (den 31 december) år {}; ange den enhet som fanns, eller gruppen för enheter av samma slag",
                            u.name,
                            years_text(&missing)
                        ),
                    );
                }
            } else if let Some(g) = p.unit_group(r) {
                let empty: Vec<i32> = p
                    .strategy
                    .period
                    .years()
                    .filter(|y| !p.units_reporting(*y).any(|u| u.kind == g.kind))
                    .collect();
                if !empty.is_empty() {
                    self.at(
                        rpath,
                        format!("gruppen \"{r}\" har inga enheter år {}", years_text(&empty)),
                    );
                }
            } else {
                self.at(
                    rpath,
                    format!(
                        "okänd enhet \"{r}\"; ange ett id från [[units]] eller [[unit_groups]]{}",
                        suggest(
                            r,
                            p.units
                                .iter()
                                .map(|u| u.id.as_str())
                                .chain(p.unit_groups.iter().map(|g| g.id.as_str()))
                        )
                    ),
                );
            }
        }
    }
}

fn join_key(path: &str, key: &str) -> String {
    format!("{path}.{key}")
}

fn years_text(years: &[i32]) -> String {
    match years {
        [] => String::new(),
        [y] => y.to_string(),
        [first, .., last] if (*last - *first) as usize + 1 == years.len() => {
            format!("{first}–{last}")
        }
        _ => years
            .iter()
            .map(|y| y.to_string())
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// " (menade du \"X\"?)" for the nearest known ids, if any is close.
fn suggest<'a>(word: &str, known: impl Iterator<Item = &'a str>) -> String {
    let lower = word.to_lowercase();
    let scored: Vec<(usize, &str)> = known
        .map(|k| (super::read::edit_distance(&lower, &k.to_lowercase()), k))
        .filter(|(d, _)| *d <= 1.max(lower.chars().count() / 3))
        .collect();
    let Some(best) = scored.iter().map(|(d, _)| *d).min() else {
        return String::new();
    };
    let names: Vec<String> = scored
        .iter()
        .filter(|(d, _)| *d == best)
        .map(|(_, k)| format!("\"{k}\""))
        .collect();
    // Many equally near ids are no help.
    if names.len() > 2 {
        return String::new();
    }
    format!(" (menade du {}?)", names.join(" eller "))
}

pub(super) fn check(p: &Pipeline) -> Vec<Problem> {
    let mut c = Checker {
        p,
        problems: Vec::new(),
    };
    check_period(&mut c);
    check_unique_ids(&mut c);
    check_reserved_ids(&mut c);
    check_safe_ids(&mut c);
    check_output(&mut c);
    check_breakdowns(&mut c);
    check_units(&mut c);
    check_tree(&mut c);
    for (i, ind) in p.indicators.iter().enumerate() {
        let path = format!("indicators[{i}]");
        check_indicator_refs(&mut c, &path, ind);
        check_indicator_years(&mut c, &path, ind);
        check_indicator_values(&mut c, &path, ind);
        check_derivation(&mut c, &path, ind);
    }
    check_survey(&mut c);
    check_reference(&mut c);
    check_city_only(&mut c);
    c.problems
}
