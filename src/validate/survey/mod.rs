//! Survey files: the anonymity gate first, then the year's codebook (columns,
//! answer codes, weights), then k-anonymity over the quasi-identifiers. What
//! passes is a table of respondents in the codebook's terms.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::anonymity::{self, Found, Hit};
use super::{Finding, Severity};
use crate::ingest::Refusal;
use crate::ingest::survey::{self as ingest, SurveyTable};
use crate::pipeline::{Codebook, Pipeline, Survey};

mod codebook;
mod weights;

use codebook::{Applied, Unknown, apply_codebook};
use weights::check_weights;

/// The column of the respondents table that holds each respondent's weight.
pub const WEIGHT: &str = "_vikt";
/// The value a coarsened variable takes.
pub const WHOLE_CITY: &str = "hela staden";

/// One year's respondents, in the codebook's variables; every column holds
/// answer codes (null for a missing answer) that [`Answers`] turns into text,
/// but [`WEIGHT`], which is a number.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Respondents {
    pub year: i32,
    pub file: String,
    pub path: PathBuf,
    pub sha256: String,
    /// Never kept in the cache: only what was computed from it is.
    #[serde(skip)]
    pub frame: DataFrame,
    #[serde(skip)]
    pub answers: Answers,
    /// How many respondents the file held; stays when a run lets `frame` go.
    pub rows: usize,
    pub weighted: bool,
    /// The smallest group over the quasi-identifiers, after any coarsening.
    pub smallest_group: usize,
    pub coarsened: bool,
}

#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Outcome {
    pub respondents: Vec<Respondents>,
    pub findings: Vec<Finding>,
    pub refused: Vec<String>,
}

/// What each answer code of each variable stands for. Answers are held as
/// small integers rather than text: filters and groupings over a million
/// respondents compare four bytes instead of strings, and the frame is a
/// quarter of the size.
#[derive(Clone, Debug, Default)]
pub struct Answers(BTreeMap<String, Vec<String>>);

impl Answers {
    /// The codes of `values` in `variable`; values no respondent gave have none.
    pub fn codes(&self, variable: &str, values: &[String]) -> Vec<u32> {
        let Some(answers) = self.0.get(variable) else {
            return Vec::new();
        };
        values
            .iter()
            .filter_map(|v| answers.iter().position(|a| a == v))
            .map(|i| i as u32)
            .collect()
    }

    /// Every text column of `frame` as codes, in the order of the sorted
    /// distinct answers (so the same answers get the same codes every run).
    pub fn encode(frame: DataFrame) -> PolarsResult<(DataFrame, Answers)> {
        let mut answers = Answers::default();
        let mut columns = Vec::new();
        for c in frame.columns() {
            if c.dtype() != &DataType::String {
                columns.push(c.clone());
                continue;
            }
            let name = c.name().to_string();
            let distinct: Vec<String> = c
                .str()?
                .iter()
                .flatten()
                .map(str::to_string)
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            let codes: Vec<Option<u32>> = c
                .str()?
                .iter()
                .map(|v| {
                    v.and_then(|v| distinct.iter().position(|d| d == v))
                        .map(|i| i as u32)
                })
                .collect();
            columns.push(Column::new(name.as_str().into(), codes));
            answers.0.insert(name, distinct);
        }
        Ok((DataFrame::new_infer_height(columns)?, answers))
    }
}

/// Which year a survey file holds: the year the user named, the pipeline's
/// listing of the file, or a year in its name.
pub fn year_of(p: &Pipeline, path: &Path, year: Option<i32>) -> Option<i32> {
    if year.is_some() {
        return year;
    }
    let survey = p.survey.as_ref()?;
    let canonical = path.canonicalize().ok();
    for f in &survey.files {
        let listed = p.resolve(&f.path);
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
pub fn validate_files(p: &Pipeline, files: &[PathBuf], year: Option<i32>) -> Outcome {
    let each: Vec<(PathBuf, Option<i32>)> = files.iter().map(|f| (f.clone(), year)).collect();
    validate_each(p, &each)
}

/// Reads and checks survey files, each with the year it holds if known.
pub fn validate_each(p: &Pipeline, files: &[(PathBuf, Option<i32>)]) -> Outcome {
    let mut out = Outcome::default();
    let Some(survey) = &p.survey else {
        for (f, _) in files {
            out.refused.push(f.display().to_string());
            out.findings.push(Finding::file(
                Severity::Error,
                f.display().to_string(),
                "pipelinefilen har ingen [survey]-del, så enkätfiler kan inte läsas. Lägg till en [survey]-del med kodbok i pipelinefilen, eller ange bara återrapporteringar.",
            ));
        }
        return out;
    };
    // Files are read and checked in parallel; their results keep the files' order.
    use rayon::prelude::*;
    let checked: Vec<(Result<Respondents, Refusal>, Vec<Finding>)> = crate::pool::install(|| {
        files
            .par_iter()
            .map(|(f, year)| {
                let mut findings = Vec::new();
                let r = check_file(p, survey, f, *year, &mut findings);
                (r, findings)
            })
            .collect()
    });
    for (r, findings) in checked {
        out.findings.extend(findings);
        match r {
            Ok(r) => out.respondents.push(r),
            Err(r) => {
                out.refused.push(r.file.clone());
                out.findings
                    .push(Finding::file(Severity::Error, &r.file, r.message));
            }
        }
    }
    out
}

/// The year, the codebook and then [`check`] for one file.
fn check_file(
    p: &Pipeline,
    survey: &Survey,
    f: &Path,
    year: Option<i32>,
    findings: &mut Vec<Finding>,
) -> Result<Respondents, Refusal> {
    let file = f.display().to_string();
    let Some(y) = year_of(p, f, year) else {
        return Err(Refusal::file(
            &file,
            "det går inte att avgöra vilket år filen gäller (den står inte under [[survey.files]] och namnet har inget enkätår). Ange året med --year.",
        ));
    };
    let Some(codebook) = survey
        .files
        .iter()
        .find(|sf| sf.year == y)
        .and_then(|sf| survey.codebook(&sf.codebook))
    else {
        return Err(Refusal::file(
            &file,
            format!(
                "pipelinefilen har ingen kodbok för enkäten {y}; lägg till den under [[survey.files]]."
            ),
        ));
    };
    let columns: Vec<&str> = declared_columns(codebook).collect();
    crate::ingest::guarded(&file, || {
        ingest::read(f, survey.max_bytes, &columns)
            .and_then(|t| check(survey, codebook, t, y, findings))
    })
}

/// The columns a codebook reads: its variables and its weight.
fn declared_columns(codebook: &Codebook) -> impl Iterator<Item = &str> {
    codebook
        .variables
        .iter()
        .map(|v| v.column.as_str())
        .chain(codebook.weight.as_deref())
}

/// What the gate found, by column position: a header may itself be the
/// identifier, so a file's header is never quoted. A column the codebook
/// declares is named too, in the codebook's spelling (the pipeline's words).
fn gate_message(hits: &[Hit], declared: &dyn Fn(usize) -> Option<String>) -> String {
    let parts: Vec<String> = hits
        .iter()
        .map(|h| {
            let column = match declared(h.column) {
                Some(name) => format!("\"{name}\" (nr {} räknat från vänster)", h.column),
                None => format!("{} (räknat från vänster)", h.column),
            };
            match h.found {
                Found::HeaderName => format!(
                    "kolumn {column} har en rubrik som tyder på direkta personuppgifter"
                ),
                Found::HeaderValue(kind) => format!(
                    "rubriken i kolumn {} ser ut som {}; filen saknar kanske rubrikrad",
                    h.column,
                    kind.swedish()
                ),
                Found::Values(kind, rows) => format!(
                    "kolumn {column} innehåller något som ser ut som {} på {rows} {}",
                    kind.swedish(),
                    crate::text::rows(rows)
                ),
                Found::Nested => format!(
                    "kolumn {column} har en sammansatt typ (lista, post eller binärdata) som en enkätexport inte har och som inte kan granskas"
                ),
                Found::AboveHeader(kind) => format!(
                    "raderna ovanför rubrikraden innehåller något som ser ut som {}",
                    kind.swedish()
                ),
            }
        })
        .collect();
    format!(
        "{}. Enkäten får bara innehålla anonyma svar, så hela filen avvisas och inget värde från den används. Ta bort uppgifterna ur exporten och skicka den igen.",
        crate::text::capitalize(&parts.join("; "))
    )
}

/// Gate, codebook and k-anonymity for one file.
fn check(
    survey: &Survey,
    codebook: &Codebook,
    t: SurveyTable,
    year: i32,
    findings: &mut Vec<Finding>,
) -> Result<Respondents, Refusal> {
    gate(&t, codebook)?;
    let headers = Headers::of(&t.frame);
    missing_columns(codebook, &headers, &t, year)?;
    let SurveyTable {
        file,
        path,
        sha256,
        frame: raw,
        format,
        ..
    } = t;
    // The file's own columns are let go once the codebook has been applied.
    let Applied {
        mut frame,
        mut answers,
        unknown,
        weight_header,
        flaws,
    } = apply_codebook(survey, codebook, &headers, raw, &file)?;
    unknown_code_warnings(codebook, &file, &unknown, findings);
    if let Some(header) = &weight_header {
        check_weights(&frame, header, &flaws, &file)?;
    }
    let (smallest, coarsened) = k_anonymity(survey, &mut frame, &mut answers, &file, findings)?;
    findings.push(Finding::file(
        Severity::Info,
        file.clone(),
        format!(
            "{} svar {year} ({}); minsta gruppen över {} har {smallest} svarande (k = {}){}.",
            frame.height(),
            format,
            survey.quasi_identifiers.join(", "),
            survey.k_anonymity,
            if coarsened {
                ", efter sammanslagning"
            } else {
                ""
            }
        ),
    ));
    Ok(Respondents {
        year,
        file,
        path,
        sha256,
        rows: frame.height(),
        frame,
        answers,
        weighted: codebook.weight.is_some(),
        smallest_group: smallest,
        coarsened,
    })
}

/// The anonymity gate: a file with a direct identifier is refused whole,
/// and the message names columns, never a value.
fn gate(t: &SurveyTable, codebook: &Codebook) -> Result<(), Refusal> {
    // polars' own errors may quote cells, so none of it is passed on.
    let hits = anonymity::gate(&t.frame).map_err(|_| {
        Refusal::file(
            &t.file,
            "kolumnerna går inte att granska som text, så filen avvisas. Exportera enkätsvaren som CSV.",
        )
    })?;
    let mut hits = hits;
    if let Some(kind) = t.above_header.iter().find_map(|c| anonymity::scan(c)) {
        hits.insert(
            0,
            Hit {
                column: 0,
                found: Found::AboveHeader(kind),
            },
        );
    }
    if hits.is_empty() {
        Ok(())
    } else {
        let headers = Headers::of(&t.frame);
        let declared = |column: usize| {
            let header = headers.0.get(column.checked_sub(1)?)?;
            declared_columns(codebook)
                .find(|c| Headers::names(header, c))
                .map(str::to_string)
        };
        Err(Refusal::file(&t.file, gate_message(&hits, &declared)))
    }
}

/// A file's column headers, found as the codebook names them: trimmed and
/// whatever their case.
struct Headers(Vec<String>);

impl Headers {
    fn of(frame: &DataFrame) -> Headers {
        Headers(
            frame
                .get_column_names()
                .iter()
                .map(|n| n.to_string())
                .collect(),
        )
    }

    fn find(&self, column: &str) -> Option<String> {
        self.0.iter().find(|h| Self::names(h, column)).cloned()
    }

    /// Whether a file's `header` is the codebook's `column`.
    fn names(header: &str, column: &str) -> bool {
        header.trim().eq_ignore_ascii_case(column.trim())
            || header.trim().to_lowercase() == column.trim().to_lowercase()
    }
}

/// Refuses a file that lacks a column the codebook names.
fn missing_columns(
    codebook: &Codebook,
    headers: &Headers,
    t: &SurveyTable,
    year: i32,
) -> Result<(), Refusal> {
    let mut missing: Vec<String> = codebook
        .variables
        .iter()
        .filter(|v| headers.find(&v.column).is_none())
        .map(|v| format!("\"{}\"", v.column))
        .collect();
    if let Some(w) = &codebook.weight
        && headers.find(w).is_none()
    {
        missing.push(format!("\"{w}\" (vikt)"));
    }
    if missing.is_empty() {
        return Ok(());
    }
    Err(Refusal::file(
        &t.file,
        format!(
            "kodboken \"{}\" för {year} väntar sig kolumnerna {}, men de finns inte bland filens {} kolumner. Kontrollera att det är rätt års export (och att den har en rubrikrad), eller rätta kodboken i pipelinefilen.",
            codebook.id,
            missing.join(", "),
            headers.0.len()
        ),
    ))
}

/// A failure inside polars while applying the codebook. Its own message may
/// quote cells, so it is not passed on.
fn not_computed(file: &str) -> Refusal {
    Refusal::file(
        file,
        "filen kunde inte läsas enligt kodboken (ett fel i tabellberäkningen), så inget värde från den används. Kontrollera att exporten har en rad per svarande och skicka den igen.",
    )
}

fn unknown_code_warnings(
    codebook: &Codebook,
    file: &str,
    unknown: &Unknown,
    findings: &mut Vec<Finding>,
) {
    for (header, unknown) in unknown {
        if *unknown > 0 {
            findings.push(Finding::file(
                Severity::Warning,
                file,
                format!(
                    "kolumnen \"{header}\" har svarskoder som inte finns i kodboken \"{}\" på {unknown} {}; de räknas som uteblivna svar. Rätta kodboken eller exporten.",
                    codebook.id,
                    crate::text::rows(*unknown)
                ),
            ));
        }
    }
}

/// k-anonymity over the quasi-identifiers: below k the pipeline's `coarsen`
/// variable is coarsened to the whole city, or the file is refused. Returns
/// the smallest group after any coarsening, and whether there was one.
/// Respondents who did not give a quasi-identifier are left out of the
/// groups: a missing value singles no one out.
fn k_anonymity(
    survey: &Survey,
    frame: &mut DataFrame,
    answers: &mut Answers,
    file: &str,
    findings: &mut Vec<Finding>,
) -> Result<(usize, bool), Refusal> {
    let smallest = smallest_group(frame, &survey.quasi_identifiers);
    let k = survey.k_anonymity as usize;
    if smallest >= k {
        return Ok((smallest, false));
    }
    let qi = survey.quasi_identifiers.join(", ");
    let Some(var) = &survey.coarsen else {
        return Err(Refusal::file(
            file,
            format!(
                "den minsta gruppen över {qi} har bara {smallest} svarande, färre än k = {k}. Filen avvisas så att ingen kan pekas ut. Ange i pipelinefilen en variabel som får slås ihop till hela staden (coarsen under [survey]), eller be om en export där de minsta grupperna redan är sammanslagna."
            ),
        ));
    };
    let replaced = Column::new(var.as_str().into(), vec![0u32; frame.height()]);
    frame
        .with_column(replaced)
        .map_err(|_| not_computed(file))?;
    answers.0.insert(var.clone(), vec![WHOLE_CITY.to_string()]);
    let after = smallest_group(frame, &survey.quasi_identifiers);
    if after < k {
        return Err(Refusal::file(
            file,
            format!(
                "den minsta gruppen över {qi} har bara {after} svarande även sedan {var} slagits ihop till hela staden, färre än k = {k}. Filen avvisas så att ingen kan pekas ut. Be om en export där de minsta grupperna är sammanslagna, eller ta bort en av variablerna ur quasi_identifiers om den inte behövs."
            ),
        ));
    }
    findings.push(Finding::file(
        Severity::Warning,
        file,
        format!(
            "den minsta gruppen över {qi} hade bara {smallest} svarande, färre än k = {k}; {var} har slagits ihop till hela staden, och då är den minsta gruppen {after}."
        ),
    ));
    Ok((after, true))
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
