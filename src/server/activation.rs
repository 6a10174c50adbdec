//! systemd socket activation (`sd_listen_fds(3)`): when systemd — or
//! `systemd-socket-activate` — starts `duban serve` for a connection on `duban.socket`,
//! it passes the listening socket as descriptor 3 and says so in `LISTEN_PID` and
//! `LISTEN_FDS`. The server then serves on that socket instead of binding its own, so the
//! socket exists (with systemd's owner, group and mode) before any server runs, and nobody
//! else can take its name in the meantime.

use std::os::fd::{FromRawFd, RawFd};
use std::os::unix::net::UnixListener;

/// The first descriptor systemd passes.
const SD_LISTEN_FDS_START: RawFd = 3;

/// The listening Unix socket handed to this process, if one was. The variables are
/// removed so that no child of the server takes them for its own.
pub fn inherited_listener() -> Option<UnixListener> {
    let for_us = std::env::var("LISTEN_PID")
        .ok()
        .and_then(|p| p.trim().parse::<u32>().ok())
        == Some(std::process::id());
    let count = std::env::var("LISTEN_FDS")
        .ok()
        .and_then(|n| n.trim().parse::<u32>().ok())
        .unwrap_or(0);
    // SAFETY: only the process starting us sets these; removing them is not racing any
    // other thread (the server has not started its runtime yet).
    unsafe {
        std::env::remove_var("LISTEN_PID");
        std::env::remove_var("LISTEN_FDS");
        std::env::remove_var("LISTEN_FDNAMES");
    }
    if !for_us || count < 1 || !is_unix_listener(SD_LISTEN_FDS_START) {
        return None;
    }
    // SAFETY: descriptor 3 was passed to us to own (sd_listen_fds), and it was checked to
    // be a listening Unix stream socket.
    let listener = unsafe { UnixListener::from_raw_fd(SD_LISTEN_FDS_START) };
    // Not to be inherited by anything the server starts.
    let _ = nix::fcntl::fcntl(
        &listener,
        nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::FD_CLOEXEC),
    );
    Some(listener)
}

/// True when `fd` is a listening stream socket of the Unix family.
fn is_unix_listener(fd: RawFd) -> bool {
    use nix::sys::socket::{getsockname, getsockopt, sockopt, AddressFamily, SockaddrLike};
    // SAFETY: the descriptor is only borrowed for the two queries.
    let borrowed = unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) };
    let listening = getsockopt(&borrowed, sockopt::AcceptConn).unwrap_or(false);
    let unix = getsockname::<nix::sys::socket::UnixAddr>(fd)
        .map(|a| a.family() == Some(AddressFamily::Unix))
        .unwrap_or(false);
    listening && unix
}
