//! The help screen, generated from the keymap actually loaded: the task list's keys in full,
//! then only what differs on the other screens, the input line's keys, and the status legend.

use crate::model::Status;
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

/// Every line of the help at `width` columns.
pub fn lines(keymap: &Keymap, width: u16, theme: &Theme) -> Vec<Line<'static>> {
    let w = width as usize;
    let mut out: Vec<Line<'static>> = Vec::new();
    if w == 0 {
        return out;
    }
    let heading = |s: &str| Line::styled(text::truncate(s, w, theme.ellipsis()), theme.heading());
    for l in text::wrap(&format!("Keys in force: {}", keymap.source), w) {
        out.push(Line::styled(l, theme.dim()));
    }
    for problem in &keymap.problems {
        for l in text::wrap(problem, w) {
            out.push(Line::styled(l, theme.error()));
        }
    }
    out.push(Line::raw(""));

    let list: Vec<(Action, Vec<Key>)> = keymap
        .bindings(Mode::List)
        .into_iter()
        .filter(|(a, _)| !is_input_action(a))
        .collect();
    out.push(heading(Mode::List.title()));
    entries(w, theme, &mut out, &list);

    for mode in [Mode::Detail, Mode::Units, Mode::Help] {
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
        out.push(Line::raw(""));
        if differs.is_empty() {
            out.push(heading(&format!("{}: same keys as the list", mode.title())));
        } else {
            out.push(heading(&format!(
                "{}: differences from the list",
                mode.title()
            )));
            entries(w, theme, &mut out, &differs);
        }
    }

    out.push(Line::raw(""));
    out.push(heading(Mode::Import.title()));
    let import_keys = |actions: &[Action]| -> Vec<Key> {
        actions
            .iter()
            .flat_map(|a| keymap.keys(Mode::Import, a))
            .collect()
    };
    let import: Vec<(Vec<Key>, String)> = [
        (
            import_keys(&[Action::Submit]),
            "import the rows shown (the only key that writes)",
        ),
        (
            import_keys(&[Action::Cancel, Action::Back]),
            "cancel: nothing is written",
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
            "scroll the rows and the lines not placed",
        ),
    ]
    .into_iter()
    .filter(|(k, _)| !k.is_empty())
    .map(|(k, d)| (k, d.to_string()))
    .collect();
    described_entries(w, theme, &mut out, &import);

    out.push(Line::raw(""));
    out.push(heading(Mode::Input.title()));
    let input: Vec<(Action, Vec<Key>)> = keymap.bindings(Mode::Input);
    entries(w, theme, &mut out, &input);
    for l in text::wrap("other keys type text (Chinese input methods and paste work); the cursor counts Chinese characters as two columns", w.saturating_sub(2).max(1)) {
        out.push(Line::styled(format!("  {l}"), theme.dim()));
    }

    out.push(Line::raw(""));
    let search = keymap
        .hint(Mode::List, &Action::Search)
        .map(|k| format!("Search ({k}): results on every key, best first; Enter keeps them, #52 + Enter opens task 52"))
        .unwrap_or_else(|| "Search".to_string());
    out.push(heading(&search));
    for line in crate::search::HELP.lines() {
        for l in text::wrap(line, w.saturating_sub(2).max(1)) {
            out.push(Line::styled(format!("  {l}"), Style::new()));
        }
    }

    out.push(Line::raw(""));
    out.push(heading("Status lights (红黄绿灯)"));
    for s in Status::ALL {
        out.push(Line::from(vec![
            Span::raw("  "),
            Span::styled(format!("{} {}", theme.glyph(s), s.label()), theme.status(s)),
            Span::styled(
                format!("  {} · key {}", s.id(), s.key_index()),
                Style::new(),
            ),
        ]));
    }
    let accept = keymap
        .hint(Mode::Detail, &Action::AcceptSuggestion)
        .map(|k| format!(", {k} accepts it (a history event with the reason)"))
        .unwrap_or_default();
    let diff = keymap
        .hint(Mode::Detail, &Action::ToggleDiff)
        .map(|k| format!(" {k} in the detail shows what changed since the previous period."))
        .unwrap_or_default();
    let legend = format!(
        "{}{} after a status in the list: the status suggested by the latest period's completion figure against 序时进度 differs; the detail shows it with its reason{accept}.{diff}",
        if theme.ascii { ">" } else { "→" },
        theme.glyph(Status::OnTrack)
    );
    for l in text::wrap(&legend, w.saturating_sub(2).max(1)) {
        out.push(Line::styled(format!("  {l}"), theme.dim()));
    }
    out.push(Line::raw(""));
    for l in text::wrap(
        "Ctrl-C always quits. Every edit is saved to disk before the status bar says \"saved\"; undo makes a new history event. Keymaps: --keymap default|vim|emacs|PATH, and keymap.toml in the config directory lists only your changes.",
        w,
    ) {
        out.push(Line::styled(l, theme.dim()));
    }
    out
}

pub fn render(state: &State, scroll: usize, l: TextLayout, buf: &mut Buffer) {
    let theme = &state.theme;
    if !l.title.is_empty() {
        put(
            buf,
            l.title,
            l.title.x,
            l.title.y,
            " Help · duban 督办",
            theme.heading(),
        );
    }
    let all = lines(&state.keymap, l.body.width, theme);
    let rows = l.body.height as usize;
    let end = all.len().saturating_sub(rows);
    state.text_end.set(Some(end));
    let scroll = scroll.min(end);
    for (i, line) in all.iter().skip(scroll).take(rows).enumerate() {
        put_line(buf, row(l.body, i as u16), l.body.y + i as u16, line);
    }
}
