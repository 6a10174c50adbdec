//! Matching a name (a unit's, as the report wrote it and as it is canonically) against the
//! words typed in the search, the way task search matches: part of the name (`住建局` in
//! `市住建局`), or pinyin — whole syllables or initials (`zhujian`, `zjj`). Every word must
//! match one of the names. For the units view's filter, which lists names, not tasks.

use super::pinyin::{Table, Word};

/// True when every word of `query` (whitespace-separated; `@` and `unit:` prefixes dropped)
/// matches one of `names`.
pub fn names_match<'a>(names: impl Iterator<Item = &'a str> + Clone, query: &str) -> bool {
    let table = Table::get();
    words(query).all(|w| {
        let lower = w.to_lowercase();
        let pinyin = Word::new(table, lower.as_bytes());
        names.clone().any(|name| {
            if name.to_lowercase().contains(&lower) {
                return true;
            }
            let Some(word) = pinyin.as_ref() else {
                return false;
            };
            let units: Vec<u16> = name.encode_utf16().collect();
            word.find_in_units(&units, 0, units.len()).is_some()
        })
    })
}

fn words(query: &str) -> impl Iterator<Item = &str> {
    query.split_whitespace().filter_map(|w| {
        let w = ["@", "＠", "unit:", "单位:", "单位："]
            .iter()
            .find_map(|p| w.strip_prefix(p))
            .unwrap_or(w);
        (!w.is_empty()).then_some(w)
    })
}

#[cfg(test)]
mod tests {
    use super::names_match;

    fn m(query: &str) -> bool {
        names_match(["市住房和城乡建设局", "市住建局"].into_iter(), query)
    }

    #[test]
    fn part_of_a_name_pinyin_and_initials_match() {
        assert!(m("住建局"));
        assert!(m("@住建"));
        assert!(m("城乡建设"));
        assert!(m("zhujian"));
        assert!(m("zjj"));
        assert!(m("ZhuJian"));
        assert!(m("市 住建"), "every word matches some name");
        assert!(!m("生态"));
        assert!(!m("shengtai"));
        assert!(!m("住建 生态"));
    }
}
