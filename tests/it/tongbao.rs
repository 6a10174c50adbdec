//! The 通报 to send as is: the workbook read back as the office will open and print it —
//! its title with the period and the dates, the summary's lists of lagging tasks with their
//! lead units, A4 landscape, widths that fit.

use crate::common::*;
use crate::support::corpus;
use calamine::{open_workbook, Data, Reader, Xlsx};
use chrono::NaiveDate;
use duban::model::{Status, Task};
use duban::xlsx;
use regex::Regex;
use std::io::Read;
use std::path::Path;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a date")
}

/// The sample with 85 and 14 严重滞后, 52 and 2 进度滞后, 9 已完成.
fn judged_sample() -> Vec<Task> {
    let mut tasks = corpus::sample_tasks().expect("the built-in sample imports");
    for t in tasks.iter_mut() {
        t.status = match t.number {
            14 | 85 => Status::SeriouslyBehind,
            2 | 52 => Status::Behind,
            9 => Status::Done,
            _ => t.status,
        };
    }
    tasks
}

fn zip_text(path: &Path, name: &str) -> String {
    let file = std::fs::File::open(path).expect("the workbook");
    let mut z = zip::ZipArchive::new(file).expect("a zip");
    let mut s = String::new();
    z.by_name(name)
        .expect("the part")
        .read_to_string(&mut s)
        .expect("utf-8");
    s
}

fn text(d: Option<&Data>) -> String {
    match d {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Float(f)) => format!("{f}"),
        Some(Data::Int(i)) => format!("{i}"),
        Some(Data::Empty) | None => String::new(),
        Some(other) => format!("{other:?}"),
    }
}

fn write(
    dir: &Path,
    tasks: &[Task],
    period: Option<&str>,
    made_on: NaiveDate,
) -> std::path::PathBuf {
    let path = dir.join("tongbao.xlsx");
    let bytes = xlsx::tongbao_bytes_on(tasks, period, made_on).expect("the workbook");
    std::fs::write(&path, bytes).expect("written");
    path
}

/// The column widths a sheet's XML sets, one per column.
fn widths(sheet: &str) -> Vec<f64> {
    Regex::new(r#"<col min="(\d+)" max="(\d+)" width="([0-9.]+)""#)
        .expect("pattern")
        .captures_iter(sheet)
        .flat_map(|c| {
            let n = c[2].parse::<usize>().expect("max") - c[1].parse::<usize>().expect("min") + 1;
            std::iter::repeat_n(c[3].parse::<f64>().expect("width"), n)
        })
        .collect()
}

#[test]
fn sheet_one_is_titled_with_the_period_and_dated() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), &judged_sample(), None, day(2020, 7, 15));
    let mut wb: Xlsx<_> = open_workbook(&path).expect("opens");
    assert_eq!(wb.sheet_names()[0], xlsx::SHEET_TABLE);
    let t = wb.worksheet_range(xlsx::SHEET_TABLE).expect("sheet 1");
    assert_eq!(t.start(), Some((0, 0)));
    assert_eq!(text(t.get((0, 0))), "2020年上半年重点工作任务推进情况通报");
    assert_eq!(text(t.get((1, 0))), "截至日期:2020年6月30日");
    assert_eq!(text(t.get((1, 4))), "制表日期:2020年7月15日");
    let header: Vec<String> = (0..7).map(|c| text(t.get((2, c)))).collect();
    assert_eq!(header, xlsx::HEADER);
    // The title spans the table; the dates share the row below it.
    let sheet = zip_text(&path, "xl/worksheets/sheet1.xml");
    for merged in ["A1:G1", "A2:D2", "E2:G2"] {
        assert!(
            sheet.contains(&format!(r#"<mergeCell ref="{merged}"/>"#)),
            "{merged} not merged"
        );
    }
    // The summary names the period and the dates too.
    let s = wb.worksheet_range(xlsx::SHEET_SUMMARY).expect("sheet 2");
    assert_eq!(text(s.get((0, 0))), "2020年上半年重点工作任务进展情况汇总");
    assert_eq!(
        text(s.get((1, 0))),
        "截至日期:2020年6月30日　制表日期:2020年7月15日"
    );
}

#[test]
fn the_summary_lists_seriously_behind_then_behind_tasks_with_lead_units() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), &judged_sample(), None, day(2020, 7, 15));
    let mut wb: Xlsx<_> = open_workbook(&path).expect("opens");
    let s = wb.worksheet_range(xlsx::SHEET_SUMMARY).expect("sheet 2");
    let rows: Vec<Vec<String>> = (0..s.height())
        .map(|r| (0..4).map(|c| text(s.get((r, c)))).collect())
        .collect();
    let at = |heading: &str| {
        rows.iter()
            .position(|r| r[0] == heading)
            .unwrap_or_else(|| panic!("no {heading}: {rows:#?}"))
    };
    let serious = at("严重滞后任务(2项)");
    let behind = at("进度滞后任务(2项)");
    assert!(serious < behind, "严重滞后 first");
    for start in [serious, behind] {
        assert_eq!(rows[start + 1], xlsx::LAGGING_HEADER);
    }
    let listed = |start: usize| -> Vec<(String, String)> {
        rows[start + 2..]
            .iter()
            .take_while(|r| !r[0].is_empty())
            .map(|r| (r[0].clone(), r[2].clone()))
            .collect()
    };
    assert_eq!(
        listed(serious),
        [
            ("14".to_string(), "市住建局".to_string()),
            ("85".to_string(), "市文旅局、市农业农村局".to_string()),
        ]
    );
    let behind_rows = listed(behind);
    assert_eq!(
        behind_rows
            .iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>(),
        ["2", "52"]
    );
    assert_eq!(behind_rows[1].1, "市经信局、市数据资源管理局、市大数据中心");
    assert!(behind_rows.iter().all(|(_, lead)| !lead.is_empty()));

    // With no lagging task, each list says 无.
    let calm: Vec<Task> = judged_sample()
        .into_iter()
        .map(|mut t| {
            t.status = Status::OnTrack;
            t
        })
        .collect();
    let path = write(dir.path(), &calm, None, day(2020, 7, 15));
    let mut wb: Xlsx<_> = open_workbook(&path).expect("opens");
    let s = wb.worksheet_range(xlsx::SHEET_SUMMARY).expect("sheet 2");
    let col: Vec<String> = (0..s.height()).map(|r| text(s.get((r, 0)))).collect();
    for heading in ["严重滞后任务(0项)", "进度滞后任务(0项)"] {
        let i = col.iter().position(|c| c == heading).expect(heading);
        assert_eq!(col[i + 2], "无");
    }
}

#[test]
fn both_sheets_print_on_a4_landscape_fitted_to_the_width_with_the_header_repeated() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), &judged_sample(), None, day(2020, 7, 15));
    let page_setup = Regex::new(r"<pageSetup [^>]*/>").expect("pattern");
    let page_margins = Regex::new(
        r#"<pageMargins left="([0-9.]+)" right="([0-9.]+)" top="([0-9.]+)" bottom="([0-9.]+)""#,
    )
    .expect("pattern");
    for part in ["xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"] {
        let sheet = zip_text(&path, part);
        let setup = page_setup
            .find(&sheet)
            .unwrap_or_else(|| panic!("{part}: no pageSetup"))
            .as_str()
            .to_string();
        assert!(setup.contains(r#"paperSize="9""#), "{part}: {setup}");
        assert!(
            setup.contains(r#"orientation="landscape""#),
            "{part}: {setup}"
        );
        // One page wide, as many pages down as it takes.
        assert!(setup.contains(r#"fitToHeight="0""#), "{part}: {setup}");
        assert!(
            !setup.contains("fitToWidth"),
            "fitToWidth defaults to 1: {setup}"
        );
        assert!(sheet.contains(r#"<pageSetUpPr fitToPage="1"/>"#), "{part}");
        assert!(
            sheet.contains(r#"<printOptions horizontalCentered="1"/>"#),
            "{part}"
        );
        let margins = page_margins
            .captures(&sheet)
            .unwrap_or_else(|| panic!("{part}: no margins"));
        for i in 1..=4 {
            let m: f64 = margins[i].parse().expect("inches");
            assert!((0.3..=1.0).contains(&m), "{part}: margin {m}");
        }
        // Page numbers in the footer.
        assert!(sheet.contains("第 &amp;P 页 共 &amp;N 页"), "{part}");
    }
    // The table's header row (row 3, under the title and the dates) repeats on every page.
    let book = zip_text(&path, "xl/workbook.xml");
    assert!(
        book.contains(&format!(
            r#"<definedName name="_xlnm.Print_Titles" localSheetId="0">{}!$3:$3</definedName>"#,
            xlsx::SHEET_TABLE
        )),
        "{book}"
    );
    let sheet = zip_text(&path, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains(r#"<pane ySplit="3" topLeftCell="A4""#));
}

#[test]
fn column_widths_fit_the_content_with_chinese_counted_double() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tasks = judged_sample();
    let path = write(dir.path(), &tasks, None, day(2020, 7, 15));
    let w = widths(&zip_text(&path, "xl/worksheets/sheet1.xml"));
    assert_eq!(w.len(), 7, "{w:?}");
    let cols = |s: &str| -> f64 {
        // Excel's width of n characters of the default font is n + 0.7109375.
        s.chars()
            .map(|c| if c.is_ascii() { 1.0 } else { 2.0 })
            .sum::<f64>()
    };
    // 严重滞后 (four characters, eight columns) fits the status column.
    assert!(w[5] >= cols("严重滞后"), "{w:?}");
    // The lead-unit column is as wide as the widest lead unit, up to its bound, so short
    // names are not cut and long ones wrap.
    let widest_lead = tasks
        .iter()
        .map(|t| cols(&duban::units::written(&t.lead_units)))
        .fold(0.0, f64::max);
    assert!(
        w[3] >= widest_lead.min(xlsx::MAX_WIDTHS[3]),
        "{w:?} {widest_lead}"
    );
    // The progress column is the widest; the whole table stays printable on one A4 width.
    assert!(w.iter().all(|x| *x <= w[2]), "{w:?}");
    assert!(w.iter().sum::<f64>() <= 190.0, "{w:?}");
    // A workbook of short texts gets narrow columns, not the bounds.
    let short: Vec<Task> = tasks
        .into_iter()
        .take(3)
        .map(|mut t| {
            t.goal = "建设公园".into();
            t.periods.truncate(0);
            t
        })
        .collect();
    let path = write(dir.path(), &short, Some("2020年上半年"), day(2020, 7, 15));
    let w2 = widths(&zip_text(&path, "xl/worksheets/sheet1.xml"));
    assert!(
        w2[1] < xlsx::MAX_WIDTHS[1] && w2[2] < xlsx::MAX_WIDTHS[2],
        "{w2:?}"
    );
}

#[test]
fn the_exported_workbook_from_the_command_line_is_titled_and_dated() {
    let (dir, db) = temp_db();
    duban(&db, &["import", SEED]).ok();
    duban(&db, &["set", "85", "严重滞后"]).ok();
    duban(&db, &["set", "52", "进度滞后"]).ok();
    duban(&db, &["goal", "3", "=HYPERLINK(\"http://x\",\"y\")"]).ok();
    let path = dir.path().join("通报.xlsx");
    duban(
        &db,
        &[
            "export",
            "--format",
            "xlsx",
            "--period",
            "2020年上半年",
            "--output",
            path.to_str().expect("utf-8 path"),
        ],
    )
    .ok();
    let mut wb: Xlsx<_> = open_workbook(&path).expect("opens");
    let t = wb.worksheet_range(xlsx::SHEET_TABLE).expect("sheet 1");
    assert_eq!(text(t.get((0, 0))), "2020年上半年重点工作任务推进情况通报");
    assert_eq!(text(t.get((1, 0))), "截至日期:2020年6月30日");
    // 制表日期 is the day of the export, written the Chinese way.
    let made = text(t.get((1, 4)));
    assert!(
        Regex::new(r"^制表日期:\d{4}年\d{1,2}月\d{1,2}日$")
            .expect("pattern")
            .is_match(&made),
        "{made}"
    );
    // Report text stays a string, never a formula.
    assert!(t
        .cells()
        .any(|(_, _, c)| *c == Data::String("=HYPERLINK(\"http://x\",\"y\")".into())));
    let formulas = wb.worksheet_formula(xlsx::SHEET_TABLE).expect("formulas");
    assert!(formulas.cells().all(|(_, _, f)| f.is_empty()));
    let s = wb.worksheet_range(xlsx::SHEET_SUMMARY).expect("sheet 2");
    let col: Vec<String> = (0..s.height()).map(|r| text(s.get((r, 0)))).collect();
    assert!(col.contains(&"严重滞后任务(1项)".to_string()), "{col:?}");
    assert!(col.contains(&"进度滞后任务(1项)".to_string()), "{col:?}");

    // The Markdown says the same.
    let md = duban(
        &db,
        &["export", "--format", "md", "--period", "2020年上半年"],
    );
    md.ok();
    assert!(md.stdout.starts_with(
        "# 2020年上半年重点工作任务推进情况通报\n\n截至日期:2020年6月30日　制表日期:"
    ));
    assert!(md.stdout.contains("## 严重滞后任务(1项)"));
    assert!(md.stdout.contains("## 进度滞后任务(1项)"));
    assert!(md.stdout.contains("| 52 | "));
}

#[test]
fn a_period_whose_last_day_is_unknown_is_named_instead() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tasks: Vec<Task> = judged_sample()
        .into_iter()
        .map(|mut t| {
            for p in t.periods.iter_mut() {
                p.name = "2020年某阶段".into();
            }
            t
        })
        .collect();
    let path = write(dir.path(), &tasks, None, day(2020, 7, 15));
    let mut wb: Xlsx<_> = open_workbook(&path).expect("opens");
    let t = wb.worksheet_range(xlsx::SHEET_TABLE).expect("sheet 1");
    assert_eq!(text(t.get((0, 0))), "2020年某阶段重点工作任务推进情况通报");
    assert_eq!(text(t.get((1, 0))), "报告期:2020年某阶段");
    assert_eq!(text(t.get((1, 4))), "制表日期:2020年7月15日");
}

#[test]
fn task_rows_are_tall_enough_for_their_wrapped_text() {
    // Excel grows rows for wrapped text when it opens a file; LibreOffice and WPS print them
    // one line high unless the height is written. Every task row has its height.
    let dir = tempfile::tempdir().expect("tempdir");
    let tasks = judged_sample();
    let path = write(dir.path(), &tasks, None, day(2020, 7, 15));
    let mut wb: Xlsx<_> = open_workbook(&path).expect("opens");
    let t = wb.worksheet_range(xlsx::SHEET_TABLE).expect("sheet 1");
    let sheet = zip_text(&path, "xl/worksheets/sheet1.xml");
    let heights: std::collections::BTreeMap<usize, f64> =
        Regex::new(r#"<row r="(\d+)"[^>]*\bht="([0-9.]+)" customHeight="1""#)
            .expect("pattern")
            .captures_iter(&sheet)
            .map(|c| {
                (
                    c[1].parse::<usize>().expect("row") - 1,
                    c[2].parse().expect("points"),
                )
            })
            .collect();
    let w = widths(&sheet);
    let mut checked = 0;
    for r in xlsx::TITLE_ROWS as usize + 1..t.height() {
        let Some(Data::Float(n)) = t.get((r, 0)) else {
            continue;
        };
        let ht = *heights
            .get(&r)
            .unwrap_or_else(|| panic!("task {n}: no row height"));
        // At least one 12-point line per (column width − 1) columns of its longest cell.
        for c in [1, 2, 3, 4] {
            let cell = text(t.get((r, c)));
            let lines: f64 = cell
                .split('\n')
                .map(|l| {
                    let cols: f64 = l
                        .chars()
                        .map(|ch| if ch.is_ascii() { 1.0 } else { 2.0 })
                        .sum();
                    (cols / (w[c] - 1.0)).ceil().max(1.0)
                })
                .sum();
            assert!(
                ht >= (lines * 12.0).min(409.0),
                "task {n} column {c}: {ht} pt for {lines} lines"
            );
        }
        assert!(ht <= 409.0, "Excel's highest row");
        checked += 1;
    }
    assert_eq!(checked, 116);
}

#[test]
fn the_markdown_with_both_lagging_lists_reads_back_as_the_same_tasks() {
    // The lists name a goal and units as the feedback table does; the importer must still
    // take the feedback table, not a list, for the tasks.
    let (dir, db) = temp_db();
    duban(&db, &["import", SEED]).ok();
    duban(&db, &["set", "14", "严重滞后"]).ok();
    duban(&db, &["set", "52", "进度滞后"]).ok();
    let md = duban(&db, &["export", "--format", "md"]);
    md.ok();
    assert!(md.stdout.contains("## 严重滞后任务(1项)"));
    assert!(md.stdout.contains("## 进度滞后任务(1项)"));
    let path = dir.path().join("通报.md");
    std::fs::write(&path, &md.stdout).expect("written");
    let fresh = dir.path().join("fresh.db");
    duban(&fresh, &["import", path.to_str().expect("utf-8 path")]).ok();
    let goals = |db: &Path| -> Vec<(u64, String)> {
        export_json(db)["tasks"]
            .as_array()
            .expect("tasks")
            .iter()
            .map(|t| {
                (
                    t["number"].as_u64().expect("number"),
                    t["goal"].as_str().expect("goal").to_string(),
                )
            })
            .collect()
    };
    assert_eq!(goals(&fresh), goals(&db));
}
