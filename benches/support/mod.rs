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

/// The UI's options as `duban` starts with none given.
pub fn ui_options() -> duban::ui::UiOptions {
    duban::ui::UiOptions {
        keymap: None,
        ascii: false,
        mouse: false,
        startup_message: None,
    }
}

/// `median 1.23 ms (min …, max …, n=…)` of some timings.
pub fn stats(mut v: Vec<std::time::Duration>) -> String {
    v.sort();
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    format!(
        "median {:.2} ms (min {:.2}, max {:.2}, n={})",
        ms(v[v.len() / 2]),
        ms(v[0]),
        ms(v[v.len() - 1]),
        v.len()
    )
}
