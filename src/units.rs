//! Responsible units seen across their tasks: how many each leads and shares, how its lead
//! tasks stand, and the one ranking of who lags most, which `duban units`, `duban units
//! --lagging` and the UI's units screen all show.

use crate::model::{Status, Task, TaskSummary, Unit};
use serde::Serialize;
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// The units as the report wrote them, joined with 、 (exports, the 通报 workbook).
pub fn written(units: &[Unit]) -> String {
    units
        .iter()
        .map(|u| u.written.as_str())
        .collect::<Vec<_>>()
        .join("、")
}

/// The units as written, each with its canonical name when the alias file gave it another
/// (`市发改委(= 市发展和改革委员会)`), joined with 、, cleaned for a terminal; `—` for none.
pub fn with_canonical(units: &[Unit]) -> String {
    if units.is_empty() {
        return "—".to_string();
    }
    units
        .iter()
        .map(|u| {
            if u.written == u.canonical {
                crate::text::clean(&u.canonical)
            } else {
                format!(
                    "{}(= {})",
                    crate::text::clean(&u.written),
                    crate::text::clean(&u.canonical)
                )
            }
        })
        .collect::<Vec<_>>()
        .join("、")
}

/// How far behind a status is, the most lagging first: red, yellow, grey, green, blue.
pub fn lag_rank(status: Status) -> u8 {
    match status {
        Status::SeriouslyBehind => 0,
        Status::Behind => 1,
        Status::NotStarted => 2,
        Status::OnTrack => 3,
        Status::Done => 4,
    }
}

/// The order of a unit's tasks: those it leads first, the most lagging first, then by
/// number.
pub fn unit_task_order(lead: bool, status: Status, number: u32) -> (bool, u8, u32) {
    (!lead, lag_rank(status), number)
}

/// What the unit counts need of a task; a whole task and a list's summary both have it.
pub trait WithUnits {
    fn number(&self) -> u32;
    fn status(&self) -> Status;
    fn lead_units(&self) -> &[Unit];
    fn co_units(&self) -> &[Unit];
}

impl WithUnits for Task {
    fn number(&self) -> u32 {
        self.number
    }
    fn status(&self) -> Status {
        self.status
    }
    fn lead_units(&self) -> &[Unit] {
        &self.lead_units
    }
    fn co_units(&self) -> &[Unit] {
        &self.co_units
    }
}

impl WithUnits for TaskSummary {
    fn number(&self) -> u32 {
        self.number
    }
    fn status(&self) -> Status {
        self.status
    }
    fn lead_units(&self) -> &[Unit] {
        &self.lead_units
    }
    fn co_units(&self) -> &[Unit] {
        &self.co_units
    }
}

/// A unit's load and how its lead tasks stand.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UnitSummary {
    /// The canonical name.
    pub unit: String,
    /// Tasks it leads.
    pub lead: usize,
    /// Tasks it shares as a co-responsible unit (and does not lead).
    pub co: usize,
    pub lead_seriously_behind: usize,
    pub lead_behind: usize,
    pub lead_on_track: usize,
    pub lead_not_started: usize,
    pub lead_done: usize,
    pub lead_tasks: Vec<u32>,
    pub co_tasks: Vec<u32>,
}

impl UnitSummary {
    pub fn red(&self) -> usize {
        self.lead_seriously_behind
    }
    pub fn yellow(&self) -> usize {
        self.lead_behind
    }
    pub fn green(&self) -> usize {
        self.lead_on_track
    }
    pub fn done(&self) -> usize {
        self.lead_done
    }

    fn count_lead(&mut self, number: u32, status: Status) {
        self.lead += 1;
        self.lead_tasks.push(number);
        match status {
            Status::SeriouslyBehind => self.lead_seriously_behind += 1,
            Status::Behind => self.lead_behind += 1,
            Status::OnTrack => self.lead_on_track += 1,
            Status::NotStarted => self.lead_not_started += 1,
            Status::Done => self.lead_done += 1,
        }
    }
}

/// Who lags most comes first: more red lead tasks, then more yellow ones, then more lead
/// tasks, more shared ones, then by name.
pub fn lagging_first(a: &UnitSummary, b: &UnitSummary) -> Ordering {
    b.red()
        .cmp(&a.red())
        .then(b.yellow().cmp(&a.yellow()))
        .then(b.lead.cmp(&a.lead))
        .then(b.co.cmp(&a.co))
        .then_with(|| a.unit.cmp(&b.unit))
}

/// Every unit by canonical name, counted over `tasks` (a unit named twice on one task counts
/// once, as lead when it leads), ranked by [`lagging_first`].
pub fn unit_summaries<'a, T: WithUnits + 'a>(
    tasks: impl IntoIterator<Item = &'a T>,
) -> Vec<UnitSummary> {
    let mut by_unit: BTreeMap<&'a str, UnitSummary> = BTreeMap::new();
    for t in tasks {
        let mut seen: Vec<&str> = Vec::new();
        for u in t.lead_units() {
            if seen.contains(&u.canonical.as_str()) {
                continue;
            }
            seen.push(&u.canonical);
            by_unit
                .entry(&u.canonical)
                .or_default()
                .count_lead(t.number(), t.status());
        }
        for u in t.co_units() {
            if seen.contains(&u.canonical.as_str()) {
                continue;
            }
            seen.push(&u.canonical);
            let s = by_unit.entry(&u.canonical).or_default();
            s.co += 1;
            s.co_tasks.push(t.number());
        }
    }
    let mut v: Vec<UnitSummary> = by_unit
        .into_iter()
        .map(|(name, mut s)| {
            s.unit = name.to_string();
            s
        })
        .collect();
    v.sort_by(lagging_first);
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Domain, DomainDecision};

    fn task(number: u32, status: Status, lead: &[&str], co: &[&str]) -> Task {
        Task {
            number,
            section: None,
            goal: format!("目标{number}"),
            goal_edited: false,
            lead_units: lead.iter().map(|u| Unit::plain(u)).collect(),
            co_units: co.iter().map(|u| Unit::plain(u)).collect(),
            domain: Domain::Reform,
            domain_decision: DomainDecision {
                rule: "test".into(),
                reason: String::new(),
                manual: false,
            },
            status,
            notes: Vec::new(),
            periods: Vec::new(),
        }
    }

    #[test]
    fn red_beats_yellow_beats_load_and_a_unit_counts_once_per_task() {
        let tasks = vec![
            task(1, Status::Behind, &["市财政局"], &["市发改委"]),
            task(2, Status::Behind, &["市财政局"], &[]),
            task(3, Status::SeriouslyBehind, &["市教育局"], &["市财政局"]),
            task(4, Status::OnTrack, &["市发改委", "市发改委"], &["市发改委"]),
            task(5, Status::OnTrack, &["市发改委"], &[]),
        ];
        let units = unit_summaries(&tasks);
        let names: Vec<&str> = units.iter().map(|u| u.unit.as_str()).collect();
        assert_eq!(names, ["市教育局", "市财政局", "市发改委"]);
        let fgw = &units[2];
        assert_eq!((fgw.lead, fgw.co), (2, 1));
        assert_eq!(fgw.lead_tasks, [4, 5]);
        // Summaries rank the same as whole tasks.
        let summaries: Vec<TaskSummary> = tasks.iter().map(TaskSummary::of).collect();
        assert_eq!(unit_summaries(&summaries), units);
    }
}
