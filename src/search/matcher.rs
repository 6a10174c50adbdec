//! Matching one compiled query against one task: the prefilter on signature bits, then per
//! word the best hit — a whole substring or pinyin run before a scattered fuzzy hit, a hit in
//! the goal or a unit before a note before the progress — scored with SkimMatcherV2.

use super::doc::{char_bit, initial_bit, pair_bit, Conj, Doc, Signatures};
use super::pinyin::{letter_class, segment_starts, Table};
use super::query::{Fields, Query, Term};
use super::Field;
use crate::model::{Domain, Status};
use fuzzy_matcher::skim::SkimMatcherV2;
use fuzzy_matcher::FuzzyMatcher;
use memchr::memmem::Finder;

/// A scattered hit in the progress must fit in the word's length plus this many characters:
/// 生…态…环…境 spread over a page is not what anyone meant.
pub const SLACK: usize = 10;

/// Where a term hit lies when it is not in a text span.
pub const NUMBER_SPAN: u32 = u32::MAX;
pub const STATUS_SPAN: u32 = u32::MAX - 1;
pub const DOMAIN_SPAN: u32 = u32::MAX - 2;

/// Matched character positions, relative to the start of the span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pos {
    /// `len` characters from `start`.
    Run(u32, u32),
    List(Vec<u32>),
}

impl Pos {
    pub fn iter(&self) -> Box<dyn Iterator<Item = u32> + '_> {
        match self {
            Pos::Run(s, l) => Box::new(*s..*s + *l),
            Pos::List(v) => Box::new(v.iter().copied()),
        }
    }
}

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
    pub pos: Pos,
}

impl TermHit {
    /// The word's share of a task's score: class, then tier, then the fuzzy score.
    pub fn value(&self) -> i64 {
        i64::from(self.class) * 1_000_000
            + i64::from(self.tier) * 10_000
            + i64::from(self.score.clamp(0, 9_999))
    }
}

pub struct TextTerm {
    fields: Fields,
    contiguous: bool,
    q: String,
    qchars: usize,
    finder: Finder<'static>,
    char_finders: Vec<Finder<'static>>,
    /// The word as pinyin letters, when it is ASCII letters only.
    pinyin: Option<Vec<u8>>,
    number: Option<u32>,
    /// Prefilter: the word's characters all occur in the task.
    direct: Conj,
    /// Prefilter: the initials of some syllable-prefix split of the word occur in order.
    pinyin_alts: Vec<Conj>,
}

pub enum CTerm {
    Text(TextTerm),
    Number(Option<u32>),
    Status(Vec<Status>),
    Domain(Vec<Domain>),
}

pub struct Compiled {
    pub terms: Vec<CTerm>,
}

impl Compiled {
    pub fn new(query: &Query) -> Compiled {
        let terms = query
            .terms
            .iter()
            .map(|t| match t {
                Term::Text {
                    text,
                    fields,
                    contiguous,
                } => CTerm::Text(TextTerm::new(text, *fields, *contiguous)),
                Term::Number { number } => CTerm::Number(*number),
                Term::Status { any_of } => CTerm::Status(any_of.clone()),
                Term::Domain { any_of } => CTerm::Domain(any_of.clone()),
            })
            .collect();
        Compiled { terms }
    }

    /// The task's hits, one per term, or None when some term does not match.
    pub fn match_doc(
        &self,
        i: usize,
        doc: &Doc,
        sigs: &Signatures,
        skim: &SkimMatcherV2,
    ) -> Option<Vec<TermHit>> {
        // Cheap checks first, for every term, before any text is read.
        for t in &self.terms {
            let ok = match t {
                CTerm::Status(any) => any.contains(&doc.status),
                CTerm::Domain(any) => any.contains(&doc.domain),
                CTerm::Number(n) => *n == Some(doc.number),
                CTerm::Text(t) => {
                    sigs.test(i, &t.direct)
                        || t.pinyin_alts.iter().any(|c| sigs.test(i, c))
                        || t.number.is_some_and(|_| t.number_hit(doc).is_some())
                }
            };
            if !ok {
                return None;
            }
        }
        let mut hits = Vec::with_capacity(self.terms.len());
        for t in &self.terms {
            let hit = match t {
                CTerm::Status(_) => TermHit {
                    class: 0,
                    tier: 0,
                    score: 0,
                    span: STATUS_SPAN,
                    span_len: 0,
                    pos: Pos::List(Vec::new()),
                },
                CTerm::Domain(_) => TermHit {
                    class: 0,
                    tier: 0,
                    score: 0,
                    span: DOMAIN_SPAN,
                    span_len: 0,
                    pos: Pos::List(Vec::new()),
                },
                CTerm::Number(_) => TermHit {
                    class: 2,
                    tier: 3,
                    score: 100,
                    span: NUMBER_SPAN,
                    span_len: 0,
                    pos: Pos::Run(0, digits(doc.number)),
                },
                CTerm::Text(t) => {
                    let direct = sigs.test(i, &t.direct);
                    let pinyin = t.pinyin_alts.iter().any(|c| sigs.test(i, c));
                    t.match_doc(doc, direct, pinyin, skim)?
                }
            };
            hits.push(hit);
        }
        Some(hits)
    }
}

fn digits(n: u32) -> u32 {
    n.checked_ilog10().unwrap_or(0) + 1
}

#[inline]
fn count_chars(b: &[u8]) -> usize {
    b.iter().filter(|&&x| (x & 0xC0) != 0x80).count()
}

/// Byte offset of the character before `at` (or 0).
#[inline]
fn prev_char(s: &str, at: usize) -> usize {
    s[..at].char_indices().next_back().map_or(0, |(i, _)| i)
}

impl TextTerm {
    fn new(text: &str, fields: Fields, contiguous: bool) -> TextTerm {
        let table = Table::get();
        let mut direct = Conj::default();
        let mut char_finders = Vec::new();
        let mut buf = [0u8; 4];
        for c in text.chars() {
            direct = direct.with(char_bit(c));
            char_finders.push(Finder::new(c.encode_utf8(&mut buf).as_bytes()).into_owned());
        }
        let bytes = text.as_bytes();
        // Letters only: `5g` means 5G, not 5个.
        let pinyin =
            (!bytes.is_empty() && bytes.iter().all(u8::is_ascii_lowercase) && bytes.len() < 64)
                .then(|| bytes.to_vec());
        let pinyin_alts = match &pinyin {
            Some(p) => pinyin_filter(table, p),
            None => Vec::new(),
        };
        let number = if fields.contains(Fields::NUMBER) && bytes.iter().all(u8::is_ascii_digit) {
            text.parse::<u32>().ok()
        } else {
            None
        };
        TextTerm {
            fields,
            contiguous,
            q: text.to_string(),
            qchars: text.chars().count(),
            finder: Finder::new(bytes).into_owned(),
            char_finders,
            pinyin,
            number,
            direct,
            pinyin_alts,
        }
    }

    /// A word of digits matches the task number: exactly (best of all hits) or as part of it.
    fn number_hit(&self, doc: &Doc) -> Option<TermHit> {
        let n = self.number?;
        let len = digits(doc.number);
        if doc.number == n && digits(n) as usize == self.q.len() {
            return Some(TermHit {
                class: 2,
                tier: 3,
                score: 100,
                span: NUMBER_SPAN,
                span_len: len,
                pos: Pos::Run(0, len),
            });
        }
        let s = doc.number.to_string();
        let at = s.find(&self.q)?;
        Some(TermHit {
            class: 2,
            tier: 2,
            score: 0,
            span: NUMBER_SPAN,
            span_len: len,
            pos: Pos::Run(at as u32, self.q.len() as u32),
        })
    }

    fn match_doc(
        &self,
        doc: &Doc,
        direct: bool,
        pinyin: bool,
        skim: &SkimMatcherV2,
    ) -> Option<TermHit> {
        let table = Table::get();
        let lower = doc.lower();
        let mut best: Option<TermHit> = None;
        let better = |best: &Option<TermHit>, c: &TermHit| match best {
            None => true,
            Some(b) => {
                (c.value(), std::cmp::Reverse(c.span_len))
                    > (b.value(), std::cmp::Reverse(b.span_len))
            }
        };
        if let Some(hit) = self.number_hit(doc) {
            if hit.tier == 3 {
                return Some(hit);
            }
            best = Some(hit);
        }
        // Whole-substring and pinyin runs, best tier first.
        for (si, span) in doc.spans.iter().enumerate() {
            if !self.fields.contains(span.field.mask()) {
                continue;
            }
            let tier = span.field.tier();
            if best.as_ref().is_some_and(|b| tier < b.tier) {
                break;
            }
            let s = &lower[span.bytes()];
            let bonus = if span.lead { 4 } else { 0 };
            let mut cand = None;
            if direct {
                if let Some(at) = self.finder.find(s.as_bytes()) {
                    let start = prev_char(s, at);
                    let window = &s[start..at + self.q.len()];
                    let score = skim.fuzzy_match(window, &self.q).unwrap_or(0) as i32;
                    cand = Some(TermHit {
                        class: 2,
                        tier,
                        score: score + bonus,
                        span: si as u32,
                        span_len: span.char_len() as u32,
                        pos: Pos::Run(count_chars(&s.as_bytes()[..at]) as u32, self.qchars as u32),
                    });
                }
            }
            if let (true, None, Some(p)) = (pinyin, &cand, &self.pinyin) {
                if let Some((a, e)) = table.find(&doc.py[span.chars()], p) {
                    let n = (e - a) as i32;
                    let at_start = if a == 0 { 8 } else { 0 };
                    cand = Some(TermHit {
                        class: 2,
                        tier,
                        score: 16 * p.len() as i32 - 6 * (n - 1) + at_start + bonus,
                        span: si as u32,
                        span_len: span.char_len() as u32,
                        pos: Pos::Run(a as u32, n as u32),
                    });
                }
            }
            if let Some(c) = cand {
                if better(&best, &c) {
                    best = Some(c);
                }
            }
        }
        if best.is_some() || self.contiguous || !direct {
            return best;
        }
        // Scattered hits, scored and placed by SkimMatcherV2.
        for (si, span) in doc.spans.iter().enumerate() {
            if !self.fields.contains(span.field.mask()) {
                continue;
            }
            let tier = span.field.tier();
            if best.as_ref().is_some_and(|b| tier < b.tier) {
                break;
            }
            let s = &lower[span.bytes()];
            let limit = (span.field == Field::Progress).then_some(self.qchars + SLACK);
            let Some((a, e)) = scattered(s.as_bytes(), &self.char_finders, limit) else {
                continue;
            };
            let (start, end) = if limit.is_some() {
                (prev_char(s, a), e)
            } else {
                (0, s.len())
            };
            let Some((score, idx)) = skim.fuzzy_indices(&s[start..end], &self.q) else {
                continue;
            };
            let offset = count_chars(&s.as_bytes()[..start]) as u32;
            let c = TermHit {
                class: 1,
                tier,
                score: score as i32,
                span: si as u32,
                span_len: span.char_len() as u32,
                pos: Pos::List(idx.into_iter().map(|x| x as u32 + offset).collect()),
            };
            if better(&best, &c) {
                best = Some(c);
            }
        }
        best
    }
}

/// The query's characters in order in `s`: the first window (bytes) holding them, within
/// `limit` characters if given.
fn scattered(s: &[u8], finders: &[Finder<'_>], limit: Option<usize>) -> Option<(usize, usize)> {
    let (first, rest) = finders.split_first()?;
    let first_at = first.find(s)?;
    let mut pos = first_at + first.needle().len();
    for f in rest {
        pos += f.find(&s[pos..])? + f.needle().len();
    }
    let Some(limit) = limit else {
        return Some((first_at, pos));
    };
    let mut from = first_at;
    loop {
        let start = from + first.find(&s[from..])?;
        let bound = s.len().min(start + limit * 4);
        let mut p = start + first.needle().len();
        let mut ok = true;
        for f in rest {
            match f.find(&s[p..bound]) {
                Some(i) => p += i + f.needle().len(),
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
        from = start + first.needle().len();
    }
}

/// Signature tests a pinyin word needs: for each split into syllable prefixes, the first
/// initial and each pair of adjacent initials. Too many splits: only the first pair.
fn pinyin_filter(table: &Table, p: &[u8]) -> Vec<Conj> {
    let class = |b: u8| letter_class(b).unwrap_or(0);
    if let Some(splits) = segment_starts(table, p, 48) {
        return splits
            .iter()
            .map(|starts| {
                let mut c = Conj::default().with(initial_bit(class(starts[0])));
                for w in starts.windows(2) {
                    c = c.with(pair_bit(class(w[0]), class(w[1])));
                }
                c
            })
            .collect();
    }
    let mut alts = Vec::new();
    for k in 1..p.len().min(7) {
        if k == 1 || table.is_syllable_prefix(&p[..k]) {
            alts.push(Conj::default().with(pair_bit(class(p[0]), class(p[k]))));
        }
    }
    alts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finders(q: &str) -> Vec<Finder<'static>> {
        let mut buf = [0u8; 4];
        q.chars()
            .map(|c| Finder::new(c.encode_utf8(&mut buf).as_bytes()).into_owned())
            .collect()
    }

    #[test]
    fn scattered_respects_the_window() {
        let s = "生活中的态度决定环境与心境";
        let f = finders("生态环境");
        assert_eq!(scattered(s.as_bytes(), &f, None), Some((0, 30)));
        assert!(scattered(s.as_bytes(), &f, Some(14)).is_some());
        assert!(scattered(s.as_bytes(), &f, Some(9)).is_none());
        // A later start fits when the first does not.
        let s = "生xxxxxxxxxxxxxxxxxxxx生态x环境";
        assert_eq!(
            scattered(s.as_bytes(), &f, Some(8)).map(|(a, _)| count_chars(&s.as_bytes()[..a])),
            Some(21)
        );
    }
}
