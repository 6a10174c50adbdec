//! Try the terminal UI before `duban` itself calls it:
//!   cargo run --example ui_demo -- [--db PATH] [--fixture] [--keymap NAME|PATH] [--ascii] [--mouse]
//!                                  [--panic-on-write]
//! --panic-on-write makes every store write panic, to see the terminal restored by the panic
//! hook (try `s` on a task).
//! Without --db it uses a temporary database. An empty database gets the built-in sample (or,
//! with --fixture or when the sample cannot be imported, the UI tests' Chinese fixture).

#[path = "../tests/it/common/ui_fixture/mod.rs"]
mod fixture;

use duban::ledger::Ledger;
use duban::store::{Commit, SledStore, Store, StoreError};
use duban::ui::{run, UiOptions};
use std::path::PathBuf;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut db: Option<PathBuf> = None;
    let mut use_fixture = false;
    let mut panic_on_write = false;
    let mut options = UiOptions {
        keymap: None,
        ascii: false,
        mouse: false,
        startup_message: None,
    };
    while let Some(a) = args.next() {
        match a.as_str() {
            "--db" => db = args.next().map(PathBuf::from),
            "--fixture" => use_fixture = true,
            "--panic-on-write" => panic_on_write = true,
            "--keymap" => options.keymap = args.next(),
            "--ascii" => options.ascii = true,
            "--mouse" => options.mouse = true,
            other => anyhow::bail!("unknown argument {other}"),
        }
    }
    let tmp = tempfile::tempdir()?;
    let path = db.unwrap_or_else(|| tmp.path().join("demo.db"));
    if use_fixture && !path.exists() {
        drop(fixture::ledger(tmp.path()));
        return demo(&tmp.path().join("ui.db"), options, panic_on_write);
    }
    demo(&path, options, panic_on_write)
}

/// A store whose writes panic (to try the panic path).
struct PanickingStore(SledStore);

impl Store for PanickingStore {
    fn path(&self) -> &std::path::Path {
        self.0.path()
    }
    fn tasks(&self) -> Result<Vec<duban::model::Task>, StoreError> {
        self.0.tasks()
    }
    fn task(&self, number: u32) -> Result<Option<duban::model::Task>, StoreError> {
        self.0.task(number)
    }
    fn history(&self, task: Option<u32>) -> Result<Vec<duban::model::Event>, StoreError> {
        self.0.history(task)
    }
    fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.0.meta(key)
    }
    fn commit(&self, _: Commit) -> Result<Vec<duban::model::Event>, StoreError> {
        panic!("--panic-on-write: a store write panicked on purpose");
    }
}

fn open(path: &std::path::Path, panic_on_write: bool) -> Result<Ledger, StoreError> {
    if !panic_on_write {
        return Ledger::open(path);
    }
    let store = SledStore::open(path)?;
    Ok(Ledger::new(
        Box::new(PanickingStore(store)),
        duban::user::current(),
        duban::classify::DomainRules::builtin(),
    ))
}

fn demo(
    path: &std::path::Path,
    mut options: UiOptions,
    panic_on_write: bool,
) -> anyhow::Result<()> {
    if panic_on_write && !path.exists() {
        Ledger::open(path)?.apply(duban::ops::Op::EnsureSample)?;
    }
    let ledger = match open(path, panic_on_write) {
        Ok(l) => l,
        Err(e @ StoreError::Locked { .. }) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
        Err(e) => return Err(e.into()),
    };
    if ledger.is_empty()? {
        let loaded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            ledger.apply(duban::ops::Op::EnsureSample)
        }));
        options.startup_message = Some(match loaded {
            Ok(Ok(duban::ops::Reply::Sample(Some(s)))) => format!(
                "empty database: loaded the built-in sample ({} tasks)",
                s.added.len()
            ),
            _ => {
                drop(ledger);
                let dir = path.parent().unwrap_or(std::path::Path::new("."));
                let dir = tempfile::tempdir_in(dir)?;
                drop(fixture::ledger(dir.path()));
                let l = Ledger::open(&dir.path().join("ui.db"))?;
                options.startup_message =
                    Some("the sample does not import yet: showing the UI test fixture".into());
                let r = run(duban::server::session::Session::Local(l), options);
                drop(dir);
                return r;
            }
        });
    }
    run(duban::server::session::Session::Local(ledger), options)
}
