//! The analysts' overview of every expected return, the accepted returns as
//! one archive, and the latest report for analysts and decision makers.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use minijinja::value::Serde;
use minijinja::{Value, context};
use serde::Serialize;

use super::{Shared, message, page, when};
use crate::handin::{Timeliness, deadline_day};
use crate::portal::App;
use crate::portal::access::Role;
use crate::portal::error::PortalError;
use crate::portal::journal::{self, Event, Kind};
use crate::portal::upload::{self, UploadState};
use crate::portal::viewer::Viewer;

#[derive(Serialize)]
struct OverviewRow {
    unit: String,
    name: String,
    state: String,
    state_class: &'static str,
    timeliness: String,
    last: String,
    errors: i64,
    warnings: i64,
}

#[derive(Serialize)]
struct OverviewYear {
    year: i32,
    expected: usize,
    accepted: usize,
    approved: usize,
    rows: Vec<OverviewRow>,
}

pub async fn overview(State(app): Shared, v: Viewer) -> Result<Response, PortalError> {
    let v = v.analyst()?;
    // A return an analyst moved out of an accepted upload's way gives way now.
    let worker = app.clone();
    let published = tokio::task::spawn_blocking(move || {
        upload::publish_pending(&worker.p, &worker.data, &worker.db())
    })
    .await;
    let what = "väntande återrapporteringar kunde inte lämnas vidare";
    published
        .map_err(|e| PortalError::internal(what)(e.to_string()))?
        .map_err(PortalError::internal(what))?;
    let years = overview_years(&app)?;
    Ok(page(
        &app,
        StatusCode::OK,
        "oversikt.html",
        context! { title => "Återrapporteringar", years => Value::from(Serde(&years)), csrf => v.csrf },
    ))
}

/// Each open year: every expected unit's state and latest upload. A return
/// put in the inbox outside the portal counts as handed in, as the run reads it.
fn overview_years(app: &App) -> Result<Vec<OverviewYear>, PortalError> {
    let db = app.db();
    let mut out = Vec::new();
    for &year in &app.portal.years {
        let (mut rows, mut accepted, mut approved) = (Vec::new(), 0, 0);
        for u in app.p.units_reporting(year) {
            if crate::layout::layout(&app.p, u, year).is_empty() {
                continue;
            }
            let uploads = db
                .uploads(&u.id)
                .map_err(PortalError::db("översikten kunde inte läsas"))?;
            let what = "översikten kunde inte läsas";
            let published = db.published(&u.id, year).map_err(PortalError::db(what))?;
            let reviews = db.reviews(&u.id, year).map_err(PortalError::db(what))?;
            let first = db
                .first_accepted(&u.id, year)
                .map_err(PortalError::db(what))?;
            let state = UploadState::of(
                &app.p,
                &u.id,
                &uploads,
                year,
                published.map(|(id, _)| id),
                &reviews,
            );
            let timely = Timeliness::of(
                first.as_deref(),
                state == UploadState::OutsidePortal,
                deadline_day(&app.p, year),
            );
            accepted += usize::from(state.handed_in());
            approved += usize::from(state == UploadState::Approved);
            let last = uploads.iter().find(|x| x.year == year);
            rows.push(OverviewRow {
                unit: u.id.clone(),
                name: u.name.clone(),
                state: state.label(app.p.owner_name()),
                state_class: state.class(),
                timeliness: timely.label(),
                last: last.map(|x| when(&x.at)).unwrap_or_else(|| "–".into()),
                errors: last.map_or(0, |x| x.errors),
                warnings: last.map_or(0, |x| x.warnings),
            });
        }
        out.push(OverviewYear {
            year,
            expected: rows.len(),
            accepted,
            approved,
            rows,
        });
    }
    Ok(out)
}

/// Every accepted return in force, as one zip archive.
pub async fn accepted(State(app): Shared, v: Viewer) -> Result<Response, PortalError> {
    let v = v.analyst()?;
    let worker = app.clone();
    let archive = tokio::task::spawn_blocking(move || {
        let db = worker.db();
        let e = Event::now(Kind::Download)
            .by(v.user.id)
            .detail("godkanda.zip");
        journal::record(&db, e);
        upload::accepted_archive(&worker.p, &worker.data, &db)
    })
    .await;
    let what = "arkivet med godkända återrapporteringar kunde inte göras";
    let bytes = archive
        .map_err(|e| PortalError::internal(what)(e.to_string()))?
        .map_err(PortalError::internal(what))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"godkanda.zip\"",
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The portal's bar above the report: who is signed in may sign out.
const BAR_STYLE: &str = ".uppfolj-portal { background: #00315e; color: #fff; padding: 0.5rem 1.5rem; display: flex; justify-content: space-between; align-items: center; font-family: \"DejaVu Sans\", Arial, sans-serif; } .uppfolj-portal p { margin: 0; font-weight: bold; } .uppfolj-portal button { background: #fff; color: #00315e; border: 0; padding: 0.4rem 0.9rem; font: inherit; cursor: pointer; }";

/// The latest run's report, as `uppfolj run` wrote it, with the portal's
/// bar at the top; its styles are allowed by their hashes, nothing else.
pub async fn report(State(app): Shared, v: Viewer) -> Result<Response, PortalError> {
    if v.user.role == Role::Committee {
        return Err(PortalError::NotFound);
    }
    let path = app
        .p
        .resolve(&app.p.output.dir)
        .join(crate::store::names::REPORT);
    let e = Event::now(Kind::Download).by(v.user.id).detail("rapporten");
    journal::record(&app.db(), e);
    let Ok(html) = tokio::fs::read_to_string(&path).await else {
        return Ok(message(
            &app,
            StatusCode::NOT_FOUND,
            "Ingen rapport ännu",
            "Det finns ingen rapport ännu. Den kommer när årets uppföljning har körts.",
            &v.csrf,
        ));
    };
    let bar = format!(
        "<style>{BAR_STYLE}</style><header class=\"uppfolj-portal\"><p>{}</p><form method=\"post\" action=\"/logga-ut\"><input type=\"hidden\" name=\"csrf\" value=\"{}\"><button type=\"submit\">Logga ut</button></form></header>",
        crate::report::esc(&app.p.strategy.title),
        v.csrf
    );
    let html = with_bar(&html, &bar);
    let policy = crate::portal::headers::policy_with_styles(inline_styles(&html));
    Ok(([(header::CONTENT_SECURITY_POLICY, policy)], Html(html)).into_response())
}

/// The report with `bar` just inside its `<body>`.
fn with_bar(html: &str, bar: &str) -> String {
    let at = html
        .find("<body")
        .and_then(|b| html[b..].find('>').map(|e| b + e + 1))
        .unwrap_or(0);
    format!("{}{bar}{}", &html[..at], &html[at..])
}

/// The contents of every `<style>` element, as the CSP hashes them.
fn inline_styles(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<style>") {
        let body = &rest[start + 7..];
        let Some(end) = body.find("</style>") else {
            break;
        };
        out.push(&body[..end]);
        rest = &body[end..];
    }
    out
}
