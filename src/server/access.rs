//! Who may edit and who may only read a shared database: `access.toml` in the database
//! folder. Without the file everyone who can reach the socket may edit (the socket itself is
//! owner and group only), which is the single-user and small-office default.
//!
//! ```toml
//! # names are OS users; "@name" is a Unix group
//! editors = ["alice", "@duban-staff"]
//! readers = ["@duban-readers"]
//! ```
//! With the file, a user listed (by name or group) in `editors` edits, one listed only in
//! `readers` reads, and anyone else is refused. The server reads the file again for every
//! new connection, so a change applies to the next person who connects.

use super::peer::Peer;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The config file's name inside the database folder.
pub const ACCESS_FILE: &str = "access.toml";

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessConfig {
    #[serde(default)]
    pub editors: Vec<String>,
    #[serde(default)]
    pub readers: Vec<String>,
}

/// What a peer may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    Edit,
    Read,
    /// Refused, with the sentence to show them.
    Denied(String),
}

#[derive(Debug, thiserror::Error)]
#[error("{}", crate::tr!(
    "{} 无法读取：{detail}。请改正（editors = [\"name\", \"@group\"], readers = [...]），或删除它，让能连上套接字的人都可以编辑。",
    "{} cannot be read: {detail}. Fix it (editors = [\"name\", \"@group\"], readers = [...]) or remove it to let everyone who can reach the socket edit.",
    path.display(),
    detail = .detail
))]
pub struct AccessError {
    pub path: PathBuf,
    pub detail: String,
}

impl AccessConfig {
    /// Reads `<db>/access.toml`; `None` when there is no such file. A file that anyone
    /// but the database's owner could have written (a symlink, group- or world-writable,
    /// owned by another account) is refused: whoever can write it can make themselves an
    /// editor.
    pub fn load(db: &Path) -> Result<Option<AccessConfig>, AccessError> {
        let path = db.join(ACCESS_FILE);
        match std::fs::symlink_metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(AccessError {
                    path,
                    detail: e.to_string(),
                })
            }
            Ok(meta) => {
                if let Some(detail) = unsafe_to_trust(&meta, super::owner::owner(db)) {
                    return Err(AccessError { path, detail });
                }
            }
        }
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(AccessError {
                    path,
                    detail: e.to_string(),
                })
            }
        };
        toml::from_str(&text).map(Some).map_err(|e| AccessError {
            path,
            detail: e.to_string().trim().to_string(),
        })
    }

    fn lists(entries: &[String], peer: &Peer) -> bool {
        entries
            .iter()
            .map(|e| e.trim())
            .any(|e| match e.strip_prefix('@') {
                Some(group) => peer.groups.iter().any(|g| g == group),
                None => e == peer.user,
            })
    }

    pub fn decide(&self, peer: &Peer, db: &Path) -> Access {
        if Self::lists(&self.editors, peer) {
            Access::Edit
        } else if Self::lists(&self.readers, peer) {
            Access::Read
        } else {
            Access::Denied(crate::tr!(
                "{} 无权使用 duban 数据库 {}：其 {} 列出了可编辑和可查看的人。请联系运行它的人把你（或你所在的组，写作 \"@组名\"）加进去。",
                "{} is not allowed to use the duban database {}: its {} names who may edit and who may read. Ask whoever runs it to add you (or one of your groups as \"@group\").",
                peer.user,
                db.display(),
                ACCESS_FILE
            ))
        }
    }
}

/// Why a file with this metadata cannot be trusted to say who edits, if it cannot.
fn unsafe_to_trust(meta: &std::fs::Metadata, db_owner: Option<u32>) -> Option<String> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    if meta.file_type().is_symlink() {
        return Some(
            crate::lang::t(
                "它是符号链接；请改为归数据库所有者的普通文件",
                "it is a symbolic link; make it a plain file owned by the database's owner",
            )
            .into(),
        );
    }
    if !meta.is_file() {
        return Some(crate::lang::t("它不是普通文件", "it is not a plain file").into());
    }
    if meta.permissions().mode() & 0o022 != 0 {
        return Some(crate::tr!(
            "{}可以写它（权限 {:o}），谁都能把自己加为编辑者；请对它执行 `chmod go-w`",
            "it is writable by {} (mode {:o}), so anyone there could make themselves an editor; `chmod go-w` it",
            if meta.permissions().mode() & 0o002 != 0 {
                crate::lang::t("所有人", "everyone")
            } else {
                crate::lang::t("其用户组", "its group")
            },
            meta.permissions().mode() & 0o777
        ));
    }
    match db_owner {
        Some(owner) if meta.uid() != owner => Some(crate::tr!(
            "它属于 {}，而不属于数据库的所有者 {}；请执行 `chown {}`",
            "it belongs to {}, not to {}, who owns the database; `chown {}` it",
            super::owner::name(meta.uid()),
            super::owner::name(owner),
            super::owner::name(owner)
        )),
        _ => None,
    }
}

/// Decides for one peer, reading the config afresh. A broken config refuses everyone (and
/// says why) rather than guessing.
pub fn decide(db: &Path, peer: &Peer) -> Access {
    match AccessConfig::load(db) {
        Ok(None) => Access::Edit,
        Ok(Some(config)) => config.decide(peer, db),
        // Out of descriptors is no fault of access.toml: say what it is.
        Err(e) if out_of_descriptors(&e.detail) => Access::Denied(
            crate::lang::t(
                "服务的文件描述符已用完（同时连接太多）；请稍后再试，或联系运行它的人",
                "the server has no file descriptors left (too many connections at once); try again in a while, or ask whoever runs it",
            )
            .into(),
        ),
        Err(e) => Access::Denied(crate::tr!(
            "服务无法判断谁可以连接：{e}",
            "the server cannot decide who may connect: {e}"
        )),
    }
}

fn out_of_descriptors(detail: &str) -> bool {
    [nix::libc::EMFILE, nix::libc::ENFILE]
        .iter()
        .any(|code| detail.contains(&format!("(os error {code})")))
}

/// The sentence a read-only user gets for an edit.
pub fn read_only_message(user: &str, db: &Path) -> String {
    crate::tr!(
        "{user} 只能查看 duban 数据库 {}（{} 把 {user} 列为查看者，而不是编辑者），未作修改。",
        "{user} may only read the duban database {} ({} lists {user} as a reader, not an editor); nothing was changed.",
        db.display(),
        ACCESS_FILE
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(user: &str, groups: &[&str]) -> Peer {
        Peer {
            uid: 1000,
            gid: 1000,
            pid: None,
            user: user.into(),
            groups: groups.iter().map(|g| g.to_string()).collect(),
        }
    }

    #[test]
    fn users_and_groups_decide_edit_read_or_refuse() {
        let c: AccessConfig =
            toml::from_str("editors = [\"alice\", \"@staff\"]\nreaders = [\"@audit\"]").unwrap();
        let db = Path::new("/srv/duban.db");
        assert_eq!(c.decide(&peer("alice", &[]), db), Access::Edit);
        assert_eq!(c.decide(&peer("bob", &["staff"]), db), Access::Edit);
        assert_eq!(c.decide(&peer("carol", &["audit"]), db), Access::Read);
        match c.decide(&peer("mallory", &["users"]), db) {
            Access::Denied(msg) => assert!(msg.contains("mallory") && msg.contains("access.toml")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_access_file_others_could_write_refuses_everyone_and_says_why() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(ACCESS_FILE);
        std::fs::write(&file, "editors = [\"alice\"]").unwrap();
        let alice = peer("alice", &[]);
        for (mode, says) in [(0o664, "其用户组"), (0o646, "所有人")] {
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).unwrap();
            match decide(dir.path(), &alice) {
                Access::Denied(m) => assert!(m.contains(says) && m.contains("chmod go-w"), "{m}"),
                other => panic!("{mode:o}: {other:?}"),
            }
        }
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(decide(dir.path(), &alice), Access::Edit);
        // A symlink to a file someone else keeps is not followed.
        let elsewhere = dir.path().join("mine.toml");
        std::fs::write(&elsewhere, "editors = [\"mallory\"]").unwrap();
        std::fs::remove_file(&file).unwrap();
        std::os::unix::fs::symlink(&elsewhere, &file).unwrap();
        assert!(
            matches!(decide(dir.path(), &peer("mallory", &[])), Access::Denied(m) if m.contains("符号链接"))
        );
    }

    #[test]
    fn no_file_lets_everyone_edit_and_a_broken_one_refuses_everyone() {
        let dir = tempfile::tempdir().unwrap();
        let p = peer("alice", &[]);
        assert_eq!(decide(dir.path(), &p), Access::Edit);
        std::fs::write(dir.path().join(ACCESS_FILE), "editors = alice").unwrap();
        assert!(matches!(decide(dir.path(), &p), Access::Denied(m) if m.contains("无法判断")));
        std::fs::write(dir.path().join(ACCESS_FILE), "editor = [\"alice\"]").unwrap();
        assert!(matches!(decide(dir.path(), &p), Access::Denied(_)));
    }
}
