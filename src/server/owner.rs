//! Whose database it is. A database belongs to the account that owns its folder, and only
//! that account's server serves it: the data files stay that account's (a colleague's
//! server would create files the owner cannot read, and could skip access.toml). Clients
//! check it from their side too — the server's uid, as the kernel reports it for the socket
//! (SO_PEERCRED), must be the database's owner — so a socket somebody else put in the folder
//! gets nothing, not a note, not an edit.
//!
//! In the shared set-up (README, "Sharing") the owner is a service account, `duban`; staff
//! reach the data only through its socket. A personal database is its user's, created
//! 0700/0600.

use nix::unistd::{Uid, User};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::Path;

/// The uid owning the database folder at `db` (None when it does not exist yet).
pub fn owner(db: &Path) -> Option<u32> {
    std::fs::metadata(db).ok().map(|m| m.uid())
}

/// This process's effective uid.
pub fn me() -> u32 {
    Uid::effective().as_raw()
}

/// True when the database at `db` is this account's (or does not exist yet: it will be).
pub fn is_mine(db: &Path) -> bool {
    owner(db).is_none_or(|o| o == me())
}

/// The user name of `uid`, or `uid1234`.
pub fn name(uid: u32) -> String {
    User::from_uid(Uid::from_raw(uid))
        .ok()
        .flatten()
        .map(|u| u.name)
        .unwrap_or_else(|| format!("uid{uid}"))
}

/// Why a server running as `server` must not be trusted with the database at `db` owned
/// by `owner`; None when it is the owner's. A socket root listens on is trusted too: with
/// socket activation systemd (root) makes the socket and the kernel names its maker, and
/// root can read the data anyway.
pub fn untrusted_server(db: &Path, server: u32, owner: u32) -> Option<String> {
    (server != owner && server != 0).then(|| {
        crate::tr!(
            "{} 的套接字由 {} 提供，但数据库属于 {}：duban 没有向它发送任何内容。可能是别的程序在那里放了套接字；请告知运行服务的人（套接字可以删除，服务会重新建立）。",
            "the socket of {} is served by {}, but the database belongs to {}: duban sent nothing to it. Another program may have put its socket there; tell whoever runs the server (the socket can be removed, the server makes it again).",
            db.display(),
            name(server),
            name(owner)
        )
    })
}

/// The sentence for a person who finds no server for a database that is not theirs.
pub fn not_served(db: &Path, owner: u32) -> String {
    crate::tr!(
        "{} 没有在运行的 duban 服务，该数据库属于 {}，只有其所有者的服务能打开它。请联系运行它的人启动服务（共享部署时：`systemctl start duban.socket`）。",
        "no duban server is running for {}, which belongs to {}; only its owner's server may open it. Ask whoever runs it to start it (in the shared set-up: `systemctl start duban.socket`).",
        db.display(),
        name(owner)
    )
}

/// Creates a new personal database folder, owner only (0700); its parents as usual.
pub fn create_private(db: &Path) -> std::io::Result<()> {
    if db.exists() {
        return Ok(());
    }
    if let Some(parent) = db.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    match std::fs::DirBuilder::new().mode(0o700).create(db) {
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => Err(e),
        _ => Ok(()),
    }
}

/// Makes what sled created in a new personal database owner-only (files 0600, folders
/// 0700), whatever the umask was.
pub fn tighten(db: &Path) {
    let Ok(entries) = std::fs::read_dir(db) else {
        return;
    };
    for entry in entries.flatten() {
        let Ok(meta) = entry.metadata() else {
            continue;
        };
        let mode = if meta.is_dir() { 0o700 } else { 0o600 };
        if meta.is_dir() || meta.is_file() {
            let _ = std::fs::set_permissions(entry.path(), std::fs::Permissions::from_mode(mode));
        }
        if meta.is_dir() {
            tighten(&entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_owners_server_is_trusted() {
        let db = Path::new("/srv/duban");
        assert_eq!(untrusted_server(db, 1000, 1000), None);
        let why = untrusted_server(db, 1001, 1000).expect("refused");
        assert!(why.contains("没有向它发送任何内容"), "{why}");
        // A socket systemd (root) listens on, for socket activation.
        assert_eq!(untrusted_server(db, 0, 1000), None);
    }

    #[test]
    fn a_new_personal_database_is_for_its_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("a").join("db");
        create_private(&db).unwrap();
        std::fs::write(db.join("conf"), "x").unwrap();
        std::fs::create_dir(db.join("blobs")).unwrap();
        tighten(&db);
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&db), 0o700);
        assert_eq!(mode(&db.join("conf")), 0o600);
        assert_eq!(mode(&db.join("blobs")), 0o700);
        assert!(is_mine(&db));
    }
}
