//! Runs the effects `update` asks for against the ledger, outside `update` and outside the
//! draw: each store write is flushed to disk before the ledger call returns, and only then
//! does the answer (`Saved`) reach the screen. Errors come back as words, never a crash.

use crate::ledger::Ledger;
use crate::ui::action::{Action, Saved, SavedKind};
use crate::ui::app::{update, Effect, State};
use std::collections::VecDeque;

/// Runs one effect and answers with the action that reports its outcome.
pub fn perform(ledger: &Ledger, effect: Effect) -> Action {
    let (kind, what, result) = match effect {
        Effect::SetStatus { number, status } => (
            SavedKind::Status,
            format!("task {number} to {}", status.label()),
            ledger.set_status(number, status, None),
        ),
        Effect::Undo(event) => (
            SavedKind::Undo,
            format!("undo on task {}", event.task),
            ledger.undo(&event),
        ),
        Effect::AddNote { number, text } => (
            SavedKind::Note,
            format!("note on task {number}"),
            ledger.add_note(number, &text),
        ),
        Effect::AcceptSuggestion { number, suggestion } => (
            SavedKind::Accept,
            format!(
                "suggested status {} for task {number}",
                suggestion.status.label()
            ),
            crate::suggest::accept(ledger, number, &suggestion),
        ),
    };
    match result {
        Ok(event) => Action::Saved(Box::new(Saved { kind, event })),
        Err(e) => Action::Failed {
            what,
            error: e.to_string(),
        },
    }
}

/// Feeds an action through `update`, runs the effects it returns and feeds their outcomes
/// back, until nothing is left to do.
pub fn dispatch(state: &mut State, ledger: &Ledger, action: Action) {
    let mut queue = VecDeque::from([action]);
    while let Some(a) = queue.pop_front() {
        for effect in update(state, a) {
            queue.push_back(perform(ledger, effect));
        }
    }
}
