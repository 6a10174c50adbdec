//! The integration tests, as one binary: one module per area (the command line, import,
//! search, the shared server, the terminal UI, whole workflows), the helpers they share in
//! `common`, and the generated data they share with the benchmarks in `support`. One binary
//! links the library once instead of once per file, and its tests run in one parallel pool.
//!
//! Fixtures stay in `tests/fixtures/`; insta snapshots are in `snapshots/` here, named
//! `it__<module>__<name>.snap`; proptest keeps failing seeds next to each module's file.

mod common;
#[path = "../../benches/support/mod.rs"]
mod support;

mod cli;
mod crash_safety;
mod domains;
mod durability;
mod import_encodings;
mod import_layouts;
mod import_office;
mod import_properties;
mod import_props;
mod import_sample;
mod input_bounds;
mod lang;
mod notes;
mod output_safety;
mod search;
mod server;
mod suggest_review;
mod tongbao;
mod ui_bytes;
mod ui_edits;
mod ui_import;
mod ui_keymap;
mod ui_keys;
mod ui_list_order;
mod ui_review;
mod ui_search;
mod ui_sizes;
mod ui_snapshots;
mod ui_update;
mod workflow;
