//! Parser for pipe and Markdown tables: `| 序号 | 目标与任务 | 牵头责任单位 | 责任单位 |` in any
//! column order, section rows with empty cells, ids like `(1)` or `一`, `<br>` inside cells.

use super::layout::{
    self, clean_units, header_column_of, is_footer, is_heading, is_separator_row, is_table_header,
    pipe_cells, pipe_cells_framed, regex, Column, PipeFraming,
};
use super::{Parsed, RawRow, RawUnits, SourceLine, Unplaced};

/// A header: what each column holds, and its written name (for messages about columns
/// duban does not import).
struct Header {
    columns: Vec<(Column, String)>,
}

fn header_of(cells: &[String]) -> Option<Header> {
    if !is_table_header(cells.iter().map(|c| header_column_of(c))) {
        return None;
    }
    let mut kinds: Vec<Column> = cells
        .iter()
        .map(|c| header_column_of(c).unwrap_or(Column::Other))
        .collect();
    layout::resolve_units_columns(&mut kinds);
    Some(Header {
        columns: kinds.into_iter().zip(cells.iter().cloned()).collect(),
    })
}

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

pub fn parse(lines: &[SourceLine<'_>]) -> Parsed {
    let mut out = Parsed::default();
    let mut header: Option<Header> = None;
    let mut sections = layout::Sections::default();
    let mut section: Option<String> = None;
    let mut after_table = false;
    let mut framing: Option<PipeFraming> = None;
    for &line in lines {
        let t = line.text.trim();
        if t.is_empty() {
            continue;
        }
        if after_table {
            out.unplaced
                .push(unplaced(line, "text after the end of the table"));
            continue;
        }
        let cells = match framing {
            Some(f) => pipe_cells_framed(t, f),
            None => pipe_cells(t),
        };
        let Some(cells) = cells else {
            // Outside the table rows: the title before it, section headings between its parts,
            // and anything else, which is reported.
            if header.is_none() {
                continue;
            }
            if is_heading(t) {
                sections.enter(t);
                section = sections.current();
            } else if is_footer(t) {
                after_table = true;
                out.unplaced
                    .push(unplaced(line, "text after the end of the table"));
            } else {
                out.unplaced
                    .push(unplaced(line, "text outside the table rows"));
            }
            continue;
        };
        if is_separator_row(&cells) {
            continue;
        }
        if let Some(h) = header_of(&cells) {
            // The first header, or the header repeated at a page break.
            if header.is_none() {
                header = Some(h);
                framing = Some(PipeFraming {
                    leading: t.starts_with('|'),
                    trailing: t.ends_with('|'),
                });
            }
            continue;
        }
        let Some(h) = header.as_ref() else {
            continue;
        };
        match row_of(h, &cells, line, &section, &mut out.unplaced) {
            RowOrSection::Row(row) => out.rows.push(row),
            RowOrSection::Section(s) => {
                sections.enter(&s);
                section = sections.current();
            }
            RowOrSection::Nothing => {}
        }
    }
    layout::drop_restarting_numbers(&mut out.rows);
    out
}

enum RowOrSection {
    Row(RawRow),
    Section(String),
    Nothing,
}

fn row_of(
    h: &Header,
    cells: &[String],
    line: SourceLine<'_>,
    section: &Option<String>,
    unplaced_out: &mut Vec<Unplaced>,
) -> RowOrSection {
    let mut id = String::new();
    let mut goal = String::new();
    let mut progress: Vec<String> = Vec::new();
    let (mut lead, mut co, mut single): (Vec<String>, Vec<String>, Vec<String>) =
        (Vec::new(), Vec::new(), Vec::new());
    let mut others: Vec<String> = Vec::new();
    for (k, cell) in cells.iter().enumerate() {
        let cell = cell.trim();
        if cell.is_empty() {
            continue;
        }
        let Some((col, name)) = h.columns.get(k) else {
            others.push(format!("a cell beyond the header's columns: {cell}"));
            continue;
        };
        match col {
            Column::Number => id.push_str(cell),
            Column::Goal => goal.extend(br_parts(cell)),
            Column::Progress => progress.extend(br_parts(cell).map(str::to_string)),
            Column::Lead | Column::Co | Column::Units => {
                let text = clean_units(&br_parts(cell).collect::<Vec<_>>().join("、"));
                match col {
                    Column::Lead => lead.push(text),
                    Column::Co => co.push(text),
                    _ => single.push(text),
                }
            }
            Column::Notes | Column::Other | Column::Period | Column::Ignore => {
                others.push(format!("column {name} is not imported: {cell}"))
            }
        }
    }
    let no_units = lead.is_empty() && co.is_empty() && single.is_empty();
    let id_t = unemphasize(&id);
    let goal_t = unemphasize(&goal);
    let number = layout::parse_id(id_t);
    // A section row: a heading with the other cells empty (`| 一 | 确保完成全年主要预期目标 | | |`).
    let chinese_id = !id_t.is_empty() && !id_t.chars().any(|c| c.is_ascii_digit());
    if no_units
        && progress.is_empty()
        && (id_t.is_empty() || chinese_id || is_heading(id_t))
        && !(id_t.is_empty() && goal_t.is_empty())
    {
        for o in others {
            unplaced_out.push(Unplaced {
                line: line.number,
                text: o,
                reason: "cell of a section row".into(),
            });
        }
        return RowOrSection::Section(section_text(id_t, goal_t));
    }
    for o in others {
        unplaced_out.push(Unplaced {
            line: line.number,
            text: o,
            reason: "cell not imported".into(),
        });
    }
    if goal.is_empty() && progress.is_empty() && no_units {
        if !id.is_empty() {
            unplaced_out.push(Unplaced {
                line: line.number,
                text: id,
                reason: "a row with only an id".into(),
            });
        }
        return RowOrSection::Nothing;
    }
    if number.is_none() && !id_t.is_empty() {
        unplaced_out.push(Unplaced {
            line: line.number,
            text: id.clone(),
            reason: "the row's id is not a number; the row is numbered in order".into(),
        });
    }
    let units = if lead.is_empty() && co.is_empty() {
        RawUnits::SingleColumn(single.join("、"))
    } else {
        co.extend(single);
        RawUnits::Columns {
            lead: lead.join("、"),
            co: co.join("、"),
        }
    };
    RowOrSection::Row(RawRow {
        notes: Vec::new(),
        number,
        section: section.clone(),
        line: line.number,
        goal: goal.trim().to_string(),
        progress,
        units,
    })
}

/// `一` + `确保完成…` → `一、确保完成…`; `(一)` + `…` → `(一)…`; a heading already in either cell
/// is kept as written.
fn section_text(id: &str, goal: &str) -> String {
    if id.is_empty() {
        return goal.to_string();
    }
    if goal.is_empty() || is_heading(goal) {
        return if goal.is_empty() {
            id.to_string()
        } else {
            goal.to_string()
        };
    }
    if is_heading(id) || id.ends_with(['、', ')', '\u{ff09}', '.', '．']) {
        format!("{id}{goal}")
    } else {
        format!("{id}、{goal}")
    }
}

fn unplaced(line: SourceLine<'_>, reason: &str) -> Unplaced {
    Unplaced {
        line: line.number,
        text: line.text.trim().to_string(),
        reason: reason.to_string(),
    }
}
