//! A cache snapshot of reference statistics in Kolada's response shape, so
//! that the default run works offline on a fresh machine. The values are
//! illustrative, not Kolada's.

use std::path::PathBuf;

use uppfolj::pipeline::Pipeline;
use uppfolj::reference::{CacheEntry, CachedPage, kolada};

/// Illustrative levels, in percent, per series: (total, women, men) in 2018,
/// and the yearly change.
fn level(indicator: &str, year: i32) -> (f64, f64, f64) {
    let t = (year - 2018) as f64;
    let covid = if year == 2020 { -1.6 } else { 0.0 };
    match indicator {
        "REF-1" => (
            80.2 + 0.3 * t + covid,
            78.6 + 0.35 * t + covid,
            81.7 + 0.25 * t + covid,
        ),
        _ => (87.4 + 0.4 * t, 88.1 + 0.4 * t, 86.8 + 0.4 * t),
    }
}

/// Writes the snapshot where the pipeline's `[reference]` cache is.
pub fn write_snapshot(p: &Pipeline) -> std::io::Result<Vec<PathBuf>> {
    let Some(r) = &p.reference else {
        return Ok(Vec::new());
    };
    let dir = p.resolve(&r.cache);
    std::fs::create_dir_all(&dir)?;
    let years: Vec<i32> = p.strategy.period.years().collect();
    let mut written = Vec::new();
    for s in &r.series {
        let url = kolada::url(&r.base_url, &s.kpi, &r.municipalities, &years);
        let mut values = Vec::new();
        for m in &r.municipalities {
            for y in &years {
                let (t, k, mn) = level(&s.indicator, *y);
                // The country sits a little lower than Stockholm.
                let shift = if m == &r.municipality { 0.0 } else { -2.5 };
                let round = |x: f64| ((x + shift) * 10.0).round() / 10.0;
                values.push(serde_json::json!({
                    "kpi": s.kpi,
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
        let body = serde_json::to_string(&serde_json::json!({
            "count": values.len(),
            "values": values,
        }))
        .unwrap_or_default();
        let entry = CacheEntry {
            url: url.clone(),
            fetched_at: "2023-01-16T08:00:00Z".into(),
            pages: vec![CachedPage {
                url,
                sha256: uppfolj::ledger::sha256_hex(body.as_bytes()),
                body,
            }],
        };
        let path = dir.join(format!("{}-{}.json", s.indicator, s.kpi));
        std::fs::write(
            &path,
            serde_json::to_string_pretty(&entry).unwrap_or_default() + "\n",
        )?;
        written.push(path);
    }
    Ok(written)
}
