//! `uppfolj check`: the sample pipeline passes; every kind of broken pipeline
//! file is reported with its place (line and TOML path) and exit status 2.

use crate::test::{Test, edit, line_of, sample_pipeline};

/// Runs `check` on `text` and expects exit 2 and each `(line, message)`.
fn expect_problems(text: &str, expected: &[(usize, &str)]) -> String {
    let mut t = Test::new()
        .write("p.toml", text)
        .args(&["check", "p.toml"])
        .status(2);
    for (line, message) in expected {
        t = t.stderr_has(&format!("p.toml:{line}: {message}"));
    }
    let out = t.run();
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn sample_pipeline_is_valid() {
    let path = crate::test::repo_root().join(crate::test::SAMPLE_PIPELINE);
    let path = path.to_string_lossy();
    Test::new()
        .args(&["check", &path])
        .stdout(&format!(
            "{path}: ok: 5 områden, 11 mål, 27 åtgärder, 34 indikatorer, 22 enheter\n"
        ))
        .run();
}

#[test]
fn toml_syntax_error_names_the_line() {
    let text = edit(
        &sample_pipeline(),
        "title = \"Rätten till kultur\"",
        "title = \"Rätten till kultur",
    );
    let line = line_of(&text, "title = \"Rätten till kultur");
    expect_problems(
        &text,
        &[(
            line,
            "TOML-syntaxfel: en text inom citattecken är inte stängd eller innehåller otillåtna tecken (här väntades `\"`)",
        )],
    );
}

#[test]
fn toml_syntax_errors_are_told_in_swedish() {
    let text = sample_pipeline().replacen("[strategy]", "[strategy\nx = [1, 2", 1);
    let line = line_of(&text, "[strategy");
    let stderr = expect_problems(
        &text,
        &[(
            line,
            "TOML-syntaxfel: en rubrik [ … stängs aldrig med ] (här väntades `]`)",
        )],
    );
    for english in ["unclosed", "expected", "invalid", "missing"] {
        assert!(!stderr.contains(english), "{stderr}");
    }
}

#[test]
fn missing_field_is_named_with_its_table() {
    let text = edit(
        &sample_pipeline(),
        "title = \"Modersmålslärare i romani chib\"\n",
        "",
    );
    // The table's header line, [[indicators]], just above its id.
    let line = line_of(&text, "id = \"UTB-2\"") - 1;
    expect_problems(
        &text,
        &[(line, "indicators[6].title: fältet `title` saknas")],
    );
}

#[test]
fn mistyped_value_says_what_was_expected() {
    let text = edit(
        &sample_pipeline(),
        "id = \"UTB-2\"\ntitle = \"Modersmålslärare i romani chib\"\nunit = \"antal\"\nsource = \"return\"\nmeasure = \"UTB-A2\"\nresponsible = [\"un\"]\ndirection = \"higher\"\ncounts_persons = false",
        "id = \"UTB-2\"\ntitle = \"Modersmålslärare i romani chib\"\nunit = \"antal\"\nsource = \"return\"\nmeasure = \"UTB-A2\"\nresponsible = [\"un\"]\ndirection = \"higher\"\ncounts_persons = \"nej\"",
    );
    let line = line_of(&text, "counts_persons = \"nej\"");
    expect_problems(
        &text,
        &[(
            line,
            "indicators[6].counts_persons: ska vara true eller false, men är en text",
        )],
    );
}

#[test]
fn misspelt_field_is_unknown_with_a_suggestion() {
    let text = edit(
        &sample_pipeline(),
        "title = \"Samråd med romska sakkunniga\"",
        "titel = \"Samråd med romska sakkunniga\"",
    );
    let line = line_of(&text, "titel = ");
    expect_problems(
        &text,
        &[(
            line,
            "indicators[21].titel: okänt fält `titel`. Menade du `title`?",
        )],
    );
}

#[test]
fn unknown_choice_lists_the_allowed_values() {
    let text = edit(
        &sample_pipeline(),
        "id = \"KUL-4\"\ntitle = \"Medier på romani chib inköpta till Stadsbiblioteket\"\nunit = \"antal\"",
        "id = \"KUL-4\"\ntitle = \"Medier på romani chib inköpta till Stadsbiblioteket\"\nunit = \"stycken\"",
    );
    let line = line_of(&text, "unit = \"stycken\"");
    expect_problems(
        &text,
        &[(
            line,
            "indicators[13].unit: okänt värde \"stycken\"; tillåtna värden är \"antal\", \"andel\", \"procentenheter\", \"count\", \"share\", \"percentage_points\"",
        )],
    );
}

/// The indicator table's English id is the pipeline file's word too.
#[test]
fn a_unit_may_be_named_as_the_indicator_table_names_it() {
    let text = edit(
        &sample_pipeline(),
        "id = \"KUL-4\"\ntitle = \"Medier på romani chib inköpta till Stadsbiblioteket\"\nunit = \"antal\"",
        "id = \"KUL-4\"\ntitle = \"Medier på romani chib inköpta till Stadsbiblioteket\"\nunit = \"count\"",
    );
    Test::new()
        .write("p.toml", &text)
        .args(&["check", "p.toml"])
        .stdout_has("p.toml: ok: 5 områden")
        .run();
}

#[test]
fn unknown_measure() {
    let text = edit(
        &sample_pipeline(),
        "measure = \"ARB-A3\"",
        "measure = \"ARB-A9\"",
    );
    let line = line_of(&text, "measure = \"ARB-A9\"");
    expect_problems(
        &text,
        &[(
            line,
            "indicators[3].measure: okänd åtgärd \"ARB-A9\"; ange ett id från [[measures]]",
        )],
    );
}

#[test]
fn unknown_unit_with_suggestion() {
    let text = edit(
        &sample_pipeline(),
        "responsible = [\"kun\"]\nnamed_as = \"Stockholms stadsbibliotek (Kulturnämnden)\"",
        "responsible = [\"kuun\"]\nnamed_as = \"Stockholms stadsbibliotek (Kulturnämnden)\"",
    );
    let line = line_of(&text, "responsible = [\"kuun\"]");
    expect_problems(
        &text,
        &[(
            line,
            "measures[13].responsible[0]: okänd enhet \"kuun\"; ange ett id från [[units]] eller [[unit_groups]] (menade du \"kun\"?)",
        )],
    );
}

#[test]
fn unknown_area() {
    let text = edit(
        &sample_pipeline(),
        "id = \"KUL-G2\"\narea = \"KUL\"",
        "id = \"KUL-G2\"\narea = \"KULT\"",
    );
    let line = line_of(&text, "area = \"KULT\"");
    expect_problems(
        &text,
        &[(
            line,
            "goals[6].area: okänt område \"KULT\"; ange ett id från [[areas]] (menade du \"KUL\"?)",
        )],
    );
}

#[test]
fn unknown_breakdown() {
    let text = edit(
        &sample_pipeline(),
        "measure = \"ARB-A3\"\nresponsible = [\"amn\"]\nbreakdowns = [\"kon\"]",
        "measure = \"ARB-A3\"\nresponsible = [\"amn\"]\nbreakdowns = [\"kön\"]",
    );
    let line = line_of(&text, "breakdowns = [\"kön\"]");
    expect_problems(
        &text,
        &[(
            line,
            "indicators[3].breakdowns[0]: okänd indelning \"kön\"; ange ett id från [[breakdowns]]",
        )],
    );
}

#[test]
fn duplicate_id_names_the_first() {
    let text = edit(&sample_pipeline(), "id = \"UPP-2\"", "id = \"UPP-1\"");
    let first = line_of(&text, "id = \"UPP-1\"");
    let second = first
        + 1
        + text[text.find("id = \"UPP-1\"").unwrap() + 1..]
            .find("id = \"UPP-1\"")
            .map(|at| {
                text[text.find("id = \"UPP-1\"").unwrap() + 1..][..at]
                    .matches('\n')
                    .count()
            })
            .unwrap();
    let stderr = expect_problems(
        &text,
        &[(
            second - 1,
            "indicators[22].id: indikatorn \"UPP-1\" finns redan i indicators[21].id",
        )],
    );
    assert!(stderr.contains(&format!("(rad {first})")), "{stderr}");
}

#[test]
fn breakdown_group_listed_twice() {
    let text = edit(
        &sample_pipeline(),
        "{ id = \"man\", label = \"Man\" },",
        "{ id = \"man\", label = \"Man\" },\n  { id = \"kvinna\", label = \"Kvinnor\" },",
    );
    let line = line_of(&text, "{ id = \"kvinna\", label = \"Kvinnor\" }");
    expect_problems(
        &text,
        &[(
            line,
            "breakdowns[0].groups[2].id: gruppen \"kvinna\" står två gånger i indelningen \"kon\"",
        )],
    );
}

#[test]
fn target_year_outside_the_period() {
    let text = edit(
        &sample_pipeline(),
        "targets = [{ year = 2022, value = 60 }]",
        "targets = [{ year = 2025, value = 60 }]",
    );
    let line = line_of(&text, "year = 2025");
    expect_problems(
        &text,
        &[(
            line,
            "indicators[1].targets[0].year: målåret 2025 ligger utanför strategins period 2018–2022",
        )],
    );
}

#[test]
fn unit_responsible_in_a_year_it_did_not_exist() {
    // Hägersten-Liljeholmen ceased on 30 June 2020, so it reported only 2018–2019.
    let text = edit(
        &sample_pipeline(),
        "responsible = [\"sdn\"]\ntext = \"Stadsdelsnämnderna ska genom förskolan",
        "responsible = [\"hagersten-liljeholmen\"]\ntext = \"Stadsdelsnämnderna ska genom förskolan",
    );
    let line = line_of(&text, "responsible = [\"hagersten-liljeholmen\"]");
    expect_problems(
        &text,
        &[(
            line,
            "measures[7].responsible[0]: åtgärden UTB-A3 har \"hagersten-liljeholmen\" som ansvarig, men Hägersten-Liljeholmens stadsdelsnämnd fanns inte (den 31 december) år 2020–2022",
        )],
    );
}

#[test]
fn indicator_without_responsible_unit() {
    let text = edit(
        &sample_pipeline(),
        "measure = \"UPP-A2\"\nresponsible = [\"ks\"]\ndirection = \"higher\"\ncounts_persons = false",
        "measure = \"UPP-A2\"\nresponsible = []\ndirection = \"higher\"\ncounts_persons = false",
    );
    let line = line_of(&text, "responsible = []");
    expect_problems(
        &text,
        &[(
            line,
            "indicators[22].responsible: indikatorn UPP-2 har ingen ansvarig enhet",
        )],
    );
}

#[test]
fn successor_must_start_the_day_after() {
    let text = edit(
        &sample_pipeline(),
        "valid_from = 2020-07-01",
        "valid_from = 2020-08-01",
    );
    let line = line_of(&text, "successors = [\"hagersten-alvsjo\"]");
    expect_problems(
        &text,
        &[(
            line,
            "units[16].successors[0]: Älvsjö stadsdelsnämnd upphör 2020-06-30, så efterföljaren Hägersten-Älvsjö stadsdelsnämnd ska börja 2020-07-01 (valid_from), men börjar 2020-08-01",
        )],
    );
}

#[test]
fn city_only_indicator_must_be_published_for_the_city() {
    let text = edit(
        &sample_pipeline(),
        "city_only = [\"SOC-7\"]",
        "city_only = [\"SOC-6\", \"SOC-77\"]",
    );
    let line = line_of(&text, "city_only = [");
    expect_problems(
        &text,
        &[
            (
                line,
                "disclosure.city_only[0]: SOC-6 ska bara publiceras för hela staden, men indikatorn har publication = \"unit\"",
            ),
            (line, "disclosure.city_only[1]: okänd indikator \"SOC-77\""),
        ],
    );
}

#[test]
fn several_mistakes_are_all_listed_in_line_order() {
    let mut text = sample_pipeline();
    text = edit(&text, "measure = \"ARB-A3\"", "measure = \"ARB-A9\"");
    text = edit(&text, "id = \"UPP-2\"", "id = \"UPP-1\"");
    text = edit(
        &text,
        "targets = [{ year = 2022, value = 60 }]",
        "targets = [{ year = 2030, value = 60 }]",
    );
    text = edit(&text, "min_cell = 5", "min_cell = \"fem\"");
    let stderr = expect_problems(
        &text,
        &[
            (
                line_of(&text, "min_cell"),
                "disclosure.min_cell: ska vara ett heltal, men är en text",
            ),
            (
                line_of(&text, "year = 2030"),
                "indicators[1].targets[0].year: målåret 2030",
            ),
            (
                line_of(&text, "ARB-A9"),
                "indicators[3].measure: okänd åtgärd \"ARB-A9\"",
            ),
        ],
    );
    assert!(stderr.contains("har 4 fel"), "{stderr}");
    let lines: Vec<usize> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("p.toml:"))
        .map(|l| l.split(':').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(lines.len(), 4, "{stderr}");
    assert!(
        lines.windows(2).all(|w| w[0] <= w[1]),
        "not in line order: {stderr}"
    );
}

#[test]
fn missing_file_is_a_clear_error() {
    Test::new()
        .args(&["check", "finns-inte.toml"])
        .status(2)
        .stderr_has("kan inte läsa pipelinefilen finns-inte.toml")
        .run();
}

#[test]
fn file_that_is_not_utf8_is_named() {
    let mut bytes = b"[strategy]\nid = \"x\"\ntitle = \"Strategi f".to_vec();
    bytes.push(0xf6); // "ö" in Windows-1252
    bytes.extend_from_slice(b"r alla\"\n");
    Test::new()
        .write("p.toml", bytes)
        .args(&["check", "p.toml"])
        .status(2)
        .stderr_has("p.toml: filen är inte UTF-8")
        .run();
}

#[test]
fn empty_file_lists_the_missing_sections() {
    Test::new()
        .write("p.toml", "")
        .args(&["check", "p.toml"])
        .status(2)
        .stderr_has("strategy: fältet `strategy` saknas")
        .stderr_has("indicators: fältet `indicators` saknas")
        .run();
}

#[test]
fn reserved_ids_are_refused() {
    let text = edit(
        &sample_pipeline(),
        "{ id = \"man\", label = \"Man\" }",
        "{ id = \"total\", label = \"Man\" }",
    );
    let text = edit(&text, "id = \"aldersgrupp\"", "id = \"alder+grupp\"");
    let unit = line_of(&sample_pipeline(), "id = \"amn\"");
    let text = edit(&text, "id = \"amn\"", "id = \"stad\"");
    let out = expect_problems(
        &text,
        &[
            (
                line_of(&text, "id = \"total\""),
                "breakdowns[0].groups[1].id: id:t \"total\" är reserverat",
            ),
            (
                line_of(&text, "id = \"alder+grupp\""),
                "breakdowns[1].id: id:t \"alder+grupp\" får inte innehålla \"+\"",
            ),
            (unit, "units[1].id: id:t \"stad\" är reserverat"),
        ],
    );
    assert!(out.contains("välj ett annat id"), "{out}");
}

#[test]
fn a_survey_value_no_codebook_gives_is_refused_naming_the_nearest() {
    let text = edit(
        &sample_pipeline(),
        "numerator = [\"arbetar\", \"eget företag\"]",
        "numerator = [\"arbetar\", \"eget foretag\"]",
    );
    let line = line_of(&text, "\"eget foretag\"");
    expect_problems(
        &text,
        &[(
            line,
            "indicators[26].survey.numerator[1]: \"eget foretag\" är inget värde som kodböckerna ger variabeln \"sysselsattning\" (menade du \"eget företag\"?); värdena är \"Vill ej svara\", \"annat\", \"arbetar\", \"arbetssökande\", \"eget företag\", \"studerar\"",
        )],
    );
}

#[test]
fn a_population_or_breakdown_value_no_codebook_gives_is_refused() {
    let text = edit(
        &sample_pipeline(),
        "\"30-64\" = [\"30-49\", \"50-64\"]",
        "\"30-64\" = [\"30-49\", \"50-65\"]",
    );
    let line = line_of(&text, "\"50-65\"");
    expect_problems(
        &text,
        &[(
            line,
            "survey.breakdowns.aldersgrupp.groups.30-64: \"50-65\" är inget värde som kodböckerna ger variabeln \"aldersklass\" (menade du \"50-64\"?); värdena är \"16-19\", \"20-29\", \"30-49\", \"50-64\"",
        )],
    );
}

#[test]
fn a_session_idle_time_of_zero_is_named() {
    let text = edit(
        &sample_pipeline(),
        "years = [2022]\n",
        "years = [2022]\nidle_minutes = 0\n",
    );
    let line = line_of(&text, "idle_minutes = 0");
    expect_problems(
        &text,
        &[(
            line,
            "portal.idle_minutes: 0 ska vara fler än 0 och högst 1440 minuter (ett dygn)",
        )],
    );
}

#[test]
fn three_mistakes_of_three_kinds_are_all_told_in_one_run() {
    // A field misspelt (so the title is missing), a number given as text, and
    // a unit id with two letters swapped.
    let text = edit(
        &sample_pipeline(),
        "title = \"Stockholms stads strategi",
        "titel = \"Stockholms stads strategi",
    );
    let text = edit(&text, "min_cell = 5", "min_cell = \"fem\"");
    let text = text.replacen("responsible = [\"amn\"]", "responsible = [\"anm\"]", 1);
    let stderr = expect_problems(
        &text,
        &[
            (
                line_of(&text, "titel = "),
                "strategy.titel: okänt fält `titel`. Menade du `title`?",
            ),
            (
                line_of(&text, "min_cell = "),
                "disclosure.min_cell: ska vara ett heltal, men är en text",
            ),
            (
                line_of(&text, "[\"anm\"]"),
                "measures[0].responsible[0]: okänd enhet \"anm\"; ange ett id från [[units]] eller [[unit_groups]] (menade du \"amn\"?)",
            ),
        ],
    );
    assert!(
        stderr.contains("strategy.title: fältet `title` saknas"),
        "{stderr}"
    );
    assert!(
        stderr.ends_with(
            "fel: pipelinefilen p.toml har 4 fel. Rätta felen ovan och kör `uppfolj check` igen.\n"
        ),
        "{stderr}"
    );
}

#[test]
fn a_mistyped_indicator_id_gets_the_nearest() {
    let text = edit(
        &sample_pipeline(),
        "city_only = [\"SOC-7\"]",
        "city_only = [\"SCO-7\"]",
    );
    expect_problems(
        &text,
        &[(
            line_of(&text, "city_only"),
            "disclosure.city_only[0]: okänd indikator \"SCO-7\"; ange ett id från [[indicators]] (menade du \"SOC-7\"?)",
        )],
    );
}

#[test]
fn unit_kinds_are_the_pipelines_own_and_a_mistyped_kind_gets_the_nearest() {
    // Another strategy's kind: the district committees as "stadsomrade".
    let own = sample_pipeline().replace("kind = \"sdn\"", "kind = \"stadsomrade\"");
    Test::new()
        .write("p.toml", &own)
        .args(&["check", "p.toml"])
        .stdout_has("p.toml: ok: 5 områden, 11 mål, 27 åtgärder, 34 indikatorer, 22 enheter")
        .run();
    let text = edit(
        &own,
        "name = \"Stadsdelsnämnderna\"\nkind = \"stadsomrade\"",
        "name = \"Stadsdelsnämnderna\"\nkind = \"stadsomrde\"",
    );
    expect_problems(
        &text,
        &[(
            line_of(&text, "kind = \"stadsomrde\""),
            "unit_groups[0].kind: gruppen \"sdn\" har inga enheter av slaget \"stadsomrde\"; ange ett slag som enheterna i [[units]] har (menade du \"stadsomrade\"?)",
        )],
    );
}
