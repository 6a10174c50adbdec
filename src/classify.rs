//! Which domain a task belongs to, by transparent weighted rules from `data/domains.toml`:
//! keywords in the goal (and, weaker, in the progress) and lead units. Every decision names
//! the rule that decided it and the evidence, so a reader can check it.

use crate::model::{Domain, DomainDecision, Unit};
use serde::Deserialize;

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

    /// Scores every rule against the task and picks the domain with the most points; the
    /// decision names the rule that contributed most to that domain.
    pub fn classify(
        &self,
        goal: &str,
        progress: &[String],
        lead_units: &[Unit],
    ) -> (Domain, DomainDecision) {
        let mut totals = [0.0f64; 4];
        let mut best: [Option<(f64, &Rule, Vec<String>)>; 4] = [None, None, None, None];
        for rule in &self.rules {
            let mut score = 0.0;
            let mut evidence = Vec::new();
            for kw in &rule.keywords {
                let in_goal = goal.matches(kw.as_str()).count();
                if in_goal > 0 {
                    score += rule.weight * in_goal as f64;
                    evidence.push(format!("目标含“{kw}”"));
                }
                let in_progress: usize = progress
                    .iter()
                    .map(|p| p.matches(kw.as_str()).count())
                    .sum();
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
