//! Integration tests: each module is one feature, and most tests run the real
//! `uppfolj` binary on real files through the [`test::Test`] builder.

mod assessment;
mod cache;
mod check;
mod cli;
mod comments;
mod comparison;
mod disclosure;
mod hostile;
mod judgement;
mod pipeline;
mod portal;
mod portal_hardening;
mod portal_loop;
mod real_files;
mod reference;
mod report;
mod run;
#[allow(dead_code)]
#[path = "../examples/samples/generate/mod.rs"]
mod samples;
mod scale;
mod show;
mod smtp;
mod survey;
mod tables;
mod template;
mod test;
mod totals;
mod validate_returns;
