//! Survey indicators per year, in total and per breakdown group: the share
//! with a 95 % Wilson interval; with weights, the weighted share with the
//! interval on Kish's effective sample size. Each indicator takes one pass
//! over the respondents' answer codes, which validation made small integers.

use polars::prelude::*;

use super::Cell;
use super::stats::{Z95, kish_effective_n, share_std_error, wilson};
use crate::pipeline::CITY;
use crate::pipeline::{
    GroupKey, Indicator, Pipeline, Reason, Source, SurveyBreakdown, SurveyMeasure,
};
use crate::validate::survey::{Answers, Respondents, WEIGHT};

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
    let breakdowns: Vec<(&String, &SurveyBreakdown)> = ind
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
    let live: Vec<(&String, &SurveyBreakdown)> = breakdowns
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

/// The respondents who count, summed by a key that packs whether they are
/// in the numerator (the lowest digit) and their group in each breakdown (a
/// digit each, one past the last group for none): a few dozen sums that
/// every cell of the indicator adds up from. One pass over the answer codes
/// in Rust, each row's weight added in the rows' order: as a polars filter
/// and group-by the same took five times as long.
fn key_sums(
    r: &Respondents,
    m: &SurveyMeasure,
    breakdowns: &[(&String, &SurveyBreakdown)],
) -> PolarsResult<Vec<KeySums>> {
    let answer = codes(&r.frame, &m.variable)?;
    let numerator = Table::of(&r.answers, &m.variable, &m.numerator);
    let population: Vec<(Vec<u32>, Table)> = m
        .population
        .iter()
        .map(|(var, values)| Ok((codes(&r.frame, var)?, Table::of(&r.answers, var, values))))
        .collect::<PolarsResult<_>>()?;
    let mut digits: Vec<Digit> = Vec::new();
    let mut stride = 2u64;
    for (_, sb) in breakdowns {
        let width = sb.groups.len() as u64 + 1;
        digits.push(Digit {
            codes: codes(&r.frame, &sb.variable)?,
            group: groups(r, sb),
            width,
            stride,
        });
        stride = stride
            .checked_mul(width)
            .filter(|s| *s <= MAX_KEYS)
            .ok_or_else(|| polars_err!(ComputeError: "too many breakdown groups to key"))?;
    }
    let weights = weights(&r.frame)?;
    let mut sums: Vec<KeySums> = (0..stride)
        .map(|key| KeySums {
            key,
            n: 0.0,
            sw: 0.0,
            sw2: 0.0,
        })
        .collect();
    for (row, &code) in answer.iter().enumerate() {
        let counts = code != NO_ANSWER && population.iter().all(|(c, t)| t.has(c[row]));
        if !counts {
            continue;
        }
        let mut key = u64::from(numerator.has(code));
        for d in &digits {
            let g = d.group.get(d.codes[row] as usize);
            key += g.map_or(d.width - 1, |g| u64::from(*g)) * d.stride;
        }
        let (s, w) = (&mut sums[key as usize], weights[row]);
        s.n += 1.0;
        s.sw += w;
        s.sw2 += w * w;
    }
    sums.retain(|s| s.n > 0.0);
    Ok(sums)
}

/// One breakdown's digit of [`key_sums`]'s key: each respondent's code,
/// the group each code is in, how many values the digit takes (the groups
/// and none), and what the digit is worth.
struct Digit {
    codes: Vec<u32>,
    group: Vec<u32>,
    width: u64,
    stride: u64,
}

/// The most keys [`key_sums`] packs: more breakdown groups than any survey has.
const MAX_KEYS: u64 = 1 << 20;

/// A row with no answer in [`codes`].
const NO_ANSWER: u32 = u32::MAX;

/// A variable's answer codes as plain numbers, [`NO_ANSWER`] for none.
fn codes(frame: &DataFrame, var: &str) -> PolarsResult<Vec<u32>> {
    let column = frame.column(var)?.cast(&DataType::UInt32)?;
    Ok(filled(column.u32()?, NO_ANSWER))
}

/// The respondents' weights (1 without a weight column).
fn weights(frame: &DataFrame) -> PolarsResult<Vec<f64>> {
    let column = frame.column(WEIGHT)?.cast(&DataType::Float64)?;
    Ok(filled(column.f64()?, 0.0))
}

/// A column's values with `blank` where it has none, copied from its
/// values rather than value by value.
fn filled<T: PolarsNumericType>(column: &ChunkedArray<T>, blank: T::Native) -> Vec<T::Native> {
    let mut out = Vec::with_capacity(column.len());
    for chunk in column.downcast_iter() {
        let values = chunk.values().as_slice();
        match chunk.validity() {
            None => out.extend_from_slice(values),
            Some(valid) => out.extend(
                values
                    .iter()
                    .zip(valid.iter())
                    .map(|(&v, ok)| if ok { v } else { blank }),
            ),
        }
    }
    out
}

/// Which of a variable's codes stand for one of some values.
struct Table(Vec<bool>);

impl Table {
    fn of(answers: &Answers, var: &str, values: &[String]) -> Table {
        let codes = answers.codes(var, values);
        let mut t = vec![false; codes.iter().max().map_or(0, |c| *c as usize + 1)];
        for c in codes {
            t[c as usize] = true;
        }
        Table(t)
    }

    fn has(&self, code: u32) -> bool {
        self.0.get(code as usize).copied().unwrap_or(false)
    }
}

/// A breakdown's group for each of its variable's codes, by its place in
/// the breakdown (the first group that has the code); codes past the end
/// are in none.
fn groups(r: &Respondents, sb: &SurveyBreakdown) -> Vec<u32> {
    let none = u32::try_from(sb.groups.len()).unwrap_or(u32::MAX);
    let mut by_code: Vec<u32> = Vec::new();
    for (i, (_, values)) in sb.groups.iter().enumerate().rev() {
        for code in r.answers.codes(&sb.variable, values) {
            let code = code as usize;
            if by_code.len() <= code {
                by_code.resize(code + 1, none);
            }
            by_code[code] = i as u32;
        }
    }
    by_code
}

/// The respondents of one key: how many, and the sums of their weights and
/// squared weights.
struct KeySums {
    key: u64,
    n: f64,
    sw: f64,
    sw2: f64,
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
