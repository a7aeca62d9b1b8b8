//! The `uppfolj` command line. This is the one place where errors become
//! messages and exit codes.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use uppfolj::pipeline::{self, PipelineError};

#[derive(Parser)]
#[command(
    name = "uppfolj",
    version,
    about = "Yearly follow-up of a municipal strategy: committee returns, surveys, reference statistics, charts and an annual report."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Load and cross-check a pipeline file (exit 0 ok, 2 the file is wrong).
    Check {
        /// The pipeline file, e.g. pipelines/romsk-inkludering-2018-2022.toml
        pipeline: PathBuf,
    },
    /// Print the strategy tree: area → goal → measure → indicators.
    Show {
        pipeline: PathBuf,
        /// Print JSON with stable field names, for scripts.
        #[arg(long)]
        json: bool,
    },
}

/// Exit status when a command could not run (e.g. the pipeline file is wrong).
const EXIT_CANNOT_RUN: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => report(e),
    }
}

fn run(cli: Cli) -> Result<ExitCode, PipelineError> {
    match cli.command {
        Command::Check { pipeline: path } => {
            let p = pipeline::load(&path)?;
            println!(
                "{}: ok: {} områden, {} mål, {} åtgärder, {} indikatorer, {} enheter",
                path.display(),
                p.areas.len(),
                p.goals.len(),
                p.measures.len(),
                p.indicators.len(),
                p.units.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Show {
            pipeline: path,
            json,
        } => {
            let p = pipeline::load(&path)?;
            if json {
                print!("{}", uppfolj::show::json(&p));
            } else {
                print!("{}", uppfolj::show::text(&p));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn report(e: PipelineError) -> ExitCode {
    match &e {
        PipelineError::Invalid { path, problems } => {
            for pr in problems {
                let place = match pr.line {
                    Some(l) => format!("{}:{l}", path.display()),
                    None => path.display().to_string(),
                };
                if pr.path.is_empty() {
                    eprintln!("{place}: {}", pr.message);
                } else {
                    eprintln!("{place}: {}: {}", pr.path, pr.message);
                }
            }
            eprintln!("fel: {e}. Rätta felen ovan och kör `uppfolj check` igen.");
        }
        PipelineError::Io { .. } => eprintln!("fel: {e}"),
    }
    ExitCode::from(EXIT_CANNOT_RUN)
}
