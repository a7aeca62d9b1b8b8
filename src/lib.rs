//! uppfolj: the yearly follow-up of a municipal strategy.
//!
//! The modules follow the data, and are declared below in their layers'
//! order: a module uses only modules declared before it (`.ci/layers`
//! checks this on every CI run, and `README.md` has the same map with more
//! words).
//!
//! - [`text`]: Swedish wording that knows nothing of a strategy: numbers,
//!   plurals, months, lists, the operating system's errors; [`clock`]: now;
//! - [`finding`]: what is wrong in an input, and where;
//! - [`pipeline`]: the pipeline file, the model every stage shares, with
//!   each kind's ids and labels and what the pipeline calls its units;
//! - [`http`]: the one HTTP client; [`inputs`]: finding files and downloading URLs;
//! - [`pool`]: the one thread pool; [`ledger`]: file hashes, and the files
//!   uppfolj wrote into folders it shares with people;
//! - [`layout`]: where everything sits in a return workbook;
//! - [`ingest`]: reading returns and survey files; [`cache`]: what each
//!   input became, kept between runs; [`validate`] judges what was read;
//!   [`template`] writes the empty return (never over a file it did not write);
//! - [`aggregate`]: from accepted inputs to indicator cells; [`reference`]
//!   adds the reference statistics; [`disclose`] withholds what could single
//!   someone out;
//! - [`handin`]: what the portal knows of each return (when, approved, the
//!   committee's decision), written by the portal and read by the run;
//!   [`assessment`]: the owner's own assessment of the year, in Markdown;
//! - [`error`]: the errors a command ends with;
//! - [`results`]: what a run computed, which every output is written from;
//! - [`store`]: the tables, the quality report, feedback and manifest;
//!   [`chart`]: the charts; [`report`]: the annual report; [`show`]: the
//!   strategy as a tree;
//! - [`run`]: a run's whole lifecycle ([`run::execute`]);
//! - [`portal`]: the committees' web portal, on top of everything;
//! - [`bug`]: what the binary says of a panic.
//!
//! `main.rs` is the command line: it parses, calls one function here per
//! command, prints, and is the one place where errors become exit codes.

pub mod text;

pub mod clock;

pub mod finding;

pub mod pipeline;

pub mod http;

pub mod inputs;

pub mod pool;

pub mod ledger;

pub mod layout;

pub mod ingest;

pub mod cache;

pub mod validate;

pub mod template;

pub mod aggregate;

pub mod reference;

pub mod disclose;

pub mod handin;

pub mod assessment;

pub mod error;

pub mod results;

pub mod store;

pub mod chart;

pub mod report;

pub mod show;

pub mod run;

pub mod portal;

pub mod bug;
