//! `uppfolj fetch`: reference statistics from Kolada's API over HTTP, cached.
//! Every test runs a real server on 127.0.0.1; none reaches the internet.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::test::{SAMPLE_PIPELINE, Test, repo_root};

/// What the server answers to one request.
#[derive(Clone)]
enum Reply {
    Json(String),
    Status(u16, Vec<(&'static str, String)>, String),
    Slow(Duration, String),
}

/// A scripted HTTP server: answers data requests in order, then 404; the
/// KPI catalogue (`/kpi/{id}`) from its titles.
struct Server {
    url: String,
    /// The data requests' paths, in order.
    requests: Arc<Mutex<Vec<String>>>,
}

/// Kolada's titles of the KPIs the tests use.
const TITLES: [(&str, &str); 3] = [
    ("N02267", "Sysselsättningsgrad 20-64 år, andel (%)"),
    (
        "N01983",
        "Invånare 25-64 år med gymnasial utbildning, andel (%)",
    ),
    (
        "N01982",
        "Invånare 25-64 år med eftergymnasial utbildning, andel (%)",
    ),
];

fn serve(replies: Vec<Reply>) -> Server {
    serve_with(|_| replies)
}

/// A server whose replies may name its own address (for `next_url`).
fn serve_with(replies: impl FnOnce(&str) -> Vec<Reply>) -> Server {
    serve_full(replies, &TITLES)
}

fn serve_full(replies: impl FnOnce(&str) -> Vec<Reply>, titles: &[(&str, &str)]) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v3", listener.local_addr().unwrap());
    let requests = Arc::new(Mutex::new(Vec::new()));
    let log = requests.clone();
    let queue = Arc::new(Mutex::new(
        replies(&url)
            .into_iter()
            .collect::<std::collections::VecDeque<_>>(),
    ));
    let titles: Arc<Vec<(String, String)>> = Arc::new(
        titles
            .iter()
            .map(|(k, t)| (k.to_string(), t.to_string()))
            .collect(),
    );
    std::thread::spawn(move || {
        for stream in listener.incoming().take(50) {
            let Ok(stream) = stream else { continue };
            let (queue, log, titles) = (queue.clone(), log.clone(), titles.clone());
            std::thread::spawn(move || {
                let (stream, path) = request_path(stream);
                let reply = match path.split_once("/kpi/") {
                    Some((_, id)) if !path.contains("/data/") => {
                        Some(Reply::Json(catalogue(&titles, id)))
                    }
                    _ => {
                        log.lock().unwrap().push(path);
                        queue.lock().unwrap().pop_front()
                    }
                };
                answer(stream, reply);
            });
        }
    });
    Server { url, requests }
}

/// Kolada's catalogue answer for one KPI: empty when it does not know it.
fn catalogue(titles: &[(String, String)], id: &str) -> String {
    let found: Vec<serde_json::Value> = titles
        .iter()
        .filter(|(k, _)| k == id)
        .map(|(k, t)| serde_json::json!({"id": k, "title": t}))
        .collect();
    serde_json::json!({"count": found.len(), "values": found}).to_string()
}

/// Reads a request's head; gives back the stream and the path.
fn request_path(stream: TcpStream) -> (TcpStream, String) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut first = String::new();
    let _ = reader.read_line(&mut first);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
    }
    (
        stream,
        first.split_whitespace().nth(1).unwrap_or("").to_string(),
    )
}

fn answer(mut stream: TcpStream, reply: Option<Reply>) {
    let (status, headers, body) = match reply {
        Some(Reply::Json(b)) => (
            200,
            vec![("Content-Type", "application/json".to_string())],
            b,
        ),
        Some(Reply::Status(s, h, b)) => (s, h, b),
        Some(Reply::Slow(d, b)) => {
            std::thread::sleep(d);
            (200, vec![], b)
        }
        None => (404, vec![], "not found".to_string()),
    };
    let mut head = format!(
        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body.as_bytes());
}

/// A Kolada v3 page for REF-1's KPI with the given years (values in percent).
fn page(years: &[i32], next: Option<&str>) -> String {
    kpi_page("N02267", years, next, "next_url")
}

/// A page of one KPI; the next page named by `next_key` (v3 uses
/// `next_url`, v2 used `next_page`).
fn kpi_page(kpi: &str, years: &[i32], next: Option<&str>, next_key: &str) -> String {
    let values: Vec<serde_json::Value> = years
        .iter()
        .map(|y| {
            serde_json::json!({
                "kpi": kpi, "municipality": "0180", "period": y,
                "values": [
                    {"gender": "T", "value": 80.0 + (*y - 2018) as f64, "status": "", "count": 1},
                    {"gender": "K", "value": 78.0 + (*y - 2018) as f64, "status": "", "count": 1},
                    {"gender": "M", "value": null, "status": "Saknas", "count": 0}
                ]
            })
        })
        .collect();
    let mut doc = serde_json::json!({"values": values, "count": years.len()});
    if let Some(n) = next {
        doc[next_key] = serde_json::Value::String(n.to_string());
    }
    doc.to_string()
}

/// The sample pipeline pointed at `url`, fetching REF-1 only, with short timeouts.
fn pipeline_for(t: Test, url: &str) -> Test {
    let without_ref_2 = ref_2();
    pipeline_with(t, url, &[(&without_ref_2, "")])
}

/// The sample pipeline pointed at `url`, both series, with short timeouts
/// and more edits.
fn pipeline_with(t: Test, url: &str, extra: &[(&str, &str)]) -> Test {
    let base = format!("base_url = \"{url}\"");
    let mut edits: Vec<(&str, &str)> = vec![
        ("base_url = \"https://api.kolada.se/v3\"", &base),
        ("cache = \"../data-samples/reference\"", "cache = \"cache\""),
        ("connect_timeout_ms = 5000", "connect_timeout_ms = 1000"),
        ("timeout_ms = 30000", "timeout_ms = 700"),
        ("max_tries = 4", "max_tries = 3"),
        ("backoff_ms = 500", "backoff_ms = 50"),
        ("max_retry_after_ms = 60000", "max_retry_after_ms = 3000"),
    ];
    edits.extend_from_slice(extra);
    t.pipeline(&edits)
}

/// The sample pipeline's REF-2 series, as it stands in the file.
fn ref_2() -> String {
    let text = crate::test::sample_pipeline();
    let start = text
        .find("[[reference.series]]\nindicator = \"REF-2\"")
        .unwrap();
    let end = start + text[start..].find("\n\n").unwrap() + 1;
    text[start..end].to_string()
}

fn reference_rows(dir: &std::path::Path) -> String {
    let p = uppfolj::pipeline::load(&dir.join("p.toml")).unwrap();
    uppfolj::reference::cells(&p, &uppfolj::reference::refresh(&p, true))
        .iter()
        .map(|c| serde_json::to_string(c).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn two_pages_fill_the_cache_and_offline_gives_the_same_rows() {
    // Page 1 points at page 2 on the same server.
    let server = serve_with(|url| {
        let next = format!("{url}/data/kpi/N02267/page2");
        vec![
            Reply::Json(page(&[2018, 2019, 2020], Some(&next))),
            Reply::Json(page(&[2021, 2022], None)),
        ]
    });
    let (_, dir) = pipeline_for(Test::new(), &server.url)
        .args(&["fetch", "p.toml"])
        .stdout_has("REF-1 (N02267): hämtad nu")
        .run_keep();
    let requests = server.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert!(
        requests[0]
            .ends_with("/v3/data/kpi/N02267/municipality/0180,0000/year/2018,2019,2020,2021,2022"),
        "{requests:?}"
    );
    assert!(requests[1].ends_with("/page2"));
    let cache = std::fs::read_to_string(dir.path().join("cache/REF-1-N02267.json")).unwrap();
    let entry: serde_json::Value = serde_json::from_str(&cache).unwrap();
    assert_eq!(entry["pages"].as_array().unwrap().len(), 2);
    assert!(entry["fetched_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(entry["pages"][0]["sha256"].as_str().unwrap().len(), 64);
    let online = reference_rows(dir.path());
    // Ten rows: five years of T and K; M is null in Kolada and left out.
    assert_eq!(online.lines().count(), 10, "{online}");
    assert!(online.contains("\"indicator_id\":\"REF-1\",\"year\":2022,\"unit_id\":\"stad\",\"breakdown\":\"total\",\"group\":\"total\",\"value\":0.84"), "{online}");
    let (_, dir) = Test::within(dir)
        .args(&["fetch", "p.toml", "--offline"])
        .stdout_has("REF-1 (N02267): från cachen (hämtad ")
        .run_keep();
    assert_eq!(
        std::fs::read_to_string(dir.path().join("cache/REF-1-N02267.json")).unwrap(),
        cache
    );
    assert_eq!(reference_rows(dir.path()), online);
}

#[test]
fn a_500_then_success_is_retried() {
    let server = serve(vec![
        Reply::Status(500, vec![], "fel".into()),
        Reply::Json(page(&[2018], None)),
    ]);
    pipeline_for(Test::new(), &server.url)
        .args(&["fetch", "p.toml"])
        .stdout_has("REF-1 (N02267): hämtad nu")
        .run();
    assert_eq!(server.requests.lock().unwrap().len(), 2);
}

#[test]
fn a_429_with_retry_after_is_honoured() {
    let server = serve(vec![
        Reply::Status(429, vec![("Retry-After", "1".into())], "vänta".into()),
        Reply::Json(page(&[2018], None)),
    ]);
    let started = Instant::now();
    pipeline_for(Test::new(), &server.url)
        .args(&["fetch", "p.toml"])
        .stdout_has("hämtad nu")
        .run();
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(950),
        "Retry-After not honoured: {took:?}"
    );
    assert!(took < Duration::from_secs(5), "{took:?}");
    assert_eq!(server.requests.lock().unwrap().len(), 2);
}

#[test]
fn a_response_slower_than_the_timeout() {
    let slow = Reply::Slow(Duration::from_secs(3), page(&[2018], None));
    let server = serve(vec![slow.clone(), slow.clone(), slow]);
    let started = Instant::now();
    pipeline_for(Test::new(), &server.url)
        .args(&["fetch", "p.toml"])
        .status(1)
        .stdout_has("servern svarade inte inom 700 ms (försökte 3 gånger)")
        .stdout_has("det finns ingen sparad kopia; indikatorn saknas i körningen")
        .run();
    // Three tries of 0.7 s and short backoffs: well under the server's delay times three.
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn truncated_json_is_an_error_that_names_the_url() {
    let body = page(&[2018, 2019], None);
    let server = serve(vec![Reply::Json(body[..body.len() / 2].to_string())]);
    pipeline_for(Test::new(), &server.url)
        .args(&["fetch", "p.toml"])
        .status(1)
        .stdout_has(&format!(
            "{}/data/kpi/N02267/municipality/0180,0000/year/",
            server.url
        ))
        .stdout_has("svaret tar slut mitt i (ofullständig JSON)")
        .run();
    assert_eq!(
        server.requests.lock().unwrap().len(),
        1,
        "a bad body is not retried"
    );
}

#[test]
fn an_html_page_with_status_200() {
    let server = serve(vec![Reply::Status(
        200,
        vec![("Content-Type", "text/html".into())],
        "<!DOCTYPE html><html><body>Underhåll</body></html>".into(),
    )]);
    pipeline_for(Test::new(), &server.url)
        .args(&["fetch", "p.toml"])
        .status(1)
        .stdout_has("svaret är en HTML-sida, inte JSON från Koladas API")
        .run();
}

#[test]
fn a_changed_shape_is_named() {
    let server = serve(vec![Reply::Json("{\"data\": [1, 2, 3]}".into())]);
    pipeline_for(Test::new(), &server.url)
        .args(&["fetch", "p.toml"])
        .status(1)
        .stdout_has("svaret har inte Koladas form")
        .run();
}

#[test]
fn a_404_is_not_retried_and_falls_back_to_the_cache() {
    let server = serve(vec![Reply::Status(404, vec![], "saknas".into())]);
    let snapshot =
        std::fs::read(repo_root().join("data-samples/reference/REF-1-N02267.json")).unwrap();
    pipeline_for(Test::new(), &server.url)
        .write("cache/REF-1-N02267.json", snapshot)
        .args(&["fetch", "p.toml"])
        .status(1)
        .stdout_has("servern svarade 404")
        .stdout_has("den sparade kopian (hämtad 2023-01-16, ")
        .stdout_has("dagar gammal) används")
        .run();
    assert_eq!(server.requests.lock().unwrap().len(), 1);
}

#[test]
fn a_refused_connection() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let started = Instant::now();
    pipeline_for(Test::new(), &format!("http://127.0.0.1:{port}/v3"))
        .args(&["fetch", "p.toml"])
        .status(1)
        .stdout_has("det gick inte att ansluta (anslutningen nekades eller servern gick inte att nå; försökte 3 gånger)")
        .run();
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn offline_with_an_empty_cache_says_what_to_do() {
    Test::new()
        .pipeline(&[("cache = \"../data-samples/reference\"", "cache = \"tom\"")])
        .args(&["fetch", "p.toml", "--offline"])
        .status(1)
        .stdout_has("REF-1 (N02267): finns inte i cachen; kör `uppfolj fetch` med nätverk")
        .run();
}

#[test]
fn the_committed_snapshot_works_offline() {
    Test::new()
        .args(&[
            "fetch",
            &repo_root().join(SAMPLE_PIPELINE).to_string_lossy(),
            "--offline",
        ])
        .stdout_has("REF-1 (N02267): från cachen (hämtad 2023-01-16, ")
        .stdout_has("REF-2 (N01983+N01982): från cachen")
        .run();
}

#[test]
fn gaps_appear_for_the_sample_years_and_follow_survey_suppression() {
    let p = uppfolj::pipeline::load(&repo_root().join(SAMPLE_PIPELINE)).unwrap();
    let files: Vec<std::path::PathBuf> = p
        .survey
        .as_ref()
        .unwrap()
        .files
        .iter()
        .map(|f| p.resolve(&f.path))
        .collect();
    let o = uppfolj::validate::survey::validate_files(&p, &files, None);
    let mut cells = Vec::new();
    for r in &o.respondents {
        cells.extend(uppfolj::aggregate::survey::cells(&p, r).unwrap());
    }
    cells.extend(uppfolj::reference::cells(
        &p,
        &uppfolj::reference::refresh(&p, true),
    ));
    let mut published: Vec<uppfolj::aggregate::Cell> =
        uppfolj::disclose::protect(&p, cells).unwrap();
    // Withhold one survey cell by hand: its gap must be withheld too.
    let hidden = published
        .iter()
        .position(|c| c.indicator_id == "ENK-4" && c.year == 2021 && c.key.group == "man")
        .unwrap();
    published[hidden].withhold(uppfolj::pipeline::Reason::Primary);
    let gaps = uppfolj::aggregate::derived::cells(&p, &published);
    for (id, from) in [("GAP-1", 2020), ("GAP-2", 2018)] {
        // Kolada's N02267 starts with 2020, as SCB's BAS does.
        assert!(!gaps.iter().any(|c| c.indicator_id == id && c.year < from));
        for year in from..=2022 {
            for group in ["total", "kvinna", "man"] {
                assert!(
                    gaps.iter()
                        .any(|c| c.indicator_id == id && c.year == year && c.key.group == group),
                    "{id} {year} {group}"
                );
            }
        }
    }
    let find = |id: &str, year: i32, group: &str| {
        published
            .iter()
            .find(|c| c.indicator_id == id && c.year == year && c.key.group == group)
            .unwrap()
            .clone()
    };
    let gap = gaps
        .iter()
        .find(|c| c.indicator_id == "GAP-1" && c.year == 2022 && c.key.group == "total")
        .unwrap();
    let (s, r) = (find("ENK-4", 2022, "total"), find("REF-1", 2022, "total"));
    assert!((gap.value.unwrap() - (s.value.unwrap() - r.value.unwrap()) * 100.0).abs() < 1e-9);
    assert!((gap.ci_low.unwrap() - (s.ci_low.unwrap() - r.value.unwrap()) * 100.0).abs() < 1e-9);
    assert!(
        gap.value.unwrap() < 0.0,
        "the Roma employment share is below the city's"
    );
    let withheld = gaps
        .iter()
        .find(|c| c.indicator_id == "GAP-1" && c.year == 2021 && c.key.group == "man")
        .unwrap();
    assert!(
        withheld.withheld == Some(uppfolj::pipeline::Reason::Primary) && withheld.value.is_none()
    );
}

#[test]
fn an_input_given_as_a_url_is_downloaded_and_checked() {
    let csv =
        std::fs::read_to_string(repo_root().join("data-samples/survey/enkat-2018.csv")).unwrap();
    let server = serve(vec![Reply::Status(
        200,
        vec![("Content-Type", "text/csv".into())],
        csv,
    )]);
    let url = format!("{}/export/enkat-2018.csv", server.url);
    Test::new()
        .args(&[
            "validate",
            &repo_root().join(SAMPLE_PIPELINE).to_string_lossy(),
            &url,
        ])
        .stdout_has(&format!("info: {url}: 620 svar 2018 (CSV, UTF-8, komma)"))
        .run();
}

#[test]
fn a_download_over_the_size_cap_is_refused() {
    let server = serve(vec![Reply::Json("x".repeat(5000))]);
    let url = format!("{}/export/enkat-2018.csv", server.url);
    pipeline_for(Test::new(), &server.url)
        .pipeline(&[("max_bytes = 50000000", "max_bytes = 1000")])
        .args(&["validate", "p.toml", &url])
        .status(1)
        .stdout_has(&format!(
            "fel: {url}: kunde inte hämtas: {url}: svaret är större än gränsen 1000 byte. Kontrollera att adressen pekar ut rätt fil; ska den vara så stor, höj max_bytes under [reference] i pipelinefilen."
        ))
        .run();
}

#[test]
fn two_urls_ending_in_the_same_name_are_both_checked() {
    let survey = |f: &str| std::fs::read(repo_root().join("data-samples/survey").join(f)).unwrap();
    let second = ascii_only(&survey("enkat-2019.csv"));
    let server = serve(vec![
        Reply::Status(
            200,
            vec![],
            String::from_utf8(survey("enkat-2018.csv")).unwrap(),
        ),
        Reply::Status(200, vec![], second),
    ]);
    let a = format!("{}/a/enkat-2018.csv", server.url);
    let b = format!("{}/b/enkat-2018.csv", server.url);
    Test::new()
        .args(&[
            "validate",
            &repo_root().join(SAMPLE_PIPELINE).to_string_lossy(),
            &a,
            &b,
        ])
        .stdout_has(&format!("info: {a}: 620 svar 2018"))
        .stdout_has(&format!("info: {b}: 812 svar 2018"))
        .run();
}

/// The test server sends text. The 2019 export is Windows-1252, so its few
/// non-ASCII bytes (Swedish letters in free text) become `x`; its
/// respondents are counted the same.
fn ascii_only(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| if b.is_ascii() { *b as char } else { 'x' })
        .collect()
}

#[test]
fn a_series_that_never_ends_is_cut_off_with_the_right_reason() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/v3", listener.local_addr().unwrap());
    let next_base = base.clone();
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().take(1100).enumerate() {
            let Ok(stream) = stream else { continue };
            let (stream, path) = request_path(stream);
            let body = if path.contains("/data/") {
                page(&[2018], Some(&format!("{next_base}/data/sida/{}", n + 1)))
            } else {
                catalogue(&[("N02267".into(), TITLES[0].1.into())], "N02267")
            };
            answer(stream, Some(Reply::Json(body)));
        }
    });
    pipeline_for(Test::new(), &base)
        .args(&["fetch", "p.toml"])
        .status(1)
        .stdout_has("svaret har fler än 1000 sidor; begränsa serien till färre år eller kommuner")
        .stdout_lacks("pekar tillbaka")
        .run();
}

#[test]
fn pages_named_by_next_url_or_next_page_are_all_followed() {
    let server = serve_with(|url| {
        vec![
            Reply::Json(kpi_page(
                "N02267",
                &[2018],
                Some(&format!("{url}/data/p2")),
                "next_url",
            )),
            Reply::Json(kpi_page(
                "N02267",
                &[2019],
                Some(&format!("{url}/data/p3")),
                "next_page",
            )),
            Reply::Json(page(&[2020], None)),
        ]
    });
    let (_, dir) = pipeline_for(Test::new(), &server.url)
        .args(&["fetch", "p.toml"])
        .stdout("REF-1 (N02267): hämtad nu\n")
        .run_keep();
    assert_eq!(server.requests.lock().unwrap().len(), 3);
    let rows = reference_rows(dir.path());
    for y in [2018, 2019, 2020] {
        assert!(
            rows.contains(&format!(
                "\"year\":{y},\"unit_id\":\"stad\",\"breakdown\":\"total\""
            )),
            "{rows}"
        );
    }
}

/// REF-2 = N01983 + N01982, year by year and group by group; a year where
/// one KPI has no value gets none.
#[test]
fn a_combined_series_is_the_sum_where_every_kpi_has_a_value() {
    let both = |kpi: &str, years: &[i32]| -> Vec<serde_json::Value> {
        let doc: serde_json::Value =
            serde_json::from_str(&kpi_page(kpi, years, None, "next_url")).unwrap();
        doc["values"].as_array().unwrap().clone()
    };
    let mut values = both("N01983", &[2018, 2019]);
    values.extend(both("N01982", &[2018]));
    let body = serde_json::json!({"count": values.len(), "values": values}).to_string();
    let server = serve(vec![Reply::Json(page(&[2018], None)), Reply::Json(body)]);
    let (_, dir) = pipeline_with(Test::new(), &server.url, &[])
        .args(&["fetch", "p.toml"])
        .stdout_has("REF-2 (N01983+N01982): hämtad nu")
        .run_keep();
    let requests = server.requests.lock().unwrap().clone();
    assert!(
        requests[1].ends_with(
            "/v3/data/kpi/N01983,N01982/municipality/0180,0000/year/2018,2019,2020,2021,2022"
        ),
        "{requests:?}"
    );
    assert!(dir.path().join("cache/REF-2-N01983+N01982.json").exists());
    let rows = reference_rows(dir.path());
    // 80 + 80 percent in total, 78 + 78 for women, scaled to a share.
    assert!(rows.contains("\"indicator_id\":\"REF-2\",\"year\":2018,\"unit_id\":\"stad\",\"breakdown\":\"total\",\"group\":\"total\",\"value\":1.6"), "{rows}");
    assert!(rows.contains("\"indicator_id\":\"REF-2\",\"year\":2018,\"unit_id\":\"stad\",\"breakdown\":\"kon\",\"group\":\"kvinna\",\"value\":1.56"), "{rows}");
    assert!(
        !rows.contains("\"indicator_id\":\"REF-2\",\"year\":2019"),
        "{rows}"
    );
}

#[test]
fn a_kpi_kolada_does_not_know_stops_its_series_with_a_clear_message() {
    let server = serve_full(|_| vec![Reply::Json(page(&[2018], None))], &[]);
    pipeline_for(Test::new(), &server.url)
        .args(&["fetch", "p.toml"])
        .status(1)
        .stdout_has(&format!("REF-1 (N02267): kunde inte hämtas ({}/kpi/N02267: Kolada känner inte till nyckeltalet N02267; det kan ha tagits bort. Välj ett annat nyckeltal för REF-1 i pipelinefilen ([[reference.series]])) och det finns ingen sparad kopia; indikatorn saknas i körningen", server.url))
        .run();
    assert!(
        server.requests.lock().unwrap().is_empty(),
        "no data asked for"
    );
}

#[test]
fn a_changed_title_is_a_warning_and_the_data_is_used() {
    let server = serve_full(
        |_| vec![Reply::Json(page(&[2018], None))],
        &[("N02267", "Sysselsättningsgrad 16-64 år, andel (%)")],
    );
    pipeline_for(Test::new(), &server.url)
        .args(&["fetch", "p.toml"])
        .stdout("REF-1 (N02267): hämtad nu; varning: Kolada kallar nu N02267 \"Sysselsättningsgrad 16-64 år, andel (%)\", men pipelinefilen säger \"Sysselsättningsgrad 20-64 år, andel (%)\"; kontrollera att nyckeltalet mäter det REF-1 ska mäta och uppdatera kpi_title\n")
        .run();
}

/// Kolada's clients stop at a page without values, whatever it names next;
/// a relative address is taken from the page it was on.
#[test]
fn a_relative_next_url_is_followed_and_an_empty_page_ends_the_series() {
    let server = serve_with(|url| {
        vec![
            Reply::Json(page(&[2018], Some("sida2"))),
            Reply::Json(page(&[2019], Some(&format!("{url}/data/sida3")))),
            Reply::Json(page(&[], Some(&format!("{url}/data/sida4")))),
            Reply::Json(page(&[2021], None)),
        ]
    });
    let (_, dir) = pipeline_for(Test::new(), &server.url)
        .args(&["fetch", "p.toml"])
        .stdout("REF-1 (N02267): hämtad nu\n")
        .run_keep();
    let requests = server.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 3, "{requests:?}");
    assert!(
        requests[1].ends_with("/v3/data/kpi/N02267/municipality/0180,0000/year/sida2"),
        "{requests:?}"
    );
    let rows = reference_rows(dir.path());
    assert!(rows.contains("\"year\":2019"), "{rows}");
    assert!(!rows.contains("\"year\":2021"), "{rows}");
}

#[test]
fn a_next_url_on_another_server_is_refused() {
    let server = serve(vec![Reply::Json(page(
        &[2018],
        Some("http://203.0.113.9/v3/data/sida2"),
    ))]);
    pipeline_for(Test::new(), &server.url)
        .args(&["fetch", "p.toml"])
        .status(1)
        .stdout_has("nästa sida (next_url/next_page) ligger på en annan server; kontrollera base_url i [reference]")
        .run();
    assert_eq!(server.requests.lock().unwrap().len(), 1);
}

#[test]
fn a_next_url_that_loops_to_itself_is_refused() {
    let server = serve_with(|url| {
        let first =
            format!("{url}/data/kpi/N02267/municipality/0180,0000/year/2018,2019,2020,2021,2022");
        vec![Reply::Json(page(&[2018], Some(&first)))]
    });
    pipeline_for(Test::new(), &server.url)
        .args(&["fetch", "p.toml"])
        .status(1)
        .stdout_has("nästa sida (next_url/next_page) pekar tillbaka på en sida som redan hämtats")
        .run();
    assert_eq!(server.requests.lock().unwrap().len(), 1);
}

#[test]
fn rows_marked_isdeleted_are_left_out() {
    let mut doc: serde_json::Value = serde_json::from_str(&page(&[2018, 2019], None)).unwrap();
    doc["values"][1]["isdeleted"] = serde_json::Value::Bool(true);
    doc["values"][0]["values"][1]["isdeleted"] = serde_json::Value::Bool(true);
    let server = serve(vec![Reply::Json(doc.to_string())]);
    let (_, dir) = pipeline_for(Test::new(), &server.url)
        .args(&["fetch", "p.toml"])
        .stdout("REF-1 (N02267): hämtad nu\n")
        .run_keep();
    let rows = reference_rows(dir.path());
    assert!(
        rows.contains("\"year\":2018,\"unit_id\":\"stad\",\"breakdown\":\"total\""),
        "{rows}"
    );
    assert!(
        !rows.contains("\"group\":\"kvinna\""),
        "the deleted K value: {rows}"
    );
    assert!(!rows.contains("\"year\":2019"), "the deleted row: {rows}");
}

/// A server that accepts connections and never answers: one overall
/// deadline ends the whole fetch, the second series is not tried to the
/// full, and the cached copies are used.
#[test]
fn a_server_that_never_answers_is_given_up_on_at_the_deadline() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v3", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming().take(50).flatten() {
            held.push(s);
        }
    });
    let sample =
        |f: &str| std::fs::read(repo_root().join("data-samples/reference").join(f)).unwrap();
    let started = Instant::now();
    pipeline_with(
        Test::new(),
        &url,
        &[("timeout_ms = 700", "timeout_ms = 30000"), ("deadline_ms = 50000", "deadline_ms = 2000")],
    )
    .write("cache/REF-1-N02267.json", sample("REF-1-N02267.json"))
    .write("cache/REF-2-N01983+N01982.json", sample("REF-2-N01983+N01982.json"))
    .args(&["fetch", "p.toml"])
    .status(1)
    .stdout_has(&format!("REF-1 (N02267): kunde inte hämtas ({url}/kpi/N02267: hämtningen avbröts när tidsgränsen för hela hämtningen (2 s) gick ut); den sparade kopian (hämtad 2023-01-16, "))
    .stdout_has(&format!("REF-2 (N01983+N01982): kunde inte hämtas ({url}/kpi/N01983: hämtningen avbröts när tidsgränsen för hela hämtningen (2 s) gick ut); den sparade kopian (hämtad 2023-01-16, "))
    .run();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(6), "{took:?}");
}

#[test]
fn a_cache_written_for_api_v2_still_reads_offline() {
    let (_, dir) = Test::new()
        .pipeline(&[
            ("cache = \"../data-samples/reference\"", "cache = \"cache\""),
            ("kpi = \"N02267\"", "kpi = \"N00914\""),
        ])
        .fixture("reference/v2-REF-1-N00914.json", "cache/REF-1-N00914.json")
        .args(&["fetch", "p.toml", "--offline"])
        .status(1)
        .stdout_has("REF-1 (N00914): från cachen (hämtad 2023-01-16, ")
        .run_keep();
    let rows = reference_rows(dir.path());
    assert!(rows.contains("\"indicator_id\":\"REF-1\",\"year\":2022,\"unit_id\":\"stad\",\"breakdown\":\"total\",\"group\":\"total\",\"value\":0.814"), "{rows}");
}

#[test]
fn a_survey_file_given_as_a_url_is_named_by_its_url_in_the_run() {
    let csv =
        std::fs::read_to_string(repo_root().join("data-samples/survey/enkat-2018.csv")).unwrap();
    let server = serve(vec![Reply::Status(200, vec![], csv)]);
    let url = format!("{}/export/enkat-2018.csv", server.url);
    // The sample pipeline where it lies, but the 2018 survey on the server,
    // and the reference statistics asked of it too (404: none, no cache).
    let repo = repo_root().display().to_string();
    let mut text = crate::test::sample_pipeline().replace("\"../", &format!("\"{repo}/"));
    for (from, to) in [
        (
            format!("path = \"{repo}/data-samples/survey/enkat-2018.csv\""),
            format!("path = \"{url}\""),
        ),
        (
            "base_url = \"https://api.kolada.se/v3\"".into(),
            format!("base_url = \"{}\"", server.url),
        ),
        (
            format!("cache = \"{repo}/data-samples/reference\""),
            "cache = \"referens\"".into(),
        ),
        ("max_tries = 4".into(), "max_tries = 1".into()),
    ] {
        text = crate::test::edit(&text, &from, &to);
    }
    let (out, dir) = Test::new()
        .write("p.toml", text)
        .args(&[
            "run", "p.toml", "--quiet", "--out", "ut", "--charts", "diagram",
        ])
        .run_keep();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("Lästa: 91 återrapporteringar, 5 enkätfiler"),
        "{stdout}"
    );
    let read = |name: &str| std::fs::read_to_string(dir.path().join("ut").join(name)).unwrap();
    let (quality, manifest) = (read("kvalitet.json"), read("manifest.json"));
    assert!(manifest.contains(&format!("\"{url}\"")), "{manifest}");
    // The private download folder is gone when the run ends: never named.
    for (name, text) in [
        ("stdout", &stdout.to_string()),
        ("kvalitet.json", &quality),
        ("manifest.json", &manifest),
    ] {
        assert!(
            !text.contains("/1/enkat-2018.csv"),
            "{name} names the download folder"
        );
    }
}
