//! Survey files: the anonymity gate first, then the year's codebook (columns,
//! answer codes, weights), then k-anonymity over the quasi-identifiers. What
//! passes is a table of respondents in the codebook's terms.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::anonymity::{self, Found, Hit};
use super::{Finding, Severity};
use crate::ingest::Refusal;
use crate::ingest::survey::{self as ingest, SurveyTable};
use crate::pipeline::{Codebook, CodebookVariable, Pipeline, Survey};

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

/// Rows per column with codes the codebook does not know.
type Unknown = Vec<(String, usize)>;

/// A file read in the codebook's terms.
struct Applied {
    frame: DataFrame,
    answers: Answers,
    unknown: Unknown,
    /// The file's weight column, if the codebook has one.
    weight_header: Option<String>,
    flaws: WeightFlaws,
}

/// The codebook and the weights as one polars query: each variable trimmed,
/// matched case-insensitively against its codes, answers that mean "no
/// answer" made null; beside them, flags that count what did not fit.
fn apply_codebook(
    survey: &Survey,
    codebook: &Codebook,
    headers: &Headers,
    raw: DataFrame,
    file: &str,
) -> Result<Applied, Refusal> {
    use rayon::prelude::*;
    let mut columns: Vec<Column> = Vec::new();
    let mut unknown_counts: Unknown = Vec::new();
    let mut answers = Answers::default();
    let found: Vec<(&CodebookVariable, String)> = codebook
        .variables
        .iter()
        .filter_map(|v| Some((v, headers.find(&v.column)?)))
        .collect();
    let weight_header = codebook
        .weight
        .as_ref()
        .map(|w| headers.find(w).unwrap_or_default());
    // Each variable and the weights are read on their own, side by side on
    // the run's pool.
    let (mapped, weighed) = crate::pool::install(|| {
        rayon::join(
            || -> Vec<_> {
                found
                    .par_iter()
                    .map(|(v, header)| map_variable(survey, v, &raw, header))
                    .collect()
            },
            || weight_header.as_ref().map(|h| weight(&raw, h)),
        )
    });
    for ((v, header), done) in found.into_iter().zip(mapped) {
        let (value, unknown, texts) = done.map_err(|_| not_computed(file))?;
        columns.push(value);
        unknown_counts.push((header, unknown));
        answers.0.insert(v.name.clone(), texts);
    }
    let (weight_column, flaws) = match weighed {
        None => (
            Column::new(WEIGHT.into(), vec![1.0; raw.height()]),
            WeightFlaws::default(),
        ),
        Some(done) => done.map_err(|_| not_computed(file))?,
    };
    columns.push(weight_column);
    let mut frame = DataFrame::new(raw.height(), columns).map_err(|_| not_computed(file))?;
    // One chunk per column: sums then add up in the same order whatever the
    // number of threads the reader split the file over, so that results are
    // byte-identical on every machine.
    frame.rechunk_mut_par();
    Ok(Applied {
        frame,
        answers,
        unknown: unknown_counts,
        weight_header,
        flaws,
    })
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

/// Refuses a file with a weight that is text, negative or blank.
fn check_weights(
    frame: &DataFrame,
    header: &str,
    flaws: &WeightFlaws,
    file: &str,
) -> Result<(), Refusal> {
    let WeightFlaws {
        text,
        negative,
        blank,
    } = *flaws;
    if text + negative + blank > 0 {
        let mut what = Vec::new();
        if text > 0 {
            what.push(format!(
                "text som inte är ett tal på {text} {}",
                crate::text::rows(text)
            ));
        }
        if negative > 0 {
            what.push(format!(
                "negativa vikter på {negative} {}",
                crate::text::rows(negative)
            ));
        }
        if blank > 0 {
            what.push(format!(
                "tomma vikter på {blank} {}",
                crate::text::rows(blank)
            ));
        }
        return Err(Refusal::file(
            file,
            format!(
                "viktkolumnen \"{header}\" har {}. Varje svar behöver en vikt som är ett tal, 0 eller större; rätta exporten och skicka den igen.",
                what.join(" och ")
            ),
        ));
    }
    weight_sizes(frame, header, file)
}

/// The largest weight a respondent may have: no survey weights anyone up a
/// million times, and sums of larger ones could overflow.
const MAX_WEIGHT: f64 = 1e6;

/// Refuses weights that are all zero (every share would be blank) or absurdly large.
fn weight_sizes(frame: &DataFrame, header: &str, file: &str) -> Result<(), Refusal> {
    let w = frame
        .column(WEIGHT)
        .ok()
        .and_then(|c| c.f64().ok().cloned())
        .ok_or_else(|| not_computed(file))?;
    let max = w.max().unwrap_or(0.0);
    if max == 0.0 {
        return Err(Refusal::file(
            file,
            format!(
                "viktkolumnen \"{header}\" har bara vikter som är 0, så inga andelar kan räknas. Kontrollera att rätt kolumn exporterades som vikt och skicka filen igen."
            ),
        ));
    }
    if max > MAX_WEIGHT {
        let n = w.iter().flatten().filter(|v| *v > MAX_WEIGHT).count();
        return Err(Refusal::file(
            file,
            format!(
                "viktkolumnen \"{header}\" har vikter större än {} på {n} {}, vilket ingen enkätvikt är. Rätta exporten och skicka den igen.",
                crate::text::thousands(MAX_WEIGHT as i64),
                crate::text::rows(n)
            ),
        ));
    }
    Ok(())
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

/// A codebook variable's answer codes as a column, how many rows hold a
/// code the codebook does not know, and what the codes stand for. Survey
/// columns hold few distinct answers, so each distinct answer is mapped
/// once (see [`meanings`]) and every row takes its answer's mapping.
fn map_variable(
    survey: &Survey,
    v: &CodebookVariable,
    frame: &DataFrame,
    header: &str,
) -> PolarsResult<(Column, usize, Vec<String>)> {
    if let Some(done) = map_small_integers(survey, v, frame.column(header)?)? {
        return Ok(done);
    }
    let counted = frame
        .clone()
        .lazy()
        .select([col(header)])
        .group_by([col(header)])
        .agg([len().alias("_n")])
        .drop_nulls(None)
        .sort([header], SortMultipleOptions::default())
        .collect()?;
    let distinct = counted.column(header)?.as_materialized_series().clone();
    let text = distinct.cast(&DataType::String)?;
    let counts = counted.column("_n")?.cast(&DataType::UInt64)?;
    let written = text
        .str()?
        .iter()
        .zip(counts.u64()?.iter())
        .map(|(raw, n)| (raw.unwrap_or("").to_string(), n.unwrap_or(0)));
    let (codes, unknown, answers) = meanings(survey, v, written);
    let expr = col(header).replace_strict(
        lit(distinct).implode(true),
        lit(Series::new("".into(), codes)).implode(true),
        Some(lit(NULL).cast(DataType::UInt32)),
        Some(DataType::UInt32),
    );
    let mapped = frame
        .clone()
        .lazy()
        .select([expr.alias(v.name.as_str())])
        .collect()?;
    Ok((mapped.column(&v.name)?.clone(), unknown, answers))
}

/// [`map_variable`] for a column of whole numbers in a narrow range (answer
/// codes read as numbers): counted and mapped through a table by value, in
/// Rust, many times faster than hashing every row. `None` for any other.
fn map_small_integers(
    survey: &Survey,
    v: &CodebookVariable,
    column: &Column,
) -> PolarsResult<Option<(Column, usize, Vec<String>)>> {
    if !column.dtype().is_integer() {
        return Ok(None);
    }
    let ints = column.cast(&DataType::Int64)?;
    let ints = ints.i64()?;
    let Some((min, max)) = crate::ingest::small_ints::int_range(ints) else {
        return Ok(None);
    };
    let Some(span) = max.checked_sub(min).filter(|s| *s < 1 << 16) else {
        return Ok(None);
    };
    let slot = |x: i64| (x - min) as usize;
    let mut counts = vec![0u64; span as usize + 1];
    for chunk in ints.downcast_iter() {
        for x in chunk.non_null_values_iter() {
            counts[slot(x)] += 1;
        }
    }
    let distinct: Vec<(i64, u64)> = (min..=max)
        .zip(&counts)
        .filter(|(_, n)| **n > 0)
        .map(|(x, n)| (x, *n))
        .collect();
    let written = distinct.iter().map(|(x, n)| (x.to_string(), *n));
    let (codes, unknown, answers) = meanings(survey, v, written);
    let mut table = vec![None; counts.len()];
    for ((x, _), code) in distinct.iter().zip(codes) {
        table[slot(*x)] = code;
    }
    let mapped: UInt32Chunked = ints
        .iter()
        .map(|x| x.and_then(|x| table[slot(x)]))
        .collect();
    Ok(Some((
        mapped.with_name(v.name.as_str().into()).into_column(),
        unknown,
        answers,
    )))
}

/// What each distinct answer, as written, stands for: trimmed, a blank made
/// none, matched case-insensitively against the codebook's codes (taken as
/// it is when the codebook lists none), none for a value that means no
/// answer. Returns each one's code (its place among the sorted meanings,
/// so the same answers get the same codes every run), how many rows held a
/// code the codebook does not know, and the sorted meanings.
fn meanings(
    survey: &Survey,
    v: &CodebookVariable,
    written: impl Iterator<Item = (String, u64)>,
) -> (Vec<Option<u32>>, usize, Vec<String>) {
    let codes: HashMap<String, &str> = v
        .codes
        .iter()
        .map(|(code, value)| (code.trim().to_lowercase(), value.as_str()))
        .collect();
    let mut unknown = 0usize;
    let mut mapped: Vec<Option<String>> = Vec::new();
    for (raw, n) in written {
        let raw = raw.trim();
        let value = if raw.is_empty() {
            None
        } else if codes.is_empty() {
            Some(raw.to_string())
        } else {
            let found = codes.get(&raw.to_lowercase()).map(|v| v.to_string());
            if found.is_none() {
                unknown += n as usize;
            }
            found
        };
        mapped.push(value.filter(|v| !survey.is_missing(v)));
    }
    let answers: Vec<String> = mapped
        .iter()
        .flatten()
        .cloned()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let code = |v: &String| answers.binary_search(v).ok().map(|i| i as u32);
    let codes = mapped.iter().map(|v| v.as_ref().and_then(code)).collect();
    (codes, unknown, answers)
}

/// How many rows' weights are not a weight, by what they are instead (a row
/// may be counted twice: "-1e400" is both too large and negative).
#[derive(Clone, Copy, Debug, Default)]
struct WeightFlaws {
    text: usize,
    negative: usize,
    blank: usize,
}

/// The weight column as numbers, 0 where a row's weight is not one, and
/// what was wrong. Text is read as [`crate::ingest::cell::parse_decimal`]
/// reads a decimal: a decimal comma or point, a leading minus (or the minus
/// sign), nothing else. One pass over the column, in Rust: as polars string
/// expressions the same took a quarter of a second per million rows.
fn weight(raw: &DataFrame, header: &str) -> PolarsResult<(Column, WeightFlaws)> {
    let column = raw.column(header)?.as_materialized_series();
    let mut flaws = WeightFlaws::default();
    let mut value = |parsed: Option<f64>, blank: bool| {
        let text = !blank && !parsed.is_some_and(f64::is_finite);
        let negative = parsed.is_some_and(|w| w < 0.0);
        flaws.blank += usize::from(blank);
        flaws.text += usize::from(text);
        flaws.negative += usize::from(negative);
        match (blank || text || negative, parsed) {
            (false, Some(w)) => w,
            _ => 0.0,
        }
    };
    let values: Vec<f64> = if column.dtype().is_primitive_numeric() {
        let numbers = column.cast(&DataType::Float64)?;
        numbers
            .f64()?
            .iter()
            .map(|w| value(w, w.is_none()))
            .collect()
    } else {
        let texts = column.cast(&DataType::String)?;
        texts
            .str()?
            .iter()
            .map(|cell| {
                let t = cell.map(str::trim).unwrap_or("");
                value(decimal(t), t.is_empty())
            })
            .collect()
    };
    Ok((Column::new(WEIGHT.into(), values), flaws))
}

/// A weight written as a decimal, with a comma or a point and an optional
/// minus; `None` for anything else. The value may be infinite ("1" and 400
/// zeros), which the caller tells as not a number.
fn decimal(t: &str) -> Option<f64> {
    let normal: std::borrow::Cow<str> = if t.contains([',', '−']) {
        t.replace(',', ".").replace('−', "-").into()
    } else {
        t.into()
    };
    let body = normal.strip_prefix('-').unwrap_or(&normal);
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || !digits(frac) || (int.is_empty() && frac.is_empty()) {
        return None;
    }
    normal.parse::<f64>().ok()
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

#[cfg(test)]
mod tests {
    use super::decimal;

    #[test]
    fn weights_as_decimals() {
        for (text, value) in [
            ("0,862", 0.862),
            ("0.862", 0.862),
            ("1.", 1.0),
            (".5", 0.5),
            ("-.5", -0.5),
            ("−1,5", -1.5),
            ("12", 12.0),
        ] {
            assert_eq!(decimal(text), Some(value), "{text}");
        }
        for text in [
            "", ".", "-", "1e3", "+1", "1.2.3", "1,2.3", "inf", "NaN", "1 5", "--1",
        ] {
            assert_eq!(decimal(text), None, "{text}");
        }
        assert_eq!(
            decimal(&format!("-1{}", "0".repeat(400))),
            Some(f64::NEG_INFINITY)
        );
    }
}
