//! Benchmarks of each stage and of `run` end to end (divan). Figures and the
//! commands to reproduce them are in BENCHMARKS.md.
//!
//!     cargo bench --bench stages

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use divan::Bencher;
use uppfolj::pipeline::{self, Pipeline};
use uppfolj::run::{self, RunRequest};
#[allow(dead_code)]
#[path = "../examples/samples/generate/mod.rs"]
mod samples;

use samples::scale::{self, Scale};

/// The allocator the `uppfolj` binary uses, so that the figures are the program's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn sample() -> Pipeline {
    pipeline::load(&root().join("pipelines/romsk-inkludering-2018-2022.toml")).unwrap()
}

/// A generated follow-up, made once per benchmark run.
struct Generated {
    _dir: tempfile::TempDir,
    pipeline: PathBuf,
}

fn generate(units: usize, respondents: usize, csv: bool) -> Generated {
    let dir = tempfile::tempdir().unwrap();
    let pipeline = scale::write(
        &Scale {
            units,
            respondents,
            csv,
            years: 5,
        },
        dir.path(),
    )
    .unwrap();
    Generated {
        _dir: dir,
        pipeline,
    }
}

/// Five survey years of a million respondents each, as Parquet and as CSV.
static MILLION_PARQUET: LazyLock<Generated> = LazyLock::new(|| generate(0, 1_000_000, false));
static MILLION_CSV: LazyLock<Generated> = LazyLock::new(|| generate(0, 1_000_000, true));
/// The region scale: 1,000 more units, 200,000 respondents a year.
static REGION: LazyLock<Generated> = LazyLock::new(|| generate(1_000, 200_000, false));

/// Reading one committee return (calamine), the unit of the returns target.
#[divan::bench(sample_count = 200)]
fn returns_read_one_workbook(b: Bencher) {
    let p = sample();
    let file = root().join("data-samples/returns/2022/amn-2022.xlsx");
    b.bench(|| uppfolj::ingest::returns::read(&p, &file, Default::default()).unwrap());
}

/// Reading and validating all 91 sample returns, in parallel.
#[divan::bench(sample_count = 20)]
fn returns_validate_91(b: Bencher) {
    let p = sample();
    let (files, _) = uppfolj::inputs::collect_files(&[root().join("data-samples/returns")]);
    b.bench(|| uppfolj::validate::returns::validate_files(&p, &files, None));
}

/// The survey files of a generated follow-up, each with its year.
fn survey_files(g: &Generated, ext: &str) -> Vec<(PathBuf, Option<i32>)> {
    let base = g.pipeline.parent().unwrap();
    (2018..=2022)
        .map(|y| (base.join(format!("survey/enkat-{y}.{ext}")), Some(y)))
        .collect()
}

/// Five million survey rows (five years of a million) from their files to
/// all survey indicators with intervals and disclosure control.
fn survey_five_million(b: Bencher, g: &Generated, ext: &str) {
    let p = pipeline::load(&g.pipeline).unwrap();
    let files = survey_files(g, ext);
    b.bench(|| {
        let o = uppfolj::validate::survey::validate_each(&p, &files);
        assert_eq!(o.respondents.len(), 5);
        let cells = uppfolj::aggregate::survey::cells_of_years(&p, &o.respondents).unwrap();
        uppfolj::disclose::protect(&p, cells).unwrap()
    });
}

#[divan::bench(sample_count = 3)]
fn survey_five_million_rows_parquet(b: Bencher) {
    survey_five_million(b, &MILLION_PARQUET, "parquet");
}

#[divan::bench(sample_count = 3)]
fn survey_five_million_rows_csv(b: Bencher) {
    survey_five_million(b, &MILLION_CSV, "csv");
}

/// The indicators and disclosure control alone, on a million respondents
/// already read and checked.
#[divan::bench(sample_count = 5)]
fn survey_indicators_million_rows(b: Bencher) {
    let g = &*MILLION_PARQUET;
    let p = pipeline::load(&g.pipeline).unwrap();
    let files = survey_files(g, "parquet");
    let o = uppfolj::validate::survey::validate_each(&p, &files[3..4]);
    b.bench(|| {
        let cells = uppfolj::aggregate::survey::cells_of_years(&p, &o.respondents).unwrap();
        uppfolj::disclose::protect(&p, cells).unwrap()
    });
}

/// One trend chart, SVG and PNG.
#[divan::bench(sample_count = 20)]
fn chart_one_indicator(b: Bencher) {
    let p = sample();
    let out = tempfile::tempdir().unwrap();
    let spec = uppfolj::chart::TrendSpec {
        title: "ENK-4 Andel 20–64 år som arbetar eller har eget företag".into(),
        subtitle: "Hela staden".into(),
        source: "Källa: enkät".into(),
        unit: uppfolj::pipeline::MeasureUnit::Andel,
        years: (2018..=2022).collect(),
        series: vec![uppfolj::chart::Series {
            label: "Totalt".into(),
            points: (2018..=2022)
                .map(|y| (y, Some(0.4 + (y - 2018) as f64 * 0.02), Some((0.35, 0.5))))
                .collect(),
            band: true,
            incomplete: vec![],
        }],
        targets: vec![(2022, 0.5)],
        notes: vec![],
    };
    let _ = p;
    b.bench(|| uppfolj::chart::write_trend(&spec, out.path(), "ENK-4").unwrap());
}

fn run_end_to_end(b: Bencher, pipeline_path: &Path) {
    let p = pipeline::load(pipeline_path).unwrap();
    let out = tempfile::tempdir().unwrap();
    // The program's own path, cold: no cache, nothing published beside.
    let request = RunRequest {
        out: Some(out.path().join("ut")),
        charts: Some(out.path().join("diagram")),
        offline: true,
        no_cache: true,
        quiet: true,
        ..RunRequest::default()
    };
    b.bench(|| run::execute(&p, request.clone()).unwrap());
}

/// `run` on data-samples/: about 20 units × 5 years, up to 1,350 respondents a year.
#[divan::bench(sample_count = 10)]
fn run_city(b: Bencher) {
    run_end_to_end(
        b,
        &root().join("pipelines/romsk-inkludering-2018-2022.toml"),
    );
}

/// `run` at the region scale: 1,000 more units × 5 years, 200,000 respondents a year.
#[divan::bench(sample_count = 3)]
fn run_region(b: Bencher) {
    run_end_to_end(b, &REGION.pipeline);
}

/// `run` at 1×, 4× and 16× the region scale (units and respondents both
/// multiplied), to show that cost grows linearly. The inputs are generated
/// before timing starts; 16× takes a few minutes to generate.
#[divan::bench(args = [1, 4, 16], sample_count = 1, sample_size = 1)]
fn run_region_times(b: Bencher, times: usize) {
    let g = generate(1_000 * times, 200_000 * times, false);
    run_end_to_end(b, &g.pipeline);
}

/// `run` at the country scale: 10,000 more units × 5 years (50,000 returns),
/// 1,000,000 respondents a year. Generating the inputs takes about two minutes.
#[divan::bench(sample_count = 1, sample_size = 1)]
fn run_country(b: Bencher) {
    let g = generate(10_000, 1_000_000, false);
    run_end_to_end(b, &g.pipeline);
}
