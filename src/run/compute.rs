//! Every stage from the inputs to the protected cells: `compute`. Read it
//! top to bottom: returns, survey, reference statistics, then indicators and
//! disclosure control.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::Instant;

use polars::prelude::PolarsResult;

use super::Options;
use super::progress::Progress;
use crate::aggregate::{self, Cell};
use crate::cache::Cache;
use crate::disclose;
use crate::error::Error;
use crate::finding::{Finding, Severity};
use crate::handin::{HandIn, Timeliness};
use crate::inputs::{self, Downloads};
use crate::pipeline::{self, Pipeline};
use crate::reference;
use crate::results::{Completeness, InputRecord, ReturnStatus, RunData};
use crate::validate;

/// Reads, validates, aggregates and protects: everything but writing.
pub fn compute(p: &Pipeline, opts: &Options, progress: &mut Progress) -> Result<RunData, Error> {
    let mut run = Stages::new(progress);
    let returns = run.stage("Läser återrapporteringar", "återrapporteringar", || {
        Ok(read_returns(p, &opts.cache))
    })?;
    let mut survey = run.stage("Läser enkätsvar", "enkäter", || read_survey(p, opts))?;
    // A strategy without reference statistics has no such stage to tell of.
    let mut reference = match p.reference {
        Some(_) => run.stage("Referensstatistik", "referensstatistik", || {
            Ok(read_reference(p, opts))
        })?,
        None => Reference::default(),
    };
    let survey_cells = std::mem::take(&mut survey.cells);
    let reference_cells = std::mem::take(&mut reference.cells);
    let cells = run.stage(
        "Beräknar indikatorer och röjandeskydd",
        "indikatorer",
        || indicators(p, &returns.outcome, survey_cells, reference_cells),
    )?;
    let stages = run.finish();

    let report_year = report_year(p, opts, &returns.outcome, &survey.outcome);
    let (handins, handin_findings) = read_handins(p);
    let completeness = completeness(p, &returns.outcome, &handins);
    let (assessments, assessment_findings) = crate::assessment::read(p, report_year);
    let mut findings = returns.findings;
    findings.extend(handin_findings);
    findings.extend(assessment_findings);
    findings.extend(survey.findings);
    let mut inputs = returns.inputs;
    inputs.extend(handin_input(p));
    inputs.extend(assessment_inputs(p, report_year, &assessments));
    inputs.extend(survey.inputs);
    inputs.extend(reference.inputs);
    Ok(RunData {
        report_year,
        cells,
        compared: reference.compared,
        returns: returns.outcome,
        survey: survey.outcome,
        reference: reference.statuses,
        findings,
        inputs,
        stages,
        completeness,
        assessments,
        index: Default::default(),
    })
}

/// Runs the stages one after another, shows each on the terminal with what
/// it did, and keeps each one's time for the manifest.
struct Stages<'a> {
    progress: &'a mut Progress,
    times: Vec<(String, f64)>,
}

/// What a stage did, in a few words for the terminal.
trait Done {
    fn done(&self) -> String;
}

impl<'a> Stages<'a> {
    fn new(progress: &'a mut Progress) -> Self {
        Stages {
            progress,
            times: Vec::new(),
        }
    }

    fn stage<T: Done>(
        &mut self,
        title: &str,
        name: &str,
        work: impl FnOnce() -> Result<T, Error>,
    ) -> Result<T, Error> {
        let t = Instant::now();
        self.progress.stage(title);
        let out = work()?;
        self.progress.done(&out.done());
        self.times
            .push((name.to_string(), t.elapsed().as_secs_f64()));
        Ok(out)
    }

    fn finish(self) -> Vec<(String, f64)> {
        self.times
    }
}

/// The committee returns, judged, and what they add to the manifest.
struct Returns {
    outcome: validate::returns::Outcome,
    findings: Vec<Finding>,
    inputs: Vec<InputRecord>,
    files: usize,
}

impl Done for Returns {
    fn done(&self) -> String {
        format!(
            "{} återrapporteringar lästa, {} avvisade",
            self.files,
            self.outcome.refused.len()
        )
    }
}

fn read_returns(p: &Pipeline, cache: &Cache) -> Returns {
    let (files, mut findings) = inbox_files(p);
    let outcome = validate::returns::validate_files_cached(p, &files, None, cache);
    let mut inputs: Vec<InputRecord> = outcome
        .used
        .iter()
        .map(|u| InputRecord::used("återrapportering", u.file.clone(), u.sha256.clone()))
        .collect();
    let refused: HashSet<&str> = outcome.refused.iter().map(String::as_str).collect();
    for f in &files {
        let name = f.display().to_string();
        if refused.contains(name.as_str()) {
            inputs.push(InputRecord::refused(
                "återrapportering",
                name,
                p.returns.max_bytes,
            ));
        }
    }
    findings.extend(outcome.findings.iter().cloned());
    Returns {
        outcome,
        findings,
        inputs,
        files: files.len(),
    }
}

/// The files in the returns inbox's year folders.
pub(super) fn inbox_files(p: &Pipeline) -> (Vec<PathBuf>, Vec<Finding>) {
    let mut files = Vec::new();
    let mut findings = Vec::new();
    let Some(inbox) = &p.returns.inbox else {
        return (files, findings);
    };
    let inbox = p.resolve(inbox);
    if !inbox.is_dir() {
        findings.push(Finding::file(
            Severity::Warning,
            inbox.display().to_string(),
            "mappen för återrapporteringar finns inte; körningen går vidare utan dem",
        ));
    }
    for year in p.strategy.period.years() {
        let dir = inbox.join(year.to_string());
        if dir.is_dir() {
            let (f, extra) = inputs::collect_files(std::slice::from_ref(&dir));
            files.extend(f);
            findings.extend(extra);
        }
    }
    (files, findings)
}

/// The survey files, checked, and their indicator cells.
struct Survey {
    outcome: validate::survey::Outcome,
    cells: Vec<Cell>,
    findings: Vec<Finding>,
    inputs: Vec<InputRecord>,
    files: usize,
}

impl Done for Survey {
    fn done(&self) -> String {
        format!(
            "{} enkätfiler lästa, {} avvisade",
            self.files,
            self.outcome.refused.len()
        )
    }
}

fn read_survey(p: &Pipeline, opts: &Options) -> Result<Survey, Error> {
    let mut downloads = Downloads::default();
    let (files, mut findings) = survey_files(p, opts, &mut downloads);
    let mut present: Vec<(PathBuf, Option<i32>)> = Vec::new();
    for (year, path) in &files {
        if path.exists() {
            present.push((path.clone(), Some(*year)));
        } else {
            findings.push(Finding::file(
                Severity::Warning,
                path.display().to_string(),
                format!("enkätfilen för {year} finns inte; enkätindikatorerna för {year} saknas i körningen"),
            ));
        }
    }
    let (mut outcome, cells) = survey_indicators(p, &present, &opts.cache)?;
    by_url(&mut outcome, &downloads);
    let mut inputs: Vec<InputRecord> = outcome
        .respondents
        .iter()
        .map(|r| InputRecord::used("enkät", r.file.clone(), r.sha256.clone()))
        .collect();
    inputs.extend(
        outcome
            .refused
            .iter()
            .map(|f| InputRecord::refused("enkät", f.clone(), survey_cap(p))),
    );
    findings.extend(outcome.findings.iter().cloned());
    Ok(Survey {
        outcome,
        cells,
        findings,
        inputs,
        files: files.len(),
    })
}

/// A downloaded survey file named by its URL, as `validate` names it: its
/// folder is private, random and gone when the run ends.
fn by_url(o: &mut validate::survey::Outcome, downloads: &Downloads) {
    let rename = |file: &mut String| *file = downloads.name(file).to_string();
    o.respondents.iter_mut().for_each(|r| rename(&mut r.file));
    o.refused.iter_mut().for_each(rename);
    o.findings.iter_mut().for_each(|f| rename(&mut f.file));
}

pub(super) fn survey_cap(p: &Pipeline) -> u64 {
    p.survey
        .as_ref()
        .map_or(pipeline::SURVEY_MAX_BYTES, |s| s.max_bytes)
}

/// Each survey year's file: local, or downloaded unless the run is offline.
fn survey_files(
    p: &Pipeline,
    opts: &Options,
    downloads: &mut Downloads,
) -> (Vec<(i32, PathBuf)>, Vec<Finding>) {
    let mut files = Vec::new();
    let mut findings = Vec::new();
    let Some(s) = &p.survey else {
        return (files, findings);
    };
    for f in &s.files {
        if !inputs::is_url(&f.path) {
            files.push((f.year, p.resolve(&f.path)));
            continue;
        }
        let url = f.path.to_string_lossy().to_string();
        if opts.offline {
            findings.push(Finding::file(
                Severity::Warning,
                url,
                "körningen är offline, så enkätfilen på nätet hämtas inte",
            ));
            continue;
        }
        match downloads.get(p, &url) {
            Ok(local) => files.push((f.year, local)),
            Err(e) => findings.push(Finding::file(
                Severity::Error,
                url,
                format!("kunde inte hämtas: {e}. {}", e.advice()),
            )),
        }
    }
    (files, findings)
}

/// Checks each survey file and computes its year's indicators as soon as it
/// passes, letting its rows go. Files are taken one at a time, each spread
/// over the cores by polars: memory holds one year's respondents, where two
/// files side by side needed half as much again for a tenth less time.
fn survey_indicators(
    p: &Pipeline,
    files: &[(PathBuf, Option<i32>)],
    cache: &Cache,
) -> Result<(validate::survey::Outcome, Vec<Cell>), Error> {
    let per_file: Vec<(validate::survey::Outcome, PolarsResult<Vec<Cell>>)> = files
        .iter()
        .map(|f| survey_file_cached(p, f, cache))
        .collect();
    let mut survey = validate::survey::Outcome::default();
    let mut cells = Vec::new();
    for (o, c) in per_file {
        survey.respondents.extend(o.respondents);
        survey.findings.extend(o.findings);
        survey.refused.extend(o.refused);
        // polars' own words may quote survey values: never passed on.
        cells.extend(c.map_err(|e| Error::Compute {
            what: "enkätindikatorerna".into(),
            reason: crate::text::foreign(&e),
        })?);
    }
    Ok((survey, cells))
}

/// What the cache keeps of a survey file: its checks and its cells, each
/// with what the published table leaves out of it (why it is withheld).
type SurveyEntry = (
    validate::survey::Outcome,
    Vec<(Cell, Option<crate::pipeline::Reason>)>,
);

/// One survey file checked and its cells computed, or what the cache kept
/// of it when it is unchanged.
fn survey_file_cached(
    p: &Pipeline,
    f: &(PathBuf, Option<i32>),
    cache: &Cache,
) -> (validate::survey::Outcome, PolarsResult<Vec<Cell>>) {
    let key = cache.key(&format!("enkät {:?}", f.1), &f.0, survey_cap(p));
    if let Some((outcome, cells)) = key.as_deref().and_then(|k| cache.get::<SurveyEntry>(k)) {
        let cells = cells
            .into_iter()
            .map(|(c, withheld)| Cell { withheld, ..c })
            .collect();
        return (outcome, Ok(cells));
    }
    let mut o = validate::survey::validate_each(p, std::slice::from_ref(f));
    let cells = aggregate::survey::cells_of_years(p, &o.respondents);
    for r in &mut o.respondents {
        r.frame = polars::prelude::DataFrame::empty();
    }
    if let (Some(k), Ok(cells)) = (&key, &cells) {
        let cells: Vec<(&Cell, _)> = cells.iter().map(|c| (c, c.withheld)).collect();
        cache.put(k, &(&o, cells));
    }
    (o, cells)
}

/// The reference statistics: refreshed (or from the cache) and their cells.
#[derive(Default)]
struct Reference {
    statuses: Vec<reference::Status>,
    cells: Vec<Cell>,
    compared: Vec<Cell>,
    inputs: Vec<InputRecord>,
}

impl Done for Reference {
    fn done(&self) -> String {
        format!(
            "{} av {} serier tillgängliga",
            self.statuses.iter().filter(|s| s.available()).count(),
            self.statuses.len()
        )
    }
}

fn read_reference(p: &Pipeline, opts: &Options) -> Reference {
    let statuses = reference::refresh(p, opts.offline);
    // The cache is read once, by `refresh`: its entries make the cells, its
    // hashes go in the manifest.
    let inputs = statuses
        .iter()
        .filter_map(|s| {
            let (file, sha256) = (s.cache_file.as_ref()?, s.sha256.clone()?);
            Some(InputRecord::used(
                "referensstatistik",
                file.display().to_string(),
                sha256,
            ))
        })
        .collect();
    Reference {
        cells: reference::cells(p, &statuses),
        compared: reference::compared(p, &statuses),
        statuses,
        inputs,
    }
}

/// The protected cells and, from them, the derived ones.
type Cells = Vec<Cell>;

impl Done for Cells {
    fn done(&self) -> String {
        format!(
            "{} värden, {} undantagna",
            self.len(),
            self.iter().filter(|c| c.is_withheld()).count()
        )
    }
}

fn indicators(
    p: &Pipeline,
    returns: &validate::returns::Outcome,
    survey: Vec<Cell>,
    reference: Vec<Cell>,
) -> Result<Cells, Error> {
    let mut cells: Vec<Cell> = aggregate::returns::cells(p, &returns.values);
    cells.extend(survey);
    cells.extend(reference);
    let protected = disclose::protect(p, cells)?;
    let derived = aggregate::derived::cells(p, &protected);
    let mut all = protected;
    all.extend(derived);
    aggregate::mark_changes(&mut all);
    sort_cells(p, &mut all);
    Ok(all)
}

/// The year the user asked for, or the latest year with returns (or survey
/// answers), or the strategy's last year.
fn report_year(
    p: &Pipeline,
    opts: &Options,
    returns: &validate::returns::Outcome,
    survey: &validate::survey::Outcome,
) -> i32 {
    opts.year.unwrap_or_else(|| {
        returns
            .used
            .iter()
            .map(|u| u.year)
            .max()
            .or_else(|| survey.respondents.iter().map(|r| r.year).max())
            .unwrap_or(p.strategy.period.to)
    })
}

/// Indicators in the pipeline's order; per indicator by year, the city first,
/// then units in the pipeline's order; totals before groups.
fn sort_cells(p: &Pipeline, cells: &mut [Cell]) {
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
        if id == pipeline::CITY {
            0
        } else {
            1 + units.get(id).copied().unwrap_or(usize::MAX - 1)
        }
    };
    let group_pos = |c: &Cell| {
        if c.key.is_total() {
            return (0, 0, String::new());
        }
        let (first, first_group) = c.key.parts().next().unwrap_or_default();
        let crossed = c.key.is_crossed() as usize;
        let g = p
            .breakdown(first)
            .and_then(|b| b.groups.iter().position(|g| g.id == first_group))
            .unwrap_or(99);
        (1 + crossed, g, c.key.group.clone())
    };
    cells.sort_by_cached_key(|c| {
        let g = group_pos(c);
        (
            ind_pos(&c.indicator_id),
            c.year,
            unit_pos(&c.unit_id),
            g.0,
            c.key.breakdown.clone(),
            g,
        )
    });
}

/// What the portal recorded of each return it put in the inbox, when the
/// pipeline has a portal that has run; a file that does not read is a
/// warning, and then no return counts as approved.
fn read_handins(p: &Pipeline) -> (Option<Vec<HandIn>>, Vec<Finding>) {
    let Some(file) = crate::handin::path(p) else {
        return (None, Vec::new());
    };
    match crate::handin::read(&file) {
        Ok(h) => (h, Vec::new()),
        Err(why) => {
            let message = format!(
                "{why}. Körningen redovisar därför ingen återrapportering som godkänd, och när de kom in som okänt."
            );
            let f = Finding::file(Severity::Warning, file.display().to_string(), message);
            (Some(Vec::new()), vec![f])
        }
    }
}

/// The hand-in file as the manifest lists it, when there is one.
fn handin_input(p: &Pipeline) -> Option<InputRecord> {
    let file = crate::handin::path(p)?;
    let bytes = std::fs::read(&file).ok()?;
    Some(InputRecord::used(
        "portalens inlämningar",
        file.display().to_string(),
        crate::ledger::sha256_hex(&bytes),
    ))
}

/// Each assessment file there is, with whether the report uses it.
fn assessment_inputs(
    p: &Pipeline,
    year: i32,
    a: &crate::assessment::Assessments,
) -> Vec<InputRecord> {
    use crate::assessment::{CONSULTATION, SUMMARY};
    crate::assessment::files(p, year)
        .into_iter()
        .filter(|(_, path)| path.is_file())
        .map(|(name, path)| {
            let used = match name.as_str() {
                SUMMARY => a.summary.is_some(),
                CONSULTATION => a.consultation.is_some(),
                _ => a.areas.contains_key(&name),
            };
            let sha256 = crate::ingest::file::hash_capped(&path, crate::assessment::MAX_BYTES)
                .unwrap_or_default();
            InputRecord {
                kind: "bedömning",
                path: path.display().to_string(),
                sha256,
                used,
            }
        })
        .collect()
}

/// Each year with returns: which units were expected and which reported,
/// and the share of expected values that came in.
fn completeness(
    p: &Pipeline,
    returns: &validate::returns::Outcome,
    handins: &Option<Vec<HandIn>>,
) -> Vec<Completeness> {
    let years: HashSet<i32> = returns.used.iter().map(|u| u.year).collect();
    p.strategy
        .period
        .years()
        .filter(|y| years.contains(y))
        .map(|year| {
            let mut c = completeness_of(p, returns, year);
            if let Some(h) = handins {
                c.returns = return_statuses(p, returns, h, &c);
            }
            c
        })
        .collect()
}

/// Each expected unit's return: approved and on time only as the portal
/// recorded it for the very file read (by SHA-256); a file put in the
/// inbox another way is "okänt".
fn return_statuses(
    p: &Pipeline,
    returns: &validate::returns::Outcome,
    handins: &[HandIn],
    c: &Completeness,
) -> Vec<ReturnStatus> {
    let deadline = crate::handin::deadline_day(p, c.year);
    c.expected
        .iter()
        .map(|unit| {
            let used = returns
                .used
                .iter()
                .find(|u| u.year == c.year && &u.unit_id == unit);
            let record = used.and_then(|u| {
                handins
                    .iter()
                    .find(|h| h.year == c.year && &h.unit_id == unit && h.sha256 == u.sha256)
            });
            ReturnStatus {
                unit_id: unit.clone(),
                handed_in: used.is_some(),
                approved: record.is_some_and(|h| h.approved),
                timeliness: Timeliness::of(
                    record.and_then(|h| h.first_accepted.as_deref()),
                    used.is_some(),
                    deadline,
                ),
                decision: record.and_then(|h| h.decision.clone()),
            }
        })
        .collect()
}

fn completeness_of(p: &Pipeline, returns: &validate::returns::Outcome, year: i32) -> Completeness {
    let mut expected = Vec::new();
    let mut values_expected = 0;
    for u in p.units_reporting(year) {
        let l = crate::layout::layout(p, u, year);
        if !l.is_empty() {
            expected.push(u.id.clone());
            values_expected += l.indicators.len();
        }
    }
    let used: HashSet<&str> = returns
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
    Completeness {
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
        returns: Vec::new(),
    }
}
