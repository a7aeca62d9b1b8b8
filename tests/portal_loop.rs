//! The yearly loop in the portal, on the real server and a real SMTP server
//! on 127.0.0.1: an upload with a comment, the analyst's review, a send-back
//! with a reason the committee sees and is mailed, the upload again, the
//! approval that locks it, a re-open, timeliness, reminders to exactly the
//! units that owe a return, and the log of every step.

use std::path::Path;
use std::process::Command;

use reqwest::StatusCode;
use reqwest::blocking::Client;
use uppfolj::pipeline;

use crate::portal::{Portal, client, csrf, invite, sign_in, start, upload};
use crate::smtp::{self, Mode, Smtp};
use crate::test::Test;

/// The sample pipeline with an empty inbox, the portal on port 0 and mail
/// through the test's SMTP server.
fn folder(smtp_port: u16, extra: &str) -> tempfile::TempDir {
    let mail = format!(
        "years = [2022]\n{extra}\n[portal.mail]\nhost = \"127.0.0.1\"\nport = {smtp_port}\nsecurity = \"none\"\nsender = \"Kommunstyrelsen <uppfoljning@example.se>\"\ntimeout_seconds = 2\n"
    );
    let (_, dir) = crate::run::pipeline_in_test_folder_with(
        Test::new(),
        "inkorg",
        "enkat/enkat-2018.csv",
        "ut",
        "diagram",
        &[
            ("listen = \"127.0.0.1:8080\"", "listen = \"127.0.0.1:0\""),
            ("data = \"../portal-data\"", "data = \"portal\""),
            ("years = [2022]\n", mail.as_str()),
        ],
    )
    .args(&["check", "p.toml"])
    .run_keep();
    dir
}

fn uppfolj(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_uppfolj"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn invite_with(dir: &Path, unit: &str, email: &str) -> String {
    let out = uppfolj(
        dir,
        &[
            "portal", "invite", "p.toml", "--unit", unit, "--email", email,
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .trim()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string()
}

/// Arbetsmarknadsnämndens 2022 return, with a comment on its first value.
fn amn_return(dir: &Path, comment: &str, first: f64) -> Vec<u8> {
    let p = pipeline::load(&dir.join("p.toml")).unwrap();
    let layout = uppfolj::layout::layout(&p, p.unit("amn").unwrap(), 2022);
    let mut fill = crate::samples::fill_for(&p, &layout);
    fill.comments.insert(0, comment.to_string());
    fill.values
        .insert(0, uppfolj::template::Entry::Number(first));
    uppfolj::template::workbook_bytes(&p, &layout, Some(&fill)).unwrap()
}

fn post(
    c: &Client,
    portal: &Portal,
    path: &str,
    form: &[(&str, &str)],
) -> reqwest::blocking::Response {
    c.post(format!("{}{path}", portal.url))
        .form(form)
        .send()
        .unwrap()
}

const REVIEW: &str = "/enhet/amn/granska/2022";

#[test]
fn send_back_upload_again_approve_lock_reopen_and_the_log_lists_each_step() {
    let mail = smtp::start(Mode::Accept);
    let dir = folder(mail.port, "");
    let amn = invite_with(dir.path(), "amn", "amn@example.se");
    let analyst = invite(dir.path(), "ks", "analyst");
    let reader = invite(dir.path(), "ks", "reader");
    let portal = start(dir.path());

    let c = sign_in(&portal, &amn);
    let home = portal.text(&c, "/");
    let t = csrf(&home);
    let first = upload(
        &c,
        &portal,
        "amn",
        &t,
        "amn-2022.xlsx",
        amn_return(dir.path(), "Inkl. Spånga-Tensta", 21.0),
    );
    let first = first.text().unwrap();
    assert!(first.contains(">Utan fel<"), "{first}");
    assert!(
        first.contains("<td class=\"comment\">Inkl. Spånga-Tensta</td>"),
        "{first}"
    );

    // The analyst sees the value, last year's beside it, and the comment.
    let a = sign_in(&portal, &analyst);
    let page = portal.text(&a, REVIEW);
    assert!(page.contains("<td class=\"num\">21</td>"), "{page}");
    assert!(
        page.contains("<td class=\"comment\">Inkl. Spånga-Tensta</td>"),
        "{page}"
    );
    assert!(
        page.contains(">Inlämnad<") && page.contains(">Godkänn<"),
        "{page}"
    );
    // A share is shown as the committee wrote it: täljare of nämnare.
    let share = &page[page.find("ARB-5 ").unwrap()..];
    let share = &share[..share.find("</tr>").unwrap()];
    assert!(share.contains(" av ") && !share.contains("0,"), "{share}");
    let at = csrf(&page);

    // A send-back needs a reason, and a reason never holds an identifier.
    let none = post(
        &a,
        &portal,
        &format!("{REVIEW}/skicka-tillbaka"),
        &[("csrf", &at), ("reason", "  ")],
    );
    assert_eq!(none.status(), StatusCode::BAD_REQUEST);
    assert!(none.text().unwrap().contains("Skriv varför"));
    let pnr = post(
        &a,
        &portal,
        &format!("{REVIEW}/skicka-tillbaka"),
        &[("csrf", &at), ("reason", "se 19811218-9876")],
    );
    assert_eq!(pnr.status(), StatusCode::BAD_REQUEST);
    assert!(pnr.text().unwrap().contains("liknar ett personnummer"));
    let reason = "ARB-1 verkar dubbelraknat med Rinkeby-Kista; kontrollera och ladda upp igen.";
    let back = post(
        &a,
        &portal,
        &format!("{REVIEW}/skicka-tillbaka"),
        &[("csrf", &at), ("reason", reason)],
    );
    assert_eq!(back.status(), StatusCode::OK);
    assert!(back.text().unwrap().contains(">Återsänd<"));

    // The committee sees the reason, and was mailed it.
    let mine = portal.text(&c, "/enhet/amn");
    assert!(
        mine.contains(">Återsänd<") && mine.contains(&format!("<blockquote>{reason}</blockquote>")),
        "{mine}"
    );
    let got = mail.received();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].to, vec!["amn@example.se".to_string()]);
    assert!(got[0].data.contains("dubbelraknat"), "{}", got[0].data);

    // Uploaded again, then approved: locked for the committee.
    upload(
        &c,
        &portal,
        "amn",
        &t,
        "amn-2022.xlsx",
        amn_return(dir.path(), "Utan Spånga-Tensta", 14.0),
    );
    let page = portal.text(&a, REVIEW);
    assert!(
        page.contains(">Inlämnad<") && page.contains("<td class=\"num\">14</td>"),
        "{page}"
    );
    let ok = post(
        &a,
        &portal,
        &format!("{REVIEW}/godkann"),
        &[("csrf", &csrf(&page))],
    );
    assert!(ok.text().unwrap().contains(">Godkänd av Kommunstyrelsen<"));
    let locked = upload(
        &c,
        &portal,
        "amn",
        &t,
        "amn-2022.xlsx",
        amn_return(dir.path(), "x", 1.0),
    );
    assert_eq!(locked.status(), StatusCode::CONFLICT);
    assert!(
        locked
            .text()
            .unwrap()
            .contains("Kommunstyrelsen har godkänt er återrapportering")
    );
    let mine = portal.text(&c, "/enhet/amn");
    assert!(
        mine.contains(">Godkänd av Kommunstyrelsen<") && !mine.contains("name=\"file\""),
        "{mine}"
    );

    // Only an analyst decides: a committee and a reader get the page that does not exist.
    // A reader lands on the report, which is not there yet (404), signed in all the same.
    let r = client();
    portal.get(&r, &format!("/logga-in/{reader}"));
    r.post(format!("{}/logga-in", portal.url))
        .form(&[("token", reader.as_str())])
        .send()
        .unwrap();
    let reader_csrf = csrf(&portal.text(&r, "/rapport"));
    for (who, token) in [(&c, t.as_str()), (&r, reader_csrf.as_str())] {
        let tried = post(
            who,
            &portal,
            &format!("{REVIEW}/oppna-igen"),
            &[("csrf", token), ("reason", "jag vill")],
        );
        assert_eq!(tried.status(), StatusCode::NOT_FOUND);
        assert_eq!(portal.get(who, REVIEW).status(), StatusCode::NOT_FOUND);
        assert_eq!(portal.get(who, "/logg").status(), StatusCode::NOT_FOUND);
    }
    assert_eq!(
        portal.get(&client(), REVIEW).status(),
        StatusCode::NOT_FOUND
    );

    // Re-opened with a reason: the committee may upload again.
    let page = portal.text(&a, REVIEW);
    let reopened = post(
        &a,
        &portal,
        &format!("{REVIEW}/oppna-igen"),
        &[
            ("csrf", &csrf(&page)),
            ("reason", "Nämnden rättar en siffra."),
        ],
    );
    assert!(reopened.text().unwrap().contains(">Inlämnad<"));
    let again = upload(
        &c,
        &portal,
        "amn",
        &t,
        "amn-2022.xlsx",
        amn_return(dir.path(), "Rättad", 15.0),
    );
    assert_eq!(again.status(), StatusCode::OK);

    // The overview: late (the 2022 deadline was in 2023), and missing.
    let overview = portal.text(&a, "/oversikt");
    let row = |unit: &str| {
        let at = overview
            .find(&format!("<a href=\"/enhet/{unit}\">"))
            .unwrap();
        overview[at..at + overview[at..].find("</tr>").unwrap()].to_string()
    };
    assert!(row("amn").contains("<td>sen ("), "{}", row("amn"));
    assert!(
        row("farsta").contains("<td>saknas</td>"),
        "{}",
        row("farsta")
    );

    // The log lists each step, in order, on the page and from the command line.
    let log = String::from_utf8(
        uppfolj(dir.path(), &["portal", "logg", "p.toml", "--unit", "amn"]).stdout,
    )
    .unwrap();
    let kinds: Vec<&str> = log
        .lines()
        .skip(1)
        .map(|l| l.split('\t').nth(1).unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "inbjudan",
            "inloggning",
            "uppladdning",
            "skickad tillbaka",
            "påminnelse skickad",
            "uppladdning",
            "godkänd",
            "öppnad igen",
            "uppladdning"
        ],
        "{log}"
    );
    assert!(
        log.contains(
            "skickad tillbaka\tamn\t2022\tlänk 2 (analytiker)\t\tuppladdning 1: ARB-1 verkar"
        ),
        "{log}"
    );
    assert!(!log.contains("amn@example.se"));
    let csv = String::from_utf8(uppfolj(dir.path(), &["portal", "logg", "p.toml", "--csv"]).stdout)
        .unwrap();
    assert!(
        csv.starts_with("tid,händelse,enhet,år,av,adress,detalj\r\n"),
        "{csv}"
    );
    assert!(csv.contains(",misslyckad inloggning,") || !csv.contains("misslyckad"));
    let page = portal.text(&a, "/logg?enhet=amn");
    assert!(
        page.contains("<td>godkänd</td>") && page.contains("<td>öppnad igen</td>"),
        "{page}"
    );
    assert!(portal.text(&a, "/logg").contains("<td>inloggning</td>"));
}

/// A unit that has handed in, or put its return in the inbox another way,
/// or is approved, gets no reminder; the others get one each, once.
#[test]
fn remind_sends_exactly_to_the_units_that_owe_a_return_and_only_once() {
    let mail = smtp::start(Mode::Accept);
    let dir = folder(mail.port, "");
    let amn = invite_with(dir.path(), "amn", "amn@example.se");
    invite_with(dir.path(), "farsta", "farsta@example.se");
    invite_with(dir.path(), "kungsholmen", "kungsholmen@example.se");
    invite_with(dir.path(), "bromma", "bromma@example.se");
    crate::portal::in_inbox(dir.path(), 2022, "kungsholmen-2022.xlsx");
    {
        let portal = start(dir.path());
        let c = sign_in(&portal, &amn);
        let t = csrf(&portal.text(&c, "/"));
        upload(
            &c,
            &portal,
            "amn",
            &t,
            "amn-2022.xlsx",
            amn_return(dir.path(), "ok", 20.0),
        );
    }
    let dry = uppfolj(dir.path(), &["portal", "remind", "p.toml", "--dry-run"]);
    let said = String::from_utf8(dry.stdout).unwrap();
    assert!(
        said.contains("farsta 2022: skulle få en påminnelse (1 adress)"),
        "{said}"
    );
    assert!(
        said.contains("bromma 2022: skulle få en påminnelse"),
        "{said}"
    );
    assert!(
        !said.contains("amn 2022") && !said.contains("kungsholmen 2022"),
        "{said}"
    );
    assert!(
        said.contains("ostermalm 2022: ingen e-postadress"),
        "{said}"
    );
    assert!(mail.received().is_empty(), "a dry run sends nothing");

    let run = uppfolj(dir.path(), &["portal", "remind", "p.toml"]);
    assert_eq!(
        run.status.code(),
        Some(1),
        "units without an address were not reached"
    );
    let said = String::from_utf8(run.stdout).unwrap();
    assert!(
        said.contains("farsta 2022: påminnelse skickad (1 adress)"),
        "{said}"
    );
    let mut to: Vec<String> = mail.received().iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(to, ["bromma@example.se", "farsta@example.se"]);

    // Run again the same day: nothing more goes out.
    let again =
        String::from_utf8(uppfolj(dir.path(), &["portal", "remind", "p.toml"]).stdout).unwrap();
    assert!(!again.contains("påminnelse skickad"), "{again}");
    assert_eq!(mail.received().len(), 2);
    let log = String::from_utf8(
        uppfolj(
            dir.path(),
            &["portal", "logg", "p.toml", "--unit", "farsta"],
        )
        .stdout,
    )
    .unwrap();
    assert!(
        log.contains("påminnelse skickad\tfarsta\t2022\tkommandoraden\t\ttill länk 2"),
        "{log}"
    );
}

/// A server that refuses, or never answers: the command ends within its
/// time, says who was not reached, and the next run tries again.
#[test]
fn a_refusing_or_silent_server_is_reported_per_unit_and_tried_again() {
    for mode in [Mode::Refuse, Mode::Silent] {
        let bad: Smtp = smtp::start(mode);
        let dir = folder(bad.port, "");
        invite_with(dir.path(), "farsta", "farsta@example.se");
        invite_with(dir.path(), "bromma", "bromma@example.se");
        let started = std::time::Instant::now();
        let run = uppfolj(dir.path(), &["portal", "remind", "p.toml"]);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "it ended in time"
        );
        assert_eq!(run.status.code(), Some(1));
        let said = String::from_utf8(run.stdout).unwrap();
        assert!(
            said.contains("farsta 2022: inte skickad: e-postservern"),
            "{said}"
        );
        assert!(
            said.contains("bromma 2022: inte skickad: e-postservern"),
            "{said}"
        );
        assert!(!said.contains("@example.se"), "{said}");

        // The same pipeline against a server that works: tried again.
        let good = smtp::start(Mode::Accept);
        let text = std::fs::read_to_string(dir.path().join("p.toml")).unwrap();
        let text = text.replace(
            &format!("port = {}\n", bad.port),
            &format!("port = {}\n", good.port),
        );
        std::fs::write(dir.path().join("p.toml"), text).unwrap();
        let said =
            String::from_utf8(uppfolj(dir.path(), &["portal", "remind", "p.toml"]).stdout).unwrap();
        assert!(said.contains("farsta 2022: påminnelse skickad"), "{said}");
        assert_eq!(good.received().len(), 2);
    }
}

#[test]
fn an_address_that_is_not_an_address_is_refused() {
    let mail = smtp::start(Mode::Accept);
    let dir = folder(mail.port, "");
    let out = uppfolj(
        dir.path(),
        &[
            "portal",
            "invite",
            "p.toml",
            "--unit",
            "amn",
            "--email",
            "amn at example",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("\"amn at example\" är ingen e-postadress"),
        "{err}"
    );
}

/// With `publish = "approved"`, a return reaches the inbox only once approved.
#[test]
fn with_publish_approved_only_an_approved_return_reaches_the_inbox() {
    let mail = smtp::start(Mode::Accept);
    let dir = folder(mail.port, "publish = \"approved\"\n");
    let amn = invite(dir.path(), "amn", "committee");
    let analyst = invite(dir.path(), "ks", "analyst");
    let portal = start(dir.path());
    let c = sign_in(&portal, &amn);
    let t = csrf(&portal.text(&c, "/"));
    let bytes = amn_return(dir.path(), "ok", 20.0);
    upload(&c, &portal, "amn", &t, "amn-2022.xlsx", bytes.clone());
    let inbox = dir.path().join("inkorg/2022/amn-2022.xlsx");
    assert!(!inbox.exists(), "not before it is approved");
    let a = sign_in(&portal, &analyst);
    let page = portal.text(&a, REVIEW);
    post(
        &a,
        &portal,
        &format!("{REVIEW}/godkann"),
        &[("csrf", &csrf(&page))],
    );
    assert_eq!(std::fs::read(&inbox).unwrap(), bytes);
}

/// A closed year takes no uploads until an analyst opens it for the unit.
#[test]
fn a_closed_year_takes_no_uploads_until_opened_for_the_unit() {
    let mail = smtp::start(Mode::Accept);
    let dir = folder(mail.port, "closes = { 2022 = 2023-03-31 }\n");
    let amn = invite(dir.path(), "amn", "committee");
    let analyst = invite(dir.path(), "ks", "analyst");
    let portal = start(dir.path());
    let c = sign_in(&portal, &amn);
    let t = csrf(&portal.text(&c, "/"));
    assert!(
        portal
            .text(&c, "/enhet/amn")
            .contains("Året är stängt för uppladdning")
    );
    let closed = upload(
        &c,
        &portal,
        "amn",
        &t,
        "amn-2022.xlsx",
        amn_return(dir.path(), "ok", 20.0),
    );
    assert_eq!(closed.status(), StatusCode::CONFLICT);
    let a = sign_in(&portal, &analyst);
    let page = portal.text(&a, REVIEW);
    post(
        &a,
        &portal,
        &format!("{REVIEW}/oppna"),
        &[("csrf", &csrf(&page))],
    );
    let open = upload(
        &c,
        &portal,
        "amn",
        &t,
        "amn-2022.xlsx",
        amn_return(dir.path(), "ok", 20.0),
    );
    assert_eq!(open.status(), StatusCode::OK);
    assert!(dir.path().join("inkorg/2022/amn-2022.xlsx").is_file());
}

/// In headless Chromium, a committee and an analyst side by side: an
/// upload, a send-back with a reason the committee reads, the upload again,
/// the approval, and a page that no longer offers an upload. With
/// `UPPFOLJ_SCREENSHOTS` set, the pages are saved there as pictures.
#[test]
fn in_a_browser_send_back_upload_again_and_approve() {
    let mail = smtp::start(Mode::Accept);
    let dir = folder(mail.port, "");
    let amn = invite(dir.path(), "amn", "committee");
    let analyst = invite(dir.path(), "ks", "analyst");
    let portal = start(dir.path());
    let file = dir.path().join("amn-2022.xlsx");
    std::fs::write(&file, amn_return(dir.path(), "Inkl. Spånga-Tensta", 21.0)).unwrap();
    let driver = crate::portal::chromedriver();
    let shots = std::env::var_os("UPPFOLJ_SCREENSHOTS").map(std::path::PathBuf::from);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (returned, approved) = runtime.block_on(async {
        use fantoccini::{Client as Browser, ClientBuilder, Locator};
        let patience = std::time::Duration::from_secs(30);
        let open = || async {
            let mut caps = serde_json::Map::new();
            caps.insert(
                "goog:chromeOptions".into(),
                serde_json::json!({"args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--window-size=1280,1600"]}),
            );
            let http = hyper_util::client::legacy::connect::HttpConnector::new();
            ClientBuilder::new(http).capabilities(caps).connect(&driver.1).await.expect("a browser session")
        };
        let base = portal.url.clone();
        let sign_in = |b: Browser, token: String| {
            let base = base.clone();
            async move {
            b.goto(&format!("{base}/logga-in/{token}")).await.unwrap();
            b.find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
            b.wait().at_most(patience).for_element(Locator::Css("h1")).await.unwrap();
            b
            }
        };
        let shot = |b: &Browser, name: &str| {
            let (b, path) = (b.clone(), shots.as_ref().map(|d| d.join(name)));
            async move {
                if let Some(path) = path {
                    std::fs::write(path, b.screenshot().await.unwrap()).unwrap();
                }
            }
        };
        let upload = |b: Browser| {
            let file = file.clone();
            async move {
                b.find(Locator::Css("input#fil")).await.unwrap().send_keys(&file.to_string_lossy()).await.unwrap();
                b.find(Locator::Css("form.upload button[type=submit]")).await.unwrap().click().await.unwrap();
                b.wait().at_most(patience).for_element(Locator::XPath("//span[text()='Utan fel']")).await.unwrap();
            }
        };
        let c = sign_in(open().await, amn.clone()).await;
        upload(c.clone()).await;
        let a = sign_in(open().await, analyst.clone()).await;
        a.goto(&format!("{}{REVIEW}", portal.url)).await.unwrap();
        a.find(Locator::Css("textarea#skal")).await.unwrap().send_keys("ARB-1 ser dubbelräknat ut; kontrollera.").await.unwrap();
        a.find(Locator::XPath("//button[text()='Skicka tillbaka']")).await.unwrap().click().await.unwrap();
        a.wait().at_most(patience).for_element(Locator::XPath("//span[text()='Återsänd']")).await.unwrap();
        c.goto(&format!("{}/enhet/amn", portal.url)).await.unwrap();
        let returned = c.find(Locator::Css("div.returned")).await.unwrap().text().await.unwrap();
        shot(&c, "nämnd-återsänd.png").await;
        upload(c.clone()).await;
        a.goto(&format!("{}{REVIEW}", portal.url)).await.unwrap();
        a.find(Locator::XPath("//button[text()='Godkänn']")).await.unwrap().click().await.unwrap();
        a.wait().at_most(patience).for_element(Locator::XPath("//span[text()='Godkänd av Kommunstyrelsen']")).await.unwrap();
        shot(&a, "granska-godkänd.png").await;
        a.goto(&format!("{}/oversikt", portal.url)).await.unwrap();
        shot(&a, "översikt.png").await;
        c.goto(&format!("{}/enhet/amn", portal.url)).await.unwrap();
        let approved = c.source().await.unwrap();
        shot(&c, "nämnd-godkänd.png").await;
        c.close().await.unwrap();
        a.close().await.unwrap();
        (returned, approved)
    });
    assert!(
        returned.contains("Skickad tillbaka till er.")
            && returned.contains("ARB-1 ser dubbelräknat ut; kontrollera."),
        "{returned}"
    );
    assert!(
        approved.contains(">Godkänd av Kommunstyrelsen<"),
        "{approved}"
    );
    assert!(
        !approved.contains("form class=\"upload\""),
        "no upload is offered"
    );
}

/// A comment with a planted personnummer: an error on its cell, and its
/// text in no page, log, database or file the portal keeps but the upload.
#[test]
fn a_comment_with_an_identifier_is_refused_and_kept_nowhere_in_the_portal() {
    let mail = smtp::start(Mode::Accept);
    let dir = folder(mail.port, "");
    let amn = invite(dir.path(), "amn", "committee");
    let analyst = invite(dir.path(), "ks", "analyst");
    let portal = start(dir.path());
    let c = sign_in(&portal, &amn);
    let t = csrf(&portal.text(&c, "/"));
    let bytes = amn_return(dir.path(), "Kontakt 19811218 – 9876 hos oss", 21.0);
    let page = upload(&c, &portal, "amn", &t, "amn-2022.xlsx", bytes)
        .text()
        .unwrap();
    assert!(page.contains(">Har fel<"), "{page}");
    assert!(
        page.contains("<td>F4</td>") && page.contains("Ta bort personuppgiften ur kommentaren"),
        "{page}"
    );
    let a = sign_in(&portal, &analyst);
    let pages = [
        page,
        portal.text(&c, "/enhet/amn"),
        portal.text(&a, REVIEW),
        portal.text(&a, "/logg"),
    ];
    let log = String::from_utf8(uppfolj(dir.path(), &["portal", "logg", "p.toml"]).stdout).unwrap();
    drop(portal);
    let mut kept: Vec<String> = pages.to_vec();
    kept.push(log);
    for (name, bytes) in crate::run::files(dir.path()) {
        // The upload itself is kept as sent, and nothing else has the text.
        if !name.starts_with("portal/files/") && !name.ends_with(".xlsx") {
            kept.push(String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    for text in kept {
        for needle in ["Kontakt 1981", "9876 hos", "198112189876", "8112189876"] {
            assert!(!text.contains(needle), "{needle} leaked: {text}");
        }
    }
}

/// An upload with the committee's decision (date, paragraph) as the form sends it.
fn upload_decided(
    c: &Client,
    portal: &Portal,
    csrf: &str,
    decided: &str,
    paragraph: &str,
    bytes: Vec<u8>,
) -> reqwest::blocking::Response {
    use reqwest::blocking::multipart;
    let form = multipart::Form::new()
        .text("csrf", csrf.to_string())
        .text("year", "2022")
        .text("decided", decided.to_string())
        .text("paragraph", paragraph.to_string())
        .part(
            "file",
            multipart::Part::bytes(bytes).file_name("amn-2022.xlsx"),
        );
    c.post(format!("{}/enhet/amn/uppladdning", portal.url))
        .multipart(form)
        .send()
        .unwrap()
}

/// The 2022 completeness entry of Arbetsmarknadsnämnden in `kvalitet.json`.
fn amn_status(dir: &Path) -> serde_json::Value {
    let out = uppfolj(dir, &["run", "p.toml", "--offline", "--quiet"]);
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let q: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("ut/kvalitet.json")).unwrap()).unwrap();
    let year = q["completeness"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["year"] == 2022)
        .unwrap()
        .clone();
    let returns = year["returns"].as_array().unwrap();
    assert!(returns.len() > 1, "every expected unit: {returns:?}");
    let others = returns.iter().filter(|r| r["unit_id"] != "amn");
    for r in others {
        assert_eq!(r["handed_in"], false, "{r}");
        assert_eq!(r["timeliness"], "saknas", "{r}");
    }
    returns
        .iter()
        .find(|r| r["unit_id"] == "amn")
        .unwrap()
        .clone()
}

/// The committee's decision given with the upload reaches the analyst and,
/// through the portal's hand-in file, the run's completeness in
/// `kvalitet.json` and the report's annex, beside approval and timeliness;
/// a bad date or a paragraph holding an identifier is refused with why;
/// a return replaced by hand in the inbox is no longer reported approved.
#[test]
fn the_decision_approval_and_timeliness_reach_the_run_for_the_very_file_approved() {
    let mail = smtp::start(Mode::Accept);
    let dir = folder(mail.port, "");
    let amn = invite(dir.path(), "amn", "committee");
    let analyst = invite(dir.path(), "ks", "analyst");
    let portal = start(dir.path());
    let c = sign_in(&portal, &amn);
    let home = portal.text(&c, "/");
    assert!(home.contains("<input id=\"beslut\" name=\"decided\" type=\"date\">"));
    let t = csrf(&home);
    let bytes = amn_return(dir.path(), "ok", 20.0);
    for (date, paragraph, says) in [
        (
            "2023-02-30",
            "",
            "Beslutsdatumet går inte att läsa som ett datum.",
        ),
        (
            "2999-01-01",
            "",
            "Beslutsdatumet 2999-01-01 har inte kommit än.",
        ),
        (
            "2021-06-01",
            "",
            "Beslutsdatumet 2021-06-01 ligger före år 2022",
        ),
        (
            "",
            "§ 12",
            "Ni har angett en paragraf men inget beslutsdatum.",
        ),
        (
            "2023-02-14",
            "§ 12 19811218 – 9876",
            "Paragrafen innehåller något som liknar ett personnummer",
        ),
    ] {
        let r = upload_decided(&c, &portal, &t, date, paragraph, bytes.clone());
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{date} {paragraph}");
        let text = r.text().unwrap();
        assert!(text.contains(says), "{text}");
        // The page's CSRF token is 64 random hex digits, which may hold any four.
        let said = crate::run::without_digests(&text);
        assert!(!said.contains("9876"), "{text}");
    }
    let inbox = dir.path().join("inkorg/2022/amn-2022.xlsx");
    assert!(!inbox.exists(), "nothing refused is handed in");
    let page = upload_decided(&c, &portal, &t, "2023-02-14", "§ 12", bytes.clone());
    let page = page.text().unwrap();
    assert!(
        page.contains("<p>Nämndens beslut: 2023-02-14, § 12.</p>"),
        "{page}"
    );

    // Handed in but not approved: the run says so, and that it came late.
    let s = amn_status(dir.path());
    assert_eq!(s["handed_in"], true, "{s}");
    assert_eq!(s["approved"], false, "{s}");
    assert_eq!(s["timeliness"], "sen", "{s}");
    let late = s["days_late"].as_i64().unwrap();
    assert!(late > 1000, "the deadline was 15 February 2023: {s}");
    assert_eq!(s["decision"]["date"], "2023-02-14", "{s}");
    assert_eq!(s["decision"]["paragraph"], "§ 12", "{s}");

    let a = sign_in(&portal, &analyst);
    let review = portal.text(&a, REVIEW);
    assert!(
        review.contains("<p>Nämndens beslut: 2023-02-14, § 12.</p>"),
        "{review}"
    );
    let r = post(
        &a,
        &portal,
        &format!("{REVIEW}/godkann"),
        &[("csrf", &csrf(&review))],
    );
    assert!(r.status().is_success());
    let s = amn_status(dir.path());
    assert_eq!(s["approved"], true, "{s}");
    let report = std::fs::read_to_string(dir.path().join("ut/rapport.html")).unwrap();
    let row = format!(
        "<tr><th scope=\"row\">Arbetsmarknadsnämnden</th><td>Ja</td><td>Godkänd av Kommunstyrelsen</td><td>sen ({late} dagar)</td><td>2023-02-14, § 12</td></tr>"
    );
    assert!(report.contains(&row), "{row}");
    assert!(
        report.contains("<strong>1</strong> av återrapporteringarna är godkända av Kommunstyrelsen och <strong>0</strong> kom in i tid"),
        "the key point counts them"
    );

    // The same unit's return put in the inbox by hand is not what was approved.
    drop(portal);
    std::fs::write(&inbox, amn_return(dir.path(), "ok", 21.0)).unwrap();
    let s = amn_status(dir.path());
    assert_eq!(
        (&s["approved"], &s["timeliness"]),
        (&serde_json::json!(false), &serde_json::json!("okänt")),
        "{s}"
    );
    assert_eq!(s["decision"], serde_json::Value::Null, "{s}");

    // A hand-in file that does not read is a warning that says where.
    std::fs::write(
        dir.path().join("portal/inlamningar.json"),
        "{\"version\": 1,\n\"returns\": 7}",
    )
    .unwrap();
    let out = uppfolj(dir.path(), &["run", "p.toml", "--offline", "-v"]);
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("inlamningar.json: rad 2, kolumn "), "{text}");
}
