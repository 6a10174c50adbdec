//! The help screen, generated from the keymap actually loaded: the task list's keys in full,
//! then only what differs on the other screens, the input line's keys, and the status legend.

use crate::lang::t;
use crate::model::Status;
use crate::tr;
use crate::ui::action::Action;
use crate::ui::app::State;
use crate::ui::keymap::{Key, Keymap, Mode};
use crate::ui::text;
use crate::ui::theme::Theme;
use crate::ui::view::layout::TextLayout;
use crate::ui::view::{put, put_line, row};
use ratatui::buffer::Buffer;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

fn keys_text(keys: &[Key]) -> String {
    keys.iter()
        .map(Key::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

fn is_input_action(a: &Action) -> bool {
    matches!(
        a,
        Action::Submit
            | Action::Cancel
            | Action::DeleteBack
            | Action::DeleteForward
            | Action::DeleteWordBack
            | Action::KillToEnd
            | Action::ClearInput
            | Action::CursorLeft
            | Action::CursorRight
            | Action::CursorHome
            | Action::CursorEnd
            | Action::Complete
    )
}

fn entries(width: usize, theme: &Theme, out: &mut Vec<Line<'static>>, list: &[(Action, Vec<Key>)]) {
    let described: Vec<(Vec<Key>, String)> = list
        .iter()
        .map(|(a, keys)| (keys.clone(), a.describe()))
        .collect();
    described_entries(width, theme, out, &described);
}

/// `  keys  what they do`, the keys in one column as wide as the widest (up to half).
fn described_entries(
    width: usize,
    theme: &Theme,
    out: &mut Vec<Line<'static>>,
    list: &[(Vec<Key>, String)],
) {
    let kw = list
        .iter()
        .map(|(k, _)| text::width(&keys_text(k)))
        .max()
        .unwrap_or(0)
        .min(width / 2)
        .max(4);
    for (keys, d) in list {
        let k = text::fit(&keys_text(keys), kw, theme.ellipsis());
        let rest = width.saturating_sub(kw + 4);
        let d = text::truncate(d, rest, theme.ellipsis());
        out.push(Line::from(vec![
            Span::raw("  "),
            Span::styled(k, theme.heading()),
            Span::raw("  "),
            Span::raw(d),
        ]));
    }
}

/// The help's sections, each starting with its heading line, at `width` columns.
pub fn sections(keymap: &Keymap, width: u16, theme: &Theme) -> Vec<Vec<Line<'static>>> {
    let w = width as usize;
    let mut all: Vec<Vec<Line<'static>>> = Vec::new();
    if w == 0 {
        return all;
    }
    let heading = |s: &str| -> Vec<Line<'static>> {
        text::wrap(s, w)
            .into_iter()
            .map(|l| Line::styled(l, theme.heading()))
            .collect()
    };
    let dim = |s: &str, indent: usize| -> Vec<Line<'static>> {
        text::wrap(s, w.saturating_sub(indent).max(1))
            .into_iter()
            .map(|l| Line::styled(format!("{}{l}", " ".repeat(indent)), theme.dim()))
            .collect()
    };

    let mut first: Vec<Line<'static>> = Vec::new();
    first.extend(dim(
        &tr!("当前键位：{}", "Keys in force: {}", keymap.source),
        0,
    ));
    for problem in &keymap.problems {
        for l in text::wrap(problem, w) {
            first.push(Line::styled(l, theme.error()));
        }
    }
    let list: Vec<(Action, Vec<Key>)> = keymap
        .bindings(Mode::List)
        .into_iter()
        .filter(|(a, _)| !is_input_action(a))
        .collect();
    first.extend(heading(Mode::List.title()));
    entries(w, theme, &mut first, &list);
    all.push(first);

    let mut others: Vec<Line<'static>> = Vec::new();
    for mode in [Mode::Detail, Mode::Review, Mode::Units, Mode::Help] {
        let differs: Vec<(Action, Vec<Key>)> = keymap
            .bindings(mode)
            .into_iter()
            .filter(|(a, keys)| {
                !is_input_action(a)
                    && list
                        .iter()
                        .find(|(b, _)| b == a)
                        .is_none_or(|(_, k)| k != keys)
            })
            .collect();
        if differs.is_empty() {
            others.extend(heading(&tr!(
                "{}：与任务列表相同",
                "{}: same keys as the list",
                mode.title()
            )));
        } else {
            others.extend(heading(&tr!(
                "{}：与任务列表不同的键",
                "{}: differences from the list",
                mode.title()
            )));
            entries(w, theme, &mut others, &differs);
        }
        all.push(std::mem::take(&mut others));
    }

    let mut import_section = heading(Mode::Import.title());
    let import_keys = |actions: &[Action]| -> Vec<Key> {
        actions
            .iter()
            .flat_map(|a| keymap.keys(Mode::Import, a))
            .collect()
    };
    let import: Vec<(Vec<Key>, String)> = [
        (
            import_keys(&[Action::Submit]),
            t(
                "导入所显示的各行（唯一会写入的键）",
                "import the rows shown (the only key that writes)",
            ),
        ),
        (
            import_keys(&[Action::Cancel, Action::Back]),
            t("取消：不写入任何内容", "cancel: nothing is written"),
        ),
        (
            import_keys(&[
                Action::MoveDown,
                Action::MoveUp,
                Action::PageDown,
                Action::PageUp,
                Action::Top,
                Action::Bottom,
            ]),
            t(
                "滚动查看各行和无法归位的行",
                "scroll the rows and the lines not placed",
            ),
        ),
    ]
    .into_iter()
    .filter(|(k, _)| !k.is_empty())
    .map(|(k, d)| (k, d.to_string()))
    .collect();
    described_entries(w, theme, &mut import_section, &import);
    all.push(import_section);

    let mut input_section = heading(Mode::Input.title());
    let input: Vec<(Action, Vec<Key>)> = keymap.bindings(Mode::Input);
    entries(w, theme, &mut input_section, &input);
    input_section.extend(dim(
        t(
            "其他键即输入文字（中文输入法和粘贴均可）；光标按一个汉字占两列计",
            "other keys type text (Chinese input methods and paste work); the cursor counts Chinese characters as two columns",
        ),
        2,
    ));
    all.push(input_section);

    let mut search_section = match keymap.hint(Mode::List, &Action::Search) {
        Some(k) => heading(&tr!("搜索（{k}）", "Search ({k})")),
        None => heading(t("搜索", "Search")),
    };
    for line in search_help().lines() {
        for l in text::wrap(line, w.saturating_sub(2).max(1)) {
            search_section.push(Line::styled(format!("  {l}"), Style::new()));
        }
    }
    all.push(search_section);

    let mut legend_section = heading(t("状态灯（红黄绿灯）", "Status lights (红黄绿灯)"));
    for s in Status::ALL {
        legend_section.push(Line::from(vec![
            Span::raw("  "),
            Span::styled(format!("{} {}", theme.glyph(s), s.label()), theme.status(s)),
            Span::styled(
                tr!("  {} · 键 {}", "  {} · key {}", s.id(), s.key_index()),
                Style::new(),
            ),
        ]));
    }
    let accept = keymap
        .hint(Mode::Detail, &Action::AcceptSuggestion)
        .map(|k| {
            tr!(
                "，按 {k} 采纳（记入历史并附理由）",
                ", {k} accepts it (a history event with the reason)"
            )
        })
        .unwrap_or_default();
    let diff = keymap
        .hint(Mode::Detail, &Action::ToggleDiff)
        .map(|k| {
            tr!(
                "详情中按 {k} 查看与上一报告期相比的变化。",
                " {k} in the detail shows what changed since the previous period."
            )
        })
        .unwrap_or_default();
    let arrow = format!(
        "{}{}",
        if theme.ascii { ">" } else { "→" },
        theme.glyph(Status::OnTrack)
    );
    let legend = tr!(
        "列表中状态后的 {arrow}：按最新报告期的完成数字与序时进度算出的建议状态与当前不同；详情中显示建议及理由{accept}。{diff}",
        "{arrow} after a status in the list: the status suggested by the latest period's completion figure against 序时进度 differs; the detail shows it with its reason{accept}.{diff}"
    );
    legend_section.extend(dim(&legend, 2));
    legend_section.extend(dim(
        t(
            "Ctrl-C 随时退出。每次修改先写入磁盘，状态栏才显示“已保存”；撤销会生成新的历史事件。键位：--keymap default|vim|emacs|路径；配置目录中的 keymap.toml 只需写你改动的键。",
            "Ctrl-C always quits. Every edit is saved to disk before the status bar says \"saved\"; undo makes a new history event. Keymaps: --keymap default|vim|emacs|PATH, and keymap.toml in the config directory lists only your changes.",
        ),
        0,
    ));
    all.push(legend_section);
    all
}

/// The search syntax, one item a line.
fn search_help() -> &'static str {
    t(
        "输入即出结果，最相关的在前；Enter 保留结果，#52 加 Enter 打开任务 52。
多个词（以空格分隔）须同时匹配，可匹配序号、目标、单位、备注和各期进展：原文、拼音（heichou、hcst；ü 写作 lv 或 lu），或字间相隔几个字（排在最后）。
@生态 或 unit:生态　只查单位（牵头或配合，原名或规范名）
#52　任务 52
滞后 严重滞后 已完成 生态 民生……　单独的状态名、领域名即筛选（滞后含严重滞后）
status:behind、domain:reform　也可写 status:滞后、domain:改革，多个用逗号分隔
goal:… note:… progress:…　只查该栏
\"滞后\"　加引号则只作文字搜索",
        "Results on every key, best first; Enter keeps them, #52 + Enter opens task 52.
Words (separated by spaces) must all match. A word matches the task number, goal, units, notes and every period's progress: as written, in pinyin (heichou, hcst; lv or lu for ü), or with its characters a few apart (ranked last).
@生态 / unit:生态  units only (lead or co, written or canonical name)
#52  task 52
滞后 严重滞后 已完成 生态 …  a status or domain word alone filters by it (滞后 includes 严重滞后)
status:behind, domain:reform  also status:滞后, domain:改革; several comma separated
goal:… note:… progress:…  only that field
\"滞后\"  quoted: a text search only",
    )
}

/// Every line of the help at `width` columns, the sections one after another.
pub fn lines(keymap: &Keymap, width: u16, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for (i, s) in sections(keymap, width, theme).into_iter().enumerate() {
        if i > 0 {
            out.push(Line::raw(""));
        }
        out.extend(s);
    }
    out
}

/// The help laid out in pages of `rows` lines: a section never runs across a page (a page
/// down shows whole sections); one longer than a page goes on over pages of its own, its
/// heading repeated with 续 (continued).
pub fn pages(keymap: &Keymap, width: u16, rows: usize, theme: &Theme) -> Vec<Line<'static>> {
    let mut out: Vec<Line<'static>> = Vec::new();
    if rows < 3 {
        // No room for a heading and a line: one line after the other.
        return lines(keymap, width, theme);
    }
    let mut used = 0usize;
    let new_page = |out: &mut Vec<Line<'static>>, used: &mut usize| {
        if *used > 0 {
            out.extend(std::iter::repeat_n(
                Line::raw(""),
                rows.saturating_sub(*used),
            ));
            *used = 0;
        }
    };
    for section in sections(keymap, width, theme) {
        let gap = usize::from(used > 0);
        if used + gap + section.len() > rows {
            new_page(&mut out, &mut used);
        } else if gap == 1 {
            out.push(Line::raw(""));
            used += 1;
        }
        if section.len() <= rows {
            used += section.len();
            out.extend(section);
            continue;
        }
        // Longer than a page: its heading (the first line) again on every page.
        let head = section[0].clone();
        let continued = Line::styled(
            tr!("{}（续）", "{} (continued)", line_text(&head)),
            theme.heading(),
        );
        let mut body = section.into_iter();
        for (i, line) in body.by_ref().enumerate() {
            if used == rows {
                new_page(&mut out, &mut used);
            }
            if used == 0 && i > 0 {
                out.push(continued.clone());
                used += 1;
            }
            out.push(line);
            used += 1;
        }
    }
    out
}

fn line_text(line: &Line) -> String {
    line.spans.iter().map(|s| s.content.as_ref()).collect()
}

pub fn render(state: &State, scroll: usize, l: TextLayout, buf: &mut Buffer) {
    let theme = &state.theme;
    if !l.title.is_empty() {
        put(
            buf,
            l.title,
            l.title.x,
            l.title.y,
            t(" 帮助 · duban 督办", " Help · duban 督办"),
            theme.heading(),
        );
    }
    let rows = l.body.height as usize;
    let all = pages(&state.keymap, l.body.width, rows, theme);
    let end = all.len().saturating_sub(rows);
    state.text_end.set(Some(end));
    let scroll = scroll.min(end);
    for (i, line) in all.iter().skip(scroll).take(rows).enumerate() {
        put_line(buf, row(l.body, i as u16), l.body.y + i as u16, line);
    }
}
