//! Parser for the concatenated-columns layout of the sample: one row per `N.\u{a0}` line,
//! goal + progress + lead units + co units run together, continuation lines adding progress.
//!
//! Steps: find the table (after its header, or from the first row) and its end (a blank line
//! or page boilerplate after the last row); group lines into rows; find the line that carries
//! the row's units (the text after its last full stop must be unit names); split the units in
//! two passes — first with the shipped names, then with the names the document itself used —
//! and cut the first line's goal from its progress (`boundary`).
//!
//! The header, when it can be read word by word (`data/columns.toml`), says how the end of a
//! row reads: a single `责任单位` column (the first-listed unit leads), a lead column alone, and
//! columns glued on after the units (`完成时限`: `…启东市政府2022年12月底`), whose text is cut
//! off and kept as the row's note.

use super::boundary;
use super::headers::{Column, Vocabulary as ColumnWords};
use super::units::{self, Vocabulary};
use super::{Parsed, RawRow, RawUnits, SourceLine, Unplaced};
use rayon::prelude::*;

/// A row's lines before its columns are told apart.
#[derive(Debug)]
struct Draft<'a> {
    number: u32,
    section: Option<String>,
    /// 1-based line number of the row's first line.
    line: usize,
    /// The first line without its `N.\u{a0}` marker, then each continuation line as is.
    texts: Vec<&'a str>,
    /// The 1-based line number of each text.
    numbers: Vec<usize>,
}

/// Where a row's units were found.
#[derive(Debug, Clone)]
struct UnitsAt {
    /// Index into `Draft::texts`.
    text: usize,
    /// Byte offset in that text where the unit text starts.
    start: usize,
    split: units::SplitUnits,
    /// The text of the columns after the units (`2022年12月底`), trimmed; empty when none.
    trailer: String,
}

/// What the table's header says about the end of each row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Shape {
    units: UnitColumns,
    /// The columns after the units (`完成时限`), as the header writes them, with their roles.
    trailing: Vec<(String, Column)>,
    /// The progress column comes after the units (`序号重点工作任务牵头单位配合单位推进情况`):
    /// each row's first line is goal, units, then progress.
    progress_after_units: bool,
}

/// Which units columns the header has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum UnitColumns {
    /// A lead column then a co column (the sample): the lead column ends where two names touch.
    #[default]
    LeadAndCo,
    /// A lead column alone: every unit leads.
    LeadOnly,
    /// One `责任单位` column: the first-listed unit leads, the rest are co units.
    Single,
}

pub fn parse(lines: &[SourceLine<'_>]) -> Parsed {
    let mut parsed = Parsed::default();
    let shape = table_shape(lines);
    let drafts = group_rows(lines, &mut parsed.unplaced);

    // Pass 1: the shipped names only. Names that can only be read one way are learned.
    // Each row is read on its own, so both passes run on all cores (most of the time a
    // 100,000-row report takes to read).
    let builtin = Vocabulary::builtin();
    let mut vocab = Vocabulary::over_builtin();
    let learned: Vec<Vec<String>> = drafts
        .par_iter()
        .map(|d| match find_units(d, builtin, &shape) {
            Some(found) => found
                .split
                .lead
                .into_iter()
                .chain(found.split.co)
                .filter(|name| units::certainly_one_name(name))
                .collect(),
            None => Vec::new(),
        })
        .collect();
    for name in learned.iter().flatten() {
        vocab.learn(name);
    }

    if shape.progress_after_units {
        for d in drafts {
            match units_after_goal(d.texts[0], &Vocabulary::over_builtin()) {
                Some((goal_end, units_end, split)) => {
                    let first = d.texts[0];
                    let mut progress: Vec<String> = Vec::new();
                    let rest = first[units_end..].trim();
                    if !rest.is_empty() {
                        progress.push(rest.to_string());
                    }
                    progress.extend(d.texts[1..].iter().map(|t| t.to_string()));
                    parsed.rows.push(RawRow {
                        notes: Vec::new(),
                        number: Some(d.number),
                        section: d.section,
                        line: d.line,
                        goal: first[..goal_end].trim().to_string(),
                        progress,
                        units: row_units(split, shape.units),
                    });
                }
                None => {
                    parsed.unplaced.push(Unplaced {
                        line: d.line,
                        text: d.texts[0].chars().take(40).collect(),
                        reason: crate::tr!(
                            "任务 {}：目标之后没有找到责任单位，其文字作为工作进展保留",
                            "task {}: no responsible units found after its goal; its text is kept as progress",
                            d.number
                        ),
                    });
                    let mut progress: Vec<String> = Vec::new();
                    progress.extend(d.texts.iter().map(|t| t.to_string()));
                    parsed.rows.push(RawRow {
                        notes: Vec::new(),
                        number: Some(d.number),
                        section: d.section,
                        line: d.line,
                        goal: String::new(),
                        progress,
                        units: RawUnits::Split {
                            lead: Vec::new(),
                            co: Vec::new(),
                        },
                    });
                }
            }
        }
        return parsed;
    }

    // Pass 2: with the document's own vocabulary.
    let rows: Vec<(RawRow, Option<Unplaced>)> = drafts
        .into_par_iter()
        .map(|d| {
            let found = find_units(&d, &vocab, &shape);
            let missing = found.is_none().then(|| no_units(&d));
            (build_row(d, found, &shape), missing)
        })
        .collect();
    for (row, missing) in rows {
        parsed.unplaced.extend(missing);
        parsed.rows.push(row);
    }
    parsed
}

/// The row's text is kept as progress, but the user should know its units are missing (a
/// truncated file, or units the importer could not recognise).
fn no_units(d: &Draft<'_>) -> Unplaced {
    let last = d.texts.last().copied().unwrap_or_default();
    let tail: String = last
        .chars()
        .rev()
        .take(40)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    Unplaced {
        line: d.numbers.last().copied().unwrap_or(d.line),
        text: tail,
        reason: crate::tr!(
            "任务 {}：各行末尾没有找到责任单位，其文字作为工作进展保留",
            "task {}: no responsible units found at the end of its lines; its text is kept as progress",
            d.number
        ),
    }
}

/// Whether the lines read as this layout, with or without its header line: rows marked
/// `N.\u{a0}` numbered from 1 whose first lines mostly end in unit names. For layout detection.
pub fn recognises(lines: &[SourceLine<'_>]) -> bool {
    let vocab = Vocabulary::builtin();
    let shape = table_shape(lines);
    let mut expected = 1u32;
    let (mut rows, mut with_units) = (0usize, 0usize);
    for l in lines {
        if let Some((n, at)) = row_start(l.text, true, Some(expected)) {
            if rows == 0 && n != 1 {
                continue;
            }
            rows += 1;
            expected = n.saturating_add(1);
            if units_after_last_sentence(&l.text[at..], vocab, &shape).is_some() {
                with_units += 1;
            }
        }
    }
    rows >= 1 && with_units * 2 >= rows
}

fn build_row(d: Draft<'_>, found: Option<UnitsAt>, shape: &Shape) -> RawRow {
    let mut progress = Vec::new();
    let mut goal = String::new();
    let mut notes = Vec::new();
    let units_at = found.as_ref().map(|f| (f.text, f.start));
    for (i, text) in d.texts.iter().enumerate() {
        let body = match units_at {
            Some((t, start)) if t == i => &text[..start],
            _ => text,
        };
        let paragraph = if i == 0 {
            let cut = boundary::goal_end(body);
            goal = body[..cut].to_string();
            &body[cut..]
        } else {
            body
        };
        if !paragraph.is_empty() {
            progress.push(paragraph.to_string());
        }
    }
    let units = match found {
        Some(f) => {
            notes.extend(trailer_note(&f.trailer, &shape.trailing));
            row_units(f.split, shape.units)
        }
        None => RawUnits::Split {
            lead: Vec::new(),
            co: Vec::new(),
        },
    };
    RawRow {
        notes,
        number: Some(d.number),
        section: d.section,
        line: d.line,
        goal,
        progress,
        units,
    }
}

/// The names found, read as the header's units columns say.
fn row_units(split: units::SplitUnits, columns: UnitColumns) -> RawUnits {
    let units::SplitUnits { mut lead, co, .. } = split;
    match columns {
        UnitColumns::LeadAndCo => RawUnits::Split { lead, co },
        UnitColumns::LeadOnly => {
            lead.extend(co);
            RawUnits::Split {
                lead,
                co: Vec::new(),
            }
        }
        // The one-column rule (and its `(牵头)` marks) lives with the other layouts' cells.
        UnitColumns::Single => {
            lead.extend(co);
            RawUnits::SingleColumn(lead.join("、"))
        }
    }
}

/// The text of the columns after the units as a note: `备注` as written, any other column as
/// `<header>:<text>`. Several such columns cannot be told apart in run-together text, so
/// their headers share one note (`完成时限/责任领导:…`).
fn trailer_note(trailer: &str, columns: &[(String, Column)]) -> Option<String> {
    if trailer.is_empty() {
        return None;
    }
    match columns {
        [] => None,
        [(_, Column::Notes)] => Some(trailer.to_string()),
        _ => {
            let headers: Vec<&str> = columns.iter().map(|(h, _)| h.as_str()).collect();
            Some(format!("{}:{trailer}", headers.join("/")))
        }
    }
}

// ---------------------------------------------------------------------------------------
// Rows and the table's extent.

/// The marker that starts a row: `N.` then a no-break space, N of any size (`1001.`). In copies
/// where the no-break space became an ordinary or ideographic space, `N. ` counts only when N
/// is the next number expected (any number for the first row), because progress sub-items
/// (`2.全面放开…`) look alike.
fn row_start(text: &str, nbsp_mode: bool, expected: Option<u32>) -> Option<(u32, usize)> {
    let trimmed = text.trim_start_matches([' ', '\u{3000}', '\t']);
    let digits = trimmed.bytes().take_while(u8::is_ascii_digit).count();
    // Nine digits always fit a u32.
    if digits == 0 || digits > 9 {
        return None;
    }
    let number: u32 = trimmed[..digits].parse().ok()?;
    let rest = &trimmed[digits..];
    let rest = rest
        .strip_prefix('.')
        .or_else(|| rest.strip_prefix('\u{ff0e}'))
        .or_else(|| rest.strip_prefix('、'))?;
    let space = rest.chars().next()?;
    let ok = match space {
        '\u{a0}' => true,
        ' ' | '\u{3000}' => !nbsp_mode && expected.is_none_or(|e| number == e),
        // `1.全年…` with nothing after the stop (a browser's text copy loses the no-break
        // space): only the next number in sequence, or the first row under the header.
        c if !c.is_whitespace() && !c.is_ascii_digit() => {
            !nbsp_mode && expected.is_none_or(|e| number == e)
        }
        _ => false,
    };
    if !ok {
        return None;
    }
    let after = rest.trim_start_matches([' ', '\u{a0}', '\u{3000}', '\t']);
    let content_start = text.len() - after.len();
    // The content must hold text: a bare `3. ` is not a task.
    if after.trim().is_empty() {
        return None;
    }
    Some((number, content_start))
}

/// The table's header: the sample's, or any column names run together
/// (`序号重点工作任务推进情况牵头单位配合单位`).
fn is_header(text: &str) -> bool {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    (compact.contains("序号")
        && (compact.contains("目标与任务") || compact.contains("牵头责任单位")))
        || super::layout::is_concatenated_header(&compact)
}

/// How the ends of the rows read, from the table's header when its words can all be read
/// (`序号工作任务工作进展责任单位完成时限`); the sample's shape otherwise.
fn table_shape(lines: &[SourceLine<'_>]) -> Shape {
    lines
        .iter()
        .find(|l| is_header(l.text))
        .and_then(|l| header_shape(l.text))
        .unwrap_or_default()
}

/// The header's columns in order, read longest word first, as written (traditional forms
/// kept); None when some part of it is no column word.
fn header_columns(text: &str) -> Option<Vec<(String, Column)>> {
    let written: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
    // `fold` maps character for character, so positions in `folded` are positions in `written`.
    let folded: Vec<char> = super::layout::fold(&written.iter().collect::<String>())
        .chars()
        .collect();
    if folded.len() != written.len() {
        return None;
    }
    let words = ColumnWords::builtin();
    let mut columns = Vec::new();
    let mut at = 0;
    while at < folded.len() {
        let rest: String = folded[at..].iter().collect();
        let (word, role) = words.words().find(|(w, _)| rest.starts_with(w))?;
        let n = word.chars().count();
        columns.push((written.get(at..at + n)?.iter().collect(), role));
        at += n;
    }
    Some(columns)
}

fn header_shape(text: &str) -> Option<Shape> {
    let columns = header_columns(text)?;
    let last_units = columns.iter().rposition(|(_, c)| c.is_units())?;
    let roles: Vec<Column> = columns[..=last_units].iter().map(|(_, c)| *c).collect();
    let has = |c: Column| roles.contains(&c);
    let units = if has(Column::Lead) && !has(Column::Co) && !has(Column::Units) {
        UnitColumns::LeadOnly
    } else if !has(Column::Lead) && !has(Column::Co) {
        UnitColumns::Single
    } else {
        UnitColumns::LeadAndCo
    };
    let after = &columns[last_units + 1..];
    // Only columns that are no field of a task can follow the units in this layout; with
    // progress after the units the row cannot be read this way, so nothing is cut.
    let trailing = if after.iter().all(|(_, c)| c.is_note()) {
        after.to_vec()
    } else {
        Vec::new()
    };
    let progress_after_units = after.iter().any(|(_, c)| *c == Column::Progress)
        && !columns[..last_units]
            .iter()
            .any(|(_, c)| *c == Column::Progress);
    Some(Shape {
        units,
        trailing,
        progress_after_units,
    })
}

/// `一、…` / `(一)…` headings: context for the rows after them.
fn section_heading(text: &str) -> Option<String> {
    let t = text.trim();
    if t.chars().count() > 60 {
        return None;
    }
    let mut chars = t.chars();
    let first = chars.next()?;
    let numeral = |c: char| "一二三四五六七八九十".contains(c);
    let is_heading = if numeral(first) {
        let rest: String = t.chars().skip_while(|&c| numeral(c)).take(1).collect();
        rest == "、"
    } else if first == '(' || first == '\u{ff08}' {
        let inner: String = chars.clone().take_while(|&c| numeral(c)).collect();
        !inner.is_empty()
            && chars
                .nth(inner.chars().count())
                .is_some_and(|c| c == ')' || c == '\u{ff09}')
    } else {
        false
    };
    is_heading.then(|| t.to_string())
}

/// A line after the table that is short and no sentence: page furniture too (`发布已输入0/200`).
fn is_furniture(text: &str) -> bool {
    let t = text.trim();
    super::layout::is_page_furniture(t) || (t.chars().count() <= 40 && !t.contains('。'))
}

fn group_rows<'a>(lines: &[SourceLine<'a>], unplaced: &mut Vec<Unplaced>) -> Vec<Draft<'a>> {
    let nbsp_mode = lines
        .iter()
        .any(|l| row_start(l.text, true, None).is_some());
    let header = lines.iter().position(|l| is_header(l.text));

    // Row starts, in order, with the numbering they expect.
    let mut starts: Vec<(usize, u32, usize)> = Vec::new(); // (index, number, content start)
                                                           // Without a header the first row is `1.`; under one it may have any number (`1001.`).
    let mut expected = if header.is_some() { None } else { Some(1u32) };
    let from = header.map_or(0, |h| h + 1);
    for (i, l) in lines.iter().enumerate().skip(from) {
        if let Some((n, at)) = row_start(l.text, nbsp_mode, expected) {
            starts.push((i, n, at));
            expected = Some(n.saturating_add(1));
        }
    }
    let Some(&(first_row, _, _)) = starts.first() else {
        return Vec::new();
    };
    let last_row = starts.last().map_or(first_row, |s| s.0);

    // Between the header and the first row: headings give context, anything else is reported.
    let mut section: Option<String> = None;
    for l in &lines[from..first_row] {
        if l.text.trim().is_empty() || is_header(l.text) {
            continue;
        }
        if let Some(h) = section_heading(l.text) {
            section = Some(h);
        } else if header.is_some() {
            unplaced.push(Unplaced {
                line: l.number,
                text: l.text.to_string(),
                reason: crate::lang::t(
                    "表头与第一行之间的文字，不属于任何任务",
                    "text between the table header and its first row; not part of any task",
                )
                .into(),
            });
        }
    }

    let mut drafts: Vec<Draft<'a>> = Vec::with_capacity(starts.len());
    let mut next_start = 0usize;
    let mut i = first_row;
    while i < lines.len() {
        let l = &lines[i];
        if next_start < starts.len() && starts[next_start].0 == i {
            let (_, n, at) = starts[next_start];
            next_start += 1;
            drafts.push(Draft {
                number: n,
                section: section.clone(),
                line: l.number,
                texts: vec![&l.text[at..]],
                numbers: vec![l.number],
            });
            i += 1;
            continue;
        }
        if i > last_row {
            // After the last row: continuation lines until a blank line, page furniture or
            // a remark about the table (`注:…`).
            if l.text.trim().is_empty()
                || super::layout::is_page_furniture(l.text)
                || super::layout::is_note_line(l.text)
            {
                report_footer(&lines[i..], unplaced);
                break;
            }
        }
        if l.text.trim().is_empty() || is_header(l.text) {
            i += 1;
            continue;
        }
        if let Some(h) = section_heading(l.text) {
            section = Some(h);
            i += 1;
            continue;
        }
        if super::layout::is_page_furniture(l.text) {
            // Page furniture between rows (a link, an editor's name, a page's source line)
            // is no progress, and no report text either: left out as before and after the
            // table.
            i += 1;
            continue;
        }
        if let Some(d) = drafts.last_mut() {
            d.texts.push(l.text);
            d.numbers.push(l.number);
        }
        i += 1;
    }
    drafts
}

/// Lines after the table: page furniture is ignored, anything that reads like report text is
/// reported so it is not lost silently.
fn report_footer(lines: &[SourceLine<'_>], unplaced: &mut Vec<Unplaced>) {
    for l in lines {
        if l.text.trim().is_empty() || is_furniture(l.text) {
            continue;
        }
        unplaced.push(Unplaced {
            line: l.number,
            text: l.text.to_string(),
            reason: crate::lang::t(
                "表格最后一行之后、与之分开的文字，不属于任何任务",
                "text after the table's last row, separated from it; not part of any task",
            )
            .into(),
        });
    }
}

// ---------------------------------------------------------------------------------------
// Units at the end of a line.

fn is_han(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}')
}

/// Byte offset just after the last full stop (and closing quotes) of a line, or 0 if none.
fn after_last_stop(text: &str) -> usize {
    let mut end = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if matches!(c, '。' | '!' | '?' | '\u{ff01}' | '\u{ff1f}') {
            end = i + c.len_utf8();
            while let Some(&(j, q)) = chars.peek() {
                if matches!(q, '”' | '’' | '」' | '』' | ')' | '\u{ff09}') {
                    end = j + q.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
        }
    }
    end
}

/// Where a line's unit text may start: after its last full stop; when the line ends with a
/// full stop (`…运行平稳。市财政局、市卫生健康委。`), after the one before it.
fn units_start(text: &str) -> Option<usize> {
    let start = after_last_stop(text);
    if !text[start..].trim().is_empty() {
        return Some(start);
    }
    let body = text.trim_end().strip_suffix('。')?;
    let start = after_last_stop(body);
    (!body[start..].trim().is_empty()).then_some(start)
}

/// Unit names after a line's last sentence, if that is all the rest of the line holds (with
/// the text of the columns after the units, when the header has such columns).
fn units_after_last_sentence(
    text: &str,
    vocab: &Vocabulary,
    shape: &Shape,
) -> Option<(usize, units::SplitUnits, String)> {
    let start = units_start(text)?;
    units_in_tail(&text[start..], vocab, shape).map(|(split, trailer)| (start, split, trailer))
}

/// No deadline, leader's name or short remark after the units is longer than this; bounding
/// it keeps the search for where the units end linear in the line's length.
const MAX_TRAILER_CHARS: usize = 40;

/// The tail of a line read as unit names, then (when the header has columns after the units)
/// the text of those columns. Where the units end is not marked, so ends within the last
/// [`MAX_TRAILER_CHARS`] characters are tried, longest units first. The longest that reads as
/// units is taken, unless it is unsure (what follows reads as no time and its last name is
/// unknown) and an end at most [`OVERREACH_CHARS`] characters shorter is sure: a name can
/// swallow a character or two of the next column (`市住建局办` + `结`), not a whole name.
fn units_in_tail(
    tail: &str,
    vocab: &Vocabulary,
    shape: &Shape,
) -> Option<(units::SplitUnits, String)> {
    if shape.trailing.is_empty() {
        return units_text(tail, vocab).map(|s| (s, String::new()));
    }
    let ends = tail
        .char_indices()
        .rev()
        .take(MAX_TRAILER_CHARS)
        .map(|(i, _)| i);
    let mut longest = None;
    let mut tried_after = 0;
    for end in std::iter::once(tail.len()).chain(ends) {
        if longest.is_some() {
            tried_after += 1;
            if tried_after > OVERREACH_CHARS {
                break;
            }
        }
        let trailer = tail[end..].trim();
        if end == 0 || !may_start_trailer(trailer) {
            continue;
        }
        let Some(split) = units_text(&tail[..end], vocab) else {
            continue;
        };
        let last_known = split
            .co
            .last()
            .or(split.lead.last())
            .is_some_and(|n| vocab.knows(n));
        if trailer.is_empty() || last_known || reads_as_time(trailer) {
            return Some((split, trailer.to_string()));
        }
        longest.get_or_insert((split, trailer.to_string()));
    }
    longest
}

/// How many characters of the next column a unit name may seem to swallow.
const OVERREACH_CHARS: usize = 2;

/// Whether text can begin the column after the units: not a separator, the rest of a list
/// (`、市财政局`), a unit name, or the `等` / duty phrase that closes a units list
/// (`按职责分工负责`), which would mean the units were cut in the middle.
fn may_start_trailer(trailer: &str) -> bool {
    static LIST_END: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let list_end = super::layout::compiled(
        &LIST_END,
        r"^(?:[、,\x{FF0C};\x{FF1B})\x{FF09}]|等|按照?职责|分工|共同|积极|密切|协同|牵头|配合|负责|落实|参与|协助|协办)",
    );
    !list_end.is_match(trailer) && !units::looks_like_unit(trailer)
}

/// A deadline's wording: a date (`2022年12月底`, `12月`, `年底前`), or a standing
/// commitment (`持续推进`, `长期坚持`, `常态化`).
fn reads_as_time(text: &str) -> bool {
    static TIME: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let time = super::layout::compiled(
        &TIME,
        r"^(?:[0-9\x{FF10}-\x{FF19}]|[一二三四五六七八九十]+月|[上下]半年|全年|年底|年内|今年|明年|本年|当年|每|持续|长期|常态|逐年|逐步|分阶段|按|\d{4})|(?:年|月|底|前|日|旬|季度|期间|以前)$",
    );
    time.is_match(text)
}

/// Unit text as names: a closing `等`, full stop or duty phrase (`按职责分工负责`) is no part of
/// the last name. A trailing space is kept: it says the row has no co units.
fn units_text(raw: &str, vocab: &Vocabulary) -> Option<units::SplitUnits> {
    let names = units::clean_name(raw)?;
    let kept = raw.trim_end();
    if kept.len() < raw.len() && kept.ends_with(names.as_str()) {
        return units::split_touching(&raw[kept.len() - names.len()..], vocab);
    }
    units::split_touching(&names, vocab)
}

/// Units glued to progress with no full stop (`…完成率64%市住建局各县(市)区政府`). Prose ends in
/// unit-like words too (`…积极对接市发改委`), so this is taken only when a known name starts
/// the units and either no Han character precedes them or the two columns visibly touch; a
/// row left without units is reported, which is better than units taken from its prose.
fn units_without_stop(
    text: &str,
    vocab: &Vocabulary,
    shape: &Shape,
) -> Option<(usize, units::SplitUnits, String)> {
    // Try each position where a known name could start, leftmost first, within the last
    // stretch of the line (no unit list is longer than this).
    let window_start = text.char_indices().rev().nth(400).map_or(0, |(i, _)| i);
    for (i, _) in text[window_start..].char_indices() {
        let at = window_start + i;
        let tail = &text[at..];
        if !vocab.knows_prefix_of(tail) {
            continue;
        }
        if let Some((split, trailer)) = units_in_tail(tail, vocab, shape) {
            let after_prose = text[..at].chars().next_back().is_some_and(is_han);
            if !after_prose || split.touched {
                return Some((at, split, trailer));
            }
        }
    }
    None
}

/// How far after a goal its units may run, in characters.
const MAX_UNITS_CHARS: usize = 200;

/// A first line read as goal, units, progress (the header puts progress after the units):
/// the goal ends at a sentence end, the units run from there as far as they read as unit
/// names, the progress follows. Returns the goal's end, the units' end and the units. The
/// first sentence end followed by units wins; of the units, the longest run that reads as
/// names and is not followed by the rest of a list.
fn units_after_goal(text: &str, vocab: &Vocabulary) -> Option<(usize, usize, units::SplitUnits)> {
    let stops = text
        .char_indices()
        .filter(|(_, c)| matches!(c, '。' | '；' | ';'))
        .map(|(i, c)| i + c.len_utf8())
        .take(MAX_GOAL_SENTENCES);
    for stop in stops {
        // A closing quote belongs to the goal.
        let start = stop
            + text[stop..]
                .chars()
                .take_while(|c| matches!(c, '”' | '’' | '」' | '）' | ')'))
                .map(char::len_utf8)
                .sum::<usize>();
        let tail = &text[start..];
        if !vocab.knows_prefix_of(tail) && !units::looks_like_unit_start(tail) {
            continue;
        }
        let ends: Vec<usize> = tail
            .char_indices()
            .take(MAX_UNITS_CHARS)
            .map(|(i, c)| i + c.len_utf8())
            .collect();
        for &end in ends.iter().rev() {
            let after = &tail[end..];
            if after.starts_with(['、', ',', '，', '（', '(']) {
                continue;
            }
            if let Some(split) = units::split_touching(&tail[..end], vocab) {
                return Some((start, start + end, split));
            }
        }
    }
    None
}

/// At most this many sentences are tried as the goal.
const MAX_GOAL_SENTENCES: usize = 4;

/// Which line carries the row's units: the first line if its last sentence is followed by
/// unit names, else the last line that is, else (no full stop) a known name at a line's end.
fn find_units(d: &Draft<'_>, vocab: &Vocabulary, shape: &Shape) -> Option<UnitsAt> {
    let at = |text: usize, (start, split, trailer): (usize, units::SplitUnits, String)| UnitsAt {
        text,
        start,
        split,
        trailer,
    };
    if let Some(found) = units_after_last_sentence(d.texts[0], vocab, shape) {
        return Some(at(0, found));
    }
    for (i, t) in d.texts.iter().enumerate().skip(1).rev() {
        if let Some(found) = units_after_last_sentence(t, vocab, shape) {
            return Some(at(i, found));
        }
    }
    let last = d.texts.len() - 1;
    [0, last]
        .into_iter()
        .find_map(|i| units_without_stop(d.texts[i], vocab, shape).map(|f| at(i, f)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<SourceLine<'_>> {
        crate::import::source_lines(text)
    }

    fn units(row: &RawRow) -> (Vec<String>, Vec<String>) {
        match &row.units {
            RawUnits::Split { lead, co } => (lead.clone(), co.clone()),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn progress_after_the_units_when_the_header_says_so() {
        let text = "序号重点工作任务牵头单位配合单位推进情况\n\
            1、推进“智造”三年行动，规上工业增加值增长8.5%。市工业和信息化局市发展改革委、各区县（市）人民政府1-9月，规上工业增加值增长8.1%。\n\
            2、加快高铁建设。市发展改革委、市交通运输局鼎城区人民政府站前工程已全部完工。\n\
            2.站前广场完成投资4.6亿元。\n";
        let p = parse(&lines(text));
        assert_eq!(p.rows.len(), 2, "{:?}", p.unplaced);
        assert_eq!(
            p.rows[0].goal,
            "推进“智造”三年行动，规上工业增加值增长8.5%。"
        );
        assert_eq!(p.rows[0].progress, ["1-9月，规上工业增加值增长8.1%。"]);
        assert_eq!(
            units(&p.rows[0]),
            (
                vec!["市工业和信息化局".into()],
                vec!["市发展改革委".into(), "各区县（市）人民政府".into()]
            )
        );
        assert_eq!(
            p.rows[1].progress,
            ["站前工程已全部完工。", "2.站前广场完成投资4.6亿元。"]
        );
        assert_eq!(
            units(&p.rows[1]),
            (
                vec!["市发展改革委".into(), "市交通运输局".into()],
                vec!["鼎城区人民政府".into()]
            )
        );
    }

    #[test]
    fn rows_continuations_and_sub_items() {
        let text = "序号目标与任务工作进展牵头责任单位责任单位\n\
            1.\u{a0}推进医养康养结合。1.落实国家、省文件。市卫健委、市民政局各县(市)区政府\n\
            2.全面放开养老服务市场。上半年共备案5家养老机构。\n\
            2.\u{a0}完善公墓建设。各县(市)区公墓已完成选址。市民政局各县(市)区政府\n";
        let p = parse(&lines(text));
        assert_eq!(p.rows.len(), 2);
        assert_eq!(p.rows[0].number, Some(1));
        assert_eq!(p.rows[0].line, 2);
        assert_eq!(p.rows[0].goal, "推进医养康养结合。");
        assert_eq!(
            p.rows[0].progress,
            [
                "1.落实国家、省文件。",
                "2.全面放开养老服务市场。上半年共备案5家养老机构。"
            ]
        );
        assert_eq!(
            units(&p.rows[0]),
            (
                vec!["市卫健委".into(), "市民政局".into()],
                vec!["各县(市)区政府".into()]
            )
        );
        assert_eq!(p.rows[1].number, Some(2));
        assert!(p.unplaced.is_empty(), "{:?}", p.unplaced);
    }

    #[test]
    fn units_may_end_the_last_line() {
        let text = "1.\u{a0}推进撤县设区。报送论证报告。\n向省民政厅报送评估报告。市民政局繁昌县、芜湖县、南陵县政府\n";
        let p = parse(&lines(text));
        assert_eq!(
            p.rows[0].progress,
            ["报送论证报告。", "向省民政厅报送评估报告。"]
        );
        let (lead, co) = units(&p.rows[0]);
        assert_eq!(lead, ["市民政局"]);
        assert_eq!(co, ["繁昌县", "芜湖县", "南陵县政府"]);
    }

    #[test]
    fn units_glued_to_progress_without_a_full_stop() {
        let text = "1.\u{a0}推进XX。完成率64%市住建局各县(市)区政府\n";
        let p = parse(&lines(text));
        assert_eq!(p.rows[0].progress, ["完成率64%"]);
        assert_eq!(
            units(&p.rows[0]),
            (vec!["市住建局".into()], vec!["各县(市)区政府".into()])
        );
    }

    #[test]
    fn footer_is_not_swallowed_and_stray_text_is_reported() {
        let text = "序号目标与任务工作进展牵头责任单位责任单位\n\
            1.\u{a0}推进撤县设区。已报送论证报告。市民政局 \n\
            \n\
            免责声明:凡注明来源的所有文字图片等资料,版权均属本站所有。\n\
            房天下APP优惠多,速度快\n\
            发布已输入0/200\n\
            这是一段很长的正文段落,它不像网页的装饰文字,应当被报告出来而不是被悄悄丢掉,因为它可能是表格的一部分。\n";
        let p = parse(&lines(text));
        assert_eq!(p.rows.len(), 1);
        assert_eq!(p.rows[0].progress, ["已报送论证报告。"]);
        assert_eq!(p.unplaced.len(), 1, "{:?}", p.unplaced);
        assert_eq!(p.unplaced[0].line, 7);
    }

    #[test]
    fn words_that_also_mark_web_pages_are_fine_in_progress() {
        let text = "1.\u{a0}推进撤县设区。已报送论证报告。市民政局 \n完成安徽人社APP社保业务上线测试工作,加强版权保护。\n";
        let p = parse(&lines(text));
        assert_eq!(p.rows[0].progress.len(), 2);
        assert!(p.unplaced.is_empty());
    }

    #[test]
    fn boilerplate_right_after_the_last_row_ends_the_table() {
        let text = "1.\u{a0}推进撤县设区。已报送论证报告。市民政局 \n免责声明:凡注明来源的所有文字图片等资料,版权均属本站所有。\n";
        let p = parse(&lines(text));
        assert_eq!(p.rows[0].progress, ["已报送论证报告。"]);
    }

    #[test]
    fn works_without_a_header_and_keeps_sections() {
        let text = "一、生态环境\n1.\u{a0}推进撤县设区。已报送论证报告。市民政局 \n二、民生\n2.\u{a0}完善公墓建设。已完成选址。市民政局各县(市)区政府\n";
        let p = parse(&lines(text));
        assert_eq!(p.rows.len(), 2);
        assert_eq!(p.rows[0].section.as_deref(), Some("一、生态环境"));
        assert_eq!(p.rows[1].section.as_deref(), Some("二、民生"));
        assert_eq!(p.rows[0].progress, ["已报送论证报告。"]);
    }

    #[test]
    fn ordinary_spaces_count_only_in_sequence_when_no_row_uses_a_no_break_space() {
        let text = "1. 推进撤县设区。已报送论证报告。市民政局 \n3. 这是子项,不是第3行。\n2. 完善公墓建设。已完成选址。市民政局各县(市)区政府\n";
        let p = parse(&lines(text));
        assert_eq!(p.rows.len(), 2);
        assert_eq!(p.rows[0].progress.len(), 2);
        assert_eq!(p.rows[1].number, Some(2));
    }

    #[test]
    fn page_furniture_between_rows_is_neither_progress_nor_reported() {
        let text = "1.\u{a0}推进撤县设区。已报送论证报告。市民政局 \n责任编辑:张三\n2.\u{a0}完善公墓建设。已完成选址。市民政局各县(市)区政府\n";
        let p = parse(&lines(text));
        assert_eq!(p.rows[0].progress, ["已报送论证报告。"]);
        assert_eq!(p.rows.len(), 2);
        assert!(p.unplaced.is_empty(), "{:?}", p.unplaced);
    }

    #[test]
    fn progress_ending_in_a_unit_like_word_stays_progress() {
        // The continuation ends in `市发改委` without a full stop; the units are on line 1.
        let text =
            "1.\u{a0}推进撤县设区。已报送论证报告。市民政局各县(市)区政府\n方案已报送市发改委\n";
        let p = parse(&lines(text));
        assert_eq!(
            p.rows[0].progress,
            ["已报送论证报告。", "方案已报送市发改委"]
        );
        assert_eq!(
            units(&p.rows[0]),
            (vec!["市民政局".into()], vec!["各县(市)区政府".into()])
        );
        // A tail that only ends like a unit is not one.
        let text = "1.\u{a0}推进撤县设区。已报送论证报告。积极对接市发改委\n";
        let p = parse(&lines(text));
        assert_eq!(units(&p.rows[0]).0, Vec::<String>::new());
    }

    #[test]
    fn a_row_without_units_is_reported() {
        let text =
            "1.\u{a0}推进撤县设区。已报送论证报告。市民政局 \n2.\u{a0}完善公墓建设。已完成选\n";
        let p = parse(&lines(text));
        assert_eq!(p.rows.len(), 2);
        assert_eq!(p.unplaced.len(), 1);
        assert_eq!(p.unplaced[0].line, 2);
        assert!(p.unplaced[0].reason.contains("任务 2"));
    }

    #[test]
    fn recognises_the_layout_without_its_header() {
        let text = "一些前言。\n1.\u{a0}推进撤县设区。已报送论证报告。市民政局 \n2.\u{a0}完善公墓建设。已完成选址。市民政局各县(市)区政府\n";
        assert!(recognises(&lines(text)));
        assert!(!recognises(&lines("1. 第一点。\n2. 第二点。\n")));
        assert!(!recognises(&lines("1.\u{a0}只是一段编号文字,没有单位。\n")));
    }

    #[test]
    fn text_between_header_and_first_row_is_reported() {
        let text = "序号目标与任务工作进展牵头责任单位责任单位\n说明:本表由各单位填报\n1.\u{a0}推进撤县设区。已报送。市民政局 \n";
        let p = parse(&lines(text));
        assert_eq!(p.unplaced.len(), 1);
        assert_eq!(p.unplaced[0].line, 2);
    }

    #[test]
    fn rows_numbered_from_1001_under_a_header_of_other_words() {
        let text = "序号重点工作任务推进情况牵头单位配合单位\n\
            1001. 新建公办幼儿园20所。已开工18所。市教育局各县(市)区政府\n\
            2020、2021年连续两年超额完成。\n\
            1002. 完成1.5万亩高标准农田建设。已完成招标。市农业农村局市财政局\n";
        let p = parse(&lines(text));
        assert_eq!(p.rows.len(), 2, "{:?}", p.rows);
        assert_eq!(p.rows[0].number, Some(1001));
        assert_eq!(p.rows[0].goal, "新建公办幼儿园20所。");
        assert_eq!(
            p.rows[0].progress,
            ["已开工18所。", "2020、2021年连续两年超额完成。"]
        );
        assert_eq!(p.rows[1].number, Some(1002));
        assert_eq!(
            units(&p.rows[1]),
            (vec!["市农业农村局".into()], vec!["市财政局".into()])
        );
    }

    fn single(row: &RawRow) -> (Vec<String>, Vec<String>) {
        units::resolve(&row.units)
    }

    #[test]
    fn units_closed_by_etc_a_full_stop_or_a_duty_phrase_are_units() {
        let text = "序号目标任务进展情况牵头单位责任单位\n\
            1. 推进港口建设。吞吐量增长8%。市交通运输局市发展改革委、市商务局、各县(区)政府等\n\
            2. 建设智慧医院。已完成招标。\n\
            2.上线预约系统,运行平稳。市卫生健康委市财政局、市医保局。\n\
            3. 新建养老机构5所。已开工3所。市民政局各县(区)政府按职责分工负责\n\
            4. 整治背街小巷。已完成40条。市城管局市住建局等。\n";
        let p = parse(&lines(text));
        assert!(p.unplaced.is_empty(), "{:?}", p.unplaced);
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(p.rows[0].progress, ["吞吐量增长8%。"]);
        assert_eq!(
            single(&p.rows[0]),
            (
                s(&["市交通运输局"]),
                s(&["市发展改革委", "市商务局", "各县(区)政府"])
            )
        );
        assert_eq!(
            p.rows[1].progress,
            ["已完成招标。", "2.上线预约系统,运行平稳。"]
        );
        assert_eq!(
            single(&p.rows[1]),
            (s(&["市卫生健康委"]), s(&["市财政局", "市医保局"]))
        );
        assert_eq!(single(&p.rows[2]), (s(&["市民政局"]), s(&["各县(区)政府"])));
        assert_eq!(p.rows[3].progress, ["已完成40条。"]);
        assert_eq!(single(&p.rows[3]), (s(&["市城管局"]), s(&["市住建局"])));
        assert!(p.rows.iter().all(|r| r.notes.is_empty()));
    }

    #[test]
    fn a_sentence_of_prose_ending_the_line_is_no_units() {
        // The line ends with a full stop, but the sentence before it is prose.
        let text = "1.\u{a0}推进撤县设区。已报送论证报告。\n方案已报送省民政厅。市民政局 \n";
        let p = parse(&lines(text));
        assert_eq!(
            p.rows[0].progress,
            ["已报送论证报告。", "方案已报送省民政厅。"]
        );
        assert_eq!(single(&p.rows[0]).0, ["市民政局"]);
    }

    #[test]
    fn a_deadline_column_after_a_single_units_column_becomes_a_note() {
        let text = "序号工作任务工作进展责任单位完成时限\n\
            1.\u{a0}建成物流园一期。主体已封顶。市商务局、港口集团、海门区政府2023年6月底\n\
            2.\u{a0}新增城镇就业6万人。1-9月新增4.8万人。市人社局,市财政局等12月\n\
            3.\u{a0}改造农贸市场20个。已完成12个。市市场监管局、各县(市)区政府配合持续推进\n\
            4.\u{a0}创建文明城市。测评指数全省第三。市文明办长期坚持\n\
            5.\u{a0}治理黑臭水体。已完成治理。市生态环境局 \n";
        let p = parse(&lines(text));
        assert!(p.unplaced.is_empty(), "{:?}", p.unplaced);
        let notes: Vec<&[String]> = p.rows.iter().map(|r| r.notes.as_slice()).collect();
        assert_eq!(
            notes,
            [
                &["完成时限:2023年6月底".to_string()][..],
                &["完成时限:12月".to_string()][..],
                &["完成时限:持续推进".to_string()][..],
                &["完成时限:长期坚持".to_string()][..],
                &[][..],
            ]
        );
        assert_eq!(p.rows[0].progress, ["主体已封顶。"]);
        // One 责任单位 column: the first-listed unit leads, whatever touches.
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            single(&p.rows[0]),
            (s(&["市商务局"]), s(&["港口集团", "海门区政府"]))
        );
        assert_eq!(single(&p.rows[1]), (s(&["市人社局"]), s(&["市财政局"])));
        assert_eq!(
            single(&p.rows[2]),
            (s(&["市市场监管局"]), s(&["各县(市)区政府"]))
        );
        assert_eq!(single(&p.rows[3]), (s(&["市文明办"]), vec![]));
        assert_eq!(single(&p.rows[4]), (s(&["市生态环境局"]), vec![]));
    }

    #[test]
    fn columns_after_lead_and_co_units_are_cut_off_too() {
        let text = "序号目标任务工作进展牵头单位配合单位完成时间责任领导\n\
            1.\u{a0}建设人才公寓。已开工2000套。市住建局市人社局、市财政局年底前王明\n";
        let p = parse(&lines(text));
        assert_eq!(p.rows[0].progress, ["已开工2000套。"]);
        assert_eq!(
            units(&p.rows[0]),
            (
                vec!["市住建局".into()],
                vec!["市人社局".into(), "市财政局".into()]
            )
        );
        assert_eq!(p.rows[0].notes, ["完成时间/责任领导:年底前王明"]);
    }

    #[test]
    fn a_remarks_column_is_kept_as_written() {
        let text = "序号目标任务进展情况牵头单位配合单位备注\n\
            1.\u{a0}实施技改项目50个。已开工31个。市工信局市财政局按职责分工负责纳入年度考核\n\
            2.\u{a0}建成口袋公园30个。已建成6个。市住建局 \n";
        let p = parse(&lines(text));
        assert_eq!(p.rows[0].notes, ["纳入年度考核"]);
        assert_eq!(
            units(&p.rows[0]),
            (vec!["市工信局".into()], vec!["市财政局".into()])
        );
        assert!(p.rows[1].notes.is_empty());
        assert_eq!(units(&p.rows[1]), (vec!["市住建局".into()], vec![]));
    }

    #[test]
    fn a_lead_column_alone_makes_every_unit_lead() {
        let text = "序号重点任务推进情况牵头单位\n\
            1.\u{a0}推进老旧小区改造。已开工80个。市住建局市城管局、各区政府\n";
        let p = parse(&lines(text));
        assert_eq!(
            units(&p.rows[0]),
            (
                vec!["市住建局".into(), "市城管局".into(), "各区政府".into()],
                vec![]
            )
        );
    }

    #[test]
    fn the_header_says_how_the_row_ends() {
        let shape = |h: &str| header_shape(h).expect(h);
        assert_eq!(
            shape("序号目标与任务工作进展牵头责任单位责任单位"),
            Shape::default()
        );
        let nantong = shape("序号工作任务工作进展责任单位完成时限");
        assert_eq!(nantong.units, UnitColumns::Single);
        assert_eq!(nantong.trailing, [("完成时限".to_string(), Column::Other)]);
        assert_eq!(
            shape("序号重点任务推进情况牵头单位").units,
            UnitColumns::LeadOnly
        );
        // Traditional characters are read, and kept as written in the note's header.
        let hk = shape("序號目標與任務工作進展牽頭責任單位責任單位備註");
        assert_eq!(hk.units, UnitColumns::LeadAndCo);
        // Progress after the units cannot be read in this layout: nothing is cut.
        assert!(shape("序号目标任务牵头单位配合单位进展情况")
            .trailing
            .is_empty());
        assert_eq!(header_shape("序号目标与任务工作进展牵头责任单位天气"), None);
    }

    #[test]
    fn a_deadline_after_units_glued_to_progress() {
        let text = "序号工作任务工作进展责任单位完成时限\n\
            1.\u{a0}推进XX。完成率64%市住建局各县(市)区政府2023年底\n";
        let p = parse(&lines(text));
        assert_eq!(p.rows[0].progress, ["完成率64%"]);
        assert_eq!(p.rows[0].notes, ["完成时限:2023年底"]);
        assert_eq!(
            single(&p.rows[0]),
            (
                vec!["市住建局".to_string()],
                vec!["各县(市)区政府".to_string()]
            )
        );
    }

    #[test]
    fn a_long_line_without_units_under_a_deadline_header_is_refused_quickly() {
        let mut text = String::from("序号工作任务工作进展责任单位完成时限\n1.\u{a0}推进。");
        for _ in 0..20_000 {
            text.push_str("市住建局各");
        }
        text.push('\n');
        // (Its speed is bounded by MAX_TOKEN_CHARS; a quadratic search would not finish.)
        let p = parse(&lines(&text));
        assert_eq!(p.rows.len(), 1);
    }

    #[test]
    fn row_marker_edge_cases() {
        assert_eq!(
            row_start("12.\u{a0}推进", true, None),
            Some((12, "12.\u{a0}".len()))
        );
        assert_eq!(row_start("2.全面放开", true, Some(2)), None);
        assert_eq!(row_start("2. 全面放开", true, Some(2)), None);
        assert_eq!(row_start("2. 全面放开", false, Some(2)), Some((2, 3)));
        assert_eq!(row_start("2. 全面放开", false, Some(5)), None);
        assert_eq!(row_start("3.\u{a0}", true, None), None);
        assert_eq!(
            row_start("12345.\u{a0}推进", true, None).map(|r| r.0),
            Some(12345)
        );
        assert_eq!(
            row_start("1001. 推进", false, None).map(|r| r.0),
            Some(1001)
        );
        assert_eq!(row_start("1234567890.\u{a0}x", true, None), None);
    }
}
