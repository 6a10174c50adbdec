//! Generated reports in the sample's concatenated layout: every row comes back with its
//! number, its units and its goal, and no character of the table is lost. Arbitrary bytes
//! never make the importer panic. A 10,000-row report imports in well under a second.

use duban::import::{concatenated, import_bytes, Aliases, ImportedRow, SourceLine};
use proptest::prelude::*;

const GOAL_VERBS: &[&str] = &[
    "推进",
    "加快",
    "完善",
    "实施",
    "深化",
    "建设",
    "强化",
    "扎实推进",
    "持续优化",
];
const GOAL_OBJECTS: &[&str] = &[
    "生态环境治理体系",
    "智慧城市治理",
    "养老服务供给侧改革",
    "城乡教育一体化",
    "公共法律服务体系",
    "农村人居环境整治",
    "科技成果转化平台",
    "营商环境",
    "长江岸线生态修复",
    "社会信用体系",
];
const GOAL_TAILS: &[&str] = &["", ",打造区域示范", ",提升服务质量和水平", ",形成长效机制"];
const CUES: &[&str] = &["截至6月底,", "一是", "1.", "目前,", "上半年,", "今年以来,"];
const PROGRESS: &[&str] = &[
    "全市完成投资{n}亿元,占年度计划的{n}%",
    "已开工项目{n}个,完工项目{n}个",
    "印发《芜湖市工作方案》,明确任务分工",
    "累计检查企业{n}家次,下达整改意见{n}份",
    "召开专题推进会{n}次,研究解决突出问题",
    "共发放补贴{n}万元,惠及群众{n}人",
];
const LEAD: &[&str] = &[
    "市住建局",
    "市发改委",
    "市水务局",
    "市教育局",
    "市民政局",
    "市城管局",
    "市生态环境局",
    "市财政局",
    "市文旅局",
    "市人社局",
    "市科技局",
    "市自然资源和规划局",
    "市卫健委",
    "市数据资源管理局",
    "市委政法委",
    "市政府办",
    "市重点处",
    "市扶贫九大工程成员单位",
];
const CO: &[&str] = &[
    "各县(市)区政府",
    "开发区管委会",
    "市财政局",
    "鸠江区政府",
    "芜湖县政府",
    "无为市",
    "市公安局",
    "各县(市)政府",
    "沿江各县(市)区政府",
    "市市场监管局",
    "经开区管委会",
];

#[derive(Debug, Clone)]
struct GenRow {
    goal: String,
    first_progress: String,
    continuations: Vec<String>,
    lead: Vec<String>,
    co: Vec<String>,
    /// How the unit text is written: separators, trailing space.
    unit_text: String,
    units_on_last_line: bool,
}

fn sentence(template: &str, n: u32) -> String {
    let mut s = template.to_string();
    let mut k = n;
    while let Some(i) = s.find("{n}") {
        s.replace_range(i..i + 3, &(k % 1000 + 1).to_string());
        k = k.wrapping_mul(7).wrapping_add(3);
    }
    s.push('。');
    s
}

fn pick<'a>(list: &[&'a str], i: usize) -> &'a str {
    list[i % list.len()]
}

prop_compose! {
    fn gen_row()(
        goal_parts in prop::collection::vec((0usize..100, 0usize..100, 0usize..100), 1..=2),
        cue in 0usize..100,
        first in prop::collection::vec((0usize..100, any::<u32>()), 1..=3),
        conts in prop::collection::vec((any::<bool>(), prop::collection::vec((0usize..100, any::<u32>()), 1..=2)), 0..=2),
        lead in prop::collection::vec(0usize..100, 1..=3),
        co in prop::collection::vec(0usize..100, 0..=3),
        comma_in_co in any::<bool>(),
        trailing_space in any::<bool>(),
        units_on_last_line in any::<bool>(),
    ) -> GenRow {
        // Goal sentences with distinct objects, so none repeats another.
        let mut goal = String::new();
        let mut used = Vec::new();
        let mut used_tails = Vec::new();
        for (v, o, t) in goal_parts {
            let mut o = o % GOAL_OBJECTS.len();
            while used.contains(&o) { o = (o + 1) % GOAL_OBJECTS.len(); }
            used.push(o);
            let mut t = t % GOAL_TAILS.len();
            while t != 0 && used_tails.contains(&t) { t = (t + 1) % GOAL_TAILS.len(); }
            used_tails.push(t);
            goal.push_str(pick(GOAL_VERBS, v));
            goal.push_str(GOAL_OBJECTS[o]);
            goal.push_str(GOAL_TAILS[t]);
            goal.push('。');
        }
        let mut first_progress = pick(CUES, cue).to_string();
        for (p, n) in first {
            first_progress.push_str(&sentence(pick(PROGRESS, p), n));
        }
        let continuations: Vec<String> = conts
            .into_iter()
            .enumerate()
            .map(|(i, (sub_item, ps))| {
                let mut line = if sub_item { format!("{}.", i + 2) } else { String::new() };
                for (p, n) in ps { line.push_str(&sentence(pick(PROGRESS, p), n)); }
                line
            })
            .collect();
        let mut lead_names: Vec<String> = Vec::new();
        for i in lead {
            let name = pick(LEAD, i).to_string();
            if !lead_names.contains(&name) { lead_names.push(name); }
        }
        let mut co_names: Vec<String> = Vec::new();
        for i in co {
            let name = pick(CO, i).to_string();
            if !co_names.contains(&name) { co_names.push(name); }
        }
        let mut unit_text = lead_names.join("、");
        if co_names.is_empty() {
            if trailing_space { unit_text.push('\u{a0}'); }
        } else {
            // The two columns touch; within the co column `、`, sometimes a comma.
            let sep = if comma_in_co { "," } else { "、" };
            unit_text.push_str(&co_names.join(sep));
        }
        GenRow {
            goal,
            first_progress,
            units_on_last_line: units_on_last_line && !continuations.is_empty(),
            continuations,
            lead: lead_names,
            co: co_names,
            unit_text,
        }
    }
}

/// The report's text and, per row, its source lines without the `N.\u{a0}` marker.
fn render(rows: &[GenRow]) -> (String, Vec<Vec<String>>) {
    let mut text = String::from(
        "2020年上半年市政府重点工作进展情况督查通报\n\n附件:重点工作任务进展情况反馈表\n\n序号目标与任务工作进展牵头责任单位责任单位\n",
    );
    let mut sources = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let mut lines = Vec::new();
        let mut first = format!("{}{}", r.goal, r.first_progress);
        if !r.units_on_last_line {
            first.push_str(&r.unit_text);
        }
        lines.push(first);
        for (k, c) in r.continuations.iter().enumerate() {
            let mut line = c.clone();
            if r.units_on_last_line && k + 1 == r.continuations.len() {
                line.push_str(&r.unit_text);
            }
            lines.push(line);
        }
        text.push_str(&format!("{}.\u{a0}{}\n", i + 1, lines[0]));
        for l in &lines[1..] {
            text.push_str(l);
            text.push('\n');
        }
        sources.push(lines);
    }
    text.push_str("\n免责声明:凡注明“来源:房天下”的所有文字图片等资料,版权均属房天下所有。\n房天下APP优惠多,速度快\n");
    (text, sources)
}

fn written(units: &[duban::model::Unit]) -> Vec<String> {
    units.iter().map(|u| u.written.clone()).collect()
}

/// goal + progress, with the units put back at one place, rebuild the row's source text;
/// only separators and whitespace may differ inside the unit part.
fn rebuilds(source_lines: &[String], row: &ImportedRow) -> bool {
    let source: Vec<char> = source_lines.concat().chars().collect();
    let kept: Vec<char> = std::iter::once(row.goal.as_str())
        .chain(row.progress.iter().map(String::as_str))
        .collect::<String>()
        .chars()
        .collect();
    let units: String = row
        .lead_units
        .iter()
        .chain(&row.co_units)
        .map(|u| u.written.as_str())
        .collect();
    let Some(gap) = source.len().checked_sub(kept.len()) else {
        return false;
    };
    (0..=kept.len())
        .take_while(|&a| source[..a] == kept[..a])
        .any(|a| {
            source[a + gap..] == kept[a..]
                && source[a..a + gap]
                    .iter()
                    .filter(|c| !matches!(c, '、' | ',' | '\u{ff0c}') && !c.is_whitespace())
                    .collect::<String>()
                    == units
        })
}

proptest! {
    // 64 cases by default; PROPTEST_CASES=N runs more.
    #![proptest_config(crate::common::proptest_config(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64),
    ))]

    #[test]
    fn generated_rows_come_back_whole(rows in prop::collection::vec(gen_row(), 1..25)) {
        let (text, sources) = render(&rows);
        let report = import_bytes(text.as_bytes(), "generated.txt", &Aliases::builtin())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(report.unplaced.is_empty(), "{:?}", report.unplaced);
        prop_assert_eq!(report.rows.len(), rows.len());
        for (i, (got, want)) in report.rows.iter().zip(&rows).enumerate() {
            prop_assert_eq!(got.number as usize, i + 1);
            prop_assert!(rebuilds(&sources[i], got), "row {} lost text:\n{:?}\n{:?}", i + 1, sources[i], got);
            prop_assert_eq!(written(&got.lead_units), want.lead.clone(), "row {} lead", i + 1);
            prop_assert_eq!(written(&got.co_units), want.co.clone(), "row {} co", i + 1);
            prop_assert_eq!(&got.goal, &want.goal, "row {} goal", i + 1);
            prop_assert_eq!(got.progress.len(), 1 + want.continuations.len());
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let _ = import_bytes(&bytes, "noise", &Aliases::builtin());
    }

    #[test]
    fn arbitrary_report_like_text_never_panics(parts in prop::collection::vec(0usize..FRAGMENTS.len(), 0..200)) {
        let text: String = parts.iter().map(|&i| FRAGMENTS[i]).collect();
        if let Ok(r) = import_bytes(text.as_bytes(), "fragments", &Aliases::builtin()) {
            for row in &r.rows {
                prop_assert!(row.number > 0);
            }
        }
    }
}

proptest! {
    #![proptest_config(crate::common::proptest_config(ProptestConfig::default().cases))]

    #[test]
    fn arbitrary_lines_into_the_parser_never_panic(
        parts in prop::collection::vec(
            prop_oneof![
                (0usize..FRAGMENTS.len()).prop_map(|i| FRAGMENTS[i].to_string()),
                any::<String>(),
            ],
            0..120,
        )
    ) {
        let text: String = parts.concat();
        let lines: Vec<SourceLine<'_>> = duban::import::source_lines(&text);
        let parsed = concatenated::parse(&lines);
        for row in &parsed.rows {
            prop_assert!(row.line >= 1 && row.line <= lines.len());
        }
        let _ = concatenated::recognises(&lines);
    }
}

/// Pieces of the layout, to reach the parser's corners more often than random bytes do.
const FRAGMENTS: &[&str] = &[
    "序号目标与任务工作进展牵头责任单位责任单位\n",
    "\n",
    "1.\u{a0}",
    "2.\u{a0}",
    "3.",
    "12.\u{a0}",
    "。",
    "、",
    ",",
    ",",
    " ",
    "\u{a0}",
    "市",
    "局",
    "各县(市)区政府",
    "开发区管委会",
    "(",
    ")",
    "\u{ff08}",
    "\u{ff09}",
    "截至",
    "一是",
    "推进",
    "已完成",
    "2020年",
    "6月底",
    "市住建局",
    "无为市",
    "政府",
    "管委会",
    "一、",
    "(一)",
    "免责声明",
    "&#160;",
    "\r\n",
    "\u{fffd}",
    "中心",
    "\t",
];

/// A report of `n` rows in the sample's layout, deterministic.
fn big_report(n: usize) -> String {
    let mut text = String::from("序号目标与任务工作进展牵头责任单位责任单位\n");
    for i in 0..n {
        let g = GOAL_OBJECTS[i % GOAL_OBJECTS.len()];
        let l = LEAD[i % LEAD.len()];
        let c = CO[(i / 3) % CO.len()];
        text.push_str(&format!(
            "{}.\u{a0}推进{g},形成长效机制。截至6月底,全市完成投资{}亿元,占年度计划的{}%。一是召开专题推进会{}次。二是印发《工作方案》。{l}、市财政局{c}、开发区管委会\n",
            i + 1,
            i % 97,
            i % 89,
            i % 7
        ));
        if i % 4 == 0 {
            text.push_str("2.开展专项督查,已整改问题12个,累计检查企业300家次。\n");
        }
    }
    text
}

/// Speed is measured by `cargo bench --bench import`; this checks that a large report in
/// the sample's layout comes back whole.
#[test]
fn a_10000_row_report_imports_every_row() {
    let n = 10_000;
    let text = big_report(n);
    let r = import_bytes(text.as_bytes(), "big.txt", &Aliases::builtin()).expect("imports");
    assert_eq!(r.rows.len(), n);
    assert!(r
        .rows
        .iter()
        .all(|x| x.co_units.len() == 2 && x.lead_units.len() == 2));
}
