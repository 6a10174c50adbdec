//! An acknowledged edit survives `kill -9`: `duban set` processes are killed at random
//! moments, and every edit whose command reported success must be in the database after.

use crate::common::*;
use duban::model::Status;
use std::process::Stdio;
use std::time::{Duration, Instant};

#[test]
fn kill_9_at_any_moment_never_loses_an_acknowledged_edit() {
    let (_d, db) = temp_db();
    duban(&db, &["import", SEED]).ok();
    // How long one uninterrupted edit takes here, so the kills spread over its whole life.
    let started = Instant::now();
    duban(&db, &["set", "14", "on_track"]).ok();
    let span = started.elapsed().as_micros() as usize * 6 / 5;
    let mut rng = crate::support::synth::Rng::new(0xD0_BA);
    let mut acknowledged = Vec::new();
    let mut killed = 0;
    for round in 0..40 {
        let current = duban::ledger::Ledger::open(&db)
            .expect("database opens after a kill")
            .task(14)
            .unwrap()
            .status;
        let target = if current == Status::Behind {
            Status::OnTrack
        } else {
            Status::Behind
        };
        let note = format!("进度滞后 round {round}");
        let mut child = duban_cmd(&db)
            .args(["set", "14", target.id(), "--note", &note])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn duban");
        // Kill somewhere between "just started" and "probably finished".
        let deadline = Instant::now() + Duration::from_micros(rng.below(span) as u64);
        while Instant::now() < deadline {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        let _ = child.kill(); // SIGKILL on Unix
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        if out.status.success() && stdout.contains(&note) {
            acknowledged.push(note);
        } else {
            killed += 1;
        }
    }
    // One edit left to finish, so there is always an acknowledged edit to look for, however
    // the machine scheduled the kills above (a loaded machine may kill every one early, or
    // none before it finished: the counts are reported, not asserted).
    let last_note = "进度滞后 last";
    let current = duban::ledger::Ledger::open(&db)
        .expect("database opens after a kill")
        .task(14)
        .unwrap()
        .status;
    let target = if current == Status::Behind {
        Status::OnTrack
    } else {
        Status::Behind
    };
    duban(&db, &["set", "14", target.id(), "--note", last_note]).ok();
    acknowledged.push(last_note.to_string());
    let ledger = duban::ledger::Ledger::open(&db).expect("database opens after the kills");
    let history = ledger.history(Some(14)).unwrap();
    for note in &acknowledged {
        assert!(
            history
                .iter()
                .any(|e| e.note.as_deref() == Some(note.as_str())),
            "acknowledged edit '{note}' was lost"
        );
    }
    // The task's status is the one its last status event says.
    let last = history
        .iter()
        .rev()
        .find_map(|e| match e.change {
            duban::model::Change::Status { to, .. } => Some(to),
            _ => None,
        })
        .expect("some edit landed");
    assert_eq!(ledger.task(14).unwrap().status, last);
    eprintln!(
        "{} acknowledged, {} killed before acknowledging",
        acknowledged.len(),
        killed
    );
}
