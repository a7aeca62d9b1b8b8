//! `uppfolj bedomning`: a start on each of a year's assessments that is not
//! written yet, holding the area's figures against their targets, what the
//! committees said of their measures and their comments, so that the analyst
//! writes the judgement beside the facts. A file that is there is left as it
//! is; a start begins with [`assessment::DRAFT_MARK`], and the report leaves
//! it out until that line is gone.

use std::fmt::Write;
use std::path::PathBuf;

use super::Options;
use super::progress::Progress;
use crate::assessment::{self, CONSULTATION, DRAFT_MARK, SUMMARY};
use crate::cache::Cache;
use crate::error::Error;
use crate::pipeline::{Area, Indicator, Pipeline, TOTAL};
use crate::results::RunData;

/// What the command did: the files it wrote, and those already there.
pub struct Started {
    pub written: Vec<PathBuf>,
    pub kept: Vec<PathBuf>,
}

/// Computes the year as a run does (offline, nothing written but the
/// starts) and writes a start for each assessment not yet there.
pub fn start_assessments(p: &Pipeline, year: i32) -> Result<Started, Error> {
    let Some(dir) = assessment::folder(p, year) else {
        return Err(Error::Usage(
            "pipelinefilen säger inte var bedömningarna ligger. Lägg till [report] assessments = \"mapp\" och kör igen.".into(),
        ));
    };
    super::execute::check_year(p, Some(year))?;
    let opts = Options {
        year: Some(year),
        offline: true,
        cache: Cache::none(),
    };
    let d = super::compute::compute(p, &opts, &mut Progress::new(true, false))?;
    std::fs::create_dir_all(&dir).map_err(|source| Error::Io {
        context: format!("kan inte skapa {}", dir.display()),
        source,
    })?;
    let mut done = Started {
        written: Vec::new(),
        kept: Vec::new(),
    };
    for (name, path) in assessment::files(p, year) {
        if path.exists() {
            done.kept.push(path);
            continue;
        }
        let text = match name.as_str() {
            SUMMARY => summary_start(p, &d),
            CONSULTATION => consultation_start(year),
            _ => match p.areas.iter().find(|a| a.id == name) {
                Some(a) => area_start(p, &d, a),
                None => continue,
            },
        };
        write_new(&path, &text)?;
        done.written.push(path);
    }
    Ok(done)
}

/// Writes a file that must not be there; one that has come since is left.
fn write_new(path: &std::path::Path, text: &str) -> Result<(), Error> {
    use std::io::Write as _;
    let io = |source| Error::Io {
        context: format!("kan inte skriva {}", path.display()),
        source,
    };
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(io)?;
    f.write_all(text.as_bytes()).map_err(io)
}

fn draft_line(what: &str) -> String {
    format!(
        "{DRAFT_MARK} {what} Skriv bedömningen här och ta bort den här raden och underlaget nedan; rapporten tar med filen först när raden är borta.\n\n"
    )
}

fn summary_start(p: &Pipeline, d: &RunData) -> String {
    let mut s = draft_line(&format!(
        "{} bedömning av {} som helhet.",
        crate::text::genitive(p.owner_name()),
        d.report_year
    ));
    s.push_str("## Underlag: målen\n\n");
    for ind in p
        .indicators
        .iter()
        .filter(|i| i.target(d.report_year).is_some())
    {
        s.push_str(&target_line(p, d, ind));
    }
    s
}

fn area_start(p: &Pipeline, d: &RunData, a: &Area) -> String {
    let year = d.report_year;
    let mut s = draft_line(&format!("Bedömningen av {} {year}.", a.title));
    let measures: Vec<_> = p
        .measures
        .iter()
        .filter(|m| p.goal(&m.goal).is_some_and(|g| g.area == a.id))
        .collect();
    s.push_str("## Underlag: indikatorerna\n\n");
    for ind in p
        .indicators
        .iter()
        .filter(|i| measures.iter().any(|m| m.id == i.measure))
    {
        s.push_str(&target_line(p, d, ind));
    }
    s.push_str("\n## Underlag: nämndernas egen bedömning av åtgärderna\n\n");
    for m in &measures {
        let _ = writeln!(s, "- Åtgärd {}: {}", m.id, own_assessments(d, &m.id));
    }
    let comments = comments_in(p, d, &a.id);
    if !comments.is_empty() {
        s.push_str("\n## Underlag: nämndernas kommentarer\n\n");
        s.push_str(&comments);
    }
    s
}

fn consultation_start(year: i32) -> String {
    draft_line(&format!(
        "Samrådet {year}: när det hölls, med vilka, vad som togs upp och vad det ändrade i uppföljningen."
    ))
}

/// "- ENK-1 Förtroende …: 38,8 % (36,1–41,7) mot målet 40,0 %: Inom felmarginalen."
fn target_line(p: &Pipeline, d: &RunData, ind: &Indicator) -> String {
    let year = d.report_year;
    let cell = d
        .city_cell(&ind.id, year, TOTAL, TOTAL)
        .filter(|c| !c.is_withheld());
    let value = cell.and_then(|c| c.value);
    let shown = value.map_or_else(|| "inget värde".to_string(), |v| ind.unit.format_unit(v));
    let interval = cell
        .and_then(|c| c.ci_low.zip(c.ci_high))
        .map(|(lo, hi)| {
            format!(
                " ({}–{})",
                ind.unit.format_table(lo),
                ind.unit.format_table(hi)
            )
        })
        .unwrap_or_default();
    let doubt = if cell.is_some_and(|c| d.doubted(c)) {
        " Värdet vilar på en uppgift som valideringen flaggade och som inte är förklarad eller godkänd."
    } else {
        ""
    };
    let Some(target) = ind.target(year) else {
        return format!("- {} {}: {shown}{interval}.{doubt}\n", ind.id, ind.title);
    };
    let complete = cell.is_none_or(|c| c.complete());
    let standing = if complete {
        crate::report::standing(
            ind,
            value,
            cell.and_then(|c| c.ci_low.zip(c.ci_high)),
            target,
            p.output.approached_within,
        )
    } else {
        crate::report::Standing::Incomplete
    };
    format!(
        "- {} {}: {shown}{interval} mot målet {}: {}.{doubt}\n",
        ind.id,
        ind.title,
        ind.unit.format_unit(target),
        standing.swedish()
    )
}

/// "3 Uppfyllt, 1 Delvis uppfyllt" of the committees' answers on a measure.
fn own_assessments(d: &RunData, measure: &str) -> String {
    use crate::pipeline::Assessment;
    let year = d.report_year;
    let answers: Vec<Option<Assessment>> = d
        .returns
        .activities
        .iter()
        .filter(|a| a.year == year && a.measure_id == measure)
        .map(|a| a.assessment)
        .collect();
    let parts: Vec<String> = [Assessment::Met, Assessment::PartlyMet, Assessment::NotMet]
        .into_iter()
        .map(|k| (k, answers.iter().filter(|a| **a == Some(k)).count()))
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| format!("{n} {}", k.label()))
        .collect();
    if parts.is_empty() {
        "ingen nämnd har gjort någon bedömning".into()
    } else {
        parts.join(", ")
    }
}

/// Each comment on the area's values this year: "- Nämnd, ID (grupp): text".
fn comments_in(p: &Pipeline, d: &RunData, area: &str) -> String {
    let mut s = String::new();
    for v in d.returns.values.iter().filter(|v| v.year == d.report_year) {
        let Some(comment) = &v.comment else { continue };
        let in_area = p
            .indicator(&v.indicator_id)
            .and_then(|i| p.measure(&i.measure))
            .and_then(|m| p.goal(&m.goal))
            .is_some_and(|g| g.area == area);
        if in_area {
            let _ = writeln!(
                s,
                "- {}, {} ({}): {}",
                p.unit_name(&v.unit_id),
                v.indicator_id,
                p.group_label(&v.key).1,
                comment.replace('\n', " ")
            );
        }
    }
    s
}
