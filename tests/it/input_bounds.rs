//! What cannot be a report is refused with a sentence and changes nothing: a pipe (reading
//! it would never end), a device, a folder — refused before the database is opened — and a
//! report over the size or row caps (`DUBAN_MAX_REPORT_MB`, `DUBAN_MAX_REPORT_ROWS`).

use crate::common::{duban, duban_cmd, open_ledger, temp_db, Run, SEED};

#[test]
fn pipes_devices_and_folders_are_refused_before_the_database_is_opened() {
    let (dir, db) = temp_db();
    duban(&db, &["import", SEED]).ok();
    let before = duban(&db, &["export"]).stdout;
    let fifo = dir.path().join("report.txt");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).expect("mkfifo");
    // This process holds the database: a command that opened it would say it is in use.
    let holder = open_ledger(&db);
    let folder = dir.path().to_str().unwrap().to_string();
    for (path, says) in [
        (fifo.to_str().unwrap(), "管道（FIFO）"),
        ("/dev/zero", "设备"),
        (folder.as_str(), "文件夹"),
    ] {
        for args in [vec!["import", path], vec!["import", "--dry-run", path]] {
            let r = duban(&db, &args);
            assert_eq!(r.code, 1, "{args:?}: {}", r.stderr);
            assert!(
                r.stderr.contains(path) && r.stderr.contains(says),
                "{args:?}: {}",
                r.stderr
            );
            assert!(!r.stderr.contains("in use"), "{}", r.stderr);
        }
    }
    drop(holder);
    assert_eq!(duban(&db, &["export"]).stdout, before);
}

#[test]
fn reports_over_the_size_or_row_caps_are_refused_and_change_nothing() {
    let (dir, db) = temp_db();
    duban(&db, &["import", SEED]).ok();
    let before = duban(&db, &["export"]).stdout;
    let big = dir.path().join("big.txt");
    std::fs::write(&big, "1. 推进重点工作。\n".repeat(90_000)).unwrap();
    let r = Run::from(
        duban_cmd(&db)
            .env("DUBAN_MAX_REPORT_MB", "1")
            .args(["import", big.to_str().unwrap()])
            .output()
            .expect("run"),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("文件有 3 MB，超过报告的上限 1 MB"),
        "{}",
        r.stderr
    );
    let mut csv = String::from("序号,目标任务,工作进展,牵头单位\n");
    for i in 1..=2000 {
        csv.push_str(&format!("{i},推进项目{i},完成{i}个,市住建局\n"));
    }
    let rows = dir.path().join("rows.csv");
    std::fs::write(&rows, csv).unwrap();
    let r = Run::from(
        duban_cmd(&db)
            .env("DUBAN_MAX_REPORT_ROWS", "1000")
            .args(["import", rows.to_str().unwrap()])
            .output()
            .expect("run"),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("有 2002 行，超过报告的上限 1000"),
        "{}",
        r.stderr
    );
    assert_eq!(duban(&db, &["export"]).stdout, before);
    // Under the caps the same report imports.
    duban(&db, &["import", rows.to_str().unwrap()]).ok();
}
