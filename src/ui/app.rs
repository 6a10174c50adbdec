//! The UI's state and `update`, its one pure transition: `update(&mut State, Action)` changes
//! the state and returns the effects (session work, searches) to run outside. No terminal, no
//! store here, so tests drive it with action sequences. Each screen's keys live beside it:
//! `list` (task lists), `reading` (detail, diff, help), `units`, `import`, `input` (the line
//! editor); `live` and `loading` take what the session sends.

use crate::model::{Change, Domain, Event, Status, Task, TaskSummary};
use crate::search::{Hit, Results, SearchOutcome};
use crate::suggest::{Schedule, Suggestion};
use crate::ui::action::{Action, Saved, SavedKind};
use crate::ui::files::Completion;
use crate::ui::keymap::{Keymap, Mode};
use crate::ui::theme::Theme;
use chrono::FixedOffset;
use std::collections::BTreeMap;
use std::sync::Arc;

mod details;
mod edits;
mod import;
mod input;
mod list;
mod live;
mod loading;
mod numbers;
mod order;
mod reading;
mod review;
mod search;
mod units;

pub use details::KEPT_DETAILS;
pub use import::{
    body_len, file_name as import_file_name, heading_index, ImportJob, ImportPreview, Stage,
};
pub use input::{Input, InputKind};
use numbers::NumberMap;
pub use order::{ListFilter, ListOrder};
pub use review::Review;

/// Work for the world outside `update`: each is run against the ledger and answers with
/// `Action::Saved` or `Action::Failed`.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    SetStatus {
        number: u32,
        status: Status,
    },
    Undo(Event),
    AddNote {
        number: u32,
        text: String,
    },
    /// Note `index` (1-based) rewritten; `seen` is the text the screen showed for it.
    EditNote {
        number: u32,
        index: usize,
        text: String,
        seen: Option<String>,
    },
    RemoveNote {
        number: u32,
        index: usize,
        seen: Option<String>,
    },
    EditGoal {
        number: u32,
        goal: String,
    },
    MoveTask {
        number: u32,
        domain: Domain,
    },
    /// Write the 通报 of every task to `path` (as typed); answered by `Action::Exported`.
    Export {
        path: String,
    },
    /// Keep the review's place for the next run of the UI (`ui::resume`).
    SaveReview(Box<Review>),
    /// A person accepted the suggested status: `suggest::accept` (a status event whose note
    /// carries the reason).
    AcceptSuggestion {
        number: u32,
        suggestion: Suggestion,
    },
    /// Search for this text off the UI thread (`None`: cancel; no results are wanted). The
    /// results come back as `Action::Found`.
    Search(Option<String>),
    /// A task changed: the search index must see it as it is now.
    Reindex(Box<Task>),
    /// A task is gone (an import replaced the tasks): the search index must forget it.
    Unindex(u32),
    /// Complete this typed path against the file system; answered by `Action::Completed`.
    Complete(String),
    /// Read and parse the report at `path` (as typed) for preview `id`, off the UI thread;
    /// answered by `Action::Previewed`. Nothing is written.
    Preview {
        id: u64,
        path: String,
    },
    /// Import the previewed bytes through the session; answered by `Action::Imported`.
    Import(ImportJob),
    /// Read the next page of tasks, those numbered after this (the UI opens on the first
    /// page and loads the rest while it is used); answered by `Action::Tasks`.
    LoadTasks(u32),
    /// Read a task's history (the detail shows it); answered by `Action::History`.
    LoadHistory(u32),
    /// Read these tasks again (someone imported or renamed a period of them); answered by
    /// `Action::Tasks`.
    Fetch(Vec<u32>),
    /// Read which tasks there are (someone imported, perhaps replacing every task); answered
    /// by `Action::Present`.
    Prune,
    /// Read these whole tasks to show them (a detail opening, search hits on screen in
    /// their text); answered by `Action::Tasks`.
    Show(Vec<u32>),
}

impl Effect {
    /// True for the effects that write (they become `Op`s through [`Effect::edit`]).
    pub fn is_edit(&self) -> bool {
        matches!(
            self,
            Effect::SetStatus { .. }
                | Effect::Undo(_)
                | Effect::AddNote { .. }
                | Effect::EditNote { .. }
                | Effect::RemoveNote { .. }
                | Effect::EditGoal { .. }
                | Effect::MoveTask { .. }
                | Effect::AcceptSuggestion { .. }
        )
    }

    /// An edit as the operation it runs, what it is (for the answer's wording) and how it is
    /// named when it fails; None for effects that are no edit.
    pub fn edit(self) -> Option<(SavedKind, String, crate::ops::Op)> {
        use crate::ops::Op;
        Some(match self {
            Effect::SetStatus { number, status } => (
                SavedKind::Status,
                format!("#{number} → {}", status.label()),
                Op::set_status(number, status, None),
            ),
            Effect::Undo(event) => (
                SavedKind::Undo,
                crate::tr!("撤销 #{}", "undo #{}", event.task),
                Op::Undo { seq: event.seq },
            ),
            Effect::AddNote { number, text } => (
                SavedKind::Note,
                crate::tr!("#{number} 备注", "note on #{number}"),
                Op::add_note(number, &text),
            ),
            Effect::EditNote {
                number,
                index,
                text,
                seen,
            } => (
                SavedKind::Edit,
                crate::tr!("#{number} 第 {index} 条备注", "note {index} on #{number}"),
                Op::EditNote {
                    number,
                    index,
                    text,
                    seen,
                },
            ),
            Effect::RemoveNote {
                number,
                index,
                seen,
            } => (
                SavedKind::Edit,
                crate::tr!(
                    "删除 #{number} 第 {index} 条备注",
                    "removing note {index} on #{number}"
                ),
                Op::RemoveNote {
                    number,
                    index,
                    seen,
                },
            ),
            Effect::EditGoal { number, goal } => (
                SavedKind::Edit,
                crate::tr!("#{number} 目标", "goal of #{number}"),
                Op::edit_goal(number, &goal),
            ),
            Effect::MoveTask { number, domain } => (
                SavedKind::Edit,
                format!("#{number} → {}", domain.label()),
                Op::MoveTask { number, domain },
            ),
            Effect::AcceptSuggestion { number, suggestion } => (
                SavedKind::Accept,
                crate::tr!(
                    "#{number} → {}（采纳建议）",
                    "#{number} → {} (suggestion accepted)",
                    suggestion.status.label()
                ),
                suggestion.accept(number),
            ),
            Effect::Search(_)
            | Effect::Reindex(_)
            | Effect::Unindex(_)
            | Effect::Complete(_)
            | Effect::Preview { .. }
            | Effect::Import(_)
            | Effect::LoadTasks(_)
            | Effect::LoadHistory(_)
            | Effect::Fetch(_)
            | Effect::Prune
            | Effect::Export { .. }
            | Effect::SaveReview(_)
            | Effect::Show(_) => return None,
        })
    }
}

/// The search results in force: the newest that arrived for what was typed. While a newer
/// search runs the list keeps these rather than flicker.
#[derive(Debug, Clone)]
pub struct Found {
    /// The text they answer.
    pub text: String,
    pub results: Arc<Results>,
    /// Task number → rank (0 is the best hit).
    rank: NumberMap,
}

impl Found {
    pub fn new(outcome: SearchOutcome) -> Found {
        let rank = NumberMap::build(
            outcome
                .results
                .hits
                .iter()
                .enumerate()
                .map(|(i, h)| (h.number, i as u32)),
        );
        Found {
            text: outcome.text,
            results: outcome.results,
            rank,
        }
    }

    /// The hit for a task, if it matched.
    pub fn hit(&self, number: u32) -> Option<&Hit> {
        self.rank
            .get(number)
            .and_then(|i| self.results.hits.get(i as usize))
    }
}

/// The screens above the task list, innermost last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    Detail {
        number: u32,
        scroll: usize,
    },
    Units {
        selected: Option<String>,
        offset: usize,
    },
    UnitTasks {
        unit: String,
        selected: Option<u32>,
        offset: usize,
    },
    Help {
        scroll: usize,
    },
    /// What changed in a task's progress from its previous period to its latest (`d` in
    /// the detail), above that task's detail.
    Diff {
        number: u32,
        scroll: usize,
    },
    /// Review mode (`r`): task `number` of the review in `State::review`, to judge.
    Review {
        number: u32,
        scroll: usize,
    },
    /// The preview of a report file before it is imported (`State::import`): the selected
    /// line of its body (rows, then lines not placed) and the first one shown.
    Import {
        selected: usize,
        offset: usize,
    },
}

impl Screen {
    /// The task the screen shows, for the screens that show one.
    pub fn task_number(&self) -> Option<u32> {
        match self {
            Screen::Detail { number, .. }
            | Screen::Diff { number, .. }
            | Screen::Review { number, .. } => Some(*number),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    Info,
    Ok,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub kind: MessageKind,
    pub text: String,
}

/// The tabs: 0 is 全部 (all), then the four domains.
pub const TABS: usize = 5;

pub fn tab_domain(tab: usize) -> Option<Domain> {
    tab.checked_sub(1).and_then(|i| Domain::ALL.get(i).copied())
}

pub fn tab_label(tab: usize) -> &'static str {
    tab_domain(tab)
        .map(Domain::label)
        .unwrap_or_else(|| crate::lang::t("全部", "all"))
}

/// How many tasks of each status, in `Status::ALL` order.
pub type StatusCounts = [usize; 5];

pub fn count_statuses<'a>(tasks: impl Iterator<Item = &'a TaskSummary>) -> StatusCounts {
    let mut c = [0; 5];
    for t in tasks {
        c[t.status.key_index() - 1] += 1;
    }
    c
}

/// One row of the units view: the unit's summary over the tasks of the current tab.
pub type UnitRow = crate::units::UnitSummary;

/// Everything the UI shows and remembers.
#[derive(Debug, Clone)]
pub struct State {
    /// Every task as the lists draw it (no progress text, no notes), by number. Whole
    /// tasks are in `details`.
    pub tasks: Vec<TaskSummary>,
    /// Whole tasks: all of them in a state made from whole tasks, otherwise those whose
    /// detail was opened last (read on demand).
    details: details::Details,
    /// Task number → its position in `tasks`.
    slots: NumberMap,
    /// The history events the UI knows, oldest first: all of them when `history_complete`,
    /// otherwise those of the tasks in `history_loaded` and those that happened since.
    pub history: Vec<Event>,
    /// True when `history` holds every event (tests, tools); the terminal UI reads a task's
    /// history when its detail opens.
    pub history_complete: bool,
    /// Tasks whose whole history is in `history`.
    history_loaded: std::collections::BTreeSet<u32>,
    /// While more tasks are being read in the background: how many are here so far.
    pub loading: Option<usize>,
    /// Edits sent and not yet answered (the status bar says "saving…" meanwhile).
    pub saving: usize,
    /// Where the text screen on top (detail, diff, help) ends: the scroll that shows its
    /// last line, as the view last drew it (None: not drawn since it opened). The view
    /// measures the text; `update` only clamps to it.
    pub text_end: std::cell::Cell<Option<usize>>,
    pub tab: usize,
    /// The selected task of each tab, by number (kept across edits and tab switches).
    pub selected: [Option<u32>; TABS],
    /// First visible row of the task list.
    pub offset: usize,
    /// The search (`/`) in force, as typed (trimmed): it filters and ranks the task lists
    /// and filters the unit names.
    pub search: Option<String>,
    /// The results for `search` (or, while a newer search runs, for the text before).
    pub found: Option<Found>,
    /// Effects asked for by the state's own handlers, returned by the next `update`.
    pending: Vec<Effect>,
    /// Why the shared server is unreachable, while it is (edits fail meanwhile).
    pub offline: Option<String>,
    /// The server lets this person only read (access.toml): edit keys say so and do nothing.
    pub read_only: bool,
    /// Bumped whenever the tasks, the search or its results change: the main list and the
    /// tab counts below are good for one (tab, generation).
    generation: u64,
    lists: Lists,
    pub stack: Vec<Screen>,
    pub input: Option<Input>,
    pub message: Option<Message>,
    /// Status events made in this session that `u` can undo, newest last.
    pub undo: Vec<Event>,
    pub keymap: Keymap,
    pub theme: Theme,
    /// The terminal's size (columns, rows), for paging and scrolling limits.
    pub size: (u16, u16),
    /// The time zone history and notes are shown in.
    pub tz: FixedOffset,
    pub quit: bool,
    /// 序时进度 and the thresholds the suggested statuses come from.
    pub schedule: Schedule,
    /// The suggested status of each task that has one, by number (from its latest period;
    /// statuses do not change it, so it is computed once per schedule).
    suggestions: BTreeMap<u32, Suggestion>,
    /// The report file being previewed for import (`Screen::Import`).
    pub import: Option<ImportPreview>,
    /// What the last Tab in the path input found, while it is worth showing (choices, or
    /// why nothing matched); cleared by the next edit.
    pub completion: Option<Completion>,
    /// The directory of the last file read for a preview, typed in when `i` opens the path
    /// input again.
    pub last_import_dir: Option<String>,
    /// The last job number handed out (previews, imports).
    jobs: u64,
    /// Others' import events in a row, told as one message (`li imported 116 tasks`).
    live_imports: Option<live::ImportTally>,
    /// The review of the latest period (`r`), kept when left so that `r` resumes it.
    pub review: Option<Review>,
    /// The task list's order (`o`) and filter (`f`).
    pub order: ListOrder,
    pub filter: ListFilter,
}

impl State {
    pub fn new(
        mut tasks: Vec<Task>,
        history: Vec<Event>,
        keymap: Keymap,
        theme: Theme,
        size: (u16, u16),
    ) -> State {
        tasks.sort_by_key(|t| t.number);
        tasks.dedup_by_key(|t| t.number);
        let details = details::Details::all(&tasks);
        let suggestions = crate::suggest::suggestions(&tasks, &Schedule::builtin())
            .into_iter()
            .collect();
        let tasks: Vec<TaskSummary> = tasks.iter().map(TaskSummary::of).collect();
        let slots = slots(&tasks);
        let mut s = State {
            tasks,
            details,
            slots,
            history,
            history_complete: true,
            history_loaded: std::collections::BTreeSet::new(),
            loading: None,
            saving: 0,
            text_end: std::cell::Cell::new(None),
            tab: 0,
            selected: [None; TABS],
            offset: 0,
            search: None,
            found: None,
            pending: Vec::new(),
            offline: None,
            read_only: false,
            generation: 0,
            lists: Lists::default(),
            stack: Vec::new(),
            input: None,
            message: None,
            undo: Vec::new(),
            keymap,
            theme,
            size,
            tz: FixedOffset::east_opt(8 * 3600)
                .unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset")),
            quit: false,
            schedule: Schedule::builtin(),
            suggestions,
            import: None,
            completion: None,
            last_import_dir: None,
            jobs: 0,
            live_imports: None,
            review: None,
            order: ListOrder::default(),
            filter: ListFilter::default(),
        };
        s.selected[0] = s.tasks.first().map(|t| t.number);
        s.refresh_lists();
        s
    }

    /// The suggested status of a task (from its latest period), if there is one.
    pub fn suggestion(&self, number: u32) -> Option<&Suggestion> {
        self.suggestions.get(&number)
    }

    /// The suggestion of a task when it differs from the task's status (worth a marker).
    pub fn differing_suggestion(&self, task: &TaskSummary) -> Option<&Suggestion> {
        self.suggestion(task.number)
            .filter(|s| s.status != task.status)
    }

    pub fn info(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            kind: MessageKind::Info,
            text: text.into(),
        });
    }

    pub fn ok(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            kind: MessageKind::Ok,
            text: text.into(),
        });
    }

    pub fn error(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            kind: MessageKind::Error,
            text: text.into(),
        });
    }

    pub fn screen(&self) -> Option<&Screen> {
        self.stack.last()
    }

    /// Which keymap section is live.
    pub fn mode(&self) -> Mode {
        if self.input.is_some() {
            return Mode::Input;
        }
        match self.screen() {
            None | Some(Screen::UnitTasks { .. }) => Mode::List,
            Some(Screen::Detail { .. } | Screen::Diff { .. }) => Mode::Detail,
            Some(Screen::Units { .. }) => Mode::Units,
            Some(Screen::Help { .. }) => Mode::Help,
            Some(Screen::Import { .. }) => Mode::Import,
            Some(Screen::Review { .. }) => Mode::Review,
        }
    }

    /// The position of a task in `tasks`.
    fn slot(&self, number: u32) -> Option<usize> {
        let i = self.slots.get(number)? as usize;
        self.tasks.get(i).filter(|t| t.number == number).map(|_| i)
    }

    /// What the lists show of a task; [`State::detail`] is the whole task, when it is here.
    pub fn task(&self, number: u32) -> Option<&TaskSummary> {
        self.slot(number).map(|i| &self.tasks[i])
    }

    fn task_mut(&mut self, number: u32) -> Option<&mut TaskSummary> {
        self.changed();
        self.slot(number).map(|i| &mut self.tasks[i])
    }

    /// The results that filter the lists: those of a search in force, once any arrived.
    fn filtering(&self) -> Option<&Found> {
        self.search.as_ref().and(self.found.as_ref())
    }

    /// The search hit for a task, when a search is in force and the task matched.
    pub fn hit(&self, number: u32) -> Option<&Hit> {
        self.filtering().and_then(|f| f.hit(number))
    }

    /// True while the results shown answer an older text than the one typed.
    pub fn searching(&self) -> bool {
        self.search.is_some() && self.found.as_ref().map(|f| &f.text) != self.search.as_ref()
    }

    fn in_tab(&self, t: &TaskSummary) -> bool {
        tab_domain(self.tab).is_none_or(|d| t.domain == d)
    }

    /// Tasks in a tab (before the search filter).
    pub fn tab_tasks(&self, tab: usize) -> impl Iterator<Item = &TaskSummary> {
        self.tasks
            .iter()
            .filter(move |t| tab_domain(tab).is_none_or(|d| t.domain == d))
    }

    /// The tasks, the search or its results changed: the lists must be made again.
    fn changed(&mut self) {
        self.generation += 1;
    }

    /// The main list and the tab counts, made in one pass over the hits (or the tasks).
    fn make_lists(&self) -> Lists {
        let mut lists = Lists {
            key: Some((self.tab, self.generation)),
            ..Lists::default()
        };
        let latest = self.latest_report_period();
        // The latest report is news only when it left some tasks out (a first report
        // updates them all).
        lists.latest = latest.clone().filter(|p| {
            self.tasks
                .iter()
                .any(|t| t.latest_period.as_deref() != Some(p.as_str()))
        });
        let latest = latest.as_deref();
        let mut visit = |i: usize, t: &TaskSummary| {
            if !self.filter_keeps(t, latest) {
                return;
            }
            let k = t.status.key_index() - 1;
            lists.counts[0][k] += 1;
            if let Some(d) = Domain::ALL.iter().position(|d| *d == t.domain) {
                lists.counts[d + 1][k] += 1;
            }
            if self.in_tab(t) {
                lists.main.push(i);
            }
        };
        match self.filtering() {
            // In rank order straight from the hits: no sort, however many tasks there are.
            Some(f) => {
                for h in &f.results.hits {
                    if let Some(i) = self.slot(h.number) {
                        visit(i, &self.tasks[i]);
                    }
                }
            }
            None => {
                for (i, t) in self.tasks.iter().enumerate() {
                    visit(i, t);
                }
            }
        }
        self.sort_main(&mut lists.main, latest);
        lists
    }

    /// True when task `number` was updated by the latest report while others were not
    /// (the list marks it).
    pub fn updated_by_latest(&self, t: &TaskSummary) -> bool {
        self.with_lists(|l| order::reported_in(t, l.latest.as_deref()))
    }

    /// Makes the lists again if anything they depend on changed (after every `update`, so
    /// drawing and moving do not go over 100,000 tasks again).
    fn refresh_lists(&mut self) {
        if self.lists.key != Some((self.tab, self.generation)) {
            self.lists = self.make_lists();
        }
    }

    /// The lists, from the cache when it is current, otherwise made now.
    fn with_lists<T>(&self, f: impl FnOnce(&Lists) -> T) -> T {
        if self.lists.key == Some((self.tab, self.generation)) {
            f(&self.lists)
        } else {
            f(&self.make_lists())
        }
    }

    /// How many tasks of each status a tab shows under the search in force.
    pub fn tab_counts(&self, tab: usize) -> StatusCounts {
        self.with_lists(|l| l.counts.get(tab).copied().unwrap_or_default())
    }

    /// The task the edit keys act on: the open task, or the selected row of a task list.
    pub fn current_task(&self) -> Option<u32> {
        match self.screen() {
            Some(
                Screen::Detail { number, .. }
                | Screen::Diff { number, .. }
                | Screen::Review { number, .. },
            ) => Some(*number),
            None | Some(Screen::UnitTasks { .. }) => {
                let sel = self.list_selected()?;
                self.list_tasks()
                    .iter()
                    .any(|t| t.number == sel)
                    .then_some(sel)
            }
            _ => None,
        }
    }
}

/// Task number → position, for tasks sorted by number.
fn slots(tasks: &[TaskSummary]) -> NumberMap {
    NumberMap::build(tasks.iter().enumerate().map(|(i, t)| (t.number, i as u32)))
}

/// The main list (current tab under the search) as indices into `State::tasks`, and every
/// tab's status counts, for one (tab, generation).
#[derive(Debug, Clone, Default)]
struct Lists {
    /// The (tab, generation) they were made for; None before the first.
    key: Option<(usize, u64)>,
    main: Vec<usize>,
    counts: [StatusCounts; TABS],
    /// The latest report's period, when it left some tasks out (its tasks are marked).
    latest: Option<String>,
}

/// What a movement key does on a screen whose page is `page` rows: how many rows to move,
/// and whether it is a page move (the view scrolls by as much).
fn movement(action: &Action, page: usize) -> Option<(isize, bool)> {
    let page = page.max(1) as isize;
    Some(match action {
        Action::MoveDown => (1, false),
        Action::MoveUp => (-1, false),
        Action::PageDown => (page, true),
        Action::PageUp => (-page, true),
        Action::Top => (isize::MIN / 2, false),
        Action::Bottom => (isize::MAX / 2, false),
        _ => return None,
    })
}

/// The offset that keeps row `idx` of `len` visible in `rows` rows, moving as little as
/// possible from `offset`.
pub fn keep_visible(offset: usize, idx: usize, rows: usize, len: usize) -> usize {
    if rows == 0 || len == 0 {
        return 0;
    }
    let mut o = offset;
    if idx < o {
        o = idx;
    } else if idx >= o + rows {
        o = idx + 1 - rows;
    }
    o.min(len.saturating_sub(rows))
}

/// The pure transition. Navigation, screens and the input line change the state; edits
/// become effects and are confirmed only when `Action::Saved` comes back.
pub fn update(state: &mut State, action: Action) -> Vec<Effect> {
    let shown = text_shown(state);
    let mut effects = handle(state, action);
    if text_shown(state) != shown {
        // Another text on top: where its end is, its first drawing will say.
        state.text_end.set(None);
    }
    effects.append(&mut state.pending);
    // Only edits are cloned to word them: a page of tasks comes with thousands of reindexes.
    let edits: Vec<String> = effects
        .iter()
        .filter(|e| e.is_edit())
        .filter_map(|e| e.clone().edit().map(|(_, what, _)| what))
        .collect();
    if let Some(what) = edits.last() {
        state.saving += edits.len();
        state.info(crate::tr!("正在保存 {what}…", "saving {what}…"));
    }
    state.refresh_lists();
    effects
}

/// Which text screen is on top (kind and task), to notice when it changes.
fn text_shown(state: &State) -> Option<(u8, u32)> {
    match state.screen()? {
        Screen::Detail { number, .. } => Some((0, *number)),
        Screen::Diff { number, .. } => Some((1, *number)),
        Screen::Help { .. } => Some((2, 0)),
        Screen::Review { number, .. } => Some((3, *number)),
        _ => None,
    }
}

fn handle(state: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::NoOp => Vec::new(),
        Action::Quit => {
            state.quit = true;
            Vec::new()
        }
        Action::Close if state.input.is_none() => {
            state.message = None;
            match state.screen() {
                None => state.quit = true,
                // The preview leaves as its own back key says (nothing imported).
                Some(Screen::Import { .. }) => return handle(state, Action::Back),
                Some(_) => {
                    state.stack.pop();
                    state.fix_scroll();
                }
            }
            Vec::new()
        }
        Action::Resize(w, h) => {
            state.size = (w, h);
            state.fix_scroll();
            Vec::new()
        }
        Action::Saved(saved) => {
            state.saving = state.saving.saturating_sub(1);
            state.on_saved(*saved);
            Vec::new()
        }
        Action::Failed { what, error } => {
            state.saving = state.saving.saturating_sub(1);
            state.error(crate::tr!(
                "未保存（{what}）：{error}",
                "NOT saved ({what}): {error}"
            ));
            Vec::new()
        }
        Action::Tasks(page) => {
            state.on_tasks(*page);
            Vec::new()
        }
        Action::Present { numbers, as_of } => {
            state.on_present(&numbers, as_of);
            Vec::new()
        }
        Action::ReadFailed(why) => {
            state.loading = None;
            state.forget_asked();
            state.error(why);
            Vec::new()
        }
        Action::History { number, result } => {
            state.on_history(number, result);
            Vec::new()
        }
        Action::Found(outcome) => {
            state.on_found(*outcome);
            Vec::new()
        }
        Action::Changed(changed) => {
            state.on_changed(*changed);
            Vec::new()
        }
        Action::Events(events) => {
            state.on_events(events);
            Vec::new()
        }
        Action::Connection(down) => {
            state.on_connection(down);
            Vec::new()
        }
        Action::Completed(c) => {
            state.on_completed(*c);
            Vec::new()
        }
        Action::Previewed(p) => {
            state.on_previewed(*p);
            Vec::new()
        }
        Action::Imported(i) => {
            state.on_imported(*i);
            Vec::new()
        }
        Action::Exported { path, result } => {
            match result {
                Ok(n) => state.ok(crate::tr!(
                    "已导出通报：{}（{n} 项任务）",
                    "report exported: {} ({n} tasks)",
                    crate::text::clean(&path)
                )),
                Err(e) => state.error(crate::tr!(
                    "通报没有导出到 {}：{}",
                    "the report was NOT exported to {}: {}",
                    crate::text::clean(&path),
                    crate::text::clean(&e)
                )),
            }
            Vec::new()
        }
        other => {
            // A key clears the last message; the action may set a new one.
            state.message = None;
            match state.mode() {
                Mode::Input => state.input_action(other),
                Mode::Help => state.help_action(other),
                Mode::Detail => state.detail_action(other),
                Mode::Units => state.units_action(other),
                Mode::List => state.list_action(other),
                Mode::Import => state.import_action(other),
                Mode::Review => state.review_action(other),
            }
        }
    }
}

impl State {
    /// Actions that mean the same on every screen. Returns None when `action` is not one.
    fn common_action(&mut self, action: &Action) -> Option<Vec<Effect>> {
        match action {
            Action::Help => {
                self.stack.push(Screen::Help { scroll: 0 });
                Some(Vec::new())
            }
            Action::Units => {
                match self
                    .stack
                    .iter()
                    .position(|s| matches!(s, Screen::Units { .. }))
                {
                    Some(i) => self.stack.truncate(i + 1),
                    None => self.stack.push(Screen::Units {
                        selected: None,
                        offset: 0,
                    }),
                }
                self.fix_scroll();
                Some(Vec::new())
            }
            Action::Undo => Some(self.start_undo()),
            Action::Import => {
                self.start_import();
                Some(Vec::new())
            }
            Action::Review => {
                self.start_review();
                Some(Vec::new())
            }
            _ => None,
        }
    }

    /// Status keys and the note key on a task.
    fn edit_action(&mut self, number: Option<u32>, action: &Action) -> Option<Vec<Effect>> {
        let is_edit = matches!(
            action,
            Action::CycleStatus | Action::CycleStatusBack | Action::AddNote
        ) || action.set_status().is_some();
        if !is_edit {
            return None;
        }
        let Some((number, current)) = self.edit_target(number) else {
            return Some(Vec::new());
        };
        if *action == Action::AddNote {
            self.input = Some(Input::new(InputKind::Note(number), String::new(), None));
            return Some(Vec::new());
        }
        let to = match action {
            Action::CycleStatus => current.next(),
            Action::CycleStatusBack => current.prev(),
            a => a.set_status().unwrap_or(current),
        };
        if to == current {
            self.info(crate::tr!(
                "#{number} 已是 {}，未作修改",
                "#{number} is already {}: nothing changed",
                to.label()
            ));
            return Some(Vec::new());
        }
        Some(vec![Effect::SetStatus { number, status: to }])
    }

    /// The task an edit key acts on (number and status); None, said on the status bar, when
    /// this person may only read or no task is selected.
    fn edit_target(&mut self, number: Option<u32>) -> Option<(u32, Status)> {
        if self.read_only {
            self.refuse_edit();
            return None;
        }
        match number.and_then(|n| self.task(n)) {
            Some(t) => Some((t.number, t.status)),
            None => {
                self.info(crate::lang::t(
                    "未选中任务：请先移到一项任务上",
                    "no task selected: move to a task first",
                ));
                None
            }
        }
    }

    /// The keys every screen shares, then the edit and accept keys on task `number`.
    fn shared_action(&mut self, number: Option<u32>, action: &Action) -> Option<Vec<Effect>> {
        self.common_action(action)
            .or_else(|| self.edit_action(number, action))
            .or_else(|| self.more_edit_action(number, action))
            .or_else(|| self.suggestion_action(number, action))
    }

    /// A read-only person pressed an edit key: said at once, no round trip to the server.
    fn refuse_edit(&mut self) {
        self.error(crate::lang::t(
            "你只能查看此数据库，未作修改（可编辑的人列在数据库旁的 access.toml 中）",
            "you may only read this database: nothing changed (editors are listed in access.toml beside it)",
        ));
    }

    fn start_undo(&mut self) -> Vec<Effect> {
        match self.undo.last() {
            Some(ev) => vec![Effect::Undo(ev.clone())],
            None => {
                self.info(crate::lang::t(
                    "没有可撤销的修改：本次打开后还没有改过状态或备注",
                    "nothing to undo: no status or note was changed since opening",
                ));
                Vec::new()
            }
        }
    }

    fn on_saved(&mut self, saved: Saved) {
        let Saved { kind, event } = saved;
        let number = event.task;
        let arrow = self.theme.arrow();
        let undo_hint = self
            .keymap
            .hint(Mode::List, &Action::Undo)
            .map(|k| crate::tr!(" · {k} 撤销", " · {k} undoes"))
            .unwrap_or_default();
        let here = self.task(number).is_some();
        self.apply_event(&event);
        match (&event.change, here) {
            (Change::Status { from, to, .. }, true) => {
                let (from, to) = (*from, *to);
                match kind {
                    SavedKind::Accept => {
                        self.undo.push(event.clone());
                        self.ok(crate::tr!(
                            "已保存 #{number} {} {arrow} {}（采纳建议）{undo_hint}",
                            "saved #{number} {} {arrow} {} (suggestion accepted){undo_hint}",
                            from.label(),
                            to.label()
                        ));
                    }
                    SavedKind::Undo => {
                        self.undo.pop();
                        self.ok(crate::tr!(
                            "已撤销并保存 #{number} 恢复为 {}（{} {arrow} {}）",
                            "undone and saved: #{number} is {} again ({} {arrow} {})",
                            to.label(),
                            from.label(),
                            to.label()
                        ));
                    }
                    _ => {
                        self.undo.push(event.clone());
                        self.ok(crate::tr!(
                            "已保存 #{number} {} {arrow} {}{undo_hint}",
                            "saved #{number} {} {arrow} {}{undo_hint}",
                            from.label(),
                            to.label()
                        ));
                    }
                }
            }
            (Change::Note { text }, true) => {
                self.undo.push(event.clone());
                self.ok(crate::tr!(
                    "已保存 #{number} 备注：{text}{undo_hint}",
                    "saved a note on #{number}: {text}{undo_hint}"
                ));
            }
            // An undo of a note, a goal or a move (`u` undoes the last edit of any kind).
            (_, true) if kind == SavedKind::Undo => {
                self.undo.pop();
                let said = crate::words::change(&event, arrow);
                self.ok(crate::tr!(
                    "已撤销并保存 #{number} {said}",
                    "undone and saved: #{number} {said}"
                ));
            }
            (_, true) if kind == SavedKind::Edit => {
                self.undo.push(event.clone());
                let said = crate::words::change(&event, arrow);
                self.ok(crate::tr!(
                    "已保存 #{number} {said}{undo_hint}",
                    "saved #{number} {said}{undo_hint}"
                ));
            }
            _ => self.ok(crate::tr!("已保存 #{number}", "saved #{number}")),
        }
        self.record(event);
        self.task_changed(number);
        self.fix_scroll();
    }

    /// Makes every selection valid and visible after the list or the size changed.
    pub fn fix_scroll(&mut self) {
        self.refresh_lists();
        let rows = self.list_rows();
        // The main list of the current tab.
        let main_tasks: Vec<u32> = self.tasks_for(None).iter().map(|t| t.number).collect();
        let sel = self.selected[self.tab]
            .filter(|n| main_tasks.contains(n))
            .or(main_tasks.first().copied());
        self.selected[self.tab] = sel;
        let idx = sel
            .and_then(|n| main_tasks.iter().position(|x| *x == n))
            .unwrap_or(0);
        self.offset = keep_visible(self.offset, idx, rows, main_tasks.len());

        // The unit rows cost a pass over every task: only when a units screen is open.
        let units = if self.stack.iter().any(|s| matches!(s, Screen::Units { .. })) {
            self.unit_rows()
        } else {
            Vec::new()
        };
        let mut stack = std::mem::take(&mut self.stack);
        for screen in stack.iter_mut() {
            match screen {
                Screen::UnitTasks {
                    unit,
                    selected,
                    offset,
                } => {
                    let list: Vec<u32> = self
                        .tasks_for(Some(unit))
                        .iter()
                        .map(|t| t.number)
                        .collect();
                    let sel = selected
                        .filter(|n| list.contains(n))
                        .or(list.first().copied());
                    *selected = sel;
                    let idx = sel
                        .and_then(|n| list.iter().position(|x| *x == n))
                        .unwrap_or(0);
                    *offset = keep_visible(*offset, idx, rows, list.len());
                }
                Screen::Units { selected, offset } => {
                    let idx = selected
                        .as_ref()
                        .and_then(|s| units.iter().position(|u| &u.unit == s))
                        .unwrap_or(0);
                    *selected = units.get(idx).map(|u| u.unit.clone());
                    *offset = keep_visible(*offset, idx, rows, units.len());
                }
                // Texts are measured where they are drawn; the last drawing said where the
                // end is (after a resize the next drawing clamps, and says again).
                Screen::Detail { scroll, .. }
                | Screen::Diff { scroll, .. }
                | Screen::Review { scroll, .. }
                | Screen::Help { scroll } => {
                    if let Some(end) = self.text_end.get() {
                        *scroll = (*scroll).min(end);
                    }
                }
                Screen::Import { .. } => {}
            }
        }
        self.stack = stack;
        self.fix_import_scroll();
        self.want_shown_hits();
    }

    /// How many rows the current list shows under the search filter.
    pub fn searched_count(&self) -> usize {
        match self.screen() {
            Some(Screen::Units { .. }) => self.unit_rows().len(),
            _ => self.list_tasks().len(),
        }
    }
}
