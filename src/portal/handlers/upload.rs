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
use crate::portal::App;
use crate::portal::access;
use crate::portal::db::Upload;
use crate::portal::error::PortalError;
use crate::portal::upload::{self, Received, Shown};
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
    let (year, received) = match read_form(&app, &v, &mut form).await? {
        (Some(y), Some(r)) if app.portal.years.contains(&y) => (y, r),
        (_, r) => {
            if let Some(r) = r {
                let _ = std::fs::remove_file(&r.tmp);
            }
            return Err(PortalError::Incomplete { csrf: v.csrf });
        }
    };
    let worker = app.clone();
    let by_unit = unit.clone();
    let user_id = v.user.id;
    let done = tokio::task::spawn_blocking(move || {
        let by = upload::Sender {
            user_id,
            unit: &by_unit,
            year,
        };
        upload::process(&worker.p, &worker.data, &worker.db, received, by)
    })
    .await;
    let what = "uppladdningen kunde inte tas emot";
    let id = done
        .map_err(|e| PortalError::internal(what)(e.to_string()))?
        .map_err(PortalError::internal(what))?;
    Ok(Redirect::to(&format!("/enhet/{unit}/uppladdning/{id}")).into_response())
}

/// The upload form's fields, the file streamed to disk within the cap; the
/// CSRF token must come before the file.
async fn read_form(
    app: &App,
    v: &Viewer,
    form: &mut Multipart,
) -> Result<(Option<i32>, Option<Received>), PortalError> {
    let (mut csrf_ok, mut year, mut received) = (false, None, None);
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(body_error(app, e.status())),
        };
        match field.name().unwrap_or("") {
            "csrf" => csrf_ok = field.text().await.is_ok_and(|t| access::same(&t, &v.csrf)),
            "year" => year = field.text().await.ok().and_then(|t| t.trim().parse().ok()),
            "file" if csrf_ok => received = Some(save(app, field).await?),
            _ => {}
        }
    }
    if !csrf_ok {
        return Err(PortalError::StaleForm);
    }
    Ok((year, received))
}

/// Streams a file field to a temporary file, stopping at the cap.
async fn save(app: &App, mut field: Field<'_>) -> Result<Received, PortalError> {
    use sha2::Digest;
    use tokio::io::AsyncWriteExt;
    let what = "den uppladdade filen kunde inte sparas";
    let disk = |e: std::io::Error| PortalError::internal(what)(crate::text::io_error(&e));
    let name = field.file_name().unwrap_or("").to_string();
    let max = app.p.returns.max_bytes;
    let tmp = app
        .data
        .join("tmp")
        .join(format!("{}.part", access::secret().map_err(disk)?));
    let mut file = tokio::fs::File::create(&tmp).await.map_err(disk)?;
    let mut size = 0u64;
    let mut hash = sha2::Sha256::new();
    let outcome = loop {
        match field.chunk().await {
            Ok(Some(bytes)) => {
                size += bytes.len() as u64;
                hash.update(&bytes);
                if size > max {
                    break Err(body_error(app, StatusCode::PAYLOAD_TOO_LARGE));
                }
                if let Err(e) = file.write_all(&bytes).await {
                    break Err(disk(e));
                }
            }
            Ok(None) => break file.sync_all().await.map_err(disk),
            Err(e) => break Err(body_error(app, e.status())),
        }
    };
    match outcome {
        Ok(()) => Ok(Received {
            tmp,
            name,
            size,
            sha256: crate::ledger::hex(&hash.finalize()),
        }),
        Err(e) => {
            let _ = tokio::fs::remove_file(&tmp).await;
            Err(e)
        }
    }
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
    UrlPath((unit, id)): UrlPath<(String, i64)>,
) -> Result<Response, PortalError> {
    let what = "uppladdningen kunde inte läsas";
    let (u, published) = {
        let db = app.db();
        let Some(u) = db.upload(id).map_err(PortalError::db(what))? else {
            return Err(PortalError::NotFound);
        };
        let published = db
            .published(&u.unit, u.year)
            .map_err(PortalError::db(what))?;
        (u, published)
    };
    if u.unit != unit || !may_see(&app, &v, &unit) {
        return Err(PortalError::NotFound);
    }
    let findings: Vec<Shown> = serde_json::from_str(&u.findings).unwrap_or_default();
    let rows: Vec<FindingRow> = findings.iter().map(finding_row).collect();
    let in_inbox = published.is_some_and(|(pid, _)| pid == u.id);
    let (result, state_class) = if u.accepted {
        ("Godkänd", "accepted")
    } else {
        ("Inte godkänd", "errors")
    };
    let title = format!("Uppladdning {}", u.id);
    Ok(page(
        &app,
        StatusCode::OK,
        "uppladdning.html",
        context! { title => title, upload => Value::from(Serde(&u)), size => crate::portal::pages::size(u.size),
        findings => Value::from(Serde(&rows)),
        at => when(&u.at), result => result, state_class => state_class, verdict => verdict(&u, in_inbox),
        unit_name => app.p.unit_name(&unit), csrf => v.csrf },
    ))
}

fn verdict(u: &Upload, in_inbox: bool) -> &'static str {
    match (u.accepted, in_inbox) {
        (true, true) => {
            "Återrapporteringen är godkänd och lämnad till Stadsledningskontoret. Varningar, om det finns några, är värda att se över men hindrar inte."
        }
        (true, false) => {
            "Återrapporteringen är godkänd men är inte den som gäller: en senare godkänd uppladdning har ersatt den, eller så finns redan en återrapportering i inkorgen som portalen inte lade dit (kontakta Stadsledningskontoret)."
        }
        (false, _) => {
            "Återrapporteringen kan inte tas emot förrän felen nedan är rättade. Rätta dem i filen och ladda upp den igen; en tidigare godkänd återrapportering gäller under tiden."
        }
    }
}
