//! Views only draw: each takes the state and a rectangle and writes into the buffer, never
//! outside the rectangle, at any size down to 1×1. Text is cut by display width here; nothing
//! relies on a widget's wrapping.

pub mod detail;
pub mod diff;
pub mod help;
pub mod import;
pub mod layout;
pub mod list;
pub mod review;
pub mod status;
pub mod tabs;
pub mod units;

use crate::ui::app::{Screen, State};
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::Line;

/// Draws the whole screen into `area`. Returns where the terminal cursor should be (the input
/// line's cursor, so an input method's candidate window follows it), if anywhere.
pub fn render(state: &State, area: Rect, buf: &mut Buffer) -> Option<Position> {
    let area = area.intersection(buf.area);
    if area.is_empty() {
        return None;
    }
    let status_area = match state.screen() {
        None | Some(Screen::UnitTasks { .. }) => {
            let l = layout::list(area);
            list::render(state, l, buf);
            l.status
        }
        Some(Screen::Units { selected, offset }) => {
            let l = layout::list(area);
            units::render(state, selected.as_deref(), *offset, l, buf);
            l.status
        }
        Some(Screen::Detail { number, scroll }) => {
            let l = layout::text(area);
            detail::render(state, *number, *scroll, l, buf);
            l.status
        }
        Some(Screen::Review { number, scroll }) => {
            let l = layout::text(area);
            review::render(state, *number, *scroll, l, buf);
            l.status
        }
        Some(Screen::Help { scroll }) => {
            let l = layout::text(area);
            help::render(state, *scroll, l, buf);
            l.status
        }
        Some(Screen::Diff { number, scroll }) => {
            let l = layout::text(area);
            diff::render(state, *number, *scroll, l, buf);
            l.status
        }
        Some(Screen::Import { selected, offset }) => {
            let l = layout::import(area);
            import::render(state, *selected, *offset, l, buf);
            l.status
        }
    };
    // Tab's choices for a typed path, just above the input line.
    let above = Rect::new(
        area.x,
        area.y,
        area.width,
        status_area.y.saturating_sub(area.y),
    );
    import::completion(state, above, buf);
    let cursor = status::render(state, status_area, buf);
    if state.theme.ascii {
        ascii_pass(buf, area);
    }
    cursor
}

/// One-cell stand-ins for the East-Asian-ambiguous characters that terminals configured for
/// CJK draw two cells wide (quotes, middle dot, ellipsis, dashes, box lines, arrows, shapes,
/// circled numbers), so `--ascii` keeps every column where the layout put it, the data's
/// punctuation included.
fn ascii_stand_in(c: char) -> Option<char> {
    Some(match c {
        '“' | '”' | '″' => '"',
        '‘' | '’' | '′' => '\'',
        '·' | '•' | '・' => '.',
        '…' => '~',
        '—' | '–' | '─' | '━' | '―' => '-',
        '│' | '┃' => '|',
        '→' => '>',
        '←' => '<',
        '↑' => '^',
        '↓' => 'v',
        '○' | '◎' | '□' => 'o',
        '●' | '■' | '◆' | '★' => '*',
        '☆' | '◇' => '+',
        '▲' | '△' => '^',
        '▶' | '►' => '>',
        '×' => 'x',
        '°' => 'o',
        '①'..='⑨' => char::from(b'1' + (c as u32 - '①' as u32) as u8),
        '⑩'..='⑳' => '#',
        _ => return None,
    })
}

/// Replaces ambiguous-width characters in `area` with their one-cell ASCII stand-ins.
fn ascii_pass(buf: &mut Buffer, area: Rect) {
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            let cell = &mut buf[(x, y)];
            let mut chars = cell.symbol().chars();
            if let (Some(c), None) = (chars.next(), chars.next()) {
                if let Some(a) = ascii_stand_in(c) {
                    cell.set_char(a);
                }
            }
        }
    }
}

/// Writes `text` at (x, y), clipped to `area` by display width (a wide glyph that does not fit
/// is left out whole). Returns the column after the text.
pub fn put(buf: &mut Buffer, area: Rect, x: u16, y: u16, text: &str, style: Style) -> u16 {
    if y < area.top() || y >= area.bottom() || x < area.left() || x >= area.right() {
        return x;
    }
    let max = (area.right() - x) as usize;
    buf.set_stringn(x, y, text, max, style).0
}

/// Writes `s` cut to `max` columns (ending in `ellipsis` when cut) at (x, y), with the
/// characters at `marks` (char indices into `s`, ascending) in the `mark` style laid over.
/// Returns the column after the text.
#[allow(clippy::too_many_arguments)]
pub fn put_marked(
    buf: &mut Buffer,
    area: Rect,
    (x, y): (u16, u16),
    s: &str,
    max: usize,
    ellipsis: &str,
    (style, mark): (Style, Style),
    marks: &[usize],
) -> u16 {
    let shown = crate::ui::text::truncate(s, max, ellipsis);
    let end = put(buf, area, x, y, &shown, style);
    if marks.is_empty() {
        return end;
    }
    // Columns of `s` that made it on screen (the ellipsis is not `s`).
    let visible = if shown.len() == s.len() {
        crate::ui::text::width(s)
    } else {
        let ew = crate::ui::text::width(ellipsis);
        crate::ui::text::width(crate::ui::text::prefix(s, max.saturating_sub(ew)))
    };
    let mut col = 0usize;
    for (i, c) in s.chars().enumerate() {
        let w = crate::ui::text::char_width(c);
        if col + w > visible {
            break;
        }
        if marks.binary_search(&i).is_ok() {
            let cx = x as usize + col;
            let r = Rect::new(cx.min(u16::MAX as usize) as u16, y, w.max(1) as u16, 1);
            let r = r.intersection(area);
            if !r.is_empty() {
                buf.set_style(r, mark);
            }
        }
        col += w;
    }
    end
}

/// Writes a styled line at the start of row `y` of `area`, clipped to the area.
pub fn put_line(buf: &mut Buffer, area: Rect, y: u16, line: &Line<'_>) {
    if y < area.top() || y >= area.bottom() || area.width == 0 {
        return;
    }
    let mut x = area.x;
    for span in &line.spans {
        if x >= area.right() {
            break;
        }
        x = put(buf, area, x, y, &span.content, line.style.patch(span.style));
    }
}

/// Sets the style of a rectangle (clipped to `area`).
pub fn fill(buf: &mut Buffer, area: Rect, rect: Rect, style: Style) {
    let r = rect.intersection(area);
    if !r.is_empty() {
        buf.set_style(r, style);
    }
}

/// A row of `area` as its own rectangle.
pub fn row(area: Rect, i: u16) -> Rect {
    if i >= area.height {
        return Rect::new(area.x, area.y, area.width, 0);
    }
    Rect::new(area.x, area.y + i, area.width, 1)
}
