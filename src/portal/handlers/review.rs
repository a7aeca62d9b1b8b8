//! The analysts' review of one unit's return for a year: every value beside
//! last year's with its comment and findings, and the decisions (approve,
//! send back with a reason, re-open, open a closed year again); and the log
//! of everything, filterable by unit. Anyone but an analyst gets the answer
//! of a page that does not exist.

use axum::extract::{Form, Path as UrlPath, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::value::Serde;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use super::{Shared, page, when};
use crate::pipeline::Pipeline;
use crate::portal::App;
use crate::portal::access;
use crate::portal::db::Upload;
use crate::portal::error::PortalError;
use crate::portal::journal::{self, Event, Kind};
use crate::portal::review::{Decision, Review};
use crate::portal::upload::{self, UploadState};
use crate::portal::viewer::Viewer;
use crate::validate::returns::Value as Accepted;

/// One value on the review page.
#[derive(Serialize)]
struct Row {
    about: String,
    cell: String,
    value: String,
    last_year: String,
    comment: String,
}

/// A count as it was given; a share as its täljare of its nämnare, which
/// is what the committee wrote.
fn shown(value: Option<f64>, numerator: Option<f64>, denominator: Option<f64>) -> String {
    use crate::text::number;
    match (numerator, denominator) {
        (Some(n), Some(d)) => format!("{} av {}", number(n), number(d)),
        _ => value.map_or_else(|| "–".into(), number),
    }
}

/// The values of the upload beside the same unit's accepted values for the
/// year before, as the inbox holds them.
fn rows(p: &Pipeline, values: &[Accepted], before: &[Accepted]) -> Vec<Row> {
    let last = crate::validate::last_year::LastYear::new(p, before.iter());
    values
        .iter()
        .map(|v| {
            let earlier = last.of(&v.unit_id, v.year, &v.indicator_id, &v.key);
            Row {
                about: crate::validate::returns::about_value(p, v),
                cell: format!("{}!{}", v.sheet, v.cell),
                value: shown(v.value, v.numerator, v.denominator),
                last_year: earlier.map_or_else(
                    || "–".into(),
                    |e| shown(e.value, e.numerator, e.denominator),
                ),
                comment: cut(v.comment.as_deref().unwrap_or_default()),
            }
        })
        .collect()
}

/// The longest comment shown in a table cell; the feedback has it whole.
const SHOWN_CHARS: usize = 300;

fn cut(text: &str) -> String {
    match text.char_indices().nth(SHOWN_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// The unit's state for a year, its reviews and the upload under review.
fn state(
    app: &App,
    unit: &str,
    year: i32,
) -> Result<(UploadState, Vec<Review>, Option<Upload>), PortalError> {
    let what = "återrapporteringens läge kunde inte läsas";
    let db = app.db();
    let (s, reviews) = UploadState::read(&app.p, &db, unit, year).map_err(PortalError::db(what))?;
    let newest = db
        .newest_accepted(unit, year)
        .map_err(PortalError::db(what))?;
    Ok((s, reviews, newest))
}

fn open_year(app: &App, unit: &str, year: &str) -> Result<i32, PortalError> {
    let year: i32 = year.parse().map_err(|_| PortalError::NotFound)?;
    if app.p.unit(unit).is_none() || !app.portal.years.contains(&year) {
        return Err(PortalError::NotFound);
    }
    Ok(year)
}

pub async fn review_page(
    State(app): Shared,
    v: Viewer,
    UrlPath((unit, year)): UrlPath<(String, String)>,
) -> Result<Response, PortalError> {
    let v = v.analyst()?;
    let year = open_year(&app, &unit, &year)?;
    let (s, reviews, newest) = state(&app, &unit, year)?;
    let worker = app.clone();
    let file = newest
        .as_ref()
        .map(|u| upload::stored(&app.data, &u.sha256, &u.name));
    // Read again from the kept file: the values are nowhere else, and a
    // comment is kept only where it passed the identifier check.
    let judged = tokio::task::spawn_blocking(move || {
        let values =
            file.map(|f| crate::validate::returns::validate_files(&worker.p, &[f], Some(year)));
        let before = crate::validate::last_year::accepted_in(
            &worker.p,
            year - 1,
            &crate::cache::Cache::none(),
        );
        (values, before)
    })
    .await
    .map_err(|e| PortalError::internal("återrapporteringen kunde inte läsas")(e.to_string()))?;
    let (outcome, before) = judged;
    let values = outcome
        .as_ref()
        .map(|o| rows(&app.p, &o.values, &before))
        .unwrap_or_default();
    let findings: Vec<String> = outcome
        .iter()
        .flat_map(|o| o.findings.iter())
        .map(|f| format!("{}: {} {}", f.severity.label(), f.place(), f.message))
        .collect();
    let history: Vec<(String, String, String)> = reviews
        .iter()
        .map(|r| {
            (
                when(&r.at),
                decision_label(r.decision).to_string(),
                r.reason.clone(),
            )
        })
        .collect();
    let owner = app.p.owner_name();
    Ok(page(
        &app,
        StatusCode::OK,
        "granska.html",
        context! {
            title => format!("Granska {} {year}", app.p.unit_name(&unit)),
            unit => unit, year => year,
            state => s.label(owner), state_class => s.class(),
            upload => newest.as_ref().map(|u| context! { number => u.number, at => when(&u.at), name => u.name.clone(),
                decision => decision_text(u) }),
            values => Value::from(Serde(&values)), findings => findings,
            history => Value::from(Serde(&history)),
            may_approve => newest.is_some() && s != UploadState::Approved,
            may_reopen => s == UploadState::Approved,
            closed => closed(&app, year), opened => crate::portal::review::opened(&reviews),
            csrf => v.csrf,
        },
    ))
}

/// The committee's decision as the upload gave it, or that none was given.
pub(super) fn decision_text(u: &crate::portal::db::Upload) -> String {
    u.decision.as_ref().map_or_else(
        || "inget beslutsdatum angivet".to_string(),
        |d| d.describe(),
    )
}

fn decision_label(d: Decision) -> &'static str {
    match d {
        Decision::Approved => "Godkänd",
        Decision::Returned => "Skickad tillbaka",
        Decision::Reopened => "Öppnad igen",
        Decision::Opened => "Öppnad för uppladdning efter stängning",
    }
}

/// Whether the year no longer takes uploads (its `closes` day has passed).
pub(super) fn closed(app: &App, year: i32) -> bool {
    let Some(d) = app.portal.closes.get(&year) else {
        return false;
    };
    let last = crate::clock::days_from_civil(i64::from(d.year), d.month, d.day);
    crate::clock::local_day(&crate::portal::now()).is_some_and(|today| today > last)
}

#[derive(Deserialize)]
pub struct DecisionForm {
    csrf: String,
    #[serde(default)]
    reason: String,
}

/// The longest reason kept.
const MAX_REASON: usize = 2000;

/// A reason as it may be kept: required where `required`, never holding an
/// identifier, not endless.
fn reason(f: &DecisionForm, required: bool) -> Result<String, String> {
    let text = f.reason.trim();
    if required && text.is_empty() {
        return Err("Skriv varför, så att nämnden vet vad den ska rätta.".into());
    }
    if text.chars().count() > MAX_REASON {
        return Err(format!(
            "Motiveringen är längre än {} tecken. Korta den.",
            crate::text::number(MAX_REASON as f64)
        ));
    }
    if let Some(found) = crate::validate::anonymity::scan(text) {
        return Err(format!(
            "Motiveringen innehåller något som liknar {}. Ta bort personuppgiften ur motiveringen; den har inte sparats.",
            found.swedish()
        ));
    }
    Ok(text.to_string())
}

/// Approve, send back, re-open or open: each checked against the state,
/// recorded and logged.
pub async fn decide(
    State(app): Shared,
    v: Viewer,
    UrlPath((unit, year, action)): UrlPath<(String, String, String)>,
    Form(f): Form<DecisionForm>,
) -> Result<Response, PortalError> {
    let v = v.analyst()?;
    let year = open_year(&app, &unit, &year)?;
    if !access::same(&f.csrf, &v.csrf) {
        return Err(PortalError::StaleForm);
    }
    let (decision, kind, needs_reason) = match action.as_str() {
        "godkann" => (Decision::Approved, Kind::Approve, false),
        "skicka-tillbaka" => (Decision::Returned, Kind::SendBack, true),
        "oppna-igen" => (Decision::Reopened, Kind::Reopen, true),
        "oppna" => (Decision::Opened, Kind::Open, false),
        _ => return Err(PortalError::NotFound),
    };
    let why = reason(&f, needs_reason).map_err(|m| PortalError::Refused {
        message: m,
        csrf: v.csrf.clone(),
    })?;
    let (s, _, newest) = state(&app, &unit, year)?;
    let allowed = match decision {
        Decision::Approved | Decision::Returned => newest.is_some() && s != UploadState::Approved,
        Decision::Reopened => s == UploadState::Approved,
        Decision::Opened => closed(&app, year),
    };
    if !allowed {
        return Err(PortalError::Refused {
            message: format!(
                "Det går inte nu: återrapporteringen är {}.",
                s.label(app.p.owner_name()).to_lowercase()
            ),
            csrf: v.csrf.clone(),
        });
    }
    let upload_id = newest
        .as_ref()
        .map(|u| u.id)
        .filter(|_| decision != Decision::Opened);
    let entry = Review {
        unit: unit.clone(),
        year,
        upload_id,
        decision,
        reason: why.clone(),
        user_id: v.user.id,
        at: crate::portal::now(),
    };
    let worker = app.clone();
    let number = newest.map(|u| u.number);
    tokio::task::spawn_blocking(move || record(&worker, &entry, kind, number))
        .await
        .map_err(|e| PortalError::internal("beslutet kunde inte sparas")(e.to_string()))??;
    Ok(Redirect::to(&format!("/enhet/{unit}/granska/{year}")).into_response())
}

/// Keeps the decision, logs it, and publishes what it lets through.
fn record(app: &App, r: &Review, kind: Kind, number: Option<i64>) -> Result<(), PortalError> {
    let db = app.db();
    db.add_review(r)
        .map_err(PortalError::db("beslutet kunde inte sparas"))?;
    let mut detail = number
        .map(|n| format!("uppladdning {n}"))
        .unwrap_or_default();
    if !r.reason.is_empty() {
        detail = format!("{detail}: {}", r.reason)
            .trim_start_matches(": ")
            .to_string();
    }
    let e = Event::now(kind)
        .unit(&r.unit)
        .year(r.year)
        .by(r.user_id)
        .detail(detail);
    journal::record(&db, e);
    if r.decision == Decision::Returned {
        crate::portal::mail::notify_returned(&app.p, &db, &r.unit, r.year, &r.reason);
    }
    if r.decision == Decision::Approved
        && let Err(why) = upload::publish(&app.p, &app.data, &db, &r.unit, r.year)
    {
        tracing::warn!("{} {}: inte publicerad: {why}", r.unit, r.year);
    }
    crate::portal::handins::refresh(&app.data, &db);
    Ok(())
}

#[derive(Deserialize)]
pub struct LogQuery {
    #[serde(default)]
    enhet: String,
}

/// The log of everything, newest first, for every unit or one.
pub async fn log_page(
    State(app): Shared,
    v: Viewer,
    Query(q): Query<LogQuery>,
) -> Result<Response, PortalError> {
    let v = v.analyst()?;
    let unit = (!q.enhet.is_empty()).then_some(q.enhet.as_str());
    if unit.is_some_and(|u| app.p.unit(u).is_none()) {
        return Err(PortalError::NotFound);
    }
    let events = app
        .db()
        .events(unit)
        .map_err(PortalError::db("loggen kunde inte läsas"))?;
    let mut rows = journal::lines(&events);
    rows.reverse();
    let units: Vec<(String, String)> = app
        .p
        .units
        .iter()
        .map(|u| (u.id.clone(), u.name.clone()))
        .collect();
    Ok(page(
        &app,
        StatusCode::OK,
        "logg.html",
        context! { title => "Logg", rows => rows, columns => journal::COLUMNS, units => units,
        chosen => q.enhet, csrf => v.csrf },
    ))
}
