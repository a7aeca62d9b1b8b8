//! uppfolj: the yearly follow-up pipeline for a municipal strategy.
//!
//! The modules follow the data: the [`pipeline`] definition is the model every
//! stage shares; [`show`] presents it.

pub mod pipeline;
pub mod show;
