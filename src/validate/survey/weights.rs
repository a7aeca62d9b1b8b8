//! The survey weights: read as decimals as a person writes them, and a file
//! refused whose weights are not weights.

use polars::prelude::*;

use super::{WEIGHT, not_computed};
use crate::ingest::Refusal;

/// Refuses a file with a weight that is text, negative or blank.
pub(super) fn check_weights(
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

/// How many rows' weights are not a weight, by what they are instead (a row
/// may be counted twice: "-1e400" is both too large and negative).
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct WeightFlaws {
    text: usize,
    negative: usize,
    blank: usize,
}

/// The weight column as numbers, 0 where a row's weight is not one, and
/// what was wrong. Text is read as [`crate::ingest::cell::parse_decimal`]
/// reads a decimal: a decimal comma or point, a leading minus (or the minus
/// sign), nothing else. One pass over the column, in Rust: as polars string
/// expressions the same took a quarter of a second per million rows.
pub(super) fn weight(raw: &DataFrame, header: &str) -> PolarsResult<(Column, WeightFlaws)> {
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
