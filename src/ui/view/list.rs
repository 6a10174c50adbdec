//! The task list: number, status light (glyph, label, colour), goal cut to the width, lead unit.
//! From 80 columns, a row whose suggested status (序时进度) differs from its status shows it
//! after the label (`进度滞后→●`); the detail says why and `a` accepts it.
//! The selected row has a marker and reverse video, so it shows without colour; with our
//! backend a selection move stays under 400 bytes at 80 columns (research/tech-risks.md §7).
//! Under a search, rows come best hit first with the matched characters marked: in the goal;
//! in the unit column when a unit matched; a progress or note hit shows its snippet in place
//! of the goal, tagged 进展 or 备注.

use crate::lang;
use crate::model::{Status, Task, TaskSummary};
use crate::search::{Field, Hit, Place};
use crate::ui::action::Action;
use crate::ui::app::{count_statuses, tab_label, ListFilter, ListOrder, Screen, State};
use crate::ui::keymap::Mode;
use crate::ui::text;
use crate::ui::theme::Theme;
use crate::ui::view::layout::ListLayout;
use crate::ui::view::tabs::{put_pieces, worded_summary};
use crate::ui::view::{fill, put, put_marked, row};
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
pub const LABEL_WITH_SUGGESTION: usize = 13;

/// The lead unit as the list shows it: the first lead as the report wrote it (the short form
/// staff use, `市住建局`; the detail shows the canonical name too), `+N` when there are more.
pub fn lead_text(t: &TaskSummary) -> String {
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

/// What a row shows in its goal and unit columns, with the characters to mark.
struct RowText {
    /// A dim tag before the goal column's text (`进展 `), when it shows a snippet.
    tag: Option<&'static str>,
    goal: String,
    goal_marks: Vec<usize>,
    /// `协 ` when the unit column shows a matched co-responsible unit, not the lead.
    lead_tag: Option<&'static str>,
    lead: String,
    lead_marks: Vec<usize>,
}

impl RowText {
    /// The row of `t`; a hit in a unit, a note or a progress paragraph is shown from the
    /// `whole` task once it is here (read for the rows on screen), the goal meanwhile.
    fn new(t: &TaskSummary, hit: Option<&Hit>, whole: Option<&Task>) -> RowText {
        let mut r = RowText {
            tag: None,
            goal: text::clean(&t.goal),
            goal_marks: hit.map(Hit::goal_highlights).unwrap_or_default(),
            lead_tag: None,
            lead: lead_text(t),
            lead_marks: Vec::new(),
        };
        let (Some(hit), Some(t)) = (hit, whole) else {
            return r;
        };
        match hit.field {
            Field::Unit => {
                let (unit, marks) = hit.text_and_highlights(t);
                if matches!(hit.place(t), Some(Place::Unit { lead: false, .. })) {
                    r.lead_tag = Some(lang::t("协 ", "co "));
                }
                r.lead = text::clean(&unit);
                r.lead_marks = marks;
            }
            Field::Progress | Field::Note => {
                let (snippet, marks) = hit.text_and_highlights(t);
                r.tag = Some(if hit.field == Field::Note {
                    lang::t("备注 ", "note ")
                } else {
                    lang::t("进展 ", "prog ")
                });
                r.goal = text::clean(&snippet);
                r.goal_marks = marks;
            }
            _ => {}
        }
        r
    }
}

/// When the first marked character of `s` would fall in the last third of `room` columns or
/// beyond, cuts the start (marking the cut with `ellipsis`) so it shows a few columns in.
/// Returns the text to show and its marks.
fn bring_into_view(s: &str, marks: &[usize], room: usize, ellipsis: &str) -> (String, Vec<usize>) {
    let chars: Vec<char> = s.chars().collect();
    // Marks past the end (results for a task edited since) are dropped, not trusted.
    let marks: Vec<usize> = marks.iter().copied().filter(|&m| m < chars.len()).collect();
    let Some(&first) = marks.first() else {
        return (s.to_string(), Vec::new());
    };
    let col: usize = chars.iter().take(first).map(|c| text::char_width(*c)).sum();
    if col + 2 <= room * 2 / 3 {
        return (s.to_string(), marks);
    }
    // Keep about a sixth of the room before the hit, for context.
    let keep = (room / 6).max(2);
    let mut skip = first;
    let mut before = 0;
    while skip > 0 {
        let w = text::char_width(chars[skip - 1]);
        if before + w > keep {
            break;
        }
        before += w;
        skip -= 1;
    }
    let lead = ellipsis.chars().count();
    let mut out: String = ellipsis.to_string();
    out.extend(&chars[skip..]);
    let marks = marks
        .iter()
        .filter(|&&m| m >= skip)
        .map(|m| m - skip + lead)
        .collect();
    (out, marks)
}

/// Draws one task row on line `y` of `area`: with `role` in a unit's list, with `suggested`
/// when the suggested status differs, with its search `hit` marked (from the `whole` task
/// when the hit is in its text).
#[allow(clippy::too_many_arguments)]
pub fn task_row(
    buf: &mut Buffer,
    area: Rect,
    t: &TaskSummary,
    cols: &Columns,
    selected: bool,
    theme: &Theme,
    role: Option<&str>,
    suggested: Option<Status>,
    hit: Option<&Hit>,
    whole: Option<&Task>,
    updated: bool,
) {
    let (mut x, y) = (area.x, area.y);
    let sel = theme.selected();
    if selected {
        // Reverse video over the whole row (visible without colour) plus a marker. Costs about
        // 330 bytes per move at 80 columns with our backend (a marker alone: about 70).
        fill(buf, area, area, sel);
        put(buf, area, x, y, theme.marker(), sel);
    }
    if updated {
        // The latest report updated this task (ASCII: one column in every terminal).
        let style = if selected { sel } else { theme.changed() };
        put(buf, area, x.saturating_add(1), y, "*", style);
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
            let ax = put(buf, area, x.saturating_add(9), y, arrow, theme.dim());
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
    let base = if selected { sel } else { Style::new() };
    let mark = base.patch(theme.matched());
    let shown = RowText::new(t, hit, whole);
    if cols.goal > 1 {
        let mut gx = x;
        let mut room = cols.goal - 1;
        if let Some(tag) = shown.tag.filter(|tag| text::width(tag) + 4 <= room) {
            gx = put(buf, area, gx, y, tag, base.patch(theme.dim()));
            room -= text::width(tag);
        }
        let (goal, marks) = bring_into_view(&shown.goal, &shown.goal_marks, room, theme.ellipsis());
        put_marked(
            buf,
            area,
            (gx, y),
            &goal,
            room,
            theme.ellipsis(),
            (base, mark),
            &marks,
        );
    }
    x = x.saturating_add(cols.goal as u16);
    if cols.lead > 0 {
        let mut room = cols.lead;
        if let Some(tag) = shown.lead_tag.filter(|tag| text::width(tag) + 4 <= room) {
            x = put(buf, area, x, y, tag, base.patch(theme.dim()));
            room -= text::width(tag);
        }
        put_marked(
            buf,
            area,
            (x, y),
            &shown.lead,
            room,
            theme.ellipsis(),
            (base, mark),
            &shown.lead_marks,
        );
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
    let head = text::right(lang::t("序号", "No."), num_end);
    put(buf, area, area.x, y, &head, style);
    let mut x = area.x.saturating_add((cols.marker + cols.number) as u16);
    let status = if cols.label >= LABEL_WITH_SUGGESTION {
        lang::t("状态 (→建议)", "status (→sugg)")
    } else {
        lang::t("状态", "status")
    };
    put(buf, area, x, y, status, style);
    x = x.saturating_add((cols.glyph + cols.label) as u16);
    if cols.role > 0 {
        put(buf, area, x, y, lang::t("角色", "role"), style);
        x = x.saturating_add(cols.role as u16);
    }
    let mut after = put(
        buf,
        area,
        x,
        y,
        lang::t("目标与任务", "goal and task"),
        style,
    );
    if let Some(f) = filter {
        after = put(buf, area, after + 2, y, &f, theme.heading());
    }
    x = x.saturating_add(cols.goal as u16);
    if cols.lead > 0 && x > after {
        put(buf, area, x, y, lang::t("牵头单位", "lead unit"), style);
    }
}

/// `[搜索“黑臭水体”：4 项]`, with `…` while a newer search runs, or the query's problem;
/// then the list's filter and order when they are not the default.
pub fn filter_label(state: &State, shown: usize) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(q) = state.search.as_ref() {
        let q = text::clean(q);
        parts.push(match state.search_warning() {
            Some(w) => crate::tr!("[搜索“{q}”：{}]", "[search \"{q}\": {}]", text::clean(w)),
            None if state.searching() => {
                crate::tr!("[搜索“{q}”：{shown} 项…]", "[search \"{q}\": {shown}…]")
            }
            None => crate::tr!("[搜索“{q}”：{shown} 项]", "[search \"{q}\": {shown}]"),
        });
    }
    if state.filter != ListFilter::All {
        parts.push(crate::tr!(
            "[筛选 {}：{shown} 项]",
            "[filter {}: {shown}]",
            state.filter.label()
        ));
    }
    if state.order != ListOrder::Number {
        parts.push(crate::tr!("[按{}]", "[by {}]", state.order.label()));
    }
    (!parts.is_empty()).then(|| parts.join(""))
}

/// Why the list under a search is empty: nothing matched (with the nearest unit names), or
/// the matches are in other tabs.
fn no_match(state: &State, q: &str) -> String {
    let q = text::clean(q);
    let key = |a: Action| state.keymap.hint(Mode::List, &a).unwrap_or_default();
    let elsewhere: usize = state.tab_counts(0).iter().sum();
    if elsewhere > 0 && state.tab != 0 {
        return crate::tr!(
            "  {} 中没有任务匹配“{q}”；其他领域有 {elsewhere} 项（{} 下一领域，{} 清除）",
            "  no task in {} matches \"{q}\"; {elsewhere} in other domains ({} next domain, {} clears)",
            tab_label(state.tab),
            key(Action::NextTab),
            key(Action::Back)
        );
    }
    let near = state.search_suggestions();
    if near.is_empty() {
        crate::tr!(
            "  没有任务匹配“{q}”（{} 清除搜索）",
            "  no task matches \"{q}\" ({} clears the search)",
            key(Action::Back)
        )
    } else {
        let near: Vec<String> = near.iter().take(3).map(|u| text::clean(u)).collect();
        crate::tr!(
            "  没有任务匹配“{q}” · 相近的单位：{}（{} 清除）",
            "  no task matches \"{q}\" · units near it: {} ({} clears)",
            near.join(" · "),
            key(Action::Back)
        )
    }
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
            (Some(_), _) if state.searching() && state.found.is_none() => {
                lang::t("  搜索中…", "  searching…").to_string()
            }
            (Some(q), _) => no_match(state, q),
            (None, Some(u)) => crate::tr!(
                "  {u} 在 {} 中没有任务",
                "  {u} has no task in {}",
                tab_label(state.tab)
            ),
            (None, None) if state.filter != ListFilter::All => crate::tr!(
                "  {} 中没有“{}”的任务（{} 换筛选）",
                "  no task in {} is \"{}\" ({} changes the filter)",
                tab_label(state.tab),
                state.filter.label(),
                state
                    .keymap
                    .hint(Mode::List, &Action::CycleFilter)
                    .unwrap_or_default()
            ),
            (None, None) => crate::tr!("  {} 中没有任务", "  no task in {}", tab_label(state.tab)),
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
        let role = unit.map(|u| {
            if t.leads(u) {
                lang::t("牵头", "lead")
            } else {
                lang::t("协同", "co")
            }
        });
        task_row(
            buf,
            row(l.body, i as u16),
            t,
            &cols,
            Some(t.number) == selected,
            theme,
            role,
            state.differing_suggestion(t).map(|s| s.status),
            state.hit(t.number),
            state.detail(t.number),
            state.updated_by_latest(t),
        );
    }
}

/// The title of a unit's task list: its name, its counts and the lights of the tasks it leads.
fn unit_title(state: &State, unit: &str, area: Rect, buf: &mut Buffer) {
    if area.is_empty() {
        return;
    }
    let theme = &state.theme;
    let in_tab: Vec<&TaskSummary> = state.tab_tasks(state.tab).collect();
    let lead: Vec<&TaskSummary> = in_tab.iter().copied().filter(|t| t.leads(unit)).collect();
    let co = in_tab
        .iter()
        .filter(|t| t.involves(unit) && !t.leads(unit))
        .count();
    let title = crate::tr!(
        " {} · {} · 牵头 {} · 协同 {} ",
        " {} · {} · leads {} · co {} ",
        text::clean(unit),
        tab_label(state.tab),
        lead.len(),
        co
    );
    put(buf, row(area, 0), area.x, area.y, &title, theme.heading());
    if area.height >= 2 {
        let counts = count_statuses(lead.iter().copied());
        let mut pieces = vec![(lang::t("牵头任务: ", "leads: ").to_string(), theme.dim())];
        pieces.extend(worded_summary(theme, &counts));
        put_pieces(buf, row(area, 1), area.x, area.y + 1, &pieces);
    }
}
