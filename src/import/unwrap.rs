//! Text copied out of a PDF or a printed page: the page furniture is taken out (page
//! numbers `— 3 —`, `第 2 页 共 5 页`, a running title repeated after each page break), and
//! paragraphs hard-wrapped at the page's width are joined again where the document shows
//! its paragraphs by their indent (`　　` at the start of each). Line numbers are kept:
//! a removed or joined line becomes an empty line, its text carried by the line above.

use super::layout::{self, is_heading, label_at_start, number_prefix};
use super::SourceLine;
use std::borrow::Cow;
use std::collections::HashMap;

/// The share of lines that must start with an indent for the indent to mark paragraphs.
const INDENTED_SHARE: f32 = 0.3;

/// `— 3 —`, `- 12 -`, `第 2 页 共 5 页`, `第2页/共5页`, `2/5`, `共2页 上一页 1 2 下一页`.
pub(crate) fn is_page_number(text: &str) -> bool {
    let t = text.trim();
    // The first char each pattern allows, checked before the patterns: most lines start
    // with none of them, and this runs for every line of the report, twice.
    let may_start = |c: char| "—-－–~第共上首".contains(c) || c.is_numeric();
    if !t.chars().next().is_some_and(may_start) {
        return false;
    }
    layout::regex!(r"^[—\-－–~]+\s*\d{1,4}\s*[—\-－–~]+$").is_match(t)
        || layout::regex!(r"^第\s*\d{1,4}\s*页\s*[,，/、]?\s*(?:共\s*\d{1,4}\s*页)?$").is_match(t)
        || layout::regex!(r"^\d{1,4}\s*/\s*\d{1,4}$").is_match(t)
        || layout::regex!(r"^共\s*\d{1,4}\s*页.*(?:上一页|下一页)").is_match(t)
        || layout::regex!(r"^(?:上一页|首页).*(?:下一页|尾页)$").is_match(t)
}

/// Whether a line starts with a paragraph indent (ideographic or two ASCII spaces).
fn indented(text: &str) -> bool {
    text.starts_with('\u{3000}') || text.starts_with("  ") || text.starts_with('\t')
}

/// A line that starts something of its own, so it is never the tail of the line above.
fn starts_something(text: &str) -> bool {
    let t = text.trim();
    number_prefix(t).is_some()
        || label_at_start(t).is_some()
        || is_heading(t)
        || layout::is_note_line(t)
        || layout::is_footer(t)
        || layout::is_page_furniture(t)
        || t.starts_with('|')
        || t.starts_with("关于")
}

/// The report's text with page furniture blanked and (with `join_paragraphs`) wrapped paragraphs
/// joined, or None when there is nothing to do (the usual case: the text is left exactly as
/// it was). Tables lined up with spaces keep their lines: only their furniture goes.
pub fn unwrap(lines: &[SourceLine<'_>], join_paragraphs: bool) -> Option<String> {
    // Lines are copied only where they change (a report is often 100,000s of lines).
    let mut out: Vec<Cow<'_, str>> = lines.iter().map(|l| Cow::Borrowed(l.text)).collect();
    let mut changed = false;
    // Page numbers, and a short line that comes right after a page number more than once
    // (the running title of each page).
    let page_number: Vec<bool> = lines.iter().map(|l| is_page_number(l.text)).collect();
    let mut after_page: HashMap<&str, usize> = HashMap::new();
    for (i, _) in lines.iter().enumerate() {
        if page_number[i] {
            if let Some(next) = lines[i + 1..].iter().find(|n| !n.text.trim().is_empty()) {
                *after_page.entry(next.text.trim()).or_default() += 1;
            }
        }
    }
    let first_lines: Vec<&str> = lines
        .iter()
        .map(|l| l.text.trim())
        .filter(|t| !t.is_empty())
        .take(8)
        .collect();
    let mut furniture = vec![false; lines.len()];
    for (i, l) in lines.iter().enumerate() {
        let t = l.text.trim();
        if t.is_empty() {
            continue;
        }
        let running_title = t.chars().count() <= 40
            && !starts_something(t)
            && (after_page.get(t).is_some_and(|n| *n >= 2)
                || (i > 8 && first_lines.contains(&t) && after_page.contains_key(t)));
        if page_number[i] || running_title {
            out[i] = Cow::Borrowed("");
            furniture[i] = true;
            changed = true;
        }
    }
    // Paragraphs marked by their indent: a line without one carries on the paragraph above.
    let body: Vec<usize> = (0..lines.len())
        .filter(|i| !out[*i].trim().is_empty())
        .collect();
    let first_indented = body
        .iter()
        .position(|i| indented(&out[*i]))
        .filter(|_| join_paragraphs);
    if let Some(first) = first_indented {
        let rest = &body[first..];
        let share = rest.iter().filter(|i| indented(&out[**i])).count() as f32 / rest.len() as f32;
        if (INDENTED_SHARE..1.0).contains(&share) {
            // The paragraph being built: its line, and whether it may take a tail.
            let mut open: Option<usize> = None;
            for i in rest[0]..lines.len() {
                let t = out[i].clone();
                if t.trim().is_empty() {
                    // A blank line ends a paragraph; a blanked page number does not.
                    if !furniture[i] {
                        open = None;
                    }
                    continue;
                }
                match open {
                    Some(p) if !indented(&t) && !starts_something(&t) => {
                        join(out[p].to_mut(), t.trim());
                        out[i] = Cow::Borrowed("");
                        changed = true;
                    }
                    // Only an indented line starts a paragraph that wrapped lines carry on.
                    _ => open = indented(&t).then_some(i),
                }
            }
        }
    }
    changed.then(|| out.join("\n"))
}

/// Joins a wrapped line's tail: nothing between Chinese, a space between Latin words.
fn join(paragraph: &mut String, tail: &str) {
    let a = paragraph.trim_end();
    let ascii_word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    let space = ascii_word(a.chars().next_back()) && ascii_word(tail.chars().next());
    paragraph.truncate(a.len());
    if space {
        paragraph.push(' ');
    }
    paragraph.push_str(tail);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Option<String> {
        unwrap(&crate::import::source_lines(text), true)
    }

    #[test]
    fn wrapped_paragraphs_are_joined_and_page_numbers_dropped() {
        let text = "苏州市重点工作\n\n　　1.加快推进先导产业创新集群建设，先导产业产值增长10%\n以上。\n　　配合单位：市工信局、各\n县级市（区）人民政府\n　　进展情况：全市生物医药产业实现产值1156.3\n亿元。\n— 1 —\n苏州生物医药产业园三期加快建设。\n　　2.推进数字经济发展。\n";
        let out = run(text).expect("changed");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), text.lines().count(), "line numbers are kept");
        assert_eq!(
            lines[2],
            "　　1.加快推进先导产业创新集群建设，先导产业产值增长10%以上。"
        );
        assert_eq!(lines[4], "　　配合单位：市工信局、各县级市（区）人民政府");
        assert_eq!(
            lines[6],
            "　　进展情况：全市生物医药产业实现产值1156.3亿元。苏州生物医药产业园三期加快建设。"
        );
        assert!(lines[8].is_empty() && lines[9].is_empty());
    }

    #[test]
    fn running_titles_after_page_breaks_go() {
        let text = "莆田督查通报\n　　1.甲。\n第 1 页 共 3 页\n莆田督查通报（2024年第2期）\n　　2.乙。\n第 2 页 共 3 页\n莆田督查通报（2024年第2期）\n　　3.丙。\n";
        let out = run(text).expect("changed");
        assert!(!out.contains("第2期"), "{out}");
        assert!(out.contains("　　3.丙。"));
    }

    #[test]
    fn text_without_indents_or_furniture_is_left_alone() {
        assert_eq!(
            run("1.\u{a0}扎实推进…市生态环境局\n2.\u{a0}推进…市住建局\n"),
            None
        );
        // Every line indented: nothing to join.
        assert_eq!(run("　　1.甲。\n　　牵头单位：市发改委\n"), None);
        // Structure after an indented paragraph is not its tail.
        let text = "　　1.甲。\n牵头单位：市发改委\n　　2.乙。\n注：数据为快报数。\n";
        assert_eq!(run(text), None);
    }
}
