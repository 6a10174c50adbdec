//! Exports the whole state: JSON (the contract of PRODUCT.md), CSV (with a BOM for Excel
//! and WPS) and Markdown.
