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
    // A panic is what the fuzzer looks for; its own report says which input.
    std::panic::set_hook(Box::new(|_| {}));
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
    let (mut runs, mut failures) = (0u64, 0usize);
    while start.elapsed() < time {
        let base = &corpus[rng.below(corpus.len())];
        let input = mutate::mutate(base, &corpus, &mut rng);
        let t = Instant::now();
        let caught = uppfolj::ingest::panics_caught();
        let outcome = std::panic::catch_unwind(|| (target.run)(&input, work.path()));
        let refused_by_guard = uppfolj::ingest::panics_caught() > caught;
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
                "{}: {what} ({:.1} s), saved to {}",
                target.name,
                t.elapsed().as_secs_f64(),
                path.display()
            );
        }
        runs += 1;
    }
    println!(
        "{}: {runs} inputs in {:.0} s from {} seeds, {failures} failures",
        target.name,
        start.elapsed().as_secs_f64(),
        corpus.len()
    );
    failures
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
}
