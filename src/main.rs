//! The `uppfolj` command line: it parses, calls the library, prints and picks
//! the exit code. This is the one place where errors become messages and
//! exit codes.

use std::process::ExitCode;

use uppfolj::error::Error;
use uppfolj::pipeline::load;

mod cli;
use cli::{Command, PortalCommand};

/// mimalloc instead of the system allocator: reading tens of thousands of
/// returns on several threads leaves glibc's heap fragmented (at country
/// scale, 2 GiB resident for 0.6 GiB in use); mimalloc gives memory back.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Turns transparent huge pages off for this process. mimalloc asks the
/// kernel for them, and then each first touch of a page has the kernel zero
/// two megabytes; as mimalloc gives memory back and takes it again, that was
/// a third of the time of a survey run (`perf`: `clear_page_erms` under
/// `do_huge_pmd_anonymous_page`). Without them the same runs took 10–25 %
/// less time and no more memory (BENCHMARKS.md).
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with PR_SET_THP_DISABLE only sets a flag of this
    // process; it reads no memory of ours. A kernel without it returns an
    // error, which leaves things as they were.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// Exit status when a command ran but found problems in its inputs.
const EXIT_FINDINGS: u8 = 1;
/// Exit status when a command could not run (e.g. the pipeline file is wrong).
const EXIT_CANNOT_RUN: u8 = 2;
/// Exit status of a bug (a panic), as Rust's own.
const EXIT_BUG: u8 = 101;

/// Writes to stdout. A reader that stopped listening (`uppfolj show p.toml |
/// head`) ends the program quietly; every output file is written before
/// anything is said.
fn emit(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!(
            "fel: kan inte skriva till standard ut: den {}",
            uppfolj::text::io_error(&e)
        );
        std::process::exit(EXIT_CANNOT_RUN.into());
    }
}

/// A line through [`emit`].
fn say(line: impl std::fmt::Display) {
    emit(&format!("{line}\n"));
}

fn main() -> ExitCode {
    no_huge_pages();
    uppfolj::bug::quiet_panics();
    let cli = cli::parse();
    match uppfolj::bug::told(|| command(cli.command)) {
        Some(Ok(code)) => code,
        Some(Err(e)) => report(e),
        None => ExitCode::from(EXIT_BUG),
    }
}

fn command(command: Command) -> Result<ExitCode, Error> {
    match command {
        Command::Check { pipeline } => say(uppfolj::show::checked(&pipeline, &load(&pipeline)?)),
        Command::Show { pipeline, json } => {
            let p = load(&pipeline)?;
            emit(&if json {
                uppfolj::show::json(&p)?
            } else {
                uppfolj::show::text(&p)
            });
        }
        Command::Template {
            pipeline,
            year,
            out,
            unit,
        } => {
            let p = load(&pipeline)?;
            let written = uppfolj::template::write_templates(&p, year, &out, unit.as_deref())?;
            written.iter().for_each(|f| say(f.display()));
            say(uppfolj::template::written(&written, year, &out));
        }
        Command::Validate {
            pipeline,
            files,
            year,
            json,
        } => {
            let p = load(&pipeline)?;
            let report = uppfolj::validate::execute(&p, &files, year)?;
            match json {
                true => say(format_args!("{:#}", serde_json::json!(report))),
                false => emit(&report.text()),
            }
            return Ok(exit_for_findings(report.problems()));
        }
        Command::Run(args) => {
            let (pipeline, request) = args.request();
            let outcome = uppfolj::run::execute(&load(&pipeline)?, request)?;
            outcome.lines.iter().for_each(say);
            return Ok(exit_for_findings(outcome.refused));
        }
        Command::Fetch { pipeline, offline } => {
            let statuses = uppfolj::reference::fetch(&load(&pipeline)?, &pipeline, offline)?;
            statuses.iter().for_each(|s| say(s.describe_now()));
            return Ok(exit_for_findings(
                statuses.iter().filter(|s| s.failed()).count(),
            ));
        }
        Command::Bedomning { pipeline, year } => {
            let done = uppfolj::run::start_assessments(&load(&pipeline)?, year)?;
            for f in &done.written {
                say(format!("Skrev {}", f.display()));
            }
            for f in &done.kept {
                say(format!("Fanns redan och är orörd: {}", f.display()));
            }
        }
        Command::Serve { pipeline } => uppfolj::portal::serve(load(&pipeline)?)?,
        Command::Portal(c) => return portal(c),
    }
    Ok(ExitCode::SUCCESS)
}

fn portal(c: PortalCommand) -> Result<ExitCode, Error> {
    use uppfolj::portal::admin;
    match c {
        PortalCommand::Invite {
            pipeline,
            unit,
            role,
            email,
        } => say(admin::invite(
            &load(&pipeline)?,
            &unit,
            role,
            email.as_deref(),
        )?),
        PortalCommand::Remind { pipeline, dry_run } => {
            let outcomes = uppfolj::portal::mail::remind(&load(&pipeline)?, dry_run)?;
            outcomes.iter().for_each(|o| say(&o.line));
            if outcomes.is_empty() {
                say("Ingen enhet behöver påminnas i dag.");
            }
            return Ok(exit_for_findings(
                outcomes.iter().filter(|o| o.failed).count(),
            ));
        }
        PortalCommand::Revoke {
            pipeline,
            link,
            unit,
            role,
        } => {
            let which = match (link, unit.as_deref()) {
                (Some(id), _) => uppfolj::portal::db::Links::One(id),
                (None, Some(unit)) => uppfolj::portal::db::Links::Role(unit, role),
                (None, None) => {
                    return Err(Error::Usage(
                        "ange vilka länkar som ska avslutas: --link ID eller --unit ENHET".into(),
                    ));
                }
            };
            say(admin::revoke(&load(&pipeline)?, which)?);
        }
        PortalCommand::Users { pipeline } => admin::users(&load(&pipeline)?)?.iter().for_each(say),
        PortalCommand::Logg {
            pipeline,
            unit,
            csv,
        } => emit(&admin::log(&load(&pipeline)?, unit.as_deref(), csv)?),
    }
    Ok(ExitCode::SUCCESS)
}

/// 0 when nothing was found, 1 when something was.
fn exit_for_findings(found: usize) -> ExitCode {
    ExitCode::from(if found == 0 { 0 } else { EXIT_FINDINGS })
}

fn report(e: Error) -> ExitCode {
    e.messages().iter().for_each(|line| eprintln!("{line}"));
    ExitCode::from(EXIT_CANNOT_RUN)
}
