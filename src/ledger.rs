//! The office's ledger (台账): every operation on tasks — import, status, notes, domain moves,
//! goal corrections, undo — on top of a `Store`. `Ledger::apply` is the only way anything
//! is written: it takes an `Op` (the one list of operations, `crate::ops`) and answers with
//! a `Reply`. The CLI, the UI and the shared server are faces on this.

use crate::classify::DomainRules;
use crate::import::{ImportedRow, Report};
use crate::lang::t;
use crate::model::{Change, Domain, DomainDecision, Event, Note, Period, Status, Task};
use crate::ops::{Op, Reply};
use crate::periods::{self, Matching};
use crate::store::{Commit, NewEvent, Store, StoreError};
use crate::tr;
use chrono::Utc;
use std::collections::BTreeMap;

/// The built-in sample report (the seed), shipped in `data/`.
pub const SAMPLE_REPORT: &[u8] = include_bytes!("../data/sample_2020h1_wuhu.txt");
pub const SAMPLE_NAME: &str = "built-in sample (2020年上半年芜湖市政府重点工作进展情况督查通报)";

#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Import(#[from] crate::import::ImportError),
    #[error("{}", tr!("没有任务 {0}。`duban list` 列出各任务的序号。", "there is no task {0}. `duban list` shows the task numbers.", .0))]
    NoSuchTask(u32),
    #[error("{}", tr!("任务 {number} 已是{label}（{id}），未作修改。", "task {number} is already {label} ({id}); nothing changed.", number = .number, label = .status.label(), id = .status.id()))]
    Unchanged { number: u32, status: Status },
    #[error("{}", tr!("任务 {number} 已在{label}领域（{domain}），未作修改。", "task {number} is already in {domain} ({label}); nothing changed.", number = .number, domain = .domain, label = .domain.label()))]
    AlreadyInDomain { number: u32, domain: Domain },
    #[error(
        "{}",
        t(
            "备注是空的；请在任务序号后写上内容。",
            "the note is empty; write some text after the task number."
        )
    )]
    EmptyNote,
    #[error(
        "{}",
        t(
            "目标文字是空的；任务必须有目标。",
            "the goal text is empty; a task needs its goal."
        )
    )]
    EmptyGoal,
    #[error("{}", tr!("没有任务有名为 {0} 的报告期；`duban period list` 列出各报告期。", "no task has a period named {0}; `duban period list` shows the periods.", .0))]
    NoSuchPeriod(String),
    #[error(
        "{}",
        t(
            "报告期名称是空的；请在原名称后写上新名称。",
            "the period name is empty; give the new name after the old one."
        )
    )]
    EmptyPeriod,
    #[error("{}", tr!("任务 {tasks} 已有名为 {to} 的报告期；把 {from} 改成此名会出现两个同名报告期，未作修改。", "tasks {tasks} already have a period named {to}; renaming {from} would make two periods of one name, so nothing changed.", tasks = .tasks.iter().map(u32::to_string).collect::<Vec<_>>().join(t("、", ", ")), to = .to, from = .from))]
    PeriodTaken {
        from: String,
        to: String,
        tasks: Vec<u32>,
    },
    #[error("{}", tr!("事件 {0} 是导入或报告期改名，不能撤销；只有状态、备注、目标和领域的修改可以撤销。", "event {0} is an import or a period rename, which cannot be undone; only status, note, goal and domain edits can.", .0))]
    NotUndoable(u64),
    #[error("{}", tr!("任务 {number} 没有第 {index} 条备注（共 {count} 条）。`duban show {number}` 列出备注及其序号。", "task {number} has no note {index} (it has {count}). `duban show {number}` numbers its notes.", number = .number, index = .index, count = .count))]
    NoSuchNote {
        number: u32,
        index: usize,
        count: usize,
    },
    #[error("{}", tr!("任务 {number} 的第 {index} 条备注已被改动（现为“{now}”），未作修改。请重新查看备注后再试。", "note {index} of task {number} was changed meanwhile (it now reads “{now}”); nothing changed. Look at the notes again and retry.", number = .number, index = .index, now = crate::text::clean(.now)))]
    NoteMoved {
        number: u32,
        index: usize,
        now: String,
    },
    #[error("{}", tr!("任务 {number} 的第 {index} 条备注已是这段文字，未作修改。", "note {index} of task {number} already reads so; nothing changed.", number = .number, index = .index))]
    NoteUnchanged { number: u32, index: usize },
    #[error("{}", changed_after(*.number, .what, .later.as_deref()))]
    ChangedAfter {
        number: u32,
        /// What was changed again (`备注`, `目标`, `领域`).
        what: &'static str,
        /// The latest later event that changed it, when one is known.
        later: Option<Box<Event>>,
    },
    #[error("{}", tr!("历史中没有事件 {0}。`duban history` 列出各事件。", "there is no event {0} in the history. `duban history` lists the events.", .0))]
    NoSuchEvent(u64),
    #[error("{}", tr!("{0} 不是读操作（duban 的缺陷）。", "{0} is not a read (a bug in duban).", .0))]
    NotARead(&'static str),
    #[error("{}", tr!("任务 {number} 在那次修改之后又被改过（{by} 于 {at} 改为{to}）；撤销会悄悄覆盖那次修改，未作改动。请直接设置你要的状态。", "task {number} was changed after that edit ({by} set it to {to} at {at}); undoing would overwrite that silently, so nothing changed. Set the status you want instead.", number = .number, by = .by, to = .to.label(), at = .at.format("%Y-%m-%d %H:%M UTC")))]
    ChangedSince {
        number: u32,
        by: String,
        to: Status,
        at: chrono::DateTime<chrono::Utc>,
    },
}

/// Why an undo was refused: what it would revert was changed again since.
fn changed_after(number: u32, what: &str, later: Option<&Event>) -> String {
    let by = later
        .map(|e| {
            tr!(
                "（{} 于 {}）",
                " ({} at {})",
                crate::text::clean(&e.user),
                e.at.format("%Y-%m-%d %H:%M UTC")
            )
        })
        .unwrap_or_default();
    tr!(
        "任务 {number} 的{what}此后已被修改{by}；撤销会悄悄覆盖那次修改，未作改动。",
        "the {what} of task {number} was changed again since{by}; undoing would overwrite that silently, so nothing changed."
    )
}

/// What an import did, for the person who ran it.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ImportSummary {
    pub period: String,
    pub added: Vec<u32>,
    pub updated: Vec<u32>,
    /// Tasks in the database that this report did not mention (kept as they were).
    pub absent: Vec<u32>,
    /// How the report's rows were matched to the tasks already there (by number, confirmed
    /// by goal): renumbered, new and conflicting rows, each with its line. Empty for an
    /// import into an empty database or with `replace`.
    #[serde(default)]
    pub matching: Matching,
    /// The database held only the built-in sample, which this report replaced (its tasks
    /// go; their history stays).
    #[serde(default)]
    pub replaced_sample: bool,
    /// What reading the report found, for the person who imports it.
    #[serde(default)]
    pub report: ReportFacts,
}

/// What reading a report found besides its rows: what it was read as, the lines not
/// placed in any row, the rows worth a look, advice on its period name.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ReportFacts {
    /// One line: the file's type, encoding, layout, period and rows.
    pub headline: String,
    pub rows: usize,
    pub unplaced: Vec<crate::import::Unplaced>,
    pub warnings: Vec<crate::import::Unplaced>,
    /// How to name the period when the report named none.
    pub advice: Option<String>,
}

impl ReportFacts {
    pub fn of(report: &Report, period: Option<&str>) -> ReportFacts {
        use crate::import::preview;
        ReportFacts {
            headline: preview::headline(report, period),
            rows: report.rows.len(),
            unplaced: report.unplaced.clone(),
            warnings: report.warnings.clone(),
            advice: preview::period_advice(report, period),
        }
    }
}

/// An answer holds at most about this many bytes of tasks or events (the protocol's frames
/// are bounded; a page that would pass this ends early and says where to go on).
pub const PAGE_BYTES: usize = 4 * 1024 * 1024;

/// Reads for one operation, straight from a store: no user, no writing. The shared server
/// answers reads with this on any thread while the writer works.
pub fn read(store: &dyn Store, op: &Op) -> Result<Reply, LedgerError> {
    match op {
        Op::Tasks { after, limit } => {
            let (tasks, next) = store.tasks_page(*after, page_limit(*limit), PAGE_BYTES)?;
            Ok(Reply::Tasks { tasks, next })
        }
        Op::Summaries { after, limit } => {
            let (summaries, next) = store.summaries_page(*after, page_limit(*limit), PAGE_BYTES)?;
            Ok(Reply::Summaries { summaries, next })
        }
        Op::Task { number } => store
            .task(*number)?
            .map(|t| Reply::Task(Box::new(t)))
            .ok_or(LedgerError::NoSuchTask(*number)),
        Op::Numbers => {
            // Read before the numbers: an edit committed in between is then newer than
            // `as_of`, which only makes the answer more current than it says.
            let as_of = store
                .meta(crate::store::META_NEXT_SEQ)?
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(1);
            Ok(Reply::Numbers {
                numbers: store.numbers()?,
                as_of,
            })
        }
        Op::History { task, after, limit } => {
            if let Some(n) = task {
                if store.task(*n)?.is_none() {
                    return Err(LedgerError::NoSuchTask(*n));
                }
            }
            let (events, next) =
                store.history_page(*task, *after, page_limit(*limit), PAGE_BYTES)?;
            Ok(Reply::History { events, next })
        }
        _ => Err(LedgerError::NotARead(op.name())),
    }
}

fn page_limit(limit: Option<u32>) -> usize {
    limit.map(|l| l as usize).unwrap_or(usize::MAX)
}

/// The meta key saying what the tasks came from: `sample` (the built-in sample, loaded into
/// an empty database) or `reports` (an import of somebody's report).
const META_CONTENT: &str = "content";

pub struct Ledger {
    store: Box<dyn Store>,
    user: String,
    rules: DomainRules,
    /// `Op::Restore` writes history in other people's names: only a ledger on a database
    /// this process opened itself (`Ledger::open`) takes it, never the server's.
    restores: bool,
}

impl Ledger {
    pub fn new(store: Box<dyn Store>, user: String, rules: DomainRules) -> Ledger {
        Ledger {
            store,
            user,
            rules,
            restores: false,
        }
    }

    /// Opens the sled database at `path` as the current OS user with the shipped domain rules.
    pub fn open(path: &std::path::Path) -> Result<Ledger, StoreError> {
        let store = crate::store::SledStore::open(path)?;
        let mut ledger = Ledger::new(
            Box::new(store),
            crate::user::current(),
            DomainRules::builtin(),
        );
        ledger.restores = true;
        Ok(ledger)
    }

    pub fn user(&self) -> &str {
        &self.user
    }

    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    pub fn rules(&self) -> &DomainRules {
        &self.rules
    }

    pub fn tasks(&self) -> Result<Vec<Task>, LedgerError> {
        Ok(self.store.tasks()?)
    }

    pub fn task(&self, number: u32) -> Result<Task, LedgerError> {
        self.store
            .task(number)?
            .ok_or(LedgerError::NoSuchTask(number))
    }

    pub fn history(&self, number: Option<u32>) -> Result<Vec<Event>, LedgerError> {
        if let Some(n) = number {
            self.task(n)?;
        }
        Ok(self.store.history(number)?)
    }

    pub fn is_empty(&self) -> Result<bool, LedgerError> {
        Ok(self.store.is_empty()?)
    }

    /// Runs one operation: the only way anything is written. Reads answer from the store;
    /// an edit's events are on disk when it returns.
    pub fn apply(&self, op: Op) -> Result<Reply, LedgerError> {
        let event = |e: Event| Reply::Event(Box::new(e));
        match op {
            Op::SetStatus {
                number,
                status,
                note,
            } => self
                .change_status(number, status, note.as_deref(), false)
                .map(event),
            Op::Undo { seq } => self.undo(seq).map(event),
            Op::AddNote { number, text } => self.add_note(number, &text).map(event),
            Op::EditNote {
                number,
                index,
                text,
                seen,
            } => self
                .edit_note(number, index, &text, seen.as_deref())
                .map(event),
            Op::RemoveNote {
                number,
                index,
                seen,
            } => self.remove_note(number, index, seen.as_deref()).map(event),
            Op::MoveTask { number, domain } => self.move_task(number, domain).map(event),
            Op::EditGoal { number, goal } => self.edit_goal(number, &goal).map(event),
            Op::Import {
                bytes,
                source,
                period,
                replace,
            } => {
                let report = crate::import::import_bytes(
                    &bytes,
                    &source,
                    &crate::import::Aliases::builtin(),
                )?;
                // The bytes are not needed once read; a big report should not be held twice.
                drop(bytes);
                let summary = self.import(&report, period.as_deref(), replace)?;
                Ok(Reply::Imported(Box::new(summary)))
            }
            Op::RenamePeriod { from, to } => self.rename_period(&from, &to).map(Reply::Events),
            Op::EnsureSample => Ok(Reply::Sample(self.ensure_sample()?.map(Box::new))),
            Op::Restore {
                tasks,
                events,
                force,
            } => self.restore(tasks, events, force),
            Op::Tasks { .. }
            | Op::Summaries { .. }
            | Op::Task { .. }
            | Op::Numbers
            | Op::History { .. } => read(self.store.as_ref(), &op),
        }
    }

    /// `Op::Restore`: one large commit (the store writes it in small batches and switches
    /// to it at once, so a crash midway leaves the database as it was).
    fn restore(
        &self,
        tasks: Vec<Task>,
        mut events: Vec<Event>,
        force: bool,
    ) -> Result<Reply, LedgerError> {
        // (Refusals are store errors: the server's error kinds match every ledger error.)
        let path = self.store.path().to_path_buf();
        if !self.restores {
            return Err(StoreError::RestoreNotHere { path }.into());
        }
        if !force && !self.is_empty()? {
            let tasks = self.store.numbers()?.len();
            return Err(StoreError::NotEmpty { path, tasks }.into());
        }
        // The order they happened in; the store numbers them from its next seq on.
        events.sort_by_key(|e| e.seq);
        let counts = (tasks.len(), events.len());
        let events = events
            .into_iter()
            .map(|e| NewEvent {
                task: e.task,
                at: e.at,
                user: e.user,
                change: e.change,
                note: e.note,
            })
            .collect();
        self.store.commit(Commit {
            clear_tasks: true,
            put: tasks,
            events,
            // Somebody's data, not the built-in sample: a report imported later is matched
            // to it instead of replacing it.
            meta: vec![(META_CONTENT.to_string(), "reports".to_string())],
        })?;
        Ok(Reply::Restored {
            tasks: counts.0,
            events: counts.1,
        })
    }

    /// Loads the built-in sample when the database holds no task yet. Returns what it loaded,
    /// so the caller can say so.
    fn ensure_sample(&self) -> Result<Option<ImportSummary>, LedgerError> {
        if !self.is_empty()? {
            return Ok(None);
        }
        let report = crate::import::import_bytes(
            SAMPLE_REPORT,
            SAMPLE_NAME,
            &crate::import::Aliases::builtin(),
        )
        .expect("the built-in sample imports (tested)");
        let summary = self.import(&report, None, false)?;
        // The first real report replaces the sample instead of conflicting with it.
        self.store.commit(Commit {
            meta: vec![(META_CONTENT.to_string(), "sample".to_string())],
            ..Commit::default()
        })?;
        Ok(Some(summary))
    }

    fn event(&self, task: u32, change: Change, note: Option<String>) -> NewEvent {
        NewEvent {
            task,
            at: Utc::now(),
            user: self.user.clone(),
            change,
            note,
        }
    }

    fn write(&self, task: Task, event: NewEvent) -> Result<Event, LedgerError> {
        let mut stored = self.store.commit(Commit {
            put: vec![task],
            events: vec![event],
            ..Commit::default()
        })?;
        Ok(stored.remove(0))
    }

    /// Reverts the edit recorded as event `seq` with a new event (see `Op::Undo`).
    fn undo(&self, seq: u64) -> Result<Event, LedgerError> {
        let event = self
            .store
            .event(seq)?
            .ok_or(LedgerError::NoSuchEvent(seq))?;
        match &event.change {
            Change::Status { from, .. } => self.undo_status(&event, *from),
            Change::Goal { from, to, .. } => self.undo_goal(&event, from, to),
            Change::Move { from, to, .. } => self.undo_move(&event, *from, *to),
            Change::Note { .. }
            | Change::NoteEdited { .. }
            | Change::NoteRemoved { .. }
            | Change::NoteRestored { .. } => self.undo_note(&event),
            Change::Import { .. } | Change::PeriodRenamed { .. } => {
                Err(LedgerError::NotUndoable(event.seq))
            }
        }
    }

    /// The latest event on `event`'s task after it that `is` picks (for saying who changed
    /// something since).
    fn later(
        &self,
        event: &Event,
        is: impl Fn(&Change) -> bool,
    ) -> Result<Option<Event>, LedgerError> {
        Ok(self
            .history(Some(event.task))?
            .into_iter()
            .rev()
            .take_while(|e| e.seq > event.seq)
            .find(|e| is(&e.change)))
    }

    /// Refused undo: `what` of `event`'s task no longer reads as `event` left it.
    fn changed_after(
        &self,
        event: &Event,
        what: &'static str,
        is: impl Fn(&Change) -> bool,
    ) -> LedgerError {
        LedgerError::ChangedAfter {
            number: event.task,
            what,
            later: self.later(event, is).ok().flatten().map(Box::new),
        }
    }

    /// Reverts a goal correction (or an undo of one): the goal is again what it replaced.
    /// Refused when the goal reads otherwise now.
    fn undo_goal(&self, event: &Event, from: &str, to: &str) -> Result<Event, LedgerError> {
        let mut task = self.task(event.task)?;
        if task.goal != to {
            return Err(self.changed_after(event, "目标", |c| matches!(c, Change::Goal { .. })));
        }
        // The goal is again a person's correction when an earlier correction (not an undo)
        // wrote that text; otherwise it is the report's again, and a re-import updates it.
        let corrected = self
            .history(Some(event.task))?
            .iter()
            .take_while(|e| e.seq < event.seq)
            .any(|e| matches!(&e.change, Change::Goal { to, undo: false, .. } if to == from));
        task.goal = from.to_string();
        task.goal_edited = corrected;
        let change = Change::Goal {
            from: to.to_string(),
            to: from.to_string(),
            undo: true,
        };
        self.write(task, self.event(event.task, change, None))
    }

    /// Moves a task back to the domain a move (or an undo of one) took it from. Refused when
    /// the task is in another domain now.
    fn undo_move(&self, event: &Event, from: Domain, to: Domain) -> Result<Event, LedgerError> {
        let mut task = self.task(event.task)?;
        if task.domain != to {
            return Err(self.changed_after(event, "领域", |c| matches!(c, Change::Move { .. })));
        }
        // Back to the rules' decision when the rules put the task there and no person did.
        let moved_there = self
            .history(Some(event.task))?
            .iter()
            .take_while(|e| e.seq < event.seq)
            .any(|e| matches!(&e.change, Change::Move { to, undo: false, .. } if *to == from));
        let (domain, decision) = self
            .rules
            .classify(&task.goal, task.progress(), &task.lead_units);
        task.domain = from;
        task.domain_decision = if domain == from && !moved_there {
            decision
        } else {
            DomainDecision {
                rule: "manual".into(),
                reason: format!(
                    "moved back by {} from {} ({})",
                    self.user,
                    to.id(),
                    to.label()
                ),
                manual: true,
            }
        };
        let change = Change::Move {
            from: to,
            to: from,
            undo: true,
        };
        self.write(task, self.event(event.task, change, None))
    }

    /// Reverts a note event: an added or restored note is removed, an edit is reverted, a
    /// removed note is put back at its place. Refused when the note no longer reads as the
    /// event left it (edited or removed since) or, for a removal, is back already.
    fn undo_note(&self, event: &Event) -> Result<Event, LedgerError> {
        let mut task = self.task(event.task)?;
        let gone = || self.changed_after(event, "这条备注", Change::is_note);
        let change = match &event.change {
            Change::Note { text } => {
                let i = task
                    .find_note(event.at, &event.user, text, None)
                    .ok_or_else(gone)?;
                Change::NoteRemoved {
                    index: i + 1,
                    author: event.user.clone(),
                    written: event.at,
                    text: text.clone(),
                    undo: true,
                }
            }
            Change::NoteRestored {
                index,
                author,
                written,
                text,
            } => {
                let i = task
                    .find_note(*written, author, text, index.checked_sub(1))
                    .ok_or_else(gone)?;
                Change::NoteRemoved {
                    index: i + 1,
                    author: author.clone(),
                    written: *written,
                    text: text.clone(),
                    undo: true,
                }
            }
            Change::NoteEdited {
                index,
                author,
                written,
                from,
                to,
                ..
            } => {
                let i = task
                    .find_note(*written, author, to, index.checked_sub(1))
                    .ok_or_else(gone)?;
                Change::NoteEdited {
                    index: i + 1,
                    author: author.clone(),
                    written: *written,
                    from: to.clone(),
                    to: from.clone(),
                    undo: true,
                }
            }
            Change::NoteRemoved {
                index,
                author,
                written,
                text,
                ..
            } => {
                if self.back_since(event, *written, author, text)?
                    || task.find_note(*written, author, text, None).is_some()
                {
                    return Err(gone());
                }
                Change::NoteRestored {
                    index: (*index).clamp(1, task.notes.len() + 1),
                    author: author.clone(),
                    written: *written,
                    text: text.clone(),
                }
            }
            _ => return Err(LedgerError::NotUndoable(event.seq)),
        };
        let undo = self.event(event.task, change, None);
        if !task.apply_note_change(&undo.change, undo.at, &undo.user) {
            return Err(gone());
        }
        self.write(task, undo)
    }

    /// Whether the note `author` wrote at `written`, removed by `event` when it said
    /// `text`, is among the task's notes again: followed through the task's later note
    /// events (restored, edited, removed again).
    fn back_since(
        &self,
        event: &Event,
        written: chrono::DateTime<Utc>,
        author: &str,
        text: &str,
    ) -> Result<bool, LedgerError> {
        let mut text = text.to_string();
        let mut present = false;
        let this = |w: &chrono::DateTime<Utc>, a: &str| *w == written && a == author;
        for e in self.history(Some(event.task))? {
            if e.seq <= event.seq {
                continue;
            }
            match e.change {
                Change::NoteRestored {
                    written: w,
                    author: a,
                    text: t,
                    ..
                } if this(&w, &a) && t == text => present = true,
                Change::NoteRemoved {
                    written: w,
                    author: a,
                    text: t,
                    ..
                } if this(&w, &a) && t == text => present = false,
                Change::NoteEdited {
                    written: w,
                    author: a,
                    from,
                    to,
                    ..
                } if this(&w, &a) && from == text => text = to,
                _ => {}
            }
        }
        Ok(present)
    }

    /// Reverts a status event: a new event from its `to` back to its `from`.
    fn undo_status(&self, event: &Event, from: Status) -> Result<Event, LedgerError> {
        // Only the latest status change of a task is undone: a later one (someone else's,
        // on a shared database) would be overwritten without anyone seeing it.
        let later = self
            .history(Some(event.task))?
            .into_iter()
            .rev()
            .filter(|e| e.seq > event.seq)
            .find_map(|e| match e.change {
                Change::Status { to, .. } => Some((e.user, to, e.at)),
                _ => None,
            });
        if let Some((by, to, at)) = later {
            return Err(LedgerError::ChangedSince {
                number: event.task,
                by,
                to,
                at,
            });
        }
        self.change_status(event.task, from, Some("撤销"), true)
    }

    fn change_status(
        &self,
        number: u32,
        status: Status,
        note: Option<&str>,
        undo: bool,
    ) -> Result<Event, LedgerError> {
        let mut task = self.task(number)?;
        if task.status == status {
            return Err(LedgerError::Unchanged { number, status });
        }
        let from = task.status;
        task.status = status;
        let note = note
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string);
        let event = self.event(
            number,
            Change::Status {
                from,
                to: status,
                undo,
            },
            note,
        );
        self.write(task, event)
    }

    fn add_note(&self, number: u32, text: &str) -> Result<Event, LedgerError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(LedgerError::EmptyNote);
        }
        let mut task = self.task(number)?;
        let at = Utc::now();
        task.notes.push(Note {
            at,
            user: self.user.clone(),
            text: text.to_string(),
        });
        let mut event = self.event(
            number,
            Change::Note {
                text: text.to_string(),
            },
            None,
        );
        event.at = at;
        self.write(task, event)
    }

    /// The note at `index` (1-based) of task `number`, checked against the text the caller
    /// saw there: (the task, its place 0-based).
    fn note_at(
        &self,
        number: u32,
        index: usize,
        seen: Option<&str>,
    ) -> Result<(Task, usize), LedgerError> {
        let task = self.task(number)?;
        let count = task.notes.len();
        let i = index
            .checked_sub(1)
            .filter(|&i| i < count)
            .ok_or(LedgerError::NoSuchNote {
                number,
                index,
                count,
            })?;
        if let Some(seen) = seen {
            if task.notes[i].text != seen {
                return Err(LedgerError::NoteMoved {
                    number,
                    index,
                    now: task.notes[i].text.clone(),
                });
            }
        }
        Ok((task, i))
    }

    /// Rewrites a note's text; the note keeps its author and time.
    fn edit_note(
        &self,
        number: u32,
        index: usize,
        text: &str,
        seen: Option<&str>,
    ) -> Result<Event, LedgerError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(LedgerError::EmptyNote);
        }
        let (mut task, i) = self.note_at(number, index, seen)?;
        let note = &mut task.notes[i];
        if note.text == text {
            return Err(LedgerError::NoteUnchanged { number, index });
        }
        let change = Change::NoteEdited {
            index,
            author: note.user.clone(),
            written: note.at,
            from: std::mem::replace(&mut note.text, text.to_string()),
            to: text.to_string(),
            undo: false,
        };
        self.write(task, self.event(number, change, None))
    }

    /// Removes a note from the task's notes; its event keeps what it said.
    fn remove_note(
        &self,
        number: u32,
        index: usize,
        seen: Option<&str>,
    ) -> Result<Event, LedgerError> {
        let (mut task, i) = self.note_at(number, index, seen)?;
        let note = task.notes.remove(i);
        let change = Change::NoteRemoved {
            index,
            author: note.user,
            written: note.at,
            text: note.text,
            undo: false,
        };
        self.write(task, self.event(number, change, None))
    }

    /// Moves a task to another domain; the move survives re-import.
    fn move_task(&self, number: u32, domain: Domain) -> Result<Event, LedgerError> {
        let mut task = self.task(number)?;
        if task.domain == domain {
            return Err(LedgerError::AlreadyInDomain { number, domain });
        }
        let from = task.domain;
        task.domain = domain;
        task.domain_decision = DomainDecision {
            rule: "manual".into(),
            reason: format!(
                "moved by {} from {} ({})",
                self.user,
                from.id(),
                from.label()
            ),
            manual: true,
        };
        self.write(
            task,
            self.event(
                number,
                Change::Move {
                    from,
                    to: domain,
                    undo: false,
                },
                None,
            ),
        )
    }

    /// Corrects a task's goal text (the importer's goal/progress boundary is a judgement);
    /// re-import keeps the corrected text.
    fn edit_goal(&self, number: u32, goal: &str) -> Result<Event, LedgerError> {
        let goal = goal.trim();
        if goal.is_empty() {
            return Err(LedgerError::EmptyGoal);
        }
        let mut task = self.task(number)?;
        let from = std::mem::replace(&mut task.goal, goal.to_string());
        task.goal_edited = true;
        self.write(
            task,
            self.event(
                number,
                Change::Goal {
                    from,
                    to: goal.to_string(),
                    undo: false,
                },
                None,
            ),
        )
    }

    /// Renames a report period in every task that has it (a report whose title named no
    /// period was imported under a date or the file's name). One event per task; refused,
    /// changing nothing, when a task already has a period named `to`.
    fn rename_period(&self, from: &str, to: &str) -> Result<Vec<Event>, LedgerError> {
        let to = to.trim();
        if to.is_empty() {
            return Err(LedgerError::EmptyPeriod);
        }
        let tasks = self.store.tasks()?;
        let having: Vec<Task> = tasks
            .into_iter()
            .filter(|t| t.periods.iter().any(|p| p.name == from))
            .collect();
        if having.is_empty() {
            return Err(LedgerError::NoSuchPeriod(from.to_string()));
        }
        let taken: Vec<u32> = having
            .iter()
            .filter(|t| from != to && t.periods.iter().any(|p| p.name == to))
            .map(|t| t.number)
            .collect();
        if !taken.is_empty() {
            return Err(LedgerError::PeriodTaken {
                from: from.to_string(),
                to: to.to_string(),
                tasks: taken,
            });
        }
        let mut events = Vec::with_capacity(having.len());
        let mut put = Vec::with_capacity(having.len());
        for mut task in having {
            for p in task.periods.iter_mut().filter(|p| p.name == from) {
                p.name = to.to_string();
            }
            events.push(self.event(
                task.number,
                Change::PeriodRenamed {
                    from: from.to_string(),
                    to: to.to_string(),
                },
                None,
            ));
            put.push(task);
        }
        Ok(self.store.commit(Commit {
            put,
            events,
            ..Commit::default()
        })?)
    }

    /// Imports a report as a period. Into a ledger that has tasks, rows are matched to them
    /// first (`periods::match_rows`: by number, confirmed by goal; a row whose goal is clearly
    /// another task's is renumbered to it, a row whose number belongs to a different goal is
    /// a conflict and left out) — here, once, for every path (command, UI, shared server).
    /// Matched rows add a period to their task; statuses, notes, history, goal corrections
    /// and manual domain moves are kept. `period` overrides the report's own period name.
    /// `replace` starts over: every task is removed first (history is kept).
    pub(crate) fn import(
        &self,
        report: &Report,
        period: Option<&str>,
        replace: bool,
    ) -> Result<ImportSummary, LedgerError> {
        let facts = ReportFacts::of(report, period);
        let period = period
            .map(str::to_string)
            .unwrap_or_else(|| report.period.name.clone());
        // Matching needs only the tasks' goals; the tasks themselves are read one at a time
        // below, so a large ledger is never in memory twice (as it was and as it becomes).
        let mut existing = if replace {
            Vec::new()
        } else {
            self.store.goals()?
        };
        let mut matching = if existing.is_empty() {
            Matching::default()
        } else {
            periods::match_goals(&existing, &report.rows)
        };
        // Tasks that are only the built-in sample give way to the first real report about
        // other tasks (most of its rows match none of the sample's), instead of conflicting
        // with it; a later period of the sample's own tasks merges as any report does.
        let matched = matching.rows.iter().filter(|m| m.task().is_some()).count();
        let replaced_sample = !replace
            && !existing.is_empty()
            && matched * 2 < report.rows.len()
            && self.store.meta(META_CONTENT)?.as_deref() == Some("sample");
        if replaced_sample {
            existing.clear();
            matching = Matching::default();
        }
        let replace = replace || replaced_sample;
        // Each row with the number of the task it goes to.
        let rows: Vec<(u32, &ImportedRow)> = if existing.is_empty() {
            report.rows.iter().map(|r| (r.number, r)).collect()
        } else {
            periods::resolved(&report.rows, &matching)
        };
        let existing: std::collections::BTreeSet<u32> =
            existing.into_iter().map(|g| g.number).collect();
        // The stored task each row goes to, by row (a clone for all but the last of two rows
        // of one task: each starts from the task as stored, and the later wins). Every task
        // is read in one pass when the report touches many of them.
        let mut stored: Vec<Option<Task>> = rows.iter().map(|_| None).collect();
        let mut wanted: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
        for (i, (number, _)) in rows.iter().enumerate() {
            if existing.contains(number) {
                wanted.entry(*number).or_default().push(i);
            }
        }
        let mut place = |task: Task, at: &[usize]| {
            if let Some((&last, others)) = at.split_last() {
                for &i in others {
                    stored[i] = Some(task.clone());
                }
                stored[last] = Some(task);
            }
        };
        // Whether the rows name every task: then the tasks are exactly the ones put, which
        // the store writes without reading through the old ones to keep the others.
        let mut names_every_task = false;
        if !wanted.is_empty() && wanted.len() * 8 >= existing.len() {
            let mut others = 0usize;
            self.store.for_each_task(&mut |task| {
                match wanted.remove(&task.number) {
                    Some(at) => place(task, &at),
                    None => others += 1,
                }
                Ok(())
            })?;
            names_every_task = others == 0;
        } else {
            for (number, at) in &wanted {
                if let Some(task) = self.store.task(*number)? {
                    place(task, at);
                }
            }
        }
        let mut summary = ImportSummary {
            period: period.clone(),
            ..ImportSummary::default()
        };
        for (&(number, _), task) in rows.iter().zip(&stored) {
            match task {
                Some(_) => summary.updated.push(number),
                None => summary.added.push(number),
            }
        }
        // Merging and classifying is most of the work, and each row's is its own: on all
        // cores.
        let now = Utc::now();
        let put: Vec<Task> = {
            use rayon::prelude::*;
            rows.par_iter()
                .zip(stored.into_par_iter())
                .map(|(&(number, row), task)| {
                    let known = task.is_some();
                    let mut task = match task {
                        Some(task) => self.merge(task, row, &period),
                        None => {
                            let mut task = self.new_task(row, &period);
                            task.number = number;
                            task
                        }
                    };
                    self.keep_report_notes(&mut task, &row.notes, now, known)?;
                    Ok(task)
                })
                .collect::<Result<_, LedgerError>>()?
        };
        // One import, one moment: its events differ only in their task, which lets the store
        // keep them as one run.
        let events = rows
            .iter()
            .map(|&(number, _)| NewEvent {
                at: now,
                ..self.event(
                    number,
                    Change::Import {
                        period: period.clone(),
                        source: report.source.clone(),
                    },
                    None,
                )
            })
            .collect();
        let imported: std::collections::BTreeSet<u32> = rows.iter().map(|&(n, _)| n).collect();
        summary.absent = existing
            .iter()
            .copied()
            .filter(|n| !imported.contains(n))
            .collect();
        summary.matching = matching;
        summary.replaced_sample = replaced_sample;
        summary.report = facts;
        self.store.commit(Commit {
            clear_tasks: replace || names_every_task,
            put,
            events,
            meta: vec![(META_CONTENT.to_string(), "reports".to_string())],
        })?;
        Ok(summary)
    }

    /// A report's 备注 and other columns duban has no field for become the task's notes,
    /// under the importing user; a note the task already has (the same report imported
    /// again, or duban's own export read back) is not added twice, nor one a person removed
    /// or rewrote (`known`: the task was in the database before this import, so its history
    /// says what was removed).
    fn keep_report_notes(
        &self,
        task: &mut Task,
        notes: &[String],
        at: chrono::DateTime<Utc>,
        known: bool,
    ) -> Result<(), LedgerError> {
        // Read only when a note would be added: a report imported again adds none.
        let mut history: Option<Vec<Event>> = None;
        for text in notes {
            let text = text.trim();
            let joined = task
                .notes
                .iter()
                .map(|n| n.text.as_str())
                .collect::<Vec<_>>()
                .join(";");
            if text.is_empty() || text == joined || task.notes.iter().any(|n| n.text == text) {
                continue;
            }
            if known {
                if history.is_none() {
                    history = Some(self.store.history(Some(task.number))?);
                }
                let dropped = history.iter().flatten().any(|e| match &e.change {
                    Change::NoteRemoved { text: t, .. } | Change::NoteEdited { from: t, .. } => {
                        t == text
                    }
                    _ => false,
                });
                if dropped {
                    continue;
                }
            }
            task.notes.push(Note {
                at,
                user: self.user.clone(),
                text: text.to_string(),
            });
        }
        Ok(())
    }

    fn new_task(&self, row: &ImportedRow, period: &str) -> Task {
        new_task(&self.rules, row, period)
    }

    fn merge(&self, mut task: Task, row: &ImportedRow, period: &str) -> Task {
        // A row without a goal (the report left the cell empty) keeps the task's goal.
        if !task.goal_edited && !row.goal.trim().is_empty() {
            task.goal = row.goal.clone();
        }
        if row.section.is_some() {
            task.section = row.section.clone();
        }
        task.lead_units = row.lead_units.clone();
        task.co_units = row.co_units.clone();
        if !task.domain_decision.manual {
            let (domain, decision) =
                self.rules
                    .classify(&task.goal, &row.progress, &task.lead_units);
            task.domain = domain;
            task.domain_decision = decision;
        }
        let fresh = Period {
            name: period.to_string(),
            paragraphs: row.progress.clone(),
        };
        // Re-importing the same period replaces its text rather than adding a twin.
        match task.periods.iter_mut().find(|p| p.name == period) {
            Some(p) => *p = fresh,
            None => task.periods.push(fresh),
        }
        task
    }
}

/// A task as a first import makes it from a row: not started, domain by `rules`, the row's
/// progress as its only period.
pub fn new_task(rules: &DomainRules, row: &ImportedRow, period: &str) -> Task {
    let (domain, domain_decision) = rules.classify(&row.goal, &row.progress, &row.lead_units);
    Task {
        number: row.number,
        section: row.section.clone(),
        goal: row.goal.clone(),
        goal_edited: false,
        lead_units: row.lead_units.clone(),
        co_units: row.co_units.clone(),
        domain,
        domain_decision,
        status: Status::NotStarted,
        notes: Vec::new(),
        periods: vec![Period {
            name: period.to_string(),
            paragraphs: row.progress.clone(),
        }],
    }
}
