//! Writing the output folder atomically, and publishing the charts.

use std::path::Path;
use std::time::Instant;

use super::kept::Cells;
use super::progress::Progress;
use crate::error::Error;
use crate::ledger::Ledger;
use crate::pipeline::Pipeline;
use crate::results::RunData;
use crate::store::names;
use crate::store::table::Row;

/// What the marker file says to anyone who opens it.
const MARKER_TEXT: &str =
    "Den här mappen skapades av uppfolj och ersätts helt vid nästa körning.\n";

/// What the output folder says of itself.
const PUBLISHABLE_TEXT: &str = "Allt i den här mappen får publiceras: rapporten, diagrammen och tabellerna, där varje cell som kunde peka ut en person är undantagen.\nDet som inte får publiceras (vilka celler som undantogs och varför, återkopplingen till varje nämnd och cachen) skriver uppfolj till en egen mapp, som körningens sammanfattning namnger.\n";

/// What the private folder says of itself.
const PRIVATE_TEXT: &str = "EJ FÖR PUBLICERING. Den här mappen innehåller uppgifter som inte får publiceras eller lämnas ut:\n- EJ-FOR-PUBLICERING-undantag.csv: vilka celler som undantogs och varför; publicerad hjälper den en läsare att räkna ut dem.\n- feedback/: varje nämnds egna värden och fel, för den nämnden.\n- cache/: mellanresultat före röjandekontrollen.\nBara ägaren kan läsa mappen. Publicera mappen bredvid, inte den här.\n";

/// Whether `out` may be replaced: it does not exist, is empty, or holds the
/// marker a run leaves. uppfolj never deletes what it did not make.
pub fn may_replace(out: &Path) -> Result<(), Error> {
    let named = out.file_name().is_some_and(|n| n != "." && n != "..");
    if !named {
        return Err(Error::Usage(format!(
            "{} kan inte vara utdatamapp; ange en egen mapp, t.ex. --out ut",
            out.display()
        )));
    }
    let Ok(meta) = std::fs::symlink_metadata(out) else {
        return Ok(());
    };
    let empty =
        meta.is_dir() && std::fs::read_dir(out).is_ok_and(|mut entries| entries.next().is_none());
    if meta.is_dir() && (empty || out.join(names::MARKER).is_file()) {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "{} finns redan och är ingen utdatamapp som uppfolj har skapat (filen {} saknas), så den ersätts inte. Välj en ny mapp för utdata med --out eller [output] dir; uppfolj tar aldrig bort något det inte har skapat",
        out.display(),
        names::MARKER
    )))
}

/// Writes to a temporary folder beside `out` and moves it into place at the
/// end, so a run that dies never leaves half an output and the previous one
/// stays intact. Only a folder uppfolj made is replaced ([`may_replace`]).
pub fn write_atomically(
    out: &Path,
    write: impl FnOnce(&Path) -> Result<(), Error>,
) -> Result<(), Error> {
    write_atomically_keeping(out, &[], write)
}

/// As [`write_atomically`]; the entries named in `keep` (the private
/// folder's cache) move from the old folder into the new one.
fn write_atomically_keeping(
    out: &Path,
    keep: &[&str],
    write: impl FnOnce(&Path) -> Result<(), Error>,
) -> Result<(), Error> {
    may_replace(out)?;
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(Error::writing(parent))?;
    let name = out.file_name().and_then(|n| n.to_str()).unwrap_or("ut");
    remove_leftovers(parent, name);
    let tmp = parent.join(format!(".{name}.pågår-{}", std::process::id()));
    std::fs::create_dir(&tmp).map_err(Error::writing(&tmp))?;
    let marker = tmp.join(names::MARKER);
    let written = std::fs::write(&marker, MARKER_TEXT)
        .map_err(Error::writing(&marker))
        .and_then(|()| write(&tmp));
    if let Err(e) = written {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    for kept in keep {
        let from = out.join(kept);
        if from.exists() {
            std::fs::rename(&from, tmp.join(kept)).map_err(|source| Error::Io {
                context: format!("kan inte flytta {}", from.display()),
                source,
            })?;
        }
    }
    let old = parent.join(format!(".{name}.gammal-{}", std::process::id()));
    if out.exists() {
        std::fs::rename(out, &old).map_err(|source| Error::Io {
            context: format!("kan inte flytta undan {}", out.display()),
            source,
        })?;
    }
    std::fs::rename(&tmp, out).map_err(|source| Error::Io {
        context: format!("kan inte flytta {} till {}", tmp.display(), out.display()),
        source,
    })?;
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
}

/// Temporary folders left behind by a run that was killed: never part of
/// any output, and only those that hold the marker (uppfolj made them).
fn remove_leftovers(parent: &Path, name: &str) {
    let Ok(rd) = std::fs::read_dir(parent) else {
        return;
    };
    for e in rd.flatten() {
        let n = e.file_name().to_string_lossy().to_string();
        let ours =
            n.starts_with(&format!(".{name}.pågår-")) || n.starts_with(&format!(".{name}.gammal-"));
        if ours && e.path().join(names::MARKER).is_file() {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// A test hook: when this environment variable names a file, a run creates
/// that file once its tables are in the temporary folder, and then waits a
/// minute, so that a test can kill it while it is provably writing.
pub const PAUSE_WHILE_WRITING: &str = "UPPFOLJ_PAUSE_WHILE_WRITING";

fn pause_if_asked() {
    if let Some(path) = std::env::var_os(PAUSE_WHILE_WRITING) {
        let _ = std::fs::write(path, b"");
        std::thread::sleep(std::time::Duration::from_secs(60));
    }
}

/// Where a run writes: what may be published, what must never be, and
/// where the charts are also published.
#[derive(Clone, Copy)]
pub struct Folders<'a> {
    pub out: &'a Path,
    pub private: &'a Path,
    pub publish: Option<&'a Path>,
}

/// Writes the whole output folder atomically, the private folder beside
/// it, and publishes the charts. The output folder is put in place only
/// once the private folder is: a run that fails on either leaves the
/// previous output folder as it was. The files made of the cells alone are
/// linked from the previous folder when `kept` finds them standing.
pub fn write_outputs(
    p: &Pipeline,
    d: &RunData,
    folders: Folders<'_>,
    kept: Option<&Cells<'_>>,
    progress: &mut Progress,
) -> Result<(), Error> {
    let out = folders.out;
    write_atomically(out, |tmp| {
        let note = tmp.join(names::PUBLISHABLE_NOTE);
        std::fs::write(&note, PUBLISHABLE_TEXT).map_err(Error::writing(&note))?;
        let linked = kept.is_some_and(|c| c.link(out, tmp));
        if linked {
            progress.note(KEPT_TEXT);
        }
        // The table's rows, worked out once for the workbook and the
        // tables, unless those are the last run's.
        let rows = (!linked).then(|| crate::store::table::rows(p, &d.cells));
        let rows = rows.as_deref();
        // The private folder and the workbook, which takes longest, are
        // written on threads of their own beside everything else; the
        // manifest waits for them.
        std::thread::scope(|scope| {
            let private = scope.spawn(|| timed(|| write_private(p, d, folders.private)));
            let book = scope.spawn(|| timed(|| write_workbook(p, d, rows, tmp)));
            let mut stages = write_the_rest(p, d, rows, tmp, out, progress)?;
            progress.stage("Skriver återkopplingen");
            let (feedback, secs) = joined(private, names::FEEDBACK, "återkopplingen")?;
            progress.done(&format!("{feedback} återkopplingar"));
            stages.push(("återkoppling".to_string(), secs));
            progress.stage("Skriver arbetsboken");
            let ((), secs) = joined(book, names::WORKBOOK, "arbetsboken")?;
            match rows {
                Some(_) => progress.done(names::WORKBOOK),
                None => progress.done(&format!("{} behålls", names::WORKBOOK)),
            }
            stages.push(("arbetsbok".to_string(), secs));
            write_manifest(p, d, tmp, &stages)
        })
    })?;
    if let Some(dest) = folders.publish {
        publish_charts(&out.join(names::CHARTS), dest)?;
    }
    Ok(())
}

/// What a run says when the files made of the cells are the last run's.
const KEPT_TEXT: &str = "Värdena är desamma som förra körningen: indikatortabellerna och arbetsboken behålls som de var";

/// What `work` gave, with how many seconds it took.
fn timed<T>(work: impl FnOnce() -> Result<T, Error>) -> Result<(T, f64), Error> {
    let t = Instant::now();
    work().map(|v| (v, t.elapsed().as_secs_f64()))
}

/// What a thread that wrote `file` gave; a thread that panicked wrote
/// nothing that stands.
fn joined<T>(
    thread: std::thread::ScopedJoinHandle<'_, Result<T, Error>>,
    file: &str,
    what: &str,
) -> Result<T, Error> {
    thread.join().unwrap_or_else(|_| {
        Err(Error::Output {
            file: file.into(),
            reason: format!("{what} kunde inte skrivas"),
        })
    })
}

/// What must never be published, in a folder of its own that only its
/// owner can open: the withheld cells and why, each committee's feedback
/// (files the previous run wrote the same are linked from there), and the
/// cache, which stays. Gives how many feedback files it wrote.
fn write_private(p: &Pipeline, d: &RunData, private: &Path) -> Result<usize, Error> {
    let mut written = 0;
    write_atomically_keeping(private, &[crate::cache::IN_PRIVATE], |tmp| {
        owner_only(tmp)?;
        let note = tmp.join(names::PRIVATE_NOTE);
        std::fs::write(&note, PRIVATE_TEXT).map_err(Error::writing(&note))?;
        crate::store::write_suppression(&d.cells, &tmp.join(names::SUPPRESSION))?;
        let earlier = private.join(names::FEEDBACK);
        let feedback = crate::store::feedback::write(p, d, &tmp.join(names::FEEDBACK), &earlier)?;
        written = feedback.len();
        Ok(())
    })?;
    Ok(written)
}

/// The private folder, made owner-only with the marker before the cache
/// goes in it, if it is not there yet.
pub fn prepare_private(private: &Path) -> Result<(), Error> {
    if private.exists() {
        return Ok(());
    }
    std::fs::create_dir_all(private).map_err(Error::writing(private))?;
    owner_only(private)?;
    let marker = private.join(names::MARKER);
    std::fs::write(&marker, MARKER_TEXT).map_err(Error::writing(&marker))
}

/// Only the owner may list, read or enter the folder.
pub fn owner_only(dir: &Path) -> Result<(), Error> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(Error::writing(dir))?;
    }
    Ok(())
}

/// The workbook of `rows`; `None`: it is the last run's, linked already.
fn write_workbook(
    p: &Pipeline,
    d: &RunData,
    rows: Option<&[Row<'_>]>,
    tmp: &Path,
) -> Result<(), Error> {
    let Some(rows) = rows else { return Ok(()) };
    let path = tmp.join(names::WORKBOOK);
    crate::store::workbook::write(p, rows, d.report_year, &path).map_err(|e| Error::Output {
        file: names::WORKBOOK.into(),
        reason: crate::text::foreign(&e),
    })
}

/// Every output but the workbook and the manifest, stage by stage, beside
/// the last run's outputs in `earlier`; the tables only when there are
/// `rows` (else they are the last run's). Returns each stage's time.
fn write_the_rest(
    p: &Pipeline,
    d: &RunData,
    rows: Option<&[Row<'_>]>,
    tmp: &Path,
    earlier: &Path,
    progress: &mut Progress,
) -> Result<Vec<(String, f64)>, Error> {
    let mut stages = Vec::new();
    let t = Instant::now();
    progress.stage("Skriver tabeller");
    if let Some(rows) = rows {
        crate::store::write_tables(rows, tmp, earlier)?;
    }
    crate::store::write_quality(p, d, &tmp.join(names::QUALITY))?;
    progress.done(match rows {
        Some(_) => "indikatortabell och kvalitet",
        None => "kvalitet (indikatortabellerna behålls)",
    });
    pause_if_asked();
    stages.push(("tabeller".to_string(), t.elapsed().as_secs_f64()));

    let t = Instant::now();
    progress.stage("Ritar diagram");
    let svgs = super::charts::draw_charts(p, d, &tmp.join(names::CHARTS))?;
    progress.done(&format!("{} diagram (SVG och PNG)", svgs.len()));
    stages.push(("diagram".to_string(), t.elapsed().as_secs_f64()));

    let t = Instant::now();
    progress.stage("Skriver rapporten");
    // A template's error is a bug; its words may quote what it was given.
    let html = crate::report::render(p, d, &svgs).map_err(|e| Error::Output {
        file: names::REPORT.into(),
        reason: crate::text::foreign(&e),
    })?;
    let report = tmp.join(names::REPORT);
    std::fs::write(&report, html).map_err(Error::writing(&report))?;
    progress.done(names::REPORT);
    stages.push(("rapport".to_string(), t.elapsed().as_secs_f64()));
    Ok(stages)
}

/// The manifest, last: it lists every other file with its size.
fn write_manifest(
    p: &Pipeline,
    d: &RunData,
    tmp: &Path,
    stages: &[(String, f64)],
) -> Result<(), Error> {
    let mut files: Vec<(String, usize)> = Vec::new();
    collect_sizes(tmp, tmp, &mut files);
    files.sort();
    let mut all_stages = d.stages.clone();
    all_stages.extend(stages.iter().cloned());
    crate::store::write_manifest(p, d, &all_stages, &files, &tmp.join(names::MANIFEST))
}

fn collect_sizes(root: &Path, dir: &Path, out: &mut Vec<(String, usize)>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let path = e.path();
        if path.is_dir() {
            collect_sizes(root, &path, out);
        } else if let Ok(meta) = e.metadata() {
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, meta.len() as usize));
        }
    }
}

/// Copies the charts to where the pipeline publishes them. Only files this
/// program put there, unchanged since, are replaced or removed (the
/// ledger in [`names::PUBLISHED`]); another file with a chart's name stops
/// the run, unless it already holds that very chart.
pub fn publish_charts(from: &Path, to: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(to).map_err(Error::writing(to))?;
    let mut fresh: Vec<(String, Vec<u8>)> = Vec::new();
    for e in std::fs::read_dir(from)
        .map_err(Error::io(format!("kan inte läsa {}", from.display())))?
        .flatten()
    {
        let (Some(name), Ok(bytes)) = (
            e.file_name().to_str().map(str::to_string),
            std::fs::read(e.path()),
        ) else {
            continue;
        };
        fresh.push((name, bytes));
    }
    fresh.sort();
    let mut ledger = Ledger::open(to, names::PUBLISHED);
    if let Some((name, _)) = fresh
        .iter()
        .find(|(name, bytes)| !ledger.may_write(name, bytes))
    {
        return Err(Error::Usage(format!(
            "{} finns redan och är inte skapad av uppfolj (eller har ändrats sedan), så den skrivs inte över. Flytta den, eller publicera diagrammen i en annan mapp (--charts eller [output] charts)",
            to.join(name).display()
        )));
    }
    let names: Vec<String> = fresh.iter().map(|(n, _)| n.clone()).collect();
    ledger.remove_others(&names);
    for (name, bytes) in &fresh {
        ledger
            .write(name, bytes)
            .map_err(Error::writing(&to.join(name)))?;
    }
    let list = ledger.list().to_path_buf();
    ledger.save().map_err(Error::writing(&list))
}
