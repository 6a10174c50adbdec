//! Reports as offices receive them — Word, Excel (xlsx, xls, WPS .et), OpenDocument, web
//! pages (GBK and UTF-8) and text in every layout — imported from the committed fixtures in
//! `tests/fixtures/office/` (made by `generate.py` there with python-docx, openpyxl and
//! LibreOffice), each checked row by row against its `.expect.json`: number, section, goal,
//! progress paragraphs, lead and co units as written, notes, and the period. Files duban
//! cannot read (.doc, .pdf, .png) must be refused with advice.

use duban::import::{self, Aliases, ImportError, PeriodSource, Report};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn office_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/office")
}

/// Every fixture of a folder with its expectation, in name order.
fn fixtures(dir: &Path) -> Vec<(PathBuf, Value)> {
    let mut out: Vec<(PathBuf, Value)> = std::fs::read_dir(dir)
        .expect("the office fixtures")
        .filter_map(|e| {
            let path = e.ok()?.path();
            let name = path.file_name()?.to_str()?.to_string();
            let file = name.strip_suffix(".expect.json")?;
            let expect: Value = serde_json::from_str(&std::fs::read_to_string(&path).ok()?)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            Some((dir.join(file), expect))
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn import(path: &Path) -> Result<Report, ImportError> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    import::import_bytes(&bytes, &path.display().to_string(), &Aliases::builtin())
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Every difference between a report and its expectation, one line each.
fn differences(name: &str, report: &Report, expect: &Value) -> Vec<String> {
    let mut out = Vec::new();
    match expect["period"].as_str() {
        Some(p) => {
            if report.period.name != p || report.period.source != PeriodSource::Title {
                out.push(format!(
                    "{name}: period {:?} from {:?}, want {p} from the title",
                    report.period.name, report.period.source
                ));
            }
        }
        None => {
            if report.period.source == PeriodSource::Title {
                out.push(format!(
                    "{name}: period {:?} from the title, but the title names none",
                    report.period.name
                ));
            }
        }
    }
    let want = expect["rows"].as_array().cloned().unwrap_or_default();
    let got_numbers: Vec<u32> = report.rows.iter().map(|r| r.number).collect();
    let want_numbers: Vec<u32> = want
        .iter()
        .filter_map(|w| w["number"].as_u64().map(|n| n as u32))
        .collect();
    if got_numbers != want_numbers {
        out.push(format!(
            "{name}: row numbers {got_numbers:?}, want {want_numbers:?}"
        ));
    }
    for (row, w) in report.rows.iter().zip(&want) {
        let at = format!("{name} row {}", row.number);
        let section = w["section"].as_str().map(str::to_string);
        if row.section != section {
            out.push(format!("{at}: section {:?}, want {section:?}", row.section));
        }
        if Some(row.goal.as_str()) != w["goal"].as_str() {
            out.push(format!("{at}: goal {:?}, want {}", row.goal, w["goal"]));
        }
        if row.progress != strings(&w["progress"]) {
            out.push(format!(
                "{at}: progress {:?}, want {:?}",
                row.progress,
                strings(&w["progress"])
            ));
        }
        let lead: Vec<String> = row.lead_units.iter().map(|u| u.written.clone()).collect();
        if lead != strings(&w["lead"]) {
            out.push(format!(
                "{at}: lead {lead:?}, want {:?}",
                strings(&w["lead"])
            ));
        }
        let co: Vec<String> = row.co_units.iter().map(|u| u.written.clone()).collect();
        if co != strings(&w["co"]) {
            out.push(format!("{at}: co {co:?}, want {:?}", strings(&w["co"])));
        }
        if row.notes != strings(&w["notes"]) {
            out.push(format!(
                "{at}: notes {:?}, want {:?}",
                row.notes,
                strings(&w["notes"])
            ));
        }
    }
    // Rows the expectation says to import and point out (a task without a goal) are in the
    // warnings.
    for n in expect["warn"].as_array().into_iter().flatten() {
        let n = n.as_u64().unwrap_or(0);
        if !report
            .warnings
            .iter()
            .any(|w| w.reason.contains(&format!("任务 {n} ")))
        {
            out.push(format!(
                "{name}: task {n} is not pointed out: {:?}",
                report.warnings
            ));
        }
    }
    // Lines the report holds besides its tasks (a footnote, a totals row) are reported,
    // as many as the expectation says (none unless it says).
    let want_unplaced = expect["unplaced"].as_u64().unwrap_or(0) as usize;
    if report.unplaced.len() != want_unplaced {
        out.push(format!(
            "{name}: {} lines not placed, want {want_unplaced}: {:?}",
            report.unplaced.len(),
            report.unplaced
        ));
    }
    out
}

#[test]
fn every_office_fixture_imports_exactly_or_is_refused_with_advice() {
    check_all(&office_dir(), 13);
}

/// Reports made by someone who had not read the importer (tests/fixtures/office_blind/
/// README.md): two-row headers, a period in the header, summary and per-quarter sheets,
/// labels inside units cells, one card table per task.
#[test]
fn reports_made_without_reading_the_importer_import_exactly() {
    check_all(&office_dir().with_file_name("office_blind"), 13);
}

/// The second blind round (tests/fixtures/office_blind2/README.md).
#[test]
fn a_second_round_of_unseen_reports_imports_exactly() {
    check_all(&office_dir().with_file_name("office_blind2"), 10);
}

/// Text reports in every text layout, made without reading the importer
/// (tests/fixtures/text_blind/README.md).
#[test]
fn unseen_text_reports_import_exactly() {
    check_all(&office_dir().with_file_name("text_blind"), 14);
}

/// The second round of unseen text reports (tests/fixtures/text_blind2/README.md).
#[test]
fn a_second_round_of_unseen_text_reports_imports_exactly() {
    check_all(&office_dir().with_file_name("text_blind2"), 14);
}

/// A third round of unseen reports in every format (tests/fixtures/blind3/README.md).
#[test]
fn a_third_round_of_unseen_reports_imports_exactly() {
    check_all(&office_dir().with_file_name("blind3"), 13);
}

/// A fourth round: text copied from PDFs and browsers, page furniture, office tables with
/// headers and units where earlier rounds had none (tests/fixtures/blind4/README.md).
#[test]
fn a_fourth_round_of_unseen_reports_imports_exactly() {
    check_all(&office_dir().with_file_name("blind4"), 14);
}

/// A fifth round: realistic reports in each of the eight text layouts and in office files
/// (tests/fixtures/blind5/README.md).
#[test]
fn a_fifth_round_of_unseen_reports_imports_exactly() {
    check_all(&office_dir().with_file_name("blind5"), 19);
}

/// A sixth round: concatenated rows numbered `1、` or with progress after the units, 序号:
/// records, 【…】 items, entities, bracket labels (tests/fixtures/blind6/README.md).
#[test]
fn a_sixth_round_of_unseen_reports_imports_exactly() {
    check_all(&office_dir().with_file_name("blind6"), 16);
}

fn check_all(dir: &Path, at_least: usize) {
    let fixtures = fixtures(dir);
    assert!(fixtures.len() >= at_least, "{} fixtures", fixtures.len());
    let mut problems = Vec::new();
    for (path, expect) in &fixtures {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        match (import(path), expect["refused"].as_str()) {
            (Ok(report), None) => problems.extend(differences(name, &report, expect)),
            (Err(e), Some(kind)) => {
                let m = e.to_string();
                if !matches!(e, ImportError::Unsupported { .. }) || !m.contains(name) {
                    problems.push(format!("{name}: refused, but not as unsupported: {m}"));
                }
                let says = match kind {
                    "doc" => "Word 97-2003",
                    "pdf" => "PDF",
                    "png" => "PNG",
                    other => other,
                };
                if !m.contains(says) || !m.contains("导入") {
                    problems.push(format!(
                        "{name}: the refusal does not say what it is and what to do: {m}"
                    ));
                }
            }
            (Ok(report), Some(_)) => problems.push(format!(
                "{name}: should be refused, imported {} rows",
                report.rows.len()
            )),
            (Err(e), None) => problems.push(format!("{name}: {e}")),
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// The type comes from the bytes: an xlsx saved as `.xls`, WPS's `.et`.
#[test]
fn the_file_type_is_read_from_the_bytes_not_the_name() {
    for name in ["misnamed_xlsx.xls", "wps.et"] {
        let r = import(&office_dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(r.format, import::Format::Xlsx, "{name}");
    }
    let r = import(&office_dir().join("excel_legacy.xls")).expect("a real .xls");
    assert_eq!(r.format, import::Format::Xls);
}
