//! A panic is a bug. Its message could quote an input (a library's panic may
//! hold a cell), so only where it happened is told, in Swedish.

use std::sync::atomic::{AtomicBool, Ordering};

/// Whether a panic's message has been written (by the hook, on its thread).
static TOLD: AtomicBool = AtomicBool::new(false);

fn tell(place: &str) {
    TOLD.store(true, Ordering::SeqCst);
    eprintln!(
        "fel: internt fel i uppfolj{place}. Körningen avbröts; tidigare utdata är orörda. Rapportera felet till den som underhåller uppfolj, med kommandot men utan indatafilerna."
    );
}

/// The binary's panic hook. Quiet inside a guarded reader (its file is
/// refused instead) and on the thread pool's workers (the panic reaches the
/// thread that waits for the work: a guarded reader, or [`told`]).
pub fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        if crate::ingest::in_guarded_reader() || crate::pool::on_worker() {
            return;
        }
        // A stdout or stderr whose reader has gone: nobody is listening.
        let message = info.payload_as_str().unwrap_or_default();
        if message.starts_with("failed printing to std") {
            std::process::exit(0);
        }
        let place = info
            .location()
            .map(|l| format!(" ({}:{})", l.file(), l.line()));
        tell(&place.unwrap_or_default());
    }));
}

/// Runs a command; `None` if it panicked, which has then been told once.
pub fn told<T>(command: impl FnOnce() -> T) -> Option<T> {
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(command));
    if result.is_err() && !TOLD.load(Ordering::SeqCst) {
        tell("");
    }
    result.ok()
}
