//! The run's settings: disclosure, returns, output and the portal.

use std::path::PathBuf;

use serde::Serialize;

use super::MonthDay;

/// The committees' web portal (`uppfolj serve`).
#[derive(Clone, Debug, Serialize)]
pub struct Portal {
    /// Where the server listens, e.g. `127.0.0.1:8080`.
    pub listen: String,
    /// The address committees use, for sign-in links; `https://` makes the
    /// session cookie Secure.
    pub base_url: String,
    /// Everything the portal keeps: its database and every uploaded file.
    /// Relative to the pipeline file.
    pub data: PathBuf,
    /// The years open for returns.
    pub years: Vec<i32>,
    /// A session unused this long ends; the person signs in again by the link.
    pub idle: std::time::Duration,
    /// How long and how slow a client may be.
    pub limits: Limits,
    /// Reverse proxies whose `X-Forwarded-For` is believed; anyone else's
    /// address is the connection's own.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// When a return reaches the inbox: once it has no errors, or only once
    /// an analyst approves it.
    pub publish: Publish,
    /// The day after which a year takes no more uploads (an analyst may
    /// open it again for one unit).
    pub closes: std::collections::BTreeMap<i32, super::date::Date>,
    /// Where reminders and send-back notices go out from (`[portal.mail]`).
    pub mail: Option<Mail>,
}

/// `[portal.mail]`: the SMTP server reminders are sent through.
#[derive(Clone, Debug, Serialize)]
pub struct Mail {
    pub host: String,
    pub port: u16,
    pub security: MailSecurity,
    /// The From address, e.g. `Kommunstyrelsen <uppfoljning@stockholm.se>`.
    pub sender: String,
    /// The SMTP user name, when the server wants one.
    pub user: Option<String>,
    /// The environment variable that holds the password: never the
    /// password itself, so that the pipeline file can be shared.
    pub password_env: Option<String>,
    /// How long one exchange with the server may take.
    pub timeout: std::time::Duration,
    /// Days before the deadline a reminder goes out, and days after it.
    pub before: Vec<u32>,
    pub after: Vec<u32>,
}

/// How the connection to the SMTP server is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum MailSecurity {
    /// Plain connection upgraded with STARTTLS (port 587).
    StartTls,
    /// TLS from the start (port 465).
    Tls,
    /// No encryption: only for a relay on the same machine.
    None,
}

/// `[portal] publish`: when an upload reaches the returns inbox.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub enum Publish {
    /// As soon as it has no errors.
    #[default]
    Accepted,
    /// Only once an analyst has approved it.
    Approved,
}

/// What one client may hold of the portal: one that is too slow is
/// dropped, so that it never keeps others waiting.
#[derive(Clone, Debug, Serialize)]
pub struct Limits {
    /// The request's headers must have come within this; also how long a
    /// kept-alive connection may sit idle.
    pub header: std::time::Duration,
    /// The whole request, the upload's judging included.
    pub request: std::time::Duration,
    /// An upload must average at least this many bytes a second …
    pub min_bytes_per_second: u64,
    /// … once this long has passed.
    pub grace: std::time::Duration,
    /// Connections open at once; beyond this the oldest idle one is closed.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        use std::time::Duration;
        Limits {
            header: Duration::from_secs(10),
            request: Duration::from_secs(120),
            min_bytes_per_second: 1000,
            grace: Duration::from_secs(10),
            max_connections: 200,
        }
    }
}

impl Disclosure {
    /// The smallest cell published when the pipeline file sets none: five
    /// persons, the usual rule in official statistics.
    pub const MIN_CELL: u32 = 5;
}

#[derive(Clone, Debug, Serialize)]
pub struct Disclosure {
    /// Cells counting fewer persons than this are withheld.
    pub min_cell: u32,
    /// Indicators published for the whole city only.
    pub city_only: Vec<String>,
}

/// How committees hand in their yearly returns, and how they are checked.
#[derive(Clone, Debug, Serialize)]
pub struct Returns {
    /// Folder with one subfolder per year (`2021/`) of returns; relative paths
    /// are taken from the pipeline file's folder.
    pub inbox: Option<PathBuf>,
    /// Bumped whenever the template's layout changes; older templates are refused.
    pub template_version: u32,
    /// When the return for a year is due, in the following year.
    pub deadline: Option<MonthDay>,
    /// Whom committees ask, shown in the template's instructions.
    pub contact: Option<String>,
    /// Warn when a value differs from the unit's previous year by more than this factor…
    pub change_factor: f64,
    /// …and by at least this much, so that small numbers may vary freely.
    pub change_min_difference: f64,
    /// Caps that keep a huge or hostile workbook from exhausting memory.
    pub max_rows: u32,
    pub max_bytes: u64,
    /// A count above this is taken for a typing error, not a number of people.
    pub max_count: f64,
    /// What to do with a city value that lacks a unit's value.
    pub incomplete: Incomplete,
}

/// A city value over units where some unit's value is missing or refused.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Incomplete {
    /// Published, with its coverage, and drawn and tabled as incomplete.
    #[default]
    Mark,
    /// Not published at all.
    Withhold,
}

impl Default for Returns {
    fn default() -> Self {
        Returns {
            inbox: None,
            template_version: 1,
            deadline: None,
            contact: None,
            change_factor: 3.0,
            change_min_difference: 10.0,
            max_rows: 5_000,
            max_bytes: 20_000_000,
            max_count: 1e9,
            incomplete: Incomplete::Mark,
        }
    }
}

/// Where a run writes, and how the report judges targets.
#[derive(Clone, Debug, Serialize)]
pub struct Output {
    /// The output folder, relative to the pipeline file.
    pub dir: PathBuf,
    /// A folder the charts are also published to (the sample: the top-level `charts/`).
    pub charts: Option<PathBuf>,
    /// What must never be published: the withheld cells and why, each
    /// committee's feedback, the cache (by default beside the output folder,
    /// `<dir>-EJ-FOR-PUBLICERING`). Never inside the output or charts folder.
    pub private: Option<PathBuf>,
    /// Where `run` keeps what each input became between runs (by default
    /// `cache/` in the private folder).
    pub cache: Option<PathBuf>,
    /// An indicator that missed its target by at most this share of the
    /// target "approached" it; further off, it missed.
    pub approached_within: f64,
}

/// What the report shows beyond the figures (`[report]`).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    /// An annex with each committee's comments on its values. Off unless
    /// asked for: a comment is the committee's own words, and an analyst
    /// should have read them before they are published.
    pub comments: bool,
    /// The folder of the owner's own assessments in Markdown, one folder per
    /// year (`2022/sammanfattning.md`, `2022/<area id>.md`, `2022/samrad.md`),
    /// relative to the pipeline file.
    pub assessments: Option<PathBuf>,
    /// The report's date and who wrote it, for its footer: from the
    /// pipeline file, never the clock, so a run is the same on any day.
    pub date: Option<super::Date>,
    pub author: Option<String>,
}

impl Default for Output {
    fn default() -> Self {
        Output {
            dir: PathBuf::from("ut"),
            charts: None,
            private: None,
            cache: None,
            approached_within: 0.1,
        }
    }
}
