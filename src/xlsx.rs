//! The 通报 export: the feedback table (反馈表) as the office uses it, as an xlsx workbook
//! (rust_xlsxwriter) and as Markdown with the same content — a workbook to send as is.
//!
//! Sheet 1 `进展情况反馈表`: the title across the table (`2020年上半年重点工作任务推进情况通报`),
//! under it 截至日期 (the period's last day, when its name says which) and 制表日期; then the
//! header 序号 / 目标与任务 / 工作进展 / 牵头责任单位 / 责任单位 / 状态 / 备注, frozen and
//! repeated on every printed page; tasks grouped by domain, each group under a merged domain
//! row (`一、生态(29项)`); the status cell filled with its light (grey, green, yellow, red,
//! blue). Column widths follow the content (a Chinese character counts two columns) within
//! bounds. Printed on A4 landscape, fitted to the page width, centred, page numbers below.
//! Sheet 2 `汇总`: counts by domain × status, then the 严重滞后 and the 进度滞后 tasks with
//! their lead units.
//!
//! With a period name, the progress column shows that period's text (a task that has no such
//! period says so in 备注); without one, each task's latest period. The status is the task's
//! current status either way (the ledger does not keep a status per period).
//!
//! Every text from a report is written as a string cell (never a formula), cut at Excel's
//! limit of 32,767 characters.

use crate::model::{Domain, Light, Status, Task};
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, Worksheet};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;

pub use rust_xlsxwriter::XlsxError;

/// Sheet names.
pub const SHEET_TABLE: &str = "进展情况反馈表";
pub const SHEET_SUMMARY: &str = "汇总";
/// The feedback table's header.
pub const HEADER: [&str; 7] = [
    "序号",
    "目标与任务",
    "工作进展",
    "牵头责任单位",
    "责任单位",
    "状态",
    "备注",
];
/// Bounds of the table's column widths, in Excel character units (a Chinese character
/// takes two): each column is as wide as its widest line (plus a margin) within these.
pub const MIN_WIDTHS: [f64; 7] = [6.0, 16.0, 20.0, 14.0, 12.0, 10.0, 8.0];
pub const MAX_WIDTHS: [f64; 7] = [6.0, 36.0, 64.0, 22.0, 22.0, 10.0, 20.0];
/// Rows above the table on sheet 1: the title and the dates line; the header is the next.
pub const TITLE_ROWS: u32 = 2;
/// A4 in Excel's paper sizes.
pub const PAPER_A4: u8 = 9;
/// Excel's limit on the characters of one cell.
const MAX_CELL_CHARS: usize = 32_767;

/// The fill colour (RGB) of a status cell, by light.
pub fn fill_rgb(light: Light) -> u32 {
    match light {
        Light::Grey => 0xD9D9D9,
        Light::Green => 0xC6EFCE,
        Light::Yellow => 0xFFEB9C,
        Light::Red => 0xFFC7CE,
        Light::Blue => 0xBDD7EE,
    }
}

/// The font colour used on that fill, readable in print.
fn font_rgb(light: Light) -> u32 {
    match light {
        Light::Grey => 0x404040,
        Light::Green => 0x006100,
        Light::Yellow => 0x9C5700,
        Light::Red => 0x9C0006,
        Light::Blue => 0x1F4E79,
    }
}

const ORDINALS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

/// One row of the feedback table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TongbaoRow {
    pub number: u32,
    pub domain: Domain,
    pub goal: String,
    pub progress: Vec<String>,
    pub lead_units: String,
    pub co_units: String,
    pub status: Status,
    pub remark: String,
}

/// The table's content, shared by the xlsx and the Markdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tongbao {
    /// The period shown (the one asked for, or the newest one).
    pub period: String,
    /// Domains in the office's order, each with its rows by task number.
    pub groups: Vec<(Domain, Vec<TongbaoRow>)>,
    /// 截至日期: the period's last day, when its name says which (`2020年上半年` → 6月30日).
    pub as_of: Option<NaiveDate>,
    /// 制表日期: the day the 通报 is made.
    pub made_on: NaiveDate,
}

/// A date as the office writes it: `2020年6月30日`.
pub fn chinese_date(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// The last day of the period a name stands for, when the name gives its year and the
/// schedule knows how much of the year it covers in whole months (`2020年上半年` →
/// 2020-06-30, `2020年前三季度` → 09-30, `2022年1-5月` → 05-31); None otherwise.
pub fn period_end(period: &str) -> Option<NaiveDate> {
    let t = period.trim_start();
    let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
    if digits.len() != 4 || !t[digits.len()..].trim_start().starts_with('年') {
        return None;
    }
    let year: i32 = digits.parse().ok()?;
    let elapsed = crate::suggest::Schedule::builtin().elapsed(period)?;
    let months = elapsed * 12.0 / 100.0;
    if !(0.5..=12.5).contains(&months) || (months - months.round()).abs() > 1e-6 {
        return None;
    }
    let month = months.round() as u32;
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year.checked_add(1)?, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    next.pred_opt()
}

impl Tongbao {
    /// Sheet 1's title: `2020年上半年重点工作任务推进情况通报`.
    pub fn title(&self) -> String {
        format!("{}重点工作任务推进情况通报", self.period)
    }

    /// `截至日期:2020年6月30日` (or `报告期:…` when the period's last day is unknown).
    pub fn as_of_text(&self) -> String {
        match self.as_of {
            Some(d) => format!("截至日期:{}", chinese_date(d)),
            None if self.period.is_empty() => "截至日期:无报告期".to_string(),
            None => format!("报告期:{}", self.period),
        }
    }

    /// `制表日期:2024年5月1日`.
    pub fn made_on_text(&self) -> String {
        format!("制表日期:{}", chinese_date(self.made_on))
    }

    pub fn rows(&self) -> impl Iterator<Item = &TongbaoRow> {
        self.groups.iter().flat_map(|(_, r)| r.iter())
    }

    /// Counts by (domain, status).
    pub fn counts(&self) -> BTreeMap<(Domain, Status), usize> {
        let mut c = BTreeMap::new();
        for r in self.rows() {
            *c.entry((r.domain, r.status)).or_insert(0) += 1;
        }
        c
    }

    /// The rows of one status, by domain then number.
    pub fn with_status(&self, status: Status) -> Vec<&TongbaoRow> {
        self.rows().filter(|r| r.status == status).collect()
    }

    pub fn seriously_behind(&self) -> Vec<&TongbaoRow> {
        self.with_status(Status::SeriouslyBehind)
    }

    pub fn behind(&self) -> Vec<&TongbaoRow> {
        self.with_status(Status::Behind)
    }

    /// The lists the summary gives after the counts: 严重滞后 first, then 进度滞后.
    pub fn lagging_lists(&self) -> [(Status, Vec<&TongbaoRow>); 2] {
        [Status::SeriouslyBehind, Status::Behind].map(|s| (s, self.with_status(s)))
    }
}

/// Today, where the machine is (the 制表日期 of an export made now).
pub fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// The newest period name: the last period of the task that has the most periods.
pub fn newest_period(tasks: &[Task]) -> Option<String> {
    tasks
        .iter()
        .filter(|t| !t.periods.is_empty())
        .max_by_key(|t| t.periods.len())
        .and_then(|t| t.latest_period())
        .map(|p| p.name.clone())
}

/// Builds the table for `period` (None: each task's latest period), made today.
pub fn tongbao(tasks: &[Task], period: Option<&str>) -> Tongbao {
    tongbao_on(tasks, period, today())
}

/// Builds the table for `period` (None: each task's latest period), made on `made_on`.
pub fn tongbao_on(tasks: &[Task], period: Option<&str>, made_on: NaiveDate) -> Tongbao {
    let shown = period
        .map(str::to_string)
        .or_else(|| newest_period(tasks))
        .unwrap_or_default();
    let mut groups = Vec::new();
    for d in Domain::ALL {
        let mut in_domain: Vec<&Task> = tasks.iter().filter(|t| t.domain == d).collect();
        if in_domain.is_empty() {
            continue;
        }
        in_domain.sort_by_key(|t| t.number);
        let rows = in_domain
            .into_iter()
            .map(|t| {
                let mut remark: Vec<String> = t.notes.iter().map(|n| n.text.clone()).collect();
                let progress = match period {
                    Some(p) => match t.periods.iter().find(|x| x.name == p) {
                        Some(x) => x.paragraphs.clone(),
                        None => {
                            remark.insert(0, format!("{p}未报告进展"));
                            Vec::new()
                        }
                    },
                    None => {
                        if let Some(latest) = t.latest_period() {
                            if latest.name != shown {
                                remark.insert(0, format!("进展为{}", latest.name));
                            }
                        }
                        t.progress().to_vec()
                    }
                };
                TongbaoRow {
                    number: t.number,
                    domain: t.domain,
                    goal: t.goal.clone(),
                    progress,
                    lead_units: crate::units::written(&t.lead_units),
                    co_units: crate::units::written(&t.co_units),
                    status: t.status,
                    remark: remark.join(";"),
                }
            })
            .collect();
        groups.push((d, rows));
    }
    Tongbao {
        as_of: period_end(&shown),
        period: shown,
        groups,
        made_on,
    }
}

fn domain_title(i: usize, d: Domain, n: usize) -> String {
    format!("{}、{}({}项)", ORDINALS[i % ORDINALS.len()], d.label(), n)
}

fn base() -> Format {
    Format::new()
        .set_font_name("宋体")
        .set_font_size(10.5)
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter)
}

fn status_format(s: Status) -> Format {
    base()
        .set_align(FormatAlign::Center)
        .set_background_color(Color::RGB(fill_rgb(s.light())))
        .set_font_color(Color::RGB(font_rgb(s.light())))
        .set_bold()
}

/// Writes the 通报 workbook to `path`, made today, replacing an older one only once the new
/// one is complete (`atomic::write`: a failed export keeps the previous file).
pub fn write_tongbao(path: &Path, tasks: &[Task], period: Option<&str>) -> Result<(), XlsxError> {
    let bytes = tongbao_bytes(tasks, period)?;
    crate::atomic::write(path, &bytes).map_err(XlsxError::IoError)
}

/// The 通报 workbook, made today, as bytes (for tests and for callers that stream it).
pub fn tongbao_bytes(tasks: &[Task], period: Option<&str>) -> Result<Vec<u8>, XlsxError> {
    tongbao_bytes_on(tasks, period, today())
}

/// The 通报 workbook made on `made_on` (its 制表日期), as bytes.
pub fn tongbao_bytes_on(
    tasks: &[Task],
    period: Option<&str>,
    made_on: NaiveDate,
) -> Result<Vec<u8>, XlsxError> {
    workbook(&tongbao_on(tasks, period, made_on))?.save_to_buffer()
}

fn workbook(tb: &Tongbao) -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    table_sheet(wb.add_worksheet(), tb)?;
    summary_sheet(wb.add_worksheet(), tb)?;
    Ok(wb)
}

/// A report's text as a cell holds it: whole, or cut at Excel's limit with `…`.
fn cell(text: &str) -> Cow<'_, str> {
    if text.chars().nth(MAX_CELL_CHARS).is_none() {
        return Cow::Borrowed(text);
    }
    let cut = text
        .char_indices()
        .nth(MAX_CELL_CHARS - 1)
        .map_or(text.len(), |(i, _)| i);
    Cow::Owned(format!("{}…", &text[..cut]))
}

/// Display columns of the widest line (a Chinese character counts two).
fn text_width(text: &str) -> usize {
    text.lines().map(crate::text::width).max().unwrap_or(0)
}

/// The table's column widths: each column's widest line plus a margin, within
/// `MIN_WIDTHS`..`MAX_WIDTHS` (wider text wraps).
pub fn column_widths(tb: &Tongbao) -> [f64; 7] {
    let mut widest = HEADER.map(text_width);
    for r in tb.rows() {
        let cells = [
            r.number.to_string(),
            r.goal.clone(),
            r.progress.join("\n"),
            r.lead_units.clone(),
            r.co_units.clone(),
            r.status.label().to_string(),
            r.remark.clone(),
        ];
        for (w, c) in widest.iter_mut().zip(&cells) {
            // Long texts only need to reach the maximum: no need to measure them whole.
            let c: String = c.chars().take(200).collect();
            *w = (*w).max(text_width(&c));
        }
    }
    let mut out = [0.0; 7];
    for (i, w) in widest.into_iter().enumerate() {
        out[i] = (w as f64 + 2.0).clamp(MIN_WIDTHS[i], MAX_WIDTHS[i]);
    }
    out
}

/// Points per line of the table's 10.5 pt 宋体, and the padding of a cell.
const LINE_POINTS: f64 = 14.0;
const ROW_PADDING_POINTS: f64 = 6.0;
/// Excel's highest row.
const MAX_ROW_POINTS: f64 = 409.0;

/// Lines `text` takes wrapped in a column `width` units wide (a unit is about one digit,
/// a Chinese character two; a column keeps about one unit of padding). Words of Latin
/// letters move to the next line whole, so the estimate keeps a little room.
pub fn wrapped_lines(text: &str, width: f64) -> usize {
    let room = (width - 1.0).max(2.0);
    text.split('\n')
        .map(|line| {
            let w = crate::text::width(line) as f64;
            ((w * 1.1) / room).ceil().max(1.0) as usize
        })
        .sum()
}

/// A task row tall enough for its longest wrapped cell: Excel grows rows for wrapped text
/// when it opens a file, but LibreOffice, WPS and printing from a viewer do not, so the
/// height is written (at most Excel's 409 points; longer text is cut in print).
fn task_row_height(r: &TongbaoRow, widths: &[f64; 7]) -> f64 {
    let cells = [
        (r.goal.as_str(), widths[1]),
        (&r.progress.join("\n"), widths[2]),
        (r.lead_units.as_str(), widths[3]),
        (r.co_units.as_str(), widths[4]),
        (r.remark.as_str(), widths[6]),
    ];
    let lines = cells
        .iter()
        .map(|(text, w)| wrapped_lines(text, *w))
        .max()
        .unwrap_or(1);
    (lines as f64 * LINE_POINTS + ROW_PADDING_POINTS).min(MAX_ROW_POINTS)
}

/// `&` starts a code in a page header or footer: `&&` prints one.
fn header_footer_text(text: &str, max_chars: usize) -> String {
    let cut: String = text.chars().take(max_chars).collect();
    cut.replace('&', "&&")
}

/// A4 landscape, fitted to the page width (as many pages down as it takes), centred, with
/// margins that leave room for binding and page numbers (inches: left/right 0.5, top 0.6,
/// bottom 0.7, header 0.3, footer 0.3). The footer names the 通报 and the page.
fn print_setup(ws: &mut Worksheet, tb: &Tongbao) {
    ws.set_paper_size(PAPER_A4);
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.set_print_center_horizontally(true);
    ws.set_margins(0.5, 0.5, 0.6, 0.7, 0.3, 0.3);
    // Excel allows 255 characters in a footer; a period name from a report may be long.
    ws.set_footer(format!(
        "&L&9 {}&C&9 第 &P 页 共 &N 页&R&9 {}",
        header_footer_text(&tb.title(), 60),
        tb.made_on_text()
    ));
}

fn table_sheet(ws: &mut Worksheet, tb: &Tongbao) -> Result<(), XlsxError> {
    ws.set_name(SHEET_TABLE)?;
    let title = Format::new()
        .set_font_name("黑体")
        .set_font_size(18)
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let dates = Format::new()
        .set_font_name("宋体")
        .set_font_size(10.5)
        .set_align(FormatAlign::VerticalCenter);
    let header = base()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_background_color(Color::RGB(0xD9E1F2));
    let group = base()
        .set_bold()
        .set_font_size(11)
        .set_background_color(Color::RGB(0xF2F2F2));
    let text = base();
    let centre = base().set_align(FormatAlign::Center);
    let last = (HEADER.len() - 1) as u16;
    // The title across the table, then 截至日期 on the left and 制表日期 on the right.
    ws.merge_range(0, 0, 0, last, &cell(&tb.title()), &title)?;
    ws.set_row_height(0, 36)?;
    ws.merge_range(1, 0, 1, 3, &tb.as_of_text(), &dates)?;
    ws.merge_range(
        1,
        4,
        1,
        last,
        &tb.made_on_text(),
        &dates.clone().set_align(FormatAlign::Right),
    )?;
    ws.set_row_height(1, 20)?;
    let head = TITLE_ROWS;
    let widths = column_widths(tb);
    for (c, (h, w)) in HEADER.iter().zip(widths).enumerate() {
        let c = c as u16;
        ws.write_string_with_format(head, c, *h, &header)?;
        ws.set_column_width(c, w)?;
    }
    ws.set_row_height(head, 24)?;
    ws.set_freeze_panes(head + 1, 0)?;
    let mut row = head + 1;
    for (i, (d, rows)) in tb.groups.iter().enumerate() {
        ws.merge_range(row, 0, row, last, &domain_title(i, *d, rows.len()), &group)?;
        ws.set_row_height(row, 20)?;
        row += 1;
        for r in rows {
            ws.set_row_height(row, task_row_height(r, &widths))?;
            ws.write_number_with_format(row, 0, f64::from(r.number), &centre)?;
            ws.write_string_with_format(row, 1, cell(&r.goal), &text)?;
            ws.write_string_with_format(row, 2, cell(&r.progress.join("\n")), &text)?;
            ws.write_string_with_format(row, 3, cell(&r.lead_units), &text)?;
            ws.write_string_with_format(row, 4, cell(&r.co_units), &text)?;
            ws.write_string_with_format(row, 5, r.status.label(), &status_format(r.status))?;
            ws.write_string_with_format(row, 6, cell(&r.remark), &text)?;
            row += 1;
        }
    }
    print_setup(ws, tb);
    // The header row repeats on every printed page.
    ws.set_repeat_rows(head, head)?;
    Ok(())
}

/// Where the summary's parts are: the title on row 0, the dates on row 1, the counts'
/// header on row 2, one row per domain, the total, a blank row, then the lists.
pub const SUMMARY_COUNTS_ROW: u32 = 2;

fn summary_sheet(ws: &mut Worksheet, tb: &Tongbao) -> Result<(), XlsxError> {
    ws.set_name(SHEET_SUMMARY)?;
    let title = Format::new()
        .set_bold()
        .set_font_size(14)
        .set_font_name("黑体");
    let dates = Format::new().set_font_name("宋体").set_font_size(10.5);
    let header = base()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_background_color(Color::RGB(0xD9E1F2));
    let text = base();
    let num = base().set_align(FormatAlign::Center);
    let bold_num = num.clone().set_bold();
    // Widths: the counts need 10 each; the lists' lead units decide column C, and their
    // goals wrap across D:G (merged).
    let lists = tb.lagging_lists();
    let lead_w = lists
        .iter()
        .flat_map(|(_, rows)| rows.iter())
        .map(|r| text_width(&r.lead_units.chars().take(200).collect::<String>()))
        .max()
        .unwrap_or(0);
    let widths = [
        10.0,
        10.0,
        (lead_w as f64 + 2.0).clamp(14.0, 30.0),
        12.0,
        12.0,
        12.0,
        12.0,
    ];
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    let goal_w: f64 = widths[3..].iter().sum();
    ws.write_string_with_format(
        0,
        0,
        cell(&format!("{}重点工作任务进展情况汇总", tb.period)),
        &title,
    )?;
    ws.write_string_with_format(
        1,
        0,
        format!("{}　{}", tb.as_of_text(), tb.made_on_text()),
        &dates,
    )?;
    // Counts by domain × status.
    let mut row = SUMMARY_COUNTS_ROW;
    ws.write_string_with_format(row, 0, "领域", &header)?;
    for (i, s) in Status::ALL.iter().enumerate() {
        ws.write_string_with_format(row, 1 + i as u16, s.label(), &status_format(*s))?;
    }
    ws.write_string_with_format(row, 6, "合计", &header)?;
    row += 1;
    let counts = tb.counts();
    for d in Domain::ALL {
        ws.write_string_with_format(row, 0, d.label(), &text)?;
        let mut total = 0;
        for (i, s) in Status::ALL.iter().enumerate() {
            let n = counts.get(&(d, *s)).copied().unwrap_or(0);
            total += n;
            ws.write_number_with_format(row, 1 + i as u16, n as f64, &num)?;
        }
        ws.write_number_with_format(row, 6, total as f64, &bold_num)?;
        row += 1;
    }
    ws.write_string_with_format(row, 0, "合计", &header)?;
    let mut all = 0;
    for (i, s) in Status::ALL.iter().enumerate() {
        let n = tb.rows().filter(|r| r.status == *s).count();
        all += n;
        ws.write_number_with_format(row, 1 + i as u16, n as f64, &bold_num)?;
    }
    ws.write_number_with_format(row, 6, all as f64, &bold_num)?;
    row += 2;
    // The 严重滞后 list, then the 进度滞后 list, each with the tasks' lead units.
    for (status, rows) in &lists {
        ws.write_string_with_format(
            row,
            0,
            lagging_heading(*status, rows.len()),
            &title.clone().set_font_size(12),
        )?;
        row += 1;
        for (c, h) in LAGGING_HEADER.iter().take(3).enumerate() {
            ws.write_string_with_format(row, c as u16, *h, &header)?;
        }
        ws.merge_range(row, 3, row, 6, LAGGING_HEADER[3], &header)?;
        row += 1;
        if rows.is_empty() {
            ws.write_string_with_format(row, 0, "无", &text)?;
            row += 1;
        }
        for r in rows {
            let lines = wrapped_lines(&r.goal, goal_w).max(wrapped_lines(&r.lead_units, widths[2]));
            ws.set_row_height(
                row,
                (lines as f64 * LINE_POINTS + ROW_PADDING_POINTS).min(MAX_ROW_POINTS),
            )?;
            ws.write_number_with_format(row, 0, f64::from(r.number), &num)?;
            ws.write_string_with_format(row, 1, r.domain.label(), &text)?;
            ws.write_string_with_format(row, 2, cell(&r.lead_units), &text)?;
            ws.merge_range(row, 3, row, 6, &cell(&r.goal), &text)?;
            row += 1;
        }
        row += 1;
    }
    print_setup(ws, tb);
    Ok(())
}

/// The header of the summary's lists of lagging tasks.
pub const LAGGING_HEADER: [&str; 4] = ["序号", "领域", "牵头责任单位", "目标与任务"];
/// The same in the Markdown, where the importer would take a header with a goal and a units
/// column for the feedback table's (and `duban import` reads the Markdown export back).
pub const MD_LAGGING_HEADER: [&str; 4] = ["序号", "领域", "牵头责任单位", "内容"];

/// `严重滞后任务(3项)`.
pub fn lagging_heading(status: Status, n: usize) -> String {
    format!("{}任务({}项)", status.label(), n)
}

fn md_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', "<br>")
}

/// The same 通报 as Markdown, made today: the title and dates, the summary by domain ×
/// status, the 严重滞后 and 进度滞后 lists, then the feedback table grouped by domain.
pub fn markdown_tongbao(tasks: &[Task], period: Option<&str>) -> String {
    markdown_tongbao_on(tasks, period, today())
}

/// `markdown_tongbao` made on `made_on` (its 制表日期).
pub fn markdown_tongbao_on(tasks: &[Task], period: Option<&str>, made_on: NaiveDate) -> String {
    let tb = tongbao_on(tasks, period, made_on);
    let mut out = format!(
        "# {}\n\n{}　{}\n\n## 汇总\n\n| 领域 |",
        md_cell(&tb.title()),
        md_cell(&tb.as_of_text()),
        tb.made_on_text()
    );
    for s in Status::ALL {
        out.push_str(&format!(" {} {} |", s.glyph(), s.label()));
    }
    out.push_str(" 合计 |\n|---|");
    for _ in Status::ALL {
        out.push_str("---:|");
    }
    out.push_str("---:|\n");
    let counts = tb.counts();
    for d in Domain::ALL {
        out.push_str(&format!("| {} |", d.label()));
        let mut total = 0;
        for s in Status::ALL {
            let n = counts.get(&(d, s)).copied().unwrap_or(0);
            total += n;
            out.push_str(&format!(" {n} |"));
        }
        out.push_str(&format!(" {total} |\n"));
    }
    out.push_str("| 合计 |");
    let mut all = 0;
    for s in Status::ALL {
        let n = tb.rows().filter(|r| r.status == s).count();
        all += n;
        out.push_str(&format!(" {n} |"));
    }
    out.push_str(&format!(" {all} |\n"));
    for (status, rows) in tb.lagging_lists() {
        out.push_str(&format!("\n## {}\n\n", lagging_heading(status, rows.len())));
        if rows.is_empty() {
            out.push_str("无\n");
            continue;
        }
        out.push_str(&format!(
            "| {} |\n|---:|---|---|---|\n",
            MD_LAGGING_HEADER.join(" | ")
        ));
        for r in rows {
            out.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                r.number,
                r.domain.label(),
                md_cell(&r.lead_units),
                md_cell(&r.goal)
            ));
        }
    }
    out.push_str("\n## 进展情况反馈表\n");
    for (i, (d, rows)) in tb.groups.iter().enumerate() {
        out.push_str(&format!("\n### {}\n\n", domain_title(i, *d, rows.len())));
        out.push_str(&format!("| {} |\n", HEADER.join(" | ")));
        out.push_str("|---:|---|---|---|---|---|---|\n");
        for r in rows {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} {} | {} |\n",
                r.number,
                md_cell(&r.goal),
                md_cell(&r.progress.join("\n")),
                md_cell(&r.lead_units),
                md_cell(&r.co_units),
                r.status.glyph(),
                r.status.label(),
                md_cell(&r.remark)
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DomainDecision, Period, Unit};

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_period_ends_on_the_last_day_its_name_says() {
        for (name, end) in [
            ("2020年上半年", day(2020, 6, 30)),
            ("2020年第一季度", day(2020, 3, 31)),
            ("2021年前三季度", day(2021, 9, 30)),
            ("2020年全年", day(2020, 12, 31)),
            ("2020年度", day(2020, 12, 31)),
            ("2022年1-5月", day(2022, 5, 31)),
            ("2020年1-2月", day(2020, 2, 29)),
            ("2022年11月底", day(2022, 11, 30)),
        ] {
            assert_eq!(period_end(name), Some(end), "{name}");
        }
        for name in [
            "上半年",
            "2022年",
            "",
            "20200年上半年",
            "某某年上半年",
            "年上半年",
            "2020年某时",
        ] {
            assert_eq!(period_end(name), None, "{name}");
        }
    }

    #[test]
    fn dates_are_written_the_chinese_way() {
        assert_eq!(chinese_date(day(2020, 7, 5)), "2020年7月5日");
        let tb = Tongbao {
            period: "2020年上半年".into(),
            groups: Vec::new(),
            as_of: period_end("2020年上半年"),
            made_on: day(2020, 7, 15),
        };
        assert_eq!(tb.title(), "2020年上半年重点工作任务推进情况通报");
        assert_eq!(tb.as_of_text(), "截至日期:2020年6月30日");
        assert_eq!(tb.made_on_text(), "制表日期:2020年7月15日");
        let unknown = Tongbao {
            period: "2020年某时".into(),
            as_of: None,
            ..tb
        };
        assert_eq!(unknown.as_of_text(), "报告期:2020年某时");
    }

    fn task(number: u32, goal: &str, lead: &str, progress: &str) -> Task {
        Task {
            number,
            section: None,
            goal: goal.into(),
            goal_edited: false,
            lead_units: vec![Unit::plain(lead)],
            co_units: Vec::new(),
            domain: Domain::Ecology,
            domain_decision: DomainDecision {
                rule: "manual".into(),
                reason: String::new(),
                manual: true,
            },
            status: Status::NotStarted,
            notes: Vec::new(),
            periods: vec![Period {
                name: "2020年上半年".into(),
                paragraphs: vec![progress.into()],
            }],
        }
    }

    #[test]
    fn columns_fit_their_widest_line_counting_chinese_as_two() {
        let tasks = [
            task(1, "建设公园", "市城管局", "完成"),
            task(2, "建", "市住房和城乡建设局", "完成30座"),
        ];
        let w = column_widths(&tongbao_on(&tasks, None, day(2020, 7, 1)));
        // 序号 and 状态 are fixed; 目标与任务 (5 characters, 10 columns) beats 建设公园 (8).
        assert_eq!(w[0], 6.0);
        assert_eq!(w[1], 16.0, "at least the minimum");
        // 市住房和城乡建设局: 9 characters, 18 columns, plus 2.
        assert_eq!(w[3], 20.0);
        assert_eq!(w[5], 10.0);
        // Long text stops at the maximum and wraps.
        let long = "很长的工作进展".repeat(40);
        let tasks = [task(1, &"目标".repeat(50), "市城管局", &long)];
        let w = column_widths(&tongbao_on(&tasks, None, day(2020, 7, 1)));
        assert_eq!(w[1], MAX_WIDTHS[1]);
        assert_eq!(w[2], MAX_WIDTHS[2]);
    }

    #[test]
    fn a_text_longer_than_a_cell_holds_is_cut_not_refused() {
        let long = "长".repeat(MAX_CELL_CHARS + 10);
        let c = cell(&long);
        assert_eq!(c.chars().count(), MAX_CELL_CHARS);
        assert!(c.ends_with('…'));
        let exact = "长".repeat(MAX_CELL_CHARS);
        assert_eq!(cell(&exact), exact.as_str());
        let tasks = [task(1, &long, "市城管局", &long)];
        assert!(tongbao_bytes_on(&tasks, None, day(2020, 7, 1)).is_ok());
    }

    #[test]
    fn an_ampersand_in_a_footer_is_printed_not_read_as_a_code() {
        assert_eq!(header_footer_text("A&B", 60), "A&&B");
        assert_eq!(
            header_footer_text(&"长".repeat(100), 60).chars().count(),
            60
        );
    }
}
