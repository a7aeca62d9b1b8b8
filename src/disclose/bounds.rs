//! What a reader can work out about a withheld cell: the smallest and largest
//! value the published cells allow, knowing that the table's sums hold and
//! that counts are whole numbers ≥ 0 (integer programming, as τ-ARGUS and
//! sdcTable audit a table).
//!
//! The bounds found are never wider than a reader's: each comes from an
//! assignment that satisfies every constraint (the solver's incumbent, or at
//! worst the true value), so a cell judged wide enough really is.

use microlp::{ComparisonOp, OptimizationDirection, Problem, SolveOptions, Variable};

/// The values a withheld cell may take, as far as the published cells tell.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    pub low: f64,
    pub high: f64,
}

impl Range {
    /// Whether the range hides a cell below `min`: at least `min` wide, and
    /// reaching at least `min`.
    pub fn hides(&self, min: f64) -> bool {
        self.high - self.low >= min && self.high >= min
    }
}

/// Branch-and-bound nodes per bound: a deterministic budget. Tables are
/// small; a bound not proven within it falls back to a feasible one, which
/// errs on the side of withholding more.
const NODE_LIMIT: u64 = 2_000;

/// One constraint over the withheld cells: Σ coefficient · cell (op) constant.
struct Row {
    terms: Vec<(usize, f64)>,
    op: ComparisonOp,
    rhs: f64,
}

/// A reader of one table: its sums as constraints over the withheld cells.
/// A sum is taken as the reader would: as an equation where it holds, as
/// "the total is at least the sum of its parts" where parts are subsets
/// (a survey's total includes those in no group), and not at all otherwise.
pub struct Reader<'a> {
    rows: Vec<Row>,
    truth: &'a [Option<f64>],
    withheld: &'a [bool],
    integer: bool,
}

impl<'a> Reader<'a> {
    /// `truth` holds each cell's true count (`None` where the cell has none:
    /// it is in no sum).
    pub fn new(sums: &[Vec<usize>], truth: &'a [Option<f64>], withheld: &'a [bool]) -> Self {
        let integer = truth
            .iter()
            .flatten()
            .all(|v| v.fract() == 0.0 && (0.0..=i32::MAX as f64).contains(v));
        Reader {
            rows: constraints(sums, truth, withheld),
            truth,
            withheld,
            integer,
        }
    }

    /// The range of withheld cell `k`, if it has a true count.
    pub fn range(&self, k: usize) -> Option<Range> {
        let true_value = self.truth[k]?;
        if !self.withheld[k] {
            return Some(Range {
                low: true_value,
                high: true_value,
            });
        }
        if !self
            .rows
            .iter()
            .any(|r| r.terms.iter().any(|(c, _)| *c == k))
        {
            return Some(Range {
                low: 0.0,
                high: f64::INFINITY,
            });
        }
        let bound = |d| self.bound(k, d).unwrap_or(true_value);
        Some(Range {
            low: bound(OptimizationDirection::Minimize),
            high: bound(OptimizationDirection::Maximize),
        })
    }

    /// The smallest or largest value of cell `k` the constraints allow, from
    /// a feasible assignment; `None` if the solver found none (the caller
    /// then takes the true value), infinite if nothing bounds it from above.
    fn bound(&self, k: usize, direction: OptimizationDirection) -> Option<f64> {
        let mut problem = Problem::new(direction);
        let mut vars: Vec<Option<Variable>> = vec![None; self.truth.len()];
        for j in (0..self.truth.len()).filter(|j| self.withheld[*j] && self.truth[*j].is_some()) {
            let objective = if j == k { 1.0 } else { 0.0 };
            vars[j] = Some(if self.integer {
                problem.add_integer_var(objective, (0, i32::MAX))
            } else {
                problem.add_var(objective, (0.0, f64::INFINITY))
            });
        }
        for r in &self.rows {
            let terms: Vec<(Variable, f64)> = r
                .terms
                .iter()
                .filter_map(|(j, c)| Some((vars[*j]?, *c)))
                .collect();
            problem.add_constraint(terms.as_slice(), r.op, r.rhs);
        }
        let mut options = SolveOptions::default();
        options.node_limit = Some(NODE_LIMIT);
        match problem.solve_with(options) {
            Ok(outcome) => outcome.solution().map(|s| s.objective()),
            Err(microlp::Error::Unbounded) => Some(f64::INFINITY),
            Err(_) => None,
        }
    }
}

/// The range of every withheld cell that has a true count.
pub fn ranges(
    sums: &[Vec<usize>],
    truth: &[Option<f64>],
    withheld: &[bool],
) -> Vec<(usize, Range)> {
    let reader = Reader::new(sums, truth, withheld);
    (0..truth.len())
        .filter(|k| withheld[*k])
        .filter_map(|k| Some((k, reader.range(k)?)))
        .collect()
}

/// Whether a sum holds exactly on the true counts.
pub fn holds(eq: &[usize], truth: &[Option<f64>]) -> bool {
    let Some(values) = eq.iter().map(|k| truth[*k]).collect::<Option<Vec<f64>>>() else {
        return false;
    };
    let parts: f64 = values[1..].iter().sum();
    (values[0] - parts).abs() <= 1e-9 * values[0].abs().max(1.0)
}

fn constraints(sums: &[Vec<usize>], truth: &[Option<f64>], withheld: &[bool]) -> Vec<Row> {
    let mut rows = Vec::new();
    for eq in sums {
        let Some(values) = eq.iter().map(|k| truth[*k]).collect::<Option<Vec<f64>>>() else {
            continue;
        };
        let parts: f64 = values[1..].iter().sum();
        let op = if holds(eq, truth) {
            ComparisonOp::Eq
        } else if values[0] > parts {
            ComparisonOp::Ge
        } else {
            continue;
        };
        let mut terms = Vec::new();
        let mut rhs = 0.0;
        for (pos, k) in eq.iter().enumerate() {
            let coeff = if pos == 0 { 1.0 } else { -1.0 };
            if withheld[*k] {
                terms.push((*k, coeff));
            } else {
                rhs -= coeff * values[pos];
            }
        }
        if !terms.is_empty() {
            rows.push(Row { terms, op, rhs });
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonnegativity_pins_a_cell_a_linear_audit_misses() {
        // total = a + b + c with total 3 and a published 3: b and c are 0,
        // though no equation alone names either.
        let sums = vec![vec![0, 1, 2, 3]];
        let truth = [Some(3.0), Some(3.0), Some(0.0), Some(0.0)];
        let withheld = [false, false, true, true];
        let r = ranges(&sums, &truth, &withheld);
        assert_eq!(
            r[0].1,
            Range {
                low: 0.0,
                high: 0.0
            }
        );
        assert!(!r[0].1.hides(5.0));
    }

    #[test]
    fn two_withheld_parts_of_a_large_total_are_hidden() {
        let sums = vec![vec![0, 1, 2, 3]];
        let truth = [Some(40.0), Some(30.0), Some(2.0), Some(8.0)];
        let withheld = [false, false, true, true];
        let r = ranges(&sums, &truth, &withheld);
        assert_eq!(
            r[0].1,
            Range {
                low: 0.0,
                high: 10.0
            }
        );
        assert!(r[0].1.hides(5.0) && r[1].1.hides(5.0));
    }

    #[test]
    fn a_total_above_its_parts_is_only_an_upper_bound() {
        // A survey total of 50 with groups 30 and a withheld 4 (16 in no group).
        let sums = vec![vec![0, 1, 2]];
        let truth = [Some(50.0), Some(30.0), Some(4.0)];
        let r = ranges(&sums, &truth, &[false, false, true]);
        assert_eq!(
            r[0].1,
            Range {
                low: 0.0,
                high: 20.0
            }
        );
    }
}
