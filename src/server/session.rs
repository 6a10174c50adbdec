//! What the CLI and the UI hold instead of a `Ledger`: a `Session`, either the local ledger
//! (nobody else is using the database) or a client of the server that owns it, with the
//! same methods. `connect_or_open` is for commands; `open_shared` is for the UI, which
//! starts a server for everybody when none runs.

use super::client::{Autostart, Client, ClientError, ClientOptions, Subscription};
use crate::import::ImportError;
use crate::ledger::{ImportSummary, Ledger, LedgerError};
use crate::model::{Event, Task};
use crate::ops::{Op, Reply, WrongReply};
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
    #[error(transparent)]
    WrongReply(#[from] WrongReply),
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

    /// Runs one operation: on the database itself, or on the server that owns it.
    pub fn call(&self, op: Op) -> Result<Reply, SessionError> {
        Ok(match self {
            Session::Local(l) => l.apply(op)?,
            Session::Remote(c) => c.call(op)?,
        })
    }

    /// Every task, read a page at a time.
    pub fn all_tasks(&self) -> Result<Vec<Task>, SessionError> {
        let mut all = Vec::new();
        let mut after = None;
        loop {
            let (tasks, next) = self.call(Op::Tasks { after, limit: None })?.into_tasks()?;
            all.extend(tasks);
            match next {
                Some(n) => after = Some(n),
                None => return Ok(all),
            }
        }
    }

    /// A task's whole history, or everyone's, read a page at a time.
    pub fn all_history(&self, task: Option<u32>) -> Result<Vec<Event>, SessionError> {
        let mut all = Vec::new();
        let mut after = None;
        loop {
            let op = Op::History {
                task,
                after,
                limit: None,
            };
            let (events, next) = self.call(op)?.into_history()?;
            all.extend(events);
            match next {
                Some(n) => after = Some(n),
                None => return Ok(all),
            }
        }
    }

    pub fn task(&self, number: u32) -> Result<Task, SessionError> {
        Ok(self.call(Op::Task { number })?.into_task()?)
    }

    pub fn ensure_sample(&self) -> Result<Option<ImportSummary>, SessionError> {
        Ok(self.call(Op::EnsureSample)?.into_sample()?)
    }
}

/// For a command: the server's client when a server runs for `db`, otherwise the database
/// opened directly (and nobody else can open it meanwhile, as before servers). A database
/// that is not this account's is never opened directly (that would skip its access.toml):
/// only its owner's server is used.
pub fn connect_or_open(db: &Path) -> Result<Session, SessionError> {
    if let Some(owner) = super::owner::owner(db).filter(|o| *o != super::owner::me()) {
        return connect_to_owners_server(db, owner);
    }
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
        match open_own(db) {
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
    if let Some(owner) = super::owner::owner(db).filter(|o| *o != super::owner::me()) {
        return connect_to_owners_server(db, owner);
    }
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

/// Opens this account's database, creating a new one owner-only (0700/0600).
fn open_own(db: &Path) -> Result<Ledger, StoreError> {
    let new = !db.exists();
    if new {
        super::owner::create_private(db).map_err(|e| StoreError::Open {
            path: db.to_path_buf(),
            detail: crate::tr!("无法创建：{e}", "cannot create it: {e}"),
        })?;
    }
    let ledger = Ledger::open(db)?;
    if new {
        super::owner::tighten(db);
    }
    Ok(ledger)
}

/// Someone else's database: its owner's server, or a sentence saying none runs (this
/// account starts none for it: its files are not ours to create).
fn connect_to_owners_server(db: &Path, owner: u32) -> Result<Session, SessionError> {
    let options = ClientOptions {
        autostart: None,
        notices_on_stderr: true,
        ..ClientOptions::default()
    };
    match Client::connect(db, options) {
        Ok(c) => Ok(Session::Remote(c)),
        Err(ClientError::NoServer { .. }) => Err(ClientError::Connect {
            db: db.to_path_buf(),
            detail: super::owner::not_served(db, owner),
        }
        .into()),
        Err(e) => Err(e.into()),
    }
}
