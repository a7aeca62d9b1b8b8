//! The anonymous survey: its files, codebooks and breakdowns, and what a
//! survey indicator counts.

use std::path::PathBuf;

use serde::Serialize;

/// The anonymous survey: where the files are, how to read each year's file
/// (the codebook), and how anonymity is checked.
#[derive(Clone, Debug, Serialize)]
pub struct Survey {
    /// A file whose smallest group over the quasi-identifiers is below this is refused.
    pub k_anonymity: u32,
    /// The quasi-identifying variables: together they could single someone out.
    pub quasi_identifiers: Vec<String>,
    /// If set, a file below k may be kept by coarsening this variable to the whole city.
    pub coarsen: Option<String>,
    /// Answer values (after the codebook) that mean "no answer", e.g. "Vet ej".
    pub missing: Vec<String>,
    /// How each breakdown's groups are formed from a survey variable.
    pub breakdowns: Vec<SurveyBreakdown>,
    /// What the report calls a variable, e.g. `omrade` → "område".
    pub labels: Vec<(String, String)>,
    /// Who the survey's city-wide figures are about, as the report and the
    /// charts say it, e.g. "romska svarande i hela staden".
    pub who: Option<String>,
    pub files: Vec<SurveyFile>,
    pub codebooks: Vec<Codebook>,
    /// A survey file larger than this is refused before it is opened.
    pub max_bytes: u64,
}

/// The default cap on a survey file: about five million respondents as CSV.
pub const SURVEY_MAX_BYTES: u64 = 500_000_000;

#[derive(Clone, Debug, Serialize)]
pub struct SurveyBreakdown {
    /// A breakdown id from `[[breakdowns]]`.
    pub id: String,
    pub variable: String,
    /// Group id → the variable's values that belong to it.
    pub groups: Vec<(String, Vec<String>)>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SurveyFile {
    pub year: i32,
    /// Relative to the pipeline file's folder.
    pub path: PathBuf,
    pub codebook: String,
}

/// How one version of the questionnaire is laid out in its file.
#[derive(Clone, Debug, Serialize)]
pub struct Codebook {
    pub id: String,
    /// The column with each respondent's weight, if the survey is weighted.
    pub weight: Option<String>,
    pub variables: Vec<CodebookVariable>,
}

#[derive(Clone, Debug, Serialize)]
pub struct CodebookVariable {
    pub name: String,
    pub column: String,
    /// Answer code or label as found in the file → its value. Matched trimmed
    /// and case-insensitively.
    pub codes: Vec<(String, String)>,
}

impl Codebook {
    pub fn variable(&self, name: &str) -> Option<&CodebookVariable> {
        self.variables.iter().find(|v| v.name == name)
    }
}

impl Survey {
    pub fn codebook(&self, id: &str) -> Option<&Codebook> {
        self.codebooks.iter().find(|c| c.id == id)
    }
    pub fn breakdown(&self, id: &str) -> Option<&SurveyBreakdown> {
        self.breakdowns.iter().find(|b| b.id == id)
    }
    /// A variable as the report names it: its label, or its name.
    pub fn label<'a>(&'a self, variable: &'a str) -> &'a str {
        self.labels
            .iter()
            .find(|(v, _)| v == variable)
            .map_or(variable, |(_, l)| l.as_str())
    }

    pub fn is_missing(&self, value: &str) -> bool {
        let v = value.trim();
        v.is_empty()
            || self
                .missing
                .iter()
                .any(|m| m.trim().to_lowercase() == v.to_lowercase())
    }
}

/// What a survey indicator counts.
#[derive(Clone, Debug, Serialize)]
pub struct SurveyMeasure {
    /// The answer variable; respondents with a missing answer are left out.
    pub variable: String,
    /// Answers that count towards the numerator.
    pub numerator: Vec<String>,
    /// Only respondents whose variables take these values, e.g. ages 20–64.
    pub population: Vec<(String, Vec<String>)>,
}
