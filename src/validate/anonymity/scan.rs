//! What counts as a direct identifier in a cell: a personnummer or
//! samordningsnummer, an e-mail address or a phone number, however written.

use super::Identifier;

/// Text as a person reads it: NFKC (fullwidth and other compatibility forms
/// to their plain letters and digits), any decimal digit to ASCII, Cyrillic
/// and Greek look-alikes to the Latin letter they imitate, lower case.
pub fn plain(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfkc()
        .map(|c| digit(c).or_else(|| confusable(c)).unwrap_or(c))
        .flat_map(char::to_lowercase)
        .map(|c| confusable(c).unwrap_or(c))
        .collect()
}

/// A non-ASCII decimal digit as ASCII. Unicode keeps each script's digits
/// in a run of ten from zero, so the value is how far back the run begins.
fn digit(c: char) -> Option<char> {
    if c.is_ascii() || !c.is_numeric() {
        return None;
    }
    let mut value = 0u32;
    let mut code = c as u32;
    while value < 9 {
        match char::from_u32(code - 1) {
            Some(prev) if prev.is_numeric() && !prev.is_ascii() => {
                value += 1;
                code -= 1;
            }
            _ => break,
        }
    }
    char::from_digit(value, 10)
}

/// The Latin letter a Cyrillic or Greek look-alike imitates.
fn confusable(c: char) -> Option<char> {
    const PAIRS: [(char, char); 66] = [
        ('А', 'a'),
        ('В', 'b'),
        ('Е', 'e'),
        ('К', 'k'),
        ('М', 'm'),
        ('Н', 'h'),
        ('О', 'o'),
        ('Р', 'p'),
        ('С', 'c'),
        ('Т', 't'),
        ('Х', 'x'),
        ('Ѕ', 's'),
        ('І', 'i'),
        ('Ј', 'j'),
        ('Α', 'a'),
        ('Β', 'b'),
        ('Ε', 'e'),
        ('Η', 'h'),
        ('Ι', 'i'),
        ('Κ', 'k'),
        ('Μ', 'm'),
        ('Ν', 'n'),
        ('Ο', 'o'),
        ('Ρ', 'p'),
        ('Τ', 't'),
        ('Υ', 'y'),
        ('Χ', 'x'),
        ('Ζ', 'z'),
        ('а', 'a'),
        ('в', 'b'),
        ('е', 'e'),
        ('ё', 'e'),
        ('к', 'k'),
        ('м', 'm'),
        ('н', 'h'),
        ('о', 'o'),
        ('р', 'p'),
        ('с', 'c'),
        ('т', 't'),
        ('у', 'y'),
        ('х', 'x'),
        ('ѕ', 's'),
        ('і', 'i'),
        ('ї', 'i'),
        ('ј', 'j'),
        ('һ', 'h'),
        ('ԁ', 'd'),
        ('ԛ', 'q'),
        ('ԝ', 'w'),
        ('ɑ', 'a'),
        ('ı', 'i'),
        ('α', 'a'),
        ('β', 'b'),
        ('ε', 'e'),
        ('η', 'n'),
        ('ι', 'i'),
        ('κ', 'k'),
        ('μ', 'u'),
        ('ν', 'v'),
        ('ο', 'o'),
        ('ρ', 'p'),
        ('τ', 't'),
        ('υ', 'u'),
        ('χ', 'x'),
        ('ζ', 'z'),
        ('ω', 'w'),
    ];
    PAIRS.iter().find(|(from, _)| *from == c).map(|(_, to)| *to)
}

/// The first kind of direct identifier in a cell, if any.
pub fn scan(cell: &str) -> Option<Identifier> {
    let (text, uuid_heads) = without_stamps(&plain(cell));
    // Most cells are codes or labels: nothing to look for without digits or '@'.
    let digits = text.bytes().filter(|b| b.is_ascii_digit()).count();
    if has_email(&text) {
        return Some(Identifier::Email);
    }
    if uuid_heads.iter().any(|h| is_personal_number(h)) {
        return Some(Identifier::PersonalNumber);
    }
    if digits >= 9 && has_personal_number(&text) {
        return Some(Identifier::PersonalNumber);
    }
    if digits >= 7 && has_phone(&text) {
        return Some(Identifier::Phone);
    }
    None
}

/// The text with its date-times ("2012-06-22 00:00:00", "22.06.2012 13:45")
/// and UUIDs blanked: their digits, read across the separators, look like a
/// personnummer or a phone number. A plain date is left, having too few
/// digits to be either. A UUID's first twelve digits are given back apart:
/// a personnummer written "19811218-9876-…" is still to be caught.
fn without_stamps(text: &str) -> (String, Vec<String>) {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut kept = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let boundary = i == 0 || !chars[i - 1].is_alphanumeric();
        if boundary && let Some(end) = date_time_at(&chars, i) {
            out.push(' ');
            i = end;
        } else if boundary && let Some(end) = uuid_at(&chars, i) {
            let head: String = chars[i..i + 13].iter().filter(|c| **c != '-').collect();
            if head.chars().all(|c| c.is_ascii_digit()) {
                kept.push(head);
            }
            out.push(' ');
            i = end;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    (out, kept)
}

/// Whether `chars[i..]` starts with `n` ASCII digits, and their value.
fn digits_at(chars: &[char], i: usize, n: usize) -> Option<u32> {
    let run = chars.get(i..i + n)?;
    run.iter().all(char::is_ascii_digit).then(|| {
        run.iter()
            .fold(0, |v, c| v * 10 + c.to_digit(10).unwrap_or(0))
    })
}

/// The end of a date with a time of day that starts at `i`: year-month-day
/// or day.month.year, then a space or `T` and hours:minutes, with seconds
/// and their fraction if there.
fn date_time_at(chars: &[char], i: usize) -> Option<usize> {
    let sep = |at: usize| chars.get(at).is_some_and(|c| matches!(c, '-' | '.' | '/'));
    let (month, day) = if digits_at(chars, i, 4).is_some() && sep(i + 4) && sep(i + 7) {
        (digits_at(chars, i + 5, 2)?, digits_at(chars, i + 8, 2)?)
    } else if sep(i + 2) && sep(i + 5) && digits_at(chars, i + 6, 4).is_some() {
        (digits_at(chars, i + 3, 2)?, digits_at(chars, i, 2)?)
    } else {
        return None;
    };
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let t = i + 10;
    if !matches!(chars.get(t), Some(' ' | 't')) || chars.get(t + 3) != Some(&':') {
        return None;
    }
    let (hour, minute) = (digits_at(chars, t + 1, 2)?, digits_at(chars, t + 4, 2)?);
    if hour > 23 || minute > 59 {
        return None;
    }
    let mut end = t + 6;
    if chars.get(end) == Some(&':') && digits_at(chars, end + 1, 2).is_some_and(|s| s < 61) {
        end += 3;
        if chars.get(end) == Some(&'.') {
            end += 1;
            while chars.get(end).is_some_and(char::is_ascii_digit) {
                end += 1;
            }
        }
    }
    Some(end)
}

/// The end of a UUID (8-4-4-4-12 hex digits) that starts at `i`, if one does
/// and is not followed by more letters or digits.
fn uuid_at(chars: &[char], i: usize) -> Option<usize> {
    let mut at = i;
    for (n, len) in [8, 4, 4, 4, 12].into_iter().enumerate() {
        if n > 0 {
            (chars.get(at) == Some(&'-')).then_some(())?;
            at += 1;
        }
        let run = chars.get(at..at + len)?;
        run.iter().all(char::is_ascii_hexdigit).then_some(())?;
        at += len;
    }
    (!chars.get(at).is_some_and(|c| c.is_alphanumeric())).then_some(at)
}

/// A hyphen or any dash a word processor puts in its place ("19811218 –
/// 9876"): the en and em dashes, the minus sign and their kin.
fn dash(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}'
    )
}

/// Groups of digits that a person would read as one number: digits split by
/// up to three spaces, dashes or plus signs ("81 12 18 - 9876"), or by a
/// dot after two digits ("81.12.18"), but not a decimal point ("0.81121…").
fn digit_groups(cell: &str) -> Vec<Vec<String>> {
    let chars: Vec<char> = cell.chars().collect();
    let mut numbers: Vec<Vec<String>> = Vec::new();
    let mut groups: Vec<String> = Vec::new();
    let mut group = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() {
            group.push(c);
            i += 1;
            continue;
        }
        let mut j = i;
        while j < chars.len()
            && j - i < 3
            && (matches!(chars[j], ' ' | '+' | '.') || dash(chars[j]))
        {
            j += 1;
        }
        let dot_ok = !chars[i..j].contains(&'.') || group.len() == 2;
        let next_digit = chars.get(j.max(i + 1)).is_some_and(|c| c.is_ascii_digit());
        let joins = !group.is_empty() && j > i && dot_ok && next_digit;
        // "0.8112189876": the digits after a decimal point are a fraction.
        let decimal_point = !group.is_empty()
            && !joins
            && matches!(c, '.' | ',')
            && chars.get(i + 1).is_some_and(|c| c.is_ascii_digit());
        if !group.is_empty() {
            groups.push(std::mem::take(&mut group));
        }
        if !joins && !groups.is_empty() {
            numbers.push(std::mem::take(&mut groups));
        }
        i = j.max(i + 1);
        if decimal_point {
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
        }
    }
    if !group.is_empty() {
        groups.push(group);
    }
    if !groups.is_empty() {
        numbers.push(groups);
    }
    numbers
}

/// A personnummer or samordningsnummer anywhere in the cell, however its
/// digits are grouped: each run of whole groups of 10 or 12 digits is tried.
pub fn has_personal_number(cell: &str) -> bool {
    digit_groups(cell).iter().any(|groups| {
        (0..groups.len()).any(|start| {
            let mut digits = String::new();
            for g in &groups[start..] {
                digits.push_str(g);
                if digits.len() > 12 {
                    break;
                }
                if is_personal_number(&digits) {
                    return true;
                }
            }
            false
        })
    })
}

/// A personnummer or samordningsnummer: 10 or 12 digits, a valid date (day
/// + 60 for a samordningsnummer), and a valid Luhn check digit.
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

/// An e-mail address, also written the ways people hide one from robots:
/// "anna at example dot se", "anna(at)example.se", "anna @ example.se",
/// "mailto:anna@example.se". `cell` is already [`plain`].
pub fn has_email(cell: &str) -> bool {
    let mut t = format!(" {cell} ");
    for (from, to) in [
        ("mailto:", " "),
        (" (at) ", "@"),
        (" [at] ", "@"),
        (" (dot) ", "."),
        (" [dot] ", "."),
        ("(at)", "@"),
        ("[at]", "@"),
        ("{at}", "@"),
        ("(snabel-a)", "@"),
        (" snabel-a ", "@"),
        (" at ", "@"),
        ("(dot)", "."),
        ("[dot]", "."),
        (" dot ", "."),
        (" punkt ", "."),
        ("﹫", "@"),
    ] {
        t = t.replace(from, to);
    }
    for (from, to) in [(" @", "@"), ("@ ", "@")] {
        while t.contains(from) {
            t = t.replace(from, to);
        }
    }
    t.contains('@')
        && t.split(|c: char| {
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

/// A Swedish phone number: +46, 0046 or 46 and 7–9 digits, or a 0 and 7–9
/// digits (08-123 456 78, 070-123 45 67, 070.123.45.67), written with
/// spaces, dashes, dots, slashes or not.
pub fn has_phone(cell: &str) -> bool {
    let chars: Vec<char> = cell.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let start_ok = i == 0 || !chars[i - 1].is_ascii_alphanumeric();
        if start_ok && (chars[i] == '+' || chars[i].is_ascii_digit()) {
            // Take the longest stretch of digits, spaces, dashes and one leading '+'.
            let mut j = i;
            let mut after_digit = i;
            let mut digits = String::new();
            if chars[j] == '+' {
                digits.push('+');
                j += 1;
            }
            while j < chars.len()
                && (chars[j].is_ascii_digit()
                    || chars[j] == ' '
                    || chars[j] == '-'
                    || chars[j] == '.'
                    || chars[j] == '/'
                    || chars[j] == '('
                    || chars[j] == ')')
            {
                if chars[j].is_ascii_digit() {
                    digits.push(chars[j]);
                    after_digit = j + 1;
                }
                j += 1;
            }
            // What follows the last digit decides: "070-123 45 67 om" ends at
            // the space, not at the word after it.
            let end_ok = after_digit == chars.len() || !chars[after_digit].is_ascii_alphanumeric();
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
    } else if let Some(rest) = d.strip_prefix("46") {
        // Without + or 00, only a full mobile-length number is taken.
        if rest.len() != 9 || rest.starts_with('0') {
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
    use crate::validate::anonymity::header_is_identifier;

    #[test]
    fn personal_numbers() {
        // Synthetic numbers with valid check digits (Skatteverket's test-number style).
        assert!(is_personal_number("8112189876"));
        assert!(has_personal_number("811218-9876"));
        assert!(has_personal_number("19811218-9876"));
        assert!(has_personal_number("198112189876"));
        assert!(has_personal_number("född 811218+9876 enligt blanketten"));
        // The dashes a word processor writes for a hyphen, and a no-break space.
        for written in [
            "19811218 – 9876",
            "811218—9876",
            "811218−9876",
            "811218\u{2011}9876",
        ] {
            assert!(has_personal_number(written), "{written}");
        }
        assert_eq!(
            scan("ring 811218\u{00A0}9876"),
            Some(Identifier::PersonalNumber)
        );
        // Samordningsnummer: day + 60.
        assert!(is_personal_number("8112789873"));
        // Wrong check digit, impossible date, too few digits.
        assert!(!is_personal_number("8112189875"));
        assert!(!has_personal_number("811318-9876"));
        assert!(!has_personal_number("11218-9876"));
        assert!(!has_personal_number("2021"));
    }

    #[test]
    fn date_times_and_uuids_are_not_identifiers_but_a_personnummer_beside_them_is() {
        for cell in [
            "2012-06-22 00:00:00",
            "2012-06-22 00:00:00.000000",
            "2019-03-07T07:01:23",
            "07.01.2019 07:01",
            "2012-06-22 00:00",
            "550e8400-e29b-41d4-a716-446655440000",
            "07012345-6789-4123-8456-070123456789",
            "00000000-0000-0000-0000-008112189876",
            "00461234-0012-4abc-8def-0123456789ab",
        ] {
            assert_eq!(scan(cell), None, "{cell}");
        }
        for cell in [
            "19811218-9876-4abc-8def-0123456789ab",
            "2012-06-22 00:00:00 811218-9876",
            "1981-12-18 9876",
            "8112189876",
        ] {
            assert!(scan(cell).is_some(), "{cell}");
        }
    }

    #[test]
    fn emails_and_phones() {
        assert!(has_email("skriv till anna.svensson@example.se tack"));
        assert!(has_email("<a@b.nu>"));
        assert!(!has_email("@hemma"));
        assert!(!has_email("a@b"));
        assert!(has_phone("ring 070-123 45 67"));
        // A word after the number does not hide it (it did, before a space).
        assert!(has_phone("Ring 070-123 45 67 om du undrar."));
        assert!(!has_phone("070-123 45 67x"));
        assert!(has_phone("08-123 456 78"));
        assert!(has_phone("+46 70 123 45 67"));
        assert!(has_phone("0046701234567"));
        assert!(!has_phone("1 234"));
        assert!(!has_phone("0,93"));
        assert!(!has_phone("2021"));
    }

    #[test]
    fn written_forms() {
        for cell in [
            "född 811218 9876",
            "81 12 18 - 9876",
            "81.12.18-9876",
            "８１１２１８－９８７６",
            "٨١١٢١٨-٩٨٧٦",
        ] {
            assert_eq!(scan(cell), Some(Identifier::PersonalNumber), "{cell}");
        }
        for cell in [
            "anna at example dot se",
            "anna(at)example.se",
            "anna [at] example [dot] se",
            "anna.svensson @ example.se",
            "mailto:anna@example.se",
            "anna＠example.se",
        ] {
            assert_eq!(scan(cell), Some(Identifier::Email), "{cell}");
        }
        for cell in [
            "070.123.45.67",
            "46701234567",
            "070/123 45 67",
            "+46 (0)70-123 45 67",
        ] {
            assert_eq!(scan(cell), Some(Identifier::Phone), "{cell}");
        }
        for cell in [
            "0.8112189876",
            "0,8112189876",
            "Mötet 2019-05-06 kl 14.30 i lokal 1234567",
            "R0000012345",
        ] {
            assert_eq!(scan(cell), None, "{cell}");
        }
        for h in [
            "Personnr",
            "Mobilnr",
            "Tfn",
            "Telnr",
            "Ｎａｍｎ",
            "Nаmn",
            "ΝΑΜΝ",
            "E-post",
            "postnr",
        ] {
            assert!(header_is_identifier(h), "{h}");
        }
    }
}
