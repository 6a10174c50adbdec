//! Text measured by display width: truncation, padding and our own wrapping of Chinese text
//! (which has no spaces, so the widget's word wrap cannot be trusted: ratatui #1199, #2679),
//! and the one rule that keeps text from a report from reaching a terminal as a command
//! (`clean` for one line, `inert_lines` and the `Inert` writer for whole outputs). Core, not
//! UI: the CLI, the UI and the words of events all use it.
//!
//! # What a terminal never receives
//!
//! A report, a note or a goal is text from outside: a pasted `ESC]52;c;…BEL` writes the
//! reader's clipboard, `ESC]0;…` their window title, `ESC[2J` clears the screen, a DCS or a
//! C1 `CSI` (U+009B) starts the same sequences without ESC, backspaces and a lone carriage
//! return overwrite what was printed, and the bidi overrides (U+202E …) make a line read
//! differently from what it holds. Every such character is replaced by a *visible*
//! placeholder, so the reader sees that something was there (and `--json` has the exact
//! text):
//!
//! - C0 controls and DEL become their Unicode Control Pictures: `␛` for ESC, `␇` BEL,
//!   `␈` BS, `␍` a lone CR, `␀` NUL … `␡` DEL. An escape sequence is thereby shown, not
//!   run: `ESC[2J` reads `␛[2J`.
//! - C1 controls (U+0080–U+009F) and the bidi controls (U+061C, U+200E, U+200F,
//!   U+202A–U+202E, U+2066–U+2069) become `␦` (U+2426, "symbol for substitute form two":
//!   a character was substituted here). They have no pictures of their own; `�` (U+FFFD)
//!   was the other candidate, but its East Asian width is *ambiguous*, so CJK terminals set
//!   to draw ambiguous characters wide would show it in two columns, while the whole
//!   Control Pictures block (U+2400–U+2426) is *neutral*: one column everywhere.
//! - One character always becomes exactly one character of one column. Widths measured on
//!   the raw text (`width`, `char_width`) are the widths of the cleaned text, and char
//!   positions (the UI's search highlights) still point at the same characters.
//!
//! Whitespace controls depend on the output: on one line (`clean`: a list row, a UI cell)
//! tab, LF and CR are blanks, as the report's layout means them; in a whole output
//! (`inert_lines`, `Inert`) LF, tab and CR-before-LF stay, because they only move the
//! cursor forward or to a new line and a multi-line output needs them. A CR that is not
//! before a LF returns to the start of the line to overprint it, so it becomes `␍`.

use std::borrow::Cow;
use std::io::{self, Write};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// What stands for C1 and bidi controls (see the module's documentation).
pub const SUBSTITUTE: char = '\u{2426}';

/// True for the bidi controls that reorder how a line reads (Trojan Source, CVE-2021-42574).
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// The visible character that stands for `c` on a terminal, or `None` when `c` may be shown
/// as it is. Whitespace is not special here: the callers decide about tab, LF and CR.
pub fn placeholder(c: char) -> Option<char> {
    match c {
        // U+2400 + n is the Control Picture of C0 control n (␀ … ␟).
        '\0'..='\u{1F}' => char::from_u32(0x2400 + c as u32),
        '\u{7F}' => Some('\u{2421}'),
        '\u{80}'..='\u{9F}' => Some(SUBSTITUTE),
        c if is_bidi_control(c) => Some(SUBSTITUTE),
        _ => None,
    }
}

/// True when `c` must not reach a terminal as it is (it gets a blank or a placeholder).
pub fn is_unsafe(c: char) -> bool {
    placeholder(c).is_some() || matches!(c, '\u{2028}' | '\u{2029}')
}

/// Display width of a string, measured as it is shown: a control character counts as the
/// one column of its blank or placeholder.
pub fn width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

/// Display width of one character: 2 for Han and full-width forms, 0 for combining marks,
/// 1 for a control character (drawn as a blank or a placeholder, see `clean`).
pub fn char_width(c: char) -> usize {
    if is_unsafe(c) {
        1
    } else {
        c.width().unwrap_or(0)
    }
}

/// One character as it may be shown on one line.
fn one_line_char(c: char) -> char {
    match c {
        '\t' | '\n' | '\r' | '\u{2028}' | '\u{2029}' => ' ',
        c => placeholder(c).unwrap_or(c),
    }
}

/// Text for one line of a terminal (a list row, a field, a UI cell): tab and line breaks
/// become blanks, every other control a visible placeholder (see the module's
/// documentation). Borrowed when there was nothing to replace.
pub fn inert(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.chars().map(one_line_char).collect())
}

/// `inert` as an owned string (what the UI's cells and the CLI's fields hold).
pub fn clean(s: &str) -> String {
    inert(s).into_owned()
}

/// Text of many lines for a terminal (a Markdown or CSV export, an error message): LF, tab
/// and CR-before-LF stay, every other control becomes a visible placeholder.
pub fn inert_lines(s: &str) -> Cow<'_, str> {
    if !s
        .chars()
        .any(|c| placeholder(c).is_some() && !matches!(c, '\n' | '\t'))
    {
        return Cow::Borrowed(s);
    }
    let mut out = String::new();
    push_inert_lines(s, &mut out, true);
    Cow::Owned(out)
}

/// Appends `s` made inert for a multi-line output to `out`; returns how many bytes of `s`
/// were used. Only when `at_end` is false a final CR is held back (the next write may bring
/// its LF).
fn push_inert_lines(s: &str, out: &mut String, at_end: bool) -> usize {
    out.reserve(s.len());
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\n' | '\t' => out.push(c),
            '\r' => match chars.peek() {
                Some((_, '\n')) => out.push(c),
                None if !at_end => return i,
                _ => out.push('\u{240D}'),
            },
            c => out.push(placeholder(c).unwrap_or(c)),
        }
    }
    s.len()
}

/// A writer that passes everything through `inert_lines`: wrap a terminal's stdout or stderr
/// in it and no report text written through it can act as a command, whichever `write!`
/// forgot to clean its fields. Bytes that are not UTF-8 become `␦`. A UTF-8 character or a
/// CR split across two writes is held (at most 4 bytes) until the next write, `exact` or
/// the drop. Output that must stay byte-exact (JSON) goes through `exact`.
pub struct Inert<W: Write> {
    inner: W,
    held: Vec<u8>,
}

impl<W: Write> Inert<W> {
    pub fn new(inner: W) -> Inert<W> {
        Inert {
            inner,
            held: Vec::new(),
        }
    }

    /// The writer underneath, for output that must reach it byte for byte (JSON, whose
    /// escapes already keep C0 controls off the terminal). What was held is written first.
    pub fn exact(&mut self) -> io::Result<&mut W> {
        self.pass(&[], true)?;
        Ok(&mut self.inner)
    }

    /// Writes what is held plus `buf`, made inert; keeps back an unfinished character or a
    /// final CR unless `at_end`.
    fn pass(&mut self, buf: &[u8], at_end: bool) -> io::Result<()> {
        // The common case, a whole piece of ordinary text, is written as it is.
        if self.held.is_empty() && !buf.ends_with(b"\r") {
            if let Ok(s) = std::str::from_utf8(buf) {
                if matches!(inert_lines(s), Cow::Borrowed(_)) {
                    return self.inner.write_all(buf);
                }
            }
        }
        self.held.extend_from_slice(buf);
        if self.held.is_empty() {
            return Ok(());
        }
        let mut out = String::with_capacity(self.held.len());
        let mut used = 0;
        while used < self.held.len() {
            let rest = &self.held[used..];
            let (valid, bad) = match std::str::from_utf8(rest) {
                Ok(s) => (s, None),
                Err(e) => (
                    // Safe: `valid_up_to` is where the valid prefix ends.
                    std::str::from_utf8(&rest[..e.valid_up_to()]).unwrap_or_default(),
                    Some(e.error_len()),
                ),
            };
            let last = at_end || bad.is_some();
            let n = push_inert_lines(valid, &mut out, last);
            used += n;
            if n < valid.len() {
                break; // a CR held for the next write
            }
            match bad {
                None => break,
                Some(Some(len)) => {
                    out.push(SUBSTITUTE);
                    used += len;
                }
                // An unfinished character at the end: the next write may complete it.
                Some(None) if !at_end => break,
                Some(None) => {
                    out.push(SUBSTITUTE);
                    used = self.held.len();
                }
            }
        }
        self.held.drain(..used);
        self.inner.write_all(out.as_bytes())
    }
}

impl<W: Write> Write for Inert<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pass(buf, false)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<W: Write> Drop for Inert<W> {
    fn drop(&mut self) {
        // Like BufWriter: what is held goes out, an error has nowhere to go.
        let _ = self.pass(&[], true);
        let _ = self.inner.flush();
    }
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

    /// Every attack of issue 11 in one string: window title, clipboard write, clear screen,
    /// a DCS, a C1 CSI, backspaces, a lone CR and a right-to-left override.
    const HOSTILE: &str = "a\u{1b}]0;pwned\u{7}b\u{1b}]52;c;ZXZpbA==\u{7}\u{1b}[2J\u{1b}P1$r\u{1b}\\\u{9b}31m\u{8}\u{8}x\ry\u{202e}z\u{7f}";

    fn assert_no_controls(s: &str, keep: &[char]) {
        for c in s.chars() {
            assert!(
                keep.contains(&c) || !(c.is_control() || is_bidi_control(c)),
                "{c:?} reached the output in {s:?}"
            );
        }
    }

    #[test]
    fn one_line_shows_every_control_as_a_placeholder() {
        let out = clean(HOSTILE);
        assert_no_controls(&out, &[]);
        assert_eq!(out, "a␛]0;pwned␇b␛]52;c;ZXZpbA==␇␛[2J␛P1$r␛\\␦31m␈␈x y␦z␡");
        assert_eq!(clean("甲\t乙\n丙"), "甲 乙 丙");
        assert!(matches!(inert("加大黑臭水体整治力度"), Cow::Borrowed(_)));
    }

    #[test]
    fn placeholders_keep_widths_and_char_positions() {
        // One char for one char, one column each: widths measured on the raw text hold for
        // the cleaned text, and highlights by char index still fit.
        assert_eq!(clean(HOSTILE).chars().count(), HOSTILE.chars().count());
        assert_eq!(width(&clean(HOSTILE)), width(HOSTILE));
        assert_eq!(width("\u{1b}[2J中"), 6);
        for c in ['\0', '\u{1b}', '\u{7f}', '\u{9b}', '\u{202e}', '\r'] {
            let p = one_line_char(c);
            // Neutral, not ambiguous: one column in CJK terminals too.
            assert_eq!((p.width(), p.width_cjk()), (Some(1), Some(1)), "{p:?}");
        }
    }

    #[test]
    fn many_lines_keep_line_breaks_and_tabs_only() {
        let out = inert_lines("第一行\r\n\t第二行\n\u{1b}[2J第三\r行\u{9b}");
        assert_eq!(out, "第一行\r\n\t第二行\n␛[2J第三␍行␦");
        assert!(matches!(inert_lines("一\n二\t三"), Cow::Borrowed(_)));
        assert_no_controls(&inert_lines(HOSTILE), &['\n', '\t']);
    }

    #[test]
    fn the_writer_sanitises_across_split_writes() {
        let mut bytes = Vec::new();
        {
            let mut w = Inert::new(&mut bytes);
            let hostile = "中\u{1b}]52;c;x\u{7}\r\n末\r".as_bytes();
            // One byte at a time: characters and CRLF split between writes.
            for b in hostile {
                w.write_all(std::slice::from_ref(b)).unwrap();
            }
            w.write_all(b"\xff!").unwrap();
        }
        assert_eq!(String::from_utf8(bytes).unwrap(), "中␛]52;c;x␇\r\n末␍␦!");
    }

    #[test]
    fn exact_output_bypasses_the_writer_in_order() {
        let mut bytes = Vec::new();
        {
            let mut w = Inert::new(&mut bytes);
            write!(w, "a\r").unwrap();
            w.exact()
                .unwrap()
                .write_all(b"\"\\u001b\xe2\x80\xae\"")
                .unwrap();
            write!(w, "\u{202e}").unwrap();
        }
        assert_eq!(bytes, "a␍\"\\u001b\u{202e}\"␦".as_bytes());
    }

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
