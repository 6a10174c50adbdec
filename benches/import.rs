//! Import time of the built-in sample (116 rows) and of a generated 10,000-row report in the
//! sample's layout (targets, issue 2: sample < 5 ms, 10,000 rows < 1 s), and of 2,000-row Word
//! and Excel reports made from the sample's rows, with section rows spanning the table and
//! units cells merged down over two tasks (target, issue 9: each < 1 s).

#[path = "support/mod.rs"]
mod support;

use criterion::{criterion_group, criterion_main, Criterion};
use duban::import::{import_bytes, Aliases};
use duban::ledger::SAMPLE_REPORT;
use std::hint::black_box;
use std::time::Duration;
use support::synth::Corpus;

fn import(c: &mut Criterion) {
    let aliases = Aliases::builtin();
    let mut g = c.benchmark_group("import");
    g.bench_function("sample_116_rows", |b| {
        b.iter(|| import_bytes(black_box(SAMPLE_REPORT), "sample", &aliases).map(|r| r.rows.len()))
    });
    let big = Corpus::from_sample().concatenated_report(10_000, 7);
    let rows = import_bytes(big.as_bytes(), "generated", &aliases)
        .map(|r| r.rows.len())
        .unwrap_or(0);
    assert_eq!(rows, 10_000, "the generated report imports every row");
    eprintln!(
        "generated report: {} rows, {:.1} MB",
        rows,
        big.len() as f64 / 1e6
    );
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.bench_function("generated_10000_rows", |b| {
        b.iter(|| {
            import_bytes(black_box(big.as_bytes()), "generated", &aliases).map(|r| r.rows.len())
        })
    });
    let gbk = encoding_rs::GBK.encode(&big).0.into_owned();
    g.bench_function("generated_10000_rows_gbk", |b| {
        b.iter(|| import_bytes(black_box(&gbk), "generated-gbk", &aliases).map(|r| r.rows.len()))
    });
    g.finish();
}

/// The sample's rows, repeated and renumbered to `n`: (number, goal, progress paragraphs,
/// lead units, co units).
type OfficeRow = (u32, String, Vec<String>, String, String);

fn office_rows(n: usize) -> Vec<OfficeRow> {
    let sample = import_bytes(SAMPLE_REPORT, "sample", &Aliases::builtin()).expect("sample");
    let join = |u: &[duban::model::Unit]| {
        u.iter()
            .map(|u| u.written.as_str())
            .collect::<Vec<_>>()
            .join("、")
    };
    (0..n)
        .map(|i| {
            let r = &sample.rows[i % sample.rows.len()];
            (
                i as u32 + 1,
                r.goal.clone(),
                r.progress.clone(),
                join(&r.lead_units),
                join(&r.co_units),
            )
        })
        .collect()
}

const HEADER: [&str; 5] = ["序号", "重点工作任务", "牵头单位", "配合单位", "推进情况"];

/// An xlsx: a title row, the header, a merged section row every 50 tasks, progress
/// paragraphs as line breaks in the cell, co units merged down over pairs of tasks.
fn xlsx(rows: &[OfficeRow]) -> Vec<u8> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let plain = Format::new();
    ws.merge_range(0, 0, 0, 4, "2021年上半年重点工作任务推进情况", &plain)
        .expect("title");
    for (c, h) in HEADER.iter().enumerate() {
        ws.write_string(1, c as u16, *h).expect("header");
    }
    let mut at = 2u32;
    for (i, (number, goal, progress, lead, co)) in rows.iter().enumerate() {
        if i % 50 == 0 {
            ws.merge_range(at, 0, at, 4, &format!("第{}部分", i / 50 + 1), &plain)
                .expect("section");
            at += 1;
        }
        ws.write_number(at, 0, f64::from(*number)).expect("cell");
        ws.write_string(at, 1, goal).expect("cell");
        ws.write_string(at, 2, lead).expect("cell");
        // Pairs never straddle a section row: sections start at even rows.
        if i % 2 == 0 && i + 1 < rows.len() {
            ws.merge_range(at, 3, at + 1, 3, co, &plain).expect("merge");
        } else if i % 2 == 0 {
            ws.write_string(at, 3, co).expect("cell");
        }
        ws.write_string(at, 4, progress.join("\n")).expect("cell");
        at += 1;
    }
    wb.save_to_buffer().expect("xlsx in memory")
}

fn xml_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn w_cell(paragraphs: &[&str], props: &str) -> String {
    let ps: String = if paragraphs.is_empty() {
        "<w:p/>".to_string()
    } else {
        paragraphs
            .iter()
            .map(|p| format!("<w:p><w:r><w:t>{}</w:t></w:r></w:p>", xml_text(p)))
            .collect()
    };
    format!("<w:tc><w:tcPr>{props}</w:tcPr>{ps}</w:tc>")
}

/// A docx with the same table: section rows spanning it (gridSpan), co units merged down
/// over pairs of tasks (vMerge), progress paragraphs as Word paragraphs.
fn docx(rows: &[OfficeRow]) -> Vec<u8> {
    use std::io::Write;
    let mut body =
        String::from("<w:p><w:r><w:t>2021年上半年重点工作任务推进情况</w:t></w:r></w:p><w:tbl>");
    body.push_str("<w:tr>");
    for h in HEADER {
        body.push_str(&w_cell(&[h], ""));
    }
    body.push_str("</w:tr>");
    for (i, (number, goal, progress, lead, co)) in rows.iter().enumerate() {
        if i % 50 == 0 {
            body.push_str("<w:tr>");
            body.push_str(&w_cell(
                &[&format!("第{}部分", i / 50 + 1)],
                "<w:gridSpan w:val=\"5\"/>",
            ));
            body.push_str("</w:tr>");
        }
        let co_cell = if i % 2 == 0 {
            w_cell(&[co], "<w:vMerge w:val=\"restart\"/>")
        } else {
            w_cell(&[], "<w:vMerge/>")
        };
        let progress: Vec<&str> = progress.iter().map(String::as_str).collect();
        body.push_str(&format!(
            "<w:tr>{}{}{}{co_cell}{}</w:tr>",
            w_cell(&[&number.to_string()], ""),
            w_cell(&[goal], ""),
            w_cell(&[lead], ""),
            w_cell(&progress, "")
        ));
    }
    body.push_str("</w:tbl>");
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>"
    );
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("word/document.xml", options).expect("zip");
    zip.write_all(document.as_bytes()).expect("zip");
    zip.finish().expect("zip").into_inner()
}

fn office(c: &mut Criterion) {
    let aliases = Aliases::builtin();
    let rows = office_rows(2_000);
    let files = [
        ("xlsx_2000_rows", xlsx(&rows)),
        ("docx_2000_rows", docx(&rows)),
    ];
    let mut g = c.benchmark_group("import_office");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    for (name, bytes) in &files {
        let report = import_bytes(bytes, name, &aliases).expect("the generated file imports");
        assert_eq!(report.rows.len(), 2_000, "{name}: every row");
        assert!(
            report.unplaced.is_empty(),
            "{name}: {:?}",
            &report.unplaced[..1]
        );
        eprintln!("{name}: {:.1} MB", bytes.len() as f64 / 1e6);
        g.bench_function(*name, |b| {
            b.iter(|| import_bytes(black_box(bytes), name, &aliases).map(|r| r.rows.len()))
        });
    }
    g.finish();
}

/// `duban import` of a generated 100,000-row report (the sample's layout, ~57 MB) whole:
/// read, matched, merged and committed, into an empty database and again into the database
/// that import made (every row matched to its task). Targets (issue 10): each < 5 s and
/// < 600 MB peak RSS (the RSS is measured with `/usr/bin/time -v duban import`).
fn ledger_import(c: &mut Criterion) {
    use criterion::BatchSize;
    let text = Corpus::from_sample().concatenated_report(100_000, 7);
    let open = |dir: &tempfile::TempDir| {
        let store = duban::store::SledStore::open(&dir.path().join("db")).expect("database");
        duban::ledger::Ledger::new(
            Box::new(store),
            "bench".into(),
            duban::classify::DomainRules::builtin(),
        )
    };
    let import = |ledger: &duban::ledger::Ledger| {
        // As `duban import` sends it: the file's bytes, read by the ledger.
        let op = duban::ops::Op::import(
            black_box(text.as_bytes()).to_vec(),
            "generated",
            None,
            false,
        );
        ledger
            .apply(op)
            .expect("import")
            .into_imported()
            .expect("an import summary")
    };
    let mut g = c.benchmark_group("import_ledger");
    g.sample_size(10).measurement_time(Duration::from_secs(60));
    g.bench_function("100000_rows_into_empty_db", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().expect("tmp");
                let ledger = open(&dir);
                (dir, ledger)
            },
            |(dir, ledger)| {
                let summary = import(&ledger);
                assert_eq!(summary.added.len(), 100_000);
                (dir, ledger)
            },
            BatchSize::PerIteration,
        )
    });
    g.bench_function("100000_rows_again_into_that_db", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().expect("tmp");
                let ledger = open(&dir);
                import(&ledger);
                (dir, ledger)
            },
            |(dir, ledger)| {
                let summary = import(&ledger);
                assert_eq!(summary.updated.len(), 100_000);
                (dir, ledger)
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, import, office, ledger_import);
criterion_main!(benches);
