//! duban (督办): a terminal tool for a city government's supervision office to follow its
//! key work tasks — import the reports, browse by domain, search, judge status, export.

pub mod atomic;
pub mod classify;
pub mod cli;
pub mod export;
pub mod figures;
pub mod import;
pub mod lang;
pub mod ledger;
pub mod model;
pub mod numerals;
pub mod ops;
pub mod paths;
pub mod periods;
pub mod search;
pub mod server;
pub mod store;
pub mod suggest;
pub mod text;
pub mod ui;
pub mod units;
pub mod user;
pub mod words;
pub mod xlsx;
