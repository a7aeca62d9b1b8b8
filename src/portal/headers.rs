//! What every answer says to the browser: no framing, no sniffing, no
//! referrer, a Content-Security-Policy without inline script, nothing
//! private kept in a cache, and HSTS when the portal is on https; and the
//! deadline every request has.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::App;
use super::error::PortalError;

/// The portal's own pages: styles from `/stil.css`, no script at all.
pub const POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The portal's style sheet, served at `/stil.css`.
pub const STYLE: &str = include_str!("templates/stil.css");

/// A policy that also allows the given inline style elements, by their
/// SHA-256 (the report's own `<style>` and the portal's bar above it).
pub fn policy_with_styles<'a>(styles: impl IntoIterator<Item = &'a str>) -> String {
    use base64::Engine;
    use sha2::Digest;
    let hashes: Vec<String> = styles
        .into_iter()
        .map(|css| {
            let digest = sha2::Sha256::digest(css.as_bytes());
            format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            )
        })
        .collect();
    POLICY.replace(
        "style-src 'self'",
        &format!("style-src 'self' {}", hashes.join(" ")),
    )
}

/// Sets the headers on every answer; a handler's own policy or cache rule
/// (the report's, the style sheet's) is kept.
pub async fn secure(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    set_default(h, header::CONTENT_SECURITY_POLICY, POLICY);
    set_default(h, header::CACHE_CONTROL, "no-store");
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if app.secure {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    response
}

fn set_default(h: &mut HeaderMap, name: header::HeaderName, value: &str) {
    if !h.contains_key(&name)
        && let Ok(v) = HeaderValue::from_str(value)
    {
        h.insert(name, v);
    }
}

/// A request that has not been answered within `[portal] request_seconds`
/// is ended (a client holding a form open, a stalled upload).
pub async fn deadline(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let limit = app.portal.limits.request;
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => PortalError::TooSlow.into_response(),
    }
}
