//! Exports the whole state: JSON (the contract of PRODUCT.md, read by other tools), CSV
//! (UTF-8 with a BOM so Excel and WPS open the Chinese correctly) and Markdown.

use crate::model::{Change, Domain, Event, Status, Task};
use serde::Serialize;
use std::collections::BTreeMap;

/// The version of the JSON contract (`{"schema": 1, "tasks": [...]}`).
pub const JSON_SCHEMA: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Json,
    Csv,
    Md,
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
            Change::Move { from, to } => {
                h.kind = "move";
                h.from = Some(from.id().into());
                h.to = Some(to.id().into());
            }
            Change::Goal { from, to } => {
                h.kind = "goal";
                h.from = Some(from.clone());
                h.to = Some(to.clone());
            }
            Change::Import { period, source } => {
                h.kind = "import";
                h.period = Some(period.clone());
                h.source = Some(source.clone());
            }
        }
        h
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

fn join_units(units: &[crate::model::Unit]) -> String {
    units
        .iter()
        .map(|u| u.written.as_str())
        .collect::<Vec<_>>()
        .join("、")
}

fn notes_text(task: &Task) -> String {
    task.notes
        .iter()
        .map(|n| n.text.as_str())
        .collect::<Vec<_>>()
        .join(";")
}

/// CSV with a UTF-8 BOM; one row per task, paragraphs separated by line breaks in the cell.
pub fn to_csv(tasks: &[Task]) -> String {
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
        w.write_record([
            t.number.to_string(),
            t.domain.label().to_string(),
            t.status.label().to_string(),
            t.status.id().to_string(),
            t.goal.clone(),
            t.progress().join("\n"),
            join_units(&t.lead_units),
            join_units(&t.co_units),
            notes_text(t),
            t.latest_period()
                .map(|p| p.name.clone())
                .unwrap_or_default(),
        ])
        .expect("csv to memory");
    }
    let body =
        String::from_utf8(w.into_inner().expect("csv to memory")).expect("csv of UTF-8 strings");
    format!("\u{feff}{body}")
}

fn md_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', "<br>")
}

/// Counts of tasks by domain × status, the first table of a 通报.
pub fn counts(tasks: &[Task]) -> BTreeMap<(Domain, Status), usize> {
    let mut c = BTreeMap::new();
    for t in tasks {
        *c.entry((t.domain, t.status)).or_insert(0) += 1;
    }
    c
}

/// Markdown: a summary by domain × status, then one table per domain.
pub fn to_markdown(tasks: &[Task]) -> String {
    let mut out = String::new();
    let period = tasks
        .iter()
        .filter_map(|t| t.latest_period().map(|p| p.name.as_str()))
        .max()
        .unwrap_or("");
    out.push_str(&format!("# 重点工作任务进展情况 {period}\n\n## 汇总\n\n"));
    out.push_str("| 领域 |");
    for s in Status::ALL {
        out.push_str(&format!(" {} |", s.label()));
    }
    out.push_str(" 合计 |\n|---|");
    for _ in Status::ALL {
        out.push_str("---:|");
    }
    out.push_str("---:|\n");
    let c = counts(tasks);
    for d in Domain::ALL {
        out.push_str(&format!("| {} |", d.label()));
        let mut total = 0;
        for s in Status::ALL {
            let n = c.get(&(d, s)).copied().unwrap_or(0);
            total += n;
            out.push_str(&format!(" {n} |"));
        }
        out.push_str(&format!(" {total} |\n"));
    }
    out.push_str("| 合计 |");
    for s in Status::ALL {
        let n = tasks.iter().filter(|t| t.status == s).count();
        out.push_str(&format!(" {n} |"));
    }
    out.push_str(&format!(" {} |\n", tasks.len()));
    for d in Domain::ALL {
        let in_domain: Vec<&Task> = tasks.iter().filter(|t| t.domain == d).collect();
        if in_domain.is_empty() {
            continue;
        }
        out.push_str(&format!("\n## {} ({})\n\n", d.label(), in_domain.len()));
        out.push_str("| 序号 | 目标与任务 | 工作进展 | 牵头责任单位 | 责任单位 | 状态 | 备注 |\n");
        out.push_str("|---:|---|---|---|---|---|---|\n");
        for t in in_domain {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} {} | {} |\n",
                t.number,
                md_cell(&t.goal),
                md_cell(&t.progress().join("\n")),
                md_cell(&join_units(&t.lead_units)),
                md_cell(&join_units(&t.co_units)),
                t.status.glyph(),
                t.status.label(),
                md_cell(&notes_text(t)),
            ));
        }
    }
    out
}
