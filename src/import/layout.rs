//! Detects which layout a report uses by scoring each layout on its own evidence, and holds
//! the vocabulary the layout parsers share: column and label names, headings, ids, unit names.

use super::{Layout, RawRow, SourceLine};

/// A regex compiled once, on first use. The patterns are constants, so the `expect` in
/// [`compiled`] cannot fire on input data.
macro_rules! regex {
    ($pat:expr) => {{
        static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
        $crate::import::layout::compiled(&RE, $pat)
    }};
}

pub(crate) fn compiled(
    cell: &'static std::sync::OnceLock<regex::Regex>,
    pattern: &str,
) -> &'static regex::Regex {
    cell.get_or_init(|| regex::Regex::new(pattern).expect("constant pattern is valid"))
}
pub(crate) use regex;

// ---------------------------------------------------------------------------------------------
// Detection
// ---------------------------------------------------------------------------------------------

/// The evidence score of every layout, in the order ties are broken (most specific first).
/// A score is roughly "how many task rows this layout would explain".
pub fn scores(lines: &[SourceLine<'_>]) -> [(Layout, f32); 5] {
    use rayon::prelude::*;
    // Every line is looked at on its own, so on all cores (a report may have 100,000s).
    let concat_header_at = lines.par_iter().position_first(|l| {
        let text = l.text.trim();
        !text.is_empty() && is_concatenated_header(text)
    });
    let ((evidence, pipe), cells) = rayon::join(
        || {
            rayon::join(
                || {
                    lines
                        .par_iter()
                        .enumerate()
                        .filter(|(i, _)| Some(*i) != concat_header_at)
                        .map(|(i, l)| {
                            line_evidence(l.text.trim(), concat_header_at.is_some_and(|h| i > h))
                        })
                        .reduce(LineEvidence::default, LineEvidence::add)
                },
                || super::pipe::evidence(lines),
            )
        },
        || match find_cells_header(lines) {
            Some(h) => {
                let runs = unit_runs(&lines[h.end..]);
                if runs > 0 {
                    2.0 + runs as f32
                } else {
                    0.0
                }
            }
            None => 0.0,
        },
    );
    let LineEvidence {
        nbsp_rows,
        numbered_after_concat_header,
        units_labels,
        progress_labels,
        paren_rows,
    } = evidence;

    let concatenated = match concat_header_at {
        Some(_) => 3.0 + nbsp_rows.max(numbered_after_concat_header) as f32,
        // Without its header the sample is still recognisable by its `N.\u{a0}` row starts,
        // but weigh them a little below other layouts' evidence: a no-break space after a
        // number is a copying accident that any layout can carry.
        None if nbsp_rows >= 2 => 0.9 * nbsp_rows as f32,
        None => 0.0,
    };
    // Progress labels alone are weak evidence (a parenthesized report may label its progress).
    let labelled = if units_labels > 0 {
        (units_labels as f32).max(0.5 * progress_labels as f32)
    } else {
        0.0
    };
    [
        (Layout::Pipe, pipe),
        (Layout::Labelled, labelled),
        (Layout::Parenthesized, paren_rows),
        (Layout::Cells, cells),
        (Layout::Concatenated, concatenated),
    ]
}

/// What the lines other than the concatenated header say, summed over them.
#[derive(Debug, Default, Clone, Copy)]
struct LineEvidence {
    nbsp_rows: usize,
    numbered_after_concat_header: usize,
    units_labels: usize,
    progress_labels: usize,
    /// Halves, ones and twos: exact in any order of adding.
    paren_rows: f32,
}

impl LineEvidence {
    fn add(self, o: LineEvidence) -> LineEvidence {
        LineEvidence {
            nbsp_rows: self.nbsp_rows + o.nbsp_rows,
            numbered_after_concat_header: self.numbered_after_concat_header
                + o.numbered_after_concat_header,
            units_labels: self.units_labels + o.units_labels,
            progress_labels: self.progress_labels + o.progress_labels,
            paren_rows: self.paren_rows + o.paren_rows,
        }
    }
}

/// What one trimmed line says; `after_concat_header`: it comes after the concatenated
/// header.
fn line_evidence(text: &str, after_concat_header: bool) -> LineEvidence {
    let mut e = LineEvidence::default();
    if text.is_empty() {
        return e;
    }
    if regex!(r"^\d{1,9}[.．]\u{a0}").is_match(text) {
        e.nbsp_rows += 1;
    }
    if after_concat_header && number_prefix(text).is_some() {
        e.numbered_after_concat_header += 1;
    }
    // Table rows are evidence of the pipe layout only ([`super::pipe::evidence`]).
    if pipe_cells(text).is_some() {
        return e;
    }
    if let Some(p) = super::parenthesized::trailing_units(text) {
        // A bare `(市发改委)` at a sentence end is weaker evidence than `(X牵头…)`.
        // Its labels, if any, are inside the units parenthesis.
        e.paren_rows += if p.explicit { 1.0 } else { 0.5 };
        return e;
    }
    // A 通报 item (`1.关于“…”事项。`) is that layout's, whatever form its units take; it
    // outweighs the units labels its items end with.
    if super::parenthesized::is_item(text) {
        e.paren_rows += 2.0;
        return e;
    }
    // Labels at the start of the paragraph, or after a task on its line
    // (`1.任务。牵头责任单位:市发改委`).
    let first = label_at_start(text).map(|(c, _, _)| c);
    let inline = inline_labels(text)
        .into_iter()
        .filter_map(|at| label_at_start(&text[at..]).map(|(c, _, _)| c));
    for col in first.into_iter().chain(inline) {
        match col {
            Column::Lead | Column::Units => e.units_labels += 1,
            Column::Progress => e.progress_labels += 1,
            _ => {}
        }
    }
    e
}

/// The layout with the strongest evidence, or None when nothing looks like a task table.
pub fn detect(lines: &[SourceLine<'_>]) -> Option<Layout> {
    let mut best: Option<(Layout, f32)> = None;
    for (layout, score) in scores(lines) {
        if score >= 1.0 && best.is_none_or(|(_, b)| score > b) {
            best = Some((layout, score));
        }
    }
    best.map(|(l, _)| l)
}

/// Runs of consecutive unit lines: about one per row in a cells table.
fn unit_runs(lines: &[SourceLine<'_>]) -> usize {
    let mut runs = 0;
    let mut in_run = false;
    for l in lines {
        let t = l.text.trim();
        if t.is_empty() || is_bar_line(t) {
            continue;
        }
        let u = is_units_line(t);
        if u && !in_run {
            runs += 1;
        }
        in_run = u;
    }
    runs
}

/// The sample's header: the column names run together with nothing between them
/// (`序号目标与任务工作进展牵头责任单位责任单位`).
pub(crate) fn is_concatenated_header(text: &str) -> bool {
    if text.chars().any(|c| c.is_whitespace() || c == '|') {
        return false;
    }
    let folded = fold(text);
    let mut rest = folded.as_str();
    let mut names = 0;
    while !rest.is_empty() {
        // Longest first, so `牵头责任单位` is not read as `牵头` + the rest.
        match Vocabulary::builtin()
            .words()
            .find(|(n, _)| rest.starts_with(n))
        {
            Some((n, _)) => {
                rest = &rest[n.len()..];
                names += 1;
            }
            None => return false,
        }
    }
    names >= 3
}

// ---------------------------------------------------------------------------------------------
// Columns and labels
// ---------------------------------------------------------------------------------------------

pub(crate) use super::headers::Column;
use super::headers::Vocabulary;

/// The column a header cell names (`序号`, `目标与任务`, `牵头单位`…), ignoring spaces, markdown
/// emphasis and traditional forms.
pub(crate) fn column_of(cell: &str) -> Option<Column> {
    Vocabulary::builtin().exact(cell)
}

/// The column a header cell names, also when it is worded its own way (`重点工作任务及目标`,
/// `牵头单位(部门)`, `上半年工作进展`): a short cell without sentence punctuation that holds a
/// column's key word. Only for recognising a header as a whole, never for body lines, where
/// `已完成年度任务` is progress.
pub(crate) fn header_column_of(cell: &str) -> Option<Column> {
    if let Some(c) = column_of(cell) {
        return Some(c);
    }
    // A header cell is short (16 characters, see below): a line of text is refused before
    // it is folded.
    if cell.len() > 120 {
        return None;
    }
    let key: String = fold(cell)
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '*' | '#'))
        .collect();
    // A header may name its period first (`2023年目标任务`, `1-6月推进情况`, `3月底进展`): the
    // rest says what the column holds.
    let key = match regex!(
        r"^(?:(?:19|20)\d{2}年度?)?(?:\d{1,2}[-—–~至到]\d{1,2}月份?|\d{1,2}月[底末份]?)?"
    )
    .find(&key)
    {
        Some(m) if m.end() > 0 && key[m.end()..].chars().count() >= 2 => key[m.end()..].to_string(),
        _ => key,
    };
    // Counts and shares (`任务数`, `完成率`) are a summary's figures, not the tasks.
    if key.ends_with(['数', '率']) || key.ends_with("数量") || key.ends_with("比例") {
        return Some(Column::Other);
    }
    let len = key.chars().count();
    if !(2..=16).contains(&len)
        || has_sentence_punct(&key)
        || key.contains(['、', '。'])
        || key.starts_with(|c: char| c.is_ascii_digit() || c == '(' || c == '\u{ff08}')
    {
        return None;
    }
    let vocabulary = Vocabulary::builtin();
    match vocabulary.containing(&key) {
        // `重点工作任务及推进情况`: one column holds the task and its progress; the column
        // step cuts each cell at its progress label.
        Some(Column::Progress) if vocabulary.mentions(&key, Column::Goal) => Some(Column::Goal),
        other => other,
    }
}

/// A header row: a goal column and at least one units column. `责任单位` beside a lead column
/// is the co column.
pub(crate) fn is_table_header(cols: impl Iterator<Item = Option<Column>>) -> bool {
    let cols: Vec<Column> = cols.flatten().collect();
    cols.contains(&Column::Goal) && cols.iter().any(|c| c.is_units())
}

/// Resolves `责任单位` to the co column when the table also has a lead column.
pub(crate) fn resolve_units_columns(cols: &mut [Column]) {
    if cols.contains(&Column::Lead) {
        for c in cols.iter_mut() {
            if *c == Column::Units {
                *c = Column::Co;
            }
        }
    }
}

/// A label at the start of a paragraph (`牵头责任单位:` `进展情况:` `备注:`…): its column, the
/// byte length of the label with its colon, and the text after it.
pub(crate) fn label_at_start(text: &str) -> Option<(Column, usize, &str)> {
    let t = text.trim_start();
    let lead_ws = text.len() - t.len();
    // A label is a few characters long: fold only the head, so long paragraphs cost nothing.
    let head_end = t.char_indices().nth(24).map_or(t.len(), |(i, _)| i);
    let folded = fold(&t[..head_end]);
    // `名称:`, `【名称】` (the brackets make the colon optional), `[名称]:`.
    let caps = regex!(r"^(?:[【\[]\s*([^\s:\x{FF1A}【】\[\]]{2,8}?)\s*[】\]]\s*[:\x{FF1A}]?|([^\s:\x{FF1A}【】\[\]]{2,8}?)\s*[:\x{FF1A}])")
        .captures(&folded)?;
    let name = caps.get(1).or(caps.get(2))?.as_str();
    let col = column_of(name)?;
    // Note labels (`备注:`, `完成时限:`) too: their text is kept as the task's notes.
    if !matches!(
        col,
        Column::Goal
            | Column::Progress
            | Column::Lead
            | Column::Co
            | Column::Units
            | Column::Notes
            | Column::Other
    ) {
        return None;
    }
    let end = caps.get(0)?.end();
    // Folding keeps byte offsets, so `end` is valid in the original text.
    let rest = t.get(end..)?;
    Some((col, lead_ws + end, rest))
}

/// A label of one of `roles` after a separator (`;牵头单位:`), its words (of `min_chars`
/// characters or more) from the vocabulary.
pub(crate) fn label_after_separator(roles: &[Column], min_chars: usize) -> regex::Regex {
    let words = Vocabulary::builtin()
        .words_of(roles)
        .into_iter()
        .filter(|w| w.chars().count() >= min_chars)
        .map(regex::escape)
        .collect::<Vec<_>>()
        .join("|");
    // Long words are labels even where nothing separates them from the text before
    // (`牵头单位:市商务局责任单位:市文旅局`); a word in `【】` always is.
    let long = Vocabulary::builtin()
        .words_of(roles)
        .into_iter()
        .filter(|w| w.chars().count() >= min_chars.max(4))
        .map(regex::escape)
        .collect::<Vec<_>>()
        .join("|");
    let unseparated = if long.is_empty() {
        String::new()
    } else {
        format!(r"|(?:{long})\s*[:\x{{FF1A}}]")
    };
    regex::Regex::new(&format!(
        r"[\s;\x{{FF1B}},\x{{FF0C}}。]+[【\[]?(?:{words})[】\]]?\s*[:\x{{FF1A}}]|【\s*(?:{words})\s*】{unseparated}"
    ))
    .expect("label words are escaped")
}

/// A units or progress label after a separator.
fn inline_label_pattern() -> &'static regex::Regex {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        label_after_separator(
            &[Column::Lead, Column::Co, Column::Units, Column::Progress],
            1,
        )
    })
}

/// Where further labels start inside a paragraph (`牵头责任单位:市发改委 协同责任单位:…`):
/// only after a space or a `;`, so a label word inside a sentence is not taken for one.
/// One pass over the text.
pub(crate) fn inline_labels(text: &str) -> Vec<usize> {
    // Every label has a colon or a 【: most lines have neither, and are not folded.
    if !text.contains([':', '\u{ff1a}', '【']) {
        return Vec::new();
    }
    let folded = fold(text);
    inline_label_pattern()
        .find_iter(&folded)
        .filter_map(|m| {
            // The separator stays with the text before the label.
            let sep_len = folded[m.start()..]
                .char_indices()
                .find(|(_, c)| {
                    !(c.is_whitespace() || matches!(c, ';' | '\u{ff1b}' | ',' | '\u{ff0c}' | '。'))
                })
                .map(|(i, _)| i)?;
            Some(m.start() + sep_len).filter(|at| *at > 0)
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Headings, ids, footers
// ---------------------------------------------------------------------------------------------

/// A section heading (`一、确保完成全年主要预期目标`, `(一)…`, `第二部分…`): short and not a
/// sentence, so a preamble paragraph that starts with `(一)` is not taken for one.
pub(crate) fn is_heading(text: &str) -> bool {
    let t = text.trim();
    if !regex!(r"^(?:[一二三四五六七八九十]{1,3}\s*[、.．]|[(\x{FF08}]\s*[一二三四五六七八九十]{1,3}\s*[)\x{FF09}]|第[一二三四五六七八九十]{1,3}(?:部分|章|节|篇|类|板块))").is_match(t) {
        return false;
    }
    let body = t.trim_end_matches(['。', '.', ':', '\u{ff1a}']);
    body.chars().count() <= 40 && !body.contains('。')
}

/// The section a row is under: a top heading (`一、…`, `第一部分…`) and the sub-heading under it
/// (`(一)…`), kept together so a row under `(一)` still says which `一、` it belongs to.
#[derive(Debug, Clone, Default)]
pub(crate) struct Sections {
    top: Option<String>,
    sub: Option<String>,
}

impl Sections {
    pub(crate) fn enter(&mut self, heading: &str) {
        let h = heading.trim().to_string();
        if regex!(r"^[(\x{FF08}]").is_match(&h) {
            self.sub = Some(h);
        } else {
            self.top = Some(h);
            self.sub = None;
        }
    }

    /// `一、持续改善生态环境 / (一)打好污染防治攻坚战`, or whichever level there is.
    pub(crate) fn current(&self) -> Option<String> {
        match (&self.top, &self.sub) {
            (Some(t), Some(s)) => Some(format!("{t} / {s}")),
            (t, s) => t.clone().or_else(|| s.clone()),
        }
    }
}

/// A row number's value, Arabic or Chinese (`12`, `1001`, `十二`): see
/// [`crate::numerals::parse`]. Row numbers have any size; 0 is no row number.
pub(crate) fn numeral(s: &str) -> Option<u32> {
    crate::numerals::parse(s).filter(|n| *n >= 1)
}

/// A task number at the start of a paragraph (`1.` `1、` `(1)` `1)` `1001.`), with the text
/// after it. A figure is no number prefix: `1.5万亩` is a decimal, and a number of four digits
/// or more followed by another figure is a list of years or amounts (`2020、2021年连续…`).
pub(crate) fn number_prefix(text: &str) -> Option<(u32, &str)> {
    let t = text.trim_start();
    // `第3项`, `No.3`: the number spelled out as an item.
    if let Some(c) = regex!(r"^(?:第\s*([0-9０-９]{1,6})\s*[项条]|(?i:no)\s*[.．:：]?\s*([0-9０-９]{1,6}))[\s\x{3000}、.．:：]*").captures(t) {
        let digits = crate::numerals::ascii_digits(c.get(1).or(c.get(2))?.as_str())?;
        let rest = &t[c.get(0)?.end()..];
        if !rest.is_empty() {
            return Some((numeral(&digits)?, rest));
        }
    }
    // Full-width digits (`１．`) number rows too.
    let caps = regex!(r"^(?:([0-9０-９]{1,9})\s*([.．、])|[(\x{FF08}]\s*([0-9０-９]{1,9})\s*[)\x{FF09}]|([0-9０-９]{1,9})[)\x{FF09}])\s*").captures(t)?;
    let m = caps.get(0)?;
    let rest = &t[m.end()..];
    let digits = caps.get(1).or(caps.get(3)).or(caps.get(4))?;
    let figure_follows = rest.starts_with(|c: char| c.is_ascii_digit());
    if let Some(sep) = caps.get(2) {
        // A decimal point: `1.5万亩`.
        if matches!(sep.as_str(), "." | "．")
            && t[sep.end()..].starts_with(|c: char| c.is_ascii_digit())
        {
            return None;
        }
    }
    let digits = crate::numerals::ascii_digits(digits.as_str())?;
    if digits.len() >= 4 && figure_follows {
        return None;
    }
    Some((numeral(&digits)?, rest))
}

/// A line that ends the table: the distribution list and attachments of an official document.
pub(crate) fn is_footer(text: &str) -> bool {
    let t = text.trim();
    // `印发《…》` opens many progress sentences: only a dated `…年…月…日印发` line is a footer.
    regex!(r"^(?:(?:抄送|主送|抄报|联系人|联系电话)\s*[:\x{FF1A}]|附件\s*[:\x{FF1A}]?\s*\d|[(\x{FF08}]此件|免责声明|Copyright|版权所有)").is_match(t)
        || regex!(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*印发$").is_match(t)
}

/// A line holding only `|` (or a box-drawing bar): the border between two cells of a table
/// copied one cell per line.
pub(crate) fn is_bar_line(text: &str) -> bool {
    let t = text.trim();
    !t.is_empty()
        && t.chars()
            .all(|c| matches!(c, '|' | '\u{ff5c}' | '│' | '┃' | '¦') || c.is_whitespace())
}

/// A web page's furniture around a pasted report: share and print links, copyright and
/// ICP lines, site credits. It ends the tasks, and is neither a task's text nor a line to
/// report. Strong markers never occur in a report's text; weak ones can (`版权保护`), so
/// they count only on a line that is no sentence.
pub(crate) fn is_page_furniture(text: &str) -> bool {
    const STRONG: &[&str] = &[
        "免责声明",
        "Copyright",
        "copyright",
        "©",
        "http://",
        "https://",
        "www.",
        "网站地图",
        "关于我们",
        "联系我们",
        "责任编辑",
        "扫一扫",
        "分享到",
        "上一篇",
        "下一篇",
        "返回顶部",
        "打印本页",
        "关闭窗口",
        "【打印】",
        "【关闭】",
        "ICP",
        "网站标识码",
        "版权所有",
        "浏览次数",
        "访问量",
    ];
    const WEAK: &[&str] = &[
        "版权",
        "举报",
        "登录",
        "登陆",
        "评论",
        "APP",
        "二维码",
        ".com",
        "阅读次数",
        "字体:",
        "字号:",
        "更多>>",
        "换一换",
        "Ltd",
        "备案",
        "主办:",
        "主办：",
        "承办:",
        "承办：",
        "技术支持",
        "发布时间",
        "信息来源",
    ];
    STRONG.iter().any(|m| text.contains(m))
        || (!text.trim_end().ends_with('。') && WEAK.iter().any(|m| text.contains(m)))
}

/// What offices write in a cell that has nothing to say: `/`, `—`, `无`, `暂无`.
pub(crate) fn is_placeholder(text: &str) -> bool {
    let t = text.trim();
    !t.is_empty()
        && (t
            .chars()
            .all(|c| matches!(c, '/' | '\\' | '-' | '—' | '–' | '－' | '／' | '、'))
            || matches!(t, "无" | "暂无" | "空" | "无。" | "暂无。")
            // Word's grey text in a content control nobody filled in.
            || t.starts_with("单击或点击此处输入")
            || t.starts_with("单击此处输入")
            || t.starts_with("点击或轻击此处输入")
            || t.starts_with("Click or tap here to enter")
            || t.starts_with("Click here to enter"))
}

/// `注:…`, `说明:…`: a remark about the table, not part of a task.
pub(crate) fn is_note_line(text: &str) -> bool {
    let t = text.trim_start();
    [
        "注:",
        "注：",
        "注 :",
        "说明:",
        "说明：",
        "附注",
        "注1",
        "注①",
    ]
    .iter()
    .any(|p| t.starts_with(p))
}

/// Rows numbered again from 1 under each section (`(1)(2)(3)` then `(1)(2)`) have no global
/// number: let them be numbered in order rather than report them as duplicates. Numbering
/// restarts when it goes back at a new section, or back to its first number (a second table);
/// any other number that goes back is a typo, left for the duplicate check to report.
/// Returns whether it did.
pub(crate) fn drop_restarting_numbers(rows: &mut [RawRow]) -> bool {
    // Numbers that are all different are the tasks' own, in whatever order (duban's 通报
    // groups tasks by domain): only repeated numbers can be a restart.
    let mut seen = std::collections::HashSet::new();
    if rows.iter().filter_map(|r| r.number).all(|n| seen.insert(n)) {
        return false;
    }
    let first = rows.iter().find_map(|r| r.number);
    let mut last: Option<(u32, &Option<String>)> = None;
    let mut restarts = false;
    for r in rows.iter() {
        let Some(n) = r.number else { continue };
        if let Some((l, section)) = last {
            if n <= l && (*section != r.section || Some(n) == first) {
                restarts = true;
                break;
            }
        }
        last = Some((n, &r.section));
    }
    if restarts {
        for r in rows.iter_mut() {
            r.number = None;
        }
    }
    restarts
}

/// [`drop_restarting_numbers`] on a parse, saying so in its warnings: the numbers the
/// report prints are not the numbers duban gives.
pub(crate) fn renumber_restarts(out: &mut super::Parsed) {
    if drop_restarting_numbers(&mut out.rows) {
        out.warnings.push(super::Unplaced {
            line: out.rows.first().map_or(0, |r| r.line),
            text: String::new(),
            reason: crate::tr!(
                "报告在每部分都从 1 重新编号；duban 按顺序编为 1 到 {}",
                "the report numbers its tasks again from 1 in each section; duban numbers them 1 to {} in order",
                out.rows.len()
            ),
        });
    }
}

// ---------------------------------------------------------------------------------------------
// Unit names
// ---------------------------------------------------------------------------------------------

// The words (unit endings, the starts that vouch for a name, places, prose words) are in
// `data/units.toml`, shared with the splitting of run-together names in `units.rs`.
use super::units::UnitWords;

/// Characters a unit name never contains: sentence punctuation.
fn has_sentence_punct(s: &str) -> bool {
    s.chars().any(|c| {
        matches!(
            c,
            '。' | '!'
                | '\u{ff01}'
                | '?'
                | '\u{ff1f}'
                | ':'
                | '\u{ff1a}'
                | '“'
                | '”'
                | '"'
                | '《'
                | '》'
                | ','
                | '\u{ff0c}'
                | ';'
                | '\u{ff1b}'
                | '%'
                | '|'
        )
    })
}

/// A government body's name: `市生态环境局`, `各县(市)区政府`, `开发区管委会`, `市重点处`, `无为市`,
/// also with a closing remark in parentheses (`东津新区(经开区)`, `市委组织部(市人才办)`).
pub(crate) fn is_unit_name(name: &str) -> bool {
    if is_bare_unit_name(name) {
        return true;
    }
    let t = name.trim();
    match t
        .strip_suffix(')')
        .or_else(|| t.strip_suffix('\u{ff09}'))
        .and_then(|inner| inner.rfind(['(', '\u{ff08}']).map(|at| &t[..at]))
    {
        Some(head) if !head.contains([')', '\u{ff09}']) => is_bare_unit_name(head),
        _ => false,
    }
}

fn is_bare_unit_name(name: &str) -> bool {
    // At most 24 characters of at most 4 bytes: longer text is no name, and is not folded.
    if name.trim().len() > 96 {
        return false;
    }
    let folded = fold(name.trim());
    let n = folded.as_str();
    let len = n.chars().count();
    if !(2..=24).contains(&len) || has_sentence_punct(n) || n.contains('、') {
        return false;
    }
    let w = UnitWords::builtin();
    if w.ends_as_body(n) {
        return true;
    }
    // `市重点处`, `市人民医院`: a weak ending after a start that vouches for it. A place does
    // not (`镇江市人民政府督查室` signs a report, `叶集区三元镇卫生院` is a place of work).
    if w.ends_weak(n) && w.starts_with_prefix(n) {
        return true;
    }
    let starts_with_verb = w.starts_with_verb(n);
    // County-level governments named by place: `无为市`, `南陵县`, `鸠江区`, `石景山区`; four
    // characters that start with a verb are a task (`建设新区`), three are a place (`新建区`).
    if len <= 4
        && n.chars().next_back().is_some_and(|c| w.is_level(c))
        && !(len == 4 && starts_with_verb)
    {
        return true;
    }
    // Development zones named by place: `襄阳高新区`, `鱼梁洲开发区`, `绍兴滨海新区`; a short
    // phrase that starts with a verb (`加快建设新区`) is a task, not a zone.
    len <= 7 && w.ends_as_zone(n) && !starts_with_verb
}

/// Short text without sentence punctuation: might be a unit name duban does not know — unless
/// it reads as the start of a progress sentence (`曲阜市进度较快`, `河东区新开工项目全部进场施工`).
pub(crate) fn is_loose_unit(name: &str) -> bool {
    let n = name.trim();
    let len = n.chars().count();
    (2..=20).contains(&len)
        && !has_sentence_punct(n)
        && !n.chars().any(|c| c.is_ascii_digit())
        && !is_prose_item(n)
}

/// An item of a `、` list that is the start of a sentence, not a name duban does not know: it
/// holds a progress word, or it starts with a name and goes on with more than a name's tail
/// (`曲阜市进度较快`: a county, then what it did). Items that are unit names are never prose.
fn is_prose_item(item: &str) -> bool {
    let t = item.trim();
    if t.len() > 96 || is_unit_name(t) {
        return false;
    }
    let folded = fold(t);
    let f = folded.as_str();
    if UnitWords::builtin().has_prose_word(f) {
        return true;
    }
    // The longest proper prefix that is a name; what follows it (3 characters or more, not
    // ending like a name) is a predicate.
    let head = f
        .char_indices()
        .skip(2)
        .map(|(at, _)| at)
        .filter(|&at| f.get(..at).is_some_and(is_bare_unit_name))
        .last();
    head.and_then(|at| f.get(at..)).is_some_and(|tail| {
        tail.chars().count() >= 3 && !UnitWords::builtin().ends_within_place(tail)
    })
}

fn unit_items(line: &str) -> impl Iterator<Item = &str> {
    line.split([
        '、', ',', '\u{ff0c}', ';', '\u{ff1b}', ' ', '\u{3000}', '\u{a0}', '\t',
    ])
    .map(str::trim)
    .filter(|s| !s.is_empty())
}

/// A line holding only unit names (a units cell, or one line of it). Names are judged as
/// [`super::units::clean_name`] leaves them, so `市住建局。`, `市城管局等` and `市财政局配合` are
/// unit lines too; a piece that is only a duty phrase (`负责`) is no name and no text.
pub(crate) fn is_units_line(line: &str) -> bool {
    let t = line.trim();
    if t.is_empty() || t.chars().count() > 160 {
        return false;
    }
    // A sentence's end after an item that is no name: the line is a sentence that happens to
    // start with names (`邹城市、曲阜市进度较快。`).
    if t.ends_with(['。', '！', '？', '!', '?']) {
        let last = unit_items(t).filter_map(super::units::clean_name).last();
        if last.is_none_or(|l| !is_unit_name(&l)) {
            return false;
        }
    }
    let (mut total, mut named) = (0usize, 0usize);
    for raw in unit_items(t) {
        let Some(item) = super::units::clean_name(raw) else {
            continue;
        };
        let item = item.as_str();
        total += 1;
        if is_unit_name(item) {
            named += 1;
        } else if !is_loose_unit(item) {
            return false;
        }
    }
    // A name broken by a stray space (`市自然资源 和规划局`) leaves one part that is no name.
    named > 0 && named * 2 >= total
}

/// Tail fragments of a name broken by a stray space: `管委会`, `(市)区政府`, `和规划局`.
fn is_name_tail(fragment: &str) -> bool {
    let f = fold(fragment);
    f.chars().count() <= 2 || UnitWords::builtin().starts_name_tail(&f)
}

/// Tidies a units cell so [`super::units::split_list`] splits it right: names a stray space
/// broke (`市自然资源 和规划局`, `开发区 管委会`) are joined again, and names separated only by
/// spaces are separated by `、`. No character other than whitespace is added or removed.
pub(crate) fn clean_units(cell: &str) -> String {
    let mut names: Vec<String> = Vec::new();
    for item in cell.split(['、', ',', '\u{ff0c}', ';', '\u{ff1b}']) {
        let mut current = String::new();
        for frag in item
            .split(|c: char| c.is_whitespace())
            .filter(|f| !f.is_empty())
        {
            if current.is_empty() || !is_unit_name(&current) || is_name_tail(frag) {
                current.push_str(frag);
            } else {
                names.push(std::mem::take(&mut current));
                current.push_str(frag);
            }
        }
        if !current.is_empty() {
            names.push(current);
        }
    }
    names.join("、")
}

// ---------------------------------------------------------------------------------------------
// Pipe rows (here because detection needs them too)
// ---------------------------------------------------------------------------------------------

/// The cells of a `| a | b | c |` row (leading and trailing pipes optional), or None when the
/// line is no table row. `\|` is an escaped pipe inside a cell. Box-drawing bars (`│ a │ b │`,
/// heavy `┃` and double `║` too) and the full-width `｜` separate cells like `|` does.
pub(crate) fn pipe_cells(text: &str) -> Option<Vec<String>> {
    let t = text.trim();
    pipe_cells_framed(t, PipeFraming::of(t))
}

/// A character that separates a table row's cells: `|`, a box-drawing bar, the full-width
/// `｜` (what a Chinese input method types for `|`).
pub(crate) fn is_cell_bar(c: char) -> bool {
    matches!(
        c,
        '|' | '\u{ff5c}' | '│' | '┃' | '║' | '╎' | '╏' | '┆' | '┇' | '┊' | '┋'
    )
}

/// Whether a table's rows start and end with a pipe: decided by its header row, since a data
/// row without outer pipes whose first cell is empty also starts with `|`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PipeFraming {
    pub leading: bool,
    pub trailing: bool,
}

impl PipeFraming {
    /// The framing of one row as written.
    pub(crate) fn of(text: &str) -> PipeFraming {
        let t = text.trim();
        PipeFraming {
            leading: t.starts_with(is_cell_bar),
            trailing: t.ends_with(is_cell_bar) && !t.ends_with("\\|"),
        }
    }
}

/// The cells of a row under a table's framing, each trimmed.
pub(crate) fn pipe_cells_framed(text: &str, framing: PipeFraming) -> Option<Vec<String>> {
    let mut cells = pipe_cells_padded(text, framing)?;
    for c in &mut cells {
        let trimmed = c.trim();
        if trimmed.len() != c.len() {
            *c = trimmed.to_string();
        }
    }
    Some(cells)
}

/// The cells of a row under a table's framing with their padding as written: a grid whose
/// cells are wrapped at a fixed width tells by the room left on a line whether the cell's
/// text broke there or ran on.
pub(crate) fn pipe_cells_padded(text: &str, framing: PipeFraming) -> Option<Vec<String>> {
    let t = text.trim();
    let escaped = t.matches("\\|").count();
    let bars = t
        .chars()
        .filter(|c| is_cell_bar(*c))
        .count()
        .saturating_sub(escaped);
    let framed = t.starts_with(is_cell_bar) || t.ends_with(is_cell_bar);
    // One bar makes a row only when it frames some text (`| 1 | 任务` lost its last cell); a
    // line that is only a bar separates cells copied one per line.
    if bars < 2 && !(bars == 1 && framed && t.chars().count() > 1) {
        return None;
    }
    let mut inner = t;
    if framing.leading {
        if let Some(c) = inner.chars().next().filter(|c| is_cell_bar(*c)) {
            inner = &inner[c.len_utf8()..];
        }
    }
    if framing.trailing && !inner.ends_with("\\|") {
        if let Some(c) = inner.chars().next_back().filter(|c| is_cell_bar(*c)) {
            inner = &inner[..inner.len() - c.len_utf8()];
        }
    }
    let mut cells = Vec::new();
    let mut cur = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                cur.push('|');
                chars.next();
            }
            c if is_cell_bar(c) => cells.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    cells.push(cur);
    Some(cells)
}

/// `|---|:---:|` rows.
pub(crate) fn is_separator_row(cells: &[String]) -> bool {
    cells.iter().all(|c| {
        let c = c.trim();
        c.is_empty()
            || c.chars()
                .all(|ch| matches!(ch, '-' | ':' | '—' | '=' | '－'))
    }) && cells.iter().any(|c| c.contains(['-', '—', '=', '－']))
}

// ---------------------------------------------------------------------------------------------
// Cells header (here because detection needs it too)
// ---------------------------------------------------------------------------------------------

/// A cells-layout header: column names each on its own line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CellsHeader {
    /// Index (into the lines) of the first line after the header.
    pub end: usize,
    pub columns: Vec<Column>,
    /// Each column's name as written (for notes: `完成时限:2021年底`).
    pub names: Vec<String>,
    /// Blank lines (or lines holding only `|`) between the header's names: the table separates
    /// its cells by them.
    pub blank_separated: bool,
}

/// The first run of lines that are each one column name, with a goal column and a units
/// column. The run starts at `序号` or the goal column, and a column seen twice starts it
/// again, so a title such as `重点工作任务进展情况表` just above the header stays out of it.
/// Lines holding only `|` separate the names like blank lines do.
pub(crate) fn find_cells_header(lines: &[SourceLine<'_>]) -> Option<CellsHeader> {
    // (column, separated from the name before it, name as written) for the current run.
    let mut run: Vec<(Column, bool, String)> = Vec::new();
    let mut pending_blanks = 0usize;
    let mut pending_bar = false;
    let mut end = 0usize;
    let accept = |run: &[(Column, bool, String)]| {
        run.len() >= 3
            && matches!(run.first(), Some((Column::Number | Column::Goal, _, _)))
            && is_table_header(run.iter().map(|(c, _, _)| Some(*c)))
    };
    for (i, l) in lines.iter().enumerate() {
        let t = l.text.trim();
        if t.is_empty() {
            pending_blanks += 1;
            continue;
        }
        if is_bar_line(t) {
            pending_bar = true;
            continue;
        }
        let found = header_column_of(t).filter(|_| pending_blanks <= 2 || run.is_empty());
        match found {
            Some(c) => {
                if let Some(k) = run.iter().position(|(r, _, _)| *r == c) {
                    run.drain(..=k);
                }
                run.push((c, pending_blanks > 0 || pending_bar, t.to_string()));
                // A run must begin with 序号 or the goal column.
                while run
                    .first()
                    .is_some_and(|(r, _, _)| !matches!(r, Column::Number | Column::Goal))
                {
                    run.remove(0);
                }
                end = i + 1;
            }
            None => {
                if accept(&run) {
                    break;
                }
                run.clear();
                if let Some(c) = header_column_of(t) {
                    if matches!(c, Column::Number | Column::Goal) {
                        run.push((c, false, t.to_string()));
                        end = i + 1;
                    }
                }
            }
        }
        pending_blanks = 0;
        pending_bar = false;
    }
    if !accept(&run) {
        return None;
    }
    let blanks_inside = run.iter().skip(1).filter(|(_, b, _)| *b).count();
    let (mut columns, names): (Vec<Column>, Vec<String>) =
        run.into_iter().map(|(c, _, n)| (c, n)).unzip();
    resolve_units_columns(&mut columns);
    Some(CellsHeader {
        end,
        blank_separated: blanks_inside * 2 >= columns.len().saturating_sub(1),
        columns,
        names,
    })
}

// ---------------------------------------------------------------------------------------------
// Traditional characters
// ---------------------------------------------------------------------------------------------

/// Folds the traditional forms of the characters our keywords and unit endings use to their
/// simplified forms. One CJK character for one, all three bytes in UTF-8, so a byte offset
/// found in the folded text is valid in the original.
pub(crate) fn fold(text: &str) -> String {
    text.chars().map(fold_char).collect()
}

fn fold_char(c: char) -> char {
    match c {
        '號' => '号',
        '標' => '标',
        '與' => '与',
        '務' => '务',
        '進' => '进',
        '況' => '况',
        '頭' => '头',
        '牽' => '牵',
        '責' => '责',
        '單' => '单',
        '協' => '协',
        '辦' => '办',
        '會' => '会',
        '處' => '处',
        '廳' => '厅',
        '團' => '团',
        '銀' => '银',
        '檢' => '检',
        '揮' => '挥',
        '關' => '关',
        '職' => '职',
        '負' => '负',
        '實' => '实',
        '參' => '参',
        '區' => '区',
        '縣' => '县',
        '門' => '门',
        '導' => '导',
        '員' => '员',
        '總' => '总',
        '聯' => '联',
        '婦' => '妇',
        '殘' => '残',
        '僑' => '侨',
        '紅' => '红',
        '國' => '国',
        '編' => '编',
        '點' => '点',
        '內' => '内',
        '間' => '间',
        '節' => '节',
        '領' => '领',
        '時' => '时',
        '備' => '备',
        '註' => '注',
        '長' => '长',
        '體' => '体',
        '舉' => '举',
        '辭' => '辞',
        '隊' => '队',
        '館' => '馆',
        '報' => '报',
        '黨' => '党',
        '來' => '来',
        '後' => '后',
        '達' => '达',
        '開' => '开',
        '發' => '发',
        '規' => '规',
        '劃' => '划',
        '設' => '设',
        '環' => '环',
        '資' => '资',
        '現' => '现',
        '係' => '系',
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(number: u32, section: &str) -> RawRow {
        RawRow {
            notes: Vec::new(),
            number: Some(number),
            section: Some(section.to_string()),
            line: 1,
            goal: String::new(),
            progress: Vec::new(),
            units: super::super::RawUnits::SingleColumn(String::new()),
        }
    }

    #[test]
    fn numbering_that_restarts_is_dropped_a_typo_is_kept() {
        let numbers = |rows: &[RawRow]| rows.iter().map(|r| r.number).collect::<Vec<_>>();
        let mut rows = vec![row(1, "一"), row(2, "一"), row(1, "二"), row(2, "二")];
        drop_restarting_numbers(&mut rows);
        assert_eq!(numbers(&rows), vec![None; 4]);
        let mut rows = vec![row(1, "一"), row(2, "一"), row(3, "一"), row(1, "一")];
        drop_restarting_numbers(&mut rows);
        assert_eq!(numbers(&rows), vec![None; 4]);
        let mut rows = vec![row(1, "一"), row(2, "一"), row(2, "一"), row(3, "一")];
        drop_restarting_numbers(&mut rows);
        assert_eq!(numbers(&rows), vec![Some(1), Some(2), Some(2), Some(3)]);
    }

    #[test]
    fn fold_keeps_byte_offsets() {
        let t = "牽頭責任單位:市發改委";
        assert_eq!(fold(t).len(), t.len());
        assert_eq!(fold(t), "牵头责任单位:市发改委");
    }

    #[test]
    fn concatenated_header_is_the_names_run_together() {
        assert!(is_concatenated_header(
            "序号目标与任务工作进展牵头责任单位责任单位"
        ));
        assert!(!is_concatenated_header("序号 目标与任务 工作进展"));
        assert!(!is_concatenated_header("序号"));
        assert!(!is_concatenated_header(
            "2020年度市政府重点工作任务进展情况反馈表"
        ));
    }

    fn numbered(text: &str) -> Vec<SourceLine<'_>> {
        crate::import::source_lines(text)
    }

    #[test]
    fn cells_header_keeps_a_title_out() {
        let l = numbered("重点工作进展情况表\n序号\n工作任务\n责任单位\n1\n推进。\n");
        let h = find_cells_header(&l).expect("header");
        assert_eq!(h.columns, vec![Column::Number, Column::Goal, Column::Units]);
        assert_eq!(h.end, 4);
        let l =
            numbered("重点工作任务进展情况表\n\n序号\n\n目标与任务\n\n牵头单位\n\n完成情况\n\n1\n");
        let h = find_cells_header(&l).expect("header");
        assert_eq!(
            h.columns,
            vec![Column::Number, Column::Goal, Column::Lead, Column::Progress]
        );
        assert!(h.blank_separated);
        assert!(find_cells_header(&numbered("序号\n目标与任务\n进展情况\n")).is_none());
        // Names separated by `|` lines, with a notes column; names kept as written.
        let l = numbered("|\n序号\n|\n重点工作任务\n|\n责任单位\n|\n完成时限\n|\n1\n");
        let h = find_cells_header(&l).expect("header");
        assert_eq!(
            h.columns,
            vec![Column::Number, Column::Goal, Column::Units, Column::Other]
        );
        assert_eq!(h.names[3], "完成时限");
        assert!(h.blank_separated);
        assert!(is_bar_line(" | "));
        assert!(is_bar_line("｜"));
        assert!(!is_bar_line("| 1 |"));
    }

    #[test]
    fn columns_and_labels() {
        assert_eq!(column_of(" 牵头 单位 "), Some(Column::Lead));
        assert_eq!(column_of("**目标与任务**"), Some(Column::Goal));
        assert_eq!(column_of("推进城乡教育一体化"), None);
        assert_eq!(header_column_of("重点工作任务及目标"), Some(Column::Goal));
        assert_eq!(header_column_of("牵头单位(部门)"), Some(Column::Lead));
        assert_eq!(header_column_of("上半年工作进展"), Some(Column::Progress));
        assert_eq!(header_column_of("已完成年度任务。"), None);
        assert_eq!(header_column_of("进展情况:已完成"), None);
        let (col, _, rest) = label_at_start("牵头责任单位:市发改委").expect("label");
        assert_eq!((col, rest), (Column::Lead, "市发改委"));
        let (col, _, rest) = label_at_start("【进展情况】: 一是").expect("label");
        assert_eq!((col, rest), (Column::Progress, " 一是"));
        assert!(label_at_start("目前:已完成").is_none());
        let t = "牵头责任单位:市发改委  协同责任单位:各县(市)区政府;进展情况:已完成";
        let at = inline_labels(t);
        assert_eq!(at.len(), 2);
        assert!(t[at[0]..].starts_with("协同责任单位"));
        assert!(t[at[1]..].starts_with("进展情况"));
    }

    #[test]
    fn headings_ids_and_prefixes() {
        assert!(is_heading("一、确保完成全年主要预期目标"));
        assert!(is_heading("(二)持续改善生态环境"));
        assert!(!is_heading("一是强化调度、压实责任。"));
        assert!(!is_heading(
            "(一)强化组织领导。各县区、各有关部门要提高政治站位,高度重视。"
        ));
        assert_eq!(number_prefix("12.推进"), Some((12, "推进")));
        assert_eq!(number_prefix("(3)推进").map(|(n, _)| n), Some(3));
        assert_eq!(number_prefix("1.5万亩"), None);
        assert_eq!(number_prefix("2020年"), None);
        // Row numbers of any size; figures that open progress are none.
        assert_eq!(number_prefix("1001.推进"), Some((1001, "推进")));
        assert_eq!(number_prefix("１２．推进"), Some((12, "推进")));
        assert_eq!(number_prefix("第3项\u{3000}推进"), Some((3, "推进")));
        assert_eq!(number_prefix("No.4 推进"), Some((4, "推进")));
        assert_eq!(number_prefix("第一季度"), None);
        assert_eq!(number_prefix("(12345)推进").map(|(n, _)| n), Some(12345));
        assert_eq!(number_prefix("2020、2021年连续两年"), None);
        assert_eq!(number_prefix("3000余户"), None);
        assert_eq!(number_prefix("1、2020年以来").map(|(n, _)| n), Some(1));
        assert_eq!(numeral("0"), None);
        assert_eq!(
            numeral("99999999999"),
            None,
            "beyond u32 is no number, not a panic"
        );
    }

    #[test]
    fn unit_names() {
        for n in [
            "市生态环境局",
            "各县(市)区政府",
            "开发区管委会",
            "市重点处",
            "无为市",
            "市发改委",
            "大数据中心",
        ] {
            assert!(is_unit_name(n), "{n}");
        }
        for n in ["推进城市更新", "已完成", "召开推进会议。", "2020年"] {
            assert!(!is_unit_name(n), "{n}");
        }
        assert!(is_unit_name("东津新区(经开区)"));
        assert!(is_unit_name("襄阳高新区"));
        assert!(is_unit_name("鱼梁洲开发区"));
        assert!(!is_unit_name("加快建设新区"));
        assert!(!is_unit_name("建设新区"));
        assert!(is_unit_name("新建区"));
        assert!(is_unit_name("石景山区"));
        assert!(!is_unit_name("完成率(64%)"));
        // Judged as the names are cleaned: trailing 。, 等, duty phrases.
        assert!(is_units_line("市住建局。"));
        assert!(is_units_line("市经信局、市科技局等"));
        assert!(is_units_line("市财政局配合"));
        assert!(!is_units_line("负责。"));
        assert!(is_units_line("市住建局、市水务局"));
        assert!(is_units_line("各县(市)区政府、 开发区管委会"));
        assert!(is_units_line("市自然资源 和规划局"));
        assert!(!is_units_line("完成率64%。"));
        assert!(!is_units_line("推进城市更新、乡村振兴"));
    }

    #[test]
    fn a_sentence_that_starts_with_places_is_no_units_line() {
        for t in [
            "兰山区、罗庄区、河东区新开工项目全部进场施工。",
            "邹城市、曲阜市进度较快。",
            "邹城市、曲阜市进度较快",
            "张店区、淄川区、博山区全面开展排查整治",
            "昌乐县、临朐县滞后",
            "芝罘区、莱山区完成。",
            "市住建局、市城管局已完成",
        ] {
            assert!(!is_units_line(t), "{t}");
        }
        for t in [
            "邹城市、曲阜市",
            "市住建局、市水务局等。",
            "各县市区政府。",
            "市财政局、市城投",
            "兖州区住建、市财政局",
            "市住建局、市住建局住房保障科",
        ] {
            assert!(is_units_line(t), "{t}");
        }
        assert!(!is_loose_unit("曲阜市进度较快"));
        assert!(!is_loose_unit("河东区新开工项目全部进场施工"));
        assert!(is_loose_unit("市城投"));
        assert!(is_loose_unit("邹城市钢山街道"));
    }

    #[test]
    fn clean_units_joins_broken_names_and_separates_touching_ones() {
        assert_eq!(
            clean_units("各县市区政府、 开发区管委会"),
            "各县市区政府、开发区管委会"
        );
        assert_eq!(clean_units("市发改委 市财政局"), "市发改委、市财政局");
        assert_eq!(clean_units("市自然资源 和规划局"), "市自然资源和规划局");
        assert_eq!(clean_units("开发区 管委会"), "开发区管委会");
        assert_eq!(clean_units("各县 (市)区政府"), "各县(市)区政府");
    }

    #[test]
    fn pipe_rows() {
        assert_eq!(
            pipe_cells("| 1 | 任务 | 市发改委 |"),
            Some(vec![
                "1".to_string(),
                "任务".to_string(),
                "市发改委".to_string()
            ])
        );
        assert_eq!(
            pipe_cells("序号 | 目标与任务 | 牵头 |").map(|c| c.len()),
            Some(3)
        );
        assert_eq!(pipe_cells("no pipes here"), None);
        assert!(is_separator_row(&["---".to_string(), ":-:".to_string()]));
    }
}
