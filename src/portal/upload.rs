//! An upload from file to verdict: kept content-addressed in the data
//! folder, judged by the same rules as `uppfolj validate`, logged, and when
//! accepted published into the returns inbox by write-then-rename. Runs on
//! blocking threads, never on the async runtime's workers.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::db::{Db, NewUpload};
use crate::finding::{Finding, Severity};
use crate::pipeline::Pipeline;

/// A finding as the portal keeps and shows it.
#[derive(Clone, Debug, Serialize, serde::Deserialize)]
pub struct Shown {
    #[serde(deserialize_with = "severity_in_log")]
    pub severity: Severity,
    pub sheet: String,
    pub cell: String,
    /// The indicator and group, or the measure, the cell concerns.
    #[serde(default)]
    pub about: String,
    pub message: String,
}

/// A finding's severity in the log: its id, or the Swedish word that logs
/// written before kept.
fn severity_in_log<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Severity, D::Error> {
    use serde::Deserialize;
    let word = String::deserialize(d)?;
    let by_id = Severity::deserialize(serde::de::value::StrDeserializer::<D::Error>::new(&word));
    by_id.or_else(|_| {
        Severity::from_label(&word)
            .ok_or_else(|| serde::de::Error::custom(format!("okänd allvarlighetsgrad {word:?}")))
    })
}

/// A unit's state for a year, as its page and the overview show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UploadState {
    /// An accepted upload is in force.
    Accepted,
    /// A return put in the inbox some other way (e-mailed to an analyst,
    /// say): it counts as handed in, since the run reads it.
    OutsidePortal,
    /// Only uploads with errors.
    WithErrors,
    NotHandedIn,
}

impl UploadState {
    pub fn of(p: &Pipeline, unit: &str, uploads: &[super::db::Upload], year: i32) -> UploadState {
        let of_year: Vec<_> = uploads.iter().filter(|u| u.year == year).collect();
        let in_inbox = || inbox_file(p, unit, year).is_some_and(|f| f.is_file());
        if of_year.iter().any(|u| u.accepted) {
            UploadState::Accepted
        } else if in_inbox() {
            UploadState::OutsidePortal
        } else if of_year.is_empty() {
            UploadState::NotHandedIn
        } else {
            UploadState::WithErrors
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            UploadState::Accepted => "Godkänd",
            UploadState::OutsidePortal => "Lämnad utanför portalen",
            UploadState::WithErrors => "Inlämnad med fel",
            UploadState::NotHandedIn => "Inte inlämnad",
        }
    }

    pub fn class(self) -> &'static str {
        match self {
            UploadState::Accepted | UploadState::OutsidePortal => "accepted",
            UploadState::WithErrors => "errors",
            UploadState::NotHandedIn => "missing",
        }
    }

    /// Whether the run has a return for the unit and year.
    pub fn handed_in(self) -> bool {
        matches!(self, UploadState::Accepted | UploadState::OutsidePortal)
    }
}

/// What the person sent, saved to a temporary file as it streamed in.
pub struct Received {
    pub tmp: PathBuf,
    pub name: String,
    pub size: u64,
    /// Hashed as it streamed in, so the file is not read again for it.
    pub sha256: String,
}

/// Who sent it, for which unit and year.
pub struct Sender<'a> {
    pub user_id: i64,
    pub unit: &'a str,
    pub year: i32,
}

/// A message for the whole file.
fn whole(message: impl Into<String>) -> Shown {
    Shown {
        severity: Severity::Error,
        sheet: String::new(),
        cell: String::new(),
        about: String::new(),
        message: message.into(),
    }
}

fn shown(f: &Finding) -> Shown {
    Shown {
        severity: f.severity,
        sheet: f.sheet.clone().unwrap_or_default(),
        cell: f.cell.clone().unwrap_or_default(),
        about: f.about.clone().unwrap_or_default(),
        message: f.message.clone(),
    }
}

/// Why a file cannot even be judged: its name or kind.
pub fn refuse_name(name: &str) -> Option<String> {
    if name.contains("..") || name.contains(['/', '\\']) || name.chars().any(char::is_control) {
        return Some("Filnamnet innehåller ../, snedstreck eller styrtecken. Ge filen mallens namn igen och ladda upp den.".into());
    }
    if !name.to_lowercase().ends_with(".xlsx") {
        return Some("Filen är inte en Excel-arbetsbok (.xlsx). Ladda ner mallen, fyll i den och ladda upp den som .xlsx.".into());
    }
    None
}

/// Keeps, judges, logs and (when accepted) publishes one upload; returns
/// the log's id for it.
pub fn process(
    p: &Pipeline,
    data: &Path,
    db: &std::sync::Mutex<Db>,
    r: Received,
    by: Sender<'_>,
) -> Result<i64, String> {
    let sha256 = r.sha256.clone();
    let kept = data.join("files").join(format!("{sha256}.xlsx"));
    if kept.exists() {
        let _ = std::fs::remove_file(&r.tmp);
    } else {
        std::fs::rename(&r.tmp, &kept).map_err(|e| crate::text::io_error(&e))?;
    }
    let findings = judge(p, &kept, &r, &by);
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = findings.len() - errors;
    let at = super::now();
    // The name as sent is shown, never trusted: no control characters, not endless.
    let name: String = r
        .name
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .take(200)
        .collect();
    let entry = NewUpload {
        unit: by.unit,
        year: by.year,
        user_id: by.user_id,
        at: &at,
        name: &name,
        size: r.size as i64,
        sha256: &sha256,
        accepted: errors == 0,
        errors: errors as i64,
        warnings: warnings as i64,
        findings: &serde_json::to_string(&findings).unwrap_or_else(|_| "[]".into()),
    };
    let db = db.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let id = db
        .log_upload(&entry)
        .map_err(|e| crate::text::foreign(&e))?;
    if errors == 0
        && let Err(why) = publish(p, data, &db, by.unit, by.year)
    {
        // The upload is kept and logged as accepted; its page says it is
        // not in the inbox, and the server's log says why.
        tracing::warn!("{} {}: inte publicerad: {why}", by.unit, by.year);
    }
    Ok(id)
}

/// The findings for an upload: its name and size first, then the rules of
/// `uppfolj validate`, then whether it is this unit's return for this year.
fn judge(p: &Pipeline, kept: &Path, r: &Received, by: &Sender<'_>) -> Vec<Shown> {
    if let Some(why) = refuse_name(&r.name) {
        return vec![whole(why)];
    }
    if r.size == 0 {
        return vec![whole("Filen är tom. Ladda upp den ifyllda mallen.")];
    }
    let o = crate::validate::returns::validate_files(p, &[kept.to_path_buf()], Some(by.year));
    let mut out: Vec<Shown> = o.findings.iter().map(shown).collect();
    if let Some(used) = o.used.first()
        && used.unit_id != by.unit
    {
        out.insert(
            0,
            whole(format!(
                "Arbetsboken är mallen för {}, inte för {}. Ladda ner er egen mall och fyll i den.",
                p.unit_name(&used.unit_id),
                p.unit_name(by.unit)
            )),
        );
    }
    out
}

/// Where `uppfolj run` reads a unit's return for a year, if there is an inbox.
pub fn inbox_file(p: &Pipeline, unit: &str, year: i32) -> Option<PathBuf> {
    let inbox = p.returns.inbox.as_ref()?;
    Some(
        p.resolve(inbox)
            .join(year.to_string())
            .join(crate::pipeline::return_file_name(unit, year)),
    )
}

/// Puts the newest accepted upload for a unit and year into the inbox, by
/// write-then-rename, unless a file the portal did not put there is in the
/// way. Called with the database locked, so two uploads publish in turn.
pub fn publish(p: &Pipeline, data: &Path, db: &Db, unit: &str, year: i32) -> Result<(), String> {
    let Some(newest) = db
        .newest_accepted(unit, year)
        .map_err(|e| crate::text::foreign(&e))?
    else {
        return Ok(());
    };
    let Some(target) = inbox_file(p, unit, year) else {
        return Ok(());
    };
    let dir = target.parent().unwrap_or(Path::new(".")).to_path_buf();
    let ours = db
        .published(unit, year)
        .map_err(|e| crate::text::foreign(&e))?
        .map(|(_, sha)| sha);
    if let Ok(existing) = std::fs::read(&target) {
        let sha = crate::ledger::sha256_hex(&existing);
        if sha == newest.sha256 {
            return record(db, unit, year, &newest);
        }
        if ours.as_deref() != Some(sha.as_str()) {
            return Err(format!(
                "{} finns redan och lades inte dit av portalen; den ersätts inte. Flytta den om den nya ska gälla.",
                target.display()
            ));
        }
    }
    let bytes = std::fs::read(data.join("files").join(format!("{}.xlsx", newest.sha256)))
        .map_err(|e| crate::text::io_error(&e))?;
    std::fs::create_dir_all(&dir).map_err(|e| crate::text::io_error(&e))?;
    let tmp = dir.join(format!(
        ".uppfolj-{}.tmp",
        crate::pipeline::return_file_name(unit, year)
    ));
    write_synced(&tmp, &bytes).map_err(|e| crate::text::io_error(&e))?;
    std::fs::rename(&tmp, &target).map_err(|e| crate::text::io_error(&e))?;
    record(db, unit, year, &newest)
}

fn record(db: &Db, unit: &str, year: i32, u: &super::db::Upload) -> Result<(), String> {
    db.set_published(unit, year, u.id, &u.sha256)
        .map_err(|e| crate::text::foreign(&e))
}

/// Writes and flushes to disk, so a rename never publishes half a file.
pub fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut f = std::fs::File::create(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// After a restart: leftovers of an interrupted upload or publish go, and
/// the inbox gets the newest accepted upload of every unit and year.
pub fn reconcile(p: &Pipeline, data: &Path, db: &Db) -> Result<(), String> {
    if let Ok(entries) = std::fs::read_dir(data.join("tmp")) {
        for e in entries.flatten() {
            let _ = std::fs::remove_file(e.path());
        }
    }
    let keys = db.accepted_keys().map_err(|e| crate::text::foreign(&e))?;
    for (unit, year) in keys {
        if let Some(inbox) = &p.returns.inbox {
            let tmp = p.resolve(inbox).join(year.to_string()).join(format!(
                ".uppfolj-{}.tmp",
                crate::pipeline::return_file_name(&unit, year)
            ));
            let _ = std::fs::remove_file(tmp);
        }
        // A file in the way is left; it is said when the unit next uploads.
        let _ = publish(p, data, db, &unit, year);
    }
    Ok(())
}

/// Every accepted return in force (the newest accepted per unit and year)
/// as one zip archive of `<year>/<unit>-<year>.xlsx`, for the analysts.
pub fn accepted_archive(data: &Path, db: &Db) -> Result<Vec<u8>, String> {
    use std::io::Write;
    let failed = |e: &(dyn std::error::Error + 'static)| crate::text::foreign(e);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    // Stored, with a fixed time: the same returns make the same archive.
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .last_modified_time(zip::DateTime::default());
    for (unit, year) in db.accepted_keys().map_err(|e| failed(&e))? {
        let Some(u) = db.newest_accepted(&unit, year).map_err(|e| failed(&e))? else {
            continue;
        };
        let bytes = std::fs::read(data.join("files").join(format!("{}.xlsx", u.sha256)))
            .map_err(|e| crate::text::io_error(&e))?;
        let name = crate::pipeline::return_file_name(&unit, year);
        zip.start_file(format!("{year}/{name}"), options)
            .map_err(|e| failed(&e))?;
        zip.write_all(&bytes)
            .map_err(|e| crate::text::io_error(&e))?;
    }
    let done = zip.finish().map_err(|e| failed(&e))?;
    Ok(done.into_inner())
}
