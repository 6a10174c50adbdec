//! Runs the effects `update` asks for, outside `update` and outside the draw: edits go to
//! the session (the shared server, or the database itself), flushed to disk before the call
//! returns, and only then does the answer (`Saved`) reach the screen; searches go to the
//! search worker, whose results come back later as `Action::Found`; reading a report for
//! the import preview and the import itself go to `Workers` too. Errors come back as words,
//! never a crash.

use crate::model::{Event, Task};
use crate::ops::{Op, Reply};
use crate::search::{Index, Query, SearchOutcome, Searcher};
use crate::server::session::{Session, SessionError};
use crate::tr;
use crate::ui::action::{
    Action, ImportDone, Imported, PageKind, Previewed, ReportBytes, Saved, SavedKind, TasksPage,
};
use crate::ui::app::{update, Effect, ImportJob, State};
use crate::ui::files;
use std::collections::{BTreeSet, VecDeque};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;

/// Where slow work runs. In the terminal UI: searches on the search worker, report reading
/// on a thread, everything that talks to the session (edits, reads, the import) as futures
/// of the event loop when a server owns the database, each answering later with an action.
/// Inline (an `Index` here) for tests and tools that want the answer at once: the reading
/// and the session's work have inline defaults.
pub trait Workers {
    /// Searches for `text` (None: cancel). An inline searcher answers at once.
    fn search(&mut self, text: Option<&str>) -> Option<Action>;
    /// The task changed; later searches must see it as it is now.
    fn reindex(&mut self, task: &Task);
    /// The task is gone; later searches must not find it.
    fn unindex(&mut self, number: u32);
    /// Reads and parses the report at `path` (as typed, `~` allowed) for preview `id`.
    fn preview(&mut self, id: u64, path: &str) -> Option<Action> {
        Some(preview_now(id, path))
    }
    /// Runs work on the session.
    fn run(&mut self, session: &Session, job: Job) -> Option<Action> {
        Some(run_now(session, job))
    }
    /// Keeps the review's place for the database `db` (the terminal UI writes a file in
    /// the person's state folder; tests and tools keep nothing).
    fn save_review(&mut self, _db: &std::path::Path, _review: &crate::ui::app::Review) {}
}

/// Work on the session, asked for by an effect and answered by an action.
#[derive(Debug, Clone, PartialEq)]
pub enum Job {
    /// An edit, with what it is (for the answer's wording).
    Edit {
        kind: SavedKind,
        what: String,
        op: Op,
    },
    Import(ImportJob),
    /// The page of tasks after this number (the background load).
    LoadTasks(u32),
    LoadHistory(u32),
    /// These tasks, read again.
    Fetch(Vec<u32>),
    /// These whole tasks, to show.
    Show(Vec<u32>),
    /// Which tasks there are.
    Numbers,
    /// Every task read, and the 通报 written to this path (as typed, `~` allowed).
    Export(String),
}

impl Job {
    /// The session work an effect asks for, if it asks for any.
    pub fn of(effect: Effect) -> Option<Job> {
        Some(match effect {
            Effect::Import(job) => Job::Import(job),
            Effect::LoadTasks(after) => Job::LoadTasks(after),
            Effect::LoadHistory(n) => Job::LoadHistory(n),
            Effect::Fetch(numbers) => Job::Fetch(numbers),
            Effect::Show(numbers) => Job::Show(numbers),
            Effect::Prune => Job::Numbers,
            Effect::Export { path } => Job::Export(path),
            other => {
                let (kind, what, op) = other.edit()?;
                Job::Edit { kind, what, op }
            }
        })
    }
}

/// Reads and parses a report for the preview, at once (the worker thread's body).
pub fn preview_now(id: u64, path: &str) -> Action {
    let path = files::expand_home(path, files::home().as_deref());
    let result = files::read_report(&path)
        .map(|(report, bytes)| (Arc::new(report), ReportBytes(Arc::new(bytes))));
    Action::Previewed(Box::new(Previewed { id, result }))
}

/// Runs a job on the session at once (a database of one's own, tests).
pub fn run_now(session: &Session, job: Job) -> Action {
    futures::executor::block_on(run_job(|op| std::future::ready(session.call(op)), job))
}

/// Above this many tasks to read again, every task is read a page at a time instead of
/// one request each.
const FETCH_ONE_BY_ONE: usize = 64;

/// Runs a job with `call` (the session's, or an async client's) and says how it went, as
/// the action that reports it. The same code for a local database and a server.
pub async fn run_job<F, Fut>(call: F, job: Job) -> Action
where
    F: Fn(Op) -> Fut,
    Fut: std::future::Future<Output = Result<Reply, SessionError>>,
{
    match job {
        Job::Edit { kind, what, op } => saved(kind, what, call(op).await),
        Job::LoadTasks(after) => {
            let op = Op::Tasks {
                after: Some(after),
                limit: None,
            };
            match call(op).await.and_then(|r| Ok(r.into_tasks()?)) {
                Ok((tasks, next)) => Action::Tasks(Box::new(TasksPage {
                    tasks,
                    next,
                    kind: PageKind::Load,
                })),
                Err(e) => Action::ReadFailed(tr!(
                    "无法读取其余任务：{e}",
                    "cannot read the rest of the tasks: {e}"
                )),
            }
        }
        Job::LoadHistory(number) => {
            let result = history(&call, Some(number), None)
                .await
                .map_err(|e| e.to_string());
            Action::History { number, result }
        }
        Job::Export(typed) => {
            let result = async {
                let mut tasks = Vec::new();
                let mut after = None;
                loop {
                    let op = Op::Tasks { after, limit: None };
                    let (page, next) = call(op).await?.into_tasks()?;
                    tasks.extend(page);
                    match next {
                        Some(n) => after = Some(n),
                        None => break,
                    }
                }
                Ok::<_, SessionError>(tasks)
            }
            .await
            .map_err(|e| e.to_string())
            .and_then(|tasks| {
                let path = files::expand_home(&typed, files::home().as_deref());
                crate::xlsx::write_tongbao(&path, &tasks, None)
                    .map(|_| tasks.len())
                    .map_err(|e| e.to_string())
            });
            Action::Exported {
                path: typed,
                result,
            }
        }
        Job::Numbers => match call(Op::Numbers).await.and_then(|r| Ok(r.into_numbers()?)) {
            Ok((numbers, as_of)) => Action::Present { numbers, as_of },
            Err(e) => Action::ReadFailed(tr!(
                "无法读取任务清单：{e}",
                "cannot read which tasks there are: {e}"
            )),
        },
        Job::Fetch(numbers) => match fetch(&call, &numbers).await {
            Ok(tasks) => Action::Tasks(Box::new(TasksPage {
                tasks,
                next: None,
                kind: PageKind::Changed,
            })),
            Err(e) => Action::ReadFailed(tr!(
                "无法读取有变动的任务：{e}",
                "cannot read the changed tasks: {e}"
            )),
        },
        Job::Show(numbers) => match fetch(&call, &numbers).await {
            Ok(tasks) => Action::Tasks(Box::new(TasksPage {
                tasks,
                next: None,
                kind: PageKind::Shown,
            })),
            Err(e) => Action::ReadFailed(tr!(
                "无法读取要显示的任务：{e}",
                "cannot read tasks to show: {e}"
            )),
        },
        Job::Import(job) => {
            let ImportJob {
                id,
                bytes,
                source,
                after_seq,
            } = job;
            let result = async {
                let op = Op::import(bytes.0.to_vec(), &source, None, false);
                let summary = call(op).await?.into_imported()?;
                let named: Vec<u32> = summary
                    .added
                    .iter()
                    .chain(&summary.updated)
                    .copied()
                    .collect();
                let tasks = fetch(&call, &named).await?;
                let events = match after_seq {
                    Some(a) => history(&call, None, Some(a)).await?,
                    None => Vec::new(),
                };
                Ok::<_, SessionError>(ImportDone {
                    summary,
                    tasks,
                    events,
                })
            }
            .await
            .map_err(|e| e.to_string());
            Action::Imported(Box::new(Imported { id, source, result }))
        }
    }
}

/// Every event (of one task, or after `after`), a page at a time.
async fn history<F, Fut>(
    call: &F,
    task: Option<u32>,
    mut after: Option<u64>,
) -> Result<Vec<Event>, SessionError>
where
    F: Fn(Op) -> Fut,
    Fut: std::future::Future<Output = Result<Reply, SessionError>>,
{
    let mut all = Vec::new();
    loop {
        let op = Op::History {
            task,
            after,
            limit: None,
        };
        let (events, next) = call(op).await?.into_history()?;
        all.extend(events);
        match next {
            Some(n) => after = Some(n),
            None => return Ok(all),
        }
    }
}

/// The tasks numbered `numbers` as the session has them now (gone ones are left out).
async fn fetch<F, Fut>(call: &F, numbers: &[u32]) -> Result<Vec<Task>, SessionError>
where
    F: Fn(Op) -> Fut,
    Fut: std::future::Future<Output = Result<Reply, SessionError>>,
{
    let mut out = Vec::with_capacity(numbers.len());
    if numbers.len() <= FETCH_ONE_BY_ONE {
        for &number in numbers {
            match call(Op::Task { number }).await {
                Ok(r) => out.push(r.into_task()?),
                Err(SessionError::Ledger(crate::ledger::LedgerError::NoSuchTask(_))) => {}
                Err(SessionError::Client(e))
                    if e.remote_kind() == Some(crate::server::protocol::ErrorKind::NoSuchTask) => {}
                Err(e) => return Err(e),
            }
        }
        return Ok(out);
    }
    let wanted: BTreeSet<u32> = numbers.iter().copied().collect();
    let mut after = None;
    loop {
        let (tasks, next) = call(Op::Tasks { after, limit: None }).await?.into_tasks()?;
        out.extend(tasks.into_iter().filter(|t| wanted.contains(&t.number)));
        match next {
            Some(n) => after = Some(n),
            None => return Ok(out),
        }
    }
}

/// Completes a typed path against the file system (quick: one directory listing).
pub fn complete_now(text: &str) -> Action {
    Action::Completed(Box::new(files::complete(text, files::home().as_deref())))
}

impl Workers for Searcher {
    fn search(&mut self, text: Option<&str>) -> Option<Action> {
        match text {
            Some(t) => self.submit(t),
            None => self.cancel(),
        }
        None
    }

    fn reindex(&mut self, task: &Task) {
        self.update(task);
    }

    fn unindex(&mut self, number: u32) {
        self.remove(number);
    }
}

impl Workers for Index {
    fn search(&mut self, text: Option<&str>) -> Option<Action> {
        let text = text?;
        let started = Instant::now();
        let results = Index::search(self, &Query::parse(text), &AtomicBool::new(false))?;
        Some(Action::Found(Box::new(SearchOutcome {
            text: text.to_string(),
            results: Arc::new(results),
            elapsed: started.elapsed(),
        })))
    }

    fn reindex(&mut self, task: &Task) {
        self.update(task);
    }

    fn unindex(&mut self, number: u32) {
        self.remove(number);
    }
}

/// Runs one effect and answers with the action that reports its outcome, if any.
pub fn perform(session: &Session, workers: &mut dyn Workers, effect: Effect) -> Option<Action> {
    match effect {
        Effect::Search(text) => workers.search(text.as_deref()),
        Effect::Reindex(task) => {
            workers.reindex(&task);
            None
        }
        Effect::Unindex(number) => {
            workers.unindex(number);
            None
        }
        Effect::Complete(text) => Some(complete_now(&text)),
        Effect::Preview { id, path } => workers.preview(id, &path),
        Effect::SaveReview(review) => {
            workers.save_review(session.db(), &review);
            None
        }
        other => workers.run(session, Job::of(other)?),
    }
}

/// The action that reports an edit's outcome.
pub fn saved(
    kind: SavedKind,
    what: String,
    result: Result<crate::ops::Reply, SessionError>,
) -> Action {
    match result.and_then(|r| Ok(r.into_event()?)) {
        Ok(event) => Action::Saved(Box::new(Saved { kind, event })),
        Err(e) => Action::Failed {
            what,
            error: e.to_string(),
        },
    }
}

/// Feeds an action through `update`, runs the effects it returns and feeds their outcomes
/// back, until nothing is left to do.
pub fn dispatch(state: &mut State, session: &Session, workers: &mut dyn Workers, action: Action) {
    let mut queue = VecDeque::from([action]);
    while let Some(a) = queue.pop_front() {
        for effect in update(state, a) {
            queue.extend(perform(session, workers, effect));
        }
    }
}

/// Runs only the search effects among `effects` (inline, with `index`), feeding the results
/// back through `update`; returns the other effects. For tests and tools that drive
/// `update` without a session.
pub fn settle_searches(state: &mut State, index: &mut Index, effects: Vec<Effect>) -> Vec<Effect> {
    let mut rest = Vec::new();
    let mut queue = VecDeque::from(effects);
    while let Some(effect) = queue.pop_front() {
        let answer = match effect {
            Effect::Search(text) => Workers::search(index, text.as_deref()),
            Effect::Reindex(task) => {
                index.update(&task);
                None
            }
            Effect::Unindex(number) => {
                index.remove(number);
                None
            }
            other => {
                rest.push(other);
                None
            }
        };
        if let Some(a) = answer {
            queue.extend(update(state, a));
        }
    }
    rest
}
