//! uppfolj: the yearly follow-up pipeline for a municipal strategy.
//!
//! The modules follow the data: the [`pipeline`] definition is the model every
//! stage shares; [`template`] writes the committees' Excel returns from its
//! [`layout`]; [`ingest`] reads returns back; [`validate`] judges them;
//! [`show`] presents the strategy.

pub mod aggregate;
pub mod chart;
pub mod disclose;
pub mod error;
pub mod ingest;
pub mod layout;
pub mod pipeline;
pub mod pool;
pub mod reference;
pub mod report;
pub mod run;
pub mod samples;
pub mod show;
pub mod store;
pub mod template;
pub mod validate;
