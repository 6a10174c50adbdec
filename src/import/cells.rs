//! Parser for tables copied one cell per line or per blank-line-separated paragraph, under a
//! header of column names in any order. Owns row boundaries and which lines fill which column.
//!
//! Lines are typed (bare number, unit names, text, heading); the header's column order then
//! says where a row may end. A bare number starts a row only if the row before it is complete,
//! it continues the numbering and a goal follows it; otherwise it numbers a progress sub-item.
//! Cells may also be separated by lines holding only `|`: they count as blank lines.
//!
//! Columns that are no field of a task (`备注`, `完成时限`, `责任领导`) become the row's notes.
//! One cell per line loses empty cells, so such a column takes a line only when the line looks
//! like what the column holds (a date for `完成时限`, a name for `责任领导`, a short remark
//! without a full stop for `备注`); otherwise the line stays progress.

use super::layout::{
    self, clean_units, find_cells_header, is_bar_line, is_footer, is_heading, is_loose_unit,
    is_units_line, regex, Column,
};
use super::units::{normalize, split_list};
use super::{Parsed, RawRow, RawUnits, SourceLine, Unplaced};
use std::collections::HashSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A bare number: a row number or a progress sub-item's number.
    Number(u32),
    Units,
    Text,
    Heading,
    /// A column name: the header repeated at a page break.
    HeaderCell,
    Footer,
}

#[derive(Debug, Clone)]
struct Chunk<'a> {
    kind: Kind,
    lines: Vec<SourceLine<'a>>,
    /// Empty cells just before this chunk, where the copy shows them (see [`empty_cells_show`]).
    empty_before: usize,
}

impl<'a> Chunk<'a> {
    fn new(kind: Kind, lines: Vec<SourceLine<'a>>) -> Self {
        Chunk {
            kind,
            lines,
            empty_before: 0,
        }
    }

    /// The same chunk read as text (a number that numbers no row, a heading inside a row).
    fn as_text(&self) -> Self {
        Chunk {
            kind: Kind::Text,
            ..self.clone()
        }
    }
}

/// A number alone on its line: `12`, `(12)`, `1001.`. Of any size; whether it is a row number
/// is decided by the numbering around it.
fn bare_number(t: &str) -> Option<u32> {
    let caps = regex!(r"^[(\x{FF08}]?\s*([0-9]{1,9})\s*[)\x{FF09}]?\s*[.．、]?$").captures(t)?;
    layout::numeral(caps.get(1)?.as_str())
}

/// A blank line, or a line holding only `|`: the border between two cells.
/// A blank line, a `|` line, or a cell that says it has nothing (`/`, `无`): no cell text.
fn is_separator(t: &str) -> bool {
    t.trim().is_empty() || is_bar_line(t) || layout::is_placeholder(t)
}

/// The form's signature under the table: `填表人：王倩　　审核人：赵磊`, `联系电话：…`. It ends the
/// table and is reported, never a cell (a name and a phone number are no task's text).
fn is_signature(t: &str) -> bool {
    regex!(r"^(?:填表人|填报人|制表人|审核人|审签人|签发人|联系人|联系电话|填报单位|填表单位|制表单位|填报日期|填表日期|制表日期|填报时间)\s*(?:[(\x{FF08}][^)\x{FF09}]{0,8}[)\x{FF09}])?\s*[:\x{FF1A}]")
        .is_match(t.trim())
}

/// A remark under the table (`注:进展情况截至6月底`), not a cell.
fn is_remark(t: &str) -> bool {
    regex!(r"^(?:注|附注|说明|备注)\s*[:\x{FF1A}]").is_match(t.trim())
}

fn kind_of(t: &str) -> Kind {
    if let Some(n) = bare_number(t) {
        Kind::Number(n)
    } else if layout::column_of(t).is_some() {
        Kind::HeaderCell
    } else if is_footer(t) || is_signature(t) || layout::is_page_furniture(t) {
        Kind::Footer
    } else if is_heading(t) {
        Kind::Heading
    } else if is_units_line(t) {
        Kind::Units
    } else {
        Kind::Text
    }
}

/// Short lines that are no sentence next to unit lines are units duban does not know.
/// When the header has a note column right after its units (`备注`, `责任领导`), a short line
/// after the units that fits that column is its cell, not a unit (unless units follow it too).
fn loose_next_to_units(
    kinds: &mut [Kind],
    lines: &[SourceLine<'_>],
    note_after_units: Option<NoteKind>,
) {
    for k in 0..kinds.len() {
        let Some(text) = lines.get(k).map(|l| l.text.trim()) else {
            continue;
        };
        if kinds[k] == Kind::Text && is_loose_unit(text) {
            let before = k > 0 && kinds[k - 1] == Kind::Units;
            let after = kinds.get(k + 1) == Some(&Kind::Units);
            let a_note = note_after_units.is_some_and(|n| n.fits(text, false));
            if (before && !a_note) || after {
                kinds[k] = Kind::Units;
            }
        }
    }
}

/// One chunk per non-blank line.
fn line_chunks<'a>(body: &[SourceLine<'a>], note_after_units: Option<NoteKind>) -> Vec<Chunk<'a>> {
    let lines: Vec<SourceLine<'a>> = body
        .iter()
        .copied()
        .filter(|l| !is_separator(l.text))
        .collect();
    let mut kinds: Vec<Kind> = lines.iter().map(|l| kind_of(l.text.trim())).collect();
    loose_next_to_units(&mut kinds, &lines, note_after_units);
    lines
        .into_iter()
        .zip(kinds)
        .map(|(l, kind)| Chunk::new(kind, vec![l]))
        .collect()
}

/// One chunk per paragraph separated by blank lines (or `|` lines); a paragraph mixing kinds
/// is cut where the kind changes. A number inside a longer paragraph numbers a sub-item, so it
/// is text — unless it ends the paragraph: then nothing it could number follows it, and it is
/// the next row's number in a table that does not separate its rows (`跨年度项目` / `6`).
/// With `empties`, the blank lines before a paragraph say how many empty cells precede it.
fn paragraph_chunks<'a>(body: &[SourceLine<'a>], empties: bool) -> Vec<Chunk<'a>> {
    let mut out = Vec::new();
    let mut block: Vec<SourceLine<'a>> = Vec::new();
    // Blank lines before the paragraph being read.
    let mut gap = 0usize;
    let mut gap_before = 0usize;
    let flush = |block: &mut Vec<SourceLine<'a>>, out: &mut Vec<Chunk<'a>>, gap: usize| {
        if block.is_empty() {
            return;
        }
        let mut kinds: Vec<Kind> = block.iter().map(|l| kind_of(l.text.trim())).collect();
        let last = kinds.len() - 1;
        if block.len() > 1 {
            for (k, kind) in kinds.iter_mut().enumerate() {
                if matches!(kind, Kind::Number(_)) && k != last {
                    *kind = Kind::Text;
                }
            }
        }
        loose_next_to_units(&mut kinds, block, None);
        let first = out.len();
        for (l, kind) in block.drain(..).zip(kinds) {
            match out.last_mut() {
                Some(Chunk {
                    kind: last, lines, ..
                }) if *last == kind
                    && matches!(kind, Kind::Units | Kind::Text)
                    && !lines.is_empty()
                    && same_block(lines, l) =>
                {
                    lines.push(l)
                }
                _ => out.push(Chunk::new(kind, vec![l])),
            }
        }
        if let Some(c) = out.get_mut(first) {
            c.empty_before = if empties { empty_cells_in(gap) } else { 0 };
        }
    };
    for &l in body {
        if is_separator(l.text) {
            if !block.is_empty() {
                flush(&mut block, &mut out, gap_before);
                gap = 0;
            }
            gap += 1;
        } else {
            if block.is_empty() {
                gap_before = gap;
            }
            block.push(l);
        }
    }
    flush(&mut block, &mut out, gap_before);
    out
}

/// Empty cells in a run of `gap` blank lines between two cells, where each cell is followed by
/// one blank line and an empty cell is an empty paragraph: 1 blank line, no empty cell; 3, one;
/// 5, two.
fn empty_cells_in(gap: usize) -> usize {
    // No table has this many columns: more blank lines end the row's cells all the same, and
    // a page of blank lines costs nothing.
    const MOST: usize = 64;
    (gap.saturating_sub(1) / 2).min(MOST)
}

/// Whether the copy shows empty cells: a Word table pasted with one paragraph per cell and a
/// blank line after each, where an empty cell is an empty paragraph (three blank lines in a
/// row). Cells are then mostly one blank line apart, and some are three or more. `|` lines
/// show no empty cell the same way, so a table using them is left alone.
fn empty_cells_show(body: &[SourceLine<'_>]) -> bool {
    if body.iter().any(|l| is_bar_line(l.text)) {
        return false;
    }
    let mut gaps: Vec<usize> = Vec::new();
    let mut run = 0usize;
    let mut seen_text = false;
    for l in body {
        if l.text.trim().is_empty() {
            run += 1;
        } else {
            if seen_text && run > 0 {
                gaps.push(run);
            }
            seen_text = true;
            run = 0;
        }
    }
    let single = gaps.iter().filter(|&&g| g == 1).count();
    single * 2 > gaps.len() && gaps.iter().any(|&g| g >= 3)
}

/// Whether `l` directly follows the last line of `lines` (same paragraph).
fn same_block(lines: &[SourceLine<'_>], l: SourceLine<'_>) -> bool {
    lines.last().is_some_and(|p| p.number + 1 == l.number)
}

/// The table separates its cells by blank lines (or `|` lines) when most lines are followed by
/// one.
fn blank_separated(body: &[SourceLine<'_>]) -> bool {
    let mut nonblank = 0usize;
    let mut followed = 0usize;
    for (k, l) in body.iter().enumerate() {
        if is_separator(l.text) {
            continue;
        }
        nonblank += 1;
        if body.get(k + 1).is_some_and(|n| is_separator(n.text)) {
            followed += 1;
        }
    }
    nonblank > 0 && followed * 10 >= nonblank * 3
}

/// What a column that is no field of a task holds, judged by its header: a line is taken for
/// such a column only when it looks like what the column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NoteKind {
    /// `完成时限`, `时间节点`: `2021年12月底`, `长期坚持`.
    Deadline,
    /// `责任领导`, `责任人`: `张建华`, `王海燕(副市长)`.
    Person,
    /// `备注`, `类别`: a short remark without figures or a full stop (`跨年度项目`, `省定任务`).
    Remark,
    /// Anything else (`存在问题`, `下步打算`): any one cell, when progress keeps a cell too.
    Any,
}

impl NoteKind {
    fn of(role: Column, name: &str) -> Option<NoteKind> {
        let n = layout::fold(name);
        match role {
            Column::Notes => Some(NoteKind::Remark),
            Column::Other | Column::Period | Column::Ignore => Some(
                if ["时限", "时间", "节点", "期限", "日期"]
                    .iter()
                    .any(|w| n.contains(w))
                {
                    NoteKind::Deadline
                } else if ["领导", "责任人", "联系人"].iter().any(|w| n.contains(w)) {
                    NoteKind::Person
                } else if ["类别", "分类", "领域", "状态"]
                    .iter()
                    .any(|w| n.contains(w))
                {
                    NoteKind::Remark
                } else {
                    NoteKind::Any
                },
            ),
            _ => None,
        }
    }

    /// Whether a cell of `text` fits the column. `alone`: the cell would be the only text of
    /// its run, so taking it leaves progress empty — only a cell that clearly fits is taken.
    fn fits(self, text: &str, alone: bool) -> bool {
        let t = text.trim();
        let len = t.chars().count();
        match self {
            NoteKind::Deadline => len <= 24 && is_time_phrase(t),
            NoteKind::Person => {
                (2..=16).contains(&len)
                    && !t
                        .chars()
                        .any(|c| c.is_ascii_digit() || "。,，;；:：、".contains(c))
                    && !layout::is_unit_name(t)
            }
            // Progress lines are often short too, but they carry figures (`已开工65个`) or end
            // their sentence.
            NoteKind::Remark => {
                !alone
                    && (1..=20).contains(&len)
                    && !t.chars().any(|c| c.is_ascii_digit())
                    && !t.ends_with(['。', ';', '；', ':', '：', '，', ','])
                    && layout::number_prefix(t).is_none()
                    && !is_units_line(t)
            }
            NoteKind::Any => !alone,
        }
    }
}

/// A deadline as tables write it: `2021年12月底`, `2023年6月底前`, `6月底`, `年底前`, `长期坚持`,
/// `2022.12`, `三季度`.
fn is_time_phrase(t: &str) -> bool {
    regex!(r"^(?:\d{4}\s*(?:年|[.\-/．])|\d{1,2}\s*月|(?:本|今|全|明)?年(?:底|内|末|中)|长期|持续|常态|全年|上半年|下半年|每[年季月周]|(?:第)?[一二三四1-4]季度|[一二三四五六七八九十]{1,3}月)")
        .is_match(t)
}

/// A column of the header, after the number column.
#[derive(Debug, Clone)]
struct Col {
    role: Column,
    /// The header cell as written.
    name: String,
    /// Position in the header, so notes come out in column order.
    at: usize,
    note: Option<NoteKind>,
}

impl Col {
    fn new(role: Column, name: &str, at: usize) -> Col {
        Col {
            role,
            name: name.to_string(),
            at,
            note: NoteKind::of(role, name),
        }
    }

    /// Text beyond what the header has room for: progress, or co units.
    fn extra(role: Column) -> Col {
        Col::new(role, "", usize::MAX)
    }

    /// The note this column makes of a cell: `备注` as written, other columns as
    /// `<header>:<text>`. None for columns duban reads and does not keep (`状态`).
    fn note_of(&self, text: &str) -> Option<String> {
        match self.role {
            Column::Notes => Some(text.to_string()),
            Column::Other => Some(format!("{}:{}", self.name, text)),
            _ => None,
        }
    }
}

/// What the header's column order says about row boundaries.
struct Template {
    /// The columns after the number column, in order.
    columns: Vec<Col>,
}

impl Template {
    fn has_units(&self) -> bool {
        self.columns.iter().any(|c| c.role.is_units())
    }

    /// The first column (after the number) is a units column: a row starts with its units.
    fn starts_with_units(&self) -> bool {
        self.columns.first().is_some_and(|c| c.role.is_units())
    }

    /// The kind of the note column right after the last units column, if there is one.
    fn note_after_units(&self) -> Option<NoteKind> {
        let k = self.columns.iter().rposition(|c| c.role.is_units())?;
        self.columns.get(k + 1)?.note
    }

    /// The last column that is a field of the task (goal, progress or units).
    fn last_field(&self) -> Option<usize> {
        self.columns.iter().rposition(|c| c.note.is_none())
    }

    /// Nothing but notes can follow a row's units: the next text starts a new row, unless it
    /// is one of those notes.
    fn ends_with_units(&self) -> bool {
        self.last_field()
            .and_then(|k| self.columns.get(k))
            .is_some_and(|c| c.role.is_units())
    }

    /// The note columns after the row's units when the header ends with units.
    fn notes_after_units(&self) -> &[Col] {
        match self.last_field() {
            Some(k) if self.ends_with_units() => self.columns.get(k + 1..).unwrap_or(&[]),
            _ => &[],
        }
    }

    /// When the goal is followed by units (with only note columns between), the note columns
    /// between: a goal is text followed by those notes' cells, then units.
    fn notes_between_goal_and_units(&self) -> Option<&[Col]> {
        let g = self.columns.iter().position(|c| c.role == Column::Goal)?;
        let rest = self.columns.get(g + 1..)?;
        let u = rest.iter().position(|c| c.note.is_none())?;
        rest.get(u)
            .filter(|c| c.role.is_units())
            .and_then(|_| rest.get(..u))
    }
}

/// Whether the chunks from `from` are the cells after a goal, up to its units: text fitting the
/// note columns between the goal and the units (each may be missing), then units.
fn units_follow(template: &Template, chunks: &[Chunk<'_>], from: usize) -> bool {
    let Some(between) = template.notes_between_goal_and_units() else {
        return false;
    };
    let mut k = from;
    for col in between {
        let fits = chunks.get(k).is_some_and(|c| {
            c.kind == Kind::Text
                && c.lines.len() == 1
                && col.note.is_some_and(|n| n.fits(&cell_text(c), false))
        });
        if fits {
            k += 1;
        }
    }
    chunks.get(k).is_some_and(|c| c.kind == Kind::Units)
}

/// A chunk's lines as one cell's text.
fn cell_text(c: &Chunk<'_>) -> String {
    c.lines
        .iter()
        .map(|l| l.text.trim())
        .collect::<Vec<_>>()
        .join("")
}

struct RowBuf<'a> {
    number: Option<u32>,
    line: usize,
    section: Option<String>,
    chunks: Vec<Chunk<'a>>,
    has_units: bool,
    /// Text chunks taken after the units as the header's trailing note columns.
    tail_notes: usize,
    /// Cells read so far, empty ones included: the column the next cell falls in.
    cells: usize,
}

impl<'a> RowBuf<'a> {
    fn new(number: Option<u32>, line: usize, section: &Option<String>) -> Self {
        RowBuf {
            number,
            line,
            section: section.clone(),
            chunks: Vec::new(),
            has_units: false,
            tail_notes: 0,
            cells: 0,
        }
    }

    /// Adds a chunk, after the empty cells before it. An empty cell in a units column counts
    /// as the row's units: a task without units is still complete. The empty cells before the
    /// first chunk of a row without number are the row before's last cells.
    fn push(&mut self, mut c: Chunk<'a>, columns: &[Col]) {
        if self.chunks.is_empty() && self.number.is_none() {
            c.empty_before = 0;
        }
        for _ in 0..c.empty_before {
            if columns
                .get(self.cells)
                .is_some_and(|col| col.role.is_units())
            {
                self.has_units = true;
            }
            self.cells += 1;
        }
        let same_cell = c.empty_before == 0
            && self
                .chunks
                .last()
                .zip(c.lines.first())
                .is_some_and(|(p, l)| same_block(&p.lines, *l));
        if !same_cell {
            self.cells += 1;
        }
        if c.kind == Kind::Units {
            self.has_units = true;
        }
        self.chunks.push(c);
    }
}

/// Remarks under the table (`注:…`) after the last units or number: the table has ended.
fn mark_remarks(chunks: &mut [Chunk<'_>]) {
    let last_row_part = chunks
        .iter()
        .rposition(|c| matches!(c.kind, Kind::Units | Kind::Number(_)));
    for (i, c) in chunks.iter_mut().enumerate() {
        let after = last_row_part.is_none_or(|l| i > l);
        if after && c.kind == Kind::Text && c.lines.first().is_some_and(|l| is_remark(l.text)) {
            c.kind = Kind::Footer;
        }
    }
}

pub fn parse(lines: &[SourceLine<'_>]) -> Parsed {
    let mut out = Parsed::default();
    let Some(header) = find_cells_header(lines) else {
        return out;
    };
    let template = Template {
        columns: header
            .columns
            .iter()
            .zip(&header.names)
            .enumerate()
            .filter(|(_, (c, _))| **c != Column::Number)
            .map(|(at, (c, n))| Col::new(*c, n, at))
            .collect(),
    };
    let body = lines.get(header.end..).unwrap_or(&[]);
    let paragraphs =
        header.blank_separated || blank_separated(body) || body.iter().any(|l| is_bar_line(l.text));
    let empties = paragraphs && empty_cells_show(body);
    let mut chunks = if paragraphs {
        paragraph_chunks(body, empties)
    } else {
        line_chunks(body, template.note_after_units())
    };
    mark_remarks(&mut chunks);
    let complete = |r: &RowBuf<'_>| !template.has_units() || r.has_units;

    let mut rows: Vec<RowBuf<'_>> = Vec::new();
    let mut current: Option<RowBuf<'_>> = None;
    let mut sections = layout::Sections::default();
    let mut section: Option<String> = None;
    let mut expected: Option<u32> = None;
    let mut after_table = false;

    // A section row whose id (`一、`) and title sit in two cells: the title's chunk is taken
    // with the id's.
    let mut title_taken = false;
    for (i, chunk) in chunks.iter().enumerate() {
        if std::mem::take(&mut title_taken) {
            continue;
        }
        let next_kind = chunks.get(i + 1).map(|c| c.kind);
        // The chunk after a would-be goal fits the header: units when the goal's column is
        // followed by a units column (past any note columns).
        // What follows a number fits the header's first column: units where the header starts
        // with units, else a goal.
        // Where the copy shows empty cells, empty cells after the goal are the columns after
        // it: the units may be empty.
        let goal_fits = if template.starts_with_units() {
            next_kind == Some(Kind::Units)
        } else {
            next_kind == Some(Kind::Text)
                && (template.notes_between_goal_and_units().is_none()
                    || units_follow(&template, &chunks, i + 2)
                    || chunks.get(i + 2).is_some_and(|c| c.empty_before > 0))
        };
        // Lines after the table are reported, but for the page's furniture.
        let report_after = |out: &mut Parsed| {
            for l in chunk
                .lines
                .iter()
                .filter(|l| !layout::is_page_furniture(l.text))
            {
                out.unplaced.push(unplaced(
                    *l,
                    crate::lang::t("表格结束后的文字", "text after the end of the table"),
                ));
            }
        };
        if after_table {
            report_after(&mut out);
            continue;
        }
        match chunk.kind {
            Kind::HeaderCell => {}
            Kind::Footer => {
                if let Some(r) = current.take() {
                    rows.push(r);
                }
                after_table = true;
                report_after(&mut out);
            }
            Kind::Number(n) => {
                let starts = match current.as_ref() {
                    None if template.starts_with_units() => next_kind == Some(Kind::Units),
                    None => next_kind == Some(Kind::Text),
                    Some(r) if !complete(r) => false,
                    // Nothing can follow the row's units: a number here is the next row's.
                    Some(_) if template.ends_with_units() => true,
                    Some(_) => {
                        let in_sequence =
                            expected.is_none_or(|e| n >= e && n <= e.saturating_add(5));
                        in_sequence && goal_fits
                    }
                };
                if starts {
                    if let Some(r) = current.take() {
                        rows.push(r);
                    }
                    let line = chunk.lines.first().map_or(0, |l| l.number);
                    current = Some(RowBuf::new(Some(n), line, &section));
                    expected = Some(n.saturating_add(1));
                } else {
                    match current.as_mut() {
                        Some(r) => r.push(chunk.as_text(), &template.columns),
                        None => {
                            for l in &chunk.lines {
                                out.unplaced.push(unplaced(
                                    *l,
                                    crate::lang::t(
                                        "第一项任务之前的序号",
                                        "a number before the first task",
                                    ),
                                ));
                            }
                        }
                    }
                }
            }
            Kind::Heading if current.as_ref().is_none_or(&complete) => {
                if let Some(r) = current.take() {
                    rows.push(r);
                }
                let mut heading = chunk
                    .lines
                    .iter()
                    .map(|l| l.text.trim())
                    .collect::<Vec<_>>()
                    .join("");
                if bare_section_id(&heading) {
                    if let Some(title) = chunks.get(i + 1).filter(|c| c.kind == Kind::Text) {
                        let text: String = title.lines.iter().map(|l| l.text.trim()).collect();
                        if text.chars().count() <= 40 && !text.contains('。') {
                            heading.push_str(&text);
                            title_taken = true;
                        }
                    }
                }
                sections.enter(&heading);
                section = sections.current();
                // Numbering may start again under a new section.
                expected = None;
            }
            Kind::Heading | Kind::Text => {
                let new_row = match current.as_ref() {
                    None => true,
                    Some(r) if !complete(r) => false,
                    Some(r) if template.ends_with_units() => {
                        !(is_tail_note(&template, r, chunk, next_kind)
                            || (empties && in_note_column(&template, r, chunk)))
                    }
                    Some(_) => {
                        template.notes_between_goal_and_units().is_some()
                            && units_follow(&template, &chunks, i + 1)
                    }
                };
                if new_row {
                    if let Some(r) = current.take() {
                        rows.push(r);
                    }
                    let line = chunk.lines.first().map_or(0, |l| l.number);
                    current = Some(RowBuf::new(None, line, &section));
                } else if let Some(r) = current.as_mut() {
                    if r.has_units && template.ends_with_units() {
                        r.tail_notes += 1;
                    }
                }
                if let Some(r) = current.as_mut() {
                    r.push(chunk.as_text(), &template.columns);
                }
            }
            // Units start a row only where the header's first column is a units column
            // (`序号 / 牵头单位 / 工作任务 / …`) and the row before has had its text.
            Kind::Units
                if template.starts_with_units()
                    && current.as_ref().is_none_or(|r| {
                        r.has_units && r.chunks.last().is_some_and(|c| c.kind != Kind::Units)
                    }) =>
            {
                if let Some(r) = current.take() {
                    rows.push(r);
                }
                let line = chunk.lines.first().map_or(0, |l| l.number);
                let mut r = RowBuf::new(None, line, &section);
                r.push(chunk.clone(), &template.columns);
                current = Some(r);
            }
            Kind::Units => match current.as_mut() {
                Some(r) => r.push(chunk.clone(), &template.columns),
                None => {
                    for l in &chunk.lines {
                        out.unplaced.push(unplaced(
                            *l,
                            crate::lang::t(
                                "第一项任务之前的单位名称",
                                "unit names before the first task",
                            ),
                        ));
                    }
                }
            },
        }
    }
    if let Some(r) = current.take() {
        rows.push(r);
    }

    let vocab = if paragraphs {
        UnitVocab::default()
    } else {
        UnitVocab {
            one_line_cells: body
                .windows(2)
                .any(|w| is_units_line(w[0].text.trim()) && layout::is_placeholder(w[1].text)),
            ..UnitVocab::learn(&rows)
        }
    };
    for r in rows {
        // Text with no number and no units where the header has units is no task row:
        // a note under the table, or a cell duban could not place.
        if r.number.is_none() && template.has_units() && !r.has_units {
            for c in &r.chunks {
                for l in &c.lines {
                    out.unplaced.push(unplaced(
                        *l,
                        crate::lang::t(
                            "不属于任何任务行的文字（没有序号，也没有单位）",
                            "text that is not part of a task row (no number, no units)",
                        ),
                    ));
                }
            }
            continue;
        }
        out.rows.push(assign(
            &template,
            r,
            paragraphs,
            empties,
            &vocab,
            &mut out.unplaced,
        ));
    }
    layout::renumber_restarts(&mut out);
    out
}

/// Whether text after a complete row's units is the cell of a note column that follows the
/// units in the header (`备注` after `责任单位`). In a numbered table the next row starts with
/// its number, so the note must be followed by one (or by the table's end).
fn is_tail_note(
    template: &Template,
    row: &RowBuf<'_>,
    chunk: &Chunk<'_>,
    next_kind: Option<Kind>,
) -> bool {
    let Some(col) = template.notes_after_units().get(row.tail_notes) else {
        return false;
    };
    let next_ok = row.number.is_none()
        || matches!(
            next_kind,
            None | Some(Kind::Number(_) | Kind::Heading | Kind::Footer)
        );
    next_ok
        && chunk.kind == Kind::Text
        && chunk.lines.len() == 1
        && col.note.is_some_and(|n| n.fits(&cell_text(chunk), false))
}

/// Whether a chunk falls in a note column of a numbered row by its position, where the copy
/// shows empty cells (only then is every cell counted): `备注` after an empty `配合单位`, or a
/// remark with figures that [`is_tail_note`] would not take.
fn in_note_column(template: &Template, row: &RowBuf<'_>, chunk: &Chunk<'_>) -> bool {
    row.number.is_some()
        && template
            .columns
            .get(row.cells.saturating_add(chunk.empty_before))
            .is_some_and(|c| c.note.is_some())
}

/// A row's fields as its columns are filled.
#[derive(Default)]
struct Fields {
    goal: String,
    progress: Vec<String>,
    /// (header position, note).
    notes: Vec<(usize, String)>,
}

/// Fills a row's columns from its chunks. Consecutive columns of the same kind (goal then
/// progress; lead then co) share a run of chunks: the goal takes one chunk and the progress the
/// rest; lead and co are told apart by paragraph, else by the co cell's list (see `split_units`).
/// `empties`: the copy shows empty cells, so the row is first filled cell by cell.
fn assign(
    template: &Template,
    mut row: RowBuf<'_>,
    paragraphs: bool,
    empties: bool,
    vocab: &UnitVocab,
    unplaced_out: &mut Vec<Unplaced>,
) -> RawRow {
    if empties {
        if let Some((fields, units)) = assign_by_position(template, &row, unplaced_out) {
            return finish(template, row, fields, units);
        }
    }
    // Runs of chunks of one kind.
    let mut runs: Vec<(bool, Vec<Chunk<'_>>)> = Vec::new();
    for c in std::mem::take(&mut row.chunks) {
        let is_units = c.kind == Kind::Units;
        match runs.last_mut() {
            Some((u, v)) if *u == is_units => v.push(c),
            _ => runs.push((is_units, vec![c])),
        }
    }
    // Groups of consecutive columns of one kind.
    let mut groups: Vec<(bool, Vec<Col>)> = Vec::new();
    for col in &template.columns {
        let is_units = col.role.is_units();
        match groups.last_mut() {
            Some((u, v)) if *u == is_units => v.push(col.clone()),
            _ => groups.push((is_units, vec![col.clone()])),
        }
    }

    let mut fields = Fields::default();
    let (mut lead, mut co, mut single): (Vec<String>, Vec<String>, Vec<String>) =
        (Vec::new(), Vec::new(), Vec::new());
    let mut g = 0usize;
    for (is_units, run) in runs {
        let found = groups
            .iter()
            .skip(g)
            .position(|(u, _)| *u == is_units)
            .map(|p| p + g);
        let cols: Vec<Col> = match found {
            Some(k) => {
                g = k + 1;
                groups.get(k).map(|(_, c)| c.clone()).unwrap_or_default()
            }
            // More runs than the header has room for (text after the units when the header
            // ends with units): extra text is progress, extra units are co units.
            None if is_units => vec![Col::extra(Column::Co)],
            None => vec![Col::extra(Column::Progress)],
        };
        if is_units {
            let roles: Vec<Column> = cols.iter().map(|c| c.role).collect();
            let (l, c, s) = split_units(&roles, &run, paragraphs, vocab);
            lead.extend(l);
            co.extend(c);
            single.extend(s);
        } else {
            fill_text(&cols, run, &mut fields, unplaced_out);
        }
    }
    finish(template, row, fields, [lead, co, single])
}

/// The row of filled columns; `units` are the lead, co and single-column unit cells.
fn finish(
    template: &Template,
    row: RowBuf<'_>,
    mut fields: Fields,
    units: [Vec<String>; 3],
) -> RawRow {
    let [lead, co, single] = units;
    let has_units_column = template.columns.iter().any(|c| c.role == Column::Units);
    let units = if has_units_column && lead.is_empty() && co.is_empty() {
        RawUnits::SingleColumn(single.join("、"))
    } else {
        // `责任单位` beside a lead column was read as the co column (see the header), so
        // `single` is empty here.
        RawUnits::Columns {
            lead: lead.join("、"),
            co: co.join("、"),
        }
    };
    fields.notes.sort_by_key(|(at, _)| *at);
    RawRow {
        notes: fields.notes.into_iter().map(|(_, n)| n).collect(),
        number: row.number,
        section: row.section,
        line: row.line,
        goal: fields.goal,
        progress: fields.progress,
        units,
    }
}

/// A row's chunks as its cells in column order, an empty cell as None. Chunks of one
/// paragraph (a cell whose lines are of different kinds) make one cell.
fn cells_of<'r, 'a>(chunks: &'r [Chunk<'a>]) -> Vec<Option<Vec<&'r Chunk<'a>>>> {
    let mut cells: Vec<Option<Vec<&Chunk<'a>>>> = Vec::new();
    for c in chunks {
        cells.extend(std::iter::repeat_n(None, c.empty_before));
        let same_cell = c.empty_before == 0
            && c.lines.first().is_some_and(|l| {
                cells
                    .last()
                    .and_then(|cell| cell.as_ref())
                    .and_then(|cell| cell.last())
                    .is_some_and(|p| same_block(&p.lines, *l))
            });
        match cells.last_mut() {
            Some(Some(cell)) if same_cell => cell.push(c),
            _ => cells.push(Some(vec![c])),
        }
    }
    cells
}

/// Fills a row cell by cell where the copy shows its empty cells (see [`empty_cells_show`]):
/// the n-th cell is the n-th column's, whatever it looks like, so a remark after an empty
/// progress cell stays a remark, and so does a remark with figures. Cells missing at the end
/// are empty (their blank lines came before the next row). None when the cells do not fit the
/// header — more cells than columns, or units in a text column or text in a units column —:
/// the row is then read as in any other copy.
fn assign_by_position(
    template: &Template,
    row: &RowBuf<'_>,
    unplaced_out: &mut Vec<Unplaced>,
) -> Option<(Fields, [Vec<String>; 3])> {
    let cells = cells_of(&row.chunks);
    if cells.len() > template.columns.len() {
        return None;
    }
    let fits = template.columns.iter().zip(&cells).all(|(col, cell)| {
        cell.as_ref().is_none_or(|chunks| {
            chunks.iter().all(|c| c.kind == Kind::Units) == col.role.is_units()
        })
    });
    if !fits {
        return None;
    }
    let mut fields = Fields::default();
    let (mut lead, mut co, mut single) = (Vec::new(), Vec::new(), Vec::new());
    for (col, cell) in template.columns.iter().zip(cells) {
        let Some(chunks) = cell else { continue };
        let lines: Vec<SourceLine<'_>> = chunks.iter().flat_map(|c| c.lines.clone()).collect();
        let text = || {
            lines
                .iter()
                .map(|l| l.text.trim())
                .collect::<Vec<_>>()
                .join("")
        };
        match col.role {
            Column::Goal => fields.goal.push_str(&text()),
            Column::Progress => {
                let owned: Vec<Chunk<'_>> = chunks.into_iter().cloned().collect();
                fields.progress.extend(paragraphs_of(&owned));
            }
            Column::Lead => lead.push(units_cell(&lines)),
            Column::Co => co.push(units_cell(&lines)),
            Column::Units => single.push(units_cell(&lines)),
            _ => match col.note_of(&text()) {
                Some(note) => fields.notes.push((col.at, note)),
                None => unplaced_out.extend(lines.iter().map(|l| {
                    unplaced(
                        *l,
                        crate::lang::t("duban 不导入的栏目", "a column duban does not import"),
                    )
                })),
            },
        }
    }
    Some((fields, [lead, co, single]))
}

/// Text lines of a chunk as paragraphs, a bare sub-item number joined to the line after it.
fn paragraphs_of(chunks: &[Chunk<'_>]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut pending_number: Option<String> = None;
    for l in chunks.iter().flat_map(|c| c.lines.iter()) {
        let t = l.text.trim();
        if bare_number(t).is_some() {
            if let Some(p) = pending_number.take() {
                out.push(p);
            }
            pending_number = Some(t.to_string());
            continue;
        }
        match pending_number.take() {
            Some(n) if n.ends_with(['.', '．', '、', ')', '\u{ff09}']) => {
                out.push(format!("{n}{t}"))
            }
            Some(n) => out.push(format!("{n} {t}")),
            None => out.push(t.to_string()),
        }
    }
    out.extend(pending_number);
    out
}

/// Fills one run of text chunks into a group of consecutive text columns. The progress column
/// (else the goal column) takes what the others leave: columns before it take one chunk each
/// from the front, columns after it one each from the back; a note column takes a chunk only
/// when the chunk fits it (an empty cell leaves no line behind in one-cell-per-line copies).
fn fill_text(
    cols: &[Col],
    run: Vec<Chunk<'_>>,
    fields: &mut Fields,
    unplaced_out: &mut Vec<Unplaced>,
) {
    let rest_at = cols
        .iter()
        .position(|c| c.role == Column::Progress)
        .or_else(|| cols.iter().position(|c| c.role == Column::Goal));
    let (front, back): (&[Col], &[Col]) = match rest_at {
        Some(p) => (&cols[..p], cols.get(p + 1..).unwrap_or(&[])),
        None => (cols, &[]),
    };
    let mut chunks: std::collections::VecDeque<Chunk<'_>> = run.into();
    // Whether a note column may take `chunk`: it fits, and enough is left for the rest column.
    let may_take = |col: &Col, chunk: &Chunk<'_>, left: usize| {
        let alone = rest_at.is_some() && left <= 1;
        chunk.lines.len() == 1 && col.note.is_some_and(|n| n.fits(&cell_text(chunk), alone))
    };
    let mut taken: Vec<(&Col, Chunk<'_>)> = Vec::new();
    for col in front {
        if col.role == Column::Goal {
            if let Some(c) = chunks.pop_front() {
                fields.goal.push_str(&cell_text(&c));
            }
        } else if chunks
            .front()
            .is_some_and(|c| may_take(col, c, chunks.len()))
        {
            if let Some(c) = chunks.pop_front() {
                taken.push((col, c));
            }
        }
    }
    for col in back.iter().rev() {
        if col.role == Column::Goal {
            if chunks.len() > 1 {
                if let Some(c) = chunks.pop_back() {
                    fields.goal.push_str(&cell_text(&c));
                }
            }
        } else if chunks
            .back()
            .is_some_and(|c| may_take(col, c, chunks.len()))
        {
            if let Some(c) = chunks.pop_back() {
                taken.push((col, c));
            }
        }
    }
    let rest: Vec<Chunk<'_>> = chunks.into();
    match rest_at.and_then(|p| cols.get(p)).map(|c| c.role) {
        Some(Column::Goal) => {
            let text: Vec<String> = rest.iter().map(cell_text).collect();
            fields.goal.push_str(&text.concat());
        }
        // The progress column, or text no column of the group could take.
        _ => fields.progress.extend(paragraphs_of(&rest)),
    }
    for (col, c) in taken {
        let text = cell_text(&c);
        match col.note_of(&text) {
            Some(note) => fields.notes.push((col.at, note)),
            None => {
                for l in &c.lines {
                    unplaced_out.push(unplaced(
                        *l,
                        crate::lang::t("duban 不导入的栏目", "a column duban does not import"),
                    ));
                }
            }
        }
    }
}

/// Unit names seen as lead or as co in rows whose one-line cells split without doubt (a lone
/// units line; a list or `各…` line after the lead lines): they split the rows where several
/// single names follow each other and nothing else shows where the co cell starts.
#[derive(Debug, Default)]
struct UnitVocab {
    lead: HashSet<String>,
    co: HashSet<String>,
    /// The copy writes an empty units cell as `无` or `/` right after a units line: each
    /// units cell is one line, so the line after the lead line is the co cell.
    one_line_cells: bool,
}

impl UnitVocab {
    fn learn(rows: &[RowBuf<'_>]) -> UnitVocab {
        let mut v = UnitVocab::default();
        for r in rows {
            let mut run: Vec<SourceLine<'_>> = Vec::new();
            for c in r.chunks.iter().chain(std::iter::once(&END)) {
                if c.kind == Kind::Units {
                    run.extend(c.lines.iter().copied());
                    continue;
                }
                if run.len() == 1 {
                    v.lead.extend(names(&run));
                } else if let Some(a) = list_line(&run) {
                    v.lead.extend(names(&run[..a]));
                    v.co.extend(names(&run[a..]));
                }
                run.clear();
            }
        }
        v
    }

    /// Every name on the line has been seen as co and none as lead.
    fn is_co(&self, l: &SourceLine<'_>) -> bool {
        let ns = names(std::slice::from_ref(l));
        !ns.is_empty()
            && ns
                .iter()
                .all(|n| self.co.contains(n) && !self.lead.contains(n))
    }
}

/// Ends a row's chunk list in [`UnitVocab::learn`].
const END: Chunk<'static> = Chunk {
    kind: Kind::Text,
    lines: Vec::new(),
    empty_before: 0,
};

fn names(lines: &[SourceLine<'_>]) -> Vec<String> {
    lines
        .iter()
        .flat_map(|l| split_list(&clean_units(l.text.trim())))
        .map(|n| normalize(&n))
        .collect()
}

/// `一、`, `（二）`: a section's id with its title in the next cell.
fn bare_section_id(text: &str) -> bool {
    regex!(r"^[(\x{FF08}]?[一二三四五六七八九十]{1,3}[)\x{FF09}]?[、.．]?$").is_match(text.trim())
}

/// A line that lists several names, starts with `各` (`各县(市)区政府、开发区管委会`) or names
/// units as a group (`市直各有关部门`, `有关单位`): a co cell, never a lead unit.
fn lists(l: &SourceLine<'_>) -> bool {
    let t = l.text.trim();
    t.starts_with('各')
        || [
            "各有关",
            "各相关",
            "有关部门",
            "有关单位",
            "相关部门",
            "相关单位",
        ]
        .iter()
        .any(|g| t.contains(g))
        || t.contains(['、', ',', '\u{ff0c}', ';', '\u{ff1b}'])
        || clean_units(t).contains('、')
}

/// The first line after the first that lists several names: where the co cell starts.
fn list_line(lines: &[SourceLine<'_>]) -> Option<usize> {
    lines.iter().skip(1).position(lists).map(|p| p + 1)
}

/// Splits a run of unit chunks between the header's units columns. With blank-line separated
/// cells each chunk is one cell. One cell per line cannot show where the lead cell ends: the co
/// cell starts at the first line after the first that lists several names or starts with `各`,
/// or whose names the document has shown as co units elsewhere; otherwise all are lead units.
fn split_units(
    cols: &[Column],
    run: &[Chunk<'_>],
    paragraphs: bool,
    vocab: &UnitVocab,
) -> (Vec<String>, Vec<String>, Vec<String>) {
    let cell = units_cell;
    let lines: Vec<SourceLine<'_>> = run.iter().flat_map(|c| c.lines.iter().copied()).collect();
    let (mut lead, mut co, mut single) = (Vec::new(), Vec::new(), Vec::new());
    let has = |c: Column| cols.contains(&c);
    if has(Column::Units) && !has(Column::Lead) {
        single.push(cell(&lines));
        return (lead, co, single);
    }
    if !has(Column::Co) {
        lead.push(cell(&lines));
        return (lead, co, single);
    }
    if !has(Column::Lead) {
        co.push(cell(&lines));
        return (lead, co, single);
    }
    let lead_first =
        cols.iter().position(|c| *c == Column::Lead) < cols.iter().position(|c| *c == Column::Co);
    let (first, second): (Vec<SourceLine<'_>>, Vec<SourceLine<'_>>) =
        if paragraphs && run.len() >= 2 {
            let firsts = run.first().map(|c| c.lines.clone()).unwrap_or_default();
            (
                firsts,
                run.iter()
                    .skip(1)
                    .flat_map(|c| c.lines.iter().copied())
                    .collect(),
            )
        } else {
            let at = if lead_first {
                list_line(&lines)
                    .or_else(|| {
                        lines
                            .iter()
                            .skip(1)
                            .position(|l| vocab.is_co(l))
                            .map(|p| p + 1)
                    })
                    .or_else(|| (vocab.one_line_cells && lines.len() >= 2).then_some(1))
            } else {
                None
            };
            match at {
                Some(a) => (lines[..a].to_vec(), lines[a..].to_vec()),
                None if lead_first => (lines.clone(), Vec::new()),
                // Co before lead in one-line cells: the last line leads.
                None => {
                    let a = lines.len().saturating_sub(1);
                    (lines[..a].to_vec(), lines[a..].to_vec())
                }
            }
        };
    let (l, c) = if lead_first {
        (first, second)
    } else {
        (second, first)
    };
    if !l.is_empty() {
        lead.push(cell(&l));
    }
    if !c.is_empty() {
        co.push(cell(&c));
    }
    (lead, co, single)
}

/// One units cell's lines as a `、` list.
fn units_cell(lines: &[SourceLine<'_>]) -> String {
    lines
        .iter()
        .map(|l| clean_units(l.text.trim()))
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("、")
}

fn unplaced(line: SourceLine<'_>, reason: &str) -> Unplaced {
    Unplaced {
        line: line.number,
        text: line.text.trim().to_string(),
        reason: reason.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn note_columns_take_only_what_fits_them() {
        let deadline = NoteKind::of(Column::Other, "完成时限");
        assert_eq!(deadline, Some(NoteKind::Deadline));
        let d = NoteKind::Deadline;
        for t in [
            "2021年12月底",
            "2023年6月底前",
            "年底前",
            "长期坚持",
            "2022.12",
            "三季度",
        ] {
            assert!(d.fits(t, true), "{t}");
        }
        assert!(!d.fits(
            "2023年一季度全市地区生产总值完成1265.8亿元,同比增长6.9%。",
            false
        ));
        let p = NoteKind::of(Column::Other, "责任领导").expect("kind");
        assert!(p.fits("张建华", true));
        assert!(!p.fits("市发改委", false));
        assert!(!p.fits("已完成。", false));
        let r = NoteKind::of(Column::Notes, "备注").expect("kind");
        assert!(r.fits("跨年度项目", false));
        assert!(
            !r.fits("跨年度项目", true),
            "a remark alone may be the progress"
        );
        assert!(!r.fits("已开工65个", false));
        assert!(!r.fits("正加快推进。", false));
        assert!(!r.fits("市住建局", false));
        assert_eq!(NoteKind::of(Column::Progress, "进展情况"), None);
    }

    #[test]
    fn a_number_ending_a_paragraph_stays_a_number() {
        let text = "跨年度项目\n6\n\n1\n印发方案。\n";
        let lines = crate::import::source_lines(text);
        let kinds: Vec<Kind> = paragraph_chunks(&lines, false)
            .iter()
            .map(|c| c.kind)
            .collect();
        assert_eq!(
            kinds,
            vec![Kind::Text, Kind::Number(6), Kind::Text],
            "a sub-item number inside a paragraph is text"
        );
    }

    #[test]
    fn three_blank_lines_hold_an_empty_cell() {
        assert_eq!(
            (1..=6).map(empty_cells_in).collect::<Vec<_>>(),
            vec![0, 0, 1, 1, 2, 2]
        );
        let text = "1\n\n新建公园5个。\n\n市住建局\n\n\n\n已开工。\n\n跨年度\n";
        let lines = crate::import::source_lines(text);
        assert!(empty_cells_show(&lines));
        let empties: Vec<usize> = paragraph_chunks(&lines, true)
            .iter()
            .map(|c| c.empty_before)
            .collect();
        assert_eq!(empties, vec![0, 0, 0, 1, 0]);
        // Rows two blank lines apart show no empty cell; `|` lines do not either.
        let rows = "1\n\n新建公园5个。\n\n市住建局\n\n\n2\n\n建设园区。\n\n市商务局\n";
        assert!(!empty_cells_show(&crate::import::source_lines(rows)));
        let bars = "1\n|\n新建公园5个。\n\n\n\n市住建局\n|\n已开工。\n";
        assert!(!empty_cells_show(&crate::import::source_lines(bars)));
    }

    #[test]
    fn a_remark_after_the_units_keeps_its_column() {
        let text = "序号\n\n工作任务\n\n进展情况\n\n牵头单位\n\n配合单位\n\n备注\n\n\
            1\n\n新建公园5个。\n\n已开工3个项目。\n\n市住建局\n\n市财政局\n\n已完成年度目标的80%\n\n\
            2\n\n推进园区建设。\n\n已完成。\n\n市商务局\n\n\n\n列入省考核，完成率95%\n";
        let parsed = parse(&crate::import::source_lines(text));
        assert!(parsed.unplaced.is_empty(), "{:?}", parsed.unplaced);
        let got: Vec<(Option<u32>, Vec<String>, Vec<String>)> = parsed
            .rows
            .iter()
            .map(|r| (r.number, r.progress.clone(), r.notes.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    Some(1),
                    vec!["已开工3个项目。".to_string()],
                    vec!["已完成年度目标的80%".to_string()]
                ),
                (
                    Some(2),
                    vec!["已完成。".to_string()],
                    vec!["列入省考核，完成率95%".to_string()]
                ),
            ]
        );
    }

    #[test]
    fn a_signature_ends_the_table() {
        for t in [
            "填表人：王倩　　审核人：赵磊　　联系电话：0531-51705678",
            "制表人:刘敏",
            "填报单位（盖章）：市政府办公室",
        ] {
            assert!(is_signature(t), "{t}");
            assert_eq!(kind_of(t), Kind::Footer, "{t}");
        }
        assert!(!is_signature("审核人员培训已完成。"));
        assert!(!is_signature("填表人员已落实"));
    }

    #[test]
    fn bar_lines_separate_cells() {
        let text = "市住建局\n|\n已开工。\n｜\n";
        let lines = crate::import::source_lines(text);
        assert!(blank_separated(&lines));
        assert_eq!(paragraph_chunks(&lines, false).len(), 2);
    }
}
