//! One function per page or action, by area: [`session`] (signing in and
//! out), [`unit`] (a unit's page and template), [`upload`] (handing in and
//! the verdict), [`overview`] (the analysts' overview, the accepted returns
//! and the report). A request for a unit, file or upload the signed-in
//! person may not see gets the very same answer as a page that does not
//! exist ([`PortalError::NotFound`]).

pub mod overview;
pub mod review;
pub mod session;
pub mod unit;
pub mod upload;

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use minijinja::{Value, context};

use super::App;
use super::error::PortalError;

type Shared = State<Arc<App>>;

/// A page from its template, with the strategy's title every page shows; a
/// template that cannot render (a bug) is logged and answers a plain page.
pub fn render_page(app: &App, name: &str, ctx: Value) -> Result<String, String> {
    let strategy = &app.p.strategy.title;
    let owner = app.p.owner_name();
    let ctx = context! { strategy => strategy, owner => owner, ..ctx };
    app.pages.render(name, ctx).map_err(|e| {
        tracing::error!("sidan {name} kunde inte visas: {e}");
        "<!doctype html><html lang=\"sv\"><title>Fel</title><p>Sidan kunde inte visas. Rapportera felet till den som underhåller uppfolj.</p></html>".into()
    })
}

fn page(app: &App, status: StatusCode, name: &str, ctx: Value) -> Response {
    match render_page(app, name, ctx) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(html) => (StatusCode::INTERNAL_SERVER_ERROR, Html(html)).into_response(),
    }
}

/// A page that only says something (not an error: those are [`PortalError`]s).
fn message(app: &App, status: StatusCode, title: &str, text: &str, csrf: &str) -> Response {
    page(
        app,
        status,
        "meddelande.html",
        context! { title => title, message => text, csrf => csrf },
    )
}

pub async fn not_found() -> PortalError {
    PortalError::NotFound
}

/// "2026-11-23 19:40", in Swedish local time, from the log's RFC 3339 time.
fn when(at: &str) -> String {
    crate::clock::local_minute(at)
}
