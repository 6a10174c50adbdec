//! Parser for reports that put each task's units in parentheses: in the task's paragraph
//! (`1.扎实打好污染防治攻坚战。(牵头责任单位:市生态环境局;责任单位:各县(市)区政府)`, then
//! optional progress paragraphs), or at the end of its last progress paragraph (the 通报 form:
//! `1.关于“<goal>”事项。` then progress paragraphs, the last ending in `(X牵头,Y配合)`).
//! Owns the parenthesis forms and the task/progress split.

use super::layout::{self, clean_units, fold, is_footer, is_heading, is_units_line, regex, Column};
use super::{Parsed, RawRow, RawUnits, SourceLine, Unplaced};

/// Units found in parentheses inside a paragraph: byte range of the group, and the units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UnitsParen {
    /// Byte offset of the opening parenthesis.
    pub open: usize,
    /// Byte offset just after the closing parenthesis.
    pub close_end: usize,
    pub units: RawUnits,
    /// A label or `牵头` says these are units; a bare list of names only looks like units.
    pub explicit: bool,
    /// Labels in the parenthesis that are no units (`完成时限:2020年12月底`, `责任领导:张三`):
    /// the task's notes, `<label>:<text>`.
    pub notes: Vec<String>,
}

/// The units parenthesis of a task paragraph. Explicit forms (`牵头责任单位:`, `X牵头`) count
/// anywhere in the paragraph; a bare list of unit names only at its very end, since `(芜湖)`
/// or `(市发改委)` inside a sentence is part of the sentence.
pub(crate) fn trailing_units(text: &str) -> Option<UnitsParen> {
    let t = text.trim_end();
    let end_of_body = t
        .trim_end_matches(['。', ';', '\u{ff1b}', '.', ',', '\u{ff0c}', ' ', '\u{3000}'])
        .len();
    let mut depth = 0usize;
    let mut open_at = 0usize;
    let mut found: Option<UnitsParen> = None;
    for (i, c) in t.char_indices() {
        match c {
            '(' | '\u{ff08}' => {
                if depth == 0 {
                    open_at = i;
                }
                depth += 1;
            }
            ')' | '\u{ff09}' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    let close_end = i + c.len_utf8();
                    let open_len = t[open_at..].chars().next().map_or(1, char::len_utf8);
                    let inner = &t[open_at + open_len..i];
                    let at_end = close_end >= end_of_body;
                    let (inner, notes) = note_labels(inner);
                    if let Some((units, explicit)) = parse_units(inner) {
                        if explicit || at_end {
                            // Keep the last explicit group: a task may cite a document in
                            // parentheses before its units.
                            found = Some(UnitsParen {
                                open: open_at,
                                close_end,
                                units,
                                explicit,
                                notes,
                            });
                        }
                    }
                }
            }
            _ => {}
        }
    }
    found
}

/// The inside of a parenthesis without its note labels (`;完成时限:2020年12月底`, from the
/// first such label on), and those notes as `<label>:<text>`.
fn note_labels(inner: &str) -> (&str, Vec<String>) {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| layout::label_after_separator(&[Column::Notes, Column::Other], 2));
    let folded = fold(inner);
    let Some(first) = re.find(&folded) else {
        return (inner, Vec::new());
    };
    let mut cuts: Vec<usize> = re.find_iter(&folded).map(|m| m.start()).collect();
    cuts.push(inner.len());
    let mut notes = Vec::new();
    for w in cuts.windows(2) {
        let part = inner[w[0]..w[1]]
            .trim_matches(|c: char| c.is_whitespace() || ",\u{ff0c};\u{ff1b}。".contains(c));
        if let Some((_, len, rest)) = layout::label_at_start(part) {
            let label: String = part[..len]
                .chars()
                .filter(|c| {
                    !matches!(c, ':' | '\u{ff1a}' | '【' | '】' | '[' | ']') && !c.is_whitespace()
                })
                .collect();
            let rest = rest.trim();
            if !rest.is_empty() {
                notes.push(format!("{label}:{rest}"));
            }
        }
    }
    (&inner[..first.start()], notes)
}

/// Reads the inside of a units parenthesis. The flag says the form was explicit (a label or
/// `牵头`), not just a list of names.
fn parse_units(inner: &str) -> Option<(RawUnits, bool)> {
    let inner = inner.trim();
    if inner.is_empty() || inner.chars().count() > 200 {
        return None;
    }
    if let Some(u) = labelled_form(inner) {
        return Some((u, true));
    }
    if let Some(u) = lead_form(inner) {
        return Some((u, true));
    }
    // `(市发改委、市财政局负责)`, `(各县(市)区政府按职责分工负责)`, `(市发改委)`.
    let list = strip_duty_words(inner);
    if !list.is_empty() && is_units_line(list) {
        let explicit = list.len() < inner.len();
        return Some((RawUnits::SingleColumn(clean_units(list)), explicit));
    }
    None
}

/// `牵头责任单位:X、Y;责任单位:Z` (labels may be `牵头单位` `配合单位` `协同责任单位`…).
fn labelled_form(inner: &str) -> Option<RawUnits> {
    let folded = fold(inner);
    let re = regex!(
        r"(牵头责任单位|牵头单位|牵头部门|协同责任单位|协同单位|配合单位|协办单位|参与单位|责任单位|责任部门)\s*[:\x{FF1A}]"
    );
    let marks: Vec<(usize, usize, Column)> = re
        .captures_iter(&folded)
        .filter_map(|c| {
            let whole = c.get(0)?;
            let col = layout::column_of(c.get(1)?.as_str())?;
            Some((whole.start(), whole.end(), col))
        })
        .collect();
    let first = marks.first()?;
    // Text before the first label would be lost: only accept the form when there is none.
    if !inner[..first.0]
        .trim_matches(|c: char| c.is_whitespace() || ",\u{ff0c};\u{ff1b}".contains(c))
        .is_empty()
    {
        return None;
    }
    let has_lead = marks.iter().any(|m| m.2 == Column::Lead);
    let (mut lead, mut co, mut single) = (Vec::new(), Vec::new(), Vec::new());
    for (k, m) in marks.iter().enumerate() {
        let end = marks.get(k + 1).map_or(inner.len(), |n| n.0);
        let text = inner[m.1..end]
            .trim_matches(|c: char| c.is_whitespace() || ",\u{ff0c};\u{ff1b}。".contains(c));
        let text = clean_units(strip_duty_words(text));
        if text.is_empty() {
            continue;
        }
        match m.2 {
            Column::Lead => lead.push(text),
            Column::Units if !has_lead => single.push(text),
            _ => co.push(text),
        }
    }
    if has_lead || !co.is_empty() {
        lead.extend(single);
        Some(RawUnits::Columns {
            lead: lead.join("、"),
            co: co.join("、"),
        })
    } else {
        Some(RawUnits::SingleColumn(single.join("、")))
    }
}

/// `X牵头,Y按职责分工负责` / `X牵头,Y配合落实` / `由X牵头负责` / `X牵头`.
fn lead_form(inner: &str) -> Option<RawUnits> {
    let folded = fold(inner);
    let at = folded.find("牵头")?;
    let lead_part = inner[..at].trim();
    let lead_part = lead_part.strip_prefix('由').unwrap_or(lead_part).trim();
    let lead_part = lead_part.strip_suffix("为").unwrap_or(lead_part).trim();
    if lead_part.is_empty() || !is_units_line(lead_part) {
        return None;
    }
    let mut rest = &inner[at + "牵头".len()..];
    for w in ["负责", "单位", "部门"] {
        // Folding keeps byte offsets: `負責` is as long as `负责`.
        if fold(rest).starts_with(w) {
            rest = &rest[w.len()..];
        }
    }
    let rest =
        rest.trim_matches(|c: char| c.is_whitespace() || ",\u{ff0c};\u{ff1b}、。".contains(c));
    let co = strip_duty_words(rest);
    Some(RawUnits::Columns {
        lead: clean_units(lead_part),
        co: clean_units(co),
    })
}

/// Drops the duty phrase after a list of units: `按职责分工负责`, `配合落实`, `参与`…
fn strip_duty_words(text: &str) -> &str {
    let t = text
        .trim()
        .trim_end_matches(['。', ';', '\u{ff1b}', ',', '\u{ff0c}']);
    // Matched on the folded text (`按職責分工負責` too); folding keeps byte offsets.
    match regex!(r"(?:按照?职责分工|按照?职责|分工|共同|积极|密切|协同)*(?:配合|负责|落实|参与|协助|协办|推进|实施|完成)+$").find(&fold(t)) {
        Some(m) if m.start() > 0 => t[..m.start()].trim_end(),
        _ => t,
    }
}

/// A task number at the start of a task paragraph: `1.` `1、` `(1)` `1)` `一是` `(一)` `一、`.
fn task_number(text: &str) -> Option<(u32, &str)> {
    if let Some(p) = layout::number_prefix(text) {
        return Some(p);
    }
    let t = text.trim_start();
    let caps = regex!(r"^(?:([一二三四五六七八九十]{1,3})是|[(\x{FF08}]([一二三四五六七八九十]{1,3})[)\x{FF09}]|([一二三四五六七八九十]{1,3})[、.．])\s*").captures(t)?;
    let n = caps.get(1).or(caps.get(2)).or(caps.get(3))?;
    let rest = &t[caps.get(0)?.end()..];
    Some((layout::numeral(n.as_str())?, rest))
}

/// Adds the punctuation after a units parenthesis (`…工程(X牵头)。`) to the text before it,
/// unless that text already ends its sentence (`…工程。(X牵头)。`).
fn push_sentence_end(text: &mut String, punct: &str) {
    if !text.ends_with(['。', ';', '\u{ff1b}', '.', ',', '\u{ff0c}', '!', '\u{ff01}']) {
        text.push_str(punct);
    }
}

/// A progress paragraph without its `进展情况:` label.
fn progress_text(text: &str) -> &str {
    match layout::label_at_start(text) {
        Some((Column::Progress, _, rest)) => rest.trim(),
        _ => text.trim(),
    }
}

struct Task {
    number: Option<u32>,
    goal: String,
    progress: Option<String>,
    units: RawUnits,
    notes: Vec<String>,
}

/// A task paragraph: the number, the goal before the parenthesis (with the sentence end after
/// it), the units, and any text after the parenthesis as the first progress paragraph.
fn task_from(text: &str) -> Option<Task> {
    let paren = trailing_units(text)?;
    let t = text.trim_end();
    let before = &t[..paren.open];
    let after = &t[paren.close_end..];
    let (number, goal) = match task_number(before) {
        Some((n, rest)) => (Some(n), rest),
        None => (None, before.trim_start()),
    };
    let mut goal = goal.trim().to_string();
    let after_trim = after.trim();
    let punct_len = after_trim.len()
        - after_trim
            .trim_start_matches(['。', ';', '\u{ff1b}', '.', ',', '\u{ff0c}'])
            .len();
    push_sentence_end(&mut goal, &after_trim[..punct_len]);
    let rest = progress_text(&after_trim[punct_len..]);
    Some(Task {
        number,
        goal,
        progress: (!rest.is_empty()).then(|| rest.to_string()),
        units: paren.units,
        notes: paren.notes,
    })
}

/// An item of the 通报 form: `1.关于“<goal>”事项。`, `(一)关于「<goal>」事项`,
/// `3、关于"<goal>"的事项`, `关于推进…的事项`. The goal is the quoted text; what follows the
/// item's head on its line (progress, or the units) is `rest`.
struct About<'a> {
    number: Option<u32>,
    goal: String,
    rest: &'a str,
}

/// Whether a line is a 通报 item (`1.关于“…”事项。`, `3.【…】…`).
pub(crate) fn is_item(text: &str) -> bool {
    about_item(text).is_some_and(|a| a.number.is_some())
}

fn about_item(text: &str) -> Option<About<'_>> {
    let t = text.trim();
    let (number, body) = match task_number(t) {
        Some((n, rest)) => (Some(n), rest.trim_start()),
        None => (None, t),
    };
    // `3.【规模以上工业增加值增长9%】1-9月,…`: the goal in brackets, its progress after it.
    if number.is_some() {
        if let Some(inner_rest) = body.strip_prefix('【') {
            if let Some((goal, rest)) = inner_rest.split_once('】') {
                let goal = goal.trim();
                if goal.chars().count() >= 4 && layout::column_of(goal).is_none() {
                    return Some(About {
                        number,
                        goal: goal.to_string(),
                        rest,
                    });
                }
            }
        }
    }
    if !body.starts_with("关于") {
        return None;
    }
    // The closing quote is followed by `事项` (or `工作`/`任务`… ending the sentence), or ends
    // the sentence itself: `关于“十四五”规划…的通报` is a title, not an item.
    let quoted = regex!(
        r#"^关于\s*(?:“(.+?)”|「(.+?)」|"(.+?)"|『(.+?)』|＂(.+?)＂)\s*(?:的)?\s*(?:事项\s*[。.．;；,，]?|(?:工作|任务|问题|情况)?\s*(?:[。.．;；]|$))\s*"#
    );
    if let Some(c) = quoted.captures(body) {
        let goal = (1..=5).find_map(|k| c.get(k))?.as_str().trim().to_string();
        let end = c.get(0)?.end();
        return Some(About {
            number,
            goal,
            rest: body.get(end..)?,
        });
    }
    // A numbered item that names the matter and ends the line: `(一)关于优化营商环境的落实
    // 情况`. (Unnumbered, such a line is a document's title.)
    if number.is_some() {
        let report = regex!(
            r"^关于\s*(.{2,80}?)\s*的?(?:落实|推进|进展|完成|办理|实施|工作)情况\s*[。:：]?\s*$"
        );
        if let Some(c) = report.captures(body) {
            return Some(About {
                number,
                goal: c.get(1)?.as_str().trim().to_string(),
                rest: "",
            });
        }
    }
    // Unquoted: only the `…事项` form, so a sentence that starts with `关于` is left alone.
    let plain = regex!(r"^关于\s*(.{2,80}?)\s*(?:的)?事项\s*(?:[。.．;；]\s*|$)");
    let c = plain.captures(body)?;
    Some(About {
        number,
        goal: c.get(1)?.as_str().trim().to_string(),
        rest: body.get(c.get(0)?.end()..)?,
    })
}

/// A task being read, and where its units came from.
struct Current {
    row: RawRow,
    /// Units found: on the task's own line, or closing its last progress paragraph.
    has_units: bool,
    /// The units closed the task's last progress paragraph: the task is over, and text after
    /// it belongs to no task.
    closed_by_progress: bool,
}

impl Current {
    fn pending(number: Option<u32>, line: usize, section: &Option<String>, goal: &str) -> Current {
        Current {
            row: RawRow {
                notes: Vec::new(),
                number,
                section: section.clone(),
                line,
                goal: goal.trim().to_string(),
                progress: Vec::new(),
                units: RawUnits::SingleColumn(String::new()),
            },
            has_units: false,
            closed_by_progress: false,
        }
    }

    /// A paragraph that ends in the task's units: its text (if any) is the last progress
    /// paragraph, the parenthesis gives the units.
    fn close(&mut self, text: &str, paren: UnitsParen) {
        let t = text.trim_end();
        let before = t.get(..paren.open).unwrap_or_default().trim();
        let after = t.get(paren.close_end..).unwrap_or_default().trim();
        let punct_len = after.len()
            - after
                .trim_start_matches(['。', ';', '\u{ff1b}', '.', ',', '\u{ff0c}'])
                .len();
        let mut paragraph = progress_text(before).to_string();
        if !paragraph.is_empty() {
            push_sentence_end(&mut paragraph, &after[..punct_len]);
            self.row.progress.push(paragraph);
        }
        let extra = progress_text(&after[punct_len..]);
        if !extra.is_empty() {
            self.row.progress.push(extra.to_string());
        }
        self.row.units = paren.units;
        self.row.notes.extend(paren.notes);
        self.has_units = true;
        self.closed_by_progress = true;
    }
}

/// Ends the task being read. A task whose units never came is kept (its text is not lost) and
/// reported.
fn finish(current: Option<Current>, out: &mut Parsed) {
    let Some(c) = current else { return };
    if !c.has_units {
        out.unplaced.push(Unplaced {
            line: c.row.line,
            text: c.row.goal.clone(),
            reason: crate::lang::t(
                "此任务的括号中没有找到单位，已导入但没有单位",
                "no units in parentheses found for this task; it was kept without units",
            )
            .into(),
        });
    }
    out.rows.push(c.row);
}

/// How a paragraph's number is written: `1.`, `1、`, `(1)`, `1)`, `一是`, `(一)`, `一、`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MarkerStyle {
    Dot,
    Comma,
    Parens,
    CloseParen,
    Chinese,
}

fn marker_style(text: &str) -> Option<MarkerStyle> {
    let t = text.trim_start();
    task_number(t)?;
    let digits = t.chars().take_while(|c| c.is_ascii_digit()).count();
    Some(match t.chars().nth(digits) {
        _ if t.starts_with(['(', '\u{ff08}']) => MarkerStyle::Parens,
        _ if digits == 0 => MarkerStyle::Chinese,
        Some('、') => MarkerStyle::Comma,
        Some(')' | '\u{ff09}') => MarkerStyle::CloseParen,
        _ => MarkerStyle::Dot,
    })
}

/// How many paragraphs ahead [`closer_ahead`] looks. Bounded so the parse stays linear.
const CLOSER_LOOKAHEAD: usize = 20;

/// Whether the paragraphs from `from` go on to one that ends in units and is no task of its own
/// (unnumbered, or numbered in another style than the task line just before `from`), before any
/// heading, footer or `关于` item: the units that close the task begun just before `from`.
fn closer_ahead(lines: &[SourceLine<'_>], from: usize) -> bool {
    let task_style = from
        .checked_sub(1)
        .and_then(|k| lines.get(k))
        .and_then(|l| marker_style(l.text));
    for l in lines
        .iter()
        .skip(from)
        .filter(|l| !l.text.trim().is_empty())
        .take(CLOSER_LOOKAHEAD)
    {
        let t = l.text.trim();
        if is_footer(t) || about_item(t).is_some() {
            return false;
        }
        if trailing_units(t).is_some() {
            // A numbered paragraph in another numbering style (`(2)` under `1.`) is a
            // sub-item of the task's progress, not the next task.
            return task_number(t).is_none() || marker_style(t) != task_style;
        }
        if is_heading(t) {
            return false;
        }
    }
    false
}

/// Whether a numbered line without units may be the first line of a task paragraph broken over
/// several lines: it does not end its sentence, and it ends in a comma or is long (a line
/// wrapped by copying). A short title (`1.新增城镇就业6万人`) is a task whose units come after
/// its progress.
fn may_continue(t: &str) -> bool {
    let t = t.trim_end();
    if t.ends_with(['。', '!', '?', '\u{ff01}', '\u{ff1f}']) {
        return false;
    }
    t.ends_with([',', '\u{ff0c}', '、', ';', '\u{ff1b}']) || t.chars().count() >= 30
}

pub fn parse(lines: &[SourceLine<'_>]) -> Parsed {
    let mut out = Parsed::default();
    let mut sections = layout::Sections::default();
    let mut section: Option<String> = None;
    let mut current: Option<Current> = None;
    let mut expected: Option<u32> = None;
    // Just after a heading (or before the first task) a numbered line is most likely a task.
    let mut fresh_section = true;
    let mut after_table = false;
    // Some task's units closed its last progress paragraph: the document's form, which the
    // tasks after a heading follow too.
    let mut closing_seen = false;
    let mut i = 0usize;
    while i < lines.len() {
        let line = lines[i];
        i += 1;
        let t = line.text.trim();
        if t.is_empty() {
            continue;
        }
        if after_table {
            out.unplaced.push(unplaced(
                line,
                crate::lang::t("表格结束后的文字", "text after the end of the table"),
            ));
            continue;
        }
        if is_footer(t) {
            let had_rows = current.is_some() || !out.rows.is_empty();
            finish(current.take(), &mut out);
            if had_rows {
                after_table = true;
                out.unplaced.push(unplaced(
                    line,
                    crate::lang::t("表格结束后的文字", "text after the end of the table"),
                ));
            }
            continue;
        }
        // A `关于“…”事项` item always starts a task; its units are on its line or close its
        // last progress paragraph.
        if let Some(item) = about_item(t) {
            finish(current.take(), &mut out);
            let mut c = Current::pending(item.number, line.number, &section, &item.goal);
            match trailing_units(item.rest) {
                Some(p) => {
                    c.close(item.rest, p);
                    // Units on the item's own line: text after it is its progress.
                    c.closed_by_progress = false;
                }
                None => {
                    let rest = progress_text(item.rest);
                    if !rest.is_empty() {
                        c.row.progress.push(rest.to_string());
                    }
                }
            }
            expected = item.number.map(|n| n.saturating_add(1)).or(expected);
            fresh_section = false;
            current = Some(c);
            continue;
        }
        // Inside a task whose units have not come yet, every paragraph is progress (numbered
        // sub-items too) until one ends in the units.
        if let Some(c) = current.as_mut().filter(|c| !c.has_units) {
            // The units on a labelled line of their own, without parentheses
            // (`牵头单位:市教育局;责任单位:…`), close the item as a parenthesis would.
            if layout::label_at_start(t).is_some_and(|(col, _, _)| col.is_units()) {
                let (inner, notes) = note_labels(t);
                if let Some((units, _)) = parse_units(inner) {
                    c.row.units = units;
                    c.row.notes.extend(notes);
                    c.has_units = true;
                    c.closed_by_progress = true;
                    closing_seen = true;
                    continue;
                }
            }
            if let Some(p) = trailing_units(t) {
                // The units on a line of their own right under the task line are the task
                // line's: the paragraphs after them are its progress.
                let own_line = t.get(..p.open).is_some_and(|b| b.trim().is_empty());
                let under_task = own_line && c.row.progress.is_empty();
                c.close(t, p);
                if under_task {
                    c.closed_by_progress = false;
                } else {
                    closing_seen = true;
                }
                continue;
            }
            if !is_heading(t) || closer_ahead(lines, i) {
                let text = progress_text(t);
                if !text.is_empty() {
                    c.row.progress.push(text.to_string());
                }
                continue;
            }
        }
        // A task paragraph broken over a few lines: a numbered line without units whose
        // paragraph (no blank line, no other numbered line) ends in a units parenthesis.
        let mut joined: Option<(String, usize)> = None;
        if trailing_units(t).is_none() && !is_heading(t) && may_continue(t) {
            if let Some((n, _)) = task_number(t) {
                if expected == Some(n) || fresh_section {
                    joined = join_paragraph(lines, i - 1);
                }
            }
        }
        let paragraph = joined.as_ref().map_or(t, |(s, _)| s.as_str());
        if let Some(task) = task_from(paragraph) {
            if let Some((_, next)) = joined {
                i = next;
            }
            finish(current.take(), &mut out);
            expected = task.number.map(|n| n.saturating_add(1)).or(expected);
            fresh_section = false;
            current = Some(Current {
                row: RawRow {
                    number: task.number,
                    section: section.clone(),
                    line: line.number,
                    goal: task.goal,
                    progress: task.progress.into_iter().collect(),
                    units: task.units,
                    notes: task.notes,
                },
                has_units: true,
                closed_by_progress: false,
            });
            continue;
        }
        if is_heading(t) {
            finish(current.take(), &mut out);
            sections.enter(t);
            section = sections.current();
            expected = None;
            fresh_section = true;
            continue;
        }
        // A numbered line without units starts a task whose units close its last progress
        // paragraph: after such a task (or a heading in a document of such tasks), or first of
        // all when that closing paragraph follows. After a task with units on its own line it
        // is a progress sub-item.
        if let Some((n, rest)) = task_number(t) {
            let starts = match current.as_ref() {
                None => closing_seen || closer_ahead(lines, i),
                Some(c) => c.closed_by_progress,
            };
            if starts {
                finish(current.take(), &mut out);
                current = Some(Current::pending(Some(n), line.number, &section, rest));
                expected = Some(n.saturating_add(1));
                fresh_section = false;
                continue;
            }
        }
        let text = progress_text(t);
        match current.as_mut() {
            Some(c) if c.closed_by_progress => out.unplaced.push(unplaced(
                line,
                crate::lang::t(
                    "任务单位之后的文字（单位已结束该任务的最后一段）",
                    "text after a task's units, which closed its last paragraph",
                ),
            )),
            Some(c) => {
                if !text.is_empty() {
                    c.row.progress.push(text.to_string());
                }
            }
            // Before the first task: the document's title and preamble.
            None if out.rows.is_empty() => {}
            None => out.unplaced.push(unplaced(
                line,
                crate::lang::t(
                    "不是任务的标题下的文字（括号中没有单位）",
                    "text under a heading that is not a task (no units in parentheses)",
                ),
            )),
        }
    }
    finish(current.take(), &mut out);
    layout::renumber_restarts(&mut out);
    out
}

/// The paragraph starting at `start` joined up to the line that ends in a units parenthesis
/// (at most 4 lines), and the index after it.
fn join_paragraph(lines: &[SourceLine<'_>], start: usize) -> Option<(String, usize)> {
    let mut s = lines.get(start)?.text.trim().to_string();
    for (k, line) in lines.iter().enumerate().take(start + 5).skip(start + 1) {
        let t = line.text.trim();
        if t.is_empty() || task_number(t).is_some() || is_heading(t) || is_footer(t) {
            return None;
        }
        s.push_str(t);
        if trailing_units(t).is_some()
            || trailing_units(&s).is_some_and(|p| p.close_end > s.len() - t.len())
        {
            return Some((s, k + 1));
        }
    }
    None
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

    fn cols(u: &RawUnits) -> (String, String) {
        match u {
            RawUnits::Columns { lead, co } => (lead.clone(), co.clone()),
            RawUnits::SingleColumn(s) => (format!("single:{s}"), String::new()),
            RawUnits::Split { lead, co } => (lead.join("、"), co.join("、")),
        }
    }

    #[test]
    fn paren_forms() {
        let p = trailing_units("扎实打好污染防治攻坚战。(牵头责任单位:市生态环境局、市发改委;责任单位:各县(市)区政府、开发区管委会)").expect("units");
        assert_eq!(
            cols(&p.units),
            (
                "市生态环境局、市发改委".into(),
                "各县(市)区政府、开发区管委会".into()
            )
        );
        let p = trailing_units("加快创建无废城市(市生态环境局牵头,各县(市)区政府按职责分工负责)。")
            .expect("units");
        assert_eq!(
            cols(&p.units),
            ("市生态环境局".into(), "各县(市)区政府".into())
        );
        let p = trailing_units("推进河湖长制(市水务局牵头,市生态环境局、市农业农村局配合落实)")
            .expect("units");
        assert_eq!(
            cols(&p.units),
            ("市水务局".into(), "市生态环境局、市农业农村局".into())
        );
        let p = trailing_units("推进河湖长制(责任单位:市水务局、市林业局)").expect("units");
        assert_eq!(
            cols(&p.units),
            ("single:市水务局、市林业局".into(), String::new())
        );
        let p = trailing_units("推进河湖长制(由市水务局牵头负责)").expect("units");
        assert_eq!(cols(&p.units), ("市水务局".into(), String::new()));
        let p = trailing_units("做好防汛工作(各有关单位按职责分工负责)").expect("units");
        assert_eq!(cols(&p.units), ("single:各有关单位".into(), String::new()));
        assert!(trailing_units("打造美丽长江(芜湖)经济带").is_none());
        assert!(trailing_units("印发通知(芜政办秘〔2020〕4号)").is_none());
        assert!(trailing_units("推进“双随机一公开”(市发改委)执法检查").is_none());
    }

    #[test]
    fn about_items_give_the_quoted_goal() {
        let a = about_item("1.关于“全市生产总值增长7%以上”事项。").expect("item");
        assert_eq!(
            (a.number, a.goal.as_str(), a.rest),
            (Some(1), "全市生产总值增长7%以上", "")
        );
        let a = about_item("(一)关于「实施城区积水点治理」事项").expect("item");
        assert_eq!((a.number, a.goal.as_str()), (Some(1), "实施城区积水点治理"));
        let a = about_item("3、关于\"推进城市书房建设\"的事项").expect("item");
        assert_eq!((a.number, a.goal.as_str()), (Some(3), "推进城市书房建设"));
        let a = about_item("关于新增公共停车泊位的事项").expect("item");
        assert_eq!((a.number, a.goal.as_str()), (None, "新增公共停车泊位"));
        let a = about_item("2.关于“推进‘一网通办’改革”事项。已上线事项1200项。").expect("item");
        assert_eq!(a.goal, "推进‘一网通办’改革");
        assert_eq!(a.rest, "已上线事项1200项。");
        // A title or a sentence that starts with 关于 is no item.
        assert!(about_item("关于2022年上半年市政府重点工作任务落实情况的通报").is_none());
        assert!(about_item("关于推进城市更新,市住建局已印发方案。").is_none());
        assert!(about_item("关于“十四五”规划重点任务落实情况的通报").is_none());
        assert!(about_item("关于“放管服”工作,已取消审批事项12项。").is_none());
        assert!(about_item("关于2022年重点事项落实情况的通报").is_none());
        let a = about_item("4.关于“建设城市书房”工作。").expect("item");
        assert_eq!(a.goal, "建设城市书房");
        let a = about_item("(二)关于推进黄河流域生态保护的落实情况").expect("item");
        assert_eq!(
            (a.number, a.goal.as_str()),
            (Some(2), "推进黄河流域生态保护")
        );
        assert!(about_item("关于推进黄河流域生态保护的落实情况").is_none());
    }

    #[test]
    fn a_full_stop_on_both_sides_of_the_units_is_kept_once() {
        let t = task_from("3.加快创建无废城市。(市生态环境局牵头)。").expect("task");
        assert_eq!(t.goal, "加快创建无废城市。");
    }

    #[test]
    fn goal_keeps_its_sentence_end_and_text_after_becomes_progress() {
        let t = task_from("3.加快创建无废城市(市生态环境局牵头)。上半年已印发实施方案。")
            .expect("task");
        assert_eq!(t.number, Some(3));
        assert_eq!(t.goal, "加快创建无废城市。");
        assert_eq!(t.progress.as_deref(), Some("上半年已印发实施方案。"));
        let t = task_from("二是推进城乡教育一体化(市教育局牵头)").expect("task");
        assert_eq!(t.number, Some(2));
    }
}
