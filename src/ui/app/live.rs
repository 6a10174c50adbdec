//! Edits from the shared database: everyone's committed events, announced by the server,
//! each with the task as it now is. The screen follows them without a key press, and the
//! status bar says who changed what when it is the task in view.

use super::{Effect, MessageKind, State};
use crate::model::{Change, Event, Task};
use crate::ui::action::Changed;
use crate::ui::text;

/// Someone's import, told as one line while its events arrive one per task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ImportTally {
    user: String,
    period: String,
    tasks: usize,
    /// The status line last said for it: the tally goes on only while that is still shown.
    said: String,
}

impl State {
    /// Adds an event to the history, in sequence order, once. False when it was there.
    pub(super) fn record(&mut self, event: Event) -> bool {
        let at = self.history.partition_point(|e| e.seq < event.seq);
        if self.history.get(at).is_some_and(|e| e.seq == event.seq) {
            return false;
        }
        self.history.insert(at, event);
        true
    }

    /// Someone's edit. Our own come back too and are skipped: `Saved` already applied them.
    pub(super) fn on_changed(&mut self, changed: Changed) {
        let Changed { event, task } = changed;
        let number = event.task;
        if !self.record(event.clone()) {
            return;
        }
        match task {
            Some(task) => self.put_task(task),
            None => self.apply_event(&event),
        }
        // Someone else changed the status: undoing ours now would overwrite theirs.
        let dropped_undo = matches!(event.change, Change::Status { .. })
            && self.undo.iter().any(|e| e.task == number);
        if dropped_undo {
            self.undo.retain(|e| e.task != number);
        }
        let viewing = self.current_task() == Some(number);
        self.task_changed(number);
        self.fix_scroll();
        // Tell about the task in view always (over anything else the status bar says);
        // about others unless an error or a
        // confirmation of one's own edit is on the status bar.
        let quiet = self
            .message
            .as_ref()
            .is_none_or(|m| m.kind == MessageKind::Info);
        if viewing || quiet || dropped_undo {
            let time = event.at.with_timezone(&self.tz).format("%H:%M");
            let mut text = match self.tally_import(&event) {
                Some(n) if n > 1 => {
                    let period = match &event.change {
                        Change::Import { period, .. } => text::clean(period),
                        _ => String::new(),
                    };
                    crate::tr!(
                        "{} 导入了 {n} 项任务（{period}）（{time}）",
                        "{} imported {n} tasks ({period}) ({time})",
                        text::clean(&event.user)
                    )
                }
                _ => crate::tr!(
                    "{}（{time}）",
                    "{} ({time})",
                    crate::words::who_did(&event, self.theme.arrow())
                ),
            };
            if dropped_undo {
                text.push_str(crate::lang::t(
                    " · 你对它的撤销已失效",
                    " · your undo for it is dropped",
                ));
            }
            if let Some(t) = self.live_imports.as_mut() {
                t.said = text.clone();
            }
            self.info(text);
        }
    }

    /// Counts an import event into the tally of the import it belongs to (same person, same
    /// period, its line still on the status bar); None for other events.
    fn tally_import(&mut self, event: &Event) -> Option<usize> {
        let Change::Import { period, .. } = &event.change else {
            self.live_imports = None;
            return None;
        };
        let shown = self.message.as_ref().map(|m| m.text.as_str());
        match self.live_imports.as_mut() {
            Some(t)
                if t.user == event.user
                    && &t.period == period
                    && Some(t.said.as_str()) == shown =>
            {
                t.tasks += 1;
            }
            _ => {
                self.live_imports = Some(ImportTally {
                    user: event.user.clone(),
                    period: period.clone(),
                    tasks: 1,
                    said: String::new(),
                })
            }
        }
        self.live_imports.as_ref().map(|t| t.tasks)
    }

    /// Edits announced by the server, in order. What an event says is applied as it says it
    /// (a status, a domain, a goal, a note); tasks an import or a period rename changed are
    /// read again, all in one request.
    pub(super) fn on_events(&mut self, events: Vec<Event>) {
        let imported = events
            .iter()
            .any(|e| matches!(e.change, Change::Import { .. }));
        let mut fetch: Vec<u32> = events
            .iter()
            .filter(|e| {
                matches!(
                    e.change,
                    Change::Import { .. } | Change::PeriodRenamed { .. }
                )
            })
            .map(|e| e.task)
            .collect();
        for event in events {
            self.on_changed(Changed { event, task: None });
        }
        fetch.sort_unstable();
        fetch.dedup();
        if !fetch.is_empty() {
            self.pending.push(Effect::Fetch(fetch));
        }
        // An import may have replaced every task; the tasks it removed have no event.
        if imported {
            self.pending.push(Effect::Prune);
        }
    }

    /// Which tasks there are, read after someone's import: the tasks here that are not
    /// among them and have no event from `as_of` on (an edit since could have brought them
    /// back) were removed by an import that replaced the tasks, and go.
    pub(super) fn on_present(&mut self, numbers: &[u32], as_of: u64) {
        let present: std::collections::HashSet<u32> = numbers.iter().copied().collect();
        let recent: std::collections::HashSet<u32> = self
            .history
            .iter()
            .rev()
            .take_while(|e| e.seq >= as_of)
            .map(|e| e.task)
            .collect();
        let gone: Vec<u32> = self
            .tasks
            .iter()
            .map(|t| t.number)
            .filter(|n| !present.contains(n) && !recent.contains(n))
            .collect();
        if gone.is_empty() {
            return;
        }
        self.remove_tasks(&gone);
        let in_view = self.current_task().filter(|n| gone.contains(n));
        if let Some(n) = in_view {
            self.stack.retain(|s| s.task_number() != Some(n));
            self.info(crate::tr!(
                "任务 {n} 已被替换全部任务的导入删除",
                "task {n} was removed by an import that replaced the tasks"
            ));
        }
        self.fix_scroll();
    }

    /// Puts the task as it now is in place (a new one, from an import, is added).
    pub(super) fn put_task(&mut self, task: Task) {
        self.put_tasks(vec![task]);
    }

    /// The shared server went away or came back.
    pub(super) fn on_connection(&mut self, down: Option<String>) {
        match down {
            Some(reason) => {
                self.error(crate::tr!(
                    "与共享数据库断开（{}）；正在重连…重连前不能修改",
                    "lost the shared database ({}); reconnecting… edits are refused until then",
                    text::clean(&reason)
                ));
                self.offline = Some(reason);
            }
            None => {
                if self.offline.take().is_some() {
                    self.ok(crate::lang::t(
                        "已重新连上共享数据库；断开期间的修改随后显示",
                        "reconnected to the shared database; missed edits follow",
                    ));
                }
            }
        }
    }
}
