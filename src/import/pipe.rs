//! Pipe and Markdown tables: `| 序号 | 目标与任务 | 牵头责任单位 | 责任单位 |` in any column
//! order, and the same tables drawn as grids: box characters of any style (`┌──┬──┐`,
//! `│ a │ b │`, `├──┼──┤`, heavy `┃━╋`, double `║═╬`) and ASCII grids (`+----+----+`, as
//! psql, MySQL and reStructuredText print them). This module only turns the lines into cells —
//! `<br>` breaks as paragraphs, Markdown emphasis dropped, headings between the rows as section
//! rows spanning the table, the header repeated at a page break left out, border and rule lines
//! dropped — and hands the table to the column-role step, which reads it as it reads a Word or
//! Excel table.
//!
//! A grid ruled between its rows wraps each cell's text at a fixed width: all lines between two
//! rules are one row, and each column's pieces join into one cell ([`join_pieces`]). Without
//! rules between the rows (a Markdown table) every line is a row.

use super::columns::{self, row_number};
use super::layout::{
    header_column_of, is_cell_bar, is_footer, is_heading, is_separator_row, is_table_header,
    pipe_cells_padded, regex, Column, PipeFraming,
};
use super::table::{Cell, Document, Merged, Row, Table};
use super::{Parsed, SourceLine, Unplaced};
use unicode_width::UnicodeWidthChar;

/// The most lines a header is wrapped over (`牵头责任` / `单位`), a rule splitting its cells
/// included.
const MAX_HEADER_LINES: usize = 6;

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

/// The paragraphs of a cell's text: split at `<br>`, emphasis dropped.
fn paragraphs_of(text: &str) -> Vec<String> {
    br_parts(unemphasize(text))
        .map(|p| unemphasize(p).to_string())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Lines
// ---------------------------------------------------------------------------------------------

/// A non-blank line as the table reader sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// A border or rule: no text. `grid` when drawn with box characters or `+` junctions, as a
    /// grid's rules are and a Markdown separator (`|---|:--:|`) or a `---` line is not. `open`
    /// marks, column by column, where the rule leaves a gap: a cell merged down over the rows
    /// on both sides.
    Rule { grid: bool, open: Vec<bool> },
    /// A row's cells, padding kept.
    Cells(Vec<String>),
    /// Anything else.
    Text,
}

#[derive(Debug, Clone)]
struct Line<'a> {
    source: SourceLine<'a>,
    /// Index of the line in the text's lines.
    pos: usize,
    kind: Kind,
}

/// The non-blank lines from `from` on, each row read under `framing` (a row's own framing when
/// None).
fn classify<'a>(
    lines: &[SourceLine<'a>],
    from: usize,
    framing: Option<PipeFraming>,
) -> Vec<Line<'a>> {
    lines
        .iter()
        .enumerate()
        .skip(from)
        .filter(|(_, l)| !l.text.trim().is_empty())
        .map(|(pos, &source)| Line {
            source,
            pos,
            kind: kind_of(source.text.trim(), framing),
        })
        .collect()
}

fn kind_of(text: &str, framing: Option<PipeFraming>) -> Kind {
    let (t, grid) = junctions_as_bars(text);
    if strokes(&t) >= 3
        && t.chars()
            .all(|c| is_stroke(c) || is_cell_bar(c) || c == ':' || c.is_whitespace())
    {
        // Its pieces between bars (its corners are bars now), outer bars aside.
        let inner = t.strip_prefix(is_cell_bar).unwrap_or(&t);
        let inner = inner.strip_suffix(is_cell_bar).unwrap_or(inner);
        let open = if inner.contains(is_cell_bar) {
            inner
                .split(is_cell_bar)
                .map(|p| p.trim().is_empty())
                .collect()
        } else {
            Vec::new()
        };
        return Kind::Rule { grid, open };
    }
    match pipe_cells_padded(&t, framing.unwrap_or_else(|| PipeFraming::of(&t))) {
        Some(cells) => Kind::Cells(cells),
        None => Kind::Text,
    }
}

fn is_box(c: char) -> bool {
    ('\u{2500}'..='\u{257f}').contains(&c)
}

/// A box-drawing stroke running across (`─`, `━`, `═`, dashed ones).
fn is_box_stroke(c: char) -> bool {
    matches!(
        c,
        '─' | '━'
            | '═'
            | '┄'
            | '┅'
            | '┈'
            | '┉'
            | '╌'
            | '╍'
            | '╴'
            | '╶'
            | '╸'
            | '╺'
            | '╼'
            | '╾'
    )
}

fn is_stroke(c: char) -> bool {
    matches!(c, '-' | '=' | '—' | '－' | '_') || is_box_stroke(c)
}

/// The line with every box corner and junction (`┌ ┬ ├ ┼ ╪ ╋ …`) and every ASCII `+` beside
/// a stroke (`+----+`, pandoc's `+:===+`) as a cell bar, so that a rule splits into one piece
/// per column as a row does, and whether it had any (a grid's line). Other text is left alone
/// (`互联网+政务服务`).
fn junctions_as_bars(text: &str) -> (std::borrow::Cow<'_, str>, bool) {
    if !text.chars().any(|c| is_box(c) || c == '+') {
        return (std::borrow::Cow::Borrowed(text), false);
    }
    let chars: Vec<char> = text.chars().collect();
    let near_stroke = |i: Option<usize>| {
        i.and_then(|i| chars.get(i))
            .is_some_and(|c| matches!(c, '-' | '=' | ':'))
    };
    let mut grid = false;
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        grid |= is_box(c);
        let junction = (is_box(c) && !is_box_stroke(c) && !is_cell_bar(c))
            || (c == '+' && (near_stroke(i.checked_sub(1)) || near_stroke(Some(i + 1))));
        if junction {
            grid = true;
            out.push('│');
        } else {
            out.push(c);
        }
    }
    (std::borrow::Cow::Owned(out), grid)
}

/// A piece of a rule: strokes (and a Markdown separator's alignment colons) only.
fn is_rule_piece(piece: &str) -> bool {
    let t = piece.trim();
    !t.is_empty()
        && t.chars().any(is_stroke)
        && t.chars()
            .all(|c| is_stroke(c) || c == ':' || c.is_whitespace())
}

fn strokes(text: &str) -> usize {
    text.chars().filter(|c| is_stroke(*c)).count()
}

/// A piece's text: a piece of a rule inside a row line (`│号│  ├────┬────┤  │` under a cell
/// split in two) holds none.
fn text_piece(piece: &str) -> &str {
    if is_rule_piece(piece) {
        ""
    } else {
        piece
    }
}

fn is_grid_rule(line: Option<&Line<'_>>) -> bool {
    matches!(line.map(|l| &l.kind), Some(Kind::Rule { grid: true, .. }))
}

fn cells_of<'l>(line: &'l Line<'_>) -> Option<&'l [String]> {
    match &line.kind {
        Kind::Cells(c) => Some(c),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Header
// ---------------------------------------------------------------------------------------------

struct Header {
    /// The header rows as the column-role step reads them: one, or two when a cell is split
    /// in two below (`责任单位` over `牵头单位 | 配合单位`).
    rows: Vec<Vec<Cell>>,
    /// Each column's name (the lower one of a split cell), a wrapped one joined.
    names: Vec<String>,
    /// The header's first line number.
    at: usize,
    /// Index (into the text's lines) of the first line after the header.
    end: usize,
    framing: PipeFraming,
}

/// The first row whose cells `names` a task table's columns: a header wrapped over a few
/// lines (joined), else a single line.
fn find_header(lines: &[Line<'_>], names: fn(&[String]) -> bool) -> Option<Header> {
    for (i, line) in lines.iter().enumerate() {
        let Some(cells) = cells_of(line) else {
            continue;
        };
        if let Some(h) = wrapped_header(lines, i, names) {
            return Some(h);
        }
        let plain: Vec<String> = cells
            .iter()
            .map(|c| paragraphs_of(text_piece(c)).concat())
            .collect();
        if names(&plain) {
            return Some(Header {
                rows: vec![plain.iter().map(|c| Cell::text([c])).collect()],
                names: plain,
                at: line.source.number,
                end: line.pos + 1,
                framing: PipeFraming::of(line.source.text),
            });
        }
    }
    None
}

/// A header wrapped over the lines from `i` (the first of its run of row lines, under the
/// table's top border or its title) to a grid rule. (A Markdown separator is no grid rule: a
/// Markdown header is one line.)
fn wrapped_header(lines: &[Line<'_>], i: usize, names: fn(&[String]) -> bool) -> Option<Header> {
    if i > 0 && cells_of(&lines[i - 1]).is_some() {
        return None;
    }
    let block: Vec<&[String]> = lines[i..]
        .iter()
        .take(MAX_HEADER_LINES + 1)
        .map_while(cells_of)
        .collect();
    let end = i + block.len();
    if block.len() > MAX_HEADER_LINES || !is_grid_rule(lines.get(end)) {
        return None;
    }
    let (rows, joined) = header_block(&block)?;
    names(&joined).then(|| Header {
        rows,
        names: joined,
        at: lines[i].source.number,
        end: lines[end].pos,
        framing: PipeFraming::of(lines[i].source.text),
    })
}

/// The header rows and column names of a header wrapped over `block`'s lines: each column's
/// pieces joined; a line holding pieces of a rule splits the cells above them in two
/// ([`split_header`]). None for a single line, for lines that do not line up, and for a block
/// holding a row number (table rows, not a header).
fn header_block(block: &[&[String]]) -> Option<(Vec<Vec<Cell>>, Vec<String>)> {
    if block.len() < 2
        || block
            .iter()
            .flat_map(|l| l.iter())
            .any(|c| row_number(c).is_some())
    {
        return None;
    }
    match block
        .iter()
        .position(|l| l.iter().any(|p| is_rule_piece(p)))
    {
        None => {
            if block.iter().any(|l| l.len() != block[0].len()) {
                return None;
            }
            let names: Vec<String> = join_lines(block, &[])
                .iter()
                .map(|paras| unemphasize(&paras.concat()).to_string())
                .collect();
            Some((vec![names.iter().map(|n| Cell::text([n])).collect()], names))
        }
        Some(0) => None,
        Some(at) => split_header(&block[..at], block[at], &block[at + 1..]),
    }
}

/// A header whose line `split` crosses some cells with a rule (`├────┬────┤`): each run of
/// such columns lies under one cell of the `upper` lines (`责任单位`), split into the columns
/// named by the `lower` lines (`牵头单位 | 配合单位`); every other column is one cell from top
/// to bottom (`序` / `号`). Two header rows, as a Word table's merged header cells give.
fn split_header(
    upper: &[&[String]],
    split: &[String],
    lower: &[&[String]],
) -> Option<(Vec<Vec<Cell>>, Vec<String>)> {
    let width = split.len();
    let upper_width = upper.first()?.len();
    if upper.iter().any(|l| l.len() != upper_width) || lower.iter().any(|l| l.len() != width) {
        return None;
    }
    let ruled: Vec<bool> = split.iter().map(|p| is_rule_piece(p)).collect();
    let continues = |c: usize| c > 0 && ruled[c] && ruled[c - 1];
    // The upper cell above each column.
    let mut owner = Vec::with_capacity(width);
    let mut k = 0usize;
    for c in 0..width {
        if c > 0 && !continues(c) {
            k += 1;
        }
        owner.push(k);
    }
    if k + 1 != upper_width {
        return None;
    }
    let join = |pieces: Vec<&str>| unemphasize(&join_pieces(&pieces, false).concat()).to_string();
    let mut top = Vec::with_capacity(width);
    let mut names = Vec::with_capacity(width);
    let mut bottom = Vec::with_capacity(width);
    for c in 0..width {
        let mut pieces: Vec<&str> = upper.iter().map(|l| l[owner[c]].as_str()).collect();
        if ruled[c] {
            let below = join(lower.iter().map(|l| text_piece(&l[c])).collect());
            top.push(if continues(c) {
                Cell::covered(Merged::Left)
            } else {
                Cell::text([join(pieces.clone())])
            });
            names.push(if below.is_empty() {
                join(pieces)
            } else {
                below.clone()
            });
            bottom.push(Cell::text([below]));
        } else {
            pieces.push(&split[c]);
            pieces.extend(lower.iter().map(|l| text_piece(&l[c])));
            let name = join(pieces);
            top.push(Cell::text([&name]));
            names.push(name);
            bottom.push(Cell::covered(Merged::Above));
        }
    }
    Some((vec![top, bottom], names))
}

// ---------------------------------------------------------------------------------------------
// Body
// ---------------------------------------------------------------------------------------------

/// What the lines under the header hold.
enum Item<'a> {
    /// One table row (a wrapped row's lines joined): its lines and its cells.
    Row {
        lines: Vec<SourceLine<'a>>,
        cells: Vec<Cell>,
    },
    /// A line that is no table row.
    Text(SourceLine<'a>),
}

/// The table under `header`: its rows (a grid's wrapped rows joined; separators, rules, a
/// repeated header and psql's `(5 rows)` left out) and the other lines, in order.
fn body<'a>(lines: &[SourceLine<'a>], header: &Header) -> Vec<Item<'a>> {
    let body = classify(lines, header.end, Some(header.framing));
    let roles: Vec<Option<Column>> = header.names.iter().map(|c| header_column_of(c)).collect();
    let number_col = roles.iter().position(|r| *r == Some(Column::Number));
    let units: Vec<bool> = roles
        .iter()
        .map(|r| r.is_some_and(|r| r.is_units()))
        .collect();
    // Runs of row lines, and whether a grid's rules enclose them (above, below).
    let mut runs: Vec<(usize, usize, bool, bool)> = Vec::new();
    let mut i = 0;
    while i < body.len() {
        if cells_of(&body[i]).is_none() {
            i += 1;
            continue;
        }
        let end = (i..body.len())
            .find(|j| cells_of(&body[*j]).is_none())
            .unwrap_or(body.len());
        let above = i > 0 && is_grid_rule(body.get(i - 1));
        runs.push((i, end, above, is_grid_rule(body.get(end))));
        i = end;
    }
    // Rules between the rows: every run between two rules is one row wrapped over its lines,
    // and so is the last one under a rule when the copy lost the table's bottom border.
    let ruled = runs.iter().filter(|r| r.2 && r.3).count() >= 2;
    let mut items = Vec::new();
    let mut next_run = runs.iter().peekable();
    let mut i = 0;
    while i < body.len() {
        match next_run.peek() {
            Some(&&(start, end, above, below)) if start == i => {
                next_run.next();
                let enclosed = above && (below || ruled);
                let run: Vec<&[String]> = body[start..end].iter().filter_map(cells_of).collect();
                i = end;
                // The header repeated at a page break.
                if enclosed
                    && run.len() <= MAX_HEADER_LINES
                    && header_block(&run).is_some_and(|(_, n)| columns::names_columns(&n))
                {
                    continue;
                }
                // Gaps in the rule above: cells merged down from the row above.
                let gaps = match (start.checked_sub(1).map(|r| &body[r].kind), items.last()) {
                    (Some(Kind::Rule { open, .. }), Some(Item::Row { .. })) => open.clone(),
                    _ => Vec::new(),
                };
                for (g, group) in row_groups(&run, enclosed, ruled, number_col)
                    .into_iter()
                    .enumerate()
                {
                    let group_lines: Vec<SourceLine<'a>> = body
                        [start + group.start..start + group.end]
                        .iter()
                        .map(|l| l.source)
                        .collect();
                    let Some(mut cells) = row_cells(&run[group], &units) else {
                        continue;
                    };
                    if g == 0 && gaps.len() == cells.len() {
                        for (cell, gap) in cells.iter_mut().zip(&gaps) {
                            if *gap && cell.is_empty() {
                                *cell = Cell::covered(Merged::Above);
                            }
                        }
                    }
                    items.push(Item::Row {
                        lines: group_lines,
                        cells,
                    });
                }
            }
            _ => {
                let line = &body[i];
                if line.kind == Kind::Text
                    && !regex!(r"^\(\d+ rows?\)$").is_match(line.source.text.trim())
                {
                    items.push(Item::Text(line.source));
                }
                i += 1;
            }
        }
    }
    items
}

/// Which lines of a run are one row. Outside a grid's rules every line is a row. Between
/// them the run is one row wrapped over its lines, split where a second row number starts
/// (rules around sections only) or the cells change in number (a section row spanning the
/// table). A grid ruled only around its header and body (MySQL) is split the same way when
/// its first line is numbered, and otherwise read a row per line.
fn row_groups(
    run: &[&[String]],
    enclosed: bool,
    ruled: bool,
    number_col: Option<usize>,
) -> Vec<std::ops::Range<usize>> {
    let numbered = |i: usize| {
        number_col
            .and_then(|c| run[i].get(c))
            .is_some_and(|t| !text_piece(t).trim().is_empty())
    };
    if !enclosed || run.len() < 2 || (!ruled && !numbered(0)) {
        return (0..run.len()).map(|i| i..i + 1).collect();
    }
    let mut groups = Vec::new();
    let mut start = 0;
    let mut has_number = numbered(0);
    for i in 1..run.len() {
        if run[i].len() != run[i - 1].len() || (numbered(i) && has_number) {
            groups.push(start..i);
            start = i;
            has_number = false;
        }
        has_number |= numbered(i);
    }
    groups.push(start..run.len());
    groups
}

/// The cells of one row from its lines; None for a Markdown separator and for the header
/// repeated at a page break (its words may differ from the first one's, so it is told by
/// naming columns, not by being equal).
fn row_cells(lines: &[&[String]], units: &[bool]) -> Option<Vec<Cell>> {
    let paragraphs: Vec<Vec<String>> = match lines {
        [line] => {
            if is_separator_row(line) {
                return None;
            }
            line.iter().map(|c| paragraphs_of(text_piece(c))).collect()
        }
        _ => join_lines(lines, units)
            .into_iter()
            .map(|paras| paras.iter().flat_map(|p| paragraphs_of(p)).collect())
            .collect(),
    };
    let plain: Vec<String> = paragraphs.iter().map(|p| p.concat()).collect();
    (!columns::names_columns(&plain)).then(|| paragraphs.into_iter().map(Cell::text).collect())
}

// ---------------------------------------------------------------------------------------------
// Wrapped cells
// ---------------------------------------------------------------------------------------------

/// Joins the lines of one wrapped row: each column's pieces into one cell's paragraphs (a
/// piece of a rule is none). `units` says which columns hold unit names.
fn join_lines(lines: &[&[String]], units: &[bool]) -> Vec<Vec<String>> {
    let width = lines.iter().map(|l| l.len()).max().unwrap_or(0);
    (0..width)
        .map(|c| {
            let pieces: Vec<&str> = lines
                .iter()
                .map(|l| l.get(c).map_or("", |p| text_piece(p)))
                .collect();
            join_pieces(&pieces, units.get(c).copied().unwrap_or(false))
        })
        .collect()
}

/// Joins the pieces of one cell wrapped at a fixed width, its text cut wherever the line was
/// full (`市工业和` / `信息化局`, `技改项` / `目612个`): pieces join with nothing. A new paragraph
/// starts at a numbered sub-item (`2.`, `(1)`, `一是`) after a sentence's end, and wherever a
/// line left room for the next piece's first word but broke anyway: the text broke there on
/// purpose (after a sentence, or before a sub-item). Such a break between two names in a units
/// cell is a space (the units step then tells a name from the next by its vocabulary), and so
/// is a break between two Latin words with any room left (the word did not fit whole). An
/// empty line between pieces ends a paragraph.
fn join_pieces(pieces: &[&str], units: bool) -> Vec<String> {
    // The padding every line of the column has before its text (an ASCII grid's one space).
    let margin = pieces
        .iter()
        .filter(|p| !p.trim().is_empty())
        .map(|p| blank_width(p.chars()))
        .min()
        .unwrap_or(0);
    let mut paragraphs: Vec<String> = Vec::new();
    let mut room = 0usize;
    let mut gap = false;
    for raw in pieces {
        let text = raw.trim();
        if text.is_empty() {
            gap = !paragraphs.is_empty();
            continue;
        }
        let on_purpose = room >= first_word_width(text);
        match paragraphs.last_mut() {
            Some(last) if !gap && !starts_paragraph(last, text, on_purpose) => {
                let words = last.ends_with(|c: char| c.is_ascii_alphanumeric())
                    && text.starts_with(|c: char| c.is_ascii_alphanumeric());
                // A Latin word that did not fit wrapped whole: any room left says so.
                let spaced = if words { room > 0 } else { units && on_purpose };
                if spaced && !starts_with_closing(text) {
                    last.push(' ');
                }
                last.push_str(text);
            }
            _ => paragraphs.push(text.to_string()),
        }
        gap = false;
        room = blank_width(raw.chars().rev()).saturating_sub(margin);
    }
    paragraphs
}

/// Whether `text`, the next piece of a cell whose text so far ends with `last`, starts a
/// paragraph of its own.
fn starts_paragraph(last: &str, text: &str, on_purpose: bool) -> bool {
    let ended = ends_sentence(last);
    (is_sub_item(text) && (ended || on_purpose)) || (ended && on_purpose)
}

/// The display width of the whitespace a piece starts with (or, reversed, ends with).
fn blank_width(chars: impl Iterator<Item = char>) -> usize {
    chars
        .take_while(|c| c.is_whitespace())
        .map(|c| c.width_cjk().unwrap_or(1).max(1))
        .sum()
}

/// The display width of what a line must hold to start with `text`: its first word (a run of
/// Latin letters and figures wraps whole) or character, with the opening quotes before it and
/// the closing punctuation after it, which never stand at a line's end or start. Ambiguous
/// characters (`“`) count wide, so a break is taken for deliberate only when it surely was.
fn first_word_width(text: &str) -> usize {
    let width = |c: char| c.width_cjk().unwrap_or(0);
    let mut chars = text.chars().peekable();
    let mut total = 0;
    while let Some(c) = chars.next_if(|c| "“‘（(《「『【〈[".contains(*c)) {
        total += width(c);
    }
    match chars.next() {
        Some(c) if c.is_ascii_alphanumeric() => {
            total += 1;
            while chars
                .next_if(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '%' | '-' | '_' | '/'))
                .is_some()
            {
                total += 1;
            }
        }
        Some(c) => total += width(c),
        None => {}
    }
    while let Some(c) = chars.next_if(|c| crate::text::closes(*c)) {
        total += width(c);
    }
    total
}

fn starts_with_closing(text: &str) -> bool {
    text.starts_with(crate::text::closes)
}

/// Whether a cell's text so far ends a sentence (`。`, `；`, `：`, also inside a closing
/// quote or bracket).
fn ends_sentence(text: &str) -> bool {
    text.trim_end_matches(['”', '’', '）', ')', '」', '』', '】', '》'])
        .ends_with(['。', '！', '？', '；', '：', '!', '?', ';', ':'])
}

/// A piece that starts a numbered sub-item: `2.`, `2、`, `(2)`, `2)`, `②`, `二是`, `二、`,
/// `(二)`, `第二,`. `1.6个百分点` is a decimal, not item 1.
fn is_sub_item(text: &str) -> bool {
    if let Some(m) = regex!(r"^\d{1,2}[.．]").find(text) {
        return !regex!(r"^\d+[%％万亿千百倍个元米吨亩公平人家户项条所座辆台套]")
            .is_match(&text[m.end()..]);
    }
    regex!(
        r"^(?:\d{1,2}[、)）]|[(（]\d{1,2}[)）]|[①-⑳]|[一二三四五六七八九十]{1,3}(?:是|、)|[(（][一二三四五六七八九十]{1,3}[)）]|第[一二三四五六七八九十]{1,3}[,，、是])"
    )
    .is_match(text)
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

/// How many task rows a pipe or grid table would explain: 2 plus its rows under a header
/// naming a goal and a units column, or 0 (layout detection).
pub(crate) fn evidence(lines: &[SourceLine<'_>]) -> f32 {
    let Some(header) = find_header(&classify(lines, 0, None), |cells| {
        is_table_header(cells.iter().map(|c| header_column_of(c)))
    }) else {
        return 0.0;
    };
    let rows = body(lines, &header)
        .iter()
        .filter(|item| matches!(item, Item::Row { .. }))
        .count();
    if rows > 0 {
        2.0 + rows as f32
    } else {
        0.0
    }
}

pub fn parse(lines: &[SourceLine<'_>]) -> Parsed {
    let Some(header) = find_header(&classify(lines, 0, None), |cells| {
        columns::names_columns(cells)
    }) else {
        return Parsed::default();
    };
    let width = header.names.len();
    let mut unplaced = Vec::new();
    let mut rows: Vec<Row> = header
        .rows
        .iter()
        .map(|cells| Row {
            at: header.at,
            cells: cells.clone(),
        })
        .collect();
    let mut ended = false;
    for item in body(lines, &header) {
        if ended {
            let lines = match item {
                Item::Text(line) => vec![line],
                Item::Row { lines, .. } => lines,
            };
            for line in lines {
                unplaced.push(unplaced_line(
                    line,
                    crate::lang::t("表格结束后的文字", "text after the end of the table"),
                ));
            }
            continue;
        }
        match item {
            Item::Text(line) => {
                // Section headings between the table's parts (a row spanning the table), and
                // anything else, which is reported. A Markdown heading (`### 二、民生`) is a
                // heading too.
                let t = line.text.trim();
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
                    unplaced.push(unplaced_line(
                        line,
                        crate::lang::t("表格结束后的文字", "text after the end of the table"),
                    ));
                } else {
                    unplaced.push(unplaced_line(
                        line,
                        crate::lang::t("表格各行之外的文字", "text outside the table rows"),
                    ));
                }
            }
            Item::Row { lines, cells } => {
                let at = lines.first().map_or(header.at, |l| l.number);
                let extra: Vec<String> = cells
                    .iter()
                    .skip(width)
                    .map(|c| c.joined(" "))
                    .filter(|c| !c.is_empty())
                    .collect();
                if !extra.is_empty() {
                    unplaced.push(Unplaced {
                        line: at,
                        text: extra.join(" | "),
                        reason: crate::lang::t(
                            "超出表头栏目的单元格",
                            "cells beyond the header's columns",
                        )
                        .into(),
                    });
                }
                rows.push(Row {
                    at,
                    cells: cells.into_iter().take(width).collect(),
                });
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn joined(pieces: &[&str]) -> Vec<String> {
        join_pieces(pieces, false)
    }

    fn kinds(text: &str) -> Vec<Kind> {
        let lines = crate::import::source_lines(text);
        classify(&lines, 0, None)
            .into_iter()
            .map(|l| l.kind)
            .collect()
    }

    #[test]
    fn box_bars_heavy_double_and_full_width_separate_cells_with_their_padding() {
        let cells = |c: &[&str]| Kind::Cells(c.iter().map(|s| s.to_string()).collect());
        assert_eq!(
            kinds("│1   │市工业和│\n┃2 ┃甲┃\n║3 │乙 ║\n｜4｜丙｜\n| 5 | 丁 |"),
            [
                cells(&["1   ", "市工业和"]),
                cells(&["2 ", "甲"]),
                cells(&["3 ", "乙 "]),
                cells(&["4", "丙"]),
                cells(&[" 5 ", " 丁 "]),
            ]
        );
        // A line holding only a bar separates cells copied one per line: no row.
        assert_eq!(kinds("｜\n│\n|"), [Kind::Text, Kind::Text, Kind::Text]);
        assert_eq!(
            kinds("├──┼──┤\n|---|---|"),
            [
                Kind::Rule {
                    grid: true,
                    open: vec![false, false]
                },
                Kind::Rule {
                    grid: false,
                    open: vec![false, false]
                }
            ]
        );
    }

    fn rule(text: &str) -> Option<(bool, Vec<bool>)> {
        match kind_of(text, None) {
            Kind::Rule { grid, open } => Some((grid, open)),
            _ => None,
        }
    }

    #[test]
    fn rules_of_every_style_and_which_are_a_grids() {
        for grid in [
            "┌──┬──┐",
            "├────┴────┤",
            "┣━━╋━━┫",
            "╠══╪══╣",
            "╚═══╩═══╝",
            "+----+----+",
            "+:===+====+",
            "-----+-----",
            "|----+----|",
        ] {
            assert_eq!(rule(grid), Some((true, vec![false, false])), "{grid}");
        }
        assert_eq!(rule("|---|:---:|"), Some((false, vec![false, false])));
        assert_eq!(rule("---"), Some((false, Vec::new())));
        assert_eq!(rule("──────"), Some((true, Vec::new())));
        assert_eq!(rule("──"), None, "too short to be a rule");
        assert_eq!(rule("│1 │任务│"), None);
        assert_eq!(rule("1-10月"), None);
        // A cell merged down over two rows leaves a gap in the rule between them.
        assert_eq!(
            rule("├──┼──────┤        │"),
            Some((true, vec![false, false, true]))
        );
        // `+` in text is no junction.
        assert_eq!(
            kind_of("| 1 | 互联网+政务服务 |", None),
            Kind::Cells(vec![" 1 ".into(), " 互联网+政务服务 ".into()])
        );
    }

    #[test]
    fn wrapped_pieces_join_with_nothing_across_names_and_figures() {
        assert_eq!(joined(&["市工业和", "信息化局"]), ["市工业和信息化局"]);
        assert_eq!(
            joined(&["新增国家高新技术企业200 ", "家。"]),
            ["新增国家高新技术企业200家。"]
        );
        // A decimal at a line's start is no sub-item, even after a sentence's end.
        assert_eq!(
            joined(&["同比增长。", "1.6个百分点的增幅居全省第一。"]),
            ["同比增长。1.6个百分点的增幅居全省第一。"]
        );
        // A line that was full when its sentence ended runs on into the next.
        assert_eq!(
            joined(&["完成年度目标的71.2%。", "下一步将加快推进。"]),
            ["完成年度目标的71.2%。下一步将加快推进。"]
        );
    }

    #[test]
    fn a_paragraph_starts_at_a_sub_item_after_a_sentence_or_where_a_line_broke_early() {
        assert_eq!(
            joined(&["个百分点。", "2.新实施技改项", "目612个。"]),
            ["个百分点。", "2.新实施技改项目612个。"]
        );
        assert_eq!(
            joined(&["完成41个；", "二是已加装电梯87部。"]),
            ["完成41个；", "二是已加装电梯87部。"]
        );
        // Room for more on the line: the sentence ended a paragraph there.
        assert_eq!(
            joined(&["完成年度目标的71.2%。     ", "下一步将加快推进。"]),
            ["完成年度目标的71.2%。", "下一步将加快推进。"]
        );
        // A sub-item number mid-sentence on a full line is text.
        assert_eq!(
            joined(&["重点推进", "（2）类项目"]),
            ["重点推进（2）类项目"]
        );
        // An empty line inside a cell ends a paragraph.
        assert_eq!(
            joined(&["甲项完成", "", "乙项完成"]),
            ["甲项完成", "乙项完成"]
        );
    }

    #[test]
    fn a_deliberate_break_between_latin_words_or_unit_names_is_a_space() {
        assert_eq!(joined(&["smart    ", "city"]), ["smart city"]);
        assert_eq!(joined(&["PP", "P项目"]), ["PPP项目"]);
        // An ASCII grid pads each line by one space on both sides.
        assert_eq!(joined(&[" smart  ", " city   "]), ["smart city"]);
        assert_eq!(joined(&[" PP ", " P项目 "]), ["PPP项目"]);
        assert_eq!(
            join_pieces(&["市住房城乡建设局  ", "市城管局"], true),
            ["市住房城乡建设局 市城管局"]
        );
        assert_eq!(
            join_pieces(&["市住房城", "乡建设局"], true),
            ["市住房城乡建设局"]
        );
        // `（市` could not have fitted in the room left: no break there.
        assert_eq!(
            join_pieces(&["各县 ", "（市、区）政府"], true),
            ["各县（市、区）政府"]
        );
    }

    #[test]
    fn sub_items_and_figures() {
        for item in [
            "2.新实施",
            "1.1-10月",
            "2、加快",
            "(2)推进",
            "（二）",
            "②完成",
            "二是",
            "第二，",
        ] {
            assert!(is_sub_item(item), "{item}");
        }
        for text in [
            "1.6个百分点",
            "1.52万个",
            "3.5亿元",
            "二〇二三年",
            "10%以上",
        ] {
            assert!(!is_sub_item(text), "{text}");
        }
    }

    #[test]
    fn rows_of_a_run_between_rules() {
        let line = |cells: &[&str]| cells.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        let centred = [line(&["", "甲"]), line(&["1", "乙"]), line(&["", "丙"])];
        let run: Vec<&[String]> = centred.iter().map(Vec::as_slice).collect();
        assert_eq!(row_groups(&run, true, true, Some(0)), vec![0..3]);
        // Outside a grid's rules every line is a row.
        assert_eq!(row_groups(&run, false, true, Some(0)), [0..1, 1..2, 2..3]);
        // Rules around sections only: a second number starts a row, so does a spanning line.
        let two = [
            line(&["一、民生"]),
            line(&["1", "甲"]),
            line(&["", "乙"]),
            line(&["2", "丙"]),
        ];
        let run: Vec<&[String]> = two.iter().map(Vec::as_slice).collect();
        assert_eq!(row_groups(&run, true, true, Some(0)), [0..1, 1..3, 3..4]);
        // Ruled only around the body and not numbered: a row per line.
        let plain = [line(&["", "甲"]), line(&["", "乙"])];
        let run: Vec<&[String]> = plain.iter().map(Vec::as_slice).collect();
        assert_eq!(row_groups(&run, true, false, Some(0)), [0..1, 1..2]);
        assert_eq!(row_groups(&run, true, true, None), vec![0..2]);
    }

    #[test]
    fn ragged_and_broken_grids_read_without_panicking() {
        let texts = [
            "│\n┼\n+\n|+-|\n├──┤文字│\n",
            // A split header whose lines do not line up, then rows of every width.
            "┌─┬─┐\n│序号│目标任务│牵头单位│\n│  ├──┤  │\n│a│b│\n├─┼─┤\n│1│甲│\n│ │乙│丙│丁│\n└─┴─┘\n",
            // Only rules.
            "┌──┐\n├──┤\n└──┘\n+--+\n",
            // A header and rules, no rows; a rule gap wider than any row.
            "│序号│目标任务│进展情况│\n├──┼──┼──┤\n├  ┼  ┼  ┼  ┼  ┤\n│1│任务。│\n",
            "| 序号 | 目标任务 | 进展情况 |\n+---+\n| | | |\n|\\|x|y|\n",
        ];
        for text in texts {
            let lines = crate::import::source_lines(text);
            let _ = evidence(&lines);
            let _ = parse(&lines);
        }
    }
}
