//! The wire protocol between `duban serve` and its clients, the one place it is written down.
//! Frames are length-delimited (tokio-util's `LengthDelimitedCodec`: a 4-byte big-endian
//! length, then that many bytes) and each frame holds one JSON-encoded message.
//!
//! A conversation:
//! ```text
//! client                                   server
//! Hello { version, client }         ──►
//!                                   ◄──    Welcome { version, user, can_edit }
//!                                          or Refused { reason }, then the server hangs up
//! Upload { id, part } …             ──►    (an import's report, a part at a time, first)
//! Request { id, op }                ──►    (any number, pipelined; ids chosen by the client)
//!                                   ◄──    Response { id, result }   (in any order)
//! Subscribe { id, after }           ──►
//!                                   ◄──    Subscribed { id, missed, last_seq }
//!                                   ◄──    Notify { event }          (from then on)
//! ```
//! - **Operations.** `Op` and `Reply` are the ledger's own (`crate::ops`): the server runs
//!   exactly what a local `Ledger::apply` runs.
//! - **Bounded frames.** Lists come a page at a time (`Op::Tasks`, `Op::Summaries`,
//!   `Op::History` answer with `next`); an answer that would still pass [`MAX_FRAME`] is
//!   sent as an error `Response` instead, never as a frame the client must refuse.
//! - **Version.** `Hello.version` must equal [`VERSION`]; otherwise the server answers
//!   `Refused` with a sentence naming both versions. `Hello` and `Refused` keep their shape
//!   in every version so that this check always works.
//! - **Identity.** The server takes the user from the socket's peer credentials
//!   (SO_PEERCRED), never from the client; `Welcome.user` tells the client who it is, and
//!   `can_edit` whether `access.toml` lets it edit.
//! - **Resend nothing twice.** `Hello.client` is a random id the client makes once per
//!   process; a request is known by (peer uid, client, id). The server records the result of
//!   every applied edit under that key in the same transaction as the edit, so a client that
//!   lost its connection resends its unanswered requests with the same ids and gets the
//!   original result instead of a second edit.
//! - **Durability.** A `Response` to an edit is sent only after the edit is flushed to disk.
//!   Edits from all connections are applied one at a time in arrival order; those that
//!   arrive while the disk is busy share the next flush (group commit).
//! - **Live.** After `Subscribe { after }`, the connection gets every event committed
//!   after sequence number `after` (missed ones in the reply, new ones as `Notify`), in
//!   sequence order, the connection's own edits included.

use crate::model::Event;
use serde::{Deserialize, Serialize};
use tokio_util::codec::LengthDelimitedCodec;

/// The protocol version this build speaks. Raise it on any incompatible change (4: note
/// edits and removals, undo of notes, goals and moves — new `Op`s and event kinds).
pub const VERSION: u32 = 4;

/// The largest frame either side accepts. No frame holds a database or a report: lists come
/// in pages of at most 4 MB (`crate::ledger::PAGE_BYTES`), a report in `Upload` parts of
/// [`UPLOAD_PART`] bytes (about 4 MB as JSON).
pub const MAX_FRAME: usize = 16 * 1024 * 1024;

/// Report bytes per `Upload` frame.
pub const UPLOAD_PART: usize = 1024 * 1024;

/// The socket's file name inside the database folder.
pub const SOCKET_NAME: &str = "duban.sock";

/// The framing both sides use.
pub fn codec() -> LengthDelimitedCodec {
    LengthDelimitedCodec::builder()
        .max_frame_length(MAX_FRAME)
        .new_codec()
}

/// What a client sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ClientMessage {
    /// The first frame of every connection.
    Hello {
        version: u32,
        client: String,
    },
    Request {
        id: u64,
        op: Op,
    },
    /// A part of the report the `Request` with the same id imports: the parts are sent
    /// first, in order, then the `Request` with `Op::Import { bytes: [] }`, which imports
    /// the parts joined. A report up to [`UPLOAD_PART`] bytes travels in the request.
    Upload {
        id: u64,
        part: Vec<u8>,
    },
    /// Starts live events on this connection: every event after sequence number `after`,
    /// or only new ones when `None`. Answered by `Subscribed` (or an error `Response`).
    Subscribe {
        id: u64,
        after: Option<u64>,
    },
}

/// What the server sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ServerMessage {
    Welcome {
        version: u32,
        /// The OS user the server saw on the socket; history records this name.
        user: String,
        can_edit: bool,
    },
    /// The connection is not accepted (version, access); the server closes it after this.
    Refused { reason: String },
    Response {
        id: u64,
        result: Result<Reply, RemoteError>,
    },
    /// Live events start; `missed` are those after `after` that were already committed,
    /// `last_seq` the newest event's number when the subscription began (0: none yet).
    Subscribed {
        id: u64,
        missed: Vec<Event>,
        last_seq: u64,
    },
    /// An event committed by anyone, sent to subscribed connections.
    Notify { event: Event },
}

pub use crate::ops::{Op, Reply};

/// Why an operation failed, in words for the person, and in a kind for the program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct RemoteError {
    pub kind: ErrorKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    NoSuchTask,
    /// The edit would change nothing (same status, same domain).
    Unchanged,
    /// Someone changed the task after the edit being undone; undoing would overwrite it.
    Conflict,
    /// The request is not valid (empty note, unreadable report, not undoable …).
    Invalid,
    /// The user may only read this database.
    ReadOnly,
    /// The database could not be read or written; a failed edit was not saved.
    Store,
    /// The server cannot understand the request (a newer client?).
    Protocol,
}

impl RemoteError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> RemoteError {
        RemoteError {
            kind,
            message: message.into(),
        }
    }

    pub fn from_ledger(e: &crate::ledger::LedgerError) -> RemoteError {
        use crate::ledger::LedgerError as L;
        let kind = match e {
            L::Store(_) => ErrorKind::Store,
            L::NoSuchTask(_) => ErrorKind::NoSuchTask,
            L::Unchanged { .. } | L::AlreadyInDomain { .. } => ErrorKind::Unchanged,
            L::EmptyNote
            | L::EmptyGoal
            | L::EmptyPeriod
            | L::NoSuchPeriod(_)
            | L::NoSuchEvent(_)
            | L::Import(_)
            | L::NotUndoable(_)
            | L::NoSuchNote { .. } => ErrorKind::Invalid,
            L::NoteUnchanged { .. } => ErrorKind::Unchanged,
            L::NotARead(_) => ErrorKind::Protocol,
            L::ChangedSince { .. }
            | L::ChangedAfter { .. }
            | L::NoteMoved { .. }
            | L::PeriodTaken { .. } => ErrorKind::Conflict,
        };
        RemoteError::new(kind, e.to_string())
    }
}

/// Encodes one message as a frame's payload.
pub fn encode<T: Serialize>(message: &T) -> bytes::Bytes {
    // Every message type here is plain data (strings, numbers, maps with string keys), so
    // JSON encoding cannot fail.
    bytes::Bytes::from(serde_json::to_vec(message).expect("protocol messages encode as JSON"))
}

pub fn decode<T: serde::de::DeserializeOwned>(frame: &[u8]) -> Result<T, serde_json::Error> {
    serde_json::from_slice(frame)
}

/// The version a first frame claims, read loosely so that a client of any version can be
/// told why it is refused.
pub fn hello_version(frame: &[u8]) -> Option<u32> {
    let v: serde_json::Value = serde_json::from_slice(frame).ok()?;
    if v.get("type")?.as_str()? != "Hello" {
        return None;
    }
    v.get("version")?
        .as_u64()
        .and_then(|n| u32::try_from(n).ok())
}

/// A request's id read loosely from a frame the server could not decode, so the error can
/// still be addressed to it.
pub fn request_id(frame: &[u8]) -> Option<u64> {
    let v: serde_json::Value = serde_json::from_slice(frame).ok()?;
    v.get("id")?.as_u64()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_as_json() {
        let m = ClientMessage::Request {
            id: 7,
            op: Op::set_status(14, crate::model::Status::Behind, Some("进度滞后")),
        };
        let back: ClientMessage = decode(&encode(&m)).unwrap();
        assert_eq!(back, m);
        let r = ServerMessage::Response {
            id: 7,
            result: Err(RemoteError::new(ErrorKind::ReadOnly, "no")),
        };
        let back: ServerMessage = decode(&encode(&r)).unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn any_hello_tells_its_version() {
        let future = br#"{"type":"Hello","version":9,"client":"x","features":["y"]}"#;
        assert_eq!(hello_version(future), Some(9));
        assert_eq!(hello_version(br#"{"type":"Request","id":1}"#), None);
        assert_eq!(hello_version(b"\xff"), None);
    }
}
