//! The committees' portal: the real `uppfolj serve` on 127.0.0.1, driven
//! over HTTP with a cookie-keeping client, from invitation to a return in
//! the inbox that `uppfolj run` uses.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use reqwest::StatusCode;
use reqwest::blocking::{Client, multipart};
use uppfolj::pipeline;

use crate::test::Test;

/// A running portal on a free port, stopped when dropped.
pub(crate) struct Portal {
    child: Child,
    pub(crate) url: String,
    pub(crate) dir: PathBuf,
}

impl Portal {
    /// What the portal has logged on stderr so far.
    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("serve.log")).unwrap_or_default()
    }

    pub(crate) fn get(&self, c: &Client, path: &str) -> reqwest::blocking::Response {
        c.get(format!("{}{path}", self.url)).send().unwrap()
    }

    pub(crate) fn text(&self, c: &Client, path: &str) -> String {
        self.get(c, path).text().unwrap()
    }
}

impl Drop for Portal {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The sample pipeline in a test folder, with an empty inbox and the portal on port 0.
pub(crate) fn folder() -> tempfile::TempDir {
    folder_with("")
}

/// As [`folder`], with more `[portal]` settings.
pub(crate) fn folder_with(portal: &str) -> tempfile::TempDir {
    let data = format!("data = \"portal\"\n{portal}");
    let (_, dir) = crate::run::pipeline_in_test_folder_with(
        Test::new(),
        "inkorg",
        "enkat/enkat-2018.csv",
        "ut",
        "diagram",
        &[
            ("listen = \"127.0.0.1:8080\"", "listen = \"127.0.0.1:0\""),
            ("data = \"../portal-data\"", data.as_str()),
        ],
    )
    .args(&["check", "p.toml"])
    .run_keep();
    dir
}

pub(crate) fn uppfolj(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_uppfolj"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

pub(crate) fn start(dir: &Path) -> Portal {
    let mut child = Command::new(env!("CARGO_BIN_EXE_uppfolj"))
        .args(["serve", "p.toml"])
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(dir.join("serve.log")).unwrap())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("the portal did not start: {line:?}"))
        .trim_end_matches('/')
        .to_string();
    Portal {
        child,
        url,
        dir: dir.to_path_buf(),
    }
}

/// The token of a fresh invitation for a unit.
pub(crate) fn invite(dir: &Path, unit: &str, role: &str) -> String {
    let link = uppfolj(
        dir,
        &["portal", "invite", "p.toml", "--unit", unit, "--role", role],
    );
    link.trim().rsplit('/').next().unwrap().to_string()
}

pub(crate) fn client() -> Client {
    Client::builder().cookie_store(true).build().unwrap()
}

/// Signs in with an invitation's token; the client keeps the session.
pub(crate) fn sign_in(portal: &Portal, token: &str) -> Client {
    let c = client();
    let page = portal.get(&c, &format!("/logga-in/{token}"));
    assert_eq!(page.status(), StatusCode::OK);
    let r = c
        .post(format!("{}/logga-in", portal.url))
        .form(&[("token", token)])
        .send()
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "{}",
        r.text().unwrap_or_default()
    );
    c
}

/// Arbetsmarknadsnämnden signs in with its link and hands in a valid return.
pub(crate) fn hand_in_amn(portal: &Portal, token: &str) {
    let c = sign_in(portal, token);
    let home = portal.text(&c, "/");
    let bytes = filled(&portal.dir, "amn", 2022, None);
    upload(&c, portal, "amn", &csrf(&home), "amn-2022.xlsx", bytes);
}

/// A committee signed in to a fresh portal, with its home page.
pub(crate) struct Session {
    pub(crate) portal: Portal,
    pub(crate) dir: tempfile::TempDir,
    pub(crate) client: Client,
    pub(crate) home: String,
    pub(crate) token: String,
}

pub(crate) fn session(unit: &str) -> Session {
    let dir = folder();
    let token = invite(dir.path(), unit, "committee");
    let portal = start(dir.path());
    let client = sign_in(&portal, &token);
    let home = portal.text(&client, "/");
    Session {
        portal,
        dir,
        client,
        home,
        token,
    }
}

/// The CSRF token on a page.
pub(crate) fn csrf(html: &str) -> String {
    let at = html
        .find("name=\"csrf\" value=\"")
        .expect("a form with a CSRF token")
        + 19;
    html[at..at + 64].to_string()
}

/// A filled-in return for a unit and year, as the sample generator fills
/// it, optionally with one value edited.
pub(crate) fn filled(
    dir: &Path,
    unit: &str,
    year: i32,
    text_in_first_value: Option<&str>,
) -> Vec<u8> {
    let p = pipeline::load(&dir.join("p.toml")).unwrap();
    let u = p.unit(unit).unwrap();
    let layout = uppfolj::layout::layout(&p, u, year);
    let mut fill = crate::samples::fill_for(&p, &layout);
    if let Some(t) = text_in_first_value {
        fill.values
            .insert(0, uppfolj::template::Entry::Text(t.into()));
    }
    uppfolj::template::workbook_bytes(&p, &layout, Some(&fill)).unwrap()
}

pub(crate) fn upload(
    c: &Client,
    portal: &Portal,
    unit: &str,
    csrf: &str,
    name: &str,
    bytes: Vec<u8>,
) -> reqwest::blocking::Response {
    let form = multipart::Form::new()
        .text("csrf", csrf.to_string())
        .text("year", "2022")
        .part(
            "file",
            multipart::Part::bytes(bytes).file_name(name.to_string()),
        );
    c.post(format!("{}/enhet/{unit}/uppladdning", portal.url))
        .multipart(form)
        .send()
        .unwrap()
}

#[test]
fn a_committee_hands_in_sees_the_cell_fixes_it_and_the_run_uses_it() {
    let s = session("amn");
    let (dir, portal, c, home) = (&s.dir, &s.portal, &s.client, &s.home);
    assert!(home.contains("<h1>Arbetsmarknadsnämnden</h1>"), "{home}");
    assert!(home.contains("Inte inlämnad") && home.contains("15 februari 2023"));
    let template = portal.get(c, "/enhet/amn/mall/2022");
    assert_eq!(template.status(), StatusCode::OK);
    assert!(template.bytes().unwrap().starts_with(b"PK"));

    // With "ca 20" in the first value: the finding names the sheet and cell.
    let token = csrf(home);
    let bad = upload(
        c,
        portal,
        "amn",
        &token,
        "amn-2022.xlsx",
        filled(dir.path(), "amn", 2022, Some("ca 20")),
    );
    let bad = bad.text().unwrap();
    assert!(bad.contains("Har fel"), "{bad}");
    assert!(
        bad.contains("<td>Indikatorer</td><td>D4</td><td>ARB-1 ”Arbetssökande romer som nåtts med information, vägledning och stöd”, Kvinna, 16–29 år</td><td>&quot;ca 20&quot; är inte ett heltal."),
        "{bad}"
    );
    assert!(
        !portal.dir.join("inkorg/2022/amn-2022.xlsx").exists(),
        "nothing published"
    );

    // Fixed: accepted and published into the inbox, byte for byte.
    let good_bytes = filled(dir.path(), "amn", 2022, None);
    let good = upload(
        c,
        portal,
        "amn",
        &token,
        "amn-2022.xlsx",
        good_bytes.clone(),
    )
    .text()
    .unwrap();
    assert!(
        good.contains("Utan fel") && good.contains("lämnad till Kommunstyrelsen"),
        "{good}"
    );
    assert_eq!(
        std::fs::read(portal.dir.join("inkorg/2022/amn-2022.xlsx")).unwrap(),
        good_bytes
    );

    // A later upload with errors leaves the accepted one in place.
    upload(
        c,
        portal,
        "amn",
        &token,
        "amn-2022.xlsx",
        filled(dir.path(), "amn", 2022, Some("x")),
    );
    assert_eq!(
        std::fs::read(portal.dir.join("inkorg/2022/amn-2022.xlsx")).unwrap(),
        good_bytes
    );
    let page = portal.text(c, "/enhet/amn");
    assert!(
        page.contains(">Inlämnad<") && page.matches("<tr><td>").count() == 3,
        "three uploads listed: {page}"
    );

    // The yearly run reads it unchanged.
    let summary = uppfolj(dir.path(), &["run", "p.toml", "--offline", "-q"]);
    assert!(summary.contains("Lästa: 1 återrapporteringar"), "{summary}");
}

#[test]
fn a_committee_never_sees_another_units_pages_files_or_uploads() {
    let dir = folder();
    let amn = invite(dir.path(), "amn", "committee");
    let un = invite(dir.path(), "un", "committee");
    let portal = start(dir.path());
    hand_in_amn(&portal, &amn);
    let other = sign_in(&portal, &un);
    let nowhere = portal.get(&other, "/finns-inte");
    assert_eq!(nowhere.status(), StatusCode::NOT_FOUND);
    let nowhere = nowhere.text().unwrap();
    for path in [
        "/enhet/amn",
        "/enhet/amn/mall/2022",
        "/enhet/amn/uppladdning/1",
        "/oversikt",
        "/oversikt/godkanda.zip",
        "/rapport",
    ] {
        let r = portal.get(&other, path);
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(
            r.text().unwrap(),
            nowhere,
            "{path} answers as a page that does not exist"
        );
    }
    // An upload to another unit, sent whole: answered like a missing page.
    let cookie = session_cookie(&portal, &un);
    let un_home = client()
        .get(format!("{}/enhet/un", portal.url))
        .header("Cookie", &cookie)
        .send()
        .unwrap()
        .text()
        .unwrap();
    let answer = raw_upload(&portal, "amn", &cookie, &csrf(&un_home), 20_000);
    assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
    assert!(answer.ends_with(&nowhere), "{answer}");
    // Not signed in at all: the same.
    assert_eq!(
        client()
            .get(format!("{}/enhet/amn", portal.url))
            .send()
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[test]
fn a_workbook_for_another_unit_is_refused_and_nothing_is_published() {
    let s = session("amn");
    let (dir, portal, c, home) = (&s.dir, &s.portal, &s.client, &s.home);
    let page = upload(
        c,
        portal,
        "amn",
        &csrf(home),
        "un-2022.xlsx",
        filled(dir.path(), "un", 2022, None),
    )
    .text()
    .unwrap();
    assert!(
        page.contains(
            "Arbetsboken är mallen för Utbildningsnämnden, inte för Arbetsmarknadsnämnden."
        ),
        "{page}"
    );
    assert!(
        !portal
            .dir
            .join("inkorg/2022")
            .join("amn-2022.xlsx")
            .exists()
    );
    assert!(!portal.dir.join("inkorg/2022").join("un-2022.xlsx").exists());
}

#[test]
fn hostile_uploads_get_a_clear_message_and_nothing_is_published() {
    let s = session("amn");
    let (dir, portal, c, home) = (&s.dir, &s.portal, &s.client, &s.home);
    let t = csrf(home);
    let cases: [(&str, Vec<u8>, &str); 6] = [
        ("tom.xlsx", Vec::new(), "Filen är tom."),
        (
            "rapport.pdf",
            b"%PDF-1.4".to_vec(),
            "filen är en PDF, inte en arbetsbok.",
        ),
        (
            "../../etc/amn-2022.xlsx",
            filled(dir.path(), "amn", 2022, None),
            "Filnamnet är en sökväg, inte ett filnamn.",
        ),
        (
            "trasig.xlsx",
            b"PK\x03\x04 inte ett riktigt arkiv".to_vec(),
            "Har fel",
        ),
        // A right-to-left override makes "amn-2022\u{202E}xslx.exe" show as "amn-2022exe.xlsx".
        (
            "amn-2022\u{202E}xslx.exe",
            filled(dir.path(), "amn", 2022, None),
            "Filnamnet innehåller osynliga styrtecken",
        ),
        (
            "..",
            filled(dir.path(), "amn", 2022, None),
            "Filnamnet är en sökväg",
        ),
    ];
    for (name, bytes, expected) in cases {
        let page = upload(c, portal, "amn", &t, name, bytes).text().unwrap();
        assert!(page.contains(expected), "{name}: {page}");
    }
    assert!(!portal.dir.join("inkorg/2022/amn-2022.xlsx").exists());
    assert!(!portal.dir.join("etc").exists());
    let history = portal.text(c, "/enhet/amn");
    assert!(
        !history.contains('\u{202E}'),
        "a hiding name is never shown as it is"
    );
}

/// The session cookie a sign-in sets, for a client of our own.
pub(crate) fn session_cookie(portal: &Portal, token: &str) -> String {
    let c = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = c
        .post(format!("{}/logga-in", portal.url))
        .form(&[("token", token)])
        .send()
        .unwrap();
    let cookie = r.headers()[reqwest::header::SET_COOKIE].to_str().unwrap();
    cookie.split(';').next().unwrap().to_string()
}

/// Sends an upload of `size` bytes over a plain socket, as fast as the
/// server takes it, and returns what the server answered (it may answer and
/// close before the body is through).
pub(crate) fn raw_upload(
    portal: &Portal,
    unit: &str,
    cookie: &str,
    csrf: &str,
    size: usize,
) -> String {
    use std::io::{Read, Write};
    let addr = portal.url.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    let head = format!(
        "--X\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--X\r\nContent-Disposition: form-data; name=\"year\"\r\n\r\n2022\r\n--X\r\nContent-Disposition: form-data; name=\"file\"; filename=\"amn-2022.xlsx\"\r\n\r\n"
    );
    let tail = "\r\n--X--\r\n";
    let length = head.len() + size + tail.len();
    let request = format!(
        "POST /enhet/{unit}/uppladdning HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nContent-Type: multipart/form-data; boundary=X\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n{head}"
    );
    let _ = s.write_all(request.as_bytes());
    let chunk = vec![b'x'; 64 * 1024];
    let mut sent = 0;
    while sent < size {
        if s.write_all(&chunk).is_err() {
            break;
        }
        sent += chunk.len();
    }
    let _ = s.write_all(tail.as_bytes());
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

#[test]
fn an_upload_over_the_cap_is_cut_off_with_413() {
    let dir = folder();
    std::fs::write(
        dir.path().join("p.toml"),
        std::fs::read_to_string(dir.path().join("p.toml"))
            .unwrap()
            .replace("max_bytes = 20000000", "max_bytes = 100000"),
    )
    .unwrap();
    let token = invite(dir.path(), "amn", "committee");
    let portal = start(dir.path());
    let cookie = session_cookie(&portal, &token);
    let c = sign_in(&portal, &invite(dir.path(), "amn", "committee"));
    let home = c
        .get(format!("{}/enhet/amn", portal.url))
        .header("Cookie", &cookie)
        .send()
        .unwrap()
        .text()
        .unwrap();
    let answer = raw_upload(&portal, "amn", &cookie, &csrf(&home), 3_000_000);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(
        answer.contains("Filen är större än gränsen 100000 byte"),
        "{answer}"
    );
    let tmp: Vec<_> = std::fs::read_dir(portal.dir.join("portal/tmp"))
        .unwrap()
        .collect();
    assert!(tmp.is_empty(), "the partial file is gone");
    assert!(!portal.dir.join("inkorg/2022/amn-2022.xlsx").exists());
}

#[test]
fn a_form_without_the_csrf_token_is_refused() {
    let dir = folder();
    let token = invite(dir.path(), "amn", "committee");
    let portal = start(dir.path());
    let c = sign_in(&portal, &token);
    let r = upload(
        &c,
        &portal,
        "amn",
        "0",
        "amn-2022.xlsx",
        filled(dir.path(), "amn", 2022, None),
    );
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(!portal.dir.join("inkorg/2022/amn-2022.xlsx").exists());
    let out = c
        .post(format!("{}/logga-ut", portal.url))
        .form(&[("csrf", "fel")])
        .send()
        .unwrap();
    assert_eq!(out.status(), StatusCode::FORBIDDEN);
}

#[test]
fn a_revoked_link_stops_working_and_its_session_ends() {
    let dir = folder();
    let token = invite(dir.path(), "amn", "committee");
    let portal = start(dir.path());
    let c = sign_in(&portal, &token);
    assert!(portal.get(&c, "/enhet/amn").status().is_success());
    assert_eq!(
        uppfolj(dir.path(), &["portal", "revoke", "p.toml", "--unit", "amn"]),
        "amn: 1 länk med rollen nämnd återkallade\n"
    );
    // The session ends with the link, and the link no longer signs in.
    let ended = portal.get(&c, "/enhet/amn");
    assert_eq!(ended.status(), StatusCode::UNAUTHORIZED);
    assert!(
        ended
            .text()
            .unwrap()
            .contains("Logga in igen med din personliga länk.")
    );
    let again = client()
        .post(format!("{}/logga-in", portal.url))
        .form(&[("token", token.as_str())])
        .send()
        .unwrap();
    assert_eq!(again.status(), StatusCode::FORBIDDEN);
    let users = uppfolj(dir.path(), &["portal", "users", "p.toml"]);
    let lines: Vec<&str> = users.lines().collect();
    assert_eq!(lines[0], "id\tenhet\troll\tskapad\tläge\tinloggade");
    assert!(
        lines[1].starts_with("1\tamn\tnämnd\t") && lines[1].ends_with("\tåterkallad\t0"),
        "{users}"
    );
}

#[test]
fn wrong_tokens_are_limited_and_logged_but_never_keep_out_the_right_one() {
    let dir = folder();
    let portal = start(dir.path());
    let mut limited = false;
    for _ in 0..12 {
        let r = client()
            .post(format!("{}/logga-in", portal.url))
            .form(&[("token", "00")])
            .send()
            .unwrap();
        limited |= r.status() == StatusCode::TOO_MANY_REQUESTS;
    }
    assert!(
        limited,
        "the eleventh failure within a minute is answered 429"
    );
    // From the very same address, the right link signs in at once.
    let fresh = invite(dir.path(), "amn", "committee");
    let c = sign_in(&portal, &fresh);
    assert!(portal.get(&c, "/enhet/amn").status().is_success());
    let log = portal.log();
    assert!(
        log.contains("misslyckad inloggning: länken gäller inte client=127.0.0.1"),
        "{log}"
    );
    assert!(
        log.contains("för många misslyckade inloggningar från adressen client=127.0.0.1"),
        "{log}"
    );
}

#[test]
fn a_session_left_idle_ends_and_one_in_use_lasts() {
    // Sessions last 0.05 minutes (3 s) unused.
    let dir = folder_with("idle_minutes = 0.05");
    let token = invite(dir.path(), "amn", "committee");
    let portal = start(dir.path());
    let c = sign_in(&portal, &token);
    // In use every second for 6 s: still signed in.
    for _ in 0..6 {
        std::thread::sleep(std::time::Duration::from_secs(1));
        assert!(portal.get(&c, "/enhet/amn").status().is_success());
    }
    // Left alone for longer than the limit: the session has ended.
    std::thread::sleep(std::time::Duration::from_secs(5));
    let ended = portal.get(&c, "/enhet/amn");
    assert_eq!(ended.status(), StatusCode::UNAUTHORIZED);
    assert!(ended.text().unwrap().contains("<h1>Du är utloggad</h1>"));
    let home = portal.text(&c, "/");
    assert!(
        home.contains("Logga in med den personliga länk du har fått"),
        "{home}"
    );
    // The link still signs in again.
    let c = sign_in(&portal, &token);
    assert!(portal.get(&c, "/enhet/amn").status().is_success());
}

/// A sample return put in the test folder's inbox as someone other than
/// the portal would: `data-samples/returns/<year>/<name>` to
/// `inkorg/<year>/<name>`; returns the inbox's folder for the year.
pub(crate) fn in_inbox(dir: &Path, year: i32, name: &str) -> PathBuf {
    let inbox = dir.join("inkorg").join(year.to_string());
    std::fs::create_dir_all(&inbox).unwrap();
    let sample = crate::test::repo_root()
        .join("data-samples/returns")
        .join(year.to_string())
        .join(name);
    std::fs::copy(sample, inbox.join(name)).unwrap();
    inbox
}

#[test]
fn a_return_put_in_the_inbox_another_way_counts_as_handed_in() {
    let dir = folder();
    in_inbox(dir.path(), 2022, "amn-2022.xlsx");
    let amn = invite(dir.path(), "amn", "committee");
    let un = invite(dir.path(), "un", "committee");
    let portal = start(dir.path());
    let page = portal.text(&sign_in(&portal, &amn), "/enhet/amn");
    assert!(page.contains(">Lämnad utanför portalen<"), "{page}");
    let page = portal.text(&sign_in(&portal, &un), "/enhet/un");
    assert!(page.contains(">Inte inlämnad<"), "{page}");
}

#[test]
fn an_analyst_sees_every_unit_and_a_reader_only_the_report() {
    let dir = folder();
    let analyst = invite(dir.path(), "ks", "analyst");
    let reader = invite(dir.path(), "ks", "reader");
    let amn = invite(dir.path(), "amn", "committee");
    uppfolj(dir.path(), &["run", "p.toml", "--offline", "-q"]);
    let portal = start(dir.path());
    hand_in_amn(&portal, &amn);
    let a = sign_in(&portal, &analyst);
    let overview = portal.text(&a, "/");
    assert!(
        overview.contains("Återrapporteringar för 2022: 1 av "),
        "{overview}"
    );
    assert!(
        portal
            .get(&a, "/enhet/amn/uppladdning/1")
            .status()
            .is_success()
    );
    let zip = portal.get(&a, "/oversikt/godkanda.zip").bytes().unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip.to_vec())).unwrap();
    assert_eq!(archive.len(), 1);
    let mut inside = Vec::new();
    std::io::Read::read_to_end(
        &mut archive.by_name("2022/amn-2022.xlsx").unwrap(),
        &mut inside,
    )
    .unwrap();
    assert_eq!(
        inside,
        std::fs::read(portal.dir.join("inkorg/2022/amn-2022.xlsx")).unwrap()
    );
    assert!(portal.text(&a, "/rapport").contains("<html lang=\"sv\""));
    let r = sign_in(&portal, &reader);
    assert!(portal.text(&r, "/").contains("<html lang=\"sv\""));
    assert_eq!(portal.get(&r, "/enhet/amn").status(), StatusCode::NOT_FOUND);
    assert_eq!(portal.get(&r, "/oversikt").status(), StatusCode::NOT_FOUND);
}

/// A valid return whose first value is `n`, so that two differ.
pub(crate) fn valid_with(dir: &Path, n: f64) -> Vec<u8> {
    let p = pipeline::load(&dir.join("p.toml")).unwrap();
    let u = p.unit("amn").unwrap();
    let layout = uppfolj::layout::layout(&p, u, 2022);
    let mut fill = crate::samples::fill_for(&p, &layout);
    fill.values.insert(0, uppfolj::template::Entry::Number(n));
    uppfolj::template::workbook_bytes(&p, &layout, Some(&fill)).unwrap()
}

/// The id in the address an upload's answer ended on.
fn upload_id(r: &reqwest::blocking::Response) -> Option<i64> {
    r.url().path().rsplit('/').next()?.parse().ok()
}

#[test]
fn two_uploads_at_once_both_land_and_the_newer_is_published() {
    let s = session("amn");
    let (dir, portal, c, home) = (&s.dir, &s.portal, &s.client, &s.home);
    let t = csrf(home);
    let (a, b) = (valid_with(dir.path(), 11.0), valid_with(dir.path(), 12.0));
    let answers: Vec<(i64, Vec<u8>)> = std::thread::scope(|s| {
        let jobs: Vec<_> = [a, b]
            .into_iter()
            .map(|bytes| {
                let (c, portal, t) = (&c, &portal, &t);
                s.spawn(move || {
                    let r = upload(c, portal, "amn", t, "amn-2022.xlsx", bytes.clone());
                    (upload_id(&r).unwrap(), bytes)
                })
            })
            .collect();
        jobs.into_iter().map(|j| j.join().unwrap()).collect()
    });
    let newest = answers.iter().max_by_key(|(id, _)| *id).unwrap();
    assert_ne!(answers[0].0, answers[1].0, "both are in the history");
    assert_eq!(
        std::fs::read(portal.dir.join("inkorg/2022/amn-2022.xlsx")).unwrap(),
        newest.1
    );
}

/// Tiny deterministic randomness for the crash test.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// Uploads until told to stop or the server is gone; returns the ids the
/// server answered with, and whether each was valid.
fn keep_uploading(
    portal_url: &str,
    cookie: &str,
    csrf: &str,
    files: &[(Vec<u8>, bool)],
    stop: &std::sync::atomic::AtomicBool,
) -> Vec<(i64, bool)> {
    let c = Client::builder()
        .timeout(std::time::Duration::from_secs(20))
        .build()
        .unwrap();
    let mut answered = Vec::new();
    for (bytes, valid) in files.iter().cycle() {
        if stop.load(std::sync::atomic::Ordering::SeqCst) {
            break;
        }
        let form = multipart::Form::new()
            .text("csrf", csrf.to_string())
            .text("year", "2022")
            .part(
                "file",
                multipart::Part::bytes(bytes.clone()).file_name("amn-2022.xlsx"),
            );
        let r = c
            .post(format!("{portal_url}/enhet/amn/uppladdning"))
            .header("Cookie", cookie)
            .multipart(form)
            .send();
        match r {
            Ok(r) if r.status().is_success() => answered.push((upload_id(&r).unwrap(), *valid)),
            _ => break,
        }
    }
    answered
}

/// kill -9 at random moments during 50 uploads: after each restart the
/// log, the kept files and the inbox agree, and nothing answered is lost.
#[test]
fn a_server_killed_mid_upload_restarts_consistent() {
    let dir = folder();
    let token = invite(dir.path(), "amn", "committee");
    let files: Vec<(Vec<u8>, bool)> = (0..4)
        .map(|i| {
            if i % 2 == 0 {
                (valid_with(dir.path(), 20.0 + i as f64), true)
            } else {
                (filled(dir.path(), "amn", 2022, Some("ca 20")), false)
            }
        })
        .collect();
    let mut rng = Lcg(7);
    let mut answered: Vec<(i64, bool)> = Vec::new();
    let mut rounds = 0;
    // How long a round waits beyond its random kill time: it grows while
    // rounds end before any upload is answered (a loaded machine), so that
    // kills still come mid-upload but the test keeps making progress.
    let mut slack = 0u64;
    // Kills come every few uploads: at least 25 restarts in all.
    while (answered.len() < 50 || rounds < 25) && rounds < 400 {
        rounds += 1;
        let mut portal = start(dir.path());
        let cookie = session_cookie(&portal, &token);
        let page = client()
            .get(format!("{}/enhet/amn", portal.url))
            .header("Cookie", &cookie)
            .send()
            .unwrap()
            .text()
            .unwrap();
        let t = csrf(&page);
        let stop = std::sync::atomic::AtomicBool::new(false);
        let got = std::thread::scope(|s| {
            let job = s.spawn(|| keep_uploading(&portal.url, &cookie, &t, &files, &stop));
            std::thread::sleep(std::time::Duration::from_millis(rng.below(80) + slack));
            let _ = portal.child.kill();
            let _ = portal.child.wait();
            stop.store(true, std::sync::atomic::Ordering::SeqCst);
            job.join().unwrap()
        });
        slack = if got.is_empty() {
            (slack + 20).min(2000)
        } else {
            slack / 2
        };
        answered.extend(got);
        drop(portal);
        consistent(dir.path(), &answered);
    }
    assert!(
        answered.len() >= 50,
        "{} uploads answered in {rounds} rounds",
        answered.len()
    );
}

/// After a restart: every answered upload is in the log with its file, and
/// the inbox holds exactly the newest accepted one, with no half file.
fn consistent(dir: &Path, answered: &[(i64, bool)]) {
    let _restarted = start(dir);
    let db = rusqlite::Connection::open(dir.join("portal/portal.sqlite")).unwrap();
    let rows: Vec<(i64, String, bool)> = db
        .prepare("SELECT id, sha256, accepted FROM uploads ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for (id, valid) in answered {
        let row = rows
            .iter()
            .find(|r| r.0 == *id)
            .unwrap_or_else(|| panic!("upload {id} lost"));
        assert_eq!(row.2, *valid, "upload {id}");
    }
    for (id, sha, _) in &rows {
        let kept = std::fs::read(dir.join("portal/files").join(format!("{sha}.xlsx"))).unwrap();
        assert_eq!(
            &uppfolj::ledger::sha256_hex(&kept),
            sha,
            "upload {id}'s file"
        );
    }
    let inbox = dir.join("inkorg/2022");
    match rows.iter().rev().find(|r| r.2) {
        Some((_, sha, _)) => {
            let published = std::fs::read(inbox.join("amn-2022.xlsx")).unwrap();
            assert_eq!(&uppfolj::ledger::sha256_hex(&published), sha);
        }
        None => assert!(!inbox.join("amn-2022.xlsx").exists()),
    }
    let strays: Vec<_> = std::fs::read_dir(&inbox)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name())
                .filter(|n| n != "amn-2022.xlsx")
                .collect()
        })
        .unwrap_or_default();
    assert!(strays.is_empty(), "{strays:?}");
}

/// A chromedriver on a free port, stopped when dropped.
pub(crate) struct Driver(Child, pub(crate) String);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(crate) fn chromedriver() -> Driver {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver runs (Debian: apt-get install chromium chromium-driver)");
    let url = format!("http://127.0.0.1:{port}");
    // Up to 15 s: the tests run side by side on a busy machine.
    for _ in 0..300 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    Driver(child, url)
}

/// In headless Chromium, as a committee does it: the link, the button, the
/// file field, and the finding for the right cell.
#[test]
fn in_a_browser_a_committee_signs_in_uploads_and_sees_the_cell() {
    let dir = folder();
    let token = invite(dir.path(), "amn", "committee");
    let portal = start(dir.path());
    let file = dir.path().join("amn-2022.xlsx");
    std::fs::write(&file, filled(dir.path(), "amn", 2022, Some("ca 20"))).unwrap();
    let driver = chromedriver();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let page = runtime.block_on(async {
        use fantoccini::{ClientBuilder, Locator};
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({"args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]}),
        );
        let http = hyper_util::client::legacy::connect::HttpConnector::new();
        let b = ClientBuilder::new(http).capabilities(caps).connect(&driver.1).await.expect("a browser session");
        b.goto(&format!("{}/logga-in/{token}", portal.url)).await.unwrap();
        b.find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
        // The committee's page has come when its upload form has.
        let patience = std::time::Duration::from_secs(30);
        b.wait().at_most(patience).for_element(Locator::Css("form.upload")).await.unwrap();
        let title = b.find(Locator::Css("h1")).await.unwrap().text().await.unwrap();
        assert_eq!(title, "Arbetsmarknadsnämnden");
        b.find(Locator::Css("select#ar")).await.unwrap().select_by_value("2022").await.unwrap();
        b.find(Locator::Css("input#fil")).await.unwrap().send_keys(&file.to_string_lossy()).await.unwrap();
        b.find(Locator::Css("form.upload button[type=submit]")).await.unwrap().click().await.unwrap();
        let row = b.wait().at_most(patience).for_element(Locator::XPath("//td[text()='D4']/..")).await.unwrap();
        let row = row.text().await.unwrap();
        let source = b.source().await.unwrap();
        b.close().await.unwrap();
        (row, source)
    });
    assert!(
        page.0
            .contains("Indikatorer D4 ARB-1 ”Arbetssökande romer som nåtts med information, vägledning och stöd”, Kvinna, 16–29 år \"ca 20\" är inte ett heltal."),
        "{}",
        page.0
    );
    assert!(page.1.contains("Har fel"));
}

/// A merged district reads its predecessors' history, and hands in only
/// for itself.
#[test]
fn a_merged_district_reads_its_predecessors_history_only() {
    let s = session("jarva");
    let (portal, c, home, jarva) = (&s.portal, &s.client, &s.home, &s.token);
    assert!(
        home.contains("<a href=\"/enhet/rinkeby-kista\">Rinkeby-Kista stadsdelsnämnd</a>"),
        "{home}"
    );
    for (path, status) in [
        ("/enhet/rinkeby-kista", StatusCode::OK),
        ("/enhet/spanga-tensta", StatusCode::OK),
        ("/enhet/amn", StatusCode::NOT_FOUND),
        ("/enhet/rinkeby-kista/mall/2022", StatusCode::OK),
    ] {
        assert_eq!(portal.get(c, path).status(), status, "{path}");
    }
    let cookie = session_cookie(portal, jarva);
    let answer = raw_upload(portal, "rinkeby-kista", &cookie, &csrf(home), 10_000);
    assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
}
