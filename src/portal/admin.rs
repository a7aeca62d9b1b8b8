//! `uppfolj portal invite | revoke | users | logg`: who has access, from the
//! command line of the machine the portal runs on.

use super::access::{self, Role};
use super::db;
use super::journal::{self, Event, Kind};
use crate::error::Error;
use crate::pipeline::Pipeline;
use crate::text::Count;

fn db_error(e: rusqlite::Error) -> Error {
    Error::Output {
        file: "portalens databas".into(),
        reason: crate::text::foreign(&e),
    }
}

fn known_unit(p: &Pipeline, unit: &str) -> Result<(), Error> {
    if p.unit(unit).is_some() {
        return Ok(());
    }
    let ids: Vec<&str> = p.units.iter().map(|u| u.id.as_str()).collect();
    Err(Error::Usage(format!(
        "okänd enhet \"{unit}\"; ange ett id från [[units]]: {}",
        ids.join(", ")
    )))
}

/// Makes a personal sign-in link; only its hash is kept.
pub fn invite(p: &Pipeline, unit: &str, role: Role, email: Option<&str>) -> Result<String, Error> {
    known_unit(p, unit)?;
    if let Some(e) = email
        && !super::mail::address_ok(e)
    {
        return Err(Error::Usage(format!(
            "\"{}\" är ingen e-postadress; skriv till exempel --email namn@example.se",
            crate::text::excerpt(e)
        )));
    }
    let portal = super::settings(p)?;
    let (_, db) = super::open(p)?;
    let token = access::secret().map_err(Error::io("kan inte ta fram en slumpmässig länk"))?;
    let id = db
        .add_user(unit, role, &access::hash(&token), &super::now(), email)
        .map_err(db_error)?;
    let e = Event::now(Kind::Invite)
        .unit(unit)
        .detail(format!("länk {id} ({})", role.swedish()));
    journal::record(&db, e);
    Ok(format!("{}/logga-in/{token}", portal.base_url))
}

/// Ends the links and their sessions; says what was ended.
pub fn revoke(p: &Pipeline, which: db::Links<'_>) -> Result<String, Error> {
    let (_, db) = super::open(p)?;
    match which {
        db::Links::One(id) => {
            let users = db.users(&clock(p)?).map_err(db_error)?;
            let Some((u, _)) = users.iter().find(|(u, _)| u.id == id) else {
                return Err(Error::Usage(format!(
                    "det finns ingen länk med id {id}; se uppfolj portal users"
                )));
            };
            let n = db.revoke(&which).map_err(db_error)?;
            let e = Event::now(Kind::Revoke)
                .unit(&u.unit)
                .detail(format!("länk {id}"));
            journal::record(&db, e);
            Ok(if n == 0 {
                format!(
                    "länk {id} ({}, {}) var redan återkallad",
                    u.unit,
                    u.role.swedish()
                )
            } else {
                format!("länk {id} ({}, {}) återkallad", u.unit, u.role.swedish())
            })
        }
        db::Links::Role(unit, role) => {
            known_unit(p, unit)?;
            let n = db.revoke(&which).map_err(db_error)?;
            let detail = format!(
                "{} med rollen {}",
                Count(n, "länk", "länkar"),
                role.swedish()
            );
            journal::record(&db, Event::now(Kind::Revoke).unit(unit).detail(detail));
            Ok(format!(
                "{unit}: {} med rollen {} återkallade",
                Count(n, "länk", "länkar"),
                role.swedish()
            ))
        }
    }
}

fn clock(p: &Pipeline) -> Result<db::Clock, Error> {
    Ok(db::Clock::now(super::settings(p)?.idle))
}

/// One line per link: its id, unit, role, since when (Swedish time),
/// whether it still works and how many are signed in with it now.
pub fn users(p: &Pipeline) -> Result<Vec<String>, Error> {
    let (_, db) = super::open(p)?;
    let users = db.users(&clock(p)?).map_err(db_error)?;
    let mut lines = vec!["id\tenhet\troll\tskapad\tläge\tinloggade".to_string()];
    lines.extend(users.iter().map(|(u, sessions)| {
        format!(
            "{}\t{}\t{}\t{}\t{}\t{sessions}",
            u.id,
            u.unit,
            u.role.swedish(),
            crate::clock::local_minute(&u.created),
            if u.revoked { "återkallad" } else { "gäller" }
        )
    }));
    Ok(lines)
}

/// `uppfolj portal logg`: every event, oldest first, or one unit's; as
/// tab-separated lines, or as CSV with a header for a spreadsheet.
pub fn log(p: &Pipeline, unit: Option<&str>, csv: bool) -> Result<String, Error> {
    if let Some(u) = unit {
        known_unit(p, u)?;
    }
    let (_, db) = super::open(p)?;
    let events = db.events(unit).map_err(db_error)?;
    let rows = journal::lines(&events);
    let mut out = String::new();
    let head = journal::COLUMNS.map(String::from);
    for row in std::iter::once(&head).chain(rows.iter()) {
        let line: Vec<String> = if csv {
            row.iter().map(|f| csv_field(f)).collect()
        } else {
            row.iter()
                .map(|f| f.replace(['\t', '\n', '\r'], " "))
                .collect()
        };
        out.push_str(&line.join(if csv { "," } else { "\t" }));
        out.push_str(if csv { "\r\n" } else { "\n" });
    }
    Ok(out)
}

/// A CSV field, quoted when it must be; a field a spreadsheet would take
/// for a formula is prefixed with an apostrophe.
fn csv_field(f: &str) -> String {
    let f = if f.starts_with(['=', '+', '-', '@']) {
        format!("'{f}")
    } else {
        f.to_string()
    };
    if f.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", f.replace('"', "\"\""))
    } else {
        f
    }
}
