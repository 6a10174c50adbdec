//! Pinyin for search: a table from every character to a `u16` id naming the set of all its
//! plain readings (heteronyms included), and the matcher that lets a word of Latin letters
//! match a run of Chinese characters by full pinyin, initials or a mix (`heichou`, `hcst`,
//! `shengtaihj`, `sthuanj`), reading set ids or, for the index's text, UTF-16 units.
//!
//! The rule, as pinyin input methods read abbreviations: the word splits into segments, one
//! per character; each segment is the character's whole syllable (`hei`), its initial (`h`,
//! or `zh` `ch` `sh`), or — the last segment only, so typing can stop anywhere — any start
//! of its syllable (`hua` for 环 huan). `ü` is typed `v` or `u` (`lv`, `lu` for 率, 绿).

use pinyin::ToPinyinMulti;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// Id of a character without pinyin (ASCII, punctuation): it ends a run.
pub const NONE: u16 = 0;

/// The readings of every character the `pinyin` crate knows, interned as sets.
pub struct Table {
    /// BMP code point (a UTF-16 unit) → set id (0 = none; also for surrogates).
    bmp: Box<[u16; 0x1_0000]>,
    /// Characters beyond the BMP (CJK extensions) that have readings.
    astral: HashMap<u32, u16>,
    /// `sets[id]`: the readings as ASCII (`ü` written both `v` and `u`).
    sets: Vec<Box<[Box<[u8]>]>>,
    /// `syllables[id]`: ids of those readings, for the signature.
    syllable_ids: Vec<Box<[u16]>>,
    /// Per set id, a bit per letter `a`..`z` that a reading starts with.
    initials: Vec<u32>,
    /// Every syllable → its id.
    syllables: HashMap<Box<[u8]>, u16>,
    /// Every start of a syllable (`zh`, `hua`, `lv`), whole syllables included.
    prefixes: HashSet<Box<[u8]>>,
    /// Syllable starts that are a whole syllable of no other: `hei`, `chou` (not `hua`).
    maximal: HashSet<Box<[u8]>>,
}

/// The class of a lowercase ASCII letter, 0..26.
#[inline]
pub fn letter(b: u8) -> u32 {
    u32::from(b.wrapping_sub(b'a')).min(25)
}

fn is_initial_pair(s: &[u8]) -> bool {
    matches!(s, b"zh" | b"ch" | b"sh")
}

impl Table {
    /// The table, built on first use (about 40k characters, a few milliseconds).
    pub fn get() -> &'static Table {
        static TABLE: OnceLock<Table> = OnceLock::new();
        TABLE.get_or_init(Table::build)
    }

    fn build() -> Table {
        let mut t = Table {
            bmp: Box::new([NONE; 0x1_0000]),
            astral: HashMap::new(),
            sets: vec![Box::new([])],
            syllable_ids: vec![Box::new([])],
            initials: vec![0],
            syllables: HashMap::new(),
            prefixes: HashSet::new(),
            maximal: HashSet::new(),
        };
        let mut interned: HashMap<Vec<Box<[u8]>>, u16> = HashMap::new();
        let mut id_of = |t: &mut Table, c: char| -> u16 {
            let Some(multi) = c.to_pinyin_multi() else {
                return NONE;
            };
            let mut readings: Vec<Box<[u8]>> = Vec::new();
            for p in multi {
                for r in ascii_readings(p.plain()) {
                    if !r.is_empty() && !readings.contains(&r) {
                        readings.push(r);
                    }
                }
            }
            if readings.is_empty() {
                return NONE;
            }
            readings.sort();
            if let Some(id) = interned.get(&readings) {
                return *id;
            }
            let id = t.sets.len() as u16;
            let mut mask = 0u32;
            let mut syl = Vec::new();
            for r in &readings {
                mask |= 1 << letter(r[0]);
                let next = t.syllables.len() as u16;
                syl.push(*t.syllables.entry(r.clone()).or_insert(next));
                for k in 1..=r.len() {
                    t.prefixes.insert(r[..k].into());
                }
            }
            t.initials.push(mask);
            t.syllable_ids.push(syl.into_boxed_slice());
            t.sets.push(readings.clone().into_boxed_slice());
            interned.insert(readings, id);
            id
        };
        for cp in 0x80u32..0x1_0000 {
            if let Some(c) = char::from_u32(cp) {
                let id = id_of(&mut t, c);
                t.bmp[cp as usize] = id;
            }
        }
        for cp in 0x2_0000u32..0x3_2000 {
            if let Some(c) = char::from_u32(cp) {
                let id = id_of(&mut t, c);
                if id != NONE {
                    t.astral.insert(cp, id);
                }
            }
        }
        let maximal: HashSet<Box<[u8]>> = t
            .syllables
            .keys()
            .filter(|s| {
                !t.syllables
                    .keys()
                    .any(|o| o.len() > s.len() && o.starts_with(s))
            })
            .cloned()
            .collect();
        t.maximal = maximal;
        t
    }

    /// The reading-set id of a character (NONE when it has no pinyin).
    #[inline]
    pub fn id(&self, c: char) -> u16 {
        let cp = c as u32;
        if cp < 0x80 {
            NONE
        } else if cp < 0x1_0000 {
            self.bmp[cp as usize]
        } else {
            self.astral.get(&cp).copied().unwrap_or(NONE)
        }
    }

    /// Bits of the letters a character with this id can start with.
    #[inline]
    pub fn initials(&self, id: u16) -> u32 {
        self.initials[usize::from(id)]
    }

    /// The readings of a set id (empty for NONE).
    #[inline]
    pub fn readings(&self, id: u16) -> &[Box<[u8]>] {
        &self.sets[usize::from(id)]
    }

    /// Syllable ids of a set id.
    #[inline]
    pub fn syllable_ids(&self, id: u16) -> &[u16] {
        &self.syllable_ids[usize::from(id)]
    }

    pub fn syllable_id(&self, s: &[u8]) -> Option<u16> {
        self.syllables.get(s).copied()
    }

    /// True if `s` is the start of some syllable (`zh`, `hua`, `lv`).
    pub fn is_prefix(&self, s: &[u8]) -> bool {
        self.prefixes.contains(s)
    }

    /// The first reading of a character, for building a unit name's pinyin.
    pub fn first_reading(&self, c: char) -> Option<&[u8]> {
        self.readings(self.id(c)).first().map(|r| &r[..])
    }

    /// The letters a character with set `id` lets the word advance to from letter `p`
    /// (bits; see the module rule).
    fn step(&self, id: u16, query: &[u8], p: usize) -> u64 {
        let rest = &query[p..];
        let mut next = 0u64;
        for r in self.readings(id) {
            if r[0] != rest[0] {
                continue;
            }
            let k = r.iter().zip(rest).take_while(|(a, b)| a == b).count();
            next |= 1 << (p + 1);
            if k == r.len() || k == rest.len() {
                next |= 1 << (p + k);
            }
            if k >= 2 && is_initial_pair(&r[..2]) {
                next |= 1 << (p + 2);
            }
        }
        next
    }

    /// The shortest, then leftmost, run in `ids` that `query` matches.
    pub fn find(&self, ids: &[u16], query: &[u8]) -> Option<(usize, usize)> {
        let word = Word::new(self, query)?;
        let mut best: Option<(usize, usize)> = None;
        let mut from = 0;
        while let Some((s, e)) = word.find_in(ids, from, ids.len()) {
            if best.is_none_or(|(bs, be)| e - s < be - bs) {
                best = Some((s, e));
            }
            from = s + 1;
        }
        best
    }
}

/// A word of pinyin letters compiled for matching: for every reading set and letter
/// position, the positions a character of that set advances the word to.
///
/// It reads a sequence of set ids (`find_in`, `match_at`) or of UTF-16 units of text
/// without surrogates (`find_in_units`, `match_at_units`), whose ids the table gives; the
/// two share their code through the `UNITS` parameter.
pub struct Word<'t> {
    len: usize,
    /// Per set id (a full `u16` range, so indexing needs no bounds check): bit 0, can start
    /// the word; bit 1, can start its second segment; bit 2, takes the whole word alone.
    flags: Box<[u8; 0x1_0000]>,
    /// The same per UTF-16 unit (`flags[table.bmp[unit]]`): the scan for a start, which
    /// looks at every character, then needs one lookup, not two.
    unit_flags: Box<[u8; 0x1_0000]>,
    /// `trans[id * len + p]`: bits of the letter positions reached from `p`.
    trans: Vec<u64>,
    /// UTF-16 unit → set id.
    ids: &'t [u16; 0x1_0000],
}

impl<'t> Word<'t> {
    /// None unless `query` is 1..64 lowercase letters.
    pub fn new(table: &'t Table, query: &[u8]) -> Option<Word<'t>> {
        let len = query.len();
        if len == 0 || len >= 64 || !query.iter().all(u8::is_ascii_lowercase) {
            return None;
        }
        let mut trans = vec![0u64; table.sets.len() * len];
        for (id, row) in trans.chunks_exact_mut(len).enumerate().skip(1) {
            let m = table.initials[id];
            for (p, slot) in row.iter_mut().enumerate() {
                if m & (1 << letter(query[p])) != 0 {
                    *slot = table.step(id as u16, query, p);
                }
            }
        }
        let first = 1u32 << letter(query[0]);
        let look = Lookahead::new(table, query);
        let done = 1u64 << len;
        let mut flags = Box::new([0u8; 0x1_0000]);
        for (id, (f, &m)) in flags.iter_mut().zip(&table.initials).enumerate() {
            let start = u8::from(m & first != 0);
            let second = u8::from(m & look.second != 0) << 1;
            let alone = u8::from(trans.get(id * len).is_some_and(|&t| t & done != 0)) << 2;
            *f = start | second | alone;
        }
        // NONE (id 0, also past the end of a field) starts nothing and continues nothing.
        flags[0] = 0;
        let mut unit_flags = Box::new([0u8; 0x1_0000]);
        for (f, &id) in unit_flags.iter_mut().zip(table.bmp.iter()) {
            *f = flags[usize::from(id)];
        }
        Some(Word {
            len,
            flags,
            unit_flags,
            trans,
            ids: &table.bmp,
        })
    }

    #[inline]
    fn flags_of<const UNITS: bool>(&self) -> &[u8; 0x1_0000] {
        if UNITS {
            &self.unit_flags
        } else {
            &self.flags
        }
    }

    #[inline]
    fn id_of<const UNITS: bool>(&self, x: u16) -> u16 {
        if UNITS {
            self.ids[usize::from(x)]
        } else {
            x
        }
    }

    /// Whether a character with set `id` can start the word.
    #[inline]
    pub fn may_start(&self, id: u16) -> bool {
        self.flags[usize::from(id)] & 1 != 0
    }

    /// Whether the character of UTF-16 unit `u` can start the word.
    #[inline]
    pub fn may_start_unit(&self, u: u16) -> bool {
        self.unit_flags[usize::from(u)] & 1 != 0
    }

    /// Where the word matches a run of `ids` starting at `start`: the run's end.
    #[inline]
    pub fn match_at(&self, ids: &[u16], start: usize) -> Option<usize> {
        self.match_at_g::<false>(ids, start)
    }

    /// `match_at` over UTF-16 units.
    #[inline]
    pub fn match_at_units(&self, units: &[u16], start: usize) -> Option<usize> {
        self.match_at_g::<true>(units, start)
    }

    /// The first run in `ids[from..to]` the word matches: `(start, end)`.
    #[inline]
    pub fn find_in(&self, ids: &[u16], from: usize, to: usize) -> Option<(usize, usize)> {
        self.find_in_g::<false>(ids, from, to)
    }

    /// `find_in` over UTF-16 units.
    #[inline]
    pub fn find_in_units(&self, units: &[u16], from: usize, to: usize) -> Option<(usize, usize)> {
        self.find_in_g::<true>(units, from, to)
    }

    #[inline]
    fn match_at_g<const UNITS: bool>(&self, ids: &[u16], start: usize) -> Option<usize> {
        let done = 1u64 << self.len;
        let mut state = 1u64;
        for (j, &x) in ids.iter().enumerate().skip(start) {
            let id = self.id_of::<UNITS>(x);
            let row = &self.trans[usize::from(id) * self.len..][..self.len];
            let mut next = 0u64;
            let mut s = state;
            while s != 0 {
                next |= row[s.trailing_zeros() as usize];
                s &= s - 1;
            }
            if next & done != 0 {
                return Some(j + 1);
            }
            state = next;
            if state == 0 {
                return None;
            }
        }
        None
    }

    #[inline]
    fn find_in_g<const UNITS: bool>(
        &self,
        ids: &[u16],
        from: usize,
        to: usize,
    ) -> Option<(usize, usize)> {
        let ids = &ids[..to];
        let flags = self.flags_of::<UNITS>();
        let mut i = from;
        loop {
            i += first_start(ids.get(i..)?, flags)?;
            if flags[usize::from(ids[i])] & 4 != 0 {
                return Some((i, i + 1));
            }
            // Otherwise the next character must start the second segment.
            let next = ids.get(i + 1).copied().unwrap_or(NONE);
            if flags[usize::from(next)] & 2 != 0 {
                if let Some(e) = self.match_at_g::<UNITS>(ids, i) {
                    return Some((i, e));
                }
            }
            i += 1;
        }
    }
}

/// The first character whose flags have bit 0 set: four at a time, one branch per four
/// (most characters cannot start the word).
#[inline]
fn first_start(ids: &[u16], flags: &[u8; 0x1_0000]) -> Option<usize> {
    let f = |id: u16| flags[usize::from(id)];
    let mut quads = ids.chunks_exact(4);
    let mut base = 0;
    for q in quads.by_ref() {
        if (f(q[0]) | f(q[1]) | f(q[2]) | f(q[3])) & 1 != 0 {
            return q.iter().position(|&id| f(id) & 1 != 0).map(|k| base + k);
        }
        base += 4;
    }
    quads
        .remainder()
        .iter()
        .position(|&id| f(id) & 1 != 0)
        .map(|k| base + k)
}

/// What the first segment of a word allows about the character after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lookahead {
    /// One character can take the whole word.
    pub single: bool,
    /// Letters the second segment can start with.
    pub second: u32,
}

impl Lookahead {
    pub fn new(table: &Table, query: &[u8]) -> Lookahead {
        let mut look = Lookahead {
            single: false,
            second: 0,
        };
        for (k, _) in segment_options(table, query, 0) {
            if k == query.len() {
                look.single = true;
            } else {
                look.second |= 1 << letter(query[k]);
            }
        }
        look
    }
}

/// The segments that can start at letter `at`: (length, the syllable it pins down).
pub fn segment_options(t: &Table, q: &[u8], at: usize) -> Vec<(usize, Option<u16>)> {
    let rest = &q[at..];
    let mut options: Vec<(usize, Option<u16>)> = Vec::new();
    // An initial: one letter (no syllable starts with i, u, v), or zh/ch/sh.
    if !matches!(rest[0], b'i' | b'u' | b'v') {
        options.push((1, None));
    }
    if rest.len() >= 2 && is_initial_pair(&rest[..2]) {
        options.push((2, None));
    }
    for k in 2..=rest.len().min(6) {
        let seg = &rest[..k];
        let last = k == rest.len();
        if let Some(id) = t.syllable_id(seg) {
            // A whole syllable pins the reading unless, as the last segment, it may be the
            // start of a longer one.
            let pinned = !last || t.maximal.contains(seg);
            options.push((k, pinned.then_some(id)));
        } else if last && t.is_prefix(seg) {
            options.push((k, None));
        }
    }
    options.dedup();
    options
}

/// A plain reading as ASCII: `ü` becomes both `v` and `u` (`lü` → `lv`, `lu`), `ê` → `e`.
fn ascii_readings(plain: &str) -> Vec<Box<[u8]>> {
    if plain.is_ascii() {
        return vec![plain.as_bytes().into()];
    }
    let with = |u: &str| -> Box<[u8]> {
        plain
            .replace('ü', u)
            .replace('ê', "e")
            .into_bytes()
            .into_boxed_slice()
    };
    let (v, u) = (with("v"), with("u"));
    if v == u {
        vec![v]
    } else {
        vec![v, u]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(s: &str) -> Vec<u16> {
        let t = Table::get();
        s.chars().map(|c| t.id(c)).collect()
    }

    #[test]
    fn full_pinyin_initials_and_mixes_match_a_run() {
        let t = Table::get();
        let text = ids("关于生态环境局的通知");
        for q in [
            "shengtaihuanjing",
            "sthj",
            "shengtaihj",
            "sthuanj",
            "sheng",
            "shen",
            "s",
            "shtaihj",
            "shengtaihua",
        ] {
            let (s, _) = t.find(&text, q.as_bytes()).expect(q);
            assert_eq!(s, 2, "{q}");
        }
        assert_eq!(t.find(&text, b"sthjj"), Some((2, 7)));
        // A middle segment is a whole syllable or an initial, not any start of one.
        assert_eq!(t.find(&text, b"shentai"), None);
        assert_eq!(t.find(&text, b"shengtaj"), None);
    }

    #[test]
    fn u_umlaut_is_v_or_u_and_heteronyms_count() {
        let t = Table::get();
        assert!(t.find(&ids("完成率"), b"lv").is_some());
        assert!(t.find(&ids("完成率"), b"wcl").is_some());
        assert!(t.find(&ids("完成率"), b"wanchenglv").is_some());
        assert!(t.find(&ids("完成率"), b"wanchenglu").is_some());
        assert!(t.find(&ids("绿色"), b"lvse").is_some());
        assert!(t.find(&ids("绿色"), b"luse").is_some());
        assert!(t.find(&ids("银行"), b"yinhang").is_some());
        assert!(t.find(&ids("银行"), b"yinxing").is_some());
        assert!(t.find(&ids("市长"), b"shizhang").is_some());
    }

    #[test]
    fn ascii_and_punctuation_break_a_run() {
        let t = Table::get();
        assert_eq!(t.find(&ids("黑，臭"), b"heichou"), None);
        assert_eq!(t.find(&ids("黑5臭"), b"heichou"), None);
        assert_eq!(t.find(&ids("黑臭"), b"heichou"), Some((0, 2)));
        assert_eq!(t.find(&ids("新建5G基站"), b"jz"), Some((4, 6)));
    }
}
