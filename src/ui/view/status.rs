//! The bottom line: the one-line input when it is open (with the cursor measured in display
//! width), otherwise the last message (an edit confirmed in words, or an error) or key hints
//! generated from the loaded keymap, and where you are on the right.

use crate::lang::t;
use crate::ui::action::Action;
use crate::ui::app::{InputKind, MessageKind, Screen, Stage, State};
use crate::ui::keymap::Mode;
use crate::ui::text;
use crate::ui::view::{layout, put};
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;

/// Hints for a mode: (actions whose first keys are joined with `/`, word, priority). When the
/// line is too narrow the highest priority numbers go first; 0 is never dropped.
fn hint_items(mode: Mode) -> Vec<(Vec<Action>, &'static str, u8)> {
    use Action::*;
    match mode {
        Mode::List => vec![
            (vec![MoveDown, MoveUp], t("移动", "move"), 9),
            (vec![Open], t("打开", "open"), 1),
            (vec![CycleStatus], t("状态", "status"), 2),
            (vec![AddNote], t("备注", "note"), 5),
            (vec![Undo], t("撤销", "undo"), 6),
            (vec![NextTab], t("领域", "domain"), 4),
            (vec![Units], t("单位", "units"), 3),
            (vec![Search], t("搜索", "search"), 7),
            (vec![Help], t("帮助", "help"), 0),
            (vec![Close], t("退出", "quit"), 8),
        ],
        Mode::Detail => vec![
            (vec![MoveDown, MoveUp], t("滚动", "scroll"), 5),
            (vec![Back], t("返回", "back"), 1),
            (vec![CycleStatus], t("状态", "status"), 3),
            (vec![NextTask, PrevTask], t("下/上一项", "next/prev"), 4),
            (vec![ToggleDiff], t("对比", "changes"), 2),
            (vec![AcceptSuggestion], t("采纳", "accept"), 2),
            (vec![AddNote], t("备注", "note"), 6),
            (vec![Undo], t("撤销", "undo"), 7),
            (vec![Help], t("帮助", "help"), 0),
        ],
        Mode::Review => vec![
            (
                vec![
                    SetNotStarted,
                    SetOnTrack,
                    SetBehind,
                    SetSeriouslyBehind,
                    SetDone,
                ],
                t("判断", "judge"),
                0,
            ),
            (vec![AcceptSuggestion], t("采纳建议", "accept"), 0),
            (vec![Keep], t("维持", "keep"), 0),
            (vec![PrevTask], t("上一项", "previous"), 3),
            (vec![AddNote], t("备注", "note"), 2),
            (vec![Back], t("离开", "leave"), 1),
            (vec![MoveDown, MoveUp], t("滚动", "scroll"), 4),
        ],
        Mode::Units => vec![
            (vec![MoveDown, MoveUp], t("移动", "move"), 6),
            (vec![Open], t("任务", "tasks"), 1),
            (vec![Back], t("返回", "back"), 2),
            (vec![NextTab], t("领域", "domain"), 3),
            (vec![Search], t("筛选", "filter"), 4),
            (vec![Help], t("帮助", "help"), 0),
        ],
        Mode::Help => vec![
            (vec![MoveDown, MoveUp], t("滚动", "scroll"), 1),
            (vec![Back], t("关闭", "close"), 0),
        ],
        Mode::Input => vec![
            (vec![Submit], t("完成", "done"), 0),
            (vec![Cancel], t("取消", "cancel"), 0),
        ],
        Mode::Import => vec![
            (vec![MoveDown, MoveUp], t("滚动", "scroll"), 3),
            (vec![Submit], t("导入", "import"), 0),
            (
                vec![Cancel],
                t("取消（不写入）", "cancel (nothing written)"),
                0,
            ),
            (vec![Help], t("帮助", "help"), 2),
        ],
    }
}

/// `Enter open · s status · … · ? help`, dropping the least needed items until it fits.
pub fn hints(state: &State, mode: Mode, max: usize) -> String {
    let live = state.keymap.effective(mode);
    let first_key = |a: &Action| {
        live.iter()
            .find(|(_, b)| b == a)
            .map(|(k, _)| k.to_string())
    };
    let mut items: Vec<(String, u8)> = hint_items(mode)
        .into_iter()
        .filter_map(|(actions, word, prio)| {
            let keys: Vec<String> = actions.iter().filter_map(first_key).collect();
            (!keys.is_empty()).then(|| (format!("{} {word}", keys.join("/")), prio))
        })
        .collect();
    loop {
        let s = items
            .iter()
            .map(|(t, _)| t.as_str())
            .collect::<Vec<_>>()
            .join(" · ");
        let worst = items
            .iter()
            .enumerate()
            .filter(|(_, (_, p))| *p > 0)
            .max_by_key(|(_, (_, p))| *p)
            .map(|(i, _)| i);
        match worst {
            Some(i) if text::width(&s) > max => {
                items.remove(i);
            }
            _ => return text::truncate(&s, max, state.theme.ellipsis()),
        }
    }
}

/// Where you are: `14/116` in a list, `21-42/80` in a text.
fn position(state: &State) -> String {
    let size = state.size;
    match state.screen() {
        None | Some(Screen::UnitTasks { .. }) => {
            let tasks = state.list_tasks();
            let sel = state.list_selected();
            // `…` while more tasks are being read: the count will grow.
            let more = if state.loading.is_some() {
                state.theme.ellipsis()
            } else {
                ""
            };
            match tasks.iter().position(|t| Some(t.number) == sel) {
                Some(i) => format!("{}/{}{more}", i + 1, tasks.len()),
                None => format!("0/{}{more}", tasks.len()),
            }
        }
        Some(Screen::Units { selected, .. }) => {
            let units = state.unit_rows();
            let i = selected
                .as_ref()
                .and_then(|s| units.iter().position(|u| &u.unit == s))
                .map(|i| i + 1)
                .unwrap_or(0);
            crate::tr!("{i}/{} 个单位", "{i}/{} units", units.len())
        }
        Some(Screen::Detail { number, scroll }) => {
            let total = state
                .detail(*number)
                .map(|t| crate::ui::view::detail::lines(state, t, size.0).len())
                .unwrap_or(0);
            span(*scroll, layout::detail_rows(size), total)
        }
        Some(Screen::Review { number, scroll }) => {
            let total = state
                .detail(*number)
                .map(|t| crate::ui::view::review::lines(state, t, size.0).len())
                .unwrap_or(0);
            span(*scroll, layout::detail_rows(size), total)
        }
        Some(Screen::Diff { number, scroll }) => {
            let total = state
                .detail(*number)
                .map(|t| crate::ui::view::diff::lines(state, t, size.0).len())
                .unwrap_or(0);
            span(*scroll, layout::detail_rows(size), total)
        }
        Some(Screen::Help { scroll }) => {
            // The help as shown: in pages, padded so a section never runs across two.
            let rows = layout::detail_rows(size);
            let total =
                crate::ui::view::help::pages(&state.keymap, size.0, rows, &state.theme).len();
            span(*scroll, layout::detail_rows(size), total)
        }
        Some(Screen::Import { selected, .. }) => match state.import.as_ref().map(|p| &p.stage) {
            // `12/116` on a row; `1/3 not placed` on a line the importer could not place.
            Some(Stage::Ready { report, .. }) => {
                match selected.checked_sub(report.rows.len() + 1) {
                    Some(j) => crate::tr!(
                        "无法归位 {}/{}",
                        "{}/{} not placed",
                        j + 1,
                        report.unplaced.len()
                    ),
                    None => format!(
                        "{}/{}",
                        (selected + 1).min(report.rows.len()),
                        report.rows.len()
                    ),
                }
            }
            _ => String::new(),
        },
    }
}

fn span(scroll: usize, rows: usize, total: usize) -> String {
    let first = scroll.min(total.saturating_sub(rows));
    let last = (first + rows).min(total);
    if total <= rows {
        t("全部", "all").to_string()
    } else {
        format!("{}-{last}/{total}", first + 1)
    }
}

pub fn render(state: &State, area: Rect, buf: &mut Buffer) -> Option<Position> {
    if area.is_empty() {
        return None;
    }
    if state.input.is_some() {
        return input_line(state, area, buf);
    }
    let theme = &state.theme;
    let w = area.width as usize;
    let pos = position(state);
    let pos_w = text::width(&pos) + 1;
    // A message that fits the line only without the position gets the whole line: what was
    // done matters more than where the selection is.
    let message_w = state
        .message
        .as_ref()
        .map(|m| text::width(&m.text))
        .unwrap_or(0);
    let saves_message = message_w + pos_w + 1 > w && message_w <= w;
    let right_room = w >= pos_w + 20 && !saves_message;
    let left_max = if right_room { w - pos_w - 1 } else { w };
    match &state.message {
        Some(m) => {
            let style = match m.kind {
                MessageKind::Info => Style::new(),
                MessageKind::Ok => theme.ok(),
                MessageKind::Error => theme.error(),
            };
            let t = text::truncate(&text::clean(&m.text), left_max, theme.ellipsis());
            put(buf, area, area.x, area.y, &t, style);
        }
        None => {
            let h = hints(state, state.mode(), left_max);
            put(buf, area, area.x, area.y, &h, theme.dim());
        }
    }
    if right_room {
        put(
            buf,
            area,
            area.x + (w - pos_w + 1) as u16,
            area.y,
            &pos,
            theme.dim(),
        );
    }
    None
}

/// The input line: prompt, the text scrolled so the cursor shows, and the cursor's position.
fn input_line(state: &State, area: Rect, buf: &mut Buffer) -> Option<Position> {
    let input = state.input.as_ref()?;
    let theme = &state.theme;
    let prompt = match input.kind {
        InputKind::Note(n) => crate::tr!("#{n} 备注：", "#{n} note: "),
        InputKind::Search => t("搜索 /", "search /").to_string(),
        InputKind::ImportPath => t("导入文件：", "import file: ").to_string(),
        other => state.more_prompt(other).unwrap_or_default(),
    };
    let w = area.width as usize;
    let prompt = text::truncate(&prompt, w.saturating_sub(1), "");
    let x0 = put(buf, area, area.x, area.y, &prompt, theme.heading());
    let room = area.right().saturating_sub(x0) as usize;
    if room == 0 {
        return Some(Position::new(area.right().saturating_sub(1), area.y));
    }
    // Scroll by characters so the cursor column (display width) stays inside the room,
    // keeping one column free for the cursor at the end.
    let chars: Vec<(usize, char)> = input.text.char_indices().collect();
    let cursor_char = chars
        .iter()
        .position(|(i, _)| *i >= input.cursor)
        .unwrap_or(chars.len());
    let widths: Vec<usize> = chars.iter().map(|(_, c)| text::char_width(*c)).collect();
    let mut start = 0;
    let visible = room.saturating_sub(1);
    while start < cursor_char && widths[start..cursor_char].iter().sum::<usize>() > visible {
        start += 1;
    }
    let shown = &input.text[chars
        .get(start)
        .map(|(i, _)| *i)
        .unwrap_or(input.text.len())..];
    let shown = text::clean(shown);
    put(
        buf,
        area,
        x0,
        area.y,
        text::prefix(&shown, room),
        Style::new(),
    );
    if input.text.is_empty() {
        let done = state
            .keymap
            .hint(Mode::Input, &Action::Submit)
            .unwrap_or_default();
        let cancel = state
            .keymap
            .hint(Mode::Input, &Action::Cancel)
            .unwrap_or_default();
        let hint = match input.kind {
            InputKind::Note(_) => crate::tr!(
                "（输入备注，{done} 保存，{cancel} 取消）",
                "(type a note, {done} saves, {cancel} cancels)"
            ),
            InputKind::EditNote(..) => crate::tr!(
                "（{done} 删除这条备注，{cancel} 取消）",
                "({done} removes this note, {cancel} cancels)"
            ),
            InputKind::Goal(_) => crate::tr!(
                "（输入目标，{cancel} 取消）",
                "(type the goal, {cancel} cancels)"
            ),
            InputKind::Move(_) => crate::tr!(
                "（输入 1–4 或领域名，{done} 确定，{cancel} 取消）",
                "(type 1–4 or a domain, {done} moves, {cancel} cancels)"
            ),
            InputKind::ExportPath => crate::tr!(
                "（xlsx 文件路径，{done} 导出，{cancel} 取消）",
                "(an xlsx file path, {done} exports, {cancel} cancels)"
            ),
            InputKind::Search => {
                crate::tr!(
                    "（关键词、@单位、#52、滞后、生态、拼音 hcst；{done} 保留，{cancel} 取消）",
                    "(words, @unit, #52, behind, ecology, pinyin hcst; {done} keeps, {cancel} cancels)"
                )
            }
            InputKind::ImportPath => {
                let tab = state
                    .keymap
                    .hint(Mode::Input, &Action::Complete)
                    .map(|k| crate::tr!("{k} 补全，", "{k} completes, "))
                    .unwrap_or_default();
                crate::tr!(
                    "（报告文件路径：.txt .docx .xlsx .html；{tab}{done} 预览，{cancel} 取消）",
                    "(a report file: .txt .docx .xlsx .html; {tab}{done} previews, {cancel} cancels)"
                )
            }
        };
        put(buf, area, x0 + 1, area.y, &hint, theme.dim());
    }
    let col: usize = widths[start..cursor_char].iter().sum();
    let x = (x0 as usize + col).min(area.right().saturating_sub(1) as usize) as u16;
    Some(Position::new(x, area.y))
}
