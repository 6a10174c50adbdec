//! The units view: every unit (canonical name) with its tasks as lead and as co, and the
//! lights of the tasks it leads; the most lagging first. Columns give way from the right on
//! narrow terminals, the name keeps at least a few characters.

use crate::lang::t;
use crate::model::Status;
use crate::ui::app::{keep_visible, State, UnitRow};
use crate::ui::text;
use crate::ui::view::layout::ListLayout;
use crate::ui::view::list::filter_label;
use crate::ui::view::{fill, put, row};
use ratatui::buffer::Buffer;
use ratatui::style::Style;

/// Width of each number column.
const NUM: usize = 6;

struct Col {
    title: String,
    style: Style,
    value: fn(&UnitRow) -> usize,
    status: Option<Status>,
}

pub fn render(
    state: &State,
    selected: Option<&str>,
    offset: usize,
    l: ListLayout,
    buf: &mut Buffer,
) {
    let theme = &state.theme;
    crate::ui::view::tabs::render(state, l.title, buf);
    let units = state.unit_rows();
    let g = |s: Status, word: &str| format!("{}{word}", theme.glyph(s));
    let all_cols = [
        Col {
            title: t("牵头", "lead").into(),
            style: Style::new(),
            value: |r| r.lead,
            status: None,
        },
        Col {
            title: t("协同", "co").into(),
            style: Style::new(),
            value: |r| r.co,
            status: None,
        },
        Col {
            title: g(Status::SeriouslyBehind, t("严重", "sev")),
            style: theme.status(Status::SeriouslyBehind),
            value: UnitRow::red,
            status: Some(Status::SeriouslyBehind),
        },
        Col {
            title: g(Status::Behind, t("滞后", "late")),
            style: theme.status(Status::Behind),
            value: UnitRow::yellow,
            status: Some(Status::Behind),
        },
        Col {
            title: g(Status::OnTrack, t("正常", "ok")),
            style: theme.status(Status::OnTrack),
            value: UnitRow::green,
            status: Some(Status::OnTrack),
        },
        Col {
            title: g(Status::Done, t("完成", "done")),
            style: theme.status(Status::Done),
            value: UnitRow::done,
            status: Some(Status::Done),
        },
    ];
    let w = l.body.width as usize;
    let marker = 2;
    let name_min = 10;
    let fit = (w.saturating_sub(marker + name_min) / NUM).min(all_cols.len());
    let cols = &all_cols[..fit];
    // Names are short: on wide terminals the numbers stay near them.
    let name_w = w.saturating_sub(marker + fit * NUM).min(36);

    if !l.header.is_empty() {
        let y = l.header.y;
        let mut after = put(
            buf,
            l.header,
            l.header.x + marker as u16,
            y,
            t("责任单位（规范名称）", "unit (canonical)"),
            theme.dim(),
        );
        if let Some(f) = filter_label(state, units.len()) {
            after = put(buf, l.header, after + 2, y, &f, theme.heading());
        }
        let mut x = l.header.x + (marker + name_w) as u16;
        for c in cols {
            if x >= after {
                put(
                    buf,
                    l.header,
                    x,
                    y,
                    &text::right(&c.title, NUM),
                    theme.dim(),
                );
            }
            x += NUM as u16;
        }
    }
    if l.body.is_empty() {
        return;
    }
    if units.is_empty() {
        let why = match &state.search {
            Some(q) => crate::tr!(
                "  没有单位匹配“{}”（Esc 清除筛选）",
                "  no unit matches \"{}\" (Esc clears the filter)",
                text::clean(q)
            ),
            None => t("  没有单位", "  no units").to_string(),
        };
        put(buf, row(l.body, 0), l.body.x, l.body.y, &why, theme.dim());
        return;
    }
    let rows = l.body.height as usize;
    let idx = selected
        .and_then(|s| units.iter().position(|u| u.unit == s))
        .unwrap_or(0);
    let offset = keep_visible(offset, idx, rows, units.len());
    for (i, u) in units.iter().skip(offset).take(rows).enumerate() {
        let area = row(l.body, i as u16);
        let y = area.y;
        let is_sel = offset + i == idx;
        if is_sel {
            fill(buf, area, area, theme.selected());
            put(buf, area, area.x, y, theme.marker(), theme.selected());
        }
        let name = text::truncate(
            &text::clean(&u.unit),
            name_w.saturating_sub(1),
            theme.ellipsis(),
        );
        put(buf, area, area.x + marker as u16, y, &name, Style::new());
        let mut x = area.x + (marker + name_w) as u16;
        for c in cols {
            let v = (c.value)(u);
            let style = if v == 0 && c.status.is_some() {
                theme.dim()
            } else {
                c.style
            };
            put(buf, area, x, y, &text::right(&v.to_string(), NUM), style);
            x += NUM as u16;
        }
    }
}
