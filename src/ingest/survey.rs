//! Reads a survey export into a table, whatever the format: CSV (UTF-8 with
//! or without BOM, or Windows-1252 as Swedish Excel saves it; `,`, `;` or
//! tab, detected), `.xlsx`/`.xls`/`.ods`, or Parquet.
//!
//! CSV and workbook cells are read as text, as written: the anonymity gate
//! must see them before anything else interprets the data. Parquet keeps its
//! column types, which the gate and the codebook read as they are.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader};
use polars::prelude::*;

use super::Refusal;

/// File types taken as survey exports.
pub const EXTENSIONS: [&str; 5] = ["csv", "txt", "tsv", "parquet", "xlsx"];

/// A survey file as read, with its original headers.
#[derive(Clone, Debug)]
pub struct SurveyTable {
    pub file: String,
    pub path: PathBuf,
    pub sha256: String,
    pub frame: DataFrame,
    /// What was read, e.g. "CSV, Windows-1252, semikolon".
    pub format: String,
}

fn refusal(file: &str, message: String) -> Refusal {
    Refusal {
        file: file.to_string(),
        sheet: None,
        cell: None,
        message,
    }
}

pub fn read(path: &Path) -> Result<SurveyTable, Refusal> {
    let file = path.display().to_string();
    let bytes =
        std::fs::read(path).map_err(|e| refusal(&file, format!("filen kan inte läsas: {e}")))?;
    let sha256 = super::sha256_hex(&bytes);
    if bytes.is_empty() {
        return Err(refusal(
            &file,
            "filen är tom (0 byte). Exportera enkätsvaren på nytt.".into(),
        ));
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .unwrap_or_default();
    let (frame, format) = match ext.as_str() {
        "parquet" => (read_parquet(bytes, &file)?, "Parquet".to_string()),
        "xlsx" | "xlsm" | "xls" | "ods" => (read_workbook(&bytes, &file)?, "arbetsbok".to_string()),
        _ => read_csv(&bytes, &file)?,
    };
    if frame.height() == 0 {
        return Err(refusal(
            &file,
            "filen har rubriker men inga svar. Exportera enkätsvaren på nytt.".into(),
        ));
    }
    Ok(SurveyTable {
        file,
        path: path.to_path_buf(),
        sha256,
        frame,
        format,
    })
}

/// Decodes CSV bytes to text: UTF-8 (a BOM is dropped) or Windows-1252.
/// Anything else is refused, since guessing would garble the answers.
pub fn decode(bytes: &[u8], file: &str) -> Result<(String, &'static str), Refusal> {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return std::str::from_utf8(&bytes[3..])
            .map(|s| (s.to_string(), "UTF-8 med BOM"))
            .map_err(|_| refusal(file, "filen börjar som UTF-8 men innehåller ogiltiga tecken. Spara den på nytt som UTF-8.".into()));
    }
    let utf16 = bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]);
    if utf16 || bytes.iter().take(4096).any(|b| *b == 0) {
        return Err(refusal(
            file,
            "filen är varken UTF-8 eller Windows-1252 (den ser ut att vara UTF-16 eller binär). Spara den som CSV UTF-8 (i Excel: Spara som > CSV UTF-8).".into(),
        ));
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok((s.to_string(), "UTF-8"));
    }
    // Bytes Windows-1252 leaves undefined mean another code page.
    if bytes
        .iter()
        .any(|b| matches!(b, 0x81 | 0x8D | 0x8F | 0x90 | 0x9D))
    {
        return Err(refusal(
            file,
            "filen är varken UTF-8 eller Windows-1252. Spara den som CSV UTF-8 (i Excel: Spara som > CSV UTF-8).".into(),
        ));
    }
    let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
    // The old DOS code pages put ä, å, ö where Windows-1252 has „ † ”.
    let dos = text
        .chars()
        .filter(|c| matches!(c, '„' | '†' | '”' | 'Ž' | '™'))
        .count();
    let swedish = text.chars().filter(|c| "åäöÅÄÖ".contains(*c)).count();
    if dos > 0 && dos >= swedish {
        return Err(refusal(
            file,
            "filen är varken UTF-8 eller Windows-1252 (den ser ut att vara en gammal DOS-kodning, t.ex. CP850). Spara den som CSV UTF-8 (i Excel: Spara som > CSV UTF-8).".into(),
        ));
    }
    Ok((text.into_owned(), "Windows-1252"))
}

/// The delimiter that splits the header line most: `;`, `,` or tab.
pub fn detect_separator(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or("");
    let mut counts = [(b';', 0usize), (b',', 0), (b'\t', 0)];
    let mut quoted = false;
    for c in header.bytes() {
        if c == b'"' {
            quoted = !quoted;
        } else if !quoted {
            for (sep, n) in counts.iter_mut() {
                if c == *sep {
                    *n += 1;
                }
            }
        }
    }
    // Ties go to the order above: Swedish exports use `;`.
    let best = counts
        .iter()
        .max_by_key(|(_, n)| *n)
        .copied()
        .unwrap_or((b',', 0));
    if best.1 == 0 { b',' } else { best.0 }
}

fn read_csv(bytes: &[u8], file: &str) -> Result<(DataFrame, String), Refusal> {
    let (text, encoding) = decode(bytes, file)?;
    let sep = detect_separator(&text);
    let frame = CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .map_parse_options(|o| o.with_separator(sep))
        .into_reader_with_file_handle(Cursor::new(text.into_bytes()))
        .finish()
        .map_err(|e| refusal(file, format!("CSV-filen går inte att läsa ({}). Kontrollera att den är en export av enkätsvaren.", first_line(&e.to_string()))))?;
    let sep_name = match sep {
        b';' => "semikolon",
        b'\t' => "tabb",
        _ => "komma",
    };
    Ok((frame, format!("CSV, {encoding}, {sep_name}")))
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

fn read_parquet(bytes: Vec<u8>, file: &str) -> Result<DataFrame, Refusal> {
    ParquetReader::new(Cursor::new(bytes))
        .finish()
        .map_err(|e| {
            refusal(
                file,
                format!(
                    "Parquet-filen går inte att läsa ({}).",
                    first_line(&e.to_string())
                ),
            )
        })
}

fn read_workbook(bytes: &[u8], file: &str) -> Result<DataFrame, Refusal> {
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes.to_vec()))
        .map_err(|e| refusal(file, format!("arbetsboken går inte att läsa ({e}).")))?;
    let Some(Ok(range)) = book.worksheet_range_at(0) else {
        return Err(refusal(
            file,
            "arbetsboken har inget blad som går att läsa.".into(),
        ));
    };
    let mut rows = range.rows();
    let Some(header) = rows.next() else {
        return Err(refusal(file, "arbetsbokens första blad är tomt.".into()));
    };
    let names: Vec<String> = header
        .iter()
        .map(cell_text)
        .map(|s| s.unwrap_or_default())
        .collect();
    let mut columns: Vec<Vec<Option<String>>> = vec![Vec::new(); names.len()];
    for row in rows {
        for (i, col) in columns.iter_mut().enumerate() {
            col.push(row.get(i).and_then(cell_text));
        }
    }
    let columns: Vec<Column> = names
        .iter()
        .zip(columns)
        .map(|(n, v)| Column::new(n.as_str().into(), v))
        .collect();
    DataFrame::new_infer_height(columns)
        .map_err(|e| refusal(file, first_line(&e.to_string()).to_string()))
}

fn cell_text(d: &Data) -> Option<String> {
    match d {
        Data::Empty => None,
        Data::String(s) => Some(s.clone()),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => Some(format!("{}", *f as i64)),
        Data::Float(f) => Some(f.to_string()),
        Data::Int(i) => Some(i.to_string()),
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators() {
        assert_eq!(detect_separator("a;b;c\n1;2;3"), b';');
        assert_eq!(detect_separator("a,b,c\n"), b',');
        assert_eq!(detect_separator("a\tb\tc\n"), b'\t');
        assert_eq!(detect_separator("\"a;x\",b,c\n"), b',');
        assert_eq!(detect_separator("a\n"), b',');
    }

    #[test]
    fn encodings() {
        assert_eq!(
            decode("kön\n".as_bytes(), "f").unwrap(),
            ("kön\n".to_string(), "UTF-8")
        );
        let bom = [&[0xEF, 0xBB, 0xBF][..], "kön".as_bytes()].concat();
        assert_eq!(decode(&bom, "f").unwrap().0, "kön");
        let cp1252 = b"k\xf6n;\xe5lder\n";
        assert_eq!(
            decode(cp1252, "f").unwrap(),
            ("kön;ålder\n".to_string(), "Windows-1252")
        );
        let utf16 = [0xFF, 0xFE, b'k', 0, b'o', 0];
        assert!(decode(&utf16, "f").unwrap_err().message.contains("UTF-16"));
        // "kön;åtgärd" in CP850: ö = 0x94, å = 0x86, ä = 0x84.
        let cp850 = b"k\x94n;\x86tg\x84rd\n";
        assert!(decode(cp850, "f").unwrap_err().message.contains("DOS"));
    }
}
