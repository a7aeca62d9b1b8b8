//! Kolada's data API, v2: `{"values": [...], "count": n, "next_page": url}`,
//! each value with `kpi`, `municipality`, `period` and `values[]` of
//! `{gender: T|K|M, value (may be null), status, count}`.

use serde::Deserialize;

use crate::http::FetchError;

/// The group code of a value for everyone (the others are the pipeline's to map).
pub const TOTAL: &str = "T";

#[derive(Debug, Clone, Deserialize)]
pub struct Page {
    pub values: Vec<KpiValue>,
    #[serde(default)]
    pub count: Option<u64>,
    #[serde(default)]
    pub next_page: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct KpiValue {
    pub kpi: String,
    pub municipality: String,
    pub period: i32,
    pub values: Vec<GenderValue>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GenderValue {
    pub gender: String,
    pub value: Option<f64>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub count: Option<u64>,
}

/// The first page's URL for a KPI, municipalities and years.
pub fn url(base: &str, kpi: &str, municipalities: &[String], years: &[i32]) -> String {
    let years: Vec<String> = years.iter().map(|y| y.to_string()).collect();
    format!(
        "{base}/data/kpi/{kpi}/municipality/{}/year/{}",
        municipalities.join(","),
        years.join(",")
    )
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
