//! A run whose inputs, pipeline and program are those of the last finished
//! run, into an output folder nobody has touched since, would write the very
//! same bytes: it says so and leaves the folder as it is, the way `make`
//! does. What each input is made of is its SHA-256 (remembered by the cache
//! beside the file's metadata); the output folder is judged by every file's
//! size, times and inode as the last run left them.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::output::Folders;
use super::{Options, RunOutcome};
use crate::cache::{Cache, Stat};
use crate::inputs;
use crate::pipeline::Pipeline;

/// What the inputs of a run are, as one hash; the key of its [`Record`].
pub struct Stamp(String);

/// What the last finished run left, kept under its stamp: its output
/// folder's files and what it told the terminal.
#[derive(Serialize, Deserialize)]
pub struct Record {
    outputs: Vec<(String, Stat)>,
    /// The findings shown with `-v`.
    pub details: Vec<String>,
    /// The summary's lines and how many files were refused (the exit status).
    pub lines: Vec<String>,
    pub refused: usize,
}

impl Stamp {
    /// The stamp of a run over the inputs as they are now, or `None` where a
    /// run must look further than local files (a download, fresh reference
    /// statistics) or an input cannot be hashed.
    pub fn of(p: &Pipeline, opts: &Options, folders: Folders<'_>) -> Option<Stamp> {
        let cache = &opts.cache;
        let mut parts = vec![
            format!("{:?}", opts.year),
            folders.out.display().to_string(),
            folders.private.display().to_string(),
        ];
        let (files, findings) = super::compute::inbox_files(p);
        parts.extend(findings.iter().map(|f| f.to_string()));
        for f in &files {
            parts.push(named(f, cache.hash(f, p.returns.max_bytes)?));
        }
        for f in p.survey.iter().flat_map(|s| &s.files) {
            if inputs::is_url(&f.path) && !opts.offline {
                return None;
            }
            let path = p.resolve(&f.path);
            parts.push(format!(
                "{} {}",
                f.year,
                present(cache, &path, super::compute::survey_cap(p))?
            ));
        }
        if let Some(file) = crate::handin::path(p) {
            parts.push(present(cache, &file, u64::MAX)?);
        }
        // Every year's assessments: the report year is known only after reading.
        for year in p.strategy.period.years().chain(opts.year) {
            for (_, file) in crate::assessment::files(p, year) {
                parts.push(present(cache, &file, u64::MAX)?);
            }
        }
        if let Some(r) = &p.reference {
            if !opts.offline {
                return None;
            }
            for s in &r.series {
                let file = crate::reference::cache_file(p, r, s);
                parts.push(present(cache, &file, u64::MAX)?);
            }
        }
        let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
        cache.key_of(&refs).map(Stamp)
    }

    /// The last run's record, if it was over these very inputs and its
    /// output folder is exactly as it left it.
    pub fn unchanged(&self, cache: &Cache, folders: Folders<'_>) -> Option<Record> {
        let record: Record = cache.load(&self.0)?;
        (outputs(folders)? == record.outputs).then_some(record)
    }

    /// Keeps what this finished run left in its folders, for the next run.
    pub fn save(
        self,
        cache: &Cache,
        folders: Folders<'_>,
        details: Vec<String>,
        summary: &RunOutcome,
    ) {
        let Some(outputs) = outputs(folders) else {
            return;
        };
        let record = Record {
            outputs,
            details,
            lines: summary.lines.clone(),
            refused: summary.refused,
        };
        cache.put(&self.0, &record);
    }
}

fn named(path: &Path, sha256: String) -> String {
    format!("{} {sha256}", path.display())
}

/// A file that may be missing (a run says so): its hash, or that it is absent.
fn present(cache: &Cache, path: &Path, cap: u64) -> Option<String> {
    match path.exists() {
        true => Some(named(path, cache.hash(path, cap)?)),
        false => Some(format!("{} saknas", path.display())),
    }
}

/// Every file the run wrote, with its metadata, in name order: the output
/// folder's, then the private folder's but its cache; `None` when a folder
/// cannot be read or metadata means nothing here.
fn outputs(folders: Folders<'_>) -> Option<Vec<(String, Stat)>> {
    let mut files = Vec::new();
    walk(folders.out, folders.out, &mut files, None)?;
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let mut private = Vec::new();
    let cache = Some(crate::cache::IN_PRIVATE);
    walk(folders.private, folders.private, &mut private, cache)?;
    private.sort_by(|a, b| a.0.cmp(&b.0));
    files.extend(
        private
            .into_iter()
            .map(|(name, stat)| (format!("privat/{name}"), stat)),
    );
    Some(files)
}

/// Every file under `dir`, but the folder `skip` at the top.
fn walk(
    root: &Path,
    dir: &Path,
    files: &mut Vec<(String, Stat)>,
    skip: Option<&str>,
) -> Option<()> {
    for e in std::fs::read_dir(dir).ok()? {
        let e = e.ok()?;
        let meta = e.metadata().ok()?;
        if meta.is_dir() && dir == root && skip.is_some_and(|s| e.file_name() == s) {
            continue;
        }
        if meta.is_dir() {
            walk(root, &e.path(), files, skip)?;
            continue;
        }
        let rel = e.path().strip_prefix(root).ok()?.display().to_string();
        files.push((rel, Stat::of(&meta)?));
    }
    Some(())
}
