//! The command line: arguments (clap) and the plain-text face of every ledger operation,
//! for scripts, tests and people without the UI.

use crate::export::{self, Format};
use crate::import::{self, Aliases};
use crate::model::{Domain, Event, Status, Task};
use crate::ops::Op;
use crate::server::session::Session;
use crate::text::Inert;
use crate::units::{unit_summaries, UnitSummary};
use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "duban",
    version,
    about = "督办: follow the year's key work tasks — browse by domain, judge status, export the 通报",
    long_about = "督办 (duban) follows a city government's key work tasks (重点工作任务): import the \
quarterly reports, browse the tasks by domain, set each task's status (未启动 / 正常推进 / \
进度滞后 / 严重滞后 / 已完成) and export the state.\n\nWithout a command it opens the terminal UI. \
On an empty database the first command that needs tasks loads the built-in sample."
)]
pub struct Cli {
    /// The database folder (default: the platform data directory)
    #[arg(long, global = true, env = "DUBAN_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Keymap for the UI: default, vim, emacs, or a TOML file
    #[arg(long, global = true, value_name = "NAME|PATH")]
    pub keymap: Option<String>,
    /// ASCII borders and glyphs, for terminals that draw box characters double-wide
    #[arg(long, global = true)]
    pub ascii: bool,
    /// Let the UI take the mouse (off by default so text can be selected and copied)
    #[arg(long, global = true)]
    pub mouse: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import a report (Word, Excel, a web page or text; its type, layout and encoding are
    /// detected); rows are matched to the tasks already there by number, confirmed by goal
    Import {
        /// The report file: .docx, .xlsx/.xls/.ods/.et, .html, .csv or text (UTF-8, GBK/GB18030, UTF-16)
        file: PathBuf,
        /// The report period (e.g. 2020年第三季度); by default the one the title names, else
        /// one named after a date in the report or the file
        #[arg(long)]
        period: Option<String>,
        /// Start over: remove every task first (history is kept)
        #[arg(long)]
        replace: bool,
        /// Only read the report and show its rows and the lines it could not place; write nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// List tasks grouped by domain
    List {
        /// Only this domain (ecology, livelihood, innovation, reform or 生态, 民生, 创新, 改革)
        #[arg(long)]
        domain: Option<Domain>,
        /// Only this status (not_started, on_track, behind, seriously_behind, done or the Chinese label)
        #[arg(long)]
        status: Option<Status>,
        /// Only tasks this unit leads or shares (any part of its name, written or canonical)
        #[arg(long)]
        unit: Option<String>,
        /// Print JSON (task objects as in `export`)
        #[arg(long)]
        json: bool,
    },
    /// Search tasks by keyword, unit (@单位 or unit:), #number, status:, domain: or pinyin
    Search {
        /// Words combine with AND; Latin letters also match pinyin (hcst, heichou)
        query: String,
        #[arg(long)]
        json: bool,
        /// At most this many results (0 = all)
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Show one task: goal, progress of every period, units, status, notes, history
    Show {
        number: u32,
        #[arg(long)]
        json: bool,
    },
    /// Set a task's status
    Set {
        number: u32,
        /// not_started | on_track | behind | seriously_behind | done (or 未启动 … 已完成, or 1-5)
        status: Status,
        /// A note kept with the change in history
        #[arg(long)]
        note: Option<String>,
    },
    /// Add a note to a task (its 备注 in the 通报); with --edit K or --remove K rewrite or
    /// remove its Kth note instead (`duban show N` numbers them; history keeps the old text)
    Note {
        number: u32,
        /// The note's text (the new text with --edit; none with --remove)
        #[arg(required_unless_present = "remove")]
        text: Option<String>,
        /// Rewrite note K (1 is the first) with TEXT
        #[arg(long, value_name = "K", conflicts_with = "remove")]
        edit: Option<usize>,
        /// Remove note K (1 is the first) from the task's notes, the 通报 and the exports
        #[arg(long, value_name = "K", conflicts_with = "text")]
        remove: Option<usize>,
    },
    /// Move a task to another domain (kept across re-imports)
    Move { number: u32, domain: Domain },
    /// Correct a task's goal text (kept across re-imports)
    Goal { number: u32, text: String },
    /// Undo the last edit of a task — a status, a note added, edited or removed, a goal
    /// correction, a domain move — or, without a number, your own last edit of any task.
    /// Recorded as a new event; undoing an undo puts the edit back
    Undo { number: Option<u32> },
    /// Every unit with its tasks as lead and as co, and how its lead tasks stand
    Units {
        /// Only units leading red or yellow tasks, ranked, each with its tasks and lights
        #[arg(long)]
        lagging: bool,
        #[arg(long)]
        json: bool,
    },
    /// Suggested statuses (序时进度): completion figures of the latest period against the
    /// share of the year elapsed
    Suggest {
        #[arg(long)]
        json: bool,
    },
    /// Accept a task's suggested status (recorded in history with its reason)
    Accept { number: u32 },
    /// Report periods: list them, or rename one (a report whose title named no period is
    /// imported under a date or its file's name)
    Period {
        #[command(subcommand)]
        action: PeriodAction,
    },
    /// Who changed what, when (one task, or all)
    History {
        number: Option<u32>,
        #[arg(long)]
        json: bool,
    },
    /// Export the whole state (json), or the 通报 feedback table (csv, md, xlsx)
    Export {
        #[arg(long, value_enum, default_value = "json")]
        format: Format,
        /// For csv, md and xlsx: the progress of this earlier period (e.g. 2020年上半年)
        #[arg(long)]
        period: Option<String>,
        /// Write to this file instead of standard output
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Share the database: serve it to other duban processes on this machine through a Unix
    /// socket beside it (<db>/duban.sock, owner and group only)
    Serve {
        /// Exit this many seconds after the last client leaves (default: run until stopped)
        #[arg(long, value_name = "SECS")]
        idle_exit: Option<u64>,
    },
    /// Write a consistent copy of every task and all history into DIR as
    /// duban-backup-<UTC time>.json (the export JSON, plus the history of removed tasks);
    /// works while others edit through a server
    Backup {
        /// The folder to write into (created if missing)
        dir: PathBuf,
    },
    /// Rebuild a database from a backup (or a JSON export): every task, and every history
    /// event with its time, user, change and note. Events are numbered anew, in order
    /// (1, 2, 3… in a new database). Refused while a server serves the database
    Restore {
        /// A file `duban backup` wrote
        file: PathBuf,
        /// Restore over the tasks the database has (they are replaced; its history is kept
        /// and the backup's is added after it)
        #[arg(long)]
        force: bool,
    },
    /// Setting up a shared database (run by root or the service account)
    Admin {
        #[command(subcommand)]
        action: AdminAction,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdminAction {
    /// Create a shared database owned by a service account: files only it can read, the
    /// socket for GROUP, access.toml, and systemd's duban.socket + duban.service
    InitShared {
        /// The database folder (absolute), e.g. /srv/duban
        dir: PathBuf,
        /// The staff's Unix group: it may connect; access.toml says who edits
        #[arg(long)]
        group: String,
        /// The account that owns the files and runs the server (default: you)
        #[arg(long)]
        owner: Option<String>,
        /// Where the systemd units are written
        #[arg(long, default_value = "/etc/systemd/system")]
        units: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum PeriodAction {
    /// Every report period with how many tasks have it, oldest first
    List,
    /// Rename a period in every task that has it (e.g. `duban period rename 2022年7月12日 2022年上半年`)
    Rename { old: String, new: String },
}

/// Loads the built-in sample into an empty database, saying so on stderr.
pub fn ensure_tasks(session: &Session) -> Result<()> {
    if let Some(s) = session.ensure_sample()? {
        say(format_args!(
            "duban: the database {} was empty: loaded the built-in sample ({} tasks, {}). Import your own report with `duban import FILE`.",
            session.db().display(),
            s.added.len(),
            s.period
        ));
    }
    Ok(())
}

/// A message on stderr, through the same sanitiser as stdout (it may name a file or quote
/// a report). Like `eprintln!`, a failed write to stderr has nowhere to be told.
pub fn say(message: std::fmt::Arguments) {
    let mut err = Inert::new(std::io::stderr().lock());
    let _ = writeln!(err, "{message}");
}

/// A human-readable export made inert (see `text::inert_lines`), as bytes.
fn inert_text(text: String) -> Vec<u8> {
    match crate::text::inert_lines(&text) {
        std::borrow::Cow::Borrowed(_) => text.into_bytes(),
        std::borrow::Cow::Owned(clean) => clean.into_bytes(),
    }
}

/// For a command: the shared server when one runs for the database, otherwise the database
/// itself.
pub fn open_session(cli: &Cli) -> Result<Session> {
    let path = cli.db.clone().unwrap_or_else(crate::paths::default_db);
    Ok(crate::server::session::connect_or_open(&path)?)
}

/// Runs a subcommand; `None` (no subcommand) is handled by the caller (the UI). Meant for
/// the `duban` binary: the database stays open until the process exits.
pub fn run(cli: &Cli, command: &Command) -> Result<()> {
    if let Command::Serve { idle_exit } = command {
        let path = cli.db.clone().unwrap_or_else(crate::paths::default_db);
        let idle = idle_exit.map(std::time::Duration::from_secs);
        return Ok(crate::server::serve::run(&path, idle)?);
    }
    if let Command::Admin {
        action:
            AdminAction::InitShared {
                dir,
                group,
                owner,
                units,
            },
    } = command
    {
        let setup = crate::server::shared_setup::SharedSetup {
            db: dir.clone(),
            group: group.clone(),
            owner: owner.clone(),
            units: units.clone(),
            exe: std::env::current_exe().context("cannot tell where this duban program is")?,
        };
        let out = &mut Inert::new(std::io::stdout().lock());
        for line in crate::server::shared_setup::init_shared(&setup)? {
            writeln!(out, "{line}")?;
        }
        return Ok(());
    }
    // Every human-readable line goes through `Inert`: report text in it cannot act on the
    // terminal, whichever field a `write!` below forgot to clean. JSON, whose escapes keep
    // it exact, goes to `out.exact()`.
    let out = &mut Inert::new(std::io::stdout().lock());
    if let Command::Import {
        file,
        period,
        replace,
        dry_run,
    } = command
    {
        // The report is read before the database is opened: a dry run never touches it.
        return cmd_import(cli, out, file, period.as_deref(), *replace, *dry_run);
    }
    // Not closed at the end: the process exits right after a command, every write was
    // flushed when it was acknowledged, and tearing down sled's caches costs more than a
    // listing of the sample (the whole process is measured against `task list`).
    let ledger = std::mem::ManuallyDrop::new(open_session(cli)?);
    match command {
        Command::Import { .. } => {
            unreachable!("imported above, without opening the database first")
        }
        Command::List {
            domain,
            status,
            unit,
            json,
        } => {
            ensure_tasks(&ledger)?;
            let tasks = filter_tasks(ledger.all_tasks()?, *domain, *status, unit.as_deref());
            if *json {
                let history = ledger.all_history(None)?;
                print_json_tasks(out.exact()?, &tasks, &history)
            } else {
                print_list(out, &tasks, terminal_width())
            }
        }
        Command::Search { query, json, limit } => {
            ensure_tasks(&ledger)?;
            let tasks = ledger.all_tasks()?;
            let index = crate::search::Index::build(&tasks);
            let never = std::sync::atomic::AtomicBool::new(false);
            let results = index
                .search(&crate::search::Query::parse(query), &never)
                .context("the search was cancelled")?;
            let doc = crate::search::results_json(query, &results, &tasks, *limit);
            if *json {
                writeln!(out.exact()?, "{}", serde_json::to_string_pretty(&doc)?)?;
                return Ok(());
            }
            let items = doc["results"].as_array().cloned().unwrap_or_default();
            if items.is_empty() {
                writeln!(out, "no task matches “{}”", clean(query))?;
                if !results.suggestions.is_empty() {
                    writeln!(
                        out,
                        "nearest unit names: {}",
                        clean(&results.suggestions.join("、"))
                    )?;
                }
            }
            // number(4) glyph+label(10) goal(rest) units(≤30) [field]
            let width = terminal_width();
            let units_w = 30usize.min(width * 3 / 10);
            let goal_w = width
                .saturating_sub(4 + 1 + 10 + 2 + 2 + units_w + 12)
                .max(10);
            for r in &items {
                let number = r["number"].as_u64().unwrap_or(0) as u32;
                if let Some(t) = tasks.iter().find(|t| t.number == number) {
                    let field = r["field"].as_str().unwrap_or("");
                    let lead = crate::units::written(&t.lead_units);
                    // A hit on a co-operating unit names it too, whole: the lead units
                    // give way.
                    let units = match r["text"].as_str().filter(|u| {
                        field == "unit"
                            && !t
                                .lead_units
                                .iter()
                                .any(|l| l.written == *u || l.canonical == *u)
                    }) {
                        Some(u) => {
                            let co = format!("(配合:{})", clean(u));
                            let room = units_w.saturating_sub(crate::text::width(&co));
                            format!("{}{co}", truncate(&lead, room))
                        }
                        None => lead,
                    };
                    writeln!(
                        out,
                        "{:>4} {} {}  {}  {}  [{}]",
                        t.number,
                        t.status.glyph(),
                        pad(t.status.label(), 8),
                        pad(&t.goal, goal_w),
                        pad(&units, units_w),
                        field
                    )?;
                }
            }
            writeln!(out, "{} of {} results", items.len(), results.hits.len())?;
            Ok(())
        }
        Command::Show { number, json } => {
            ensure_tasks(&ledger)?;
            let task = ledger.task(*number)?;
            let history = ledger.all_history(Some(*number))?;
            if *json {
                let refs: Vec<&Event> = history.iter().collect();
                writeln!(
                    out.exact()?,
                    "{}",
                    serde_json::to_string_pretty(&export::TaskJson::new(&task, &refs))?
                )?;
                Ok(())
            } else {
                print_task(out, &task, &history)
            }
        }
        Command::Set {
            number,
            status,
            note,
        } => {
            ensure_tasks(&ledger)?;
            let e = ledger
                .call(Op::set_status(*number, *status, note.as_deref()))?
                .into_event()?;
            writeln!(out, "{}", describe_event(&e))?;
            Ok(())
        }
        Command::Note {
            number,
            text,
            edit,
            remove,
        } => {
            ensure_tasks(&ledger)?;
            let text = text.as_deref().unwrap_or_default();
            let op = match (edit, remove) {
                (_, Some(k)) => Op::remove_note(*number, *k),
                (Some(k), None) => Op::edit_note(*number, *k, text),
                (None, None) => Op::add_note(*number, text),
            };
            let e = ledger.call(op)?.into_event()?;
            writeln!(out, "{}", describe_event(&e))?;
            Ok(())
        }
        Command::Move { number, domain } => {
            ensure_tasks(&ledger)?;
            let op = Op::MoveTask {
                number: *number,
                domain: *domain,
            };
            let e = ledger.call(op)?.into_event()?;
            writeln!(out, "{}", describe_event(&e))?;
            Ok(())
        }
        Command::Goal { number, text } => {
            ensure_tasks(&ledger)?;
            let e = ledger.call(Op::edit_goal(*number, text))?.into_event()?;
            writeln!(out, "{}", describe_event(&e))?;
            Ok(())
        }
        Command::Undo { number } => {
            ensure_tasks(&ledger)?;
            let last = match number {
                Some(n) => last_edit(&ledger.all_history(Some(*n))?, None).with_context(|| {
                    format!("任务 {n} 没有可撤销的修改(状态、备注、目标、领域)")
                })?,
                None => {
                    let user = ledger.user();
                    last_edit(&ledger.all_history(None)?, Some(&user)).with_context(|| {
                        format!(
                            "{} 还没有可撤销的修改(状态、备注、目标、领域)",
                            clean(&user)
                        )
                    })?
                }
            };
            let e = ledger.call(Op::Undo { seq: last })?.into_event()?;
            writeln!(out, "{}", describe_event(&e))?;
            Ok(())
        }
        Command::Units {
            lagging: true,
            json,
        } => {
            ensure_tasks(&ledger)?;
            let units = crate::suggest::lagging_units(&ledger.all_tasks()?, false);
            if *json {
                writeln!(out.exact()?, "{}", serde_json::to_string_pretty(&units)?)?;
            } else {
                write!(out, "{}", crate::suggest::format_lagging(&units, cli.ascii))?;
            }
            Ok(())
        }
        Command::Suggest { json } => {
            ensure_tasks(&ledger)?;
            let tasks = ledger.all_tasks()?;
            let suggestions =
                crate::suggest::suggestions(&tasks, &crate::suggest::Schedule::builtin());
            if *json {
                writeln!(
                    out.exact()?,
                    "{}",
                    serde_json::to_string_pretty(&suggestions)?
                )?;
                return Ok(());
            }
            for (n, sg) in &suggestions {
                let current = tasks.iter().find(|t| t.number == *n).map(|t| t.status);
                writeln!(
                    out,
                    "{:>4}  {} {} → {} {}  {}{}",
                    n,
                    current.map(Status::glyph).unwrap_or(""),
                    current.map(Status::label).unwrap_or(""),
                    sg.status.glyph(),
                    sg.status.label(),
                    sg.reason,
                    if current == Some(sg.status) {
                        "  (already)"
                    } else {
                        ""
                    }
                )?;
            }
            writeln!(
                out,
                "{} of {} tasks have a suggestion; `duban accept N` applies one",
                suggestions.len(),
                tasks.len()
            )?;
            Ok(())
        }
        Command::Accept { number } => {
            ensure_tasks(&ledger)?;
            let task = ledger.task(*number)?;
            let suggestion = crate::suggest::suggest_task(&task, &crate::suggest::Schedule::builtin())
                .with_context(|| format!("task {number} has no suggested status: its latest progress names no completion figure, or its period has no known 序时进度"))?;
            let e = ledger.call(suggestion.accept(*number))?.into_event()?;
            writeln!(out, "{}", describe_event(&e))?;
            Ok(())
        }
        Command::Units {
            lagging: false,
            json,
        } => {
            ensure_tasks(&ledger)?;
            let units = unit_summaries(&ledger.all_tasks()?);
            if *json {
                writeln!(out.exact()?, "{}", serde_json::to_string_pretty(&units)?)?;
                Ok(())
            } else {
                print_units(out, &units)
            }
        }
        Command::Period { action } => {
            ensure_tasks(&ledger)?;
            match action {
                PeriodAction::List => {
                    for (name, n) in period_counts(&ledger.all_tasks()?) {
                        writeln!(out, "{}  {n} tasks", clean(&name))?;
                    }
                }
                PeriodAction::Rename { old, new } => {
                    let events = ledger.call(Op::rename_period(old, new))?.into_events()?;
                    writeln!(
                        out,
                        "renamed period {} → {} in {} tasks",
                        clean(old),
                        clean(new.trim()),
                        events.len()
                    )?;
                }
            }
            Ok(())
        }
        Command::History { number, json } => {
            ensure_tasks(&ledger)?;
            let history = ledger.all_history(*number)?;
            if *json {
                let h: Vec<_> = history
                    .iter()
                    .map(export::HistoryJson::from_event)
                    .collect();
                writeln!(out.exact()?, "{}", serde_json::to_string_pretty(&h)?)?;
            } else {
                for e in &history {
                    writeln!(out, "{}", describe_event(e))?;
                }
                if history.is_empty() {
                    writeln!(out, "no history yet")?;
                }
            }
            Ok(())
        }
        Command::Export {
            format,
            period,
            output,
        } => {
            ensure_tasks(&ledger)?;
            let tasks = ledger.all_tasks()?;
            let period = period.as_deref();
            if let Some(p) = period {
                if !tasks.iter().any(|t| t.periods.iter().any(|x| x.name == p)) {
                    anyhow::bail!(
                        "no task has a period named {p}; `duban show N` lists a task's periods"
                    );
                }
            }
            let bytes = match format {
                Format::Json => {
                    if period.is_some() {
                        anyhow::bail!(
                            "--period is for csv, md and xlsx; the JSON export holds every period"
                        );
                    }
                    (export::to_json(&tasks, &ledger.all_history(None)?) + "\n").into_bytes()
                }
                // Made inert wherever they go: a `cat` of the file is a terminal too. Their
                // text is for reading; the exact text is in the JSON.
                Format::Csv => inert_text(export::to_csv(&tasks, period)),
                Format::Md => inert_text(crate::xlsx::markdown_tongbao(&tasks, period)),
                Format::Xlsx => {
                    if output.is_none() {
                        anyhow::bail!("xlsx is a binary file: give --output FILE.xlsx");
                    }
                    crate::xlsx::tongbao_bytes(&tasks, period)
                        .context("cannot build the xlsx workbook")?
                }
            };
            match output {
                Some(path) => {
                    // The old file is replaced only once the new one is whole.
                    crate::atomic::write(path, &bytes)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    say(format_args!(
                        "duban: wrote {} tasks to {}",
                        tasks.len(),
                        path.display()
                    ));
                }
                None if *format == Format::Json => out.exact()?.write_all(&bytes)?,
                None => out.write_all(&bytes)?,
            }
            Ok(())
        }
        Command::Serve { .. } | Command::Admin { .. } => {
            unreachable!("served above, without opening the ledger")
        }
        Command::Backup { dir } => cmd_backup(&ledger, out, dir),
        Command::Restore { file, force } => cmd_restore(&ledger, out, file, *force),
    }
}

/// The sequence number of the newest edit `duban undo` reverts in `history` (by `user`
/// when given): a status, note, goal or domain edit, an undo included (so that undoing
/// twice puts the edit back).
pub fn last_edit(history: &[Event], user: Option<&str>) -> Option<u64> {
    history
        .iter()
        .rev()
        .filter(|e| user.is_none_or(|u| e.user == u))
        .find(|e| e.change.is_undoable())
        .map(|e| e.seq)
}

fn cmd_import(
    cli: &Cli,
    out: &mut impl Write,
    file: &std::path::Path,
    period: Option<&str>,
    replace: bool,
    dry_run: bool,
) -> Result<()> {
    use crate::import::preview;
    // Read (and refused if it is no report file) before the database is opened.
    let bytes = import::limits::read_report_file(file)?;
    let source = file.display().to_string();
    if dry_run {
        let report = import::import_bytes(&bytes, &source, &Aliases::builtin())?;
        let facts = crate::ledger::ReportFacts::of(&report, period);
        print_report_facts(out, file, &facts)?;
        print_preview(out, &preview::rows(&report), terminal_width())?;
        if let Some(a) = &facts.advice {
            writeln!(out, "{}: {}", file.display(), clean(a))?;
        }
        writeln!(out, "dry run: nothing was written")?;
        return Ok(());
    }
    let session = open_session(cli)?;
    // The ledger reads the report and matches its rows to the tasks already there (on the
    // server, when one runs): what is printed below is what it did.
    let summary = session
        .call(Op::import(bytes, &source, period, replace))?
        .into_imported()?;
    let facts = &summary.report;
    print_report_facts(out, file, facts)?;
    for m in summary.matching.messages() {
        if !m.contains("not in this report") {
            writeln!(out, "{}: {}", file.display(), clean(&m))?;
        }
    }
    writeln!(
        out,
        "imported {} tasks as period {}: {} new, {} updated{}{}; {} line{} not placed",
        summary.added.len() + summary.updated.len(),
        clean(&summary.period),
        summary.added.len(),
        summary.updated.len(),
        match summary.matching.conflicts().count() {
            0 => String::new(),
            n => format!("; {n} rows conflict with existing tasks and were left out"),
        },
        if summary.absent.is_empty() {
            String::new()
        } else {
            format!(
                "; {} tasks in the database are not in this report and were kept: {}",
                summary.absent.len(),
                summary
                    .absent
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        },
        facts.unplaced.len(),
        if facts.unplaced.len() == 1 { "" } else { "s" },
    )?;
    if summary.matching.conflicts().count() * 2 > facts.rows {
        writeln!(
            out,
            "most rows of this report have the numbers of other tasks: if it is a new year's list of tasks, import it with --replace (the history is kept)"
        )?;
    }
    if summary.replaced_sample {
        writeln!(
            out,
            "the database held only the built-in sample; this report replaced it (the sample's history is kept)"
        )?;
    }
    if let Some(a) = &facts.advice {
        writeln!(out, "{}: {}", file.display(), clean(a))?;
    }
    Ok(())
}

/// What reading the report found: the headline, lines not placed, rows worth a look.
fn print_report_facts(
    out: &mut impl Write,
    file: &std::path::Path,
    facts: &crate::ledger::ReportFacts,
) -> Result<()> {
    writeln!(out, "{}", clean(&facts.headline))?;
    for u in &facts.unplaced {
        writeln!(
            out,
            "{}:{}: not placed ({}): {}",
            file.display(),
            u.line,
            clean(&u.reason),
            clean(&u.text)
        )?;
    }
    for w in &facts.warnings {
        let text = if w.text.is_empty() {
            String::new()
        } else {
            format!(": {}", clean(&w.text))
        };
        writeln!(
            out,
            "{}:{}: note: {}{text}",
            file.display(),
            w.line,
            clean(&w.reason),
        )?;
    }
    Ok(())
}

/// The rows an import would bring, one line each: number, goal, the first words of the
/// progress, lead units, co units, cut to the terminal's width.
fn print_preview(
    out: &mut impl Write,
    rows: &[import::preview::PreviewRow],
    width: usize,
) -> Result<()> {
    let width = width.max(60);
    let rest = width - 6 - 4;
    let goal_w = rest * 3 / 10;
    let progress_w = rest * 3 / 10;
    let lead_w = rest * 2 / 10;
    let co_w = rest - goal_w - progress_w - lead_w;
    writeln!(
        out,
        "  序号 {} {} {} {}",
        pad("目标与任务", goal_w),
        pad("工作进展", progress_w),
        pad("牵头单位", lead_w),
        truncate("责任单位", co_w)
    )?;
    for r in rows {
        let progress = match r.paragraphs {
            0 | 1 => r.progress.clone(),
            n => format!("({n}段) {}", r.progress),
        };
        writeln!(
            out,
            "{:>6} {} {} {} {}",
            r.number,
            pad(&clean(&r.goal), goal_w),
            pad(&clean(&progress), progress_w),
            pad(&clean(&r.lead), lead_w),
            truncate(&clean(&r.co), co_w)
        )?;
    }
    Ok(())
}

/// Report text as the terminal may show it: control characters as blanks.
fn clean(text: &str) -> String {
    crate::text::clean(text)
}

/// Each period name with how many tasks have it, in the order periods first appear (tasks
/// keep their periods oldest first).
fn period_counts(tasks: &[Task]) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for p in tasks.iter().flat_map(|t| &t.periods) {
        match out.iter_mut().find(|(n, _)| *n == p.name) {
            Some((_, count)) => *count += 1,
            None => out.push((p.name.clone(), 1)),
        }
    }
    out
}

pub fn filter_tasks(
    tasks: Vec<Task>,
    domain: Option<Domain>,
    status: Option<Status>,
    unit: Option<&str>,
) -> Vec<Task> {
    let unit = unit.map(crate::import::units::normalize);
    tasks
        .into_iter()
        .filter(|t| domain.is_none_or(|d| t.domain == d))
        .filter(|t| status.is_none_or(|s| t.status == s))
        .filter(|t| {
            unit.as_deref().is_none_or(|u| {
                t.lead_units.iter().chain(&t.co_units).any(|x| {
                    x.canonical.contains(u)
                        || crate::import::units::normalize(&x.written).contains(u)
                })
            })
        })
        .collect()
}

fn print_json_tasks(out: &mut impl Write, tasks: &[Task], history: &[Event]) -> Result<()> {
    let v: serde_json::Value = serde_json::from_str(&export::to_json(tasks, history))?;
    writeln!(out, "{}", serde_json::to_string_pretty(&v["tasks"])?)?;
    Ok(())
}

fn terminal_width() -> usize {
    use std::io::IsTerminal;
    // Not a terminal (a pipe, a file): crossterm would ask `tput` in a subprocess, which
    // costs more than the whole listing; `COLUMNS` or 100 will do.
    let width = if std::io::stdout().is_terminal() {
        crossterm::terminal::size().map(|(w, _)| w as usize).ok()
    } else {
        std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok())
    };
    width.filter(|w| *w >= 40).unwrap_or(100)
}

/// Cuts `text` to at most `width` display columns, marking a cut with `…`.
pub fn truncate(text: &str, width: usize) -> String {
    crate::text::truncate(&clean(text), width, "…")
}

fn pad(text: &str, width: usize) -> String {
    crate::text::fit(&clean(text), width, "…")
}

fn print_list(out: &mut impl Write, tasks: &[Task], width: usize) -> Result<()> {
    if tasks.is_empty() {
        writeln!(out, "no tasks match")?;
        return Ok(());
    }
    // number(4) glyph+label(12) goal(rest) lead(20)
    let lead_w = 20usize.min(width / 4);
    let goal_w = width.saturating_sub(4 + 1 + 12 + 2 + lead_w).max(10);
    for d in Domain::ALL {
        let in_domain: Vec<&Task> = tasks.iter().filter(|t| t.domain == d).collect();
        if in_domain.is_empty() {
            continue;
        }
        writeln!(out, "{} {} ({} tasks)", d.label(), d.id(), in_domain.len())?;
        for t in in_domain {
            let lead = t
                .lead_units
                .first()
                .map(|u| u.written.as_str())
                .unwrap_or("");
            let more = if t.lead_units.len() > 1 { "等" } else { "" };
            writeln!(
                out,
                "{:>4} {} {}  {}  {}",
                t.number,
                t.status.glyph(),
                pad(t.status.label(), 10),
                pad(&t.goal, goal_w),
                truncate(&format!("{lead}{more}"), lead_w)
            )?;
        }
        writeln!(out)?;
    }
    writeln!(out, "{} tasks", tasks.len())?;
    Ok(())
}

fn print_task(out: &mut impl Write, t: &Task, history: &[Event]) -> Result<()> {
    writeln!(
        out,
        "任务 {}  {} {} ({})",
        t.number,
        t.status.glyph(),
        t.status.label(),
        t.status.id()
    )?;
    writeln!(
        out,
        "领域 {} {} — rule {}: {}",
        t.domain.label(),
        t.domain.id(),
        clean(&t.domain_decision.rule),
        clean(&t.domain_decision.reason)
    )?;
    // Everything that came from a report or a person is cleaned of control characters.
    if let Some(s) = &t.section {
        writeln!(out, "章节 {}", clean(s))?;
    }
    writeln!(out, "\n目标与任务\n  {}", clean(&t.goal))?;
    for p in t.periods.iter().rev() {
        writeln!(out, "\n工作进展 {}", clean(&p.name))?;
        for para in &p.paragraphs {
            writeln!(out, "  {}", clean(para))?;
        }
    }

    writeln!(
        out,
        "\n牵头责任单位 {}",
        crate::units::with_canonical(&t.lead_units)
    )?;
    writeln!(
        out,
        "责任单位     {}",
        crate::units::with_canonical(&t.co_units)
    )?;
    if !t.notes.is_empty() {
        writeln!(out, "\n备注")?;
        for (i, n) in t.notes.iter().enumerate() {
            writeln!(
                out,
                "  {}. {} {}: {}",
                i + 1,
                local_time(&n.at),
                clean(&n.user),
                clean(&n.text)
            )?;
        }
    }
    writeln!(out, "\n历史")?;
    for e in history {
        writeln!(out, "  {}", describe_event(e))?;
    }
    Ok(())
}

pub fn local_time(at: &chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&chrono::Local)
        .format("%Y-%m-%d %H:%M:%S %:z")
        .to_string()
}

/// One line saying who did what to which task, when.
pub fn describe_event(e: &Event) -> String {
    format!("{}  {}", local_time(&e.at), crate::words::who_did(e, "→"))
}

fn print_units(out: &mut impl Write, units: &[UnitSummary]) -> Result<()> {
    writeln!(
        out,
        "{}  lead  co   {} {} {} {} {}",
        pad("unit 单位", 30),
        Status::SeriouslyBehind.glyph(),
        Status::Behind.glyph(),
        Status::OnTrack.glyph(),
        Status::NotStarted.glyph(),
        Status::Done.glyph()
    )?;
    for u in units {
        writeln!(
            out,
            "{}  {:>4} {:>3}   {} {} {} {} {}",
            pad(&u.unit, 30),
            u.lead,
            u.co,
            u.lead_seriously_behind,
            u.lead_behind,
            u.lead_on_track,
            u.lead_not_started,
            u.lead_done
        )?;
    }
    writeln!(
        out,
        "{} units; columns after lead/co count lead tasks that are {} {} {} {} {}",
        units.len(),
        Status::SeriouslyBehind.label(),
        Status::Behind.label(),
        Status::OnTrack.label(),
        Status::NotStarted.label(),
        Status::Done.label()
    )?;
    Ok(())
}

/// Without a subcommand: the terminal UI, on the sample if the database is empty. The UI
/// joins the database's server, starting one for everybody when none runs, so the people
/// on it see each other's edits live.
pub fn run_ui(cli: &Cli) -> Result<()> {
    // Before a database is opened or a server started for a screen that cannot be drawn.
    if let Some(why) = crate::ui::terminal::check() {
        anyhow::bail!(why);
    }
    let path = cli.db.clone().unwrap_or_else(crate::paths::default_db);
    let session = crate::server::session::open_shared(&path, None)?;
    // Short enough for 80 columns: the path is in `duban --help`, the import in the README.
    let startup_message = session.ensure_sample()?.map(|s| {
        format!(
            "数据库是空的：已载入示例（{} 项任务，{}）",
            s.added.len(),
            s.period
        )
    });
    crate::ui::run(
        session,
        crate::ui::UiOptions {
            keymap: cli.keymap.clone(),
            ascii: cli.ascii,
            mouse: cli.mouse,
            startup_message,
        },
    )
}

/// `duban backup DIR`: reads the database a page at a time through the session (a server's
/// when one serves it), consistent or not written at all.
fn cmd_backup(session: &Session, out: &mut impl Write, dir: &std::path::Path) -> Result<()> {
    use crate::server::snapshot;
    let taken = snapshot::take(|op| session.call(op))?;
    let name = snapshot::backup_name(chrono::Utc::now());
    let path = snapshot::write_file(dir, &name, &taken.json)?;
    writeln!(
        out,
        "backed up {} tasks and {} history events of {} to {}",
        taken.tasks,
        taken.events,
        session.db().display(),
        path.display()
    )?;
    Ok(())
}

/// `duban restore FILE`: only into a database this process opened itself (a server's
/// ledger refuses `Op::Restore` too).
fn cmd_restore(
    session: &Session,
    out: &mut impl Write,
    file: &std::path::Path,
    force: bool,
) -> Result<()> {
    use crate::server::snapshot;
    if session.is_shared() {
        anyhow::bail!(
            "a server serves {}; a backup is restored only into a database no one is using. Restore into a new database with --db NEW, or stop the server first.",
            session.db().display()
        );
    }
    let meta =
        std::fs::metadata(file).with_context(|| format!("cannot read {}", file.display()))?;
    if !meta.is_file() {
        anyhow::bail!("{} is not a regular file", file.display());
    }
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let backup = snapshot::parse(file, &bytes)?;
    drop(bytes);
    let (tasks, events) = session
        .call(Op::Restore {
            tasks: backup.tasks,
            events: backup.events,
            force,
        })?
        .into_restored()?;
    writeln!(
        out,
        "restored {tasks} tasks and {events} history events from {} into {} (events numbered anew, in order)",
        file.display(),
        session.db().display()
    )?;
    Ok(())
}
