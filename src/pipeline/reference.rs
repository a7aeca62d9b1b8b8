//! Reference statistics: the source, its series and the download limits.

use std::path::PathBuf;

use serde::Serialize;

use super::Pipeline;

/// Reference statistics fetched over HTTP (Kolada's data API), and cached.
#[derive(Clone, Debug, Serialize)]
pub struct Reference {
    /// What the source is called in the report and under charts, e.g. `Kolada`.
    pub name: String,
    /// E.g. `https://api.kolada.se/v2`.
    pub base_url: String,
    /// Folder of cached responses, relative to the pipeline file.
    pub cache: PathBuf,
    /// Every Kolada municipality id fetched: `municipality`, then `compare`'s.
    pub municipalities: Vec<String>,
    /// The municipality whose values become the indicators.
    pub municipality: String,
    /// Who its figures are about, as the report says it, e.g. "alla invånare i staden".
    pub who: Option<String>,
    /// Municipalities shown beside it, never in the indicators: (id, name),
    /// e.g. (`0000`, "riket").
    pub compare: Vec<(String, String)>,
    /// Which breakdown the source's own groups (Kolada's K and M) become;
    /// without it only the totals are taken.
    pub breakdown: Option<ReferenceBreakdown>,
    /// Limits for its downloads, and for inputs given as URLs.
    #[serde(flatten)]
    pub http: HttpLimits,
    pub series: Vec<ReferenceSeries>,
}

/// Limits for every download. The defaults are the README's; a pipeline
/// without `[reference]` downloads URL inputs with them.
#[derive(Clone, Debug, Serialize)]
pub struct HttpLimits {
    pub connect_timeout_ms: u64,
    pub timeout_ms: u64,
    /// Tries in all, the first included.
    pub max_tries: u32,
    /// The first wait between tries; it doubles each time, plus jitter.
    pub backoff_ms: u64,
    /// The longest `Retry-After` honoured.
    pub max_retry_after_ms: u64,
    /// Downloads larger than this are refused.
    pub max_bytes: u64,
    /// All of one `fetch` ends within this, however slow the server.
    pub deadline_ms: u64,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            connect_timeout_ms: 5_000,
            timeout_ms: 30_000,
            max_tries: 4,
            backoff_ms: 500,
            max_retry_after_ms: 60_000,
            max_bytes: 50_000_000,
            deadline_ms: 50_000,
        }
    }
}

impl Pipeline {
    /// The limits downloads go by: `[reference]`'s, or the defaults.
    pub fn http_limits(&self) -> HttpLimits {
        self.reference
            .as_ref()
            .map(|r| r.http.clone())
            .unwrap_or_default()
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct ReferenceBreakdown {
    /// A breakdown id from `[[breakdowns]]`.
    pub id: String,
    /// The source's group code → a group id of that breakdown.
    pub groups: Vec<(String, String)>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ReferenceSeries {
    /// The reference indicator the series feeds, e.g. `REF-1`.
    pub indicator: String,
    /// Kolada's KPI ids: one, or several combined.
    pub kpis: Vec<String>,
    /// Each KPI's title as the pipeline file records it (empty: not checked).
    /// Kolada may retire or rename a KPI without notice.
    pub kpi_titles: Vec<String>,
    /// How several KPIs make one value.
    pub combine: Combine,
    /// Multiplies each value: 0.01 turns Kolada's percent into a share.
    pub scale: f64,
    /// Said beside comparisons with the series, e.g. where its population
    /// differs from the survey's.
    pub note: Option<String>,
}

impl ReferenceSeries {
    /// The KPIs as one name, e.g. `N01983+N01982`: for messages and the cache file.
    pub fn kpi(&self) -> String {
        self.kpis.join("+")
    }
}

/// How the values of several KPIs make one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Combine {
    /// Their sum, where every KPI has a value.
    Sum,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README gives these defaults; a pipeline without `[reference]`
    /// downloads URL inputs with them too.
    #[test]
    fn download_limits_default_to_the_readmes() {
        let d = HttpLimits::default();
        assert_eq!((d.connect_timeout_ms, d.timeout_ms), (5_000, 30_000));
        assert_eq!(
            (d.max_tries, d.backoff_ms, d.max_retry_after_ms),
            (4, 500, 60_000)
        );
        assert_eq!(d.max_bytes, 50_000_000);
    }
}
