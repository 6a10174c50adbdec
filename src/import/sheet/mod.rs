//! Reads a workbook (.xlsx/.xlsm, WPS .et, .xls, .xlsb, .ods) into a [`Document`]: one
//! [`Table`] per visible worksheet, named `工作表“<name>”`, in workbook order.
//!
//! - Chart sheets, macro and dialog sheets are skipped, and so are hidden sheets: what the
//!   person sees when opening the workbook is what gets imported (a hidden sheet is usually
//!   a lookup list or a stale copy of the task sheet, whose tasks would appear twice).
//! - [`Row::at`] is the row number Excel shows. Only rows holding something (a value or
//!   part of a merged cell) are listed; a row's cells start at the sheet's first used column.
//! - Cells hold what Excel shows as their value: strings split into paragraphs at Alt+Enter,
//!   numbers as written (`12`, `0.5`), dates as `YYYY-MM-DD`, formulas as their cached
//!   result, errors as empty cells. Merged ranges keep their text in the top-left cell; the
//!   rest of the top row is [`Merged::Left`], rows below are [`Merged::Above`].
//! - Merged ranges are read for .xlsx, .xls and .ods; calamine cannot read them from .xlsb,
//!   whose covered cells therefore arrive as empty cells.
//!
//! Hostile files are refused rather than allowed to exhaust memory: every part of a zip
//! package is inflated once, counted, before anything else reads it ([`MAX_PART_BYTES`]);
//! an .xls file's compound-file chains and its cells' extent are checked before calamine
//! (which builds a dense grid from the first to the last cell) reads it; cells are streamed
//! into a sparse grid with a budget of filled cells and grid positions per workbook. .ods is
//! read by a small streaming reader here, because calamine expands `.ods` repeats into up to
//! 100 million cells and does not report merged ranges.

use super::table::{Cell, Document, Merged, ReadError, Row, Table, MAX_PART_BYTES};
use calamine::{
    Data, DataRef, Dimensions, ExcelDateTime, Reader, Sheet, SheetType, SheetVisible, Xls,
    XlsError, Xlsb, XlsbError, Xlsx, XlsxError,
};
use quick_xml::events::{BytesStart, Event};

mod ods;
mod xls;
use ods::read_ods;
use std::collections::BTreeMap;
use std::io::{BufReader, Cursor, Read};
use xls::{read_xls, CFB_MAGIC};

/// Filled (non-empty) cells read from one workbook: a task report has a few thousand.
const MAX_FILLED_CELLS: usize = 2_000_000;
/// Grid positions (filled, empty or covered by a merge) built for one workbook.
const MAX_POSITIONS: usize = 5_000_000;
/// Merged ranges read from one workbook.
const MAX_MERGES: usize = 500_000;
/// All parts of a zip package together, inflated.
const MAX_INFLATED_TOTAL: u64 = 4 * MAX_PART_BYTES;
/// Entries in `xl/sharedStrings.xml`'s `uniqueCount`, which calamine reserves up front.
const MAX_SHARED_STRINGS: u64 = 5_000_000;
/// Grid positions calamine may allocate for all sheets of an .xls file together.
const MAX_XLS_DENSE: u64 = 4_000_000;
/// Sheets in an .xls file (Excel's own limit is memory; reports have a handful).
const MAX_XLS_SHEETS: usize = 1_000;

pub fn read(bytes: &[u8]) -> Result<Document, ReadError> {
    if bytes.is_empty() {
        return Err(ReadError(
            "The workbook is empty (0 bytes); save it again from Excel or WPS as .xlsx and import that.".into(),
        ));
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return guarded(|| read_zip(bytes));
    }
    if bytes.starts_with(CFB_MAGIC) {
        return guarded(|| read_xls(bytes));
    }
    if looks_like_html(bytes) {
        // Many government systems export "Excel" files that are web pages named .xls.
        return super::html::read(bytes);
    }
    Err(ReadError(
        "This is not a workbook Excel or WPS saves (.xlsx, .xls, .et, .ods, .xlsb); open it in Excel or WPS and save it again as .xlsx.".into(),
    ))
}

/// Runs a reader, turning a panic inside calamine (it indexes into records of damaged
/// files) into the damaged-file message instead of bringing the application down.
fn guarded(f: impl FnOnce() -> Result<Document, ReadError>) -> Result<Document, ReadError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .unwrap_or_else(|_| Err(damaged("its contents are inconsistent")))
}

fn damaged(detail: &str) -> ReadError {
    ReadError(format!(
        "The workbook could not be read ({detail}); it may be damaged or cut short. Open it in Excel or WPS and save it again as .xlsx."
    ))
}

fn password() -> ReadError {
    ReadError(
        "The workbook is password-protected; open it in Excel or WPS, remove the password, save it again as .xlsx and import that.".into(),
    )
}

fn too_large(what: String) -> ReadError {
    ReadError(format!(
        "The workbook is too large to import ({what}); delete what is not part of the report, save it again as .xlsx and import that."
    ))
}

fn table_name(sheet: &str) -> String {
    format!("工作表“{sheet}”")
}

/// Sheets worth reading: visible worksheets, in workbook order.
fn wanted(sheets: &[Sheet]) -> Vec<String> {
    sheets
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet && s.visible == SheetVisible::Visible)
        .map(|s| s.name.clone())
        .collect()
}

// ---------------------------------------------------------------------------------------
// Cell values

/// A cell value from any of calamine's value types or the .ods reader.
enum Value<'a> {
    Text(&'a str),
    Float(f64),
    Int(i64),
    Bool(bool),
    Date(ExcelDateTime),
    IsoDate(&'a str),
    IsoDuration(&'a str),
    Nothing,
}

impl<'a> Value<'a> {
    fn of(data: &'a Data) -> Value<'a> {
        match data {
            Data::String(s) => Value::Text(s),
            Data::Float(f) => Value::Float(*f),
            Data::Int(i) => Value::Int(*i),
            Data::Bool(b) => Value::Bool(*b),
            Data::DateTime(d) => Value::Date(*d),
            Data::DateTimeIso(s) => Value::IsoDate(s),
            Data::DurationIso(s) => Value::IsoDuration(s),
            Data::Error(_) | Data::Empty => Value::Nothing,
        }
    }

    fn of_ref(data: &'a DataRef<'a>) -> Value<'a> {
        match data {
            DataRef::String(s) => Value::Text(s),
            DataRef::SharedString(s) => Value::Text(s),
            DataRef::Float(f) => Value::Float(*f),
            DataRef::Int(i) => Value::Int(*i),
            DataRef::Bool(b) => Value::Bool(*b),
            DataRef::DateTime(d) => Value::Date(*d),
            DataRef::DateTimeIso(s) => Value::IsoDate(s),
            DataRef::DurationIso(s) => Value::IsoDuration(s),
            DataRef::Error(_) | DataRef::Empty => Value::Nothing,
        }
    }

    /// The cell's paragraphs as the importer wants them.
    fn paragraphs(&self) -> Vec<String> {
        let one = |s: String| vec![s];
        match self {
            Value::Text(s) => split_lines(s),
            Value::Float(f) => one(number(*f)),
            Value::Int(i) => one(i.to_string()),
            Value::Bool(b) => one(if *b { "TRUE" } else { "FALSE" }.to_string()),
            Value::Date(d) => one(excel_date(d)),
            Value::IsoDate(s) => split_lines(&iso_date(s)),
            Value::IsoDuration(s) => split_lines(&iso_duration(s)),
            Value::Nothing => Vec::new(),
        }
    }
}

/// A string cell's paragraphs: Alt+Enter makes a line break (`\n`, or `\r\n`/`\r` from
/// some writers); each piece trimmed, empty ones dropped.
fn split_lines(s: &str) -> Vec<String> {
    s.split(['\n', '\r'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// A number as Excel's General format shows it: integral values without a fraction,
/// others with at most 15 significant digits (so a formula's `0.30000000000000004` reads
/// `0.3`), in Rust's shortest form.
fn number(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15 {
        return format!("{}", f as i64);
    }
    let rounded: f64 = format!("{f:.14e}").parse().unwrap_or(f);
    format!("{rounded}")
}

/// Excel's serial date: `YYYY-MM-DD`, with the time when it is not midnight; a value below
/// one day is a time of day; a duration is `H:MM:SS` with hours beyond 24.
fn excel_date(d: &ExcelDateTime) -> String {
    let v = d.as_f64();
    if d.is_duration() {
        return duration(v * 86_400.0).unwrap_or_else(|| number(v));
    }
    // Beyond 9999-12-31 (or negative) Excel shows ####; calamine's arithmetic overflows.
    if !(0.0..2_958_466.0).contains(&v) {
        return number(v);
    }
    let (y, m, day, h, min, s, _) = d.to_ymd_hms_milli();
    let time = if s == 0 {
        format!("{h:02}:{min:02}")
    } else {
        format!("{h:02}:{min:02}:{s:02}")
    };
    if v < 1.0 {
        return time;
    }
    let date = format!("{y:04}-{m:02}-{day:02}");
    if (h, min, s) == (0, 0, 0) {
        date
    } else {
        format!("{date} {time}")
    }
}

/// Seconds as `H:MM:SS` (`36:00:00` for a day and a half).
fn duration(seconds: f64) -> Option<String> {
    if !seconds.is_finite() || seconds.abs() > 1e15 {
        return None;
    }
    let total = seconds.round() as i64;
    let sign = if total < 0 { "-" } else { "" };
    let t = total.unsigned_abs();
    Some(format!(
        "{sign}{}:{:02}:{:02}",
        t / 3600,
        t / 60 % 60,
        t % 60
    ))
}

/// An ISO date or date-time (`2020-06-30T00:00:00`, from .ods or an xlsx `t="d"` cell) the
/// way [`excel_date`] writes dates.
fn iso_date(s: &str) -> String {
    let s = s.trim();
    let (date, time) = s.split_once('T').unwrap_or((s, ""));
    let time = time.trim_end_matches('Z');
    let time = time.split('.').next().unwrap_or("");
    let time = time.strip_suffix(":00").unwrap_or(time);
    if time.is_empty() || time == "00:00" {
        date.to_string()
    } else if date.is_empty() {
        time.to_string()
    } else {
        format!("{date} {time}")
    }
}

/// An ISO duration (`PT12H30M00S`, how .ods stores times) as `H:MM:SS`; anything else as
/// written.
fn iso_duration(s: &str) -> String {
    parse_iso_duration(s.trim())
        .and_then(duration)
        .unwrap_or_else(|| s.trim().to_string())
}

fn parse_iso_duration(s: &str) -> Option<f64> {
    let (negative, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let s = s.strip_prefix('P')?;
    let mut seconds = 0.0;
    let mut digits = String::new();
    let mut in_time = false;
    for c in s.chars() {
        match c {
            'T' => in_time = true,
            '0'..='9' | '.' => digits.push(c),
            unit => {
                let n: f64 = digits.parse().ok()?;
                digits.clear();
                seconds += n * match (unit, in_time) {
                    ('D', false) => 86_400.0,
                    ('H', true) => 3_600.0,
                    ('M', true) => 60.0,
                    ('S', true) => 1.0,
                    _ => return None,
                };
            }
        }
    }
    digits
        .is_empty()
        .then_some(if negative { -seconds } else { seconds })
}

// ---------------------------------------------------------------------------------------
// The sparse grid every format fills

/// What one workbook may still use; shared by its sheets so that many sheets cannot
/// multiply the limits.
struct Budget {
    filled: usize,
    positions: usize,
    merges: usize,
}

impl Budget {
    fn new() -> Budget {
        Budget {
            filled: MAX_FILLED_CELLS,
            positions: MAX_POSITIONS,
            merges: MAX_MERGES,
        }
    }

    fn take_filled(&mut self, sheet: &str) -> Result<(), ReadError> {
        self.filled = self.filled.checked_sub(1).ok_or_else(|| {
            too_large(format!(
                "more than {MAX_FILLED_CELLS} filled cells, the last in {}",
                table_name(sheet)
            ))
        })?;
        Ok(())
    }

    fn take_positions(&mut self, n: usize, sheet: &str) -> Result<(), ReadError> {
        self.positions = self.positions.checked_sub(n).ok_or_else(|| {
            too_large(format!(
                "more than {MAX_POSITIONS} cells counting empty and merged ones, the last in {}",
                table_name(sheet)
            ))
        })?;
        Ok(())
    }

    fn take_merge(&mut self, sheet: &str) -> Result<(), ReadError> {
        self.merges = self.merges.checked_sub(1).ok_or_else(|| {
            too_large(format!(
                "more than {MAX_MERGES} merged ranges, the last in {}",
                table_name(sheet)
            ))
        })?;
        Ok(())
    }
}

/// One sheet's filled cells and merged ranges, as they are read (in any order), turned
/// into rows at the end.
struct SheetBuilder {
    name: String,
    cells: Vec<((u32, u32), Vec<String>)>,
    merges: Vec<Dimensions>,
}

impl SheetBuilder {
    fn new(name: &str) -> SheetBuilder {
        SheetBuilder {
            name: name.to_string(),
            cells: Vec::new(),
            merges: Vec::new(),
        }
    }

    /// A cell at 0-based (row, column); empty cells are not kept.
    fn cell(&mut self, at: (u32, u32), value: Value, budget: &mut Budget) -> Result<(), ReadError> {
        let paragraphs = value.paragraphs();
        if paragraphs.is_empty() {
            return Ok(());
        }
        budget.take_filled(&self.name)?;
        self.cells.push((at, paragraphs));
        Ok(())
    }

    fn merge(&mut self, range: Dimensions, budget: &mut Budget) -> Result<(), ReadError> {
        let Dimensions { start, end } = range;
        if end.0 < start.0 || end.1 < start.1 || start == end {
            return Ok(());
        }
        budget.take_merge(&self.name)?;
        self.merges.push(range);
        Ok(())
    }

    fn finish(self, budget: &mut Budget) -> Result<Table, ReadError> {
        let name = table_name(&self.name);
        // The sheet's name is its caption: a workbook with a sheet per domain names the
        // section (`一、经济发展`), a sheet per quarter the period.
        let caption = vec![self.name.clone()];
        let Some(extent) = Extent::of(&self.cells) else {
            return Ok(Table {
                name,
                caption,
                ..Table::default()
            });
        };
        let mut rows: BTreeMap<u32, Vec<Cell>> = BTreeMap::new();
        for ((r, c), paragraphs) in self.cells {
            let row = rows.entry(r).or_default();
            let i = (c - extent.first_col) as usize;
            widen(row, i + 1, budget, &self.name)?;
            row[i] = Cell {
                paragraphs,
                merged: Merged::No,
            };
        }
        for range in &self.merges {
            cover(&mut rows, range, &extent, budget, &self.name)?;
        }
        Ok(Table {
            name,
            caption,
            rows: rows
                .into_iter()
                .map(|(r, cells)| Row {
                    at: r as usize + 1,
                    cells,
                })
                .collect(),
        })
    }
}

/// The smallest rectangle holding every filled cell. Merged ranges are clipped to it, so a
/// range reaching to row 1,048,576 costs nothing beyond the last filled row.
struct Extent {
    first_row: u32,
    last_row: u32,
    first_col: u32,
    last_col: u32,
}

impl Extent {
    fn of(cells: &[((u32, u32), Vec<String>)]) -> Option<Extent> {
        let mut it = cells.iter().map(|(at, _)| *at);
        let (r, c) = it.next()?;
        let mut e = Extent {
            first_row: r,
            last_row: r,
            first_col: c,
            last_col: c,
        };
        for (r, c) in it {
            e.first_row = e.first_row.min(r);
            e.last_row = e.last_row.max(r);
            e.first_col = e.first_col.min(c);
            e.last_col = e.last_col.max(c);
        }
        Some(e)
    }
}

/// Makes a row at least `len` positions wide, charging the new positions to the budget.
fn widen(
    row: &mut Vec<Cell>,
    len: usize,
    budget: &mut Budget,
    sheet: &str,
) -> Result<(), ReadError> {
    if row.len() < len {
        budget.take_positions(len - row.len(), sheet)?;
        row.resize(len, Cell::default());
    }
    Ok(())
}

/// Marks the positions a merged range covers (all but its top-left), within the extent.
fn cover(
    rows: &mut BTreeMap<u32, Vec<Cell>>,
    range: &Dimensions,
    extent: &Extent,
    budget: &mut Budget,
    sheet: &str,
) -> Result<(), ReadError> {
    let (top, left) = range.start;
    let r0 = top.max(extent.first_row);
    let r1 = range.end.0.min(extent.last_row);
    let c0 = left.max(extent.first_col);
    let c1 = range.end.1.min(extent.last_col);
    if r0 > r1 || c0 > c1 {
        return Ok(());
    }
    // Charge the whole clipped area before touching it, so that overlapping ranges cannot
    // make the loop below long without the budget noticing.
    let area = (u64::from(r1 - r0) + 1) * (u64::from(c1 - c0) + 1);
    budget.take_positions(usize::try_from(area).unwrap_or(usize::MAX), sheet)?;
    for r in r0..=r1 {
        let row = rows.entry(r).or_default();
        widen(row, (c1 - extent.first_col) as usize + 1, budget, sheet)?;
        for c in c0..=c1 {
            if (r, c) == (top, left) {
                continue;
            }
            let merged = if r == top {
                Merged::Left
            } else {
                Merged::Above
            };
            if let Some(cell) = row.get_mut((c - extent.first_col) as usize) {
                // Excel hides whatever a covered cell still holds; so do we.
                *cell = Cell::covered(merged);
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Zip packages: .xlsx/.xlsm/.et, .xlsb, .ods

type Zip<'a> = zip::ZipArchive<Cursor<&'a [u8]>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Package {
    Xlsx,
    Xlsb,
    Ods,
}

fn read_zip(bytes: &[u8]) -> Result<Document, ReadError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| damaged(&format!("it is not a complete zip package: {e}")))?;
    let package = package_kind(&mut zip)?;
    check_inflated_sizes(&mut zip)?;
    match package {
        Package::Xlsx => {
            check_shared_strings(&mut zip)?;
            read_xlsx(bytes)
        }
        Package::Xlsb => read_xlsb(bytes),
        Package::Ods => read_ods(&mut zip),
    }
}

/// A part's name as calamine looks it up: `/` separators, lower case.
fn normalized(name: &str) -> String {
    name.replace('\\', "/").to_ascii_lowercase()
}

fn find_part(zip: &Zip, wanted: &str) -> Option<String> {
    zip.file_names()
        .find(|n| normalized(n) == wanted)
        .map(str::to_string)
}

fn package_kind(zip: &mut Zip) -> Result<Package, ReadError> {
    let names: Vec<String> = zip.file_names().map(normalized).collect();
    let has = |n: &str| names.iter().any(|x| x == n);
    if has("xl/workbook.xml") {
        return Ok(Package::Xlsx);
    }
    if has("xl/workbook.bin") {
        return Ok(Package::Xlsb);
    }
    if has("content.xml") {
        let mime = read_small_part(zip, "mimetype").unwrap_or_default();
        if mime.is_empty() || mime.contains("spreadsheet") {
            return Ok(Package::Ods);
        }
        return Err(ReadError(format!(
            "This is an OpenDocument file of type {}, not a spreadsheet (.ods); open it and save the report as .xlsx or .docx.",
            mime.trim()
        )));
    }
    if has("word/document.xml") {
        return Err(ReadError(
            "This is a Word document, not a workbook; import it as a .docx file.".into(),
        ));
    }
    Err(ReadError(
        "This zip file is not a workbook (no xl/workbook.xml or content.xml in it); open it in Excel or WPS and save it again as .xlsx.".into(),
    ))
}

/// A small part's text (`mimetype`, the .ods manifest), at most 1 MiB of it.
fn read_small_part(zip: &mut Zip, wanted: &str) -> Option<String> {
    let name = find_part(zip, wanted)?;
    let file = zip.by_name(&name).ok()?;
    let mut text = String::new();
    file.take(1 << 20).read_to_string(&mut text).ok()?;
    Some(text)
}

/// Inflates every part once, counting: a zip bomb (a part claiming a small size and
/// inflating to gigabytes) is refused here, before calamine reads it without a limit.
fn check_inflated_sizes(zip: &mut Zip) -> Result<(), ReadError> {
    let mut total = 0u64;
    for i in 0..zip.len() {
        let Ok(mut file) = zip.by_index(i) else {
            // Unreadable (encrypted, unknown method): whoever needs it reports it.
            continue;
        };
        let name = file.name().to_string();
        let n = std::io::copy(
            &mut (&mut file).take(MAX_PART_BYTES + 1),
            &mut std::io::sink(),
        )
        .map_err(|e| damaged(&format!("its part {name} is corrupt: {e}")))?;
        if n > MAX_PART_BYTES {
            return Err(too_large(format!(
                "its part {name} inflates to more than {} MiB",
                MAX_PART_BYTES >> 20
            )));
        }
        total += n;
        if total > MAX_INFLATED_TOTAL {
            return Err(too_large(format!(
                "its parts inflate to more than {} MiB",
                MAX_INFLATED_TOTAL >> 20
            )));
        }
    }
    Ok(())
}

/// calamine reserves room for `uniqueCount` shared strings before reading any: a forged
/// count would allocate gigabytes (and abort the process) before any error is possible.
fn check_shared_strings(zip: &mut Zip) -> Result<(), ReadError> {
    let Some(name) = find_part(zip, "xl/sharedstrings.xml") else {
        return Ok(());
    };
    let Ok(file) = zip.by_name(&name) else {
        return Ok(());
    };
    let mut xml = quick_xml::Reader::from_reader(BufReader::new(file));
    let mut buf = Vec::new();
    loop {
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == b"sst" => {
                let count = e
                    .try_get_attribute("uniqueCount")
                    .ok()
                    .flatten()
                    .and_then(|a| decimal(&a.value));
                return match count {
                    Some(n) if n > MAX_SHARED_STRINGS => {
                        Err(too_large(format!("it declares {n} different strings")))
                    }
                    _ => Ok(()),
                };
            }
            Ok(Event::Eof) | Err(_) => return Ok(()),
            Ok(_) => buf.clear(),
        }
    }
}

/// Digits (with an optional `+`) as a number, saturating; None for anything else.
fn decimal(bytes: &[u8]) -> Option<u64> {
    let digits = bytes.strip_prefix(b"+").unwrap_or(bytes);
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(digits.iter().fold(0u64, |n, d| {
        n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    }))
}

fn xlsx_error(e: XlsxError) -> ReadError {
    match e {
        XlsxError::Password => password(),
        e => damaged(&e.to_string()),
    }
}

fn xlsb_error(e: XlsbError) -> ReadError {
    match e {
        XlsbError::Password => password(),
        e => damaged(&e.to_string()),
    }
}

fn read_xlsx(bytes: &[u8]) -> Result<Document, ReadError> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(xlsx_error)?;
    let mut budget = Budget::new();
    let mut tables = Vec::new();
    for name in wanted(book.sheets_metadata()) {
        let mut sheet = SheetBuilder::new(&name);
        {
            // Streamed: calamine's worksheet_range would allocate a dense grid from the
            // first to the last cell, billions of cells for one stray cell at XFD1048576.
            let mut cells = match book.worksheet_cells_reader(&name) {
                Ok(cells) => cells,
                Err(XlsxError::NotAWorksheet(_)) => continue,
                Err(e) => return Err(xlsx_error(e)),
            };
            while let Some(cell) = cells.next_cell().map_err(xlsx_error)? {
                sheet.cell(
                    cell.get_position(),
                    Value::of_ref(cell.get_value()),
                    &mut budget,
                )?;
            }
        }
        if let Some(merges) = book.worksheet_merge_cells(&name) {
            for range in merges.map_err(xlsx_error)? {
                sheet.merge(range, &mut budget)?;
            }
        }
        tables.push(sheet.finish(&mut budget)?);
    }
    Ok(Document {
        text: Vec::new(),
        tables,
    })
}

fn read_xlsb(bytes: &[u8]) -> Result<Document, ReadError> {
    let mut book: Xlsb<_> = Xlsb::new(Cursor::new(bytes)).map_err(xlsb_error)?;
    let mut budget = Budget::new();
    let mut tables = Vec::new();
    for name in wanted(book.sheets_metadata()) {
        let mut sheet = SheetBuilder::new(&name);
        {
            let mut cells = book.worksheet_cells_reader(&name).map_err(xlsb_error)?;
            while let Some(cell) = cells.next_cell().map_err(xlsb_error)? {
                sheet.cell(
                    cell.get_position(),
                    Value::of_ref(cell.get_value()),
                    &mut budget,
                )?;
            }
        }
        // calamine 0.35 has no merged-cell API for .xlsb.
        tables.push(sheet.finish(&mut budget)?);
    }
    Ok(Document {
        text: Vec::new(),
        tables,
    })
}

// ---------------------------------------------------------------------------------------

/// Web pages named .xls: a `<` first (after a BOM and blanks) and an HTML tag early on.
fn looks_like_html(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let head = &bytes[start..bytes.len().min(start + 1024)];
    if !head.starts_with(b"<") {
        return false;
    }
    let head = head.to_ascii_lowercase();
    [
        &b"<html"[..],
        b"<table",
        b"<!doctype html",
        b"<meta",
        b"<head",
    ]
    .iter()
    .any(|tag| head.windows(tag.len()).any(|w| w == *tag))
}

#[cfg(test)]
mod tests {
    use super::xls::ENDOFCHAIN;
    use super::*;
    use rust_xlsxwriter::{Chart, ChartType, Format, Workbook};
    use std::io::Write;

    type Built = Result<Vec<u8>, rust_xlsxwriter::XlsxError>;

    /// A report as offices send it: a 汇总 sheet, then the task sheet with a merged title
    /// (row 1), a date line (row 2), the header (row 3), a merged section row (row 4) and
    /// three tasks sharing one merged lead-units cell (rows 5–7).
    fn report() -> Built {
        let mut book = Workbook::new();
        let plain = Format::new();
        let date = Format::new().set_num_format("yyyy-mm-dd");
        let summary = book.add_worksheet().set_name("汇总")?;
        summary.write_string(0, 0, "汇总")?;
        summary.write_string(1, 0, "任务总数")?;
        summary.write_number(1, 1, 3.0)?;
        let tasks = book.add_worksheet().set_name("重点工作任务")?;
        tasks.merge_range(0, 0, 0, 4, "2020年上半年重点工作任务进展情况", &plain)?;
        tasks.write_string(1, 0, "填报日期:")?;
        let day = rust_xlsxwriter::ExcelDateTime::from_ymd(2020, 6, 30)?;
        tasks.write_datetime_with_format(1, 1, &day, &date)?;
        for (c, h) in ["序号", "目标与任务", "工作进展", "牵头责任单位", "责任单位"]
            .iter()
            .enumerate()
        {
            tasks.write_string(2, c as u16, *h)?;
        }
        tasks.merge_range(3, 0, 3, 4, "一、生态环境", &plain)?;
        for (i, goal) in ["治理大气污染", "保护水源地", "整治土壤"]
            .iter()
            .enumerate()
        {
            let r = 4 + i as u32;
            tasks.write_number(r, 0, i as f64 + 1.0)?;
            tasks.write_string(r, 1, *goal)?;
            tasks.write_string(r, 4, "各县(市)区政府")?;
        }
        tasks.write_string(4, 2, "一是完成监测点建设。\r\n  二是开展督查。\n\n")?;
        tasks.write_number(5, 2, 0.5)?;
        tasks.write_number(6, 2, 12.25)?;
        tasks.merge_range(4, 3, 6, 3, "市生态环境局", &plain)?;
        book.save_to_buffer()
    }

    fn read_ok(bytes: &[u8]) -> Document {
        match read(bytes) {
            Ok(doc) => doc,
            Err(e) => panic!("expected the workbook to be read, got: {e}"),
        }
    }

    fn err(bytes: &[u8]) -> String {
        match read(bytes) {
            Ok(doc) => panic!("expected an error, read {} tables", doc.tables.len()),
            Err(e) => e.0,
        }
    }

    fn texts(row: &Row) -> Vec<String> {
        row.cells.iter().map(|c| c.joined("|")).collect()
    }

    fn merged(row: &Row) -> Vec<Merged> {
        row.cells.iter().map(|c| c.merged).collect()
    }

    #[test]
    fn a_report_workbook_reads_as_its_sheets() -> Result<(), rust_xlsxwriter::XlsxError> {
        let doc = read_ok(&report()?);
        assert!(doc.text.is_empty());
        let names: Vec<&str> = doc.tables.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["工作表“汇总”", "工作表“重点工作任务”"]);
        assert_eq!(texts(&doc.tables[0].rows[1]), ["任务总数", "3"]);

        let t = &doc.tables[1];
        assert_eq!(t.caption, ["重点工作任务"]);
        let at: Vec<usize> = t.rows.iter().map(|r| r.at).collect();
        assert_eq!(at, [1, 2, 3, 4, 5, 6, 7]);
        // Title merged across the table.
        assert_eq!(texts(&t.rows[0])[0], "2020年上半年重点工作任务进展情况");
        assert_eq!(
            merged(&t.rows[0]),
            [
                Merged::No,
                Merged::Left,
                Merged::Left,
                Merged::Left,
                Merged::Left
            ]
        );
        assert_eq!(texts(&t.rows[1]), ["填报日期:", "2020-06-30"]);
        assert_eq!(texts(&t.rows[2])[3], "牵头责任单位");
        assert_eq!(texts(&t.rows[3])[0], "一、生态环境");
        assert_eq!(merged(&t.rows[3])[1..], [Merged::Left; 4]);
        // Tasks: numbers as numbers, Alt+Enter paragraphs, units shared down three rows.
        let first = &t.rows[4];
        assert_eq!(first.cells[0].paragraphs, ["1"]);
        assert_eq!(
            first.cells[2].paragraphs,
            ["一是完成监测点建设。", "二是开展督查。"]
        );
        assert_eq!(first.cells[3].paragraphs, ["市生态环境局"]);
        assert_eq!(texts(&t.rows[5])[..3], ["2", "保护水源地", "0.5"]);
        assert_eq!(texts(&t.rows[6])[2], "12.25");
        for row in &t.rows[5..7] {
            assert_eq!(row.cells[3], Cell::covered(Merged::Above));
            assert_eq!(row.cells[4].paragraphs, ["各县(市)区政府"]);
        }
        Ok(())
    }

    #[test]
    fn hidden_and_chart_sheets_are_skipped() -> Result<(), rust_xlsxwriter::XlsxError> {
        let mut book = Workbook::new();
        book.add_worksheet()
            .set_name("任务")?
            .write_string(0, 0, "序号")?;
        book.add_worksheet()
            .set_name("下拉列表")?
            .set_hidden(true)
            .write_string(0, 0, "市发改委")?;
        let mut chart = Chart::new(ChartType::Column);
        chart.add_series().set_values("任务!$A$1:$A$1");
        book.add_chartsheet().insert_chart(0, 0, &chart)?;
        let doc = read_ok(&book.save_to_buffer()?);
        let names: Vec<&str> = doc.tables.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["工作表“任务”"]);
        Ok(())
    }

    #[test]
    fn rows_are_numbered_as_excel_shows_them() -> Result<(), rust_xlsxwriter::XlsxError> {
        let mut book = Workbook::new();
        let s = book.add_worksheet();
        s.write_string(9, 2, "序号")?;
        s.write_string(11, 3, "x")?;
        s.write_boolean(12, 2, true)?;
        let doc = read_ok(&book.save_to_buffer()?);
        let t = &doc.tables[0];
        let at: Vec<usize> = t.rows.iter().map(|r| r.at).collect();
        assert_eq!(at, [10, 12, 13]);
        // Cells start at the first used column (C).
        assert_eq!(texts(&t.rows[0]), ["序号"]);
        assert_eq!(texts(&t.rows[1]), ["", "x"]);
        assert_eq!(texts(&t.rows[2]), ["TRUE"]);
        Ok(())
    }

    #[test]
    fn one_stray_cell_far_away_costs_only_its_row() -> Result<(), rust_xlsxwriter::XlsxError> {
        let mut book = Workbook::new();
        let s = book.add_worksheet();
        s.write_string(0, 0, "序号")?;
        s.write_string(1_048_575, 16_383, "stray")?;
        let doc = read_ok(&book.save_to_buffer()?);
        let rows = &doc.tables[0].rows;
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].at, 1_048_576);
        assert_eq!(rows[1].cells.len(), 16_384);
        assert_eq!(rows[1].cells[16_383].paragraphs, ["stray"]);
        Ok(())
    }

    #[test]
    fn a_merge_over_a_huge_extent_is_refused_not_allocated() {
        let mut budget = Budget::new();
        let mut sheet = SheetBuilder::new("任务");
        let corners = [(0, 0), (1_048_575, 16_383)];
        for at in corners {
            assert!(sheet.cell(at, Value::Text("x"), &mut budget).is_ok());
        }
        let everything = Dimensions::new(corners[0], corners[1]);
        assert!(sheet.merge(everything, &mut budget).is_ok());
        let e = sheet.finish(&mut budget).err().map(|e| e.0);
        assert!(e.is_some_and(|m| m.contains("too large") && m.contains("工作表“任务”")));
    }

    #[test]
    fn the_filled_cell_budget_is_per_workbook() {
        let mut budget = Budget::new();
        budget.filled = 2;
        let mut a = SheetBuilder::new("a");
        let mut b = SheetBuilder::new("b");
        assert!(a.cell((0, 0), Value::Int(1), &mut budget).is_ok());
        assert!(a.cell((0, 1), Value::Nothing, &mut budget).is_ok());
        assert!(b.cell((0, 0), Value::Int(1), &mut budget).is_ok());
        assert!(b.cell((0, 1), Value::Int(2), &mut budget).is_err());
    }

    #[test]
    fn values_read_as_excel_shows_them() {
        let text = |v: Value| v.paragraphs().join("|");
        assert_eq!(text(Value::Float(12.0)), "12");
        assert_eq!(text(Value::Float(-3.0)), "-3");
        assert_eq!(text(Value::Float(0.1 + 0.2)), "0.3");
        assert_eq!(text(Value::Float(1234.5678)), "1234.5678");
        assert_eq!(text(Value::Int(7)), "7");
        assert_eq!(text(Value::Bool(false)), "FALSE");
        assert_eq!(text(Value::Text(" a \r b\r\n\r\nc ")), "a|b|c");
        use calamine::ExcelDateTimeType::{DateTime, TimeDelta};
        let date = |v, t| text(Value::Date(ExcelDateTime::new(v, t, false)));
        assert_eq!(date(44012.0, DateTime), "2020-06-30");
        assert_eq!(date(44012.5, DateTime), "2020-06-30 12:00");
        assert_eq!(date(0.75, DateTime), "18:00");
        assert_eq!(date(1.5, TimeDelta), "36:00:00");
        assert_eq!(date(-1.0, DateTime), "-1");
        assert_eq!(text(Value::IsoDate("2020-06-30T00:00:00")), "2020-06-30");
        assert_eq!(
            text(Value::IsoDate("2020-06-30T08:30:00")),
            "2020-06-30 08:30"
        );
        assert_eq!(text(Value::IsoDuration("PT12H30M00S")), "12:30:00");
        assert_eq!(text(Value::IsoDuration("P1DT1H")), "25:00:00");
        assert_eq!(text(Value::IsoDuration("soon")), "soon");
        assert_eq!(text(Value::Nothing), "");
    }

    #[test]
    fn garbage_and_damaged_files_get_a_sentence() -> Result<(), rust_xlsxwriter::XlsxError> {
        assert!(err(b"").contains("empty"));
        assert!(err(b"\x00\x01garbage bytes, not a workbook").contains("not a workbook"));
        let bytes = report()?;
        let cut = err(&bytes[..bytes.len() / 2]);
        assert!(
            cut.contains("damaged") && cut.contains("save it again as .xlsx"),
            "{cut}"
        );
        let word = rezip(&bytes, |name, data| {
            (name != "xl/workbook.xml").then(|| (name.replace("xl/", "word/"), data))
        });
        assert!(err(&word).contains("not a workbook"));
        Ok(())
    }

    #[test]
    fn corrupt_bytes_never_panic() -> Result<(), rust_xlsxwriter::XlsxError> {
        let bytes = report()?;
        for i in (0..bytes.len()).step_by(bytes.len() / 97 + 1) {
            let mut bad = bytes.clone();
            bad[i] ^= 0x5a;
            let _ = read(&bad);
            let _ = read(&bytes[..i]);
        }
        Ok(())
    }

    /// Rebuilds a zip package, letting `edit` rename, change or drop each part.
    fn rezip(bytes: &[u8], edit: impl Fn(&str, Vec<u8>) -> Option<(String, Vec<u8>)>) -> Vec<u8> {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..zip.len() {
            let mut file = zip.by_index(i).expect("a part");
            let mut data = Vec::new();
            file.read_to_end(&mut data).expect("readable");
            if let Some((name, data)) = edit(file.name(), data) {
                out.start_file(name, zip::write::SimpleFileOptions::default())
                    .expect("start");
                out.write_all(&data).expect("write");
            }
        }
        out.finish().expect("finish").into_inner()
    }

    #[test]
    fn a_forged_shared_string_count_is_refused() -> Result<(), rust_xlsxwriter::XlsxError> {
        let forged = rezip(&report()?, |name, data| {
            let data = if name == "xl/sharedStrings.xml" {
                let xml = String::from_utf8(data).expect("utf-8");
                let at = xml.find("uniqueCount=\"").expect("a count") + 13;
                let end = at + xml[at..].find('"').expect("closed");
                format!("{}4000000000{}", &xml[..at], &xml[end..]).into_bytes()
            } else {
                data
            };
            Some((name.to_string(), data))
        });
        assert!(err(&forged).contains("4000000000 different strings"));
        Ok(())
    }

    #[test]
    fn a_zip_bomb_is_refused() {
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default().compression_level(Some(1));
        let ok = out.start_file("xl/workbook.xml", options).is_ok()
            && out.start_file("xl/worksheets/sheet1.xml", options).is_ok();
        assert!(ok);
        let zeros = vec![b' '; 1 << 20];
        for _ in 0..=(MAX_PART_BYTES >> 20) {
            assert!(out.write_all(&zeros).is_ok());
        }
        let bytes = out.finish().map(|c| c.into_inner()).unwrap_or_default();
        // A few MiB on disk, over 256 MiB inflated.
        assert!(bytes.len() < 8 << 20, "{}", bytes.len());
        assert!(err(&bytes).contains("inflates to more than 256 MiB"));
    }

    fn ods(content: &str, manifest: &str) -> Vec<u8> {
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        for (name, data) in [
            ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
            ("META-INF/manifest.xml", manifest),
            ("content.xml", content),
        ] {
            assert!(out.start_file(name, options).is_ok());
            assert!(out.write_all(data.as_bytes()).is_ok());
        }
        out.finish().map(|c| c.into_inner()).unwrap_or_default()
    }

    const ODS_CONTENT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0">
<office:automatic-styles>
<style:style style:name="ta1" style:family="table"><style:table-properties table:display="true"/></style:style>
<style:style style:name="ta2" style:family="table"><style:table-properties table:display="false"/></style:style>
</office:automatic-styles>
<office:body><office:spreadsheet>
<table:table table:name="重点工作任务" table:style-name="ta1">
<table:table-column table:number-columns-repeated="4"/>
<table:table-row><table:table-cell table:number-columns-spanned="4" office:value-type="string"><text:p>2020年上半年  重点工作</text:p></table:table-cell><table:covered-table-cell table:number-columns-repeated="3"/></table:table-row>
<table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>
<table:table-row><table:table-cell office:value-type="string"><text:p>序号</text:p></table:table-cell><table:table-cell><text:p>目标与任务</text:p></table:table-cell><table:table-cell><text:p>工作进展</text:p></table:table-cell><table:table-cell><text:p>牵头单位</text:p></table:table-cell></table:table-row>
<table:table-row><table:table-cell office:value-type="float" office:value="1"><text:p>1.00</text:p></table:table-cell><table:table-cell><text:p>治理&amp;保护<office:annotation><text:p>批注</text:p></office:annotation></text:p></table:table-cell><table:table-cell><text:p>一是<text:span>完成</text:span></text:p><text:p>二是<text:s text:c="2"/>开展</text:p><text:p>三是<text:line-break/>四是</text:p></table:table-cell><table:table-cell table:number-rows-spanned="2" office:value-type="string"><text:p>市生态环境局</text:p></table:table-cell></table:table-row>
<table:table-row><table:table-cell office:value-type="percentage" office:value="0.5"><text:p>50%</text:p></table:table-cell><table:table-cell office:value-type="date" office:date-value="2020-06-30"><text:p>6月30日</text:p></table:table-cell><table:table-cell office:value-type="boolean" office:boolean-value="true"/><table:covered-table-cell/></table:table-row>
<table:table-row table:number-rows-repeated="1048000"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>
</table:table>
<table:table table:name="隐藏" table:style-name="ta2"><table:table-row><table:table-cell><text:p>x</text:p></table:table-cell></table:table-row></table:table>
<table:table table:name="汇总"><table:table-row><table:table-cell table:number-columns-repeated="2" office:value-type="float" office:value="3"/></table:table-row></table:table>
</office:spreadsheet></office:body></office:document-content>"#;

    #[test]
    fn an_ods_reads_with_its_merges() {
        let doc = read_ok(&ods(ODS_CONTENT, "<manifest:manifest/>"));
        let names: Vec<&str> = doc.tables.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["工作表“重点工作任务”", "工作表“汇总”"]);
        let t = &doc.tables[0];
        let at: Vec<usize> = t.rows.iter().map(|r| r.at).collect();
        assert_eq!(at, [1, 4, 5, 6]);
        assert_eq!(texts(&t.rows[0])[0], "2020年上半年  重点工作");
        assert_eq!(merged(&t.rows[0])[1..], [Merged::Left; 3]);
        let task = &t.rows[2];
        assert_eq!(texts(task)[..2], ["1", "治理&保护"]);
        assert_eq!(
            task.cells[2].paragraphs,
            ["一是完成", "二是  开展", "三是", "四是"]
        );
        assert_eq!(texts(&t.rows[3])[..3], ["0.5", "2020-06-30", "TRUE"]);
        assert_eq!(t.rows[3].cells[3], Cell::covered(Merged::Above));
        assert_eq!(texts(&doc.tables[1].rows[0]), ["3", "3"]);
    }

    #[test]
    fn an_encrypted_ods_asks_for_the_password_to_be_removed() {
        let manifest = "<manifest:manifest><manifest:file-entry><manifest:encryption-data/></manifest:file-entry></manifest:manifest>";
        assert!(err(&ods(ODS_CONTENT, manifest)).contains("password-protected"));
    }

    #[test]
    fn ods_repeats_cannot_blow_up() {
        let content = ODS_CONTENT.replace(
            r#"<table:table-cell table:number-columns-repeated="2" office:value-type="float" office:value="3"/>"#,
            r#"<table:table-cell table:number-columns-repeated="16384" office:value-type="float" office:value="3"/>"#,
        ).replace(
            r#"<table:table table:name="汇总"><table:table-row>"#,
            r#"<table:table table:name="汇总"><table:table-row table:number-rows-repeated="1048576">"#,
        );
        assert!(err(&ods(&content, "<manifest:manifest/>")).contains("too large"));
    }

    // A minimal BIFF8 workbook in a compound file, as Excel 97–2003 and WPS write them.

    fn record(typ: u16, data: &[u8]) -> Vec<u8> {
        [
            &typ.to_le_bytes()[..],
            &(data.len() as u16).to_le_bytes(),
            data,
        ]
        .concat()
    }

    fn utf16(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    enum Biff<'a> {
        Label(u16, u16, &'a str),
        Number(u16, u16, f64),
        Merge(u16, u16, u16, u16),
        Dimensions(u32, u32, u16, u16),
    }

    fn workbook_stream(name: &str, cells: &[Biff]) -> Vec<u8> {
        let bof = |dt: u16| {
            record(
                0x0809,
                &[&0x0600u16.to_le_bytes()[..], &dt.to_le_bytes(), &[0; 12]].concat(),
            )
        };
        let sheet_name = [&[name.encode_utf16().count() as u8, 1][..], &utf16(name)].concat();
        let bound = |pos: u32| {
            record(
                0x0085,
                &[&pos.to_le_bytes()[..], &[0, 0], &sheet_name].concat(),
            )
        };
        let globals_len = bof(5).len() + bound(0).len() + record(0x000A, &[]).len();
        let mut s = [
            bof(5),
            bound(globals_len as u32),
            record(0x000A, &[]),
            bof(0x10),
        ]
        .concat();
        for c in cells {
            s.extend(match *c {
                Biff::Label(r, col, text) => {
                    let head = [r.to_le_bytes(), col.to_le_bytes(), [0, 0]].concat();
                    let len = (text.encode_utf16().count() as u16).to_le_bytes();
                    record(0x0204, &[&head[..], &len, &[1], &utf16(text)].concat())
                }
                Biff::Number(r, col, v) => {
                    let head = [r.to_le_bytes(), col.to_le_bytes(), [0, 0]].concat();
                    record(0x0203, &[&head[..], &v.to_le_bytes()].concat())
                }
                Biff::Merge(rf, rl, cf, cl) => {
                    let data = [1u16, rf, rl, cf, cl].map(u16::to_le_bytes).concat();
                    record(0x00E5, &data)
                }
                Biff::Dimensions(rf, rl, cf, cl) => record(
                    0x0200,
                    &[
                        &rf.to_le_bytes()[..],
                        &rl.to_le_bytes(),
                        &cf.to_le_bytes(),
                        &cl.to_le_bytes(),
                        &[0, 0],
                    ]
                    .concat(),
                ),
            });
        }
        s.extend(record(0x000A, &[]));
        s
    }

    /// Wraps a stream named `Workbook` in a compound file: FAT in sector 0, directory in
    /// sector 1, the stream from sector 2 (padded to at least 4096 bytes, so it lives in
    /// ordinary sectors). `dir_next` is the directory sector's FAT entry (a forged file
    /// points it back at itself).
    fn compound(mut stream: Vec<u8>, dir_next: u32) -> Vec<u8> {
        let len = stream.len().max(4096).div_ceil(512) * 512;
        stream.resize(len, 0);
        let sectors = (len / 512) as u32;
        let mut header = vec![0u8; 512];
        header[..8].copy_from_slice(CFB_MAGIC);
        let put16 =
            |h: &mut Vec<u8>, at: usize, v: u16| h[at..at + 2].copy_from_slice(&v.to_le_bytes());
        let put32 =
            |h: &mut Vec<u8>, at: usize, v: u32| h[at..at + 4].copy_from_slice(&v.to_le_bytes());
        put16(&mut header, 24, 0x3E);
        put16(&mut header, 26, 3);
        put16(&mut header, 28, 0xFFFE);
        put16(&mut header, 30, 9);
        put16(&mut header, 32, 6);
        put32(&mut header, 44, 1);
        put32(&mut header, 48, 1);
        put32(&mut header, 56, 4096);
        put32(&mut header, 60, ENDOFCHAIN);
        put32(&mut header, 68, ENDOFCHAIN);
        for i in 0..109 {
            put32(&mut header, 76 + 4 * i, if i == 0 { 0 } else { u32::MAX });
        }
        let mut fat = vec![u32::MAX; 128];
        fat[0] = 0xFFFF_FFFD;
        fat[1] = dir_next;
        for s in 0..sectors {
            fat[2 + s as usize] = if s + 1 == sectors { ENDOFCHAIN } else { 3 + s };
        }
        let mut dir = vec![0u8; 512];
        for (i, (name, kind, start, size)) in [
            ("Root Entry", 5u8, ENDOFCHAIN, 0u32),
            ("Workbook", 2, 2, len as u32),
        ]
        .into_iter()
        .enumerate()
        {
            let e = &mut dir[i * 128..(i + 1) * 128];
            let n = utf16(name);
            e[..n.len()].copy_from_slice(&n);
            e[64..66].copy_from_slice(&(n.len() as u16 + 2).to_le_bytes());
            e[66] = kind;
            e[116..120].copy_from_slice(&start.to_le_bytes());
            e[120..124].copy_from_slice(&size.to_le_bytes());
        }
        let fat: Vec<u8> = fat.into_iter().flat_map(u32::to_le_bytes).collect();
        [header, fat, dir, stream].concat()
    }

    #[test]
    fn an_xls_reads_through_calamine_with_its_merges() {
        let stream = workbook_stream(
            "任务",
            &[
                Biff::Label(0, 0, "序号"),
                Biff::Label(0, 1, "牵头单位"),
                Biff::Number(1, 0, 1.0),
                Biff::Label(1, 1, "市发改委"),
                Biff::Number(2, 0, 2.5),
                Biff::Merge(1, 2, 1, 1),
            ],
        );
        let doc = read_ok(&compound(stream, ENDOFCHAIN));
        assert_eq!(doc.tables.len(), 1);
        let t = &doc.tables[0];
        assert_eq!(t.name, "工作表“任务”");
        assert_eq!(texts(&t.rows[0]), ["序号", "牵头单位"]);
        assert_eq!(texts(&t.rows[1]), ["1", "市发改委"]);
        assert_eq!(texts(&t.rows[2])[0], "2.5");
        assert_eq!(t.rows[2].cells[1], Cell::covered(Merged::Above));
    }

    #[test]
    fn forged_xls_files_are_refused_before_calamine_allocates() {
        // Two cells at opposite corners: calamine would build a 65536 × 65536 grid.
        let corners = [Biff::Label(0, 0, "a"), Biff::Label(65_535, 65_535, "b")];
        let e = err(&compound(workbook_stream("s", &corners), ENDOFCHAIN));
        assert!(e.contains("too large"), "{e}");
        // A DIMENSIONS record asking calamine to reserve 2^32 rows.
        let dims = [
            Biff::Dimensions(0, u32::MAX, 0, 200),
            Biff::Label(0, 0, "a"),
        ];
        let e = err(&compound(workbook_stream("s", &dims), ENDOFCHAIN));
        assert!(e.contains("too large"), "{e}");
        // A directory chain pointing back at itself: calamine would loop forever.
        let e = err(&compound(workbook_stream("s", &[]), 1));
        assert!(e.contains("circle"), "{e}");
        // Cut short anywhere: an error or what was readable, never a panic or a hang.
        let whole = compound(workbook_stream("s", &[Biff::Label(0, 0, "a")]), ENDOFCHAIN);
        for n in (0..whole.len()).step_by(97) {
            let _ = read(&whole[..n]);
        }
    }

    #[test]
    fn damaged_xls_files_end_quickly() {
        let stream = workbook_stream(
            "任务",
            &[
                Biff::Label(0, 0, "序号"),
                Biff::Number(1, 0, 1.0),
                Biff::Label(1, 1, "市发改委"),
                Biff::Merge(1, 2, 1, 1),
            ],
        );
        let whole = compound(stream, ENDOFCHAIN);
        let mut read_anyway = 0;
        for i in 0..whole.len() {
            for v in [0x00u8, 0xFF, 0x01] {
                let mut bad = whole.clone();
                bad[i] = v;
                let started = std::time::Instant::now();
                read_anyway += usize::from(read(&bad).is_ok());
                assert!(
                    started.elapsed().as_secs() < 2,
                    "byte {i} = {v:#x} took too long"
                );
            }
        }
        // Most bytes are padding or text: the workbook still reads.
        assert!(read_anyway > whole.len());
    }

    #[test]
    fn a_web_page_named_xls_is_read_as_a_page() {
        let page =
            "<html><body><table><tr><td>序号</td><td>目标与任务</td></tr></table></body></html>";
        let doc = read_ok(page.as_bytes());
        assert_eq!(doc.tables.len(), 1);
    }
}
