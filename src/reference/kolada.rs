//! Kolada's API, v3 (and v2, whose cached responses still read):
//! `{"values": [...], "count": n, "next_url" or "next_page": url}`, each
//! value with `kpi`, `municipality`, `period`, maybe `isdeleted`, and
//! `values[]` of `{gender: T|K|M, value (may be null), status, count}`.
//! The KPI catalogue, `/kpi/{id}`, answers `{"values": [{"id", "title"}]}`.

use serde::Deserialize;

use crate::http::FetchError;

/// The group code of a value for everyone (the others are the pipeline's to map).
pub const TOTAL: &str = "T";

#[derive(Debug, Clone, Deserialize)]
pub struct Page {
    pub values: Vec<KpiValue>,
    #[serde(default)]
    pub count: Option<u64>,
    /// v2 and some v3 responses name the next page so…
    #[serde(default)]
    pub next_page: Option<String>,
    /// …and v3 responses so.
    #[serde(default)]
    pub next_url: Option<String>,
}

impl Page {
    /// The next page's address, whichever name the response gives it.
    pub fn next(&self) -> Option<String> {
        [&self.next_url, &self.next_page]
            .into_iter()
            .flatten()
            .find(|n| !n.is_empty())
            .cloned()
    }
}

/// One KPI in Kolada's catalogue.
#[derive(Debug, Clone, Deserialize)]
pub struct Kpi {
    pub id: String,
    #[serde(default)]
    pub title: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct KpiPage {
    pub values: Vec<Kpi>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct KpiValue {
    pub kpi: String,
    pub municipality: String,
    pub period: i32,
    pub values: Vec<GenderValue>,
    /// A row Kolada has withdrawn: never used.
    #[serde(default)]
    pub isdeleted: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GenderValue {
    pub gender: String,
    pub value: Option<f64>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub count: Option<u64>,
    #[serde(default)]
    pub isdeleted: bool,
}

/// Kolada takes at most this many ids or years in one path segment.
pub const MAX_PER_SEGMENT: usize = 25;

/// The first pages' URLs for KPIs, municipalities and years: one per
/// combination of chunks of at most [`MAX_PER_SEGMENT`].
pub fn urls(base: &str, kpis: &[String], municipalities: &[String], years: &[i32]) -> Vec<String> {
    let years: Vec<String> = years.iter().map(|y| y.to_string()).collect();
    let mut out = Vec::new();
    for k in kpis.chunks(MAX_PER_SEGMENT) {
        for m in municipalities.chunks(MAX_PER_SEGMENT) {
            for y in years.chunks(MAX_PER_SEGMENT) {
                out.push(format!(
                    "{base}/data/kpi/{}/municipality/{}/year/{}",
                    k.join(","),
                    m.join(","),
                    y.join(",")
                ));
            }
        }
    }
    out
}

/// The catalogue entry's URL for one KPI.
pub fn kpi_url(base: &str, kpi: &str) -> String {
    format!("{base}/kpi/{kpi}")
}

/// Parses a catalogue answer for one KPI: `None` when Kolada does not know it.
pub fn parse_kpi(url: &str, body: &[u8], kpi: &str) -> Result<Option<Kpi>, FetchError> {
    let page = serde_json::from_slice::<KpiPage>(body).map_err(|e| FetchError::Body {
        url: url.into(),
        what: format!(
            "svaret har inte formen av Koladas nyckeltalskatalog (rad {}, kolumn {}); väntade {{\"values\": [{{\"id\", \"title\"}}]}}.",
            e.line(),
            e.column()
        ),
    })?;
    Ok(page.values.into_iter().find(|k| k.id == kpi))
}

/// Parses one page, or says what was wrong with it.
pub fn parse(url: &str, body: &[u8]) -> Result<Page, FetchError> {
    let text = String::from_utf8_lossy(body);
    let start = text.trim_start();
    if start.starts_with('<') {
        return Err(FetchError::Body {
            url: url.into(),
            what: "svaret är en HTML-sida, inte JSON från Koladas API; väntade {\"values\": [...], \"count\": n}. Kontrollera base_url i pipelinefilen.".into(),
        });
    }
    if start.is_empty() {
        return Err(FetchError::Body {
            url: url.into(),
            what: "svaret är tomt; väntade JSON från Koladas API.".into(),
        });
    }
    let page = serde_json::from_slice::<Page>(body).map_err(|e| {
        let at = format!("rad {}, kolumn {}", e.line(), e.column());
        let what = if e.is_eof() {
            "svaret tar slut mitt i (ofullständig JSON); väntade {\"values\": [...], \"count\": n}.".to_string()
        } else if e.is_syntax() {
            format!("svaret är inte giltig JSON ({at}); väntade {{\"values\": [...], \"count\": n}}.")
        } else {
            format!("svaret har inte Koladas form ({at}); väntade {{\"values\": [{{\"kpi\", \"municipality\", \"period\", \"values\": [{{\"gender\", \"value\"}}]}}], \"count\": n}}.")
        };
        FetchError::Body { url: url.into(), what }
    })?;
    let absurd = page
        .values
        .iter()
        .flat_map(|v| &v.values)
        .filter_map(|g| g.value)
        .any(|v| !v.is_finite() || v.abs() > MAX_VALUE);
    if absurd {
        return Err(FetchError::Body {
            url: url.into(),
            what: format!(
                "svaret har ett värde större än {MAX_VALUE:e}, vilket ingen nyckeltalsserie har; det används inte."
            ),
        });
    }
    Ok(page)
}

/// The largest value a reference series may hold: larger ones are errors,
/// and would overflow sums and chart axes.
const MAX_VALUE: f64 = 1e12;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn more_than_25_ids_or_years_are_split_over_requests() {
        let kpis: Vec<String> = (0..30).map(|i| format!("N{i:05}")).collect();
        let years: Vec<i32> = (1990..2020).collect();
        let urls = urls("https://x/v3", &kpis, &["0180".to_string()], &years);
        assert_eq!(urls.len(), 4);
        for u in &urls {
            let segments: Vec<&str> = u.split('/').collect();
            for list in [segments[5], segments[9]] {
                assert!(list.split(',').count() <= MAX_PER_SEGMENT, "{u}");
            }
        }
        assert!(urls[0].ends_with("/year/1990,1991,1992,1993,1994,1995,1996,1997,1998,1999,2000,2001,2002,2003,2004,2005,2006,2007,2008,2009,2010,2011,2012,2013,2014"));
        assert!(
            urls[3].contains("/kpi/N00025,N00026,N00027,N00028,N00029/")
                && urls[3].ends_with("/year/2015,2016,2017,2018,2019")
        );
    }
}
