//! What the terminal UI costs, on the built-in sample (116 Chinese tasks):
//! (1) time from opening the database to the first frame written (target < 30 ms), and
//! (2) bytes written to the terminal per frame at 80×24 (one-row selection move: target
//!     < 400 B; a page scroll; a one-line scroll), with our backend and, for comparison,
//!     ratatui's stock crossterm backend, both over an in-memory writer.
//! (3) at 100,000 generated tasks, what a search keystroke costs the UI thread: `update`
//!     with the typed key, taking the worker's results (`Found`), and drawing the frame (the
//!     search itself runs on the worker; `cargo bench --bench search` measures it).
//! Run: cargo bench --bench ui

#[path = "../tests/it/common/ui_fixture/mod.rs"]
mod fixture;
#[path = "support/mod.rs"]
mod support;

use duban::ledger::Ledger;
use duban::search::Index;
use duban::server::session::Session;
use duban::ui::action::Action;
use duban::ui::effects::dispatch;
use fixture::measure::{Ssh, Stock};
use std::time::{Duration, Instant};

fn first_frame() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("bench.db");
    // Cold: an empty database gets the sample imported first, as on a first run.
    let t0 = Instant::now();
    let ledger = Session::Local(Ledger::open(&db).expect("open"));
    let opened = t0.elapsed();
    ledger.ensure_sample().expect("sample");
    let imported = t0.elapsed();
    let state = duban::ui::initial_state(&ledger, &support::ui_options(), None).expect("state");
    let mut ssh = Ssh::new(80, 24, true);
    let bytes = ssh.frame(&state).len();
    let cold = t0.elapsed();
    drop(ledger);
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "first run on an empty db: {:.2} ms to the first frame ({bytes} B): create db {:.2} ms, import sample {:.2} ms, UI {:.2} ms",
        ms(cold),
        ms(opened),
        ms(imported - opened),
        ms(cold - imported)
    );

    let mut warm = Vec::new();
    let mut draw_only = Vec::new();
    for _ in 0..30 {
        let t0 = Instant::now();
        let ledger = Session::Local(Ledger::open(&db).expect("open"));
        let state = duban::ui::initial_state(&ledger, &support::ui_options(), None).expect("state");
        let t1 = Instant::now();
        let mut ssh = Ssh::new(80, 24, true);
        ssh.frame(&state);
        warm.push(t0.elapsed());
        draw_only.push(t1.elapsed());
        drop(ledger);
    }
    println!(
        "start to first frame (open db, read the first page of tasks, keymap, draw 80x24): {}",
        support::stats(warm)
    );
    println!("  of which the first draw: {}", support::stats(draw_only));
}

struct Meter<'a> {
    ledger: &'a Session,
    index: Index,
    ssh: Ssh,
    stock: Stock,
}

impl Meter<'_> {
    /// Applies an action and draws with both backends; returns (ours, stock) bytes.
    fn frame(
        &mut self,
        state: &mut duban::ui::app::State,
        action: Option<Action>,
    ) -> (usize, usize) {
        if let Some(a) = action {
            dispatch(state, self.ledger, &mut self.index, a);
        }
        (self.ssh.frame(state).len(), self.stock.frame(state).len())
    }

    fn step(&mut self, state: &mut duban::ui::app::State, label: &str, action: Option<Action>) {
        let (ours, theirs) = self.frame(state, action);
        println!("  {label:<28} {ours:>6} B   (stock crossterm backend {theirs:>6} B)");
    }
}

fn bytes(width: u16, height: u16, color: bool) {
    let dir = tempfile::tempdir().expect("tmp");
    let ledger = Session::Local(fixture::sample_ledger(dir.path()));
    let mut state = duban::ui::initial_state(&ledger, &support::ui_options(), None).expect("state");
    state.theme.color = color;
    state.size = (width, height);
    let mut m = Meter {
        ledger: &ledger,
        index: Index::build(&state.full_tasks()),
        ssh: Ssh::new(width, height, color),
        stock: Stock::new(width, height),
    };
    println!(
        "{width}x{height}, colour {}:",
        if color { "on" } else { "off (NO_COLOR)" }
    );
    m.step(&mut state, "first frame", None);
    m.step(&mut state, "selection one row down", Some(Action::MoveDown));
    m.step(&mut state, "selection one row up", Some(Action::MoveUp));
    m.step(
        &mut state,
        "page down (scroll a page)",
        Some(Action::PageDown),
    );
    // Walk down until the list scrolls by one line.
    let offset = state.offset;
    let line = loop {
        let bytes = m.frame(&mut state, Some(Action::MoveDown));
        if state.offset != offset {
            break bytes;
        }
    };
    println!(
        "  {:<28} {:>6} B   (stock crossterm backend {:>6} B)",
        "scroll one line", line.0, line.1
    );
    m.step(&mut state, "open task detail", Some(Action::Open));
    m.step(&mut state, "detail: page down", Some(Action::PageDown));
    m.step(&mut state, "back to the list", Some(Action::Back));
}

/// The UI thread's share of search keystrokes at 100,000 tasks.
fn search_keystrokes(n: usize) {
    use duban::ui::app::{update, Effect, State};
    let pools = support::corpus::sample_pools().expect("sample pools");
    let tasks = support::corpus::generate(&pools, n, 7);
    let index = Index::build(&tasks);
    let never = std::sync::atomic::AtomicBool::new(false);
    let mut state = State::new(
        tasks,
        Vec::new(),
        duban::ui::keymap::Keymap::builtin(),
        duban::ui::theme::Theme::default(),
        (80, 24),
    );
    let mut ssh = Ssh::new(80, 24, true);
    ssh.frame(&state);
    println!("search keystrokes at {n} tasks (UI thread: key + results + frame):");
    for query in ["shengtaihj", "市生态环境局", "hcst", "#52", "status:behind"] {
        let mut ui = Vec::new();
        let mut search = Vec::new();
        update(&mut state, Action::Search);
        let mut typed = String::new();
        let mut shown = 0;
        for c in query.chars() {
            typed.push(c);
            let t0 = Instant::now();
            let effects = update(&mut state, Action::Insert(c.to_string()));
            let keyed = t0.elapsed();
            for e in effects {
                if let Effect::Search(Some(text)) = e {
                    let s0 = Instant::now();
                    let q = duban::search::Query::parse(&text);
                    let results = index.search(&q, &never).expect("results");
                    search.push(s0.elapsed());
                    let t1 = Instant::now();
                    update(
                        &mut state,
                        Action::Found(Box::new(duban::search::SearchOutcome {
                            text,
                            results: std::sync::Arc::new(results),
                            elapsed: Duration::ZERO,
                        })),
                    );
                    let found = t1.elapsed();
                    let t2 = Instant::now();
                    ssh.frame(&state);
                    let drawn = t2.elapsed();
                    if std::env::var_os("DUBAN_BENCH_DETAIL").is_some() {
                        eprintln!(
                            "    {typed:<14} key {:.2} ms, results {:.2} ms, frame {:.2} ms",
                            keyed.as_secs_f64() * 1e3,
                            found.as_secs_f64() * 1e3,
                            drawn.as_secs_f64() * 1e3
                        );
                    }
                    ui.push(keyed + found + drawn);
                    shown = state.list_tasks().len();
                }
            }
        }
        println!(
            "  {query:<14} UI {}  [search on the worker, full scan: {}]  {shown} shown",
            support::stats(ui),
            support::stats(search)
        );
        update(&mut state, Action::Cancel);
    }
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` runs this once too.
    search_keystrokes(100_000);
    first_frame();
    bytes(80, 24, true);
    bytes(80, 24, false);
    bytes(200, 50, true);
}
