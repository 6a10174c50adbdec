//! Unit names: what a responsible unit's name looks like, splitting a cell into names, the
//! vocabulary used to split names that touch, and canonical names from `data/unit_aliases.toml`.

use super::headers::Column;
use super::RawUnits;
use crate::model::Unit;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// The alias table: written name → canonical name.
#[derive(Debug, Clone, Default)]
pub struct Aliases {
    to_canonical: HashMap<String, String>,
}

#[derive(Debug, thiserror::Error)]
#[error("unit alias file is not valid: {0}")]
pub struct AliasError(String);

impl Aliases {
    /// The alias file shipped with duban.
    pub fn builtin() -> Aliases {
        builtin_aliases().clone()
    }

    pub fn parse(toml_text: &str) -> Result<Aliases, AliasError> {
        let table: HashMap<String, Vec<String>> =
            toml::from_str(toml_text).map_err(|e| AliasError(e.to_string()))?;
        let mut to_canonical = HashMap::new();
        for (canonical, aliases) in table {
            for a in aliases {
                let key = normalize(&a);
                if let Some(other) = to_canonical.get(&key) {
                    if other != &canonical {
                        return Err(AliasError(format!(
                            "`{a}` is listed under both `{other}` and `{canonical}`"
                        )));
                    }
                }
                to_canonical.insert(key, canonical.clone());
            }
            to_canonical.insert(normalize(&canonical), canonical.clone());
        }
        Ok(Aliases { to_canonical })
    }

    pub fn canonical(&self, written: &str) -> String {
        self.to_canonical
            .get(&normalize(written))
            .cloned()
            .unwrap_or_else(|| normalize(written))
    }

    pub fn unit(&self, written: &str) -> Unit {
        Unit {
            written: written.to_string(),
            canonical: self.canonical(written),
        }
    }

    /// Every canonical name the alias file knows.
    pub fn canonical_names(&self) -> Vec<String> {
        let mut v: Vec<String> = self.to_canonical.values().cloned().collect();
        v.sort();
        v.dedup();
        v
    }

    /// Whether the alias file knows this spelling (as an alias or as a canonical name).
    pub fn knows(&self, written: &str) -> bool {
        self.to_canonical.contains_key(&normalize(written))
    }

    /// Every spelling the alias file knows, normalized.
    pub fn spellings(&self) -> impl Iterator<Item = &str> {
        self.to_canonical.keys().map(String::as_str)
    }
}

/// Parsed once: the importer consults the shipped names for every row.
fn builtin_aliases() -> &'static Aliases {
    static BUILTIN: OnceLock<Aliases> = OnceLock::new();
    BUILTIN.get_or_init(|| {
        Aliases::parse(include_str!("../../data/unit_aliases.toml"))
            .expect("the shipped data/unit_aliases.toml parses (tested)")
    })
}

/// Width-folds parentheses and drops spaces, so `各县(市)区政府` and `各县(市)区政府` match.
pub fn normalize(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{ff08}' => '(',
            '\u{ff09}' => ')',
            c => c,
        })
        .collect()
}

/// Separators between names in one units cell. `、` inside parentheses is not one:
/// `各县(市、区)政府` is a single name.
fn is_hard_separator(c: char) -> bool {
    matches!(c, '、' | ',' | '\u{ff0c}' | ';' | '\u{ff1b}')
}

/// Splits on hard separators outside parentheses; pieces keep their inner whitespace.
/// `各区、县(市)政府` is one name: a bare `各区`/`各县`… before a piece that names other
/// levels of the same governments keeps its `、`.
fn split_outside_parens(cell: &str) -> Vec<&str> {
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in cell.char_indices() {
        match c {
            '(' | '\u{ff08}' => depth += 1,
            ')' | '\u{ff09}' => depth = (depth - 1).max(0),
            c if depth == 0 && is_hard_separator(c) => {
                spans.push((start, i));
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    spans.push((start, cell.len()));
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
    for (s, e) in spans {
        let piece = cell[s..e].trim();
        match out.last_mut() {
            Some(prev) if is_level_prefix(cell[prev.0..prev.1].trim()) && names_levels(piece) => {
                prev.1 = e;
            }
            _ => out.push((s, e)),
        }
    }
    out.into_iter().map(|(s, e)| &cell[s..e]).collect()
}

/// `各区`, `各县`, `各辖市`, `各县市`: the start of a name that lists levels of government.
fn is_level_prefix(piece: &str) -> bool {
    let cs: Vec<char> = piece.chars().collect();
    cs.first() == Some(&'各')
        && (2..=4).contains(&cs.len())
        && cs.last().is_some_and(|l| words().is_listed_level(*l))
}

/// `县(市)政府`, `市区政府`: the rest of such a name.
fn names_levels(piece: &str) -> bool {
    let w = words();
    piece.chars().next().is_some_and(|c| w.is_listed_level(c))
        && w.ends_as_government(piece)
        && piece.chars().count() <= 10
}

/// Splits a units cell into names on `、` `,` `,` `;` `;` and runs of spaces. A name broken
/// by a stray space (`市发展 改革委`, `各县市区 政府`) is joined again: a piece that cannot be
/// a unit on its own is glued to its neighbour.
pub fn split_list(cell: &str) -> Vec<String> {
    split_list_raw(cell)
        .iter()
        .filter_map(|n| clean_name(n))
        .collect()
}

/// [`split_list`] before names are cleaned.
fn split_list_raw(cell: &str) -> Vec<String> {
    let mut names = Vec::new();
    for piece in split_outside_parens(cell) {
        let words: Vec<&str> = piece
            .split(char::is_whitespace)
            .filter(|w| !w.is_empty())
            .collect();
        let mut merged: Vec<String> = Vec::new();
        let mut pending = String::new();
        for w in words {
            if !pending.is_empty() {
                pending.push_str(w);
                if ends_with_suffix(&pending) {
                    merged.push(std::mem::take(&mut pending));
                }
                continue;
            }
            if UnitWords::builtin().is_bare_suffix(w) {
                // `政府` or `管委会` alone: the tail of the previous name.
                match merged.last_mut() {
                    Some(prev) => prev.push_str(w),
                    None => merged.push(w.to_string()),
                }
            } else if ends_with_suffix(w) || !has_cjk(w) {
                merged.push(w.to_string());
            } else {
                // `市发展` has no unit ending: it continues in the next word.
                pending.push_str(w);
            }
        }
        if !pending.is_empty() {
            merged.push(pending);
        }
        names.extend(merged);
    }
    names
}

/// A unit name as a report may leave it, cleaned: trailing punctuation (`市住建局。`), a
/// closing `等` (`市城管局等`, `等单位`), a duty phrase (`按职责分工负责`, `配合落实`, `参与`), a
/// lead mark (`牵头`, `(牵头)`) and a leading `由` are cut off. None when nothing is left.
/// Every layout and format goes through this, so the unit views never gain false units.
pub fn clean_name(name: &str) -> Option<String> {
    cleaned(name).map(|(n, _)| n)
}

/// [`clean_name`], also saying whether the name carried a lead mark (`市发改委(牵头)`).
fn cleaned(name: &str) -> Option<(String, bool)> {
    const EDGE: &[char] = &[
        '。', '.', '，', ',', '、', ';', '；', ':', '：', '!', '！', '?', '？', '…', '“', '”', '"',
        '\'', '‘', '’', '·', '/', '／',
    ];
    let mut t = name.trim_matches(|c: char| c.is_whitespace() || EDGE.contains(&c));
    let mut lead = false;
    loop {
        let before = t;
        // Traditional forms (`按職責分工負責`) are matched folded; folding keeps byte offsets.
        if let Some(m) = duty_tail().find(&super::layout::fold(t)) {
            // A piece that is all duty words (`等`, `负责`) leaves nothing: no unit.
            lead |= m.as_str().contains("牵头");
            t = &t[..m.start()];
        }
        t = t.strip_prefix('由').unwrap_or(t);
        t = t.trim_matches(|c: char| c.is_whitespace() || EDGE.contains(&c));
        if t == before {
            break;
        }
    }
    (!t.is_empty()).then(|| (t.to_string(), lead))
}

/// What may follow a unit's name in a units cell: `等`, `等单位`, duty words, a lead mark,
/// and the `无` of an empty co cell glued on (`市商务局无`).
fn duty_tail() -> &'static regex::Regex {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    RE.get_or_init(|| {
        regex::Regex::new(
            r"(?:等(?:相关)?(?:单位|部门)?|[(\x{FF08}]\s*(?:牵头|主责|配合|协办)\s*[)\x{FF09}]|(?:按照?职责分工|按照?职责|分工|共同|积极|密切|协同|牵头)*(?:配合|负责|落实|参与|协助|协办)+|牵头|无)$",
        )
        .expect("constant pattern is valid")
    })
}

/// Lead and co unit names of a row.
pub fn resolve(units: &RawUnits) -> (Vec<String>, Vec<String>) {
    match units {
        RawUnits::Columns { lead, co } => {
            let (mut l, mut c) = (Vec::new(), Vec::new());
            for (role, text) in labelled_parts(lead, Column::Lead)
                .into_iter()
                .chain(labelled_parts(co, Column::Co))
            {
                match role {
                    Column::Co => c.extend(split_list(&text)),
                    _ => l.extend(split_list(&text)),
                }
            }
            (l, c)
        }
        RawUnits::SingleColumn(cell) => {
            let parts = labelled_parts(cell, Column::Units);
            if parts.iter().all(|(role, _)| *role == Column::Units) {
                return single_column(cell);
            }
            // Labels say which units lead (`牵头单位:X;配合单位:Y`); units before any label
            // follow the one-column rule.
            let (mut l, mut c) = (Vec::new(), Vec::new());
            for (role, text) in parts {
                match role {
                    Column::Lead => l.extend(split_list(&text)),
                    Column::Units => {
                        let (first, rest) = single_column(&text);
                        l.extend(first);
                        c.extend(rest);
                    }
                    _ => c.extend(split_list(&text)),
                }
            }
            (l, c)
        }
        RawUnits::Split { lead, co } => (
            lead.iter().filter_map(|n| clean_name(n)).collect(),
            co.iter().filter_map(|n| clean_name(n)).collect(),
        ),
    }
}

/// A units text cut at its labels (`牵头单位:市发改委;配合单位:市财政局`, `牵头:X\n配合:Y`):
/// each part with the role its label names; text before any label has `unlabelled`.
fn labelled_parts(text: &str, unlabelled: Column) -> Vec<(Column, String)> {
    use super::layout::{inline_labels, label_at_start};
    let mut cuts = vec![0];
    cuts.extend(inline_labels(text));
    cuts.push(text.len());
    let mut out = Vec::new();
    for w in cuts.windows(2) {
        let piece = &text[w[0]..w[1]];
        match label_at_start(piece) {
            Some((role, _, rest)) if role.is_units() => out.push((role, rest.to_string())),
            _ => out.push((unlabelled, piece.to_string())),
        }
    }
    out.retain(|(_, t)| !t.trim().is_empty());
    out
}

/// One units column: the units marked `牵头` lead when some are (`市财政局、市发改委(牵头)`),
/// otherwise the first-listed unit leads.
fn single_column(cell: &str) -> (Vec<String>, Vec<String>) {
    let raw: Vec<String> = split_list_raw(cell);
    let marked: Vec<(String, bool)> = raw.iter().filter_map(|n| cleaned(n)).collect();
    if marked.iter().any(|(_, lead)| *lead) {
        let (lead, co): (Vec<_>, Vec<_>) = marked.into_iter().partition(|(_, lead)| *lead);
        return (
            lead.into_iter().map(|(n, _)| n).collect(),
            co.into_iter().map(|(n, _)| n).collect(),
        );
    }
    let mut all: Vec<String> = marked.into_iter().map(|(n, _)| n).collect();
    let rest = if all.is_empty() {
        Vec::new()
    } else {
        all.split_off(1)
    };
    (all, rest)
}

// ---------------------------------------------------------------------------------------
// What a unit name looks like.

/// What a unit's name looks like, from `data/units.toml`: its endings, the starts that vouch
/// for it, and how places name their governments. The words are data; the rules are here.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitWords {
    suffixes: Suffixes,
    prefixes: Prefixes,
    places: Places,
    prose: Prose,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Suffixes {
    strong: Vec<String>,
    ordinary: Vec<String>,
    weak: Vec<String>,
    not_units: Vec<String>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Prefixes {
    words: Vec<String>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Places {
    levels: Vec<char>,
    not_starts: Vec<String>,
    government: Vec<String>,
    listed_levels: Vec<char>,
    zones: Vec<String>,
    within_place: Vec<String>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Prose {
    verbs: Vec<String>,
    words: Vec<String>,
    joining: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("the unit words (data/units.toml) are not valid: {0}")]
pub struct UnitWordsError(String);

impl UnitWords {
    pub fn parse(toml_text: &str) -> Result<UnitWords, UnitWordsError> {
        let w: UnitWords = toml::from_str(toml_text).map_err(|e| UnitWordsError(e.to_string()))?;
        let lists = [
            ("suffixes.strong", &w.suffixes.strong),
            ("suffixes.ordinary", &w.suffixes.ordinary),
            ("suffixes.weak", &w.suffixes.weak),
            ("suffixes.not_units", &w.suffixes.not_units),
            ("prefixes.words", &w.prefixes.words),
            ("places.not_starts", &w.places.not_starts),
            ("places.government", &w.places.government),
            ("places.zones", &w.places.zones),
            ("places.within_place", &w.places.within_place),
            ("prose.verbs", &w.prose.verbs),
            ("prose.words", &w.prose.words),
            ("prose.joining", &w.prose.joining),
        ];
        // An empty word would end, start or sit inside every text.
        if let Some((name, _)) = lists
            .iter()
            .find(|(_, words)| words.iter().any(|w| w.trim().is_empty()))
        {
            return Err(UnitWordsError(format!("`{name}` holds an empty word")));
        }
        if w.suffixes.strong.is_empty() && w.suffixes.ordinary.is_empty() {
            return Err(UnitWordsError(
                "no unit ending: `suffixes.strong` and `suffixes.ordinary` are both empty".into(),
            ));
        }
        Ok(w)
    }

    /// The shipped words (`data/units.toml`), parsed once: every row of every import asks.
    pub fn builtin() -> &'static UnitWords {
        static W: OnceLock<UnitWords> = OnceLock::new();
        W.get_or_init(|| {
            UnitWords::parse(include_str!("../../data/units.toml"))
                .expect("the shipped data/units.toml parses (tested)")
        })
    }

    /// `…中心`, `…管委会`: a unit wherever it stands.
    pub fn ends_strong(&self, name: &str) -> bool {
        ends_with_any(name, &self.suffixes.strong)
    }

    /// A body's ending that makes a short units item a unit alone (`…局`, `…中心`, `团市委`).
    pub fn ends_as_body(&self, name: &str) -> bool {
        self.ends_strong(name) || ends_with_any(name, &self.suffixes.ordinary)
    }

    /// An ending that makes a unit only after a start that vouches for it (`市重点处`).
    pub fn ends_weak(&self, name: &str) -> bool {
        ends_with_any(name, &self.suffixes.weak)
    }

    /// Any unit ending, strong or not.
    pub fn ends_like_unit(&self, name: &str) -> bool {
        self.ends_as_body(name) || self.ends_weak(name)
    }

    /// An ordinary word that only ends like a unit (`布局`, `举办`).
    pub fn ends_not_unit(&self, name: &str) -> bool {
        ends_with_any(name, &self.suffixes.not_units)
    }

    /// `政府`, `管委会`, `人民政府` standing alone: the tail of the name before it.
    pub fn is_bare_suffix(&self, word: &str) -> bool {
        let is = |list: &[String]| list.iter().any(|s| s == word);
        is(&self.suffixes.strong)
            || is(&self.suffixes.ordinary)
            || is(&self.suffixes.weak)
            || is(&self.places.government)
    }

    /// A start that vouches for a name (`市…`, `各…`, `国网…`).
    pub fn starts_with_prefix(&self, name: &str) -> bool {
        self.prefixes
            .words
            .iter()
            .any(|p| name.starts_with(p.as_str()))
    }

    /// A level of government a place's name ends in (`市`, `县`, `区`).
    pub fn is_level(&self, c: char) -> bool {
        self.places.levels.contains(&c)
    }

    /// A start that makes no place (`各县`, `全市`).
    fn starts_no_place(&self, head: &str) -> bool {
        self.places
            .not_starts
            .iter()
            .any(|p| head.starts_with(p.as_str()))
    }

    /// What names a place's government after the place (`政府`, `人民政府`, `管委会`).
    pub fn is_government(&self, rest: &str) -> bool {
        self.places.government.iter().any(|g| g == rest)
    }

    /// Ends like a place's government (`…政府`, `…管委会`).
    fn ends_as_government(&self, name: &str) -> bool {
        ends_with_any(name, &self.places.government)
    }

    /// A level a `各…` list of governments names (`区`, `县`, `市`, `镇`, `乡`).
    pub fn is_listed_level(&self, c: char) -> bool {
        self.places.listed_levels.contains(&c)
    }

    /// A zone named by its place (`…高新区`), more than the zone word alone.
    pub fn ends_as_zone(&self, name: &str) -> bool {
        self.places
            .zones
            .iter()
            .any(|z| name.ends_with(z.as_str()) && name.len() > z.len())
    }

    /// An ending of a body's name after a place (`…街道`, `…住建局`).
    pub fn ends_within_place(&self, tail: &str) -> bool {
        self.ends_like_unit(tail) || ends_with_any(tail, &self.places.within_place)
    }

    /// Opens with a verb of a task (`推进…`, `建设…`).
    pub fn starts_with_verb(&self, text: &str) -> bool {
        self.prose
            .verbs
            .iter()
            .any(|v| text.starts_with(v.as_str()))
    }

    /// Holds a word of a progress sentence (`已`, `进度`, `完成`).
    pub fn has_prose_word(&self, text: &str) -> bool {
        self.prose.words.iter().any(|w| text.contains(w.as_str()))
    }

    /// The rest of a name a stray space broke off (`和规划局`, `管委会`, `(市)区政府`).
    pub fn starts_name_tail(&self, fragment: &str) -> bool {
        fragment.starts_with(['(', '\u{ff08}', ')', '\u{ff09}'])
            || self
                .prose
                .joining
                .iter()
                .chain(&self.suffixes.strong)
                .chain(&self.suffixes.ordinary)
                .chain(&self.places.government)
                .any(|w| fragment.starts_with(w.as_str()))
    }
}

fn ends_with_any(name: &str, words: &[String]) -> bool {
    words.iter().any(|w| name.ends_with(w.as_str()))
}

fn words() -> &'static UnitWords {
    UnitWords::builtin()
}

fn has_cjk(s: &str) -> bool {
    s.chars().any(is_han)
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '\u{f900}'..='\u{faff}')
}

/// A unit's ending that is no ordinary word's (`…局` but not `布局`).
fn ends_with_suffix(name: &str) -> bool {
    let w = words();
    w.ends_like_unit(name) && !w.ends_not_unit(name)
}

/// `无为市`, `繁昌县`, `鸠江区`, `昌乐县`, optionally followed by `政府`/`人民政府`/`管委会`:
/// recognised by shape, so no city's place names need listing.
pub fn is_place_name(name: &str) -> bool {
    place_prefix_len(name).is_some_and(|n| {
        let rest = &name[n..];
        rest.is_empty() || words().is_government(rest)
    })
}

/// Byte length of a leading place name (2–3 Han characters then a level, `市`/`县`/`区`:
/// `无为市`, `马鞍山市`), if any.
fn place_prefix_len(name: &str) -> Option<usize> {
    let w = words();
    for (han, (i, c)) in name.char_indices().enumerate() {
        if w.is_level(c) && han >= 2 {
            // `各县`/`全市` are not places; `市` must not start the name.
            if w.starts_no_place(&name[..i]) {
                return None;
            }
            return Some(i + c.len_utf8());
        }
        if !is_han(c) || han >= 3 {
            return None;
        }
    }
    None
}

fn parens_balanced(name: &str) -> bool {
    let mut depth = 0i32;
    for c in name.chars() {
        match c {
            '(' | '\u{ff08}' => depth += 1,
            ')' | '\u{ff09}' => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0
}

/// Whether a string can be one unit's name by its shape alone: a unit ending, no digits or
/// sentence punctuation, and a start that vouches for it (`市…`, `各…`, a place) unless its
/// ending is strong (`…中心`, `…管委会`).
pub fn looks_like_unit(name: &str) -> bool {
    let n = name.chars().count();
    if !(2..=30).contains(&n) || !has_cjk(name) || !parens_balanced(name) {
        return false;
    }
    let bad = name.chars().any(|c| {
        c.is_ascii_digit()
            || c.is_ascii_alphabetic()
            || c.is_whitespace()
            || ('\u{ff10}'..='\u{ff19}').contains(&c)
            || matches!(
                c,
                ':' | '\u{ff1a}'
                    | '。'
                    | ';'
                    | '\u{ff1b}'
                    | '!'
                    | '\u{ff01}'
                    | '?'
                    | '\u{ff1f}'
                    | '《'
                    | '》'
                    | '“'
                    | '”'
                    | '"'
                    | '%'
                    | '\u{ff05}'
                    | '‰'
                    | '.'
                    | ','
                    | '\u{ff0c}'
                    | '/'
                    | '+'
                    | '-'
                    | '—'
                    | '~'
            )
    });
    if bad {
        return false;
    }
    if is_place_name(name) {
        return true;
    }
    if !ends_with_suffix(name) {
        return false;
    }
    let w = words();
    let strong = w.ends_strong(name) && n >= 4;
    strong || w.starts_with_prefix(name)
}

// ---------------------------------------------------------------------------------------
// Vocabulary and splitting of unit text whose names touch.

/// Unit names known to be whole names: the shipped alias file's spellings plus names
/// learned from the document being read (layered over the shipped ones, not copied).
#[derive(Debug, Clone)]
pub struct Vocabulary {
    base: Option<&'static Vocabulary>,
    names: HashSet<String>,
    /// Length in chars of the longest name (base included), to bound prefix look-ups.
    longest: usize,
}

impl Default for Vocabulary {
    fn default() -> Self {
        Vocabulary::over_builtin()
    }
}

impl Vocabulary {
    /// The names of the shipped alias file.
    pub fn builtin() -> &'static Vocabulary {
        static BUILTIN: OnceLock<Vocabulary> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            let mut v = Vocabulary::empty();
            for s in builtin_aliases().spellings() {
                v.learn(s);
            }
            v
        })
    }

    /// The shipped names, ready to learn more.
    pub fn over_builtin() -> Vocabulary {
        let base = Vocabulary::builtin();
        Vocabulary {
            base: Some(base),
            names: HashSet::new(),
            longest: base.longest,
        }
    }

    /// An empty vocabulary (tests).
    pub fn empty() -> Vocabulary {
        Vocabulary {
            base: None,
            names: HashSet::new(),
            longest: 0,
        }
    }

    pub fn learn(&mut self, name: &str) {
        let n = normalize(name);
        if self.base.is_some_and(|b| b.names.contains(&n)) {
            return;
        }
        self.longest = self.longest.max(n.chars().count());
        self.names.insert(n);
    }

    fn contains(&self, normalized: &str) -> bool {
        self.names.contains(normalized) || self.base.is_some_and(|b| b.names.contains(normalized))
    }

    pub fn knows(&self, name: &str) -> bool {
        self.contains(&normalized(name))
    }

    /// How many names, shipped and learned.
    pub fn len(&self) -> usize {
        self.names.len() + self.base.map_or(0, |b| b.names.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether some known name (of 3 or more characters) starts `text`.
    pub fn knows_prefix_of(&self, text: &str) -> bool {
        // Only the first `longest` characters matter; normalizing more would be waste.
        let end = text
            .char_indices()
            .nth(self.longest + 4)
            .map_or(text.len(), |(i, _)| i);
        let norm = normalized(&text[..end]);
        for (count, (i, c)) in norm.char_indices().enumerate() {
            if count >= self.longest {
                break;
            }
            if count >= 2 && self.contains(&norm[..i + c.len_utf8()]) {
                return true;
            }
        }
        false
    }
}

/// `normalize` without allocating when there is nothing to change (the usual case).
fn normalized(name: &str) -> std::borrow::Cow<'_, str> {
    if name
        .chars()
        .any(|c| c.is_whitespace() || c == '\u{ff08}' || c == '\u{ff09}')
    {
        std::borrow::Cow::Owned(normalize(name))
    } else {
        std::borrow::Cow::Borrowed(name)
    }
}

/// No unit name is this long; a longer token is prose, and refusing it early keeps the
/// search for touching names cheap on arbitrary input.
const MAX_TOKEN_CHARS: usize = 48;

/// Whether `text` starts the way a unit's name does (`市…`, `各…`, a place): for finding
/// where unit names may begin in run-together text.
pub fn looks_like_unit_start(text: &str) -> bool {
    starts_with_unit(text)
}

/// Whether some prefix of `text` (3 characters or more) is shaped like a unit name.
fn starts_with_unit(text: &str) -> bool {
    let mut count = 0;
    for (i, c) in text.char_indices() {
        count += 1;
        if count >= 3 && looks_like_unit(&text[..i + c.len_utf8()]) {
            return true;
        }
    }
    false
}

/// One way to cut a token where two names touch.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Touch {
    /// Byte offset in the token.
    at: usize,
    score: i32,
}

/// The best place where two unit names touch inside `token`, if any. `strict` asks for both
/// halves to be known names (used when the unit text ends in a space).
fn best_touch(token: &str, vocab: &Vocabulary, strict: bool) -> Option<Touch> {
    if vocab.knows(token) || token.chars().count() > MAX_TOKEN_CHARS {
        return None;
    }
    let mut best: Option<Touch> = None;
    let mut depth = 0i32;
    for (chars_seen, (i, c)) in token.char_indices().enumerate() {
        if i > 0 && depth == 0 && chars_seen >= 3 {
            let (left, right) = token.split_at(i);
            if let Some(score) = touch_score(left, right, vocab, strict) {
                if best.is_none_or(|b| score > b.score) {
                    best = Some(Touch { at: i, score });
                }
            }
        }
        match c {
            '(' | '\u{ff08}' => depth += 1,
            ')' | '\u{ff09}' => depth -= 1,
            _ => {}
        }
    }
    best
}

fn touch_score(left: &str, right: &str, vocab: &Vocabulary, strict: bool) -> Option<i32> {
    // Cheap tests first: almost every position fails to end a unit name. A name may begin
    // right where another ends only with a start that cannot continue the previous name:
    // `市…`, `各…`, a place, or a name the vocabulary knows.
    if !(ends_with_suffix(left) || is_place_name(left)) || right.chars().count() < 3 {
        return None;
    }
    let cheap_start = words().starts_with_prefix(right) || place_prefix_len(right).is_some();
    let right_known = vocab.knows(right);
    if !(cheap_start || right_known || vocab.knows_prefix_of(right)) {
        return None;
    }
    let left_known = vocab.knows(left);
    if !(left_known || looks_like_unit(left)) {
        return None;
    }
    // The right half must be a name on its own, or start with one that touches yet another.
    if !(right_known || looks_like_unit(right) || starts_with_unit(right)) {
        return None;
    }
    if strict && !(left_known && right_known) {
        return None;
    }
    let mut score = 1;
    if left_known {
        score += 2;
    }
    if right_known {
        score += 2;
    }
    if right.starts_with('各') || right.starts_with('市') {
        score += 1;
    }
    Some(score)
}

/// Unit text split into names, with where the lead column ends.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SplitUnits {
    pub lead: Vec<String>,
    pub co: Vec<String>,
    /// Whether lead and co were told apart by two names touching (rather than assumed).
    pub touched: bool,
}

/// Splits unit text from a concatenated row (`市住建局、市水务局各县(市)区政府、开发区管委会`)
/// into lead and co names. Names are separated by `、` `,` `,` or spaces; the lead column ends
/// where two names touch with no separator. Returns None when some piece is not a unit name.
pub fn split_touching(text: &str, vocab: &Vocabulary) -> Option<SplitUnits> {
    let trailing_space = text.ends_with(|c: char| c.is_whitespace());
    let tokens: Vec<&str> = split_outside_parens(text)
        .into_iter()
        .flat_map(|p| p.split(char::is_whitespace))
        .filter(|t| !t.is_empty())
        .collect();
    if tokens.is_empty() {
        return None;
    }
    let mut out = SplitUnits::default();
    let mut in_co = false;
    for token in tokens {
        // `市经信局(牵头)`: the mark stays on the name (it makes the name lead) but is no
        // part of what is split.
        let (base, mark) = ["（牵头）", "(牵头)"]
            .iter()
            .find_map(|m| token.strip_suffix(m).map(|b| (b, Some(*m))))
            .unwrap_or((token, None));
        let mut names = segment_token(base, vocab, trailing_space && !in_co)?;
        if let (Some(mark), Some(last)) = (mark, names.last_mut()) {
            last.push_str(mark);
        }
        for (k, name) in names.into_iter().enumerate() {
            if k > 0 && !in_co {
                in_co = true;
                out.touched = true;
            }
            if in_co {
                out.co.push(name);
            } else {
                out.lead.push(name);
            }
        }
    }
    Some(out)
}

/// A token is one name, or names that touch. None when it is neither.
fn segment_token(token: &str, vocab: &Vocabulary, strict: bool) -> Option<Vec<String>> {
    if token.chars().count() > MAX_TOKEN_CHARS {
        return None;
    }
    let mut names = Vec::new();
    let mut rest = token;
    // Bounded: each step consumes at least 3 characters.
    loop {
        match best_touch(rest, vocab, strict) {
            Some(t) => {
                names.push(rest[..t.at].to_string());
                rest = &rest[t.at..];
            }
            None => {
                if vocab.knows(rest) || looks_like_unit(rest) {
                    names.push(rest.to_string());
                    return Some(names);
                }
                return None;
            }
        }
    }
}

/// Whether a token has no place at all where two unit-shaped names could touch: such a token
/// is certainly one name and safe to learn.
pub fn certainly_one_name(token: &str) -> bool {
    if !looks_like_unit(token) || token.chars().count() > MAX_TOKEN_CHARS {
        return false;
    }
    let mut depth = 0i32;
    for (i, c) in token.char_indices() {
        if i > 0 && depth == 0 {
            let (left, right) = token.split_at(i);
            if left.chars().count() >= 2
                && right.chars().count() >= 2
                && ends_with_suffix(left)
                && looks_like_unit(right)
            {
                return false;
            }
        }
        match c {
            '(' | '\u{ff08}' => depth += 1,
            ')' | '\u{ff09}' => depth -= 1,
            _ => {}
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_aliases_make_one_unit_of_three_spellings() {
        let a = Aliases::builtin();
        assert_eq!(a.canonical("市发改委"), "市发展和改革委员会");
        assert_eq!(a.canonical("市发展改革委"), "市发展和改革委员会");
        assert_eq!(a.canonical("市发展和改革委员会"), "市发展和改革委员会");
        assert_eq!(a.canonical("市住建局"), "市住房和城乡建设局");
        assert_eq!(a.canonical("市扶贫办"), "市扶贫办");
    }

    #[test]
    fn unit_names_lose_punctuation_etc_and_duty_phrases() {
        assert_eq!(split_list("市住建局。"), ["市住建局"]);
        assert_eq!(
            split_list("市住建局、市城管局等。"),
            ["市住建局", "市城管局"]
        );
        assert_eq!(split_list("市教育局等单位"), ["市教育局"]);
        assert_eq!(
            split_list("市财政局、市人社局按职责分工负责"),
            ["市财政局", "市人社局"]
        );
        assert_eq!(split_list("各县(市)区政府配合落实;"), ["各县(市)区政府"]);
        assert_eq!(split_list("市医保局参与"), ["市医保局"]);
        assert_eq!(split_list("由市发改委牵头"), ["市发改委"]);
        assert_eq!(split_list("。、 等"), Vec::<String>::new());
        // Names that only look like they end in a duty word keep it.
        assert_eq!(split_list("市重点工程建设管理处"), ["市重点工程建设管理处"]);
    }

    #[test]
    fn labels_inside_a_units_cell_say_which_units_lead() {
        let one = |s: &str| resolve(&RawUnits::SingleColumn(s.to_string()));
        assert_eq!(
            one("牵头单位:市发改委;配合单位:市财政局、市住建局"),
            (
                vec!["市发改委".to_string()],
                vec!["市财政局".to_string(), "市住建局".to_string()]
            )
        );
        assert_eq!(
            one("牵头:市人社局\n配合:市教育局、团市委"),
            (
                vec!["市人社局".to_string()],
                vec!["市教育局".to_string(), "团市委".to_string()]
            )
        );
        let cols = resolve(&RawUnits::Columns {
            lead: "市发改委".into(),
            co: "各区、县(市)政府".into(),
        });
        assert_eq!(cols.1, ["各区、县(市)政府"]);
        assert_eq!(
            split_list("市财政局、各辖市、区人民政府"),
            ["市财政局", "各辖市、区人民政府"]
        );
    }

    #[test]
    fn a_single_units_column_leads_with_the_unit_marked_lead() {
        let one = |s: &str| resolve(&RawUnits::SingleColumn(s.to_string()));
        assert_eq!(
            one("市财政局、市发改委(牵头)、市审计局"),
            (
                vec!["市发改委".to_string()],
                vec!["市财政局".to_string(), "市审计局".to_string()]
            )
        );
        assert_eq!(
            one("市民政局、市卫健委等"),
            (vec!["市民政局".to_string()], vec!["市卫健委".to_string()])
        );
    }

    #[test]
    fn split_list_keeps_parenthesised_separators_and_joins_broken_names() {
        assert_eq!(
            split_list("各县(市、区)政府、开发区管委会"),
            ["各县(市、区)政府", "开发区管委会"]
        );
        assert_eq!(
            split_list("各县市区政府、 开发区管委会"),
            ["各县市区政府", "开发区管委会"]
        );
        assert_eq!(
            split_list("市发展改革委 市商务局"),
            ["市发展改革委", "市商务局"]
        );
        assert_eq!(split_list("市发展 改革委"), ["市发展改革委"]);
        assert_eq!(split_list("各县市区 政府"), ["各县市区政府"]);
        assert_eq!(
            split_list("市财政局,市税务局;市统计局"),
            ["市财政局", "市税务局", "市统计局"]
        );
        assert!(split_list("  ").is_empty());
    }

    #[test]
    fn unit_shapes() {
        for yes in [
            "市住建局",
            "市扶贫九大工程成员单位",
            "各县(市)区政府",
            "无为市",
            "南陵县政府",
            "大数据中心",
            "开发区管委会",
            "皖江江北新兴产业集中区管委会",
            "芜宣机场公司",
            "市科协",
            "沿江各县(市)区政府",
            "经开区管委会",
            "市消防救援支队",
        ] {
            assert!(looks_like_unit(yes), "{yes}");
        }
        for no in [
            "完成率64%",
            "正在进行",
            "优化布局",
            "市场",
            "政府",
            "2020年",
            "推进会",
            "积极举办",
        ] {
            assert!(!looks_like_unit(no), "{no}");
        }
    }

    fn split(text: &str) -> (Vec<String>, Vec<String>) {
        let s = split_touching(text, Vocabulary::builtin()).expect(text);
        (s.lead, s.co)
    }

    #[test]
    fn lead_units_end_where_two_names_touch() {
        assert_eq!(
            split("市住建局、市水务局各县(市)区政府、开发区管委会"),
            (
                vec!["市住建局".into(), "市水务局".into()],
                vec!["各县(市)区政府".into(), "开发区管委会".into()]
            )
        );
        assert_eq!(
            split("市住建局、市交通运输局、市重点处市自然资源和规划局"),
            (
                vec!["市住建局".into(), "市交通运输局".into(), "市重点处".into()],
                vec!["市自然资源和规划局".into()]
            )
        );
        assert_eq!(
            split("市市场监管局市财政局,各县(市)区政府"),
            (
                vec!["市市场监管局".into()],
                vec!["市财政局".into(), "各县(市)区政府".into()]
            )
        );
        assert_eq!(
            split("市扶贫办、市扶贫九大工程成员单位无为市、南陵县政府"),
            (
                vec!["市扶贫办".into(), "市扶贫九大工程成员单位".into()],
                vec!["无为市".into(), "南陵县政府".into()]
            )
        );
        assert_eq!(
            split("市民政局繁昌县、芜湖县、南陵县政府"),
            (
                vec!["市民政局".into()],
                vec!["繁昌县".into(), "芜湖县".into(), "南陵县政府".into()]
            )
        );
        assert_eq!(
            split("市委政法委各县(市)区政府、开发区管委会"),
            (
                vec!["市委政法委".into()],
                vec!["各县(市)区政府".into(), "开发区管委会".into()]
            )
        );
        assert_eq!(
            split("市政府办各县(市)区政府").0,
            vec!["市政府办".to_string()]
        );
    }

    #[test]
    fn unit_text_ending_in_a_space_has_no_co_units() {
        let (lead, co) = split("市发改委、亳芜现代产业园区管委会\u{a0}");
        assert_eq!(lead, ["市发改委", "亳芜现代产业园区管委会"]);
        assert!(co.is_empty());
        let (lead, co) = split("\u{a0}\u{a0}市发改委、市科技局\u{a0}");
        assert_eq!(lead, ["市发改委", "市科技局"]);
        assert!(co.is_empty());
    }

    #[test]
    fn learned_names_split_names_grammar_cannot() {
        let text = "市经信局大数据中心";
        let builtin = Vocabulary::empty();
        // `大数据中心` does not start like a unit, so nothing vouches for a cut before it…
        assert!(split_touching(text, &builtin).is_none_or(|s| s.co.is_empty()));
        // …until the document has used it as a name of its own.
        let mut learned = Vocabulary::empty();
        learned.learn("大数据中心");
        let s = split_touching(text, &learned).expect("splits");
        assert_eq!(
            (s.lead, s.co),
            (vec!["市经信局".to_string()], vec!["大数据中心".to_string()])
        );
    }

    #[test]
    fn not_unit_text_is_refused() {
        assert!(split_touching("完成率64%", Vocabulary::builtin()).is_none());
        assert!(split_touching("正在推进", Vocabulary::builtin()).is_none());
    }

    #[test]
    fn the_shipped_unit_words_parse_and_say_what_a_unit_looks_like() {
        let w = UnitWords::builtin();
        assert!(w.ends_strong("开发区管委会"));
        assert!(w.ends_as_body("团市委") && !w.ends_strong("市住建局"));
        assert!(w.ends_weak("市重点处") && !w.ends_as_body("市重点处"));
        assert!(w.ends_not_unit("优化布局"));
        assert!(w.starts_with_prefix("各县(市)区政府"));
        assert!(w.is_level('县') && !w.is_level('镇'));
        assert!(w.is_listed_level('镇'));
        assert!(w.ends_as_zone("襄阳高新区") && !w.ends_as_zone("新区"));
    }

    #[test]
    fn broken_unit_words_are_an_error_not_a_panic() {
        let shipped = include_str!("../../data/units.toml");
        assert!(UnitWords::parse("not toml").is_err());
        assert!(UnitWords::parse("[suffixes]\nstrong = []\n").is_err());
        // A misspelt key is refused rather than silently ignored.
        let misspelt = shipped.replace("not_units =", "not_unit =");
        let e = UnitWords::parse(&misspelt).expect_err("unknown key");
        assert!(e.to_string().contains("not_unit"), "{e}");
        // A level is one character.
        let levels = shipped.replace(
            r#"levels = ["市", "县", "区"]"#,
            r#"levels = ["市县", "区"]"#,
        );
        assert!(UnitWords::parse(&levels).is_err());
        // An empty word would match every text.
        let empty = shipped.replace(r#"weak = ["处","#, r#"weak = ["", "处","#);
        let e = UnitWords::parse(&empty).expect_err("empty word");
        assert!(e.to_string().contains("suffixes.weak"), "{e}");
    }

    #[test]
    fn places_of_any_city_are_units_by_their_shape() {
        // No place name is listed anywhere: a short name and a level is a government.
        let s = split_touching("市民政局昌乐县、临朐县政府", &Vocabulary::empty()).expect("splits");
        assert_eq!(
            (s.lead, s.co),
            (
                vec!["市民政局".to_string()],
                vec!["昌乐县".to_string(), "临朐县政府".to_string()]
            )
        );
        let s = split_touching("市民政局繁昌县、芜湖县、南陵县政府", &Vocabulary::empty())
            .expect("splits");
        assert_eq!(s.co, ["繁昌县", "芜湖县", "南陵县政府"]);
        assert!(is_place_name("石景山区人民政府"));
        assert!(!is_place_name("各县政府"));
        assert!(!is_place_name("全市"));
    }

    #[test]
    fn certain_names() {
        assert!(certainly_one_name("市自然资源和规划局"));
        assert!(certainly_one_name("市扶贫办"));
        assert!(!certainly_one_name("市水务局各县(市)区政府"));
        assert!(!certainly_one_name("市发改委大数据中心"));
    }
}
