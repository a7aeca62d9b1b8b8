//! Survey indicators per year, in total and per breakdown group: the share
//! with a 95 % Wilson interval; with weights, the weighted share with the
//! interval on Kish's effective sample size. Built as polars expressions, so
//! the responses are never looped over in Rust.

use polars::prelude::*;

use super::Cell;
use super::stats::{Z95, kish_effective_n, share_std_error, wilson};
use crate::pipeline::CITY;
use crate::pipeline::{GroupKey, Indicator, Pipeline, Reason, Source, SurveyMeasure};
use crate::validate::survey::{Answers, Respondents, WEIGHT};

/// `col(var)` is one of `values`, compared as the respondents' answer codes.
fn one_of(answers: &Answers, var: &str, values: &[String]) -> Expr {
    answers
        .codes(var, values)
        .into_iter()
        .map(|code| col(var).eq(lit(code)))
        .reduce(|a, b| a.or(b))
        .unwrap_or(lit(false))
}

/// Respondents in the indicator's population who answered its question.
fn answered(answers: &Answers, m: &SurveyMeasure) -> Expr {
    m.population
        .iter()
        .map(|(var, values)| one_of(answers, var, values))
        .fold(col(m.variable.as_str()).is_not_null(), |a, b| a.and(b))
}

/// Every survey indicator's cells for one year.
pub fn cells(p: &Pipeline, r: &Respondents) -> PolarsResult<Vec<Cell>> {
    cells_of_years(p, std::slice::from_ref(r))
}

/// Every survey indicator's cells for every year, computed in parallel on
/// polars' thread pool (one query per indicator and year); the cells come
/// back in the order of the years and the pipeline's indicators.
pub fn cells_of_years(p: &Pipeline, years: &[Respondents]) -> PolarsResult<Vec<Cell>> {
    use rayon::prelude::*;
    let jobs: Vec<(&Respondents, &Indicator, &SurveyMeasure)> = years
        .iter()
        .flat_map(|r| {
            p.indicators
                .iter()
                .filter_map(move |ind| ind.survey.as_ref().map(|m| (r, ind, m)))
        })
        .collect();
    let done: Vec<PolarsResult<Vec<Cell>>> = crate::pool::install(|| {
        jobs.par_iter()
            .map(|(r, ind, m)| indicator_cells(p, ind, m, r))
            .collect()
    });
    let mut out = Vec::new();
    for cells in done {
        out.extend(cells?);
    }
    Ok(out)
}

fn indicator_cells(
    p: &Pipeline,
    ind: &Indicator,
    m: &SurveyMeasure,
    r: &Respondents,
) -> PolarsResult<Vec<Cell>> {
    let survey = p.survey.as_ref();
    let breakdowns: Vec<(&String, &crate::pipeline::SurveyBreakdown)> = ind
        .breakdowns
        .iter()
        .filter_map(|b| survey.and_then(|s| s.breakdown(b)).map(|sb| (b, sb)))
        .collect();
    // A variable coarsened to the whole city for k-anonymity tells nothing
    // that year: what rests on it is withheld, saying why.
    let coarsened =
        |var: &str| r.coarsened && survey.and_then(|s| s.coarsen.as_deref()) == Some(var);
    if coarsened(&m.variable) || m.population.iter().any(|(var, _)| coarsened(var)) {
        let mut keys = vec![GroupKey::total()];
        for (b, sb) in &breakdowns {
            keys.extend(sb.groups.iter().map(|(g, _)| GroupKey::of(b, g)));
        }
        return Ok(keys
            .into_iter()
            .map(|k| coarsened_cell(ind, r, k))
            .collect());
    }
    let live: Vec<(&String, &crate::pipeline::SurveyBreakdown)> = breakdowns
        .iter()
        .copied()
        .filter(|(_, sb)| !coarsened(&sb.variable))
        .collect();
    let sums = key_sums(r, m, &live)?;
    let mut out = vec![cell_of(ind, r, GroupKey::total(), &sums, |_| true)];
    let mut stride = 2;
    for (b, sb) in breakdowns {
        if coarsened(&sb.variable) {
            out.extend(
                sb.groups
                    .iter()
                    .map(|(g, _)| coarsened_cell(ind, r, GroupKey::of(b, g))),
            );
            continue;
        }
        // Every group gets a cell, in the breakdown's order, even if no one
        // in it answered.
        let width = sb.groups.len() as u64 + 1;
        for (i, (g, _)) in sb.groups.iter().enumerate() {
            let key = GroupKey::of(b, g);
            out.push(cell_of(ind, r, key, &sums, |k| {
                (k / stride) % width == i as u64
            }));
        }
        stride *= width;
    }
    Ok(out)
}

/// The respondents who count, summed in one query by a key that packs
/// whether they are in the numerator (the lowest digit) and their group in
/// each breakdown (a digit each, one past the last group for none): a few
/// dozen sums that every cell of the indicator adds up from.
fn key_sums(
    r: &Respondents,
    m: &SurveyMeasure,
    breakdowns: &[(&String, &crate::pipeline::SurveyBreakdown)],
) -> PolarsResult<Vec<KeySums>> {
    let mut key = when(one_of(&r.answers, &m.variable, &m.numerator))
        .then(lit(1u64))
        .otherwise(lit(0u64));
    let mut stride = 2u64;
    for (_, sb) in breakdowns {
        let width = sb.groups.len() as u64 + 1;
        key = key + group_of(r, sb).fill_null(lit(width - 1)) * lit(stride);
        stride = stride
            .checked_mul(width)
            .ok_or_else(|| polars_err!(ComputeError: "too many breakdown groups to key"))?;
    }
    let summed = r
        .frame
        .clone()
        .lazy()
        .filter(answered(&r.answers, m))
        .group_by([key.alias("_k")])
        .agg([
            len().cast(DataType::Float64).alias("n"),
            col(WEIGHT).sum().alias("sw"),
            (col(WEIGHT) * col(WEIGHT)).sum().alias("sw2"),
        ])
        .sort(["_k"], SortMultipleOptions::default())
        .collect()?;
    let keys = summed.column("_k")?.cast(&DataType::UInt64)?;
    let f = |name: &str| -> PolarsResult<Vec<f64>> {
        Ok(summed
            .column(name)?
            .f64()?
            .iter()
            .map(|v| v.unwrap_or(0.0))
            .collect())
    };
    let (n, sw, sw2) = (f("n")?, f("sw")?, f("sw2")?);
    Ok(keys
        .u64()?
        .iter()
        .zip(n.into_iter().zip(sw).zip(sw2))
        .map(|(key, ((n, sw), sw2))| KeySums {
            key: key.unwrap_or(0),
            n,
            sw,
            sw2,
        })
        .collect())
}

/// The respondents of one key: how many, and the sums of their weights and
/// squared weights.
struct KeySums {
    key: u64,
    n: f64,
    sw: f64,
    sw2: f64,
}

/// A breakdown's group for each respondent, by its place in the breakdown
/// (numbers group faster than text); null for none of them.
fn group_of(r: &Respondents, sb: &crate::pipeline::SurveyBreakdown) -> Expr {
    let mut group = lit(NULL).cast(DataType::UInt64);
    for (i, (_, values)) in sb.groups.iter().enumerate().rev() {
        let cond = one_of(&r.answers, &sb.variable, values);
        group = when(cond).then(lit(i as u64)).otherwise(group);
    }
    group
}

fn coarsened_cell(ind: &Indicator, r: &Respondents, key: GroupKey) -> Cell {
    let mut c = Cell::empty(&ind.id, r.year, CITY, key, Source::Survey);
    c.withhold(Reason::Coarsened);
    c
}

/// One cell from the keys `keep` picks, added up in the keys' order.
fn cell_of(
    ind: &Indicator,
    r: &Respondents,
    key: GroupKey,
    sums: &[KeySums],
    keep: impl Fn(u64) -> bool,
) -> Cell {
    let (mut n, mut x, mut sw, mut swy, mut sw2) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for s in sums.iter().filter(|s| keep(s.key)) {
        n += s.n;
        sw += s.sw;
        sw2 += s.sw2;
        if s.key % 2 == 1 {
            x += s.n;
            swy += s.sw;
        }
    }
    let (value, n_effective) = if n == 0.0 {
        (None, None)
    } else if r.weighted {
        let pw = if sw > 0.0 { swy / sw } else { f64::NAN };
        (pw.is_finite().then_some(pw), kish_effective_n(sw, sw2))
    } else {
        (Some(x / n), Some(n))
    };
    let interval = value
        .zip(n_effective)
        .and_then(|(p, ne)| wilson(p, ne, Z95));
    let std_error = value
        .zip(n_effective)
        .and_then(|(p, ne)| share_std_error(p, ne));
    Cell {
        value,
        numerator: Some(x),
        denominator: Some(n),
        n: Some(n),
        ci_low: interval.map(|i| i.0),
        ci_high: interval.map(|i| i.1),
        n_effective,
        std_error,
        ..Cell::empty(&ind.id, r.year, CITY, key, Source::Survey)
    }
}
