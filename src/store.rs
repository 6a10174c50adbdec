//! Where tasks, history and metadata live: the `Store` trait and its sled implementation.
//! Every commit is one transaction across the three trees, flushed to disk before it returns,
//! so an acknowledged edit survives `kill -9` (research/tech-risks.md §4).

use crate::model::{Change, Event, Task, TaskSummary};
use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};

/// The on-disk schema this build writes. A database with a higher number was written by a
/// newer duban and is refused rather than misread.
pub const SCHEMA_VERSION: u32 = 1;

/// A history event before the store gives it its sequence number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    pub task: u32,
    pub at: DateTime<Utc>,
    pub user: String,
    pub change: Change,
    pub note: Option<String>,
}

/// One atomic write: tasks to put, events to append, metadata to set.
#[derive(Debug, Clone, Default)]
pub struct Commit {
    /// Remove every task before putting `put` (import `--replace`). History is kept.
    pub clear_tasks: bool,
    pub put: Vec<Task>,
    pub events: Vec<NewEvent>,
    pub meta: Vec<(String, String)>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the database {path} is in use by another duban (it holds the lock). Close the other duban, or use another database with --db PATH.")]
    Locked { path: PathBuf },
    #[error("the database {path} is damaged and cannot be opened: {detail}. Your data is still on disk; restore the folder from a backup, or move it aside and re-import the report.")]
    Damaged { path: PathBuf, detail: String },
    #[error("the database {path} was written by a newer duban (schema {found}, this build knows {SCHEMA_VERSION}). Use the newer duban, or another database with --db PATH.")]
    NewerSchema { path: PathBuf, found: u32 },
    #[error("cannot open the database {path}: {detail}")]
    Open { path: PathBuf, detail: String },
    #[error("the database {path} could not be written: {detail}. The edit was NOT saved.")]
    Write { path: PathBuf, detail: String },
    #[error("the database {path} could not be read: {detail}")]
    Read { path: PathBuf, detail: String },
}

/// The small surface the rest of duban needs from storage.
pub trait Store: Send + Sync {
    fn path(&self) -> &Path;
    /// Every task, ordered by number.
    fn tasks(&self) -> Result<Vec<Task>, StoreError>;
    fn task(&self, number: u32) -> Result<Option<Task>, StoreError>;
    /// History in the order it happened; only one task's when `task` is given.
    fn history(&self, task: Option<u32>) -> Result<Vec<Event>, StoreError>;
    fn meta(&self, key: &str) -> Result<Option<String>, StoreError>;
    /// True when there is no task at all.
    fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(self.tasks()?.is_empty())
    }
    /// The history event with sequence number `seq`.
    fn event(&self, seq: u64) -> Result<Option<Event>, StoreError> {
        Ok(self.history(None)?.into_iter().find(|e| e.seq == seq))
    }
    /// Tasks numbered after `after`, at most `limit` of them and about `budget` bytes; with
    /// the number to go on after when there are more.
    fn tasks_page(
        &self,
        after: Option<u32>,
        limit: usize,
        budget: usize,
    ) -> Result<(Vec<Task>, Option<u32>), StoreError> {
        let all = self.tasks()?;
        let rest = all
            .into_iter()
            .filter(|t| after.is_none_or(|a| t.number > a))
            .map(Ok);
        page(rest, limit, budget, |t| t.number, task_bytes)
    }
    /// As `tasks_page`, what a list draws of each task.
    fn summaries_page(
        &self,
        after: Option<u32>,
        limit: usize,
        budget: usize,
    ) -> Result<(Vec<TaskSummary>, Option<u32>), StoreError> {
        let all = self.tasks()?;
        let rest = all
            .iter()
            .filter(|t| after.is_none_or(|a| t.number > a))
            .map(|t| Ok(TaskSummary::of(t)));
        page(rest, limit, budget, |s| s.number, summary_bytes)
    }
    /// History events after sequence number `after` (one task's when `task` is given), at
    /// most `limit` and about `budget` bytes; with the number to go on after.
    fn history_page(
        &self,
        task: Option<u32>,
        after: Option<u64>,
        limit: usize,
        budget: usize,
    ) -> Result<(Vec<Event>, Option<u64>), StoreError> {
        let all = self.history(task)?;
        let rest = all
            .into_iter()
            .filter(|e| after.is_none_or(|a| e.seq > a))
            .map(Ok);
        page(rest, limit, budget, |e| e.seq, event_bytes)
    }
    /// Applies the commit atomically and flushes it to disk before returning the events as
    /// stored (with their sequence numbers).
    fn commit(&self, commit: Commit) -> Result<Vec<Event>, StoreError>;
    /// Applies several commits in order, as if one after the other, and returns each one's
    /// stored events. A store that can (sled) makes them one transaction and one flush, so
    /// concurrent edits share the cost of reaching the disk (the server's group commit); this
    /// default commits them one by one.
    fn commit_many(&self, commits: Vec<Commit>) -> Result<Vec<Vec<Event>>, StoreError> {
        commits.into_iter().map(|c| self.commit(c)).collect()
    }
}

/// Takes items while they fit `limit` and about `budget` bytes (at least one, so a page
/// always moves on), and says the key to go on after when items are left. Stops at the
/// first error.
pub fn page<T, K: Copy, E>(
    items: impl Iterator<Item = Result<T, E>>,
    limit: usize,
    budget: usize,
    key: impl Fn(&T) -> K,
    bytes: impl Fn(&T) -> usize,
) -> Result<(Vec<T>, Option<K>), E> {
    let mut out: Vec<T> = Vec::new();
    let mut used = 0usize;
    for item in items {
        let item = item?;
        let size = bytes(&item);
        if !out.is_empty() && (out.len() >= limit || used.saturating_add(size) > budget) {
            let next = out.last().map(&key);
            return Ok((out, next));
        }
        used = used.saturating_add(size);
        out.push(item);
    }
    Ok((out, None))
}

/// About how many bytes a task takes as JSON (its text, plus a little for each field).
pub fn task_bytes(t: &Task) -> usize {
    let units = |us: &[crate::model::Unit]| -> usize {
        us.iter()
            .map(|u| u.written.len() + u.canonical.len() + 32)
            .sum()
    };
    256 + t.goal.len()
        + t.section.as_deref().map_or(0, str::len)
        + units(&t.lead_units)
        + units(&t.co_units)
        + t.domain_decision.reason.len()
        + t.notes
            .iter()
            .map(|n| n.text.len() + n.user.len() + 64)
            .sum::<usize>()
        + t.periods
            .iter()
            .map(|p| p.name.len() + p.paragraphs.iter().map(|x| x.len() + 4).sum::<usize>())
            .sum::<usize>()
}

pub fn summary_bytes(s: &TaskSummary) -> usize {
    let units = |us: &[crate::model::Unit]| -> usize {
        us.iter()
            .map(|u| u.written.len() + u.canonical.len() + 32)
            .sum()
    };
    160 + s.goal.len()
        + s.section.as_deref().map_or(0, str::len)
        + s.latest_period.as_deref().map_or(0, str::len)
        + units(&s.lead_units)
        + units(&s.co_units)
}

pub fn event_bytes(e: &Event) -> usize {
    let change = match &e.change {
        Change::Note { text } => text.len(),
        Change::Goal { from, to } | Change::PeriodRenamed { from, to } => from.len() + to.len(),
        Change::Import { period, source } => period.len() + source.len(),
        Change::Status { .. } | Change::Move { .. } => 0,
    };
    160 + e.user.len() + change + e.note.as_deref().map_or(0, str::len)
}

/// The sled 0.34 implementation.
pub struct SledStore {
    path: PathBuf,
    db: sled::Db,
    tasks: sled::Tree,
    history: sled::Tree,
    /// (task, seq) → nothing: each task's events, so one task's history is read without
    /// going through everyone's.
    task_events: sled::Tree,
    meta: sled::Tree,
    /// sled's log file, synced after every commit: sled's own flush ends with
    /// sync_file_range, which leaves the disk's write cache unflushed (research/tech-risks
    /// §4). None when the server syncs each batch itself.
    log: Option<std::fs::File>,
}

const META_SCHEMA: &str = "schema";
/// The meta key holding the sequence number the next event gets (the server predicts its
/// events' numbers from it).
pub const META_NEXT_SEQ: &str = "next_seq";
/// sled 0.34's log file inside the database folder.
const SLED_LOG: &str = "db";
/// A plain file beside sled's, present once the database has been initialised.
const SCHEMA_MARKER: &str = "duban-schema";

impl SledStore {
    /// Opens (or creates) the database folder at `path`.
    pub fn open(path: &Path) -> Result<SledStore, StoreError> {
        let path = path.to_path_buf();
        if path.exists() && !path.is_dir() {
            return Err(StoreError::Open {
                path: path.clone(),
                detail: "it is a file, not a database folder".into(),
            });
        }
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| StoreError::Open {
                path: path.clone(),
                detail: format!("cannot create its folder {}: {e}", parent.display()),
            })?;
        }
        // sled reads a garbled data file as an empty database; writing the sample over it
        // would destroy what is left. A marker file written once the schema is on disk tells
        // a damaged database from a new one.
        let had_data = path.join(SCHEMA_MARKER).exists();
        // sled panics on some damaged files instead of returning an error; a panic here must
        // become a message, never a crash (and never a half-open database).
        // No background flusher: every commit flushes before it returns (below), and a
        // command that only reads should not start a thread for nothing.
        let opened = std::panic::catch_unwind(|| {
            sled::Config::new().path(&path).flush_every_ms(None).open()
        });
        let db = match opened {
            Ok(Ok(db)) => db,
            Ok(Err(e)) => return Err(open_error(&path, e)),
            Err(panic) => {
                return Err(StoreError::Damaged {
                    path,
                    detail: panic_text(&panic),
                })
            }
        };
        let tree = |name: &str| {
            db.open_tree(name).map_err(|e| StoreError::Damaged {
                path: path.clone(),
                detail: e.to_string(),
            })
        };
        let store = SledStore {
            tasks: tree("tasks")?,
            history: tree("history")?,
            task_events: tree("task_events")?,
            meta: tree("meta")?,
            log: Some(
                std::fs::File::open(path.join(SLED_LOG)).map_err(|e| StoreError::Open {
                    path: path.clone(),
                    detail: format!(
                        "cannot open sled's log file to make sure edits reach the disk ({e}); check that {} is readable",
                        path.join(SLED_LOG).display()
                    ),
                })?,
            ),
            path: path.clone(),
            db,
        };
        store.check_schema(had_data)?;
        store.index_task_events()?;
        Ok(store)
    }

    fn check_schema(&self, had_data: bool) -> Result<(), StoreError> {
        match self.meta(META_SCHEMA)? {
            None if had_data => Err(StoreError::Damaged {
                path: self.path.clone(),
                detail: "its data files are there but hold no readable duban data".into(),
            }),
            None => {
                self.meta
                    .insert(META_SCHEMA, SCHEMA_VERSION.to_string().as_bytes())
                    .map_err(|e| self.write_err(e))?;
                self.db.flush().map_err(|e| self.write_err(e))?;
                self.write_marker()
            }
            Some(v) => {
                let found: u32 = v.parse().map_err(|_| StoreError::Damaged {
                    path: self.path.clone(),
                    detail: format!("its schema version '{v}' is not a number"),
                })?;
                if found > SCHEMA_VERSION {
                    Err(StoreError::NewerSchema {
                        path: self.path.clone(),
                        found,
                    })
                } else if !self.path.join(SCHEMA_MARKER).exists() {
                    self.write_marker()
                } else {
                    Ok(())
                }
            }
        }
    }

    /// Leaves syncing the disk after each commit to the caller (the server's group commit
    /// syncs once per batch).
    pub fn without_sync_on_commit(mut self) -> SledStore {
        self.log = None;
        self
    }

    /// A database written before the per-task index gets it once, from its history.
    fn index_task_events(&self) -> Result<(), StoreError> {
        if self.meta(META_TASK_EVENTS)?.is_some() {
            return Ok(());
        }
        let mut batch = sled::Batch::default();
        for kv in self.history.iter() {
            let (_, v) = kv.map_err(|e| self.read_err(e))?;
            let event: Event = self.decode("history event", &v)?;
            batch.insert(&task_event_key(event.task, event.seq)[..], &[][..]);
        }
        self.task_events
            .apply_batch(batch)
            .map_err(|e| self.write_err(e))?;
        self.meta
            .insert(META_TASK_EVENTS, "1")
            .map_err(|e| self.write_err(e))?;
        self.db.flush().map_err(|e| self.write_err(e))?;
        Ok(())
    }

    /// One task's events after `after`, in order, read through the per-task index.
    fn task_history(
        &self,
        task: u32,
        after: Option<u64>,
    ) -> impl Iterator<Item = Result<Event, StoreError>> + '_ {
        let from = task_event_key(task, after.map_or(0, |a| a.saturating_add(1)));
        let to = task_event_key(task, u64::MAX);
        self.task_events.range(from..=to).keys().map(move |k| {
            let k = k.map_err(|e| self.read_err(e))?;
            let seq = k
                .get(4..12)
                .and_then(|b| <[u8; 8]>::try_from(b).ok())
                .map(u64::from_be_bytes)
                .ok_or_else(|| StoreError::Damaged {
                    path: self.path.clone(),
                    detail: "a key of the task index is not (task, seq)".into(),
                })?;
            self.event(seq)?.ok_or_else(|| StoreError::Damaged {
                path: self.path.clone(),
                detail: format!("the task index names event {seq}, which is not in the history"),
            })
        })
    }

    fn write_marker(&self) -> Result<(), StoreError> {
        use std::io::Write;
        let write = || -> std::io::Result<()> {
            let mut f = std::fs::File::create(self.path.join(SCHEMA_MARKER))?;
            writeln!(f, "duban database, schema {SCHEMA_VERSION}")?;
            f.sync_all()
        };
        write().map_err(|e| self.write_err(e))
    }

    fn write_err(&self, e: impl std::fmt::Display) -> StoreError {
        StoreError::Write {
            path: self.path.clone(),
            detail: e.to_string(),
        }
    }

    fn read_err(&self, e: impl std::fmt::Display) -> StoreError {
        StoreError::Read {
            path: self.path.clone(),
            detail: e.to_string(),
        }
    }

    fn decode<T: serde::de::DeserializeOwned>(
        &self,
        what: &str,
        bytes: &[u8],
    ) -> Result<T, StoreError> {
        serde_json::from_slice(bytes).map_err(|e| StoreError::Damaged {
            path: self.path.clone(),
            detail: format!("a stored {what} cannot be read ({e})"),
        })
    }
}

fn open_error(path: &Path, e: sled::Error) -> StoreError {
    match &e {
        sled::Error::Io(io) if io.kind() == std::io::ErrorKind::WouldBlock => StoreError::Locked {
            path: path.to_path_buf(),
        },
        sled::Error::Io(io) if io.kind() == std::io::ErrorKind::PermissionDenied => {
            StoreError::Open {
                path: path.to_path_buf(),
                detail: "permission denied: ask for access to the folder, or use --db PATH".into(),
            }
        }
        sled::Error::Corruption { .. }
        | sled::Error::Unsupported(_)
        | sled::Error::ReportableBug(_) => StoreError::Damaged {
            path: path.to_path_buf(),
            detail: e.to_string(),
        },
        _ => {
            let detail = e.to_string();
            if detail.contains("could not acquire lock") {
                StoreError::Locked {
                    path: path.to_path_buf(),
                }
            } else {
                StoreError::Damaged {
                    path: path.to_path_buf(),
                    detail,
                }
            }
        }
    }
}

fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "the storage engine failed while reading it".into()
    }
}

fn task_key(number: u32) -> [u8; 4] {
    number.to_be_bytes()
}

/// The meta key saying the per-task index of events is built.
const META_TASK_EVENTS: &str = "task_events";

fn task_event_key(task: u32, seq: u64) -> [u8; 12] {
    let mut k = [0u8; 12];
    k[..4].copy_from_slice(&task.to_be_bytes());
    k[4..].copy_from_slice(&seq.to_be_bytes());
    k
}

impl SledStore {
    /// Tasks numbered after `after`, decoded one at a time.
    fn tasks_after(
        &self,
        after: Option<u32>,
    ) -> impl Iterator<Item = Result<Task, StoreError>> + '_ {
        let range = match after {
            Some(a) => match a.checked_add(1) {
                Some(from) => self.tasks.range(task_key(from)..),
                // Nothing is numbered after u32::MAX: an empty range.
                None => self.tasks.range(task_key(0)..task_key(0)),
            },
            None => self.tasks.iter(),
        };
        range.map(move |kv| {
            let (_, v) = kv.map_err(|e| self.read_err(e))?;
            self.decode("task", &v)
        })
    }
}

impl Store for SledStore {
    fn path(&self) -> &Path {
        &self.path
    }

    fn tasks(&self) -> Result<Vec<Task>, StoreError> {
        self.tasks
            .iter()
            .map(|kv| {
                let (_, v) = kv.map_err(|e| self.read_err(e))?;
                self.decode("task", &v)
            })
            .collect()
    }

    fn task(&self, number: u32) -> Result<Option<Task>, StoreError> {
        match self
            .tasks
            .get(task_key(number))
            .map_err(|e| self.read_err(e))?
        {
            Some(v) => Ok(Some(self.decode("task", &v)?)),
            None => Ok(None),
        }
    }

    fn history(&self, task: Option<u32>) -> Result<Vec<Event>, StoreError> {
        if let Some(n) = task {
            return self.task_history(n, None).collect();
        }
        let mut out = Vec::new();
        for kv in self.history.iter() {
            let (_, v) = kv.map_err(|e| self.read_err(e))?;
            let event: Event = self.decode("history event", &v)?;
            if task.is_none_or(|n| n == event.task) {
                out.push(event);
            }
        }
        Ok(out)
    }

    fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .meta
            .get(key)
            .map_err(|e| self.read_err(e))?
            .map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(self.tasks.is_empty())
    }

    fn event(&self, seq: u64) -> Result<Option<Event>, StoreError> {
        match self
            .history
            .get(seq.to_be_bytes())
            .map_err(|e| self.read_err(e))?
        {
            Some(v) => Ok(Some(self.decode("history event", &v)?)),
            None => Ok(None),
        }
    }

    fn tasks_page(
        &self,
        after: Option<u32>,
        limit: usize,
        budget: usize,
    ) -> Result<(Vec<Task>, Option<u32>), StoreError> {
        page(
            self.tasks_after(after),
            limit,
            budget,
            |t| t.number,
            task_bytes,
        )
    }

    fn summaries_page(
        &self,
        after: Option<u32>,
        limit: usize,
        budget: usize,
    ) -> Result<(Vec<TaskSummary>, Option<u32>), StoreError> {
        let summaries = self
            .tasks_after(after)
            .map(|t| t.map(|t| TaskSummary::of(&t)));
        page(summaries, limit, budget, |s| s.number, summary_bytes)
    }

    fn history_page(
        &self,
        task: Option<u32>,
        after: Option<u64>,
        limit: usize,
        budget: usize,
    ) -> Result<(Vec<Event>, Option<u64>), StoreError> {
        if let Some(n) = task {
            return page(
                self.task_history(n, after),
                limit,
                budget,
                |e| e.seq,
                event_bytes,
            );
        }
        let start = after.map_or(0, |a| a.saturating_add(1));
        let events = self.history.range(start.to_be_bytes()..).map(|kv| {
            let (_, v) = kv.map_err(|e| self.read_err(e))?;
            self.decode::<Event>("history event", &v)
        });
        page(events, limit, budget, |e| e.seq, event_bytes)
    }

    fn commit(&self, commit: Commit) -> Result<Vec<Event>, StoreError> {
        let mut stored = self.commit_many(vec![commit])?;
        Ok(stored.pop().unwrap_or_default())
    }

    fn commit_many(&self, commits: Vec<Commit>) -> Result<Vec<Vec<Event>>, StoreError> {
        use sled::transaction::{ConflictableTransactionError, TransactionError};
        use sled::Transactional;

        let encoded: Vec<Vec<([u8; 4], Vec<u8>)>> = commits
            .iter()
            .map(|commit| {
                commit
                    .put
                    .iter()
                    .map(|t| {
                        Ok((
                            task_key(t.number),
                            serde_json::to_vec(t).map_err(|e| self.write_err(e))?,
                        ))
                    })
                    .collect::<Result<Vec<_>, StoreError>>()
            })
            .collect::<Result<_, StoreError>>()?;
        // Removing every task inside a transaction needs their keys up front; the database
        // is single-writer (sled's lock), so the list cannot change before the transaction.
        let old_keys: Vec<sled::IVec> = if commits.iter().any(|c| c.clear_tasks) {
            self.tasks
                .iter()
                .keys()
                .collect::<Result<_, _>>()
                .map_err(|e| self.read_err(e))?
        } else {
            Vec::new()
        };

        let result = (&self.tasks, &self.history, &self.task_events, &self.meta).transaction(
            |(tasks, history, task_events, meta)| {
                let mut seq: u64 = match meta.get(META_NEXT_SEQ)? {
                    Some(v) => String::from_utf8_lossy(&v).parse().unwrap_or(1),
                    None => 1,
                };
                // Keys put by earlier commits of this batch: a later `clear_tasks` removes
                // them too, as if the commits had run one by one.
                let mut put_in_batch: Vec<[u8; 4]> = Vec::new();
                let mut all_stored = Vec::with_capacity(commits.len());
                for (commit, encoded_tasks) in commits.iter().zip(&encoded) {
                    if commit.clear_tasks {
                        for k in &old_keys {
                            tasks.remove(k.clone())?;
                        }
                        for k in put_in_batch.drain(..) {
                            tasks.remove(&k[..])?;
                        }
                    }
                    for (k, v) in encoded_tasks {
                        tasks.insert(&k[..], v.as_slice())?;
                        put_in_batch.push(*k);
                    }
                    let mut stored = Vec::with_capacity(commit.events.len());
                    for e in &commit.events {
                        let event = Event {
                            seq,
                            task: e.task,
                            at: e.at,
                            user: e.user.clone(),
                            change: e.change.clone(),
                            note: e.note.clone(),
                        };
                        let bytes = serde_json::to_vec(&event)
                            .map_err(|err| ConflictableTransactionError::Abort(err.to_string()))?;
                        history.insert(&seq.to_be_bytes()[..], bytes)?;
                        task_events.insert(&task_event_key(e.task, seq)[..], &[][..])?;
                        stored.push(event);
                        seq += 1;
                    }
                    for (k, v) in &commit.meta {
                        meta.insert(k.as_bytes(), v.as_bytes())?;
                    }
                    all_stored.push(stored);
                }
                meta.insert(META_NEXT_SEQ, seq.to_string().as_bytes())?;
                Ok(all_stored)
            },
        );
        let stored = match result {
            Ok(stored) => stored,
            Err(TransactionError::Abort(msg)) => return Err(self.write_err(msg)),
            Err(TransactionError::Storage(e)) => return Err(self.write_err(e)),
        };
        self.db.flush().map_err(|e| self.write_err(e))?;
        if let Some(log) = &self.log {
            log.sync_data().map_err(|e| {
                self.write_err(format!(
                    "the edit was written but the disk did not confirm it ({e}); check `duban history`"
                ))
            })?;
        }
        Ok(stored)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Status;

    fn status_event(task: u32) -> NewEvent {
        NewEvent {
            task,
            at: Utc::now(),
            user: "li".into(),
            change: Change::Status {
                from: Status::NotStarted,
                to: Status::Behind,
                undo: false,
            },
            note: None,
        }
    }

    #[test]
    fn one_tasks_history_comes_from_the_index_and_an_old_database_gets_the_index() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        {
            let store = SledStore::open(&path).unwrap();
            let events = (0..30).map(|i| status_event(1 + i % 3)).collect();
            store
                .commit(Commit {
                    events,
                    ..Commit::default()
                })
                .unwrap();
            let two: Vec<u64> = store
                .history(Some(2))
                .unwrap()
                .iter()
                .map(|e| e.seq)
                .collect();
            assert_eq!(two, (0..10).map(|i| 2 + 3 * i).collect::<Vec<u64>>());
            let (page, next) = store.history_page(Some(2), Some(5), 3, usize::MAX).unwrap();
            let seqs: Vec<u64> = page.iter().map(|e| e.seq).collect();
            assert_eq!((seqs, next), (vec![8, 11, 14], Some(14)));
            // As a database written before the index would be.
            store.task_events.clear().unwrap();
            store.meta.remove(META_TASK_EVENTS).unwrap();
            store.db.flush().unwrap();
            assert!(store.history(Some(2)).unwrap().is_empty());
        }
        let store = SledStore::open(&path).unwrap();
        assert_eq!(store.history(Some(2)).unwrap().len(), 10);
        assert_eq!(store.history(None).unwrap().len(), 30);
    }
}
