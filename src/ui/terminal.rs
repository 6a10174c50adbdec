//! Taking the terminal and always giving it back: raw mode and the alternate screen are undone
//! by the guard's Drop, by the panic hook (before the panic message prints), and on the
//! SIGHUP/SIGTERM path (the event loop ends, the guard drops). Restoring twice is harmless.

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use crossterm::{cursor, execute};
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Once;

/// The terminal is in raw mode on the alternate screen (so a restore is owed).
static ACTIVE: AtomicBool = AtomicBool::new(false);
static MOUSE: AtomicBool = AtomicBool::new(false);
static HOOK: Once = Once::new();

/// Holds the terminal in raw mode on the alternate screen until dropped.
pub struct TerminalGuard {
    _private: (),
}

impl TerminalGuard {
    /// Raw mode, alternate screen, hidden cursor, bracketed paste; mouse capture only when
    /// asked (it blocks the terminal's own text selection). Sends no query.
    pub fn enter(mouse: bool) -> io::Result<TerminalGuard> {
        install_panic_hook();
        enable_raw_mode().map_err(|e| {
            io::Error::new(
                e.kind(),
                crate::tr!(
                    "界面需要在终端中运行（标准输入是终端吗？）：{e}",
                    "the terminal UI needs a terminal (is stdin a tty?): {e}"
                ),
            )
        })?;
        ACTIVE.store(true, Ordering::SeqCst);
        MOUSE.store(mouse, Ordering::SeqCst);
        let mut out = io::stdout();
        let entered = execute!(
            out,
            EnterAlternateScreen,
            cursor::Hide,
            EnableBracketedPaste
        );
        let entered = entered.and_then(|_| {
            if mouse {
                execute!(out, EnableMouseCapture)
            } else {
                Ok(())
            }
        });
        if let Err(e) = entered {
            restore();
            return Err(e);
        }
        Ok(TerminalGuard { _private: () })
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Gives the terminal back: ends any half-sent synchronized frame, resets attributes, turns
/// off mouse capture and bracketed paste, leaves the alternate screen, shows the cursor, ends
/// raw mode. Errors are ignored (after SIGHUP there is no terminal to write to).
pub fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let mut out = io::stdout();
    let _ = out.write_all(b"\x1b[?2026l\x1b[0m");
    if MOUSE.swap(false, Ordering::SeqCst) {
        let _ = execute!(out, DisableMouseCapture);
    }
    let _ = execute!(
        out,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = out.flush();
    let _ = disable_raw_mode();
}

/// True while the UI holds the terminal.
pub fn is_active() -> bool {
    ACTIVE.load(Ordering::SeqCst)
}

/// Restores the terminal before the default hook prints the panic, so the message is readable
/// and the shell is usable.
pub fn install_panic_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
}

/// Why this terminal cannot show the UI, when it cannot: `TERM=dumb` (Emacs shells, some
/// job runners) understands no cursor movement, and without a terminal on both ends there
/// is nothing to draw on or read keys from. Said before anything is opened or started.
pub fn unsuitable(term: Option<&str>, stdin_tty: bool, stdout_tty: bool) -> Option<String> {
    let instead = crate::lang::t(
        "或改用命令：duban list、duban show 编号、duban search 关键词",
        "or use the commands: duban list, duban show N, duban search WORDS",
    );
    if term.is_some_and(|t| t.trim() == "dumb") {
        return Some(crate::tr!(
            "终端类型 TERM=dumb 显示不了 duban 的界面：请在 xterm、tmux 等终端中打开（TERM 如 xterm-256color），{instead}",
            "a TERM=dumb terminal cannot show duban's screens: open it in a terminal such as xterm or tmux (TERM like xterm-256color), {instead}"
        ));
    }
    if !stdin_tty || !stdout_tty {
        return Some(crate::tr!(
            "界面需要在终端中运行（标准输入和输出都应是终端），{instead}",
            "the screens need a terminal (standard input and output both), {instead}"
        ));
    }
    None
}

/// [`unsuitable`] for this process's terminal.
pub fn check() -> Option<String> {
    use std::io::IsTerminal;
    unsuitable(
        std::env::var("TERM").ok().as_deref(),
        io::stdin().is_terminal(),
        io::stdout().is_terminal(),
    )
}

#[cfg(test)]
mod tests {
    use super::unsuitable;

    #[test]
    fn a_dumb_terminal_or_a_pipe_gets_a_sentence() {
        let dumb = unsuitable(Some("dumb"), true, true).expect("refused");
        assert!(
            dumb.contains("TERM=dumb") && dumb.contains("duban list"),
            "{dumb}"
        );
        let piped = unsuitable(Some("xterm-256color"), false, true).expect("refused");
        assert!(piped.contains("终端"), "{piped}");
        assert_eq!(unsuitable(Some("xterm-256color"), true, true), None);
        assert_eq!(unsuitable(None, true, true), None);
    }
}
