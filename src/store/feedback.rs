//! `feedback/<unit>-<year>.txt`: for each committee, in Swedish, what was
//! wrong or missing in its return, cell by cell, ready to send back.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::error::Error;
use crate::finding::{Finding, Severity};
use crate::pipeline::Pipeline;
use crate::results::RunData;
use crate::validate::returns::{Input, Value};

/// The committee's comments in one return, by the cell of their value.
type Comments<'a> = HashMap<&'a str, &'a str>;

/// A finding, with the comment its value carries.
fn line(f: &Finding, comments: &Comments<'_>) -> String {
    let mut text = match f.place() {
        place if place.is_empty() => format!("- {}", f.message),
        place => format!("- {place}: {}", f.message),
    };
    if let Some(c) = f.cell.as_deref().and_then(|c| comments.get(c)) {
        text.push_str(&format!(" Er kommentar: ”{c}”"));
    }
    text
}

fn section(out: &mut String, title: &str, items: &[&Finding], comments: &Comments<'_>) {
    if items.is_empty() {
        return;
    }
    out.push_str(&format!("\n{title}\n"));
    for f in items {
        out.push_str(&line(f, comments));
        out.push('\n');
    }
}

/// Every comment the return carries, by its value's cell and what it concerns.
fn comments_section(p: &Pipeline, out: &mut String, values: &[&Value]) {
    let commented: Vec<&&Value> = values.iter().filter(|v| v.comment.is_some()).collect();
    if commented.is_empty() {
        return;
    }
    out.push_str("\nEra kommentarer, som följer med uppgifterna:\n");
    for v in commented {
        let about = crate::validate::returns::about_value(p, v);
        out.push_str(&format!(
            "- {}!{} ({about}): ”{}”\n",
            v.sheet,
            v.cell,
            v.comment.as_deref().unwrap_or_default()
        ));
    }
}

/// A file whose name would leave its folder: never written.
fn outside(dir: &Path, name: &str) -> Error {
    Error::Output {
        file: format!("{}/{}", dir.display(), name.escape_debug()),
        reason: "namnet skulle hamna utanför utdatamappen".into(),
    }
}

/// Writes one file per expected unit and year, and one per refused file; a
/// file the previous run wrote the same into `earlier` is linked from there.
pub fn write(p: &Pipeline, d: &RunData, dir: &Path, earlier: &Path) -> Result<Vec<String>, Error> {
    std::fs::create_dir_all(dir).map_err(Error::io(format!("kan inte skapa {}", dir.display())))?;
    let mut written = Vec::new();
    let mut save = |name: String, text: String| -> Result<(), Error> {
        if !crate::pipeline::plain_file_name(&name) {
            return Err(outside(dir, &name));
        }
        let path = dir.join(&name);
        super::reuse::write(&path, &earlier.join(&name), text.as_bytes())
            .map_err(Error::writing(&path))?;
        written.push(name);
        Ok(())
    };
    // Looked up once per unit and year below, so indexed here.
    let used: HashMap<(i32, &str), &Input> = d
        .returns
        .used
        .iter()
        .map(|u| ((u.year, u.unit_id.as_str()), u))
        .collect();
    let mut by_file: HashMap<&str, Vec<&Finding>> = HashMap::new();
    for f in &d.findings {
        by_file.entry(f.file.as_str()).or_default().push(f);
    }
    let of_file = |file: &str| by_file.get(file).map_or(&[][..], Vec::as_slice);
    let mut values_by_file: HashMap<&str, Vec<&Value>> = HashMap::new();
    for v in &d.returns.values {
        values_by_file.entry(v.file.as_str()).or_default().push(v);
    }
    let values_of = |file: &str| values_by_file.get(file).map_or(&[][..], Vec::as_slice);
    for c in &d.completeness {
        for unit_id in &c.expected {
            let text = match used.get(&(c.year, unit_id.as_str())) {
                None => match refused_as(&d.returns.refused, unit_id, c.year) {
                    Some(file) => refused_return_text(p, unit_id, c.year, file, of_file(file)),
                    None => missing_text(p, unit_id, c.year, d.report_year),
                },
                Some(input) => return_text(
                    p,
                    unit_id,
                    input,
                    of_file(&input.file),
                    values_of(&input.file),
                ),
            };
            save(format!("{unit_id}-{}.txt", c.year), text)?;
        }
    }
    // Files refused whole cannot be put on a committee; each gets its own
    // note, under a name of its own even where two files share a name (in
    // two years' folders, say).
    let mut taken = HashSet::new();
    for file in &d.returns.refused {
        let stem = Path::new(file)
            .file_stem()
            .and_then(|n| n.to_str())
            .unwrap_or("fil");
        // A file name may hold control characters; the note's name does not.
        let stem: String = stem
            .chars()
            .map(|c| if c.is_control() { '_' } else { c })
            .collect();
        let name = (1..)
            .map(|n| match n {
                1 => format!("avvisad-{stem}.txt"),
                n => format!("avvisad-{stem}-{n}.txt"),
            })
            .find(|name| taken.insert(name.clone()))
            .unwrap_or_default();
        save(name, refused_text(p, file, of_file(file)))?;
    }
    written.sort();
    written.dedup();
    Ok(written)
}

fn heading(p: &Pipeline, unit_id: &str, year: i32) -> String {
    let unit = p.unit(unit_id).map(|u| u.name.as_str()).unwrap_or(unit_id);
    format!(
        "Återkoppling på återrapporteringen {year} – {unit}\n{}\n",
        p.strategy.title
    )
}

/// For a unit whose return did not come in.
/// For a missing return. A year before the report's year is long past its
/// deadline, so no date is given for it: the request is only to send it.
/// (Today's date is not used: the same inputs give the same files any day.)
fn missing_text(p: &Pipeline, unit_id: &str, year: i32, report_year: i32) -> String {
    let ask = match p.returns.deadline {
        _ if year < report_year => {
            "Tiden för att lämna den har gått ut; fyll i mallen för året och skicka den så snart som möjligt.".to_string()
        }
        Some(dl) => format!(
            "Fyll i årets mall och skicka den senast den {}.",
            dl.in_year(year + 1)
        ),
        None => "Fyll i årets mall och skicka den.".to_string(),
    };
    heading(p, unit_id, year)
        + &format!("\nIngen återrapportering har kommit in för {year}. {ask}\n")
}

/// For a return that was read: its errors and what to check, or thanks.
fn return_text(
    p: &Pipeline,
    unit_id: &str,
    input: &Input,
    mine: &[&Finding],
    values: &[&Value],
) -> String {
    let mut text = heading(p, unit_id, input.year);
    let file = Path::new(&input.file)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(&input.file);
    text.push_str(&format!("\nFilen {file} har lästs in.\n"));
    let of = |s: Severity| -> Vec<&Finding> {
        mine.iter().copied().filter(|f| f.severity == s).collect()
    };
    let (errors, warnings) = (of(Severity::Error), of(Severity::Warning));
    let comments: Comments<'_> = values
        .iter()
        .filter_map(|v| Some((v.cell.as_str(), v.comment.as_deref()?)))
        .collect();
    if errors.is_empty() && warnings.is_empty() {
        text.push_str("\nInga fel eller saknade uppgifter hittades. Tack!\n");
    }
    section(
        &mut text,
        "Fel som behöver rättas (värdena har inte kunnat användas):",
        &errors,
        &comments,
    );
    section(
        &mut text,
        "Att kontrollera eller komplettera:",
        &warnings,
        &comments,
    );
    section(
        &mut text,
        "Förklarat i kommentarskolumnen (inget att göra):",
        &of(Severity::Explained),
        &comments,
    );
    comments_section(p, &mut text, values);
    if !(errors.is_empty() && warnings.is_empty()) {
        text.push_str("\nRätta i samma fil och skicka den igen.\n");
    }
    text
}

/// The refused file named as the unit's return for the year, if one was
/// (`amn-2022.xlsx`): what it holds could not be read, but its name says
/// whose it is meant to be.
fn refused_as<'a>(refused: &'a [String], unit_id: &str, year: i32) -> Option<&'a str> {
    let named = |file: &&String| {
        let name = Path::new(file.as_str())
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("");
        crate::pipeline::RETURN_EXTENSIONS.iter().any(|ext| {
            name.eq_ignore_ascii_case(&crate::pipeline::return_file_name_as(unit_id, year, ext))
        })
    };
    refused.iter().find(named).map(String::as_str)
}

/// For a unit whose return came in but was refused whole: why, and what to do.
fn refused_return_text(
    p: &Pipeline,
    unit_id: &str,
    year: i32,
    file: &str,
    mine: &[&Finding],
) -> String {
    let name = Path::new(file)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(file);
    let mut text = heading(p, unit_id, year)
        + &format!(
            "\nFilen {name} har kommit in men kunde inte läsas, så återrapporteringen för {year} saknas fortfarande:\n"
        );
    for f in mine {
        text.push_str(&line(f, &Comments::new()));
        text.push('\n');
    }
    text.push_str(
        "\nRätta filen som beskrivs ovan, eller fyll i årets mall på nytt, och skicka den igen.\n",
    );
    text
}

/// For a file refused whole.
fn refused_text(p: &Pipeline, file: &str, mine: &[&Finding]) -> String {
    let mut text = format!(
        "Återkoppling på filen {file}\n{}\n\nFilen kunde inte användas:\n",
        p.strategy.title
    );
    for f in mine {
        text.push_str(&line(f, &Comments::new()));
        text.push('\n');
    }
    text
}
