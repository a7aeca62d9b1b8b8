//! A fuzzer for uppfolj's readers, on the stable toolchain (cargo-fuzz
//! needs nightly, which these machines do not have). Each target takes
//! bytes; the driver mutates a corpus seeded from the project's fixtures and
//! samples, runs every input through the real reader and validator, and
//! saves any input that panics or takes longer than the limit to
//! `fuzz/crashes/TARGET/`. A panic the readers' guard turns into a refusal
//! counts too: the guard keeps one bad file from stopping a run, but it is
//! still a reader's bug.
//!
//! ```text
//! cargo run --release --example fuzz -- [TARGET…] [--seconds N] [--seed N]
//! ```
//!
//! Targets: `returns`, `survey-csv`, `survey-xlsx`, `survey-parquet`,
//! `pipeline` (all when none is named). It exits 1 if anything was found.

mod mutate;
mod targets;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The binary's allocator, so that inputs meet the same memory behaviour.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Where the last panic happened, for the failure's report.
static LAST_PANIC: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

/// Where failing inputs are saved, one folder per target.
const CRASHES: &str = "fuzz/crashes";

/// An input that takes longer than this counts as a hang.
const SLOW: Duration = Duration::from_secs(5);

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |flag: &str, default: u64| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let seconds = number("--seconds", 60);
    let seed = number("--seed", 1);
    let named: Vec<&str> = args
        .iter()
        .enumerate()
        .filter(|(i, a)| {
            !a.starts_with("--")
                && !matches!(args.get(i.wrapping_sub(1)), Some(f) if f.starts_with("--"))
        })
        .map(|(_, a)| a.as_str())
        .collect();
    // A panic is what the fuzzer looks for; its own report says which input
    // and where the panic was (the input's bytes are the fuzzer's own).
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()));
        *LAST_PANIC
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = place;
    }));
    let mut found = 0;
    for target in targets::ALL {
        if named.is_empty() || named.contains(&target.name) {
            found += fuzz(
                target,
                Duration::from_secs(seconds),
                seed,
                Path::new(CRASHES),
            );
        }
    }
    std::process::exit(if found == 0 { 0 } else { 1 });
}

/// Fuzzes one target for `time`; returns how many inputs failed.
fn fuzz(target: &targets::Target, time: Duration, seed: u64, crashes: &Path) -> usize {
    let corpus = targets::seeds(target);
    let work = tempfile::tempdir().expect("a temporary folder");
    let mut rng = mutate::Rng::new(seed);
    let start = Instant::now();
    let (mut runs, mut failures, mut known_seen) = (0u64, 0usize, 0usize);
    let known = Known::load();
    while start.elapsed() < time {
        let base = &corpus[rng.below(corpus.len())];
        let input = mutate::mutate(base, &corpus, &mut rng);
        let t = Instant::now();
        let caught = uppfolj::ingest::panics_caught();
        let outcome = std::panic::catch_unwind(|| (target.run)(&input, work.path()));
        let refused_by_guard = uppfolj::ingest::panics_caught() > caught;
        let place = LAST_PANIC
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        // A library's panic the guard refused safely, already written down.
        if refused_by_guard
            && outcome.is_ok()
            && t.elapsed() <= SLOW
            && place.as_deref().is_some_and(|p| known.holds(p))
        {
            known_seen += 1;
            runs += 1;
            continue;
        }
        // A busy machine makes any input slow now and then: slow twice counts.
        let slow = t.elapsed() > SLOW && {
            let again = Instant::now();
            let _ = std::panic::catch_unwind(|| (target.run)(&input, work.path()));
            again.elapsed() > SLOW
        };
        if outcome.is_err() || refused_by_guard || slow {
            failures += 1;
            let what = if slow { "slow" } else { "panic" };
            let path = save(&crashes.join(target.name), what, &input);
            eprintln!(
                "{}: {what} ({:.1} s{}), saved to {}",
                target.name,
                t.elapsed().as_secs_f64(),
                place.map(|p| format!(", at {p}")).unwrap_or_default(),
                path.display()
            );
        }
        runs += 1;
    }
    println!(
        "{}: {runs} inputs in {:.0} s from {} seeds, {failures} failures, {known_seen} refused at a library's known panic ({KNOWN})",
        target.name,
        start.elapsed().as_secs_f64(),
        corpus.len()
    );
    failures
}

/// Library panics that the readers' guard refuses safely and that are
/// written down, each with why (a bug in the library, out of our reach):
/// counted apart, never a failure. Any other caught panic is one.
const KNOWN: &str = "fuzz/known-panics.txt";

/// The places in `KNOWN`: `crate-version/path.rs:line`, a library's file.
struct Known(Vec<String>);

impl Known {
    fn load() -> Known {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(KNOWN);
        let text = std::fs::read_to_string(path).unwrap_or_default();
        Known::parse(&text)
    }

    fn parse(text: &str) -> Known {
        let places = text
            .lines()
            .filter_map(|l| l.split_whitespace().next())
            .filter(|p| !p.starts_with('#'))
            .map(str::to_string)
            .collect();
        Known(places)
    }

    /// Whether a panic's place is a known one: in a library from the
    /// registry, never uppfolj's own code.
    fn holds(&self, place: &str) -> bool {
        let Some((_, rest)) = place.split_once("/registry/src/") else {
            return false;
        };
        let in_crate = rest.split_once('/').map_or("", |(_, p)| p);
        self.0.iter().any(|k| k == in_crate)
    }
}

fn save(dir: &Path, what: &str, input: &[u8]) -> PathBuf {
    let _ = std::fs::create_dir_all(dir);
    let path = dir.join(format!("{what}-{}", uppfolj::ledger::sha256_hex(input)));
    let _ = std::fs::write(&path, input);
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_the_guard_turns_into_a_refusal_is_reported() {
        let target = targets::ALL.iter().find(|t| t.name == "returns").unwrap();
        let crashes = tempfile::tempdir().unwrap();
        uppfolj::ingest::plant_panic(true);
        let failures = fuzz(target, Duration::from_millis(300), 1, crashes.path());
        uppfolj::ingest::plant_panic(false);
        assert!(failures > 0, "the planted panic went unseen");
        let saved = std::fs::read_dir(crashes.path().join("returns"))
            .unwrap()
            .count();
        assert!(saved > 0, "no failing input was saved");
        // Disarmed, a sample return goes through without a caught panic.
        let seed = &targets::seeds(target)[0];
        let before = uppfolj::ingest::panics_caught();
        (target.run)(seed, crashes.path());
        assert_eq!(uppfolj::ingest::panics_caught(), before);
    }

    #[test]
    fn only_a_written_down_place_in_a_library_is_known() {
        let known = Known::parse("# comment\npolars-x-0.1/src/a.rs:7  why\n");
        let registry = "/root/.cargo/registry/src/index.crates.io-1/polars-x-0.1/src/a.rs:7";
        assert!(known.holds(registry));
        assert!(!known.holds(&registry.replace(":7", ":8")));
        assert!(!known.holds("src/ingest/returns.rs:7"));
        assert!(!known.holds("/work/polars-x-0.1/src/a.rs:7"));
    }
}
