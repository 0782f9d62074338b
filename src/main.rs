//! The `scalecast` binary: parse arguments, call the library, map errors to exit codes
//! (0 ok, 1 failure, 2 bad input).

use std::process::ExitCode;

use clap::Parser;
use scalecast::error::InputErrors;

fn main() -> ExitCode {
    // Like other command-line tools, end quietly when the reader of stdout goes away
    // (`scalecast explain FILE | head`) instead of failing on the broken pipe.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = scalecast::cli::Cli::parse();
    scalecast::output::clean_up_on_signal();
    match scalecast::cli::main(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let Some(input) = e.downcast_ref::<InputErrors>() {
                eprintln!("{input}");
                ExitCode::from(2)
            } else {
                eprintln!("error: {e:#}");
                ExitCode::from(1)
            }
        }
    }
}
