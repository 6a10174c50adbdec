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

    /// One line for the person importing: `第12行 #12 → 任务12 (相似度0.93)`.
    pub fn describe(&self) -> String {
        let head = format!("line {} #{} {}", self.line, self.number, self.goal);
        match &self.outcome {
            RowOutcome::Matched { task, similarity } => {
                format!("{head}: matched task {task} (goal similarity {similarity:.2})")
            }
            RowOutcome::Renumbered {
                task,
                similarity,
                displaced,
            } => {
                let d = displaced
                    .map(|(n, s)| format!("; task {n} has this number but its goal differs ({s:.2})"))
                    .unwrap_or_default();
                format!("{head}: renumbered, it is task {task} (goal similarity {similarity:.2}){d}")
            }
            RowOutcome::New { nearest } => {
                let n = nearest
                    .map(|(n, s)| format!(", nearest task {n} at {s:.2}"))
                    .unwrap_or_default();
                format!("{head}: new task, no existing goal matches{n}")
            }
            RowOutcome::Conflict {
                task, similarity, ..
            } => format!(
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
            out.push(format!(
                "{} existing tasks are not in this report (kept as they were): {}",
                self.absent.len(),
                list.join(", ")
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
    rows.iter()
        .zip(&matching.rows)
        .filter_map(|(row, m)| match m.outcome {
            RowOutcome::Matched { .. } | RowOutcome::New { .. } => Some(row.clone()),
            RowOutcome::Renumbered { task, .. } => {
                let mut r = row.clone();
                r.number = task;
                Some(r)
            }
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

fn bigrams(text: &str) -> HashMap<(char, char), usize> {
    let chars = normalize(text);
    let mut m = HashMap::new();
    for w in chars.windows(2) {
        *m.entry((w[0], w[1])).or_insert(0) += 1;
    }
    if chars.len() == 1 {
        m.insert((chars[0], '\0'), 1);
    }
    m
}

type Grams = HashMap<(char, char), usize>;

fn similarity_with(a: &Grams, b: &Grams, weight: &dyn Fn(&(char, char)) -> f64) -> f64 {
    let total = |g: &Grams| -> f64 { g.iter().map(|(k, n)| *n as f64 * weight(k)).sum() };
    let (wa, wb) = (total(a), total(b));
    if wa <= 0.0 || wb <= 0.0 {
        return 0.0;
    }
    let common: f64 = a
        .iter()
        .map(|(k, n)| (*n).min(b.get(k).copied().unwrap_or(0)) as f64 * weight(k))
        .sum();
    let dice = 2.0 * common / (wa + wb);
    let na: usize = a.values().sum();
    let nb: usize = b.values().sum();
    let contained = if na.min(nb) >= MIN_CONTAINED_BIGRAMS {
        0.9 * common / wa.min(wb)
    } else {
        0.0
    };
    dice.max(contained)
}

/// Goal similarity in 0..=1 with every bigram weighted alike (see the module doc).
/// [`GoalIndex::similarity`] is the one matching uses.
pub fn goal_similarity(a: &str, b: &str) -> f64 {
    similarity_with(&bigrams(a), &bigrams(b), &|_| 1.0)
}

/// Goal similarity weighted by how rare each bigram is among the existing goals (inverse
/// document frequency), so that words every goal has (`推进`, `建设`, `加快`) count for
/// less than the words that name the task (`垃圾分类`, `法律服务`).
pub struct GoalIndex {
    df: HashMap<(char, char), usize>,
    n: usize,
}

impl GoalIndex {
    pub fn new<'a>(goals: impl IntoIterator<Item = &'a str>) -> GoalIndex {
        let mut df = HashMap::new();
        let mut n = 0;
        for g in goals {
            n += 1;
            for k in bigrams(g).into_keys() {
                *df.entry(k).or_insert(0) += 1;
            }
        }
        GoalIndex { df, n }
    }

    fn weight(&self, k: &(char, char)) -> f64 {
        let df = self.df.get(k).copied().unwrap_or(0) as f64;
        ((self.n as f64 + 1.0) / (df + 1.0)).ln() + 0.1
    }

    fn similarity_of(&self, a: &Grams, b: &Grams) -> f64 {
        similarity_with(a, b, &|k| self.weight(k))
    }

    pub fn similarity(&self, a: &str, b: &str) -> f64 {
        self.similarity_of(&bigrams(a), &bigrams(b))
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
    let index = GoalIndex::new(existing.iter().map(|t| t.goal.as_str()));
    let task_grams: Vec<(u32, Grams)> = existing
        .iter()
        .map(|t| (t.number, bigrams(&t.goal)))
        .collect();
    let by_number: HashMap<u32, usize> = existing
        .iter()
        .enumerate()
        .map(|(i, t)| (t.number, i))
        .collect();
    let row_grams: Vec<Grams> = rows.iter().map(|r| bigrams(&r.goal)).collect();
    let mut claimed: BTreeSet<u32> = BTreeSet::new();
    let mut outcome: Vec<Option<RowOutcome>> = vec![None; rows.len()];

    // 1. Same number, similar goal: one comparison a row, so importing the next report of
    //    the same tasks stays linear in their number.
    for (i, r) in rows.iter().enumerate() {
        if let Some(&ti) = by_number.get(&r.number) {
            let s = index.similarity_of(&row_grams[i], &task_grams[ti].1);
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
    // Similarity of every row not matched yet to every task (none for matched rows).
    let scores: Vec<Vec<f64>> = (0..rows.len())
        .map(|i| match outcome[i] {
            Some(_) => Vec::new(),
            None => task_grams
                .iter()
                .map(|(_, tg)| index.similarity_of(&row_grams[i], tg))
                .collect(),
        })
        .collect();
    // 2. The rest: the best unclaimed task, if it is clearly the one; strongest first so two
    //    rows never take one task.
    let mut candidates: Vec<(usize, usize, f64, f64)> = Vec::new();
    for (i, _) in rows
        .iter()
        .enumerate()
        .filter(|(i, _)| outcome[*i].is_none())
    {
        let mut ranked: Vec<(usize, f64)> = scores[i].iter().copied().enumerate().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        if let Some(&(ti, s)) = ranked.first() {
            let runner_up = ranked.get(1).map_or(0.0, |x| x.1);
            candidates.push((i, ti, s, runner_up));
        }
    }
    candidates.sort_by(|a, b| b.2.total_cmp(&a.2));
    for (i, ti, s, runner_up) in candidates {
        let task = existing[ti].number;
        if s >= RENUMBER_THRESHOLD && s - runner_up >= RENUMBER_MARGIN && !claimed.contains(&task) {
            claimed.insert(task);
            let displaced = by_number
                .get(&rows[i].number)
                .map(|&own| (existing[own].number, scores[i][own]));
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
        let nearest = scores[i]
            .iter()
            .copied()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(ti, s)| (existing[ti].number, s));
        outcome[i] = Some(match by_number.get(&r.number) {
            Some(&ti) => RowOutcome::Conflict {
                task: r.number,
                similarity: scores[i][ti],
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
}

impl PeriodDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed_figures.is_empty()
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
    PeriodDiff {
        previous: previous.name.clone(),
        current: current.name.clone(),
        added,
        removed,
        kept,
        changed_figures,
        new_figures,
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
