//! Generated data for the benchmarks and the integration tests: reports in the sample's
//! layout (`synth`) and tasks (`corpus`), any number of them, recombined from the built-in
//! sample. Not part of the shipped library: each bench includes this folder with
//! `#[path = "support/mod.rs"] mod support;` and the test binary with
//! `#[path = "../../benches/support/mod.rs"]`.
//!
//! Each binary that includes it uses only part of it (the import bench only `synth`, the
//! search bench only `corpus`), so what one binary leaves unused is not dead code.
#![allow(dead_code)]

pub mod corpus;
pub mod synth;
