//! Exports the whole state: JSON (the contract of PRODUCT.md, read by other tools), CSV
//! (UTF-8 with a BOM so Excel and WPS open the Chinese correctly) and Markdown.
//!
//! The CSV is opened in Excel or WPS by the office: a cell from a report that starts like a
//! formula (`=HYPERLINK(…)`, `+1+2`, `@SUM(…)`, `-2+3`) gets a leading `'` so it is shown as
//! text, never evaluated (`formula_safe`). The JSON is exact: it is the data contract.

use crate::model::{Change, Event, Task};
use serde::Serialize;
use std::collections::BTreeMap;

/// The version of the JSON contract (`{"schema": 1, "tasks": [...]}`).
pub const JSON_SCHEMA: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Json,
    Csv,
    Md,
    Xlsx,
}

/// A history event as exported: flat, with ids and labels.
#[derive(Debug, Serialize)]
pub struct HistoryJson {
    pub seq: u64,
    pub at: String,
    pub user: String,
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub undo: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// For note edits and removals: the note's place (1-based) among the task's notes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
    /// For note edits and removals: who wrote the note, and when (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub written: Option<String>,
}

impl HistoryJson {
    pub fn from_event(e: &Event) -> HistoryJson {
        let mut h = HistoryJson {
            seq: e.seq,
            at: e.at.to_rfc3339(),
            user: e.user.clone(),
            kind: "",
            from: None,
            to: None,
            undo: false,
            note: e.note.clone(),
            period: None,
            source: None,
            index: None,
            author: None,
            written: None,
        };
        match &e.change {
            Change::Status { from, to, undo } => {
                h.kind = "status";
                h.from = Some(from.id().into());
                h.to = Some(to.id().into());
                h.undo = *undo;
            }
            Change::Note { text } => {
                h.kind = "note";
                h.note = Some(text.clone());
            }
            Change::NoteEdited {
                index,
                author,
                written,
                from,
                to,
                undo,
            } => {
                h.kind = "note_edited";
                h.from = Some(from.clone());
                h.to = Some(to.clone());
                h.undo = *undo;
                h.note_of(*index, author, written);
            }
            Change::NoteRemoved {
                index,
                author,
                written,
                text,
                undo,
            } => {
                h.kind = "note_removed";
                h.note = Some(text.clone());
                h.undo = *undo;
                h.note_of(*index, author, written);
            }
            Change::NoteRestored {
                index,
                author,
                written,
                text,
            } => {
                h.kind = "note_restored";
                h.note = Some(text.clone());
                h.note_of(*index, author, written);
            }
            Change::Move { from, to, undo } => {
                h.kind = "move";
                h.from = Some(from.id().into());
                h.to = Some(to.id().into());
                h.undo = *undo;
            }
            Change::Goal { from, to, undo } => {
                h.kind = "goal";
                h.from = Some(from.clone());
                h.to = Some(to.clone());
                h.undo = *undo;
            }
            Change::Import { period, source } => {
                h.kind = "import";
                h.period = Some(period.clone());
                h.source = Some(source.clone());
            }
            Change::PeriodRenamed { from, to } => {
                h.kind = "period_renamed";
                h.from = Some(from.clone());
                h.to = Some(to.clone());
            }
        }
        h
    }

    fn note_of(&mut self, index: usize, author: &str, written: &chrono::DateTime<chrono::Utc>) {
        self.index = Some(index);
        self.author = Some(author.to_string());
        self.written = Some(written.to_rfc3339());
    }
}

#[derive(Debug, Serialize)]
pub struct NoteJson {
    pub at: String,
    pub user: String,
    pub text: String,
}

#[derive(Debug, Serialize)]
pub struct PeriodJson {
    pub name: String,
    pub paragraphs: Vec<String>,
}

/// One task in the JSON contract.
#[derive(Debug, Serialize)]
pub struct TaskJson {
    pub number: u32,
    pub section: Option<String>,
    pub domain: &'static str,
    pub domain_label: &'static str,
    pub domain_rule: String,
    pub domain_reason: String,
    pub domain_manual: bool,
    pub status: &'static str,
    pub status_label: &'static str,
    pub goal: String,
    pub goal_edited: bool,
    /// The latest period's paragraphs.
    pub progress: Vec<String>,
    pub lead_units: Vec<String>,
    pub co_units: Vec<String>,
    pub lead_units_canonical: Vec<String>,
    pub co_units_canonical: Vec<String>,
    pub notes: Vec<NoteJson>,
    pub history: Vec<HistoryJson>,
    pub periods: Vec<PeriodJson>,
}

impl TaskJson {
    pub fn new(task: &Task, history: &[&Event]) -> TaskJson {
        TaskJson {
            number: task.number,
            section: task.section.clone(),
            domain: task.domain.id(),
            domain_label: task.domain.label(),
            domain_rule: task.domain_decision.rule.clone(),
            domain_reason: task.domain_decision.reason.clone(),
            domain_manual: task.domain_decision.manual,
            status: task.status.id(),
            status_label: task.status.label(),
            goal: task.goal.clone(),
            goal_edited: task.goal_edited,
            progress: task.progress().to_vec(),
            lead_units: task.lead_units.iter().map(|u| u.written.clone()).collect(),
            co_units: task.co_units.iter().map(|u| u.written.clone()).collect(),
            lead_units_canonical: task
                .lead_units
                .iter()
                .map(|u| u.canonical.clone())
                .collect(),
            co_units_canonical: task.co_units.iter().map(|u| u.canonical.clone()).collect(),
            notes: task
                .notes
                .iter()
                .map(|n| NoteJson {
                    at: n.at.to_rfc3339(),
                    user: n.user.clone(),
                    text: n.text.clone(),
                })
                .collect(),
            history: history.iter().map(|e| HistoryJson::from_event(e)).collect(),
            periods: task
                .periods
                .iter()
                .map(|p| PeriodJson {
                    name: p.name.clone(),
                    paragraphs: p.paragraphs.clone(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ExportJson {
    pub schema: u32,
    pub tasks: Vec<TaskJson>,
}

fn history_by_task(history: &[Event]) -> BTreeMap<u32, Vec<&Event>> {
    let mut by_task: BTreeMap<u32, Vec<&Event>> = BTreeMap::new();
    for e in history {
        by_task.entry(e.task).or_default().push(e);
    }
    by_task
}

pub fn to_json(tasks: &[Task], history: &[Event]) -> String {
    let by_task = history_by_task(history);
    let doc = ExportJson {
        schema: JSON_SCHEMA,
        tasks: tasks
            .iter()
            .map(|t| TaskJson::new(t, by_task.get(&t.number).map(Vec::as_slice).unwrap_or(&[])))
            .collect(),
    };
    serde_json::to_string_pretty(&doc).expect("export types serialize")
}

fn notes_text(task: &Task) -> String {
    task.notes
        .iter()
        .map(|n| n.text.as_str())
        .collect::<Vec<_>>()
        .join(";")
}

/// CSV with a UTF-8 BOM; one row per task, paragraphs separated by line breaks in the cell.
/// `period` picks an earlier period's progress (tasks without it get an empty cell).
pub fn to_csv(tasks: &[Task], period: Option<&str>) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = [
        "序号",
        "领域",
        "状态",
        "status",
        "目标与任务",
        "工作进展",
        "牵头责任单位",
        "责任单位",
        "备注",
        "报告期",
    ];
    // Writing to a Vec cannot fail; the expects below are about memory, not input.
    w.write_record(header).expect("csv to memory");
    for t in tasks {
        let cells = [
            t.number.to_string(),
            t.domain.label().to_string(),
            t.status.label().to_string(),
            t.status.id().to_string(),
            t.goal.clone(),
            chosen(t, period)
                .map(|p| p.paragraphs.join("\n"))
                .unwrap_or_default(),
            crate::units::written(&t.lead_units),
            crate::units::written(&t.co_units),
            notes_text(t),
            chosen(t, period)
                .map(|p| p.name.clone())
                .unwrap_or_default(),
        ];
        w.write_record(cells.iter().map(|c| formula_safe(c).into_owned()))
            .expect("csv to memory");
    }
    let body =
        String::from_utf8(w.into_inner().expect("csv to memory")).expect("csv of UTF-8 strings");
    format!("\u{feff}{body}")
}

/// A CSV cell that a spreadsheet will show as text: one that starts with `=`, `+`, `-`, `@`,
/// a tab or a CR (OWASP's list for CSV injection: Excel and WPS read all of them as the
/// start of a formula, or skip the blank before one) gets a leading `'`, which the
/// spreadsheet shows as text and does not display. Every other cell is left as it is.
pub fn formula_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

fn chosen<'a>(task: &'a Task, period: Option<&str>) -> Option<&'a crate::model::Period> {
    match period {
        Some(name) => task.periods.iter().find(|p| p.name == name),
        None => task.latest_period(),
    }
}

#[cfg(test)]
mod tests {
    use super::formula_safe;

    #[test]
    fn cells_that_start_a_formula_become_text() {
        for cell in [
            "=HYPERLINK(\"http://x\",\"y\")",
            "+1+2",
            "-2+3",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
        ] {
            assert_eq!(formula_safe(cell), format!("'{cell}"));
        }
        for cell in ["加大黑臭水体整治力度", "87.24%", "", "a=b", "'quoted"] {
            assert_eq!(formula_safe(cell), cell);
        }
    }
}
