//! The errors a command can end with. `main` turns them into messages and
//! exit codes in one place.

use crate::pipeline::PipelineError;
use crate::template::TemplateError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    /// The command was given something it cannot work with.
    #[error("{0}")]
    Usage(String),
}
