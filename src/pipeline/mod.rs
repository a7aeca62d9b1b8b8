//! The pipeline definition: the model every stage shares.
//!
//! A pipeline file declares one strategy and everything its yearly follow-up
//! needs. [`load`] reads it, collecting every problem with its place in the
//! file rather than stopping at the first, and cross-checks the references.

mod check;
mod date;
mod read;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

pub use date::Date;

/// The unit id of the whole city. Reserved: no unit may have it.
pub const CITY: &str = "stad";
/// The breakdown and group of a total. Reserved: no breakdown or group may have it.
pub const TOTAL: &str = "total";
/// Joins the ids of crossed breakdowns, and of their groups, into one key:
/// `kon+aldersgrupp`, `kvinna+16-29`. Reserved in ids.
pub const CROSS: char = '+';

/// Which numbers a cell, or a row of a return, holds: the total, a group of
/// one breakdown, or a group of each of crossed breakdowns. The indicator
/// table writes it as two columns, `breakdown` (`total`, `kon`,
/// `kon+aldersgrupp`) and `group` (`total`, `kvinna`, `kvinna+16-29`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct GroupKey {
    pub breakdown: String,
    pub group: String,
}

impl GroupKey {
    pub fn total() -> GroupKey {
        GroupKey::of(TOTAL, TOTAL)
    }

    /// A group of one breakdown (or, given joined ids, of crossed ones).
    pub fn of(breakdown: &str, group: &str) -> GroupKey {
        GroupKey {
            breakdown: breakdown.to_string(),
            group: group.to_string(),
        }
    }

    /// A group of each of crossed breakdowns, as (breakdown, group) pairs.
    pub fn crossed<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> GroupKey {
        let (b, g): (Vec<&str>, Vec<&str>) = pairs.into_iter().unzip();
        let cross = CROSS.to_string();
        GroupKey {
            breakdown: b.join(&cross),
            group: g.join(&cross),
        }
    }

    pub fn is_total(&self) -> bool {
        self.breakdown == TOTAL
    }

    pub fn is_crossed(&self) -> bool {
        self.breakdown.contains(CROSS)
    }

    /// Each breakdown with its group: one pair, or one per crossed breakdown.
    pub fn parts(&self) -> impl Iterator<Item = (&str, &str)> {
        self.breakdown.split(CROSS).zip(self.group.split(CROSS))
    }
}

/// One problem in a pipeline file, with its place.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    /// 1-based line, where the parser knows it.
    pub line: Option<usize>,
    /// The TOML path, e.g. `indicators[3].measure`.
    pub path: String,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error("kan inte läsa pipelinefilen {}: den {}", path.display(), crate::text::io_error(source))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("pipelinefilen {path} har {} fel", problems.len())]
    Invalid {
        path: PathBuf,
        problems: Vec<Problem>,
    },
}

/// Reads and cross-checks a pipeline file.
pub fn load(path: &Path) -> Result<Pipeline, PipelineError> {
    let bytes = std::fs::read(path).map_err(|source| PipelineError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let invalid = |problems| PipelineError::Invalid {
        path: path.to_path_buf(),
        problems,
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        invalid(vec![Problem {
            line: None,
            path: String::new(),
            message: format!(
                "filen är inte UTF-8 (fel byte vid position {}); spara den som UTF-8",
                e.utf8_error().valid_up_to()
            ),
        }])
    })?;
    let mut p = parse(&text).map_err(invalid)?;
    p.file = path.to_path_buf();
    // Empty for a file in the working folder, so that paths read as the user wrote them.
    p.base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    Ok(p)
}

/// Reads and cross-checks a pipeline from its text; on problems, returns all
/// of them, sorted by line.
pub fn parse(text: &str) -> Result<Pipeline, Vec<Problem>> {
    let (pipeline, mut problems) = read::read(text);
    if let Some(p) = &pipeline {
        problems.extend(check::check(p));
    }
    match pipeline {
        Some(p) if problems.is_empty() => Ok(p),
        _ => {
            problems.sort();
            problems.dedup();
            Err(problems)
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Pipeline {
    pub strategy: Strategy,
    pub disclosure: Disclosure,
    pub breakdowns: Vec<Breakdown>,
    pub units: Vec<Unit>,
    pub unit_groups: Vec<UnitGroup>,
    pub areas: Vec<Area>,
    pub goals: Vec<Goal>,
    pub measures: Vec<Measure>,
    pub indicators: Vec<Indicator>,
    pub returns: Returns,
    pub survey: Option<Survey>,
    pub reference: Option<Reference>,
    pub output: Output,
    pub portal: Option<Portal>,
    /// The pipeline file, as given (empty for a pipeline parsed from text).
    #[serde(skip)]
    pub file: PathBuf,
    /// The pipeline file's folder: relative paths in the file start here.
    /// Worked out once, when the file is loaded.
    #[serde(skip)]
    pub base: PathBuf,
    /// Line of each TOML path that was read, for messages about cross-references.
    #[serde(skip)]
    pub(crate) lines: BTreeMap<String, usize>,
    /// Unit id → place in `units`: units are looked up by id once per value.
    #[serde(skip)]
    pub(crate) unit_index: std::collections::HashMap<String, usize>,
}

/// The committees' web portal (`uppfolj serve`).
#[derive(Clone, Debug, Serialize)]
pub struct Portal {
    /// Where the server listens, e.g. `127.0.0.1:8080`.
    pub listen: String,
    /// The address committees use, for sign-in links; `https://` makes the
    /// session cookie Secure.
    pub base_url: String,
    /// Everything the portal keeps: its database and every uploaded file.
    /// Relative to the pipeline file.
    pub data: PathBuf,
    /// The years open for returns.
    pub years: Vec<i32>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Strategy {
    pub id: String,
    pub title: String,
    pub period: Period,
    pub owner: String,
    pub vision: Option<String>,
    pub national_goal: Option<String>,
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
pub struct Period {
    pub from: i32,
    pub to: i32,
}

impl Period {
    pub fn years(&self) -> impl Iterator<Item = i32> + use<> {
        self.from..=self.to
    }
    pub fn contains(&self, year: i32) -> bool {
        (self.from..=self.to).contains(&year)
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Disclosure {
    /// Cells counting fewer persons than this are withheld.
    pub min_cell: u32,
    /// Indicators published for the whole city only.
    pub city_only: Vec<String>,
}

/// How committees hand in their yearly returns, and how they are checked.
#[derive(Clone, Debug, Serialize)]
pub struct Returns {
    /// Folder with one subfolder per year (`2021/`) of returns; relative paths
    /// are taken from the pipeline file's folder.
    pub inbox: Option<PathBuf>,
    /// Bumped whenever the template's layout changes; older templates are refused.
    pub template_version: u32,
    /// When the return for a year is due, in the following year.
    pub deadline: Option<MonthDay>,
    /// Whom committees ask, shown in the template's instructions.
    pub contact: Option<String>,
    /// Warn when a value differs from the unit's previous year by more than this factor…
    pub change_factor: f64,
    /// …and by at least this much, so that small numbers may vary freely.
    pub change_min_difference: f64,
    /// Caps that keep a huge or hostile workbook from exhausting memory.
    pub max_rows: u32,
    pub max_bytes: u64,
    /// A count above this is taken for a typing error, not a number of people.
    pub max_count: f64,
    /// What to do with a city value that lacks a unit's value.
    pub incomplete: Incomplete,
}

/// A city value over units where some unit's value is missing or refused.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Incomplete {
    /// Published, with its coverage, and drawn and tabled as incomplete.
    #[default]
    Mark,
    /// Not published at all.
    Withhold,
}

impl Default for Returns {
    fn default() -> Self {
        Returns {
            inbox: None,
            template_version: 1,
            deadline: None,
            contact: None,
            change_factor: 3.0,
            change_min_difference: 10.0,
            max_rows: 5_000,
            max_bytes: 20_000_000,
            max_count: 1e9,
            incomplete: Incomplete::Mark,
        }
    }
}

/// The anonymous survey: where the files are, how to read each year's file
/// (the codebook), and how anonymity is checked.
#[derive(Clone, Debug, Serialize)]
pub struct Survey {
    /// A file whose smallest group over the quasi-identifiers is below this is refused.
    pub k_anonymity: u32,
    /// The quasi-identifying variables: together they could single someone out.
    pub quasi_identifiers: Vec<String>,
    /// If set, a file below k may be kept by coarsening this variable to the whole city.
    pub coarsen: Option<String>,
    /// Answer values (after the codebook) that mean "no answer", e.g. "Vet ej".
    pub missing: Vec<String>,
    /// How each breakdown's groups are formed from a survey variable.
    pub breakdowns: Vec<SurveyBreakdown>,
    /// What the report calls a variable, e.g. `omrade` → "område".
    pub labels: Vec<(String, String)>,
    pub files: Vec<SurveyFile>,
    pub codebooks: Vec<Codebook>,
    /// A survey file larger than this is refused before it is opened.
    pub max_bytes: u64,
}

/// The default cap on a survey file: about five million respondents as CSV.
pub const SURVEY_MAX_BYTES: u64 = 500_000_000;

#[derive(Clone, Debug, Serialize)]
pub struct SurveyBreakdown {
    /// A breakdown id from `[[breakdowns]]`.
    pub id: String,
    pub variable: String,
    /// Group id → the variable's values that belong to it.
    pub groups: Vec<(String, Vec<String>)>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SurveyFile {
    pub year: i32,
    /// Relative to the pipeline file's folder.
    pub path: PathBuf,
    pub codebook: String,
}

/// How one version of the questionnaire is laid out in its file.
#[derive(Clone, Debug, Serialize)]
pub struct Codebook {
    pub id: String,
    /// The column with each respondent's weight, if the survey is weighted.
    pub weight: Option<String>,
    pub variables: Vec<CodebookVariable>,
}

#[derive(Clone, Debug, Serialize)]
pub struct CodebookVariable {
    pub name: String,
    pub column: String,
    /// Answer code or label as found in the file → its value. Matched trimmed
    /// and case-insensitively.
    pub codes: Vec<(String, String)>,
}

impl Codebook {
    pub fn variable(&self, name: &str) -> Option<&CodebookVariable> {
        self.variables.iter().find(|v| v.name == name)
    }
}

impl Survey {
    pub fn codebook(&self, id: &str) -> Option<&Codebook> {
        self.codebooks.iter().find(|c| c.id == id)
    }
    pub fn breakdown(&self, id: &str) -> Option<&SurveyBreakdown> {
        self.breakdowns.iter().find(|b| b.id == id)
    }
    /// A variable as the report names it: its label, or its name.
    pub fn label<'a>(&'a self, variable: &'a str) -> &'a str {
        self.labels
            .iter()
            .find(|(v, _)| v == variable)
            .map_or(variable, |(_, l)| l.as_str())
    }

    pub fn is_missing(&self, value: &str) -> bool {
        let v = value.trim();
        v.is_empty()
            || self
                .missing
                .iter()
                .any(|m| m.trim().to_lowercase() == v.to_lowercase())
    }
}

/// Where a run writes, and how the report judges targets.
#[derive(Clone, Debug, Serialize)]
pub struct Output {
    /// The output folder, relative to the pipeline file.
    pub dir: PathBuf,
    /// A folder the charts are also published to (the sample: the top-level `charts/`).
    pub charts: Option<PathBuf>,
    /// An indicator that missed its target by at most this share of the
    /// target "approached" it; further off, it missed.
    pub approached_within: f64,
}

impl Default for Output {
    fn default() -> Self {
        Output {
            dir: PathBuf::from("ut"),
            charts: None,
            approached_within: 0.1,
        }
    }
}

/// Reference statistics fetched over HTTP (Kolada's data API), and cached.
#[derive(Clone, Debug, Serialize)]
pub struct Reference {
    /// What the source is called in the report and under charts, e.g. `Kolada`.
    pub name: String,
    /// E.g. `https://api.kolada.se/v2`.
    pub base_url: String,
    /// Folder of cached responses, relative to the pipeline file.
    pub cache: PathBuf,
    /// Kolada municipality ids, e.g. `0180` (Stockholm) and `0000` (the country).
    pub municipalities: Vec<String>,
    /// The municipality whose values become the indicators.
    pub municipality: String,
    /// Which breakdown the source's own groups (Kolada's K and M) become;
    /// without it only the totals are taken.
    pub breakdown: Option<ReferenceBreakdown>,
    /// Limits for its downloads, and for inputs given as URLs.
    #[serde(flatten)]
    pub http: HttpLimits,
    pub series: Vec<ReferenceSeries>,
}

/// Limits for every download. The defaults are the README's; a pipeline
/// without `[reference]` downloads URL inputs with them.
#[derive(Clone, Debug, Serialize)]
pub struct HttpLimits {
    pub connect_timeout_ms: u64,
    pub timeout_ms: u64,
    /// Tries in all, the first included.
    pub max_tries: u32,
    /// The first wait between tries; it doubles each time, plus jitter.
    pub backoff_ms: u64,
    /// The longest `Retry-After` honoured.
    pub max_retry_after_ms: u64,
    /// Downloads larger than this are refused.
    pub max_bytes: u64,
    /// All of one `fetch` ends within this, however slow the server.
    pub deadline_ms: u64,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            connect_timeout_ms: 5_000,
            timeout_ms: 30_000,
            max_tries: 4,
            backoff_ms: 500,
            max_retry_after_ms: 60_000,
            max_bytes: 50_000_000,
            deadline_ms: 50_000,
        }
    }
}

impl Pipeline {
    /// Who owns the strategy and follows it up, by name (the owner's unit).
    pub fn owner_name(&self) -> &str {
        self.unit(&self.strategy.owner)
            .map(|u| u.name.as_str())
            .unwrap_or(self.strategy.owner.as_str())
    }

    /// The limits downloads go by: `[reference]`'s, or the defaults.
    pub fn http_limits(&self) -> HttpLimits {
        self.reference
            .as_ref()
            .map(|r| r.http.clone())
            .unwrap_or_default()
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct ReferenceBreakdown {
    /// A breakdown id from `[[breakdowns]]`.
    pub id: String,
    /// The source's group code → a group id of that breakdown.
    pub groups: Vec<(String, String)>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ReferenceSeries {
    /// The reference indicator the series feeds, e.g. `REF-1`.
    pub indicator: String,
    /// Kolada's KPI ids: one, or several combined.
    pub kpis: Vec<String>,
    /// Each KPI's title as the pipeline file records it (empty: not checked).
    /// Kolada may retire or rename a KPI without notice.
    pub kpi_titles: Vec<String>,
    /// How several KPIs make one value.
    pub combine: Combine,
    /// Multiplies each value: 0.01 turns Kolada's percent into a share.
    pub scale: f64,
    /// Said beside comparisons with the series, e.g. where its population
    /// differs from the survey's.
    pub note: Option<String>,
}

impl ReferenceSeries {
    /// The KPIs as one name, e.g. `N01983+N01982`: for messages and the cache file.
    pub fn kpi(&self) -> String {
        self.kpis.join("+")
    }
}

/// How the values of several KPIs make one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Combine {
    /// Their sum, where every KPI has a value.
    Sum,
}

/// What a survey indicator counts.
#[derive(Clone, Debug, Serialize)]
pub struct SurveyMeasure {
    /// The answer variable; respondents with a missing answer are left out.
    pub variable: String,
    /// Answers that count towards the numerator.
    pub numerator: Vec<String>,
    /// Only respondents whose variables take these values, e.g. ages 20–64.
    pub population: Vec<(String, Vec<String>)>,
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
pub struct MonthDay {
    pub month: u32,
    pub day: u32,
}

#[derive(Clone, Debug, Serialize)]
pub struct Breakdown {
    pub id: String,
    pub title: String,
    pub groups: Vec<Group>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Group {
    pub id: String,
    pub label: String,
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    Ks,
    Facknamnd,
    Sdn,
}

#[derive(Clone, Debug, Serialize)]
pub struct Unit {
    pub id: String,
    pub name: String,
    pub kind: UnitKind,
    pub valid_from: Option<Date>,
    pub valid_to: Option<Date>,
    pub successors: Vec<String>,
}

impl Unit {
    /// The unit that exists on 31 December reports for the whole year.
    pub fn reports_in(&self, year: i32) -> bool {
        let end = Date::year_end(year);
        self.valid_from.is_none_or(|d| d <= end) && self.valid_to.is_none_or(|d| d >= end)
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct UnitGroup {
    pub id: String,
    pub name: String,
    pub kind: UnitKind,
}

#[derive(Clone, Debug, Serialize)]
pub struct Area {
    pub id: String,
    pub title: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Goal {
    pub id: String,
    pub area: String,
    pub title: String,
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum MeasureForm {
    /// One of the strategy's bulleted measures.
    Bullet,
    /// A measure the strategy gives in running text.
    Prose,
}

#[derive(Clone, Debug, Serialize)]
pub struct Measure {
    pub id: String,
    pub goal: String,
    pub form: MeasureForm,
    pub text: String,
    /// Unit ids or unit-group ids.
    pub responsible: Vec<String>,
    /// How the strategy names the responsible party, where that differs.
    pub named_as: Option<String>,
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum MeasureUnit {
    Antal,
    Andel,
    Procentenheter,
}

/// How far a measure has come, as the committee picks it from the
/// template's list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    NotStarted,
    Started,
    Done,
}

impl Status {
    pub const ALL: [Status; 3] = [Status::NotStarted, Status::Started, Status::Done];
}

/// The committee's own assessment of a measure: the usual three levels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Assessment {
    Met,
    PartlyMet,
    NotMet,
}

impl Assessment {
    pub const ALL: [Assessment; 3] = [Assessment::Met, Assessment::PartlyMet, Assessment::NotMet];
}

/// Why a cell of the indicator table is not published.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reason {
    /// Fewer persons than the minimum.
    Primary,
    /// Withheld so that another withheld cell cannot be worked out.
    Complementary,
    /// The survey's variable was coarsened to the whole city for k-anonymity.
    Coarsened,
    /// A total that would lack a member (a group or a unit not reported).
    Incomplete,
}

impl Reason {
    /// Primary and complementary suppression are told apart only to analysts:
    /// published, the difference would help a reader narrow a cell down.
    pub fn protects_persons(self) -> bool {
        matches!(self, Reason::Primary | Reason::Complementary)
    }
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Return,
    Survey,
    Reference,
    Derived,
}

impl Source {
    /// The id the pipeline file and the indicator table use.
    pub fn id(self) -> &'static str {
        match self {
            Source::Return => "return",
            Source::Survey => "survey",
            Source::Reference => "reference",
            Source::Derived => "derived",
        }
    }
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Higher,
    Lower,
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Publication {
    Unit,
    City,
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct YearValue {
    pub year: i32,
    pub value: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Derivation {
    pub minuend: String,
    pub subtrahend: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Indicator {
    pub id: String,
    pub title: String,
    pub unit: MeasureUnit,
    pub source: Source,
    pub measure: String,
    pub responsible: Vec<String>,
    pub breakdowns: Vec<String>,
    /// Report every combination of the breakdowns' groups rather than each
    /// breakdown on its own.
    pub crossed: bool,
    pub direction: Direction,
    pub counts_persons: bool,
    pub publication: Publication,
    pub baseline: Option<YearValue>,
    pub targets: Vec<YearValue>,
    pub derived: Option<Derivation>,
    /// Values outside these bounds are refused (returns).
    pub bounds: Option<Bounds>,
    /// A blank value is reported as missing (a warning) when required.
    pub required: bool,
    /// For survey indicators: what is counted.
    pub survey: Option<SurveyMeasure>,
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct Bounds {
    pub min: Option<f64>,
    pub max: Option<f64>,
}

/// A folder the pipeline reads from.
pub struct InputFolder {
    /// What it is, in Swedish, for messages.
    pub what: &'static str,
    pub path: PathBuf,
    /// Holds data files (inbox, survey files, cache), so no output may lie
    /// inside it either. The pipeline's own folder holds only pipeline files.
    pub holds_data: bool,
}

impl Pipeline {
    /// The folders the pipeline reads from: an output folder is replaced
    /// wholesale, so it must keep clear of them all.
    pub fn input_folders(&self) -> Vec<InputFolder> {
        let folder = |what, path| InputFolder {
            what,
            path,
            holds_data: true,
        };
        let mut folders = vec![InputFolder {
            holds_data: false,
            ..folder("pipelinefilens mapp", self.base.clone())
        }];
        if let Some(inbox) = &self.returns.inbox {
            folders.push(folder(
                "inkorgen för återrapporteringar",
                self.resolve(inbox),
            ));
        }
        for f in self.survey.iter().flat_map(|s| &s.files) {
            let local = !f.path.to_string_lossy().contains("://");
            if let (true, Some(dir)) = (local, self.resolve(&f.path).parent()) {
                folders.push(folder("mappen med enkätfiler", dir.to_path_buf()));
            }
        }
        if let Some(r) = &self.reference {
            folders.push(folder(
                "cachen för referensstatistik",
                self.resolve(&r.cache),
            ));
        }
        folders
    }

    /// Why `dir` may not be an output folder: it is, contains or lies inside a
    /// folder the pipeline reads data from (the inbox is read subfolders and
    /// all; an output among data files is one careless setting from replacing
    /// them). Inside the pipeline's own folder is allowed: `ut/` beside the
    /// pipeline file is the usual layout, and nothing there is read.
    pub fn output_clash(&self, dir: &Path) -> Option<String> {
        let out = normalized(dir);
        if out.parent().is_none() {
            return Some(format!(
                "{} är en rotmapp; ange en egen mapp för utdata",
                dir.display()
            ));
        }
        self.input_folders().into_iter().find_map(|folder| {
            let (what, input) = (folder.what, normalized(&folder.path));
            let inside = out.starts_with(&input) && folder.holds_data;
            let clash = out == input || input.starts_with(&out) || inside;
            clash.then(|| {
                format!(
                    "{} är, innehåller eller ligger i {what} ({}); utdatamappen ersätts vid varje körning och skulle ta bort indata. Välj en egen mapp för utdata",
                    dir.display(),
                    input.display()
                )
            })
        })
    }

    /// A path from the pipeline file, taken from the file's folder.
    pub fn resolve(&self, path: &Path) -> PathBuf {
        if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.base.join(path)
        }
    }

    pub fn unit(&self, id: &str) -> Option<&Unit> {
        // The index is built when the file is read. The list stays the
        // truth: a pipeline whose units were changed since is searched.
        match self.unit_index.get(id).and_then(|&i| self.units.get(i)) {
            Some(u) if u.id == id => Some(u),
            None if self.unit_index.len() == self.units.len() => None,
            _ => self.units.iter().find(|u| u.id == id),
        }
    }

    pub fn unit_group(&self, id: &str) -> Option<&UnitGroup> {
        self.unit_groups.iter().find(|g| g.id == id)
    }

    pub fn breakdown(&self, id: &str) -> Option<&Breakdown> {
        self.breakdowns.iter().find(|b| b.id == id)
    }

    pub fn measure(&self, id: &str) -> Option<&Measure> {
        self.measures.iter().find(|m| m.id == id)
    }

    pub fn goal(&self, id: &str) -> Option<&Goal> {
        self.goals.iter().find(|g| g.id == id)
    }

    pub fn indicator(&self, id: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.id == id)
    }

    /// The units that report for `year`, in file order.
    pub fn units_reporting(&self, year: i32) -> impl Iterator<Item = &Unit> {
        self.units.iter().filter(move |u| u.reports_in(year))
    }

    /// Expands responsible references (unit ids and unit-group ids) to the
    /// units that carry that responsibility in `year`.
    pub fn responsible_units(&self, refs: &[String], year: i32) -> Vec<&Unit> {
        // In the order the responsibility names them (a group's units in the
        // pipeline's order), each once; linear in the number of units.
        let mut seen = std::collections::HashSet::new();
        let mut out: Vec<&Unit> = Vec::new();
        for r in refs {
            if let Some(u) = self.unit(r) {
                if u.reports_in(year) && seen.insert(u.id.as_str()) {
                    out.push(u);
                }
            } else if let Some(g) = self.unit_group(r) {
                for u in self.units_reporting(year).filter(|u| u.kind == g.kind) {
                    if seen.insert(u.id.as_str()) {
                        out.push(u);
                    }
                }
            }
        }
        out
    }

    /// Whether `unit` carries a responsibility given by `refs` in `year`:
    /// named itself, or one of a named group, and reporting that year.
    pub fn is_responsible(&self, refs: &[String], unit: &Unit, year: i32) -> bool {
        unit.reports_in(year)
            && refs
                .iter()
                .any(|r| *r == unit.id || self.unit_group(r).is_some_and(|g| g.kind == unit.kind))
    }

    /// The unit that carries `unit_id`'s series in `year`, following mergers
    /// forward through successors, so a district series can cross a merger.
    pub fn successor_in(&self, unit_id: &str, year: i32) -> Option<&Unit> {
        let mut current = self.unit(unit_id)?;
        // Bounded by the number of units, so a cycle cannot loop forever.
        for _ in 0..=self.units.len() {
            if current.reports_in(year) {
                return Some(current);
            }
            let next = current.successors.first()?;
            current = self.unit(next)?;
        }
        None
    }

    /// The line a TOML path was read from, if it was.
    pub fn line_of(&self, path: &str) -> Option<usize> {
        self.lines.get(path).copied()
    }
}

/// Whether `name` is a plain file name: joined to a folder, the file stays
/// in it. Every file named after an id is checked with this as it is
/// written, besides `check`'s rules for ids.
pub fn plain_file_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && !name.contains(['/', '\\'])
        && !name.chars().any(char::is_control)
        && Path::new(name).file_name() == Some(std::ffi::OsStr::new(name))
}

/// An absolute path with `.` and `..` worked out, and symbolic links
/// followed where the path exists, so that two names of one folder compare equal.
pub fn normalized(path: &Path) -> PathBuf {
    if path.as_os_str().is_empty() {
        return normalized(Path::new("."));
    }
    if let Ok(real) = path.canonicalize() {
        return real;
    }
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for c in absolute.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            c => out.push(c),
        }
    }
    // The part that exists may be reached through a link.
    match (out.parent().map(normalized), out.file_name()) {
        (Some(parent), Some(name)) if parent != out => parent.join(name),
        _ => out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README gives these defaults; a pipeline without `[reference]`
    /// downloads URL inputs with them too.
    #[test]
    fn download_limits_default_to_the_readmes() {
        let d = HttpLimits::default();
        assert_eq!((d.connect_timeout_ms, d.timeout_ms), (5_000, 30_000));
        assert_eq!(
            (d.max_tries, d.backoff_ms, d.max_retry_after_ms),
            (4, 500, 60_000)
        );
        assert_eq!(d.max_bytes, 50_000_000);
    }

    #[test]
    fn group_keys_cross_and_split() {
        let k = GroupKey::crossed([("kon", "kvinna"), ("alder", "16-29")]);
        assert_eq!(
            (k.breakdown.as_str(), k.group.as_str()),
            ("kon+alder", "kvinna+16-29")
        );
        assert!(k.is_crossed() && !k.is_total());
        assert_eq!(
            k.parts().collect::<Vec<_>>(),
            [("kon", "kvinna"), ("alder", "16-29")]
        );
        assert!(GroupKey::total().is_total());
        assert_eq!(GroupKey::of("kon", "man").parts().count(), 1);
    }
}
