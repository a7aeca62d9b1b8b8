//! Validate: judges what ingest read, against the rules in the pipeline file.
//! Every finding names the file, the sheet and cell where there is one, what
//! is wrong and what to do, in Swedish: it goes back to the committee as is.

pub mod anonymity;
pub mod last_year;
pub mod returns;
pub mod survey;

use crate::finding::{Finding, Severity};

use std::path::PathBuf;

use serde::Serialize;

use crate::inputs::{self, Missing};
use crate::pipeline::Pipeline;
use crate::text::Count;

/// What checking a set of files found.
#[derive(Debug, Default)]
pub struct Checked {
    pub findings: Vec<Finding>,
    /// Files refused whole.
    pub refused: Vec<String>,
}

/// Checks returns and survey files, each by the rules for its kind; `year`
/// is the year they must report on, if the user named one.
pub fn check_files(p: &Pipeline, files: &[PathBuf], year: Option<i32>) -> Checked {
    let mut places = crate::inputs::SurveyPlaces::of(p);
    let (surveys, returns): (Vec<PathBuf>, Vec<PathBuf>) =
        files.iter().cloned().partition(|f| places.holds(f));
    let mut out = Checked::default();
    if !returns.is_empty() {
        let o = returns::validate_files(p, &returns, year);
        out.findings.extend(o.findings);
        out.refused.extend(o.refused);
    }
    if !surveys.is_empty() {
        let o = survey::validate_files(p, &surveys, year);
        out.findings.extend(o.findings);
        out.refused.extend(o.refused);
    }
    out
}

/// What `uppfolj validate` found in the inputs named on its command line,
/// downloaded ones named by their URL. The fields are in the order the JSON
/// has always had them (alphabetical).
#[derive(Debug, Serialize)]
pub struct Report {
    pub errors: usize,
    pub files: usize,
    pub findings: Vec<Finding>,
    pub refused: Vec<String>,
    pub warnings: usize,
}

/// Gathers the inputs on a command line (folders expanded, URLs downloaded)
/// and checks them.
pub fn execute(p: &Pipeline, args: &[PathBuf], year: Option<i32>) -> Result<Report, Missing> {
    let mut gathered = inputs::gather(p, args)?;
    let checked = check_files(p, &gathered.files, year);
    let mut findings = std::mem::take(&mut gathered.findings);
    findings.extend(checked.findings);
    for f in findings.iter_mut() {
        f.file = gathered.name(&f.file).to_string();
    }
    let refused = checked
        .refused
        .iter()
        .map(|r| gathered.name(r).to_string())
        .collect();
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    Ok(Report {
        errors: count(Severity::Error),
        warnings: count(Severity::Warning),
        files: gathered.files.len(),
        findings,
        refused,
    })
}

impl Report {
    /// Errors and warnings together: what makes the exit status 1.
    pub fn problems(&self) -> usize {
        self.errors + self.warnings
    }

    /// The findings one a line, then the summary.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for f in &self.findings {
            out.push_str(&format!("{f}\n"));
        }
        let read = if self.files == 1 { "läst" } else { "lästa" };
        out.push_str(&format!(
            "{} {read}, {} avvisade; {} fel och {}.\n",
            Count(self.files, "fil", "filer"),
            self.refused.len(),
            self.errors,
            Count(self.warnings, "varning", "varningar")
        ));
        out
    }
}
