//! Handing in a return (the form streamed to disk within the cap, judged on
//! a blocking thread) and the verdict page of one upload.

use axum::extract::multipart::Field;
use axum::extract::{Multipart, Path as UrlPath, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::value::Serde;
use minijinja::{Value, context};
use serde::Serialize;

use super::unit::{may_see, may_upload};
use super::{Shared, page, when};
use crate::handin::CommitteeDecision;
use crate::pipeline::date::Date;
use crate::portal::App;
use crate::portal::access;
use crate::portal::db::Upload;
use crate::portal::error::PortalError;
use crate::portal::limits::Pace;
use crate::portal::upload::{self, Part, Received, Shown, UploadState};
use crate::portal::viewer::Viewer;

pub async fn upload(
    State(app): Shared,
    v: Viewer,
    UrlPath(unit): UrlPath<String>,
    mut form: Multipart,
) -> Result<Response, PortalError> {
    if !may_upload(&v, &unit) {
        return Err(PortalError::NotFound);
    }
    // A file that is not taken is removed when `received` is dropped.
    let form = read_form(&app, &v, &mut form).await?;
    let (year, received) = match (form.year, form.received) {
        (Some(y), Some(r)) if app.portal.years.contains(&y) => (y, r),
        _ => return Err(PortalError::Incomplete { csrf: v.csrf }),
    };
    let decision = decision(&form.decided, &form.paragraph, year, &v.csrf)?;
    refuse_when_locked(&app, &unit, year, &v.csrf)?;
    let worker = app.clone();
    let by_unit = unit.clone();
    let user_id = v.user.id;
    let done = tokio::task::spawn_blocking(move || {
        let by = upload::Sender {
            user_id,
            unit: &by_unit,
            year,
            decision: decision.as_ref(),
        };
        upload::process(&worker.p, &worker.data, &worker.db, received, by)
    })
    .await;
    let what = "uppladdningen kunde inte tas emot";
    let number = done
        .map_err(|e| PortalError::internal(what)(e.to_string()))?
        .map_err(PortalError::internal(what))?;
    Ok(Redirect::to(&format!("/enhet/{unit}/uppladdning/{number}")).into_response())
}

/// An approved return cannot be replaced, and a closed year takes nothing,
/// until an analyst opens it again.
fn refuse_when_locked(app: &App, unit: &str, year: i32, csrf: &str) -> Result<(), PortalError> {
    let what = "återrapporteringens läge kunde inte läsas";
    let db = app.db();
    let (s, reviews) = UploadState::read(&app.p, &db, unit, year).map_err(PortalError::db(what))?;
    if s == UploadState::Approved {
        return Err(PortalError::Locked {
            owner: app.p.owner_name().to_string(),
            csrf: csrf.to_string(),
        });
    }
    if super::review::closed(app, year) && !crate::portal::review::opened(&reviews) {
        return Err(PortalError::Closed {
            csrf: csrf.to_string(),
        });
    }
    Ok(())
}

/// The committee's decision as the form gives it, checked before the file
/// is judged.
fn decision(
    date: &str,
    paragraph: &str,
    year: i32,
    csrf: &str,
) -> Result<Option<CommitteeDecision>, PortalError> {
    let (y, m, d) = crate::clock::local_today();
    let today =
        crate::pipeline::date::Date::new(y as i32, m, d).unwrap_or(Date::year_end(y as i32));
    CommitteeDecision::parse(date, paragraph, year, today).map_err(|message| PortalError::Refused {
        message,
        csrf: csrf.to_string(),
    })
}

/// What the upload form sent.
#[derive(Default)]
struct Form {
    year: Option<i32>,
    received: Option<Received>,
    /// The committee's decision: its date and paragraph, as typed.
    decided: String,
    paragraph: String,
}

/// A text field, no longer than any field of the form needs.
async fn short_text(field: Field<'_>) -> String {
    field
        .text()
        .await
        .unwrap_or_default()
        .chars()
        .take(200)
        .collect()
}

/// The upload form's fields, the one file streamed to disk within the cap;
/// the CSRF token must come before the file.
async fn read_form(app: &App, v: &Viewer, form: &mut Multipart) -> Result<Form, PortalError> {
    let mut csrf_ok = false;
    let mut out = Form::default();
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(body_error(app, e.status())),
        };
        match field.name().unwrap_or("") {
            "csrf" => csrf_ok = field.text().await.is_ok_and(|t| access::same(&t, &v.csrf)),
            "year" => out.year = short_text(field).await.trim().parse().ok(),
            "decided" => out.decided = short_text(field).await,
            "paragraph" => out.paragraph = short_text(field).await,
            "file" if csrf_ok && out.received.is_some() => {
                return Err(PortalError::TwoFiles {
                    csrf: v.csrf.clone(),
                });
            }
            "file" if csrf_ok => out.received = Some(save(app, field).await?),
            _ => {}
        }
    }
    if !csrf_ok {
        return Err(PortalError::StaleForm);
    }
    Ok(out)
}

/// Streams a file field to a temporary file, stopping at the cap.
async fn save(app: &App, mut field: Field<'_>) -> Result<Received, PortalError> {
    use sha2::Digest;
    use tokio::io::AsyncWriteExt;
    let what = "den uppladdade filen kunde inte sparas";
    let disk = |e: std::io::Error| PortalError::internal(what)(crate::text::io_error(&e));
    let name = field.file_name().unwrap_or("").to_string();
    let max = app.p.returns.max_bytes;
    let path = app
        .data
        .join("tmp")
        .join(format!("{}.part", access::secret().map_err(disk)?));
    let mut file = tokio::fs::File::create(&path).await.map_err(disk)?;
    // From here the file goes when the request ends, unless it is kept.
    let tmp = Part::new(path);
    let mut pace = Pace::new(&app.portal.limits);
    let mut size = 0u64;
    let mut hash = sha2::Sha256::new();
    loop {
        let chunk = tokio::time::timeout(pace.patience(), field.chunk()).await;
        let bytes = match chunk {
            Err(_) => return Err(PortalError::TooSlow),
            Ok(Err(e)) => return Err(body_error(app, e.status())),
            Ok(Ok(None)) => break,
            Ok(Ok(Some(bytes))) => bytes,
        };
        size += bytes.len() as u64;
        if !pace.received(bytes.len()) {
            return Err(PortalError::TooSlow);
        }
        hash.update(&bytes);
        if size > max {
            return Err(body_error(app, StatusCode::PAYLOAD_TOO_LARGE));
        }
        file.write_all(&bytes).await.map_err(disk)?;
    }
    file.sync_all().await.map_err(disk)?;
    Ok(Received {
        tmp,
        name,
        size,
        sha256: crate::ledger::hex(&hash.finalize()),
    })
}

fn body_error(app: &App, status: StatusCode) -> PortalError {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => PortalError::TooLarge {
            max: app.p.returns.max_bytes,
        },
        _ => PortalError::Broken,
    }
}

/// A finding as the verdict page lists it.
#[derive(Serialize)]
struct FindingRow<'a> {
    severity: &'static str,
    severity_class: &'static str,
    sheet: &'a str,
    cell: &'a str,
    about: &'a str,
    message: &'a str,
}

fn finding_row(f: &Shown) -> FindingRow<'_> {
    FindingRow {
        severity: f.severity.label(),
        severity_class: f.severity.class(),
        sheet: &f.sheet,
        cell: &f.cell,
        about: &f.about,
        message: &f.message,
    }
}

pub async fn upload_page(
    State(app): Shared,
    v: Viewer,
    UrlPath((unit, number)): UrlPath<(String, String)>,
) -> Result<Response, PortalError> {
    let what = "uppladdningen kunde inte läsas";
    let number: i64 = number.parse().map_err(|_| PortalError::NotFound)?;
    if !may_see(&app, &v, &unit) {
        return Err(PortalError::NotFound);
    }
    let (u, published, newest) = {
        let db = app.db();
        let Some(u) = db.upload(&unit, number).map_err(PortalError::db(what))? else {
            return Err(PortalError::NotFound);
        };
        let published = db
            .published(&u.unit, u.year)
            .map_err(PortalError::db(what))?;
        let newest = db
            .newest_accepted(&u.unit, u.year)
            .map_err(PortalError::db(what))?;
        (u, published, newest.map(|n| n.id))
    };
    let findings: Vec<Shown> = serde_json::from_str(&u.findings).unwrap_or_default();
    let rows: Vec<FindingRow> = findings.iter().map(finding_row).collect();
    let place = if published.is_some_and(|(pid, _)| pid == u.id) {
        Place::InInbox
    } else if newest != Some(u.id) {
        Place::Superseded
    } else {
        Place::Blocked
    };
    let (result, state_class) = if u.accepted {
        ("Utan fel", "accepted")
    } else {
        ("Har fel", "errors")
    };
    let title = format!("Uppladdning {}", u.number);
    let comments = comments_of(&app, &u).await?;
    Ok(page(
        &app,
        StatusCode::OK,
        "uppladdning.html",
        context! { title => title, upload => Value::from(Serde(&u)), size => crate::portal::pages::size(u.size),
        findings => Value::from(Serde(&rows)), comments => comments,
        at => when(&u.at), result => result, decision => super::review::decision_text(&u), state_class => state_class, verdict => verdict(&u, place, app.p.owner_name()),
        unit_name => app.p.unit_name(&unit), csrf => v.csrf },
    ))
}

/// The comments the upload carries, read again from the kept file: (what
/// the value concerns, its cell, the comment). Only comments that passed
/// the identifier check are there to show.
async fn comments_of(
    app: &std::sync::Arc<App>,
    u: &Upload,
) -> Result<Vec<(String, String, String)>, PortalError> {
    let worker = app.clone();
    let file = upload::stored(&app.data, &u.sha256, &u.name);
    let year = u.year;
    let read = tokio::task::spawn_blocking(move || {
        let o = crate::validate::returns::validate_files(&worker.p, &[file], Some(year));
        o.values
            .iter()
            .filter_map(|v| {
                let text = v.comment.as_deref()?;
                let about = crate::validate::returns::about_value(&worker.p, v);
                Some((about, format!("{}!{}", v.sheet, v.cell), text.to_string()))
            })
            .collect()
    })
    .await;
    read.map_err(|e| PortalError::internal("uppladdningen kunde inte läsas")(e.to_string()))
}

/// Where an accepted upload stands.
#[derive(Clone, Copy)]
enum Place {
    /// It is the return the run reads.
    InInbox,
    /// A later accepted upload took its place.
    Superseded,
    /// A return handed in another way is in the way; an analyst chooses.
    Blocked,
}

fn verdict(u: &Upload, place: Place, owner: &str) -> String {
    let text = match (u.accepted, place) {
        (true, Place::InInbox) => {
            "Återrapporteringen har inga fel och är lämnad till {owner}, som granskar den. Varningar, om det finns några, är värda att se över men hindrar inte."
        }
        (true, Place::Superseded) => {
            "Återrapporteringen har inga fel, men en senare uppladdning utan fel har ersatt den. Det är den senare som gäller."
        }
        (true, Place::Blocked) => {
            "Återrapporteringen har inga fel och är sparad, men {owner} har redan en återrapportering för samma år som lämnats på annat sätt. {owner} väljer vilken som ska gälla och hör av sig; du behöver inte ladda upp igen."
        }
        (false, _) => {
            "Återrapporteringen kan inte tas emot förrän felen nedan är rättade. Rätta dem i filen och ladda upp den igen; en tidigare uppladdning utan fel gäller under tiden."
        }
    };
    text.replace("{owner}", owner)
}
