//! The anonymity gate: a survey file that holds a direct identifier is refused
//! whole, before anything else reads it. Messages name the column and how many
//! rows matched, never a value.

use polars::prelude::*;

mod candidates;
mod scan;

use candidates::candidates;
use scan::plain;
pub use scan::scan;

/// Header words that name a direct identifier, as [`plain`] folds them
/// (lower case, å/ä/ö to a/o, only letters and digits).
const IDENTIFIER_HEADERS: [&str; 47] = [
    "namn",
    "fornamn",
    "efternamn",
    "tilltalsnamn",
    "mellannamn",
    "fullstandigtnamn",
    "name",
    "firstname",
    "lastname",
    "surname",
    "fullname",
    "adress",
    "gatuadress",
    "postadress",
    "hemadress",
    "address",
    "postnr",
    "postnummer",
    "personnummer",
    "personnr",
    "persnr",
    "pnr",
    "samordningsnummer",
    "samordningsnr",
    "ssn",
    "epost",
    "epostadress",
    "email",
    "emailadress",
    "mejl",
    "mejladress",
    "mail",
    "mailadress",
    "telefon",
    "telefonnummer",
    "telefonnr",
    "tel",
    "telnr",
    "tfn",
    "tfnnr",
    "phone",
    "mobil",
    "mobilnummer",
    "mobilnr",
    "mobiltelefon",
    "mobiltel",
    "ipadress",
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

/// What the gate found in a column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Found {
    /// The header names a direct identifier.
    HeaderName,
    /// The header itself holds one (an export without a header row).
    HeaderValue(Identifier),
    /// Cells hold one, on this many rows.
    Values(Identifier, usize),
    /// A type a survey export does not have (lists, structs, bytes), which
    /// the gate cannot look inside.
    Nested,
    /// A title row above a workbook's header row holds one.
    AboveHeader(Identifier),
}

/// A reason to refuse the file: a column, by its position (counted from 1),
/// and what it holds. Never the header's text, which may itself be the
/// identifier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    pub column: usize,
    pub found: Found,
}

/// Letters and digits only, å/ä/ö (and accents) to their base letter.
fn fold(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    plain(s)
        .nfd()
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
    let words: Vec<String> = plain(header)
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
/// The few cells that could hold an identifier are picked out first; only
/// those are checked in full, where the date and Luhn checks live. Columns
/// are looked at side by side on the run's thread pool.
pub fn gate(frame: &DataFrame) -> PolarsResult<Vec<Hit>> {
    use rayon::prelude::*;
    let found: Vec<PolarsResult<Vec<Found>>> = crate::pool::install(|| {
        frame
            .columns()
            .par_iter()
            .map(|column| column_findings(frame, column))
            .collect()
    });
    let mut hits = Vec::new();
    for (i, found) in found.into_iter().enumerate() {
        hits.extend(found?.into_iter().map(|found| Hit {
            column: i + 1,
            found,
        }));
    }
    Ok(hits)
}

/// What the gate finds in one column: its header, or the kinds of
/// identifier in its cells with how many cells hold each.
fn column_findings(frame: &DataFrame, column: &Column) -> PolarsResult<Vec<Found>> {
    let name = column.name().to_string();
    if header_is_identifier(&name) {
        return Ok(vec![Found::HeaderName]);
    }
    if let Some(kind) = scan(&name) {
        return Ok(vec![Found::HeaderValue(kind)]);
    }
    let Some(cells) = candidates(frame, &name, column.dtype())? else {
        return Ok(vec![Found::Nested]);
    };
    let mut counts = [0usize; 3];
    for v in &cells {
        if let Some(kind) = scan(v) {
            counts[kind as usize] += 1;
        }
    }
    let kinds = [
        Identifier::PersonalNumber,
        Identifier::Email,
        Identifier::Phone,
    ];
    Ok(kinds
        .into_iter()
        .zip(counts)
        .filter(|(_, n)| *n > 0)
        .map(|(kind, n)| Found::Values(kind, n))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

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
