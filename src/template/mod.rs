//! `uppfolj template`: the Excel return templates the committees fill in.
//!
//! The template is built to make mistakes hard: only the yellow cells are
//! open, numbers are checked as they are typed, status and assessment are
//! dropdowns, and a hidden sheet says what the file is, so that a renamed
//! file is still read correctly.

mod activities;
mod format;
mod indicators;
mod instructions;
mod meta;
mod previous;

pub use activities::write_activities;
pub use indicators::write_indicators;
pub use instructions::write_instructions;
pub use meta::write_meta;
pub use previous::Previous;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook, XlsxError};

use crate::layout::{self, Layout};
use crate::ledger::Ledger;
use crate::pipeline::Pipeline;
use previous::{accepted_in, previous_values};

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error(
        "året {year} ligger utanför strategins period {from}–{to}; ange ett år i perioden med --year"
    )]
    YearOutsidePeriod { year: i32, from: i32, to: i32 },
    #[error("okänd enhet \"{0}\"; se `uppfolj show` för enheternas id")]
    UnknownUnit(String),
    #[error(
        "{unit} rapporterar inte {year} (enheten fanns inte den 31 december det året); se `uppfolj show` för vilka enheter som rapporterar vilket år"
    )]
    UnitNotReporting { unit: String, year: i32 },
    #[error(
        "{unit} har inga indikatorer eller åtgärder att återrapportera {year}, så ingen mall behövs; lägg till dem i pipelinefilen om nämnden ska rapportera"
    )]
    NothingToReport { unit: String, year: i32 },
    #[error(
        "kan inte skapa arbetsboken {path}: {message}. Kontrollera att mappen går att skriva i"
    )]
    Write { path: PathBuf, message: String },
    #[error("{} finns redan och är inte en mall som uppfolj har skrivit (den kan vara ifylld), så den skrivs inte över. Skriv mallarna till en annan mapp, eller flytta filen", path.display())]
    Exists { path: PathBuf },
}

/// In a template folder: each template uppfolj wrote there, with its SHA-256,
/// so that a later run replaces it only while it is unchanged.
const WRITTEN: &str = ".uppfolj-mallar";

/// What a filled-in return holds, for writing sample and test returns with
/// the same code that writes the empty template.
#[derive(Clone, Debug, Default)]
pub struct Fill {
    /// By indicator row index: the value (or täljare) cell.
    pub values: HashMap<usize, Entry>,
    /// By indicator row index: the nämnare cell (shares only).
    pub denominators: HashMap<usize, Entry>,
    pub comments: HashMap<usize, String>,
    /// By measure index: status, assessment, description.
    pub activities: HashMap<usize, (String, String, String)>,
}

/// A cell as a person may leave it.
#[derive(Clone, Debug)]
pub enum Entry {
    Number(f64),
    Text(String),
    /// A formula with the value Excel saved for it.
    Formula {
        formula: String,
        result: f64,
    },
    /// A formula with no saved value, as programs that do not calculate write it.
    FormulaWithoutResult(String),
}

/// Writes one template per unit that reports in `year` (or just `only`),
/// named `<unit-id>-<year>.xlsx`. Returns the files written.
pub fn write_templates(
    p: &Pipeline,
    year: i32,
    out: &Path,
    only: Option<&str>,
) -> Result<Vec<PathBuf>, TemplateError> {
    let period = p.strategy.period;
    if !period.contains(year) {
        return Err(TemplateError::YearOutsidePeriod {
            year,
            from: period.from,
            to: period.to,
        });
    }
    let units: Vec<_> = match only {
        Some(id) => {
            let unit = p
                .unit(id)
                .ok_or_else(|| TemplateError::UnknownUnit(id.to_string()))?;
            if !unit.reports_in(year) {
                return Err(TemplateError::UnitNotReporting {
                    unit: unit.name.clone(),
                    year,
                });
            }
            vec![unit]
        }
        None => p.units_reporting(year).collect(),
    };
    std::fs::create_dir_all(out).map_err(|e| TemplateError::Write {
        path: out.to_path_buf(),
        message: crate::text::io_error(&e),
    })?;
    // Last year's returns are read once for all the templates.
    let accepted = accepted_in(p, year - 1);
    let mut written = Vec::new();
    for unit in units {
        let l = layout::layout(p, unit, year);
        if l.is_empty() {
            if only.is_some() {
                return Err(TemplateError::NothingToReport {
                    unit: unit.name.clone(),
                    year,
                });
            }
            continue;
        }
        let name = crate::pipeline::return_file_name(&unit.id, year);
        if !crate::pipeline::plain_file_name(&name) {
            return Err(TemplateError::Write {
                path: out.join(name.escape_debug().to_string()),
                message: "namnet skulle hamna utanför mappen".into(),
            });
        }
        let path = out.join(&name);
        let previous = previous_values(p, &accepted, &l);
        let bytes = workbook_with(p, &l, None, &previous).map_err(|e| TemplateError::Write {
            path: path.clone(),
            message: crate::text::foreign(&e),
        })?;
        written.push((name, path, bytes));
    }
    save_all(out, written)
}

/// Writes the templates, none of them over a file uppfolj did not write or
/// that was changed since (a filled-in return must never be lost).
fn save_all(
    out: &Path,
    templates: Vec<(String, PathBuf, Vec<u8>)>,
) -> Result<Vec<PathBuf>, TemplateError> {
    let mut ledger = Ledger::open(out, WRITTEN);
    if let Some((_, path, _)) = templates
        .iter()
        .find(|(name, _, bytes)| !ledger.may_write(name, bytes))
    {
        return Err(TemplateError::Exists { path: path.clone() });
    }
    let write_error = |path: &Path, e: std::io::Error| TemplateError::Write {
        path: path.to_path_buf(),
        message: crate::text::io_error(&e),
    };
    let mut written = Vec::new();
    for (name, path, bytes) in templates {
        ledger
            .write(&name, &bytes)
            .map_err(|e| write_error(&path, e))?;
        written.push(path);
    }
    let list = ledger.list().to_path_buf();
    ledger.save().map_err(|e| write_error(&list, e))?;
    Ok(written)
}

/// Builds one unit's workbook for a year, optionally filled in.
pub fn workbook_bytes(
    p: &Pipeline,
    l: &Layout<'_>,
    fill: Option<&Fill>,
) -> Result<Vec<u8>, XlsxError> {
    workbook_with(p, l, fill, &Previous::new())
}

/// The template a committee fills in: with last year's accepted values
/// from the returns inbox beside each row.
pub fn template_bytes(p: &Pipeline, l: &Layout<'_>) -> Result<Vec<u8>, XlsxError> {
    let accepted = accepted_in(p, l.year - 1);
    workbook_with(p, l, None, &previous_values(p, &accepted, l))
}

fn workbook_with(
    p: &Pipeline,
    l: &Layout<'_>,
    fill: Option<&Fill>,
    previous: &Previous,
) -> Result<Vec<u8>, XlsxError> {
    let mut wb = new_workbook(p, l)?;
    write_instructions(wb.add_worksheet(), p, l)?;
    write_indicators(wb.add_worksheet(), l, fill, previous)?;
    write_activities(wb.add_worksheet(), l, fill)?;
    write_meta(wb.add_worksheet(), p, l)?;
    wb.save_to_buffer()
}

/// An empty workbook with fixed properties, so that the same template is
/// byte-identical between runs.
pub fn new_workbook(p: &Pipeline, l: &Layout<'_>) -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_ymd(l.year.clamp(1900, 9999) as u16, 12, 1)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!("Återrapportering {} – {}", l.year, l.unit.name))
            .set_subject(p.strategy.title.clone())
            .set_author("uppfolj")
            .set_creation_datetime(&created),
    );
    Ok(wb)
}

/// What `uppfolj template` ends with, after the files it wrote.
pub fn written(files: &[PathBuf], year: i32, out: &Path) -> String {
    format!(
        "{} mallar för {year} skrivna till {}",
        files.len(),
        out.display()
    )
}
