//! One function per page or action. A request for a unit, file or upload
//! the signed-in person may not see gets the very same answer as a page
//! that does not exist.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Form, Multipart, Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::value::Serde;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use super::App;
use super::access::{self, Role};
use super::db::{Upload, User};
use super::upload::{self, Received, Shown};

type Shared = State<Arc<App>>;

/// The signed-in person, with the session's CSRF token.
struct Viewer {
    user: User,
    csrf: String,
    session: String,
}

fn viewer(app: &App, headers: &HeaderMap) -> Option<Viewer> {
    let cookies = headers.get(header::COOKIE)?.to_str().ok()?;
    let id = access::session_id(cookies)?;
    let session = access::hash(id);
    let (user, csrf) = app.db.lock().ok()?.session(&session, &app.clock()).ok()??;
    Some(Viewer {
        user,
        csrf,
        session,
    })
}

fn page(app: &App, status: StatusCode, name: &str, ctx: Value) -> Response {
    let strategy = &app.p.strategy.title;
    let ctx = context! { strategy => strategy, ..ctx };
    (status, Html(app.pages.render(name, ctx))).into_response()
}

fn message(app: &App, status: StatusCode, title: &str, text: &str, csrf: &str) -> Response {
    page(
        app,
        status,
        "meddelande.html",
        context! { title => title, message => text, csrf => csrf },
    )
}

fn missing(app: &App) -> Response {
    message(
        app,
        StatusCode::NOT_FOUND,
        "Sidan finns inte",
        "Sidan finns inte, eller så har du inte tillgång till den.",
        "",
    )
}

fn forbidden(app: &App) -> Response {
    message(
        app,
        StatusCode::FORBIDDEN,
        "Formuläret gick inte att skicka",
        "Formuläret var för gammalt eller kom inte från portalen. Ladda om sidan och försök igen.",
        "",
    )
}

fn failed(app: &App) -> Response {
    message(
        app,
        StatusCode::INTERNAL_SERVER_ERROR,
        "Något gick fel",
        "Något gick fel i portalen. Försök igen om en stund; kvarstår felet, kontakta Stadsledningskontoret.",
        "",
    )
}

pub async fn not_found(State(app): Shared) -> Response {
    missing(&app)
}

pub async fn home(State(app): Shared, headers: HeaderMap) -> Response {
    let Some(v) = viewer(&app, &headers) else {
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

pub async fn sign_in_page(State(app): Shared, UrlPath(token): UrlPath<String>) -> Response {
    if !token.chars().all(|c| c.is_ascii_hexdigit()) || token.len() > 128 {
        return missing(&app);
    }
    page(
        &app,
        StatusCode::OK,
        "logga_in.html",
        context! { title => "Logga in", token => token, csrf => "" },
    )
}

#[derive(Deserialize)]
pub struct SignIn {
    token: String,
}

pub async fn sign_in(
    State(app): Shared,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Form(f): Form<SignIn>,
) -> Response {
    let allowed = app
        .limit
        .lock()
        .map(|mut l| l.allow(addr.ip()))
        .unwrap_or(false);
    if !allowed {
        return message(
            &app,
            StatusCode::TOO_MANY_REQUESTS,
            "För många försök",
            "För många inloggningsförsök från din dator. Vänta en minut och försök igen.",
            "",
        );
    }
    let session = start_session(&app, &f.token);
    if session.is_none()
        && let Ok(mut l) = app.limit.lock()
    {
        l.failed(addr.ip());
    }
    match session {
        Some(id) => (
            [(header::SET_COOKIE, access::session_cookie(&id, app.secure))],
            Redirect::to("/"),
        )
            .into_response(),
        None => message(
            &app,
            StatusCode::FORBIDDEN,
            "Länken gäller inte",
            "Länken gäller inte, eller har återkallats. Be den som samordnar uppföljningen om en ny.",
            "",
        ),
    }
}

/// A new session for the user a sign-in token belongs to; its id.
fn start_session(app: &App, token: &str) -> Option<String> {
    let db = app.db.lock().ok()?;
    let user = db.user_by_token(&access::hash(token)).ok()??;
    let id = access::secret().ok()?;
    let csrf = access::secret().ok()?;
    db.add_session(&access::hash(&id), user.id, &csrf, &app.clock())
        .ok()?;
    Some(id)
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn sign_out(State(app): Shared, headers: HeaderMap, Form(f): Form<CsrfForm>) -> Response {
    let Some(v) = viewer(&app, &headers) else {
        return Redirect::to("/").into_response();
    };
    if !access::same(&f.csrf, &v.csrf) {
        return forbidden(&app);
    }
    if let Ok(db) = app.db.lock() {
        let _ = db.end_session(&v.session);
    }
    (
        [(header::SET_COOKIE, access::cleared_cookie(app.secure))],
        Redirect::to("/"),
    )
        .into_response()
}

/// Whether the viewer may see a unit's pages.
fn may_see(app: &App, v: &Viewer, unit: &str) -> bool {
    match v.user.role {
        Role::Analyst => app.p.unit(unit).is_some(),
        Role::Committee => access::visible_units(&app.p, &v.user.unit)
            .iter()
            .any(|u| u == unit),
        Role::Reader => false,
    }
}

/// Only a committee hands in, and only its own return.
fn may_upload(v: &Viewer, unit: &str) -> bool {
    v.user.role == Role::Committee && v.user.unit == unit
}

#[derive(Serialize)]
struct YearView {
    year: i32,
    state: &'static str,
    state_class: &'static str,
    deadline: String,
}

/// Not handed in, handed in with errors, or accepted.
/// A unit's state for a year. A return put in the inbox some other way
/// (e-mailed to an analyst, say) counts as handed in: the run reads it.
fn state(app: &App, unit: &str, uploads: &[Upload], year: i32) -> (&'static str, &'static str) {
    let of_year: Vec<&Upload> = uploads.iter().filter(|u| u.year == year).collect();
    let in_inbox = || super::upload::inbox_file(&app.p, unit, year).is_some_and(|f| f.is_file());
    if of_year.iter().any(|u| u.accepted) {
        ("Godkänd", "accepted")
    } else if in_inbox() {
        ("Lämnad utanför portalen", "accepted")
    } else if of_year.is_empty() {
        ("Inte inlämnad", "missing")
    } else {
        ("Inlämnad med fel", "errors")
    }
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
struct UploadRow {
    id: i64,
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
        id: u.id,
        unit: u.unit.clone(),
        unit_name: crate::text::unit_name(&app.p, &u.unit),
        year: u.year,
        at: when(&u.at),
        name: u.name.clone(),
        size: super::pages::size(u.size),
        result: result_text(u),
    }
}

/// "2026-11-23 18:40 UTC" from the log's RFC 3339 time.
fn when(at: &str) -> String {
    format!("{} UTC", at.get(..16).unwrap_or(at).replace('T', " "))
}

fn result_text(u: &Upload) -> String {
    if u.accepted {
        format!("Godkänd ({} varningar)", u.warnings)
    } else {
        format!("Inte godkänd ({} fel, {} varningar)", u.errors, u.warnings)
    }
}

pub async fn unit_page(
    State(app): Shared,
    headers: HeaderMap,
    UrlPath(unit): UrlPath<String>,
) -> Response {
    let Some(v) = viewer(&app, &headers) else {
        return missing(&app);
    };
    if !may_see(&app, &v, &unit) {
        return missing(&app);
    }
    let Ok(uploads) = app
        .db
        .lock()
        .map_err(|_| ())
        .and_then(|db| db.uploads(&unit).map_err(|_| ()))
    else {
        return failed(&app);
    };
    let years: Vec<YearView> = open_years(&app, &unit)
        .into_iter()
        .map(|year| {
            let (state, state_class) = state(&app, &unit, &uploads, year);
            let deadline = app
                .p
                .returns
                .deadline
                .map(|d| crate::text::date(d, year + 1))
                .unwrap_or_else(|| "inget datum satt".into());
            YearView {
                year,
                state,
                state_class,
                deadline,
            }
        })
        .collect();
    let rows: Vec<UploadRow> = uploads.iter().map(|u| upload_row(&app, u)).collect();
    let title = crate::text::unit_name(&app.p, &unit);
    let may_upload = may_upload(&v, &unit);
    // A merged district's predecessors, whose history it may read.
    let earlier: Vec<(String, String)> = access::visible_units(&app.p, &unit)
        .into_iter()
        .skip(1)
        .map(|u| (crate::text::unit_name(&app.p, &u), u))
        .collect();
    page(
        &app,
        StatusCode::OK,
        "enhet.html",
        context! { title => title, unit => unit, years => Value::from(Serde(&years)),
        uploads => Value::from(Serde(&rows)), earlier => Value::from(Serde(&earlier)),
        may_upload => may_upload, csrf => v.csrf },
    )
}

pub async fn template(
    State(app): Shared,
    headers: HeaderMap,
    UrlPath((unit, year)): UrlPath<(String, i32)>,
) -> Response {
    let Some(v) = viewer(&app, &headers) else {
        return missing(&app);
    };
    if !may_see(&app, &v, &unit) || !open_years(&app, &unit).contains(&year) {
        return missing(&app);
    }
    let Some(u) = app.p.unit(&unit) else {
        return missing(&app);
    };
    let layout = crate::layout::layout(&app.p, u, year);
    let Ok(bytes) = crate::template::template_bytes(&app.p, &layout) else {
        return failed(&app);
    };
    let disposition = format!("attachment; filename=\"{unit}-{year}.xlsx\"");
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

pub async fn upload(
    State(app): Shared,
    headers: HeaderMap,
    UrlPath(unit): UrlPath<String>,
    mut form: Multipart,
) -> Response {
    let Some(v) = viewer(&app, &headers) else {
        return missing(&app);
    };
    if !may_upload(&v, &unit) {
        return missing(&app);
    }
    let sent = match read_form(&app, &v, &mut form).await {
        Ok(sent) => sent,
        Err(response) => return response,
    };
    let (year, received) = match sent {
        (Some(y), Some(r)) if app.portal.years.contains(&y) => (y, r),
        (_, r) => {
            if let Some(r) = r {
                let _ = std::fs::remove_file(&r.tmp);
            }
            return message(
                &app,
                StatusCode::BAD_REQUEST,
                "Uppladdningen saknar något",
                "Välj ett av åren som är öppna för återrapportering och en fil, och försök igen.",
                &v.csrf,
            );
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
    match done {
        Ok(Ok(id)) => Redirect::to(&format!("/enhet/{unit}/uppladdning/{id}")).into_response(),
        _ => failed(&app),
    }
}

/// The upload form's fields, the file streamed to disk within the cap; the
/// CSRF token must come before the file.
async fn read_form(
    app: &App,
    v: &Viewer,
    form: &mut Multipart,
) -> Result<(Option<i32>, Option<Received>), Response> {
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
        return Err(forbidden(app));
    }
    Ok((year, received))
}

/// Streams a file field to a temporary file, stopping at the cap.
async fn save(
    app: &App,
    mut field: axum::extract::multipart::Field<'_>,
) -> Result<Received, Response> {
    use sha2::Digest;
    use tokio::io::AsyncWriteExt;
    let name = field.file_name().unwrap_or("").to_string();
    let max = app.p.returns.max_bytes;
    let tmp = app.data.join("tmp").join(format!(
        "{}.part",
        access::secret().map_err(|_| failed(app))?
    ));
    let mut file = tokio::fs::File::create(&tmp)
        .await
        .map_err(|_| failed(app))?;
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
                if file.write_all(&bytes).await.is_err() {
                    break Err(failed(app));
                }
            }
            Ok(None) => break file.sync_all().await.map_err(|_| failed(app)),
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
        Err(response) => {
            let _ = tokio::fs::remove_file(&tmp).await;
            Err(response)
        }
    }
}

fn body_error(app: &App, status: StatusCode) -> Response {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        let text = format!(
            "Filen är större än gränsen {} byte och togs inte emot. En ifylld mall är bara några tiotal kB; ladda ner mallen på nytt och fyll i den.",
            app.p.returns.max_bytes
        );
        return message(app, status, "Filen är för stor", &text, "");
    }
    message(
        app,
        StatusCode::BAD_REQUEST,
        "Uppladdningen avbröts",
        "Uppladdningen avbröts eller kom fram trasig. Försök igen.",
        "",
    )
}

pub async fn upload_page(
    State(app): Shared,
    headers: HeaderMap,
    UrlPath((unit, id)): UrlPath<(String, i64)>,
) -> Response {
    let Some(v) = viewer(&app, &headers) else {
        return missing(&app);
    };
    let found = app.db.lock().ok().and_then(|db| {
        let u = db.upload(id).ok()??;
        let published = db.published(&u.unit, u.year).ok()?;
        Some((u, published))
    });
    let Some((u, published)) = found.filter(|(u, _)| u.unit == unit && may_see(&app, &v, &unit))
    else {
        return missing(&app);
    };
    let findings: Vec<Shown> = serde_json::from_str(&u.findings).unwrap_or_default();
    let in_inbox = published.is_some_and(|(pid, _)| pid == u.id);
    let verdict = verdict(&u, in_inbox);
    let (result, state_class) = if u.accepted {
        ("Godkänd", "accepted")
    } else {
        ("Inte godkänd", "errors")
    };
    let title = format!("Uppladdning {}", u.id);
    page(
        &app,
        StatusCode::OK,
        "uppladdning.html",
        context! { title => title, upload => Value::from(Serde(&u)), size => super::pages::size(u.size),
        findings => Value::from(Serde(&findings)),
        at => when(&u.at), result => result, state_class => state_class, verdict => verdict,
        unit_name => crate::text::unit_name(&app.p, &unit), csrf => v.csrf },
    )
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

#[derive(Serialize)]
struct OverviewRow {
    unit: String,
    name: String,
    state: &'static str,
    last: String,
    errors: i64,
    warnings: i64,
}

#[derive(Serialize)]
struct OverviewYear {
    year: i32,
    expected: usize,
    accepted: usize,
    rows: Vec<OverviewRow>,
}

pub async fn overview(State(app): Shared, headers: HeaderMap) -> Response {
    let Some(v) = viewer(&app, &headers).filter(|v| v.user.role == Role::Analyst) else {
        return missing(&app);
    };
    let Some(years) = overview_years(&app) else {
        return failed(&app);
    };
    page(
        &app,
        StatusCode::OK,
        "oversikt.html",
        context! { title => "Återrapporteringar", years => Value::from(Serde(&years)), csrf => v.csrf },
    )
}

/// Every accepted return in force, as one zip archive.
pub async fn accepted(State(app): Shared, headers: HeaderMap) -> Response {
    if viewer(&app, &headers).is_none_or(|v| v.user.role != Role::Analyst) {
        return missing(&app);
    }
    let worker = app.clone();
    let archive = tokio::task::spawn_blocking(move || {
        let db = worker
            .db
            .lock()
            .map_err(|_| "databasen är låst".to_string())?;
        upload::accepted_archive(&worker.data, &db)
    })
    .await;
    match archive {
        Ok(Ok(bytes)) => (
            [
                (header::CONTENT_TYPE, "application/zip"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"godkanda.zip\"",
                ),
            ],
            bytes,
        )
            .into_response(),
        _ => failed(&app),
    }
}

/// Each open year: every expected unit's state and latest upload.
fn overview_years(app: &App) -> Option<Vec<OverviewYear>> {
    let db = app.db.lock().ok()?;
    let mut out = Vec::new();
    for &year in &app.portal.years {
        let mut rows = Vec::new();
        for u in app.p.units_reporting(year) {
            if crate::layout::layout(&app.p, u, year).is_empty() {
                continue;
            }
            let uploads = db.uploads(&u.id).ok()?;
            let (state, _) = state(app, &u.id, &uploads, year);
            let last = uploads.iter().find(|x| x.year == year);
            rows.push(OverviewRow {
                unit: u.id.clone(),
                name: u.name.clone(),
                state,
                last: last.map(|x| when(&x.at)).unwrap_or_else(|| "–".into()),
                errors: last.map_or(0, |x| x.errors),
                warnings: last.map_or(0, |x| x.warnings),
            });
        }
        let accepted = rows.iter().filter(|r| r.state == "Godkänd").count();
        out.push(OverviewYear {
            year,
            expected: rows.len(),
            accepted,
            rows,
        });
    }
    Some(out)
}

/// The latest run's report, as `uppfolj run` wrote it.
pub async fn report(State(app): Shared, headers: HeaderMap) -> Response {
    let Some(v) = viewer(&app, &headers).filter(|v| v.user.role != Role::Committee) else {
        return missing(&app);
    };
    let path = app
        .p
        .resolve(&app.p.output.dir)
        .join(crate::store::names::REPORT);
    match tokio::fs::read_to_string(&path).await {
        Ok(html) => Html(html).into_response(),
        Err(_) => message(
            &app,
            StatusCode::NOT_FOUND,
            "Ingen rapport ännu",
            "Det finns ingen rapport ännu. Den kommer när årets uppföljning har körts (uppfolj run).",
            &v.csrf,
        ),
    }
}

/// A duration in whole minutes, at least 1, as the home page says it.
fn minutes(d: std::time::Duration) -> u64 {
    (d.as_secs() / 60).max(1)
}
