//! Importing from the terminal UI (`i`): the path input and its Tab completion on a real
//! directory, the preview of the real sample (every row, scrolled to the end, the lines the
//! importer could not place), Esc writing nothing, Enter writing through a session on a
//! temporary database, files that cannot be imported, readers refused, others' imports
//! shown at once. Screens as insta snapshots at 80×24 (and the preview at 200×50).

use crate::common::ui_fixture;
use ui_fixture::screen::{draw, text};

use chrono::{TimeZone, Utc};
use duban::model::{Change, Event};
use duban::search::Index;
use duban::server::session::Session;
use duban::ui::action::{Action, Changed};
use duban::ui::app::{body_len, update, InputKind, MessageKind, Screen, Stage, State};
use duban::ui::effects::{dispatch, preview_now};
use duban::ui::files::{self, Completion};
use duban::ui::keymap::{Key, Keymap, Mode};
use duban::ui::theme::Theme;
use duban::ui::view;
use ratatui::style::Modifier;
use std::path::{Path, PathBuf};

const SAMPLE_ROWS: usize = 116;

fn sample() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/data/sample_2020h1_wuhu.txt").to_string()
}

/// A session on a temporary database holding the UI fixture (13 tasks of the sample), and
/// the UI's state read from it.
fn setup(size: (u16, u16)) -> (tempfile::TempDir, Session, State) {
    let dir = tempfile::tempdir().expect("tmp");
    let session = Session::Local(ui_fixture::ledger(dir.path()));
    let state = State::new(
        session.all_tasks().expect("tasks"),
        session.all_history(None).expect("history"),
        Keymap::builtin(),
        Theme::mono(false),
        size,
    );
    (dir, session, state)
}

/// Runs an action and every effect it leads to, inline (reading, completing, importing).
fn press(s: &mut State, session: &Session, a: Action) {
    let mut index = Index::build(&s.full_tasks());
    dispatch(s, session, &mut index, a);
}

fn type_path(s: &mut State, session: &Session, path: &str) {
    press(s, session, Action::Import);
    press(s, session, Action::ClearInput);
    press(s, session, Action::Insert(path.to_string()));
}

fn preview(s: &mut State, session: &Session, path: &str) {
    type_path(s, session, path);
    press(s, session, Action::Submit);
}

fn input_text(s: &State) -> String {
    s.input.as_ref().expect("input open").text.clone()
}

fn screen_text(s: &State) -> String {
    let (w, h) = s.size;
    text(draw(s, w, h).backend().buffer())
}

/// A directory like a clerk's: two reports sharing a prefix, a folder, a Word file.
fn reports_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("芜湖2020上半年.txt"), "x").expect("write");
    std::fs::write(dir.path().join("芜湖2020三季度.txt"), "x").expect("write");
    std::fs::create_dir(dir.path().join("reports")).expect("mkdir");
    std::fs::write(dir.path().join("reports").join("a.txt"), "x").expect("write");
    std::fs::write(dir.path().join("other.docx"), "x").expect("write");
    std::fs::write(dir.path().join(".hidden"), "x").expect("write");
    dir
}

fn slash(p: &Path) -> String {
    format!("{}/", p.display())
}

#[test]
fn i_opens_the_path_input_with_its_hint() {
    let (_d, session, mut s) = setup((80, 24));
    press(&mut s, &session, Action::Import);
    assert_eq!(
        s.input.as_ref().map(|i| i.kind),
        Some(InputKind::ImportPath)
    );
    assert_eq!(s.mode(), Mode::Input);
    let screen = screen_text(&s);
    assert!(screen.contains("导入文件："), "{screen}");
    assert!(screen.contains("Tab 补全"), "{screen}");
    // Esc there writes nothing and says so.
    press(&mut s, &session, Action::Cancel);
    assert!(s.input.is_none());
    assert!(s
        .message
        .as_ref()
        .expect("msg")
        .text
        .contains("未写入任何内容"));
}

#[test]
fn tab_completes_a_unique_directory_with_a_slash() {
    let (_d, session, mut s) = setup((80, 24));
    let dir = reports_dir();
    type_path(&mut s, &session, &format!("{}rep", slash(dir.path())));
    press(&mut s, &session, Action::Complete);
    assert_eq!(input_text(&s), format!("{}reports/", slash(dir.path())));
    assert!(s.completion.is_none(), "a unique match lists nothing");
    // And on into it: the one file there.
    press(&mut s, &session, Action::Complete);
    assert_eq!(
        input_text(&s),
        format!("{}reports/a.txt", slash(dir.path()))
    );
}

#[test]
fn tab_completes_the_common_prefix_of_chinese_names_and_lists_them() {
    let (_d, session, mut s) = setup((80, 24));
    let dir = reports_dir();
    type_path(&mut s, &session, &format!("{}芜", slash(dir.path())));
    press(&mut s, &session, Action::Complete);
    assert_eq!(input_text(&s), format!("{}芜湖2020", slash(dir.path())));
    let c = s.completion.clone().expect("choices shown");
    assert_eq!(
        c.candidates,
        vec!["芜湖2020三季度.txt", "芜湖2020上半年.txt"]
    );
    let screen = screen_text(&s);
    assert!(screen.contains("芜湖2020上半年.txt"), "{screen}");
    assert!(screen.contains("共 2 个匹配"), "{screen}");
    // A second Tab changes nothing and still lists them; typing more narrows it.
    press(&mut s, &session, Action::Complete);
    assert_eq!(input_text(&s), format!("{}芜湖2020", slash(dir.path())));
    assert!(s.completion.is_some());
    press(&mut s, &session, Action::Insert("上".into()));
    assert!(s.completion.is_none(), "an edit clears the old choices");
    press(&mut s, &session, Action::Complete);
    assert_eq!(
        input_text(&s),
        format!("{}芜湖2020上半年.txt", slash(dir.path()))
    );
}

#[test]
fn tab_on_a_directory_lists_what_is_in_it_but_hidden_files() {
    let (_d, session, mut s) = setup((80, 24));
    let dir = reports_dir();
    type_path(&mut s, &session, &slash(dir.path()));
    press(&mut s, &session, Action::Complete);
    let c = s.completion.clone().expect("choices shown");
    assert_eq!(
        c.candidates,
        vec![
            "other.docx",
            "reports/",
            "芜湖2020三季度.txt",
            "芜湖2020上半年.txt"
        ]
    );
    // Nothing matches: the reason shows above the input.
    press(&mut s, &session, Action::Insert("zzz".into()));
    press(&mut s, &session, Action::Complete);
    let c = s.completion.clone().expect("reason shown");
    assert!(c.candidates.is_empty());
    assert!(c.note.expect("note").contains("以“zzz”开头"));
    assert!(screen_text(&s).contains("以“zzz”开头"));
}

#[test]
fn tilde_is_the_home_directory() {
    let dir = reports_dir();
    let home = Some(dir.path());
    assert_eq!(files::complete("~", home).completed, "~/");
    assert_eq!(files::complete("~/rep", home).completed, "~/reports/");
    assert_eq!(
        files::complete("~/reports/", home).completed,
        "~/reports/a.txt"
    );
    assert_eq!(
        files::expand_home("~/reports/a.txt", home),
        dir.path().join("reports/a.txt")
    );
}

#[test]
fn the_preview_shows_every_row_of_the_sample_and_scrolls_to_the_end() {
    let (_d, session, mut s) = setup((80, 24));
    preview(&mut s, &session, &sample());
    assert_eq!(s.mode(), Mode::Import);
    let preview = s.import.clone().expect("preview");
    let Stage::Ready { report, .. } = &preview.stage else {
        panic!("not ready: {:?}", preview.stage);
    };
    assert_eq!(report.rows.len(), SAMPLE_ROWS);
    let screen = screen_text(&s);
    for want in [
        "sample_2020h1_wuhu.txt",
        "报告期 2020年上半年",
        "116 行",
        "UTF-8",
        "目标与任务",
        "工作进展",
        "牵头单位",
        "秉持“共抓大保护",
    ] {
        assert!(screen.contains(want), "{want} missing:\n{screen}");
    }
    assert!(screen.contains("1/116"), "{screen}");
    press(&mut s, &session, Action::PageDown);
    assert!(matches!(s.screen(), Some(Screen::Import { selected, .. }) if *selected > 5));
    press(&mut s, &session, Action::Bottom);
    assert!(matches!(
        s.screen(),
        Some(Screen::Import { selected, .. }) if *selected == SAMPLE_ROWS - 1
    ));
    let screen = screen_text(&s);
    assert!(screen.contains("116/116"), "{screen}");
    assert!(screen.contains(" 116 "), "the last row shows:\n{screen}");
    press(&mut s, &session, Action::Top);
    assert!(matches!(
        s.screen(),
        Some(Screen::Import {
            selected: 0,
            offset: 0
        })
    ));
    // Nothing was written by looking.
    assert_eq!(session.all_tasks().expect("tasks").len(), 13);
}

/// The sample with its row 5 given twice: the importer keeps the first and reports the
/// second as a line it could not place.
fn sample_with_a_duplicate(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(sample()).expect("sample");
    let lines: Vec<&str> = text.split('\n').collect();
    let i = lines
        .iter()
        .position(|l| l.starts_with("5."))
        .expect("row 5");
    let mut out: Vec<&str> = lines[..i + 2].to_vec();
    out.push(lines[i]);
    out.extend(&lines[i + 2..]);
    let path = dir.join("重复.txt");
    std::fs::write(&path, out.join("\n")).expect("write");
    path
}

#[test]
fn lines_not_placed_follow_the_rows_with_their_line_and_reason() {
    let (_d, session, mut s) = setup((80, 24));
    let dir = tempfile::tempdir().expect("tmp");
    let path = sample_with_a_duplicate(dir.path());
    preview(&mut s, &session, &path.display().to_string());
    let Some(Stage::Ready { report, .. }) = s.import.as_ref().map(|p| p.stage.clone()) else {
        panic!("not ready");
    };
    assert_eq!(report.unplaced.len(), 1);
    let line = report.unplaced[0].line;
    assert!(screen_text(&s).contains("1 行无法归位"));
    press(&mut s, &session, Action::Bottom);
    let screen = screen_text(&s);
    assert!(screen.contains("无法归位的 1 行"), "{screen}");
    assert!(screen.contains(&format!("L{line} ")), "{screen}");
    assert!(screen.contains("出现了两次"), "{screen}");
    assert!(screen.contains("无法归位 1/1"), "{screen}");
    // The heading between is never selected: up from the unplaced line is the last row.
    let total = body_len(&report);
    assert!(matches!(s.screen(), Some(Screen::Import { selected, .. }) if *selected == total - 1));
    press(&mut s, &session, Action::MoveUp);
    assert!(matches!(
        s.screen(),
        Some(Screen::Import { selected, .. }) if *selected == SAMPLE_ROWS - 1
    ));
    press(&mut s, &session, Action::MoveDown);
    assert!(matches!(s.screen(), Some(Screen::Import { selected, .. }) if *selected == total - 1));
}

#[test]
fn a_wide_screen_names_the_file_in_the_import_message() {
    let (_d, session, mut s) = setup((200, 50));
    preview(&mut s, &session, &sample());
    press(&mut s, &session, Action::Submit);
    assert_eq!(
        s.message.clone().expect("msg").text,
        "已导入 sample_2020h1_wuhu.txt，报告期 2020年上半年：新增 103 项，更新 11 项，2 项未出现（保留），2 项冲突未导入"
    );
}

#[test]
fn the_next_import_starts_in_the_directory_of_the_last_file_read() {
    let (_d, session, mut s) = setup((80, 24));
    let dir = format!("{}/data/", env!("CARGO_MANIFEST_DIR"));
    preview(&mut s, &session, &sample());
    press(&mut s, &session, Action::Cancel);
    // A mistyped path that cannot be read does not move it.
    preview(&mut s, &session, "/no/such/dir/x.txt");
    press(&mut s, &session, Action::Cancel);
    press(&mut s, &session, Action::Import);
    assert_eq!(input_text(&s), dir);
}

#[test]
fn esc_on_the_preview_writes_nothing() {
    let (_d, session, mut s) = setup((80, 24));
    let before_tasks = session.all_tasks().expect("tasks");
    let before_history = session.all_history(None).expect("history");
    preview(&mut s, &session, &sample());
    press(&mut s, &session, Action::Cancel);
    assert!(s.import.is_none());
    assert!(s.screen().is_none(), "back on the list");
    assert_eq!(
        s.message.clone().expect("msg").text,
        "已取消导入，未写入任何内容"
    );
    assert_eq!(session.all_tasks().expect("tasks"), before_tasks);
    assert_eq!(session.all_history(None).expect("history"), before_history);
    assert_eq!(s.tasks.len(), 13);
}

#[test]
fn enter_imports_through_the_session_and_the_list_shows_the_tasks_at_once() {
    let (_d, session, mut s) = setup((80, 24));
    let before_events = session.all_history(None).expect("history").len();
    preview(&mut s, &session, &sample());
    // Enter on the preview is Submit in the keymap.
    assert_eq!(
        s.keymap
            .action(Mode::Import, Key::parse("Enter").expect("key")),
        Some(Action::Submit)
    );
    press(&mut s, &session, Action::Submit);
    // Written: every row of the sample is a task in the database.
    let tasks = session.all_tasks().expect("tasks");
    assert_eq!(tasks.len(), SAMPLE_ROWS);
    // And shown: the preview closed, the list has every task, the status bar says what was
    // done.
    assert!(s.import.is_none());
    assert!(s.screen().is_none());
    assert_eq!(s.tasks.len(), SAMPLE_ROWS);
    assert_eq!(
        s.task(116).map(|t| t.goal.clone()),
        tasks
            .iter()
            .find(|t| t.number == 116)
            .map(|t| t.goal.clone())
    );
    let msg = s.message.clone().expect("message");
    assert_eq!(msg.kind, MessageKind::Ok);
    // At 80 columns the counts are worth more than the file's name.
    assert_eq!(
        msg.text,
        "报告期 2020年上半年：新增 103 项，更新 11 项，2 项未出现（保留），2 项冲突未导入"
    );
    let screen = screen_text(&s);
    assert!(
        screen.contains(&msg.text),
        "whole on the status bar:\n{screen}"
    );
    // The import's events are in the history the UI shows: one per row the ledger took
    // (the two conflicting rows were left out).
    let history = session.all_history(None).expect("history");
    assert_eq!(history.len(), before_events + SAMPLE_ROWS - 2);
    assert_eq!(s.history.len(), history.len());
    // `#116` finds the new task.
    press(&mut s, &session, Action::Search);
    press(&mut s, &session, Action::Insert("#116".into()));
    press(&mut s, &session, Action::Submit);
    assert!(matches!(
        s.screen(),
        Some(Screen::Detail { number: 116, .. })
    ));
}

#[test]
fn a_file_that_cannot_be_imported_says_why_and_changes_nothing() {
    let (_d, session, mut s) = setup((80, 24));
    let dir = tempfile::tempdir().expect("tmp");
    let pdf = dir.path().join("通报.pdf");
    std::fs::write(
        &pdf,
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n\x00\x00\x00",
    )
    .expect("write");
    let empty = dir.path().join("空.txt");
    std::fs::write(&empty, b"").expect("write");
    let before = session.all_history(None).expect("history");
    for path in [
        dir.path().join("missing.txt"),
        dir.path().to_path_buf(),
        pdf,
        empty,
    ] {
        preview(&mut s, &session, &path.display().to_string());
        let Some(Stage::Failed(why)) = s.import.as_ref().map(|p| p.stage.clone()) else {
            panic!("{}: {:?}", path.display(), s.import);
        };
        let msg = s.message.clone().expect("message");
        assert_eq!(msg.kind, MessageKind::Error);
        assert_eq!(msg.text, why, "the status bar says the importer's sentence");
        assert!(why.contains(&path.display().to_string()), "{why}");
        // The preview shows it too (wrapped), and Enter imports nothing.
        let screen = screen_text(&s);
        assert!(screen.contains("未写入任何内容"), "{screen}");
        press(&mut s, &session, Action::Submit);
        assert!(s
            .message
            .clone()
            .expect("msg")
            .text
            .starts_with("没有可导入的内容"));
        press(&mut s, &session, Action::Cancel);
        assert!(s.screen().is_none());
    }
    assert_eq!(session.all_history(None).expect("history"), before);
    assert_eq!(s.tasks.len(), 13);
}

#[test]
fn readers_are_told_import_needs_edit_rights() {
    let (_d, session, mut s) = setup((80, 24));
    s.read_only = true;
    press(&mut s, &session, Action::Import);
    assert!(s.input.is_none());
    let msg = s.message.clone().expect("message");
    assert_eq!(msg.kind, MessageKind::Error);
    assert!(msg.text.contains("编辑权限"), "{}", msg.text);
}

#[test]
fn a_preview_answer_for_a_cancelled_preview_is_dropped() {
    let (_d, session, mut s) = setup((80, 24));
    // Open a preview but answer it only after it was cancelled (as the worker might).
    type_path(&mut s, &session, &sample());
    let effects = update(&mut s, Action::Submit);
    assert!(matches!(
        effects.as_slice(),
        [duban::ui::app::Effect::Preview { .. }]
    ));
    assert!(screen_text(&s).contains("正在读取"));
    update(&mut s, Action::Cancel);
    let late = preview_now(1, &sample());
    update(&mut s, late);
    assert!(s.import.is_none());
    assert!(s.screen().is_none());
}

fn import_event(seq: u64, task: u32, user: &str) -> Event {
    Event {
        seq,
        task,
        at: Utc
            .with_ymd_and_hms(2020, 10, 20, 2, 0, 0)
            .single()
            .expect("time"),
        user: user.into(),
        change: Change::Import {
            period: "2020年前三季度".into(),
            source: "q3.docx".into(),
        },
        note: None,
    }
}

#[test]
fn someone_elses_import_shows_its_tasks_at_once_in_one_line() {
    let (_d, _session, mut s) = setup((80, 24));
    let mut next = s.history.last().map(|e| e.seq).unwrap_or(0);
    let old = s.detail(14).expect("task 14").clone();
    let mut updated = old.clone();
    updated.goal = "加大黑臭水体整治力度(前三季度)。".into();
    let mut new = old.clone();
    new.number = 200;
    new.goal = "新增任务:推进城市更新。".into();
    for task in [updated.clone(), new.clone()] {
        next += 1;
        update(
            &mut s,
            Action::Changed(Box::new(Changed {
                event: import_event(next, task.number, "lihua"),
                task: Some(task),
            })),
        );
    }
    assert_eq!(s.task(14).map(|t| t.goal.clone()), Some(updated.goal));
    assert_eq!(s.task(200).map(|t| t.goal.clone()), Some(new.goal));
    assert_eq!(s.tasks.len(), 14);
    let msg = s.message.clone().expect("message").text;
    assert!(
        msg.starts_with("lihua 导入了 2 项任务（2020年前三季度）"),
        "{msg}"
    );
}

#[test]
fn i_is_bound_in_every_shipped_keymap_and_listed_in_help() {
    for name in ["default", "vim", "emacs"] {
        let (k, problems) = Keymap::load(Some(name), None);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            k.action(Mode::List, Key::char('i')),
            Some(Action::Import),
            "{name}"
        );
        assert_eq!(
            k.action(Mode::Input, Key::parse("Tab").expect("key")),
            Some(Action::Complete),
            "{name}"
        );
        let help: String = view::help::lines(&k, 100, &Theme::mono(false))
            .iter()
            .map(|l| l.to_string() + "\n")
            .collect();
        assert!(help.contains("导入报告文件"), "{name}:\n{help}");
        assert!(help.contains("导入预览"), "{help}");
        assert!(help.contains("取消：不写入任何内容"), "{help}");
        assert!(help.contains("补全文件路径"), "{help}");
    }
}

#[test]
fn the_selected_preview_row_shows_without_colour() {
    let (_d, session, mut s) = setup((80, 24));
    preview(&mut s, &session, &sample());
    press(&mut s, &session, Action::MoveDown);
    let t = draw(&s, 80, 24);
    let buf = t.backend().buffer();
    // Row 2 of the body (title, file line, header above it) is reversed and marked.
    let y = 4;
    assert_eq!(buf[(0, y)].symbol(), "▶");
    assert!(buf[(10, y)].modifier.contains(Modifier::REVERSED));
    assert!(!buf[(10, y - 1)].modifier.contains(Modifier::REVERSED));
}

// Snapshots. The sample is named relative to the package root (the tests' working
// directory) so the title does not depend on where the repository is.

#[test]
fn snapshot_prompt_with_choices_80x24() {
    let (_d, session, mut s) = setup((80, 24));
    type_path(&mut s, &session, "报告/芜");
    // As Tab would answer in a directory holding these.
    update(
        &mut s,
        Action::Completed(Box::new(Completion {
            text: "报告/芜".into(),
            completed: "报告/芜湖2020".into(),
            candidates: vec![
                "芜湖2020三季度.docx".into(),
                "芜湖2020上半年.txt".into(),
                "芜湖2020全年/".into(),
                "芜湖2020年中.xlsx".into(),
            ],
            more: 0,
            note: None,
        })),
    );
    let mut t = draw(&s, 80, 24);
    let cursor = t.get_cursor_position().expect("cursor");
    insta::assert_snapshot!(
        "prompt_80x24",
        format!("cursor at {cursor:?}\n{}", text(t.backend().buffer()))
    );
}

#[test]
fn snapshot_preview_80x24_and_200x50() {
    for (w, h) in [(80, 24), (200, 50)] {
        let (_d, session, mut s) = setup((w, h));
        preview(&mut s, &session, "data/sample_2020h1_wuhu.txt");
        press(&mut s, &session, Action::MoveDown);
        insta::assert_snapshot!(format!("preview_{w}x{h}"), screen_text(&s));
    }
}

#[test]
fn snapshot_preview_failed_80x24() {
    let (_d, session, mut s) = setup((80, 24));
    preview(&mut s, &session, "data");
    insta::assert_snapshot!("preview_failed_80x24", screen_text(&s));
}
