//! Readers that may panic on a corrupt file. The libraries that parse
//! workbooks and Parquet panic on some inputs; such a panic refuses its file
//! instead of stopping the run, and is counted, so that a fuzzer can still
//! see it.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use super::Refusal;

thread_local! {
    /// How many [`guarded`] readers run on this thread. Per thread: a panic
    /// on any other thread (a portal request, say) is a bug to report, even
    /// while a reader is at work here.
    static GUARDED: Cell<usize> = const { Cell::new(0) };
}

/// Panics turned into refusals since the program started.
static CAUGHT: AtomicU64 = AtomicU64::new(0);

/// Set only by the fuzzer's own test, to prove that a reader's panic is seen.
static PLANTED: AtomicBool = AtomicBool::new(false);

/// Whether a panic on this thread now happens inside a [`guarded`] reader
/// (for the panic hook, which stays quiet about those).
pub fn in_guarded_reader() -> bool {
    GUARDED.with(Cell::get) > 0
}

/// How many panics [`guarded`] has caught and turned into refusals. A file
/// refused this way is a reader's bug: the fuzzer counts it as a failure.
pub fn panics_caught() -> u64 {
    CAUGHT.load(Ordering::SeqCst)
}

/// Makes the returns reader panic on every file while `on`: a test-only
/// switch that proves the fuzzer reports a caught panic.
#[doc(hidden)]
pub fn plant_panic(on: bool) {
    PLANTED.store(on, Ordering::SeqCst);
}

/// Panics if [`plant_panic`] asked for it.
pub(super) fn planted() {
    if PLANTED.load(Ordering::SeqCst) {
        panic!("a panic planted by plant_panic");
    }
}

/// Counts this thread's guarded readers down again, also when one panics.
struct Depth;

impl Depth {
    fn enter() -> Depth {
        GUARDED.with(|g| g.set(g.get() + 1));
        Depth
    }
}

impl Drop for Depth {
    fn drop(&mut self) {
        GUARDED.with(|g| g.set(g.get() - 1));
    }
}

/// Runs a reader over one input file; a panic inside it becomes a refusal
/// of that file, so one bad file never stops the others.
pub fn guarded<T>(file: &str, read: impl FnOnce() -> Result<T, Refusal>) -> Result<T, Refusal> {
    let result = {
        let _depth = Depth::enter();
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(read))
    };
    result.unwrap_or_else(|_| {
        CAUGHT.fetch_add(1, Ordering::SeqCst);
        Err(Refusal::file(
            file,
            "filen är skadad: den går inte att tolka (läsaren gav upp mitt i filen). Exportera eller spara den på nytt och skicka den igen.",
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Mutex, PoisonError};
    use std::thread::ThreadId;

    /// Threads whose panic the hook below would have reported.
    static REPORTED: Mutex<Vec<ThreadId>> = Mutex::new(Vec::new());

    #[test]
    fn a_panic_on_another_thread_during_a_guarded_read_is_reported() {
        // The binary's rule: quiet inside a guarded reader, reported elsewhere.
        let before = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {
            if !in_guarded_reader() {
                let mut seen = REPORTED.lock().unwrap_or_else(PoisonError::into_inner);
                seen.push(std::thread::current().id());
            }
        }));
        let mut other = None;
        let refused = guarded("a.xlsx", || -> Result<(), Refusal> {
            let worker = std::thread::spawn(|| panic!("a bug elsewhere"));
            other = Some(worker.thread().id());
            assert!(worker.join().is_err());
            panic!("the reader gave up");
        });
        let _ = std::panic::take_hook();
        std::panic::set_hook(before);
        let seen = REPORTED.lock().unwrap_or_else(PoisonError::into_inner);
        assert!(refused.unwrap_err().message.starts_with("filen är skadad"));
        assert!(
            seen.contains(&other.unwrap()),
            "the other thread's panic was silenced"
        );
        assert!(
            !seen.contains(&std::thread::current().id()),
            "the guarded reader's own panic was reported"
        );
        assert!(panics_caught() >= 1);
        assert!(!in_guarded_reader());
    }
}
