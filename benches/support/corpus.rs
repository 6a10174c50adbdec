//! Tasks for search tests and benchmarks: the built-in sample as tasks (as an import into
//! an empty database would make them), and any number of realistic generated tasks
//! recombined from the sample's goals, progress sentences and units.

use super::synth::{Corpus, Rng};
use chrono::{TimeZone, Utc};
use duban::classify::DomainRules;
use duban::import::{import_bytes, Aliases, ImportError};
use duban::ledger::{SAMPLE_NAME, SAMPLE_REPORT};
use duban::model::{Domain, DomainDecision, Note, Period, Status, Task};

/// The sample's period name.
pub const SAMPLE_PERIOD: &str = "2020年上半年";

/// The built-in sample's rows as new tasks: status not started, domain by the shipped rules.
pub fn sample_tasks() -> Result<Vec<Task>, ImportError> {
    let report = import_bytes(SAMPLE_REPORT, SAMPLE_NAME, &Aliases::builtin())?;
    let rules = DomainRules::builtin();
    let period = report.period.name.clone();
    Ok(report
        .rows
        .iter()
        .map(|row| duban::ledger::new_task(&rules, row, &period))
        .collect())
}

/// Sentence pools from the sample via the importer.
pub fn sample_pools() -> Result<Corpus, ImportError> {
    import_bytes(SAMPLE_REPORT, SAMPLE_NAME, &Aliases::builtin())?;
    Ok(Corpus::from_sample())
}

const NOTES: &[&str] = &[
    "已约谈牵头单位，要求月底前报送整改方案",
    "请市生态环境局补充上半年监测数据",
    "进度滞后，列入下期通报",
    "牵头单位反映资金未到位，需协调市财政局",
    "已现场督查，项目开工",
    "与市发展改革委核对投资数据",
];

const PERIODS: &[&str] = &["2019年下半年", "2020年第一季度"];

/// Replaces each ASCII digit with another, so figures differ but keep their shape.
fn refigure(text: &str, rng: &mut Rng) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_digit() {
                char::from(b'0' + rng.below(10) as u8)
            } else {
                c
            }
        })
        .collect()
}

/// `n` tasks numbered 1..=n from the pools: a goal, 1–4 progress sentences and for a third
/// of them 1–3 more paragraphs (as `synth` writes rows), a fifth with an older period too,
/// units as the sample pairs them (canonical names through the alias file), every status
/// and domain, and a note on one task in twenty.
pub fn generate(pools: &Corpus, n: usize, seed: u64) -> Vec<Task> {
    let aliases = Aliases::builtin();
    let mut rng = Rng::new(seed);
    let at = Utc
        .with_ymd_and_hms(2020, 7, 1, 9, 0, 0)
        .single()
        .unwrap_or_default();
    let paragraphs = |rng: &mut Rng| -> Vec<String> {
        let mut first = String::new();
        for _ in 0..1 + rng.below(4) {
            first.push_str(&refigure(
                rng.pick::<String>(&pools.progress_sentences),
                rng,
            ));
        }
        let mut out = vec![first];
        if rng.below(3) == 0 {
            for _ in 0..1 + rng.below(3) {
                out.push(refigure(rng.pick::<String>(&pools.progress_sentences), rng));
            }
        }
        out
    };
    (1..=n as u32)
        .map(|number| {
            let goal = refigure(rng.pick::<String>(&pools.goals), &mut rng);
            let mut periods = Vec::new();
            if rng.below(5) == 0 {
                periods.push(Period {
                    name: PERIODS[rng.below(PERIODS.len())].to_string(),
                    paragraphs: paragraphs(&mut rng),
                });
            }
            periods.push(Period {
                name: SAMPLE_PERIOD.to_string(),
                paragraphs: paragraphs(&mut rng),
            });
            let lead_units = rng
                .pick(&pools.lead_units)
                .iter()
                .map(|u| aliases.unit(u))
                .collect();
            let co_units = rng
                .pick(&pools.co_units)
                .iter()
                .map(|u| aliases.unit(u))
                .collect();
            let notes = if rng.below(20) == 0 {
                vec![Note {
                    at,
                    user: "duban".to_string(),
                    text: rng.pick(NOTES).to_string(),
                }]
            } else {
                Vec::new()
            };
            Task {
                number,
                section: None,
                goal,
                goal_edited: false,
                lead_units,
                co_units,
                domain: Domain::ALL[rng.below(Domain::ALL.len())],
                domain_decision: DomainDecision {
                    rule: "synthetic".to_string(),
                    reason: "generated for benchmarks".to_string(),
                    manual: false,
                },
                status: Status::ALL[rng.below(Status::ALL.len())],
                notes,
                periods,
            }
        })
        .collect()
}
