//! Report periods: matching the rows of the next report to the tasks already in the ledger,
//! and what changed in a task's progress from one period to the next.
//!
//! ## Matching
//! A row is matched to a task by its number, confirmed by goal similarity; a row whose goal
//! clearly belongs to another task is *renumbered* to it; a row whose number is taken by a
//! task with a different goal is a *conflict* (reported, not merged); anything else is *new*.
//! Tasks the report does not mention are listed as *absent*. Nothing is added or dropped
//! silently: every row gets exactly one outcome, with its line number.
//!
//! Goal similarity is the Dice coefficient of the two goals' character bigrams, after
//! dropping punctuation and spaces (Chinese has no word breaks, and bigrams carry most of
//! the meaning of a Chinese phrase), each bigram weighted by its rarity among the existing
//! goals (IDF: `ln((N+1)/(df+1)) + 0.1`), so `推进` or `建设` count for little and `垃圾分类`
//! for much. Because a later report often shortens the goal to its first sentence, the
//! score is the larger of Dice and 0.9 × the (weighted) share of the shorter goal's bigrams
//! found in the longer one (when the shorter goal has at least [`MIN_CONTAINED_BIGRAMS`]
//! bigrams).
//!
//! Thresholds: [`SAME_NUMBER_THRESHOLD`] (0.4) confirms a row with the same number;
//! [`RENUMBER_THRESHOLD`] (0.6) moves a row to another task, and only when that task is at
//! least [`RENUMBER_MARGIN`] ahead of the runner-up. On the 116 goals of the 2020 sample the
//! highest weighted similarity between two *different* tasks is 0.295 (tested in
//! `tests/workflow.rs`; unweighted it would be 0.35, #8 垃圾分类…体系建设 against #111
//! 公共法律服务体系建设), and a goal shortened to its first sentence still scores above 0.6.

use crate::figures::{self, Figure};
use crate::import::{ImportedRow, Report};
use crate::model::{Period, Task};
use crate::store::TaskGoal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;

/// Score at or above which a row with a task's own number is that task.
pub const SAME_NUMBER_THRESHOLD: f64 = 0.4;
/// Score at or above which a row is taken to be another task, renumbered.
pub const RENUMBER_THRESHOLD: f64 = 0.6;
/// How far the best other task must be ahead of the second best to renumber.
pub const RENUMBER_MARGIN: f64 = 0.15;
/// Containment counts only for goals at least this long (in bigrams).
pub const MIN_CONTAINED_BIGRAMS: usize = 8;

/// What became of one row of the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum RowOutcome {
    /// Same number, similar goal: the row is a new period of task `task`.
    Matched { task: u32, similarity: f64 },
    /// The row's number differs, but its goal clearly is task `task`'s.
    Renumbered {
        task: u32,
        similarity: f64,
        /// The task (if any) that has the row's own number, and how similar it is.
        displaced: Option<(u32, f64)>,
    },
    /// No task matches: a task the ledger does not have yet.
    New {
        /// The most similar existing task, for the message.
        nearest: Option<(u32, f64)>,
    },
    /// Same number as task `task`, but a different goal, and no other task matches either:
    /// report it, don't merge it.
    Conflict {
        task: u32,
        similarity: f64,
        nearest: Option<(u32, f64)>,
    },
}

/// One row's outcome, with what a message needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowMatch {
    /// The row's number in the report.
    pub number: u32,
    /// 1-based line of the row in the report file.
    pub line: usize,
    /// The row's goal, shortened for messages.
    pub goal: String,
    pub outcome: RowOutcome,
}

impl RowMatch {
    /// The task this row's progress goes to, if it is merged.
    pub fn task(&self) -> Option<u32> {
        match self.outcome {
            RowOutcome::Matched { task, .. } | RowOutcome::Renumbered { task, .. } => Some(task),
            _ => None,
        }
    }

    /// One line for the person importing, the row's goal cut to 30 columns:
    /// `第 37 行 #54 实施兼并重组项目12个。：改号，是任务 53（目标相似度 1.00）`.
    pub fn describe(&self) -> String {
        use crate::tr;
        let goal = crate::text::truncate(&crate::text::clean(&self.goal), 30, "…");
        let head = tr!(
            "第 {} 行 #{} {}",
            "line {} #{} {}",
            self.line,
            self.number,
            goal
        );
        match &self.outcome {
            RowOutcome::Matched { task, similarity } => tr!(
                "{head}：对应任务 {task}（目标相似度 {similarity:.2}）",
                "{head}: matched task {task} (goal similarity {similarity:.2})"
            ),
            RowOutcome::Renumbered {
                task,
                similarity,
                displaced,
            } => {
                let d = displaced
                    .map(|(n, s)| {
                        tr!(
                            "；任务 {n} 用此序号，但目标不同（{s:.2}）",
                            "; task {n} has this number but its goal differs ({s:.2})"
                        )
                    })
                    .unwrap_or_default();
                tr!(
                    "{head}：改号，是任务 {task}（目标相似度 {similarity:.2}）{d}",
                    "{head}: renumbered, it is task {task} (goal similarity {similarity:.2}){d}"
                )
            }
            RowOutcome::New { nearest } => {
                let n = nearest
                    .map(|(n, s)| tr!("，最接近的是任务 {n}（{s:.2}）", ", nearest task {n} at {s:.2}"))
                    .unwrap_or_default();
                tr!(
                    "{head}：新任务，没有相符的已有目标{n}",
                    "{head}: new task, no existing goal matches{n}"
                )
            }
            RowOutcome::Conflict {
                task, similarity, ..
            } => tr!(
                "{head}：冲突，任务 {task} 用此序号但目标不同（相似度 {similarity:.2}），未合并",
                "{head}: conflict, task {task} has this number but a different goal (similarity {similarity:.2}); not merged"
            ),
        }
    }
}

/// The whole matching of a report against the ledger.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Matching {
    /// One entry per row, in the report's order.
    pub rows: Vec<RowMatch>,
    /// Existing tasks that no row matched (the report does not mention them).
    pub absent: Vec<u32>,
}

impl Matching {
    pub fn matched(&self) -> impl Iterator<Item = &RowMatch> {
        self.rows
            .iter()
            .filter(|r| matches!(r.outcome, RowOutcome::Matched { .. }))
    }
    pub fn renumbered(&self) -> impl Iterator<Item = &RowMatch> {
        self.rows
            .iter()
            .filter(|r| matches!(r.outcome, RowOutcome::Renumbered { .. }))
    }
    pub fn new_rows(&self) -> impl Iterator<Item = &RowMatch> {
        self.rows
            .iter()
            .filter(|r| matches!(r.outcome, RowOutcome::New { .. }))
    }
    pub fn conflicts(&self) -> impl Iterator<Item = &RowMatch> {
        self.rows
            .iter()
            .filter(|r| matches!(r.outcome, RowOutcome::Conflict { .. }))
    }
    /// Row number → task number for every row that is merged into an existing task.
    pub fn assignments(&self) -> BTreeMap<u32, u32> {
        self.rows
            .iter()
            .filter_map(|r| r.task().map(|t| (r.number, t)))
            .collect()
    }
}

impl Matching {
    /// The messages for the person importing: every row that is not a plain match, then the
    /// absent tasks. Empty when every row matched its own number and no task is absent.
    pub fn messages(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .rows
            .iter()
            .filter(|r| !matches!(r.outcome, RowOutcome::Matched { .. }))
            .map(RowMatch::describe)
            .collect();
        if !self.absent.is_empty() {
            let list: Vec<String> = self.absent.iter().map(u32::to_string).collect();
            out.push(crate::tr!(
                "{} 项已有任务不在此报告中（保持原样）：{}",
                "{} existing tasks are not in this report (kept as they were): {}",
                self.absent.len(),
                crate::lang::join(&list)
            ));
        }
        out
    }
}

/// The report as it should be merged: renumbered rows carry the number of the task they
/// match, conflicting rows are left out (they are in `matching.conflicts()` for the message),
/// matched and new rows are kept as they are. `Ledger::import` does this itself.
pub fn resolve(report: &Report, matching: &Matching) -> Report {
    Report {
        rows: resolve_rows(&report.rows, matching),
        ..report.clone()
    }
}

/// [`resolve`] for the rows alone.
pub fn resolve_rows(rows: &[ImportedRow], matching: &Matching) -> Vec<ImportedRow> {
    resolved(rows, matching)
        .into_iter()
        .map(|(number, row)| ImportedRow {
            number,
            ..row.clone()
        })
        .collect()
}

/// [`resolve_rows`] without copying the rows: each row to merge with the number of the task
/// it goes to.
pub fn resolved<'a>(rows: &'a [ImportedRow], matching: &Matching) -> Vec<(u32, &'a ImportedRow)> {
    rows.iter()
        .zip(&matching.rows)
        .filter_map(|(row, m)| match m.outcome {
            RowOutcome::Matched { .. } | RowOutcome::New { .. } => Some((row.number, row)),
            RowOutcome::Renumbered { task, .. } => Some((task, row)),
            RowOutcome::Conflict { .. } => None,
        })
        .collect()
}

fn normalize(text: &str) -> Vec<char> {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

type Bigram = (char, char);

/// A text's bigrams with how often each occurs, sorted by bigram (so two are compared by
/// walking both once; hash maps of bigrams made matching 100,000 rows slow and big).
type Grams = Vec<(Bigram, u32)>;

fn bigrams(text: &str) -> Grams {
    let chars = normalize(text);
    let mut pairs: Vec<Bigram> = chars.windows(2).map(|w| (w[0], w[1])).collect();
    if chars.len() == 1 {
        pairs.push((chars[0], '\0'));
    }
    pairs.sort_unstable();
    let mut grams: Grams = Vec::with_capacity(pairs.len());
    for p in pairs {
        match grams.last_mut() {
            Some((q, n)) if *q == p => *n += 1,
            _ => grams.push((p, 1)),
        }
    }
    grams
}

/// A hasher for bigram keys (FxHash's mix): the standard one was a large part of matching's
/// time, and the keys come from the ledger's own goals, not from an attacker.
#[derive(Default, Clone, Copy)]
struct BigramHasher(u64);

impl std::hash::Hasher for BigramHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u32(u32::from(*b));
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(n)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

type BigramMap<V> = HashMap<Bigram, V, std::hash::BuildHasherDefault<BigramHasher>>;

/// What a similarity is computed from: the shared weight and each side's weight and count.
#[derive(Debug, Clone, Copy, Default)]
struct Overlap {
    common: f64,
    weight_a: f64,
    weight_b: f64,
    count_a: u32,
    count_b: u32,
}

impl Overlap {
    fn similarity(&self) -> f64 {
        let (wa, wb) = (self.weight_a, self.weight_b);
        if wa <= 0.0 || wb <= 0.0 {
            return 0.0;
        }
        let dice = 2.0 * self.common / (wa + wb);
        let contained = if self.count_a.min(self.count_b) as usize >= MIN_CONTAINED_BIGRAMS {
            0.9 * self.common / wa.min(wb)
        } else {
            0.0
        };
        dice.max(contained)
    }
}

/// A text's bigrams with their weights and totals, for comparing it with many others.
struct Weighted {
    grams: Vec<(Bigram, u32, f64)>,
    weight: f64,
    count: u32,
}

impl Weighted {
    fn new(grams: Grams, weight: &dyn Fn(&Bigram) -> f64) -> Weighted {
        let grams: Vec<(Bigram, u32, f64)> =
            grams.into_iter().map(|(k, n)| (k, n, weight(&k))).collect();
        Weighted {
            weight: grams.iter().map(|(_, n, w)| f64::from(*n) * w).sum(),
            count: grams.iter().map(|(_, n, _)| n).sum(),
            grams,
        }
    }

    fn overlap(&self, other: &Weighted) -> Overlap {
        let (a, b) = (&self.grams, &other.grams);
        let (mut i, mut j, mut common) = (0, 0, 0.0);
        while i < a.len() && j < b.len() {
            match a[i].0.cmp(&b[j].0) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    common += f64::from(a[i].1.min(b[j].1)) * a[i].2;
                    i += 1;
                    j += 1;
                }
            }
        }
        Overlap {
            common,
            weight_a: self.weight,
            weight_b: other.weight,
            count_a: self.count,
            count_b: other.count,
        }
    }
}

/// Goal similarity in 0..=1 with every bigram weighted alike (see the module doc).
/// [`GoalIndex::similarity`] is the one matching uses.
pub fn goal_similarity(a: &str, b: &str) -> f64 {
    let one = |_: &Bigram| 1.0;
    Weighted::new(bigrams(a), &one)
        .overlap(&Weighted::new(bigrams(b), &one))
        .similarity()
}

/// Goal similarity weighted by how rare each bigram is among the existing goals (inverse
/// document frequency), so that words every goal has (`推进`, `建设`, `加快`) count for
/// less than the words that name the task (`垃圾分类`, `法律服务`).
pub struct GoalIndex {
    df: BigramMap<u32>,
    n: usize,
}

impl GoalIndex {
    pub fn new<'a>(goals: impl IntoIterator<Item = &'a str>) -> GoalIndex {
        use rayon::prelude::*;
        let goals: Vec<&str> = goals.into_iter().collect();
        // Counted on all cores: a ledger may hold 100,000s of goals.
        let df = goals
            .par_iter()
            .fold(BigramMap::default, |mut df, g| {
                for (k, _) in bigrams(g) {
                    *df.entry(k).or_insert(0) += 1;
                }
                df
            })
            .reduce(BigramMap::default, |mut a, b| {
                for (k, n) in b {
                    *a.entry(k).or_insert(0) += n;
                }
                a
            });
        GoalIndex { df, n: goals.len() }
    }

    fn weight(&self, k: &Bigram) -> f64 {
        let df = self.df.get(k).copied().unwrap_or(0) as f64;
        ((self.n as f64 + 1.0) / (df + 1.0)).ln() + 0.1
    }

    fn weighted(&self, text: &str) -> Weighted {
        Weighted::new(bigrams(text), &|k| self.weight(k))
    }

    pub fn similarity(&self, a: &str, b: &str) -> f64 {
        self.weighted(a).overlap(&self.weighted(b)).similarity()
    }
}

fn short(text: &str) -> String {
    let t: String = text.chars().take(24).collect();
    if text.chars().count() > 24 {
        format!("{t}…")
    } else {
        t
    }
}

/// Matches a report's rows to the existing tasks (see the module doc).
pub fn match_rows(existing: &[Task], rows: &[ImportedRow]) -> Matching {
    let goals: Vec<TaskGoal> = existing.iter().map(TaskGoal::of).collect();
    match_goals(&goals, rows)
}

/// What [`GoalIndex::similarity`] gives a goal and itself, whatever the weights: 1, or 0 for
/// a goal with no letter or digit.
fn same_goal_similarity(goal: &str) -> f64 {
    if normalize(goal).is_empty() {
        0.0
    } else {
        1.0
    }
}

/// How a row not matched by its number compares with the tasks.
struct Scores {
    /// The most similar task, the first in the tasks' order among equals.
    best: Option<(usize, f64)>,
    /// The second highest similarity.
    runner_up: f64,
    /// The most similar task, the last in the tasks' order among equals (for messages).
    nearest: Option<(usize, f64)>,
    /// Similarity to the task with the row's own number.
    own: Option<f64>,
}

/// Every existing goal's bigrams by bigram, to compare a row only with the tasks that share
/// one (any other scores 0) rather than with all of them.
struct Postings<'a> {
    index: &'a GoalIndex,
    tasks: Vec<Weighted>,
    by_bigram: BigramMap<Vec<(u32, u32)>>,
}

impl<'a> Postings<'a> {
    fn new(index: &'a GoalIndex, existing: &[TaskGoal]) -> Postings<'a> {
        let mut by_bigram: BigramMap<Vec<(u32, u32)>> = BigramMap::default();
        let tasks: Vec<Weighted> = existing
            .iter()
            .enumerate()
            .map(|(ti, t)| {
                let w = index.weighted(&t.goal);
                for &(k, n, _) in &w.grams {
                    by_bigram.entry(k).or_default().push((ti as u32, n));
                }
                // Only the totals are needed from here on.
                Weighted {
                    grams: Vec::new(),
                    ..w
                }
            })
            .collect();
        Postings {
            index,
            tasks,
            by_bigram,
        }
    }

    fn scores(&self, goal: &str, own: Option<usize>, common: &mut [f64]) -> Scores {
        let row = self.index.weighted(goal);
        let mut touched: Vec<usize> = Vec::new();
        for &(k, n, w) in &row.grams {
            for &(ti, m) in self.by_bigram.get(&k).map_or(&[][..], Vec::as_slice) {
                let ti = ti as usize;
                if common[ti] == 0.0 {
                    touched.push(ti);
                }
                common[ti] += f64::from(n.min(m)) * w;
            }
        }
        let similarity = |ti: usize, common: f64| {
            let t = &self.tasks[ti];
            Overlap {
                common,
                weight_a: row.weight,
                weight_b: t.weight,
                count_a: row.count,
                count_b: t.count,
            }
            .similarity()
        };
        let mut ranked: Vec<(usize, f64)> = touched
            .iter()
            .map(|&ti| (ti, similarity(ti, common[ti])))
            .collect();
        let own = own.map(|ti| similarity(ti, common[ti]));
        for &ti in &touched {
            common[ti] = 0.0;
        }
        // Tasks sharing no bigram score 0: the first of them in order is the best when no
        // task shares one, the last the nearest.
        let n = self.tasks.len();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let nearest = ranked
            .iter()
            .take_while(|(_, s)| *s == ranked[0].1)
            .max_by_key(|(ti, _)| *ti)
            .copied()
            .or_else(|| n.checked_sub(1).map(|last| (last, 0.0)));
        Scores {
            best: ranked.first().copied().or((n > 0).then_some((0, 0.0))),
            runner_up: ranked.get(1).map_or(0.0, |x| x.1),
            nearest,
            own,
        }
    }
}

/// [`match_rows`] given only the tasks' numbers and goals, ordered as the tasks are.
pub fn match_goals(existing: &[TaskGoal], rows: &[ImportedRow]) -> Matching {
    // The goals' bigram weights, counted when a comparison needs them: the next period of
    // the same tasks, whose goals are the tasks' own, needs none.
    let index = std::sync::OnceLock::new();
    let index = || index.get_or_init(|| GoalIndex::new(existing.iter().map(|t| t.goal.as_str())));
    let by_number: HashMap<u32, usize> = existing
        .iter()
        .enumerate()
        .map(|(i, t)| (t.number, i))
        .collect();
    let mut claimed: BTreeSet<u32> = BTreeSet::new();
    let mut outcome: Vec<Option<RowOutcome>> = vec![None; rows.len()];

    // 1. Same number, similar goal: one comparison a row, so importing the next report of
    //    the same tasks stays linear in their number (the comparisons on all cores).
    let same_number: Vec<Option<f64>> = {
        use rayon::prelude::*;
        rows.par_iter()
            .map(|r| {
                let goal = &existing[*by_number.get(&r.number)?].goal;
                Some(if r.goal == *goal {
                    same_goal_similarity(goal)
                } else {
                    index().similarity(&r.goal, goal)
                })
            })
            .collect()
    };
    for (i, r) in rows.iter().enumerate() {
        if let (Some(&ti), Some(s)) = (by_number.get(&r.number), same_number[i]) {
            // A goal a person corrected no longer reads like the report's goal; the
            // correction vouches for the task, so its number is trusted.
            // A row without a goal has only its number to go by.
            let vouched = existing[ti].goal_edited || r.goal.trim().is_empty();
            if (s >= SAME_NUMBER_THRESHOLD || vouched) && !claimed.contains(&r.number) {
                claimed.insert(r.number);
                outcome[i] = Some(RowOutcome::Matched {
                    task: r.number,
                    similarity: s,
                });
            }
        }
    }
    // How every row not matched yet compares with the tasks (nothing for matched rows).
    let scores: Vec<Option<Scores>> = if outcome.iter().all(Option::is_some) {
        outcome.iter().map(|_| None).collect()
    } else {
        let postings = Postings::new(index(), existing);
        let mut common = vec![0.0; existing.len()];
        rows.iter()
            .zip(&outcome)
            .map(|(r, o)| {
                o.is_none().then(|| {
                    let own = by_number.get(&r.number).copied();
                    postings.scores(&r.goal, own, &mut common)
                })
            })
            .collect()
    };
    // 2. The rest: the best unclaimed task, if it is clearly the one; strongest first so two
    //    rows never take one task.
    let mut candidates: Vec<(usize, usize, f64, f64)> = scores
        .iter()
        .enumerate()
        .filter_map(|(i, sc)| {
            let sc = sc.as_ref()?;
            sc.best.map(|(ti, s)| (i, ti, s, sc.runner_up))
        })
        .collect();
    candidates.sort_by(|a, b| b.2.total_cmp(&a.2));
    for (i, ti, s, runner_up) in candidates {
        let task = existing[ti].number;
        if s >= RENUMBER_THRESHOLD && s - runner_up >= RENUMBER_MARGIN && !claimed.contains(&task) {
            claimed.insert(task);
            let own = scores[i].as_ref().and_then(|sc| sc.own);
            let displaced = by_number
                .get(&rows[i].number)
                .map(|&ti| (existing[ti].number, own.unwrap_or(0.0)));
            outcome[i] = Some(RowOutcome::Renumbered {
                task,
                similarity: s,
                displaced,
            });
        }
    }
    // 3. Conflicts and new rows.
    for (i, r) in rows.iter().enumerate() {
        if outcome[i].is_some() {
            continue;
        }
        let sc = scores[i].as_ref();
        let nearest = sc
            .and_then(|sc| sc.nearest)
            .map(|(ti, s)| (existing[ti].number, s));
        outcome[i] = Some(match by_number.get(&r.number) {
            Some(_) => RowOutcome::Conflict {
                task: r.number,
                similarity: sc.and_then(|sc| sc.own).unwrap_or(0.0),
                nearest,
            },
            None => RowOutcome::New { nearest },
        });
    }
    let rows_out = rows
        .iter()
        .zip(outcome)
        .map(|(r, o)| RowMatch {
            number: r.number,
            line: r.line,
            goal: short(&r.goal),
            outcome: o.expect("every row has an outcome"),
        })
        .collect();
    Matching {
        rows: rows_out,
        absent: existing
            .iter()
            .map(|t| t.number)
            .filter(|n| !claimed.contains(n))
            .collect(),
    }
}

/// A period's text as one string: its paragraphs joined by line breaks. All char ranges in a
/// [`PeriodDiff`] are into this text.
pub fn period_text(period: &Period) -> String {
    period.paragraphs.join("\n")
}

/// A sentence of a period's text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sentence {
    /// The sentence, trimmed, with its closing `。` or `;` if it had one.
    pub text: String,
    /// Char range in [`period_text`] of its period.
    pub span: Range<usize>,
}

/// A figure with the same label in both periods but a different value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FigureChange {
    pub label: String,
    /// In the previous period (its span is into the previous period's text).
    pub before: Figure,
    /// In the current period (its span is into the current period's text).
    pub after: Figure,
}

/// A counted amount of the previous period paired by what it counts with one of the current
/// period whose value differs (`5G基站 1175处 → 1420处`), see [`figures::pair_amounts`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AmountChange {
    /// What it counts (`5G基站`).
    pub label: String,
    pub before: figures::Amount,
    pub after: figures::Amount,
}

impl AmountChange {
    /// `5G基站 1175处 → 1420处`.
    pub fn describe(&self) -> String {
        format!("{} {} → {}", self.label, self.before.text, self.after.text)
    }
}

impl FigureChange {
    /// `完成率64% → 完成率87%`.
    pub fn describe(&self) -> String {
        format!("{} → {}", self.before.summary(), self.after.summary())
    }
}

/// What changed in a task's progress from one period to the next.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodDiff {
    pub previous: String,
    pub current: String,
    /// Sentences of the current period that the previous one did not have.
    pub added: Vec<Sentence>,
    /// Sentences of the previous period that the current one no longer has.
    pub removed: Vec<Sentence>,
    /// Sentences of the current period that the previous one had too.
    pub kept: Vec<Sentence>,
    /// Figures present in both periods under the same label with a different value,
    /// paired in text order within each label.
    pub changed_figures: Vec<FigureChange>,
    /// Figures of the current period whose label the previous period did not have.
    pub new_figures: Vec<Figure>,
    /// Counted amounts (`1175处`, `79条`) paired across the two periods by what they count,
    /// whatever sentence they are in, whose value changed. Amounts inside a changed figure's
    /// words are left to that figure.
    pub changed_amounts: Vec<AmountChange>,
}

impl PeriodDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.changed_figures.is_empty()
            && self.changed_amounts.is_empty()
    }
}

/// Splits a text into sentences on `。;;!?` and line breaks, keeping each sentence's closing
/// mark, with char ranges.
pub fn split_sentences(text: &str) -> Vec<Sentence> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut start = 0;
    let push = |from: usize, to: usize, out: &mut Vec<Sentence>| {
        // Trim whitespace at both ends, keeping the range exact.
        let mut a = from;
        let mut b = to;
        while a < b && chars[a].is_whitespace() {
            a += 1;
        }
        while b > a && chars[b - 1].is_whitespace() {
            b -= 1;
        }
        if b > a {
            out.push(Sentence {
                text: chars[a..b].iter().collect(),
                span: a..b,
            });
        }
    };
    for (i, c) in chars.iter().enumerate() {
        match c {
            '\n' | '\r' => {
                push(start, i, &mut out);
                start = i + 1;
            }
            '。' | ';' | '\u{ff1b}' | '!' | '\u{ff01}' | '?' | '\u{ff1f}' => {
                push(start, i + 1, &mut out);
                start = i + 1;
            }
            _ => {}
        }
    }
    push(start, chars.len(), &mut out);
    out
}

/// The sentence's words without punctuation and spaces, so that `;` vs `;` or a trailing
/// `。` does not make a kept sentence look new.
fn sentence_key(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).collect()
}

/// What changed from `previous` to `current` (see [`PeriodDiff`]).
pub fn diff(previous: &Period, current: &Period) -> PeriodDiff {
    let prev_text = period_text(previous);
    let cur_text = period_text(current);
    let prev_sents = split_sentences(&prev_text);
    let cur_sents = split_sentences(&cur_text);

    let mut pool: HashMap<String, usize> = HashMap::new();
    for s in &prev_sents {
        *pool.entry(sentence_key(&s.text)).or_insert(0) += 1;
    }
    let mut added = Vec::new();
    let mut kept = Vec::new();
    for s in cur_sents {
        let k = sentence_key(&s.text);
        match pool.get_mut(&k) {
            Some(n) if *n > 0 => {
                *n -= 1;
                kept.push(s);
            }
            _ => added.push(s),
        }
    }
    let mut cur_pool: HashMap<String, usize> = HashMap::new();
    for s in &kept {
        *cur_pool.entry(sentence_key(&s.text)).or_insert(0) += 1;
    }
    let mut removed = Vec::new();
    for s in prev_sents {
        let k = sentence_key(&s.text);
        match cur_pool.get_mut(&k) {
            Some(n) if *n > 0 => *n -= 1,
            _ => removed.push(s),
        }
    }

    // Figures: pair by label, in order.
    let mut before: BTreeMap<String, Vec<Figure>> = BTreeMap::new();
    for f in figures::extract(&prev_text) {
        before.entry(f.label.clone()).or_default().push(f);
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut changed_figures = Vec::new();
    let mut new_figures = Vec::new();
    for f in figures::extract(&cur_text) {
        let i = seen.entry(f.label.clone()).or_insert(0);
        match before.get(&f.label).and_then(|v| v.get(*i)) {
            Some(b) => {
                if (b.value_percent - f.value_percent).abs() > 1e-9 {
                    changed_figures.push(FigureChange {
                        label: f.label.clone(),
                        before: b.clone(),
                        after: f,
                    });
                }
            }
            None => new_figures.push(f),
        }
        *i += 1;
    }
    // Counted amounts, paired by what they count across sentences.
    let (was, now) = (figures::amounts(&prev_text), figures::amounts(&cur_text));
    let inside_changed = |a: &figures::Amount| {
        changed_figures.iter().any(|c: &FigureChange| {
            c.after.text_span.start <= a.text_span.start && a.text_span.end <= c.after.text_span.end
        })
    };
    let changed_amounts = figures::pair_amounts(&was, &now)
        .into_iter()
        .filter(|&(i, j)| (was[i].value - now[j].value).abs() > 1e-9 && !inside_changed(&now[j]))
        .map(|(i, j)| AmountChange {
            label: now[j].subject(),
            before: was[i].clone(),
            after: now[j].clone(),
        })
        .collect();
    PeriodDiff {
        previous: previous.name.clone(),
        current: current.name.clone(),
        added,
        removed,
        kept,
        changed_figures,
        new_figures,
        changed_amounts,
    }
}

/// Where a char index of [`period_text`] falls in the period's paragraphs: (paragraph
/// index, char index within that paragraph), so a view that shows paragraphs one by one can
/// highlight a [`Sentence`] or [`Figure`] span. An index past the end gives the end of the
/// last paragraph.
pub fn locate(period: &Period, char_index: usize) -> (usize, usize) {
    let mut start = 0;
    for (i, p) in period.paragraphs.iter().enumerate() {
        let len = p.chars().count();
        if char_index <= start + len {
            return (i, char_index - start);
        }
        start += len + 1; // the joining line break
    }
    let last = period.paragraphs.len().saturating_sub(1);
    (
        last,
        period.paragraphs.last().map_or(0, |p| p.chars().count()),
    )
}

/// The task's periods, newest first (the detail view's order).
pub fn newest_first(task: &Task) -> Vec<&Period> {
    task.periods.iter().rev().collect()
}

/// The diff of a task's latest period against the one before it, if it has two.
pub fn latest_diff(task: &Task) -> Option<PeriodDiff> {
    let n = task.periods.len();
    (n >= 2).then(|| diff(&task.periods[n - 2], &task.periods[n - 1]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn period(name: &str, paras: &[&str]) -> Period {
        Period {
            name: name.into(),
            paragraphs: paras.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn similarity_is_high_for_a_shortened_goal_and_low_across_topics() {
        let full = "全域推进生活垃圾分类,完善垃圾分类体系建设。持续推进公厕建设管理,市区新建、改造公厕47座,打造主城区10如厕圈。";
        assert!(goal_similarity(full, "全域推进生活垃圾分类,完善垃圾分类体系建设。") > 0.6);
        assert!(goal_similarity(full, "推进撤县设区。") < 0.2);
        assert_eq!(goal_similarity("", "x"), 0.0);
    }

    /// The shortcut for a goal met again unchanged gives what the weighted comparison gives.
    #[test]
    fn a_goal_compared_with_itself_scores_as_the_weighted_comparison_does() {
        let goals = ["全域推进生活垃圾分类。", "推进撤县设区。", "x", "。", ""];
        let index = GoalIndex::new(goals);
        for g in goals {
            assert_eq!(same_goal_similarity(g), index.similarity(g, g), "{g:?}");
        }
    }

    #[test]
    fn sentences_split_on_full_stops_semicolons_and_lines() {
        let s = split_sentences("一是甲。二是乙;三是丙\n四是丁");
        let texts: Vec<&str> = s.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(texts, ["一是甲。", "二是乙;", "三是丙", "四是丁"]);
        assert_eq!(s[1].span, 4..8);
    }

    #[test]
    fn locate_maps_joined_offsets_to_paragraphs() {
        let p = period("x", &["甲乙", "丙丁戊"]);
        assert_eq!(locate(&p, 0), (0, 0));
        assert_eq!(locate(&p, 2), (0, 2));
        assert_eq!(locate(&p, 3), (1, 0));
        assert_eq!(locate(&p, 5), (1, 2));
        assert_eq!(locate(&p, 99), (1, 3));
    }

    #[test]
    fn diff_finds_added_removed_and_changed_figures() {
        let a = period(
            "上半年",
            &["公厕建设:现已完成新建改造30座,完成率64%。印发工作要点。"],
        );
        let b = period(
            "第三季度",
            &["公厕建设:现已完成新建改造41座,完成率87%。印发工作要点。启动考核。"],
        );
        let d = diff(&a, &b);
        assert_eq!(d.kept.len(), 1);
        assert_eq!(d.added.len(), 2);
        assert_eq!(d.removed.len(), 1);
        assert_eq!(d.changed_figures.len(), 1);
        assert_eq!(d.changed_figures[0].describe(), "完成率64% → 完成率87%");
    }
}
