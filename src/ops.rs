//! The one list of what can be asked of the ledger: every read and every edit as an `Op`,
//! every answer as a `Reply`. `Ledger::apply` runs them on a database; the shared server
//! runs the same values sent over its socket; `Session::call` is the same call whichever
//! of the two is behind it. Adding an operation means adding it here and in
//! `Ledger::apply`, nowhere else.

use crate::ledger::ImportSummary;
use crate::model::{Domain, Event, Status, Task, TaskSummary};
use serde::{Deserialize, Serialize};

/// The ledger's operations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    /// Tasks by number, a page at a time: those after `after`, at most `limit` (none: all
    /// that fit one answer).
    Tasks {
        #[serde(default)]
        after: Option<u32>,
        #[serde(default)]
        limit: Option<u32>,
    },
    /// What a list draws of each task (no progress text, no notes), a page at a time.
    Summaries {
        #[serde(default)]
        after: Option<u32>,
        #[serde(default)]
        limit: Option<u32>,
    },
    Task {
        number: u32,
    },
    /// The number of every task there is, with the sequence number the next event gets as
    /// they were read (a task missing here and in every event from that one on was removed,
    /// by an import that replaced the tasks).
    Numbers,
    /// History in the order it happened (one task's when `task` is given), a page at a
    /// time: events after sequence number `after`.
    History {
        task: Option<u32>,
        #[serde(default)]
        after: Option<u64>,
        #[serde(default)]
        limit: Option<u32>,
    },
    SetStatus {
        number: u32,
        status: Status,
        note: Option<String>,
    },
    /// Reverts the edit recorded as event `seq` — a status change, a note added, edited,
    /// removed or restored, a goal correction, a domain move, or an undo of one of these —
    /// as a new event. Refused when what it changed was changed again since (a status by a
    /// later status change; a note, goal or domain that no longer reads as the edit left
    /// it), and for imports and period renames.
    Undo {
        seq: u64,
    },
    AddNote {
        number: u32,
        text: String,
    },
    /// Rewrites note `index` (1-based, in the task's order of notes) of task `number`; the
    /// note keeps its author and time, the history keeps the old text. `seen`: the text the
    /// caller showed for that note; refused when the note there says something else now
    /// (someone changed or removed a note meanwhile).
    EditNote {
        number: u32,
        index: usize,
        text: String,
        #[serde(default)]
        seen: Option<String>,
    },
    /// Removes note `index` (1-based) of task `number` from its notes (and so from the 通报
    /// and the exports); the history keeps what it said. `seen` as for `EditNote`.
    RemoveNote {
        number: u32,
        index: usize,
        #[serde(default)]
        seen: Option<String>,
    },
    MoveTask {
        number: u32,
        domain: Domain,
    },
    EditGoal {
        number: u32,
        goal: String,
    },
    /// Imports a report file's bytes (`source` names it in history and messages): read as
    /// `duban import` reads a file, matched to the tasks already there.
    Import {
        bytes: Vec<u8>,
        source: String,
        period: Option<String>,
        replace: bool,
    },
    /// Renames a report period in every task that has it.
    RenamePeriod {
        from: String,
        to: String,
    },
    /// Loads the built-in sample into an empty database.
    EnsureSample,
    /// Rebuilds a database from a backup (`duban restore`): puts `tasks` and appends
    /// `events` (in the order of their `seq`, each given the next sequence number; time,
    /// user, change and note kept). Refused when the database has tasks unless `force` (the
    /// tasks are then replaced; history is never removed), and refused by a server: only a
    /// database opened directly is restored.
    Restore {
        tasks: Vec<Task>,
        events: Vec<Event>,
        force: bool,
    },
}

impl Op {
    /// True for operations that change the database (they need edit rights, go through
    /// the server's group commit and are recorded for resends).
    pub fn is_edit(&self) -> bool {
        !matches!(
            self,
            Op::Tasks { .. }
                | Op::Summaries { .. }
                | Op::Task { .. }
                | Op::Numbers
                | Op::History { .. }
        )
    }

    /// The operation's name, for logs (never its content: notes can be confidential).
    pub fn name(&self) -> &'static str {
        match self {
            Op::Tasks { .. } => "tasks",
            Op::Summaries { .. } => "summaries",
            Op::Task { .. } => "task",
            Op::Numbers => "numbers",
            Op::History { .. } => "history",
            Op::SetStatus { .. } => "set_status",
            Op::Undo { .. } => "undo",
            Op::AddNote { .. } => "add_note",
            Op::EditNote { .. } => "edit_note",
            Op::RemoveNote { .. } => "remove_note",
            Op::MoveTask { .. } => "move_task",
            Op::EditGoal { .. } => "edit_goal",
            Op::Import { .. } => "import",
            Op::RenamePeriod { .. } => "rename_period",
            Op::EnsureSample => "ensure_sample",
            Op::Restore { .. } => "restore",
        }
    }

    /// The task the operation is about, when it is about one (for logs).
    pub fn task(&self) -> Option<u32> {
        match self {
            Op::Task { number }
            | Op::SetStatus { number, .. }
            | Op::AddNote { number, .. }
            | Op::EditNote { number, .. }
            | Op::RemoveNote { number, .. }
            | Op::MoveTask { number, .. }
            | Op::EditGoal { number, .. } => Some(*number),
            Op::History { task, .. } => *task,
            _ => None,
        }
    }

    pub fn set_status(number: u32, status: Status, note: Option<&str>) -> Op {
        Op::SetStatus {
            number,
            status,
            note: note.map(str::to_string),
        }
    }

    pub fn add_note(number: u32, text: &str) -> Op {
        Op::AddNote {
            number,
            text: text.to_string(),
        }
    }

    /// `Op::EditNote` without `seen` (the caller showed no text, as on the command line).
    pub fn edit_note(number: u32, index: usize, text: &str) -> Op {
        Op::EditNote {
            number,
            index,
            text: text.to_string(),
            seen: None,
        }
    }

    /// `Op::RemoveNote` without `seen`.
    pub fn remove_note(number: u32, index: usize) -> Op {
        Op::RemoveNote {
            number,
            index,
            seen: None,
        }
    }

    pub fn edit_goal(number: u32, goal: &str) -> Op {
        Op::EditGoal {
            number,
            goal: goal.to_string(),
        }
    }

    pub fn import(bytes: Vec<u8>, source: &str, period: Option<&str>, replace: bool) -> Op {
        Op::Import {
            bytes,
            source: source.to_string(),
            period: period.map(str::to_string),
            replace,
        }
    }

    pub fn rename_period(from: &str, to: &str) -> Op {
        Op::RenamePeriod {
            from: from.to_string(),
            to: to.to_string(),
        }
    }

    /// Every task, as much as one answer holds (ask again after `next` for the rest).
    pub fn all_tasks() -> Op {
        Op::Tasks {
            after: None,
            limit: None,
        }
    }

    /// A task's whole history (or everyone's), as much as one answer holds.
    pub fn history(task: Option<u32>) -> Op {
        Op::History {
            task,
            after: None,
            limit: None,
        }
    }
}

/// A successful answer; which variant follows from the operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reply", content = "value", rename_all = "snake_case")]
pub enum Reply {
    /// A page of tasks; `next` is where the next page starts (`after`), None at the end.
    Tasks {
        tasks: Vec<Task>,
        next: Option<u32>,
    },
    Summaries {
        summaries: Vec<TaskSummary>,
        next: Option<u32>,
    },
    Task(Box<Task>),
    Numbers {
        numbers: Vec<u32>,
        /// The sequence number the next event got when the numbers were read.
        as_of: u64,
    },
    History {
        events: Vec<Event>,
        next: Option<u64>,
    },
    /// The event an edit made, as stored (with its sequence number).
    Event(Box<Event>),
    Imported(Box<ImportSummary>),
    /// The events of a period rename, one per task.
    Events(Vec<Event>),
    Sample(Option<Box<ImportSummary>>),
    /// What a restore put: how many tasks and history events.
    Restored {
        tasks: usize,
        events: usize,
    },
}

/// An answer of another kind than the operation gives: a bug, or a server of another
/// version.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("expected {expected} but the answer was {got}; is the server another duban version?")]
pub struct WrongReply {
    pub expected: &'static str,
    pub got: &'static str,
}

impl Reply {
    fn kind(&self) -> &'static str {
        match self {
            Reply::Tasks { .. } => "tasks",
            Reply::Summaries { .. } => "summaries",
            Reply::Task(_) => "a task",
            Reply::Numbers { .. } => "task numbers",
            Reply::History { .. } => "history",
            Reply::Event(_) => "an event",
            Reply::Imported(_) => "an import summary",
            Reply::Events(_) => "events",
            Reply::Sample(_) => "a sample summary",
            Reply::Restored { .. } => "a restore summary",
        }
    }

    fn wrong(&self, expected: &'static str) -> WrongReply {
        WrongReply {
            expected,
            got: self.kind(),
        }
    }

    pub fn into_event(self) -> Result<Event, WrongReply> {
        match self {
            Reply::Event(e) => Ok(*e),
            r => Err(r.wrong("an event")),
        }
    }

    pub fn into_events(self) -> Result<Vec<Event>, WrongReply> {
        match self {
            Reply::Events(e) => Ok(e),
            r => Err(r.wrong("events")),
        }
    }

    pub fn into_task(self) -> Result<Task, WrongReply> {
        match self {
            Reply::Task(t) => Ok(*t),
            r => Err(r.wrong("a task")),
        }
    }

    pub fn into_tasks(self) -> Result<(Vec<Task>, Option<u32>), WrongReply> {
        match self {
            Reply::Tasks { tasks, next } => Ok((tasks, next)),
            r => Err(r.wrong("tasks")),
        }
    }

    pub fn into_numbers(self) -> Result<(Vec<u32>, u64), WrongReply> {
        match self {
            Reply::Numbers { numbers, as_of } => Ok((numbers, as_of)),
            r => Err(r.wrong("task numbers")),
        }
    }

    pub fn into_summaries(self) -> Result<(Vec<TaskSummary>, Option<u32>), WrongReply> {
        match self {
            Reply::Summaries { summaries, next } => Ok((summaries, next)),
            r => Err(r.wrong("summaries")),
        }
    }

    pub fn into_history(self) -> Result<(Vec<Event>, Option<u64>), WrongReply> {
        match self {
            Reply::History { events, next } => Ok((events, next)),
            r => Err(r.wrong("history")),
        }
    }

    pub fn into_imported(self) -> Result<ImportSummary, WrongReply> {
        match self {
            Reply::Imported(s) => Ok(*s),
            r => Err(r.wrong("an import summary")),
        }
    }

    pub fn into_restored(self) -> Result<(usize, usize), WrongReply> {
        match self {
            Reply::Restored { tasks, events } => Ok((tasks, events)),
            r => Err(r.wrong("a restore summary")),
        }
    }

    pub fn into_sample(self) -> Result<Option<ImportSummary>, WrongReply> {
        match self {
            Reply::Sample(s) => Ok(s.map(|s| *s)),
            r => Err(r.wrong("a sample summary")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_read_is_not_an_edit_and_every_edit_is() {
        let reads = [
            Op::all_tasks(),
            Op::Summaries {
                after: None,
                limit: Some(10),
            },
            Op::Task { number: 1 },
            Op::history(Some(1)),
        ];
        assert!(reads.iter().all(|op| !op.is_edit()));
        let edits = [
            Op::set_status(1, Status::Done, None),
            Op::Undo { seq: 3 },
            Op::add_note(1, "x"),
            Op::edit_note(1, 1, "y"),
            Op::remove_note(1, 1),
            Op::MoveTask {
                number: 1,
                domain: Domain::Reform,
            },
            Op::edit_goal(1, "g"),
            Op::import(Vec::new(), "f", None, false),
            Op::rename_period("a", "b"),
            Op::EnsureSample,
            Op::Restore {
                tasks: Vec::new(),
                events: Vec::new(),
                force: false,
            },
        ];
        assert!(edits.iter().all(Op::is_edit));
    }

    #[test]
    fn ops_and_replies_round_trip_as_json() {
        let op = Op::set_status(14, Status::Behind, Some("进度滞后"));
        let back: Op = serde_json::from_str(&serde_json::to_string(&op).unwrap()).unwrap();
        assert_eq!(back, op);
        let r = Reply::History {
            events: Vec::new(),
            next: Some(9),
        };
        let back: Reply = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        assert_eq!(back, r);
        assert_eq!(
            back.into_event().unwrap_err().to_string(),
            "expected an event but the answer was history; is the server another duban version?"
        );
    }
}
