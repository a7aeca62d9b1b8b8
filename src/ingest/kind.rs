//! What a file is, told by its bytes rather than its name or its folder, the
//! same way for every reader and command: a zip (a workbook, or something
//! else), an OLE compound file (an `.xls`, an encrypted workbook), Parquet,
//! a PDF or text. Encryption is recognised here for every format, so that a
//! locked file is called locked and never damaged.

use std::io::{Cursor, Read};

/// The kind of a file, from its first and last bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Empty,
    Pdf,
    /// A zip archive; what it holds is told by [`zip_kind`] once the archive
    /// itself has been checked.
    Zip,
    Ole(OleKind),
    /// Excel 2.x–4.0: BIFF records without a compound file around them.
    ExcelBefore5,
    Parquet,
    /// Parquet with an encrypted footer (magic `PARE`).
    ParquetEncrypted,
    Text,
    Binary,
}

/// What an OLE compound file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OleKind {
    /// An `.xls` (BIFF8, Excel 97 and later).
    Xls,
    /// An `.xls` with a password to open (its FILEPASS record: RC4 or XOR).
    XlsEncrypted,
    /// Excel 5.0/95 (a `Book` stream, BIFF5).
    Excel95,
    /// An `.xlsx`, `.xlsm`, `.xlsb` or `.docx` encrypted with a password
    /// (ECMA-376: the package lies encrypted inside a compound file).
    OoxmlEncrypted,
    /// Something else Office makes: a Word or PowerPoint file, an Outlook item.
    Other,
}

/// What a zip archive holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZipKind {
    /// An `.xlsx` or `.xlsm` with its workbook where readers look for it.
    Xlsx,
    /// An `.xlsb`: Excel's binary workbook.
    Xlsb,
    Ods,
    /// An OpenDocument file encrypted with a password.
    OdsEncrypted,
    /// A spreadsheet package whose workbook part is not at `xl/workbook.xml`
    /// (the part's name, as its content types give it); see `ingest::package`.
    WorkbookElsewhere(String),
    /// Any other zip: a Word file, a folder packed as an archive.
    Other,
}

const OLE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// The kind of the file in `bytes`.
pub fn of(bytes: &[u8]) -> Kind {
    match bytes {
        [] => Kind::Empty,
        [b'%', b'P', b'D', b'F', ..] => Kind::Pdf,
        [b'P', b'K', 3, 4, ..] | [b'P', b'K', 5, 6, ..] => Kind::Zip,
        b if b.starts_with(&OLE_MAGIC) => Kind::Ole(ole_kind(b)),
        b if b.starts_with(b"PARE") || (b.starts_with(b"PAR1") && b.ends_with(b"PARE")) => {
            Kind::ParquetEncrypted
        }
        b if b.starts_with(b"PAR1") => Kind::Parquet,
        b if biff_before_5(b) => Kind::ExcelBefore5,
        b if looks_like_text(b) => Kind::Text,
        _ => Kind::Binary,
    }
}

/// Text in any encoding a reader might meet: UTF-16 with its BOM, or bytes
/// without control characters other than tabs and line ends.
fn looks_like_text(bytes: &[u8]) -> bool {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) || utf16_ascii(bytes) {
        return true;
    }
    bytes
        .iter()
        .take(4096)
        .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace() || *b >= 0x80)
}

/// ASCII text in UTF-16 without a BOM (a zero byte beside every letter):
/// text, though no reader takes it, so its reader can say which encoding
/// it is in.
fn utf16_ascii(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(256) & !1];
    let text = |b: &u8| b.is_ascii_graphic() || b.is_ascii_whitespace();
    head.len() >= 4
        && head
            .chunks(2)
            .all(|p| (p[1] == 0 && text(&p[0])) || (p[0] == 0 && text(&p[1])))
}

/// A BIFF2–4 worksheet or workbook starts with its BOF record: 0x0009,
/// 0x0209 or 0x0409, with 4 or 6 bytes of data.
fn biff_before_5(b: &[u8]) -> bool {
    matches!(b, [0x09, 0x00 | 0x02 | 0x04, 4 | 6, 0, ..])
}

fn ole_kind(bytes: &[u8]) -> OleKind {
    let Ok(mut ole) = cfb::CompoundFile::open(Cursor::new(bytes)) else {
        return OleKind::Other;
    };
    if ole.exists("/EncryptionInfo") && ole.exists("/EncryptedPackage") {
        return OleKind::OoxmlEncrypted;
    }
    let mut stream = Vec::new();
    if let Ok(s) = ole.open_stream("/Workbook") {
        if s.take(bytes.len() as u64).read_to_end(&mut stream).is_err() {
            return OleKind::Xls;
        }
        return if has_filepass(&stream) {
            OleKind::XlsEncrypted
        } else {
            OleKind::Xls
        };
    }
    if ole.exists("/Book") {
        return OleKind::Excel95;
    }
    OleKind::Other
}

/// Whether the workbook globals (up to their EOF) hold a FILEPASS record:
/// record headers are never encrypted, so the walk holds for any cipher.
fn has_filepass(stream: &[u8]) -> bool {
    let mut at = 0usize;
    while let Some(head) = stream.get(at..at + 4) {
        let kind = u16::from_le_bytes([head[0], head[1]]);
        let len = u16::from_le_bytes([head[2], head[3]]) as usize;
        match kind {
            0x002F => return true,
            0x000A => return false,
            _ => at += 4 + len,
        }
    }
    false
}

/// What a checked zip holds, from its entry `names` and, for an OpenDocument
/// file or a package laid out unusually, its manifest or content types.
pub fn zip_kind(bytes: &[u8], names: &[String]) -> ZipKind {
    let has = |n: &str| names.iter().any(|x| x.eq_ignore_ascii_case(n));
    if has("xl/workbook.bin") {
        return ZipKind::Xlsb;
    }
    if has("xl/workbook.xml") {
        return ZipKind::Xlsx;
    }
    if has("content.xml") || has("mimetype") {
        let manifest = entry(bytes, "META-INF/manifest.xml").unwrap_or_default();
        return if manifest.contains("encryption-data") {
            ZipKind::OdsEncrypted
        } else {
            ZipKind::Ods
        };
    }
    let types = entry(bytes, "[Content_Types].xml").unwrap_or_default();
    match workbook_part(&types) {
        Some((_, true)) => ZipKind::Xlsb,
        Some((part, false)) => ZipKind::WorkbookElsewhere(part),
        None => ZipKind::Other,
    }
}

/// The workbook part the content types name, and whether it is binary.
fn workbook_part(types: &str) -> Option<(String, bool)> {
    types.split("<Override").skip(1).find_map(|o| {
        let attr = |name: &str| {
            let rest = &o[o.find(&format!("{name}=\""))? + name.len() + 2..];
            Some(rest[..rest.find('"')?].to_string())
        };
        let content = attr("ContentType")?;
        let main = content.contains("spreadsheetml.sheet.main")
            || content.contains("spreadsheetml.template.main")
            || content.contains("ms-excel.sheet.macroEnabled.main")
            || content.contains("ms-excel.template.macroEnabled.main");
        let binary = content.contains("ms-excel.sheet.binary");
        (main || binary)
            .then(|| Some((attr("PartName")?.trim_start_matches('/').into(), binary)))?
    })
}

/// The text of a small zip entry, if there is one; the archive's sizes have
/// been checked against the cap, and a part this reads is kept under 1 MB.
fn entry(bytes: &[u8], name: &str) -> Option<String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let file = zip.by_name(name).ok()?;
    let mut text = String::new();
    file.take(1_000_000).read_to_string(&mut text).ok()?;
    Some(text)
}

/// What a locked file is told, whatever its format: what to do about it.
pub fn password_message() -> &'static str {
    "filen är lösenordsskyddad (krypterad) och kan inte läsas. Spara en kopia utan lösenord (i Excel: Arkiv > Info > Skydda arbetsbok > Kryptera med lösenord, töm fältet och spara) och skicka den."
}

/// Why a file of a kind no reader takes is not read: a sentence naming the
/// format, and whether it already says what to do.
pub struct Unreadable {
    what: String,
    says_what_to_do: bool,
}

impl Unreadable {
    /// The message, ending with `advice` (what belongs where the file was
    /// given) unless it already says what to do.
    pub fn message(&self, advice: &str) -> String {
        if self.says_what_to_do {
            self.what.clone()
        } else {
            format!("{} {advice}", self.what)
        }
    }
}

/// Why no reader takes a file of this kind, or `None` when one does.
pub fn unreadable(kind: &Kind, zip: Option<&ZipKind>) -> Option<Unreadable> {
    const SAVE: &str = "Öppna den i Excel och spara som Excel-arbetsbok (.xlsx).";
    let done = |what: String| Unreadable {
        what,
        says_what_to_do: true,
    };
    let not_here = |what: &str| Unreadable {
        what: what.to_string(),
        says_what_to_do: false,
    };
    Some(match (kind, zip) {
        (Kind::Empty, _) => not_here("filen är tom (0 byte)."),
        (Kind::Pdf, _) => not_here("filen är en PDF, inte en arbetsbok eller tabell."),
        (Kind::ParquetEncrypted, _) => done(
            "Parquet-filen är krypterad och kan inte läsas. Exportera enkätsvaren på nytt utan kryptering."
                .into(),
        ),
        (Kind::Ole(OleKind::XlsEncrypted | OleKind::OoxmlEncrypted), _)
        | (_, Some(ZipKind::OdsEncrypted)) => done(password_message().into()),
        (Kind::ExcelBefore5, _) => done(format!(
            "filen är sparad i Excel 2.x–4.0, ett format från före 1993 som inte kan läsas. {SAVE}"
        )),
        (_, Some(ZipKind::Xlsb)) => done(format!(
            "filen är en binär Excel-arbetsbok (.xlsb), som inte kan läsas. {SAVE}"
        )),
        (_, Some(ZipKind::WorkbookElsewhere(_))) => done(format!(
            "filen ser ut att vara en Excel-arbetsbok, men arbetsboken som paketet pekar ut finns inte i det, så den kan inte läsas. {SAVE}"
        )),
        (_, Some(ZipKind::Other)) => not_here(
            "filen är ett zip-arkiv (t.ex. ett Word-dokument eller en packad mapp), inte en arbetsbok eller tabell.",
        ),
        (Kind::Ole(OleKind::Other), _) => not_here(
            "filen är ett annat Office-dokument (t.ex. Word eller Outlook), inte en arbetsbok.",
        ),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ole_with(streams: &[(&str, &[u8])]) -> Vec<u8> {
        let mut ole = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
        for (name, data) in streams {
            std::io::Write::write_all(&mut ole.create_stream(name).unwrap(), data).unwrap();
        }
        ole.into_inner().into_inner()
    }

    fn record(kind: u16, data: &[u8]) -> Vec<u8> {
        let mut r = kind.to_le_bytes().to_vec();
        r.extend((data.len() as u16).to_le_bytes());
        r.extend(data);
        r
    }

    #[test]
    fn the_bytes_tell_the_kind_whatever_the_name() {
        assert_eq!(of(b""), Kind::Empty);
        assert_eq!(of(b"%PDF-1.7"), Kind::Pdf);
        assert_eq!(of(b"PK\x03\x04rest"), Kind::Zip);
        assert_eq!(of(b"PAR1....PAR1"), Kind::Parquet);
        assert_eq!(of(b"PARE....PARE"), Kind::ParquetEncrypted);
        assert_eq!(of(b"PAR1....PARE"), Kind::ParquetEncrypted);
        assert_eq!(of(&[0x09, 0x04, 6, 0, 0, 0]), Kind::ExcelBefore5);
        assert_eq!(of("kön;ålder\r\n1;2".as_bytes()), Kind::Text);
        assert_eq!(of(&[0xFF, 0xFE, b'a', 0]), Kind::Text);
        assert_eq!(of(&[b'a', 0, b';', 0, b'b', 0]), Kind::Text);
        assert_eq!(of(&[0, 1, 2, 3]), Kind::Binary);
    }

    #[test]
    fn an_xls_with_filepass_is_encrypted_and_without_it_is_not() {
        let bof = record(0x0809, &[0; 16]);
        let eof = record(0x000A, &[]);
        let plain = [bof.clone(), record(0x0085, &[0; 8]), eof.clone()].concat();
        let locked = [
            bof,
            record(0x002F, &[1, 0, 1, 0]),
            record(0x0085, &[7; 8]),
            eof,
        ]
        .concat();
        assert_eq!(
            of(&ole_with(&[("Workbook", &plain)])),
            Kind::Ole(OleKind::Xls)
        );
        assert_eq!(
            of(&ole_with(&[("Workbook", &locked)])),
            Kind::Ole(OleKind::XlsEncrypted)
        );
        assert_eq!(
            of(&ole_with(&[("Book", &plain)])),
            Kind::Ole(OleKind::Excel95)
        );
        let ooxml = ole_with(&[("EncryptionInfo", b"x"), ("EncryptedPackage", b"y")]);
        assert_eq!(of(&ooxml), Kind::Ole(OleKind::OoxmlEncrypted));
        assert_eq!(
            of(&ole_with(&[("WordDocument", b"x")])),
            Kind::Ole(OleKind::Other)
        );
    }

    #[test]
    fn the_content_types_find_a_workbook_part_elsewhere() {
        let types = r#"<Types><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/bok.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#;
        assert_eq!(workbook_part(types), Some(("bok.xml".into(), false)));
        let binary = r#"<Override PartName="/b/w.bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/>"#;
        assert_eq!(workbook_part(binary), Some(("b/w.bin".into(), true)));
        assert_eq!(workbook_part("<Types/>"), None);
    }
}
