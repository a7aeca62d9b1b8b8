//! A small builder that runs the real binary in a temporary folder and checks
//! what a user would see: exit status, stdout and stderr.

use std::fs;
use std::path::PathBuf;
use std::process::{Command, Output};

pub const SAMPLE_PIPELINE: &str = "pipelines/romsk-inkludering-2018-2022.toml";

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The committed sample pipeline's text.
pub fn sample_pipeline() -> String {
    fs::read_to_string(repo_root().join(SAMPLE_PIPELINE)).expect("sample pipeline is readable")
}

/// Replaces the one occurrence of `from` (the test must say exactly what it breaks).
pub fn edit(text: &str, from: &str, to: &str) -> String {
    assert_eq!(
        text.matches(from).count(),
        1,
        "the edit must match exactly once: {from:?}"
    );
    text.replacen(from, to, 1)
}

/// 1-based line of the first occurrence of `needle`.
pub fn line_of(text: &str, needle: &str) -> usize {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in text"));
    text[..at].matches('\n').count() + 1
}

/// Whether `needle` occurs in `hay` as a whole: not inside a longer word or
/// number, so that "1 avvisade" does not match "11 avvisade".
pub fn contains_anchored(hay: &str, needle: &str) -> bool {
    let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    hay.match_indices(needle).any(|(at, _)| {
        let before = hay[..at].chars().next_back();
        let after = hay[at + needle.len()..].chars().next();
        let joins_before = word(needle.chars().next()) && word(before);
        let joins_after = word(needle.chars().next_back()) && word(after);
        !joins_before && !joins_after
    })
}

/// The panic hook's own words (see `src/bug.rs`): a bug, whatever the test expects.
pub const PANIC_HOOK_TEXT: &str = "internt fel i uppfolj";

/// Whether a run of the binary panicked: the hook's text on stderr, Rust's
/// own panic message (a hook that did not run), or the exit status of a panic.
pub fn panicked(output: &Output) -> bool {
    let stderr = String::from_utf8_lossy(&output.stderr);
    stderr.contains(PANIC_HOOK_TEXT)
        || stderr.contains("panicked")
        || output.status.code() == Some(101)
}

/// The imperatives a message uses to tell its reader what to do, and
/// "menade" of a suggestion ("menade du '--offline'?").
const ACTIONS: &[&str] = &[
    "ange",
    "använd",
    "be",
    "byt",
    "exportera",
    "flytta",
    "fråga",
    "fyll",
    "för",
    "förklara",
    "ge",
    "gör",
    "hämta",
    "höj",
    "kontakta",
    "kontrollera",
    "kör",
    "lägg",
    "lämna",
    "låt",
    "ladda",
    "menade",
    "rätta",
    "se",
    "skicka",
    "skriv",
    "slå",
    "spara",
    "ta",
    "vänta",
    "välj",
    "öppna",
];

/// Whether an error tells what to do, not only what is wrong: one of its
/// sentences (or its part after a semicolon) starts with an imperative.
pub fn says_what_to_do(message: &str) -> bool {
    message
        .split(['.', ';', ':', '(', ')', ','])
        .filter_map(|part| part.split_whitespace().next())
        .any(|word| ACTIONS.contains(&word.to_lowercase().as_str()))
}

/// An error line of the program's report ("fel: FILE: MESSAGE") that does not
/// say what to do, if any.
fn error_without_action(output: &str) -> Option<&str> {
    output
        .lines()
        .filter(|l| l.trim_start().starts_with("fel: "))
        .find(|l| !says_what_to_do(l))
}

pub struct Test {
    dir: tempfile::TempDir,
    /// Where the binary runs, relative to the test's folder.
    current_dir: PathBuf,
    args: Vec<String>,
    stdout: Option<String>,
    status: i32,
    stdout_has: Vec<String>,
    stdout_lacks: Vec<String>,
    stderr_has: Vec<String>,
    stderr_lacks: Vec<String>,
}

impl Test {
    pub fn new() -> Self {
        Test {
            dir: tempfile::tempdir().expect("temp dir"),
            current_dir: PathBuf::new(),
            args: Vec::new(),
            stdout: None,
            status: 0,
            stdout_has: Vec::new(),
            stdout_lacks: Vec::new(),
            stderr_has: Vec::new(),
            stderr_lacks: Vec::new(),
        }
    }

    /// A test that runs in the folder an earlier test left (see [`Test::run_keep`]).
    pub fn within(dir: tempfile::TempDir) -> Self {
        Test { dir, ..Test::new() }
    }

    /// The test's folder, for steps that run in it (see [`Test::within`]).
    pub fn keep(self) -> tempfile::TempDir {
        self.dir
    }

    /// Writes a file into the test's folder.
    pub fn write(self, name: &str, contents: impl AsRef<[u8]>) -> Self {
        let path = self.dir.path().join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(path, contents).unwrap();
        self
    }

    /// Copies `tests/fixtures/<path>` into the test's folder, under `as_name`.
    pub fn fixture(self, path: &str, as_name: &str) -> Self {
        let bytes = fs::read(repo_root().join("tests/fixtures").join(path))
            .unwrap_or_else(|e| panic!("fixture {path}: {e}"));
        self.write(as_name, bytes)
    }

    /// The sample pipeline as `p.toml`, optionally edited.
    pub fn pipeline(self, edits: &[(&str, &str)]) -> Self {
        let mut text = sample_pipeline();
        for (from, to) in edits {
            text = edit(&text, from, to);
        }
        self.write("p.toml", text)
    }

    pub fn args(mut self, args: &[&str]) -> Self {
        self.args.extend(args.iter().map(|a| a.to_string()));
        self
    }

    /// Runs the binary in a folder of the test's folder (made if missing).
    pub fn current_dir(mut self, dir: &str) -> Self {
        self.current_dir = PathBuf::from(dir);
        self
    }

    /// The whole of stdout, exactly.
    pub fn stdout(mut self, s: &str) -> Self {
        self.stdout = Some(s.to_string());
        self
    }

    pub fn status(mut self, status: i32) -> Self {
        self.status = status;
        self
    }

    /// Stdout holds `s` as a whole (see [`contains_anchored`]).
    pub fn stdout_has(mut self, s: &str) -> Self {
        self.stdout_has.push(s.to_string());
        self
    }

    pub fn stdout_lacks(mut self, s: &str) -> Self {
        self.stdout_lacks.push(s.to_string());
        self
    }

    /// Stderr holds `s` as a whole (see [`contains_anchored`]).
    pub fn stderr_has(mut self, s: &str) -> Self {
        self.stderr_has.push(s.to_string());
        self
    }

    pub fn stderr_lacks(mut self, s: &str) -> Self {
        self.stderr_lacks.push(s.to_string());
        self
    }

    /// Runs the binary with the test's folder as working directory.
    pub fn run(self) -> Output {
        self.run_keep().0
    }

    /// Runs, and keeps the test's folder for a look at what was written.
    pub fn run_keep(self) -> (Output, tempfile::TempDir) {
        let cwd = self.dir.path().join(&self.current_dir);
        fs::create_dir_all(&cwd).unwrap();
        let output = Command::new(env!("CARGO_BIN_EXE_uppfolj"))
            .args(&self.args)
            .current_dir(&cwd)
            .output()
            .expect("the binary runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let context = format!(
            "args: {:?}\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
            self.args
        );
        assert!(!panicked(&output), "the program panicked\n{context}");
        if let Some(line) = error_without_action(&stdout).or(error_without_action(&stderr)) {
            panic!("an error does not say what to do: {line}\n{context}");
        }
        assert_eq!(
            output.status.code(),
            Some(self.status),
            "unexpected exit status\n{context}"
        );
        if let Some(expected) = &self.stdout {
            assert_eq!(&stdout, expected, "stdout differs\n{context}");
        }
        for s in &self.stdout_has {
            assert!(
                contains_anchored(&stdout, s),
                "stdout lacks {s:?}\n{context}"
            );
        }
        for s in &self.stdout_lacks {
            assert!(!stdout.contains(s.as_str()), "stdout has {s:?}\n{context}");
        }
        for s in &self.stderr_has {
            assert!(
                contains_anchored(&stderr, s),
                "stderr lacks {s:?}\n{context}"
            );
        }
        for s in &self.stderr_lacks {
            assert!(!stderr.contains(s.as_str()), "stderr has {s:?}\n{context}");
        }
        (output, self.dir)
    }
}

#[test]
fn anchored_matches_do_not_continue_a_number_or_word() {
    assert!(contains_anchored("0 fel, 1 avvisade", "1 avvisade"));
    assert!(!contains_anchored("11 avvisade", "1 avvisade"));
    assert!(!contains_anchored("1 avvisades", "1 avvisade"));
    assert!(contains_anchored("p.toml:12: fel", "p.toml:12:"));
    assert!(!contains_anchored("p.toml:123: fel", "p.toml:12"));
}

#[test]
fn an_error_that_only_says_what_is_wrong_is_caught() {
    let wrong = "fel: enkat.csv: filen är en PDF, inte en arbetsbok eller tabell.";
    assert_eq!(error_without_action(wrong), Some(wrong));
    assert!(!says_what_to_do("Filen avvisas så att ingen kan pekas ut."));
    let told = "fel: enkat.csv: filen är tom (0 byte). Exportera enkätsvaren på nytt.";
    assert_eq!(error_without_action(told), None);
    assert!(says_what_to_do(
        "det dolda bladet är ändrat; ta bort ändringen"
    ));
    assert!(says_what_to_do("B7: talet saknas (fyll i det)"));
    assert!(says_what_to_do(
        "okänt argument '--ofline'; menade du '--offline'?"
    ));
    assert!(!says_what_to_do("okänt argument '--ofline'"));
}

#[test]
fn a_run_that_panicked_is_told_apart() {
    use std::os::unix::process::ExitStatusExt;
    let output = |code: i32, stderr: &str| Output {
        status: std::process::ExitStatus::from_raw(code << 8),
        stdout: Vec::new(),
        stderr: stderr.as_bytes().to_vec(),
    };
    let hook = "fel: internt fel i uppfolj (src/x.rs:1). Körningen avbröts";
    assert!(panicked(&output(2, hook)));
    assert!(panicked(&output(101, "")));
    assert!(panicked(&output(1, "thread 'main' panicked at src/x.rs:1")));
    assert!(!panicked(&output(2, "fel: p.toml finns inte")));
    // The words the builder looks for are the ones the binary's hook writes.
    let main = fs::read_to_string(repo_root().join("src/bug.rs")).unwrap();
    assert!(main.contains(PANIC_HOOK_TEXT));
}
