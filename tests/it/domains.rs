//! Domain rules on the sample: the grouping a reader finds natural, with every decision
//! naming its rule.

use duban::classify::DomainRules;
use duban::import::{import_bytes, Aliases};
use duban::ledger::SAMPLE_REPORT;
use duban::model::Domain;

fn expected() -> Vec<(u32, Vec<Domain>)> {
    include_str!("../fixtures/sample_domains.tsv")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (n, ds) = l.split_once('\t').expect("number<TAB>domains");
            (
                n.parse().expect("number"),
                ds.split(',').map(|d| d.parse().expect("domain")).collect(),
            )
        })
        .collect()
}

#[test]
fn sample_tasks_fall_into_the_domains_a_reader_expects() {
    let report =
        import_bytes(SAMPLE_REPORT, "sample", &Aliases::builtin()).expect("sample imports");
    let rules = DomainRules::builtin();
    let truth = expected();
    assert_eq!(truth.len(), 116);
    let mut misses = Vec::new();
    let mut first_choice = 0;
    for (number, acceptable) in &truth {
        let row = report
            .rows
            .iter()
            .find(|r| r.number == *number)
            .expect("row imported");
        let (domain, decision) = rules.classify(&row.goal, &row.progress, &row.lead_units);
        assert!(!decision.rule.is_empty() && !decision.reason.is_empty());
        if domain == acceptable[0] {
            first_choice += 1;
        }
        if !acceptable.contains(&domain) {
            misses.push(format!(
                "{number} → {domain} by {} ({}): {}",
                decision.rule, decision.reason, row.goal
            ));
        }
    }
    eprintln!(
        "{} of 116 in the most natural domain; misses:\n{}",
        first_choice,
        misses.join("\n")
    );
    assert!(
        first_choice >= 105,
        "only {first_choice} of 116 in their most natural domain"
    );
    assert!(
        misses.len() <= 3,
        "{} tasks in an unnatural domain:\n{}",
        misses.len(),
        misses.join("\n")
    );
    for d in Domain::ALL {
        let n = report
            .rows
            .iter()
            .filter(|r| rules.classify(&r.goal, &r.progress, &r.lead_units).0 == d)
            .count();
        assert!(n >= 15, "{d} has only {n} tasks");
    }
}

#[test]
fn a_task_no_rule_speaks_for_goes_to_the_fallback_and_says_so() {
    let rules = DomainRules::builtin();
    let (d, decision) = rules.classify("完成上级交办的其他事项。", &[], &[]);
    assert_eq!(d, rules.fallback);
    assert_eq!(decision.rule, "fallback");
}

#[test]
fn broken_rules_are_reported_not_panicked() {
    let err = DomainRules::parse("progress_factor = \"x\"").unwrap_err();
    assert!(err.to_string().contains("domain rules are not valid"));
}
