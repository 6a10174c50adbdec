//! Parser for tables copied one cell per line or per blank-line-separated paragraph, under a
//! header of column names in any order. Owns row boundaries and which lines fill which column.
//!
//! Lines are typed (bare number, unit names, text, heading); the header's column order then
//! says where a row may end. A bare number starts a row only if the row before it is complete,
//! it continues the numbering and a goal follows it; otherwise it numbers a progress sub-item.

use super::layout::{
    self, clean_units, find_cells_header, is_footer, is_heading, is_loose_unit, is_units_line,
    regex, Column,
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
}

fn bare_number(t: &str) -> Option<u32> {
    let caps = regex!(r"^[(\x{FF08}]?\s*([0-9]{1,3})\s*[)\x{FF09}]?\s*[.．、]?$").captures(t)?;
    caps.get(1)?.as_str().parse().ok()
}

fn kind_of(t: &str) -> Kind {
    if let Some(n) = bare_number(t) {
        Kind::Number(n)
    } else if layout::column_of(t).is_some() {
        Kind::HeaderCell
    } else if is_footer(t) {
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
fn loose_next_to_units(kinds: &mut [Kind], lines: &[SourceLine<'_>]) {
    for k in 0..kinds.len() {
        if kinds[k] == Kind::Text && lines.get(k).is_some_and(|l| is_loose_unit(l.text.trim())) {
            let before = k > 0 && kinds[k - 1] == Kind::Units;
            let after = kinds.get(k + 1) == Some(&Kind::Units);
            if before || after {
                kinds[k] = Kind::Units;
            }
        }
    }
}

/// One chunk per non-blank line.
fn line_chunks<'a>(body: &[SourceLine<'a>]) -> Vec<Chunk<'a>> {
    let lines: Vec<SourceLine<'a>> = body
        .iter()
        .copied()
        .filter(|l| !l.text.trim().is_empty())
        .collect();
    let mut kinds: Vec<Kind> = lines.iter().map(|l| kind_of(l.text.trim())).collect();
    loose_next_to_units(&mut kinds, &lines);
    lines
        .into_iter()
        .zip(kinds)
        .map(|(l, kind)| Chunk {
            kind,
            lines: vec![l],
        })
        .collect()
}

/// One chunk per blank-line-separated paragraph; a paragraph mixing kinds is cut where the
/// kind changes. A number inside a longer paragraph numbers a sub-item, so it is text.
fn paragraph_chunks<'a>(body: &[SourceLine<'a>]) -> Vec<Chunk<'a>> {
    let mut out = Vec::new();
    let mut block: Vec<SourceLine<'a>> = Vec::new();
    let flush = |block: &mut Vec<SourceLine<'a>>, out: &mut Vec<Chunk<'a>>| {
        if block.is_empty() {
            return;
        }
        let mut kinds: Vec<Kind> = block.iter().map(|l| kind_of(l.text.trim())).collect();
        if block.len() > 1 {
            for k in kinds.iter_mut() {
                if matches!(k, Kind::Number(_)) {
                    *k = Kind::Text;
                }
            }
        }
        loose_next_to_units(&mut kinds, block);
        for (l, kind) in block.drain(..).zip(kinds) {
            match out.last_mut() {
                Some(Chunk { kind: last, lines })
                    if *last == kind
                        && matches!(kind, Kind::Units | Kind::Text)
                        && !lines.is_empty()
                        && same_block(lines, l) =>
                {
                    lines.push(l)
                }
                _ => out.push(Chunk {
                    kind,
                    lines: vec![l],
                }),
            }
        }
    };
    for &l in body {
        if l.text.trim().is_empty() {
            flush(&mut block, &mut out);
        } else {
            block.push(l);
        }
    }
    flush(&mut block, &mut out);
    out
}

/// Whether `l` directly follows the last line of `lines` (same paragraph).
fn same_block(lines: &[SourceLine<'_>], l: SourceLine<'_>) -> bool {
    lines.last().is_some_and(|p| p.number + 1 == l.number)
}

/// The table separates its cells by blank lines when most lines are followed by one.
fn blank_separated(body: &[SourceLine<'_>]) -> bool {
    let mut nonblank = 0usize;
    let mut followed = 0usize;
    for (k, l) in body.iter().enumerate() {
        if l.text.trim().is_empty() {
            continue;
        }
        nonblank += 1;
        if body.get(k + 1).is_some_and(|n| n.text.trim().is_empty()) {
            followed += 1;
        }
    }
    nonblank > 0 && followed * 10 >= nonblank * 3
}

/// What the header's column order says about row boundaries.
struct Template {
    /// The columns after the number column, in order.
    columns: Vec<Column>,
}

impl Template {
    fn has_units(&self) -> bool {
        self.columns.iter().any(|c| c.is_units())
    }
    /// Nothing can follow a row's units: the next text starts a new row.
    fn ends_with_units(&self) -> bool {
        self.columns
            .iter()
            .rev()
            .find(|c| {
                !matches!(
                    c,
                    Column::Other | Column::Notes | Column::Period | Column::Ignore
                )
            })
            .is_some_and(|c| c.is_units())
    }
    /// The goal is directly followed by units: a goal is text right before a units chunk.
    fn units_after_goal(&self) -> bool {
        let at = self.columns.iter().position(|c| *c == Column::Goal);
        at.and_then(|a| self.columns.get(a + 1))
            .is_some_and(|c| c.is_units())
    }
}

struct RowBuf<'a> {
    number: Option<u32>,
    line: usize,
    section: Option<String>,
    chunks: Vec<Chunk<'a>>,
    has_units: bool,
}

impl<'a> RowBuf<'a> {
    fn new(number: Option<u32>, line: usize, section: &Option<String>) -> Self {
        RowBuf {
            number,
            line,
            section: section.clone(),
            chunks: Vec::new(),
            has_units: false,
        }
    }
    fn push(&mut self, c: Chunk<'a>) {
        if c.kind == Kind::Units {
            self.has_units = true;
        }
        self.chunks.push(c);
    }
}

pub fn parse(lines: &[SourceLine<'_>]) -> Parsed {
    let mut out = Parsed::default();
    let Some(header) = find_cells_header(lines) else {
        return out;
    };
    let body = lines.get(header.end..).unwrap_or(&[]);
    let paragraphs = header.blank_separated || blank_separated(body);
    let chunks = if paragraphs {
        paragraph_chunks(body)
    } else {
        line_chunks(body)
    };
    let template = Template {
        columns: header
            .columns
            .iter()
            .copied()
            .filter(|c| *c != Column::Number)
            .collect(),
    };
    let complete = |r: &RowBuf<'_>| !template.has_units() || r.has_units;

    let mut rows: Vec<RowBuf<'_>> = Vec::new();
    let mut current: Option<RowBuf<'_>> = None;
    let mut sections = layout::Sections::default();
    let mut section: Option<String> = None;
    let mut expected: Option<u32> = None;
    let mut after_table = false;

    for (i, chunk) in chunks.iter().enumerate() {
        let next_kind = chunks.get(i + 1).map(|c| c.kind);
        let after_next = chunks.get(i + 2).map(|c| c.kind);
        // The chunk after a would-be goal fits the header: units when the goal's column is
        // directly followed by a units column.
        let goal_fits = next_kind == Some(Kind::Text)
            && (!template.units_after_goal() || after_next == Some(Kind::Units));
        if after_table {
            for l in &chunk.lines {
                out.unplaced
                    .push(unplaced(*l, "text after the end of the table"));
            }
            continue;
        }
        match chunk.kind {
            Kind::HeaderCell => {}
            Kind::Footer => {
                if let Some(r) = current.take() {
                    rows.push(r);
                }
                after_table = true;
                for l in &chunk.lines {
                    out.unplaced
                        .push(unplaced(*l, "text after the end of the table"));
                }
            }
            Kind::Number(n) => {
                let starts = match current.as_ref() {
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
                        Some(r) => r.push(Chunk {
                            kind: Kind::Text,
                            lines: chunk.lines.clone(),
                        }),
                        None => {
                            for l in &chunk.lines {
                                out.unplaced
                                    .push(unplaced(*l, "a number before the first task"));
                            }
                        }
                    }
                }
            }
            Kind::Heading if current.as_ref().is_none_or(&complete) => {
                if let Some(r) = current.take() {
                    rows.push(r);
                }
                sections.enter(
                    &chunk
                        .lines
                        .iter()
                        .map(|l| l.text.trim())
                        .collect::<Vec<_>>()
                        .join(""),
                );
                section = sections.current();
                // Numbering may start again under a new section.
                expected = None;
            }
            Kind::Heading | Kind::Text => {
                let new_row = match current.as_ref() {
                    None => true,
                    Some(r) if !complete(r) => false,
                    Some(_) if template.ends_with_units() => true,
                    Some(_) => template.units_after_goal() && next_kind == Some(Kind::Units),
                };
                if new_row {
                    if let Some(r) = current.take() {
                        rows.push(r);
                    }
                    let line = chunk.lines.first().map_or(0, |l| l.number);
                    current = Some(RowBuf::new(None, line, &section));
                }
                if let Some(r) = current.as_mut() {
                    r.push(Chunk {
                        kind: Kind::Text,
                        lines: chunk.lines.clone(),
                    });
                }
            }
            Kind::Units => match current.as_mut() {
                Some(r) => r.push(chunk.clone()),
                None => {
                    for l in &chunk.lines {
                        out.unplaced
                            .push(unplaced(*l, "unit names before the first task"));
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
        UnitVocab::learn(&rows)
    };
    for r in rows {
        // Text with no number and no units where the header has units is no task row:
        // a note under the table, or a cell duban could not place.
        if r.number.is_none() && template.has_units() && !r.has_units {
            for c in &r.chunks {
                for l in &c.lines {
                    out.unplaced.push(unplaced(
                        *l,
                        "text that is not part of a task row (no number, no units)",
                    ));
                }
            }
            continue;
        }
        out.rows
            .push(assign(&template, r, paragraphs, &vocab, &mut out.unplaced));
    }
    layout::drop_restarting_numbers(&mut out.rows);
    out
}

/// Fills a row's columns from its chunks. Consecutive columns of the same kind (goal then
/// progress; lead then co) share a run of chunks: the goal takes one chunk and the progress the
/// rest; lead and co are told apart by paragraph, else by the co cell's list (see `split_units`).
fn assign(
    template: &Template,
    row: RowBuf<'_>,
    paragraphs: bool,
    vocab: &UnitVocab,
    unplaced_out: &mut Vec<Unplaced>,
) -> RawRow {
    // Runs of chunks of one kind.
    let mut runs: Vec<(bool, Vec<Chunk<'_>>)> = Vec::new();
    for c in row.chunks {
        let is_units = c.kind == Kind::Units;
        match runs.last_mut() {
            Some((u, v)) if *u == is_units => v.push(c),
            _ => runs.push((is_units, vec![c])),
        }
    }
    // Groups of consecutive columns of one kind.
    let mut groups: Vec<(bool, Vec<Column>)> = Vec::new();
    for &col in &template.columns {
        let is_units = col.is_units();
        match groups.last_mut() {
            Some((u, v)) if *u == is_units => v.push(col),
            _ => groups.push((is_units, vec![col])),
        }
    }

    let mut goal = String::new();
    let mut progress: Vec<String> = Vec::new();
    let (mut lead, mut co, mut single): (Vec<String>, Vec<String>, Vec<String>) =
        (Vec::new(), Vec::new(), Vec::new());
    let mut g = 0usize;
    for (is_units, run) in runs {
        let found = groups
            .iter()
            .skip(g)
            .position(|(u, _)| *u == is_units)
            .map(|p| p + g);
        let cols: Vec<Column> = match found {
            Some(k) => {
                g = k + 1;
                groups.get(k).map(|(_, c)| c.clone()).unwrap_or_default()
            }
            // More runs than the header has room for (text after the units when the header
            // ends with units): extra text is progress, extra units are co units.
            None if is_units => vec![Column::Co],
            None => vec![Column::Progress],
        };
        if is_units {
            let (l, c, s) = split_units(&cols, &run, paragraphs, vocab);
            lead.extend(l);
            co.extend(c);
            single.extend(s);
        } else {
            fill_text(&cols, run, &mut goal, &mut progress, unplaced_out);
        }
    }
    let units = if template.columns.contains(&Column::Units) && lead.is_empty() && co.is_empty() {
        RawUnits::SingleColumn(single.join("、"))
    } else {
        // `责任单位` beside a lead column was read as the co column (see the header), so
        // `single` is empty here.
        RawUnits::Columns {
            lead: lead.join("、"),
            co: co.join("、"),
        }
    };
    RawRow {
        notes: Vec::new(),
        number: row.number,
        section: row.section,
        line: row.line,
        goal,
        progress,
        units,
    }
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

fn fill_text(
    cols: &[Column],
    run: Vec<Chunk<'_>>,
    goal: &mut String,
    progress: &mut Vec<String>,
    unplaced_out: &mut Vec<Unplaced>,
) {
    let single_cell = |c: &Chunk<'_>| {
        c.lines
            .iter()
            .map(|l| l.text.trim())
            .collect::<Vec<_>>()
            .join("")
    };
    let progress_at = cols.iter().position(|c| *c == Column::Progress);
    // Columns before the progress column take one chunk each from the front, those after it
    // one each from the back; the progress column takes the rest.
    let (front, back): (&[Column], &[Column]) = match progress_at {
        Some(p) => (&cols[..p], &cols[p + 1..]),
        None => (cols, &[]),
    };
    let mut chunks: std::collections::VecDeque<Chunk<'_>> = run.into();
    let mut take = |col: Column, chunk: Option<Chunk<'_>>, goal: &mut String| {
        let Some(chunk) = chunk else { return };
        match col {
            Column::Goal => goal.push_str(&single_cell(&chunk)),
            _ => {
                for l in &chunk.lines {
                    unplaced_out.push(unplaced(*l, "a column duban does not import"));
                }
            }
        }
    };
    for &col in front {
        // Without a progress column the last text column takes what is left.
        if progress_at.is_none() && Some(&col) == front.last() {
            let rest: Vec<Chunk<'_>> = chunks.drain(..).collect();
            if col == Column::Goal {
                goal.push_str(&rest.iter().map(single_cell).collect::<Vec<_>>().join(""));
            } else {
                for c in rest {
                    take(col, Some(c), goal);
                }
            }
            break;
        }
        let c = chunks.pop_front();
        take(col, c, goal);
    }
    let mut tail: Vec<(Column, Chunk<'_>)> = Vec::new();
    for &col in back.iter().rev() {
        if chunks.len() > 1 {
            if let Some(c) = chunks.pop_back() {
                tail.push((col, c));
            }
        }
    }
    if progress_at.is_some() {
        progress.extend(paragraphs_of(chunks.make_contiguous()));
    }
    for (col, c) in tail.into_iter().rev() {
        take(col, Some(c), goal);
    }
}

/// Unit names seen as lead or as co in rows whose one-line cells split without doubt (a lone
/// units line; a list or `各…` line after the lead lines): they split the rows where several
/// single names follow each other and nothing else shows where the co cell starts.
#[derive(Debug, Default)]
struct UnitVocab {
    lead: HashSet<String>,
    co: HashSet<String>,
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
};

fn names(lines: &[SourceLine<'_>]) -> Vec<String> {
    lines
        .iter()
        .flat_map(|l| split_list(&clean_units(l.text.trim())))
        .map(|n| normalize(&n))
        .collect()
}

/// A line that lists several names or starts with `各` (`各县(市)区政府、开发区管委会`).
fn lists(l: &SourceLine<'_>) -> bool {
    let t = l.text.trim();
    t.starts_with('各')
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
    let cell = |lines: &[SourceLine<'_>]| {
        lines
            .iter()
            .map(|l| clean_units(l.text.trim()))
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("、")
    };
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
                list_line(&lines).or_else(|| {
                    lines
                        .iter()
                        .skip(1)
                        .position(|l| vocab.is_co(l))
                        .map(|p| p + 1)
                })
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

fn unplaced(line: SourceLine<'_>, reason: &str) -> Unplaced {
    Unplaced {
        line: line.number,
        text: line.text.trim().to_string(),
        reason: reason.to_string(),
    }
}
