//! The pipeline definition: the model every stage shares.
//!
//! A pipeline file declares one strategy and everything its yearly follow-up
//! needs. [`load`] reads it, collecting every problem with its place in the
//! file rather than stopping at the first, and cross-checks the references.
//! The model's parts each have a file: the strategy's tree and units
//! ([`strategy`]), indicators ([`indicator`]), the survey ([`survey`]),
//! reference statistics ([`reference`]), the other settings ([`settings`]),
//! and the folders a pipeline reads ([`folders`]).

mod check;
pub mod date;
mod folders;
mod indicator;
mod names;
mod read;
mod reference;
mod settings;
mod strategy;
mod survey;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use date::Date;
pub use folders::{
    InputFolder, RETURN_EXTENSIONS, normalized, plain_file_name, return_extension,
    return_file_name, return_file_name_as,
};
pub use indicator::{
    Bounds, Derivation, Direction, Indicator, MeasureUnit, POINTS, Publication, Reason, Source,
    YearValue,
};
pub use reference::{Combine, HttpLimits, Reference, ReferenceBreakdown, ReferenceSeries};
pub use settings::{
    Disclosure, Incomplete, Limits, Mail, MailSecurity, Output, Portal, Publish, Report, Returns,
};
pub use strategy::{
    Area, Assessment, Breakdown, Goal, Group, Measure, MeasureForm, MonthDay, Period, Status,
    Strategy, Unit, UnitGroup,
};
pub use survey::{
    Codebook, CodebookVariable, SURVEY_MAX_BYTES, Survey, SurveyBreakdown, SurveyFile,
    SurveyMeasure,
};

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
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
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
    #[error("kan inte läsa pipelinefilen {}: den {}. Kontrollera sökvägen, eller gör en ny pipelinefil efter README:s exempel.", path.display(), crate::text::io_error(source))]
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
    pub report: Report,
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

impl Pipeline {
    /// Who owns the strategy and follows it up, by name (the owner's unit).
    pub fn owner_name(&self) -> &str {
        self.unit(&self.strategy.owner)
            .map(|u| u.name.as_str())
            .unwrap_or(self.strategy.owner.as_str())
    }

    /// A path from the pipeline file, taken from the file's folder.
    pub fn resolve(&self, path: &Path) -> PathBuf {
        if path.is_absolute() {
            path.to_path_buf()
        } else {
            normalise(&self.base.join(path))
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

    /// Indicators derived as one minus another: the gaps against a
    /// reference, which the parity chart, section and key points show.
    pub fn gaps(&self) -> impl Iterator<Item = &Indicator> {
        self.indicators.iter().filter(|i| i.derived.is_some())
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

/// A path with its `.` and `name/..` parts taken out, so that messages and
/// outputs say `data-samples/x.csv`, not `pipelines/../data-samples/x.csv`.
/// Lexical: a `..` that leads out of a symlinked folder is taken as written.
pub fn normalise(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component<'_>> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            Component::ParentDir
                if matches!(out.last(), Some(Component::RootDir | Component::Prefix(_))) => {}
            _ => out.push(c),
        }
    }
    if out.is_empty() {
        return PathBuf::from(".");
    }
    out.iter().collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_path_through_a_parent_folder_is_said_the_short_way() {
        use std::path::Path;
        assert_eq!(
            super::normalise(Path::new("pipelines/../data-samples/./returns")),
            Path::new("data-samples/returns")
        );
        assert_eq!(super::normalise(Path::new("../x/y/..")), Path::new("../x"));
        assert_eq!(super::normalise(Path::new("/a/../../b")), Path::new("/b"));
        assert_eq!(super::normalise(Path::new("a/..")), Path::new("."));
    }

    use super::*;

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
