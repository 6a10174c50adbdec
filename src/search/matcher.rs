//! Matching one compiled query against one task: the prefilter on signature bits, then per
//! word the best hit — a whole substring or pinyin run before a scattered fuzzy hit; a hit in
//! the goal or a unit before a note before the progress — scored with SkimMatcherV2.

use super::doc::{
    char_bit, char_bit2, count_chars, find_units, initial_bit, needle_units, pair_bit, span_at,
    span_range, syllable_bit, triple_bit, unit_finder, Conj, Doc, Docs, Signatures, Span,
};
use super::pinyin::{letter, segment_options, Table, Word};
use super::query::{Fields, Query, Term};
use super::Positions;
use crate::model::{Domain, Status};
use fuzzy_matcher::skim::SkimMatcherV2;
use fuzzy_matcher::FuzzyMatcher;
use memchr::memmem::Finder;

/// A scattered hit must fit in the word's length plus this many characters, in one field:
/// 生…态…环…境 spread over a page is not what anyone meant.
pub const SLACK: usize = 10;

/// Where a term hit lies when it is not in a text span.
pub const NUMBER_SPAN: u32 = u32::MAX;
pub const STATUS_SPAN: u32 = u32::MAX - 1;
pub const DOMAIN_SPAN: u32 = u32::MAX - 2;

/// Extra score for a hit in a lead unit (牵头) over a co-responsible one.
const LEAD_BONUS: i32 = 4;

/// One word's best hit in one task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermHit {
    /// 2: whole substring or pinyin run; 1: scattered; 0: a filter.
    pub class: u8,
    /// 3: the task number itself; 2: goal or unit; 1: note; 0: progress.
    pub tier: u8,
    pub score: i32,
    /// Index into the task's spans, or one of the `*_SPAN` constants.
    pub span: u32,
    pub span_len: u32,
    /// Matched characters, relative to the span's start.
    pub pos: Positions,
}

impl TermHit {
    /// The word's share of a task's score: class, then tier, then the fuzzy score.
    pub fn value(&self) -> i64 {
        i64::from(self.class) * 1_000_000
            + i64::from(self.tier) * 10_000
            + i64::from(self.score.clamp(0, 9_999))
    }

    fn better_than(&self, other: &Option<TermHit>) -> bool {
        match other {
            None => true,
            Some(o) => (self.value(), o.span_len) > (o.value(), self.span_len),
        }
    }
}

pub struct TextTerm {
    fields: Fields,
    contiguous: bool,
    q: String,
    /// The word as UTF-16, as the index holds text.
    q16: Vec<u16>,
    qchars: usize,
    /// Finders over UTF-16 text (see `find_units`): the word, and each of its characters.
    finder: Finder<'static>,
    char_finders: Vec<Finder<'static>>,
    /// SkimMatcherV2's score of a whole-substring hit, by the type of the character before it
    /// (it depends on nothing else), so a hit is scored without running the matcher.
    contiguous_scores: [i32; 6],
    /// The highest score a whole-substring hit / a pinyin run can get.
    best_whole: i32,
    best_run: i32,
    /// The word as pinyin, when it is ASCII letters only.
    pinyin: Option<Word<'static>>,
    number: Option<u32>,
    /// Prefilter: the word's characters all occur in the task.
    direct: Conj,
    /// Prefilter: one of the word's pinyin splits has all its keys in the task.
    pinyin_filter: Option<PinyinFilter>,
}

/// The signature test for a pinyin word: a walk over the word's letter positions, run on
/// bitsets (64 tasks a word). A segment (see `pinyin`) may follow when the signature holds
/// its syllable (if the segment pins one), the pair of its and the next segment's initials,
/// and the triple with the previous one. A task passes when the walk reaches the word's end:
/// some split has all its keys.
struct PinyinFilter {
    /// `steps[p]`: the segments that can start at letter `p`.
    steps: Vec<Vec<Step>>,
}

struct Step {
    next: usize,
    keys: Vec<usize>,
    /// By the previous segment's length (1..=6; 0: none): the triple's bit.
    triple: [Option<usize>; 7],
}

impl PinyinFilter {
    fn new(table: &Table, p: &[u8]) -> PinyinFilter {
        let steps = (0..p.len())
            .map(|at| {
                segment_options(table, p, at)
                    .into_iter()
                    .map(|(k, syllable)| {
                        let next = at + k;
                        let mut keys = Vec::new();
                        if let Some(id) = syllable {
                            keys.push(syllable_bit(id));
                        }
                        let mut triple = [None; 7];
                        if next < p.len() {
                            keys.push(pair_bit(letter(p[at]), letter(p[next])));
                            for (kp, slot) in triple.iter_mut().enumerate().skip(1) {
                                if kp <= at {
                                    *slot = Some(triple_bit(
                                        letter(p[at - kp]),
                                        letter(p[at]),
                                        letter(p[next]),
                                    ));
                                }
                            }
                        }
                        if at == 0 {
                            keys.push(initial_bit(letter(p[0])));
                        }
                        Step { next, keys, triple }
                    })
                    .collect()
            })
            .collect();
        PinyinFilter { steps }
    }

    /// ORs into `out` the tasks (of `w0 .. w0 + out.len()` words) whose signature passes.
    fn eval(&self, sigs: &Signatures, w0: usize, out: &mut [u64]) {
        let nw = out.len();
        let len = self.steps.len();
        // reach[p * 7 + k]: tasks a split brings to letter p with a last segment of length k
        // (k = 0: at the start).
        let mut reach = vec![0u64; len * 7 * nw];
        reach[..nw].fill(u64::MAX);
        let mut m = vec![0u64; nw];
        for (at, steps) in self.steps.iter().enumerate() {
            for kp in 0..7 {
                let from = (at * 7 + kp) * nw;
                if reach[from..from + nw].iter().all(|&x| x == 0) {
                    continue;
                }
                for st in steps {
                    m.copy_from_slice(&reach[from..from + nw]);
                    for &k in &st.keys {
                        sigs.and_into(k, w0, &mut m);
                    }
                    if st.next < len {
                        if let (true, Some(t)) = (kp > 0, st.triple[kp]) {
                            sigs.and_into(t, w0, &mut m);
                        }
                    }
                    if st.next == len {
                        for (o, x) in out.iter_mut().zip(&m) {
                            *o |= x;
                        }
                    } else {
                        let to = (st.next * 7 + (st.next - at)) * nw;
                        for (o, x) in reach[to..to + nw].iter_mut().zip(&m) {
                            *o |= x;
                        }
                    }
                }
            }
        }
    }
}

pub enum CTerm {
    Text(Box<TextTerm>),
    Number(Option<u32>),
    Status(Vec<Status>),
    Domain(Vec<Domain>),
}

pub struct Compiled {
    pub terms: Vec<CTerm>,
}

/// Most words a chunk spans (its tasks / 64).
pub const CHUNK_WORDS: usize = 8;

/// What the signatures say about one chunk of tasks: which may match at all, and per text
/// term which may match directly and which by pinyin.
pub struct ChunkFilter {
    w0: usize,
    pub candidates: [u64; CHUNK_WORDS],
    direct: Vec<[u64; CHUNK_WORDS]>,
    pinyin: Vec<[u64; CHUNK_WORDS]>,
}

impl ChunkFilter {
    #[inline]
    fn bit(set: &[u64; CHUNK_WORDS], w0: usize, i: usize) -> bool {
        set[i / 64 - w0] >> (i % 64) & 1 == 1
    }

    /// The tasks that passed, in order.
    pub fn tasks(&self) -> impl Iterator<Item = usize> + '_ {
        self.candidates.iter().enumerate().flat_map(move |(k, &w)| {
            let base = (self.w0 + k) * 64;
            let mut w = w;
            std::iter::from_fn(move || {
                (w != 0).then(|| {
                    let b = w.trailing_zeros() as usize;
                    w &= w - 1;
                    base + b
                })
            })
        })
    }
}

impl Compiled {
    pub fn new(query: &Query, skim: &SkimMatcherV2) -> Compiled {
        let terms = query
            .terms
            .iter()
            .map(|t| match t {
                Term::Text {
                    text,
                    fields,
                    contiguous,
                } => CTerm::Text(Box::new(TextTerm::new(text, *fields, *contiguous, skim))),
                Term::Number { number } => CTerm::Number(*number),
                Term::Status { any_of } => CTerm::Status(any_of.clone()),
                Term::Domain { any_of } => CTerm::Domain(any_of.clone()),
            })
            .collect();
        Compiled { terms }
    }

    /// Filters the tasks of words `w0 .. w0 + mask.len()` (`mask`: the tasks to consider):
    /// signature keys first, then status, domain and number checks on what is left.
    pub fn filter(&self, docs: &Docs, sigs: &Signatures, w0: usize, mask: &[u64]) -> ChunkFilter {
        let nw = mask.len().min(CHUNK_WORDS);
        let mut cf = ChunkFilter {
            w0,
            candidates: [0; CHUNK_WORDS],
            direct: Vec::new(),
            pinyin: Vec::new(),
        };
        cf.candidates[..nw].copy_from_slice(&mask[..nw]);
        for t in &self.terms {
            let CTerm::Text(t) = t else {
                continue;
            };
            let mut direct = cf.candidates;
            for &b in &t.direct.0 {
                sigs.and_into(b, w0, &mut direct[..nw]);
            }
            let mut pinyin = [0u64; CHUNK_WORDS];
            if let Some(f) = &t.pinyin_filter {
                f.eval(sigs, w0, &mut pinyin[..nw]);
                for (p, c) in pinyin.iter_mut().zip(&cf.candidates) {
                    *p &= c;
                }
            }
            let mut any = [0u64; CHUNK_WORDS];
            for k in 0..nw {
                any[k] = direct[k] | pinyin[k];
            }
            if t.number.is_some() {
                // The number is not in the signature: look at every task left.
                let left = ChunkFilter {
                    w0,
                    candidates: cf.candidates,
                    direct: Vec::new(),
                    pinyin: Vec::new(),
                };
                for i in left.tasks() {
                    if i < docs.len() && t.number_hit(&docs.get(i)).is_some() {
                        any[i / 64 - w0] |= 1 << (i % 64);
                    }
                }
            }
            cf.candidates = any;
            cf.direct.push(direct);
            cf.pinyin.push(pinyin);
        }
        let needs_doc = self.terms.iter().any(|t| !matches!(t, CTerm::Text(_)));
        if needs_doc {
            let left: Vec<usize> = cf.tasks().collect();
            for i in left {
                if i >= docs.len() {
                    continue;
                }
                let doc = docs.get(i);
                let ok = self.terms.iter().all(|t| match t {
                    CTerm::Status(any) => any.contains(&doc.status),
                    CTerm::Domain(any) => any.contains(&doc.domain),
                    CTerm::Number(n) => *n == Some(doc.number),
                    CTerm::Text(_) => true,
                });
                if !ok {
                    cf.candidates[i / 64 - w0] &= !(1 << (i % 64));
                }
            }
        }
        cf
    }

    /// The task's hits, one per term, into `out`; false when some term does not match.
    /// `i` must be one of `cf`'s candidates.
    pub fn match_doc(
        &self,
        i: usize,
        doc: &Doc<'_>,
        cf: &ChunkFilter,
        skim: &SkimMatcherV2,
        out: &mut Vec<TermHit>,
    ) -> bool {
        out.clear();
        let filter = |span| TermHit {
            class: 0,
            tier: 0,
            score: 0,
            span,
            span_len: 0,
            pos: Positions::none(),
        };
        let mut text = 0;
        for t in &self.terms {
            let hit = match t {
                CTerm::Status(_) => filter(STATUS_SPAN),
                CTerm::Domain(_) => filter(DOMAIN_SPAN),
                CTerm::Number(_) => TermHit {
                    class: 2,
                    tier: 3,
                    score: 100,
                    span: NUMBER_SPAN,
                    span_len: 0,
                    pos: Positions::Run(0, digits(doc.number)),
                },
                CTerm::Text(t) => {
                    let direct = ChunkFilter::bit(&cf.direct[text], cf.w0, i);
                    let pinyin = ChunkFilter::bit(&cf.pinyin[text], cf.w0, i);
                    text += 1;
                    match t.match_doc(doc, direct, pinyin, skim) {
                        Some(h) => h,
                        None => return false,
                    }
                }
            };
            out.push(hit);
        }
        true
    }
}

/// A pinyin run's score: 16 per letter, less 6 per character after the first (fewer
/// characters for the same letters is a closer reading).
fn pinyin_score(letters: usize, chars: i32) -> i32 {
    16 * letters as i32 - 6 * (chars - 1)
}

fn digits(n: u32) -> u32 {
    n.checked_ilog10().unwrap_or(0) + 1
}

/// `needle` in a short `hay` (a unit's name): a plain loop beats setting up SIMD.
#[inline]
fn find_short(hay: &[u16], needle: &[u16]) -> Option<usize> {
    if needle.is_empty() || needle.len() > hay.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// `char_type` of the character that UTF-16 unit `u` is (or ends): every character beyond
/// ASCII is of the last type, surrogate pairs included.
fn unit_type(u: Option<u16>) -> usize {
    match u {
        None => 0,
        Some(u) if u < 0x80 => char_type(Some(char::from(u as u8))),
        Some(_) => 5,
    }
}

/// SkimMatcherV2's character types (its `CharType`), which decide its position bonuses.
fn char_type(c: Option<char>) -> usize {
    match c {
        None | Some('\0') => 0,
        Some(' ' | '/' | '\\' | '|' | '(' | ')' | '[' | ']' | '{' | '}') => 1,
        Some('!'..='\'' | '*'..='.' | ':'..='@' | '^'..='`' | '~') => 2,
        Some('0'..='9') => 3,
        Some('A'..='Z') => 4,
        Some(_) => 5,
    }
}

impl TextTerm {
    fn new(text: &str, fields: Fields, contiguous: bool, skim: &SkimMatcherV2) -> TextTerm {
        let table = Table::get();
        let mut direct = Conj::default();
        let mut char_finders = Vec::new();
        let mut buf = [0u8; 4];
        for c in text.chars() {
            direct = direct.with(char_bit(c)).with(char_bit2(c));
            char_finders.push(unit_finder(c.encode_utf8(&mut buf)));
        }
        // A character of each type that is not in the word, to score `<it><word>`.
        let examples: [&str; 6] = ["", " /|()", ".,;:-", "0123456789", "ABCDEFGHIJ", "a一bcdef"];
        let mut contiguous_scores = [0i32; 6];
        for (slot, ex) in contiguous_scores.iter_mut().zip(examples) {
            let prev = ex.chars().find(|c| !text.contains(*c));
            let window: String = prev.into_iter().chain(text.chars()).collect();
            *slot = skim.fuzzy_match(&window, text).unwrap_or(0) as i32;
        }
        let bytes = text.as_bytes();
        // Letters only: `5g` means 5G, not 5个.
        let pinyin =
            (!bytes.is_empty() && bytes.iter().all(u8::is_ascii_lowercase) && bytes.len() < 64)
                .then(|| bytes.to_vec());
        let pinyin_filter = pinyin.as_deref().map(|p| PinyinFilter::new(table, p));
        let pinyin = pinyin.and_then(|p| Word::new(table, &p));
        let number = if fields.contains(Fields::NUMBER) && bytes.iter().all(u8::is_ascii_digit) {
            text.parse::<u32>().ok()
        } else {
            None
        };
        TextTerm {
            fields,
            contiguous,
            q: text.to_string(),
            q16: text.encode_utf16().collect(),
            qchars: text.chars().count(),
            finder: unit_finder(text),
            char_finders,
            contiguous_scores,
            best_whole: contiguous_scores.iter().max().copied().unwrap_or(0) + LEAD_BONUS,
            best_run: pinyin_score(bytes.len(), 1) + 8 + LEAD_BONUS,
            pinyin,
            number,
            direct,
            pinyin_filter,
        }
    }

    /// A word of digits matches the task number: exactly (best of all hits) or as part of it.
    fn number_hit(&self, doc: &Doc<'_>) -> Option<TermHit> {
        let n = self.number?;
        let len = digits(doc.number);
        if doc.number == n && digits(n) as usize == self.q.len() {
            return Some(TermHit {
                class: 2,
                tier: 3,
                score: 100,
                span: NUMBER_SPAN,
                span_len: len,
                pos: Positions::Run(0, len),
            });
        }
        let mut buf = [0u8; 10];
        let mut k = buf.len();
        let mut x = doc.number;
        loop {
            k -= 1;
            buf[k] = b'0' + (x % 10) as u8;
            x /= 10;
            if x == 0 {
                break;
            }
        }
        let digits_of = &buf[k..];
        let q = self.q.as_bytes();
        let at = digits_of.windows(q.len()).position(|w| w == q)?;
        Some(TermHit {
            class: 2,
            tier: 2,
            score: 0,
            span: NUMBER_SPAN,
            span_len: len,
            pos: Positions::Run(at as u32, self.q.len() as u32),
        })
    }

    /// The first and last span this word may look at.
    fn allowed(&self, doc: &Doc<'_>) -> Option<(usize, usize)> {
        if self.fields == Fields::ALL {
            return doc.spans.len().checked_sub(1).map(|last| (0, last));
        }
        let ok = |s: &super::doc::Span| self.fields.contains(s.field.mask());
        let first = doc.spans.iter().position(ok)?;
        let last = doc.spans.iter().rposition(ok)?;
        Some((first, last))
    }

    fn match_doc(
        &self,
        doc: &Doc<'_>,
        direct: bool,
        pinyin: bool,
        skim: &SkimMatcherV2,
    ) -> Option<TermHit> {
        let mut best: Option<TermHit> = None;
        if let Some(hit) = self.number_hit(doc) {
            if hit.tier == 3 {
                return Some(hit);
            }
            best = Some(hit);
        }
        let Some((first, last)) = self.allowed(doc) else {
            return best;
        };
        if direct {
            if let Some(h) = self.whole(doc, first, last) {
                if h.better_than(&best) {
                    best = Some(h);
                }
            }
        }
        if pinyin {
            // Only tiers at least as good as the best so far can win.
            let end = match &best {
                Some(b) if b.span < NUMBER_SPAN - 3 => doc.tier_end(b.tier) - 1,
                _ => last,
            };
            if let Some(h) = self.pinyin_run(doc, first, end.min(last)) {
                if h.better_than(&best) {
                    best = Some(h);
                }
            }
        }
        if best.is_some() || self.contiguous || !direct {
            return best;
        }
        self.scattered(doc, first, last, skim)
    }

    /// The best whole-substring hit. The first occurrence decides the tier (spans are in
    /// rank order); in the goal and units a later span replaces it only with a strictly
    /// higher score: the word at its start, or in a lead unit.
    fn whole(&self, doc: &Doc<'_>, first: usize, last: usize) -> Option<TermHit> {
        let text = doc.text();
        let end = doc.span_range(last).end;
        let mut from = doc.span_range(first).start;
        let (si, at) = loop {
            if from >= end {
                return None;
            }
            let b = from + find_units(&self.finder, &text[from..end])?;
            let si = doc.span_at(b);
            if self.fields.contains(doc.spans[si].field.mask()) {
                break (si, b);
            }
            from = doc.span_range(si).end;
        };
        let mut best = self.whole_hit(doc, si, at);
        if best.tier < 2 {
            return Some(best);
        }
        let q = &self.q16[..];
        for sj in si + 1..=last.min(doc.tier_end(2) - 1) {
            if best.score >= self.best_whole {
                break;
            }
            let span = doc.spans[sj];
            if !self.fields.contains(span.field.mask()) {
                continue;
            }
            let r = doc.span_range(sj);
            let lead = if span.lead { LEAD_BONUS } else { 0 };
            if self.contiguous_scores[0] + lead > best.score && text[r.clone()].starts_with(q) {
                best = self.whole_hit(doc, sj, r.start);
            } else if lead > self.best_whole - best.score - LEAD_BONUS {
                if let Some(b) = find_short(&text[r.clone()], q) {
                    let hit = self.whole_hit(doc, sj, r.start + b);
                    if hit.score > best.score {
                        best = hit;
                    }
                }
            }
        }
        Some(best)
    }

    fn whole_hit(&self, doc: &Doc<'_>, si: usize, at: usize) -> TermHit {
        let span = doc.spans[si];
        let range = doc.span_range(si);
        let prev = (at > range.start).then(|| doc.text()[at - 1]);
        let bonus = if span.lead { LEAD_BONUS } else { 0 };
        TermHit {
            class: 2,
            tier: span.field.tier(),
            score: self.contiguous_scores[unit_type(prev)] + bonus,
            span: si as u32,
            span_len: doc.chars(range.clone()) as u32,
            pos: Positions::Run(doc.chars(range.start..at) as u32, self.qchars as u32),
        }
    }

    /// The best pinyin run, found like `whole`: the first run decides the tier; in the goal
    /// and units a later span replaces it with a strictly higher score, from a run at its
    /// start.
    fn pinyin_run(&self, doc: &Doc<'_>, first: usize, last: usize) -> Option<TermHit> {
        let word = self.pinyin.as_ref()?;
        if doc.astral {
            let (ids, spans) = doc.pinyin_by_char();
            self.pinyin_run_in::<false>(word, doc, &ids, &spans, first, last)
        } else {
            self.pinyin_run_in::<true>(word, doc, doc.text(), doc.spans, first, last)
        }
    }

    /// `pinyin_run` over `seq`, one entry per character: UTF-16 units (`UNITS`) or set ids;
    /// `spans` start at indices into it.
    fn pinyin_run_in<const UNITS: bool>(
        &self,
        word: &Word<'_>,
        doc: &Doc<'_>,
        seq: &[u16],
        spans: &[Span],
        first: usize,
        last: usize,
    ) -> Option<TermHit> {
        let find = |from, to| {
            if UNITS {
                word.find_in_units(seq, from, to)
            } else {
                word.find_in(seq, from, to)
            }
        };
        let range = |i| span_range(spans, seq.len(), i);
        let end = range(last).end;
        let mut from = range(first).start;
        let (si, s, e) = loop {
            let (s, e) = find(from, end)?;
            let si = span_at(spans, s);
            if self.fields.contains(spans[si].field.mask()) {
                break (si, s, e);
            }
            from = range(si).end;
        };
        let mut best = self.run_hit(spans[si], range(si), si, s, e);
        if best.tier < 2 {
            return Some(best);
        }
        let to = last.min(doc.tier_end(2) - 1);
        for (sj, &span) in spans.iter().enumerate().take(to + 1).skip(si + 1) {
            if best.score >= self.best_run {
                break;
            }
            if !self.fields.contains(span.field.mask()) {
                continue;
            }
            let lead = if span.lead { LEAD_BONUS } else { 0 };
            let first = seq[span.start as usize];
            let may_start = if UNITS {
                word.may_start_unit(first)
            } else {
                word.may_start(first)
            };
            if self.best_run - LEAD_BONUS + lead <= best.score || !may_start {
                continue;
            }
            let r = range(sj);
            let end = if UNITS {
                word.match_at_units(&seq[..r.end], r.start)
            } else {
                word.match_at(&seq[..r.end], r.start)
            };
            if let Some(e) = end {
                let hit = self.run_hit(span, r.clone(), sj, r.start, e);
                if hit.score > best.score {
                    best = hit;
                }
            }
        }
        Some(best)
    }

    /// A pinyin hit on `s..e` in span `si` (`range`; indices are characters).
    fn run_hit(
        &self,
        span: Span,
        range: std::ops::Range<usize>,
        si: usize,
        s: usize,
        e: usize,
    ) -> TermHit {
        let n = (e - s) as i32;
        let at_start = if s == range.start { 8 } else { 0 };
        let bonus = if span.lead { LEAD_BONUS } else { 0 };
        TermHit {
            class: 2,
            tier: span.field.tier(),
            score: pinyin_score(self.q.len(), n) + at_start + bonus,
            span: si as u32,
            span_len: range.len() as u32,
            pos: Positions::Run((s - range.start) as u32, n as u32),
        }
    }

    /// The first scattered hit (all the word's characters in order within its length plus
    /// `SLACK`, in one field), scored and placed by SkimMatcherV2. Spans are in rank order,
    /// so the first such window is in the best field that has one.
    fn scattered(
        &self,
        doc: &Doc<'_>,
        first: usize,
        last: usize,
        skim: &SkimMatcherV2,
    ) -> Option<TermHit> {
        let text = doc.text();
        let limit = self.qchars + SLACK;
        let end = doc.span_range(last).end;
        let mut from = doc.span_range(first).start;
        let first_len = needle_units(self.char_finders.first()?);
        loop {
            if from >= end {
                return None;
            }
            let (a, e) = window(&text[from..end], &self.char_finders, Some(limit))?;
            let (a, e) = (from + a, from + e);
            let si = doc.span_at(a);
            let range = doc.span_range(si);
            if !self.fields.contains(doc.spans[si].field.mask()) {
                from = range.end + 1;
                continue;
            }
            if e > range.end {
                // Runs into the next field: try the next start.
                from = a + first_len;
                continue;
            }
            // From the character before the window, whose type skim's bonus looks at.
            let start = match a.checked_sub(1).filter(|&p| p >= range.start) {
                None => range.start,
                Some(p) if doc.astral && p > range.start && count_chars(&text[p..a]) == 0 => p - 1,
                Some(p) => p,
            };
            let window = String::from_utf16_lossy(&text[start..e]);
            let (score, idx) = skim.fuzzy_indices(&window, &self.q)?;
            let offset = doc.chars(range.start..start) as u32;
            return Some(TermHit {
                class: 1,
                tier: doc.spans[si].field.tier(),
                score: score as i32,
                span: si as u32,
                span_len: doc.span_chars(si) as u32,
                pos: Positions::List(Box::new(
                    idx.into_iter().map(|x| x as u32 + offset).collect(),
                )),
            });
        }
    }
}

/// The query's characters in order in `s` (UTF-16): the first window (units) holding them,
/// within `limit` characters if given.
fn window(s: &[u16], finders: &[Finder<'_>], limit: Option<usize>) -> Option<(usize, usize)> {
    let (first, rest) = finders.split_first()?;
    let first_len = needle_units(first);
    let first_at = find_units(first, s)?;
    let mut pos = first_at + first_len;
    for f in rest {
        pos += find_units(f, &s[pos..])? + needle_units(f);
    }
    let Some(limit) = limit else {
        return Some((first_at, pos));
    };
    let mut from = first_at;
    loop {
        let start = from + find_units(first, &s[from..])?;
        // A character takes at most two units.
        let bound = s.len().min(start + limit * 2);
        let mut p = start + first_len;
        let mut ok = true;
        for f in rest {
            match find_units(f, &s[p..bound]) {
                Some(i) => p += i + needle_units(f),
                None => {
                    ok = false;
                    break;
                }
            }
        }
        if ok && count_chars(&s[start..p]) <= limit {
            return Some((start, p));
        }
        if !ok && bound == s.len() {
            return None;
        }
        from = start + first_len;
    }
}

#[cfg(test)]
mod tests {
    use super::super::doc::unit_bytes;
    use super::*;

    fn finders(q: &str) -> Vec<Finder<'static>> {
        let mut buf = [0u8; 4];
        q.chars()
            .map(|c| unit_finder(c.encode_utf8(&mut buf)))
            .collect()
    }

    fn units(s: &str) -> Vec<u16> {
        s.encode_utf16().collect()
    }

    #[test]
    fn window_respects_the_limit() {
        let s = units("生活中的态度决定环境与心境");
        let f = finders("生态环境");
        assert_eq!(window(&s, &f, None), Some((0, 10)));
        assert!(window(&s, &f, Some(14)).is_some());
        assert!(window(&s, &f, Some(9)).is_none());
        // A later start fits when the first does not.
        let s = units("生xxxxxxxxxxxxxxxxxxxx生态x环境");
        assert_eq!(window(&s, &f, Some(8)).map(|(a, _)| a), Some(21));
        // Characters beyond the BMP count once.
        let s = units("生𠀃态𠀃𠀃环境");
        assert_eq!(window(&s, &f, Some(7)), Some((0, 10)));
        assert!(window(&s, &f, Some(6)).is_none());
    }

    #[test]
    fn a_match_straddling_two_units_is_no_match() {
        // The bytes from the middle of one character to the middle of the next spell a third
        // character (肆 U+8086 in little-endian order).
        let text = units("蘀亀");
        let b = unit_bytes(&text);
        let straddling = String::from_utf16(&[u16::from_ne_bytes([b[1], b[2]])]).expect("BMP");
        let f = unit_finder(&straddling);
        assert_eq!(f.find(b), Some(1));
        assert_eq!(find_units(&f, &text), None);
        assert_eq!(find_units(&unit_finder("亀"), &text), Some(1));
    }

    #[test]
    fn contiguous_scores_are_skims_scores() {
        let skim = SkimMatcherV2::default().respect_case();
        let t = TextTerm::new("生态", Fields::ALL, false, &skim);
        for window in ["生态", "x生态", "(生态", "9生态", "，生态"] {
            let prev = window.chars().next().filter(|_| !window.starts_with('生'));
            let expect = skim.fuzzy_match(window, "生态").unwrap() as i32;
            assert_eq!(t.contiguous_scores[char_type(prev)], expect, "{window}");
        }
    }
}
