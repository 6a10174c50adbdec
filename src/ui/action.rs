//! The one vocabulary of the UI: every `Action` is both a message to `update` and (for the
//! variants without data) a name a keymap file can bind a key to, in snake_case.

use crate::import::Report;
use crate::lang::t;
use crate::ledger::ImportSummary;
use crate::model::{Event, Status, Task};
use crate::ui::files::Completion;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Does nothing; binding a key to it (or to "unbind") removes the key.
    #[serde(alias = "unbind")]
    NoOp,
    Quit,
    /// `q`: back on an inner screen (detail, diff, units, help), quit on the task list.
    Close,
    Help,

    MoveDown,
    MoveUp,
    Top,
    Bottom,
    PageDown,
    PageUp,
    NextTab,
    PrevTab,
    Open,
    Back,
    /// In a task's detail: the next (previous) task of the list it was opened from.
    NextTask,
    PrevTask,
    Search,
    Units,
    /// The task list's order: number, status, lead unit, updated first.
    CycleOrder,
    /// The task list's filter: all, updated by the latest report, left out, lagging.
    CycleFilter,

    CycleStatus,
    CycleStatusBack,
    SetNotStarted,
    SetOnTrack,
    SetBehind,
    SetSeriouslyBehind,
    SetDone,
    AddNote,
    /// Rewrite (or, emptied, remove) a note of the task; Tab in the input picks another.
    EditNote,
    /// Correct the task's goal.
    EditGoal,
    /// Move the task to another domain.
    MoveTask,
    /// Write the 通报 workbook (xlsx) to a path typed.
    ExportTongbao,
    Undo,

    // The supervision workflow: the suggested status (序时进度) and the period diff.
    AcceptSuggestion,
    ToggleDiff,
    /// Import a report file: asks for its path, previews, and writes only on Enter.
    Import,
    /// Review mode: judge the latest period's tasks one key each (resumes where left).
    Review,
    /// In review mode: keep the task's status as it is, and go on.
    Keep,

    // The one-line input (note, search, file path).
    Submit,
    Cancel,
    DeleteBack,
    DeleteForward,
    DeleteWordBack,
    KillToEnd,
    ClearInput,
    CursorLeft,
    CursorRight,
    CursorHome,
    CursorEnd,
    /// Complete the file path as a shell does (in the import's path input).
    Complete,

    // Messages from the loop and from effects; never bound to keys.
    /// Text typed or pasted into the input line.
    #[serde(skip)]
    Insert(String),
    /// The terminal's new size (columns, rows).
    #[serde(skip)]
    Resize(u16, u16),
    /// A store write returned Ok (it is on disk): the event recorded.
    #[serde(skip)]
    Saved(Box<Saved>),
    /// A store write failed; `what` says which edit, `error` why (user-readable).
    #[serde(skip)]
    Failed {
        what: String,
        error: String,
    },
    /// Results of the search worker for a text typed in the search line.
    #[serde(skip)]
    Found(Box<crate::search::SearchOutcome>),
    /// An edit committed on the shared database (anyone's, ours included), with the task as
    /// it is now.
    #[serde(skip)]
    Changed(Box<Changed>),
    /// Edits committed on the shared database (anyone's, ours included), in order, as the
    /// server announced them; the UI applies what they say.
    #[serde(skip)]
    Events(Vec<Event>),
    /// The shared server went away (`Some(reason)`) or answers again (`None`).
    #[serde(skip)]
    Connection(Option<String>),
    /// What Tab found for the typed path.
    #[serde(skip)]
    Completed(Box<Completion>),
    /// A report file read and parsed for the preview (nothing written).
    #[serde(skip)]
    Previewed(Box<Previewed>),
    /// The 通报 written from the UI (`x`): the path and how many tasks, or why not.
    #[serde(skip)]
    Exported {
        path: String,
        result: Result<usize, String>,
    },
    /// An import finished (or failed) on the session.
    #[serde(skip)]
    Imported(Box<Imported>),
    /// Tasks read from the session: a page of the background load (with where the next
    /// starts), or tasks read again after someone's import.
    #[serde(skip)]
    Tasks(Box<TasksPage>),
    /// The number of every task there is, read after someone's import (`Op::Numbers`).
    #[serde(skip)]
    Present {
        numbers: Vec<u32>,
        as_of: u64,
    },
    /// Something the UI reads in the background could not be read (why, in words).
    #[serde(skip)]
    ReadFailed(String),
    /// A task's history, read when its detail opened (or why it could not be read).
    #[serde(skip)]
    History {
        number: u32,
        result: Result<Vec<Event>, String>,
    },
}

/// Tasks read from the session.
#[derive(Debug, Clone, PartialEq)]
pub struct TasksPage {
    pub tasks: Vec<Task>,
    /// Where the next page of the background load starts; None when this was the last (or
    /// these are no page of it).
    pub next: Option<u32>,
    pub kind: PageKind,
}

/// Why tasks were read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKind {
    /// A page of the background load.
    Load,
    /// Tasks that changed (someone's import), read again.
    Changed,
    /// Whole tasks a screen is about to show (a detail, search hits in their text): kept
    /// for showing, nothing else changes.
    Shown,
}

/// A report file's bytes, shared between the preview and the import (which sends exactly
/// what was previewed). Debug shows only the length: a report can be tens of MB.
#[derive(Clone, PartialEq, Eq)]
pub struct ReportBytes(pub Arc<Vec<u8>>);

impl std::fmt::Debug for ReportBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ReportBytes({} bytes)", self.0.len())
    }
}

/// The importer's reading of a file, or its one-sentence reason why it cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Previewed {
    /// Which preview this answers (an answer to a cancelled one is dropped).
    pub id: u64,
    pub result: Result<(Arc<Report>, ReportBytes), String>,
}

/// What an import did, as the session reports it, with the tasks it named read back.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub id: u64,
    /// The file, for messages.
    pub source: String,
    pub result: Result<ImportDone, String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImportDone {
    pub summary: ImportSummary,
    /// The added and updated tasks as the database now has them.
    pub tasks: Vec<Task>,
    /// History events committed since the import was asked for (the import's own).
    pub events: Vec<Event>,
}

/// An edit someone committed, as the shared server announced it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    pub event: Event,
    /// The task as it is after the edit; None when it could not be read back (the event is
    /// still recorded).
    pub task: Option<crate::model::Task>,
}

/// What kind of edit a `Saved` acknowledges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SavedKind {
    Status,
    Undo,
    Note,
    /// A note rewritten or removed, a goal corrected, a task moved.
    Edit,
    /// A suggested status a person accepted (a status event whose note is the reason).
    Accept,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    pub kind: SavedKind,
    /// The event as stored (with its sequence number, time and user).
    pub event: Event,
}

impl Action {
    /// Every action a keymap may name, in the order help lists them.
    pub const BINDABLE: [Action; 50] = [
        Action::MoveDown,
        Action::MoveUp,
        Action::Top,
        Action::Bottom,
        Action::PageDown,
        Action::PageUp,
        Action::NextTab,
        Action::PrevTab,
        Action::Open,
        Action::Back,
        Action::Search,
        Action::Units,
        Action::CycleOrder,
        Action::CycleFilter,
        Action::CycleStatus,
        Action::CycleStatusBack,
        Action::SetNotStarted,
        Action::SetOnTrack,
        Action::SetBehind,
        Action::SetSeriouslyBehind,
        Action::SetDone,
        Action::AddNote,
        Action::EditNote,
        Action::EditGoal,
        Action::MoveTask,
        Action::ExportTongbao,
        Action::Undo,
        Action::AcceptSuggestion,
        Action::ToggleDiff,
        Action::Import,
        Action::Review,
        Action::Keep,
        Action::Help,
        Action::Quit,
        Action::Close,
        Action::NextTask,
        Action::PrevTask,
        Action::Submit,
        Action::Cancel,
        Action::DeleteBack,
        Action::DeleteForward,
        Action::DeleteWordBack,
        Action::KillToEnd,
        Action::ClearInput,
        Action::CursorLeft,
        Action::CursorRight,
        Action::CursorHome,
        Action::CursorEnd,
        Action::Complete,
        Action::NoOp,
    ];

    /// The name used in keymap files (`move_down`).
    pub fn name(&self) -> String {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::String(s)) => s,
            _ => format!("{self:?}"),
        }
    }

    /// Parses a keymap file's action name.
    pub fn from_name(name: &str) -> Option<Action> {
        serde_json::from_value(serde_json::Value::String(name.trim().to_string())).ok()
    }

    /// The status a "set" action sets.
    pub fn set_status(&self) -> Option<Status> {
        Some(match self {
            Action::SetNotStarted => Status::NotStarted,
            Action::SetOnTrack => Status::OnTrack,
            Action::SetBehind => Status::Behind,
            Action::SetSeriouslyBehind => Status::SeriouslyBehind,
            Action::SetDone => Status::Done,
            _ => return None,
        })
    }

    /// One line for the help screen.
    pub fn describe(&self) -> String {
        let s = match self {
            Action::NoOp => t("无（解除此键）", "nothing (unbinds the key)"),
            Action::Quit => t("退出", "quit"),
            Action::Close => t("返回；在任务列表上退出", "back; quits on the task list"),
            Action::Help => t("本帮助", "this help"),
            Action::Review => t(
                "逐项复核最新报告期的任务（离开后按此键继续）",
                "review the latest period's tasks one by one (this key resumes)",
            ),
            Action::Keep => t(
                "维持当前状态，看下一项（复核中）",
                "keep the status, next task (reviewing)",
            ),
            Action::MoveDown => t("下移 / 向下滚动", "move down / scroll down"),
            Action::MoveUp => t("上移 / 向上滚动", "move up / scroll up"),
            Action::Top => t("到顶部", "to the top"),
            Action::Bottom => t("到底部", "to the bottom"),
            Action::PageDown => t("下一页", "next page"),
            Action::PageUp => t("上一页", "previous page"),
            Action::NextTab => t("下一个领域标签", "next domain tab"),
            Action::PrevTab => t("上一个领域标签", "previous domain tab"),
            Action::Open => t(
                "打开任务（或该单位的任务）",
                "open the task (or the unit's tasks)",
            ),
            Action::Back => t("返回 / 清除搜索", "back / clear the search"),
            Action::NextTask => t("下一项任务（详情中）", "next task (in the detail)"),
            Action::PrevTask => t("上一项任务（详情中）", "previous task (in the detail)"),
            Action::Search => t(
                "搜索：关键词、@单位、#52、状态、领域、拼音",
                "search: words, @unit, #52, status, domain, pinyin",
            ),
            Action::Units => t("单位视图：谁在滞后", "units: who is lagging"),
            Action::CycleOrder => t(
                "列表排序：序号 / 状态 / 牵头单位 / 本期更新在前",
                "list order: number / status / lead unit / updated first",
            ),
            Action::CycleFilter => t(
                "列表筛选：全部 / 本期有更新 / 本期未报告 / 滞后",
                "list filter: all / updated / not reported / lagging",
            ),
            Action::CycleStatus => t(
                "状态：按表中顺序下一个",
                "status: the next in the table's order",
            ),
            Action::CycleStatusBack => t(
                "状态：按表中顺序上一个",
                "status: the previous in the table's order",
            ),
            Action::AddNote => t("给任务加备注", "add a note to the task"),
            Action::EditNote => t(
                "修改备注（Tab 换一条，清空后删除）",
                "edit a note (Tab: another, emptied: removed)",
            ),
            Action::EditGoal => t("修改目标", "edit the goal"),
            Action::MoveTask => t("移到另一领域", "move to another domain"),
            Action::ExportTongbao => t("导出通报（xlsx）", "export the report (xlsx)"),
            Action::Undo => t("撤销上一次修改", "undo the last edit"),
            Action::AcceptSuggestion => t(
                "采纳建议状态（序时进度）",
                "accept the suggested status (schedule)",
            ),
            Action::ToggleDiff => t(
                "与上一报告期相比的变化",
                "changes since the previous period",
            ),
            Action::Import => t(
                "导入报告文件（先预览，Enter 导入）",
                "import a report file (preview first, Enter imports)",
            ),
            Action::Submit => t(
                "保存备注 / 保留搜索 / 预览文件",
                "save the note / keep the search / preview the file",
            ),
            Action::Cancel => t("取消输入", "cancel the input"),
            Action::DeleteBack => t("删除光标前的字", "delete the character before the cursor"),
            Action::DeleteForward => t("删除光标处的字", "delete the character at the cursor"),
            Action::DeleteWordBack => t("删除光标前的词", "delete the word before the cursor"),
            Action::KillToEnd => t("删除到行尾", "delete to the end of the line"),
            Action::ClearInput => t("清空输入", "clear the input"),
            Action::CursorLeft => t("光标左移", "cursor left"),
            Action::CursorRight => t("光标右移", "cursor right"),
            Action::CursorHome => t("光标到行首", "cursor to the start"),
            Action::CursorEnd => t("光标到行尾", "cursor to the end"),
            Action::Complete => t(
                "补全文件路径（再按：列出候选）",
                "complete the file path (again: list the choices)",
            ),
            _ => {
                if let Some(st) = self.set_status() {
                    return crate::tr!("状态：{}（{}）", "status: {} ({})", st.label(), st.id());
                }
                return self.name();
            }
        };
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bindable_action_round_trips_its_name() {
        for a in Action::BINDABLE {
            assert_eq!(Action::from_name(&a.name()), Some(a.clone()), "{a:?}");
        }
        assert_eq!(Action::from_name("unbind"), Some(Action::NoOp));
        assert_eq!(Action::from_name("insert"), None);
        assert_eq!(Action::from_name("resize"), None);
    }
}
