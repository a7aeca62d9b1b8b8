//! A finding: one thing wrong (or worth a look) in an input, with its place.
//! Every stage that reads inputs makes them; they go back to the committee as
//! they are, so the message says what is wrong and what to do, in Swedish.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The value or file is not used.
    Error,
    /// Used, but worth a look.
    Warning,
    /// Was worth a look, and the committee explained it in the return's
    /// comment column: not an open warning any more.
    Explained,
    /// For the record (e.g. the smallest group in a survey); not a problem.
    Info,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Finding {
    pub severity: Severity,
    pub file: String,
    pub sheet: Option<String>,
    pub cell: Option<String>,
    /// What the cell concerns, e.g. `ARB-5 ”Andel i arbete”, Kvinna`, so
    /// that nobody has to look the row up.
    pub about: Option<String>,
    /// What is wrong and what to do.
    pub message: String,
    /// The value it is about, as fields to filter on; none for a finding
    /// about a file, a sheet or an activity.
    #[serde(flatten, default)]
    pub subject: Option<Subject>,
}

/// The value a finding is about: the indicator table's own key.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Subject {
    pub unit_id: String,
    pub year: i32,
    pub indicator_id: String,
    pub breakdown: String,
    pub group: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.severity.label(), self.file)?;
        let place = self.place();
        if !place.is_empty() {
            write!(f, ", {place}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Each severity: its id (as JSON and the portal's log keep it), the word a
/// finding starts with, and its class on a page.
const SEVERITIES: [(Severity, &str, &str); 4] = [
    (Severity::Error, "fel", "error"),
    (Severity::Warning, "varning", "warning"),
    (Severity::Explained, "förklarad", "explained"),
    (Severity::Info, "info", "info"),
];

impl Severity {
    /// The word a finding starts with.
    pub fn label(self) -> &'static str {
        Self::row(self).1
    }

    /// Its class on a page.
    pub fn class(self) -> &'static str {
        Self::row(self).2
    }

    /// The severity its word names (as the portal's log kept it before it
    /// kept ids).
    pub fn from_label(word: &str) -> Option<Severity> {
        SEVERITIES.iter().find(|r| r.1 == word).map(|r| r.0)
    }

    fn row(self) -> (Severity, &'static str, &'static str) {
        SEVERITIES
            .into_iter()
            .find(|r| r.0 == self)
            .unwrap_or(SEVERITIES[0])
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
            about: None,
            message: message.into(),
            subject: None,
        }
    }

    /// Sheet and cell, and what the cell concerns: `Indikatorer!D9 (ARB-5
    /// ”Andel i arbete”, Kvinna)`; empty for a finding about a whole file.
    pub fn place(&self) -> String {
        let cell = match (&self.sheet, &self.cell) {
            (Some(s), Some(c)) => format!("{s}!{c}"),
            (Some(s), None) => format!("bladet {s}"),
            (None, Some(c)) => c.clone(),
            (None, None) => String::new(),
        };
        match &self.about {
            Some(a) if cell.is_empty() => a.clone(),
            Some(a) => format!("{cell} ({a})"),
            None => cell,
        }
    }
}
