//! A run's whole lifecycle, as `uppfolj run`, the benchmarks and the tests
//! all go through it: the outputs checked against the inputs, the cache
//! opened, the unchanged shortcut, compute, write, and the cache kept for
//! the next run.

use std::path::{Path, PathBuf};

use super::kept::Cells;
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
    /// The folder of what must never be published; by default `[output]
    /// private`, else beside the output folder.
    pub private: Option<PathBuf>,
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
    let private = req
        .private
        .or_else(|| p.output.private.as_ref().map(|d| p.resolve(d)))
        .unwrap_or_else(|| private_beside(&out));
    let publish = req
        .charts
        .or_else(|| p.output.charts.as_ref().map(|c| p.resolve(c)));
    // Nothing is computed before it is clear that nothing unpublishable
    // lands where it would be published, and the outputs destroy no input.
    for dir in std::iter::once(&out).chain(publish.as_ref()) {
        if let Some(clash) = p.output_clash(dir) {
            return Err(Error::Usage(clash));
        }
    }
    kept_apart(&private, &out, publish.as_deref())?;
    if let Some(cache) = &p.output.cache {
        kept_apart(&p.resolve(cache), &out, publish.as_deref())?;
    }
    if let Some(clash) = p.output_clash(&private) {
        return Err(Error::Usage(clash));
    }
    output::may_replace(&out)?;
    output::may_replace(&private)?;
    let folders = output::Folders {
        out: &out,
        private: &private,
        publish: publish.as_deref(),
    };
    let mut progress = Progress::new(req.quiet, req.verbose);
    let opts = Options {
        year: req.year,
        offline: req.offline,
        cache: open_cache(p, &private, req.no_cache),
    };
    let stamp = Stamp::of(p, &opts, folders);
    if let Some(done) = stamp
        .as_ref()
        .and_then(|s| s.unchanged(&opts.cache, folders))
    {
        return unchanged(done, &opts.cache, folders, &progress);
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
    let cells = Cells::of(&opts.cache, &data);
    output::write_outputs(p, &data, folders, cells.as_ref(), &mut progress)?;
    if let Some(cells) = cells {
        cells.save(&out);
    }
    let outcome = summary::summary(p, &data, &out, &private);
    // Only after a run that finished: a failed one leaves the cache as it was.
    if let Some(stamp) = stamp {
        stamp.save(&opts.cache, folders, details, &outcome);
    }
    opts.cache.prune();
    Ok(outcome)
}

/// The private folder's default: beside the output folder, `ut` →
/// `ut-EJ-FOR-PUBLICERING`.
pub fn private_beside(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map_or_else(|| "ut".into(), |n| n.to_string_lossy());
    out.with_file_name(format!("{name}{}", crate::store::names::PRIVATE_SUFFIX))
}

/// The private folder must lie outside the output and charts folders (and
/// they outside it): publishing one of them must never publish it.
fn kept_apart(private: &Path, out: &Path, charts: Option<&Path>) -> Result<(), Error> {
    let private_n = crate::pipeline::normalized(private);
    for (dir, what) in
        std::iter::once((out, "utdatamappen")).chain(charts.map(|c| (c, "diagrammappen")))
    {
        let dir_n = crate::pipeline::normalized(dir);
        if private_n.starts_with(&dir_n) || dir_n.starts_with(&private_n) {
            return Err(Error::Usage(format!(
                "mappen för det som inte får publiceras ({}) ligger i eller runt {what} {}, så den skulle publiceras med den. Ange en mapp utanför med --private eller [output] private",
                private.display(),
                dir.display()
            )));
        }
    }
    Ok(())
}

pub(super) fn check_year(p: &Pipeline, year: Option<i32>) -> Result<(), Error> {
    match year {
        Some(y) if !p.strategy.period.contains(y) => Err(Error::Usage(format!(
            "året {y} ligger utanför strategins period {}–{}; ange ett år i perioden med --year",
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
    folders: output::Folders<'_>,
    progress: &Progress,
) -> Result<RunOutcome, Error> {
    let (out, publish) = (folders.out, folders.publish);
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
fn open_cache(p: &Pipeline, private: &Path, no_cache: bool) -> Cache {
    if no_cache {
        return Cache::none();
    }
    let dir = cache::folder(p, private);
    if p.output.cache.is_none()
        && let Err(e) = output::prepare_private(private)
    {
        eprintln!("varning: {e}; körningen går utan cache");
        return Cache::none();
    }
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
