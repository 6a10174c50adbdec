//! Completion figures in progress text: `完成率64%`, `完工率87.24%`, `已开工80%`,
//! `占年初计划的73.25%`, `完成目标任务的44.04%`, `已完成X/Y`, a plan and what is done of it
//! (`今年计划农村改厕3.7万户,已完成农村改厕2.6万户`), `尚未开展` (0%) and `已全部完成`
//! (100%).
//!
//! Every percentage in the text is returned, but only some are completion figures: growth
//! (`同比增长4.6%`) and shares of something else (`占规上工业比重为38.8%`, `覆盖率100%`,
//! `治愈率达100%`) are kept with their own kind so a period diff can still show them changing,
//! and [`FigureKind::is_completion`] says which ones the suggested status may use.
//!
//! Spans are char indices (not bytes) into the text given to [`extract`].

use regex::Regex;
use serde::Serialize;
use std::ops::Range;
use std::sync::OnceLock;

/// What a figure measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FigureKind {
    /// A completion rate: `完成率64%`, `完工率87.24%`, `完成比例为51.7%`, `支出进度70.74%`.
    Rate,
    /// Work started: `已开工80%`, `已全部开工`, or a plan and how much of it has started.
    Started,
    /// A share of the year's plan or target: `占年初计划的73.25%`, `完成目标任务的44.04%`,
    /// `完成工程投资额的33%`.
    ShareOfPlan,
    /// Counted: `已完成X/Y`, a plan and what is done of it, `已完成24个,正在实施5个`, or
    /// `48个问题已全部整改到位` (all of a counted batch).
    Ratio,
    /// `尚未开展`, `尚未启动`, `未启动`: 0%.
    NotStarted,
    /// `已全部完成`, `已完成全年任务`, `提前完成年度目标任务`: 100% of the task's plan.
    AllDone,
    /// Growth or decline (`同比增长4.6%`, `下降52%`): never completion.
    Growth,
    /// A share of something else (`覆盖率100%`, `占比97.6%`, `治愈率达100%`): not completion.
    Other,
}

impl FigureKind {
    /// Whether the figure says how much of the task's work is done (and so may drive a
    /// suggested status).
    pub fn is_completion(self) -> bool {
        !matches!(self, FigureKind::Growth | FigureKind::Other)
    }
}

/// One figure found in a text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    pub kind: FigureKind,
    /// The value as a percentage (a ratio 30/47 is 63.83).
    pub value_percent: f64,
    /// What the figure is of, stable across periods so two periods' figures can be paired:
    /// `完成率`, `完工率`, `已开工`, `占年初计划`, `完成目标任务`, `已完成`, `覆盖率`, …
    pub label: String,
    /// Char range of the figure's words in the text (`完成率64%`, or for a plan and its done
    /// part, from the plan's number to the done number).
    pub text_span: Range<usize>,
    /// The text at `text_span`.
    pub text: String,
    /// For a counted figure (`已完成X/Y`, a plan and what is done of it): the two numbers
    /// and the unit as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counted: Option<Counted>,
}

/// The numbers behind a counted figure, as written (`2.6万` of `3.7万` `户`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Counted {
    pub done: String,
    pub total: String,
    pub unit: String,
}

impl Figure {
    /// A short form for reasons and lists: `完成率64%`, `已完成2.6万/3.7万户(70.27%)`,
    /// `尚未开展(0%)`.
    pub fn summary(&self) -> String {
        let pct = fmt_pct(self.value_percent);
        match (&self.counted, self.kind) {
            (Some(c), _) => format!("{}{}/{}{}({pct}%)", self.label, c.done, c.total, c.unit),
            (None, FigureKind::NotStarted | FigureKind::AllDone) => {
                format!("{}({pct}%)", self.text)
            }
            (None, _) if !self.text.contains('%') && !self.text.contains('\u{ff05}') => {
                format!("{}({pct}%)", self.label)
            }
            (None, _) => self.text.clone(),
        }
    }
}

/// Formats a percentage without trailing zeros: 64, 87.24, 63.83.
pub fn fmt_pct(v: f64) -> String {
    let s = format!("{:.2}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

/// Byte → char index conversion for one text.
struct CharIndex {
    starts: Vec<usize>,
}

impl CharIndex {
    fn new(text: &str) -> CharIndex {
        CharIndex {
            starts: text.char_indices().map(|(b, _)| b).collect(),
        }
    }
    fn of(&self, byte: usize) -> usize {
        match self.starts.binary_search(&byte) {
            Ok(i) => i,
            Err(i) => i,
        }
    }
}

const CLAUSE_BREAK: &[char] = &[
    ',', '\u{ff0c}', '。', ';', '\u{ff1b}', ':', '\u{ff1a}', '\n', '(', '\u{ff08}', ')',
    '\u{ff09}', '、', '!', '\u{ff01}', '?', '\u{ff1f}',
];
const SENTENCE_BREAK: &[char] = &[
    '。', ';', '\u{ff1b}', '\n', '!', '\u{ff01}', '?', '\u{ff1f}',
];

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("figure pattern is valid"))
}

fn percent_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(&R, r"(\d+(?:\.\d+)?)\s*[%\x{FF05}]")
}

/// The words just before a percentage decide what it is. Each pattern is anchored at the end
/// of the clause text that precedes the number.
struct Rule {
    kind: FigureKind,
    re: Regex,
    /// How the label is made from the captures.
    label: fn(&regex::Captures<'_>) -> String,
}

fn rules() -> &'static [Rule] {
    static R: OnceLock<Vec<Rule>> = OnceLock::new();
    R.get_or_init(|| {
        let rule = |kind, pattern: &str, label: fn(&regex::Captures<'_>) -> String| Rule {
            kind,
            re: Regex::new(pattern).expect("figure rule is valid"),
            label,
        };
        vec![
            // Growth first: `完成农产品加工产值增长7.4%` is growth, not completion.
            rule(
                FigureKind::Growth,
                r"(同比|环比|较上年|比上年|较去年)?(增长|上升|下降|减少|提高|增加|降低|增幅|降幅|回落|压缩|精简)(了)?(达到|达|为|约|近)?$",
                |c| format!("{}{}", c.get(1).map_or("", |m| m.as_str()), &c[2]),
            ),
            rule(
                FigureKind::Rate,
                r"(完成|完工|开工|竣工|办结|整改|销号|编制|建成|执行)率(均)?(达到|达|为|是|已达)?$",
                |c| format!("{}率", &c[1]),
            ),
            rule(
                FigureKind::Rate,
                r"完成(比例|比率|进度)(均)?(为|达到|达|是)?$",
                |c| format!("完成{}", &c[1]),
            ),
            rule(
                FigureKind::Rate,
                r"(支出|建设|工程|形象|总体|投资|实施|施工)进度(均)?(为|达到|达|在|是)?$",
                |c| format!("{}进度", &c[1]),
            ),
            rule(
                FigureKind::Started,
                r"已(全面)?开工(约|近)?$",
                |_| "已开工".to_string(),
            ),
            rule(
                FigureKind::Rate,
                r"已(完工|建成|完成)(约|近)?$",
                |c| format!("已{}", &c[1]),
            ),
            rule(
                FigureKind::ShareOfPlan,
                r"占(年初|全年|年度|今年)?(计划|目标任务|目标|任务)(的)?$",
                |c| format!("占{}{}", c.get(1).map_or("", |m| m.as_str()), &c[2]),
            ),
            rule(
                FigureKind::ShareOfPlan,
                r"完成[^,\x{FF0C}。;\x{FF1B}]{0,14}?(目标任务|任务|计划|投资额|投资|工作量)(的)?(约|近)?$",
                |c| format!("完成{}", &c[1]),
            ),
        ]
    })
}

/// A label for a figure no rule claims: the Han characters just before it
/// (`摸排建档率75%` → `摸排建档率`), at most eight.
fn context_label(prefix: &str) -> String {
    static TRIM: OnceLock<Regex> = OnceLock::new();
    let trim = re(&TRIM, r"(均|达到|达|为|是|约|近|在)+$");
    let p = trim.replace(prefix, "");
    let han: Vec<char> = p
        .chars()
        .rev()
        .take_while(|c| is_han(*c))
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let start = han.len().saturating_sub(8);
    let label: String = han[start..].iter().collect();
    if label.is_empty() {
        "%".to_string()
    } else {
        label
    }
}

fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c)
}

/// The clause that ends at byte `end`: back to the last comma, full stop, colon or bracket.
fn clause_before(text: &str, end: usize) -> (usize, &str) {
    let start = text[..end]
        .char_indices()
        .rev()
        .find(|(_, c)| CLAUSE_BREAK.contains(c))
        .map(|(b, c)| b + c.len_utf8())
        .unwrap_or(0);
    (start, &text[start..end])
}

/// Byte ranges of sentences (split on `。;;` and line breaks), without the break itself.
fn sentences(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (b, c) in text.char_indices() {
        if SENTENCE_BREAK.contains(&c) {
            if b > start {
                out.push(start..b);
            }
            start = b + c.len_utf8();
        }
    }
    if start < text.len() {
        out.push(start..text.len());
    }
    out
}

fn number(s: &str) -> Option<f64> {
    s.parse::<f64>().ok()
}

fn multiplier(m: Option<regex::Match<'_>>) -> f64 {
    match m.map(|m| m.as_str()) {
        Some("万") => 1e4,
        Some("亿") => 1e8,
        Some("千") => 1e3,
        _ => 1.0,
    }
}

const UNITS: &str = r"(个|项|件|户|座|处|所|家|亩|公里|千米|吨|人次|人|名|条|张|场|套|辆|台|栋|间|公顷|平方米|元|笔|宗|次|批|块|基)";

fn plan_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(&format!(
            r"(计划|目标任务|全年任务|年度任务|任务|交办|应)[^,\x{{FF0C}}。;\x{{FF1B}}!?\x{{FF01}}\x{{FF1F}}]{{0,16}}?(?:共|计)?(\d+(?:\.\d+)?)(?:余|多)?(万|亿|千)?{UNITS}"
        ))
        .expect("plan pattern is valid")
    })
}

fn done_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(&format!(
            r"已(?:经)?([^,\x{{FF0C}}。;\x{{FF1B}}!?\x{{FF01}}\x{{FF1F}}]{{0,12}}?)(?:近|约)?(\d+(?:\.\d+)?)(?:余|多)?(万|亿|千)?{UNITS}"
        ))
        .expect("done pattern is valid")
    })
}

fn done_verb_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(
        &R,
        r"(完成|实施|建成|整改|销号|办结|完工|竣工|开工|落实|安装|改造|招引|认定|培育|新增|建设|发放)",
    )
}

fn in_progress_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(
        &R,
        r"已完成(\d+)(个|项|件|户|家|座|所|条)[,\x{FF0C}、]\s*正在(?:实施|推进|办理|建设|施工)(\d+)(个|项|件|户|家|座|所|条)",
    )
}

fn slash_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(
        &R,
        r"(已完成|完成|已完工|完工|已办结|办结|已整改|整改)\s*(\d+)\s*[/\x{FF0F}]\s*(\d+)",
    )
}

fn marker_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(
        &R,
        r"(已全部完成|已完成全年(?:目标)?任务|全年(?:目标)?任务已(?:全部)?完成|提前完成(?:全年|年度)(?:目标)?任务|已全部办结|已全部整改(?:到位|完成)?|已全部开工|(?:尚|暂|还|仍)未(?:开展|启动|开工|实施)|未启动)",
    )
}

fn intent_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(&R, r"(力争|确保|争取|计划|预计|力求|拟|将于)")
}

/// A counted subject just before a marker (`48个问题已全部整改到位`): the marker is about a
/// batch, not the whole task.
fn counted_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(
        &R,
        r"\d+(?:\.\d+)?(?:万|亿)?(?:个|项|件|条|户|家|座|所|宗|起)",
    )
}

/// Every figure in `text`, in text order.
pub fn extract(text: &str) -> Vec<Figure> {
    let idx = CharIndex::new(text);
    let mut out: Vec<Figure> = Vec::new();
    let mk = |kind, value: f64, label: String, bytes: Range<usize>| Figure {
        kind,
        value_percent: value,
        label,
        text_span: idx.of(bytes.start)..idx.of(bytes.end),
        text: text[bytes].to_string(),
        counted: None,
    };
    let counted = |done: String, total: String, unit: &str| {
        Some(Counted {
            done,
            total,
            unit: unit.to_string(),
        })
    };

    // 1. Percentages, classified by the words before them.
    for m in percent_re().captures_iter(text) {
        let whole = m.get(0).expect("match");
        let Some(value) = number(&m[1]) else { continue };
        let (clause_start, prefix) = clause_before(text, whole.start());
        let mut found = None;
        for rule in rules() {
            if let Some(c) = rule.re.captures(prefix) {
                let start = clause_start + c.get(0).expect("match").start();
                found = Some((rule.kind, (rule.label)(&c), start));
                break;
            }
        }
        let (kind, label, start) = found.unwrap_or_else(|| {
            let label = context_label(prefix);
            let start = whole.start() - label_bytes_before(prefix, &label);
            (FigureKind::Other, label, start)
        });
        out.push(mk(kind, value, label, start..whole.end()));
    }

    // 2. Markers: not started (0%), all done (100%), all started.
    for m in marker_re().find_iter(text) {
        let s = m.as_str();
        let (_, clause) = clause_before(text, m.start());
        let batch = counted_re().is_match(clause);
        if !s.contains('未') && intent_re().is_match(clause) {
            // `力争年内全部完成` is a plan, not an achievement.
            continue;
        }
        let (kind, value, label) = if s.contains("未") {
            (FigureKind::NotStarted, 0.0, s.to_string())
        } else if s.contains("开工") {
            (FigureKind::Started, 100.0, "已全部开工".to_string())
        } else if batch {
            (FigureKind::Ratio, 100.0, s.to_string())
        } else {
            (FigureKind::AllDone, 100.0, s.to_string())
        };
        out.push(mk(kind, value, label, m.start()..m.end()));
    }

    // 3. Counted ratios. A sentence that already has a completion percentage keeps that one.
    let has_pct_completion = |r: &Range<usize>, out: &[Figure]| {
        let (a, b) = (idx.of(r.start), idx.of(r.end));
        out.iter().any(|f| {
            matches!(f.kind, FigureKind::Rate | FigureKind::ShareOfPlan)
                && f.text_span.start >= a
                && f.text_span.end <= b
        })
    };
    let mut ratios = Vec::new();
    for c in slash_re().captures_iter(text) {
        let (Some(a), Some(b)) = (number(&c[2]), number(&c[3])) else {
            continue;
        };
        if b > 0.0 && a <= b {
            let whole = c.get(0).expect("match");
            let mut f = mk(
                FigureKind::Ratio,
                a / b * 100.0,
                c[1].to_string(),
                whole.start()..whole.end(),
            );
            f.counted = counted(c[2].to_string(), c[3].to_string(), "");
            ratios.push(f);
        }
    }
    for c in in_progress_re().captures_iter(text) {
        if c[2] != c[4] {
            continue;
        }
        let (Some(a), Some(b)) = (number(&c[1]), number(&c[3])) else {
            continue;
        };
        if a + b > 0.0 {
            let whole = c.get(0).expect("match");
            let mut f = mk(
                FigureKind::Ratio,
                a / (a + b) * 100.0,
                "已完成".to_string(),
                whole.start()..whole.end(),
            );
            f.counted = counted(c[1].to_string(), fmt_pct(a + b), &c[2]);
            ratios.push(f);
        }
    }
    let sents = sentences(text);
    for (i, s) in sents.iter().enumerate() {
        for plan in plan_re().captures_iter(&text[s.clone()]) {
            let plan_end = s.start + plan.get(0).expect("match").end();
            let Some(total) = number(&plan[2]).map(|v| v * multiplier(plan.get(3))) else {
                continue;
            };
            let unit = &plan[4];
            // The done part: later in this sentence, or in the next one.
            let here: Range<usize> = plan_end..s.end;
            let windows = std::iter::once(here).chain(sents.get(i + 1).cloned());
            let done = windows.into_iter().find_map(|w| {
                done_re()
                    .captures_iter(&text[w.clone()])
                    .find(|d| &d[4] == unit && done_verb_re().is_match(&d[1]))
                    .map(|d| {
                        let g = d.get(0).expect("match");
                        (
                            w.start + g.start(),
                            w.start + g.end(),
                            d[1].to_string(),
                            number(&d[2]).map(|v| v * multiplier(d.get(3))),
                            format!("{}{}", &d[2], d.get(3).map_or("", |m| m.as_str())),
                        )
                    })
            });
            let Some((d_start, d_end, verb, Some(done), done_written)) = done else {
                continue;
            };
            if total <= 0.0 || done / total > 2.0 {
                continue;
            }
            let plan_start = s.start + plan.get(0).expect("match").start();
            let sentence_range = s.start..sents.get(i + 1).map_or(s.end, |n| n.end.max(s.end));
            if has_pct_completion(&sentence_range, &out) {
                continue;
            }
            let kind = if verb.contains("开工") && !verb.contains("完成") {
                FigureKind::Started
            } else {
                FigureKind::Ratio
            };
            let verb_label = done_verb_re()
                .find(&verb)
                .map_or("完成", |m| m.as_str())
                .to_string();
            let mut f = mk(
                kind,
                done / total * 100.0,
                format!("已{verb_label}"),
                plan_start..d_end.max(d_start),
            );
            let total_written = format!("{}{}", &plan[2], plan.get(3).map_or("", |m| m.as_str()));
            f.counted = counted(done_written, total_written, unit);
            ratios.push(f);
        }
    }
    // A ratio inside a span already taken (e.g. the same words matched twice) is dropped.
    for r in ratios {
        let overlaps = out.iter().any(|f| {
            matches!(
                f.kind,
                FigureKind::Rate | FigureKind::ShareOfPlan | FigureKind::Ratio
            ) && f.text_span.start < r.text_span.end
                && r.text_span.start < f.text_span.end
        });
        if !overlaps {
            out.push(r);
        }
    }
    out.sort_by_key(|f| (f.text_span.start, f.text_span.end));
    out.dedup_by(|a, b| a.text_span == b.text_span && a.kind == b.kind);
    out
}

/// How many bytes of `prefix` (counted from its end) the context label covers, plus any
/// connector (`达`, `为`) between the label and the number.
fn label_bytes_before(prefix: &str, label: &str) -> usize {
    if label == "%" {
        return 0;
    }
    match prefix.rfind(label) {
        Some(b) => prefix.len() - b,
        None => 0,
    }
}

/// The completion figures only.
pub fn completion(text: &str) -> Vec<Figure> {
    extract(text)
        .into_iter()
        .filter(|f| f.kind.is_completion())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Figure {
        let f = extract(text);
        assert_eq!(f.len(), 1, "{text}: {f:#?}");
        f.into_iter().next().unwrap()
    }

    #[test]
    fn rates_and_growth_are_told_apart() {
        let f = one("全年任务新建改造47座,现已完成新建改造30座,完成率64%。");
        assert_eq!(
            (f.kind, f.value_percent, f.label.as_str()),
            (FigureKind::Rate, 64.0, "完成率")
        );
        assert_eq!(f.text, "完成率64%");
        let f = one("完成外贸量156.80万吨,同比增长4.6%。");
        assert_eq!(f.kind, FigureKind::Growth);
        let f = one("上企业完成农产品加工产值增长7.4%");
        assert_eq!(f.kind, FigureKind::Growth);
        let f = one("占规上工业比重为38.8%");
        assert_eq!(
            (f.kind, f.label.as_str()),
            (FigureKind::Other, "占规上工业比重")
        );
    }

    #[test]
    fn spans_are_char_indices() {
        let text = "公厕建设工作:完成率64%。";
        let f = one(text);
        let chars: Vec<char> = text.chars().collect();
        let s: String = chars[f.text_span.clone()].iter().collect();
        assert_eq!(s, "完成率64%");
    }

    #[test]
    fn plan_and_done() {
        let f = one("今年计划农村改厕3.7万户,已完成农村改厕2.6万户;");
        assert_eq!(f.kind, FigureKind::Ratio);
        assert!((f.value_percent - 70.27).abs() < 0.01, "{f:?}");
        let f = one("截止目前除了授权委托的13个项目外,已完成24个,正在实施5个。");
        assert!((f.value_percent - 82.76).abs() < 0.01, "{f:?}");
        let f = one("已完成12/16");
        assert_eq!(f.value_percent, 75.0);
    }

    #[test]
    fn markers() {
        assert_eq!(one("申报工作目前尚未开展。").kind, FigureKind::NotStarted);
        assert_eq!(one("该项工作已全部完成。").kind, FigureKind::AllDone);
        let f = one("反馈意见48个问题已全部整改到位");
        assert_eq!((f.kind, f.value_percent), (FigureKind::Ratio, 100.0));
    }
}
