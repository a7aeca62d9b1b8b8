//! `uppfolj run`: every stage in order, from the inputs the pipeline file
//! names to a finished output folder. A run is a pure function of its inputs:
//! it recomputes every year whose inputs are present.

pub mod progress;

use std::collections::HashMap;

use polars::prelude::PolarsResult;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::aggregate::{self, Cell};
use crate::disclose::{self, Reason};
use crate::error::Error;
use crate::pipeline::Pipeline;
use crate::reference::{self, Status};
use crate::validate::returns::Activity;
use crate::validate::{self, Finding, Severity};
use progress::Progress;

pub struct Options {
    pub year: Option<i32>,
    pub out: Option<PathBuf>,
    pub offline: bool,
    /// Overrides where the charts are published besides the output folder.
    pub charts: Option<PathBuf>,
}

/// One input file the run read, for the manifest.
#[derive(Clone, Debug, serde::Serialize)]
pub struct InputRecord {
    pub kind: &'static str,
    pub path: String,
    pub sha256: String,
    pub used: bool,
}

/// Everything the outputs are written from.
pub struct RunData {
    pub report_year: i32,
    pub cells: Vec<(Cell, Option<Reason>)>,
    pub returns: validate::returns::Outcome,
    pub survey: validate::survey::Outcome,
    pub reference: Vec<Status>,
    pub findings: Vec<Finding>,
    pub inputs: Vec<InputRecord>,
    pub stages: Vec<(String, f64)>,
    /// Each year's expected and reporting units and values.
    pub completeness: Vec<Completeness>,
    /// Where to find cells and activities by key: the report and the charts
    /// look up one per unit and measure, and a scan each time would make a
    /// run quadratic in the number of units.
    index: Index,
}

#[derive(Default)]
struct Index {
    /// (indicator, year, breakdown, group) → the city's cell in `cells`.
    city: HashMap<(String, i32, String, String), usize>,
    /// (year, unit, measure) → the activity in `returns.activities`.
    activity: HashMap<(i32, String, String), usize>,
}

impl Index {
    fn build(cells: &[(Cell, Option<Reason>)], activities: &[Activity]) -> Index {
        let mut index = Index::default();
        for (i, (c, _)) in cells.iter().enumerate() {
            if c.unit_id == aggregate::CITY {
                index
                    .city
                    .entry((
                        c.indicator_id.clone(),
                        c.year,
                        c.breakdown.clone(),
                        c.group.clone(),
                    ))
                    .or_insert(i);
            }
        }
        for (i, a) in activities.iter().enumerate() {
            index
                .activity
                .entry((a.year, a.unit_id.clone(), a.measure_id.clone()))
                .or_insert(i);
        }
        index
    }
}

impl RunData {
    /// The city's cell of an indicator for a year and group, if computed.
    pub fn city_cell(&self, id: &str, year: i32, breakdown: &str, group: &str) -> Option<&Cell> {
        let key = (
            id.to_string(),
            year,
            breakdown.to_string(),
            group.to_string(),
        );
        self.index.city.get(&key).map(|&i| &self.cells[i].0)
    }

    /// What a unit reported on a measure for a year, if anything.
    pub fn activity(&self, year: i32, unit: &str, measure: &str) -> Option<&Activity> {
        let key = (year, unit.to_string(), measure.to_string());
        self.index
            .activity
            .get(&key)
            .map(|&i| &self.returns.activities[i])
    }

    /// How many findings of a severity the run made.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct Completeness {
    pub year: i32,
    pub expected: Vec<String>,
    pub reported: Vec<String>,
    pub missing: Vec<String>,
    pub values_expected: usize,
    pub values_received: usize,
    pub share: f64,
}

/// What the summary says, and the exit status it leads to.
pub struct Summary {
    pub out: PathBuf,
    pub lines: Vec<String>,
    pub refused: usize,
}

/// The years a returns inbox has folders for.
fn inbox_years(inbox: &Path, p: &Pipeline) -> Vec<(i32, PathBuf)> {
    p.strategy
        .period
        .years()
        .map(|y| (y, inbox.join(y.to_string())))
        .filter(|(_, d)| d.is_dir())
        .collect()
}

/// Reads, validates, aggregates and protects: everything but writing.
pub fn compute(
    p: &Pipeline,
    pipeline_path: &Path,
    opts: &Options,
    progress: &mut Progress,
) -> Result<RunData, Error> {
    let base = pipeline_path.parent().unwrap_or(Path::new("."));
    let mut stages = Vec::new();
    let mut findings = Vec::new();
    let mut inputs = Vec::new();

    // Committee returns.
    let t = Instant::now();
    progress.stage("Läser återrapporteringar");
    let mut files = Vec::new();
    if let Some(inbox) = &p.returns.inbox {
        let inbox = p.resolve(base, inbox);
        if !inbox.is_dir() {
            findings.push(Finding {
                severity: Severity::Warning,
                file: inbox.display().to_string(),
                sheet: None,
                cell: None,
                message: "mappen för återrapporteringar finns inte; körningen går vidare utan dem"
                    .into(),
            });
        }
        for (_, dir) in inbox_years(&inbox, p) {
            let (f, extra) = validate::collect_files(std::slice::from_ref(&dir));
            files.extend(f);
            findings.extend(extra);
        }
    }
    let returns = validate::returns::validate_files(p, &files, None);
    for u in &returns.used {
        inputs.push(InputRecord {
            kind: "återrapportering",
            path: u.file.clone(),
            sha256: u.sha256.clone(),
            used: true,
        });
    }
    for f in &files {
        let name = f.display().to_string();
        if returns.refused.contains(&name) {
            let sha = std::fs::read(f)
                .map(|b| crate::ingest::sha256_hex(&b))
                .unwrap_or_default();
            inputs.push(InputRecord {
                kind: "återrapportering",
                path: name,
                sha256: sha,
                used: false,
            });
        }
    }
    findings.extend(returns.findings.iter().cloned());
    progress.done(&format!(
        "{} återrapporteringar lästa, {} avvisade",
        files.len(),
        returns.refused.len()
    ));
    stages.push(("återrapporteringar".to_string(), t.elapsed().as_secs_f64()));

    // Survey files.
    let t = Instant::now();
    progress.stage("Läser enkätsvar");
    let downloads = tempfile::tempdir().map_err(|source| Error::Io {
        context: "kan inte skapa en tillfällig mapp".into(),
        source,
    })?;
    let mut survey_files = Vec::new();
    if let Some(s) = &p.survey {
        for f in &s.files {
            let text = f.path.to_string_lossy().to_string();
            if text.starts_with("http://") || text.starts_with("https://") {
                if opts.offline {
                    findings.push(Finding {
                        severity: Severity::Warning,
                        file: text.clone(),
                        sheet: None,
                        cell: None,
                        message: "körningen är offline, så enkätfilen på nätet hämtas inte".into(),
                    });
                    continue;
                }
                match reference::download(p, &text, downloads.path()) {
                    Ok(local) => survey_files.push((f.year, local)),
                    Err(e) => findings.push(Finding {
                        severity: Severity::Error,
                        file: text.clone(),
                        sheet: None,
                        cell: None,
                        message: format!("kunde inte hämtas: {e}"),
                    }),
                }
            } else {
                survey_files.push((f.year, p.resolve(base, &f.path)));
            }
        }
    }
    let mut present: Vec<(PathBuf, Option<i32>)> = Vec::new();
    for (year, path) in &survey_files {
        if !path.exists() {
            findings.push(Finding {
                severity: Severity::Warning,
                file: path.display().to_string(),
                sheet: None,
                cell: None,
                message: format!("enkätfilen för {year} finns inte; enkätindikatorerna för {year} saknas i körningen"),
            });
            continue;
        }
        present.push((path.clone(), Some(*year)));
    }
    // Each year's indicators are computed as soon as its file passes, and
    // its rows let go: memory holds two years' respondents at most, not all.
    let per_file: Vec<(validate::survey::Outcome, PolarsResult<Vec<Cell>>)> =
        crate::pool::install(|| {
            use rayon::prelude::*;
            present
                .par_iter()
                .map(|f| {
                    let mut o = validate::survey::validate_each(p, base, std::slice::from_ref(f));
                    let cells = aggregate::survey::cells_of_years(p, &o.respondents);
                    for r in &mut o.respondents {
                        r.frame = polars::prelude::DataFrame::empty();
                    }
                    (o, cells)
                })
                .collect()
        });
    let mut survey = validate::survey::Outcome::default();
    let mut survey_cells: Vec<Cell> = Vec::new();
    for (o, cells) in per_file {
        survey.respondents.extend(o.respondents);
        survey.findings.extend(o.findings);
        survey.refused.extend(o.refused);
        survey_cells.extend(
            cells.map_err(|e| {
                Error::Usage(format!("enkätindikatorerna kunde inte beräknas: {e}"))
            })?,
        );
    }
    for r in &survey.respondents {
        inputs.push(InputRecord {
            kind: "enkät",
            path: r.file.clone(),
            sha256: r.sha256.clone(),
            used: true,
        });
    }
    for f in &survey.refused {
        // A refused survey file's hash only: nothing from inside it.
        let sha = std::fs::read(f)
            .map(|b| crate::ingest::sha256_hex(&b))
            .unwrap_or_default();
        inputs.push(InputRecord {
            kind: "enkät",
            path: f.clone(),
            sha256: sha,
            used: false,
        });
    }
    findings.extend(survey.findings.iter().cloned());
    progress.done(&format!(
        "{} enkätfiler lästa, {} avvisade",
        survey_files.len(),
        survey.refused.len()
    ));
    stages.push(("enkäter".to_string(), t.elapsed().as_secs_f64()));

    // Reference statistics.
    let t = Instant::now();
    progress.stage("Referensstatistik");
    let statuses = reference::refresh(p, base, opts.offline);
    for s in &statuses {
        if let Some(file) = &s.cache_file
            && let Ok(bytes) = std::fs::read(file)
        {
            inputs.push(InputRecord {
                kind: "referensstatistik",
                path: file.display().to_string(),
                sha256: crate::ingest::sha256_hex(&bytes),
                used: true,
            });
        }
    }
    progress.done(&format!(
        "{} av {} serier tillgängliga",
        statuses.iter().filter(|s| s.available()).count(),
        statuses.len()
    ));
    stages.push(("referensstatistik".to_string(), t.elapsed().as_secs_f64()));

    // Indicators and disclosure control.
    let t = Instant::now();
    progress.stage("Beräknar indikatorer och röjandeskydd");
    let mut cells: Vec<Cell> = aggregate::returns::cells(p, &returns.values);
    cells.extend(survey_cells);
    cells.extend(reference::cells(p, base));
    let protected = disclose::protect(p, cells).map_err(|e| Error::Usage(e.to_string()))?;
    let published: Vec<Cell> = protected.iter().map(|(c, _)| c.clone()).collect();
    let mut all = protected;
    all.extend(
        aggregate::derived::cells(p, &published)
            .into_iter()
            .map(|c| (c, None)),
    );
    sort_cells(p, &mut all);
    progress.done(&format!(
        "{} värden, {} undantagna",
        all.len(),
        all.iter().filter(|(c, _)| c.suppressed).count()
    ));
    stages.push(("indikatorer".to_string(), t.elapsed().as_secs_f64()));

    let report_year = match opts.year {
        Some(y) => y,
        None => returns
            .used
            .iter()
            .map(|u| u.year)
            .max()
            .or_else(|| survey.respondents.iter().map(|r| r.year).max())
            .unwrap_or(p.strategy.period.to),
    };
    let completeness = completeness(p, &returns);
    let index = Index::build(&all, &returns.activities);
    Ok(RunData {
        index,
        report_year,
        cells: all,
        returns,
        survey,
        reference: statuses,
        findings,
        inputs,
        stages,
        completeness,
    })
}

/// Indicators in the pipeline's order; per indicator by year, the city first,
/// then units in the pipeline's order; totals before groups.
fn sort_cells(p: &Pipeline, cells: &mut [(Cell, Option<Reason>)]) {
    // Places by id, looked up once per cell rather than once per comparison.
    let mut indicators: HashMap<&str, usize> = HashMap::new();
    for (i, ind) in p.indicators.iter().enumerate() {
        indicators.entry(ind.id.as_str()).or_insert(i);
    }
    let mut units: HashMap<&str, usize> = HashMap::new();
    for (i, u) in p.units.iter().enumerate() {
        units.entry(u.id.as_str()).or_insert(i);
    }
    let ind_pos = |id: &str| indicators.get(id).copied().unwrap_or(usize::MAX);
    let unit_pos = |id: &str| {
        if id == aggregate::CITY {
            0
        } else {
            1 + units.get(id).copied().unwrap_or(usize::MAX - 1)
        }
    };
    let group_pos = |c: &Cell| {
        if c.breakdown == "total" {
            return (0, 0, String::new());
        }
        let b = p.breakdown(c.breakdown.split('+').next().unwrap_or(""));
        let crossed = c.breakdown.contains('+') as usize;
        let g = b
            .and_then(|b| {
                b.groups
                    .iter()
                    .position(|g| Some(g.id.as_str()) == c.group.split('+').next())
            })
            .unwrap_or(99);
        (1 + crossed, g, c.group.clone())
    };
    cells.sort_by_cached_key(|(c, _)| {
        let g = group_pos(c);
        (
            ind_pos(&c.indicator_id),
            c.year,
            unit_pos(&c.unit_id),
            g.0,
            c.breakdown.clone(),
            g,
        )
    });
}

fn completeness(p: &Pipeline, returns: &validate::returns::Outcome) -> Vec<Completeness> {
    let mut out = Vec::new();
    let years: Vec<i32> = {
        let mut y: Vec<i32> = returns.used.iter().map(|u| u.year).collect();
        y.sort();
        y.dedup();
        y
    };
    for year in p.strategy.period.years().filter(|y| years.contains(y)) {
        let mut expected = Vec::new();
        let mut values_expected = 0;
        for u in p.units_reporting(year) {
            let l = crate::layout::layout(p, u, year);
            if l.is_empty() {
                continue;
            }
            expected.push(u.id.clone());
            values_expected += l.indicators.len();
        }
        let used: std::collections::HashSet<&str> = returns
            .used
            .iter()
            .filter(|u| u.year == year)
            .map(|u| u.unit_id.as_str())
            .collect();
        let (reported, missing): (Vec<String>, Vec<String>) = expected
            .iter()
            .cloned()
            .partition(|id| used.contains(id.as_str()));
        let values_received = returns
            .values
            .iter()
            .filter(|v| v.year == year && (v.value.is_some() || v.numerator.is_some()))
            .count();
        out.push(Completeness {
            year,
            share: if values_expected > 0 {
                values_received as f64 / values_expected as f64
            } else {
                0.0
            },
            expected,
            reported,
            missing,
            values_expected,
            values_received,
        });
    }
    out
}

/// Writes to a temporary folder beside `out` and moves it into place at the
/// end, so a run that dies never leaves half an output and the previous one
/// stays intact.
pub fn write_atomically(
    out: &Path,
    write: impl FnOnce(&Path) -> Result<(), Error>,
) -> Result<(), Error> {
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|source| Error::Io {
        context: format!("kan inte skapa {}", parent.display()),
        source,
    })?;
    let name = out.file_name().and_then(|n| n.to_str()).unwrap_or("ut");
    // Left behind by a run that was killed: never part of any output.
    if let Ok(rd) = std::fs::read_dir(parent) {
        for e in rd.flatten() {
            let n = e.file_name().to_string_lossy().to_string();
            if n.starts_with(&format!(".{name}.pågår-"))
                || n.starts_with(&format!(".{name}.gammal-"))
            {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
    let tmp = parent.join(format!(".{name}.pågår-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).map_err(|source| Error::Io {
        context: format!("kan inte skapa {}", tmp.display()),
        source,
    })?;
    if let Err(e) = write(&tmp) {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
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

/// The most units the completeness grid draws a row for.
const GRID_ROWS: usize = 60;

/// Draws every chart into `dir`; returns each chart's SVG by name.
fn draw_charts(
    p: &Pipeline,
    d: &RunData,
    dir: &Path,
) -> Result<std::collections::BTreeMap<String, String>, Error> {
    use crate::chart;
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        context: format!("kan inte skapa {}", dir.display()),
        source,
    })?;
    let years: Vec<i32> = p.strategy.period.years().collect();
    let cells: Vec<&Cell> = d.cells.iter().map(|(c, _)| c).collect();
    let mut svgs = std::collections::BTreeMap::new();
    // One trend chart per indicator, drawn in parallel; each is its own files.
    let trends: Vec<Result<Option<(String, String)>, Error>> = crate::pool::install(|| {
        use rayon::prelude::*;
        p.indicators
            .par_iter()
            .map(|ind| {
                if !cells
                    .iter()
                    .any(|c| c.indicator_id == ind.id && c.unit_id == aggregate::CITY)
                {
                    return Ok(None);
                }
                let spec = chart::trend_spec(p, ind, &cells, &years);
                Ok(Some((
                    ind.id.clone(),
                    chart::write_trend(&spec, dir, &ind.id)?,
                )))
            })
            .collect()
    });
    for t in trends {
        if let Some((id, svg)) = t? {
            svgs.insert(id, svg);
        }
    }
    // The parity gaps over time, one line each.
    let gaps: Vec<&crate::pipeline::Indicator> = p
        .indicators
        .iter()
        .filter(|i| i.derived.is_some())
        .collect();
    if !gaps.is_empty() {
        let series = gaps
            .iter()
            .map(|g| {
                let spec = chart::trend_spec(p, g, &cells, &years);
                let mut s = spec.series[0].clone();
                s.label = g.id.clone();
                s.band = false;
                s
            })
            .collect();
        let spec = chart::TrendSpec {
            title: format!(
                "Skillnad mot hela staden: {}",
                gaps.iter().map(|g| g.id.as_str()).collect::<Vec<_>>().join(" och ")
            ),
            subtitle: "Enkätens andel minus hela stadens, procentenheter; under noll är under stadens nivå".into(),
            source: format!("Källa: enkät och Kolada, beräknat. {}", p.strategy.title),
            unit: crate::pipeline::MeasureUnit::Procentenheter,
            years: years.clone(),
            series,
            targets: Vec::new(),
            withheld_years: Vec::new(),
        };
        svgs.insert("paritet".into(), chart::write_trend(&spec, dir, "paritet")?);
    }
    // Completeness per unit and year.
    let mut rows: Vec<(String, Vec<Option<bool>>)> = Vec::new();
    type Sets<'a> = (
        std::collections::HashSet<&'a str>,
        std::collections::HashSet<&'a str>,
    );
    let per_year: Vec<Option<Sets>> = years
        .iter()
        .map(|y| {
            d.completeness.iter().find(|c| c.year == *y).map(|c| {
                (
                    c.expected.iter().map(String::as_str).collect(),
                    c.reported.iter().map(String::as_str).collect(),
                )
            })
        })
        .collect();
    for u in &p.units {
        let marks: Vec<Option<bool>> = per_year
            .iter()
            .map(|sets| {
                sets.as_ref()
                    .filter(|(expected, _)| expected.contains(u.id.as_str()))
                    .map(|(_, reported)| reported.contains(u.id.as_str()))
            })
            .collect();
        if marks.iter().any(|m| m.is_some()) {
            rows.push((u.name.clone(), marks));
        }
    }
    // A row per unit reads well for a city; for hundreds of units the grid
    // shows those that missed a year (the ones to follow up), at most
    // GRID_ROWS of them, and the table in the report gives the counts.
    let all_units = rows.len();
    let mut title = "Inlämnade återrapporteringar per nämnd och år".to_string();
    if all_units > GRID_ROWS {
        rows.retain(|(_, marks)| marks.contains(&Some(false)));
        let missing = rows.len();
        rows.truncate(GRID_ROWS);
        title = format!(
            "Nämnder som saknar någon återrapportering: {} av {}{}",
            chart::format::thousands(missing as i64),
            chart::format::thousands(all_units as i64),
            if missing > GRID_ROWS {
                format!(" (de {GRID_ROWS} första visas)")
            } else {
                String::new()
            }
        );
    }
    let height = 90 + 24 * rows.len() as u32;
    let title = title.as_str();
    svgs.insert(
        "fullstandighet".into(),
        chart::write_chart(
            dir,
            "fullstandighet",
            (chart::WIDTH, height),
            |a| chart::draw_grid(a, title, &rows, &years),
            |a| chart::draw_grid(a, title, &rows, &years),
        )?,
    );
    // Status of the measures per area, in the report year.
    let categories = ["Genomförd", "Påbörjad", "Ej påbörjad", "Ingen uppgift"];
    let mut bars: Vec<(String, Vec<usize>)> = Vec::new();
    for a in &p.areas {
        let mut counts = vec![0usize; 4];
        for m in p
            .measures
            .iter()
            .filter(|m| p.goal(&m.goal).is_some_and(|g| g.area == a.id))
        {
            for u in p.responsible_units(&m.responsible, d.report_year) {
                let status = d
                    .activity(d.report_year, &u.id, &m.id)
                    .and_then(|x| x.status.clone());
                let k = match status.as_deref() {
                    Some("Genomförd") => 0,
                    Some("Påbörjad") => 1,
                    Some("Ej påbörjad") => 2,
                    _ => 3,
                };
                counts[k] += 1;
            }
        }
        bars.push((a.title.clone(), counts));
    }
    let title = format!(
        "Åtgärdernas status {} per rättighetsområde (antal nämndsvar)",
        d.report_year
    );
    let height = 100 + 62 * bars.len() as u32;
    svgs.insert(
        "aktiviteter".into(),
        chart::write_chart(
            dir,
            "aktiviteter",
            (chart::WIDTH, height),
            |a| chart::draw_bars(a, &title, &categories, &bars),
            |a| chart::draw_bars(a, &title, &categories, &bars),
        )?,
    );
    Ok(svgs)
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        context: format!("kan inte skriva {}", path.display()),
        source,
    }
}

/// Writes the whole output folder, atomically, and publishes the charts.
pub fn write_outputs(
    p: &Pipeline,
    pipeline_path: &Path,
    d: &RunData,
    out: &Path,
    publish: Option<&Path>,
    progress: &mut Progress,
) -> Result<(), Error> {
    let mut stages = Vec::new();
    write_atomically(out, |tmp| {
        let t = Instant::now();
        progress.stage("Skriver tabeller");
        // The workbook takes longest; the other tables are written beside it.
        let (book, feedback) = crate::pool::install(|| {
            rayon::join(
                || {
                    crate::store::workbook::write(
                        p,
                        &d.cells,
                        d.report_year,
                        &tmp.join("indikatorer.xlsx"),
                    )
                    .map_err(|e| Error::Usage(format!("indikatorer.xlsx kunde inte skrivas: {e}")))
                },
                || -> Result<Vec<String>, Error> {
                    crate::store::write_csv(&d.cells, &tmp.join("indicators.csv"))?;
                    crate::store::write_parquet(&d.cells, &tmp.join("indicators.parquet"))?;
                    crate::store::write_quality(p, d, &tmp.join("kvalitet.json"))?;
                    crate::store::feedback::write(p, d, &tmp.join("feedback"))
                },
            )
        });
        book?;
        let feedback = feedback?;
        progress.done(&format!(
            "indikatortabell, arbetsbok, kvalitet och {} återkopplingar",
            feedback.len()
        ));
        stages.push(("tabeller".to_string(), t.elapsed().as_secs_f64()));

        let t = Instant::now();
        progress.stage("Ritar diagram");
        let svgs = draw_charts(p, d, &tmp.join("charts"))?;
        progress.done(&format!("{} diagram (SVG och PNG)", svgs.len()));
        stages.push(("diagram".to_string(), t.elapsed().as_secs_f64()));

        let t = Instant::now();
        progress.stage("Skriver rapporten");
        let html = crate::report::render(p, d, &svgs);
        let report = tmp.join("rapport.html");
        std::fs::write(&report, html).map_err(io_err(&report))?;
        progress.done("rapport.html");
        stages.push(("rapport".to_string(), t.elapsed().as_secs_f64()));

        let mut files: Vec<(String, usize)> = Vec::new();
        collect_sizes(tmp, tmp, &mut files);
        files.sort();
        let mut all_stages = d.stages.clone();
        all_stages.extend(stages.iter().cloned());
        crate::store::write_manifest(
            p,
            pipeline_path,
            d,
            &all_stages,
            &files,
            &tmp.join("manifest.json"),
        )?;
        Ok(())
    })?;
    if let Some(dest) = publish {
        publish_charts(&out.join("charts"), dest)?;
    }
    Ok(())
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

/// Copies the charts to where the pipeline publishes them, replacing stale ones.
fn publish_charts(from: &Path, to: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(to).map_err(io_err(to))?;
    let fresh: Vec<std::ffi::OsString> = std::fs::read_dir(from)
        .map(|rd| rd.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    if let Ok(rd) = std::fs::read_dir(to) {
        for e in rd.flatten() {
            let name = e.file_name();
            let chart = name
                .to_str()
                .is_some_and(|n| n.ends_with(".svg") || n.ends_with(".png"));
            if chart && !fresh.contains(&name) {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    for name in fresh {
        let target = to.join(&name);
        std::fs::copy(from.join(&name), &target).map_err(io_err(&target))?;
    }
    Ok(())
}

/// `pipelines/../ut` as `ut`: a path as a person would write it.
pub fn tidy(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    if out.is_empty() {
        PathBuf::from(".")
    } else {
        out.iter().collect()
    }
}

/// The summary the run ends with; its figures are those of `kvalitet.json`.
pub fn summary(p: &Pipeline, d: &RunData, out: &Path) -> Summary {
    let mut lines = Vec::new();
    lines.push(format!("{}: rapportår {}", p.strategy.title, d.report_year));
    let returns_read = d.returns.used.len() + d.returns.refused.len();
    lines.push(format!(
        "Lästa: {} återrapporteringar, {} enkätfiler, {} av {} referensserier",
        returns_read,
        d.survey.respondents.len() + d.survey.refused.len(),
        d.reference.iter().filter(|s| s.available()).count(),
        d.reference.len()
    ));
    let refused = d.returns.refused.len() + d.survey.refused.len();
    lines.push(format!("Avvisade filer: {refused}"));
    for f in d.returns.refused.iter().chain(&d.survey.refused) {
        lines.push(format!("  {f}"));
    }
    let missing: Vec<String> = d
        .completeness
        .iter()
        .flat_map(|c| {
            c.missing.iter().map(move |u| {
                format!(
                    "{} {}",
                    p.unit(u).map(|x| x.name.as_str()).unwrap_or(u),
                    c.year
                )
            })
        })
        .collect();
    lines.push(format!(
        "Saknade återrapporteringar: {}{}",
        missing.len(),
        if missing.is_empty() {
            String::new()
        } else {
            format!(" ({})", missing.join(", "))
        }
    ));
    for s in d
        .reference
        .iter()
        .filter(|s| s.error.is_some() || !s.available())
    {
        lines.push(format!("Referensstatistik: {}", s.describe()));
    }
    let (errors, warnings) = (d.count(Severity::Error), d.count(Severity::Warning));
    lines.push(format!(
        "Fel och varningar: {errors} fel, {warnings} varningar (se kvalitet.json och feedback/)"
    ));
    lines.push(format!(
        "Undantagna värden: {} av {}",
        d.cells.iter().filter(|(c, _)| c.suppressed).count(),
        d.cells.len()
    ));
    lines.push(format!("Utdata: {}", tidy(out).display()));
    Summary {
        out: out.to_path_buf(),
        lines,
        refused,
    }
}
