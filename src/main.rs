//! duban's entry point: parse the arguments, then run a command or the UI. Errors are
//! printed as one plain sentence, through the sanitiser (an error may quote a report or a
//! file name); the exit code says failure.

use clap::Parser;
use duban::cli::{self, Cli};

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
    let cli = Cli::parse();
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
        cli::say(format_args!("duban: {e:#}"));
        std::process::exit(1);
    }
}
