//! No crash locks anyone out: sled's leftover temporary files are set aside at open; a
//! refusal that is no damage (permission, size limit) says what it is; `duban backup` and
//! `duban restore` round-trip everything, with a server serving the database too.

use crate::common::*;
use duban::server::{serve, ServeOptions};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A database with the sample, a status change with a note, a note and an undo.
fn edited_db() -> (tempfile::TempDir, PathBuf) {
    let (d, db) = temp_db();
    duban(&db, &["import", SEED]).ok();
    duban(&db, &["set", "3", "behind", "--note", "进度滞后，约谈"]).ok();
    duban(&db, &["note", "3", "机密：书记批示"]).ok();
    duban(&db, &["set", "7", "done"]).ok();
    duban(&db, &["undo", "7"]).ok();
    duban(&db, &["move", "9", "reform"]).ok();
    (d, db)
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn unfinished_snapshot_files_are_set_aside_and_the_database_opens_with_everything() {
    let (_d, db) = edited_db();
    let before = export_json(&db);
    // What a kill -9 in the middle of sled's snapshot leaves: the file it writes before
    // renaming, empty or cut short, with a name that sorts after the finished snapshot.
    let finished = files_in(&db)
        .into_iter()
        .find(|n| n.starts_with("snap.") && !n.ends_with(".generating"));
    std::fs::write(db.join("snap.FFFFFFFFFFFFFFF0.generating"), b"").unwrap();
    let cut = finished
        .map(|n| std::fs::read(db.join(n)).unwrap())
        .unwrap_or_else(|| vec![7; 64]);
    std::fs::write(
        db.join("snap.FFFFFFFFFFFFFFFF.generating"),
        &cut[..cut.len() / 2],
    )
    .unwrap();

    let run = duban(&db, &["list"]);
    run.ok();
    assert!(!run.stderr.contains("damaged"), "{}", run.stderr);
    assert_eq!(
        run.stderr.matches("was moved to").count(),
        2,
        "{}",
        run.stderr
    );
    let aside = files_in(&db.join("aside"));
    assert_eq!(aside.len(), 2, "{aside:?}");
    assert!(aside.iter().all(|n| n.ends_with(".generating")));
    assert!(!files_in(&db).iter().any(|n| n.ends_with(".generating")));
    assert_eq!(export_json(&db), before);
}

#[test]
fn a_file_size_limit_is_told_apart_from_damage_and_loses_nothing() {
    let (_d, db) = edited_db();
    let before = export_json(&db);
    // `ulimit -f 1`: no file may grow past 512 bytes; sled's log is far past that.
    let run = Command::new("sh")
        .arg("-c")
        .arg("ulimit -f 1 && exec \"$0\" --db \"$1\" set 1 done")
        .arg(env!("CARGO_BIN_EXE_duban"))
        .arg(&db)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(
        run.status.code(),
        Some(1),
        "killed by SIGXFSZ instead of refusing? {stderr}"
    );
    assert!(stderr.contains("ulimit -f"), "{stderr}");
    assert!(!stderr.contains("damaged"), "{stderr}");
    assert_eq!(export_json(&db), before);
}

#[test]
fn a_database_one_may_not_open_says_permission_not_damage() {
    let (d, db) = edited_db();
    let before = export_json(&db);
    let root = nix::unistd::geteuid().is_root();
    let run = if root {
        // root reads everything: run duban as nobody instead, on a folder that is root's.
        if Command::new("setpriv").arg("--version").output().is_err() {
            eprintln!("skipped: running as root without setpriv");
            return;
        }
        set_mode(d.path(), 0o755);
        set_mode(&db, 0o700);
        Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_duban"))
            .arg("--db")
            .arg(&db)
            .arg("list")
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    } else {
        set_mode(&db, 0o000);
        let out = duban_cmd(&db).arg("list").output().unwrap();
        set_mode(&db, 0o700);
        out
    };
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    // Someone else's database is only reached through its owner's server: the socket is
    // what they may not reach. One's own unreadable database is not allowed to open.
    let says = if root {
        "拒绝访问"
    } else {
        "not allowed to open"
    };
    assert!(stderr.contains(says), "{stderr}");
    assert!(!stderr.contains("damaged"), "{stderr}");
    assert_eq!(export_json(&db), before);
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The one backup file `duban backup` wrote into `dir`.
fn backup_in(dir: &Path) -> PathBuf {
    let names = files_in(dir);
    assert_eq!(names.len(), 1, "{names:?}");
    assert!(names[0].starts_with("duban-backup-") && names[0].ends_with("Z.json"));
    dir.join(&names[0])
}

#[test]
fn backup_then_restore_into_a_new_database_exports_the_same() {
    let (d, db) = edited_db();
    let dir = d.path().join("backups");
    duban(&db, &["backup", dir.to_str().unwrap()]).ok();
    let file = backup_in(&dir);
    // The backup is the export contract with more: its tasks are the export's.
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let export = export_json(&db);
    assert_eq!(doc["tasks"], export["tasks"]);
    let restored = d.path().join("restored.db");
    let run = duban(&restored, &["restore", file.to_str().unwrap()]);
    run.ok();
    assert!(run.stdout.contains("恢复 116 项任务"), "{}", run.stdout);
    assert_eq!(export_json(&restored), export);
    // A second restore over the tasks is refused and changes nothing.
    let again = duban(&restored, &["restore", file.to_str().unwrap()]);
    assert_eq!(again.code, 1);
    assert!(again.stderr.contains("--force"), "{}", again.stderr);
    assert_eq!(export_json(&restored), export);
}

/// Starts an in-process server; the database may still be closing after a command.
fn start(db: &Path) -> serve::ServerHandle {
    let deadline = Instant::now() + PATIENCE;
    loop {
        match serve::spawn(db, ServeOptions::default()) {
            Ok(h) => return h,
            Err(serve::ServeError::Store(duban::store::StoreError::Locked { .. }))
                if Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(20))
            }
            Err(e) => panic!("server starts: {e}"),
        }
    }
}

#[test]
fn a_backup_works_while_a_server_serves_and_a_restore_there_is_refused() {
    let (d, db) = edited_db();
    let export = export_json(&db);
    let server = start(&db);
    let dir = d.path().join("b");
    duban(&db, &["backup", dir.to_str().unwrap()]).ok();
    let file = backup_in(&dir);
    let refused = duban(&db, &["restore", "--force", file.to_str().unwrap()]);
    assert_eq!(refused.code, 1);
    assert!(
        refused.stderr.contains("正由服务器提供给他人使用"),
        "{}",
        refused.stderr
    );
    server.stop().unwrap();
    let restored = d.path().join("r.db");
    duban(&restored, &["restore", file.to_str().unwrap()]).ok();
    assert_eq!(export_json(&restored), export);
}
