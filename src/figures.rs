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

// ---------------------------------------------------------------------------------------
// Amounts: a number with what it counts (`5G基站1175处`, `79条水体`, `65.59亿元`), for the
// period diff and for comparing progress with the goal's own targets.

/// A counted amount in a text: the number, its unit and the words around it that say what
/// it counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Amount {
    /// The number in the unit's base (`2.6万户` is 26000 户).
    pub value: f64,
    /// The unit without its multiplier (`户`, `元`, `处`).
    pub unit: String,
    /// The sentence's words before the number (`全市已完成建设5G基站`), at most
    /// [`CONTEXT_CHARS`] characters back and not past another number.
    pub before: String,
    /// The clause's words after the unit (`水体完成整治`), at most [`CONTEXT_CHARS`].
    pub after: String,
    /// Char range of the number and its unit in the text.
    pub text_span: Range<usize>,
    /// The number and its unit as written (`2.6万户`).
    pub text: String,
}

impl Amount {
    /// What the amount counts, in a few words for a list: the words just before the number
    /// without filler (`5G基站`), or when that is less than two characters the noun after it
    /// (`已有82条建成区黑臭水体完成整治` → `建成区黑臭水体`).
    pub fn subject(&self) -> String {
        let before = filler_re().replace_all(&self.before, "");
        let tail: Vec<char> = before
            .chars()
            .rev()
            .take_while(|c| is_han(*c) || c.is_ascii_alphanumeric())
            .take(8)
            .collect();
        let tail: String = tail.into_iter().rev().collect();
        if tail.chars().count() >= 2 {
            return tail;
        }
        static VERB: OnceLock<Regex> = OnceLock::new();
        let verb = re(
            &VERB,
            r"完成|已|正在|同步|全部|实施|开工|参加|的|在|被|获|列入|纳入|中",
        );
        let after = match verb.find(&self.after) {
            Some(m) => &self.after[..m.start()],
            None => &self.after,
        };
        let noun: String = after
            .chars()
            .take_while(|c| is_han(*c) || c.is_ascii_alphanumeric())
            .take(8)
            .collect();
        if noun.is_empty() {
            tail
        } else {
            noun
        }
    }
}

/// How far back and forward an amount's context reaches, in characters.
pub const CONTEXT_CHARS: usize = 20;

/// Units an amount may have. Longer ones first, so `人次` is not read as `人`.
const AMOUNT_UNITS: &str = r"(公里|千米|公顷|平方米|平方公里|人次|标箱|个|项|件|户|座|处|所|家|亩|吨|人|名|条|张|场|套|辆|台|栋|间|元|笔|宗|批|块|根|起|份|期|轮|次|辆)";

fn amount_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(&format!(
            r"(\d+(?:\.\d+)?)(?:余|多)?(万|亿|千)?{AMOUNT_UNITS}"
        ))
        .expect("amount pattern is valid")
    })
}

/// A number that is part of a longer token (`G60`, `2020年`, `3.0%`), not an amount.
fn glued_before(text: &str, start: usize) -> bool {
    text[..start]
        .chars()
        .next_back()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '—')
}

/// Every counted amount in `text`, in text order. Years (`2020年`), dates and percentages are
/// no amounts (none of their units is in the list).
pub fn amounts(text: &str) -> Vec<Amount> {
    let idx = CharIndex::new(text);
    let mut out = Vec::new();
    let mut prev_end = 0;
    for c in amount_re().captures_iter(text) {
        let whole = c.get(0).expect("match");
        let floor = std::mem::replace(&mut prev_end, whole.end());
        if glued_before(text, whole.start()) {
            continue;
        }
        let Some(n) = number(&c[1]) else { continue };
        let value = n * multiplier(c.get(2));
        if !value.is_finite() {
            continue;
        }
        let unit = c[3].to_string();
        // Back to the sentence's start or the last number before it, at most CONTEXT_CHARS.
        let lead = &text[..whole.start()];
        let from = lead
            .char_indices()
            .rev()
            .find(|(_, c)| SENTENCE_BREAK.contains(c))
            .map_or(0, |(b, c)| b + c.len_utf8())
            .max(floor);
        let before: String = {
            let v: Vec<char> = lead[from..].chars().collect();
            v[v.len().saturating_sub(CONTEXT_CHARS)..].iter().collect()
        };
        let after: String = text[whole.end()..]
            .chars()
            .take_while(|c| !CLAUSE_BREAK.contains(c) && !c.is_ascii_digit())
            .take(CONTEXT_CHARS)
            .collect();
        out.push(Amount {
            value,
            unit,
            before: before.trim().to_string(),
            after: after.trim().to_string(),
            text_span: idx.of(whole.start())..idx.of(whole.end()),
            text: whole.as_str().to_string(),
        });
    }
    out
}

/// Character bigrams of the words (digits and punctuation dropped): what context
/// similarity is measured on.
fn word_bigrams(s: &str) -> Vec<(char, char)> {
    let chars: Vec<char> = s
        .chars()
        .filter(|c| is_han(*c) || c.is_ascii_alphabetic())
        .collect();
    let mut v: Vec<(char, char)> = chars.windows(2).map(|w| (w[0], w[1])).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Words that say nothing about what is counted: dropped before comparing contexts, so
/// `全市已完成建设5G基站` and `截至9月底建成5G基站` are compared on `5G基站`.
fn filler_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(
        &R,
        r"截[至止]|目前|现已|已经|已|全市|我市|累计|共计|共|上半年|下半年|前三季度|今年|本年度|年度|\d*月底|\d*月份|达到|达|其中|完成|实施|新增|正在|为",
    )
}

/// Dice similarity of two contexts' word bigrams, 0..=1.
fn dice(a: &str, b: &str) -> f64 {
    let (a, b) = (word_bigrams(a), word_bigrams(b));
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let common = a.iter().filter(|x| b.binary_search(x).is_ok()).count();
    2.0 * common as f64 / (a.len() + b.len()) as f64
}

/// The mean of Dice and the overlap coefficient (shared bigrams over the shorter side's):
/// a long context that holds all of a short one's words scores well.
fn overlap(a: &str, b: &str) -> f64 {
    let (x, y) = (word_bigrams(a), word_bigrams(b));
    if x.is_empty() || y.is_empty() {
        return 0.0;
    }
    let common = x.iter().filter(|g| y.binary_search(g).is_ok()).count();
    (dice(a, b) + common as f64 / x.len().min(y.len()) as f64) / 2.0
}

/// How alike the things two amounts count are, 0..=1: the words just before each number in
/// its clause (with filler words dropped) weigh most, then the words after it, then the whole
/// context back to the sentence's start.
pub fn context_similarity(a: &Amount, b: &Amount) -> f64 {
    let strip = |s: &str| filler_re().replace_all(s, "").into_owned();
    let near = |s: &str| -> String {
        let s = strip(s);
        let v: Vec<char> = s.chars().collect();
        v[v.len().saturating_sub(6)..].iter().collect()
    };
    // The clause the number is in.
    let clause = |s: &str| -> String {
        let start = s
            .char_indices()
            .rev()
            .find(|(_, c)| CLAUSE_BREAK.contains(c))
            .map_or(0, |(b, c)| b + c.len_utf8());
        s[start..].to_string()
    };
    let (ab, bb) = (strip(&a.before), strip(&b.before));
    let (aa, ba) = (strip(&a.after), strip(&b.after));
    let close = dice(&near(&clause(&a.before)), &near(&clause(&b.before)));
    let wide = overlap(&format!("{ab}|{aa}"), &format!("{bb}|{ba}"));
    let after = dice(&aa, &ba);
    close.max(wide * 0.8).max(after * 0.9)
}

/// Contexts at least this alike count the same thing.
pub const SAME_THING: f64 = 0.4;

/// What an amount of a progress text is: a plan or target, what is left or under way, or work
/// done. Amounts pair only within one role (`计划2500处` never pairs with `已完成1420处`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Plan,
    Remaining,
    Done,
}

impl Amount {
    /// The amount's role, from the words of its clause before it and just after it.
    pub fn role(&self) -> Role {
        static PLAN: OnceLock<Regex> = OnceLock::new();
        static LEFT: OnceLock<Regex> = OnceLock::new();
        let plan = re(&PLAN, r"计划|目标|任务|预计|力争|拟|争取|确保");
        let left = re(
            &LEFT,
            r"剩余|余下|尚有|还有|仍有|正在|改造中|建设中|施工中|在建|未完成",
        );
        let start = self
            .before
            .char_indices()
            .rev()
            .find(|(_, c)| CLAUSE_BREAK.contains(c))
            .map_or(0, |(b, c)| b + c.len_utf8());
        let clause = &self.before[start..];
        if plan.is_match(clause) {
            Role::Plan
        } else if left.is_match(clause) || left.is_match(&self.after) {
            Role::Remaining
        } else {
            Role::Done
        }
    }
}

/// Contexts at least this alike count the same thing when their unit occurs once in each text.
pub const FALLBACK_SAME_THING: f64 = 0.25;

/// Pairs the amounts of two versions of a text (two periods' progress) by what they count:
/// the same unit and [`Role`], and contexts at least [`SAME_THING`] alike, best pairs first. The fallback,
/// for a sentence reworded so much that the words around a number changed: a unit that
/// occurs exactly once in each text pairs when its two contexts still share some words
/// (similarity at least [`FALLBACK_SAME_THING`]). Different units never pair.
///
/// Returns (index in `before`, index in `after`) pairs, in `after`'s order.
pub fn pair_amounts(before: &[Amount], after: &[Amount]) -> Vec<(usize, usize)> {
    let mut candidates: Vec<(f64, usize, usize)> = Vec::new();
    let count = |v: &[Amount], unit: &str| v.iter().filter(|a| a.unit == unit).count();
    for (i, a) in before.iter().enumerate() {
        for (j, b) in after.iter().enumerate() {
            if a.unit != b.unit || a.role() != b.role() {
                continue;
            }
            let s = context_similarity(a, b);
            let unique = count(before, &a.unit) == 1 && count(after, &b.unit) == 1;
            if s >= SAME_THING || (unique && s >= FALLBACK_SAME_THING) {
                candidates.push((s, i, j));
            }
        }
    }
    candidates.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
    let (mut used_a, mut used_b) = (vec![false; before.len()], vec![false; after.len()]);
    let mut pairs = Vec::new();
    for (_, i, j) in candidates {
        if !used_a[i] && !used_b[j] {
            used_a[i] = true;
            used_b[j] = true;
            pairs.push((i, j));
        }
    }
    pairs.sort_by_key(|p| p.1);
    pairs
}

/// Words before an amount (in its sentence) that make it a plan, an application or what is
/// left, not work done: `计划建设2500处`, `推荐362家企业申报`, `剩余3条`.
fn not_done_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(
        &R,
        r"计划|目标|任务|力争|预计|拟|申报|推荐|争取|意向|参加|剩余|余下|路演|评审|改造中|建设中|施工中|在建|正在|待",
    )
}

/// Verbs around an amount that say the work is done (`已完成…30座`, `79条水体完成整治`,
/// `新增登云企业320家`).
fn done_word_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(
        &R,
        r"完成|建成|实施|新增|认定|招引|引进|落地|整治|完工|竣工|办结|销号|培育|创建|造林|新建|改造|整改|签约|发放|培训",
    )
}

/// The goal's own targets met by the progress text: for each counted target of `goal`
/// (`新建改造47座`, `登云企业700家`), the amount of work done in `progress` that counts the
/// same thing (same unit, context at least [`SAME_THING`] alike, a verb of work done, no plan
/// or application words before it in its sentence), as a [`FigureKind::ShareOfPlan`] figure
/// labelled `对照目标`: `对照目标登云企业320/700家(45.71%)`. A sentence that already has a
/// completion figure keeps that one; a done amount more than twice the target is taken for
/// something else (a total over several years).
pub fn against_goal(goal: &str, progress: &str) -> Vec<Figure> {
    let existing = completion(progress);
    let idx = CharIndex::new(progress);
    let sents: Vec<Range<usize>> = sentences(progress)
        .into_iter()
        .map(|r| idx.of(r.start)..idx.of(r.end))
        .collect();
    let sentence_of = |span: &Range<usize>| {
        sents
            .iter()
            .find(|s| s.start <= span.start && span.end <= s.end)
            .cloned()
            .unwrap_or(span.clone())
    };
    let chars: Vec<char> = progress.chars().collect();
    let done: Vec<Amount> = amounts(progress)
        .into_iter()
        .filter(|a| {
            let sentence = sentence_of(&a.text_span);
            let lead: String = chars[sentence.start..a.text_span.start].iter().collect();
            let has_figure = existing.iter().any(|f| {
                matches!(
                    f.kind,
                    FigureKind::Rate | FigureKind::ShareOfPlan | FigureKind::Ratio
                ) && f.text_span.start < sentence.end
                    && sentence.start < f.text_span.end
            });
            !has_figure
                && !not_done_re().is_match(&lead)
                && !not_done_re().is_match(&a.after)
                && a.role() == Role::Done
                && (done_word_re().is_match(&lead) || done_word_re().is_match(&a.after))
        })
        .collect();
    let mut out = Vec::new();
    let mut used = vec![false; done.len()];
    for t in amounts(goal) {
        if t.value <= 0.0 {
            continue;
        }
        let best = done
            .iter()
            .enumerate()
            .filter(|(i, d)| !used[*i] && d.unit == t.unit && d.value <= 2.0 * t.value)
            .map(|(i, d)| (context_similarity(&t, d), i))
            .filter(|(s, _)| *s >= SAME_THING)
            .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
        let Some((_, i)) = best else { continue };
        used[i] = true;
        let d = &done[i];
        let written = |a: &Amount| a.text.trim_end_matches(a.unit.as_str()).to_string();
        out.push(Figure {
            kind: FigureKind::ShareOfPlan,
            value_percent: d.value / t.value * 100.0,
            label: format!("对照目标{}", d.subject()),
            text_span: d.text_span.clone(),
            text: d.text.clone(),
            counted: Some(Counted {
                done: written(d),
                total: written(&t),
                unit: d.unit.clone(),
            }),
        });
    }
    out.sort_by_key(|f| f.text_span.start);
    out
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

    fn pairs(a: &str, b: &str) -> Vec<(String, String)> {
        let (x, y) = (amounts(a), amounts(b));
        pair_amounts(&x, &y)
            .into_iter()
            .map(|(i, j)| (x[i].text.clone(), y[j].text.clone()))
            .collect()
    }

    #[test]
    fn amounts_and_what_they_count() {
        let a = amounts("全市已完成建设5G基站1175处,改造中站点1325处。2020年完成投资2.6万元");
        let texts: Vec<&str> = a.iter().map(|a| a.text.as_str()).collect();
        assert_eq!(texts, ["1175处", "1325处", "2.6万元"]);
        assert_eq!(a[0].before, "全市已完成建设5G基站");
        assert_eq!((a[2].value, a[2].unit.as_str()), (26000.0, "元"));
        // Years, ordinals glued to letters, percentages: no amounts.
        assert!(amounts("2020年G60科创走廊,占比3.5%").is_empty());
    }

    #[test]
    fn reworded_sentences_still_pair_their_figures() {
        let h1 = "2020年全年计划建设5G基站2500处,截至6月底,全市已完成建设5G基站1175处,改造中站点1325处。市区建成区累计79条水体完成整治,剩余3条同步推进。";
        let q3 = "截至9月底,我市5G基站建成数达到1420处(全年计划2500处);已有82条建成区黑臭水体完成整治,余下3条正在推进。";
        let p = pairs(h1, q3);
        let has = |a: &str, b: &str| p.contains(&(a.to_string(), b.to_string()));
        assert!(has("1175处", "1420处"), "{p:?}");
        assert!(has("79条", "82条"), "{p:?}");
        assert!(has("2500处", "2500处"), "{p:?}");
        assert!(!p.iter().any(|(a, _)| a == "1325处"), "{p:?}");
    }

    #[test]
    fn different_units_or_subjects_do_not_pair() {
        assert!(pairs("新增家庭农场220家", "新增登云企业560家").is_empty());
        assert!(pairs("已建成5G基站1175处", "已建成5G基站1420个").is_empty());
        assert!(pairs("查处酒驾1410起", "查处非法改拼装车辆上道路行驶156起,").is_empty());
        assert!(pairs("培训学员1100余人", "引导9152名返乡农民工就业").is_empty());
        // Two counts of the same unit pair each with its own subject, whatever the order.
        let p = pairs(
            "认定市级智能工厂10家,新增登云企业320家。",
            "前三季度全市新增登云企业560家。认定市级智能工厂12家。",
        );
        assert_eq!(
            p,
            [
                ("320家".to_string(), "560家".to_string()),
                ("10家".to_string(), "12家".to_string())
            ]
        );
    }

    fn goal_figures(goal: &str, progress: &str) -> Vec<String> {
        against_goal(goal, progress)
            .iter()
            .map(|f| f.summary())
            .collect()
    }

    #[test]
    fn progress_against_the_goals_own_targets() {
        assert_eq!(
            goal_figures(
                "市区新建、改造公厕47座。",
                "公厕建设工作:现已完成新建改造30座。"
            ),
            ["对照目标新建改造30/47座(63.83%)"]
        );
        // Task 52 of the sample: two targets, each met by the amount that counts it.
        assert_eq!(
            goal_figures(
                "新增智能工厂、数字化车间30个和登云企业700家。",
                "认定市级智能工厂10家,数字化车间33个。上半年全市新增登云企业320家。"
            ),
            [
                "对照目标数字化车间33/30个(110%)",
                "对照目标登云企业320/700家(45.71%)"
            ]
        );
        // A sentence with its own completion figure keeps it.
        assert!(goal_figures(
            "市区新建、改造公厕47座。",
            "全年任务新建改造47座,现已完成新建改造30座,完成率64%。"
        )
        .is_empty());
        // Teams taking part in a review are not teams recruited; applications are not
        // recognitions; a plan is not work done; another unit is another thing.
        assert!(goal_figures(
            "新招引高层次科技人才团队30个。",
            "开展今年批高层次科技人才团队路演评审, 39个高层次科技人才团队参加路演。"
        )
        .is_empty());
        assert!(goal_figures(
            "新认定高新技术企业100家以上。",
            "组织开展今年批高企认定工作,推荐362家企业申报,其中新认定189家。"
        )
        .is_empty());
        assert!(goal_figures("实施兼并重组项目12个。", "计划实施兼并重组项目12个。").is_empty());
        assert!(goal_figures(
            "实施亿元以上技改项目70个以上。",
            "1-6月亿元以上技改导向计划项目96项"
        )
        .is_empty());
        assert_eq!(
            goal_figures(
                "完成5000亩长江岸线造林。",
                "今年已完成岸线造林5560亩,三年累计完成岸绿造林17160亩。"
            ),
            ["对照目标岸线造林5560/5000亩(111.2%)"]
        );
    }
}
