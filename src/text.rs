//! Text measured by display width: truncation, padding and our own wrapping of Chinese text
//! (which has no spaces, so the widget's word wrap cannot be trusted: ratatui #1199, #2679),
//! and `clean`, which keeps text from a report from reaching a terminal as a control
//! sequence. Core, not UI: the CLI and the words of events use it too.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Display width of a string, after control characters are counted as one blank each.
pub fn width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

/// Display width of one character: 2 for Han and full-width forms, 0 for combining marks,
/// 1 for a control character (we draw those as a blank, see `clean`).
pub fn char_width(c: char) -> usize {
    if c.is_control() {
        1
    } else {
        c.width().unwrap_or(0)
    }
}

/// Replaces control characters (tabs, stray newlines, escapes from a pasted report) with
/// blanks so they can never move the terminal's cursor.
pub fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The longest prefix of `s` whose display width is at most `max`.
pub fn prefix(s: &str, max: usize) -> &str {
    let mut used = 0;
    for (i, c) in s.char_indices() {
        let w = char_width(c);
        if used + w > max {
            return &s[..i];
        }
        used += w;
    }
    s
}

/// `s` cut to `max` columns; when something had to go, the end is replaced by `ellipsis`.
pub fn truncate(s: &str, max: usize, ellipsis: &str) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    let ew = ellipsis.width();
    if ew > max {
        return prefix(s, max).to_string();
    }
    let mut out = prefix(s, max - ew).to_string();
    out.push_str(ellipsis);
    out
}

/// `s` truncated and padded with blanks to exactly `w` columns (a wide glyph that does not
/// fit leaves a blank, never half a glyph).
pub fn fit(s: &str, w: usize, ellipsis: &str) -> String {
    let mut out = truncate(s, w, ellipsis);
    let used = width(&out);
    out.extend(std::iter::repeat_n(' ', w.saturating_sub(used)));
    out
}

/// `s` right-aligned in `w` columns (cut on the left is never needed for our numbers).
pub fn right(s: &str, w: usize) -> String {
    let used = width(s);
    if used >= w {
        return prefix(s, w).to_string();
    }
    let mut out = " ".repeat(w - used);
    out.push_str(s);
    out
}

/// Punctuation that must not start a line (避头): it sticks to the text before it (wrapping
/// here, and the importer joining a cell cut before it).
pub fn closes(c: char) -> bool {
    matches!(
        c,
        '，' | '。'
            | '、'
            | '；'
            | '：'
            | '？'
            | '！'
            | '）'
            | '」'
            | '』'
            | '》'
            | '〉'
            | '】'
            | '”'
            | '’'
            | '…'
            | '％'
            | ','
            | '.'
            | ';'
            | ':'
            | '?'
            | '!'
            | ')'
            | ']'
            | '%'
    )
}

/// Punctuation that must not end a line (避尾): it sticks to the text after it.
fn opens(c: char) -> bool {
    matches!(
        c,
        '（' | '「' | '『' | '《' | '〈' | '【' | '“' | '‘' | '(' | '['
    )
}

/// Characters that belong to one Latin "word" (numbers such as `87.24%`, `5G`, `2020`).
fn wordish(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '%' | '-' | '_' | '/' | '+')
}

/// Splits text into the pieces a line break may fall between: a run of Latin letters and
/// digits stays whole, every other character is its own piece, closing punctuation joins the
/// piece before it and opening punctuation the piece after it.
fn pieces(s: &str) -> Vec<String> {
    let mut raw: Vec<String> = Vec::new();
    let mut word = String::new();
    for c in s.chars() {
        if wordish(c) && !(c == '.' && word.is_empty()) && !(c == '%' && word.is_empty()) {
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            raw.push(std::mem::take(&mut word));
        }
        raw.push(c.to_string());
    }
    if !word.is_empty() {
        raw.push(word);
    }
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    let mut pending_open = String::new();
    for p in raw {
        let first = p.chars().next().unwrap_or(' ');
        if p.chars().count() == 1 && opens(first) {
            pending_open.push_str(&p);
            continue;
        }
        if p.chars().count() == 1 && closes(first) && pending_open.is_empty() {
            if let Some(last) = out.last_mut() {
                if !last.ends_with(' ') {
                    last.push_str(&p);
                    continue;
                }
            }
        }
        let mut piece = std::mem::take(&mut pending_open);
        piece.push_str(&p);
        out.push(piece);
    }
    if !pending_open.is_empty() {
        out.push(pending_open);
    }
    out
}

/// Wraps `s` into lines of at most `max` columns. Breaks anywhere between Han characters,
/// keeps numbers and Latin words whole when they fit on a line, keeps closing punctuation off
/// the start of a line, and drops blanks at the start of a continuation line. A character
/// wider than `max` (a Han glyph in one column) cannot be shown and is left out.
pub fn wrap(s: &str, max: usize) -> Vec<String> {
    let mut lines = Vec::new();
    if max == 0 {
        return lines;
    }
    let s = clean(s);
    let mut line = String::new();
    let mut used = 0;
    for piece in pieces(&s) {
        let w = width(&piece);
        if used + w <= max {
            if !(used == 0 && piece == " " && !lines.is_empty()) {
                line.push_str(&piece);
                used += w;
            }
            continue;
        }
        if w <= max {
            lines.push(std::mem::take(&mut line));
            used = 0;
            if piece != " " {
                line.push_str(&piece);
                used = w;
            }
            continue;
        }
        // A piece longer than a whole line: fill the current line, then break it by glyph.
        for c in piece.chars() {
            let cw = char_width(c);
            if cw > max {
                continue;
            }
            if used + cw > max {
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            line.push(c);
            used += cw;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

const HAN_DIGITS: &str = "一二三四五六七八九十";

/// True when a sub-item marker starts at `rest`: `一是` `二是` … `十是`, `（1）` `(一)`, `1.` `2、`
/// (one or two digits followed by a non-digit), or a circled number `①`–`⑳`.
fn marker_at(rest: &str) -> bool {
    let mut chars = rest.chars();
    let Some(c0) = chars.next() else {
        return false;
    };
    if HAN_DIGITS.contains(c0) {
        let tail: String = rest.chars().skip(1).take(2).collect();
        return tail.starts_with('是')
            || (tail.starts_with(|c| HAN_DIGITS.contains(c)) && tail.ends_with('是'));
    }
    if ('①'..='⑳').contains(&c0) {
        return true;
    }
    if c0 == '(' || c0 == '（' {
        let inner: String = chars
            .by_ref()
            .take_while(|c| *c != ')' && *c != '）')
            .collect();
        let n = inner.chars().count();
        return (1..=2).contains(&n)
            && inner
                .chars()
                .all(|c| c.is_ascii_digit() || HAN_DIGITS.contains(c));
    }
    if c0.is_ascii_digit() {
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if digits.len() > 2 {
            return false;
        }
        let mut after = rest[digits.len()..].chars();
        return matches!(after.next(), Some('.' | '、' | '．'))
            && after.next().is_some_and(|c| !c.is_ascii_digit());
    }
    false
}

/// Punctuation after which a sub-item may start.
fn item_boundary(c: char) -> bool {
    matches!(
        c,
        '。' | '；' | ';' | '：' | ':' | '，' | ',' | '！' | '？' | ' '
    )
}

/// Splits a progress paragraph so that each numbered sub-item (`一是…`, `二是…`, `(1)…`, `1.…`)
/// starts its own line. A marker counts only at the start or right after sentence
/// punctuation, so `87.24%` or `统一是` stay whole. Digit markers need a full stop or
/// semicolon before them (a comma before `1.` is usually a quantity).
pub fn split_items(paragraph: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut prev: Option<char> = None;
    for (i, c) in paragraph.char_indices() {
        if i > start {
            if let Some(p) = prev {
                let rest = &paragraph[i..];
                let digit_marker = c.is_ascii_digit() || c == '(' || c == '（';
                let ok_before = if digit_marker {
                    matches!(p, '。' | '；' | ';' | '：' | ':' | ' ')
                } else {
                    item_boundary(p)
                };
                if ok_before && marker_at(rest) {
                    let piece = paragraph[start..i].trim();
                    if !piece.is_empty() {
                        out.push(piece.to_string());
                    }
                    start = i;
                }
            }
        }
        prev = Some(c);
    }
    let piece = paragraph[start..].trim();
    if !piece.is_empty() {
        out.push(piece.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_lines_never_exceed_the_width() {
        let text = "截止目前,市区建成区累计79条水体完成整治,剩余3条水体按标本兼治的原则,将提质增效行动与水系整治统筹考虑。完成率87.24%，新建5G基站1175处，ABC";
        for w in 1..40 {
            for line in wrap(text, w) {
                assert!(width(&line) <= w, "{line:?} wider than {w}");
            }
        }
    }

    #[test]
    fn numbers_stay_whole_when_they_fit() {
        let lines = wrap("完成率87.24%，新建", 8);
        assert_eq!(lines, vec!["完成率", "87.24%，", "新建"]);
    }

    #[test]
    fn closing_punctuation_does_not_start_a_line() {
        let lines = wrap("一二三。四五", 6);
        assert_eq!(lines, vec!["一二", "三。四", "五"]);
    }

    #[test]
    fn wide_glyph_in_one_column_is_left_out() {
        assert_eq!(wrap("中文", 1), vec![String::new()]);
        assert!(wrap("中文", 0).is_empty());
    }

    #[test]
    fn truncate_respects_display_width() {
        assert_eq!(truncate("加大黑臭水体整治力度", 9, "…"), "加大黑臭…");
        assert_eq!(truncate("加大黑臭水体整治力度", 8, "…"), "加大黑…");
        assert_eq!(width(&fit("加大黑臭", 5, "…")), 5);
        assert_eq!(truncate("abc", 3, "…"), "abc");
    }

    #[test]
    fn sub_items_start_their_own_lines() {
        let p = "推进垃圾分类工作:一是印发《方案》;二是推进生活垃圾分类。三是强化调度。";
        assert_eq!(
            split_items(p),
            vec![
                "推进垃圾分类工作:",
                "一是印发《方案》;",
                "二是推进生活垃圾分类。",
                "三是强化调度。"
            ]
        );
        let q = "加快建设。1.推进城乡教育。2.出台文件,完成率87.24%。(1)增品种。(2)提品质。";
        assert_eq!(
            split_items(q),
            vec![
                "加快建设。",
                "1.推进城乡教育。",
                "2.出台文件,完成率87.24%。",
                "(1)增品种。",
                "(2)提品质。"
            ]
        );
    }

    #[test]
    fn words_containing_markers_are_not_split() {
        assert_eq!(
            split_items("实现统一是关键,共1.5亿元"),
            vec!["实现统一是关键,共1.5亿元"]
        );
    }
}
