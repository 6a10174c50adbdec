//! Pinyin for search: one `u16` per character of indexed text naming the set of all plain
//! readings of that character (heteronyms included), and the matcher that lets a Latin query
//! match a run of characters by full pinyin, initials or a mix (`heichou`, `hcst`, `shengtaihj`).

use pinyin::ToPinyinMulti;
use std::collections::HashMap;
use std::sync::OnceLock;

/// Id of a character that has no pinyin and is no ASCII letter or digit: it ends a run.
pub const NONE: u16 = 0;
/// Ids below this are the (lowercased) ASCII byte itself.
pub const FIRST_SET: u16 = 128;

/// The readings of every character the `pinyin` crate knows, interned as sets.
pub struct Table {
    /// BMP code point → id (0 = none, 1..=127 ASCII alphanumeric lowercased, ≥128 a set).
    bmp: Vec<u16>,
    /// Characters beyond the BMP (CJK extensions) that have readings.
    astral: HashMap<u32, u16>,
    /// `sets[id - FIRST_SET]`: the readings, ASCII (`ü` written both `v` and `u`).
    sets: Vec<Box<[Box<[u8]>]>>,
    /// Per id, a bit per letter `a`..`z` (and digits at bits 26..36) that a reading starts with.
    initials: Vec<u64>,
    /// Every prefix of every syllable, to split a query into syllable prefixes.
    prefixes: std::collections::HashSet<Box<[u8]>>,
}

/// The class of an ASCII letter or digit, 0..36; `None` for anything else.
pub fn letter_class(b: u8) -> Option<u32> {
    match b {
        b'a'..=b'z' => Some(u32::from(b - b'a')),
        b'0'..=b'9' => Some(26 + u32::from(b - b'0')),
        _ => None,
    }
}

impl Table {
    /// The table, built on first use (about 40k characters, a few milliseconds).
    pub fn get() -> &'static Table {
        static TABLE: OnceLock<Table> = OnceLock::new();
        TABLE.get_or_init(Table::build)
    }

    fn build() -> Table {
        let mut interned: HashMap<Vec<Box<[u8]>>, u16> = HashMap::new();
        let mut sets: Vec<Box<[Box<[u8]>]>> = Vec::new();
        let mut initials: Vec<u64> = vec![0; usize::from(FIRST_SET)];
        for b in 0u8..128 {
            let lower = b.to_ascii_lowercase();
            if let Some(class) = letter_class(lower) {
                initials[usize::from(b)] = 1 << class;
            }
        }
        let mut prefixes = std::collections::HashSet::new();
        let mut id_of = |c: char| -> u16 {
            let Some(multi) = c.to_pinyin_multi() else {
                return NONE;
            };
            let mut readings: Vec<Box<[u8]>> = Vec::new();
            for p in multi {
                for r in ascii_readings(p.plain()) {
                    if !readings.contains(&r) {
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
            let id = FIRST_SET + sets.len() as u16;
            let mut mask = 0u64;
            for r in &readings {
                if let Some(class) = r.first().copied().and_then(letter_class) {
                    mask |= 1 << class;
                }
                for k in 1..=r.len() {
                    prefixes.insert(r[..k].to_vec().into_boxed_slice());
                }
            }
            initials.push(mask);
            sets.push(readings.clone().into_boxed_slice());
            interned.insert(readings, id);
            id
        };
        let mut bmp = vec![NONE; 0x1_0000];
        for (cp, slot) in bmp.iter_mut().enumerate() {
            let Some(c) = char::from_u32(cp as u32) else {
                continue;
            };
            *slot = if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase() as u16
            } else if c.is_ascii() {
                NONE
            } else {
                id_of(c)
            };
        }
        let mut astral = HashMap::new();
        for cp in 0x2_0000u32..0x3_2000 {
            if let Some(c) = char::from_u32(cp) {
                let id = id_of(c);
                if id != NONE {
                    astral.insert(cp, id);
                }
            }
        }
        Table {
            bmp,
            astral,
            sets,
            initials,
            prefixes,
        }
    }

    /// The id of a character (its reading set, or itself when ASCII alphanumeric).
    #[inline]
    pub fn id(&self, c: char) -> u16 {
        let cp = c as u32;
        if cp < 0x1_0000 {
            self.bmp[cp as usize]
        } else {
            self.astral.get(&cp).copied().unwrap_or(NONE)
        }
    }

    /// Bits of the letters (and digits) a character with this id can start with.
    #[inline]
    pub fn initials(&self, id: u16) -> u64 {
        self.initials.get(usize::from(id)).copied().unwrap_or(0)
    }

    /// The readings of a set id (empty for ASCII and NONE).
    pub fn readings(&self, id: u16) -> &[Box<[u8]>] {
        id.checked_sub(FIRST_SET)
            .and_then(|i| self.sets.get(usize::from(i)))
            .map(|s| &s[..])
            .unwrap_or(&[])
    }

    /// True if `s` is the start of some syllable (`zh`, `hua`, `lv`).
    pub fn is_syllable_prefix(&self, s: &[u8]) -> bool {
        self.prefixes.contains(s)
    }

    /// The first reading of a character, for building a unit name's pinyin.
    pub fn first_reading(&self, c: char) -> Option<&[u8]> {
        self.readings(self.id(c)).first().map(|r| &r[..])
    }

    /// Where `query` (lowercase ASCII letters/digits) matches a run of `ids` starting at
    /// `start`: each character consumes a non-empty prefix of one of its readings, ASCII
    /// characters consume themselves. Returns the end (exclusive) of the shortest such run.
    #[inline]
    pub fn match_at(&self, ids: &[u16], start: usize, query: &[u8]) -> Option<usize> {
        let len = query.len();
        debug_assert!((1..64).contains(&len));
        let done = 1u64 << len;
        // Bit p set: the first p letters of the query are consumed.
        let mut state = 1u64;
        for (j, &id) in ids.iter().enumerate().skip(start) {
            if id == NONE {
                return None;
            }
            let mut next = 0u64;
            let mut s = state;
            while s != 0 {
                let p = s.trailing_zeros() as usize;
                s &= s - 1;
                let rest = &query[p..];
                if id < FIRST_SET {
                    if rest[0] == id as u8 {
                        next |= 1 << (p + 1);
                    }
                    continue;
                }
                for r in self.readings(id) {
                    let k = r.iter().zip(rest).take_while(|(a, b)| a == b).count();
                    if k > 0 {
                        // p+1 ..= p+k letters consumed.
                        next |= ((1u64 << k) - 1) << (p + 1);
                    }
                }
            }
            if next & done != 0 {
                return Some(j + 1);
            }
            state = next & (done - 1);
            if state == 0 {
                return None;
            }
        }
        None
    }

    /// The shortest, then leftmost, run in `ids` that `query` matches; `(start, end)`.
    pub fn find(&self, ids: &[u16], query: &[u8]) -> Option<(usize, usize)> {
        let first = letter_class(*query.first()?)?;
        let bit = 1u64 << first;
        let mut best: Option<(usize, usize)> = None;
        for (i, &id) in ids.iter().enumerate() {
            if self.initials(id) & bit == 0 {
                continue;
            }
            if let Some(end) = self.match_at(ids, i, query) {
                if best.is_none_or(|(s, e)| end - i < e - s) {
                    best = Some((i, end));
                    if end - i == 1 {
                        break;
                    }
                }
            }
        }
        best
    }
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

/// A query's pinyin reading: the segmentations into syllable prefixes, as the sequences of
/// letters that start each segment — what the prefilter needs.
pub fn segment_starts(table: &Table, query: &[u8], cap: usize) -> Option<Vec<Vec<u8>>> {
    fn walk(
        table: &Table,
        q: &[u8],
        at: usize,
        cur: &mut Vec<u8>,
        out: &mut Vec<Vec<u8>>,
        cap: usize,
    ) -> bool {
        if at == q.len() {
            if out.len() >= cap {
                return false;
            }
            out.push(cur.clone());
            return true;
        }
        // A digit or letter standing for itself (ASCII in the text) is always one segment.
        for k in 1..=(q.len() - at).min(6) {
            let seg = &q[at..at + k];
            if k > 1 && !table.is_syllable_prefix(seg) {
                continue;
            }
            cur.push(q[at]);
            let ok = walk(table, q, at + k, cur, out, cap);
            cur.pop();
            if !ok {
                return false;
            }
        }
        true
    }
    let mut out = Vec::new();
    let mut cur = Vec::new();
    if walk(table, query, 0, &mut cur, &mut out, cap) {
        out.sort();
        out.dedup();
        Some(out)
    } else {
        None
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
            "s",
        ] {
            let (s, _) = t.find(&text, q.as_bytes()).expect(q);
            assert_eq!(s, 2, "{q}");
        }
        assert_eq!(t.find(&text, b"sthjj"), Some((2, 7)));
        assert_eq!(t.find(&text, b"shengtaj"), None);
    }

    #[test]
    fn u_umlaut_is_v_or_u_and_heteronyms_count() {
        let t = Table::get();
        assert!(t.find(&ids("完成率"), b"lv").is_some());
        assert!(t.find(&ids("完成率"), b"wcl").is_some());
        assert!(t.find(&ids("绿色"), b"lvse").is_some());
        assert!(t.find(&ids("绿色"), b"luse").is_some());
        assert!(t.find(&ids("银行"), b"yinhang").is_some());
        assert!(t.find(&ids("银行"), b"yinxing").is_some());
        assert!(t.find(&ids("市长"), b"shizhang").is_some());
    }

    #[test]
    fn ascii_in_text_matches_itself_inside_a_run() {
        let t = Table::get();
        let text = ids("新建5G基站");
        assert_eq!(t.find(&text, b"5gjz"), Some((2, 6)));
        assert_eq!(t.find(&text, b"5g"), Some((2, 4)));
    }

    #[test]
    fn punctuation_breaks_a_run() {
        let t = Table::get();
        assert_eq!(t.find(&ids("黑，臭"), b"heichou"), None);
        assert_eq!(t.find(&ids("黑臭"), b"heichou"), Some((0, 2)));
    }

    #[test]
    fn segmentations_list_segment_starts() {
        let t = Table::get();
        let s = segment_starts(t, b"hcst", 64).unwrap();
        assert_eq!(s, vec![b"hcst".to_vec()]);
        let s = segment_starts(t, b"heichou", 64).unwrap();
        assert!(s.contains(&b"hc".to_vec()));
        assert!(!s.contains(&b"hi".to_vec()) || s.len() > 1);
    }
}
