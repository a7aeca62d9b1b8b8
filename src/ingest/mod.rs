//! Ingest: reading input files into plain records, refusing a file whole when
//! it cannot be trusted. Judging the values is validation's job.

pub mod archive;
pub mod cell;
pub mod csv;
pub mod file;
mod guard;
pub mod kind;
pub mod ods;
pub mod package;
pub mod parquet;
pub mod returns;
pub mod sheet;
pub mod small_ints;
pub mod survey;
pub mod xls;

pub use guard::{guarded, in_guarded_reader, panics_caught, plant_panic};

/// Why a file was refused as a whole.
#[derive(Clone, Debug, thiserror::Error, serde::Serialize, serde::Deserialize)]
#[error("{file}: {message}")]
pub struct Refusal {
    pub file: String,
    pub sheet: Option<String>,
    pub cell: Option<String>,
    pub message: String,
}

impl Refusal {
    /// A refusal of a whole file, with no sheet or cell to point at.
    pub fn file(file: impl Into<String>, message: impl Into<String>) -> Refusal {
        Refusal {
            file: file.into(),
            sheet: None,
            cell: None,
            message: message.into(),
        }
    }

    /// A refusal that points at a sheet, and a cell in it, where there is one.
    pub fn at(file: &str, sheet: Option<&str>, cell: Option<String>, message: String) -> Refusal {
        Refusal {
            file: file.to_string(),
            sheet: sheet.map(str::to_string),
            cell,
            message,
        }
    }
}
