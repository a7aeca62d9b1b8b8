//! The errors a command can end with. `main` turns them into messages and
//! exit codes in one place.

use crate::disclose::AuditFailure;
use crate::pipeline::PipelineError;
use crate::template::TemplateError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error("{context}: {}", crate::text::io_error(source))]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Missing(#[from] crate::inputs::Missing),
    #[error(transparent)]
    NothingToFetch(#[from] crate::reference::NothingToFetch),
    /// The command was given something it cannot work with.
    #[error("{0}")]
    Usage(String),
    /// Disclosure control could not prove a table safe: nothing is published.
    #[error("{0}. Inget har publicerats; rapportera felet till den som underhåller uppfolj")]
    Audit(#[from] AuditFailure),
    /// A computation inside the run failed (in polars).
    #[error("{what} kunde inte beräknas: {reason}")]
    Compute { what: String, reason: String },
    /// An output file could not be made.
    #[error(
        "{file} kunde inte skrivas: {reason}. Kontrollera att mappen går att skriva i och att disken har plats"
    )]
    Output { file: String, reason: String },
}

impl Error {
    /// An I/O error with what was being done.
    pub fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> Error {
        let context = context.into();
        move |source| Error::Io { context, source }
    }

    /// An I/O error while writing `path`.
    pub fn writing(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> Error {
        Error::io(format!("kan inte skriva {}", path.display()))
    }
}

impl Error {
    /// What the command line says on stderr when a command ends with this
    /// error: a problem in the pipeline file a line each, then the error.
    pub fn messages(&self) -> Vec<String> {
        let Error::Pipeline(PipelineError::Invalid { path, problems }) = self else {
            return vec![format!("fel: {self}")];
        };
        let mut lines: Vec<String> = problems
            .iter()
            .map(|pr| {
                let place = match pr.line {
                    Some(l) => format!("{}:{l}", path.display()),
                    None => path.display().to_string(),
                };
                match pr.path.is_empty() {
                    true => format!("{place}: {}", pr.message),
                    false => format!("{place}: {}: {}", pr.path, pr.message),
                }
            })
            .collect();
        lines.push(format!(
            "fel: {self}. Rätta felen ovan och kör `uppfolj check` igen."
        ));
        lines
    }
}
