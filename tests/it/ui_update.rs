//! `update` driven by action sequences: navigation, tabs, screens, edits as effects, the input
//! line, and (with a real ledger on a temporary database) edits written before they are shown.

use crate::common::ui_fixture;

use chrono::{TimeZone, Utc};
use duban::model::{Change, Event, Status};
use duban::search::Index;
use duban::server::session::Session;
use duban::ui::action::Action;
use duban::ui::action::{Saved, SavedKind};
use duban::ui::app::{update, Effect, InputKind, MessageKind, Screen, State};
use duban::ui::effects::settle_searches;
use duban::ui::keymap::Keymap;
use duban::ui::keymap::Mode;
use duban::ui::theme::Theme;

fn state() -> State {
    State::new(
        ui_fixture::tasks(),
        ui_fixture::history(),
        Keymap::builtin(),
        Theme::mono(false),
        (80, 24),
    )
}

/// Feeds actions through `update`; searches run inline (as the worker would, at once) and
/// the other effects are returned.
fn run(s: &mut State, actions: &[Action]) -> Vec<Effect> {
    let mut index = Index::build(&s.full_tasks());
    let mut out = Vec::new();
    for a in actions {
        let effects = update(s, a.clone());
        out.extend(settle_searches(s, &mut index, effects));
    }
    out
}

#[test]
fn detail_scrolls_to_the_bottom_and_stops_there() {
    let mut s = state();
    run(
        &mut s,
        &[
            Action::MoveDown,
            Action::MoveDown,
            Action::MoveDown,
            Action::Open,
        ],
    );
    assert!(matches!(
        s.screen(),
        Some(Screen::Detail {
            number: 14,
            scroll: 0
        })
    ));
    run(&mut s, &[Action::MoveDown]);
    assert!(
        matches!(
            s.screen(),
            Some(Screen::Detail {
                number: 14,
                scroll: 1
            })
        ),
        "{:?}",
        s.screen()
    );
}

fn saved(s: &mut State, effect: &Effect, seq: u64) -> Event {
    let (task, change) = match effect {
        Effect::SetStatus { number, status } => {
            let from = s.task(*number).expect("task").status;
            (
                *number,
                Change::Status {
                    from,
                    to: *status,
                    undo: false,
                },
            )
        }
        Effect::Undo(ev) => match ev.change {
            Change::Status { from, to, .. } => (
                ev.task,
                Change::Status {
                    from: to,
                    to: from,
                    undo: true,
                },
            ),
            _ => panic!("only status undo"),
        },
        Effect::AddNote { number, text } => (*number, Change::Note { text: text.clone() }),
        Effect::Search(_)
        | Effect::Reindex(_)
        | Effect::Complete(_)
        | Effect::Preview { .. }
        | Effect::Import(_)
        | Effect::LoadTasks(_)
        | Effect::LoadHistory(_)
        | Effect::Fetch(_)
        | Effect::Unindex(_)
        | Effect::Prune
        | Effect::Export { .. }
        | Effect::Show(_) => panic!("not a task edit: {effect:?}"),
        Effect::AcceptSuggestion { number, suggestion } => {
            let from = s.task(*number).expect("task").status;
            (
                *number,
                Change::Status {
                    from,
                    to: suggestion.status,
                    undo: false,
                },
            )
        }
        other => panic!("a test of other edits goes through a ledger: {other:?}"),
    };
    let event = Event {
        seq,
        task,
        at: Utc
            .with_ymd_and_hms(2020, 9, 1, 1, 0, 0)
            .single()
            .expect("time"),
        user: "tester".into(),
        change,
        note: match effect {
            Effect::AcceptSuggestion { suggestion, .. } => Some(suggestion.note()),
            _ => None,
        },
    };
    let kind = match effect {
        Effect::SetStatus { .. } => SavedKind::Status,
        Effect::Undo(_) => SavedKind::Undo,
        Effect::AddNote { .. } => SavedKind::Note,
        Effect::AcceptSuggestion { .. } => SavedKind::Accept,
        Effect::Search(_)
        | Effect::Reindex(_)
        | Effect::Complete(_)
        | Effect::Preview { .. }
        | Effect::Import(_)
        | Effect::LoadTasks(_)
        | Effect::LoadHistory(_)
        | Effect::Fetch(_)
        | Effect::Unindex(_)
        | Effect::Prune
        | Effect::Export { .. }
        | Effect::Show(_) => panic!("not a task edit: {effect:?}"),
        other => panic!("a test of other edits goes through a ledger: {other:?}"),
    };
    update(
        s,
        Action::Saved(Box::new(Saved {
            kind,
            event: event.clone(),
        })),
    );
    event
}

fn selected(s: &State) -> Option<u32> {
    s.list_selected()
}

#[test]
fn moving_clamps_at_both_ends() {
    let mut s = state();
    run(&mut s, &[Action::MoveUp]);
    assert_eq!(selected(&s), Some(1));
    run(&mut s, &[Action::Bottom]);
    assert_eq!(selected(&s), Some(90));
    run(&mut s, &[Action::MoveDown, Action::PageDown]);
    assert_eq!(selected(&s), Some(90));
    run(&mut s, &[Action::Top]);
    assert_eq!(selected(&s), Some(1));
}

#[test]
fn paging_moves_a_page_and_keeps_the_selection_on_screen() {
    let mut s = State::new(
        ui_fixture::many_tasks(116),
        vec![],
        Keymap::builtin(),
        Theme::mono(false),
        (80, 24),
    );
    let rows = s.list_rows();
    assert_eq!(rows, 20);
    run(&mut s, &[Action::PageDown]);
    assert_eq!(selected(&s), Some(21));
    assert_eq!(s.offset, 20);
    run(&mut s, &[Action::PageDown, Action::PageUp]);
    assert_eq!(selected(&s), Some(21));
    run(&mut s, &[Action::Bottom]);
    assert_eq!(s.offset, 116 - 20);
    update(&mut s, Action::Resize(80, 10));
    let rows = s.list_rows();
    let idx = 115;
    assert!(
        s.offset <= idx && idx < s.offset + rows,
        "selection visible after a resize"
    );
}

#[test]
fn tab_switch_keeps_the_selected_task_when_it_is_in_the_new_tab() {
    let mut s = state();
    run(
        &mut s,
        &[Action::MoveDown, Action::MoveDown, Action::MoveDown],
    );
    assert_eq!(selected(&s), Some(14));
    run(&mut s, &[Action::NextTab]);
    assert_eq!(s.tab, 1, "生态");
    assert_eq!(
        selected(&s),
        Some(14),
        "task 14 is an ecology task: it stays selected"
    );
    run(&mut s, &[Action::NextTab]);
    assert_eq!(selected(&s), Some(17), "not in 民生: the tab's first task");
    run(&mut s, &[Action::MoveDown]);
    assert_eq!(selected(&s), Some(18));
    run(&mut s, &[Action::PrevTab]);
    assert_eq!(
        selected(&s),
        Some(14),
        "18 is not in 生态: that tab's own selection comes back"
    );
    run(&mut s, &[Action::NextTab, Action::PrevTab, Action::PrevTab]);
    assert_eq!(s.tab, 0);
    assert_eq!(
        selected(&s),
        Some(14),
        "全部 holds 14, so it follows from 生态"
    );
    run(&mut s, &[Action::PrevTab]);
    assert_eq!(s.tab, 4, "wraps to 改革");
    assert!(s
        .list_tasks()
        .iter()
        .all(|t| t.domain == duban::model::Domain::Reform));
}

#[test]
fn status_keys_become_effects_and_the_screen_waits_for_the_store() {
    let mut s = state();
    // Task 1 is 正常推进.
    assert_eq!(
        run(&mut s, &[Action::CycleStatus]),
        vec![Effect::SetStatus {
            number: 1,
            status: Status::Behind
        }]
    );
    assert_eq!(
        run(&mut s, &[Action::CycleStatusBack]),
        vec![Effect::SetStatus {
            number: 1,
            status: Status::NotStarted
        }]
    );
    let e = run(&mut s, &[Action::SetSeriouslyBehind]);
    assert_eq!(
        e,
        vec![Effect::SetStatus {
            number: 1,
            status: Status::SeriouslyBehind
        }]
    );
    // Nothing is shown as changed until the store says so; meanwhile it says it is saving.
    assert_eq!(s.task(1).expect("task").status, Status::OnTrack);
    assert_eq!(s.saving, 3, "three edits sent, none answered yet");
    assert!(s
        .message
        .as_ref()
        .is_some_and(|m| m.text.starts_with("正在保存 #1")));
    saved(&mut s, &e[0], 100);
    assert_eq!(s.task(1).expect("task").status, Status::SeriouslyBehind);
    let m = s.message.clone().expect("message");
    assert_eq!(m.kind, MessageKind::Ok);
    assert!(
        m.text.starts_with("已保存 #1 ") && m.text.contains("正常推进 → 严重滞后"),
        "{}",
        m.text
    );
    assert_eq!(selected(&s), Some(1), "the selection stays after an edit");
    assert_eq!(s.history.last().expect("event").seq, 100);
}

#[test]
fn setting_the_current_status_changes_nothing_and_says_so() {
    let mut s = state();
    assert!(run(&mut s, &[Action::SetOnTrack]).is_empty());
    assert!(s.message.expect("message").text.contains("已是 正常推进"));
}

#[test]
fn a_failed_write_is_reported_in_words_and_changes_nothing() {
    let mut s = state();
    run(&mut s, &[Action::SetDone]);
    update(
        &mut s,
        Action::Failed {
            what: "task 1 to 已完成".into(),
            error: "the database could not be written: disk full. The edit was NOT saved.".into(),
        },
    );
    assert_eq!(s.task(1).expect("task").status, Status::OnTrack);
    let m = s.message.expect("message");
    assert_eq!(m.kind, MessageKind::Error);
    assert!(
        m.text.contains("未保存") && m.text.contains("disk full"),
        "{}",
        m.text
    );
}

#[test]
fn undo_reverts_the_last_status_change_of_the_session_as_a_new_event() {
    let mut s = state();
    assert!(run(&mut s, &[Action::Undo]).is_empty());
    assert!(s
        .message
        .clone()
        .expect("message")
        .text
        .contains("没有可撤销"));
    let e = run(&mut s, &[Action::SetBehind]);
    let first = saved(&mut s, &e[0], 100);
    let e = run(&mut s, &[Action::MoveDown, Action::SetDone]);
    saved(&mut s, &e[0], 101);
    // Undo the newest first (task 2 → back to 进度滞后), then task 1.
    let u = run(&mut s, &[Action::Undo]);
    assert!(matches!(&u[..], [Effect::Undo(ev)] if ev.task == 2 && ev.seq == 101));
    saved(&mut s, &u[0], 102);
    assert_eq!(s.task(2).expect("task").status, Status::Behind);
    assert!(s.message.clone().expect("message").text.contains("已撤销"));
    let u = run(&mut s, &[Action::Undo]);
    assert_eq!(u, vec![Effect::Undo(first)]);
    saved(&mut s, &u[0], 103);
    assert_eq!(s.task(1).expect("task").status, Status::OnTrack);
    assert!(run(&mut s, &[Action::Undo]).is_empty());
    assert_eq!(
        s.history.len(),
        ui_fixture::history().len() + 4,
        "undo adds events, never removes"
    );
}

#[test]
fn note_input_takes_chinese_and_measures_the_cursor_in_columns() {
    let mut s = state();
    run(&mut s, &[Action::MoveDown, Action::AddNote]);
    assert!(matches!(
        s.input.as_ref().map(|i| i.kind),
        Some(InputKind::Note(2))
    ));
    run(
        &mut s,
        &[Action::Insert("已约谈".into()), Action::Insert("ab".into())],
    );
    let input = s.input.clone().expect("input");
    assert_eq!(input.text, "已约谈ab");
    assert_eq!(input.cursor_col(), 8);
    run(
        &mut s,
        &[Action::CursorLeft, Action::CursorLeft, Action::CursorLeft],
    );
    assert_eq!(s.input.as_ref().expect("input").cursor_col(), 4);
    run(&mut s, &[Action::DeleteBack, Action::Insert("市".into())]);
    assert_eq!(s.input.as_ref().expect("input").text, "已市谈ab");
    run(
        &mut s,
        &[
            Action::CursorHome,
            Action::DeleteForward,
            Action::CursorEnd,
            Action::DeleteWordBack,
        ],
    );
    assert_eq!(s.input.as_ref().expect("input").text, "");
    // Keys that are commands elsewhere are text here: the input takes them as Insert.
    run(&mut s, &[Action::Insert("要求8月底前整改\n到位".into())]);
    let e = run(&mut s, &[Action::Submit]);
    assert_eq!(
        e,
        vec![Effect::AddNote {
            number: 2,
            text: "要求8月底前整改 到位".into()
        }]
    );
    assert!(s.input.is_none());
    saved(&mut s, &e[0], 100);
    assert_eq!(
        s.detail(2).expect("task").notes.last().expect("note").text,
        "要求8月底前整改 到位"
    );
    assert!(s.message.expect("message").text.contains("已保存 #2 备注"));
}

#[test]
fn an_empty_or_cancelled_note_saves_nothing() {
    let mut s = state();
    assert!(run(
        &mut s,
        &[Action::AddNote, Action::Insert("  ".into()), Action::Submit]
    )
    .is_empty());
    assert!(run(
        &mut s,
        &[
            Action::AddNote,
            Action::Insert("草稿".into()),
            Action::Cancel
        ]
    )
    .is_empty());
    assert!(s.input.is_none());
    assert!(s.message.expect("message").text.contains("已放弃"));
}

#[test]
fn search_filters_as_you_type_and_esc_clears_it() {
    let mut s = state();
    run(&mut s, &[Action::Search, Action::Insert("黑臭".into())]);
    let shown: Vec<u32> = s.list_tasks().iter().map(|t| t.number).collect();
    assert_eq!(shown, vec![14]);
    assert_eq!(selected(&s), Some(14));
    run(&mut s, &[Action::Submit]);
    assert!(s.input.is_none());
    assert_eq!(s.search.as_deref(), Some("黑臭"));
    // Units and progress text count too; case does not matter.
    run(
        &mut s,
        &[
            Action::Back,
            Action::Search,
            Action::Insert("ppp".into()),
            Action::Submit,
        ],
    );
    assert_eq!(
        s.list_tasks().iter().map(|t| t.number).collect::<Vec<_>>(),
        vec![16]
    );
    run(
        &mut s,
        &[Action::Search, Action::Insert("x".into()), Action::Cancel],
    );
    assert_eq!(
        s.search.as_deref(),
        Some("ppp"),
        "cancel restores the filter that was in force"
    );
    run(&mut s, &[Action::Back]);
    assert!(s.search.is_none());
    assert_eq!(s.list_tasks().len(), 13);
}

#[test]
fn units_view_lists_the_most_lagging_first_and_opens_a_units_tasks() {
    let mut s = state();
    run(&mut s, &[Action::Units]);
    assert_eq!(s.mode(), Mode::Units);
    let rows = s.unit_rows();
    assert_eq!(
        rows[0].unit, "市生态环境局",
        "one red and one yellow lead task"
    );
    assert!(rows
        .windows(2)
        .all(|w| (w[0].red(), w[0].yellow()) >= (w[1].red(), w[1].yellow())));
    let fgw = rows
        .iter()
        .find(|r| r.unit == "市发展和改革委员会")
        .expect("alias resolved");
    assert_eq!((fgw.lead, fgw.co), (1, 1));
    run(&mut s, &[Action::MoveDown, Action::Open]);
    assert!(matches!(s.screen(), Some(Screen::UnitTasks { unit, .. }) if unit == "市住建局"));
    let tasks: Vec<u32> = s.list_tasks().iter().map(|t| t.number).collect();
    assert_eq!(tasks, vec![3, 14, 16]);
    run(&mut s, &[Action::MoveDown, Action::Open]);
    assert!(matches!(
        s.screen(),
        Some(Screen::Detail { number: 14, .. })
    ));
    run(&mut s, &[Action::Back, Action::Back]);
    assert!(matches!(s.screen(), Some(Screen::Units { selected: Some(u), .. }) if u == "市住建局"));
    run(&mut s, &[Action::Back]);
    assert!(s.screen().is_none());
}

#[test]
fn units_follow_the_domain_tab() {
    let mut s = state();
    run(&mut s, &[Action::Units, Action::NextTab, Action::NextTab]);
    assert_eq!(s.tab, 2);
    let names: Vec<String> = s.unit_rows().into_iter().map(|r| r.unit).collect();
    assert!(names.contains(&"市扶贫办".to_string()));
    assert!(!names.contains(&"市住建局".to_string()));
}

#[test]
fn edits_in_the_detail_act_on_the_open_task_and_esc_returns_to_the_same_row() {
    let mut s = state();
    run(&mut s, &[Action::Bottom, Action::MoveUp, Action::Open]);
    assert!(matches!(
        s.screen(),
        Some(Screen::Detail { number: 61, .. })
    ));
    assert_eq!(
        run(&mut s, &[Action::SetDone]),
        vec![Effect::SetStatus {
            number: 61,
            status: Status::Done
        }]
    );
    run(&mut s, &[Action::Back]);
    assert!(s.screen().is_none());
    assert_eq!(selected(&s), Some(61));
}

#[test]
fn help_opens_and_closes() {
    let mut s = state();
    run(&mut s, &[Action::Help]);
    assert_eq!(s.mode(), Mode::Help);
    run(&mut s, &[Action::MoveDown, Action::Help]);
    assert_eq!(s.mode(), Mode::List);
    run(&mut s, &[Action::Help, Action::Back]);
    assert_eq!(s.mode(), Mode::List);
}

#[test]
fn quit_ends_the_ui() {
    let mut s = state();
    run(&mut s, &[Action::Quit]);
    assert!(s.quit);
}

#[test]
fn only_key_presses_count_and_ctrl_c_always_quits() {
    use crossterm::event::{
        Event as TermEvent, KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers,
    };
    use duban::ui::event::event_action;
    let mut s = state();
    let key = |code, kind| {
        TermEvent::Key(KeyEvent {
            code,
            modifiers: KeyModifiers::NONE,
            kind,
            state: KeyEventState::NONE,
        })
    };
    assert_eq!(
        event_action(&s, key(KeyCode::Char('j'), KeyEventKind::Press), false),
        Some(Action::MoveDown)
    );
    assert_eq!(
        event_action(&s, key(KeyCode::Char('j'), KeyEventKind::Release), false),
        None
    );
    assert_eq!(
        event_action(&s, key(KeyCode::Char('j'), KeyEventKind::Repeat), false),
        None
    );
    run(&mut s, &[Action::AddNote]);
    assert_eq!(
        event_action(&s, key(KeyCode::Char('q'), KeyEventKind::Press), false),
        Some(Action::Insert("q".into()))
    );
    assert_eq!(
        event_action(&s, key(KeyCode::Char('黑'), KeyEventKind::Press), false),
        Some(Action::Insert("黑".into()))
    );
    assert_eq!(
        event_action(&s, TermEvent::Paste("约谈".into()), false),
        Some(Action::Insert("约谈".into()))
    );
    let ctrl_c = TermEvent::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert_eq!(event_action(&s, ctrl_c, false), Some(Action::Quit));
    // Mouse is off unless asked for.
    let wheel = TermEvent::Mouse(crossterm::event::MouseEvent {
        kind: crossterm::event::MouseEventKind::ScrollDown,
        column: 0,
        row: 0,
        modifiers: KeyModifiers::NONE,
    });
    assert_eq!(event_action(&s, wheel.clone(), false), None);
    run(&mut s, &[Action::Cancel]);
    assert_eq!(event_action(&s, wheel, true), Some(Action::MoveDown));
}

#[test]
fn edits_reach_the_ledger_before_the_status_bar_says_saved() {
    use crossterm::event::{Event as TermEvent, KeyCode, KeyEvent, KeyModifiers};
    use duban::ui::effects::dispatch;
    use duban::ui::event::event_action;
    let dir = tempfile::tempdir().expect("tmp");
    let ledger = Session::Local(ui_fixture::ledger(dir.path()));
    let opts = duban::ui::UiOptions {
        keymap: None,
        ascii: false,
        mouse: false,
        startup_message: Some("hello".into()),
    };
    let mut s = duban::ui::initial_state(&ledger, &opts, None).expect("state");
    let start = s.message.clone().expect("startup message").text;
    assert!(
        start.starts_with("hello · ") && start.contains("逐项复核"),
        "{start}"
    );
    let press = |s: &mut State, code| {
        let a = event_action(
            s,
            TermEvent::Key(KeyEvent::new(code, KeyModifiers::NONE)),
            false,
        )
        .expect("bound");
        dispatch(s, &ledger, &mut Index::build(&s.full_tasks()), a);
    };
    for _ in 0..3 {
        press(&mut s, KeyCode::Char('j'));
    }
    press(&mut s, KeyCode::Enter);
    press(&mut s, KeyCode::Char('4'));
    assert_eq!(
        ledger.task(14).expect("task").status,
        Status::SeriouslyBehind
    );
    assert!(s
        .message
        .clone()
        .expect("message")
        .text
        .starts_with("已保存 #14"));
    press(&mut s, KeyCode::Char('u'));
    assert_eq!(ledger.task(14).expect("task").status, Status::OnTrack);
    press(&mut s, KeyCode::Char('n'));
    for c in "要求整改".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    press(&mut s, KeyCode::Enter);
    let task = ledger.task(14).expect("task");
    assert_eq!(task.notes.last().expect("note").text, "要求整改");
    let history = ledger.all_history(Some(14)).expect("history");
    let kinds: Vec<String> = history
        .iter()
        .skip(1)
        .map(|e| format!("{} {:?}", e.user, e.change))
        .collect();
    assert_eq!(kinds.len(), 3, "{kinds:?}");
    assert!(history.iter().skip(1).all(|e| e.user == "tester"));
    assert!(matches!(
        history[2].change,
        Change::Status { undo: true, .. }
    ));
    assert_eq!(
        s.detail(14).expect("task"),
        &task,
        "the screen shows what the store holds"
    );
    // An edit the store refuses is reported, not applied.
    press(&mut s, KeyCode::Char('2'));
    assert!(s.message.clone().expect("message").text.contains("已是"));
}

// ---------------------------------------------------------------------------------------
// The supervision workflow: suggested status, period diff, units, history.

/// Selects task `n` in the list on screen.
fn select(s: &mut State, n: u32) {
    let i = s
        .list_tasks()
        .iter()
        .position(|t| t.number == n)
        .expect("task in the list");
    run(s, &[Action::Top]);
    run(s, &vec![Action::MoveDown; i]);
    assert_eq!(selected(s), Some(n));
}

fn message(s: &State) -> String {
    s.message.clone().expect("message").text
}

#[test]
fn accept_becomes_an_effect_and_the_status_changes_only_when_saved() {
    let mut s = state();
    select(&mut s, 2);
    let sug = s.suggestion(2).cloned().expect("task 2 has a suggestion");
    assert_ne!(sug.status, Status::Behind, "it differs from the status");
    let e = run(&mut s, &[Action::AcceptSuggestion]);
    assert_eq!(
        e,
        vec![Effect::AcceptSuggestion {
            number: 2,
            suggestion: sug.clone()
        }]
    );
    assert_eq!(s.task(2).expect("task").status, Status::Behind);
    assert!(
        s.message
            .as_ref()
            .is_some_and(|m| m.text.starts_with("正在保存")),
        "saving… until the store answers"
    );
    let event = saved(&mut s, &e[0], 100);
    assert_eq!(s.saving, 0);
    assert_eq!(s.task(2).expect("task").status, sug.status);
    let m = s.message.clone().expect("message");
    assert_eq!(m.kind, MessageKind::Ok);
    assert!(
        m.text.starts_with("已保存 #2 进度滞后 → ") && m.text.contains("采纳建议"),
        "{}",
        m.text
    );
    assert_eq!(s.history.last(), Some(&event));
    // Accepting again changes nothing and says so.
    assert!(run(&mut s, &[Action::AcceptSuggestion]).is_empty());
    assert!(message(&s).contains("已是"), "{}", message(&s));
    // An accepted suggestion is undone like any status change.
    let u = run(&mut s, &[Action::Undo]);
    assert_eq!(u, vec![Effect::Undo(event)]);
}

#[test]
fn no_suggestion_is_said_in_words() {
    let mut s = state();
    // Task 90 reports no progress at the half year: that is a suggestion (严重滞后), with
    // its reason in the detail. Task 18's progress has nothing to measure: said in Chinese.
    select(&mut s, 90);
    assert_eq!(
        s.suggestion(90).map(|x| (x.status, x.reason.clone())),
        Some((
            Status::SeriouslyBehind,
            "本期未报告进展,而序时进度已到50%,应列为严重滞后".to_string()
        ))
    );
    select(&mut s, 18);
    assert!(run(&mut s, &[Action::Open, Action::AcceptSuggestion]).is_empty());
    let m = message(&s);
    assert!(
        m.contains("#18 没有建议状态")
            && m.contains("最新一期(2020年上半年)没有可对照序时进度的数字"),
        "{m}"
    );
    // Not on the units screen, where no task is selected.
    run(&mut s, &[Action::Back, Action::Units]);
    assert!(run(&mut s, &[Action::AcceptSuggestion]).is_empty());
    assert!(message(&s).contains("未选中任务"));
}

#[test]
fn diff_toggles_on_a_task_with_two_periods_and_explains_when_there_is_one() {
    let mut s = state();
    select(&mut s, 14);
    run(&mut s, &[Action::Open, Action::ToggleDiff]);
    assert!(matches!(
        s.screen(),
        Some(Screen::Diff {
            number: 14,
            scroll: 0
        })
    ));
    assert_eq!(s.mode(), Mode::Detail, "the detail's keys work in the diff");
    assert_eq!(s.current_task(), Some(14));
    run(&mut s, &[Action::ToggleDiff]);
    assert!(matches!(
        s.screen(),
        Some(Screen::Detail { number: 14, .. })
    ));
    run(&mut s, &[Action::ToggleDiff, Action::Back]);
    assert!(matches!(
        s.screen(),
        Some(Screen::Detail { number: 14, .. })
    ));
    // Edits in the diff act on its task.
    assert_eq!(
        run(&mut s, &[Action::ToggleDiff, Action::SetBehind]),
        vec![Effect::SetStatus {
            number: 14,
            status: Status::Behind
        }]
    );
    // Search from the diff leaves both the diff and the detail.
    run(&mut s, &[Action::Search]);
    assert!(s.screen().is_none());
    run(&mut s, &[Action::Cancel]);

    select(&mut s, 1);
    run(&mut s, &[Action::Open, Action::ToggleDiff]);
    assert!(matches!(s.screen(), Some(Screen::Detail { number: 1, .. })));
    let m = message(&s);
    assert!(
        m.contains("只有一个报告期") && m.contains("无可对比"),
        "{m}"
    );
    let mut tasks = ui_fixture::tasks();
    if let Some(t) = tasks.iter_mut().find(|t| t.number == 90) {
        t.periods.clear();
    }
    let mut s = State::new(
        tasks,
        ui_fixture::history(),
        Keymap::builtin(),
        Theme::mono(false),
        (80, 24),
    );
    select(&mut s, 90);
    run(&mut s, &[Action::Open, Action::ToggleDiff]);
    assert!(message(&s).contains("还没有报告进展"), "{}", message(&s));
    assert!(run(&mut s, &[Action::AcceptSuggestion]).is_empty());
    assert!(
        message(&s).contains("#90 没有建议状态：尚未报告进展"),
        "{}",
        message(&s)
    );
    // `d` means nothing on the list.
    run(&mut s, &[Action::Back, Action::ToggleDiff]);
    assert!(s.screen().is_none());
}

#[test]
fn a_units_tasks_are_its_lead_tasks_most_lagging_first_then_its_co_tasks() {
    let mut s = state();
    run(&mut s, &[Action::Units]);
    let rows = s.unit_rows();
    // Ranked by red, then yellow lead tasks.
    assert!(rows
        .windows(2)
        .all(|w| (w[0].red(), w[0].yellow()) >= (w[1].red(), w[1].yellow())));
    let i = rows
        .iter()
        .position(|r| r.unit == "市城管局")
        .expect("市城管局");
    run(&mut s, &vec![Action::MoveDown; i]);
    run(&mut s, &[Action::Open]);
    let tasks: Vec<(u32, bool)> = s
        .list_tasks()
        .iter()
        .map(|t| (t.number, t.leads("市城管局")))
        .collect();
    // Leads 3 (严重滞后) and 15 (未启动); shares 14.
    assert_eq!(tasks, vec![(3, true), (15, true), (14, false)]);
    run(&mut s, &[Action::Back, Action::Top]);
    let i = s
        .unit_rows()
        .iter()
        .position(|r| r.unit == "市自然资源和规划局")
        .expect("unit");
    run(&mut s, &vec![Action::MoveDown; i]);
    run(&mut s, &[Action::Open]);
    let tasks: Vec<u32> = s.list_tasks().iter().map(|t| t.number).collect();
    assert_eq!(tasks, vec![3, 15, 1], "red, grey, green");
}

#[test]
fn history_says_who_changed_what_from_what_to_what_with_the_note() {
    let s = state();
    let t = s.detail(28).expect("task 28");
    let text: String = duban::ui::view::detail::lines(&s, t, 120)
        .iter()
        .map(|l| l.to_string() + "\n")
        .collect();
    assert!(
        text.contains("2020-08-14 10:00 wangli  状态 进度滞后 → 严重滞后 (连续两期无实质进展)"),
        "{text}"
    );
    assert!(text.contains("wangli  备注: 约谈市人社局"), "{text}");
    assert!(
        text.contains("importer  导入 2020年上半年（来自 sample）"),
        "{text}"
    );
}

/// Presses a key as the terminal would report it, and runs what it asks for.
fn press(s: &mut State, ledger: &Session, code: crossterm::event::KeyCode) {
    use crossterm::event::{Event as TermEvent, KeyEvent, KeyModifiers};
    let a = duban::ui::event::event_action(
        s,
        TermEvent::Key(KeyEvent::new(code, KeyModifiers::NONE)),
        false,
    )
    .expect("bound");
    let mut index = Index::build(&s.full_tasks());
    duban::ui::effects::dispatch(s, ledger, &mut index, a);
}

fn ui_options() -> duban::ui::UiOptions {
    duban::ui::UiOptions {
        keymap: None,
        ascii: false,
        mouse: false,
        startup_message: None,
    }
}

fn open_in(s: &mut State, ledger: &Session, n: u32) {
    use crossterm::event::KeyCode;
    press(s, ledger, KeyCode::Char('g'));
    let i = s
        .list_tasks()
        .iter()
        .position(|t| t.number == n)
        .expect("task");
    for _ in 0..i {
        press(s, ledger, KeyCode::Char('j'));
    }
    press(s, ledger, KeyCode::Enter);
    assert!(matches!(s.screen(), Some(Screen::Detail { number, .. }) if *number == n));
}

fn detail_text(s: &State, n: u32) -> String {
    duban::ui::view::detail::lines(s, s.detail(n).expect("task"), 200)
        .iter()
        .map(|l| l.to_string() + "\n")
        .collect()
}

#[test]
fn accepting_a_suggestion_on_the_sample_writes_the_status_and_a_history_event_with_the_reason() {
    use crossterm::event::KeyCode;
    use duban::suggest::{suggest_task, Schedule};
    let dir = tempfile::tempdir().expect("tmp");
    let ledger = Session::Local(ui_fixture::sample_ledger(dir.path()));
    let mut s = duban::ui::initial_state(&ledger, &ui_options(), None).expect("state");
    let before = ledger.task(8).expect("task 8");
    let sug = suggest_task(&before, &Schedule::builtin()).expect("task 8 has a suggestion");
    assert_eq!(before.status, Status::NotStarted);
    assert_eq!(sug.status, Status::OnTrack);
    assert_eq!(
        s.suggestion(8),
        Some(&sug),
        "the screen shows the library's suggestion"
    );
    let events = ledger.all_history(Some(8)).expect("history").len();

    open_in(&mut s, &ledger, 8);
    let shown = detail_text(&s, 8);
    assert!(
        shown.contains(&format!("建议 ● 正常推进 — {} · a 采纳", sug.reason)),
        "{shown}"
    );
    press(&mut s, &ledger, KeyCode::Char('a'));
    let after = ledger.task(8).expect("task 8");
    assert_eq!(after.status, Status::OnTrack, "on disk");
    let history = ledger.all_history(Some(8)).expect("history");
    assert_eq!(history.len(), events + 1);
    let last = history.last().expect("event");
    assert_eq!(
        last.change,
        Change::Status {
            from: Status::NotStarted,
            to: Status::OnTrack,
            undo: false
        }
    );
    assert_eq!(last.user, "tester");
    assert_eq!(last.note.as_deref(), Some(sug.note().as_str()));
    assert!(
        sug.note().starts_with("采纳建议(2020年上半年):"),
        "{}",
        sug.note()
    );
    assert!(
        message(&s).starts_with("已保存 #8 未启动 → 正常推进（采纳建议）"),
        "{}",
        message(&s)
    );
    assert_eq!(
        s.detail(8),
        Some(&after),
        "the screen shows what the store holds"
    );
    let shown = detail_text(&s, 8);
    assert!(
        shown.contains(&format!("tester  状态 未启动 → 正常推进 ({})", sug.note())),
        "{shown}"
    );
    assert!(shown.contains("与当前状态一致"), "{shown}");

    // Again: nothing to accept, nothing written.
    press(&mut s, &ledger, KeyCode::Char('a'));
    assert!(message(&s).contains("已是 正常推进"), "{}", message(&s));
    assert_eq!(
        ledger.all_history(Some(8)).expect("history").len(),
        events + 1
    );

    // Undo: a new event, marked as one.
    press(&mut s, &ledger, KeyCode::Char('u'));
    assert_eq!(ledger.task(8).expect("task").status, Status::NotStarted);
    assert!(detail_text(&s, 8).contains("tester  撤销 正常推进 → 未启动"));

    // A task without a suggestion: the status bar says so and nothing is written.
    let none = s
        .tasks
        .iter()
        .find(|t| t.periods > 0 && s.suggestion(t.number).is_none())
        .map(|t| t.number)
        .expect("a sample task without a completion figure");
    press(&mut s, &ledger, KeyCode::Esc);
    open_in(&mut s, &ledger, none);
    let n = ledger.all_history(Some(none)).expect("history").len();
    press(&mut s, &ledger, KeyCode::Char('a'));
    assert!(
        message(&s).starts_with(&format!("#{none} 没有建议状态")),
        "{}",
        message(&s)
    );
    assert_eq!(ledger.all_history(Some(none)).expect("history").len(), n);
}

#[test]
fn the_q3_period_diff_opens_with_d_and_accepting_there_uses_the_latest_period() {
    use crossterm::event::KeyCode;
    let dir = tempfile::tempdir().expect("tmp");
    let ledger = Session::Local(ui_fixture::q3_ledger(dir.path()));
    let mut s = duban::ui::initial_state(&ledger, &ui_options(), None).expect("state");
    assert_eq!(s.task(8).expect("task").periods, 2);
    open_in(&mut s, &ledger, 8);
    press(&mut s, &ledger, KeyCode::Char('d'));
    assert!(matches!(s.screen(), Some(Screen::Diff { number: 8, .. })));
    let text: String = duban::ui::view::diff::lines(&s, s.detail(8).expect("task"), 80)
        .iter()
        .map(|l| l.to_string() + "\n")
        .collect();
    assert!(
        text.contains("变化 · 2020年上半年 → 2020年第三季度"),
        "{text}"
    );
    assert!(text.contains("完成率  64% → 87%"), "{text}");
    assert!(
        text.contains("+ 公厕建设工作：全年任务新建改造47座，现已完成新建改造41座，完成率87%。"),
        "{text}"
    );
    assert!(text.contains("- 二是推进生活垃圾示范片区建设。"), "{text}");
    assert!(text.contains("未变句子（2）"), "{text}");
    // A counted amount that changed, paired by what it counts.
    assert!(text.contains("新建改造  30座 → 41座"), "{text}");
    // Every line fits the width.
    for l in text.lines() {
        assert!(duban::ui::text::width(l) <= 80, "{l}");
    }

    press(&mut s, &ledger, KeyCode::Char('a'));
    let last = ledger
        .all_history(Some(8))
        .expect("history")
        .pop()
        .expect("event");
    assert_eq!(
        last.note.as_deref(),
        Some("采纳建议(2020年第三季度):完成率87% ≥ 序时进度75%")
    );
    assert_eq!(ledger.task(8).expect("task").status, Status::OnTrack);
    assert!(matches!(s.screen(), Some(Screen::Diff { number: 8, .. })));
    press(&mut s, &ledger, KeyCode::Char('d'));
    assert!(matches!(s.screen(), Some(Screen::Detail { number: 8, .. })));
    press(&mut s, &ledger, KeyCode::Esc);
    assert!(s.screen().is_none());

    // Task 1 is not in the Q3 report: one period only.
    open_in(&mut s, &ledger, 1);
    press(&mut s, &ledger, KeyCode::Char('d'));
    assert!(matches!(s.screen(), Some(Screen::Detail { number: 1, .. })));
    assert!(message(&s).contains("只有一个报告期（2020年上半年），无可对比"));
}

#[test]
fn a_reader_is_told_at_once_that_edits_are_refused_and_nothing_is_asked_of_the_store() {
    let mut s = state();
    s.read_only = true;
    for a in [
        Action::SetBehind,
        Action::CycleStatus,
        Action::AddNote,
        Action::AcceptSuggestion,
    ] {
        assert!(run(&mut s, std::slice::from_ref(&a)).is_empty(), "{a:?}");
        let m = s.message.clone().expect("message");
        assert_eq!(m.kind, MessageKind::Error);
        assert!(m.text.contains("只能查看"), "{}", m.text);
    }
    assert!(s.input.is_none(), "no note line opens");
    // Reading goes on as before.
    run(&mut s, &[Action::MoveDown, Action::Open]);
    assert!(matches!(s.screen(), Some(Screen::Detail { .. })));
}

/// Feeds the session's answer to every effect that asks the session for something, as the
/// loop does, until none is left; returns the session work that was done.
fn settle_jobs(s: &mut State, session: &Session, effects: Vec<Effect>) -> Vec<String> {
    use duban::ui::effects::{run_now, Job};
    let mut done = Vec::new();
    let mut queue = std::collections::VecDeque::from(effects);
    while let Some(effect) = queue.pop_front() {
        if let Some(job) = Job::of(effect) {
            done.push(format!("{job:?}").chars().take(24).collect());
            queue.extend(update(s, run_now(session, job)));
        }
    }
    done
}

#[test]
fn the_rest_of_the_tasks_arrives_while_the_first_page_is_shown() {
    let dir = tempfile::tempdir().expect("tmp");
    let session = Session::Local(ui_fixture::sample_ledger(dir.path()));
    let (first, next) = session
        .call(duban::ops::Op::Tasks {
            after: None,
            limit: Some(40),
        })
        .expect("first page")
        .into_tasks()
        .expect("tasks");
    assert_eq!((first.len(), next), (40, Some(40)));
    let mut s = State::new(
        first,
        Vec::new(),
        Keymap::builtin(),
        Theme::mono(false),
        (80, 24),
    );
    s.history_on_demand();
    s.load_rest_after(next);
    assert_eq!(s.loading, Some(40), "the screen says more is coming");
    let effects = update(&mut s, Action::NoOp);
    assert_eq!(effects, vec![Effect::LoadTasks(40)]);
    settle_jobs(&mut s, &session, effects);
    assert_eq!(s.tasks.len(), 116);
    assert_eq!(s.loading, None);
    assert_eq!(s.tab_counts(0).iter().sum::<usize>(), 116);
    // The history of a task is read when its detail opens, not before.
    assert!(!s.history_here(14));
    s.selected[0] = Some(14);
    let effects = update(&mut s, Action::Open);
    assert_eq!(effects, vec![Effect::LoadHistory(14)]);
    settle_jobs(&mut s, &session, effects);
    assert!(s.history_here(14));
    assert!(s.history.iter().any(|e| e.task == 14));
}

#[test]
fn others_edits_apply_what_they_say_and_imports_are_read_again() {
    let dir = tempfile::tempdir().expect("tmp");
    let session = Session::Local(ui_fixture::sample_ledger(dir.path()));
    let mut s = duban::ui::initial_state(
        &session,
        &duban::ui::UiOptions {
            keymap: None,
            ascii: false,
            mouse: false,
            startup_message: None,
        },
        None,
    )
    .expect("state");
    let at = Utc::now();
    let event = |seq: u64, task: u32, change: Change| Event {
        seq,
        task,
        at,
        user: "bob".into(),
        change,
        note: None,
    };
    let effects = update(
        &mut s,
        Action::Events(vec![
            event(
                900,
                14,
                Change::Status {
                    from: Status::NotStarted,
                    to: Status::SeriouslyBehind,
                    undo: false,
                },
            ),
            event(
                901,
                14,
                Change::Note {
                    text: "约谈".into(),
                },
            ),
            event(
                902,
                30,
                Change::Import {
                    period: "2020年第三季度".into(),
                    source: "q3.txt".into(),
                },
            ),
        ]),
    );
    let t14 = s.detail(14).expect("task 14");
    assert_eq!(t14.status, Status::SeriouslyBehind);
    assert_eq!(t14.notes.last().map(|n| n.text.as_str()), Some("约谈"));
    // What an import changed is not in its event: that task, only, is read again.
    assert!(effects.contains(&Effect::Fetch(vec![30])), "{effects:?}");
    // An import may have replaced the tasks: which there are is read too.
    assert!(effects.contains(&Effect::Prune), "{effects:?}");
    let done = settle_jobs(&mut s, &session, effects);
    assert_eq!(done.len(), 2, "{done:?}");
    // Nothing was removed, so every task stays.
    assert_eq!(s.tasks.len(), 116);
}

#[test]
fn tasks_someone_removed_with_import_replace_leave_an_open_ui() {
    let dir = tempfile::tempdir().expect("tmp");
    let session = Session::Local(ui_fixture::sample_ledger(dir.path()));
    let options = duban::ui::UiOptions {
        keymap: None,
        ascii: false,
        mouse: false,
        startup_message: None,
    };
    let mut s = duban::ui::initial_state(&session, &options, None).expect("state");
    let before = session
        .call(duban::ops::Op::history(None))
        .expect("history")
        .into_history()
        .expect("events")
        .0
        .last()
        .map_or(0, |e| e.seq);
    // Someone reads task 14 (not in the new report).
    s.selected[0] = Some(14);
    update(&mut s, Action::Open);
    // Someone else replaces every task with the Q3 report's eleven.
    session
        .call(duban::ops::Op::import(
            ui_fixture::Q3_REPORT.as_bytes().to_vec(),
            "q3.txt",
            None,
            true,
        ))
        .expect("import --replace");
    let (events, _) = session
        .call(duban::ops::Op::History {
            task: None,
            after: Some(before),
            limit: None,
        })
        .expect("history")
        .into_history()
        .expect("events");
    let kept: Vec<u32> = events.iter().map(|e| e.task).collect();
    assert_eq!(kept.len(), 11, "{kept:?}");
    assert!(!kept.contains(&14));
    let effects = update(&mut s, Action::Events(events));
    settle_jobs(&mut s, &session, effects);
    let mut here: Vec<u32> = s.tasks.iter().map(|t| t.number).collect();
    let mut expected = kept.clone();
    here.sort_unstable();
    expected.sort_unstable();
    assert_eq!(here, expected);
    // The detail of the removed task closed, and says why.
    assert!(!matches!(
        s.screen(),
        Some(Screen::Detail { number: 14, .. })
    ));
    assert!(message(&s).contains("14"), "{}", message(&s));
    // A task that an event from after the read names is kept though the read missed it.
    update(
        &mut s,
        Action::Present {
            numbers: vec![],
            as_of: 1,
        },
    );
    assert_eq!(s.tasks.len(), 11, "every task has an event from seq 1 on");
}

#[test]
fn the_end_of_a_text_is_where_the_view_drew_it_and_up_after_end_moves_at_once() {
    let mut s = state();
    s.selected[0] = Some(14);
    run(&mut s, &[Action::Open, Action::Bottom]);
    let draw = |s: &State| {
        let area = ratatui::layout::Rect::new(0, 0, 80, 24);
        let mut buf = ratatui::buffer::Buffer::empty(area);
        duban::ui::view::render(s, area, &mut buf);
    };
    draw(&s);
    let end = s.text_end.get().expect("the drawing measured the text");
    assert!(end > 0, "task 14's detail is longer than one screen");
    run(&mut s, &[Action::MoveUp]);
    assert!(
        matches!(s.screen(), Some(Screen::Detail { scroll, .. }) if *scroll == end - 1),
        "{:?} (end {end})",
        s.screen()
    );
    // Another text on top is measured anew.
    run(&mut s, &[Action::Help]);
    assert_eq!(s.text_end.get(), None);
}

/// The terminal UI holds what it draws: summaries for the lists, a task's whole text read
/// when its detail opens (the detail says so meanwhile), kept for going back; someone's
/// edit of a task it does not hold shows at once and the search index gets the task read.
#[test]
fn a_ui_reads_a_task_when_its_detail_opens_and_holds_summaries_otherwise() {
    let dir = tempfile::tempdir().expect("tmp");
    let session = Session::Local(ui_fixture::sample_ledger(dir.path()));
    let mut s = duban::ui::initial_state(&session, &ui_options(), None).expect("state");
    let whole = s.details_on_demand();
    assert_eq!(whole.len(), 116, "the first page goes to the search index");
    assert!(s.full_tasks().is_empty());
    let draw = |s: &State| -> String {
        let area = ratatui::layout::Rect::new(0, 0, 80, 24);
        let mut buf = ratatui::buffer::Buffer::empty(area);
        duban::ui::view::render(s, area, &mut buf);
        (0..24)
            .map(|y| {
                (0..80)
                    .map(|x| buf[(x, y)].symbol().to_string())
                    .collect::<String>()
                    + "\n"
            })
            .collect()
    };
    s.selected[0] = Some(14);
    s.fix_scroll();
    let effects = update(&mut s, Action::Open);
    assert!(effects.contains(&Effect::Show(vec![14])), "{effects:?}");
    assert!(draw(&s).contains("正 在 读 取  #14"), "{}", draw(&s));
    settle_jobs(&mut s, &session, effects);
    assert!(s.detail(14).is_some());
    let shown = draw(&s);
    assert!(!shown.contains("正 在 读 取  #14"), "{shown}");
    assert!(shown.replace(' ', "").contains("牵头单位"), "{shown}");
    // Back and in again: no second read.
    update(&mut s, Action::Back);
    let again = update(&mut s, Action::Open);
    assert!(
        !again.iter().any(|e| matches!(e, Effect::Show(_))),
        "{again:?}"
    );
    update(&mut s, Action::Back);
    // Someone sets task 30 (not held) to 严重滞后: the list has it at once.
    assert!(s.detail(30).is_none());
    let effects = update(
        &mut s,
        Action::Events(vec![Event {
            seq: 900,
            task: 30,
            at: Utc::now(),
            user: "bob".into(),
            change: Change::Status {
                from: Status::NotStarted,
                to: Status::SeriouslyBehind,
                undo: false,
            },
            note: None,
        }]),
    );
    assert_eq!(s.task(30).map(|t| t.status), Some(Status::SeriouslyBehind));
    assert!(effects.contains(&Effect::Fetch(vec![30])), "{effects:?}");
}
