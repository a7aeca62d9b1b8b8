//! uppfolj: the yearly follow-up of a municipal strategy.
//!
//! The modules follow the data, and a module uses only modules above it in
//! this list (`README.md` has the same map with more words):
//!
//! - [`pipeline`]: the pipeline file, the model every stage shares;
//! - [`text`]: Swedish wording: numbers, plurals, months, and the labels of
//!   sources, statuses and reasons;
//! - [`finding`]: what is wrong in an input, and where;
//! - [`http`]: the one HTTP client; [`inputs`]: finding files and downloading URLs;
//! - [`pool`]: the one thread pool; [`ledger`]: file hashes, and the files
//!   uppfolj wrote into folders it shares with people; [`cache`]: what each
//!   input became, kept between runs;
//! - [`layout`]: where everything sits in a return workbook;
//! - [`ingest`]: reading returns and survey files; [`template`] writes the
//!   empty return (never over a file it did not write); [`validate`] judges them;
//! - [`aggregate`]: from accepted inputs to indicator cells; [`reference`]
//!   adds the reference statistics; [`disclose`] withholds what could single
//!   someone out;
//! - [`error`]: the errors a command ends with;
//! - [`results`]: what a run computed, which every output is written from;
//! - [`store`]: the tables, the quality report, feedback and manifest;
//!   [`chart`]: the charts; [`report`]: the annual report;
//! - [`run`]: every stage in order; [`show`]: the strategy as a tree.
//!
//! `main.rs` is the command line: one function per command, and the one
//! place where errors become messages and exit codes.

pub mod aggregate;
pub mod cache;
pub mod chart;
pub mod disclose;
pub mod error;
pub mod finding;
pub mod http;
pub mod ingest;
pub mod inputs;
pub mod layout;
pub mod ledger;
pub mod pipeline;
pub mod pool;
pub mod portal;
pub mod reference;
pub mod report;
pub mod results;
pub mod run;
pub mod show;
pub mod store;
pub mod template;
pub mod text;
pub mod validate;
