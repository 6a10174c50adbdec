//! The report importer: bytes → the kind of file (read from its bytes) → for office files
//! and web pages their tables (`docx`, `sheet`, `html`), for text its encoding and layout
//! (detected, never told; CSV and pasted spreadsheet cells are tables too) → one
//! column-role step for every table → rows → units cleaned and resolved against the alias
//! file → the report period. Pure: it never touches the store, so a bad file changes
//! nothing.

pub mod aligned;
pub mod boundary;
pub mod cells;
pub mod columns;
pub mod concatenated;
pub mod delimited;
pub mod docx;
pub mod encoding;
pub mod format;
pub mod headers;
pub mod html;
pub mod labelled;
pub mod layout;
pub mod limits;
pub mod parenthesized;
pub mod period;
pub mod pipe;
pub mod preview;
pub mod sheet;
pub mod table;
pub mod units;
pub mod unwrap;

use crate::lang::t;
use crate::model::Unit;
use crate::tr;
pub use format::Format;
pub use period::{PeriodName, PeriodSource};
use serde::Serialize;
use table::Document;
pub use units::Aliases;

/// One line of the decoded report, with its 1-based line number in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceLine<'a> {
    pub number: usize,
    pub text: &'a str,
}

/// The layouts the importer recognises (IMPORT.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// One row per line, the five columns run together (the sample).
    Concatenated,
    /// One cell per line or per paragraph under a header of column names.
    Cells,
    /// `N.<task>` then `进展情况:` / `牵头责任单位:` / `协同责任单位:` paragraphs.
    Labelled,
    /// `| 序号 | 目标与任务 | … |` tables.
    Pipe,
    /// Units in parentheses at the end of each task paragraph.
    Parenthesized,
    /// A table with a header row (Word, Excel, a web page, CSV): columns by their headers.
    Table,
}

impl Layout {
    pub fn describe(self) -> &'static str {
        match self {
            Layout::Concatenated => t(
                "各栏首尾相连，每行一项",
                "concatenated columns, one row per line",
            ),
            Layout::Cells => t("每行或每段一个单元格", "one cell per line or paragraph"),
            Layout::Labelled => t("带标签的段落", "labelled paragraphs"),
            Layout::Pipe => t("竖线表格", "pipe table"),
            Layout::Parenthesized => t(
                "每项任务后括号内列单位",
                "units in parentheses after each task",
            ),
            Layout::Table => t("表格，按表头识别各栏", "table, columns by their headers"),
        }
    }
}

/// A row's units as a layout parser found them, before names are split and resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawUnits {
    /// Separate lead and co cells, each a list separated by `、` `,` `,` or spaces.
    Columns { lead: String, co: String },
    /// One units cell: the first-listed unit leads (Hangzhou's convention).
    SingleColumn(String),
    /// Already split by the parser (the concatenated layout must split touching names itself).
    Split { lead: Vec<String>, co: Vec<String> },
}

/// One task row as a layout parser found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRow {
    /// The row's number, or None when the report's numbering was lost in copying.
    pub number: Option<u32>,
    pub section: Option<String>,
    /// 1-based line where the row starts.
    pub line: usize,
    pub goal: String,
    pub progress: Vec<String>,
    pub units: RawUnits,
    /// Columns that are no field of a task (备注, 完成时限…), kept as notes: `备注` text as
    /// written, any other column as `<header>:<text>`.
    pub notes: Vec<String>,
}

/// Text the importer could not place in any row: reported, never dropped silently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Unplaced {
    pub line: usize,
    pub text: String,
    pub reason: String,
}

/// What a layout parser returns.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub rows: Vec<RawRow>,
    pub unplaced: Vec<Unplaced>,
    /// Rows imported that the person importing should look at (a task without a goal).
    pub warnings: Vec<Unplaced>,
}

/// A task row, ready for the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportedRow {
    pub number: u32,
    pub section: Option<String>,
    pub line: usize,
    pub goal: String,
    pub progress: Vec<String>,
    pub lead_units: Vec<Unit>,
    pub co_units: Vec<Unit>,
    /// Text of columns that are no field of a task, for the task's notes (see [`RawRow::notes`]).
    pub notes: Vec<String>,
}

/// The whole result of reading one report file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The file name as given, for messages.
    pub source: String,
    /// What the file was read as (from its bytes).
    pub format: Format,
    /// The text encoding (`UTF-8`, `GB18030`…), or the office format's own for Word and
    /// Excel files.
    pub encoding: &'static str,
    pub layout: Layout,
    /// The report period: named by the title (`2020年上半年`), else after a date in the
    /// document or the file's name; `source` says which.
    pub period: PeriodName,
    pub rows: Vec<ImportedRow>,
    pub unplaced: Vec<Unplaced>,
    /// Rows imported that deserve a look (a task without a goal), with why.
    pub warnings: Vec<Unplaced>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{}", tr!(
        "{file}：文件是空的。应为重点工作任务表：Word、Excel、网页文件或文本。",
        "{file}: the file is empty. Expected a key-work task report (重点工作任务表): a Word, Excel or web page file, or text.",
        file = .file
    ))]
    Empty { file: String },
    #[error("{}", tr!(
        "{file}：这像是二进制文件（{detail}），不是 duban 能读的报告。请以 .docx、.xlsx、.xls、.ods、.html 或文本导入报告。",
        "{file}: this looks like a binary file ({detail}), not a report duban can read. Import the report as .docx, .xlsx, .xls, .ods, .html or text.",
        file = .file, detail = .detail
    ))]
    Binary { file: String, detail: String },
    #[error("{}", tr!(
        "{file}：这是{what}，duban 无法读取：{advice}。",
        "{file}: this is {what}, which duban cannot read: {advice}.",
        file = .file, what = .what, advice = .advice
    ))]
    Unsupported {
        file: String,
        what: &'static str,
        advice: &'static str,
    },
    #[error("{}", tr!(
        "{file}：无法读取此{format}：{reason}",
        "{file}: could not read this {format}: {reason}",
        file = .file, format = .format, reason = .reason
    ))]
    Unreadable {
        file: String,
        format: &'static str,
        reason: String,
    },
    #[error("{}", tr!(
        "{file}：没有找到任务表。应有 序号 / 目标与任务 / 工作进展 / 牵头责任单位 / 责任单位 这样的表头（Word、Excel 或网页中的表格，或各行带序号的文本），或带标签的段落（进展情况： / 牵头责任单位：），或 | 竖线 | 表格。",
        "{file}: no task table found. Expected a header such as 序号 / 目标与任务 / 工作进展 / 牵头责任单位 / 责任单位 (a table in Word, Excel or a web page, or text with numbered rows), labelled paragraphs (进展情况: / 牵头责任单位:), or a | pipe | table.",
        file = .file
    ))]
    NoTable { file: String },
    #[error("{}", tr!(
        "{file}：这是{what}，不是报告文件。请给出报告本身的路径（.docx、.xlsx、.html 或文本文件）。",
        "{file}: this is {what}, not a report file. Give the path of the report itself (a .docx, .xlsx, .html or text file).",
        file = .file, what = .what
    ))]
    NotAFile { file: String, what: &'static str },
    #[error("{}", tr!(
        "{file}：未导入：{what}。请确认这是报告；如确实是，请拆分，或用 DUBAN_MAX_REPORT_MB / DUBAN_MAX_REPORT_ROWS 放宽上限。",
        "{file}: not imported: {what}. Check that this is the report; if it really is, split it, or raise the limit with DUBAN_MAX_REPORT_MB / DUBAN_MAX_REPORT_ROWS.",
        file = .file, what = .what
    ))]
    TooLarge { file: String, what: String },
    #[error("{}", tr!(
        "{file}：无法读取：{reason}",
        "{file}: could not read it: {reason}",
        file = .file, reason = .reason
    ))]
    Io {
        file: String,
        reason: std::io::Error,
    },
}

/// A text's lines, numbered from 1 as an editor shows them (a `\r` before `\n` dropped).
pub fn source_lines(text: &str) -> Vec<SourceLine<'_>> {
    text.lines()
        .enumerate()
        .map(|(i, t)| SourceLine {
            number: i + 1,
            text: t.strip_suffix('\r').unwrap_or(t),
        })
        .collect()
}

/// Reads a report from bytes. `source` names the file in messages (and, when nothing in the
/// report names its period, the period).
pub fn import_bytes(bytes: &[u8], source: &str, aliases: &Aliases) -> Result<Report, ImportError> {
    let file = || source.to_string();
    if bytes.is_empty() {
        return Err(ImportError::Empty { file: file() });
    }
    limits::check_bytes(source, bytes.len())?;
    let format = format::sniff(bytes).map_err(|u| ImportError::Unsupported {
        file: file(),
        what: u.what,
        advice: u.advice,
    })?;
    let unreadable = |e: table::ReadError| ImportError::Unreadable {
        file: file(),
        format: format.describe(),
        reason: e.0,
    };
    match format {
        Format::Text => import_text(bytes, source, aliases),
        Format::Docx | Format::Html => {
            let doc = if format == Format::Docx {
                docx::read(bytes)
            } else {
                html::read(bytes)
            }
            .map_err(unreadable)?;
            let encoding = if format == Format::Docx {
                "Office Open XML"
            } else {
                "HTML"
            };
            if let Some(report) = from_tables(&doc, true, source, format, encoding, aliases)? {
                return Ok(report);
            }
            if format == Format::Docx {
                // The task table may sit inside a frame (a one-cell table laying out the
                // page): read the tables inside cells as tables of their own.
                if let Ok(framed) = docx::read_nested_grids(bytes) {
                    if let Some(report) =
                        from_tables(&framed, true, source, format, encoding, aliases)?
                    {
                        return Ok(report);
                    }
                }
            }
            as_text(&doc, source, format, encoding, aliases)
        }
        Format::Xlsx | Format::Xlsb | Format::Xls | Format::Ods => {
            let doc = sheet::read(bytes).map_err(unreadable)?;
            match from_tables(&doc, false, source, format, "spreadsheet", aliases)? {
                Some(report) => Ok(report),
                None => as_text(&doc, source, format, "spreadsheet", aliases),
            }
        }
    }
}

/// A document none of whose tables has a task header, read as text: its paragraphs (a
/// report written as labelled paragraphs, units in parentheses…), then its tables' rows one
/// line each (a report typed or pasted into a sheet one line per row), through the text
/// layouts.
fn as_text(
    doc: &Document,
    source: &str,
    format: Format,
    encoding: &'static str,
    aliases: &Aliases,
) -> Result<Report, ImportError> {
    let rows = doc.text.len() + doc.tables.iter().map(|t| t.rows.len()).sum::<usize>();
    limits::check_rows(source, rows, t("段落和表格行", "paragraphs and table rows"))?;
    let mut lines = doc.text.clone();
    lines.extend(table_lines(doc));
    let mut report =
        import_decoded(&lines.join("\n"), source, encoding, aliases).map_err(|e| match e {
            // The file has text, just no report in it.
            ImportError::Empty { file } => ImportError::NoTable { file },
            other => other,
        })?;
    report.format = format;
    Ok(report)
}

/// The rows of a document's tables as lines of text, cells separated by tabs (a cell's
/// paragraphs by line breaks), for the text layouts when no table has a known header.
fn table_lines(doc: &Document) -> Vec<String> {
    doc.tables
        .iter()
        .flat_map(|t| &t.rows)
        .map(|r| {
            r.cells
                .iter()
                .map(|c| c.joined("\n"))
                .collect::<Vec<_>>()
                .join("\t")
        })
        .collect()
}

/// A text report: decoded, then read as a table when it is one (CSV, cells pasted from a
/// spreadsheet), else by its layout.
fn import_text(bytes: &[u8], source: &str, aliases: &Aliases) -> Result<Report, ImportError> {
    // Counted on the decoded text, before any layout reads it (they hold several copies
    // of each line).
    let decoded = encoding::decode(bytes, source)?;
    limits::check_rows(
        source,
        memchr::memchr_iter(b'\n', decoded.text.as_bytes()).count() + 1,
        t("行", "lines"),
    )?;
    import_decoded(&decoded.text, source, decoded.encoding, aliases)
}

fn import_decoded(
    text: &str,
    source: &str,
    encoding: &'static str,
    aliases: &Aliases,
) -> Result<Report, ImportError> {
    let lines = source_lines(text);
    if lines.iter().all(|l| l.text.trim().is_empty()) {
        return Err(ImportError::Empty {
            file: source.to_string(),
        });
    }
    // A PDF's copy: page furniture out (for tables lined up with spaces, only that), and
    // wrapped paragraphs joined for the text layouts (line numbers kept either way).
    let cleaned = unwrap::unwrap(&lines, false);
    let table_text = cleaned.as_deref().unwrap_or(text);
    let unwrapped = unwrap::unwrap(&lines, true);
    let lines = match &unwrapped {
        Some(t) => source_lines(t),
        None => lines,
    };
    // Text that is a table of cells: delimited (CSV, cells pasted from a spreadsheet), or
    // lined up with spaces.
    let tables: [fn(&str) -> Option<Document>; 2] = [delimited::read, aligned::read];
    for read in tables {
        if let Some(doc) = read(table_text) {
            if let Some(report) = from_tables(&doc, false, source, Format::Text, encoding, aliases)?
            {
                return Ok(report);
            }
        }
    }
    let layout = layout::detect(&lines).ok_or_else(|| ImportError::NoTable {
        file: source.to_string(),
    })?;
    let parsed = match layout {
        Layout::Concatenated => concatenated::parse(&lines),
        Layout::Cells => cells::parse(&lines),
        Layout::Labelled => labelled::parse(&lines),
        Layout::Pipe => pipe::parse(&lines),
        Layout::Parenthesized => parenthesized::parse(&lines),
        Layout::Table => Parsed::default(),
    };
    if parsed.rows.is_empty() {
        return Err(ImportError::NoTable {
            file: source.to_string(),
        });
    }
    let mut unplaced = parsed.unplaced;
    let parsed_warnings = parsed.warnings;
    let rows = number_rows(parsed.rows, aliases, &mut unplaced);
    Ok(Report {
        source: source.to_string(),
        format: Format::Text,
        encoding,
        layout,
        period: period::name(lines.iter().map(|l| l.text), source),
        rows,
        unplaced,
        warnings: parsed_warnings,
    })
}

/// A report from a document's task tables, or None when it has none.
fn from_tables(
    doc: &Document,
    continued: bool,
    source: &str,
    format: Format,
    encoding: &'static str,
    aliases: &Aliases,
) -> Result<Option<Report>, ImportError> {
    let rows: usize = doc.tables.iter().map(|t| t.rows.len()).sum();
    limits::check_rows(source, rows, t("表格行", "table rows"))?;
    let Some(tables) = columns::read(doc, continued) else {
        return Ok(None);
    };
    if tables.parsed.rows.is_empty() {
        return Err(ImportError::NoTable {
            file: source.to_string(),
        });
    }
    let mut unplaced = tables.parsed.unplaced;
    let rows = number_rows(tables.parsed.rows, aliases, &mut unplaced);
    // The period column (duban's own CSV) names it when all rows agree.
    let period = match tables.row_periods.first() {
        Some(first) if tables.row_periods.iter().all(|p| p == first) => PeriodName {
            name: first.clone(),
            source: PeriodSource::Title,
        },
        _ => period::name(tables.title.iter().map(String::as_str), source),
    };
    Ok(Some(Report {
        source: source.to_string(),
        format,
        encoding,
        layout: Layout::Table,
        period,
        rows,
        unplaced,
        warnings: tables.parsed.warnings,
    }))
}

/// Reads a report file from disk.
pub fn import_file(path: &std::path::Path, aliases: &Aliases) -> Result<Report, ImportError> {
    let name = path.display().to_string();
    let bytes = limits::read_report_file(path)?;
    import_bytes(&bytes, &name, aliases)
}

/// Gives rows without a number the next free number, reports duplicate numbers instead of
/// letting one row overwrite another, and resolves unit names.
fn number_rows(
    rows: Vec<RawRow>,
    aliases: &Aliases,
    unplaced: &mut Vec<Unplaced>,
) -> Vec<ImportedRow> {
    let mut seen = std::collections::BTreeSet::new();
    let mut next = 1u32;
    let mut kept = Vec::with_capacity(rows.len());
    for row in rows {
        let number = match row.number {
            Some(n) => n,
            None => {
                while seen.contains(&next) {
                    next += 1;
                }
                next
            }
        };
        if !seen.insert(number) {
            // The whole row goes into the report, so nothing of it is lost from sight.
            let (lead, co) = units::resolve(&row.units);
            let mut text = row.goal.clone();
            for p in &row.progress {
                text.push(' ');
                text.push_str(p);
            }
            for u in lead.iter().chain(&co) {
                text.push(' ');
                text.push_str(u);
            }
            unplaced.push(Unplaced {
                line: row.line,
                text,
                reason: crate::tr!(
                    "任务序号 {number} 出现了两次，此行未导入",
                    "task number {number} appears twice; this row was not imported"
                ),
            });
            continue;
        }
        next = next.max(number.saturating_add(1));
        kept.push((number, row));
    }
    // Each row's units on their own, on all cores.
    use rayon::prelude::*;
    let out = kept
        .into_par_iter()
        .map(|(number, row)| {
            let (lead, co) = units::resolve(&row.units);
            ImportedRow {
                number,
                section: row.section,
                line: row.line,
                goal: row.goal,
                progress: row.progress,
                lead_units: lead.iter().map(|n| aliases.unit(n)).collect(),
                co_units: co.iter().map(|n| aliases.unit(n)).collect(),
                notes: row.notes,
            }
        })
        .collect();
    unplaced.sort_by_key(|u| u.line);
    out
}
