//! Reference statistics: the same figures for the whole city, fetched over
//! HTTP from Kolada and cached on disk, so that a run can go on offline and
//! be repeated years later from the same responses.

pub mod kolada;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::aggregate::Cell;
use crate::clock;
use crate::http::{Client, FetchError};
use crate::pipeline::{CITY, GroupKey, Pipeline, Reference, ReferenceSeries, Source, TOTAL};

/// One cached response page, exactly as it came.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CachedPage {
    pub url: String,
    pub sha256: String,
    pub body: String,
}

/// A series' cached responses: every page, when and from where.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CacheEntry {
    /// The first data page's address.
    pub url: String,
    /// UTC, RFC 3339.
    pub fetched_at: String,
    pub pages: Vec<CachedPage>,
    /// The KPIs' catalogue entries as they were when the data was fetched
    /// (absent in caches written for API v2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub catalogue: Vec<CachedPage>,
}

/// What happened to one series.
#[derive(Debug, Clone)]
pub struct Status {
    pub indicator: String,
    pub kpi: String,
    /// Where its numbers come from now, if anywhere: the cache file.
    pub cache_file: Option<PathBuf>,
    /// When the numbers in use were fetched.
    pub fetched_at: Option<String>,
    /// Whether they were fetched in this call.
    pub fresh: bool,
    pub error: Option<FetchError>,
    /// What the fetch noticed without failing, e.g. a KPI's changed title.
    pub warnings: Vec<String>,
    /// The responses in use, read once, and the cache file's SHA-256.
    pub entry: Option<CacheEntry>,
    pub sha256: Option<String>,
}

impl Status {
    /// A Swedish line for files (report, quality file): the date the data
    /// was fetched, never its age, so that outputs are the same on any day.
    pub fn describe(&self) -> String {
        self.line(|at| format!("hämtad {}", at.get(..10).unwrap_or(at)))
    }

    /// The same for the terminal, with how old the copy is today.
    pub fn describe_now(&self) -> String {
        self.line(|at| format!("hämtad {}, {}", at.get(..10).unwrap_or(at), age_text(at)))
    }

    fn line(&self, fetched: impl Fn(&str) -> String) -> String {
        let mut line = self.state(fetched);
        for w in &self.warnings {
            line.push_str(&format!("; varning: {w}"));
        }
        line
    }

    fn state(&self, fetched: impl Fn(&str) -> String) -> String {
        let what = format!("{} ({})", self.indicator, self.kpi);
        match (&self.error, self.fresh, &self.fetched_at) {
            (None, true, _) => format!("{what}: hämtad nu"),
            (None, false, Some(at)) => format!("{what}: från cachen ({})", fetched(at)),
            (Some(e), _, Some(at)) => format!(
                "{what}: kunde inte hämtas ({e}); den sparade kopian ({}) används",
                fetched(at)
            ),
            (Some(e), _, None) => format!(
                "{what}: kunde inte hämtas ({e}) och det finns ingen sparad kopia; indikatorn saknas i körningen"
            ),
            (None, false, None) => format!(
                "{what}: finns inte i cachen; kör `uppfolj fetch` med nätverk, indikatorn saknas i körningen"
            ),
        }
    }

    pub fn available(&self) -> bool {
        self.fetched_at.is_some()
    }

    /// Not fetched now, or not to be had at all: what `fetch` and the
    /// summary count as a failure.
    pub fn failed(&self) -> bool {
        self.error.is_some() || !self.available()
    }
}

/// `uppfolj fetch` on a pipeline file without reference statistics.
#[derive(Debug, thiserror::Error)]
#[error("{} har ingen [reference]-del; det finns inget att hämta. Lägg till en [reference]-del om referensstatistik ska hämtas", .0.display())]
pub struct NothingToFetch(pub PathBuf);

/// `uppfolj fetch`: every series fetched again (or, offline, what the cache holds).
pub fn fetch(p: &Pipeline, path: &Path, offline: bool) -> Result<Vec<Status>, NothingToFetch> {
    match p.reference {
        Some(_) => Ok(refresh(p, offline)),
        None => Err(NothingToFetch(path.to_path_buf())),
    }
}

pub fn cache_file(p: &Pipeline, r: &Reference, s: &ReferenceSeries) -> PathBuf {
    p.resolve(&r.cache)
        .join(format!("{}-{}.json", s.indicator, s.kpi()))
}

/// Writes a series' responses; returns the file's SHA-256.
fn write_cache(file: &Path, entry: &CacheEntry) -> std::io::Result<String> {
    let text = serde_json::to_string_pretty(entry).map_err(std::io::Error::other)? + "\n";
    std::fs::create_dir_all(file.parent().unwrap_or(Path::new(".")))?;
    std::fs::write(file, &text)?;
    Ok(crate::ledger::sha256_hex(text.as_bytes()))
}

/// A series' cached responses and the file's SHA-256, if it holds any.
fn read_cache(path: &Path) -> Option<(CacheEntry, String)> {
    let bytes = std::fs::read(path).ok()?;
    let entry = serde_json::from_slice(&bytes).ok()?;
    Some((entry, crate::ledger::sha256_hex(&bytes)))
}

/// Fetches every series and refreshes the cache; a series that cannot be
/// fetched falls back to its cached copy. With `offline`, only the cache is
/// read. All of it ends within the pipeline's `deadline_ms`: once that has
/// passed, the series left are not tried.
pub fn refresh(p: &Pipeline, offline: bool) -> Vec<Status> {
    let Some(r) = &p.reference else {
        return Vec::new();
    };
    let years: Vec<i32> = p.strategy.period.years().collect();
    // A client that cannot be built is said for every series, never a silent
    // fall back to the cache.
    let mut client = (!offline).then(|| {
        Client::new(&r.http)
            .map(|c| c.with_deadline(std::time::Duration::from_millis(r.http.deadline_ms)))
    });
    let mut out = Vec::new();
    for s in &r.series {
        let file = cache_file(p, r, s);
        let mut status = cached(s, &file);
        if let Some(c) = client.as_mut() {
            let fetched = match c {
                Ok(c) => fetch_series(c, r, s, &years),
                Err(e) => Err(e.clone()),
            };
            match fetched {
                Ok((entry, warnings)) => {
                    status.warnings = warnings;
                    store(&mut status, &file, entry);
                }
                Err(e) => status.error = Some(e),
            }
        }
        out.push(status);
    }
    out
}

/// A series' state from its cache file alone.
fn cached(s: &ReferenceSeries, file: &Path) -> Status {
    let (entry, sha256) = read_cache(file).unzip();
    Status {
        indicator: s.indicator.clone(),
        kpi: s.kpi(),
        cache_file: entry.as_ref().map(|_| file.to_path_buf()),
        fetched_at: entry.as_ref().map(|c| c.fetched_at.clone()),
        fresh: false,
        error: None,
        warnings: Vec::new(),
        entry,
        sha256,
    }
}

/// Writes freshly fetched responses to the cache and puts them in use.
fn store(status: &mut Status, file: &Path, entry: CacheEntry) {
    match write_cache(file, &entry) {
        Ok(sha256) => {
            status.cache_file = Some(file.to_path_buf());
            status.fetched_at = Some(entry.fetched_at.clone());
            status.fresh = true;
            status.entry = Some(entry);
            status.sha256 = Some(sha256);
        }
        Err(e) => {
            status.error = Some(FetchError::Body {
                url: entry.url,
                what: format!(
                    "cachen {} kan inte skrivas: {}",
                    file.display(),
                    crate::text::foreign(&e)
                ),
            })
        }
    }
}

/// One series: each KPI's catalogue entry (it must exist; a changed title
/// is a warning), then every page of its data.
fn fetch_series(
    c: &mut Client,
    r: &Reference,
    s: &ReferenceSeries,
    years: &[i32],
) -> Result<(CacheEntry, Vec<String>), FetchError> {
    let mut catalogue = Vec::new();
    let mut warnings = Vec::new();
    for (i, kpi) in s.kpis.iter().enumerate() {
        let url = kolada::kpi_url(&r.base_url, kpi);
        let body = c.get(&url)?;
        let Some(found) = kolada::parse_kpi(&url, &body, kpi)? else {
            return Err(FetchError::Body {
                url,
                what: format!(
                    "{} känner inte till nyckeltalet {kpi}; det kan ha tagits bort. Välj ett annat nyckeltal för {} i pipelinefilen ([[reference.series]])",
                    r.name, s.indicator
                ),
            });
        };
        if let Some(expected) = s
            .kpi_titles
            .get(i)
            .filter(|t| t.trim() != found.title.trim())
        {
            warnings.push(format!(
                "{} kallar nu {kpi} \"{}\", men pipelinefilen säger \"{expected}\"; kontrollera att nyckeltalet mäter det {} ska mäta och uppdatera kpi_title",
                r.name, found.title, s.indicator
            ));
        }
        catalogue.push(page_of(url, &body));
    }
    let urls = kolada::urls(&r.base_url, &s.kpis, &r.municipalities, years);
    let mut pages = Vec::new();
    for url in &urls {
        pages.extend(fetch_all(c, url)?);
    }
    let entry = CacheEntry {
        url: urls.first().cloned().unwrap_or_default(),
        fetched_at: clock::now_rfc3339(),
        pages,
        catalogue,
    };
    Ok((entry, warnings))
}

fn page_of(url: String, body: &[u8]) -> CachedPage {
    CachedPage {
        url,
        sha256: crate::ledger::sha256_hex(body),
        body: String::from_utf8_lossy(body).into_owned(),
    }
}

/// The most pages one series may span: a server that keeps sending new
/// `next_page` addresses is cut off here.
const MAX_PAGES: usize = 1000;

/// Follows `next_url` (or `next_page`) until done, checking each page's shape.
fn fetch_all(c: &mut Client, first: &str) -> Result<Vec<CachedPage>, FetchError> {
    let mut pages = Vec::new();
    let mut next = Some(first.to_string());
    let mut seen = std::collections::HashSet::new();
    while let Some(url) = next {
        if !seen.insert(url.clone()) {
            return Err(FetchError::Body {
                url,
                what: "nästa sida (next_url/next_page) pekar tillbaka på en sida som redan hämtats"
                    .into(),
            });
        }
        if pages.len() >= MAX_PAGES {
            return Err(FetchError::Body {
                url,
                what: format!(
                    "svaret har fler än {MAX_PAGES} sidor; begränsa serien till färre år eller kommuner"
                ),
            });
        }
        let body = c.get(&url)?;
        let page = kolada::parse(&url, &body)?;
        // An empty page ends the series, as Kolada's own clients read it,
        // whatever address it names next.
        next = match page.next() {
            Some(n) if !page.values.is_empty() => Some(next_address(&url, &n)?),
            _ => None,
        };
        pages.push(page_of(url, &body));
    }
    Ok(pages)
}

/// The next page's address, a relative one taken from the page it was on;
/// never on another server than the one asked first.
fn next_address(current: &str, next: &str) -> Result<String, FetchError> {
    let refuse = |what: &str| FetchError::Body {
        url: current.to_string(),
        what: what.into(),
    };
    let here = reqwest::Url::parse(current)
        .map_err(|_| refuse("adressen går inte att läsa som en webbadress"))?;
    let there = here.join(next).map_err(|_| {
        refuse("nästa sida (next_url/next_page) går inte att läsa som en webbadress")
    })?;
    if there.origin() != here.origin() {
        return Err(refuse(
            "nästa sida (next_url/next_page) ligger på en annan server; kontrollera base_url i [reference]",
        ));
    }
    Ok(there.into())
}

/// The reference cells from the responses `refresh` found or fetched: one
/// per year of the pipeline's municipality in total, and per group where
/// `[reference] breakdown` maps the source's groups to a breakdown. A
/// combined series has a value only where every KPI has one.
pub fn cells(p: &Pipeline, statuses: &[Status]) -> Vec<Cell> {
    let Some(r) = &p.reference else {
        return Vec::new();
    };
    municipality_cells(p, statuses, &r.municipality, CITY)
}

/// The same for each `[reference] compare` municipality, its unit id its
/// Kolada id: shown beside the city, never part of the indicators.
pub fn compared(p: &Pipeline, statuses: &[Status]) -> Vec<Cell> {
    p.compared()
        .iter()
        .flat_map(|(id, _)| municipality_cells(p, statuses, id, id))
        .collect()
}

fn municipality_cells(
    p: &Pipeline,
    statuses: &[Status],
    municipality: &str,
    unit_id: &str,
) -> Vec<Cell> {
    let Some(r) = &p.reference else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for s in &r.series {
        let in_use = statuses
            .iter()
            .find(|st| st.indicator == s.indicator && st.kpi == s.kpi())
            .and_then(|st| st.entry.as_ref());
        let Some(entry) = in_use else {
            continue;
        };
        for ((year, code), values) in values_by_kpi(p, municipality, s, entry) {
            let Some(sum) = values.iter().copied().sum::<Option<f64>>() else {
                continue;
            };
            let Some((breakdown, group)) = group_of(r, &code) else {
                continue;
            };
            let key = GroupKey::of(breakdown, group);
            out.push(Cell {
                value: Some(sum * s.scale),
                ..Cell::empty(&s.indicator, year, unit_id, key, Source::Reference)
            });
        }
    }
    out
}

/// (year, group code) → each KPI's value for one municipality, the first
/// of any repeats; withdrawn (`isdeleted`) rows left out.
fn values_by_kpi(
    p: &Pipeline,
    municipality: &str,
    s: &ReferenceSeries,
    entry: &CacheEntry,
) -> std::collections::BTreeMap<(i32, String), Vec<Option<f64>>> {
    let mut by = std::collections::BTreeMap::new();
    for page in &entry.pages {
        let Ok(parsed) = kolada::parse(&page.url, page.body.as_bytes()) else {
            continue;
        };
        for v in parsed.values {
            let Some(k) = s.kpis.iter().position(|k| *k == v.kpi) else {
                continue;
            };
            if v.isdeleted
                || v.municipality != municipality
                || !p.strategy.period.contains(v.period)
            {
                continue;
            }
            for g in v.values.iter().filter(|g| !g.isdeleted) {
                let Some(value) = g.value else { continue };
                let slot: &mut Vec<Option<f64>> = by
                    .entry((v.period, g.gender.clone()))
                    .or_insert_with(|| vec![None; s.kpis.len()]);
                slot[k].get_or_insert(value);
            }
        }
    }
    by
}

/// The breakdown and group a value of the source's group `code` belongs to.
fn group_of<'r>(r: &'r Reference, code: &str) -> Option<(&'r str, &'r str)> {
    if code == kolada::TOTAL {
        return Some((TOTAL, TOTAL));
    }
    let b = r.breakdown.as_ref()?;
    let (_, group) = b.groups.iter().find(|(c, _)| c == code)?;
    Some((b.id.as_str(), group.as_str()))
}

/// "3 dagar gammal", from an RFC 3339 time to now.
pub fn age_text(at: &str) -> String {
    let now = clock::unix_now().div_euclid(86_400);
    match clock::day_of(at) {
        Some(then) => match now - then {
            0 => "hämtad i dag".into(),
            n if n > 0 => format!("{} gammal", crate::text::Count(n as usize, "dag", "dagar")),
            _ => "hämtad senare än i dag; kontrollera datorns klocka".into(),
        },
        None => "okänd ålder".into(),
    }
}
