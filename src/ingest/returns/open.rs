//! Opening a return by what its bytes are: `.xlsx`, `.xls` or `.ods`, with
//! the true reason when it cannot be opened.

use super::*;

pub(super) enum Book {
    Xlsx(Xlsx<Cursor<archive::Shared>>),
    Xls(Xls<Cursor<Vec<u8>>>),
    Ods(Ods<Cursor<Vec<u8>>>),
}

impl Book {
    pub(super) fn sheet_names(&self) -> Vec<String> {
        match self {
            Book::Xlsx(b) => b.sheet_names(),
            Book::Xls(b) => b.sheet_names(),
            Book::Ods(b) => b.sheet_names(),
        }
    }

    /// A sheet's values and formulas; `.xlsx` sheets are read within `bounds`.
    pub(super) fn sheet(&mut self, name: &str, bounds: Bounds) -> Result<SheetData, SheetProblem> {
        match self {
            Book::Xlsx(b) => sheet::ranges(b, name, bounds).map(|(v, f)| (v, Some(f))),
            Book::Xls(b) => Ok((
                b.worksheet_range(name).map_err(|_| SheetProblem::Broken)?,
                b.worksheet_formula(name).ok(),
            )),
            Book::Ods(b) => Ok((
                b.worksheet_range(name).map_err(|_| SheetProblem::Broken)?,
                b.worksheet_formula(name).ok(),
            )),
        }
    }
}

/// A sheet's values, and its formulas where the format keeps them.
pub(super) type SheetData = (Range<Data>, Option<Range<String>>);

/// Opens the bytes as the kind of workbook they are, whatever the file is
/// called. They are handed on, not copied: at region scale a copy of every
/// return is most of the memory the returns' stage touches.
pub(super) fn open(bytes: Vec<u8>, p: &Pipeline, file: &str) -> Result<Book, Refusal> {
    let refuse = |m: String| Refusal::file(file, m);
    let use_template = use_template(p);
    let kind = kind::of(&bytes);
    match kind {
        Kind::Empty => return Err(refuse(format!("filen är tom (0 byte). {RESEND}"))),
        Kind::Pdf => return Err(refuse("filen är en PDF, inte en arbetsbok. Skicka den ifyllda Excel-filen (.xlsx), inte en utskrift av den.".into())),
        Kind::Zip => return open_zip(bytes, p, file),
        Kind::Ole(ole @ (OleKind::Xls | OleKind::Excel95)) => return open_xls(bytes, p, file, ole),
        _ => {}
    }
    if let Some(why) = kind::unreadable(&kind, None) {
        return Err(refuse(why.message(&use_template)));
    }
    Err(refuse(match kind {
        Kind::Text => format!(
            "filen är en textfil (t.ex. CSV), inte en arbetsbok; en återrapportering är årets Excel-mall, ifylld. {use_template}"
        ),
        Kind::Parquet => format!(
            "filen är en Parquet-fil (t.ex. en enkätexport), inte en arbetsbok; en återrapportering är årets Excel-mall, ifylld. {use_template}"
        ),
        _ => format!("filen är inte en arbetsbok som går att läsa (okänt format). {use_template}"),
    }))
}

/// A zip: an `.xlsx`/`.xlsm`, or an `.ods`, which calamine reads whole when
/// it opens it and so is measured first (after the zip itself is checked).
pub(super) fn open_zip(bytes: Vec<u8>, p: &Pipeline, file: &str) -> Result<Book, Refusal> {
    let cap = p.returns.max_bytes;
    let refuse = |m: String| Refusal::file(file, m);
    let names = archive::check(&bytes, cap).map_err(|e| refuse(match e {
        ZipProblem::Broken => {
            format!("filen är skadad eller ofullständig (zip-arkivet går inte att läsa). {RESEND}")
        }
        ZipProblem::Duplicate(name) => format!(
            "arbetsboken innehåller delen {} två gånger, så det går inte att veta vilken som gäller. Filen har ändrats utanför Excel; {}",
            crate::text::excerpt(&name),
            use_template(p).to_lowercase()
        ),
        ZipProblem::TooBig(n) => format!(
            "arbetsboken packas upp till mer än {n} byte, över gränsen {cap} byte. En ifylld mall är mycket mindre; kontrollera att inga stora blad eller bilder har lagts till."
        ),
    }))?;
    let zip = kind::zip_kind(&bytes, &names);
    if zip == ZipKind::Ods {
        measured(crate::ingest::ods::check(&bytes, bounds(p)), p, file)?;
    }
    match zip {
        ZipKind::Xlsx | ZipKind::WorkbookElsewhere(_) => {
            let Some(workbook) = crate::ingest::package::openable(bytes, &zip, cap) else {
                return Err(refuse(unreadable_zip(&zip, p)));
            };
            let workbook = std::sync::Arc::new(workbook);
            Xlsx::new(Cursor::new(archive::Shared(workbook.clone())))
                .map(Book::Xlsx)
                .map_err(|_| {
                    refuse(match archive::damaged_entry(&workbook, cap) {
                        Some(part) => damaged_part(&part),
                        None => broken_book(),
                    })
                })
        }
        ZipKind::Ods => Ods::new(Cursor::new(bytes)).map(Book::Ods).map_err(|e| {
            refuse(match e {
                calamine::OdsError::Password => kind::password_message().into(),
                _ => broken_book(),
            })
        }),
        other => Err(refuse(unreadable_zip(&other, p))),
    }
}

/// Why a zip that is no workbook the reader takes is not read.
pub(super) fn unreadable_zip(zip: &ZipKind, p: &Pipeline) -> String {
    kind::unreadable(&Kind::Zip, Some(zip))
        .map(|u| u.message(&use_template(p)))
        .unwrap_or_else(broken_book)
}

/// An old `.xls` (or Excel 5.0/95), which calamine reads whole when it opens
/// it and so is measured first.
pub(super) fn open_xls(
    bytes: Vec<u8>,
    p: &Pipeline,
    file: &str,
    ole: OleKind,
) -> Result<Book, Refusal> {
    let refuse = |m: String| Refusal::file(file, m);
    measured(crate::ingest::xls::check(&bytes, bounds(p)), p, file)?;
    Xls::new(Cursor::new(bytes))
        .map(Book::Xls)
        .map_err(|e| {
            refuse(match e {
                calamine::XlsError::Password => kind::password_message().into(),
                _ if ole == OleKind::Excel95 => "filen är sparad i Excel 5.0/95, ett format från före 1997 som inte kan läsas helt. Öppna den i Excel och spara som Excel-arbetsbok (.xlsx).".into(),
                _ => broken_book(),
            })
        })
}

/// A measure's finding as a refusal, by sheet and cell.
pub(super) fn measured(
    result: Result<(), (String, SheetProblem)>,
    p: &Pipeline,
    file: &str,
) -> Result<(), Refusal> {
    result.map_err(|(sheet, problem)| sheet_refusal(p, file, &sheet, problem))
}

/// A part that does not unpack to what the archive says of it: damaged
/// after it was saved, so saving it again from the original is what helps.
pub(super) fn damaged_part(part: &str) -> String {
    format!(
        "arbetsboken är skadad: delen {} packas inte upp till det som arkivet säger om den (storlek och kontrollsumma), så filen har ändrats eller förstörts efter att den sparades. Öppna originalet, spara det på nytt och skicka den nya filen.",
        crate::text::excerpt(part)
    )
}

pub(super) fn broken_book() -> String {
    format!("arbetsboken går inte att läsa (innehållet är skadat). {RESEND}")
}
