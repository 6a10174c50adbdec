//! The real UI in a pseudo-terminal, fed bytes as a slow SSH link delivers them: several
//! keys in one read, so crossterm's own decoder reads `Esc j` as Alt-j. Every key must act
//! on the task on screen when it was typed: a judgement never lands on the wrong task, and
//! leaving right after a judgement never drops it.

use crate::common::{duban, duban_cmd, export_json, task, temp_db};
use std::io::{Read, Write};
use std::os::fd::OwnedFd;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long the test waits for the UI to draw or to leave: generous, a loaded machine is
/// slow; nothing is asserted about how long it took.
const PATIENCE: Duration = Duration::from_secs(60);

/// The UI running on a pseudo-terminal of 80×24, its output collected.
struct Ui {
    child: Child,
    master: std::fs::File,
    seen: Arc<Mutex<Vec<u8>>>,
}

impl Ui {
    fn start(db: &Path) -> Ui {
        let size = nix::pty::Winsize {
            ws_row: 24,
            ws_col: 80,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        let pty = nix::pty::openpty(Some(&size), None).expect("a pseudo-terminal");
        let slave: OwnedFd = pty.slave;
        let mut cmd = duban_cmd(db);
        cmd.env("TERM", "xterm-256color")
            .stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(Stdio::from(slave.try_clone().unwrap()))
            .stderr(Stdio::from(slave));
        // Its own session with the pty as controlling terminal, so /dev/tty is the pty.
        unsafe {
            cmd.pre_exec(|| {
                if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY as _, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().expect("the UI starts");
        let master = std::fs::File::from(pty.master);
        let seen = Arc::new(Mutex::new(Vec::new()));
        let mut reader = master.try_clone().unwrap();
        let sink = Arc::clone(&seen);
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Ui {
            child,
            master,
            seen,
        }
    }

    /// Waits until the output so far contains `text`.
    fn wait_for(&self, text: &str) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let seen = String::from_utf8_lossy(&self.seen.lock().unwrap()).into_owned();
            if seen.contains(text) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the UI never showed {text:?}: {seen:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends bytes in one write, as one read of the terminal will see them.
    fn type_at_once(&mut self, bytes: &[u8]) {
        self.master.write_all(bytes).expect("keys sent");
        self.master.flush().unwrap();
    }

    /// Waits for the UI to leave by itself; its exit status.
    fn wait_exit(&mut self) -> std::process::ExitStatus {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            if Instant::now() >= deadline {
                let _ = self.child.kill();
                let seen = String::from_utf8_lossy(&self.seen.lock().unwrap()).into_owned();
                panic!("the UI did not leave after q on the list: {seen:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Ui {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The server the UI started for the database is stopped (it would leave by itself a minute
/// after its last client).
fn stop_server(db: &Path) {
    let socket = duban::server::serve::socket_path(db);
    if let Ok(s) = std::os::unix::net::UnixStream::connect(&socket) {
        if let Ok(cred) =
            nix::sys::socket::getsockopt(&s, nix::sys::socket::sockopt::PeerCredentials)
        {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(cred.pid()),
                nix::sys::signal::Signal::SIGTERM,
            );
        }
    }
}

fn status(db: &Path, number: u64) -> String {
    task(&export_json(db), number)["status"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn esc_j_enter_4_typed_at_once_judges_the_next_task_and_q_q_keeps_it() {
    let (_dir, db) = temp_db();
    duban(&db, &["list"]).ok(); // the sample
    let before1 = status(&db, 1);
    assert_ne!(status(&db, 2), "seriously_behind");

    let mut ui = Ui::start(&db);
    ui.wait_for("全部");
    // Task 1's detail, then — in one read — back, down, open task 2, judge it, back, quit.
    ui.type_at_once(b"\r");
    ui.wait_for("#1");
    ui.type_at_once(b"\x1bj\r4qq");
    let exit = ui.wait_exit();
    assert!(exit.success(), "the UI left cleanly: {exit:?}");
    stop_server(&db);

    assert_eq!(
        status(&db, 2),
        "seriously_behind",
        "4 judged the task opened by Esc j Enter"
    );
    assert_eq!(status(&db, 1), before1, "the task left was not judged");
}

#[test]
fn an_alt_key_is_esc_then_the_key_unless_the_keymap_binds_it() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use duban::ui::event::presses;
    let state = |name| {
        duban::ui::app::State::new(
            Vec::new(),
            Vec::new(),
            duban::ui::keymap::Keymap::load(Some(name), None).0,
            duban::ui::theme::Theme::mono(false),
            (80, 24),
        )
    };
    let esc = KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE);
    let alt_j = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::ALT);
    let j = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE);
    assert_eq!(presses(&state("default"), &alt_j), vec![esc, j]);
    assert_eq!(presses(&state("default"), &j), vec![j]);
    // Emacs binds Alt-> (bottom): Esc > typed at once keeps that meaning.
    let alt_gt = KeyEvent::new(KeyCode::Char('>'), KeyModifiers::ALT);
    assert_eq!(presses(&state("emacs"), &alt_gt), vec![alt_gt]);
    let gt = KeyEvent::new(KeyCode::Char('>'), KeyModifiers::NONE);
    assert_eq!(presses(&state("default"), &alt_gt), vec![esc, gt]);
}
