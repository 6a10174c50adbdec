//! Search over the key work tasks: one core for the UI (results on every keystroke) and the
//! CLI (`duban search`). Words match the number, goal, units, notes and every period's
//! progress — as a whole substring, as pinyin (full, initials or a mix) or scattered
//! (SkimMatcherV2) — and results rank as a person expects (see `Hit::score`).
//!
//! The index holds, per task, its text in one UTF-16 string (a character is a unit, which
//! is also its key into the pinyin table, so no pinyin is stored) and a 4096-bit signature
//! (characters; pinyin initials, pairs and triples of them, syllables), stored bit-sliced so
//! a query rules out 64 tasks per machine word before reading any text. At 100,000 generated
//! tasks it takes about 1.7 times the UTF-8 bytes of the text it indexes (benches/search.rs).
//! Searches run on all cores (rayon) in chunks of 512 tasks, stop at the next chunk when
//! cancelled, and start from the previous results when the query only grew.
//!
//! Ranking: a whole substring or pinyin run beats a scattered hit; then a hit in the goal or
//! a unit beats a note beats the progress; then the fuzzy score (SkimMatcherV2's, with its
//! bonus for a hit at the start of a field; a lead unit earns a little more than a co unit);
//! then the shorter matched text; then the task number. See `HELP` for the query syntax.

mod doc;
mod json;
mod matcher;
mod names;
pub use names::names_match;
mod pinyin;
mod query;
mod searcher;
mod suggest;

pub use json::results_json;
pub use query::{Fields, Query, Term, HELP};
pub use searcher::{SearchOutcome, Searcher};

use crate::model::Task;
use doc::{Built, Doc, Docs, Signatures};
use fuzzy_matcher::skim::SkimMatcherV2;
use matcher::{Compiled, TermHit, CHUNK_WORDS, DOMAIN_SPAN, NUMBER_SPAN, STATUS_SPAN};
use rayon::prelude::*;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};

/// Where a hit was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Number,
    Goal,
    Unit,
    Note,
    Progress,
    /// Only a `status:` filter matched (no words).
    Status,
    /// Only a `domain:` filter matched (no words).
    Domain,
}

impl Field {
    pub fn name(self) -> &'static str {
        match self {
            Field::Number => "number",
            Field::Goal => "goal",
            Field::Unit => "unit",
            Field::Note => "note",
            Field::Progress => "progress",
            Field::Status => "status",
            Field::Domain => "domain",
        }
    }

    /// Rank of the field: a hit in the goal or a unit beats a note beats the progress.
    pub(crate) fn tier(self) -> u8 {
        match self {
            Field::Number => 3,
            Field::Goal | Field::Unit => 2,
            Field::Note => 1,
            Field::Progress | Field::Status | Field::Domain => 0,
        }
    }

    /// Order of the fields' pieces in a task's indexed text.
    pub(crate) fn order(self) -> u8 {
        match self {
            Field::Goal => 0,
            Field::Unit => 1,
            Field::Note => 2,
            Field::Progress => 3,
            Field::Number | Field::Status | Field::Domain => 4,
        }
    }

    pub(crate) fn mask(self) -> Fields {
        match self {
            Field::Number => Fields::NUMBER,
            Field::Goal => Fields::GOAL,
            Field::Unit => Fields::UNIT,
            Field::Note => Fields::NOTE,
            Field::Progress | Field::Status | Field::Domain => Fields::PROGRESS,
        }
    }
}

/// Matched character positions in a field's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Positions {
    /// `len` characters from `start`.
    Run(u32, u32),
    /// Boxed twice on purpose: a thin pointer keeps `Hit` small for sorting 100,000 of
    /// them, and most hits are runs.
    #[allow(clippy::box_collection)]
    List(Box<Vec<u32>>),
}

impl Positions {
    pub(crate) fn none() -> Positions {
        Positions::Run(0, 0)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        let (run, list) = match self {
            Positions::Run(s, l) => (*s..*s + *l, &[][..]),
            Positions::List(v) => (0..0, &v[..]),
        };
        run.chain(list.iter().copied())
    }

    fn to_vec(&self) -> Vec<usize> {
        self.iter().map(|p| p as usize).collect()
    }

    /// The union of several, ascending.
    fn union<'a>(all: impl Iterator<Item = &'a Positions>) -> Positions {
        let mut all = all.peekable();
        let Some(first) = all.next() else {
            return Positions::none();
        };
        if all.peek().is_none() {
            return first.clone();
        }
        let mut v: Vec<u32> = first.iter().chain(all.flat_map(|p| p.iter())).collect();
        v.sort_unstable();
        v.dedup();
        Positions::List(Box::new(v))
    }
}

/// Where in a task a hit lies, for a face that wants to show or scroll to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Place {
    Number,
    Goal,
    /// `task.lead_units[index]` or `task.co_units[index]`; `canonical`: the alias file's
    /// name rather than the written one.
    Unit {
        lead: bool,
        index: usize,
        canonical: bool,
    },
    /// `task.notes[index]`.
    Note {
        index: usize,
    },
    /// `task.periods[period].paragraphs[paragraph]`.
    Progress {
        period: usize,
        paragraph: usize,
    },
    Status,
    Domain,
}

/// One matching task: plain data, cheap to make, so a search that matches 100,000 tasks
/// builds no strings. The text to show and its highlights come from the task itself
/// (`text_and_highlights(&task)`), which the UI and the CLI hold anyway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub number: u32,
    /// Higher is better. Per word: 2,000,000 for a whole substring or pinyin run, 1,000,000
    /// for a scattered hit, plus 10,000 per field rank (number 3, goal/unit 2, note 1,
    /// progress 0), plus the fuzzy score (0..9,999); summed over the words. Ties go to the
    /// shorter matched text, then the lower task number.
    pub score: i64,
    /// The field of the best-scoring word's hit.
    pub field: Field,
    /// Which of the task's pieces of that field (unit, note, paragraph), in `pieces` order.
    ordinal: u16,
    /// Matched characters in that piece's text.
    pos: Positions,
    /// Matched characters in the goal.
    goal_pos: Positions,
    /// Character length of the matched piece, for ties.
    len: u32,
    /// The task's slot in the index that made it, for narrowing.
    doc: u32,
}

impl Hit {
    /// Sort key: score (descending), then shorter matched text, then task number.
    fn rank_key(&self) -> u128 {
        let score = (i64::MAX - self.score) as u64;
        (u128::from(score) << 64) | (u128::from(self.len) << 32) | u128::from(self.number)
    }

    /// Where the hit lies in `task` (None if `task` is not this hit's task as indexed).
    pub fn place(&self, task: &Task) -> Option<Place> {
        match self.field {
            Field::Number => Some(Place::Number),
            Field::Status => Some(Place::Status),
            Field::Domain => Some(Place::Domain),
            f => doc::pieces(task)
                .filter(|p| p.field == f)
                .nth(usize::from(self.ordinal))
                .map(|p| p.place),
        }
    }

    /// The matched field's whole text in `task`: the goal, the unit's name, the note, the
    /// paragraph, the number, or the status/domain label.
    pub fn field_text<'a>(&self, task: &'a Task) -> Cow<'a, str> {
        match self.field {
            Field::Number => Cow::Owned(self.number.to_string()),
            Field::Status => Cow::Borrowed(task.status.label()),
            Field::Domain => Cow::Borrowed(task.domain.label()),
            f => Cow::Borrowed(
                doc::pieces(task)
                    .filter(|p| p.field == f)
                    .nth(usize::from(self.ordinal))
                    .map_or("", |p| p.text),
            ),
        }
    }

    /// Matched characters in `field_text` (char indices, ascending).
    pub fn field_highlights(&self) -> Vec<usize> {
        self.pos.to_vec()
    }

    /// What to show: the field's text, or for a long note or progress paragraph a snippet
    /// around the hit (`…` marks a cut); with the matched characters as char indices into it.
    pub fn text_and_highlights<'a>(&self, task: &'a Task) -> (Cow<'a, str>, Vec<usize>) {
        let text = self.field_text(task);
        let n = text.chars().count();
        let pos: Vec<usize> = self
            .pos
            .iter()
            .map(|p| p as usize)
            .filter(|&p| p < n)
            .collect();
        match self.field {
            Field::Note | Field::Progress => match snippet(&text, &pos) {
                (Some(t), p) => (Cow::Owned(t), p),
                (None, p) => (text, p),
            },
            _ => (text, pos),
        }
    }

    /// `text_and_highlights(task).0`.
    pub fn text<'a>(&self, task: &'a Task) -> Cow<'a, str> {
        self.text_and_highlights(task).0
    }

    /// `text_and_highlights(task).1`.
    pub fn highlights(&self, task: &Task) -> Vec<usize> {
        self.text_and_highlights(task).1
    }

    /// Matched characters in the task's goal (char indices), for the list row; empty when
    /// no word hit the goal.
    pub fn goal_highlights(&self) -> Vec<usize> {
        self.goal_pos.to_vec()
    }
}

/// A search's outcome, in rank order. Keeps the query so a later search can narrow from it.
#[derive(Debug, Clone)]
pub struct Results {
    pub hits: Vec<Hit>,
    pub query: Query,
    /// When there are no hits: the unit names nearest to the query's words.
    pub suggestions: Vec<String>,
    /// True when these results were computed from a previous search's results.
    pub narrowed: bool,
    epoch: u64,
}

impl Results {
    pub fn is_empty(&self) -> bool {
        self.hits.is_empty()
    }
    pub fn len(&self) -> usize {
        self.hits.len()
    }
}

/// The search index over all tasks.
pub struct Index {
    docs: Docs,
    sigs: Signatures,
    /// Task number → its slot in `docs` and `sigs`.
    by_number: HashMap<u32, u32>,
    /// Unit name (written and canonical) → how many tasks name it.
    units: BTreeMap<String, u32>,
    epoch: u64,
    skim: SkimMatcherV2,
}

impl Index {
    /// Builds the index (pinyin, signatures) on all cores, a batch of tasks at a time so the
    /// prepared copies never outgrow a batch.
    pub fn build(tasks: &[Task]) -> Index {
        const BATCH: usize = 4096;
        let mut index = Index {
            docs: Docs::default(),
            sigs: Signatures::with_capacity(tasks.len()),
            by_number: HashMap::with_capacity(tasks.len()),
            units: BTreeMap::new(),
            epoch: 0,
            skim: SkimMatcherV2::default().respect_case(),
        };
        index.docs.reserve_exact(tasks);
        let mut seen = HashMap::with_capacity(tasks.len());
        for batch in tasks.chunks(BATCH) {
            let built: Vec<Built> = batch.par_iter().map(Built::new).collect();
            for (task, b) in batch.iter().zip(built) {
                // A duplicate number: the later task wins, as in the store.
                if let Some(old) = seen.insert(task.number, task) {
                    index.count_units(old, -1);
                }
                index.put(b);
                index.count_units(task, 1);
            }
        }
        index.epoch = 0;
        index
    }

    /// Adds a prepared task, or replaces the one with its number.
    fn put(&mut self, b: Built) {
        let number = b.number();
        match self.by_number.get(&number).map(|&i| i as usize) {
            Some(i) => {
                self.sigs.set(i, &b.sig);
                self.docs.replace(i, b);
            }
            None => {
                self.by_number.insert(number, self.docs.len() as u32);
                self.sigs.push(&b.sig);
                self.docs.push(b);
            }
        }
        self.epoch += 1;
    }

    /// Re-indexes one task after an edit (status, note, goal, units), or adds it.
    pub fn update(&mut self, task: &Task) {
        if let Some(&i) = self.by_number.get(&task.number) {
            // The unit counts need the old units; the index has them in its text.
            self.uncount_units(i as usize);
        }
        self.put(Built::new(task));
        self.count_units(task, 1);
    }

    /// Drops a task from the index; false if it was not there.
    pub fn remove(&mut self, number: u32) -> bool {
        let Some(i) = self.by_number.remove(&number).map(|i| i as usize) else {
            return false;
        };
        self.uncount_units(i);
        let last = self.docs.len() - 1;
        self.docs.swap_remove(i);
        self.sigs.swap_remove(i);
        if i != last {
            self.by_number.insert(self.docs.number(i), i as u32);
        }
        self.epoch += 1;
        true
    }

    fn count_units(&mut self, task: &Task, delta: i32) {
        let mut names: Vec<&str> = doc::pieces(task)
            .filter(|p| p.field == Field::Unit)
            .map(|p| p.text)
            .collect();
        names.sort_unstable();
        names.dedup();
        for name in names {
            self.count_unit(name, delta);
        }
    }

    /// Takes slot `i`'s units out of the counts, reading their names from the index (ASCII
    /// lowercased there, which unit names rarely contain).
    fn uncount_units(&mut self, i: usize) {
        let doc = self.docs.get(i);
        let mut names: Vec<String> = (0..doc.spans.len())
            .filter(|&s| doc.spans[s].field == Field::Unit)
            .map(|s| String::from_utf16_lossy(&doc.text()[doc.span_range(s)]))
            .collect();
        names.sort_unstable();
        names.dedup();
        for name in names {
            let original = self
                .units
                .keys()
                .find(|k| k.to_ascii_lowercase() == name)
                .cloned();
            if let Some(k) = original {
                self.count_unit(&k, -1);
            }
        }
    }

    fn count_unit(&mut self, name: &str, delta: i32) {
        if delta > 0 {
            *self.units.entry(name.to_string()).or_insert(0) += 1;
        } else if let Some(c) = self.units.get_mut(name) {
            *c -= 1;
            if *c == 0 {
                self.units.remove(name);
            }
        }
    }

    /// Number of tasks indexed.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.len() == 0
    }

    /// Heap bytes the index holds (text, spans, signatures, maps), estimated from lengths
    /// and capacities.
    pub fn heap_bytes(&self) -> usize {
        // A hash table of capacity n has about n * 8 / 7 slots, each the entry and a control
        // byte, rounded up to a power of two.
        let slots = (self.by_number.capacity() * 8 / 7).next_power_of_two();
        self.docs.heap_bytes()
            + self.sigs.heap_bytes()
            + slots * (std::mem::size_of::<(u32, u32)>() + 1)
            + self.units.keys().map(|k| k.len() + 48).sum::<usize>()
    }

    /// Searches every task. None if `cancel` was set before it finished.
    pub fn search(&self, query: &Query, cancel: &AtomicBool) -> Option<Results> {
        self.run(query, None, cancel)
    }

    /// Searches only `previous`'s hits when `query` refines `previous.query` (the text only
    /// grew) and no task changed since; otherwise searches every task. Same results either
    /// way, only faster.
    pub fn search_within(
        &self,
        query: &Query,
        previous: &Results,
        cancel: &AtomicBool,
    ) -> Option<Results> {
        // From (nearly) everything, a full search is as quick.
        if previous.epoch != self.epoch
            || !query.refines(&previous.query)
            || previous.hits.len() * 4 > self.docs.len() * 3
        {
            return self.search(query, cancel);
        }
        let cands: Vec<u32> = previous.hits.iter().map(|h| h.doc).collect();
        self.run(query, Some(&cands), cancel)
    }

    /// Unit names nearest to `query` (its words, prefixes like `@` allowed): whole-substring,
    /// pinyin and fuzzy matches first, then names sharing the most characters.
    pub fn suggest_units(&self, query: &str, n: usize) -> Vec<String> {
        suggest::suggest(&self.units, query, n, &self.skim)
    }

    /// All unit names (written and canonical) with how many tasks name them.
    pub fn unit_names(&self) -> impl Iterator<Item = (&str, u32)> {
        self.units.iter().map(|(k, v)| (k.as_str(), *v))
    }

    /// How many tasks pass the signature prefilter, and the share of signature bits set
    /// (diagnostics for the benchmark).
    #[doc(hidden)]
    pub fn prefilter_stats(&self, query: &Query) -> (usize, f64) {
        let compiled = Compiled::new(query, &self.skim);
        let mask = self.all_mask();
        let n = mask
            .chunks(CHUNK_WORDS)
            .enumerate()
            .map(|(c, m)| {
                let cf = compiled.filter(&self.docs, &self.sigs, c * CHUNK_WORDS, m);
                cf.candidates
                    .iter()
                    .map(|w| w.count_ones() as usize)
                    .sum::<usize>()
            })
            .sum();
        (n, self.sigs.fill())
    }

    /// Every task, as a bitset.
    fn all_mask(&self) -> Vec<u64> {
        let n = self.docs.len();
        let mut mask = vec![u64::MAX; n.div_ceil(64)];
        if n % 64 != 0 {
            if let Some(last) = mask.last_mut() {
                *last = (1u64 << (n % 64)) - 1;
            }
        }
        mask
    }

    fn run(&self, query: &Query, cands: Option<&[u32]>, cancel: &AtomicBool) -> Option<Results> {
        let compiled = Compiled::new(query, &self.skim);
        let mask = match cands {
            None => self.all_mask(),
            Some(ids) => {
                let mut m = vec![0u64; self.docs.len().div_ceil(64)];
                for &i in ids {
                    if let Some(w) = m.get_mut(i as usize / 64) {
                        *w |= 1 << (i % 64);
                    }
                }
                m
            }
        };
        let parts: Option<Vec<Vec<Hit>>> = mask
            .par_chunks(CHUNK_WORDS)
            .enumerate()
            .map(|(c, m)| {
                if cancel.load(Ordering::Relaxed) {
                    return None;
                }
                let mut out = Vec::new();
                if m.iter().all(|&w| w == 0) {
                    return Some(out);
                }
                let cf = compiled.filter(&self.docs, &self.sigs, c * CHUNK_WORDS, m);
                let mut buf = Vec::with_capacity(compiled.terms.len());
                for i in cf.tasks() {
                    let doc = self.docs.get(i);
                    if compiled.match_doc(i, &doc, &cf, &self.skim, &mut buf) {
                        out.push(make_hit(i, &doc, &buf));
                    }
                }
                Some(out)
            })
            .collect();
        let parts = parts?;
        let mut hits = Vec::with_capacity(parts.iter().map(Vec::len).sum());
        for p in parts {
            hits.extend(p);
        }
        if cancel.load(Ordering::Relaxed) {
            return None;
        }
        hits.par_sort_unstable_by_key(Hit::rank_key);
        if cancel.load(Ordering::Relaxed) {
            return None;
        }
        let suggestions = if hits.is_empty() {
            let words: Vec<&str> = query.text_words().map(|(w, _)| w).collect();
            self.suggest_units(&words.join(" "), 5)
        } else {
            Vec::new()
        };
        Some(Results {
            hits,
            query: query.clone(),
            suggestions,
            narrowed: cands.is_some(),
            epoch: self.epoch,
        })
    }
}

/// A task's hit from its words' hits: the best word's field, every word's highlights in it.
fn make_hit(slot: usize, doc: &Doc<'_>, hits: &[TermHit]) -> Hit {
    let score = hits.iter().map(TermHit::value).sum();
    let primary = hits
        .iter()
        .enumerate()
        .max_by_key(|(i, h)| {
            (
                h.value(),
                std::cmp::Reverse(h.span_len),
                std::cmp::Reverse(*i),
            )
        })
        .map(|(_, h)| h);
    let goal_pos = if doc.has_goal() {
        Positions::union(hits.iter().filter(|h| h.span == 0).map(|h| &h.pos))
    } else {
        Positions::none()
    };
    let same = |span: u32| Positions::union(hits.iter().filter(|h| h.span == span).map(|h| &h.pos));
    let (field, ordinal, pos, len) = match primary.map(|h| h.span) {
        // No words (empty query or filters only): the goal, in number order.
        None => (Field::Goal, 0, Positions::none(), 0),
        Some(NUMBER_SPAN) => (Field::Number, 0, same(NUMBER_SPAN), 0),
        Some(STATUS_SPAN) => (Field::Status, 0, Positions::none(), 0),
        Some(DOMAIN_SPAN) => (Field::Domain, 0, Positions::none(), 0),
        Some(si) => (
            doc.spans[si as usize].field,
            doc.ordinal(si as usize),
            same(si),
            primary.map_or(0, |h| h.span_len),
        ),
    };
    Hit {
        number: doc.number,
        score,
        field,
        ordinal,
        pos,
        goal_pos,
        len,
        doc: slot as u32,
    }
}

/// Characters shown around a hit in a long paragraph.
const SNIPPET_BEFORE: usize = 12;
const SNIPPET_WIDTH: usize = 60;

/// A window of `text` around the highlighted characters, `…` marking cuts, highlights moved
/// to the window; None when the text is short enough to show whole.
fn snippet(text: &str, pos: &[usize]) -> (Option<String>, Vec<usize>) {
    let n = text.chars().count();
    if n <= SNIPPET_WIDTH {
        return (None, pos.to_vec());
    }
    let first = pos.first().copied().unwrap_or(0);
    let last = pos.last().copied().unwrap_or(0);
    let mut start = first.saturating_sub(SNIPPET_BEFORE);
    let end = (start + SNIPPET_WIDTH).max(last + 1).min(n);
    if end - start < SNIPPET_WIDTH {
        start = end.saturating_sub(SNIPPET_WIDTH);
    }
    let mut out = String::with_capacity((end - start) * 3 + 6);
    let lead = usize::from(start > 0);
    if start > 0 {
        out.push('…');
    }
    out.extend(text.chars().skip(start).take(end - start));
    if end < n {
        out.push('…');
    }
    let pos = pos
        .iter()
        .filter(|&&p| p >= start && p < end)
        .map(|p| p - start + lead)
        .collect();
    (Some(out), pos)
}

#[cfg(test)]
mod tests;
