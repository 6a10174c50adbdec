//! Many staff on one database. sled lets one process open a database, so `duban serve` owns
//! it and serves it on a Unix socket beside it; every other duban talks to that server, and
//! one that finds no server opens the database itself (single-user needs nothing).
//!
//! - [`protocol`]: the wire protocol (the one place it is written down).
//! - [`serve`]: the server; [`commit`]: its group commit; [`peer`] and [`access`]: who is
//!   connecting and what they may do.
//! - [`client`]: `Client` (blocking) and `AsyncClient`, with the ledger's operations, and
//!   `Subscription` for live events.
//! - [`session`]: `Session`, which is either a `Client` or a local `Ledger` behind the same
//!   methods, and the entry points [`connect_or_open`] and [`open_shared`].

pub mod access;
pub mod client;
pub mod commit;
pub mod peer;
pub mod protocol;
pub mod serve;
pub mod session;

pub use client::{AsyncClient, Autostart, Client, ClientError, ClientOptions, Live, Subscription};
pub use serve::{socket_path, ServeError, ServeOptions, ServerHandle};
pub use session::{connect_or_open, open_shared, Session, SessionError};

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The server's log when it was started in the background, beside the database.
pub const LOG_NAME: &str = "serve.log";

/// True when a server accepts connections on `db`'s socket right now.
pub fn server_answers(db: &Path) -> bool {
    std::os::unix::net::UnixStream::connect(socket_path(db)).is_ok()
}

/// Starts `duban serve --db DB --idle-exit SECS` in its own session (so a closed terminal
/// does not take it down), its output appended to `<db>/serve.log`.
pub fn spawn_server(db: &Path, autostart: &Autostart) -> std::io::Result<Child> {
    use std::os::unix::fs::OpenOptionsExt;
    use std::os::unix::process::CommandExt;
    // The server creates the database folder itself, with the group's permissions.
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o660)
        .open(db.join(LOG_NAME));
    let stderr = match log {
        Ok(f) => Stdio::from(f),
        Err(_) => Stdio::null(),
    };
    let mut cmd = Command::new(&autostart.exe);
    cmd.arg("--db")
        .arg(db)
        .arg("serve")
        .arg("--idle-exit")
        .arg(autostart.idle_exit.as_secs().max(1).to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr);
    // SAFETY: setsid is async-signal-safe, which is all that is allowed between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            nix::unistd::setsid()
                .map(|_| ())
                .map_err(std::io::Error::from)
        });
    }
    cmd.spawn()
}

/// Waits for a started server on a thread of its own, so it never lingers as a zombie.
pub fn reap(mut child: Child) {
    let _ = std::thread::Builder::new()
        .name("duban-reap".into())
        .spawn(move || {
            let _ = child.wait();
        });
}

/// Makes sure a server serves `db`: starts one in the background when none answers, and
/// waits (up to 5 s, trying again while the database is held) until it does. Returns
/// whether this call started it. Fails when the database stays held by a duban that is not
/// a server, or the server cannot start.
pub fn ensure_server(db: &Path, autostart: &Autostart) -> Result<bool, ClientError> {
    match std::os::unix::net::UnixStream::connect(socket_path(db)) {
        Ok(_) => return Ok(false),
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            return Err(ClientError::Connect {
                db: db.to_path_buf(),
                detail: format!(
                    "permission denied on {}: the database is shared with its folder's group; ask to be added to it",
                    socket_path(db).display()
                ),
            })
        }
        Err(_) => {}
    }
    let start_err = |detail: String| ClientError::Start {
        db: db.to_path_buf(),
        detail,
    };
    let mut child = spawn_server(db, autostart)
        .map_err(|e| start_err(format!("{}: {e}", autostart.exe.display())))?;
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if server_answers(db) {
            reap(child);
            return Ok(true);
        }
        if let Ok(Some(_)) = child.try_wait() {
            // It stopped: another server may have won the race, or the database is held
            // (often for a moment only: a command that opened it directly).
            if server_answers(db) {
                return Ok(false);
            }
            if Instant::now() > deadline {
                let why = last_log_line(db).unwrap_or_else(|| "it exited at once".into());
                return Err(start_err(why));
            }
            std::thread::sleep(Duration::from_millis(50));
            child = spawn_server(db, autostart)
                .map_err(|e| start_err(format!("{}: {e}", autostart.exe.display())))?;
            continue;
        }
        if Instant::now() > deadline {
            reap(child);
            return Err(start_err(format!(
                "it did not answer within 5 s; see {}",
                db.join(LOG_NAME).display()
            )));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn last_log_line(db: &Path) -> Option<String> {
    let text = std::fs::read_to_string(db.join(LOG_NAME)).ok()?;
    text.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .map(|l| l.trim_start_matches("duban: ").to_string())
}
