//! Reads a pipeline file from its spanned TOML tree into the model.
//!
//! serde would stop at the first mistake; a committee's analyst should see all
//! of them at once, each with its line. So every field is read by hand: the
//! machinery is in [`reader`], the strategy and its units here, and the run's
//! settings in [`settings`].

mod reader;
mod settings;
mod syntax;

use crate::pipeline::{
    Area, Bounds, Breakdown, Derivation, Direction, Disclosure, Goal, Group, Indicator, Limits,
    Mail, MailSecurity, Measure, MeasureForm, MeasureUnit, Output, Period, Pipeline, Portal,
    Problem, Publication, Publish, Reference, Report, Returns, Source, Strategy, Survey,
    SurveyMeasure, Unit, UnitGroup, YearValue,
};
use std::collections::BTreeMap;
use std::path::PathBuf;

use toml::de::DeTable;

pub(super) use reader::edit_distance;
use reader::{Reader, Tbl, join, string_lists};
use settings::{read_reference, read_returns, read_survey};

/// Reads the file. Returns the model when every item could be read, and
/// every problem found on the way. A broken free text (a title, a name) is
/// reported and left empty rather than losing its item, so that the
/// cross-checks still run and `check` tells every problem at once.
pub(super) fn read(src: &str) -> (Option<Pipeline>, Vec<Problem>) {
    let line_starts = std::iter::once(0)
        .chain(src.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let mut r = Reader {
        src,
        line_starts,
        problems: Vec::new(),
        lines: BTreeMap::new(),
    };
    let (doc, errors) = DeTable::parse_recoverable(src);
    if !errors.is_empty() {
        for e in errors {
            r.problem(
                e.span(),
                "",
                format!("TOML-syntaxfel: {}", syntax::swedish(e.message())),
            );
        }
        return (None, r.problems);
    }
    let root = Tbl {
        table: doc.get_ref(),
        path: String::new(),
        span: doc.span(),
    };
    r.only(&root, SECTIONS);
    let parts = read_parts(&mut r, &root);
    let pipeline = assemble(parts).map(|mut p| {
        p.lines = std::mem::take(&mut r.lines);
        p
    });
    (pipeline, r.problems)
}

/// The file's top-level sections.
const SECTIONS: &[&str] = &[
    "strategy",
    "disclosure",
    "breakdowns",
    "units",
    "unit_groups",
    "areas",
    "goals",
    "measures",
    "indicators",
    "returns",
    "survey",
    "reference",
    "output",
    "report",
    "portal",
];

/// Every section, in the file's order.
fn read_parts(r: &mut Reader<'_>, root: &Tbl<'_, '_>) -> Parts {
    Parts {
        strategy: read_strategy(r, root),
        disclosure: read_disclosure(r, root),
        breakdowns: read_breakdowns(r, root),
        units: read_units(r, root),
        unit_groups: read_unit_groups(r, root),
        areas: read_areas(r, root),
        goals: read_goals(r, root),
        measures: read_measures(r, root),
        indicators: r
            .tables(root, "indicators", true)
            .into_iter()
            .map(|t| read_indicator(r, &t))
            .collect(),
        returns: match r.table(root, "returns", false) {
            Some(t) => read_returns(r, &t),
            None => Some(Returns::default()),
        },
        survey: r.table(root, "survey", false).map(|t| read_survey(r, &t)),
        reference: r
            .table(root, "reference", false)
            .map(|t| read_reference(r, &t)),
        output: read_output(r, root),
        report: read_report(r, root),
        portal: r.table(root, "portal", false).map(|t| read_portal(r, &t)),
    }
}

/// `[portal]`: where the portal listens, its address, its data and the open years.
fn read_portal(r: &mut Reader<'_>, t: &Tbl<'_, '_>) -> Option<Portal> {
    r.only(
        t,
        &[
            "listen",
            "base_url",
            "data",
            "years",
            "idle_minutes",
            "trusted_proxies",
            "header_seconds",
            "request_seconds",
            "upload_min_bytes_per_second",
            "upload_grace_seconds",
            "max_connections",
            "publish",
            "closes",
            "mail",
        ],
    );
    let listen = r.string(t, "listen", true);
    let base_url = r.string(t, "base_url", true);
    let data = r.string(t, "data", true).map(PathBuf::from);
    let years = r.years(t, "years", true);
    let idle = idle_minutes(r, t);
    let limits = read_limits(r, t);
    let trusted_proxies = trusted_proxies(r, t);
    let publish = r
        .choice(
            t,
            "publish",
            false,
            &[
                ("accepted", Publish::Accepted),
                ("approved", Publish::Approved),
            ],
        )
        .or(Some(Publish::Accepted));
    let closes = closes(r, t);
    let mail = match r.table(t, "mail", false) {
        Some(mt) => read_mail(r, &mt).map(Some),
        None => Some(None),
    };
    Some(Portal {
        listen: listen?,
        base_url: base_url?.trim_end_matches('/').to_string(),
        data: data?,
        years: years?,
        idle: idle?,
        limits: limits?,
        trusted_proxies: trusted_proxies?,
        publish: if t.table.contains_key("publish") {
            publish?
        } else {
            Publish::Accepted
        },
        closes: closes?,
        mail: mail?,
    })
}

/// `[portal.mail]`: the SMTP server, its protection, the sender, and when
/// reminders go out.
fn read_mail(r: &mut Reader<'_>, t: &Tbl<'_, '_>) -> Option<Mail> {
    r.only(
        t,
        &[
            "host",
            "port",
            "security",
            "sender",
            "user",
            "password_env",
            "timeout_seconds",
            "remind_days_before",
            "remind_days_after",
        ],
    );
    let host = r.string(t, "host", true);
    let security = r.choice(
        t,
        "security",
        true,
        &[
            ("starttls", MailSecurity::StartTls),
            ("tls", MailSecurity::Tls),
            ("none", MailSecurity::None),
        ],
    );
    let port = match t.table.get("port") {
        Some(_) => bounded(r, t, "port", 587.0, 65_535.0, "").map(|p| p as u16),
        None => security.map(|s| if s == MailSecurity::Tls { 465 } else { 587 }),
    };
    let sender = r.string(t, "sender", true);
    if let Some(s) = &sender
        && !s.contains('@')
    {
        let span = t.table.get("sender").map(|i| i.span());
        r.problem(span, join(&t.path, "sender"), format!("\"{}\" är ingen e-postadress; skriv till exempel \"Uppföljningen <uppfoljning@example.se>\"", crate::text::excerpt(s)));
    }
    let user = r.string(t, "user", false);
    let password_env = r.string(t, "password_env", false);
    let timeout = bounded(r, t, "timeout_seconds", 20.0, 600.0, "sekunder")
        .map(std::time::Duration::from_secs_f64);
    let days = |r: &mut Reader<'_>, key: &str, default: &[u32]| -> Option<Vec<u32>> {
        if !t.table.contains_key(key) {
            return Some(default.to_vec());
        }
        r.days(t, key)
    };
    let before = days(r, "remind_days_before", &[14, 3]);
    let after = days(r, "remind_days_after", &[1, 7]);
    Some(Mail {
        host: host?,
        port: port?,
        security: security?,
        sender: sender?,
        user,
        password_env,
        timeout: timeout?,
        before: before?,
        after: after?,
    })
}

/// `closes = { 2022 = 2023-04-30 }`: per year, the last day uploads are taken.
fn closes(
    r: &mut Reader<'_>,
    t: &Tbl<'_, '_>,
) -> Option<std::collections::BTreeMap<i32, crate::pipeline::date::Date>> {
    let Some(ct) = r.table(t, "closes", false) else {
        return Some(Default::default());
    };
    let keys: Vec<String> = ct.table.keys().map(|k| k.get_ref().to_string()).collect();
    let mut out = std::collections::BTreeMap::new();
    let mut ok = true;
    for k in keys {
        let date = r.date(&ct, &k);
        match (k.parse::<i32>(), date) {
            (Ok(year), Some(d)) if (1900..=2200).contains(&year) => {
                out.insert(year, d);
            }
            (_, None) => ok = false,
            _ => {
                let span = ct.table.get(k.as_str()).map(|i| i.span());
                r.problem(
                    span,
                    join(&ct.path, &k),
                    format!(
                        "\"{}\" är inget år; skriv året och dagen, till exempel 2030 = 2031-04-30",
                        crate::text::excerpt(&k)
                    ),
                );
                ok = false;
            }
        }
    }
    ok.then_some(out)
}

/// The portal's timeouts and caps, each with a default that suits a city's
/// committees on ordinary connections.
fn read_limits(r: &mut Reader<'_>, t: &Tbl<'_, '_>) -> Option<Limits> {
    let d = Limits::default();
    let seconds = |r: &mut Reader<'_>, key: &str, default: std::time::Duration, max: f64| {
        bounded(r, t, key, default.as_secs_f64(), max, "sekunder")
            .map(std::time::Duration::from_secs_f64)
    };
    let header = seconds(r, "header_seconds", d.header, 3600.0);
    let request = seconds(r, "request_seconds", d.request, 86_400.0);
    let grace = seconds(r, "upload_grace_seconds", d.grace, 3600.0);
    let rate = bounded(
        r,
        t,
        "upload_min_bytes_per_second",
        d.min_bytes_per_second as f64,
        1e9,
        "byte per sekund",
    );
    let max = bounded(
        r,
        t,
        "max_connections",
        d.max_connections as f64,
        1e6,
        "anslutningar",
    );
    Some(Limits {
        header: header?,
        request: request?,
        min_bytes_per_second: rate? as u64,
        grace: grace?,
        max_connections: max? as usize,
    })
}

/// A number in `(0, max]`, or `default` when the key is absent.
fn bounded(
    r: &mut Reader<'_>,
    t: &Tbl<'_, '_>,
    key: &str,
    default: f64,
    max: f64,
    unit: &str,
) -> Option<f64> {
    let Some(item) = t.table.get(key) else {
        return Some(default);
    };
    let n = r.number(t, key)?;
    if n > 0.0 && n <= max {
        return Some(n);
    }
    r.problem(
        Some(item.span()),
        join(&t.path, key),
        format!(
            "{n} ska vara fler än 0 och högst {} {unit}",
            crate::text::number(max)
        ),
    );
    None
}

/// `trusted_proxies`: addresses whose `X-Forwarded-For` the portal believes.
fn trusted_proxies(r: &mut Reader<'_>, t: &Tbl<'_, '_>) -> Option<Vec<std::net::IpAddr>> {
    let Some(item) = t.table.get("trusted_proxies") else {
        return Some(Vec::new());
    };
    let list = r.strings(t, "trusted_proxies", false)?;
    let mut out = Vec::new();
    for text in list {
        match text.trim().parse() {
            Ok(ip) => out.push(ip),
            Err(_) => {
                r.problem(
                    Some(item.span()),
                    join(&t.path, "trusted_proxies"),
                    format!(
                        "\"{}\" är ingen IP-adress; skriv till exempel \"127.0.0.1\"",
                        crate::text::excerpt(&text)
                    ),
                );
                return None;
            }
        }
    }
    Some(out)
}

/// `idle_minutes`: how long an unused session lasts, 60 unless given; a
/// decimal is allowed so that tests need not wait minutes.
fn idle_minutes(r: &mut Reader<'_>, t: &Tbl<'_, '_>) -> Option<std::time::Duration> {
    const DEFAULT: f64 = 60.0;
    let minutes = match t.table.get("idle_minutes") {
        None => DEFAULT,
        Some(_) => r.number(t, "idle_minutes")?,
    };
    if minutes > 0.0 && minutes <= 24.0 * 60.0 {
        return Some(std::time::Duration::from_secs_f64(minutes * 60.0));
    }
    let span = t.table.get("idle_minutes").map(|i| i.span());
    r.problem(
        span,
        join(&t.path, "idle_minutes"),
        format!("{minutes} ska vara fler än 0 och högst 1440 minuter (ett dygn)"),
    );
    None
}

/// The strategy: its id, title, period and owner.
fn read_strategy(r: &mut Reader<'_>, root: &Tbl<'_, '_>) -> Option<Strategy> {
    r.table(root, "strategy", true).and_then(|t| {
        r.only(
            &t,
            &["id", "title", "period", "owner", "vision", "national_goal"],
        );
        let id = r.string(&t, "id", true);
        let title = r.string(&t, "title", true);
        let period = r.table(&t, "period", true).and_then(|p| {
            r.only(&p, &["from", "to"]);
            let from = r.year(&p, "from");
            let to = r.year(&p, "to");
            Some(Period {
                from: from?,
                to: to?,
            })
        });
        let owner = r.string(&t, "owner", true);
        let vision = r.string(&t, "vision", false);
        let national_goal = r.string(&t, "national_goal", false);
        Some(Strategy {
            id: id?,
            title: title.unwrap_or_default(),
            period: period?,
            owner: owner?,
            vision,
            national_goal,
        })
    })
}

/// The disclosure rules, with their defaults.
fn read_disclosure(r: &mut Reader<'_>, root: &Tbl<'_, '_>) -> Option<Disclosure> {
    match r.table(root, "disclosure", false) {
        Some(t) => {
            r.only(&t, &["min_cell", "city_only"]);
            let min_cell = match r.integer(&t, "min_cell", false) {
                Some(v) if (1..=1000).contains(&v) => v as u32,
                Some(v) => {
                    let span = t.table.get("min_cell").map(|i| i.span());
                    r.problem(
                        span,
                        join(&t.path, "min_cell"),
                        format!("{v} är inte en rimlig minsta cellstorlek; ange ett heltal från 1 till 1000 (vanligt är {})", Disclosure::MIN_CELL),
                    );
                    Disclosure::MIN_CELL
                }
                None => Disclosure::MIN_CELL,
            };
            let city_only = r.strings(&t, "city_only", false).unwrap_or_default();
            Some(Disclosure {
                min_cell,
                city_only,
            })
        }
        None => Some(Disclosure {
            min_cell: Disclosure::MIN_CELL,
            city_only: Vec::new(),
        }),
    }
}

/// The breakdowns and their groups.
fn read_breakdowns(r: &mut Reader<'_>, root: &Tbl<'_, '_>) -> Vec<Option<Breakdown>> {
    r.tables(root, "breakdowns", false)
        .into_iter()
        .map(|t| {
            r.only(&t, &["id", "title", "groups"]);
            let id = r.string(&t, "id", true);
            let title = r.string(&t, "title", true);
            let groups: Vec<Option<Group>> = r
                .tables(&t, "groups", true)
                .into_iter()
                .map(|g| {
                    r.only(&g, &["id", "label"]);
                    let id = r.string(&g, "id", true);
                    let label = r.string(&g, "label", true);
                    Some(Group {
                        id: id?,
                        label: label.unwrap_or_default(),
                    })
                })
                .collect();
            Some(Breakdown {
                id: id?,
                title: title.unwrap_or_default(),
                groups: groups.into_iter().collect::<Option<_>>()?,
            })
        })
        .collect()
}

/// The reporting units and the years they exist.
fn read_units(r: &mut Reader<'_>, root: &Tbl<'_, '_>) -> Vec<Option<Unit>> {
    r.tables(root, "units", true)
        .into_iter()
        .map(|t| {
            r.only(
                &t,
                &["id", "name", "kind", "valid_from", "valid_to", "successors"],
            );
            let id = r.string(&t, "id", true);
            let name = r.string(&t, "name", true);
            let kind = r.string(&t, "kind", true);
            let valid_from = r.date(&t, "valid_from");
            let valid_to = r.date(&t, "valid_to");
            let successors = r.strings(&t, "successors", false).unwrap_or_default();
            Some(Unit {
                id: id?,
                name: name.unwrap_or_default(),
                kind: kind?,
                valid_from,
                valid_to,
                successors,
            })
        })
        .collect()
}

/// Groups of units of one kind, for responsibility.
fn read_unit_groups(r: &mut Reader<'_>, root: &Tbl<'_, '_>) -> Vec<Option<UnitGroup>> {
    r.tables(root, "unit_groups", false)
        .into_iter()
        .map(|t| {
            r.only(&t, &["id", "name", "kind"]);
            let id = r.string(&t, "id", true);
            let name = r.string(&t, "name", true);
            let kind = r.string(&t, "kind", true);
            Some(UnitGroup {
                id: id?,
                name: name.unwrap_or_default(),
                kind: kind?,
            })
        })
        .collect()
}

/// The rights areas.
fn read_areas(r: &mut Reader<'_>, root: &Tbl<'_, '_>) -> Vec<Option<Area>> {
    r.tables(root, "areas", true)
        .into_iter()
        .map(|t| {
            r.only(&t, &["id", "title"]);
            let id = r.string(&t, "id", true);
            let title = r.string(&t, "title", true);
            Some(Area {
                id: id?,
                title: title.unwrap_or_default(),
            })
        })
        .collect()
}

/// The goals under each area.
fn read_goals(r: &mut Reader<'_>, root: &Tbl<'_, '_>) -> Vec<Option<Goal>> {
    r.tables(root, "goals", true)
        .into_iter()
        .map(|t| {
            r.only(&t, &["id", "area", "title"]);
            let id = r.string(&t, "id", true);
            let area = r.string(&t, "area", true);
            let title = r.string(&t, "title", true);
            Some(Goal {
                id: id?,
                area: area?,
                title: title.unwrap_or_default(),
            })
        })
        .collect()
}

/// The measures and who is responsible for them.
fn read_measures(r: &mut Reader<'_>, root: &Tbl<'_, '_>) -> Vec<Option<Measure>> {
    r.tables(root, "measures", true)
        .into_iter()
        .map(|t| {
            r.only(
                &t,
                &["id", "goal", "form", "text", "responsible", "named_as"],
            );
            let id = r.string(&t, "id", true);
            let goal = r.string(&t, "goal", true);
            let form = r.choice(
                &t,
                "form",
                true,
                &[
                    ("bullet", MeasureForm::Bullet),
                    ("prose", MeasureForm::Prose),
                ],
            );
            let text = r.string(&t, "text", true);
            let responsible = r.strings(&t, "responsible", false).unwrap_or_default();
            let named_as = r.string(&t, "named_as", false);
            Some(Measure {
                id: id?,
                goal: goal?,
                form: form.unwrap_or(MeasureForm::Bullet),
                text: text.unwrap_or_default(),
                responsible,
                named_as,
            })
        })
        .collect()
}

/// Where a run writes.
fn read_output(r: &mut Reader<'_>, root: &Tbl<'_, '_>) -> Option<Output> {
    match r.table(root, "output", false) {
        Some(t) => {
            r.only(
                &t,
                &["dir", "charts", "private", "cache", "approached_within"],
            );
            let d = Output::default();
            Some(Output {
                dir: r
                    .string(&t, "dir", false)
                    .map(PathBuf::from)
                    .unwrap_or(d.dir),
                charts: r.string(&t, "charts", false).map(PathBuf::from),
                private: r.string(&t, "private", false).map(PathBuf::from),
                cache: r.string(&t, "cache", false).map(PathBuf::from),
                approached_within: match t.table.get("approached_within") {
                    Some(_) => r
                        .number(&t, "approached_within")
                        .unwrap_or(d.approached_within),
                    None => d.approached_within,
                },
            })
        }
        None => Some(Output::default()),
    }
}

/// `[report]`: what the report shows beyond the figures.
fn read_report(r: &mut Reader<'_>, root: &Tbl<'_, '_>) -> Option<Report> {
    let Some(t) = r.table(root, "report", false) else {
        return Some(Report::default());
    };
    r.only(&t, &["comments", "assessments", "date", "author"]);
    let comments = match t.table.get("comments") {
        Some(_) => r.boolean(&t, "comments", false)?,
        None => false,
    };
    let assessments = r.string(&t, "assessments", false).map(PathBuf::from);
    let date = r.date(&t, "date");
    let author = r.string(&t, "author", false);
    Some(Report {
        comments,
        assessments,
        date,
        author,
    })
}

/// Every part as read; each `None` where a problem kept it from being read.
struct Parts {
    strategy: Option<Strategy>,
    disclosure: Option<Disclosure>,
    breakdowns: Vec<Option<Breakdown>>,
    units: Vec<Option<Unit>>,
    unit_groups: Vec<Option<UnitGroup>>,
    areas: Vec<Option<Area>>,
    goals: Vec<Option<Goal>>,
    measures: Vec<Option<Measure>>,
    indicators: Vec<Option<Indicator>>,
    returns: Option<Returns>,
    survey: Option<Option<Survey>>,
    reference: Option<Option<Reference>>,
    output: Option<Output>,
    report: Option<Report>,
    portal: Option<Option<Portal>>,
}

/// The model, when every part could be read.
fn assemble(parts: Parts) -> Option<Pipeline> {
    let units: Vec<Unit> = parts.units.into_iter().collect::<Option<_>>()?;
    let unit_index = units
        .iter()
        .enumerate()
        .map(|(i, u)| (u.id.clone(), i))
        .rev()
        .collect();
    Some(Pipeline {
        strategy: parts.strategy?,
        disclosure: parts.disclosure?,
        breakdowns: parts.breakdowns.into_iter().collect::<Option<_>>()?,
        units,
        unit_index,
        unit_groups: parts.unit_groups.into_iter().collect::<Option<_>>()?,
        areas: parts.areas.into_iter().collect::<Option<_>>()?,
        goals: parts.goals.into_iter().collect::<Option<_>>()?,
        measures: parts.measures.into_iter().collect::<Option<_>>()?,
        indicators: parts.indicators.into_iter().collect::<Option<_>>()?,
        returns: parts.returns?,
        survey: match parts.survey {
            Some(s) => Some(s?),
            None => None,
        },
        reference: match parts.reference {
            Some(x) => Some(x?),
            None => None,
        },
        output: parts.output?,
        report: parts.report?,
        portal: match parts.portal {
            Some(x) => Some(x?),
            None => None,
        },
        file: PathBuf::new(),
        base: PathBuf::new(),
        lines: BTreeMap::new(),
    })
}

const INDICATOR_FIELDS: &[&str] = &[
    "id",
    "title",
    "unit",
    "source",
    "measure",
    "responsible",
    "breakdowns",
    "crossed",
    "direction",
    "counts_persons",
    "publication",
    "baseline",
    "targets",
    "derived",
    "bounds",
    "required",
    "survey",
    "definition",
    "decimals",
];

/// What a derived indicator is the difference of.
fn read_derivation(r: &mut Reader<'_>, d: &Tbl<'_, '_>) -> Option<Derivation> {
    r.only(d, &["minuend", "subtrahend"]);
    let minuend = r.string(d, "minuend", true);
    let subtrahend = r.string(d, "subtrahend", true);
    Some(Derivation {
        minuend: minuend?,
        subtrahend: subtrahend?,
    })
}

fn read_bounds(r: &mut Reader<'_>, b: &Tbl<'_, '_>) -> Bounds {
    r.only(b, &["min", "max"]);
    Bounds {
        min: b.table.get("min").and_then(|_| r.number(b, "min")),
        max: b.table.get("max").and_then(|_| r.number(b, "max")),
    }
}

/// What a survey indicator counts.
fn read_survey_measure(r: &mut Reader<'_>, s: &Tbl<'_, '_>) -> Option<SurveyMeasure> {
    r.only(s, &["variable", "numerator", "population"]);
    let variable = r.string(s, "variable", true);
    let numerator = r.strings(s, "numerator", true);
    let population = match r.table(s, "population", false) {
        Some(pt) => string_lists(r, &pt),
        None => Vec::new(),
    };
    Some(SurveyMeasure {
        variable: variable?,
        numerator: numerator?,
        population,
    })
}

/// The pipeline file's Swedish ids, and the indicator table's English ones,
/// so that a file may use the table's vocabulary.
const MEASURE_UNITS: &[(&str, MeasureUnit)] = &[
    MeasureUnit::BY_ID[0],
    MeasureUnit::BY_ID[1],
    MeasureUnit::BY_ID[2],
    ("count", MeasureUnit::Antal),
    ("share", MeasureUnit::Andel),
    ("percentage_points", MeasureUnit::Procentenheter),
];
const SOURCES: &[(&str, Source)] = &Source::BY_ID;

fn read_indicator(r: &mut Reader<'_>, t: &Tbl<'_, '_>) -> Option<Indicator> {
    r.only(t, INDICATOR_FIELDS);
    let id = r.string(t, "id", true);
    let title = r.string(t, "title", true);
    let unit = r.choice(t, "unit", true, MEASURE_UNITS);
    let source = r.choice(t, "source", true, SOURCES);
    let measure = r.string(t, "measure", true);
    let responsible = r.strings(t, "responsible", false).unwrap_or_default();
    let breakdowns = r.strings(t, "breakdowns", false).unwrap_or_default();
    let crossed = r.boolean(t, "crossed", false).unwrap_or(false);
    let direction = r.choice(
        t,
        "direction",
        true,
        &[("higher", Direction::Higher), ("lower", Direction::Lower)],
    );
    let counts_persons = r.boolean(t, "counts_persons", true);
    let publication = r.choice(
        t,
        "publication",
        true,
        &[("unit", Publication::Unit), ("city", Publication::City)],
    );
    let baseline = r
        .table(t, "baseline", false)
        .and_then(|b| year_value(r, &b));
    let targets: Vec<Option<YearValue>> = r
        .tables(t, "targets", false)
        .into_iter()
        .map(|tv| year_value(r, &tv))
        .collect();
    let derived = r
        .table(t, "derived", false)
        .and_then(|d| read_derivation(r, &d));
    let bounds = r.table(t, "bounds", false).map(|b| read_bounds(r, &b));
    let required = r.boolean(t, "required", false).unwrap_or(true);
    let survey = r
        .table(t, "survey", false)
        .and_then(|s| read_survey_measure(r, &s));
    let definition = r.string(t, "definition", false);
    let decimals = read_decimals(r, t);
    Some(Indicator {
        id: id?,
        title: title.unwrap_or_default(),
        unit: unit?,
        source: source?,
        measure: measure?,
        responsible,
        breakdowns,
        crossed,
        direction: direction?,
        counts_persons: counts_persons?,
        publication: publication?,
        baseline,
        targets: targets.into_iter().collect::<Option<_>>()?,
        derived,
        bounds,
        required,
        survey,
        definition,
        decimals: decimals?,
    })
}

/// How many decimals a return may give: 0 (the default) or 1.
fn read_decimals(r: &mut Reader<'_>, t: &Tbl<'_, '_>) -> Option<u8> {
    if t.table.get("decimals").is_none() {
        return Some(0);
    }
    r.integer_within(t, "decimals", 0..=1, |v| {
        format!("{v} decimaler går inte; ange 0 (heltal) eller 1")
    })
    .map(|v| v as u8)
}

fn year_value(r: &mut Reader<'_>, t: &Tbl<'_, '_>) -> Option<YearValue> {
    r.only(t, &["year", "value"]);
    let year = r.year(t, "year");
    let value = r.number(t, "value");
    Some(YearValue {
        year: year?,
        value: value?,
    })
}
