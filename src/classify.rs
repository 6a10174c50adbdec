//! Which domain a task belongs to, by transparent weighted rules from `data/domains.toml`:
//! keywords in the goal (and, weaker, in the progress) and lead units. Every decision names
//! the rule that decided it and the evidence, so a reader can check it.

use crate::model::{Domain, DomainDecision, Unit};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Debug, Clone, Deserialize)]
pub struct Rule {
    pub name: String,
    pub domain: Domain,
    /// Points for each keyword found in the goal.
    #[serde(default = "one")]
    pub weight: f64,
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Lead units (canonical or written names) that point to this domain.
    #[serde(default)]
    pub lead_units: Vec<String>,
    /// Points for a matching lead unit.
    #[serde(default = "one")]
    pub unit_weight: f64,
}

fn one() -> f64 {
    1.0
}

#[derive(Debug, Clone, Deserialize)]
pub struct DomainRules {
    /// Share of a keyword's weight that a hit in the progress text earns (progress talks
    /// about many things; the goal says what the task is).
    pub progress_factor: f64,
    /// The domain of a task that no rule speaks for.
    pub fallback: Domain,
    #[serde(rename = "rule")]
    pub rules: Vec<Rule>,
    /// Every rule's keywords, found in one pass over a text. Built on first use from `rules`
    /// (which are not changed after that).
    #[serde(skip)]
    keywords: OnceLock<KeywordIndex>,
}

/// Finds every rule keyword in one pass over a text. Searching each of the ~160 keywords
/// separately (`str::matches`) scanned every paragraph ~160 times and was most of the time
/// a 100,000-row import took.
#[derive(Debug, Clone, Default)]
struct KeywordIndex {
    /// Every keyword of every rule, rule by rule in file order; a keyword's id is its place.
    keywords: Vec<String>,
    /// Ids of the keywords that start with a char.
    by_first: HashMap<char, Vec<usize>>,
    /// Bit `c` set when some keyword starts with char `c` (for chars below U+10000): most
    /// chars start none, and a bit test is far cheaper than a map lookup.
    first_bits: Vec<u64>,
    /// Empty keywords (a rules file mistake): counted the way `str::matches` counts them.
    empty: Vec<usize>,
}

const BMP: usize = 0x1_0000;

impl KeywordIndex {
    fn new(rules: &[Rule]) -> KeywordIndex {
        let mut index = KeywordIndex {
            first_bits: vec![0; BMP / 64],
            ..KeywordIndex::default()
        };
        for kw in rules.iter().flat_map(|r| &r.keywords) {
            let id = index.keywords.len();
            index.keywords.push(kw.clone());
            let Some(first) = kw.chars().next() else {
                index.empty.push(id);
                continue;
            };
            index.by_first.entry(first).or_default().push(id);
            if (first as usize) < BMP {
                index.first_bits[first as usize / 64] |= 1 << (first as usize % 64);
            }
        }
        index
    }

    fn may_start(&self, c: char) -> bool {
        let c = c as usize;
        c >= BMP || self.first_bits[c / 64] & (1 << (c % 64)) != 0
    }

    /// Adds to `counts[id]` how often keyword `id` occurs in `text`, counted as
    /// `text.matches(keyword).count()` counts: from the left, a match never overlapping the
    /// previous match of the same keyword.
    fn count(&self, text: &str, counts: &mut [usize], free_from: &mut [usize]) {
        free_from.fill(0);
        for (at, c) in text.char_indices() {
            if !self.may_start(c) {
                continue;
            }
            let Some(ids) = self.by_first.get(&c) else {
                continue;
            };
            for &id in ids {
                let kw = &self.keywords[id];
                if at >= free_from[id] && text[at..].starts_with(kw.as_str()) {
                    counts[id] += 1;
                    free_from[id] = at + kw.len();
                }
            }
        }
        for &id in &self.empty {
            counts[id] += text.matches("").count();
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("domain rules are not valid: {0}")]
pub struct RulesError(String);

impl DomainRules {
    pub fn builtin() -> DomainRules {
        DomainRules::parse(include_str!("../data/domains.toml"))
            .expect("the shipped data/domains.toml parses (tested)")
    }

    pub fn parse(text: &str) -> Result<DomainRules, RulesError> {
        toml::from_str(text).map_err(|e| RulesError(e.to_string()))
    }

    fn keyword_index(&self) -> &KeywordIndex {
        self.keywords.get_or_init(|| KeywordIndex::new(&self.rules))
    }

    /// Scores every rule against the task and picks the domain with the most points; the
    /// decision names the rule that contributed most to that domain.
    pub fn classify(
        &self,
        goal: &str,
        progress: &[String],
        lead_units: &[Unit],
    ) -> (Domain, DomainDecision) {
        let index = self.keyword_index();
        let n = index.keywords.len();
        let mut free_from = vec![0; n];
        let mut in_goal = vec![0; n];
        index.count(goal, &mut in_goal, &mut free_from);
        // Summed over the paragraphs, each counted on its own (a keyword never spans two).
        let mut in_progress = vec![0; n];
        for p in progress {
            index.count(p, &mut in_progress, &mut free_from);
        }
        let mut ids = 0..n;
        let mut totals = [0.0f64; 4];
        let mut best: [Option<(f64, &Rule, Vec<String>)>; 4] = [None, None, None, None];
        for rule in &self.rules {
            let mut score = 0.0;
            let mut evidence = Vec::new();
            for (kw, id) in rule.keywords.iter().zip(&mut ids) {
                let (in_goal, in_progress) = (in_goal[id], in_progress[id]);
                if in_goal > 0 {
                    score += rule.weight * in_goal as f64;
                    evidence.push(format!("目标含“{kw}”"));
                }
                if in_progress > 0 {
                    score += rule.weight * self.progress_factor * in_progress.min(3) as f64;
                }
            }
            for u in lead_units {
                if rule
                    .lead_units
                    .iter()
                    .any(|r| *r == u.canonical || *r == u.written)
                {
                    score += rule.unit_weight;
                    evidence.push(format!("牵头单位{}", u.written));
                }
            }
            if score <= 0.0 {
                continue;
            }
            let d = rule.domain as usize;
            totals[d] += score;
            if best[d].as_ref().is_none_or(|(s, _, _)| score > *s) {
                best[d] = Some((score, rule, evidence));
            }
        }
        let winner = (0..4)
            .filter(|&d| totals[d] > 0.0)
            .max_by(|&a, &b| totals[a].total_cmp(&totals[b]).then(b.cmp(&a)));
        match winner.and_then(|d| best[d].take().map(|b| (d, b))) {
            Some((d, (_, rule, evidence))) => {
                let domain = Domain::ALL[d];
                let mut reason = format!("{:.1} 分", totals[d]);
                if !evidence.is_empty() {
                    reason = format!("{reason}: {}", evidence.join(", "));
                }
                (
                    domain,
                    DomainDecision {
                        rule: rule.name.clone(),
                        reason,
                        manual: false,
                    },
                )
            }
            None => (
                self.fallback,
                DomainDecision {
                    rule: "fallback".into(),
                    reason: "no rule matched".into(),
                    manual: false,
                },
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(keywords: &[&str]) -> DomainRules {
        let list: Vec<String> = keywords.iter().map(|k| format!("{k:?}")).collect();
        DomainRules::parse(&format!(
            "progress_factor = 0.5\nfallback = \"ecology\"\n[[rule]]\nname = \"r\"\ndomain = \"reform\"\nkeywords = [{}]\n",
            list.join(", ")
        ))
        .expect("rules parse")
    }

    /// The one-pass count agrees with `str::matches` where keywords overlap each other and
    /// themselves, and where they touch the ends of the text.
    #[test]
    fn one_pass_counts_are_the_counts_of_str_matches() {
        let keywords = ["aa", "aaa", "ab", "b", "改革", "改革开放", "放", "", "𠀀𠀀"];
        let r = rules(&keywords);
        let index = r.keyword_index();
        for text in [
            "aaaaab",
            "abababaa",
            "深化改革开放,改革改革开放放",
            "",
            "𠀀𠀀𠀀𠀀𠀀a",
            "b",
        ] {
            let mut counts = vec![0; keywords.len()];
            let mut free_from = vec![0; keywords.len()];
            index.count(text, &mut counts, &mut free_from);
            let naive: Vec<usize> = keywords.iter().map(|k| text.matches(k).count()).collect();
            assert_eq!(counts, naive, "in {text:?}");
        }
    }

    /// A goal repeating a keyword scores once per occurrence; progress counts at most three.
    #[test]
    fn scores_count_every_occurrence_in_the_goal_and_at_most_three_in_the_progress() {
        let r = rules(&["改革"]);
        let progress = vec!["改革改革".to_string(), "改革改革".to_string()];
        let (domain, decision) = r.classify("改革,再改革", &progress, &[]);
        assert_eq!(domain, Domain::Reform);
        assert_eq!(decision.reason, "3.5 分: 目标含“改革”");
    }
}
