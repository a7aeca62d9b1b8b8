//! The `uppfolj` command line. This is the one place where errors become
//! messages and exit codes.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use uppfolj::cache::{self, Cache};
use uppfolj::error::Error;
use uppfolj::pipeline::{self, PipelineError};
use uppfolj::text::Count;
use uppfolj::validate::{self, Severity};

mod cli;
use cli::{Command, PortalCommand, RunArgs};

/// mimalloc instead of the system allocator: reading tens of thousands of
/// returns on several threads leaves glibc's heap fragmented (at country
/// scale, 2 GiB resident for 0.6 GiB in use); mimalloc gives memory back.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit status when a command ran but found problems in its inputs.
const EXIT_FINDINGS: u8 = 1;
/// Exit status when a command could not run (e.g. the pipeline file is wrong).
const EXIT_CANNOT_RUN: u8 = 2;

/// Writes to stdout. A reader that stopped listening (`uppfolj show p.toml |
/// head`) ends the program quietly, as other command-line tools do; every
/// output file is written before anything is said.
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

/// `println!` through [`emit`].
macro_rules! say {
    ($($arg:tt)*) => {
        emit(&format!("{}\n", format_args!($($arg)*)))
    };
}

/// A panic is a bug; its message could quote an input (a library's panic
/// may hold a cell), so only where it happened is told, in Swedish.
fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        // A reader that gave up on a corrupt file: its file is refused instead.
        if uppfolj::ingest::in_guarded_reader() {
            return;
        }
        // Progress on a stderr whose reader has gone: nobody is listening.
        let message = info.payload_as_str().unwrap_or_default();
        if message.starts_with("failed printing to stderr") {
            std::process::exit(0);
        }
        let place = info
            .location()
            .map(|l| format!(" ({}:{})", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "fel: internt fel i uppfolj{place}. Körningen avbröts; tidigare utdata är orörda. Rapportera felet till den som underhåller uppfolj, med kommandot men utan indatafilerna."
        );
    }));
}

fn main() -> ExitCode {
    quiet_panics();
    let cli = cli::parse();
    let result = match cli.command {
        Command::Check { pipeline } => check(&pipeline),
        Command::Show { pipeline, json } => show(&pipeline, json),
        Command::Template {
            pipeline,
            year,
            out,
            unit,
        } => template(&pipeline, year, &out, unit.as_deref()),
        Command::Validate {
            pipeline,
            files,
            year,
            json,
        } => validate(&pipeline, &files, year, json),
        Command::Run(args) => run(args),
        Command::Fetch { pipeline, offline } => fetch(&pipeline, offline),
        Command::Serve { pipeline } => serve(&pipeline),
        Command::Portal(c) => portal(c),
    };
    match result {
        Ok(code) => code,
        Err(e) => report(e),
    }
}

fn check(path: &Path) -> Result<ExitCode, Error> {
    let p = pipeline::load(path)?;
    say!(
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

fn show(path: &Path, json: bool) -> Result<ExitCode, Error> {
    let p = pipeline::load(path)?;
    if json {
        let json = uppfolj::show::json(&p).map_err(|e| Error::Output {
            file: "JSON-utdata".into(),
            reason: e.to_string(),
        })?;
        emit(&json);
    } else {
        emit(&uppfolj::show::text(&p));
    }
    Ok(ExitCode::SUCCESS)
}

fn template(path: &Path, year: i32, out: &Path, unit: Option<&str>) -> Result<ExitCode, Error> {
    let p = pipeline::load(path)?;
    let written = uppfolj::template::write_templates(&p, year, out, unit)?;
    for f in &written {
        say!("{}", f.display());
    }
    say!(
        "{} mallar för {year} skrivna till {}",
        written.len(),
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn validate(
    path: &Path,
    args: &[PathBuf],
    year: Option<i32>,
    json: bool,
) -> Result<ExitCode, Error> {
    let p = pipeline::load(path)?;
    let mut inputs = uppfolj::inputs::gather(&p, args)?;
    let checked = validate::check_files(&p, &inputs.files, year);
    let mut findings = std::mem::take(&mut inputs.findings);
    findings.extend(checked.findings);
    // Downloaded inputs are named by their URL, not the private folder.
    for f in findings.iter_mut() {
        f.file = inputs.name(&f.file).to_string();
    }
    let refused: Vec<String> = checked
        .refused
        .iter()
        .map(|r| inputs.name(r).to_string())
        .collect();
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
    if json {
        let doc = serde_json::json!({
            "files": inputs.files.len(),
            "refused": refused,
            "errors": errors,
            "warnings": warnings,
            "findings": findings,
        });
        say!("{doc:#}");
    } else {
        for f in &findings {
            say!("{f}");
        }
        say!(
            "{} {}, {} avvisade; {} fel och {}.",
            Count(inputs.files.len(), "fil", "filer"),
            if inputs.files.len() == 1 {
                "läst"
            } else {
                "lästa"
            },
            refused.len(),
            errors,
            Count(warnings, "varning", "varningar")
        );
    }
    Ok(exit_for_findings(errors + warnings))
}

fn run(args: RunArgs) -> Result<ExitCode, Error> {
    use uppfolj::run;
    let RunArgs {
        pipeline: path,
        year,
        out,
        offline,
        no_cache,
        charts,
        quiet,
        verbose,
    } = args;
    let p = pipeline::load(&path)?;
    if let Some(y) = year
        && !p.strategy.period.contains(y)
    {
        return Err(Error::Usage(format!(
            "året {y} ligger utanför strategins period {}–{}",
            p.strategy.period.from, p.strategy.period.to
        )));
    }
    let out = out.unwrap_or_else(|| p.resolve(&p.output.dir));
    let publish = charts.or_else(|| p.output.charts.as_ref().map(|c| p.resolve(c)));
    // Nothing is computed before it is clear the outputs destroy no input.
    for dir in std::iter::once(&out).chain(publish.as_ref()) {
        if let Some(clash) = p.output_clash(dir) {
            return Err(Error::Usage(clash));
        }
    }
    run::may_replace(&out)?;
    let mut progress = run::progress::Progress::new(quiet, verbose);
    let cache = open_cache(&p, &out, no_cache);
    let opts = run::Options {
        year,
        offline,
        cache,
    };
    let stamp = run::Stamp::of(&p, &opts, &out);
    if let Some(done) = stamp.as_ref().and_then(|s| s.unchanged(&opts.cache, &out)) {
        return unchanged(done, &opts.cache, &out, publish.as_deref(), &progress);
    }
    let data = run::compute(&p, &opts, &mut progress)?;
    if let Some((kept, computed)) = opts.cache.counts() {
        progress.note(&format!(
            "Cachen: {kept} indatafiler oförändrade sedan förra körningen, {computed} lästa och beräknade"
        ));
    }
    let details: Vec<String> = data
        .findings
        .iter()
        .filter(|f| f.severity != Severity::Info)
        .map(|f| f.to_string())
        .collect();
    for d in &details {
        progress.detail(d);
    }
    run::write_outputs(&p, &data, &out, publish.as_deref(), &mut progress)?;
    let summary = run::summary(&p, &data, &out);
    // Only after a run that finished: a failed one leaves the cache as it was.
    if let Some(stamp) = stamp {
        stamp.save(&opts.cache, &out, details, &summary);
    }
    opts.cache.prune();
    for line in &summary.lines {
        say!("{line}");
    }
    Ok(exit_for_findings(summary.refused))
}

/// The last run's outputs stand: nothing is computed or written but the
/// charts' copies, which are put back if someone moved them.
fn unchanged(
    done: uppfolj::run::Record,
    cache: &Cache,
    out: &Path,
    publish: Option<&Path>,
    progress: &uppfolj::run::progress::Progress,
) -> Result<ExitCode, Error> {
    progress.note(&format!(
        "Inga indata har ändrats sedan förra körningen och {} är som den lämnade den, så inget behövde läsas eller beräknas om",
        uppfolj::run::tidy(out).display()
    ));
    for d in &done.details {
        progress.detail(d);
    }
    if let Some(dest) = publish {
        uppfolj::run::publish_charts(&out.join(uppfolj::store::names::CHARTS), dest)?;
    }
    cache.save_hashes();
    for line in &done.lines {
        say!("{line}");
    }
    Ok(exit_for_findings(done.refused))
}

/// The run's cache, unless `--no-cache`; a cache that cannot be used makes
/// a cold run, said on the terminal, never a failed one.
fn open_cache(p: &pipeline::Pipeline, out: &Path, no_cache: bool) -> Cache {
    if no_cache {
        return Cache::none();
    }
    let dir = cache::folder(p, out);
    if p.output_clash(&dir).is_some() {
        eprintln!(
            "varning: cachemappen {} är, innehåller eller ligger i indata; körningen går utan cache. Ange en egen mapp med [output] cache.",
            dir.display()
        );
        return Cache::none();
    }
    Cache::open(p, &dir).unwrap_or_else(|e| {
        eprintln!("varning: {e}");
        Cache::none()
    })
}

fn fetch(path: &Path, offline: bool) -> Result<ExitCode, Error> {
    let p = pipeline::load(path)?;
    if p.reference.is_none() {
        return Err(Error::Usage(format!(
            "{} har ingen [reference]-del; det finns inget att hämta",
            path.display()
        )));
    }
    let statuses = uppfolj::reference::refresh(&p, offline);
    for s in &statuses {
        say!("{}", s.describe_now());
    }
    let failed = statuses
        .iter()
        .filter(|s| s.error.is_some() || !s.available())
        .count();
    Ok(exit_for_findings(failed))
}

fn serve(path: &Path) -> Result<ExitCode, Error> {
    let p = pipeline::load(path)?;
    uppfolj::portal::serve(p)?;
    Ok(ExitCode::SUCCESS)
}

fn portal(c: PortalCommand) -> Result<ExitCode, Error> {
    match c {
        PortalCommand::Invite {
            pipeline,
            unit,
            role,
        } => {
            let p = pipeline::load(&pipeline)?;
            let link = uppfolj::portal::admin::invite(&p, &unit, role)?;
            say!("{link}");
        }
        PortalCommand::Revoke { pipeline, unit } => {
            let p = pipeline::load(&pipeline)?;
            let n = uppfolj::portal::admin::revoke(&p, &unit)?;
            say!("{unit}: {} återkallade", Count(n, "länk", "länkar"));
        }
        PortalCommand::Users { pipeline } => {
            let p = pipeline::load(&pipeline)?;
            for line in uppfolj::portal::admin::users(&p)? {
                say!("{line}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// 0 when nothing was found, 1 when something was.
fn exit_for_findings(found: usize) -> ExitCode {
    if found == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_FINDINGS)
    }
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
