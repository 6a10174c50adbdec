//! The event loop on tokio: terminal events (crossterm's EventStream), search results from
//! the search worker, reports read for an import preview on a thread of their own, the
//! session's work (edits, reads, the import) as futures when a server owns the database —
//! the loop never waits for the server —, everyone's edits from the shared server,
//! SIGHUP/SIGTERM/SIGINT. It draws only when something changed, and first drains every event
//! already queued, so a held key or a resize storm over a slow link costs one frame, not one
//! per event.

use crate::model::Task;
use crate::search::{SearchOutcome, Searcher};
use crate::server::client::{Live, Subscription};
use crate::server::session::{Session, SessionError};
use crate::ui::action::{Action, Previewed};
use crate::ui::app::{MessageKind, State};
use crate::ui::backend::SshBackend;
use crate::ui::effects::{dispatch, preview_now, run_job, run_now, Job, Workers};
use crate::ui::keymap::{Key, Mode};
use crate::ui::view;
use crossterm::event::{
    Event, EventStream, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEventKind,
};
use futures::stream::FuturesUnordered;
use futures::StreamExt;
use ratatui::Terminal;
use std::collections::VecDeque;
use std::future::Future;
use std::io::{self, Write};
use std::pin::Pin;
use std::time::Duration;

/// The action a key press means on the current screen. Ctrl-C always quits; in the input line,
/// printable keys that are not bound type themselves.
pub fn key_action(state: &State, ev: &KeyEvent) -> Option<Action> {
    let key = Key::from_event(ev);
    if key == Key::ctrl('c') {
        return Some(Action::Quit);
    }
    let mode = state.mode();
    if let Some(a) = state.keymap.action(mode, key) {
        return Some(a);
    }
    if mode == Mode::Input {
        if let KeyCode::Char(c) = key.code {
            if !key
                .mods
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
            {
                return Some(Action::Insert(c.to_string()));
            }
        }
    }
    None
}

/// The key presses a key event stands for. A terminal sends Esc as the byte that also
/// starts an Alt combination, so `Esc j` typed quickly (or arriving together over a slow
/// link) is read as Alt-j. Where Alt-j means nothing on the current screen it is taken as
/// what was typed: Esc, then j — otherwise the Esc is lost, the screen stays where it was,
/// and the next key judges the wrong task.
pub fn presses(state: &State, ev: &KeyEvent) -> Vec<KeyEvent> {
    let key = Key::from_event(ev);
    let alt = key.mods.contains(KeyModifiers::ALT);
    if !alt || key.code == KeyCode::Esc || state.keymap.action(state.mode(), key).is_some() {
        return vec![*ev];
    }
    let mut rest = *ev;
    rest.modifiers.remove(KeyModifiers::ALT);
    vec![
        KeyEvent::new_with_kind(KeyCode::Esc, KeyModifiers::NONE, ev.kind),
        rest,
    ]
}

/// Applies a terminal event to the state, key press by key press: each press is decoded on
/// the screen the one before it left (`Esc j` read as Alt-j goes back first, then moves).
/// `act` runs each action (`update` and its effects) and is not called after a quit.
pub fn apply_event(
    state: &mut State,
    event: Event,
    mouse: bool,
    mut act: impl FnMut(&mut State, Action),
) {
    match event {
        Event::Key(k) if k.kind == KeyEventKind::Press => {
            for press in presses(state, &k) {
                if state.quit {
                    break;
                }
                if let Some(action) = key_action(state, &press) {
                    act(state, action);
                }
            }
        }
        other => {
            if let Some(action) = event_action(state, other, mouse) {
                act(state, action);
            }
        }
    }
}

/// The action a terminal event means, if any. Only key presses count (not releases or
/// repeats reported by enhanced keyboards).
pub fn event_action(state: &State, event: Event, mouse: bool) -> Option<Action> {
    match event {
        Event::Key(k) if k.kind == KeyEventKind::Press => key_action(state, &k),
        Event::Paste(text) if state.input.is_some() => Some(Action::Insert(text)),
        Event::Resize(w, h) => Some(Action::Resize(w, h)),
        Event::Mouse(m) if mouse => match m.kind {
            MouseEventKind::ScrollDown => Some(Action::MoveDown),
            MouseEventKind::ScrollUp => Some(Action::MoveUp),
            _ => None,
        },
        _ => None,
    }
}

/// An event already waiting in the terminal's input, without blocking.
fn queued_event() -> Option<io::Result<Event>> {
    match crossterm::event::poll(Duration::ZERO) {
        Ok(true) => Some(crossterm::event::read()),
        Ok(false) => None,
        Err(e) => Some(Err(e)),
    }
}

/// Draws one frame, bracketed for synchronized update and sent in one write.
pub fn draw<W: Write>(terminal: &mut Terminal<SshBackend<W>>, state: &State) -> io::Result<()> {
    terminal.backend_mut().begin_frame();
    let drawn = terminal
        .draw(|f| {
            let area = f.area();
            if let Some(p) = view::render(state, area, f.buffer_mut()) {
                f.set_cursor_position(p);
            }
        })
        .map(|_| ());
    let ended = terminal.backend_mut().end_frame();
    drawn?;
    ended
}

/// Why the loop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    Quit,
    /// SIGHUP (the SSH link dropped), SIGTERM or SIGINT.
    Signal,
    /// The terminal's input ended or failed.
    InputClosed,
}

/// Announcements of the shared server, as actions: the events in one action (the state
/// applies what they say; nothing is read back here), the connection's ups and downs.
fn announced(batch: Vec<Live>) -> Vec<Action> {
    let mut actions = Vec::new();
    let mut events = Vec::new();
    for live in batch {
        match live {
            Live::Event(e) => events.push(e),
            other => {
                if !events.is_empty() {
                    actions.push(Action::Events(std::mem::take(&mut events)));
                }
                actions.push(match other {
                    Live::Disconnected { reason } => Action::Connection(Some(reason)),
                    _ => Action::Connection(None),
                });
            }
        }
    }
    if !events.is_empty() {
        actions.push(Action::Events(events));
    }
    actions
}

/// The loop's workers: searches on the search worker, reports read on a thread of their
/// own (answering through `work`), session work queued for the loop to run as futures.
struct LoopWorkers {
    searcher: Searcher,
    work: tokio::sync::mpsc::UnboundedSender<Action>,
    jobs: VecDeque<Job>,
}

impl Workers for LoopWorkers {
    fn search(&mut self, text: Option<&str>) -> Option<Action> {
        Workers::search(&mut self.searcher, text)
    }

    fn reindex(&mut self, task: &Task) {
        self.searcher.reindex(task);
    }

    fn unindex(&mut self, number: u32) {
        self.searcher.unindex(number);
    }

    fn preview(&mut self, id: u64, path: &str) -> Option<Action> {
        let tx = self.work.clone();
        let path = path.to_string();
        let spawned = std::thread::Builder::new()
            .name("duban-preview".into())
            .spawn(move || {
                let _ = tx.send(preview_now(id, &path));
            });
        match spawned {
            Ok(_) => None,
            Err(e) => Some(Action::Previewed(Box::new(Previewed {
                id,
                result: Err(crate::tr!(
                    "无法开始读取文件（{e}）；请重试，或用 `duban import 文件` 导入",
                    "cannot start reading the file ({e}); try again, or import it with `duban import FILE`"
                )),
            }))),
        }
    }

    fn save_review(&mut self, db: &std::path::Path, review: &crate::ui::app::Review) {
        // A convenience: when it cannot be kept, `r` starts the review again next time.
        if let Err(e) = crate::ui::resume::save(db, review) {
            tracing::debug!("review place not kept: {e}");
        }
    }

    fn run(&mut self, session: &Session, job: Job) -> Option<Action> {
        match session {
            // The database itself answers at once (no network, no other writer to wait for).
            Session::Local(_) => Some(run_now(session, job)),
            Session::Remote(_) => {
                self.jobs.push_back(job);
                None
            }
        }
    }
}

type Running<'a> = Pin<Box<dyn Future<Output = Action> + 'a>>;

/// A job as a future of the loop: awaited there, so the screen keeps drawing and keys and
/// others' edits keep arriving while the server works.
fn job_future(session: &Session, job: Job) -> Running<'_> {
    match session {
        Session::Remote(client) => {
            let c = client.as_async();
            Box::pin(run_job(
                move |op| async move { c.call(op).await.map_err(SessionError::from) },
                job,
            ))
        }
        Session::Local(_) => Box::pin(async move { run_now(session, job) }),
    }
}

/// The next announcement of a shared session; never, for a session of one.
async fn next_live(live: &mut Option<Subscription>) -> Option<Live> {
    match live {
        Some(s) => s.next().await,
        None => std::future::pending().await,
    }
}

/// What woke the loop besides the terminal.
enum Woke {
    Terminal(Option<io::Result<Event>>),
    Found(SearchOutcome),
    Live(Live),
    /// A report read for a preview, or an import's outcome.
    Work(Action),
}

/// Runs until quit, a signal, or the end of input. Edits happen inside `dispatch`, right
/// after `update` and before the next draw; searches run on the search worker and their
/// results arrive here; a shared session's announcements redraw without a key press.
pub async fn run_loop<W: Write>(
    terminal: &mut Terminal<SshBackend<W>>,
    state: &mut State,
    session: &Session,
    mouse: bool,
) -> anyhow::Result<Ended> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut hangup = signal(SignalKind::hangup())?;
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut events = EventStream::new();

    let (found_tx, mut found_rx) = tokio::sync::mpsc::unbounded_channel();
    // The index takes the whole tasks read so far; from here on the state keeps only what
    // the screens show of them (summaries, and the tasks whose detail is open).
    let searcher = Searcher::build(state.details_on_demand(), move |o| {
        let _ = found_tx.send(o);
    });
    let (work_tx, mut work_rx) = tokio::sync::mpsc::unbounded_channel();
    let mut workers = LoopWorkers {
        searcher,
        work: work_tx,
        jobs: VecDeque::new(),
    };
    let mut running: FuturesUnordered<Running<'_>> = FuturesUnordered::new();
    let mut live = match session.subscribe() {
        Ok(l) => l,
        Err(e) => {
            state.error(crate::tr!(
                "重新打开之前看不到他人的修改：{e}",
                "others' edits will not show until you restart: {e}"
            ));
            None
        }
    };

    let size = terminal.size()?;
    state.size = (size.width, size.height);
    state.fix_scroll();
    draw(terminal, state)?;
    // What the state asked for before the loop ran (the rest of the tasks) starts now.
    dispatch(state, session, &mut workers, Action::NoOp);

    let ended = 'run: loop {
        running.extend(workers.jobs.drain(..).map(|job| job_future(session, job)));
        let woke = tokio::select! {
            ev = events.next() => Woke::Terminal(ev),
            Some(o) = found_rx.recv() => Woke::Found(o),
            Some(l) = next_live(&mut live) => Woke::Live(l),
            Some(a) = work_rx.recv() => Woke::Work(a),
            Some(a) = running.next() => Woke::Work(a),
            _ = hangup.recv() => break 'run Ended::Signal,
            _ = terminate.recv() => break 'run Ended::Signal,
            _ = interrupt.recv() => break 'run Ended::Signal,
        };
        let first = match woke {
            Woke::Terminal(ev) => ev,
            Woke::Found(o) => {
                dispatch(state, session, &mut workers, Action::Found(Box::new(o)));
                // Later results already waiting go in the same frame.
                while let Ok(o) = found_rx.try_recv() {
                    dispatch(state, session, &mut workers, Action::Found(Box::new(o)));
                }
                draw(terminal, state)?;
                continue;
            }
            Woke::Live(l) => {
                let mut batch = vec![l];
                while let Some(l) = live.as_mut().and_then(Subscription::try_next) {
                    batch.push(l);
                }
                for action in announced(batch) {
                    dispatch(state, session, &mut workers, action);
                }
                draw(terminal, state)?;
                continue;
            }
            Woke::Work(a) => {
                dispatch(state, session, &mut workers, a);
                draw(terminal, state)?;
                continue;
            }
        };
        let mut dirty = false;
        let mut next = first;
        loop {
            match next {
                Some(Ok(ev)) => {
                    apply_event(state, ev, mouse, |state, action| {
                        dispatch(state, session, &mut workers, action);
                        dirty = true;
                    });
                }
                Some(Err(_)) | None => break 'run Ended::InputClosed,
            }
            if state.quit {
                break 'run Ended::Quit;
            }
            // Drain whatever is already queued before drawing. Not with `now_or_never` on the
            // stream: polling it with a no-op waker parks crossterm's wake task on that waker
            // and the stream never wakes the loop again. A zero-timeout poll on the same reader
            // is safe here, because the stream's wake task has just finished.
            match queued_event() {
                Some(ev) => next = Some(ev),
                None => break,
            }
        }
        if dirty {
            draw(terminal, state)?;
        }
    };
    // Edits pressed just before leaving (`4 q` typed together) are sent and waited for, so
    // that leaving never drops a judgement silently.
    running.extend(workers.jobs.drain(..).map(|job| job_future(session, job)));
    if state.saving > 0 {
        state.info(crate::tr!(
            "正在保存 {} 项修改…",
            "saving {} edits…",
            state.saving
        ));
        let _ = draw(terminal, state);
        let deadline = tokio::time::sleep(SAVE_ON_EXIT);
        tokio::pin!(deadline);
        while state.saving > 0 {
            tokio::select! {
                Some(a) = running.next() => dispatch(state, session, &mut workers, a),
                _ = &mut deadline => break,
                else => break,
            }
        }
        if state.saving > 0 {
            anyhow::bail!(crate::tr!(
                "退出时仍有 {} 项修改未得到确认，可能没有保存：请重新打开 duban 查看这些任务的状态",
                "{} edits were not confirmed when duban closed and may not be saved: open duban again to see those tasks' status",
                state.saving
            ));
        }
        if let Some(m) = state
            .message
            .as_ref()
            .filter(|m| m.kind == MessageKind::Error)
        {
            anyhow::bail!(crate::tr!(
                "退出前的修改没有保存：{}",
                "the edit made before leaving was not saved: {}",
                m.text
            ));
        }
    }
    Ok(ended)
}

/// How long leaving waits for edits still unacknowledged.
const SAVE_ON_EXIT: Duration = Duration::from_secs(15);
