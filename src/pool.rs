//! One thread pool for the whole run: polars' own. Work we spread over the
//! cores ourselves (returns, survey files, indicator queries) runs on it too,
//! so that two pools never fight over the same cores.

/// Runs `op` on polars' thread pool; rayon's parallel iterators inside it use
/// that pool.
pub fn install<R: Send>(op: impl FnOnce() -> R + Send) -> R {
    polars_core::runtime::RAYON.install(op)
}
