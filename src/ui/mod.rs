//! The terminal UI (ratatui on a tokio event loop). Not written yet.
