//! Reference statistics: the same figures for the whole city, fetched over
//! HTTP from Kolada and cached on disk, so that a run can go on offline and
//! be repeated years later from the same responses.

pub mod kolada;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::aggregate::{CITY, Cell};
use crate::http::{Client, FetchError};
use crate::pipeline::{GroupKey, Pipeline, Reference, ReferenceSeries, Source, TOTAL};

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
    pub url: String,
    /// UTC, RFC 3339.
    pub fetched_at: String,
    pub pages: Vec<CachedPage>,
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
}

fn cache_file(p: &Pipeline, r: &Reference, s: &ReferenceSeries) -> PathBuf {
    p.resolve(&r.cache)
        .join(format!("{}-{}.json", s.indicator, s.kpi))
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
/// fetched falls back to its cached copy. With `offline`, only the cache is read.
pub fn refresh(p: &Pipeline, offline: bool) -> Vec<Status> {
    let Some(r) = &p.reference else {
        return Vec::new();
    };
    let years: Vec<i32> = p.strategy.period.years().collect();
    // A client that cannot be built is said for every series, never a silent
    // fall back to the cache.
    let mut client = if offline {
        None
    } else {
        Some(Client::new(&r.http))
    };
    let mut out = Vec::new();
    for s in &r.series {
        let file = cache_file(p, r, s);
        let (entry, sha256) = read_cache(&file).unzip();
        let mut status = Status {
            indicator: s.indicator.clone(),
            kpi: s.kpi.clone(),
            cache_file: entry.as_ref().map(|_| file.clone()),
            fetched_at: entry.as_ref().map(|c| c.fetched_at.clone()),
            fresh: false,
            error: None,
            entry,
            sha256,
        };
        if let Some(c) = client.as_mut() {
            let url = kolada::url(&r.base_url, &s.kpi, &r.municipalities, &years);
            let fetched = match c {
                Ok(c) => fetch_all(c, &url),
                Err(e) => Err(e.clone()),
            };
            match fetched {
                Ok(pages) => {
                    let entry = CacheEntry {
                        url: url.clone(),
                        fetched_at: now_rfc3339(),
                        pages,
                    };
                    let written = write_cache(&file, &entry);
                    match written {
                        Ok(sha256) => {
                            status.cache_file = Some(file.clone());
                            status.fetched_at = Some(entry.fetched_at.clone());
                            status.fresh = true;
                            status.entry = Some(entry);
                            status.sha256 = Some(sha256);
                        }
                        Err(e) => {
                            status.error = Some(FetchError::Body {
                                url,
                                what: format!(
                                    "cachen {} kan inte skrivas: {}",
                                    file.display(),
                                    crate::text::foreign(&e)
                                ),
                            })
                        }
                    }
                }
                Err(e) => status.error = Some(e),
            }
        }
        out.push(status);
    }
    out
}

/// The most pages one series may span: a server that keeps sending new
/// `next_page` addresses is cut off here.
const MAX_PAGES: usize = 1000;

/// Follows `next_page` until done, checking each page's shape.
fn fetch_all(c: &mut Client, first: &str) -> Result<Vec<CachedPage>, FetchError> {
    let mut pages = Vec::new();
    let mut next = Some(first.to_string());
    let mut seen = std::collections::HashSet::new();
    while let Some(url) = next {
        if !seen.insert(url.clone()) {
            return Err(FetchError::Body {
                url,
                what: "next_page pekar tillbaka på en sida som redan hämtats".into(),
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
        next = page.next_page.clone().filter(|n| !n.is_empty());
        pages.push(CachedPage {
            url,
            sha256: crate::ledger::sha256_hex(&body),
            body: String::from_utf8_lossy(&body).into_owned(),
        });
    }
    Ok(pages)
}

/// The reference cells from the responses `refresh` found or fetched: one per year of the pipeline's
/// municipality in total, and per group where `[reference] breakdown` maps
/// the source's groups to a breakdown.
pub fn cells(p: &Pipeline, statuses: &[Status]) -> Vec<Cell> {
    let Some(r) = &p.reference else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for s in &r.series {
        let in_use = statuses
            .iter()
            .find(|st| st.indicator == s.indicator && st.kpi == s.kpi)
            .and_then(|st| st.entry.as_ref());
        let Some(entry) = in_use else {
            continue;
        };
        for page in &entry.pages {
            let Ok(parsed) = kolada::parse(&page.url, page.body.as_bytes()) else {
                continue;
            };
            for v in parsed.values {
                if v.kpi != s.kpi
                    || v.municipality != r.municipality
                    || !p.strategy.period.contains(v.period)
                {
                    continue;
                }
                for g in &v.values {
                    let Some(value) = g.value else { continue };
                    let Some((breakdown, group)) = group_of(r, &g.gender) else {
                        continue;
                    };
                    out.push(Cell {
                        indicator_id: s.indicator.clone(),
                        year: v.period,
                        unit_id: CITY.into(),
                        key: GroupKey::of(breakdown, group),
                        value: Some(value * s.scale),
                        numerator: None,
                        denominator: None,
                        n: None,
                        ci_low: None,
                        ci_high: None,
                        withheld: None,
                        coverage: None,
                        source: Source::Reference,
                    });
                }
            }
        }
    }
    out.sort_by(|a, b| {
        (
            a.indicator_id.as_str(),
            a.year,
            !a.key.is_total(),
            a.key.group.as_str(),
        )
            .cmp(&(
                b.indicator_id.as_str(),
                b.year,
                !b.key.is_total(),
                b.key.group.as_str(),
            ))
    });
    out.dedup_by(|a, b| {
        a.indicator_id == b.indicator_id && a.year == b.year && a.key.group == b.key.group
    });
    out
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

/// Now, in UTC, as RFC 3339.
pub fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to a date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 } as i64;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// "3 dagar gammal", from an RFC 3339 time to now.
pub fn age_text(at: &str) -> String {
    let parse = || -> Option<i64> {
        let y = at.get(0..4)?.parse().ok()?;
        let m = at.get(5..7)?.parse().ok()?;
        let d = at.get(8..10)?.parse().ok()?;
        Some(days_from_civil(y, m, d))
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64 / 86_400)
        .unwrap_or(0);
    match parse() {
        Some(then) => match now - then {
            0 => "hämtad i dag".into(),
            n if n > 0 => format!("{} gammal", crate::text::Count(n as usize, "dag", "dagar")),
            _ => "hämtad senare än i dag; kontrollera datorns klocka".into(),
        },
        None => "okänd ålder".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        for days in [0, 1, 59, 365, 18_000, 20_779, -1] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_779), (2026, 11, 22));
    }
}
