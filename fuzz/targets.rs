//! The fuzz targets: bytes in, through the same reader and validator the
//! binary uses. Each writes its input to a file first, since the readers
//! take paths (and check what kind of file they are given).

use std::path::{Path, PathBuf};

use uppfolj::pipeline::{self, Pipeline};
use uppfolj::validate;

pub struct Target {
    pub name: &'static str,
    /// Where its seeds come from, relative to the repository, and their endings.
    seeds: &'static [(&'static str, &'static str)],
    pub run: fn(&[u8], &Path),
}

pub const ALL: &[Target] = &[
    Target {
        name: "returns",
        seeds: &[
            ("tests/fixtures/returns", "xlsx"),
            ("data-samples/returns/2022", "xlsx"),
            ("tests/fixtures/returns", "ods"),
            ("tests/fixtures/returns", "xls"),
        ],
        run: returns,
    },
    Target {
        name: "survey-csv",
        seeds: &[("data-samples/survey", "csv")],
        run: |b, dir| survey(b, dir, "enkat-2018.csv"),
    },
    Target {
        name: "survey-xlsx",
        seeds: &[("data-samples/survey", "xlsx")],
        run: |b, dir| survey(b, dir, "enkat-2020.xlsx"),
    },
    Target {
        name: "survey-parquet",
        seeds: &[
            ("data-samples/survey", "parquet"),
            ("tests/fixtures/survey", "parquet"),
        ],
        run: |b, dir| survey(b, dir, "enkat-2021.parquet"),
    },
    Target {
        name: "pipeline",
        seeds: &[("pipelines", "toml")],
        run: pipeline_file,
    },
];

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The seed corpus: every file with the target's endings in its folders.
pub fn seeds(t: &Target) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for (dir, ext) in t.seeds {
        let Ok(rd) = std::fs::read_dir(repo().join(dir)) else {
            continue;
        };
        let mut files: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
        files.sort();
        for f in files {
            if f.extension().is_some_and(|e| e == *ext)
                && let Ok(b) = std::fs::read(&f)
            {
                out.push(b);
            }
        }
    }
    assert!(!out.is_empty(), "{}: no seeds", t.name);
    out
}

/// The sample pipeline, loaded once.
fn sample() -> &'static Pipeline {
    static P: std::sync::OnceLock<Pipeline> = std::sync::OnceLock::new();
    P.get_or_init(|| {
        pipeline::load(&repo().join("pipelines/romsk-inkludering-2018-2022.toml"))
            .expect("the sample pipeline loads")
    })
}

fn returns(bytes: &[u8], dir: &Path) {
    let path = dir.join("2022").join("un-2022.xlsx");
    let _ = std::fs::create_dir_all(path.parent().unwrap_or(dir));
    if std::fs::write(&path, bytes).is_ok() {
        let _ = validate::returns::validate_files(sample(), &[path], None);
    }
}

fn survey(bytes: &[u8], dir: &Path, name: &str) {
    let path = dir.join(name);
    if std::fs::write(&path, bytes).is_ok() {
        let year = name[6..10].parse().ok();
        let _ = validate::survey::validate_files(sample(), &[path], year);
    }
}

fn pipeline_file(bytes: &[u8], dir: &Path) {
    let path = dir.join("p.toml");
    if std::fs::write(&path, bytes).is_ok() {
        let _ = pipeline::load(&path);
    }
}
