//! One thread pool for the whole run: polars' own. Work we spread over the
//! cores ourselves (returns, survey files, indicator queries) runs on it too,
//! so that two pools never fight over the same cores.

/// Runs `op` on polars' thread pool; rayon's parallel iterators inside it use
/// that pool.
pub fn install<R: Send>(op: impl FnOnce() -> R + Send) -> R {
    polars_core::runtime::RAYON.install(op)
}

/// Whether this thread is one of the pool's workers: a panic here reaches
/// the thread that waits for the work.
pub fn on_worker() -> bool {
    polars_core::runtime::RAYON.current_thread_index().is_some()
}
