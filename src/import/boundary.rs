//! Where a row's goal ends and its progress begins, when a report runs the two together:
//! a scored judgement over candidate cuts (after each sentence, or before a glued cue).
//!
//! The goal is the task as the government work report states it: one or more plan-language
//! sentences (`扎实打好…。抓好…。`). Progress is what the unit reports: enumerations (`一是`,
//! `1.`), dates (`截至6月底`, `上半年`), results (`已`, `累计`, figures), documents issued
//! (`印发《…》`), or a sub-heading that repeats the goal. Each sentence after the first gets a
//! score (plan-like > 0, progress-like < 0); a cut after sentence k scores the sum of the
//! kept sentences plus how strongly sentence k+1 opens progress. The best cut wins; ties go
//! to the shorter goal, because most goals are one sentence.

use regex::Regex;
use std::sync::OnceLock;

/// A candidate cut and its score, for tests and for explaining a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Byte offset in the text where progress would begin.
    pub at: usize,
    pub score: i32,
    /// How many sentences the goal would keep (0 for a cut inside the first sentence).
    pub sentences: usize,
    /// The summed scores of the kept sentences after the first.
    pub kept: i32,
    /// The bonus for how strongly the next sentence opens progress.
    pub opens: i32,
}

/// Byte offset in `text` (a row's first line, without its number and without its units)
/// where the progress begins. `text[..at]` is the goal.
pub fn goal_end(text: &str) -> usize {
    best(&candidates(text)).map_or(text.len(), |c| c.at)
}

fn best(cands: &[Candidate]) -> Option<&Candidate> {
    // Candidates are in text order; `>` keeps the earliest of equal scores.
    let mut best: Option<&Candidate> = None;
    for c in cands {
        if best.is_none_or(|b| c.score > b.score) {
            best = Some(c);
        }
    }
    best
}

/// At most this many sentences are weighed as goal: no goal in the sample is longer than
/// three, and bounding it keeps the judgement linear in the row's length.
const MAX_GOAL_SENTENCES: usize = 6;

/// Every cut considered, with its score.
pub fn candidates(text: &str) -> Vec<Candidate> {
    let sentences = sentences(text);
    let Some(first) = sentences.first() else {
        return Vec::new();
    };
    // A progress cue glued to the first sentence with no punctuation (`…民生工程截至6月底`)
    // is a missing full stop: cut there.
    if let Some(at) = glued_cue(&text[first.0..first.1]) {
        return vec![Candidate {
            at,
            score: 100,
            sentences: 0,
            kept: 0,
            opens: 0,
        }];
    }
    let texts: Vec<&str> = sentences.iter().map(|&(s, e)| &text[s..e]).collect();
    let mut goal = GoalWindows::default();
    let mut out = Vec::new();
    let mut kept = 0i32;
    let mut last = 0i32;
    let limit = sentences.len().min(MAX_GOAL_SENTENCES);
    for k in 1..=limit {
        if k >= 2 {
            last = sentence_score(texts[k - 1], &goal);
            kept += last;
        }
        goal.add(texts[k - 1]);
        // A strong opening of progress vouches for the cut before it only when the sentence
        // kept last reads like a goal itself; otherwise it would drag progress into the goal.
        let opens = match texts.get(k) {
            Some(next) if last >= 0 => opens_progress(next),
            _ => 0,
        };
        out.push(Candidate {
            at: sentences[k - 1].1,
            score: kept + opens,
            sentences: k,
            kept,
            opens,
        });
        // A sentence that opens with an enumeration, a date or a sub-heading is never part
        // of a goal: longer goals need not be weighed.
        if texts.get(k).is_some_and(|next| strong_opening(next)) {
            break;
        }
    }
    out
}

/// Sentence spans: each ends after `。` `!` `?` and any closing quotes or brackets; a last
/// piece without a full stop is a sentence too. Only the first few matter for the goal.
fn sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if out.len() > MAX_GOAL_SENTENCES {
            return out;
        }
        if matches!(c, '。' | '!' | '?' | '\u{ff01}' | '\u{ff1f}') {
            let mut end = i + c.len_utf8();
            while let Some(&(j, q)) = chars.peek() {
                if matches!(q, '”' | '’' | '」' | '』' | ')' | '\u{ff09}') {
                    end = j + q.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            out.push((start, end));
            start = end;
        }
    }
    if text[start..].chars().any(|c| !c.is_whitespace()) {
        out.push((start, text.len()));
    }
    out
}

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("boundary patterns are valid"))
}

/// A strong progress cue inside the first sentence, glued to a Han character or digit.
fn glued_cue(sentence: &str) -> Option<usize> {
    static GLUED: OnceLock<Regex> = OnceLock::new();
    let glued = re(
        &GLUED,
        r"截[至止](?:[0-9]|目前|今年|上半年)|目前[,\x{FF0C}已正]|一是|(?:^|[^0-9.])1[.、\x{FF0E}](?:\p{Han})|[(\x{FF08}]1[)\x{FF09}]",
    );
    for m in glued.find_iter(sentence) {
        // The enumerator alternative may have matched one character before the `1`.
        let at = match sentence[m.start()..].find(['1', '(', '\u{ff08}']) {
            Some(off) if !m.as_str().starts_with(['截', '一', '目']) => m.start() + off,
            _ => m.start(),
        };
        let before = &sentence[..at];
        let Some(prev) = before.chars().next_back() else {
            continue;
        };
        if before.chars().count() < 4 {
            continue;
        }
        if is_han(prev) || prev.is_ascii_digit() {
            return Some(at);
        }
    }
    None
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}')
}

/// Adverbs that may precede a plan verb: `扎实推进`, `进一步完善`.
const ADVERBS: &[&str] = &[
    "进一步",
    "高质量",
    "大力",
    "扎实",
    "持续",
    "全面",
    "深入",
    "积极",
    "切实",
    "着力",
    "坚决",
    "严格",
    "精细",
    "全域",
    "重拳",
    "充分",
    "不断",
    "努力",
    "统筹",
    "稳步",
    "继续",
    "认真",
    "主动",
    "率先",
    "要",
    "持之以恒",
    "精准",
    "重点",
    "有序",
    "加速",
];

/// Verbs a work report's tasks start with.
const PLAN_VERBS: &[&str] = &[
    "推进",
    "推动",
    "加快",
    "实施",
    "建立",
    "健全",
    "完善",
    "深化",
    "加强",
    "强化",
    "支持",
    "鼓励",
    "引导",
    "提升",
    "优化",
    "发展",
    "打造",
    "培育",
    "构建",
    "拓展",
    "创新",
    "坚持",
    "落实",
    "发挥",
    "建设",
    "抓好",
    "打好",
    "打赢",
    "做好",
    "办好",
    "确保",
    "力争",
    "争取",
    "促进",
    "探索",
    "复制",
    "导入",
    "参与",
    "申建",
    "扩大",
    "提高",
    "弘扬",
    "挖掘",
    "紧扣",
    "聚焦",
    "秉持",
    "新招引",
    "新认定",
    "狠抓",
    "化解",
    "实现",
    "加大",
    "筹建",
    "谋划",
    "推开",
    "满足",
    "保障",
    "巩固",
    "防范",
    "维护",
    "守住",
    "严守",
    "贯彻",
];

/// Verbs that report what was done.
const DONE_VERBS: &[&str] = &[
    "印发",
    "出台",
    "召开",
    "组织",
    "修订",
    "编印",
    "编发",
    "报送",
    "举办",
    "草拟",
    "拟定",
    "联合",
    "列出",
    "兑现",
    "推荐",
    "开设",
    "引进",
    "签订",
    "下发",
    "下达",
    "发放",
    "摸排",
    "根据",
    "按照",
    "通过",
    "对接",
    "协调",
    "督促",
    "着手",
    "正在",
    "正积极",
    "经",
    "收集",
    "累计",
    "共",
    "已",
];

/// Verbs as common in progress as in goals.
const WEAK_DONE_VERBS: &[&str] = &[
    "开展", "制定", "完成", "启动", "成立", "编制", "确定", "建成",
];

fn strip_adverbs(mut s: &str) -> &str {
    // Adverbs can stack (`积极稳步推进`); two rounds are enough.
    for _ in 0..2 {
        if let Some(a) = ADVERBS.iter().find(|a| s.starts_with(*a)) {
            s = &s[a.len()..];
        }
    }
    s
}

fn starts_with_any(s: &str, words: &[&str]) -> bool {
    words.iter().any(|w| s.starts_with(w))
}

/// How a clause opens: +1 plan verb, −1 report verb, 0 neither (adverb only counts +0).
fn clause_start(clause: &str) -> i32 {
    let bare = strip_adverbs(clause);
    if starts_with_any(bare, PLAN_VERBS) {
        1
    } else if starts_with_any(bare, DONE_VERBS) {
        -1
    } else {
        0
    }
}

/// Whether a sentence opens the progress strongly: an enumeration, a date, a sub-heading.
fn strong_opening(s: &str) -> bool {
    static OPEN: OnceLock<Regex> = OnceLock::new();
    let open = re(
        &OPEN,
        r"^(?:\s*)(?:[一二三四五六七八九十]+是|[0-9]+\s*[.、\x{FF0E}](?:[^0-9])|[(\x{FF08}][0-9一二三四五六七八九十]+[)\x{FF09}]|[①②③④⑤⑥⑦⑧⑨⑩]|截至|截止|目前|上半年|今年|据统计|经梳理|此外|下一步|[0-9]|全市|我市|[^,\x{FF0C}。]{2,14}[:\x{FF1A}]|[^,\x{FF0C}。]{2,10}方面[,\x{FF0C}])",
    );
    open.is_match(s)
}

/// How strongly a sentence opens the progress (a bonus for cutting just before it).
fn opens_progress(s: &str) -> i32 {
    if strong_opening(s) {
        2
    } else if starts_with_any(strip_adverbs(s), DONE_VERBS) {
        1
    } else {
        0
    }
}

/// Plan-likeness of a sentence after the first, given the goal so far: > 0 reads like the
/// task, < 0 like the report of its progress.
fn sentence_score(s: &str, goal_so_far: &GoalWindows) -> i32 {
    static DATES: OnceLock<Regex> = OnceLock::new();
    static YEAR: OnceLock<Regex> = OnceLock::new();
    static COUNTED: OnceLock<Regex> = OnceLock::new();
    let dates = re(
        &DATES,
        r"上半年|一季度|[0-9]+\s*[-—~至]\s*[0-9]+\s*月|[0-9]+月(?:底|份|上旬|中旬|下旬|[0-9]+日)|今年|截至|截止|目前",
    );
    let year = re(&YEAR, r"(?:19|20)[0-9]{2}\s*年");
    let counted = re(&COUNTED, r"等\s*[0-9]+\s*[个家项户所人件]");
    static COUNT: OnceLock<Regex> = OnceLock::new();
    let count = re(
        &COUNT,
        r"[0-9]+(?:\.[0-9]+)?\s*(?:万|亿)?\s*(?:个|家|项|座|户|人|件|所|条|处|亩|公里|吨|元|次|场|批|张|套)",
    );

    // Most goals are one sentence: every extra sentence must earn its place.
    let mut score = -1;
    if strong_opening(s) {
        score -= 4;
    }
    let (mut plan_clause, mut done_clause) = (false, false);
    for c in s.split([',', '\u{ff0c}', ';', '\u{ff1b}']).skip(1) {
        match clause_start(c) {
            1.. => plan_clause = true,
            ..0 => done_clause = true,
            0 => {}
        }
    }
    let bare = strip_adverbs(s);
    if starts_with_any(bare, PLAN_VERBS) {
        score += 2;
    } else if bare.len() < s.len() {
        score += 1;
    } else if starts_with_any(bare, DONE_VERBS) {
        score -= 2;
    } else if starts_with_any(bare, WEAK_DONE_VERBS) && !plan_clause {
        // `建成…个,培育…个`: a verb as common in goals as in progress, listed with a plan
        // verb, sets targets.
        score -= 1;
    }
    if plan_clause {
        score += 1;
    }
    if done_clause {
        score -= 2;
    }
    if s.contains('已') {
        score -= 2;
    }
    if has_done_le(s) {
        score -= 1;
    }
    if ["正在", "累计", "共计", "同比", "完成率", "占比"]
        .iter()
        .any(|w| s.contains(w))
    {
        score -= 1;
    }
    if dates.is_match(s) {
        score -= 2;
    } else if year.is_match(s) {
        score -= 1;
    }
    if s.contains('《') {
        score -= 2;
    }
    if s.contains("我市") {
        score -= 1;
    }
    // The 2020 reports' goals were set before the epidemic; what mentions it is progress.
    if s.contains("疫情") {
        score -= 2;
    }
    if s.contains("一是") {
        score -= 3;
    }
    if counted.is_match(s) {
        score -= 1;
    }
    // A goal's figures are targets (`70个以上`, `力争…120万标箱`); a bare count is a result.
    let target = [
        "以上",
        "力争",
        "争取",
        "确保",
        "左右",
        "不少于",
        "不低于",
        "达到",
        "超过",
    ]
    .iter()
    .any(|w| s.contains(w));
    if !target && !plan_clause && count.is_match(s) {
        score -= 1;
    }
    // A target stated as a figure with its bound (`固定资产投资增长10%左右`, `控制在5.5%以内`)
    // and nothing that reports (no date, no 已, no 同比): the plan's next target.
    static BOUNDED: OnceLock<Regex> = OnceLock::new();
    let bounded = re(
        &BOUNDED,
        r"[0-9]+(?:\.[0-9]+)?\s*(?:%|％|万|亿|个百分点)?[^,，;；。]{0,4}(?:左右|以上|以内|以下)|(?:不低于|不少于|控制在)\s*[0-9]",
    );
    if bounded.is_match(s)
        && !s.contains('已')
        && !dates.is_match(s)
        && !["同比", "累计", "完成率"].iter().any(|w| s.contains(w))
    {
        score += 2;
    }
    if !target
        && ["获批", "获得", "荣获", "入选", "获评"]
            .iter()
            .any(|w| s.contains(w))
    {
        score -= 2;
    }
    // Goal sentences are short; a long one after the first is usually the unit's account.
    if s.chars().count() > 64 {
        score -= 1;
    }
    score - restatement_penalty(s, goal_so_far)
}

/// `了` marking a completed action (`制定了`), not `为了`/`了解`.
fn has_done_le(s: &str) -> bool {
    let mut prev: Option<char> = None;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '了'
            && prev.is_some_and(|p| !matches!(p, '为' | '除' | '明' | '受' | '不'))
            && chars.peek().is_none_or(|&n| n != '解')
        {
            return true;
        }
        prev = Some(c);
    }
    false
}

/// A sentence that repeats a phrase of the goal is a progress sub-heading
/// (`开展“贴近群众六走进”行动。` after the goal `…深入开展“贴近群众六走进”行动。`).
fn restatement_penalty(s: &str, goal: &GoalWindows) -> i32 {
    // Goals share their opening verbs (`扎实推进…。扎实推进…。`); what is repeated after
    // them is what counts.
    let bare = strip_adverbs(s);
    let object = PLAN_VERBS
        .iter()
        .find(|v| bare.starts_with(*v))
        .map_or(bare, |v| &bare[v.len()..]);
    let s_chars: Vec<char> = object
        .chars()
        .filter(|c| !c.is_whitespace())
        .take(80)
        .collect();
    let common = goal.longest_common_run(&s_chars);
    if common < 4 {
        return 0;
    }
    let content = s
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '。' | ',' | '\u{ff0c}'))
        .count()
        .max(1);
    let ratio = common as f32 / content as f32;
    if ratio >= 0.35 {
        4
    } else if ratio >= 0.2 {
        2
    } else {
        0
    }
}

/// The goal so far as its 4-character windows, sorted for binary search: a sentence's longest
/// run of shared windows measures how much of the goal it repeats (a run of n windows is
/// n + 3 characters). Linear, unlike an exact longest common substring, and exact enough.
#[derive(Debug, Default)]
struct GoalWindows {
    chars: Vec<char>,
    windows: Vec<u64>,
}

const WINDOW: usize = 4;

/// Four characters in 64 bits: the low 16 bits of each (all of CJK and its punctuation; rare
/// characters outside the BMP may share a key, which only makes the measure slightly generous).
fn window_key(w: &[char]) -> u64 {
    w.iter().fold(0u64, |k, &c| (k << 16) | (c as u64 & 0xffff))
}

/// Goals longer than this add nothing to the comparison.
const MAX_GOAL_CHARS: usize = 160;

impl GoalWindows {
    fn add(&mut self, sentence: &str) {
        let from = self.chars.len().saturating_sub(WINDOW - 1);
        let room = MAX_GOAL_CHARS.saturating_sub(self.chars.len());
        self.chars
            .extend(sentence.chars().filter(|c| !c.is_whitespace()).take(room));
        if self.chars.len() >= WINDOW {
            let old = self.windows.len();
            let chars = &self.chars[from..];
            self.windows.extend(chars.windows(WINDOW).map(window_key));
            // The old part is sorted already; sorting the new part and merging is linear.
            self.windows[old..].sort_unstable();
            let mut merged = Vec::with_capacity(self.windows.len());
            let (a, b) = self.windows.split_at(old);
            let (mut i, mut j) = (0, 0);
            while i < a.len() || j < b.len() {
                let take_a = j >= b.len() || (i < a.len() && a[i] <= b[j]);
                let v = if take_a { a[i] } else { b[j] };
                if take_a {
                    i += 1;
                } else {
                    j += 1;
                }
                if merged.last() != Some(&v) {
                    merged.push(v);
                }
            }
            self.windows = merged;
        }
    }

    fn longest_common_run(&self, s: &[char]) -> usize {
        let (mut run, mut best) = (0usize, 0usize);
        for w in s.windows(WINDOW) {
            if self.windows.binary_search(&window_key(w)).is_ok() {
                run += 1;
                best = best.max(run);
            } else {
                run = 0;
            }
        }
        if best == 0 {
            0
        } else {
            best + WINDOW - 1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn goal(text: &str) -> &str {
        &text[..goal_end(text)]
    }

    #[test]
    fn a_goal_can_be_two_sentences() {
        let row2 = "扎实打好污染防治攻坚战。抓好生态环境保护督察和突出生态环境问题整改。围绕“三大保卫战”和“七大标志性战役”,向省环委办报送2020年上半年全市污染防治攻坚战进展情况报告。推动生态环保督察整改,各级各类生态环保督察反馈问题加快推进。上级交办我市群众投诉信访1129个,已备案销号1103个。";
        assert_eq!(
            goal(row2),
            "扎实打好污染防治攻坚战。抓好生态环境保护督察和突出生态环境问题整改。"
        );
    }

    #[test]
    fn a_cue_glued_to_the_goal_cuts_without_punctuation() {
        let row17 = "实施33项民生工程截至6月底,全市完成民生工程资金投入65.59亿元,占年初计划的73.25%。“四带一自”产业扶贫工程等项目提前完成年度目标任务。";
        assert_eq!(goal(row17), "实施33项民生工程");
    }

    #[test]
    fn cue_words_inside_a_goal_do_not_cut_it() {
        assert_eq!(
            goal("着力解决目前群众反映强烈的突出问题。"),
            "着力解决目前群众反映强烈的突出问题。"
        );
        assert_eq!(goal("确保截止年底前全面完成。"), "确保截止年底前全面完成。");
        assert_eq!(goal("推进5G基站建设1.5万个。"), "推进5G基站建设1.5万个。");
    }

    #[test]
    fn enumerations_open_the_progress() {
        let row21 = "推进城乡教育一体化深度融合。加快集团化办学。实施高中阶段教育普及攻坚计划。1.推进城乡教育一体化,实施 “县管校聘”管理改革。2.出台《关于市中心城区跨区域集团化办学实施方案》。";
        assert_eq!(
            goal(row21),
            "推进城乡教育一体化深度融合。加快集团化办学。实施高中阶段教育普及攻坚计划。"
        );
        let row18 = "高质量完成脱贫攻坚任务。在攻克深度贫困堡垒、巩固脱贫成果、防范返贫方面持续发力,确保建档立卡贫困人口全部脱贫,不让一个困难群众在小康路上掉队。一是强化调度、压实责任。市扶贫开发领导小组实行月调度。";
        assert_eq!(
            goal(row18),
            "高质量完成脱贫攻坚任务。在攻克深度贫困堡垒、巩固脱贫成果、防范返贫方面持续发力,确保建档立卡贫困人口全部脱贫,不让一个困难群众在小康路上掉队。"
        );
    }

    #[test]
    fn a_sub_heading_that_repeats_the_goal_is_progress() {
        let row7 = "精细推进文明创建,深入开展“贴近群众六走进”行动。狠抓交通乱象、占道经营、违规燃放烟花爆竹等专项整治,树立文明风尚。开展“贴近群众六走进”行动。一是开展校园周边市容环境专项整治。";
        assert_eq!(
            goal(row7),
            "精细推进文明创建,深入开展“贴近群众六走进”行动。狠抓交通乱象、占道经营、违规燃放烟花爆竹等专项整治,树立文明风尚。"
        );
        let row12 = "加快推进水利薄弱环节治理和防汛抗旱提升工程。灾后薄弱环节建设性治理项目。今年计划内新开工中小河流治理项目共1个、易涝区泵站项目4个。";
        assert_eq!(goal(row12), "加快推进水利薄弱环节治理和防汛抗旱提升工程。");
    }

    #[test]
    fn results_and_documents_are_progress() {
        let row4 = "建立健全生态文明制度体系,加大生态环境监管执法力度。推进绿色发展,印发绿色技术创新体系实施方案,推进工作落实。开展执法检查,累计检查企业3625家次。";
        assert_eq!(
            goal(row4),
            "建立健全生态文明制度体系,加大生态环境监管执法力度。"
        );
        let row1 = "秉持“共抓大保护、不搞大开发”理念,加快推进国土空间规划编制。完成基础资料收集和县(市)区、市直重点部门座谈调研。";
        assert_eq!(
            goal(row1),
            "秉持“共抓大保护、不搞大开发”理念,加快推进国土空间规划编制。"
        );
    }

    #[test]
    fn targets_with_figures_stay_in_the_goal() {
        let row51 = "传统产业转型升级“联起来”。鼓励采用新技术、新工艺、新设备改造提升传统产业,制定优势产业升级计划。实施亿元以上技改项目70个以上。召开专题推进会,研究优势产业升级发展思路。";
        assert_eq!(
            goal(row51),
            "传统产业转型升级“联起来”。鼓励采用新技术、新工艺、新设备改造提升传统产业,制定优势产业升级计划。实施亿元以上技改项目70个以上。"
        );
        let row77 = "优化内河航道与港口规划布局,打造长江下游江海联运枢纽。力争口岸集装箱运量120万标箱。2020年1-6月份,芜湖港货物吞吐量累计完成6336.65万吨。";
        assert_eq!(
            goal(row77),
            "优化内河航道与港口规划布局,打造长江下游江海联运枢纽。力争口岸集装箱运量120万标箱。"
        );
    }

    #[test]
    fn targets_listed_with_a_plan_verb_stay_in_the_goal() {
        let suqian2 = "实施数字经济三年行动计划。建成5G基站2000个,培育省级工业互联网平台2个。截至9月底,新建5G基站1862个,完成年度目标的93.1%。";
        assert_eq!(
            goal(suqian2),
            "实施数字经济三年行动计划。建成5G基站2000个,培育省级工业互联网平台2个。"
        );
        // The same verbs reporting results are progress.
        let done = "实施数字经济三年行动计划。建成5G基站1862个,已完成年度目标的93.1%。";
        assert_eq!(goal(done), "实施数字经济三年行动计划。");
        let counted = "实施数字经济三年行动计划。建成5G基站1862个。截至9月底,完成年度目标的93.1%。";
        assert_eq!(goal(counted), "实施数字经济三年行动计划。");
    }

    #[test]
    fn a_goal_alone_is_all_goal() {
        assert_eq!(goal("推进撤县设区。"), "推进撤县设区。");
        assert_eq!(goal("推进撤县设区"), "推进撤县设区");
        assert_eq!(goal_end(""), 0);
    }

    #[test]
    fn never_cuts_inside_a_character() {
        for text in [
            "1.",
            "截至",
            "a截至b",
            "实施截至",
            "(1)",
            "。。。",
            "推进1.5亿元",
        ] {
            let at = goal_end(text);
            assert!(text.is_char_boundary(at), "{text}");
        }
    }
}
