//! What the CLI and the UI hold instead of a `Ledger`: a `Session`, either the local ledger
//! (nobody else is using the database) or a client of the server that owns it, with the
//! same methods. `connect_or_open` is for commands; `open_shared` is for the UI, which
//! starts a server for everybody when none runs.

use super::client::{Autostart, Client, ClientError, ClientOptions, Subscription};
use crate::import::ImportError;
use crate::ledger::{ImportSummary, Ledger, LedgerError};
use crate::model::{Domain, Event, Status, Task};
use crate::store::StoreError;
use std::path::Path;
use std::time::{Duration, Instant};

/// How long a command waits for a database that is held but not (yet) served: a starting
/// server holds the lock a moment before its socket answers.
const HELD_WAIT: Duration = Duration::from_secs(3);

pub enum Session {
    Local(Ledger),
    Remote(Client),
}

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error(transparent)]
    Import(#[from] ImportError),
}

impl From<StoreError> for SessionError {
    fn from(e: StoreError) -> Self {
        SessionError::Ledger(e.into())
    }
}

impl Session {
    /// True when a server owns the database (others may be editing too).
    pub fn is_shared(&self) -> bool {
        matches!(self, Session::Remote(_))
    }

    pub fn db(&self) -> &Path {
        match self {
            Session::Local(l) => l.store().path(),
            Session::Remote(c) => c.db(),
        }
    }

    /// Who history records for this session's edits.
    pub fn user(&self) -> String {
        match self {
            Session::Local(l) => l.user().to_string(),
            Session::Remote(c) => c.user(),
        }
    }

    /// False for a user `access.toml` lets only read.
    pub fn can_edit(&self) -> bool {
        match self {
            Session::Local(_) => true,
            Session::Remote(c) => c.can_edit(),
        }
    }

    /// Everyone's edits as they are committed (a local session has no one else).
    pub fn subscribe(&self) -> Result<Option<Subscription>, SessionError> {
        Ok(match self {
            Session::Local(_) => None,
            Session::Remote(c) => Some(c.subscribe()?),
        })
    }

    pub fn tasks(&self) -> Result<Vec<Task>, SessionError> {
        Ok(match self {
            Session::Local(l) => l.tasks()?,
            Session::Remote(c) => c.tasks()?,
        })
    }

    pub fn task(&self, number: u32) -> Result<Task, SessionError> {
        Ok(match self {
            Session::Local(l) => l.task(number)?,
            Session::Remote(c) => c.task(number)?,
        })
    }

    pub fn history(&self, number: Option<u32>) -> Result<Vec<Event>, SessionError> {
        Ok(match self {
            Session::Local(l) => l.history(number)?,
            Session::Remote(c) => c.history(number)?,
        })
    }

    pub fn is_empty(&self) -> Result<bool, SessionError> {
        Ok(self.tasks()?.is_empty())
    }

    pub fn ensure_sample(&self) -> Result<Option<ImportSummary>, SessionError> {
        Ok(match self {
            Session::Local(l) => l.ensure_sample()?,
            Session::Remote(c) => c.ensure_sample()?,
        })
    }

    pub fn set_status(
        &self,
        number: u32,
        status: Status,
        note: Option<&str>,
    ) -> Result<Event, SessionError> {
        Ok(match self {
            Session::Local(l) => l.set_status(number, status, note)?,
            Session::Remote(c) => c.set_status(number, status, note)?,
        })
    }

    pub fn undo(&self, event: &Event) -> Result<Event, SessionError> {
        Ok(match self {
            Session::Local(l) => l.undo(event)?,
            Session::Remote(c) => c.undo(event)?,
        })
    }

    pub fn add_note(&self, number: u32, text: &str) -> Result<Event, SessionError> {
        Ok(match self {
            Session::Local(l) => l.add_note(number, text)?,
            Session::Remote(c) => c.add_note(number, text)?,
        })
    }

    pub fn move_task(&self, number: u32, domain: Domain) -> Result<Event, SessionError> {
        Ok(match self {
            Session::Local(l) => l.move_task(number, domain)?,
            Session::Remote(c) => c.move_task(number, domain)?,
        })
    }

    pub fn edit_goal(&self, number: u32, goal: &str) -> Result<Event, SessionError> {
        Ok(match self {
            Session::Local(l) => l.edit_goal(number, goal)?,
            Session::Remote(c) => c.edit_goal(number, goal)?,
        })
    }

    /// Renames a report period in every task that has it.
    pub fn rename_period(&self, from: &str, to: &str) -> Result<Vec<Event>, SessionError> {
        Ok(match self {
            Session::Local(l) => l.rename_period(from, to)?,
            Session::Remote(c) => c.rename_period(from, to)?,
        })
    }

    /// Imports a report already read from `bytes`: the local ledger takes the report as it
    /// is; a server is sent the bytes and reads them itself.
    pub fn import_report(
        &self,
        report: &crate::import::Report,
        bytes: Vec<u8>,
        period: Option<&str>,
        replace: bool,
    ) -> Result<ImportSummary, SessionError> {
        Ok(match self {
            Session::Local(l) => l.import(report, period, replace)?,
            Session::Remote(c) => c.import_bytes(bytes, &report.source, period, replace)?,
        })
    }

    /// Imports a report file's bytes (`source` names it); the server reads them the way
    /// `duban import` reads a file.
    pub fn import_bytes(
        &self,
        bytes: Vec<u8>,
        source: &str,
        period: Option<&str>,
        replace: bool,
    ) -> Result<ImportSummary, SessionError> {
        Ok(match self {
            Session::Local(l) => {
                let report = crate::import::import_bytes(
                    &bytes,
                    source,
                    &crate::import::Aliases::builtin(),
                )?;
                l.import(&report, period, replace)?
            }
            Session::Remote(c) => c.import_bytes(bytes, source, period, replace)?,
        })
    }
}

/// For a command: the server's client when a server runs for `db`, otherwise the database
/// opened directly (and nobody else can open it meanwhile, as before servers).
pub fn connect_or_open(db: &Path) -> Result<Session, SessionError> {
    let options = ClientOptions {
        // Only to get a server back that dies mid-command; none is started for a command.
        autostart: Autostart::this_program(),
        notices_on_stderr: true,
        ..ClientOptions::default()
    };
    let deadline = Instant::now() + HELD_WAIT;
    loop {
        if super::server_answers(db) {
            match Client::connect(db, options.clone()) {
                Ok(c) => return Ok(Session::Remote(c)),
                Err(ClientError::NoServer { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        match Ledger::open(db) {
            Ok(l) => return Ok(Session::Local(l)),
            Err(StoreError::Locked { .. }) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// For the UI: joins the server for `db`, starting one in the background for everybody
/// when none runs (it exits a while after its last client leaves). Falls back to opening
/// the database directly when no server can be started for it.
pub fn open_shared(db: &Path, autostart: Option<Autostart>) -> Result<Session, SessionError> {
    let Some(autostart) = autostart.or_else(Autostart::this_program) else {
        return connect_or_open(db);
    };
    let deadline = Instant::now() + HELD_WAIT;
    loop {
        match super::ensure_server(db, &autostart) {
            Ok(_) => {
                let options = ClientOptions {
                    autostart: Some(autostart.clone()),
                    ..ClientOptions::default()
                };
                match Client::connect(db, options) {
                    Ok(c) => return Ok(Session::Remote(c)),
                    Err(e @ (ClientError::Refused { .. } | ClientError::Connect { .. })) => {
                        return Err(e.into())
                    }
                    Err(_) => {}
                }
            }
            Err(e @ ClientError::Connect { .. }) => return Err(e.into()),
            Err(_) if Instant::now() < deadline => {}
            Err(_) => return connect_or_open(db),
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
