//! The task lists: the main list (a domain tab under the search) and a unit's tasks —
//! moving, paging, switching tabs, opening a task.

use super::{keep_visible, movement, Effect, Input, InputKind, Screen, State, TABS};
use crate::model::TaskSummary;
use crate::ui::action::Action;
use crate::ui::view;

impl State {
    /// The rows of the task list on screen: the main list (tab + search) or a unit's tasks.
    pub fn list_tasks(&self) -> Vec<&TaskSummary> {
        let unit = match self.screen() {
            Some(Screen::UnitTasks { unit, .. }) => Some(unit.as_str()),
            _ => None,
        };
        self.tasks_for(unit)
    }

    /// The tasks of the current tab under the search: by number, or in rank order (best
    /// hit first) when a search is in force; with a `unit`, only those it leads or shares,
    /// the tasks it leads first, most lagging first (as `suggest::lagging_units` lists them).
    pub fn tasks_for(&self, unit: Option<&str>) -> Vec<&TaskSummary> {
        let Some(u) = unit else {
            return self.with_lists(|l| l.main.iter().filter_map(|&i| self.tasks.get(i)).collect());
        };
        let keep = |t: &&TaskSummary| self.in_tab(t) && t.involves(u);
        if let Some(f) = self.filtering() {
            return f
                .results
                .hits
                .iter()
                .filter_map(|h| self.task(h.number))
                .filter(keep)
                .collect();
        }
        let mut tasks: Vec<&TaskSummary> = self.tasks.iter().filter(keep).collect();
        tasks.sort_by_key(|t| crate::units::unit_task_order(t.leads(u), t.status, t.number));
        tasks
    }

    /// The selected task of the list on screen.
    pub fn list_selected(&self) -> Option<u32> {
        match self.screen() {
            Some(Screen::UnitTasks { selected, .. }) => *selected,
            _ => self.selected[self.tab],
        }
    }

    pub fn list_offset(&self) -> usize {
        match self.screen() {
            Some(Screen::UnitTasks { offset, .. }) => *offset,
            _ => self.offset,
        }
    }

    pub(super) fn set_list_selection(&mut self, number: Option<u32>, offset: usize) {
        match self.stack.last_mut() {
            Some(Screen::UnitTasks {
                selected,
                offset: o,
                ..
            }) => {
                *selected = number;
                *o = offset;
            }
            _ => {
                self.selected[self.tab] = number;
                self.offset = offset;
            }
        }
    }

    /// Rows available to a list on screen at the current size.
    pub fn list_rows(&self) -> usize {
        view::layout::list_rows(self.size)
    }

    pub(super) fn list_action(&mut self, action: Action) -> Vec<Effect> {
        if let Some(e) = self.shared_action(self.current_task(), &action) {
            return e;
        }
        if let Some((delta, page)) = movement(&action, self.list_rows()) {
            self.move_list(delta, page);
            return Vec::new();
        }
        match action {
            Action::NextTab => self.switch_tab(1),
            Action::PrevTab => self.switch_tab(TABS - 1),
            Action::Open => {
                if let Some(n) = self.current_task() {
                    self.open_detail(n);
                }
            }
            Action::Back => {
                if self.search.is_some() {
                    self.set_search(None);
                    self.info(crate::lang::t("已清除搜索", "search cleared"));
                    self.fix_scroll();
                } else if matches!(self.screen(), Some(Screen::UnitTasks { .. })) {
                    self.stack.pop();
                    self.fix_scroll();
                }
            }
            Action::Search => self.open_search(),
            Action::CycleOrder => self.cycle_order(),
            Action::CycleFilter => self.cycle_filter(),
            _ => {}
        }
        Vec::new()
    }

    pub(super) fn open_search(&mut self) {
        let current = self.search.clone();
        self.input = Some(Input::new(
            InputKind::Search,
            current.clone().unwrap_or_default(),
            current,
        ));
    }

    /// Moves the list selection by `delta` rows (clamped); a page move scrolls the view by the
    /// same amount so the selection keeps its place on screen.
    pub(super) fn move_list(&mut self, delta: isize, page: bool) {
        let numbers: Vec<u32> = self.list_tasks().iter().map(|t| t.number).collect();
        if numbers.is_empty() {
            return;
        }
        let rows = self.list_rows();
        let cur = self
            .list_selected()
            .and_then(|n| numbers.iter().position(|x| *x == n))
            .unwrap_or(0);
        let last = numbers.len() - 1;
        let idx = (cur as isize).saturating_add(delta).clamp(0, last as isize) as usize;
        let mut offset = self.list_offset();
        if page {
            offset = (offset as isize + delta).max(0) as usize;
        }
        let offset = keep_visible(offset, idx, rows, numbers.len());
        self.set_list_selection(Some(numbers[idx]), offset);
    }

    pub(super) fn switch_tab(&mut self, step: usize) {
        let current = self.list_selected();
        let is_main = self.screen().is_none();
        self.tab = (self.tab + step) % TABS;
        if is_main {
            // The selected task follows to the new tab when it is there; otherwise the tab's
            // own last selection, otherwise its first task.
            let visible: Vec<u32> = self.list_tasks().iter().map(|t| t.number).collect();
            let keep = current.filter(|n| visible.contains(n));
            let own = self.selected[self.tab].filter(|n| visible.contains(n));
            self.selected[self.tab] = keep.or(own).or(visible.first().copied());
        }
        self.fix_scroll();
    }
}
