//! The `livelihoods` command: parse arguments, run, map the outcome to an exit code
//! (0 success, 1 invalid scenario input, 2 any other error).

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    match cli::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            if let Some(problems) = err.downcast_ref::<livelihoods::scenario::Problems>() {
                eprint!("error: {problems}");
                return ExitCode::from(1);
            }
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}
