//! The `livelihoods` command: parse arguments, run, map the outcome to an exit code
//! (0 success, and for `--help` and `--version`; 1 bad input: invalid scenario input, bad
//! arguments or options, input files that do not match; 2 any other error; 130 interrupted).

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = match cli::Args::try_parse() {
        Ok(args) => args,
        Err(e) => {
            // Help and version go to standard output and are a success; an argument that
            // cannot be parsed, a missing one or a misspelt subcommand is bad input.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 1 } else { 0 });
        }
    };
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
