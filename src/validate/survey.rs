//! Survey files: the anonymity gate first, then the year's codebook (columns,
//! answer codes, weights), then k-anonymity over the quasi-identifiers. What
//! passes is a table of respondents in the codebook's terms.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::anonymity::{self, Hit};
use super::{Finding, Severity};
use crate::ingest::survey::{self as ingest, SurveyTable};
use crate::pipeline::{Codebook, Pipeline, Survey};

/// The column of the respondents table that holds each respondent's weight.
pub const WEIGHT: &str = "_vikt";
/// The value a coarsened variable takes.
pub const WHOLE_CITY: &str = "hela staden";

/// One year's respondents, in the codebook's variables; every column is text
/// (null for a missing answer), but [`WEIGHT`], which is a number.
#[derive(Clone, Debug)]
pub struct Respondents {
    pub year: i32,
    pub file: String,
    pub path: PathBuf,
    pub sha256: String,
    pub frame: DataFrame,
    pub weighted: bool,
    /// The smallest group over the quasi-identifiers, after any coarsening.
    pub smallest_group: usize,
    pub coarsened: bool,
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub respondents: Vec<Respondents>,
    pub findings: Vec<Finding>,
    pub refused: Vec<String>,
}

fn finding(severity: Severity, file: &str, message: String) -> Finding {
    Finding {
        severity,
        file: file.to_string(),
        sheet: None,
        cell: None,
        message,
    }
}

/// Which year a survey file holds: the year the user named, the pipeline's
/// listing of the file, or a year in its name.
pub fn year_of(p: &Pipeline, base: &Path, path: &Path, year: Option<i32>) -> Option<i32> {
    if year.is_some() {
        return year;
    }
    let survey = p.survey.as_ref()?;
    let canonical = path.canonicalize().ok();
    for f in &survey.files {
        let listed = p.resolve(base, &f.path);
        if listed
            .canonicalize()
            .ok()
            .is_some_and(|l| Some(l) == canonical)
        {
            return Some(f.year);
        }
    }
    let name = path.file_stem()?.to_str()?;
    name.as_bytes()
        .windows(4)
        .filter_map(|w| std::str::from_utf8(w).ok()?.parse::<i32>().ok())
        .find(|y| p.strategy.period.contains(*y) && survey.files.iter().any(|f| f.year == *y))
}

/// Reads and checks survey files; one refused file never stops the others.
pub fn validate_files(p: &Pipeline, base: &Path, files: &[PathBuf], year: Option<i32>) -> Outcome {
    let mut out = Outcome::default();
    let Some(survey) = &p.survey else {
        for f in files {
            out.refused.push(f.display().to_string());
            out.findings.push(finding(
                Severity::Error,
                &f.display().to_string(),
                "pipelinefilen har ingen [survey]-del, så enkätfiler kan inte läsas.".into(),
            ));
        }
        return out;
    };
    for f in files {
        let file = f.display().to_string();
        let Some(y) = year_of(p, base, f, year) else {
            out.refused.push(file.clone());
            out.findings.push(finding(
                Severity::Error,
                &file,
                "det går inte att avgöra vilket år filen gäller (den står inte under [[survey.files]] och namnet har inget enkätår). Ange året med --year.".into(),
            ));
            continue;
        };
        let Some(codebook) = survey
            .files
            .iter()
            .find(|sf| sf.year == y)
            .and_then(|sf| survey.codebook(&sf.codebook))
        else {
            out.refused.push(file.clone());
            out.findings.push(finding(
                Severity::Error,
                &file,
                format!("pipelinefilen har ingen kodbok för enkäten {y}; lägg till den under [[survey.files]]."),
            ));
            continue;
        };
        match ingest::read(f).and_then(|t| check(survey, codebook, t, y, &mut out.findings)) {
            Ok(r) => out.respondents.push(r),
            Err(r) => {
                out.refused.push(r.file.clone());
                out.findings
                    .push(finding(Severity::Error, &r.file, r.message));
            }
        }
    }
    out
}

type Refusal = crate::ingest::returns::Refusal;

fn refuse(file: &str, message: String) -> Refusal {
    Refusal {
        file: file.to_string(),
        sheet: None,
        cell: None,
        message,
    }
}

fn gate_message(hits: &[Hit]) -> String {
    let parts: Vec<String> = hits
        .iter()
        .map(|h| match h.found {
            None => format!(
                "kolumnen \"{}\" har ett namn som tyder på direkta personuppgifter",
                h.column
            ),
            Some(kind) => format!(
                "kolumnen \"{}\" innehåller något som ser ut som {} på {} {}",
                h.column,
                kind.swedish(),
                h.rows,
                if h.rows == 1 { "rad" } else { "rader" }
            ),
        })
        .collect();
    format!(
        "{}. Enkäten får bara innehålla anonyma svar, så hela filen avvisas och inget värde från den används. Ta bort uppgifterna ur exporten och skicka den igen.",
        capitalize(&parts.join("; "))
    )
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// Gate, codebook and k-anonymity for one file.
fn check(
    survey: &Survey,
    codebook: &Codebook,
    t: SurveyTable,
    year: i32,
    findings: &mut Vec<Finding>,
) -> Result<Respondents, Refusal> {
    let file = t.file.clone();
    let hits = anonymity::gate(&t.frame);
    if !hits.is_empty() {
        return Err(refuse(&file, gate_message(&hits)));
    }
    let headers: Vec<String> = t
        .frame
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    let find = |column: &str| {
        headers
            .iter()
            .find(|h| {
                h.trim().eq_ignore_ascii_case(column.trim())
                    || h.trim().to_lowercase() == column.trim().to_lowercase()
            })
            .cloned()
    };
    let mut missing_columns: Vec<String> = codebook
        .variables
        .iter()
        .filter(|v| find(&v.column).is_none())
        .map(|v| format!("\"{}\"", v.column))
        .collect();
    if let Some(w) = &codebook.weight
        && find(w).is_none()
    {
        missing_columns.push(format!("\"{w}\" (vikt)"));
    }
    if !missing_columns.is_empty() {
        return Err(refuse(
            &file,
            format!(
                "kodboken \"{}\" för {year} väntar sig kolumnerna {}, men de finns inte i filen. Filens kolumner är: {}. Kontrollera att det är rätt års export, eller rätta kodboken i pipelinefilen.",
                codebook.id,
                missing_columns.join(", "),
                headers
                    .iter()
                    .map(|h| format!("\"{h}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }

    let rows = t.frame.height();
    let mut columns: Vec<Column> = Vec::new();
    for v in &codebook.variables {
        let Some(header) = find(&v.column) else {
            continue;
        };
        let col = t
            .frame
            .column(&header)
            .and_then(|c| c.str().cloned())
            .map_err(|e| refuse(&file, e.to_string()))?;
        let lookup: HashMap<String, &str> = v
            .codes
            .iter()
            .map(|(code, value)| (code.trim().to_lowercase(), value.as_str()))
            .collect();
        let mut unknown = 0usize;
        let values: Vec<Option<String>> = col
            .iter()
            .map(|cell| {
                let raw = cell?.trim();
                if raw.is_empty() {
                    return None;
                }
                let value = if lookup.is_empty() {
                    raw.to_string()
                } else {
                    match lookup.get(&raw.to_lowercase()) {
                        Some(v) => v.to_string(),
                        None => {
                            unknown += 1;
                            return None;
                        }
                    }
                };
                (!survey.is_missing(&value)).then_some(value)
            })
            .collect();
        if unknown > 0 {
            findings.push(finding(
                Severity::Warning,
                &file,
                format!(
                    "kolumnen \"{header}\" har svarskoder som inte finns i kodboken \"{}\" på {unknown} {}; de räknas som uteblivna svar. Rätta kodboken eller exporten.",
                    codebook.id,
                    if unknown == 1 { "rad" } else { "rader" }
                ),
            ));
        }
        columns.push(Column::new(v.name.as_str().into(), values));
    }

    let weights: Vec<f64> = match &codebook.weight {
        None => vec![1.0; rows],
        Some(w) => {
            let header = find(w).unwrap_or_default();
            let col = t
                .frame
                .column(&header)
                .and_then(|c| c.str().cloned())
                .map_err(|e| refuse(&file, e.to_string()))?;
            let (mut text, mut negative, mut blank) = (0usize, 0usize, 0usize);
            let values: Vec<f64> = col
                .iter()
                .map(|cell| match cell.map(|c| c.trim()) {
                    None | Some("") => {
                        blank += 1;
                        0.0
                    }
                    Some(c) => match crate::ingest::cell::parse_decimal(c) {
                        Some(v) if v < 0.0 => {
                            negative += 1;
                            0.0
                        }
                        Some(v) => v,
                        None => {
                            text += 1;
                            0.0
                        }
                    },
                })
                .collect();
            if text + negative + blank > 0 {
                let mut what = Vec::new();
                if text > 0 {
                    what.push(format!(
                        "text som inte är ett tal på {text} {}",
                        rows_word(text)
                    ));
                }
                if negative > 0 {
                    what.push(format!(
                        "negativa vikter på {negative} {}",
                        rows_word(negative)
                    ));
                }
                if blank > 0 {
                    what.push(format!("tomma vikter på {blank} {}", rows_word(blank)));
                }
                return Err(refuse(
                    &file,
                    format!(
                        "viktkolumnen \"{header}\" har {}. Varje svar behöver en vikt som är ett tal, 0 eller större; rätta exporten och skicka den igen.",
                        what.join(" och ")
                    ),
                ));
            }
            values
        }
    };
    columns.push(Column::new(WEIGHT.into(), weights));
    let mut frame =
        DataFrame::new_infer_height(columns).map_err(|e| refuse(&file, e.to_string()))?;

    // k-anonymity over the quasi-identifiers. Respondents who did not give a
    // quasi-identifier are left out of the groups: a missing value singles no
    // one out.
    let smallest = smallest_group(&frame, &survey.quasi_identifiers);
    let k = survey.k_anonymity as usize;
    let mut coarsened = false;
    let mut smallest_after = smallest;
    if smallest < k {
        match &survey.coarsen {
            Some(var) => {
                let replaced =
                    Column::new(var.as_str().into(), vec![Some(WHOLE_CITY); frame.height()]);
                frame
                    .with_column(replaced)
                    .map_err(|e| refuse(&file, e.to_string()))?;
                smallest_after = smallest_group(&frame, &survey.quasi_identifiers);
                if smallest_after < k {
                    return Err(refuse(
                        &file,
                        format!(
                            "den minsta gruppen över {} har bara {smallest_after} svarande även sedan {var} slagits ihop till hela staden, färre än k = {k}. Filen avvisas så att ingen kan pekas ut.",
                            survey.quasi_identifiers.join(", "),
                        ),
                    ));
                }
                coarsened = true;
                findings.push(finding(
                    Severity::Warning,
                    &file,
                    format!(
                        "den minsta gruppen över {} hade bara {smallest} svarande, färre än k = {k}; {var} har slagits ihop till hela staden, och då är den minsta gruppen {smallest_after}.",
                        survey.quasi_identifiers.join(", ")
                    ),
                ));
            }
            None => {
                return Err(refuse(
                    &file,
                    format!(
                        "den minsta gruppen över {} har bara {smallest} svarande, färre än k = {k}. Filen avvisas så att ingen kan pekas ut.",
                        survey.quasi_identifiers.join(", ")
                    ),
                ));
            }
        }
    }
    findings.push(Finding {
        severity: Severity::Info,
        file: file.clone(),
        sheet: None,
        cell: None,
        message: format!(
            "{} svar {year} ({}); minsta gruppen över {} har {smallest_after} svarande (k = {k}){}.",
            frame.height(),
            t.format,
            survey.quasi_identifiers.join(", "),
            if coarsened { ", efter sammanslagning" } else { "" }
        ),
    });
    Ok(Respondents {
        year,
        file,
        path: t.path,
        sha256: t.sha256,
        frame,
        weighted: codebook.weight.is_some(),
        smallest_group: smallest_after,
        coarsened,
    })
}

fn rows_word(n: usize) -> &'static str {
    if n == 1 { "rad" } else { "rader" }
}

/// The size of the smallest group over `vars`, among respondents with all of them given.
pub fn smallest_group(frame: &DataFrame, vars: &[String]) -> usize {
    if vars.is_empty() {
        return frame.height();
    }
    let keys: Vec<Expr> = vars.iter().map(|v| col(v.as_str())).collect();
    let not_null = vars
        .iter()
        .map(|v| col(v.as_str()).is_not_null())
        .reduce(|a, b| a.and(b))
        .unwrap_or(lit(true));
    let counted = frame
        .clone()
        .lazy()
        .filter(not_null)
        .group_by(keys)
        .agg([len().alias("n")])
        .select([col("n").min()])
        .collect();
    counted
        .ok()
        .and_then(|df| {
            df.column("n")
                .ok()
                .and_then(|c| c.get(0).ok())
                .and_then(|v| v.extract::<u64>())
        })
        .map(|n| n as usize)
        .unwrap_or(0)
}
