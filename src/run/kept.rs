//! The indicator tables, the dataset by year and the workbook are made of
//! the cells alone (with the pipeline, the program and the report year). A
//! run whose cells are the last run's links those files from the last run's
//! folder, when they stand exactly as it left them, instead of making them
//! again: a return changed only in words (a comment, an activity, an
//! explanation) then spares, at country scale, the workbook's and the
//! tables' seconds. Everything else is written as always.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::cache::{Cache, Stat};
use crate::results::RunData;
use crate::store::names;

/// What the cells are: the key of the files' [`Record`] in `cache`.
pub struct Cells<'c> {
    key: String,
    cache: &'c Cache,
}

/// The files made of the cells, as the run that made them left them.
#[derive(Serialize, Deserialize)]
struct Record {
    files: Vec<(String, Stat)>,
}

impl<'c> Cells<'c> {
    /// The key of the run's cells and report year; `None` without a cache.
    pub fn of(cache: &'c Cache, d: &RunData) -> Option<Cells<'c>> {
        let made_of = (d.report_year, &d.cells);
        let key = cache.key_of_value("tabeller", &made_of)?;
        Some(Cells { key, cache })
    }

    /// Links the last run's files made of these cells from `out` into `tmp`
    /// if every one stands as that run left it; whether it did. Nothing is
    /// left linked when one link fails: a file written over a link would
    /// change the last run's file with it.
    pub fn link(&self, out: &Path, tmp: &Path) -> bool {
        let Some(record) = self.cache.load::<Record>(&self.key) else {
            return false;
        };
        let stands = |(name, stat): &(String, Stat)| stat_of(&out.join(name)) == Some(*stat);
        if record.files.is_empty() || !record.files.iter().all(stands) {
            return false;
        }
        let linked = record.files.iter().try_for_each(|(name, _)| {
            let to = tmp.join(name);
            if let Some(dir) = to.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::hard_link(out.join(name), to)
        });
        if linked.is_err() {
            for (name, _) in &record.files {
                let _ = std::fs::remove_file(tmp.join(name));
            }
        }
        linked.is_ok()
    }

    /// Keeps the files made of the cells as this finished run left them.
    pub fn save(self, out: &Path) {
        let mut files: Vec<String> = [
            names::INDICATORS_CSV,
            names::INDICATORS_EXCEL_CSV,
            names::INDICATORS_PARQUET,
            names::WORKBOOK,
        ]
        .map(String::from)
        .to_vec();
        let Ok(years) = std::fs::read_dir(out.join(names::INDICATORS_DATASET)) else {
            return;
        };
        for year in years.flatten() {
            let year = year.file_name().to_string_lossy().into_owned();
            let (dataset, part) = (names::INDICATORS_DATASET, names::PARTITION_FILE);
            files.push(format!("{dataset}/{year}/{part}"));
        }
        files.sort();
        let stats: Option<Vec<(String, Stat)>> = files
            .into_iter()
            .map(|name| stat_of(&out.join(&name)).map(|s| (name, s)))
            .collect();
        if let Some(files) = stats {
            self.cache.put(&self.key, &Record { files });
        }
    }
}

/// A regular file's metadata (not a link's, nor what one points to).
fn stat_of(path: &Path) -> Option<Stat> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    meta.is_file().then(|| Stat::of(&meta)).flatten()
}
