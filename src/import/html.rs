//! (being written) Reads a html file into a [`Document`](super::table::Document).

use super::table::{Document, ReadError};

pub fn read(_bytes: &[u8]) -> Result<Document, ReadError> {
    Err(ReadError("not yet supported".into()))
}
