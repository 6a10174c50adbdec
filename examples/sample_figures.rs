//! Lists every completion figure the extractor finds in the built-in sample, by task, for
//! reviewing the rules: `cargo run --example sample_figures`.

use duban::figures;
use duban::import::{import_bytes, Aliases};
use duban::ledger::{SAMPLE_NAME, SAMPLE_REPORT};

fn main() {
    let report = match import_bytes(SAMPLE_REPORT, SAMPLE_NAME, &Aliases::builtin()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    for row in report.rows {
        let text = row.progress.join("\n");
        for f in figures::extract(&text) {
            println!(
                "#{:<3} {:<11} {:>7} {:<12} {}",
                row.number,
                format!("{:?}", f.kind),
                figures::fmt_pct(f.value_percent),
                f.label,
                f.summary()
            );
        }
    }
}
