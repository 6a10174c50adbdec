//! Where tasks, history and metadata live: the `Store` trait and its sled implementation.
//! Every commit is atomic and flushed to disk before it returns, so an acknowledged edit
//! survives `kill -9` (research/tech-risks.md §4).

use crate::lang::t;
use crate::model::{Change, Event, Task, TaskSummary};
use crate::tr;
use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

/// The on-disk schema this build writes. A database with a higher number was written by a
/// newer duban and is refused rather than misread. Schema 2 added the history index by task,
/// runs of events and the tasks tree named in meta (see [`SledStore`]); a schema 1 database
/// is brought up to 2 when opened.
pub const SCHEMA_VERSION: u32 = 2;

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
    /// Remove every task before putting `put` (import `--replace`, or an import whose rows
    /// name every task). History is kept.
    pub clear_tasks: bool,
    pub put: Vec<Task>,
    pub events: Vec<NewEvent>,
    pub meta: Vec<(String, String)>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{}", tr!("数据库 {path} 正被另一个 duban 使用（它持有锁{holder}）。请关闭那个 duban，或用 --db 路径 换一个数据库。", "the database {path} is in use by another duban (it holds the lock{holder}). Close the other duban, or use another database with --db PATH.", path = .path.display(), holder = .holder))]
    Locked {
        path: PathBuf,
        /// Who holds the lock, when the system says (`：进程 1234，duban … serve`), else empty:
        /// a server whose socket is gone can then still be found and stopped.
        holder: String,
    },
    #[error("{}", tr!("数据库 {path} 已损坏，无法打开：{detail}。数据仍在磁盘上；请从备份恢复该文件夹，或把它移开后重新导入报告。", "the database {path} is damaged and cannot be opened: {detail}. Your data is still on disk; restore the folder from a backup, or move it aside and re-import the report.", path = .path.display(), detail = .detail))]
    Damaged { path: PathBuf, detail: String },
    #[error("{}", tr!("数据库 {path} 由更新版本的 duban 写入（格式 {found}，本程序只认 {SCHEMA_VERSION}）。请使用新版 duban，或用 --db 路径 换一个数据库。", "the database {path} was written by a newer duban (schema {found}, this build knows {SCHEMA_VERSION}). Use the newer duban, or another database with --db PATH.", path = .path.display(), found = .found))]
    NewerSchema { path: PathBuf, found: u32 },
    #[error("{}", tr!("无法打开数据库 {path}：{detail}", "cannot open the database {path}: {detail}", path = .path.display(), detail = .detail))]
    Open { path: PathBuf, detail: String },
    #[error("{}", tr!("数据库 {path} 无法写入：{detail}。此次修改未保存。", "the database {path} could not be written: {detail}. The edit was NOT saved.", path = .path.display(), detail = .detail))]
    Write { path: PathBuf, detail: String },
    #[error("{}", tr!("数据库 {path} 无法读取：{detail}", "the database {path} could not be read: {detail}", path = .path.display(), detail = .detail))]
    Read { path: PathBuf, detail: String },
    #[error("{}", tr!("数据库 {path} 已有 {tasks} 项任务；备份应恢复到新数据库（`duban restore 文件 --db 新路径`），或加 --force 覆盖这些任务（其历史保留）。", "the database {path} already has {tasks} tasks; a backup is restored into a new database (`duban restore FILE --db NEW`), or over these tasks with --force (their history is kept).", path = .path.display(), tasks = .tasks))]
    NotEmpty { path: PathBuf, tasks: usize },
    #[error("{}", tr!("备份只能恢复到直接打开的数据库，不能经由服务器：请停止为 {path} 服务的服务器（或等它退出），再运行 `duban restore 文件 --db 数据库`。", "a backup is restored only into a database opened directly, never through a server: stop the server serving {path} (or wait for it to leave), then run `duban restore FILE --db DB`.", path = .path.display()))]
    RestoreNotHere { path: PathBuf },
    /// The system refused an operation for a reason that is no damage (a full disk, a
    /// permission, a size limit, a read-only file system): the data is intact, and saying
    /// "damaged" would send people to throw it away.
    #[error("{}", io_sentence(.path, *.doing, *.class, .detail))]
    Io {
        path: PathBuf,
        doing: Doing,
        class: IoClass,
        detail: String,
    },
}

/// What duban was doing with the database when the system refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Doing {
    Open,
    Read,
    Write,
}

/// The kinds of refusal that are no damage, each with its own advice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IoClass {
    /// ENOSPC, EDQUOT.
    DiskFull,
    /// EACCES, EPERM.
    Permission,
    /// EFBIG: past `ulimit -f` (RLIMIT_FSIZE; duban ignores SIGXFSZ so that it gets the
    /// error instead of dying) or the file system's largest file.
    TooLarge,
    /// EROFS.
    ReadOnly,
}

impl IoClass {
    /// The class of an I/O error, by its errno where it has one, else by its kind (sled
    /// passes on errors its threads met as a copy that keeps only the kind).
    pub fn of(e: &std::io::Error) -> Option<IoClass> {
        use nix::errno::Errno;
        use std::io::ErrorKind as K;
        if let Some(code) = e.raw_os_error() {
            return IoClass::of_errno(Errno::from_raw(code));
        }
        match e.kind() {
            K::StorageFull | K::QuotaExceeded => Some(IoClass::DiskFull),
            K::PermissionDenied => Some(IoClass::Permission),
            K::FileTooLarge => Some(IoClass::TooLarge),
            K::ReadOnlyFilesystem => Some(IoClass::ReadOnly),
            _ => None,
        }
    }

    fn of_errno(errno: nix::errno::Errno) -> Option<IoClass> {
        use nix::errno::Errno;
        match errno {
            Errno::ENOSPC | Errno::EDQUOT => Some(IoClass::DiskFull),
            Errno::EACCES | Errno::EPERM => Some(IoClass::Permission),
            Errno::EFBIG => Some(IoClass::TooLarge),
            Errno::EROFS => Some(IoClass::ReadOnly),
            _ => None,
        }
    }

    /// The class named by an "(os error N)" in a message (sled panics with the error's
    /// text on some failed writes).
    fn in_text(text: &str) -> Option<IoClass> {
        let (_, after) = text.split_once("(os error ")?;
        let code: i32 = after.split(')').next()?.parse().ok()?;
        IoClass::of_errno(nix::errno::Errno::from_raw(code))
    }
}

fn io_sentence(path: &Path, doing: Doing, class: IoClass, detail: &str) -> String {
    let path = path.display();
    let outcome = match doing {
        Doing::Open => t("未能打开。", " It was not opened."),
        Doing::Read => "",
        Doing::Write => t("此次修改未保存。", " The edit was NOT saved."),
    };
    match class {
        IoClass::DiskFull => tr!(
            "存放数据库 {path} 的磁盘已满（{detail}）。{outcome}此前保存的内容完好：请腾出空间（或申请更大的配额）后重做。",
            "the disk holding the database {path} is full ({detail}).{outcome} What was saved before is intact: free some space (or ask for a larger quota) and do it again."
        ),
        IoClass::Permission => tr!(
            "你没有{verb}数据库 {path} 的权限（{detail}）。{outcome}其数据未受影响：请检查文件夹及其文件的属主和权限（ls -la），向共享它的人申请权限，或用 --db 路径 使用你自己的数据库。",
            "you are not allowed to {verb} the database {path} ({detail}).{outcome} Its data is untouched: check the owner and mode of the folder and its files (ls -la), ask whoever shares it for access, or use your own database with --db PATH.",
            verb = match doing {
                Doing::Open => t("打开", "open"),
                Doing::Read => t("读取", "read"),
                Doing::Write => t("写入", "write to"),
            }
        ),
        IoClass::TooLarge => tr!(
            "数据库 {path} 的一个文件已达到本进程可写的最大大小（{detail}）：这是 `ulimit -f` 或文件系统设定的上限。{outcome}此前保存的内容完好：请放宽上限（`ulimit -f unlimited`）后重做。",
            "a file of the database {path} reached the largest size this process may write ({detail}): a limit set with `ulimit -f`, or the file system's.{outcome} What was saved before is intact: raise the limit (`ulimit -f unlimited`) and do it again."
        ),
        IoClass::ReadOnly => tr!(
            "数据库 {path} 位于只读文件系统上（{detail}）。{outcome}其数据未受影响：请以读写方式重新挂载，或把文件夹复制到可写的位置并用 --db 路径 打开。",
            "the database {path} is on a read-only file system ({detail}).{outcome} Its data is untouched: remount it read-write, or copy the folder somewhere writable and use --db PATH."
        ),
    }
}

/// The error for an I/O failure: its own class when it has one, else `fallback`'s kind
/// (`Damaged` at open, `Read`/`Write` after).
fn io_error(path: &Path, doing: Doing, e: &std::io::Error, context: String) -> StoreError {
    // sled hands on errors its threads met as copies whose text is the original's Debug
    // form (`Os { code: 27, kind: FileTooLarge, … }`): the kind says it in words.
    let text = match e.to_string() {
        t if e.raw_os_error().is_none() && t.starts_with("Os {") => e.kind().to_string(),
        t => t,
    };
    let detail = if context.is_empty() {
        text
    } else {
        format!("{text}, {context}")
    };
    match IoClass::of(e) {
        Some(class) => StoreError::Io {
            path: path.to_path_buf(),
            doing,
            class,
            detail,
        },
        None => unclassified(path, doing, detail),
    }
}

fn unclassified(path: &Path, doing: Doing, detail: String) -> StoreError {
    let path = path.to_path_buf();
    match doing {
        Doing::Open => StoreError::Open { path, detail },
        Doing::Read => StoreError::Read { path, detail },
        Doing::Write => StoreError::Write { path, detail },
    }
}

/// An error met while reading or writing, which may have an I/O error underneath.
pub trait Cause: std::fmt::Display {
    fn io(&self) -> Option<&std::io::Error> {
        None
    }
}

impl Cause for sled::Error {
    fn io(&self) -> Option<&std::io::Error> {
        match self {
            sled::Error::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl Cause for std::io::Error {
    fn io(&self) -> Option<&std::io::Error> {
        Some(self)
    }
}

impl Cause for String {}
impl Cause for &str {}
impl Cause for serde_json::Error {}
impl Cause for std::num::TryFromIntError {}

/// The small surface the rest of duban needs from storage.
pub trait Store: Send + Sync {
    fn path(&self) -> &Path;
    /// Every task, ordered by number.
    fn tasks(&self) -> Result<Vec<Task>, StoreError>;
    fn task(&self, number: u32) -> Result<Option<Task>, StoreError>;
    /// History in the order it happened; only one task's when `task` is given.
    fn history(&self, task: Option<u32>) -> Result<Vec<Event>, StoreError>;
    fn meta(&self, key: &str) -> Result<Option<String>, StoreError>;
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
    /// Every task's number, in order (without reading the tasks where the store can).
    fn numbers(&self) -> Result<Vec<u32>, StoreError> {
        Ok(self.tasks()?.iter().map(|t| t.number).collect())
    }
    /// True when there is no task (without reading them all where the store can).
    fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(self.tasks()?.is_empty())
    }
    /// Every task's number and goal, ordered by number: what matching a report to the tasks
    /// needs, without the rest of each task where the store can.
    fn goals(&self) -> Result<Vec<TaskGoal>, StoreError> {
        Ok(self.tasks()?.iter().map(TaskGoal::of).collect())
    }
    /// Calls `f` with every task in turn, ordered by number, without holding them all where
    /// the store can. Stops at the first error.
    fn for_each_task(
        &self,
        f: &mut dyn FnMut(Task) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.tasks()?.into_iter().try_for_each(f)
    }
}

/// A task's number and goal: what matching a report's rows to the tasks needs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct TaskGoal {
    pub number: u32,
    pub goal: String,
    /// The goal is a person's correction (the report's goal no longer reads like it).
    #[serde(default)]
    pub goal_edited: bool,
}

impl TaskGoal {
    pub fn of(task: &Task) -> TaskGoal {
        TaskGoal {
            number: task.number,
            goal: task.goal.clone(),
            goal_edited: task.goal_edited,
        }
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
        Change::NoteRemoved { author, text, .. } | Change::NoteRestored { author, text, .. } => {
            author.len() + text.len()
        }
        Change::NoteEdited {
            author, from, to, ..
        } => author.len() + from.len() + to.len(),
        Change::Goal { from, to, .. } | Change::PeriodRenamed { from, to } => from.len() + to.len(),
        Change::Import { period, source } => period.len() + source.len(),
        Change::Status { .. } | Change::Move { .. } => 0,
    };
    160 + e.user.len() + change + e.note.as_deref().map_or(0, str::len)
}

/// The sled 0.34 implementation.
///
/// Tasks live in a tree named by the meta key `tasks_tree` (`tasks`, then `tasks.1`,
/// `tasks.2`… after large commits); history in `history` (seq → event) with an index
/// `history_by_task` ((task, seq) → nothing), so one task's history is read without reading
/// everyone's. The events of a large commit that differ only in their task (an import's, one
/// per task) are stored as one run: a [`RunHeader`] in `history` at the run's first seq and
/// its tasks in `history_runs`, instead of two entries per event. An event is part of the
/// history only when its seq is below the meta key `next_seq`.
///
/// A commit is one sled transaction, except a large one (an import): sled keeps every write
/// of a transaction, and every page it replaces, in memory until the transaction ends (a
/// 100,000-task import needed 1.8 GB). A large commit is instead written in small batches
/// where no reader looks — a new tasks tree, and history past `next_seq` — flushed, and then
/// made the database's content by one small transaction that names the new tree and moves
/// `next_seq` past the new events. A crash or an error before that transaction leaves the old
/// content in place; what was written for it is removed when the database is next opened
/// (or before the next commit).
pub struct SledStore {
    path: PathBuf,
    db: sled::Db,
    history: sled::Tree,
    by_task: sled::Tree,
    /// first seq → the tasks of a run of events (see [`RunHeader`]), 4 bytes each.
    runs: sled::Tree,
    meta: sled::Tree,
    /// sled's log file, synced after every commit: sled's own flush ends with
    /// sync_file_range, which leaves the disk's write cache unflushed (research/tech-risks
    /// §4). None when the server syncs each batch itself.
    log: Option<std::fs::File>,
    /// What readers see: replaced as a whole after each commit.
    view: RwLock<Arc<View>>,
    /// One commit at a time (a large commit is several steps). It holds the tasks trees
    /// replaced by large commits that a reader may still be reading; each is dropped once
    /// nobody holds it.
    writer: Mutex<Vec<Arc<TasksTree>>>,
    /// sled's leftover temporary files moved aside when this store was opened (see
    /// [`set_aside_leftovers`]), where they are now.
    set_aside: Vec<PathBuf>,
}

/// The committed state readers see.
struct View {
    tasks: Arc<TasksTree>,
    /// Events from this seq on are not committed (yet, or ever) and are not shown.
    next_seq: u64,
}

struct TasksTree {
    tree: sled::Tree,
    /// 0 for `tasks`, n for `tasks.n`.
    generation: u64,
}

fn tasks_tree_name(generation: u64) -> String {
    if generation == 0 {
        TASKS_TREE.to_string()
    } else {
        format!("{TASKS_TREE}.{generation}")
    }
}

/// The generation of a tree name that is a tasks tree's.
fn tasks_tree_generation(name: &[u8]) -> Option<u64> {
    let name = std::str::from_utf8(name).ok()?;
    match name.strip_prefix(TASKS_TREE)? {
        "" => Some(0),
        rest => rest.strip_prefix('.')?.parse().ok(),
    }
}

const TASKS_TREE: &str = "tasks";
/// The meta key naming the tasks tree (absent: `tasks`).
const META_TASKS_TREE: &str = "tasks_tree";
/// A commit with more task puts and events than this is written as a large commit.
const LARGE_COMMIT: usize = 2_000;
/// Entries per sled batch when a large commit is written: small enough that sled's memory
/// for one batch stays a few MB.
const CHUNK: usize = 1_000;
/// Consecutive events of a large commit that are alike but for their task are stored as a
/// run when there are at least this many.
const MIN_RUN: usize = 8;
/// At most this many events in one run (its task list is 4 bytes an event).
const MAX_RUN: usize = 1 << 20;

/// A run of events (see [`SledStore`]): event `i` of the run has seq `first + i` and the
/// `i`th task of the run's list; everything else is this.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct RunHeader {
    /// How many events.
    run: u32,
    at: DateTime<Utc>,
    user: String,
    #[serde(flatten)]
    change: Change,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

/// How a stored run header begins (a stored event begins `{"seq":`).
const RUN_PREFIX: &[u8] = b"{\"run\":";

/// sled's page cache. Its default, 1 GB, let a 100,000-task import keep all it wrote in
/// memory; reads of a task that is not cached cost a page read from the OS's file cache.
const CACHE_BYTES: u64 = 64 * 1024 * 1024;

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
            std::fs::create_dir_all(parent).map_err(|e| {
                io_error(
                    &path,
                    Doing::Open,
                    &e,
                    format!("creating its folder {}", parent.display()),
                )
            })?;
        }
        let set_aside = set_aside_leftovers(&path)?;
        // sled reads a garbled data file as an empty database; writing the sample over it
        // would destroy what is left. A marker file written once the schema is on disk tells
        // a damaged database from a new one.
        let had_data = path.join(SCHEMA_MARKER).exists();
        // sled panics on some damaged files instead of returning an error; a panic here must
        // become a message, never a crash (and never a half-open database).
        let opened = std::panic::catch_unwind(|| {
            // No background flusher: every commit flushes before it returns, and a command
            // that only reads should not start a thread for nothing.
            sled::Config::new()
                .path(&path)
                .cache_capacity(CACHE_BYTES)
                .flush_every_ms(None)
                .open()
        });
        let db = match opened {
            Ok(Ok(db)) => db,
            Ok(Err(e)) => return Err(open_error(&path, e)),
            Err(panic) => return Err(panic_error(&path, &panic_text(&panic))),
        };
        let damaged = |e: sled::Error| open_error(&path, e);
        let tree = |name: &str| db.open_tree(name).map_err(damaged);
        let (history, by_task, runs, meta) = (
            tree("history")?,
            tree("history_by_task")?,
            tree("history_runs")?,
            tree("meta")?,
        );
        let generation = match meta.get(META_TASKS_TREE).map_err(damaged)? {
            Some(name) => tasks_tree_generation(&name).ok_or_else(|| StoreError::Damaged {
                path: path.clone(),
                detail: format!(
                    "its tasks are said to be in '{}', which is no tasks tree",
                    String::from_utf8_lossy(&name)
                ),
            })?,
            None => 0,
        };
        let tasks = TasksTree {
            tree: tree(&tasks_tree_name(generation))?,
            generation,
        };
        let store = SledStore {
            view: RwLock::new(Arc::new(View {
                tasks: Arc::new(tasks),
                next_seq: 1,
            })),
            writer: Mutex::new(Vec::new()),
            history,
            by_task,
            runs,
            meta,
            log: Some(std::fs::File::open(path.join(SLED_LOG)).map_err(|e| {
                io_error(
                    &path,
                    Doing::Open,
                    &e,
                    format!(
                        "opening sled's log file to make sure edits reach the disk; check that {} is readable",
                        path.join(SLED_LOG).display()
                    ),
                )
            })?),
            path: path.clone(),
            db,
            set_aside,
        };
        store.check_schema(had_data)?;
        store.recover()?;
        Ok(store)
    }

    fn check_schema(&self, had_data: bool) -> Result<(), StoreError> {
        match self.meta(META_SCHEMA)? {
            None if had_data => Err(StoreError::Damaged {
                path: self.path.clone(),
                detail: "its data files are there but hold no readable duban data".into(),
            }),
            None => self.set_schema(),
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
                } else if found < SCHEMA_VERSION {
                    self.index_history()?;
                    self.set_schema()
                } else if !self.path.join(SCHEMA_MARKER).exists() {
                    self.write_marker()
                } else {
                    Ok(())
                }
            }
        }
    }

    fn set_schema(&self) -> Result<(), StoreError> {
        self.meta
            .insert(META_SCHEMA, SCHEMA_VERSION.to_string().as_bytes())
            .map_err(|e| self.write_err(e))?;
        self.db.flush().map_err(|e| self.write_err(e))?;
        self.write_marker()
    }

    /// Schema 1 to 2: indexes the history by task. Writing an entry twice is harmless, so an
    /// interrupted upgrade is simply done again at the next open.
    fn index_history(&self) -> Result<(), StoreError> {
        let mut batch = sled::Batch::default();
        let mut n = 0;
        for kv in self.history.iter() {
            let (k, v) = kv.map_err(|e| self.read_err(e))?;
            let event: Event = self.decode("history event", &v)?;
            batch.insert(&by_task_key(event.task, event.seq)[..], &[][..]);
            n += 1;
            if n % CHUNK == 0 {
                self.apply(&self.by_task, std::mem::take(&mut batch))?;
            }
            debug_assert_eq!(&k[..], &event.seq.to_be_bytes()[..]);
        }
        self.apply(&self.by_task, batch)
    }

    /// Puts the database back to its last commit: drops the tasks trees of large commits
    /// that never completed (or that a completed one replaced) and the history written past
    /// `next_seq`.
    fn recover(&self) -> Result<(), StoreError> {
        let current = self.view().tasks.generation;
        let mut changed = false;
        for name in self.db.tree_names() {
            if tasks_tree_generation(&name).is_some_and(|g| g != current) {
                self.db.drop_tree(&name).map_err(|e| self.write_err(e))?;
                changed = true;
            }
        }
        let next_seq = self.committed_next_seq()?;
        changed |= self.discard_uncommitted(next_seq)?;
        self.set_view(self.view().tasks.clone(), next_seq);
        // Opening to read one task must not wait for the disk (`duban show`).
        if changed {
            self.db.flush().map_err(|e| self.write_err(e))?;
        }
        Ok(())
    }

    fn committed_next_seq(&self) -> Result<u64, StoreError> {
        Ok(self
            .meta(META_NEXT_SEQ)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(1))
    }

    /// Removes the history from `next_seq` on (a large commit that did not complete), with
    /// its index entries and runs; says whether there was any. Costs two lookups when there
    /// is none.
    fn discard_uncommitted(&self, next_seq: u64) -> Result<bool, StoreError> {
        let from = next_seq.to_be_bytes();
        let mut found = false;
        for kv in self.history.range(from..) {
            let (k, v) = kv.map_err(|e| self.read_err(e))?;
            // An event too damaged to name its task leaves an index entry behind, which
            // readers skip (see `history`). A run has none.
            if let Ok(event) = serde_json::from_slice::<Event>(&v) {
                self.by_task
                    .remove(by_task_key(event.task, event.seq))
                    .map_err(|e| self.write_err(e))?;
            }
            self.history.remove(k).map_err(|e| self.write_err(e))?;
            found = true;
        }
        for k in self.runs.range(from..).keys() {
            let k = k.map_err(|e| self.read_err(e))?;
            self.runs.remove(k).map_err(|e| self.write_err(e))?;
            found = true;
        }
        Ok(found)
    }

    /// sled's leftover temporary files that opening moved aside, where they are now (each
    /// was also said on stderr, or logged where a log is set up).
    pub fn set_aside(&self) -> &[PathBuf] {
        &self.set_aside
    }

    /// Leaves syncing the disk after each commit to the caller (the server's group commit
    /// syncs once per batch).
    pub fn without_sync_on_commit(mut self) -> SledStore {
        self.log = None;
        self
    }

    /// Makes a commit's flush reach the disk itself (see `log`).
    fn sync_log(&self) -> Result<(), StoreError> {
        match &self.log {
            Some(log) => log.sync_data().map_err(|e| {
                self.write_err(format!(
                    "the edit was written but the disk did not confirm it ({e}); check `duban history`"
                ))
            }),
            None => Ok(()),
        }
    }

    fn view(&self) -> Arc<View> {
        self.view
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn set_view(&self, tasks: Arc<TasksTree>, next_seq: u64) {
        *self
            .view
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) =
            Arc::new(View { tasks, next_seq });
    }

    fn apply(&self, tree: &sled::Tree, batch: sled::Batch) -> Result<(), StoreError> {
        tree.apply_batch(batch).map_err(|e| self.write_err(e))
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

    fn write_err(&self, e: impl Cause) -> StoreError {
        self.failed(Doing::Write, &e)
    }

    fn read_err(&self, e: impl Cause) -> StoreError {
        self.failed(Doing::Read, &e)
    }

    /// A failure's error: its class when an I/O error of one is underneath.
    fn failed(&self, doing: Doing, e: &dyn Cause) -> StoreError {
        match e.io() {
            Some(io) => io_error(&self.path, doing, io, String::new()),
            None => unclassified(&self.path, doing, e.to_string()),
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

    /// Commits few enough writes in one sled transaction.
    fn commit_small(&self, commits: &[Commit]) -> Result<Vec<Vec<Event>>, StoreError> {
        use sled::transaction::{ConflictableTransactionError, TransactionError};
        use sled::Transactional;

        let view = self.view();
        let encoded: Vec<Vec<([u8; 4], Vec<u8>)>> = commits
            .iter()
            .map(|commit| {
                commit
                    .put
                    .iter()
                    .map(|t| Ok((task_key(t.number), self.encode(t)?)))
                    .collect::<Result<Vec<_>, StoreError>>()
            })
            .collect::<Result<_, StoreError>>()?;
        // Removing every task inside a transaction needs their keys up front; commits are
        // one at a time (`writer`), so the list cannot change before the transaction.
        let old_keys: Vec<sled::IVec> = if commits.iter().any(|c| c.clear_tasks) {
            view.tasks
                .tree
                .iter()
                .keys()
                .collect::<Result<_, _>>()
                .map_err(|e| self.read_err(e))?
        } else {
            Vec::new()
        };

        let trees = (&view.tasks.tree, &self.history, &self.by_task, &self.meta);
        let result = trees.transaction(|(tasks, history, by_task, meta)| {
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
                    let event = stored_event(e, seq);
                    let bytes = serde_json::to_vec(&event)
                        .map_err(|err| ConflictableTransactionError::Abort(err.to_string()))?;
                    history.insert(&seq.to_be_bytes()[..], bytes)?;
                    by_task.insert(&by_task_key(event.task, seq)[..], &[][..])?;
                    stored.push(event);
                    seq += 1;
                }
                for (k, v) in &commit.meta {
                    meta.insert(k.as_bytes(), v.as_bytes())?;
                }
                all_stored.push(stored);
            }
            meta.insert(META_NEXT_SEQ, seq.to_string().as_bytes())?;
            Ok((all_stored, seq))
        });
        let (stored, next_seq) = match result {
            Ok(r) => r,
            Err(TransactionError::Abort(msg)) => return Err(self.write_err(msg)),
            Err(TransactionError::Storage(e)) => return Err(self.write_err(e)),
        };
        self.set_view(view.tasks.clone(), next_seq);
        self.db.flush().map_err(|e| self.write_err(e))?;
        self.sync_log()?;
        Ok(stored)
    }

    /// Commits many writes (an import) without holding them in a transaction: see the type's
    /// documentation.
    /// Returns the stored events and the tasks tree the commit replaced.
    fn commit_large(
        &self,
        mut commits: Vec<Commit>,
    ) -> Result<(Vec<Vec<Event>>, Arc<TasksTree>), StoreError> {
        let view = self.view();
        let generation = view.tasks.generation + 1;
        let name = tasks_tree_name(generation);
        // A tree of that name can only be what a failed commit left: start it afresh.
        self.db.drop_tree(&name).map_err(|e| self.write_err(e))?;
        let tree = self.db.open_tree(&name).map_err(|e| self.write_err(e))?;
        let written = self.write_content(&view.tasks.tree, &tree, &mut commits, view.next_seq);
        let (stored, next_seq) = match written {
            Ok(w) => w,
            Err(e) => {
                // Nothing refers to them; `recover` removes them at the next open if this
                // fails too.
                drop(tree);
                let _ = self.db.drop_tree(&name);
                let _ = self.discard_uncommitted(view.next_seq);
                return Err(e);
            }
        };
        // Everything the switch will point to is on disk before the switch is.
        self.db.flush().map_err(|e| self.write_err(e))?;
        self.switch(&commits, &name, next_seq)?;
        let new = Arc::new(TasksTree { tree, generation });
        self.set_view(new, next_seq);
        self.db.flush().map_err(|e| self.write_err(e))?;
        self.sync_log()?;
        Ok((stored, view.tasks.clone()))
    }

    /// The commit point of a large commit: one small transaction.
    fn switch(&self, commits: &[Commit], name: &str, next_seq: u64) -> Result<(), StoreError> {
        use sled::transaction::TransactionError;
        let result = self.meta.transaction(|meta| {
            for (k, v) in commits.iter().flat_map(|c| &c.meta) {
                meta.insert(k.as_bytes(), v.as_bytes())?;
            }
            meta.insert(META_TASKS_TREE, name.as_bytes())?;
            meta.insert(META_NEXT_SEQ, next_seq.to_string().as_bytes())?;
            Ok(())
        });
        match result {
            Ok(()) => Ok(()),
            Err(TransactionError::Abort(())) => Err(self.write_err("the commit was aborted")),
            Err(TransactionError::Storage(e)) => Err(self.write_err(e)),
        }
    }

    /// Writes the tasks as they are after the commit into the empty tree `new`: the tasks of
    /// `old` that no put replaces (none when `keep_old` is false), and the puts, in key
    /// order, in small batches. Each put is let go once written, so the commit's tasks and
    /// what sled holds while writing them are not in memory together.
    fn write_tasks(
        &self,
        old: &sled::Tree,
        new: &sled::Tree,
        puts: Puts,
        keep_old: bool,
    ) -> Result<(), StoreError> {
        let mut puts = puts.into_iter().peekable();
        let mut out = TaskWriter {
            store: self,
            tree: new,
            pending: Vec::with_capacity(CHUNK),
        };
        if keep_old {
            for kv in old.iter() {
                let (k, v) = kv.map_err(|e| self.read_err(e))?;
                while let Some((put_key, t)) = puts.next_if(|(p, _)| p[..] < k[..]) {
                    out.push(&put_key[..], Entry::Put(t))?;
                }
                // Replaced: the put is written next.
                if puts.peek().is_none_or(|(p, _)| p[..] != k[..]) {
                    out.push(k, Entry::Stored(v))?;
                }
            }
        }
        for (k, t) in puts {
            out.push(&k[..], Entry::Put(t))?;
        }
        out.flush()
    }

    /// Writes what a large commit makes the database's content where no reader looks: the
    /// tasks into `new`, the events from seq `from` on. Returns the events as stored and the
    /// seq after the last. (One tree after the other: writing them at once, one thread each,
    /// was hardly faster on two cores and held 200 MB more, sled keeping each thread's
    /// replaced pages until all threads move on.)
    fn write_content(
        &self,
        old: &sled::Tree,
        new: &sled::Tree,
        commits: &mut [Commit],
        from: u64,
    ) -> Result<(Vec<Vec<Event>>, u64), StoreError> {
        let (puts, keep_old) = take_puts(commits);
        self.write_tasks(old, new, puts, keep_old)?;
        self.write_history(commits, from)
    }

    /// Writes the commits' events from seq `from` on: runs of alike events as runs, the
    /// others one by one with their index entries. Returns them as stored and the seq after
    /// the last.
    fn write_history(
        &self,
        commits: &[Commit],
        from: u64,
    ) -> Result<(Vec<Vec<Event>>, u64), StoreError> {
        let mut seq = from;
        let mut history = Chunked::new(self, &self.history);
        let mut by_task = Chunked::new(self, &self.by_task);
        let mut all_stored = Vec::with_capacity(commits.len());
        for commit in commits {
            let mut stored = Vec::with_capacity(commit.events.len());
            for run in runs_of(&commit.events) {
                if run.len() >= MIN_RUN {
                    let first = &run[0];
                    let header = RunHeader {
                        run: u32::try_from(run.len()).map_err(|e| self.write_err(e))?,
                        at: first.at,
                        user: first.user.clone(),
                        change: first.change.clone(),
                        note: first.note.clone(),
                    };
                    history.insert(&seq.to_be_bytes(), &self.encode(&header)?)?;
                    let tasks: Vec<u8> = run.iter().flat_map(|e| e.task.to_be_bytes()).collect();
                    self.runs
                        .insert(seq.to_be_bytes(), tasks)
                        .map_err(|e| self.write_err(e))?;
                    for e in run {
                        stored.push(stored_event(e, seq));
                        seq += 1;
                    }
                } else {
                    for e in run {
                        let event = stored_event(e, seq);
                        history.insert(&seq.to_be_bytes(), &self.encode(&event)?)?;
                        by_task.insert(&by_task_key(e.task, seq), &[])?;
                        stored.push(event);
                        seq += 1;
                    }
                }
            }
            all_stored.push(stored);
        }
        history.finish()?;
        by_task.finish()?;
        Ok((all_stored, seq))
    }

    /// Adds the events of the run whose header `header` is stored at seq `first` to `out`,
    /// only task `only`'s when given.
    fn expand_run(
        &self,
        first: u64,
        header: &[u8],
        only: Option<u32>,
        out: &mut Vec<Event>,
    ) -> Result<(), StoreError> {
        out.extend(self.run_events(first, header, only)?);
        Ok(())
    }

    fn encode<T: serde::Serialize>(&self, value: &T) -> Result<Vec<u8>, StoreError> {
        serde_json::to_vec(value).map_err(|e| self.write_err(e))
    }

    /// Drops the tasks trees that large commits replaced and no reader holds any more;
    /// keeps the others for later. (Dropping a tree a reader holds would end its reading.)
    fn drop_unread(&self, retired: &mut Vec<Arc<TasksTree>>) {
        for t in std::mem::take(retired) {
            match Arc::try_unwrap(t) {
                Ok(t) => {
                    let name = tasks_tree_name(t.generation);
                    drop(t);
                    // A failure leaves the tree to `recover` at the next open.
                    let _ = self.db.drop_tree(name);
                }
                Err(t) => retired.push(t),
            }
        }
    }
}

/// A commit's tasks by key: the last put of a number wins.
type Puts = std::collections::BTreeMap<[u8; 4], Task>;

/// Moves the tasks out of the commits: those put after the last `clear_tasks`, and whether
/// the tasks already stored are kept (no commit clears them).
fn take_puts(commits: &mut [Commit]) -> (Puts, bool) {
    let last_clear = commits.iter().rposition(|c| c.clear_tasks);
    let mut puts = Puts::new();
    for (i, c) in commits.iter_mut().enumerate() {
        let put = std::mem::take(&mut c.put);
        if last_clear.is_none_or(|l| i >= l) {
            puts.extend(put.into_iter().map(|t| (task_key(t.number), t)));
        }
    }
    (puts, last_clear.is_none())
}

/// A task to write into a new tasks tree: as stored (its bytes), or put by the commit.
enum Entry {
    Stored(sled::IVec),
    Put(Task),
}

/// Writes tasks in sled batches of [`CHUNK`], each batch's tasks encoded on all cores.
struct TaskWriter<'a> {
    store: &'a SledStore,
    tree: &'a sled::Tree,
    pending: Vec<(sled::IVec, Entry)>,
}

impl TaskWriter<'_> {
    fn push(&mut self, key: impl Into<sled::IVec>, entry: Entry) -> Result<(), StoreError> {
        self.pending.push((key.into(), entry));
        if self.pending.len() == CHUNK {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), StoreError> {
        use rayon::prelude::*;
        let encoded: Vec<(sled::IVec, sled::IVec)> = std::mem::take(&mut self.pending)
            .into_par_iter()
            .map(|(k, entry)| match entry {
                Entry::Stored(v) => Ok((k, v)),
                Entry::Put(t) => Ok((k, self.store.encode(&t)?.into())),
            })
            .collect::<Result<_, StoreError>>()?;
        let mut batch = sled::Batch::default();
        for (k, v) in encoded {
            batch.insert(k, v);
        }
        self.store.apply(self.tree, batch)
    }
}

/// Writes to one tree in sled batches of [`CHUNK`] entries.
struct Chunked<'a> {
    store: &'a SledStore,
    tree: &'a sled::Tree,
    batch: sled::Batch,
    len: usize,
}

impl<'a> Chunked<'a> {
    fn new(store: &'a SledStore, tree: &'a sled::Tree) -> Chunked<'a> {
        Chunked {
            store,
            tree,
            batch: sled::Batch::default(),
            len: 0,
        }
    }

    fn insert(&mut self, key: &[u8], value: &[u8]) -> Result<(), StoreError> {
        self.batch.insert(key, value);
        self.len += 1;
        if self.len == CHUNK {
            self.len = 0;
            self.store
                .apply(self.tree, std::mem::take(&mut self.batch))?;
        }
        Ok(())
    }

    fn finish(self) -> Result<(), StoreError> {
        self.store.apply(self.tree, self.batch)
    }
}

/// The events cut into runs of consecutive events alike but for their task (at most
/// [`MAX_RUN`] long).
fn runs_of(events: &[NewEvent]) -> impl Iterator<Item = &[NewEvent]> {
    let mut rest = events;
    std::iter::from_fn(move || {
        let first = rest.first()?;
        let len = rest
            .iter()
            .take(MAX_RUN)
            .take_while(|e| {
                e.at == first.at
                    && e.user == first.user
                    && e.change == first.change
                    && e.note == first.note
            })
            .count();
        let (run, after) = rest.split_at(len);
        rest = after;
        Some(run)
    })
}

fn stored_event(e: &NewEvent, seq: u64) -> Event {
    Event {
        seq,
        task: e.task,
        at: e.at,
        user: e.user.clone(),
        change: e.change.clone(),
        note: e.note.clone(),
    }
}

/// The seq a history key names (0 for a key too short to name one).
fn seq_of(key: &[u8]) -> u64 {
    key.try_into().map_or(0, u64::from_be_bytes)
}

fn by_task_key(task: u32, seq: u64) -> [u8; 12] {
    let mut k = [0; 12];
    k[..4].copy_from_slice(&task.to_be_bytes());
    k[4..].copy_from_slice(&seq.to_be_bytes());
    k
}

/// Where sled's leftover temporary files are moved, inside the database folder.
pub const ASIDE_DIR: &str = "aside";

/// True for a file name sled 0.34 writes only for a moment and renames when done:
/// `snap.<16 hex digits>.generating`, a snapshot being written. A `kill -9` before the
/// rename leaves it, empty or cut short; sled then reads it as the newest snapshot and
/// refuses the whole database as corrupt ("Read corrupted data at file offset None").
/// Without it sled uses the previous snapshot (kept until the rename) and replays its log
/// from there, which holds every commit: the file is never needed.
fn is_sled_leftover(name: &str) -> bool {
    name.strip_prefix("snap.")
        .and_then(|rest| rest.strip_suffix(".generating"))
        .is_some_and(|lsn| !lsn.is_empty() && lsn.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Moves sled's leftover temporary files out of the database folder into
/// `<db>/aside/<UTC time>-<name>` (never deleting: they are the user's files), says so, and
/// returns where they went. Only while holding sled's own lock on its log file: a running
/// duban that holds it may be writing such a file this moment.
fn set_aside_leftovers(path: &Path) -> Result<Vec<PathBuf>, StoreError> {
    let Ok(entries) = std::fs::read_dir(path) else {
        // No folder yet (a new database), or one sled's open will report on.
        return Ok(Vec::new());
    };
    let leftovers: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_str().is_some_and(is_sled_leftover))
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.path())
        .collect();
    if leftovers.is_empty() {
        return Ok(Vec::new());
    }
    let Ok(log) = std::fs::File::open(path.join(SLED_LOG)) else {
        // No log to lock: sled will create one; nobody can be writing a snapshot.
        return move_aside(path, &leftovers);
    };
    // sled locks with flock (fs2); a lock on another open of the file conflicts with it.
    match nix::fcntl::Flock::lock(log, nix::fcntl::FlockArg::LockExclusiveNonblock) {
        // Held until the files are moved; sled's open takes the lock again after.
        Ok(_held) => move_aside(path, &leftovers),
        // Held by another duban: the open that follows says so.
        Err(_) => Ok(Vec::new()),
    }
}

fn move_aside(path: &Path, leftovers: &[PathBuf]) -> Result<Vec<PathBuf>, StoreError> {
    let aside = path.join(ASIDE_DIR);
    let fail = |what: &Path, e: std::io::Error| {
        io_error(
            path,
            Doing::Open,
            &e,
            format!(
                "while moving sled's unfinished file {} aside",
                what.display()
            ),
        )
    };
    // Owner-only: the snapshot holds the database's pages, notes included.
    std::os::unix::fs::DirBuilderExt::mode(std::fs::DirBuilder::new().recursive(true), 0o700)
        .create(&aside)
        .map_err(|e| fail(&aside, e))?;
    let stamp = Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
    let mut moved = Vec::with_capacity(leftovers.len());
    for from in leftovers {
        let name = from.file_name().unwrap_or_default().to_string_lossy();
        let to = aside.join(format!("{stamp}-{name}"));
        std::fs::rename(from, &to).map_err(|e| fail(from, e))?;
        let size = std::fs::metadata(&to).map_or(0, |m| m.len());
        notice(&format!(
            "the database {} held {name} ({size} bytes), a snapshot sled had not finished writing when it was stopped; it is not needed (the database opens from its log) and was moved to {}",
            path.display(),
            to.display()
        ));
        moved.push(to);
    }
    // The moves must last: a later crash must not bring the file back.
    if let Ok(dir) = std::fs::File::open(path) {
        let _ = dir.sync_all();
    }
    Ok(moved)
}

/// Tells the person (or the server's log) something they should know but that is no error:
/// through `tracing` where a subscriber is set up (the server), else on stderr.
fn notice(message: &str) {
    if tracing::dispatcher::has_been_set() {
        tracing::warn!("{message}");
    } else {
        eprintln!("duban: {message}");
    }
}

/// Who holds the lock on the database folder `db` (sled locks its `db` file), from the
/// kernel's lock table: `：进程 1234（duban --db … serve）`, or empty when it cannot be told
/// (another system, no /proc, a holder in another PID namespace).
fn lock_holder(db: &Path) -> String {
    use std::os::unix::fs::MetadataExt;
    let Ok(meta) = std::fs::metadata(db.join("db")) else {
        return String::new();
    };
    let Ok(locks) = std::fs::read_to_string("/proc/locks") else {
        return String::new();
    };
    let pid = locks.lines().find_map(|line| {
        // `1: FLOCK  ADVISORY  WRITE 18287 fd:01:1234567 0 EOF`
        let fields: Vec<&str> = line.split_whitespace().collect();
        let (pid, file) = (fields.get(4)?, fields.get(5)?);
        let inode = file.rsplit(':').next()?.parse::<u64>().ok()?;
        (inode == meta.ino())
            .then(|| pid.parse::<u32>().ok())
            .flatten()
    });
    let Some(pid) = pid else {
        return String::new();
    };
    let command = std::fs::read(format!("/proc/{pid}/cmdline"))
        .map(|b| {
            let words: Vec<String> = b
                .split(|c| *c == 0)
                .filter(|w| !w.is_empty())
                .map(|w| String::from_utf8_lossy(w).into_owned())
                .collect();
            crate::text::clean(&words.join(" "))
        })
        .unwrap_or_default();
    if command.is_empty() {
        tr!("：进程 {pid}", ": process {pid}")
    } else {
        tr!("：进程 {pid}（{command}）", ": process {pid} ({command})")
    }
}

fn open_error(path: &Path, e: sled::Error) -> StoreError {
    match &e {
        sled::Error::Io(io) if io.kind() == std::io::ErrorKind::WouldBlock => StoreError::Locked {
            path: path.to_path_buf(),
            holder: lock_holder(path),
        },
        sled::Error::Io(io) if IoClass::of(io).is_some() => {
            io_error(path, Doing::Open, io, String::new())
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
                    holder: lock_holder(path),
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

/// sled panicked while opening: damage, unless the panic names an I/O error of a class.
fn panic_error(path: &Path, text: &str) -> StoreError {
    match IoClass::in_text(text) {
        Some(class) => StoreError::Io {
            path: path.to_path_buf(),
            doing: Doing::Open,
            class,
            detail: text.to_string(),
        },
        None => StoreError::Damaged {
            path: path.to_path_buf(),
            detail: text.to_string(),
        },
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

impl SledStore {
    /// Tasks numbered after `after`, decoded one at a time.
    fn tasks_after<'a>(
        &'a self,
        tree: &'a sled::Tree,
        after: Option<u32>,
    ) -> impl Iterator<Item = Result<Task, StoreError>> + 'a {
        let range = match after {
            Some(a) => match a.checked_add(1) {
                Some(from) => tree.range(task_key(from)..),
                // Nothing is numbered after u32::MAX: an empty range.
                None => tree.range(task_key(0)..task_key(0)),
            },
            None => tree.iter(),
        };
        range.map(move |kv| {
            let (_, v) = kv.map_err(|e| self.read_err(e))?;
            self.decode("task", &v)
        })
    }

    /// Every committed event from sequence number `start` on, in order, a run's events made
    /// one at a time as they are taken (a run holds an import's 100,000).
    fn events_from(&self, start: u64) -> impl Iterator<Item = Result<Event, StoreError>> + '_ {
        let next_seq = self.view().next_seq;
        // The entry holding `start` may be a run that began before it.
        let first_key = self
            .history
            .range(..=start.to_be_bytes())
            .next_back()
            .and_then(Result::ok)
            .filter(|(_, v)| v.starts_with(RUN_PREFIX))
            .map_or(start, |(k, _)| seq_of(&k));
        self.history
            .range(first_key.to_be_bytes()..next_seq.to_be_bytes())
            .flat_map(
                move |kv| -> Box<dyn Iterator<Item = Result<Event, StoreError>>> {
                    let (k, v) = match kv {
                        Ok(kv) => kv,
                        Err(e) => return Box::new(std::iter::once(Err(self.read_err(e)))),
                    };
                    let first = seq_of(&k);
                    if !v.starts_with(RUN_PREFIX) {
                        return Box::new(std::iter::once(
                            self.decode::<Event>("history event", &v),
                        ));
                    }
                    match self.run_events(first, &v, None) {
                        Ok(run) => Box::new(run.map(Ok)),
                        Err(e) => Box::new(std::iter::once(Err(e))),
                    }
                },
            )
            .filter(move |e| {
                e.as_ref()
                    .map_or(true, |e| e.seq >= start && e.seq < next_seq)
            })
    }

    /// The events of the run that starts at `first` (only task `only`'s when given), made
    /// as they are taken: one task's event out of an import's run of 100,000 costs one
    /// event, not 100,000.
    fn run_events(
        &self,
        first: u64,
        header: &[u8],
        only: Option<u32>,
    ) -> Result<impl Iterator<Item = Event>, StoreError> {
        let header: RunHeader = self.decode("history run", header)?;
        let tasks = self
            .runs
            .get(first.to_be_bytes())
            .map_err(|e| self.read_err(e))?
            .filter(|t| t.len() == header.run as usize * 4)
            .ok_or_else(|| StoreError::Damaged {
                path: self.path.clone(),
                detail: format!("the task list of the history events from {first} is missing"),
            })?;
        let count = tasks.len() / 4;
        Ok((0..count).filter_map(move |i| {
            let t = tasks.get(i * 4..i * 4 + 4)?;
            let task = u32::from_be_bytes([t[0], t[1], t[2], t[3]]);
            if only.is_some_and(|n| n != task) {
                return None;
            }
            Some(Event {
                seq: first + i as u64,
                task,
                at: header.at,
                user: header.user.clone(),
                change: header.change.clone(),
                note: header.note.clone(),
            })
        }))
    }
}

impl Store for SledStore {
    fn path(&self) -> &Path {
        &self.path
    }

    fn tasks(&self) -> Result<Vec<Task>, StoreError> {
        let mut out = Vec::new();
        self.for_each_task(&mut |t| {
            out.push(t);
            Ok(())
        })?;
        Ok(out)
    }

    fn task(&self, number: u32) -> Result<Option<Task>, StoreError> {
        match self
            .view()
            .tasks
            .tree
            .get(task_key(number))
            .map_err(|e| self.read_err(e))?
        {
            Some(v) => Ok(Some(self.decode("task", &v)?)),
            None => Ok(None),
        }
    }

    fn history(&self, task: Option<u32>) -> Result<Vec<Event>, StoreError> {
        let Some(number) = task else {
            return self.events_from(0).collect();
        };
        let next_seq = self.view().next_seq;
        let committed = ..next_seq.to_be_bytes();
        let mut out = Vec::new();
        for key in self.by_task.scan_prefix(number.to_be_bytes()).keys() {
            let key = key.map_err(|e| self.read_err(e))?;
            let seq = seq_of(key.get(4..).unwrap_or_default());
            if seq >= next_seq {
                continue;
            }
            let Some(v) = self
                .history
                .get(seq.to_be_bytes())
                .map_err(|e| self.read_err(e))?
            else {
                continue;
            };
            if v.starts_with(RUN_PREFIX) {
                continue;
            }
            let event: Event = self.decode("history event", &v)?;
            // An entry a failed commit left behind may name a seq since given to another
            // task's event.
            if event.task == number {
                out.push(event);
            }
        }
        // Runs are few (one an import): their task lists are read through.
        let wanted = number.to_be_bytes();
        for kv in self.runs.range(committed) {
            let (k, tasks) = kv.map_err(|e| self.read_err(e))?;
            if !tasks.chunks_exact(4).any(|t| t == wanted) {
                continue;
            }
            if let Some(header) = self.history.get(&k).map_err(|e| self.read_err(e))? {
                self.expand_run(seq_of(&k), &header, Some(number), &mut out)?;
            }
        }
        out.sort_by_key(|e| e.seq);
        Ok(out)
    }

    fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .meta
            .get(key)
            .map_err(|e| self.read_err(e))?
            .map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    fn commit(&self, commit: Commit) -> Result<Vec<Event>, StoreError> {
        let mut stored = self.commit_many(vec![commit])?;
        Ok(stored.pop().unwrap_or_default())
    }

    fn commit_many(&self, commits: Vec<Commit>) -> Result<Vec<Vec<Event>>, StoreError> {
        let mut retired = self
            .writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        self.drop_unread(&mut retired);
        // What a failed large commit could not remove must go before seqs are given again.
        self.discard_uncommitted(self.view().next_seq)?;
        let writes: usize = commits.iter().map(|c| c.put.len() + c.events.len()).sum();
        // Clearing every task in a transaction would hold them all in memory too; in a
        // large commit it costs nothing (the new tree starts empty).
        if writes > LARGE_COMMIT || commits.iter().any(|c| c.clear_tasks) {
            let (stored, replaced) = self.commit_large(commits)?;
            retired.push(replaced);
            self.drop_unread(&mut retired);
            Ok(stored)
        } else {
            self.commit_small(&commits)
        }
    }

    fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(self.view().tasks.tree.is_empty())
    }

    fn numbers(&self) -> Result<Vec<u32>, StoreError> {
        let view = self.view();
        let mut out = Vec::with_capacity(view.tasks.tree.len());
        for key in view.tasks.tree.iter().keys() {
            let key = key.map_err(|e| self.read_err(e))?;
            if let Ok(k) = <[u8; 4]>::try_from(key.as_ref()) {
                out.push(u32::from_be_bytes(k));
            }
        }
        Ok(out)
    }

    fn event(&self, seq: u64) -> Result<Option<Event>, StoreError> {
        if seq >= self.view().next_seq {
            return Ok(None);
        }
        Ok(self
            .events_from(seq)
            .next()
            .transpose()?
            .filter(|e| e.seq == seq))
    }

    fn tasks_page(
        &self,
        after: Option<u32>,
        limit: usize,
        budget: usize,
    ) -> Result<(Vec<Task>, Option<u32>), StoreError> {
        let view = self.view();
        page(
            self.tasks_after(&view.tasks.tree, after),
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
        let view = self.view();
        let summaries = self
            .tasks_after(&view.tasks.tree, after)
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
            // One task's events are few: read through the per-task index.
            let events = self
                .history(Some(n))?
                .into_iter()
                .filter(|e| after.is_none_or(|a| e.seq > a))
                .map(Ok);
            return page(events, limit, budget, |e| e.seq, event_bytes);
        }
        let start = after.map_or(0, |a| a.saturating_add(1));
        page(
            self.events_from(start),
            limit,
            budget,
            |e| e.seq,
            event_bytes,
        )
    }

    fn goals(&self) -> Result<Vec<TaskGoal>, StoreError> {
        let mut out = Vec::new();
        self.decode_tasks(&mut |g| {
            out.push(g);
            Ok(())
        })?;
        Ok(out)
    }

    fn for_each_task(
        &self,
        f: &mut dyn FnMut(Task) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.decode_tasks(f)
    }
}

impl SledStore {
    /// Calls `f` with every stored task decoded as `T`, in number order; decoding (most of
    /// the work) is done a batch at a time on all cores.
    fn decode_tasks<T: serde::de::DeserializeOwned + Send>(
        &self,
        f: &mut dyn FnMut(T) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        use rayon::prelude::*;
        let mut values = self.view().tasks.tree.iter().values().peekable();
        while values.peek().is_some() {
            let raw: Vec<sled::IVec> = values
                .by_ref()
                .take(CHUNK)
                .collect::<Result<_, _>>()
                .map_err(|e| self.read_err(e))?;
            let decoded: Vec<T> = raw
                .par_iter()
                .map(|v| self.decode("task", v))
                .collect::<Result<_, _>>()?;
            decoded.into_iter().try_for_each(&mut *f)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Domain, DomainDecision, Status};

    fn task(number: u32, goal: &str) -> Task {
        Task {
            number,
            section: None,
            goal: goal.to_string(),
            goal_edited: false,
            lead_units: Vec::new(),
            co_units: Vec::new(),
            domain: Domain::Reform,
            domain_decision: DomainDecision {
                rule: "fallback".into(),
                reason: "no rule matched".into(),
                manual: false,
            },
            status: Status::NotStarted,
            notes: Vec::new(),
            periods: Vec::new(),
        }
    }

    /// A moment shared by every event of a test import, so they are alike but for their
    /// task, as an import's are.
    fn moment() -> DateTime<Utc> {
        "2024-07-01T08:00:00Z".parse().unwrap()
    }

    fn event(task: u32, period: &str) -> NewEvent {
        NewEvent {
            task,
            at: moment(),
            user: "tester".into(),
            change: Change::Import {
                period: period.into(),
                source: "report.txt".into(),
            },
            note: None,
        }
    }

    /// An import of `n` tasks numbered from 1, goals tagged `tag`: a large commit.
    fn import(n: u32, tag: &str, clear_tasks: bool) -> Commit {
        Commit {
            clear_tasks,
            put: (1..=n).map(|i| task(i, &format!("{tag} {i}"))).collect(),
            events: (1..=n).map(|i| event(i, tag)).collect(),
            meta: vec![("content".into(), tag.into())],
        }
    }

    fn status_edit(number: u32, goal: &str) -> Commit {
        let mut t = task(number, goal);
        t.status = Status::Done;
        Commit {
            put: vec![t],
            events: vec![NewEvent {
                at: Utc::now(),
                ..event(number, "edit")
            }],
            ..Commit::default()
        }
    }

    /// Opens the database at `db`, waiting for a store of it just dropped to let go of the
    /// lock (sled's threads end a moment after it).
    fn open(db: &Path) -> SledStore {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            match SledStore::open(db) {
                Err(StoreError::Locked { .. }) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                other => return other.unwrap(),
            }
        }
    }

    fn goals(store: &SledStore) -> Vec<String> {
        store.tasks().unwrap().into_iter().map(|t| t.goal).collect()
    }

    fn tasks_trees(store: &SledStore) -> Vec<u64> {
        let mut g: Vec<u64> = store
            .db
            .tree_names()
            .iter()
            .filter_map(|n| tasks_tree_generation(n))
            .collect();
        g.sort();
        g
    }

    #[test]
    fn a_large_commit_keeps_untouched_tasks_and_reads_back_after_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("db");
        {
            let store = open(&db);
            store
                .commit(status_edit(LARGE_COMMIT as u32 + 50, "kept"))
                .unwrap();
            let stored = store
                .commit(import(LARGE_COMMIT as u32, "2021", false))
                .unwrap();
            assert_eq!(stored.len(), LARGE_COMMIT);
            assert_eq!((stored[0].seq, stored[0].task), (2, 1));
            // The next edit goes into the tasks the import made.
            store.commit(status_edit(7, "edited")).unwrap();
        }
        let store = open(&db);
        let tasks = store.tasks().unwrap();
        assert_eq!(tasks.len(), LARGE_COMMIT + 1);
        assert_eq!(tasks[6].goal, "edited");
        assert_eq!(tasks[6].status, Status::Done);
        assert_eq!(tasks[LARGE_COMMIT].goal, "kept");
        assert_eq!(store.meta("content").unwrap().as_deref(), Some("2021"));
        let seven: Vec<u64> = store
            .history(Some(7))
            .unwrap()
            .iter()
            .map(|e| e.seq)
            .collect();
        assert_eq!(seven, vec![8, LARGE_COMMIT as u64 + 2]);
        assert_eq!(store.history(None).unwrap().len(), LARGE_COMMIT + 2);
        // Only the tasks tree in use is left.
        assert_eq!(tasks_trees(&store), vec![1]);
    }

    /// Replacing a few MB of tasks three times leaves free segments in sled's file; each
    /// open zeroes those (the vendored sled punches holes and leaves holes alone). Opening
    /// such a database again and again keeps every task and every task's history.
    #[test]
    fn a_database_whose_imports_freed_space_reopens_with_everything() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("db");
        let n = LARGE_COMMIT as u32 + 500;
        let long = "推进生态环境保护工作，".repeat(60);
        for round in ["一", "二", "三"] {
            let store = open(&db);
            let mut commit = import(n, round, true);
            for t in &mut commit.put {
                t.goal = format!("{round} {} {long}", t.number);
            }
            store.commit(commit).unwrap();
        }
        for _ in 0..3 {
            let store = open(&db);
            let tasks = store.tasks().unwrap();
            assert_eq!(tasks.len(), n as usize);
            assert!(tasks[41].goal.starts_with("三 42 推进"));
            let periods: Vec<String> = store
                .history(Some(42))
                .unwrap()
                .into_iter()
                .map(|e| match e.change {
                    Change::Import { period, .. } => period,
                    other => format!("{other:?}"),
                })
                .collect();
            assert_eq!(periods, ["一", "二", "三"]);
        }
    }

    #[test]
    fn a_large_commit_that_clears_starts_from_no_task_and_keeps_the_history() {
        let dir = tempfile::tempdir().unwrap();
        let store = SledStore::open(&dir.path().join("db")).unwrap();
        store
            .commit(import(LARGE_COMMIT as u32 + 10, "old", false))
            .unwrap();
        let replace = Commit {
            clear_tasks: true,
            ..import(3, "new", false)
        };
        store.commit(replace).unwrap();
        assert_eq!(goals(&store), vec!["new 1", "new 2", "new 3"]);
        assert_eq!(store.history(None).unwrap().len(), LARGE_COMMIT + 13);
        assert_eq!(
            store.history(Some(LARGE_COMMIT as u32 + 10)).unwrap().len(),
            1
        );
    }

    /// A crash in the middle of a large commit (everything written but the switch) leaves
    /// the database as it was, and what was written is gone after reopening.
    #[test]
    fn a_large_commit_cut_short_before_its_switch_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("db");
        {
            let store = open(&db);
            store.commit(status_edit(1, "before")).unwrap();
            let mut commits = [import(LARGE_COMMIT as u32 * 2, "lost", false)];
            let tree = store.db.open_tree(tasks_tree_name(1)).unwrap();
            store
                .write_content(&store.view().tasks.tree, &tree, &mut commits, 2)
                .unwrap();
            store.db.flush().unwrap();
            // Not yet committed: readers of this store do not see it either.
            assert_eq!(goals(&store), vec!["before"]);
            assert_eq!(store.history(None).unwrap().len(), 1);
            assert_eq!(store.history(Some(1)).unwrap().len(), 1);
        }
        let store = open(&db);
        assert_eq!(goals(&store), vec!["before"]);
        assert_eq!(tasks_trees(&store), vec![0]);
        assert_eq!(store.history.len(), 1);
        assert_eq!(store.by_task.len(), 1);
        assert_eq!(store.runs.len(), 0);
        // Seqs carry on from the last commit.
        let e = store.commit(status_edit(2, "after")).unwrap();
        assert_eq!(e[0].seq, 2);
        assert_eq!(store.history(Some(2)).unwrap().len(), 1);
    }

    /// A reader still going through the tasks a large commit replaced keeps them until it
    /// is done; the next commit after that drops them.
    #[test]
    fn replaced_tasks_stay_readable_while_a_reader_holds_them() {
        let dir = tempfile::tempdir().unwrap();
        let store = SledStore::open(&dir.path().join("db")).unwrap();
        store
            .commit(import(LARGE_COMMIT as u32 + 1, "first", false))
            .unwrap();
        let reader = store.view();
        store
            .commit(import(LARGE_COMMIT as u32 + 1, "second", false))
            .unwrap();
        assert_eq!(reader.tasks.tree.len(), LARGE_COMMIT + 1);
        assert_eq!(tasks_trees(&store), vec![1, 2]);
        drop(reader);
        store.commit(status_edit(1, "edit")).unwrap();
        assert_eq!(tasks_trees(&store), vec![2]);
        assert_eq!(goals(&store)[1], "second 2");
    }

    /// A database written before the history index (schema 1) is indexed when opened.
    #[test]
    fn a_schema_1_database_gets_its_history_indexed() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("db");
        {
            let sled = sled::open(&db).unwrap();
            let (tasks, history, meta) = (
                sled.open_tree("tasks").unwrap(),
                sled.open_tree("history").unwrap(),
                sled.open_tree("meta").unwrap(),
            );
            for n in 1..=3u32 {
                let t = serde_json::to_vec(&task(n, "old")).unwrap();
                tasks.insert(task_key(n), t).unwrap();
                let e = serde_json::to_vec(&stored_event(&event(n, "old"), u64::from(n))).unwrap();
                history.insert(u64::from(n).to_be_bytes(), e).unwrap();
            }
            meta.insert(META_NEXT_SEQ, "4").unwrap();
            meta.insert(META_SCHEMA, "1").unwrap();
            sled.flush().unwrap();
            std::fs::write(db.join(SCHEMA_MARKER), "duban database, schema 1\n").unwrap();
        }
        let store = open(&db);
        assert_eq!(store.meta(META_SCHEMA).unwrap(), Some("2".to_string()));
        let two = store.history(Some(2)).unwrap();
        assert_eq!((two.len(), two[0].seq), (1, 2));
        assert_eq!(goals(&store), vec!["old", "old", "old"]);
        assert!(!store.is_empty().unwrap());
    }

    /// An import's events are kept as one run; read back they are the events as written,
    /// in order, whole or one task's, among events stored one by one.
    #[test]
    fn a_run_of_events_reads_back_as_the_events_it_stands_for() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("db");
        let n = LARGE_COMMIT as u32 + 5;
        let mut big = import(n, "run", false);
        // Two events in the middle that are not alike end one run and start another.
        big.events[10].note = Some("odd".into());
        big.events[11].user = "someone else".into();
        let written = {
            let store = open(&db);
            store.commit(status_edit(3, "before")).unwrap();
            let written = store.commit(big).unwrap();
            store.commit(status_edit(3, "after")).unwrap();
            assert_eq!(store.runs.len(), 2, "two runs around the odd events");
            assert_eq!(store.history.len(), 1 + 2 + 2 + 1);
            written
        };
        let store = open(&db);
        let all = store.history(None).unwrap();
        assert_eq!(all.len(), n as usize + 2);
        assert_eq!(&all[1..=n as usize], &written[..]);
        assert!(all.windows(2).all(|w| w[0].seq + 1 == w[1].seq));
        let three = store.history(Some(3)).unwrap();
        let seqs: Vec<u64> = three.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, vec![1, 4, n as u64 + 2]);
        assert!(matches!(&three[1].change, Change::Import { period, .. } if period == "run"));
        let twelve = store.history(Some(12)).unwrap();
        assert_eq!((twelve.len(), twelve[0].user.as_str()), (1, "someone else"));
        assert_eq!(
            store.history(Some(11)).unwrap()[0].note.as_deref(),
            Some("odd")
        );
    }

    /// The sample's rows cycled and numbered 1..=n, as period `period`.
    fn report(n: usize, period: &str) -> crate::import::Report {
        let mut r = crate::import::import_bytes(
            crate::ledger::SAMPLE_REPORT,
            "sample",
            &crate::import::Aliases::builtin(),
        )
        .unwrap();
        let sample = std::mem::take(&mut r.rows);
        r.rows = (0..n)
            .map(|i| crate::import::ImportedRow {
                number: i as u32 + 1,
                ..sample[i % sample.len()].clone()
            })
            .collect();
        r.period.name = period.to_string();
        r
    }

    /// Imports through the ledger, at the size where commits are large and where the ledger
    /// reads every task in one pass, and small, where it reads the tasks a report names:
    /// what people did to the tasks stays, each task's history reads back whole.
    #[test]
    fn imports_through_the_ledger_keep_what_people_did_at_any_size() {
        let dir = tempfile::tempdir().unwrap();
        let store = SledStore::open(&dir.path().join("db")).unwrap();
        let ledger = crate::ledger::Ledger::new(
            Box::new(store),
            "tester".into(),
            crate::classify::DomainRules::builtin(),
        );
        let n = LARGE_COMMIT + 400;
        assert_eq!(
            ledger
                .import(&report(n, "A"), None, false)
                .unwrap()
                .added
                .len(),
            n
        );
        ledger
            .apply(crate::ops::Op::set_status(7, Status::Done, None))
            .unwrap();
        ledger.apply(crate::ops::Op::add_note(7, "看现场")).unwrap();
        let again = ledger.import(&report(n, "B"), None, false).unwrap();
        assert_eq!((again.added.len(), again.updated.len()), (0, n));
        // A report naming a few tasks: those are read one by one.
        let few = ledger.import(&report(100, "C"), None, false).unwrap();
        assert_eq!((few.updated.len(), few.absent.len()), (100, n - 100));

        let seven = ledger.task(7).unwrap();
        assert_eq!(seven.status, Status::Done);
        assert_eq!(seven.notes.len(), 1);
        let periods: Vec<&str> = seven.periods.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(periods, ["A", "B", "C"]);
        assert_eq!(ledger.task(n as u32).unwrap().periods.len(), 2);
        let kinds: Vec<String> = ledger
            .history(Some(7))
            .unwrap()
            .iter()
            .map(|e| match &e.change {
                Change::Import { period, .. } => period.clone(),
                Change::Status { .. } => "status".into(),
                Change::Note { .. } => "note".into(),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(kinds, ["A", "status", "note", "B", "C"]);
        let all = ledger.history(None).unwrap();
        assert_eq!(all.len(), 2 * n + 2 + 100);
        // Events inside a run (an import's) are found one by one and read a page at a time
        // from the middle of the run, as a client catching up does.
        let store = ledger.store();
        assert_eq!(store.event(all[10].seq).unwrap().as_ref(), Some(&all[10]));
        let (page, next) = store
            .history_page(None, Some(all[10].seq), 5, usize::MAX)
            .unwrap();
        assert_eq!(page, all[11..16]);
        assert_eq!(next, Some(all[15].seq));
        let (rest, next) = store
            .history_page(None, Some(all[15].seq), usize::MAX, usize::MAX)
            .unwrap();
        assert_eq!((rest.len(), next), (all.len() - 16, None));
        let mine = store.history_page(Some(7), None, 2, usize::MAX).unwrap();
        assert_eq!(mine.0.len(), 2);
        assert_eq!(mine.1, Some(mine.0[1].seq));
    }

    #[test]
    fn goals_and_streamed_tasks_come_in_number_order() {
        let dir = tempfile::tempdir().unwrap();
        let store = SledStore::open(&dir.path().join("db")).unwrap();
        assert!(store.is_empty().unwrap());
        for n in [300, 2, 41] {
            store.commit(status_edit(n, &format!("goal {n}"))).unwrap();
        }
        let g: Vec<(u32, String)> = store
            .goals()
            .unwrap()
            .into_iter()
            .map(|g| (g.number, g.goal))
            .collect();
        assert_eq!(
            g,
            vec![
                (2, "goal 2".into()),
                (41, "goal 41".into()),
                (300, "goal 300".into())
            ]
        );
        let mut seen = Vec::new();
        store
            .for_each_task(&mut |t| {
                seen.push(t.number);
                Ok(())
            })
            .unwrap();
        assert_eq!(seen, vec![2, 41, 300]);
    }
}

#[cfg(test)]
mod refusal_tests {
    use super::*;
    use nix::errno::Errno;
    use std::io::{Error, ErrorKind};

    fn os(errno: Errno) -> Error {
        Error::from_raw_os_error(errno as i32)
    }

    #[test]
    fn io_errors_are_told_apart_by_errno_and_by_kind() {
        assert_eq!(IoClass::of(&os(Errno::ENOSPC)), Some(IoClass::DiskFull));
        assert_eq!(IoClass::of(&os(Errno::EDQUOT)), Some(IoClass::DiskFull));
        assert_eq!(IoClass::of(&os(Errno::EACCES)), Some(IoClass::Permission));
        assert_eq!(IoClass::of(&os(Errno::EPERM)), Some(IoClass::Permission));
        assert_eq!(IoClass::of(&os(Errno::EFBIG)), Some(IoClass::TooLarge));
        assert_eq!(IoClass::of(&os(Errno::EROFS)), Some(IoClass::ReadOnly));
        assert_eq!(IoClass::of(&os(Errno::EIO)), None);
        // sled's copy of an error its threads met keeps only the kind.
        let copy = |k: ErrorKind| Error::new(k, "Os { code: 28, .. }");
        assert_eq!(
            IoClass::of(&copy(ErrorKind::StorageFull)),
            Some(IoClass::DiskFull)
        );
        assert_eq!(
            IoClass::of(&copy(ErrorKind::FileTooLarge)),
            Some(IoClass::TooLarge)
        );
        assert_eq!(IoClass::of(&copy(ErrorKind::InvalidData)), None);
        assert_eq!(
            IoClass::in_text("called `Result::unwrap()` on an `Err` value: No space left on device (os error 28)"),
            Some(IoClass::DiskFull)
        );
        assert_eq!(IoClass::in_text("index out of bounds"), None);
    }

    #[test]
    fn a_full_disk_while_writing_says_so_and_never_says_damaged() {
        let sled_copy = sled::Error::Io(Error::new(
            ErrorKind::StorageFull,
            "Os { code: 28, kind: StorageFull, message: \"No space left on device\" }",
        ));
        let e = io_error(
            Path::new("/srv/duban"),
            Doing::Write,
            sled_copy.io().unwrap(),
            String::new(),
        );
        let text = e.to_string();
        assert!(matches!(
            e,
            StoreError::Io {
                class: IoClass::DiskFull,
                ..
            }
        ));
        assert!(text.contains("存放数据库 /srv/duban 的磁盘已满"), "{text}");
        assert!(
            text.contains("未保存") && text.contains("腾出空间"),
            "{text}"
        );
        assert!(!text.contains("损坏") && !text.contains("Os {"), "{text}");
    }

    #[test]
    fn each_refusal_has_its_own_advice_at_open() {
        let at_open = |errno| io_error(Path::new("d"), Doing::Open, &os(errno), String::new());
        for (errno, advice) in [
            (Errno::ENOSPC, "腾出空间"),
            (Errno::EACCES, "申请权限"),
            (Errno::EFBIG, "ulimit -f unlimited"),
            (Errno::EROFS, "只读文件系统"),
        ] {
            let text = at_open(errno).to_string();
            assert!(text.contains(advice) && !text.contains("损坏"), "{text}");
        }
        // An error of no known class stays what it was.
        assert!(matches!(at_open(Errno::EIO), StoreError::Open { .. }));
        let locked = open_error(Path::new("d"), sled::Error::Io(os(Errno::EWOULDBLOCK)));
        assert!(matches!(locked, StoreError::Locked { .. }));
        let corrupt = open_error(Path::new("d"), sled::Error::Corruption { at: None, bt: () });
        assert!(matches!(corrupt, StoreError::Damaged { .. }));
    }

    #[test]
    fn only_sleds_unfinished_snapshots_count_as_leftovers() {
        assert!(is_sled_leftover("snap.000000000005F76D.generating"));
        assert!(!is_sled_leftover("snap.000000000005F76D"));
        assert!(!is_sled_leftover("snap..generating"));
        assert!(!is_sled_leftover("snap.notes.generating"));
        assert!(!is_sled_leftover("db"));
    }
}
