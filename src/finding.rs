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
    /// Whose return, which year and which value it is about, as fields to
    /// filter on: each is null where the finding is not about one (a file
    /// refused whole has none; an activity has no indicator).
    #[serde(flatten, default)]
    pub subject: Subject,
}

/// What a finding is about, as the indicator table keys it.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Subject {
    pub unit_id: Option<String>,
    pub year: Option<i32>,
    pub indicator_id: Option<String>,
    pub breakdown: Option<String>,
    pub group: Option<String>,
}

impl Subject {
    /// A return's unit and year, with no value in it.
    pub fn of_return(unit_id: &str, year: i32) -> Subject {
        Subject {
            unit_id: Some(unit_id.to_string()),
            year: Some(year),
            ..Subject::default()
        }
    }

    /// The unit and year of a finding about a value, `None` for any other.
    pub fn value_of(&self) -> Option<(&str, i32)> {
        self.indicator_id.as_ref()?;
        Some((self.unit_id.as_deref()?, self.year?))
    }
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
            subject: Subject::default(),
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
