//! The 通报 export: the feedback table (反馈表) as the office uses it, as an xlsx workbook
//! (rust_xlsxwriter) and as Markdown with the same content.
//!
//! Sheet 1 `进展情况反馈表`: header 序号 / 目标与任务 / 工作进展 / 牵头责任单位 / 责任单位 /
//! 状态 / 备注, frozen; tasks grouped by domain, each group under a merged domain row
//! (`一、生态(29项)`); the status cell filled with its light (grey, green, yellow, red, blue).
//! Sheet 2 `汇总`: counts by domain × status, then the 严重滞后 tasks with their lead units.
//!
//! With a period name, the progress column shows that period's text (a task that has no such
//! period says so in 备注); without one, each task's latest period. The status is the task's
//! current status either way (the ledger does not keep a status per period).

use crate::model::{Domain, Light, Status, Task};
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, Worksheet};
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
/// Column widths in Excel character units; a Chinese character takes about two.
pub const WIDTHS: [f64; 7] = [6.0, 40.0, 80.0, 20.0, 24.0, 10.0, 22.0];

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
}

impl Tongbao {
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

    pub fn seriously_behind(&self) -> Vec<&TongbaoRow> {
        self.rows()
            .filter(|r| r.status == Status::SeriouslyBehind)
            .collect()
    }
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

/// Builds the table for `period` (None: each task's latest period).
pub fn tongbao(tasks: &[Task], period: Option<&str>) -> Tongbao {
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
        period: shown,
        groups,
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

/// Writes the 通报 workbook to `path`, replacing an older one only once the new one is
/// complete (`atomic::write`: a failed export keeps the previous file).
pub fn write_tongbao(path: &Path, tasks: &[Task], period: Option<&str>) -> Result<(), XlsxError> {
    let bytes = tongbao_bytes(tasks, period)?;
    crate::atomic::write(path, &bytes).map_err(XlsxError::IoError)
}

/// The 通报 workbook as bytes (for tests and for callers that stream it).
pub fn tongbao_bytes(tasks: &[Task], period: Option<&str>) -> Result<Vec<u8>, XlsxError> {
    let mut wb = workbook(tasks, period)?;
    wb.save_to_buffer()
}

fn workbook(tasks: &[Task], period: Option<&str>) -> Result<Workbook, XlsxError> {
    let tb = tongbao(tasks, period);
    let mut wb = Workbook::new();
    table_sheet(wb.add_worksheet(), &tb)?;
    summary_sheet(wb.add_worksheet(), &tb)?;
    Ok(wb)
}

fn table_sheet(ws: &mut Worksheet, tb: &Tongbao) -> Result<(), XlsxError> {
    ws.set_name(SHEET_TABLE)?;
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
    for (c, (h, w)) in HEADER.iter().zip(WIDTHS).enumerate() {
        let c = c as u16;
        ws.write_string_with_format(0, c, *h, &header)?;
        ws.set_column_width(c, w)?;
    }
    ws.set_row_height(0, 24)?;
    ws.set_freeze_panes(1, 0)?;
    let mut row: u32 = 1;
    for (i, (d, rows)) in tb.groups.iter().enumerate() {
        ws.merge_range(row, 0, row, 6, &domain_title(i, *d, rows.len()), &group)?;
        row += 1;
        for r in rows {
            ws.write_number_with_format(row, 0, f64::from(r.number), &centre)?;
            ws.write_string_with_format(row, 1, &r.goal, &text)?;
            ws.write_string_with_format(row, 2, r.progress.join("\n"), &text)?;
            ws.write_string_with_format(row, 3, &r.lead_units, &text)?;
            ws.write_string_with_format(row, 4, &r.co_units, &text)?;
            ws.write_string_with_format(row, 5, r.status.label(), &status_format(r.status))?;
            ws.write_string_with_format(row, 6, &r.remark, &text)?;
            row += 1;
        }
    }
    ws.set_landscape();
    // Printed pages carry the table's title and page numbers; the header row repeats.
    ws.set_header(format!("&C&14{}重点工作任务进展情况反馈表", tb.period));
    ws.set_footer("&C第 &P 页 共 &N 页");
    ws.set_repeat_rows(0, 0)?;
    ws.set_print_fit_to_pages(1, 0);
    Ok(())
}

fn summary_sheet(ws: &mut Worksheet, tb: &Tongbao) -> Result<(), XlsxError> {
    ws.set_name(SHEET_SUMMARY)?;
    let title = Format::new()
        .set_bold()
        .set_font_size(14)
        .set_font_name("黑体");
    let header = base()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_background_color(Color::RGB(0xD9E1F2));
    let text = base();
    let num = base().set_align(FormatAlign::Center);
    let bold_num = num.clone().set_bold();
    ws.set_column_width(0, 10)?;
    ws.set_column_width(1, 44)?;
    for c in 2..=7 {
        ws.set_column_width(c, 11)?;
    }
    ws.write_string_with_format(
        0,
        0,
        format!("{}重点工作任务进展情况汇总", tb.period),
        &title,
    )?;
    // Counts by domain × status.
    ws.write_string_with_format(2, 0, "领域", &header)?;
    for (i, s) in Status::ALL.iter().enumerate() {
        ws.write_string_with_format(2, 1 + i as u16, s.label(), &status_format(*s))?;
    }
    ws.write_string_with_format(2, 6, "合计", &header)?;
    let counts = tb.counts();
    let mut row = 3;
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
    // The seriously-behind list.
    let late = tb.seriously_behind();
    ws.write_string_with_format(
        row,
        0,
        format!("严重滞后任务({}项)", late.len()),
        &title.clone().set_font_size(12),
    )?;
    row += 1;
    for (c, h) in ["序号", "目标与任务", "牵头责任单位", "领域"]
        .iter()
        .enumerate()
    {
        ws.write_string_with_format(row, c as u16, *h, &header)?;
    }
    row += 1;
    if late.is_empty() {
        ws.write_string_with_format(row, 0, "无", &text)?;
    }
    for r in late {
        ws.write_number_with_format(row, 0, f64::from(r.number), &num)?;
        ws.write_string_with_format(row, 1, &r.goal, &text)?;
        ws.write_string_with_format(row, 2, &r.lead_units, &text)?;
        ws.write_string_with_format(row, 3, r.domain.label(), &text)?;
        row += 1;
    }
    Ok(())
}

fn md_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', "<br>")
}

/// The same 通报 as Markdown: the summary by domain × status, the 严重滞后 list, then the
/// feedback table grouped by domain.
pub fn markdown_tongbao(tasks: &[Task], period: Option<&str>) -> String {
    let tb = tongbao(tasks, period);
    let mut out = format!(
        "# {}重点工作任务进展情况汇总\n\n## 汇总\n\n| 领域 |",
        tb.period
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
    let late = tb.seriously_behind();
    out.push_str(&format!("\n## 严重滞后任务({}项)\n\n", late.len()));
    if late.is_empty() {
        out.push_str("无\n");
    } else {
        out.push_str("| 序号 | 目标与任务 | 牵头责任单位 | 领域 |\n|---:|---|---|---|\n");
        for r in late {
            out.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                r.number,
                md_cell(&r.goal),
                md_cell(&r.lead_units),
                r.domain.label()
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
