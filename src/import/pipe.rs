//! Pipe and Markdown tables: `| 序号 | 目标与任务 | 牵头责任单位 | 责任单位 |` in any column
//! order. This module only turns the lines into cells — `<br>` breaks as paragraphs, Markdown
//! emphasis dropped, headings between the rows as section rows spanning the table, the header
//! repeated at a page break left out — and hands the table to the column-role step, which reads
//! it as it reads a Word or Excel table.

use super::columns;
use super::layout::{
    is_footer, is_heading, is_separator_row, pipe_cells, pipe_cells_framed, regex, PipeFraming,
};
use super::table::{Cell, Document, Merged, Row, Table};
use super::{Parsed, SourceLine, Unplaced};

/// Splits a cell at `<br>` line breaks.
fn br_parts(cell: &str) -> impl Iterator<Item = &str> {
    regex!(r"(?i)<br\s*/?>")
        .split(cell)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Markdown emphasis around a whole cell (`**一、…**`) is formatting, not text.
fn unemphasize(cell: &str) -> &str {
    let t = cell.trim();
    for m in ["**", "__"] {
        if let Some(inner) = t.strip_prefix(m).and_then(|s| s.strip_suffix(m)) {
            return inner.trim();
        }
    }
    t
}

fn cell_of(text: &str) -> Cell {
    Cell::text(br_parts(unemphasize(text)).map(unemphasize))
}

pub fn parse(lines: &[SourceLine<'_>]) -> Parsed {
    let mut unplaced = Vec::new();
    let mut rows: Vec<Row> = Vec::new();
    let mut width = 0;
    let mut framing: Option<PipeFraming> = None;
    let mut ended = false;
    for &line in lines {
        let t = line.text.trim();
        if t.is_empty() {
            continue;
        }
        if ended {
            unplaced.push(unplaced_line(line, "text after the end of the table"));
            continue;
        }
        let cells = match framing {
            Some(f) => pipe_cells_framed(t, f),
            None => pipe_cells(t),
        };
        let Some(cells) = cells else {
            // Outside the table rows: the title before it, section headings between its
            // parts (a row spanning the table), and anything else, which is reported.
            if framing.is_none() {
                continue;
            }
            // A Markdown heading (`### 二、民生`) is a heading too.
            let heading = unemphasize(t.trim_start_matches('#'));
            if is_heading(heading) {
                let mut spanning = vec![Cell::text([heading])];
                spanning.resize(width.max(2), Cell::covered(Merged::Left));
                rows.push(Row {
                    at: line.number,
                    cells: spanning,
                });
            } else if is_footer(t) {
                ended = true;
                unplaced.push(unplaced_line(line, "text after the end of the table"));
            } else {
                unplaced.push(unplaced_line(line, "text outside the table rows"));
            }
            continue;
        };
        if is_separator_row(&cells) {
            continue;
        }
        let plain: Vec<&str> = cells.iter().map(|c| unemphasize(c)).collect();
        if columns::names_columns(&plain) {
            // The first header, or the header repeated at a page break (kept out: its
            // words may differ from the first one's).
            if framing.is_none() {
                framing = Some(PipeFraming {
                    leading: t.starts_with('|'),
                    trailing: t.ends_with('|'),
                });
                width = cells.len();
                rows.push(Row {
                    at: line.number,
                    cells: cells.iter().map(|c| cell_of(c)).collect(),
                });
            }
            continue;
        }
        if framing.is_none() {
            continue;
        }
        if cells.len() > width {
            let extra: Vec<&str> = cells[width..]
                .iter()
                .map(|c| c.trim())
                .filter(|c| !c.is_empty())
                .collect();
            if !extra.is_empty() {
                unplaced.push(Unplaced {
                    line: line.number,
                    text: extra.join(" | "),
                    reason: "cells beyond the header's columns".into(),
                });
            }
        }
        rows.push(Row {
            at: line.number,
            cells: cells.iter().take(width).map(|c| cell_of(c)).collect(),
        });
    }
    let doc = Document {
        text: Vec::new(),
        tables: vec![Table {
            name: "pipe table".into(),
            caption: Vec::new(),
            rows,
        }],
    };
    let mut parsed = columns::read(&doc, false)
        .map(|t| t.parsed)
        .unwrap_or_default();
    parsed.unplaced.extend(unplaced);
    parsed.unplaced.sort_by_key(|u| u.line);
    parsed
}

fn unplaced_line(line: SourceLine<'_>, reason: &str) -> Unplaced {
    Unplaced {
        line: line.number,
        text: line.text.trim().to_string(),
        reason: reason.to_string(),
    }
}
