//! The strategy's frame: the period, the output folders, breakdowns, units
//! and their history, and the tree of areas, goals and measures.

use super::{Checker, suggest};
use std::collections::HashMap;

/// The period runs forward.
pub(super) fn check_period(c: &mut Checker<'_>) {
    let p = c.p;
    let period = p.strategy.period;
    if period.from > period.to {
        c.at(
            "strategy.period".into(),
            format!(
                "perioden börjar ({}) efter att den slutar ({})",
                period.from, period.to
            ),
        );
    }
}

/// The output and charts folders keep clear of every folder the pipeline reads.
pub(super) fn check_output(c: &mut Checker<'_>) {
    let p = c.p;
    let mut folders = vec![("output.dir", p.resolve(&p.output.dir))];
    if let Some(charts) = &p.output.charts {
        folders.push(("output.charts", p.resolve(charts)));
    }
    for (path, dir) in folders {
        if let Some(message) = p.output_clash(&dir) {
            c.at(path.to_string(), message);
        }
    }
}

/// Each breakdown has two or more groups, each once.
pub(super) fn check_breakdowns(c: &mut Checker<'_>) {
    let p = c.p;
    for (bi, b) in p.breakdowns.iter().enumerate() {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (gi, g) in b.groups.iter().enumerate() {
            if let Some(first) = seen.get(g.id.as_str()) {
                c.at(
                    format!("breakdowns[{bi}].groups[{gi}].id"),
                    format!(
                        "gruppen \"{}\" står två gånger i indelningen \"{}\" (första gången som groups[{first}]); ta bort den ena",
                        g.id, b.id
                    ),
                );
            } else {
                seen.insert(&g.id, gi);
            }
        }
        if b.groups.len() < 2 {
            c.at(
                format!("breakdowns[{bi}].groups"),
                format!("indelningen \"{}\" behöver minst två grupper", b.id),
            );
        }
    }
}

/// The owner exists, and the units' history holds together: dates in order, successors that take over the day after.
pub(super) fn check_units(c: &mut Checker<'_>) {
    let p = c.p;
    if p.unit(&p.strategy.owner).is_none() {
        c.at(
            "strategy.owner".into(),
            format!(
                "okänd enhet \"{}\"; ange ett id från [[units]]{}",
                p.strategy.owner,
                super::suggest(&p.strategy.owner, p.units.iter().map(|u| u.id.as_str()))
            ),
        );
    }
    for (i, u) in p.units.iter().enumerate() {
        if let (Some(from), Some(to)) = (u.valid_from, u.valid_to)
            && from > to
        {
            c.at(
                format!("units[{i}].valid_to"),
                format!("{} upphör ({to}) innan den börjar ({from})", u.name),
            );
        }
        if !u.successors.is_empty() && u.valid_to.is_none() {
            c.at(
                format!("units[{i}].successors"),
                format!(
                    "{} har efterföljare men inget slutdatum; ange valid_to",
                    u.name
                ),
            );
        }
        for (si, s) in u.successors.iter().enumerate() {
            let path = format!("units[{i}].successors[{si}]");
            match p.unit(s) {
                None => c.at(
                    path,
                    format!(
                        "okänd efterföljare \"{s}\"; ange ett id från [[units]]{}",
                        super::suggest(s, p.units.iter().map(|u| u.id.as_str()))
                    ),
                ),
                Some(succ) if s == &u.id => {
                    c.at(path, format!("{} kan inte efterträda sig själv", succ.name))
                }
                Some(succ) => {
                    if let Some(to) = u.valid_to
                        && succ.valid_from != Some(to.next_day())
                    {
                        c.at(
                            path,
                            format!(
                                "{} upphör {to}, så efterföljaren {} ska börja {} (valid_from), men börjar {}",
                                u.name,
                                succ.name,
                                to.next_day(),
                                succ.valid_from
                                    .map(|d| d.to_string())
                                    .unwrap_or_else(|| "utan datum".into())
                            ),
                        );
                    }
                }
            }
        }
    }
    check_unit_groups(c);
}

/// Each unit group's kind is one that some unit has.
fn check_unit_groups(c: &mut Checker<'_>) {
    let p = c.p;
    for (i, g) in p.unit_groups.iter().enumerate() {
        if !p.units.iter().any(|u| u.kind == g.kind) {
            let mut kinds: Vec<&str> = p.units.iter().map(|u| u.kind.as_str()).collect();
            kinds.sort_unstable();
            kinds.dedup();
            c.at(
                format!("unit_groups[{i}].kind"),
                format!(
                    "gruppen \"{}\" har inga enheter av slaget \"{}\"; ange ett slag som enheterna i [[units]] har{}",
                    g.id,
                    g.kind,
                    super::suggest(&g.kind, kinds.into_iter())
                ),
            );
        }
    }
}

/// Goals belong to areas, and measures to goals and to responsible units.
pub(super) fn check_tree(c: &mut Checker<'_>) {
    let p = c.p;
    for (i, g) in p.goals.iter().enumerate() {
        if !p.areas.iter().any(|a| a.id == g.area) {
            c.at(
                format!("goals[{i}].area"),
                format!(
                    "okänt område \"{}\"; ange ett id från [[areas]]{}",
                    g.area,
                    suggest(&g.area, p.areas.iter().map(|a| a.id.as_str()))
                ),
            );
        }
    }
    for (i, m) in p.measures.iter().enumerate() {
        if p.goal(&m.goal).is_none() {
            c.at(
                format!("measures[{i}].goal"),
                format!(
                    "okänt mål \"{}\"; ange ett id från [[goals]]{}",
                    m.goal,
                    suggest(&m.goal, p.goals.iter().map(|g| g.id.as_str()))
                ),
            );
        }
        c.responsible(
            &format!("measures[{i}]"),
            &format!("åtgärden {}", m.id),
            &m.responsible,
        );
    }
}
