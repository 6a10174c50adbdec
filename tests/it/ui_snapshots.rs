//! Every screen as text (insta over ratatui's TestBackend) at 80×24 and 120×40, plus style
//! checks on the cells where colour or reverse video carries meaning.

use crate::common::ui_fixture;
use ui_fixture::screen::{draw, text};

use chrono::{TimeZone, Utc};
use duban::model::{Change, Event, Status};
use duban::ui::action::{Action, Saved, SavedKind};
use duban::ui::app::{update, State};
use duban::ui::keymap::Keymap;
use duban::ui::theme::Theme;
use ratatui::style::{Color, Modifier};

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn state(theme: Theme, size: (u16, u16)) -> State {
    State::new(
        ui_fixture::tasks(),
        ui_fixture::history(),
        Keymap::builtin(),
        theme,
        size,
    )
}

/// Navigation and searches only: searches run inline, as the worker would answer them.
fn act(s: &mut State, actions: &[Action]) {
    let mut index = duban::search::Index::build(&s.full_tasks());
    for a in actions {
        let effects = update(s, a.clone());
        let edits = duban::ui::effects::settle_searches(s, &mut index, effects);
        assert!(edits.is_empty(), "navigation only here: {edits:?}");
    }
}

fn screen(name: &str, setup: impl Fn(&mut State)) {
    for (w, h) in SIZES {
        let mut s = state(Theme::default(), (w, h));
        setup(&mut s);
        let mut t = draw(&s, w, h);
        let cursor = if s.input.is_some() {
            format!("cursor at {:?}\n", t.get_cursor_position().expect("cursor"))
        } else {
            String::new()
        };
        insta::assert_snapshot!(
            format!("{name}_{w}x{h}"),
            format!("{cursor}{}", text(t.backend().buffer()))
        );
    }
}

#[test]
fn task_list() {
    screen("list", |_| {});
}

#[test]
fn task_list_in_a_domain_tab_after_moving() {
    screen("list_ecology", |s| {
        act(s, &[Action::NextTab, Action::MoveDown, Action::MoveDown])
    });
}

#[test]
fn task_detail_with_two_periods() {
    screen("detail_14", |s| {
        act(
            s,
            &[
                Action::MoveDown,
                Action::MoveDown,
                Action::MoveDown,
                Action::Open,
            ],
        );
    });
}

#[test]
fn task_detail_with_sub_items_and_a_note() {
    screen("detail_28", |s| {
        act(
            s,
            &[
                Action::Search,
                Action::Insert("养老".into()),
                Action::Submit,
                Action::Open,
            ],
        );
    });
}

#[test]
fn task_detail_scrolled_to_the_end() {
    screen("detail_18_bottom", |s| {
        act(
            s,
            &[
                Action::Search,
                Action::Insert("脱贫".into()),
                Action::Submit,
                Action::Open,
                Action::Bottom,
            ],
        );
    });
}

#[test]
fn units_view() {
    screen("units", |s| act(s, &[Action::Units]));
}

#[test]
fn a_units_tasks() {
    screen("unit_tasks", |s| {
        act(s, &[Action::Units, Action::MoveDown, Action::Open])
    });
}

#[test]
fn help() {
    screen("help", |s| act(s, &[Action::Help]));
}

#[test]
fn note_input_with_chinese_text_and_the_cursor_inside_it() {
    screen("note_input", |s| {
        act(
            s,
            &[
                Action::MoveDown,
                Action::AddNote,
                Action::Insert("已约谈市住建局".into()),
                Action::CursorLeft,
                Action::CursorLeft,
            ],
        );
    });
}

#[test]
fn search_filter_while_typing() {
    screen("search_typing", |s| {
        act(s, &[Action::Search, Action::Insert("市住建局".into())])
    });
}

#[test]
fn status_bar_confirms_an_edit_in_words() {
    screen("saved", |s| {
        act(s, &[Action::MoveDown, Action::MoveDown, Action::MoveDown]);
        let effects = update(s, Action::SetSeriouslyBehind);
        assert_eq!(effects.len(), 1);
        let event = Event {
            seq: 100,
            task: 14,
            at: Utc
                .with_ymd_and_hms(2020, 8, 20, 1, 0, 0)
                .single()
                .expect("time"),
            user: "tester".into(),
            change: Change::Status {
                from: Status::OnTrack,
                to: Status::SeriouslyBehind,
                undo: false,
            },
            note: None,
        };
        update(
            s,
            Action::Saved(Box::new(Saved {
                kind: SavedKind::Status,
                event,
            })),
        );
    });
}

#[test]
fn ascii_mode_uses_no_box_or_ambiguous_glyphs() {
    let mut s = state(
        Theme {
            color: true,
            ascii: true,
        },
        (80, 24),
    );
    act(&mut s, &[Action::MoveDown]);
    let t = draw(&s, 80, 24);
    let text = text(t.backend().buffer());
    insta::assert_snapshot!("list_ascii_80x24", text);
    for c in ['│', '─', '▶', '○', '●', '▲', '■', '…', '→', '“', '”', '·'] {
        assert!(!text.contains(c), "{c} in ascii mode");
    }
}

#[test]
fn no_color_selection_is_reverse_video_with_a_marker_and_no_colour() {
    let s = state(Theme::mono(false), (80, 24));
    let t = draw(&s, 80, 24);
    let buf = t.backend().buffer();
    // The first task row is selected: marker and reverse video across the row.
    let y = 3;
    assert_eq!(buf[(0, y)].symbol(), "▶");
    let mut x = 0;
    while x < 80 {
        let cell = &buf[(x, y)];
        assert!(cell.modifier.contains(Modifier::REVERSED), "x={x}");
        // The hidden second cell of a wide glyph is drawn by the glyph, in its style.
        x += duban::ui::text::width(cell.symbol()).max(1) as u16;
    }
    for cell in buf.content() {
        assert_eq!(cell.fg, Color::Reset);
        assert_eq!(cell.bg, Color::Reset);
    }
    // Status is a glyph and a label, not only a colour.
    let row: String = (0..40)
        .map(|x| buf[(x, y + 1)].symbol().to_string())
        .collect::<String>()
        .replace(' ', "");
    assert!(row.contains('▲') && row.contains("进度滞后"), "{row}");
}

#[test]
fn status_lights_have_their_colours() {
    let s = state(Theme::default(), (80, 24));
    let t = draw(&s, 80, 24);
    let buf = t.backend().buffer();
    // Rows of task 2 (进度滞后, yellow) and task 3 (严重滞后, red).
    let find = |y: u16, sym: &str| (0..80).find(|x| buf[(*x, y)].symbol() == sym).expect(sym);
    let x = find(4, "▲");
    assert_eq!(buf[(x, 4)].fg, Color::Yellow);
    let x = find(5, "■");
    assert_eq!(buf[(x, 5)].fg, Color::Red);
    assert!(
        buf[(x, 5)].modifier.contains(Modifier::BOLD),
        "red also stands out without colour"
    );
}

/// The sample with the Q3 fixture imported on top (task 8: 完成率64% → 87%).
fn q3_state(theme: Theme, size: (u16, u16)) -> State {
    let (tasks, history) = ui_fixture::q3_tasks_and_history();
    State::new(tasks, history, Keymap::builtin(), theme, size)
}

fn q3_screen(name: &str, setup: impl Fn(&mut State)) {
    for (w, h) in SIZES {
        let mut s = q3_state(Theme::default(), (w, h));
        setup(&mut s);
        let t = draw(&s, w, h);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), text(t.backend().buffer()));
    }
}

/// Opens task `n` of the sample from the list (全部 tab).
fn open_task(s: &mut State, n: u32) {
    let i = s
        .list_tasks()
        .iter()
        .position(|t| t.number == n)
        .expect("task in the list");
    act(s, &vec![Action::MoveDown; i]);
    act(s, &[Action::Open]);
}

#[test]
fn detail_with_a_suggested_status_beside_the_status() {
    q3_screen("q3_detail_8_suggestion", |s| open_task(s, 8));
}

#[test]
fn period_diff_of_task_8() {
    q3_screen("q3_diff_8", |s| {
        open_task(s, 8);
        act(s, &[Action::ToggleDiff]);
    });
}

#[test]
fn the_list_marks_rows_whose_suggestion_differs() {
    q3_screen("q3_list", |_| {});
}

#[test]
fn diff_marks_added_removed_and_changed_figures_without_colour() {
    let mut s = q3_state(Theme::mono(false), (80, 40));
    open_task(&mut s, 8);
    act(&mut s, &[Action::ToggleDiff]);
    let t = draw(&s, 80, 40);
    let buf = t.backend().buffer();
    let screen = text(buf);
    assert!(screen.contains("完成率  64% → 87%"), "{screen}");
    assert!(
        screen.lines().any(|l| l.starts_with("+ ")),
        "added sentences start with +: {screen}"
    );
    assert!(
        screen.lines().any(|l| l.starts_with("- ")),
        "removed sentences start with -: {screen}"
    );
    // The changed figure is reverse video and bold wherever it is shown, with no colour.
    let mut marked = 0;
    for y in 0..40 {
        let row = screen.lines().nth(y as usize).unwrap_or_default();
        // The figure line and the added sentence (the status line's reason is not a diff).
        if !(row.starts_with("+ ") || row.starts_with("  完成率")) {
            continue;
        }
        let at = (0..78).find(|x| {
            (0..3).all(|i| buf[(x + i, y)].symbol() == &"87%"[i as usize..i as usize + 1])
        });
        if let Some(x) = at {
            let cell = &buf[(x, y)];
            assert!(
                cell.modifier.contains(Modifier::REVERSED | Modifier::BOLD),
                "row {y}: {row}"
            );
            marked += 1;
        }
    }
    assert!(marked >= 2, "in the figures and in its sentence: {screen}");
    for cell in buf.content() {
        assert_eq!(cell.fg, Color::Reset);
    }
}

#[test]
fn diff_colours_added_green_and_removed_red() {
    let mut s = q3_state(Theme::default(), (80, 40));
    open_task(&mut s, 8);
    act(&mut s, &[Action::ToggleDiff]);
    let t = draw(&s, 80, 40);
    let buf = t.backend().buffer();
    let first = |sym: &str| {
        (0..40)
            .find(|y| buf[(0, *y)].symbol() == sym)
            .unwrap_or_else(|| panic!("a line starting with {sym}"))
    };
    assert_eq!(buf[(0, first("+"))].fg, Color::Green);
    assert_eq!(buf[(0, first("-"))].fg, Color::Red);
}
