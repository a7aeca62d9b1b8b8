//! A finding: one thing wrong (or worth a look) in an input, with its place.
//! Every stage that reads inputs makes them; they go back to the committee as
//! they are, so the message says what is wrong and what to do, in Swedish.

use std::fmt;

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
        write!(f, "{}: {}", self.severity.swedish(), self.file)?;
        match (&self.sheet, &self.cell) {
            (Some(s), Some(c)) => write!(f, ", {s}!{c}")?,
            (Some(s), None) => write!(f, ", bladet {s}")?,
            (None, Some(c)) => write!(f, ", {c}")?,
            (None, None) => {}
        }
        write!(f, ": {}", self.message)
    }
}

impl Severity {
    /// The word a finding starts with.
    pub fn swedish(self) -> &'static str {
        match self {
            Severity::Error => "fel",
            Severity::Warning => "varning",
            Severity::Info => "info",
        }
    }
}

impl Finding {
    /// A finding about a whole file (no sheet or cell).
    pub fn file(
        severity: Severity,
        file: impl Into<String>,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            severity,
            file: file.into(),
            sheet: None,
            cell: None,
            message: message.into(),
        }
    }
}
