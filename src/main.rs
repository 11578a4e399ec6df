//! The `eventlint` command: parse arguments, run, map the result to an exit code.

use std::process::ExitCode;

use clap::Parser;

/// With the `mimalloc` feature, mimalloc replaces the system allocator (see README, Benchmarks).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // A panicking rule is reported as an EL900 finding; keep the default hook's noise off stderr.
    std::panic::set_hook(Box::new(|_| {}));
    let cli = eventlint::cli::Cli::parse();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match eventlint::cli::run(cli, &mut out) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            #[allow(
                clippy::print_stderr,
                reason = "the binary reports run failures on stderr"
            )]
            {
                eprintln!("eventlint: error: {e}");
            }
            ExitCode::from(2)
        }
    }
}
