//! .ods (OpenDocument spreadsheets): content.xml streamed with quick-xml, because calamine
//! expands `.ods` repeats into up to 100 million cells and does not report merged ranges.

use super::*;

pub(super) fn read_ods(zip: &mut Zip) -> Result<Document, ReadError> {
    if read_small_part(zip, "meta-inf/manifest.xml").is_some_and(|m| m.contains("encryption-data"))
    {
        return Err(password());
    }
    let name = find_part(zip, "content.xml").ok_or_else(|| damaged("content.xml is missing"))?;
    let file = zip
        .by_name(&name)
        .map_err(|e| damaged(&format!("content.xml cannot be opened: {e}")))?;
    let mut xml = quick_xml::Reader::from_reader(BufReader::new(file.take(MAX_PART_BYTES)));
    xml.config_mut().check_end_names = false;
    let mut ods = OdsReader::default();
    let mut budget = Budget::new();
    let mut buf = Vec::new();
    loop {
        let event = xml
            .read_event_into(&mut buf)
            .map_err(|e| damaged(&format!("content.xml is not well-formed: {e}")))?;
        if matches!(event, Event::Eof) {
            break;
        }
        ods.event(event, &mut budget)?;
        buf.clear();
    }
    Ok(Document {
        text: Vec::new(),
        tables: ods.tables,
    })
}

#[derive(Default)]
struct OdsReader {
    /// Table styles with `table:display="false"`: hidden sheets.
    hidden_styles: Vec<String>,
    style: Option<String>,
    sheet: Option<OdsSheet>,
    tables: Vec<Table>,
}

struct OdsSheet {
    builder: SheetBuilder,
    hidden: bool,
    row: u32,
    row_repeat: u32,
    col: u32,
    /// Depth inside tables nested in a cell (sub-tables), whose content is skipped.
    nested: u32,
    cell: Option<OdsCell>,
}

struct OdsCell {
    col_repeat: u32,
    span: (u32, u32),
    covered: bool,
    /// The typed value (`office:value`…), preferred over the displayed text.
    value: Option<String>,
    paragraphs: Vec<String>,
    current: Option<String>,
    /// Depth inside an `office:annotation` (a comment), whose text is not the cell's.
    annotation: u32,
}

fn attr(e: &BytesStart, name: &str) -> Option<String> {
    e.try_get_attribute(name).ok().flatten().and_then(|a| {
        a.decode_and_unescape_value(e.decoder())
            .ok()
            .map(|v| v.into_owned())
    })
}

fn count_attr(e: &BytesStart, name: &str) -> u32 {
    attr(e, name)
        .and_then(|v| v.trim().parse::<u32>().ok())
        .unwrap_or(1)
        .max(1)
}

impl OdsReader {
    fn event(&mut self, event: Event, budget: &mut Budget) -> Result<(), ReadError> {
        match event {
            Event::Start(e) => {
                self.open(&e);
                Ok(())
            }
            Event::Empty(e) => {
                self.open(&e);
                self.close(e.name().as_ref(), budget)
            }
            Event::End(e) => self.close(e.name().as_ref(), budget),
            Event::Text(t) => {
                self.text(&t.xml_content().unwrap_or_default());
                Ok(())
            }
            Event::CData(t) => {
                self.text(&t.decode().unwrap_or_default());
                Ok(())
            }
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c.to_string()),
                    _ => r.decode().ok().and_then(|n| {
                        quick_xml::escape::resolve_xml_entity(&n).map(str::to_string)
                    }),
                };
                if let Some(c) = c {
                    self.text(&c);
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn open(&mut self, e: &BytesStart) {
        let name = e.name();
        let name = name.as_ref();
        let Some(sheet) = self.sheet.as_mut() else {
            match name {
                b"style:style" => self.style = attr(e, "style:name"),
                b"style:table-properties"
                    if attr(e, "table:display").as_deref() == Some("false") =>
                {
                    self.hidden_styles.extend(self.style.clone());
                }
                b"table:table" => {
                    let style = attr(e, "table:style-name");
                    self.sheet = Some(OdsSheet {
                        builder: SheetBuilder::new(&attr(e, "table:name").unwrap_or_default()),
                        hidden: style.is_some_and(|s| self.hidden_styles.contains(&s)),
                        row: 0,
                        row_repeat: 1,
                        col: 0,
                        nested: 0,
                        cell: None,
                    });
                }
                _ => {}
            }
            return;
        };
        if name == b"table:table" {
            sheet.nested += 1;
            return;
        }
        if sheet.nested > 0 {
            return;
        }
        if let Some(cell) = sheet.cell.as_mut() {
            cell.open(name, e);
            return;
        }
        match name {
            b"table:table-row" => {
                sheet.row_repeat = count_attr(e, "table:number-rows-repeated");
                sheet.col = 0;
            }
            b"table:table-cell" | b"table:covered-table-cell" => {
                sheet.cell = Some(OdsCell {
                    col_repeat: count_attr(e, "table:number-columns-repeated"),
                    span: (
                        count_attr(e, "table:number-rows-spanned"),
                        count_attr(e, "table:number-columns-spanned"),
                    ),
                    covered: name == b"table:covered-table-cell",
                    value: ods_value(e),
                    paragraphs: Vec::new(),
                    current: None,
                    annotation: 0,
                });
            }
            _ => {}
        }
    }

    fn close(&mut self, name: &[u8], budget: &mut Budget) -> Result<(), ReadError> {
        let Some(sheet) = self.sheet.as_mut() else {
            if name == b"style:style" {
                self.style = None;
            }
            return Ok(());
        };
        if name == b"table:table" {
            if sheet.nested > 0 {
                sheet.nested -= 1;
                return Ok(());
            }
            if let Some(sheet) = self.sheet.take() {
                if !sheet.hidden {
                    self.tables.push(sheet.builder.finish(budget)?);
                }
            }
            return Ok(());
        }
        if sheet.nested > 0 {
            return Ok(());
        }
        match name {
            b"table:table-cell" | b"table:covered-table-cell" => {
                if let Some(cell) = sheet.cell.take() {
                    sheet.place(cell, budget)?;
                }
            }
            b"table:table-row" if sheet.cell.is_none() => {
                sheet.row = sheet.row.saturating_add(sheet.row_repeat);
                sheet.row_repeat = 1;
            }
            _ => {
                if let Some(cell) = sheet.cell.as_mut() {
                    cell.close(name);
                }
            }
        }
        Ok(())
    }

    fn text(&mut self, text: &str) {
        if let Some(sheet) = self.sheet.as_mut().filter(|s| s.nested == 0) {
            if let Some(cell) = sheet.cell.as_mut() {
                cell.push(text);
            }
        }
    }
}

/// The typed value of an .ods cell, written the way calamine writes xlsx values.
fn ods_value(e: &BytesStart) -> Option<String> {
    let kind = attr(e, "office:value-type")?;
    match kind.as_str() {
        "float" | "percentage" | "currency" => attr(e, "office:value")
            .and_then(|v| v.trim().parse::<f64>().ok())
            .map(number),
        "date" => attr(e, "office:date-value").map(|v| iso_date(&v)),
        "time" => attr(e, "office:time-value").map(|v| iso_duration(&v)),
        "boolean" => attr(e, "office:boolean-value")
            .map(|v| if v.trim() == "true" { "TRUE" } else { "FALSE" }.to_string()),
        _ => attr(e, "office:string-value"),
    }
}

impl OdsCell {
    fn open(&mut self, name: &[u8], e: &BytesStart) {
        match name {
            b"office:annotation" => self.annotation += 1,
            _ if self.annotation > 0 => {}
            b"text:p" | b"text:h" => self.current = Some(String::new()),
            // Alt+Enter in LibreOffice makes a new paragraph; a line break counts the same.
            b"text:line-break" => self.end_paragraph(true),
            b"text:s" => {
                let n = count_attr(e, "text:c").min(100) as usize;
                self.push(&" ".repeat(n));
            }
            b"text:tab" => self.push(" "),
            _ => {}
        }
    }

    fn close(&mut self, name: &[u8]) {
        match name {
            b"office:annotation" => self.annotation = self.annotation.saturating_sub(1),
            _ if self.annotation > 0 => {}
            b"text:p" | b"text:h" => self.end_paragraph(false),
            _ => {}
        }
    }

    fn push(&mut self, text: &str) {
        if self.annotation > 0 {
            return;
        }
        if let Some(current) = self.current.as_mut() {
            current.push_str(text);
        }
    }

    fn end_paragraph(&mut self, reopen: bool) {
        if let Some(p) = self.current.take() {
            self.paragraphs.extend(split_lines(&p));
        }
        if reopen {
            self.current = Some(String::new());
        }
    }
}

impl OdsSheet {
    /// Puts a finished cell (repeated across and down as the file says) into the grid.
    fn place(&mut self, mut cell: OdsCell, budget: &mut Budget) -> Result<(), ReadError> {
        cell.end_paragraph(false);
        let col = self.col;
        self.col = self.col.saturating_add(cell.col_repeat);
        if cell.covered {
            return Ok(());
        }
        let paragraphs = match cell.value.take() {
            Some(v) => split_lines(&v),
            None => std::mem::take(&mut cell.paragraphs),
        };
        let (rows, cols) = cell.span;
        if paragraphs.is_empty() && rows == 1 && cols == 1 {
            // Empty cells, however many repeats: nothing to place, nothing to spend.
            return Ok(());
        }
        for r in self.row..self.row.saturating_add(self.row_repeat) {
            for c in col..col.saturating_add(cell.col_repeat) {
                let text = paragraphs.join("\n");
                self.builder.cell((r, c), Value::Text(&text), budget)?;
                // A merged empty cell repeated many times: the merges budget bounds the loop.
                if rows > 1 || cols > 1 {
                    let end = (r.saturating_add(rows - 1), c.saturating_add(cols - 1));
                    self.builder.merge(Dimensions::new((r, c), end), budget)?;
                }
            }
        }
        Ok(())
    }
}
