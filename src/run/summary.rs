//! The summary a run ends with.

use std::path::{Path, PathBuf};

use super::RunOutcome;
use crate::finding::Severity;
use crate::pipeline::Pipeline;
use crate::results::RunData;

/// `pipelines/../ut` as `ut`: a path as a person would write it.
pub fn tidy(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    if out.is_empty() {
        PathBuf::from(".")
    } else {
        out.iter().collect()
    }
}

/// The summary the run ends with; its figures are those of `kvalitet.json`.
pub fn summary(p: &Pipeline, d: &RunData, out: &Path, private: &Path) -> RunOutcome {
    let mut lines = Vec::new();
    lines.push(format!("{}: rapportår {}", p.strategy.title, d.report_year));
    let returns_read = d.returns.used.len() + d.returns.refused.len();
    let mut read = vec![format!("{returns_read} återrapporteringar")];
    if p.survey.is_some() {
        let n = d.survey.respondents.len() + d.survey.refused.len();
        read.push(format!("{n} enkätfiler"));
    }
    if p.reference.is_some() {
        read.push(format!(
            "{} av {} referensserier",
            d.reference.iter().filter(|s| s.available()).count(),
            d.reference.len()
        ));
    }
    lines.push(format!("Lästa: {}", read.join(", ")));
    let refused = d.returns.refused.len() + d.survey.refused.len();
    lines.push(format!("Avvisade filer: {refused}"));
    for f in d.returns.refused.iter().chain(&d.survey.refused) {
        lines.push(format!("  {f}"));
    }
    lines.push(missing_returns(p, d));
    for s in d.reference.iter().filter(|s| s.failed()) {
        lines.push(format!("Referensstatistik: {}", s.describe_now()));
    }
    lines.extend(assessments_missing(p, d));
    let (errors, warnings) = (d.count(Severity::Error), d.count(Severity::Warning));
    lines.push(format!(
        "Fel och varningar: {errors} fel, {warnings} varningar (se kvalitet.json och {})",
        tidy(&private.join(crate::store::names::FEEDBACK)).display()
    ));
    lines.push(format!(
        "Undantagna värden: {} av {}",
        d.cells.iter().filter(|c| c.is_withheld()).count(),
        d.cells.len()
    ));
    lines.extend(folder_lines(p, out, private));
    RunOutcome {
        out: out.to_path_buf(),
        lines,
        refused,
    }
}

/// "Bedömningar som saknas för 2022: helheten, Rätten till kultur", when
/// the pipeline keeps assessments and some are not written.
fn assessments_missing(p: &Pipeline, d: &RunData) -> Option<String> {
    p.report.assessments.as_ref()?;
    let a = &d.assessments;
    let mut names: Vec<&str> = Vec::new();
    if a.summary.is_none() {
        names.push("helheten");
    }
    for id in &a.missing {
        names.push(
            p.areas
                .iter()
                .find(|x| &x.id == id)
                .map_or(id.as_str(), |x| x.title.as_str()),
        );
    }
    (!names.is_empty()).then(|| {
        format!(
            "Bedömningar som saknas för {}: {}",
            d.report_year,
            crate::text::list(&names)
        )
    })
}

/// "Saknade återrapporteringar: 1 (Skärholmens stadsdelsnämnd 2019)".
fn missing_returns(p: &Pipeline, d: &RunData) -> String {
    let missing: Vec<String> = d
        .completeness
        .iter()
        .flat_map(|c| {
            c.missing.iter().map(move |u| {
                format!(
                    "{} {}",
                    p.unit(u).map(|x| x.name.as_str()).unwrap_or(u),
                    c.year
                )
            })
        })
        .collect();
    format!(
        "Saknade återrapporteringar: {}{}",
        missing.len(),
        if missing.is_empty() {
            String::new()
        } else {
            format!(" ({})", missing.join(", "))
        }
    )
}

/// Where the run wrote what may be published, and what may not.
fn folder_lines(p: &Pipeline, out: &Path, private: &Path) -> Vec<String> {
    let mut lines = Vec::new();
    lines.push(format!("Utdata, får publiceras: {}", tidy(out).display()));
    match &p.output.cache {
        None => lines.push(format!(
            "Ej för publicering (undantagen, återkopplingen, cachen): {}",
            tidy(private).display()
        )),
        Some(cache) => {
            lines.push(format!(
                "Ej för publicering (undantagen, återkopplingen): {}",
                tidy(private).display()
            ));
            lines.push(format!(
                "Ej för publicering (cachen): {}",
                tidy(&p.resolve(cache)).display()
            ));
        }
    }
    lines
}
