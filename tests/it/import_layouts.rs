//! The four non-sample layouts end to end: each fixture in `tests/fixtures/layouts/` is
//! imported through `import_bytes` and every row is checked field by field — number, section,
//! goal, progress paragraphs, lead and co units (as written) — with every unplaced line.
//! Also: layout detection on the seed and on text that is no task table, and the whole
//! pipeline on GBK bytes and on CRLF + BOM.

use duban::import::{self, layout, Aliases, ImportError, Layout, Report, SourceLine};

/// Full-width punctuation as half-width, so expectations can be written in one form; the
/// full-width fixtures prove separately that their punctuation comes through untouched.
fn hw(s: &str) -> String {
    s.chars()
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

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/layouts/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn import(name: &str) -> Report {
    import_named(&fixture(name), name)
}

fn import_named(bytes: &[u8], name: &str) -> Report {
    import::import_bytes(bytes, name, &Aliases::builtin()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

struct Want<'a> {
    number: u32,
    section: Option<&'a str>,
    goal: &'a str,
    progress: &'a [&'a str],
    lead: &'a [&'a str],
    co: &'a [&'a str],
    /// Columns that are no field of a task, as the row's notes.
    notes: &'a [&'a str],
}

fn check(report: &Report, layout: Layout, wants: &[Want<'_>], unplaced: &[(usize, &str)]) {
    assert_eq!(report.layout, layout, "{}: layout", report.source);
    let got_numbers: Vec<u32> = report.rows.iter().map(|r| r.number).collect();
    let want_numbers: Vec<u32> = wants.iter().map(|w| w.number).collect();
    assert_eq!(got_numbers, want_numbers, "{}: row numbers", report.source);
    for (row, want) in report.rows.iter().zip(wants) {
        let at = format!("{} row {}", report.source, want.number);
        assert_eq!(
            row.section.as_deref().map(hw),
            want.section.map(str::to_string),
            "{at}: section"
        );
        assert_eq!(hw(&row.goal), want.goal, "{at}: goal");
        let progress: Vec<String> = row.progress.iter().map(|p| hw(p)).collect();
        assert_eq!(progress, want.progress, "{at}: progress");
        let lead: Vec<String> = row.lead_units.iter().map(|u| hw(&u.written)).collect();
        assert_eq!(lead, want.lead, "{at}: lead units");
        let co: Vec<String> = row.co_units.iter().map(|u| hw(&u.written)).collect();
        assert_eq!(co, want.co, "{at}: co units");
        let notes: Vec<String> = row.notes.iter().map(|n| hw(n)).collect();
        assert_eq!(notes, want.notes, "{at}: notes");
    }
    let got_unplaced: Vec<(usize, String)> = report
        .unplaced
        .iter()
        .map(|u| (u.line, hw(&u.text)))
        .collect();
    let want_unplaced: Vec<(usize, String)> =
        unplaced.iter().map(|(l, t)| (*l, t.to_string())).collect();
    assert_eq!(
        got_unplaced, want_unplaced,
        "{}: unplaced lines",
        report.source
    );
}

const COUNTIES: &[&str] = &["各县(市)区政府", "开发区管委会"];

// ----------------------------------------------------------------------------------------------
// Cells
// ----------------------------------------------------------------------------------------------

fn cells_lines_rows() -> Vec<Want<'static>> {
    let s1 = Some("一、打好污染防治攻坚战");
    let s2 = Some("二、保障和改善民生");
    vec![
        Want {
            number: 1,
            section: s1,
            goal: "加快推进国土空间规划编制,让城市看起来有颜值、走进来有价值、住下来有所值。",
            progress: &[
                "完成基础资料收集和县(市)区、市直重点部门座谈调研。",
                "启动区域协同与发展战略等十二个专题研究;水资源合理利用与配置专题研究已形成初步方案。",
            ],
            lead: &["市自然资源和规划局"],
            co: COUNTIES,
            notes: &[],
        },
        Want {
            number: 2,
            section: s1,
            goal: "扎实打好污染防治攻坚战。抓好生态环境保护督察和突出生态环境问题整改。",
            progress: &[
                "1.向省环委办报送2020年上半年全市污染防治攻坚战进展情况报告。",
                "2.推动生态环保督察整改,上级交办我市群众投诉信访1129个,已备案销号1103个。",
                "3.省交办我市“6+12+N”问题共124个,已整改销号75个。",
            ],
            // Two lead units on consecutive lines; the co cell is the list after them.
            lead: &["市生态环境局", "市发改委"],
            co: COUNTIES,
            notes: &[],
        },
        Want {
            number: 3,
            section: s1,
            goal: "全域推进生活垃圾分类,完善垃圾分类体系建设。",
            // Bare sub-item numbers — `4` even equals the next row's number — stay in the
            // progress, joined to their text.
            progress: &[
                "生活垃圾分类工作:",
                "1 印发《芜湖市生活垃圾分类2020年工作要点》。",
                "2 推进生活垃圾示范片区建设。",
                "3 启动生活垃圾分类专项考核。",
                "4 落实生活垃圾分类奖补资金。",
            ],
            lead: &["市城管局"],
            co: COUNTIES,
            notes: &[],
        },
        Want {
            number: 4,
            section: s2,
            goal: "高质量完成脱贫攻坚任务。",
            progress: &["市扶贫开发领导小组实行月调度,市扶贫办实现周调度,共调度13次。"],
            lead: &["市扶贫办"],
            co: &[],
            notes: &[],
        },
        Want {
            number: 5,
            section: s2,
            goal: "启动元亩塘公园规划,推进市政园林精细化养护。",
            progress: &["项目总占地约102.5公顷,总投资4.185亿元,方案正在设计中。"],
            // `市自然资源 和规划局` and `各县(市)区政府、 开发区管委会`: stray spaces.
            lead: &["市自然资源和规划局", "市城管局"],
            co: COUNTIES,
            notes: &[],
        },
        Want {
            number: 6,
            section: s2,
            goal: "实现城乡居民医保信息系统一体化。",
            progress: &["市城乡居民医保系统已整合完成并正式上线,实现基本医疗保险、大病补充保险、医疗救助一站式结算。"],
            lead: &["市医保局"],
            co: &["市财政局", "各县(市)区政府"],
            notes: &[],
        },
        Want {
            number: 7,
            section: s2,
            goal: "加强食品药品安全事中事后监管。",
            progress: &["上半年完成食品小作坊登记615家,覆盖率100%。"],
            // Two single names on their own lines: 市财政局 was a co unit in row 6's list, so
            // it starts the co cell here.
            lead: &["市市场监管局"],
            co: &["市财政局"],
            notes: &[],
        },
    ]
}

const CELLS_LINES_UNPLACED: &[(usize, &str)] = &[
    (57, "注:表中进展情况由各牵头单位报送,市政府督查办汇总。"),
    (58, "抄送:市委办公室,市人大常委会办公室,市政协办公室。"),
];

#[test]
fn cells_one_per_line_numbered_with_sections_and_sub_items() {
    let r = import("cells_lines.txt");
    check(&r, Layout::Cells, &cells_lines_rows(), CELLS_LINES_UNPLACED);
    assert_eq!(r.period.name, "2020年上半年");
    // The file is full-width, and so is what comes out.
    assert!(r.rows[0].goal.contains('\u{ff0c}'));
    assert_eq!(
        r.rows[0].co_units[0].written,
        "各县\u{ff08}市\u{ff09}区政府"
    );
}

#[test]
fn cells_by_paragraph_unnumbered_with_progress_after_the_units() {
    let r = import("cells_paragraphs.txt");
    check(
        &r,
        Layout::Cells,
        &[
            Want {
                number: 1,
                section: None,
                goal: "新招引高层次科技人才团队30个。",
                progress: &["开展今年批高层次科技人才团队路演评审,39个高层次科技人才团队参加路演。"],
                lead: &["市科技局"],
                co: COUNTIES,
                notes: &[],
            },
            Want {
                number: 2,
                section: None,
                goal: "新认定高新技术企业100家以上。",
                progress: &[
                    "组织开展今年批高企认定工作,推荐362家企业申报,其中新认定189家。",
                    "开设科技创新“云讲堂”,推出6期线上培训,吸引科技型企业超15000人参加。",
                ],
                // One lead cell of three lines.
                lead: &["市科技局", "市财政局", "市税务局"],
                co: COUNTIES,
                notes: &[],
            },
            Want {
                number: 3,
                section: None,
                goal: "加大与三峡集团合作力度,推进城镇污水PPP合作项目建设。",
                progress: &[
                    "城区污水处理厂扩建项目进展顺利,朱家桥污水厂三期扩建工程累计完成工程投资额的33%。",
                    "城南污水处理厂尾水排放水系水环境综合整治工程项目前期工作已基本完成。",
                ],
                // No co cell at all.
                lead: &["市国资委", "市住建局"],
                co: &[],
                notes: &[],
            },
            Want {
                number: 4,
                section: None,
                goal: "支持新一代汽车电子、电子商务数字经济争创省级战略性新兴产业基地。",
                progress: &["相关申报方案初稿已完成,正进一步修改完善。"],
                lead: &["市发改委"],
                co: COUNTIES,
                notes: &[],
            },
            Want {
                number: 5,
                section: None,
                goal: "严格落实药品耗材惠民举措。",
                progress: &[
                    "1.严格执行国家第一批、第二批集采的25+30种药品中标结果。",
                    "2.力促2019年国家医保谈判药优先采购和使用。",
                ],
                lead: &["市医保局"],
                co: &["市卫健委", "市市场监管局"],
                notes: &[],
            },
        ],
        &[],
    );
}

#[test]
fn cells_single_units_column_first_unit_leads() {
    let r = import("cells_single_units.txt");
    check(
        &r,
        Layout::Cells,
        &[
            Want {
                number: 1,
                section: None,
                goal: "推进城乡教育一体化深度融合。",
                // The sub-item `2` continues the row numbering, but no units follow its text:
                // it is no row.
                progress: &[
                    "1 推进城乡教育一体化,实施“县管校聘”管理改革。",
                    "2 出台《关于市中心城区跨区域集团化办学实施方案》。",
                ],
                lead: &["市教育局"],
                co: &[],
                notes: &[],
            },
            Want {
                number: 2,
                section: None,
                goal: "完善普职协调发展机制,建设特殊教育学校。",
                progress: &[
                    "出台《关于做好2020年高中阶段招生工作的通知》。",
                    "新建芜湖市特教中心,办学规模48班,计划总投资2.15亿元。",
                ],
                lead: &["市教育局"],
                co: &["市人社局", "市发改委"],
                notes: &[],
            },
            Want {
                number: 3,
                section: None,
                goal: "完善创业载体功能,深入推进职业技能提升行动。",
                progress: &[
                    "一是推动平台体系创业服务,上半年共发布就业创业政策类信息92条。",
                    "二是组织线上创业培训,全市开展在线教育共计2732人次。",
                ],
                lead: &["市人社局"],
                co: &["各县(市)区政府"],
                notes: &[],
            },
            Want {
                number: 4,
                section: None,
                goal: "扩大三代社保卡覆盖面和应用范围,构建“城市一卡通”芜湖模式。",
                progress: &["截至2020年6月底,共发放三代社保卡97.7万张,签发电子社保卡72.5万张。"],
                lead: &["市人社局"],
                co: &[],
                notes: &[],
            },
            Want {
                number: 5,
                section: None,
                goal: "推进建设领域农民工工资支付标准化。",
                progress: &[],
                lead: &["市人社局"],
                co: &["市住建局", "市交通运输局", "市水务局"],
                notes: &[],
            },
        ],
        &[],
    );
}

#[test]
fn cells_separated_by_bar_lines_with_a_notes_column() {
    let r = import("cells_bars.txt");
    let a = Some("一、高水平推进共同富裕示范区建设");
    let b = Some("二、加快建设现代产业体系");
    let shaoxing_counties: &[&str] = &["各区县(市)政府"];
    check(
        &r,
        Layout::Cells,
        &[
            Want {
                number: 1,
                section: a,
                goal: "深化“越富共享”行动,城乡居民收入倍差缩小到1.7以内。",
                progress: &[
                    "一是印发《绍兴市高质量发展建设共同富裕示范区市域范例实施方案》。",
                    "二是上半年全市城镇、农村常住居民人均可支配收入分别增长5.1%和6.4%,收入倍差缩小至1.69。",
                ],
                // Two lead units on consecutive lines of one cell.
                lead: &["市发改委", "市农业农村局"],
                co: &["市人力社保局", "市统计局"],
                notes: &["省定任务"],
            },
            Want {
                number: 2,
                section: a,
                goal: "实施新一轮山区县高质量发展行动,推动嵊州、新昌加快发展。",
                // Sub-items `1.` `2.` inside one cell.
                progress: &[
                    "1.柯桥区、上虞区与嵊州市、新昌县结对帮扶项目已签约18个,总投资46.3亿元。",
                    "2.累计下达山区县财政转移支付资金12.6亿元。",
                ],
                lead: &["市发改委"],
                co: &["嵊州市", "新昌县"],
                // The 备注 cell is empty (`|` then `|`).
                notes: &[],
            },
            Want {
                number: 3,
                section: b,
                goal: "新增规模以上工业企业300家,规上工业增加值增长8%。",
                progress: &["上半年新增规上工业企业162家,完成全年目标的54%;规上工业增加值同比增长9.2%。"],
                lead: &["市经信局"],
                co: shaoxing_counties,
                notes: &["序时推进"],
            },
            Want {
                number: 4,
                section: b,
                goal: "推进集成电路、生物医药两大万亩千亿产业平台建设。",
                progress: &["中芯绍兴二期项目主厂房结顶,长电科技绍兴基地一期投产。"],
                lead: &["绍兴滨海新区管委会"],
                // `市科技局等`: the closing 等 is no part of the name.
                co: &["市经信局", "市科技局"],
                notes: &[],
            },
            Want {
                number: 5,
                section: b,
                goal: "加快古城保护利用,推进阳明故里、兰亭书法文化园等项目建设。",
                progress: &["阳明故里项目完成投资3.2亿元,主体工程完工80%;兰亭书法文化园完成初步设计。"],
                // `市文广旅游局。` on its line.
                lead: &["市文广旅游局"],
                co: &["越城区政府"],
                // The next row's number follows the note with no `|` between.
                notes: &["跨年度项目"],
            },
            Want {
                number: 6,
                section: b,
                goal: "完成城镇老旧小区改造120个,惠及居民3.5万户。",
                progress: &["2022年计划改造的120个小区已全部开工,其中完工46个,惠及居民1.2万户。"],
                lead: &["市建设局"],
                co: shaoxing_counties,
                notes: &[],
            },
        ],
        // A remark under the table is no note of the last row.
        &[(92, "注:推进情况截至2022年6月30日,由各牵头单位报送。")],
    );
    assert_eq!(r.period.name, "2022年上半年");
}

#[test]
fn cells_with_four_digit_numbers_a_single_units_column_and_deadlines() {
    let r = import("cells_numbers.txt");
    let deadline = "完成时限:2023年12月底";
    check(
        &r,
        Layout::Cells,
        &[
            Want {
                number: 1001,
                section: None,
                goal: "加快建设汉江流域中心城市,地区生产总值增长7%以上。",
                // Progress that starts with years or figures is no row.
                progress: &[
                    "一季度全市地区生产总值完成1265.8亿元,同比增长6.9%。",
                    "2020、2021年连续两年进入全国城市GDP百强前50位,今年继续巩固提升。",
                ],
                // 责任单位 is the only units column: the first-listed unit leads, also when
                // the units stand on two lines.
                lead: &["市发改委"],
                co: &["市统计局"],
                notes: &[deadline],
            },
            Want {
                number: 1002,
                section: None,
                goal: "新建1.5万亩高标准农田。",
                progress: &[
                    "1.5万亩高标准农田建设任务已分解下达到各县(市、区)。",
                    "2022年结转项目已全部完工验收。",
                ],
                lead: &["市农业农村局"],
                co: &["市财政局"],
                notes: &["完成时限:2023年6月底前"],
            },
            Want {
                number: 1003,
                section: None,
                goal: "实施农村危房改造和抗震加固。",
                // Bare sub-item numbers far below the row numbering.
                progress: &[
                    "3000余户农户完成摸底核查,已开工改造1860户。",
                    "1 争取中央补助资金4200万元。",
                    "2 出台《农村低收入群体等重点对象住房安全保障工作实施方案》。",
                ],
                lead: &["市住建局"],
                co: &[],
                notes: &["完成时限:长期坚持"],
            },
            Want {
                number: 1004,
                section: None,
                goal: "推进“襄十随神”城市群协同发展。",
                progress: &[
                    "一是襄十随神城市群联席会议第一次会议已召开,签订合作协议12项。",
                    "二是开通襄阳至神农架旅游专线。",
                ],
                lead: &["市发改委"],
                co: &["市交通运输局", "市商务局"],
                notes: &[deadline],
            },
            Want {
                number: 1005,
                section: None,
                goal: "打造“襄阳智造”品牌,新增国家级专精特新“小巨人”企业5家。",
                // The deadline cell is empty: the last line is progress.
                progress: &["上半年新认定省级专精特新企业26家,正在组织国家级“小巨人”企业申报。"],
                lead: &["市经信局"],
                co: &[],
                notes: &[],
            },
            Want {
                number: 1006,
                section: None,
                goal: "建设东津新区城市中心区。",
                progress: &["城市中心区路网、管网工程完成投资18.6亿元。"],
                lead: &["东津新区管委会"],
                co: &[],
                notes: &["完成时限:2024年12月底"],
            },
        ],
        &[],
    );
}

#[test]
fn cells_unnumbered_with_lead_units_on_consecutive_lines_and_a_leader_column() {
    let r = import("cells_lead_lines.txt");
    let counties: &[&str] = &["各县(市)区政府"];
    check(
        &r,
        Layout::Cells,
        &[
            Want {
                number: 1,
                section: None,
                goal: "加快建设具有国际影响力的创新之都,新增国家高新技术企业1000户以上。",
                progress: &[
                    "一是组织开展2022年第一批高新技术企业认定申报,受理申报企业1286户。",
                    "二是新建省级以上研发平台23个。",
                ],
                // Two lead lines, then the co cell (a list).
                lead: &["市科技局", "市发展改革委"],
                co: &["各县(市)区政府", "开发区管委会"],
                notes: &["责任领导:张建华"],
            },
            Want {
                number: 2,
                section: None,
                goal: "推进“科大硅谷”建设,引进培育科技型企业500家。",
                progress: &[
                    "1.出台《“科大硅谷”建设实施方案》。",
                    "2.首批12个“科大硅谷”片区已挂牌运营,入驻科技型企业138家。",
                ],
                // Two lead lines (`市财政局。`), then the progress: one row, not two.
                lead: &["市科技局", "市财政局"],
                co: &[],
                notes: &["责任领导:张建华"],
            },
            Want {
                number: 3,
                section: None,
                goal: "实施城市更新行动,改造老旧小区150个。",
                progress: &[
                    "1.改造计划已下达,150个小区全部完成设计招标。",
                    "2.一季度开工小区42个。",
                ],
                lead: &["市住建局", "市城管局"],
                co: counties,
                notes: &["责任领导:李伟"],
            },
            Want {
                number: 4,
                section: None,
                goal: "推进巢湖综合治理,确保巢湖水质稳定保持Ⅳ类。",
                progress: &["巢湖流域14个国考断面水质均值达到Ⅲ类,同比提升一个类别。"],
                lead: &["市林业和园林局"],
                co: &["市生态环境局", "市水务局"],
                notes: &["责任领导:王海燕"],
            },
            Want {
                number: 5,
                section: None,
                goal: "提升“亩均论英雄”改革成效,盘活低效用地3000亩。",
                // No leader: the last line is progress.
                progress: &["一季度盘活低效用地862亩,完成年度目标的28.7%。"],
                lead: &["市自然资源和规划局", "市经济和信息化局"],
                co: &["各开发区管委会"],
                notes: &[],
            },
        ],
        &[],
    );
}

#[test]
fn cells_bars_between_every_line_and_a_number_after_a_unit_cell() {
    // Header cells separated by `|`, rows separated by nothing: the last cell of a row (units)
    // and the next row's number share a paragraph.
    let text = "序号\n|\n工作任务\n|\n进展情况\n|\n责任单位\n|\n1\n|\n新增城镇就业1.2万人。\n|\n已新增0.7万人。\n|\n市人社局\n2\n|\n新建城市书房10个。\n|\n已建成6个。\n|\n市文广旅游局、各区县政府\n";
    let r = import_named(text.as_bytes(), "bars_inline.txt");
    check(
        &r,
        Layout::Cells,
        &[
            Want {
                number: 1,
                section: None,
                goal: "新增城镇就业1.2万人。",
                progress: &["已新增0.7万人。"],
                lead: &["市人社局"],
                co: &[],
                notes: &[],
            },
            Want {
                number: 2,
                section: None,
                goal: "新建城市书房10个。",
                progress: &["已建成6个。"],
                lead: &["市文广旅游局"],
                co: &["各区县政府"],
                notes: &[],
            },
        ],
        &[],
    );
}

#[test]
fn cells_whose_header_starts_with_units_start_each_unnumbered_row_at_its_units() {
    let text = "序号\n牵头单位\n工作任务\n推进情况\n市住建局\n推进城市有机更新。\n已开工65个。\n市人社局\n市财政局\n新增城镇就业5万人。\n一季度新增就业1.3万人。\n";
    let r = import_named(text.as_bytes(), "units_first.txt");
    check(
        &r,
        Layout::Cells,
        &[
            Want {
                number: 1,
                section: None,
                goal: "推进城市有机更新。",
                progress: &["已开工65个。"],
                lead: &["市住建局"],
                co: &[],
                notes: &[],
            },
            Want {
                number: 2,
                section: None,
                goal: "新增城镇就业5万人。",
                progress: &["一季度新增就业1.3万人。"],
                // Two lead lines at the start of a row: one row.
                lead: &["市人社局", "市财政局"],
                co: &[],
                notes: &[],
            },
        ],
        &[],
    );
}

#[test]
fn cells_one_per_line_with_a_remark_after_the_units_or_a_leader_before_the_progress() {
    // 备注 after the units: a short remark before the next number is the note, not a unit.
    let text = "序号\n重点任务\n进展情况\n牵头单位\n责任单位\n备注\n1001\n推进城市有机更新。\n已开工65个。\n市住建局\n市城管局。\n各县区政府\n跨年度\n1002\n新增城镇就业5万人。\n一季度新增就业1.3万人。\n市人社局\n1003\n建设城市书房10个。\n已建成8个。\n市文旅局\n各县区政府\n省民生实事\n";
    let r = import_named(text.as_bytes(), "remark_after_units.txt");
    let want = |number, goal, progress, lead, co, notes| Want {
        number,
        section: None,
        goal,
        progress,
        lead,
        co,
        notes,
    };
    check(
        &r,
        Layout::Cells,
        &[
            want(
                1001,
                "推进城市有机更新。",
                &["已开工65个。"],
                &["市住建局", "市城管局"],
                &["各县区政府"],
                &["跨年度"],
            ),
            want(
                1002,
                "新增城镇就业5万人。",
                &["一季度新增就业1.3万人。"],
                &["市人社局"],
                &[],
                &[],
            ),
            want(
                1003,
                "建设城市书房10个。",
                &["已建成8个。"],
                &["市文旅局"],
                &["各县区政府"],
                &["省民生实事"],
            ),
        ],
        &[],
    );
    // 责任领导 between the units and the progress: a person's name, when there is one.
    let text = "序号\n工作任务\n牵头单位\n责任领导\n推进情况\n1\n推进城市有机更新。\n市住建局\n张建华\n已开工65个。\n2\n新增城镇就业5万人。\n市人社局\n市财政局\n一季度新增就业1.3万人。\n";
    let r = import_named(text.as_bytes(), "leader_before_progress.txt");
    check(
        &r,
        Layout::Cells,
        &[
            want(
                1,
                "推进城市有机更新。",
                &["已开工65个。"],
                &["市住建局"],
                &[],
                &["责任领导:张建华"],
            ),
            want(
                2,
                "新增城镇就业5万人。",
                &["一季度新增就业1.3万人。"],
                &["市人社局", "市财政局"],
                &[],
                &[],
            ),
        ],
        &[],
    );
}

// ----------------------------------------------------------------------------------------------
// Labelled
// ----------------------------------------------------------------------------------------------

fn labelled_sections_rows() -> Vec<Want<'static>> {
    let a = Some("一、持续改善生态环境 / (一)打好污染防治攻坚战");
    let b = Some("一、持续改善生态环境 / (二)推进城乡环境整治");
    let c = Some("二、着力保障和改善民生");
    vec![
        Want {
            number: 1,
            section: a,
            goal: "扎实推进水污染治理、水和土壤生态修复,深入实施河长制、湖长制、林长制。",
            // `2.` continues the task numbering and a label follows it, but the task above has
            // no units yet: a sub-item.
            progress: &[
                "1.对全市主要河流27个控制断面开展地表水水质考核,按月印发水质不达标通报。",
                "2.市级河湖长开展巡河巡湖24次,发现的问题及时交办相关责任部门进行整改解决。",
            ],
            lead: &["市生态环境局", "市水务局"],
            co: COUNTIES,
            notes: &[],
        },
        Want {
            number: 2,
            section: a,
            goal: "完成5000亩长江岸线造林,持续打造“十里江湾”城市名片。",
            progress: &[
                "制定《芜湖市长江岸绿造林建设导则》,对长江岸线造林设计、施工、管护进一步细化要求。",
            ],
            lead: &["市林业局"],
            co: &["市自然资源和规划局", "各县(市)区政府"],
            notes: &[],
        },
        Want {
            number: 3,
            section: b,
            goal: "扎实推进美丽乡村建设,推动农村厕所、垃圾、污水“三大革命”。",
            progress: &[
                "1.今年计划农村改厕3.7万户,已完成农村改厕2.6万户。",
                "2.上半年我市共处理农村生活垃圾17.95万吨,无害化处理率100%。",
                "3.完成农村生活污水治理现状调查,省厅交办的生活污水突出问题已整改完成32个。",
            ],
            lead: &["市农业农村局"],
            co: &["市住建局", "市生态环境局", "各县(市)区政府"],
            notes: &[],
        },
        Want {
            number: 4,
            section: c,
            goal: "推进医养康养结合,加快养老服务供给侧改革。",
            progress: &[
                "1.加强医养结合机构审批登记,优化审批流程和环境。",
                "2.全面放开养老服务市场,上半年共备案5家养老机构,新增养老床位910张。",
            ],
            lead: &["市卫健委", "市民政局"],
            co: &["各县(市)区政府"],
            notes: &[],
        },
        Want {
            number: 5,
            section: c,
            goal: "提升儿童福利保障水平,强化社会救助管理工作。",
            progress: &["落实孤儿保障政策,上半年共保障孤儿723人,累计发放保障金443万元。"],
            lead: &["市民政局"],
            co: &[],
            notes: &[],
        },
        Want {
            number: 6,
            section: c,
            goal: "完善公墓建设。",
            progress: &["各县(市)区城乡公益性公墓建设已完成项目选址等前期工作,正加快推进。"],
            lead: &["市民政局"],
            co: &["市自然资源和规划局", "市林业局", "各县(市)区政府"],
            notes: &[],
        },
    ]
}

#[test]
fn labelled_with_two_levels_of_sections_and_numbered_sub_items() {
    let r = import("labelled_sections.txt");
    check(&r, Layout::Labelled, &labelled_sections_rows(), &[]);
}

#[test]
fn labelled_variants_half_width_restarting_ids_inline_and_single_units() {
    let r = import("labelled_variants.txt");
    let a = Some("一、创新驱动发展");
    let b = Some("二、深化改革开放");
    check(
        &r,
        Layout::Labelled,
        &[
            // `(1)(2)` then `(1)(2)(3)`: numbered per section, so numbered in order.
            Want {
                number: 1,
                section: a,
                goal: "新招引高层次科技人才团队30个。",
                progress: &["开展今年批高层次科技人才团队路演评审,39个高层次科技人才团队参加路演。"],
                lead: &["市科技局"],
                co: COUNTIES,
                notes: &[],
            },
            Want {
                number: 2,
                section: a,
                goal: "发挥财政科技资金的撬动作用,实施绩效奖励、创新券等后补助方式。",
                progress: &[
                    "1.修订《关于加快推进芜湖国家自主创新示范区建设的若干政策》。",
                    "2.制定科技创新券跨区域“通用通兑”实施办法。",
                ],
                // A label alone on its line, its units on the lines after it.
                lead: &["市科技局", "市财政局"],
                co: &["各县(市)区政府"],
                notes: &[],
            },
            Want {
                number: 3,
                section: b,
                goal: "大力推广电子营业执照多场景应用,加速推进“法人一证通”建设。",
                progress: &["企业开办“一日办结”系统已上线运行,将电子营业执照推送至公安、税务、银行等业务系统。"],
                // `责任单位:` alone: the first-listed unit leads.
                lead: &["市市场监管局"],
                co: &["市数据资源管理局"],
                notes: &[],
            },
            Want {
                number: 4,
                section: b,
                goal: "实施民营经济上台阶行动,研究设立企业纾困基金。",
                // The sub-item `2.` is below the next task number (3): not a task.
                progress: &[
                    "1.制定2020年全市民营经济工作要点,明确全年重点工作。",
                    "2.市县两级统筹政府股权投资基金、过桥贷等金融产品,安排5亿元。",
                ],
                // Two labels on one line.
                lead: &["市经信局"],
                co: &["市财政局", "市地方金融监管局"],
                notes: &[],
            },
            Want {
                number: 5,
                section: b,
                goal: "推进政务服务“一网通办”。",
                progress: &["目前在3社区试点。"],
                lead: &["市数据资源管理局"],
                co: &["市政务服务管理局"],
                notes: &[],
            },
        ],
        &[
            (27, "此项工作已纳入年度目标考核"),
            (29, "抄送:市委办公室,市人大常委会办公室。"),
            (30, "2021年4月10日印发"),
        ],
    );
}

#[test]
fn labelled_unnumbered_tasks_and_goal_labels() {
    let r = import("labelled_unnumbered.txt");
    check(
        &r,
        Layout::Labelled,
        &[
            Want {
                number: 1,
                section: None,
                goal: "强化知识产权创造、保护、运用,集聚整合创新要素。",
                progress: &[
                    "上半年我市专利、商标注册量持续增长,1-6月专利申请量7445件,授权量4649件。",
                ],
                lead: &["市市场监管局"],
                co: &["市科技局"],
                notes: &[],
            },
            Want {
                number: 2,
                section: None,
                goal: "坚持把人才作为创新资源,落实战新产业人才专项政策。",
                progress: &["上半年共认定战略性新兴产业人才专项政策支持企业483家。"],
                lead: &["市发改委", "市人才办"],
                co: COUNTIES,
                notes: &[],
            },
            Want {
                number: 3,
                section: None,
                goal: "健全专业技术人才评价、选拔、任用机制,开发高层次人才服务信息系统。",
                progress: &["依托“智慧人社”开发覆盖全口径人才的服务系统。"],
                lead: &["市人社局"],
                co: &[],
                notes: &[],
            },
        ],
        &[],
    );
}

#[test]
fn labelled_in_traditional_characters() {
    let text = "重點工作任務進展情況\n1.推進城鄉教育一體化深度融合。\n進展情況:實施“縣管校聘”管理改革。\n牽頭責任單位:市教育局\n協同責任單位:各縣(市)區政府\n2.完善公墓建設。\n進展情況:正加快推進。\n牽頭責任單位:市民政局\n";
    let r = import_named(text.as_bytes(), "traditional.txt");
    assert_eq!(r.layout, Layout::Labelled);
    assert_eq!(r.rows.len(), 2);
    assert_eq!(r.rows[0].goal, "推進城鄉教育一體化深度融合。");
    assert_eq!(
        r.rows[0].progress,
        vec!["實施“縣管校聘”管理改革。".to_string()]
    );
    assert_eq!(r.rows[0].lead_units[0].written, "市教育局");
    assert_eq!(r.rows[0].co_units[0].written, "各縣(市)區政府");
    assert_eq!(r.rows[1].lead_units[0].written, "市民政局");
}

#[test]
fn a_repeated_task_number_is_reported_not_merged() {
    // Task 2 is numbered twice by mistake. The second `2.` is followed by labels task 2
    // already has, so it is a task, not progress; the duplicate check then reports it.
    let text = "1.推进城乡教育一体化深度融合。\n进展情况:实施“县管校聘”管理改革。\n牵头责任单位:市教育局\n2.完善公墓建设。\n进展情况:正加快推进。\n牵头责任单位:市民政局\n2.完善普职协调发展机制。\n进展情况:已出台招生工作通知。\n牵头责任单位:市教育局\n";
    let r = import_named(text.as_bytes(), "duplicate.txt");
    assert_eq!(r.rows.len(), 2);
    assert_eq!(r.rows[1].progress, vec!["正加快推进。".to_string()]);
    assert_eq!(r.unplaced.len(), 1);
    assert_eq!(r.unplaced[0].line, 7);
    // The whole duplicate row is in the report: goal, progress and units.
    assert_eq!(
        r.unplaced[0].text,
        "完善普职协调发展机制。 已出台招生工作通知。 市教育局"
    );
    assert!(
        r.unplaced[0].reason.contains("出现了两次"),
        "{}",
        r.unplaced[0].reason
    );
}

#[test]
fn labelled_with_synonym_labels_and_note_labels() {
    let r = import("labelled_synonyms.txt");
    let a = Some("一、推动经济高质量发展");
    let b = Some("二、增进民生福祉");
    let deadline = "完成时限:2022年12月底";
    check(
        &r,
        Layout::Labelled,
        &[
            Want {
                number: 1,
                section: a,
                goal: "新增规模以上工业企业300户以上。",
                progress: &["上半年新增规上工业企业186户,完成年度目标的62%。"],
                lead: &["市经济和信息化局"],
                co: COUNTIES,
                notes: &[deadline],
            },
            Want {
                number: 2,
                section: a,
                goal: "推进“科大硅谷”建设,引进培育科技型企业500家。",
                progress: &[
                    "1.出台《“科大硅谷”建设实施方案》。",
                    "2.首批12个“科大硅谷”片区已挂牌运营。",
                ],
                lead: &["市科技局", "市发展改革委"],
                co: &["市财政局"],
                // `备注:` gives its text as written.
                notes: &["省重点工作"],
            },
            Want {
                number: 3,
                section: a,
                goal: "加快建设合肥新桥国际机场二期工程。",
                progress: &["航站楼主体结构施工完成60%,飞行区工程已开工。"],
                lead: &["市重点局"],
                co: &["市发展改革委", "肥西县政府"],
                notes: &["责任领导:王海燕"],
            },
            Want {
                number: 4,
                section: b,
                goal: "新增城镇就业15万人以上。",
                progress: &["一是上半年全市城镇新增就业8.2万人。二是举办线上线下招聘会126场。"],
                lead: &["市人力资源社会保障局"],
                co: &[],
                notes: &["序时推进", deadline],
            },
            Want {
                number: 5,
                section: b,
                goal: "新建改扩建中小学和幼儿园50所。",
                progress: &["已开工41所,竣工交付12所。"],
                // A note label after the lead units on their line.
                lead: &["市教育局"],
                co: &["市自然资源和规划局", "市城乡建设局"],
                notes: &["完成时限:2022年8月底"],
            },
        ],
        &[],
    );
}

#[test]
fn labelled_tasks_numbered_from_1001_keep_progress_that_starts_with_years() {
    let text = "1001.新增城镇就业6万人。\n完成情况:\n2020、2021年连续两年超额完成目标。\n1.上半年新增就业3.3万人。\n牵头单位:市人社局\n1002.新建改扩建公办幼儿园20所。\n完成情况:2021年已建成8所,今年开工12所。\n牵头单位:市教育局\n配合单位:市财政局\n";
    let r = import_named(text.as_bytes(), "labelled_1001.txt");
    check(
        &r,
        Layout::Labelled,
        &[
            Want {
                number: 1001,
                section: None,
                goal: "新增城镇就业6万人。",
                progress: &[
                    "2020、2021年连续两年超额完成目标。",
                    "1.上半年新增就业3.3万人。",
                ],
                lead: &["市人社局"],
                co: &[],
                notes: &[],
            },
            Want {
                number: 1002,
                section: None,
                goal: "新建改扩建公办幼儿园20所。",
                progress: &["2021年已建成8所,今年开工12所。"],
                lead: &["市教育局"],
                co: &["市财政局"],
                notes: &[],
            },
        ],
        &[],
    );
}

// ----------------------------------------------------------------------------------------------
// Pipe
// ----------------------------------------------------------------------------------------------

#[test]
fn pipe_markdown_with_section_rows_br_and_stray_spaces() {
    let r = import("pipe_markdown.md");
    let a = Some("一、确保完成全年主要预期目标");
    let b = Some("二、推动创新发展");
    check(
        &r,
        Layout::Pipe,
        &[
            // Ids `(1)(2)(3)` restart under each section: numbered in order.
            Want {
                number: 1,
                section: a,
                goal: "加快推进水利薄弱环节治理和防汛抗旱提升工程。",
                progress: &[
                    "今年计划内新开工中小河流治理项目共1个、易涝区泵站项目4个。",
                    "截至6月,已经完成1座排涝泵站初步设计批复。",
                ],
                lead: &["市水务局"],
                co: &["各县市区政府", "开发区管委会"],
                notes: &[],
            },
            Want {
                number: 2,
                section: a,
                goal: "创新棚户区改造方式。",
                progress: &["目前正在对市区拟进行“留、改、拆”的27个项目进行论证。"],
                lead: &["市住建局"],
                // Separated by spaces, one name broken by a stray space.
                co: &["各县(市)区政府", "市财政局", "市自然资源和规划局"],
                notes: &[],
            },
            Want {
                number: 3,
                section: a,
                goal: "加大黑臭水体整治力度。",
                progress: &["市区建成区累计79条水体完成整治,剩余3条同步推进水下和岸上工作。"],
                lead: &["市住建局", "市生态环境局"],
                co: &["各县(市)区政府"],
                notes: &[],
            },
            Want {
                number: 4,
                section: b,
                goal: "新认定高新技术企业100家以上。",
                progress: &["推荐362家企业申报,其中新认定189家。"],
                lead: &["市科技局"],
                co: &["市财政局", "市税务局", "各县(市)区政府"],
                notes: &[],
            },
            Want {
                number: 5,
                section: b,
                goal: "制定出台“尖20”计划,开展前瞻性技术研究和“卡脖子”关键核心技术攻关。",
                progress: &[
                    "列出2020年全市战略性新兴产业“攻尖”计划项目表。",
                    "航空发动机制造项目已完成投资5.39亿元。",
                    "精密薄壁航空铸造实验室完成工程及能力建设。",
                ],
                lead: &["市发改委", "市科技局"],
                co: COUNTIES,
                notes: &[],
            },
            Want {
                number: 6,
                section: b,
                goal: "支持新一代汽车电子、电子商务数字经济争创省级战略性新兴产业基地。",
                progress: &["相关申报方案初稿已完成,正进一步修改完善。"],
                lead: &["市发改委"],
                co: &[],
                notes: &[],
            },
        ],
        &[(14, "注:进展情况截至2020年6月底。")],
    );
}

#[test]
fn pipe_without_outer_pipes_progress_last_repeated_header_and_other_columns() {
    let r = import("pipe_plain.txt");
    let a = Some("一、办好民生实事");
    let b = Some("二、提升公共服务水平");
    check(
        &r,
        Layout::Pipe,
        &[
            Want {
                number: 1,
                section: a,
                goal: "实施33项民生工程。",
                progress: &["截至6月底,全市完成民生工程资金投入65.59亿元,占年初计划的73.25%。"],
                lead: &["市财政局"],
                co: &["各县(市)区政府"],
                notes: &[],
            },
            Want {
                number: 2,
                section: a,
                goal: "大力发展公办普惠性学前教育,继续实施学前教育三期行动计划。",
                progress: &["已开工项目23个,完工项目5个,累计完成投资12540万元。"],
                lead: &["市教育局"],
                co: &["市发改委", "市财政局", "市自然资源和规划局"],
                notes: &[],
            },
            Want {
                number: 3,
                section: a,
                goal: "推进国家中医传承项目和社会心理服务体系试点。",
                progress: &["市中医医院“中医传承与创新研究中心”项目施工单位和监理单位已进场。"],
                lead: &["市卫健委"],
                co: &["各县(市)区政府"],
                notes: &["跨年度项目"],
            },
            Want {
                number: 4,
                section: b,
                goal: "加强食品药品安全事中事后监管。",
                progress: &["上半年完成食品小作坊登记615家,覆盖率100%。"],
                lead: &["市市场监管局"],
                co: &["各县(市)区政府"],
                notes: &[],
            },
            Want {
                number: 5,
                section: b,
                goal: "严格落实药品耗材惠民举措。",
                progress: &["全市已采购国家集采药品1854.75万元,为患者减轻负担约2009.31万元。"],
                lead: &["市医保局"],
                co: &["市卫健委"],
                notes: &[],
            },
        ],
        // The 备注 column is the task's note; a line inside the table is reported.
        &[(12, "(续上页)")],
    );
}

// ----------------------------------------------------------------------------------------------
// Parenthesized
// ----------------------------------------------------------------------------------------------

#[test]
fn parenthesized_plan_with_labelled_parens_and_a_broken_paragraph() {
    let r = import("paren_plan.txt");
    let one = Some("一、确保完成全年主要预期目标");
    let a = Some("二、持续改善生态环境 / (一)打好污染防治攻坚战");
    let b = Some("二、持续改善生态环境 / (二)推进绿色发展");
    let c = Some("三、保障和改善民生");
    check(
        &r,
        Layout::Parenthesized,
        &[
            Want {
                number: 1,
                section: one,
                goal: "全市地区生产总值增长8%左右,一般公共预算收入与经济增长基本同步。",
                progress: &[],
                lead: &["市发改委", "市财政局"],
                co: COUNTIES,
                notes: &[],
            },
            Want {
                number: 2,
                section: one,
                goal: "城镇新增就业5.5万人,城镇调查失业率控制在5.5%以内。",
                progress: &[],
                lead: &["市人社局"],
                co: &["各县(市)区政府"],
                notes: &[],
            },
            Want {
                number: 3,
                section: a,
                goal: "推动产业环保、智慧环保、法治环保、责任环保、阳光环保,加快创建“无废城市”。",
                progress: &[],
                lead: &["市生态环境局"],
                co: &["市发改委", "市经信局", "各县(市)区政府"],
                notes: &[],
            },
            Want {
                number: 4,
                section: a,
                // One paragraph over two lines; `(芜湖)` inside it is no units parenthesis.
                goal: "深入实施河长制、湖长制、林长制,持续推进“禁新建、减存量、关污源、进园区、建新绿、纳统管、强机制”行动,打造美丽长江(芜湖)经济带。",
                progress: &[],
                lead: &["市水务局", "市林业局"],
                co: COUNTIES,
                notes: &[],
            },
            Want {
                number: 5,
                section: b,
                goal: "完成5000亩长江岸线造林。",
                progress: &[],
                lead: &["市林业局"],
                co: &["各县(市)区政府"],
                notes: &[],
            },
            Want {
                number: 6,
                section: b,
                goal: "加大黑臭水体整治力度,市区建成区黑臭水体基本消除。",
                progress: &[],
                lead: &["市住建局"],
                co: &["市生态环境局", "市水务局"],
                notes: &[],
            },
            Want {
                number: 7,
                section: c,
                goal: "大力发展公办普惠性学前教育,新建、改扩建公办幼儿园25所。",
                progress: &[],
                lead: &["市教育局"],
                co: &["市发改委", "市财政局", "市自然资源和规划局", "各县(市)区政府"],
                notes: &[],
            },
            Want {
                number: 8,
                section: c,
                goal: "实现城乡居民医保信息系统一体化。",
                progress: &[],
                lead: &["市医保局"],
                co: &[],
                notes: &[],
            },
        ],
        &[],
    );
}

#[test]
fn parenthesized_lead_forms_with_progress_paragraphs() {
    let r = import("paren_progress.txt");
    check(
        &r,
        Layout::Parenthesized,
        &[
            Want {
                number: 1,
                section: None,
                goal: "全域推进生活垃圾分类,完善垃圾分类体系建设。",
                progress: &[
                    "生活垃圾分类工作:",
                    "1.印发《芜湖市生活垃圾分类2020年工作要点》。",
                    "2.推进生活垃圾示范片区建设。",
                ],
                lead: &["市城管局"],
                co: COUNTIES,
                notes: &[],
            },
            Want {
                number: 2,
                section: None,
                goal: "推进城市有机更新和生态修复,实施“适老化”和“节能化”小区改造试点工作。",
                // The `进展情况:` label is structure, not text.
                progress: &["2020年我市城镇老旧小区改造121个项目中具备条件的小区均实施“适老化”和“节能化”改造,目前已开工80%。"],
                lead: &["市住建局"],
                co: &["市发改委", "市财政局"],
                notes: &[],
            },
            Want {
                number: 3,
                section: None,
                goal: "加快推进水利薄弱环节治理和防汛抗旱提升工程。",
                // Text after the parenthesis on the task's own line is its first progress paragraph.
                progress: &[
                    "截至6月,已经完成1座排涝泵站初步设计批复。",
                    "此外,无为县西河凤凰颈新站工程初步设计已经批复,工程施工总承包正在招标。",
                ],
                lead: &["市水务局"],
                co: &[],
                notes: &[],
            },
            Want {
                number: 4,
                section: None,
                goal: "优化道路交通体系,加快城南过江隧道、九华南路大茆立交、长江路高架等重大工程建设。",
                progress: &["长江路高架建设完成过保兴垾左侧人行桥1座,王家巷立交段完成墩柱15个。"],
                lead: &["市重点处"],
                co: &["市交通运输局", "市自然资源和规划局"],
                notes: &[],
            },
            Want {
                number: 5,
                section: None,
                goal: "扎实推进美丽乡村建设。",
                progress: &["今年计划农村改厕3.7万户,已完成农村改厕2.6万户。"],
                // `(X、Y负责)`: one list, the first-listed unit leads.
                lead: &["市农业农村局"],
                co: &["市住建局"],
                notes: &[],
            },
        ],
        &[],
    );
}

#[test]
fn parenthesized_unnumbered_with_footer() {
    let r = import("paren_unnumbered.txt");
    check(
        &r,
        Layout::Parenthesized,
        &[
            Want {
                number: 1,
                section: None,
                goal: "推进城乡教育一体化深度融合,加快集团化办学。",
                progress: &["一是推进城乡教育一体化,实施“县管校聘”管理改革。二是出台跨区域集团化办学实施方案。"],
                lead: &["市教育局"],
                co: &["各县(市)区政府"],
                notes: &[],
            },
            Want {
                number: 2,
                section: None,
                goal: "完善普职协调发展机制,建设特殊教育学校。",
                progress: &[],
                lead: &["市教育局"],
                co: &["市发改委", "市财政局"],
                notes: &[],
            },
            Want {
                number: 3,
                section: None,
                goal: "支持在芜高校高质量发展。",
                progress: &["积极协调皖江学院转设工作,正在落实皖江学院法人证书变更。"],
                lead: &["市教育局"],
                co: &["市科技局"],
                notes: &[],
            },
            Want {
                number: 4,
                section: None,
                goal: "建立更充分更高质量就业的促进机制,吸引更多年轻人在芜就业。",
                progress: &[],
                lead: &["市人社局"],
                co: &["市教育局", "市投资促进中心"],
                notes: &[],
            },
        ],
        &[
            (13, "抄送:市委各部门,市人大常委会办公室,市政协办公室。"),
            (14, "芜湖市人民政府办公室 2020年2月20日印发"),
        ],
    );
}

#[test]
fn tongbao_items_with_quoted_goals_and_units_closing_the_progress() {
    let r = import("tongbao_shaoxing.txt");
    let a = Some("一、经济发展类");
    let b = Some("二、民生保障类");
    let counties: &[&str] = &["各区县(市)政府"];
    check(
        &r,
        Layout::Parenthesized,
        &[
            Want {
                number: 1,
                section: a,
                // The quoted text only.
                goal: "全市生产总值增长7%以上",
                // Two paragraphs, the units parenthesis cut from the last.
                progress: &[
                    "上半年全市实现生产总值3560.2亿元,同比增长4.1%,增速居全省第4位。",
                    "受疫情等因素影响,完成年度目标存在一定压力。",
                ],
                lead: &["市发改委", "市统计局"],
                co: counties,
                notes: &[],
            },
            Want {
                number: 2,
                section: a,
                goal: "新增规上工业企业300家",
                progress: &["截至6月底,全市新增规上工业企业158家,完成年度目标的52.7%,其中柯桥区、诸暨市新增数量位居前两位。"],
                lead: &["市经信局"],
                co: counties,
                notes: &[],
            },
            Want {
                number: 3,
                section: a,
                goal: "推进杭绍甬一体化发展",
                progress: &[
                    "一是杭绍城际铁路正式开通运营,日均客流1.8万人次。",
                    "二是绍兴风情旅游新干线建设完成投资12.5亿元。",
                ],
                lead: &["市发改委"],
                co: &[],
                notes: &[],
            },
            Want {
                number: 4,
                section: b,
                goal: "完成城镇老旧小区改造120个",
                progress: &["2022年计划改造的120个小区已全部开工,完工46个,惠及居民1.2万户。"],
                lead: &["市建设局"],
                co: counties,
                notes: &[],
            },
            Want {
                number: 5,
                section: b,
                goal: "新建改建农村公路200公里",
                // Numbered sub-items, the last carrying the units: no rows of their own.
                progress: &[
                    "1.上半年新建改建农村公路98公里,完成年度目标的49%。",
                    "2.实施农村公路安全生命防护工程150公里。",
                ],
                lead: &["市交通运输局"],
                co: &["市财政局", "市公安局"],
                notes: &[],
            },
            Want {
                number: 6,
                section: b,
                goal: "新增城镇就业6万人",
                // The units on a line of their own.
                progress: &["上半年全市城镇新增就业3.4万人,完成年度目标的56.7%。城镇登记失业率1.9%。"],
                lead: &["市人力社保局"],
                co: &[],
                notes: &[],
            },
        ],
        // The signature after the last item is reported, not taken for progress.
        &[
            (25, "绍兴市人民政府督查室"),
            (26, "2022年7月15日"),
            (27, "抄送:市委办公室,市人大常委会办公室,市政协办公室。"),
        ],
    );
}

#[test]
fn tongbao_items_numbered_like_headings_with_corner_quotes() {
    let r = import("tongbao_hefei.txt");
    check(
        &r,
        Layout::Parenthesized,
        &[
            Want {
                number: 1,
                // `(一)关于…` is an item, not a section heading.
                section: None,
                goal: "新建改扩建公办幼儿园50所",
                progress: &[
                    "截至9月底,50所幼儿园已开工48所,其中完工竣工31所,新增公办学位1.2万个。",
                ],
                lead: &["市教育局"],
                co: &["市发展改革委", "市财政局", "各县(市)区政府"],
                notes: &[],
            },
            Want {
                number: 2,
                section: None,
                goal: "实施城区积水点治理",
                progress: &[
                    "一是完成积水点改造42处,汛期未出现大面积积水。",
                    "二是新建改造雨污管网86公里。",
                ],
                lead: &["市城乡建设局"],
                co: &["市城管局", "市水务局"],
                notes: &[],
            },
            Want {
                number: 3,
                section: None,
                goal: "增设社区食堂100个",
                progress: &["已建成社区食堂73个,日均服务老年人1.1万人次。"],
                lead: &["市民政局"],
                co: &[],
                notes: &[],
            },
            Want {
                number: 4,
                section: None,
                goal: "新增停车泊位2万个",
                progress: &[
                    "全市已新增公共停车泊位1.68万个。",
                    "其中,利用边角地新建临时停车场56处。",
                ],
                lead: &["市公安局交警支队"],
                co: &["市城乡建设局", "市自然资源和规划局"],
                notes: &[],
            },
        ],
        &[(14, "抄送:市委办公室,市人大常委会办公室。")],
    );
}

#[test]
fn tongbao_items_with_ascii_quotes_and_unquoted_goals() {
    let text = "关于2021年三季度重点工作进展情况的通报\n1、关于\"推进城市书房建设\"的事项\n已建成城市书房12个。(牵头单位:市文广旅游局)\n2、关于新增公共停车泊位的事项\n新增泊位0.8万个。(市公安局交警支队牵头,市城管局配合)\n关于“加快5G基站建设”事项。已建成5G基站1260个。(牵头单位:市经信局)\n";
    let r = import_named(text.as_bytes(), "tongbao_inline.txt");
    check(
        &r,
        Layout::Parenthesized,
        &[
            Want {
                number: 1,
                section: None,
                goal: "推进城市书房建设",
                progress: &["已建成城市书房12个。"],
                lead: &["市文广旅游局"],
                co: &[],
                notes: &[],
            },
            Want {
                number: 2,
                section: None,
                goal: "新增公共停车泊位",
                progress: &["新增泊位0.8万个。"],
                lead: &["市公安局交警支队"],
                co: &["市城管局"],
                notes: &[],
            },
            // Unnumbered, its progress and units on its own line: numbered next in order.
            Want {
                number: 3,
                section: None,
                goal: "加快5G基站建设",
                progress: &["已建成5G基站1260个。"],
                lead: &["市经信局"],
                co: &[],
                notes: &[],
            },
        ],
        &[],
    );
}

#[test]
fn units_closing_the_progress_under_sections_with_numbered_sub_items() {
    let text = "2022年一季度重点工作推进情况通报\n一、经济发展\n1.建设城市书房10个。\n(1)已建成8个。\n(2)2个正在装修。(牵头单位:市文旅局;配合单位:市财政局)\n2.新增城镇就业5万人。\n一季度新增就业1.3万人。\n(牵头单位:市人社局)\n二、民生保障\n1.推进城市有机更新。\n1.已开工65个。\n2.完工21个。(市住建局牵头,各区政府配合)\n2.关于“实施农村公路提升”事项。完成投资3.2亿元。(市交通局牵头)\n";
    let r = import_named(text.as_bytes(), "closing_sections.txt");
    let a = Some("一、经济发展");
    let b = Some("二、民生保障");
    check(
        &r,
        Layout::Parenthesized,
        &[
            Want {
                number: 1,
                section: a,
                goal: "建设城市书房10个。",
                // `(2)` under `1.` is a sub-item, although it carries the units.
                progress: &["(1)已建成8个。", "(2)2个正在装修。"],
                lead: &["市文旅局"],
                co: &["市财政局"],
                notes: &[],
            },
            Want {
                number: 2,
                section: a,
                goal: "新增城镇就业5万人。",
                progress: &["一季度新增就业1.3万人。"],
                lead: &["市人社局"],
                co: &[],
                notes: &[],
            },
            // Numbered from 1 again under the new section: numbered in order.
            Want {
                number: 3,
                section: b,
                goal: "推进城市有机更新。",
                progress: &["1.已开工65个。", "2.完工21个。"],
                lead: &["市住建局"],
                co: &["各区政府"],
                notes: &[],
            },
            Want {
                number: 4,
                section: b,
                goal: "实施农村公路提升",
                progress: &["完成投资3.2亿元。"],
                lead: &["市交通局"],
                co: &[],
                notes: &[],
            },
        ],
        &[],
    );
}

#[test]
fn units_closing_the_progress_of_tasks_numbered_from_1001() {
    let r = import("paren_after_progress.txt");
    check(
        &r,
        Layout::Parenthesized,
        &[
            Want {
                number: 1001,
                section: None,
                goal: "新建改扩建公办幼儿园20所,新增学位6000个。",
                progress: &["截至6月底,20所幼儿园已开工18所,其中完工5所,新增学位1500个。"],
                lead: &["市教育局"],
                co: &["市发改委", "市财政局"],
                notes: &[],
            },
            Want {
                number: 1002,
                section: None,
                goal: "完成1.5万亩高标准农田建设。",
                // `2020、` and `1.5` open progress, not rows.
                progress: &[
                    "2020、2021年连续两年超额完成建设任务,今年任务已分解到各县(市、区)。",
                    "1.5万亩建设任务已完成招标1.2万亩,开工建设0.8万亩。",
                ],
                lead: &["市农业农村局"],
                co: &["市财政局", "市自然资源和规划局"],
                notes: &[],
            },
            Want {
                number: 1003,
                section: None,
                goal: "实施3000户农村危房改造和抗震加固。",
                progress: &["3000余户农户已完成摸底核查,开工2150户,竣工1320户。"],
                lead: &["市住建局"],
                co: &[],
                notes: &[],
            },
            Want {
                number: 1004,
                section: None,
                goal: "新增城镇就业6万人。",
                progress: &[
                    "1.上半年全市城镇新增就业3.3万人,完成年度目标的55%。",
                    "2.发放创业担保贷款4.6亿元,带动就业1.1万人。",
                ],
                lead: &["市人社局"],
                // A name with `、` inside its parentheses stays one name.
                co: &["各县(市、区)政府"],
                notes: &[],
            },
            Want {
                number: 1005,
                section: None,
                goal: "改造提升农贸市场15个。",
                progress: &["已完成改造农贸市场9个,其余6个正在施工。"],
                lead: &["市商务局"],
                co: &[],
                notes: &[],
            },
        ],
        &[(17, "抄送:市委办公室,市人大常委会办公室。")],
    );
}

// ----------------------------------------------------------------------------------------------
// Encodings through the whole pipeline
// ----------------------------------------------------------------------------------------------

#[test]
fn gbk_bytes_import_like_the_utf8_file() {
    let utf8 = fixture("labelled_sections.txt");
    let text = String::from_utf8(utf8).expect("fixture is UTF-8");
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(!unmappable, "the fixture is all GBK text");
    assert!(
        std::str::from_utf8(&gbk).is_err(),
        "GBK bytes are not valid UTF-8"
    );
    let r = import_named(&gbk, "labelled_sections.gbk.txt");
    assert_eq!(r.encoding, "GB18030");
    check(&r, Layout::Labelled, &labelled_sections_rows(), &[]);
}

#[test]
fn crlf_and_utf8_bom_import_like_the_plain_file() {
    let utf8 = fixture("cells_lines.txt");
    let text = String::from_utf8(utf8).expect("fixture is UTF-8");
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend_from_slice(text.replace('\n', "\r\n").as_bytes());
    let r = import_named(&bytes, "cells_lines.crlf.txt");
    assert_eq!(r.encoding, "UTF-8");
    check(&r, Layout::Cells, &cells_lines_rows(), CELLS_LINES_UNPLACED);
    assert!(r
        .rows
        .iter()
        .all(|row| !row.goal.contains('\r') && row.progress.iter().all(|p| !p.contains('\r'))));
}

#[test]
fn utf16_with_bom_imports() {
    let text = String::from_utf8(fixture("pipe_plain.txt")).expect("fixture is UTF-8");
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    let r = import_named(&bytes, "pipe_plain.utf16.txt");
    assert_eq!(r.layout, Layout::Pipe);
    assert_eq!(r.rows.len(), 5);
}

// ----------------------------------------------------------------------------------------------
// Detection
// ----------------------------------------------------------------------------------------------

fn lines(text: &str) -> Vec<SourceLine<'_>> {
    duban::import::source_lines(text)
}

fn seed() -> String {
    let path = format!("{}/data/sample_2020h1_wuhu.txt", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn the_seed_is_detected_as_concatenated_with_or_without_its_header() {
    let text = seed();
    assert_eq!(layout::detect(&lines(&text)), Some(Layout::Concatenated));
    let headless: String = text
        .lines()
        .filter(|l| !l.contains("序号目标与任务"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(
        layout::detect(&lines(&headless)),
        Some(Layout::Concatenated)
    );
    // Only the table's rows, nothing around them.
    let rows_only: String = text
        .lines()
        .filter(|l| l.contains('\u{a0}'))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(
        layout::detect(&lines(&rows_only)),
        Some(Layout::Concatenated)
    );
}

#[test]
fn every_fixture_is_detected_as_its_layout() {
    for (name, want) in [
        ("cells_lines.txt", Layout::Cells),
        ("cells_paragraphs.txt", Layout::Cells),
        ("cells_single_units.txt", Layout::Cells),
        ("labelled_sections.txt", Layout::Labelled),
        ("labelled_variants.txt", Layout::Labelled),
        ("labelled_unnumbered.txt", Layout::Labelled),
        ("pipe_markdown.md", Layout::Pipe),
        ("pipe_plain.txt", Layout::Pipe),
        ("paren_plan.txt", Layout::Parenthesized),
        ("paren_progress.txt", Layout::Parenthesized),
        ("paren_unnumbered.txt", Layout::Parenthesized),
        ("cells_bars.txt", Layout::Cells),
        ("cells_numbers.txt", Layout::Cells),
        ("cells_lead_lines.txt", Layout::Cells),
        ("labelled_synonyms.txt", Layout::Labelled),
        ("tongbao_shaoxing.txt", Layout::Parenthesized),
        ("tongbao_hefei.txt", Layout::Parenthesized),
        ("paren_after_progress.txt", Layout::Parenthesized),
    ] {
        let text = String::from_utf8(fixture(name)).expect("fixture is UTF-8");
        assert_eq!(layout::detect(&lines(&text)), Some(want), "{name}");
    }
}

#[test]
fn text_that_is_no_task_table_is_not_detected() {
    let readme = "# duban\n\nA terminal tool.\n\n| Option | Meaning |\n|---|---|\n| --db | database path |\n\n1. Install Rust.\n2. Run `cargo build`.\n";
    let novel = "第一章 风起\n\n一、\n他走进市政府的大门,看见市发改委的牌子(新挂的)。\n“你好。”她说。\n(一)\n雨下了一整夜。\n";
    let notice = "关于做好2020年春节期间安全生产工作的通知\n各县(市)区人民政府,市政府各部门:\n(一)强化组织领导。各县区、各有关部门要提高政治站位。\n(二)强化督查问责。对工作严重滞后的单位实行约谈、问责。\n";
    let numbers = "1\n2\n3\n4\n5\n";
    // One sentence ending in a bare unit name in parentheses is not yet a table.
    let memo = "会议纪要\n会议由市政府副秘书长主持,研究了城区防汛工作(市水务局)。\n";
    for (name, text) in [
        ("readme", readme),
        ("novel", novel),
        ("notice", notice),
        ("numbers", numbers),
        ("memo", memo),
    ] {
        assert_eq!(layout::detect(&lines(text)), None, "{name}");
        match import::import_bytes(text.as_bytes(), name, &Aliases::builtin()) {
            Err(ImportError::NoTable { .. }) => {}
            other => panic!("{name}: expected no table, got {other:?}"),
        }
    }
}

#[test]
fn the_strongest_evidence_wins() {
    // A labelled report whose progress cites a parenthesised lead: the labels decide.
    let text = "1.推进河湖长制。\n进展情况:已印发方案(市水务局牵头)。\n牵头责任单位:市水务局\n2.完善公墓建设。\n进展情况:正加快推进。\n牵头责任单位:市民政局\n";
    assert_eq!(layout::detect(&lines(text)), Some(Layout::Labelled));
    // A parenthesized report whose progress is labelled: the parentheses decide.
    let text = "1.推进河湖长制(市水务局牵头)。\n进展情况:已印发方案。\n2.完善公墓建设(市民政局牵头)。\n进展情况:正加快推进。\n";
    assert_eq!(layout::detect(&lines(text)), Some(Layout::Parenthesized));
}

// ----------------------------------------------------------------------------------------------
// Concatenated rows that end in other columns than the sample's
// ----------------------------------------------------------------------------------------------

/// A single 责任单位 column (the first unit leads) with a deadline column glued on after it:
/// dates, `年底前`, `长期坚持`; units closed by `等` or `配合`; one row without a deadline whose
/// units end in a full stop.
#[test]
fn concatenated_rows_with_a_single_units_column_and_a_deadline() {
    let r = import("concat_deadline_single.txt");
    check(
        &r,
        Layout::Concatenated,
        &[
            Want {
                number: 1,
                section: None,
                goal: "建成新能源汽车零部件产业园,新增产能50万套。",
                progress: &["产业园一期厂房已封顶,二期完成土地摘牌。"],
                lead: &["市发展和改革委员会"],
                co: &["武进区人民政府", "常州经开区管委会"],
                notes: &["完成时间:2023年12月"],
            },
            Want {
                number: 2,
                section: None,
                goal: "改造燃气老旧管网120公里。",
                progress: &[
                    "上半年完成改造68公里,完成率56.7%。",
                    "2.排查用户端燃气隐患1.2万户,整改完成率98%。",
                ],
                lead: &["市住房和城乡建设局"],
                co: &["市城市管理局", "各辖市(区)人民政府"],
                notes: &["完成时间:年底前"],
            },
            Want {
                number: 3,
                section: None,
                goal: "开展“润心”青少年心理健康行动。",
                progress: &["全市中小学心理健康教师配备率达100%。"],
                lead: &["市教育局"],
                co: &["市卫生健康委员会"],
                notes: &["完成时间:长期坚持"],
            },
            Want {
                number: 4,
                section: None,
                goal: "完善公共文化服务体系。",
                progress: &["新建城市书房12家,举办阅读活动300余场。"],
                lead: &["市文化广电和旅游局"],
                co: &[],
                notes: &[],
            },
        ],
        &[],
    );
    assert_eq!(r.period.name, "2023年上半年");
}

/// Lead and co columns run together, then a 备注 column (kept as written); `N. ` with an
/// ordinary space, CRLF, sections; co units closed by `等。`, a duty phrase or `配合`; a goal of
/// two sentences; a row whose units end in a space has no co units.
#[test]
fn concatenated_rows_with_lead_and_co_units_and_a_remarks_column() {
    let r = import("concat_remarks_crlf.txt");
    check(
        &r,
        Layout::Concatenated,
        &[
            Want {
                number: 1,
                section: Some("一、产业发展"),
                goal: "推进海上风电项目建设,新增并网装机100万千瓦。",
                progress: &["一季度新增并网装机32万千瓦,完成年度目标的32%。"],
                lead: &["市发展和改革委员会"],
                co: &["市自然资源和规划局", "国网盐城供电公司"],
                notes: &[],
            },
            Want {
                number: 2,
                section: Some("一、产业发展"),
                goal: "实施“智改数转”工程。培育省级智能制造示范工厂5家。",
                progress: &["已组织申报省级示范工厂9家,其中3家进入现场评审。"],
                lead: &["市工业和信息化局"],
                co: &["市科学技术局", "市财政局"],
                notes: &["纳入省级考核"],
            },
            Want {
                number: 3,
                section: Some("二、社会民生"),
                goal: "新增城镇就业8万人。",
                progress: &[
                    "1-3月城镇新增就业2.3万人,完成年度任务28.8%。",
                    "3.开展“春风行动”招聘会46场。",
                ],
                lead: &["市人力资源和社会保障局"],
                co: &["各县(市、区)人民政府"],
                notes: &[],
            },
            Want {
                number: 4,
                section: Some("二、社会民生"),
                goal: "建成口袋公园30个。",
                progress: &["已开工建设口袋公园18个,建成6个。"],
                lead: &["市住房和城乡建设局"],
                co: &[],
                notes: &[],
            },
        ],
        &[],
    );
}

// ----------------------------------------------------------------------------------------------
// Cells: progress lines that start with place names; Word cells with empty cells
// ----------------------------------------------------------------------------------------------

#[test]
fn progress_lines_that_start_with_place_names_stay_progress() {
    let r = import("cells_place_progress.txt");
    let s1 = Some("一、城市更新");
    let s2 = Some("二、乡村振兴");
    check(
        &r,
        Layout::Cells,
        &[
            Want {
                number: 1,
                section: s1,
                goal: "完成老旧小区改造120个,惠及居民2.1万户。",
                // Places joined by `、`, then what they did: a sentence, not units (with or
                // without its full stop), even right after the units.
                progress: &[
                    "芝罘区、莱山区、福山区已全部完成摸底排查。",
                    "上半年开工改造老旧小区86个,完成年度目标的72%。",
                    "牟平区、海阳市两地率先启动试点",
                ],
                lead: &["市住房城乡建设局"],
                co: &["芝罘区政府", "莱山区政府", "福山区政府"],
                notes: &[],
            },
            Want {
                number: 2,
                section: s1,
                goal: "推进城市供热管网改造,新建改造管网80公里。",
                progress: &[
                    "已新建改造供热管网52公里。",
                    "龙口市、莱州市进展较快,蓬莱区进度滞后。",
                ],
                lead: &["市城市管理局"],
                // Bare place names alone on their line are units.
                co: &["蓬莱区", "龙口市", "莱州市"],
                notes: &[],
            },
            Want {
                number: 3,
                section: s2,
                goal: "新建高标准农田25万亩。",
                progress: &[
                    "栖霞市、招远市、莱阳市新开工项目全部进场施工。",
                    "已完成高标准农田建设15.3万亩。",
                ],
                lead: &["市农业农村局"],
                co: &["市财政局", "各区市政府"],
                notes: &[],
            },
            Want {
                number: 4,
                section: s2,
                goal: "打造乡村振兴示范片区10个。",
                progress: &[
                    "栖霞市、海阳市均已编制完成片区规划",
                    "已启动示范片区建设6个。",
                ],
                lead: &["市委农办"],
                co: &["栖霞市", "海阳市"],
                notes: &[],
            },
        ],
        &[],
    );
}

#[test]
fn word_cells_keep_their_columns_across_empty_cells() {
    let r = import("cells_word_empty_cells.txt");
    check(
        &r,
        Layout::Cells,
        &[
            Want {
                number: 1,
                section: None,
                goal: "推进潍坊港区航道扩建工程,新增万吨级泊位2个。",
                progress: &[
                    "航道扩建工程完成总工程量的58%。",
                    "两个万吨级泊位主体结构已完工。",
                ],
                lead: &["市港航发展中心"],
                co: &["市交通运输局", "滨海区管委会"],
                notes: &["完成时限:2023年12月底"],
            },
            // Empty 配合单位 and 完成时限: the remark stays a remark.
            Want {
                number: 2,
                section: None,
                goal: "建设国家农业开放发展综合试验区,引进农业项目30个。",
                progress: &["上半年引进农业项目21个,总投资86亿元。"],
                lead: &["市农业农村局"],
                co: &[],
                notes: &["省级考核事项"],
            },
            // Empty progress: the deadline and the remark are not progress.
            Want {
                number: 3,
                section: None,
                goal: "新建公办幼儿园20所。",
                progress: &[],
                lead: &["市教育局"],
                co: &["各县市区政府"],
                notes: &["完成时限:2023年9月底", "待省厅批复选址后开工"],
            },
            // No units at all: still a task, and the next number still starts a row.
            Want {
                number: 4,
                section: None,
                goal: "实施“暖心助老”工程,为80岁以上老人发放高龄津贴。",
                progress: &[
                    "上半年发放高龄津贴1.2亿元,惠及老人14.6万人。",
                    "津贴发放实现“不见面”办理。",
                ],
                lead: &[],
                co: &[],
                notes: &["完成时限:长期坚持"],
            },
            // A remark with figures is a remark when every cell is in its place.
            Want {
                number: 5,
                section: None,
                goal: "推进寿光蔬菜种业创新,培育新品种15个。",
                progress: &["上半年培育蔬菜新品种9个。"],
                lead: &["寿光市政府"],
                co: &["市科技局", "市农科院"],
                notes: &["完成时限:2023年12月底", "较序时进度滞后3个百分点"],
            },
        ],
        // The signature under the table ends it and is reported.
        &[(91, "制表人:刘敏\u{3000}\u{3000}联系电话:0536-8231234")],
    );
}

// ----------------------------------------------------------------------------------------------
// Grids: tables drawn with box characters or ASCII rules, cells wrapped at a fixed width
// ----------------------------------------------------------------------------------------------

#[test]
fn a_double_bordered_box_table_with_wrapped_cells_and_a_wrapped_header() {
    let r = import("grid_box_double.txt");
    assert_eq!(r.period.name, "2024年上半年");
    let a = Some("一、建设绿色低碳发展示范区 / (一)推进能源结构调整");
    check(
        &r,
        Layout::Pipe,
        &[
            // The number stands in the middle of its row's lines; the header `牵头单`/`位`
            // and `协同责任单`/`位` are wrapped; the unit names are cut anywhere.
            Want {
                number: 1,
                section: a,
                goal: "新增光伏装机容量100万千瓦,海上风电并网规模达到600万千瓦。",
                progress: &[
                    "(1)上半年新增光伏装机容量62.3万千瓦,完成年度目标的62.3%。",
                    // `1.6` at a line's end and `个百分点` after it: one figure.
                    "(2)海上风电并网规模达到580万千瓦,占全省比重较年初提高1.6个百分点。",
                ],
                lead: &["市发展改革委"],
                co: &["市自然资源和规划局", "国网盐城供电公司"],
                notes: &["跨年度项目"],
            },
            Want {
                number: 2,
                section: a,
                goal: "建成5G基站3000个,实现重点区域5G网络全覆盖。",
                // A sentence that ends where its line had room left ends a paragraph.
                progress: &[
                    "已建成5G基站2135个,完成年度目标的71.2%。",
                    "下一步将加快推进县城及重点乡镇基站建设。",
                ],
                lead: &["市工业和信息化局"],
                co: &["市通信发展管理办公室"],
                notes: &[],
            },
            Want {
                number: 3,
                section: Some("二、增进民生福祉"),
                goal: "改造城镇老旧小区120个,加装电梯200部。",
                progress: &[
                    "一是已开工改造老旧小区96个,完工41个;",
                    "二是已加装电梯87部。",
                ],
                // Two lead units: the first one's last line left room for the second.
                lead: &["市住房城乡建设局", "市城管局"],
                co: &["各县(市、区)人民政府"],
                notes: &[],
            },
        ],
        &[(
            32,
            "填报单位:市政府督查室\u{3000}\u{3000}\u{3000}\u{3000}填报时间:2024年7月10日",
        )],
    );
}

#[test]
fn an_ascii_grid_with_margins_a_repeated_wrapped_header_and_a_footer() {
    let r = import("grid_ascii_rst.txt");
    assert_eq!(r.period.name, "2022年第三季度");
    let a = Some("一、推进产业强市");
    check(
        &r,
        Layout::Pipe,
        &[
            Want {
                number: 1,
                section: a,
                goal: "实施“智改数转”三年行动,完成智能化改造项目1000个。",
                progress: &[
                    "1-9月完成智能化改造项目836个,其中“智改数转”示范项目52个。",
                    "2.新认定省级智能制造示范工厂12家。",
                ],
                lead: &["市工业和信息化局"],
                co: &["市财政局", "市科技局", "各辖市区人民政府"],
                notes: &["完成时限:2022年12月底"],
            },
            Want {
                number: 2,
                section: a,
                goal: "新增规上工业企业300家。",
                progress: &["新增规上工业企业268家,完成年度目标的89.3%。"],
                lead: &["市统计局"],
                co: &["市工业和信息化局"],
                notes: &["完成时限:2022年12月底"],
            },
            Want {
                number: 3,
                section: Some("二、推进城乡建设"),
                goal: "新开工保障性租赁住房1万套。",
                progress: &[
                    "已新开工保障性租赁住房8650套,完成年度目标的86.5%,剩余项目正在办理施工许可手续。",
                ],
                lead: &["市住房城乡建设局"],
                co: &["市自然资源和规划局", "市房管中心"],
                notes: &["完成时限:2022年11月底"],
            },
        ],
        &[(27, "抄送:市委办公室,市人大常委会办公室。")],
    );
}

/// The round-2 blind box table, redrawn in `style`: each light box character replaced.
fn zibo_redrawn(style: &[(char, char)]) -> String {
    let path = format!(
        "{}/tests/fixtures/text_blind2/zibo_box_table_wrapped.txt",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.chars()
        .map(|c| {
            style
                .iter()
                .find(|(light, _)| *light == c)
                .map_or(c, |(_, other)| *other)
        })
        .collect()
}

/// Asserts that `text` imports as the round-2 blind box table expects.
fn assert_imports_like_zibo(name: &str, text: &str) {
    let expect_path = format!(
        "{}/tests/fixtures/text_blind2/zibo_box_table_wrapped.txt.expect.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let expect: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(&expect_path).unwrap_or_else(|e| panic!("{expect_path}: {e}")),
    )
    .expect("the expectation is JSON");
    let strings = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str().map(str::to_string))
            .collect()
    };
    let written = |units: &[duban::model::Unit]| -> Vec<String> {
        units.iter().map(|u| u.written.clone()).collect()
    };
    let r = import_named(text.as_bytes(), name);
    assert_eq!(r.layout, Layout::Pipe, "{name}");
    assert_eq!(r.period.name, "2023年1-10月", "{name}");
    assert!(r.unplaced.is_empty(), "{name}: {:?}", r.unplaced);
    let rows = expect["rows"].as_array().expect("rows");
    assert_eq!(r.rows.len(), rows.len(), "{name}");
    for (got, want) in r.rows.iter().zip(rows) {
        let at = format!("{name} row {}", got.number);
        assert_eq!(Some(u64::from(got.number)), want["number"].as_u64(), "{at}");
        assert_eq!(got.section.as_deref(), want["section"].as_str(), "{at}");
        assert_eq!(Some(got.goal.as_str()), want["goal"].as_str(), "{at}");
        assert_eq!(got.progress, strings(&want["progress"]), "{at}");
        assert_eq!(written(&got.lead_units), strings(&want["lead"]), "{at}");
        assert_eq!(written(&got.co_units), strings(&want["co"]), "{at}");
    }
}

#[test]
fn the_wrapped_box_table_imports_the_same_in_every_box_style() {
    let light: &[(char, char)] = &[];
    let heavy = [
        ('┌', '┏'),
        ('┬', '┳'),
        ('┐', '┓'),
        ('│', '┃'),
        ('├', '┣'),
        ('┼', '╋'),
        ('┤', '┫'),
        ('└', '┗'),
        ('┴', '┻'),
        ('┘', '┛'),
        ('─', '━'),
    ];
    let double = [
        ('┌', '╔'),
        ('┬', '╦'),
        ('┐', '╗'),
        ('│', '║'),
        ('├', '╠'),
        ('┼', '╬'),
        ('┤', '╣'),
        ('└', '╚'),
        ('┴', '╩'),
        ('┘', '╝'),
        ('─', '═'),
    ];
    let ascii = [
        ('┌', '+'),
        ('┬', '+'),
        ('┐', '+'),
        ('│', '|'),
        ('├', '+'),
        ('┼', '+'),
        ('┤', '+'),
        ('└', '+'),
        ('┴', '+'),
        ('┘', '+'),
        ('─', '-'),
    ];
    for (name, style) in [
        ("light", light),
        ("heavy", &heavy[..]),
        ("double", &double[..]),
        ("ascii", &ascii[..]),
    ] {
        assert_imports_like_zibo(name, &zibo_redrawn(style));
    }
}

#[test]
fn the_wrapped_box_table_imports_the_same_without_its_outer_borders() {
    // Copied without the top border (the wrapped header runs from the title to the first
    // rule) and without the bottom border (the last row runs to the end of the text).
    let text = zibo_redrawn(&[]);
    let inner: String = text
        .lines()
        .filter(|l| !l.starts_with(['┌', '└']))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_imports_like_zibo("no borders", &inner);
    // CRLF line ends and a blank line between every two lines, as some pastes do.
    let spaced = text.replace('\n', "\r\n\r\n");
    assert_imports_like_zibo("spaced", &spaced);
}

#[test]
fn a_grid_ruled_only_around_its_body_joins_unnumbered_lines_to_the_numbered_one_above() {
    // No rules between the rows (as MySQL prints a table, or a box table with rules only
    // under its header): a numbered line starts a row, and lines without a number continue it.
    let text = "2021年三季度重点工作进展\n\
┌──┬────────┬──────┬────────┐\n\
│序│目标任务        │牵头单位    │进展情况        │\n\
│号│                │            │                │\n\
├──┼────────┼──────┼────────┤\n\
│1 │建设城市书房20家│市文化广电旅│已建成16家，其余│\n\
│  │。              │游局        │4家正在装修。   │\n\
│2 │新增停车泊位5000│市城管局    │新增泊位4120个。│\n\
│  │个。            │            │                │\n\
└──┴────────┴──────┴────────┘\n";
    let r = import_named(text.as_bytes(), "grid_body_only.txt");
    assert_eq!(r.layout, Layout::Pipe);
    let got: Vec<(u32, &str, Vec<String>, Vec<String>)> = r
        .rows
        .iter()
        .map(|row| {
            (
                row.number,
                row.goal.as_str(),
                row.progress.clone(),
                row.lead_units.iter().map(|u| u.written.clone()).collect(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                1,
                "建设城市书房20家。",
                vec!["已建成16家，其余4家正在装修。".to_string()],
                vec!["市文化广电旅游局".to_string()]
            ),
            (
                2,
                "新增停车泊位5000个。",
                vec!["新增泊位4120个。".to_string()],
                vec!["市城管局".to_string()]
            ),
        ]
    );
    assert!(r.unplaced.is_empty(), "{:?}", r.unplaced);
}

#[test]
fn a_markdown_table_keeps_a_row_per_line_even_under_a_horizontal_rule() {
    // A Markdown separator and a `---` line are no grid rules: the line without a number is a
    // row of its own, the task above's second progress paragraph.
    let text = "# 2020年重点工作\n\n\
| 序号 | 目标与任务 | 牵头单位 | 进展情况 |\n\
|---|---|---|---|\n\
| 1 | 建设城市书房20家。 | 市文旅局 | 已建成16家。 |\n\
|  |  |  | 其余4家正在装修。 |\n\
| 2 | 新增停车泊位5000个。 | 市城管局 | 新增泊位4120个。 |\n\
\n---\n";
    let r = import_named(text.as_bytes(), "markdown_hr.md");
    assert_eq!(r.layout, Layout::Pipe);
    assert_eq!(r.rows.len(), 2);
    assert_eq!(r.rows[0].progress, ["已建成16家。", "其余4家正在装修。"]);
    assert!(r.unplaced.is_empty(), "{:?}", r.unplaced);
}

#[test]
fn grids_are_detected_as_pipe_tables() {
    for name in [
        "grid_box_double.txt",
        "grid_ascii_rst.txt",
        "grid_box_split_header.txt",
    ] {
        let text = String::from_utf8(fixture(name)).expect("fixture is UTF-8");
        assert_eq!(layout::detect(&lines(&text)), Some(Layout::Pipe), "{name}");
    }
}

#[test]
fn a_box_table_with_a_header_cell_split_in_two_and_a_units_cell_merged_down() {
    // `责任单位` over `牵头单位 | 配合单位` (a rule crossing only those columns inside the
    // header), `序`/`号` wrapped past that rule, and a gap in the rule between tasks 2 and 3:
    // the co units cell is shared by both.
    let r = import("grid_box_split_header.txt");
    assert_eq!(r.period.name, "2023年前三季度");
    check(
        &r,
        Layout::Pipe,
        &[
            Want {
                number: 1,
                section: None,
                goal: "推进连云港港30万吨级航道二期工程建设。",
                progress: &[
                    "航道二期工程完成投资18.6亿元,占总投资的72%。",
                    "2.徐圩港区航道段疏浚完成91%。",
                ],
                lead: &["市交通运输局"],
                co: &["连云港港口集团"],
                notes: &[],
            },
            Want {
                number: 2,
                section: None,
                goal: "新增城镇就业5.5万人。",
                progress: &["前三季度新增城镇就业4.6万人,完成年度目标的83.6%。"],
                lead: &["市人力资源社会保障局"],
                co: &["各县区人民政府"],
                notes: &[],
            },
            Want {
                number: 3,
                section: None,
                goal: "发放创业担保贷款10亿元。",
                progress: &["已发放创业担保贷款8.2亿元。"],
                lead: &["市财政局"],
                co: &["各县区人民政府"],
                notes: &[],
            },
        ],
        &[],
    );
}

#[test]
fn tables_as_psql_and_pandoc_print_them() {
    // psql: no outer bars, a `+` in its header rule, and its row count under the table.
    let psql = "2023年上半年重点工作进展\n\
 序号 |      目标任务       | 牵头单位 |     进展情况\n\
------+---------------------+----------+------------------\n\
    1 | 建设城市书房20家。  | 市文旅局 | 已建成16家。\n\
    2 | 新增停车泊位5000个。| 市城管局 | 新增泊位4120个。\n\
(2 rows)\n";
    let r = import_named(psql.as_bytes(), "psql.txt");
    assert_eq!(r.layout, Layout::Pipe);
    assert_eq!(r.rows.len(), 2);
    assert_eq!(r.rows[1].progress, ["新增泊位4120个。"]);
    assert!(r.unplaced.is_empty(), "{:?}", r.unplaced);
    // pandoc's grid table: alignment colons in the header rule, cells wrapped.
    let pandoc = "2023年上半年重点工作进展\n\n\
+------+--------------------+----------+------------------+\n\
| 序号 | 目标任务           | 牵头单位 | 进展情况         |\n\
+:====:+:===================+:=========+:=================+\n\
| 1    | 建设城市书房20家。 | 市文旅局 | 已建成16家，其余 |\n\
|      |                    |          | 4家正在装修。    |\n\
+------+--------------------+----------+------------------+\n\
| 2    | 新增停车泊位5000   | 市城管局 | 新增泊位4120个。 |\n\
|      | 个。               |          |                  |\n\
+------+--------------------+----------+------------------+\n";
    let r = import_named(pandoc.as_bytes(), "pandoc.txt");
    assert_eq!(r.layout, Layout::Pipe);
    assert_eq!(r.rows.len(), 2);
    assert_eq!(r.rows[0].progress, ["已建成16家，其余4家正在装修。"]);
    assert_eq!(r.rows[1].goal, "新增停车泊位5000个。");
    assert!(r.unplaced.is_empty(), "{:?}", r.unplaced);
}
