//! Suggested statuses measured on the built-in sample (2020年上半年) and after the Q3 fixture
//! (2020年第三季度): how many tasks get a suggestion, and a careful reader's table of each
//! one; and the period diff pairing counted figures by what they count.
//!
//! `cargo test --test it suggest_review -- --nocapture` prints every suggestion with its
//! reason.

use duban::ledger::Ledger;
use duban::model::{Period, Status, Task};
use duban::ops::Op;
use duban::periods;
use duban::suggest::{self, Schedule};
use std::collections::{BTreeMap, BTreeSet};

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

/// Each task's suggestion (status and reason), by number.
fn suggestions(tasks: &[Task]) -> BTreeMap<u32, (Status, String)> {
    let schedule = Schedule::builtin();
    tasks
        .iter()
        .filter_map(|t| {
            suggest::suggest_task(t, &schedule).map(|s| (t.number, (s.status, s.reason)))
        })
        .collect()
}

fn print(title: &str, tasks: &[Task], got: &BTreeMap<u32, (Status, String)>) {
    println!(
        "== {title}: {} of {} tasks get a suggestion",
        got.len(),
        tasks.len()
    );
    for (n, (st, why)) in got {
        println!("  #{n:<3} {} {why}", st.label());
    }
}

use Status::*;

/// A careful reader's judgement of every task of the 2020年上半年 sample that gets a suggestion
/// (序时进度 50%), written from the task's goal and its whole 工作进展 text: the status the
/// reader gives and why. Where the reader's status differs from the tool's, the tool's is in
/// [`SAMPLE_DISAGREED`].
const SAMPLE_READER: &[(u32, Status, &str)] = &[
    (
        2,
        OnTrack,
        "信访件1103/1129已销号,省交办问题124个已整改75个,督察整改按序推进",
    ),
    (
        3,
        OnTrack,
        "矿山治理约650/1300亩恰为一半,黑臭水体整治基本完成或已开工",
    ),
    (6, Done, "今年已完成岸线造林5560亩,超过目标5000亩"),
    (8, OnTrack, "公厕47座已完成30座(64%),垃圾分类各项已启动"),
    (9, OnTrack, "老旧小区改造项目受疫情影响仍已开工80%"),
    (
        10,
        OnTrack,
        "改厕2.6/3.7万户,农村路完工率87.24%,清洁行动完成率100%",
    ),
    (14, OnTrack, "82条黑臭水体79条已整治,剩余3条同步推进"),
    (16, OnTrack, "三座污水厂完成投资33%/51%/60%,整体过半"),
    (17, OnTrack, "民生工程资金投入占年初计划73.25%"),
    (18, OnTrack, "扶贫资金支出进度70.74%,巡视问题已全部整改"),
    (20, OnTrack, "25所公办园已开工23所,配套园整治完成率97.6%"),
    (21, OnTrack, "高中攻坚计划投资完成51.7%,改革文件已出台"),
    (25, OnTrack, "五项技能指标多数达到序时进度"),
    (
        52,
        OnTrack,
        "5G基站1175/2500处,登云企业320/700家,均略低于一半;车间已超目标",
    ),
    (53, Behind, "兼并重组12户仅实施5户(41.7%),低于序时进度"),
    (
        61,
        OnTrack,
        "进展栏为空,但目标栏里的“谋划摸排…共201个”其实是进展:已摸排项目库",
    ),
    (
        62,
        Behind,
        "物流枢纽已上报国家发改委,集聚区申报尚未开展:部分滞后",
    ),
    (
        66,
        OnTrack,
        "三变改革占比89.9%已超省定今年任务60%,产权制度改革基本完成",
    ),
    (81, OnTrack, "文化信息共享工程完成98%,送戏进万村完成55%"),
    (82, OnTrack, "文化服务中心完成率95%,足球场地目标完成率50%"),
    (
        85,
        Behind,
        "受疫情影响乡村旅游预计只完成年度目标30%左右,落后20个百分点",
    ),
    (91, OnTrack, "互联网+监管清单编制率91.3%"),
    (112, OnTrack, "审计项目已完成24个、正在实施5个"),
    (115, OnTrack, "交办线索已全部办结,软弱涣散村已摸排整顿"),
];

/// The tool's suggestion where the reader gives another status (see [`SAMPLE_READER`]).
const SAMPLE_DISAGREED: &[(u32, Status)] = &[
    // The sample's row 61 has its progress in the goal column, so the imported period is
    // blank and "no progress at the half year" says 严重滞后.
    (61, SeriouslyBehind),
];

/// The reader's judgement of the tasks the Q3 fixture updated that get a suggestion
/// (序时进度 75%). The reader agrees with all of them.
const Q3_READER: &[(u32, Status, &str)] = &[
    (8, OnTrack, "公厕47座已完成41座,完成率87%"),
    (
        9,
        OnTrack,
        "121个老旧小区项目已全部开工,38个主体完工,力争年内基本完成",
    ),
    (
        10,
        OnTrack,
        "改厕3.42/3.7万户,农村路完工率100%,污水设施19/25已建成",
    ),
    (17, OnTrack, "民生工程资金投入占年初计划89.5%"),
    (
        20,
        OnTrack,
        "25所公办园已全部开工、16所完工,配套园治理已全部完成",
    ),
    (
        52,
        OnTrack,
        "5G基站2210/2500处(88.4%),登云企业560/700家(80%)",
    ),
    (53, OnTrack, "兼并重组12户已实施9户,恰为75%"),
    (
        85,
        SeriouslyBehind,
        "乡村旅游只完成年度目标49.1%,落后序时进度25.9个百分点",
    ),
    (109, Done, "湾沚区、繁昌区已挂牌,撤县设区工作已全部完成"),
];

#[test]
fn suggestions_on_the_sample_against_a_careful_reader() {
    let (_d, l) = ledger(false);
    let tasks = l.tasks().unwrap();
    let got = suggestions(&tasks);
    print("sample 2020年上半年", &tasks, &got);
    let disagreed: BTreeMap<u32, Status> = SAMPLE_DISAGREED.iter().copied().collect();
    let mut agreed = 0;
    for (n, reader, why) in SAMPLE_READER {
        let tool = got
            .get(n)
            .unwrap_or_else(|| panic!("#{n} lost its suggestion ({why})"))
            .0;
        match disagreed.get(n) {
            Some(&expected) => {
                assert_eq!(tool, expected, "#{n}: re-read it ({why})");
                assert_ne!(tool, *reader);
            }
            None => {
                assert_eq!(tool, *reader, "#{n}: {why}");
                agreed += 1;
            }
        }
    }
    let listed: BTreeSet<u32> = SAMPLE_READER.iter().map(|r| r.0).collect();
    let suggested: BTreeSet<u32> = got.keys().copied().collect();
    assert_eq!(
        suggested, listed,
        "a new suggestion: read the task and list it"
    );
    // Before this change: 22 of 116 tasks, 21 agreed (62 was 未启动 and "consistent").
    assert_eq!((got.len(), agreed), (24, 23));
    // Every reason is Chinese: no English word in any.
    for (n, (_, why)) in &got {
        assert!(
            !why.chars().any(|c| c.is_ascii_alphabetic()),
            "#{n}: English in {why}"
        );
    }
    // The reasons a supervisor reads for the new rules.
    assert_eq!(
        got[&62].1,
        "部分工作尚未开展(0%),序时进度已到50%,其余工作有进展"
    );
    assert_eq!(
        got[&6].1,
        "对照目标岸线造林5560/5000亩(111.2%) ≥ 100%,已完成"
    );
    assert!(
        got[&52].1.contains("(共3项完成指标,取中位数)"),
        "{}",
        got[&52].1
    );
}

#[test]
fn suggestions_after_the_q3_report_against_a_careful_reader() {
    let (_d, l) = ledger(true);
    let tasks = l.tasks().unwrap();
    let q3: Vec<Task> = tasks
        .iter()
        .filter(|t| {
            t.latest_period()
                .is_some_and(|p| p.name == "2020年第三季度")
        })
        .cloned()
        .collect();
    let got = suggestions(&q3);
    print("tasks the Q3 report updated", &q3, &got);
    for (n, reader, why) in Q3_READER {
        assert_eq!(got.get(n).map(|s| s.0), Some(*reader), "#{n}: {why}");
    }
    let listed: BTreeSet<u32> = Q3_READER.iter().map(|r| r.0).collect();
    assert_eq!(got.keys().copied().collect::<BTreeSet<u32>>(), listed);
    assert_eq!((q3.len(), got.len()), (11, 9));
    // 62 reports moving work without a figure, 117 is new with none: no judgement.
    assert!(!got.contains_key(&62) && !got.contains_key(&117));
    let all = suggestions(&tasks);
    assert_eq!((tasks.len(), all.len()), (117, 24));
}

/// 尚未开展 at 前三季度 is no longer 未启动 "consistent" with a task that never moved.
#[test]
fn not_started_at_the_third_quarter_is_seriously_behind() {
    let (_d, l) = ledger(false);
    let mut t62 = l.task(62).unwrap();
    t62.periods.push(Period {
        name: "2020年前三季度".into(),
        paragraphs: vec!["省级现代服务业集聚区申报工作目前尚未开展。".into()],
    });
    let s = suggest::suggest_task(&t62, &Schedule::builtin()).unwrap();
    assert_eq!(s.status, SeriouslyBehind);
    assert_eq!(s.reason, "尚未开展(0%),而序时进度已到75%,应列为严重滞后");
}

#[test]
fn the_diff_pairs_figures_by_what_they_count_across_reworded_sentences() {
    let h1 = Period {
        name: "2020年上半年".into(),
        paragraphs: vec!["2020年全年计划建设5G基站2500处,截至6月底,全市已完成建设5G基站1175处,改造中站点1325处。市区建成区累计79条水体完成整治,剩余3条同步推进。".into()],
    };
    let q3 = Period {
        name: "2020年第三季度".into(),
        paragraphs: vec!["截至9月底,我市5G基站建成数达到1420处(全年计划2500处);已有82条建成区黑臭水体完成整治,余下3条正在推进。".into()],
    };
    let d = periods::diff(&h1, &q3);
    let changed: Vec<String> = d.changed_amounts.iter().map(|c| c.describe()).collect();
    assert_eq!(
        changed,
        ["5G基站建成数 1175处 → 1420处", "建成区黑臭水体 79条 → 82条"]
    );
    assert!(!d.is_empty());
    // Spans cut the amounts out of each period's text.
    let cut = |t: &str, r: &std::ops::Range<usize>| -> String {
        t.chars().skip(r.start).take(r.len()).collect()
    };
    for c in &d.changed_amounts {
        assert_eq!(
            cut(&periods::period_text(&h1), &c.before.text_span),
            c.before.text
        );
        assert_eq!(
            cut(&periods::period_text(&q3), &c.after.text_span),
            c.after.text
        );
    }
    // Different subjects and units never pair.
    let a = Period {
        name: "2020年上半年".into(),
        paragraphs: vec!["新增家庭农场220家,建成5G基站1175处。".into()],
    };
    let b = Period {
        name: "2020年第三季度".into(),
        paragraphs: vec!["新增登云企业560家,建成5G基站1420个。".into()],
    };
    assert!(periods::diff(&a, &b).changed_amounts.is_empty());
}

#[test]
fn the_q3_diff_shows_counted_amounts_that_changed() {
    let (_d, l) = ledger(true);
    let d8 = periods::latest_diff(&l.task(8).unwrap()).unwrap();
    let c8: Vec<String> = d8.changed_amounts.iter().map(|c| c.describe()).collect();
    assert!(c8.contains(&"新建改造 30座 → 41座".to_string()), "{c8:?}");
    let d52 = periods::latest_diff(&l.task(52).unwrap()).unwrap();
    let c52: Vec<String> = d52.changed_amounts.iter().map(|c| c.describe()).collect();
    assert!(
        c52.contains(&"登云企业 320家 → 560家".to_string()),
        "{c52:?}"
    );
    // 1175处 → 2210处 is inside the changed 已完成 ratio (47% → 88.4%): listed once.
    assert!(!c52.iter().any(|c| c.contains("1175处")), "{c52:?}");
    for d in [&d8, &d52] {
        for c in &d.changed_amounts {
            println!("  {}", c.describe());
        }
    }
}
