//! duban's entry point: parse the arguments, then run a command or the UI. Errors are
//! printed as one plain sentence, through the sanitiser (an error may quote a report or a
//! file name); the exit code says failure.

use clap::Parser;
use duban::cli::{self, Cli};

fn main() {
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
