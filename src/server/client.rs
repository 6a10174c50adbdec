//! The client side of the socket: the ledger's operations as requests to `duban serve`,
//! async (`AsyncClient`, for the UI's tokio loop) or blocking (`Client`, for the CLI), and
//! live events (`Subscription`). A lost connection is re-made (restarting the server when
//! asked to), unanswered requests are resent with their original ids, which the server
//! answers from its record instead of applying twice.

use super::protocol::{self, ClientMessage, ErrorKind, Op, RemoteError, Reply, ServerMessage};
use super::serve::socket_path;
use crate::model::Event;
use futures::{SinkExt, StreamExt};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::UnixStream;
use tokio::sync::{mpsc, oneshot};
use tokio_util::codec::{Framed, LengthDelimitedCodec};

/// How long a server has to answer Hello.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// How to start a server when none answers: this program (`duban`) with `serve`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Autostart {
    /// The `duban` executable.
    pub exe: PathBuf,
    /// The started server exits this long after its last client leaves.
    pub idle_exit: Duration,
}

impl Autostart {
    /// This running program when it is `duban`, exiting a minute after the last client.
    /// `DUBAN_EXE` names the executable instead (a test binary is not `duban`).
    pub fn this_program() -> Option<Autostart> {
        let exe = match std::env::var_os("DUBAN_EXE") {
            Some(exe) => PathBuf::from(exe),
            None => std::env::current_exe().ok().filter(|e| {
                e.file_stem()
                    .is_some_and(|s| s.to_string_lossy().starts_with("duban"))
            })?,
        };
        Some(Autostart {
            exe,
            idle_exit: Duration::from_secs(60),
        })
    }
}

#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Start a server when none answers, at connect and after losing one.
    pub autostart: Option<Autostart>,
    /// How long to keep trying to get a server back before failing the waiting requests.
    pub reconnect_for: Duration,
    /// Say on stderr when the server goes away and comes back (the CLI; never the UI).
    pub notices_on_stderr: bool,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            autostart: None,
            reconnect_for: Duration::from_secs(15),
            notices_on_stderr: false,
        }
    }
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum ClientError {
    #[error("{}", crate::tr!(
        "{} 没有在运行的 duban 服务",
        "no duban server is running for {}",
        db.display()
    ))]
    NoServer { db: PathBuf },
    #[error("{}", crate::tr!(
        "{} 的 duban 服务拒绝了连接：{reason}",
        "the duban server for {} refused the connection: {reason}",
        db.display()
    ))]
    Refused { db: PathBuf, reason: String },
    #[error("{}", crate::tr!(
        "连不上 {} 的 duban 服务：{detail}",
        "cannot reach the duban server for {}: {detail}",
        db.display()
    ))]
    Connect { db: PathBuf, detail: String },
    #[error("{0}")]
    Remote(RemoteError),
    #[error("{}", crate::tr!(
        "{} 的 duban 服务断开，{secs} 秒内没有恢复（{detail}）。未确认的修改可能已保存，也可能没有：`duban history` 列出已保存的修改。",
        "the duban server for {} went away and did not come back within {secs} s ({detail}). An edit that was not confirmed may or may not be saved: `duban history` shows what was.",
        db.display()
    ))]
    ServerGone {
        db: PathBuf,
        secs: u64,
        detail: String,
    },
    #[error("{}", crate::tr!(
        "{} 的 duban 服务发来了本 duban 读不懂的内容：{detail}",
        "the duban server for {} sent something this duban cannot read: {detail}",
        db.display()
    ))]
    Protocol { db: PathBuf, detail: String },
    #[error("{}", crate::tr!(
        "无法为 {} 启动 duban 服务：{detail}",
        "cannot start a duban server for {}: {detail}",
        db.display()
    ))]
    Start { db: PathBuf, detail: String },
}

impl ClientError {
    /// The server's reason, when the server answered with an error.
    pub fn remote_kind(&self) -> Option<ErrorKind> {
        match self {
            ClientError::Remote(e) => Some(e.kind),
            _ => None,
        }
    }
}

/// Who the server says we are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Welcome {
    pub user: String,
    pub can_edit: bool,
}

/// What a subscription yields: events as committed (anyone's, with the user who made them)
/// and the connection's ups and downs.
#[derive(Debug, Clone, PartialEq)]
pub enum Live {
    Event(Event),
    /// The server went away; the client is trying to get it back.
    Disconnected {
        reason: String,
    },
    /// Connected again; events missed meanwhile follow.
    Reconnected,
}

/// Live events, in sequence order, for as long as the client lives.
pub struct Subscription {
    rx: mpsc::UnboundedReceiver<Live>,
}

impl Subscription {
    pub async fn next(&mut self) -> Option<Live> {
        self.rx.recv().await
    }

    /// The next waiting event, without waiting (for a loop that polls).
    pub fn try_next(&mut self) -> Option<Live> {
        self.rx.try_recv().ok()
    }
}

impl futures::Stream for Subscription {
    type Item = Live;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Live>> {
        self.rx.poll_recv(cx)
    }
}

enum Cmd {
    Call {
        op: Op,
        reply: oneshot::Sender<Result<Reply, ClientError>>,
    },
    Subscribe(mpsc::UnboundedSender<Live>, oneshot::Sender<()>),
}

type Conn = Framed<UnixStream, LengthDelimitedCodec>;

/// The async client. Cheap to share by reference; every method may be called concurrently.
pub struct AsyncClient {
    db: PathBuf,
    cmds: mpsc::UnboundedSender<Cmd>,
    welcome: Arc<Mutex<Welcome>>,
    resent: Arc<AtomicU64>,
}

impl AsyncClient {
    /// Connects to the server for `db` (starting one first with `options.autostart`).
    /// Must be called within a tokio runtime, which then runs the connection.
    pub async fn connect(db: &Path, options: ClientOptions) -> Result<AsyncClient, ClientError> {
        let client_id = new_client_id();
        let (conn, welcome) = match handshake(db, &client_id).await {
            Ok(x) => x,
            Err(Handshake::NoServer(_)) if options.autostart.is_some() => {
                let mut spawned = Spawner::default();
                reconnect(db, &client_id, &options, &mut spawned).await?
            }
            Err(e) => return Err(e.into_error(db)),
        };
        let welcome = Arc::new(Mutex::new(welcome));
        let resent = Arc::new(AtomicU64::new(0));
        let (cmds, rx) = mpsc::unbounded_channel();
        let actor = Actor {
            db: db.to_path_buf(),
            options,
            client_id,
            next_id: 1,
            pending: BTreeMap::new(),
            subscribers: Vec::new(),
            subscribe_id: None,
            subscribed: false,
            ready: Vec::new(),
            last_seq: None,
            welcome: welcome.clone(),
            spawner: Spawner::default(),
            resent: resent.clone(),
        };
        tokio::spawn(actor.run(rx, conn));
        Ok(AsyncClient {
            db: db.to_path_buf(),
            cmds,
            welcome,
            resent,
        })
    }

    pub fn db(&self) -> &Path {
        &self.db
    }

    /// The OS user the server sees (and records in history).
    pub fn user(&self) -> String {
        lock(&self.welcome).user.clone()
    }

    pub fn can_edit(&self) -> bool {
        lock(&self.welcome).can_edit
    }

    /// How many requests were sent again after a lost connection.
    pub fn resent_requests(&self) -> u64 {
        self.resent.load(Ordering::Relaxed)
    }

    /// Sends one operation and waits for its answer (needs no runtime of its own: the
    /// connection runs where `connect` was called).
    pub async fn call(&self, op: Op) -> Result<Reply, ClientError> {
        let (reply, rx) = oneshot::channel();
        self.cmds.send(Cmd::Call { op, reply }).map_err(|_| {
            self.gone(crate::lang::t(
                "客户端的连接任务已结束",
                "the client's connection task ended",
            ))
        })?;
        rx.await.map_err(|_| {
            self.gone(crate::lang::t(
                "客户端的连接任务已结束",
                "the client's connection task ended",
            ))
        })?
    }

    fn gone(&self, detail: &str) -> ClientError {
        ClientError::ServerGone {
            db: self.db.clone(),
            secs: 0,
            detail: detail.into(),
        }
    }

    /// Live events: every event committed after this returns (and, after a reconnect,
    /// those missed meanwhile), in order.
    pub async fn subscribe(&self) -> Result<Subscription, ClientError> {
        let (tx, rx) = mpsc::unbounded_channel();
        let (ready, subscribed) = oneshot::channel();
        self.cmds.send(Cmd::Subscribe(tx, ready)).map_err(|_| {
            self.gone(crate::lang::t(
                "客户端的连接任务已结束",
                "the client's connection task ended",
            ))
        })?;
        subscribed.await.map_err(|_| {
            self.gone(crate::lang::t(
                "客户端的连接任务已结束",
                "the client's connection task ended",
            ))
        })?;
        Ok(Subscription { rx })
    }
}

/// The blocking client: an `AsyncClient` whose connection runs on a private one-thread
/// runtime, so its methods work from plain code and from inside another runtime alike.
pub struct Client {
    runtime: Option<tokio::runtime::Runtime>,
    inner: AsyncClient,
}

impl Client {
    pub fn connect(db: &Path, options: ClientOptions) -> Result<Client, ClientError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("duban-client")
            .enable_all()
            .build()
            .map_err(|e| ClientError::Connect {
                db: db.to_path_buf(),
                detail: crate::tr!(
                    "无法启动客户端运行环境：{e}",
                    "cannot start the client's runtime: {e}"
                ),
            })?;
        let path = db.to_path_buf();
        let joined = futures::executor::block_on(
            runtime.spawn(async move { AsyncClient::connect(&path, options).await }),
        );
        let inner = match joined {
            Ok(r) => r?,
            Err(e) => {
                return Err(ClientError::Connect {
                    db: db.to_path_buf(),
                    detail: e.to_string(),
                })
            }
        };
        Ok(Client {
            runtime: Some(runtime),
            inner,
        })
    }

    /// The async face of this client (same connection).
    pub fn as_async(&self) -> &AsyncClient {
        &self.inner
    }

    pub fn db(&self) -> &Path {
        self.inner.db()
    }

    pub fn user(&self) -> String {
        self.inner.user()
    }

    pub fn can_edit(&self) -> bool {
        self.inner.can_edit()
    }

    fn wait<T>(&self, f: impl std::future::Future<Output = T>) -> T {
        futures::executor::block_on(f)
    }

    pub fn call(&self, op: Op) -> Result<Reply, ClientError> {
        self.wait(self.inner.call(op))
    }

    /// Live events: every event committed after this returns, in order.
    pub fn subscribe(&self) -> Result<Subscription, ClientError> {
        self.wait(self.inner.subscribe())
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        // Never blocks, so a Client may be dropped inside another runtime.
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A random id for this client, so the server can tell its requests from another's.
fn new_client_id() -> String {
    use std::io::Read;
    let mut bytes = [0u8; 12];
    let random = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes));
    if random.is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        bytes[..8].copy_from_slice(&(nanos as u64).to_le_bytes());
        bytes[8..].copy_from_slice(&std::process::id().to_le_bytes());
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Why a connection attempt failed.
#[derive(Debug)]
enum Handshake {
    /// Nobody listens (no socket, or a stale one): a server may be started.
    NoServer(String),
    /// The server said no (version, access); trying again will not help.
    Refused(String),
    /// We may not reach the socket (permissions).
    Denied(String),
    /// Anything else; worth another try.
    Failed(String),
}

impl Handshake {
    fn into_error(self, db: &Path) -> ClientError {
        let db = db.to_path_buf();
        match self {
            Handshake::NoServer(_) => ClientError::NoServer { db },
            Handshake::Refused(reason) => ClientError::Refused { db, reason },
            Handshake::Denied(detail) | Handshake::Failed(detail) => {
                ClientError::Connect { db, detail }
            }
        }
    }
}

async fn handshake(db: &Path, client_id: &str) -> Result<(Conn, Welcome), Handshake> {
    let socket = socket_path(db);
    let stream = match UnixStream::connect(&socket).await {
        Ok(s) => s,
        Err(e) => {
            use std::io::ErrorKind as K;
            return Err(match e.kind() {
                K::NotFound | K::ConnectionRefused => Handshake::NoServer(e.to_string()),
                K::PermissionDenied => Handshake::Denied(crate::tr!(
                    "{} 拒绝访问：数据库不属于你，其所有者也没有允许你使用；请联系运行它的人（共享部署时：请其把你加入该文件夹的用户组）",
                    "permission denied on {}: the database is not yours, and its owner has not let you in; ask whoever runs it (in the shared set-up: to be added to the folder's group)",
                    socket.display()
                )),
                _ => Handshake::Failed(e.to_string()),
            });
        }
    };
    // Nothing is sent before the kernel says who serves: the database's owner, or nobody.
    if let Some(owner) = super::owner::owner(db) {
        let server = stream
            .peer_cred()
            .map_err(|e| {
                Handshake::Failed(crate::tr!(
                    "无法确认是谁在提供该套接字：{e}",
                    "cannot tell who serves the socket: {e}"
                ))
            })?
            .uid();
        if let Some(why) = super::owner::untrusted_server(db, server, owner) {
            return Err(Handshake::Refused(why));
        }
    }
    let mut conn = Framed::new(stream, protocol::codec());
    let hello = ClientMessage::Hello {
        version: protocol::VERSION,
        client: client_id.to_string(),
    };
    let exchange = async {
        conn.send(protocol::encode(&hello))
            .await
            .map_err(|e| Handshake::Failed(e.to_string()))?;
        match conn.next().await {
            Some(Ok(frame)) => Ok(frame),
            Some(Err(e)) => Err(Handshake::Failed(e.to_string())),
            None => Err(Handshake::Failed(
                crate::lang::t("服务关闭了连接", "the server closed the connection").into(),
            )),
        }
    };
    let frame = match tokio::time::timeout(HANDSHAKE_TIMEOUT, exchange).await {
        Ok(r) => r?,
        Err(_) => {
            return Err(Handshake::Failed(
                crate::lang::t("服务没有应答", "the server did not answer").into(),
            ))
        }
    };
    match protocol::decode::<ServerMessage>(&frame) {
        Ok(ServerMessage::Welcome {
            version,
            user,
            can_edit,
        }) if version == protocol::VERSION => Ok((conn, Welcome { user, can_edit })),
        Ok(ServerMessage::Refused { reason }) => Err(Handshake::Refused(reason)),
        Ok(other) => Err(Handshake::Refused(crate::tr!(
            "服务对 Hello 的应答是 {other:?}；它使用的协议与本 duban（协议 {}）不同",
            "the server answered Hello with {other:?}; it speaks another protocol than this duban (protocol {})",
            protocol::VERSION
        ))),
        Err(e) => Err(Handshake::Refused(crate::tr!(
            "读不懂服务的应答（{e}）；它使用的协议与本 duban（协议 {}）不同",
            "the server's answer cannot be read ({e}); it speaks another protocol than this duban (protocol {})",
            protocol::VERSION
        ))),
    }
}

/// Starts servers, at most one attempt a second.
#[derive(Default)]
struct Spawner {
    last: Option<Instant>,
}

impl Spawner {
    fn maybe_spawn(&mut self, db: &Path, autostart: &Autostart) {
        if self
            .last
            .is_some_and(|t| t.elapsed() < Duration::from_secs(1))
        {
            return;
        }
        self.last = Some(Instant::now());
        if let Ok(child) = super::spawn_server(db, autostart) {
            super::reap(child);
        }
    }
}

/// Gets a connection back: tries, starts a server when none listens (with autostart), and
/// gives up after `options.reconnect_for`.
async fn reconnect(
    db: &Path,
    client_id: &str,
    options: &ClientOptions,
    spawner: &mut Spawner,
) -> Result<(Conn, Welcome), ClientError> {
    let start = Instant::now();
    let mut delay = Duration::from_millis(5);
    loop {
        let detail = match handshake(db, client_id).await {
            Ok(x) => return Ok(x),
            Err(Handshake::Refused(reason)) => {
                return Err(ClientError::Refused {
                    db: db.to_path_buf(),
                    reason,
                })
            }
            Err(Handshake::Denied(detail)) => {
                return Err(ClientError::Connect {
                    db: db.to_path_buf(),
                    detail,
                })
            }
            Err(Handshake::NoServer(detail)) => {
                if let Some(a) = &options.autostart {
                    spawner.maybe_spawn(db, a);
                }
                detail
            }
            Err(Handshake::Failed(detail)) => detail,
        };
        if start.elapsed() >= options.reconnect_for {
            return Err(ClientError::ServerGone {
                db: db.to_path_buf(),
                secs: options.reconnect_for.as_secs(),
                detail,
            });
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_millis(100));
    }
}

struct Pending {
    op: Op,
    reply: oneshot::Sender<Result<Reply, ClientError>>,
    /// Why the connection broke while this request was open, the last time it did.
    lost: Option<String>,
}

/// Owns the connection: sends requests, matches answers, feeds subscribers, reconnects.
struct Actor {
    db: PathBuf,
    options: ClientOptions,
    client_id: String,
    next_id: u64,
    /// Sent and not answered yet, by id; all resent after a reconnect.
    pending: BTreeMap<u64, Pending>,
    subscribers: Vec<mpsc::UnboundedSender<Live>>,
    /// The id of this connection's Subscribe request, once sent.
    subscribe_id: Option<u64>,
    /// True once the server confirmed this connection's subscription.
    subscribed: bool,
    /// Subscribers waiting for that confirmation.
    ready: Vec<oneshot::Sender<()>>,
    /// The newest event handed to subscribers; a new subscription starts after it.
    last_seq: Option<u64>,
    welcome: Arc<Mutex<Welcome>>,
    spawner: Spawner,
    resent: Arc<AtomicU64>,
}

enum Ended {
    /// Every handle to the client is gone.
    Dropped,
    /// The connection broke.
    Lost(String),
    /// What came over the connection could not be read (a frame too big, garbled): the
    /// same requests would only break the next connection the same way.
    Garbled(String),
}

impl Actor {
    async fn run(mut self, mut cmds: mpsc::UnboundedReceiver<Cmd>, first: Conn) {
        let mut conn = Some(first);
        loop {
            let reason = match conn.take() {
                Some(mut c) => match self.serve(&mut c, &mut cmds).await {
                    Ended::Dropped => return,
                    Ended::Lost(reason) => reason,
                    Ended::Garbled(reason) => {
                        self.give_up_on_repeats(&reason);
                        reason
                    }
                },
                None => {
                    // Gave up earlier: the next command tries again.
                    match cmds.recv().await {
                        None => return,
                        Some(cmd) => {
                            self.accept(cmd);
                            crate::lang::t("未连接", "not connected").to_string()
                        }
                    }
                }
            };
            self.subscribe_id = None;
            self.subscribed = false;
            self.tell(Live::Disconnected {
                reason: reason.clone(),
            });
            if self.options.notices_on_stderr {
                eprintln!(
                    "{}",
                    crate::tr!(
                        "duban: 与 {} 的服务断开（{}），正在重连…",
                        "duban: lost the server for {} ({}); reconnecting…",
                        crate::text::clean(&self.db.display().to_string()),
                        crate::text::clean(&reason)
                    )
                );
            }
            match reconnect(&self.db, &self.client_id, &self.options, &mut self.spawner).await {
                Ok((c, welcome)) => {
                    *lock(&self.welcome) = welcome;
                    conn = Some(c);
                    self.tell(Live::Reconnected);
                    if self.options.notices_on_stderr {
                        eprintln!(
                            "{}",
                            crate::tr!(
                                "duban: 已重新连上 {} 的服务",
                                "duban: connected again to the server for {}",
                                crate::text::clean(&self.db.display().to_string())
                            )
                        );
                    }
                }
                Err(e) => {
                    for (_, p) in std::mem::take(&mut self.pending) {
                        let _ = p.reply.send(Err(e.clone()));
                    }
                }
            }
        }
    }

    /// A request open while the connection broke twice on something unreadable, the same
    /// way, is not sent a third time: it fails, saying why, instead of breaking every new
    /// connection (and making the server do its work again and again). A server that dies
    /// is another matter: requests wait for the next one.
    fn give_up_on_repeats(&mut self, reason: &str) {
        let repeated: Vec<u64> = self
            .pending
            .iter()
            .filter(|(_, p)| p.lost.as_deref() == Some(reason))
            .map(|(id, _)| *id)
            .collect();
        for id in repeated {
            if let Some(p) = self.pending.remove(&id) {
                let _ = p.reply.send(Err(ClientError::ServerGone {
                    db: self.db.clone(),
                    secs: 0,
                    detail: crate::tr!(
                        "此请求未完成时连接以同样方式断了两次（{reason}），不再重发",
                        "the connection broke twice the same way while this request was open ({reason}); it is not sent again"
                    ),
                }));
            }
        }
        for p in self.pending.values_mut() {
            p.lost = Some(reason.to_string());
        }
    }

    fn accept(&mut self, cmd: Cmd) -> Option<u64> {
        match cmd {
            Cmd::Call { op, reply } => {
                let id = self.next_id;
                self.next_id += 1;
                self.pending.insert(
                    id,
                    Pending {
                        op,
                        reply,
                        lost: None,
                    },
                );
                Some(id)
            }
            Cmd::Subscribe(tx, ready) => {
                self.subscribers.push(tx);
                if self.subscribed {
                    let _ = ready.send(());
                } else {
                    self.ready.push(ready);
                }
                None
            }
        }
    }

    fn tell(&mut self, live: Live) {
        self.subscribers.retain(|s| s.send(live.clone()).is_ok());
    }

    /// Sends a request; an import's report goes first in `Upload` parts, so that no frame
    /// holds a whole report (encoded a part at a time, as sent).
    async fn send(&mut self, conn: &mut Conn, id: u64, op: Op) -> Result<(), String> {
        let op = match op {
            Op::Import {
                bytes,
                source,
                period,
                replace,
            } if bytes.len() > protocol::UPLOAD_PART => {
                for part in bytes.chunks(protocol::UPLOAD_PART) {
                    let msg = ClientMessage::Upload {
                        id,
                        part: part.to_vec(),
                    };
                    conn.send(protocol::encode(&msg))
                        .await
                        .map_err(|e| e.to_string())?;
                }
                Op::Import {
                    bytes: Vec::new(),
                    source,
                    period,
                    replace,
                }
            }
            op => op,
        };
        let msg = ClientMessage::Request { id, op };
        conn.send(protocol::encode(&msg))
            .await
            .map_err(|e| e.to_string())
    }

    async fn subscribe(&mut self, conn: &mut Conn) -> Result<(), String> {
        if self.subscribe_id.is_some() || self.subscribers.is_empty() {
            return Ok(());
        }
        let id = self.next_id;
        self.next_id += 1;
        self.subscribe_id = Some(id);
        let after = self.last_seq;
        let msg = ClientMessage::Subscribe { id, after };
        conn.send(protocol::encode(&msg))
            .await
            .map_err(|e| e.to_string())
    }

    async fn serve(&mut self, conn: &mut Conn, cmds: &mut mpsc::UnboundedReceiver<Cmd>) -> Ended {
        // Whatever was not answered on the last connection goes again, with its old id.
        let resend: Vec<(u64, Op)> = self
            .pending
            .iter()
            .map(|(id, p)| (*id, p.op.clone()))
            .collect();
        for (id, op) in resend {
            self.resent.fetch_add(1, Ordering::Relaxed);
            if let Err(e) = self.send(conn, id, op).await {
                return Ended::Lost(e);
            }
        }
        if let Err(e) = self.subscribe(conn).await {
            return Ended::Lost(e);
        }
        loop {
            tokio::select! {
                cmd = cmds.recv() => {
                    let Some(cmd) = cmd else { return Ended::Dropped };
                    let sent = match self.accept(cmd) {
                        Some(id) => {
                            let op = self.pending[&id].op.clone();
                            self.send(conn, id, op).await
                        }
                        None => self.subscribe(conn).await,
                    };
                    if let Err(e) = sent {
                        return Ended::Lost(e);
                    }
                }
                frame = conn.next() => match frame {
                    Some(Ok(frame)) => self.receive(&frame),
                    Some(Err(e)) if e.kind() == std::io::ErrorKind::InvalidData => {
                        return Ended::Garbled(e.to_string())
                    }
                    Some(Err(e)) => return Ended::Lost(e.to_string()),
                    None => return Ended::Lost(crate::lang::t("服务关闭了连接", "the server closed the connection").into()),
                },
            }
        }
    }

    fn receive(&mut self, frame: &[u8]) {
        let msg = match protocol::decode::<ServerMessage>(frame) {
            Ok(m) => m,
            Err(e) => {
                if self.options.notices_on_stderr {
                    eprintln!(
                        "{}",
                        crate::tr!(
                            "duban: 忽略了服务发来的一条消息（{}）",
                            "duban: ignored a message the server sent ({})",
                            crate::text::clean(&e.to_string())
                        )
                    );
                }
                return;
            }
        };
        match msg {
            ServerMessage::Subscribed {
                id,
                missed,
                last_seq,
            } if Some(id) == self.subscribe_id => {
                for e in missed {
                    self.deliver(e);
                }
                if self.last_seq.is_none() {
                    self.last_seq = Some(last_seq);
                }
                self.subscribed = true;
                for r in self.ready.drain(..) {
                    let _ = r.send(());
                }
            }
            ServerMessage::Subscribed { .. } => {}
            ServerMessage::Response { id, result: Err(e) } if Some(id) == self.subscribe_id => {
                self.tell(Live::Disconnected { reason: e.message });
            }
            ServerMessage::Response { id, result } => {
                if let Some(p) = self.pending.remove(&id) {
                    let _ = p.reply.send(result.map_err(ClientError::Remote));
                }
            }
            ServerMessage::Notify { event } => self.deliver(event),
            ServerMessage::Welcome { .. } | ServerMessage::Refused { .. } => {}
        }
    }

    fn deliver(&mut self, event: Event) {
        if self.last_seq.is_some_and(|s| event.seq <= s) {
            return;
        }
        self.last_seq = Some(event.seq);
        self.tell(Live::Event(event));
    }
}
