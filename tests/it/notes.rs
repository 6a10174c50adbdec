//! Notes are records: a note can be rewritten and removed, an undo reverts the last edit of
//! any kind (status, note, goal, domain), and nothing of it is lost — every change is a new
//! history event that says what it changed, while the task's notes, the 通报's 备注 column
//! and the exports show only the notes that stand.

use crate::common::*;
use duban::export;
use duban::ledger::{Ledger, LedgerError};
use duban::model::{Change, Domain, Event, Task};
use duban::ops::Op;

fn sample(db: &std::path::Path) -> Ledger {
    let ledger = open_ledger(db);
    ledger.apply(Op::EnsureSample).expect("the sample loads");
    ledger
}

fn edit(ledger: &Ledger, op: Op) -> Event {
    ledger
        .apply(op)
        .expect("the edit is applied")
        .into_event()
        .expect("an event")
}

fn undo(ledger: &Ledger, e: &Event) -> Result<Event, LedgerError> {
    ledger
        .apply(Op::Undo { seq: e.seq })
        .map(|r| r.into_event().expect("an event"))
}

fn texts(task: &Task) -> Vec<&str> {
    task.notes.iter().map(|n| n.text.as_str()).collect()
}

/// The 备注 cell of task `n` in the CSV export.
fn csv_notes(ledger: &Ledger, n: u32) -> String {
    let csv = export::to_csv(&ledger.tasks().expect("tasks"), None);
    let mut rows = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    let headers = rows.headers().expect("header").clone();
    let col = headers
        .iter()
        .position(|h| h == "备注")
        .expect("备注 column");
    rows.records()
        .map(|r| r.expect("row"))
        .find(|r| r.get(0) == Some(&n.to_string()))
        .expect("the task's row")
        .get(col)
        .expect("cell")
        .to_string()
}

fn words(e: &Event) -> String {
    duban::words::change(e, "→")
}

#[test]
fn a_note_is_rewritten_and_removed_and_the_history_says_what_it_said() {
    let (_d, db) = temp_db();
    let ledger = sample(&db);
    edit(&ledger, Op::add_note(14, "已约谈市城管局"));
    edit(&ledger, Op::add_note(14, "要求月底前整改"));
    assert_eq!(csv_notes(&ledger, 14), "已约谈市城管局;要求月底前整改");

    let edited = edit(&ledger, Op::edit_note(14, 2, " 要求9月底前整改 "));
    assert_eq!(
        texts(&ledger.task(14).unwrap()),
        ["已约谈市城管局", "要求9月底前整改"]
    );
    assert_eq!(
        words(&edited),
        "备注 已修改: 要求月底前整改 → 要求9月底前整改"
    );
    let note = &ledger.task(14).unwrap().notes[1];
    assert_eq!(
        (note.user.as_str(), note.at),
        match &edited.change {
            Change::NoteEdited {
                author, written, ..
            } => (author.as_str(), *written),
            other => panic!("{other:?}"),
        },
        "the note keeps its author and time"
    );

    let removed = edit(&ledger, Op::remove_note(14, 1));
    assert_eq!(words(&removed), "备注 已删除: 已约谈市城管局");
    let task = ledger.task(14).unwrap();
    assert_eq!(texts(&task), ["要求9月底前整改"]);
    // Gone from the 通报's 备注 column and the exports…
    assert_eq!(csv_notes(&ledger, 14), "要求9月底前整改");
    let json = export::to_json(&[task], &ledger.history(Some(14)).unwrap());
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let notes = doc["tasks"][0]["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["text"], "要求9月底前整改");
    // …but the history keeps every text, and the export says what was removed.
    let history = doc["tasks"][0]["history"].as_array().unwrap();
    let last = history.last().unwrap();
    assert_eq!(last["kind"], "note_removed");
    assert_eq!(last["note"], "已约谈市城管局");
    assert_eq!(last["index"], 1);
    let kinds: Vec<&str> = history
        .iter()
        .map(|h| h["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds[1..], ["note", "note", "note_edited", "note_removed"]);
}

#[test]
fn a_note_edit_or_removal_that_names_no_note_or_a_changed_one_changes_nothing() {
    let (_d, db) = temp_db();
    let ledger = sample(&db);
    edit(&ledger, Op::add_note(3, "甲"));
    let before = ledger.history(None).unwrap().len();
    for (op, said) in [
        (
            Op::edit_note(3, 0, "乙"),
            "任务 3 没有第 0 条备注（共 1 条）",
        ),
        (Op::remove_note(3, 2), "任务 3 没有第 2 条备注（共 1 条）"),
        (Op::remove_note(3, usize::MAX), "没有第"),
        (Op::edit_note(3, 1, "  "), "备注是空的"),
        (Op::edit_note(3, 1, "甲"), "已是这段文字"),
        (
            Op::RemoveNote {
                number: 3,
                index: 1,
                seen: Some("别人的备注".into()),
            },
            "已被改动（现为“甲”）",
        ),
        (Op::edit_note(9999, 1, "乙"), "没有任务 9999"),
    ] {
        let e = ledger.apply(op).expect_err("refused").to_string();
        assert!(e.contains(said), "{e}");
    }
    assert_eq!(texts(&ledger.task(3).unwrap()), ["甲"]);
    assert_eq!(ledger.history(None).unwrap().len(), before);
    // The text the caller saw is the text there: done.
    let e = edit(
        &ledger,
        Op::EditNote {
            number: 3,
            index: 1,
            text: "乙".into(),
            seen: Some("甲".into()),
        },
    );
    assert!(matches!(e.change, Change::NoteEdited { index: 1, .. }));
}

#[test]
fn undo_after_a_note_removes_the_note_not_an_older_status_change() {
    let (_d, db) = temp_db();
    let ledger = sample(&db);
    let status = edit(
        &ledger,
        Op::set_status(14, duban::model::Status::Behind, None),
    );
    let note = edit(&ledger, Op::add_note(14, "已约谈"));
    // What `duban undo 14` and the UI's `u` pick: the last edit, the note.
    let last = duban::cli::last_edit(&ledger.history(Some(14)).unwrap(), None);
    assert_eq!(last, Some(note.seq));
    let undone = undo(&ledger, &note).unwrap();
    assert_eq!(words(&undone), "撤销 备注: 已约谈");
    let task = ledger.task(14).unwrap();
    assert!(task.notes.is_empty());
    assert_eq!(
        task.status,
        duban::model::Status::Behind,
        "the status stays"
    );
    assert_eq!(csv_notes(&ledger, 14), "");
    // Undoing the undo puts the note back, as it was (author, time, text).
    let again = undo(&ledger, &undone).unwrap();
    assert_eq!(words(&again), "撤销 备注删除: 已约谈");
    let back = ledger.task(14).unwrap();
    assert_eq!(texts(&back), ["已约谈"]);
    assert_eq!(
        (back.notes[0].at, &back.notes[0].user),
        (note.at, &note.user)
    );
    // And the status change is still undoable after the notes' undos.
    undo(&ledger, &status).unwrap();
    assert_eq!(
        ledger.task(14).unwrap().status,
        duban::model::Status::NotStarted
    );
}

#[test]
fn undoing_an_edit_or_a_removal_restores_the_note_at_its_place() {
    let (_d, db) = temp_db();
    let ledger = sample(&db);
    for t in ["一", "二", "三"] {
        edit(&ledger, Op::add_note(5, t));
    }
    let edited = edit(&ledger, Op::edit_note(5, 2, "二改"));
    let removed = edit(&ledger, Op::remove_note(5, 2));
    assert_eq!(texts(&ledger.task(5).unwrap()), ["一", "三"]);
    let restored = undo(&ledger, &removed).unwrap();
    assert_eq!(texts(&ledger.task(5).unwrap()), ["一", "二改", "三"]);
    assert!(matches!(
        restored.change,
        Change::NoteRestored { index: 2, .. }
    ));
    let reverted = undo(&ledger, &edited).unwrap();
    assert_eq!(texts(&ledger.task(5).unwrap()), ["一", "二", "三"]);
    assert_eq!(words(&reverted), "撤销 备注修改: 二改 → 二");
    // An undo of a removal whose note is back already, or of an edit whose note reads
    // otherwise now, would overwrite what is there: refused, nothing written.
    let before = ledger.history(None).unwrap().len();
    let e = undo(&ledger, &removed).unwrap_err();
    assert!(
        matches!(e, LedgerError::ChangedAfter { number: 5, .. }),
        "{e}"
    );
    let e = undo(&ledger, &edited).unwrap_err().to_string();
    assert!(e.contains("任务 5 的这条备注此后已被修改"), "{e}");
    assert!(e.contains("未作改动"), "{e}");
    assert_eq!(ledger.history(None).unwrap().len(), before);
}

#[test]
fn undoing_a_note_someone_rewrote_since_is_refused_naming_who() {
    let (_d, db) = temp_db();
    let ledger = sample(&db);
    let added = edit(&ledger, Op::add_note(7, "原文"));
    edit(&ledger, Op::edit_note(7, 1, "改过"));
    let e = undo(&ledger, &added).unwrap_err().to_string();
    assert!(
        e.starts_with(&format!(
            "任务 7 的这条备注此后已被修改（{} 于 ",
            ledger.user()
        )),
        "{e}"
    );
    assert_eq!(texts(&ledger.task(7).unwrap()), ["改过"]);
}

#[test]
fn undoing_a_goal_correction_restores_the_goal_and_whether_a_person_corrected_it() {
    let (_d, db) = temp_db();
    let ledger = sample(&db);
    let report_goal = ledger.task(5).unwrap().goal;
    let first = edit(&ledger, Op::edit_goal(5, "改过的目标"));
    let second = edit(&ledger, Op::edit_goal(5, "再改的目标"));
    // Not the first while the second stands.
    let e = undo(&ledger, &first).unwrap_err().to_string();
    assert!(e.contains("任务 5 的目标此后已被修改"), "{e}");
    let u2 = undo(&ledger, &second).unwrap();
    assert_eq!(words(&u2), "撤销 目标修改");
    let task = ledger.task(5).unwrap();
    assert_eq!(task.goal, "改过的目标");
    assert!(task.goal_edited, "still a person's correction");
    undo(&ledger, &first).unwrap();
    let task = ledger.task(5).unwrap();
    assert_eq!(task.goal, report_goal);
    assert!(!task.goal_edited, "the report's goal again");
    let h = ledger.history(Some(5)).unwrap();
    assert!(matches!(
        &h.last().unwrap().change,
        Change::Goal { from, to, undo: true } if from == "改过的目标" && *to == report_goal
    ));
}

#[test]
fn undoing_a_move_moves_the_task_back_to_its_rules_decision() {
    let (_d, db) = temp_db();
    let ledger = sample(&db);
    let before = ledger.task(14).unwrap();
    let to = Domain::ALL
        .into_iter()
        .find(|d| *d != before.domain)
        .unwrap();
    let moved = edit(
        &ledger,
        Op::MoveTask {
            number: 14,
            domain: to,
        },
    );
    assert!(ledger.task(14).unwrap().domain_decision.manual);
    let back = undo(&ledger, &moved).unwrap();
    assert_eq!(
        words(&back),
        format!("撤销 领域调整 {} → {}", to.label(), before.domain.label())
    );
    let task = ledger.task(14).unwrap();
    assert_eq!(task.domain, before.domain);
    assert_eq!(task.domain_decision, before.domain_decision);
    // Moved elsewhere since: refused.
    let again = undo(&ledger, &back).unwrap();
    assert_eq!(ledger.task(14).unwrap().domain, to);
    let other = Domain::ALL
        .into_iter()
        .find(|d| *d != before.domain && *d != to)
        .unwrap();
    edit(
        &ledger,
        Op::MoveTask {
            number: 14,
            domain: other,
        },
    );
    let e = undo(&ledger, &again).unwrap_err().to_string();
    assert!(e.contains("任务 14 的领域此后已被修改"), "{e}");
}

#[test]
fn imports_and_period_renames_are_not_undone() {
    let (_d, db) = temp_db();
    let ledger = sample(&db);
    let import = ledger.history(Some(1)).unwrap()[0].clone();
    let e = undo(&ledger, &import).unwrap_err().to_string();
    assert!(e.contains("是导入或报告期改名，不能撤销"), "{e}");
    assert_eq!(duban::cli::last_edit(&[import], None), None);
}

#[test]
fn note_edits_removals_and_undos_survive_a_backup_and_restore() {
    let (dir, db) = temp_db();
    let ledger = sample(&db);
    let added = edit(&ledger, Op::add_note(2, "甲"));
    edit(&ledger, Op::add_note(2, "乙"));
    edit(&ledger, Op::edit_note(2, 2, "乙二"));
    let removed = edit(&ledger, Op::remove_note(2, 1));
    undo(&ledger, &removed).unwrap();
    undo(&ledger, &added).unwrap();
    let moved = edit(
        &ledger,
        Op::MoveTask {
            number: 2,
            domain: Domain::Reform,
        },
    );
    let _ = undo(&ledger, &moved);
    let history = ledger.history(None).unwrap();
    let json = export::to_json(&ledger.tasks().unwrap(), &history);
    let backup = duban::server::snapshot::parse(&dir.path().join("b.json"), json.as_bytes())
        .expect("the export reads back");
    let mine: Vec<&Event> = history.iter().filter(|e| e.task == 2).collect();
    let read: Vec<&Event> = backup.events.iter().filter(|e| e.task == 2).collect();
    assert_eq!(read, mine, "every event as it was");
    let restored = backup.tasks.iter().find(|t| t.number == 2).unwrap();
    assert_eq!(texts(restored), ["乙二"]);
}

// ---------------------------------------------------------------------------------------
// The command line.

#[test]
fn cli_note_edit_remove_and_undo_of_any_edit() {
    let (_d, db) = temp_db();
    duban(&db, &["note", "14", "已约谈市城管局"]).ok();
    duban(&db, &["note", "14", "要求整改"]).ok();
    let show = duban(&db, &["show", "14"]);
    show.ok();
    assert!(show.stdout.contains("  1. "), "{}", show.stdout);
    assert!(show.stdout.contains("  2. "), "{}", show.stdout);

    let r = duban(&db, &["note", "14", "--edit", "2", "要求9月底前整改"]);
    r.ok();
    assert!(
        r.stdout
            .contains("#14 备注 已修改: 要求整改 → 要求9月底前整改"),
        "{}",
        r.stdout
    );
    let r = duban(&db, &["note", "14", "--remove", "1"]);
    r.ok();
    assert!(
        r.stdout.contains("#14 备注 已删除: 已约谈市城管局"),
        "{}",
        r.stdout
    );
    let csv = duban(&db, &["export", "--format", "csv"]);
    let csv = &csv.ok().stdout;
    let row = csv.lines().find(|l| l.starts_with("14,")).expect("row 14");
    assert!(row.contains("要求9月底前整改"), "{row}");
    assert!(!csv.contains("已约谈市城管局"), "{csv}");

    // `undo N` undoes the task's last edit, the removal; undoing that undo removes it again.
    let r = duban(&db, &["undo", "14"]);
    r.ok();
    assert!(
        r.stdout.contains("#14 撤销 备注删除: 已约谈市城管局"),
        "{}",
        r.stdout
    );
    let r = duban(&db, &["undo"]);
    r.ok();
    assert!(
        r.stdout.contains("#14 撤销 备注: 已约谈市城管局"),
        "undoing the undo removes it again: {}",
        r.stdout
    );
    // Without a number: my own last edit of any task.
    duban(&db, &["note", "3", "别的任务"]).ok();
    let r = duban(&db, &["undo"]);
    r.ok();
    assert!(r.stdout.contains("#3 撤销 备注: 别的任务"), "{}", r.stdout);
    let doc = export_json(&db);
    let notes: Vec<&str> = task(&doc, 14)["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["text"].as_str().unwrap())
        .collect();
    assert_eq!(notes, ["要求9月底前整改"]);
    assert!(task(&doc, 3)["notes"].as_array().unwrap().is_empty());

    // Wrong uses get a clear sentence and change nothing.
    let r = duban(&db, &["note", "14", "--remove", "5"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("任务 14 没有第 5 条备注（共 1 条）"),
        "{}",
        r.stderr
    );
    let r = duban(&db, &["note", "14", "--edit", "1"]);
    assert_ne!(r.code, 0);
    let r = duban(&db, &["note", "14", "--remove", "1", "文字"]);
    assert_ne!(r.code, 0);
    let r = duban(&db, &["undo", "1"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("任务 1 没有可撤销的修改"), "{}", r.stderr);
    assert_eq!(export_json(&db), doc);
}

// ---------------------------------------------------------------------------------------
// The UI's `u`: the same `Op::Undo`, on the last edit of the session, a note included.

#[test]
fn ui_u_after_a_note_removes_the_note_and_keeps_the_status_change() {
    use crate::common::ui_fixture;
    use crossterm::event::{Event as TermEvent, KeyCode, KeyEvent, KeyModifiers};
    use duban::search::Index;
    use duban::server::session::Session;
    use duban::ui::app::State;
    use duban::ui::effects::dispatch;
    use duban::ui::event::event_action;
    let dir = tempfile::tempdir().expect("tmp");
    let ledger = Session::Local(ui_fixture::ledger(dir.path()));
    let opts = duban::ui::UiOptions {
        keymap: None,
        ascii: false,
        mouse: false,
        startup_message: None,
    };
    let mut s = duban::ui::initial_state(&ledger, &opts, None).expect("state");
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
    let status = ledger.task(14).expect("task").status;
    let notes = ledger.task(14).expect("task").notes.len();
    press(&mut s, KeyCode::Char('n'));
    for c in "要求整改".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    press(&mut s, KeyCode::Enter);
    assert_eq!(ledger.task(14).expect("task").notes.len(), notes + 1);

    press(&mut s, KeyCode::Char('u'));
    let task = ledger.task(14).expect("task");
    assert_eq!(task.notes.len(), notes, "the note is undone");
    assert_eq!(task.status, status, "the status change stays");
    let said = s.message.clone().expect("message").text;
    assert!(said.contains("撤销 备注: 要求整改"), "{said}");
    assert_eq!(
        s.detail(14).expect("task"),
        &task,
        "the screen shows what the store holds"
    );
    let last = ledger.all_history(Some(14)).expect("history");
    assert!(matches!(
        &last.last().expect("event").change,
        Change::NoteRemoved { text, undo: true, .. } if text == "要求整改"
    ));
    // The next `u` undoes the status change before it.
    press(&mut s, KeyCode::Char('u'));
    assert_ne!(ledger.task(14).expect("task").status, status);
}

#[test]
fn a_report_note_a_person_removed_or_rewrote_does_not_come_back_with_the_next_import() {
    let (_d, db) = temp_db();
    let ledger = open_ledger(&db);
    let report = "序号\n重点任务\n进展情况\n牵头单位\n责任单位\n备注\n1001\n推进城市有机更新。\n已开工65个。\n市住建局\n市城管局。\n各县区政府\n跨年度\n1002\n新增城镇就业5万人。\n一季度新增就业1.3万人。\n市人社局\n1003\n建设城市书房10个。\n已建成8个。\n市文旅局\n各县区政府\n省民生实事\n";
    let import = |period: &str| {
        ledger
            .apply(Op::import(
                report.as_bytes().to_vec(),
                "r.txt",
                Some(period),
                false,
            ))
            .expect("imports")
    };
    import("2021年第一季度");
    assert_eq!(texts(&ledger.task(1001).unwrap()), ["跨年度"]);
    assert_eq!(texts(&ledger.task(1003).unwrap()), ["省民生实事"]);
    edit(&ledger, Op::remove_note(1001, 1));
    edit(&ledger, Op::edit_note(1003, 1, "省民生实事(已过半)"));
    let again = import("2021年上半年").into_imported().unwrap();
    assert_eq!(again.updated, [1001, 1002, 1003], "the rows merged");
    assert!(ledger.task(1001).unwrap().notes.is_empty());
    assert_eq!(texts(&ledger.task(1003).unwrap()), ["省民生实事(已过半)"]);
}
