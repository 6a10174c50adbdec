//! Who is on the other end of a connection: the uid and gid the kernel reports for the
//! socket (SO_PEERCRED), resolved to a user name and group names. Nothing the client says
//! about itself is believed.

use nix::unistd::{Gid, Group, Uid, User};

/// A connected person, as the kernel vouches for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peer {
    pub uid: u32,
    pub gid: u32,
    /// The client process, when the kernel tells it (for the server's log).
    pub pid: Option<i32>,
    /// The user name from the password database, or `uid1234` for a uid it does not know.
    pub user: String,
    /// The names of every group the user belongs to (primary and supplementary).
    pub groups: Vec<String>,
}

impl Peer {
    /// Reads the peer credentials of a connected Unix stream.
    pub fn of(stream: &tokio::net::UnixStream) -> std::io::Result<Peer> {
        let cred = stream.peer_cred()?;
        Ok(Peer::from_ids(cred.uid(), cred.gid(), cred.pid()))
    }

    /// Resolves ids to names; a uid or gid missing from the databases keeps its number.
    pub fn from_ids(uid: u32, gid: u32, pid: Option<i32>) -> Peer {
        let user = User::from_uid(Uid::from_raw(uid)).ok().flatten();
        let name = user
            .as_ref()
            .map(|u| u.name.clone())
            .unwrap_or_else(|| format!("uid{uid}"));
        let mut gids = vec![Gid::from_raw(gid)];
        if let Some(u) = &user {
            if let Ok(cname) = std::ffi::CString::new(u.name.as_str()) {
                if let Ok(list) = nix::unistd::getgrouplist(&cname, u.gid) {
                    gids.extend(list);
                }
            }
            gids.push(u.gid);
        }
        gids.sort_by_key(|g| g.as_raw());
        gids.dedup();
        let groups = gids
            .into_iter()
            .filter_map(|g| Group::from_gid(g).ok().flatten().map(|g| g.name))
            .collect();
        Peer {
            uid,
            gid,
            pid,
            user: name,
            groups,
        }
    }

    /// This process's own identity (what a server sees when its owner connects).
    pub fn current() -> Peer {
        Peer::from_ids(
            nix::unistd::getuid().as_raw(),
            nix::unistd::getgid().as_raw(),
            Some(std::process::id() as i32),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_socket_pair_reports_this_process() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let (a, _b) = tokio::net::UnixStream::pair().unwrap();
            let peer = Peer::of(&a).unwrap();
            assert_eq!(peer.uid, nix::unistd::getuid().as_raw());
            assert_eq!(peer.pid, Some(std::process::id() as i32));
            assert_eq!(peer.user, crate::user::current());
        });
    }

    #[test]
    fn an_unknown_uid_keeps_its_number() {
        let p = Peer::from_ids(4_000_123, 4_000_123, None);
        assert_eq!(p.user, "uid4000123");
    }
}
