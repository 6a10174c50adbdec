//! Chinese test data for the UI tests and the UI benchmark: tasks from the built-in sample
//! (2020年上半年芜湖市政府重点工作, a few with made-up statuses, notes and an earlier period),
//! fixed so snapshots do not move when the importer changes.
#![allow(dead_code)]

pub mod measure;
pub mod screen;

use chrono::{TimeZone, Utc};
use duban::classify::DomainRules;
use duban::ledger::Ledger;
use duban::model::{Change, Domain, DomainDecision, Event, Note, Period, Status, Task, Unit};
use duban::store::{Commit, NewEvent, SledStore};

fn units(names: &[&str]) -> Vec<Unit> {
    names
        .iter()
        .map(|n| match *n {
            "市发改委" => Unit {
                written: "市发改委".into(),
                canonical: "市发展和改革委员会".into(),
            },
            other => Unit::plain(other),
        })
        .collect()
}

const COUNTIES: &str = "各县(市)区政府";
const ZONES: &str = "开发区管委会";

#[allow(clippy::too_many_arguments)]
fn task(
    number: u32,
    domain: Domain,
    status: Status,
    goal: &str,
    progress: &[&str],
    lead: &[&str],
    co: &[&str],
) -> Task {
    Task {
        number,
        section: None,
        goal: goal.into(),
        goal_edited: false,
        lead_units: units(lead),
        co_units: units(co),
        domain,
        domain_decision: DomainDecision {
            rule: domain.id().into(),
            reason: "fixture".into(),
            manual: false,
        },
        status,
        notes: Vec::new(),
        periods: vec![Period {
            name: "2020年上半年".into(),
            paragraphs: progress.iter().map(|p| p.to_string()).collect(),
        }],
    }
}

pub fn tasks() -> Vec<Task> {
    use Domain::*;
    use Status::*;
    let mut v = vec![
        task(1, Ecology, OnTrack,
            "秉持“共抓大保护、不搞大开发”理念,加快推进国土空间规划编制,让城市看起来有颜值、走进来有价值、住下来有所值。",
            &["完成基础资料收集和县(市)区、市直重点部门座谈调研。项目编制组正开展规划前期基础研究工作,其中资源环境承载能力和国土空间开发适宜性评价工作已形成初步方案;启动区域协同与发展战略等十二个专题研究;水资源合理利用与配置专题研究已形成初步方案。"],
            &["市自然资源和规划局"], &[COUNTIES, ZONES]),
        task(2, Ecology, Behind,
            "扎实打好污染防治攻坚战。抓好生态环境保护督察和突出生态环境问题整改。",
            &["围绕“三大保卫战”和“七大标志性战役”,向省环委办报送2020年上半年全市污染防治攻坚战进展情况报告。推动生态环保督察整改,各级各类生态环保督察反馈问题加快推进。上级交办我市群众投诉信访1129个,已备案销号1103个,省交办我市“6+12+N”问题共124个,已整改销号75个。"],
            &["市生态环境局"], &[COUNTIES, ZONES]),
        task(3, Ecology, SeriouslyBehind,
            "推动产业环保、智慧环保、法治环保、责任环保、阳光环保。打赢打好污染防治标志性战役,加快创建“无废城市”。持续推进矿山生态修复。",
            &["督促在建生产矿山边开采边治理,2020年全市42家在建生产矿山计划治理1300余亩,目前已完成治理面积近650亩。"],
            &["市生态环境局", "市自然资源和规划局", "市城管局", "市住建局", "市水务局"], &[COUNTIES, ZONES, "市重点处"]),
        task(14, Ecology, OnTrack,
            "加大黑臭水体整治力度。",
            &["截止目前,市区建成区累计79条水体完成整治,剩余3条水体按标本兼治的原则,将提质增效行动与水系整治统筹考虑,同步推进水下和岸上工作;对已整治的水系,每周定期组织水质监测、专业人员走河,对发现的问题及时反馈并要求及时整改。无为市2条和繁昌县5条建成区黑臭水体整治工作已基本完成,正在维护期;南陵县5条黑臭水体已全部开工整治。"],
            &["市住建局"], &[COUNTIES, ZONES, "市农业农村局", "市水务局", "市城管局"]),
        task(15, Ecology, NotStarted,
            "启动元亩塘公园规划,推进市政园林精细化养护。",
            &["启动元亩塘规划:项目总占地约102.5公顷;项目总投资4.185亿元,方案正在设计中,已进行过轮对接;一期土地利用调整规划省自规厅已通过审查。", "推进市政园林精细化养护:2020年各县(市)、区、开发区市政园林整治提升共96个项目,启动市政园林设施年度专项整治提升行动,定期组织开展检查。"],
            &["市自然资源和规划局", "市城管局"], &[]),
        task(16, Ecology, Done,
            "加大与三峡集团合作力度,推进城镇污水PPP合作项目建设。",
            &["城区污水处理厂扩建项目进展顺利,朱家桥污水厂三期扩建工程累计完成工程投资额的33%;城南污水处理厂二期扩建工程累计完成工程投资额的51%;滨江污水厂一期二阶段已完成工程投资额的60%。"],
            &["市国资委", "市住建局"], &[COUNTIES, ZONES]),
        task(17, Livelihood, OnTrack,
            "实施33项民生工程",
            &["截至6月底,全市完成民生工程资金投入65.59亿元,占年初计划的73.25%。“四带一自”产业扶贫工程、党建引领扶贫工程、农村危房改造、农村饮水安全巩固提升工程等项目提前完成年度目标任务,其他补助参保类项目按时有序发放。"],
            &["市财政局"], &[COUNTIES, ZONES]),
        task(18, Livelihood, Behind,
            "高质量完成脱贫攻坚任务。",
            &["在攻克深度贫困堡垒、巩固脱贫成果、防范返贫方面持续发力,确保建档立卡贫困人口全部脱贫,不让一个困难群众在小康路上掉队。一是强化调度、压实责任。市扶贫开发领导小组实行月调度,市扶贫办实现周调度,共调度13次。二是强化推进、完善机制。建立脱贫攻坚动态监测机制,帮扶责任人每月走访贫困户。三是强化暗访、注重实效。共开展3轮暗访,覆盖所有有扶贫开发任务的镇村,发出暗访通报3期。"],
            &["市扶贫办"], &[COUNTIES, ZONES]),
        task(28, Reform, SeriouslyBehind,
            "深化基本养老保险制度改革。完善工伤保险管理服务机制。",
            &["深化基本养老保险制度改革:一是建立芜湖市统筹推进基本养老保险改革工作联席会议制度。二是根据省级统筹规定,提出进一步规范我市企业职工基本养老保险工作的意见和建议。三是出台《关于进一步规范被征地农民参加基本养老保险有关事项的通知》。"],
            &["市人社局"], &[COUNTIES, ZONES]),
        task(38, Livelihood, NotStarted,
            "加强食品药品安全事中事后监管。",
            &["食品监管方面,按照风险分级开展全覆盖检查。上半年完成食品小作坊登记615家,覆盖率100%;检查餐饮服务单位9719家,覆盖率95%。"],
            &["市市场监管局"], &["市财政局", COUNTIES, ZONES]),
        task(45, Innovation, OnTrack,
            "加快5G网络建设,新建5G基站1500个以上。",
            &["上半年新建5G基站1175处,完成率78.3%。1.完成主城区重点区域覆盖。2.推进工业园区5G专网建设。"],
            &["市数据资源局"], &["市通信发展办", COUNTIES]),
        task(61, Innovation, Behind,
            "完善服务业重大项目库。",
            &["谋划摸排服务业“十四五”规划亿元以上重大工程项目共201个,总投资2790.84亿元,其中5亿元以上项目95个,总投资2539.93亿元;冷链物流34个,总投资23.46亿元,2020年计划投资1.67亿元。"],
            &["市发改委", "市商务局"], &[]),
        task(90, Reform, NotStarted, "深化“放管服”改革,推进“一网通办”。", &[], &["市数据资源局"], &["市发改委"]),
    ];
    // Task 14 also has an earlier period, so the detail shows two (latest first).
    v[3].periods.insert(
        0,
        Period {
            name: "2019年下半年".into(),
            paragraphs: vec![
                "(1)完成黑臭水体排查。(2)制定整治方案,明确责任单位和完成时限。".into(),
            ],
        },
    );
    v[8].notes.push(Note {
        at: Utc
            .with_ymd_and_hms(2020, 8, 14, 2, 30, 0)
            .single()
            .expect("time"),
        user: "wangli".into(),
        text: "约谈市人社局,要求8月底前拿出整改方案。".into(),
    });
    v
}

pub fn history() -> Vec<Event> {
    let at = |d, h| {
        Utc.with_ymd_and_hms(2020, 8, d, h, 0, 0)
            .single()
            .expect("time")
    };
    let mut out = Vec::new();
    for (i, t) in tasks().iter().enumerate() {
        out.push(Event {
            seq: i as u64 + 1,
            task: t.number,
            at: at(13, 1),
            user: "importer".into(),
            change: Change::Import {
                period: "2020年上半年".into(),
                source: "sample".into(),
            },
            note: None,
        });
    }
    let n = out.len() as u64;
    out.push(Event {
        seq: n + 1,
        task: 28,
        at: at(14, 2),
        user: "wangli".into(),
        change: Change::Status {
            from: Status::Behind,
            to: Status::SeriouslyBehind,
            undo: false,
        },
        note: Some("连续两期无实质进展".into()),
    });
    out.push(Event {
        seq: n + 2,
        task: 28,
        at: at(14, 2),
        user: "wangli".into(),
        change: Change::Note {
            text: "约谈市人社局,要求8月底前拿出整改方案。".into(),
        },
        note: None,
    });
    out
}

/// A ledger on a temporary sled database holding the fixture, as user `tester`.
pub fn ledger(dir: &std::path::Path) -> Ledger {
    let store = SledStore::open(&dir.join("ui.db")).expect("open test db");
    let ledger = Ledger::new(Box::new(store), "tester".into(), DomainRules::builtin());
    let events = history()
        .into_iter()
        .map(|e| NewEvent {
            task: e.task,
            at: e.at,
            user: e.user,
            change: e.change,
            note: e.note,
        })
        .collect();
    ledger
        .store()
        .commit(Commit {
            put: tasks(),
            events,
            ..Commit::default()
        })
        .expect("write fixture");
    ledger
}

/// Many tasks (for scrolling and paging): the fixture repeated with new numbers.
pub fn many_tasks(n: u32) -> Vec<Task> {
    let base = tasks();
    (0..n)
        .map(|i| {
            let mut t = base[i as usize % base.len()].clone();
            t.number = i + 1;
            t
        })
        .collect()
}

/// A ledger on a temporary database holding the built-in sample (116 tasks), as `tester`.
pub fn sample_ledger(dir: &std::path::Path) -> Ledger {
    let store = SledStore::open(&dir.join("sample.db")).expect("open test db");
    let ledger = Ledger::new(Box::new(store), "tester".into(), DomainRules::builtin());
    ledger
        .apply(duban::ops::Op::EnsureSample)
        .expect("sample loads");
    ledger
}

/// The Q3 2020 fixture report (10 of the sample's tasks, labelled layout).
pub const Q3_REPORT: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/q3_2020/report_labelled.txt"
));

/// The built-in sample with the 2020年第三季度 fixture imported on top of it the careful way
/// (`Ledger::import` matches rows to tasks), as `tester`: task 8 then has two periods, 完成率64% → 87%.
pub fn q3_ledger(dir: &std::path::Path) -> Ledger {
    let ledger = sample_ledger(dir);
    let op = duban::ops::Op::import(
        Q3_REPORT.as_bytes().to_vec(),
        "tests/fixtures/q3_2020/report_labelled.txt",
        None,
        false,
    );
    ledger.apply(op).expect("Q3 merges");
    ledger
}

/// The tasks and history of [`q3_ledger`], every event at one fixed time (so screens that
/// show the history do not move from run to run).
pub fn q3_tasks_and_history() -> (Vec<Task>, Vec<Event>) {
    let dir = tempfile::tempdir().expect("tmp");
    let ledger = q3_ledger(dir.path());
    let at = Utc
        .with_ymd_and_hms(2020, 10, 15, 1, 0, 0)
        .single()
        .expect("time");
    let history = ledger
        .history(None)
        .expect("history")
        .into_iter()
        .map(|mut e| {
            e.at = at;
            e
        })
        .collect();
    (ledger.tasks().expect("tasks"), history)
}
