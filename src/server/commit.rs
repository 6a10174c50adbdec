//! The server's one writer: edits from every connection are applied one at a time in
//! arrival order, and those that queued up while the disk was busy share one transaction and
//! one flush (group commit). Each edit runs the ledger's own code, as the user the socket
//! named, against a view that sees the batch's earlier edits; its result is recorded under
//! its request key in the same transaction, so a resent request gets the original answer.

use super::protocol::{ErrorKind, Op, RemoteError, Reply};
use crate::classify::DomainRules;
use crate::ledger::Ledger;
use crate::model::{Event, Task};
use crate::store::{Commit, Store, StoreError, META_NEXT_SEQ};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use tokio::sync::{broadcast, oneshot};

/// The most edits one flush carries; more wait for the next.
const MAX_BATCH: usize = 512;

/// sled 0.34's log file inside the database folder.
const SLED_LOG: &str = "db";
/// sled 0.34's configuration file, which every sled database folder has.
const SLED_CONF: &str = "conf";

/// One edit waiting for the disk.
pub struct Job {
    /// The user history records (from the peer credentials).
    pub user: String,
    /// The request's key for resends (`None`: not recorded).
    pub key: Option<String>,
    pub op: Op,
    pub reply: oneshot::Sender<Result<Reply, RemoteError>>,
}

/// How the group commit has gone, for the benchmark and the log.
#[derive(Debug, Default)]
pub struct CommitStats {
    /// Flushes (transactions) done.
    pub batches: AtomicU64,
    /// Edits applied (not counting refused ones and answered resends).
    pub edits: AtomicU64,
    /// Resends answered from the record.
    pub resends: AtomicU64,
}

enum Msg {
    Job(Job),
    Stop,
}

/// The writer thread and the way to it.
pub struct Committer {
    tx: mpsc::Sender<Msg>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// A cheap handle to hand edits to the writer.
#[derive(Clone)]
pub struct Submitter {
    tx: mpsc::Sender<Msg>,
}

impl Submitter {
    /// Queues an edit. If the writer has stopped, the job's reply is dropped, which the
    /// waiting side sees as "not saved".
    pub fn submit(&self, job: Job) {
        let _ = self.tx.send(Msg::Job(job));
    }
}

impl Committer {
    pub fn start(
        store: Arc<dyn Store>,
        rules: DomainRules,
        events: broadcast::Sender<Event>,
        stats: Arc<CommitStats>,
        verbose: bool,
    ) -> Result<Committer, StoreError> {
        let (tx, rx) = mpsc::channel();
        let disk = sync_file(store.path())?;
        let writer = Writer {
            disk,
            store,
            rules,
            events,
            stats,
            verbose,
        };
        let thread = std::thread::Builder::new()
            .name("duban-commit".into())
            .spawn(move || writer.run(rx))
            .expect("the commit thread starts");
        Ok(Committer {
            tx,
            thread: Some(thread),
        })
    }

    pub fn submitter(&self) -> Submitter {
        Submitter {
            tx: self.tx.clone(),
        }
    }

    /// Applies what was queued before this call, then stops the writer.
    pub fn stop(mut self) {
        let _ = self.tx.send(Msg::Stop);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The file to fdatasync after each batch: sled 0.34's flush on Linux ends with
/// sync_file_range, which does not empty the disk's own write cache; an fdatasync of its log
/// file does. `None` for a store that is not sled's (no sled `conf` in its folder).
///
/// A sled database whose log file cannot be opened is an error, not a reason to go on
/// without the sync: the server would then confirm edits that a power cut can still take
/// back, and nobody would know. Refusing to serve is loud and immediate, and the cause is
/// one a maintainer can fix (the file's owner or mode, or a sled whose files changed);
/// duban without a server still opens the database directly meanwhile.
fn sync_file(folder: &Path) -> Result<Option<std::fs::File>, StoreError> {
    let log = folder.join(SLED_LOG);
    match std::fs::File::open(&log) {
        Ok(f) => Ok(Some(f)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !folder.join(SLED_CONF).exists() => {
            Ok(None)
        }
        Err(e) => Err(StoreError::Open {
            path: folder.to_path_buf(),
            detail: crate::tr!(
                "服务打不开 sled 的日志文件 {}（{e}），无法确保修改写入磁盘，因此不提供服务。请检查该文件存在且数据库的用户组可读（ls -l {}）。",
                "the server cannot open sled's log file {} ({e}) to make sure edits reach the disk, so it does not serve. Check that the file is there and readable by the database's group (ls -l {}).",
                log.display(),
                folder.display()
            ),
        }),
    }
}

struct Writer {
    /// sled's log file, synced after each batch (when the store is sled's).
    disk: Option<std::fs::File>,
    store: Arc<dyn Store>,
    rules: DomainRules,
    events: broadcast::Sender<Event>,
    stats: Arc<CommitStats>,
    /// Log resends answered from the record (the server's log).
    verbose: bool,
}

/// What becomes of one job once the batch is on disk.
enum Outcome {
    /// Known already (an error, a recorded resend, a no-op).
    Done(Result<Reply, RemoteError>),
    /// Waits for the batch's flush; `commit` is its index in the batch.
    Pending { commit: usize, reply: Reply },
    /// The same request twice in one batch: answered like the first.
    SameAs(usize),
}

impl Writer {
    fn run(self, rx: mpsc::Receiver<Msg>) {
        let mut stopping = false;
        while !stopping {
            let mut batch = match rx.recv() {
                Ok(Msg::Job(j)) => vec![j],
                Ok(Msg::Stop) | Err(_) => break,
            };
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(Msg::Job(j)) => batch.push(j),
                    Ok(Msg::Stop) => {
                        stopping = true;
                        break;
                    }
                    Err(_) => break,
                }
            }
            self.process(batch);
        }
    }

    fn process(&self, batch: Vec<Job>) {
        let next_seq = match self.store.meta(META_NEXT_SEQ) {
            Ok(v) => v.and_then(|v| v.parse().ok()).unwrap_or(1),
            Err(e) => {
                let err = store_error(&e);
                for job in batch {
                    let _ = job.reply.send(Err(err.clone()));
                }
                return;
            }
        };
        let overlay = Arc::new(Mutex::new(Overlay::new(next_seq)));
        let mut outcomes = Vec::with_capacity(batch.len());
        let mut replies = Vec::with_capacity(batch.len());
        let mut seen: HashMap<String, usize> = HashMap::new();
        for Job {
            user,
            key,
            op,
            reply,
        } in batch
        {
            let outcome = self.apply(&user, key.as_deref(), op, &overlay, &seen);
            if let (Some(key), Outcome::Pending { .. }) = (key, &outcome) {
                seen.insert(key, outcomes.len());
            }
            outcomes.push(outcome);
            replies.push(reply);
        }
        let commits = std::mem::take(&mut lock(&overlay).commits);
        let stored = if commits.is_empty() {
            Ok(Vec::new())
        } else {
            let n = commits.len() as u64;
            let r = self.store.commit_many(commits).and_then(|stored| {
                match &self.disk {
                    Some(f) => f.sync_data().map(|_| stored).map_err(|e| StoreError::Write {
                        path: self.store.path().to_path_buf(),
                        detail: crate::tr!(
                            "修改已写入，但磁盘没有确认（{e}）；请用 `duban history` 核对",
                            "the edits were written but the disk did not confirm them ({e}); check `duban history`"
                        ),
                    }),
                    None => Ok(stored),
                }
            });
            self.stats.batches.fetch_add(1, Ordering::Relaxed);
            if r.is_ok() {
                self.stats.edits.fetch_add(n, Ordering::Relaxed);
            }
            r
        };
        let stored = match stored {
            Ok(s) => s,
            Err(e) => {
                let err = store_error(&e);
                for (outcome, reply) in outcomes.into_iter().zip(replies) {
                    let _ = reply.send(match outcome {
                        Outcome::Done(r) => r,
                        _ => Err(err.clone()),
                    });
                }
                return;
            }
        };
        // Everyone sees the batch's events before the editors hear back; both happen after
        // the flush.
        for event in stored.iter().flatten() {
            let _ = self.events.send(event.clone());
        }
        let mut answers: Vec<Result<Reply, RemoteError>> = Vec::with_capacity(outcomes.len());
        for outcome in outcomes {
            let answer = match outcome {
                Outcome::Done(r) => r,
                Outcome::Pending { commit, reply } => Ok(match reply {
                    // The stored event is the truth; it equals the predicted one unless
                    // something else wrote to the database.
                    Reply::Event(predicted) => {
                        let actual = stored.get(commit).and_then(|c| c.first()).cloned();
                        match actual {
                            Some(e) => {
                                if e != *predicted {
                                    tracing::warn!("event {} was stored as {}; the resend record holds the predicted one", predicted.seq, e.seq);
                                }
                                Reply::Event(Box::new(e))
                            }
                            None => Reply::Event(predicted),
                        }
                    }
                    other => other,
                }),
                Outcome::SameAs(i) => answers[i].clone(),
            };
            answers.push(answer);
        }
        for (answer, reply) in answers.into_iter().zip(replies) {
            let _ = reply.send(answer);
        }
    }

    fn apply(
        &self,
        user: &str,
        key: Option<&str>,
        op: Op,
        overlay: &Arc<Mutex<Overlay>>,
        seen: &HashMap<String, usize>,
    ) -> Outcome {
        if let Some(key) = key {
            if let Some(&i) = seen.get(key) {
                self.stats.resends.fetch_add(1, Ordering::Relaxed);
                return Outcome::SameAs(i);
            }
            match self.store.meta(key) {
                Ok(Some(recorded)) => {
                    self.stats.resends.fetch_add(1, Ordering::Relaxed);
                    if self.verbose {
                        super::log::Request::new(user, &op).resend_answered(key);
                    }
                    let answer = serde_json::from_str::<Result<Reply, RemoteError>>(&recorded)
                        .unwrap_or_else(|e| {
                            Err(RemoteError::new(
                                ErrorKind::Store,
                                crate::tr!(
                                    "此请求已执行，但读不到记录的应答（{e}）；请查看 `duban history`",
                                    "this request was already applied, but its recorded answer cannot be read ({e}); see `duban history`"
                                ),
                            ))
                        });
                    return Outcome::Done(answer);
                }
                Ok(None) => {}
                Err(e) => return Outcome::Done(Err(store_error(&e))),
            }
        }
        let view = BatchView {
            base: self.store.clone(),
            overlay: overlay.clone(),
        };
        let ledger = Ledger::new(Box::new(view), user.to_string(), self.rules.clone());
        let before = lock(overlay).commits.len();
        let result =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| apply_op(&ledger, op)))
                .unwrap_or_else(|_| {
                    Err(RemoteError::new(
                        ErrorKind::Store,
                        crate::lang::t(
                            "服务执行此修改时出错，未保存",
                            "the server failed while applying this edit; it was not saved",
                        ),
                    ))
                });
        let mut o = lock(overlay);
        let reply = match result {
            Ok(reply) => reply,
            Err(e) => {
                // Nothing a failed operation queued may reach the disk.
                o.rollback(before);
                return Outcome::Done(Err(e));
            }
        };
        if o.commits.len() == before {
            return Outcome::Done(Ok(reply));
        }
        let commit = o.commits.len() - 1;
        if let Some(key) = key {
            o.commits[commit]
                .meta
                .push((key.to_string(), recorded_answer(&reply)));
        }
        Outcome::Pending { commit, reply }
    }
}

fn recorded_answer(reply: &Reply) -> String {
    let answer: Result<&Reply, RemoteError> = Ok(reply);
    serde_json::to_string(&answer).expect("replies encode as JSON")
}

fn lock(m: &Mutex<Overlay>) -> std::sync::MutexGuard<'_, Overlay> {
    // The overlay is only touched by the writer thread; a poisoned lock means a ledger call
    // panicked mid-way, and the batch's state is still consistent for our purposes.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn store_error(e: &StoreError) -> RemoteError {
    RemoteError::new(ErrorKind::Store, e.to_string())
}

/// Runs one edit through the ledger.
fn apply_op(ledger: &Ledger, op: Op) -> Result<Reply, RemoteError> {
    if !op.is_edit() {
        return Err(RemoteError::new(
            ErrorKind::Protocol,
            "not an edit (server bug)",
        ));
    }
    ledger.apply(op).map_err(|e| RemoteError::from_ledger(&e))
}

/// The batch so far: commits the ledger made (not yet on disk) and the state they leave.
struct Overlay {
    next_seq: u64,
    commits: Vec<Commit>,
    /// Tasks as the batch left them.
    tasks: BTreeMap<u32, Task>,
    /// True once a commit removed every task (import `--replace`): the base's tasks are gone.
    cleared: bool,
    events: Vec<Event>,
    meta: HashMap<String, String>,
}

impl Overlay {
    fn new(next_seq: u64) -> Overlay {
        Overlay {
            next_seq,
            commits: Vec::new(),
            tasks: BTreeMap::new(),
            cleared: false,
            events: Vec::new(),
            meta: HashMap::new(),
        }
    }

    /// Forgets commits after the first `keep` and rebuilds the state from those left.
    fn rollback(&mut self, keep: usize) {
        if self.commits.len() <= keep {
            return;
        }
        let kept: Vec<Commit> = self.commits.drain(..).take(keep).collect();
        let first_seq = self.events.first().map(|e| e.seq).unwrap_or(self.next_seq);
        *self = Overlay::new(first_seq);
        for c in kept {
            self.record(c);
        }
    }

    fn record(&mut self, commit: Commit) -> Vec<Event> {
        if commit.clear_tasks {
            self.cleared = true;
            self.tasks.clear();
        }
        for t in &commit.put {
            self.tasks.insert(t.number, t.clone());
        }
        let mut stored = Vec::with_capacity(commit.events.len());
        for e in &commit.events {
            let event = Event {
                seq: self.next_seq,
                task: e.task,
                at: e.at,
                user: e.user.clone(),
                change: e.change.clone(),
                note: e.note.clone(),
            };
            self.next_seq += 1;
            stored.push(event);
        }
        self.events.extend(stored.iter().cloned());
        for (k, v) in &commit.meta {
            self.meta.insert(k.clone(), v.clone());
        }
        self.commits.push(commit);
        stored
    }
}

/// The store as the batch sees it: the disk plus the batch's own commits, which it keeps
/// instead of writing.
struct BatchView {
    base: Arc<dyn Store>,
    overlay: Arc<Mutex<Overlay>>,
}

impl Store for BatchView {
    fn path(&self) -> &Path {
        self.base.path()
    }

    fn tasks(&self) -> Result<Vec<Task>, StoreError> {
        let o = lock(&self.overlay);
        let mut all: BTreeMap<u32, Task> = if o.cleared {
            BTreeMap::new()
        } else {
            self.base
                .tasks()?
                .into_iter()
                .map(|t| (t.number, t))
                .collect()
        };
        all.extend(o.tasks.iter().map(|(n, t)| (*n, t.clone())));
        Ok(all.into_values().collect())
    }

    fn task(&self, number: u32) -> Result<Option<Task>, StoreError> {
        let o = lock(&self.overlay);
        if let Some(t) = o.tasks.get(&number) {
            return Ok(Some(t.clone()));
        }
        if o.cleared {
            return Ok(None);
        }
        self.base.task(number)
    }

    fn history(&self, task: Option<u32>) -> Result<Vec<Event>, StoreError> {
        let mut all = self.base.history(task)?;
        let o = lock(&self.overlay);
        all.extend(
            o.events
                .iter()
                .filter(|e| task.is_none_or(|n| n == e.task))
                .cloned(),
        );
        Ok(all)
    }

    fn is_empty(&self) -> Result<bool, StoreError> {
        let o = lock(&self.overlay);
        if !o.tasks.is_empty() {
            return Ok(false);
        }
        if o.cleared {
            return Ok(true);
        }
        self.base.is_empty()
    }

    fn event(&self, seq: u64) -> Result<Option<Event>, StoreError> {
        if let Some(e) = lock(&self.overlay).events.iter().find(|e| e.seq == seq) {
            return Ok(Some(e.clone()));
        }
        self.base.event(seq)
    }

    fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        if let Some(v) = lock(&self.overlay).meta.get(key) {
            return Ok(Some(v.clone()));
        }
        self.base.meta(key)
    }

    fn commit(&self, commit: Commit) -> Result<Vec<Event>, StoreError> {
        Ok(lock(&self.overlay).record(commit))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Status;
    use crate::store::SledStore;

    fn setup() -> (tempfile::TempDir, Arc<dyn Store>) {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> = Arc::new(SledStore::open(&dir.path().join("db")).unwrap());
        (dir, store)
    }

    fn job(
        user: &str,
        key: Option<&str>,
        op: Op,
    ) -> (Job, oneshot::Receiver<Result<Reply, RemoteError>>) {
        let (tx, rx) = oneshot::channel();
        (
            Job {
                user: user.into(),
                key: key.map(str::to_string),
                op,
                reply: tx,
            },
            rx,
        )
    }

    fn set(number: u32, status: Status) -> Op {
        Op::SetStatus {
            number,
            status,
            note: None,
        }
    }

    #[test]
    fn a_sled_database_whose_log_file_cannot_be_opened_is_not_served() {
        let (d, store) = setup();
        assert!(sync_file(store.path()).unwrap().is_some());
        // A folder that is not sled's has nothing to sync.
        let other = tempfile::tempdir().unwrap();
        assert!(sync_file(other.path()).unwrap().is_none());
        // sled's folder without its log file: refused, with what to check.
        let broken = d.path().join("broken");
        std::fs::create_dir(&broken).unwrap();
        std::fs::write(broken.join(SLED_CONF), "").unwrap();
        let e = sync_file(&broken).unwrap_err().to_string();
        assert!(e.contains("不提供服务") && e.contains("ls -l"), "{e}");
    }

    /// A writer on `store` that has loaded the sample (its events already taken from the
    /// live channel).
    fn sample_writer(store: Arc<dyn Store>) -> (Writer, broadcast::Receiver<Event>) {
        let (events, mut live) = broadcast::channel(64);
        let writer = Writer {
            disk: None,
            store,
            rules: DomainRules::builtin(),
            events,
            stats: Arc::default(),
            verbose: false,
        };
        let (j0, r0) = job("alice", None, Op::EnsureSample);
        writer.process(vec![j0]);
        assert!(matches!(
            r0.blocking_recv().unwrap(),
            Ok(Reply::Sample(Some(_)))
        ));
        while !matches!(live.try_recv(), Err(broadcast::error::TryRecvError::Empty)) {}
        (writer, live)
    }

    #[test]
    fn one_batch_applies_in_order_sees_its_own_edits_and_answers_resends() {
        let (_d, store) = setup();
        let (writer, mut live) = sample_writer(store.clone());

        let (j1, r1) = job("alice", Some("k1"), set(14, Status::Behind));
        let (j2, r2) = job("bob", Some("k2"), set(14, Status::Behind)); // now unchanged
        let (j3, r3) = job("bob", Some("k3"), set(14, Status::Done));
        let (j4, r4) = job("alice", Some("k1"), set(14, Status::Behind)); // resend in batch
        writer.process(vec![j1, j2, j3, j4]);
        let e1 = match r1.blocking_recv().unwrap() {
            Ok(Reply::Event(e)) => e,
            other => panic!("{other:?}"),
        };
        assert_eq!(e1.user, "alice");
        assert_eq!(
            r2.blocking_recv().unwrap().unwrap_err().kind,
            ErrorKind::Unchanged
        );
        let e3 = match r3.blocking_recv().unwrap() {
            Ok(Reply::Event(e)) => e,
            other => panic!("{other:?}"),
        };
        assert_eq!(e3.seq, e1.seq + 1);
        assert_eq!(r4.blocking_recv().unwrap(), Ok(Reply::Event(e1.clone())));
        assert_eq!(store.task(14).unwrap().unwrap().status, Status::Done);
        assert_eq!(live.try_recv().unwrap(), *e1);
        assert_eq!(live.try_recv().unwrap(), *e3);
        assert!(live.try_recv().is_err());

        // A resend in a later batch gets the recorded answer and changes nothing.
        let (j5, r5) = job("alice", Some("k1"), set(14, Status::Behind));
        writer.process(vec![j5]);
        assert_eq!(r5.blocking_recv().unwrap(), Ok(Reply::Event(e1)));
        assert_eq!(store.task(14).unwrap().unwrap().status, Status::Done);
        assert_eq!(writer.stats.resends.load(Ordering::Relaxed), 2);
    }

    /// A store that counts how often every task is read.
    struct Counting(Arc<dyn Store>, AtomicU64);

    impl Store for Counting {
        fn path(&self) -> &Path {
            self.0.path()
        }
        fn tasks(&self) -> Result<Vec<Task>, StoreError> {
            self.1.fetch_add(1, Ordering::Relaxed);
            self.0.tasks()
        }
        fn task(&self, number: u32) -> Result<Option<Task>, StoreError> {
            self.0.task(number)
        }
        fn history(&self, task: Option<u32>) -> Result<Vec<Event>, StoreError> {
            self.0.history(task)
        }
        fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
            self.0.meta(key)
        }
        fn is_empty(&self) -> Result<bool, StoreError> {
            self.0.is_empty()
        }
        fn event(&self, seq: u64) -> Result<Option<Event>, StoreError> {
            self.0.event(seq)
        }
        fn commit(&self, commit: Commit) -> Result<Vec<Event>, StoreError> {
            self.0.commit(commit)
        }
    }

    #[test]
    fn small_edits_never_read_every_task() {
        let (_d, sled) = setup();
        let store = Arc::new(Counting(sled, AtomicU64::new(0)));
        let (writer, _live) = sample_writer(store.clone());
        let before = store.1.load(Ordering::Relaxed);
        let (j1, r1) = job("bob", Some("k1"), set(14, Status::Behind));
        writer.process(vec![j1]);
        let seq = match r1.blocking_recv().unwrap() {
            Ok(Reply::Event(e)) => e.seq,
            other => panic!("{other:?}"),
        };
        // What every command asks first (the sample when empty), an undo, a note.
        let (j2, r2) = job("bob", None, Op::EnsureSample);
        let (j3, r3) = job("bob", Some("k3"), Op::Undo { seq });
        let (j4, r4) = job("bob", Some("k4"), Op::add_note(14, "约谈"));
        writer.process(vec![j2, j3, j4]);
        assert_eq!(r2.blocking_recv().unwrap(), Ok(Reply::Sample(None)));
        assert!(r3.blocking_recv().unwrap().is_ok());
        assert!(r4.blocking_recv().unwrap().is_ok());
        assert_eq!(
            store.1.load(Ordering::Relaxed),
            before,
            "no edit read every task"
        );
    }
}
