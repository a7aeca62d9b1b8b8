//! The strategy's tree and its units: areas, goals, measures, breakdowns,
//! reporting units and the dates they exist.

use serde::{Deserialize, Serialize};

use super::Date;

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

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
pub struct MonthDay {
    pub month: u32,
    pub day: u32,
}

impl MonthDay {
    /// "15 februari 2023".
    pub fn in_year(self, year: i32) -> String {
        crate::text::date(self.day, self.month, year)
    }
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

#[derive(Clone, Debug, Serialize)]
pub struct Unit {
    pub id: String,
    pub name: String,
    /// The unit's kind, as the pipeline file names it (e.g. district
    /// committees); unit groups gather the units of one kind.
    pub kind: String,
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
    pub kind: String,
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

/// How far a measure has come, as the committee picks it from the
/// template's list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Status {
    NotStarted,
    Started,
    Done,
}

impl Status {
    pub const ALL: [Status; 3] = [Status::NotStarted, Status::Started, Status::Done];

    /// As the template's list and the report name it.
    pub const fn label(self) -> &'static str {
        match self {
            Status::NotStarted => "Ej påbörjad",
            Status::Started => "Påbörjad",
            Status::Done => "Genomförd",
        }
    }

    /// The status a cell names, whatever its case and spaces.
    pub fn parse(cell: &str) -> Option<Status> {
        Status::ALL
            .into_iter()
            .find(|s| s.label().eq_ignore_ascii_case(cell.trim()))
    }
}

/// The committee's own assessment of a measure: the usual three levels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Assessment {
    Met,
    PartlyMet,
    NotMet,
}

impl Assessment {
    pub const ALL: [Assessment; 3] = [Assessment::Met, Assessment::PartlyMet, Assessment::NotMet];

    /// As the template's list and the report name it.
    pub const fn label(self) -> &'static str {
        match self {
            Assessment::Met => "Uppfyllt",
            Assessment::PartlyMet => "Delvis uppfyllt",
            Assessment::NotMet => "Ej uppfyllt",
        }
    }

    /// The assessment a cell names, whatever its case and spaces.
    pub fn parse(cell: &str) -> Option<Assessment> {
        Assessment::ALL
            .into_iter()
            .find(|a| a.label().eq_ignore_ascii_case(cell.trim()))
    }
}
