//! A run's whole lifecycle, as `uppfolj run`, the benchmarks and the tests
//! all go through it: the outputs checked against the inputs, the cache
//! opened, the unchanged shortcut, compute, write, and the cache kept for
//! the next run.

use std::path::{Path, PathBuf};

use super::progress::Progress;
use super::unchanged::{Record, Stamp};
use super::{Options, RunOutcome, output, summary};
use crate::cache::{self, Cache};
use crate::error::Error;
use crate::finding::Severity;
use crate::pipeline::Pipeline;

/// What the command line (or a caller like it) asks of a run.
#[derive(Clone, Debug, Default)]
pub struct RunRequest {
    /// The report's year; by default the latest year with returns.
    pub year: Option<i32>,
    /// The output folder; by default the pipeline's `[output] dir`.
    pub out: Option<PathBuf>,
    /// Where the charts are published; by default `[output] charts`.
    pub charts: Option<PathBuf>,
    /// Use only cached reference statistics and local files.
    pub offline: bool,
    /// Compute everything again, reading nothing back.
    pub no_cache: bool,
    /// Nothing on the terminal but the summary; `verbose`: every finding too.
    pub quiet: bool,
    pub verbose: bool,
}

/// Runs every stage and writes the output folder; what the run ends with is
/// the summary and how many files were refused (the exit status).
pub fn execute(p: &Pipeline, req: RunRequest) -> Result<RunOutcome, Error> {
    check_year(p, req.year)?;
    let out = req.out.unwrap_or_else(|| p.resolve(&p.output.dir));
    let publish = req
        .charts
        .or_else(|| p.output.charts.as_ref().map(|c| p.resolve(c)));
    // Nothing is computed before it is clear the outputs destroy no input.
    for dir in std::iter::once(&out).chain(publish.as_ref()) {
        if let Some(clash) = p.output_clash(dir) {
            return Err(Error::Usage(clash));
        }
    }
    output::may_replace(&out)?;
    let mut progress = Progress::new(req.quiet, req.verbose);
    let opts = Options {
        year: req.year,
        offline: req.offline,
        cache: open_cache(p, &out, req.no_cache),
    };
    let stamp = Stamp::of(p, &opts, &out);
    if let Some(done) = stamp.as_ref().and_then(|s| s.unchanged(&opts.cache, &out)) {
        return unchanged(done, &opts.cache, &out, publish.as_deref(), &progress);
    }
    let data = super::compute::compute(p, &opts, &mut progress)?;
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
    output::write_outputs(p, &data, &out, publish.as_deref(), &mut progress)?;
    let outcome = summary::summary(p, &data, &out);
    // Only after a run that finished: a failed one leaves the cache as it was.
    if let Some(stamp) = stamp {
        stamp.save(&opts.cache, &out, details, &outcome);
    }
    opts.cache.prune();
    Ok(outcome)
}

fn check_year(p: &Pipeline, year: Option<i32>) -> Result<(), Error> {
    match year {
        Some(y) if !p.strategy.period.contains(y) => Err(Error::Usage(format!(
            "året {y} ligger utanför strategins period {}–{}",
            p.strategy.period.from, p.strategy.period.to
        ))),
        _ => Ok(()),
    }
}

/// The last run's outputs stand: nothing is computed or written but the
/// charts' copies, which are put back if someone moved them.
fn unchanged(
    done: Record,
    cache: &Cache,
    out: &Path,
    publish: Option<&Path>,
    progress: &Progress,
) -> Result<RunOutcome, Error> {
    progress.note(&format!(
        "Inga indata har ändrats sedan förra körningen och {} är som den lämnade den, så inget behövde läsas eller beräknas om",
        summary::tidy(out).display()
    ));
    for d in &done.details {
        progress.detail(d);
    }
    if let Some(dest) = publish {
        output::publish_charts(&out.join(crate::store::names::CHARTS), dest)?;
    }
    cache.save_hashes();
    Ok(RunOutcome {
        out: out.to_path_buf(),
        lines: done.lines,
        refused: done.refused,
    })
}

/// The run's cache, unless `--no-cache`; a cache that cannot be used makes
/// a cold run, said on the terminal, never a failed one.
fn open_cache(p: &Pipeline, out: &Path, no_cache: bool) -> Cache {
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
