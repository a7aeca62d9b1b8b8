//! A unit's page (its open years, their state and its uploads) and its
//! template for a year.

use axum::extract::{Path as UrlPath, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use minijinja::value::Serde;
use minijinja::{Value, context};
use serde::Serialize;

use super::{Shared, page, when};
use crate::portal::App;
use crate::portal::access::{self, Role};
use crate::portal::db::Upload;
use crate::portal::error::PortalError;
use crate::portal::journal::{self, Event, Kind};
use crate::portal::upload::UploadState;
use crate::portal::viewer::Viewer;
use crate::text::Count;

/// Whether the viewer may see a unit's pages.
pub(super) fn may_see(app: &App, v: &Viewer, unit: &str) -> bool {
    match v.user.role {
        Role::Analyst => app.p.unit(unit).is_some(),
        Role::Committee => access::visible_units(&app.p, &v.user.unit)
            .iter()
            .any(|u| u == unit),
        Role::Reader => false,
    }
}

/// Only a committee hands in, and only its own return.
pub(super) fn may_upload(v: &Viewer, unit: &str) -> bool {
    v.user.role == Role::Committee && v.user.unit == unit
}

/// The open years a unit reports in.
fn open_years(app: &App, unit: &str) -> Vec<i32> {
    let Some(u) = app.p.unit(unit) else {
        return Vec::new();
    };
    app.portal
        .years
        .iter()
        .copied()
        .filter(|y| !crate::layout::layout(&app.p, u, *y).is_empty())
        .collect()
}

#[derive(Serialize)]
struct YearView {
    year: i32,
    state: String,
    state_class: &'static str,
    deadline: String,
    /// The analysts' reason, when they sent it back.
    returned: Option<String>,
    /// Approved, or closed: the committee cannot upload for the year.
    locked: bool,
    closed: bool,
}

#[derive(Serialize)]
struct UploadRow {
    number: i64,
    unit: String,
    unit_name: String,
    year: i32,
    at: String,
    name: String,
    size: String,
    result: String,
}

fn upload_row(app: &App, u: &Upload) -> UploadRow {
    UploadRow {
        number: u.number,
        unit: u.unit.clone(),
        unit_name: app.p.unit_name(&u.unit),
        year: u.year,
        at: when(&u.at),
        name: u.name.clone(),
        size: crate::portal::pages::size(u.size),
        result: result_text(u),
    }
}

fn result_text(u: &Upload) -> String {
    let warnings = Count(u.warnings as usize, "varning", "varningar");
    if u.accepted {
        format!("Utan fel ({warnings})")
    } else {
        format!("Har fel ({} fel, {warnings})", u.errors)
    }
}

fn year_view(
    app: &App,
    unit: &str,
    uploads: &[Upload],
    year: i32,
) -> Result<YearView, PortalError> {
    let what = "enhetens läge kunde inte läsas";
    let (published, reviews) = {
        let db = app.db();
        let published = db.published(unit, year).map_err(PortalError::db(what))?;
        (
            published,
            db.reviews(unit, year).map_err(PortalError::db(what))?,
        )
    };
    let state = UploadState::of(
        &app.p,
        unit,
        uploads,
        year,
        published.map(|(id, _)| id),
        &reviews,
    );
    let returned = (state == UploadState::Returned)
        .then(|| reviews.first().map(|r| r.reason.clone()))
        .flatten();
    let closed = super::review::closed(app, year) && !crate::portal::review::opened(&reviews);
    let deadline = app
        .p
        .returns
        .deadline
        .map(|d| d.in_year(year + 1))
        .unwrap_or_else(|| "inget datum satt".into());
    Ok(YearView {
        year,
        state: state.label(app.p.owner_name()),
        state_class: state.class(),
        deadline,
        returned,
        locked: state == UploadState::Approved || closed,
        closed,
    })
}

pub async fn unit_page(
    State(app): Shared,
    v: Viewer,
    UrlPath(unit): UrlPath<String>,
) -> Result<Response, PortalError> {
    if !may_see(&app, &v, &unit) {
        return Err(PortalError::NotFound);
    }
    let uploads = app
        .db()
        .uploads(&unit)
        .map_err(PortalError::db("enhetens uppladdningar kunde inte läsas"))?;
    let years: Vec<YearView> = open_years(&app, &unit)
        .into_iter()
        .map(|year| year_view(&app, &unit, &uploads, year))
        .collect::<Result<_, _>>()?;
    let rows: Vec<UploadRow> = uploads.iter().map(|u| upload_row(&app, u)).collect();
    // The years the form offers: an approved or closed year takes nothing.
    let uploadable: Vec<i32> = years.iter().filter(|y| !y.locked).map(|y| y.year).collect();
    let title = app.p.unit_name(&unit);
    let may_upload = may_upload(&v, &unit);
    let analyst = v.user.role == Role::Analyst;
    // A merged district's predecessors, whose history it may read.
    let earlier: Vec<(String, String)> = access::visible_units(&app.p, &unit)
        .into_iter()
        .skip(1)
        .map(|u| (app.p.unit_name(&u), u))
        .collect();
    Ok(page(
        &app,
        StatusCode::OK,
        "enhet.html",
        context! { title => title, unit => unit, years => Value::from(Serde(&years)),
        uploads => Value::from(Serde(&rows)), earlier => Value::from(Serde(&earlier)),
        may_upload => may_upload, uploadable => uploadable, analyst => analyst, csrf => v.csrf },
    ))
}

pub async fn template(
    State(app): Shared,
    v: Viewer,
    UrlPath((unit, year)): UrlPath<(String, String)>,
) -> Result<Response, PortalError> {
    let year: i32 = year.parse().map_err(|_| PortalError::NotFound)?;
    if !may_see(&app, &v, &unit) || !open_years(&app, &unit).contains(&year) {
        return Err(PortalError::NotFound);
    }
    let u = app.p.unit(&unit).ok_or(PortalError::NotFound)?;
    let layout = crate::layout::layout(&app.p, u, year);
    let bytes = crate::template::template_bytes(&app.p, &layout)
        .map_err(|e| PortalError::internal("mallen kunde inte skrivas")(e.to_string()))?;
    let e = Event::now(Kind::Download)
        .unit(&unit)
        .year(year)
        .by(v.user.id)
        .detail("mallen");
    journal::record(&app.db(), e);
    let name = crate::pipeline::return_file_name(&unit, year);
    let disposition = format!("attachment; filename=\"{name}\"");
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}
