//! The command line speaks Swedish: help, usage and clap's own errors.

use crate::test::Test;

/// Words clap would print if any of its English text got through.
const ENGLISH: [&str; 8] = [
    "Usage",
    "Options",
    "Arguments",
    "Commands",
    "error:",
    "Print help",
    "[OPTIONS]",
    "For more",
];

fn no_english(t: Test) -> Test {
    ENGLISH
        .iter()
        .fold(t, |t, w| t.stdout_lacks(w).stderr_lacks(w))
}

#[test]
fn the_help_is_swedish() {
    no_english(Test::new().args(&["--help"]))
        .stdout_has("Årlig uppföljning av en kommunal strategi")
        .stdout_has("\nAnvändning: uppfolj <KOMMANDO>\n\nKommandon:\n  check ")
        .stdout_has(
            "\nFlaggor:\n  -h, --help     Visa den här hjälpen\n  -V, --version  Visa versionen\n",
        )
        .run();
}

#[test]
fn a_commands_help_lists_its_arguments_in_order() {
    no_english(Test::new().args(&["validate", "--help"]))
        .stdout_has("Användning: uppfolj validate [FLAGGOR] <PIPELINEFIL> <FILER>...\n\nArgument:\n  <PIPELINEFIL>  Pipelinefilen (TOML)")
        .stdout_has("\n  <FILER>...     Filer eller mappar")
        .stdout_has("      --year <ÅR>  Året som filerna ska gälla")
        .run();
}

#[test]
fn a_wrong_argument_is_told_in_swedish_with_a_suggestion() {
    no_english(Test::new().args(&["run", "p.toml", "--ofline"]))
        .status(2)
        .stderr_has("fel: okänt argument '--ofline'; menade du '--offline'?\n\nAnvändning: uppfolj run --offline <PIPELINEFIL>\n\nMer hjälp: uppfolj --help\n")
        .run();
}

#[test]
fn a_missing_argument_an_unknown_command_and_a_bad_value() {
    no_english(Test::new().args(&["run"]))
        .status(2)
        .stderr_has("fel: det här saknas: '<PIPELINEFIL>'; ange det som i användningen nedan")
        .run();
    no_english(Test::new().args(&["rnu", "p.toml"]))
        .status(2)
        .stderr_has("fel: okänt kommando 'rnu'")
        .run();
    no_english(Test::new().args(&["template", "p.toml", "--year", "tjugo", "--out", "m"]))
        .status(2)
        .stderr_has("fel: 'tjugo' är inget giltigt värde för '--year <ÅR>'; ange ett heltal")
        .run();
    no_english(Test::new().args(&["portal", "invite", "p.toml", "--unit", "x", "--role", "chef"]))
        .status(2)
        .stderr_has("fel: 'chef' är inget giltigt värde för '--role <ROLL>'; välj bland 'committee', 'analyst', 'reader'")
        .run();
}

#[test]
fn no_command_shows_the_help_and_fails() {
    no_english(Test::new().args(&[]))
        .status(2)
        .stderr_has("Användning: uppfolj <KOMMANDO>")
        .run();
}

/// A reader that has gone before the first line (`uppfolj --help | head -0`):
/// every command ends quietly with status 0, help and version included.
#[test]
fn a_closed_pipe_ends_help_version_and_commands_quietly() {
    let root = crate::test::repo_root();
    let pipeline = root.join(crate::test::SAMPLE_PIPELINE);
    let pipeline = pipeline.to_str().unwrap();
    let commands: [&[&str]; 5] = [
        &["--help"],
        &["--version"],
        &["validate", "--help"],
        &["show", pipeline],
        &["check", pipeline],
    ];
    for args in commands {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_uppfolj"))
            .args(args)
            .stdout(writer)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!crate::test::panicked(&out), "{args:?}: {stderr}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert_eq!(stderr, "", "{args:?}");
    }
}
