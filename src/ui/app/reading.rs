//! The text screens: a task's detail, the diff of its periods, the help — scrolling (clamped
//! to where the view last drew the end), the diff toggle, accepting a suggestion.

use super::{movement, Effect, Screen, State};
use crate::model::Task;
use crate::text;
use crate::ui::action::Action;
use crate::ui::view;

impl State {
    pub(super) fn detail_action(&mut self, action: Action) -> Vec<Effect> {
        if let Some(e) = self.shared_action(self.current_task(), &action) {
            return e;
        }
        if let Some((delta, _)) = movement(&action, view::layout::detail_rows(self.size)) {
            self.scroll_by(delta);
            return Vec::new();
        }
        match action {
            Action::Back => {
                self.stack.pop();
                self.fix_scroll();
            }
            Action::Search => {
                if matches!(self.screen(), Some(Screen::Diff { .. })) {
                    self.stack.pop();
                }
                self.stack.pop();
                self.open_search();
            }
            Action::ToggleDiff => self.toggle_diff(),
            Action::NextTask => self.step_task(1),
            Action::PrevTask => self.step_task(-1),
            _ => {}
        }
        Vec::new()
    }

    /// `]` / `[` in a detail: the next (previous) task of the list below it — a unit's
    /// tasks or the main list under its tab and search — which also moves that list's
    /// selection, so going back lands on the task last read.
    pub(super) fn step_task(&mut self, delta: isize) {
        let Some(number) = self.screen().and_then(Screen::task_number) else {
            return;
        };
        // The diff of one task does not turn into the diff of another: back to the detail.
        if matches!(self.screen(), Some(Screen::Diff { .. })) {
            self.stack.pop();
        }
        let detail = self.stack.pop();
        let list: Vec<u32> = self.list_tasks().iter().map(|t| t.number).collect();
        let next = list
            .iter()
            .position(|n| *n == number)
            .and_then(|i| i.checked_add_signed(delta))
            .and_then(|i| list.get(i).copied());
        match next {
            Some(next) => {
                let offset = self.list_offset();
                self.set_list_selection(Some(next), offset);
                self.fix_scroll();
                self.open_detail(next);
            }
            None => {
                if let Some(d) = detail {
                    self.stack.push(d);
                }
                self.info(if !list.contains(&number) {
                    crate::lang::t(
                        "此任务不在当前列表中：返回列表再选",
                        "this task is not in the current list: go back to the list and pick again",
                    )
                    .to_string()
                } else if delta > 0 {
                    crate::tr!(
                        "#{number} 已是列表的最后一项",
                        "#{number} is the last in the list"
                    )
                } else {
                    crate::tr!(
                        "#{number} 已是列表的第一项",
                        "#{number} is the first in the list"
                    )
                });
            }
        }
    }

    /// `d`: the diff of the open task's latest period against the previous one, or back.
    pub(super) fn toggle_diff(&mut self) {
        match self.screen() {
            Some(Screen::Diff { .. }) => {
                self.stack.pop();
                self.fix_scroll();
            }
            Some(Screen::Detail { number, .. }) => {
                let number = *number;
                let Some(task) = self.task(number) else {
                    return;
                };
                match (task.periods, &task.latest_period) {
                    (0, _) | (_, None) => self.info(crate::tr!(
                        "#{number} 还没有报告进展，无可对比",
                        "#{number} has no reported progress yet: nothing to compare"
                    )),
                    (1, Some(only)) => {
                        let name = text::clean(only);
                        self.info(crate::tr!(
                            "#{number} 只有一个报告期（{name}），无可对比",
                            "#{number} has one period only ({name}): nothing to compare"
                        ))
                    }
                    _ => {
                        self.stack.push(Screen::Diff { number, scroll: 0 });
                        self.fix_scroll();
                    }
                }
            }
            _ => {}
        }
    }

    /// Why task `number` has no suggested status, in words (for the status bar and the
    /// detail): from its latest period's text when the whole task is here, otherwise from
    /// what its summary says.
    pub fn no_suggestion_reason(&self, number: u32) -> String {
        if let Some(task) = self.detail(number) {
            return self.no_suggestion_reason_in(task);
        }
        let name = self
            .task(number)
            .and_then(|t| t.latest_period.as_deref())
            .map(text::clean);
        crate::suggest::no_suggestion_reason(
            name.as_deref(),
            None,
            &self.schedule,
            crate::lang::get(),
        )
    }

    fn no_suggestion_reason_in(&self, task: &Task) -> String {
        let p = task.latest_period();
        let name = p.map(|p| text::clean(&p.name));
        let body = p.map(|p| p.paragraphs.join("\n"));
        crate::suggest::no_suggestion_reason(
            name.as_deref(),
            body.as_deref(),
            &self.schedule,
            crate::lang::get(),
        )
    }

    /// `a`: accept the task's suggested status, as an effect; says why when there is nothing
    /// to accept.
    pub(super) fn suggestion_action(
        &mut self,
        number: Option<u32>,
        action: &Action,
    ) -> Option<Vec<Effect>> {
        if *action != Action::AcceptSuggestion {
            return None;
        }
        let Some((number, current)) = self.edit_target(number) else {
            return Some(Vec::new());
        };
        let Some(suggestion) = self.suggestion(number).cloned() else {
            let why = self.no_suggestion_reason(number);
            self.info(crate::tr!(
                "#{number} 没有建议状态：{why}",
                "#{number} has no suggested status: {why}"
            ));
            return Some(Vec::new());
        };
        if suggestion.status == current {
            self.info(crate::tr!(
                "#{number} 已是 {}（即建议状态），未作修改",
                "#{number} is already {} (the suggested status): nothing changed",
                current.label()
            ));
            return Some(Vec::new());
        }
        Some(vec![Effect::AcceptSuggestion { number, suggestion }])
    }

    pub(super) fn scroll_by(&mut self, delta: isize) {
        let end = self.text_end.get();
        if let Some(
            Screen::Detail { scroll, .. }
            | Screen::Diff { scroll, .. }
            | Screen::Review { scroll, .. }
            | Screen::Help { scroll },
        ) = self.stack.last_mut()
        {
            // Past the end as last drawn it does not go: a key up after End moves at once.
            let from = end.map_or(*scroll, |e| (*scroll).min(e));
            let to = (from as isize).saturating_add(delta).max(0) as usize;
            *scroll = end.map_or(to, |e| to.min(e));
        }
        self.fix_scroll();
    }

    pub(super) fn help_action(&mut self, action: Action) -> Vec<Effect> {
        if let Some((delta, _)) = movement(&action, view::layout::detail_rows(self.size)) {
            self.scroll_by(delta);
        } else if matches!(action, Action::Help | Action::Back | Action::Cancel) {
            self.stack.pop();
        }
        Vec::new()
    }
}
