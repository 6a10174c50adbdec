//! Search in the UI, on the built-in sample: typing `/…` filters and ranks the list on every
//! keystroke (searches answered inline here, as the worker would), Enter keeps the filter,
//! Esc clears it, `#52` jumps, matched characters are marked on screen, empty results name
//! the nearest units, and edits (ours or announced by the shared server) refresh a search.

use crate::common::ui_fixture;

use duban::model::{Change, Event, Status, Task};
use duban::search::{Index, Query, SearchOutcome};
use duban::server::session::Session;
use duban::ui::action::{Action, Changed, PageKind, TasksPage};
use duban::ui::app::{update, Effect, Screen, State};
use duban::ui::effects::{dispatch, settle_searches};
use duban::ui::keymap::Keymap;
use duban::ui::theme::Theme;
use duban::ui::view;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

fn sample() -> Vec<Task> {
    crate::support::corpus::sample_tasks().expect("the sample imports")
}

fn state(tasks: Vec<Task>) -> State {
    State::new(
        tasks,
        Vec::new(),
        Keymap::builtin(),
        Theme::mono(false),
        (80, 24),
    )
}

/// Feeds actions through `update`; searches run inline on `index`. Returns the edits asked
/// for.
fn run(s: &mut State, index: &mut Index, actions: &[Action]) -> Vec<Effect> {
    let mut edits = Vec::new();
    for a in actions {
        let effects = update(s, a.clone());
        edits.extend(settle_searches(s, index, effects));
    }
    edits
}

/// Opens the search line and types `text` one character at a time, as a person would.
fn type_search(s: &mut State, index: &mut Index, text: &str) {
    run(s, index, &[Action::Search]);
    for c in text.chars() {
        run(s, index, &[Action::Insert(c.to_string())]);
    }
}

fn shown(s: &State) -> Vec<u32> {
    s.list_tasks().iter().map(|t| t.number).collect()
}

fn render(s: &State) -> Buffer {
    let area = Rect::new(0, 0, s.size.0, s.size.1);
    let mut buf = Buffer::empty(area);
    view::render(s, area, &mut buf);
    buf
}

/// Row `y` as text, with each cell's column: a wide glyph once, its hidden second cell
/// skipped.
fn cells(buf: &Buffer, y: u16) -> Vec<(u16, String)> {
    let mut out = Vec::new();
    let mut skip = 0;
    for x in 0..buf.area.width {
        if skip > 0 {
            skip -= 1;
            continue;
        }
        let sym = buf[(x, y)].symbol().to_string();
        skip = duban::ui::text::width(&sym).saturating_sub(1);
        out.push((x, sym));
    }
    out
}

fn line(buf: &Buffer, y: u16) -> String {
    cells(buf, y).into_iter().map(|(_, s)| s).collect()
}

fn screen_text(buf: &Buffer) -> String {
    (0..buf.area.height).map(|y| line(buf, y) + "\n").collect()
}

#[test]
fn black_odorous_water_puts_task_14_first_on_every_keystroke_to_the_end() {
    let mut s = state(sample());
    let mut index = Index::build(&s.full_tasks());
    type_search(&mut s, &mut index, "黑臭水体");
    let list = shown(&s);
    assert_eq!(list.first(), Some(&14), "{list:?}");
    assert_eq!(s.list_selected(), Some(14), "the best hit is selected");
    // A goal hit beats the progress hits; only tasks that mention it are listed.
    assert_eq!(list, vec![14, 3, 10]);
    for n in &list {
        let t = s.detail(*n).expect("task");
        let text = format!(
            "{}{}",
            t.goal,
            t.periods
                .iter()
                .flat_map(|p| &p.paragraphs)
                .cloned()
                .collect::<String>()
        );
        assert!(text.contains("黑臭水体"), "task {n}");
    }
}

#[test]
fn a_unit_search_lists_exactly_the_tasks_it_leads_or_shares() {
    let mut s = state(sample());
    let mut index = Index::build(&s.full_tasks());
    type_search(&mut s, &mut index, "@生态环境局");
    let mut got = shown(&s);
    got.sort_unstable();
    let want: Vec<u32> = s
        .tasks
        .iter()
        .filter(|t| t.involves("市生态环境局"))
        .map(|t| t.number)
        .collect();
    assert!(!want.is_empty());
    assert_eq!(got, want);
}

#[test]
fn pinyin_full_and_initials_find_task_14() {
    for q in ["heichou", "hcst", "heichoushuiti"] {
        let mut s = state(sample());
        let mut index = Index::build(&s.full_tasks());
        type_search(&mut s, &mut index, q);
        assert_eq!(shown(&s).first(), Some(&14), "{q}: {:?}", shown(&s));
    }
}

#[test]
fn hash_52_then_enter_opens_task_52_and_back_returns_to_the_whole_list() {
    let mut s = state(sample());
    let mut index = Index::build(&s.full_tasks());
    type_search(&mut s, &mut index, "#52");
    assert_eq!(shown(&s), vec![52]);
    run(&mut s, &mut index, &[Action::Submit]);
    assert_eq!(
        s.screen(),
        Some(&Screen::Detail {
            number: 52,
            scroll: 0
        })
    );
    assert!(s.search.is_none(), "the jump leaves no filter behind");
    run(&mut s, &mut index, &[Action::Back]);
    assert_eq!(s.screen(), None);
    assert_eq!(s.list_tasks().len(), 116);
    assert_eq!(
        s.list_selected(),
        Some(52),
        "the list keeps task 52 selected"
    );
    // A number that is no task says so and opens nothing.
    type_search(&mut s, &mut index, "#999");
    run(&mut s, &mut index, &[Action::Submit]);
    assert_eq!(s.screen(), None);
    assert!(s
        .message
        .as_ref()
        .expect("message")
        .text
        .contains("没有任务 999"));
}

#[test]
fn enter_keeps_the_filter_and_esc_clears_it() {
    let mut s = state(sample());
    let mut index = Index::build(&s.full_tasks());
    type_search(&mut s, &mut index, "hcst");
    run(&mut s, &mut index, &[Action::Submit]);
    assert!(s.input.is_none());
    assert_eq!(shown(&s), vec![14, 3, 10]);
    let msg = s.message.clone().expect("message").text;
    assert!(msg.contains("显示 3 项"), "{msg}");
    // Moving through the kept results works as in any list.
    run(&mut s, &mut index, &[Action::MoveDown]);
    assert_eq!(s.list_selected(), Some(3));
    run(&mut s, &mut index, &[Action::Back]);
    assert!(s.search.is_none());
    assert!(s.found.is_none());
    assert_eq!(s.list_tasks().len(), 116);
    // Cancelling the search line restores the filter that was in force.
    type_search(&mut s, &mut index, "hcst");
    run(&mut s, &mut index, &[Action::Submit]);
    type_search(&mut s, &mut index, " 农村");
    let narrowed = shown(&s);
    assert!(
        narrowed.contains(&10) && !narrowed.contains(&3),
        "{narrowed:?}"
    );
    run(&mut s, &mut index, &[Action::Cancel]);
    assert_eq!(s.search.as_deref(), Some("hcst"));
    assert_eq!(shown(&s), vec![14, 3, 10]);
}

#[test]
fn status_behind_lists_the_two_tasks_set_behind_in_this_session() {
    let dir = tempfile::tempdir().expect("tmp");
    let session = Session::Local(ui_fixture::sample_ledger(dir.path()));
    let mut s = state(session.all_tasks().expect("tasks"));
    // One index for the whole session: the search must see the edits through `Reindex`.
    let mut index = Index::build(&s.full_tasks());
    let mut press = |s: &mut State, a: Action| dispatch(s, &session, &mut index, a);
    for n in [52, 14] {
        press(&mut s, Action::Search);
        for c in format!("#{n}").chars() {
            press(&mut s, Action::Insert(c.to_string()));
        }
        press(&mut s, Action::Submit);
        press(&mut s, Action::SetBehind);
        press(&mut s, Action::Back);
    }
    press(&mut s, Action::Search);
    for c in "status:behind".chars() {
        press(&mut s, Action::Insert(c.to_string()));
    }
    let mut got = shown(&s);
    got.sort_unstable();
    assert_eq!(got, vec![14, 52]);
    // The Chinese word works too, and one more edit is followed at once.
    press(&mut s, Action::Submit);
    assert_eq!(s.list_selected(), Some(14));
    press(&mut s, Action::SetOnTrack);
    assert_eq!(
        shown(&s),
        vec![52],
        "task 14 left the status:behind results"
    );
    assert_eq!(
        session.task(14).expect("task").status,
        Status::OnTrack,
        "the edit is in the database"
    );
}

#[test]
fn no_result_says_so_and_names_the_nearest_units() {
    let mut s = state(sample());
    let mut index = Index::build(&s.full_tasks());
    type_search(&mut s, &mut index, "@生态局");
    assert!(shown(&s).is_empty());
    run(&mut s, &mut index, &[Action::Submit]);
    let screen = screen_text(&render(&s));
    assert!(screen.contains("没有任务匹配"), "{screen}");
    assert!(screen.contains("相近的单位：市生态环境局"), "{screen}");
}

#[test]
fn matches_in_other_domains_are_pointed_to_from_an_empty_tab() {
    let mut s = state(sample());
    let mut index = Index::build(&s.full_tasks());
    // 黑臭水体 is only in ecology tasks; the livelihood tab (2) has none.
    run(&mut s, &mut index, &[Action::NextTab, Action::NextTab]);
    type_search(&mut s, &mut index, "黑臭水体");
    assert!(shown(&s).is_empty());
    let screen = screen_text(&render(&s));
    assert!(screen.contains("其他领域有 3 项"), "{screen}");
    // The tab counts are the matches.
    assert!(screen.contains("全部 3"), "{screen}");
}

#[test]
fn results_for_an_older_text_do_not_replace_the_newer_ones() {
    let mut s = state(sample());
    let mut index = Index::build(&s.full_tasks());
    type_search(&mut s, &mut index, "黑臭");
    let before = shown(&s);
    let never = AtomicBool::new(false);
    let stale = index.search(&Query::parse("黑"), &never).expect("results");
    update(
        &mut s,
        Action::Found(Box::new(SearchOutcome {
            text: "黑".into(),
            results: Arc::new(stale),
            elapsed: std::time::Duration::ZERO,
        })),
    );
    assert_eq!(shown(&s), before);
    assert_eq!(s.found.as_ref().map(|f| f.text.as_str()), Some("黑臭"));
}

#[test]
fn typing_asks_the_worker_once_per_change_and_esc_cancels() {
    let mut s = state(sample());
    update(&mut s, Action::Search);
    let asked = update(&mut s, Action::Insert("h".into()));
    assert_eq!(asked, vec![Effect::Search(Some("h".into()))]);
    // A space changes nothing once trimmed: no new search.
    assert!(update(&mut s, Action::Insert(" ".into())).is_empty());
    let cleared = update(&mut s, Action::Cancel);
    assert_eq!(cleared, vec![Effect::Search(None)]);
    // Until results arrive, the list is not emptied.
    update(&mut s, Action::Search);
    update(&mut s, Action::Insert("hcst".into()));
    assert_eq!(s.list_tasks().len(), 116);
    assert!(s.searching());
}

/// The columns of the cells that spell `needle` on row `y`.
fn columns_of(buf: &Buffer, y: u16, needle: &str) -> Vec<u16> {
    let cells = cells(buf, y);
    let want: Vec<String> = needle.chars().map(String::from).collect();
    cells
        .windows(want.len())
        .find(|w| w.iter().zip(&want).all(|((_, sym), c)| sym == c))
        .map(|w| w.iter().map(|(x, _)| *x).collect())
        .unwrap_or_default()
}

fn row_of(buf: &Buffer, number: u32) -> u16 {
    let tag = format!(" {number} ");
    (0..buf.area.height)
        .find(|&y| {
            line(buf, y)
                .chars()
                .take(8)
                .collect::<String>()
                .contains(&tag)
        })
        .expect("the task's row")
}

fn underlined(buf: &Buffer, x: u16, y: u16) -> bool {
    buf[(x, y)].modifier.contains(Modifier::UNDERLINED)
}

#[test]
fn matched_characters_are_marked_in_mixed_chinese_and_ascii_text() {
    let mut s = state(sample());
    let mut index = Index::build(&s.full_tasks());
    // Task 52: 促进数字经济集聚发展,推进人工智能、5G和实体经济的深度融合…
    type_search(&mut s, &mut index, "5g 智能");
    run(&mut s, &mut index, &[Action::Submit]);
    assert_eq!(shown(&s).first(), Some(&52));
    let buf = render(&s);
    let y = row_of(&buf, 52);
    let g5 = columns_of(&buf, y, "5G");
    let zn = columns_of(&buf, y, "智能");
    assert_eq!(g5.len(), 2, "5G on screen");
    assert_eq!(zn.len(), 2, "智能 on screen");
    for x in g5.iter().chain(&zn) {
        assert!(underlined(&buf, *x, y), "column {x} is marked");
    }
    // The wide 智 covers two columns, both marked; its neighbours are not.
    assert!(underlined(&buf, zn[0] + 1, y));
    let before = columns_of(&buf, y, "人工")[1];
    assert!(
        !underlined(&buf, before, y),
        "人工 is not part of the match"
    );
    let after = columns_of(&buf, y, "和实")[0];
    assert!(!underlined(&buf, after, y), "和 is not part of the match");
}

#[test]
fn a_co_unit_hit_is_shown_and_tagged_in_the_unit_column() {
    let mut s = state(sample());
    let mut index = Index::build(&s.full_tasks());
    type_search(&mut s, &mut index, "@生态环境局");
    run(&mut s, &mut index, &[Action::Submit]);
    let co: Vec<u32> = s
        .list_tasks()
        .iter()
        .filter(|t| !t.leads("市生态环境局"))
        .map(|t| t.number)
        .collect();
    assert!(!co.is_empty(), "some task has it as a co unit");
    let buf = render(&s);
    for n in co {
        let text = line(&buf, row_of(&buf, n));
        assert!(text.contains("协 市生态环境局"), "{text}");
    }
}

fn event(seq: u64, task: u32, user: &str, from: Status, to: Status) -> Event {
    Event {
        seq,
        task,
        at: chrono::Utc::now(),
        user: user.into(),
        change: Change::Status {
            from,
            to,
            undo: false,
        },
        note: None,
    }
}

#[test]
fn another_persons_edit_shows_at_once_and_says_who_on_the_task_in_view() {
    let mut s = state(sample());
    let mut index = Index::build(&s.full_tasks());
    type_search(&mut s, &mut index, "#14");
    run(&mut s, &mut index, &[Action::Submit]);
    let mut task = s.detail(14).expect("task").clone();
    task.status = Status::Behind;
    let effects = update(
        &mut s,
        Action::Changed(Box::new(Changed {
            event: event(900, 14, "bob", Status::NotStarted, Status::Behind),
            task: Some(task),
        })),
    );
    assert_eq!(s.task(14).expect("task").status, Status::Behind);
    let msg = s.message.clone().expect("a notice").text;
    assert!(msg.starts_with("bob #14 状态"), "{msg}");
    assert!(msg.contains("进度滞后"), "{msg}");
    assert_eq!(s.history.last().map(|e| e.seq), Some(900));
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Reindex(t) if t.number == 14)),
        "{effects:?}"
    );
    // The same event again (ours echoed, or a repeat after a reconnect) changes nothing.
    let again = update(
        &mut s,
        Action::Changed(Box::new(Changed {
            event: event(900, 14, "bob", Status::NotStarted, Status::Behind),
            task: None,
        })),
    );
    assert!(again.is_empty());
    assert_eq!(s.history.iter().filter(|e| e.seq == 900).count(), 1);
}

#[test]
fn an_announced_edit_refreshes_the_search_in_force() {
    let mut s = state(sample());
    let mut index = Index::build(&s.full_tasks());
    type_search(&mut s, &mut index, "status:behind");
    run(&mut s, &mut index, &[Action::Submit]);
    assert!(shown(&s).is_empty());
    let mut task = s.detail(30).expect("task").clone();
    task.status = Status::Behind;
    let effects = update(
        &mut s,
        Action::Changed(Box::new(Changed {
            event: event(901, 30, "wang", Status::NotStarted, Status::Behind),
            task: Some(task),
        })),
    );
    settle_searches(&mut s, &mut index, effects);
    assert_eq!(shown(&s), vec![30]);
    // Not the task in view: still said, as nothing else was on the status bar.
    let msg = s.message.clone().expect("a notice").text;
    assert!(msg.contains("wang #30 "), "{msg}");
}

#[test]
fn losing_and_regaining_the_server_is_said_in_the_status_bar() {
    let mut s = state(sample());
    update(&mut s, Action::Connection(Some("connection reset".into())));
    let msg = s.message.clone().expect("message").text;
    assert!(msg.contains("与共享数据库断开"), "{msg}");
    assert!(s.offline.is_some());
    update(&mut s, Action::Connection(None));
    assert!(s.offline.is_none());
    assert!(s
        .message
        .clone()
        .expect("message")
        .text
        .contains("已重新连上"));
}

#[test]
fn someone_elses_status_change_drops_our_undo_for_that_task() {
    let mut s = state(sample());
    let ours = event(910, 14, "alice", Status::NotStarted, Status::Behind);
    update(
        &mut s,
        Action::Saved(Box::new(duban::ui::action::Saved {
            kind: duban::ui::action::SavedKind::Status,
            event: ours,
        })),
    );
    assert_eq!(s.undo.len(), 1);
    let mut task = s.detail(14).expect("task").clone();
    task.status = Status::Done;
    update(
        &mut s,
        Action::Changed(Box::new(Changed {
            event: event(911, 14, "bob", Status::Behind, Status::Done),
            task: Some(task),
        })),
    );
    assert!(
        s.undo.is_empty(),
        "undoing now would overwrite bob's change"
    );
    let msg = s.message.clone().expect("notice").text;
    assert!(msg.contains("你对它的撤销已失效"), "{msg}");
    // `u` now says there is nothing to undo rather than reverting bob's change.
    assert!(update(&mut s, Action::Undo).is_empty());
}

#[test]
fn a_fresh_state_lists_and_counts_every_task_before_any_key() {
    let s = state(sample());
    assert_eq!(s.list_tasks().len(), 116);
    assert_eq!(s.tab_counts(0).iter().sum::<usize>(), 116);
    let per_domain: usize = (1..5).map(|t| s.tab_counts(t).iter().sum::<usize>()).sum();
    assert_eq!(per_domain, 116);
    let screen = screen_text(&render(&s));
    assert!(screen.contains("全部 116"), "{screen}");
}

#[test]
fn results_older_than_an_edit_of_the_goal_draw_without_panicking() {
    let mut s = state(sample());
    let mut index = Index::build(&s.full_tasks());
    type_search(&mut s, &mut index, "5g 智能");
    run(&mut s, &mut index, &[Action::Submit]);
    // Someone shortens task 52's goal; the results in force still mark the old positions
    // until the new search answers.
    let mut task = s.detail(52).expect("task").clone();
    task.goal = "数字经济".into();
    update(
        &mut s,
        Action::Changed(Box::new(Changed {
            event: Event {
                seq: 920,
                task: 52,
                at: chrono::Utc::now(),
                user: "bob".into(),
                change: Change::Goal {
                    from: String::new(),
                    to: "数字经济".into(),
                    undo: false,
                },
                note: None,
            },
            task: Some(task),
        })),
    );
    for size in [(80, 24), (40, 10), (20, 8), (16, 6), (200, 50)] {
        s.size = size;
        let screen = screen_text(&render(&s));
        if size.0 >= 40 {
            assert!(screen.contains("数字经济"), "{screen}");
        }
    }
}

/// A UI that reads whole tasks on demand (the terminal UI) holds summaries: search hits in
/// progress text are shown from the whole tasks it asks for, only those of the rows on
/// screen, once each; until they arrive the rows show the goal. Then the screen is the
/// one a UI holding every task draws.
#[test]
fn hits_in_progress_text_are_shown_from_tasks_read_for_the_rows_on_screen() {
    let whole = sample();
    let mut s = state(whole.clone());
    let mut index = Index::build(&s.details_on_demand());
    assert!(s.detail(14).is_none(), "only summaries are held");
    run(&mut s, &mut index, &[Action::Search]);
    let mut wanted: Vec<u32> = Vec::new();
    for c in "黑臭水体".chars() {
        for e in run(&mut s, &mut index, &[Action::Insert(c.to_string())]) {
            if let Effect::Show(numbers) = e {
                wanted.extend(numbers);
            }
        }
    }
    let mut once = wanted.clone();
    once.sort_unstable();
    once.dedup();
    assert_eq!(
        once.len(),
        wanted.len(),
        "each task asked for once: {wanted:?}"
    );
    assert!(
        !wanted.is_empty() && wanted.len() <= s.list_rows(),
        "{wanted:?}"
    );
    assert!(
        !wanted.contains(&14),
        "task 14's hit is in its goal: {wanted:?}"
    );
    let before = screen_text(&render(&s));
    assert!(!before.contains("进展"), "{before}");
    let tasks: Vec<Task> = whole
        .into_iter()
        .filter(|t| wanted.contains(&t.number))
        .collect();
    update(
        &mut s,
        Action::Tasks(Box::new(TasksPage {
            tasks,
            next: None,
            kind: PageKind::Shown,
        })),
    );
    let after = screen_text(&render(&s));
    assert!(after.contains("进展"), "{after}");
    let mut full = state(sample());
    let mut full_index = Index::build(&full.full_tasks());
    type_search(&mut full, &mut full_index, "黑臭水体");
    assert_eq!(after, screen_text(&render(&full)));
}
