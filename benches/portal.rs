//! The portal under load, whole process: the real `uppfolj serve` on
//! 127.0.0.1, clients over HTTP. Prints the time from upload to feedback for
//! a typical return (median and 95th percentile over 100 uploads, one at a
//! time), then sends 200 uploads from 20 concurrent clients and checks that
//! every one is in the log. Figures are in BENCHMARKS.md.
//!
//!     cargo bench --bench portal

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use reqwest::blocking::{Client, multipart};
use uppfolj::pipeline;

#[allow(dead_code)]
#[path = "../examples/samples/generate/mod.rs"]
mod samples;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The sample pipeline in `dir`, with absolute paths, an empty inbox and the portal on port 0.
fn setup(dir: &Path) -> PathBuf {
    let text =
        std::fs::read_to_string(root().join("pipelines/romsk-inkludering-2018-2022.toml")).unwrap();
    let abs = format!("\"{}/", root().display());
    let text = text
        .replace("\"../", &abs)
        .replace(
            &format!("inbox = {abs}data-samples/returns\""),
            "inbox = \"inkorg\"",
        )
        .replace("listen = \"127.0.0.1:8080\"", "listen = \"127.0.0.1:0\"")
        .replace(&format!("data = {abs}portal-data\""), "data = \"portal\"");
    let p = dir.join("p.toml");
    std::fs::write(&p, text).unwrap();
    p
}

fn uppfolj(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_uppfolj"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A signed-in client for a unit: (client with its session, CSRF token).
fn signed_in(dir: &Path, url: &str, unit: &str) -> (Client, String) {
    let link = uppfolj(dir, &["portal", "invite", "p.toml", "--unit", unit]);
    let token = link.trim().rsplit('/').next().unwrap().to_string();
    let c = Client::builder().cookie_store(true).build().unwrap();
    let page = c
        .post(format!("{url}/logga-in"))
        .form(&[("token", token.as_str())])
        .send()
        .unwrap()
        .text()
        .unwrap();
    let at = page.find("name=\"csrf\" value=\"").unwrap() + 19;
    (c, page[at..at + 64].to_string())
}

fn filled(p: &pipeline::Pipeline, unit: &str) -> Vec<u8> {
    let layout = uppfolj::layout::layout(p, p.unit(unit).unwrap(), 2022);
    let fill = samples::fill_for(p, &layout);
    uppfolj::template::workbook_bytes(p, &layout, Some(&fill)).unwrap()
}

/// Uploads and reads the feedback page; true when it came back accepted.
fn upload(c: &Client, url: &str, unit: &str, csrf: &str, bytes: &[u8]) -> bool {
    let form = multipart::Form::new()
        .text("csrf", csrf.to_string())
        .text("year", "2022")
        .part(
            "file",
            multipart::Part::bytes(bytes.to_vec()).file_name(format!("{unit}-2022.xlsx")),
        );
    let page = c
        .post(format!("{url}/enhet/{unit}/uppladdning"))
        .multipart(form)
        .send()
        .unwrap()
        .text()
        .unwrap();
    page.contains("Godkänd")
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * q).round() as usize]
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let path = setup(dir.path());
    let p = pipeline::load(&path).unwrap();
    let mut server = Command::new(env!("CARGO_BIN_EXE_uppfolj"))
        .args(["serve", "p.toml"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .trim_end_matches('/')
        .to_string();

    // One at a time: upload to feedback page, for a typical return.
    let (c, csrf) = signed_in(dir.path(), &url, "amn");
    let bytes = filled(&p, "amn");
    let mut times = Vec::new();
    for _ in 0..100 {
        let t = Instant::now();
        assert!(upload(&c, &url, "amn", &csrf, &bytes));
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "upload to feedback, {} KB return, 100 uploads: median {:.1} ms, 95th percentile {:.1} ms",
        bytes.len() / 1000,
        percentile(&times, 0.5),
        percentile(&times, 0.95)
    );

    // 20 clients at once, 10 uploads each, over the units that report.
    let units: Vec<String> = p
        .units_reporting(2022)
        .filter(|u| !uppfolj::layout::layout(&p, u, 2022).is_empty())
        .map(|u| u.id.clone())
        .collect();
    let clients: Vec<(String, Client, String, Vec<u8>)> = (0..20)
        .map(|i| {
            let unit = units[i % units.len()].clone();
            let (c, csrf) = signed_in(dir.path(), &url, &unit);
            let bytes = filled(&p, &unit);
            (unit, c, csrf, bytes)
        })
        .collect();
    let t = Instant::now();
    let accepted: usize = std::thread::scope(|s| {
        let jobs: Vec<_> = clients
            .iter()
            .map(|(unit, c, csrf, bytes)| {
                let url = &url;
                s.spawn(move || {
                    (0..10)
                        .filter(|_| upload(c, url, unit, csrf, bytes))
                        .count()
                })
            })
            .collect();
        jobs.into_iter().map(|j| j.join().unwrap()).sum()
    });
    let took = t.elapsed().as_secs_f64();
    let _ = server.kill();
    let _ = server.wait();
    let db = rusqlite::Connection::open(dir.path().join("portal/portal.sqlite")).unwrap();
    let logged: i64 = db
        .query_row("SELECT COUNT(*) FROM uploads", [], |r| r.get(0))
        .unwrap();
    println!(
        "200 uploads from 20 concurrent clients: {took:.2} s ({:.0} uploads/s), {accepted} accepted, {} in the log (100 before)",
        200.0 / took,
        logged
    );
    assert_eq!(logged, 300, "no upload lost");
}
