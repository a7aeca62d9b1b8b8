//! Confidence intervals for shares.

/// The 97.5th percentile of the standard normal distribution: a 95 % interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// The Wilson score interval for a share `p` out of `n` (Wilson 1927). Unlike
/// the textbook p ± z·se, it stays within 0–1 and behaves for small n and for
/// shares near 0 or 1. `n` may be fractional (an effective sample size).
pub fn wilson(p: f64, n: f64, z: f64) -> Option<(f64, f64)> {
    if n.is_nan() || n <= 0.0 || !(0.0..=1.0).contains(&p) {
        return None;
    }
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let center = (p + z2 / (2.0 * n)) / denom;
    let half = z / denom * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Some(((center - half).max(0.0), (center + half).min(1.0)))
}

/// Kish's effective sample size for weights: (Σw)² / Σw². With equal weights
/// it is n; the more the weights vary, the less the sample is worth.
pub fn kish_effective_n(sum_w: f64, sum_w2: f64) -> Option<f64> {
    (sum_w2 > 0.0).then(|| sum_w * sum_w / sum_w2)
}

/// The standard error of a share `p` on an effective sample size `n`.
pub fn share_std_error(p: f64, n: f64) -> Option<f64> {
    (n > 0.0 && (0.0..=1.0).contains(&p)).then(|| (p * (1.0 - p) / n).sqrt())
}

/// Whether two independent estimates differ by more than chance allows at
/// 95 %: |a − b| > z · √(se_a² + se_b²). Two estimates without error (both
/// zero or one) differ whenever they are not equal.
pub fn differs(a: f64, se_a: f64, b: f64, se_b: f64) -> bool {
    let se = (se_a * se_a + se_b * se_b).sqrt();
    (a - b).abs() > Z95 * se
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_is_significant_only_beyond_its_margin() {
        // 0.40 vs 0.45 on 400 each: se ≈ 0.0348, z ≈ 1.44, not significant.
        let (a, b) = (
            share_std_error(0.40, 400.0).unwrap(),
            share_std_error(0.45, 400.0).unwrap(),
        );
        assert!(!differs(0.40, a, 0.45, b));
        // on 2,000 each: z ≈ 3.2, significant.
        let (a, b) = (
            share_std_error(0.40, 2000.0).unwrap(),
            share_std_error(0.45, 2000.0).unwrap(),
        );
        assert!(differs(0.40, a, 0.45, b));
        assert!(!differs(0.5, 0.0, 0.5, 0.0));
        assert!(share_std_error(0.5, 0.0).is_none());
    }
}
