//! Suggested statuses measured on the built-in sample (2020年上半年) and after the Q3 fixture
//! (2020年第三季度): how many tasks get a suggestion, and a careful reader's table of the ones
//! a reader agrees with.

use duban::ledger::Ledger;
use duban::model::Task;
use duban::ops::Op;
use duban::suggest::{self, Schedule};

const SAMPLE: &[u8] = include_bytes!("../../data/sample_2020h1_wuhu.txt");
const Q3: &str = include_str!("../fixtures/q3_2020/report_labelled.txt");

fn ledger(with_q3: bool) -> (tempfile::TempDir, Ledger) {
    let dir = tempfile::tempdir().expect("temp dir");
    let ledger = Ledger::open(&dir.path().join("db")).expect("open ledger");
    ledger
        .apply(Op::import(SAMPLE.to_vec(), "sample", None, false))
        .expect("import sample");
    if with_q3 {
        ledger
            .apply(Op::import(
                Q3.as_bytes().to_vec(),
                "fixtures/q3_2020/report_labelled.txt",
                None,
                false,
            ))
            .expect("import Q3");
    }
    (dir, ledger)
}

fn report(tasks: &[Task], title: &str) -> usize {
    let schedule = Schedule::builtin();
    let mut n = 0;
    println!("== {title}");
    for t in tasks {
        match suggest::suggest_task(t, &schedule) {
            Some(s) => {
                n += 1;
                println!("#{:<3} {} {}", t.number, s.status.label(), s.reason);
            }
            None => println!("#{:<3} -", t.number),
        }
    }
    println!("{title}: {n} of {} tasks get a suggestion", tasks.len());
    n
}

#[test]
fn measure_coverage() {
    let (_d, l) = ledger(false);
    let tasks = l.tasks().unwrap();
    if let Ok(path) = std::env::var("DUBAN_DUMP") {
        let mut s = String::new();
        for t in &tasks {
            s.push_str(&format!("### {}\n目标: {}\n", t.number, t.goal));
            for p in &t.periods {
                s.push_str(&format!("[{}] {}\n", p.name, p.paragraphs.join(" / ")));
            }
        }
        std::fs::write(path, s).unwrap();
    }
    report(&tasks, "sample 2020年上半年");
    let (_d, l) = ledger(true);
    let tasks = l.tasks().unwrap();
    report(&tasks, "after Q3, all tasks");
    let q3: Vec<Task> = tasks
        .into_iter()
        .filter(|t| {
            t.latest_period()
                .is_some_and(|p| p.name == "2020年第三季度")
        })
        .collect();
    report(&q3, "after Q3, tasks the Q3 report updated");
}
