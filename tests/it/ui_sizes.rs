//! Every screen at every size from 1×1 to 12×12 and at a fixed sample of larger sizes up to
//! 240×80 (with Chinese data): no panic, nothing drawn outside the area it was given, no wide
//! glyph cut at its right edge, the cursor inside it. And a resize storm through the real
//! Terminal.

use crate::common::ui_fixture;

use duban::model::Task;
use duban::ui::action::Action;
use duban::ui::app::{update, State};
use duban::ui::keymap::Keymap;
use duban::ui::theme::Theme;
use duban::ui::view;
use ratatui::backend::TestBackend;
use ratatui::buffer::{Buffer, Cell};
use ratatui::layout::Rect;
use ratatui::Terminal;
use std::sync::OnceLock;

const SENTINEL: &str = "¤";

fn screens() -> Vec<(&'static str, Vec<Action>)> {
    vec![
        ("list", vec![]),
        (
            "list_scrolled",
            vec![Action::Bottom, Action::PageUp, Action::MoveUp],
        ),
        ("list_ecology", vec![Action::NextTab, Action::MoveDown]),
        (
            "detail",
            vec![
                Action::MoveDown,
                Action::MoveDown,
                Action::MoveDown,
                Action::Open,
                Action::PageDown,
            ],
        ),
        // Task 41 is the sample's task 8 after the Q3 report: a suggestion that differs
        // from its status, two periods, a changed figure.
        ("detail_suggestion", vec![Action::Bottom, Action::Open]),
        (
            "diff",
            vec![Action::Bottom, Action::Open, Action::ToggleDiff],
        ),
        (
            "diff_no_figures",
            vec![
                Action::MoveDown,
                Action::MoveDown,
                Action::MoveDown,
                Action::Open,
                Action::ToggleDiff,
            ],
        ),
        ("units", vec![Action::Units, Action::MoveDown]),
        ("unit_tasks", vec![Action::Units, Action::Open]),
        ("help", vec![Action::Help, Action::PageDown]),
        (
            "note",
            vec![
                Action::AddNote,
                Action::Insert("约谈市住建局,要求8月底前整改到位".into()),
                Action::CursorLeft,
            ],
        ),
        (
            "search",
            vec![Action::Search, Action::Insert("黑臭水体".into())],
        ),
        (
            "search_none",
            vec![
                Action::Search,
                Action::Insert("没有这个".into()),
                Action::Submit,
            ],
        ),
        (
            "import_prompt",
            vec![
                Action::Import,
                Action::Insert("报告/芜".into()),
                Action::Completed(Box::new(duban::ui::files::Completion {
                    text: "报告/芜".into(),
                    completed: "报告/芜湖2020".into(),
                    candidates: (1..=30)
                        .map(|i| format!("芜湖2020第{i}期通报.txt"))
                        .collect(),
                    more: 5,
                    note: None,
                })),
            ],
        ),
        (
            "import_preview",
            vec![
                Action::Import,
                Action::Insert(sample_path()),
                Action::Submit,
                // As the reading thread answers the first preview.
                duban::ui::effects::preview_now(1, &sample_path()),
                Action::PageDown,
            ],
        ),
        (
            "import_unplaced",
            vec![
                Action::Import,
                Action::Insert("重复.txt".into()),
                Action::Submit,
                preview_with_a_line_not_placed(),
                Action::Bottom,
            ],
        ),
        (
            "import_failed",
            vec![
                Action::Import,
                Action::Insert(env!("CARGO_MANIFEST_DIR").into()),
                Action::Submit,
                duban::ui::effects::preview_now(1, env!("CARGO_MANIFEST_DIR")),
            ],
        ),
    ]
}

/// The sample with row 5 given twice: the second is a line the importer could not place.
fn preview_with_a_line_not_placed() -> Action {
    let text = std::fs::read_to_string(sample_path()).expect("sample");
    let lines: Vec<&str> = text.split('\n').collect();
    let i = lines
        .iter()
        .position(|l| l.starts_with("5."))
        .expect("row 5");
    let mut out: Vec<&str> = lines[..i + 2].to_vec();
    out.push(lines[i]);
    out.extend(&lines[i + 2..]);
    let bytes = out.join("\n").into_bytes();
    let report =
        duban::import::import_bytes(&bytes, "重复.txt", &duban::import::Aliases::builtin())
            .expect("imports");
    assert_eq!(report.unplaced.len(), 1);
    Action::Previewed(Box::new(duban::ui::action::Previewed {
        id: 1,
        result: Ok((
            std::sync::Arc::new(report),
            duban::ui::action::ReportBytes(std::sync::Arc::new(bytes)),
        )),
    }))
}

fn sample_path() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/data/sample_2020h1_wuhu.txt").into()
}

/// 40 fixture tasks, and the sample's task 8 after the Q3 report as task 41.
fn tasks() -> Vec<Task> {
    static Q3_TASK_8: OnceLock<Task> = OnceLock::new();
    let t8 = Q3_TASK_8.get_or_init(|| {
        let (tasks, _) = ui_fixture::q3_tasks_and_history();
        let mut t = tasks.into_iter().find(|t| t.number == 8).expect("task 8");
        assert_eq!(t.periods.len(), 2);
        t.number = 41;
        t
    });
    let mut v = ui_fixture::many_tasks(40);
    v.push(t8.clone());
    v
}

fn state_for(actions: &[Action], size: (u16, u16)) -> State {
    let mut s = State::new(
        tasks(),
        ui_fixture::history(),
        Keymap::builtin(),
        Theme::default(),
        size,
    );
    let mut index = duban::search::Index::build(&s.full_tasks());
    for a in actions {
        let effects = update(&mut s, a.clone());
        duban::ui::effects::settle_searches(&mut s, &mut index, effects);
    }
    s
}

fn check(name: &str, s: &State, w: u16, h: u16) {
    // The area sits inside a larger buffer whose border holds a sentinel.
    let outer = Rect::new(0, 0, w + 4, h + 2);
    let area = Rect::new(2, 1, w, h);
    let mut buf = Buffer::empty(outer);
    for y in 0..outer.height {
        for x in 0..outer.width {
            if !area.contains((x, y).into()) {
                buf[(x, y)].set_symbol(SENTINEL);
            }
        }
    }
    let mut reference = Cell::default();
    reference.set_symbol(SENTINEL);
    let cursor = view::render(s, area, &mut buf);
    for y in 0..outer.height {
        for x in 0..outer.width {
            if !area.contains((x, y).into()) {
                assert_eq!(
                    buf[(x, y)],
                    reference,
                    "{name} at {w}x{h} drew at ({x},{y})"
                );
            }
        }
        if y >= area.top() && y < area.bottom() {
            let last = &buf[(area.right() - 1, y)];
            assert!(
                duban::ui::text::width(last.symbol()) <= 1,
                "{name} at {w}x{h}: a wide glyph cut at the right edge on row {y}"
            );
        }
    }
    if let Some(p) = cursor {
        assert!(
            area.contains(p),
            "{name} at {w}x{h}: cursor {p:?} outside {area:?}"
        );
    }
}

/// The sizes every screen is drawn at: all of them up to 12×12, where a layout runs out of
/// room one row or column at a time, then about 150 larger ones — the usual terminals, the
/// extremes (one row, one column) and a fixed-seed sample, a third of them thin in one
/// direction. A sample, not every size to 120×40: 4,800 frames per screen made the UI tests
/// the slowest of the suite for what the sample finds as well.
fn sizes() -> Vec<(u16, u16)> {
    const LARGER: usize = 150;
    let mut v: Vec<(u16, u16)> = (1..=12)
        .flat_map(|h| (1..=12).map(move |w| (w, h)))
        .collect();
    let small = v.len();
    v.extend([
        (80, 24),
        (79, 23),
        (81, 25),
        (120, 40),
        (200, 50),
        (240, 80),
        (1, 200),
        (200, 1),
        (13, 13),
        (40, 10),
        (60, 20),
        (100, 30),
    ]);
    let mut rng = crate::support::synth::Rng::new(0x5123);
    let between = |rng: &mut crate::support::synth::Rng, lo: usize, hi: usize| {
        (lo + rng.below(hi - lo + 1)) as u16
    };
    while v.len() < small + LARGER {
        let size = match rng.below(3) {
            0 => (between(&mut rng, 1, 12), between(&mut rng, 13, 80)),
            1 => (between(&mut rng, 13, 240), between(&mut rng, 1, 12)),
            _ => (between(&mut rng, 13, 240), between(&mut rng, 13, 80)),
        };
        if !v.contains(&size) {
            v.push(size);
        }
    }
    v
}

/// Renders one screen at every size of `sizes` (one test per screen, so they run in
/// parallel).
fn every_size(screen: &str) {
    let (name, actions) = screens()
        .into_iter()
        .find(|(n, _)| *n == screen)
        .expect("screen");
    let base = state_for(&actions, (120, 40));
    for (w, h) in sizes() {
        // The state knows the size (paging uses it), as after a resize.
        let mut s = base.clone();
        update(&mut s, Action::Resize(w, h));
        check(name, &s, w, h);
    }
}

macro_rules! every_size_tests {
    ($($test:ident => $screen:literal),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                every_size($screen);
            }
        )*
        #[test]
        fn every_screen_has_an_every_size_test() {
            let tested = [$($screen),*];
            for (name, _) in screens() {
                assert!(tested.contains(&name), "{name} has no every-size test");
            }
        }
    };
}

every_size_tests! {
    list_at_every_size => "list",
    scrolled_list_at_every_size => "list_scrolled",
    domain_tab_at_every_size => "list_ecology",
    detail_at_every_size => "detail",
    detail_with_a_suggestion_at_every_size => "detail_suggestion",
    diff_at_every_size => "diff",
    diff_without_figures_at_every_size => "diff_no_figures",
    units_at_every_size => "units",
    unit_tasks_at_every_size => "unit_tasks",
    help_at_every_size => "help",
    import_prompt_at_every_size => "import_prompt",
    import_preview_at_every_size => "import_preview",
    import_failed_at_every_size => "import_failed",
    import_unplaced_at_every_size => "import_unplaced",
    note_input_at_every_size => "note",
    search_input_at_every_size => "search",
    empty_search_result_at_every_size => "search_none",
}

#[test]
fn a_state_made_at_one_size_draws_at_any_other() {
    // A resize arrives after the state was built for another size: the view must cope.
    for (name, actions) in screens() {
        let s = state_for(&actions, (120, 40));
        for (w, h) in [
            (1, 1),
            (2, 1),
            (1, 2),
            (3, 3),
            (7, 2),
            (13, 5),
            (40, 10),
            (79, 23),
            (200, 60),
        ] {
            check(name, &s, w, h);
        }
    }
}

#[test]
fn a_resize_storm_through_the_terminal_does_not_panic() {
    let mut s = state_for(&[Action::MoveDown, Action::Open], (80, 24));
    let mut t = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    let mut seed: u32 = 12345;
    for i in 0..600 {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let w = (seed >> 16) as u16 % 130;
        let h = (seed >> 8) as u16 % 45;
        t.backend_mut().resize(w, h);
        update(&mut s, Action::Resize(w, h));
        if i % 7 == 0 {
            update(&mut s, Action::MoveDown);
        }
        if i % 50 == 0 {
            update(&mut s, Action::Back);
            update(&mut s, Action::Units);
        }
        t.draw(|f| {
            let area = f.area();
            if let Some(p) = view::render(&s, area, f.buffer_mut()) {
                f.set_cursor_position(p);
            }
        })
        .expect("draw");
    }
}

#[test]
fn the_workflow_screens_are_what_their_names_say() {
    use duban::ui::app::Screen;
    let get = |name: &str| {
        let (_, actions) = screens()
            .into_iter()
            .find(|(n, _)| *n == name)
            .expect("screen");
        state_for(&actions, (120, 40))
    };
    let s = get("detail_suggestion");
    assert!(matches!(
        s.screen(),
        Some(Screen::Detail { number: 41, .. })
    ));
    let t = s.task(41).expect("task 41");
    assert!(s.differing_suggestion(t).is_some());
    let s = get("diff");
    assert!(matches!(s.screen(), Some(Screen::Diff { number: 41, .. })));
    let s = get("diff_no_figures");
    assert!(matches!(s.screen(), Some(Screen::Diff { number: 4, .. })));
}
