//! Store: the tidy indicator table (CSV, Parquet, and a workbook for Excel
//! users), the quality report, the feedback to each committee and the
//! manifest. The same inputs give byte-identical files, apart from the stage
//! times in the manifest.

pub mod feedback;
pub mod reuse;
pub mod table;
pub mod workbook;

/// The output folder's files, named once for the code and the tests.
pub mod names {
    pub const INDICATORS_CSV: &str = "indicators.csv";
    /// The same table for Swedish Excel: semicolons, decimal commas, a BOM.
    pub const INDICATORS_EXCEL_CSV: &str = "indikatorer-excel.csv";
    pub const INDICATORS_PARQUET: &str = "indicators.parquet";
    /// A folder: the same table as a dataset partitioned by year,
    /// `year=2022/part-0.parquet`, for DuckDB, Spark or Trino.
    pub const INDICATORS_DATASET: &str = "indicators";
    /// Each partition's file in its `year=…` folder.
    pub const PARTITION_FILE: &str = "part-0.parquet";
    pub const WORKBOOK: &str = "indikatorer.xlsx";
    pub const QUALITY: &str = "kvalitet.json";
    pub const MANIFEST: &str = "manifest.json";
    pub const REPORT: &str = "rapport.html";
    /// For analysts only: which withheld cells were primary and which
    /// complementary. Published, it would help a reader narrow them down.
    pub const SUPPRESSION: &str = "EJ-FOR-PUBLICERING-undantag.csv";
    /// A folder: one text file per committee and year.
    pub const FEEDBACK: &str = "feedback";
    /// The private folder's default name: the output folder's, with this.
    pub const PRIVATE_SUFFIX: &str = "-EJ-FOR-PUBLICERING";
    /// In the output folder: what it holds may be published.
    pub const PUBLISHABLE_NOTE: &str = "LÄS-MIG.txt";
    /// In the private folder: what it holds must never be published.
    pub const PRIVATE_NOTE: &str = "LÄS-MIG-EJ-FÖR-PUBLICERING.txt";
    /// A folder: one SVG and one PNG per chart.
    pub const CHARTS: &str = "charts";
    /// In every output folder: the sign that uppfolj made it and may replace it.
    pub const MARKER: &str = ".uppfolj-utdata";
    /// In a folder charts are published to: the ledger of the files uppfolj put there.
    pub const PUBLISHED: &str = ".uppfolj-diagram";
}

use std::path::Path;

use polars::prelude::*;
use serde::Serialize;

use crate::aggregate::Cell;
use crate::error::Error;
use crate::finding::Severity;
use crate::pipeline::Pipeline;
use crate::results::RunData;
use table::csv_field;

/// The fields that say which cell a row is: indicator, year, unit, breakdown, group.
fn where_fields(c: &Cell) -> [String; 5] {
    [
        csv_field(&c.indicator_id),
        c.year.to_string(),
        csv_field(&c.unit_id),
        csv_field(&c.key.breakdown),
        csv_field(&c.key.group),
    ]
}

/// The indicator table's `rows` in each of its forms, in `dir`:
/// `indicators.csv`, `indikatorer-excel.csv`, `indicators.parquet` and the
/// dataset by year.
/// A year of the dataset that `earlier` (the last run's folder) holds with
/// the same bytes is linked from there, not written again: a changed return
/// gives its own year a new file and leaves the others as they were, so a
/// copy elsewhere (`rsync`, a data lake) moves only what changed.
pub fn write_tables(rows: &[table::Row<'_>], dir: &Path, earlier: &Path) -> Result<(), Error> {
    write_csv(
        rows,
        table::Dialect::Plain,
        &dir.join(names::INDICATORS_CSV),
    )?;
    let excel = dir.join(names::INDICATORS_EXCEL_CSV);
    write_csv(rows, table::Dialect::SwedishExcel, &excel)?;
    let parquet = dir.join(names::INDICATORS_PARQUET);
    let mut df = table::frame(rows).map_err(polars_output(&parquet))?;
    write_parquet(&mut df, &parquet)?;
    let dataset = names::INDICATORS_DATASET;
    write_partitioned(&df, &dir.join(dataset), &earlier.join(dataset))
}

/// `indicators.csv` (UTF-8, comma-separated, a dot for decimals, blank for
/// none) or `indikatorer-excel.csv`, as `dialect` says.
fn write_csv(rows: &[table::Row<'_>], dialect: table::Dialect, path: &Path) -> Result<(), Error> {
    std::fs::write(path, table::csv(rows, dialect)).map_err(Error::writing(path))
}

/// The analysts' own record of suppression: every withheld cell with why,
/// primary and complementary told apart. Never to be published.
pub fn write_suppression(cells: &[Cell], path: &Path) -> Result<(), Error> {
    let mut s = String::from(
        "# EJ FÖR PUBLICERING: visar vilka värden som undantogs som primära och vilka som sekundära; publicerat skulle det hjälpa en läsare att räkna fram dem.\n",
    );
    s.push_str("indicator_id,year,unit_id,breakdown,group,reason\n");
    for c in cells {
        let Some(r) = c.withheld else { continue };
        let mut row = where_fields(c).to_vec();
        row.push(csv_field(r.label_for_analysts()));
        s.push_str(&row.join(","));
        s.push('\n');
    }
    std::fs::write(path, s).map_err(Error::writing(path))
}

/// Why polars could not write: its I/O error in Swedish, if that was it.
fn polars_reason(e: PolarsError) -> String {
    match e {
        PolarsError::IO { error, .. } => format!("den {}", crate::text::io_error(&error)),
        e => crate::text::foreign(&e),
    }
}

/// What polars' failure to write `path` is to the user.
fn polars_output(path: &Path) -> impl Fn(PolarsError) -> Error + '_ {
    move |e| Error::Output {
        file: path.display().to_string(),
        reason: polars_reason(e),
    }
}

fn write_parquet(df: &mut DataFrame, path: &Path) -> Result<(), Error> {
    let bytes = parquet_bytes(df, path)?;
    std::fs::write(path, bytes).map_err(Error::writing(path))
}

/// The Parquet file of `df`, for `path`, in memory: the one place its
/// writer's settings are chosen, for the table and the dataset alike.
fn parquet_bytes(df: &mut DataFrame, path: &Path) -> Result<Vec<u8>, Error> {
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes)
        .finish(df)
        .map_err(polars_output(path))?;
    Ok(bytes)
}

/// The table as a Hive-style dataset in `dir`: one folder per year
/// (`year=2022`), its rows in one Parquet file without the year column,
/// which the folder's name gives. Readers take `dir/**/*.parquet` with hive
/// partitioning as one table, and a national follow-up can be queried
/// without loading what it does not ask for.
fn write_partitioned(table: &DataFrame, dir: &Path, earlier: &Path) -> Result<(), Error> {
    let years = table
        .column("year")
        .and_then(|c| c.i32().cloned())
        .map_err(polars_output(dir))?;
    let mut list: Vec<i32> = years.into_no_null_iter().collect();
    list.sort_unstable();
    list.dedup();
    for year in list {
        let part = Path::new(&format!("year={year}")).join(names::PARTITION_FILE);
        let path = dir.join(&part);
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder).map_err(Error::writing(folder))?;
        }
        let mut df = table
            .filter(&years.equal(year))
            .and_then(|df| df.drop("year"))
            .map_err(polars_output(&path))?;
        let bytes = parquet_bytes(&mut df, &path)?;
        reuse::write(&path, &earlier.join(&part), &bytes).map_err(Error::writing(&path))?;
    }
    Ok(())
}

// The structs below are written field by field in their own order, and
// kvalitet.json's keys have always been sorted (serde_json's map): their
// fields stay in alphabetical order. Written typed, not as a map, because
// at country scale the file holds 640 000 comments.

#[derive(Serialize)]
struct Withheld<'a> {
    breakdown: &'a str,
    group: &'a str,
    indicator_id: &'a str,
    reason: &'static str,
    unit_id: &'a str,
    year: i32,
}

/// `kvalitet.json` as a whole.
#[derive(Serialize)]
struct Quality<'a> {
    comments: Vec<Comment<'a>>,
    completeness: serde_json::Value,
    errors: usize,
    findings: serde_json::Value,
    min_cell: u32,
    reference: Vec<serde_json::Value>,
    refused: Vec<serde_json::Value>,
    report_year: i32,
    strategy: &'a str,
    survey: Vec<serde_json::Value>,
    warnings: usize,
    withheld: Vec<Withheld<'a>>,
}

/// A committee's comment on a value, or its description of a measure.
#[derive(Serialize)]
#[serde(untagged)]
enum Comment<'a> {
    Value {
        breakdown: &'a str,
        cell: &'a str,
        comment: &'a str,
        file: &'a str,
        group: &'a str,
        indicator_id: &'a str,
        sheet: &'a str,
        unit_id: &'a str,
        year: i32,
    },
    Measure {
        cell: &'a str,
        comment: &'a str,
        file: &'a str,
        measure_id: &'a str,
        sheet: &'a str,
        unit_id: &'a str,
        year: i32,
    },
}

/// `kvalitet.json`: completeness, every finding, refused files, the reference
/// statistics' state, and what was withheld and why.
pub fn write_quality(p: &Pipeline, d: &RunData, path: &Path) -> Result<(), Error> {
    let withheld: Vec<Withheld> = d
        .cells
        .iter()
        .filter_map(|c| {
            c.withheld.map(|r| Withheld {
                indicator_id: &c.indicator_id,
                year: c.year,
                unit_id: &c.unit_id,
                breakdown: &c.key.breakdown,
                group: &c.key.group,
                reason: r.label(),
            })
        })
        .collect();
    let refused: Vec<serde_json::Value> = d
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error && f.sheet.is_none() && f.cell.is_none())
        .filter(|f| d.returns.refused.contains(&f.file) || d.survey.refused.contains(&f.file))
        .map(|f| serde_json::json!({"file": f.file, "reason": f.message}))
        .collect();
    let reference: Vec<serde_json::Value> = d
        .reference
        .iter()
        .map(|s| {
            serde_json::json!({
                "indicator_id": s.indicator,
                "kpi": s.kpi,
                "available": s.available(),
                "fetched_at": s.fetched_at,
                "fresh": s.fresh,
                "error": s.error.as_ref().map(|e| e.to_string()),
                "message": s.describe(),
            })
        })
        .collect();
    let survey: Vec<serde_json::Value> = d
        .survey
        .respondents
        .iter()
        .map(|r| {
            serde_json::json!({
                "year": r.year,
                "file": r.file,
                "respondents": r.rows,
                "weighted": r.weighted,
                "smallest_group": r.smallest_group,
                "coarsened": r.coarsened,
                "k": p.survey.as_ref().map(|s| s.k_anonymity),
            })
        })
        .collect();
    let doc = Quality {
        strategy: &p.strategy.id,
        comments: comments(d),
        report_year: d.report_year,
        min_cell: p.disclosure.min_cell,
        completeness: as_map(&d.completeness, path)?,
        errors: d.count(Severity::Error),
        warnings: d.count(Severity::Warning),
        refused,
        findings: as_map(&d.findings, path)?,
        reference,
        survey,
        withheld,
    };
    write_json(&doc, path)
}

/// A small part of a document as serde_json's map, whose keys are sorted.
fn as_map(part: &impl Serialize, path: &Path) -> Result<serde_json::Value, Error> {
    serde_json::to_value(part).map_err(|e| Error::Output {
        file: path.display().to_string(),
        reason: crate::text::foreign(&e),
    })
}

/// The committees' comments on their values and descriptions of their
/// measures, each with what it concerns as fields to filter on. Only text
/// that passed the identifier check was ever kept.
fn comments(d: &RunData) -> Vec<Comment<'_>> {
    let values = d.returns.values.iter().filter_map(|v| {
        Some(Comment::Value {
            unit_id: &v.unit_id,
            year: v.year,
            indicator_id: &v.indicator_id,
            breakdown: &v.key.breakdown,
            group: &v.key.group,
            file: &v.file,
            sheet: &v.sheet,
            cell: &v.cell,
            comment: v.comment.as_deref()?,
        })
    });
    let activities = d.returns.activities.iter().filter_map(|a| {
        Some(Comment::Measure {
            unit_id: &a.unit_id,
            year: a.year,
            measure_id: &a.measure_id,
            file: &a.file,
            sheet: &a.sheet,
            cell: &a.cell,
            comment: a.description.as_deref()?,
        })
    });
    values.chain(activities).collect()
}

/// Pretty JSON with a final newline. A value that cannot be serialised is
/// an error, never an empty file.
fn write_json(doc: &impl Serialize, path: &Path) -> Result<(), Error> {
    let mut text = serde_json::to_vec_pretty(doc).map_err(|e| Error::Output {
        file: path.display().to_string(),
        reason: crate::text::foreign(&e),
    })?;
    text.push(b'\n');
    std::fs::write(path, text).map_err(Error::writing(path))
}

/// `manifest.json`: what went in (paths and SHA-256), the program, row
/// counts and each stage's time.
pub fn write_manifest(
    p: &Pipeline,
    d: &RunData,
    stages: &[(String, f64)],
    files: &[(String, usize)],
    path: &Path,
) -> Result<(), Error> {
    let pipeline_hash = std::fs::read(&p.file)
        .map(|b| crate::ledger::sha256_hex(&b))
        .map_err(Error::io(format!("kan inte läsa {}", p.file.display())))?;
    let mut inputs = d.inputs.clone();
    inputs.sort_by(|a, b| a.path.cmp(&b.path));
    let doc = serde_json::json!({
        "program": {"name": env!("CARGO_PKG_NAME"), "version": env!("CARGO_PKG_VERSION")},
        "pipeline": {"id": p.strategy.id, "path": p.file.display().to_string(), "sha256": pipeline_hash},
        "report_year": d.report_year,
        "inputs": inputs,
        "rows": {
            "indicators": d.cells.len(),
            "withheld": d.cells.iter().filter(|c| c.is_withheld()).count(),
            "return_values": d.returns.values.len(),
            "activities": d.returns.activities.len(),
            "survey_respondents": d.survey.respondents.iter().map(|r| r.rows).sum::<usize>(),
        },
        "outputs": files.iter().map(|(f, n)| serde_json::json!({"file": f, "bytes": n})).collect::<Vec<_>>(),
        "stages": stages.iter().map(|(n, s)| serde_json::json!({"stage": n, "seconds": s})).collect::<Vec<_>>(),
    });
    write_json(&doc, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each typed part of kvalitet.json writes its keys in the sorted order
    /// the file has always had (as serde_json's map writes them).
    #[test]
    fn quality_keys_stay_sorted() {
        let sorted = |text: String| {
            let map: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(serde_json::to_string_pretty(&map).unwrap(), text);
        };
        let withheld = Withheld {
            breakdown: "kon",
            group: "kvinna",
            indicator_id: "A-1",
            reason: "x",
            unit_id: "u",
            year: 2022,
        };
        let value = Comment::Value {
            breakdown: "b",
            cell: "D4",
            comment: "c",
            file: "f",
            group: "g",
            indicator_id: "A-1",
            sheet: "s",
            unit_id: "u",
            year: 2022,
        };
        let measure = Comment::Measure {
            cell: "D4",
            comment: "c",
            file: "f",
            measure_id: "m",
            sheet: "s",
            unit_id: "u",
            year: 2022,
        };
        let doc = Quality {
            comments: vec![value, measure],
            completeness: serde_json::json!([{"b": 1, "a": 2}]),
            errors: 1,
            findings: serde_json::json!([]),
            min_cell: 5,
            reference: vec![serde_json::json!({"kpi": "N1"})],
            refused: vec![serde_json::json!({"file": "f"})],
            report_year: 2022,
            strategy: "s",
            survey: vec![],
            warnings: 2,
            withheld: vec![withheld],
        };
        sorted(serde_json::to_string_pretty(&doc).unwrap());
    }
}
