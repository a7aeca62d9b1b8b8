//! What the portal knows of each return that the file itself does not say:
//! when it was first handed in, whether it was approved, and the
//! committee's own decision on it. The portal writes this to
//! [`FILE`] in its data folder whenever it changes; `run` reads it and
//! trusts an entry only for the very file (by SHA-256) the portal put in
//! the inbox, so a return replaced by hand is never reported as approved.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::pipeline::Pipeline;
use crate::pipeline::date::Date;

/// The file in the portal's data folder.
pub const FILE: &str = "inlamningar.json";

/// One unit's return for a year, as the portal last published it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandIn {
    pub unit_id: String,
    pub year: i32,
    /// The file in the inbox.
    pub sha256: String,
    /// When the first upload without errors came (RFC 3339, UTC).
    pub first_accepted: Option<String>,
    pub approved: bool,
    pub decision: Option<CommitteeDecision>,
}

/// The committee's decision on its return: the meeting's date and,
/// optionally, the paragraph in its minutes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitteeDecision {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub paragraph: Option<String>,
}

/// Longest paragraph reference kept: "§ 123" or "Dnr 1.2.3-456/2023, § 12".
pub const MAX_PARAGRAPH_CHARS: usize = 60;

impl CommitteeDecision {
    /// What a committee wrote on the upload form, for the return for
    /// `year`, on `today`: `None` when both fields are empty. The error is
    /// a sentence that says what to do; it never quotes the paragraph.
    pub fn parse(
        date: &str,
        paragraph: &str,
        year: i32,
        today: Date,
    ) -> Result<Option<CommitteeDecision>, String> {
        let (date, paragraph) = (date.trim(), paragraph.trim());
        if date.is_empty() {
            return match paragraph.is_empty() {
                true => Ok(None),
                false => Err("Ni har angett en paragraf men inget beslutsdatum. Skriv datumet då nämnden beslutade om återrapporteringen, eller lämna båda fälten tomma.".into()),
            };
        }
        let day = decision_day(date, year, today)?;
        Ok(Some(CommitteeDecision {
            date: day.to_string(),
            paragraph: checked_paragraph(paragraph)?,
        }))
    }

    /// "2023-02-14, § 12", as pages and the report show it.
    pub fn describe(&self) -> String {
        match &self.paragraph {
            Some(p) => format!("{}, {p}", self.date),
            None => self.date.clone(),
        }
    }
}

fn decision_day(date: &str, year: i32, today: Date) -> Result<Date, String> {
    let Some(day) = Date::parse(date) else {
        return Err("Beslutsdatumet går inte att läsa som ett datum. Skriv det som ÅÅÅÅ-MM-DD, till exempel 2023-02-14.".into());
    };
    if day > today {
        return Err(format!(
            "Beslutsdatumet {day} har inte kommit än. Skriv datumet då nämnden beslutade, eller lämna fältet tomt och ladda upp igen när beslutet är fattat."
        ));
    }
    if day.year < year {
        return Err(format!(
            "Beslutsdatumet {day} ligger före år {year}, som återrapporteringen gäller. Kontrollera datumet."
        ));
    }
    Ok(day)
}

fn checked_paragraph(paragraph: &str) -> Result<Option<String>, String> {
    if paragraph.is_empty() {
        return Ok(None);
    }
    if paragraph.chars().count() > MAX_PARAGRAPH_CHARS || paragraph.chars().any(char::is_control) {
        return Err(format!(
            "Paragrafen får vara högst {MAX_PARAGRAPH_CHARS} tecken på en rad, till exempel § 12. Korta den."
        ));
    }
    if let Some(found) = crate::validate::anonymity::scan(paragraph) {
        return Err(format!(
            "Paragrafen innehåller något som liknar {}, och portalen får inte ta emot personuppgifter. Skriv bara paragrafens nummer, till exempel § 12.",
            found.swedish()
        ));
    }
    Ok(Some(paragraph.to_string()))
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Stored {
    version: u32,
    returns: Vec<HandIn>,
}

const VERSION: u32 = 1;

/// Where the portal keeps the file, when the pipeline has a portal.
pub fn path(p: &Pipeline) -> Option<PathBuf> {
    Some(p.resolve(&p.portal.as_ref()?.data).join(FILE))
}

/// Writes the file whole (sorted, so that the same state gives the same
/// bytes), through a temporary file so that a reader never sees half.
pub fn write(dir: &Path, mut returns: Vec<HandIn>) -> std::io::Result<()> {
    returns.sort_by(|a, b| (&a.unit_id, a.year).cmp(&(&b.unit_id, b.year)));
    let stored = Stored {
        version: VERSION,
        returns,
    };
    let mut bytes = serde_json::to_vec_pretty(&stored).map_err(std::io::Error::other)?;
    bytes.push(b'\n');
    if std::fs::read(dir.join(FILE)).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    let tmp = dir.join(format!("{FILE}.tmp"));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, dir.join(FILE))
}

/// Reads the file; `None` when there is none (the portal has never run).
/// The error says where the file is wrong (line and column) and what to do.
pub fn read(file: &Path) -> Result<Option<Vec<HandIn>>, String> {
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(crate::text::io_error(&e)),
    };
    let stored: Stored = serde_json::from_slice(&bytes).map_err(|e| {
        format!(
            "rad {}, kolumn {}: filen är inte som portalen skriver den. Portalen skriver om den när den startar (uppfolj serve); ändra den inte för hand",
            e.line(),
            e.column()
        )
    })?;
    if stored.version != VERSION {
        return Err(format!(
            "filen har version {}, men det här programmet läser version {VERSION}; kör samma version av uppfolj som portalen",
            stored.version
        ));
    }
    Ok(Some(stored.returns))
}

/// A return's timeliness: its first accepted upload against the deadline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timeliness {
    OnTime,
    Late(i64),
    Missing,
    /// Put in the inbox by hand: the portal cannot tell when.
    Unknown,
    /// No deadline is set.
    NoDeadline,
}

impl Timeliness {
    /// `first`: the first accepted upload's time; `by_hand`: a return is in
    /// the inbox that came another way; `deadline`: the day (since 1970).
    pub fn of(first: Option<&str>, by_hand: bool, deadline: Option<i64>) -> Timeliness {
        let day = first.and_then(crate::clock::local_day);
        match (day, deadline) {
            (Some(_), None) => Timeliness::NoDeadline,
            (Some(d), Some(dl)) if d <= dl => Timeliness::OnTime,
            (Some(d), Some(dl)) => Timeliness::Late(d - dl),
            (None, _) if by_hand => Timeliness::Unknown,
            (None, _) => Timeliness::Missing,
        }
    }

    pub fn label(self) -> String {
        match self {
            Timeliness::Late(n) => {
                format!("sen ({})", crate::text::Count(n as usize, "dag", "dagar"))
            }
            _ => self.word().into(),
        }
    }

    /// The word alone, as `kvalitet.json` keeps it beside the days late.
    pub fn word(self) -> &'static str {
        match self {
            Timeliness::OnTime => "i tid",
            Timeliness::Late(_) => "sen",
            Timeliness::Missing => "saknas",
            Timeliness::Unknown => "okänt",
            Timeliness::NoDeadline => "inget sista datum",
        }
    }
}

impl Serialize for Timeliness {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Shown {
            timeliness: &'static str,
            days_late: Option<i64>,
        }
        let days_late = match self {
            Timeliness::Late(n) => Some(*n),
            _ => None,
        };
        Shown {
            timeliness: self.word(),
            days_late,
        }
        .serialize(s)
    }
}

/// The deadline of a year's returns, as a day since 1970: in the year after.
pub fn deadline_day(p: &Pipeline, year: i32) -> Option<i64> {
    let d = p.returns.deadline?;
    Some(crate::clock::days_from_civil(
        i64::from(year) + 1,
        d.month,
        d.day,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        Date::new(2023, 3, 1).unwrap()
    }

    #[test]
    fn a_decision_is_a_real_day_in_or_after_the_year_and_not_ahead() {
        let ok = CommitteeDecision::parse(" 2023-02-14 ", "§ 12", 2022, today()).unwrap();
        assert_eq!(ok.unwrap().describe(), "2023-02-14, § 12");
        assert_eq!(CommitteeDecision::parse("", "", 2022, today()), Ok(None));
        for (date, paragraph, start) in [
            ("2023-02-30", "", "Beslutsdatumet går inte att läsa"),
            ("14/2 2023", "", "Beslutsdatumet går inte att läsa"),
            (
                "2023-03-02",
                "",
                "Beslutsdatumet 2023-03-02 har inte kommit än",
            ),
            (
                "2021-12-31",
                "",
                "Beslutsdatumet 2021-12-31 ligger före år 2022",
            ),
            (
                "",
                "§ 12",
                "Ni har angett en paragraf men inget beslutsdatum",
            ),
            ("2023-02-14", "§ 12\n§ 13", "Paragrafen får vara högst"),
        ] {
            let e = CommitteeDecision::parse(date, paragraph, 2022, today()).unwrap_err();
            assert!(e.starts_with(start), "{date:?} {paragraph:?}: {e}");
        }
    }

    #[test]
    fn a_paragraph_holding_an_identifier_is_refused_without_quoting_it() {
        let e = CommitteeDecision::parse("2023-02-14", "§ 12 19811218-9876", 2022, today())
            .unwrap_err();
        assert!(e.contains("personnummer"), "{e}");
        assert!(!e.contains("9876"), "{e}");
    }

    #[test]
    fn the_file_reads_back_what_was_written_and_says_where_it_is_wrong() {
        let dir = tempfile::tempdir().unwrap();
        let entry = HandIn {
            unit_id: "a".into(),
            year: 2022,
            sha256: "00".into(),
            first_accepted: Some("2023-01-10T09:00:00Z".into()),
            approved: true,
            decision: None,
        };
        write(dir.path(), vec![entry.clone()]).unwrap();
        assert_eq!(read(&dir.path().join(FILE)).unwrap(), Some(vec![entry]));
        assert_eq!(read(&dir.path().join("none.json")).unwrap(), None);
        std::fs::write(dir.path().join(FILE), "{\"version\": 1,\n \"returns\": 3}").unwrap();
        let e = read(&dir.path().join(FILE)).unwrap_err();
        assert!(e.starts_with("rad 2, kolumn "), "{e}");
    }

    #[test]
    fn timeliness_counts_swedish_days_against_the_deadline() {
        let dl = Some(crate::clock::days_from_civil(2023, 3, 31));
        // 23:30 UTC on the 31st is already 1 April in Sweden (summer time).
        assert_eq!(
            Timeliness::of(Some("2023-03-31T21:30:00Z"), false, dl),
            Timeliness::OnTime
        );
        assert_eq!(
            Timeliness::of(Some("2023-03-31T23:30:00Z"), false, dl),
            Timeliness::Late(1)
        );
        assert_eq!(Timeliness::of(None, true, dl), Timeliness::Unknown);
        assert_eq!(Timeliness::of(None, false, dl).label(), "saknas");
        assert_eq!(Timeliness::Late(3).label(), "sen (3 dagar)");
    }
}
