//! Runs the effects `update` asks for, outside `update` and outside the draw: edits go to
//! the session (the shared server, or the database itself), flushed to disk before the call
//! returns, and only then does the answer (`Saved`) reach the screen; searches go to the
//! search worker, whose results come back later as `Action::Found`; reading a report for
//! the import preview and the import itself go to `Workers` too. Errors come back as words,
//! never a crash.

use crate::model::{Event, Task};
use crate::ops::Op;
use crate::search::{Index, Query, SearchOutcome, Searcher};
use crate::server::session::{Session, SessionError};
use crate::ui::action::{Action, ImportDone, Imported, Previewed, ReportBytes, Saved, SavedKind};
use crate::ui::app::{update, Effect, ImportJob, State};
use crate::ui::files;
use std::collections::{BTreeSet, VecDeque};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;

/// Where slow work runs. In the terminal UI: searches on the search worker, report reading
/// on a thread, the import as a future of the event loop, each answering later with an
/// action. Inline (an `Index` here) for tests and tools that want the answer at once: the
/// reading and the import have inline defaults.
pub trait Workers {
    /// Searches for `text` (None: cancel). An inline searcher answers at once.
    fn search(&mut self, text: Option<&str>) -> Option<Action>;
    /// The task changed; later searches must see it as it is now.
    fn reindex(&mut self, task: &Task);
    /// Reads and parses the report at `path` (as typed, `~` allowed) for preview `id`.
    fn preview(&mut self, id: u64, path: &str) -> Option<Action> {
        Some(preview_now(id, path))
    }
    /// Imports through the session.
    fn import(&mut self, session: &Session, job: ImportJob) -> Option<Action> {
        Some(import_now(session, job))
    }
}

/// Reads and parses a report for the preview, at once (the worker thread's body).
pub fn preview_now(id: u64, path: &str) -> Action {
    let path = files::expand_home(path, files::home().as_deref());
    let result = files::read_report(&path)
        .map(|(report, bytes)| (Arc::new(report), ReportBytes(Arc::new(bytes))));
    Action::Previewed(Box::new(Previewed { id, result }))
}

/// Imports at once through the session, then reads back the tasks it names and the events
/// it committed (a session of one hears of no events otherwise).
pub fn import_now(session: &Session, job: ImportJob) -> Action {
    let ImportJob {
        id,
        bytes,
        source,
        after_seq,
    } = job;
    let result = (|| {
        let summary = session
            .call(Op::import(bytes.0.to_vec(), &source, None, false))?
            .into_imported()?;
        let tasks = session.all_tasks()?;
        let history = events_after(session, after_seq)?;
        Ok(imported_tasks(summary, tasks, history, after_seq))
    })()
    .map_err(|e: SessionError| e.to_string());
    Action::Imported(Box::new(Imported { id, source, result }))
}

/// Every event after `after`, read a page at a time.
fn events_after(session: &Session, after: u64) -> Result<Vec<Event>, SessionError> {
    let mut all = Vec::new();
    let mut after = Some(after);
    while let Some(a) = after {
        let op = Op::History {
            task: None,
            after: Some(a),
            limit: None,
        };
        let (events, next) = session.call(op)?.into_history()?;
        all.extend(events);
        after = next;
    }
    Ok(all)
}

/// Keeps the tasks an import added or updated and the events after `after_seq`.
pub fn imported_tasks(
    summary: crate::ledger::ImportSummary,
    tasks: Vec<Task>,
    history: Vec<Event>,
    after_seq: u64,
) -> ImportDone {
    let named: BTreeSet<u32> = summary
        .added
        .iter()
        .chain(&summary.updated)
        .copied()
        .collect();
    ImportDone {
        tasks: tasks
            .into_iter()
            .filter(|t| named.contains(&t.number))
            .collect(),
        events: history.into_iter().filter(|e| e.seq > after_seq).collect(),
        summary,
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
}

/// Runs one effect and answers with the action that reports its outcome, if any.
pub fn perform(session: &Session, workers: &mut dyn Workers, effect: Effect) -> Option<Action> {
    match effect {
        Effect::Search(text) => workers.search(text.as_deref()),
        Effect::Reindex(task) => {
            workers.reindex(&task);
            None
        }
        Effect::Complete(text) => Some(complete_now(&text)),
        Effect::Preview { id, path } => workers.preview(id, &path),
        Effect::Import(job) => workers.import(session, job),
        edit => {
            let (kind, what, op) = edit.edit()?;
            Some(saved(kind, what, session.call(op)))
        }
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
