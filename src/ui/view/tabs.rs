//! The domain tabs (全部 / 生态 / 民生 / 创新 / 改革): each with its task count and its traffic-
//! light summary. Two rows when there is room (names over summaries); narrower terminals get the
//! names and the current tab's summary in words.

use crate::model::Status;
use crate::ui::app::{tab_label, State, StatusCounts, TABS};
use crate::ui::text;
use crate::ui::theme::Theme;
use crate::ui::view::{fill, put, row};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

/// A summary as styled pieces.
type Pieces = Vec<(String, Style)>;

#[derive(Clone, Copy)]
enum Form {
    Spaced,
    Compact,
    NonZero,
}

/// `○3 ●5 ▲1 ■0 ✓2` in one of three densities.
fn glyph_summary(theme: &Theme, counts: &StatusCounts, form: Form) -> Pieces {
    let mut out = Vec::new();
    for (i, s) in Status::ALL.iter().enumerate() {
        if matches!(form, Form::NonZero) && counts[i] == 0 {
            continue;
        }
        if matches!(form, Form::Spaced) && !out.is_empty() {
            out.push((" ".to_string(), Style::new()));
        }
        out.push((
            format!("{}{}", theme.glyph(*s), counts[i]),
            theme.status(*s),
        ));
    }
    out
}

/// `○未启动 3  ●正常推进 5 …` for the current tab when the per-tab glyphs do not fit.
pub fn worded_summary(theme: &Theme, counts: &StatusCounts) -> Pieces {
    let mut out = Vec::new();
    for (i, s) in Status::ALL.iter().enumerate() {
        if !out.is_empty() {
            out.push(("  ".to_string(), Style::new()));
        }
        out.push((
            format!("{}{} {}", theme.glyph(*s), s.label(), counts[i]),
            theme.status(*s),
        ));
    }
    out
}

fn pieces_width(p: &Pieces) -> usize {
    p.iter().map(|(s, _)| text::width(s)).sum()
}

/// Draws pieces from `x` on row `y`, clipped to `area`; returns the column after them.
pub fn put_pieces(buf: &mut Buffer, area: Rect, mut x: u16, y: u16, pieces: &Pieces) -> u16 {
    for (s, style) in pieces {
        x = put(buf, area, x, y, s, *style);
    }
    x
}

pub fn render(state: &State, area: Rect, buf: &mut Buffer) {
    if area.is_empty() {
        return;
    }
    let theme = &state.theme;
    let counts: Vec<StatusCounts> = (0..TABS).map(|t| state.tab_counts(t)).collect();
    let names: Vec<String> = (0..TABS)
        .map(|t| format!("{} {}", tab_label(t), counts[t].iter().sum::<usize>()))
        .collect();
    let sep = theme.separator();
    let sep_w = text::width(sep);
    let width = area.width as usize;

    if area.height >= 2 {
        for form in [Form::Spaced, Form::Compact, Form::NonZero] {
            let sums: Vec<Pieces> = counts
                .iter()
                .map(|c| glyph_summary(theme, c, form))
                .collect();
            let cells: Vec<usize> = (0..TABS)
                .map(|t| text::width(&names[t]).max(pieces_width(&sums[t])) + 2)
                .collect();
            let total = cells.iter().sum::<usize>() + sep_w * (TABS - 1);
            if total > width {
                continue;
            }
            let mut x = area.x;
            for t in 0..TABS {
                let w = cells[t] as u16;
                if t == state.tab {
                    fill(buf, area, Rect::new(x, area.y, w, 1), theme.selected());
                }
                let style = if t == state.tab {
                    theme.selected()
                } else {
                    Style::new()
                };
                put(buf, area, x + 1, area.y, &names[t], style);
                put_pieces(buf, area, x + 1, area.y + 1, &sums[t]);
                x += w;
                if t + 1 < TABS {
                    put(buf, area, x, area.y, sep, theme.dim());
                    put(buf, area, x, area.y + 1, sep, theme.dim());
                    x += sep_w as u16;
                }
            }
            return;
        }
    }

    // Narrow: the names that fit (always the current one), then the current tab in words.
    let all: usize = names.iter().map(|n| text::width(n) + 2).sum::<usize>() + sep_w * (TABS - 1);
    let first = row(area, 0);
    if all <= width {
        let mut x = area.x;
        for (t, name) in names.iter().enumerate() {
            let w = (text::width(name) + 2) as u16;
            if t == state.tab {
                fill(buf, area, Rect::new(x, area.y, w, 1), theme.selected());
            }
            let style = if t == state.tab {
                theme.selected()
            } else {
                Style::new()
            };
            put(buf, first, x + 1, area.y, name, style);
            x += w;
            if t + 1 < TABS {
                put(buf, first, x, area.y, sep, theme.dim());
                x += sep_w as u16;
            }
        }
    } else {
        let label = format!(" {} ({}/{TABS}) ", names[state.tab], state.tab + 1);
        put(buf, first, area.x, area.y, &label, theme.selected());
    }
    if area.height >= 2 {
        let c = &counts[state.tab];
        let worded = worded_summary(theme, c);
        let pieces = if pieces_width(&worded) <= width {
            worded
        } else {
            glyph_summary(theme, c, Form::Spaced)
        };
        put_pieces(buf, row(area, 1), area.x, area.y + 1, &pieces);
    }
}
