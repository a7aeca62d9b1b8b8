//! Keeps the hand-in file ([`crate::handin`]) in step with the database,
//! so that `uppfolj run` can say which returns were approved, on time, and
//! decided by their committee: after every upload and decision, and when
//! the portal starts.

use std::path::Path;

use super::db::Db;
use super::review::{self, Decision};
use crate::handin::{self, HandIn};

/// Writes the file again; a failure is logged, for the upload or decision
/// that led here is kept all the same and the next one writes it again.
pub fn refresh(data: &Path, db: &Db) {
    let written = entries(db)
        .map_err(|e| crate::text::foreign(&e))
        .and_then(|e| handin::write(data, e).map_err(|e| crate::text::io_error(&e)));
    if let Err(why) = written {
        tracing::warn!("{} kunde inte skrivas: {why}", handin::FILE);
    }
}

/// One entry per return the portal has put in the inbox.
fn entries(db: &Db) -> rusqlite::Result<Vec<HandIn>> {
    let mut out = Vec::new();
    for (unit, year, upload_id, sha256) in db.published_all()? {
        let upload = db.upload_by_id(upload_id)?;
        let reviews = db.reviews(&unit, year)?;
        let approved = upload
            .as_ref()
            .and_then(|u| review::verdict(&reviews, u))
            .is_some_and(|r| r.decision == Decision::Approved);
        out.push(HandIn {
            first_accepted: db.first_accepted(&unit, year)?,
            decision: upload.and_then(|u| u.decision),
            unit_id: unit,
            year,
            sha256,
            approved,
        });
    }
    Ok(out)
}
