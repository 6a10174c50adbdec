//! Review mode (复核, `r`): the quarter's real job — a new report came in, every task is read
//! and judged. It walks the tasks of the latest period, those the report updated first and
//! then those it left out, one screen per task; one key judges and moves on (`1`–`5` a
//! status, `a` the suggestion, Space keeps the status as it is). Leaving keeps the place:
//! `r` again resumes at the first task not judged yet.

use super::{movement, Effect, Screen, State};
use crate::ui::action::Action;
use crate::ui::view;
use std::collections::BTreeSet;

/// A review in progress: which tasks, in which order, how far, what was judged.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Review {
    /// The latest report period the review is about.
    pub period: String,
    /// The tasks to judge: the report's updated ones, then those it left out, each by number.
    pub queue: Vec<u32>,
    /// How many of `queue` (from its start) the report updated.
    pub updated: usize,
    /// The position in `queue` of the task on screen.
    pub pos: usize,
    /// The tasks judged in this review (a status set or kept).
    pub judged: BTreeSet<u32>,
    /// Of those, the ones whose status the judgement changed.
    pub changed: usize,
}

impl Review {
    /// The review of `period`: the tasks whose latest period it is (updated), then the
    /// others (left out), each group by number.
    pub fn of<'a>(
        period: &str,
        tasks: impl Iterator<Item = &'a crate::model::TaskSummary>,
    ) -> Review {
        let (mut updated, mut left_out): (Vec<u32>, Vec<u32>) = (Vec::new(), Vec::new());
        for t in tasks {
            if super::order::reported_in(t, Some(period)) {
                updated.push(t.number);
            } else {
                left_out.push(t.number);
            }
        }
        updated.sort_unstable();
        left_out.sort_unstable();
        let n = updated.len();
        updated.extend(left_out);
        Review {
            period: period.to_string(),
            queue: updated,
            updated: n,
            pos: 0,
            judged: BTreeSet::new(),
            changed: 0,
        }
    }

    pub fn current(&self) -> Option<u32> {
        self.queue.get(self.pos).copied()
    }

    /// How many tasks are still to judge.
    pub fn left(&self) -> usize {
        self.queue.len() - self.judged.len().min(self.queue.len())
    }

    /// True when the task at `pos` was updated by the report (not left out).
    pub fn is_updated(&self, pos: usize) -> bool {
        pos < self.updated
    }

    /// The first task not judged after `pos`, else the first before it.
    fn next_unjudged(&self, from: usize) -> Option<usize> {
        let after = (from + 1..self.queue.len()).find(|&i| !self.judged.contains(&self.queue[i]));
        after.or_else(|| {
            (0..=from.min(self.queue.len().saturating_sub(1)))
                .find(|&i| !self.judged.contains(&self.queue[i]))
        })
    }
}

/// How many judgements between two keepings of the review's place.
const KEEP_EVERY: usize = 10;

impl State {
    /// A review kept from an earlier run of the UI (`ui::resume`): taken when it is about
    /// the latest report, with the tasks that are gone left out; the start screen says how
    /// far it got.
    pub fn resume_review(&mut self, kept: Option<Review>) {
        let Some(mut r) = kept else {
            return;
        };
        if self.latest_report_period().as_deref() != Some(r.period.as_str()) {
            return;
        }
        // Tasks gone since (someone's import replaced them) leave the walk; while the tasks
        // are still being read, what is not here yet is not gone.
        if self.loading.is_none() {
            let current = r.current();
            let updated: std::collections::HashSet<u32> = r.queue[..r.updated.min(r.queue.len())]
                .iter()
                .copied()
                .collect();
            r.queue.retain(|n| self.task(*n).is_some());
            r.judged.retain(|n| self.task(*n).is_some());
            r.updated = r.queue.iter().filter(|n| updated.contains(n)).count();
            r.pos = current
                .and_then(|c| r.queue.iter().position(|n| *n == c))
                .unwrap_or(0);
        }
        r.pos = r.pos.min(r.queue.len().saturating_sub(1));
        let offered = self
            .message
            .as_ref()
            .is_some_and(|m| m.text.contains(&r.period) && m.kind == super::MessageKind::Info);
        if offered {
            let key = self
                .keymap
                .hint(crate::ui::keymap::Mode::List, &Action::Review)
                .unwrap_or_else(|| "r".into());
            let text = if r.left() == 0 {
                crate::tr!(
                    "{} 的 {} 项任务都已复核",
                    "all {1} tasks of {0} are reviewed",
                    r.period,
                    r.queue.len()
                )
            } else {
                crate::tr!(
                    "复核 {}：已判断 {}/{} 项，按 {key} 继续",
                    "reviewing {}: {}/{} judged, {key} goes on",
                    r.period,
                    r.judged.len(),
                    r.queue.len()
                )
            };
            self.info(text);
        }
        self.review = Some(r);
    }

    /// The latest report period among the tasks: that of the tasks with the most periods
    /// (a new report adds one period to the tasks it updates).
    pub fn latest_report_period(&self) -> Option<String> {
        self.tasks
            .iter()
            .filter(|t| t.latest_period.is_some())
            .max_by_key(|t| t.periods)
            .and_then(|t| t.latest_period.clone())
    }

    /// What the start screen says of the latest report: how many tasks it updated and left
    /// out, and that `r` reviews them. None when there is no report yet.
    pub fn review_offer(&self) -> Option<String> {
        let period = self.latest_report_period()?;
        let key = self
            .keymap
            .hint(crate::ui::keymap::Mode::List, &Action::Review)?;
        let updated = self
            .tasks
            .iter()
            .filter(|t| super::order::reported_in(t, Some(&period)))
            .count();
        let left_out = self.tasks.len() - updated;
        let tail = if left_out > 0 {
            crate::tr!(
                "，{left_out} 项本期未报告",
                ", {left_out} not reported this period"
            )
        } else {
            String::new()
        };
        Some(crate::tr!(
            "{period}：{updated} 项有新进展{tail} · 按 {key} 逐项复核",
            "{period}: {updated} tasks have new progress{tail} · {key} reviews them one by one"
        ))
    }

    /// `r`: starts the review of the latest period, or resumes the one left.
    pub(super) fn start_review(&mut self) {
        let Some(period) = self.latest_report_period() else {
            self.info(crate::lang::t(
                "还没有导入任何报告，无可复核：先按 i 导入报告",
                "no report imported yet, nothing to review: i imports one",
            ));
            return;
        };
        let resumable = self
            .review
            .as_ref()
            .is_some_and(|r| r.period == period && r.left() > 0);
        if !resumable {
            let fresh = Review::of(&period, self.tasks.iter());
            if self.review.as_ref().is_some_and(|r| r.period == period) {
                self.info(crate::tr!(
                    "{period} 的任务都已复核过：从头再看一遍",
                    "every task of {period} is reviewed: starting over"
                ));
            }
            self.review = Some(fresh);
        } else if let Some(r) = self.review.as_mut() {
            // Resume at the task on screen when left, unless it was judged since.
            if r.current().is_none_or(|n| r.judged.contains(&n)) {
                r.pos = r.next_unjudged(r.pos).unwrap_or(0);
            }
        }
        if self.review.as_ref().is_some_and(|r| r.queue.is_empty()) {
            self.review = None;
            self.info(crate::lang::t("没有任务可复核", "no task to review"));
            return;
        }
        self.stack.retain(|s| !matches!(s, Screen::Review { .. }));
        self.show_review_task();
    }

    /// Puts the review's current task on screen (replacing the review screen on top).
    fn show_review_task(&mut self) {
        let Some(number) = self.review.as_ref().and_then(Review::current) else {
            return;
        };
        if matches!(self.screen(), Some(Screen::Review { .. })) {
            self.stack.pop();
        }
        self.stack.push(Screen::Review { number, scroll: 0 });
        self.want_detail(number);
        // The next one is read meanwhile, so that judging never waits for the server.
        if let Some(next) = self
            .review
            .as_ref()
            .and_then(|r| r.queue.get(r.pos + 1).copied())
        {
            self.want_detail(next);
        }
        self.fix_scroll();
    }

    pub(super) fn review_action(&mut self, action: Action) -> Vec<Effect> {
        let Some(number) = self.review.as_ref().and_then(Review::current) else {
            self.stack.pop();
            return Vec::new();
        };
        if let Some((delta, _)) = movement(&action, view::layout::detail_rows(self.size)) {
            self.scroll_by(delta);
            return Vec::new();
        }
        match action {
            Action::Keep => {
                if let Some(t) = self.task(number) {
                    let label = t.status.label();
                    self.info(crate::tr!(
                        "#{number} 维持 {label}",
                        "#{number} stays {label}"
                    ));
                }
                self.judged(number, false);
                Vec::new()
            }
            a if a.set_status().is_some() || a == Action::AcceptSuggestion => {
                let current = self.task(number).map(|t| t.status);
                let effects = match self.shared_action(Some(number), &a) {
                    Some(e) => e,
                    None => return Vec::new(),
                };
                let writes = effects.iter().any(Effect::is_edit);
                // Setting the status it already has is a judgement too: kept as it is.
                let same = match (&a, current) {
                    (Action::AcceptSuggestion, Some(c)) => {
                        self.suggestion(number).is_some_and(|s| s.status == c)
                    }
                    (a, Some(c)) => a.set_status() == Some(c),
                    _ => false,
                };
                if writes || same {
                    self.judged(number, writes);
                }
                effects
            }
            Action::NextTask => {
                self.step_review(1);
                Vec::new()
            }
            Action::PrevTask => {
                self.step_review(-1);
                Vec::new()
            }
            Action::Back | Action::Close => {
                self.leave_review();
                Vec::new()
            }
            other => self.shared_action(Some(number), &other).unwrap_or_default(),
        }
    }

    /// A task was judged: it counts, and the next task not judged comes on screen (or the
    /// review ends when none is left).
    fn judged(&mut self, number: u32, changed: bool) {
        let Some(r) = self.review.as_mut() else {
            return;
        };
        if r.judged.insert(number) && changed {
            r.changed += 1;
        }
        // The place is kept now and then (and when the review is left or done), so that
        // closing the UI loses at most a few "kept as is".
        if r.judged.len() % KEEP_EVERY == 0 {
            self.pending.push(Effect::SaveReview(Box::new(r.clone())));
        }
        match r.next_unjudged(r.pos) {
            Some(next) => {
                r.pos = next;
                self.show_review_task();
            }
            None => {
                let (n, changed, period) = (r.queue.len(), r.changed, r.period.clone());
                self.pending.push(Effect::SaveReview(Box::new(r.clone())));
                self.stack.retain(|s| !matches!(s, Screen::Review { .. }));
                let last = self.message.take().map(|m| m.text);
                let done = crate::tr!(
                    "{period} 复核完成：{n} 项任务都已判断（改了 {changed} 项，维持 {} 项）",
                    "{period} reviewed: all {n} tasks judged ({changed} changed, {} kept)",
                    n - changed
                );
                self.ok(match last {
                    Some(l) => format!("{l} · {done}"),
                    None => done,
                });
                self.fix_scroll();
            }
        }
    }

    /// `Backspace` / `[` and `]`: the previous or next task of the review, judged or not.
    fn step_review(&mut self, delta: isize) {
        let Some(r) = self.review.as_mut() else {
            return;
        };
        match r
            .pos
            .checked_add_signed(delta)
            .filter(|p| *p < r.queue.len())
        {
            Some(p) => {
                r.pos = p;
                self.show_review_task();
            }
            None => self.info(if delta < 0 {
                crate::lang::t("已是复核的第一项", "this is the first task of the review")
            } else {
                crate::lang::t("已是复核的最后一项", "this is the last task of the review")
            }),
        }
    }

    /// `Esc`: leaves the review where it is (`r` resumes), with the list on the task left.
    fn leave_review(&mut self) {
        let Some(r) = self.review.as_ref() else {
            self.stack.pop();
            return;
        };
        let (done, n, number) = (r.judged.len(), r.queue.len(), r.current());
        self.pending.push(Effect::SaveReview(Box::new(r.clone())));
        self.stack.retain(|s| !matches!(s, Screen::Review { .. }));
        if let Some(number) = number {
            let offset = self.list_offset();
            if self.list_tasks().iter().any(|t| t.number == number) {
                self.set_list_selection(Some(number), offset);
            }
        }
        let key = self
            .keymap
            .hint(crate::ui::keymap::Mode::List, &Action::Review)
            .unwrap_or_else(|| "r".into());
        self.info(crate::tr!(
            "复核暂停：已判断 {done}/{n} 项，按 {key} 继续",
            "review paused: {done}/{n} judged, {key} goes on"
        ));
        self.fix_scroll();
    }
}
