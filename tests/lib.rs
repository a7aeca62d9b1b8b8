//! Integration tests: each module is one feature, and each test runs the real
//! `uppfolj` binary on real files through the [`test::Test`] builder.

mod check;
mod show;
mod test;
