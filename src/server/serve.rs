//! `duban serve`: owns the sled database and serves it on a Unix socket beside it
//! (`<db>/duban.sock`, mode 0660, owner and group only; nothing listens on TCP). Reads are
//! answered from the store; edits go to the group commit; committed events go to every
//! subscribed connection. Stops on SIGTERM/SIGINT/SIGHUP, or `idle_exit` after the last
//! client leaves.

use super::access::{self, Access};
use super::activation;
use super::commit::{CommitStats, Committer, Job, Submitter};
use super::log;
use super::peer::Peer;
use super::protocol::{self, ClientMessage, ErrorKind, Op, RemoteError, Reply, ServerMessage};
use crate::classify::DomainRules;
use crate::model::Event;
use crate::store::{SledStore, Store, StoreError};
use futures::{SinkExt, StreamExt};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{broadcast, mpsc, watch};
use tokio_util::codec::{FramedRead, FramedWrite};

/// The longest path a Unix socket address holds on Linux (`sun_path` less its NUL).
const MAX_SOCKET_PATH: usize = 107;
/// How long a new connection may take to say Hello.
const HELLO_TIMEOUT: Duration = Duration::from_secs(10);
/// Events buffered per subscriber before it is caught up from history instead.
const LIVE_BUFFER: usize = 4096;
/// Requests of one connection being answered at once; past it the server stops reading
/// that connection until an answer is out (a client that sends and never reads costs a
/// bounded amount, not the server's memory).
const MAX_IN_FLIGHT: usize = 16;
/// Answers waiting for one connection's client to read them (each at most a page, 4 MB).
const OUT_QUEUE: usize = 8;
/// Read answers (each at most a page, 4 MB) one connection may have between reading the
/// store and the answer's last byte on the socket: a client that reads nothing holds at
/// most this many pages of the server's memory (and, with the connection cap, one person
/// at most 32 × 4 pages), and slows only itself.
const READS_PER_CONNECTION: usize = 4;
/// Connections one person (uid) may hold at once: a UI holds one, a command one while it
/// runs; dozens of windows are still far below.
pub const MAX_CONNECTIONS_PER_USER: usize = 32;
/// Connections the server holds at once, whoever they are from (kept well under the
/// process's descriptor limit, so the database and the log always have descriptors).
const MAX_CONNECTIONS: usize = 512;
/// A connection that neither asks nor listens (no request in flight, no subscription) for
/// this long is closed; its client reconnects when it needs the server again.
const IDLE_CONNECTION: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    /// Exit this long after the last client leaves (`None`: run until stopped).
    pub idle_exit: Option<Duration>,
    /// Stop on SIGTERM, SIGINT and SIGHUP (the command does; an in-process server doesn't).
    pub signals: bool,
    /// Log connections and resends (`duban serve` does; the log's filter, `DUBAN_LOG`,
    /// decides what is written). Requests are logged either way.
    pub verbose: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("{}", crate::tr!(
        "已有 duban 服务在为 {} 提供服务（pid {pid}）；duban 会自行使用它，无需再做什么。",
        "a duban server is already serving {} (pid {pid}); duban uses it by itself, there is nothing to do.",
        db.display(),
        pid = .pid
    ))]
    AlreadyServed { db: PathBuf, pid: String },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{}", crate::tr!(
        "套接字路径 {} 长 {len} 字节，超过 Unix 套接字的上限（{MAX_SOCKET_PATH}）；请把数据库放在较短的路径下。",
        "the socket path {} is {len} bytes, longer than a Unix socket allows ({MAX_SOCKET_PATH}); put the database at a shorter path.",
        path.display(),
        len = .len
    ))]
    PathTooLong { path: PathBuf, len: usize },
    #[error("{}", crate::tr!(
        "无法建立套接字 {}：{detail}",
        "cannot create the socket {}: {detail}",
        path.display(),
        detail = .detail
    ))]
    Socket { path: PathBuf, detail: String },
    #[error("{0}")]
    Access(#[from] access::AccessError),
    #[error("{}", crate::tr!(
        "无法启动服务的运行环境：{}",
        "cannot start the server's runtime: {}",
        .0
    ))]
    Runtime(std::io::Error),
    #[error("{}", crate::tr!(
        "{} 属于 {owner}，只有 {owner} 的服务能为它提供服务（{me} 的服务会建立 {owner} 读不了的文件，还可能绕过它的 access.toml）。请以 {owner} 身份运行 `duban serve`；共享部署时由 systemd 的 duban.service 运行。",
        "{} belongs to {owner}; only {owner}'s server may serve it (a server of {me} would create files {owner} cannot read, and could skip its access.toml). Run `duban serve` as {owner}; in the shared set-up systemd's duban.service does.",
        db.display(),
        owner = .owner,
        me = .me
    ))]
    NotOwner {
        db: PathBuf,
        owner: String,
        me: String,
    },
}

/// The socket of the database at `db`.
pub fn socket_path(db: &Path) -> PathBuf {
    db.join(protocol::SOCKET_NAME)
}

/// A database opened and a socket bound: everything that can fail before serving.
pub struct Bound {
    db: PathBuf,
    socket: PathBuf,
    /// The listening socket was handed over by systemd (socket activation): it is
    /// systemd's to remove, not ours.
    activated: bool,
    store: Arc<SledStore>,
    listener: std::os::unix::net::UnixListener,
    /// How the group commit goes (batches, edits), shared with whoever asks.
    pub stats: Arc<CommitStats>,
}

impl Bound {
    /// Opens the database (taking sled's lock, which makes this the only server) and binds
    /// its socket with mode 0660.
    pub fn new(db: &Path) -> Result<Bound, ServeError> {
        let socket = socket_path(db);
        let len = socket.as_os_str().len();
        if len > MAX_SOCKET_PATH {
            return Err(ServeError::PathTooLong { path: socket, len });
        }
        if let Some(owner) = super::owner::owner(db).filter(|o| *o != super::owner::me()) {
            return Err(ServeError::NotOwner {
                db: db.to_path_buf(),
                owner: super::owner::name(owner),
                me: super::owner::name(super::owner::me()),
            });
        }
        let store = match SledStore::open(db) {
            // The group commit syncs sled's log once per batch (commit.rs).
            Ok(s) => s.without_sync_on_commit(),
            Err(StoreError::Locked { path, holder }) => {
                // Say who holds it when it is a server.
                if let Ok(s) = std::os::unix::net::UnixStream::connect(&socket) {
                    let pid = nix::sys::socket::getsockopt(
                        &s,
                        nix::sys::socket::sockopt::PeerCredentials,
                    )
                    .map(|c| c.pid().to_string())
                    .unwrap_or_else(|_| "unknown".into());
                    return Err(ServeError::AlreadyServed {
                        db: db.to_path_buf(),
                        pid,
                    });
                }
                return Err(StoreError::Locked { path, holder }.into());
            }
            Err(e) => return Err(e.into()),
        };
        // Fail now, not at the first connection, on a broken access.toml.
        access::AccessConfig::load(db)?;
        let (listener, activated) = match activation::inherited_listener() {
            Some(l) => (l, true),
            None => (bind_private(db, &socket)?, false),
        };
        Ok(Bound {
            db: db.to_path_buf(),
            socket,
            activated,
            store: Arc::new(store),
            listener,
            stats: Arc::default(),
        })
    }

    pub fn socket(&self) -> &Path {
        &self.socket
    }

    /// Serves until `stop` resolves, a signal (with `options.signals`) or the idle timeout.
    pub async fn serve(
        self,
        options: ServeOptions,
        stop: impl std::future::Future<Output = ()>,
    ) -> Result<(), ServeError> {
        let Bound {
            db,
            socket,
            activated,
            store,
            listener,
            stats,
        } = self;
        listener
            .set_nonblocking(true)
            .map_err(|e| socket_err(&socket, e))?;
        let listener = UnixListener::from_std(listener).map_err(|e| socket_err(&socket, e))?;
        let (events, _) = broadcast::channel(LIVE_BUFFER);
        let committer = match Committer::start(
            store.clone(),
            DomainRules::builtin(),
            events.clone(),
            stats,
            options.verbose,
        ) {
            Ok(c) => c,
            Err(e) => {
                // Nothing was served: take the socket down before saying why.
                if !activated {
                    let _ = std::fs::remove_file(&socket);
                }
                return Err(e.into());
            }
        };
        let (clients_tx, clients_rx) = watch::channel(0usize);
        let shared = Arc::new(Shared {
            connections: std::sync::Mutex::new(std::collections::HashMap::new()),
            uploading: AtomicUsize::new(0),
            db: db.clone(),
            store: store.clone(),
            submit: committer.submitter(),
            events,
            clients: clients_tx,
            verbose: options.verbose,
        });
        if options.verbose {
            tracing::info!(
                pid = std::process::id(),
                version = %env!("CARGO_PKG_VERSION"),
                "serving {} on {}",
                db.display(),
                socket.display()
            );
        }
        let reason = {
            let stop = std::pin::pin!(stop);
            let signals = std::pin::pin!(signals(options.signals));
            let idle = std::pin::pin!(idle(options.idle_exit, clients_rx));
            let accept = std::pin::pin!(accept_loop(listener, shared.clone()));
            tokio::select! {
                _ = stop => "stopped",
                s = signals => s,
                _ = idle => "idle",
                _ = accept => "the socket failed",
            }
        };
        // The socket goes first, while the lock is still held, so that no new server can
        // bind in between and lose its socket to us. A socket systemd made stays: systemd
        // listens on it and starts the next server on the next connection.
        if !activated {
            let _ = std::fs::remove_file(&socket);
        }
        // The commit thread is joined, but not for ever: a server that cannot stop would hold
        // the lock with its socket gone, and nobody could open the database. Every edit it
        // acknowledged is already on disk, so leaving without it loses nothing confirmed.
        let stopping = tokio::task::spawn_blocking(move || committer.stop());
        if tokio::time::timeout(STOP_WAIT, stopping).await.is_err() {
            tracing::error!(
                "the commit thread did not stop within {} s; leaving without it (every acknowledged edit is on disk)",
                STOP_WAIT.as_secs()
            );
        }
        if options.verbose {
            tracing::info!("stopped serving {} ({reason})", db.display());
        }
        Ok(())
    }
}

/// How long a stopping server waits for its commit thread.
const STOP_WAIT: Duration = Duration::from_secs(20);

fn socket_err(path: &Path, e: impl std::fmt::Display) -> ServeError {
    ServeError::Socket {
        path: path.to_path_buf(),
        detail: e.to_string(),
    }
}

/// Binds the socket inside a fresh owner-only folder, sets its mode to 0660 and renames it
/// into place: it is never reachable with a wider mode, whatever the umask, and a stale
/// socket left by a killed server is replaced in one step.
fn bind_private(db: &Path, socket: &Path) -> Result<std::os::unix::net::UnixListener, ServeError> {
    use std::os::unix::fs::DirBuilderExt;
    let private = db.join(format!(".sock-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&private);
    std::fs::DirBuilder::new()
        .mode(0o700)
        .create(&private)
        .map_err(|e| socket_err(socket, e))?;
    let result = (|| {
        let tmp = private.join("s");
        let listener = std::os::unix::net::UnixListener::bind(&tmp)?;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o660))?;
        std::fs::rename(&tmp, socket)?;
        Ok::<_, std::io::Error>(listener)
    })();
    let _ = std::fs::remove_dir_all(&private);
    result.map_err(|e| socket_err(socket, e))
}

async fn signals(enabled: bool) -> &'static str {
    use tokio::signal::unix::{signal, SignalKind};
    if !enabled {
        return std::future::pending().await;
    }
    let (Ok(mut term), Ok(mut int), Ok(mut hup)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
        signal(SignalKind::hangup()),
    ) else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = term.recv() => "SIGTERM",
        _ = int.recv() => "SIGINT",
        _ = hup.recv() => "SIGHUP",
    }
}

/// Resolves once nobody has been connected for `after`.
async fn idle(after: Option<Duration>, mut clients: watch::Receiver<usize>) {
    let Some(after) = after else {
        return std::future::pending().await;
    };
    loop {
        if *clients.borrow_and_update() == 0 {
            tokio::select! {
                _ = tokio::time::sleep(after) => return,
                changed = clients.changed() => if changed.is_err() { return },
            }
        } else if clients.changed().await.is_err() {
            return;
        }
    }
}

struct Shared {
    /// Report bytes received in `Upload` parts and not yet imported, on every connection.
    uploading: AtomicUsize,
    /// Open connections by uid (the caps above).
    connections: std::sync::Mutex<std::collections::HashMap<u32, usize>>,
    db: PathBuf,
    store: Arc<SledStore>,
    submit: Submitter,
    events: broadcast::Sender<Event>,
    clients: watch::Sender<usize>,
    verbose: bool,
}

/// Counts a connection for the idle timer while it lives.
struct Counted(Arc<Shared>);

impl Counted {
    fn new(shared: Arc<Shared>) -> Counted {
        shared.clients.send_modify(|n| *n += 1);
        Counted(shared)
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.clients.send_modify(|n| *n = n.saturating_sub(1));
    }
}

async fn accept_loop(listener: UnixListener, shared: Arc<Shared>) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                let shared = shared.clone();
                tokio::spawn(async move {
                    let counted = Counted::new(shared.clone());
                    if let Err(e) = connection(stream, shared).await {
                        if counted.0.verbose {
                            tracing::info!("connection ended: {e}");
                        }
                    }
                    drop(counted);
                });
            }
            Err(e) => {
                // Running out of file descriptors is worth a pause, not an exit.
                tracing::error!("accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

type Out = mpsc::Sender<Outgoing>;

/// Refusals of uploads one connection remembers (see `Uploads::add`).
const MAX_REFUSED_UPLOADS: usize = 64;

/// Reports arriving in parts on one connection, by the id of the request that imports them.
#[derive(Default)]
struct Uploads {
    parts: std::collections::HashMap<u64, Vec<u8>>,
    /// Requests whose report was refused on the way, with the sentence their answer gets.
    refused: std::collections::HashMap<u64, String>,
}

impl Uploads {
    /// Adds a part, unless the report grows past `max` (what a report may be), or all
    /// reports arriving at once (`uploading`, the server's count) would pass twice that: the
    /// server's memory for them is bounded.
    fn add(&mut self, uploading: &AtomicUsize, max: usize, id: u64, part: Vec<u8>) {
        if self.refused.contains_key(&id) {
            return;
        }
        let held = self.parts.get(&id).map_or(0, Vec::len);
        let why = if held + part.len() > max {
            Some(crate::tr!(
                "报告超过 {} MB，超出报告的上限（服务端的 DUBAN_MAX_REPORT_MB），未导入任何内容",
                "the report is over {} MB, more than a report may be (DUBAN_MAX_REPORT_MB on the server); nothing was imported",
                max >> 20
            ))
        } else if uploading.fetch_add(part.len(), Ordering::Relaxed) + part.len()
            > max.saturating_mul(2)
        {
            uploading.fetch_sub(part.len(), Ordering::Relaxed);
            Some(
                crate::lang::t(
                    "服务正在接收其他大报告，未导入任何内容，请一分钟后再试",
                    "the server is receiving other large reports right now; nothing was imported, try again in a minute",
                )
                .to_string(),
            )
        } else {
            None
        };
        match why {
            Some(why) => {
                if let Some(dropped) = self.parts.remove(&id) {
                    uploading.fetch_sub(dropped.len(), Ordering::Relaxed);
                }
                // A client refused this often is not sending reports; what it is told is
                // bounded too (a later request then imports an empty report, refused).
                if self.refused.len() < MAX_REFUSED_UPLOADS {
                    self.refused.insert(id, why);
                }
            }
            None => self.parts.entry(id).or_default().extend_from_slice(&part),
        }
    }

    /// The report for request `id`, once its request arrives (None: it sent no parts).
    fn take(&mut self, uploading: &AtomicUsize, id: u64) -> Result<Option<Vec<u8>>, String> {
        if let Some(why) = self.refused.remove(&id) {
            return Err(why);
        }
        let report = self.parts.remove(&id);
        if let Some(r) = &report {
            uploading.fetch_sub(r.len(), Ordering::Relaxed);
        }
        Ok(report)
    }

    /// The connection ended: parts no request took are dropped.
    fn release(&mut self, uploading: &AtomicUsize) {
        let held: usize = self.parts.drain().map(|(_, p)| p.len()).sum();
        uploading.fetch_sub(held, Ordering::Relaxed);
    }
}

/// A message on its way to the client, with the read budget it holds until it is written.
struct Outgoing {
    message: ServerMessage,
    _budget: Option<tokio::sync::OwnedSemaphorePermit>,
}

impl From<ServerMessage> for Outgoing {
    fn from(message: ServerMessage) -> Outgoing {
        Outgoing {
            message,
            _budget: None,
        }
    }
}

/// One connection's place under the caps, given back when the connection ends.
struct Admitted {
    shared: Arc<Shared>,
    uid: u32,
}

impl Shared {
    /// Admits a connection of `uid`, or says why not in words the person can act on.
    fn admit(self: &Arc<Self>, uid: u32, user: &str) -> Result<Admitted, String> {
        let mut open = self
            .connections
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let total: usize = open.values().sum();
        let mine = open.get(&uid).copied().unwrap_or(0);
        if mine >= MAX_CONNECTIONS_PER_USER {
            return Err(crate::tr!(
                "{user} 已有 {mine} 个连接到 {} 的服务（每人最多 {MAX_CONNECTIONS_PER_USER} 个）；请关掉一些 duban 窗口或命令后再试",
                "{user} already has {mine} connections to the server of {} (at most {MAX_CONNECTIONS_PER_USER} each); close some duban windows or commands and try again",
                self.db.display()
            ));
        }
        if total >= MAX_CONNECTIONS {
            return Err(crate::tr!(
                "{} 的服务已有 {total} 个连接，已达上限；请稍后再试，或联系管理员",
                "the server of {} already serves {total} connections, as many as it takes; try again in a while, or ask the administrator",
                self.db.display()
            ));
        }
        *open.entry(uid).or_insert(0) += 1;
        Ok(Admitted {
            shared: self.clone(),
            uid,
        })
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut open = self
            .shared
            .connections
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(n) = open.get_mut(&self.uid) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.remove(&self.uid);
            }
        }
    }
}

async fn connection(stream: UnixStream, shared: Arc<Shared>) -> std::io::Result<()> {
    let peer = Peer::of(&stream)?;
    let (read, write) = stream.into_split();
    let mut reader = FramedRead::new(read, protocol::codec());
    let mut writer = FramedWrite::new(write, protocol::codec());

    let first = match tokio::time::timeout(HELLO_TIMEOUT, reader.next()).await {
        Ok(Some(frame)) => frame?,
        Ok(None) | Err(_) => return Ok(()),
    };
    let refuse = |reason: String| ServerMessage::Refused { reason };
    let hello = match protocol::hello_version(&first) {
        Some(v) if v == protocol::VERSION => protocol::decode::<ClientMessage>(&first).ok(),
        Some(v) => {
            let reason = crate::tr!(
                "本 duban 使用协议 {v}，但 {} 的服务（duban {}）使用协议 {}。请使用与服务相同版本的 duban，或停止该服务（无人使用时它会自行退出）。",
                "this duban speaks protocol {v}, but the server for {} (duban {}) speaks protocol {}. Use the same duban version as the server's, or stop the server (it exits by itself when nobody uses it).",
                shared.db.display(),
                env!("CARGO_PKG_VERSION"),
                protocol::VERSION
            );
            tracing::warn!(user = %peer.user, uid = peer.uid, "refused: protocol {v}, not {}", protocol::VERSION);
            writer.send(protocol::encode(&refuse(reason))).await?;
            return Ok(());
        }
        None => None,
    };
    let Some(ClientMessage::Hello { client, .. }) = hello else {
        let reason = crate::lang::t(
            "第一条消息必须是 Hello {version, client}",
            "the first message must be Hello {version, client}",
        )
        .to_string();
        tracing::warn!(user = %peer.user, uid = peer.uid, "refused: no Hello");
        writer.send(protocol::encode(&refuse(reason))).await?;
        return Ok(());
    };
    let _admitted = match shared.admit(peer.uid, &peer.user) {
        Ok(a) => a,
        Err(reason) => {
            tracing::warn!(user = %peer.user, uid = peer.uid, "refused: too many connections");
            writer.send(protocol::encode(&refuse(reason))).await?;
            return Ok(());
        }
    };
    let can_edit = match access::decide(&shared.db, &peer) {
        Access::Edit => true,
        Access::Read => false,
        Access::Denied(reason) => {
            if shared.verbose {
                tracing::warn!(user = %peer.user, uid = peer.uid, "refused: no access");
            }
            writer.send(protocol::encode(&refuse(reason))).await?;
            return Ok(());
        }
    };
    writer
        .send(protocol::encode(&ServerMessage::Welcome {
            version: protocol::VERSION,
            user: peer.user.clone(),
            can_edit,
        }))
        .await?;
    if shared.verbose {
        tracing::info!(
            user = %peer.user,
            uid = peer.uid,
            pid = peer.pid,
            client = %client,
            access = %if can_edit { "edit" } else { "read" },
            "connected"
        );
    }

    let (out, mut out_rx) = mpsc::channel::<Outgoing>(OUT_QUEUE);
    let writing = tokio::spawn(async move {
        while let Some(m) = out_rx.recv().await {
            let frame = bounded_frame(&m.message);
            drop(m.message);
            if writer.send(frame).await.is_err() {
                break;
            }
            // The answer's read budget (`m._budget`) is given back here, once written.
        }
    });
    let reads = Arc::new(tokio::sync::Semaphore::new(READS_PER_CONNECTION));
    let conn = Conn {
        shared: shared.clone(),
        peer,
        client,
        can_edit,
        out,
        reads,
    };
    let mut live: Option<tokio::task::JoinHandle<()>> = None;
    let mut uploads = Uploads::default();
    let in_flight = Arc::new(tokio::sync::Semaphore::new(MAX_IN_FLIGHT));
    loop {
        let frame = match tokio::time::timeout(IDLE_CONNECTION, reader.next()).await {
            Ok(Some(Ok(f))) => f,
            Ok(Some(Err(_)) | None) => break,
            Err(_) => {
                let busy = in_flight.available_permits() < MAX_IN_FLIGHT;
                if live.is_none() && !busy {
                    tracing::info!(user = %conn.peer.user, "closed an idle connection");
                    break;
                }
                continue;
            }
        };
        match protocol::decode::<ClientMessage>(&frame) {
            Ok(ClientMessage::Upload { id, part }) => uploads.add(
                &shared.uploading,
                crate::import::limits::max_report_bytes() as usize,
                id,
                part,
            ),
            Ok(ClientMessage::Request { id, mut op }) => {
                if let Op::Import { bytes, .. } = &mut op {
                    if bytes.is_empty() {
                        match uploads.take(&shared.uploading, id) {
                            Ok(Some(report)) => *bytes = report,
                            Ok(None) => {}
                            Err(why) => {
                                conn.answer(id, Err(RemoteError::new(ErrorKind::Invalid, why)))
                                    .await;
                                continue;
                            }
                        }
                    }
                }
                // At most MAX_IN_FLIGHT answers owed: the next request waits (and the
                // socket is not read) until one is out.
                let Ok(permit) = in_flight.clone().acquire_owned().await else {
                    break;
                };
                conn.request(id, op, permit);
            }
            Ok(ClientMessage::Subscribe { id, after }) => {
                log::subscribed(&conn.peer.user);
                if let Some(old) = live.take() {
                    old.abort();
                }
                live = Some(tokio::spawn(conn.clone().subscribe(id, after)));
            }
            Ok(ClientMessage::Hello { .. }) => {
                conn.answer(
                    0,
                    Err(RemoteError::new(
                        ErrorKind::Protocol,
                        crate::lang::t("已经发过 Hello", "Hello was already said"),
                    )),
                )
                .await
            }
            Err(e) => {
                conn.answer(
                    protocol::request_id(&frame).unwrap_or(0),
                    Err(RemoteError::new(
                        ErrorKind::Protocol,
                        crate::tr!(
                            "服务读不懂此请求（{e}）；本 duban 是否比服务新？",
                            "the server cannot read this request ({e}); is this duban newer than the server?"
                        ),
                    )),
                )
                .await
            }
        }
    }
    if let Some(l) = live {
        l.abort();
    }
    uploads.release(&shared.uploading);
    tracing::debug!(user = %conn.peer.user, "disconnected");
    drop(conn);
    let _ = writing.await;
    Ok(())
}

/// The message as a frame; an answer too big for one frame becomes an error answer (the
/// client would have to drop the connection over it, and would only ask again).
fn bounded_frame(m: &ServerMessage) -> bytes::Bytes {
    let frame = protocol::encode(m);
    if frame.len() <= protocol::MAX_FRAME {
        return frame;
    }
    let id = match m {
        ServerMessage::Response { id, .. } | ServerMessage::Subscribed { id, .. } => *id,
        _ => 0,
    };
    protocol::encode(&ServerMessage::Response {
        id,
        result: Err(RemoteError::new(
            ErrorKind::Invalid,
            crate::tr!(
                "应答有 {} MB，超过一条消息的上限（{} MB）；请分页读取",
                "the answer is {} MB, more than one message may carry ({} MB); ask for it in pages",
                frame.len() / (1024 * 1024),
                protocol::MAX_FRAME / (1024 * 1024)
            ),
        )),
    })
}

#[derive(Clone)]
struct Conn {
    shared: Arc<Shared>,
    peer: Peer,
    client: String,
    can_edit: bool,
    out: Out,
    /// This connection's read budget (READS_PER_CONNECTION).
    reads: Arc<tokio::sync::Semaphore>,
}

impl Conn {
    /// Queues an answer; waits while the client has OUT_QUEUE answers unread.
    async fn answer(&self, id: u64, result: Result<Reply, RemoteError>) {
        let _ = self
            .out
            .send(ServerMessage::Response { id, result }.into())
            .await;
    }

    /// Answers `op` on a task of its own; `permit` (one of the connection's requests in
    /// flight) is given back once the answer is queued.
    fn request(&self, id: u64, op: Op, permit: tokio::sync::OwnedSemaphorePermit) {
        let what = log::Request::new(&self.peer.user, &op);
        what.received();
        if op.is_edit() && !self.can_edit {
            let this = self.clone();
            tokio::spawn(async move {
                let result = this.read_only_answer(&op).await;
                what.answered(&result);
                this.answer(id, result).await;
                drop(permit);
            });
            return;
        }
        if op.is_edit() {
            let (tx, rx) = tokio::sync::oneshot::channel();
            // Queued now, in arrival order; the answer comes when the batch is on disk.
            self.shared.submit.submit(Job {
                user: self.peer.user.clone(),
                key: Some(format!("req/{}/{}/{}", self.peer.uid, self.client, id)),
                op,
                reply: tx,
            });
            let this = self.clone();
            tokio::spawn(async move {
                let result = rx.await.unwrap_or_else(|_| {
                    Err(RemoteError::new(
                        ErrorKind::Store,
                        crate::lang::t(
                            "服务正在停止，修改未保存（duban 会把它重发给下一个服务）",
                            "the server is stopping; the edit was not saved (duban resends it to the next server)",
                        ),
                    ))
                });
                what.answered(&result);
                this.answer(id, result).await;
                drop(permit);
            });
            return;
        }
        let this = self.clone();
        tokio::spawn(async move {
            // Held from reading the store until the answer is written.
            let Ok(budget) = this.reads.clone().acquire_owned().await else {
                return;
            };
            let store = this.shared.store.clone();
            let result = tokio::task::spawn_blocking(move || {
                crate::ledger::read(store.as_ref(), &op).map_err(|e| RemoteError::from_ledger(&e))
            })
            .await
            .unwrap_or_else(|_| {
                Err(RemoteError::new(
                    ErrorKind::Store,
                    crate::lang::t(
                        "服务读取数据库失败",
                        "the server failed reading the database",
                    ),
                ))
            });
            what.answered(&result);
            let _ = this
                .out
                .send(Outgoing {
                    message: ServerMessage::Response { id, result },
                    _budget: Some(budget),
                })
                .await;
            drop(permit);
        });
    }

    /// A reader may still "load the sample" on a database that has tasks: it changes nothing.
    async fn read_only_answer(&self, op: &Op) -> Result<Reply, RemoteError> {
        if matches!(op, Op::EnsureSample) {
            let store = self.shared.store.clone();
            let empty = tokio::task::spawn_blocking(move || store.is_empty())
                .await
                .unwrap_or(Ok(true));
            if let Ok(false) = empty {
                return Ok(Reply::Sample(None));
            }
        }
        Err(RemoteError::new(
            ErrorKind::ReadOnly,
            access::read_only_message(&self.peer.user, &self.shared.db),
        ))
    }

    /// Answers with the newest event's number, sends the events after `after` (read a
    /// page at a time), then forwards every new one, in order.
    async fn subscribe(self, id: u64, after: Option<u64>) {
        let mut rx = self.shared.events.subscribe();
        let store = self.shared.store.clone();
        let last = match tokio::task::spawn_blocking(move || last_seq(store.as_ref())).await {
            Ok(Ok(last)) => last,
            Ok(Err(e)) => {
                self.answer(id, Err(RemoteError::new(ErrorKind::Store, e.to_string())))
                    .await;
                return;
            }
            Err(_) => return,
        };
        let _ = self
            .out
            .send(
                ServerMessage::Subscribed {
                    id,
                    missed: Vec::new(),
                    last_seq: last,
                }
                .into(),
            )
            .await;
        let mut sent = match after {
            Some(a) => match self.catch_up(a).await {
                Some(s) => s,
                None => return,
            },
            None => last,
        };
        loop {
            match rx.recv().await {
                Ok(event) => {
                    if event.seq > sent {
                        sent = event.seq;
                        if self
                            .out
                            .send(ServerMessage::Notify { event }.into())
                            .await
                            .is_err()
                        {
                            return;
                        }
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    // Too slow to keep up: catch up from the history instead.
                    sent = match self.catch_up(sent).await {
                        Some(s) => s,
                        None => return,
                    };
                }
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    }

    /// Sends every event after `from` from the history, a page at a time; returns the last
    /// one sent (None: the connection or the store failed).
    async fn catch_up(&self, mut from: u64) -> Option<u64> {
        loop {
            let store = self.shared.store.clone();
            let after = from;
            let page = tokio::task::spawn_blocking(move || {
                store.history_page(None, Some(after), 1000, crate::ledger::PAGE_BYTES)
            })
            .await
            .ok()?
            .ok()?;
            let (events, next) = page;
            for event in events {
                from = from.max(event.seq);
                self.out
                    .send(ServerMessage::Notify { event }.into())
                    .await
                    .ok()?;
            }
            if next.is_none() {
                return Some(from);
            }
        }
    }
}

/// The newest event's sequence number (0: none yet).
fn last_seq(store: &dyn Store) -> Result<u64, StoreError> {
    Ok(store
        .meta(crate::store::META_NEXT_SEQ)?
        .and_then(|v| v.parse::<u64>().ok())
        .map_or(0, |n| n.saturating_sub(1)))
}

/// A server running on its own thread in this process (tests, benchmarks).
pub struct ServerHandle {
    pub socket: PathBuf,
    pub stats: Arc<CommitStats>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<Result<(), ServeError>>>,
}

impl ServerHandle {
    /// Stops serving and waits until the database is closed.
    pub fn stop(mut self) -> Result<(), ServeError> {
        self.shutdown()
    }

    fn shutdown(&mut self) -> Result<(), ServeError> {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        match self.thread.take() {
            Some(t) => t.join().unwrap_or(Ok(())),
            None => Ok(()),
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        let _ = self.shutdown();
    }
}

/// Starts a server for `db` on a thread of its own; it is serving when this returns.
pub fn spawn(db: &Path, options: ServeOptions) -> Result<ServerHandle, ServeError> {
    let bound = Bound::new(db)?;
    let socket = bound.socket.clone();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("duban-serve")
        .enable_all()
        .build()
        .map_err(ServeError::Runtime)?;
    let stats = bound.stats.clone();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("duban-serve".into())
        .spawn(move || {
            let result = runtime.block_on(bound.serve(options, async {
                let _ = stop_rx.await;
            }));
            runtime.shutdown_timeout(Duration::from_secs(2));
            result
        })
        .map_err(ServeError::Runtime)?;
    Ok(ServerHandle {
        socket,
        stats,
        stop: Some(stop_tx),
        thread: Some(thread),
    })
}

/// `duban serve`: serves `db` in the foreground until a signal or the idle timeout.
pub fn run(db: &Path, idle_exit: Option<Duration>) -> Result<(), ServeError> {
    // The data files are the owner's alone: staff reach them only through the socket
    // (which is made 0660 for the folder's group explicitly).
    nix::sys::stat::umask(nix::sys::stat::Mode::from_bits_truncate(0o077));
    // A server that cannot start says why on stderr (main prints the error), which the
    // autostarting client reads back from serve.log; the log proper starts once the
    // database, and so its folder, is ours.
    let bound = Bound::new(db)?;
    log::init(db);
    super::snapshot::spawn_daily(&bound.store, db);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("duban-serve")
        .enable_all()
        .build()
        .map_err(ServeError::Runtime)?;
    let options = ServeOptions {
        idle_exit,
        signals: true,
        verbose: true,
    };
    let result = runtime.block_on(bound.serve(options, std::future::pending()));
    runtime.shutdown_timeout(Duration::from_secs(2));
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_in_parts_is_joined_and_bounded() {
        let uploading = AtomicUsize::new(0);
        let mut u = Uploads::default();
        u.add(&uploading, 10, 1, b"12345".to_vec());
        u.add(&uploading, 10, 1, b"678".to_vec());
        assert_eq!(uploading.load(Ordering::Relaxed), 8);
        assert_eq!(u.take(&uploading, 1), Ok(Some(b"12345678".to_vec())));
        assert_eq!(uploading.load(Ordering::Relaxed), 0);
        assert_eq!(
            u.take(&uploading, 2),
            Ok(None),
            "a request that sent no parts"
        );
        // Past what a report may be: refused, and what it held is given back.
        u.add(&uploading, 10, 3, b"123456".to_vec());
        u.add(&uploading, 10, 3, b"123456".to_vec());
        assert_eq!(uploading.load(Ordering::Relaxed), 0);
        assert!(u
            .take(&uploading, 3)
            .unwrap_err()
            .contains("超出报告的上限"));
        // Everyone's reports at once past twice that: refused until some are imported.
        uploading.store(18, Ordering::Relaxed);
        u.add(&uploading, 10, 4, b"12345".to_vec());
        assert!(u.take(&uploading, 4).unwrap_err().contains("再试"));
        assert_eq!(uploading.load(Ordering::Relaxed), 18);
        uploading.store(0, Ordering::Relaxed);
        u.add(&uploading, 10, 5, b"123".to_vec());
        u.release(&uploading);
        assert_eq!(uploading.load(Ordering::Relaxed), 0);
    }
}
