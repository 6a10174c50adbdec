//! `duban admin init-shared DIR --group G`: sets up a database the way a daemon's data is
//! set up (PostgreSQL's, say). The files belong to the account that runs the server and
//! nobody else can read or write them; the folder lets the group reach the socket (2750:
//! the group may enter, not create — no planted sockets, no planted logs); access.toml,
//! the owner's, names who edits; systemd's `duban.socket` makes the socket (0660, the
//! group's) and starts `duban.service` as the owner on the first connection.

use super::access::ACCESS_FILE;
use crate::lang::t;
use nix::unistd::{chown, Gid, Group, Uid, User};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

const SOCKET_UNIT: &str = include_str!("../../data/systemd/duban.socket");
const SERVICE_UNIT: &str = include_str!("../../data/systemd/duban.service");

/// What `init-shared` is asked to do.
#[derive(Debug, Clone)]
pub struct SharedSetup {
    pub db: PathBuf,
    pub group: String,
    /// The account that owns the files and runs the server (default: who runs this).
    pub owner: Option<String>,
    /// Where the systemd units are written.
    pub units: PathBuf,
    /// The duban program the service runs.
    pub exe: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("{}", crate::tr!(
        "本机没有用户组“{0}”；请先创建（groupadd {0}），再把工作人员加入该组",
        "there is no group '{0}' on this machine; create it first (groupadd {0}) and add the staff to it",
        .0
    ))]
    NoGroup(String),
    #[error("{}", crate::tr!(
        "本机没有用户“{0}”；请先创建服务账户（useradd --system {0}）",
        "there is no user '{0}' on this machine; create the service account first (useradd --system {0})",
        .0
    ))]
    NoUser(String),
    #[error("{}", crate::tr!(
        "只有 root 才能建立归 {owner} 所有的数据库（你是 {me}）；请以 root 或 {owner} 身份运行",
        "only root can set up a database owned by {owner} (you are {me}); run this as root, or as {owner}",
        owner = .owner,
        me = .me
    ))]
    NotRoot { owner: String, me: String },
    #[error("{}", crate::tr!(
        "数据库路径 {} 必须是绝对路径（服务从 / 运行）",
        "the database path {} must be absolute (the service runs from /)",
        .0.display()
    ))]
    Relative(PathBuf),
    #[error("{}", crate::tr!(
        "{what} {}：{detail}",
        "{what} {}: {detail}",
        path.display(),
        what = .what,
        detail = .detail
    ))]
    Io {
        what: &'static str,
        path: PathBuf,
        detail: String,
    },
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

fn io(what: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> SetupError {
    let path = path.to_path_buf();
    move |e| SetupError::Io {
        what,
        path,
        detail: e.to_string(),
    }
}

/// Sets up the shared database; returns what it did, a line each, for the person to read.
pub fn init_shared(setup: &SharedSetup) -> Result<Vec<String>, SetupError> {
    let SharedSetup {
        db,
        group,
        owner,
        units,
        exe,
    } = setup;
    if !db.is_absolute() {
        return Err(SetupError::Relative(db.clone()));
    }
    let me = User::from_uid(Uid::effective()).ok().flatten();
    let me_name = me
        .as_ref()
        .map_or_else(|| "uid?".into(), |u| u.name.clone());
    let owner = match owner {
        Some(name) => User::from_name(name)
            .ok()
            .flatten()
            .ok_or_else(|| SetupError::NoUser(name.clone()))?,
        None => me
            .clone()
            .ok_or_else(|| SetupError::NoUser(me_name.clone()))?,
    };
    if owner.uid != Uid::effective() && !Uid::effective().is_root() {
        return Err(SetupError::NotRoot {
            owner: owner.name,
            me: me_name,
        });
    }
    let gid = Group::from_name(group)
        .ok()
        .flatten()
        .ok_or_else(|| SetupError::NoGroup(group.clone()))?
        .gid;
    let mut did = Vec::new();

    std::fs::create_dir_all(db).map_err(io(t("无法创建", "cannot create"), db))?;
    {
        // Creates sled's files (or opens what is there); closed again at once.
        let _ledger = crate::ledger::Ledger::open(db)?;
    }
    did.push(crate::tr!(
        "数据库 {} 已建立（或保留原有）",
        "database {} created (or kept)",
        db.display()
    ));

    let access = db.join(ACCESS_FILE);
    if !access.exists() {
        std::fs::write(&access, access_template(group))
            .map_err(io(t("无法写入", "cannot write"), &access))?;
        did.push(crate::tr!(
            "{}：用户组 {group} 可以查看；请把可编辑的人（用户名或 \"@组名\"）加到 `editors`",
            "{}: the group {group} may read; add editors (names, or \"@group\") to `editors`",
            access.display()
        ));
    } else {
        did.push(crate::tr!(
            "{} 保持原样",
            "{} kept as it is",
            access.display()
        ));
    }

    own_tree(db, owner.uid, gid)?;
    set_mode(db, 0o2750)?;
    set_mode(&access, 0o644)?;
    did.push(crate::tr!(
        "所有者 {}:{group}；文件夹 2750（用户组可访问套接字，不能新建文件），数据文件 0600，{ACCESS_FILE} 0644",
        "owner {}:{group}; the folder 2750 (the group reaches the socket, creates nothing), data files 0600, {ACCESS_FILE} 0644",
        owner.name
    ));

    std::fs::create_dir_all(units).map_err(io(t("无法创建", "cannot create"), units))?;
    for (name, template) in [
        ("duban.socket", SOCKET_UNIT),
        ("duban.service", SERVICE_UNIT),
    ] {
        let path = units.join(name);
        let text = fill(template, db, &owner.name, group, exe);
        std::fs::write(&path, text).map_err(io(t("无法写入", "cannot write"), &path))?;
        set_mode(&path, 0o644)?;
        did.push(crate::tr!("已写入 {}", "{} written", path.display()));
    }
    did.push(
        t(
            "下一步：`systemctl daemon-reload && systemctl enable --now duban.socket`；之后工作人员照常运行 `duban --db DB`",
            "next: `systemctl daemon-reload && systemctl enable --now duban.socket`; staff then run `duban --db DB` as usual",
        )
        .replace("DB", &db.display().to_string()),
    );
    Ok(did)
}

fn access_template(group: &str) -> String {
    format!(
        "# Who may use this duban database (names are OS users, \"@name\" a Unix group).\n\
         # Editors change statuses, notes and goals and import reports; readers only read.\n\
         # Keep this file the database owner's and writable by nobody else (0644):\n\
         # the server refuses everyone while anyone else could change it.\n\
         editors = []\n\
         readers = [\"@{group}\"]\n"
    )
}

fn fill(template: &str, db: &Path, user: &str, group: &str, exe: &Path) -> String {
    template
        .replace("@DB@", &db.display().to_string())
        .replace("@USER@", user)
        .replace("@GROUP@", group)
        .replace("@EXE@", &exe.display().to_string())
}

/// Gives everything under `root` to `uid:gid`; files become 0600, folders 0700 (the root
/// folder's mode is set by the caller).
fn own_tree(root: &Path, uid: Uid, gid: Gid) -> Result<(), SetupError> {
    chown(root, Some(uid), Some(gid)).map_err(|e| SetupError::Io {
        what: t("无法移交", "cannot give"),
        path: root.to_path_buf(),
        detail: e.to_string(),
    })?;
    for entry in std::fs::read_dir(root).map_err(io(t("无法读取", "cannot read"), root))? {
        let entry = entry.map_err(io(t("无法读取", "cannot read"), root))?;
        let path = entry.path();
        let meta =
            std::fs::symlink_metadata(&path).map_err(io(t("无法读取", "cannot read"), &path))?;
        if meta.file_type().is_symlink() {
            // Nothing of ours is a link: one here was planted; it is not followed.
            continue;
        }
        if meta.is_dir() {
            own_tree(&path, uid, gid)?;
            set_mode(&path, 0o700)?;
        } else {
            chown(&path, Some(uid), Some(gid)).map_err(|e| SetupError::Io {
                what: t("无法移交", "cannot give"),
                path: path.clone(),
                detail: e.to_string(),
            })?;
            if meta.is_file() {
                set_mode(&path, 0o600)?;
            }
        }
    }
    Ok(())
}

fn set_mode(path: &Path, mode: u32) -> Result<(), SetupError> {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(io(t("无法设置权限", "cannot set the mode of"), path))
}
