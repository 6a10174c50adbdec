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
    /// From this share of the year (percent) on, a period that reports no progress, or only
    /// that the work has not started (尚未开展), suggests 严重滞后 (before it, 未启动); one
    /// whose work has partly not started suggests 进度滞后.
    #[serde(default = "default_stalled_from")]
    pub stalled_from: f64,
}

fn default_stalled_from() -> f64 {
    50.0
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
#[error("{}", crate::tr!("序时进度文件：{}", "schedule file: {}", .0))]
pub struct ScheduleError(String);

impl Schedule {
    /// The shipped `data/schedule.toml`.
    pub fn builtin() -> Schedule {
        Schedule::parse(BUILTIN_SCHEDULE).expect("the shipped schedule parses (tested)")
    }

    pub fn parse(text: &str) -> Result<Schedule, ScheduleError> {
        let s: Schedule = toml::from_str(text).map_err(|e| ScheduleError(e.to_string()))?;
        let t = &s.thresholds;
        if !(t.on_track_within >= 0.0
            && t.behind_within >= t.on_track_within
            && t.done_at > 0.0
            && (0.0..=100.0).contains(&t.stalled_from))
        {
            return Err(ScheduleError(
                crate::lang::t(
                    "阈值须满足 0 ≤ on_track_within ≤ behind_within、done_at > 0、0 ≤ stalled_from ≤ 100",
                    "thresholds need 0 ≤ on_track_within ≤ behind_within, done_at > 0 and 0 ≤ stalled_from ≤ 100",
                )
                .into(),
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

/// The language a reason is said in: the one language switch, [`crate::lang`] (Chinese is
/// what users see; English is for `--lang en`). Callers pass `crate::lang::get()`; a
/// suggestion's stored `reason` (JSON, the note an acceptance records) stays Chinese.
pub use crate::lang::Lang;

/// How several completion figures were combined, for a reason (`(共5项完成指标,取中位数)`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Combined {
    pub count: usize,
    pub combine: Combine,
}

/// Why a status is suggested, with the numbers it rests on. Every reason's words are here,
/// in [`Reason::text`], in Chinese and in English.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Reason {
    /// The figure is at or above 序时进度.
    AtOrAbove {
        figure: String,
        elapsed: f64,
        combined: Option<Combined>,
    },
    /// Below 序时进度 by at most `on_track_within` points.
    SlightlyBelow {
        figure: String,
        elapsed: f64,
        gap: f64,
        tolerance: f64,
        combined: Option<Combined>,
    },
    /// Below by at most `behind_within` points (进度滞后).
    Behind {
        figure: String,
        elapsed: f64,
        gap: f64,
        limit: f64,
        combined: Option<Combined>,
    },
    /// Below by more than `behind_within` points (严重滞后).
    FarBehind {
        figure: String,
        elapsed: f64,
        gap: f64,
        limit: f64,
        combined: Option<Combined>,
    },
    /// Every figure at `done_at` or more, one about the whole plan.
    Done {
        figure: String,
        done_at: f64,
        combined: Option<Combined>,
    },
    /// Only not-started words (尚未开展), before `stalled_from`.
    NotStartedYet {
        figure: String,
        elapsed: f64,
        stalled_from: f64,
    },
    /// Only not-started words, at `stalled_from` or later.
    NotStartedLate {
        figure: String,
        elapsed: f64,
        stalled_from: f64,
    },
    /// Part of the work not started while other parts move, at `stalled_from` or later.
    PartlyNotStarted {
        figure: String,
        elapsed: f64,
        stalled_from: f64,
    },
    /// Part of the work not started while other parts move, before `stalled_from`.
    PartlyNotStartedYet {
        figure: String,
        elapsed: f64,
        stalled_from: f64,
    },
    /// The period's text says nothing (blank, 暂无进展), before `stalled_from`.
    NoProgressYet { elapsed: f64, stalled_from: f64 },
    /// The period's text says nothing, at `stalled_from` or later.
    NoProgressLate { elapsed: f64, stalled_from: f64 },
}

fn combined_text(c: &Option<Combined>, lang: Lang) -> String {
    match (c, lang) {
        (None, _) => String::new(),
        (Some(c), Lang::Zh) => match c.combine {
            Combine::Median => format!("(共{}项完成指标,取中位数)", c.count),
            Combine::Min => format!("(共{}项完成指标,取最低)", c.count),
        },
        (Some(c), Lang::En) => match c.combine {
            Combine::Median => format!(" ({} completion figures, the median)", c.count),
            Combine::Min => format!(" ({} completion figures, the lowest)", c.count),
        },
    }
}

impl Reason {
    /// The reason in words: Chinese for [`Lang::Zh`] (what users see), English for
    /// [`Lang::En`].
    pub fn text(&self, lang: Lang) -> String {
        use Reason::*;
        let p = |v: &f64| fmt_pct(*v);
        match (self, lang) {
            (AtOrAbove { figure, elapsed, combined }, Lang::Zh) => format!(
                "{figure} ≥ 序时进度{}%{}",
                p(elapsed),
                combined_text(combined, lang)
            ),
            (AtOrAbove { figure, elapsed, combined }, Lang::En) => format!(
                "{figure} ≥ {}% of the year elapsed{}",
                p(elapsed),
                combined_text(combined, lang)
            ),
            (SlightlyBelow { figure, elapsed, gap, tolerance, combined }, Lang::Zh) => format!(
                "{figure} 略低于序时进度{}%(差{}个百分点,容差{}){}",
                p(elapsed),
                p(gap),
                p(tolerance),
                combined_text(combined, lang)
            ),
            (SlightlyBelow { figure, elapsed, gap, tolerance, combined }, Lang::En) => format!(
                "{figure} is {} points below {}% of the year elapsed (within {}){}",
                p(gap),
                p(elapsed),
                p(tolerance),
                combined_text(combined, lang)
            ),
            (Behind { figure, elapsed, gap, limit, combined }, Lang::Zh) => format!(
                "{figure} < 序时进度{}%,落后{}个百分点(≤{}){}",
                p(elapsed),
                p(gap),
                p(limit),
                combined_text(combined, lang)
            ),
            (Behind { figure, elapsed, gap, limit, combined }, Lang::En) => format!(
                "{figure} < {}% of the year elapsed, {} points behind (≤ {}){}",
                p(elapsed),
                p(gap),
                p(limit),
                combined_text(combined, lang)
            ),
            (FarBehind { figure, elapsed, gap, limit, combined }, Lang::Zh) => format!(
                "{figure} < 序时进度{}%,落后{}个百分点(>{}){}",
                p(elapsed),
                p(gap),
                p(limit),
                combined_text(combined, lang)
            ),
            (FarBehind { figure, elapsed, gap, limit, combined }, Lang::En) => format!(
                "{figure} < {}% of the year elapsed, {} points behind (> {}){}",
                p(elapsed),
                p(gap),
                p(limit),
                combined_text(combined, lang)
            ),
            (Done { figure, done_at, combined }, Lang::Zh) => format!(
                "{figure} ≥ {}%,已完成{}",
                p(done_at),
                combined_text(combined, lang)
            ),
            (Done { figure, done_at, combined }, Lang::En) => format!(
                "{figure} ≥ {}%: done{}",
                p(done_at),
                combined_text(combined, lang)
            ),
            (NotStartedYet { figure, elapsed, stalled_from }, Lang::Zh) => format!(
                "{figure},序时进度{}%,未到{}%",
                p(elapsed),
                p(stalled_from)
            ),
            (NotStartedYet { figure, elapsed, stalled_from }, Lang::En) => format!(
                "{figure}; {}% of the year elapsed, under {}%",
                p(elapsed),
                p(stalled_from)
            ),
            (NotStartedLate { figure, elapsed, .. }, Lang::Zh) => {
                format!("{figure},而序时进度已到{}%,应列为严重滞后", p(elapsed))
            }
            (NotStartedLate { figure, elapsed, .. }, Lang::En) => format!(
                "{figure} although {}% of the year has elapsed: seriously behind",
                p(elapsed)
            ),
            (PartlyNotStarted { figure, elapsed, .. }, Lang::Zh) => format!(
                "部分工作{figure},序时进度已到{}%,其余工作有进展",
                p(elapsed)
            ),
            (PartlyNotStarted { figure, elapsed, .. }, Lang::En) => format!(
                "part of the work: {figure}, at {}% of the year; the rest moves",
                p(elapsed)
            ),
            (PartlyNotStartedYet { figure, elapsed, stalled_from }, Lang::Zh) => format!(
                "部分工作{figure},其余工作有进展;序时进度{}%,未到{}%",
                p(elapsed),
                p(stalled_from)
            ),
            (PartlyNotStartedYet { figure, elapsed, stalled_from }, Lang::En) => format!(
                "part of the work: {figure}, the rest moves; {}% of the year elapsed, under {}%",
                p(elapsed),
                p(stalled_from)
            ),
            (NoProgressYet { elapsed, .. }, Lang::Zh) => {
                format!("本期未报告进展,序时进度{}%", p(elapsed))
            }
            (NoProgressYet { elapsed, .. }, Lang::En) => format!(
                "no progress reported this period, {}% of the year elapsed",
                p(elapsed)
            ),
            (NoProgressLate { elapsed, .. }, Lang::Zh) => format!(
                "本期未报告进展,而序时进度已到{}%,应列为严重滞后",
                p(elapsed)
            ),
            (NoProgressLate { elapsed, .. }, Lang::En) => format!(
                "no progress reported this period although {}% of the year has elapsed: seriously behind",
                p(elapsed)
            ),
        }
    }
}

/// Why a task has no suggested status, in words (Chinese for [`Lang::Zh`]): from its latest
/// period when there is one (`None`: nothing reported yet). `period_name` alone is enough
/// when the text is not at hand; `text` is the period's text when it is.
pub fn no_suggestion_reason(
    period_name: Option<&str>,
    text: Option<&str>,
    schedule: &Schedule,
    lang: Lang,
) -> String {
    let Some(name) = period_name else {
        return match lang {
            Lang::Zh => "尚未报告进展".to_string(),
            Lang::En => "no progress reported yet".to_string(),
        };
    };
    if schedule.elapsed(name).is_none() {
        return match lang {
            Lang::Zh => format!("不知道“{name}”的序时进度(见 data/schedule.toml)"),
            Lang::En => format!(
                "how far \"{name}\" is into the year (序时进度) is not known (data/schedule.toml)"
            ),
        };
    }
    match (text.is_some_and(is_no_progress), lang) {
        (true, Lang::Zh) => format!("最新一期({name})未报告进展"),
        (true, Lang::En) => format!("its latest period ({name}) reports no progress"),
        (false, Lang::Zh) => {
            format!("最新一期({name})没有可对照序时进度的数字")
        }
        (false, Lang::En) => format!("its latest period ({name}) has no completion figure"),
    }
}

/// A suggested status with its reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    pub status: Status,
    /// `完成率64% ≥ 序时进度50%`: [`Suggestion::why`] in Chinese.
    pub reason: String,
    /// The rule and its numbers.
    pub why: Reason,
    /// The figure that decided (None when the period reports no progress).
    pub figure: Option<Figure>,
    /// Every completion figure of the period, in text order (with those measured against
    /// the goal's own targets).
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

/// A period's text that reports nothing: blank, or only `无`, `暂无进展` and the like.
fn is_no_progress(text: &str) -> bool {
    static R: OnceLock<Regex> = OnceLock::new();
    let r = R.get_or_init(|| {
        Regex::new(r"^(?:无|暂无|暂无进展|无进展|尚无进展|未报送|未报|未填报|[-—//])?[。.]?$")
            .expect("no-progress pattern")
    });
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    r.is_match(&t)
}

/// Words of work moving (`已`, `完成`, `启动`, …) in the sentences of `text` other than
/// those holding a not-started figure: the not-started words are then about part of the work.
fn others_move(text: &str, not_started: &[&Figure]) -> bool {
    static R: OnceLock<Regex> = OnceLock::new();
    let r = R.get_or_init(|| {
        Regex::new(r"已|完成|启动|开展|推进|印发|出台|建成|开工|实施|正在").expect("moving pattern")
    });
    let chars: Vec<char> = text.chars().collect();
    let breaks = [
        '。', ';', '\u{ff1b}', '\n', '!', '\u{ff01}', '?', '\u{ff1f}',
    ];
    let mut start = 0;
    for i in 0..=chars.len() {
        if i == chars.len() || breaks.contains(&chars[i]) {
            let holds = not_started
                .iter()
                .any(|f| f.text_span.start < i.max(start + 1) && start <= f.text_span.start);
            if !holds {
                let sentence: String = chars[start..i].iter().collect();
                if r.is_match(&sentence) {
                    return true;
                }
            }
            start = i + 1;
        }
    }
    false
}

/// Suggests a status from one period's text, or None when the text has no completion figure
/// or the period's name has no known 序时进度. See [`suggest_with_goal`].
pub fn suggest(task_period: &Period, schedule: &Schedule) -> Option<Suggestion> {
    suggest_with_goal(task_period, None, schedule)
}

/// Suggests a status from one period's text against 序时进度: its completion figures, and
/// where the task's `goal` names counted targets (`新建改造47座`), the work done against them
/// (`完成30座` is 63.83%). A text that reports nothing, or only that the work has not
/// started, suggests 严重滞后 from `stalled_from` of the year on. None when there is nothing to
/// judge by or the period's name has no known 序时进度.
pub fn suggest_with_goal(
    task_period: &Period,
    goal: Option<&str>,
    schedule: &Schedule,
) -> Option<Suggestion> {
    let elapsed = schedule.elapsed(&task_period.name)?;
    let text = task_period.paragraphs.join("\n");
    let t = &schedule.thresholds;
    let late = elapsed >= t.stalled_from;
    let stalled_from = t.stalled_from;
    let mut figs = figures::completion(&text);
    if let Some(goal) = goal {
        figs.extend(figures::against_goal(goal, &text));
        figs.sort_by_key(|f| (f.text_span.start, f.text_span.end));
    }
    let make = |status, why: Reason, figure: Option<&Figure>| Suggestion {
        status,
        reason: why.text(Lang::Zh),
        why,
        figure: figure.cloned(),
        figures: figs.clone(),
        elapsed,
        period: task_period.name.clone(),
    };
    if figs.is_empty() {
        if !is_no_progress(&text) {
            return None;
        }
        return Some(if late {
            make(
                Status::SeriouslyBehind,
                Reason::NoProgressLate {
                    elapsed,
                    stalled_from,
                },
                None,
            )
        } else {
            make(
                Status::NotStarted,
                Reason::NoProgressYet {
                    elapsed,
                    stalled_from,
                },
                None,
            )
        });
    }
    let not_started: Vec<&Figure> = figs
        .iter()
        .filter(|f| f.kind == FigureKind::NotStarted)
        .collect();
    if not_started.len() == figs.len() {
        let f = &figs[0];
        let figure = f.summary();
        let partly = others_move(&text, &not_started);
        let (status, why) = match (partly, late) {
            (false, false) => (
                Status::NotStarted,
                Reason::NotStartedYet {
                    figure,
                    elapsed,
                    stalled_from,
                },
            ),
            (false, true) => (
                Status::SeriouslyBehind,
                Reason::NotStartedLate {
                    figure,
                    elapsed,
                    stalled_from,
                },
            ),
            (true, true) => (
                Status::Behind,
                Reason::PartlyNotStarted {
                    figure,
                    elapsed,
                    stalled_from,
                },
            ),
            (true, false) => (
                Status::OnTrack,
                Reason::PartlyNotStartedYet {
                    figure,
                    elapsed,
                    stalled_from,
                },
            ),
        };
        return Some(make(status, why, Some(f)));
    }
    let mut sorted: Vec<&Figure> = figs.iter().collect();
    sorted.sort_by(|a, b| a.value_percent.total_cmp(&b.value_percent));
    let min = sorted[0];
    let pick = match t.combine {
        Combine::Min => min,
        Combine::Median => sorted[(sorted.len() - 1) / 2],
    };
    let combined = (figs.len() > 1).then_some(Combined {
        count: figs.len(),
        combine: t.combine,
    });
    let about_whole_plan = figs
        .iter()
        .any(|f| matches!(f.kind, FigureKind::AllDone | FigureKind::ShareOfPlan));
    // Work that is only *started* (已开工, 已全部开工) is not finished work.
    let only_started = figs.iter().any(|f| f.kind == FigureKind::Started);
    if min.value_percent >= t.done_at && about_whole_plan && !only_started {
        if let Some(whole) = figs
            .iter()
            .find(|f| matches!(f.kind, FigureKind::AllDone | FigureKind::ShareOfPlan))
        {
            return Some(make(
                Status::Done,
                Reason::Done {
                    figure: whole.summary(),
                    done_at: t.done_at,
                    combined,
                },
                Some(whole),
            ));
        }
    }
    let v = pick.value_percent;
    let gap = elapsed - v;
    let figure = pick.summary();
    let (status, why) = if v >= elapsed {
        (
            Status::OnTrack,
            Reason::AtOrAbove {
                figure,
                elapsed,
                combined,
            },
        )
    } else if gap <= t.on_track_within {
        (
            Status::OnTrack,
            Reason::SlightlyBelow {
                figure,
                elapsed,
                gap,
                tolerance: t.on_track_within,
                combined,
            },
        )
    } else if gap <= t.behind_within {
        (
            Status::Behind,
            Reason::Behind {
                figure,
                elapsed,
                gap,
                limit: t.behind_within,
                combined,
            },
        )
    } else {
        (
            Status::SeriouslyBehind,
            Reason::FarBehind {
                figure,
                elapsed,
                gap,
                limit: t.behind_within,
                combined,
            },
        )
    };
    Some(make(status, why, Some(pick)))
}

/// The suggestion for a task's latest period.
pub fn suggest_task(task: &Task, schedule: &Schedule) -> Option<Suggestion> {
    task.latest_period()
        .and_then(|p| suggest_with_goal(p, Some(&task.goal), schedule))
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
        .and_then(|p| suggest_with_goal(p, Some(&task.goal), schedule))
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
        out.push_str(&crate::tr!(
            "没有单位牵头{}或{}的任务。\n",
            "no unit leads a task that is {} or {}.\n",
            Status::SeriouslyBehind.label(),
            Status::Behind.label()
        ));
        return out;
    }
    for (i, u) in units.iter().enumerate() {
        let s = &u.summary;
        out.push_str(&crate::tr!(
            "{}. {}  {} {} {} {}  （牵头 {}，配合 {}）\n",
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
                if t.lead {
                    ""
                } else {
                    crate::lang::t("（配合）", "(co) ")
                },
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
        // Not started at the half year: 严重滞后 (`stalled_from`).
        assert_eq!(got("申报工作目前尚未开展"), Some(Status::SeriouslyBehind));
        assert_eq!(got("该项工作已全部完成"), Some(Status::Done));
        assert_eq!(got("同比增长4.6%"), None);
        assert_eq!(suggest(&period("2020年某阶段", "完成率64%"), &s), None);
    }

    #[test]
    fn not_started_or_no_progress_past_the_threshold_is_seriously_behind() {
        let s = Schedule::builtin();
        let got =
            |name: &str, text: &str| suggest(&period(name, text), &s).map(|x| (x.status, x.reason));
        let (st, why) = got("2020年前三季度", "申报工作目前尚未开展。").unwrap();
        assert_eq!(st, Status::SeriouslyBehind);
        assert_eq!(why, "尚未开展(0%),而序时进度已到75%,应列为严重滞后");
        assert_eq!(
            got("2020年第一季度", "申报工作目前尚未开展。").map(|x| x.0),
            Some(Status::NotStarted)
        );
        assert_eq!(
            got("2020年上半年", "该项工作尚未启动").map(|x| x.0),
            Some(Status::SeriouslyBehind)
        );
        // Part of the work not started, the rest moving: 进度滞后 from the half year on.
        let (st, why) = got(
            "2020年上半年",
            "完成港口型国家物流枢纽申报工作,目前该方案已通过省发改委评审;省级现代服务业集聚区申报工作目前尚未开展。",
        )
        .unwrap();
        assert_eq!(st, Status::Behind);
        assert!(why.starts_with("部分工作尚未开展"), "{why}");
        // Nothing reported.
        for blank in ["", "  ", "暂无进展。", "无"] {
            let (st, why) = got("2020年前三季度", blank).unwrap();
            assert_eq!(st, Status::SeriouslyBehind, "{blank:?}");
            assert_eq!(why, "本期未报告进展,而序时进度已到75%,应列为严重滞后");
        }
        assert_eq!(
            got("2020年第一季度", "").map(|x| x.0),
            Some(Status::NotStarted)
        );
        // Words without figures are no judgement.
        assert_eq!(got("2020年前三季度", "方案正在编制中。"), None);
    }

    #[test]
    fn the_threshold_comes_from_the_schedule() {
        let later = BUILTIN_SCHEDULE.replace("stalled_from = 50.0", "stalled_from = 80.0");
        let s = Schedule::parse(&later).unwrap();
        let sug = suggest(&period("2020年前三季度", "尚未开展"), &s).unwrap();
        assert_eq!(sug.status, Status::NotStarted);
        assert_eq!(sug.reason, "尚未开展(0%),序时进度75%,未到80%");
        let bad = BUILTIN_SCHEDULE.replace("stalled_from = 50.0", "stalled_from = 150.0");
        assert!(Schedule::parse(&bad).is_err());
        // A schedule file without the setting gets the half year.
        let old = BUILTIN_SCHEDULE.replace("stalled_from = 50.0", "");
        assert_eq!(Schedule::parse(&old).unwrap().thresholds.stalled_from, 50.0);
    }

    #[test]
    fn progress_is_measured_against_the_goals_own_targets() {
        let s = Schedule::builtin();
        let goal = "持续推进公厕建设管理,市区新建、改造公厕47座。";
        let text = "公厕建设工作:现已完成新建改造30座。";
        assert_eq!(suggest(&period("2020年上半年", text), &s), None);
        let h1 = suggest_with_goal(&period("2020年上半年", text), Some(goal), &s).unwrap();
        assert_eq!(h1.status, Status::OnTrack);
        assert_eq!(h1.reason, "对照目标新建改造30/47座(63.83%) ≥ 序时进度50%");
        let q3 = suggest_with_goal(&period("2020年前三季度", text), Some(goal), &s).unwrap();
        assert_eq!(q3.status, Status::Behind);
        assert_eq!(
            q3.reason,
            "对照目标新建改造30/47座(63.83%) < 序时进度75%,落后11.17个百分点(≤20)"
        );
        let done = "今年已完成岸线造林5560亩。";
        let d = suggest_with_goal(
            &period("2020年上半年", done),
            Some("完成5000亩长江岸线造林。"),
            &s,
        )
        .unwrap();
        assert_eq!(d.status, Status::Done);
    }

    #[test]
    fn reasons_are_chinese_with_an_english_twin() {
        let s = Schedule::builtin();
        let sug = suggest(&period("2020年上半年", "完成率44%"), &s).unwrap();
        assert_eq!(sug.reason, sug.why.text(Lang::Zh));
        assert_eq!(
            sug.why.text(Lang::En),
            "完成率44% < 50% of the year elapsed, 6 points behind (≤ 20)"
        );
        let none =
            |name: Option<&str>, text: Option<&str>| no_suggestion_reason(name, text, &s, Lang::Zh);
        assert_eq!(none(None, None), "尚未报告进展");
        assert_eq!(
            none(Some("2020年上半年"), Some("方案正在编制中。")),
            "最新一期(2020年上半年)没有可对照序时进度的数字"
        );
        assert!(none(Some("某某阶段"), None).starts_with("不知道“某某阶段”的序时进度"));
        for r in [
            none(None, None),
            none(Some("2020年上半年"), Some("方案正在编制中。")),
            sug.reason.clone(),
        ] {
            assert!(
                !r.chars().any(|c| c.is_ascii_alphabetic()),
                "an English word in {r}"
            );
        }
    }
}
