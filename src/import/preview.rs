//! What an import would do, in words and rows, before anything is written: the same for
//! `duban import --dry-run` and the UI's import preview.

use super::{PeriodSource, Report};
use crate::lang::t;
use crate::tr;

/// One row of the preview: the fields a person checks before importing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewRow {
    pub number: u32,
    pub goal: String,
    /// The first paragraph of the progress (the view cuts it to its width).
    pub progress: String,
    /// How many progress paragraphs the row has.
    pub paragraphs: usize,
    /// Lead units as written, joined with `、`.
    pub lead: String,
    /// Co units as written, joined with `、`.
    pub co: String,
}

pub fn rows(report: &Report) -> Vec<PreviewRow> {
    let join = |units: &[crate::model::Unit]| {
        units
            .iter()
            .map(|u| u.written.as_str())
            .collect::<Vec<_>>()
            .join("、")
    };
    report
        .rows
        .iter()
        .map(|r| PreviewRow {
            number: r.number,
            goal: r.goal.clone(),
            progress: r.progress.first().cloned().unwrap_or_default(),
            paragraphs: r.progress.len(),
            lead: join(&r.lead_units),
            co: join(&r.co_units),
        })
        .collect()
}

/// The period the import uses: the one given, else the report's own.
pub fn period<'a>(report: &'a Report, given: Option<&'a str>) -> &'a str {
    given.unwrap_or(&report.period.name)
}

/// How the file was read: `Word document (.docx), table`, `GB18030, pipe table` (the
/// encoding first: it is what goes wrong with text).
pub fn read_as(report: &Report) -> String {
    let layout = match report.layout {
        super::Layout::Table => t("表格", "table"),
        other => other.describe(),
    };
    if report.format == super::Format::Text {
        tr!("{}，{layout}", "{}, {layout}", report.encoding)
    } else {
        tr!("{}，{layout}", "{}, {layout}", report.format.describe())
    }
}

/// One line saying what the file is: `report.docx: 12 tasks (Word document (.docx), table),
/// period 2021年一季度`.
pub fn headline(report: &Report, given: Option<&str>) -> String {
    let how = read_as(report);
    tr!(
        "{}：{} 项任务（{how}），报告期 {}",
        "{}: {} tasks ({how}), period {}",
        report.source,
        report.rows.len(),
        period(report, given)
    )
}

/// When the report names no period and none was given: which name is used and how to
/// rename it. None when the title named the period or one was given.
pub fn period_advice(report: &Report, given: Option<&str>) -> Option<String> {
    if given.is_some() {
        return None;
    }
    let from = match report.period.source {
        PeriodSource::Title | PeriodSource::Given => return None,
        PeriodSource::Date => t("报告中的日期", "the date in the report"),
        PeriodSource::FileName => t("文件名", "the file's name"),
    };
    let name = &report.period.name;
    Some(tr!(
        "报告标题没有写报告期，因此按{from}命名为“{name}”；可用 `duban period rename {} 新名称` 改名（如 新名称 = 2021年第一季度），下次导入时也可加 --period",
        "the report's title names no period, so the period is named “{name}” after {from}; rename it with `duban period rename {} NEW` (e.g. NEW = 2021年第一季度), or give --period next time",
        shell_word(name)
    ))
}

/// A word as a shell command line needs it: quoted when it holds spaces or quotes.
fn shell_word(word: &str) -> String {
    if !word.is_empty()
        && !word
            .chars()
            .any(|c| c.is_whitespace() || "'\"\\$`!*?&|;<>()[]{}#~".contains(c))
    {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}
