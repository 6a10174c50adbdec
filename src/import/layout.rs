//! Detects which layout a report uses from its lines.

use super::{Layout, SourceLine};

pub fn detect(lines: &[SourceLine<'_>]) -> Option<Layout> {
    lines
        .iter()
        .any(|l| l.text.contains("序号目标与任务"))
        .then_some(Layout::Concatenated)
}
