//! Backups: a consistent JSON copy of the whole database, taken while others work, and the
//! way back from one.
//!
//! A backup is the export contract (`duban export`'s JSON: `schema` and `tasks`, each task
//! with its history) with two keys more: `removed_task_history`, the events of tasks that
//! are gone (an import with `--replace` removes tasks but never their history), and
//! `backup`, when it was taken and up to which event. It is read a page at a time through
//! the same operations as everything else (`Op::Tasks`, `Op::History`), so it works with
//! a server owning the database; it is consistent because the sequence number the next
//! event gets is the same before and after the reads (every edit records an event), and
//! read again when it is not.
//!
//! [`spawn_daily`] keeps `<db>/backups/duban-YYYY-MM-DD.json`, the last [`KEEP`] days, for
//! the server.

use crate::export::{HistoryJson, TaskJson, JSON_SCHEMA};
use crate::model::{Change, Domain, DomainDecision, Event, Note, Period, Status, Task, Unit};
use crate::ops::{Op, Reply};
use crate::store::SledStore;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Weak};
use std::time::Duration;

/// Reads tried before giving up on a database that changes under every read.
pub const TRIES: usize = 5;
/// Daily snapshots kept.
pub const KEEP: usize = 7;
/// The folder of daily snapshots inside the database folder.
pub const DAILY_DIR: &str = "backups";

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0}")]
    Read(String),
    #[error("{}", crate::tr!(
        "连续 {TRIES} 次读取时数据库都在变化（有人正在编辑），未写入备份。请在编辑少的时候再试。",
        "the database changed during each of {TRIES} reads (others are editing); no backup was written. Try again in a quieter moment."
    ))]
    Busy,
    #[error("{}", crate::tr!(
        "无法写入备份 {}：{source}",
        "cannot write the backup {}: {source}",
        path.display(),
        source = .source
    ))]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}", crate::tr!(
        "{} 不是 duban 备份：{detail}",
        "{} is not a duban backup: {detail}",
        path.display(),
        detail = .detail
    ))]
    NotABackup { path: PathBuf, detail: String },
}

/// A backup as read: the document, and what it holds.
pub struct Taken {
    pub json: String,
    pub tasks: usize,
    pub events: usize,
    /// Events before this sequence number are in it.
    pub next_seq: u64,
}

#[derive(Serialize)]
struct BackupJson {
    schema: u32,
    tasks: Vec<TaskJson>,
    removed_task_history: Vec<RemovedEventJson>,
    backup: BackupInfo,
}

#[derive(Serialize)]
struct RemovedEventJson {
    task: u32,
    #[serde(flatten)]
    event: HistoryJson,
}

#[derive(Serialize)]
struct BackupInfo {
    taken_at: String,
    next_seq: u64,
    tasks: usize,
    events: usize,
    duban: &'static str,
}

/// Reads the whole database through `call` (a `Session`'s, or the store's own reads) and
/// makes the backup document: retried while edits land between the first read and the last.
pub fn take<E: std::fmt::Display>(
    mut call: impl FnMut(Op) -> Result<Reply, E>,
) -> Result<Taken, BackupError> {
    let mut read = |op: Op| call(op).map_err(|e| BackupError::Read(e.to_string()));
    for _ in 0..TRIES {
        let before = next_seq(&mut read)?;
        let tasks = all_tasks(&mut read)?;
        let history = all_history(&mut read)?;
        if next_seq(&mut read)? == before {
            return Ok(document(&tasks, &history, before));
        }
    }
    Err(BackupError::Busy)
}

fn next_seq(read: &mut impl FnMut(Op) -> Result<Reply, BackupError>) -> Result<u64, BackupError> {
    let (_, as_of) = read(Op::Numbers)?
        .into_numbers()
        .map_err(|e| BackupError::Read(e.to_string()))?;
    Ok(as_of)
}

fn all_tasks(
    read: &mut impl FnMut(Op) -> Result<Reply, BackupError>,
) -> Result<Vec<Task>, BackupError> {
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let (tasks, next) = read(Op::Tasks { after, limit: None })?
            .into_tasks()
            .map_err(|e| BackupError::Read(e.to_string()))?;
        all.extend(tasks);
        match next {
            Some(n) => after = Some(n),
            None => return Ok(all),
        }
    }
}

fn all_history(
    read: &mut impl FnMut(Op) -> Result<Reply, BackupError>,
) -> Result<Vec<Event>, BackupError> {
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let op = Op::History {
            task: None,
            after,
            limit: None,
        };
        let (events, next) = read(op)?
            .into_history()
            .map_err(|e| BackupError::Read(e.to_string()))?;
        all.extend(events);
        match next {
            Some(n) => after = Some(n),
            None => return Ok(all),
        }
    }
}

fn document(tasks: &[Task], history: &[Event], next_seq: u64) -> Taken {
    let mut by_task: BTreeMap<u32, Vec<&Event>> = BTreeMap::new();
    for e in history {
        by_task.entry(e.task).or_default().push(e);
    }
    let present: BTreeSet<u32> = tasks.iter().map(|t| t.number).collect();
    let doc = BackupJson {
        schema: JSON_SCHEMA,
        tasks: tasks
            .iter()
            .map(|t| TaskJson::new(t, by_task.get(&t.number).map_or(&[], Vec::as_slice)))
            .collect(),
        removed_task_history: history
            .iter()
            .filter(|e| !present.contains(&e.task))
            .map(|e| RemovedEventJson {
                task: e.task,
                event: HistoryJson::from_event(e),
            })
            .collect(),
        backup: BackupInfo {
            taken_at: Utc::now().to_rfc3339(),
            next_seq,
            tasks: tasks.len(),
            events: history.len(),
            duban: env!("CARGO_PKG_VERSION"),
        },
    };
    Taken {
        json: serde_json::to_string_pretty(&doc).expect("backup types serialize") + "\n",
        tasks: tasks.len(),
        events: history.len(),
        next_seq,
    }
}

/// `duban-backup-<UTC time>.json`.
pub fn backup_name(now: DateTime<Utc>) -> String {
    format!("duban-backup-{}.json", now.format("%Y%m%dT%H%M%SZ"))
}

/// Writes `json` as `dir/name`: into a temporary file beside it, synced, then renamed, so
/// that a crash or a full disk never leaves half a backup under the final name (or
/// destroys an earlier one of that name). Owner-only: it holds every confidential note.
pub fn write_file(dir: &Path, name: &str, json: &str) -> Result<PathBuf, BackupError> {
    use std::os::unix::fs::OpenOptionsExt;
    let path = dir.join(name);
    let fail = |source| BackupError::Write {
        path: path.clone(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(fail)?;
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(json.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, &path)?;
        // The rename itself must reach the disk.
        std::fs::File::open(dir)?.sync_all()
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(fail(e));
    }
    Ok(path)
}

/// What a backup holds, ready for `Op::Restore`.
#[derive(Debug)]
pub struct Restorable {
    pub tasks: Vec<Task>,
    /// Every event, with its original seq (the order to restore them in).
    pub events: Vec<Event>,
}

#[derive(Deserialize)]
struct BackupIn {
    schema: u32,
    tasks: Vec<TaskIn>,
    #[serde(default)]
    removed_task_history: Vec<EventIn>,
}

#[derive(Deserialize)]
struct TaskIn {
    number: u32,
    section: Option<String>,
    domain: String,
    domain_rule: String,
    domain_reason: String,
    domain_manual: bool,
    status: String,
    goal: String,
    #[serde(default)]
    goal_edited: bool,
    lead_units: Vec<String>,
    co_units: Vec<String>,
    #[serde(default)]
    lead_units_canonical: Vec<String>,
    #[serde(default)]
    co_units_canonical: Vec<String>,
    #[serde(default)]
    notes: Vec<NoteIn>,
    #[serde(default)]
    history: Vec<EventIn>,
    #[serde(default)]
    periods: Vec<PeriodIn>,
}

#[derive(Deserialize)]
struct NoteIn {
    at: String,
    user: String,
    text: String,
}

#[derive(Deserialize)]
struct PeriodIn {
    name: String,
    paragraphs: Vec<String>,
}

#[derive(Deserialize)]
struct EventIn {
    seq: u64,
    /// Only in `removed_task_history`; a task's own history is under the task.
    #[serde(default)]
    task: Option<u32>,
    at: String,
    user: String,
    kind: String,
    from: Option<String>,
    to: Option<String>,
    #[serde(default)]
    undo: bool,
    note: Option<String>,
    period: Option<String>,
    source: Option<String>,
    #[serde(default)]
    index: Option<usize>,
    #[serde(default)]
    author: Option<String>,
    #[serde(default)]
    written: Option<String>,
}

/// Reads a backup (or a `duban export` JSON, which lacks only the removed tasks' history).
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Restorable, BackupError> {
    let bad = |detail: String| BackupError::NotABackup {
        path: path.to_path_buf(),
        detail,
    };
    let doc: BackupIn = serde_json::from_slice(bytes).map_err(|e| bad(e.to_string()))?;
    if doc.schema != JSON_SCHEMA {
        return Err(bad(crate::tr!(
            "其格式版本为 {}，本 duban 读取 {JSON_SCHEMA}",
            "its schema is {}, this duban reads {JSON_SCHEMA}",
            doc.schema
        )));
    }
    let mut tasks = Vec::with_capacity(doc.tasks.len());
    let mut events = Vec::new();
    let mut numbers = BTreeSet::new();
    for t in doc.tasks {
        let number = t.number;
        for e in &t.history {
            events.push(
                event(number, e)
                    .map_err(|d| bad(crate::tr!("任务 {number}：{d}", "task {number}: {d}")))?,
            );
        }
        if !numbers.insert(number) {
            return Err(bad(crate::tr!(
                "任务 {number} 出现了两次",
                "it names task {number} twice"
            )));
        }
        tasks.push(
            task(t).map_err(|d| bad(crate::tr!("任务 {number}：{d}", "task {number}: {d}")))?,
        );
    }
    for e in &doc.removed_task_history {
        let number = e.task.ok_or_else(|| {
            bad(crate::tr!(
                "已删除任务的事件 {} 没有注明任务",
                "removed-task event {} names no task",
                e.seq
            ))
        })?;
        events.push(
            event(number, e)
                .map_err(|d| bad(crate::tr!("事件 {}：{d}", "event {}: {d}", e.seq)))?,
        );
    }
    events.sort_by_key(|e| e.seq);
    Ok(Restorable { tasks, events })
}

fn task(t: TaskIn) -> Result<Task, String> {
    let units = |written: Vec<String>, canonical: Vec<String>| -> Vec<Unit> {
        let mut canonical = canonical.into_iter();
        written
            .into_iter()
            .map(|w| Unit {
                canonical: canonical.next().unwrap_or_else(|| w.clone()),
                written: w,
            })
            .collect()
    };
    Ok(Task {
        number: t.number,
        section: t.section,
        goal: t.goal,
        goal_edited: t.goal_edited,
        lead_units: units(t.lead_units, t.lead_units_canonical),
        co_units: units(t.co_units, t.co_units_canonical),
        domain: domain(&t.domain)?,
        domain_decision: DomainDecision {
            rule: t.domain_rule,
            reason: t.domain_reason,
            manual: t.domain_manual,
        },
        status: status(&t.status)?,
        notes: t
            .notes
            .into_iter()
            .map(|n| {
                Ok(Note {
                    at: time(&n.at)?,
                    user: n.user,
                    text: n.text,
                })
            })
            .collect::<Result<_, String>>()?,
        periods: t
            .periods
            .into_iter()
            .map(|p| Period {
                name: p.name,
                paragraphs: p.paragraphs,
            })
            .collect(),
    })
}

fn event(task: u32, e: &EventIn) -> Result<Event, String> {
    let text = |v: &Option<String>, what: &str| {
        v.clone().ok_or_else(|| {
            crate::tr!(
                "其 {} 事件 {} 缺少 {what}",
                "its {} event {} has no {what}",
                e.kind,
                e.seq
            )
        })
    };
    let mut note = e.note.clone();
    let change = match e.kind.as_str() {
        "status" => Change::Status {
            from: status(&text(&e.from, "from")?)?,
            to: status(&text(&e.to, "to")?)?,
            undo: e.undo,
        },
        // The export writes a note's text where other events keep their note.
        "note" => Change::Note {
            text: note.take().unwrap_or_default(),
        },
        "note_edited" => Change::NoteEdited {
            index: e.index.unwrap_or(1),
            author: text(&e.author, "author")?,
            written: time(&text(&e.written, "written")?)?,
            from: text(&e.from, "from")?,
            to: text(&e.to, "to")?,
            undo: e.undo,
        },
        "note_removed" => Change::NoteRemoved {
            index: e.index.unwrap_or(1),
            author: text(&e.author, "author")?,
            written: time(&text(&e.written, "written")?)?,
            text: note.take().unwrap_or_default(),
            undo: e.undo,
        },
        "note_restored" => Change::NoteRestored {
            index: e.index.unwrap_or(1),
            author: text(&e.author, "author")?,
            written: time(&text(&e.written, "written")?)?,
            text: note.take().unwrap_or_default(),
        },
        "move" => Change::Move {
            from: domain(&text(&e.from, "from")?)?,
            to: domain(&text(&e.to, "to")?)?,
            undo: e.undo,
        },
        "goal" => Change::Goal {
            from: text(&e.from, "from")?,
            to: text(&e.to, "to")?,
            undo: e.undo,
        },
        "import" => Change::Import {
            period: text(&e.period, "period")?,
            source: text(&e.source, "source")?,
        },
        "period_renamed" => Change::PeriodRenamed {
            from: text(&e.from, "from")?,
            to: text(&e.to, "to")?,
        },
        other => {
            return Err(crate::tr!(
                "事件 {} 的类型“{other}”不认识",
                "event {} is of an unknown kind '{other}'",
                e.seq
            ))
        }
    };
    Ok(Event {
        seq: e.seq,
        task,
        at: time(&e.at)?,
        user: e.user.clone(),
        change,
        note,
    })
}

fn status(id: &str) -> Result<Status, String> {
    id.parse()
        .map_err(|e: crate::model::UnknownStatus| e.to_string())
}

fn domain(id: &str) -> Result<Domain, String> {
    id.parse()
        .map_err(|e: crate::model::UnknownDomain| e.to_string())
}

fn time(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            crate::tr!(
                "读不懂时间“{s}”（{e}）",
                "the time '{s}' cannot be read ({e})"
            )
        })
}

/// The daily snapshot's file name for `day`.
pub fn daily_name(day: DateTime<Utc>) -> String {
    format!("duban-{}.json", day.format("%Y-%m-%d"))
}

/// For the server: writes `<db>/backups/duban-YYYY-MM-DD.json` now when the newest there is
/// older than a day (or there is none), then every 24 hours, keeping the newest [`KEEP`].
/// The thread holds the store only while it reads, and ends once the server has let the
/// store go. Failures are logged and tried again at the next turn.
pub fn spawn_daily(store: &Arc<SledStore>, db_dir: &Path) {
    let store = Arc::downgrade(store);
    let dir = db_dir.join(DAILY_DIR);
    let spawned = std::thread::Builder::new()
        .name("duban-snapshot".into())
        .spawn(move || daily_loop(&store, &dir));
    if let Err(e) = spawned {
        tracing::warn!("no daily snapshot: cannot start its thread ({e})");
    }
}

const DAY: Duration = Duration::from_secs(24 * 60 * 60);
/// How often the thread looks whether the server has gone.
const TICK: Duration = Duration::from_secs(1);

fn daily_loop(store: &Weak<SledStore>, dir: &Path) {
    let mut wait = newest_age(dir).map_or(Duration::ZERO, |age| DAY.saturating_sub(age));
    loop {
        while !wait.is_zero() {
            if store.strong_count() == 0 {
                return;
            }
            let step = wait.min(TICK);
            std::thread::sleep(step);
            wait -= step;
        }
        let Some(held) = store.upgrade() else { return };
        match daily_once(held.as_ref(), dir) {
            Ok(path) => tracing::info!("daily snapshot written: {}", path.display()),
            Err(e) => tracing::warn!("daily snapshot not written: {e}"),
        }
        drop(held);
        wait = DAY;
    }
}

/// Takes one snapshot into `dir` and removes the oldest beyond [`KEEP`].
pub fn daily_once(store: &dyn crate::store::Store, dir: &Path) -> Result<PathBuf, BackupError> {
    let taken = take(|op| crate::ledger::read(store, &op))?;
    let path = write_file(dir, &daily_name(Utc::now()), &taken.json)?;
    prune(dir, KEEP);
    Ok(path)
}

/// The daily snapshots in `dir`, oldest first (their names sort by date).
fn dailies(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("duban-") && n.ends_with(".json"))
        })
        .collect();
    found.sort();
    found
}

/// How long ago the newest daily snapshot was written.
fn newest_age(dir: &Path) -> Option<Duration> {
    let newest = dailies(dir).pop()?;
    let modified = std::fs::metadata(newest).ok()?.modified().ok()?;
    Some(modified.elapsed().unwrap_or_default())
}

/// Removes the oldest daily snapshots beyond `keep` (rotation: only files this module names).
fn prune(dir: &Path, keep: usize) {
    let all = dailies(dir);
    let extra = all.len().saturating_sub(keep);
    for old in &all[..extra] {
        if let Err(e) = std::fs::remove_file(old) {
            tracing::warn!("cannot remove the old snapshot {}: {e}", old.display());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::Ledger;

    fn sample_with_edits(db: &Path) -> Ledger {
        let ledger = Ledger::open(db).unwrap();
        ledger.apply(Op::EnsureSample).unwrap();
        ledger
            .apply(Op::set_status(3, Status::Behind, Some("进度滞后")))
            .unwrap();
        ledger.apply(Op::add_note(3, "约谈 记录")).unwrap();
        ledger.apply(Op::edit_goal(5, "改过的目标")).unwrap();
        ledger
    }

    #[test]
    fn a_backup_restores_every_task_and_event_with_its_time_user_and_note() {
        let dir = tempfile::tempdir().unwrap();
        let from = sample_with_edits(&dir.path().join("a"));
        let taken = take(|op| from.apply(op)).unwrap();
        let back = parse(Path::new("b.json"), taken.json.as_bytes()).unwrap();
        let into = Ledger::open(&dir.path().join("b")).unwrap();
        let (tasks, events) = into
            .apply(Op::Restore {
                tasks: back.tasks,
                events: back.events,
                force: false,
            })
            .unwrap()
            .into_restored()
            .unwrap();
        assert_eq!((tasks, events), (taken.tasks, taken.events));
        assert_eq!(into.tasks().unwrap(), from.tasks().unwrap());
        assert_eq!(into.history(None).unwrap(), from.history(None).unwrap());
    }

    #[test]
    fn a_restore_is_refused_over_tasks_unless_forced_and_by_a_server_always() {
        let dir = tempfile::tempdir().unwrap();
        let from = sample_with_edits(&dir.path().join("a"));
        let taken = take(|op| from.apply(op)).unwrap();
        let restore = |force| {
            let back = parse(Path::new("b.json"), taken.json.as_bytes()).unwrap();
            Op::Restore {
                tasks: back.tasks,
                events: back.events,
                force,
            }
        };
        let err = from.apply(restore(false)).unwrap_err().to_string();
        assert!(err.contains("已有 116 项任务"), "{err}");
        let before = from.history(None).unwrap().len();
        from.apply(restore(true)).unwrap();
        // Forced: the tasks are the backup's, the history grew and lost nothing.
        assert_eq!(from.history(None).unwrap().len(), before * 2);
        drop(from);
        // The server's ledger is made with `Ledger::new`.
        let store = SledStore::open(&dir.path().join("c")).unwrap();
        let served = Ledger::new(
            Box::new(store),
            "mallory".into(),
            crate::classify::DomainRules::builtin(),
        );
        let err = served.apply(restore(false)).unwrap_err().to_string();
        assert!(err.contains("不能经由服务器"), "{err}");
        assert!(served.store().is_empty().unwrap());
    }

    #[test]
    fn a_backup_keeps_the_history_of_tasks_an_import_removed() {
        let dir = tempfile::tempdir().unwrap();
        let from = sample_with_edits(&dir.path().join("a"));
        let report = "一、目标\n1.只剩一项任务。\n工作进展:进行中。\n牵头单位:市发改委\n";
        from.apply(Op::import(
            report.as_bytes().to_vec(),
            "r.txt",
            Some("P"),
            true,
        ))
        .unwrap();
        let taken = take(|op| from.apply(op)).unwrap();
        let doc: serde_json::Value = serde_json::from_str(&taken.json).unwrap();
        let removed = doc["removed_task_history"].as_array().unwrap();
        assert!(removed
            .iter()
            .any(|e| e["task"] == 3 && e["kind"] == "note"));
        let back = parse(Path::new("b.json"), taken.json.as_bytes()).unwrap();
        assert_eq!(back.events, from.history(None).unwrap());
    }

    #[test]
    fn an_edit_landing_during_the_reads_makes_them_start_again() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = sample_with_edits(&dir.path().join("a"));
        let mut edits = 0;
        let taken = take(|op| {
            // Someone else's edit while the first read of the history is under way.
            if matches!(op, Op::History { .. }) && edits == 0 {
                edits += 1;
                ledger.apply(Op::add_note(1, "同时")).unwrap();
            }
            ledger.apply(op)
        })
        .unwrap();
        assert_eq!(taken.events, ledger.history(None).unwrap().len());
        assert!(taken.json.contains("同时"));
        // Edits landing during every read: no backup rather than an inconsistent one.
        let busy = take(|op| {
            if matches!(op, Op::Tasks { .. }) {
                ledger.apply(Op::add_note(1, "又一条")).unwrap();
            }
            ledger.apply(op)
        });
        assert!(matches!(busy, Err(BackupError::Busy)));
    }

    #[test]
    fn a_daily_snapshot_is_a_backup_of_today_that_restores() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = sample_with_edits(&dir.path().join("a"));
        let daily = dir.path().join("a").join(DAILY_DIR);
        let path = daily_once(ledger.store(), &daily).unwrap();
        assert_eq!(path, daily.join(daily_name(Utc::now())));
        let back = parse(&path, &std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(back.tasks.len(), 116);
        assert!(newest_age(&daily).unwrap() < DAY);
    }

    #[test]
    fn daily_snapshots_keep_the_newest_seven() {
        let dir = tempfile::tempdir().unwrap();
        for day in 1..=9 {
            std::fs::write(dir.path().join(format!("duban-2026-01-0{day}.json")), "{}").unwrap();
        }
        std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
        prune(dir.path(), KEEP);
        let left: Vec<String> = dailies(dir.path())
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            left.first().map(String::as_str),
            Some("duban-2026-01-03.json")
        );
        assert_eq!(left.len(), KEEP);
        assert!(dir.path().join("notes.txt").exists());
    }
}
