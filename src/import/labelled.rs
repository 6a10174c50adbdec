//! Parser for labelled paragraphs: `N.<task>` (or `N、`, `(N)`, or a `目标与任务:` label) then
//! `进展情况:` / `牵头责任单位:` / `协同责任单位:` paragraphs in any order, under section headings.
//! Label words come from the column vocabulary (`完成情况:`, `牵头单位:`, `配合单位:`…); a note
//! label (`备注:`, `完成时限:`, `责任领导:`) gives the task a note.

use super::layout::{
    self, clean_units, fold, is_footer, is_heading, is_units_line, label_at_start, Column,
};
use super::{Parsed, RawRow, RawUnits, SourceLine, Unplaced};

/// How far ahead a numbered line looks for its first label. Bounded so the parse stays linear.
const LOOKAHEAD: usize = 4;

/// A task being read.
struct Building {
    number: Option<u32>,
    line: usize,
    section: Option<String>,
    goal: String,
    progress: Vec<String>,
    lead: Vec<String>,
    co: Vec<String>,
    single: Vec<String>,
    /// Notes as (prefix, text): the prefix is `<label>:` for a column duban has no field for
    /// and empty for `备注`.
    notes: Vec<(String, String)>,
    /// Labels this task has had, so a second `进展情况:` means a new task has begun.
    seen: Vec<Column>,
}

impl Building {
    fn new(number: Option<u32>, line: usize, section: &Option<String>, goal: &str) -> Building {
        Building {
            number,
            line,
            section: section.clone(),
            goal: goal.trim().to_string(),
            progress: Vec::new(),
            lead: Vec::new(),
            co: Vec::new(),
            single: Vec::new(),
            notes: Vec::new(),
            seen: vec![Column::Goal],
        }
    }

    /// A label's role in this task: `责任单位:` is the co list beside a `牵头责任单位:` label,
    /// and the task's only (primary) list without one.
    fn role(&self, col: Column) -> Column {
        match col {
            Column::Units if self.seen.contains(&Column::Lead) => Column::Co,
            Column::Units => Column::Lead,
            c => c,
        }
    }

    /// Whether the task already has a label in `col`'s role.
    /// Whether the task already has a field of this column. Note columns (`存在问题`,
    /// `下步打算`, `责任领导`…) are many labels of one column, so they never say a new task
    /// has begun.
    fn has_role(&self, col: Column) -> bool {
        if col.is_note() {
            return false;
        }
        let r = self.role(col);
        self.seen.iter().any(|c| self.role(*c) == r)
    }

    fn has_units(&self) -> bool {
        self.seen.iter().any(|c| c.is_units())
    }

    /// Adds a labelled (or continuation) text to the column it belongs to.
    fn add(&mut self, col: Column, text: &str) {
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        match col {
            Column::Goal => self.goal.push_str(text),
            Column::Progress => self.progress.push(text.to_string()),
            Column::Lead => self.lead.push(clean_units(text)),
            Column::Co => self.co.push(clean_units(text)),
            Column::Units => self.single.push(clean_units(text)),
            // A note's continuation lines belong to the note its label opened.
            Column::Notes | Column::Other => match self.notes.last_mut() {
                Some((_, note)) => note.push_str(text),
                None => self.notes.push((String::new(), text.to_string())),
            },
            Column::Number | Column::Period | Column::Ignore => {}
        }
    }

    /// Opens a note for a note label (`备注:` / `完成时限:`), its text after the label.
    fn open_note(&mut self, col: Column, label: &str, text: &str) {
        let prefix = match col {
            Column::Other => format!("{label}:"),
            _ => String::new(),
        };
        self.notes.push((prefix, text.trim().to_string()));
    }

    fn finish(self) -> RawRow {
        let units = if self.lead.is_empty() && self.co.is_empty() {
            RawUnits::SingleColumn(self.single.join("、"))
        } else {
            // `责任单位:` beside a `牵头责任单位:` label is the co column.
            let mut co = self.co;
            co.extend(self.single);
            RawUnits::Columns {
                lead: self.lead.join("、"),
                co: co.join("、"),
            }
        };
        RawRow {
            notes: self
                .notes
                .into_iter()
                // `备注:无` says there is nothing to note.
                .filter(|(_, text)| !text.is_empty() && !layout::is_placeholder(text))
                .map(|(prefix, text)| format!("{prefix}{text}"))
                .collect(),
            number: self.number,
            section: self.section,
            line: self.line,
            goal: self.goal,
            progress: self.progress,
            units,
        }
    }
}

/// A note label after a separator (`牵头单位:市经信局 完成时限:2022年底`), its words from the
/// vocabulary's note roles.
fn inline_note_pattern() -> &'static regex::Regex {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| layout::label_after_separator(&[Column::Notes, Column::Other], 2))
}

/// Where further labels start inside a paragraph: units and progress labels
/// ([`layout::inline_labels`]) and note labels, in order.
fn inline_labels(text: &str) -> Vec<usize> {
    let mut at = layout::inline_labels(text);
    let folded = fold(text);
    for m in inline_note_pattern().find_iter(&folded) {
        // The separator stays with the text before the label.
        let sep_len = folded[m.start()..]
            .char_indices()
            .find(|(_, c)| {
                !(c.is_whitespace() || matches!(c, ';' | '\u{ff1b}' | ',' | '\u{ff0c}' | '。'))
            })
            .map_or(0, |(i, _)| i);
        if m.start() + sep_len > 0 {
            at.push(m.start() + sep_len);
        }
    }
    at.sort_unstable();
    at.dedup();
    at
}

/// The label as written at the start of `text` (`完成时限`), without brackets and colon.
fn label_name(text: &str) -> String {
    let Some((_, len, _)) = label_at_start(text) else {
        return String::new();
    };
    text.get(..len)
        .unwrap_or_default()
        .trim()
        .trim_end_matches([':', '\u{ff1a}'])
        .trim()
        .trim_matches(['【', '】', '[', ']'])
        .trim()
        .to_string()
}

/// A label that starts a task: only the long goal labels (`目标与任务:`, `工作任务:`), so a
/// progress paragraph that starts with `目标:` is not taken for a new task.
fn goal_label(text: &str) -> Option<&str> {
    match label_at_start(text) {
        Some((Column::Goal, len, rest))
            if text.get(..len).map_or(0, |s| s.trim().chars().count()) >= 5 =>
        {
            Some(rest)
        }
        _ => None,
    }
}

/// `序号:3`, `编号：12`: a record's number label with nothing else on its line.
fn numbered_record(text: &str) -> Option<u32> {
    let (name, value) = text.trim().split_once([':', '\u{ff1a}'])?;
    if layout::column_of(name) != Some(Column::Number) {
        return None;
    }
    super::columns::row_number(value)
}

/// The label a paragraph starts with, ignoring short goal labels (see [`goal_label`]).
fn label(text: &str) -> Option<(Column, &str)> {
    match label_at_start(text) {
        Some((Column::Goal, _, _)) => goal_label(text).map(|r| (Column::Goal, r)),
        Some((col, _, rest)) => Some((col, rest)),
        None => None,
    }
}

/// The first label within a few lines from `from`, before any other numbered line, heading or
/// footer (a task line is followed by its labels, a progress sub-item is not), and its index.
fn label_ahead(lines: &[SourceLine<'_>], from: usize) -> Option<(Column, usize)> {
    let mut looked = 0;
    for (k, l) in lines.iter().enumerate().skip(from) {
        let t = l.text.trim();
        if t.is_empty() {
            continue;
        }
        if let Some((col, _)) = label(t) {
            return Some((col, k));
        }
        looked += 1;
        if looked >= LOOKAHEAD
            || layout::number_prefix(t).is_some()
            || is_heading(t)
            || is_footer(t)
        {
            return None;
        }
    }
    None
}

/// The labels of the run of label paragraphs starting at `from` (units continuation lines
/// between them allowed), at most a few lines: the labels a task begins with.
fn label_run(lines: &[SourceLine<'_>], from: usize) -> Vec<Column> {
    let mut run = Vec::new();
    for l in lines
        .iter()
        .skip(from)
        .filter(|l| !l.text.trim().is_empty())
        .take(LOOKAHEAD * 2)
    {
        let t = l.text.trim();
        match label(t) {
            Some((c, _)) => run.push(c),
            None if !run.is_empty() && is_units_line(t) => {}
            None => break,
        }
    }
    run
}

/// The label of the next non-blank line from `from`, if it has one.
fn label_next(lines: &[SourceLine<'_>], from: usize) -> Option<Column> {
    lines
        .iter()
        .skip(from)
        .find(|l| !l.text.trim().is_empty())
        .and_then(|l| label(l.text.trim()).map(|(c, _)| c))
}

pub fn parse(lines: &[SourceLine<'_>]) -> Parsed {
    let mut out = Parsed::default();
    let mut sections = layout::Sections::default();
    let mut section: Option<String> = None;
    let mut current: Option<Building> = None;
    let mut target = Column::Goal;
    let mut expected: Option<u32> = None;
    let mut after_table = false;

    for (i, &line) in lines.iter().enumerate() {
        let t = line.text.trim();
        if t.is_empty() {
            continue;
        }
        let furniture = layout::is_page_furniture(t);
        if after_table {
            if !furniture {
                out.unplaced.push(unplaced(
                    line,
                    crate::lang::t("表格结束后的文字", "text after the end of the table"),
                ));
            }
            continue;
        }
        if is_footer(t) || furniture {
            if let Some(b) = current.take() {
                out.rows.push(b.finish());
            }
            if !out.rows.is_empty() {
                after_table = true;
                if !furniture {
                    out.unplaced.push(unplaced(
                        line,
                        crate::lang::t("表格结束后的文字", "text after the end of the table"),
                    ));
                }
            }
            continue;
        }
        // A remark under the tasks (`注:…`) is no task's text.
        if layout::is_note_line(t) && target != Column::Progress {
            if let Some(b) = current.take() {
                out.rows.push(b.finish());
            }
            out.unplaced.push(unplaced(
                line,
                crate::lang::t("关于表格的说明", "a remark about the table"),
            ));
            continue;
        }
        // `序号:3` (a record exported from an office system): a new task, with its number;
        // its goal label follows.
        if let Some(n) = numbered_record(t) {
            if let Some(b) = current.take() {
                out.rows.push(b.finish());
            }
            current = Some(Building::new(Some(n), line.number, &section, ""));
            target = Column::Goal;
            expected = Some(n.saturating_add(1));
            continue;
        }
        if let Some((col, rest)) = label(t) {
            // A goal label starts a task, unless the task just begun by its `序号:` has no
            // goal yet.
            let awaiting_goal = current.as_ref().is_some_and(|b| {
                b.goal.is_empty() && b.seen == [Column::Goal] && b.progress.is_empty()
            });
            if col == Column::Goal && !awaiting_goal {
                if let Some(b) = current.take() {
                    out.rows.push(b.finish());
                }
                current = Some(Building::new(None, line.number, &section, ""));
            }
            match current.as_mut() {
                Some(b) => target = add_labelled(b, col, &label_name(t), rest),
                None => out.unplaced.push(unplaced(
                    line,
                    crate::lang::t("第一项任务之前的标签", "a label before the first task"),
                )),
            }
            continue;
        }
        if let Some((n, rest)) = layout::number_prefix(t) {
            if starts_task(lines, i, n, rest, expected, current.as_ref(), target) {
                if let Some(b) = current.take() {
                    out.rows.push(b.finish());
                }
                // A goal label on the task's own line: `1.工作任务:建设…`.
                let rest = match label_at_start(rest) {
                    Some((Column::Goal, _, after)) => after,
                    _ => rest,
                };
                // Labels on the task's own line: `1.任务。牵头责任单位:市发改委`.
                let (goal, labels) = match inline_labels(rest).first().copied() {
                    Some(at) => (&rest[..at], Some(&rest[at..])),
                    None => (rest, None),
                };
                let mut b = Building::new(Some(n), line.number, &section, goal);
                target = Column::Goal;
                if let Some(labels) = labels {
                    if let Some((col, r)) = label(labels) {
                        target = add_labelled(&mut b, col, &label_name(labels), r);
                    }
                }
                current = Some(b);
                expected = Some(n.saturating_add(1));
                continue;
            }
        }
        // A heading-like line inside a task's progress that the task's own remaining labels
        // follow is a progress paragraph, not a section.
        let inside_progress = current.as_ref().is_some_and(|b| {
            target == Column::Progress
                && label_next(lines, i + 1).is_some()
                && !label_run(lines, i + 1).iter().any(|c| b.has_role(*c))
        });
        if is_heading(t) && !inside_progress {
            if let Some(b) = current.take() {
                out.rows.push(b.finish());
            }
            sections.enter(t);
            section = sections.current();
            expected = None;
            target = Column::Goal;
            continue;
        }
        let next = label_next(lines, i + 1);
        match current.as_mut() {
            Some(b) => {
                // An unnumbered task: a sentence followed by a label the task before it already
                // has; or, when tasks are unnumbered, a sentence among units followed by a label,
                // or followed by labels one of which the task before it has (`协同…` `牵头…`
                // after a task without `协同…`). In a numbered report such a sentence is not a
                // task: among units it is reported, in progress it is progress.
                let new_task = next.is_some_and(|c| {
                    b.has_role(c)
                        || (b.number.is_none()
                            && (target.is_units()
                                || label_run(lines, i + 1).iter().any(|c| b.has_role(*c))))
                });
                if new_task && !is_units_line(t) {
                    let done = std::mem::replace(b, Building::new(None, line.number, &section, t));
                    out.rows.push(done.finish());
                    target = Column::Goal;
                } else if target.is_units() && !is_units_line(t) {
                    out.unplaced.push(unplaced(
                        line,
                        crate::lang::t(
                            "任务单位中不是单位名称的文字",
                            "text among a task's units that is not a unit name",
                        ),
                    ));
                } else {
                    b.add(target, t);
                }
            }
            None => {
                if next.is_some_and(|c| c != Column::Goal) && !is_units_line(t) {
                    // An unnumbered task whose first label follows it.
                    current = Some(Building::new(None, line.number, &section, t));
                    target = Column::Goal;
                } else if !out.rows.is_empty() {
                    out.unplaced.push(unplaced(
                        line,
                        crate::lang::t(
                            "不是任务的标题下的文字",
                            "text under a heading that is not a task",
                        ),
                    ));
                }
                // Otherwise: the title and preamble before the table.
            }
        }
    }
    if let Some(b) = current.take() {
        out.rows.push(b.finish());
    }
    layout::renumber_restarts(&mut out);
    out
}

/// Adds a labelled paragraph (which may hold further labels: `牵头责任单位:X 协同责任单位:Y`)
/// and returns the column later continuation lines belong to.
fn add_labelled(b: &mut Building, col: Column, label: &str, rest: &str) -> Column {
    let mut col = col;
    let mut label = label.to_string();
    let mut from = 0usize;
    for at in inline_labels(rest) {
        if at < from {
            continue;
        }
        // Not a label after all (`label` disagrees): it stays in the text.
        if let Some((c, r)) = self::label(&rest[at..]) {
            add_text(b, col, &label, &rest[from..at]);
            col = c;
            label = label_name(&rest[at..]);
            from = rest.len() - r.len();
        }
    }
    add_text(b, col, &label, &rest[from..]);
    col
}

/// Adds the text after one label.
fn add_text(b: &mut Building, col: Column, label: &str, text: &str) {
    if matches!(col, Column::Notes | Column::Other) {
        b.open_note(col, label, text);
    } else {
        b.add(col, text);
    }
    note(b, col);
}

fn note(b: &mut Building, col: Column) {
    if !b.seen.contains(&col) {
        b.seen.push(col);
    }
}

/// Whether the numbered line at `i` starts a task (rather than being a progress sub-item
/// `1.` `2.`). Strong evidence: the labels after it include one the task before it already has.
/// Otherwise its number must continue the sequence, a label must follow it before any other
/// numbered line, and the task before it must not be in the middle of its progress.
fn starts_task(
    lines: &[SourceLine<'_>],
    i: usize,
    n: u32,
    rest: &str,
    expected: Option<u32>,
    current: Option<&Building>,
    target: Column,
) -> bool {
    let in_sequence = expected.is_none_or(|e| n >= e && n <= e.saturating_add(5));
    // The label that follows: on the line itself (`1.任务。牵头责任单位:…`) or below it.
    let inline = inline_labels(rest)
        .first()
        .and_then(|at| label(&rest[*at..]))
        .map(|(c, _)| (c, i));
    // Between unnumbered tasks a numbered line is a sub-item unless its label follows at once:
    // the line after it may be the next task's goal, which the lookahead would skip.
    let ahead = || match current {
        Some(b) if b.number.is_none() => label_next(lines, i + 1).map(|c| (c, i + 1)),
        _ => label_ahead(lines, i + 1),
    };
    let Some((next, at)) = inline.or_else(ahead) else {
        // A numbered line with no label after it is a task only when the task before it is
        // complete and it continues the numbering exactly.
        return current.is_some_and(|b| b.has_units() && target.is_units()) && expected == Some(n);
    };
    let Some(b) = current else {
        return true;
    };
    let run_from = if at == i { i + 1 } else { at };
    let repeats_a_label =
        b.has_role(next) || label_run(lines, run_from).iter().any(|c| b.has_role(*c));
    // Inside a task's progress a numbered line is a sub-item unless a label of that task
    // repeats; anywhere else a numbered line followed by labels is a new task.
    repeats_a_label || (in_sequence && target != Column::Progress)
}

fn unplaced(line: SourceLine<'_>, reason: &str) -> Unplaced {
    Unplaced {
        line: line.number,
        text: line.text.trim().to_string(),
        reason: reason.to_string(),
    }
}
