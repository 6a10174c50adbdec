//! The terminal UI: ratatui + crossterm on a tokio event loop, shaped as one `Action` enum
//! (also the keymap files' vocabulary), a pure `update`, views that only draw, and effects
//! (store writes) run outside both.
//!
//! action.rs  the Action vocabulary          app.rs     State + update (pure)
//! keymap.rs  keymap files, key parsing      effects.rs store writes, dispatch
//! event.rs   the tokio loop, keys → actions  terminal.rs guard, panic hook, restore
//! backend.rs a byte-thrifty ratatui backend  text.rs    CJK width, wrap, truncate
//! files.rs   path completion, report reading
//! theme.rs   colour / NO_COLOR / ASCII       view/      tabs, list, detail, units, help, status

pub mod action;
pub mod app;
pub mod backend;
pub mod effects;
pub mod event;
pub mod files;
pub mod keymap;
pub mod resume;
pub mod terminal;
pub use crate::text;
pub mod theme;
pub mod view;

use crate::ops::Op;
use crate::server::session::Session;
use anyhow::Context;
use app::{MessageKind, State};
use backend::SshBackend;
use chrono::Offset;
use keymap::Keymap;
use std::io::Write;
use theme::Theme;

pub struct UiOptions {
    /// `--keymap NAME|PATH` (NAME = default|vim|emacs).
    pub keymap: Option<String>,
    /// `--ascii` borders and glyphs.
    pub ascii: bool,
    /// `--mouse` (off by default).
    pub mouse: bool,
    /// Shown in the status bar at start, e.g. "empty database: loaded the built-in sample".
    pub startup_message: Option<String>,
}

/// How many tasks the first screen waits for; the rest are read while the UI is used.
pub const FIRST_PAGE: u32 = 2000;

/// Builds the UI's state from the session: the first page of tasks (the rest follow as
/// `Effect::LoadTasks`), keymap (with its problems shown in the status bar), theme,
/// start-up message. Histories are read when a task's detail opens.
pub fn initial_state(
    session: &Session,
    options: &UiOptions,
    keymap_user_file: Option<&std::path::Path>,
) -> anyhow::Result<State> {
    let first = Op::Tasks {
        after: None,
        limit: Some(FIRST_PAGE),
    };
    let (tasks, next) = session
        .call(first)
        .and_then(|r| Ok(r.into_tasks()?))
        .context(crate::lang::t("无法读取任务", "cannot read the tasks"))?;
    let (keymap, problems) = Keymap::load(options.keymap.as_deref(), keymap_user_file);
    let theme = Theme::from_env(options.ascii);
    let mut state = State::new(tasks, Vec::new(), keymap, theme, (80, 24));
    state.history_on_demand();
    state.load_rest_after(next);
    state.tz = chrono::Local::now().offset().fix();
    state.read_only = !session.can_edit();
    if !problems.is_empty() {
        state.error(problems.join(" · "));
    } else if state.read_only {
        state.info(crate::tr!(
            "{}：你只能查看此数据库，修改会被拒绝",
            "{}: you may only read this database; edits are refused",
            session.user()
        ));
    } else if state.tasks.is_empty() {
        state.info(crate::lang::t(
            "数据库中还没有任务：按 i 导入报告，或用 duban import 文件",
            "no tasks in the database yet: i imports a report, or duban import FILE",
        ));
    } else {
        // The quarter's job, offered at once: the latest report's tasks to judge (when all
        // tasks are here to count them).
        let offer = state
            .loading
            .is_none()
            .then(|| state.review_offer())
            .flatten();
        let text = match (&options.startup_message, offer) {
            (Some(m), Some(o)) => Some(format!("{m} · {o}")),
            (Some(m), None) => Some(m.clone()),
            (None, o) => o,
        };
        if let Some(t) = text {
            state.info(t);
        }
    }
    if let (Some(m), Some(msg)) = (&options.startup_message, state.message.as_mut()) {
        if msg.kind == MessageKind::Error {
            msg.text = format!("{m} · {}", msg.text);
        }
    }
    Ok(state)
}

/// Runs the terminal UI until the user quits, the terminal hangs up, or a signal arrives.
/// The terminal is always restored; every acknowledged edit is already on disk.
pub fn run(session: Session, options: UiOptions) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context(crate::lang::t(
            "无法启动界面的事件循环",
            "cannot start the event loop",
        ))?;
    let user_file = keymap::user_file();
    let mut state = initial_state(&session, &options, user_file.as_deref())?;
    state.resume_review(resume::load(session.db()));

    let guard = terminal::TerminalGuard::enter(options.mouse)?;
    let result = (|| -> anyhow::Result<()> {
        let backend = SshBackend::new(std::io::stdout(), state.theme.color);
        let mut terminal = ratatui::Terminal::new(backend)?;
        runtime.block_on(event::run_loop(
            &mut terminal,
            &mut state,
            &session,
            options.mouse,
        ))?;
        // Whatever the last frame left unsent is dropped with the backend, not printed after
        // the restore.
        let _ = terminal.backend_mut().writer_mut().flush();
        Ok(())
    })();
    drop(guard);
    // Every write was flushed when it was acknowledged; dropping the session closes sled or
    // leaves the server (which exits a while after its last client).
    drop(session);
    result
}
