//! The task detail: goal, status with the suggested status (序时进度) beside it, domain, lead
//! and co units, the progress of every report period (latest first), notes and history (who,
//! when, from what to what, with the note) — all wrapped by display width here, with each
//! numbered sub-item (`一是…`, `(1)…`, `1.…`) on its own line.

use crate::lang::t;
use crate::model::{Event, Task, TaskSummary};
use crate::ui::action::Action;
use crate::ui::app::State;
use crate::ui::keymap::Mode;
use crate::ui::text;
use crate::ui::theme::Theme;
use crate::ui::view::layout::TextLayout;
use crate::ui::view::{put, put_line, row};
use chrono::{DateTime, FixedOffset, Utc};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// The widest the text gets, in columns (about 55 Chinese characters).
pub const MAX_TEXT: usize = 110;

/// Width of the field labels (`牵头单位` plus two blanks).
const LABEL: usize = 10;

pub fn time(at: &DateTime<Utc>, tz: FixedOffset) -> String {
    at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

/// What an event did, in the office's words (`crate::words`).
pub fn describe(event: &Event, theme: &Theme) -> String {
    crate::words::change(event, theme.arrow())
}

pub(super) fn push_wrapped(
    out: &mut Vec<Line<'static>>,
    s: &str,
    width: usize,
    indent: usize,
    style: Style,
) {
    let indent = if width > indent + 4 { indent } else { 0 };
    for l in text::wrap(s, width - indent) {
        out.push(Line::styled(format!("{}{}", " ".repeat(indent), l), style));
    }
}

/// A `label  value` field whose value wraps under itself.
pub(super) fn push_field(
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

/// The status line with the suggested status beside it (`建议 ● 正常推进 — 完成率64% ≥
/// 序时进度50% · a 采纳`) when it fits, otherwise on its own `建议` lines under the status,
/// the reason wrapped. Without a suggestion, why not (dim).
pub fn push_status(out: &mut Vec<Line<'static>>, state: &State, task: &Task, w: usize) {
    let theme = &state.theme;
    let st = task.status;
    let status = Span::styled(
        format!("{} {}", theme.glyph(st), st.label()),
        theme.status(st),
    );
    let Some(sug) = state.suggestion(task.number) else {
        push_field(out, t("状态", "status"), vec![status], w, theme);
        let why = crate::tr!(
            "无：{}",
            "none: {}",
            state.no_suggestion_reason(task.number)
        );
        if w < LABEL + 8 {
            out.push(Line::styled(t("建议", "suggests").to_string(), theme.dim()));
            push_wrapped(out, &why, w, 2, theme.dim());
        } else {
            let mut lines = text::wrap(&why, w - LABEL).into_iter();
            out.push(Line::from(vec![
                Span::styled(text::fit(t("建议", "suggests"), LABEL, ""), theme.dim()),
                Span::styled(lines.next().unwrap_or_default(), theme.dim()),
            ]));
            for l in lines {
                out.push(Line::styled(
                    format!("{}{l}", " ".repeat(LABEL)),
                    theme.dim(),
                ));
            }
        }
        return;
    };
    let suggested = Span::styled(
        format!("{} {}", theme.glyph(sug.status), sug.status.label()),
        theme.status(sug.status),
    );
    let tail = if sug.status == st {
        t(" · 与当前状态一致", " · the same as now").to_string()
    } else {
        state
            .keymap
            .hint(Mode::Detail, &Action::AcceptSuggestion)
            .map(|k| crate::tr!(" · {k} 采纳", " · {k} accepts"))
            .unwrap_or_default()
    };
    let reason = text::clean(&sug.why.text(crate::lang::get()));
    let one_line = crate::tr!(
        "{}   建议 {} — {reason}{tail}",
        "{}   suggests {} — {reason}{tail}",
        status.content,
        suggested.content
    );
    if w >= LABEL + 8 && LABEL + text::width(&one_line) <= w {
        out.push(Line::from(vec![
            Span::styled(text::fit(t("状态", "status"), LABEL, ""), theme.dim()),
            status,
            Span::styled(t("   建议 ", "   suggests "), theme.dim()),
            suggested,
            Span::raw(format!(" — {reason}")),
            Span::styled(tail, theme.dim()),
        ]));
        return;
    }
    push_field(out, t("状态", "status"), vec![status], w, theme);
    if w < LABEL + 8 {
        out.push(Line::styled(t("建议", "suggests").to_string(), theme.dim()));
        push_wrapped(
            out,
            &format!("{}{tail}", suggested.content),
            w,
            2,
            suggested.style,
        );
        push_wrapped(out, &reason, w, 2, Style::new());
        return;
    }
    out.push(Line::from(vec![
        Span::styled(text::fit(t("建议", "suggests"), LABEL, ""), theme.dim()),
        suggested,
        Span::styled(
            text::truncate(&tail, w.saturating_sub(LABEL + 12), ""),
            theme.dim(),
        ),
    ]));
    push_wrapped(out, &reason, w, LABEL, Style::new());
}

/// Every line of a task's detail at `width` columns. `update` uses the count to limit scrolling.
pub fn lines(state: &State, task: &Task, width: u16) -> Vec<Line<'static>> {
    let theme = &state.theme;
    let (history, tz) = (&state.history, state.tz);
    // Very long lines are hard to read: wide terminals get a margin on the right.
    let w = (width as usize).min(MAX_TEXT);
    let mut out: Vec<Line<'static>> = Vec::new();
    if w == 0 {
        return out;
    }
    let heading = |s: &str| Line::styled(text::truncate(s, w, theme.ellipsis()), theme.heading());

    out.push(heading(t("目标与任务", "goal and task")));
    push_wrapped(&mut out, &task.goal, w, 2, Style::new());
    out.push(Line::raw(""));

    push_status(&mut out, state, task, w);
    let domain = format!(
        "{}{}",
        task.domain.label(),
        if task.domain_decision.manual {
            t(" · 人工调整", " · moved by hand").to_string()
        } else {
            crate::tr!(
                " · 规则 {}",
                " · rule {}",
                text::clean(&task.domain_decision.rule)
            )
        }
    );
    push_field(
        &mut out,
        t("领域", "domain"),
        vec![Span::raw(domain)],
        w,
        theme,
    );
    push_field(
        &mut out,
        t("牵头单位", "leads"),
        vec![Span::raw(crate::units::with_canonical(&task.lead_units))],
        w,
        theme,
    );
    push_field(
        &mut out,
        t("责任单位", "units"),
        vec![Span::raw(crate::units::with_canonical(&task.co_units))],
        w,
        theme,
    );
    if let Some(section) = &task.section {
        push_field(
            &mut out,
            t("所属部分", "section"),
            vec![Span::raw(text::clean(section))],
            w,
            theme,
        );
    }

    if task.periods.is_empty() {
        out.push(Line::raw(""));
        out.push(heading(t("工作进展", "progress")));
        out.push(Line::styled(
            t("  （还没有报告进展）", "  (no progress reported yet)"),
            theme.dim(),
        ));
    }
    let diff_hint = if task.periods.len() >= 2 {
        state
            .keymap
            .hint(Mode::Detail, &Action::ToggleDiff)
            .map(|k| crate::tr!(" · {k} 看变化", " · {k} shows changes"))
            .unwrap_or_default()
    } else {
        String::new()
    };
    for (i, period) in task.periods.iter().rev().enumerate() {
        out.push(Line::raw(""));
        let latest = if i == 0 {
            crate::tr!("（最新）{diff_hint}", " (latest){diff_hint}")
        } else {
            String::new()
        };
        out.push(heading(&crate::tr!(
            "工作进展 · {}{latest}",
            "progress · {}{latest}",
            text::clean(&period.name)
        )));
        if period.paragraphs.iter().all(|p| p.trim().is_empty()) {
            out.push(Line::styled(t("  （空）", "  (empty)"), theme.dim()));
        }
        for p in &period.paragraphs {
            for item in text::split_items(p) {
                push_wrapped(&mut out, &item, w, 2, Style::new());
            }
        }
    }

    out.push(Line::raw(""));
    out.push(heading(&crate::tr!(
        "备注（{} 条）",
        "notes ({})",
        task.notes.len()
    )));
    if task.notes.is_empty() {
        out.push(Line::styled(t("  （无）", "  (none)"), theme.dim()));
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
    if state.history_here(task.number) {
        out.push(heading(&crate::tr!(
            "历史（{} 条，新的在前）",
            "history ({}, newest first)",
            events.len()
        )));
    } else {
        out.push(heading(t("历史（读取中…）", "history (reading…)")));
    }
    for e in events.iter().rev() {
        let head = format!("{} {}  ", time(&e.at, tz), text::clean(&e.user));
        let line = format!("{head}{}", describe(e, theme));
        push_wrapped(&mut out, &line, w, 2, Style::new());
    }
    out
}

/// The title row of a task's screens: `#8 goal…` and, on the right, its status and domain.
pub fn title(state: &State, task: &TaskSummary, area: Rect, buf: &mut Buffer) {
    if area.is_empty() {
        return;
    }
    let theme = &state.theme;
    let st = task.status;
    let right = format!(
        " {} {} · {} ",
        theme.glyph(st),
        st.label(),
        task.domain.label()
    );
    let rw = text::width(&right);
    let w = area.width as usize;
    let left_w = w.saturating_sub(rw);
    let title = format!(" #{} {}", task.number, text::clean(&task.goal));
    let title = text::truncate(&title, left_w, theme.ellipsis());
    put(buf, area, area.x, area.y, &title, theme.heading());
    if w >= rw + 8 {
        put(
            buf,
            area,
            area.x + left_w as u16,
            area.y,
            &right,
            theme.status(st),
        );
    }
}

pub fn render(state: &State, number: u32, scroll: usize, l: TextLayout, buf: &mut Buffer) {
    render_task(state, number, scroll, l, buf, lines);
}

/// A task's screen: the detail's title over `body_lines` of the task, scrolled.
pub fn render_task(
    state: &State,
    number: u32,
    scroll: usize,
    l: TextLayout,
    buf: &mut Buffer,
    body_lines: fn(&State, &Task, u16) -> Vec<Line<'static>>,
) {
    let Some(summary) = state.task(number) else {
        put(
            buf,
            l.body,
            l.body.x,
            l.body.y,
            &crate::tr!("#{number} 已不存在", "#{number} no longer exists"),
            state.theme.error(),
        );
        return;
    };
    title(state, summary, l.title, buf);
    // The whole task is read when its detail opens: a moment over a slow link.
    let Some(task) = state.detail(number) else {
        state.text_end.set(Some(0));
        put(
            buf,
            l.body,
            l.body.x,
            l.body.y,
            &crate::tr!("正在读取 #{number}…", "reading #{number}…"),
            state.theme.dim(),
        );
        return;
    };
    let all = body_lines(state, task, l.body.width);
    let rows = l.body.height as usize;
    let end = all.len().saturating_sub(rows);
    state.text_end.set(Some(end));
    let scroll = scroll.min(end);
    for (i, line) in all.iter().skip(scroll).take(rows).enumerate() {
        put_line(buf, row(l.body, i as u16), l.body.y + i as u16, line);
    }
}
