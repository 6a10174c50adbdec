//! Reads a Word `.docx` (WPS saves the same format) into a [`Document`]: the paragraphs
//! outside tables, and every top-level table with its merged cells spread out on the grid.
//!
//! A `.docx` is a zip of XML parts; the text is in the main document part (`word/document.xml`
//! unless `_rels/.rels` says otherwise). Elements are matched by local name only, so Strict
//! OOXML (other namespace URIs, other prefixes) reads the same as the usual Transitional form.
//! The XML is walked as a flat event stream with an explicit stack of open elements, so a
//! deeply nested file costs memory in proportion to its size and never recursion.

use std::borrow::Cow;
use std::io::{Cursor, Read};

use quick_xml::encoding::Decoder;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::Reader;
use zip::ZipArchive;

use super::table::{Cell, Document, Merged, ReadError, Row, Table, MAX_PART_BYTES};

/// Where Word puts the main document part; used when `_rels/.rels` does not name one.
const DEFAULT_PART: &str = "word/document.xml";

/// How many paragraphs above a table become its caption: a heading and a title or two,
/// not a whole page of text that happens to precede it.
const CAPTION_PARAGRAPHS: usize = 3;

/// Word allows at most 63 columns. Covered positions (`gridSpan`, `gridBefore`) are added
/// only while a row is narrower than this, so `gridSpan val="1000000000"` costs nothing;
/// cells that hold text are always kept.
const MAX_COLUMNS: usize = 64;

/// Read buffers start at most this big, whatever size a (possibly lying) zip header declares.
const INITIAL_BUFFER: u64 = 8 * 1024 * 1024;

/// The first bytes of an OLE compound file: Word 97-2003 `.doc`, and also any `.docx` saved
/// with a password (Office encrypts the whole zip into such a container).
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Reads a `.docx` file's paragraphs and tables.
pub fn read(bytes: &[u8]) -> Result<Document, ReadError> {
    read_limited(bytes, MAX_PART_BYTES, false)
}

/// [`read`], with every table inside a cell read as a table of its own: for documents
/// whose task table sits in a frame (a one-cell table laying out the page), where the
/// ordinary reading finds no task table.
pub fn read_nested_grids(bytes: &[u8]) -> Result<Document, ReadError> {
    read_limited(bytes, MAX_PART_BYTES, true)
}

/// [`read`] with the inflation limit as a parameter, so tests can reach it with small files.
fn read_limited(bytes: &[u8], limit: u64, nested_grids: bool) -> Result<Document, ReadError> {
    let mut archive = open(bytes)?;
    let part = main_part(&mut archive, limit)?;
    let xml = read_part(&mut archive, &part, limit)?;
    parse_document(&decode(&xml), &part, nested_grids)
}

fn damaged(detail: impl std::fmt::Display) -> ReadError {
    ReadError(format!(
        "the Word file is damaged ({detail}): open it in Word or WPS and save it again"
    ))
}

fn not_word(detail: &str) -> ReadError {
    ReadError(format!(
        "this is not a Word document ({detail}): open the report in Word or WPS and save it as a .docx file"
    ))
}

fn too_big(part: &str, limit: u64) -> ReadError {
    ReadError(format!(
        "the Word file's {part} would unpack to more than {} MB, far beyond any report, so it was not read (the file is damaged or was made to fill memory)",
        limit / (1024 * 1024)
    ))
}

fn open(bytes: &[u8]) -> Result<ZipArchive<Cursor<&[u8]>>, ReadError> {
    if bytes.starts_with(OLE_MAGIC) {
        return Err(ReadError(
            "this is an old Word 97-2003 .doc file or a password-protected document, which cannot be read: open it in Word or WPS and save it as a .docx file without a password".into(),
        ));
    }
    ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        // Every zip starts with a `PK` header: without one this is some other kind of file,
        // with one it is a zip that was cut short or corrupted.
        if bytes.starts_with(b"PK") {
            damaged(e)
        } else {
            not_word("it is not a zip archive as .docx files are")
        }
    })
}

/// The zip entry name of the main document part.
fn main_part(archive: &mut ZipArchive<Cursor<&[u8]>>, limit: u64) -> Result<String, ReadError> {
    if let Some(rels) = find_entry(archive, "_rels/.rels") {
        let rels = read_part(archive, &rels, limit)?;
        // A rels part we cannot understand is not fatal: Word's own layout is the fallback.
        if let Some(found) =
            office_document_target(&decode(&rels)).and_then(|t| find_entry(archive, &t))
        {
            return Ok(found);
        }
    }
    find_entry(archive, DEFAULT_PART)
        .ok_or_else(|| not_word("the file is a zip archive without a word/document.xml part"))
}

/// The entry named `wanted`, compared without case as OPC part names are.
fn find_entry(archive: &ZipArchive<Cursor<&[u8]>>, wanted: &str) -> Option<String> {
    if archive.index_for_name(wanted).is_some() {
        return Some(wanted.to_string());
    }
    archive
        .file_names()
        .find(|name| name.eq_ignore_ascii_case(wanted))
        .map(str::to_string)
}

/// Inflates one part, refusing any that would grow beyond `limit` (a zip bomb): the declared
/// size is checked first, and the reading itself stops at `limit` in case the header lies.
fn read_part(
    archive: &mut ZipArchive<Cursor<&[u8]>>,
    name: &str,
    limit: u64,
) -> Result<Vec<u8>, ReadError> {
    let file = archive
        .by_name(name)
        .map_err(|e| damaged(format_args!("{name}: {e}")))?;
    if file.size() > limit {
        return Err(too_big(name, limit));
    }
    let capacity = usize::try_from(file.size().min(INITIAL_BUFFER)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(capacity);
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| damaged(format_args!("{name}: {e}")))?;
    if bytes.len() as u64 > limit {
        return Err(too_big(name, limit));
    }
    Ok(bytes)
}

/// The XML as text. Parts are UTF-8 (sometimes with a BOM) or UTF-16 with a BOM; a stray
/// invalid byte becomes U+FFFD rather than losing the whole report.
fn decode(bytes: &[u8]) -> Cow<'_, str> {
    encoding_rs::UTF_8.decode(bytes).0
}

/// The value of the attribute whose local name is `name` (any prefix).
fn attribute(e: &BytesStart<'_>, name: &[u8], decoder: Decoder) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .and_then(|a| a.decode_and_unescape_value(decoder).ok())
        .map(Cow::into_owned)
}

/// The part that `_rels/.rels` names as the office document, as a zip entry name.
fn office_document_target(rels: &str) -> Option<String> {
    let mut reader = Reader::from_str(rels);
    let decoder = reader.decoder();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == b"Relationship" => {
                let kind = attribute(&e, b"Type", decoder).unwrap_or_default();
                let external = attribute(&e, b"TargetMode", decoder)
                    .is_some_and(|m| m.eq_ignore_ascii_case("External"));
                // Transitional and Strict relationship types both end this way.
                if kind.ends_with("/officeDocument") && !external {
                    return attribute(&e, b"Target", decoder).map(|t| package_path(&t));
                }
            }
            Ok(Event::Eof) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

/// A relationship target of the package root (`/word/document.xml`, `./word/document.xml`)
/// as a zip entry name (`word/document.xml`).
fn package_path(target: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for segment in target.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// One open element, as far as reading the text needs to know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frame {
    /// Anything read through for its content (`w:body`, `w:hyperlink`, `w:sdtContent`, …).
    Other,
    Paragraph,
    Run,
    /// `w:t` in a run: its character data is the text.
    Text,
    /// A table read as a grid (`grid`), or one inside a cell or a paragraph (a nested table,
    /// a table in a text box) whose paragraphs join the text around it.
    Table {
        grid: bool,
    },
    Row,
    RowProperties,
    Cell,
    CellProperties,
    /// `mc:AlternateContent`: only its first `mc:Choice` is read, or a text box would be
    /// read once from the choice and again from the fallback.
    Alternate {
        chosen: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum VerticalMerge {
    None,
    Restart,
    Continue,
}

struct CellBuilder {
    paragraphs: Vec<String>,
    span: usize,
    merge: VerticalMerge,
}

#[derive(Default)]
struct RowBuilder {
    cells: Vec<Cell>,
    cell: Option<CellBuilder>,
}

struct TableBuilder {
    table: Table,
    row: Option<RowBuilder>,
}

/// The state of one walk over document.xml.
struct Parser<'a> {
    part: &'a str,
    decoder: Decoder,
    doc: Document,
    frames: Vec<Frame>,
    /// Paragraphs being read, innermost last: a text box's paragraphs sit inside the
    /// paragraph that anchors it.
    paragraphs: Vec<String>,
    /// The tables being read as grids, innermost last: only the top-level one, unless
    /// `nested_grids` makes a table inside a cell a grid of its own.
    tables: Vec<TableBuilder>,
    /// Whether a table inside a cell is read as a table of its own (whose text then is not
    /// the cell's) rather than as paragraphs of the cell.
    nested_grids: bool,
    /// How many tables read as paragraphs are open.
    flat_tables: usize,
    /// Depth inside an element whose content is not text (deleted text, field codes,
    /// fallback content); 0 outside one.
    skip: usize,
    /// Where in `doc.text` the paragraphs after the last table start.
    caption_from: usize,
    seen_root: bool,
}

fn parse_document(xml: &str, part: &str, nested_grids: bool) -> Result<Document, ReadError> {
    let mut reader = Reader::from_str(xml);
    let mut parser = Parser::new(part, reader.decoder(), nested_grids);
    loop {
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(e) => {
                let at = reader.error_position();
                return Err(damaged(format_args!("{part}, byte {at}: {e}")));
            }
        };
        match event {
            Event::Start(e) => parser.start(&e, false)?,
            Event::Empty(e) => parser.start(&e, true)?,
            Event::End(_) => parser.end(),
            Event::Text(t) if parser.in_text() => {
                let text = t
                    .xml10_content()
                    .map_err(|e| damaged(format_args!("{part}: {e}")))?;
                parser.push_run_text(&text);
            }
            Event::CData(t) if parser.in_text() => {
                let text = t
                    .decode()
                    .map_err(|e| damaged(format_args!("{part}: {e}")))?;
                parser.push_run_text(&text);
            }
            Event::GeneralRef(r) if parser.in_text() => parser.push_reference(&r),
            Event::Eof => break,
            _ => {}
        }
    }
    parser.finish()
}

impl<'a> Parser<'a> {
    fn new(part: &'a str, decoder: Decoder, nested_grids: bool) -> Self {
        Parser {
            part,
            decoder,
            doc: Document::default(),
            frames: Vec::new(),
            paragraphs: Vec::new(),
            tables: Vec::new(),
            nested_grids,
            flat_tables: 0,
            skip: 0,
            caption_from: 0,
            seen_root: false,
        }
    }

    fn finish(self) -> Result<Document, ReadError> {
        if !self.seen_root {
            return Err(damaged(format_args!("{} holds no document", self.part)));
        }
        if !self.frames.is_empty() {
            return Err(damaged(format_args!("{} ends in the middle", self.part)));
        }
        Ok(self.doc)
    }

    fn in_text(&self) -> bool {
        self.skip == 0 && self.frames.last() == Some(&Frame::Text)
    }

    /// An element starts; `empty` for `<x/>`, which also ends it.
    fn start(&mut self, e: &BytesStart<'_>, empty: bool) -> Result<(), ReadError> {
        if self.skip > 0 {
            if !empty {
                self.skip += 1;
            }
            return Ok(());
        }
        let local = e.local_name();
        let name = local.as_ref();
        if !self.seen_root {
            self.seen_root = true;
            if name != b"document" {
                let root = String::from_utf8_lossy(name);
                return Err(not_word(&format!(
                    "its main part {} is a <{root}>, not a Word document",
                    self.part
                )));
            }
        }
        if self.skips(name) {
            if !empty {
                self.skip = 1;
            }
            return Ok(());
        }
        let frame = self.open(name, e);
        if empty {
            self.close(frame);
        } else {
            self.frames.push(frame);
        }
        Ok(())
    }

    fn end(&mut self) {
        if self.skip > 0 {
            self.skip -= 1;
        } else if let Some(frame) = self.frames.pop() {
            self.close(frame);
        }
    }

    /// Whether an element's whole content is left out of the text.
    fn skips(&mut self, name: &[u8]) -> bool {
        match name {
            // Deleted tracked changes (`w:del` holds the deleted runs; `w:moveFrom` the old
            // place of moved text, which `w:moveTo` holds again), field codes such as
            // `PAGE \* MERGEFORMAT`, and fallback copies of drawings and text boxes.
            b"delText" | b"instrText" | b"del" | b"moveFrom" | b"Fallback" => true,
            b"Choice" => match self.frames.last_mut() {
                Some(Frame::Alternate { chosen }) => std::mem::replace(chosen, true),
                _ => false,
            },
            _ => false,
        }
    }

    fn open(&mut self, name: &[u8], e: &BytesStart<'_>) -> Frame {
        let parent = self.frames.last().copied();
        let in_run = parent == Some(Frame::Run);
        match name {
            b"p" => {
                self.paragraphs.push(String::new());
                Frame::Paragraph
            }
            b"r" => Frame::Run,
            b"t" if in_run => Frame::Text,
            // Only inside a run: `w:tab` also names the tab stops in paragraph properties.
            b"tab" | b"ptab" if in_run => self.push_char(' '),
            b"br" if in_run && self.is_line_break(e) => self.push_char('\n'),
            b"cr" if in_run => self.push_char('\n'),
            b"noBreakHyphen" if in_run => self.push_char('-'),
            b"tbl" => self.open_table(),
            b"tr" => self.open_row(),
            b"tc" => self.open_cell(),
            // Only the row's and cell's own properties: `w:trPrChange`/`w:tcPrChange` hold
            // the properties from before a tracked change, which no longer apply.
            b"trPr" if parent == Some(Frame::Row) => Frame::RowProperties,
            b"tcPr" if parent == Some(Frame::Cell) => Frame::CellProperties,
            b"gridBefore" if parent == Some(Frame::RowProperties) => {
                let count = self.number(e).unwrap_or(0);
                self.grid_before(count);
                Frame::Other
            }
            b"gridSpan" if parent == Some(Frame::CellProperties) => {
                let span = self.number(e).unwrap_or(1).max(1);
                if let Some(cell) = self.cell_mut() {
                    cell.span = span;
                }
                Frame::Other
            }
            b"vMerge" if parent == Some(Frame::CellProperties) => {
                // No value means "continue", as does "continue" itself.
                let merge = match attribute(e, b"val", self.decoder).as_deref() {
                    Some("restart") => VerticalMerge::Restart,
                    _ => VerticalMerge::Continue,
                };
                if let Some(cell) = self.cell_mut() {
                    cell.merge = merge;
                }
                Frame::Other
            }
            b"AlternateContent" => Frame::Alternate { chosen: false },
            _ => Frame::Other,
        }
    }

    fn close(&mut self, frame: Frame) {
        match frame {
            Frame::Paragraph => self.close_paragraph(),
            Frame::Table { grid: true } => self.close_table(),
            Frame::Table { grid: false } => self.flat_tables = self.flat_tables.saturating_sub(1),
            Frame::Row => self.close_row(),
            Frame::Cell => self.close_cell(),
            _ => {}
        }
    }

    /// `w:br` is a line break unless it is a page or column break.
    fn is_line_break(&self, e: &BytesStart<'_>) -> bool {
        !matches!(
            attribute(e, b"type", self.decoder).as_deref(),
            Some("page" | "column")
        )
    }

    /// A `val` attribute as a count of grid columns, at most [`MAX_COLUMNS`].
    fn number(&self, e: &BytesStart<'_>) -> Option<usize> {
        let value = attribute(e, b"val", self.decoder)?;
        value
            .trim()
            .parse::<u64>()
            .ok()
            .map(|n| n.min(MAX_COLUMNS as u64) as usize)
    }

    fn push_char(&mut self, c: char) -> Frame {
        if let Some(paragraph) = self.paragraphs.last_mut() {
            paragraph.push(c);
        }
        Frame::Other
    }

    /// Text of a `w:t`. Word shows a line feed or tab typed into the XML as a space; line
    /// breaks it means are `w:br` elements.
    fn push_run_text(&mut self, text: &str) {
        if let Some(paragraph) = self.paragraphs.last_mut() {
            paragraph.extend(text.chars().map(|c| match c {
                '\n' | '\r' | '\t' => ' ',
                c => c,
            }));
        }
    }

    /// `&amp;`, `&#x4E00;` and the like inside a `w:t`.
    fn push_reference(&mut self, reference: &BytesRef<'_>) {
        let text = match reference.resolve_char_ref() {
            Ok(Some(c)) => c.to_string(),
            // A character reference to something that is no character: nothing to show.
            Err(_) => return,
            Ok(None) => {
                let name = reference.decode().unwrap_or_default();
                match quick_xml::escape::resolve_predefined_entity(&name) {
                    Some(s) => s.to_string(),
                    // An entity Word never writes: keep it as written rather than lose it.
                    None => format!("&{name};"),
                }
            }
        };
        self.push_run_text(&text);
    }

    fn close_paragraph(&mut self) {
        let text = self.paragraphs.pop().unwrap_or_default();
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        let text = text.to_string();
        match self.cell_mut() {
            Some(cell) => cell.paragraphs.push(text),
            // Outside any cell (and, in a damaged table, between cells): document text.
            None => self.doc.text.push(text),
        }
    }

    fn cell_mut(&mut self) -> Option<&mut CellBuilder> {
        self.tables.last_mut()?.row.as_mut()?.cell.as_mut()
    }

    fn open_table(&mut self) -> Frame {
        let in_a_cell = self.flat_tables == 0 && self.cell_mut().is_some();
        let nested_grid = self.nested_grids && in_a_cell;
        if !nested_grid
            && (!self.tables.is_empty() || self.flat_tables > 0 || !self.paragraphs.is_empty())
        {
            self.flat_tables += 1;
            return Frame::Table { grid: false };
        }
        let end = self.doc.text.len();
        let from = self
            .caption_from
            .max(end.saturating_sub(CAPTION_PARAGRAPHS));
        let caption = self.doc.text.get(from..end).unwrap_or_default().to_vec();
        self.tables.push(TableBuilder {
            table: Table {
                name: format!("表格 {}", self.doc.tables.len() + 1),
                caption,
                rows: Vec::new(),
            },
            row: None,
        });
        Frame::Table { grid: true }
    }

    fn close_table(&mut self) {
        if let Some(mut builder) = self.tables.pop() {
            builder.table.name = format!("表格 {}", self.doc.tables.len() + 1);
            self.doc.tables.push(builder.table);
        }
        self.caption_from = self.doc.text.len();
    }

    fn open_row(&mut self) -> Frame {
        match self.tables.last_mut() {
            Some(table) if self.flat_tables == 0 && table.row.is_none() => {
                table.row = Some(RowBuilder::default());
                Frame::Row
            }
            _ => Frame::Other,
        }
    }

    fn close_row(&mut self) {
        if let Some(table) = self.tables.last_mut() {
            if let Some(row) = table.row.take() {
                let at = table.table.rows.len() + 1;
                table.table.rows.push(Row {
                    at,
                    cells: row.cells,
                });
            }
        }
    }

    /// `w:gridBefore`: the row starts this many grid columns in; empty cells keep the
    /// columns aligned with the rows above.
    fn grid_before(&mut self, count: usize) {
        if let Some(row) = self.tables.last_mut().and_then(|t| t.row.as_mut()) {
            if row.cells.is_empty() {
                row.cells.resize(count, Cell::default());
            }
        }
    }

    fn open_cell(&mut self) -> Frame {
        match self.tables.last_mut().and_then(|t| t.row.as_mut()) {
            Some(row) if self.flat_tables == 0 && row.cell.is_none() => {
                row.cell = Some(CellBuilder {
                    paragraphs: Vec::new(),
                    span: 1,
                    merge: VerticalMerge::None,
                });
                Frame::Cell
            }
            _ => Frame::Other,
        }
    }

    /// Puts a finished cell on the grid: the cell itself, then one covered position for each
    /// further column it spans.
    fn close_cell(&mut self) {
        let Some(TableBuilder {
            table,
            row: Some(row),
        }) = self.tables.last_mut()
        else {
            return;
        };
        let Some(cell) = row.cell.take() else {
            return;
        };
        let column = row.cells.len();
        // A continued merge needs a cell above it; in a table's first row (a damaged merge)
        // the cell keeps its own text instead.
        let has_above = table.rows.last().is_some_and(|r| r.cells.len() > column);
        let continued = cell.merge == VerticalMerge::Continue && has_above;
        let (first, rest) = if continued {
            (Cell::covered(Merged::Above), Merged::Above)
        } else {
            (
                Cell {
                    paragraphs: cell.paragraphs,
                    merged: Merged::No,
                },
                Merged::Left,
            )
        };
        row.cells.push(first);
        let end = (column + cell.span).min(MAX_COLUMNS);
        while row.cells.len() < end {
            row.cells.push(Cell::covered(rest));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::io::Write;
    use zip::write::SimpleFileOptions;
    use zip::{CompressionMethod, ZipWriter};

    const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
    const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;
    const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;

    /// A zip holding `parts`, each compressed with `method`.
    fn zip_of(parts: &[(&str, &[u8])], method: CompressionMethod) -> Vec<u8> {
        let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
        let options = SimpleFileOptions::default().compression_method(method);
        for (name, bytes) in parts {
            zip.start_file(*name, options).unwrap();
            zip.write_all(bytes).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    /// A .docx as Word lays it out, with `document_xml` as its main part.
    fn docx(document_xml: &str) -> Vec<u8> {
        zip_of(
            &[
                ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
                ("_rels/.rels", RELS.as_bytes()),
                ("word/document.xml", document_xml.as_bytes()),
            ],
            CompressionMethod::Deflated,
        )
    }

    /// A document.xml whose body is `body`.
    fn document(body: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="{W}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:v="urn:schemas-microsoft-com:vml" xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math"><w:body>{body}<w:sectPr><w:pgSz w:w="16838" w:h="11906" w:orient="landscape"/></w:sectPr></w:body></w:document>"#
        )
    }

    /// A paragraph of one run, with paragraph properties as Word writes them.
    fn p(text: &str) -> String {
        format!(
            r#"<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="420"/></w:tabs><w:jc w:val="left"/></w:pPr><w:r><w:rPr><w:rFonts w:hint="eastAsia"/></w:rPr><w:t xml:space="preserve">{text}</w:t></w:r></w:p>"#
        )
    }

    /// A cell with properties `props` (inside `w:tcPr`) and content `content`.
    fn tc(props: &str, content: &str) -> String {
        format!(r#"<w:tc><w:tcPr><w:tcW w:w="1000" w:type="dxa"/>{props}</w:tcPr>{content}</w:tc>"#)
    }

    fn row(cells: &[String]) -> String {
        format!("<w:tr>{}</w:tr>", cells.concat())
    }

    fn tbl(rows: &[String]) -> String {
        format!(
            r#"<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/></w:tblPr><w:tblGrid><w:gridCol w:w="1000"/></w:tblGrid>{}</w:tbl>"#,
            rows.concat()
        )
    }

    fn text_cells(texts: &[&str]) -> Vec<String> {
        texts.iter().map(|t| tc("", &p(t))).collect()
    }

    fn read_body(body: &str) -> Document {
        read(&docx(&document(body))).unwrap()
    }

    fn paragraphs(cell: &Cell) -> Vec<&str> {
        cell.paragraphs.iter().map(String::as_str).collect()
    }

    /// A quarterly report as a supervision office receives it.
    fn report() -> String {
        let header = row(&text_cells(&[
            "序号",
            "重点工作任务",
            "牵头单位",
            "配合单位",
            "推进情况",
        ]));
        let section = row(&[tc(r#"<w:gridSpan w:val="5"/>"#, &p("一、生态环境保护"))]);
        let first = row(&[
            tc("", &p("1")),
            tc("", &p("推进长江大保护")),
            tc(r#"<w:vMerge w:val="restart"/>"#, &p("市生态环境局")),
            tc("", &p("市水务局、各县(市)区政府")),
            tc(
                "",
                &[
                    p("一是完成岸线整治12公里。"),
                    p("二是关停排污口8个。"),
                    p("三是建成监测站3座。"),
                ]
                .concat(),
            ),
        ]);
        let second = row(&[
            tc("", &p("2")),
            tc("", &p("推进中央环保督察整改")),
            // Word leaves an empty paragraph in a continued cell.
            tc(r#"<w:vMerge w:val="continue"/>"#, "<w:p/>"),
            tc("", &p("市住建局")),
            tc(
                "",
                r#"<w:p><w:r><w:t>完成整改12项</w:t></w:r><w:r><w:br/></w:r><w:del w:id="1" w:author="张三"><w:r><w:delText>已全部完成</w:delText></w:r></w:del><w:r><w:t>剩余3项正在推进</w:t></w:r></w:p>"#,
            ),
        ]);
        let third = row(&[
            tc("", &p("3")),
            tc("", &p("开展大气污染防治")),
            tc(
                "<w:vMerge/>",
                r#"<w:p><w:pPr><w:jc w:val="center"/></w:pPr></w:p>"#,
            ),
            tc("", &p("市公安局")),
            tc("", &p("PM2.5浓度同比下降5%。")),
        ]);
        let indented = format!(
            r#"<w:tr><w:trPr><w:gridBefore w:val="1"/><w:wBefore w:w="1000" w:type="dxa"/></w:trPr>{}</w:tr>"#,
            text_cells(&["补充任务", "市发改委", "", "已完成"]).concat()
        );
        let nested = tbl(&[
            row(&text_cells(&["内1", "内2"])),
            row(&text_cells(&["内3", "内4"])),
        ]);
        let second_table = tbl(&[
            row(&text_cells(&["序号", "重点工作任务", "牵头单位"])),
            row(&[
                tc("", &p("1")),
                tc("", &format!("{}{nested}{}", p("外层说明"), p("后记"))),
                tc("", &p("市财政局")),
            ]),
        ]);
        document(
            &[
                p("2021年一季度重点工作任务推进情况"),
                p("(2021年4月6日)"),
                "<w:p/>".to_string(),
                tbl(&[header, section, first, second, third, indented]),
                p("说明一"),
                p("说明二"),
                p("  "),
                p("二、民生实事"),
                p("(续表)"),
                second_table,
                p("市督查办"),
            ]
            .concat(),
        )
    }

    #[test]
    fn reads_the_report_text_outside_tables_in_order() {
        let doc = read(&docx(&report())).unwrap();
        assert_eq!(
            doc.text,
            [
                "2021年一季度重点工作任务推进情况",
                "(2021年4月6日)",
                "说明一",
                "说明二",
                "二、民生实事",
                "(续表)",
                "市督查办"
            ]
        );
    }

    #[test]
    fn reads_each_table_with_its_name_and_caption() {
        let doc = read(&docx(&report())).unwrap();
        assert_eq!(
            doc.tables.len(),
            2,
            "the nested table is not a table of its own"
        );
        assert_eq!(doc.tables[0].name, "表格 1");
        assert_eq!(
            doc.tables[0].caption,
            ["2021年一季度重点工作任务推进情况", "(2021年4月6日)"]
        );
        assert_eq!(doc.tables[1].name, "表格 2");
        // Four paragraphs since the first table: the last three are the caption.
        assert_eq!(doc.tables[1].caption, ["说明二", "二、民生实事", "(续表)"]);
    }

    #[test]
    fn reads_the_header_row_and_numbers_rows_from_one() {
        let doc = read(&docx(&report())).unwrap();
        let rows = &doc.tables[0].rows;
        assert_eq!(rows.len(), 6);
        assert_eq!(
            rows.iter().map(|r| r.at).collect::<Vec<_>>(),
            [1, 2, 3, 4, 5, 6]
        );
        let header: Vec<String> = rows[0].cells.iter().map(|c| c.joined("")).collect();
        assert_eq!(
            header,
            ["序号", "重点工作任务", "牵头单位", "配合单位", "推进情况"]
        );
        assert!(rows[0].cells.iter().all(|c| c.merged == Merged::No));
    }

    #[test]
    fn a_section_row_spans_the_table() {
        let doc = read(&docx(&report())).unwrap();
        let section = &doc.tables[0].rows[1].cells;
        assert_eq!(section.len(), 5);
        assert_eq!(section[0], Cell::text(["一、生态环境保护"]));
        assert!(section[1..]
            .iter()
            .all(|c| *c == Cell::covered(Merged::Left)));
    }

    #[test]
    fn a_units_cell_merged_over_three_rows_is_held_by_the_first() {
        let doc = read(&docx(&report())).unwrap();
        let rows = &doc.tables[0].rows;
        assert_eq!(rows[2].cells[2], Cell::text(["市生态环境局"]));
        assert_eq!(rows[3].cells[2], Cell::covered(Merged::Above));
        assert_eq!(rows[4].cells[2], Cell::covered(Merged::Above));
        assert_eq!(rows[3].cells[3], Cell::text(["市住建局"]));
    }

    #[test]
    fn a_cell_keeps_its_paragraphs_and_line_breaks_and_drops_deleted_text() {
        let doc = read(&docx(&report())).unwrap();
        let rows = &doc.tables[0].rows;
        assert_eq!(
            paragraphs(&rows[2].cells[4]),
            [
                "一是完成岸线整治12公里。",
                "二是关停排污口8个。",
                "三是建成监测站3座。"
            ]
        );
        assert_eq!(
            paragraphs(&rows[3].cells[4]),
            ["完成整改12项\n剩余3项正在推进"]
        );
    }

    #[test]
    fn grid_before_keeps_the_columns_aligned() {
        let doc = read(&docx(&report())).unwrap();
        let cells = &doc.tables[0].rows[5].cells;
        let texts: Vec<String> = cells.iter().map(|c| c.joined("")).collect();
        assert_eq!(texts, ["", "补充任务", "市发改委", "", "已完成"]);
        assert!(cells.iter().all(|c| c.merged == Merged::No));
    }

    #[test]
    fn nested_tables_can_be_read_as_grids_of_their_own() {
        let inner = tbl(&[
            row(&text_cells(&["序号", "工作任务"])),
            row(&text_cells(&["1", "推进文旅融合。"])),
        ]);
        let frame = tbl(&[row(&[tc("", &format!("{}{inner}", p("扬州市重点工作")))])]);
        let doc = read_nested_grids(&docx(&document(&frame))).unwrap();
        assert_eq!(doc.tables.len(), 2, "{doc:?}");
        let grid = &doc.tables[0];
        assert_eq!(grid.rows[1].cells[1].paragraphs, ["推进文旅融合。"]);
        // The frame keeps its own text, not the inner table's.
        assert_eq!(
            doc.tables[1].rows[0].cells[0].paragraphs,
            ["扬州市重点工作"]
        );
    }

    #[test]
    fn a_nested_table_becomes_paragraphs_of_its_cell() {
        let doc = read(&docx(&report())).unwrap();
        let cells = &doc.tables[1].rows[1].cells;
        assert_eq!(cells.len(), 3);
        assert_eq!(
            paragraphs(&cells[1]),
            ["外层说明", "内1", "内2", "内3", "内4", "后记"]
        );
        assert_eq!(cells[2], Cell::text(["市财政局"]));
    }

    #[test]
    fn a_continued_cell_spanning_columns_is_above_in_each() {
        let body = tbl(&[
            row(&[
                tc(
                    r#"<w:gridSpan w:val="2"/><w:vMerge w:val="restart"/>"#,
                    &p("市委办"),
                ),
                tc("", &p("甲")),
            ]),
            row(&[
                tc(r#"<w:gridSpan w:val="2"/><w:vMerge/>"#, "<w:p/>"),
                tc("", &p("乙")),
            ]),
        ]);
        let rows = &read_body(&body).tables[0].rows;
        assert_eq!(
            rows[0].cells,
            [
                Cell::text(["市委办"]),
                Cell::covered(Merged::Left),
                Cell::text(["甲"])
            ]
        );
        assert_eq!(
            rows[1].cells,
            [
                Cell::covered(Merged::Above),
                Cell::covered(Merged::Above),
                Cell::text(["乙"])
            ]
        );
    }

    #[test]
    fn run_content_reads_as_word_shows_it() {
        let body = concat!(
            // A field: its code is skipped, its shown result kept.
            r#"<w:p><w:r><w:t>第</w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>3</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t>页</w:t></w:r></w:p>"#,
            r#"<w:p><w:r><w:t>序号</w:t><w:tab/><w:t>任务</w:t><w:noBreakHyphen/><w:t>一</w:t><w:cr/><w:t>二</w:t><w:br w:type="page"/></w:r></w:p>"#,
            r#"<w:p><w:ins w:id="2" w:author="李四"><w:r><w:t>新增</w:t></w:r></w:ins><w:hyperlink r:id="rId9" xmlns:r="urn:r"><w:r><w:t>链接</w:t></w:r></w:hyperlink><w:smartTag w:uri="u" w:element="e"><w:r><w:t>标记</w:t></w:r></w:smartTag><w:sdt><w:sdtPr/><w:sdtContent><w:r><w:t>控件</w:t></w:r></w:sdtContent></w:sdt><w:fldSimple w:instr="DATE"><w:r><w:t>日期</w:t></w:r></w:fldSimple><w:customXml w:element="x"><w:r><w:t>自定义</w:t></w:r></w:customXml></w:p>"#,
            r#"<w:p><w:r><w:t>A&amp;B &#x4E00;&lt;</w:t></w:r><w:r><w:t><![CDATA[<C>]]></w:t></w:r></w:p>"#,
            r#"<w:p><w:moveFrom w:id="3" w:author="a"><w:r><w:t>旧位置</w:t></w:r></w:moveFrom><w:moveTo w:id="4" w:author="a"><w:r><w:t>新位置</w:t></w:r></w:moveTo></w:p>"#,
            // Automatic numbering: the number is not in the XML.
            r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>编号段落</w:t></w:r></w:p>"#,
            r#"<w:p><m:oMath><m:r><m:t>x</m:t></m:r></m:oMath><w:r><w:t xml:space="preserve">  前后空格 </w:t></w:r></w:p>"#,
        );
        let doc = read_body(body);
        assert_eq!(
            doc.text,
            [
                "第3页",
                "序号 任务-一\n二",
                "新增链接标记控件日期自定义",
                "A&B 一<<C>",
                "新位置",
                "编号段落",
                "x  前后空格"
            ]
        );
    }

    #[test]
    fn a_text_box_is_read_once_from_the_choice_not_again_from_the_fallback() {
        let body = concat!(
            r#"<w:p><w:r><w:t>正文</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor><a:graphic><a:graphicData><wps:wsp><wps:txbx><w:txbxContent><w:p><w:r><w:t>文本框</w:t></w:r></w:p></w:txbxContent></wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>"#,
            r#"<mc:Choice Requires="x"><w:t>第二选择</w:t></mc:Choice>"#,
            r#"<mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent><w:p><w:r><w:t>文本框</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r><w:r><w:t>续</w:t></w:r></w:p>"#,
        );
        assert_eq!(read_body(body).text, ["文本框", "正文续"]);
    }

    #[test]
    fn strict_ooxml_with_other_prefixes_and_a_part_named_by_the_rels() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?><x:document xmlns:x="http://purl.oclc.org/ooxml/wordprocessingml/main"><x:body><x:p><x:r><x:t>标题</x:t></x:r></x:p><x:tbl><x:tr><x:tc><x:tcPr><x:gridSpan x:val="2"/></x:tcPr><x:p><x:r><x:t>一、</x:t></x:r></x:p></x:tc></x:tr></x:tbl></x:body></x:document>"#;
        let rels = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="r1" Type="http://purl.oclc.org/ooxml/officeDocument/relationships/extendedProperties" Target="docProps/app.xml"/><Relationship Id="r2" Type="http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument" Target="/doc/main.xml"/></Relationships>"#;
        let bytes = zip_of(
            &[
                ("_rels/.rels", rels.as_bytes()),
                ("doc/main.xml", xml.as_bytes()),
            ],
            CompressionMethod::Deflated,
        );
        let doc = read(&bytes).unwrap();
        assert_eq!(doc.text, ["标题"]);
        assert_eq!(
            doc.tables[0].rows[0].cells,
            [Cell::text(["一、"]), Cell::covered(Merged::Left)]
        );
    }

    #[test]
    fn without_rels_the_usual_part_is_read() {
        let xml = document(&p("仅正文"));
        let bytes = zip_of(
            &[("word/document.xml", xml.as_bytes())],
            CompressionMethod::Stored,
        );
        assert_eq!(read(&bytes).unwrap().text, ["仅正文"]);
    }

    #[test]
    fn rels_naming_a_missing_part_fall_back_to_the_usual_part() {
        let rels = RELS.replace("word/document.xml", "word/missing.xml");
        let xml = document(&p("仅正文"));
        let bytes = zip_of(
            &[
                ("_rels/.rels", rels.as_bytes()),
                ("Word/Document.xml", xml.as_bytes()),
            ],
            CompressionMethod::Deflated,
        );
        assert_eq!(read(&bytes).unwrap().text, ["仅正文"]);
    }

    #[test]
    fn utf16_document_xml_is_read() {
        let xml = document(&p("宽字符")).replace("UTF-8", "UTF-16");
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(xml.encode_utf16().flat_map(u16::to_le_bytes));
        let bytes = zip_of(
            &[("word/document.xml", &bytes)],
            CompressionMethod::Deflated,
        );
        assert_eq!(read(&bytes).unwrap().text, ["宽字符"]);
    }

    #[test]
    fn a_huge_grid_span_is_capped() {
        let body = tbl(&[row(&[
            tc(r#"<w:gridSpan w:val="4000000000"/>"#, &p("一")),
            tc(r#"<w:gridSpan w:val="abc"/>"#, &p("二")),
        ])]);
        let cells = &read_body(&body).tables[0].rows[0].cells;
        assert_eq!(
            cells.len(),
            MAX_COLUMNS + 1,
            "text cells are kept beyond the cap"
        );
        assert_eq!(cells[MAX_COLUMNS], Cell::text(["二"]));
    }

    #[test]
    fn deep_nesting_does_not_overflow_the_stack() {
        let depth = 200_000;
        let body = format!(
            "{}{}{}",
            "<w:customXml>".repeat(depth),
            p("深处"),
            "</w:customXml>".repeat(depth)
        );
        assert_eq!(read_body(&body).text, ["深处"]);
        let tables = format!(
            "{}{}{}",
            "<w:tbl><w:tr><w:tc>".repeat(5_000),
            p("表中"),
            "</w:tc></w:tr></w:tbl>".repeat(5_000)
        );
        let doc = read_body(&tables);
        assert_eq!(doc.tables.len(), 1);
        assert_eq!(paragraphs(&doc.tables[0].rows[0].cells[0]), ["表中"]);
    }

    fn error(bytes: &[u8]) -> String {
        match read(bytes) {
            Ok(doc) => panic!("read {doc:?}"),
            Err(ReadError(message)) => message,
        }
    }

    #[test]
    fn text_that_is_not_a_zip_is_not_a_word_document() {
        let message = error("2021年一季度重点工作任务推进情况".as_bytes());
        assert!(
            message.starts_with("this is not a Word document"),
            "{message}"
        );
        assert!(error(b"").starts_with("this is not a Word document"));
    }

    #[test]
    fn an_old_doc_file_says_to_save_as_docx() {
        let mut bytes = OLE_MAGIC.to_vec();
        bytes.extend([0; 512]);
        assert!(error(&bytes).contains("Word 97-2003 .doc"));
    }

    #[test]
    fn a_zip_without_document_xml_is_not_a_word_document() {
        let bytes = zip_of(
            &[("readme.txt", "你好".as_bytes())],
            CompressionMethod::Deflated,
        );
        let message = error(&bytes);
        assert!(message.contains("without a word/document.xml"), "{message}");
    }

    #[test]
    fn a_spreadsheet_is_not_a_word_document() {
        let rels = RELS.replace("word/document.xml", "xl/workbook.xml");
        let bytes = zip_of(
            &[
                ("_rels/.rels", rels.as_bytes()),
                ("xl/workbook.xml", b"<workbook/>"),
            ],
            CompressionMethod::Deflated,
        );
        let message = error(&bytes);
        assert!(
            message.contains("xl/workbook.xml is a <workbook>"),
            "{message}"
        );
    }

    #[test]
    fn truncated_bytes_are_damaged() {
        let bytes = docx(&report());
        for len in [4, bytes.len() / 3, bytes.len() / 2, bytes.len() - 10] {
            let message = error(&bytes[..len]);
            assert!(
                message.starts_with("the Word file is damaged"),
                "{len}: {message}"
            );
            assert!(message.ends_with("save it again"));
        }
    }

    #[test]
    fn broken_xml_is_damaged() {
        let xml = document(&p("正文")).replace("</w:p>", "</w:r>");
        let message = error(&docx(&xml));
        assert!(
            message.starts_with("the Word file is damaged (word/document.xml"),
            "{message}"
        );
        let cut = document(&p("正文"));
        let end = cut.find("</w:p>").unwrap() + "</w:p>".len();
        let message = error(&docx(&cut[..end]));
        assert!(message.contains("ends in the middle"), "{message}");
        assert!(error(&docx("")).contains("holds no document"));
    }

    /// Rewrites the uncompressed size of the first entry in its local header and in the
    /// central directory, as a zip bomb declares whatever it likes.
    fn declare_size(mut bytes: Vec<u8>, size: u32) -> Vec<u8> {
        let end = bytes.len() - 22;
        assert_eq!(&bytes[end..end + 4], b"PK\x05\x06");
        let directory = u32::from_le_bytes(bytes[end + 16..end + 20].try_into().unwrap()) as usize;
        assert_eq!(&bytes[directory..directory + 4], b"PK\x01\x02");
        bytes[22..26].copy_from_slice(&size.to_le_bytes());
        bytes[directory + 24..directory + 28].copy_from_slice(&size.to_le_bytes());
        bytes
    }

    #[test]
    fn a_part_declared_huge_is_refused_as_a_bomb() {
        let xml = document(&p("正文"));
        let bytes = zip_of(
            &[("word/document.xml", xml.as_bytes())],
            CompressionMethod::Deflated,
        );
        let message = error(&declare_size(bytes, 0xF000_0000));
        assert!(
            message.contains("would unpack to more than 256 MB"),
            "{message}"
        );
    }

    #[test]
    fn a_part_that_inflates_beyond_the_limit_is_refused() {
        // Highly compressible, as a bomb is.
        let xml = document(&p(&"重点工作".repeat(10_000)));
        let bytes = docx(&xml);
        let Err(ReadError(message)) = read_limited(&bytes, 4096, false) else {
            panic!("read beyond the limit");
        };
        assert!(
            message.contains("word/document.xml would unpack"),
            "{message}"
        );
        // A header that understates the size does not get past the limit either.
        let bytes = zip_of(
            &[("word/document.xml", xml.as_bytes())],
            CompressionMethod::Deflated,
        );
        assert!(read_limited(&declare_size(bytes, 100), 4096, false).is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let _ = read(&bytes);
            let mut zipped = b"PK\x03\x04".to_vec();
            zipped.extend(&bytes);
            let _ = read(&zipped);
        }

        #[test]
        fn mutated_docx_never_panics(
            edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
            cut in any::<prop::sample::Index>(),
        ) {
            let xml = report();
            // Mutating stored XML reaches the XML reader; mutating deflated bytes, the zip reader.
            let mut raw = xml.into_bytes();
            for (at, byte) in &edits {
                let i = at.index(raw.len());
                raw[i] = *byte;
            }
            let stored = zip_of(&[("word/document.xml", &raw)], CompressionMethod::Stored);
            let _ = read(&stored);
            let mut zipped = docx(&report());
            for (at, byte) in &edits {
                let i = at.index(zipped.len());
                zipped[i] = *byte;
            }
            let _ = read(&zipped);
            let _ = read(&zipped[..cut.index(zipped.len())]);
        }
    }
}
