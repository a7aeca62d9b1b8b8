//! Numbers as people type them into Swedish spreadsheets.

/// Parses a number written the Swedish way: "1 234" (space, no-break space or
/// thin space between thousands), "12,0" (decimal comma), " 7 ", "−3" (the
/// minus sign Swedish Excel writes). A dot is taken as a decimal point only
/// where it cannot be a thousands separator ("12.5", not "1.234").
/// Returns `None` for anything else ("ca 20", "20 st", "").
pub fn parse_swedish_number(text: &str) -> Option<f64> {
    let is_space = |c: char| c.is_whitespace() || matches!(c, '\u{a0}' | '\u{202f}' | '\u{2009}');
    let t = text.trim_matches(is_space);
    let (negative, t) = match t.strip_prefix(['-', '−']) {
        Some(rest) => (true, rest.trim_start_matches(is_space)),
        None => (false, t),
    };
    let (int_part, frac_part) = match (t.find(','), t.find('.')) {
        (Some(_), Some(_)) => return None,
        (Some(i), None) => (&t[..i], Some(&t[i + 1..])),
        (None, Some(i)) => {
            let frac = &t[i + 1..];
            // "1.234" could be a thousands separator: too ambiguous to guess.
            if frac.len() == 3 {
                return None;
            }
            (&t[..i], Some(frac))
        }
        (None, None) => (t, None),
    };
    let groups: Vec<&str> = int_part.split(is_space).collect();
    let grouped_ok = match groups.as_slice() {
        [] => false,
        [only] => !only.is_empty() && only.chars().all(|c| c.is_ascii_digit()),
        [first, rest @ ..] => {
            (1..=3).contains(&first.len())
                && first.chars().all(|c| c.is_ascii_digit())
                && rest
                    .iter()
                    .all(|g| g.len() == 3 && g.chars().all(|c| c.is_ascii_digit()))
        }
    };
    if !grouped_ok {
        return None;
    }
    let digits: String = groups.concat();
    let number = match frac_part {
        Some(f) if !f.is_empty() && f.chars().all(|c| c.is_ascii_digit()) => {
            format!("{digits}.{f}")
        }
        Some(_) => return None,
        None => digits,
    };
    let v: f64 = number.parse().ok()?;
    Some(if negative { -v } else { v })
}

/// Parses a decimal such as a survey weight, with a decimal comma or point
/// ("0,934", "0.934", " 1 "). Thousands separators do not occur here.
pub fn parse_decimal(text: &str) -> Option<f64> {
    let t = text.trim().replace(',', ".");
    if t.matches('.').count() > 1 || t.is_empty() {
        return None;
    }
    let t = t.replace('−', "-");
    let ok = t
        .chars()
        .enumerate()
        .all(|(i, c)| c.is_ascii_digit() || c == '.' || (i == 0 && c == '-'));
    if !ok {
        return None;
    }
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::parse_swedish_number as p;

    #[test]
    fn swedish_writing() {
        assert_eq!(p("1 234"), Some(1234.0));
        assert_eq!(p("1\u{a0}234"), Some(1234.0));
        assert_eq!(p("1\u{202f}234\u{202f}567"), Some(1_234_567.0));
        assert_eq!(p("12,0"), Some(12.0));
        assert_eq!(p(" 7 "), Some(7.0));
        assert_eq!(p("−3"), Some(-3.0));
        assert_eq!(p("- 3"), Some(-3.0));
        assert_eq!(p("12.5"), Some(12.5));
        assert_eq!(p("0,25"), Some(0.25));
    }

    #[test]
    fn decimals() {
        use super::parse_decimal as d;
        assert_eq!(d("0,934"), Some(0.934));
        assert_eq!(d("0.934"), Some(0.934));
        assert_eq!(d(" 1 "), Some(1.0));
        assert_eq!(d("-0,5"), Some(-0.5));
        assert_eq!(d("x"), None);
        assert_eq!(d("1.2.3"), None);
        assert_eq!(d(""), None);
    }

    #[test]
    fn not_numbers() {
        for t in [
            "ca 20", "20 st", "", "  ", "1.234", "12 34", "1,2,3", "1 2345", "x", "12,", ",5",
            "1e5",
        ] {
            assert_eq!(p(t), None, "{t:?}");
        }
    }
}
