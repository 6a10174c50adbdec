//! The task detail: goal, status, domain, lead and co units, the progress of every report
//! period (latest first), notes and history — all wrapped by display width here, with each
//! numbered sub-item (`一是…`, `(1)…`, `1.…`) on its own line.

use crate::model::{Change, Event, Task};
use crate::ui::app::State;
use crate::ui::text;
use crate::ui::theme::Theme;
use crate::ui::view::layout::TextLayout;
use crate::ui::view::{put, put_line, row};
use chrono::{DateTime, FixedOffset, Utc};
use ratatui::buffer::Buffer;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// The widest the text gets, in columns (about 55 Chinese characters).
pub const MAX_TEXT: usize = 110;

/// Width of the field labels (`牵头单位` plus two blanks).
const LABEL: usize = 10;

pub fn time(at: &DateTime<Utc>, tz: FixedOffset) -> String {
    at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

/// What an event did, in the office's words.
pub fn describe(event: &Event, theme: &Theme) -> String {
    let arrow = theme.arrow();
    let mut s = match &event.change {
        Change::Status {
            from,
            to,
            undo: false,
        } => format!("状态 {} {arrow} {}", from.label(), to.label()),
        Change::Status {
            from,
            to,
            undo: true,
        } => format!("撤销 {} {arrow} {}", from.label(), to.label()),
        Change::Note { text } => format!("备注 {}", text::clean(text)),
        Change::Move { from, to } => format!("领域 {} {arrow} {}", from.label(), to.label()),
        Change::Goal { .. } => "目标 修改".to_string(),
        Change::Import { period, .. } => format!("导入 {}", text::clean(period)),
    };
    if let Some(n) = event.note.as_deref().filter(|n| !n.is_empty()) {
        if !matches!(event.change, Change::Status { undo: true, .. } if n == "撤销") {
            s.push_str(" · ");
            s.push_str(&text::clean(n));
        }
    }
    s
}

fn push_wrapped(out: &mut Vec<Line<'static>>, s: &str, width: usize, indent: usize, style: Style) {
    let indent = if width > indent + 4 { indent } else { 0 };
    for l in text::wrap(s, width - indent) {
        out.push(Line::styled(format!("{}{}", " ".repeat(indent), l), style));
    }
}

/// A `label  value` field whose value wraps under itself.
fn push_field(
    out: &mut Vec<Line<'static>>,
    label: &str,
    value: Vec<Span<'static>>,
    width: usize,
    theme: &Theme,
) {
    let plain: String = value.iter().map(|s| s.content.as_ref()).collect();
    if width < LABEL + 8 {
        out.push(Line::styled(label.to_string(), theme.dim()));
        push_wrapped(out, &plain, width, 2, Style::new());
        return;
    }
    let mut head = vec![Span::styled(text::fit(label, LABEL, ""), theme.dim())];
    if text::width(&plain) <= width - LABEL {
        head.extend(value);
        out.push(Line::from(head));
        return;
    }
    let mut lines = text::wrap(&plain, width - LABEL).into_iter();
    head.push(Span::raw(lines.next().unwrap_or_default()));
    out.push(Line::from(head));
    for l in lines {
        out.push(Line::raw(format!("{}{}", " ".repeat(LABEL), l)));
    }
}

fn units_text(units: &[crate::model::Unit]) -> String {
    if units.is_empty() {
        return "—".to_string();
    }
    units
        .iter()
        .map(|u| {
            if u.written == u.canonical {
                text::clean(&u.canonical)
            } else {
                format!(
                    "{}(= {})",
                    text::clean(&u.written),
                    text::clean(&u.canonical)
                )
            }
        })
        .collect::<Vec<_>>()
        .join("、")
}

/// Every line of a task's detail at `width` columns. `update` uses the count to limit scrolling.
pub fn lines(
    task: &Task,
    history: &[Event],
    width: u16,
    theme: &Theme,
    tz: FixedOffset,
) -> Vec<Line<'static>> {
    // Very long lines are hard to read: wide terminals get a margin on the right.
    let w = (width as usize).min(MAX_TEXT);
    let mut out: Vec<Line<'static>> = Vec::new();
    if w == 0 {
        return out;
    }
    let heading = |s: &str| Line::styled(text::truncate(s, w, theme.ellipsis()), theme.heading());

    out.push(heading("目标与任务"));
    push_wrapped(&mut out, &task.goal, w, 2, Style::new());
    out.push(Line::raw(""));

    let st = task.status;
    push_field(
        &mut out,
        "状态",
        vec![Span::styled(
            format!("{} {}", theme.glyph(st), st.label()),
            theme.status(st),
        )],
        w,
        theme,
    );
    let domain = format!(
        "{} ({}){}",
        task.domain.label(),
        task.domain.id(),
        if task.domain_decision.manual {
            " · moved by hand".to_string()
        } else {
            format!(" · rule {}", text::clean(&task.domain_decision.rule))
        }
    );
    push_field(&mut out, "领域", vec![Span::raw(domain)], w, theme);
    push_field(
        &mut out,
        "牵头单位",
        vec![Span::raw(units_text(&task.lead_units))],
        w,
        theme,
    );
    push_field(
        &mut out,
        "责任单位",
        vec![Span::raw(units_text(&task.co_units))],
        w,
        theme,
    );
    if let Some(section) = &task.section {
        push_field(
            &mut out,
            "所属部分",
            vec![Span::raw(text::clean(section))],
            w,
            theme,
        );
    }

    if task.periods.is_empty() {
        out.push(Line::raw(""));
        out.push(heading("工作进展"));
        out.push(Line::styled("  (no progress reported yet)", theme.dim()));
    }
    for (i, period) in task.periods.iter().rev().enumerate() {
        out.push(Line::raw(""));
        let latest = if i == 0 { " (latest)" } else { "" };
        out.push(heading(&format!(
            "工作进展 · {}{latest}",
            text::clean(&period.name)
        )));
        if period.paragraphs.iter().all(|p| p.trim().is_empty()) {
            out.push(Line::styled("  (empty)", theme.dim()));
        }
        for p in &period.paragraphs {
            for item in text::split_items(p) {
                push_wrapped(&mut out, &item, w, 2, Style::new());
            }
        }
    }

    out.push(Line::raw(""));
    out.push(heading(&format!("备注 notes ({})", task.notes.len())));
    if task.notes.is_empty() {
        out.push(Line::styled("  (none)", theme.dim()));
    }
    for note in task.notes.iter().rev() {
        push_wrapped(
            &mut out,
            &format!("{} {}", time(&note.at, tz), note.user),
            w,
            2,
            theme.dim(),
        );
        push_wrapped(&mut out, &note.text, w, 4, Style::new());
    }

    let events: Vec<&Event> = history.iter().filter(|e| e.task == task.number).collect();
    out.push(Line::raw(""));
    out.push(heading(&format!(
        "历史 history ({}, newest first)",
        events.len()
    )));
    for e in events.iter().rev() {
        let head = format!("{} {}  ", time(&e.at, tz), text::clean(&e.user));
        let line = format!("{head}{}", describe(e, theme));
        push_wrapped(&mut out, &line, w, 2, Style::new());
    }
    out
}

pub fn render(state: &State, number: u32, scroll: usize, l: TextLayout, buf: &mut Buffer) {
    let theme = &state.theme;
    let Some(task) = state.task(number) else {
        put(
            buf,
            l.body,
            l.body.x,
            l.body.y,
            &format!("task {number} is gone"),
            theme.error(),
        );
        return;
    };
    if !l.title.is_empty() {
        let st = task.status;
        let right = format!(
            " {} {} · {} ",
            theme.glyph(st),
            st.label(),
            task.domain.label()
        );
        let rw = text::width(&right);
        let w = l.title.width as usize;
        let left_w = w.saturating_sub(rw);
        let title = format!(" #{} {}", task.number, text::clean(&task.goal));
        let title = text::truncate(&title, left_w, theme.ellipsis());
        put(buf, l.title, l.title.x, l.title.y, &title, theme.heading());
        if w >= rw + 8 {
            put(
                buf,
                l.title,
                l.title.x + left_w as u16,
                l.title.y,
                &right,
                theme.status(st),
            );
        }
    }
    let all = lines(task, &state.history, l.body.width, theme, state.tz);
    let rows = l.body.height as usize;
    let scroll = scroll.min(all.len().saturating_sub(rows));
    for (i, line) in all.iter().skip(scroll).take(rows).enumerate() {
        put_line(buf, row(l.body, i as u16), l.body.y + i as u16, line);
    }
}
