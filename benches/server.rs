//! Acknowledged edits per second and acknowledgement latency through `duban serve`, with 1,
//! 4 and 20 clients editing at once (each waits for its ack before the next edit, as a
//! person's UI does). Every edit is on disk when acknowledged; concurrent ones share flushes.
//! Targets (the sharing issue): at least 1,000 edits/s with 20 clients, p99 under 20 ms.
//!
//! `cargo bench --bench server` (a plain harness: it prints a table).

use duban::ledger::Ledger;
use duban::model::Status;
use duban::server::serve::{self, ServeOptions};
use duban::server::{Client, ClientOptions};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// How long each configuration runs.
const RUN: Duration = Duration::from_secs(4);

struct Row {
    clients: usize,
    edits: usize,
    per_sec: f64,
    median: Duration,
    p99: Duration,
    per_flush: f64,
}

fn run(clients: usize) -> Row {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("bench.db");
    Ledger::open(&db)
        .unwrap()
        .apply(duban::ops::Op::EnsureSample)
        .unwrap();
    let server = serve::spawn(&db, ServeOptions::default()).expect("server starts");
    let start = Instant::now() + Duration::from_millis(200);
    let workers: Vec<_> = (0..clients)
        .map(|c| {
            let db = db.clone();
            std::thread::spawn(move || {
                let client = Client::connect(&db, ClientOptions::default()).unwrap();
                // Each client toggles a task of its own, so no edit is refused as unchanged.
                let number = c as u32 + 1;
                let mut latencies = Vec::new();
                while Instant::now() < start {
                    std::thread::sleep(Duration::from_millis(1));
                }
                let mut behind = true;
                while start.elapsed() < RUN {
                    let status = if behind {
                        Status::Behind
                    } else {
                        Status::OnTrack
                    };
                    let t = Instant::now();
                    client
                        .call(duban::ops::Op::set_status(number, status, None))
                        .expect("edit");
                    latencies.push(t.elapsed());
                    behind = !behind;
                }
                latencies
            })
        })
        .collect();
    let mut all: Vec<Duration> = workers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    let elapsed = start.elapsed();
    let batches = server.stats.batches.load(Ordering::Relaxed).max(1);
    let edits = server.stats.edits.load(Ordering::Relaxed);
    server.stop().unwrap();
    all.sort();
    let at = |q: f64| all[((all.len() as f64 * q) as usize).min(all.len() - 1)];
    Row {
        clients,
        edits: all.len(),
        per_sec: all.len() as f64 / elapsed.as_secs_f64(),
        median: at(0.5),
        p99: at(0.99),
        per_flush: edits as f64 / batches as f64,
    }
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    // `cargo test --benches` runs this once quickly; `cargo bench` passes --bench.
    if !std::env::args().any(|a| a == "--bench") {
        println!("server bench: run with `cargo bench --bench server`");
        return;
    }
    println!("| clients | acked edits | edits/s | median ack | p99 ack | edits per flush |");
    println!("|---|---|---|---|---|---|");
    for clients in [1, 4, 20] {
        let r = run(clients);
        println!(
            "| {} | {} | {:.0} | {} | {} | {:.1} |",
            r.clients,
            r.edits,
            r.per_sec,
            ms(r.median),
            ms(r.p99),
            r.per_flush
        );
    }
}
