//! The log of everything that happens in the portal, for an analyst to show
//! an auditor: sign-ins and failed ones, invites, revokes, downloads,
//! uploads, review decisions, re-opens and reminders. Append-only in the
//! database; shown on the analysts' log page and by `uppfolj portal logg`.
//! No free text from a file is ever written here: only what the portal
//! itself says, and reasons that passed the identifier check.

use serde::Serialize;

use super::access::Role;
use super::db::Db;

/// What happened, each with its id (as the database keeps it) and its
/// Swedish name, in one table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Kind {
    SignIn,
    SignInFailed,
    SignOut,
    Invite,
    Revoke,
    Download,
    Upload,
    Approve,
    SendBack,
    Reopen,
    Open,
    Reminder,
    ReminderFailed,
    /// A kind a newer program wrote.
    Unknown,
}

const KINDS: [(Kind, &str, &str); 14] = [
    (Kind::SignIn, "sign_in", "inloggning"),
    (
        Kind::SignInFailed,
        "sign_in_failed",
        "misslyckad inloggning",
    ),
    (Kind::SignOut, "sign_out", "utloggning"),
    (Kind::Invite, "invite", "inbjudan"),
    (Kind::Revoke, "revoke", "länk återkallad"),
    (Kind::Download, "download", "nedladdning"),
    (Kind::Upload, "upload", "uppladdning"),
    (Kind::Approve, "approve", "godkänd"),
    (Kind::SendBack, "send_back", "skickad tillbaka"),
    (Kind::Reopen, "reopen", "öppnad igen"),
    (Kind::Open, "open", "öppnad för uppladdning"),
    (Kind::Reminder, "reminder", "påminnelse skickad"),
    (
        Kind::ReminderFailed,
        "reminder_failed",
        "påminnelse kom inte fram",
    ),
    (Kind::Unknown, "unknown", "okänd händelse"),
];

impl Kind {
    fn row(self) -> (Kind, &'static str, &'static str) {
        KINDS
            .into_iter()
            .find(|r| r.0 == self)
            .unwrap_or(KINDS[KINDS.len() - 1])
    }

    pub fn id(self) -> &'static str {
        self.row().1
    }

    pub fn label(self) -> &'static str {
        self.row().2
    }

    pub fn parse(id: &str) -> Option<Kind> {
        KINDS.iter().find(|r| r.1 == id).map(|r| r.0)
    }
}

/// One event. `user_id` is the link that did it (none: the command line,
/// or a sign-in with a token that matched no link).
#[derive(Clone, Debug, Serialize)]
pub struct Event {
    pub at: String,
    pub kind: Kind,
    pub unit: Option<String>,
    pub year: Option<i32>,
    pub user_id: Option<i64>,
    pub client: Option<String>,
    pub detail: String,
}

impl Event {
    /// An event now, about nothing in particular yet.
    pub fn now(kind: Kind) -> Event {
        Event {
            at: super::now(),
            kind,
            unit: None,
            year: None,
            user_id: None,
            client: None,
            detail: String::new(),
        }
    }

    pub fn unit(mut self, unit: &str) -> Event {
        self.unit = Some(unit.to_string());
        self
    }

    pub fn year(mut self, year: i32) -> Event {
        self.year = Some(year);
        self
    }

    pub fn by(mut self, user_id: i64) -> Event {
        self.user_id = Some(user_id);
        self
    }

    pub fn client(mut self, client: impl ToString) -> Event {
        self.client = Some(client.to_string());
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Event {
        self.detail = detail.into();
        self
    }
}

/// Logs an event. The log failing never stops what was being done; the
/// server's own log says so.
pub fn record(db: &Db, e: Event) {
    if let Err(why) = db.log(&e) {
        tracing::error!(
            "händelsen \"{}\" kunde inte loggas: {}",
            e.kind.label(),
            crate::text::foreign(&why)
        );
    }
}

/// Who did it, as the log shows it.
pub fn who(user_id: Option<i64>, role: Option<Role>) -> String {
    match (user_id, role) {
        (Some(id), Some(role)) => format!("länk {id} ({})", role.swedish()),
        (Some(id), None) => format!("länk {id}"),
        (None, _) => "kommandoraden".into(),
    }
}

/// The log as lines: time (Swedish), what, unit, year, who, address, detail.
pub fn lines(events: &[(Event, Option<Role>)]) -> Vec<[String; 7]> {
    events
        .iter()
        .map(|(e, role)| {
            [
                crate::clock::local_second(&e.at),
                e.kind.label().to_string(),
                e.unit.clone().unwrap_or_default(),
                e.year.map(|y| y.to_string()).unwrap_or_default(),
                who(e.user_id, *role),
                e.client.clone().unwrap_or_default(),
                e.detail.clone(),
            ]
        })
        .collect()
}

/// The log's columns, as the page, the table and the CSV head them.
pub const COLUMNS: [&str; 7] = ["tid", "händelse", "enhet", "år", "av", "adress", "detalj"];
