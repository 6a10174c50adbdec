//! Parser for the pipe layout (IMPORT.md). Not written yet.

use super::{Parsed, SourceLine};

pub fn parse(_lines: &[SourceLine<'_>]) -> Parsed {
    Parsed::default()
}
