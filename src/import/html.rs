//! Reads a web page saved from a government site (`.html`/`.htm`, often GB2312/GBK) into a
//! [`Document`].
//!
//! - **Tables.** Sites wrap their pages in layout tables; the data is in the innermost ones.
//!   Every `<table>` holding no other `<table>` becomes a [`Table`] named `表格 N` (N counts
//!   these tables in page order), except a table no row of which has more than one cell: such
//!   a one-column box is page layout, and its text is read as page text. Rows are the
//!   table's own `<tr>`s (in `<thead>`/`<tbody>`/`<tfoot>` or direct), [`Row::at`] their
//!   1-based position in the table. `colspan`/`rowspan` are laid out on a grid as browsers
//!   do: a rowspan reserves its columns in the rows below (to the end of the row group;
//!   `rowspan="0"` means all of it); covered positions are [`Merged::Left`] in the cell's
//!   own row and [`Merged::Above`] below.
//! - **Paragraphs.** `<p>`, `<div>`, `<li>`, `<br>`, headings, rows and cells end
//!   paragraphs; inline elements (`<span>`, `<font>`, `<b>`, `<a>`, Word's `<o:p>`…) do not;
//!   `<script>`, `<style>`, `<noscript>` and comments are ignored. Whitespace runs
//!   (`&nbsp;` included) become one space, except that a line break in the page source
//!   between two Chinese characters or punctuation marks is no space at all.
//! - **Text.** [`Document::text`] holds the paragraphs outside the tables, in page order
//!   (at most [`MAX_TEXT_PARAGRAPHS`]): the title, headings, the date line. A page without
//!   any table reads as `Ok` with no tables, and its text is all there: the importer then
//!   reads that text as a text report. A table's caption is its `<caption>` plus up to the
//!   last three paragraphs between the previous table and this one.
//! - **Charset.** A byte-order mark wins; then text that is valid UTF-8 (a page converted
//!   to UTF-8 by a download tool often keeps its old `gb2312` declaration); then the page's
//!   `<meta charset>` / `<meta http-equiv="Content-Type">` (GB2312 and GBK read as their
//!   superset GB18030); otherwise the text importer's detection (UTF-16 without a mark,
//!   GB18030). Files that are not text are refused.
//! - **Bounds.** A page nesting elements more than [`MAX_DEPTH`] deep is refused before
//!   parsing (the parser's time grows with the square of the depth); the tree is walked
//!   without recursion; table grids are limited to [`MAX_POSITIONS`] positions in all.

use super::encoding;
use super::table::{Cell, Document, Merged, ReadError, Row, Table};
use super::ImportError;
use encoding_rs::Encoding;
use scraper::node::Element;
use scraper::{Html, Node};
use std::collections::VecDeque;

/// A node of the parsed page (scraper does not re-export ego_tree's type by name).
type NodeRef<'a> = <scraper::ElementRef<'a> as std::ops::Deref>::Target;

/// Paragraphs kept in [`Document::text`]: the importer reads only a period name from it,
/// or a whole report when the page has no table; a page with more is not a report.
pub const MAX_TEXT_PARAGRAPHS: usize = 20_000;
/// Grid positions (cells, empty or covered) of all tables of one page together.
pub const MAX_POSITIONS: usize = 5_000_000;
const MAX_COLSPAN: u64 = 1_000;
const MAX_ROWSPAN: u64 = 65_534;
const CAPTION_PARAGRAPHS: usize = 3;
/// Elements open inside each other that a page may have. Real pages stay below a hundred
/// (browsers stop nesting at 512); the HTML parser's scope checks walk the whole stack of
/// open elements for every block tag, so a page nesting 100,000 `<div>`s takes minutes.
pub const MAX_DEPTH: usize = 1_000;
/// How far into the file a charset declaration is looked for.
const SNIFF_BYTES: usize = 4096;

pub fn read(bytes: &[u8]) -> Result<Document, ReadError> {
    let text = decode(bytes)?;
    let depth = open_depth(text.as_bytes(), MAX_DEPTH);
    if depth > MAX_DEPTH {
        return Err(ReadError(format!(
            "The page nests its elements more than {MAX_DEPTH} deep, which is no web page a browser shows as written; save the page again from the browser and import that."
        )));
    }
    let page = Html::parse_document(&text);
    drop(text);
    let root = page.tree.root();
    let mut reader = PageReader::new(classify_tables(root));
    let mut failed = None;
    walk(root, |step| {
        if failed.is_none() {
            failed = reader.step(step).err();
        }
    });
    match failed {
        Some(e) => Err(e),
        None => {
            let mut doc = reader.finish();
            for mut grid in div_grids(root) {
                grid.name = format!("表格 {}", doc.tables.len() + 1);
                doc.tables.push(grid);
            }
            Ok(doc)
        }
    }
}

// ---------------------------------------------------------------------------------------
// Tables drawn with `<div>`s (CSS `display: table`)

/// Rows of cells a container needs to be read as a grid.
const MIN_GRID_ROWS: usize = 2;
const MIN_GRID_CELLS: usize = 3;

/// Tables a page draws without `<table>`: a container whose children are rows of at least
/// three cells each, most of them with the same number of cells (CSS `display: table-row`
/// and `table-cell`, or a flex layout). A child with one cell is a row spanning the grid (a
/// section heading). Cells are read as table cells are: paragraphs at `<p>`, `<br>`, blocks.
/// Nothing is inferred from class names or styles.
fn div_grids(root: NodeRef<'_>) -> Vec<Table> {
    let mut out = Vec::new();
    for node in root.descendants() {
        let Some(e) = element(&node) else { continue };
        if !matches!(e.name(), "div" | "section" | "article" | "ul" | "ol" | "dl") {
            continue;
        }
        let rows: Vec<NodeRef<'_>> = node.children().filter(|c| element(c).is_some()).collect();
        let widths: Vec<usize> = rows
            .iter()
            .map(|r| r.children().filter(|c| element(c).is_some()).count())
            .collect();
        let Some(width) = most_common(widths.iter().copied().filter(|w| *w >= MIN_GRID_CELLS))
        else {
            continue;
        };
        if widths.iter().filter(|w| **w == width).count() < MIN_GRID_ROWS {
            continue;
        }
        let mut table = Table::default();
        for (i, (row, w)) in rows.iter().zip(&widths).enumerate() {
            let cells: Vec<Cell> = if *w == width {
                row.children()
                    .filter(|c| element(c).is_some())
                    .map(|c| Cell::text(cell_paragraphs(c)))
                    .collect()
            } else {
                // A row of one cell (or a heading between rows) spans the grid.
                let mut spanning = vec![Cell::text(cell_paragraphs(*row))];
                spanning.resize(width, Cell::covered(Merged::Left));
                spanning
            };
            if cells.iter().all(Cell::is_empty) {
                continue;
            }
            table.rows.push(Row { at: i + 1, cells });
        }
        out.push(table);
    }
    out
}

fn most_common(values: impl Iterator<Item = usize>) -> Option<usize> {
    let mut counts: Vec<(usize, usize)> = Vec::new();
    for v in values {
        match counts.iter_mut().find(|(k, _)| *k == v) {
            Some((_, n)) => *n += 1,
            None => counts.push((v, 1)),
        }
    }
    counts.into_iter().max_by_key(|(_, n)| *n).map(|(v, _)| v)
}

/// The paragraphs of an element: text runs joined as a browser shows them, a block or a
/// `<br>` ending a paragraph, scripts and styles left out.
fn cell_paragraphs(node: NodeRef<'_>) -> Vec<String> {
    let mut paragraphs = Paragraphs::default();
    let mut skip = 0usize;
    walk(node, |step| match step {
        Step::Enter(n) => {
            if let Some(e) = element(&n) {
                if skipped(e.name()) {
                    skip += 1;
                } else if !inline(e.name()) {
                    paragraphs.end();
                }
            } else if let Some(t) = n.value().as_text() {
                if skip == 0 {
                    paragraphs.text(t);
                }
            }
        }
        Step::Leave(n) => {
            if let Some(e) = element(&n) {
                if skipped(e.name()) {
                    skip = skip.saturating_sub(1);
                } else if !inline(e.name()) {
                    paragraphs.end();
                }
            }
        }
    });
    paragraphs.finish()
}

// ---------------------------------------------------------------------------------------
// Bytes to text

fn decode(bytes: &[u8]) -> Result<String, ReadError> {
    if bytes.is_empty() {
        return Err(ReadError(
            "The web page is empty (0 bytes); save the page again from the browser and import that.".into(),
        ));
    }
    if let Some((enc, bom)) = Encoding::for_bom(bytes) {
        return checked(lossy(enc, bytes.get(bom..).unwrap_or_default()));
    }
    let head = &bytes[..bytes.len().min(SNIFF_BYTES)];
    // NULs mean UTF-16 without a mark, or not text at all: the text importer knows both.
    if !head.contains(&0) {
        if let Some(text) = utf8(bytes) {
            return checked(text);
        }
        if let Some(enc) = declared(head) {
            if enc != encoding_rs::UTF_8 {
                return checked(lossy(enc, bytes));
            }
        }
    }
    match encoding::decode(bytes, "page") {
        Ok(d) => {
            let enc = Encoding::for_label(d.encoding.as_bytes()).unwrap_or(encoding_rs::UTF_8);
            checked(lossy(enc, bytes))
        }
        Err(ImportError::Binary { detail, .. }) => Err(not_a_page(&detail)),
        Err(e) => Err(ReadError(format!("The web page could not be read: {e}"))),
    }
}

fn not_a_page(detail: &str) -> ReadError {
    ReadError(format!(
        "This file is not a web page ({detail}); save the page from the browser as HTML and import that."
    ))
}

fn lossy(enc: &'static Encoding, bytes: &[u8]) -> String {
    enc.decode_without_bom_handling(bytes).0.into_owned()
}

/// Valid UTF-8, allowing a character cut off at the very end of a truncated file.
fn utf8(bytes: &[u8]) -> Option<String> {
    match std::str::from_utf8(bytes) {
        Ok(t) => Some(t.to_string()),
        Err(e) if e.error_len().is_none() => Some(String::from_utf8_lossy(bytes).into_owned()),
        Err(_) => None,
    }
}

/// Decoded text that is really binary (control characters throughout) is refused.
fn checked(text: String) -> Result<String, ReadError> {
    let (mut total, mut controls) = (0usize, 0usize);
    for c in text.chars() {
        total += 1;
        if c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}') {
            controls += 1;
        }
    }
    if controls > 8 && controls * 100 > total {
        return Err(not_a_page(&format!(
            "{controls} of its {total} characters are control characters"
        )));
    }
    Ok(text)
}

/// The encoding a page declares in its first bytes: `<meta charset=…>`, `<meta
/// http-equiv="Content-Type" content="…; charset=…">` or an XML declaration.
fn declared(head: &[u8]) -> Option<&'static Encoding> {
    let lower = head.to_ascii_lowercase();
    let mut labels = Vec::new();
    if let Some(decl) = lower.strip_prefix(b"<?xml") {
        let end = find(decl, b"?>").unwrap_or(decl.len());
        labels.extend(value_after(&decl[..end], b"encoding"));
    }
    let mut from = 0;
    while let Some(i) = find(&lower[from..], b"<meta") {
        let start = from + i;
        let end = lower[start..]
            .iter()
            .position(|&b| b == b'>')
            .map_or(lower.len(), |e| start + e);
        labels.extend(value_after(&lower[start..end], b"charset"));
        from = end;
    }
    labels.into_iter().find_map(|label| {
        let enc = Encoding::for_label(label)?;
        // GB2312/GBK pages hold GB18030 characters in practice; a page cannot be UTF-16
        // if its declaration was readable as ASCII (the HTML standard says so too).
        if enc == encoding_rs::GBK {
            Some(encoding_rs::GB18030)
        } else if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
            Some(encoding_rs::UTF_8)
        } else if enc == encoding_rs::REPLACEMENT {
            None
        } else {
            Some(enc)
        }
    })
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The value after `key` `=` in a tag, quoted or not.
fn value_after<'a>(tag: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let rest = &tag[find(tag, key)? + key.len()..];
    let rest = rest
        .trim_ascii_start()
        .strip_prefix(b"=")?
        .trim_ascii_start();
    let rest = rest
        .strip_prefix(b"\"")
        .or(rest.strip_prefix(b"'"))
        .unwrap_or(rest);
    let end = rest
        .iter()
        .position(|b| matches!(b, b'"' | b'\'' | b';' | b'>' | b'/') || b.is_ascii_whitespace())
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

// ---------------------------------------------------------------------------------------
// Nesting, estimated before parsing

/// How deep the parser's stack of open elements gets, estimated by a scan of the tags that
/// follows the parser's main implied-end-tag rules: a new `<p>`, `<li>`, `<td>`, `<tr>` or
/// `<a>` closes the previous one, a block closes an open `<p>`, an end tag closes what is
/// still open inside its element. On real pages it errs towards too shallow, never too
/// deep. Stops counting past `limit`, so the scan costs at most `limit` per tag.
fn open_depth(b: &[u8], limit: usize) -> usize {
    let mut stack: Vec<Vec<u8>> = Vec::new();
    let mut deepest = 0;
    let mut i = 0;
    while let Some(off) = b.get(i..).and_then(|rest| memchr::memchr(b'<', rest)) {
        let at = i + off + 1;
        let rest = b.get(at..).unwrap_or_default();
        if rest.starts_with(b"!--") {
            i = find(rest, b"-->").map_or(b.len(), |e| at + e + 3);
            continue;
        }
        let end_tag = rest.starts_with(b"/");
        let name_at = at + usize::from(end_tag);
        let name: Vec<u8> = b
            .get(name_at..)
            .unwrap_or_default()
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b':' | b'-' | b'_'))
            .map(u8::to_ascii_lowercase)
            .collect();
        let Some(close) = memchr::memchr(b'>', b.get(name_at..).unwrap_or_default()) else {
            break;
        };
        let tag_end = name_at + close;
        i = tag_end + 1;
        if !name.first().is_some_and(u8::is_ascii_alphabetic) {
            continue; // `<!doctype>`, `<?xml?>`, a lone `<` in text
        }
        if end_tag {
            close_within(&mut stack, |n| n == name.as_slice(), |_| false);
            continue;
        }
        if void(&name) || !open_implied(&mut stack, &name) {
            continue;
        }
        let foreign = stack.iter().any(|n| n == b"svg" || n == b"math");
        if foreign && b.get(..tag_end).is_some_and(|t| t.ends_with(b"/")) {
            continue; // `<path/>` inside SVG closes itself
        }
        if name == b"plaintext" {
            break;
        }
        if matches!(
            name.as_slice(),
            b"script"
                | b"style"
                | b"textarea"
                | b"title"
                | b"xmp"
                | b"iframe"
                | b"noembed"
                | b"noframes"
        ) {
            // Raw text: no tags until the element's end tag.
            i = raw_text_end(b, i, &name);
        }
        stack.push(name);
        deepest = deepest.max(stack.len());
        if deepest > limit {
            break;
        }
    }
    deepest
}

/// Where the end tag `</name` of a raw-text element begins, from `from`.
fn raw_text_end(b: &[u8], mut from: usize, name: &[u8]) -> usize {
    while let Some(off) = b.get(from..).and_then(|rest| memchr::memchr(b'<', rest)) {
        let at = from + off;
        let candidate = b.get(at + 2..at + 2 + name.len());
        if b.get(at + 1) == Some(&b'/') && candidate.is_some_and(|c| c.eq_ignore_ascii_case(name)) {
            return at;
        }
        from = at + 1;
    }
    b.len()
}

/// Elements without content, never on the stack (`<image>` is read as `<img>`).
fn void(name: &[u8]) -> bool {
    matches!(
        name,
        b"area"
            | b"base"
            | b"basefont"
            | b"bgsound"
            | b"br"
            | b"col"
            | b"embed"
            | b"frame"
            | b"hr"
            | b"image"
            | b"img"
            | b"input"
            | b"keygen"
            | b"link"
            | b"meta"
            | b"param"
            | b"source"
            | b"track"
            | b"wbr"
            | b"html"
            | b"head"
            | b"body"
    )
}

/// Elements the parser treats as blocks of their own (its "special" category, roughly).
fn special(name: &[u8]) -> bool {
    closes_p(name)
        || matches!(
            name,
            b"applet"
                | b"button"
                | b"caption"
                | b"colgroup"
                | b"marquee"
                | b"object"
                | b"select"
                | b"table"
                | b"tbody"
                | b"td"
                | b"template"
                | b"tfoot"
                | b"th"
                | b"thead"
                | b"tr"
        )
}

/// Start tags that close an open `<p>` first.
fn closes_p(name: &[u8]) -> bool {
    matches!(
        name,
        b"address"
            | b"article"
            | b"aside"
            | b"blockquote"
            | b"center"
            | b"details"
            | b"dialog"
            | b"dir"
            | b"div"
            | b"dl"
            | b"dd"
            | b"dt"
            | b"fieldset"
            | b"figcaption"
            | b"figure"
            | b"footer"
            | b"form"
            | b"header"
            | b"hgroup"
            | b"h1"
            | b"h2"
            | b"h3"
            | b"h4"
            | b"h5"
            | b"h6"
            | b"li"
            | b"listing"
            | b"main"
            | b"menu"
            | b"nav"
            | b"ol"
            | b"p"
            | b"pre"
            | b"search"
            | b"section"
            | b"summary"
            | b"ul"
            | b"xmp"
    )
}

/// Boundaries of the parser's "button scope".
fn scope_boundary(name: &[u8]) -> bool {
    matches!(
        name,
        b"applet"
            | b"button"
            | b"caption"
            | b"marquee"
            | b"object"
            | b"table"
            | b"td"
            | b"template"
            | b"th"
    )
}

/// Pops the stack down to and including the nearest element `target` accepts, unless an
/// element `stop` accepts comes first.
fn close_within(
    stack: &mut Vec<Vec<u8>>,
    target: impl Fn(&[u8]) -> bool,
    stop: impl Fn(&[u8]) -> bool,
) {
    for i in (0..stack.len()).rev() {
        if target(&stack[i]) {
            stack.truncate(i);
            return;
        }
        if stop(&stack[i]) {
            return;
        }
    }
}

/// Applies the end tags a start tag implies; false when the parser ignores the tag.
fn open_implied(stack: &mut Vec<Vec<u8>>, name: &[u8]) -> bool {
    let heading = |n: &[u8]| matches!(n, b"h1" | b"h2" | b"h3" | b"h4" | b"h5" | b"h6");
    match name {
        b"form" if stack.iter().any(|n| n == b"form") => return false,
        b"li" => close_within(
            stack,
            |n| n == b"li",
            |n| special(n) && !matches!(n, b"address" | b"div" | b"p"),
        ),
        b"dd" | b"dt" => close_within(
            stack,
            |n| n == b"dd" || n == b"dt",
            |n| special(n) && !matches!(n, b"address" | b"div" | b"p"),
        ),
        b"td" | b"th" => close_within(
            stack,
            |n| n == b"td" || n == b"th",
            |n| matches!(n, b"tr" | b"table" | b"tbody" | b"thead" | b"tfoot"),
        ),
        b"tr" => close_within(
            stack,
            |n| n == b"tr",
            |n| matches!(n, b"table" | b"tbody" | b"thead" | b"tfoot"),
        ),
        b"tbody" | b"thead" | b"tfoot" => close_within(
            stack,
            |n| matches!(n, b"tbody" | b"thead" | b"tfoot"),
            |n| n == b"table",
        ),
        b"a" | b"nobr" | b"button" => close_within(stack, |n| n == name, scope_boundary),
        b"option" | b"optgroup" => {
            while stack
                .last()
                .is_some_and(|n| n == b"option" || (name == b"optgroup" && n == b"optgroup"))
            {
                stack.pop();
            }
        }
        _ => {}
    }
    if closes_p(name) {
        close_within(stack, |n| n == b"p", scope_boundary);
    }
    if heading(name) && stack.last().is_some_and(|n| heading(n)) {
        stack.pop();
    }
    true
}

// ---------------------------------------------------------------------------------------
// Walking the tree

#[derive(Clone, Copy)]
enum Step<'a> {
    Enter(NodeRef<'a>),
    Leave(NodeRef<'a>),
}

/// Visits every node in document order, entering and leaving, without recursion.
fn walk<'a>(root: NodeRef<'a>, mut visit: impl FnMut(Step<'a>)) {
    visit(Step::Enter(root));
    let mut node = root;
    loop {
        if let Some(child) = node.first_child() {
            visit(Step::Enter(child));
            node = child;
            continue;
        }
        loop {
            visit(Step::Leave(node));
            if node == root {
                return;
            }
            if let Some(next) = node.next_sibling() {
                visit(Step::Enter(next));
                node = next;
                break;
            }
            match node.parent() {
                Some(parent) => node = parent,
                None => return,
            }
        }
    }
}

fn element<'a>(node: &NodeRef<'a>) -> Option<&'a Element> {
    node.value().as_element()
}

/// What each `<table>` of the page is, in document order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TableKind {
    /// Holds no table and has a row of two or more cells: a data table.
    Data,
    /// Holds other tables: page layout, its cells are page text.
    Layout,
    /// One column (or none): a layout box, its cells are page text.
    Flow,
}

fn classify_tables(root: NodeRef) -> Vec<TableKind> {
    struct Open {
        index: usize,
        nested: bool,
        cells: usize,
        widest: usize,
    }
    let mut kinds = Vec::new();
    let mut open: Vec<Open> = Vec::new();
    walk(root, |step| match step {
        Step::Enter(node) => match element(&node).map(Element::name) {
            Some("table") => {
                if let Some(outer) = open.last_mut() {
                    outer.nested = true;
                }
                open.push(Open {
                    index: kinds.len(),
                    nested: false,
                    cells: 0,
                    widest: 0,
                });
                kinds.push(TableKind::Data);
            }
            Some("tr") => {
                if let Some(t) = open.last_mut() {
                    t.cells = 0;
                }
            }
            Some("td" | "th") => {
                if let Some(t) = open.last_mut() {
                    t.cells += 1;
                    t.widest = t.widest.max(t.cells);
                }
            }
            _ => {}
        },
        Step::Leave(node) => {
            if element(&node).is_some_and(|e| e.name() == "table") {
                if let Some(t) = open.pop() {
                    if let Some(kind) = kinds.get_mut(t.index) {
                        *kind = if t.nested {
                            TableKind::Layout
                        } else if t.widest <= 1 {
                            TableKind::Flow
                        } else {
                            TableKind::Data
                        };
                    }
                }
            }
        }
    });
    kinds
}

/// Elements whose content is not text of the page.
fn skipped(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "select"
            | "textarea"
            | "iframe"
            | "object"
            | "svg"
            | "math"
    )
}

/// Elements inside a paragraph; every other element begins and ends one.
fn inline(name: &str) -> bool {
    // Office's HTML export writes `<o:p>`, `<st1:chsdate>` and the like inside paragraphs.
    name.contains(':')
        || matches!(
            name,
            "a" | "abbr"
                | "acronym"
                | "b"
                | "bdi"
                | "bdo"
                | "big"
                | "blink"
                | "button"
                | "cite"
                | "code"
                | "data"
                | "del"
                | "dfn"
                | "em"
                | "font"
                | "i"
                | "img"
                | "input"
                | "ins"
                | "kbd"
                | "label"
                | "mark"
                | "nobr"
                | "q"
                | "rb"
                | "rp"
                | "rt"
                | "rtc"
                | "ruby"
                | "s"
                | "samp"
                | "small"
                | "span"
                | "strike"
                | "strong"
                | "sub"
                | "sup"
                | "time"
                | "tt"
                | "u"
                | "var"
                | "wbr"
        )
}

// ---------------------------------------------------------------------------------------
// Paragraphs

/// Collects text into paragraphs: whitespace runs collapsed to one space, each paragraph
/// trimmed, empty ones dropped. A run holding a line break between two Chinese characters
/// is no space at all: Word's HTML export and CMS editors wrap long lines mid-sentence,
/// and browsers do not show a space there for Chinese either. A run of spaces alone is
/// kept as one space, because a units cell may separate names with spaces.
#[derive(Default)]
struct Paragraphs {
    done: Vec<String>,
    current: String,
    /// A whitespace run since the last character: whether it held a line break.
    space: Option<bool>,
}

impl Paragraphs {
    fn text(&mut self, s: &str) {
        for c in s.chars() {
            if c.is_whitespace() {
                if !self.current.is_empty() {
                    let newline = matches!(c, '\n' | '\r');
                    self.space = Some(self.space.unwrap_or(false) || newline);
                }
            } else if !matches!(c, '\u{200b}' | '\u{feff}') {
                if let Some(newline) = self.space.take() {
                    let prev = self.current.chars().next_back();
                    if !(newline && prev.is_some_and(|p| joins(p, c))) {
                        self.current.push(' ');
                    }
                }
                self.current.push(c);
            }
        }
    }

    fn end(&mut self) {
        self.space = None;
        if !self.current.is_empty() {
            self.done.push(std::mem::take(&mut self.current));
        }
    }

    fn finish(mut self) -> Vec<String> {
        self.end();
        self.done
    }
}

/// Whether two characters around a line break touch: both Chinese (or one Chinese and the
/// other Chinese punctuation).
fn joins(a: char, b: char) -> bool {
    let wide = |c: char| {
        matches!(c as u32,
            0x2E80..=0x303F       // radicals, CJK symbols and punctuation
            | 0x3040..=0x30FF     // kana
            | 0x3400..=0x4DBF     // extension A
            | 0x4E00..=0x9FFF     // unified ideographs
            | 0xF900..=0xFAFF     // compatibility ideographs
            | 0xFE30..=0xFE4F     // vertical forms
            | 0xFF00..=0xFFEF     // full-width forms: ,:;()
            | 0x20000..=0x3FFFF)
    };
    let punctuation = |c: char| matches!(c, '“' | '”' | '‘' | '’' | '…' | '—' | '·');
    (wide(a) || wide(b)) && (wide(a) || punctuation(a)) && (wide(b) || punctuation(b))
}

// ---------------------------------------------------------------------------------------
// The page

struct PageReader {
    kinds: Vec<TableKind>,
    next_table: usize,
    /// Depth inside skipped elements (`<script>`…).
    skip: usize,
    /// Depth inside `<pre>`, where line breaks end paragraphs.
    pre: usize,
    flow: Paragraphs,
    text: Vec<String>,
    recent: VecDeque<String>,
    table: Option<TableReader>,
    tables: Vec<Table>,
    positions: usize,
}

impl PageReader {
    fn new(kinds: Vec<TableKind>) -> PageReader {
        PageReader {
            kinds,
            next_table: 0,
            skip: 0,
            pre: 0,
            flow: Paragraphs::default(),
            text: Vec::new(),
            recent: VecDeque::new(),
            table: None,
            tables: Vec::new(),
            positions: MAX_POSITIONS,
        }
    }

    fn step(&mut self, step: Step) -> Result<(), ReadError> {
        match step {
            Step::Enter(node) => match node.value() {
                Node::Text(t) if self.skip == 0 => {
                    self.text_node(t);
                    Ok(())
                }
                Node::Element(e) => self.enter(e.name(), e),
                _ => Ok(()),
            },
            Step::Leave(node) => match element(&node) {
                Some(e) => self.leave(e.name()),
                None => Ok(()),
            },
        }
    }

    fn text_node(&mut self, text: &str) {
        if self.pre > 0 {
            let mut lines = text.split('\n');
            if let Some(first) = lines.next() {
                self.sink().text(first);
            }
            for line in lines {
                self.end_paragraph();
                self.sink().text(line);
            }
        } else {
            self.sink().text(text);
        }
    }

    /// Where text goes now: the open cell or caption, or the page text.
    fn sink(&mut self) -> &mut Paragraphs {
        match self.table.as_mut() {
            Some(t) => t.sink(),
            None => &mut self.flow,
        }
    }

    fn end_paragraph(&mut self) {
        self.sink().end();
        for p in self.flow.done.drain(..) {
            if self.text.len() < MAX_TEXT_PARAGRAPHS {
                self.text.push(p.clone());
            }
            if self.recent.len() == CAPTION_PARAGRAPHS {
                self.recent.pop_front();
            }
            self.recent.push_back(p);
        }
    }

    fn enter(&mut self, name: &str, e: &Element) -> Result<(), ReadError> {
        // Counted even when skipped, to stay in step with `classify_tables`.
        let kind = (name == "table").then(|| {
            self.next_table += 1;
            self.kinds.get(self.next_table - 1).copied()
        });
        if self.skip > 0 || skipped(name) {
            self.skip += 1;
            return Ok(());
        }
        if name == "pre" {
            self.pre += 1;
        }
        if kind == Some(Some(TableKind::Data)) && self.table.is_none() {
            self.end_paragraph();
            self.table = Some(TableReader::new(self.recent.drain(..).collect()));
            return Ok(());
        }
        if let Some(table) = self.table.as_mut() {
            return table.enter(name, e, &mut self.positions);
        }
        if !inline(name) {
            self.end_paragraph();
        }
        Ok(())
    }

    fn leave(&mut self, name: &str) -> Result<(), ReadError> {
        if self.skip > 0 {
            self.skip -= 1;
            return Ok(());
        }
        if name == "pre" {
            self.pre = self.pre.saturating_sub(1);
        }
        if let Some(table) = self.table.as_mut() {
            if name != "table" {
                return table.leave(name, &mut self.positions);
            }
            // A data table holds no table: this is its end.
            if let Some(table) = self.table.take() {
                let name = format!("表格 {}", self.tables.len() + 1);
                self.tables.push(table.finish(name, &mut self.positions)?);
            }
            return Ok(());
        }
        if !inline(name) {
            self.end_paragraph();
        }
        Ok(())
    }

    fn finish(mut self) -> Document {
        self.end_paragraph();
        Document {
            text: self.text,
            tables: self.tables,
        }
    }
}

fn too_large() -> ReadError {
    ReadError(format!(
        "The page's tables are too large to import (more than {MAX_POSITIONS} cells counting merged ones); save only the report's table and import that."
    ))
}

/// One data table being read.
struct TableReader {
    caption: Vec<String>,
    in_caption: Option<Paragraphs>,
    rows: Vec<Row>,
    trs: usize,
    row: Option<Row>,
    cell: Option<OpenCell>,
    /// Per column, how many rows below the current one a rowspan still covers
    /// (`u32::MAX`: to the end of the row group). No trailing zeros.
    below: Vec<u32>,
    /// Rowspans begun in the current row: (column, width, rows below).
    spans: Vec<(usize, usize, u32)>,
    /// Stray text (between cells); dropped.
    stray: Paragraphs,
}

struct OpenCell {
    colspan: usize,
    rowspan: u32,
    text: Paragraphs,
}

/// HTML's rules for parsing non-negative integers: leading blanks, an optional `+`,
/// digits up to the first non-digit (`2px` is 2); None without digits.
fn span(e: &Element, name: &str) -> Option<u64> {
    let s = e
        .attr(name)?
        .trim_start_matches([' ', '\t', '\n', '\r', '\u{c}']);
    let s = s.strip_prefix('+').unwrap_or(s);
    let digits = s.bytes().take_while(u8::is_ascii_digit);
    let mut any = false;
    let n = digits.fold(0u64, |n, d| {
        any = true;
        n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    });
    any.then_some(n)
}

/// One more position of the row, charged to the page's budget.
fn push(row: &mut Row, cell: Cell, positions: &mut usize) -> Result<(), ReadError> {
    *positions = positions.checked_sub(1).ok_or_else(too_large)?;
    row.cells.push(cell);
    Ok(())
}

impl TableReader {
    fn new(caption: Vec<String>) -> TableReader {
        TableReader {
            caption,
            in_caption: None,
            rows: Vec::new(),
            trs: 0,
            row: None,
            cell: None,
            below: Vec::new(),
            spans: Vec::new(),
            stray: Paragraphs::default(),
        }
    }

    fn sink(&mut self) -> &mut Paragraphs {
        if let Some(cell) = self.cell.as_mut() {
            &mut cell.text
        } else if let Some(caption) = self.in_caption.as_mut() {
            caption
        } else {
            self.stray.done.clear();
            &mut self.stray
        }
    }

    fn enter(&mut self, name: &str, e: &Element, positions: &mut usize) -> Result<(), ReadError> {
        match name {
            "tr" => {
                self.end_row(positions)?;
                self.trs += 1;
                self.row = Some(Row {
                    at: self.trs,
                    cells: Vec::new(),
                });
            }
            "td" | "th" => {
                self.end_cell(positions)?;
                self.cell = Some(OpenCell {
                    colspan: span(e, "colspan").unwrap_or(1).clamp(1, MAX_COLSPAN) as usize,
                    rowspan: span(e, "rowspan").map_or(1, |n| n.min(MAX_ROWSPAN) as u32),
                    text: Paragraphs::default(),
                });
            }
            "caption" => self.in_caption = Some(Paragraphs::default()),
            "thead" | "tbody" | "tfoot" => self.end_row_group(positions)?,
            _ if !inline(name) => self.sink().end(),
            _ => {}
        }
        Ok(())
    }

    fn leave(&mut self, name: &str, positions: &mut usize) -> Result<(), ReadError> {
        match name {
            "td" | "th" => self.end_cell(positions)?,
            "tr" => self.end_row(positions)?,
            "caption" => {
                if let Some(caption) = self.in_caption.take() {
                    self.caption.extend(caption.finish());
                }
            }
            "thead" | "tbody" | "tfoot" => self.end_row_group(positions)?,
            _ if !inline(name) => self.sink().end(),
            _ => {}
        }
        Ok(())
    }

    /// Places the open cell at the first position of its row not taken by a rowspan.
    fn end_cell(&mut self, positions: &mut usize) -> Result<(), ReadError> {
        let Some(cell) = self.cell.take() else {
            return Ok(());
        };
        let row = self.row.get_or_insert_with(|| {
            self.trs += 1;
            Row {
                at: self.trs,
                cells: Vec::new(),
            }
        });
        while self.below.get(row.cells.len()).is_some_and(|&n| n > 0) {
            push(row, Cell::covered(Merged::Above), positions)?;
        }
        let x = row.cells.len();
        push(row, Cell::text(cell.text.finish()), positions)?;
        for _ in 1..cell.colspan {
            push(row, Cell::covered(Merged::Left), positions)?;
        }
        if cell.rowspan != 1 {
            let rows = if cell.rowspan == 0 {
                u32::MAX
            } else {
                cell.rowspan - 1
            };
            self.spans.push((x, cell.colspan, rows));
        }
        Ok(())
    }

    /// Ends the row: positions right of its last cell still covered from above are filled
    /// in, then the rowspans move down one row.
    fn end_row(&mut self, positions: &mut usize) -> Result<(), ReadError> {
        self.end_cell(positions)?;
        let Some(mut row) = self.row.take() else {
            return Ok(());
        };
        while row.cells.len() < self.below.len() {
            let covered = self.below.get(row.cells.len()).is_some_and(|&n| n > 0);
            let cell = if covered {
                Cell::covered(Merged::Above)
            } else {
                Cell::default()
            };
            push(&mut row, cell, positions)?;
        }
        for n in &mut self.below {
            if *n != u32::MAX {
                *n = n.saturating_sub(1);
            }
        }
        for (x, width, rows) in self.spans.drain(..) {
            if self.below.len() < x + width {
                self.below.resize(x + width, 0);
            }
            for n in self.below.iter_mut().skip(x).take(width) {
                *n = rows;
            }
        }
        // Without trailing zeros, a finished rowspan costs later rows nothing.
        while self.below.last() == Some(&0) {
            self.below.pop();
        }
        self.rows.push(row);
        Ok(())
    }

    /// Rowspans end with their row group (`<thead>`, `<tbody>`, `<tfoot>`).
    fn end_row_group(&mut self, positions: &mut usize) -> Result<(), ReadError> {
        self.end_row(positions)?;
        self.below.clear();
        Ok(())
    }

    fn finish(mut self, name: String, positions: &mut usize) -> Result<Table, ReadError> {
        self.end_row(positions)?;
        if let Some(caption) = self.in_caption.take() {
            self.caption.extend(caption.finish());
        }
        Ok(Table {
            name,
            caption: self.caption,
            rows: self.rows,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn page(html: &str) -> Document {
        match read(html.as_bytes()) {
            Ok(doc) => doc,
            Err(e) => panic!("expected the page to be read, got: {e}"),
        }
    }

    #[test]
    fn a_table_drawn_with_divs_is_a_table() {
        let doc = page(
            r#"<div class="nav"><a>首页</a><a>政务公开</a></div>
<div class="tb">
  <div class="tr"><div>序号</div><div>工作任务</div><div>牵头单位</div><div>进展情况</div></div>
  <div class="sec">一、推动高质量发展</div>
  <div class="tr"><div>1</div><div>新增规上工业企业300家。</div><div>市工信局</div>
    <div><p>新增213家。</p><p>产值增长11.3%。</p></div></div>
  <div class="tr"><div>2</div><div>推进港口转型。</div><div>市交通运输局</div><div></div></div>
</div>"#,
        );
        let grid = doc.tables.last().expect("the div grid");
        assert_eq!(grid.rows.len(), 4);
        assert_eq!(grid.rows[1].cells[0].paragraphs, ["一、推动高质量发展"]);
        assert_eq!(grid.rows[1].cells[1].merged, Merged::Left);
        assert_eq!(
            grid.rows[2].cells[3].paragraphs,
            ["新增213家。", "产值增长11.3%。"]
        );
        // A menu of links is no grid.
        assert!(doc
            .tables
            .iter()
            .all(|t| t.rows.iter().all(|r| r.cells.len() == 4)));
    }

    fn texts(row: &Row) -> Vec<String> {
        row.cells.iter().map(|c| c.joined("|")).collect()
    }

    fn merged(row: &Row) -> Vec<Merged> {
        row.cells.iter().map(|c| c.merged).collect()
    }

    /// A report page as government sites publish it: a layout table around everything,
    /// the title and date above the data table, a section row spanning the table, a
    /// units cell shared by three tasks, progress in `<p>`s and `<br>`s.
    const REPORT: &str = r#"<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>芜湖市人民政府</title>
<style>td { color: red }</style><script>var x = "<table><tr><td>不是表格</td></tr></table>";</script></head>
<body>
<table class="layout"><tr><td>
  <div class="nav"><a href="/">首页</a> &gt; <a href="/xxgk">信息公开</a></div>
  <table><tr><td>
    <h1>2020年上半年重点工作任务
        进展情况</h1>
    <p align="center">(截至2020年6月30日)</p>
    <p>一、总体情况</p>
    <table border="1">
      <thead><tr><th>序号</th><th>目标与任务</th><th>工作进展</th><th>牵头责任单位</th><th>责任单位</th></tr></thead>
      <tbody>
      <tr><td colspan="5"><b>一、</b>生态环境</td></tr>
      <tr><td>1</td><td>治理大气污染</td>
          <td><p>一是完成监测点建设。</p><p>二是开展<span>专项</span>督查。</p></td>
          <td rowspan="3">市生态环境局</td><td>各县(市)区政府</td></tr>
      <tr><td>2</td><td>保护&nbsp;水源地</td><td>已完成。<br>正在验收。</td><td>市水务局</td></tr>
      <tr><td>3</td><td>整治土壤</td><td>推进中<!-- 批注 --></td><td>&nbsp;</td></tr>
      </tbody>
    </table>
    <p>附件:无</p>
  </td></tr></table>
</td></tr></table>
</body></html>"#;

    #[test]
    fn a_report_page_reads_as_its_data_table() {
        let doc = page(REPORT);
        assert_eq!(doc.tables.len(), 1, "only the innermost table is data");
        let t = &doc.tables[0];
        assert_eq!(t.name, "表格 1");
        assert_eq!(
            t.caption,
            [
                "2020年上半年重点工作任务进展情况",
                "(截至2020年6月30日)",
                "一、总体情况"
            ]
        );
        let at: Vec<usize> = t.rows.iter().map(|r| r.at).collect();
        assert_eq!(at, [1, 2, 3, 4, 5]);
        assert_eq!(
            texts(&t.rows[0]),
            ["序号", "目标与任务", "工作进展", "牵头责任单位", "责任单位"]
        );
        // The section row spans the table.
        assert_eq!(texts(&t.rows[1])[0], "一、生态环境");
        assert_eq!(merged(&t.rows[1])[1..], [Merged::Left; 4]);
        // Progress paragraphs from <p> and <br>; inline <span> stays in its paragraph.
        let first = &t.rows[2];
        assert_eq!(
            first.cells[2].paragraphs,
            ["一是完成监测点建设。", "二是开展专项督查。"]
        );
        assert_eq!(t.rows[3].cells[2].paragraphs, ["已完成。", "正在验收。"]);
        assert_eq!(texts(&t.rows[3])[1], "保护 水源地");
        // The lead unit is shared by rows 3–5: the later rows' cells shift right of it.
        assert_eq!(first.cells[3].paragraphs, ["市生态环境局"]);
        for row in &t.rows[3..5] {
            assert_eq!(row.cells[3], Cell::covered(Merged::Above));
            assert_eq!(row.cells.len(), 5);
        }
        assert_eq!(t.rows[3].cells[4].paragraphs, ["市水务局"]);
        assert_eq!(texts(&t.rows[4])[2..], ["推进中", "", ""]);
        // Page text: title, navigation, headings; no script, style or table cells.
        assert_eq!(
            doc.text,
            [
                "芜湖市人民政府",
                "首页 > 信息公开",
                "2020年上半年重点工作任务进展情况",
                "(截至2020年6月30日)",
                "一、总体情况",
                "附件:无"
            ]
        );
    }

    #[test]
    fn a_gbk_page_declared_gb2312_is_decoded() {
        let html = REPORT.replace(
            r#"<meta charset="utf-8">"#,
            r#"<meta http-equiv="Content-Type" content="text/html; charset=gb2312">"#,
        );
        let (bytes, _, unmappable) = encoding_rs::GBK.encode(&html);
        assert!(!unmappable);
        let doc = read(&bytes).unwrap_or_default();
        assert_eq!(doc.tables.len(), 1);
        assert_eq!(doc.tables[0].rows[2].cells[3].paragraphs, ["市生态环境局"]);
        // Without a declaration the text importer's detection finds GB18030 as well.
        let bare = html.replace("charset=gb2312", "");
        let (bytes, _, _) = encoding_rs::GBK.encode(&bare);
        let doc = read(&bytes).unwrap_or_default();
        assert_eq!(
            doc.tables.first().map(|t| t.rows[2].cells[1].joined("")),
            Some("治理大气污染".into())
        );
    }

    #[test]
    fn boms_and_declarations_decide_the_charset() {
        let html = "<p>进展情况</p>";
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(html.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(
            read(&utf16).map(|d| d.text).ok(),
            Some(vec!["进展情况".to_string()])
        );
        // A declaration of a legacy charset loses to text that is plainly UTF-8.
        let mislabelled = format!(r#"<meta charset="gbk">{html}"#);
        assert_eq!(page(&mislabelled).text, ["进展情况"]);
        assert_eq!(
            declared(b"<META CHARSET = 'GB2312' />"),
            Some(encoding_rs::GB18030)
        );
        assert_eq!(
            declared(br#"<?xml version="1.0" encoding="GBK"?>"#),
            Some(encoding_rs::GB18030)
        );
        assert_eq!(declared(b"<meta charset=big5>"), Some(encoding_rs::BIG5));
        assert_eq!(declared(b"<meta charset=utf-16>"), Some(encoding_rs::UTF_8));
        assert_eq!(declared(b"<meta name=x>"), None);
    }

    #[test]
    fn whitespace_collapses_but_not_between_chinese_characters() {
        let doc = page(
            "<p>  推进\n   城市更新，\r\n\t“十四五” \n 规划 </p><p>Hello \n  world&nbsp;&nbsp;2020年 </p>\
             <p>市发改委&nbsp; 市财政局</p>",
        );
        assert_eq!(
            doc.text,
            [
                "推进城市更新，“十四五”规划",
                "Hello world 2020年",
                "市发改委 市财政局"
            ]
        );
    }

    #[test]
    fn header_cells_and_rowspan_to_the_end_of_the_group() {
        let doc = page(
            "<table><tr><th rowspan=0>市发改委</th><th>A</th></tr><tr><td>B</td></tr><tr><td>C</td><td>D</td></tr>\
             <tbody><tr><td>E</td><td>F</td></tr></tbody></table>",
        );
        let rows = &doc.tables[0].rows;
        assert_eq!(texts(&rows[0]), ["市发改委", "A"]);
        assert_eq!(merged(&rows[1]), [Merged::Above, Merged::No]);
        assert_eq!(texts(&rows[2]), ["", "C", "D"]);
        // A new row group ends the rowspan.
        assert_eq!(texts(&rows[3]), ["E", "F"]);
        assert_eq!(merged(&rows[3]), [Merged::No, Merged::No]);
    }

    #[test]
    fn a_block_spanning_both_ways_is_above_below_its_first_row() {
        let doc = page(
            "<table><tr><td colspan=2 rowspan=2>X</td><td>a</td></tr><tr><td>b</td></tr><tr><td>c</td><td>d</td><td>e</td></tr></table>",
        );
        let rows = &doc.tables[0].rows;
        assert_eq!(merged(&rows[0]), [Merged::No, Merged::Left, Merged::No]);
        assert_eq!(merged(&rows[1]), [Merged::Above, Merged::Above, Merged::No]);
        assert_eq!(texts(&rows[1])[2], "b");
        assert_eq!(texts(&rows[2]), ["c", "d", "e"]);
    }

    #[test]
    fn a_page_without_tables_keeps_all_its_text() {
        let doc = page(
            "<html><body><h2>2020年上半年重点工作任务进展情况</h2><div>1.推进城市更新。<br>进展情况:已完成。</div>\
             <ul><li>牵头责任单位:市住建局</li></ul><table><tr><td>一栏的版式表格</td></tr></table></body></html>",
        );
        assert!(doc.tables.is_empty());
        assert_eq!(
            doc.text,
            [
                "2020年上半年重点工作任务进展情况",
                "1.推进城市更新。",
                "进展情况:已完成。",
                "牵头责任单位:市住建局",
                "一栏的版式表格"
            ]
        );
    }

    #[test]
    fn sloppy_pages_are_not_mistaken_for_deep_ones() {
        // Unclosed <font>, <b>, <p>, <li>, <td>, <a> by the thousand: the parser closes them.
        let cells = "<tr><td><font color=red><b>1<td><a href=#>x<a href=#>y".repeat(3_000);
        let paragraphs = "<p><font size=3>段落<b>加粗".repeat(3_000);
        let items = "<li><span>条目</span>".repeat(3_000);
        let options = "<option>市发改委".repeat(3_000);
        let svg = format!("<svg>{}</svg>", "<path d='M0 0'/>".repeat(3_000));
        let script = format!("<script>{}</script>", "<div>".repeat(3_000));
        let html = format!(
            "<html><body><table>{cells}</table>{paragraphs}<ul>{items}</ul><select>{options}</select>{svg}{script}<!-- {} --></body></html>",
            "<div>".repeat(3_000)
        );
        assert!(
            open_depth(html.as_bytes(), MAX_DEPTH) < 20,
            "{}",
            open_depth(html.as_bytes(), MAX_DEPTH)
        );
        let doc = page(&html);
        assert_eq!(doc.tables[0].rows.len(), 3_000);
        assert!(open_depth(REPORT.as_bytes(), MAX_DEPTH) < 20);
    }

    #[test]
    fn malformed_html_still_reads() {
        let doc = page("<table><tr><td>序号<td>目标<tr><td>1<td><p>推进<p>落实</table><p>后记");
        let rows = &doc.tables[0].rows;
        assert_eq!(texts(&rows[0]), ["序号", "目标"]);
        assert_eq!(rows[1].cells[1].paragraphs, ["推进", "落实"]);
        assert_eq!(doc.text, ["后记"]);
    }

    #[test]
    fn captions_are_the_paragraphs_since_the_previous_table() {
        let doc = page(
            "<p>a</p><p>b</p><p>c</p><p>d</p><table><caption>表一</caption><tr><td>1</td><td>2</td></tr></table>\
             <table><tr><td>3</td><td>4</td></tr></table><p>e</p><table><tr><td>5</td><td>6</td></tr></table>",
        );
        let captions: Vec<&[String]> = doc.tables.iter().map(|t| t.caption.as_slice()).collect();
        assert_eq!(captions, [&["b", "c", "d", "表一"][..], &[], &["e"]]);
        let names: Vec<&str> = doc.tables.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["表格 1", "表格 2", "表格 3"]);
    }

    #[test]
    fn bytes_that_are_not_a_page() {
        let png = read(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0")
            .err()
            .map(|e| e.0);
        assert!(png.is_some_and(|m| m.contains("not a web page") && m.contains("PNG")));
        let controls = read(&[1u8, 2, 3, 4, 5, 6, 7, 8, 11, 14, 15, 16, 17, 18, b'a'].repeat(50));
        assert!(controls.is_err());
        assert!(read(b"").is_err());
        // Plain text is a page without tables.
        assert_eq!(page("序号 目标与任务").text, ["序号 目标与任务"]);
    }

    #[test]
    fn hostile_pages_are_bounded() {
        // Deep nesting: refused before the parser spends minutes on it; below the limit,
        // no recursion to overflow.
        let deep =
            |n: usize, open: &str, close: &str| format!("{}x{}", open.repeat(n), close.repeat(n));
        let e = read(deep(100_000, "<div>", "</div>").as_bytes())
            .err()
            .map(|e| e.0);
        assert!(e.is_some_and(|m| m.contains("more than 1000 deep")));
        assert!(read(deep(1_000, "<ul><li>", "").as_bytes()).is_err());
        assert!(read(deep(2_000, "<font>", "").as_bytes()).is_err());
        assert_eq!(page(&deep(450, "<div><span>", "</span></div>")).text, ["x"]);
        // Huge spans: clamped, and the grid budget refuses what is left.
        let wide = "<table><tr><td colspan=99999999 rowspan=99999999>x</td><td>y</td></tr></table>";
        assert_eq!(page(wide).tables[0].rows[0].cells.len(), 1001);
        let rows = "<tr></tr>".repeat(6_000);
        let tall =
            format!("<table><tr><td colspan=1000 rowspan=0>x</td><td>y</td></tr>{rows}</table>");
        let e = read(tall.as_bytes()).err().map(|e| e.0);
        assert!(e.is_some_and(|m| m.contains("too large")));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let _ = read(&bytes);
        }

        #[test]
        fn arbitrary_tables_never_panic(
            html in r#"(<(table|tr|td|th|tbody|p|br|div|caption)( (colspan|rowspan)="?[0-9+ ]{0,4}"?)?>|</(table|tr|td|tbody|p|div)>|[a-z中文 ]{0,4}|&nbsp;)*"#
        ) {
            let doc = read(html.as_bytes());
            prop_assert!(html.is_empty() || doc.is_ok());
        }
    }
}
