//! Ids: unique within their lists, none of the reserved ones, and safe as
//! file names.

use super::Checker;
use crate::pipeline::{CITY, CROSS, Pipeline, TOTAL};
use std::collections::HashMap;

/// Ids are unique within each list.
pub(super) fn check_unique_ids(c: &mut Checker<'_>) {
    let p = c.p;
    // Unique ids. Units and unit groups share a namespace: `responsible` names either.
    c.unique(
        "units",
        "enheten",
        p.units
            .iter()
            .enumerate()
            .map(|(i, u)| (format!("units[{i}].id"), u.id.as_str()))
            .chain(
                p.unit_groups
                    .iter()
                    .enumerate()
                    .map(|(i, g)| (format!("unit_groups[{i}].id"), g.id.as_str())),
            ),
    );
    c.unique(
        "areas",
        "området",
        p.areas
            .iter()
            .enumerate()
            .map(|(i, a)| (format!("areas[{i}].id"), a.id.as_str())),
    );
    c.unique(
        "goals",
        "målet",
        p.goals
            .iter()
            .enumerate()
            .map(|(i, g)| (format!("goals[{i}].id"), g.id.as_str())),
    );
    c.unique(
        "measures",
        "åtgärden",
        p.measures
            .iter()
            .enumerate()
            .map(|(i, m)| (format!("measures[{i}].id"), m.id.as_str())),
    );
    c.unique(
        "indicators",
        "indikatorn",
        p.indicators
            .iter()
            .enumerate()
            .map(|(i, m)| (format!("indicators[{i}].id"), m.id.as_str())),
    );
    c.unique(
        "breakdowns",
        "indelningen",
        p.breakdowns
            .iter()
            .enumerate()
            .map(|(i, b)| (format!("breakdowns[{i}].id"), b.id.as_str())),
    );
}

/// `stad` (the whole city) and `total` (a total), and `+` (which joins
/// crossed keys), mean something in the indicator table: no id may be them.
pub(super) fn check_reserved_ids(c: &mut Checker<'_>) {
    let p = c.p;
    let units = p
        .units
        .iter()
        .enumerate()
        .map(|(i, u)| (format!("units[{i}].id"), u.id.as_str()));
    let groups = p
        .unit_groups
        .iter()
        .enumerate()
        .map(|(i, g)| (format!("unit_groups[{i}].id"), g.id.as_str()));
    let breakdowns = p.breakdowns.iter().enumerate().flat_map(|(bi, b)| {
        std::iter::once((format!("breakdowns[{bi}].id"), b.id.as_str())).chain(
            b.groups
                .iter()
                .enumerate()
                .map(move |(gi, g)| (format!("breakdowns[{bi}].groups[{gi}].id"), g.id.as_str())),
        )
    });
    let ids: Vec<(String, &str)> = units.chain(groups).chain(breakdowns).collect();
    for (path, id) in ids {
        if id == CITY || id == TOTAL {
            c.at(
                path,
                format!("id:t \"{id}\" är reserverat (\"{CITY}\" är hela staden och \"{TOTAL}\" en totalsumma i indikatortabellen); välj ett annat id"),
            );
        } else if id.contains(CROSS) {
            c.at(
                path,
                format!("id:t \"{id}\" får inte innehålla \"{CROSS}\", som fogar ihop korsade indelningar i indikatortabellen; välj ett annat id"),
            );
        }
    }
}

/// The longest id: ids become file names.
const MAX_ID_CHARS: usize = 64;

/// Every id of the pipeline with the path it is at: units, unit groups,
/// areas, goals, measures, indicators, breakdowns and their groups.
pub(super) fn all_ids<'p>(p: &'p Pipeline) -> Vec<(String, &'p str)> {
    let mut ids: Vec<(String, &'p str)> = Vec::new();
    let mut list = |name: &str, items: Vec<&'p str>| {
        for (i, id) in items.into_iter().enumerate() {
            ids.push((format!("{name}[{i}].id"), id));
        }
    };
    list("units", p.units.iter().map(|u| u.id.as_str()).collect());
    list(
        "unit_groups",
        p.unit_groups.iter().map(|g| g.id.as_str()).collect(),
    );
    list("areas", p.areas.iter().map(|a| a.id.as_str()).collect());
    list("goals", p.goals.iter().map(|g| g.id.as_str()).collect());
    list(
        "measures",
        p.measures.iter().map(|m| m.id.as_str()).collect(),
    );
    list(
        "indicators",
        p.indicators.iter().map(|m| m.id.as_str()).collect(),
    );
    list(
        "breakdowns",
        p.breakdowns.iter().map(|b| b.id.as_str()).collect(),
    );
    for (bi, b) in p.breakdowns.iter().enumerate() {
        for (gi, g) in b.groups.iter().enumerate() {
            ids.push((format!("breakdowns[{bi}].groups[{gi}].id"), g.id.as_str()));
        }
    }
    ids
}

/// Ids become file names (`amn-2022.xlsx`, `UTB-3.svg`), so each must be a
/// safe one: NFC, letters, digits, `-`, `_` and `.` (between other
/// characters: "1.1", never "..") only, not too long, and not
/// the same as another id of its list but for case.
pub(super) fn check_safe_ids(c: &mut Checker<'_>) {
    use unicode_normalization::{UnicodeNormalization, is_nfc};
    let p = c.p;
    let mut folded: HashMap<(String, String), (String, &str)> = HashMap::new();
    for (path, id) in all_ids(p) {
        let bad = id
            .chars()
            .find(|ch| !(ch.is_alphanumeric() || matches!(ch, '-' | '_' | '.')));
        let problem = if id.is_empty() {
            Some("id:t är tomt".to_string())
        } else if !is_nfc(id) {
            Some(format!(
                "id:t \"{}\" är skrivet med fristående accenttecken (inte Unicode NFC), så det ser ut som ett annat id men är det inte; skriv om det",
                id.escape_debug()
            ))
        } else if let Some(ch) = bad {
            Some(format!(
                "id:t \"{}\" innehåller tecknet {:?}; ett id blir filnamn och får bara ha bokstäver, siffror, -, _ och punkt",
                id.escape_debug(),
                ch
            ))
        } else if id.starts_with('.') || id.ends_with('.') || id.contains("..") {
            Some(format!(
                "id:t \"{}\" har en punkt först, sist eller två i rad; ett id blir filnamn, så punkter får bara stå mellan andra tecken (som i \"1.1\" eller \"2.3.a\")",
                id.escape_debug()
            ))
        } else if id.chars().count() > MAX_ID_CHARS {
            Some(format!(
                "id:t är längre än {MAX_ID_CHARS} tecken; ett id blir filnamn och ska vara kort"
            ))
        } else {
            None
        };
        if let Some(message) = problem {
            c.at(path, message);
            continue;
        }
        // Units' and indicators' ids name files side by side: case must not tell them apart.
        let list = path.split('[').next().unwrap_or("").to_string();
        let key: String = id.nfc().flat_map(char::to_lowercase).collect();
        if let Some((first, first_id)) = folded.get(&(list.clone(), key.clone())) {
            // The very same id twice is told by the uniqueness check.
            if *first_id != id {
                let message = format!(
                    "id:t \"{id}\" skiljer sig bara i stora och små bokstäver från id:t i {first}; filer som namnges efter dem skulle krocka, så välj ett annat id"
                );
                c.at(path, message);
            }
        } else {
            folded.insert((list, key), (path, id));
        }
    }
}
