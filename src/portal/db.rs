//! The portal's store: one SQLite file in the data folder. Who has access
//! (only a hash of each sign-in token), sessions, and every upload in an
//! append-only log (triggers refuse to change or delete a row). What is
//! published to the inbox is recorded with the upload it came from, so a
//! restart can make the inbox agree with the database.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

use super::access::Role;
use super::journal::{Event, Kind};
use super::review::{Decision, Review};
use crate::handin::CommitteeDecision;

/// Set on every connection, outside any migration.
const PRAGMAS: &str = "
PRAGMA journal_mode = WAL;
PRAGMA synchronous = FULL;
";

/// The schema, a migration a version: migration `n` (counting from 1) takes
/// a database from `PRAGMA user_version` `n - 1` to `n`, in one transaction.
/// A migration that has shipped is never edited; a change is the next one.
const MIGRATIONS: &[&str] = &[SCHEMA_1, SCHEMA_2, SCHEMA_3];

/// 3: the committee's decision on its return, given with the upload.
const SCHEMA_3: &str = "
ALTER TABLE uploads ADD COLUMN decided TEXT;
ALTER TABLE uploads ADD COLUMN paragraph TEXT;
";

/// 2: the yearly loop. A log of everything that happens (sign-ins, invites,
/// downloads, uploads, decisions, reminders) and the analysts' review
/// decisions, both append-only like the upload log.
const SCHEMA_2: &str = "
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    unit TEXT,
    year INTEGER,
    user_id INTEGER,
    client TEXT,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX events_unit ON events (unit, id);
CREATE TRIGGER events_keep BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'events are never changed'); END;
CREATE TRIGGER events_stay BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'events are never deleted'); END;
CREATE TABLE reviews (
    id INTEGER PRIMARY KEY,
    unit TEXT NOT NULL,
    year INTEGER NOT NULL,
    upload_id INTEGER REFERENCES uploads(id),
    decision TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    user_id INTEGER NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX reviews_unit ON reviews (unit, year, id);
ALTER TABLE users ADD COLUMN email TEXT;
CREATE TRIGGER reviews_keep BEFORE UPDATE ON reviews
    BEGIN SELECT RAISE(ABORT, 'reviews are never changed'); END;
CREATE TRIGGER reviews_stay BEFORE DELETE ON reviews
    BEGIN SELECT RAISE(ABORT, 'reviews are never deleted'); END;
";

/// 1: who has access, sessions, the append-only upload log and what is
/// published. `IF NOT EXISTS`, so that it also adopts a database made
/// before the schema had a version (see [`migrate`]).
const SCHEMA_1: &str = "
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY,
    unit TEXT NOT NULL,
    role TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS sessions (
    id_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    csrf TEXT NOT NULL,
    created TEXT NOT NULL,
    last_seen INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS uploads (
    id INTEGER PRIMARY KEY,
    unit TEXT NOT NULL,
    year INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    at TEXT NOT NULL,
    name TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    accepted INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    warnings INTEGER NOT NULL,
    findings TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS uploads_keep BEFORE UPDATE ON uploads
    BEGIN SELECT RAISE(ABORT, 'uploads are never changed'); END;
CREATE TRIGGER IF NOT EXISTS uploads_stay BEFORE DELETE ON uploads
    BEGIN SELECT RAISE(ABORT, 'uploads are never deleted'); END;
CREATE TABLE IF NOT EXISTS published (
    unit TEXT NOT NULL,
    year INTEGER NOT NULL,
    upload_id INTEGER NOT NULL REFERENCES uploads(id),
    sha256 TEXT NOT NULL,
    PRIMARY KEY (unit, year)
);
";

/// One person's access.
#[derive(Clone, Debug)]
pub struct User {
    pub id: i64,
    pub unit: String,
    pub role: Role,
    pub created: String,
    pub revoked: bool,
}

/// One upload, as the log keeps it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Upload {
    /// The log's own id, never shown: it counts every unit's uploads.
    #[serde(skip)]
    pub id: i64,
    /// Its number among its unit's uploads (1, 2, …): what pages and
    /// addresses show, so that nobody learns how often others upload.
    pub number: i64,
    pub unit: String,
    pub year: i32,
    pub at: String,
    pub name: String,
    pub size: i64,
    pub sha256: String,
    pub accepted: bool,
    pub errors: i64,
    pub warnings: i64,
    /// The findings as JSON: `[{severity, sheet, cell, message}]`.
    pub findings: String,
    /// The committee's decision, as given with the upload.
    pub decision: Option<CommitteeDecision>,
}

/// What an upload is, before the log gives it an id.
pub struct NewUpload<'a> {
    pub unit: &'a str,
    pub year: i32,
    pub user_id: i64,
    pub at: &'a str,
    pub name: &'a str,
    pub size: i64,
    pub sha256: &'a str,
    pub accepted: bool,
    pub errors: i64,
    pub warnings: i64,
    pub findings: &'a str,
    pub decision: Option<&'a CommitteeDecision>,
}

pub struct Db {
    conn: Connection,
}

/// Which links `portal revoke` ends: one, or one role's at a unit (a
/// committee's links end without the analysts' and readers' invited on the
/// same unit).
#[derive(Clone, Copy, Debug)]
pub enum Links<'a> {
    /// One link, by the id `portal users` prints.
    One(i64),
    /// Every link of one role of a unit.
    Role(&'a str, Role),
}

/// Why the database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("{}", crate::text::foreign(.0))]
    Sqlite(#[from] rusqlite::Error),
    #[error(
        "databasen har version {found}, men den här versionen av uppfolj känner bara till version {known}; använd en nyare uppfolj (databasen lämnas orörd)"
    )]
    Newer { found: i64, known: usize },
}

impl Db {
    /// Opens (or creates) the database in `data`, migrated to the schema of
    /// this version of the program.
    pub fn open(data: &Path) -> Result<Db, OpenError> {
        let mut conn = Connection::open(data.join("portal.sqlite"))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.execute_batch(PRAGMAS)?;
        migrate(&mut conn)?;
        Ok(Db { conn })
    }

    /// The schema's version (`PRAGMA user_version`).
    pub fn version(&self) -> rusqlite::Result<i64> {
        self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))
    }

    pub fn add_user(
        &self,
        unit: &str,
        role: Role,
        token_hash: &str,
        at: &str,
        email: Option<&str>,
    ) -> rusqlite::Result<i64> {
        self.conn.execute(
            "INSERT INTO users (unit, role, token_hash, created, email) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![unit, role.id(), token_hash, at, email],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Ends the links `which` names, and their sessions; returns how many
    /// links were live.
    pub fn revoke(&self, which: &Links<'_>) -> rusqlite::Result<usize> {
        use rusqlite::types::Value;
        let (filter, args): (&str, Vec<Value>) = match which {
            Links::One(id) => ("id = ?1", vec![Value::from(*id)]),
            Links::Role(unit, role) => (
                "unit = ?1 AND role = ?2",
                vec![
                    Value::from(unit.to_string()),
                    Value::from(role.id().to_string()),
                ],
            ),
        };
        let tx = self.conn.unchecked_transaction()?;
        let n = tx.execute(
            &format!("UPDATE users SET revoked = 1 WHERE {filter} AND revoked = 0"),
            rusqlite::params_from_iter(&args),
        )?;
        tx.execute(
            &format!("DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE {filter})"),
            rusqlite::params_from_iter(&args),
        )?;
        tx.commit()?;
        Ok(n)
    }

    /// Every link, with how many live sessions it has now.
    pub fn users(&self, clock: &Clock) -> rusqlite::Result<Vec<(User, i64)>> {
        let mut st = self.conn.prepare(
            "SELECT u.id, u.unit, u.role, u.created, u.revoked,
                (SELECT COUNT(*) FROM sessions s WHERE s.user_id = u.id AND s.last_seen >= ?1)
             FROM users u ORDER BY u.unit, u.id",
        )?;
        let rows = st.query_map(params![clock.oldest()], |r| Ok((user_row(r)?, r.get(5)?)))?;
        rows.collect()
    }

    /// The addresses of a unit's live committee links: (link id, address).
    pub fn emails(&self, unit: &str) -> rusqlite::Result<Vec<(i64, String)>> {
        let mut st = self.conn.prepare(
            "SELECT id, email FROM users WHERE unit = ?1 AND role = 'committee' AND revoked = 0
             AND email IS NOT NULL ORDER BY id",
        )?;
        let rows = st.query_map(params![unit], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect()
    }

    /// The live user a sign-in token belongs to.
    pub fn user_by_token(&self, token_hash: &str) -> rusqlite::Result<Option<User>> {
        self.conn
            .query_row(
                "SELECT id, unit, role, created, revoked FROM users WHERE token_hash = ?1 AND revoked = 0",
                params![token_hash],
                user_row,
            )
            .optional()
    }

    /// A new session, seen at `clock.seconds`; sessions idle longer than
    /// `clock.idle` end here too, so the table does not grow.
    pub fn add_session(
        &self,
        id_hash: &str,
        user_id: i64,
        csrf: &str,
        clock: &Clock,
    ) -> rusqlite::Result<()> {
        self.conn.execute(
            "DELETE FROM sessions WHERE last_seen < ?1",
            params![clock.oldest()],
        )?;
        self.conn.execute(
            "INSERT INTO sessions (id_hash, user_id, csrf, created, last_seen) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id_hash, user_id, csrf, clock.at, clock.seconds],
        )?;
        Ok(())
    }

    /// The user and CSRF token of a live session, which is seen now; a
    /// session idle longer than `clock.idle` has ended.
    pub fn session(
        &self,
        id_hash: &str,
        clock: &Clock,
    ) -> rusqlite::Result<Option<(User, String)>> {
        let live = self
            .conn
            .query_row(
                "SELECT u.id, u.unit, u.role, u.created, u.revoked, s.csrf FROM sessions s
                 JOIN users u ON u.id = s.user_id
                 WHERE s.id_hash = ?1 AND u.revoked = 0 AND s.last_seen >= ?2",
                params![id_hash, clock.oldest()],
                |r| Ok((user_row(r)?, r.get(5)?)),
            )
            .optional()?;
        if live.is_some() {
            self.conn.execute(
                "UPDATE sessions SET last_seen = ?2 WHERE id_hash = ?1",
                params![id_hash, clock.seconds],
            )?;
        } else {
            self.end_session(id_hash)?;
        }
        Ok(live)
    }

    pub fn end_session(&self, id_hash: &str) -> rusqlite::Result<()> {
        self.conn
            .execute("DELETE FROM sessions WHERE id_hash = ?1", params![id_hash])?;
        Ok(())
    }

    /// Logs an upload; returns its number among its unit's uploads.
    pub fn log_upload(&self, u: &NewUpload<'_>) -> rusqlite::Result<i64> {
        self.conn.execute(
            "INSERT INTO uploads (unit, year, user_id, at, name, size, sha256, accepted, errors, warnings, findings, decided, paragraph)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            params![
                u.unit,
                u.year,
                u.user_id,
                u.at,
                u.name,
                u.size,
                u.sha256,
                u.accepted,
                u.errors,
                u.warnings,
                u.findings,
                u.decision.map(|d| &d.date),
                u.decision.and_then(|d| d.paragraph.as_ref())
            ],
        )?;
        let id = self.conn.last_insert_rowid();
        self.conn.query_row(
            "SELECT COUNT(*) FROM uploads WHERE unit = ?1 AND id <= ?2",
            params![u.unit, id],
            |r| r.get(0),
        )
    }

    /// A unit's uploads, newest first.
    pub fn uploads(&self, unit: &str) -> rusqlite::Result<Vec<Upload>> {
        let mut st = self.conn.prepare(&format!(
            "SELECT {UPLOAD} FROM ({NUMBERED}) WHERE unit = ?1 ORDER BY id DESC"
        ))?;
        let rows = st.query_map(params![unit], upload_row)?;
        rows.collect()
    }

    /// A unit's upload by its number among the unit's uploads.
    pub fn upload(&self, unit: &str, number: i64) -> rusqlite::Result<Option<Upload>> {
        self.conn
            .query_row(
                &format!("SELECT {UPLOAD} FROM ({NUMBERED}) WHERE unit = ?1 AND number = ?2"),
                params![unit, number],
                upload_row,
            )
            .optional()
    }

    /// An upload by the log's own id.
    pub fn upload_by_id(&self, id: i64) -> rusqlite::Result<Option<Upload>> {
        self.conn
            .query_row(
                &format!("SELECT {UPLOAD} FROM ({NUMBERED}) WHERE id = ?1"),
                params![id],
                upload_row,
            )
            .optional()
    }

    /// The newest accepted upload of a unit for a year.
    pub fn newest_accepted(&self, unit: &str, year: i32) -> rusqlite::Result<Option<Upload>> {
        self.conn
            .query_row(
                &format!(
                    "SELECT {UPLOAD} FROM ({NUMBERED})
                 WHERE unit = ?1 AND year = ?2 AND accepted = 1 ORDER BY id DESC LIMIT 1"
                ),
                params![unit, year],
                upload_row,
            )
            .optional()
    }

    /// What the portal last published for a unit and year: (upload id, SHA-256).
    pub fn published(&self, unit: &str, year: i32) -> rusqlite::Result<Option<(i64, String)>> {
        self.conn
            .query_row(
                "SELECT upload_id, sha256 FROM published WHERE unit = ?1 AND year = ?2",
                params![unit, year],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
    }

    /// Everything the portal has put in the inbox: (unit, year, upload id, SHA-256).
    pub fn published_all(&self) -> rusqlite::Result<Vec<(String, i32, i64, String)>> {
        let mut st = self
            .conn
            .prepare("SELECT unit, year, upload_id, sha256 FROM published ORDER BY unit, year")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        rows.collect()
    }

    /// Every (unit, year) something was accepted for.
    pub fn accepted_keys(&self) -> rusqlite::Result<Vec<(String, i32)>> {
        let mut st = self.conn.prepare(
            "SELECT DISTINCT unit, year FROM uploads WHERE accepted = 1 ORDER BY unit, year",
        )?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect()
    }

    /// Adds one event to the log of everything.
    pub fn log(&self, e: &Event) -> rusqlite::Result<()> {
        self.conn.execute(
            "INSERT INTO events (at, kind, unit, year, user_id, client, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![e.at, e.kind.id(), e.unit, e.year, e.user_id, e.client, e.detail],
        )?;
        Ok(())
    }

    /// The log, oldest first; only one unit's when `unit` is given. Each
    /// event with the role of the link that did it, where a link did.
    pub fn events(&self, unit: Option<&str>) -> rusqlite::Result<Vec<(Event, Option<Role>)>> {
        let mut st = self.conn.prepare(
            "SELECT e.at, e.kind, e.unit, e.year, e.user_id, e.client, e.detail, u.role
             FROM events e LEFT JOIN users u ON u.id = e.user_id
             WHERE ?1 IS NULL OR e.unit = ?1 ORDER BY e.id",
        )?;
        let rows = st.query_map(params![unit], |r| {
            let kind: String = r.get(1)?;
            let role: Option<String> = r.get(7)?;
            Ok((
                Event {
                    at: r.get(0)?,
                    kind: Kind::parse(&kind).unwrap_or(Kind::Unknown),
                    unit: r.get(2)?,
                    year: r.get(3)?,
                    user_id: r.get(4)?,
                    client: r.get(5)?,
                    detail: r.get(6)?,
                },
                role.as_deref().and_then(Role::parse),
            ))
        })?;
        rows.collect()
    }

    /// Records an analyst's decision on a unit's return for a year.
    pub fn add_review(&self, r: &Review) -> rusqlite::Result<()> {
        self.conn.execute(
            "INSERT INTO reviews (unit, year, upload_id, decision, reason, user_id, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![r.unit, r.year, r.upload_id, r.decision.id(), r.reason, r.user_id, r.at],
        )?;
        Ok(())
    }

    /// A unit's decisions for a year, newest first.
    pub fn reviews(&self, unit: &str, year: i32) -> rusqlite::Result<Vec<Review>> {
        let mut st = self.conn.prepare(
            "SELECT unit, year, upload_id, decision, reason, user_id, at FROM reviews
             WHERE unit = ?1 AND year = ?2 ORDER BY id DESC",
        )?;
        let rows = st.query_map(params![unit, year], |r| {
            let decision: String = r.get(3)?;
            Ok(Review {
                unit: r.get(0)?,
                year: r.get(1)?,
                upload_id: r.get(2)?,
                decision: Decision::parse(&decision).unwrap_or(Decision::Reopened),
                reason: r.get(4)?,
                user_id: r.get(5)?,
                at: r.get(6)?,
            })
        })?;
        rows.collect()
    }

    /// The first accepted upload of a unit for a year: when it handed in.
    pub fn first_accepted(&self, unit: &str, year: i32) -> rusqlite::Result<Option<String>> {
        self.conn
            .query_row(
                "SELECT at FROM uploads WHERE unit = ?1 AND year = ?2 AND accepted = 1 ORDER BY id LIMIT 1",
                params![unit, year],
                |r| r.get(0),
            )
            .optional()
    }

    pub fn set_published(
        &self,
        unit: &str,
        year: i32,
        upload_id: i64,
        sha256: &str,
    ) -> rusqlite::Result<()> {
        self.conn.execute(
            "INSERT INTO published (unit, year, upload_id, sha256) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (unit, year) DO UPDATE SET upload_id = excluded.upload_id, sha256 = excluded.sha256",
            params![unit, year, upload_id, sha256],
        )?;
        Ok(())
    }
}

fn user_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<User> {
    let role: String = r.get(2)?;
    Ok(User {
        id: r.get(0)?,
        unit: r.get(1)?,
        role: Role::parse(&role).unwrap_or(Role::Reader),
        created: r.get(3)?,
        revoked: r.get::<_, i64>(4)? != 0,
    })
}

/// The uploads with each one's number among its unit's.
const NUMBERED: &str =
    "SELECT *, ROW_NUMBER() OVER (PARTITION BY unit ORDER BY id) AS number FROM uploads";
/// An upload's columns, in the order [`upload_row`] reads them.
const UPLOAD: &str = "id, number, unit, year, at, name, size, sha256, accepted, errors, warnings, findings, decided, paragraph";

fn upload_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Upload> {
    Ok(Upload {
        id: r.get(0)?,
        number: r.get(1)?,
        unit: r.get(2)?,
        year: r.get(3)?,
        at: r.get(4)?,
        name: r.get(5)?,
        size: r.get(6)?,
        sha256: r.get(7)?,
        accepted: r.get::<_, i64>(8)? != 0,
        errors: r.get(9)?,
        warnings: r.get(10)?,
        findings: r.get(11)?,
        decision: r
            .get::<_, Option<String>>(12)?
            .map(|date| -> rusqlite::Result<CommitteeDecision> {
                Ok(CommitteeDecision {
                    date,
                    paragraph: r.get(13)?,
                })
            })
            .transpose()?,
    })
}

/// Now, for sessions: the time as the log writes it, in seconds since 1970,
/// and how long a session may be idle.
pub struct Clock {
    pub at: String,
    pub seconds: i64,
    pub idle: std::time::Duration,
}

impl Clock {
    /// Now, with sessions idle longer than `idle` ended.
    pub fn now(idle: std::time::Duration) -> Clock {
        let seconds = crate::clock::unix_now();
        Clock {
            at: crate::clock::rfc3339(seconds),
            seconds,
            idle,
        }
    }

    /// The last time a session may have been seen and still be live.
    fn oldest(&self) -> i64 {
        self.seconds - self.idle.as_secs_f64().ceil() as i64
    }
}

/// Brings the database to the last migration's version, each step in a
/// transaction of its own. A database from before versions (0) is adopted:
/// migration 1 leaves its tables as they are, and one made before sessions
/// ended when idle gets `last_seen`.
fn migrate(conn: &mut Connection) -> Result<(), OpenError> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > MIGRATIONS.len() as i64 {
        return Err(OpenError::Newer {
            found,
            known: MIGRATIONS.len(),
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found.max(0) as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        if i == 0 {
            add_last_seen(&tx)?;
        }
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}

/// Databases made before sessions ended when idle lack `last_seen`; their
/// sessions count as idle since 1970 and end at the next request.
fn add_last_seen(conn: &Connection) -> rusqlite::Result<()> {
    let has: bool = conn.query_row(
        "SELECT COUNT(*) FROM pragma_table_info('sessions') WHERE name = 'last_seen'",
        [],
        |r| r.get::<_, i64>(0).map(|n| n > 0),
    )?;
    if !has {
        conn.execute_batch("ALTER TABLE sessions ADD COLUMN last_seen INTEGER NOT NULL DEFAULT 0")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The schema as it shipped before it had a version, with a session
    /// table that may or may not have `last_seen`.
    fn unversioned(dir: &Path, last_seen: bool) {
        let conn = Connection::open(dir.join("portal.sqlite")).unwrap();
        let seen = if last_seen {
            ",\n    last_seen INTEGER NOT NULL DEFAULT 0"
        } else {
            ""
        };
        conn.execute_batch(&format!(
            "CREATE TABLE users (id INTEGER PRIMARY KEY, unit TEXT NOT NULL, role TEXT NOT NULL,
                token_hash TEXT NOT NULL UNIQUE, created TEXT NOT NULL, revoked INTEGER NOT NULL DEFAULT 0);
             CREATE TABLE sessions (id_hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),
                csrf TEXT NOT NULL, created TEXT NOT NULL{seen});
             CREATE TABLE uploads (id INTEGER PRIMARY KEY, unit TEXT NOT NULL, year INTEGER NOT NULL,
                user_id INTEGER NOT NULL, at TEXT NOT NULL, name TEXT NOT NULL, size INTEGER NOT NULL,
                sha256 TEXT NOT NULL, accepted INTEGER NOT NULL, errors INTEGER NOT NULL,
                warnings INTEGER NOT NULL, findings TEXT NOT NULL);
             CREATE TRIGGER uploads_keep BEFORE UPDATE ON uploads
                BEGIN SELECT RAISE(ABORT, 'uploads are never changed'); END;
             CREATE TRIGGER uploads_stay BEFORE DELETE ON uploads
                BEGIN SELECT RAISE(ABORT, 'uploads are never deleted'); END;
             CREATE TABLE published (unit TEXT NOT NULL, year INTEGER NOT NULL,
                upload_id INTEGER NOT NULL REFERENCES uploads(id), sha256 TEXT NOT NULL,
                PRIMARY KEY (unit, year));
             INSERT INTO users (unit, role, token_hash, created) VALUES ('amn', 'committee', 'h', '2026-01-01');
             INSERT INTO uploads (unit, year, user_id, at, name, size, sha256, accepted, errors, warnings, findings)
                VALUES ('amn', 2022, 1, '2026-01-02', 'amn-2022.xlsx', 10, 's', 1, 0, 0, '[{{\"severity\":\"varning\",\"sheet\":\"\",\"cell\":\"\",\"message\":\"m\"}}]');"
        ))
        .unwrap();
    }

    #[test]
    fn a_database_from_before_versions_is_adopted_with_its_rows() {
        for last_seen in [true, false] {
            let dir = tempfile::tempdir().unwrap();
            unversioned(dir.path(), last_seen);
            let db = Db::open(dir.path()).unwrap();
            let clock = Clock {
                at: "t".into(),
                seconds: 100,
                idle: std::time::Duration::from_secs(60),
            };
            assert_eq!(db.version().unwrap(), MIGRATIONS.len() as i64);
            assert_eq!(db.users(&clock).unwrap().len(), 1);
            let u = db.upload("amn", 1).unwrap().unwrap();
            assert_eq!((u.unit.as_str(), u.accepted), ("amn", true));
            // The old log's Swedish severity still reads.
            let shown: Vec<crate::portal::upload::Shown> =
                serde_json::from_str(&u.findings).unwrap();
            assert_eq!(shown[0].severity, crate::finding::Severity::Warning);
            db.add_session("s", 1, "c", &clock).unwrap();
            assert!(db.session("s", &clock).unwrap().is_some());
            // The log stays append-only.
            assert!(db.conn.execute("DELETE FROM uploads", []).is_err());
            drop(db);
            assert_eq!(
                Db::open(dir.path()).unwrap().users(&clock).unwrap().len(),
                1
            );
        }
    }

    #[test]
    fn a_database_from_a_newer_program_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let conn = Connection::open(dir.path().join("portal.sqlite")).unwrap();
        conn.execute_batch("PRAGMA user_version = 99; CREATE TABLE future (x);")
            .unwrap();
        drop(conn);
        let e = Db::open(dir.path()).err().unwrap();
        assert!(
            e.to_string().starts_with("databasen har version 99, men"),
            "{e}"
        );
        let conn = Connection::open(dir.path().join("portal.sqlite")).unwrap();
        let tables: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE name = 'users'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, 0);
    }
}
