//! The command line: arguments (clap) and the plain-text face of every operation.
