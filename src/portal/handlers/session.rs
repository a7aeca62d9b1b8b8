//! Signing in with a personal link, and out again.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Form, Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use minijinja::context;
use serde::Deserialize;

use super::{Shared, message, page};
use crate::portal::App;
use crate::portal::access::{self, Role};
use crate::portal::db::User;
use crate::portal::error::PortalError;
use crate::portal::journal::{self, Event, Kind};
use crate::portal::viewer::Viewer;
use crate::text::Count;

pub async fn home(State(app): Shared, v: Option<Viewer>) -> Response {
    let Some(v) = v else {
        let contact = app.p.returns.contact.clone().unwrap_or_default();
        let text = format!(
            "Logga in med den personliga länk du har fått; efter {} utan aktivitet behöver du logga in igen. Har du ingen länk, kontakta {}.",
            Count(minutes(app.portal.idle) as usize, "minut", "minuter"),
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

/// The personal link: its token goes at once from the address (and so from
/// history and any referrer) to a short-lived cookie only the sign-in form
/// is sent with, and the browser moves on to a token-free page.
pub async fn sign_in_link(
    State(app): Shared,
    UrlPath(token): UrlPath<String>,
) -> Result<Response, PortalError> {
    if !token.chars().all(|c| c.is_ascii_hexdigit()) || token.len() > 128 {
        return Err(PortalError::NotFound);
    }
    let cookie = access::link_cookie(&token, app.secure);
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/logga-in")).into_response())
}

/// The page that asks for a click before signing in, so that a mail
/// scanner opening the link starts no session.
pub async fn sign_in_page(State(app): Shared) -> Response {
    page(
        &app,
        StatusCode::OK,
        "logga_in.html",
        context! { title => "Logga in", csrf => "" },
    )
}

#[derive(Deserialize)]
pub struct SignIn {
    /// For a client that posts the token itself; a browser sends it in the
    /// link's cookie.
    token: Option<String>,
}

/// Signs in. A valid token always signs in, however many wrong ones came
/// from the same address (behind a proxy, every committee shares one); the
/// limit only slows down guessing, and every failure is logged.
pub async fn sign_in(
    State(app): Shared,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(f): Form<SignIn>,
) -> Result<Response, PortalError> {
    let from_cookie = headers
        .get(header::COOKIE)
        .and_then(|c| c.to_str().ok())
        .and_then(access::link_token)
        .map(str::to_string);
    let token = f.token.or(from_cookie).unwrap_or_default();
    let client = access::client_ip(peer.ip(), &headers, &app.portal.trusted_proxies);
    if let Some((id, user)) = start_session(&app, &token)? {
        let e = Event::now(Kind::SignIn)
            .unit(&user.unit)
            .by(user.id)
            .client(client);
        journal::record(&app.db(), e);
        let cookies = [
            (header::SET_COOKIE, access::session_cookie(&id, app.secure)),
            (header::SET_COOKIE, access::cleared_link_cookie(app.secure)),
        ];
        return Ok((AppendHeaders(cookies), Redirect::to("/")).into_response());
    }
    let mut limit = app.limit();
    let over = !limit.allow(client);
    limit.failed(client);
    drop(limit);
    let detail = if over {
        "för många försök från adressen"
    } else {
        "länken gäller inte"
    };
    journal::record(
        &app.db(),
        Event::now(Kind::SignInFailed).client(client).detail(detail),
    );
    if over {
        tracing::warn!(%client, "för många misslyckade inloggningar från adressen");
        return Err(PortalError::TooManyAttempts);
    }
    tracing::info!(%client, "misslyckad inloggning: länken gäller inte");
    Err(PortalError::BadLink)
}

/// A new session for the user a sign-in token belongs to: its id, or `None`
/// for a token that is not (or no longer) valid.
fn start_session(app: &App, token: &str) -> Result<Option<(String, User)>, PortalError> {
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
    Ok(Some((id, user)))
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
    let db = app.db();
    db.end_session(&v.session)
        .map_err(PortalError::db("utloggningen kunde inte göras"))?;
    journal::record(
        &db,
        Event::now(Kind::SignOut).unit(&v.user.unit).by(v.user.id),
    );
    drop(db);
    let cookie = access::cleared_cookie(app.secure);
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response())
}

/// A duration in whole minutes, at least 1, as the home page says it.
fn minutes(d: std::time::Duration) -> u64 {
    (d.as_secs() / 60).max(1)
}
