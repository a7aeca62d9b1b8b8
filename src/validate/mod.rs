//! Validate: judges what ingest read, against the rules in the pipeline file.
//! Every finding names the file, the sheet and cell where there is one, what
//! is wrong and what to do, in Swedish: it goes back to the committee as is.

pub mod anonymity;
pub mod returns;
pub mod survey;

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The value or file is not used.
    Error,
    /// Used, but worth a look.
    Warning,
    /// For the record (e.g. the smallest group in a survey); not a problem.
    Info,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Finding {
    pub severity: Severity,
    pub file: String,
    pub sheet: Option<String>,
    pub cell: Option<String>,
    /// What is wrong and what to do.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "fel",
            Severity::Warning => "varning",
            Severity::Info => "info",
        };
        write!(f, "{severity}: {}", self.file)?;
        match (&self.sheet, &self.cell) {
            (Some(s), Some(c)) => write!(f, ", {s}!{c}")?,
            (Some(s), None) => write!(f, ", bladet {s}")?,
            (None, Some(c)) => write!(f, ", {c}")?,
            (None, None) => {}
        }
        write!(f, ": {}", self.message)
    }
}

/// File types `validate` and `run` take as committee returns.
pub const RETURN_EXTENSIONS: [&str; 4] = ["xlsx", "xlsm", "xls", "ods"];
/// File types taken as survey exports (an `.xlsx` is one where the pipeline lists it).
pub const SURVEY_EXTENSIONS: [&str; 4] = ["csv", "txt", "tsv", "parquet"];

/// Expands folders to the files in them (sorted, recursively); files named
/// directly are kept as given. Files in folders that are not returns are
/// reported, not silently passed over.
pub fn collect_files(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<Finding>) {
    let mut files = Vec::new();
    let mut findings = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut files, &mut findings);
        } else {
            files.push(p.clone());
        }
    }
    (files, findings)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>, findings: &mut Vec<Finding>) {
    let mut entries: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(e) => {
            findings.push(Finding {
                severity: Severity::Error,
                file: dir.display().to_string(),
                sheet: None,
                cell: None,
                message: format!("mappen kan inte läsas: {e}"),
            });
            return;
        }
    };
    entries.sort();
    for e in entries {
        let name = e.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') || name.starts_with("~$") {
            continue; // hidden files and Excel's lock files
        }
        if e.is_dir() {
            walk(&e, files, findings);
        } else if has_extension(&e, &RETURN_EXTENSIONS) || has_extension(&e, &SURVEY_EXTENSIONS) {
            files.push(e);
        } else {
            findings.push(Finding {
                severity: Severity::Warning,
                file: e.display().to_string(),
                sheet: None,
                cell: None,
                message: format!(
                    "filtypen känns inte igen och filen läses inte in; återrapporteringar ska vara {} och enkätfiler {}",
                    RETURN_EXTENSIONS.map(|x| format!(".{x}")).join(", "),
                    SURVEY_EXTENSIONS.map(|x| format!(".{x}")).join(", ")
                ),
            });
        }
    }
}

pub fn has_extension(path: &Path, exts: &[&str]) -> bool {
    path.extension()
        .and_then(|x| x.to_str())
        .is_some_and(|x| exts.iter().any(|e| e.eq_ignore_ascii_case(x)))
}

/// The year a file's folder names (`returns/2021/x.xlsx` → 2021), if any.
pub fn folder_year(path: &Path) -> Option<i32> {
    let name = path.parent()?.file_name()?.to_str()?;
    (name.len() == 4).then(|| name.parse().ok()).flatten()
}

/// Whether a file is a survey export rather than a committee return: a CSV or
/// Parquet file, or a workbook the pipeline lists under `[[survey.files]]` or
/// that lies beside one.
pub fn is_survey_file(p: &crate::pipeline::Pipeline, base: &Path, path: &Path) -> bool {
    if has_extension(path, &SURVEY_EXTENSIONS) {
        return true;
    }
    let Some(survey) = &p.survey else {
        return false;
    };
    let canonical = |q: &Path| q.canonicalize().ok();
    let me = canonical(path);
    let my_dir = path.parent().and_then(canonical);
    survey.files.iter().any(|f| {
        let listed = p.resolve(base, &f.path);
        let same_file = me.is_some() && canonical(&listed) == me;
        let same_dir = my_dir.is_some() && listed.parent().and_then(canonical) == my_dir;
        same_file || same_dir
    })
}
