//! Numbers the Swedish way: decimal comma, a space between thousands.

use crate::pipeline::MeasureUnit;

/// Groups digits by thousands with a no-break space.
pub fn thousands(n: i64) -> String {
    let s = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push('\u{a0}');
        }
        out.push(c);
    }
    if n < 0 { format!("−{out}") } else { out }
}

/// A number with `decimals` decimals and a decimal comma.
pub fn decimal(v: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = s
        .split_once('.')
        .map(|(a, b)| (a.to_string(), Some(b.to_string())))
        .unwrap_or((s.clone(), None));
    let int: i64 = int.parse().unwrap_or(0);
    let mut out = thousands(int);
    if let Some(f) = frac {
        out.push(',');
        out.push_str(&f);
    }
    if v < 0.0 && out.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out = format!("−{out}");
    }
    out
}

/// A value as the unit shows it: "1 234", "45 %", "−12,5".
pub fn fmt_value(v: f64, unit: MeasureUnit) -> String {
    match unit {
        MeasureUnit::Antal => thousands(v.round() as i64),
        MeasureUnit::Andel => format!("{}\u{a0}%", decimal(v * 100.0, 0)),
        MeasureUnit::Procentenheter => decimal(v, 1),
    }
}

/// A value for a table: shares with one decimal.
pub fn fmt_table(v: f64, unit: MeasureUnit) -> String {
    match unit {
        MeasureUnit::Antal => thousands(v.round() as i64),
        MeasureUnit::Andel => format!("{}\u{a0}%", decimal(v * 100.0, 1)),
        MeasureUnit::Procentenheter => decimal(v, 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swedish_numbers() {
        assert_eq!(thousands(1234), "1\u{a0}234");
        assert_eq!(thousands(1_234_567), "1\u{a0}234\u{a0}567");
        assert_eq!(decimal(12.345, 1), "12,3");
        assert_eq!(decimal(-3.25, 1), "−3,2");
        assert_eq!(fmt_value(0.456, MeasureUnit::Andel), "46\u{a0}%");
        assert_eq!(fmt_table(0.456, MeasureUnit::Andel), "45,6\u{a0}%");
        assert_eq!(fmt_value(-12.5, MeasureUnit::Procentenheter), "−12,5");
    }
}
