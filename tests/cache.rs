//! Incremental runs: a run reads back what unchanged inputs became and
//! recomputes the rest, and its outputs are byte-identical to a cold run's
//! (`--no-cache`) after changing nothing, one return, one survey file or the
//! pipeline.

use std::path::Path;

use uppfolj::store::names;

use crate::run::{files, pipeline_in_test_folder, without_times};
use crate::test::{Test, repo_root};

/// The returns and the survey files the sample has: 91 + 5.
const INPUTS: usize = 96;

/// A test folder with its own copy of the sample's returns (`inbox/`) and
/// 2018 survey file, which the steps below change.
fn folder() -> tempfile::TempDir {
    let t = copy_dir(
        Test::new(),
        &repo_root().join("data-samples/returns"),
        "inbox",
    );
    let survey = std::fs::read(repo_root().join("data-samples/survey/enkat-2018.csv")).unwrap();
    let t = pipeline_in_test_folder(
        t.write("enkat/enkat-2018.csv", survey),
        "inbox",
        "enkat/enkat-2018.csv",
        "ut",
        "charts",
    );
    t.keep()
}

fn copy_dir(mut t: Test, from: &Path, to: &str) -> Test {
    for (rel, bytes) in files(from) {
        t = t.write(&format!("{to}/{rel}"), bytes);
    }
    t
}

/// What a run that finds the last run's outputs standing says.
const UNCHANGED: &str = "Inga indata har ändrats sedan förra körningen och ut är som den lämnade den, så inget behövde läsas eller beräknas om";

fn kept_note(kept: usize) -> String {
    format!(
        "Cachen: {kept} indatafiler oförändrade sedan förra körningen, {} lästa och beräknade",
        INPUTS - kept
    )
}

/// Runs with the cache, then cold into `kall/`, and checks that every output
/// is the same and that the cached run read back `kept` inputs.
fn same_as_cold(dir: tempfile::TempDir, kept: usize) -> tempfile::TempDir {
    said_and_same_as_cold(dir, &kept_note(kept))
}

/// As [`same_as_cold`], for a run that says `note`.
fn said_and_same_as_cold(dir: tempfile::TempDir, note: &str) -> tempfile::TempDir {
    let (_, dir) = Test::within(dir)
        .args(&["run", "p.toml", "--offline"])
        .stderr_has(note)
        .run_keep();
    let (_, dir) = Test::within(dir)
        .args(&["run", "p.toml", "--offline", "--no-cache", "--quiet"])
        .args(&["--out", "kall/ut", "--charts", "kall/charts"])
        .run_keep();
    for (warm, cold) in [("ut", "kall/ut"), ("charts", "kall/charts")] {
        let (warm, cold) = (files(&dir.path().join(warm)), files(&dir.path().join(cold)));
        assert_eq!(
            warm.keys().collect::<Vec<_>>(),
            cold.keys().collect::<Vec<_>>()
        );
        for (name, bytes) in &warm {
            if name == names::MANIFEST {
                assert_eq!(without_times(bytes), without_times(&cold[name]));
            } else {
                assert!(*bytes == cold[name], "{name} differs from a cold run's");
            }
        }
    }
    dir
}

fn change(dir: &tempfile::TempDir, name: &str, bytes: impl AsRef<[u8]>) {
    std::fs::write(dir.path().join(name), bytes).unwrap();
}

#[test]
fn a_rerun_redoes_only_what_changed_and_writes_what_a_cold_run_writes() {
    let dir = folder();
    // The first run fills the cache.
    let dir = same_as_cold(dir, 0);
    // Nothing changed: the outputs stand, and nothing is read.
    let dir = said_and_same_as_cold(dir, UNCHANGED);
    // An output edited by hand: every input is read back and the folder written anew.
    let report = dir.path().join("ut").join(names::REPORT);
    let mut edited = std::fs::read(&report).unwrap();
    edited.extend("<!-- ändrad -->".as_bytes());
    std::fs::write(&report, edited).unwrap();
    let dir = same_as_cold(dir, INPUTS);
    // A return saved again with the same bytes is no change.
    let kun = dir.path().join("inbox/2022/kun-2022.xlsx");
    std::fs::write(&kun, std::fs::read(&kun).unwrap()).unwrap();
    let dir = said_and_same_as_cold(dir, UNCHANGED);
    // A published chart removed: the outputs stand, and the chart is put back.
    let charts = files(&dir.path().join("charts"));
    let chart = charts.into_keys().find(|n| n.ends_with(".png")).unwrap();
    std::fs::remove_file(dir.path().join("charts").join(chart)).unwrap();
    let dir = said_and_same_as_cold(dir, UNCHANGED);
    // One return: Kulturnämnden's 2022 return as filled in with LibreOffice.
    let filled = std::fs::read(repo_root().join("tests/fixtures/returns/lo-filled-kun-2022.xlsx"));
    change(&dir, "inbox/2022/kun-2022.xlsx", filled.unwrap());
    let dir = same_as_cold(dir, INPUTS - 1);
    let kul2 = std::fs::read_to_string(dir.path().join("ut").join(names::INDICATORS_CSV)).unwrap();
    assert!(
        kul2.contains("KUL-2,"),
        "the changed return's values are in the table"
    );
    // One survey file: one respondent's answer changed.
    let survey = std::fs::read_to_string(dir.path().join("enkat/enkat-2018.csv")).unwrap();
    let edited = crate::survey::set(&survey, 1, "f_soc", "3");
    assert_ne!(edited, survey);
    change(&dir, "enkat/enkat-2018.csv", edited);
    let dir = same_as_cold(dir, INPUTS - 1);
    // Entries an earlier version left, as JSON, go like any unused entry.
    let cache = dir.path().join("ut-EJ-FOR-PUBLICERING/cache");
    std::fs::write(cache.join(format!("{}.json", "a".repeat(64))), "{}").unwrap();
    std::fs::write(cache.join("filer.json"), "[]").unwrap();
    // The pipeline: every input is computed again.
    let p = std::fs::read_to_string(dir.path().join("p.toml")).unwrap();
    change(
        &dir,
        "p.toml",
        crate::test::edit(&p, "min_cell = 5", "min_cell = 6"),
    );
    let dir = same_as_cold(dir, 0);
    // The cache holds this run's entries only (the inputs', the run's own
    // and its table files'), beside its note and the inputs' hashes.
    let kept = files(&dir.path().join("ut-EJ-FOR-PUBLICERING/cache"));
    assert_eq!(kept.len(), INPUTS + 4, "{:?}", kept.keys());
    assert!(kept.contains_key(uppfolj::cache::MARKER));
    assert!(kept.contains_key("filer.msgpack"));
    assert!(
        !kept.keys().any(|k| k.ends_with(".json")),
        "{:?}",
        kept.keys()
    );
}

#[test]
fn no_cache_neither_reads_nor_writes_the_cache() {
    let dir = folder();
    let (_, dir) = Test::within(dir)
        .args(&["run", "p.toml", "--offline", "--no-cache"])
        .stderr_lacks("Cachen:")
        .run_keep();
    assert!(!dir.path().join("ut-EJ-FOR-PUBLICERING/cache").exists());
}

#[test]
fn a_folder_that_is_not_the_caches_is_left_alone() {
    let dir = folder();
    // The private folder is a run's, but someone made its cache/ by hand.
    let mine = dir.path().join("ut-EJ-FOR-PUBLICERING/cache/mitt.txt");
    std::fs::create_dir_all(mine.parent().unwrap()).unwrap();
    std::fs::write(&mine, "mitt").unwrap();
    std::fs::write(dir.path().join("ut-EJ-FOR-PUBLICERING/.uppfolj-utdata"), "").unwrap();
    let (_, dir) = Test::within(dir)
        .args(&["run", "p.toml", "--offline"])
        .stderr_has("varning: mappen")
        .stderr_lacks("Cachen:")
        .run_keep();
    let left = files(&dir.path().join("ut-EJ-FOR-PUBLICERING/cache"));
    assert_eq!(left.keys().collect::<Vec<_>>(), ["mitt.txt"]);
}

/// Each year's file of the dataset in `ut/`: its inode and bytes, by folder.
#[cfg(unix)]
fn partitions(dir: &tempfile::TempDir) -> Vec<(String, (u64, Vec<u8>))> {
    use std::os::unix::fs::MetadataExt;
    let dataset = dir.path().join("ut").join(names::INDICATORS_DATASET);
    let mut years: Vec<(String, (u64, Vec<u8>))> = std::fs::read_dir(dataset)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let file = e.path().join(names::PARTITION_FILE);
            let inode = std::fs::metadata(&file).unwrap().ino();
            let name = e.file_name().to_string_lossy().into_owned();
            (name, (inode, std::fs::read(&file).unwrap()))
        })
        .collect();
    years.sort();
    years
}

#[cfg(unix)]
#[test]
fn a_changed_return_gives_only_its_own_year_of_the_dataset_a_new_file() {
    let run = |dir| {
        Test::within(dir)
            .args(&["run", "p.toml", "--offline", "--quiet"])
            .run_keep()
            .1
    };
    let dir = run(folder());
    let before = partitions(&dir);
    let names: Vec<&str> = before.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "year=2018",
            "year=2019",
            "year=2020",
            "year=2021",
            "year=2022"
        ]
    );
    let filled = std::fs::read(repo_root().join("tests/fixtures/returns/lo-filled-kun-2022.xlsx"));
    change(&dir, "inbox/2022/kun-2022.xlsx", filled.unwrap());
    let dir = run(dir);
    let after = partitions(&dir);
    assert_eq!(after.len(), before.len());
    for ((year, (inode, bytes)), (_, (old_inode, old_bytes))) in after.iter().zip(&before) {
        if year == "year=2022" {
            assert!(bytes != old_bytes, "the changed year has new values");
            assert_ne!(inode, old_inode, "the changed year is a new file");
        } else {
            assert!(bytes == old_bytes, "{year} has the same values");
            assert_eq!(inode, old_inode, "{year} was written again");
        }
    }
}

/// What a run says when its cells are the last run's.
const SAME_VALUES: &str = "Värdena är desamma som förra körningen: indikatortabellerna och arbetsboken behålls som de var";

/// The inode of each file made of the cells alone, in `ut/`.
#[cfg(unix)]
fn made_of_cells(dir: &tempfile::TempDir) -> Vec<u64> {
    use std::os::unix::fs::MetadataExt;
    let ut = dir.path().join("ut");
    let mut names = vec![
        names::INDICATORS_CSV.to_string(),
        names::INDICATORS_EXCEL_CSV.to_string(),
        names::INDICATORS_PARQUET.to_string(),
        names::WORKBOOK.to_string(),
    ];
    names.extend(partitions(dir).into_iter().map(|(year, _)| {
        format!(
            "{}/{year}/{}",
            names::INDICATORS_DATASET,
            names::PARTITION_FILE
        )
    }));
    let inodes = names
        .iter()
        .map(|n| std::fs::metadata(ut.join(n)).unwrap().ino());
    inodes.collect()
}

/// Kulturnämnden's 2022 return with one activity's words `was` made `words`.
fn kun_in_other_words(dir: &tempfile::TempDir, was: &str, words: &str) {
    let path = dir.path().join("inbox/2022/kun-2022.xlsx");
    let edited = crate::hostile::rezipped(std::fs::read(&path).unwrap(), |name, data| {
        if name != "xl/sharedStrings.xml" {
            return (name, data);
        }
        let text = String::from_utf8(data).unwrap();
        let edited = crate::test::edit(&text, was, words);
        (name, edited.into_bytes())
    });
    change(dir, "inbox/2022/kun-2022.xlsx", edited.finish());
}

#[cfg(unix)]
#[test]
fn a_return_changed_only_in_words_keeps_the_tables_and_the_workbook() {
    let dir = same_as_cold(folder(), 0);
    let before = made_of_cells(&dir);
    // An activity in other words: the report changes, the values do not.
    let words = "Kulturförvaltningen har bildat en arbetsgrupp och antagit en handlingsplan.";
    let was = "En arbetsgrupp har tagits fram och en handlingsplan är antagen.";
    kun_in_other_words(&dir, was, words);
    let (_, dir) = Test::within(dir)
        .args(&["run", "p.toml", "--offline"])
        .stderr_has(SAME_VALUES)
        .stderr_has("Skriver tabeller: kvalitet (indikatortabellerna behålls)")
        .stderr_has("Skriver arbetsboken: indikatorer.xlsx behålls")
        .run_keep();
    let dir = said_and_same_as_cold(dir, UNCHANGED);
    let report = std::fs::read_to_string(dir.path().join("ut").join(names::REPORT)).unwrap();
    assert!(report.contains(words), "the new words are in the report");
    assert_eq!(made_of_cells(&dir), before, "the files were made again");
    // The workbook opened and saved by hand: made again, as a cold run makes it.
    let book = dir.path().join("ut").join(names::WORKBOOK);
    std::fs::write(&book, std::fs::read(&book).unwrap()).unwrap();
    kun_in_other_words(
        &dir,
        words,
        "Kulturförvaltningen har en arbetsgrupp och en plan.",
    );
    let (_, dir) = Test::within(dir)
        .args(&["run", "p.toml", "--offline"])
        .stderr_lacks(SAME_VALUES)
        .run_keep();
    // (The dataset's years are linked by their bytes, as after any change.)
    let after = made_of_cells(&dir);
    let (top, top_after) = (&before[..4], &after[..4]);
    assert!(
        top.iter().all(|i| !top_after.contains(i)),
        "{top:?} {top_after:?}"
    );
    // A value changed: nothing is kept.
    let filled = std::fs::read(repo_root().join("tests/fixtures/returns/lo-filled-kun-2022.xlsx"));
    change(&dir, "inbox/2022/kun-2022.xlsx", filled.unwrap());
    same_as_cold(dir, INPUTS - 1);
}
