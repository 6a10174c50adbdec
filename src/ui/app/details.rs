//! Whole tasks, for the screens that show one (detail, diff). The lists draw summaries
//! (`State::tasks`); a task's progress text and notes are read when its detail opens and
//! kept for the few tasks read last, so a UI over 100,000 tasks holds what it draws.
//!
//! A state made from whole tasks (`State::new`: tests, tools, benches) keeps them all; the
//! terminal UI calls `details_on_demand` once its first page is drawn.

use super::{Effect, State};
use crate::model::{Change, DomainDecision, Event, Task, TaskSummary};
use crate::search::Field;
use std::collections::{HashMap, HashSet, VecDeque};

/// How many whole tasks a UI keeps when it reads them on demand: the rows of a tall
/// terminal's search results and the last few details opened (a few KB each).
pub const KEPT_DETAILS: usize = 256;

/// Whole tasks by number, the oldest dropped first when bounded.
#[derive(Debug, Clone, Default)]
pub(super) struct Details {
    tasks: HashMap<u32, Task>,
    /// Numbers in the order they were put, oldest first (bounded caches only).
    order: VecDeque<u32>,
    /// None: every task is kept (a state made from whole tasks).
    cap: Option<usize>,
    /// Asked for and not here yet (not asked again meanwhile).
    asked: HashSet<u32>,
}

impl Details {
    pub(super) fn all(tasks: &[Task]) -> Details {
        Details {
            tasks: tasks.iter().map(|t| (t.number, t.clone())).collect(),
            cap: None,
            ..Details::default()
        }
    }

    pub(super) fn get(&self, number: u32) -> Option<&Task> {
        self.tasks.get(&number)
    }

    fn get_mut(&mut self, number: u32) -> Option<&mut Task> {
        self.tasks.get_mut(&number)
    }

    pub(super) fn contains(&self, number: u32) -> bool {
        self.tasks.contains_key(&number)
    }

    fn keeps_all(&self) -> bool {
        self.cap.is_none()
    }

    /// Keeps `task`, dropping the oldest kept one when full.
    fn put(&mut self, task: Task) {
        let number = task.number;
        if self.tasks.insert(number, task).is_none() {
            if let Some(cap) = self.cap {
                self.order.push_back(number);
                while self.order.len() > cap {
                    if let Some(old) = self.order.pop_front() {
                        self.tasks.remove(&old);
                    }
                }
            }
        }
    }

    pub(super) fn remove(&mut self, number: u32) {
        if self.tasks.remove(&number).is_some() {
            self.order.retain(|n| *n != number);
        }
    }
}

impl State {
    /// The whole task (progress, notes), when it is here; see [`State::task`] for what
    /// the lists show of every task.
    pub fn detail(&self, number: u32) -> Option<&Task> {
        self.details.get(number)
    }

    /// Every whole task this state holds, by number (all of them for a state made from
    /// whole tasks; tests build their search index from these).
    pub fn full_tasks(&self) -> Vec<Task> {
        let mut all: Vec<Task> = self.details.tasks.values().cloned().collect();
        all.sort_by_key(|t| t.number);
        all
    }

    /// From now on whole tasks are read when a detail opens, and only the last
    /// [`KEPT_DETAILS`] are kept. Returns the whole tasks held so far, for the search index
    /// (which keeps their text in its own form).
    pub fn details_on_demand(&mut self) -> Vec<Task> {
        let held = std::mem::take(&mut self.details);
        self.details = Details {
            cap: Some(KEPT_DETAILS),
            ..Details::default()
        };
        let mut tasks: Vec<Task> = held.tasks.into_values().collect();
        tasks.sort_by_key(|t| t.number);
        tasks
    }

    /// Asks for a task's whole text when it is not here (its detail is opening).
    pub(super) fn want_detail(&mut self, number: u32) {
        self.want(vec![number]);
    }

    /// Asks for the whole tasks of the search hits on screen whose hit is in their text
    /// (a unit, a note, a progress paragraph): the rows show the matched words from it.
    pub(super) fn want_shown_hits(&mut self) {
        if self.details.keeps_all() || self.search.is_none() {
            return;
        }
        let numbers: Vec<u32> = self
            .list_tasks()
            .iter()
            .skip(self.list_offset())
            .take(self.list_rows())
            .filter(|t| {
                self.hit(t.number)
                    .is_some_and(|h| matches!(h.field, Field::Unit | Field::Note | Field::Progress))
            })
            .map(|t| t.number)
            .collect();
        self.want(numbers);
    }

    fn want(&mut self, numbers: Vec<u32>) {
        let missing: Vec<u32> = numbers
            .into_iter()
            .filter(|&n| {
                !self.details.contains(n)
                    && !self.details.asked.contains(&n)
                    && self.task(n).is_some()
            })
            .collect();
        if !missing.is_empty() {
            self.details.asked.extend(missing.iter().copied());
            self.pending.push(Effect::Show(missing));
        }
    }

    /// Whole tasks read to be shown arrived.
    pub(super) fn on_shown(&mut self, tasks: Vec<Task>) {
        for task in tasks {
            self.details.asked.remove(&task.number);
            if self.task(task.number).is_some() {
                self.details.put(task);
            }
        }
    }

    /// A read failed: what was asked may be asked again.
    pub(super) fn forget_asked(&mut self) {
        self.details.asked.clear();
    }

    /// True when a whole task read from the session is worth keeping: every task is kept,
    /// or this one was kept already, or its detail (or diff) is open.
    pub(super) fn keeps_detail(&self, number: u32) -> bool {
        self.details.keeps_all()
            || self.details.contains(number)
            || self.stack.iter().any(|s| s.task_number() == Some(number))
    }

    pub(super) fn keep_detail(&mut self, task: Task) {
        self.details.put(task);
    }

    pub(super) fn drop_detail(&mut self, number: u32) {
        self.details.remove(number);
    }

    /// Applies what an event says to the task's summary and, when it is here, the whole
    /// task (no reading back). Imports and period renames change the progress text, which
    /// no event carries: those tasks are read again (`on_events`).
    pub(super) fn apply_event(&mut self, event: &Event) {
        self.changed();
        if let Some(summary) = self.task_mut(event.task) {
            apply_to_summary(summary, &event.change);
        }
        if let Some(task) = self.details.get_mut(event.task) {
            apply_to_task(task, event);
        }
    }
}

fn apply_to_summary(summary: &mut TaskSummary, change: &Change) {
    match change {
        Change::Status { to, .. } => summary.status = *to,
        Change::Move { to, .. } => summary.domain = *to,
        Change::Goal { to, .. } => summary.goal = to.clone(),
        Change::Note { .. }
        | Change::NoteEdited { .. }
        | Change::NoteRemoved { .. }
        | Change::NoteRestored { .. }
        | Change::Import { .. }
        | Change::PeriodRenamed { .. } => {}
    }
}

fn apply_to_task(task: &mut Task, event: &Event) {
    match &event.change {
        Change::Status { to, .. } => task.status = *to,
        Change::Move { to, .. } => {
            task.domain = *to;
            task.domain_decision = DomainDecision {
                rule: "manual".into(),
                reason: format!("moved by {}", event.user),
                manual: true,
            };
        }
        Change::Goal { to, .. } => {
            task.goal = to.clone();
            task.goal_edited = true;
        }
        Change::Note { .. }
        | Change::NoteEdited { .. }
        | Change::NoteRemoved { .. }
        | Change::NoteRestored { .. } => {
            task.apply_note_event(event);
        }
        Change::Import { .. } | Change::PeriodRenamed { .. } => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(number: u32) -> Task {
        Task {
            number,
            section: None,
            goal: format!("goal {number}"),
            goal_edited: false,
            lead_units: Vec::new(),
            co_units: Vec::new(),
            domain: crate::model::Domain::Reform,
            domain_decision: DomainDecision {
                rule: "fallback".into(),
                reason: String::new(),
                manual: false,
            },
            status: crate::model::Status::NotStarted,
            notes: Vec::new(),
            periods: Vec::new(),
        }
    }

    #[test]
    fn a_bounded_cache_drops_the_oldest_task_first() {
        let mut d = Details {
            cap: Some(2),
            ..Details::default()
        };
        d.put(task(1));
        d.put(task(2));
        d.put(task(1));
        d.put(task(3));
        assert!(!d.contains(1) && d.contains(2) && d.contains(3));
        d.remove(2);
        d.put(task(4));
        assert!(d.contains(3) && d.contains(4));
    }
}
