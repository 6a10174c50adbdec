//! Parser for the concatenated-columns layout of the sample: one row per line,
//! goal + progress + lead units + co units run together. Not written yet.

use super::{Parsed, SourceLine};

pub fn parse(_lines: &[SourceLine<'_>]) -> Parsed {
    Parsed::default()
}
