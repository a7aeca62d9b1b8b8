//! What a run computed: the protected cells, the judged inputs, findings and
//! completeness. Every output (tables, charts, the report) is written from
//! it, so it sits below them and they never need to know how a run goes.

use rustc_hash::FxHashMap;

use crate::aggregate::Cell;
use crate::finding::{Finding, Severity};
use crate::reference::Status;
use crate::validate;
use crate::validate::returns::Activity;

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
    pub cells: Vec<Cell>,
    /// The reference series of `[reference] compare`'s municipalities, each
    /// cell's unit its municipality id: beside the city in charts and the
    /// report, never an indicator.
    pub compared: Vec<Cell>,
    pub returns: validate::returns::Outcome,
    pub survey: validate::survey::Outcome,
    pub reference: Vec<Status>,
    pub findings: Vec<Finding>,
    pub inputs: Vec<InputRecord>,
    pub stages: Vec<(String, f64)>,
    /// Each year's expected and reporting units and values.
    pub completeness: Vec<Completeness>,
    /// The owner's own assessment of the report year.
    pub assessments: crate::assessment::Assessments,
    /// Where to find cells and activities by key: the report and the charts
    /// look up one per unit and measure, and a scan each time would make a
    /// run quadratic in the number of units. Built when first asked for
    /// ([`RunData::index`]), so that a run's writers start without waiting
    /// for it.
    pub index: std::sync::OnceLock<Index>,
}

/// Where to find cells and activities by key.
#[derive(Default)]
pub struct Index {
    /// (indicator, year, breakdown, group) → the city's cell in `cells`.
    city: FxHashMap<(String, i32, String, String), usize>,
    /// (year, unit, measure) → the activity in `returns.activities`.
    activity: FxHashMap<(i32, String, String), usize>,
    /// (indicator, year, breakdown, group) → the units whose value there has
    /// an open warning: neither explained by the committee nor in a return
    /// the owner approved.
    doubted: FxHashMap<(String, i32, String, String), Vec<String>>,
}

impl Index {
    fn build(d: &RunData) -> Index {
        let (cells, activities) = (&d.cells, &d.returns.activities);
        let mut index = Index {
            doubted: doubted(d),
            ..Index::default()
        };
        for (i, c) in cells.iter().enumerate() {
            if c.unit_id == crate::pipeline::CITY {
                index
                    .city
                    .entry((
                        c.indicator_id.clone(),
                        c.year,
                        c.key.breakdown.clone(),
                        c.key.group.clone(),
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

/// The values with open warnings, by key.
fn doubted(d: &RunData) -> FxHashMap<(String, i32, String, String), Vec<String>> {
    let approved: std::collections::HashSet<(i32, &str)> = d
        .completeness
        .iter()
        .flat_map(|c| {
            c.returns
                .iter()
                .filter(|r| r.approved)
                .map(|r| (c.year, r.unit_id.as_str()))
        })
        .collect();
    // A warning doubts a number when it is on the number's own cell (not,
    // say, on a comment that was cut).
    let numbers: std::collections::HashSet<(&str, &str)> = d
        .returns
        .values
        .iter()
        .filter(|v| v.value.is_some())
        .map(|v| (v.file.as_str(), v.cell.as_str()))
        .collect();
    let mut out: FxHashMap<_, Vec<String>> = FxHashMap::default();
    for f in d
        .findings
        .iter()
        .filter(|f| f.severity == crate::finding::Severity::Warning)
    {
        let s = &f.subject;
        let (Some(unit_id), Some(year), Some(indicator_id), Some(breakdown), Some(group)) =
            (&s.unit_id, s.year, &s.indicator_id, &s.breakdown, &s.group)
        else {
            continue;
        };
        let on_number = f
            .cell
            .as_deref()
            .is_some_and(|cell| numbers.contains(&(f.file.as_str(), cell)));
        if !on_number || approved.contains(&(year, unit_id.as_str())) {
            continue;
        }
        let key = (indicator_id.clone(), year, breakdown.clone(), group.clone());
        out.entry(key).or_default().push(unit_id.clone());
    }
    out
}

impl InputRecord {
    /// An input the run used.
    pub fn used(kind: &'static str, path: String, sha256: String) -> InputRecord {
        InputRecord {
            kind,
            path,
            sha256,
            used: true,
        }
    }

    /// A refused file: its hash only, nothing from inside it, streamed
    /// within the same cap as reading it (empty when it could not be).
    pub fn refused(kind: &'static str, path: String, cap: u64) -> InputRecord {
        let sha256 =
            crate::ingest::file::hash_capped(std::path::Path::new(&path), cap).unwrap_or_default();
        InputRecord {
            kind,
            path,
            sha256,
            used: false,
        }
    }
}

impl RunData {
    /// What the stages computed, indexed for the outputs' look-ups.
    fn index(&self) -> &Index {
        self.index.get_or_init(|| Index::build(self))
    }

    /// Whether a cell rests on a value with an open warning: a unit's own
    /// value, or any unit's in the city's sum. Such a value is no key point,
    /// and is marked wherever it is shown.
    pub fn doubted(&self, c: &Cell) -> bool {
        let key = (
            c.indicator_id.clone(),
            c.year,
            c.key.breakdown.clone(),
            c.key.group.clone(),
        );
        self.index()
            .doubted
            .get(&key)
            .is_some_and(|units| c.unit_id == crate::pipeline::CITY || units.contains(&c.unit_id))
    }

    /// The city's cell of an indicator for a year and group, if computed.
    pub fn city_cell(&self, id: &str, year: i32, breakdown: &str, group: &str) -> Option<&Cell> {
        let key = (
            id.to_string(),
            year,
            breakdown.to_string(),
            group.to_string(),
        );
        self.index().city.get(&key).map(|&i| &self.cells[i])
    }

    /// A compared municipality's total for a reference series and year.
    pub fn compared_total(&self, id: &str, year: i32, municipality: &str) -> Option<&Cell> {
        self.compared.iter().find(|c| {
            c.indicator_id == id && c.year == year && c.unit_id == municipality && c.key.is_total()
        })
    }

    /// What a unit reported on a measure for a year, if anything.
    pub fn activity(&self, year: i32, unit: &str, measure: &str) -> Option<&Activity> {
        let key = (year, unit.to_string(), measure.to_string());
        self.index()
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

    /// Per area, in the report year: how many committee answers on its
    /// measures are done, started, not started and unknown (in the order of
    /// [`STATUS_ORDER`], then unknown). The chart and the report share it.
    pub fn measure_status(&self, p: &crate::pipeline::Pipeline) -> Vec<(String, [usize; 4])> {
        p.areas
            .iter()
            .map(|a| {
                let mut counts = [0usize; 4];
                for m in p
                    .measures
                    .iter()
                    .filter(|m| p.goal(&m.goal).is_some_and(|g| g.area == a.id))
                {
                    for (total, n) in counts.iter_mut().zip(self.measure_counts(p, m)) {
                        *total += n;
                    }
                }
                (a.title.clone(), counts)
            })
            .collect()
    }

    /// One measure's responsible committees counted by the status they
    /// reported in the report year, in [`STATUS_WORDS`]' order.
    pub fn measure_counts(
        &self,
        p: &crate::pipeline::Pipeline,
        m: &crate::pipeline::Measure,
    ) -> [usize; 4] {
        let year = self.report_year;
        let mut counts = [0usize; 4];
        for u in p.responsible_units(&m.responsible, year) {
            let status = self.activity(year, &u.id, &m.id).and_then(|x| x.status);
            let k = status
                .and_then(|s| STATUS_ORDER.iter().position(|o| *o == s))
                .unwrap_or(STATUS_ORDER.len());
            counts[k] += 1;
        }
        counts
    }
}

/// Done first: from what is finished to what is not known.
pub const STATUS_ORDER: [crate::pipeline::Status; 3] = [
    crate::pipeline::Status::Done,
    crate::pipeline::Status::Started,
    crate::pipeline::Status::NotStarted,
];

/// What [`RunData::measure_status`]'s four counts are called.
pub const STATUS_WORDS: [&str; 4] = [
    STATUS_ORDER[0].label(),
    STATUS_ORDER[1].label(),
    STATUS_ORDER[2].label(),
    "Ingen uppgift",
];

#[derive(Clone, Debug, serde::Serialize)]
pub struct Completeness {
    pub year: i32,
    pub expected: Vec<String>,
    pub reported: Vec<String>,
    pub missing: Vec<String>,
    pub values_expected: usize,
    pub values_received: usize,
    pub share: f64,
    /// Each expected unit's return, when the pipeline has a portal that
    /// can say more than whether the file is there.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub returns: Vec<ReturnStatus>,
}

/// One expected unit's return for a year, as the portal recorded it for
/// the very file the run read.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ReturnStatus {
    pub unit_id: String,
    pub handed_in: bool,
    pub approved: bool,
    #[serde(flatten)]
    pub timeliness: crate::handin::Timeliness,
    pub decision: Option<crate::handin::CommitteeDecision>,
}
