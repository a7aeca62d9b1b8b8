//! The portal under attack and in a hurry (issue 27): the real `uppfolj
//! serve` on 127.0.0.1, slow and idle clients, failing forms, headers,
//! revoked links, the framework's own rejections and returns of every kind.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::blocking::multipart;

use crate::portal::{
    Portal, client, csrf, filled, folder, folder_with, in_inbox, invite, session, session_cookie,
    sign_in, start, upload, uppfolj,
};

/// A session of our own: its cookie, and a page of the unit with the CSRF token.
fn raw_session(portal: &Portal, token: &str, unit: &str) -> (String, String) {
    let cookie = session_cookie(portal, token);
    let page = reqwest::blocking::Client::new()
        .get(format!("{}/enhet/{unit}", portal.url))
        .header("cookie", &cookie)
        .send()
        .unwrap()
        .text()
        .unwrap();
    (cookie, page)
}

fn addr(portal: &Portal) -> String {
    portal.url.trim_start_matches("http://").to_string()
}

/// Files left in the portal's temporary folder.
fn parts_left(portal: &Portal) -> usize {
    std::fs::read_dir(portal.dir.join("portal/tmp"))
        .map(|d| d.count())
        .unwrap_or(0)
}

/// Farsta's return sits in the inbox as an `.ods`: the portal sees it, an
/// upload does not add a second return beside it, and the run uses it.
#[test]
fn a_return_in_the_inbox_under_any_kind_is_seen_and_never_doubled() {
    let dir = folder();
    let inbox = in_inbox(dir.path(), 2022, "farsta-2022.ods");
    let sample = crate::test::repo_root().join("data-samples/returns/2022/farsta-2022.ods");
    let farsta = invite(dir.path(), "farsta", "committee");
    let analyst = invite(dir.path(), "ks", "analyst");
    let portal = start(dir.path());
    let c = sign_in(&portal, &farsta);
    let page = portal.text(&c, "/enhet/farsta");
    assert!(page.contains(">Lämnad utanför portalen<"), "{page}");
    let t = csrf(&page);
    let bytes = filled(dir.path(), "farsta", 2022, None);
    let verdict = upload(&c, &portal, "farsta", &t, "farsta-2022.xlsx", bytes)
        .text()
        .unwrap();
    assert!(
        verdict.contains("har redan en återrapportering för samma år som lämnats på annat sätt"),
        "{verdict}"
    );
    let mut names: Vec<String> = std::fs::read_dir(&inbox)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["farsta-2022.ods"],
        "nothing written beside the .ods"
    );
    assert_eq!(
        std::fs::read(inbox.join("farsta-2022.ods")).unwrap(),
        std::fs::read(&sample).unwrap()
    );
    let page = portal.text(&c, "/enhet/farsta");
    assert!(page.contains(">Två återrapporteringar: välj en<"), "{page}");
    let log = portal.log();
    assert!(log.contains("farsta 2022: inte publicerad"), "{log}");
    // The run reads Farsta's return: no two returns for one unit and year.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_uppfolj"))
        .args(["validate", "p.toml", "inkorg/2022"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("återrapporteringar för 2022"), "{stdout}");
    // The analyst chooses the upload: moves the .ods away, and the overview
    // lets the accepted upload into the inbox.
    let a = sign_in(&portal, &analyst);
    assert!(
        portal
            .text(&a, "/oversikt")
            .contains("Två återrapporteringar: välj en")
    );
    std::fs::rename(
        inbox.join("farsta-2022.ods"),
        dir.path().join("farsta-2022.ods"),
    )
    .unwrap();
    let overview = portal.text(&a, "/oversikt");
    assert!(!overview.contains("Två återrapporteringar"), "{overview}");
    assert!(inbox.join("farsta-2022.xlsx").is_file());
    assert!(portal.text(&c, "/enhet/farsta").contains(">Inlämnad<"));
}

/// An upload keeps its kind: an `.ods` is published as one, and replaces
/// the `.xlsx` the portal published before it.
#[test]
fn an_upload_keeps_its_kind_and_replaces_only_what_the_portal_published() {
    let s = session("farsta");
    let (portal, c) = (&s.portal, &s.client);
    let t = csrf(&s.home);
    let inbox = portal.dir.join("inkorg/2022");
    let xlsx = filled(s.dir.path(), "farsta", 2022, None);
    let first = upload(c, portal, "farsta", &t, "farsta-2022.xlsx", xlsx)
        .text()
        .unwrap();
    assert!(first.contains("Utan fel"), "{first}");
    assert!(inbox.join("farsta-2022.xlsx").is_file());
    let ods =
        std::fs::read(crate::test::repo_root().join("data-samples/returns/2022/farsta-2022.ods"))
            .unwrap();
    let second = upload(c, portal, "farsta", &t, "Farsta retur.ODS", ods.clone())
        .text()
        .unwrap();
    assert!(second.contains("lämnad till Kommunstyrelsen"), "{second}");
    assert_eq!(std::fs::read(inbox.join("farsta-2022.ods")).unwrap(), ods);
    assert!(
        !inbox.join("farsta-2022.xlsx").exists(),
        "the portal's own .xlsx went"
    );
    let page = portal.text(c, "/enhet/farsta");
    assert!(
        page.contains(">Inlämnad<") && page.contains("Farsta retur.ODS"),
        "{page}"
    );
}

/// One byte a second is dropped after the grace period, while another
/// client's pages answer at once.
#[test]
fn a_slow_upload_is_dropped_while_others_are_served() {
    let dir = folder_with("upload_grace_seconds = 2\nupload_min_bytes_per_second = 1000");
    let token = invite(dir.path(), "amn", "committee");
    let other = invite(dir.path(), "un", "committee");
    let portal = start(dir.path());
    let (cookie, page) = raw_session(&portal, &token, "amn");
    let t = csrf(&page);
    let started = Instant::now();
    let addr = addr(&portal);
    let slow = std::thread::spawn(move || {
        let mut s = TcpStream::connect(&addr).unwrap();
        let head = format!(
            "--X\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{t}\r\n--X\r\nContent-Disposition: form-data; name=\"year\"\r\n\r\n2022\r\n--X\r\nContent-Disposition: form-data; name=\"file\"; filename=\"amn-2022.xlsx\"\r\n\r\n"
        );
        let request = format!(
            "POST /enhet/amn/uppladdning HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nContent-Type: multipart/form-data; boundary=X\r\nContent-Length: 100000\r\n\r\n{head}"
        );
        s.write_all(request.as_bytes()).unwrap();
        for _ in 0..60 {
            if s.write_all(b"x").is_err() {
                break;
            }
            std::thread::sleep(Duration::from_secs(1));
        }
        let mut answer = Vec::new();
        let _ = s.read_to_end(&mut answer);
        (
            String::from_utf8_lossy(&answer).into_owned(),
            started.elapsed(),
        )
    });
    std::thread::sleep(Duration::from_millis(500));
    let c = sign_in(&portal, &other);
    let asked = Instant::now();
    assert!(portal.get(&c, "/enhet/un").status().is_success());
    assert!(
        asked.elapsed() < Duration::from_secs(2),
        "others are served meanwhile"
    );
    let (answer, took) = slow.join().unwrap();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        answer.contains("Uppladdningen tog för lång tid"),
        "{answer}"
    );
    assert!(took < Duration::from_secs(8), "dropped after {took:?}");
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(parts_left(&portal), 0);
}

/// A connection that sends no request in time is closed, and many idle
/// connections never keep a new client out.
#[test]
fn idle_connections_are_closed_and_never_keep_a_new_client_out() {
    let dir = folder_with("header_seconds = 2\nmax_connections = 50");
    let portal = start(dir.path());
    let addr = addr(&portal);
    let mut quiet = TcpStream::connect(&addr).unwrap();
    quiet
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let opened = Instant::now();
    let mut buf = [0u8; 64];
    let n = quiet.read(&mut buf).unwrap_or(0);
    let closed_after = opened.elapsed();
    assert!(
        n == 0 || buf.starts_with(b"HTTP/1.1 408"),
        "closed, not answered"
    );
    assert!(
        closed_after < Duration::from_secs(5),
        "closed after {closed_after:?}"
    );
    // 300 idle connections, more than the cap: a new client still gets its page.
    let idle: Vec<TcpStream> = (0..300)
        .map(|_| TcpStream::connect(&addr).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let asked = Instant::now();
    let r = client().get(format!("{}/", portal.url)).send().unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        asked.elapsed() < Duration::from_secs(2),
        "served in {:?}",
        asked.elapsed()
    );
    drop(idle);
}

/// A form with a second file, a broken second part, a second part over the
/// cap or a closed year: the answer says what was wrong, and no part stays.
#[test]
fn no_temporary_file_outlives_a_failing_form() {
    let s = session("amn");
    let (portal, c) = (&s.portal, &s.client);
    let t = csrf(&s.home);
    let file = || {
        multipart::Part::bytes(filled(s.dir.path(), "amn", 2022, None)).file_name("amn-2022.xlsx")
    };
    let post = |form: multipart::Form| {
        c.post(format!("{}/enhet/amn/uppladdning", portal.url))
            .multipart(form)
            .send()
            .unwrap()
    };
    let base = || {
        multipart::Form::new()
            .text("csrf", t.clone())
            .text("year", "2022")
    };
    let two = post(base().part("file", file()).part("file", file()));
    assert_eq!(two.status(), StatusCode::BAD_REQUEST);
    assert!(
        two.text()
            .unwrap()
            .contains("Uppladdningen innehöll mer än en fil.")
    );
    assert_eq!(parts_left(portal), 0, "two files");
    let closed = post(
        multipart::Form::new()
            .text("csrf", t.clone())
            .part("file", file())
            .text("year", "2019"),
    );
    assert_eq!(closed.status(), StatusCode::BAD_REQUEST);
    assert_eq!(parts_left(portal), 0, "a closed year");
    let big = || vec![b'x'; 21_000_000];
    // The portal answers before the client has sent it all, and closes; the
    // client may see the answer or only the closed connection.
    let sent = |form: multipart::Form| {
        c.post(format!("{}/enhet/amn/uppladdning", portal.url))
            .multipart(form)
            .send()
            .map(|r| r.status())
    };
    let cases = [
        (
            "file",
            StatusCode::BAD_REQUEST,
            "a second file over the cap",
        ),
        (
            "extra",
            StatusCode::PAYLOAD_TOO_LARGE,
            "another part over the cap",
        ),
    ];
    for (second, status, what) in cases {
        let big = multipart::Part::bytes(big()).file_name("x.xlsx");
        let over = sent(base().part("file", file()).part(second, big));
        assert!(
            over.as_ref().map_or(true, |s| *s == status),
            "{what}: {over:?}"
        );
        std::thread::sleep(Duration::from_millis(300));
        assert_eq!(parts_left(portal), 0, "{what}");
    }
    // A truncated body: the file part, then the connection ends mid-part.
    let cookie = session_cookie(portal, &s.token);
    let mut raw = TcpStream::connect(addr(portal)).unwrap();
    let head = format!(
        "--X\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{t}\r\n--X\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.xlsx\"\r\n\r\nPK\r\n--X\r\nContent-Disposition: form-data; name=\"year\"\r\n\r\n20"
    );
    let request = format!(
        "POST /enhet/amn/uppladdning HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\nContent-Type: multipart/form-data; boundary=X\r\nContent-Length: 5000\r\n\r\n{head}"
    );
    raw.write_all(request.as_bytes()).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    drop(raw);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(parts_left(portal), 0, "a truncated form");
}

/// Every answer carries the headers; private pages are never cached; the
/// sign-in token leaves the address at once.
#[test]
fn every_answer_has_the_security_headers_and_the_token_leaves_the_address() {
    let dir = folder();
    let token = invite(dir.path(), "amn", "committee");
    let portal = start(dir.path());
    let no_redirects = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let link = no_redirects
        .get(format!("{}/logga-in/{token}", portal.url))
        .send()
        .unwrap();
    assert_eq!(link.status(), StatusCode::SEE_OTHER);
    assert_eq!(link.headers()["location"], "/logga-in");
    let set = link.headers()["set-cookie"].to_str().unwrap();
    assert!(
        set.starts_with("uppfolj_lank=")
            && set.contains("HttpOnly")
            && set.contains("Path=/logga-in"),
        "{set}"
    );
    let c = sign_in(&portal, &token);
    let signed_in_page = portal.text(&c, "/logga-in");
    assert!(!signed_in_page.contains(&token), "the token is on no page");
    let routes = [
        "/",
        "/enhet/amn",
        "/enhet/amn/mall/2022",
        "/logga-in",
        "/finns-inte",
        "/oversikt",
        "/rapport",
    ];
    for route in routes {
        let r = portal.get(&c, route);
        let h = r.headers();
        assert_eq!(h["x-frame-options"], "DENY", "{route}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{route}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{route}");
        assert_eq!(h["cache-control"], "no-store", "{route}");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'none'"),
            "{route}: {csp}"
        );
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("script-src"),
            "{route}: {csp}"
        );
        assert!(
            !h.contains_key("strict-transport-security"),
            "http: no HSTS"
        );
    }
    let css = portal.get(&c, "/stil.css");
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    assert_eq!(css.headers()["x-content-type-options"], "nosniff");
    let page = portal.text(&c, "/enhet/amn");
    assert!(!page.contains("<style") && page.contains("href=\"/stil.css\""));
}

#[test]
fn an_https_portal_sends_hsts() {
    let (_, dir) = crate::run::pipeline_in_test_folder_with(
        crate::test::Test::new(),
        "inkorg",
        "enkat/enkat-2018.csv",
        "ut",
        "diagram",
        &[
            ("listen = \"127.0.0.1:8080\"", "listen = \"127.0.0.1:0\""),
            (
                "base_url = \"http://127.0.0.1:8080\"",
                "base_url = \"https://portal.example\"",
            ),
            ("data = \"../portal-data\"", "data = \"portal\""),
        ],
    )
    .args(&["check", "p.toml"])
    .run_keep();
    let portal = start(dir.path());
    let r = client().get(format!("{}/", portal.url)).send().unwrap();
    assert_eq!(r.headers()["strict-transport-security"], "max-age=31536000");
}

/// One link can be ended; a committee's links end without the analysts'
/// invited on the same unit.
#[test]
fn one_link_or_one_role_is_revoked_and_nothing_else() {
    let dir = folder();
    let first = invite(dir.path(), "ks", "analyst");
    let second = invite(dir.path(), "ks", "analyst");
    let committee = invite(dir.path(), "ks", "committee");
    let portal = start(dir.path());
    let (a1, a2, k) = (
        sign_in(&portal, &first),
        sign_in(&portal, &second),
        sign_in(&portal, &committee),
    );
    let users = uppfolj(dir.path(), &["portal", "users", "p.toml"]);
    assert!(
        users.contains("1\tks\tanalytiker\t") && users.contains("\tgäller\t1\n"),
        "{users}"
    );
    assert_eq!(
        uppfolj(dir.path(), &["portal", "revoke", "p.toml", "--link", "1"]),
        "länk 1 (ks, analytiker) återkallad\n"
    );
    assert_eq!(
        portal.get(&a1, "/oversikt").status(),
        StatusCode::UNAUTHORIZED
    );
    assert!(portal.get(&a2, "/oversikt").status().is_success());
    assert_eq!(
        uppfolj(dir.path(), &["portal", "revoke", "p.toml", "--unit", "ks"]),
        "ks: 1 länk med rollen nämnd återkallade\n"
    );
    assert_eq!(
        portal.get(&k, "/enhet/ks").status(),
        StatusCode::UNAUTHORIZED
    );
    assert!(
        portal.get(&a2, "/oversikt").status().is_success(),
        "the analysts stay"
    );
    let users = uppfolj(dir.path(), &["portal", "users", "p.toml"]);
    assert!(
        users.contains("\n2\tks\tanalytiker\t") && users.contains("\tgäller\t1\n"),
        "{users}"
    );
}

/// What the framework refuses is a Swedish page in the portal's style.
#[test]
fn the_frameworks_own_rejections_are_swedish_pages() {
    let s = session("amn");
    let (portal, c) = (&s.portal, &s.client);
    let url = |p: &str| format!("{}{p}", portal.url);
    let cases: Vec<(reqwest::blocking::Response, StatusCode, &str)> = vec![
        (
            c.get(url("/enhet/amn/mall/tjugo")).send().unwrap(),
            StatusCode::NOT_FOUND,
            "Sidan finns inte",
        ),
        (
            c.get(url("/enhet/amn/uppladdning/x")).send().unwrap(),
            StatusCode::NOT_FOUND,
            "Sidan finns inte",
        ),
        (
            c.put(url("/")).send().unwrap(),
            StatusCode::METHOD_NOT_ALLOWED,
            "Det går inte att göra så",
        ),
        (
            c.post(url("/logga-ut"))
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .unwrap(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Formuläret gick inte att läsa",
        ),
        (
            c.post(url("/logga-ut")).form(&[("x", "1")]).send().unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "Formuläret gick inte att läsa",
        ),
        (
            c.post(url("/enhet/amn/uppladdning"))
                .header("content-type", "multipart/form-data")
                .body("x")
                .send()
                .unwrap(),
            StatusCode::BAD_REQUEST,
            "Formuläret gick inte att läsa",
        ),
        (
            c.post(url("/logga-in"))
                .form(&[("token", "a".repeat(3_000_000))])
                .send()
                .unwrap(),
            StatusCode::PAYLOAD_TOO_LARGE,
            "Det du skickade är för stort",
        ),
    ];
    for (r, status, title) in cases {
        assert_eq!(r.status(), status, "{title}");
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let page = r.text().unwrap();
        assert!(
            page.contains(&format!("<h1>{title}</h1>")) && page.contains("<html lang=\"sv\">"),
            "{status}: {page}"
        );
        for english in [
            "Invalid",
            "Failed",
            "missing field",
            "Cannot parse",
            "boundary",
            "Method Not Allowed",
        ] {
            assert!(!page.contains(english), "{status}: {page}");
        }
    }
}

/// Upload numbers count the unit's own uploads only; times are Swedish
/// local time and plurals are right.
#[test]
fn upload_numbers_are_the_units_own_and_times_are_swedish() {
    let dir = folder();
    let amn = invite(dir.path(), "amn", "committee");
    let un = invite(dir.path(), "un", "committee");
    let portal = start(dir.path());
    let (ca, cu) = (sign_in(&portal, &amn), sign_in(&portal, &un));
    let (ta, tu) = (
        csrf(&portal.text(&ca, "/enhet/amn")),
        csrf(&portal.text(&cu, "/enhet/un")),
    );
    for _ in 0..3 {
        upload(
            &cu,
            &portal,
            "un",
            &tu,
            "un-2022.xlsx",
            filled(dir.path(), "un", 2022, None),
        );
    }
    let r = upload(
        &ca,
        &portal,
        "amn",
        &ta,
        "amn-2022.xlsx",
        filled(dir.path(), "amn", 2022, None),
    );
    assert!(
        r.url().path().ends_with("/enhet/amn/uppladdning/1"),
        "{}",
        r.url()
    );
    let page = r.text().unwrap();
    assert!(page.contains("<h1>Uppladdning 1</h1>"), "{page}");
    assert!(!page.contains("UTC"), "{page}");
    let history = portal.text(&ca, "/enhet/amn");
    assert!(
        !history.contains("1 varningar") && !history.contains("UTC"),
        "{history}"
    );
    let home = client()
        .get(format!("{}/", portal.url))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(!home.contains("1 minuter"), "{home}");
}

/// A reader has the header with "Logga ut" on the report, and the report's
/// own styles are allowed by their hashes.
#[test]
fn a_reader_can_sign_out_from_the_report() {
    let dir = folder();
    let reader = invite(dir.path(), "ks", "reader");
    uppfolj(dir.path(), &["run", "p.toml", "--offline", "-q"]);
    let portal = start(dir.path());
    let r = sign_in(&portal, &reader);
    let report = portal.get(&r, "/rapport");
    let csp = report.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    let html = report.text().unwrap();
    assert!(
        html.contains("<button type=\"submit\">Logga ut</button>"),
        "{}",
        &html[..2000]
    );
    assert!(
        csp.contains("'sha256-") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    let t = csrf(&html);
    let out = r
        .post(format!("{}/logga-ut", portal.url))
        .form(&[("csrf", t)])
        .send()
        .unwrap();
    assert!(
        out.text()
            .unwrap()
            .contains("Logga in med den personliga länk")
    );
    // The cookie is gone: the report is a page that does not exist.
    assert_eq!(portal.get(&r, "/rapport").status(), StatusCode::NOT_FOUND);
}

/// A finding as (severity, sheet, cell, message).
type Judged = Vec<(String, String, String, String)>;

/// The findings `validate --json` gives for the file named `amn-2022.*`.
fn validated(dir: &std::path::Path, what: &str) -> Judged {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_uppfolj"))
        .args(["validate", "p.toml", what, "--json"])
        .current_dir(dir)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut found: Judged = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["file"].as_str().unwrap().contains("amn-2022"))
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or("").to_string();
            (s("severity"), s("sheet"), s("cell"), s("message"))
        })
        .collect();
    found.sort();
    found
}

/// The findings on the portal's verdict page.
fn on_the_page(page: &str) -> Judged {
    let unescape = |s: &str| {
        s.replace("&quot;", "\"")
            .replace("&#x27;", "'")
            .replace("&#x2f;", "/")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    };
    let mut found: Judged = page
        .split("<tr><td class=\"severity-")
        .skip(1)
        .map(|row| {
            let cells: Vec<String> = row
                .split("</td>")
                .map(|c| unescape(c.rsplit('>').next().unwrap_or("")))
                .collect();
            let severity = if row.starts_with("error") {
                "error"
            } else {
                "warning"
            };
            (
                severity.to_string(),
                cells[1].clone(),
                cells[2].clone(),
                cells[4].clone(),
            )
        })
        .collect();
    found.sort();
    found
}

/// One file, three judges: the portal, `validate` on the file alone and
/// `validate` on the inbox find the very same, the comparison with last
/// year's accepted return in the inbox included.
#[test]
fn the_portal_and_validate_judge_a_file_by_the_very_same_rules() {
    let dir = folder();
    in_inbox(dir.path(), 2021, "amn-2021.xlsx");
    let bytes = crate::portal::valid_with(dir.path(), 900.0);
    std::fs::write(dir.path().join("amn-2022.xlsx"), &bytes).unwrap();
    let amn = invite(dir.path(), "amn", "committee");
    let portal = start(dir.path());
    let c = sign_in(&portal, &amn);
    let t = csrf(&portal.text(&c, "/enhet/amn"));
    let page = upload(&c, &portal, "amn", &t, "amn-2022.xlsx", bytes)
        .text()
        .unwrap();
    let in_portal = on_the_page(&page);
    assert!(
        in_portal
            .iter()
            .any(|f| f.0 == "warning" && f.3.starts_with("900 jämfört med ")),
        "{in_portal:?}"
    );
    assert!(page.contains(">Utan fel<"), "{page}");
    assert_eq!(
        validated(dir.path(), "amn-2022.xlsx"),
        in_portal,
        "validate on the file alone"
    );
    assert!(
        dir.path().join("inkorg/2022/amn-2022.xlsx").is_file(),
        "published"
    );
    assert_eq!(
        validated(dir.path(), "inkorg"),
        in_portal,
        "validate on the inbox"
    );
    assert_eq!(
        validated(dir.path(), "inkorg/2022"),
        in_portal,
        "validate on the year's folder"
    );
}

/// Behind a trusted proxy each person's own address counts: one address's
/// failures limit that address, not everyone behind the proxy.
#[test]
fn behind_a_trusted_proxy_the_forwarded_address_is_limited() {
    let dir = folder_with("trusted_proxies = [\"127.0.0.1\"]");
    let portal = start(dir.path());
    let wrong = |from: &str| {
        client()
            .post(format!("{}/logga-in", portal.url))
            .header("x-forwarded-for", from)
            .form(&[("token", "00")])
            .send()
            .unwrap()
            .status()
    };
    let statuses: Vec<StatusCode> = (0..12).map(|_| wrong("192.0.2.1")).collect();
    assert_eq!(statuses.last(), Some(&StatusCode::TOO_MANY_REQUESTS));
    assert_eq!(
        wrong("192.0.2.2"),
        StatusCode::FORBIDDEN,
        "another person is not limited"
    );
    assert!(
        portal.log().contains("client=192.0.2.1"),
        "{}",
        portal.log()
    );
}
