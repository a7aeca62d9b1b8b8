//! Every stage from the inputs to the protected cells: `compute`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use polars::prelude::PolarsResult;

use super::*;
use crate::aggregate::{self, Cell};
use crate::disclose::{self, Reason};
use crate::error::Error;
use crate::pipeline::Pipeline;
use crate::reference;
use crate::validate::{self, Finding, Severity};

/// A refused file in the manifest: its hash only, nothing from inside it.
fn refused_input(kind: &'static str, path: String) -> InputRecord {
    let sha256 = std::fs::read(&path)
        .map(|b| crate::ingest::sha256_hex(&b))
        .unwrap_or_default();
    InputRecord {
        kind,
        path,
        sha256,
        used: false,
    }
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
    let refused: std::collections::HashSet<&str> =
        returns.refused.iter().map(String::as_str).collect();
    for f in &files {
        let name = f.display().to_string();
        if refused.contains(name.as_str()) {
            inputs.push(refused_input("återrapportering", name));
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
    let (survey, survey_cells) = survey_indicators(p, base, &present)?;
    for r in &survey.respondents {
        inputs.push(InputRecord {
            kind: "enkät",
            path: r.file.clone(),
            sha256: r.sha256.clone(),
            used: true,
        });
    }
    for f in &survey.refused {
        inputs.push(refused_input("enkät", f.clone()));
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

/// Checks each survey file and computes its year's indicators as soon as it
/// passes, letting its rows go: memory holds two years' respondents at most.
fn survey_indicators(
    p: &Pipeline,
    base: &Path,
    files: &[(PathBuf, Option<i32>)],
) -> Result<(validate::survey::Outcome, Vec<Cell>), Error> {
    use rayon::prelude::*;
    let per_file: Vec<(validate::survey::Outcome, PolarsResult<Vec<Cell>>)> =
        crate::pool::install(|| {
            files
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
    let mut cells = Vec::new();
    for (o, c) in per_file {
        survey.respondents.extend(o.respondents);
        survey.findings.extend(o.findings);
        survey.refused.extend(o.refused);
        cells.extend(
            c.map_err(|e| Error::Usage(format!("enkätindikatorerna kunde inte beräknas: {e}")))?,
        );
    }
    Ok((survey, cells))
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
