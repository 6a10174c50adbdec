//! Helpers shared by the test modules: running the `duban` binary on a temporary database,
//! proptest's settings, and the UI's Chinese fixture (`ui_fixture`, also used by the UI bench).

pub mod ui_fixture;

use duban::ledger::Ledger;
use duban::store::StoreError;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// How long a test waits for something that must happen (a database released, a server to
/// start, leave or answer) before calling it lost. Long, so that on a loaded machine a test is
/// slow, not failing: the waits end as soon as the thing happens. How fast it happens is the
/// benches' business.
pub const PATIENCE: Duration = Duration::from_secs(120);

pub const SEED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/sample_2020h1_wuhu.txt");

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
    pub fn ok(&self) -> &Run {
        assert_eq!(
            self.code, 0,
            "duban failed:\nstdout:{}\nstderr:{}",
            self.stdout, self.stderr
        );
        self
    }
}

pub fn duban_cmd(db: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_duban"));
    c.arg("--db")
        .arg(db)
        .env_remove("DUBAN_DB")
        .env("NO_COLOR", "1");
    c
}

pub fn duban(db: &Path, args: &[&str]) -> Run {
    Run::from(duban_cmd(db).args(args).output().expect("run duban"))
}

/// Opens `db` directly, waiting while it is held: a ledger dropped in this process (or a
/// server stopped) lets go of the database from sled's background threads a moment later,
/// and later still on a loaded machine.
pub fn open_ledger(db: &Path) -> Ledger {
    let deadline = Instant::now() + PATIENCE;
    loop {
        match Ledger::open(db) {
            Err(StoreError::Locked { .. }) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20))
            }
            r => return r.expect("the database opens"),
        }
    }
}

pub fn temp_db() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("test.db");
    (dir, db)
}

pub fn export_json(db: &Path) -> serde_json::Value {
    let r = duban(db, &["export", "--format", "json"]);
    r.ok();
    serde_json::from_str(&r.stdout).expect("export is JSON")
}

pub fn task(doc: &serde_json::Value, number: u64) -> &serde_json::Value {
    doc["tasks"]
        .as_array()
        .expect("tasks array")
        .iter()
        .find(|t| t["number"] == number)
        .unwrap_or_else(|| panic!("task {number} exported"))
}

/// Proptest's settings for this binary: `cases` cases, and failing seeds kept beside the
/// test's file as `<module>.proptest-regressions`. Proptest's default would look for a
/// `main.rs` above the file, find this binary's, and keep them in `tests/proptest-regressions/`.
pub fn proptest_config(cases: u32) -> proptest::test_runner::Config {
    proptest::test_runner::Config {
        cases,
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::WithSource("proptest-regressions"),
        )),
        ..proptest::test_runner::Config::default()
    }
}
