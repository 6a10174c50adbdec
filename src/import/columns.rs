//! The column-role step: a table's header row says what each column holds (by the words of
//! `data/columns.toml`), and every body row becomes a task row, a section heading, more
//! progress for the task above, or a line reported as not placed. Word, Excel, web pages,
//! CSV and pipe tables all come here once their cells are known, so they follow one set of
//! rules.

use super::headers::Column;
use super::layout::{self, header_column_of, is_heading, resolve_units_columns, Sections};
use super::table::{Cell, Document, Merged, Row, Table};
use super::{Parsed, RawRow, RawUnits, Unplaced};

/// What the tables of a document hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableReport {
    pub parsed: Parsed,
    /// Text that may name the report period, most telling first: the rows above each task
    /// table's header (a sheet's title rows), its caption, then the document's own text.
    pub title: Vec<String>,
    /// The period column's values (duban's own CSV has one), in row order.
    pub row_periods: Vec<String>,
}

/// How far down a table its header may start (title and filler rows above it).
const HEADER_SEARCH_ROWS: usize = 20;

/// A table's columns: the role of each grid position and its header as written.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Header {
    roles: Vec<Column>,
    names: Vec<String>,
    /// The (first) header row; the rows above it are the title.
    at: usize,
    /// The first body row.
    body: usize,
}

impl Header {
    fn width(&self) -> usize {
        self.roles.len()
    }
}

/// Reads every task table of a document. `continued` lets a table without a header carry on
/// the table before it when it has as many columns (Word and web tables split across
/// pages); spreadsheets pass false, since a sheet without a header is no continuation.
/// None when no table has a task header.
pub fn read(doc: &Document, continued: bool) -> Option<TableReport> {
    use std::borrow::Cow;
    // Each task table (a card read as a one-row table) with its header and its place among
    // the document's tables.
    let mut found: Vec<(usize, Cow<'_, Table>, Header)> = Vec::new();
    let mut last_width: Option<usize> = None;
    for (i, table) in doc.tables.iter().enumerate() {
        if let Some(h) = find_header(table) {
            last_width = Some(h.width());
            found.push((i, Cow::Borrowed(table), h));
            continue;
        }
        let width = table.rows.iter().map(|r| r.cells.len()).max().unwrap_or(0);
        match (continued, last_width, found.last()) {
            (true, Some(w), Some((_, _, prev))) if w == width && width > 0 => {
                let prev = Header {
                    at: 0,
                    body: 0,
                    ..prev.clone()
                };
                found.push((i, Cow::Borrowed(table), prev));
            }
            _ => {
                last_width = None;
                if let Some((card, h)) = card(table) {
                    found.push((i, Cow::Owned(card), h));
                }
            }
        }
    }
    if found.is_empty() {
        return None;
    }
    // A summary (汇总) beside the task table lists tasks too, but without their progress:
    // when some table reports progress, the ones that do not are summaries.
    if found
        .iter()
        .any(|(_, _, h)| h.roles.contains(&Column::Progress))
    {
        found.retain(|(_, _, h)| h.roles.contains(&Column::Progress));
    }
    let mut parts: Vec<Part> = Vec::with_capacity(found.len());
    let mut sections = Sections::default();
    for (_, table, header) in &found {
        let mut part = Part {
            name: table.name.clone(),
            report: TableReport::default(),
        };
        part.report.title.extend(title_rows(table, header.at));
        part.report.title.extend(table.caption.iter().cloned());
        for c in &table.caption {
            if is_heading(c) {
                sections.enter(c);
            }
        }
        read_body(table, header, &mut sections, &mut part.report);
        parts.push(part);
    }
    let parts = drop_summaries(parts);
    let (kept, versions) = latest_versions(parts);
    let mut out = TableReport::default();
    for part in kept {
        out.parsed.rows.extend(part.report.parsed.rows);
        out.parsed.unplaced.extend(part.report.parsed.unplaced);
        out.parsed.warnings.extend(part.report.parsed.warnings);
        out.title.extend(part.report.title);
        out.row_periods.extend(part.report.row_periods);
    }
    out.parsed.unplaced.extend(versions);
    out.title.extend(doc.text.iter().take(40).cloned());
    // After the document's own text: a cover sheet or another table (a table of
    // indicators, a contents) may carry the title the task table lacks.
    let used: std::collections::HashSet<usize> = found.iter().map(|(i, _, _)| *i).collect();
    for (_, t) in doc
        .tables
        .iter()
        .enumerate()
        .filter(|(i, _)| !used.contains(i))
    {
        out.title.extend(title_rows(t, 5));
    }
    layout::renumber_restarts(&mut out.parsed);
    Some(out)
}

/// A task written as a card (督办单): a table of label/value pairs, one pair or two per row
/// (`督办事项 | 推进…`, `牵头单位 | 市交通运输局 | 完成时限 | 12月底`), read as a one-row
/// table whose header is the labels. None unless the labels name a goal and units or
/// progress.
fn card(table: &Table) -> Option<(Table, Header)> {
    let mut labels = Vec::new();
    let mut values = Vec::new();
    for row in &table.rows {
        let own: Vec<&Cell> = row
            .cells
            .iter()
            .filter(|c| c.merged == Merged::No)
            .collect();
        for pair in own.chunks(2) {
            if let [label, value] = pair {
                if header_column_of(&label.joined("")).is_some() {
                    labels.push(Cell::text([label.joined("")]));
                    values.push((*value).clone());
                }
            }
        }
    }
    let card = Table {
        name: table.name.clone(),
        caption: table.caption.clone(),
        rows: vec![
            Row {
                at: table.rows.first().map_or(1, |r| r.at),
                cells: labels,
            },
            Row {
                at: table.rows.first().map_or(1, |r| r.at),
                cells: values,
            },
        ],
    };
    let header = find_header(&card)?;
    Some((card, header))
}

/// One task table as read.
struct Part {
    name: String,
    report: TableReport,
}

/// A goal that reads like a task: a few Chinese characters at least (a summary's goal
/// column holds counts or unit names).
fn task_like(goal: &str) -> bool {
    goal.chars()
        .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
        .count()
        >= 4
}

fn task_like_share(part: &Part) -> f32 {
    let rows = &part.report.parsed.rows;
    if rows.is_empty() {
        return 0.0;
    }
    rows.iter().filter(|r| task_like(&r.goal)).count() as f32 / rows.len() as f32
}

/// Tables whose rows mostly do not read like tasks (a summary that names its columns like a
/// task table) are left out when another table's rows do.
fn drop_summaries(parts: Vec<Part>) -> Vec<Part> {
    if parts.iter().any(|p| task_like_share(p) >= 0.5) {
        parts
            .into_iter()
            .filter(|p| task_like_share(p) >= 0.5)
            .collect()
    } else {
        parts
    }
}

/// A goal as compared between tables: letters and digits only.
fn goal_key(goal: &str) -> String {
    goal.chars().filter(|c| c.is_alphanumeric()).collect()
}

/// Tables that hold the same tasks (a workbook with a sheet per quarter) are versions of one
/// report: only the latest is imported — the one whose name or title names the latest
/// period, else the last — and each other one is reported in one line.
fn latest_versions(parts: Vec<Part>) -> (Vec<Part>, Vec<Unplaced>) {
    let keys: Vec<std::collections::HashSet<String>> = parts
        .iter()
        .map(|p| {
            p.report
                .parsed
                .rows
                .iter()
                .map(|r| goal_key(&r.goal))
                .collect()
        })
        .collect();
    let same_tasks = |a: usize, b: usize| {
        let smaller = keys[a].len().min(keys[b].len());
        smaller > 0 && keys[a].intersection(&keys[b]).count() * 2 >= smaller
    };
    let schedule = crate::suggest::Schedule::builtin();
    let elapsed = |p: &Part| {
        let mut lines = vec![p.name.as_str()];
        lines.extend(p.report.title.iter().map(String::as_str));
        super::period::from_title(lines.iter().copied())
            .and_then(|name| schedule.elapsed(&name))
            .unwrap_or(-1.0)
    };
    let mut superseded: Vec<Option<usize>> = vec![None; parts.len()];
    for a in 0..parts.len() {
        for b in a + 1..parts.len() {
            if superseded[a].is_some() || superseded[b].is_some() || !same_tasks(a, b) {
                continue;
            }
            if elapsed(&parts[a]) > elapsed(&parts[b]) {
                superseded[b] = Some(a);
            } else {
                superseded[a] = Some(b);
            }
        }
    }
    let mut kept = Vec::new();
    let mut notes = Vec::new();
    let names: Vec<String> = parts.iter().map(|p| p.name.clone()).collect();
    for (part, by) in parts.into_iter().zip(superseded) {
        match by {
            None => kept.push(part),
            Some(newer) => notes.push(Unplaced {
                line: part.report.parsed.rows.first().map_or(0, |r| r.line),
                text: crate::tr!(
                    "{}（{} 行）",
                    "{} ({} rows)",
                    part.name,
                    part.report.parsed.rows.len()
                ),
                reason: crate::tr!(
                    "与较新的 {} 是同一批任务：只导入了较新的那份",
                    "the same tasks as {}, which is newer: only that one was imported",
                    names[newer]
                ),
            }),
        }
    }
    (kept, notes)
}

/// The text of a table's first `rows` rows, one line each: the rows above its header (a
/// sheet's title and date lines), or a cover sheet's.
fn title_rows(table: &Table, rows: usize) -> Vec<String> {
    table
        .rows
        .iter()
        .take(rows)
        .map(|r| {
            r.cells
                .iter()
                .map(|c| c.joined(""))
                .collect::<Vec<_>>()
                .join(" ")
                .trim()
                .to_string()
        })
        .filter(|t| !t.is_empty())
        .collect()
}

/// The header's role for each position of a row, a merged cell's role spread over it.
fn roles_of(row: &Row) -> Vec<Option<Column>> {
    let mut roles: Vec<Option<Column>> = Vec::with_capacity(row.cells.len());
    for cell in &row.cells {
        let role = match cell.merged {
            Merged::Left => roles.last().copied().flatten(),
            _ => header_column_of(&cell.joined("")),
        };
        roles.push(role);
    }
    roles
}

/// Whether these cells name a task table's columns (a goal column and a units or progress
/// column).
pub fn names_columns<S: AsRef<str>>(cells: &[S]) -> bool {
    is_header(
        &cells
            .iter()
            .map(|c| header_column_of(c.as_ref()))
            .collect::<Vec<_>>(),
    )
}

fn is_header(roles: &[Option<Column>]) -> bool {
    let named: Vec<Column> = roles.iter().flatten().copied().collect();
    named.contains(&Column::Goal) && named.iter().any(|c| c.is_units() || *c == Column::Progress)
}

/// The first row (among the first few) whose cells name a goal column and a units or
/// progress column; a second header row under it (`责任单位` over `牵头单位 | 配合单位`)
/// refines the columns it names.
fn find_header(table: &Table) -> Option<Header> {
    let at = table
        .rows
        .iter()
        .take(HEADER_SEARCH_ROWS)
        .position(|r| is_header(&roles_of(r)))?;
    let row = &table.rows[at];
    let mut roles = roles_of(row);
    let mut names: Vec<String> = header_names(row);
    let mut body = at + 1;
    if let Some(next) = table.rows.get(at + 1) {
        let sub = roles_of(next);
        // It names units or progress columns, or every cell of its own names a column
        // (`任务内容` over `重点任务 | 具体目标`); and holds no text longer than a header's.
        let own: Vec<usize> = (0..next.cells.len())
            .filter(|i| next.cells[*i].merged == Merged::No && !next.cells[*i].is_empty())
            .collect();
        let all_named =
            !own.is_empty() && own.iter().all(|i| sub.get(*i).is_some_and(Option::is_some));
        let refines = (all_named
            || sub
                .iter()
                .flatten()
                .any(|c| c.is_units() || *c == Column::Progress))
            && !next.cells.iter().any(|c| c.joined("").chars().count() > 20);
        if refines {
            for (i, cell) in next.cells.iter().enumerate() {
                if let (Some(Some(role)), Merged::No) = (sub.get(i), cell.merged) {
                    if let Some(slot) = roles.get_mut(i) {
                        *slot = Some(*role);
                    }
                    if let Some(name) = names.get_mut(i) {
                        *name = cell.joined("");
                    }
                }
            }
            body = at + 2;
        }
    }
    let width = table
        .rows
        .iter()
        .map(|r| r.cells.len())
        .max()
        .unwrap_or(0)
        .max(roles.len());
    roles.resize(width, None);
    names.resize(width, String::new());
    // An empty header above a column of numbers is the 序号 column.
    if !roles.contains(&Some(Column::Number)) {
        let body_rows = &table.rows[body.min(table.rows.len())..];
        if let Some(i) = (0..width)
            .find(|i| roles[*i].is_none() && names[*i].trim().is_empty() && numbered(body_rows, *i))
        {
            roles[i] = Some(Column::Number);
        }
    }
    let mut roles: Vec<Column> = roles
        .into_iter()
        .map(|r| r.unwrap_or(Column::Other))
        .collect();
    // One column per field; the others are kept as notes. Of two goal columns (`重点工作`
    // merged down over its `具体任务`) the goal is the one with the most different texts;
    // of two progress columns (`推进情况`, `完成进度(%)`) the one with the most text.
    let body_rows = &table.rows[body.min(table.rows.len())..];
    keep_one(&mut roles, Column::Goal, |i| distinct_texts(body_rows, i));
    keep_one(&mut roles, Column::Progress, |i| text_length(body_rows, i));
    keep_one(&mut roles, Column::Number, |i| usize::MAX - i);
    keep_one(&mut roles, Column::Period, |i| usize::MAX - i);
    resolve_units_columns(&mut roles);
    Some(Header {
        roles,
        names,
        at,
        body,
    })
}

/// Keeps `role` on the one column that scores highest (the rightmost on a tie); the other
/// columns of that role become note columns.
fn keep_one(roles: &mut [Column], role: Column, score: impl Fn(usize) -> usize) {
    let best = (0..roles.len())
        .filter(|i| roles[*i] == role)
        .max_by_key(|i| (score(*i), *i));
    for (i, r) in roles.iter_mut().enumerate() {
        if *r == role && Some(i) != best {
            *r = Column::Other;
        }
    }
}

/// Whether most filled cells of a column are row numbers (section headings and the form's
/// signature lines, which often sit in the first column, aside).
fn numbered(rows: &[Row], col: usize) -> bool {
    let filled: Vec<String> = rows
        .iter()
        .filter_map(|r| r.cells.get(col))
        .filter(|c| c.merged == Merged::No && !c.is_empty())
        .map(|c| c.joined(""))
        .filter(|t| !is_heading(t) && !is_signature(t) && !is_note_line(t))
        .collect();
    filled.len() >= 2
        && filled.iter().filter(|t| row_number(t).is_some()).count() * 3 >= filled.len() * 2
}

/// How many different texts a column's own cells hold.
fn distinct_texts(rows: &[Row], col: usize) -> usize {
    let texts: std::collections::HashSet<String> = rows
        .iter()
        .filter_map(|r| r.cells.get(col))
        .filter(|c| c.merged == Merged::No && !c.is_empty())
        .map(|c| c.joined(""))
        .collect();
    texts.len()
}

/// How many characters a column's cells hold.
fn text_length(rows: &[Row], col: usize) -> usize {
    rows.iter()
        .filter_map(|r| r.cells.get(col))
        .flat_map(|c| &c.paragraphs)
        .map(|p| p.chars().count())
        .sum()
}

/// Each position's header text as written; a merged header cell names every position it
/// covers.
fn header_names(row: &Row) -> Vec<String> {
    let mut names: Vec<String> = Vec::with_capacity(row.cells.len());
    for cell in &row.cells {
        let name = match cell.merged {
            Merged::Left => names.last().cloned().unwrap_or_default(),
            _ => cell.joined(""),
        };
        names.push(name);
    }
    names
}

/// A body row's cells by column, with vertically merged cells filled from the cell above.
struct Grid {
    /// The text of the latest cell of each column that held its own text.
    above: Vec<Vec<String>>,
}

impl Grid {
    /// The paragraphs of each position of `row` (merged cells resolved), and which
    /// positions were covered from above.
    fn resolve(&mut self, row: &Row, width: usize) -> (Vec<Vec<String>>, Vec<bool>) {
        self.above.resize(width, Vec::new());
        let mut cells: Vec<Vec<String>> = Vec::with_capacity(width);
        let mut covered = Vec::with_capacity(width);
        for i in 0..width {
            let cell = row.cells.get(i).cloned().unwrap_or_else(Cell::default);
            match cell.merged {
                Merged::Above => {
                    cells.push(self.above[i].clone());
                    covered.push(true);
                }
                Merged::Left => {
                    // Covered by the cell to its left: nothing of its own, so a cell merged
                    // down below it has nothing to repeat either.
                    self.above[i] = Vec::new();
                    cells.push(Vec::new());
                    covered.push(false);
                }
                Merged::No => {
                    let paragraphs: Vec<String> = cell
                        .paragraphs
                        .into_iter()
                        .filter(|p| !layout::is_placeholder(p))
                        .collect();
                    self.above[i] = paragraphs.clone();
                    cells.push(paragraphs);
                    covered.push(false);
                }
            }
        }
        (cells, covered)
    }
}

/// Whether a goal ends where its sentence does (a goal cut by a page break does not).
fn sentence_ended(goal: &str) -> bool {
    goal.trim_end().ends_with([
        '。', '！', '？', '；', '.', '!', '?', ';', '”', '」', '）', ')',
    ])
}

/// `注:…`, `备注:…` in a row of its own: a remark about the table, not a heading of its
/// tasks.
fn is_note_line(text: &str) -> bool {
    let t = text.trim_start();
    layout::is_note_line(t) || t.starts_with("备注:") || t.starts_with("备注：")
}

/// `填报人:刘某某`, `联系电话:…`, `审核人:…`: the form's signature lines.
fn is_signature(text: &str) -> bool {
    let t = text.trim_start();
    [
        "填报人",
        "填表人",
        "制表人",
        "审核人",
        "联系人",
        "联系电话",
        "填报单位",
        "填报日期",
        "填报时间",
        "负责人:",
        "负责人：",
        "签发",
        "审核:",
        "审核：",
    ]
    .iter()
    .any(|p| t.starts_with(p))
}

/// `合计`, `小 计`, `总计`: the row sums the table up.
fn is_totals(text: &str) -> bool {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    matches!(
        t.as_str(),
        "合计" | "小计" | "总计" | "共计" | "累计" | "汇总"
    )
}

fn read_body(table: &Table, header: &Header, sections: &mut Sections, out: &mut TableReport) {
    let width = header.width();
    let mut grid = Grid { above: Vec::new() };
    // A section heading with no task under it yet: reported if the table ends there.
    let mut pending_heading: Option<(usize, String)> = None;
    let col = |role: Column| header.roles.iter().position(|r| *r == role);
    let number_col = col(Column::Number);
    let goal_col = col(Column::Goal);
    for row in table.rows.iter().skip(header.body) {
        let (cells, covered) = grid.resolve(row, width);
        let own: Vec<(usize, &Vec<String>)> = cells
            .iter()
            .enumerate()
            .filter(|(i, c)| !c.is_empty() && !covered[*i])
            .collect();
        if own.is_empty() {
            continue;
        }
        if is_repeated_header(&cells, header) {
            continue;
        }
        let own_text = || {
            own.iter()
                .map(|(_, p)| p.join(" "))
                .collect::<Vec<_>>()
                .join(" | ")
        };
        let report = |reason: &str| Unplaced {
            line: row.at,
            text: own_text(),
            reason: crate::tr!("{}：{reason}", "{}: {reason}", table.name),
        };
        // A web page's furniture copied with the table (`【打印本页】`, the ICP line).
        if own
            .iter()
            .all(|(_, p)| p.iter().all(|t| layout::is_page_furniture(t)))
        {
            continue;
        }
        if own
            .iter()
            .any(|(_, p)| p.first().is_some_and(|t| is_signature(t)))
        {
            out.parsed.unplaced.push(report(crate::lang::t(
                "署名或联系方式，不是任务",
                "a signature or contact line, not a task",
            )));
            continue;
        }
        // A row of its own under a task holding its progress (`进展情况:…`, or one cell
        // spanning the columns under a number merged down from the task): more of the task
        // above.
        let number_merged = number_col.is_some_and(|c| covered[c]);
        if let ([(at, paras)], Some(prev)) = (own.as_slice(), out.parsed.rows.last_mut()) {
            let spans = row
                .cells
                .get(at + 1)
                .is_some_and(|c| c.merged == Merged::Left);
            if let Some((Column::Progress, _, rest)) =
                paras.first().and_then(|p| layout::label_at_start(p))
            {
                let rest = rest.trim();
                if !rest.is_empty() {
                    prev.progress.push(rest.to_string());
                }
                prev.progress.extend(paras[1..].iter().cloned());
                continue;
            }
            if number_merged && spans {
                prev.progress.extend(paras.iter().cloned());
                continue;
            }
        }
        if let Some(heading) = section_of(row, &cells, &covered, header) {
            if is_note_line(&heading) {
                out.parsed.unplaced.push(report(crate::lang::t(
                    "表格中的说明",
                    "a note in the table",
                )));
            } else {
                sections.enter(&heading);
                pending_heading = Some((row.at, heading));
            }
            continue;
        }
        let number_text = number_col.map(|c| cells[c].join("")).unwrap_or_default();
        let number_covered = number_col.is_some_and(|c| covered[c]);
        let goal_text: String = goal_col.map(|c| cells[c].join("")).unwrap_or_default();
        let goal_covered = goal_col.is_some_and(|c| covered[c]);
        let fresh_goal = !goal_text.is_empty() && !goal_covered;
        let fresh_number = !number_text.trim().is_empty() && !number_covered;
        // More of the task above: no number and no goal of its own (a goal cell merged
        // down over it counts as none).
        if !fresh_goal && !fresh_number {
            // (A table split across pages may carry on the last task of the one before.)
            if let Some(prev) = out.parsed.rows.last_mut() {
                extend_task(prev, &cells, &covered, header);
                continue;
            }
        }
        // A row cut by a page break: its rest comes after the repeated header without a
        // number, carrying on a goal that has not ended (`…幼儿园30所,` + `新增学位3万个。`)
        // in a table whose tasks are numbered.
        if fresh_goal && !fresh_number && number_col.is_some() {
            if let Some(prev) = out.parsed.rows.last_mut() {
                if prev.number.is_some() && !prev.goal.is_empty() && !sentence_ended(&prev.goal) {
                    prev.goal.push_str(&goal_text);
                    extend_task(prev, &cells, &covered, header);
                    continue;
                }
            }
        }
        if is_totals(&number_text) || is_totals(&goal_text) {
            out.parsed.unplaced.push(report(crate::lang::t(
                "合计行，不是任务",
                "a totals row, not a task",
            )));
            continue;
        }
        let number = row_number(&number_text);
        if goal_text.trim().is_empty() {
            // A numbered row with progress or units but no goal is a task the office knows
            // by its number: imported, and the person importing is told to write its goal.
            let has_content = cells.iter().enumerate().any(|(i, c)| {
                !c.is_empty() && (header.roles[i].is_units() || header.roles[i] == Column::Progress)
            });
            match number {
                Some(n) if has_content => out.parsed.warnings.push(Unplaced {
                    line: row.at,
                    text: own_text(),
                    reason: crate::tr!(
                        "{}：任务 {n} 没有目标，已按空目标导入，可用 `duban goal {n} 目标` 补写",
                        "{}: task {n} has no goal; imported with an empty goal, write it with `duban goal {n} TEXT`",
                        table.name
                    ),
                }),
                _ => {
                    out.parsed.unplaced.push(report(crate::lang::t("没有目标的行", "a row without a goal")));
                    continue;
                }
            }
        }
        pending_heading = None;
        let (number, id_note) = match number {
            Some(n) => (Some(n), None),
            None if number_text.trim().is_empty() || number_covered => (None, None),
            None => (
                None,
                Some(format!(
                    "{}:{}",
                    header.names[number_col.unwrap_or(0)],
                    number_text.trim()
                )),
            ),
        };
        let mut raw = task_row(row.at, number, &cells, header, sections.current(), out);
        if let Some(n) = id_note {
            raw.notes.insert(0, n);
        }
        out.parsed.rows.push(raw);
    }
    if let Some((line, text)) = pending_heading {
        out.parsed.unplaced.push(Unplaced {
            line,
            text,
            reason: crate::tr!(
                "{}：表格最后一项任务之后的标题或说明",
                "{}: a heading or note after the last task of the table",
                table.name
            ),
        });
    }
}

/// A header row repeated in the body (Word repeats it on each page; split tables too).
fn is_repeated_header(cells: &[Vec<String>], header: &Header) -> bool {
    let mut same = 0;
    let mut named = 0;
    for (i, c) in cells.iter().enumerate() {
        let text = c.join("");
        if text.is_empty() {
            continue;
        }
        named += 1;
        if header.names.get(i).is_some_and(|n| *n == text) {
            same += 1;
        }
    }
    named >= 2 && same == named
}

/// The heading a row holds, if it is a section row: one cell spanning the table
/// (`一、生态环境`), a heading in a row with nothing else, or a Chinese numeral in the number
/// column beside a heading's text (`一` | `生态环境`).
fn section_of(
    row: &Row,
    cells: &[Vec<String>],
    covered: &[bool],
    header: &Header,
) -> Option<String> {
    let filled: Vec<usize> = (0..cells.len())
        .filter(|i| !cells[*i].is_empty() && !covered[*i])
        .collect();
    if covered.iter().any(|c| *c) {
        // A task sharing a merged units cell with the one above is a task.
        return None;
    }
    let texts: Vec<String> = filled.iter().map(|i| cells[*i].join("")).collect();
    match filled.as_slice() {
        [only] => {
            let text = &texts[0];
            let spans = row
                .cells
                .get(only + 1)
                .is_some_and(|c| c.merged == Merged::Left);
            let role = header.roles[*only];
            let short = text.chars().count() <= 40 && !text.contains('。');
            let numbered = row_number(text).is_some();
            if numbered {
                return None;
            }
            if spans || is_heading(text) || (short && matches!(role, Column::Number | Column::Goal))
            {
                return Some(text.clone());
            }
            None
        }
        [a, b] if header.roles[*a] == Column::Number && header.roles[*b] == Column::Goal => {
            let id = texts[0].trim();
            let is_chinese_id = regex_heading_id(id);
            (is_chinese_id && texts[1].chars().count() <= 40 && !texts[1].contains('。'))
                .then(|| join_heading(id, &texts[1]))
        }
        _ => None,
    }
}

/// `一`, `(一)`, `一、`, `第一部分`: the id of a section, not of a task.
fn regex_heading_id(id: &str) -> bool {
    let t = id.trim_end_matches(['、', '.', '．']);
    let inner = t
        .trim_start_matches(['(', '\u{ff08}'])
        .trim_end_matches([')', '\u{ff09}']);
    !inner.is_empty() && inner.chars().all(|c| "一二三四五六七八九十百".contains(c))
        || (t.starts_with('第') && t.chars().count() <= 6)
}

/// `一` + `确保完成…` → `一、确保完成…`; `(一)` + `…` → `(一)…`.
fn join_heading(id: &str, text: &str) -> String {
    if is_heading(text) {
        text.to_string()
    } else if id.ends_with(['、', ')', '\u{ff09}', '.', '．']) {
        format!("{id}{text}")
    } else {
        format!("{id}、{text}")
    }
}

/// A task number in a number cell: `12`, `12.`, `(12)`, `12、`, `第12项`, of any size.
/// Chinese numerals number sections, so they are not task numbers.
pub(crate) fn row_number(cell: &str) -> Option<u32> {
    let t = cell.trim();
    let t = t.strip_prefix('第').unwrap_or(t);
    let t = t
        .trim_end_matches(['.', '．', '、', ')', '\u{ff09}', '项', '条'])
        .trim_start_matches(['(', '\u{ff08}'])
        .trim();
    if t.is_empty() || t.len() > 9 || !t.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    t.parse().ok().filter(|n| *n > 0)
}

/// A task from a body row.
fn task_row(
    at: usize,
    number: Option<u32>,
    cells: &[Vec<String>],
    header: &Header,
    section: Option<String>,
    out: &mut TableReport,
) -> RawRow {
    let mut row = RawRow {
        number,
        section,
        line: at,
        goal: String::new(),
        progress: Vec::new(),
        units: RawUnits::Columns {
            lead: String::new(),
            co: String::new(),
        },
        notes: Vec::new(),
    };
    let mut lead = Vec::new();
    let mut co = Vec::new();
    let mut single = Vec::new();
    for (i, paras) in cells.iter().enumerate() {
        if paras.is_empty() {
            continue;
        }
        match header.roles[i] {
            Column::Goal => {
                // A cell that holds the task and its progress (`…。进展情况:…`).
                let (goal, progress) = split_goal_cell(paras);
                row.goal = goal;
                row.progress.extend(progress);
            }
            Column::Progress => row.progress.extend(paras.iter().cloned()),
            Column::Lead => lead.extend(paras.iter().map(|p| tidy_units(p))),
            Column::Co => co.extend(paras.iter().map(|p| tidy_units(p))),
            Column::Units => single.extend(paras.iter().map(|p| tidy_units(p))),
            Column::Notes => row.notes.push(paras.join("")),
            Column::Other => row.notes.push(note_text(&header.names[i], paras)),
            Column::Period => out.row_periods.push(paras.join("")),
            Column::Number | Column::Ignore => {}
        }
    }
    // No units column: the units may close the goal cell (`…经验。(牵头单位:X;配合单位:Y)`).
    if lead.is_empty() && co.is_empty() && single.is_empty() {
        if let Some(p) = super::parenthesized::trailing_units(&row.goal).filter(|p| p.explicit) {
            let before = row.goal[..p.open].trim_end().to_string();
            let after = row.goal[p.close_end..].trim();
            let mut goal = before;
            if !after.is_empty() && !goal.ends_with(['。', '；', ';', '！', '？']) {
                goal.push_str(after);
            }
            row.goal = goal;
            row.units = p.units;
            row.notes.extend(p.notes);
            return row;
        }
    }
    row.units = if lead.is_empty() && co.is_empty() && !single.is_empty() {
        RawUnits::SingleColumn(join_units(&single))
    } else {
        lead.extend(single);
        RawUnits::Columns {
            lead: join_units(&lead),
            co: join_units(&co),
        }
    };
    row
}

/// A units paragraph made ready for splitting: a name broken by a stray space is joined,
/// names separated by spaces become a list — unless the paragraph carries labels
/// (`牵头单位:X;配合单位:Y`), whose separators say where each list ends.
fn tidy_units(paragraph: &str) -> String {
    if has_labels(paragraph) {
        paragraph.to_string()
    } else {
        layout::clean_units(paragraph)
    }
}

/// The paragraphs of a units cell as one list: separated by `、`, or by line breaks when
/// they carry labels (`牵头:X` / `配合:Y`), which a `、` would hide.
fn join_units(paragraphs: &[String]) -> String {
    let labelled = paragraphs.iter().any(|p| has_labels(p));
    paragraphs.join(if labelled { "\n" } else { "、" })
}

/// `牵头单位:X;配合单位:Y`: a units text that says which units lead.
fn has_labels(text: &str) -> bool {
    layout::label_at_start(text).is_some() || !layout::inline_labels(text).is_empty()
}

/// A goal cell cut at a progress label (`进展情况:`, at a paragraph's start or after a
/// sentence): the goal before it (a `目标任务:` label dropped), the progress paragraphs
/// from it on (the label dropped).
fn split_goal_cell(paragraphs: &[String]) -> (String, Vec<String>) {
    let mut goal: Vec<&str> = Vec::new();
    let mut progress: Vec<String> = Vec::new();
    let mut in_progress = false;
    for p in paragraphs {
        if in_progress {
            progress.push(p.clone());
            continue;
        }
        let at = match layout::label_at_start(p) {
            Some((Column::Progress, _, _)) => Some(0),
            _ => layout::inline_labels(p).into_iter().find(|at| {
                matches!(
                    layout::label_at_start(&p[*at..]),
                    Some((Column::Progress, _, _))
                )
            }),
        };
        match at {
            Some(at) => {
                goal.push(&p[..at]);
                in_progress = true;
                if let Some((_, _, rest)) = layout::label_at_start(&p[at..]) {
                    // (`进展情况:` alone on its line: the progress follows.)
                    if !rest.trim().is_empty() {
                        progress.push(rest.trim().to_string());
                    }
                }
            }
            None => goal.push(p),
        }
    }
    let goal = goal.concat();
    let goal = match layout::label_at_start(&goal) {
        Some((Column::Goal, _, rest)) => rest.trim().to_string(),
        _ => goal.trim().to_string(),
    };
    (goal, progress)
}

/// An unnamed column's note names it by its place.
fn note_text(header: &str, paras: &[String]) -> String {
    let text = paras.join("");
    if header.trim().is_empty() {
        text
    } else {
        format!("{}:{text}", header.trim())
    }
}

/// Adds a continuation row (no number, no goal of its own) to the task above: its progress
/// paragraphs, and any units or notes the task does not have yet.
fn extend_task(prev: &mut RawRow, cells: &[Vec<String>], covered: &[bool], header: &Header) {
    for (i, paras) in cells.iter().enumerate() {
        if paras.is_empty() || covered[i] {
            continue;
        }
        match header.roles[i] {
            Column::Progress => prev.progress.extend(paras.iter().cloned()),
            Column::Notes => prev.notes.push(paras.join("")),
            Column::Other => prev.notes.push(note_text(&header.names[i], paras)),
            Column::Lead | Column::Co | Column::Units => {
                let more = join_units(&paras.iter().map(|p| tidy_units(p)).collect::<Vec<_>>());
                match &mut prev.units {
                    RawUnits::Columns { lead, co } => {
                        let target = if header.roles[i] == Column::Co {
                            co
                        } else {
                            lead
                        };
                        if !target.is_empty() {
                            target.push('、');
                        }
                        target.push_str(&more);
                    }
                    RawUnits::SingleColumn(all) => {
                        if !all.is_empty() {
                            all.push('、');
                        }
                        all.push_str(&more);
                    }
                    RawUnits::Split { .. } => {}
                }
            }
            Column::Goal | Column::Number | Column::Period | Column::Ignore => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row from cell texts: `""` is an empty cell, `"<"` covered from the left, `"^"`
    /// covered from above, `a|b` two paragraphs.
    fn row(at: usize, cells: &[&str]) -> Row {
        Row {
            at,
            cells: cells
                .iter()
                .map(|c| match *c {
                    "<" => Cell::covered(Merged::Left),
                    "^" => Cell::covered(Merged::Above),
                    t => Cell::text(t.split('|')),
                })
                .collect(),
        }
    }

    fn table(rows: &[&[&str]]) -> Table {
        Table {
            name: "表格 1".into(),
            caption: Vec::new(),
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, r)| row(i + 1, r))
                .collect(),
        }
    }

    fn read_one(t: Table) -> TableReport {
        read(
            &Document {
                text: Vec::new(),
                tables: vec![t],
            },
            true,
        )
        .expect("a task table")
    }

    fn units(r: &RawRow) -> (Vec<String>, Vec<String>) {
        super::super::units::resolve(&r.units)
    }

    #[test]
    fn a_two_row_header_names_the_units_columns_under_a_merged_cell() {
        let r = read_one(table(&[
            &["2021年一季度重点工作", "<", "<", "<", "<"],
            &["序号", "重点任务", "责任单位", "<", "进展情况"],
            &["^", "^", "牵头单位", "配合单位", "^"],
            &[
                "1",
                "推进垃圾分类。",
                "市城管局",
                "各区政府",
                "完成32个小区。",
            ],
        ]));
        assert_eq!(r.parsed.rows.len(), 1, "{:?}", r.parsed);
        let t = &r.parsed.rows[0];
        assert_eq!(t.number, Some(1));
        assert_eq!(
            units(t),
            (vec!["市城管局".to_string()], vec!["各区政府".to_string()])
        );
        assert_eq!(t.progress, ["完成32个小区。"]);
        assert_eq!(r.title, ["2021年一季度重点工作"]);
    }

    #[test]
    fn a_goal_merged_down_over_rows_gathers_their_progress() {
        let r = read_one(table(&[
            &["序号", "目标任务", "牵头单位", "推进情况"],
            &["1", "建设5G基站1000个。", "市经信局", "已建成620个。"],
            &["^", "^", "^", "另有150个在建。"],
            &["2", "新增城镇就业2万人。", "市人社局", "新增就业0.6万人。"],
        ]));
        let rows = &r.parsed.rows;
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].progress, ["已建成620个。", "另有150个在建。"]);
        assert_eq!(rows[1].number, Some(2));
    }

    #[test]
    fn odd_ids_are_kept_as_notes_and_rows_without_a_goal_are_reported() {
        let r = read_one(table(&[
            &["序号", "工作任务", "责任单位", "完成情况", "完成时限"],
            &[
                "1.1",
                "推进老旧小区改造。",
                "市住建局、市财政局",
                "完成12个。",
                "6月底",
            ],
            &["合计", "", "", "共完成12个。", ""],
        ]));
        let t = &r.parsed.rows[0];
        assert_eq!(t.number, None);
        assert_eq!(t.notes, ["序号:1.1", "完成时限:6月底"]);
        assert_eq!(
            units(t),
            (vec!["市住建局".to_string()], vec!["市财政局".to_string()])
        );
        // `合计` has a number cell of its own, so it is no continuation; it has no goal.
        assert_eq!(r.parsed.unplaced.len(), 1, "{:?}", r.parsed.unplaced);
        assert_eq!(r.parsed.unplaced[0].line, 3);
    }

    #[test]
    fn sections_from_spanning_rows_and_numeral_ids() {
        let r = read_one(table(&[
            &["序号", "目标与任务", "牵头责任单位", "责任单位", "工作进展"],
            &["一、生态环境", "<", "<", "<", "<"],
            &["(一)", "水环境治理", "", "", ""],
            &[
                "1",
                "黑臭水体整治。",
                "市住建局",
                "各县区政府",
                "完成79条。",
            ],
            &["二", "民生", "", "", ""],
            &["2", "实施民生工程。", "市财政局", "", "投入65亿元。"],
        ]));
        let rows = &r.parsed.rows;
        assert_eq!(
            rows[0].section.as_deref(),
            Some("一、生态环境 / (一)水环境治理")
        );
        assert_eq!(rows[1].section.as_deref(), Some("二、民生"));
    }

    #[test]
    fn a_table_without_a_header_carries_on_the_one_before_in_word_but_not_in_sheets() {
        let first = table(&[
            &["序号", "目标与任务", "牵头单位", "进展情况"],
            &["1", "任务一。", "市发改委", "进展一。"],
        ]);
        let second = Table {
            name: "表格 2".into(),
            caption: Vec::new(),
            rows: vec![row(1, &["2", "任务二。", "市财政局", "进展二。"])],
        };
        let doc = Document {
            text: Vec::new(),
            tables: vec![first, second],
        };
        assert_eq!(read(&doc, true).expect("tasks").parsed.rows.len(), 2);
        assert_eq!(read(&doc, false).expect("tasks").parsed.rows.len(), 1);
    }

    #[test]
    fn a_summary_table_beside_the_task_table_is_left_out() {
        let tasks = table(&[
            &["序号", "目标与任务", "牵头单位", "进展情况"],
            &["1", "任务一。", "市发改委", "进展一。"],
        ]);
        let summary = table(&[
            &["序号", "目标与任务", "牵头单位", "领域"],
            &["1", "任务一。", "市发改委", "生态"],
        ]);
        let doc = Document {
            text: Vec::new(),
            tables: vec![summary, tasks],
        };
        let r = read(&doc, false).expect("tasks");
        assert_eq!(r.parsed.rows.len(), 1);
        assert!(r.parsed.unplaced.is_empty());
    }

    #[test]
    fn of_two_goal_columns_the_task_is_the_one_with_more_texts() {
        let r = read_one(table(&[
            &[
                "序号",
                "重点工作",
                "具体任务",
                "牵头单位",
                "推进情况",
                "完成进度",
            ],
            &[
                "1",
                "污染防治",
                "整治黑臭水体5条。",
                "市住建局",
                "已完成3条,其余在建。",
                "60%",
            ],
            &[
                "2",
                "^",
                "新建污水管网20公里。",
                "市住建局",
                "已建成8公里。",
                "40%",
            ],
        ]));
        let rows = &r.parsed.rows;
        assert_eq!(rows[1].goal, "新建污水管网20公里。");
        assert_eq!(rows[1].progress, ["已建成8公里。"]);
        assert_eq!(rows[1].notes, ["重点工作:污染防治", "完成进度:40%"]);
    }

    #[test]
    fn a_task_written_as_a_card_of_labels_and_values() {
        let doc = Document {
            text: Vec::new(),
            tables: vec![
                table(&[
                    &["序号", "7"],
                    &["督办事项", "推进港区二期工程。"],
                    &["牵头单位", "市交通运输局"],
                    &["配合单位", "市港航集团、贵池区政府"],
                    &["进展情况", "码头主体完成68%。|疏港公路已完工。"],
                ]),
                table(&[
                    &["督办事项", "创建全域旅游示范区。", "序号", "8"],
                    &["牵头单位", "市文旅局", "完成时限", "12月底"],
                    &["进展情况", "规划已编制。", "<", "<"],
                ]),
            ],
        };
        let r = read(&doc, true).expect("cards");
        let rows = &r.parsed.rows;
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].number, Some(7));
        assert_eq!(rows[0].progress, ["码头主体完成68%。", "疏港公路已完工。"]);
        assert_eq!(units(&rows[0]).1, ["市港航集团", "贵池区政府"]);
        assert_eq!(rows[1].number, Some(8));
        assert_eq!(rows[1].notes, ["完成时限:12月底"]);
    }

    #[test]
    fn numbers_of_any_size() {
        assert_eq!(row_number("1001"), Some(1001));
        assert_eq!(row_number("(12)"), Some(12));
        assert_eq!(row_number("第3项"), Some(3));
        assert_eq!(row_number("一"), None);
        assert_eq!(row_number("1.1"), None);
        assert_eq!(row_number("0"), None);
    }
}
