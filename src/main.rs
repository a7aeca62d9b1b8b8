//! The `uppfolj` command line. This is the one place where errors become
//! messages and exit codes.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use uppfolj::error::Error;
use uppfolj::pipeline::{self, PipelineError};
use uppfolj::validate::{self, Severity};

/// mimalloc instead of the system allocator: reading tens of thousands of
/// returns on several threads leaves glibc's heap fragmented (at country
/// scale, 2 GiB resident for 0.6 GiB in use); mimalloc gives memory back.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Write the Excel return templates, one per reporting unit: <unit-id>-<year>.xlsx.
    Template {
        pipeline: PathBuf,
        /// The year the returns report on.
        #[arg(long)]
        year: i32,
        /// Folder to write the workbooks to.
        #[arg(long)]
        out: PathBuf,
        /// Only this unit's template (its id, e.g. amn).
        #[arg(long)]
        unit: Option<String>,
    },
    /// Check returns without running anything else (exit 0 clean, 1 findings, 2 could not run).
    Validate {
        pipeline: PathBuf,
        /// Files or folders (searched recursively).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The year the files must report on; by default the year their folder is named after, if any.
        #[arg(long)]
        year: Option<i32>,
        /// Print the findings as JSON, for scripts.
        #[arg(long)]
        json: bool,
    },
    /// The whole yearly run: inputs, validation, indicators, disclosure control, tables, charts and the report.
    Run {
        pipeline: PathBuf,
        /// The report's year (default: the latest year with returns).
        #[arg(long)]
        year: Option<i32>,
        /// The output folder (default: the pipeline file's [output] dir).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Use only cached reference statistics; download nothing.
        #[arg(long)]
        offline: bool,
        /// Also publish the charts here (default: the pipeline file's [output] charts).
        #[arg(long)]
        charts: Option<PathBuf>,
        /// No progress, only the summary.
        #[arg(long, short)]
        quiet: bool,
        /// More detail as the run goes.
        #[arg(long, short)]
        verbose: bool,
    },
    /// Refresh the cached reference statistics (exit 0 all fetched, 1 some could not be).
    Fetch {
        pipeline: PathBuf,
        /// Use only the cache: say what is there and how old it is.
        #[arg(long)]
        offline: bool,
    },
    /// Write a larger synthetic follow-up, for measuring how the pipeline scales.
    #[command(hide = true)]
    ScaleData {
        /// Reporting units added to the sample's.
        #[arg(long)]
        units: usize,
        /// Survey respondents per year.
        #[arg(long)]
        respondents: usize,
        /// Survey files as CSV instead of Parquet.
        #[arg(long)]
        csv: bool,
        /// Years of follow-up from 2018 (5 or more).
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(5..=50))]
        years: u16,
        #[arg(long)]
        out: PathBuf,
    },
    /// Write the synthetic sample returns (for data-samples/ and tests).
    #[command(hide = true)]
    SampleData {
        pipeline: PathBuf,
        #[arg(long)]
        out: PathBuf,
    },
}

/// Exit status when a command ran but found problems in its inputs.
const EXIT_FINDINGS: u8 = 1;
/// Exit status when a command could not run (e.g. the pipeline file is wrong).
const EXIT_CANNOT_RUN: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => report(e),
    }
}

fn run(cli: Cli) -> Result<ExitCode, Error> {
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
        Command::Template {
            pipeline: path,
            year,
            out,
            unit,
        } => {
            let p = pipeline::load(&path)?;
            let written = uppfolj::template::write_templates(&p, year, &out, unit.as_deref())?;
            for f in &written {
                println!("{}", f.display());
            }
            println!(
                "{} mallar för {year} skrivna till {}",
                written.len(),
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Validate {
            pipeline: path,
            files,
            year,
            json,
        } => {
            let p = pipeline::load(&path)?;
            // Inputs given as URLs are downloaded first, with the same client as
            // the reference statistics, and read from a private folder.
            let downloads = tempfile::tempdir().map_err(|source| Error::Io {
                context: "kan inte skapa en tillfällig mapp".into(),
                source,
            })?;
            let mut files = files;
            let mut download_findings = Vec::new();
            let mut urls: Vec<(String, String)> = Vec::new();
            for f in files.iter_mut() {
                let text = f.to_string_lossy().to_string();
                if text.starts_with("http://") || text.starts_with("https://") {
                    match uppfolj::reference::download(&p, &text, downloads.path()) {
                        Ok(local) => {
                            urls.push((local.display().to_string(), text.clone()));
                            *f = local;
                        }
                        Err(e) => {
                            download_findings.push(validate::Finding {
                                severity: Severity::Error,
                                file: text.clone(),
                                sheet: None,
                                cell: None,
                                message: format!("kunde inte hämtas: {e}"),
                            });
                            *f = PathBuf::new();
                        }
                    }
                }
            }
            files.retain(|f| !f.as_os_str().is_empty());
            for f in &files {
                if !f.exists() {
                    return Err(Error::Usage(format!(
                        "{} finns inte; ange befintliga filer eller mappar",
                        f.display()
                    )));
                }
            }
            let (found, mut findings) = validate::collect_files(&files);
            findings.extend(download_findings);
            let base = path.parent().unwrap_or(std::path::Path::new("."));
            let (surveys, returns): (Vec<PathBuf>, Vec<PathBuf>) = found
                .iter()
                .cloned()
                .partition(|f| validate::is_survey_file(&p, base, f));
            let mut refused: Vec<String> = Vec::new();
            if !returns.is_empty() {
                let outcome = validate::returns::validate_files(&p, &returns, year);
                findings.extend(outcome.findings);
                refused.extend(outcome.refused);
            }
            if !surveys.is_empty() {
                let outcome = validate::survey::validate_files(&p, base, &surveys, year);
                findings.extend(outcome.findings);
                refused.extend(outcome.refused);
            }
            // Name downloaded inputs by their URL, not the private folder.
            for f in findings.iter_mut() {
                if let Some((_, url)) = urls.iter().find(|(local, _)| *local == f.file) {
                    f.file = url.clone();
                }
            }
            for r in refused.iter_mut() {
                if let Some((_, url)) = urls.iter().find(|(local, _)| local == r) {
                    *r = url.clone();
                }
            }
            let errors = findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .count();
            let warnings = findings
                .iter()
                .filter(|f| f.severity == Severity::Warning)
                .count();
            if json {
                let doc = serde_json::json!({
                    "files": found.len(),
                    "refused": refused,
                    "errors": errors,
                    "warnings": warnings,
                    "findings": findings,
                });
                println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
            } else {
                for f in &findings {
                    println!("{f}");
                }
                println!(
                    "{} lästa, {} avvisade; {} fel och {}.",
                    count(found.len(), "fil", "filer"),
                    refused.len(),
                    errors,
                    count(warnings, "varning", "varningar")
                );
            }
            Ok(if errors + warnings == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(EXIT_FINDINGS)
            })
        }
        Command::Run {
            pipeline: path,
            year,
            out,
            offline,
            charts,
            quiet,
            verbose,
        } => {
            use uppfolj::run;
            let p = pipeline::load(&path)?;
            let base = path.parent().unwrap_or(std::path::Path::new("."));
            let out = out.unwrap_or_else(|| p.resolve(base, &p.output.dir));
            let publish = charts.or_else(|| p.output.charts.as_ref().map(|c| p.resolve(base, c)));
            if let Some(y) = year
                && !p.strategy.period.contains(y)
            {
                return Err(Error::Usage(format!(
                    "året {y} ligger utanför strategins period {}–{}",
                    p.strategy.period.from, p.strategy.period.to
                )));
            }
            let mut progress = run::progress::Progress::new(quiet, verbose);
            let opts = run::Options {
                year,
                out: Some(out.clone()),
                offline,
                charts: publish.clone(),
            };
            let data = run::compute(&p, &path, &opts, &mut progress)?;
            for f in data
                .findings
                .iter()
                .filter(|f| f.severity != Severity::Info)
            {
                progress.detail(&f.to_string());
            }
            run::write_outputs(&p, &path, &data, &out, publish.as_deref(), &mut progress)?;
            let summary = run::summary(&p, &data, &out);
            for line in &summary.lines {
                println!("{line}");
            }
            Ok(if summary.refused > 0 {
                ExitCode::from(EXIT_FINDINGS)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Fetch {
            pipeline: path,
            offline,
        } => {
            let p = pipeline::load(&path)?;
            if p.reference.is_none() {
                return Err(Error::Usage(format!(
                    "{} har ingen [reference]-del; det finns inget att hämta",
                    path.display()
                )));
            }
            let base = path.parent().unwrap_or(std::path::Path::new("."));
            let statuses = uppfolj::reference::refresh(&p, base, offline);
            for s in &statuses {
                println!("{}", s.describe());
            }
            let failed = statuses
                .iter()
                .filter(|s| s.error.is_some() || !s.available())
                .count();
            Ok(if failed == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(EXIT_FINDINGS)
            })
        }
        Command::ScaleData {
            units,
            respondents,
            csv,
            years,
            out,
        } => {
            let scale = uppfolj::samples::scale::Scale {
                units,
                respondents,
                csv,
                years,
            };
            let path =
                uppfolj::samples::scale::write(&scale, &out).map_err(|source| Error::Io {
                    context: format!("kan inte skriva till {}", out.display()),
                    source,
                })?;
            println!("{}", path.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::SampleData {
            pipeline: path,
            out,
        } => {
            let p = pipeline::load(&path)?;
            let written =
                uppfolj::samples::write_returns(&p, &out).map_err(|source| Error::Io {
                    context: format!("kan inte skriva exempeldata till {}", out.display()),
                    source,
                })?;
            println!(
                "{} återrapporteringar skrivna till {}",
                written.len(),
                out.display()
            );
            let base = path.parent().unwrap_or(std::path::Path::new("."));
            let surveys =
                uppfolj::samples::survey::write_surveys(&p, base).map_err(|source| Error::Io {
                    context: "kan inte skriva enkätfilerna".into(),
                    source,
                })?;
            for s in surveys {
                println!("{}", s.display());
            }
            let snapshot =
                uppfolj::samples::reference::write_snapshot(&p, base).map_err(|source| {
                    Error::Io {
                        context: "kan inte skriva referenscachen".into(),
                        source,
                    }
                })?;
            for s in snapshot {
                println!("{}", s.display());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// "1 fil", "3 filer".
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn report(e: Error) -> ExitCode {
    match &e {
        Error::Pipeline(PipelineError::Invalid { path, problems }) => {
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
        _ => eprintln!("fel: {e}"),
    }
    ExitCode::from(EXIT_CANNOT_RUN)
}
