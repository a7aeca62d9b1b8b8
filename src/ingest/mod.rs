//! Ingest: reading input files into plain records, refusing a file whole when
//! it cannot be trusted. Judging the values is validation's job.

pub mod archive;
pub mod cell;
pub mod csv;
pub mod file;
pub mod ods;
pub mod parquet;
pub mod returns;
pub mod sheet;
pub mod survey;
pub mod xls;

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

/// How many [`guarded`] readers are running: while any is, a panic is an
/// input the reader could not take, reported as a refusal, not a bug.
static GUARDED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Whether a panic now happens inside a [`guarded`] reader (for the panic hook).
pub fn in_guarded_reader() -> bool {
    GUARDED.load(std::sync::atomic::Ordering::SeqCst) > 0
}

/// Runs a reader over one input file; a panic inside it (the libraries that
/// parse workbooks and Parquet panic on some corrupt files) becomes a
/// refusal of that file, so one bad file never stops the others.
pub fn guarded<T>(file: &str, read: impl FnOnce() -> Result<T, Refusal>) -> Result<T, Refusal> {
    use std::sync::atomic::Ordering;
    GUARDED.fetch_add(1, Ordering::SeqCst);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(read));
    GUARDED.fetch_sub(1, Ordering::SeqCst);
    result.unwrap_or_else(|_| {
        Err(Refusal::file(
            file,
            "filen är skadad: den går inte att tolka (läsaren gav upp mitt i filen). Exportera eller spara den på nytt och skicka den igen.",
        ))
    })
}
