//! The search line's side of the state: every change of the typed text asks the search
//! worker for results (`Effect::Search`), results come back as `Action::Found` and are kept
//! only when they answer what is typed now, and Enter on `#52` jumps to task 52.

use super::{Effect, Found, Screen, State};
use crate::search::{Query, SearchOutcome, Term};

impl State {
    /// Puts `text` in force as the search and asks for its results; `None` clears it.
    pub(super) fn set_search(&mut self, text: Option<String>) {
        if text == self.search {
            return;
        }
        self.search = text.clone();
        if text.is_none() {
            self.found = None;
            self.changed();
        }
        self.pending.push(Effect::Search(text));
    }

    /// Results from the worker. Stale ones (for a text since changed) are dropped; fresh
    /// ones for a new text put the best hit at the top and select it.
    pub(super) fn on_found(&mut self, outcome: SearchOutcome) {
        if self.search.as_deref() != Some(outcome.text.as_str()) {
            return;
        }
        let same_text = self.found.as_ref().map(|f| &f.text) == Some(&outcome.text);
        self.found = Some(Found::new(outcome));
        self.changed();
        self.refresh_lists();
        if !same_text {
            // A new text: the best hit first and selected. A refresh of the same text (after
            // an edit) keeps the selection where the person put it.
            let first = self.list_tasks().first().map(|t| t.number);
            match self.stack.last_mut() {
                Some(Screen::UnitTasks {
                    selected, offset, ..
                }) => {
                    *selected = first;
                    *offset = 0;
                }
                _ => {
                    self.selected[self.tab] = first;
                    self.offset = 0;
                }
            }
        }
        self.fix_scroll();
    }

    /// Enter in the search line: an empty text clears the search; `#52` alone opens task 52
    /// (the list keeps no filter, so Back returns to it with task 52 selected); anything
    /// else stays in force as the list's filter.
    pub(super) fn submit_search(&mut self, text: String) {
        if text.is_empty() {
            self.set_search(None);
            self.fix_scroll();
            return;
        }
        if let Some(number) = lone_number(&text) {
            if self.task(number).is_some() {
                self.jump_to(number);
                return;
            }
            self.set_search(Some(text));
            self.fix_scroll();
            self.info(crate::tr!("没有任务 {number}", "there is no task {number}"));
            return;
        }
        self.set_search(Some(text.clone()));
        self.fix_scroll();
        let n = self.searched_count();
        let pending = if self.searching() {
            crate::lang::t("（仍在搜索）", " (still searching)")
        } else {
            ""
        };
        self.info(crate::tr!(
            "搜索“{text}”：显示 {n} 项{pending} · Esc 清除",
            "filter \"{text}\": {n} shown{pending} · Esc clears"
        ));
    }

    /// Opens a task's detail from the main list, selecting it there (in its tab when the
    /// current tab does not show it).
    fn jump_to(&mut self, number: u32) {
        self.set_search(None);
        self.stack
            .retain(|s| !matches!(s, Screen::UnitTasks { .. } | Screen::Units { .. }));
        if !self.task(number).is_some_and(|t| self.in_tab(t)) {
            self.tab = 0;
        }
        self.selected[self.tab] = Some(number);
        self.fix_scroll();
        self.open_detail(number);
        self.info(crate::tr!("任务 {number}", "task {number}"));
    }

    /// A task changed (an edit saved here or announced by the server): the index must see
    /// it, and a search in force must be run again (a `status:` search may gain or lose it).
    /// The index takes whole tasks: one not held here is read (and indexed on arrival).
    pub(super) fn task_changed(&mut self, number: u32) {
        match self.detail(number) {
            Some(task) => {
                let task = Box::new(task.clone());
                self.pending.push(Effect::Reindex(task));
                self.search_again();
            }
            None if self.task(number).is_some() => self.pending.push(Effect::Fetch(vec![number])),
            None => self.search_again(),
        }
    }

    /// Whole tasks arrived (and went to the index as they were put): the search in force
    /// runs again once.
    pub(super) fn tasks_changed(&mut self) {
        self.search_again();
    }

    fn search_again(&mut self) {
        if let Some(text) = &self.search {
            self.pending.push(Effect::Search(Some(text.clone())));
        }
    }

    /// The first problem with the query in force (`'#abc' is not a task number`), if any.
    pub fn search_warning(&self) -> Option<&str> {
        let f = self.found.as_ref()?;
        if self.search.as_ref() != Some(&f.text) {
            return None;
        }
        f.results.query.warnings.first().map(String::as_str)
    }

    /// The unit names nearest to a search that found nothing.
    pub fn search_suggestions(&self) -> &[String] {
        match &self.found {
            Some(f) if f.results.hits.is_empty() => &f.results.suggestions,
            _ => &[],
        }
    }
}

/// The task number of a query that is only `#N`.
fn lone_number(text: &str) -> Option<u32> {
    match Query::parse(text).terms.as_slice() {
        [Term::Number { number }] => *number,
        _ => None,
    }
}
