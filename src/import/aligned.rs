//! Text tables whose columns are lined up with spaces (a table "drawn" in a .txt file, or
//! printed from an office system): cells are separated by two or more spaces (ASCII or
//! full-width), and each cell belongs to the header column it starts under — so an empty
//! cell is known by its place, not lost.

use super::columns;
use super::headers::Column;
use super::layout;
use super::table::{Cell, Document, Row, Table};
use unicode_width::UnicodeWidthStr;

/// How many lines from the top the header may be found.
const HEADER_SEARCH_LINES: usize = 30;

/// How far (in display columns) a cell may start left of its header cell: headers are
/// sometimes centred over their column.
const SLACK: usize = 2;

/// A line's cells, each with the display column it starts at.
fn chunks(line: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut col = 0usize;
    let mut cell = String::new();
    let mut cell_at = 0usize;
    let mut gap = 0usize;
    for c in line.chars() {
        let w = if c == '\u{3000}' {
            2
        } else {
            UnicodeWidthStr::width(c.encode_utf8(&mut [0u8; 4]) as &str)
        };
        if c == ' ' || c == '\u{3000}' {
            gap += if c == ' ' { 1 } else { 2 };
        } else {
            // Two spaces' width of blank (one full-width space counts as two) end a cell.
            if gap >= 2 && !cell.is_empty() {
                out.push((cell_at, std::mem::take(&mut cell)));
            } else if gap > 0 && !cell.is_empty() {
                cell.push(' ');
            }
            if cell.is_empty() {
                cell_at = col;
            }
            gap = 0;
            cell.push(c);
        }
        col += w;
    }
    if !cell.is_empty() {
        out.push((cell_at, cell));
    }
    out
}

/// The header line's index, its columns' start positions and its cells.
fn find_header(lines: &[&str]) -> Option<(usize, Vec<usize>, Vec<String>)> {
    lines
        .iter()
        .take(HEADER_SEARCH_LINES)
        .enumerate()
        .find_map(|(i, l)| {
            // Pipe and box tables have their own reader.
            if l.contains(['|', '｜', '│', '┃', '\t']) {
                return None;
            }
            let cells = chunks(l);
            let names: Vec<&str> = cells.iter().map(|(_, t)| t.as_str()).collect();
            (cells.len() >= 3 && columns::names_columns(&names)).then(|| {
                (
                    i,
                    cells.iter().map(|(at, _)| *at).collect(),
                    cells.iter().map(|(_, t)| t.clone()).collect(),
                )
            })
        })
}

/// The text as a table, when one of its first lines is a header whose column names are
/// separated by runs of spaces. Lines above the header are one-cell title rows.
pub fn read(text: &str) -> Option<Document> {
    // A form feed is a page break (`pdftotext` writes one before each page).
    let lines: Vec<&str> = text
        .lines()
        .map(|l| l.trim_end_matches('\r').trim_start_matches('\u{c}'))
        .collect();
    let (header_at, starts, header) = find_header(&lines)?;
    // A table, not a header line over one cell per line: most lines under the header hold
    // several cells.
    let body: Vec<usize> = lines[header_at + 1..]
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| chunks(l).len())
        .collect();
    if body.iter().filter(|n| **n >= 2).count() * 2 < body.len() {
        return None;
    }
    // With a 序号 column first, a line without a number carries on the row above: cells
    // wrapped at the column's width (`pdftotext -layout` and the like).
    let numbered = matches!(
        header.first().and_then(|h| layout::header_column_of(h)),
        Some(Column::Number)
    );
    let mut rows: Vec<Row> = Vec::with_capacity(lines.len());
    // The row being gathered: where it starts and each column's pieces.
    let mut open: Option<(usize, Vec<Vec<String>>)> = None;
    let close = |open: &mut Option<(usize, Vec<Vec<String>>)>, rows: &mut Vec<Row>| {
        if let Some((at, pieces)) = open.take() {
            rows.push(Row {
                at,
                cells: pieces.iter().map(|p| Cell::text(join_pieces(p))).collect(),
            });
        }
    };
    for (i, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let at = i + 1;
        if i < header_at {
            rows.push(Row {
                at,
                cells: vec![Cell::text([line.trim()])],
            });
            continue;
        }
        let line_chunks = chunks(line);
        // The header repeated after a page break.
        if i > header_at && line_chunks.iter().map(|(_, t)| t).eq(header.iter()) {
            continue;
        }
        let mut cells: Vec<Vec<String>> = vec![Vec::new(); starts.len()];
        for (pos, text) in line_chunks {
            let column = starts.iter().rposition(|s| *s <= pos + SLACK).unwrap_or(0);
            cells[column].push(text);
        }
        let carries_on = numbered && i > header_at && cells[0].is_empty();
        match open.as_mut() {
            Some((_, pieces)) if carries_on => {
                for (column, more) in cells.into_iter().enumerate() {
                    pieces[column].extend(more);
                }
            }
            _ => {
                close(&mut open, &mut rows);
                open = Some((at, cells));
            }
        }
    }
    close(&mut open, &mut rows);
    Some(Document {
        text: Vec::new(),
        tables: vec![Table {
            name: "table".into(),
            caption: Vec::new(),
            rows,
        }],
    })
}

/// A cell's pieces, one per line, as its paragraphs: a piece carries on the text before it
/// (wrapped at the column's width: nothing between Chinese, a space between Latin words)
/// unless it starts a numbered sub-item (`2.`, `(2)`, `二是`).
fn join_pieces(pieces: &[String]) -> Vec<String> {
    let mut paragraphs: Vec<String> = Vec::new();
    for piece in pieces {
        let starts_item = layout::number_prefix(piece).is_some()
            || layout::regex!(r"^(?:[(\x{FF08}][一二三四五六七八九十]{1,3}[)\x{FF09}]|[一二三四五六七八九十]{1,3}是)").is_match(piece);
        match paragraphs.last_mut() {
            Some(last) if !starts_item => {
                let ascii = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
                if ascii(last.chars().next_back()) && ascii(piece.chars().next()) {
                    last.push(' ');
                }
                last.push_str(piece);
            }
            _ => paragraphs.push(piece.clone()),
        }
    }
    paragraphs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_belong_to_the_column_they_start_under() {
        let text = "石家庄市2023年一季度重点工作\n\
序号　　重点工作任务　　　　　　牵头单位　　　　配合单位　　　　进展情况\n\
1　　　　改造老旧小区500个。　　市住建局　　　　市财政局　　　　已开工186个。\n\
2　　　　推进地铁建设。　　　　　轨道交通集团　　　　　　　　　　正常推进\n";
        let doc = read(text).expect("a table");
        let rows = &doc.tables[0].rows;
        assert_eq!(
            rows[0].cells[0].paragraphs,
            ["石家庄市2023年一季度重点工作"]
        );
        let texts = |r: &Row| -> Vec<String> { r.cells.iter().map(|c| c.joined("")).collect() };
        assert_eq!(
            texts(&rows[2]),
            [
                "1",
                "改造老旧小区500个。",
                "市住建局",
                "市财政局",
                "已开工186个。"
            ]
        );
        // The empty 配合单位 cell is known by where 正常推进 starts.
        assert_eq!(
            texts(&rows[3]),
            ["2", "推进地铁建设。", "轨道交通集团", "", "正常推进"]
        );
    }

    #[test]
    fn single_spaces_stay_inside_a_cell_and_pipes_are_left_to_the_pipe_reader() {
        assert_eq!(
            chunks("1  建设 5G 基站  市经信局"),
            [
                (0, "1".to_string()),
                (3, "建设 5G 基站".to_string()),
                (17, "市经信局".to_string())
            ]
        );
        assert!(read("序号 | 目标与任务 | 牵头单位 | 进展\n").is_none());
        assert!(read("1.推进垃圾分类。市城管局\n").is_none());
        // A header on one line over one cell per line is the cells layout's.
        assert!(read(
            "序号  目标与任务  牵头单位  进展情况\n1\n推进垃圾分类。\n市城管局\n完成32个。\n"
        )
        .is_none());
    }
}
