//! What a person typed, parsed: words combined with AND, each optionally narrowed by a
//! prefix (`@unit`, `unit:`, `#52`, `status:`, `domain:`, `goal:`, `note:`, `progress:`).
//! Parsing never fails: an unknown status or a bad number becomes a term that matches
//! nothing, with a warning a face can show.

use crate::model::{Domain, Status};
use serde::Serialize;

/// The query syntax in a few lines, for a help screen or `duban search --help`.
pub const HELP: &str = "\
Words (separated by spaces) must all match. A word matches the task number, goal, units,
notes and every period's progress: as written, in pinyin (heichou, hcst, shengtaihj; lv or
lu for ü), or with its characters a few apart (ranked last).
  @生态 / unit:生态    units only (lead or co, written or canonical name)
  #52                  task 52
  status:behind        also 滞后, 严重滞后, done,on_track (any of, comma separated)
  domain:reform        also 改革, ecology/生态, livelihood/民生, innovation/创新
  goal:… note:… progress:…   only that field
  滞后 严重滞后 生态 … 单独的状态、领域名即筛选(滞后含严重滞后)
  \"滞后\"               加引号则只作文字搜索";

/// Which fields a word may match, as bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Fields(u8);

impl Fields {
    pub const NUMBER: Fields = Fields(1);
    pub const GOAL: Fields = Fields(2);
    pub const UNIT: Fields = Fields(4);
    pub const NOTE: Fields = Fields(8);
    pub const PROGRESS: Fields = Fields(16);
    pub const ALL: Fields = Fields(31);

    pub fn contains(self, other: Fields) -> bool {
        self.0 & other.0 == other.0
    }
}

/// One AND-ed part of a query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Term {
    /// A word matched against text fields (substring, pinyin, fuzzy). `text` is lowercased
    /// (ASCII). `contiguous` forbids scattered fuzzy hits (unit filters are exact-ish).
    Text {
        text: String,
        fields: Fields,
        contiguous: bool,
    },
    /// `#52`: exactly this task number; `None` when what followed `#` was no number.
    Number { number: Option<u32> },
    /// `status:behind`, `status:滞后`, `status:behind,seriously_behind` (any of).
    Status { any_of: Vec<Status> },
    /// `domain:reform`, `domain:改革` (any of, comma separated).
    Domain { any_of: Vec<Domain> },
}

/// A parsed query.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Query {
    /// The text as typed.
    pub text: String,
    pub terms: Vec<Term>,
    /// Problems a person should see (`unknown status 'xyz'`); the query still runs.
    pub warnings: Vec<String>,
}

const PREFIXES: &[(&str, Prefix)] = &[
    ("unit:", Prefix::Unit),
    ("单位:", Prefix::Unit),
    ("status:", Prefix::Status),
    ("状态:", Prefix::Status),
    ("domain:", Prefix::Domain),
    ("领域:", Prefix::Domain),
    ("goal:", Prefix::Goal),
    ("目标:", Prefix::Goal),
    ("note:", Prefix::Note),
    ("备注:", Prefix::Note),
    ("progress:", Prefix::Progress),
    ("进展:", Prefix::Progress),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Prefix {
    Unit,
    Status,
    Domain,
    Goal,
    Note,
    Progress,
}

impl Query {
    /// Parses a query. Words are separated by spaces (ASCII or the full-width `　`).
    pub fn parse(text: &str) -> Query {
        let mut q = Query {
            text: text.to_string(),
            ..Query::default()
        };
        for word in text.split(|c: char| c.is_whitespace()) {
            if word.is_empty() {
                continue;
            }
            // Full-width forms typed with a Chinese input method.
            let word = word
                .replace('：', ":")
                .replace('＠', "@")
                .replace('＃', "#");
            q.push_word(&word);
        }
        q
    }

    fn push_word(&mut self, word: &str) {
        if let Some(rest) = word.strip_prefix('@') {
            self.push_text(rest, Fields::UNIT, true);
            return;
        }
        if let Some(rest) = word.strip_prefix('#') {
            if rest.is_empty() {
                return;
            }
            let number = rest.parse::<u32>().ok();
            if number.is_none() {
                self.warnings.push(format!(
                    "'#{rest}' is not a task number; write # and digits, e.g. #52"
                ));
            }
            self.terms.push(Term::Number { number });
            return;
        }
        let lower = word.to_ascii_lowercase();
        for (prefix, kind) in PREFIXES {
            if let Some(rest) = lower.strip_prefix(prefix) {
                let rest = &word[word.len() - rest.len()..];
                match kind {
                    Prefix::Unit => self.push_text(rest, Fields::UNIT, true),
                    Prefix::Goal => self.push_text(rest, Fields::GOAL, false),
                    Prefix::Note => self.push_text(rest, Fields::NOTE, false),
                    Prefix::Progress => self.push_text(rest, Fields::PROGRESS, false),
                    Prefix::Status => self.push_status(rest),
                    Prefix::Domain => self.push_domain(rest),
                }
                return;
            }
        }
        if let Some(inner) = quoted(word) {
            self.push_text(inner, Fields::ALL, false);
            return;
        }
        if let Some(term) = bare_filter(word) {
            self.terms.push(term);
            return;
        }
        self.push_text(word, Fields::ALL, false);
    }

    fn push_text(&mut self, text: &str, fields: Fields, contiguous: bool) {
        if text.is_empty() {
            return;
        }
        self.terms.push(Term::Text {
            text: text.to_ascii_lowercase(),
            fields,
            contiguous,
        });
    }

    fn push_status(&mut self, value: &str) {
        if value.is_empty() {
            return;
        }
        let mut any_of = Vec::new();
        for part in value.split([',', '，']).filter(|p| !p.is_empty()) {
            let found = parse_status(part);
            if found.is_empty() {
                self.warnings.push(format!(
                    "unknown status '{part}': use not_started, on_track, behind, seriously_behind, done (or 未启动, 正常推进, 进度滞后, 严重滞后, 已完成)"
                ));
            }
            for s in found {
                if !any_of.contains(&s) {
                    any_of.push(s);
                }
            }
        }
        self.terms.push(Term::Status { any_of });
    }

    fn push_domain(&mut self, value: &str) {
        if value.is_empty() {
            return;
        }
        let mut any_of = Vec::new();
        for part in value.split([',', '，']).filter(|p| !p.is_empty()) {
            let found: Vec<Domain> = match part.parse::<Domain>() {
                Ok(d) => vec![d],
                Err(_) => {
                    let lower = part.to_ascii_lowercase();
                    Domain::ALL
                        .into_iter()
                        .filter(|d| d.id().starts_with(&lower) || d.label().starts_with(part))
                        .collect()
                }
            };
            if found.is_empty() {
                self.warnings.push(format!(
                    "unknown domain '{part}': use ecology, livelihood, innovation, reform (or 生态, 民生, 创新, 改革)"
                ));
            }
            for d in found {
                if !any_of.contains(&d) {
                    any_of.push(d);
                }
            }
        }
        self.terms.push(Term::Domain { any_of });
    }

    /// True when there is nothing to match: every task is a result.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// True when every task this query matches is also matched by `previous`, so the search
    /// may start from `previous`'s results: each of `previous`'s terms is still there,
    /// possibly with more text typed after it, and new terms were only added.
    pub fn refines(&self, previous: &Query) -> bool {
        if self.terms.len() < previous.terms.len() {
            return false;
        }
        previous
            .terms
            .iter()
            .zip(&self.terms)
            .all(|(old, new)| new.narrows(old))
    }

    /// The words that look for text (not numbers or filters), for suggestions.
    pub fn text_words(&self) -> impl Iterator<Item = (&str, Fields)> {
        self.terms.iter().filter_map(|t| match t {
            Term::Text { text, fields, .. } => Some((text.as_str(), *fields)),
            _ => None,
        })
    }
}

impl Term {
    /// True when every task matching `self` matches `old`. Text matching (substring,
    /// subsequence, syllable prefixes) only loses matches as the word grows at its end.
    fn narrows(&self, old: &Term) -> bool {
        match (self, old) {
            (
                Term::Text {
                    text,
                    fields,
                    contiguous,
                },
                Term::Text {
                    text: old_text,
                    fields: old_fields,
                    contiguous: old_contiguous,
                },
            ) => {
                fields == old_fields
                    && (contiguous == old_contiguous || *contiguous)
                    && text.starts_with(old_text.as_str())
            }
            (Term::Number { number }, Term::Number { number: old }) => number == old,
            (Term::Status { any_of }, Term::Status { any_of: old }) => {
                any_of.iter().all(|s| old.contains(s))
            }
            (Term::Domain { any_of }, Term::Domain { any_of: old }) => {
                any_of.iter().all(|d| old.contains(d))
            }
            _ => false,
        }
    }
}

/// The word a clerk uses for every task that lags, whatever how much: 进度滞后 and 严重滞后.
pub const LAGGING_WORD: &str = "滞后";

/// The statuses a group word stands for (`滞后`: 进度滞后 and 严重滞后).
fn status_group(word: &str) -> Option<Vec<Status>> {
    (word == LAGGING_WORD).then(|| vec![Status::Behind, Status::SeriouslyBehind])
}

/// A word typed alone that is a whole status or domain name — the Chinese label
/// (`严重滞后`, `生态`), the group word `滞后`, or the id (`behind`, `reform`) — is that
/// filter. Nothing shorter or longer is (`完成`, `推进`, `生态环境` stay words to search).
fn bare_filter(word: &str) -> Option<Term> {
    if let Some(any_of) = status_group(word) {
        return Some(Term::Status { any_of });
    }
    let id = word.to_ascii_lowercase().replace('-', "_");
    if let Some(s) = Status::ALL
        .into_iter()
        .find(|s| s.label() == word || s.id() == id)
    {
        return Some(Term::Status { any_of: vec![s] });
    }
    Domain::ALL
        .into_iter()
        .find(|d| d.label() == word || d.id() == id)
        .map(|d| Term::Domain { any_of: vec![d] })
}

/// The text inside quotes (`"滞后"`, `“生态”`): a word to search for, never a filter.
fn quoted(word: &str) -> Option<&str> {
    [('"', '"'), ('“', '”'), ('「', '」')]
        .into_iter()
        .find_map(|(open, close)| {
            word.strip_prefix(open)
                .and_then(|w| w.strip_suffix(close))
                .filter(|w| !w.is_empty())
        })
}

/// Statuses a word names: the group word `滞后` (both lagging statuses), the id, label or
/// alias (`FromStr`), else every status whose id or label starts with it, so `status:beh`
/// works while typing.
fn parse_status(part: &str) -> Vec<Status> {
    if let Some(group) = status_group(part) {
        return group;
    }
    if let Ok(s) = part.parse::<Status>() {
        return vec![s];
    }
    let lower = part.to_ascii_lowercase().replace('-', "_");
    Status::ALL
        .into_iter()
        .filter(|s| s.id().starts_with(&lower) || s.label().starts_with(part))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(t: &str, fields: Fields, contiguous: bool) -> Term {
        Term::Text {
            text: t.to_string(),
            fields,
            contiguous,
        }
    }

    #[test]
    fn prefixes_narrow_to_a_field() {
        let q = Query::parse("@生态 unit:水务  #52 黑臭 GOAL:5G");
        assert_eq!(
            q.terms,
            vec![
                text("生态", Fields::UNIT, true),
                text("水务", Fields::UNIT, true),
                Term::Number { number: Some(52) },
                text("黑臭", Fields::ALL, false),
                text("5g", Fields::GOAL, false),
            ]
        );
        assert!(q.warnings.is_empty());
    }

    #[test]
    fn status_and_domain_take_ids_labels_and_prefixes() {
        let q =
            Query::parse("status:滞后 status:behind,严重滞后 domain:改革 domain:eco status:beh");
        assert_eq!(
            q.terms,
            vec![
                Term::Status {
                    any_of: vec![Status::Behind, Status::SeriouslyBehind]
                },
                Term::Status {
                    any_of: vec![Status::Behind, Status::SeriouslyBehind]
                },
                Term::Domain {
                    any_of: vec![Domain::Reform]
                },
                Term::Domain {
                    any_of: vec![Domain::Ecology]
                },
                Term::Status {
                    any_of: vec![Status::Behind]
                },
            ]
        );
    }

    #[test]
    fn full_width_prefixes_and_spaces_work() {
        let q = Query::parse("状态：滞后　＠生态");
        assert_eq!(
            q.terms,
            vec![
                Term::Status {
                    any_of: vec![Status::Behind, Status::SeriouslyBehind]
                },
                text("生态", Fields::UNIT, true)
            ]
        );
    }

    const LAGGING: [Status; 2] = [Status::Behind, Status::SeriouslyBehind];

    #[test]
    fn a_status_or_domain_name_typed_alone_filters() {
        let status = |q: &str| Query::parse(q).terms;
        assert_eq!(
            status("滞后"),
            vec![Term::Status {
                any_of: LAGGING.to_vec()
            }]
        );
        for s in Status::ALL {
            let want = vec![Term::Status { any_of: vec![s] }];
            assert_eq!(status(s.label()), want, "{}", s.label());
            assert_eq!(status(s.id()), want, "{}", s.id());
            assert_eq!(status(&s.id().to_uppercase()), want, "{}", s.id());
        }
        assert_eq!(
            status("seriously-behind"),
            vec![Term::Status {
                any_of: vec![Status::SeriouslyBehind]
            }]
        );
        for d in Domain::ALL {
            let want = vec![Term::Domain { any_of: vec![d] }];
            assert_eq!(status(d.label()), want, "{}", d.label());
            assert_eq!(status(d.id()), want, "{}", d.id());
        }
        assert!(Query::parse("严重滞后 生态").warnings.is_empty());
    }

    #[test]
    fn a_name_filters_beside_words_and_other_filters() {
        let q = Query::parse("滞后 黑臭 民生 @住建");
        assert_eq!(
            q.terms,
            vec![
                Term::Status {
                    any_of: LAGGING.to_vec()
                },
                text("黑臭", Fields::ALL, false),
                Term::Domain {
                    any_of: vec![Domain::Livelihood]
                },
                text("住建", Fields::UNIT, true),
            ]
        );
    }

    #[test]
    fn parts_of_names_and_quoted_names_stay_words() {
        for w in [
            "完成",
            "推进",
            "正常",
            "严重",
            "生态环境",
            "滞后于",
            "改",
            "beh",
            "ecolog",
        ] {
            assert_eq!(
                Query::parse(w).terms,
                vec![text(&w.to_ascii_lowercase(), Fields::ALL, false)],
                "{w}"
            );
        }
        for w in ["\"滞后\"", "“生态”", "「已完成」"] {
            let inner: String = w.chars().skip(1).take(w.chars().count() - 2).collect();
            assert_eq!(
                Query::parse(w).terms,
                vec![text(&inner, Fields::ALL, false)],
                "{w}"
            );
        }
        // A lone quote mark is a word like any other, not an empty quotation.
        assert_eq!(
            Query::parse("\"\"").terms,
            vec![text("\"\"", Fields::ALL, false)]
        );
    }

    #[test]
    fn a_word_growing_into_a_name_starts_the_search_afresh() {
        let p = |s| Query::parse(s);
        assert!(!p("滞后").refines(&p("滞")));
        assert!(!p("滞后率").refines(&p("滞后")));
        assert!(p("滞后 黑臭").refines(&p("滞后")));
        assert!(p("严重滞后").refines(&p("status:滞后")));
    }

    #[test]
    fn bad_values_warn_and_match_nothing() {
        let q = Query::parse("status:late #5x domain:culture");
        assert_eq!(q.warnings.len(), 3);
        assert_eq!(q.terms[0], Term::Status { any_of: vec![] });
        assert_eq!(q.terms[1], Term::Number { number: None });
    }

    #[test]
    fn a_lone_prefix_is_no_term_yet() {
        assert!(Query::parse("@ # status: ").is_empty());
    }

    #[test]
    fn refines_when_the_last_word_grows_or_words_are_added() {
        let p = |s| Query::parse(s);
        assert!(p("hei").refines(&p("he")));
        assert!(p("黑臭 水").refines(&p("黑臭")));
        assert!(p("@生态环境").refines(&p("@生态")));
        assert!(!p("#52").refines(&p("#5")));
        assert!(!p("he").refines(&p("hei")));
        assert!(!p("ei").refines(&p("e h")));
        assert!(!p("@生态").refines(&p("生态")));
        assert!(p("status:behind").refines(&p("status:beh")));
        assert!(p("x").refines(&p("")));
    }
}
