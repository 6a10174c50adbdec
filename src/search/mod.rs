//! Search over the key work tasks: one core for the UI (results on every keystroke) and the
//! CLI (`duban search`). Words match the number, goal, units, notes and every period's
//! progress — as a whole substring, as pinyin (full, initials or a mix) or scattered
//! (SkimMatcherV2) — and results rank as a person expects (see `Hit::score`).
//!
//! The index precomputes, per task, the text in one string, one pinyin id per character and
//! a 2048-bit signature (characters and adjacent pinyin initials) that rules most tasks out
//! before any text is read. Searches run on all cores (rayon), can be cancelled between
//! chunks, and can start from the previous results when the query only grew.

mod doc;
mod json;
mod matcher;
mod pinyin;
mod query;
mod searcher;
mod suggest;

pub mod corpus;

pub use json::results_json;
pub use query::{Fields, Query, Term};
pub use searcher::{SearchOutcome, Searcher};

use crate::model::Task;
use doc::{Doc, Signatures};
use fuzzy_matcher::skim::SkimMatcherV2;
use matcher::{Compiled, TermHit, DOMAIN_SPAN, NUMBER_SPAN, STATUS_SPAN};
use rayon::prelude::*;
use serde::Serialize;
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
    fn tier(self) -> u8 {
        match self {
            Field::Number => 3,
            Field::Goal | Field::Unit => 2,
            Field::Note => 1,
            Field::Progress | Field::Status | Field::Domain => 0,
        }
    }

    fn mask(self) -> Fields {
        match self {
            Field::Number => Fields::NUMBER,
            Field::Goal => Fields::GOAL,
            Field::Unit => Fields::UNIT,
            Field::Note => Fields::NOTE,
            Field::Progress | Field::Status | Field::Domain => Fields::PROGRESS,
        }
    }
}

/// One matching task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hit {
    pub number: u32,
    /// Higher is better. Per word: 2,000,000 for a whole substring or pinyin run, 1,000,000
    /// for a scattered hit, plus 10,000 per field rank (number 3, goal/unit 2, note 1,
    /// progress 0), plus the fuzzy score (0..9,999); summed over the words. Ties go to the shorter
    /// matched text, then the lower task number.
    pub score: i64,
    /// The field of the best-scoring word's hit.
    pub field: Field,
    /// That field's text: the goal, the unit's name, the number, or for a note or progress
    /// paragraph a snippet around the hit (`…` marks a cut).
    pub text: String,
    /// Matched characters in `text`, as char indices (not bytes), ascending.
    pub highlights: Vec<usize>,
    /// Matched characters in the task's goal (char indices), for the list row; empty when no
    /// word hit the goal.
    pub goal_highlights: Vec<usize>,
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
    docs: Vec<Doc>,
    sigs: Signatures,
    by_number: HashMap<u32, usize>,
    /// Unit name (written and canonical) → how many tasks name it.
    units: BTreeMap<String, u32>,
    epoch: u64,
    skim: SkimMatcherV2,
}

/// Tasks per parallel chunk: the grain of cancellation.
const CHUNK: usize = 512;

struct DocMatch {
    doc: u32,
    number: u32,
    score: i64,
    len: u32,
    primary: usize,
    hits: Vec<TermHit>,
}

impl Index {
    /// Builds the index (pinyin, signatures) on all cores.
    pub fn build(tasks: &[Task]) -> Index {
        let built: Vec<_> = tasks.par_iter().map(Doc::build).collect();
        let mut index = Index {
            docs: Vec::with_capacity(built.len()),
            sigs: Signatures::new(),
            by_number: HashMap::with_capacity(built.len()),
            units: BTreeMap::new(),
            epoch: 0,
            skim: SkimMatcherV2::default().respect_case(),
        };
        for (task, (doc, sig)) in tasks.iter().zip(built) {
            if let Some(&i) = index.by_number.get(&task.number) {
                // A duplicate number: the later task wins, as in the store.
                index.count_units(i, -1);
                index.docs[i] = doc;
                index.sigs.set(i, &sig);
                index.count_units(i, 1);
                continue;
            }
            index.by_number.insert(task.number, index.docs.len());
            index.docs.push(doc);
            index.sigs.push(&sig);
            index.count_units(index.docs.len() - 1, 1);
        }
        index
    }

    /// Re-indexes one task after an edit (status, note, goal, units), or adds it.
    pub fn update(&mut self, task: &Task) {
        let (doc, sig) = Doc::build(task);
        match self.by_number.get(&task.number) {
            Some(&i) => {
                self.count_units(i, -1);
                self.docs[i] = doc;
                self.sigs.set(i, &sig);
                self.count_units(i, 1);
            }
            None => {
                self.by_number.insert(task.number, self.docs.len());
                self.docs.push(doc);
                self.sigs.push(&sig);
                self.count_units(self.docs.len() - 1, 1);
            }
        }
        self.epoch += 1;
    }

    /// Drops a task from the index; false if it was not there.
    pub fn remove(&mut self, number: u32) -> bool {
        let Some(i) = self.by_number.remove(&number) else {
            return false;
        };
        self.count_units(i, -1);
        let last = self.docs.len() - 1;
        self.docs.swap_remove(i);
        self.sigs.swap_remove(i);
        if i != last {
            self.by_number.insert(self.docs[i].number, i);
        }
        self.epoch += 1;
        true
    }

    fn count_units(&mut self, i: usize, delta: i32) {
        let doc = &self.docs[i];
        let mut names: Vec<&str> = doc
            .spans
            .iter()
            .filter(|s| s.field == Field::Unit)
            .map(|s| doc.span_text(s))
            .collect();
        names.sort_unstable();
        names.dedup();
        for name in names {
            if delta > 0 {
                *self.units.entry(name.to_string()).or_insert(0) += 1;
            } else if let Some(c) = self.units.get_mut(name) {
                *c -= 1;
                if *c == 0 {
                    self.units.remove(name);
                }
            }
        }
    }

    /// Number of tasks indexed.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// Heap bytes the index holds (text, pinyin ids, spans, signatures, maps), estimated
    /// from lengths and capacities.
    pub fn heap_bytes(&self) -> usize {
        let docs: usize = self.docs.iter().map(Doc::heap_bytes).sum();
        docs + self.docs.capacity() * std::mem::size_of::<Doc>()
            + self.sigs.heap_bytes()
            + self.by_number.capacity() * 24
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
        if previous.epoch != self.epoch || !query.refines(&previous.query) {
            return self.search(query, cancel);
        }
        let mut cands: Vec<u32> = previous
            .hits
            .iter()
            .filter_map(|h| self.by_number.get(&h.number).map(|&i| i as u32))
            .collect();
        cands.sort_unstable();
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

    fn run(&self, query: &Query, cands: Option<&[u32]>, cancel: &AtomicBool) -> Option<Results> {
        let compiled = Compiled::new(query);
        let scan = |ids: &mut dyn Iterator<Item = usize>| -> Option<Vec<DocMatch>> {
            if cancel.load(Ordering::Relaxed) {
                return None;
            }
            let mut out = Vec::new();
            for i in ids {
                if let Some(m) = self.match_one(&compiled, i) {
                    out.push(m);
                }
            }
            Some(out)
        };
        let parts: Option<Vec<Vec<DocMatch>>> = match cands {
            None => {
                let n = self.docs.len();
                (0..n.div_ceil(CHUNK))
                    .into_par_iter()
                    .map(|c| scan(&mut (c * CHUNK..n.min((c + 1) * CHUNK))))
                    .collect()
            }
            Some(ids) => ids
                .par_chunks(CHUNK)
                .map(|c| scan(&mut c.iter().map(|&i| i as usize)))
                .collect(),
        };
        let mut matches: Vec<DocMatch> = parts?.into_iter().flatten().collect();
        if cancel.load(Ordering::Relaxed) {
            return None;
        }
        matches.par_sort_unstable_by(|a, b| {
            b.score
                .cmp(&a.score)
                .then(a.len.cmp(&b.len))
                .then(a.number.cmp(&b.number))
        });
        if cancel.load(Ordering::Relaxed) {
            return None;
        }
        let hits: Vec<Hit> = matches
            .par_iter()
            .with_min_len(CHUNK)
            .map(|m| self.make_hit(m))
            .collect();
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

    fn match_one(&self, compiled: &Compiled, i: usize) -> Option<DocMatch> {
        let doc = &self.docs[i];
        let hits = compiled.match_doc(i, doc, &self.sigs, &self.skim)?;
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
            .map_or(usize::MAX, |(i, _)| i);
        // No words (empty query or filters only): number order.
        let len = hits.get(primary).map_or(0, |h| h.span_len);
        Some(DocMatch {
            doc: i as u32,
            number: doc.number,
            score,
            len,
            primary,
            hits,
        })
    }

    fn make_hit(&self, m: &DocMatch) -> Hit {
        let doc = &self.docs[m.doc as usize];
        let goal_highlights = match doc.goal_span() {
            Some(_) => positions(&m.hits, 0),
            None => Vec::new(),
        };
        let (field, text, highlights) = match m.hits.get(m.primary).map(|h| h.span) {
            // No words: show the goal.
            None => (
                Field::Goal,
                doc.goal_span()
                    .map_or(String::new(), |s| doc.span_text(s).to_string()),
                Vec::new(),
            ),
            Some(NUMBER_SPAN) => (
                Field::Number,
                doc.number.to_string(),
                positions(&m.hits, NUMBER_SPAN),
            ),
            Some(STATUS_SPAN) => (Field::Status, doc.status.label().to_string(), Vec::new()),
            Some(DOMAIN_SPAN) => (Field::Domain, doc.domain.label().to_string(), Vec::new()),
            Some(si) => {
                let span = &doc.spans[si as usize];
                let text = doc.span_text(span);
                let pos = positions(&m.hits, si);
                match span.field {
                    Field::Note | Field::Progress => {
                        let (t, p) = snippet(text, &pos);
                        (span.field, t, p)
                    }
                    f => (f, text.to_string(), pos),
                }
            }
        };
        Hit {
            number: doc.number,
            score: m.score,
            field,
            text,
            highlights,
            goal_highlights,
        }
    }
}

/// Sorted, distinct positions of all words that hit span `span`.
fn positions(hits: &[TermHit], span: u32) -> Vec<usize> {
    let mut v: Vec<usize> = hits
        .iter()
        .filter(|h| h.span == span)
        .flat_map(|h| h.pos.iter())
        .map(|p| p as usize)
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Characters shown around a hit in a long paragraph.
const SNIPPET_BEFORE: usize = 12;
const SNIPPET_WIDTH: usize = 60;

/// A window of `text` around the highlighted characters, `…` marking cuts; highlights moved
/// to the window.
fn snippet(text: &str, pos: &[usize]) -> (String, Vec<usize>) {
    let n = text.chars().count();
    if n <= SNIPPET_WIDTH {
        return (text.to_string(), pos.to_vec());
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
    (out, pos)
}

#[cfg(test)]
mod tests;
