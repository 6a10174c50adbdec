//! duban at 100,000 tasks, scripted (not criterion: each step needs a database of its own
//! state, and a cold start cannot be repeated within one process without stopping the
//! server). Prints medians; asserts nothing about time.
//!
//! 1. a 100,000-row report in the sample's layout is generated and imported (once);
//! 2. `show N`: opening the database and reading one task with its history;
//! 3. the UI's first frame with the server cold (this `duban serve` started, as the UI starts
//!    it) and warm (a server already running): connect, first page of tasks, draw 80×24;
//! 4. an edit from the UI's client, acknowledged (on disk), with the server holding 100,000
//!    tasks;
//! 5. the background load: every task read in pages, as the open UI does after its first
//!    frame.
//!
//! Run: cargo bench --bench scale            (DUBAN_SCALE_ROWS=20000 for a quicker run)

#[path = "../tests/it/common/ui_fixture/mod.rs"]
mod fixture;
#[path = "support/mod.rs"]
mod support;

use duban::ledger::Ledger;
use duban::model::Status;
use duban::ops::Op;
use duban::server::session::Session;
use duban::server::{Autostart, Client, ClientOptions};
use fixture::measure::Ssh;
use std::path::Path;
use std::time::{Duration, Instant};

/// The peak resident memory of this process so far, from /proc (0 when unknown).
fn peak_rss_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}

fn build_database(db: &Path, rows: usize) {
    let corpus = support::synth::Corpus::from_sample();
    let report = corpus.concatenated_report(rows, 7);
    println!(
        "generated a {rows}-row report: {:.1} MB",
        report.len() as f64 / 1e6
    );
    let t = Instant::now();
    let ledger = Ledger::open(db).expect("open");
    let summary = ledger
        .apply(Op::import(
            report.into_bytes(),
            "generated.txt",
            None,
            false,
        ))
        .expect("import")
        .into_imported()
        .expect("summary");
    println!(
        "imported {} tasks in {:.1} s (in-process; peak RSS of this process so far {} MB)",
        summary.added.len(),
        t.elapsed().as_secs_f64(),
        peak_rss_mb()
    );
}

fn show(db: &Path, number: u32) {
    let mut runs = Vec::new();
    for _ in 0..15 {
        let t = Instant::now();
        let session = Session::Local(Ledger::open(db).expect("open"));
        let task = session.task(number).expect("task");
        let history = session.all_history(Some(number)).expect("history");
        assert_eq!(task.number, number);
        assert!(!history.is_empty());
        runs.push(t.elapsed());
    }
    println!(
        "show {number} (open the database, one task, its history): {}",
        support::stats(runs)
    );
}

/// Connect to the server (starting it when none runs), read the first page, draw 80×24.
fn first_frame(db: &Path, autostart: &Autostart) -> Duration {
    let t = Instant::now();
    let session = duban::server::open_shared(db, Some(autostart.clone())).expect("session");
    let state = duban::ui::initial_state(&session, &support::ui_options(), None).expect("state");
    let mut ssh = Ssh::new(80, 24, true);
    let bytes = ssh.frame(&state).len();
    assert!(bytes > 0);
    t.elapsed()
}

fn stop_server(db: &Path) {
    // The server exits on SIGTERM; wait until its socket is gone and the database free.
    if let Ok(s) = std::os::unix::net::UnixStream::connect(db.join("duban.sock")) {
        if let Ok(cred) =
            nix::sys::socket::getsockopt(&s, nix::sys::socket::sockopt::PeerCredentials)
        {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(cred.pid()),
                nix::sys::signal::Signal::SIGTERM,
            );
        }
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while duban::server::server_answers(db) || Ledger::open(db).is_err() {
        if Instant::now() > deadline {
            panic!("the server did not stop");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn main() {
    let rows: usize = std::env::var("DUBAN_SCALE_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("scale.db");
    build_database(&db, rows);
    show(&db, (rows / 2) as u32);

    let autostart = Autostart {
        exe: env!("CARGO_BIN_EXE_duban").into(),
        idle_exit: Duration::from_secs(30),
    };
    let mut cold = Vec::new();
    for _ in 0..5 {
        stop_server(&db);
        cold.push(first_frame(&db, &autostart));
    }
    println!(
        "UI first frame, server cold (start `duban serve`, connect, first page, draw): {}",
        support::stats(cold)
    );
    let mut warm = Vec::new();
    for _ in 0..15 {
        warm.push(first_frame(&db, &autostart));
    }
    println!(
        "UI first frame, server warm (connect, first page, draw): {}",
        support::stats(warm)
    );

    let client = Client::connect(&db, ClientOptions::default()).expect("client");
    let mut edits = Vec::new();
    for i in 0..40 {
        let status = if i % 2 == 0 {
            Status::Behind
        } else {
            Status::OnTrack
        };
        let t = Instant::now();
        client
            .call(Op::set_status(7, status, None))
            .expect("edit")
            .into_event()
            .expect("event");
        edits.push(t.elapsed());
    }
    println!(
        "an edit acknowledged by the server (on disk): {}",
        support::stats(edits)
    );

    let t = Instant::now();
    let mut after = None;
    let mut pages = 0;
    let mut tasks = 0;
    loop {
        let (page, next) = client
            .call(Op::Tasks { after, limit: None })
            .expect("page")
            .into_tasks()
            .expect("tasks");
        pages += 1;
        tasks += page.len();
        match next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    println!(
        "background load: {tasks} tasks in {pages} pages in {:.2} s",
        t.elapsed().as_secs_f64()
    );
    drop(client);
    stop_server(&db);
}
