//! `uppfolj show`: the strategy as a tree, for people (text) or scripts (JSON).

use serde::Serialize;

use crate::pipeline::{Indicator, MeasureForm, Pipeline, Publication, Strategy};

/// The tree with stable field names: `areas[].goals[].measures[].indicators[]`, `units[]`.
#[derive(Serialize)]
pub struct Tree<'p> {
    pub strategy: &'p Strategy,
    pub areas: Vec<AreaNode<'p>>,
    pub units: Vec<UnitNode<'p>>,
    pub unit_groups: &'p [crate::pipeline::UnitGroup],
    pub breakdowns: &'p [crate::pipeline::Breakdown],
    pub disclosure: &'p crate::pipeline::Disclosure,
}

#[derive(Serialize)]
pub struct AreaNode<'p> {
    pub id: &'p str,
    pub title: &'p str,
    pub goals: Vec<GoalNode<'p>>,
}

#[derive(Serialize)]
pub struct GoalNode<'p> {
    pub id: &'p str,
    pub title: &'p str,
    pub measures: Vec<MeasureNode<'p>>,
}

#[derive(Serialize)]
pub struct MeasureNode<'p> {
    pub id: &'p str,
    pub form: MeasureForm,
    pub text: &'p str,
    pub responsible: &'p [String],
    pub named_as: Option<&'p str>,
    pub indicators: Vec<&'p Indicator>,
}

#[derive(Serialize)]
pub struct UnitNode<'p> {
    #[serde(flatten)]
    pub unit: &'p crate::pipeline::Unit,
    /// The strategy's years in which the unit reports (exists on 31 December).
    pub reports_in: Vec<i32>,
}

pub fn tree(p: &Pipeline) -> Tree<'_> {
    let areas = p
        .areas
        .iter()
        .map(|a| AreaNode {
            id: &a.id,
            title: &a.title,
            goals: p
                .goals
                .iter()
                .filter(|g| g.area == a.id)
                .map(|g| GoalNode {
                    id: &g.id,
                    title: &g.title,
                    measures: p
                        .measures
                        .iter()
                        .filter(|m| m.goal == g.id)
                        .map(|m| MeasureNode {
                            id: &m.id,
                            form: m.form,
                            text: &m.text,
                            responsible: &m.responsible,
                            named_as: m.named_as.as_deref(),
                            indicators: p.indicators.iter().filter(|i| i.measure == m.id).collect(),
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    let units = p
        .units
        .iter()
        .map(|u| UnitNode {
            unit: u,
            reports_in: p
                .strategy
                .period
                .years()
                .filter(|y| u.reports_in(*y))
                .collect(),
        })
        .collect();
    Tree {
        strategy: &p.strategy,
        areas,
        units,
        unit_groups: &p.unit_groups,
        breakdowns: &p.breakdowns,
        disclosure: &p.disclosure,
    }
}

pub fn json(p: &Pipeline) -> Result<String, crate::error::Error> {
    let json = serde_json::to_string_pretty(&tree(p)).map_err(|e| crate::error::Error::Output {
        file: "JSON-utdata".into(),
        reason: e.to_string(),
    })?;
    Ok(json + "\n")
}

fn responsible_names(p: &Pipeline, refs: &[String]) -> String {
    refs.iter()
        .map(|r| {
            p.unit(r)
                .map(|u| u.name.clone())
                .or_else(|| p.unit_group(r).map(|g| g.name.clone()))
                .unwrap_or_else(|| r.clone())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn indicator_line(p: &Pipeline, i: &Indicator) -> String {
    let mut facts = vec![i.unit.id().to_string(), i.source.label().to_string()];
    if !i.breakdowns.is_empty() {
        let names: Vec<String> = i
            .breakdowns
            .iter()
            .map(|b| {
                p.breakdown(b)
                    .map(|b| b.title.to_lowercase())
                    .unwrap_or_else(|| b.clone())
            })
            .collect();
        facts.push(format!(
            "per {}",
            names.join(if i.crossed { " × " } else { ", " })
        ));
    }
    if i.publication == Publication::City {
        facts.push("publiceras för hela staden".into());
    }
    format!(
        "{}  {} ({}); ansvar: {}",
        i.id,
        i.title,
        facts.join(", "),
        responsible_names(p, &i.responsible)
    )
}

pub fn text(p: &Pipeline) -> String {
    use std::fmt::Write;
    let t = tree(p);
    let mut out = String::new();
    let s = &p.strategy;
    let owner = p
        .unit(&s.owner)
        .map(|u| u.name.as_str())
        .unwrap_or(&s.owner);
    let _ = writeln!(out, "{} ({})", s.title, s.id);
    let _ = writeln!(
        out,
        "Period {}–{}, ägare {}",
        s.period.from, s.period.to, owner
    );
    for a in &t.areas {
        let _ = writeln!(out, "\n{}  {}", a.id, a.title);
        for g in &a.goals {
            let _ = writeln!(out, "  {}  {}", g.id, g.title);
            for m in &g.measures {
                let form = match m.form {
                    MeasureForm::Bullet => "punkt",
                    MeasureForm::Prose => "löptext",
                };
                let _ = writeln!(out, "    {}  [{}] {}", m.id, form, m.text);
                let _ = writeln!(
                    out,
                    "          ansvar: {}{}",
                    responsible_names(p, m.responsible),
                    m.named_as
                        .map(|n| format!(" (i strategin: {n})"))
                        .unwrap_or_default()
                );
                for i in &m.indicators {
                    let _ = writeln!(out, "      {}", indicator_line(p, i));
                }
            }
        }
    }
    let _ = writeln!(out, "\nRapporterande enheter");
    for u in &t.units {
        let mut when = String::new();
        if let Some(f) = u.unit.valid_from {
            when.push_str(&format!(" från {f}"));
        }
        if let Some(to) = u.unit.valid_to {
            when.push_str(&format!(" till {to}"));
        }
        let succ = if u.unit.successors.is_empty() {
            String::new()
        } else {
            format!(
                "; efterträds av {}",
                responsible_names(p, &u.unit.successors)
            )
        };
        let years = match (u.reports_in.first(), u.reports_in.last()) {
            (Some(a), Some(b)) if a == b => format!("rapporterar {a}"),
            (Some(a), Some(b)) => format!("rapporterar {a}–{b}"),
            _ => "rapporterar inte under perioden".into(),
        };
        let _ = writeln!(
            out,
            "  {:<22} {}{}{} ({})",
            u.unit.id, u.unit.name, when, succ, years
        );
    }
    out
}

/// What `uppfolj check` says of a pipeline file that loaded.
pub fn checked(path: &std::path::Path, p: &Pipeline) -> String {
    format!(
        "{}: ok: {} områden, {} mål, {} åtgärder, {} indikatorer, {} enheter",
        path.display(),
        p.areas.len(),
        p.goals.len(),
        p.measures.len(),
        p.indicators.len(),
        p.units.len()
    )
}
