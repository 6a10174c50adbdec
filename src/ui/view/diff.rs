//! The period diff (`d` in the detail): a task's latest period against the one before it.
//! Changed figures first (`完成率  64% → 87%`, then counted amounts paired by what they
//! count: `5G基站  1175处 → 1420处`), then the sentences the latest period added
//! (`+`, green), those it dropped (`-`, red) and those it kept (dim), each wrapped by display
//! width with text.rs. A changed figure is also marked inside its sentence in reverse video
//! and bold, so the diff reads the same under `NO_COLOR`; `+` and `-` never rely on colour.

use crate::figures::Figure;
use crate::lang::t;
use crate::model::Task;
use crate::periods::{self, PeriodDiff, Sentence};
use crate::ui::app::State;
use crate::ui::text;
use crate::ui::theme::Theme;
use crate::ui::view::detail::{self, MAX_TEXT};
use crate::ui::view::layout::TextLayout;
use ratatui::buffer::Buffer;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use std::ops::Range;

/// Wraps styled runs of text to `max` columns exactly as `text::wrap` wraps their plain text,
/// each character keeping its run's style.
pub fn wrap_styled(runs: &[(String, Style)], max: usize) -> Vec<Vec<Span<'static>>> {
    let chars: Vec<(char, Style)> = runs
        .iter()
        .flat_map(|(s, st)| text::clean(s).chars().map(|c| (c, *st)).collect::<Vec<_>>())
        .collect();
    let plain: String = chars.iter().map(|(c, _)| *c).collect();
    let mut i = 0;
    let mut out = Vec::new();
    for line in text::wrap(&plain, max) {
        let mut spans: Vec<Span<'static>> = Vec::new();
        let mut cur = String::new();
        let mut cur_style: Option<Style> = None;
        for c in line.chars() {
            // `wrap` only ever leaves characters out (blanks at a line start, glyphs wider
            // than the line): skip those to find this one.
            while i < chars.len() && chars[i].0 != c {
                i += 1;
            }
            let style = chars.get(i).map(|(_, s)| *s).unwrap_or_default();
            i += 1;
            if cur_style != Some(style) {
                if let Some(st) = cur_style {
                    spans.push(Span::styled(std::mem::take(&mut cur), st));
                }
                cur_style = Some(style);
            }
            cur.push(c);
        }
        if let Some(st) = cur_style {
            spans.push(Span::styled(cur, st));
        }
        out.push(spans);
    }
    out
}

/// Pushes styled runs wrapped under a `lead` of two columns (`+ `, `- `, or blanks); the
/// continuation lines are indented by as much.
fn push_runs(
    out: &mut Vec<Line<'static>>,
    lead: (&str, Style),
    runs: &[(String, Style)],
    w: usize,
) {
    let indent = if w > 6 { text::width(lead.0) } else { 0 };
    for (i, spans) in wrap_styled(runs, w - indent).into_iter().enumerate() {
        let mut line = Vec::with_capacity(spans.len() + 1);
        if indent > 0 {
            if i == 0 {
                line.push(Span::styled(lead.0.to_string(), lead.1));
            } else {
                line.push(Span::raw(" ".repeat(indent)));
            }
        }
        line.extend(spans);
        out.push(Line::from(line));
    }
}

/// A sentence as styled runs: `base`, with the parts inside `marks` (char ranges of the
/// period text the sentence's span is into) in `mark`.
fn sentence_runs(
    s: &Sentence,
    marks: &[Range<usize>],
    base: Style,
    mark: Style,
) -> Vec<(String, Style)> {
    let chars: Vec<char> = s.text.chars().collect();
    let marked = |i: usize| marks.iter().any(|m| m.contains(&(s.span.start + i)));
    let mut runs: Vec<(String, Style)> = Vec::new();
    for (i, c) in chars.iter().enumerate() {
        let style = if marked(i) { base.patch(mark) } else { base };
        match runs.last_mut() {
            Some((t, st)) if *st == style => t.push(*c),
            _ => runs.push((c.to_string(), style)),
        }
    }
    runs
}

/// A figure's value without its label: `64%`, `30/47座(63.83%)`.
pub fn figure_value(f: &Figure) -> String {
    let summary = f.summary();
    match summary.strip_prefix(f.label.as_str()) {
        Some(rest) if !rest.is_empty() && !rest.starts_with('(') => rest.to_string(),
        _ => summary,
    }
}

fn section(out: &mut Vec<Line<'static>>, title: &str, w: usize, theme: &Theme) {
    out.push(Line::raw(""));
    out.push(Line::styled(
        text::truncate(title, w, theme.ellipsis()),
        theme.heading(),
    ));
}

/// The diff's lines for a diff already made (for tests and for other periods than the latest).
pub fn diff_lines(state: &State, task: &Task, d: &PeriodDiff, width: u16) -> Vec<Line<'static>> {
    let theme = &state.theme;
    let w = (width as usize).min(MAX_TEXT);
    let mut out: Vec<Line<'static>> = Vec::new();
    if w == 0 {
        return out;
    }
    let arrow = theme.arrow();
    out.push(Line::styled(
        text::truncate(
            &crate::tr!(
                "变化 · {} {arrow} {}",
                "changes · {} {arrow} {}",
                text::clean(&d.previous),
                text::clean(&d.current)
            ),
            w,
            theme.ellipsis(),
        ),
        theme.heading(),
    ));
    detail::push_status(&mut out, state, task, w);
    if d.is_empty() {
        out.push(Line::raw(""));
        push_runs(
            &mut out,
            ("  ", Style::new()),
            &[(
                t(
                    "无变化：两期的句子和数字都相同",
                    "no change: the same sentences and figures in both",
                )
                .to_string(),
                theme.dim(),
            )],
            w,
        );
    }

    // Figures first: they are what the office reads a report for.
    section(
        &mut out,
        &crate::tr!(
            "数字变化（{}）",
            "figures changed ({})",
            d.changed_figures.len() + d.changed_amounts.len()
        ),
        w,
        theme,
    );
    if d.changed_figures.is_empty() && d.changed_amounts.is_empty() {
        out.push(Line::styled(
            text::truncate(
                t("  （没有数字变化）", "  (no figure changed)"),
                w,
                theme.ellipsis(),
            ),
            theme.dim(),
        ));
    }
    for c in &d.changed_figures {
        push_runs(
            &mut out,
            ("  ", Style::new()),
            &[
                (format!("{}  ", text::clean(&c.label)), Style::new()),
                (figure_value(&c.before), Style::new()),
                (format!(" {arrow} "), Style::new()),
                (figure_value(&c.after), theme.changed()),
            ],
            w,
        );
    }
    for c in &d.changed_amounts {
        push_runs(
            &mut out,
            ("  ", Style::new()),
            &[
                (format!("{}  ", text::clean(&c.label)), Style::new()),
                (text::clean(&c.before.text), Style::new()),
                (format!(" {arrow} "), Style::new()),
                (text::clean(&c.after.text), theme.changed()),
            ],
            w,
        );
    }
    for f in &d.new_figures {
        push_runs(
            &mut out,
            ("  ", Style::new()),
            &[
                (t("新出现  ", "new  ").to_string(), theme.dim()),
                (f.summary(), Style::new()),
            ],
            w,
        );
    }

    let after_marks: Vec<Range<usize>> = d
        .changed_figures
        .iter()
        .map(|c| c.after.text_span.clone())
        .chain(d.changed_amounts.iter().map(|c| c.after.text_span.clone()))
        .collect();
    let before_marks: Vec<Range<usize>> = d
        .changed_figures
        .iter()
        .map(|c| c.before.text_span.clone())
        .chain(d.changed_amounts.iter().map(|c| c.before.text_span.clone()))
        .collect();

    section(
        &mut out,
        &crate::tr!(
            "新增句子（{}） · {}",
            "sentences added ({}) · {}",
            d.added.len(),
            text::clean(&d.current)
        ),
        w,
        theme,
    );
    if d.added.is_empty() {
        out.push(Line::styled(
            text::truncate(t("  （无）", "  (none)"), w, theme.ellipsis()),
            theme.dim(),
        ));
    }
    for s in &d.added {
        let runs = sentence_runs(s, &after_marks, theme.added(), theme.changed());
        push_runs(&mut out, ("+ ", theme.added()), &runs, w);
    }

    section(
        &mut out,
        &crate::tr!(
            "删去句子（{}） · {}",
            "sentences removed ({}) · {}",
            d.removed.len(),
            text::clean(&d.previous)
        ),
        w,
        theme,
    );
    if d.removed.is_empty() {
        out.push(Line::styled(
            text::truncate(t("  （无）", "  (none)"), w, theme.ellipsis()),
            theme.dim(),
        ));
    }
    for s in &d.removed {
        let runs = sentence_runs(s, &before_marks, theme.removed(), theme.changed());
        push_runs(&mut out, ("- ", theme.removed()), &runs, w);
    }

    section(
        &mut out,
        &crate::tr!("未变句子（{}）", "sentences kept ({})", d.kept.len()),
        w,
        theme,
    );
    if d.kept.is_empty() {
        out.push(Line::styled(
            text::truncate(t("  （无）", "  (none)"), w, theme.ellipsis()),
            theme.dim(),
        ));
    }
    for s in &d.kept {
        push_runs(
            &mut out,
            ("  ", theme.dim()),
            &[(s.text.clone(), theme.dim())],
            w,
        );
    }
    out
}

/// Every line of the diff of a task's latest period at `width` columns (`update` uses the
/// count to limit scrolling).
pub fn lines(state: &State, task: &Task, width: u16) -> Vec<Line<'static>> {
    match periods::latest_diff(task) {
        Some(d) => diff_lines(state, task, &d, width),
        None => {
            let w = (width as usize).min(MAX_TEXT);
            if w == 0 {
                return Vec::new();
            }
            let why = match task.periods.as_slice() {
                [] => t(
                    "尚未报告进展，没有可比较的两期",
                    "no progress reported yet: no two periods to compare",
                )
                .to_string(),
                [p] => crate::tr!(
                    "只有一期进展（{}），没有可比较的上一期",
                    "one period of progress only ({}): no earlier one to compare",
                    text::clean(&p.name)
                ),
                _ => String::new(),
            };
            text::wrap(&why, w)
                .into_iter()
                .map(|l| Line::styled(l, state.theme.dim()))
                .collect()
        }
    }
}

pub fn render(state: &State, number: u32, scroll: usize, l: TextLayout, buf: &mut Buffer) {
    detail::render_task(state, number, scroll, l, buf, lines);
}
