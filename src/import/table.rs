//! Tables as office files hold them (Word, Excel/WPS/LibreOffice sheets, web pages, CSV,
//! pipe tables in text): rows of cells with merged cells already spread out on the grid.
//! The readers (`docx`, `sheet`, `html`, `csv`) fill these; one column-role step
//! (`columns`) turns any of them into task rows, so every format is read by the same rules.

/// A document read from an office file: its tables, and the text outside them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    /// Paragraphs outside every table, in document order (the title, the date line, headings
    /// between tables). Used for the report period; never for tasks.
    pub text: Vec<String>,
    pub tables: Vec<Table>,
}

/// One table (a Word table, a worksheet, an HTML `<table>`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    /// Where the table is, for messages: `表格 2`, `工作表“汇总”`.
    pub name: String,
    /// The paragraphs just above the table and after the previous one (a heading such as
    /// `一、生态环境`, a title); may be empty.
    pub caption: Vec<String>,
    pub rows: Vec<Row>,
}

/// One row of a table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Row {
    /// Where the row is, as the person who opens the file would count it: the sheet's row
    /// number in a spreadsheet, the 1-based row of the table in Word or HTML, the line in a
    /// text file. Used in messages about rows that could not be placed.
    pub at: usize,
    /// The cells on the grid, left to right. Rows may be ragged (shorter than the header).
    pub cells: Vec<Cell>,
}

/// One grid position of a row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cell {
    /// The cell's paragraphs in order, each trimmed, empty ones dropped; empty for an empty
    /// cell and for a position covered by a merged cell. A line break inside a paragraph
    /// (Word's Shift+Enter) stays in it as `\n`; paragraph breaks (Word paragraphs, `<p>`,
    /// `<br>`, Alt+Enter in a spreadsheet cell) separate paragraphs.
    pub paragraphs: Vec<String>,
    pub merged: Merged,
}

/// Whether a grid position belongs to a merged cell whose text is held elsewhere.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Merged {
    /// A cell of its own (or the top-left cell of a merged range, which holds the text).
    #[default]
    No,
    /// Covered by the merged cell to its left in the same row (Word `gridSpan`, HTML
    /// `colspan`, a spreadsheet range one row high): a section row spanning the table.
    Left,
    /// Covered by the merged cell above it (Word `vMerge`, HTML `rowspan`, a spreadsheet
    /// range more than one row high): one units cell shared by several tasks. A position
    /// covered both ways (below the first row of a 2×2 range) is `Above`.
    Above,
}

impl Cell {
    /// A plain cell holding `paragraphs` (empty ones dropped, each trimmed).
    pub fn text<S: AsRef<str>>(paragraphs: impl IntoIterator<Item = S>) -> Cell {
        Cell {
            paragraphs: paragraphs
                .into_iter()
                .map(|p| p.as_ref().trim().to_string())
                .filter(|p| !p.is_empty())
                .collect(),
            merged: Merged::No,
        }
    }

    /// A position covered by a merged cell.
    pub fn covered(merged: Merged) -> Cell {
        Cell {
            paragraphs: Vec::new(),
            merged,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.paragraphs.is_empty()
    }

    /// The cell's text with its paragraphs joined by `sep`.
    pub fn joined(&self, sep: &str) -> String {
        self.paragraphs.join(sep)
    }
}

/// Why an office file could not be read: a sentence for the person importing it (the
/// importer adds the file name), saying what is wrong and, where it helps, what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ReadError(pub String);

/// The most a reader inflates from one compressed part of an office file (document.xml,
/// a worksheet): far above any real report, low enough that a zip bomb is refused rather
/// than filling memory.
pub const MAX_PART_BYTES: u64 = 256 * 1024 * 1024;
