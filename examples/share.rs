//! A stand-in face for sharing until the UI is wired to the server: `watch` shows task
//! statuses and redraws the moment anyone's edit is committed; `set` makes an edit. Both
//! join the database's server, starting one in the background when none runs (as the UI
//! will). Used by scripts/ssh-e2e.sh.
//!
//! `share --db PATH watch` · `share --db PATH set NUMBER STATUS [NOTE]` ·
//! `share --db PATH history NUMBER`
//! The server is started from `$DUBAN_EXE` (default: `duban` beside this program).

use anyhow::{bail, Context, Result};
use duban::cli::{describe_event, truncate};
use duban::model::{Event, Status, Task};
use duban::server::{open_shared, Autostart, Live, Session};
use std::path::PathBuf;
use std::time::Duration;

const USAGE: &str = "usage: share --db PATH watch | set NUMBER STATUS [NOTE] | history NUMBER";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (db, rest) = match args.as_slice() {
        [flag, db, rest @ ..] if flag == "--db" => (PathBuf::from(db), rest),
        _ => bail!(USAGE),
    };
    let exe = std::env::var_os("DUBAN_EXE")
        .map(PathBuf::from)
        .or_else(|| Some(std::env::current_exe().ok()?.parent()?.join("duban")))
        .context("cannot tell where duban is; set DUBAN_EXE")?;
    let autostart = Autostart {
        exe,
        idle_exit: Duration::from_secs(60),
    };
    let session = open_shared(&db, Some(autostart))?;
    match rest {
        [cmd] if cmd == "watch" => watch(&session),
        [cmd, number, status, note @ ..] if cmd == "set" => {
            let number: u32 = number.parse().context("NUMBER is a task number")?;
            let status: Status = status.parse()?;
            let e = session.set_status(number, status, note.first().map(String::as_str))?;
            println!("{}", describe_event(&e));
            Ok(())
        }
        [cmd, number] if cmd == "history" => {
            let number: u32 = number.parse().context("NUMBER is a task number")?;
            for e in session.history(Some(number))? {
                println!("{}", describe_event(&e));
            }
            Ok(())
        }
        _ => bail!(USAGE),
    }
}

fn watch(session: &Session) -> Result<()> {
    let mut tasks = session.tasks()?;
    let mut sub = session.subscribe()?;
    let mut last: Option<String> = None;
    loop {
        draw(session, &tasks, last.as_deref());
        let Some(s) = sub.as_mut() else {
            bail!("the database is open here alone (no server), so nothing changes elsewhere");
        };
        match futures::executor::block_on(s.next()) {
            Some(Live::Event(e)) => {
                apply(&mut tasks, &e);
                last = Some(describe_event(&e));
            }
            Some(Live::Disconnected { reason }) => {
                last = Some(format!("the server went away ({reason}); reconnecting…"))
            }
            Some(Live::Reconnected) => last = Some("connected to the server again".into()),
            None => return Ok(()),
        }
    }
}

fn apply(tasks: &mut [Task], e: &Event) {
    if let duban::model::Change::Status { to, .. } = e.change {
        if let Some(t) = tasks.iter_mut().find(|t| t.number == e.task) {
            t.status = to;
        }
    }
}

fn draw(session: &Session, tasks: &[Task], last: Option<&str>) {
    let mut out = String::from("\x1b[H\x1b[2J");
    out += &format!(
        "duban (shared: {}) — {} ({})\n\n",
        session.is_shared(),
        session.user(),
        if session.can_edit() {
            "edits"
        } else {
            "reads only"
        }
    );
    for t in tasks.iter().take(16) {
        let label = t.status.label();
        let fill = " ".repeat(10 - unicode_width::UnicodeWidthStr::width(label));
        out += &format!(
            "{:>4} {} {label}{fill}{}\n",
            t.number,
            t.status.glyph(),
            truncate(&t.goal, 44)
        );
    }
    out += &format!("\n最近 {}\n", last.unwrap_or("—"));
    print!("{out}");
    use std::io::Write;
    let _ = std::io::stdout().flush();
}
