//! Runs the effects `update` asks for, outside `update` and outside the draw: edits go to
//! the session (the shared server, or the database itself), flushed to disk before the call
//! returns, and only then does the answer (`Saved`) reach the screen; searches go to the
//! search worker, whose results come back later as `Action::Found`. Errors come back as
//! words, never a crash.

use crate::model::Task;
use crate::search::{Index, Query, SearchOutcome, Searcher};
use crate::server::session::Session;
use crate::ui::action::{Action, Saved, SavedKind};
use crate::ui::app::{update, Effect, State};
use std::collections::VecDeque;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;

/// Where searches run: the worker thread in the terminal UI; inline (an `Index` here) for
/// tests and tools that want the answer at once.
pub trait Searching {
    /// Searches for `text` (None: cancel). An inline searcher answers at once.
    fn search(&mut self, text: Option<&str>) -> Option<Action>;
    /// The task changed; later searches must see it as it is now.
    fn reindex(&mut self, task: &Task);
}

impl Searching for Searcher {
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

impl Searching for Index {
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
pub fn perform(session: &Session, search: &mut dyn Searching, effect: Effect) -> Option<Action> {
    let (kind, what, result) = match effect {
        Effect::Search(text) => return search.search(text.as_deref()),
        Effect::Reindex(task) => {
            search.reindex(&task);
            return None;
        }
        Effect::SetStatus { number, status } => (
            SavedKind::Status,
            format!("task {number} to {}", status.label()),
            session.set_status(number, status, None),
        ),
        Effect::Undo(event) => (
            SavedKind::Undo,
            format!("undo on task {}", event.task),
            session.undo(&event),
        ),
        Effect::AddNote { number, text } => (
            SavedKind::Note,
            format!("note on task {number}"),
            session.add_note(number, &text),
        ),
        // As `suggest::accept` does on a ledger: a status event whose note is the reason.
        Effect::AcceptSuggestion { number, suggestion } => (
            SavedKind::Accept,
            format!(
                "suggested status {} for task {number}",
                suggestion.status.label()
            ),
            session.set_status(number, suggestion.status, Some(&suggestion.note())),
        ),
    };
    Some(match result {
        Ok(event) => Action::Saved(Box::new(Saved { kind, event })),
        Err(e) => Action::Failed {
            what,
            error: e.to_string(),
        },
    })
}

/// Feeds an action through `update`, runs the effects it returns and feeds their outcomes
/// back, until nothing is left to do.
pub fn dispatch(state: &mut State, session: &Session, search: &mut dyn Searching, action: Action) {
    let mut queue = VecDeque::from([action]);
    while let Some(a) = queue.pop_front() {
        for effect in update(state, a) {
            queue.extend(perform(session, search, effect));
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
            Effect::Search(text) => Searching::search(index, text.as_deref()),
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
