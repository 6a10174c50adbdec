//! Chinese first: every screen of the UI at 80×24 and the main CLI commands, in the default
//! language, are scanned for English words (runs of two or more ASCII letters) outside ids,
//! key names, units and the report's own text; `--lang en` and `DUBAN_LANG=en` give English.

use crate::common::{duban, duban_cmd, temp_db, ui_fixture, SEED};
use ui_fixture::screen::{draw, text};

use duban::search::Index;
use duban::server::session::Session;
use duban::ui::action::Action;
use duban::ui::app::State;
use duban::ui::effects::dispatch;
use std::collections::BTreeSet;

/// Words that are not English prose: ids typed as input, key names, syntax, file types,
/// encodings, the program's own name.
const ALLOWED: &[&str] = &[
    // status and domain ids, accepted as input everywhere
    "not_started",
    "on_track",
    "behind",
    "seriously_behind",
    "done",
    "ecology",
    "livelihood",
    "innovation",
    "reform",
    "not",
    "started",
    "on",
    "track",
    "seriously",
    // key names
    "Enter",
    "Esc",
    "Tab",
    "Shift",
    "Ctrl",
    "Alt",
    "PgUp",
    "PgDn",
    "Home",
    "End",
    "Up",
    "Down",
    "Left",
    "Right",
    "Space",
    "Backspace",
    "Del",
    "Ins",
    // search syntax and pinyin examples
    "unit",
    "status",
    "domain",
    "goal",
    "note",
    "progress",
    "heichou",
    "hcst",
    "lv",
    "lu",
    // keymaps, names, files, encodings
    "duban",
    "default",
    "vim",
    "emacs",
    "keymap",
    "toml",
    "docx",
    "xlsx",
    "xls",
    "ods",
    "et",
    "html",
    "csv",
    "txt",
    "md",
    "json",
    "UTF",
    "GBK",
    "GB",
    "UTC",
    "PATH",
    "Word",
    "Excel",
    "WPS",
    // the commands and flags named in messages (`duban accept N`, `--verbose`)
    "import",
    "list",
    "search",
    "show",
    "set",
    "move",
    "undo",
    "units",
    "suggest",
    "accept",
    "period",
    "history",
    "export",
    "serve",
    "backup",
    "restore",
    "admin",
    "rename",
    "help",
    "verbose",
    "replace",
    "dry",
    "run",
    "lagging",
    "edit",
    "remove",
    "db",
    "force",
];

/// Every ASCII word (letters, two or more, `_` joining) in `text`.
fn words(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut word = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_alphabetic() || (c == '_' && !word.is_empty()) {
            word.push(c);
        } else {
            let w = word.trim_end_matches('_');
            if w.chars().filter(char::is_ascii_alphabetic).count() >= 2 {
                out.insert(w.to_string());
            }
            word.clear();
        }
    }
    out
}

/// The English words of `screen` not allowed and not in `data` (the report's own text).
fn english(screen: &str, data: &BTreeSet<String>) -> BTreeSet<String> {
    words(screen)
        .into_iter()
        .filter(|w| !ALLOWED.contains(&w.as_str()) && !data.contains(w))
        .collect()
}

/// The ASCII words of every task's and event's own text.
fn data_words(session: &Session) -> BTreeSet<String> {
    let tasks = session.all_tasks().expect("tasks");
    let mut all = String::new();
    for t in &tasks {
        let json = serde_json::to_string(t).expect("json");
        all.push_str(&json);
    }
    for e in session.all_history(None).expect("history") {
        all.push_str(&e.user);
        all.push(' ');
        all.push_str(e.note.as_deref().unwrap_or(""));
        all.push(' ');
    }
    // JSON's own keys are not on screen; what is, is the values' words.
    words(&all)
}

struct Walk {
    _dir: tempfile::TempDir,
    session: Session,
    state: State,
    data: BTreeSet<String>,
    found: Vec<(String, BTreeSet<String>)>,
    screens: Vec<String>,
}

impl Walk {
    fn new() -> Walk {
        let dir = tempfile::tempdir().expect("tmp");
        let session = Session::Local(ui_fixture::q3_ledger(dir.path()));
        let options = duban::ui::UiOptions {
            keymap: None,
            ascii: false,
            mouse: false,
            startup_message: None,
        };
        let mut state = duban::ui::initial_state(&session, &options, None).expect("state");
        state.size = (80, 24);
        let mut data = data_words(&session);
        // What the walk types: the report's path, a query.
        data.extend(words(SEED));
        data.extend(words("nothingmatches zzzq"));
        Walk {
            _dir: dir,
            session,
            state,
            data,
            found: Vec::new(),
            screens: Vec::new(),
        }
    }

    fn press(&mut self, actions: &[Action]) {
        for a in actions {
            let mut index = Index::build(&self.state.full_tasks());
            dispatch(&mut self.state, &self.session, &mut index, a.clone());
        }
    }

    fn look(&mut self, name: &str) {
        let screen = text(draw(&self.state, 80, 24).backend().buffer());
        let bad = english(&screen, &self.data);
        if !bad.is_empty() {
            self.found.push((name.to_string(), bad));
            self.screens.push(screen);
        }
    }
}

#[test]
fn every_screen_at_80x24_is_in_chinese() {
    let mut w = Walk::new();
    w.look("list");
    for tab in 1..=4 {
        w.press(&[Action::NextTab]);
        w.look(&format!("tab {tab}"));
    }
    w.press(&[Action::NextTab, Action::MoveDown, Action::Open]);
    w.look("detail");
    w.press(&[Action::PageDown]);
    w.look("detail, page 2");
    w.press(&[Action::ToggleDiff]);
    w.look("diff");
    w.press(&[Action::Back, Action::Back]);
    w.press(&[Action::Units]);
    w.look("units");
    w.press(&[Action::MoveDown, Action::Open]);
    w.look("a unit's tasks");
    w.press(&[Action::Back, Action::Back, Action::Help]);
    for page in 0..8 {
        w.look(&format!("help page {page}"));
        w.press(&[Action::PageDown]);
    }
    w.press(&[Action::Back]);
    w.press(&[Action::Import]);
    w.look("import path input");
    w.press(&[Action::Insert("/zzzq".into()), Action::Complete]);
    w.look("import path completion without a match");
    w.press(&[
        Action::ClearInput,
        Action::Insert(SEED.to_string()),
        Action::Submit,
    ]);
    w.look("import preview");
    w.press(&[Action::Bottom]);
    w.look("import preview, end");
    w.press(&[Action::Cancel]);
    w.look("import cancelled");
    w.press(&[Action::Review]);
    w.look("review");
    w.press(&[Action::Keep]);
    w.look("review, kept");
    w.press(&[Action::PrevTask, Action::PrevTask]);
    w.look("review, at the first");
    w.press(&[Action::Back]);
    w.look("review paused");
    w.press(&[Action::AddNote]);
    w.look("note input, empty");
    w.press(&[Action::Cancel]);
    w.look("note discarded");
    w.press(&[Action::AddNote, Action::Insert("已约谈".into())]);
    w.look("note input");
    w.press(&[Action::Submit]);
    w.look("note saved");
    w.press(&[Action::EditNote]);
    w.look("note editor");
    w.press(&[Action::ClearInput]);
    w.look("note editor, emptied");
    w.press(&[Action::Cancel]);
    w.look("note editor cancelled");
    w.press(&[Action::EditGoal, Action::ClearInput]);
    w.look("goal input");
    w.press(&[Action::Cancel, Action::MoveTask, Action::ClearInput]);
    w.look("move input");
    w.press(&[Action::Insert("交通".into()), Action::Submit]);
    w.look("move to an unknown domain");
    w.press(&[Action::Cancel, Action::ExportTongbao]);
    w.look("export input");
    w.press(&[Action::ClearInput]);
    w.look("export input, empty");
    w.press(&[Action::Submit]);
    w.look("export without a path");
    w.press(&[Action::Undo]);
    w.look("undo");
    w.press(&[Action::Undo]);
    w.look("nothing to undo");
    for i in 0..4 {
        w.press(&[Action::CycleFilter]);
        w.look(&format!("list filter {i}"));
    }
    for i in 0..4 {
        w.press(&[Action::CycleOrder]);
        w.look(&format!("list order {i}"));
    }
    w.press(&[Action::Open, Action::AcceptSuggestion]);
    w.look("detail, suggestion accepted");
    w.press(&[Action::NextTask, Action::ToggleDiff]);
    w.look("diff of the next task");
    w.press(&[Action::Back, Action::Back]);
    w.press(&[
        Action::Units,
        Action::Search,
        Action::Insert("nothingmatches".into()),
        Action::Submit,
    ]);
    w.look("units without a match");
    w.press(&[Action::Back, Action::Back]);
    w.press(&[Action::Search, Action::Insert("住建".into())]);
    w.look("search");
    w.press(&[Action::ClearInput, Action::Insert("nothingmatches".into())]);
    w.look("search without results");
    let report: Vec<String> = w
        .found
        .iter()
        .map(|(screen, bad)| format!("{bad:?} on {screen}"))
        .collect();
    assert!(
        report.is_empty(),
        "English on screen:\n{}\n\nthe first:\n{}",
        report.join("\n"),
        w.screens.first().map(String::as_str).unwrap_or("")
    );
}

/// The English words of a command's human output (stdout and stderr).
fn cli_english(db: &std::path::Path, args: &[&str], data: &BTreeSet<String>) -> BTreeSet<String> {
    let r = duban(db, args);
    let mut all = r.stdout.clone();
    all.push_str(&r.stderr);
    // The command's own arguments (a file name, a query) are echoed back.
    let echoed: BTreeSet<String> = args.iter().flat_map(|a| words(a)).collect();
    english(&all, data)
        .into_iter()
        .filter(|w| !echoed.contains(w))
        .collect()
}

#[test]
fn the_main_commands_speak_chinese() {
    let (dir, db) = temp_db();
    duban(&db, &["import", SEED]).ok();
    let data = {
        let doc = crate::common::export_json(&db);
        words(&doc.to_string())
    };
    let bad_file = dir.path().join("empty.txt");
    std::fs::write(&bad_file, "").expect("write");
    let not_a_table = dir.path().join("notes.txt");
    std::fs::write(&not_a_table, "会议纪要\n今天讨论了工作。\n").expect("write");
    let bad = bad_file.to_str().expect("utf-8");
    let notes = not_a_table.to_str().expect("utf-8");
    let mut found = Vec::new();
    for args in [
        &["list"][..],
        &["list", "--status", "behind"],
        &["list", "--status", "慢"],
        &["show", "8"],
        &["show", "999"],
        &["search", "住建"],
        &["search", "zzzzqqq"],
        &["units"],
        &["units", "--lagging"],
        &["history"],
        &["history", "8"],
        &["import", bad],
        &["import", notes],
        &["import", "--dry-run", SEED],
        &["set", "999", "behind"],
        &["set", "8", "9"],
        &["note", "8", ""],
        &["period", "list"],
        &["suggest"],
        &["lst"],
        &["list", "--ascii"],
    ] {
        let e = cli_english(&db, args, &data);
        if !e.is_empty() {
            found.push(format!("duban {}: {e:?}", args.join(" ")));
        }
    }
    assert!(
        found.is_empty(),
        "English in the CLI:\n{}",
        found.join("\n")
    );
}

#[test]
fn errors_have_one_prefix() {
    let (_dir, db) = temp_db();
    for args in [&["show", "999"][..], &["lst"], &["set", "1", "slow"]] {
        let r = duban(&db, args);
        assert_ne!(r.code, 0);
        let last = r.stderr.lines().last().unwrap_or("");
        assert!(
            last.starts_with("duban: 错误：") && r.stderr.matches("错误").count() == 1,
            "{args:?}: {}",
            r.stderr
        );
    }
}

#[test]
fn lang_en_and_duban_lang_en_give_english() {
    let (_dir, db) = temp_db();
    let r = duban(&db, &["--lang", "en", "show", "999"]);
    assert!(
        r.stderr
            .lines()
            .last()
            .unwrap_or("")
            .starts_with("duban: error: there is no task 999"),
        "{}",
        r.stderr
    );
    let r = duban_cmd(&db)
        .env("DUBAN_LANG", "en")
        .args(["list", "--status", "behind"])
        .output()
        .expect("run");
    let out = String::from_utf8_lossy(&r.stdout);
    assert!(out.contains(" tasks"), "{out}");
    // The locale is not the language: LANG=C stays Chinese.
    let r = duban_cmd(&db)
        .env("LANG", "C")
        .env("LC_ALL", "en_US.UTF-8")
        .env_remove("DUBAN_LANG")
        .args(["show", "999"])
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&r.stderr).contains("没有任务 999"));
    // Ids and JSON are the same in both.
    let zh = duban(&db, &["list", "--json"]).stdout;
    let en = duban(&db, &["--lang", "en", "list", "--json"]).stdout;
    assert_eq!(zh, en);
    let help = duban(&db, &["--lang", "en", "list", "--help"]).stdout;
    assert!(help.contains("List tasks grouped by domain"), "{help}");
    let help = duban(&db, &["list", "--help"]).stdout;
    assert!(help.contains("按领域分组列出任务"), "{help}");
}

#[test]
fn ui_only_flags_are_not_in_the_commands_help() {
    let (_dir, db) = temp_db();
    let help = duban(&db, &["list", "--help"]).stdout;
    for flag in ["--keymap", "--ascii", "--mouse"] {
        assert!(!help.contains(flag), "{flag} in list --help:\n{help}");
    }
    let help = duban(&db, &["--help"]).stdout;
    assert!(help.contains("--keymap"), "{help}");
    // `duban --keymap vim` still parses (it opens the UI, which needs a terminal: the
    // refusal is about the terminal, not the argument).
    let r = duban_cmd(&db)
        .args(["--keymap", "vim"])
        .env("TERM", "dumb")
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(!err.contains("参数"), "{err}");
}

#[test]
fn a_big_import_prints_a_summary_not_a_line_a_row() {
    let (dir, db) = temp_db();
    duban(&db, &["import", SEED]).ok();
    let report = crate::support::synth::Corpus::from_sample().concatenated_report(1500, 7);
    let file = dir.path().join("large.txt");
    std::fs::write(&file, report).expect("write");
    let path = file.to_str().expect("utf-8");
    let r = duban(&db, &["import", "--dry-run", path]);
    r.ok();
    let r = duban(&db, &["import", path]);
    r.ok();
    assert!(r.stdout.lines().count() < 40, "{}", r.stdout);
    assert!(r.stdout.contains("已导入"), "{}", r.stdout);
    assert!(r.stdout.contains("--verbose"), "{}", r.stdout);
}
