//! Rules for committee returns: counts whole and not negative, täljare not
//! above nämnare, values within bounds, no duplicate returns, blanks listed as
//! missing, and a warning on a sharp change from the year before.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use super::{Finding, Severity};
use crate::cache::Cache;
use crate::finding::Subject;
use crate::ingest::Refusal;
use crate::ingest::cell::parse_swedish_number;
use crate::ingest::returns::{self, CellInput, Expect, RawValue, ReturnWorkbook};
use crate::layout;
use crate::pipeline::{Assessment, Status};
use crate::pipeline::{GroupKey, Indicator, Pipeline};

/// An accepted value, ready for the indicator table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Value {
    pub unit_id: String,
    pub year: i32,
    pub indicator_id: String,
    pub key: GroupKey,
    /// The count, or täljare / nämnare for a share; `None` when blank.
    pub value: Option<f64>,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    pub comment: Option<String>,
    pub file: String,
    pub sheet: String,
    pub cell: String,
}

impl Value {
    /// The value's key, as a finding about it carries it.
    pub fn subject(&self) -> Subject {
        Subject {
            unit_id: Some(self.unit_id.clone()),
            year: Some(self.year),
            indicator_id: Some(self.indicator_id.clone()),
            breakdown: Some(self.key.breakdown.clone()),
            group: Some(self.key.group.clone()),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    pub unit_id: String,
    pub year: i32,
    pub measure_id: String,
    pub status: Option<Status>,
    pub assessment: Option<Assessment>,
    pub description: Option<String>,
    pub file: String,
    pub sheet: String,
    pub cell: String,
}

/// A file that was read and used.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Input {
    pub file: String,
    pub path: PathBuf,
    pub sha256: String,
    pub unit_id: String,
    pub year: i32,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Outcome {
    pub values: Vec<Value>,
    pub activities: Vec<Activity>,
    pub findings: Vec<Finding>,
    pub used: Vec<Input>,
    /// Files refused whole.
    pub refused: Vec<String>,
}

fn refusal_finding(r: Refusal) -> Finding {
    Finding {
        severity: Severity::Error,
        file: r.file,
        sheet: r.sheet,
        cell: r.cell,
        about: None,
        message: r.message,
        subject: Subject::default(),
    }
}

/// A return read and judged on its own: its tidy values, activities and
/// findings, without the workbook's cells; what the cache keeps of it.
#[derive(Serialize, Deserialize)]
struct Judged {
    file: String,
    path: PathBuf,
    sha256: String,
    unit_id: String,
    year: i32,
    part: Outcome,
}

/// Reads one return and judges it; the workbook is let go here, so that a
/// run holds the tidy rows of every return, never all their cells.
fn read_and_judge(p: &Pipeline, f: &Path, year: Option<i32>) -> Result<Judged, Refusal> {
    let expect = Expect {
        year: year.or_else(|| crate::inputs::folder_year(f)),
    };
    let b = returns::read(p, f, expect)?;
    let mut part = Outcome::default();
    for (sheet, cell, message) in &b.warnings {
        part.findings.push(Finding {
            severity: Severity::Warning,
            file: b.file.clone(),
            sheet: sheet.clone(),
            cell: cell.clone(),
            about: None,
            message: message.clone(),
            subject: Subject::of_return(&b.unit_id, b.year),
        });
    }
    judge_values(p, &b, &mut part);
    judge_activities(p, &b, &mut part);
    Ok(Judged {
        file: b.file,
        path: b.path,
        sha256: b.sha256,
        unit_id: b.unit_id,
        year: b.year,
        part,
    })
}

/// One return judged, or what the cache kept of it when it is unchanged.
fn judge_cached(
    p: &Pipeline,
    f: &Path,
    year: Option<i32>,
    cache: &Cache,
) -> Result<Judged, Refusal> {
    let key = cache.key(
        &format!("återrapportering {year:?}"),
        f,
        p.returns.max_bytes,
    );
    if let Some(kept) = key.as_deref().and_then(|k| cache.get(k)) {
        return kept;
    }
    let judged = crate::ingest::guarded(&f.display().to_string(), || read_and_judge(p, f, year));
    if let Some(k) = &key {
        cache.put(k, &judged);
    }
    judged
}

/// Reads and validates each return; one bad file never stops the others.
pub fn validate_files(p: &Pipeline, files: &[PathBuf], year: Option<i32>) -> Outcome {
    validate_files_cached(p, files, year, &Cache::none())
}

/// As [`validate_files`], reading back from `cache` what an unchanged
/// return became; only the checks across returns are made afresh.
pub fn validate_files_cached(
    p: &Pipeline,
    files: &[PathBuf],
    year: Option<i32>,
    cache: &Cache,
) -> Outcome {
    let mut out = read_files(p, files, year, cache);
    super::last_year::change_warnings(p, &mut out, cache);
    out
}

/// Every return read and judged on its own, and two returns for one unit
/// and year refused; without the comparison with last year.
pub fn read_files(p: &Pipeline, files: &[PathBuf], year: Option<i32>, cache: &Cache) -> Outcome {
    let mut out = Outcome::default();
    let mut books: Vec<Judged> = Vec::new();
    // Workbooks are read in parallel on all cores; the results keep the files' order.
    let read: Vec<Result<Judged, Refusal>> = {
        use rayon::prelude::*;
        crate::pool::install(|| {
            files
                .par_iter()
                .map(|f| judge_cached(p, f, year, cache))
                .collect()
        })
    };
    for r in read {
        match r {
            Ok(b) => books.push(b),
            Err(r) => {
                out.refused.push(r.file.clone());
                out.findings.push(refusal_finding(r));
            }
        }
    }

    // Two returns for the same unit and year: neither can be trusted over the other.
    let mut by_key: BTreeMap<(String, i32), Vec<usize>> = BTreeMap::new();
    for (i, b) in books.iter().enumerate() {
        by_key
            .entry((b.unit_id.clone(), b.year))
            .or_default()
            .push(i);
    }
    let mut duplicate = vec![false; books.len()];
    for ((unit, year), idx) in &by_key {
        if idx.len() > 1 {
            let names: Vec<&str> = idx.iter().map(|i| books[*i].file.as_str()).collect();
            let unit_name = p.unit(unit).map(|u| u.name.as_str()).unwrap_or(unit);
            for i in idx {
                duplicate[*i] = true;
                out.refused.push(books[*i].file.clone());
                out.findings.push(Finding {
                    severity: Severity::Error,
                    file: books[*i].file.clone(),
                    sheet: None,
                    cell: None,
                    about: None,
                    message: format!(
                        "{unit_name} har lämnat {} återrapporteringar för {year} ({}); ingen av dem används. Ta bort alla utom den som gäller.",
                        idx.len(),
                        names.join(", ")
                    ),
                    subject: Subject::of_return(unit, *year),
                });
            }
        }
    }

    for (b, dup) in books.into_iter().zip(duplicate) {
        if dup {
            continue;
        }
        out.findings.extend(b.part.findings);
        out.values.extend(b.part.values);
        out.activities.extend(b.part.activities);
        out.used.push(Input {
            file: b.file,
            path: b.path,
            sha256: b.sha256,
            unit_id: b.unit_id,
            year: b.year,
        });
    }
    out
}

/// Turns a cell into a non-negative count, whole or with at most
/// `decimals` decimals (årsarbetare), or says why not.
fn count(input: &CellInput, max: f64, decimals: u8) -> Result<Option<f64>, String> {
    match cell_number(input, decimals == 0)? {
        Some(v) => checked_count(v, max, decimals).map(Some),
        None => Ok(None),
    }
}

/// The number a cell holds; `None` when blank.
fn cell_number(input: &CellInput, whole: bool) -> Result<Option<f64>, String> {
    let v = match input {
        CellInput::Blank => return Ok(None),
        CellInput::Number(n) => *n,
        CellInput::Text(t) => match parse_swedish_number(t) {
            Some(v) => v,
            None => {
                let digits: String = t.chars().filter(|c| c.is_ascii_digit()).collect();
                let example = if digits.is_empty() || digits.len() > 9 {
                    "12".to_string()
                } else {
                    digits.trim_start_matches('0').to_string().max("0".into())
                };
                return Err(if whole {
                    format!(
                        "\"{}\" är inte ett heltal. Skriv bara siffror, till exempel {example}.",
                        crate::text::excerpt(t.trim())
                    )
                } else {
                    format!(
                        "\"{}\" är inte ett tal. Skriv bara siffror, med högst en decimal, till exempel {example},5.",
                        crate::text::excerpt(t.trim())
                    )
                });
            }
        },
        CellInput::FormulaWithoutValue(f) => {
            return Err(format!(
                "formeln ={} har inget sparat värde. Öppna filen i Excel eller LibreOffice, spara den och skicka den igen.",
                crate::text::excerpt(f.trim_start_matches('='))
            ));
        }
        CellInput::Error(e) => {
            return Err(format!(
                "cellen visar felet {e}. Skriv in talet i stället för formeln."
            ));
        }
        CellInput::Other(o) => {
            return Err(format!(
                "\"{}\" är inte ett tal (cellen är formaterad som datum eller sant/falskt). Skriv bara siffror.",
                crate::text::excerpt(o)
            ));
        }
    };
    Ok(Some(v))
}

/// A count within bounds, whole or with at most `decimals` decimals.
fn checked_count(v: f64, max: f64, decimals: u8) -> Result<f64, String> {
    let whole = decimals == 0;
    if !v.is_finite() || v > max {
        return Err(format!(
            "talet är större än {}, vilket inget antal i uppföljningen kan vara. Kontrollera att rätt tal står i rätt cell.",
            crate::text::number(max)
        ));
    }
    if v < 0.0 {
        return Err(format!(
            "{} är negativt, men ett antal kan inte vara mindre än 0. Skriv 0 eller det rätta antalet.",
            crate::text::number(v)
        ));
    }
    let scale = 10f64.powi(i32::from(decimals));
    let off = if whole {
        v.fract() != 0.0
    } else {
        ((v * scale).round() - v * scale).abs() > 1e-6
    };
    if off {
        return Err(if whole {
            format!(
                "{} är inte ett heltal. Skriv ett helt antal, till exempel {}.",
                crate::text::number(v),
                crate::text::number(v.round())
            )
        } else {
            format!(
                "{} har fler än en decimal. Skriv talet med en decimal, till exempel {}.",
                crate::text::decimal(v, 3),
                crate::text::decimal((v * scale).round() / scale, 1)
            )
        });
    }
    Ok(if whole {
        v
    } else {
        (v * scale).round() / scale
    })
}

/// The longest comment or description kept; a longer one is cut here, so
/// that it is kept whole nowhere.
pub const MAX_TEXT_CHARS: usize = 2000;

/// A comment or description as it may be kept. One that holds a direct
/// identifier is dropped here, before the cache, a page or an output could
/// keep it, and is an error on its cell; its text is never quoted. One
/// longer than [`MAX_TEXT_CHARS`] is cut, with a warning.
fn free_text(text: Option<&String>, what: &str) -> (Option<String>, Option<(Severity, String)>) {
    let Some(text) = text else {
        return (None, None);
    };
    if let Some(found) = super::anonymity::scan(text) {
        return (
            None,
            Some((
                Severity::Error,
                format!(
                    "{what} innehåller något som liknar {}. Uppföljningen får inte innehålla personuppgifter, så {what} har inte tagits med. Ta bort personuppgiften ur {what} och skicka filen igen.",
                    found.swedish(),
                    what = what
                ),
            )),
        );
    }
    let chars = text.chars().count();
    if chars <= MAX_TEXT_CHARS {
        return (Some(text.clone()), None);
    }
    let cut: String = text.chars().take(MAX_TEXT_CHARS).collect();
    (
        Some(format!("{cut}…")),
        Some((
            Severity::Warning,
            format!(
                "{what} är {} tecken lång; bara de första {} tas med. Korta den.",
                crate::text::number(chars as f64),
                crate::text::number(MAX_TEXT_CHARS as f64)
            ),
        )),
    )
}

fn judge_values(p: &Pipeline, b: &ReturnWorkbook, out: &mut Outcome) {
    let sheet = layout::SHEET_INDICATORS.to_string();
    for v in &b.values {
        let Some(ind) = p.indicator(&v.indicator_id) else {
            continue;
        };
        let about = about_indicator(ind, &v.label);
        let finding = |severity, cell: &str, message: String| Finding {
            severity,
            file: b.file.clone(),
            sheet: Some(sheet.clone()),
            cell: Some(cell.to_string()),
            about: Some(about.clone()),
            message,
            subject: Subject {
                unit_id: Some(b.unit_id.clone()),
                year: Some(b.year),
                indicator_id: Some(v.indicator_id.clone()),
                breakdown: Some(v.key.breakdown.clone()),
                group: Some(v.key.group.clone()),
            },
        };
        let (comment, doubt) = free_text(v.comment.as_ref(), "kommentaren");
        if let Some((severity, m)) = doubt {
            out.findings.push(finding(severity, &v.comment_cell, m));
        }
        let num = match count(&v.value, p.returns.max_count, ind.decimals) {
            Ok(n) => n,
            Err(m) => {
                out.findings
                    .push(finding(Severity::Error, &v.value_cell, m));
                continue;
            }
        };
        let den = match &v.denominator {
            Some((input, cell)) => match count(input, p.returns.max_count, ind.decimals) {
                Ok(d) => d,
                Err(m) => {
                    out.findings.push(finding(Severity::Error, cell, m));
                    continue;
                }
            },
            None => None,
        };
        let problem = share_problem(v, num, den).or_else(|| bounds_problem(ind, v, num));
        if let Some((cell, message)) = problem {
            out.findings.push(finding(Severity::Error, &cell, message));
            continue;
        }
        if num.is_none() && ind.required {
            out.findings.push(finding(
                Severity::Warning,
                &v.value_cell,
                "inte ifyllt; redovisas som saknat. Skriv 0 om det var noll under året; lämna tomt bara om uppgiften saknas.".into(),
            ));
        }
        let (value, numerator, denominator) = if v.is_share {
            let value = match (num, den) {
                (Some(n), Some(d)) if d > 0.0 => Some(n / d),
                _ => None,
            };
            (value, num, den)
        } else {
            (num, None, None)
        };
        out.values.push(Value {
            unit_id: b.unit_id.clone(),
            year: b.year,
            indicator_id: v.indicator_id.clone(),
            key: v.key.clone(),
            value,
            numerator,
            denominator,
            comment,
            file: b.file.clone(),
            sheet: sheet.clone(),
            cell: v.value_cell.clone(),
        });
    }
}

/// What an accepted value concerns, as [`about_indicator`] says it.
pub fn about_value(p: &Pipeline, v: &Value) -> String {
    match p.indicator(&v.indicator_id) {
        Some(ind) => about_indicator(ind, &p.group_label(&v.key).1),
        None => v.indicator_id.clone(),
    }
}

/// What a value's cell concerns: the indicator's id and title, and its group.
pub(super) fn about_indicator(ind: &Indicator, group_label: &str) -> String {
    format!("{} ”{}”, {group_label}", ind.id, ind.title)
}

/// A share whose täljare is above its nämnare, or has one without the
/// other: the cell to point at, and what to say.
fn share_problem(v: &RawValue, num: Option<f64>, den: Option<f64>) -> Option<(String, String)> {
    if !v.is_share {
        return None;
    }
    let den_cell = v
        .denominator
        .as_ref()
        .map(|(_, c)| c.as_str())
        .unwrap_or("");
    match (num, den) {
        (Some(n), Some(d)) if n > d => Some((
            v.value_cell.clone(),
            format!(
                "täljaren ({}) är större än nämnaren ({} i {den_cell}). Täljaren är de av nämnarens personer som uppfyller villkoret; rätta någon av dem.",
                crate::text::number(n),
                crate::text::number(d)
            ),
        )),
        (Some(_), None) => Some((
            den_cell.to_string(),
            "täljaren är ifylld men nämnaren saknas. Fyll i båda, eller lämna båda tomma om uppgiften saknas.".to_string(),
        )),
        (None, Some(_)) => Some((
            v.value_cell.clone(),
            "nämnaren är ifylld men täljaren saknas. Fyll i båda, eller lämna båda tomma om uppgiften saknas.".to_string(),
        )),
        _ => None,
    }
}

/// A count outside the indicator's bounds.
fn bounds_problem(ind: &Indicator, v: &RawValue, num: Option<f64>) -> Option<(String, String)> {
    let (Some(bounds), Some(n)) = (ind.bounds, num) else {
        return None;
    };
    let low = bounds.min.is_some_and(|m| n < m);
    let high = bounds.max.is_some_and(|m| n > m);
    if v.is_share || !(low || high) {
        return None;
    }
    let range = match (bounds.min, bounds.max) {
        (Some(a), Some(b)) => format!(
            "mellan {} och {}",
            crate::text::number(a),
            crate::text::number(b)
        ),
        (Some(a), None) => format!("minst {}", crate::text::number(a)),
        (None, Some(b)) => format!("högst {}", crate::text::number(b)),
        (None, None) => String::new(),
    };
    Some((
        v.value_cell.clone(),
        format!(
            "{} är orimligt; värdet ska vara {range}. Kontrollera siffran.",
            crate::text::number(n)
        ),
    ))
}

fn judge_activities(p: &Pipeline, b: &ReturnWorkbook, out: &mut Outcome) {
    let sheet = layout::SHEET_ACTIVITIES.to_string();
    for a in &b.activities {
        let about = match p.measure(&a.measure_id) {
            Some(m) => format!("åtgärd {} ”{}”", m.id, crate::text::excerpt(&m.text)),
            None => format!("åtgärd {}", a.measure_id),
        };
        let mut invalid = |v: &String, cell: &String, what: &str, allowed: &[&str]| {
            out.findings.push(Finding {
                severity: Severity::Error,
                file: b.file.clone(),
                sheet: Some(sheet.clone()),
                cell: Some(cell.clone()),
                about: Some(about.clone()),
                message: format!(
                    "\"{}\" är ingen giltig {what}. Välj {} i listan.",
                    crate::text::excerpt(v),
                    allowed.join(", ")
                ),
                subject: Subject::of_return(&b.unit_id, b.year),
            });
        };
        let status = a.status.as_ref().and_then(|v| {
            let s = Status::parse(v);
            if s.is_none() {
                invalid(v, &a.status_cell, "status", &layout::STATUSES);
            }
            s
        });
        let assessment = a.assessment.as_ref().and_then(|v| {
            let s = Assessment::parse(v);
            if s.is_none() {
                invalid(v, &a.assessment_cell, "bedömning", &layout::ASSESSMENTS);
            }
            s
        });
        let (description, doubt) = free_text(a.description.as_ref(), "beskrivningen");
        if let Some((severity, message)) = doubt {
            out.findings.push(Finding {
                severity,
                file: b.file.clone(),
                sheet: Some(sheet.clone()),
                cell: Some(a.description_cell.clone()),
                about: Some(about.clone()),
                message,
                subject: Subject::of_return(&b.unit_id, b.year),
            });
        }
        if a.status.is_none() {
            out.findings.push(Finding {
                severity: Severity::Warning,
                file: b.file.clone(),
                sheet: Some(sheet.clone()),
                cell: Some(a.status_cell.clone()),
                about: Some(about.clone()),
                message: "status är inte ifylld och redovisas som saknad. Välj Ej påbörjad, Påbörjad eller Genomförd i listan.".into(),
                subject: Subject::of_return(&b.unit_id, b.year),
            });
        }
        out.activities.push(Activity {
            unit_id: b.unit_id.clone(),
            year: b.year,
            measure_id: a.measure_id.clone(),
            status,
            assessment,
            description,
            file: b.file.clone(),
            sheet: sheet.clone(),
            cell: a.status_cell.clone(),
        });
    }
}

/// Warns where a value changed sharply from the same unit's previous year.
impl Outcome {
    /// The tidy table of accepted values: one row per cell that came in.
    pub fn values_frame(&self) -> PolarsResult<DataFrame> {
        let v = &self.values;
        df!(
            "unit_id" => v.iter().map(|x| x.unit_id.as_str()).collect::<Vec<_>>(),
            "year" => v.iter().map(|x| x.year).collect::<Vec<_>>(),
            "indicator_id" => v.iter().map(|x| x.indicator_id.as_str()).collect::<Vec<_>>(),
            "breakdown" => v.iter().map(|x| x.key.breakdown.as_str()).collect::<Vec<_>>(),
            "group" => v.iter().map(|x| x.key.group.as_str()).collect::<Vec<_>>(),
            "value" => v.iter().map(|x| x.value).collect::<Vec<_>>(),
            "numerator" => v.iter().map(|x| x.numerator).collect::<Vec<_>>(),
            "denominator" => v.iter().map(|x| x.denominator).collect::<Vec<_>>(),
            "comment" => v.iter().map(|x| x.comment.as_deref()).collect::<Vec<_>>(),
            "file" => v.iter().map(|x| x.file.as_str()).collect::<Vec<_>>(),
            "sheet" => v.iter().map(|x| x.sheet.as_str()).collect::<Vec<_>>(),
            "cell" => v.iter().map(|x| x.cell.as_str()).collect::<Vec<_>>(),
        )
    }

    /// The tidy table of the measures' status, assessment and description.
    pub fn activities_frame(&self) -> PolarsResult<DataFrame> {
        let a = &self.activities;
        df!(
            "unit_id" => a.iter().map(|x| x.unit_id.as_str()).collect::<Vec<_>>(),
            "year" => a.iter().map(|x| x.year).collect::<Vec<_>>(),
            "measure_id" => a.iter().map(|x| x.measure_id.as_str()).collect::<Vec<_>>(),
            "status" => a.iter().map(|x| x.status.map(Status::label)).collect::<Vec<_>>(),
            "assessment" => a.iter().map(|x| x.assessment.map(Assessment::label)).collect::<Vec<_>>(),
            "description" => a.iter().map(|x| x.description.as_deref()).collect::<Vec<_>>(),
            "file" => a.iter().map(|x| x.file.as_str()).collect::<Vec<_>>(),
            "sheet" => a.iter().map(|x| x.sheet.as_str()).collect::<Vec<_>>(),
            "cell" => a.iter().map(|x| x.cell.as_str()).collect::<Vec<_>>(),
        )
    }
}
