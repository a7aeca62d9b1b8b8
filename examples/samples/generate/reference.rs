//! A cache snapshot of reference statistics in Kolada's response shape, so
//! that the default run works offline on a fresh machine. The values are
//! illustrative, not Kolada's.

use std::path::PathBuf;

use uppfolj::pipeline::{Pipeline, Reference, ReferenceSeries};
use uppfolj::reference::{CacheEntry, CachedPage, kolada};

/// Illustrative levels, in percent, per series and KPI: (total, women, men)
/// in 2018 plus the yearly change. A combined series' KPIs split its level.
fn level(indicator: &str, kpi: usize, year: i32) -> (f64, f64, f64) {
    let t = (year - 2018) as f64;
    let covid = if year == 2020 { -1.6 } else { 0.0 };
    match (indicator, kpi) {
        ("REF-1", _) => (
            80.2 + 0.3 * t + covid,
            78.6 + 0.35 * t + covid,
            81.7 + 0.25 * t + covid,
        ),
        // Upper-secondary as the highest level…
        (_, 0) => (38.1 - 0.2 * t, 36.2 - 0.2 * t, 40.0 - 0.2 * t),
        // …and post-secondary: together "at least upper-secondary".
        _ => (49.3 + 0.6 * t, 51.9 + 0.6 * t, 46.8 + 0.6 * t),
    }
}

/// The first year a KPI has values, as Kolada has them: N02267 comes from
/// SCB's BAS, which starts with 2020.
fn first_year(kpi: &str) -> i32 {
    match kpi {
        "N02267" => 2020,
        _ => i32::MIN,
    }
}

/// Writes the snapshot where the pipeline's `[reference]` cache is, in the
/// shape of Kolada's API v3: the KPIs' catalogue entries and one data page.
pub fn write_snapshot(p: &Pipeline) -> std::io::Result<Vec<PathBuf>> {
    let Some(r) = &p.reference else {
        return Ok(Vec::new());
    };
    let dir = p.resolve(&r.cache);
    std::fs::create_dir_all(&dir)?;
    let years: Vec<i32> = p.strategy.period.years().collect();
    let mut written = Vec::new();
    for s in &r.series {
        let urls = kolada::urls(&r.base_url, &s.kpis, &r.municipalities, &years);
        let body = data_page(r, s, &years);
        let entry = CacheEntry {
            url: urls[0].clone(),
            fetched_at: "2023-01-16T08:00:00Z".into(),
            pages: vec![page(urls[0].clone(), body)],
            catalogue: s
                .kpis
                .iter()
                .enumerate()
                .map(|(i, kpi)| {
                    let title = s.kpi_titles.get(i).cloned().unwrap_or_default();
                    let body =
                        serde_json::json!({"count": 1, "values": [{"id": kpi, "title": title}]});
                    page(kolada::kpi_url(&r.base_url, kpi), body.to_string())
                })
                .collect(),
        };
        let path = dir.join(format!("{}-{}.json", s.indicator, s.kpi()));
        std::fs::write(
            &path,
            serde_json::to_string_pretty(&entry).unwrap_or_default() + "\n",
        )?;
        written.push(path);
    }
    Ok(written)
}

fn page(url: String, body: String) -> CachedPage {
    CachedPage {
        url,
        sha256: uppfolj::ledger::sha256_hex(body.as_bytes()),
        body,
    }
}

fn data_page(r: &Reference, s: &ReferenceSeries, years: &[i32]) -> String {
    let mut values = Vec::new();
    for (i, kpi) in s.kpis.iter().enumerate() {
        for m in &r.municipalities {
            for y in years.iter().filter(|y| **y >= first_year(kpi)) {
                let (t, k, mn) = level(&s.indicator, i, *y);
                // The country sits a little lower than Stockholm.
                let shift = if m == &r.municipality { 0.0 } else { -1.5 };
                let round = |x: f64| ((x + shift) * 10.0).round() / 10.0;
                values.push(serde_json::json!({
                    "kpi": kpi,
                    "municipality": m,
                    "period": y,
                    "values": [
                        {"count": 1, "gender": "K", "status": "", "value": round(k)},
                        {"count": 1, "gender": "M", "status": "", "value": round(mn)},
                        {"count": 1, "gender": "T", "status": "", "value": round(t)},
                    ],
                }));
            }
        }
    }
    serde_json::to_string(&serde_json::json!({
        "count": values.len(),
        "values": values,
        "next_url": null,
    }))
    .unwrap_or_default()
}
