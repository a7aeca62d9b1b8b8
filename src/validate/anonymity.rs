//! The anonymity gate: a survey file that holds a direct identifier is refused
//! whole, before anything else reads it. Messages name the column and how many
//! rows matched, never a value.

use polars::prelude::*;

/// Header words that name a direct identifier (compared after folding case,
/// å/ä/ö and punctuation away).
const IDENTIFIER_HEADERS: [&str; 22] = [
    "namn",
    "fornamn",
    "efternamn",
    "tilltalsnamn",
    "mellannamn",
    "adress",
    "gatuadress",
    "postadress",
    "hemadress",
    "personnummer",
    "persnr",
    "pnr",
    "samordningsnummer",
    "epost",
    "email",
    "mejl",
    "mail",
    "telefon",
    "telefonnummer",
    "tel",
    "mobil",
    "mobilnummer",
];

/// What was found in a column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Identifier {
    PersonalNumber,
    Email,
    Phone,
}

impl Identifier {
    pub fn swedish(self) -> &'static str {
        match self {
            Identifier::PersonalNumber => "ett personnummer eller samordningsnummer",
            Identifier::Email => "en e-postadress",
            Identifier::Phone => "ett telefonnummer",
        }
    }
}

/// A reason to refuse the file: a column and what it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    pub column: String,
    /// `None`: the header itself names an identifier.
    pub found: Option<Identifier>,
    pub rows: usize,
}

fn fold(s: &str) -> String {
    s.to_lowercase()
        .chars()
        .map(|c| match c {
            'å' | 'ä' => 'a',
            'ö' => 'o',
            'é' => 'e',
            c => c,
        })
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}

/// Whether a header names a direct identifier: exactly, or as a word in a
/// longer name ("Respondentens namn", "e-post_adress").
pub fn header_is_identifier(header: &str) -> bool {
    let whole = fold(header);
    if IDENTIFIER_HEADERS.contains(&whole.as_str()) {
        return true;
    }
    let words: Vec<String> = header
        .split(|c: char| !c.is_alphanumeric())
        .map(fold)
        .filter(|w| !w.is_empty())
        .collect();
    words
        .iter()
        .any(|w| IDENTIFIER_HEADERS.contains(&w.as_str()))
        || IDENTIFIER_HEADERS
            .iter()
            .filter(|h| h.len() >= 6)
            .any(|h| whole.contains(h))
}

/// Runs the gate over every column of the file. Empty when the file may pass.
///
/// polars finds the few cells that could hold an identifier (an `@`, or at
/// least seven digits); only those are checked in Rust, where the date and
/// Luhn checks live.
pub fn gate(frame: &DataFrame) -> PolarsResult<Vec<Hit>> {
    let mut hits = Vec::new();
    for column in frame.columns() {
        let name = column.name().to_string();
        if header_is_identifier(&name) {
            hits.push(Hit {
                column: name,
                found: None,
                rows: 0,
            });
            continue;
        }
        let candidates = candidates(frame, &name, column.dtype())?;
        let mut counts = [0usize; 3];
        for v in candidates.str()?.iter().flatten() {
            if let Some(kind) = scan(v) {
                counts[kind as usize] += 1;
            }
        }
        for (kind, n) in [
            Identifier::PersonalNumber,
            Identifier::Email,
            Identifier::Phone,
        ]
        .into_iter()
        .zip(counts)
        {
            if n > 0 {
                hits.push(Hit {
                    column: name.clone(),
                    found: Some(kind),
                    rows: n,
                });
            }
        }
    }
    Ok(hits)
}

/// The cells of a column, as text, that [`scan`] could find something in:
/// those with an `@` or with seven digits or more (the fewest any identifier
/// has). Everything else is left out without leaving polars. In a number
/// column that means seven digits before the decimal point: an identifier
/// stored as a number is a whole number, and the decimals of a weight such
/// as 0.0701234567 are not a phone number.
fn candidates(frame: &DataFrame, name: &str, dtype: &DataType) -> PolarsResult<Column> {
    let c = col(name);
    if dtype.is_primitive_numeric() {
        let x = c.clone().cast(DataType::Float64);
        let big = x
            .clone()
            .gt_eq(lit(1_000_000.0))
            .or(x.lt_eq(lit(-1_000_000.0)));
        let out = frame
            .clone()
            .lazy()
            .select([c.filter(big).cast(DataType::String)])
            .collect()?;
        return Ok(out.column(name)?.clone());
    }
    // Two steps, so that the pattern only runs on the cells long enough to
    // hold an identifier (six bytes: a@b.se), which survey codes never are.
    let text = c.clone().cast(DataType::String);
    let long = frame
        .clone()
        .lazy()
        .select([text.clone().filter(text.str().len_bytes().gt_eq(lit(6u32)))])
        .collect()?;
    let out = long
        .lazy()
        .select([c.clone().filter(
            c.clone()
                .str()
                .contains_literal(lit("@"))
                .or(c.str().contains(lit("[0-9](?:[^0-9]*[0-9]){6}"), true)),
        )])
        .collect()?;
    Ok(out.column(name)?.clone())
}

/// The first kind of direct identifier in a cell, if any.
pub fn scan(cell: &str) -> Option<Identifier> {
    // Most cells are codes or labels: nothing to look for without digits or '@'.
    let digits = cell.bytes().filter(|b| b.is_ascii_digit()).count();
    if cell.contains('@') && has_email(cell) {
        return Some(Identifier::Email);
    }
    if digits >= 10 && has_personal_number(cell) {
        return Some(Identifier::PersonalNumber);
    }
    if digits >= 7 && has_phone(cell) {
        return Some(Identifier::Phone);
    }
    None
}

/// Runs of digits, each with the optional `-`/`+` inside it kept out.
fn digit_runs(cell: &str) -> Vec<String> {
    let chars: Vec<char> = cell.chars().collect();
    let mut runs = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let mut run = String::new();
            let mut sep_used = false;
            while i < chars.len() {
                let c = chars[i];
                if c.is_ascii_digit() {
                    run.push(c);
                } else if (c == '-' || c == '+')
                    && !sep_used
                    && i + 1 < chars.len()
                    && chars[i + 1].is_ascii_digit()
                    && (run.len() == 6 || run.len() == 8)
                {
                    sep_used = true;
                } else {
                    break;
                }
                i += 1;
            }
            runs.push(run);
        } else {
            i += 1;
        }
    }
    runs
}

/// A personnummer or samordningsnummer: 10 or 12 digits (with or without
/// `-`/`+` before the last four), a valid date (day + 60 for a
/// samordningsnummer), and a valid Luhn check digit.
pub fn has_personal_number(cell: &str) -> bool {
    digit_runs(cell).iter().any(|run| is_personal_number(run))
}

pub fn is_personal_number(digits: &str) -> bool {
    let ten = match digits.len() {
        10 => digits,
        12 => {
            let century = &digits[..2];
            if !matches!(century, "18" | "19" | "20") {
                return false;
            }
            &digits[2..]
        }
        _ => return false,
    };
    let d: Vec<u32> = ten.chars().filter_map(|c| c.to_digit(10)).collect();
    let month = d[2] * 10 + d[3];
    let day = d[4] * 10 + d[5];
    let day = if day > 60 { day - 60 } else { day };
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return false;
    }
    luhn(&d)
}

/// The Luhn check over all ten digits (the last is the check digit).
fn luhn(d: &[u32]) -> bool {
    let sum: u32 = d
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            if i % 2 == 0 {
                let y = x * 2;
                if y > 9 { y - 9 } else { y }
            } else {
                x
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

pub fn has_email(cell: &str) -> bool {
    cell.split(|c: char| {
        c.is_whitespace() || matches!(c, '<' | '>' | ',' | ';' | '(' | ')' | '"' | '\'')
    })
    .any(|token| {
        let Some((local, domain)) = token.split_once('@') else {
            return false;
        };
        let domain = domain.trim_end_matches(['.', ':', '!', '?']);
        !local.is_empty()
            && local
                .chars()
                .all(|c| c.is_alphanumeric() || "._%+-".contains(c))
            && domain.contains('.')
            && domain.split('.').all(|part| {
                !part.is_empty() && part.chars().all(|c| c.is_alphanumeric() || c == '-')
            })
            && domain
                .rsplit('.')
                .next()
                .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_alphabetic()))
    })
}

/// A Swedish phone number: +46 or 0046 and 7–9 digits, or a 0 and 7–9 digits
/// (08-123 456 78, 070-123 45 67), written with spaces, dashes or not.
pub fn has_phone(cell: &str) -> bool {
    let chars: Vec<char> = cell.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let start_ok = i == 0 || !chars[i - 1].is_ascii_alphanumeric();
        if start_ok && (chars[i] == '+' || chars[i].is_ascii_digit()) {
            // Take the longest stretch of digits, spaces, dashes and one leading '+'.
            let mut j = i;
            let mut digits = String::new();
            if chars[j] == '+' {
                digits.push('+');
                j += 1;
            }
            while j < chars.len()
                && (chars[j].is_ascii_digit()
                    || chars[j] == ' '
                    || chars[j] == '-'
                    || chars[j] == '('
                    || chars[j] == ')')
            {
                if chars[j].is_ascii_digit() {
                    digits.push(chars[j]);
                }
                j += 1;
            }
            let end_ok = j == chars.len() || !chars[j].is_ascii_alphanumeric();
            if end_ok && is_phone(&digits) {
                return true;
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    false
}

fn is_phone(d: &str) -> bool {
    let national = if let Some(rest) = d.strip_prefix("+46") {
        rest.trim_start_matches('0')
    } else if let Some(rest) = d.strip_prefix("0046") {
        rest.trim_start_matches('0')
    } else if let Some(rest) = d.strip_prefix('0') {
        if rest.starts_with('0') {
            return false;
        }
        rest
    } else {
        return false;
    };
    (7..=9).contains(&national.len()) && national.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_numbers() {
        // Synthetic numbers with valid check digits (Skatteverket's test-number style).
        assert!(is_personal_number("8112189876"));
        assert!(has_personal_number("811218-9876"));
        assert!(has_personal_number("19811218-9876"));
        assert!(has_personal_number("198112189876"));
        assert!(has_personal_number("född 811218+9876 enligt blanketten"));
        // Samordningsnummer: day + 60.
        assert!(is_personal_number("8112789873"));
        // Wrong check digit, impossible date, too few digits.
        assert!(!is_personal_number("8112189875"));
        assert!(!has_personal_number("811318-9876"));
        assert!(!has_personal_number("11218-9876"));
        assert!(!has_personal_number("2021"));
    }

    #[test]
    fn emails_and_phones() {
        assert!(has_email("skriv till anna.svensson@example.se tack"));
        assert!(has_email("<a@b.nu>"));
        assert!(!has_email("@hemma"));
        assert!(!has_email("a@b"));
        assert!(has_phone("ring 070-123 45 67"));
        assert!(has_phone("08-123 456 78"));
        assert!(has_phone("+46 70 123 45 67"));
        assert!(has_phone("0046701234567"));
        assert!(!has_phone("1 234"));
        assert!(!has_phone("0,93"));
        assert!(!has_phone("2021"));
    }

    #[test]
    fn identifier_headers() {
        for h in [
            "Namn",
            "förnamn",
            "E-post",
            "Telefon",
            "Personnummer",
            "Respondentens namn",
            "e_post_adress",
            "Adress",
        ] {
            assert!(header_is_identifier(h), "{h}");
        }
        for h in [
            "kön",
            "åldersklass",
            "stadsdelsområde",
            "vikt",
            "kommentar",
            "lopnr",
            "f_soc",
            "modersmålsundervisning",
        ] {
            assert!(!header_is_identifier(h), "{h}");
        }
    }
}
