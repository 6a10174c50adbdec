//! One task as the index holds it: its searchable text in one string (fields in rank order),
//! an ASCII-lowercased twin when needed, one pinyin id per character, the spans that say
//! which field each piece is, and the bits it sets in its signature (the prefilter).

use super::pinyin::{Table, NONE};
use super::Field;
use crate::model::{Domain, Status, Task};

/// Bits in a task's signature.
pub const SIG_BITS: usize = 2048;
pub const SIG_WORDS: usize = SIG_BITS / 64;

/// A field's piece of a task's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub field: Field,
    /// Which unit, note or paragraph (in the order the spans are stored).
    pub sub: u32,
    /// For units: a lead unit (牵头).
    pub lead: bool,
    pub byte_start: u32,
    pub byte_end: u32,
    pub char_start: u32,
    pub char_end: u32,
}

impl Span {
    pub fn bytes(&self) -> std::ops::Range<usize> {
        self.byte_start as usize..self.byte_end as usize
    }
    pub fn chars(&self) -> std::ops::Range<usize> {
        self.char_start as usize..self.char_end as usize
    }
    pub fn char_len(&self) -> usize {
        (self.char_end - self.char_start) as usize
    }
}

pub struct Doc {
    pub number: u32,
    pub status: Status,
    pub domain: Domain,
    /// Goal, units (written, canonical when different), notes, progress paragraphs (latest
    /// period first), joined by `\n`.
    pub text: Box<str>,
    /// `text` with ASCII lowercased, when that differs (same byte offsets).
    lower: Option<Box<str>>,
    /// Pinyin id per character of `text`.
    pub py: Box<[u16]>,
    pub spans: Box<[Span]>,
}

/// Hash of one character, for the signature.
#[inline]
pub fn char_bit(c: char) -> usize {
    ((c as u32).wrapping_mul(0x9E37_79B1) >> 21) as usize
}

/// Hash of a pair of initials (classes 0..36) of two adjacent characters.
#[inline]
pub fn pair_bit(a: u32, b: u32) -> usize {
    ((0x11_0000 + a * 64 + b).wrapping_mul(0x9E37_79B1) >> 21) as usize
}

/// Hash of a single initial, for one-syllable queries.
#[inline]
pub fn initial_bit(a: u32) -> usize {
    ((0x12_0000 + a).wrapping_mul(0x9E37_79B1) >> 21) as usize
}

impl Doc {
    pub fn build(task: &Task) -> (Doc, [u64; SIG_WORDS]) {
        let table = Table::get();
        let mut text = String::with_capacity(1024);
        let mut spans = Vec::new();
        let mut chars = 0u32;
        let mut push = |text: &mut String, field: Field, sub: usize, lead: bool, s: &str| {
            if s.is_empty() {
                return;
            }
            if !text.is_empty() {
                text.push('\n');
                chars += 1;
            }
            let byte_start = text.len() as u32;
            let char_start = chars;
            text.push_str(s);
            chars += s.chars().count() as u32;
            spans.push(Span {
                field,
                sub: sub as u32,
                lead,
                byte_start,
                byte_end: text.len() as u32,
                char_start,
                char_end: chars,
            });
        };
        push(&mut text, Field::Goal, 0, false, &task.goal);
        let units = task
            .lead_units
            .iter()
            .map(|u| (u, true))
            .chain(task.co_units.iter().map(|u| (u, false)));
        for (i, (u, lead)) in units.enumerate() {
            push(&mut text, Field::Unit, i, lead, &u.written);
            if u.canonical != u.written {
                push(&mut text, Field::Unit, i, lead, &u.canonical);
            }
        }
        for (i, n) in task.notes.iter().enumerate() {
            push(&mut text, Field::Note, i, false, &n.text);
        }
        let paragraphs = task.periods.iter().rev().flat_map(|p| p.paragraphs.iter());
        for (i, p) in paragraphs.enumerate() {
            push(&mut text, Field::Progress, i, false, p);
        }
        let lower = text
            .bytes()
            .any(|b| b.is_ascii_uppercase())
            .then(|| text.to_ascii_lowercase().into_boxed_str());
        let mut sig = [0u64; SIG_WORDS];
        let mut set = |bit: usize| sig[bit / 64] |= 1 << (bit % 64);
        let mut py = Vec::with_capacity(chars as usize);
        let mut prev = 0u64;
        for c in lower.as_deref().unwrap_or(&text).chars() {
            set(char_bit(c));
            let id = table.id(c);
            py.push(id);
            let initials = if id == NONE { 0 } else { table.initials(id) };
            let mut a = prev;
            while a != 0 {
                let x = a.trailing_zeros();
                a &= a - 1;
                let mut b = initials;
                while b != 0 {
                    let y = b.trailing_zeros();
                    b &= b - 1;
                    set(pair_bit(x, y));
                }
            }
            let mut b = initials;
            while b != 0 {
                set(initial_bit(b.trailing_zeros()));
                b &= b - 1;
            }
            prev = initials;
        }
        let doc = Doc {
            number: task.number,
            status: task.status,
            domain: task.domain,
            text: text.into_boxed_str(),
            lower,
            py: py.into_boxed_slice(),
            spans: spans.into_boxed_slice(),
        };
        (doc, sig)
    }

    /// The text to match against (ASCII lowercased).
    #[inline]
    pub fn lower(&self) -> &str {
        self.lower.as_deref().unwrap_or(&self.text)
    }

    /// The original text of a span.
    pub fn span_text(&self, span: &Span) -> &str {
        &self.text[span.bytes()]
    }

    pub fn goal_span(&self) -> Option<&Span> {
        self.spans.first().filter(|s| s.field == Field::Goal)
    }

    /// Heap bytes held, for the memory report.
    pub fn heap_bytes(&self) -> usize {
        self.text.len()
            + self.lower.as_ref().map_or(0, |l| l.len())
            + self.py.len() * 2
            + self.spans.len() * std::mem::size_of::<Span>()
    }
}

/// The signatures of all tasks, stored column by column so a query reads only the words it
/// needs (a few hundred kilobytes at 100,000 tasks instead of 25 MB).
pub struct Signatures {
    cols: Vec<Vec<u64>>,
}

/// A conjunction of signature bits: all must be set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conj(pub Vec<(u16, u64)>);

impl Conj {
    pub fn with(mut self, bit: usize) -> Conj {
        let (w, b) = ((bit / 64) as u16, 1u64 << (bit % 64));
        match self.0.iter_mut().find(|(x, _)| *x == w) {
            Some((_, bits)) => *bits |= b,
            None => self.0.push((w, b)),
        }
        self
    }
}

impl Signatures {
    pub fn new() -> Signatures {
        Signatures {
            cols: vec![Vec::new(); SIG_WORDS],
        }
    }

    pub fn push(&mut self, sig: &[u64; SIG_WORDS]) {
        for (col, w) in self.cols.iter_mut().zip(sig) {
            col.push(*w);
        }
    }

    pub fn set(&mut self, i: usize, sig: &[u64; SIG_WORDS]) {
        for (col, w) in self.cols.iter_mut().zip(sig) {
            col[i] = *w;
        }
    }

    pub fn swap_remove(&mut self, i: usize) {
        for col in &mut self.cols {
            col.swap_remove(i);
        }
    }

    #[inline]
    pub fn test(&self, i: usize, conj: &Conj) -> bool {
        conj.0
            .iter()
            .all(|&(w, bits)| self.cols[usize::from(w)][i] & bits == bits)
    }

    pub fn heap_bytes(&self) -> usize {
        self.cols.iter().map(|c| c.capacity() * 8).sum()
    }
}
