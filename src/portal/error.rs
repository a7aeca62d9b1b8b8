//! The portal's one error. A handler that cannot answer as asked returns a
//! [`PortalError`]; it logs why (through `tracing`: never a value from an
//! uploaded file, only what failed) and answers a Swedish page, rendered
//! with the strategy's title by [`render`] on the way out.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use minijinja::context;

use super::App;

#[derive(Debug, thiserror::Error)]
pub enum PortalError {
    /// Not signed in, not allowed, or no such thing: the very same answer,
    /// so that nobody learns what exists by asking.
    #[error("sidan finns inte eller visas inte för den som frågar")]
    NotFound,
    /// A form whose CSRF token was missing or wrong.
    #[error("formuläret hade fel eller ingen CSRF-token")]
    StaleForm,
    #[error("för många misslyckade inloggningar från adressen")]
    TooManyAttempts,
    #[error("inloggningslänken gäller inte")]
    BadLink,
    /// An upload without an open year or a file.
    #[error("uppladdningen saknade år eller fil")]
    Incomplete { csrf: String },
    #[error("uppladdningen var större än {max} byte")]
    TooLarge { max: u64 },
    #[error("uppladdningen avbröts eller kom fram trasig")]
    Broken,
    /// A form with more than one file.
    #[error("uppladdningen hade mer än en fil")]
    TwoFiles { csrf: String },
    /// A client below the minimum pace, or past the request's deadline.
    #[error("förfrågan kom för långsamt och avbröts")]
    TooSlow,
    /// A session cookie whose session has ended (idle, signed out, revoked).
    #[error("sessionen har gått ut")]
    SessionEnded,
    /// What axum itself refused before a handler ran (a malformed address,
    /// form or body; a method the page does not take), by its status.
    #[error("begäran avvisades av ramverket")]
    Rejected(StatusCode),
    /// A decision or upload the return's state does not allow, or a form
    /// that lacks what it needs; the message says which and what to do.
    #[error("{message}")]
    Refused { message: String, csrf: String },
    /// An upload of a return the analysts have approved.
    #[error("återrapporteringen är godkänd och låst")]
    Locked { owner: String, csrf: String },
    /// An upload for a year past its `closes` day.
    #[error("året är stängt för uppladdning")]
    Closed { csrf: String },
    /// The portal's own failure: the database, the disk, a worker thread.
    #[error("{what}: {reason}")]
    Internal { what: &'static str, reason: String },
}

impl PortalError {
    /// An internal error while doing `what`.
    pub fn internal(what: &'static str) -> impl FnOnce(String) -> PortalError {
        move |reason| PortalError::Internal { what, reason }
    }

    /// A database error while doing `what`. rusqlite's words name the
    /// statement and the constraint, never a bound value.
    pub fn db(what: &'static str) -> impl FnOnce(rusqlite::Error) -> PortalError {
        move |e| PortalError::Internal {
            what,
            reason: e.to_string(),
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            PortalError::NotFound => StatusCode::NOT_FOUND,
            PortalError::StaleForm | PortalError::BadLink => StatusCode::FORBIDDEN,
            PortalError::TooManyAttempts => StatusCode::TOO_MANY_REQUESTS,
            PortalError::Incomplete { .. } | PortalError::Broken | PortalError::TwoFiles { .. } => {
                StatusCode::BAD_REQUEST
            }
            PortalError::TooSlow => StatusCode::REQUEST_TIMEOUT,
            PortalError::Refused { .. } => StatusCode::BAD_REQUEST,
            PortalError::Locked { .. } | PortalError::Closed { .. } => StatusCode::CONFLICT,
            PortalError::SessionEnded => StatusCode::UNAUTHORIZED,
            PortalError::Rejected(status) => *status,
            PortalError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            PortalError::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The page's title and text, and the CSRF token its sign-out button needs.
    fn page(&self) -> (&'static str, String, String) {
        let (title, text) = match self {
            PortalError::NotFound => (
                "Sidan finns inte",
                "Sidan finns inte, eller så har du inte tillgång till den. Kontrollera adressen, eller gå till startsidan och logga in med din personliga länk.".into(),
            ),
            PortalError::SessionEnded => (
                "Du är utloggad",
                "Din inloggning har upphört: efter en stunds inaktivitet, för att du loggade ut eller för att länken har återkallats. Logga in igen med din personliga länk. Gäller den inte längre, be den som samordnar uppföljningen om en ny.".into(),
            ),
            PortalError::TwoFiles { .. } => (
                "En fil i taget",
                "Uppladdningen innehöll mer än en fil. Välj bara den ifyllda återrapporteringen och försök igen.".into(),
            ),
            PortalError::TooSlow => (
                "Uppladdningen tog för lång tid",
                "Förbindelsen var för långsam, så uppladdningen avbröts. Försök igen, gärna från en annan uppkoppling. Se efter under Tidigare uppladdningar om den kom fram.".into(),
            ),
            PortalError::Rejected(status) => rejected(*status),
            PortalError::StaleForm => (
                "Formuläret gick inte att skicka",
                "Formuläret var för gammalt eller kom inte från portalen. Ladda om sidan och försök igen.".into(),
            ),
            PortalError::TooManyAttempts => (
                "För många försök",
                "För många inloggningsförsök från din dator. Vänta en minut och försök igen.".into(),
            ),
            PortalError::BadLink => (
                "Länken gäller inte",
                "Länken gäller inte, eller har återkallats. Be den som samordnar uppföljningen om en ny.".into(),
            ),
            PortalError::Incomplete { .. } => (
                "Uppladdningen saknar något",
                "Välj ett av åren som är öppna för återrapportering och en fil, och försök igen.".into(),
            ),
            PortalError::TooLarge { max } => (
                "Filen är för stor",
                format!("Filen är större än gränsen {max} byte och togs inte emot. En ifylld mall är bara några tiotal kB; ladda ner mallen på nytt och fyll i den."),
            ),
            PortalError::Broken => (
                "Uppladdningen avbröts",
                "Uppladdningen avbröts eller kom fram trasig. Försök igen.".into(),
            ),
            PortalError::Refused { message, .. } => ("Det gick inte", message.clone()),
            PortalError::Locked { owner, .. } => (
                "Återrapporteringen är godkänd",
                format!("{owner} har godkänt er återrapportering för året, så den kan inte ersättas. Behöver ni ändra något, kontakta den som samordnar uppföljningen; de kan öppna den igen."),
            ),
            PortalError::Closed { .. } => (
                "Året är stängt",
                "Tiden för att lämna återrapporteringen för året har gått ut, så portalen tar inte emot fler uppladdningar för det. Behöver ni lämna eller ändra något, kontakta den som samordnar uppföljningen; de kan öppna året igen för er.".into(),
            ),
            PortalError::Internal { .. } => (
                "Något gick fel",
                "Något gick fel i portalen. Försök igen om en stund; kvarstår felet, kontakta den som samordnar uppföljningen.".into(),
            ),
        };
        let csrf = match self {
            PortalError::Incomplete { csrf }
            | PortalError::TwoFiles { csrf }
            | PortalError::Refused { csrf, .. }
            | PortalError::Locked { csrf, .. }
            | PortalError::Closed { csrf } => csrf.clone(),
            _ => String::new(),
        };
        (title, text, csrf)
    }
}

/// The page for what the framework refused, by status: what happened and
/// the way on, never the framework's own words (which can quote the input).
fn rejected(status: StatusCode) -> (&'static str, String) {
    let (title, text) = match status.as_u16() {
        404 => (
            "Sidan finns inte",
            "Sidan finns inte. Kontrollera adressen, eller gå till startsidan.",
        ),
        405 => (
            "Det går inte att göra så",
            "Sidan tar inte emot det du skickade. Gå tillbaka och använd knapparna på sidan.",
        ),
        413 => (
            "Det du skickade är för stort",
            "Det du skickade är större än portalen tar emot. En ifylld mall är bara några tiotal kB; försök med en mindre fil.",
        ),
        415 | 422 | 400 => (
            "Formuläret gick inte att läsa",
            "Det som skickades gick inte att läsa som portalens formulär. Gå tillbaka, ladda om sidan och försök igen.",
        ),
        429 => (
            "För många försök",
            "För många försök på kort tid. Vänta en minut och försök igen.",
        ),
        _ if status.is_server_error() => (
            "Något gick fel",
            "Något gick fel i portalen. Försök igen om en stund.",
        ),
        _ => (
            "Det gick inte",
            "Portalen kunde inte göra det du bad om. Gå tillbaka och försök igen.",
        ),
    };
    (title, text.into())
}

/// A page still to be rendered: the handler has no templates at hand, the
/// [`render`] layer has.
#[derive(Clone)]
pub struct Message {
    pub title: &'static str,
    pub text: String,
    pub csrf: String,
}

/// An error answer no handler wrote: axum's plain-text rejections.
fn framework_rejection(response: &Response) -> bool {
    let status = response.status();
    let html = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    (status.is_client_error() || status.is_server_error()) && !html
}

impl IntoResponse for PortalError {
    fn into_response(self) -> Response {
        let status = self.status();
        match &self {
            PortalError::Internal { .. } => tracing::error!(status = status.as_u16(), "{self}"),
            PortalError::NotFound | PortalError::SessionEnded => {
                tracing::debug!(status = status.as_u16(), "{self}")
            }
            _ => tracing::info!(status = status.as_u16(), "{self}"),
        }
        let (title, text, csrf) = self.page();
        let mut response = status.into_response();
        response
            .extensions_mut()
            .insert(Message { title, text, csrf });
        response
    }
}

/// The layer that renders every [`Message`] a response carries as the
/// portal's message page, keeping the response's status and headers.
pub async fn render(State(app): State<Arc<App>>, mut response: Response) -> Response {
    let m = match response.extensions_mut().remove::<Message>() {
        Some(m) => m,
        None if framework_rejection(&response) => {
            let status = response.status();
            let error = PortalError::Rejected(status);
            tracing::info!(status = status.as_u16(), "{error}");
            let (title, text, csrf) = error.page();
            Message { title, text, csrf }
        }
        None => return response,
    };
    let ctx = context! { title => m.title, message => m.text, csrf => m.csrf };
    let (mut parts, _) = response.into_parts();
    let page = super::handlers::render_page(&app, "meddelande.html", ctx);
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    let (status, html) = match page {
        Ok(html) => (parts.status, html),
        Err(fallback) => (StatusCode::INTERNAL_SERVER_ERROR, fallback),
    };
    parts.status = status;
    let body = Html(html).into_response();
    let (body_parts, body) = body.into_parts();
    parts.headers.extend(body_parts.headers);
    Response::from_parts(parts, body)
}
