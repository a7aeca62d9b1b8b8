//! A survey file read in its codebook's terms: each variable's answers as
//! small-integer codes beside what they stand for, and the weights.

use std::collections::HashMap;

use polars::prelude::*;

use super::weights::{WeightFlaws, weight};
use super::{Answers, Headers, WEIGHT, not_computed};
use crate::ingest::Refusal;
use crate::pipeline::{Codebook, CodebookVariable, Survey};

/// Rows per column with codes the codebook does not know.
pub(super) type Unknown = Vec<(String, usize)>;

/// A file read in the codebook's terms.
pub(super) struct Applied {
    pub(super) frame: DataFrame,
    pub(super) answers: Answers,
    pub(super) unknown: Unknown,
    /// The file's weight column, if the codebook has one.
    pub(super) weight_header: Option<String>,
    pub(super) flaws: WeightFlaws,
}

/// The codebook and the weights: each variable's answers as codes (see
/// [`map_variable`]) and the weight column read as numbers, side by side;
/// beside them, what did not fit (unknown codes, weights that are none).
pub(super) fn apply_codebook(
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
