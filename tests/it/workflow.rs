//! The supervision workflow on real data: completion figures in the sample's own sentences,
//! suggested statuses on the whole sample against a reader's judgement, a second report
//! period (a hand-written 2020年第三季度 report for 10 of the sample's tasks, in the labelled
//! layout) matched and diffed, suggestions accepted into the history, lagging units, and the
//! 通报 workbook read back with a real xlsx reader (calamine) and its zip's XML.

use duban::figures::{self, Figure, FigureKind};
use duban::import::{import_bytes, Aliases, ImportedRow, Layout, Report};
use duban::ledger::Ledger;
use duban::model::{Change, Light, Period, Status, Task, Unit};
use duban::ops::Op;
use duban::periods::{self, RowOutcome};
use duban::suggest::{self, Schedule};
use duban::xlsx;
use std::collections::{BTreeMap, BTreeSet};

const SAMPLE: &[u8] = include_bytes!("../../data/sample_2020h1_wuhu.txt");
const SAMPLE_TEXT: &str = include_str!("../../data/sample_2020h1_wuhu.txt");
const Q3: &str = include_str!("../fixtures/q3_2020/report_labelled.txt");
const Q3_NAME: &str = "fixtures/q3_2020/report_labelled.txt";
const READER: &str = include_str!("../fixtures/q3_2020/h1_suggestions_reader.tsv");

fn sample() -> Report {
    import_bytes(SAMPLE, "sample", &Aliases::builtin()).expect("the sample imports")
}

/// The sample's tasks as the ledger stores them after importing it.
fn sample_ledger() -> (tempfile::TempDir, Ledger) {
    let dir = tempfile::tempdir().expect("temp dir");
    let ledger = Ledger::open(&dir.path().join("db")).expect("open ledger");
    ledger
        .apply(Op::import(SAMPLE.to_vec(), "sample", None, false))
        .expect("import sample")
        .into_imported()
        .expect("an import summary");
    (dir, ledger)
}

// ---------------------------------------------------------------------------------------
// Figures on the sample's own sentences.

/// (kind, value, label) of a figure, for compact expectations.
fn brief(f: &Figure) -> (FigureKind, f64, String) {
    (
        f.kind,
        (f.value_percent * 100.0).round() / 100.0,
        f.label.clone(),
    )
}

fn check_sentence(sentence: &str, expected: &[(FigureKind, f64, &str)]) {
    assert!(
        SAMPLE_TEXT.contains(sentence),
        "not a sentence of the sample: {sentence}"
    );
    let got: Vec<(FigureKind, f64, String)> =
        figures::extract(sentence).iter().map(brief).collect();
    let want: Vec<(FigureKind, f64, String)> = expected
        .iter()
        .map(|(k, v, l)| (*k, *v, l.to_string()))
        .collect();
    assert_eq!(got, want, "figures of: {sentence}");
    // Spans are char ranges that cut out the figure's own words.
    let chars: Vec<char> = sentence.chars().collect();
    for f in figures::extract(sentence) {
        let cut: String = chars[f.text_span.clone()].iter().collect();
        assert_eq!(cut, f.text, "{sentence}");
    }
}

#[test]
fn completion_figures_in_real_sentences_of_the_sample() {
    use FigureKind::*;
    check_sentence(
        "公厕建设工作:全年任务新建改造47座,现已完成新建改造30座,完成率64%。",
        &[(Rate, 64.0, "完成率")],
    );
    let f = figures::extract("公厕建设工作:全年任务新建改造47座,现已完成新建改造30座,完成率64%。");
    assert_eq!(f[0].text, "完成率64%");
    check_sentence(
        "2020年我市城镇老旧小区改造121个项目中具备条件的小区均实施“适老化”和“节能化”改造,受疫情影响,目前已开工80%,力争年内基本完成。",
        &[(Started, 80.0, "已开工")],
    );
    check_sentence(
        "本年度“四好农村路”扩面延伸工程计划完成1264公里,目前项目已全部开工,已完工1103.6公里,完工率87.24%。",
        &[(Started, 100.0, "已全部开工"), (Rate, 87.24, "完工率")],
    );
    check_sentence(
        "全市完成民生工程资金投入65.59亿元,占年初计划的73.25%。",
        &[(ShareOfPlan, 73.25, "占年初计划")],
    );
    check_sentence(
        "今年计划农村改厕3.7万户,已完成农村改厕2.6万户;",
        &[(Ratio, 70.27, "已完成")],
    );
    check_sentence(
        "全市财政专项扶贫资金共安排44349.7万元,已支出31374.69万元,支出进度70.74%。",
        &[(Rate, 70.74, "支出进度")],
    );
    check_sentence(
        "2020年对3所学校进行新建、改扩建或添置更换设施设备,计划投资21666万元,截止6月底,全市累计完成投资额11200万元,完成比例为51.7%。",
        &[(Rate, 51.7, "完成比例")],
    );
    check_sentence(
        "截至6月底,全市新增技能人才12805人,完成省下达的全年目标任务58.2%。开展职业技能鉴定15367人,完成全年目标任务59.79%。完成企业新录用人员岗前技能培训13893人,完成目标任务的95.81%;新增新技工系统培养1057人,完成目标任务的44.04%;实施民生工程,积极开展技能脱贫培训567人,完成年度目标任务的113.4%。",
        &[
            (ShareOfPlan, 58.2, "完成目标任务"),
            (ShareOfPlan, 59.79, "完成目标任务"),
            (ShareOfPlan, 95.81, "完成目标任务"),
            (ShareOfPlan, 44.04, "完成目标任务"),
            (ShareOfPlan, 113.4, "完成目标任务"),
        ],
    );
    check_sentence(
        "截至目前,芜湖市应认领检查清单6518项,已编制5950项,编制率91.3%;",
        &[(Rate, 91.3, "编制率")],
    );
    check_sentence(
        "省级现代服务业集聚区申报工作目前尚未开展。",
        &[(NotStarted, 0.0, "尚未开展")],
    );
    check_sentence(
        "截止目前除了授权委托的13个项目外,已完成24个,正在实施5个。",
        &[(Ratio, 82.76, "已完成")],
    );
    check_sentence(
        "截至6月上旬,我市中央脱贫攻坚专项巡视“回头看”反馈意见48个问题已全部整改到位,落实整改任务189条,建章立制4个。",
        &[(Ratio, 100.0, "已全部整改到位")],
    );
    check_sentence(
        "2020年全年计划建设5G基站2500处,截至6月底,全市已完成建设5G基站1175处,改造中站点1325处。",
        &[(Ratio, 47.0, "已完成")],
    );
    check_sentence(
        "城南污水处理厂二期扩建工程累计完成工程投资额的51%;",
        &[(ShareOfPlan, 51.0, "完成投资额")],
    );
    check_sentence(
        "“五清一改”村庄清洁行动整治完成率达100%。",
        &[(Rate, 100.0, "完成率")],
    );
    check_sentence(
        "预计上半年能完成年度目标任务的30%左右(年度目标为800万人次)。",
        &[(ShareOfPlan, 30.0, "完成目标任务")],
    );
    check_sentence(
        "2020年全市兼并重组目标任务共12户,其中弋江区1户、鸠江区2户、三山区1户、无为市1户、芜湖县2户、繁昌县2户、南陵县1户、经开区2户。截止6月底,全市已实施兼并重组5户,其中弋江区1户、三山区1户、芜湖县2户、南陵县1户。",
        &[(Ratio, 41.67, "已实施")],
    );
}

#[test]
fn growth_and_shares_of_something_else_are_not_completion() {
    use FigureKind::*;
    check_sentence(
        "2020年1-6月份,芜湖港货物吞吐量累计完成6336.65万吨,同比增长7.6%;完成集装箱量500027.75TEU,同比增长11.1%;完成外贸量156.80万吨,同比增长4.6%。",
        &[
            (Growth, 7.6, "同比增长"),
            (Growth, 11.1, "同比增长"),
            (Growth, 4.6, "同比增长"),
        ],
    );
    check_sentence(
        "1-5月份,全市战略性新兴产业产值同比增长4.3%,占规上工业比重为38.8%。",
        &[(Growth, 4.3, "同比增长"), (Other, 38.8, "占规上工业比重")],
    );
    check_sentence(
        "上半年完成食品小作坊登记615家,覆盖率100%;",
        &[(Other, 100.0, "覆盖率")],
    );
    check_sentence(
        "一是做强农产品加工业。1-6月,全市农产品加工规上企业完成农产品加工产值增长7.4%。",
        &[(Growth, 7.4, "增长")],
    );
    check_sentence(
        "确诊患者治愈率达100%,隐性感染转阴率达100%,境外输入管控率达100%,",
        &[
            (Other, 100.0, "确诊患者治愈率"),
            (Other, 100.0, "隐性感染转阴率"),
            (Other, 100.0, "境外输入管控率"),
        ],
    );
    for f in figures::extract(SAMPLE_TEXT) {
        if f.text.contains("同比") {
            assert!(!f.kind.is_completion(), "{f:?}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// Suggested statuses on the sample, against a reader's judgement.

/// One line of the reader's file: task, the status the tool suggested when the reader checked
/// it, whether the reader agrees, the status the reader would give, and why.
struct ReaderLine {
    number: u32,
    suggested: Status,
    agree: bool,
    reader: Status,
    why: String,
}

fn reader_lines() -> Vec<ReaderLine> {
    READER
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            assert!(c.len() >= 5, "bad line in the reader's file: {l}");
            ReaderLine {
                number: c[0].parse().expect("task number"),
                suggested: c[1].parse().expect("suggested status"),
                agree: match c[2] {
                    "yes" => true,
                    "no" => false,
                    x => panic!("agree must be yes or no, not {x}"),
                },
                reader: c[3].parse().expect("reader's status"),
                why: c[4].to_string(),
            }
        })
        .collect()
}

/// Measured on the 2020 上半年 sample with `data/schedule.toml` as shipped.
const SAMPLE_SUGGESTIONS: usize = 24;
const READER_AGREES: usize = 23;

#[test]
fn suggestions_on_the_sample_and_how_many_a_reader_agrees_with() {
    let (_dir, ledger) = sample_ledger();
    let schedule = Schedule::builtin();
    let tasks = ledger.tasks().unwrap();
    let suggestions: BTreeMap<u32, suggest::Suggestion> = tasks
        .iter()
        .filter_map(|t| suggest::suggest_task(t, &schedule).map(|s| (t.number, s)))
        .collect();
    let reader = reader_lines();
    println!(
        "{} of {} tasks get a suggestion (序时进度 上半年 = 50%):",
        suggestions.len(),
        tasks.len()
    );
    let by_number: BTreeMap<u32, &ReaderLine> = reader.iter().map(|r| (r.number, r)).collect();
    for (n, s) in &suggestions {
        let r = by_number.get(n);
        println!(
            "  #{n:<3} {:<4} {}  | reader: {} {}",
            s.status.label(),
            s.reason,
            r.map_or("?", |r| if r.agree { "agrees" } else { "disagrees →" }),
            r.map_or(String::new(), |r| if r.agree {
                String::new()
            } else {
                format!("{} ({})", r.reader.label(), r.why)
            }),
        );
    }
    // The reader's file covers exactly the tasks that get a suggestion, with the same status:
    // if the extractor changes, the file must be checked again.
    let suggested: BTreeSet<u32> = suggestions.keys().copied().collect();
    let checked: BTreeSet<u32> = by_number.keys().copied().collect();
    assert_eq!(suggested, checked, "re-check the reader's file");
    for r in &reader {
        assert_eq!(
            suggestions[&r.number].status, r.suggested,
            "task {} suggestion changed: re-check it",
            r.number
        );
        assert_eq!(
            r.agree,
            r.suggested == r.reader,
            "task {}: agree column",
            r.number
        );
    }
    let agreed = reader.iter().filter(|r| r.agree).count();
    println!(
        "{} suggestions, the reader agrees with {agreed} ({:.0}%)",
        suggestions.len(),
        100.0 * agreed as f64 / suggestions.len() as f64
    );
    assert_eq!(suggestions.len(), SAMPLE_SUGGESTIONS);
    assert_eq!(agreed, READER_AGREES);
}

// ---------------------------------------------------------------------------------------
// The Q3 report: matching, periods, diff.

/// Reads the Q3 fixture's labelled layout directly (`N.<goal>` / `进展情况:` /
/// `牵头责任单位:` / `协同责任单位:`): an independent reading that
/// `q3_fixture_reads_the_same_through_the_importer` holds the importer to.
fn q3_rows() -> Vec<ImportedRow> {
    let aliases = Aliases::builtin();
    let label = |line: &str, name: &str| -> Option<String> {
        line.strip_prefix(name)
            .and_then(|r| r.strip_prefix('\u{ff1a}').or_else(|| r.strip_prefix(':')))
            .map(|r| r.trim().to_string())
    };
    let units = |s: &str| -> Vec<Unit> {
        s.split('、')
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(|u| aliases.unit(u))
            .collect()
    };
    let mut rows: Vec<ImportedRow> = Vec::new();
    let mut section = None;
    let mut in_progress = false;
    for (i, line) in Q3.lines().enumerate() {
        let line = line.trim();
        if let Some(p) = label(line, "进展情况") {
            in_progress = true;
            if !p.is_empty() {
                rows.last_mut().unwrap().progress.push(p);
            }
        } else if let Some(u) = label(line, "牵头责任单位") {
            in_progress = false;
            rows.last_mut().unwrap().lead_units = units(&u);
        } else if let Some(u) = label(line, "协同责任单位") {
            rows.last_mut().unwrap().co_units = units(&u);
        } else if in_progress && !line.is_empty() {
            rows.last_mut().unwrap().progress.push(line.to_string());
        } else if let Some((n, goal)) = line
            .split_once('.')
            .and_then(|(n, g)| n.parse::<u32>().ok().map(|n| (n, g)))
        {
            rows.push(ImportedRow {
                notes: Vec::new(),
                number: n,
                section: section.clone(),
                line: i + 1,
                goal: goal.trim().to_string(),
                progress: Vec::new(),
                lead_units: Vec::new(),
                co_units: Vec::new(),
            });
        } else if line.contains('、')
            && line
                .chars()
                .next()
                .is_some_and(|c| "一二三四五六七八九十".contains(c))
        {
            section = Some(line.to_string());
        }
    }
    rows
}

/// The Q3 report as the importer reads it (the labelled layout, detected).
fn q3_report() -> Report {
    import_bytes(Q3.as_bytes(), Q3_NAME, &Aliases::builtin()).expect("the Q3 fixture imports")
}

#[test]
fn q3_fixture_reads_the_same_through_the_importer() {
    let report = q3_report();
    assert_eq!(report.layout, Layout::Labelled);
    assert_eq!(report.period.name, "2020年第三季度");
    assert!(report.unplaced.is_empty(), "{:?}", report.unplaced);
    let names = |u: &[Unit]| u.iter().map(|u| u.written.clone()).collect::<Vec<_>>();
    let view = |rows: &[ImportedRow]| {
        rows.iter()
            .map(|r| {
                (
                    r.number,
                    r.line,
                    r.goal.clone(),
                    r.progress.clone(),
                    names(&r.lead_units),
                    names(&r.co_units),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(view(&report.rows), view(&q3_rows()));
}

#[test]
fn goals_of_different_sample_tasks_stay_below_the_match_threshold() {
    let report = sample();
    let index = periods::GoalIndex::new(report.rows.iter().map(|r| r.goal.as_str()));
    let mut pairs = Vec::new();
    for a in &report.rows {
        for b in &report.rows {
            if a.number < b.number {
                pairs.push((index.similarity(&a.goal, &b.goal), a.number, b.number));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
    for p in pairs.iter().take(5) {
        println!("  {:.3} #{} #{}", p.0, p.1, p.2);
    }
    let worst = pairs[0];
    println!(
        "highest goal similarity between two different sample tasks: {:.3} (#{} and #{})",
        worst.0, worst.1, worst.2
    );
    assert!(worst.0 < periods::SAME_NUMBER_THRESHOLD, "{worst:?}");
}

#[test]
fn q3_rows_are_matched_renumbered_new_or_absent() {
    let (_dir, ledger) = sample_ledger();
    let tasks = ledger.tasks().unwrap();
    let rows = q3_report().rows;
    assert_eq!(rows.len(), 11);
    let m = periods::match_rows(&tasks, &rows);
    for line in m.messages() {
        println!("{line}");
    }
    let matched: Vec<u32> = m.matched().filter_map(|r| r.task()).collect();
    assert_eq!(matched, [8, 9, 10, 17, 20, 52, 62, 85, 109]);
    // Row 54 of the Q3 report is the sample's task 53 (兼并重组); task 54 (飞地经济) is
    // displaced, not merged with it.
    let renumbered: Vec<&periods::RowMatch> = m.renumbered().collect();
    assert_eq!(renumbered.len(), 1);
    let r = renumbered[0];
    assert_eq!(r.number, 54);
    assert_eq!(r.line, rows.iter().find(|x| x.number == 54).unwrap().line);
    match r.outcome {
        RowOutcome::Renumbered {
            task,
            similarity,
            displaced: Some((54, d)),
        } => {
            assert_eq!(task, 53);
            assert!(similarity > 0.9, "{similarity}");
            assert!(d < periods::SAME_NUMBER_THRESHOLD, "{d}");
        }
        ref o => panic!("{o:?}"),
    }
    let new: Vec<u32> = m.new_rows().map(|r| r.number).collect();
    assert_eq!(new, [117]);
    assert_eq!(m.conflicts().count(), 0);
    // Every sample task not in the Q3 report is listed as absent: 116 − 10.
    assert_eq!(m.absent.len(), 106);
    assert!(m.absent.contains(&54) && !m.absent.contains(&53));
    // Every row has exactly one outcome, with its line.
    assert_eq!(m.rows.len(), rows.len());
    assert!(m.rows.iter().all(|r| r.line > 0));
}

#[test]
fn a_reused_number_with_another_goal_is_a_conflict_and_is_not_merged() {
    let (_dir, ledger) = sample_ledger();
    let tasks = ledger.tasks().unwrap();
    let row = |number: u32, goal: &str| ImportedRow {
        notes: Vec::new(),
        number,
        section: None,
        line: number as usize,
        goal: goal.to_string(),
        progress: vec!["进展。".into()],
        lead_units: Vec::new(),
        co_units: Vec::new(),
    };
    let rows = vec![
        // Number 5 belongs to 水污染治理; this goal is nothing the sample has.
        row(5, "做好第七次全国人口普查工作。"),
        // Task 6's goal under number 200, shortened to its first clause.
        row(200, "完成5000亩长江岸线造林,持续打造“十里江湾”城市名片。"),
        // Task 7 under its own number, goal shortened.
        row(7, "精细推进文明创建,深入开展“贴近群众六走进”行动。"),
    ];
    let m = periods::match_rows(&tasks, &rows);
    assert!(
        matches!(m.rows[0].outcome, RowOutcome::Conflict { task: 5, .. }),
        "{:?}",
        m.rows[0]
    );
    assert!(
        matches!(
            m.rows[1].outcome,
            RowOutcome::Renumbered {
                task: 6,
                displaced: None,
                ..
            }
        ),
        "{:?}",
        m.rows[1]
    );
    assert!(
        matches!(m.rows[2].outcome, RowOutcome::Matched { task: 7, .. }),
        "{:?}",
        m.rows[2]
    );
    assert!(m.absent.contains(&5));
    let resolved = periods::resolve_rows(&rows, &m);
    let numbers: Vec<u32> = resolved.iter().map(|r| r.number).collect();
    assert_eq!(numbers, [6, 7]);
}

fn q3_ledger() -> (tempfile::TempDir, Ledger) {
    let (dir, ledger) = sample_ledger();
    let summary = ledger
        .apply(Op::import(Q3.as_bytes().to_vec(), Q3_NAME, None, false))
        .expect("import Q3")
        .into_imported()
        .expect("an import summary");
    assert_eq!(summary.matching.renumbered().count(), 1);
    assert_eq!(summary.period, "2020年第三季度");
    assert_eq!(summary.added, [117]);
    assert_eq!(summary.updated.len(), 10);
    (dir, ledger)
}

fn cut(text: &str, span: &std::ops::Range<usize>) -> String {
    text.chars().skip(span.start).take(span.len()).collect()
}

#[test]
fn two_periods_and_what_changed_between_them() {
    let (_dir, ledger) = q3_ledger();
    let t8 = ledger.task(8).unwrap();
    let names: Vec<&str> = periods::newest_first(&t8)
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(names, ["2020年第三季度", "2020年上半年"]);
    // The renumbered row went to task 53, not 54.
    assert_eq!(ledger.task(53).unwrap().periods.len(), 2);
    assert_eq!(ledger.task(54).unwrap().periods.len(), 1);
    assert_eq!(ledger.task(117).unwrap().periods.len(), 1);

    let d = periods::latest_diff(&t8).expect("two periods");
    let prev = periods::period_text(&t8.periods[0]);
    let cur = periods::period_text(&t8.periods[1]);
    println!("task 8, {} → {}:", d.previous, d.current);
    for s in &d.removed {
        println!("  - {}", s.text);
    }
    for s in &d.added {
        println!("  + {}", s.text);
    }
    for c in &d.changed_figures {
        println!("  * {}", c.describe());
    }
    let kept: Vec<&str> = d.kept.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(
        kept,
        [
            "生活垃圾分类工作\u{ff1a}一是印发《芜湖市生活垃圾分类2020年工作要点》。",
            "四是落实生活垃圾分类奖补资金。"
        ]
    );
    assert_eq!(d.added.len(), 4);
    assert_eq!(d.removed.len(), 4);
    assert_eq!(d.removed[0].text, "二是推进生活垃圾示范片区建设。");
    for s in d.added.iter().chain(&d.kept) {
        assert_eq!(cut(&cur, &s.span), s.text);
    }
    for s in &d.removed {
        assert_eq!(cut(&prev, &s.span), s.text);
    }
    assert_eq!(d.changed_figures.len(), 1);
    let c = &d.changed_figures[0];
    assert_eq!(c.describe(), "完成率64% → 完成率87%");
    assert_eq!(cut(&prev, &c.before.text_span), "完成率64%");
    assert_eq!(cut(&cur, &c.after.text_span), "完成率87%");

    // 85: the share of the year's target moved from 30% to 49.1%.
    let d85 = periods::latest_diff(&ledger.task(85).unwrap()).unwrap();
    let labels: Vec<String> = d85.changed_figures.iter().map(|c| c.describe()).collect();
    assert_eq!(labels, ["完成年度目标任务的30% → 完成年度目标任务的49.1%"]);
}

#[test]
fn q3_suggestions_accepted_are_history_events_and_units_lag() {
    let (_dir, ledger) = q3_ledger();
    let schedule = Schedule::builtin();
    let q3: BTreeMap<u32, suggest::Suggestion> = ledger
        .tasks()
        .unwrap()
        .iter()
        .filter(|t| {
            t.latest_period()
                .is_some_and(|p| p.name == "2020年第三季度")
        })
        .filter_map(|t| suggest::suggest_task(t, &schedule).map(|s| (t.number, s)))
        .collect();
    for (n, s) in &q3 {
        println!("#{n} {} {}", s.status.label(), s.reason);
    }
    assert_eq!(q3[&8].status, Status::OnTrack);
    assert_eq!(q3[&8].reason, "完成率87% ≥ 序时进度75%");
    assert_eq!(q3[&85].status, Status::SeriouslyBehind);
    assert_eq!(q3[&109].status, Status::Done);
    assert_eq!(q3[&53].status, Status::OnTrack);
    assert!(!q3.contains_key(&62), "62 has no figure in Q3");

    // Nothing changes until a person accepts.
    assert!(ledger
        .tasks()
        .unwrap()
        .iter()
        .all(|t| t.status == Status::NotStarted));
    for n in [8, 85, 109] {
        ledger.apply(q3[&n].accept(n)).expect("accept");
    }
    let t85 = ledger.task(85).unwrap();
    assert_eq!(t85.status, Status::SeriouslyBehind);
    let history = ledger.history(Some(85)).unwrap();
    let status_events: Vec<_> = history
        .iter()
        .filter(|e| matches!(e.change, Change::Status { .. }))
        .collect();
    assert_eq!(status_events.len(), 1);
    let e = status_events[0];
    assert_eq!(
        e.change,
        Change::Status {
            from: Status::NotStarted,
            to: Status::SeriouslyBehind,
            undo: false
        }
    );
    let note = e.note.as_deref().unwrap();
    assert!(
        note.starts_with("采纳建议(2020年第三季度):完成年度目标任务的49.1% < 序时进度75%"),
        "{note}"
    );
    assert_eq!(e.user, ledger.user());
    // Two imports and one status change.
    assert_eq!(
        history
            .iter()
            .filter(|e| matches!(e.change, Change::Import { .. }))
            .count(),
        2
    );
    // Accepting the same suggestion again changes nothing and says so.
    assert!(ledger.apply(q3[&85].accept(85)).is_err());

    // Lagging units: the lead units of the red task 85 come first.
    let tasks = ledger.tasks().unwrap();
    let lagging = suggest::lagging_units(&tasks, false);
    let names: Vec<&str> = lagging.iter().map(|u| u.summary.unit.as_str()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(
        names.contains(&"市文化和旅游局") && names.contains(&"市农业农村局"),
        "{names:?}"
    );
    let wl = lagging
        .iter()
        .find(|u| u.summary.unit == "市文化和旅游局")
        .unwrap();
    assert_eq!(wl.tasks[0].number, 85);
    assert_eq!(wl.tasks[0].light(), Light::Red);
    println!("{}", suggest::format_lagging(&lagging, false));
    assert!(suggest::format_lagging(&lagging, true).contains("X #85"));
}

// ---------------------------------------------------------------------------------------
// The 通报 workbook, read back.

mod xlsx_read {
    use super::*;
    use calamine::{open_workbook, Data, Reader, Xlsx};
    use regex::Regex;
    use std::io::Read;

    fn zip_text(path: &std::path::Path, name: &str) -> String {
        let file = std::fs::File::open(path).unwrap();
        let mut z = zip::ZipArchive::new(file).unwrap();
        let mut s = String::new();
        z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    }

    /// The fill colour (ARGB) of a cell (`F12`) of the first sheet, from the zip's XML.
    fn fill_of(path: &std::path::Path, cell: &str) -> String {
        let sheet = zip_text(path, "xl/worksheets/sheet1.xml");
        let styles = zip_text(path, "xl/styles.xml");
        let c = Regex::new(&format!(r#"<c r="{cell}" s="(\d+)""#)).unwrap();
        let xf_index: usize = c.captures(&sheet).expect("cell has a style")[1]
            .parse()
            .unwrap();
        let cell_xfs =
            &styles[styles.find("<cellXfs").unwrap()..styles.find("</cellXfs>").unwrap()];
        let xf = Regex::new(r"<xf [^>]*>").unwrap();
        let xf_tag = xf.find_iter(cell_xfs).nth(xf_index).unwrap().as_str();
        let fill_id: usize = Regex::new(r#"fillId="(\d+)""#)
            .unwrap()
            .captures(xf_tag)
            .unwrap()[1]
            .parse()
            .unwrap();
        let fills = &styles[styles.find("<fills").unwrap()..styles.find("</fills>").unwrap()];
        let fill = fills.split("<fill>").skip(1).nth(fill_id).unwrap();
        Regex::new(r#"<fgColor rgb="([0-9A-F]{8})""#)
            .unwrap()
            .captures(fill)
            .map_or_else(|| "none".to_string(), |c| c[1].to_string())
    }

    fn cell_text(d: Option<&Data>) -> String {
        match d {
            Some(Data::String(s)) => s.clone(),
            Some(Data::Float(f)) => format!("{f}"),
            Some(Data::Int(i)) => format!("{i}"),
            Some(Data::Empty) | None => String::new(),
            Some(other) => format!("{other:?}"),
        }
    }

    fn statuses(ledger: &Ledger) -> Vec<Task> {
        // One task of every status, so every light is in the workbook.
        ledger
            .apply(Op::set_status(1, Status::OnTrack, None))
            .unwrap();
        ledger
            .apply(Op::set_status(2, Status::Behind, None))
            .unwrap();
        ledger
            .apply(Op::set_status(9, Status::Done, Some("已办结")))
            .unwrap();
        ledger.tasks().unwrap()
    }

    #[test]
    fn tongbao_workbook_reads_back_with_sheets_header_rows_and_colours() {
        let (dir, ledger) = q3_ledger();
        let schedule = Schedule::builtin();
        for n in [8, 85, 109] {
            let s = suggest::suggest_task(&ledger.task(n).unwrap(), &schedule).unwrap();
            ledger.apply(s.accept(n)).unwrap();
        }
        let tasks: Vec<Task> = statuses(&ledger)
            .into_iter()
            .filter(|t| t.number <= 116)
            .collect();
        assert_eq!(tasks.len(), 116);
        let path = dir.path().join("tongbao.xlsx");
        xlsx::write_tongbao(&path, &tasks, None).unwrap();

        let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
        assert_eq!(wb.sheet_names(), [xlsx::SHEET_TABLE, xlsx::SHEET_SUMMARY]);
        let range = wb.worksheet_range(xlsx::SHEET_TABLE).unwrap();
        let head = xlsx::TITLE_ROWS as usize;
        let header: Vec<String> = (0..7).map(|c| cell_text(range.get((head, c)))).collect();
        assert_eq!(header, xlsx::HEADER);
        // The title and dates, 1 header row, 4 domain rows, 116 task rows.
        assert_eq!(range.height(), head + 1 + 4 + 116);
        let mut numbers = Vec::new();
        let mut domain_rows = Vec::new();
        let mut row_of = BTreeMap::new();
        for r in head + 1..range.height() {
            match range.get((r, 0)) {
                Some(Data::Float(f)) => {
                    numbers.push(*f as u32);
                    row_of.insert(*f as u32, r);
                }
                Some(Data::String(s)) => domain_rows.push(s.clone()),
                other => panic!("row {r}: {other:?}"),
            }
        }
        numbers.sort();
        assert_eq!(numbers, (1..=116).collect::<Vec<u32>>());
        assert_eq!(domain_rows.len(), 4);
        assert!(domain_rows[0].starts_with("一、生态("), "{domain_rows:?}");
        let status_col = |n: u32| cell_text(range.get((row_of[&n], 5)));
        assert_eq!(status_col(85), "严重滞后");
        assert_eq!(status_col(8), "正常推进");
        // Latest period text, and a remark where a task's latest period is older.
        assert!(cell_text(range.get((row_of[&8], 2))).contains("完成率87%"));
        assert!(cell_text(range.get((row_of[&1], 6))).contains("进展为2020年上半年"));

        // Fills of known status cells, from styles.xml (calamine does not expose fills).
        let excel_cell = |n: u32| format!("F{}", row_of[&n] + 1);
        let argb = |l: Light| format!("FF{:06X}", xlsx::fill_rgb(l));
        assert_eq!(fill_of(&path, &excel_cell(85)), argb(Light::Red));
        assert_eq!(fill_of(&path, &excel_cell(8)), argb(Light::Green));
        assert_eq!(fill_of(&path, &excel_cell(2)), argb(Light::Yellow));
        assert_eq!(fill_of(&path, &excel_cell(109)), argb(Light::Blue));
        assert_eq!(fill_of(&path, &excel_cell(3)), argb(Light::Grey));
        // The title, the dates and the header are frozen.
        let sheet = zip_text(&path, "xl/worksheets/sheet1.xml");
        assert!(
            sheet.contains(
                r#"<pane ySplit="3" topLeftCell="A4" activePane="bottomLeft" state="frozen"/>"#
            ),
            "no frozen header"
        );
        // Column widths fit Chinese text: the progress column is the widest.
        let widths: Vec<f64> = Regex::new(r#"<col min="(\d+)" max="(\d+)" width="([0-9.]+)""#)
            .unwrap()
            .captures_iter(&sheet)
            .flat_map(|c| {
                let n = c[2].parse::<usize>().unwrap() - c[1].parse::<usize>().unwrap() + 1;
                std::iter::repeat_n(c[3].parse::<f64>().unwrap(), n)
            })
            .collect();
        assert_eq!(widths.len(), 7, "{widths:?}");
        assert!(widths.iter().all(|w| *w <= widths[2]), "{widths:?}");

        // Sheet 2: counts by domain × status, and the 严重滞后 list with lead units.
        let sum = wb.worksheet_range(xlsx::SHEET_SUMMARY).unwrap();
        let row =
            |r: usize| -> Vec<String> { (0..7).map(|c| cell_text(sum.get((r, c)))).collect() };
        assert_eq!(
            row(2),
            [
                "领域",
                "未启动",
                "正常推进",
                "进度滞后",
                "严重滞后",
                "已完成",
                "合计"
            ]
        );
        let total = row(7);
        assert_eq!(total[0], "合计");
        assert_eq!(total[6], "116");
        assert_eq!(&total[1..6], ["110", "2", "1", "1", "2"]);
        assert_eq!(cell_text(sum.get((9, 0))), "严重滞后任务(1项)");
        assert_eq!(cell_text(sum.get((11, 0))), "85");
        assert_eq!(cell_text(sum.get((11, 2))), "市文旅局、市农业农村局");
        // Then the 进度滞后 tasks (task 2), after a blank row.
        assert_eq!(cell_text(sum.get((13, 0))), "进度滞后任务(1项)");
        assert_eq!(cell_text(sum.get((15, 0))), "2");
        assert_eq!(cell_text(sum.get((15, 1))), "生态");
    }

    #[test]
    fn an_earlier_period_exports_its_own_text() {
        let (dir, ledger) = q3_ledger();
        let tasks: Vec<Task> = ledger.tasks().unwrap();
        let path = dir.path().join("h1.xlsx");
        xlsx::write_tongbao(&path, &tasks, Some("2020年上半年")).unwrap();
        let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
        let range = wb.worksheet_range(xlsx::SHEET_TABLE).unwrap();
        let find = |n: f64| {
            (0..range.height())
                .find(|r| range.get((*r, 0)) == Some(&Data::Float(n)))
                .unwrap()
        };
        assert!(cell_text(range.get((find(8.0), 2))).contains("完成率64%"));
        // Task 117 is new in Q3: it has no 上半年 text, and says so.
        assert_eq!(cell_text(range.get((find(117.0), 2))), "");
        assert!(cell_text(range.get((find(117.0), 6))).contains("2020年上半年未报告进展"));
        let sum = wb.worksheet_range(xlsx::SHEET_SUMMARY).unwrap();
        assert_eq!(
            cell_text(sum.get((0, 0))),
            "2020年上半年重点工作任务进展情况汇总"
        );
    }

    #[test]
    fn markdown_tongbao_has_the_same_summary_and_table() {
        let (_dir, ledger) = sample_ledger();
        let tasks = statuses(&ledger);
        ledger
            .apply(Op::set_status(85, Status::SeriouslyBehind, None))
            .unwrap();
        let tasks: Vec<Task> = tasks
            .into_iter()
            .map(|t| {
                if t.number == 85 {
                    ledger.task(85).unwrap()
                } else {
                    t
                }
            })
            .collect();
        let md = xlsx::markdown_tongbao(&tasks, None);
        assert!(md.starts_with("# 2020年上半年重点工作任务推进情况通报\n\n截至日期:2020年6月30日"));
        assert!(
            md.contains("| 合计 | 112 | 1 | 1 | 1 | 1 | 116 |"),
            "{}",
            &md[..600]
        );
        assert!(md.contains("## 严重滞后任务(1项)"));
        assert!(md.contains("| 85 | 民生 | 市文旅局、市农业农村局 | 引导乡村旅游提档升级"));
        assert!(md.contains("## 进度滞后任务(1项)"));
        let task_rows = md
            .lines()
            .filter(|l| {
                l.starts_with("| ")
                    && l[2..]
                        .split(' ')
                        .next()
                        .is_some_and(|n| n.parse::<u32>().is_ok())
            })
            .count();
        // 116 table rows + 1 in the 严重滞后 list + 1 in the 进度滞后 list.
        assert_eq!(task_rows, 118);
    }
}

#[test]
fn the_shipped_schedule_parses_and_knows_the_sample_period() {
    let s = Schedule::builtin();
    assert_eq!(s.elapsed("2020年上半年"), Some(50.0));
    assert_eq!(s.thresholds.on_track_within, 5.0);
    assert_eq!(s.thresholds.behind_within, 20.0);
    let p = Period {
        name: "2020年上半年".into(),
        paragraphs: vec![
            "公厕建设工作:全年任务新建改造47座,现已完成新建改造30座,完成率64%。".into(),
        ],
    };
    let sug = suggest::suggest(&p, &s).unwrap();
    assert_eq!(sug.reason, "完成率64% ≥ 序时进度50%");
    assert_eq!(sug.status, Status::OnTrack);
}

#[test]
fn an_empty_ledger_still_writes_a_valid_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.xlsx");
    xlsx::write_tongbao(&path, &[], None).unwrap();
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&path).unwrap();
    use calamine::Reader;
    assert_eq!(wb.sheet_names().len(), 2);
    let range = wb.worksheet_range(xlsx::SHEET_TABLE).unwrap();
    // The title, the dates and the header.
    assert_eq!(range.height(), xlsx::TITLE_ROWS as usize + 1);
    let md = xlsx::markdown_tongbao(&[], Some("2020年上半年"));
    assert!(md.contains("严重滞后任务(0项)"));
    assert!(md.contains("进度滞后任务(0项)"));
}

mod props {
    use super::*;
    use proptest::prelude::*;

    /// Text made of the pieces progress sentences are made of, in any order.
    fn progress_text() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "完成率",
            "完工率",
            "已开工",
            "占年初计划的",
            "完成目标任务的",
            "同比增长",
            "计划",
            "目标任务",
            "已完成",
            "正在实施",
            "尚未开展",
            "已全部完成",
            "已全部开工",
            "个",
            "户",
            "万",
            "亩",
            "%",
            "\u{ff05}",
            "/",
            ".",
            ",",
            "\u{ff0c}",
            "。",
            ";",
            "\u{ff1b}",
            "\n",
            "(",
            "\u{ff08}",
            "、",
            "1",
            "23",
            "4.5",
            "0",
            "100",
            "其中",
            "截至6月底",
            "力争",
        ]);
        prop::collection::vec(pieces, 0..40).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(crate::common::proptest_config(300))]

        #[test]
        fn figures_never_panic_and_spans_cut_their_text(text in progress_text()) {
            let chars: Vec<char> = text.chars().collect();
            for f in figures::extract(&text) {
                prop_assert!(f.text_span.end <= chars.len());
                let cut: String = chars[f.text_span.clone()].iter().collect();
                prop_assert_eq!(&cut, &f.text);
                prop_assert!(f.value_percent.is_finite() && f.value_percent >= 0.0);
            }
        }

        #[test]
        fn diffs_never_panic_and_spans_cut_their_sentences(a in progress_text(), b in progress_text()) {
            let pa = Period { name: "2020年上半年".into(), paragraphs: a.split('\n').map(str::to_string).collect() };
            let pb = Period { name: "2020年第三季度".into(), paragraphs: b.split('\n').map(str::to_string).collect() };
            let d = periods::diff(&pa, &pb);
            let (ta, tb) = (periods::period_text(&pa), periods::period_text(&pb));
            for s in d.added.iter().chain(&d.kept) {
                prop_assert_eq!(cut(&tb, &s.span), s.text.clone());
            }
            for s in &d.removed {
                prop_assert_eq!(cut(&ta, &s.span), s.text.clone());
            }
            for c in &d.changed_figures {
                prop_assert_eq!(cut(&ta, &c.before.text_span), c.before.text.clone());
                prop_assert_eq!(cut(&tb, &c.after.text_span), c.after.text.clone());
            }
            let _ = suggest::suggest(&pb, &Schedule::builtin());
        }
    }
}
