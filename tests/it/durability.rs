//! An acknowledged edit survives `kill -9`: `duban set` processes are killed at all moments of
//! their lives, and every edit whose command reported success must be in the database after.
//!
//! The moments come from a count of acknowledged edits, not from a clock: a second stream of
//! edits (the pacer, on another database) runs beside the edits under test, and an edit under
//! test is killed at the pacer's first or second acknowledgement after it started. The two
//! streams go at the same pace but out of step, so kills land anywhere in an edit's life
//! (opening the database, writing, flushing, closing); on a loaded machine both slow down
//! together, where a timer measured once would kill too early or too late.

use crate::common::*;
use crate::support::synth::Rng;
use duban::model::{Change, Status};
use nix::sys::wait::{waitid, Id, WaitPidFlag};
use nix::unistd::Pid;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};

/// Edits under test (each maybe killed).
const ROUNDS: usize = 40;

/// The edit under test now running, and how many more pacer acknowledgements it may live.
#[derive(Default)]
struct Exposed {
    child: Option<Child>,
    acks_left: usize,
}

#[test]
fn kill_9_at_any_moment_never_loses_an_acknowledged_edit() {
    let (_d, db) = temp_db();
    duban(&db, &["import", SEED]).ok();
    let (_pd, pace_db) = temp_db();
    duban(&pace_db, &["import", SEED]).ok();

    let exposed = Arc::new(Mutex::new(Exposed::default()));
    let stop = StopOnDrop(Arc::new(AtomicBool::new(false)));
    let (acks, acked) = mpsc::channel();
    let pacer = {
        let stop = stop.0.clone();
        std::thread::spawn(move || pace(&pace_db, &stop, &acks))
    };
    let killer = {
        let exposed = exposed.clone();
        std::thread::spawn(move || {
            // One message per acknowledged pacer edit; ends when the pacer does.
            for () in acked {
                let mut e = exposed.lock().expect("exposed");
                if e.child.is_none() || e.acks_left == 0 {
                    continue;
                }
                e.acks_left -= 1;
                if e.acks_left == 0 {
                    if let Some(child) = e.child.as_mut() {
                        // Not yet reaped (see `run_exposed`), so the pid is still the edit's.
                        let _ = child.kill(); // SIGKILL on Unix
                    }
                }
            }
        })
    };

    let mut rng = Rng::new(0xD0_BA);
    let mut acknowledged = Vec::new();
    let (mut killed, mut failed) = (0, 0);
    for round in 0..ROUNDS {
        let note = format!("进度滞后 round {round}");
        let target = other_status(&db);
        // Killed at the pacer's next acknowledgement (somewhere in this edit's life) or the
        // one after (usually after it finished, so some edits are acknowledged).
        let acks_left = 1 + rng.below(2);
        match run_exposed(&db, &exposed, acks_left, target, &note) {
            Outcome::Acknowledged => acknowledged.push(note),
            Outcome::Killed => killed += 1,
            Outcome::Failed => failed += 1,
        }
    }
    drop(stop);
    let paced = pacer.join().expect("pacer");
    killer.join().expect("killer");

    // One edit left to finish, so there is always an acknowledged edit to look for, however
    // the machine scheduled the kills above (the counts are reported, not asserted).
    let last_note = "进度滞后 last";
    duban(
        &db,
        &["set", "14", other_status(&db).id(), "--note", last_note],
    )
    .ok();
    acknowledged.push(last_note.to_string());
    let ledger = open_ledger(&db);
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
            Change::Status { to, .. } => Some(to),
            _ => None,
        })
        .expect("some edit landed");
    assert_eq!(ledger.task(14).unwrap().status, last);
    eprintln!(
        "{} acknowledged, {killed} killed before acknowledging, {failed} failed otherwise, \
         {paced} pacer edits",
        acknowledged.len()
    );
}

/// Stops the pacer when the test ends, passing or not.
struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

enum Outcome {
    Acknowledged,
    Killed,
    /// Not killed, not acknowledged (say, still waiting for the database when its wait ran
    /// out): nothing promised, nothing to check.
    Failed,
}

/// A status for task 14 other than its current one (so `set` changes something), read with
/// no edit running. Read by a `duban` process rather than here: a database opened in this
/// process is let go a moment after, and the next edit would find it held.
fn other_status(db: &Path) -> Status {
    let current = task(&export_json(db), 14)["status"].clone();
    if current == Status::Behind.id() {
        Status::OnTrack
    } else {
        Status::Behind
    }
}

/// Runs `duban set 14 <target> --note <note>` where the killer can reach it for `acks_left`
/// pacer acknowledgements.
fn run_exposed(
    db: &Path,
    exposed: &Mutex<Exposed>,
    acks_left: usize,
    target: Status,
    note: &str,
) -> Outcome {
    let child = duban_cmd(db)
        .args(["set", "14", target.id(), "--note", note])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn duban");
    let pid = Pid::from_raw(child.id() as i32);
    *exposed.lock().expect("exposed") = Exposed {
        child: Some(child),
        acks_left,
    };
    // Wait for it to end without reaping it (WNOWAIT): until it is taken back below, its pid
    // cannot be given to another process, so a late kill reaches nothing else.
    loop {
        match waitid(Id::Pid(pid), WaitPidFlag::WEXITED | WaitPidFlag::WNOWAIT) {
            Err(nix::errno::Errno::EINTR) => continue,
            r => {
                r.expect("wait for duban");
                break;
            }
        }
    }
    let child = exposed
        .lock()
        .expect("exposed")
        .child
        .take()
        .expect("the edit's child");
    let out = child.wait_with_output().expect("duban's output");
    // Killed after it answered is still acknowledged: the answer is the promise.
    if out.status.success() && String::from_utf8_lossy(&out.stdout).contains(note) {
        Outcome::Acknowledged
    } else if out.status.signal() == Some(nix::sys::signal::Signal::SIGKILL as i32) {
        Outcome::Killed
    } else {
        Outcome::Failed
    }
}

/// Adds notes to task 1 of `db` one after another until told to stop, sending one message per
/// acknowledged edit; returns how many.
fn pace(db: &Path, stop: &AtomicBool, acks: &mpsc::Sender<()>) -> usize {
    let mut n = 0;
    while !stop.load(Ordering::SeqCst) {
        duban(db, &["note", "1", &format!("pace {n}")]).ok();
        n += 1;
        let _ = acks.send(());
    }
    n
}
