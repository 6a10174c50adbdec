//! Many staff on one database. sled lets one process open a database, so `duban serve` owns
//! it and serves it on a Unix socket beside it; every other duban talks to that server, and
//! one that finds no server opens the database itself (single-user needs nothing).
//!
//! - [`protocol`]: the wire protocol (the one place it is written down).
//! - [`serve`]: the server; [`commit`]: its group commit; [`peer`] and [`access`]: who is
//!   connecting and what they may do; [`log`]: its log, `<db>/serve.log`.
//! - [`client`]: `Client` (blocking) and `AsyncClient`, with the ledger's operations, and
//!   `Subscription` for live events.
//! - [`session`]: `Session`, which is either a `Client` or a local `Ledger` behind the same
//!   methods, and the entry points [`connect_or_open`] and [`open_shared`].

pub mod access;
pub mod activation;
pub mod client;
pub mod commit;
pub mod log;
pub mod owner;
pub mod peer;
pub mod protocol;
pub mod serve;
pub mod session;
pub mod shared_setup;
pub mod snapshot;

pub use client::{AsyncClient, Autostart, Client, ClientError, ClientOptions, Live, Subscription};
pub use serve::{socket_path, ServeError, ServeOptions, ServerHandle};
pub use session::{connect_or_open, open_shared, Session, SessionError};

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The server's log, beside the database (capped: see [`log`]).
pub const LOG_NAME: &str = "serve.log";

/// True when a server accepts connections on `db`'s socket right now.
pub fn server_answers(db: &Path) -> bool {
    std::os::unix::net::UnixStream::connect(socket_path(db)).is_ok()
}

/// Starts `duban serve --db DB --idle-exit SECS` in its own session (so a closed terminal
/// does not take it down), its stderr appended to `<db>/serve.log`.
///
/// Its stderr is the log file itself rather than a file of its own: what reaches stderr
/// (the sentence saying why it could not start, which [`ensure_server`] reads back) then
/// sits among the log lines around it, and there is one file to read and one cap. The
/// server's log writer notices that stderr is its file and moves stderr along when it
/// starts a new one (see [`log::CappedLog`]).
pub fn spawn_server(db: &Path, autostart: &Autostart) -> std::io::Result<Child> {
    use std::os::unix::process::CommandExt;
    // The server creates the database folder itself, with the group's permissions; the
    // first start of a new database has no log to write to yet.
    let stderr = match log::open_append(&db.join(LOG_NAME)) {
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
                detail: crate::tr!(
                    "{} 拒绝访问：数据库不属于你，其所有者也没有允许你使用；请联系运行它的人（共享部署时：请其把你加入该文件夹的用户组）",
                    "permission denied on {}: the database is not yours, and its owner has not let you in; ask whoever runs it (in the shared set-up: to be added to the folder's group)",
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
                let why = last_log_line(db).unwrap_or_else(|| {
                    crate::lang::t("它启动后立即退出了", "it exited at once").into()
                });
                return Err(start_err(why));
            }
            std::thread::sleep(Duration::from_millis(50));
            child = spawn_server(db, autostart)
                .map_err(|e| start_err(format!("{}: {e}", autostart.exe.display())))?;
            continue;
        }
        if Instant::now() > deadline {
            reap(child);
            return Err(start_err(crate::tr!(
                "它在 5 秒内没有应答；请查看 {}",
                "it did not answer within 5 s; see {}",
                db.join(LOG_NAME).display()
            )));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The last line of the log: the sentence a server that could not start wrote last. Reads
/// only the log's tail (the log is up to [`log::MAX_BYTES`]).
fn last_log_line(db: &Path) -> Option<String> {
    use std::io::{Read, Seek, SeekFrom};
    const TAIL: u64 = 8192;
    let mut file = std::fs::File::open(db.join(LOG_NAME)).ok()?;
    let len = file.metadata().ok()?.len();
    file.seek(SeekFrom::Start(len.saturating_sub(TAIL))).ok()?;
    let mut tail = Vec::new();
    file.take(TAIL).read_to_end(&mut tail).ok()?;
    let text = String::from_utf8_lossy(&tail);
    text.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .map(|l| l.trim_start_matches("duban: ").to_string())
}
