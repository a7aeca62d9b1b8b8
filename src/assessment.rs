//! The owner's own assessment of the year, written in Markdown beside the
//! figures: one file for the whole (`sammanfattning.md`), one per area
//! (`<area id>.md`) and one for the consultation the follow-up holds with
//! those it concerns (`samrad.md`), in a folder per year under
//! `[report] assessments`. Each file is checked for identifiers before
//! anything keeps it: one that holds one is left out whole, never quoted.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::finding::{Finding, Severity};
use crate::pipeline::Pipeline;

/// The file for the whole year.
pub const SUMMARY: &str = "sammanfattning";
/// The file on the consultation.
pub const CONSULTATION: &str = "samrad";
/// The most a file may hold: an assessment is a few pages of text.
pub const MAX_BYTES: u64 = 200_000;
/// How a starting file begins; one that still does is not yet written.
pub const DRAFT_MARK: &str = "UTKAST:";

/// What the owner wrote for a year, as Markdown that passed the checks.
#[derive(Clone, Debug, Default)]
pub struct Assessments {
    pub summary: Option<String>,
    /// By area id.
    pub areas: BTreeMap<String, String>,
    pub consultation: Option<String>,
    /// The areas without one, in the pipeline's order.
    pub missing: Vec<String>,
}

/// The folder of a year's assessments, when the pipeline has one.
pub fn folder(p: &Pipeline, year: i32) -> Option<PathBuf> {
    let dir = p.report.assessments.as_ref()?;
    Some(p.resolve(dir).join(year.to_string()))
}

/// Every file a year may have: the summary, each area's, the consultation.
pub fn files(p: &Pipeline, year: i32) -> Vec<(String, PathBuf)> {
    let Some(dir) = folder(p, year) else {
        return Vec::new();
    };
    let names = std::iter::once(SUMMARY.to_string())
        .chain(p.areas.iter().map(|a| a.id.clone()))
        .chain(std::iter::once(CONSULTATION.to_string()));
    names
        .map(|n| {
            let path = dir.join(format!("{n}.md"));
            (n, path)
        })
        .collect()
}

/// Reads a year's files; what is wrong with one, or missing, is a finding.
pub fn read(p: &Pipeline, year: i32) -> (Assessments, Vec<Finding>) {
    let mut out = Assessments::default();
    let mut findings = Vec::new();
    for (name, path) in files(p, year) {
        let text = match read_one(&path) {
            Ok(Some(t)) => Some(t),
            Ok(None) => None,
            Err(message) => {
                findings.push(Finding::file(
                    Severity::Error,
                    path.display().to_string(),
                    message,
                ));
                None
            }
        };
        if text.is_none() {
            findings.extend(missing(p, year, &name, &path));
        }
        match (name.as_str(), text) {
            (SUMMARY, t) => out.summary = t,
            (CONSULTATION, t) => out.consultation = t,
            (_, Some(t)) => _ = out.areas.insert(name, t),
            (_, None) => out.missing.push(name),
        }
    }
    (out, findings)
}

/// A file that is not there, or not yet written, said as the reader needs it.
fn missing(p: &Pipeline, year: i32, name: &str, path: &Path) -> Option<Finding> {
    let what = match name {
        SUMMARY => format!("Det finns ingen övergripande bedömning för {year}"),
        CONSULTATION => return None,
        _ => format!(
            "Området {} har ingen bedömning för {year}",
            p.areas
                .iter()
                .find(|a| a.id == name)
                .map(|a| a.title.as_str())
                .unwrap_or(name)
        ),
    };
    Some(Finding::file(
        Severity::Warning,
        path.display().to_string(),
        format!(
            "{what}. Skriv den i filen (Markdown), eller låt `uppfolj bedomning` skriva en början med årets siffror."
        ),
    ))
}

/// One file's text: `None` when it is not there or still a draft.
fn read_one(path: &Path) -> Result<Option<String>, String> {
    let size = match std::fs::metadata(path) {
        Ok(m) if m.is_file() => m.len(),
        Ok(_) => return Err("är ingen fil. Lägg bedömningen i en textfil med det namnet.".into()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("kan inte läsas: {}.", crate::text::io_error(&e))),
    };
    if size > MAX_BYTES {
        return Err(format!(
            "är {} kB; en bedömning får vara högst {} kB. Korta texten.",
            size / 1000,
            MAX_BYTES / 1000
        ));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| format!("kan inte läsas: {}.", crate::text::io_error(&e)))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let line = 1 + e.as_bytes()[..e.utf8_error().valid_up_to()].iter().filter(|b| **b == b'\n').count();
        format!("rad {line}: texten är inte UTF-8. Spara filen som UTF-8 (i Anteckningar: Spara som, Kodning UTF-8).")
    })?;
    check(&text)?;
    let text = text.trim_start_matches('\u{feff}');
    if text.trim_start().starts_with(DRAFT_MARK) {
        return Ok(None);
    }
    Ok(Some(text.to_string()))
}

/// Refuses a text that holds an identifier, naming the line, never the text.
fn check(text: &str) -> Result<(), String> {
    for (i, line) in text.lines().enumerate() {
        if let Some(found) = crate::validate::anonymity::scan(line) {
            return Err(format!(
                "rad {}: innehåller något som liknar {}. En bedömning som publiceras får inte ha personuppgifter; ta bort den. Filen används inte förrän den är borta.",
                i + 1,
                found.swedish()
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_identifier_refuses_the_text_by_line_without_quoting_it() {
        let e = check("Bra år.\nRing 070-123 45 67 om du undrar.").unwrap_err();
        assert!(
            e.starts_with("rad 2: innehåller något som liknar ett telefonnummer."),
            "{e}"
        );
        assert!(!e.contains("070"));
        assert!(check("Andelen ökade från 34,1 % till 38,8 % 2022.").is_ok());
    }
}
