//! The import preview: what the importer read from a report file, before anything is
//! written. One line about the file (name, period, rows, encoding, layout), the rows as a
//! table (number, goal, first words of the progress, lead units, co units) and every line
//! the importer could not place, with its line number and reason. Also the list of choices
//! Tab found for a typed path. All report text is untrusted: cleaned of control characters
//! and cut by display width here.

use crate::import::{ImportedRow, PeriodSource, Report, Unplaced};
use crate::lang::t;
use crate::model::Unit;
use crate::tr;
use crate::ui::app::{heading_index, ImportPreview, InputKind, Stage, State};
use crate::ui::text;
use crate::ui::theme::Theme;
use crate::ui::view::layout::ImportLayout;
use crate::ui::view::{fill, put, row};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

/// Column widths of a preview row, from the left (each includes its one-column gap).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Columns {
    marker: usize,
    number: usize,
    goal: usize,
    progress: usize,
    lead: usize,
    co: usize,
}

impl Columns {
    fn new(width: u16, digits: usize) -> Columns {
        let marker = 2;
        let number = digits + 1;
        let rest = (width as usize).saturating_sub(marker + number);
        // Narrow: the goal alone, then the goal and the lead; from 50 columns all four.
        let (goal, progress, lead, co) = if rest < 30 {
            (rest, 0, 0, 0)
        } else if rest < 50 {
            let lead = rest * 2 / 5;
            (rest - lead, 0, lead, 0)
        } else {
            let lead = (rest / 5).clamp(8, 28);
            let co = (rest / 5).clamp(8, 36);
            let goal = (rest - lead - co) / 2;
            (goal, rest - lead - co - goal, lead, co)
        };
        Columns {
            marker,
            number,
            goal,
            progress,
            lead,
            co,
        }
    }
}

fn digits(report: &Report) -> usize {
    report
        .rows
        .iter()
        .map(|r| r.number)
        .max()
        .unwrap_or(1)
        .to_string()
        .len()
}

/// Unit names as the report wrote them, joined with `、`.
fn units(list: &[Unit]) -> String {
    list.iter()
        .map(|u| text::clean(&u.written))
        .collect::<Vec<_>>()
        .join("、")
}

/// The start of the progress, enough to fill `max` columns (never the whole text of a long
/// report on every frame).
fn first_words(paragraphs: &[String], max: usize) -> String {
    let mut out = String::new();
    for p in paragraphs {
        if text::width(&out) > max {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(text::prefix(p.trim(), max + 1));
    }
    text::clean(&out)
}

/// `…/reports/芜湖.txt`: the end of a path in `max` columns.
fn tail(s: &str, max: usize, ellipsis: &str) -> String {
    let s = text::clean(s);
    if text::width(&s) <= max {
        return s;
    }
    let room = max.saturating_sub(text::width(ellipsis));
    let mut used = 0;
    let mut start = s.len();
    for (i, c) in s.char_indices().rev() {
        let w = text::char_width(c);
        if used + w > room {
            break;
        }
        used += w;
        start = i;
    }
    format!("{ellipsis}{}", &s[start..])
}

/// Writes `s` in a column of `w` columns (its last one left blank as the gap).
fn cell(buf: &mut Buffer, area: Rect, x: u16, s: &str, w: usize, style: Style, theme: &Theme) {
    if w > 1 {
        let shown = text::truncate(s, w - 1, theme.ellipsis());
        put(buf, area, x, area.y, &shown, style);
    }
}

pub fn render(state: &State, selected: usize, offset: usize, l: ImportLayout, buf: &mut Buffer) {
    let theme = &state.theme;
    let Some(preview) = state.import.as_ref() else {
        return;
    };
    title(preview, l.title, buf, theme);
    match &preview.stage {
        Stage::Reading => {
            let line = tr!(
                "  正在读取 {}…（大文件需要一点时间；不会写入任何内容）",
                "  reading {}… (a large file takes a moment; nothing is written)",
                text::clean(&preview.path)
            );
            put(buf, row(l.info, 0), l.info.x, l.info.y, &line, theme.dim());
        }
        Stage::Failed(e) => failed(state, e, l, buf),
        Stage::Ready { report, .. } => {
            info(report, l.info, buf, theme);
            let cols = Columns::new(l.header.width, digits(report));
            header(&cols, l.header, buf, theme);
            body(state, report, &cols, selected, offset, l.body, buf);
        }
    }
}

fn title(preview: &ImportPreview, area: Rect, buf: &mut Buffer, theme: &Theme) {
    if area.is_empty() {
        return;
    }
    let what = match &preview.stage {
        Stage::Ready {
            importing: true, ..
        } => t(" 导入中 · ", " Importing (导入中) · "),
        _ => t(" 导入预览 · ", " Import preview (导入预览) · "),
    };
    let x = put(buf, area, area.x, area.y, what, theme.heading());
    let room = area.right().saturating_sub(x) as usize;
    put(
        buf,
        area,
        x,
        area.y,
        &tail(&preview.path, room, theme.ellipsis()),
        theme.heading(),
    );
}

/// `芜湖.txt · period 2020年上半年 · 116 rows · 3 not placed · UTF-8 · concatenated columns…`
fn info(report: &Report, area: Rect, buf: &mut Buffer, theme: &Theme) {
    if area.is_empty() {
        return;
    }
    let sep = " · ";
    let name = crate::ui::app::import_file_name(&report.source);
    let mut x = put(
        buf,
        area,
        area.x,
        area.y,
        &format!(" {name}"),
        theme.heading(),
    );
    x = put(buf, area, x, area.y, sep, theme.dim());
    // A period the title does not name is a guess (a date in the report, the file's
    // name): marked, so it is renamed after the import if it is wrong.
    let period = text::clean(&report.period.name);
    x = match report.period.source {
        PeriodSource::Title | PeriodSource::Given => put(
            buf,
            area,
            x,
            area.y,
            &tr!("报告期 {period}", "period {period}"),
            Style::new(),
        ),
        PeriodSource::Date | PeriodSource::FileName => put(
            buf,
            area,
            x,
            area.y,
            &tr!(
                "报告期 {period}（标题未写）",
                "period {period} (not in the title)"
            ),
            theme.error(),
        ),
    };
    let rows = report.rows.len();
    // Rows imported but worth a look (a task without a goal): counted here, listed by
    // `duban import --dry-run`.
    let rest = format!(
        "{sep}{}{}{}{sep}{}",
        tr!("{rows} 行", "{rows} row(s)"),
        if report.unplaced.is_empty() {
            String::new()
        } else {
            tr!(
                "{sep}{} 行无法归位",
                "{sep}{} not placed",
                report.unplaced.len()
            )
        },
        if report.warnings.is_empty() {
            String::new()
        } else {
            tr!(
                "{sep}{} 项缺目标",
                "{sep}{} without a goal",
                report.warnings.len()
            )
        },
        crate::import::preview::read_as(report)
    );
    let room = area.right().saturating_sub(x) as usize;
    put(
        buf,
        area,
        x,
        area.y,
        &text::truncate(&rest, room, theme.ellipsis()),
        Style::new(),
    );
}

fn header(cols: &Columns, area: Rect, buf: &mut Buffer, theme: &Theme) {
    if area.is_empty() {
        return;
    }
    let style = theme.dim();
    let num_end = (cols.marker + cols.number).saturating_sub(1);
    put(
        buf,
        area,
        area.x,
        area.y,
        &text::right(t("序号", "No."), num_end),
        style,
    );
    let mut x = area.x.saturating_add((cols.marker + cols.number) as u16);
    for (w, name) in [
        (cols.goal, t("目标与任务", "goal and task")),
        (cols.progress, t("工作进展", "progress")),
        (cols.lead, t("牵头单位", "lead unit")),
        (cols.co, t("责任单位", "units")),
    ] {
        cell(buf, row(area, 0), x, name, w, style, theme);
        x = x.saturating_add(w as u16);
    }
}

fn body(
    state: &State,
    report: &Report,
    cols: &Columns,
    selected: usize,
    offset: usize,
    area: Rect,
    buf: &mut Buffer,
) {
    let theme = &state.theme;
    let heading = heading_index(report);
    for i in 0..area.height {
        let idx = offset + i as usize;
        let line = row(area, i);
        let sel = idx == selected && Some(idx) != heading;
        if sel {
            fill(buf, area, line, theme.selected());
            put(buf, line, line.x, line.y, theme.marker(), theme.selected());
        }
        if let Some(r) = report.rows.get(idx) {
            task_row(r, cols, sel, line, buf, theme);
        } else if Some(idx) == heading {
            let n = report.unplaced.len();
            let head = tr!(
                "{} 无法归位的 {n} 行（不导入） ",
                "{} {n} line(s) the importer could not place (not imported) ",
                theme.rule()
            );
            put(buf, line, line.x, line.y, &head, theme.heading());
        } else if let Some(u) = idx
            .checked_sub(report.rows.len() + 1)
            .and_then(|j| report.unplaced.get(j))
        {
            unplaced_row(u, sel, line, buf, theme);
        } else {
            break;
        }
    }
}

fn task_row(
    r: &ImportedRow,
    cols: &Columns,
    sel: bool,
    area: Rect,
    buf: &mut Buffer,
    theme: &Theme,
) {
    let base = if sel { theme.selected() } else { Style::new() };
    let mut x = area.x.saturating_add(cols.marker as u16);
    let num = text::right(&r.number.to_string(), cols.number - 1);
    put(buf, area, x, area.y, &num, base);
    x = x.saturating_add(cols.number as u16);
    let goal = text::clean(&r.goal);
    cell(buf, area, x, &goal, cols.goal, base, theme);
    x = x.saturating_add(cols.goal as u16);
    if cols.progress > 0 {
        let p = first_words(&r.progress, cols.progress);
        let style = if p.is_empty() {
            base.patch(theme.dim())
        } else {
            base
        };
        let p = if p.is_empty() {
            t("（无）", "(none)").to_string()
        } else {
            p
        };
        cell(buf, area, x, &p, cols.progress, style, theme);
        x = x.saturating_add(cols.progress as u16);
    }
    if cols.lead > 0 {
        let lead = units(&r.lead_units);
        if lead.is_empty() {
            // A row without a lead unit is worth a second look before it is written.
            cell(
                buf,
                area,
                x,
                t("（无）", "(none)"),
                cols.lead,
                base.patch(theme.error()),
                theme,
            );
        } else {
            cell(buf, area, x, &lead, cols.lead, base, theme);
        }
        x = x.saturating_add(cols.lead as u16);
    }
    if cols.co > 0 {
        cell(buf, area, x, &units(&r.co_units), cols.co, base, theme);
    }
}

/// `L12  reason · text`.
fn unplaced_row(u: &Unplaced, sel: bool, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let base = if sel { theme.selected() } else { Style::new() };
    let mut x = area.x.saturating_add(2);
    x = put(
        buf,
        area,
        x,
        area.y,
        &format!("L{} ", u.line),
        base.patch(theme.dim()),
    );
    x = put(
        buf,
        area,
        x,
        area.y,
        &format!("{}: ", text::clean(&u.reason)),
        base.patch(theme.error()),
    );
    let room = area.right().saturating_sub(x) as usize;
    let t = text::truncate(&text::clean(u.text.trim()), room, theme.ellipsis());
    put(buf, area, x, area.y, &t, base);
}

/// The importer's reason, wrapped, and what to do next.
fn failed(state: &State, e: &str, l: ImportLayout, buf: &mut Buffer) {
    let theme = &state.theme;
    // The whole area under the title: the file line, the header and the body.
    let top = if l.info.is_empty() {
        l.body.y
    } else {
        l.info.y
    };
    let area = Rect::new(
        l.body.x,
        top,
        l.body.width,
        l.body.bottom().saturating_sub(top),
    );
    let w = (area.width as usize).saturating_sub(2).max(1);
    let mut lines: Vec<(String, Style)> = text::wrap(e, w)
        .into_iter()
        .map(|l| (l, theme.error()))
        .collect();
    lines.push((String::new(), Style::new()));
    let back = state
        .keymap
        .hint(
            crate::ui::keymap::Mode::Import,
            &crate::ui::action::Action::Cancel,
        )
        .unwrap_or_else(|| "Esc".to_string());
    for l in text::wrap(
        &tr!(
            "未写入任何内容。按 {back} 返回任务列表。",
            "Nothing was written. {back} goes back to the list."
        ),
        w,
    ) {
        lines.push((l, theme.dim()));
    }
    for (i, (t, style)) in lines.iter().enumerate().take(area.height as usize) {
        let r = row(area, i as u16);
        put(buf, r, r.x + 1, r.y, t, *style);
    }
}

/// The choices (or the reason nothing matched) from the last Tab, in columns above the
/// input line. `above` ends just above the status line.
pub fn completion(state: &State, above: Rect, buf: &mut Buffer) {
    let theme = &state.theme;
    let Some(c) = state.completion.as_ref().filter(|_| {
        matches!(
            state.input.as_ref().map(|i| i.kind),
            Some(InputKind::ImportPath)
        )
    }) else {
        return;
    };
    if above.is_empty() {
        return;
    }
    let w = above.width as usize;
    let mut lines: Vec<(String, Style)> = Vec::new();
    if let Some(note) = &c.note {
        lines.push((
            text::truncate(&text::clean(note), w, theme.ellipsis()),
            theme.error(),
        ));
    } else {
        let names: Vec<String> = c.candidates.iter().map(|n| text::clean(n)).collect();
        let colw = names
            .iter()
            .map(|n| text::width(n) + 2)
            .max()
            .unwrap_or(1)
            .min(w.max(1));
        let per_line = (w / colw).max(1);
        // At most half the screen; the last line says how many more there are.
        let max_lines = ((above.height as usize) / 2).clamp(1, 8);
        let total = names.len() + c.more;
        let mut grid: Vec<String> = names
            .chunks(per_line)
            .map(|chunk| {
                chunk
                    .iter()
                    .map(|n| text::fit(n, colw, theme.ellipsis()))
                    .collect::<String>()
            })
            .collect();
        if grid.len() > max_lines {
            let shown_lines = max_lines.saturating_sub(1);
            let shown = (shown_lines * per_line).min(names.len());
            grid.truncate(shown_lines);
            grid.push(tr!(
                "{}另有 {} 个：请多输入几个字",
                "{} and {} more: type more of the name",
                theme.ellipsis(),
                total - shown
            ));
        } else if c.more > 0 {
            grid.push(tr!(
                "{}另有 {} 个",
                "{} and {} more",
                theme.ellipsis(),
                c.more
            ));
        }
        let rule = tr!(
            "{} 共 {total} 个匹配 · 多输入几个字，Tab 补全 ",
            "{} {total} matches · type more, Tab completes ",
            theme.rule()
        );
        lines.push((rule, theme.dim()));
        lines.extend(grid.into_iter().map(|g| (g, Style::new())));
    }
    let h = (lines.len() as u16).min(above.height);
    let popup = Rect::new(above.x, above.bottom() - h, above.width, h);
    let blank = " ".repeat(w);
    for (i, (t, style)) in lines.iter().skip(lines.len() - h as usize).enumerate() {
        let r = row(popup, i as u16);
        put(buf, r, r.x, r.y, &blank, Style::new());
        put(
            buf,
            r,
            r.x,
            r.y,
            &text::truncate(t, w, theme.ellipsis()),
            *style,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_fill_the_width_at_every_size() {
        for w in [0u16, 1, 10, 40, 60, 80, 120, 200] {
            let c = Columns::new(w, 3);
            let sum = c.marker + c.number + c.goal + c.progress + c.lead + c.co;
            assert!(sum <= (w as usize).max(c.marker + c.number), "{w}: {c:?}");
        }
        let c = Columns::new(80, 3);
        assert!(
            c.goal >= 20 && c.progress >= 20 && c.lead >= 8 && c.co >= 8,
            "{c:?}"
        );
    }

    #[test]
    fn path_tails_keep_the_file_name() {
        assert_eq!(tail("/a/b/芜湖.txt", 10, "…"), "…/芜湖.txt");
        assert_eq!(tail("/a/b/芜湖.txt", 9, "…"), "…芜湖.txt");
        assert_eq!(tail("abc", 9, "…"), "abc");
        assert!(text::width(&tail("/very/long/path/报告.docx", 6, "…")) <= 6);
    }
}
