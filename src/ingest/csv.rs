//! A survey export as CSV text: its encoding, its delimiter and its shape,
//! checked before polars parses it. Problems are told by line and column,
//! never by quoting the text: a survey file may hold what must not be shown.

/// Limits on a CSV file's shape, so that one huge line or header cannot take
/// the memory a whole file may.
pub const MAX_COLUMNS: usize = 1_000;
pub const MAX_LINE_BYTES: usize = 1_000_000;

/// What is wrong with a CSV file, and where (lines and columns count from 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CsvProblem {
    /// Invalid UTF-8 in a file that is otherwise UTF-8.
    BrokenUtf8 {
        line: usize,
    },
    Utf16,
    /// UTF-16 with a BOM, but with a broken character or an odd byte count.
    BrokenUtf16,
    /// Bytes that are neither UTF-8 nor Swedish text in Windows-1252.
    UnknownEncoding,
    /// An old DOS code page (CP850/437), where Windows-1252 expects letters.
    DosEncoding,
    TooManyColumns(usize),
    LongLine {
        line: usize,
    },
    UnclosedQuote {
        line: usize,
        column: usize,
    },
    /// A row with another number of fields than the header.
    Fields {
        line: usize,
        found: usize,
        expected: usize,
    },
    /// A row whose fields are split by another delimiter than the header's.
    MixedDelimiters {
        line: usize,
    },
}

impl CsvProblem {
    /// The Swedish message, with what to do.
    pub fn message(&self) -> String {
        const RESAVE: &str = "Spara den som CSV UTF-8 (i Excel: Spara som > CSV UTF-8).";
        match self {
            CsvProblem::BrokenUtf8 { line } => format!(
                "filen är UTF-8 men har ogiltiga tecken på rad {line}; den har troligen sparats ihop från olika kodningar. {RESAVE}"
            ),
            CsvProblem::Utf16 => format!(
                "filen är varken UTF-8 eller Windows-1252 (den ser ut att vara UTF-16 utan BOM, eller binär). {RESAVE}"
            ),
            CsvProblem::BrokenUtf16 => format!(
                "filen är UTF-16 (Unicode-text) men har ogiltiga tecken eller slutar mitt i ett tecken. {RESAVE}"
            ),
            CsvProblem::UnknownEncoding => format!(
                "filen är varken UTF-8 eller Windows-1252 (den har tecken som inte hör till svensk text i någon av dem). {RESAVE}"
            ),
            CsvProblem::DosEncoding => format!(
                "filen är varken UTF-8 eller Windows-1252 (den ser ut att vara en gammal DOS-kodning, t.ex. CP850). {RESAVE}"
            ),
            CsvProblem::TooManyColumns(n) => format!(
                "rubrikraden har {n} kolumner, fler än gränsen {MAX_COLUMNS}. Exportera bara enkätens frågor."
            ),
            CsvProblem::LongLine { line } => format!(
                "rad {line} är längre än {MAX_LINE_BYTES} byte, vilket ingen enkätrad är. Kontrollera att filen är en export av enkätsvaren."
            ),
            CsvProblem::UnclosedQuote { line, column } => format!(
                "rad {line}, kolumn {column}: ett citattecken (\") öppnas men stängs aldrig, så resten av filen skulle läsas som ett enda värde. Rätta exporten och skicka den igen."
            ),
            CsvProblem::Fields {
                line,
                found,
                expected,
            } => format!(
                "rad {line} har {found} fält men rubrikraden har {expected}. Rätta raden eller exportera filen på nytt."
            ),
            CsvProblem::MixedDelimiters { line } => format!(
                "rad {line} delas av ett annat avgränsningstecken än rubrikraden (t.ex. komma i stället för semikolon). Exportera filen på nytt med samma avgränsare genomgående."
            ),
        }
    }
}

/// The first line longer than [`MAX_LINE_BYTES`], found in the raw bytes
/// before anything is decoded or copied.
pub fn long_line(bytes: &[u8]) -> Option<CsvProblem> {
    let end = if memchr::memchr(b'\n', bytes).is_none() {
        b'\r'
    } else {
        b'\n'
    };
    bytes
        .split(|b| *b == end)
        .position(|line| line.len() > MAX_LINE_BYTES)
        .map(|i| CsvProblem::LongLine { line: i + 1 })
}

/// Decodes CSV bytes to text: UTF-8 (a BOM is dropped) or Windows-1252.
/// Anything else is refused, since guessing would garble the answers.
pub fn decode(bytes: &[u8]) -> Result<(String, &'static str), CsvProblem> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return std::str::from_utf8(rest)
            .map(|s| (s.to_string(), "UTF-8 med BOM"))
            .map_err(|e| CsvProblem::BrokenUtf8 {
                line: line_at(rest, e.valid_up_to()),
            });
    }
    if let Some(decoded) = utf16(bytes) {
        return decoded;
    }
    if bytes.iter().take(4096).any(|b| *b == 0) {
        return Err(CsvProblem::Utf16);
    }
    let valid_up_to = match std::str::from_utf8(bytes) {
        Ok(s) => return Ok((s.to_string(), "UTF-8")),
        Err(e) => e.valid_up_to(),
    };
    // UTF-8 letters before the first invalid byte: a UTF-8 file that is broken.
    if !bytes[..valid_up_to].is_ascii() {
        return Err(CsvProblem::BrokenUtf8 {
            line: line_at(bytes, valid_up_to),
        });
    }
    windows_1252(bytes)
}

/// UTF-16 with its BOM, as Excel saves "Unicode text"; `None` without a BOM.
fn utf16(bytes: &[u8]) -> Option<Result<(String, &'static str), CsvProblem>> {
    let (encoding, rest) = match bytes {
        [0xFF, 0xFE, rest @ ..] => (encoding_rs::UTF_16LE, rest),
        [0xFE, 0xFF, rest @ ..] => (encoding_rs::UTF_16BE, rest),
        _ => return None,
    };
    let (text, broken) = encoding.decode_without_bom_handling(rest);
    Some(if broken || rest.len() % 2 == 1 {
        Err(CsvProblem::BrokenUtf16)
    } else {
        Ok((text.into_owned(), "UTF-16"))
    })
}

/// The text with its lines ended by LF: a file whose lines end with CR
/// alone (old Mac programs, some exports) becomes one line otherwise.
pub fn line_ends(text: String) -> (String, Option<&'static str>) {
    if text.contains('\n') || !text.contains('\r') {
        return (text, None);
    }
    (text.replace('\r', "\n"), Some("radslut CR"))
}

fn line_at(bytes: &[u8], offset: usize) -> usize {
    bytes[..offset].iter().filter(|b| **b == b'\n').count() + 1
}

/// Windows-1252, if every byte above ASCII is a letter or a sign Swedish
/// text uses; otherwise the file is in some other encoding.
fn windows_1252(bytes: &[u8]) -> Result<(String, &'static str), CsvProblem> {
    let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
    // The old DOS code pages put ä, å, ö where Windows-1252 has „ † ”.
    let dos = text
        .chars()
        .filter(|c| matches!(c, '„' | '†' | '”' | 'Ž' | '™'))
        .count();
    let swedish = text.chars().filter(|c| "åäöÅÄÖ".contains(*c)).count();
    if dos > 0 && dos >= swedish {
        return Err(CsvProblem::DosEncoding);
    }
    let plausible = |c: char| {
        c.is_ascii()
            || c.is_alphabetic()
            || "–—‘’‚“”„•…€°±§½¼¾·«»×÷¨´©®£¥¢¤¹²³ºª¶µ‰†‡‹›¡¿\u{a0}\u{ad}".contains(c)
    };
    if !text.chars().all(plausible) {
        return Err(CsvProblem::UnknownEncoding);
    }
    Ok((text.into_owned(), "Windows-1252"))
}

/// The delimiter that splits the header line most: `;`, `,` or tab.
pub fn detect_separator(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or("");
    let counts = separator_counts(header.as_bytes());
    // Ties go to the order of SEPARATORS: Swedish exports use `;`.
    let best = SEPARATORS
        .iter()
        .zip(counts)
        .max_by_key(|(_, n)| *n)
        .map(|(s, n)| (*s, n))
        .unwrap_or((b',', 0));
    if best.1 == 0 { b',' } else { best.0 }
}

const SEPARATORS: [u8; 3] = [b';', b',', b'\t'];

/// How often each of [`SEPARATORS`] occurs outside quotes in a line.
fn separator_counts(line: &[u8]) -> [usize; 3] {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for c in line {
        if *c == b'"' {
            quoted = !quoted;
        } else if !quoted && let Some(i) = SEPARATORS.iter().position(|s| s == c) {
            counts[i] += 1;
        }
    }
    counts
}

/// Checks every record's shape in one pass: the header's width, each line's
/// length, quotes that close, and the same number of fields on every row.
pub fn check_shape(text: &str, sep: u8) -> Result<(), CsvProblem> {
    let bytes = text.as_bytes();
    let mut scan = Scan::new(sep);
    let mut i = 0;
    while i < bytes.len() {
        if let Some(len) = scan
            .plain_line(&bytes[i..])
            .map_err(|e| mixed(e, text, sep))?
        {
            i += len;
            continue;
        }
        scan.byte(bytes[i], bytes.get(i + 1).copied())
            .map_err(|e| mixed(e, text, sep))?;
        if scan.field_bytes > MAX_LINE_BYTES {
            return Err(CsvProblem::LongLine { line: scan.line });
        }
        i += 1;
    }
    scan.end(text)
}

/// The state of [`check_shape`]'s pass.
struct Scan {
    sep: u8,
    line: usize,
    record_line: usize,
    fields: usize,
    expected: Option<usize>,
    quoted: bool,
    quote_opened: (usize, usize),
    at_field_start: bool,
    /// Bytes since the record began.
    field_bytes: usize,
    /// Whether the record so far is only a line break.
    blank: bool,
    skip: bool,
}

impl Scan {
    fn new(sep: u8) -> Scan {
        Scan {
            sep,
            line: 1,
            record_line: 1,
            fields: 1,
            expected: None,
            quoted: false,
            quote_opened: (0, 0),
            at_field_start: true,
            field_bytes: 0,
            blank: true,
            skip: false,
        }
    }

    fn byte(&mut self, b: u8, next: Option<u8>) -> Result<(), CsvProblem> {
        self.field_bytes += 1;
        if b != b'\n' && b != b'\r' {
            self.blank = false;
        }
        if self.skip {
            self.skip = false;
            return Ok(());
        }
        if b == b'\n' {
            self.line += 1;
        }
        if self.quoted {
            if b == b'"' {
                if next == Some(b'"') {
                    self.skip = true; // an escaped quote
                } else {
                    self.quoted = false;
                }
            }
            return Ok(());
        }
        match b {
            b'"' if self.at_field_start => {
                self.quoted = true;
                self.quote_opened = (self.line, self.fields);
            }
            b'\n' => self.end_record()?,
            b'\r' => {}
            _ if b == self.sep => {
                self.fields += 1;
                if self.expected.is_none() && self.fields > MAX_COLUMNS {
                    return Err(CsvProblem::TooManyColumns(self.fields));
                }
                self.at_field_start = true;
                return Ok(());
            }
            _ => {}
        }
        self.at_field_start = b == b'\n';
        Ok(())
    }

    /// A whole line without quotes at the start of a record, after the
    /// header, taken at once (as [`Scan::byte`] would take it byte by byte):
    /// most survey rows are such lines, and counting separators with memchr
    /// is many times faster. Returns the bytes taken, or `None` to go byte by byte.
    fn plain_line(&mut self, rest: &[u8]) -> Result<Option<usize>, CsvProblem> {
        let at_record_start = self.expected.is_some()
            && self.fields == 1
            && self.field_bytes == 0
            && !self.quoted
            && !self.skip;
        if !at_record_start {
            return Ok(None);
        }
        let Some(end) = memchr::memchr(b'\n', rest) else {
            return Ok(None);
        };
        let line = &rest[..end];
        if memchr::memchr(b'"', line).is_some() {
            return Ok(None);
        }
        if line.len() > MAX_LINE_BYTES {
            return Err(CsvProblem::LongLine { line: self.line });
        }
        self.fields += memchr::memchr_iter(self.sep, line).count();
        self.blank = line.iter().all(|b| *b == b'\r');
        self.line += 1;
        self.end_record()?;
        self.at_field_start = true;
        Ok(Some(end + 1))
    }

    fn end_record(&mut self) -> Result<(), CsvProblem> {
        match self.expected {
            None => self.expected = Some(self.fields),
            Some(expected) if self.fields != expected && !self.blank => {
                return Err(CsvProblem::Fields {
                    line: self.record_line,
                    found: self.fields,
                    expected,
                });
            }
            Some(_) => {}
        }
        self.fields = 1;
        self.field_bytes = 0;
        self.blank = true;
        self.record_line = self.line;
        Ok(())
    }

    fn end(mut self, text: &str) -> Result<(), CsvProblem> {
        if self.quoted {
            let (line, column) = self.quote_opened;
            return Err(CsvProblem::UnclosedQuote { line, column });
        }
        if !self.blank {
            self.end_record().map_err(|e| mixed(e, text, self.sep))?;
        }
        Ok(())
    }
}

/// A row with the wrong number of fields that another delimiter would split
/// right is told as mixed delimiters.
pub fn mixed(e: CsvProblem, text: &str, sep: u8) -> CsvProblem {
    let CsvProblem::Fields { line, expected, .. } = e else {
        return e;
    };
    let row = text.lines().nth(line - 1).unwrap_or("");
    let counts = separator_counts(row.as_bytes());
    let other = SEPARATORS
        .iter()
        .zip(counts)
        .any(|(s, n)| *s != sep && n + 1 == expected);
    if other {
        CsvProblem::MixedDelimiters { line }
    } else {
        e
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
            decode("kön\n".as_bytes()).unwrap(),
            ("kön\n".to_string(), "UTF-8")
        );
        let bom = [&[0xEF, 0xBB, 0xBF][..], "kön".as_bytes()].concat();
        assert_eq!(decode(&bom).unwrap().0, "kön");
        let cp1252 = b"k\xf6n;\xe5lder\n";
        assert_eq!(
            decode(cp1252).unwrap(),
            ("kön;ålder\n".to_string(), "Windows-1252")
        );
        // Excel's "Unicode text": UTF-16 with a BOM, either byte order.
        assert_eq!(
            decode(&[0xFF, 0xFE, b'k', 0, 0xF6, 0]).unwrap(),
            ("kö".into(), "UTF-16")
        );
        assert_eq!(decode(&[0xFE, 0xFF, 0, b'k']).unwrap().0, "k");
        assert_eq!(decode(&[0xFF, 0xFE, b'k']), Err(CsvProblem::BrokenUtf16));
        assert_eq!(decode(&[b'k', 0, b'n', 0]), Err(CsvProblem::Utf16));
        // The signs Swedish text and its neighbours use: ©, £, €, ‰.
        assert_eq!(
            decode(b"\xa9 Stockholm;\xa3 och \x80;2\x89\n").unwrap().0,
            "© Stockholm;£ och €;2‰\n"
        );
        // "kön;åtgärd" in CP850: ö = 0x94, å = 0x86, ä = 0x84.
        assert_eq!(
            decode(b"k\x94n;\x86tg\x84rd\n"),
            Err(CsvProblem::DosEncoding)
        );
        let broken = [&b"a\n"[..], "kön\n".as_bytes(), b"\xff\xfe\xfd\n"].concat();
        assert_eq!(decode(&broken), Err(CsvProblem::BrokenUtf8 { line: 3 }));
        assert_eq!(
            decode(b"a;b\n\x81\x8d\x01\x02\n"),
            Err(CsvProblem::UnknownEncoding)
        );
    }

    #[test]
    fn lines_ended_by_cr_alone_become_lines() {
        assert_eq!(
            line_ends("a;b\r1;2\r".into()),
            ("a;b\n1;2\n".into(), Some("radslut CR"))
        );
        assert_eq!(line_ends("a;b\r\n1;2\r\n".into()).1, None);
        let long = format!("a\r{}\r", "x".repeat(MAX_LINE_BYTES + 1));
        assert_eq!(
            long_line(long.as_bytes()),
            Some(CsvProblem::LongLine { line: 2 })
        );
    }

    #[test]
    fn shapes() {
        assert_eq!(check_shape("a;b\n1;\"x;\"\"y\"\n\n", b';'), Ok(()));
        assert_eq!(check_shape("a;b\r\n1;2\r\n", b';'), Ok(()));
        assert_eq!(check_shape("a;b\n1;2", b';'), Ok(()));
        assert_eq!(
            check_shape("a;b\n1;2\n3;\"4\n5;6\n", b';'),
            Err(CsvProblem::UnclosedQuote { line: 3, column: 2 })
        );
        assert_eq!(
            check_shape("a;b\n1;2;3\n", b';'),
            Err(CsvProblem::Fields {
                line: 2,
                found: 3,
                expected: 2
            })
        );
        let mixed_rows = "a;b;c\n1;2;3\n4,5,6\n";
        let e = check_shape(mixed_rows, b';').unwrap_err();
        assert_eq!(
            mixed(e, mixed_rows, b';'),
            CsvProblem::MixedDelimiters { line: 3 }
        );
        let wide = vec!["x"; MAX_COLUMNS + 1].join(";");
        assert!(matches!(
            check_shape(&wide, b';'),
            Err(CsvProblem::TooManyColumns(_))
        ));
        let long = format!("a\n{}\n", "x".repeat(MAX_LINE_BYTES + 1));
        assert_eq!(
            check_shape(&long, b';'),
            Err(CsvProblem::LongLine { line: 2 })
        );
    }

    /// [`check_shape`] without its whole-line short cut.
    fn byte_by_byte(text: &str, sep: u8) -> Result<(), CsvProblem> {
        let mut scan = Scan::new(sep);
        for (i, &b) in text.as_bytes().iter().enumerate() {
            scan.byte(b, text.as_bytes().get(i + 1).copied())
                .map_err(|e| mixed(e, text, sep))?;
            if scan.field_bytes > MAX_LINE_BYTES {
                return Err(CsvProblem::LongLine { line: scan.line });
            }
        }
        scan.end(text)
    }

    #[test]
    fn whole_lines_are_judged_as_byte_by_byte() {
        let long = format!("a;b\n1;2\n{};3\n", "x".repeat(MAX_LINE_BYTES + 1));
        let texts = [
            "a;b\n1;2\n3;4\n",
            "a;b\r\n1;2\r\n\r\n3;4\r\n",
            "a;b\n1;2\n\n\n3;4",
            "a;b\n1;2\n3;4;5\n6;7\n",
            "a;b\n1;2\n3\n",
            "a;b;c\n1;2;3\n4,5,6\n",
            "a;b\n1;\"x\ny\";2\n3;4\n",
            "a;b\n1;\"x\n2;3\n4;5\n",
            "a;b\n1;x\"y;2\n3;4\n",
            "a;b\n\"1\";\"2\"\n3;4;\n",
            "a;b\n;\n;;\n",
            "a;b\n\r\n1;2\n",
            &long,
        ];
        for text in texts {
            for sep in [b';', b','] {
                assert_eq!(check_shape(text, sep), byte_by_byte(text, sep), "{text:?}");
            }
        }
    }
}
