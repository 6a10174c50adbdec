//! The server's log, for a maintainer: `<db>/serve.log`, one line per event with its time
//! (UTC, RFC 3339), its level and, on lines about a request, who asked (the peer's OS user),
//! which operation and which task. Never what the request carried: notes, goals and reports
//! can be confidential, so [`Request`] only ever holds the operation's name and task number.
//!
//! The file is capped: past [`MAX_BYTES`] it becomes `serve.log.1` (the older ones move up
//! to `serve.log.`[`KEEP`]) and a new one starts, so a server that runs for years keeps at
//! most `(KEEP + 1) × MAX_BYTES` of log. `DUBAN_LOG` sets the filter (`info` by default;
//! `DUBAN_LOG=debug` adds every read request).
//!
//! Only `duban serve` ([`init`]) installs the global subscriber; servers inside another
//! process (tests, benches) leave that process's logging alone.

use super::protocol::{ErrorKind, Op, RemoteError, Reply};
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

/// The environment variable holding the log filter (`info`, `debug`, `warn` …).
pub const LEVEL_VAR: &str = "DUBAN_LOG";
/// The size past which the log starts over (the old one kept as `serve.log.1`).
pub const MAX_BYTES: u64 = 10 * 1024 * 1024;
/// How many old logs are kept (`serve.log.1` … `serve.log.KEEP`).
pub const KEEP: usize = 2;
/// The log is written by whichever member of the group started the server, and appended to
/// by the next one: group members read and write it, nobody else sees it.
const MODE: u32 = 0o660;

/// Opens `path` for appending, creating it with mode 0660 whatever the umask (the client
/// that autostarts a server has the user's umask, often 022, which would lock the next
/// user's server out of the log).
pub fn open_append(path: &Path) -> io::Result<File> {
    // Never through a symlink: a log planted as a link would have the server (another
    // account) append to the link's target.
    let new = OpenOptions::new()
        .append(true)
        .create_new(true)
        .mode(MODE)
        .custom_flags(nix::libc::O_NOFOLLOW)
        .open(path);
    match new {
        Ok(f) => {
            f.set_permissions(std::fs::Permissions::from_mode(MODE))?;
            Ok(f)
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => OpenOptions::new()
            .append(true)
            .custom_flags(nix::libc::O_NOFOLLOW)
            .open(path),
        Err(e) => Err(e),
    }
}

/// A log file that starts over when it would grow past its limit. Cloning shares it.
#[derive(Clone)]
pub struct CappedLog {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    max_bytes: u64,
    keep: usize,
    /// Each line also goes to stderr (a terminal, a service manager's journal), unless
    /// stderr is this very file.
    echo: bool,
    state: Mutex<State>,
}

struct State {
    file: File,
    /// fd 2 writes to this file (an autostarted server's stderr is `serve.log`): it is moved
    /// to the new file at each rotation, so that panics land in the current log.
    stderr_follows: bool,
}

impl CappedLog {
    /// Opens (or creates) the log at `path`; it rotates past `max_bytes`, keeping `keep`
    /// old files. `echo` also copies each line to stderr when stderr is another file.
    pub fn open(path: &Path, max_bytes: u64, keep: usize, echo: bool) -> io::Result<CappedLog> {
        let file = open_append(path)?;
        let stderr_follows = same_file(&io::stderr(), &file);
        Ok(CappedLog {
            inner: Arc::new(Inner {
                path: path.to_path_buf(),
                max_bytes,
                keep,
                echo: echo && !stderr_follows,
                state: Mutex::new(State {
                    file,
                    stderr_follows,
                }),
            }),
        })
    }

    /// Appends one whole line (the formatter hands over a line per call), starting a new
    /// file first when this one would grow past the limit. A line is never split.
    fn append(&self, line: &[u8]) -> io::Result<()> {
        let inner = &self.inner;
        let mut state = lock(&inner.state);
        // The file's own size, not a count of ours: panics and the exit message reach it
        // through stderr, and a server that lost the start race writes to it too.
        let size = state.file.metadata()?.len();
        if size > 0
            && size + line.len() as u64 > inner.max_bytes
            && inner.rotate(&mut state).is_err()
        {
            // Renaming failed (the folder is not writable for us?): start the file over
            // rather than let it grow without bound.
            state.file.set_len(0)?;
        }
        state.file.write_all(line)?;
        drop(state);
        if inner.echo {
            let _ = io::stderr().write_all(line);
        }
        Ok(())
    }
}

impl Inner {
    /// `serve.log.1` → `.2` … up to `keep`, `serve.log` → `.1`, and a new `serve.log`.
    fn rotate(&self, state: &mut State) -> io::Result<()> {
        // Another server process (one that lost the race to start) may have rotated
        // already: then our file is `serve.log.1` by now, and we only follow to the new one.
        let ours = match (std::fs::metadata(&self.path), state.file.metadata()) {
            (Ok(on_disk), Ok(open)) => identity(&on_disk) == identity(&open),
            _ => false,
        };
        if ours {
            for i in (1..self.keep).rev() {
                ignore_missing(std::fs::rename(
                    numbered(&self.path, i),
                    numbered(&self.path, i + 1),
                ))?;
            }
            if self.keep == 0 {
                std::fs::remove_file(&self.path)?;
            } else {
                std::fs::rename(&self.path, numbered(&self.path, 1))?;
            }
        }
        let file = open_append(&self.path)?;
        if state.stderr_follows {
            let _ = nix::unistd::dup2_stderr(&file);
        }
        state.file = file;
        Ok(())
    }
}

impl io::Write for &CappedLog {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.append(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for CappedLog {
    type Writer = &'a CappedLog;

    fn make_writer(&'a self) -> Self::Writer {
        self
    }
}

fn lock(m: &Mutex<State>) -> MutexGuard<'_, State> {
    // A panic while holding the lock leaves a file handle, which is still fine to write to.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn numbered(path: &Path, i: usize) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".{i}"));
    PathBuf::from(name)
}

fn ignore_missing(r: io::Result<()>) -> io::Result<()> {
    match r {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

fn identity(m: &std::fs::Metadata) -> (u64, u64) {
    (m.dev(), m.ino())
}

/// True when `fd` and `file` are the same file on disk.
fn same_file(fd: &impl AsFd, file: &File) -> bool {
    // A duplicate of the descriptor, to ask for its metadata; closed again at once.
    let Ok(dup) = fd.as_fd().try_clone_to_owned() else {
        return false;
    };
    match (File::from(dup).metadata(), file.metadata()) {
        (Ok(a), Ok(b)) => identity(&a) == identity(&b),
        _ => false,
    }
}

/// The filter from `DUBAN_LOG`, or `info`. A filter that does not parse is reported (as the
/// second value) and `info` is used.
fn filter() -> (EnvFilter, Option<String>) {
    match std::env::var(LEVEL_VAR) {
        Ok(v) if !v.trim().is_empty() => match EnvFilter::try_new(&v) {
            Ok(f) => (f, None),
            Err(e) => (
                EnvFilter::new("info"),
                Some(format!(
                    "{LEVEL_VAR}={v:?} is not a log filter ({e}); logging at info"
                )),
            ),
        },
        _ => (EnvFilter::new("info"), None),
    }
}

/// The one line format: `2025-01-02T03:04:05.678901Z  INFO message user=… op=… task=…`.
fn subscriber<W>(filter: EnvFilter, writer: W) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_target(false)
        .with_ansi(false)
        .finish()
}

/// `duban serve`'s logging: to `<db>/serve.log` (capped) and, unless stderr is that file,
/// to stderr as well. Falls back to stderr alone when the file cannot be opened. Does
/// nothing when the process already has a global subscriber.
pub fn init(db: &Path) {
    let (filter, bad_filter) = filter();
    let path = db.join(super::LOG_NAME);
    let installed = match CappedLog::open(&path, MAX_BYTES, KEEP, true) {
        Ok(log) => {
            let ok = tracing::subscriber::set_global_default(subscriber(filter, log)).is_ok();
            if ok {
                tracing::debug!("logging to {}", path.display());
            }
            ok
        }
        Err(e) => {
            let ok =
                tracing::subscriber::set_global_default(subscriber(filter, io::stderr)).is_ok();
            if ok {
                tracing::warn!(
                    "cannot open the log {} ({e}); logging to stderr only",
                    path.display()
                );
            }
            ok
        }
    };
    if !installed {
        return;
    }
    if let Some(why) = bad_filter {
        tracing::warn!("{why}");
    }
    std::panic::set_hook(Box::new(log_panic));
}

/// Panics go to the log with their time, thread and place, in place of Rust's default
/// message on stderr. Their message is kept when it cannot hold data: a fixed text
/// (`expect("…")`), or a formatted one that quotes nothing. Messages that quote (a bad
/// string slice quotes the string, `unwrap` on an error quotes the error) could carry a
/// note's text, so they are withheld; the place and the backtrace (`RUST_BACKTRACE=1`)
/// still say where to look.
fn log_panic(info: &std::panic::PanicHookInfo<'_>) {
    let thread = std::thread::current();
    let thread = thread.name().unwrap_or("unnamed");
    let place = info
        .location()
        .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
        .unwrap_or_default();
    let message = shown_message(info.payload());
    let backtrace = std::backtrace::Backtrace::capture();
    if backtrace.status() == std::backtrace::BacktraceStatus::Captured {
        tracing::error!(thread = %thread, at = %place, "panicked: {message}\n{backtrace}");
    } else {
        tracing::error!(thread = %thread, at = %place, "panicked: {message}");
    }
}

/// A panic's message as the log may show it (see [`log_panic`]).
fn shown_message(payload: &(dyn std::any::Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        return s;
    }
    match payload.downcast_ref::<String>() {
        Some(s) if !s.contains(['`', '\'', '"']) => s,
        Some(_) => "(message withheld: it quotes data)",
        None => "(no message)",
    }
}

/// What the log may say about one request: who, which operation, which task. It is built
/// from the request but keeps none of its payload.
#[derive(Debug, Clone)]
pub struct Request {
    user: String,
    op: &'static str,
    task: Option<u32>,
    edit: bool,
}

impl Request {
    pub fn new(user: &str, op: &Op) -> Request {
        Request {
            user: user.to_string(),
            op: op.name(),
            task: op.task(),
            edit: op.is_edit(),
        }
    }

    /// A request arrived (debug: reads are many).
    pub fn received(&self) {
        tracing::debug!(user = %self.user, op = %self.op, task = self.task, "request");
    }

    /// The answer the request got: edits at info (who changed what is what a maintainer
    /// looks for), reads at debug; refusals at warn and server failures at error. Only the
    /// kind of an error is logged, except a store failure's message, which is about the
    /// disk, not the content.
    pub fn answered(&self, result: &Result<Reply, RemoteError>) {
        let (user, op, task) = (&self.user, self.op, self.task);
        match result {
            // A sample check on a database that has tasks changed nothing.
            Ok(Reply::Sample(None)) => tracing::debug!(user = %user, op = %op, task, "answered"),
            Ok(_) if self.edit => tracing::info!(user = %user, op = %op, task, "done"),
            Ok(_) => tracing::debug!(user = %user, op = %op, task, "answered"),
            Err(e) => match e.kind {
                ErrorKind::Store => {
                    tracing::error!(user = %user, op = %op, task, "failed: {}", e.message)
                }
                ErrorKind::ReadOnly | ErrorKind::Protocol => {
                    tracing::warn!(user = %user, op = %op, task, error = ?e.kind, "refused")
                }
                kind => tracing::info!(user = %user, op = %op, task, error = ?kind, "not done"),
            },
        }
    }

    /// A resent edit that had already reached the disk, answered from its record.
    pub fn resend_answered(&self, key: &str) {
        let (user, op, task) = (&self.user, self.op, self.task);
        tracing::info!(user = %user, op = %op, task, key = %key, "already applied; answered from the record");
    }
}

/// A connection asked for live events.
pub fn subscribed(user: &str) {
    tracing::debug!(user = %user, op = "subscribe", "request");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Status;

    fn read(path: &Path) -> String {
        std::fs::read_to_string(path).unwrap_or_default()
    }

    #[test]
    fn a_log_planted_as_a_symlink_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("private.txt");
        std::fs::write(&victim, "mine\n").unwrap();
        let log = dir.path().join("serve.log");
        std::os::unix::fs::symlink(&victim, &log).unwrap();
        assert!(open_append(&log).is_err());
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "mine\n");
    }

    #[test]
    fn the_log_starts_over_at_its_limit_keeping_whole_lines_and_two_old_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("serve.log");
        let log = CappedLog::open(&path, 100, 2, false).unwrap();
        let mut w = &log;
        for i in 0..7 {
            // 40 bytes a line: two fit under 100, the third starts a new file.
            w.write_all(format!("line {i} {}\n", "x".repeat(32)).as_bytes())
                .unwrap();
        }
        let (now, one, two) = (
            read(&path),
            read(&numbered(&path, 1)),
            read(&numbered(&path, 2)),
        );
        assert!(
            now.starts_with("line 6 ") && now.lines().count() == 1,
            "{now}"
        );
        assert!(
            one.starts_with("line 4 ") && one.lines().count() == 2,
            "{one}"
        );
        assert!(
            two.starts_with("line 2 ") && two.lines().count() == 2,
            "{two}"
        );
        assert!(!numbered(&path, 3).exists(), "only two old logs are kept");
        for text in [&now, &one, &two] {
            assert!(text.len() <= 100);
        }
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o660, "the group shares the log");

        // A line longer than the limit is still written whole, into a file of its own.
        w.write_all(format!("{}\n", "y".repeat(150)).as_bytes())
            .unwrap();
        assert_eq!(read(&path).len(), 151);
        assert!(read(&numbered(&path, 1)).starts_with("line 6 "));
    }

    #[test]
    fn a_log_that_another_process_rotated_is_followed_not_rotated_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("serve.log");
        let log = CappedLog::open(&path, 50, 2, false).unwrap();
        let mut w = &log;
        w.write_all(format!("old {}\n", "o".repeat(40)).as_bytes())
            .unwrap();
        // Another server rotates: ours is serve.log.1 now, and a new serve.log has a line.
        std::fs::rename(&path, numbered(&path, 1)).unwrap();
        std::fs::write(&path, "theirs\n").unwrap();
        w.write_all(format!("mine {}\n", "m".repeat(40)).as_bytes())
            .unwrap();
        assert_eq!(read(&path), format!("theirs\nmine {}\n", "m".repeat(40)));
        assert!(read(&numbered(&path, 1)).starts_with("old "));
        assert!(!numbered(&path, 2).exists());
    }

    #[test]
    fn a_panic_message_that_quotes_data_is_withheld() {
        let fixed: Box<dyn std::any::Any + Send> = Box::new("the commit thread starts");
        assert_eq!(shown_message(fixed.as_ref()), "the commit thread starts");
        let plain: Box<dyn std::any::Any + Send> =
            Box::new("index out of bounds: the len is 3 but the index is 5".to_string());
        assert!(shown_message(plain.as_ref()).starts_with("index out of bounds"));
        // What slicing a note at a bad place says: it quotes the note.
        let quoting = std::panic::catch_unwind(|| {
            let note = String::from("机密批示");
            let _ = &note[..2];
        })
        .unwrap_err();
        assert!(!shown_message(quoting.as_ref()).contains("机密"));
    }

    #[test]
    fn a_request_line_has_its_time_level_user_op_and_task_but_never_its_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("serve.log");
        let log = CappedLog::open(&path, MAX_BYTES, KEEP, false).unwrap();
        let secret = "机密：书记批示";
        let ops = [
            Op::SetStatus {
                number: 14,
                status: Status::Behind,
                note: Some(secret.into()),
            },
            Op::AddNote {
                number: 15,
                text: secret.into(),
            },
            Op::EditGoal {
                number: 16,
                goal: secret.into(),
            },
            Op::Import {
                bytes: secret.as_bytes().to_vec(),
                source: format!("{secret}.docx"),
                period: Some(secret.into()),
                replace: false,
            },
        ];
        tracing::subscriber::with_default(subscriber(EnvFilter::new("info"), log), || {
            for op in &ops {
                let what = Request::new("alice", op);
                what.received(); // debug: filtered out at info
                what.answered(&Ok(Reply::Events(Vec::new())));
            }
            Request::new("bob", &ops[0]).answered(&Err(RemoteError::new(
                ErrorKind::ReadOnly,
                format!("bob may only read ({secret})"),
            )));
        });
        let text = read(&path);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 5, "{text}");
        assert!(!text.contains(secret) && !text.contains("书记"), "{text}");
        for line in &lines {
            let stamp = line.split_whitespace().next().unwrap();
            let parsed = chrono::DateTime::parse_from_rfc3339(stamp);
            assert!(parsed.is_ok() && stamp.ends_with('Z'), "{line}");
        }
        let first = lines[0];
        assert!(first.contains(" INFO "), "{first}");
        for field in ["user=alice", "op=set_status", "task=14"] {
            assert!(first.contains(field), "{field} missing in {first}");
        }
        assert!(lines[2].contains("op=edit_goal") && lines[2].contains("task=16"));
        assert!(
            lines[3].contains("op=import") && !lines[3].contains("task="),
            "{}",
            lines[3]
        );
        let refused = lines[4];
        assert!(
            refused.contains(" WARN ") && refused.contains("user=bob"),
            "{refused}"
        );
        assert!(refused.contains("error=ReadOnly"), "{refused}");
    }
}
