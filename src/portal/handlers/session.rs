//! Signing in with a personal link, and out again.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Form, Path as UrlPath, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use serde::Deserialize;

use super::{Shared, message, page};
use crate::portal::App;
use crate::portal::access::{self, Role};
use crate::portal::error::PortalError;
use crate::portal::viewer::Viewer;

pub async fn home(State(app): Shared, v: Option<Viewer>) -> Response {
    let Some(v) = v else {
        let contact = app.p.returns.contact.clone().unwrap_or_default();
        let text = format!(
            "Logga in med den personliga länk du har fått; efter {} minuter utan aktivitet behöver du logga in igen. Har du ingen länk, kontakta {}.",
            minutes(app.portal.idle),
            if contact.is_empty() {
                "den som samordnar uppföljningen".into()
            } else {
                contact
            }
        );
        return message(&app, StatusCode::OK, "Återrapportering", &text, "");
    };
    match v.user.role {
        Role::Committee => Redirect::to(&format!("/enhet/{}", v.user.unit)).into_response(),
        Role::Analyst => Redirect::to("/oversikt").into_response(),
        Role::Reader => Redirect::to("/rapport").into_response(),
    }
}

pub async fn sign_in_page(
    State(app): Shared,
    UrlPath(token): UrlPath<String>,
) -> Result<Response, PortalError> {
    if !token.chars().all(|c| c.is_ascii_hexdigit()) || token.len() > 128 {
        return Err(PortalError::NotFound);
    }
    Ok(page(
        &app,
        StatusCode::OK,
        "logga_in.html",
        context! { title => "Logga in", token => token, csrf => "" },
    ))
}

#[derive(Deserialize)]
pub struct SignIn {
    token: String,
}

pub async fn sign_in(
    State(app): Shared,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Form(f): Form<SignIn>,
) -> Result<Response, PortalError> {
    if !app.limit().allow(addr.ip()) {
        return Err(PortalError::TooManyAttempts);
    }
    let Some(id) = start_session(&app, &f.token)? else {
        app.limit().failed(addr.ip());
        return Err(PortalError::BadLink);
    };
    let cookie = access::session_cookie(&id, app.secure);
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response())
}

/// A new session for the user a sign-in token belongs to: its id, or `None`
/// for a token that is not (or no longer) valid.
fn start_session(app: &App, token: &str) -> Result<Option<String>, PortalError> {
    let db = app.db();
    let what = "inloggningen kunde inte göras";
    let Some(user) = db
        .user_by_token(&access::hash(token))
        .map_err(PortalError::db(what))?
    else {
        return Ok(None);
    };
    let secret = || access::secret().map_err(|e| PortalError::internal(what)(e.to_string()));
    let (id, csrf) = (secret()?, secret()?);
    db.add_session(&access::hash(&id), user.id, &csrf, &app.clock())
        .map_err(PortalError::db(what))?;
    Ok(Some(id))
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn sign_out(
    State(app): Shared,
    v: Option<Viewer>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, PortalError> {
    let Some(v) = v else {
        return Ok(Redirect::to("/").into_response());
    };
    if !access::same(&f.csrf, &v.csrf) {
        return Err(PortalError::StaleForm);
    }
    app.db()
        .end_session(&v.session)
        .map_err(PortalError::db("utloggningen kunde inte göras"))?;
    let cookie = access::cleared_cookie(app.secure);
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response())
}

/// A duration in whole minutes, at least 1, as the home page says it.
fn minutes(d: std::time::Duration) -> u64 {
    (d.as_secs() / 60).max(1)
}
