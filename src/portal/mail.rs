//! Reminders and send-back notices by e-mail, through `[portal.mail]`'s SMTP
//! server (lettre). `uppfolj portal remind` sends one message per unit that
//! owes a return (not handed in, only with errors, or sent back) once each
//! reminder day before and after the deadline has come; a unit that has
//! handed in or is approved never gets one. Each message sent is logged,
//! and one that failed is tried again at the next run. Addresses are never
//! written to the log: only the link they belong to.

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Message, SmtpTransport, Transport};

use super::db::Db;
use super::journal::{self, Event, Kind};
use super::upload::UploadState;
use crate::error::Error;
use crate::pipeline::{Mail, MailSecurity, Pipeline};

/// Why a message could not go out.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error(
        "portalen har ingen [portal.mail] i pipelinefilen; lägg till en med host, security och sender"
    )]
    NotSet,
    #[error(
        "miljövariabeln {0} med lösenordet till e-postservern är inte satt; ange lösenordet i den innan portalen startas"
    )]
    NoPassword(String),
    #[error("avsändaren \"{0}\" går inte att läsa som e-postadress; rätta sender i [portal.mail]")]
    Sender(String),
    #[error("e-postservern svarade inte eller tog inte emot brevet: {0}")]
    Send(String),
}

/// Whether `text` is one e-mail address as an invitation takes it.
pub fn address_ok(text: &str) -> bool {
    text.parse::<lettre::Address>().is_ok()
}

/// The SMTP connection `[portal.mail]` describes.
fn transport(m: &Mail) -> Result<SmtpTransport, MailError> {
    let fail = |e: lettre::transport::smtp::Error| MailError::Send(e.to_string());
    let builder = match m.security {
        MailSecurity::StartTls => SmtpTransport::starttls_relay(&m.host).map_err(fail)?,
        MailSecurity::Tls => SmtpTransport::relay(&m.host).map_err(fail)?,
        MailSecurity::None => SmtpTransport::builder_dangerous(&m.host),
    };
    let mut builder = builder.port(m.port).timeout(Some(m.timeout));
    if let Some(user) = &m.user {
        let var = m.password_env.clone().unwrap_or_default();
        let password = std::env::var(&var).map_err(|_| MailError::NoPassword(var.clone()))?;
        builder = builder.credentials(Credentials::new(user.clone(), password));
    }
    Ok(builder.build())
}

/// Sends one plain-text message in Swedish.
fn send(
    t: &SmtpTransport,
    m: &Mail,
    to: &str,
    subject: &str,
    body: String,
) -> Result<(), MailError> {
    let from: Mailbox = m
        .sender
        .parse()
        .map_err(|_| MailError::Sender(m.sender.clone()))?;
    let to: Mailbox = to
        .parse()
        .map_err(|_| MailError::Send("mottagarens adress går inte att läsa".into()))?;
    let msg = Message::builder()
        .from(from)
        .to(to)
        .subject(subject)
        .header(ContentType::TEXT_PLAIN)
        .body(body)
        .map_err(|e| MailError::Send(e.to_string()))?;
    t.send(&msg)
        .map(|_| ())
        .map_err(|e| MailError::Send(without_addresses(&e.to_string())))
}

/// A server's words with any address in them left out, so that no address
/// reaches the log or the screen.
fn without_addresses(text: &str) -> String {
    text.split_whitespace()
        .map(|w| if w.contains('@') { "<adress>" } else { w })
        .collect::<Vec<_>>()
        .join(" ")
}

/// One unit's outcome of a `remind` run.
pub struct Outcome {
    pub line: String,
    pub failed: bool,
}

/// The day a reminder is due for a deadline: the latest reminder day on or
/// before `today`, if any has come.
fn due(m: &Mail, deadline: i64, today: i64) -> Option<i64> {
    let before = m.before.iter().map(|d| deadline - i64::from(*d));
    let after = m.after.iter().map(|d| deadline + i64::from(*d));
    before.chain(after).filter(|d| *d <= today).max()
}

/// `uppfolj portal remind`: a message to each unit that owes a return and
/// whose reminder day has come without one being sent since.
pub fn remind(p: &Pipeline, dry_run: bool) -> Result<Vec<Outcome>, Error> {
    let portal = super::settings(p)?;
    let m = portal
        .mail
        .as_ref()
        .ok_or_else(|| Error::Usage(MailError::NotSet.to_string()))?;
    let (_, db) = super::open(p)?;
    let today = crate::clock::local_day(&super::now()).unwrap_or_default();
    let t = if dry_run {
        None
    } else {
        Some(transport(m).map_err(|e| Error::Usage(e.to_string()))?)
    };
    let mut out = Vec::new();
    let mut server_down: Option<String> = None;
    for &year in &portal.years {
        let (Some(deadline), Some(deadline_day)) =
            (p.returns.deadline, crate::handin::deadline_day(p, year))
        else {
            continue;
        };
        for u in p.units_reporting(year) {
            if crate::layout::layout(p, u, year).is_empty() {
                continue;
            }
            let name = format!("{} {year}", u.id);
            let Some(state) = owing(p, &db, m, &u.id, year, (deadline_day, today))? else {
                continue;
            };
            let to = db.emails(&u.id).map_err(db_error)?;
            if to.is_empty() {
                out.push(Outcome {
                    line: format!(
                        "{name}: ingen e-postadress; bjud in nämnden med portal invite --email"
                    ),
                    failed: true,
                });
                continue;
            }
            let (subject, body) =
                reminder_text(p, &u.name, year, state, deadline.in_year(year + 1));
            if dry_run {
                out.push(Outcome {
                    line: format!(
                        "{name}: skulle få en påminnelse ({})",
                        crate::text::Count(to.len(), "adress", "adresser")
                    ),
                    failed: false,
                });
                continue;
            }
            if let Some(why) = &server_down {
                out.push(Outcome {
                    line: format!("{name}: {why}"),
                    failed: true,
                });
                continue;
            }
            let Some(t) = t.as_ref() else { continue };
            let letter = Letter {
                unit: &u.id,
                year,
                to: &to,
                subject: &subject,
                body: &body,
            };
            let outcome = deliver(&db, t, m, &letter);
            if outcome.failed {
                server_down = Some(outcome.line.clone());
            }
            out.push(Outcome {
                line: format!("{name}: {}", outcome.line),
                failed: outcome.failed,
            });
        }
    }
    Ok(out)
}

/// One reminder to a unit's addresses.
struct Letter<'a> {
    unit: &'a str,
    year: i32,
    to: &'a [(i64, String)],
    subject: &'a str,
    body: &'a str,
}

/// Sends a reminder to every address and logs the outcome: what is said
/// of the unit, and whether it failed (the server's words, no address).
fn deliver(db: &Db, t: &SmtpTransport, m: &Mail, l: &Letter<'_>) -> Outcome {
    let sent =
        l.to.iter()
            .try_for_each(|(_, addr)| send(t, m, addr, l.subject, l.body.to_string()));
    let event = |kind| Event::now(kind).unit(l.unit).year(l.year);
    match sent {
        Ok(()) => {
            let links: Vec<String> = l.to.iter().map(|(id, _)| format!("länk {id}")).collect();
            journal::record(
                db,
                event(Kind::Reminder).detail(format!("till {}", links.join(", "))),
            );
            Outcome {
                line: format!(
                    "påminnelse skickad ({})",
                    crate::text::Count(l.to.len(), "adress", "adresser")
                ),
                failed: false,
            }
        }
        Err(why) => {
            journal::record(db, event(Kind::ReminderFailed).detail(why.to_string()));
            Outcome {
                line: format!("inte skickad: {why}"),
                failed: true,
            }
        }
    }
}

/// The unit's state when it owes a return and a reminder is due that has
/// not gone out; `days` is the deadline and today, as days since 1970.
fn owing(
    p: &Pipeline,
    db: &Db,
    m: &Mail,
    unit: &str,
    year: i32,
    (deadline, today): (i64, i64),
) -> Result<Option<UploadState>, Error> {
    let (state, _) = UploadState::read(p, db, unit, year).map_err(db_error)?;
    if !state.owes() {
        return Ok(None);
    }
    let Some(due) = due(m, deadline, today) else {
        return Ok(None);
    };
    let sent = sent_since(db, unit, year, due).map_err(db_error)?;
    Ok((!sent).then_some(state))
}

fn db_error(e: rusqlite::Error) -> Error {
    Error::Output {
        file: "portalens databas".into(),
        reason: crate::text::foreign(&e),
    }
}

/// Whether a reminder went out for the unit and year on or after `day`.
fn sent_since(db: &Db, unit: &str, year: i32, day: i64) -> rusqlite::Result<bool> {
    Ok(db.events(Some(unit))?.iter().any(|(e, _)| {
        e.kind == Kind::Reminder
            && e.year == Some(year)
            && crate::clock::local_day(&e.at).is_some_and(|d| d >= day)
    }))
}

fn reminder_text(
    p: &Pipeline,
    unit: &str,
    year: i32,
    state: UploadState,
    deadline: String,
) -> (String, String) {
    let portal = p
        .portal
        .as_ref()
        .map(|x| x.base_url.clone())
        .unwrap_or_default();
    let what = match state {
        UploadState::Returned => format!(
            "{} har skickat tillbaka återrapporteringen för {year} för att något behöver rättas. Skälet står på er sida i portalen.",
            p.owner_name()
        ),
        UploadState::WithErrors => format!(
            "Den återrapportering för {year} som ni har laddat upp har fel som behöver rättas innan den kan tas emot."
        ),
        _ => format!("Vi har ännu inte fått er återrapportering för {year}."),
    };
    let subject = format!(
        "Påminnelse: återrapporteringen för {year} – {}",
        p.strategy.title
    );
    let body = format!(
        "Hej {unit}!\n\n{what} Sista dag att lämna in är {deadline}.\n\nLogga in i portalen med er personliga länk: {portal}\n\nHar ni redan lämnat in, eller har frågor, kontakta {}.\n\nDetta meddelande skickades automatiskt av uppföljningens portal.\n",
        p.returns
            .contact
            .clone()
            .unwrap_or_else(|| p.owner_name().to_string())
    );
    (subject, body)
}

/// A send-back's notice to the unit's addresses, with the reason; a notice
/// that cannot go out is logged, and the committee still sees the reason
/// on its page.
pub fn notify_returned(p: &Pipeline, db: &Db, unit: &str, year: i32, reason: &str) {
    let Some(m) = p.portal.as_ref().and_then(|x| x.mail.as_ref()) else {
        return;
    };
    let to = match db.emails(unit) {
        Ok(to) if !to.is_empty() => to,
        _ => return,
    };
    let subject = format!(
        "Återrapporteringen för {year} har skickats tillbaka – {}",
        p.strategy.title
    );
    let base = p
        .portal
        .as_ref()
        .map(|x| x.base_url.clone())
        .unwrap_or_default();
    let body = format!(
        "Hej {}!\n\n{} har skickat tillbaka er återrapportering för {year}:\n\n{reason}\n\nRätta den och ladda upp den igen i portalen: {base}\n\nDetta meddelande skickades automatiskt av uppföljningens portal.\n",
        p.unit_name(unit),
        p.owner_name()
    );
    let result = transport(m).and_then(|t| {
        to.iter()
            .try_for_each(|(_, a)| send(&t, m, a, &subject, body.clone()))
    });
    let e = match result {
        Ok(()) => Event::now(Kind::Reminder).detail("om återsändningen"),
        Err(why) => Event::now(Kind::ReminderFailed).detail(format!("om återsändningen: {why}")),
    };
    journal::record(db, e.unit(unit).year(year));
}
