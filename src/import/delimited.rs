//! Text that is a table of delimited cells: CSV (duban's own export, spreadsheets saved as
//! CSV) and tab-separated cells (a table copied out of Excel or WPS and pasted into a text
//! file). Quoted cells may hold line breaks, which are paragraph breaks.

use super::columns;
use super::table::{Cell, Document, Row, Table};

/// How many lines from the top a header row may be found (title lines above it).
const HEADER_SEARCH_LINES: usize = 30;

/// The text as a table, when one of its first lines is a delimited header row naming a
/// task table's columns (at least three cells). Lines above the header are kept as
/// one-cell rows, so the column step sees them as title rows.
pub fn read(text: &str) -> Option<Document> {
    let (header_at, offset, delimiter) = find_header(text)?;
    let mut rows: Vec<Row> = text[..offset]
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| Row {
            at: i + 1,
            cells: vec![Cell::text([l])],
        })
        .collect();
    let body = &text[offset..];
    if delimiter == b'\t' && !body.contains('"') {
        rows.extend(unquoted_tab_rows(body, header_at));
        return Some(document(rows));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(&text.as_bytes()[offset..]);
    let mut record = csv::StringRecord::new();
    loop {
        let at = header_at + reader.position().line() as usize;
        match reader.read_record(&mut record) {
            Ok(true) => rows.push(Row {
                at,
                cells: record
                    .iter()
                    .map(|field| Cell::text(unwrap_text_formula(field).lines()))
                    .collect(),
            }),
            Ok(false) => break,
            // A broken quote in the middle: what came before is still a table; the rest
            // is lost to this reader, so the text layouts get their turn instead.
            Err(_) => return None,
        }
    }
    Some(document(rows))
}

fn document(rows: Vec<Row>) -> Document {
    Document {
        text: Vec::new(),
        tables: vec![Table {
            name: "table".to_string(),
            caption: Vec::new(),
            rows,
        }],
    }
}

/// Tab-separated rows whose cells may hold line breaks without quotes (a table copied out
/// of a browser or Word): a line with fewer cells than the header carries on into the next
/// line — its last cell and the next line's first cell are one cell, a paragraph apart —
/// until the row has its cells. A line starting with a row number, or a heading line, starts
/// a row of its own. Blank lines inside a cell are no paragraphs.
fn unquoted_tab_rows(body: &str, header_at: usize) -> Vec<Row> {
    let mut lines = body.lines().enumerate();
    let width = lines
        .next()
        .map_or(0, |(_, header)| header.split('\t').count());
    let mut rows: Vec<Row> = Vec::new();
    let mut open: Option<(usize, Vec<String>)> = None;
    let finish = |open: &mut Option<(usize, Vec<String>)>, rows: &mut Vec<Row>| {
        if let Some((at, fields)) = open.take() {
            rows.push(Row {
                at,
                cells: fields
                    .iter()
                    .map(|f| Cell::text(unwrap_text_formula(f).lines()))
                    .collect(),
            });
        }
    };
    // The header row itself.
    if let Some(first) = body.lines().next() {
        rows.push(Row {
            at: header_at + 1,
            cells: first.split('\t').map(|f| Cell::text([f])).collect(),
        });
    }
    for (i, line) in lines {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let starts_row = columns::row_number(fields[0]).is_some()
            || (fields.len() == 1 && super::layout::is_heading(line));
        match open.as_mut() {
            Some((_, current)) if current.len() < width && !starts_row => {
                if let Some(last) = current.last_mut() {
                    last.push('\n');
                    last.push_str(fields[0]);
                }
                current.extend(fields[1..].iter().map(|f| f.to_string()));
            }
            _ => {
                finish(&mut open, &mut rows);
                open = Some((
                    header_at + i + 1,
                    fields.iter().map(|f| f.to_string()).collect(),
                ));
            }
        }
    }
    finish(&mut open, &mut rows);
    rows
}

/// `="0012"`: how office systems export a value Excel must show as text (keeping leading
/// zeros, numbers as numbers): the value inside.
fn unwrap_text_formula(field: &str) -> &str {
    field
        .strip_prefix("=\"")
        .and_then(|f| f.strip_suffix('"'))
        .unwrap_or(field)
}

/// The header line (its 0-based line index and byte offset) and the delimiter.
fn find_header(text: &str) -> Option<(usize, usize, u8)> {
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if i >= HEADER_SEARCH_LINES {
            break;
        }
        for delimiter in [b'\t', b','] {
            if !line.as_bytes().contains(&delimiter) {
                continue;
            }
            // A cheap split first: a header's cells hold no quotes or delimiters, and most
            // lines with commas are prose.
            let naive: Vec<&str> = line
                .split(delimiter as char)
                .map(|c| c.trim().trim_matches('"'))
                .collect();
            if naive.len() < 3 || !columns::names_columns(&naive) {
                continue;
            }
            let cells = split_line(line, delimiter);
            if cells.len() >= 3 && columns::names_columns(&cells) {
                return Some((i, offset, delimiter));
            }
        }
        offset += line.len();
    }
    None
}

/// The cells of one line.
fn split_line(line: &str, delimiter: u8) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(line.as_bytes());
    let mut record = csv::StringRecord::new();
    match reader.read_record(&mut record) {
        Ok(true) => record.iter().map(|c| c.trim().to_string()).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_header_under_a_title_starts_the_table() {
        let text = "2021年一季度重点工作\n序号,目标任务,牵头单位,进展情况\n1,\"推进垃圾分类。\",市城管局,\"一是…\n二是…\"\n";
        let doc = read(text).expect("a table");
        let rows = &doc.tables[0].rows;
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].cells[0].paragraphs, ["2021年一季度重点工作"]);
        assert_eq!(rows[1].at, 2);
        assert_eq!(rows[2].at, 3);
        assert_eq!(rows[2].cells[3].paragraphs, ["一是…", "二是…"]);
    }

    #[test]
    fn tab_separated_cells_pasted_from_a_spreadsheet() {
        let text = "序号\t工作任务\t责任单位\t完成情况\n1\t推进老旧小区改造\t市住建局\t完成32个\n";
        let doc = read(text).expect("a table");
        assert_eq!(doc.tables[0].rows[1].cells[2].paragraphs, ["市住建局"]);
    }

    #[test]
    fn cells_exported_as_text_formulas_are_their_values() {
        let text = "序号,工作任务,牵头单位,进展情况\n=\"1\",推进垃圾分类,市城管局,=\"0.5\"\n";
        let doc = read(text).expect("a table");
        assert_eq!(doc.tables[0].rows[1].cells[0].paragraphs, ["1"]);
        assert_eq!(doc.tables[0].rows[1].cells[3].paragraphs, ["0.5"]);
    }

    #[test]
    fn prose_with_commas_is_no_table() {
        assert!(read("1.推进垃圾分类,完成率64%,市城管局,各县区政府\n").is_none());
        assert!(read("序号目标与任务工作进展牵头责任单位责任单位\n1.\u{a0}扎实…\n").is_none());
    }
}
