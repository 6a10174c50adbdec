//! Output that cannot attack its reader (issue 11, item 3 and the export part of item 5):
//! control sequences from a report, a note or a goal reach no terminal through any
//! human-readable command, while `--json` keeps the exact text; CSV cells that a
//! spreadsheet would evaluate start with `'`, the xlsx holds them as strings; an export that
//! fails over an existing file leaves that file as it was.

use crate::common::*;
use std::path::Path;

/// Window title, clipboard write (OSC 52), clear screen, a DCS, a C1 CSI (U+009B, the
/// 8-bit form of `ESC [`), backspaces over what was printed, a right-to-left override.
const TITLE: &str = "\x1b]0;pwned\x07";
const CLIPBOARD: &str = "\x1b]52;c;ZXZpbA==\x07";
const CLEAR: &str = "\x1b[2J";
const DCS: &str = "\x1bP1$r0m\x1b\\";
const C1_CSI: &str = "\u{9b}31m";
const BACKSPACES: &str = "\x08\x08\x08";
const RLO: &str = "\u{202e}";

/// A character that must never reach a terminal from report text: C0 controls but the line
/// breaks and tabs of a multi-line output, DEL, C1 controls, bidi controls.
fn forbidden(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\t'))
        || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn assert_inert(what: &str, out: &str) {
    let bad: Vec<char> = out.chars().filter(|c| forbidden(*c)).collect();
    assert!(bad.is_empty(), "{what}: {bad:?} reached the output:\n{out}");
}

fn goal() -> String {
    format!("推进{TITLE}黑臭{CLEAR}水体整治")
}

fn progress() -> String {
    format!("已完成{CLIPBOARD}整治30条{DCS}完成率{C1_CSI}87%{BACKSPACES}{RLO}年底")
}

/// A database with one report whose task 1 carries every attack in its goal and progress,
/// a note and an edited goal on task 2 that carry them too.
fn hostile_db() -> (tempfile::TempDir, std::path::PathBuf, String) {
    let (dir, db) = temp_db();
    let report = dir.path().join("hostile.tsv");
    // Ordinary rows around the hostile one: a file with more than 1 % control characters
    // is refused as binary, and the attack is a report that passes for a real one.
    let ordinary: String = (3..40)
        .map(|n| format!("{n}\t推进第{n}项重点工程建设\t项目已开工，完成投资{n}亿元\t市发改委\t\n"))
        .collect();
    let text = format!(
        "2021年上半年督查通报\n\n序号\t目标与任务\t工作进展\t牵头单位\t责任单位\n\
         1\t{}\t{}\t市住建局\t市生态环境局\n\
         2\t建设公园\t完成50%\t市城管局\t\n{ordinary}",
        goal(),
        progress()
    );
    std::fs::write(&report, text).expect("write the report");
    let dry = duban(
        &db,
        &["import", "--dry-run", report.to_str().expect("utf-8 path")],
    );
    dry.ok();
    assert_inert("import --dry-run", &dry.stdout);
    assert!(dry.stdout.contains("推进␛]0;pwned␇"), "{}", dry.stdout);
    let import = duban(&db, &["import", report.to_str().expect("utf-8 path")]);
    import.ok();
    assert_inert("import", &import.stdout);
    let note = format!("约谈{TITLE}{CLIPBOARD}{RLO}记录{BACKSPACES}");
    let echo = duban(&db, &["note", "2", &note]);
    echo.ok();
    assert_inert("note", &echo.stdout);
    assert!(echo.stdout.contains("约谈␛]0;pwned␇"), "{}", echo.stdout);
    let edited = format!("建设{CLEAR}{C1_CSI}公园{DCS}");
    let echo = duban(&db, &["goal", "2", &edited]);
    echo.ok();
    assert_inert("goal", &echo.stdout);
    (dir, db, note)
}

#[test]
fn no_human_readable_command_lets_a_control_sequence_through() {
    let (_dir, db, _note) = hostile_db();
    let commands: &[&[&str]] = &[
        &["list"],
        &["show", "1"],
        &["show", "2"],
        &["search", "推进"],
        &["search", "约谈"],
        &["units"],
        &["units", "--lagging"],
        &["history"],
        &["history", "2"],
        &["suggest"],
        &["period", "list"],
        &["export", "--format", "md"],
        &["export", "--format", "csv"],
    ];
    for args in commands {
        let r = duban(&db, args);
        r.ok();
        assert_inert(&format!("{args:?}"), &r.stdout);
        assert_inert(&format!("{args:?} on stderr"), &r.stderr);
    }
    // What was there is shown, not hidden: the placeholders say so.
    let show = duban(&db, &["show", "1"]);
    for shown in [
        "推进␛]0;pwned␇黑臭␛[2J水体整治",
        "␛]52;c;ZXZpbA==␇",
        "␛P1$r0m␛\\",
        "␦31m",
        "␈␈␈␦",
    ] {
        assert!(show.stdout.contains(shown), "{shown} in\n{}", show.stdout);
    }
    let history = duban(&db, &["history", "2"]);
    assert!(
        history
            .stdout
            .contains("约谈␛]0;pwned␇␛]52;c;ZXZpbA==␇␦记录␈␈␈"),
        "{}",
        history.stdout
    );
    let md = duban(&db, &["export", "--format", "md"]);
    assert!(md.stdout.contains("推进␛]0;pwned␇黑臭"), "{}", md.stdout);
    let list = duban(&db, &["list"]);
    assert!(list.stdout.contains("推进␛]0;pwned␇"), "{}", list.stdout);
}

#[test]
fn json_keeps_the_exact_text() {
    let (_dir, db, note) = hostile_db();
    let one = duban(&db, &["show", "1", "--json"]);
    one.ok();
    let t: serde_json::Value = serde_json::from_str(&one.stdout).expect("JSON");
    assert_eq!(t["goal"], goal());
    assert_eq!(t["progress"][0], progress());
    let doc = export_json(&db);
    let two = task(&doc, 2);
    assert_eq!(two["notes"][0]["text"], note.as_str());
    assert_eq!(
        two["goal"],
        format!("建设{CLEAR}{C1_CSI}公园{DCS}").as_str()
    );
    let listed = duban(&db, &["list", "--json"]);
    let tasks: serde_json::Value = serde_json::from_str(&listed.stdout).expect("JSON");
    assert_eq!(tasks[0]["goal"], goal());
}

#[test]
fn error_messages_quoting_user_text_are_inert() {
    let (_dir, db) = temp_db();
    duban(&db, &["list"]).ok();
    let r = duban(
        &db,
        &[
            "export",
            "--format",
            "csv",
            "--period",
            &format!("x{TITLE}{RLO}"),
        ],
    );
    assert_ne!(r.code, 0);
    assert_inert("error", &r.stderr);
    assert!(r.stderr.contains("x␛]0;pwned␇␦"), "{}", r.stderr);
}

/// The cells of a CSV export (BOM removed).
fn csv_rows(csv: &str) -> Vec<Vec<String>> {
    let body = csv.strip_prefix('\u{feff}').expect("a BOM");
    csv::Reader::from_reader(body.as_bytes())
        .records()
        .map(|r| {
            r.expect("a CSV record")
                .iter()
                .map(str::to_string)
                .collect()
        })
        .collect()
}

#[test]
fn csv_cells_that_start_a_formula_are_text() {
    let (dir, db) = temp_db();
    let report = dir.path().join("formulas.tsv");
    std::fs::write(
        &report,
        "2021年上半年督查通报\n\n序号\t目标与任务\t工作进展\t牵头单位\t责任单位\n\
         1\t+1+2\t-2+3\t市住建局\t\n\
         2\t建设公园\t完成50%\t市城管局\t\n",
    )
    .expect("write");
    duban(&db, &["import", report.to_str().expect("utf-8 path")]).ok();
    duban(&db, &["goal", "2", "=HYPERLINK(\"http://x\",\"y\")"]).ok();
    duban(&db, &["note", "2", "@SUM(A1)"]).ok();
    for out in [None, Some(dir.path().join("tongbao.csv"))] {
        let mut args = vec!["export", "--format", "csv"];
        if let Some(p) = &out {
            args.extend(["--output", p.to_str().expect("utf-8 path")]);
        }
        let r = duban(&db, &args);
        r.ok();
        let csv = match &out {
            Some(p) => std::fs::read_to_string(p).expect("the csv file"),
            None => r.stdout,
        };
        let rows = csv_rows(&csv);
        let row = |n: &str| rows.iter().find(|r| r[0] == n).expect("a row").clone();
        assert_eq!(row("1")[4], "'+1+2");
        assert_eq!(row("1")[5], "'-2+3");
        assert_eq!(row("2")[4], "'=HYPERLINK(\"http://x\",\"y\")");
        assert_eq!(row("2")[8], "'@SUM(A1)");
        assert_eq!(row("2")[5], "完成50%");
    }
}

#[test]
fn the_xlsx_holds_a_formula_goal_as_a_string() {
    use calamine::{open_workbook, Data, Reader, Xlsx};
    let (dir, db) = temp_db();
    duban(&db, &["list"]).ok();
    let formula = "=HYPERLINK(\"http://x\",\"y\")";
    duban(&db, &["goal", "3", formula]).ok();
    let path = dir.path().join("tongbao.xlsx");
    duban(
        &db,
        &[
            "export",
            "--format",
            "xlsx",
            "--output",
            path.to_str().expect("utf-8 path"),
        ],
    )
    .ok();
    let mut wb: Xlsx<_> = open_workbook(&path).expect("the workbook opens");
    let sheet = duban::xlsx::SHEET_TABLE;
    let cells = wb.worksheet_range(sheet).expect("the table");
    assert!(
        cells
            .cells()
            .any(|(_, _, c)| *c == Data::String(formula.to_string())),
        "the goal is a string cell"
    );
    let formulas = wb.worksheet_formula(sheet).expect("formulas");
    assert!(
        formulas.cells().all(|(_, _, f)| f.is_empty()),
        "no cell holds a formula"
    );
}

/// Runs `duban export --output path` under a file-size limit far below the export's size,
/// so the kernel stops the write half-way (as a full disk would: the write fails with
/// EFBIG, duban ignoring SIGXFSZ). The database is served from this process: its own files are larger
/// than the limit, and the client only writes the export.
fn export_over_the_limit(db: &Path, path: &Path) -> i32 {
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -f 64; exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_duban"))
        .args(["--db"])
        .arg(db)
        .args(["export", "--format", "json", "--output"])
        .arg(path)
        .env_remove("DUBAN_DB")
        .status()
        .expect("run duban under sh");
    status.code().unwrap_or(-1)
}

/// Serves `db` from this process, waiting while a command that just ran still holds it.
fn serve(db: &Path) -> duban::server::serve::ServerHandle {
    use duban::server::serve;
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        match serve::spawn(db, serve::ServeOptions::default()) {
            Ok(h) => return h,
            Err(serve::ServeError::Store(duban::store::StoreError::Locked { .. }))
                if std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(20))
            }
            Err(e) => panic!("the server starts: {e}"),
        }
    }
}

#[test]
fn an_export_that_fails_keeps_the_previous_file() {
    let (dir, db) = temp_db();
    duban(&db, &["list"]).ok();
    let path = dir.path().join("export.json");
    let old = b"{\"schema\": 1, \"tasks\": []}  the previous export\n";
    std::fs::write(&path, old).expect("write the old export");
    // The sample's JSON is some 290 KB, the limit 64 blocks (32 or 64 KB).
    let server = serve(&db);
    assert_ne!(export_over_the_limit(&db, &path), 0);
    drop(server);
    let kept = std::fs::read(&path).expect("the old file");
    assert!(
        kept == old,
        "the old export became {} other bytes",
        kept.len()
    );
    // The write failed half-way (duban ignores SIGXFSZ, so the limit is an error it
    // reports): its temporary file was taken away again.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names.iter().any(|n| n.ends_with(".tmp")),
        "a temporary file was left: {names:?}"
    );
    // A whole export replaces it.
    duban(
        &db,
        &["export", "--output", path.to_str().expect("utf-8 path")],
    )
    .ok();
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("the new file")).expect("JSON");
    assert!(doc["tasks"].as_array().is_some_and(|t| t.len() > 100));
}
