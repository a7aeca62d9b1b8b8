//! The committees' portal, `uppfolj serve`: each committee signs in with a
//! personal link, downloads its template, uploads its return and sees at
//! once what is wrong, by the same rules as `uppfolj validate`. Accepted
//! returns are published into the returns inbox, where `uppfolj run` reads
//! them. Everything the portal keeps lives in `[portal] data`: the database
//! ([`db`]) and every uploaded file, named by its SHA-256.

pub mod access;
pub mod admin;
pub mod db;
pub mod error;
mod handins;
mod handlers;
pub mod headers;
pub mod journal;
pub mod limits;
pub mod mail;
pub mod pages;
pub mod review;
pub mod upload;
pub mod viewer;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::error::Error;
use crate::pipeline::{Pipeline, Portal};
use access::RateLimit;
use db::Db;
use pages::Pages;

/// Failed sign-in attempts allowed per address and minute.
const SIGN_IN_ATTEMPTS: usize = 10;

/// What every request can reach.
pub struct App {
    pub p: Pipeline,
    pub portal: Portal,
    pub data: PathBuf,
    pub db: Mutex<Db>,
    pub pages: Pages,
    pub limit: Mutex<RateLimit>,
    /// The session cookie is Secure when the portal's address is https.
    pub secure: bool,
}

/// The pipeline's `[portal]`, or why there is none.
pub fn settings(p: &Pipeline) -> Result<&Portal, Error> {
    p.portal.as_ref().ok_or_else(|| {
        Error::Usage(format!(
            "{} har ingen [portal]-del; lägg till listen, base_url, data och years (se README)",
            p.file.display()
        ))
    })
}

/// The data folder, made if missing, with its database open.
pub fn open(p: &Pipeline) -> Result<(PathBuf, Db), Error> {
    let portal = settings(p)?;
    let data = p.resolve(&portal.data);
    for dir in [data.clone(), data.join("files"), data.join("tmp")] {
        std::fs::create_dir_all(&dir).map_err(Error::io(format!(
            "kan inte skapa portalens datamapp {}",
            dir.display()
        )))?;
    }
    let db = Db::open(&data).map_err(|e| Error::Output {
        file: data.join("portal.sqlite").display().to_string(),
        reason: e.to_string(),
    })?;
    Ok((data, db))
}

/// Starts the portal and serves until the process is stopped.
pub fn serve(p: Pipeline) -> Result<(), Error> {
    let portal = settings(&p)?.clone();
    log_to_stderr();
    let (data, db) = open(&p)?;
    upload::reconcile(&p, &data, &db).map_err(|reason| Error::Output {
        file: "returinkorgen".into(),
        reason,
    })?;
    let app = Arc::new(App {
        secure: portal.base_url.starts_with("https://"),
        portal: portal.clone(),
        data,
        db: Mutex::new(db),
        pages: Pages::new(),
        limit: Mutex::new(RateLimit::new(SIGN_IN_ATTEMPTS, Duration::from_secs(60))),
        p,
    });
    let runtime =
        tokio::runtime::Runtime::new().map_err(Error::io("kan inte starta portalens körmiljö"))?;
    runtime.block_on(listen(app, &portal.listen))
}

async fn listen(app: Arc<App>, addr: &str) -> Result<(), Error> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(Error::io(format!("kan inte lyssna på {addr}")))?;
    let local = listener.local_addr().map_err(Error::io("okänd adress"))?;
    println!("Portalen svarar på http://{local}/ (avsluta med Ctrl+C)");
    let limits = app.portal.limits.clone();
    limits::serve(listener, router(app), limits)
        .await
        .map_err(Error::io("portalen stannade"))
}

/// Every page and action.
pub fn router(app: Arc<App>) -> Router {
    use handlers::{overview, review, session, unit, upload};
    // A body over the cap is cut off as it streams (413), never held whole.
    let cap = app.p.returns.max_bytes.saturating_add(64 * 1024) as usize;
    Router::new()
        .route("/", get(session::home))
        .route("/stil.css", get(style_sheet))
        .route("/logga-in/{token}", get(session::sign_in_link))
        .route(
            "/logga-in",
            get(session::sign_in_page).post(session::sign_in),
        )
        .route("/logga-ut", post(session::sign_out))
        .route("/enhet/{unit}", get(unit::unit_page))
        .route("/enhet/{unit}/mall/{year}", get(unit::template))
        .route(
            "/enhet/{unit}/uppladdning",
            post(upload::upload).layer(DefaultBodyLimit::max(cap)),
        )
        .route("/enhet/{unit}/uppladdning/{id}", get(upload::upload_page))
        .route("/enhet/{unit}/granska/{year}", get(review::review_page))
        .route(
            "/enhet/{unit}/granska/{year}/{action}",
            post(review::decide),
        )
        .route("/logg", get(review::log_page))
        .route("/oversikt", get(overview::overview))
        .route("/oversikt/godkanda.zip", get(overview::accepted))
        .route("/rapport", get(overview::report))
        .fallback(handlers::not_found)
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            headers::deadline,
        ))
        .layer(axum::middleware::map_response_with_state(
            app.clone(),
            error::render,
        ))
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            headers::secure,
        ))
        .with_state(app)
}

async fn style_sheet() -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        headers::STYLE,
    )
        .into_response()
}

/// The portal's log on stderr, for whoever runs `uppfolj serve`: what
/// failed and why, never a value from an uploaded file.
fn log_to_stderr() {
    let _ = tracing_subscriber::fmt()
        .with_timer(SwedishTime)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_target(false)
        .with_max_level(tracing::Level::INFO)
        .try_init();
}

/// The log's times, in Swedish local time to the second.
struct SwedishTime;

impl tracing_subscriber::fmt::time::FormatTime for SwedishTime {
    fn format_time(&self, w: &mut tracing_subscriber::fmt::format::Writer<'_>) -> std::fmt::Result {
        write!(
            w,
            "{}",
            crate::clock::local_second_of(crate::clock::unix_now())
        )
    }
}

/// Now, UTC, as the database keeps times (pages show them in Swedish time).
pub fn now() -> String {
    crate::clock::now_rfc3339()
}

impl App {
    /// The database. A panic while it was held (a bug, reported then)
    /// leaves SQLite as it was, so the portal goes on instead of failing
    /// every request until it is restarted.
    pub fn db(&self) -> MutexGuard<'_, Db> {
        self.db.lock().unwrap_or_else(|poisoned| {
            tracing::warn!("databasen användes av en tråd som fick panik; portalen fortsätter");
            self.db.clear_poison();
            poisoned.into_inner()
        })
    }

    /// The sign-in rate limit (a panic while held is recovered as [`App::db`] is).
    pub fn limit(&self) -> MutexGuard<'_, RateLimit> {
        self.limit.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Now, for sessions.
    pub fn clock(&self) -> db::Clock {
        db::Clock::now(self.portal.idle)
    }
}
