//! The task list: number, status light (glyph, label, colour), goal cut to the width, lead unit.
//! From 80 columns, a row whose suggested status (序时进度) differs from its status shows it
//! after the label (`进度滞后→●`); the detail says why and `a` accepts it.
//! The selected row has a marker and reverse video, so it shows without colour; with our
//! backend a selection move stays under 400 bytes at 80 columns (research/tech-risks.md §7).

use crate::model::{Status, Task};
use crate::ui::app::{count_statuses, tab_label, Screen, State};
use crate::ui::text;
use crate::ui::theme::Theme;
use crate::ui::view::layout::ListLayout;
use crate::ui::view::tabs::{put_pieces, worded_summary};
use crate::ui::view::{fill, put, row};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

/// Column widths of a task row, from the left.
#[derive(Debug, Clone, Copy)]
pub struct Columns {
    pub marker: usize,
    pub number: usize,
    pub glyph: usize,
    /// The status label, and from 80 columns room after it for the suggested status.
    pub label: usize,
    pub role: usize,
    pub goal: usize,
    pub lead: usize,
}

impl Columns {
    pub fn new(width: u16, number_digits: usize, with_role: bool) -> Columns {
        let w = width as usize;
        let marker = 2;
        let number = number_digits + 1;
        let glyph = 2;
        let label = if w >= 80 {
            LABEL_WITH_SUGGESTION
        } else if w >= 60 {
            9
        } else {
            0
        };
        let role = if with_role && w >= 60 { 5 } else { 0 };
        let lead = if w >= 40 { (w / 5).clamp(9, 25) } else { 0 };
        let goal = w.saturating_sub(marker + number + glyph + label + role + lead);
        Columns {
            marker,
            number,
            glyph,
            label,
            role,
            goal,
            lead,
        }
    }
}

/// The label column when it also has room for the suggested status: `进度滞后→● `.
pub const LABEL_WITH_SUGGESTION: usize = 12;

/// The lead unit as the list shows it: the first lead as the report wrote it (the short form
/// staff use, `市住建局`; the detail shows the canonical name too), `+N` when there are more.
pub fn lead_text(t: &Task) -> String {
    match t.lead_units.as_slice() {
        [] => String::new(),
        [one] => text::clean(&one.written),
        [first, rest @ ..] => format!("{}+{}", text::clean(&first.written), rest.len()),
    }
}

pub fn number_digits(state: &State) -> usize {
    state
        .tasks
        .iter()
        .map(|t| t.number)
        .max()
        .unwrap_or(1)
        .to_string()
        .len()
}

/// Draws one task row on line `y` of `area`: with `role` in a unit's list, with `suggested`
/// when the suggested status differs.
#[allow(clippy::too_many_arguments)]
pub fn task_row(
    buf: &mut Buffer,
    area: Rect,
    t: &Task,
    cols: &Columns,
    selected: bool,
    theme: &Theme,
    role: Option<&str>,
    suggested: Option<Status>,
) {
    let (mut x, y) = (area.x, area.y);
    let sel = theme.selected();
    if selected {
        // Reverse video over the whole row (visible without colour) plus a marker. Costs about
        // 330 bytes per move at 80 columns with our backend (a marker alone: about 70).
        fill(buf, area, area, sel);
        put(buf, area, x, y, theme.marker(), sel);
    }
    x = x.saturating_add(cols.marker as u16);
    let num = text::right(&t.number.to_string(), cols.number - 1);
    put(
        buf,
        area,
        x,
        y,
        &num,
        if selected { sel } else { Style::new() },
    );
    x = x.saturating_add(cols.number as u16);
    put(
        buf,
        area,
        x,
        y,
        theme.glyph(t.status),
        theme.status(t.status),
    );
    x = x.saturating_add(cols.glyph as u16);
    if cols.label > 0 {
        put(buf, area, x, y, t.status.label(), theme.status(t.status));
        if let Some(s) = suggested.filter(|_| cols.label >= LABEL_WITH_SUGGESTION) {
            let arrow = if theme.ascii { ">" } else { "→" };
            let ax = put(buf, area, x.saturating_add(8), y, arrow, theme.dim());
            put(buf, area, ax, y, theme.glyph(s), theme.status(s));
        }
        x = x.saturating_add(cols.label as u16);
    }
    if cols.role > 0 {
        if let Some(r) = role {
            put(buf, area, x, y, r, theme.dim());
        }
        x = x.saturating_add(cols.role as u16);
    }
    if cols.goal > 1 {
        let goal = text::truncate(&text::clean(&t.goal), cols.goal - 1, theme.ellipsis());
        put(buf, area, x, y, &goal, Style::new());
    }
    x = x.saturating_add(cols.goal as u16);
    if cols.lead > 0 {
        let lead = text::truncate(&lead_text(t), cols.lead, theme.ellipsis());
        put(buf, area, x, y, &lead, Style::new());
    }
}

/// The column titles (as in the report's table).
pub fn header(buf: &mut Buffer, area: Rect, cols: &Columns, theme: &Theme, filter: Option<String>) {
    if area.is_empty() {
        return;
    }
    let y = area.y;
    let style = theme.dim();
    let num_end = (cols.marker + cols.number).saturating_sub(1);
    let head = text::right("序号", num_end);
    put(buf, area, area.x, y, &head, style);
    let mut x = area.x.saturating_add((cols.marker + cols.number) as u16);
    let status = if cols.label >= LABEL_WITH_SUGGESTION {
        "状态 (→建议)"
    } else {
        "状态"
    };
    put(buf, area, x, y, status, style);
    x = x.saturating_add((cols.glyph + cols.label) as u16);
    if cols.role > 0 {
        put(buf, area, x, y, "角色", style);
        x = x.saturating_add(cols.role as u16);
    }
    let mut after = put(buf, area, x, y, "目标与任务", style);
    if let Some(f) = filter {
        after = put(buf, area, after + 2, y, &f, theme.heading());
    }
    x = x.saturating_add(cols.goal as u16);
    if cols.lead > 0 && x > after {
        put(buf, area, x, y, "牵头单位", style);
    }
}

pub fn filter_label(state: &State, shown: usize) -> Option<String> {
    state
        .search
        .as_ref()
        .map(|q| format!("[filter \"{}\": {shown}]", text::clean(q)))
}

pub fn render(state: &State, l: ListLayout, buf: &mut Buffer) {
    let theme = &state.theme;
    let unit = match state.screen() {
        Some(Screen::UnitTasks { unit, .. }) => Some(unit.as_str()),
        _ => None,
    };
    match unit {
        Some(u) => unit_title(state, u, l.title, buf),
        None => crate::ui::view::tabs::render(state, l.title, buf),
    }
    let tasks = state.list_tasks();
    let cols = Columns::new(l.body.width, number_digits(state), unit.is_some());
    header(
        buf,
        l.header,
        &cols,
        theme,
        filter_label(state, tasks.len()),
    );
    if l.body.is_empty() {
        return;
    }
    if tasks.is_empty() {
        let why = match (&state.search, unit) {
            (Some(q), _) => format!(
                "  no task matches \"{}\" (Esc clears the filter)",
                text::clean(q)
            ),
            (None, Some(u)) => format!("  {u} has no task in {}", tab_label(state.tab)),
            (None, None) => format!("  no task in {}", tab_label(state.tab)),
        };
        put(buf, row(l.body, 0), l.body.x, l.body.y, &why, theme.dim());
        return;
    }
    let rows = l.body.height as usize;
    let selected = state.list_selected();
    let idx = selected
        .and_then(|n| tasks.iter().position(|t| t.number == n))
        .unwrap_or(0);
    let offset = crate::ui::app::keep_visible(state.list_offset(), idx, rows, tasks.len());
    for (i, t) in tasks.iter().skip(offset).take(rows).enumerate() {
        let role = unit.map(|u| if t.leads(u) { "牵头" } else { "协同" });
        task_row(
            buf,
            row(l.body, i as u16),
            t,
            &cols,
            Some(t.number) == selected,
            theme,
            role,
            state.differing_suggestion(t).map(|s| s.status),
        );
    }
}

/// The title of a unit's task list: its name, its counts and the lights of the tasks it leads.
fn unit_title(state: &State, unit: &str, area: Rect, buf: &mut Buffer) {
    if area.is_empty() {
        return;
    }
    let theme = &state.theme;
    let in_tab: Vec<&Task> = state.tab_tasks(state.tab).collect();
    let lead: Vec<&Task> = in_tab.iter().copied().filter(|t| t.leads(unit)).collect();
    let co = in_tab
        .iter()
        .filter(|t| t.involves(unit) && !t.leads(unit))
        .count();
    let title = format!(
        " {} · {} · 牵头 {} · 协同 {} ",
        text::clean(unit),
        tab_label(state.tab),
        lead.len(),
        co
    );
    put(buf, row(area, 0), area.x, area.y, &title, theme.heading());
    if area.height >= 2 {
        let counts = count_statuses(lead.iter().copied());
        let mut pieces = vec![("牵头任务: ".to_string(), theme.dim())];
        pieces.extend(worded_summary(theme, &counts));
        put_pieces(buf, row(area, 1), area.x, area.y + 1, &pieces);
    }
}
