//! The seed report (data/sample_2020h1_wuhu.txt) against a hand-checked truth file
//! (tests/fixtures/sample_truth.tsv), plus lossless rebuilding of every row.

use duban::import::{import_bytes, Aliases, ImportedRow, Layout, Report};
use std::collections::BTreeMap;

const SAMPLE: &str = "data/sample_2020h1_wuhu.txt";
const TRUTH: &str = "tests/fixtures/sample_truth.tsv";

fn sample_bytes() -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(SAMPLE);
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn sample() -> Report {
    import_bytes(&sample_bytes(), SAMPLE, &Aliases::builtin()).expect("the sample imports")
}

struct Truth {
    goal: String,
    lead: Vec<String>,
    co: Vec<String>,
}

fn truth() -> BTreeMap<u32, Truth> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(TRUTH);
    let text = std::fs::read_to_string(&path).expect("truth file");
    let list = |s: &str| -> Vec<String> {
        s.split('、')
            .filter(|x| !x.is_empty())
            .map(str::to_string)
            .collect()
    };
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("number\t") && !l.is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert_eq!(cols.len(), 4, "truth line: {l}");
            let n: u32 = cols[0].parse().expect("number");
            (
                n,
                Truth {
                    goal: cols[1].to_string(),
                    lead: list(cols[2]),
                    co: list(cols[3]),
                },
            )
        })
        .collect()
}

fn written(units: &[duban::model::Unit]) -> Vec<String> {
    units.iter().map(|u| u.written.clone()).collect()
}

fn row(report: &Report, n: u32) -> &ImportedRow {
    report
        .rows
        .iter()
        .find(|r| r.number == n)
        .unwrap_or_else(|| panic!("row {n} missing"))
}

#[test]
fn all_116_rows_numbered_in_order_with_nothing_unplaced() {
    let r = sample();
    assert_eq!(r.layout, Layout::Concatenated);
    let numbers: Vec<u32> = r.rows.iter().map(|r| r.number).collect();
    assert_eq!(numbers, (1..=116).collect::<Vec<_>>());
    assert!(r.unplaced.is_empty(), "unplaced: {:#?}", r.unplaced);
    assert_eq!(r.period.name, "2020年上半年");
    assert_eq!(r.period.source, duban::import::PeriodSource::Title);
    // The first row is line 23 of the data file (line 22 of the seed, plus the source line).
    assert_eq!(row(&r, 1).line, 23);
    assert_eq!(row(&r, 116).line, 172);
}

#[test]
fn lead_and_co_units_match_the_hand_checked_truth_for_every_row() {
    let r = sample();
    let truth = truth();
    assert_eq!(truth.len(), 116);
    let mut wrong = Vec::new();
    for (n, t) in &truth {
        let got = row(&r, *n);
        if written(&got.lead_units) != t.lead || written(&got.co_units) != t.co {
            wrong.push(format!(
                "row {n}: lead {:?} co {:?}, truth lead {:?} co {:?}",
                written(&got.lead_units),
                written(&got.co_units),
                t.lead,
                t.co
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} rows wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn goal_progress_boundary_matches_the_truth_for_at_least_110_rows() {
    let r = sample();
    let truth = truth();
    let mut misses = Vec::new();
    for (n, t) in &truth {
        let got = row(&r, *n);
        if got.goal != t.goal {
            misses.push(format!(
                "row {n}:\n   got   {}\n   truth {}",
                got.goal, t.goal
            ));
        }
    }
    let matched = truth.len() - misses.len();
    println!("goal/progress boundary: {matched}/116 rows match the truth");
    for m in &misses {
        println!("{m}");
    }
    assert!(
        matched >= 110,
        "only {matched} boundaries match:\n{}",
        misses.join("\n")
    );
}

/// Every row's source text, without its `N.\u{a0}` marker, as the lines the parser saw.
fn source_rows(text: &str) -> BTreeMap<u32, Vec<String>> {
    let mut rows: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    let mut current: Option<u32> = None;
    let mut in_table = false;
    for line in text.lines() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.contains("序号目标与任务") {
            in_table = true;
            continue;
        }
        if !in_table {
            continue;
        }
        if line.trim().is_empty() {
            if current == Some(116) {
                break;
            }
            continue;
        }
        if let Some((num, rest)) = line.split_once(".\u{a0}") {
            if let Ok(n) = num.parse::<u32>() {
                current = Some(n);
                rows.entry(n).or_default().push(rest.to_string());
                continue;
            }
        }
        if let Some(n) = current {
            rows.entry(n).or_default().push(line.to_string());
        }
    }
    rows
}

/// Removes what may legitimately differ in the unit part: separators and whitespace.
fn strip_unit_text(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '、' | ',' | '\u{ff0c}') && !c.is_whitespace())
        .collect()
}

/// Checks that `goal + progress` plus the units, placed at one position, rebuild the row's
/// source text character by character. Returns a description of the mismatch, if any.
pub fn rebuilds(source_lines: &[String], row: &ImportedRow) -> Result<(), String> {
    let source: Vec<char> = source_lines.concat().chars().collect();
    let mut kept: String = row.goal.clone();
    for p in &row.progress {
        kept.push_str(p);
    }
    let kept: Vec<char> = kept.chars().collect();
    let mut units: String = String::new();
    for u in row.lead_units.iter().chain(&row.co_units) {
        units.push_str(&u.written);
    }
    if kept.len() > source.len() {
        return Err(format!(
            "row {}: more text came out than went in",
            row.number
        ));
    }
    let gap = source.len() - kept.len();
    // The units sit at one place in the source (the end of the line that carries them):
    // find a split of the kept text around which the source holds exactly the units.
    for a in 0..=kept.len() {
        if source[..a] != kept[..a] {
            break;
        }
        if source[a + gap..] != kept[a..] {
            continue;
        }
        let unit_part: String = source[a..a + gap].iter().collect();
        if strip_unit_text(&unit_part) == units {
            return Ok(());
        }
    }
    Err(format!(
        "row {}: goal + progress + units do not rebuild the source\n  source {}\n  kept   {}\n  units  {}",
        row.number,
        source.iter().collect::<String>(),
        kept.iter().collect::<String>(),
        units
    ))
}

#[test]
fn every_row_rebuilds_its_source_text_losslessly() {
    let bytes = sample_bytes();
    let text = String::from_utf8(bytes).expect("utf-8");
    let sources = source_rows(&text);
    assert_eq!(sources.len(), 116);
    let r = sample();
    let failures: Vec<String> = r
        .rows
        .iter()
        .filter_map(|row| rebuilds(&sources[&row.number], row).err())
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn row_2_goal_is_two_sentences() {
    let r = sample();
    assert_eq!(
        row(&r, 2).goal,
        "扎实打好污染防治攻坚战。抓好生态环境保护督察和突出生态环境问题整改。"
    );
    assert!(row(&r, 2).progress[0].starts_with("围绕“三大保卫战”"));
}

#[test]
fn row_17_splits_at_the_glued_date() {
    let r = sample();
    assert_eq!(row(&r, 17).goal, "实施33项民生工程");
    assert!(row(&r, 17).progress[0].starts_with("截至6月底,全市完成民生工程资金投入"));
}

#[test]
fn row_31_keeps_its_sub_items_and_takes_units_from_its_first_line() {
    let r = sample();
    let r31 = row(&r, 31);
    assert_eq!(r31.goal, "推进医养康养结合,加快养老服务供给侧改革。");
    assert_eq!(r31.progress.len(), 3);
    assert!(r31.progress[0].starts_with("1.落实国家、省"));
    assert!(
        r31.progress[0].ends_with("政策瓶颈。"),
        "{}",
        r31.progress[0]
    );
    assert!(r31.progress[1].starts_with("2.全面放开养老服务市场"));
    assert!(r31.progress[2].starts_with("3.推动民生工程实施。"));
    assert_eq!(written(&r31.lead_units), ["市卫健委", "市民政局"]);
    assert_eq!(written(&r31.co_units), ["各县(市)区政府"]);
    // No row 2 or 3 was invented from the sub-items.
    assert_eq!(r.rows.iter().filter(|x| x.number == 2).count(), 1);
}

#[test]
fn units_with_parentheses_are_whole_names() {
    let r = sample();
    assert_eq!(
        written(&row(&r, 1).co_units),
        ["各县(市)区政府", "开发区管委会"]
    );
    assert_eq!(written(&row(&r, 63).co_units), ["各县(市)政府"]);
    assert_eq!(
        written(&row(&r, 6).co_units),
        ["沿江各县(市)区政府", "开发区管委会"]
    );
}

#[test]
fn unit_text_ending_in_a_space_gives_no_co_units() {
    let r = sample();
    for n in [
        15, 19, 22, 24, 26, 37, 41, 48, 50, 61, 62, 69, 70, 71, 75, 76, 77, 80, 87,
    ] {
        assert!(
            row(&r, n).co_units.is_empty(),
            "row {n}: {:?}",
            row(&r, n).co_units
        );
        assert!(!row(&r, n).lead_units.is_empty(), "row {n}");
    }
    assert_eq!(written(&row(&r, 19).lead_units), ["市扶贫办"]);
    assert_eq!(
        written(&row(&r, 76).lead_units),
        ["市商务局", "芜湖县政府", "芜宣机场公司"]
    );
}

#[test]
fn names_that_touch_end_the_lead_column() {
    let r = sample();
    assert_eq!(
        written(&row(&r, 11).lead_units),
        ["市住建局", "市交通运输局", "市重点处"]
    );
    assert_eq!(written(&row(&r, 11).co_units), ["市自然资源和规划局"]);
    assert_eq!(written(&row(&r, 38).lead_units), ["市市场监管局"]);
    assert_eq!(
        written(&row(&r, 38).co_units),
        ["市财政局", "各县(市)区政府", "开发区管委会"]
    );
    assert_eq!(
        written(&row(&r, 3).co_units),
        ["各县(市)区政府", "开发区管委会", "市重点处"]
    );
}

#[test]
fn the_footer_is_not_swallowed_into_row_116() {
    let r = sample();
    let last = row(&r, 116);
    assert_eq!(last.progress.len(), 1);
    assert!(last.progress[0].ends_with("全面提升我市综合应急救援处置能力。"));
    assert_eq!(
        written(&last.co_units).last().map(String::as_str),
        Some("市消防救援支队")
    );
    assert!(r
        .rows
        .iter()
        .all(|x| x.progress.iter().all(|p| !p.contains("免责声明"))));
}

#[test]
fn one_unit_is_one_canonical_name_across_spellings() {
    let r = sample();
    // `大数据中心` (rows 93, 99) and `市大数据中心` (rows 52, 95) are the same unit.
    let canon = |n: u32, name: &str| {
        row(&r, n)
            .lead_units
            .iter()
            .find(|u| u.written == name)
            .map(|u| u.canonical.clone())
            .unwrap_or_else(|| panic!("row {n} has no {name}"))
    };
    assert_eq!(canon(93, "大数据中心"), canon(52, "市大数据中心"));
    assert_eq!(canon(4, "市发改委"), "市发展和改革委员会");
    let a = Aliases::builtin();
    for (x, y) in [
        ("市发改委", "市发展和改革委员会"),
        ("市发展改革委", "市发改委"),
        ("市住建局", "市住房和城乡建设局"),
        ("市人社局", "市人力资源和社会保障局"),
        ("市卫健委", "市卫生健康委员会"),
        ("市经信局", "市经济和信息化局"),
        ("市文旅局", "市文化和旅游局"),
        ("市市场监管局", "市市场监督管理局"),
        ("市数据资源局", "市数据资源管理局"),
        ("市城管局", "市城市管理局"),
        ("市城市管理行政执法局", "市城管局"),
        ("市自然资源规划局", "市自然资源和规划局"),
        ("市交通局", "市交通运输局"),
        ("各县市区政府", "各县(市)区政府"),
        ("各县(市、区)政府", "各县(市)区政府"),
        ("各县\u{ff08}市\u{ff09}区政府", "各县(市)区政府"),
        ("各县 (市) 区政府", "各县(市)区政府"),
        ("无为市", "无为市政府"),
        ("市科技局", "市科学技术局"),
    ] {
        assert_eq!(a.canonical(x), a.canonical(y), "{x} / {y}");
    }
    // Different bodies stay different.
    assert_ne!(a.canonical("各县(市)政府"), a.canonical("各县(市)区政府"));
    assert_ne!(a.canonical("开发区管委会"), a.canonical("经开区管委会"));
}

#[test]
fn every_unit_name_in_the_sample_is_a_whole_name() {
    let r = sample();
    for row in &r.rows {
        for u in row.lead_units.iter().chain(&row.co_units) {
            assert!(
                duban::import::units::looks_like_unit(&u.written)
                    || Aliases::builtin().knows(&u.written),
                "row {}: {:?}",
                row.number,
                u.written
            );
        }
    }
}

#[test]
fn the_seed_itself_imports_the_same_rows_as_the_shipped_copy() {
    let seed = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/seed/000_77fe551962fa5e43.txt");
    let Ok(bytes) = std::fs::read(&seed) else {
        eprintln!("skipped: {} not present", seed.display());
        return;
    };
    let r = import_bytes(&bytes, "seed", &Aliases::builtin()).expect("seed imports");
    let shipped = sample();
    assert_eq!(r.rows.len(), 116);
    for (a, b) in r.rows.iter().zip(&shipped.rows) {
        // The shipped copy has one extra first line naming the source.
        assert_eq!(a.line + 1, b.line);
        assert_eq!(
            (&a.goal, &a.progress, &a.lead_units, &a.co_units),
            (&b.goal, &b.progress, &b.lead_units, &b.co_units)
        );
    }
}
