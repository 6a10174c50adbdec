//! Nearest unit names for a query that found nothing: names containing a word, matching it
//! by pinyin or fuzzily, then names sharing the most characters with it.

use super::pinyin::Table;
use super::query::Query;
use fuzzy_matcher::skim::SkimMatcherV2;
use fuzzy_matcher::FuzzyMatcher;
use std::collections::BTreeMap;

/// How close `name` is to `word` (0: not at all).
fn closeness(table: &Table, skim: &SkimMatcherV2, name: &str, word: &str) -> i64 {
    let lower = name.to_ascii_lowercase();
    if lower.contains(word) {
        return 100_000 - name.chars().count() as i64;
    }
    let bytes = word.as_bytes();
    let latin = bytes.iter().all(u8::is_ascii_alphanumeric);
    if latin && !bytes.is_empty() && bytes.len() < 64 {
        let ids: Vec<u16> = lower.chars().map(|c| table.id(c)).collect();
        if table.find(&ids, bytes).is_some() {
            return 90_000 - name.chars().count() as i64;
        }
        // Scattered pinyin is fine here: a few hundred short names, not the whole corpus.
        let mut full = String::new();
        let mut initials = String::new();
        for c in lower.chars() {
            match table.first_reading(c) {
                Some(r) => {
                    full.push_str(&String::from_utf8_lossy(r));
                    initials.push(char::from(r[0]));
                }
                None => {
                    full.push(c);
                    initials.push(c);
                }
            }
        }
        let best = [&full, &initials]
            .iter()
            .filter_map(|s| skim.fuzzy_match(s, word))
            .max();
        if let Some(s) = best {
            return 50_000 + s;
        }
    }
    if let Some(s) = skim.fuzzy_match(&lower, word) {
        return 50_000 + s;
    }
    let mut shared: Vec<char> = word.chars().filter(|c| lower.contains(*c)).collect();
    shared.sort_unstable();
    shared.dedup();
    let shared = shared.len() as i64;
    if shared == 0 {
        return 0;
    }
    // Half the word's characters or more, or at least two, count as near.
    let total = word.chars().count() as i64;
    if shared * 2 < total && shared < 2 {
        return 0;
    }
    shared * 1_000 - (name.chars().count() as i64 - total).abs()
}

pub fn suggest(
    units: &BTreeMap<String, u32>,
    query: &str,
    n: usize,
    skim: &SkimMatcherV2,
) -> Vec<String> {
    let table = Table::get();
    let parsed = Query::parse(query);
    let words: Vec<&str> = parsed.text_words().map(|(w, _)| w).collect();
    if words.is_empty() || n == 0 {
        return Vec::new();
    }
    let mut scored: Vec<(i64, u32, &str)> = units
        .iter()
        .filter_map(|(name, &count)| {
            let s: i64 = words.iter().map(|w| closeness(table, skim, name, w)).sum();
            (s > 0).then_some((s, count, name.as_str()))
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(b.2)));
    scored
        .into_iter()
        .take(n)
        .map(|(_, _, name)| name.to_string())
        .collect()
}
