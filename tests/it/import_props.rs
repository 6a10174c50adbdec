//! Property tests of the importer. (a) Nothing panics: arbitrary bytes, arbitrary strings,
//! strings made of the layouts' own tokens, and the fixtures truncated or with lines dropped
//! or repeated. (b) Generated reports in every non-sample layout and variant are read back
//! exactly: the same tasks in order, with the right numbers, and every non-whitespace
//! character of each goal, progress paragraph and unit name in the right field.

use duban::import::{self, Aliases, Layout, Report};
use proptest::prelude::*;
use proptest::sample::{select, subsequence};

// ----------------------------------------------------------------------------------------------
// Vocabulary (from the sample's rows)
// ----------------------------------------------------------------------------------------------

const GOALS: &[&str] = &[
    "加快推进国土空间规划编制,让城市看起来有颜值、走进来有价值、住下来有所值。",
    "扎实打好污染防治攻坚战。抓好生态环境保护督察和突出生态环境问题整改。",
    "全域推进生活垃圾分类,完善垃圾分类体系建设。",
    "推进城市有机更新和生态修复,实施“适老化”和“节能化”小区改造试点工作。",
    "扎实推进水污染治理、水和土壤生态修复,打造美丽长江(芜湖)经济带。",
    "实施33项民生工程",
    "高质量完成脱贫攻坚任务。",
    "推进城乡教育一体化深度融合。加快集团化办学。",
    "新招引高层次科技人才团队30个。",
    "推进医养康养结合,加快养老服务供给侧改革。",
    "完善公墓建设。",
    "加强食品药品安全事中事后监管。",
    "制定出台“尖20”计划,开展前瞻性技术研究和“卡脖子”关键核心技术攻关。",
    "大力推广电子营业执照多场景应用,加速推进“法人一证通”建设。",
    "发展假日和夜间经济,打造夜游、夜娱、夜读、夜购、夜宿等产品。",
    "优化道路交通体系,加快城南过江隧道、九华南路大茆立交、长江路高架等重大工程建设。",
];

const PROGRESS: &[&str] = &[
    "完成基础资料收集和县(市)区、市直重点部门座谈调研。",
    "上级交办我市群众投诉信访1129个,已备案销号1103个。",
    "截至6月底,全市完成民生工程资金投入65.59亿元,占年初计划的73.25%。",
    "目前已开工80%,力争年内基本完成。",
    "一是强化调度、压实责任。二是强化推进、完善机制。",
    "1.落实国家、省《关于做好医养结合机构审批登记工作的通知》,加强医养结合机构审批登记。",
    "2.全面放开养老服务市场,上半年共备案5家养老机构,新增养老床位910张。",
    "3.推动民生工程实施,我市三级中心覆盖率均达85%以上。",
    "2.出台《关于市中心城区跨区域集团化办学实施方案》及2020—2022年规划。",
    "今年计划农村改厕3.7万户,已完成农村改厕2.6万户。",
    "市区建成区累计79条水体完成整治,剩余3条同步推进水下和岸上工作。",
    "推荐362家企业申报,其中新认定189家。",
    "此项工作正在进行中。",
    "上半年,全市共查处酒驾1410起,同比上升5.4%。",
    "印发《芜湖市生活垃圾分类2020年工作要点》。",
    "生活垃圾分类工作:",
];

const UNITS: &[&str] = &[
    "市自然资源和规划局",
    "市生态环境局",
    "市发改委",
    "市住建局",
    "市水务局",
    "市城管局",
    "市财政局",
    "市教育局",
    "市人社局",
    "市卫健委",
    "市民政局",
    "市科技局",
    "市市场监管局",
    "市数据资源管理局",
    "市重点处",
    "大数据中心",
    "开发区管委会",
    "无为市",
    "市扶贫办",
    "市交通运输局",
    // Names broken by a stray space, as copies often have them.
    "市自然资源 和规划局",
    "开发区 管委会",
];

const COUNTIES: &str = "各县(市)区政府";

const SECTIONS: &[(&str, &str)] = &[
    ("一", "确保完成全年主要预期目标"),
    ("二", "持续改善生态环境"),
    ("三", "保障和改善民生"),
    ("四", "推动创新发展"),
    ("五", "深化改革开放"),
];

#[derive(Debug, Clone)]
struct Task {
    goal: String,
    progress: Vec<String>,
    lead: Vec<String>,
    co: Vec<String>,
    /// Index into SECTIONS: the task is under that heading.
    section: Option<usize>,
}

impl Task {
    fn all_units(&self) -> Vec<String> {
        self.lead.iter().chain(&self.co).cloned().collect()
    }
}

fn task() -> impl Strategy<Value = Task> {
    (
        select(GOALS),
        proptest::collection::vec(select(PROGRESS), 0..4),
        subsequence(UNITS, 1..4),
        subsequence(UNITS, 0..3),
        any::<bool>(),
    )
        .prop_map(|(goal, progress, lead, co, counties)| {
            let mut co: Vec<String> = co.into_iter().map(str::to_string).collect();
            if counties {
                co.insert(0, COUNTIES.to_string());
            }
            Task {
                goal: goal.to_string(),
                progress: progress.into_iter().map(str::to_string).collect(),
                lead: lead.into_iter().map(str::to_string).collect(),
                co,
                section: None,
            }
        })
}

/// 1 to 8 tasks, with section headings over runs of them when `sections` says so.
fn tasks() -> impl Strategy<Value = Vec<Task>> {
    (
        proptest::collection::vec(task(), 1..9),
        any::<bool>(),
        1usize..4,
    )
        .prop_map(|(mut ts, sections, per)| {
            if sections {
                for (i, t) in ts.iter_mut().enumerate() {
                    t.section = Some((i / per).min(SECTIONS.len() - 1));
                }
            }
            ts
        })
}

fn section_heading(k: usize) -> String {
    let (n, name) = SECTIONS[k];
    format!("{n}、{name}")
}

/// Full-width punctuation for the whole document (as most government files have it).
fn full_width(doc: &str) -> String {
    doc.chars()
        .map(|c| match c {
            '(' => '\u{ff08}',
            ')' => '\u{ff09}',
            ',' => '\u{ff0c}',
            ':' => '\u{ff1a}',
            ';' => '\u{ff1b}',
            c => c,
        })
        .collect()
}

/// The non-whitespace characters, punctuation folded to half-width: what must survive.
fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{ff08}' => '(',
            '\u{ff09}' => ')',
            '\u{ff0c}' => ',',
            '\u{ff1a}' => ':',
            '\u{ff1b}' => ';',
            c => c,
        })
        .collect()
}

fn norms(v: &[String]) -> Vec<String> {
    v.iter().map(|s| norm(s)).collect()
}

/// How the units of a generated task must come back.
#[derive(Debug, Clone, Copy, PartialEq)]
enum UnitsAs {
    /// Separate lead and co columns.
    Columns,
    /// One list: the first-listed unit leads.
    Single,
}

/// Imports `doc` and checks it gives back exactly `tasks`. `first` is the first row number when
/// the document is numbered (rows must be `first`, `first + 1`…), None when it is not (rows
/// are numbered 1, 2…).
fn check(
    doc: &str,
    layout: Layout,
    tasks: &[Task],
    first: Option<u32>,
    units: UnitsAs,
) -> Result<(), TestCaseError> {
    let report: Report = import::import_bytes(doc.as_bytes(), "generated.txt", &Aliases::builtin())
        .map_err(|e| TestCaseError::fail(format!("{e}\n--- document ---\n{doc}")))?;
    let ctx = || format!("\n--- document ---\n{doc}\n--- report ---\n{report:#?}");
    prop_assert_eq!(report.layout, layout, "layout{}", ctx());
    prop_assert!(
        report.unplaced.is_empty(),
        "nothing may be unplaced{}",
        ctx()
    );
    prop_assert_eq!(report.rows.len(), tasks.len(), "row count{}", ctx());
    let start = first.unwrap_or(1);
    for (i, (row, t)) in report.rows.iter().zip(tasks).enumerate() {
        prop_assert_eq!(row.number, start + i as u32, "number of row {}{}", i, ctx());
        prop_assert_eq!(norm(&row.goal), norm(&t.goal), "goal of row {}{}", i, ctx());
        let progress: Vec<String> = row.progress.clone();
        prop_assert_eq!(
            norms(&progress),
            norms(&t.progress),
            "progress of row {}{}",
            i,
            ctx()
        );
        let lead: Vec<String> = row.lead_units.iter().map(|u| norm(&u.written)).collect();
        let co: Vec<String> = row.co_units.iter().map(|u| norm(&u.written)).collect();
        let (want_lead, want_co) = match units {
            UnitsAs::Columns => (norms(&t.lead), norms(&t.co)),
            UnitsAs::Single => {
                let all = norms(&t.all_units());
                (all[..1].to_vec(), all[1..].to_vec())
            }
        };
        prop_assert_eq!(lead, want_lead, "lead units of row {}{}", i, ctx());
        prop_assert_eq!(co, want_co, "co units of row {}{}", i, ctx());
        let want_section = t.section.map(|k| norm(&section_heading(k)));
        prop_assert_eq!(
            row.section.as_deref().map(norm),
            want_section,
            "section of row {}{}",
            i,
            ctx()
        );
    }
    Ok(())
}

/// Each task's number: `first`, `first + 1`… or, when `restart`, 1, 2… again under each section.
fn numbers(tasks: &[Task], first: u32, restart: bool) -> Vec<u32> {
    let mut out = Vec::with_capacity(tasks.len());
    let mut prev = None;
    let mut k = 0u32;
    for (i, t) in tasks.iter().enumerate() {
        if restart {
            if t.section != prev || i == 0 {
                k = 0;
                prev = t.section;
            }
            k += 1;
            out.push(k);
        } else {
            out.push(first + i as u32);
        }
    }
    out
}

/// What the rows must be numbered from: the report's own numbers, or 1, 2… when it has none
/// (or numbers each section from 1 again).
fn expected_first(numbered: Option<u32>, restart: bool) -> Option<u32> {
    numbered.filter(|_| !restart)
}

/// `一` … `九十九`.
fn chinese(n: u32) -> String {
    let d = |k: u32| ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"][k as usize % 10];
    match n {
        1..=9 => d(n).to_string(),
        10 => "十".to_string(),
        11..=19 => format!("十{}", d(n % 10)),
        _ => format!("{}十{}", d(n / 10), d(n % 10)),
    }
}

/// Writes a section heading before a task when the task's section differs from the one before.
fn heading_if_new(out: &mut String, prev: &mut Option<usize>, t: &Task) {
    if t.section != *prev {
        if let Some(k) = t.section {
            out.push_str(&section_heading(k));
            out.push('\n');
        }
        *prev = t.section;
    }
}

// ----------------------------------------------------------------------------------------------
// Cells
// ----------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy)]
enum CellsOrder {
    /// 序号 目标与任务 工作进展 牵头责任单位 责任单位
    GoalProgressUnits,
    /// 序号 目标与任务 牵头单位 配合单位 完成情况
    GoalUnitsProgress,
}

#[derive(Debug, Clone)]
struct CellsDoc {
    order: CellsOrder,
    /// One cell per blank-line-separated paragraph, else one per line.
    paragraphs: bool,
    numbered: Option<u32>,
    /// Lead units one per line (else one line, `、`-separated).
    lead_lines: bool,
    /// Progress sub-items numbered by bare-number lines (`1` then its text).
    bare_sub_items: bool,
    /// Numbers start again at 1 under each section.
    restart: bool,
    fullwidth: bool,
}

fn cells_doc() -> impl Strategy<Value = CellsDoc> {
    let flags = (
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    );
    (flags, proptest::option::of(1u32..30)).prop_map(
        |((order, paragraphs, lead_lines, bare_sub_items, restart, fullwidth), numbered)| {
            CellsDoc {
                order: if order {
                    CellsOrder::GoalProgressUnits
                } else {
                    CellsOrder::GoalUnitsProgress
                },
                paragraphs,
                numbered,
                lead_lines,
                bare_sub_items,
                restart,
                fullwidth,
            }
        },
    )
}

/// With one cell per line nothing marks where the lead cell ends: duban takes the first line
/// after the first that lists several names or starts with `各`, or whose names the document
/// shows as co units elsewhere, as the co cell. Generated co cells follow that rule (a lone co
/// unit is written with `各县(市)区政府` before it), and a lead unit written on a later line is
/// never one the document lists as a co unit (that case cannot be told apart).
fn fit_units_for_lines(ts: &mut [Task]) {
    for t in ts.iter_mut() {
        if t.co.len() == 1 && !t.co[0].starts_with('各') {
            t.co.insert(0, COUNTIES.to_string());
        }
    }
    let co: std::collections::HashSet<String> = ts
        .iter()
        .flat_map(|t| t.co.iter().map(|n| norm(n)))
        .collect();
    for t in ts.iter_mut() {
        let first = t.lead[0].clone();
        t.lead.retain(|n| *n == first || !co.contains(&norm(n)));
    }
}

fn render_cells(d: &CellsDoc, tasks: &[Task]) -> String {
    let sep = if d.paragraphs { "\n\n" } else { "\n" };
    // A title that itself reads like a column name must stay out of the header.
    let title = if d.lead_lines {
        "2020年上半年市政府重点工作任务进展情况反馈表\n\n"
    } else {
        "重点工作任务进展情况表\n"
    };
    let mut out = String::from(title);
    // Header wordings vary from report to report (picked from the number so the case
    // shrinks with it).
    let w = d.numbered.unwrap_or(0) as usize % 3;
    let goal = ["目标与任务", "重点工作任务", "重点工作任务及目标"][w];
    let progress = ["工作进展", "完成情况", "上半年工作进展"][w];
    let lead = ["牵头责任单位", "牵头单位", "牵头单位(部门)"][w];
    let co = ["责任单位", "配合单位", "协同责任单位"][w];
    let header: Vec<&str> = match d.order {
        CellsOrder::GoalProgressUnits => vec!["序号", goal, progress, lead, co],
        CellsOrder::GoalUnitsProgress => vec!["序号", goal, lead, co, progress],
    };
    out.push_str(&header.join(sep));
    out.push_str(sep);
    let nums = numbers(tasks, d.numbered.unwrap_or(1), d.restart);
    let mut prev = None;
    for (i, t) in tasks.iter().enumerate() {
        if t.section != prev {
            if let Some(k) = t.section {
                out.push_str(&section_heading(k));
                out.push_str(sep);
            }
            prev = t.section;
        }
        if d.numbered.is_some() {
            out.push_str(&format!("{}{sep}", nums[i]));
        }
        out.push_str(&t.goal);
        out.push_str(sep);
        let progress = |out: &mut String| {
            if t.progress.is_empty() {
                return;
            }
            let lines: Vec<String> = t
                .progress
                .iter()
                .enumerate()
                .map(|(k, p)| {
                    if d.bare_sub_items {
                        format!("{}\n{p}", k + 1)
                    } else {
                        p.clone()
                    }
                })
                .collect();
            out.push_str(&lines.join("\n"));
            out.push_str(sep);
        };
        let units = |out: &mut String| {
            let lead = if d.lead_lines {
                t.lead.join("\n")
            } else {
                t.lead.join("、")
            };
            out.push_str(&lead);
            out.push_str(sep);
            if !t.co.is_empty() {
                out.push_str(&t.co.join("、"));
                out.push_str(sep);
            }
        };
        match d.order {
            CellsOrder::GoalProgressUnits => {
                progress(&mut out);
                units(&mut out);
            }
            CellsOrder::GoalUnitsProgress => {
                units(&mut out);
                progress(&mut out);
            }
        }
    }
    if d.fullwidth {
        full_width(&out)
    } else {
        out
    }
}

fn expected_progress_for_bare(d: &CellsDoc, tasks: &mut [Task]) {
    if d.bare_sub_items {
        for t in tasks.iter_mut() {
            for (k, p) in t.progress.iter_mut().enumerate() {
                *p = format!("{}{p}", k + 1);
            }
        }
    }
}

// ----------------------------------------------------------------------------------------------
// Labelled
// ----------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct LabelledDoc {
    numbered: Option<u32>,
    /// `N.` `N、` `(N)`.
    id_style: u8,
    /// Permutation of progress (0), lead (1), co (2).
    order: Vec<u8>,
    /// Label text on the line after the label instead of after the colon.
    own_line: bool,
    /// `责任单位:` alone (single list) instead of `牵头责任单位:` + `协同责任单位:`.
    single: bool,
    co_label: u8,
    /// Numbers start again at 1 under each section.
    restart: bool,
    /// Lead and co labels on one line: `牵头责任单位:X  协同责任单位:Y`.
    inline_units: bool,
    /// The first label on the task's own line, after the goal.
    label_on_task_line: bool,
    fullwidth: bool,
}

fn labelled_doc() -> impl Strategy<Value = LabelledDoc> {
    let flags = (
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    );
    (
        proptest::option::of(1u32..30),
        0u8..3,
        Just(vec![0u8, 1, 2]).prop_shuffle(),
        prop::bool::weighted(0.2),
        0u8..3,
        flags,
    )
        .prop_map(
            |(
                numbered,
                id_style,
                order,
                single,
                co_label,
                (own_line, restart, inline_units, label_on_task_line, fullwidth),
            )| {
                LabelledDoc {
                    numbered,
                    id_style,
                    order,
                    own_line,
                    single,
                    co_label,
                    restart,
                    inline_units,
                    label_on_task_line,
                    fullwidth,
                }
            },
        )
}

fn render_labelled(d: &LabelledDoc, tasks: &[Task]) -> String {
    let mut out = String::from("2020年上半年市政府重点工作进展情况\n\n");
    let nums = numbers(tasks, d.numbered.unwrap_or(1), d.restart);
    let mut prev = None;
    for (i, t) in tasks.iter().enumerate() {
        heading_if_new(&mut out, &mut prev, t);
        let mut task_line = match d.numbered {
            Some(_) => {
                let n = nums[i];
                let id = match d.id_style {
                    0 => format!("{n}."),
                    1 => format!("{n}、"),
                    _ => format!("({n})"),
                };
                format!("{id}{}", t.goal)
            }
            None => t.goal.clone(),
        };
        let label = |name: &str, body: &[String], join: &str| {
            if d.own_line {
                format!("{name}:\n{}", body.join("\n"))
            } else {
                format!("{name}:{}", body.join(join))
            }
        };
        let co_first = d.order.iter().position(|p| *p == 2) < d.order.iter().position(|p| *p == 1);
        // `责任单位:` before `牵头责任单位:` would read as the task's only list (as it is in a
        // report without lead labels): before the lead label the co list is written
        // `协同责任单位:` or `配合单位:`.
        let co_names = if co_first {
            ["协同责任单位", "配合单位", "协同责任单位"]
        } else {
            ["协同责任单位", "责任单位", "配合单位"]
        };
        let co_name = co_names[d.co_label as usize % 3];
        let inline_units = d.inline_units && !d.own_line && !d.single && !t.co.is_empty();
        let mut blocks: Vec<String> = Vec::new();
        for part in &d.order {
            match part {
                0 if !t.progress.is_empty() => {
                    let name = ["进展情况", "工作进展", "完成情况"][i % 3];
                    blocks.push(label(name, &t.progress, "\n"));
                }
                1 if d.single => blocks.push(label("责任单位", &t.all_units(), "、")),
                1 if inline_units => blocks.push(format!(
                    "牵头责任单位:{}  {co_name}:{}",
                    t.lead.join("、"),
                    t.co.join("、")
                )),
                1 => blocks.push(label("牵头责任单位", &t.lead, "、")),
                2 if !d.single && !t.co.is_empty() && !inline_units => {
                    blocks.push(label(co_name, &t.co, "、"))
                }
                _ => {}
            }
        }
        // Only a numbered task line can carry its first label: an unnumbered one would be read
        // as a sentence.
        if d.label_on_task_line && d.numbered.is_some() && !d.own_line && !blocks.is_empty() {
            let first = blocks.remove(0);
            let sep = if task_line.ends_with('。') { "" } else { " " };
            task_line = format!("{task_line}{sep}{first}");
        }
        out.push_str(&task_line);
        out.push('\n');
        for b in blocks {
            out.push_str(&b);
            out.push('\n');
        }
    }
    if d.fullwidth {
        full_width(&out)
    } else {
        out
    }
}

// ----------------------------------------------------------------------------------------------
// Pipe
// ----------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct PipeDoc {
    numbered: Option<u32>,
    id_style: u8,
    /// Permutation of goal (0), progress (1), lead (2), co (3).
    columns: Vec<u8>,
    with_progress: bool,
    outer_pipes: bool,
    /// Sections as `| 一 | … | | |` rows (else as heading lines between rows).
    section_rows: bool,
    /// Units separated by spaces (else `、`).
    space_units: bool,
    /// Co units on several lines of their cell (`<br>`).
    br_units: bool,
    restart: bool,
    fullwidth: bool,
}

fn pipe_doc() -> impl Strategy<Value = PipeDoc> {
    let flags = (
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    );
    (
        proptest::option::of(1u32..30),
        0u8..3,
        Just(vec![0u8, 1, 2, 3]).prop_shuffle(),
        flags,
    )
        .prop_map(
            |(
                numbered,
                id_style,
                columns,
                (
                    with_progress,
                    outer_pipes,
                    section_rows,
                    space_units,
                    br_units,
                    restart,
                    fullwidth,
                ),
            )| {
                PipeDoc {
                    numbered,
                    id_style,
                    columns,
                    with_progress,
                    outer_pipes,
                    section_rows,
                    space_units,
                    br_units,
                    restart,
                    fullwidth,
                }
            },
        )
}

fn render_pipe(d: &PipeDoc, tasks: &[Task]) -> String {
    let cols: Vec<u8> = d
        .columns
        .iter()
        .copied()
        .filter(|c| *c != 1 || d.with_progress)
        .collect();
    let row = |cells: Vec<String>| {
        let inner = cells.join(" | ");
        if d.outer_pipes {
            format!("| {inner} |\n")
        } else {
            format!("{inner} |\n")
        }
    };
    let mut out = String::from("# 2020年度市政府重点工作任务进展情况\n\n");
    let mut header = vec!["序号".to_string()];
    header.extend(
        cols.iter().map(|c| {
            ["目标与任务", "工作进展", "牵头责任单位", "责任单位"][*c as usize].to_string()
        }),
    );
    out.push_str(&row(header.clone()));
    out.push_str(&row(header.iter().map(|_| "---".to_string()).collect()));
    let units_sep = if d.space_units { " " } else { "、" };
    let co_sep = if d.br_units { "<br>" } else { units_sep };
    let nums = numbers(tasks, d.numbered.unwrap_or(1), d.restart);
    let mut prev = None;
    for (i, t) in tasks.iter().enumerate() {
        if t.section != prev {
            if let Some(k) = t.section {
                if d.section_rows {
                    let (n, name) = SECTIONS[k];
                    let mut cells = vec![n.to_string()];
                    cells.extend(cols.iter().map(|c| {
                        if *c == 0 {
                            name.to_string()
                        } else {
                            String::new()
                        }
                    }));
                    out.push_str(&row(cells));
                } else {
                    out.push_str(&section_heading(k));
                    out.push('\n');
                }
            }
            prev = t.section;
        }
        let id = match d.numbered {
            Some(_) => {
                let n = nums[i];
                match d.id_style {
                    0 => n.to_string(),
                    1 => format!("({n})"),
                    _ => format!("{n}."),
                }
            }
            None => String::new(),
        };
        let mut cells = vec![id];
        for c in &cols {
            cells.push(match c {
                0 => t.goal.clone(),
                1 => t.progress.join("<br>"),
                2 => t.lead.join(units_sep),
                _ => t.co.join(co_sep),
            });
        }
        out.push_str(&row(cells));
    }
    if d.fullwidth {
        full_width(&out)
    } else {
        out
    }
}

// ----------------------------------------------------------------------------------------------
// Parenthesized
// ----------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct ParenDoc {
    numbered: Option<u32>,
    id_style: u8,
    /// 0: `(牵头责任单位:X;责任单位:Y)`, 1: `(X牵头,Y按职责分工负责)`, 2: `(X牵头,Y配合落实)`,
    /// 3: `(责任单位:X、Y)` (single list).
    form: u8,
    /// The sentence's `。` after the parenthesis instead of before it.
    period_after: bool,
    /// The first progress paragraph on the task's own line, after the parenthesis.
    progress_inline: bool,
    restart: bool,
    fullwidth: bool,
}

fn paren_doc() -> impl Strategy<Value = ParenDoc> {
    let flags = (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>());
    (proptest::option::of(1u32..30), 0u8..4, 0u8..4, flags).prop_map(
        |(numbered, id_style, form, (period_after, progress_inline, restart, fullwidth))| {
            ParenDoc {
                numbered,
                id_style,
                form,
                period_after,
                progress_inline,
                restart,
                fullwidth,
            }
        },
    )
}

fn render_paren(d: &ParenDoc, tasks: &[Task]) -> String {
    let mut out = String::from("2021年市政府工作报告重点工作任务分解\n\n为确保目标任务落到实处,现将重点工作任务分解如下:\n");
    let nums = numbers(tasks, d.numbered.unwrap_or(1), d.restart);
    let mut prev = None;
    for (i, t) in tasks.iter().enumerate() {
        heading_if_new(&mut out, &mut prev, t);
        let id = match d.numbered {
            Some(_) => {
                let n = nums[i];
                match d.id_style {
                    0 => format!("{n}."),
                    1 => format!("({n})"),
                    2 => format!("{n}、"),
                    _ => format!("{}是", chinese(n)),
                }
            }
            None => String::new(),
        };
        let lead = t.lead.join("、");
        let co = t.co.join("、");
        let paren = match (d.form, co.is_empty()) {
            (0, true) => format!("(牵头责任单位:{lead})"),
            (0, false) => format!("(牵头责任单位:{lead};责任单位:{co})"),
            (1 | 2, true) => format!("({lead}牵头)"),
            (1, false) => format!("({lead}牵头,{co}按职责分工负责)"),
            (2, false) => format!("({lead}牵头,{co}配合落实)"),
            _ => format!("(责任单位:{})", t.all_units().join("、")),
        };
        let (goal, after) = match (d.period_after, t.goal.strip_suffix('。')) {
            (true, Some(g)) => (g.to_string(), "。"),
            _ => (t.goal.clone(), ""),
        };
        out.push_str(&format!("{id}{goal}{paren}{after}"));
        let mut rest = t.progress.iter();
        if d.progress_inline {
            if let Some(p) = rest.next() {
                out.push_str(p);
            }
        }
        out.push('\n');
        for p in rest {
            out.push_str(p);
            out.push('\n');
        }
    }
    if d.fullwidth {
        full_width(&out)
    } else {
        out
    }
}

// ----------------------------------------------------------------------------------------------
// (b) Generated reports come back exactly
// ----------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(crate::common::proptest_config(192))]

    #[test]
    fn cells_reports_lose_nothing(d in cells_doc(), mut ts in tasks()) {
        if !d.paragraphs {
            fit_units_for_lines(&mut ts);
        }
        let doc = render_cells(&d, &ts);
        expected_progress_for_bare(&d, &mut ts);
        check(&doc, Layout::Cells, &ts, expected_first(d.numbered, d.restart), UnitsAs::Columns)?;
    }

    #[test]
    fn cells_reports_with_one_units_column_lose_nothing(numbered in proptest::option::of(1u32..30), ts in tasks(), fullwidth in any::<bool>()) {
        let mut doc = String::from("重点工作任务进展情况表\n序号\n工作任务\n责任单位\n进展情况\n");
        let mut prev = None;
        for (i, t) in ts.iter().enumerate() {
            heading_if_new(&mut doc, &mut prev, t);
            if let Some(first) = numbered {
                doc.push_str(&format!("{}\n", first + i as u32));
            }
            doc.push_str(&format!("{}\n{}\n", t.goal, t.all_units().join("、")));
            for p in &t.progress {
                doc.push_str(&format!("{p}\n"));
            }
        }
        let doc = if fullwidth { full_width(&doc) } else { doc };
        check(&doc, Layout::Cells, &ts, numbered, UnitsAs::Single)?;
    }

    #[test]
    fn labelled_reports_lose_nothing(d in labelled_doc(), ts in tasks()) {
        let doc = render_labelled(&d, &ts);
        let units = if d.single { UnitsAs::Single } else { UnitsAs::Columns };
        check(&doc, Layout::Labelled, &ts, expected_first(d.numbered, d.restart), units)?;
    }

    #[test]
    fn pipe_reports_lose_nothing(d in pipe_doc(), mut ts in tasks()) {
        if !d.with_progress {
            ts.iter_mut().for_each(|t| t.progress.clear());
        }
        let doc = render_pipe(&d, &ts);
        check(&doc, Layout::Pipe, &ts, expected_first(d.numbered, d.restart), UnitsAs::Columns)?;
    }

    #[test]
    fn parenthesized_reports_lose_nothing(d in paren_doc(), ts in tasks()) {
        let doc = render_paren(&d, &ts);
        let units = if d.form == 3 { UnitsAs::Single } else { UnitsAs::Columns };
        check(&doc, Layout::Parenthesized, &ts, expected_first(d.numbered, d.restart), units)?;
    }
}

// ----------------------------------------------------------------------------------------------
// (a) Nothing panics
// ----------------------------------------------------------------------------------------------

/// What any successful import must satisfy, whatever the input.
fn sane(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(report) = import::import_bytes(bytes, "fuzz.txt", &Aliases::builtin()) {
        let line_count = String::from_utf8_lossy(bytes).lines().count().max(1) + 1;
        let mut numbers: Vec<u32> = report.rows.iter().map(|r| r.number).collect();
        numbers.sort_unstable();
        numbers.dedup();
        prop_assert_eq!(numbers.len(), report.rows.len(), "row numbers are unique");
        for r in &report.rows {
            prop_assert!(
                r.line >= 1 && r.line <= line_count,
                "row line {} in range",
                r.line
            );
        }
        for u in &report.unplaced {
            prop_assert!(
                u.line >= 1 && u.line <= line_count,
                "unplaced line {} in range",
                u.line
            );
        }
    }
    Ok(())
}

/// Pieces the layouts are made of, to build inputs that reach deep into the parsers.
const TOKENS: &[&str] = &[
    "\n",
    "\n",
    "\n",
    "\n\n",
    "\r\n",
    " ",
    "\u{3000}",
    "\u{a0}",
    "|",
    "| ",
    " |",
    "---",
    "1",
    "2",
    "3",
    "12",
    "1.",
    "2.",
    "3、",
    "(1)",
    "(2)",
    "\u{ff08}3\u{ff09}",
    "一、",
    "二、",
    "(一)",
    "一是",
    "1.5万亩",
    "序号",
    "目标与任务",
    "工作进展",
    "牵头责任单位",
    "责任单位",
    "协同责任单位",
    "进展情况",
    "序号目标与任务工作进展牵头责任单位责任单位",
    "进展情况:",
    "牵头责任单位:",
    "协同责任单位\u{ff1a}",
    "责任单位:",
    "配合单位:",
    "重点工作任务:",
    "市发改委",
    "市住建局",
    "各县(市)区政府",
    "开发区管委会",
    "市自然资源 和规划局",
    "、",
    ",",
    "\u{ff0c}",
    ";",
    "(",
    ")",
    "\u{ff08}",
    "\u{ff09}",
    "牵头",
    "按职责分工负责",
    "配合落实",
    "。",
    "<br>",
    "抄送:",
    "2020年6月10日印发",
    "推进城乡教育一体化深度融合。",
    "已完成",
    "截至6月底",
    "“",
    "”",
    "\u{a0}推进",
    "牵頭責任單位:",
    "\\|",
];

fn soup() -> impl Strategy<Value = String> {
    proptest::collection::vec(select(TOKENS), 0..200).prop_map(|ts| ts.concat())
}

fn fixtures() -> Vec<Vec<u8>> {
    let dir = format!("{}/tests/fixtures/layouts", env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&dir) {
        let mut paths: Vec<_> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
        paths.sort();
        for p in paths {
            if let Ok(b) = std::fs::read(&p) {
                out.push(b);
            }
        }
    }
    let seed = format!("{}/data/sample_2020h1_wuhu.txt", env!("CARGO_MANIFEST_DIR"));
    if let Ok(b) = std::fs::read(seed) {
        out.push(b);
    }
    out
}

/// A fixture with lines dropped and repeated.
fn mutate_lines(bytes: &[u8], ops: &[(usize, bool)]) -> Vec<u8> {
    let text = String::from_utf8_lossy(bytes);
    let mut lines: Vec<&str> = text.split('\n').collect();
    for &(at, dup) in ops {
        if lines.is_empty() {
            break;
        }
        let k = at % lines.len();
        if dup {
            let l = lines[k];
            lines.insert(k, l);
        } else {
            lines.remove(k);
        }
    }
    lines.join("\n").into_bytes()
}

proptest! {
    #![proptest_config(crate::common::proptest_config(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        sane(&bytes)?;
    }

    #[test]
    fn arbitrary_strings_never_panic(s in any::<String>()) {
        sane(s.as_bytes())?;
    }

    #[test]
    fn layout_token_soup_never_panics(s in soup()) {
        sane(s.as_bytes())?;
    }

    #[test]
    fn truncated_fixtures_never_panic(k in any::<prop::sample::Index>(), cut in any::<prop::sample::Index>()) {
        let all = fixtures();
        prop_assume!(!all.is_empty());
        let bytes = &all[k.index(all.len())];
        sane(&bytes[..cut.index(bytes.len() + 1)])?;
    }

    #[test]
    fn fixtures_with_lines_dropped_or_repeated_never_panic(
        k in any::<prop::sample::Index>(),
        ops in proptest::collection::vec((any::<usize>(), any::<bool>()), 1..12),
    ) {
        let all = fixtures();
        prop_assume!(!all.is_empty());
        sane(&mutate_lines(&all[k.index(all.len())], &ops))?;
    }

    #[test]
    fn fixtures_in_other_encodings_never_panic(k in any::<prop::sample::Index>(), cut in any::<prop::sample::Index>(), gbk in any::<bool>()) {
        let all = fixtures();
        prop_assume!(!all.is_empty());
        let text = String::from_utf8_lossy(&all[k.index(all.len())]).into_owned();
        let bytes: Vec<u8> = if gbk {
            encoding_rs::GBK.encode(&text).0.into_owned()
        } else {
            let mut b = vec![0xFF, 0xFE];
            text.encode_utf16().for_each(|u| b.extend_from_slice(&u.to_le_bytes()));
            b
        };
        sane(&bytes[..cut.index(bytes.len() + 1)])?;
    }
}
