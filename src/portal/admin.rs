//! `uppfolj portal invite | revoke | users`: who has access, from the
//! command line of the machine the portal runs on.

use super::access::{self, Role};
use super::db;
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
pub fn invite(p: &Pipeline, unit: &str, role: Role) -> Result<String, Error> {
    known_unit(p, unit)?;
    let portal = super::settings(p)?;
    let (_, db) = super::open(p)?;
    let token = access::secret().map_err(Error::io("kan inte ta fram en slumpmässig länk"))?;
    db.add_user(unit, role, &access::hash(&token), &super::now())
        .map_err(db_error)?;
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
