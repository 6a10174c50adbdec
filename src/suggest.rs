//! Suggested status (序时进度): a period's completion figures against the share of the year
//! elapsed at the period's end, with thresholds from `data/schedule.toml`. A suggestion is
//! only a suggestion: it is applied when a person accepts it ([`accept`]), which records a
//! status event with the reason as its note.
//!
//! Also here: the lagging units (units ranked by their red, then yellow, lead tasks, each with
//! its tasks and lights) for the units view and `duban units --lagging`.

use crate::figures::{self, fmt_pct, Figure, FigureKind};
use crate::model::{Light, Period, Status, Task};
use crate::ops::Op;
use crate::units::{unit_summaries, unit_task_order, UnitSummary};
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// The shipped schedule.
pub const BUILTIN_SCHEDULE: &str = include_str!("../data/schedule.toml");

/// How several completion figures of one period combine into one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Combine {
    /// The lower median.
    Median,
    /// The lowest.
    Min,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Thresholds {
    pub on_track_within: f64,
    pub behind_within: f64,
    pub done_at: f64,
    pub combine: Combine,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct PeriodShare {
    pub names: Vec<String>,
    /// Share of the year elapsed at the period's end, in percent.
    pub elapsed: f64,
    /// The names say "the whole year" (`全年`, `年度`), which titles use for the plan's year
    /// too: the importer prefers a more specific period word in the same title.
    #[serde(default)]
    pub whole_year: bool,
}

/// The schedule file: thresholds and the elapsed share of each period name.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Schedule {
    pub thresholds: Thresholds,
    #[serde(rename = "period")]
    pub periods: Vec<PeriodShare>,
}

#[derive(Debug, thiserror::Error)]
#[error("schedule file: {0}")]
pub struct ScheduleError(String);

impl Schedule {
    /// The shipped `data/schedule.toml`.
    pub fn builtin() -> Schedule {
        Schedule::parse(BUILTIN_SCHEDULE).expect("the shipped schedule parses (tested)")
    }

    pub fn parse(text: &str) -> Result<Schedule, ScheduleError> {
        let s: Schedule = toml::from_str(text).map_err(|e| ScheduleError(e.to_string()))?;
        let t = &s.thresholds;
        if !(t.on_track_within >= 0.0 && t.behind_within >= t.on_track_within && t.done_at > 0.0) {
            return Err(ScheduleError(
                "thresholds need 0 ≤ on_track_within ≤ behind_within and done_at > 0".into(),
            ));
        }
        Ok(s)
    }

    /// The share of the year (percent) elapsed at the end of the period named `name`
    /// (`2020年上半年` → 50, `2020年1-9月` → 75), or None for a name it does not know.
    pub fn elapsed(&self, name: &str) -> Option<f64> {
        static YEAR: OnceLock<Regex> = OnceLock::new();
        static MONTHS: OnceLock<Regex> = OnceLock::new();
        let year =
            YEAR.get_or_init(|| Regex::new(r"^\s*(?:(?:19|20)\d{2}\s*年)?").expect("year pattern"));
        let months = MONTHS.get_or_init(|| {
            Regex::new(r"^(?:截[至止])?(?:(?:[1-9]|一)\s*[-—–~～至到]\s*)?([0-9]{1,2}|[一二三四五六七八九十]{1,2})\s*月(?:份|底|末)?$")
                .expect("months pattern")
        });
        let rest: String = year
            .replace(name, "")
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        // `2020年度` is the whole year, like `2020年全年`.
        let rest = if rest == "度" {
            "年度".to_string()
        } else {
            rest
        };
        if rest.is_empty() {
            return None;
        }
        if let Some(p) = self.periods.iter().find(|p| p.names.contains(&rest)) {
            return Some(p.elapsed);
        }
        let c = months.captures(&rest)?;
        let n = crate::numerals::parse(&c[1])?;
        (1..=12).contains(&n).then(|| f64::from(n) * 100.0 / 12.0)
    }
}

/// A suggested status with its reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    pub status: Status,
    /// `完成率64% ≥ 序时进度50%`.
    pub reason: String,
    /// The figure that decided.
    pub figure: Figure,
    /// Every completion figure of the period, in text order.
    pub figures: Vec<Figure>,
    /// 序时进度 of the period, percent.
    pub elapsed: f64,
    /// The period's name.
    pub period: String,
}

impl Suggestion {
    /// The note recorded when a person accepts it.
    pub fn note(&self) -> String {
        format!("采纳建议({}):{}", self.period, self.reason)
    }

    /// Accepting it for task `number`: a status change whose note carries the reason (the
    /// ledger refuses it as unchanged when the task already has that status).
    pub fn accept(&self, number: u32) -> Op {
        Op::set_status(number, self.status, Some(&self.note()))
    }
}

/// Suggests a status from one period's text, or None when the text has no completion figure
/// or the period's name has no known 序时进度.
pub fn suggest(task_period: &Period, schedule: &Schedule) -> Option<Suggestion> {
    let elapsed = schedule.elapsed(&task_period.name)?;
    let text = task_period.paragraphs.join("\n");
    let figs = figures::completion(&text);
    if figs.is_empty() {
        return None;
    }
    let t = &schedule.thresholds;
    let make = |status, reason: String, figure: &Figure| Suggestion {
        status,
        reason,
        figure: figure.clone(),
        figures: figs.clone(),
        elapsed,
        period: task_period.name.clone(),
    };
    let e = fmt_pct(elapsed);
    if figs.iter().all(|f| f.kind == FigureKind::NotStarted) {
        return Some(make(
            Status::NotStarted,
            format!("{},序时进度{e}%", figs[0].summary()),
            &figs[0],
        ));
    }
    let mut sorted: Vec<&Figure> = figs.iter().collect();
    sorted.sort_by(|a, b| a.value_percent.total_cmp(&b.value_percent));
    let min = sorted[0];
    let pick = match t.combine {
        Combine::Min => min,
        Combine::Median => sorted[(sorted.len() - 1) / 2],
    };
    let how = if figs.len() > 1 {
        match t.combine {
            Combine::Median => format!("(共{}项完成指标,取中位数)", figs.len()),
            Combine::Min => format!("(共{}项完成指标,取最低)", figs.len()),
        }
    } else {
        String::new()
    };
    let about_whole_plan = figs
        .iter()
        .any(|f| matches!(f.kind, FigureKind::AllDone | FigureKind::ShareOfPlan));
    // Work that is only *started* (已开工, 已全部开工) is not finished work.
    let only_started = figs.iter().any(|f| f.kind == FigureKind::Started);
    if min.value_percent >= t.done_at && about_whole_plan && !only_started {
        let whole = figs
            .iter()
            .find(|f| matches!(f.kind, FigureKind::AllDone | FigureKind::ShareOfPlan))
            .expect("checked above");
        return Some(make(
            Status::Done,
            format!("{} ≥ {}%,已完成{how}", whole.summary(), fmt_pct(t.done_at)),
            whole,
        ));
    }
    let v = pick.value_percent;
    let gap = elapsed - v;
    let fig = pick.summary();
    let (status, reason) = if v >= elapsed {
        (Status::OnTrack, format!("{fig} ≥ 序时进度{e}%{how}"))
    } else if gap <= t.on_track_within {
        (
            Status::OnTrack,
            format!(
                "{fig} 略低于序时进度{e}%(差{}个百分点,容差{})",
                fmt_pct(gap),
                fmt_pct(t.on_track_within)
            ) + &how,
        )
    } else if gap <= t.behind_within {
        (
            Status::Behind,
            format!(
                "{fig} < 序时进度{e}%,落后{}个百分点(≤{}){how}",
                fmt_pct(gap),
                fmt_pct(t.behind_within)
            ),
        )
    } else {
        (
            Status::SeriouslyBehind,
            format!(
                "{fig} < 序时进度{e}%,落后{}个百分点(>{}){how}",
                fmt_pct(gap),
                fmt_pct(t.behind_within)
            ),
        )
    };
    Some(make(status, reason, pick))
}

/// The suggestion for a task's latest period.
pub fn suggest_task(task: &Task, schedule: &Schedule) -> Option<Suggestion> {
    task.latest_period().and_then(|p| suggest(p, schedule))
}

/// The suggestion for every task whose latest period has one, by task number (for a view's
/// "suggested" column and for counting).
pub fn suggestions(tasks: &[Task], schedule: &Schedule) -> Vec<(u32, Suggestion)> {
    tasks
        .iter()
        .filter_map(|t| suggest_task(t, schedule).map(|s| (t.number, s)))
        .collect()
}

/// The suggestion for a task's period named `period` (None if the task has no such period).
pub fn suggest_for_period(task: &Task, period: &str, schedule: &Schedule) -> Option<Suggestion> {
    task.periods
        .iter()
        .find(|p| p.name == period)
        .and_then(|p| suggest(p, schedule))
}

/// One task of a unit, with its light.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitTask {
    pub number: u32,
    pub status: Status,
    /// True when the unit leads the task, false when it is a co-responsible unit.
    pub lead: bool,
    pub goal: String,
}

impl UnitTask {
    pub fn light(&self) -> Light {
        self.status.light()
    }
}

/// A unit with red or yellow lead tasks, and all its tasks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LaggingUnit {
    pub summary: UnitSummary,
    /// Lead tasks first, most lagging first (red, yellow, grey, green, blue), then co tasks.
    pub tasks: Vec<UnitTask>,
}

/// Units with at least one red or yellow lead task, ranked by red then yellow lead tasks
/// (then load), each with its tasks and their lights. `all = true` keeps every unit in the
/// same order, for the units view.
pub fn lagging_units(tasks: &[Task], all: bool) -> Vec<LaggingUnit> {
    unit_summaries(tasks)
        .into_iter()
        .filter(|s| all || s.lead_seriously_behind + s.lead_behind > 0)
        .map(|summary| {
            let mut list: Vec<UnitTask> = tasks
                .iter()
                .filter_map(|t| {
                    let lead = t.leads(&summary.unit);
                    (lead || t.involves(&summary.unit)).then(|| UnitTask {
                        number: t.number,
                        status: t.status,
                        lead,
                        goal: t.goal.clone(),
                    })
                })
                .collect();
            list.sort_by_key(|t| unit_task_order(t.lead, t.status, t.number));
            LaggingUnit {
                summary,
                tasks: list,
            }
        })
        .collect()
}

/// The text `duban units --lagging` prints: one block per unit, its counts, then its tasks
/// with glyphs (`ascii` for terminals without Unicode).
pub fn format_lagging(units: &[LaggingUnit], ascii: bool) -> String {
    let glyph = |s: Status| if ascii { s.ascii_glyph() } else { s.glyph() };
    let mut out = String::new();
    if units.is_empty() {
        out.push_str("no unit leads a task that is 严重滞后 or 进度滞后.\n");
        return out;
    }
    for (i, u) in units.iter().enumerate() {
        let s = &u.summary;
        out.push_str(&format!(
            "{}. {}  {} {} {} {}  (lead {}, co {})\n",
            i + 1,
            s.unit,
            Status::SeriouslyBehind.label(),
            s.lead_seriously_behind,
            Status::Behind.label(),
            s.lead_behind,
            s.lead,
            s.co
        ));
        for t in &u.tasks {
            let goal: String = t.goal.chars().take(30).collect();
            out.push_str(&format!(
                "   {} #{:<4} {} {}{}\n",
                glyph(t.status),
                t.number,
                t.status.label(),
                if t.lead { "" } else { "(配合) " },
                goal
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn period(name: &str, text: &str) -> Period {
        Period {
            name: name.into(),
            paragraphs: vec![text.into()],
        }
    }

    #[test]
    fn elapsed_shares() {
        let s = Schedule::builtin();
        assert_eq!(s.elapsed("2020年上半年"), Some(50.0));
        assert_eq!(s.elapsed("2020年第一季度"), Some(25.0));
        assert_eq!(s.elapsed("一季度"), Some(25.0));
        assert_eq!(s.elapsed("2021年前三季度"), Some(75.0));
        assert_eq!(s.elapsed("2020年第三季度"), Some(75.0));
        assert_eq!(s.elapsed("2020年全年"), Some(100.0));
        assert_eq!(s.elapsed("2022年1-9月"), Some(75.0));
        assert_eq!(s.elapsed("2022年1-6月"), Some(50.0));
        assert_eq!(s.elapsed("2022年11月底"), Some(1100.0 / 12.0));
        assert_eq!(s.elapsed("2022年"), None);
        assert_eq!(s.elapsed("2020年度"), Some(100.0));
        assert_eq!(s.elapsed("2020年年度"), Some(100.0));
        assert_eq!(s.elapsed("某某阶段"), None);
    }

    #[test]
    fn a_broken_schedule_is_an_error_not_a_panic() {
        assert!(Schedule::parse("not toml").is_err());
        let bad = BUILTIN_SCHEDULE.replace("on_track_within = 5.0", "on_track_within = 50.0");
        assert!(Schedule::parse(&bad).is_err());
        let bad = BUILTIN_SCHEDULE.replace("whole_year = true", "whole_year = \"yes\"");
        assert!(Schedule::parse(&bad).is_err());
    }

    #[test]
    fn months_in_any_numerals() {
        let s = Schedule::builtin();
        assert_eq!(s.elapsed("2022年十二月"), Some(100.0));
        assert_eq!(
            s.elapsed("2022年1-６月"),
            None,
            "full-width digits are no month form"
        );
        assert_eq!(s.elapsed("2022年十三月"), None);
        assert_eq!(s.elapsed("2022年0月"), None);
    }

    #[test]
    fn thresholds() {
        let s = Schedule::builtin();
        let got = |text: &str| suggest(&period("2020年上半年", text), &s).map(|x| x.status);
        assert_eq!(
            got("全年任务新建改造47座,现已完成新建改造30座,完成率64%。"),
            Some(Status::OnTrack)
        );
        let sug = suggest(&period("2020年上半年", "完成率64%。"), &s).unwrap();
        assert_eq!(sug.reason, "完成率64% ≥ 序时进度50%");
        assert_eq!(got("完成率46%"), Some(Status::OnTrack));
        assert_eq!(got("完成率44%"), Some(Status::Behind));
        assert_eq!(got("完成率30%"), Some(Status::Behind));
        assert_eq!(got("完成率29%"), Some(Status::SeriouslyBehind));
        assert_eq!(got("申报工作目前尚未开展"), Some(Status::NotStarted));
        assert_eq!(got("该项工作已全部完成"), Some(Status::Done));
        assert_eq!(got("同比增长4.6%"), None);
        assert_eq!(suggest(&period("2020年某阶段", "完成率64%"), &s), None);
    }
}
