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

/// Sums per group: n, yes-count, Σw, Σw·y, Σw².
fn sums() -> Vec<Expr> {
    vec![
        len().cast(DataType::Float64).alias("n"),
        col("y").sum().alias("x"),
        col(WEIGHT).sum().alias("sw"),
        (col(WEIGHT) * col("y")).sum().alias("swy"),
        (col(WEIGHT) * col(WEIGHT)).sum().alias("sw2"),
    ]
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
    // The respondents who count, filtered once, with only the columns the
    // total and the breakdowns need.
    let mut keep = vec![
        when(one_of(&r.answers, &m.variable, &m.numerator))
            .then(lit(1.0))
            .otherwise(lit(0.0))
            .alias("y"),
        col(WEIGHT),
    ];
    let mut kept: Vec<&str> = Vec::new();
    for (_, sb) in &breakdowns {
        if !kept.contains(&sb.variable.as_str()) {
            kept.push(sb.variable.as_str());
            keep.push(col(sb.variable.as_str()));
        }
    }
    let base = r
        .frame
        .clone()
        .lazy()
        .filter(answered(&r.answers, m))
        .select(keep)
        .collect()?
        .lazy();
    let mut out = Vec::new();
    let total = base.clone().select(sums()).collect()?;
    out.extend(rows_to_cells(ind, r, GroupKey::total(), &total)?);
    for (b, sb) in breakdowns {
        if coarsened(&sb.variable) {
            out.extend(
                sb.groups
                    .iter()
                    .map(|(g, _)| coarsened_cell(ind, r, GroupKey::of(b, g))),
            );
            continue;
        }
        out.extend(breakdown_cells(ind, r, &base, b, sb)?);
    }
    Ok(out)
}

/// One breakdown's cells: every group gets one, in the breakdown's order,
/// even if no one in it answered.
fn breakdown_cells(
    ind: &Indicator,
    r: &Respondents,
    base: &LazyFrame,
    b: &str,
    sb: &crate::pipeline::SurveyBreakdown,
) -> PolarsResult<Vec<Cell>> {
    // Map the variable's values to the breakdown's groups, by number
    // (the group's place in the breakdown): numbers group faster than text.
    let mut group: Option<Expr> = None;
    for (i, (_, values)) in sb.groups.iter().enumerate() {
        let cond = one_of(&r.answers, &sb.variable, values);
        let i = lit(i as u32);
        group = Some(match group {
            None => when(cond)
                .then(i)
                .otherwise(lit(NULL).cast(DataType::UInt32)),
            Some(g) => when(cond).then(i).otherwise(g),
        });
    }
    let Some(group) = group else {
        return Ok(Vec::new());
    };
    let grouped = base
        .clone()
        .with_column(group.alias("_grupp"))
        .filter(col("_grupp").is_not_null())
        .group_by([col("_grupp")])
        .agg(sums())
        .collect()?;
    let mut out = Vec::new();
    for (i, (g, _)) in sb.groups.iter().enumerate() {
        let row = grouped
            .clone()
            .lazy()
            .filter(col("_grupp").eq(lit(i as u32)))
            .collect()?;
        out.extend(rows_to_cells(ind, r, GroupKey::of(b, g), &row)?);
    }
    Ok(out)
}

fn coarsened_cell(ind: &Indicator, r: &Respondents, key: GroupKey) -> Cell {
    let mut c = Cell::empty(&ind.id, r.year, CITY, key, Source::Survey);
    c.withhold(Reason::Coarsened);
    c
}

fn first_f64(df: &DataFrame, name: &str) -> Option<f64> {
    df.column(name).ok()?.get(0).ok()?.extract::<f64>()
}

fn rows_to_cells(
    ind: &Indicator,
    r: &Respondents,
    key: GroupKey,
    df: &DataFrame,
) -> PolarsResult<Vec<Cell>> {
    let n = first_f64(df, "n").unwrap_or(0.0);
    let x = first_f64(df, "x").unwrap_or(0.0);
    let sw = first_f64(df, "sw").unwrap_or(0.0);
    let swy = first_f64(df, "swy").unwrap_or(0.0);
    let sw2 = first_f64(df, "sw2").unwrap_or(0.0);
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
    Ok(vec![Cell {
        value,
        numerator: Some(x),
        denominator: Some(n),
        n: Some(n),
        ci_low: interval.map(|i| i.0),
        ci_high: interval.map(|i| i.1),
        n_effective,
        std_error,
        ..Cell::empty(&ind.id, r.year, CITY, key, Source::Survey)
    }])
}
