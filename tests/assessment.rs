//! The owner's own assessment: Markdown files per year, printed in the
//! report's summary and areas once they pass the identifier checks; a start
//! written with the year's figures by `uppfolj bedomning`, never over a file
//! that is there.

use uppfolj::store::names;

use crate::run::{files, pipeline_in_test_folder_with, shared};
use crate::test::{Test, repo_root};

/// The sample pipeline in a test folder, its assessments in `bedomningar/`.
fn with_own_folder(t: Test) -> Test {
    let root = repo_root();
    let survey = root
        .join("data-samples/survey/enkat-2018.csv")
        .to_string_lossy()
        .replace('\\', "/");
    let inbox = root
        .join("data-samples/returns")
        .to_string_lossy()
        .replace('\\', "/");
    let sample = root
        .join("data-samples/bedomningar")
        .to_string_lossy()
        .replace('\\', "/");
    let from = format!("assessments = \"{sample}\"");
    pipeline_in_test_folder_with(
        t,
        &inbox,
        &survey,
        "ut",
        "diagram",
        &[(&from, "assessments = \"bedomningar\"")],
    )
}

#[test]
fn the_samples_assessments_are_in_the_summary_each_area_and_a_box_of_their_own() {
    let html = shared().text(names::REPORT);
    assert!(html.contains("<h3 id=\"bedomning\">Kommunstyrelsens bedömning</h3>\n<p><em>Exempel: texten är påhittad"), "summary");
    for area in ["ARB", "UTB", "KUL", "SOC", "UPP"] {
        assert!(
            html.contains(&format!(
                "<h3 id=\"bedomning-{area}\">Kommunstyrelsens bedömning</h3>"
            )),
            "{area}"
        );
    }
    assert!(html.contains("<h3 id=\"samrad\">Samråd 2022</h3>"));
    assert!(
        !shared().text("kvalitet.json").contains("bedomningar/"),
        "no finding on the samples"
    );
}

#[test]
fn an_identifier_refuses_the_file_raw_html_is_text_and_a_draft_is_left_out() {
    let t = with_own_folder(Test::new())
        .write(
            "bedomningar/2022/sammanfattning.md",
            "Året gick bra.\n\n<script>alert(1)</script>\n\nText <b>fet</b> och [en länk](javascript:alert(1)).\n",
        )
        .write(
            "bedomningar/2022/ARB.md",
            "Bra år.\nKontakta handläggaren 19811218 – 9876.\n",
        )
        .write(
            "bedomningar/2022/UTB.md",
            "UTKAST: skriv här.\n\nUnderlag.\n",
        )
        .write("bedomningar/2022/KUL.md", [b'K', b'u', 0xff, b'\n'])
        .write(
            "bedomningar/2022/SOC.md",
            "Socialtjänsten har *stärkt* samverkan.\n",
        );
    let (out, dir) = t.args(&["run", "p.toml", "--offline", "-q"]).run_keep();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("Bedömningar som saknas för 2022: Rätten till arbete och försörjning, Rätten till utbildning, Rätten till kultur och Ansvarsfördelning och uppföljning\n"),
        "{stdout}"
    );
    let all = files(dir.path());
    let quality = String::from_utf8(all["ut/kvalitet.json"].clone()).unwrap();
    assert!(quality.contains("rad 2: innehåller något som liknar ett personnummer eller samordningsnummer. En bedömning som publiceras får inte ha personuppgifter; ta bort den."), "{quality}");
    assert!(
        quality.contains("rad 1: texten är inte UTF-8. Spara filen som UTF-8"),
        "{quality}"
    );
    assert!(
        quality.contains("Området Ansvarsfördelning och uppföljning har ingen bedömning för 2022."),
        "{quality}"
    );
    for (name, bytes) in &all {
        if name.starts_with("bedomningar/") || name.contains("/cache/") {
            continue;
        }
        let text = String::from_utf8_lossy(bytes);
        assert!(
            !text.contains("19811218") && !text.contains("handläggaren"),
            "{name} holds the refused text"
        );
        assert!(
            !text.contains("<script") && !text.contains("href=\"javascript"),
            "{name}"
        );
    }
    let html = String::from_utf8(all["ut/rapport.html"].clone()).unwrap();
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
            && html.contains("<p>Text &lt;b&gt;fet&lt;/b&gt; och en länk.</p>"),
        "raw HTML as text"
    );
    assert!(html.contains("<h3 id=\"bedomning-SOC\">Kommunstyrelsens bedömning</h3>\n<p>Socialtjänsten har <em>stärkt</em> samverkan.</p>"));
    assert!(
        !html.contains("bedomning-ARB")
            && !html.contains("bedomning-UTB")
            && !html.contains("UTKAST")
    );
}

#[test]
fn a_start_holds_the_figures_and_nothing_written_is_replaced() {
    let mine = "Vår egen bedömning av arbetsmarknaden.\n";
    let (_, dir) = with_own_folder(Test::new())
        .write("bedomningar/2022/ARB.md", mine)
        .args(&["bedomning", "p.toml", "--year", "2022"])
        .stdout_has("Skrev bedomningar/2022/sammanfattning.md\n")
        .stdout_has("Skrev bedomningar/2022/SOC.md\n")
        .stdout_has("Fanns redan och är orörd: bedomningar/2022/ARB.md\n")
        .run_keep();
    let read =
        |f: &str| std::fs::read_to_string(dir.path().join("bedomningar/2022").join(f)).unwrap();
    assert_eq!(read("ARB.md"), mine);
    let soc = read("SOC.md");
    assert!(
        soc.starts_with("UTKAST: Bedömningen av Rätten till social omsorg och trygghet 2022."),
        "{soc}"
    );
    assert!(soc.contains("- ENK-1 Andel med stort eller mycket stort förtroende för socialtjänsten: 38,8\u{a0}% (36,1\u{a0}%–41,7\u{a0}%) mot målet 40,0\u{a0}%: Inom felmarginalen.\n"), "{soc}");
    assert!(
        soc.contains("- Åtgärd SOC-A1: 7 Uppfyllt, 7 Delvis uppfyllt\n"),
        "{soc}"
    );
    assert!(soc.contains("- Hägersten-Älvsjö stadsdelsnämnd, SOC-1 (Totalt): Räknat som unika personer under året.\n"), "{soc}");
    let summary = read("sammanfattning.md");
    assert!(summary.contains("- UTB-3 Elever i modersmålsundervisning i romani chib: 144 mot målet 180: Ej uppfyllt.\n"), "{summary}");
    // Starts are drafts: the report leaves them out until the line is gone.
    let t = Test::new().write("p.toml", std::fs::read(dir.path().join("p.toml")).unwrap());
    let t = [
        "sammanfattning.md",
        "ARB.md",
        "UTB.md",
        "KUL.md",
        "SOC.md",
        "UPP.md",
        "samrad.md",
    ]
    .iter()
    .fold(t, |t, f| t.write(&format!("bedomningar/2022/{f}"), read(f)));
    t.args(&["run", "p.toml", "--offline", "-q"])
        .stdout_has("Bedömningar som saknas för 2022: helheten, Rätten till utbildning, Rätten till kultur, Rätten till social omsorg och trygghet och Ansvarsfördelning och uppföljning\n")
        .run();
}

#[test]
fn a_pipeline_without_an_assessments_folder_gets_told_how_to_add_one() {
    let text = crate::test::sample_pipeline()
        .replace("assessments = \"../data-samples/bedomningar\"\n", "");
    Test::new()
        .write("p.toml", text)
        .args(&["bedomning", "p.toml", "--year", "2022"])
        .status(2)
        .stderr_has("pipelinefilen säger inte var bedömningarna ligger. Lägg till [report] assessments = \"mapp\" och kör igen.")
        .run();
}
