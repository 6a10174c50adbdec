//! The review screen (`r`): one task of the latest period to judge — where the review is,
//! the goal, the status with the suggestion and its reason, the lead units, the figures
//! this period changed, and this period's progress (or that the report left the task out).

use crate::lang::t;
use crate::model::Task;
use crate::periods;
use crate::ui::app::State;
use crate::ui::text;
use crate::ui::view::detail::{push_field, push_status, push_wrapped, render_task};
use crate::ui::view::diff::figure_value;
use crate::ui::view::layout::TextLayout;
use ratatui::buffer::Buffer;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// The review screen's lines for `task` at `width` columns.
pub fn lines(state: &State, task: &Task, width: u16) -> Vec<Line<'static>> {
    let theme = &state.theme;
    let w = (width as usize).min(crate::ui::view::detail::MAX_TEXT);
    let mut out: Vec<Line<'static>> = Vec::new();
    if w == 0 {
        return out;
    }
    let heading = |s: &str| Line::styled(text::truncate(s, w, theme.ellipsis()), theme.heading());
    let Some(review) = state.review.as_ref() else {
        return out;
    };
    let pos = review.pos;
    let reported = review.is_updated(pos);
    out.push(heading(&crate::tr!(
        "复核 {} · 第 {}/{} 项 · 待判断 {} 项",
        "review {} · task {}/{} · {} to judge",
        text::clean(&review.period),
        pos + 1,
        review.queue.len(),
        review.left()
    )));
    let latest = task.latest_period();
    let state_of_report = if reported {
        t("本期有新进展", "new progress this period").to_string()
    } else {
        match latest {
            Some(p) => crate::tr!(
                "本期未报告（最近一次：{}）",
                "not reported this period (last: {})",
                text::clean(&p.name)
            ),
            None => t(
                "本期未报告（从未报告进展）",
                "not reported this period (never reported)",
            )
            .to_string(),
        }
    };
    let judged = if review.judged.contains(&task.number) {
        t(" · 已判断", " · judged")
    } else {
        ""
    };
    out.push(Line::styled(
        text::truncate(&format!("{state_of_report}{judged}"), w, theme.ellipsis()),
        if reported { theme.dim() } else { theme.error() },
    ));
    out.push(Line::raw(""));
    out.push(heading(t("目标与任务", "goal and task")));
    push_wrapped(&mut out, &task.goal, w, 2, Style::new());
    out.push(Line::raw(""));
    push_status(&mut out, state, task, w);
    push_field(
        &mut out,
        t("牵头单位", "leads"),
        vec![Span::raw(crate::units::with_canonical(&task.lead_units))],
        w,
        theme,
    );

    // The figures this period changed, when there is an earlier period to compare with.
    if reported {
        if let Some(d) = periods::latest_diff(task) {
            let arrow = theme.arrow();
            out.push(Line::raw(""));
            out.push(heading(&crate::tr!(
                "数字变化（{} 项，对比 {}）",
                "figures changed ({}, against {})",
                d.changed_figures.len(),
                text::clean(&d.previous)
            )));
            for c in &d.changed_figures {
                let line = Line::from(vec![
                    Span::raw(format!("  {}  ", text::clean(&c.label))),
                    Span::raw(figure_value(&c.before)),
                    Span::raw(format!(" {arrow} ")),
                    Span::styled(figure_value(&c.after), theme.changed()),
                ]);
                out.push(line);
            }
        }
    }
    if let Some(p) = latest {
        out.push(Line::raw(""));
        out.push(heading(&crate::tr!(
            "工作进展 · {}{}",
            "progress · {}{}",
            text::clean(&p.name),
            if reported {
                t("（本期）", " (this period)")
            } else {
                ""
            }
        )));
        if p.paragraphs.iter().all(|x| x.trim().is_empty()) {
            out.push(Line::styled(t("  （空）", "  (empty)"), theme.dim()));
        }
        for para in &p.paragraphs {
            for item in text::split_items(para) {
                push_wrapped(&mut out, &item, w, 2, Style::new());
            }
        }
    }
    if !task.notes.is_empty() {
        out.push(Line::raw(""));
        out.push(heading(&crate::tr!(
            "备注（{} 条，最新一条）",
            "notes ({}, the latest)",
            task.notes.len()
        )));
        if let Some(n) = task.notes.last() {
            push_wrapped(&mut out, &n.text, w, 2, Style::new());
        }
    }
    out
}

pub fn render(state: &State, number: u32, scroll: usize, l: TextLayout, buf: &mut Buffer) {
    render_task(state, number, scroll, l, buf, lines);
}
