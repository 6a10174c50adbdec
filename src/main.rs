//! duban's entry point: the language, the arguments, then a command or the UI. Errors are
//! printed as one plain sentence after one prefix (`duban: 错误：`), through the sanitiser
//! (an error may quote a report or a file name); the exit code says failure.

use duban::cli::{self, Cli};
use duban::lang::{self, Lang};

fn main() {
    // Past `ulimit -f` the kernel sends SIGXFSZ, whose default kills the process mid-write
    // with no word said; ignored, the write fails with EFBIG and duban says what happened
    // and what to do (store.rs `IoClass::TooLarge`). The database survives either way.
    // SAFETY: setting a signal's disposition to SIG_IGN before any thread starts.
    unsafe {
        let _ = nix::sys::signal::signal(
            nix::sys::signal::Signal::SIGXFSZ,
            nix::sys::signal::SigHandler::SigIgn,
        );
    }
    // Before clap builds its help texts, which are in the language too.
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let env = std::env::var("DUBAN_LANG").ok();
    lang::set(Lang::from_args_and_env(&args, env.as_deref()));
    let cli = match Cli::parse_localized(&args) {
        Ok(cli) => cli,
        Err(e) => cli::argument_error(e),
    };
    let result = match &cli.command {
        Some(command) => cli::run(&cli, command),
        None => cli::run_ui(&cli),
    };
    if let Err(e) = result {
        // A closed pipe (`duban list | head`) is not an error worth a message.
        if e.downcast_ref::<std::io::Error>().map(|io| io.kind())
            == Some(std::io::ErrorKind::BrokenPipe)
        {
            std::process::exit(0);
        }
        cli::say(format_args!("{}{e:#}", lang::error_prefix()));
        std::process::exit(1);
    }
}
