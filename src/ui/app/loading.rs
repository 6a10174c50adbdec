//! What the UI reads while it is used: the tasks after the first page (the screen is drawn
//! before they are all here), a task's history when its detail opens, tasks read again
//! after someone's import. Each is asked for as an effect and arrives as an action, so
//! nothing here waits.

use super::{Effect, Screen, State};
use crate::model::{Event, Task, TaskSummary};
use crate::ui::action::{PageKind, TasksPage};

impl State {
    /// The first page of a database bigger than one page is here: the rest is read after
    /// `next` while the UI is used.
    pub fn load_rest_after(&mut self, next: Option<u32>) {
        self.loading = next.map(|_| self.tasks.len());
        if let Some(n) = next {
            self.pending.push(Effect::LoadTasks(n));
        }
    }

    /// The history is not all here: a task's history is read when its detail opens.
    pub fn history_on_demand(&mut self) {
        self.history_complete = false;
    }

    /// Opens a task's detail, asking for its history when it is not here yet.
    pub(super) fn open_detail(&mut self, number: u32) {
        self.stack.push(Screen::Detail { number, scroll: 0 });
        self.want_detail(number);
        if !self.history_complete && !self.history_loaded.contains(&number) {
            self.pending.push(Effect::LoadHistory(number));
        }
    }

    /// True when the detail can show the task's whole history.
    pub fn history_here(&self, number: u32) -> bool {
        self.history_complete || self.history_loaded.contains(&number)
    }

    pub(super) fn on_tasks(&mut self, page: TasksPage) {
        let TasksPage { tasks, next, kind } = page;
        if kind == PageKind::Shown {
            self.on_shown(tasks);
            return;
        }
        self.put_tasks(tasks);
        if kind == PageKind::Load {
            self.load_rest_after(next);
        }
        self.tasks_changed();
        self.fix_scroll();
    }

    pub(super) fn on_history(&mut self, number: u32, result: Result<Vec<Event>, String>) {
        match result {
            Ok(events) => {
                for e in events {
                    self.record(e);
                }
                self.history_loaded.insert(number);
            }
            Err(e) => self.error(crate::tr!(
                "读不到 #{number} 的历史记录：{}",
                "cannot read the history of task {number}: {}",
                crate::text::clean(&e)
            )),
        }
        self.fix_scroll();
    }

    /// Takes tasks that are gone out of the lists, the suggestions and the search index.
    pub(super) fn remove_tasks(&mut self, numbers: &[u32]) {
        let gone: std::collections::HashSet<u32> = numbers.iter().copied().collect();
        self.tasks.retain(|t| !gone.contains(&t.number));
        self.slots = super::slots(&self.tasks);
        for n in numbers {
            self.suggestions.remove(n);
            self.drop_detail(*n);
            self.undo.retain(|e| e.task != *n);
            self.pending.push(Effect::Unindex(*n));
        }
        for selected in &mut self.selected {
            if selected.is_some_and(|n| gone.contains(&n)) {
                *selected = None;
            }
        }
        self.changed();
        if let Some(text) = &self.search {
            self.pending.push(Effect::Search(Some(text.clone())));
        }
    }

    /// Puts many whole tasks in place at once: one sort and one rebuild of the number map,
    /// not one per task (a page holds thousands). The lists keep their summaries, the
    /// search index and the suggestions take what they need of the text, and the whole
    /// task is kept only when a screen shows it (see `details`).
    pub(super) fn put_tasks(&mut self, tasks: Vec<Task>) {
        if tasks.is_empty() {
            return;
        }
        self.changed();
        let mut added = false;
        for task in tasks {
            match crate::suggest::suggest_task(&task, &self.schedule) {
                Some(s) => {
                    self.suggestions.insert(task.number, s);
                }
                None => {
                    self.suggestions.remove(&task.number);
                }
            }
            let summary = TaskSummary::of(&task);
            match self.slot(task.number) {
                Some(i) => self.tasks[i] = summary,
                None => {
                    self.tasks.push(summary);
                    added = true;
                }
            }
            if self.keeps_detail(task.number) {
                self.pending.push(Effect::Reindex(Box::new(task.clone())));
                self.keep_detail(task);
            } else {
                self.pending.push(Effect::Reindex(Box::new(task)));
            }
        }
        if added {
            // Pages arrive in number order after what is here: usually already sorted.
            if !self.tasks.is_sorted_by_key(|t| t.number) {
                self.tasks.sort_by_key(|t| t.number);
            }
            self.slots = super::slots(&self.tasks);
        }
    }
}
