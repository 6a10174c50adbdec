//! The task list's order and filter, besides the search: `o` sorts by number, by status
//! (the most serious first), by lead unit, or the latest report's updated tasks first; `f`
//! shows all tasks, only those the latest report updated, only those it left out, or only
//! the lagging ones. Both apply to every tab and to a search's hits.

use super::State;
use crate::lang::t;
use crate::model::{Status, TaskSummary};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ListOrder {
    #[default]
    Number,
    /// 严重滞后, 进度滞后, 未启动, 正常推进, 已完成; then by number.
    Status,
    /// By the first lead unit's name; then by number.
    Lead,
    /// The latest report's updated tasks first, then those it left out.
    Reported,
}

impl ListOrder {
    const ALL: [ListOrder; 4] = [
        ListOrder::Number,
        ListOrder::Status,
        ListOrder::Lead,
        ListOrder::Reported,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ListOrder::Number => t("序号", "number"),
            ListOrder::Status => t("状态", "status"),
            ListOrder::Lead => t("牵头单位", "lead unit"),
            ListOrder::Reported => t("本期更新在前", "updated this period first"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ListFilter {
    #[default]
    All,
    /// Tasks whose latest period is the latest report's.
    Reported,
    /// Tasks the latest report left out.
    NotReported,
    /// 进度滞后 and 严重滞后.
    Lagging,
}

impl ListFilter {
    const ALL: [ListFilter; 4] = [
        ListFilter::All,
        ListFilter::Reported,
        ListFilter::NotReported,
        ListFilter::Lagging,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ListFilter::All => t("全部", "all"),
            ListFilter::Reported => t("本期有更新", "updated this period"),
            ListFilter::NotReported => t("本期未报告", "not reported this period"),
            ListFilter::Lagging => t("滞后", "lagging"),
        }
    }
}

/// True when the report of period `latest` updated task `t`.
pub(super) fn reported_in(t: &TaskSummary, latest: Option<&str>) -> bool {
    latest.is_some() && t.latest_period.as_deref() == latest
}

fn next<T: Copy + PartialEq>(all: &[T], now: T) -> T {
    let i = all.iter().position(|x| *x == now).unwrap_or(0);
    all[(i + 1) % all.len()]
}

/// How serious a status is, for the status order: the red light first.
fn seriousness(s: Status) -> u8 {
    match s {
        Status::SeriouslyBehind => 0,
        Status::Behind => 1,
        Status::NotStarted => 2,
        Status::OnTrack => 3,
        Status::Done => 4,
    }
}

impl State {
    /// `o`: the next order.
    pub(super) fn cycle_order(&mut self) {
        self.order = next(&ListOrder::ALL, self.order);
        self.changed();
        self.fix_scroll();
        self.info(crate::tr!(
            "列表按 {} 排列",
            "list ordered by {}",
            self.order.label()
        ));
    }

    /// `f`: the next filter.
    pub(super) fn cycle_filter(&mut self) {
        self.filter = next(&ListFilter::ALL, self.filter);
        self.changed();
        self.fix_scroll();
        let shown = self.list_tasks().len();
        self.info(crate::tr!(
            "筛选：{}（{shown} 项）",
            "filter: {} ({shown} tasks)",
            self.filter.label()
        ));
    }

    /// True when the filter in force keeps `t`; `latest` is the latest report's period.
    pub(super) fn filter_keeps(&self, t: &TaskSummary, latest: Option<&str>) -> bool {
        match self.filter {
            ListFilter::All => true,
            ListFilter::Reported => reported_in(t, latest),
            ListFilter::NotReported => !reported_in(t, latest),
            ListFilter::Lagging => matches!(t.status, Status::Behind | Status::SeriouslyBehind),
        }
    }

    /// Sorts the main list (indices into `tasks`) by the order in force; stable, so a
    /// search's ranking stays within each group.
    pub(super) fn sort_main(&self, main: &mut [usize], latest: Option<&str>) {
        let tasks = &self.tasks;
        match self.order {
            ListOrder::Number => {}
            ListOrder::Status => main.sort_by_key(|&i| {
                let t = &tasks[i];
                (
                    seriousness(t.status),
                    self.search.is_none().then_some(t.number),
                )
            }),
            ListOrder::Lead => main.sort_by_cached_key(|&i| {
                let t = &tasks[i];
                let lead = t.lead_units.first().map(|u| u.canonical.clone());
                (
                    lead.is_none(),
                    lead,
                    self.search.is_none().then_some(t.number),
                )
            }),
            ListOrder::Reported => main.sort_by_key(|&i| {
                let t = &tasks[i];
                (
                    !reported_in(t, latest),
                    self.search.is_none().then_some(t.number),
                )
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_and_filters_cycle_back_to_the_start() {
        let mut o = ListOrder::default();
        let mut f = ListFilter::default();
        for _ in 0..4 {
            o = next(&ListOrder::ALL, o);
            f = next(&ListFilter::ALL, f);
        }
        assert_eq!((o, f), (ListOrder::Number, ListFilter::All));
        assert!(seriousness(Status::SeriouslyBehind) < seriousness(Status::Done));
    }
}
