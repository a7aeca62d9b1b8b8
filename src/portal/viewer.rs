//! Who is asking: the signed-in person, found once per request from the
//! session cookie. A handler that takes a [`Viewer`] is only reached by a
//! signed-in person; one that takes `Option<Viewer>` serves both.

use std::sync::Arc;

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::header;
use axum::http::request::Parts;

use super::App;
use super::access::{self, Role};
use super::db::User;
use super::error::PortalError;

/// The signed-in person, with the session's CSRF token.
pub struct Viewer {
    pub user: User,
    pub csrf: String,
    /// The session id's hash, as the database keeps it.
    pub session: String,
}

impl Viewer {
    /// Only an analyst gets past; anyone else sees a page that does not exist.
    pub fn analyst(self) -> Result<Viewer, PortalError> {
        match self.user.role {
            Role::Analyst => Ok(self),
            _ => Err(PortalError::NotFound),
        }
    }
}

impl OptionalFromRequestParts<Arc<App>> for Viewer {
    type Rejection = PortalError;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &Arc<App>,
    ) -> Result<Option<Viewer>, PortalError> {
        let cookies = parts.headers.get(header::COOKIE);
        let Some(id) = cookies
            .and_then(|c| c.to_str().ok())
            .and_then(access::session_id)
        else {
            return Ok(None);
        };
        let session = access::hash(id);
        let found = app
            .db()
            .session(&session, &app.clock())
            .map_err(PortalError::db("sessionen kunde inte läsas"))?;
        Ok(found.map(|(user, csrf)| Viewer {
            user,
            csrf,
            session,
        }))
    }
}

impl FromRequestParts<Arc<App>> for Viewer {
    type Rejection = PortalError;

    /// Someone whose session has ended is told so (and how to sign in
    /// again); someone who never signed in sees a page that does not exist.
    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Viewer, PortalError> {
        let had_session = parts
            .headers
            .get(header::COOKIE)
            .and_then(|c| c.to_str().ok())
            .and_then(access::session_id)
            .is_some();
        let found = <Viewer as OptionalFromRequestParts<Arc<App>>>::from_request_parts(parts, app);
        found.await?.ok_or(if had_session {
            PortalError::SessionEnded
        } else {
            PortalError::NotFound
        })
    }
}
