//! An upload from file to verdict: kept content-addressed in the data
//! folder, judged by the same rules as `uppfolj validate`, logged, and when
//! accepted published into the returns inbox by write-then-rename. Runs on
//! blocking threads, never on the async runtime's workers.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::db::{Db, NewUpload, Upload};
use super::journal::{self, Event, Kind};
use crate::finding::{Finding, Severity};
use crate::pipeline::{Pipeline, Publish};
use crate::text::Count;

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
    /// An accepted upload (no errors) is in force, not yet reviewed.
    Accepted,
    /// The analysts sent the accepted upload back, with a reason.
    Returned,
    /// The analysts approved it: locked until they re-open it.
    Approved,
    /// A return put in the inbox some other way (e-mailed to an analyst,
    /// say): it counts as handed in, since the run reads it.
    OutsidePortal,
    /// An accepted upload, and a return put in the inbox some other way that
    /// the portal would not replace: the run reads the latter until an
    /// analyst chooses.
    Conflict,
    /// Only uploads with errors.
    WithErrors,
    NotHandedIn,
}

impl UploadState {
    /// `uploads`: the unit's, newest first; `published`: the upload the
    /// portal last put in the inbox for the unit and year; `reviews`: the
    /// analysts' decisions for the unit and year, newest first.
    pub fn of(
        p: &Pipeline,
        unit: &str,
        uploads: &[super::db::Upload],
        year: i32,
        published: Option<i64>,
        reviews: &[super::review::Review],
    ) -> UploadState {
        use super::review::{Decision, verdict};
        let of_year: Vec<_> = uploads.iter().filter(|u| u.year == year).collect();
        let in_inbox = || !inbox_returns(p, unit, year).is_empty();
        // Uploads come newest first.
        let Some(newest) = of_year.iter().find(|u| u.accepted) else {
            return if in_inbox() {
                UploadState::OutsidePortal
            } else if of_year.is_empty() {
                UploadState::NotHandedIn
            } else {
                UploadState::WithErrors
            };
        };
        match verdict(reviews, newest).map(|r| r.decision) {
            Some(Decision::Approved) => return UploadState::Approved,
            Some(Decision::Returned) => return UploadState::Returned,
            _ => {}
        }
        let approved_only = p
            .portal
            .as_ref()
            .is_some_and(|x| x.publish == Publish::Approved);
        if published != Some(newest.id) && in_inbox() && !approved_only {
            UploadState::Conflict
        } else {
            UploadState::Accepted
        }
    }

    /// The unit's state for a year as the database has it now, with the
    /// analysts' decisions (newest first) it rests on.
    pub fn read(
        p: &Pipeline,
        db: &Db,
        unit: &str,
        year: i32,
    ) -> rusqlite::Result<(UploadState, Vec<super::review::Review>)> {
        let uploads = db.uploads(unit)?;
        let published = db.published(unit, year)?;
        let reviews = db.reviews(unit, year)?;
        let state = UploadState::of(p, unit, &uploads, year, published.map(|x| x.0), &reviews);
        Ok((state, reviews))
    }

    pub fn label(self, owner: &str) -> String {
        match self {
            UploadState::Accepted => "Inlämnad".into(),
            UploadState::Returned => "Återsänd".into(),
            UploadState::Approved => format!("Godkänd av {owner}"),
            UploadState::OutsidePortal => "Lämnad utanför portalen".into(),
            UploadState::Conflict => "Två återrapporteringar: välj en".into(),
            UploadState::WithErrors => "Inlämnad med fel".into(),
            UploadState::NotHandedIn => "Inte inlämnad".into(),
        }
    }

    pub fn class(self) -> &'static str {
        match self {
            UploadState::Approved => "approved",
            UploadState::Accepted | UploadState::OutsidePortal => "accepted",
            UploadState::WithErrors | UploadState::Conflict | UploadState::Returned => "errors",
            UploadState::NotHandedIn => "missing",
        }
    }

    /// Whether the run has a return for the unit and year.
    pub fn handed_in(self) -> bool {
        matches!(
            self,
            UploadState::Accepted
                | UploadState::Approved
                | UploadState::Returned
                | UploadState::OutsidePortal
                | UploadState::Conflict
        )
    }

    /// Whether a reminder should go out: nothing usable came in, or it was sent back.
    pub fn owes(self) -> bool {
        matches!(
            self,
            UploadState::NotHandedIn | UploadState::WithErrors | UploadState::Returned
        )
    }
}

/// A temporary file that is removed when its request ends, however it ends
/// (an error, a dropped connection, a deadline), unless it was kept.
pub struct Part {
    path: PathBuf,
}

impl Part {
    pub fn new(path: PathBuf) -> Part {
        Part { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Moves the file to `to`; it is then no longer temporary.
    fn keep(self, to: &Path) -> std::io::Result<()> {
        std::fs::rename(&self.path, to)
    }
}

impl Drop for Part {
    fn drop(&mut self) {
        // After `keep` the file is gone from here and this does nothing.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// What the person sent, saved to a temporary file as it streamed in.
pub struct Received {
    pub tmp: Part,
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
    pub decision: Option<&'a crate::handin::CommitteeDecision>,
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

/// Characters that make a name display otherwise than it is (right-to-left
/// overrides and their kin): `fil\u{202E}xslx.exe` shows as `filexe.xlsx`.
fn bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Why a file's name cannot be taken: a path rather than a name, or
/// characters that hide what it is. Any other name will do; what kind of
/// workbook a file is, is read from its bytes.
pub fn refuse_name(name: &str) -> Option<String> {
    let trimmed = name.trim();
    if trimmed.is_empty() || trimmed == "." || trimmed == ".." || name.contains(['/', '\\']) {
        return Some("Filnamnet är en sökväg, inte ett filnamn. Ge filen ett vanligt namn, till exempel mallens, och ladda upp den igen.".into());
    }
    if name.chars().any(|c| c.is_control() || bidi_control(c)) {
        return Some("Filnamnet innehåller osynliga styrtecken som kan få namnet att se ut som ett annat. Ge filen ett vanligt namn, till exempel mallens, och ladda upp den igen.".into());
    }
    None
}

/// The kind of workbook an upload is kept and published as: the one its
/// name says, or `.xlsx` when the name says none.
fn kind(name: &str) -> &'static str {
    crate::pipeline::return_extension(name).unwrap_or("xlsx")
}

/// Where the portal keeps an upload: named by its SHA-256, with its [`kind`].
pub fn stored(data: &Path, sha256: &str, name: &str) -> PathBuf {
    data.join("files").join(format!("{sha256}.{}", kind(name)))
}

/// Keeps, judges, logs and (when accepted) publishes one upload; returns
/// its number among the unit's uploads.
pub fn process(
    p: &Pipeline,
    data: &Path,
    db: &std::sync::Mutex<Db>,
    r: Received,
    by: Sender<'_>,
) -> Result<i64, String> {
    let sha256 = r.sha256.clone();
    let kept = stored(data, &sha256, &r.name);
    let Received {
        tmp, name, size, ..
    } = r;
    if !kept.exists() {
        tmp.keep(&kept).map_err(|e| crate::text::io_error(&e))?;
    }
    let findings = judge(p, &kept, &name, size, &by);
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .count();
    let at = super::now();
    // The name as sent is shown, never trusted: no control characters, not endless.
    let name: String = name
        .chars()
        .map(|c| {
            if c.is_control() || bidi_control(c) {
                '?'
            } else {
                c
            }
        })
        .take(200)
        .collect();
    let entry = NewUpload {
        unit: by.unit,
        year: by.year,
        user_id: by.user_id,
        at: &at,
        name: &name,
        size: size as i64,
        sha256: &sha256,
        accepted: errors == 0,
        errors: errors as i64,
        warnings: warnings as i64,
        findings: &serde_json::to_string(&findings).unwrap_or_else(|_| "[]".into()),
        decision: by.decision,
    };
    let db = db.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let number = db
        .log_upload(&entry)
        .map_err(|e| crate::text::foreign(&e))?;
    let result = if errors == 0 {
        format!("utan fel, {}", Count(warnings, "varning", "varningar"))
    } else {
        format!("{errors} fel, {}", Count(warnings, "varning", "varningar"))
    };
    let e = Event::now(Kind::Upload)
        .unit(by.unit)
        .year(by.year)
        .by(by.user_id)
        .detail(format!("uppladdning {number}: {result}"));
    journal::record(&db, e);
    if errors == 0
        && let Err(why) = publish(p, data, &db, by.unit, by.year)
    {
        // The upload is kept and logged as accepted; its page says it is
        // not in the inbox, and the server's log says why.
        tracing::warn!("{} {}: inte publicerad: {why}", by.unit, by.year);
    }
    super::handins::refresh(data, &db);
    Ok(number)
}

/// The findings for an upload: its name and size first, then the rules of
/// `uppfolj validate`, then whether it is this unit's return for this year.
fn judge(p: &Pipeline, kept: &Path, name: &str, size: u64, by: &Sender<'_>) -> Vec<Shown> {
    if let Some(why) = refuse_name(name) {
        return vec![whole(why)];
    }
    if size == 0 {
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

/// The inbox's folder for a year, if there is an inbox.
fn inbox_year(p: &Pipeline, year: i32) -> Option<PathBuf> {
    let inbox = p.returns.inbox.as_ref()?;
    Some(p.resolve(inbox).join(year.to_string()))
}

/// A unit's returns for a year in the inbox, under any name a return may
/// have there (`<unit>-<year>.xlsx`, `.xlsm`, `.xls`, `.ods`, in any case):
/// the files `uppfolj run` takes as that unit's return.
pub fn inbox_returns(p: &Pipeline, unit: &str, year: i32) -> Vec<PathBuf> {
    let Some(dir) = inbox_year(p, year) else {
        return Vec::new();
    };
    let names: Vec<String> = crate::pipeline::RETURN_EXTENSIONS
        .iter()
        .map(|ext| crate::pipeline::return_file_name_as(unit, year, ext))
        .collect();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.path().is_file())
        .filter(|e| {
            let name = e.file_name().to_string_lossy().to_lowercase();
            names.contains(&name)
        })
        .map(|e| e.path())
        .collect();
    found.sort();
    found
}

/// Puts the newest accepted upload for a unit and year into the inbox, by
/// write-then-rename, under the kind it was uploaded as. It replaces only
/// what the portal itself put there: a return put in the inbox another way
/// stays, and the analyst chooses. Called with the database locked, so two
/// uploads publish in turn.
pub fn publish(p: &Pipeline, data: &Path, db: &Db, unit: &str, year: i32) -> Result<(), String> {
    let foreign = |e: rusqlite::Error| crate::text::foreign(&e);
    let Some(newest) = in_force(p, db, unit, year).map_err(foreign)? else {
        return Ok(());
    };
    let Some(dir) = inbox_year(p, year) else {
        return Ok(());
    };
    let target = dir.join(crate::pipeline::return_file_name_as(
        unit,
        year,
        kind(&newest.name),
    ));
    let ours = db
        .published(unit, year)
        .map_err(foreign)?
        .map(|(_, sha)| sha);
    let mut replaced = Vec::new();
    for existing in inbox_returns(p, unit, year) {
        let sha = crate::ledger::sha256_hex(
            &std::fs::read(&existing).map_err(|e| crate::text::io_error(&e))?,
        );
        if sha == newest.sha256 && existing == target {
            return record(db, unit, year, &newest);
        }
        if ours.as_deref() != Some(sha.as_str()) {
            return Err(format!(
                "{} finns redan och lades inte dit av portalen; den ersätts inte. Flytta den om den nya ska gälla.",
                existing.display()
            ));
        }
        replaced.push(existing);
    }
    let bytes = std::fs::read(stored(data, &newest.sha256, &newest.name))
        .map_err(|e| crate::text::io_error(&e))?;
    std::fs::create_dir_all(&dir).map_err(|e| crate::text::io_error(&e))?;
    let tmp = publishing(&target);
    write_synced(&tmp, &bytes).map_err(|e| crate::text::io_error(&e))?;
    std::fs::rename(&tmp, &target).map_err(|e| crate::text::io_error(&e))?;
    // What the portal published before under another kind goes: one return per unit and year.
    for old in replaced.iter().filter(|old| **old != target) {
        std::fs::remove_file(old).map_err(|e| crate::text::io_error(&e))?;
    }
    record(db, unit, year, &newest)
}

/// The upload that should be in the inbox for a unit and year: the newest
/// accepted one, or with `publish = "approved"` the one last approved.
pub fn in_force(p: &Pipeline, db: &Db, unit: &str, year: i32) -> rusqlite::Result<Option<Upload>> {
    let approved_only = p
        .portal
        .as_ref()
        .is_some_and(|x| x.publish == Publish::Approved);
    if !approved_only {
        return db.newest_accepted(unit, year);
    }
    match super::review::last_approved(&db.reviews(unit, year)?) {
        Some(id) => db.upload_by_id(id),
        None => Ok(None),
    }
}

/// The temporary file a return is written to before it is renamed into place.
fn publishing(target: &Path) -> PathBuf {
    let name = target.file_name().unwrap_or_default().to_string_lossy();
    target.with_file_name(format!(".uppfolj-{name}.tmp"))
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
        if let Some(dir) = inbox_year(p, year) {
            for ext in crate::pipeline::RETURN_EXTENSIONS {
                let target = dir.join(crate::pipeline::return_file_name_as(&unit, year, ext));
                let _ = std::fs::remove_file(publishing(&target));
            }
        }
    }
    publish_pending(p, data, db)
}

/// Publishes every newest accepted upload that is not in the inbox: after
/// a restart, or once an analyst has moved away the return that was in its
/// way. A file still in the way is left, and logged.
pub fn publish_pending(p: &Pipeline, data: &Path, db: &Db) -> Result<(), String> {
    let foreign = |e: rusqlite::Error| crate::text::foreign(&e);
    for (unit, year) in db.accepted_keys().map_err(foreign)? {
        let newest = in_force(p, db, &unit, year).map_err(foreign)?;
        if newest.is_none() {
            continue;
        }
        let published = db.published(&unit, year).map_err(foreign)?;
        let in_place = published.is_some_and(|(id, _)| newest.as_ref().is_some_and(|n| n.id == id))
            && !inbox_returns(p, &unit, year).is_empty();
        if in_place {
            continue;
        }
        if let Err(why) = publish(p, data, db, &unit, year) {
            tracing::warn!("{unit} {year}: inte publicerad: {why}");
        }
    }
    super::handins::refresh(data, db);
    Ok(())
}

/// Every accepted return in force (the newest accepted per unit and year)
/// as one zip archive of `<year>/<unit>-<year>.xlsx`, for the analysts.
pub fn accepted_archive(p: &Pipeline, data: &Path, db: &Db) -> Result<Vec<u8>, String> {
    use std::io::Write;
    let failed = |e: &(dyn std::error::Error + 'static)| crate::text::foreign(e);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    // Stored, with a fixed time: the same returns make the same archive.
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .last_modified_time(zip::DateTime::default());
    for (unit, year) in db.accepted_keys().map_err(|e| failed(&e))? {
        let Some(u) = in_force(p, db, &unit, year).map_err(|e| failed(&e))? else {
            continue;
        };
        let bytes = std::fs::read(stored(data, &u.sha256, &u.name))
            .map_err(|e| crate::text::io_error(&e))?;
        let name = crate::pipeline::return_file_name_as(&unit, year, kind(&u.name));
        zip.start_file(format!("{year}/{name}"), options)
            .map_err(|e| failed(&e))?;
        zip.write_all(&bytes)
            .map_err(|e| crate::text::io_error(&e))?;
    }
    let done = zip.finish().map_err(|e| failed(&e))?;
    Ok(done.into_inner())
}
