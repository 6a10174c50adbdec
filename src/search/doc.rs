//! One task as the index holds it: its searchable text (fields in rank order: goal, units,
//! notes, progress; ASCII lowercased) as UTF-16, the spans that say which field each piece
//! is, and its signature — hashed bits for its characters and pinyin (initials, pairs and
//! triples of adjacent initials, syllables) that let a query rule most tasks out before
//! reading any text.
//!
//! Why UTF-16: every character of Chinese text is one code unit (UTF-8 takes three bytes),
//! so the text costs two bytes a character; a position in it is a character index (what
//! highlights are), and a unit is its own key into the pinyin table, so the pinyin matcher
//! reads the text itself and no pinyin is stored. Characters beyond the BMP (rare CJK
//! extensions) take two units; a task that has any is marked `astral` and its positions are
//! counted, its pinyin looked up per character (`Doc::pinyin_by_char`).

use super::pinyin::{Table, NONE};
use super::{Field, Place};
use crate::model::{Domain, Status, Task};
use memchr::memmem::Finder;

/// Bits in a task's signature.
pub const SIG_BITS: usize = 4096;
pub const SIG_WORDS: usize = SIG_BITS / 64;
const SHIFT: u32 = 32 - SIG_BITS.trailing_zeros();

/// Where a field's piece of the task text starts (a unit index into the task's text; for
/// `Doc::pinyin_by_char`, a character index); it ends where the next one starts, less the
/// `\n` between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: u32,
    pub field: Field,
    /// For units: a lead unit (牵头).
    pub lead: bool,
}

/// One task as a matcher sees it: a view into the index's arenas.
#[derive(Clone, Copy)]
pub struct Doc<'a> {
    pub number: u32,
    pub status: Status,
    pub domain: Domain,
    /// Whether the text has characters beyond the BMP (two units each).
    pub astral: bool,
    /// The task's `pieces`, joined by `\n`, ASCII lowercased, as UTF-16.
    text: &'a [u16],
    pub spans: &'a [Span],
}

/// A task's entry in the arenas.
#[derive(Debug, Clone, Copy)]
struct Meta {
    number: u32,
    status: Status,
    domain: Domain,
    astral: bool,
    text: u32,
    len: u32,
    spans: u32,
    nspans: u32,
}

/// A task prepared for the index, before it joins the arenas.
pub struct Built {
    pub number: u32,
    status: Status,
    domain: Domain,
    astral: bool,
    text: Vec<u16>,
    spans: Vec<Span>,
    pub sig: Box<[u64; SIG_WORDS]>,
}

/// All tasks' text and spans in two arenas, tasks one after another, so a search that walks
/// the tasks in order reads memory in order. An edited task is appended again; the old copy
/// is garbage until the next compaction.
#[derive(Default)]
pub struct Docs {
    meta: Vec<Meta>,
    text: Vec<u16>,
    spans: Vec<Span>,
    /// Units of text no task refers to any more.
    garbage: usize,
}

/// Makes room for `more` items in an arena filled to its capacity by a build: by an eighth
/// rather than by doubling, which for a 50 MB arena would hold 50 MB more for one edit.
fn grow<T>(v: &mut Vec<T>, more: usize) {
    if v.capacity() - v.len() < more {
        v.reserve_exact(more.max(v.capacity() / 8));
    }
}

impl Docs {
    pub fn len(&self) -> usize {
        self.meta.len()
    }

    #[inline]
    pub fn get(&self, i: usize) -> Doc<'_> {
        let m = &self.meta[i];
        Doc {
            number: m.number,
            status: m.status,
            domain: m.domain,
            astral: m.astral,
            text: &self.text[m.text as usize..(m.text + m.len) as usize],
            spans: &self.spans[m.spans as usize..(m.spans + m.nspans) as usize],
        }
    }

    pub fn number(&self, i: usize) -> u32 {
        self.meta[i].number
    }

    fn append(&mut self, b: Built) -> Meta {
        let m = Meta {
            number: b.number,
            status: b.status,
            domain: b.domain,
            astral: b.astral,
            text: self.text.len() as u32,
            len: b.text.len() as u32,
            spans: self.spans.len() as u32,
            nspans: b.spans.len() as u32,
        };
        grow(&mut self.text, b.text.len());
        grow(&mut self.spans, b.spans.len());
        self.text.extend_from_slice(&b.text);
        self.spans.extend_from_slice(&b.spans);
        m
    }

    pub fn push(&mut self, b: Built) {
        let m = self.append(b);
        grow(&mut self.meta, 1);
        self.meta.push(m);
    }

    /// Room for `tasks`, exactly (arenas grown by doubling would waste up to half).
    pub fn reserve_exact(&mut self, tasks: &[Task]) {
        use rayon::prelude::*;
        let (units, spans) = tasks
            .par_iter()
            .map(|t| {
                let mut n = (0usize, 0usize);
                for p in pieces(t) {
                    n.0 += p.text.encode_utf16().count() + 1;
                    n.1 += 1;
                }
                n
            })
            .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
        self.meta.reserve_exact(tasks.len());
        self.text.reserve_exact(units);
        self.spans.reserve_exact(spans);
    }

    pub fn replace(&mut self, i: usize, b: Built) {
        self.garbage += self.meta[i].len as usize;
        let m = self.append(b);
        self.meta[i] = m;
        self.compact_if_wasteful();
    }

    pub fn swap_remove(&mut self, i: usize) {
        self.garbage += self.meta[i].len as usize;
        self.meta.swap_remove(i);
        self.compact_if_wasteful();
    }

    /// Rewrites the arenas without garbage once it is a quarter of them.
    fn compact_if_wasteful(&mut self) {
        if self.garbage * 4 < self.text.len().max(1 << 19) {
            return;
        }
        let mut fresh = Docs::default();
        fresh.meta.reserve_exact(self.meta.len());
        fresh.text.reserve_exact(self.text.len() - self.garbage);
        for i in 0..self.meta.len() {
            let d = self.get(i);
            let b = Built {
                number: d.number,
                status: d.status,
                domain: d.domain,
                astral: d.astral,
                text: d.text.to_vec(),
                spans: d.spans.to_vec(),
                sig: Box::new([0; SIG_WORDS]),
            };
            fresh.push(b);
        }
        *self = fresh;
    }

    pub fn heap_bytes(&self) -> usize {
        self.meta.capacity() * std::mem::size_of::<Meta>()
            + self.text.capacity() * 2
            + self.spans.capacity() * std::mem::size_of::<Span>()
    }
}

/// UTF-16 text as bytes (native order), for memchr's substring search.
#[inline]
pub fn unit_bytes(units: &[u16]) -> &[u8] {
    let (ptr, len) = (units.as_ptr().cast::<u8>(), std::mem::size_of_val(units));
    // SAFETY: the same memory, read as bytes: `u8` needs no alignment and any bit pattern is
    // a valid `u8`; `len` covers exactly `units`, and the borrow keeps it alive.
    unsafe { std::slice::from_raw_parts(ptr, len) }
}

/// A searcher for `s` in UTF-16 text (see `find_units`).
pub fn unit_finder(s: &str) -> Finder<'static> {
    let bytes: Vec<u8> = s.encode_utf16().flat_map(u16::to_ne_bytes).collect();
    Finder::new(&bytes).into_owned()
}

/// Units in a finder's needle.
#[inline]
pub fn needle_units(f: &Finder<'_>) -> usize {
    f.needle().len() / 2
}

/// The first occurrence of `f`'s needle in `hay` (a unit index): a byte match at an odd
/// offset straddles two units and does not count.
#[inline]
pub fn find_units(f: &Finder<'_>, hay: &[u16]) -> Option<usize> {
    let bytes = unit_bytes(hay);
    let mut from = 0;
    loop {
        let b = from + f.find(&bytes[from..])?;
        if b % 2 == 0 {
            return Some(b / 2);
        }
        from = b + 1;
    }
}

#[inline]
fn is_low_surrogate(u: u16) -> bool {
    (0xDC00..0xE000).contains(&u)
}

/// Characters in UTF-16 text: units less the second halves of surrogate pairs.
#[inline]
pub fn count_chars(units: &[u16]) -> usize {
    units.iter().filter(|&&u| !is_low_surrogate(u)).count()
}

/// The range of span `i` among `spans` over a text of `len` units (or characters).
#[inline]
pub fn span_range(spans: &[Span], len: usize, i: usize) -> std::ops::Range<usize> {
    let start = spans[i].start as usize;
    let end = spans.get(i + 1).map_or(len, |s| s.start as usize - 1);
    start..end
}

/// The span holding position `x`.
#[inline]
pub fn span_at(spans: &[Span], x: usize) -> usize {
    spans
        .partition_point(|s| s.start as usize <= x)
        .saturating_sub(1)
}

#[inline]
fn hash(x: u32) -> usize {
    (x.wrapping_mul(0x9E37_79B1) >> SHIFT) as usize
}

/// Signature bit of one character.
#[inline]
pub fn char_bit(c: char) -> usize {
    hash(c as u32)
}

/// Second signature bit of a character: two bits each make a false match on a one- or
/// two-character word (`5G`, `水`) rare.
#[inline]
pub fn char_bit2(c: char) -> usize {
    hash((c as u32) ^ 0x5bd1_e995)
}

/// Signature bit of an initial letter (class 0..26).
#[inline]
pub fn initial_bit(a: u32) -> usize {
    hash(0x11_0000 + a)
}

/// Signature bit of the initials of two adjacent characters.
#[inline]
pub fn pair_bit(a: u32, b: u32) -> usize {
    hash(0x12_0000 + a * 32 + b)
}

/// Signature bit of the initials of three adjacent characters.
#[inline]
pub fn triple_bit(a: u32, b: u32, c: u32) -> usize {
    hash(0x13_0000 + (a * 32 + b) * 32 + c)
}

/// Signature bit of a syllable a character reads.
#[inline]
pub fn syllable_bit(s: u16) -> usize {
    hash(0x14_0000 + u32::from(s))
}

fn bits(mut m: u32) -> impl Iterator<Item = u32> {
    std::iter::from_fn(move || {
        (m != 0).then(|| {
            let b = m.trailing_zeros();
            m &= m - 1;
            b
        })
    })
}

/// One searchable piece of a task's text.
pub struct Piece<'a> {
    pub field: Field,
    pub lead: bool,
    pub text: &'a str,
    pub place: Place,
}

/// A task's searchable pieces in rank order: goal, units (lead first; written, then canonical
/// when different), notes, progress paragraphs (latest period first). Empty ones are skipped.
/// The index and `Hit`'s text lookups both walk this, so a hit's ordinal finds its piece.
pub fn pieces(task: &Task) -> impl Iterator<Item = Piece<'_>> {
    let goal = std::iter::once(Piece {
        field: Field::Goal,
        lead: false,
        text: &task.goal,
        place: Place::Goal,
    });
    let lead = task
        .lead_units
        .iter()
        .enumerate()
        .map(|(i, u)| (true, i, u));
    let co = task.co_units.iter().enumerate().map(|(i, u)| (false, i, u));
    let units = lead.chain(co).flat_map(|(lead, index, u)| {
        let written = Piece {
            field: Field::Unit,
            lead,
            text: &u.written,
            place: Place::Unit {
                lead,
                index,
                canonical: false,
            },
        };
        let canonical = (u.canonical != u.written).then_some(Piece {
            field: Field::Unit,
            lead,
            text: &u.canonical,
            place: Place::Unit {
                lead,
                index,
                canonical: true,
            },
        });
        std::iter::once(written).chain(canonical)
    });
    let notes = task.notes.iter().enumerate().map(|(i, n)| Piece {
        field: Field::Note,
        lead: false,
        text: &n.text,
        place: Place::Note { index: i },
    });
    let progress = task
        .periods
        .iter()
        .enumerate()
        .rev()
        .flat_map(|(period, p)| {
            p.paragraphs
                .iter()
                .enumerate()
                .map(move |(paragraph, t)| Piece {
                    field: Field::Progress,
                    lead: false,
                    text: t,
                    place: Place::Progress { period, paragraph },
                })
        });
    goal.chain(units)
        .chain(notes)
        .chain(progress)
        .filter(|p| !p.text.is_empty())
}

impl Built {
    pub fn number(&self) -> u32 {
        self.number
    }

    pub fn new(task: &Task) -> Built {
        let table = Table::get();
        let mut text = String::with_capacity(1024);
        let mut spans = Vec::new();
        let mut units = 0u32;
        for piece in pieces(task) {
            if !text.is_empty() {
                text.push('\n');
                units += 1;
            }
            spans.push(Span {
                start: units,
                field: piece.field,
                lead: piece.lead,
            });
            text.push_str(piece.text);
            units += piece.text.encode_utf16().count() as u32;
        }
        text.make_ascii_lowercase();
        let mut sig = Box::new([0u64; SIG_WORDS]);
        let mut set = |bit: usize| sig[bit / 64] |= 1 << (bit % 64);
        let (mut prev, mut prev2) = (0u32, 0u32);
        for c in text.chars() {
            set(char_bit(c));
            set(char_bit2(c));
            let id = table.id(c);
            let initials = if id == NONE { 0 } else { table.initials(id) };
            for z in bits(initials) {
                set(initial_bit(z));
                for y in bits(prev) {
                    set(pair_bit(y, z));
                    for x in bits(prev2) {
                        set(triple_bit(x, y, z));
                    }
                }
            }
            for &s in table.syllable_ids(id) {
                set(syllable_bit(s));
            }
            prev2 = prev;
            prev = initials;
        }
        let text: Vec<u16> = text.encode_utf16().collect();
        Built {
            number: task.number,
            status: task.status,
            domain: task.domain,
            astral: text.iter().copied().any(is_low_surrogate),
            text,
            spans,
            sig,
        }
    }
}

impl Doc<'_> {
    /// The text to match against (ASCII lowercased, UTF-16).
    #[inline]
    pub fn text(&self) -> &[u16] {
        self.text
    }

    /// Unit range of span `i` in `text`.
    #[inline]
    pub fn span_range(&self, i: usize) -> std::ops::Range<usize> {
        span_range(self.spans, self.text.len(), i)
    }

    /// The span holding unit `u`.
    #[inline]
    pub fn span_at(&self, u: usize) -> usize {
        span_at(self.spans, u)
    }

    /// Characters in the units `r` of the text (the same number unless `astral`).
    #[inline]
    pub fn chars(&self, r: std::ops::Range<usize>) -> usize {
        if self.astral {
            count_chars(&self.text[r])
        } else {
            r.len()
        }
    }

    /// Characters in span `i`.
    #[inline]
    pub fn span_chars(&self, i: usize) -> usize {
        self.chars(self.span_range(i))
    }

    /// For a task with characters beyond the BMP: one pinyin set id per character, and the
    /// spans with character starts, for the pinyin matcher (which otherwise reads the text's
    /// units directly).
    pub fn pinyin_by_char(&self) -> (Vec<u16>, Vec<Span>) {
        let table = Table::get();
        let ids = char::decode_utf16(self.text.iter().copied())
            .map(|c| c.map_or(NONE, |c| table.id(c)))
            .collect();
        let (mut at, mut chars) = (0, 0);
        let spans = self
            .spans
            .iter()
            .map(|s| {
                let u = s.start as usize;
                chars += count_chars(&self.text[at..u]);
                at = u;
                Span {
                    start: chars as u32,
                    ..*s
                }
            })
            .collect();
        (ids, spans)
    }

    /// Index of the first span ranked below `tier` (or the number of spans).
    #[inline]
    pub fn tier_end(&self, tier: u8) -> usize {
        self.spans.partition_point(|s| s.field.tier() >= tier)
    }

    pub fn has_goal(&self) -> bool {
        self.spans.first().is_some_and(|s| s.field == Field::Goal)
    }

    /// Which of its field's pieces span `i` is (0 for the first unit, note, paragraph).
    pub fn ordinal(&self, i: usize) -> u16 {
        let field = self.spans[i].field;
        let first = self
            .spans
            .partition_point(|s| s.field.order() < field.order());
        (i - first) as u16
    }
}

/// The signatures of all tasks, bit-sliced: for each of the `SIG_BITS` bits, a bitset over
/// the tasks. A query's keys then combine 64 tasks per machine word (`AND` for "all these
/// characters", `OR` over pinyin splits) and most tasks are ruled out without being looked at.
pub struct Signatures {
    n: usize,
    /// `bits[b][w]`: bit `b` of tasks `64 * w .. 64 * w + 64`.
    bits: Vec<Vec<u64>>,
}

/// Tasks in one word of a bitset.
pub const LANES: usize = 64;

/// A conjunction of signature bits: all must be set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conj(pub Vec<usize>);

impl Conj {
    pub fn with(mut self, bit: usize) -> Conj {
        if !self.0.contains(&bit) {
            self.0.push(bit);
        }
        self
    }
}

impl Signatures {
    /// Signatures with room for `tasks` tasks.
    pub fn with_capacity(tasks: usize) -> Signatures {
        Signatures {
            n: 0,
            // Not `vec![..; n]`: a clone of an empty Vec drops its capacity.
            bits: (0..SIG_BITS)
                .map(|_| Vec::with_capacity(tasks.div_ceil(LANES)))
                .collect(),
        }
    }

    pub fn push(&mut self, sig: &[u64; SIG_WORDS]) {
        let i = self.n;
        self.n += 1;
        if i % LANES == 0 {
            for b in &mut self.bits {
                grow(b, 1);
                b.push(0);
            }
        }
        let (w, m) = (i / LANES, 1u64 << (i % LANES));
        for (k, &word) in sig.iter().enumerate() {
            let mut x = word;
            while x != 0 {
                let b = x.trailing_zeros() as usize;
                x &= x - 1;
                self.bits[k * 64 + b][w] |= m;
            }
        }
    }

    pub fn set(&mut self, i: usize, sig: &[u64; SIG_WORDS]) {
        let (w, m) = (i / LANES, 1u64 << (i % LANES));
        for (k, b) in self.bits.iter_mut().enumerate() {
            if sig[k / 64] >> (k % 64) & 1 == 1 {
                b[w] |= m;
            } else {
                b[w] &= !m;
            }
        }
    }

    fn get(&self, i: usize) -> Box<[u64; SIG_WORDS]> {
        let (w, s) = (i / LANES, i % LANES);
        let mut sig = Box::new([0u64; SIG_WORDS]);
        for (k, b) in self.bits.iter().enumerate() {
            sig[k / 64] |= (b[w] >> s & 1) << (k % 64);
        }
        sig
    }

    /// Moves the last task's bits to `i` and drops the last (as `Vec::swap_remove`).
    pub fn swap_remove(&mut self, i: usize) {
        let last = self.n - 1;
        if i != last {
            let sig = self.get(last);
            self.set(i, &sig);
        }
        self.set(last, &[0u64; SIG_WORDS]);
        self.n -= 1;
        if self.n % LANES == 0 {
            for b in &mut self.bits {
                b.pop();
            }
        }
    }

    /// `out[k] &= bits[bit][w0 + k]`.
    #[inline]
    pub fn and_into(&self, bit: usize, w0: usize, out: &mut [u64]) {
        for (o, x) in out.iter_mut().zip(&self.bits[bit][w0..]) {
            *o &= x;
        }
    }

    /// Share of bits set, for diagnostics.
    pub fn fill(&self) -> f64 {
        let ones: u64 = self
            .bits
            .iter()
            .flat_map(|c| c.iter())
            .map(|w| u64::from(w.count_ones()))
            .sum();
        ones as f64 / (self.n.max(1) * SIG_BITS) as f64
    }

    pub fn heap_bytes(&self) -> usize {
        self.bits.iter().map(|c| c.capacity() * 8).sum::<usize>() + SIG_BITS * 24
    }
}
