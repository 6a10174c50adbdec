//! Synthetic reports for benchmarks and scale tests: any number of rows in the sample's
//! layout, recombined from the sample's own goals, progress sentences and units, with fresh
//! figures, so lengths and vocabulary stay realistic.

use duban::import::{import_bytes, Aliases};
use duban::ledger::{SAMPLE_NAME, SAMPLE_REPORT};

/// Sentence pools taken from the built-in sample.
pub struct Corpus {
    pub goals: Vec<String>,
    pub progress_sentences: Vec<String>,
    pub lead_units: Vec<Vec<String>>,
    pub co_units: Vec<Vec<String>>,
}

/// A small deterministic generator (xorshift64*), so every run builds the same report.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

impl Corpus {
    /// Pools from the built-in sample report.
    pub fn from_sample() -> Corpus {
        let report = import_bytes(SAMPLE_REPORT, SAMPLE_NAME, &Aliases::builtin())
            .expect("the built-in sample imports (tested)");
        let mut c = Corpus {
            goals: Vec::new(),
            progress_sentences: Vec::new(),
            lead_units: Vec::new(),
            co_units: Vec::new(),
        };
        for row in &report.rows {
            c.goals.push(row.goal.clone());
            for p in &row.progress {
                c.progress_sentences.extend(
                    p.split_inclusive('。')
                        .filter(|s| s.chars().count() > 4)
                        .map(str::to_string),
                );
            }
            c.lead_units
                .push(row.lead_units.iter().map(|u| u.written.clone()).collect());
            c.co_units
                .push(row.co_units.iter().map(|u| u.written.clone()).collect());
        }
        c
    }

    /// Replaces each run of ASCII digits with another number of the same length, so the
    /// text keeps its shape but is not a copy.
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

    /// One task row's lines in the sample's layout (`N.\u{a0}goal progress lead co`).
    pub fn row_lines(&self, number: usize, rng: &mut Rng) -> Vec<String> {
        let goal = rng.pick(self.goals.as_slice()).clone();
        let goal = Self::refigure(&goal, rng);
        let mut first = format!("{number}.\u{a0}{goal}");
        let sentences = 1 + rng.below(4);
        for _ in 0..sentences {
            let s = rng.pick(self.progress_sentences.as_slice()).clone();
            first.push_str(&Self::refigure(&s, rng));
        }
        let mut lines = vec![first];
        // A third of the rows carry more paragraphs, some as numbered sub-items.
        if rng.below(3) == 0 {
            for k in 0..1 + rng.below(3) {
                let mut l = if rng.below(2) == 0 {
                    format!("{}.", k + 2)
                } else {
                    String::new()
                };
                let s = rng.pick(self.progress_sentences.as_slice()).clone();
                l.push_str(&Self::refigure(&s, rng));
                lines.push(l);
            }
        }
        let lead = rng.pick(self.lead_units.as_slice()).join("、");
        let co = rng.pick(self.co_units.as_slice()).join("、");
        if let Some(first) = lines.first_mut() {
            first.push_str(&lead);
            if co.is_empty() {
                first.push(' ');
            } else {
                first.push_str(&co);
            }
        }
        lines
    }

    /// A whole report of `rows` rows in the sample's layout, with title and header.
    pub fn concatenated_report(&self, rows: usize, seed: u64) -> String {
        let mut rng = Rng::new(seed);
        let mut out = String::with_capacity(rows * 600);
        out.push_str("2021年上半年市政府重点工作进展情况督查通报\n\n");
        out.push_str("2021年度市政府重点工作任务进展情况反馈表\n\n");
        out.push_str("序号目标与任务工作进展牵头责任单位责任单位\n");
        for n in 1..=rows {
            for l in self.row_lines(n, &mut rng) {
                out.push_str(&l);
                out.push('\n');
            }
        }
        out
    }
}
