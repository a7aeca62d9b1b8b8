//! `uppfolj portal invite | revoke | users`: who has access, from the
//! command line of the machine the portal runs on.

use super::access::{self, Role};
use crate::error::Error;
use crate::pipeline::Pipeline;

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

/// Ends a unit's links and sessions; returns how many links.
pub fn revoke(p: &Pipeline, unit: &str) -> Result<usize, Error> {
    known_unit(p, unit)?;
    let (_, db) = super::open(p)?;
    db.revoke(unit).map_err(db_error)
}

/// One line per link: unit, role, since when, and whether it still works.
pub fn users(p: &Pipeline) -> Result<Vec<String>, Error> {
    let (_, db) = super::open(p)?;
    let users = db.users().map_err(db_error)?;
    Ok(users
        .iter()
        .map(|u| {
            format!(
                "{}\t{}\t{}\t{}",
                u.unit,
                u.role.swedish(),
                u.created,
                if u.revoked { "återkallad" } else { "gäller" }
            )
        })
        .collect())
}
